// SPDX-License-Identifier: BSD-2-Clause
/*
 * attach.c - -e -i IF and -d -i IF: put the datapath on (or take it off)
 * interfaces with the loader (user/lib/loader.h).  pf has nothing like it:
 * its filter sits in the kernel already; here enabling pf on an interface
 * means attaching the XDP and tc programs there, all sharing the pinned
 * state table.
 */
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <bpf/libbpf.h>

#include "ctx.h"
#include "kern.h"
#include "lib/loader.h"
#include "lib/pin_open.h"

/*
 * pf does not filter on a `set skip` interface.  pfbpf filters only where
 * it is attached, so skipping an interface means not being attached there.
 * Returns 1 when the flag is set, 0 when not or when no flags exist yet
 * (no datapath loaded: nothing was ever flagged).
 */
static int iface_skipped(int dev, const char *ifname)
{
	struct pfctl_iface *ifs = NULL;
	size_t n = 0;
	int skip = 0;

	if (dev < 0 || pfctl_k_get_ifaces(dev, ifname, &ifs, &n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ifs[i].name, ifname) && (ifs[i].flags & PFCTL_IFLAG_SKIP))
			skip = 1;
	free(ifs);
	return skip;
}

/* Drop the -i interfaces flagged `set skip`, with a note for each. */
static void drop_skipped(struct pfctl_ctx *c)
{
	int dev = pfctl_k_open(NULL, false), k = 0;

	for (int i = 0; i < c->nifs; i++) {
		if (iface_skipped(dev, c->ifnames[i])) {
			fprintf(stderr, "pfctl_bpf: %s: set skip on %s: not attaching pf there\n",
				c->ifnames[i], c->ifnames[i]);
			continue;
		}
		c->ifnames[k++] = c->ifnames[i];
	}
	c->nifs = k;
	pfctl_k_close(dev);
}

int pfctl_skip_detach(struct pfctl_ctx *c, const char *ifname)
{
	int err = pfbpf_detach(ifname);

	if (err == -ENOENT) {
		unsigned int ifindex = if_nametoindex(ifname);
		__u32 prog_id = 0;

		/* Not ours to detach; but an object attached with iproute2
		 * would go on filtering there, which the administrator must
		 * hear about. */
		if (ifindex && !bpf_xdp_query_id((int)ifindex, 0, &prog_id) && prog_id)
			fprintf(stderr, "pfctl_bpf: set skip on %s: an XDP program not attached by "
					"pfctl_bpf is on %s and may still filter there "
					"(ip link set dev %s xdp off)\n", ifname, ifname, ifname);
		return 0;
	}
	if (err) {
		fprintf(stderr, "pfctl_bpf: set skip on %s: cannot detach pf from %s: %s\n",
			ifname, ifname, strerror(-err));
		return err;
	}
	fprintf(stderr, "pfctl_bpf: set skip on %s: pf detached from %s\n", ifname, ifname);
	return 0;
}

int pfctl_attach(struct pfctl_ctx *c)
{
	struct pfbpf_load_opts o;
	int err;

	memset(&o, 0, sizeof(o));
	/* Attaching needs CAP_BPF and CAP_NET_ADMIN: say so in one line
	 * instead of letting the first failing step (mkdir of the pin folder)
	 * speak for it. */
	if (geteuid() != 0) {
		fprintf(stderr, "pfctl_bpf: %s\n", pfbpf_pin_strerror(-EPERM, NULL));
		return -EPERM;
	}
	/* -e is how a datapath comes to life: mount bpffs if nobody did. */
	err = pfbpf_bpffs_mount();
	if (err) {
		fprintf(stderr, "pfctl_bpf: cannot mount bpffs at " PFBPF_BPFFS ": %s\n",
			strerror(-err));
		return err;
	}
	drop_skipped(c);
	if (!c->nifs) {
		fprintf(stderr, "pfctl_bpf: no interface left to enable pf on: all are skipped "
				"(set skip on)\n");
		return -ENODEV;
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
