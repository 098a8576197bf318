// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_nat_print.c - translation rules in the listing, as pfctl writes
 * them (pfctl_parser.c print_rule's action words and print_pool): the pool
 * after `->` for nat/rdr/binat, after nat-to/rdr-to/binat-to for pass and
 * match rules; a list as `{ a, b }`; the nat port range only when it is
 * not pfctl's default 50001:65535; `static-port` for the range 0:0.
 */
#include <netinet/in.h>
#include <stdio.h>
#include "conf_private.h"
#include "pfbpf_nat.h"

const char *conf_xlate_action_name(const struct pfbpf_rule *r)
{
	switch (r->action) {
	case PF_NAT: return "nat";
	case PF_NONAT: return "no nat";
	case PF_BINAT: return "binat";
	case PF_NOBINAT: return "no binat";
	case PF_RDR: return "rdr";
	case PF_NORDR: return "no rdr";
	case PF_MATCH: return "match";
	}
	return NULL;
}

static void print_pool_addrs(FILE *f, const struct pfbpf_rule *r,
			     const struct pfbpf_pool_addr *pool)
{
	__u32 n = r->rpool.naddrs;
	char buf[INET6_ADDRSTRLEN + PF_TABLE_NAME_SIZE + 16];

	if (!pool || !n) {
		/* a rule read back without its pool (DIOCGETADDRS not asked) */
		fputs("?", f);
		return;
	}
	if (n > 1)
		fputs("{ ", f);
	for (__u32 i = 0; i < n; i++) {
		conf_format_addr(buf, sizeof(buf), &pool[i].addr);
		fputs(buf, f);
		if (i + 1 < n)
			fputs(", ", f);
		else if (n > 1)
			fputs(" }", f);
	}
}

void conf_print_xlate(FILE *f, const struct pfbpf_rule *r, const struct pfbpf_pool_addr *pool)
{
	__u16 p1 = r->rpool.proxy_port[0], p2 = r->rpool.proxy_port[1];
	int id;

	if (r->action == PF_NAT || r->action == PF_RDR || r->action == PF_BINAT) {
		id = r->action;
		fputs(" -> ", f);
	} else if (r->xlate == PF_NAT || r->xlate == PF_RDR || r->xlate == PF_BINAT) {
		id = r->xlate;
		fputs(id == PF_NAT ? " nat-to " : id == PF_RDR ? " rdr-to " : " binat-to ", f);
	} else {
		return;
	}
	print_pool_addrs(f, r, pool);
	if (id == PF_NAT && (p1 != PF_NAT_PROXY_PORT_LOW || p2 != PF_NAT_PROXY_PORT_HIGH) &&
	    (p1 || p2)) {
		if (p1 == p2)
			fprintf(f, " port %u", p1);
		else
			fprintf(f, " port %u:%u", p1, p2);
	} else if (id == PF_RDR && p1) {
		fprintf(f, " port %u", p1);
		if (p2 && p2 != p1)
			fprintf(f, ":%u", p2);
	}
	switch (r->rpool.opts & PF_POOL_TYPEMASK) {
	case PF_POOL_BITMASK:
		fputs(" bitmask", f);
		break;
	case PF_POOL_RANDOM:
		fputs(" random", f);
		break;
	case PF_POOL_SRCHASH:
		/* no key written: the loader draws one, so none is printed */
		fputs(" source-hash", f);
		if (r->rpool.key_set)
			fprintf(f, " 0x%08x%08x%08x%08x", r->rpool.key[0], r->rpool.key[1],
				r->rpool.key[2], r->rpool.key[3]);
		break;
	case PF_POOL_ROUNDROBIN:
		fputs(" round-robin", f);
		break;
	}
	if (r->rpool.opts & PF_POOL_STICKYADDR)
		fputs(" sticky-address", f);
	if (id == PF_NAT && !p1 && !p2)
		fputs(" static-port", f);
}
