pf:::state-frobnicate
{
	trace(1);
}
