// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_print.c - rules, tables and options printed the way pfctl prints
 * them (pfctl_parser.c's print_rule, print_fromto, print_port, print_flags,
 * print_tabledef, and the `set ...` lines of pfctl -nv), so that output can
 * be compared with pf's and fed back to the parser.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "conf_private.h"
#include "pfbpf_nat.h"

void conf_format_host(char *buf, size_t len, __u8 af, const struct pf_addr *addr,
		      __u8 prefixlen)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	int bits = af == PF_INET6 ? 128 : 32;

	inet_ntop(af == PF_INET6 ? AF_INET6 : AF_INET, addr, ip, sizeof(ip));
	if (prefixlen != bits)
		snprintf(buf, len, "%s/%u", ip, prefixlen);
	else
		snprintf(buf, len, "%s", ip);
}

void conf_format_addr(char *buf, size_t len, const struct pfbpf_addr_spec *a)
{
	switch (a->type) {
	case PFBPF_ADDR_TABLE:
		snprintf(buf, len, "<%s>", a->table);
		break;
	case PFBPF_ADDR_MASK:
		conf_format_host(buf, len, a->af, &a->addr, a->prefixlen);
		break;
	case PFBPF_ADDR_DYNIF:
		/* pfctl's print_addr: (name[:network|:broadcast|:peer][:0]) */
		snprintf(buf, len, "(%s%s%s%s%s)", a->table,
			 a->iflags & PFI_AFLAG_NETWORK ? ":network" : "",
			 a->iflags & PFI_AFLAG_BROADCAST ? ":broadcast" : "",
			 a->iflags & PFI_AFLAG_PEER ? ":peer" : "",
			 a->iflags & PFI_AFLAG_NOALIAS ? ":0" : "");
		break;
	default:
		snprintf(buf, len, "any");
	}
}

int pfbpf_addr_print(FILE *f, const struct pfbpf_addr_spec *a)
{
	char buf[INET6_ADDRSTRLEN + PF_TABLE_NAME_SIZE + 8];

	conf_format_addr(buf, sizeof(buf), a);
	return fputs(buf, f) < 0 ? -1 : 0;
}

static void print_port(FILE *f, const struct pfbpf_port_spec *ps, int proto, int numeric)
{
	char a1[16], a2[16];
	const char *name = numeric ? NULL : pfbpf_conf_service_name(ps->port[0], proto);

	snprintf(a1, sizeof(a1), "%u", ps->port[0]);
	snprintf(a2, sizeof(a2), "%u", ps->port[1]);
	/* pfctl names the port only for = and != */
	if (name && (ps->op == PF_OP_EQ || ps->op == PF_OP_NE))
		snprintf(a1, sizeof(a1), "%s", name);
	fputs(" port", f);
	switch (ps->op) {
	case PF_OP_IRG: fprintf(f, " %s >< %s", a1, a2); break;
	case PF_OP_XRG: fprintf(f, " %s <> %s", a1, a2); break;
	case PF_OP_EQ: fprintf(f, " = %s", a1); break;
	case PF_OP_NE: fprintf(f, " != %s", a1); break;
	case PF_OP_LT: fprintf(f, " < %s", a1); break;
	case PF_OP_LE: fprintf(f, " <= %s", a1); break;
	case PF_OP_GT: fprintf(f, " > %s", a1); break;
	case PF_OP_GE: fprintf(f, " >= %s", a1); break;
	case PF_OP_RRG: fprintf(f, " %s:%s", a1, a2); break;
	}
}

static void print_flags(FILE *f, __u8 flags)
{
	static const char letters[] = "FSRPAUEW";

	for (int i = 0; i < 8; i++)
		if (flags & (1 << i))
			fputc(letters[i], f);
}

static void print_icmp_code(FILE *f, int type, int code, int v6)
{
	const char *n = conf_icmp_code_name(type, code, v6);

	if (n)
		fputs(n, f);
	else
		fprintf(f, "%u", code);
}

static void print_return_icmp(FILE *f, const struct pfbpf_rule *r)
{
	int c4 = CONF_ICMP4_PORT_UNR, c6 = CONF_ICMP6_PORT_UNR;

	if (r->return_icmp_type == CONF_ICMP6_UNREACH)
		c6 = r->return_icmp_code;
	else
		c4 = r->return_icmp_code;
	if (r->af == PF_INET) {
		fputs(" return-icmp(", f);
		print_icmp_code(f, CONF_ICMP4_UNREACH, c4, 0);
	} else if (r->af == PF_INET6) {
		fputs(" return-icmp6(", f);
		print_icmp_code(f, CONF_ICMP6_UNREACH, c6, 1);
	} else {
		fputs(" return-icmp(", f);
		print_icmp_code(f, CONF_ICMP4_UNREACH, c4, 0);
		fputs(", ", f);
		print_icmp_code(f, CONF_ICMP6_UNREACH, c6, 1);
	}
	fputc(')', f);
}

static int is_any(const struct pfbpf_addr_spec *a)
{
	return a->type == PFBPF_ADDR_ANY && !a->neg;
}

void conf_print_rule(FILE *f, const struct pfbpf_rule *r, const char *anchor_call,
		     const struct pfbpf_pool_addr *pool, int verbose)
{
	int numeric = verbose & PFBPF_PRINT_NUMERIC;
	int ropts = 0;
	const char *xname = anchor_call ? NULL : conf_xlate_action_name(r);
	/* nat, rdr, binat and their no forms: pfctl prints no direction and
	 * no state for them (ours carry both for the datapath) */
	int natrule = xname && r->action != PF_MATCH;

	if (PFBPF_PRINT_VLEVEL(verbose) >= 2)
		fprintf(f, "@%u ", r->nr);
	if (anchor_call) {
		if (anchor_call[0] == '_')
			fputs("anchor", f);
		else
			fprintf(f, "anchor \"%s\"", anchor_call);
	} else if (xname) {
		fputs(xname, f);
		if (r->natpass)
			fputs(" pass", f);
	} else {
		fputs(r->action == PF_PASS ? "pass" : "block", f);
	}
	if (!anchor_call && r->action == PF_DROP) {
		if (r->rule_flag & PFRULE_RETURN)
			fputs(" return", f);
		else if (r->rule_flag & PFRULE_RETURNRST)
			fputs(" return-rst", f);
		else if (r->rule_flag & PFRULE_RETURNICMP)
			print_return_icmp(f, r);
		else
			fputs(" drop", f);
	}
	if (r->direction == PF_IN && !natrule)
		fputs(" in", f);
	else if (r->direction == PF_OUT && !natrule)
		fputs(" out", f);
	if (r->log)
		fputs(" log", f);
	if (r->quick)
		fputs(" quick", f);
	if (r->ifname[0])
		fprintf(f, " on %s%s", r->ifnot ? "! " : "", r->ifname);
	if (r->af == PF_INET)
		fputs(" inet", f);
	else if (r->af == PF_INET6)
		fputs(" inet6", f);
	if (r->proto) {
		const char *n = pfbpf_conf_proto_name(r->proto);

		if (n)
			fprintf(f, " proto %s", n);
		else
			fprintf(f, " proto %u", r->proto);
	}
	if (is_any(&r->src) && is_any(&r->dst) && !r->sport.op && !r->dport.op) {
		fputs(" all", f);
	} else {
		fputs(" from ", f);
		if (r->src.neg)
			fputs("! ", f);
		pfbpf_addr_print(f, &r->src);
		if (r->sport.op)
			print_port(f, &r->sport, r->proto, numeric);
		fputs(" to ", f);
		if (r->dst.neg)
			fputs("! ", f);
		pfbpf_addr_print(f, &r->dst);
		if (r->dport.op)
			print_port(f, &r->dport, r->proto, numeric);
	}
	if (r->flags || r->flagset) {
		fputs(" flags ", f);
		print_flags(f, r->flags);
		fputc('/', f);
		print_flags(f, r->flagset);
	} else if (r->action == PF_PASS && (!r->proto || r->proto == IPPROTO_TCP) &&
		   !anchor_call && r->keep_state) {
		fputs(" flags any", f);
	}
	if (r->icmp_type) {
		int v6 = r->af == PF_INET6;
		const char *n = conf_icmp_type_name(r->icmp_type - 1, v6);

		fputs(v6 ? " icmp6-type" : " icmp-type", f);
		if (n)
			fprintf(f, " %s", n);
		else
			fprintf(f, " %u", r->icmp_type - 1);
		if (r->icmp_code) {
			fputs(" code ", f);
			print_icmp_code(f, r->icmp_type - 1, r->icmp_code - 1, v6);
		}
	}
	if (!r->keep_state && r->action == PF_PASS && !anchor_call)
		fputs(" no state", f);
	else if (r->keep_state == PF_STATE_NORMAL && !natrule)
		fputs(" keep state", f);
	else if (r->keep_state == PF_STATE_MODULATE)
		fputs(" modulate state", f);
	else if (r->keep_state == PF_STATE_SYNPROXY)
		fputs(" synproxy state", f);
	if (r->max_states)
		ropts = 1;
	for (int i = 0; i < PFTM_MAX; i++)
		if (r->timeout[i])
			ropts = 1;
	if (ropts) {
		int first = 1;

		fputs(" (", f);
		if (r->max_states) {
			fprintf(f, "max %u", r->max_states);
			first = 0;
		}
		for (int i = 0; i < PFTM_MAX; i++) {
			const char *n;

			if (!r->timeout[i])
				continue;
			n = pfbpf_conf_timeout_name(i);
			fprintf(f, "%s%s %u", first ? "" : ", ", n ? n : "inv.timeout",
				r->timeout[i]);
			first = 0;
		}
		fputc(')', f);
	}
	/* pfctl's print_rule: allow-opts after the state options, before the label */
	if (r->allow_opts)
		fputs(" allow-opts", f);
	if (r->label[0])
		fprintf(f, " label \"%s\"", r->label);
	for (int l = 0; l < PF_RULE_MAX_LABEL_COUNT - 1; l++)
		if (r->label_more[l][0])
			fprintf(f, " label \"%.*s\"", PF_RULE_LABEL_SIZE, r->label_more[l]);
	/* OpenBSD's print_rule: nat-to / rdr-to last; nat's `->` too */
	if (!anchor_call)
		conf_print_xlate(f, r, pool);
}

int pfbpf_rule_print(FILE *f, const struct pfbpf_rule *r, int verbose)
{
	conf_print_rule(f, r, NULL, NULL, verbose);
	return fputc('\n', f) == EOF ? -1 : 0;
}

int pfbpf_rule_print_pool(FILE *f, const struct pfbpf_rule *r, const struct pfbpf_pool_addr *pool,
			  int verbose)
{
	conf_print_rule(f, r, NULL, pool, verbose);
	return fputc('\n', f) == EOF ? -1 : 0;
}

static const struct pfbpf_pool_addr *rule_pool(const struct pfbpf_conf *c, const struct pfbpf_rule *r)
{
	if (!r->rpool.naddrs || r->rpool.first + r->rpool.naddrs > c->npool_addrs)
		return NULL;
	return c->pool_addrs + r->rpool.first;
}

int pfbpf_anchor_rule_print(FILE *f, const struct pfbpf_rule *r, const char *call, int verbose)
{
	const char *base = strrchr(call, '/');

	/* Anonymous anchors print without their generated name ("_1"),
	 * wherever they sit. */
	conf_print_rule(f, r, base && base[1] == '_' ? base + 1 : call, NULL, verbose);
	return fputc('\n', f) == EOF ? -1 : 0;
}

static void print_table_addr(FILE *f, const struct pfbpf_table_addr *a)
{
	char buf[INET6_ADDRSTRLEN + 8];

	conf_format_host(buf, sizeof(buf), a->af, &a->addr, a->prefixlen);
	fprintf(f, " %s%s", a->neg ? "!" : "", buf);
}

int pfbpf_table_print(FILE *f, const struct pfbpf_conf_table *t)
{
	fprintf(f, "table <%s>", t->name);
	if (t->flags & PFBPF_TFLAG_CONST)
		fputs(" const", f);
	if (t->flags & PFBPF_TFLAG_PERSIST)
		fputs(" persist", f);
	if (t->flags & PFBPF_TFLAG_COUNTERS)
		fputs(" counters", f);
	for (size_t i = 0; i < t->nsrcs; i++) {
		const struct pfbpf_table_src *s = &t->srcs[i];

		if (s->file) {
			fprintf(f, " file \"%s\"", s->file);
			continue;
		}
		/* consecutive { } lists print as one, as pfctl merges them */
		fputs(" {", f);
		for (;;) {
			for (size_t k = 0; k < s->count; k++)
				print_table_addr(f, &t->addrs[s->first + k]);
			if (i + 1 < t->nsrcs && !t->srcs[i + 1].file)
				s = &t->srcs[++i];
			else
				break;
		}
		fputs(" }", f);
	}
	return fputc('\n', f) == EOF ? -1 : 0;
}

static void print_decl(FILE *f, const struct pfbpf_conf *c, const struct pfbpf_conf_decl *d)
{
	static const char *const debug[] = { "none", "urgent", "misc", "loud" };

	switch (d->kind) {
	case PFBPF_DECL_MACRO:
		fprintf(f, "%s = \"%s\"\n", c->macros[d->idx].name, c->macros[d->idx].value);
		break;
	case PFBPF_DECL_TIMEOUT:
		fprintf(f, "set timeout %s %u\n", pfbpf_conf_timeout_name((int)d->idx), d->value);
		break;
	case PFBPF_DECL_LIMIT:
		fprintf(f, "set limit %s %u\n", pfbpf_conf_limit_name((int)d->idx), d->value);
		break;
	case PFBPF_DECL_BLOCK_POLICY:
		fprintf(f, "set block-policy %s\n", d->value == PF_BLOCK_RETURN ? "return" : "drop");
		break;
	case PFBPF_DECL_STATE_POLICY:
		fprintf(f, "set state-policy %s\n",
			d->value == PF_STATE_IFBOUND ? "if-bound" : "floating");
		break;
	case PFBPF_DECL_DEBUG:
		fprintf(f, "set debug %s\n", d->value < 4 ? debug[d->value] : "?");
		break;
	case PFBPF_DECL_HOSTID:
		fprintf(f, "set hostid 0x%08x\n", d->value);
		break;
	case PFBPF_DECL_SKIP:
		fputs("set skip on {", f);
		for (__u32 i = 0; i < d->value; i++)
			fprintf(f, " %s", c->skip_log[d->idx + i]);
		fputs(" }\n", f);
		break;
	case PFBPF_DECL_TABLE:
		pfbpf_table_print(f, &c->tables[d->idx]);
		break;
	case PFBPF_DECL_SYNCOOKIES:
		/* idx: start << 16 | end */
		conf_print_syncookies(f, d->value, d->idx >> 16, d->idx & 0xffff);
		break;
	case PFBPF_DECL_PFBPF_IFS:
		fputs("set pfbpf interfaces {", f);
		for (__u32 i = 0; i < d->value; i++)
			fprintf(f, " %s", c->skip_log[d->idx + i]);
		fputs(" }\n", f);
		break;
	}
}

static void indent(FILE *f, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", f);
}

/*
 * Whether rule ri comes before anchor a of its ruleset.  Filter rules and
 * anchors share the numbering; nat, rdr and binat rules are numbered in
 * rulesets of their own (pf's), so they go by their line instead.
 */
static int rule_before_anchor(const struct pfbpf_conf *c, size_t ri,
			      const struct pfbpf_conf_anchor *a)
{
	const struct pfbpf_rule *r = &c->rules[ri];

	if (conf_xlate_action_name(r) && r->action != PF_MATCH)
		return c->rule_line[ri] <= a->line;
	return r->nr < a->nr;
}

/* One ruleset: its rules and anchor rules merged in rule-number order
 * (both arrays hold each ruleset's entries in increasing order). */
static void print_ruleset(FILE *f, const struct pfbpf_conf *c, const char *path, int depth,
			  int verbose)
{
	size_t ri = 0, ai = 0;

	for (;;) {
		while (ri < c->nrules && strcmp(c->rule_anchor[ri], path))
			ri++;
		while (ai < c->nanchors && strcmp(c->anchors[ai].parent, path))
			ai++;
		if (ri < c->nrules && (ai >= c->nanchors || rule_before_anchor(c, ri, &c->anchors[ai]))) {
			indent(f, depth);
			pfbpf_rule_print_pool(f, &c->rules[ri], rule_pool(c, &c->rules[ri]), verbose);
			ri++;
		} else if (ai < c->nanchors) {
			const struct pfbpf_conf_anchor *a = &c->anchors[ai++];
			struct pfbpf_rule r = a->filter;

			r.nr = a->nr;
			indent(f, depth);
			conf_print_rule(f, &r, a->name, NULL, verbose);
			if (a->has_body) {
				fputs(" {\n", f);
				print_ruleset(f, c, a->path, depth + 1, verbose);
				indent(f, depth);
				fputc('}', f);
			}
			fputc('\n', f);
		} else {
			break;
		}
	}
}

int pfbpf_conf_print(FILE *f, const struct pfbpf_conf *c, int verbose)
{
	for (size_t i = 0; i < c->ndecls; i++)
		print_decl(f, c, &c->decls[i]);
	print_ruleset(f, c, "", 0, verbose);
	return ferror(f) ? -1 : 0;
}
