errors.d ip_v4_v6.ev
