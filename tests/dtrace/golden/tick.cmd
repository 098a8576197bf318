tick.d tick.ev
