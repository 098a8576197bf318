// SPDX-License-Identifier: BSD-2-Clause
/*
 * compile.c - struct pfbpf_rule[] -> bit-vector classifier (docs/classifier.md).
 *
 * For each packet field we find the distinct value classes the ruleset
 * cares about (port intervals, address prefixes, interfaces, ...) and give
 * each class the bitmap of the rules that accept it.  Negations (`!addr`,
 * `!=`, `<>`, `on !if`) are folded in here, so the datapath only ANDs.
 * Bitmaps are interned: identical ones share an id, and only their non-zero
 * words are stored.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "cls/cls_int.h"

static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* ---- bitmap interning ---------------------------------------------- */

static __u64 bm_hash(const __u64 *bits)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < PF_CLS_WORDS; i++) {
		if (!bits[i])
			continue;
		h ^= bits[i] + (__u64)i * 0x9e3779b97f4a7c15ULL;
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

static int bm_equal(const struct pfbpf_cls_image *img, __u32 id, const __u64 *bits)
{
	const struct pf_cls_bm *bm = &img->bms[id];
	__u32 n = 0;
	int w;

	for (w = 0; w < PF_CLS_WORDS; w++) {
		int set = !!(bm->sum[w / 64] & (1ULL << (w % 64)));

		if (set != !!bits[w])
			return 0;
		if (set && img->pool[bm->base + n++] != bits[w])
			return 0;
	}
	return 1;
}

/* Returns the id of the bitmap equal to bits (a new one if needed), or a
 * negative errno when a capacity is exceeded. */
static long bm_intern(struct pfbpf_cls_image *img, const __u64 *bits)
{
	__u64 h = bm_hash(bits);
	__u32 mask = PF_CLS_HASH_SIZE - 1, slot = h & mask, id, nz = 0;
	struct pf_cls_bm *bm;
	int w, k;

	for (;;) {
		id = img->hash[slot];
		if (!id)
			break;
		if (img->hash_key[slot] == h && bm_equal(img, id - 1, bits))
			return id - 1;
		slot = (slot + 1) & mask;
	}
	for (w = 0; w < PF_CLS_WORDS; w++)
		nz += !!bits[w];
	if (img->nbms >= PF_CLS_MAX_BMS)
		return -E2BIG;
	if (img->npool + nz > PF_CLS_POOL_WORDS)
		return -ENOSPC;
	bm = &img->bms[img->nbms];
	memset(bm, 0, sizeof(*bm));
	bm->base = img->npool;
	for (w = 0; w < PF_CLS_WORDS; w++) {
		if (!bits[w])
			continue;
		bm->sum[w / 64] |= 1ULL << (w % 64);
		img->pool[img->npool++] = bits[w];
	}
	for (k = 1; k < PF_CLS_SUM_WORDS; k++)
		bm->rank[k] = bm->rank[k - 1] + __builtin_popcountll(bm->sum[k - 1]);
	img->hash[slot] = img->nbms + 1;
	img->hash_key[slot] = h;
	return img->nbms++;
}

static inline void bset(__u64 *bits, __u32 r)
{
	bits[r / 64] |= 1ULL << (r % 64);
}

static inline void bclr(__u64 *bits, __u32 r)
{
	bits[r / 64] &= ~(1ULL << (r % 64));
}

/* ---- rule normalisation -------------------------------------------- */

static int addr_resolve(const struct pfbpf_addr_spec *a, struct cls_addr *ca, pfbpf_table_id_fn tid,
			void *arg)
{
	int id;

	memset(ca, 0, sizeof(*ca));
	ca->type = a->type;
	ca->neg = !!a->neg;
	switch (a->type) {
	case PFBPF_ADDR_ANY:
		ca->neg = 0; /* `! any` is not pf syntax; treat as any */
		return 0;
	case PFBPF_ADDR_MASK:
		if (a->af != PF_INET && a->af != PF_INET6)
			return -EAFNOSUPPORT;
		if (a->prefixlen > (a->af == PF_INET ? 32 : 128))
			return -EINVAL;
		ca->af = a->af;
		ca->plen = a->prefixlen;
		ca->addr = a->addr;
		cls_prefix_trunc(&ca->addr, ca->plen);
		return 0;
	case PFBPF_ADDR_TABLE:
		if (!tid)
			return -ENOENT;
		id = tid(a->table, arg);
		if (id < 0)
			return id;
		if (id >= PF_MAX_TABLES)
			return -ERANGE;
		ca->table = id;
		return 0;
	default:
		return -EINVAL;
	}
}

void cls_prefix_trunc(struct pf_addr *a, unsigned plen)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		if (plen <= 8 * i)
			a->addr8[i] = 0;
		else
			a->addr8[i] &= (__u8)(0xff << (8 - (plen - 8 * i)));
	}
}

static int port_iv(__u32 lo[2], __u32 hi[2], int n, long l, long h)
{
	if (l > h || n >= 2)
		return n;
	lo[n] = l;
	hi[n] = h;
	return n + 1;
}

/* The port set of an operator as at most two closed intervals (pf's
 * pf_match_port, ports in host order). */
int cls_port_intervals(const struct pfbpf_port_spec *p, __u32 lo[2], __u32 hi[2])
{
	__u32 a = p->port[0], b = p->port[1];
	int n = 0;

#define IV(l, h) n = port_iv(lo, hi, n, (l), (h))
	switch (p->op) {
	case PF_OP_IRG: IV(a + 1, (long)b - 1); break;
	case PF_OP_EQ: IV(a, a); break;
	case PF_OP_NE: if (a) IV(0, a - 1); IV(a + 1, 65535); break;
	case PF_OP_LT: if (a) IV(0, a - 1); break;
	case PF_OP_LE: IV(0, a); break;
	case PF_OP_GT: IV(a + 1, 65535); break;
	case PF_OP_GE: IV(a, 65535); break;
	case PF_OP_XRG: if (a) IV(0, a - 1); IV(b + 1, 65535); break;
	case PF_OP_RRG: IV(a, b); break;
	default: break;
	}
#undef IV
	/* a <> b with a > b covers everything: the two intervals overlap;
	 * merged, so the port sweep sees each rule enter and leave once */
	if (n == 2 && lo[1] <= hi[0] + 1) {
		hi[0] = hi[1] > hi[0] ? hi[1] : hi[0];
		n = 1;
	}
	return n;
}

int pfbpf_cls_rule_bpf(const struct pfbpf_rule *r, pfbpf_table_id_fn tid, void *arg,
		       struct pf_rule_bpf *out)
{
	struct cls_addr s, d;
	int err;

	if ((err = addr_resolve(&r->src, &s, tid, arg)) || (err = addr_resolve(&r->dst, &d, tid, arg)))
		return err;
	memset(out, 0, sizeof(*out));
	out->nr = r->nr;
	out->max_states = r->max_states;
	out->action = r->action;
	out->rule_flag = (__u8)r->rule_flag;
	if (r->allow_opts)
		out->rule_flag |= PFRULE_ALLOWOPTS;
	out->keep_state = r->keep_state;
	out->direction = r->direction;
	out->log = r->log;
	out->quick = !!r->quick;
	out->af = r->af ? r->af : (s.type == PFBPF_ADDR_MASK ? s.af : d.af);
	if (s.type == PFBPF_ADDR_TABLE) {
		out->src_table = s.table + 1;
		out->src_table_neg = s.neg;
	}
	if (d.type == PFBPF_ADDR_TABLE) {
		out->dst_table = d.table + 1;
		out->dst_table_neg = d.neg;
	}
	out->return_icmp_type = r->return_icmp_type;
	out->return_icmp_code = r->return_icmp_code;
	return 0;
}

static int rule_normalise(const struct pfbpf_rule *r, size_t i, struct cls_rule *cr, pfbpf_table_id_fn tid,
			  void *arg, char *err, size_t errlen)
{
	const char *what = NULL;
	int e;

	memset(cr, 0, sizeof(*cr));
	if ((e = addr_resolve(&r->src, &cr->src, tid, arg)))
		what = "source";
	else if ((e = addr_resolve(&r->dst, &cr->dst, tid, arg)))
		what = "destination";
	if (what) {
		if (e == -ENOENT && (what[0] == 's' ? r->src.type : r->dst.type) == PFBPF_ADDR_TABLE)
			seterr(err, errlen, "rule %zu: table <%s> does not exist", i,
			       what[0] == 's' ? r->src.table : r->dst.table);
		else
			seterr(err, errlen, "rule %zu: bad %s address: %s", i, what, strerror(-e));
		return e;
	}
	if (r->direction > PF_OUT) {
		seterr(err, errlen, "rule %zu: bad direction %u", i, r->direction);
		return -EINVAL;
	}
	if (r->af && r->af != PF_INET && r->af != PF_INET6) {
		seterr(err, errlen, "rule %zu: bad address family %u", i, r->af);
		return -EAFNOSUPPORT;
	}
	cr->af = r->af;
	if (!cr->af && cr->src.type == PFBPF_ADDR_MASK)
		cr->af = cr->src.af;
	if (!cr->af && cr->dst.type == PFBPF_ADDR_MASK)
		cr->af = cr->dst.af;
	if ((cr->src.type == PFBPF_ADDR_MASK && cr->src.af != cr->af) ||
	    (cr->dst.type == PFBPF_ADDR_MASK && cr->dst.af != cr->af)) {
		seterr(err, errlen, "rule %zu: source and destination address families differ", i);
		return -EINVAL;
	}
	if (r->sport.op > PF_OP_RRG || r->dport.op > PF_OP_RRG) {
		seterr(err, errlen, "rule %zu: bad port operator", i);
		return -EINVAL;
	}
	cr->dir = r->direction;
	cr->proto = r->proto;
	cr->quick = !!r->quick;
	cr->sport = r->sport;
	cr->dport = r->dport;
	cr->flags = r->flags;
	cr->flagset = r->flagset;
	cr->icmp_type = r->icmp_type;
	cr->icmp_code = r->icmp_code;
	if (r->ifname[0]) {
		char name[IF_NAMESIZE + 1] = {};
		unsigned idx;

		memcpy(name, r->ifname, sizeof(r->ifname) < IF_NAMESIZE ? sizeof(r->ifname) : IF_NAMESIZE);
		idx = if_nametoindex(name);
		/* pf accepts rules on interfaces that do not exist (yet): such
		 * a rule matches no packet, `on !absent` matches all.  The
		 * index is taken now; a later-created interface needs a
		 * reload, as documented. */
		if (!idx)
			cr->ifkind = r->ifnot ? CLS_IF_ANY : CLS_IF_NEVER;
		else {
			cr->ifkind = r->ifnot ? CLS_IF_NOT : CLS_IF_IS;
			cr->ifindex = idx;
		}
	}
	return 0;
}

/* ---- bit layout ----------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* How an address field accepts packets: 0 not named (any, or a table,
 * checked later), 1 a prefix, 2 a negated prefix. */
static unsigned addr_class(const struct cls_addr *a)
{
	if (a->type != PFBPF_ADDR_MASK)
		return 0;
	return a->neg ? 2 : 1;
}

/* How a port field accepts packets: 0 not named, 1 one port, 2 a range or
 * a half-line, 3 all but a few ports (`!=`, `<>`). */
static unsigned port_class(const struct pfbpf_port_spec *p)
{
	switch (p->op) {
	case PF_OP_NONE:
		return 0;
	case PF_OP_EQ:
		return 1;
	case PF_OP_NE:
	case PF_OP_XRG:
		return 3;
	default:
		return 2;
	}
}

/*
 * The shape of a rule, by how each of source, destination, source port and
 * destination port accepts packets (two bits each).  At `fine` 0 only
 * whether the field is named; at 1 also whether an address is negated
 * and a port operator accepts all but a few ports; at 2 also single ports
 * apart from ranges.  A negated field accepts nearly every packet while
 * its positive twin accepts nearly none (and a range many ports, one port
 * one): keeping them in separate words keeps each field's bitmap sparse or
 * dense per word for a packet, so the summary AND stays exact.  2,000
 * rules `from ! 10.1.x.y port 1024+i` interleaved with 2,000 `from
 * 10.0.x.y port 80` otherwise leave every word a candidate: both fields
 * non-zero in each word, their AND empty.
 */
static unsigned rule_shape(const struct cls_rule *c, int fine)
{
	unsigned f[4] = { addr_class(&c->src), addr_class(&c->dst), port_class(&c->sport),
			  port_class(&c->dport) };
	unsigned s = 0, i;

	for (i = 0; i < 4; i++) {
		if (fine == 0)
			f[i] = !!f[i];
		else if (fine == 1 && i >= 2 && f[i] == 2)
			f[i] = 1; /* ranges with single ports */
		s |= f[i] << (2 * i);
	}
	return s;
}

/* Hash of the first field a rule names (its value, as the classifier
 * sees it): rules sharing it are "of one value". */
static __u64 rule_value(const struct cls_rule *c)
{
	const void *p = NULL;
	size_t len = 0, i;
	__u64 h = 0xcbf29ce484222325ULL;

	if (c->src.type == PFBPF_ADDR_MASK) {
		p = &c->src;
		len = sizeof(c->src);
	} else if (c->dst.type == PFBPF_ADDR_MASK) {
		p = &c->dst;
		len = sizeof(c->dst);
	} else if (c->sport.op != PF_OP_NONE) {
		p = &c->sport;
		len = sizeof(c->sport);
	} else if (c->dport.op != PF_OP_NONE) {
		p = &c->dport;
		len = sizeof(c->dport);
	}
	for (i = 0; i < len; i++) {
		h ^= ((const __u8 *)p)[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct lay {
	__u32 shape;
	__u32 idx;
	__u64 value;
	__u64 group;
	__u8 key[20]; /* first named field, ordered (see lay_key()) */
};

/*
 * Sort key of a rule inside its group: its first named field, so that the
 * rules accepting one value lie together.  Prefixes by negation, af,
 * length and address (the prefixes containing an address are one value per length);
 * ports by operator and bounds (ranges holding a port then share a
 * neighbourhood instead of taking turns with those that do not).
 */
static void lay_key(const struct cls_rule *c, __u8 *key)
{
	const struct cls_addr *a = c->src.type == PFBPF_ADDR_MASK ? &c->src :
				   c->dst.type == PFBPF_ADDR_MASK ? &c->dst : NULL;
	const struct pfbpf_port_spec *p = c->sport.op != PF_OP_NONE ? &c->sport :
					  c->dport.op != PF_OP_NONE ? &c->dport : NULL;

	memset(key, 0, 20);
	if (a) {
		key[0] = a->neg;
		key[1] = a->af;
		key[2] = a->plen;
		memcpy(key + 3, &a->addr, 16); /* network order: sorts as numbers */
	} else if (p) {
		key[0] = p->op;
		key[1] = p->port[0] >> 8;
		key[2] = p->port[0] & 0xff;
		key[3] = p->port[1] >> 8;
		key[4] = p->port[1] & 0xff;
	}
}

static int cmp_lay_value(const void *a, const void *b)
{
	const struct lay *x = a, *y = b;

	if (x->shape != y->shape)
		return x->shape < y->shape ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_lay_group(const void *a, const void *b)
{
	const struct lay *x = a, *y = b;
	int c;

	if (x->shape != y->shape)
		return x->shape < y->shape ? -1 : 1;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	c = memcmp(x->key, y->key, sizeof(x->key));
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Bits needed when groups are laid out from fresh words. */
static __u32 lay_bits(const struct lay *l, size_t n)
{
	__u32 bit = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i && (l[i].shape != l[i - 1].shape || l[i].group != l[i - 1].group))
			bit = (bit + 63) & ~63u;
		bit++;
	}
	return bit;
}

/*
 * Bit layout.  Rules are grouped, each group gets consecutive bits starting
 * on a fresh word, so a word never mixes groups:
 *  - by shape (the address and port fields they name, and how: see
 *    rule_shape()): a packet whose named fields miss a shape drops all of
 *    its words at the summary level, however the ruleset interleaves
 *    shapes;
 *  - inside a shape, rules sharing the value of their first named field
 *    with at least `popular` others form a group of their own, the rest
 *    one group: otherwise 5,000 rules "from the packet's source to another
 *    port" interleaved with 5,000 "from elsewhere to the packet's port"
 *    would leave every word of the shape a candidate;
 *  - inside a group, rules go to words in the order of their first named
 *    field's value (lay_key()), so the rules accepting a packet's value
 *    gather in few words whichever rule numbers they have; inside each
 *    word, bits are then put back in rule order, which is all the
 *    datapath relies on (a word's lowest quick bit is its lowest-numbered
 *    quick rule, its highest bit its last match).
 * The grouping only decides where bits go; the answer never depends on
 * it.  The finest shapes are tried first; for each, `popular` starts at
 * one word of rules and doubles until the padding fits the bit space.
 * When that does not fit even without value groups, coarser shapes are
 * tried: the 16 plain shapes without value groups always fit (PF_CLS_NSHAPES).
 */
static int layout(struct pfbpf_cls_image *img, int finest, int by_value)
{
	struct lay *l = calloc(img->nrules + 1, sizeof(*l));
	size_t i, j, n = img->nrules;
	__u32 bit = 0, popular;
	int fine, fits = 0;

	if (!l)
		return -ENOMEM;
	/* Finest shapes first; coarser ones when their padding does not fit
	 * (the 16 plain shapes always fit without value groups). */
	for (fine = finest; fine >= 0 && !fits; fine--) {
		for (i = 0; i < n; i++) {
			l[i].idx = i;
			l[i].shape = rule_shape(&img->cr[i], fine);
			l[i].value = rule_value(&img->cr[i]);
		}
		qsort(l, n, sizeof(*l), cmp_lay_value);
		for (popular = 64;; popular *= 2) {
			for (i = 0; i < n; i = j) {
				for (j = i; j < n && l[j].shape == l[i].shape && l[j].value == l[i].value; j++)
					;
				for (size_t k = i; k < j; k++)
					l[k].group = j - i >= popular && popular <= PF_MAX_RULES ?
							     l[i].value | 1ULL << 63 :
							     0;
			}
			qsort(l, n, sizeof(*l), cmp_lay_group);
			fits = lay_bits(l, n) <= PF_CLS_BITS;
			if (fits || popular > PF_MAX_RULES)
				break;
			qsort(l, n, sizeof(*l), cmp_lay_value);
		}
	}
	/* Inside a group, rules by value, so that the rules accepting a
	 * packet's value of one field gather in few words. */
	if (by_value) {
		for (i = 0; i < n; i++)
			lay_key(&img->cr[l[i].idx], l[i].key);
		qsort(l, n, sizeof(*l), cmp_lay_group);
	}
	for (i = 0; i < PF_CLS_BITS; i++)
		img->bit2rule[i] = PF_RULE_NONE;
	for (i = 0; i < n; i++) {
		if (i && (l[i].shape != l[i - 1].shape || l[i].group != l[i - 1].group))
			bit = (bit + 63) & ~63u;
		img->bit2rule[bit] = l[i].idx;
		bit++;
	}
	img->nbits = bit;
	/* The value order chose each rule's word; inside a word, rule order
	 * again: the datapath takes a word's lowest quick bit for its
	 * lowest-numbered quick rule and its highest bit for its last match
	 * (across words it compares rule numbers). */
	for (i = 0; i < bit; i += 64) {
		size_t m = 0;

		while (m < 64 && img->bit2rule[i + m] != PF_RULE_NONE)
			m++;
		qsort(&img->bit2rule[i], m, sizeof(img->bit2rule[0]), cmp_u32);
		for (j = 0; j < m; j++)
			img->pos[img->bit2rule[i + j]] = i + j;
	}
	free(l);
	return 0;
}

/* ---- per-field bitmaps --------------------------------------------- */

static int build_base(struct pfbpf_cls_image *img, __u64 *bits)
{
	unsigned dir, afi, proto;
	size_t i;
	long id;

	for (dir = 0; dir < 2; dir++)
		for (afi = 0; afi < 2; afi++)
			for (proto = 0; proto < 256; proto++) {
				__u8 af = afi ? PF_INET6 : PF_INET;

				memset(bits, 0, PF_CLS_WORDS * 8);
				for (i = 0; i < img->nrules; i++) {
					const struct cls_rule *c = &img->cr[i];

					if (c->dir != PF_INOUT && c->dir != dir + 1)
						continue;
					if (c->af && c->af != af)
						continue;
					if (c->proto && c->proto != proto)
						continue;
					bset(bits, img->pos[i]);
				}
				if ((id = bm_intern(img, bits)) < 0)
					return id;
				img->base[(dir * 2 + afi) * 256 + proto] = id;
			}
	return 0;
}

static int build_if(struct pfbpf_cls_image *img, __u64 *bits)
{
	__u32 *idx = calloc(img->nrules + 1, sizeof(*idx));
	size_t i, j, n = 0;
	long id;

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < img->nrules; i++)
		if (img->cr[i].ifkind == CLS_IF_IS || img->cr[i].ifkind == CLS_IF_NOT)
			idx[n++] = img->cr[i].ifindex;
	qsort(idx, n, sizeof(*idx), cmp_u32);
	for (i = j = 0; i < n; i++)
		if (!j || idx[j - 1] != idx[i])
			idx[j++] = idx[i];
	n = j;
	if (n > PF_CLS_MAX_IFS) {
		free(idx);
		return -EMLINK;
	}
	img->ifs = calloc(n + 1, sizeof(*img->ifs));
	if (!img->ifs) {
		free(idx);
		return -ENOMEM;
	}
	/* default: an interface no rule names */
	memset(bits, 0, PF_CLS_WORDS * 8);
	for (i = 0; i < img->nrules; i++)
		if (img->cr[i].ifkind == CLS_IF_ANY || img->cr[i].ifkind == CLS_IF_NOT)
			bset(bits, img->pos[i]);
	if ((id = bm_intern(img, bits)) < 0)
		goto out;
	img->if_default = id;
	for (j = 0; j < n; j++) {
		memset(bits, 0, PF_CLS_WORDS * 8);
		for (i = 0; i < img->nrules; i++) {
			const struct cls_rule *c = &img->cr[i];

			if (c->ifkind == CLS_IF_ANY || (c->ifkind == CLS_IF_IS && c->ifindex == idx[j]) ||
			    (c->ifkind == CLS_IF_NOT && c->ifindex != idx[j]))
				bset(bits, img->pos[i]);
		}
		if ((id = bm_intern(img, bits)) < 0)
			goto out;
		img->ifs[j].ifindex = idx[j];
		img->ifs[j].bm = id;
	}
	img->nifs = n;
	id = 0;
out:
	free(idx);
	return id;
}

struct pfx {
	__u8 plen;
	struct pf_addr addr;
	__u32 first; /* into the rule list sorted by prefix */
	__u32 count;
};

struct pfx_ref {
	__u8 plen;
	struct pf_addr addr;
	__u32 rule;
};

static int cmp_pfx_ref(const void *a, const void *b)
{
	const struct pfx_ref *x = a, *y = b;
	int c;

	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	c = memcmp(&x->addr, &y->addr, sizeof(x->addr));
	if (c)
		return c;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int cmp_pfx(const void *a, const void *b)
{
	const struct pfx *x = a, *y = b;

	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return memcmp(&x->addr, &y->addr, sizeof(x->addr));
}

/*
 * Addresses: the LPM trie returns the longest prefix P of the ruleset that
 * contains the packet's address, so P's bitmap must hold exactly the
 * address rules that accept every address whose longest prefix is P: a
 * rule on prefix R accepts them iff R contains P (R strictly inside P would
 * have been the longer match).  Negated rules are the complement.  A /0
 * root entry exists for every side and af so every lookup hits.  Rules
 * naming no address (any, or a table checked later) are in the side's
 * wildcard bitmap instead, ORed in by the datapath.
 */
static int build_addr_side(struct pfbpf_cls_image *img, __u64 *bits, unsigned side, __u8 af)
{
	struct pfx_ref *refs;
	struct pfx *pf;
	size_t i, n = 0, np = 0, e;
	unsigned maxlen = af == PF_INET ? 32 : 128, l;
	long id = 0;

	refs = calloc(img->nrules + 1, sizeof(*refs));
	pf = calloc(img->nrules + 2, sizeof(*pf));
	if (!refs || !pf) {
		id = -ENOMEM;
		goto out;
	}
	for (i = 0; i < img->nrules; i++) {
		const struct cls_addr *a = side ? &img->cr[i].dst : &img->cr[i].src;

		if (a->type != PFBPF_ADDR_MASK || a->af != af)
			continue;
		refs[n].plen = a->plen;
		refs[n].addr = a->addr;
		refs[n].rule = i;
		n++;
	}
	qsort(refs, n, sizeof(*refs), cmp_pfx_ref);
	/* the root first, then every distinct prefix */
	pf[np++] = (struct pfx){ .plen = 0 };
	for (i = 0; i < n; i++) {
		struct pfx *p = &pf[np - 1];

		if (p->plen == refs[i].plen && !memcmp(&p->addr, &refs[i].addr, sizeof(p->addr))) {
			if (!p->count)
				p->first = i;
			p->count++;
			continue;
		}
		pf[np++] = (struct pfx){ .plen = refs[i].plen, .addr = refs[i].addr, .first = i, .count = 1 };
	}
	if (img->naddrs + np > PF_CLS_MAX_PREFIXES) {
		id = -EOVERFLOW;
		goto out;
	}
	for (e = 0; e < np; e++) {
		memset(bits, 0, PF_CLS_WORDS * 8);
		for (i = 0; i < img->nrules; i++) {
			const struct cls_addr *a = side ? &img->cr[i].dst : &img->cr[i].src;

			if (a->type == PFBPF_ADDR_MASK && a->neg && a->af == af)
				bset(bits, img->pos[i]);
		}
		/* every ancestor (or equal) prefix of entry e */
		for (l = 0; l <= pf[e].plen && l <= maxlen; l++) {
			struct pfx key = { .plen = l, .addr = pf[e].addr }, *hit;
			__u32 k;

			cls_prefix_trunc(&key.addr, l);
			hit = bsearch(&key, pf, np, sizeof(*pf), cmp_pfx);
			if (!hit)
				continue;
			for (k = hit->first; k < hit->first + hit->count; k++) {
				const struct cls_rule *c = &img->cr[refs[k].rule];
				const struct cls_addr *a = side ? &c->dst : &c->src;

				if (a->neg)
					bclr(bits, img->pos[refs[k].rule]);
				else
					bset(bits, img->pos[refs[k].rule]);
			}
		}
		if ((id = bm_intern(img, bits)) < 0)
			goto out;
		img->addrs[img->naddrs].side = side;
		img->addrs[img->naddrs].af = af;
		img->addrs[img->naddrs].plen = pf[e].plen;
		img->addrs[img->naddrs].addr = pf[e].addr;
		img->addrs[img->naddrs].bm = id;
		img->naddrs++;
	}
	id = 0;
out:
	free(refs);
	free(pf);
	return id;
}

/* The rules that name no address (side 0/1) or no port (side 2/3). */
static int build_wild(struct pfbpf_cls_image *img, __u64 *bits, unsigned which)
{
	size_t i;
	long id;

	memset(bits, 0, PF_CLS_WORDS * 8);
	for (i = 0; i < img->nrules; i++) {
		const struct cls_rule *c = &img->cr[i];
		int wild;

		switch (which) {
		case 0: wild = c->src.type != PFBPF_ADDR_MASK; break;
		case 1: wild = c->dst.type != PFBPF_ADDR_MASK; break;
		case 2: wild = c->sport.op == PF_OP_NONE; break;
		default: wild = c->dport.op == PF_OP_NONE; break;
		}
		if (wild)
			bset(bits, img->pos[i]);
	}
	if ((id = bm_intern(img, bits)) < 0)
		return id;
	img->wild[which] = id;
	return 0;
}

struct port_ev {
	__u32 pos;
	__u32 rule;
	int set;
};

static int cmp_port_ev(const void *a, const void *b)
{
	const struct port_ev *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Ports: sweep the boundaries of every rule's intervals; between two
 * boundaries the bitmap is constant.  Rules with no port operator are in
 * the wildcard bitmap; a packet without ports gets the empty bitmap here,
 * so only they match it. */
static int build_port_side(struct pfbpf_cls_image *img, __u64 *bits, unsigned side)
{
	__u32 *arr = side ? img->dport : img->sport;
	struct port_ev *ev = calloc(4 * img->nrules + 1, sizeof(*ev));
	size_t i, n = 0, k = 0;
	__u32 pos, lo[2], hi[2];
	long id = 0;
	int j, m;

	if (!ev)
		return -ENOMEM;
	memset(bits, 0, PF_CLS_WORDS * 8);
	for (i = 0; i < img->nrules; i++) {
		const struct pfbpf_port_spec *p = side ? &img->cr[i].dport : &img->cr[i].sport;

		if (p->op == PF_OP_NONE)
			continue;
		m = cls_port_intervals(p, lo, hi);
		for (j = 0; j < m; j++) {
			ev[n++] = (struct port_ev){ lo[j], i, 1 };
			if (hi[j] < 65535)
				ev[n++] = (struct port_ev){ hi[j] + 1, i, 0 };
		}
	}
	arr[PF_CLS_NOPORT] = 0;
	qsort(ev, n, sizeof(*ev), cmp_port_ev);
	for (pos = 0; pos < 65536;) {
		__u32 next = 65536;

		for (; k < n && ev[k].pos == pos; k++) {
			if (ev[k].set)
				bset(bits, img->pos[ev[k].rule]);
			else
				bclr(bits, img->pos[ev[k].rule]);
		}
		if (k < n)
			next = ev[k].pos;
		if ((id = bm_intern(img, bits)) < 0)
			goto out;
		for (; pos < next; pos++)
			arr[pos] = id;
	}
	id = 0;
out:
	free(ev);
	return id;
}

static int build_flags(struct pfbpf_cls_image *img, __u64 *bits)
{
	unsigned f;
	size_t i;
	long id;

	for (f = 0; f <= PF_CLS_NOTCP; f++) {
		memset(bits, 0, PF_CLS_WORDS * 8);
		for (i = 0; i < img->nrules; i++) {
			const struct cls_rule *c = &img->cr[i];

			/* pf tests flags only on TCP packets */
			if (f == PF_CLS_NOTCP || !c->flagset || (f & c->flagset) == c->flags)
				bset(bits, img->pos[i]);
		}
		if ((id = bm_intern(img, bits)) < 0)
			return id;
		img->flags[f] = id;
	}
	return 0;
}

static int build_icmp(struct pfbpf_cls_image *img, __u64 *bits)
{
	unsigned t, code;
	size_t i;
	long notype, id;

	memset(bits, 0, PF_CLS_WORDS * 8);
	for (i = 0; i < img->nrules; i++)
		if (!img->cr[i].icmp_type)
			bset(bits, img->pos[i]);
	if ((notype = bm_intern(img, bits)) < 0)
		return notype;
	img->icmp[PF_CLS_NOICMP] = notype;
	for (t = 0; t < 256; t++) {
		int used = 0;

		for (i = 0; i < img->nrules && !used; i++)
			used = img->cr[i].icmp_type == t + 1;
		if (!used) {
			for (code = 0; code < 256; code++)
				img->icmp[t << 8 | code] = notype;
			continue;
		}
		for (code = 0; code < 256; code++) {
			memset(bits, 0, PF_CLS_WORDS * 8);
			for (i = 0; i < img->nrules; i++) {
				const struct cls_rule *c = &img->cr[i];

				if (!c->icmp_type ||
				    (c->icmp_type == t + 1 && (!c->icmp_code || c->icmp_code == code + 1)))
					bset(bits, img->pos[i]);
			}
			if ((id = bm_intern(img, bits)) < 0)
				return id;
			img->icmp[t << 8 | code] = id;
		}
	}
	return 0;
}

static const char *limit_msg(int e, char *buf, size_t len)
{
	switch (e) {
	case -E2BIG:
		snprintf(buf, len, "too many distinct rule bitmaps (limit %u per ruleset)", PF_CLS_MAX_BMS);
		break;
	case -ENOSPC:
		snprintf(buf, len, "classifier word pool full (limit %u words per ruleset)", PF_CLS_POOL_WORDS);
		break;
	case -EOVERFLOW:
		snprintf(buf, len, "too many distinct addresses (limit %u prefixes per ruleset)",
			 PF_CLS_MAX_PREFIXES);
		break;
	case -EMLINK:
		snprintf(buf, len, "too many interfaces named by rules (limit %u)", PF_CLS_MAX_IFS);
		break;
	default:
		snprintf(buf, len, "%s", strerror(-e));
		break;
	}
	return buf;
}

/* Layouts, finest first: level L >= 1 is shapes at `fine` L - 1 with
 * value order; level 0 is the 16 plain shapes in rule order. */
#define CLS_LAYOUT_LEVELS 4

static int compile_at(const struct pfbpf_rule *rules, size_t n, pfbpf_table_id_fn tid, void *arg,
		      struct pfbpf_cls_image **out, char *err, size_t errlen, int level)
{
	struct pfbpf_cls_image *img;
	__u64 *bits = NULL;
	size_t i;
	int e;

	*out = NULL;
	if (n > PF_MAX_RULES) {
		seterr(err, errlen, "too many rules: %zu (limit %u per ruleset)", n, PF_MAX_RULES);
		return -E2BIG;
	}
	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->nrules = n;
	img->rb = calloc(n + 1, sizeof(*img->rb));
	img->cr = calloc(n + 1, sizeof(*img->cr));
	img->pos = calloc(n + 1, sizeof(*img->pos));
	img->bit2rule = calloc(PF_CLS_BITS, sizeof(*img->bit2rule));
	img->bms = calloc(PF_CLS_MAX_BMS, sizeof(*img->bms));
	img->pool = calloc(PF_CLS_POOL_WORDS, sizeof(*img->pool));
	img->hash = calloc(PF_CLS_HASH_SIZE, sizeof(*img->hash));
	img->hash_key = calloc(PF_CLS_HASH_SIZE, sizeof(*img->hash_key));
	img->addrs = calloc(PF_CLS_MAX_PREFIXES + 1, sizeof(*img->addrs));
	bits = calloc(PF_CLS_WORDS, sizeof(*bits));
	if (!img->rb || !img->cr || !img->pos || !img->bit2rule || !img->bms || !img->pool || !img->hash || !img->hash_key ||
	    !img->addrs || !bits) {
		e = -ENOMEM;
		seterr(err, errlen, "out of memory compiling the ruleset");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if ((e = rule_normalise(&rules[i], i, &img->cr[i], tid, arg, err, errlen)))
			goto fail;
		if ((e = pfbpf_cls_rule_bpf(&rules[i], tid, arg, &img->rb[i]))) {
			seterr(err, errlen, "rule %zu: %s", i, strerror(-e));
			goto fail;
		}
	}
	img->layout = level;
	if ((e = layout(img, level ? level - 1 : 0, level > 0))) {
		seterr(err, errlen, "out of memory compiling the ruleset");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		__u32 b = img->pos[i];

		if (img->cr[i].quick)
			img->words[b / 64].quick |= 1ULL << (b % 64);
		if (img->cr[i].src.type == PFBPF_ADDR_TABLE || img->cr[i].dst.type == PFBPF_ADDR_TABLE)
			img->words[b / 64].tbl |= 1ULL << (b % 64);
	}
	/* id 0: the empty bitmap, what an unwritten map entry means */
	memset(bits, 0, PF_CLS_WORDS * 8);
	if ((e = bm_intern(img, bits)) < 0)
		goto limit;
	if ((e = build_base(img, bits)) || (e = build_if(img, bits)) ||
	    (e = build_addr_side(img, bits, 0, PF_INET)) || (e = build_addr_side(img, bits, 0, PF_INET6)) ||
	    (e = build_addr_side(img, bits, 1, PF_INET)) || (e = build_addr_side(img, bits, 1, PF_INET6)) ||
	    (e = build_port_side(img, bits, 0)) || (e = build_port_side(img, bits, 1)) ||
	    (e = build_flags(img, bits)) || (e = build_icmp(img, bits)) || (e = build_wild(img, bits, 0)) ||
	    (e = build_wild(img, bits, 1)) || (e = build_wild(img, bits, 2)) || (e = build_wild(img, bits, 3)))
		goto limit;
	free(bits);
	free(img->hash);
	free(img->hash_key);
	img->hash = NULL;
	img->hash_key = NULL;
	*out = img;
	return 0;
limit: {
	char why[128];

	seterr(err, errlen, "ruleset of %zu rules: %s", n, limit_msg(e, why, sizeof(why)));
}
fail:
	free(bits);
	pfbpf_cls_free(img);
	return e;
}

int pfbpf_cls_set_tprofiles(struct pfbpf_cls_image *img, const struct pfbpf_rule *rules,
			    pfbpf_tprofile_fn fn, void *arg)
{
	size_t i;
	int t;

	for (i = 0; i < img->nrules; i++) {
		t = fn(&rules[i], arg);
		if (t < 0)
			return t;
		if (t >= PF_MAX_TPROFILES)
			return -ERANGE;
		img->rb[i].tprofile = t;
	}
	return 0;
}

void pfbpf_cls_set_rids(struct pfbpf_cls_image *img, const __u32 *rids, size_t n)
{
	for (size_t i = 0; i < img->nrules && i < n; i++)
		img->rb[i].rid = rids[i];
}

void pfbpf_cls_free(struct pfbpf_cls_image *img)
{
	if (!img)
		return;
	free(img->rb);
	free(img->cr);
	free(img->pos);
	free(img->bit2rule);
	free(img->bms);
	free(img->pool);
	free(img->hash);
	free(img->hash_key);
	free(img->addrs);
	free(img->ifs);
	free(img);
}

void pfbpf_cls_stats(const struct pfbpf_cls_image *img, struct pfbpf_cls_stats *st)
{
	st->nrules = img->nrules;
	st->nbms = img->nbms;
	st->npool = img->npool;
	st->nprefixes = img->naddrs;
	st->nifs = img->nifs;
	st->layout = img->layout;
}

/*
 * Finer layouts spread some bitmaps over more words (padding between
 * shapes), so a ruleset near the word pool's capacity may fit only a
 * coarser one: each is tried in turn, down to the plain layout, so a
 * ruleset never fails to compile for want of room that a coarser layout
 * would have had.  Other errors do not depend on the layout.
 */
int pfbpf_cls_compile(const struct pfbpf_rule *rules, size_t n, pfbpf_table_id_fn tid, void *arg,
		      struct pfbpf_cls_image **out, char *err, size_t errlen)
{
	int level, e = -EINVAL;

	for (level = CLS_LAYOUT_LEVELS - 1; level >= 0; level--) {
		e = compile_at(rules, n, tid, arg, out, err, errlen, level);
		if (e != -ENOSPC)
			break;
	}
	return e;
}
