// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_ifsync.c - DIOCIFADDRSYNC (include/pfbpf_ioctl.h): an interface's
 * addresses changed, so filter rules written with `($if)`, which the
 * commit expanded into one rule per address the interface had then
 * (ioctl_dynif.c), are compiled again with the addresses of now.  The
 * reload keeps states and counters as any reload does.  A ruleset naming
 * no `($if)` is left alone, so watching addresses costs nothing then.
 */
#include <errno.h>
#include "ioctl_priv.h"

int pfbpf_cmd_ifaddrsync(struct pfbpf_handle *h, void *arg)
{
	__u32 *done = arg;
	struct ctl_flat f;
	bool dynif;
	int err;

	*done = 0;
	if ((err = ctl_flatten(h, NULL, 0, &f)))
		return err;
	dynif = f.dynif;
	ctl_flat_free(&f);
	if (!dynif)
		return 0;
	if ((err = ctl_ruleset_reload(h)))
		return err;
	*done = 1;
	return 0;
}
