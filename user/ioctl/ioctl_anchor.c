// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_anchor.c - anchors in the datapath: the ruleset the classifier
 * compiles is the main ruleset with every anchor call replaced by the rules
 * of the anchor it calls (recursively), restricted by the anchor rule's own
 * filter.  The datapath walks one flat list with pf's last-match/quick
 * semantics, which is what pf's nested evaluation amounts to:
 *
 *  - a rule inside an anchor is evaluated at the anchor call's position,
 *    only for packets the anchor rule matches (its filter intersected into
 *    each rule of the anchor);
 *  - `quick` inside an anchor ends the whole evaluation, as in pf;
 *  - `anchor "x" quick`: if a rule of x matched, evaluation ends after x
 *    with x's last matching rule.  In a flat list that is "the first
 *    matching quick rule of x, else the last matching other rule of x",
 *    i.e. x's quick rules in order followed by its other rules in reverse
 *    order, all made quick;
 *  - a wildcard call (anchor "x/" and a star) calls every child anchor of x,
 *    in name order.
 *
 * Every flat rule remembers where it came from (ruleset path, rule number
 * and the anchor calls that brought it in), so counters and states stay
 * attributable to pfctl's per-ruleset rule numbers.
 */
#include <errno.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"

PFBPF_ASSERT(sizeof(struct pfbpf_rule) >= PFBPF_ANCHOR_MAXLEN,
	     "an anchor call name must fit in the rule store's value");

void ctl_flat_free(struct ctl_flat *f)
{
	free(f->r);
	free(f->o);
	free(f->calls);
	free(f->xr);
	free(f->xo);
	free(f->xowner);
	memset(f, 0, sizeof(*f));
}

/* ---- the intersection of a rule with an anchor rule's filter ----------- */

struct isect {
	char *why;
	size_t len;
};

/* 1: rule restricted in place, 0: the rule can never match under the
 * call (dropped), -1: the intersection is not one rule (why says what). */
static int nope(struct isect *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, x->len, fmt, ap);
	va_end(ap);
	return -1;
}

static int isect_u8(__u8 *r, __u8 c)
{
	if (!c)
		return 1;
	if (!*r)
		*r = c;
	return *r == c;
}

static int isect_iface(struct pfbpf_rule *r, const struct pfbpf_rule *c, struct isect *x)
{
	if (!c->ifname[0])
		return 1;
	if (!r->ifname[0]) {
		memcpy(r->ifname, c->ifname, sizeof(r->ifname));
		r->ifnot = c->ifnot;
		return 1;
	}
	if (!strncmp(r->ifname, c->ifname, sizeof(r->ifname)))
		return r->ifnot == c->ifnot;
	if (!c->ifnot && !r->ifnot)
		return 0;
	if (!c->ifnot) { /* on a, rule on ! b: on a */
		memcpy(r->ifname, c->ifname, sizeof(r->ifname));
		r->ifnot = 0;
		return 1;
	}
	if (!r->ifnot) /* on ! a, rule on b: on b */
		return 1;
	return nope(x, "'on ! %s' and 'on ! %s' together", c->ifname, r->ifname);
}

static int prefix_has(const struct pfbpf_addr_spec *a, const struct pfbpf_addr_spec *b)
{
	/* Does network a contain network b?  (same af) */
	if (a->prefixlen > b->prefixlen)
		return 0;
	for (int i = 0, left = a->prefixlen; left > 0; i++, left -= 8) {
		__u8 m = left >= 8 ? 0xff : (__u8)(0xff << (8 - left));

		if ((a->addr.addr8[i] ^ b->addr.addr8[i]) & m)
			return 0;
	}
	return 1;
}

static void addr_str(const struct pfbpf_addr_spec *a, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	buf[0] = 0;
	if (!f)
		return;
	if (a->neg)
		fputs("! ", f);
	if (a->type == PFBPF_ADDR_TABLE) {
		fprintf(f, "<%s>", a->table);
	} else if (a->type == PFBPF_ADDR_MASK) {
		char s[INET6_ADDRSTRLEN];

		inet_ntop(a->af == PF_INET6 ? AF_INET6 : AF_INET, &a->addr, s, sizeof(s));
		fprintf(f, "%s/%u", s, a->prefixlen);
	} else {
		fputs("any", f);
	}
	fclose(f);
}

static int isect_addr(struct pfbpf_addr_spec *r, const struct pfbpf_addr_spec *c,
		      const char *side, struct isect *x)
{
	const struct pfbpf_addr_spec *keep;
	char cs[128], rs[128];
	int rin, cin, disjoint;

	if (c->type == PFBPF_ADDR_ANY && !c->neg)
		return 1;
	if (r->type == PFBPF_ADDR_ANY && !r->neg) {
		*r = *c;
		return 1;
	}
	if (!memcmp(r, c, sizeof(*r)))
		return 1;
	addr_str(c, cs, sizeof(cs));
	addr_str(r, rs, sizeof(rs));
	if (r->type != PFBPF_ADDR_MASK || c->type != PFBPF_ADDR_MASK)
		return nope(x, "'%s %s' and '%s %s' together", side, cs, side, rs);
	if (r->af != c->af)
		return 0;
	rin = prefix_has(c, r); /* r inside c */
	cin = prefix_has(r, c); /* c inside r */
	disjoint = !rin && !cin;
	if (!r->neg && !c->neg) {
		if (disjoint)
			return 0;
		keep = rin ? r : c;
	} else if (!r->neg) { /* r and not c */
		if (rin)
			return 0;
		if (!disjoint)
			return nope(x, "'%s %s' and '%s %s' together", side, cs, side, rs);
		keep = r;
	} else if (!c->neg) { /* c and not r */
		if (cin)
			return 0;
		if (!disjoint)
			return nope(x, "'%s %s' and '%s %s' together", side, cs, side, rs);
		keep = c;
	} else { /* not r and not c: not (r or c) */
		if (cin)
			keep = r;
		else if (rin)
			keep = c;
		else
			return nope(x, "'%s %s' and '%s %s' together", side, cs, side, rs);
	}
	if (keep != r)
		*r = *keep;
	return 1;
}

/* Ports as at most two closed intervals of 0..65535. */
struct ivl {
	int lo, hi;
};

static int port_ivls(const struct pfbpf_port_spec *p, struct ivl *v)
{
	int a = p->port[0], b = p->port[1], n = 0;

#define IVL(l, h) do { if ((l) <= (h)) { v[n].lo = (l); v[n].hi = (h); n++; } } while (0)
	switch (p->op) {
	case PF_OP_EQ: IVL(a, a); break;
	case PF_OP_NE: IVL(0, a - 1); IVL(a + 1, 65535); break;
	case PF_OP_LT: IVL(0, a - 1); break;
	case PF_OP_LE: IVL(0, a); break;
	case PF_OP_GT: IVL(a + 1, 65535); break;
	case PF_OP_GE: IVL(a, 65535); break;
	case PF_OP_IRG: IVL(a + 1, b - 1); break;
	case PF_OP_XRG: IVL(0, a - 1); IVL(b + 1, 65535); break;
	case PF_OP_RRG: IVL(a, b); break;
	default: IVL(0, 65535); break;
	}
#undef IVL
	return n;
}

static int isect_port(struct pfbpf_port_spec *r, const struct pfbpf_port_spec *c,
		      const char *side, struct isect *x)
{
	struct ivl a[2], b[2], o[4];
	int na, nb, n = 0;

	if (c->op == PF_OP_NONE || !memcmp(r, c, sizeof(*r)))
		return 1;
	if (r->op == PF_OP_NONE) {
		*r = *c;
		return 1;
	}
	na = port_ivls(r, a);
	nb = port_ivls(c, b);
	/* Both lists are sorted and disjoint, so the pairwise intersections
	 * come out sorted and disjoint too. */
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++) {
			int lo = a[i].lo > b[j].lo ? a[i].lo : b[j].lo;
			int hi = a[i].hi < b[j].hi ? a[i].hi : b[j].hi;

			if (lo <= hi)
				o[n++] = (struct ivl){ lo, hi };
		}
	memset(r, 0, sizeof(*r));
	if (!n)
		return 0;
	if (n == 1) {
		if (o[0].lo == 0 && o[0].hi == 65535) {
			r->op = PF_OP_NONE;
		} else if (o[0].lo == o[0].hi) {
			r->op = PF_OP_EQ;
			r->port[0] = o[0].lo;
		} else {
			r->op = PF_OP_RRG;
			r->port[0] = o[0].lo;
			r->port[1] = o[0].hi;
		}
		return 1;
	}
	if (n == 2 && o[0].lo == 0 && o[1].hi == 65535) {
		if (o[0].hi + 2 == o[1].lo) {
			r->op = PF_OP_NE;
			r->port[0] = o[0].hi + 1;
		} else {
			r->op = PF_OP_XRG;
			r->port[0] = o[0].hi + 1;
			r->port[1] = o[1].lo - 1;
		}
		return 1;
	}
	return nope(x, "the %s ports of both rules together are not one port range", side);
}

int ctl_rule_restrict(struct pfbpf_rule *r, const struct pfbpf_rule *c, char *why, size_t len)
{
	struct isect x = { why, len };
	int ret;

	why[0] = 0;
	if (c->direction != PF_INOUT) {
		if (r->direction == PF_INOUT)
			r->direction = c->direction;
		else if (r->direction != c->direction)
			return 0;
	}
	if (!isect_u8(&r->af, c->af) || !isect_u8(&r->proto, c->proto) ||
	    !isect_u8(&r->icmp_type, c->icmp_type) || !isect_u8(&r->icmp_code, c->icmp_code))
		return 0;
	if ((ret = isect_iface(r, c, &x)) <= 0)
		return ret;
	if ((ret = isect_addr(&r->src, &c->src, "from", &x)) <= 0 ||
	    (ret = isect_addr(&r->dst, &c->dst, "to", &x)) <= 0)
		return ret;
	/* The addresses may have brought an address family. */
	for (int i = 0; i < 2; i++) {
		const struct pfbpf_addr_spec *a = i ? &r->dst : &r->src;

		if (a->type == PFBPF_ADDR_MASK && !isect_u8(&r->af, a->af))
			return 0;
	}
	if ((ret = isect_port(&r->sport, &c->sport, "source", &x)) <= 0 ||
	    (ret = isect_port(&r->dport, &c->dport, "destination", &x)) <= 0)
		return ret;
	if (c->flagset) {
		/* flags F/M and f/m both hold: they agree on the bits both
		 * look at, and together are (F|f)/(M|m). */
		if ((c->flags & r->flagset) != (r->flags & c->flagset))
			return 0;
		r->flags |= c->flags;
		r->flagset |= c->flagset;
	}
	/* pfctl's default flags S/SA on `pass` rules concern TCP only: an
	 * anchor rule that narrows the protocol to another one drops them,
	 * so the expanded rule reads as pfctl would have written it. */
	if (r->proto && r->proto != IPPROTO_TCP)
		r->flags = r->flagset = 0;
	return 1;
}

/* ---- the flat ruleset --------------------------------------------------- */

struct flat_ctx {
	struct pfbpf_handle *h;
	const struct ctl_rs *over; /* rulesets replacing the active text */
	size_t nover;
	struct ctl_flat *f;
	size_t cap, callcap;
	__u32 seq;
	__u32 chain[CTL_ANCHOR_DEPTH]; /* calls being expanded */
	__u32 depth;
};

static int flat_push(struct flat_ctx *x, const struct pfbpf_rule *r, const char *path, __u32 nr)
{
	struct ctl_flat *f = x->f;
	struct ctl_origin *o;

	if (f->n >= PF_MAX_RULES)
		return ctl_fail(x->h, -ENOSPC, "more than %d rules once anchors are expanded",
				PF_MAX_RULES);
	if (f->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;
		void *p = realloc(f->r, cap * sizeof(*f->r));

		if (!p)
			return -ENOMEM;
		f->r = p;
		p = realloc(f->o, cap * sizeof(*f->o));
		if (!p)
			return -ENOMEM;
		f->o = p;
		x->cap = cap;
	}
	f->r[f->n] = *r;
	o = &f->o[f->n];
	memset(o, 0, sizeof(*o));
	snprintf(o->anchor, sizeof(o->anchor), "%s", path);
	o->nr = nr;
	o->seq = x->seq++;
	o->ncalls = x->depth;
	memcpy(o->calls, x->chain, sizeof(o->calls));
	f->n++;
	return 0;
}

static int call_push(struct flat_ctx *x, const char *path, __u32 nr, __u32 *id)
{
	struct ctl_flat *f = x->f;
	struct ctl_call *c;

	if (f->ncalls == x->callcap) {
		size_t cap = x->callcap ? 2 * x->callcap : 16;
		struct ctl_call *nc = realloc(f->calls, cap * sizeof(*nc));

		if (!nc)
			return -ENOMEM;
		f->calls = nc;
		x->callcap = cap;
	}
	c = &f->calls[f->ncalls];
	memset(c, 0, sizeof(*c));
	snprintf(c->anchor, sizeof(c->anchor), "%s", path);
	c->nr = nr;
	c->seq = x->seq;
	*id = f->ncalls++;
	return 0;
}

/* The rules of one ruleset: the transaction's or DIOCCHANGERULE's version
 * if it has one, else the active one. */
static int rs_load(struct flat_ctx *x, const char *path, struct ctl_rs *rs, bool *owned)
{
	int err;

	for (size_t i = 0; i < x->nover; i++)
		if (!strcmp(x->over[i].anchor, path)) {
			*rs = x->over[i];
			*owned = false;
			return 0;
		}
	memset(rs, 0, sizeof(*rs));
	snprintf(rs->anchor, sizeof(rs->anchor), "%s", path);
	*owned = true;
	if ((err = ctl_xrules_load(x->h, XR_ACTIVE, path, &rs->r, &rs->n)))
		return err;
	return ctl_xcalls_load(x->h, XR_ACTIVE, path, rs->n, &rs->call);
}

static void rs_free(struct ctl_rs *rs)
{
	free(rs->r);
	free(rs->call);
}

/* "a/b" + "c" = "a/b/c"; "/c" is absolute, as in pf. */
static int call_path(struct flat_ctx *x, const char *from, const char *call, char *out)
{
	int n;

	if (call[0] == '/' || !from[0])
		n = snprintf(out, PFBPF_ANCHOR_MAXLEN, "%s", call + (call[0] == '/'));
	else
		n = snprintf(out, PFBPF_ANCHOR_MAXLEN, "%s/%s", from, call);
	if (n >= PFBPF_ANCHOR_MAXLEN)
		return ctl_fail(x->h, -ENAMETOOLONG, "anchor path \"%s/%s\" is too long", from,
				call);
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Direct children of base among the stored rulesets and the overrides:
 * what a wildcard call `anchor "base/..."` reaches, in pf's (name) order. */
static int children(struct flat_ctx *x, const char *base, char ***out, size_t *n)
{
	struct pfbpf_xrule_key k, next;
	size_t blen = strlen(base), cnt = 0;
	char **names = NULL;
	int fd = ctl_map(x->h, PFM_XRULES);
	bool first = true;

	*out = NULL;
	*n = 0;
	for (size_t i = 0;; i++) {
		const char *p, *rest, *slash;
		char buf[PFBPF_ANCHOR_MAXLEN];
		size_t len;
		bool dup = false;

		if (i < x->nover) {
			p = x->over[i].anchor;
		} else {
			if (fd < 0 || bpf_map_get_next_key(fd, first ? NULL : &k, &next))
				break;
			first = false;
			k = next;
			if (k.area != XR_ACTIVE)
				continue;
			memcpy(buf, k.anchor, sizeof(buf));
			buf[sizeof(buf) - 1] = 0;
			p = buf;
		}
		if (blen && (strncmp(p, base, blen) || p[blen] != '/'))
			continue;
		rest = p + blen + !!blen;
		if (!*rest)
			continue;
		slash = strchr(rest, '/');
		len = slash ? (size_t)(slash - rest) : strlen(rest);
		for (size_t j = 0; j < cnt && !dup; j++)
			dup = strlen(names[j]) == len && !strncmp(names[j], rest, len);
		if (dup)
			continue;
		char **nn = realloc(names, (cnt + 1) * sizeof(*names));

		if (!nn)
			goto nomem;
		names = nn;
		if (!(names[cnt] = strndup(rest, len)))
			goto nomem;
		cnt++;
	}
	if (cnt)
		qsort(names, cnt, sizeof(*names), str_cmp);
	*out = names;
	*n = cnt;
	return 0;
nomem:
	for (size_t j = 0; j < cnt; j++)
		free(names[j]);
	free(names);
	return -ENOMEM;
}

static int flat_ruleset(struct flat_ctx *x, const char *path);

static int flat_call(struct flat_ctx *x, const char *path, const struct pfbpf_rule *cr,
		     const char *callname)
{
	struct ctl_flat *f = x->f;
	char full[PFBPF_ANCHOR_MAXLEN], why[256];
	__u32 start = f->n, j, id;
	size_t len;
	int err;

	if (x->depth >= CTL_ANCHOR_DEPTH)
		return ctl_fail(x->h, -ELOOP, "anchor calls nested deeper than %d (at anchor \"%s\")",
				CTL_ANCHOR_DEPTH, path[0] ? path : "main ruleset");
	if ((err = call_path(x, path, callname, full)) || (err = call_push(x, path, cr->nr, &id)))
		return err;
	x->chain[x->depth++] = id;
	len = strlen(full);
	if (len >= 1 && full[len - 1] == '*' && (len == 1 || full[len - 2] == '/')) {
		char **names;
		size_t n;

		full[len > 1 ? len - 2 : 0] = 0;
		if ((err = children(x, full, &names, &n)))
			return err;
		for (size_t i = 0; i < n; i++) {
			char sub[PFBPF_ANCHOR_MAXLEN];

			if (!err && snprintf(sub, sizeof(sub), "%s%s%s", full, full[0] ? "/" : "",
					     names[i]) >= (int)sizeof(sub))
				err = ctl_fail(x->h, -ENAMETOOLONG, "anchor path too long");
			if (!err)
				err = flat_ruleset(x, sub);
			free(names[i]);
		}
		free(names);
	} else {
		err = flat_ruleset(x, full);
	}
	x->depth--;
	if (err)
		return err;
	/* The anchor rule's filter restricts every rule it brought in. */
	for (__u32 i = j = start; i < f->n; i++) {
		int ret = ctl_rule_restrict(&f->r[i], cr, why, sizeof(why));

		if (ret < 0)
			return ctl_fail(x->h, -EINVAL,
					"rule %u of anchor \"%s\" under the anchor rule %u of %s%s%s: "
					"%s cannot be expressed as one rule",
					f->o[i].nr, f->o[i].anchor[0] ? f->o[i].anchor : "main",
					cr->nr, path[0] ? "anchor \"" : "the main ruleset",
					path, path[0] ? "\"" : "", why);
		if (!ret)
			continue;
		if (j != i) {
			f->r[j] = f->r[i];
			f->o[j] = f->o[i];
		}
		j++;
	}
	f->n = j;
	if (cr->quick && f->n - start > 1) {
		/* Quick rules first (in order), then the others last-first. */
		struct pfbpf_rule *r = malloc((f->n - start) * sizeof(*r));
		struct ctl_origin *o = malloc((f->n - start) * sizeof(*o));
		__u32 k = 0;

		if (!r || !o) {
			free(r);
			free(o);
			return -ENOMEM;
		}
		for (__u32 i = start; i < f->n; i++)
			if (f->r[i].quick) {
				r[k] = f->r[i];
				o[k++] = f->o[i];
			}
		for (__u32 i = f->n; i-- > start;)
			if (!f->r[i].quick) {
				r[k] = f->r[i];
				o[k++] = f->o[i];
			}
		memcpy(&f->r[start], r, k * sizeof(*r));
		memcpy(&f->o[start], o, k * sizeof(*o));
		free(r);
		free(o);
	}
	if (cr->quick)
		for (__u32 i = start; i < f->n; i++)
			f->r[i].quick = 1;
	return 0;
}

static int flat_ruleset(struct flat_ctx *x, const char *path)
{
	struct ctl_rs rs;
	bool owned;
	int err = rs_load(x, path, &rs, &owned);

	for (__u32 i = 0; !err && i < rs.n; i++) {
		if (rs.call && rs.call[i][0])
			err = flat_call(x, path, &rs.r[i], rs.call[i]);
		else
			err = flat_push(x, &rs.r[i], path, i);
	}
	if (owned)
		rs_free(&rs);
	return err;
}

int ctl_flatten(struct pfbpf_handle *h, const struct ctl_rs *over, size_t nover,
		struct ctl_flat *out)
{
	struct flat_ctx x = { .h = h, .over = over, .nover = nover, .f = out };
	int err;

	memset(out, 0, sizeof(*out));
	err = flat_ruleset(&x, "");
	/* `($if)` resolved, translation rules apart (ioctl_natcompile.c):
	 * what is left is what the classifier decides with. */
	if (!err)
		err = ctl_flat_split(h, out);
	if (err) {
		ctl_flat_free(out);
		return err;
	}
	/* The datapath numbers its rules (states, counters) by position in
	 * the flat list; the per-ruleset numbers live on in out->o. */
	for (__u32 i = 0; i < out->n; i++)
		out->r[i].nr = i;
	/* Where each anchor call sits in the flat list (for its evaluations):
	 * the number of flat rules that came before it. */
	for (__u32 c = 0; c < out->ncalls; c++) {
		__u32 pos = 0;

		for (__u32 i = 0; i < out->n; i++)
			pos += out->o[i].seq < out->calls[c].seq;
		out->calls[c].pos = pos;
	}
	return 0;
}

/* The flat form of the active ruleset, computed once per ruleset generation. */
int ctl_flat_active(struct pfbpf_handle *h, const struct ctl_flat **out)
{
	struct pf_config cfg;
	int err;

	if ((err = ctl_cfg_read(h, &cfg)))
		return err;
	if (!h->flat_valid || h->flat_gen != cfg.ruleset_gen) {
		ctl_flat_free(&h->flat);
		h->flat_valid = false;
		h->dynif_lenient = true;
		err = ctl_flatten(h, NULL, 0, &h->flat);
		h->dynif_lenient = false;
		if (err)
			return err;
		h->flat_valid = true;
		h->flat_gen = cfg.ruleset_gen;
	}
	*out = &h->flat;
	return 0;
}

/* Does flat rule i come from (anchor, nr), itself or through that call? */
bool ctl_flat_from(const struct ctl_flat *f, __u32 i, const char *anchor, __u32 nr)
{
	const struct ctl_origin *o = &f->o[i];

	if (o->nr == nr && !strcmp(o->anchor, anchor))
		return true;
	for (__u32 d = 0; d < o->ncalls; d++) {
		const struct ctl_call *c = &f->calls[o->calls[d]];

		if (c->nr == nr && !strcmp(c->anchor, anchor))
			return true;
	}
	return false;
}

int ctl_flat_record(struct pfbpf_handle *h, const struct ctl_flat *f, __u32 slot)
{
	struct pfbpf_xflat_key k = { .slot = slot, .idx = PFBPF_XFLAT_COUNT };
	struct pfbpf_xflat v = {};
	__u32 old = 0;
	int fd = ctl_map(h, PFM_XFLAT);

	if (fd < 0)
		return fd;
	if (!bpf_map_lookup_elem(fd, &k, &v))
		old = v.nr;
	for (k.idx = 0; k.idx < f->n; k.idx++) {
		memset(&v, 0, sizeof(v));
		v.nr = f->o[k.idx].nr;
		v.rid = h->rids && k.idx < h->nrids ? h->rids[k.idx] : 0;
		memcpy(v.anchor, f->o[k.idx].anchor, sizeof(v.anchor));
		if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
			return ctl_fail(h, -errno, "recording the origin of rule %u: %s", k.idx,
					strerror(errno));
	}
	for (; k.idx < old; k.idx++)
		bpf_map_delete_elem(fd, &k);
	memset(&v, 0, sizeof(v));
	v.nr = f->n;
	k.idx = PFBPF_XFLAT_COUNT;
	if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
		return ctl_fail(h, -errno, "recording the rule origins: %s", strerror(errno));
	return h->rids ? ctl_rid_record(h, f, slot, h->rids, h->nrids) : 0;
}

/* Both slots' origins into the handle, once per ruleset generation. */
int ctl_flat_origins(struct pfbpf_handle *h)
{
	struct pf_config cfg;
	int err, fd;

	if ((err = ctl_cfg_read(h, &cfg)))
		return err;
	if (h->origin_valid && h->origin_gen == cfg.ruleset_gen)
		return 0;
	h->origin_valid = false;
	fd = ctl_map(h, PFM_XFLAT);
	if (fd < 0) {
		pf_xflat_free(&h->origins);
		return fd;
	}
	if ((err = pf_xflat_read(fd, &h->origins)))
		return err;
	h->origin_valid = true;
	h->origin_gen = cfg.ruleset_gen;
	return 0;
}
