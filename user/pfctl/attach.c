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
#include "lib/log.h"
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
			pr_warn("%s: set skip on %s: not attaching pf there",
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
			pr_warn("set skip on %s: an XDP program not attached by "
				"pfctl_bpf is on %s and may still filter there "
				"(ip link set dev %s xdp off)", ifname, ifname, ifname);
		return 0;
	}
	if (err) {
		pr_warn("set skip on %s: cannot detach pf from %s: %s",
			ifname, ifname, strerror(-err));
		return err;
	}
	pr_warn("set skip on %s: pf detached from %s", ifname, ifname);
	return 0;
}

int pfctl_attach(struct pfctl_ctx *c)
{
	struct pfbpf_load_opts o;
	int err;

	memset(&o, 0, sizeof(o));
	o.hook = (enum pfbpf_hook)c->hook;
	/* Attaching needs CAP_BPF and CAP_NET_ADMIN: say so in one line
	 * instead of letting the first failing step (mkdir of the pin folder)
	 * speak for it. */
	if (geteuid() != 0) {
		pr_err("%s", pfbpf_pin_strerror(-EPERM, NULL));
		return -EPERM;
	}
	/* -e is how a datapath comes to life: mount bpffs if nobody did. */
	err = pfbpf_bpffs_mount();
	if (err) {
		pr_err("cannot mount bpffs at " PFBPF_BPFFS ": %s", strerror(-err));
		return err;
	}
	drop_skipped(c);
	if (!c->nifs) {
		pr_warn("no interface left to enable pf on: all are skipped "
			"(set skip on)");
		return -ENODEV;
	}
	err = pfbpf_attach(c->ifnames, c->nifs, &o);
	if (err) {
		/* The loader has named the interface and the step on stderr;
		 * this line says what it means for the command. */
		pr_warn("cannot enable pf on %s%s: %s", c->ifnames[0],
			c->nifs > 1 ? " and the other interfaces" : "", strerror(-err));
		return err;
	}
	for (int i = 0; i < c->nifs; i++) {
		enum pfbpf_hook h;

		pfbpf_attached_hook(c->ifnames[i], &h);
		pfctl_msg(c, "pf attached to %s (%s, tc egress)", c->ifnames[i],
			  pfbpf_hook_name(h));
	}
	return 0;
}

void pfctl_iface_hooks(struct pfctl_iface *i, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		enum pfbpf_hook h;

		if (!pfbpf_attached_hook(i[k].name, &h) && h != PFBPF_HOOK_AUTO)
			snprintf(i[k].hook, sizeof(i[k].hook), "%s", pfbpf_hook_name(h));
	}
}

int pfctl_detach(struct pfctl_ctx *c)
{
	int rc = 0;

	for (int i = 0; i < c->nifs; i++) {
		int err = pfbpf_detach(c->ifnames[i]);

		if (err) {
			pr_warn("cannot detach pf from %s: %s", c->ifnames[i],
				err == -ENOENT ? "pf is not attached there" : strerror(-err));
			rc = err;
			continue;
		}
		pfctl_msg(c, "pf detached from %s", c->ifnames[i]);
	}
	return rc;
}
