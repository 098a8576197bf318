/* tick probes, exit() and END; walltimestamp and the state's readable members */
#pragma D option quiet
BEGIN
{
	start = timestamp;
	n = 0;
}

profile:::tick-1s
{
	n++;
	printf("tick %d at +%dms\n", n, (timestamp - start) / 1000000);
}

tick-500ms
/ n >= 2 /
{
	printf("half-tick after %d ticks\n", n);
}

pf:::state-create
{
	printf("%s %s:%d %s %s:%d rule %d on %s, %s\n", args[0]->proto_str,
	    args[0]->src_ip, args[0]->src_port, args[0]->direction == PF_OUT ? "->" : "<-",
	    args[0]->dst_ip, args[0]->dst_port, (int)args[0]->rule, args[0]->ifname,
	    lltostr(walltimestamp / 1000000000));
}

pf:::state-create
/ args[0]->id == 2 /
{
	exit(3);
}

END
{
	printf("done after %d ticks, state %d\n", n, 2);
}
