// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_nat.c - pf's translation rules and their address pools.
 *
 * Both dialects:
 *  - FreeBSD's statements `[no] nat|rdr|binat [pass] [log] on IF ... ->
 *    POOL [port ...] [pool options]`: action PF_NAT ... PF_NORDR, numbered
 *    in their own rulesets (nat, rdr, binat) as pf does;
 *  - OpenBSD's options `nat-to`, `rdr-to`, `binat-to` on pass and match
 *    rules, which keep their action and set xlate; and `match` rules.
 * The checks and their messages are pfctl's (parse.y natrule, binatrule,
 * pool_opts and hashkey), so a file pfctl refuses is refused here too.
 * Pools are kept as written with the rule template and turned into
 * conf->pool_addrs per expanded rule (conf_nat_finish), once the rule's
 * address family is known: pfctl drops pool addresses of the other family,
 * and a pool left empty is an error at the pool.
 */
#include <stdio.h>
#include <string.h>
#include "conf_parse.h"
#include "pfbpf_nat.h"

int conf_nat_at_arrow(struct parser *p)
{
	return conf_is_kw(conf_peek(p, 0), "-") && conf_peek(p, 1)->type == T_GT;
}

static const char *const pool_kws[] = {
	"bitmask", "random", "source-hash", "round-robin", "static-port", "sticky-address",
};

/* Words that follow a pool in a pass/match rule: never a source-hash key. */
static const char *const after_pool_kws[] = {
	"label", "flags", "keep", "no", "allow-opts", "icmp-type", "icmp6-type", "nat-to",
	"rdr-to", "binat-to", "tag", "tagged", "rtable", "queue", "route-to", "reply-to",
	"dup-to", "set", "modulate", "synproxy", "max-mss", "scrub", "once", "prio",
};

static int in_list(const struct tok *t, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (conf_is_kw(t, l[i]))
			return 1;
	return 0;
}

/*
 * source-hash's key, as pfctl's hashkey: "0x" and 32 hex digits, or any
 * other string, whose MD5 digest is the key (pfctl stores the digest's
 * four words in network order, and prints them with %08x, so key[i] is
 * digest bytes 4i..4i+3 read big-endian).  No key: key_set stays 0 and the
 * loader draws a random one, as pfctl does with arc4random(); the listing
 * then prints no key, so it stays the same from run to run.
 */
static void parse_hash_key(struct parser *p, struct pool_tmpl *pl)
{
	struct tok *pk = conf_peek(p, 0), t;

	if (pk->type != T_WORD || in_list(pk, pool_kws, ARRAY_SIZE(pool_kws)) ||
	    (!pk->quoted && in_list(pk, after_pool_kws, ARRAY_SIZE(after_pool_kws))))
		return;
	conf_next(p, &t);
	pl->key_set = 1;
	if (!strncmp(t.s, "0x", 2)) {
		if (strlen(t.s) != 34)
			conf_fail(p, &t, "hex key must be 128 bits (32 hex digits) long");
		for (int i = 0; i < 4; i++) {
			char word[11] = "0x";
			unsigned long long w;

			memcpy(word + 2, t.s + 2 + 8 * i, 8);
			if (conf_parse_number(word, 0xffffffffULL, &w, 1))
				conf_fail(p, &t, "invalid hex key");
			pl->key[i] = (__u32)w;
		}
	} else {
		unsigned char d[16];

		conf_md5(t.s, strlen(t.s), d);
		for (int i = 0; i < 4; i++)
			pl->key[i] = (__u32)d[4 * i] << 24 | (__u32)d[4 * i + 1] << 16 |
				     (__u32)d[4 * i + 2] << 8 | d[4 * i + 3];
	}
}

/* `port a`, `port a:b`, `port a:*` after a pool. */
static void parse_pool_port(struct parser *p, struct pool_tmpl *pl)
{
	struct tok t;
	char a[sizeof(t.s)], *colon;

	conf_expect_word(p, &t);
	pl->port_given = 1;
	pl->port_line = t.line;
	pl->port_col = t.col;
	snprintf(a, sizeof(a), "%s", t.s);
	colon = strchr(a, ':');
	if (colon)
		*colon = '\0';
	pl->port[0] = conf_port_value(p, &t, a);
	if (!colon)
		return;
	if (!strcmp(colon + 1, "*")) {
		pl->port_star = 1;
		return;
	}
	pl->port[1] = conf_port_value(p, &t, colon + 1);
	if (pl->port[1] < pl->port[0])
		conf_fail(p, &t, "bad port range %s: the first port is higher", t.s);
}

static void set_pool_type(struct parser *p, struct pool_tmpl *pl, const struct tok *t, int type)
{
	if (pl->type)
		conf_fail(p, t, "pool type cannot be redefined");
	pl->type = type;
	pl->opt_line = t->line;
	pl->opt_col = t->col;
}

/* POOL [port ...] [pool options], the pool of a rule translating as xlate. */
static void parse_pool(struct parser *p, struct rule_tmpl *rt, int xlate, const struct tok *kw)
{
	struct pool_tmpl *pl = &rt->pool;
	struct tok *pk = conf_peek(p, 0);

	if (pl->xlate)
		conf_fail(p, kw, "%s: a rule has one translation (nat-to with rdr-to is not supported yet)",
			  kw->s);
	pl->xlate = xlate;
	pl->line = pk->line;
	pl->col = pk->col;
	if (conf_at_end(p))
		conf_syntax_error(p, pk);
	if (pk->type == T_LBRACE) {
		struct tok open = *pk;

		conf_parse_hosts(p, &pl->addrs, 1);
		if (!pl->addrs.n)
			conf_fail(p, &open, "the translation pool is empty");
	} else {
		conf_parse_hosts(p, &pl->addrs, 0);
	}
	if (conf_accept_kw(p, "port"))
		parse_pool_port(p, pl);
	for (;;) {
		struct tok t, *n = conf_peek(p, 0);

		if (!in_list(n, pool_kws, ARRAY_SIZE(pool_kws)))
			break;
		conf_next(p, &t);
		if (conf_is_kw(&t, "bitmask")) {
			set_pool_type(p, pl, &t, PF_POOL_BITMASK);
		} else if (conf_is_kw(&t, "random")) {
			set_pool_type(p, pl, &t, PF_POOL_RANDOM);
		} else if (conf_is_kw(&t, "round-robin")) {
			set_pool_type(p, pl, &t, PF_POOL_ROUNDROBIN);
		} else if (conf_is_kw(&t, "source-hash")) {
			set_pool_type(p, pl, &t, PF_POOL_SRCHASH);
			parse_hash_key(p, pl);
		} else if (conf_is_kw(&t, "static-port")) {
			if (pl->static_port)
				conf_fail(p, &t, "static-port cannot be redefined");
			if (xlate != PF_NAT)
				conf_fail(p, &t, "the 'static-port' option is only valid with nat rules");
			pl->static_port = 1;
			if (!pl->type) {
				pl->opt_line = t.line;
				pl->opt_col = t.col;
			}
		} else {
			if (pl->sticky)
				conf_fail(p, &t, "sticky-address cannot be redefined");
			pl->sticky = 1;
		}
	}
	if (pl->port_given && xlate == PF_BINAT)
		conf_fail_at(p, pl->port_line, pl->port_col, "port",
			     "binat rules translate addresses only: no port");
}

int conf_nat_option(struct parser *p, struct rule_tmpl *rt, const struct tok *kw)
{
	int xlate;

	if (conf_is_kw(kw, "nat-to"))
		xlate = PF_NAT;
	else if (conf_is_kw(kw, "rdr-to"))
		xlate = PF_RDR;
	else if (conf_is_kw(kw, "binat-to"))
		xlate = PF_BINAT;
	else
		return 0;
	if (rt->r.action != PF_PASS && rt->r.action != PF_MATCH)
		conf_fail(p, kw, "%s is only valid on pass and match rules", kw->s);
	/* OpenBSD's filter_consistent: nat-to rewrites the source of
	 * outgoing packets, rdr-to the destination of incoming ones, and
	 * binat-to is both (pfctl makes it an out and an in rule) */
	if (xlate == PF_NAT && rt->r.direction != PF_OUT)
		conf_fail(p, kw, "nat-to can only be used outbound");
	if (xlate == PF_RDR && rt->r.direction != PF_IN)
		conf_fail(p, kw, "rdr-to can only be used inbound");
	if (xlate == PF_BINAT && rt->r.direction != PF_INOUT)
		conf_fail(p, kw, "binat-to cannot be specified with a direction");
	parse_pool(p, rt, xlate, kw);
	return 1;
}

void conf_nat_arrow(struct parser *p, struct rule_tmpl *rt)
{
	struct tok arrow;
	int xlate;

	conf_next(p, &arrow);
	conf_next(p, NULL); /* > */
	if (rt->natrule == PF_NONAT || rt->natrule == PF_NORDR)
		conf_fail(p, &arrow, "translation rule with 'no' does not need '->'");
	if (rt->natrule == PF_NOBINAT)
		conf_fail(p, &arrow, "'no binat' rule does not need '->'");
	if (rt->pool.xlate)
		conf_syntax_error(p, &arrow);
	xlate = rt->natrule;
	strcpy(arrow.s, "->");
	parse_pool(p, rt, xlate, &arrow);
}

const char *conf_nat_counter(int action, const char *path, char *buf, size_t len)
{
	const char *kind;

	/* pf keeps nat, rdr and binat rules in rulesets of their own, each
	 * numbered from 0 (pfctl -vv shows those numbers) */
	switch (action) {
	case PF_NAT: case PF_NONAT: kind = "nat"; break;
	case PF_RDR: case PF_NORDR: kind = "rdr"; break;
	case PF_BINAT: case PF_NOBINAT: kind = "binat"; break;
	default: return path;
	}
	snprintf(buf, len, "%s\n%s", kind, path);
	return buf;
}

static const struct hostitem *host_at(const struct vec *v, size_t i)
{
	return &((const struct hostitem *)v->v)[i];
}

/* pfctl's natrule: a rule without `inet`/`inet6` takes the family of its
 * first source address, else its first destination, else the pool's, so
 * that the combinations of another family are dropped, not errors. */
static void guess_af(struct rule_tmpl *rt)
{
	const struct vec *vs[] = { &rt->src, &rt->dst, &rt->pool.addrs };

	if (rt->r.af)
		return;
	/* pfctl looks at the first host of each only */
	for (size_t k = 0; k < ARRAY_SIZE(vs); k++) {
		if (vs[k]->n && host_at(vs[k], 0)->a.type == PFBPF_ADDR_MASK) {
			rt->r.af = host_at(vs[k], 0)->a.af;
			return;
		}
	}
}

/* OpenBSD's expand_rule checks of binat-to, per expanded rule. */
static void check_binat_to(struct parser *p, const struct rule_tmpl *t, const struct pfbpf_rule *r,
			   const struct pfbpf_addr_spec *to)
{
	int line = t->src.n ? host_at(&t->src, 0)->line : t->line;
	int col = t->src.n ? host_at(&t->src, 0)->col : t->col;

	if (r->src.type == PFBPF_ADDR_TABLE)
		conf_fail_at(p, line, col, "",
			     "invalid use of table <%s> as the source address of a binat-to rule",
			     r->src.table);
	if (r->src.type != PFBPF_ADDR_MASK && r->src.type != PFBPF_ADDR_DYNIF)
		conf_fail_at(p, line, col, "",
			     "binat-to requires a specified source and redirect address");
	if (conf_dynif_multiaddr(&r->src) || conf_dynif_multiaddr(to))
		conf_fail_at(p, t->pool.line, t->pool.col, "",
			     "dynamic interfaces must be used with :0 in a binat-to rule");
	if (to->type == PFBPF_ADDR_TABLE)
		conf_fail_at(p, t->pool.line, t->pool.col, "",
			     "tables cannot be used as the redirect address of a binat-to rule");
}

/* binatrule's checks that do not depend on the expansion. */
static void check_binat(struct parser *p, struct rule_tmpl *rt)
{
	const struct vec *sides[] = { &rt->src, &rt->dst };

	if (rt->sport.n || rt->dport.n) {
		const struct portitem *x = rt->sport.n ? rt->sport.v : rt->dport.v;

		conf_fail_at(p, x->line, x->col, "port", "binat rules translate addresses only: no port");
	}
	if (!rt->src.n)
		conf_fail_at(p, rt->line, rt->col, "binat", "binat rules need 'from' and an address");
	for (size_t k = 0; k < 2; k++) {
		const struct hostitem *h;

		if (sides[k]->n > 1) {
			h = host_at(sides[k], 1);
			conf_fail_at(p, h->line, h->col, "", "multiple binat ip addresses");
		}
		if (!sides[k]->n)
			continue;
		h = host_at(sides[k], 0);
		if (k == 0 && h->a.type == PFBPF_ADDR_TABLE)
			conf_fail_at(p, h->line, h->col, "",
				     "invalid use of table <%s> as the source address of a binat rule",
				     h->a.table);
		if (k == 0 && conf_dynif_multiaddr(&h->a))
			conf_fail_at(p, h->line, h->col, "",
				     "invalid use of interface (%s) as the source address of a binat rule",
				     h->a.table);
		if (k == 0 && h->a.neg)
			conf_fail_at(p, h->line, h->col, "", "the source of a binat rule cannot be negated");
	}
	if (rt->natrule != PF_BINAT)
		return;
	if (rt->pool.addrs.n > 1) {
		const struct hostitem *h = host_at(&rt->pool.addrs, 1);

		conf_fail_at(p, h->line, h->col, "", "binat rule must redirect to a single address");
	}
	if (rt->pool.type || rt->pool.sticky)
		conf_fail_at(p, rt->pool.opt_line ? rt->pool.opt_line : rt->pool.line,
			     rt->pool.opt_line ? rt->pool.opt_col : rt->pool.col, "",
			     "binat rules take no pool options");
}

/* [no] nat|rdr|binat [pass] [log] on IF [af] [proto] from ... -> POOL ... */
void conf_parse_nat_rule(struct parser *p)
{
	struct rule_tmpl *rt = &p->t;
	struct tok first, kw;
	int no = 0;

	conf_tmpl_reset(rt);
	conf_next(p, &first);
	rt->line = first.line;
	rt->col = first.col;
	kw = first;
	if (conf_is_kw(&first, "no")) {
		no = 1;
		if (conf_peek(p, 0)->type != T_WORD)
			conf_syntax_error(p, conf_peek(p, 0));
		conf_next(p, &kw);
	}
	if (conf_is_kw(&kw, "nat")) {
		rt->natrule = no ? PF_NONAT : PF_NAT;
		/* what the datapath needs: nat rewrites outgoing packets */
		rt->r.direction = PF_OUT;
	} else if (conf_is_kw(&kw, "rdr")) {
		rt->natrule = no ? PF_NORDR : PF_RDR;
		rt->r.direction = PF_IN;
	} else if (conf_is_kw(&kw, "binat")) {
		rt->natrule = no ? PF_NOBINAT : PF_BINAT;
		/* bidirectional in the datapath; the outbound side names it */
		rt->r.direction = PF_OUT;
	} else {
		conf_syntax_error(p, &kw);
	}
	rt->r.action = (__u8)rt->natrule;
	if (conf_is_kw(conf_peek(p, 0), "pass")) {
		struct tok ps;

		conf_next(p, &ps);
		if (no)
			conf_fail(p, &ps, "\"pass\" not valid with \"no\"");
		rt->r.natpass = 1;
	}
	if (conf_accept_kw(p, "log")) {
		rt->r.log = 1;
		if (conf_peek(p, 0)->type == T_LPAREN)
			conf_fail(p, conf_peek(p, 0), "log options are not supported yet");
	}
	/* translation rules have no direction or quick of their own */
	if (conf_is_kw(conf_peek(p, 0), "in") || conf_is_kw(conf_peek(p, 0), "out") ||
	    conf_is_kw(conf_peek(p, 0), "quick") || conf_is_kw(conf_peek(p, 0), "log"))
		conf_syntax_error(p, conf_peek(p, 0));
	conf_parse_rule_body(p, rt, 0);
	conf_expect_end(p);
	if (!no && !rt->pool.xlate)
		conf_fail_at(p, rt->line, rt->col, kw.s,
			     rt->natrule == PF_BINAT ? "'binat' rule requires '-> address'"
						     : "translation rule requires '-> address'");
	if (rt->natrule == PF_BINAT || rt->natrule == PF_NOBINAT)
		check_binat(p, rt);
	guess_af(rt);
	if (rt->natrule == PF_BINAT || rt->natrule == PF_NOBINAT) {
		const struct hostitem *h = host_at(&rt->src, 0);

		if (!rt->r.af)
			conf_fail_at(p, rt->line, rt->col, kw.s, "address family (inet/inet6) undefined");
		if (h->a.type == PFBPF_ADDR_MASK && h->a.af != rt->r.af)
			conf_fail_at(p, h->line, h->col, "", "binat ip versions must match");
	}
	conf_expand_rule(p);
	conf_tmpl_reset(rt);
}

/* match [in|out] [log] [quick] on ... [options]: OpenBSD's rules that set
 * options (nat-to, rdr-to ...) and never decide. */
void conf_parse_match_rule(struct parser *p)
{
	struct rule_tmpl *rt = &p->t;
	struct tok act;

	conf_tmpl_reset(rt);
	conf_next(p, &act);
	rt->line = act.line;
	rt->col = act.col;
	rt->r.action = PF_MATCH;
	conf_parse_rule_body(p, rt, 0);
	conf_expect_end(p);
	/* OpenBSD's words: match rules never create state */
	if (rt->keep_given && rt->r.keep_state)
		conf_fail_at(p, rt->keep_line, rt->keep_col, "keep",
			     "keep state is great, but only for pass rules");
	conf_expand_rule(p);
	conf_tmpl_reset(rt);
}

static _Noreturn void pool_fail(struct parser *p, const struct pool_tmpl *pl, const char *msg,
				const char *arg)
{
	int line = pl->opt_line ? pl->opt_line : pl->line;
	int col = pl->opt_line ? pl->opt_col : pl->col;

	conf_fail_at(p, line, col, "", msg, arg);
}

/* rpool.opts: the type as written, or round-robin where pfctl implies it,
 * and pfctl's refusals of the other types for several addresses. */
static int pool_type(struct parser *p, const struct pool_tmpl *pl, const struct pfbpf_pool_addr *a,
		     size_t n)
{
	const struct pfbpf_pool_addr *table = NULL, *multi = NULL;
	int type = pl->type;

	for (size_t i = 0; i < n; i++) {
		if (a[i].addr.type == PFBPF_ADDR_TABLE && !table)
			table = &a[i];
		if (conf_dynif_multiaddr(&a[i].addr) && !multi)
			multi = &a[i];
	}
	if (type == PF_POOL_NONE && (n > 1 || table || multi))
		type = PF_POOL_ROUNDROBIN;
	if (type == PF_POOL_ROUNDROBIN)
		return type;
	if (table)
		pool_fail(p, pl, "tables are only supported in round-robin redirection pools%s", "");
	if (multi)
		pool_fail(p, pl, "interface (%s) is only supported in round-robin redirection pools",
			  multi->addr.table);
	if (n > 1)
		pool_fail(p, pl, "only round-robin valid for multiple redirection addresses%s", "");
	return type;
}

void conf_nat_finish(struct parser *p, const struct rule_tmpl *t, struct pfbpf_rule *r)
{
	const struct pool_tmpl *pl = &t->pool;
	struct pfbpf_conf *c = p->c;
	size_t first = c->npool_addrs, n = 0;
	int fam4 = 0, fam6 = 0;

	/* pf translation rules always create state */
	if (r->action == PF_NAT || r->action == PF_RDR || r->action == PF_BINAT)
		r->keep_state = PF_STATE_NORMAL;
	if (!pl->xlate)
		return;
	r->xlate = (__u8)pl->xlate;
	if (r->action == PF_PASS && t->keep_given && !r->keep_state)
		conf_fail_at(p, t->keep_line, t->keep_col, "no", "nat-to and rdr-to require keep state");
	for (size_t i = 0; i < pl->addrs.n; i++) {
		const struct hostitem *h = host_at(&pl->addrs, i);
		struct pfbpf_pool_addr *pa;

		if (h->a.neg)
			conf_fail_at(p, h->line, h->col, "", "a translation address cannot be negated");
		if (h->a.type == PFBPF_ADDR_ANY)
			conf_fail_at(p, h->line, h->col, "any", "a translation address cannot be 'any'");
		/* pfctl's remove_invalid_hosts(): the other family's go */
		if (h->a.type == PFBPF_ADDR_MASK && r->af && h->a.af != r->af)
			continue;
		if (h->a.type == PFBPF_ADDR_MASK) {
			fam4 |= h->a.af == PF_INET;
			fam6 |= h->a.af == PF_INET6;
		}
		pa = conf_grow(p, (void **)&c->pool_addrs, &c->npool_addrs, sizeof(*pa));
		pa->addr = h->a;
		n++;
	}
	if (!n)
		conf_fail_at(p, pl->line, pl->col, "",
			     "no translation address with matching address family (%s) found",
			     r->af == PF_INET ? "inet" : "inet6");
	if (!r->af && fam4 && fam6)
		conf_fail_at(p, pl->line, pl->col, "",
			     "address family not given and translation address expands to multiple address families");
	if (!r->af && (fam4 || fam6))
		r->af = fam4 ? PF_INET : PF_INET6;
	r->rpool.first = (__u32)first;
	r->rpool.naddrs = (__u32)n;
	r->rpool.opts = (__u8)(pool_type(p, pl, c->pool_addrs + first, n) |
			       (pl->sticky ? PF_POOL_STICKYADDR : 0));
	if ((r->rpool.opts & PF_POOL_TYPEMASK) == PF_POOL_SRCHASH && pl->key_set) {
		r->rpool.key_set = 1;
		memcpy(r->rpool.key, pl->key, sizeof(r->rpool.key));
	}
	switch (pl->xlate) {
	case PF_NAT:
		r->rpool.proxy_port[0] = pl->port[0];
		r->rpool.proxy_port[1] = pl->port[1];
		if (!pl->port[0] && !pl->port[1]) {
			r->rpool.proxy_port[0] = PF_NAT_PROXY_PORT_LOW;
			r->rpool.proxy_port[1] = PF_NAT_PROXY_PORT_HIGH;
		} else if (!pl->port[1]) {
			r->rpool.proxy_port[1] = pl->port[0];
		}
		if (pl->port_star)
			conf_fail_at(p, pl->port_line, pl->port_col, "",
				     "nat port range a:* is only valid with rdr");
		if (pl->static_port) {
			if (r->rpool.proxy_port[0] != PF_NAT_PROXY_PORT_LOW &&
			    r->rpool.proxy_port[1] != PF_NAT_PROXY_PORT_HIGH)
				conf_fail_at(p, pl->opt_line, pl->opt_col, "static-port",
					     "the 'static-port' option can't be used when specifying a port range");
			r->rpool.proxy_port[0] = r->rpool.proxy_port[1] = 0;
			r->rpool.opts |= PF_POOL_STATICPORT;
		}
		break;
	case PF_RDR:
		r->rpool.proxy_port[0] = pl->port[0];
		if (pl->port_star) {
			/* pf maps dport - P + Q: the range ends where the
			 * rule's destination range does */
			unsigned width = r->dport.op == PF_OP_RRG ? r->dport.port[1] - r->dport.port[0] : 0;

			if (pl->port[0] + width > 65535)
				conf_fail_at(p, pl->port_line, pl->port_col, "",
					     "rdr port range %u:* ends past 65535", pl->port[0]);
			r->rpool.proxy_port[1] = (__u16)(pl->port[0] + width);
		} else {
			r->rpool.proxy_port[1] = pl->port[1];
		}
		break;
	case PF_BINAT: {
		const struct pfbpf_addr_spec *to = &c->pool_addrs[first].addr;

		if (r->action != PF_BINAT)
			check_binat_to(p, t, r, to);
		if (to->type == PFBPF_ADDR_TABLE)
			conf_fail_at(p, pl->line, pl->col, "",
				     "invalid use of table <%s> as the redirect address of a binat rule",
				     to->table);
		if (conf_dynif_multiaddr(to))
			conf_fail_at(p, pl->line, pl->col, "",
				     "invalid use of interface (%s) as the redirect address of a binat rule",
				     to->table);
		if (n > 1)
			conf_fail_at(p, pl->line, pl->col, "",
				     "binat rule must redirect to a single address");
		/* 1:1 both ways: the host bits carry over, so the prefixes
		 * must be as long (pfctl skips the check for `from any`) */
		if (r->src.type == PFBPF_ADDR_MASK && r->src.prefixlen &&
		    to->type == PFBPF_ADDR_MASK && r->src.prefixlen != to->prefixlen)
			conf_fail_at(p, pl->line, pl->col, "",
				     "'binat' source mask and redirect mask must be the same");
		break;
	}
	}
	if (pl->static_port && pl->xlate != PF_NAT)
		conf_fail_at(p, pl->opt_line, pl->opt_col, "static-port",
			     "the 'static-port' option is only valid with nat rules");
}
