pf:::state-create
{
	printf("%d\n", args[0]->nosuch);
}
