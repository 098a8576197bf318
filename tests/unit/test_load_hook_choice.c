// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_load_hook_choice.c - the ingress hook chosen from what an interface
 * is (lib/hook_choice.c): a table of drivers and rtnetlink kinds as the
 * kernel reports them, and the facts read from the kernel for lo.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>

#include "lib/hook_choice.h"

struct row {
	const char *driver, *kind;
	bool has_device, loopback;
	enum pfbpf_hook want;
};

/* driver (ethtool -i), kind (ip -d link), bus device behind it */
static const struct row rows[] = {
	/* physical NICs: native XDP, the stack still gets GRO'd packets */
	{ "ixgbe", "", true, false, PFBPF_HOOK_XDP },
	{ "i40e", "", true, false, PFBPF_HOOK_XDP },
	{ "ice", "", true, false, PFBPF_HOOK_XDP },
	{ "mlx5_core", "", true, false, PFBPF_HOOK_XDP },
	{ "mlx4_en", "", true, false, PFBPF_HOOK_XDP },
	{ "bnxt_en", "", true, false, PFBPF_HOOK_XDP },
	{ "igb", "", true, false, PFBPF_HOOK_XDP },
	{ "igc", "", true, false, PFBPF_HOOK_XDP },
	{ "ena", "", true, false, PFBPF_HOOK_XDP },
	{ "nfp", "", true, false, PFBPF_HOOK_XDP },
	/* a NIC without native XDP is chosen XDP too: the loader falls
	 * back to tc when the driver refuses */
	{ "e1000e", "", true, false, PFBPF_HOOK_XDP },
	/* software links, as a current kernel reports them */
	{ "veth", "veth", false, false, PFBPF_HOOK_TC },
	{ "bridge", "bridge", false, false, PFBPF_HOOK_TC },
	{ "tun", "tun", false, false, PFBPF_HOOK_TC },
	{ "vxlan", "vxlan", false, false, PFBPF_HOOK_TC },
	{ "geneve", "geneve", false, false, PFBPF_HOOK_TC },
	{ "wireguard", "wireguard", false, false, PFBPF_HOOK_TC },
	{ "macvlan", "macvlan", false, false, PFBPF_HOOK_TC },
	{ "ipvlan", "ipvlan", false, false, PFBPF_HOOK_TC },
	{ "", "dummy", false, false, PFBPF_HOOK_TC },
	{ "bonding", "bond", false, false, PFBPF_HOOK_TC },
	{ "802.1Q VLAN Support", "vlan", false, false, PFBPF_HOOK_TC },
	{ "ifb", "ifb", false, false, PFBPF_HOOK_TC },
	/* a macvlan on a physical NIC: its kind wins over the lower device */
	{ "macvlan", "macvlan", true, false, PFBPF_HOOK_TC },
	/* loopback: no driver info, no kind, no device */
	{ "", "", false, true, PFBPF_HOOK_TC },
	/* an older kernel without the kind: the driver name says virtual */
	{ "veth", "", false, false, PFBPF_HOOK_TC },
	{ "tun", "", false, false, PFBPF_HOOK_TC },
	{ "wireguard", "", false, false, PFBPF_HOOK_TC },
	/* a driver nobody knows, no device behind it: virtual */
	{ "somevirt", "", false, false, PFBPF_HOOK_TC },
	/* nothing known at all: tc, which costs nothing */
	{ "", "", false, false, PFBPF_HOOK_TC },
	/* paravirtual NIC: XDP turns the host's offloads off */
	{ "virtio_net", "", true, false, PFBPF_HOOK_TC },
};

Test(hook_choice, table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct pfbpf_if_facts f = {};
		const char *why = NULL;

		snprintf(f.driver, sizeof(f.driver), "%s", rows[i].driver);
		snprintf(f.kind, sizeof(f.kind), "%s", rows[i].kind);
		f.has_device = rows[i].has_device;
		f.loopback = rows[i].loopback;
		cr_expect_eq(pfbpf_hook_choose(&f, &why), rows[i].want,
			     "driver '%s' kind '%s' device %d: got %s", rows[i].driver, rows[i].kind,
			     rows[i].has_device, pfbpf_hook_name(pfbpf_hook_choose(&f, NULL)));
		cr_expect_not_null(why);
	}
}

Test(hook_choice, names)
{
	cr_assert_str_eq(pfbpf_hook_name(PFBPF_HOOK_XDP), "xdp native");
	cr_assert_str_eq(pfbpf_hook_name(PFBPF_HOOK_XDP_GENERIC), "xdp generic");
	cr_assert_str_eq(pfbpf_hook_name(PFBPF_HOOK_TC), "tc ingress");
	cr_assert_str_eq(pfbpf_hook_name(PFBPF_HOOK_AUTO), "none");
}

/* lo is in every network namespace: the kernel's own answer. */
Test(hook_choice, facts_of_lo)
{
	struct pfbpf_if_facts f;

	cr_assert_eq(pfbpf_if_facts_read("lo", &f), 0);
	cr_expect(f.loopback);
	cr_expect_str_empty(f.kind);
	cr_expect_not(f.has_device);
	cr_expect_eq(pfbpf_hook_choose(&f, NULL), PFBPF_HOOK_TC);
	cr_expect_eq(pfbpf_if_facts_read("nosuchif0", &f), -ENODEV);
}
