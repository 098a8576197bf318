// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_iface.c - DIOCIGETIFACES, DIOCICLRISTATS, DIOCSETIFFLAG,
 * DIOCCLRIFFLAG: the interfaces of this network namespace with the
 * datapath's per-interface counters (pf_ifctr).  Linux has no interface
 * groups; the one pf always has, `all` (every interface is in it, pfctl -sI
 * lists it), is shown as a group with no counters of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"

struct ifent {
	__u32 ifindex;
	char name[IFNAMSIZ];
	bool exists;
	bool group;
};

static int ifent_cmp(const void *x, const void *y)
{
	const struct ifent *a = x, *b = y;

	return strncmp(a->name, b->name, IFNAMSIZ);
}

/* Interfaces that exist, plus those the datapath counted that have gone
 * (their counters stay until cleared, named by index), plus the `all`
 * group; by name, the order of pf's interface tree. */
static int iface_list(struct pfbpf_handle *h, struct ifent **out, size_t *n)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	struct ifent *v = NULL;
	size_t cnt = 0;
	__u32 k, next;
	bool first = true;
	int fd;

	if (!ni)
		return -errno;
	for (p = ni; p->if_index; p++) {
		v = realloc(v, (cnt + 1) * sizeof(*v));
		if (!v)
			goto nomem;
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].ifindex = p->if_index;
		snprintf(v[cnt].name, IFNAMSIZ, "%s", p->if_name);
		v[cnt++].exists = true;
	}
	v = realloc(v, (cnt + 1) * sizeof(*v));
	if (!v)
		goto nomem;
	memset(&v[cnt], 0, sizeof(v[cnt]));
	snprintf(v[cnt].name, IFNAMSIZ, "all");
	v[cnt].exists = true;
	v[cnt++].group = true;
	if_freenameindex(ni);
	ni = NULL;
	fd = ctl_map(h, PFM_IFCTR);
	while (fd >= 0 && !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		bool known = false;

		first = false;
		k = next;
		for (size_t i = 0; i < cnt && !known; i++)
			known = v[i].ifindex == k;
		if (known)
			continue;
		v = realloc(v, (cnt + 1) * sizeof(*v));
		if (!v)
			goto nomem;
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].ifindex = k;
		snprintf(v[cnt].name, IFNAMSIZ, "#%u", k);
		v[cnt++].exists = false;
	}
	qsort(v, cnt, sizeof(*v), ifent_cmp);
	*out = v;
	*n = cnt;
	return 0;
nomem:
	if (ni)
		if_freenameindex(ni);
	return -ENOMEM;
}

static int io_check(struct pfbpf_handle *h, struct pfioc_iface *io, bool need_buf)
{
	if (need_buf && io->pfiio_esize != sizeof(struct pfi_if))
		return ctl_fail(h, -ENODEV, "element size %d, expected %zu", io->pfiio_esize,
				  sizeof(struct pfi_if));
	if (need_buf && (io->pfiio_size < 0 || (io->pfiio_size && !io->pfiio_buffer)))
		return ctl_fail(h, -EINVAL, "bad buffer");
	return 0;
}

static bool if_selected(const struct pfioc_iface *io, const struct ifent *e)
{
	if (io->pfiio_flags &&
	    !(io->pfiio_flags & (e->group ? PFI_FLAG_GROUP : PFI_FLAG_INSTANCE)))
		return false;
	return !io->pfiio_name[0] || !strncmp(io->pfiio_name, e->name, IFNAMSIZ);
}

static void if_fill(struct pfbpf_handle *h, const struct ifent *e, struct pfi_if *pi,
		    const struct pfbpf_rule *rules, __u32 nrules)
{
	size_t stride = ctl_pcpu_stride(sizeof(struct pf_if_counters));
	char *buf = calloc(h->ncpu, stride);
	struct pfbpf_xif xf = {};
	int fd;

	memset(pi, 0, sizeof(*pi));
	snprintf(pi->pfif_name, IFNAMSIZ, "%s", e->name);
	if (e->group) {
		/* pf counts packets on the interface, never on its groups. */
		free(buf);
		pi->pfif_flags = PFI_IFLAG_GROUP;
		return;
	}
	if (buf && !ctl_pcpu_read(h, PFM_IFCTR, &e->ifindex, buf, 0)) {
		for (int c = 0; c < h->ncpu; c++) {
			const struct pf_if_counters *ic = (const void *)(buf + c * stride);

			for (int a = 0; a < 2; a++)
				for (int d = 0; d < 2; d++)
					for (int v = 0; v < 2; v++) {
						pi->pfif_packets[a][d][v] += ic->packets[a][d][v];
						pi->pfif_bytes[a][d][v] += ic->bytes[a][d][v];
					}
			pi->pfif_states += ic->states;
		}
	}
	free(buf);
	fd = ctl_map(h, PFM_XIFFLAGS);
	if (fd >= 0)
		bpf_map_lookup_elem(fd, &e->ifindex, &xf);
	pi->pfif_tzero = xf.tzero;
	pi->pfif_flags = PFI_IFLAG_INSTANCE | (e->exists ? PFI_IFLAG_ATTACHED : 0) | xf.flags;
	for (__u32 i = 0; i < nrules; i++)
		pi->pfif_rules += !strncmp(rules[i].ifname, e->name, IFNAMSIZ);
}

int pfbpf_cmd_igetifaces(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_iface *io = arg;
	struct pfbpf_rule *rules = NULL;
	struct ifent *v;
	size_t n;
	__u32 nrules = 0;
	int err, cnt = 0;

	if ((err = io_check(h, io, true)) || (err = iface_list(h, &v, &n)))
		return err;
	for (size_t i = 0; i < n; i++)
		cnt += if_selected(io, &v[i]);
	if (cnt > io->pfiio_size) {
		/* Too small: report the size, store nothing. */
		io->pfiio_size = cnt;
		free(v);
		return 0;
	}
	ctl_xrules_load(h, XR_ACTIVE, "", &rules, &nrules);
	cnt = 0;
	for (size_t i = 0; i < n; i++)
		if (if_selected(io, &v[i]))
			if_fill(h, &v[i], (struct pfi_if *)io->pfiio_buffer + cnt++, rules, nrules);
	io->pfiio_size = cnt;
	free(rules);
	free(v);
	return 0;
}

int pfbpf_cmd_iclristats(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_iface *io = arg;
	struct ifent *v;
	size_t n;
	int err, fd = ctl_map(h, PFM_XIFFLAGS);

	if (fd < 0)
		return fd;
	if ((err = iface_list(h, &v, &n)))
		return err;
	io->pfiio_nzero = 0;
	for (size_t i = 0; i < n; i++) {
		struct pfbpf_xif xf = {};

		if (!if_selected(io, &v[i]) || v[i].group)
			continue;
		err = ctl_pcpu_zero(h, PFM_IFCTR, &v[i].ifindex, sizeof(struct pf_if_counters));
		if (err && err != -ENOENT)
			break;
		err = 0;
		bpf_map_lookup_elem(fd, &v[i].ifindex, &xf);
		xf.tzero = ctl_real_s();
		if (bpf_map_update_elem(fd, &v[i].ifindex, &xf, BPF_ANY)) {
			err = -errno;
			break;
		}
		io->pfiio_nzero++;
	}
	free(v);
	return err;
}

static int set_flags(struct pfbpf_handle *h, struct pfioc_iface *io, bool set)
{
	struct ifent *v;
	size_t n;
	int err, fd = ctl_map(h, PFM_XIFFLAGS);

	if (fd < 0)
		return fd;
	if (io->pfiio_flags & ~PFI_IFLAG_SETABLE_MASK)
		return ctl_fail(h, -EINVAL, "interface flags 0x%x not settable", io->pfiio_flags);
	if ((err = iface_list(h, &v, &n)))
		return err;
	for (size_t i = 0; i < n; i++) {
		struct pfbpf_xif xf = {};

		if (!v[i].exists || v[i].group || (io->pfiio_name[0] && strncmp(io->pfiio_name, v[i].name, IFNAMSIZ)))
			continue;
		bpf_map_lookup_elem(fd, &v[i].ifindex, &xf);
		if (set)
			xf.flags |= io->pfiio_flags;
		else
			xf.flags &= ~io->pfiio_flags;
		if (bpf_map_update_elem(fd, &v[i].ifindex, &xf, BPF_ANY)) {
			err = -errno;
			break;
		}
	}
	free(v);
	return err;
}

int pfbpf_cmd_setifflag(struct pfbpf_handle *h, void *arg)
{
	return set_flags(h, arg, true);
}

int pfbpf_cmd_clrifflag(struct pfbpf_handle *h, void *arg)
{
	return set_flags(h, arg, false);
}
