/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_sweep.h - expiry without a user-space daemon: a bpf_timer in pf_timer
 * fires every `interval` seconds and walks pf_states with
 * bpf_for_each_map_elem, removing what has expired (pf_purge_expired_states)
 * and emitting a destroy event for each.  The walk also counts the live
 * states, which is how an LRU eviction behind our back is noticed.
 *
 * The timer is armed lazily by the first packet any program sees, and by
 * pf_ctl's ARM op.  Whichever program arms it owns the callback; the timer
 * keeps that program alive, and a pinned pf_timer outlives every
 * attachment, so the sweep runs as long as the maps exist.
 */
#ifndef PF_SWEEP_H
#define PF_SWEEP_H

#include "pf_state.h"
#include "pf_errno.h"
#include "pf_syncookie.h"

#define PF_CLOCK_BOOTTIME 7 /* uapi CLOCK_BOOTTIME: vmlinux.h has no macros */

/*
 * Live states per rule counted by the sweep, to put pf_rulestates right
 * after LRU evictions (pf_sweep_fix_cb).  Not pinned: each loaded copy of
 * the object sweeps with its own.  Two sweeps of one copy at once (the
 * timer and a pf_ctl SWEEP) share it; the worst that does is a rule count
 * set a little low after an eviction, i.e. a generous `max N`.
 */
#define PF_RULE_SLOTS_ALL PF_RULECTR_ENTRIES
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULE_SLOTS_ALL);
	__type(key, __u32);
	__type(value, __u32);
} pf_sweep_rules SEC(".maps");

struct pf_sweep_ctx {
	__u32 now;
	__u32 pad;
	__s64 states;       /* pf_gcount.states at the start of the walk */
	__u64 visited;
	__u64 removed;
};

static long pf_sweep_cb(struct bpf_map *map, struct pf_state_key *key, struct pf_state *s,
			struct pf_sweep_ctx *c)
{
	struct pf_config *cfg = pf_config_get();

	c->visited++;
	if (!cfg)
		return 0;
	if (pf_state_expired(s, cfg, c->states, c->now)) {
		if (pf_state_remove(key, s, pf_expire_reason(s, key->proto)))
			c->removed++;
		return 0;
	}
	if (s->rule != PF_RULE_NONE) {
		__u32 ridx = pf_state_slotidx(s), *n = bpf_map_lookup_elem(&pf_sweep_rules, &ridx);

		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return 0;
}

static long pf_sweep_zero_cb(__u32 i, void *ctx)
{
	__u32 *n = bpf_map_lookup_elem(&pf_sweep_rules, &i);

	if (n)
		*n = 0;
	return 0;
}

/*
 * After evictions: a rule's `max N` count still holds the states the LRU
 * dropped (the kernel does not say which they were), so lower each rule's
 * count to the live states the walk found.  States made during the walk
 * may be missed, which can only make the count low, i.e. `max N` a little
 * generous until they die (the same direction pf_dec_sat32 errs in); a
 * count that moved meanwhile is left for the next sweep.
 */
static long pf_sweep_fix_cb(__u32 i, void *ctx)
{
	__u32 *seen = bpf_map_lookup_elem(&pf_sweep_rules, &i);
	__u32 *cur = bpf_map_lookup_elem(&pf_rulestates, &i);
	__u32 old;

	if (!seen || !cur)
		return 0;
	old = *cur;
	if (old > *seen)
		__sync_val_compare_and_swap(cur, old, *seen);
	return 0;
}

/*
 * Pairs whose state is gone (the LRU evicted it, so no removal took the
 * pair along), and halves whose other half is gone: removed, both halves,
 * so pf_natmap never fills with the remains of evicted states.  Looked at
 * from the wire half, which owns the pair; a lone stack half is the
 * remainder of a pair removed half-way.
 */
static long pf_sweep_nat_cb(struct bpf_map *map, struct pf_state_key *key, struct pf_nat_pair *p,
			    void *ctx)
{
	struct pf_nat_stats *ns;
	__u32 z = 0;

	if (pf_key_eq(key, &p->key[PF_SK_WIRE])) {
		if (bpf_map_lookup_elem(&pf_states, key))
			return 0;
		if (pf_nat_pair_del(p)) {
			ns = bpf_map_lookup_elem(&pf_natstat, &z);
			if (ns)
				ns->pair_repaired++;
		}
		return 0;
	}
	if (!pf_nat_pair_of(&p->key[PF_SK_WIRE], PF_SK_WIRE))
		bpf_map_delete_elem(&pf_natmap, key);
	return 0;
}

/*
 * One sweep.  Returns the number of states removed.  Eviction check: the
 * walk saw `live` states; anything the counter holds beyond that, minus
 * states created while we walked (they may or may not have been visited),
 * was dropped by the LRU without our accounting.  The estimate errs low
 * under races, never high.
 */
static __always_inline __u64 pf_sweep(void)
{
	struct pf_gcount *g = pf_gcount_get();
	struct pf_sweep_ctx c = {};
	__u64 id0, created, live;
	__s64 now_states;

	if (!g)
		return 0;
	c.now = pf_now_exact(); /* run by pf_ctl too: no coarse clock there */
	c.states = g->states;
	id0 = g->next_id;
	bpf_loop(PF_RULE_SLOTS_ALL, pf_sweep_zero_cb, NULL, 0);
	bpf_for_each_map_elem(&pf_states, pf_sweep_cb, &c, 0);
	created = g->next_id - id0;
	live = c.visited - c.removed;
	now_states = g->states;
	if (now_states > 0 && (__u64)now_states > live + created) {
		__u64 evicted = (__u64)now_states - live - created;

		__sync_fetch_and_add(&g->states, -(__s64)evicted);
		__sync_fetch_and_add(&g->evicted, evicted);
		/* the kernel cannot say which went: one summary (pfbpf_types.h) */
		pf_event_nostate(PF_EV_STATES_EVICTED, PF_DESTROY_EVICTED, evicted, g->evicted);
		bpf_loop(PF_RULE_SLOTS_ALL, pf_sweep_fix_cb, NULL, 0);
	}
	if (g->nat_pairs > 0)
		bpf_for_each_map_elem(&pf_natmap, pf_sweep_nat_cb, NULL, 0);
	__sync_fetch_and_add(&g->sweeps, 1);
	g->last_sweep_ns = bpf_ktime_get_boot_ns();
	return c.removed;
}

static int pf_timer_cb(void *map, __u32 *key, struct pf_timer_val *t)
{
	struct pf_config *cfg = pf_config_get();
	__u64 interval = 10;

	pf_sweep();
	/* the adaptive syncookie mode's way off, also when no SYN comes */
	pf_synflood_check();
	if (cfg)
		interval = pf_timeout_global(cfg, PFTM_INTERVAL);
	if (!interval)
		interval = 1;
	bpf_timer_start(&t->timer, interval * PF_NSEC, 0);
	return 0;
}

/*
 * Fill what a zeroed pf_config leaves open (a map iproute2 creates is all
 * zeroes): a random hostid as pf picks one, and a state id base from the
 * clock as pf does, so ids stay unique across reloads.
 */
static __always_inline void pf_config_init(struct pf_config *cfg)
{
	if (!cfg->hostid)
		cfg->hostid = bpf_get_prandom_u32() | 1;
	if (!cfg->state_id_base)
		cfg->state_id_base = (bpf_ktime_get_tai_ns() / PF_NSEC) << 32;
}

/*
 * Arm the sweep timer if nobody has.  bpf_timer_init fails with -EBUSY
 * when another program (another attachment) got there first, which is
 * fine: one timer sweeps for all.  Returns 0 or -errno.
 */
static __always_inline int pf_timer_arm(struct pf_config *cfg, struct pf_gcount *g)
{
	struct pf_timer_val *t;
	__u32 z = 0;
	long err;

	t = bpf_map_lookup_elem(&pf_timer, &z);
	if (!t)
		return -ENOENT;
	err = bpf_timer_init(&t->timer, &pf_timer, PF_CLOCK_BOOTTIME);
	if (err == -EBUSY) {
		/* Armed already: the sweep moves to this program's code, so
		 * that a datapath upgraded over a running one sweeps with the
		 * new code, and the old pf_ctl (which the timer's callback
		 * kept alive) is freed. */
		bpf_timer_set_callback(&t->timer, pf_timer_cb);
		g->timer_armed = 1;
		return 0;
	}
	if (err)
		return err;
	pf_config_init(cfg);
	err = bpf_timer_set_callback(&t->timer, pf_timer_cb);
	if (err)
		return err;
	err = bpf_timer_start(&t->timer, pf_timeout_global(cfg, PFTM_INTERVAL) * PF_NSEC, 0);
	if (err)
		return err;
	g->timer_armed = 1;
	return 0;
}

#endif /* PF_SWEEP_H */
