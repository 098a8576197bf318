// SPDX-License-Identifier: BSD-2-Clause
/*
 * attach.c - -e -i IF and -d -i IF: put the datapath on (or take it off)
 * interfaces with the loader.  pf has nothing like it: its filter sits in
 * the kernel already; here enabling pf on an interface means attaching the
 * XDP and tc programs there, sharing the pinned state table.
 */
#include <errno.h>
#include <string.h>

#include "ctx.h"
#include "lib/loader.h"

int pfctl_attach(struct pfctl_ctx *c)
{
	struct pfbpf_load_opts o;
	int err;

	memset(&o, 0, sizeof(o));
	/* -e is how a datapath comes to life: mount bpffs if nobody did. */
	err = pfbpf_bpffs_mount();
	if (err) {
		pfctl_err_op(c, "mounting bpffs at /sys/fs/bpf", err);
		return err;
	}
	err = pfbpf_attach(c->ifnames, c->nifs, &o);
	if (err) {
		char what[64 + IF_NAMESIZE];

		snprintf(what, sizeof(what), "attaching to %s%s", c->ifnames[0],
			 c->nifs > 1 ? " and others" : "");
		pfctl_err_op(c, what, err);
		return err;
	}
	for (int i = 0; i < c->nifs; i++)
		pfctl_msg(c, "pf attached to %s", c->ifnames[i]);
	return 0;
}

int pfctl_detach(struct pfctl_ctx *c)
{
	int rc = 0;

	for (int i = 0; i < c->nifs; i++) {
		int err = pfbpf_detach(c->ifnames[i]);

		if (err) {
			char what[64 + IF_NAMESIZE];

			snprintf(what, sizeof(what), "detaching from %s", c->ifnames[i]);
			pfctl_err_op(c, what, err == -ENOENT ? -ENXIO : err);
			rc = err;
			continue;
		}
		pfctl_msg(c, "pf detached from %s", c->ifnames[i]);
	}
	return rc;
}
