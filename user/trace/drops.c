// SPDX-License-Identifier: BSD-2-Clause
/*
 * drops.c - turn the datapath's per-CPU "event lost" counters into
 * DTrace-style "N drops on CPU c" reports.  The counters only grow while
 * one datapath is loaded, so the growth between two reads is what this
 * consumer missed on that CPU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

int trace_drops_init(struct trace_drops *d, unsigned int ncpu)
{
	memset(d, 0, sizeof(*d));
	d->state = calloc(ncpu, sizeof(__u64));
	d->ip = calloc(ncpu, sizeof(__u64));
	if (!d->state || !d->ip) {
		trace_drops_free(d);
		return -ENOMEM;
	}
	d->ncpu = ncpu;
	return 0;
}

void trace_drops_free(struct trace_drops *d)
{
	free(d->state);
	free(d->ip);
	d->state = d->ip = NULL;
	d->ncpu = 0;
}

void trace_drops_baseline(struct trace_drops *d, const struct pf_status_pcpu *pcpu)
{
	for (unsigned int c = 0; c < d->ncpu; c++) {
		d->state[c] = pcpu[c].events_lost;
		d->ip[c] = pcpu[c].ip_events_lost;
	}
}

/* Growth since last; a counter that went backwards starts a new baseline. */
static __u64 delta(__u64 *last, __u64 now)
{
	__u64 d = now >= *last ? now - *last : 0;

	*last = now;
	return d;
}

int trace_drops_update(struct trace_drops *d, const struct pf_status_pcpu *pcpu,
		       trace_drops_fn report, void *ctx)
{
	int n = 0;

	for (unsigned int c = 0; c < d->ncpu; c++) {
		__u64 s = delta(&d->state[c], pcpu[c].events_lost);
		__u64 i = delta(&d->ip[c], pcpu[c].ip_events_lost);

		if (!s && !i)
			continue;
		d->total_state += s;
		d->total_ip += i;
		if (report)
			report(ctx, c, s, i);
		n++;
	}
	return n;
}
