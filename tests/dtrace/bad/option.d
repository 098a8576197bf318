#pragma D option quiet
#pragma D option switchrate=fast
BEGIN { exit(0); }
