/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_nat_pair.h - the key pairs of translating states in pf_natmap
 * (include/pfbpf_nat.h explains the model): find a state's other key,
 * and remove a pair as one.  Low in the include order so the state code
 * (events, removal) can use it; the translation itself is pf_nat.h.
 */
#ifndef PF_NAT_PAIR_H
#define PF_NAT_PAIR_H

#include "pf_maps.h"

static __always_inline int pf_key_eq(const struct pf_state_key *a, const struct pf_state_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] && x[4] == y[4];
}

static __always_inline int pf_addr_eq(const struct pf_addr *a, const struct pf_addr *b)
{
	return !((a->addr32[0] ^ b->addr32[0]) | (a->addr32[1] ^ b->addr32[1]) |
		 (a->addr32[2] ^ b->addr32[2]) | (a->addr32[3] ^ b->addr32[3]));
}

/* Anything to translate at all?  One test of two words while NAT is unused. */
static __always_inline int pf_nat_gate(const struct pf_config *cfg, const struct pf_gcount *g)
{
	return cfg->nat_rules[cfg->active & 1] || g->nat_pairs > 0;
}

/* The pair whose key[side] is key, or NULL. */
static __always_inline struct pf_nat_pair *pf_nat_pair_of(const struct pf_state_key *key, int side)
{
	struct pf_nat_pair *p = bpf_map_lookup_elem(&pf_natmap, key);

	if (p && pf_key_eq(&p->key[side & 1], key))
		return p;
	return 0;
}

/*
 * Remove both entries of a pair.  The entry under the wire key is the
 * pair's owner: whoever deletes it counts the pair gone, so two CPUs
 * removing one pair at once count it once.
 */
static __noinline int pf_nat_pair_del(const struct pf_nat_pair *p)
{
	struct pf_gcount *g = pf_gcount_get();
	struct pf_state_key k[2];

	if (!p || !g)
		return 0;
	/* copy first: deleting the element frees the value p points into */
	__builtin_memcpy(k, p->key, sizeof(k));
	bpf_map_delete_elem(&pf_natmap, &k[PF_SK_STACK]);
	if (bpf_map_delete_elem(&pf_natmap, &k[PF_SK_WIRE]))
		return 0;
	__sync_fetch_and_add(&g->nat_pairs, -1);
	return 1;
}

/* Remove the pair of the state with wire key `wire`, if it translates. */
static __always_inline void pf_nat_forget(const struct pf_state_key *wire)
{
	struct pf_gcount *g = pf_gcount_get();
	struct pf_nat_pair *p;

	if (!g || g->nat_pairs <= 0)
		return;
	p = pf_nat_pair_of(wire, PF_SK_WIRE);
	if (p)
		pf_nat_pair_del(p);
}

/* The stack key of the state with wire key `wire` (the same key if it
 * does not translate), for events and for user space. */
static __always_inline void pf_nat_stack_key(const struct pf_state_key *wire,
					     struct pf_state_key *stack)
{
	struct pf_gcount *g = pf_gcount_get();
	struct pf_nat_pair *p = 0;

	if (g && g->nat_pairs > 0)
		p = pf_nat_pair_of(wire, PF_SK_WIRE);
	__builtin_memcpy(stack, p ? &p->key[PF_SK_STACK] : wire, sizeof(*stack));
}

#endif /* PF_NAT_PAIR_H */
