// SPDX-License-Identifier: BSD-2-Clause
/*
 * attach.c - -e -i IF and -d -i IF: put the datapath on (or take it off)
 * interfaces with the loader (user/lib/loader.h).  pf has nothing like it:
 * its filter sits in the kernel already; here enabling pf on an interface
 * means attaching the XDP and tc programs there, all sharing the pinned
 * state table.
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
		fprintf(stderr, "pfctl_bpf: cannot mount bpffs at " PFBPF_BPFFS ": %s\n",
			strerror(-err));
		return err;
	}
	err = pfbpf_attach(c->ifnames, c->nifs, &o);
	if (err) {
		/* The loader has named the interface and the step on stderr;
		 * this line says what it means for the command. */
		fprintf(stderr, "pfctl_bpf: cannot enable pf on %s%s: %s\n", c->ifnames[0],
			c->nifs > 1 ? " and the other interfaces" : "", strerror(-err));
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
			fprintf(stderr, "pfctl_bpf: cannot detach pf from %s: %s\n", c->ifnames[i],
				err == -ENOENT ? "pf is not attached there" : strerror(-err));
			rc = err;
			continue;
		}
		pfctl_msg(c, "pf detached from %s", c->ifnames[i]);
	}
	return rc;
}
