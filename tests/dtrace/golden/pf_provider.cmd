pf_provider.d tcp_v4_v6.ev
