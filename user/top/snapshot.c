// SPDX-License-Identifier: BSD-2-Clause
/*
 * snapshot.c - one walk of the pinned state table for pftop_bpf.
 *
 * The table may hold a million states while a screen shows fifty, so the
 * walk reads the LRU hash in batches (bpf_map_lookup_batch), turns each
 * state into a row, drops it when the filter says so, and keeps only the
 * max_rows best rows for the sort order in a bounded heap.  The only
 * per-state memory kept between walks is what rates need: id -> bytes and
 * peak, in an open-addressing table rebuilt by every walk (so states that
 * died leave it).  Expiry is pf_timeout.h's, the datapath's own rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "pf_timeout.h"
#include "lib/pfbpf_maps.h"
#include "lib/pin_open.h"
#include "lib/pf_xflat.h"
#include "lib/entry_check.h"
#include "top/top.h"
#include "top/filter.h"

#define BATCH 4096

struct seen {
	__u64 id;     /* 0: empty slot (state ids start at 1) */
	__u64 bytes;
	double peak;
};

struct seen_table {
	struct seen *v;
	size_t cap;   /* power of two */
};

struct top_ctx {
	struct pfbpf_maps m;
	struct seen_table seen;
	double last;  /* CLOCK_MONOTONIC seconds of the previous walk, 0 = none */
	int xflat_fd;
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static __u32 boot_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u32)ts.tv_sec;
}

struct top_ctx *top_open(const char *pin_dir, int *err)
{
	struct top_ctx *c = calloc(1, sizeof(*c));
	char path[PATH_MAX + 32];

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = pfbpf_maps_open_dir(&c->m, pin_dir);
	if (*err) {
		free(c);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", c->m.pin_dir, PFBPF_MAP_XFLAT);
	c->xflat_fd = bpf_obj_get(path); /* absent until a ruleset with anchors */
	return c;
}

const char *top_strerror(int err, const char *pin_dir)
{
	return pfbpf_pin_strerror(err, pin_dir);
}

void top_close(struct top_ctx *c)
{
	if (!c)
		return;
	if (c->xflat_fd >= 0)
		close(c->xflat_fd);
	pfbpf_maps_close(&c->m);
	free(c->seen.v);
	free(c);
}

/* ---- the id -> bytes table ---------------------------------------------- */

static size_t slot_of(__u64 id, size_t cap)
{
	/* ids are sequential per creator: mix before masking */
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

static const struct seen *seen_find(const struct seen_table *t, __u64 id)
{
	if (!t->cap)
		return NULL;
	for (size_t i = slot_of(id, t->cap);; i = (i + 1) & (t->cap - 1)) {
		if (!t->v[i].id)
			return NULL;
		if (t->v[i].id == id)
			return &t->v[i];
	}
}

static void seen_put(struct seen_table *t, __u64 id, __u64 bytes, double peak)
{
	size_t i = slot_of(id, t->cap);

	while (t->v[i].id && t->v[i].id != id)
		i = (i + 1) & (t->cap - 1);
	t->v[i] = (struct seen){ .id = id, .bytes = bytes, .peak = peak };
}

/* ---- ordering --------------------------------------------------------------- */

static const char *const order_names[TOP_O_MAX] = {
	"none", "age", "bytes", "dest", "dport", "exp", "peak", "pkt", "rate", "size", "sport", "src",
};

const char *top_order_name(enum top_order o)
{
	return o < TOP_O_MAX ? order_names[o] : "?";
}

int top_order_lookup(const char *name)
{
	for (int i = 0; i < TOP_O_MAX; i++)
		if (!strcmp(name, order_names[i]))
			return i;
	return -1;
}

static int addr_cmp(const struct top_row *a, const struct top_row *b, bool dst)
{
	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return memcmp(dst ? &a->dst : &a->src, dst ? &b->dst : &b->src,
		      a->af == PF_INET ? 4 : 16);
}

#define DESC(x, y) ((x) > (y) ? -1 : (x) < (y) ? 1 : 0)
#define ASC(x, y) ((x) < (y) ? -1 : (x) > (y) ? 1 : 0)

int top_row_cmp(const struct top_row *a, const struct top_row *b, enum top_order o, bool reverse)
{
	int c = 0;

	switch (o) {
	case TOP_O_NONE:
		c = 0;
		break;
	case TOP_O_AGE:
		c = DESC(a->age, b->age);
		break;
	case TOP_O_BYTES:
	case TOP_O_SIZE:
		c = DESC(a->bytes, b->bytes);
		break;
	case TOP_O_PKT:
		c = DESC(a->packets, b->packets);
		break;
	case TOP_O_RATE:
		c = DESC(a->rate, b->rate);
		break;
	case TOP_O_PEAK:
		c = DESC(a->peak, b->peak);
		break;
	case TOP_O_EXP:
		c = ASC(a->expires, b->expires);
		break;
	case TOP_O_SRC:
		c = addr_cmp(a, b, false);
		break;
	case TOP_O_DEST:
		c = addr_cmp(a, b, true);
		break;
	case TOP_O_SPORT:
		c = ASC(a->sport, b->sport);
		break;
	case TOP_O_DPORT:
		c = ASC(a->dport, b->dport);
		break;
	case TOP_O_MAX:
		break;
	}
	/* A stable, total order: ties by id, so rows do not jump between
	 * refreshes. */
	if (!c)
		c = ASC(a->id, b->id);
	return reverse ? -c : c;
}

struct cmp_arg {
	enum top_order o;
	bool reverse;
};

static int qcmp(const void *a, const void *b, void *arg)
{
	const struct cmp_arg *ca = arg;

	return top_row_cmp(a, b, ca->o, ca->reverse);
}

/* The heap keeps the worst kept row at the root: a new row replaces it
 * when it sorts before it. */
static void heap_down(struct top_row *h, size_t n, size_t i, const struct cmp_arg *ca)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;

		if (l < n && top_row_cmp(&h[l], &h[w], ca->o, ca->reverse) > 0)
			w = l;
		if (r < n && top_row_cmp(&h[r], &h[w], ca->o, ca->reverse) > 0)
			w = r;
		if (w == i)
			return;
		struct top_row t = h[i];
		h[i] = h[w];
		h[w] = t;
		i = w;
	}
}

static void heap_up(struct top_row *h, size_t i, const struct cmp_arg *ca)
{
	while (i) {
		size_t p = (i - 1) / 2;

		if (top_row_cmp(&h[i], &h[p], ca->o, ca->reverse) <= 0)
			return;
		struct top_row t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

static int keep(struct top_snapshot *s, const struct top_row *r, size_t max,
		const struct cmp_arg *ca)
{
	if (max && s->n == max) {
		if (top_row_cmp(r, &s->rows[0], ca->o, ca->reverse) < 0) {
			s->rows[0] = *r;
			heap_down(s->rows, s->n, 0, ca);
		}
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct top_row *v;

		if (max && cap > max)
			cap = max;
		v = realloc(s->rows, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->rows = v;
		s->cap = cap;
	}
	s->rows[s->n++] = *r;
	if (max)
		heap_up(s->rows, s->n - 1, ca);
	return 0;
}

/* ---- the walk ---------------------------------------------------------------- */

struct walk {
	struct pf_config cfg;
	struct pf_tprofile tp[PF_MAX_TPROFILES];
	struct pf_xflat_origins origins;
	bool have_origins;
	__s64 gstates;
	__u32 now;
	double dt;    /* seconds since the previous walk, 0 = first */
};

static void make_row(struct top_ctx *c, const struct walk *w, const struct pf_state_key *k,
		     const struct pf_state *st, struct top_row *r)
{
	int si = pf_state_dir(st) == PF_IN ? 0 : 1; /* the source's slot in the key */
	const struct pf_tprofile *tp = st->tprofile ? &w->tp[st->tprofile] : NULL;
	__u32 rstates = 0, ridx = pf_state_slotidx(st);
	__u64 exp;

	memset(r, 0, sizeof(*r));
	r->id = st->id;
	r->af = k->af;
	r->proto = k->proto;
	r->dir = pf_state_dir(st);
	r->src = k->addr[si];
	r->dst = k->addr[!si];
	r->sport = ntohs(k->port[si]);
	r->dport = ntohs(k->port[!si]);
	r->pstate[0] = st->pstate[0];
	r->pstate[1] = st->pstate[1];
	r->packets = (__u64)st->packets[0] + st->packets[1];
	r->bytes = st->bytes[0] + st->bytes[1];
	r->age = w->now > st->creation ? w->now - st->creation : 0;
	if (pf_tprofile_adaptive(tp) && st->rule != PF_RULE_NONE && c->m.rulestates >= 0)
		bpf_map_lookup_elem(c->m.rulestates, &ridx, &rstates);
	exp = pf_expires_at(&w->cfg, tp, st->timeout, st->expire, w->gstates, rstates, w->now);
	r->expires = exp > w->now ? (__u32)(exp - w->now) : 0;
	r->rule = st->rule;
	if (st->rule != PF_RULE_NONE && w->have_origins) {
		const char *anchor;

		pf_xflat_rule(&w->origins, st, &r->rule, &anchor);
	}
}

static void rate_of(const struct top_ctx *c, const struct walk *w, struct top_row *r)
{
	const struct seen *p = seen_find(&c->seen, r->id);

	r->rate = 0;
	r->peak = p ? p->peak : 0;
	if (p && w->dt > 0 && r->bytes >= p->bytes)
		r->rate = (double)(r->bytes - p->bytes) / w->dt;
	else if (!p && w->dt > 0)
		r->rate = r->bytes / (r->age > 0 ? (double)r->age : 1.0);
	if (r->rate > r->peak)
		r->peak = r->rate;
}

int top_snapshot(struct top_ctx *c, const struct top_snapshot_opts *o, struct top_snapshot *s)
{
	static struct pf_state_key keys[BATCH];
	static struct pf_state vals[BATCH];
	struct cmp_arg ca = { .o = o->order, .reverse = o->reverse };
	struct seen_table next = { 0 };
	struct walk *w;
	__u64 in_batch = 0, out_batch;
	bool first = true;
	double t0 = mono();
	__u32 zero = 0;
	struct pf_gcount gc = { 0 };
	int err = 0;

	memset(s, 0, sizeof(*s));
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	if (bpf_map_lookup_elem(c->m.config, &zero, &w->cfg) ||
	    bpf_map_lookup_elem(c->m.count, &zero, &gc)) {
		err = -errno;
		goto out;
	}
	for (__u32 i = 1; c->m.tprofiles >= 0 && i < PF_MAX_TPROFILES; i++)
		bpf_map_lookup_elem(c->m.tprofiles, &i, &w->tp[i]);
	w->have_origins = c->xflat_fd >= 0 && !pf_xflat_read(c->xflat_fd, &w->origins);
	w->gstates = gc.states;
	w->now = boot_seconds();
	w->dt = c->last > 0 ? t0 - c->last : 0;

	/* Twice the states the counter reports, at least 1024: the table
	 * stays at most half full, probes short. */
	next.cap = 1024;
	while (next.cap < (size_t)(gc.states > 0 ? gc.states : 0) * 2)
		next.cap <<= 1;
	next.v = calloc(next.cap, sizeof(*next.v));
	if (!next.v) {
		err = -ENOMEM;
		goto out;
	}

	for (;;) {
		__u32 count = BATCH;
		int ret = bpf_map_lookup_batch(c->m.states, first ? NULL : &in_batch, &out_batch,
					       keys, vals, &count, NULL);
		int e = ret ? -errno : 0;

		if (e && e != -ENOENT) {
			err = e;
			break;
		}
		for (__u32 i = 0; i < count; i++) {
			struct top_row r;
			char why[64];

			/* a pin is input: an entry the datapath cannot have
			 * written is counted, never turned into a row */
			if (pf_state_entry_bad(&keys[i], &vals[i], w->now, why, sizeof(why))) {
				s->corrupt++;
				continue;
			}
			make_row(c, w, &keys[i], &vals[i], &r);
			rate_of(c, w, &r);
			s->total++;
			/* the table can outgrow the counter between reads */
			if (s->total * 2 < next.cap)
				seen_put(&next, r.id, r.bytes, r.peak);
			if (o->filter && !top_filter_match(o->filter, &r))
				continue;
			s->matched++;
			err = keep(s, &r, o->max_rows, &ca);
			if (err)
				break;
		}
		if (err || e == -ENOENT)
			break;
		in_batch = out_batch;
		first = false;
	}
	if (!err) {
		qsort_r(s->rows, s->n, sizeof(*s->rows), qcmp, &ca);
		free(c->seen.v);
		c->seen = next;
		next.v = NULL;
		c->last = t0;
	}
out:
	free(next.v);
	if (w->have_origins)
		pf_xflat_free(&w->origins);
	free(w);
	s->elapsed = mono() - t0;
	if (err)
		top_snapshot_free(s);
	return err;
}

void top_snapshot_free(struct top_snapshot *s)
{
	free(s->rows);
	s->rows = NULL;
	s->n = s->cap = 0;
}
