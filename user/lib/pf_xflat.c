// SPDX-License-Identifier: BSD-2-Clause
/*
 * pf_xflat.c - naming a state's rule per ruleset (see pf_xflat.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <bpf/bpf.h>

#include "lib/pf_xflat.h"

void pf_xflat_rule(const struct pf_xflat_origins *x, const struct pf_state *s, __u32 *nr,
		   const char **anchor)
{
	const struct pfbpf_xflat *v;

	*nr = s->rule;
	*anchor = "";
	if (s->rule == PF_RULE_NONE || s->rule < PF_RID_BASE)
		return;
	v = pf_xflat_rid_find(x, s->rule);
	if (!v) {
		/* never print a number that could be another rule's */
		*nr = PF_RULE_NONE;
		return;
	}
	*nr = v->nr;
	*anchor = v->anchor;
}

static int rid_cmp(const void *a, const void *b)
{
	const struct pf_xflat_rid *x = a, *y = b;

	return x->rid < y->rid ? -1 : x->rid > y->rid;
}

const struct pfbpf_xflat *pf_xflat_rid_find(const struct pf_xflat_origins *x, __u32 rid)
{
	struct pf_xflat_rid k = { .rid = rid }, *hit;

	if (!x || !x->nrid)
		return NULL;
	hit = bsearch(&k, x->rid, x->nrid, sizeof(*x->rid), rid_cmp);
	return hit ? &hit->v : NULL;
}

/* Every rule id record, by walking the keys (there are few next to the
 * id space). */
static int rid_read(int fd, struct pf_xflat_origins *x)
{
	struct pfbpf_xflat_key k, next;
	__u32 cap = 0;
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (k.slot != PFBPF_XFLAT_RID)
			continue;
		if (x->nrid == cap) {
			struct pf_xflat_rid *n;

			cap = cap ? 2 * cap : 64;
			n = realloc(x->rid, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			x->rid = n;
		}
		if (bpf_map_lookup_elem(fd, &k, &x->rid[x->nrid].v))
			continue;
		x->rid[x->nrid++].rid = k.idx;
	}
	if (x->nrid)
		qsort(x->rid, x->nrid, sizeof(*x->rid), rid_cmp);
	return 0;
}

void pf_xflat_free(struct pf_xflat_origins *x)
{
	for (int s = 0; s < PF_RULESET_SLOTS; s++) {
		free(x->o[s]);
		x->o[s] = NULL;
		x->n[s] = 0;
	}
	free(x->rid);
	x->rid = NULL;
	x->nrid = 0;
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
	if (rid_read(fd, x)) {
		pf_xflat_free(x);
		return -ENOMEM;
	}
	return 0;
}
