ip:::send
{
	printf("%d bytes\n", args[2]->ip_saddr);
}
