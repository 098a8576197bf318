/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * view.h - pftop's views: which columns a screen shows and how a state or
 * a rule is written into them.  The same text goes to the ncurses screen
 * and to batch mode, so scripts read what an operator sees.
 */
#ifndef PFBPF_TOP_VIEW_H
#define PFBPF_TOP_VIEW_H

#include <stdio.h>
#include "top/top.h"
#include "pfctl/pfctl.h"

enum top_view {
	TOP_V_DEFAULT, TOP_V_LONG, TOP_V_STATE, TOP_V_TIME, TOP_V_SIZE, TOP_V_SPEED,
	TOP_V_RULES, TOP_V_LABEL, TOP_V_MAX,
};

const char *top_view_name(enum top_view v);
int top_view_lookup(const char *name); /* TOP_V_* or -1 */
/* Views over rules rather than states. */
bool top_view_is_rules(enum top_view v);

/* The header line of view v, into buf. */
void top_view_header(enum top_view v, char *buf, size_t len);
/* One state as a line of view v (no newline). */
void top_view_state(enum top_view v, const struct top_row *r, char *buf, size_t len);
/* One rule (number nr of anchor) as a line of the rules or label view. */
void top_view_rule(enum top_view v, const struct pfctl_rule *r, const char *anchor, size_t nr,
		   char *buf, size_t len);

/* pftop's number forms: 1234 -> "1234", 123456 -> "120K", as pftop
 * scales counters to fit their columns. */
void top_fmt_count(char *buf, size_t len, double v);
/* Seconds as hh:mm:ss (or NNNd hh:mm past a day). */
void top_fmt_time(char *buf, size_t len, __u32 secs);

#endif /* PFBPF_TOP_VIEW_H */
