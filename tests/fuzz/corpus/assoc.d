pf:::state-create { start[args[0]->id] = timestamp; n[args[0]->proto_str, args[0]->af]++; name[args[0]->id] = args[0]->src_ip; }
pf:::state-destroy / start[args[0]->id] / { @life[args[0]->proto_str] = quantize(timestamp - start[args[0]->id]); start[args[0]->id] = 0; name[args[0]->id] = ""; }
END { printf("%d %s\n", n["tcp", 2], name[1]); }
