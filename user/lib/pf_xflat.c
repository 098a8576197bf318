// SPDX-License-Identifier: BSD-2-Clause
/*
 * pf_xflat.c - naming a state's rule per ruleset (see pf_xflat.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "lib/pf_xflat.h"

void pf_xflat_rule(const struct pf_xflat_origins *x, const struct pf_state *s, __u32 *nr,
		   const char **anchor)
{
	/* The state's own slot: made before the last load, it names its
	 * rule in the ruleset of that time. */
	int slot = (s->flags & PFSTATE_F_SLOT1) ? 1 : 0;

	*nr = s->rule;
	*anchor = "";
	if (s->rule == PF_RULE_NONE || !x || !x->o[slot] || s->rule >= x->n[slot])
		return;
	/* An entry that could not be read is marked PF_RULE_NONE: keep
	 * the position rather than print a wrong number. */
	if (x->o[slot][s->rule].nr == PF_RULE_NONE)
		return;
	*nr = x->o[slot][s->rule].nr;
	*anchor = x->o[slot][s->rule].anchor;
}

void pf_xflat_free(struct pf_xflat_origins *x)
{
	for (int s = 0; s < PF_RULESET_SLOTS; s++) {
		free(x->o[s]);
		x->o[s] = NULL;
		x->n[s] = 0;
	}
}

int pf_xflat_read(int fd, struct pf_xflat_origins *x)
{
	pf_xflat_free(x);
	for (__u32 s = 0; s < PF_RULESET_SLOTS; s++) {
		struct pfbpf_xflat_key k = { .slot = s, .idx = PFBPF_XFLAT_COUNT };
		struct pfbpf_xflat v;
		__u32 n;

		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		n = v.nr < PF_MAX_RULES ? v.nr : PF_MAX_RULES;
		x->o[s] = calloc(n ? n : 1, sizeof(*x->o[s]));
		if (!x->o[s]) {
			pf_xflat_free(x);
			return -ENOMEM;
		}
		for (k.idx = 0; k.idx < n; k.idx++)
			if (bpf_map_lookup_elem(fd, &k, &x->o[s][k.idx]))
				x->o[s][k.idx].nr = PF_RULE_NONE;
		x->n[s] = n;
	}
	return 0;
}
