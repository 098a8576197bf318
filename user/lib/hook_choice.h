/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hook_choice.h - which ingress hook the datapath goes on, per interface.
 *
 * Native XDP is the cheapest place to judge a packet on a physical NIC,
 * whose driver still hands the stack GRO'd packets after XDP_PASS.  On a
 * veth, a bridge, a tunnel or a paravirtual NIC it is the dearest: the
 * driver has to give up GSO/GRO (or the host's receive offloads) to run
 * XDP at all, and TCP over such a link loses three quarters of its
 * throughput (docs/PERFORMANCE.md).  There tc ingress sees the same
 * packets, already aggregated, at no such cost.  Egress is tc everywhere.
 *
 * The choice is made from what the interface is (its driver, its
 * rtnetlink kind, whether a bus device stands behind it), never by trying.
 */
#ifndef PFBPF_HOOK_CHOICE_H
#define PFBPF_HOOK_CHOICE_H

#include <stdbool.h>

enum pfbpf_hook {
	PFBPF_HOOK_AUTO = 0,    /* choose per interface; as a result: nothing attached */
	PFBPF_HOOK_XDP,         /* XDP, native mode */
	PFBPF_HOOK_XDP_GENERIC, /* XDP, generic (skb) mode */
	PFBPF_HOOK_TC,          /* tc clsact ingress */
};

/* What the choice looks at; "" where the kernel told nothing. */
struct pfbpf_if_facts {
	char driver[32];  /* ethtool ETHTOOL_GDRVINFO: "veth", "ixgbe", ... */
	char kind[32];    /* rtnetlink IFLA_INFO_KIND: set for software links */
	bool has_device;  /* a bus device (PCI, virtio, ...) stands behind it */
	bool loopback;    /* IFF_LOOPBACK */
};

/* Ask the kernel (this network namespace) about ifname.  -ENODEV if
 * there is no such interface; a fact the kernel does not give stays
 * empty (the choice then leans to tc, which costs nothing). */
int pfbpf_if_facts_read(const char *ifname, struct pfbpf_if_facts *f);

/* PFBPF_HOOK_XDP or PFBPF_HOOK_TC for an interface like f; *why (if not
 * NULL) gets a few words for the log ("virtual link (veth)"). */
enum pfbpf_hook pfbpf_hook_choose(const struct pfbpf_if_facts *f, const char **why);

/* "xdp native", "xdp generic", "tc ingress"; "none" for PFBPF_HOOK_AUTO. */
const char *pfbpf_hook_name(enum pfbpf_hook h);

#endif /* PFBPF_HOOK_CHOICE_H */
