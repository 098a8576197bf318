pf:::state-change { if (args[0]->src.state == TCPS_ESTABLISHED) { x = "e"; @c[x] = count(); } else if (args[0]->dst.state > 3) printf("%d", 1); else { y[args[0]->id]++; } }
