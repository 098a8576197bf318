/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filter.h - pftop's state filter: a tcpdump-like expression
 *
 *	src net 198.51.100.0/24 and port 22
 *	not (udp or icmp) and dst host 2001:db8::1
 *
 * Primitives: [src|dst] host ADDR, [src|dst] net ADDR/LEN, [src|dst] port N,
 * proto NAME|N, tcp, udp, icmp, icmp6, inet, inet6, in, out; joined by
 * and/&&, or/||, not/!, and parentheses.  "src"/"dst" are the state's
 * source and destination (the side that opened it and the other).
 */
#ifndef PFBPF_TOP_FILTER_H
#define PFBPF_TOP_FILTER_H

#include <stdbool.h>
#include "top/top.h"

struct top_filter;

/* Compile expr.  NULL on error with err (size errlen) naming the column
 * and what was expected there. */
struct top_filter *top_filter_compile(const char *expr, char *err, size_t errlen);
bool top_filter_match(const struct top_filter *f, const struct top_row *r);
void top_filter_free(struct top_filter *f);

#endif /* PFBPF_TOP_FILTER_H */
