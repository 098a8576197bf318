// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_rulelist.c - what DIOCGETRULE needs of the whole ruleset, read
 * once per listing.  A listing is DIOCGETRULES and then DIOCGETRULE for
 * nr 0, 1, ..., n-1; each call needs the rule count, the anchor calls and
 * (for `Evaluations`) the stops at its position and every later one.  Read
 * afresh per call that is quadratic: pfctl -sr of 10,000 rules took over
 * a minute.  So they are read when a listing starts (nr 0, or another
 * ruleset, generation or anchor) and kept until the next one starts: a
 * listing shows one snapshot of the counters, as pf's does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ioctl_priv.h"

void ctl_rulelist_free(struct pfbpf_handle *h)
{
	free(h->rl.calls);
	free(h->rl.stops_from);
	memset(&h->rl, 0, sizeof(h->rl));
}

int ctl_rulelist_get(struct pfbpf_handle *h, const char *anchor, __u64 gen, __u32 nr)
{
	struct ctl_rulelist *l = &h->rl;
	struct pfbpf_rule *v;
	__u32 n;
	int err;

	if (l->valid && nr && l->gen == gen && !strcmp(l->anchor, anchor))
		return 0;
	ctl_rulelist_free(h);
	if ((err = ctl_xrules_load(h, XR_ACTIVE, anchor, &v, &n)))
		return err;
	free(v);
	if ((err = ctl_xcalls_load(h, XR_ACTIVE, anchor, n, &l->calls)))
		return err;
	l->n = n;
	l->gen = gen;
	snprintf(l->anchor, sizeof(l->anchor), "%s", anchor);
	l->valid = true;
	return 0;
}

/* Sum over CPUs of the stops at positions from .. nflat of slot. */
__u64 ctl_rulelist_evals(struct pfbpf_handle *h, __u32 slot, __u32 nflat, __u32 from)
{
	struct ctl_rulelist *l = &h->rl;
	size_t stride = ctl_pcpu_stride(sizeof(struct pf_rule_counters));
	__u32 top = nflat < PF_MAX_RULES ? nflat : PF_MAX_RULES - 1;
	char *buf;

	if (!l->stops_from || l->slot != slot) {
		free(l->stops_from);
		l->stops_from = calloc(top + 2, sizeof(*l->stops_from));
		buf = calloc(h->ncpu, stride);
		if (!l->stops_from || !buf) {
			free(buf);
			free(l->stops_from);
			l->stops_from = NULL;
			return 0;
		}
		l->slot = slot;
		for (__u32 r = top + 1; r-- > 0;) {
			__u32 idx = slot * PF_MAX_RULES + r;
			__u64 s = 0;

			if (!ctl_pcpu_read(h, PFM_RULECTR, &idx, buf, 0))
				for (int c = 0; c < h->ncpu; c++)
					s += ((const struct pf_rule_counters *)(buf + c * stride))->stops;
			l->stops_from[r] = s + l->stops_from[r + 1];
		}
		free(buf);
	}
	return from <= top ? l->stops_from[from] : 0;
}
