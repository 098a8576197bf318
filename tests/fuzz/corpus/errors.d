/* Runtime faults: each clause reports its first fault once, then the
 * rest of the script keeps running. */
#pragma D option quiet
ip:::receive
{
	/* ipv4info_t is NULL on IPv6 packets */
	printf("ttl %d from %s\n", args[4]->ipv4_ttl, args[2]->ip_saddr);
}

ip:::send
{
	n = args[2]->ip_ver - 4;
	printf("%d\n", 100 / n);
}

ip:::send
/ 1000 % (args[2]->ip_ver - 4) == 0 /
{
	printf("IPv6: 1000 %% 2 == 0\n");
}

ip:::send
{
	@sent = count();
}

END
{
	printf("sent %d\n", 1);
	printa("packets sent: %@d\n", @sent);
}
