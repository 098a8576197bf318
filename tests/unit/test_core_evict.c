// SPDX-License-Identifier: BSD-2-Clause
/*
 * LRU eviction (issue 7 item 13).  The kernel's LRU may drop live states
 * when its per-CPU free lists hold the free entries (pfbpf_types.h,
 * pfbpf_state_map_slack); the sweep notices the loss, and a rule's `max N`
 * count must lose the evicted states too, or the rule refuses new
 * connections for states that no longer exist.
 */
#include <pthread.h>
#include <sched.h>
#include <bpf/libbpf.h>
#include "core_util.h"

#define SMALL_MAP 128

static void small_setup(void)
{
	int err = h_load(SMALL_MAP);

	if (err)
		cr_assert_fail("cannot load with a %d-entry state table: %s", SMALL_MAP,
			       strerror(-err));
	core_rules_stateful();
}

TestSuite(core_evict, .fini = h_teardown, .timeout = 60);

static __u32 rule1_states(void)
{
	__u32 a = 0, b = 0;

	cr_assert_eq(h_rulestates(0, 1, &a), 0);
	cr_assert_eq(h_rulestates(1, 1, &b), 0);
	return a + b;
}

static int udp_out(__u16 sport)
{
	struct h_flow f = core_flow(PF_INET, sport, 53);
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, 10, NULL), 0);
	return h_run(PF_OUT, &p);
}

Test(core_evict, evictions_lower_rule_count, .init = small_setup)
{
	static union h_event ev[H_EV_MAX];
	const union h_event *e;
	struct pf_gcount g;
	__u32 i;
	int live, n;

	/* four times the map: the LRU must evict (limit states is far above) */
	for (i = 0; i < 4 * SMALL_MAP; i++)
		cr_assert_eq(udp_out(20000 + i), PF_PASS);
	cr_assert_eq(rule1_states(), 4 * SMALL_MAP, "every state counted at creation");
	cr_assert_geq(h_events(ev, H_EV_MAX), 0, "drain the creation events");
	cr_assert_geq(h_ctl_sweep(), 0);
	live = h_state_count();
	cr_assert_lt(live, 4 * SMALL_MAP, "nothing was evicted: the test proves nothing");
	cr_assert_eq(h_gcount(&g), 0);
	cr_expect_gt(g.evicted, 0, "the sweep noticed the evictions");
	cr_expect_eq(g.states, live, "global count %lld, %d live", (long long)g.states, live);
	cr_expect_eq(rule1_states(), (__u32)live, "rule count %u, %d live states of the rule",
		     rule1_states(), live);
	/* no destroy event can name an evicted state: one summary says how many */
	n = h_events(ev, H_EV_MAX);
	e = h_event_find(ev, n, PF_EV_STATES_EVICTED, NULL);
	cr_assert_not_null(e, "no eviction summary among %d events", n);
	cr_expect_eq(pf_event_evicted(&e->st), g.evicted, "summary says %llu, gcount %llu",
		     (unsigned long long)pf_event_evicted(&e->st), (unsigned long long)g.evicted);
	cr_expect_eq(pf_event_evicted_total(&e->st), g.evicted);
	cr_expect_eq(e->st.reason, PF_DESTROY_EVICTED);
	cr_expect_eq(h_events_count(ev, n, PF_EV_STATE_DESTROY), 0,
		     "nothing expired, so no destroy event");
	/* a second sweep finds nothing new and says nothing */
	cr_assert_geq(h_ctl_sweep(), 0);
	n = h_events(ev, H_EV_MAX);
	cr_expect_eq(h_events_count(ev, n, PF_EV_STATES_EVICTED), 0);
}

/* `max N` works again after evictions: the rule's count no longer holds
 * the dropped states. */
Test(core_evict, max_n_not_stuck_after_evictions)
{
	struct pfbpf_rule r[2];
	__u32 i;
	int passed = 0;

	cr_assert_eq(h_load(SMALL_MAP), 0);
	r[0] = h_rule(PF_DROP, PF_INOUT, 0, PF_STATE_NONE);
	r[1] = h_rule(PF_PASS, PF_OUT, 0, PF_STATE_NORMAL);
	r[0].nr = 0;
	r[1].nr = 1;
	r[1].max_states = 3 * SMALL_MAP;
	cr_assert_eq(h_rules(r, 2), 0);
	for (i = 0; i < 3 * SMALL_MAP; i++)
		cr_assert_eq(udp_out(20000 + i), PF_PASS);
	cr_assert_eq(udp_out(30000), PF_DROP, "max %d reached", 3 * SMALL_MAP);
	cr_assert_geq(h_ctl_sweep(), 0);
	for (i = 0; i < 16; i++)
		passed += udp_out(31000 + i) == PF_PASS;
	cr_expect_eq(passed, 16, "new states refused by a count of evicted states (%d of 16)",
		     passed);
}

/*
 * Sized as the loader does (limit + pfbpf_state_map_slack), a table filled
 * to its limit from two CPUs at once loses nothing.
 */
struct fill_arg {
	int cpu;
	__u16 base;
	int n, passed;
};

static void *fill(void *p)
{
	struct fill_arg *a = p;
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	CPU_SET(a->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		return NULL;
	for (i = 0; i < a->n; i++) {
		struct h_flow f = core_flow(PF_INET, (__u16)(a->base + i), 53);
		struct h_pkt pk;

		if (h_udp(&pk, &f, 10, NULL))
			continue;
		a->passed += h_run(PF_OUT, &pk) == PF_PASS;
	}
	return NULL;
}

Test(core_evict, slack_for_cpus_no_eviction_below_limit)
{
	const __u32 limit = 3000;
	struct fill_arg a = { .cpu = 0, .base = 10000, .n = limit / 2 };
	struct fill_arg b = { .cpu = 1, .base = 30000, .n = limit / 2 };
	struct pf_config c;
	struct pf_gcount g;
	pthread_t ta, tb;

	cr_expect_geq(pfbpf_state_map_slack(64), 128 * 65, "64 CPUs need 128 free nodes each");
	cr_expect_eq(pfbpf_state_map_slack(2), PF_STATE_MAP_SLACK, "the floor");
	cr_assert_eq(h_load(limit + pfbpf_state_map_slack((__u32)libbpf_num_possible_cpus())), 0);
	core_rules_stateful();
	cr_assert_eq(h_config_get(&c), 0);
	c.limit[PF_LIMIT_STATES] = limit;
	cr_assert_eq(h_config_set(&c), 0);
	cr_assert_eq(pthread_create(&ta, NULL, fill, &a), 0);
	cr_assert_eq(pthread_create(&tb, NULL, fill, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	cr_expect_eq(a.passed + b.passed, (int)limit);
	cr_assert_geq(h_ctl_sweep(), 0);
	cr_expect_eq(h_state_count(), (int)limit, "states lost below the limit");
	cr_assert_eq(h_gcount(&g), 0);
	cr_expect_eq(g.evicted, 0);
}
