/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_nat.h - translation on the datapath (pf_get_translation, pf_map_addr,
 * pf_get_sport of pf_lb.c): which translation rule a state's first packet
 * matches, the address a pool gives it, the port chosen and reserved for
 * it, and for every later packet the key it is rewritten to.  The model
 * (wire key, stack key, pf_natmap) is in include/pfbpf_nat.h; the bytes
 * are changed by pf_nat_rewrite.h.
 *
 * Two dialects, as pf.conf has them:
 *  - FreeBSD's nat/rdr/binat rules are looked at before the filter rules,
 *    which then see the translated packet (pf_nat_prepare);
 *  - OpenBSD's `pass ... nat-to` and `match ... nat-to` translate after the
 *    filter rules decided on the packet as it is (pf_nat_late).
 */
#ifndef PF_NAT_H
#define PF_NAT_H

#include "pf_state.h"
#include "pf_cls.h"
#include "pf_nat_pair.h"

static __always_inline struct pf_nat_stats *pf_natstat_get(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&pf_natstat, &z);
}

/* ---- matching ----------------------------------------------------------- */

static __always_inline int pf_nat_port_ok(__u8 op, const __u16 *pr, __u16 p)
{
	switch (op) {
	case PF_OP_NONE: return 1;
	case PF_OP_IRG: return p > pr[0] && p < pr[1];
	case PF_OP_EQ: return p == pr[0];
	case PF_OP_NE: return p != pr[0];
	case PF_OP_LT: return p < pr[0];
	case PF_OP_LE: return p <= pr[0];
	case PF_OP_GT: return p > pr[0];
	case PF_OP_GE: return p >= pr[0];
	case PF_OP_XRG: return p < pr[0] || p > pr[1];
	case PF_OP_RRG: return p >= pr[0] && p <= pr[1];
	}
	return 0;
}

/* Network-order mask word i of a prefix of plen bits. */
static __always_inline __u32 pf_nat_maskw(__u8 plen, int i)
{
	int bits = (int)plen - 32 * i;

	if (bits >= 32)
		return 0xffffffff;
	if (bits <= 0)
		return 0;
	return bpf_htonl(~0U << (32 - bits));
}

static __always_inline int pf_nat_in_prefix(const struct pf_addr *a, const struct pf_addr *net,
					    __u8 plen, __u8 af)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (af == PF_INET && i > 0)
			break;
		if ((a->addr32[i] & pf_nat_maskw(plen, i)) != net->addr32[i])
			return 0;
	}
	return 1;
}

/* One side of a rule: address or table, possibly negated. */
static __always_inline int pf_nat_addr_ok(const struct pf_addr *net, __u8 plen, __u16 table,
					  int neg, const struct pf_addr *a, __u8 af)
{
	int hit = table ? pf_cls_in_table(table, af, a) : pf_nat_in_prefix(a, net, plen, af);

	return hit != neg;
}

/*
 * Does translation rule r apply to pkt?  A binat rule (`binat from A to B
 * -> C`) is two rules in one: outbound from A to B, and inbound from B to
 * C, which it maps back to A.
 */
static __always_inline int pf_nat_rule_ok(const struct pf_nat_rule_bpf *r, const struct pf_pkt *pkt,
					  const struct pf_pool_addr_bpf *pool0)
{
	int binat_in = r->xlate == PF_BINAT && pkt->dir == PF_IN;

	if (r->ifindex && ((r->ifindex == pkt->ifindex) == !!(r->flags & PF_NATR_IFNOT)))
		return 0;
	if (!binat_in && r->direction != PF_INOUT && r->direction != pkt->dir)
		return 0;
	if ((r->af && r->af != pkt->af) || (r->proto && r->proto != pkt->proto))
		return 0;
	if ((r->sport_op || r->dport_op) && !pkt->has_ports)
		return 0;
	if (binat_in) {
		if (!pool0 || pool0->af != pkt->af ||
		    !pf_nat_in_prefix(&pkt->dst, &pool0->addr, pool0->plen, pkt->af))
			return 0;
		return pf_nat_addr_ok(&r->dst, r->dst_plen, r->dst_table,
				      !!(r->flags & PF_NATR_DST_NEG), &pkt->src, pkt->af);
	}
	if (!pf_nat_addr_ok(&r->src, r->src_plen, r->src_table, !!(r->flags & PF_NATR_SRC_NEG),
			    &pkt->src, pkt->af) ||
	    !pf_nat_addr_ok(&r->dst, r->dst_plen, r->dst_table, !!(r->flags & PF_NATR_DST_NEG),
			    &pkt->dst, pkt->af))
		return 0;
	return pf_nat_port_ok(r->sport_op, r->sport, bpf_ntohs(pkt->sport)) &&
	       pf_nat_port_ok(r->dport_op, r->dport, bpf_ntohs(pkt->dport));
}

struct pf_nat_walk {
	__u32 base;        /* slot * PF_MAX_NAT_RULES */
	__u32 pbase;       /* slot * PF_MAX_POOL_ADDRS */
	__u32 owner;       /* pf_nat_late: the filter rule that decided */
	__u32 found;       /* index + 1 of the rule found */
	__u8 late;         /* 0: FreeBSD rules; 1: OpenBSD rules */
	__u8 pad[3];
};

static long pf_nat_walk_cb(__u32 i, struct pf_nat_walk *w)
{
	struct pf_scratch *sc = pf_scratch_get();
	struct pf_pool_addr_bpf *p0;
	struct pf_nat_rule_bpf *r;
	__u32 k = w->base + i, pk;
	int late;

	if (!sc)
		return 1;
	r = bpf_map_lookup_elem(&pf_natrules, &k);
	if (!r)
		return 1;
	late = (r->flags & (PF_NATR_BOUND | PF_NATR_FILTER_ORIG)) || r->action == PF_MATCH;
	if (late != w->late)
		return 0;
	if (late && (r->flags & PF_NATR_BOUND))
		/* `pass ... nat-to`: its filter rule matched, nothing else to test */
		return r->owner == w->owner ? (w->found = i + 1, 1) : 0;
	pk = w->pbase + r->pool_first;
	p0 = bpf_map_lookup_elem(&pf_natpool, &pk);
	if (!pf_nat_rule_ok(r, &sc->pkt, p0))
		return 0;
	w->found = i + 1;
	/* first match wins, except among `match` rules: the last one does */
	return late ? 0 : 1;
}

/* ---- address pools (pf_map_addr) --------------------------------------- */

/* Network bits from net, host bits from host (pf's PF_POOLMASK). */
static __always_inline void pf_nat_poolmask(struct pf_addr *out, const struct pf_addr *net,
					    __u8 plen, const struct pf_addr *host, __u8 af)
{
	int i;

	for (i = 0; i < 4; i++) {
		__u32 m = pf_nat_maskw(plen, i);

		if (af == PF_INET && i > 0) {
			out->addr32[i] = 0;
			continue;
		}
		out->addr32[i] = (net->addr32[i] & m) | (host->addr32[i] & ~m);
	}
}

/* A keyed hash of an address for source-hash pools (pf_hash's purpose:
 * the same source always gets the same address; not pf's exact values). */
static __always_inline __u32 pf_nat_hash(const struct pf_addr *a, const __u32 *key)
{
	__u32 h = key[0] ^ 0x9e3779b9, i;

	for (i = 0; i < 4; i++) {
		h ^= a->addr32[i] + key[(i + 1) & 3];
		h *= 0x85ebca6b;
		h ^= h >> 13;
		h *= 0xc2b2ae35;
		h ^= h >> 16;
	}
	return h;
}

/* Host part `v` placed under a prefix (random and source-hash pools). */
static __always_inline void pf_nat_host_in(struct pf_addr *out, const struct pf_addr *net,
					   __u8 plen, __u8 af, __u32 v)
{
	struct pf_addr h = {};

	if (af == PF_INET)
		h.addr32[0] = bpf_htonl(v);
	else
		h.addr32[3] = bpf_htonl(v);
	pf_nat_poolmask(out, net, plen, &h, af);
}

/*
 * The address rule r's pool gives this packet (pf_map_addr).  `host` is
 * where bitmask pools take the host bits from.  Returns 0, 1 for a
 * `($if)` pool (the caller asks the route, pf_nat_dynif), -1 for none.
 */
static __always_inline int pf_nat_pool_pick(const struct pf_nat_rule_bpf *r, __u32 pbase,
					    __u32 ridx, const struct pf_pkt *pkt,
					    const struct pf_addr *host, struct pf_addr *out,
					    __u32 *ifindex)
{
	__u32 n = r->pool_count, e = 0, k, v = 0, type = r->pool_opts & PF_POOL_TYPEMASK;
	struct pf_pool_addr_bpf *pa;
	__u32 *cur;

	if (!n)
		return -1;
	switch (type) {
	case PF_POOL_ROUNDROBIN:
		cur = bpf_map_lookup_elem(&pf_natrr, &ridx);
		v = cur ? __sync_fetch_and_add(cur, 1) : 0;
		e = v % n;
		v = v / n;
		break;
	case PF_POOL_RANDOM:
		v = bpf_get_prandom_u32();
		e = v % n;
		v = bpf_get_prandom_u32();
		break;
	case PF_POOL_SRCHASH:
		v = pf_nat_hash(&pkt->src, r->hash_key);
		e = v % n;
		break;
	}
	if (e >= PF_MAX_POOL_ADDRS)
		return -1;
	k = pbase + ((r->pool_first + e) & (PF_MAX_POOL_ADDRS - 1));
	pa = bpf_map_lookup_elem(&pf_natpool, &k);
	if (!pa)
		return -1;
	if (pa->type == PF_POOLADDR_DYNIF) {
		*ifindex = pa->ifindex;
		return 1;
	}
	if (pa->type != PF_POOLADDR_MASK || pa->af != pkt->af)
		return -1;
	switch (type) {
	case PF_POOL_BITMASK:
		pf_nat_poolmask(out, &pa->addr, pa->plen, host, pkt->af);
		break;
	case PF_POOL_RANDOM:
	case PF_POOL_SRCHASH:
	case PF_POOL_ROUNDROBIN:
		pf_nat_host_in(out, &pa->addr, pa->plen, pkt->af, v);
		break;
	default:
		__builtin_memcpy(out, &pa->addr, sizeof(*out));
	}
	return 0;
}

/* sticky-address: a random or round-robin pool gives a source the address
 * it gave it before (pf_nat_maps.h says for how long). */
static __always_inline int pf_nat_pool_sticky(const struct pf_nat_rule_bpf *r, __u32 pbase,
					      __u32 ridx, const struct pf_pkt *pkt,
					      const struct pf_addr *host, struct pf_addr *out,
					      __u32 *ifindex)
{
	__u32 type = r->pool_opts & PF_POOL_TYPEMASK;
	struct pf_config *cfg = pf_config_get();
	struct pf_nat_sticky_key k = {};
	struct pf_addr *a;
	int res;

	if (!(r->pool_opts & PF_POOL_STICKYADDR) || !cfg ||
	    (type != PF_POOL_RANDOM && type != PF_POOL_ROUNDROBIN))
		return pf_nat_pool_pick(r, pbase, ridx, pkt, host, out, ifindex);
	k.gen = cfg->ruleset_gen;
	k.ridx = ridx;
	k.af = pkt->af;
	k.src = pkt->src;
	a = bpf_map_lookup_elem(&pf_natsticky, &k);
	if (a) {
		*out = *a;
		return 0;
	}
	res = pf_nat_pool_pick(r, pbase, ridx, pkt, host, out, ifindex);
	if (!res)
		bpf_map_update_elem(&pf_natsticky, &k, out, BPF_ANY);
	return res;
}

/* ---- choosing the translation of a new state ---------------------------- */

/* Record the packet as it is, and as it will leave: unchanged so far. */
static __always_inline void pf_nat_begin(struct pf_nat_work *n, const struct pf_pkt *pkt)
{
	n->osrc = pkt->src;
	n->odst = pkt->dst;
	n->osport = pkt->sport;
	n->odport = pkt->dport;
	n->nsrc = pkt->src;
	n->ndst = pkt->dst;
	n->nsport = pkt->sport;
	n->ndport = pkt->dport;
}

/* A source port (or ICMP query id) to choose: pf_get_sport's range. */
static __always_inline void pf_nat_want_port(struct pf_nat_work *n, const struct pf_nat_rule_bpf *r,
					     const struct pf_scratch *sc)
{
	const struct pf_pkt *pkt = &sc->pkt;
	__u16 lo = r->proxy_port[0], hi = r->proxy_port[1];

	if (r->pool_opts & PF_POOL_STATICPORT)
		return;
	if (pkt->has_ports) {
		if (!lo && !hi)
			return;
	} else if ((pkt->proto == IPPROTO_ICMP || pkt->proto == PF_IPPROTO_ICMPV6) &&
		   sc->aux.icmp_class == PF_ICMP_QUERY) {
		/* a query id is any 16-bit value but 0 (pf_get_sport) */
		lo = 1;
		hi = 65535;
	} else {
		return;
	}
	if (hi < lo) {
		__u16 t = lo;

		lo = hi;
		hi = t;
	}
	n->alloc = 1;
	n->pside = 0;
	n->plow = lo;
	n->phigh = hi;
	/* the first candidate, so the filter rules see a real port */
	n->nsport = bpf_htons(lo + (__u16)(bpf_get_prandom_u32() % ((__u32)hi - lo + 1)));
}

/*
 * Work out the translation of rule r (index idx in its slot) for the
 * packet in sc: n->n* become the packet as it will leave.  Returns 0, or
 * PFRES_MAPFAILED when the pool has nothing for it.
 */
static __always_inline int pf_nat_choose(struct pf_scratch *sc, const struct pf_nat_rule_bpf *r,
					 __u32 slot, __u32 idx)
{
	struct pf_nat_work *n = &sc->nat;
	const struct pf_pkt *pkt = &sc->pkt;
	__u32 pbase = slot * PF_MAX_POOL_ADDRS, ridx = slot * PF_MAX_NAT_RULES + idx;
	struct pf_addr a = {};
	int res;

	pf_nat_begin(n, pkt);
	n->kind = r->xlate;
	n->rule = idx;
	n->natpass = !!(r->flags & PF_NATR_PASS);
	switch (r->xlate) {
	case PF_NAT:
		res = pf_nat_pool_sticky(r, pbase, ridx, pkt, &pkt->src, &a, &n->dynif_idx);
		if (res < 0)
			return PFRES_MAPFAILED;
		if (res > 0)
			n->dynif = 1;
		else
			n->nsrc = a;
		pf_nat_want_port(n, r, sc);
		break;
	case PF_RDR:
		res = pf_nat_pool_sticky(r, pbase, ridx, pkt, &pkt->dst, &a, &n->dynif_idx);
		if (res)
			return PFRES_MAPFAILED;
		n->ndst = a;
		if (pkt->has_ports && r->proxy_port[0]) {
			__u16 p = r->proxy_port[0];

			/* a port range maps onto a range: dport - low + target */
			if (r->proxy_port[1] > r->proxy_port[0])
				p += (__u16)((bpf_ntohs(pkt->dport) - r->dport[0]) %
					     ((__u32)r->proxy_port[1] - r->proxy_port[0] + 1));
			n->ndport = bpf_htons(p);
		}
		break;
	case PF_BINAT:
		if (pkt->dir == PF_OUT) {
			/* host bits of the source under C's network bits */
			__u32 k = pbase + (r->pool_first & (PF_MAX_POOL_ADDRS - 1));
			struct pf_pool_addr_bpf *pa = bpf_map_lookup_elem(&pf_natpool, &k);

			if (!pa || pa->type != PF_POOLADDR_MASK || pa->af != pkt->af)
				return PFRES_MAPFAILED;
			pf_nat_poolmask(&n->nsrc, &pa->addr, pa->plen, &pkt->src, pkt->af);
		} else {
			/* inbound to C: back to A, host bits of the destination */
			pf_nat_poolmask(&n->ndst, &r->src, r->src_plen, &pkt->dst, pkt->af);
		}
		break;
	default:
		return PFRES_MAPFAILED;
	}
	n->pending = 1;
	n->on = 1;
	return 0;
}

/* The filter rules see the translated packet (FreeBSD's order). */
static __always_inline void pf_nat_show_filter(struct pf_scratch *sc)
{
	sc->pkt.src = sc->nat.nsrc;
	sc->pkt.dst = sc->nat.ndst;
	sc->pkt.sport = sc->nat.nsport;
	sc->pkt.dport = sc->nat.ndport;
}

/* ... and the block-return code the packet as it came. */
static __always_inline void pf_nat_undo(struct pf_scratch *sc)
{
	if (!sc->nat.pending || sc->nat.late)
		return;
	sc->pkt.src = sc->nat.osrc;
	sc->pkt.dst = sc->nat.odst;
	sc->pkt.sport = sc->nat.osport;
	sc->pkt.dport = sc->nat.odport;
}

static __always_inline void pf_nat_mapfailed(struct pf_scratch *sc)
{
	struct pf_nat_stats *ns = pf_natstat_get();

	if (ns) {
		ns->map_failed++;
		ns->tries[PF_NAT_TRY_BUCKETS - 1]++;
	}
	sc->nat.pending = 0;
	sc->nat.on = 0;
	sc->nat.fail = PFRES_MAPFAILED;
}

static __always_inline int pf_nat_run_walk(struct pf_config *cfg, struct pf_nat_walk *w)
{
	__u32 slot = cfg->active & 1, n = cfg->nat_rules[slot];

	if (!n)
		return 0;
	if (n > PF_MAX_NAT_RULES)
		n = PF_MAX_NAT_RULES;
	w->base = slot * PF_MAX_NAT_RULES;
	w->pbase = slot * PF_MAX_POOL_ADDRS;
	bpf_loop(n, pf_nat_walk_cb, w, 0);
	return w->found;
}

/*
 * Walk the active slot's translation rules as w says and work out the
 * translation of the rule found.  1 if the packet is to be translated; a
 * rule whose pool had nothing leaves sc->nat.fail set.
 */
static __always_inline int pf_nat_walk_choose(struct pf_scratch *sc, struct pf_config *cfg,
					      struct pf_nat_walk *w)
{
	__u32 slot = cfg->active & 1, idx, k;
	struct pf_nat_rule_bpf *r;

	if (!pf_nat_run_walk(cfg, w))
		return 0;
	idx = (w->found - 1) & (PF_MAX_NAT_RULES - 1);
	k = w->base + idx;
	r = bpf_map_lookup_elem(&pf_natrules, &k);
	if (!r || !r->xlate)
		return 0;
	if (pf_nat_choose(sc, r, slot, idx)) {
		pf_nat_mapfailed(sc);
		return 0;
	}
	return 1;
}

/*
 * A packet without a state, before the filter rules: FreeBSD's nat, rdr
 * and binat rules (first match; `no nat` and friends match and translate
 * nothing).  A global function: the verifier checks it once.
 */
__noinline int pf_nat_prepare(struct pf_scratch *sc)
{
	struct pf_config *cfg = pf_config_get();
	struct pf_nat_walk w = {};

	if (!sc || !cfg || sc->icmp_err || sc->pkt.frag == PF_FRAGK_LATER)
		return 0;
	if (pf_nat_walk_choose(sc, cfg, &w) && !sc->nat.dynif)
		pf_nat_show_filter(sc);
	return 0;
}

/*
 * After the filter rules chose rule m.idx: OpenBSD's `pass ... nat-to` of
 * that rule, else the last `match ... nat-to` that matched the packet as
 * it came.  The filter rules saw it untranslated, so nothing to show them.
 */
__noinline int pf_nat_late(struct pf_scratch *sc)
{
	struct pf_config *cfg = pf_config_get();
	struct pf_nat_walk w = {};
	struct pf_rule_bpf *fr;
	__u32 k;

	if (!sc || !cfg || sc->nat.pending || sc->nat.fail || sc->icmp_err ||
	    sc->pkt.frag == PF_FRAGK_LATER || sc->m.idx >= PF_MAX_RULES)
		return 0;
	k = (cfg->active & 1) * PF_MAX_RULES + sc->m.idx;
	fr = bpf_map_lookup_elem(&pf_rules, &k);
	if (!fr || fr->action != PF_PASS)
		return 0;
	w.late = 1;
	w.owner = sc->m.idx;
	if (pf_nat_walk_choose(sc, cfg, &w))
		sc->nat.late = 1;
	return 0;
}

/*
 * A `($if)` pool: the address the kernel would give a packet to this
 * destination leaving through the interface (bpf_fib_lookup with
 * BPF_FIB_LOOKUP_SRC), so an address change is followed at the next new
 * state without anyone watching.  Needs the program's context, so it is
 * inlined into each program.
 */
static __always_inline void pf_nat_dynif(void *ctx, struct pf_scratch *sc)
{
	struct bpf_fib_lookup *fib = &sc->fib;
	struct pf_nat_work *n = &sc->nat;
	long rc;

	n->dynif = 0;
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->ifindex = n->dynif_idx;
	if (sc->pkt.af == PF_INET) {
		fib->family = 2; /* AF_INET */
		fib->ipv4_dst = n->odst.v4;
	} else {
		fib->family = 10; /* AF_INET6 */
		__builtin_memcpy(fib->ipv6_dst, &n->odst, 16);
	}
	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib),
			    BPF_FIB_LOOKUP_SRC | BPF_FIB_LOOKUP_OUTPUT | BPF_FIB_LOOKUP_SKIP_NEIGH);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		pf_nat_mapfailed(sc);
		return;
	}
	if (sc->pkt.af == PF_INET)
		n->nsrc.v4 = fib->ipv4_src;
	else
		__builtin_memcpy(&n->nsrc, fib->ipv6_src, 16);
	if (!n->late)
		pf_nat_show_filter(sc);
}

/* ---- creating the translating state ------------------------------------ */

/* The key a packet with these fields has (pf_key_from_pkt on fields). */
static __always_inline void pf_nat_key(struct pf_state_key *k, const struct pf_pkt *pkt,
				       const struct pf_addr *src, const struct pf_addr *dst,
				       __be16 sport, __be16 dport)
{
	int sidx = pkt->dir == PF_IN ? 0 : 1;

	__builtin_memset(k, 0, sizeof(*k));
	k->af = pkt->af;
	k->proto = pkt->proto;
	k->addr[sidx] = *src;
	k->addr[sidx ^ 1] = *dst;
	k->port[sidx] = sport;
	k->port[sidx ^ 1] = dport;
}

/* The packet's keys before and after: which is which depends on the
 * direction (the wire is after an outbound translation, before an
 * inbound one). */
static __always_inline void pf_nat_keys(struct pf_scratch *sc)
{
	struct pf_nat_work *n = &sc->nat;
	int w = sc->pkt.dir == PF_OUT ? PF_SK_STACK : PF_SK_WIRE;

	pf_nat_key(&n->key[w], &sc->pkt, &n->osrc, &n->odst, n->osport, n->odport);
	pf_nat_key(&n->key[w ^ 1], &sc->pkt, &n->nsrc, &n->ndst, n->nsport, n->ndport);
}

struct pf_nat_try {
	struct pf_state_origin o;
	__u32 start;
	__u32 range;
	__u32 tries;
	int err;
};

static long pf_nat_try_cb(__u32 i, struct pf_nat_try *t)
{
	struct pf_scratch *sc = pf_scratch_get();
	struct pf_nat_work *n;
	__u16 p;

	if (!sc || !t->range)
		return 1;
	n = &sc->nat;
	p = n->plow + (__u16)((t->start + i) % t->range);
	n->nsport = bpf_htons(p);
	pf_nat_keys(sc);
	t->tries = i + 1;
	t->err = pf_state_create(&sc->pkt, &n->key[PF_SK_WIRE], &t->o, &n->key[PF_SK_STACK]);
	/* a wire key already in use is a port taken: try the next one */
	return t->err != PFRES_STATEINS;
}

static __always_inline void pf_nat_count_tries(__u32 tries)
{
	struct pf_nat_stats *ns = pf_natstat_get();
	__u32 b = 0;

	if (!ns)
		return;
	ns->translations++;
	while (b < PF_NAT_TRY_BUCKETS - 2 && (tries >> (b + 1)))
		b++;
	ns->tries[b & 15]++;
}

/*
 * Enter the pair of a state just created under its wire key.  The stack
 * key may still be held by the pair of a state the LRU evicted: that pair
 * goes first.  Returns 0, or -1 if another live state holds the stack key
 * (two CPUs translating one flow's first packets at once).
 */
static __always_inline int pf_nat_pair_add(struct pf_nat_work *n)
{
	struct pf_gcount *g = pf_gcount_get();
	struct pf_nat_pair pair, *old;

	if (!g)
		return -1;
	__builtin_memcpy(pair.key, n->key, sizeof(pair.key));
	if (bpf_map_update_elem(&pf_natmap, &n->key[PF_SK_STACK], &pair, BPF_NOEXIST)) {
		old = bpf_map_lookup_elem(&pf_natmap, &n->key[PF_SK_STACK]);
		if (old && bpf_map_lookup_elem(&pf_states, &old->key[PF_SK_WIRE]))
			return -1;
		if (old)
			pf_nat_pair_del(old);
		if (bpf_map_update_elem(&pf_natmap, &n->key[PF_SK_STACK], &pair, BPF_NOEXIST))
			return -1;
	}
	/* the wire key is ours now (the state insert reserved it); a stale
	 * pair under it loses its other half too */
	old = bpf_map_lookup_elem(&pf_natmap, &n->key[PF_SK_WIRE]);
	if (old && !pf_key_eq(&old->key[PF_SK_STACK], &n->key[PF_SK_STACK]))
		bpf_map_delete_elem(&pf_natmap, &old->key[PF_SK_STACK]);
	if (!old)
		__sync_fetch_and_add(&g->nat_pairs, 1);
	if (bpf_map_update_elem(&pf_natmap, &n->key[PF_SK_WIRE], &pair, BPF_ANY)) {
		bpf_map_delete_elem(&pf_natmap, &n->key[PF_SK_STACK]);
		if (!old)
			__sync_fetch_and_add(&g->nat_pairs, -1);
		return -1;
	}
	return 0;
}

/*
 * Create the state of a new translation (pf_create_state with two keys):
 * for a chosen port, candidates from a random start through the range,
 * each reserved by inserting the state under its wire key with
 * BPF_NOEXIST, so two CPUs never get one port.  Returns 0 or a PFRES_*.
 */
__noinline int pf_nat_create(struct pf_scratch *sc, const struct pf_state_origin *o)
{
	struct pf_nat_try t = {};
	struct pf_nat_work *n;
	struct pf_state *s;

	if (!sc || !o)
		return PFRES_MEMORY;
	n = &sc->nat;
	__builtin_memcpy(&t.o, o, sizeof(t.o));
	if (n->alloc) {
		t.range = (__u32)n->phigh - n->plow + 1;
		t.start = bpf_ntohs(n->nsport) - n->plow;
		bpf_loop(t.range < PF_NAT_MAX_TRIES ? t.range : PF_NAT_MAX_TRIES, pf_nat_try_cb, &t,
			 0);
		if (t.err == PFRES_STATEINS || !t.tries)
			t.err = PFRES_MAPFAILED;
	} else {
		pf_nat_keys(sc);
		t.tries = 1;
		t.err = pf_state_create(&sc->pkt, &n->key[PF_SK_WIRE], &t.o, &n->key[PF_SK_STACK]);
		/* static-port, rdr, binat: the one wire key is taken */
		if (t.err == PFRES_STATEINS)
			t.err = PFRES_MAPFAILED;
	}
	if (t.err) {
		if (t.err == PFRES_MAPFAILED)
			pf_nat_mapfailed(sc);
		n->on = 0;
		return t.err;
	}
	if (pf_nat_pair_add(n)) {
		s = bpf_map_lookup_elem(&pf_states, &n->key[PF_SK_WIRE]);
		if (s)
			pf_state_remove(&n->key[PF_SK_WIRE], s, PF_DESTROY_KILLED);
		n->on = 0;
		return PFRES_STATEINS;
	}
	pf_nat_count_tries(t.tries);
	/* the packet's own state code goes on with the wire key */
	__builtin_memcpy(&sc->key, &n->key[PF_SK_WIRE], sizeof(sc->key));
	return 0;
}

/* ---- later packets ------------------------------------------------------ */

/* The packet leaves with the fields of key `to` (the pair's other key). */
static __always_inline void pf_nat_to_key(struct pf_scratch *sc, const struct pf_state_key *to)
{
	struct pf_nat_work *n = &sc->nat;
	int sidx = sc->pkt.dir == PF_IN ? 0 : 1;

	pf_nat_begin(n, &sc->pkt);
	n->nsrc = to->addr[sidx];
	n->ndst = to->addr[sidx ^ 1];
	n->nsport = to->port[sidx];
	n->ndport = to->port[sidx ^ 1];
	n->on = 1;
}

/*
 * Before the state lookup: is the packet's key one half of a pair?  One
 * lookup in pf_natmap tells both sides apart, so a translated packet
 * costs one lookup more than an untranslated one whichever side it is on:
 *  - the wire key: the state is under it, the packet goes to the stack key;
 *  - the stack key: sc->key becomes the wire key, under which the state
 *    is, and the packet goes to it.
 * Returns PF_NATV_* (also left in sc->nat.via).
 */
__noinline int pf_nat_lookup(struct pf_scratch *sc)
{
	struct pf_nat_pair *p;

	if (!sc)
		return PF_NATV_NONE;
	sc->nat.via = PF_NATV_NONE;
	p = bpf_map_lookup_elem(&pf_natmap, &sc->key);
	if (!p)
		return PF_NATV_NONE;
	if (pf_key_eq(&p->key[PF_SK_WIRE], &sc->key)) {
		pf_nat_to_key(sc, &p->key[PF_SK_STACK]);
		sc->nat.via = PF_NATV_WIRE;
	} else if (pf_key_eq(&p->key[PF_SK_STACK], &sc->key)) {
		pf_nat_to_key(sc, &p->key[PF_SK_WIRE]);
		__builtin_memcpy(&sc->key, &p->key[PF_SK_WIRE], sizeof(sc->key));
		sc->nat.via = PF_NATV_STACK;
	}
	return sc->nat.via;
}

/*
 * The pair pf_nat_lookup found has no state (the LRU evicted it behind
 * our back): remove both halves.  sc->key is the wire key then.
 */
__noinline int pf_nat_stale(struct pf_scratch *sc)
{
	struct pf_nat_stats *ns;
	struct pf_nat_pair *p;

	if (!sc)
		return 0;
	sc->nat.on = 0;
	sc->nat.via = PF_NATV_NONE;
	p = pf_nat_pair_of(&sc->key, PF_SK_WIRE);
	if (p && pf_nat_pair_del(p)) {
		ns = pf_natstat_get();
		if (ns)
			ns->pair_repaired++;
	}
	pf_key_from_pkt(&sc->pkt, sc->pkt.dir, &sc->key);
	return 0;
}

#endif /* PF_NAT_H */
