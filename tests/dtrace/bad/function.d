BEGIN
{
	x = frob(1);
}
