// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_iface.c - DIOCIGETIFACES with the datapath's per-interface
 * counters, DIOCICLRISTATS, DIOCSETIFFLAG/DIOCCLRIFFLAG; source nodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"

TestSuite(iface, .init = env_setup_maps, .fini = env_teardown);

static int get(const char *name, struct pfi_if *out, int max)
{
	struct pfioc_iface io = { .pfiio_buffer = out, .pfiio_esize = sizeof(*out),
				  .pfiio_size = max };

	snprintf(io.pfiio_name, sizeof(io.pfiio_name), "%s", name);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCIGETIFACES, &io), 0, "%s", pfbpf_strerror(env_dev));
	return io.pfiio_size;
}

Test(iface, lists_interfaces_with_counters)
{
	struct pf_if_counters ic = {};
	struct pfi_if pi[64];
	__u32 lo = if_nametoindex("lo");
	int n;

	ic.packets[PF_AF_IDX_INET6][PF_DIR_IDX_IN][PF_VERDICT_IDX_DROP] = 12;
	ic.bytes[PF_AF_IDX_INET6][PF_DIR_IDX_IN][PF_VERDICT_IDX_DROP] = 1200;
	ic.states = 3;
	env_pcpu_put(PFBPF_MAP_IFCTR, &lo, &ic, sizeof(ic), 0);
	n = get("", pi, 0);
	cr_assert_geq(n, 1, "size query counts at least lo");
	cr_assert_eq(get("", pi, 64), n);
	cr_assert_eq(get("lo", pi, 64), 1);
	cr_assert_str_eq(pi[0].pfif_name, "lo");
	cr_assert_eq(pi[0].pfif_packets[1][0][1], 12);
	cr_assert_eq(pi[0].pfif_bytes[1][0][1], 1200);
	cr_assert_eq(pi[0].pfif_states, 3);
	cr_assert(pi[0].pfif_flags & PFI_IFLAG_ATTACHED);
	cr_assert_eq(get("nosuchif0", pi, 64), 0);
}

/* pfctl -sI: every interface of the system and pf's `all` group, in the
 * name order of pf's interface tree; -i all selects the group. */
Test(iface, lists_every_interface_and_the_all_group)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	struct pfi_if pi[64];
	struct pfioc_iface io = { .pfiio_buffer = pi, .pfiio_esize = sizeof(*pi),
				  .pfiio_size = 64 };
	int n = get("", pi, 64), nsys = 0, all = -1;

	cr_assert_not_null(ni);
	for (p = ni; p->if_index; p++) {
		bool seen = false;

		nsys++;
		for (int i = 0; i < n; i++)
			seen |= !strcmp(pi[i].pfif_name, p->if_name);
		cr_assert(seen, "%s missing from the listing", p->if_name);
	}
	if_freenameindex(ni);
	cr_assert_eq(n, nsys + 1, "every interface plus `all`");
	for (int i = 0; i < n; i++) {
		if (!strcmp(pi[i].pfif_name, "all"))
			all = i;
		if (i)
			cr_assert_lt(strcmp(pi[i - 1].pfif_name, pi[i].pfif_name), 0,
				     "%s before %s", pi[i - 1].pfif_name, pi[i].pfif_name);
	}
	cr_assert_geq(all, 0);
	cr_assert_eq(pi[all].pfif_flags, PFI_IFLAG_GROUP);
	cr_assert_eq(get("all", pi, 64), 1);
	io.pfiio_flags = PFI_FLAG_GROUP;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCIGETIFACES, &io), 0);
	cr_assert_eq(io.pfiio_size, 1);
	cr_assert_str_eq(pi[0].pfif_name, "all");
	io.pfiio_flags = PFI_FLAG_INSTANCE;
	io.pfiio_size = 64;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCIGETIFACES, &io), 0);
	cr_assert_eq(io.pfiio_size, nsys);
}

Test(iface, clristats_zeroes_and_stamps)
{
	struct pf_if_counters ic = { .states = 5 };
	struct pfioc_iface io = { .pfiio_name = "lo" };
	struct pfi_if pi;
	__u32 lo = if_nametoindex("lo");

	env_pcpu_put(PFBPF_MAP_IFCTR, &lo, &ic, sizeof(ic), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCICLRISTATS, &io), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(io.pfiio_nzero, 1);
	cr_assert_eq(get("lo", &pi, 1), 1);
	cr_assert_eq(pi.pfif_states, 0);
	cr_assert_gt(pi.pfif_tzero, 0);
}

Test(iface, skip_flag_set_and_cleared)
{
	struct pfioc_iface io = { .pfiio_name = "lo", .pfiio_flags = PFI_IFLAG_SKIP };
	struct pfi_if pi;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETIFFLAG, &io), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(get("lo", &pi, 1), 1);
	cr_assert(pi.pfif_flags & PFI_IFLAG_SKIP);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCLRIFFLAG, &io), 0);
	cr_assert_eq(get("lo", &pi, 1), 1);
	cr_assert_not(pi.pfif_flags & PFI_IFLAG_SKIP);
	io.pfiio_flags = PFI_IFLAG_ATTACHED;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETIFFLAG, &io), -1);
	cr_assert_eq(errno, EINVAL);
}

Test(iface, bad_element_size)
{
	struct pfi_if pi;
	struct pfioc_iface io = { .pfiio_buffer = &pi, .pfiio_esize = 8, .pfiio_size = 1 };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCIGETIFACES, &io), -1);
	cr_assert_eq(errno, ENODEV);
}

Test(iface, no_source_nodes)
{
	struct pfioc_src_nodes psn = { .psn_len = 0 };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSRCNODES, &psn), 0);
	cr_assert_eq(psn.psn_len, 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCLRSRCNODES, NULL), 0);
}
