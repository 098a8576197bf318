// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_ctl.c - switch the forwarding fast path (bpf/pf_fwd.h) on or off for
 * an interface (on unless switched off), and read what it did.  The datapath reads pf_fwd by the
 * ingress ifindex on every packet of an established state, so a change
 * takes effect at the next packet.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lib/fwd_ctl.h"

int pfbpf_forward_set(struct pfbpf_maps *m, unsigned int ifindex, bool on)
{
	struct pf_fwd_if v = { .flags = on ? PF_FWD_ON : 0 };
	__u32 k = ifindex;
	int fd = pfbpf_map_fd(m, PFBPF_MAP_FWD);

	if (fd < 0)
		return fd;
	/* on is the default: no entry */
	if (!on)
		return bpf_map_update_elem(fd, &k, &v, BPF_ANY) ? -errno : 0;
	if (bpf_map_delete_elem(fd, &k) && errno != ENOENT)
		return -errno;
	return 0;
}

int pfbpf_forward_get(struct pfbpf_maps *m, unsigned int ifindex, bool *on)
{
	struct pf_fwd_if v;
	__u32 k = ifindex;
	int fd = pfbpf_map_fd(m, PFBPF_MAP_FWD);

	*on = true;
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &k, &v))
		return errno == ENOENT ? 0 : -errno;
	*on = !!(v.flags & PF_FWD_ON);
	return 0;
}

int pfbpf_forward_stats(struct pfbpf_maps *m, struct pf_fwd_stats *sum)
{
	struct pf_fwd_stats v[m->ncpus > 0 ? m->ncpus : 1];
	int fd = pfbpf_map_fd(m, PFBPF_MAP_FWDSTAT);
	__u32 z = 0;

	memset(sum, 0, sizeof(*sum));
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &z, v))
		return -errno;
	for (int i = 0; i < m->ncpus; i++) {
		sum->forwarded += v[i].forwarded;
		sum->to_stack += v[i].to_stack;
	}
	return 0;
}
