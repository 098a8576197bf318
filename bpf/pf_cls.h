/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_cls.h - the rule classifier for packets with no state (BPF side).
 *
 * Included once by the program that defines the datapath (after vmlinux.h,
 * bpf_helpers.h and bpf_endian.h); it defines the ruleset maps.  The maps'
 * layout and the reasons for it are in include/pfbpf_cls.h and
 * docs/classifier.md; user/cls/ compiles rules into them.
 */
#ifndef PF_CLS_H
#define PF_CLS_H

#include "pf_pkt.h"
#include "pf_parse.h"
#include "pfbpf_cls.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_MAX_RULES);
	__type(key, __u32);
	__type(value, struct pf_rule_bpf);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PF_DEFAULT_LIMIT_TABLE_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pf_table_key);
	__type(value, struct pf_table_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_tables SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PF_MAX_TABLES);
	__type(key, __u32);
	__type(value, struct pf_table_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_tablestat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS);
	__type(key, __u32);
	__type(value, struct pf_cls_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_BASE_N);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_base SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_MAX_IFS);
	__type(key, struct pf_cls_if_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_if SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pf_cls_addr_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_addr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * 2 * PF_CLS_PORT_N);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_port SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_FLAGS_N);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_flags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_ICMP_N);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_icmp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_MAX_BMS);
	__type(key, __u32);
	__type(value, struct pf_cls_bm);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_bm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_POOL_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_pool SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_WORDS);
	__type(key, __u32);
	__type(value, struct pf_cls_words);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_words SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_CLS_BITS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_c_bit2rule SEC(".maps");

/*
 * State of one evaluation, shared with the bpf_loop callback.  The walk
 * over candidate words and over rules needing a table check is one
 * bpf_loop so that neither is unrolled by the verifier: the number of steps
 * is bounded by words + table-bearing rules, not by a constant we would have
 * to pick.
 */
struct pf_cls_run {
	__u32 bm[PF_CLS_NFIELDS]; /* bitmap index (slot-relative id + slot base) */
	__u64 cand[PF_CLS_SUM_WORDS]; /* words left to visit */
	__u64 mw;        /* matches in the current word */
	__u64 quick;     /* quick rules of the current word */
	__u64 pending;   /* matches of the current word still needing a table check */
	__u32 slot;
	__u32 skip;      /* pf_cls_meta.skip: fields not looked up nor ANDed */
	__u32 w;         /* current word */
	__u32 last;      /* highest-numbered match so far, PF_RULE_NONE if none */
	__u32 qbest;     /* lowest-numbered quick match so far, PF_RULE_NONE if none */
	__u32 idx;       /* result */
	__u32 stop;      /* where pf's walk stops: the quick winner, else nrules */
};

/*
 * The evaluation state lives in a per-CPU scratch entry, not on the stack:
 * the datapath calling us already uses most of BPF's 512-byte combined
 * stack.  A program runs to completion on its CPU (no other XDP or tc
 * program runs there in between), so one entry per CPU is enough.  The
 * bpf_loop context on the stack carries only the packet pointer (a map
 * value cannot hold pointers).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_cls_run);
} pf_c_run SEC(".maps");

struct pf_cls_loop {
	const struct pf_pkt *pkt;
};

/* Bit helpers written out: the BPF target has no popcount/ctz instruction,
 * and these compile to a short fixed sequence instead of a loop. */
static __always_inline __u32 pf_cls_popcount(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (__u32)((x * 0x0101010101010101ULL) >> 56);
}

/* Index of the lowest set bit; x must not be 0. */
static __always_inline __u32 pf_cls_ctz(__u64 x)
{
	return pf_cls_popcount((x & -x) - 1);
}

/* Index of the highest set bit; x must not be 0. */
static __always_inline __u32 pf_cls_fls(__u64 x)
{
	x |= x >> 1;
	x |= x >> 2;
	x |= x >> 4;
	x |= x >> 8;
	x |= x >> 16;
	x |= x >> 32;
	return pf_cls_popcount(x) - 1;
}

/* Is addr (af) in table tbl (id + 1)?  pf's pfr_match_addr: a hit on a
 * negated entry (`!addr` in the table) is a miss. */
static __always_inline int pf_cls_in_table(__u16 tbl, __u8 af, const struct pf_addr *addr)
{
	struct pf_table_key k = {};
	struct pf_table_entry *e;
	struct pf_table_stats *st;
	__u32 id = tbl - 1;
	int hit;

	k.prefixlen = 32 + (af == PF_INET ? 32 : 128);
	k.table = bpf_htons((__u16)id);
	k.af = af;
	__builtin_memcpy(&k.addr, addr, sizeof(k.addr));
	e = bpf_map_lookup_elem(&pf_tables, &k);
	hit = e && !e->neg;
	st = bpf_map_lookup_elem(&pf_tablestat, &id);
	if (st) {
		if (hit)
			st->match++;
		else
			st->nomatch++;
	}
	return hit;
}

/* Post-check of a candidate whose address field names a table: the
 * classifier treated the table as "any" so that pfctl -T changes verdicts
 * without recompiling. */
/* Rule index of bit `bit` of the slot's bit space (PF_RULE_NONE: padding). */
static __always_inline __u32 pf_cls_rule_of(__u32 slot, __u32 bit)
{
	__u32 key = slot * PF_CLS_BITS + bit, *ri;

	ri = bpf_map_lookup_elem(&pf_c_bit2rule, &key);
	return ri ? *ri : PF_RULE_NONE;
}

static __always_inline int pf_cls_tables_ok(const struct pf_cls_run *r, const struct pf_pkt *pkt,
					    __u32 bit)
{
	__u32 key = r->slot * PF_MAX_RULES + pf_cls_rule_of(r->slot, bit);
	const struct pf_rule_bpf *rb;

	if (key >= PF_RULESET_SLOTS * PF_MAX_RULES)
		return 0;
	rb = bpf_map_lookup_elem(&pf_rules, &key);

	if (!rb || !pkt)
		return 0;
	if (rb->src_table && pf_cls_in_table(rb->src_table, pkt->af, &pkt->src) == !!rb->src_table_neg)
		return 0;
	if (rb->dst_table && pf_cls_in_table(rb->dst_table, pkt->af, &pkt->dst) == !!rb->dst_table_neg)
		return 0;
	return 1;
}

/* No candidate word left: pf's answer from what was found. */
static __always_inline long pf_cls_conclude(struct pf_cls_run *r)
{
	if (r->qbest != PF_RULE_NONE) {
		r->idx = r->qbest;
		r->stop = r->qbest;
	} else {
		r->idx = r->last;
	}
	return 1;
}

/* Go on with the next candidate word, or conclude now if there is none
 * (saves a callback round). */
static __always_inline long pf_cls_more(struct pf_cls_run *r)
{
	if (r->cand[0] | r->cand[1] | r->cand[2] | r->cand[3] | r->cand[4])
		return 0;
	return pf_cls_conclude(r);
}

/*
 * The matches of word r->w are final.  A word holds rules of one shape in
 * rule order, so its lowest quick bit is its lowest-numbered quick match
 * and its highest bit its highest-numbered match; across words (shapes)
 * the numbers are compared.  pf's answer: the lowest-numbered quick match
 * if any (the walk stops there), else the highest-numbered match.
 */
static __always_inline long pf_cls_finish_word(struct pf_cls_run *r)
{
	__u64 q = r->mw & r->quick;
	__u32 rule;

	if (q) {
		rule = pf_cls_rule_of(r->slot, r->w * 64 + pf_cls_ctz(q));
		if (rule < r->qbest)
			r->qbest = rule;
	}
	if (r->mw) {
		rule = pf_cls_rule_of(r->slot, r->w * 64 + pf_cls_fls(r->mw));
		if (rule != PF_RULE_NONE && (r->last == PF_RULE_NONE || rule > r->last))
			r->last = rule;
	}
	return pf_cls_more(r);
}

/* Word w = k * 64 + b of bitmap r->bm[f], 0 where its summary says so. */
static __always_inline __u64 pf_cls_word(const struct pf_cls_run *r, __u32 f, __u32 k, __u32 b)
{
	const struct pf_cls_bm *bm;
	const __u64 *word;
	__u32 key = r->bm[f];

	bm = bpf_map_lookup_elem(&pf_c_bm, &key);
	if (!bm || !(bm->sum[k] & (1ULL << b)))
		return 0;
	key = r->slot * PF_CLS_POOL_WORDS + bm->base + bm->rank[k] +
	      pf_cls_popcount(bm->sum[k] & ((1ULL << b) - 1));
	word = bpf_map_lookup_elem(&pf_c_pool, &key);
	return word ? *word : 0;
}

static long pf_cls_step(__u64 i, void *data)
{
	const struct pf_cls_loop *l = data;
	const struct pf_cls_words *aw;
	struct pf_cls_run *r;
	__u64 mw = ~0ULL, qn, bit;
	__u32 k, b, f, key = 0;

	r = bpf_map_lookup_elem(&pf_c_run, &key);
	if (!r)
		return 1;

	if (r->pending) {
		bit = r->pending & -r->pending;
		r->pending &= ~bit;
		if (!pf_cls_tables_ok(r, l->pkt, r->w * 64 + pf_cls_ctz(bit)))
			r->mw &= ~bit;
		if (r->pending)
			return 0;
		return pf_cls_finish_word(r);
	}

	/* next candidate word */
	if (r->cand[0])
		k = 0;
	else if (r->cand[1])
		k = 1;
	else if (r->cand[2])
		k = 2;
	else if (r->cand[3])
		k = 3;
	else if (r->cand[4])
		k = 4;
	else
		return pf_cls_conclude(r);
	b = pf_cls_ctz(r->cand[k]);
	r->cand[k] &= r->cand[k] - 1;
	r->w = k * 64 + b;

	/* Addresses and ports first: they are the fields that tell rules
	 * apart, so a word the summaries let through by accident is usually
	 * found empty after one or two fields instead of all twelve. */
	for (f = 0; f < PF_CLS_NPAIRS; f++) {
		if (r->skip & (1u << (PF_CLS_NSINGLE + 2 * f)))
			continue;
		mw &= pf_cls_word(r, PF_CLS_NSINGLE + 2 * f, k, b) |
		      pf_cls_word(r, PF_CLS_NSINGLE + 2 * f + 1, k, b);
		if (!mw)
			return pf_cls_more(r);
	}
	for (f = 0; f < PF_CLS_NSINGLE; f++)
		if (!(r->skip & (1u << f)))
			mw &= pf_cls_word(r, f, k, b);
	if (!mw)
		return pf_cls_more(r);

	key = r->slot * PF_CLS_WORDS + r->w;
	aw = bpf_map_lookup_elem(&pf_c_words, &key);
	if (!aw)
		return 0;
	/* A quick rule needing no table check bounds this word: candidates
	 * above it (higher numbers, same shape) can never win, so they are
	 * not looked up in tables. */
	qn = mw & aw->quick & ~aw->tbl;
	if (qn) {
		bit = qn & -qn;
		mw &= bit | (bit - 1);
	}
	r->mw = mw;
	r->quick = aw->quick;
	r->pending = mw & aw->tbl;
	if (r->pending)
		return 0;
	return pf_cls_finish_word(r);
}

static __always_inline __u32 pf_cls_addr_bm(const struct pf_cls_meta *meta, __u32 slot, __u8 side,
					     __u8 af, const struct pf_addr *a)
{
	struct pf_cls_addr_key k = {};
	__u32 afi = af == PF_INET6, *id;

	/* no rule names an address on this side: every address gets /0 */
	if (meta->addr_root_only & (1u << (side * 2 + afi)))
		return meta->addr_root[side & 1][afi];

	k.prefixlen = 32 + (af == PF_INET ? 32 : 128);
	k.slot = slot;
	k.side = side;
	k.af = af;
	__builtin_memcpy(&k.addr, a, sizeof(k.addr));
	id = bpf_map_lookup_elem(&pf_c_addr, &k);
	return id ? *id : 0;
}

static __always_inline __u32 pf_cls_arr_bm(void *map, __u32 key)
{
	__u32 *id = bpf_map_lookup_elem(map, &key);

	return id ? *id : 0;
}

/* Find the rule pf would pick for pkt in ruleset slot cfg->active.
 * Returns 0, with m->idx = PF_RULE_NONE when no rule matches (and
 * m->stop = 0 for an empty ruleset). */
static __always_inline int pf_cls_eval(const struct pf_pkt *pkt, const struct pf_config *cfg,
				       struct pf_rule_match *m)
{
	struct pf_cls_loop l = { .pkt = pkt };
	struct pf_cls_if_key ik = {};
	struct pf_cls_run *r;
	const struct pf_cls_meta *meta;
	__u32 slot = cfg->active & 1, key, afi, dir, idx, f, k;
	__u32 *id;

	m->slot = slot;
	m->idx = PF_RULE_NONE;
	m->stop = 0;
	meta = bpf_map_lookup_elem(&pf_c_meta, &slot);
	if (!meta || !meta->nrules)
		return 0;
	m->stop = meta->nrules;
	if (pkt->dir != PF_IN && pkt->dir != PF_OUT)
		return 0;
	if (pkt->af != PF_INET && pkt->af != PF_INET6)
		return 0;
	dir = pkt->dir - 1;
	afi = pkt->af == PF_INET6;

	key = 0;
	r = bpf_map_lookup_elem(&pf_c_run, &key);
	if (!r)
		return 0;
	__builtin_memset(r, 0, sizeof(*r));
	r->slot = slot;
	r->last = PF_RULE_NONE;
	r->idx = PF_RULE_NONE;
	r->qbest = PF_RULE_NONE;
	r->stop = meta->nrules; /* no quick match: pf walks to the end */
	r->skip = meta->skip & ~(1u << PF_CLS_F_BASE); /* base clears padding bits */

	r->bm[PF_CLS_F_BASE] = pf_cls_arr_bm(&pf_c_base,
					    slot * PF_CLS_BASE_N + (dir * 2 + afi) * 256 + pkt->proto);
	id = NULL;
	if (meta->nifs && !(r->skip & (1u << PF_CLS_F_IF))) {
		ik.slot = slot;
		ik.ifindex = pkt->ifindex;
		id = bpf_map_lookup_elem(&pf_c_if, &ik);
	}
	r->bm[PF_CLS_F_IF] = id ? *id : meta->if_default;
	/* a skipped field keeps bitmap 0: never read */
	if (!(r->skip & (1u << PF_CLS_F_SRC)))
		r->bm[PF_CLS_F_SRC] = pf_cls_addr_bm(meta, slot, 0, pkt->af, &pkt->src);
	if (!(r->skip & (1u << PF_CLS_F_DST)))
		r->bm[PF_CLS_F_DST] = pf_cls_addr_bm(meta, slot, 1, pkt->af, &pkt->dst);
	if (!(r->skip & (1u << PF_CLS_F_SPORT))) {
		idx = pkt->has_ports ? bpf_ntohs(pkt->sport) : PF_CLS_NOPORT;
		r->bm[PF_CLS_F_SPORT] = pf_cls_arr_bm(&pf_c_port, slot * 2 * PF_CLS_PORT_N + idx);
	}
	if (!(r->skip & (1u << PF_CLS_F_DPORT))) {
		idx = pkt->has_ports ? bpf_ntohs(pkt->dport) : PF_CLS_NOPORT;
		r->bm[PF_CLS_F_DPORT] = pf_cls_arr_bm(&pf_c_port, (slot * 2 + 1) * PF_CLS_PORT_N + idx);
	}
	if (!(r->skip & (1u << PF_CLS_F_FLAGS))) {
		idx = pkt->proto == PF_IPPROTO_TCP ? pkt->tcp_flags : PF_CLS_NOTCP;
		r->bm[PF_CLS_F_FLAGS] = pf_cls_arr_bm(&pf_c_flags, slot * PF_CLS_FLAGS_N + idx);
	}
	if (!(r->skip & (1u << PF_CLS_F_ICMP))) {
		idx = (pkt->proto == PF_IPPROTO_ICMP || pkt->proto == PF_IPPROTO_ICMPV6) ?
			      ((__u32)pkt->icmp_type << 8 | pkt->icmp_code) :
			      PF_CLS_NOICMP;
		r->bm[PF_CLS_F_ICMP] = pf_cls_arr_bm(&pf_c_icmp, slot * PF_CLS_ICMP_N + idx);
	}
	r->bm[PF_CLS_F_SRC_W] = meta->wild[0];
	r->bm[PF_CLS_F_DST_W] = meta->wild[1];
	r->bm[PF_CLS_F_SPORT_W] = meta->wild[2];
	r->bm[PF_CLS_F_DPORT_W] = meta->wild[3];

	/* AND of the summaries: only words where every field has a candidate
	 * are visited. */
	for (k = 0; k < PF_CLS_SUM_WORDS; k++)
		r->cand[k] = ~0ULL;
	for (f = 0; f < PF_CLS_NFIELDS; f++) {
		const struct pf_cls_bm *bm, *bw;

		r->bm[f] = slot * PF_CLS_MAX_BMS + (r->bm[f] & (PF_CLS_MAX_BMS - 1));
		if (r->skip & (1u << f))
			continue;
		if (f < PF_CLS_NSINGLE) {
			key = r->bm[f];
			bm = bpf_map_lookup_elem(&pf_c_bm, &key);
			if (!bm)
				return 0;
			for (k = 0; k < PF_CLS_SUM_WORDS; k++)
				r->cand[k] &= bm->sum[k];
		} else if (f & 1) {
			/* a pair: (specific | wildcard), both ids now final */
			key = r->bm[f - 1];
			bm = bpf_map_lookup_elem(&pf_c_bm, &key);
			key = r->bm[f];
			bw = bpf_map_lookup_elem(&pf_c_bm, &key);
			if (!bm || !bw)
				return 0;
			for (k = 0; k < PF_CLS_SUM_WORDS; k++)
				r->cand[k] &= bm->sum[k] | bw->sum[k];
		}
	}
	if (!(r->cand[0] | r->cand[1] | r->cand[2] | r->cand[3] | r->cand[4]))
		return 0;

	bpf_loop(PF_CLS_WORDS + PF_MAX_RULES + 1, pf_cls_step, &l, 0);
	m->idx = r->idx;
	m->stop = r->stop;
	return 0;
}

#endif /* PF_CLS_H */
