ip:::receive
{
@num[args[2]->ip_saddr] = count();
}
