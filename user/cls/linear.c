// SPDX-License-Identifier: BSD-2-Clause
/*
 * linear.c - pf's rule walk done the plain way, one rule after another
 * (what pf_test_rule does, without skip steps).  The reference the
 * classifier is checked against.
 */
#include <string.h>

#include "cls/cls_int.h"

static int addr_in(const struct cls_addr *a, __u8 af, const struct pf_addr *x,
		   int (*in_table)(unsigned, __u8, const struct pf_addr *, void *), void *arg)
{
	struct pf_addr t;
	int m;

	switch (a->type) {
	case PFBPF_ADDR_ANY:
		return 1;
	case PFBPF_ADDR_TABLE:
		m = in_table ? in_table(a->table, af, x, arg) : 0;
		return m != a->neg;
	default:
		if (a->af != af)
			return a->neg;
		t = *x;
		cls_prefix_trunc(&t, a->plen);
		m = !memcmp(&t, &a->addr, sizeof(t));
		return m != a->neg;
	}
}

static int port_in(const struct pfbpf_port_spec *p, int has_ports, __u16 port)
{
	__u32 lo[2], hi[2];
	int n, i;

	if (p->op == PF_OP_NONE)
		return 1;
	if (!has_ports)
		return 0;
	n = cls_port_intervals(p, lo, hi);
	for (i = 0; i < n; i++)
		if (port >= lo[i] && port <= hi[i])
			return 1;
	return 0;
}

static int rule_matches(const struct cls_rule *c, const struct pfbpf_cls_pkt *p,
			int (*in_table)(unsigned, __u8, const struct pf_addr *, void *), void *arg)
{
	if (c->dir != PF_INOUT && c->dir != p->dir)
		return 0;
	switch (c->ifkind) {
	case CLS_IF_NEVER:
		return 0;
	case CLS_IF_IS:
		if (p->ifindex != c->ifindex)
			return 0;
		break;
	case CLS_IF_NOT:
		if (p->ifindex == c->ifindex)
			return 0;
		break;
	}
	if (c->af && c->af != p->af)
		return 0;
	if (c->proto && c->proto != p->proto)
		return 0;
	if (!addr_in(&c->src, p->af, &p->src, in_table, arg) || !addr_in(&c->dst, p->af, &p->dst, in_table, arg))
		return 0;
	if (!port_in(&c->sport, p->has_ports, p->sport) || !port_in(&c->dport, p->has_ports, p->dport))
		return 0;
	if (p->proto == 6 && c->flagset && (p->tcp_flags & c->flagset) != c->flags)
		return 0;
	if (c->icmp_type) {
		if (p->proto != 1 && p->proto != 58)
			return 0;
		if (c->icmp_type != p->icmp_type + 1)
			return 0;
		if (c->icmp_code && c->icmp_code != p->icmp_code + 1)
			return 0;
	}
	return 1;
}

int pfbpf_cls_linear(const struct pfbpf_cls_image *img, const struct pfbpf_cls_pkt *p,
		     int (*in_table)(unsigned table, __u8 af, const struct pf_addr *a, void *arg),
		     void *arg, __u32 *stop)
{
	int last = -1;
	size_t i;

	if (stop)
		*stop = img->nrules;
	for (i = 0; i < img->nrules; i++) {
		if (!rule_matches(&img->cr[i], p, in_table, arg))
			continue;
		last = i;
		if (img->cr[i].quick) {
			if (stop)
				*stop = i;
			break;
		}
	}
	return last;
}
