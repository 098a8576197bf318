// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_natcompile.c - translation rules at commit: out of the flat
 * ruleset into pf_natrules and their pools into pf_natpool, in the
 * inactive slot, with pf_config.nat_rules[slot] their count, so that the
 * flip that switches the filter rules switches the translation rules too
 * (include/pfbpf_nat.h has the model).
 *
 * Which rule goes where:
 *  - FreeBSD nat/rdr/binat and their `no` forms only translate: they are
 *    never compiled into the filter classifier; pf_natrules gets them
 *    first, in ruleset order, numbered as pfctl -sn -v numbers them (per
 *    nat / rdr / binat ruleset);
 *  - `pass ... nat-to` decides as a filter rule and translates when it
 *    decides: in both, its pf_natrules entry PF_NATR_BOUND to its index in
 *    the compiled filter slot;
 *  - `match` rules never decide, so they are not compiled into the filter
 *    classifier at all (a pf_rule_bpf has no "match" action, and pf_cls
 *    would let one decide); a match rule with nat-to is a PF_MATCH entry.
 *    Its other options (log, tag ...) are not applied yet.  The filter
 *    slot indexes (counters, states) count the rules compiled, and pf_xflat
 *    maps them back to the rule numbers of -sr, so skipping match rules
 *    keeps -sr -v right.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"

static bool is_freebsd_xlate(__u8 action)
{
	return action >= PF_NAT && action <= PF_NORDR;
}

bool ctl_rule_is_xlate_only(const struct pfbpf_rule *r)
{
	return is_freebsd_xlate(r->action) || r->action == PF_MATCH;
}

static bool has_dynif(const struct pfbpf_rule *r)
{
	return r->src.type == PFBPF_ADDR_DYNIF || r->dst.type == PFBPF_ADDR_DYNIF;
}

struct split {
	struct pfbpf_rule *r, *xr;
	struct ctl_origin *o, *xo;
	__u32 *xowner;
	__u32 n, nx, cap, xcap;
};

/* Make room for one more entry in up to three parallel arrays. */
static int grow(__u32 n, __u32 *cap, void **a, size_t as, void **b, size_t bs, void **c,
		size_t cs)
{
	__u32 nc = *cap ? 2 * *cap : 64;
	void *p;

	if (n < *cap)
		return 0;
	if (!(p = realloc(*a, nc * as)))
		return -ENOMEM;
	*a = p;
	if (!(p = realloc(*b, nc * bs)))
		return -ENOMEM;
	*b = p;
	if (c) {
		if (!(p = realloc(*c, nc * cs)))
			return -ENOMEM;
		*c = p;
	}
	*cap = nc;
	return 0;
}

static int push_filter(struct split *s, const struct pfbpf_rule *r, const struct ctl_origin *o)
{
	if (grow(s->n, &s->cap, (void **)&s->r, sizeof(*s->r), (void **)&s->o, sizeof(*s->o),
		 NULL, 0))
		return -ENOMEM;
	s->r[s->n] = *r;
	s->o[s->n] = *o;
	s->n++;
	return 0;
}

static int push_x(struct split *s, const struct pfbpf_rule *r, const struct ctl_origin *o,
		  __u32 owner)
{
	if (grow(s->nx, &s->xcap, (void **)&s->xr, sizeof(*s->xr), (void **)&s->xo,
		 sizeof(*s->xo), (void **)&s->xowner, sizeof(*s->xowner)))
		return -ENOMEM;
	s->xr[s->nx] = *r;
	s->xo[s->nx] = *o;
	s->xowner[s->nx] = owner;
	s->nx++;
	return 0;
}

static int place(struct split *s, const struct pfbpf_rule *r, const struct ctl_origin *o)
{
	int err;

	if (ctl_rule_is_xlate_only(r))
		/* a match rule without nat-to/rdr-to/binat-to has nothing the
		 * datapath applies yet */
		return r->action == PF_MATCH && !r->xlate ? 0 : push_x(s, r, o, UINT32_MAX);
	if ((err = push_filter(s, r, o)))
		return err;
	return r->xlate ? push_x(s, r, o, s->n - 1) : 0;
}

/* pf_natrules order: FreeBSD translation rules first, then the bound and
 * match ones, each in ruleset order (seq: before quick anchors reorder). */
static bool x_before(const struct split *s, __u32 a, __u32 b)
{
	bool fa = is_freebsd_xlate(s->xr[a].action), fb = is_freebsd_xlate(s->xr[b].action);

	if (fa != fb)
		return fa;
	return s->xo[a].seq < s->xo[b].seq;
}

static void x_sort(struct split *s)
{
	/* insertion sort: stable (expanded copies keep their order), and the
	 * lists are short */
	for (__u32 i = 1; i < s->nx; i++)
		for (__u32 j = i; j > 0 && x_before(s, j, j - 1); j--) {
			struct pfbpf_rule tr = s->xr[j];
			struct ctl_origin to = s->xo[j];
			__u32 tw = s->xowner[j];

			s->xr[j] = s->xr[j - 1];
			s->xo[j] = s->xo[j - 1];
			s->xowner[j] = s->xowner[j - 1];
			s->xr[j - 1] = tr;
			s->xo[j - 1] = to;
			s->xowner[j - 1] = tw;
		}
}

int ctl_flat_split(struct pfbpf_handle *h, struct ctl_flat *f)
{
	struct split s = {};
	int err = 0;

	for (__u32 i = 0; !err && i < f->n; i++) {
		struct pfbpf_rule *e;
		__u32 ne;

		if (!has_dynif(&f->r[i])) {
			err = place(&s, &f->r[i], &f->o[i]);
			continue;
		}
		f->dynif = true;
		if ((err = ctl_dynif_expand(h, &f->r[i], &e, &ne)))
			break;
		for (__u32 k = 0; !err && k < ne; k++)
			err = place(&s, &e[k], &f->o[i]);
		free(e);
	}
	if (!err && s.n > PF_MAX_RULES)
		err = ctl_fail(h, -ENOSPC, "more than %d rules once `($if)` addresses are expanded",
			       PF_MAX_RULES);
	if (err) {
		free(s.r);
		free(s.o);
		free(s.xr);
		free(s.xo);
		free(s.xowner);
		return err;
	}
	x_sort(&s);
	free(f->r);
	free(f->o);
	f->r = s.r;
	f->o = s.o;
	f->n = s.n;
	f->xr = s.xr;
	f->xo = s.xo;
	f->xowner = s.xowner;
	f->nx = s.nx;
	return 0;
}

/* ---- pf_natrules / pf_natpool ------------------------------------------ */

/* Which of pf's translation rulesets a rule belongs to (0: filter). */
static __u8 rs_kind(__u8 action)
{
	switch (action) {
	case PF_NAT: case PF_NONAT: return PF_NAT;
	case PF_RDR: case PF_NORDR: return PF_RDR;
	case PF_BINAT: case PF_NOBINAT: return PF_BINAT;
	default: return 0;
	}
}

/* pfctl's number of x rule i: its place among the rules of its nat, rdr
 * or binat ruleset in its anchor; a filter or match rule keeps its own. */
static __u32 x_number(const struct ctl_flat *f, __u32 i)
{
	__u8 kind = rs_kind(f->xr[i].action);
	__u32 n = 0;

	if (!kind)
		return f->xo[i].nr;
	for (__u32 j = 0; j < f->nx; j++) {
		bool dup = j && f->xo[j].nr == f->xo[j - 1].nr &&
			   !strcmp(f->xo[j].anchor, f->xo[j - 1].anchor);

		if (!dup && rs_kind(f->xr[j].action) == kind && f->xo[j].nr < f->xo[i].nr &&
		    !strcmp(f->xo[j].anchor, f->xo[i].anchor))
			n++;
	}
	return n;
}

static int ifindex_of(struct pfbpf_handle *h, const char *ifname, __u32 *out, const char *what)
{
	char name[IF_NAMESIZE + 1] = {};

	snprintf(name, sizeof(name), "%.*s", IF_NAMESIZE, ifname);
	*out = if_nametoindex(name);
	if (!*out)
		return ctl_fail(h, -ENOENT, "interface %s (%s) does not exist", name, what);
	return 0;
}

static int x_addr(struct pfbpf_handle *h, const struct pfbpf_addr_spec *a, struct pf_addr *addr,
		  __u8 *plen, __u16 *table, __u8 *flags, __u8 negflag, const char *what)
{
	int id;

	if (a->neg)
		*flags |= negflag;
	switch (a->type) {
	case PFBPF_ADDR_ANY:
		*flags &= ~negflag;
		return 0;
	case PFBPF_ADDR_MASK:
		*addr = a->addr;
		*plen = a->prefixlen;
		return 0;
	case PFBPF_ADDR_TABLE:
		/* as the filter compile: the table id + 1 */
		id = ctl_table_id(h, a->table, true);
		if (id < 0)
			return ctl_fail(h, id, "table <%s> of a translation rule: %s", a->table,
					strerror(-id));
		*table = id + 1;
		return 0;
	default:
		return ctl_fail(h, -EINVAL, "translation rule %s address type %u", what, a->type);
	}
}

static int x_rule(struct pfbpf_handle *h, const struct ctl_flat *f, __u32 i,
		  struct pf_nat_rule_bpf *nb)
{
	const struct pfbpf_rule *r = &f->xr[i];
	int err;

	memset(nb, 0, sizeof(*nb));
	nb->nr = x_number(f, i);
	nb->action = r->action;
	nb->xlate = r->xlate;
	if (!nb->xlate && (r->action == PF_NAT || r->action == PF_RDR || r->action == PF_BINAT))
		nb->xlate = r->action;
	if (r->action == PF_NONAT || r->action == PF_NORDR || r->action == PF_NOBINAT)
		nb->xlate = 0;
	if (r->ifname[0] && (err = ifindex_of(h, r->ifname, &nb->ifindex, "`on` of a translation rule")))
		return err;
	if (r->ifname[0] && r->ifnot)
		nb->flags |= PF_NATR_IFNOT;
	nb->direction = r->direction;
	nb->af = r->af;
	nb->proto = r->proto;
	if ((err = x_addr(h, &r->src, &nb->src, &nb->src_plen, &nb->src_table, &nb->flags,
			  PF_NATR_SRC_NEG, "source")) ||
	    (err = x_addr(h, &r->dst, &nb->dst, &nb->dst_plen, &nb->dst_table, &nb->flags,
			  PF_NATR_DST_NEG, "destination")))
		return err;
	if (!nb->af && r->src.type == PFBPF_ADDR_MASK)
		nb->af = r->src.af;
	if (!nb->af && r->dst.type == PFBPF_ADDR_MASK)
		nb->af = r->dst.af;
	nb->sport_op = r->sport.op;
	nb->dport_op = r->dport.op;
	memcpy(nb->sport, r->sport.port, sizeof(nb->sport));
	memcpy(nb->dport, r->dport.port, sizeof(nb->dport));
	if (r->natpass)
		nb->flags |= PF_NATR_PASS;
	if (r->log)
		nb->flags |= PF_NATR_LOG;
	if (f->xowner[i] != UINT32_MAX) {
		nb->flags |= PF_NATR_BOUND | PF_NATR_FILTER_ORIG;
		nb->owner = f->xowner[i];
	} else if (r->action == PF_MATCH) {
		nb->flags |= PF_NATR_FILTER_ORIG;
	}
	nb->pool_opts = r->rpool.opts;
	memcpy(nb->proxy_port, r->rpool.proxy_port, sizeof(nb->proxy_port));
	memcpy(nb->hash_key, r->rpool.key, sizeof(nb->hash_key));
	return 0;
}

static int x_pool_entry(struct pfbpf_handle *h, const struct pfbpf_pool_addr *a,
			struct pf_pool_addr_bpf *out)
{
	const struct pfbpf_addr_spec *s = &a->addr;
	int id;

	memset(out, 0, sizeof(*out));
	out->af = s->af;
	switch (s->type) {
	case PFBPF_ADDR_MASK:
		out->type = PF_POOLADDR_MASK;
		out->addr = s->addr;
		out->plen = s->prefixlen;
		return 0;
	case PFBPF_ADDR_DYNIF:
		out->type = PF_POOLADDR_DYNIF;
		return ifindex_of(h, s->table, &out->ifindex, "a translation pool's `($if)`");
	case PFBPF_ADDR_TABLE:
		/* expanded by the caller (pool_write_table) */
		(void)id;
		return ctl_fail(h, -EINVAL, "pool table <%s> not expanded", s->table);
	default:
		return ctl_fail(h, -EINVAL, "pool address type %u", s->type);
	}
}

/* One pool entry into the slot's part of pf_natpool, at *used. */
static int pool_write(struct pfbpf_handle *h, int pfd, __u32 slot,
		      const struct pf_pool_addr_bpf *pa, __u32 *used)
{
	__u32 pidx = slot * PF_MAX_POOL_ADDRS + *used;

	if (*used >= PF_MAX_POOL_ADDRS)
		return ctl_fail(h, -E2BIG, "more than PF_MAX_POOL_ADDRS (%d) pool addresses once "
				"tables are expanded", PF_MAX_POOL_ADDRS);
	if (bpf_map_update_elem(pfd, &pidx, pa, BPF_ANY))
		return ctl_fail(h, -errno, "writing pool address %u: %s", *used, strerror(errno));
	(*used)++;
	return 0;
}

/*
 * A pool `<table>`: the datapath cannot walk a table (an LPM trie), so the
 * table's addresses are written into the pool as they are now, and a
 * change of the table compiles the ruleset again (ctl_table_pool_changed)
 * so the pool follows it.
 */
static int pool_write_table(struct pfbpf_handle *h, int pfd, __u32 slot,
			    const struct pfbpf_pool_addr *a, __u32 *used)
{
	struct pfbpf_pool_addr *t = NULL;
	__u32 n = 0;
	int err = ctl_table_pool_addrs(h, a->addr.table, &t, &n);

	h->pool_tables = true;

	for (__u32 i = 0; !err && i < n; i++) {
		struct pf_pool_addr_bpf pa;

		if (!(err = x_pool_entry(h, &t[i], &pa)))
			err = pool_write(h, pfd, slot, &pa, used);
	}
	free(t);
	return err;
}

static bool over_has(const struct ctl_rs *over, size_t nover, const char *anchor)
{
	for (size_t i = 0; i < nover; i++)
		if (!strcmp(over[i].anchor, anchor))
			return true;
	return false;
}

static bool same_origin(const struct ctl_origin *a, const struct ctl_origin *b)
{
	return a->nr == b->nr && !strcmp(a->anchor, b->anchor);
}

int ctl_nat_install(struct pfbpf_handle *h, const struct ctl_flat *f, const struct ctl_rs *over,
		    size_t nover, __u32 slot)
{
	struct pfbpf_pool_addr *pool = NULL;
	struct pf_config cfg;
	__u32 used = 0, total = 0, first = 0, count = 0;
	int rfd = -1, pfd = -1, cfd = -1, err;

	if (f->nx > PF_MAX_NAT_RULES)
		return ctl_fail(h, -E2BIG, "%u translation rules: more than PF_MAX_NAT_RULES (%d)",
				f->nx, PF_MAX_NAT_RULES);
	/* Refuse before writing anything: the pools must fit the slot. */
	for (__u32 i = 0; i < f->nx; i++)
		if (!i || !same_origin(&f->xo[i], &f->xo[i - 1]))
			total += f->xr[i].rpool.naddrs;
	if (total > PF_MAX_POOL_ADDRS)
		return ctl_fail(h, -E2BIG, "%u pool addresses: more than PF_MAX_POOL_ADDRS (%d)",
				total, PF_MAX_POOL_ADDRS);
	if (f->nx) {
		if ((rfd = ctl_map(h, PFM_NATRULES)) < 0 || (pfd = ctl_map(h, PFM_NATPOOL)) < 0 ||
		    (cfd = ctl_map(h, PFM_NATRR)) < 0)
			return ctl_fail(h, rfd < 0 ? rfd : pfd < 0 ? pfd : cfd,
					"the datapath has no translation maps: %s", h->reason);
		if (!(pool = calloc(PF_MAX_POOL_ADDRS, sizeof(*pool))))
			return -ENOMEM;
	}
	for (__u32 i = 0; i < f->nx; i++) {
		const struct pfbpf_rule *r = &f->xr[i];
		struct pf_nat_rule_bpf nb;
		__u32 idx = slot * PF_MAX_NAT_RULES + i, zero = 0, n = r->rpool.naddrs;

		if ((err = x_rule(h, f, i, &nb)))
			goto out;
		/* copies of one rule (`($if)` expanded) share its pool */
		if (i && same_origin(&f->xo[i], &f->xo[i - 1])) {
			nb.pool_first = first;
		} else {
			__u32 area = over_has(over, nover, f->xo[i].anchor) ? XR_POOL_STAGED :
									       XR_POOL_ACTIVE;

			first = used;
			nb.pool_first = first;
			if (n && (err = ctl_pool_load(h, area, f->xo[i].anchor, f->xo[i].nr, pool, n)))
				goto out;
			for (__u32 j = 0; j < n; j++) {
				struct pf_pool_addr_bpf pa;

				if (pool[j].addr.type == PFBPF_ADDR_TABLE) {
					err = pool_write_table(h, pfd, slot, &pool[j], &used);
				} else if (!(err = x_pool_entry(h, &pool[j], &pa))) {
					err = pool_write(h, pfd, slot, &pa, &used);
				}
				if (err)
					goto out;
			}
			count = used - first;
		}
		nb.pool_count = count;
		if (bpf_map_update_elem(rfd, &idx, &nb, BPF_ANY)) {
			err = ctl_fail(h, -errno, "writing translation rule %u: %s", i, strerror(errno));
			goto out;
		}
		/* a new rule's round-robin walk starts at its first address */
		bpf_map_update_elem(cfd, &idx, &zero, BPF_ANY);
	}
	if ((err = ctl_cfg_read(h, &cfg)))
		goto out;
	if (cfg.nat_rules[slot] != f->nx) {
		cfg.nat_rules[slot] = f->nx;
		err = ctl_cfg_write(h, &cfg);
	}
out:
	free(pool);
	return err;
}
