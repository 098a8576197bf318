/* Aggregations over the pf and ip probes: every aggregating function,
 * tuple keys, printa with and without a format, and the END printout of
 * what printa did not print. */
pf:::state-create
{
	@creates[probename] = count();
	@byproto[protocols[args[0]->key[PF_SK_WIRE]->proto], args[0]->af] = count();
}

pf:::state-destroy
{
	@bytes[args[0]->proto_str] = sum(args[0]->bytes[0] + args[0]->bytes[1]);
	@minpkts = min(args[0]->packets[0]);
	@maxpkts = max(args[0]->packets[0]);
	@avgpkts = avg(args[0]->packets[0] + args[0]->packets[1]);
	@life["tcp+udp"] = lquantize((timestamp / 1000000000) % 100, 0, 100, 10);
	@reason[args[0]->reason_str, args[0]->reason] = count();
}

ip:::send, ip:::receive
{
	@plen[probename] = quantize(args[2]->ip_plength);
	@hist = quantize(args[2]->ip_plength);
	@bypeer[args[2]->ip_ver == 4 ? args[2]->ip_daddr : "v6"] = count();
}

END
{
	printa("%-12s %@d\n", @creates);
	printa("%s/%d: %@u states\n", @byproto);
	printa(@bytes);
	trunc(@bypeer, 2);
}
