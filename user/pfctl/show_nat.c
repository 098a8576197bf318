// SPDX-License-Identifier: BSD-2-Clause
/*
 * show_nat.c - pfctl -sn: the loaded nat, rdr and binat rules with their
 * pools, in the text of FreeBSD pfctl's print_rule / print_pool (the
 * direction the parser records is implied by the ruleset and not printed;
 * the default nat port range 50001:65535 is not printed, static-port is).
 * OpenBSD's nat-to/rdr-to on pass and match rules belong to -sr.
 */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "pfctl.h"

static const char *nat_action(__u8 action)
{
	static const char *const names[] = {
		[PF_NAT] = "nat", [PF_NONAT] = "no nat", [PF_BINAT] = "binat",
		[PF_NOBINAT] = "no binat", [PF_RDR] = "rdr", [PF_NORDR] = "no rdr",
	};

	return action <= PF_NORDR && names[action] ? names[action] : "?";
}

/* An address as pfctl's print_addr writes it. */
static void addr_text(FILE *f, const struct pfbpf_addr_spec *a)
{
	static const struct { __u8 bit; const char *s; } mods[] = {
		{ PFI_AFLAG_NETWORK, ":network" }, { PFI_AFLAG_BROADCAST, ":broadcast" },
		{ PFI_AFLAG_PEER, ":peer" }, { PFI_AFLAG_NOALIAS, ":0" },
	};
	char buf[64];

	switch (a->type) {
	case PFBPF_ADDR_MASK:
		pfctl_addr_str(&a->addr, a->af, buf, sizeof(buf));
		fputs(buf, f);
		if (a->prefixlen != (a->af == PF_INET6 ? 128 : 32))
			fprintf(f, "/%u", a->prefixlen);
		break;
	case PFBPF_ADDR_TABLE:
		fprintf(f, "<%.*s>", PF_TABLE_NAME_SIZE, a->table);
		break;
	case PFBPF_ADDR_DYNIF:
		fprintf(f, "(%.*s", IF_NAMESIZE, a->table);
		for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
			if (a->iflags & mods[i].bit)
				fputs(mods[i].s, f);
		fputc(')', f);
		break;
	default:
		fputs("any", f);
	}
}

/* " port <op> a [b]": operators by their PF_OP_* number; pfctl names the
 * port (getservbyport) for = and != unless -n. */
static void port_text(FILE *f, const struct pfbpf_port_spec *p, __u8 proto, int opts)
{
	static const char *const fmt[] = {
		[PF_OP_IRG] = " %s >< %s", [PF_OP_EQ] = " = %s", [PF_OP_NE] = " != %s",
		[PF_OP_LT] = " < %s", [PF_OP_LE] = " <= %s", [PF_OP_GT] = " > %s",
		[PF_OP_GE] = " >= %s", [PF_OP_XRG] = " %s <> %s", [PF_OP_RRG] = " %s:%s",
	};
	char a[16], b[16];

	if (p->op == PF_OP_NONE || p->op > PF_OP_RRG)
		return;
	snprintf(a, sizeof(a), "%u", p->port[0]);
	snprintf(b, sizeof(b), "%u", p->port[1]);
	if (!(opts & PFCTL_OPT_NUMERIC) && (p->op == PF_OP_EQ || p->op == PF_OP_NE)) {
		struct servent *s = getservbyport(htons(p->port[0]),
						  proto == IPPROTO_TCP ? "tcp" : "udp");

		if (s)
			snprintf(a, sizeof(a), "%s", s->s_name);
	}
	fputs(" port", f);
	fprintf(f, fmt[p->op], a, b);
}

static bool side_any(const struct pfbpf_addr_spec *a, const struct pfbpf_port_spec *p)
{
	return a->type == PFBPF_ADDR_ANY && !a->neg && !p->op;
}

static void pool_text(FILE *f, const struct pfctl_nat_rule *nr)
{
	const struct pfbpf_rule *r = &nr->rule.r;
	__u16 p1 = r->rpool.proxy_port[0], p2 = r->rpool.proxy_port[1];
	static const char *const types[] = {
		[PF_POOL_BITMASK] = " bitmask", [PF_POOL_RANDOM] = " random",
		[PF_POOL_ROUNDROBIN] = " round-robin",
	};
	__u8 type = r->rpool.opts & PF_POOL_TYPEMASK;

	if (nr->npool > 1)
		fputs("{ ", f);
	for (size_t i = 0; i < nr->npool; i++) {
		addr_text(f, &nr->pool[i].addr);
		if (i + 1 < nr->npool)
			fputs(", ", f);
	}
	if (nr->npool > 1)
		fputs(" }", f);
	if (r->action == PF_NAT && (p1 || p2) &&
	    (p1 != PF_NAT_PROXY_PORT_LOW || p2 != PF_NAT_PROXY_PORT_HIGH)) {
		if (p1 == p2)
			fprintf(f, " port %u", p1);
		else
			fprintf(f, " port %u:%u", p1, p2);
	} else if (r->action == PF_RDR && p1) {
		fprintf(f, " port %u", p1);
		if (p2 && p2 != p1)
			fprintf(f, ":%u", p2);
	}
	if (type == PF_POOL_SRCHASH)
		fprintf(f, " source-hash 0x%08x%08x%08x%08x", r->rpool.key[0], r->rpool.key[1],
			r->rpool.key[2], r->rpool.key[3]);
	else if (type < sizeof(types) / sizeof(types[0]) && types[type])
		fputs(types[type], f);
	if (r->rpool.opts & PF_POOL_STICKYADDR)
		fputs(" sticky-address", f);
	if (r->action == PF_NAT && !p1 && !p2)
		fputs(" static-port", f);
}

void pfctl_print_nat_rule(FILE *f, const struct pfctl_nat_rule *nr, int opts)
{
	const struct pfbpf_rule *r = &nr->rule.r;

	if (opts & PFCTL_OPT_VERBOSE2)
		fprintf(f, "@%u ", r->nr);
	fputs(nat_action(r->action), f);
	if (r->natpass)
		fputs(" pass", f);
	if (r->log)
		fputs(" log", f);
	if (r->ifname[0])
		fprintf(f, " on %s%.*s", r->ifnot ? "! " : "", (int)sizeof(r->ifname), r->ifname);
	if (r->af)
		fputs(r->af == PF_INET6 ? " inet6" : " inet", f);
	if (r->proto) {
		const char *p = pfctl_proto_name(r->proto);

		if (p)
			fprintf(f, " proto %s", p);
		else
			fprintf(f, " proto %u", r->proto);
	}
	if (side_any(&r->src, &r->sport) && side_any(&r->dst, &r->dport)) {
		fputs(" all", f);
	} else {
		fputs(r->src.neg ? " from ! " : " from ", f);
		addr_text(f, &r->src);
		port_text(f, &r->sport, r->proto, opts);
		fputs(r->dst.neg ? " to ! " : " to ", f);
		addr_text(f, &r->dst);
		port_text(f, &r->dport, r->proto, opts);
	}
	if (r->label[0])
		fprintf(f, " label \"%.*s\"", (int)sizeof(r->label), r->label);
	if (r->action == PF_NAT || r->action == PF_RDR || r->action == PF_BINAT) {
		fputs(" -> ", f);
		pool_text(f, nr);
	}
}

/* pfctl_show_nat's order: the nat ruleset, then rdr, then binat. */
static int kind_of(__u8 action)
{
	return action == PF_NAT || action == PF_NONAT ? 0 :
	       action == PF_RDR || action == PF_NORDR ? 1 : 2;
}

void pfctl_show_nat(FILE *f, const struct pfctl_nat_rule *r, size_t n, int opts)
{
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < n; i++) {
			if (kind_of(r[i].rule.r.action) != k)
				continue;
			pfctl_print_nat_rule(f, &r[i], opts);
			fputc('\n', f);
			pfctl_print_rule_counters(f, &r[i].rule, opts);
		}
}

void pfctl_json_nat(struct jw *w, const struct pfctl_nat_rule *r, size_t n)
{
	jw_arr_begin(w, "nat_rules");
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < n; i++) {
			const struct pfctl_rule *pr = &r[i].rule;
			char *text = NULL;
			size_t len = 0;
			FILE *m;

			if (kind_of(pr->r.action) != k)
				continue;
			jw_obj_begin(w, NULL);
			jw_u64(w, "nr", pr->r.nr);
			jw_str(w, "action", nat_action(pr->r.action));
			if ((m = open_memstream(&text, &len))) {
				pfctl_print_nat_rule(m, &r[i], PFCTL_OPT_NUMERIC);
				fclose(m);
				jw_str(w, "rule", text);
				free(text);
			}
			jw_arr_begin(w, "pool");
			for (size_t j = 0; j < r[i].npool; j++) {
				text = NULL;
				len = 0;
				if (!(m = open_memstream(&text, &len)))
					continue;
				addr_text(m, &r[i].pool[j].addr);
				fclose(m);
				jw_str(w, NULL, text);
				free(text);
			}
			jw_arr_end(w);
			jw_u64(w, "evaluations", pr->evaluations);
			jw_u64(w, "packets", pr->packets[0] + pr->packets[1]);
			jw_u64(w, "bytes", pr->bytes[0] + pr->bytes[1]);
			jw_u64(w, "states", pr->states_cur);
			jw_obj_end(w);
		}
	jw_arr_end(w);
}
