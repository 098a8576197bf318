/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * top.h - pftop_bpf's model: one row per state with what the views show,
 * the sort orders, and a snapshot that walks the state table in batches
 * keeping only the rows a screen can show.
 */
#ifndef PFBPF_TOP_H
#define PFBPF_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include "pfbpf_types.h"

/* A state as the views see it: source is the side that opened it. */
struct top_row {
	__u64 id;
	struct pf_addr src, dst;
	__u16 sport, dport;      /* host order */
	__u8 af, proto, dir;     /* PF_INET/6, IPPROTO_*, PF_IN/PF_OUT */
	__u8 pstate[2];          /* [0] source peer, [1] destination peer */
	__u32 rule;              /* creating rule, PF_RULE_NONE if none */
	__u32 age;               /* seconds since creation */
	__u32 expires;           /* seconds left */
	__u64 packets, bytes;    /* both directions */
	double rate, peak;       /* bytes/s since the last snapshot, and its highest */
};

enum top_order {
	TOP_O_NONE, TOP_O_AGE, TOP_O_BYTES, TOP_O_DEST, TOP_O_DPORT, TOP_O_EXP, TOP_O_PEAK,
	TOP_O_PKT, TOP_O_RATE, TOP_O_SIZE, TOP_O_SPORT, TOP_O_SRC, TOP_O_MAX,
};
const char *top_order_name(enum top_order o);
int top_order_lookup(const char *name); /* TOP_O_* or -1 */
/* a before b in order o (descending for counters and age, ascending for
 * addresses and ports, as pftop); reverse flips it. */
int top_row_cmp(const struct top_row *a, const struct top_row *b, enum top_order o, bool reverse);

struct top_filter;

struct top_snapshot_opts {
	enum top_order order;
	bool reverse;
	size_t max_rows;                  /* keep the best max_rows; 0 = all */
	const struct top_filter *filter;  /* NULL = every state */
};

struct top_snapshot {
	struct top_row *rows;   /* sorted, n of them */
	size_t n, cap;
	__u64 total;            /* states in the table */
	__u64 matched;          /* states the filter kept */
	__u64 corrupt;          /* entries that are no state (lib/entry_check.h): not shown */
	double elapsed;         /* seconds the walk took */
};

struct top_ctx;
/* Open the pinned datapath (pin_dir NULL: the default).  NULL and *err set
 * (a negative errno; top_strerror() says it in words) on failure. */
struct top_ctx *top_open(const char *pin_dir, int *err);
const char *top_strerror(int err, const char *pin_dir);
void top_close(struct top_ctx *c);
/* Walk the state table once; rates are against the previous walk. */
int top_snapshot(struct top_ctx *c, const struct top_snapshot_opts *o, struct top_snapshot *s);
void top_snapshot_free(struct top_snapshot *s);

#endif /* PFBPF_TOP_H */
