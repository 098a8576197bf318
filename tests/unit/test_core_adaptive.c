// SPDX-License-Identifier: BSD-2-Clause
/*
 * Adaptive timeouts as pf_state_expires() applies them (OpenBSD
 * sys/net/pf.c, FreeBSD sys/netpfil/pf/pf.c): a rule that sets its own
 * adaptive.start scales by its own bounds and its own state count, a rule
 * end of 0 turns its scaling off, and unset global bounds follow pfctl's
 * (limit / 10) * 6 and (limit / 10) * 12, only when neither is set.
 *
 * Every case ages one UDP state (udp.first 60 s) and runs a sweep: the
 * state goes exactly when the scaled timeout is below its age.
 */
#include "core_util.h"

TestSuite(core_adaptive, .init = h_setup, .fini = h_teardown);

#define PORT_RULE 53   /* states of the rule with its own timeouts */
#define PORT_OTHER 54  /* states of the rule without */

/* pass out proto udp to port 53 keep state (adaptive.start S, adaptive.end E)
 * pass out proto udp to port 54 keep state */
static void rules_with_profile(__u32 start, __u32 end)
{
	struct pfbpf_rule r[2];

	r[0] = h_rule(PF_PASS, PF_OUT, IPPROTO_UDP, PF_STATE_NORMAL);
	r[0].dport.op = PF_OP_EQ;
	r[0].dport.port[0] = PORT_RULE;
	r[0].timeout[PFTM_ADAPTIVE_START] = start;
	r[0].timeout[PFTM_ADAPTIVE_END] = end;
	r[1] = h_rule(PF_PASS, PF_OUT, IPPROTO_UDP, PF_STATE_NORMAL);
	r[1].dport.op = PF_OP_EQ;
	r[1].dport.port[0] = PORT_OTHER;
	r[0].nr = 0;
	r[1].nr = 1;
	cr_assert_eq(h_rules(r, 2), 0, "installing the ruleset failed");
}

static void udp_states(__u16 dport, __u16 first_sport, int n)
{
	for (int i = 0; i < n; i++) {
		struct h_flow f = core_flow(PF_INET, first_sport + i, dport);
		struct h_pkt p;

		cr_assert_eq(h_udp(&p, &f, 10, NULL), 0);
		cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	}
}

static void age(__u16 sport, __u16 dport, __u32 seconds)
{
	struct h_flow f = core_flow(PF_INET, sport, dport);
	struct pf_state_key k;
	struct pf_state s;

	cr_assert_eq(h_state_key(&f, IPPROTO_UDP, PF_OUT, &k), 0);
	cr_assert_eq(h_state_get(&f, IPPROTO_UDP, PF_OUT, &s), 0);
	s.expire -= seconds;
	cr_assert_eq(h_state_put(&k, &s), 0);
}

static int alive(__u16 sport, __u16 dport)
{
	struct h_flow f = core_flow(PF_INET, sport, dport);
	struct pf_state s;

	return h_state_get(&f, IPPROTO_UDP, PF_OUT, &s) == 0;
}

static void global(__u32 start, __u32 end, __u32 limit)
{
	struct pf_config c;

	cr_assert_eq(h_config_get(&c), 0);
	c.timeout[PFTM_ADAPTIVE_START] = start;
	c.timeout[PFTM_ADAPTIVE_END] = end;
	c.limit[PF_LIMIT_STATES] = limit;
	cr_assert_eq(h_config_set(&c), 0);
}

/* The rule's bounds with the rule's count: 7 states of a (2, 12) rule make
 * udp.first 60 * (12 - 7) / 10 = 30 s, while the global bounds (defaults,
 * 60000 / 120000) would not scale at all. */
Test(core_adaptive, rule_scales_by_its_own_count)
{
	rules_with_profile(2, 12);
	udp_states(PORT_RULE, 7000, 7);
	age(7000, PORT_RULE, 40);
	cr_expect_eq(h_ctl_sweep(), 1, "40 s old, rule timeout scaled to 30 s");
	cr_expect_not(alive(7000, PORT_RULE));
	cr_expect_eq(h_state_count(), 6);
}

/* The global count does not scale a rule with its own bounds: one state of
 * the (2, 12) rule stays below its start even with 11 states in the table
 * (global bounds 2/12 would give 60 * 1 / 10 = 6 s). */
Test(core_adaptive, rule_ignores_the_global_count)
{
	rules_with_profile(2, 12);
	global(2, 12, 0);
	udp_states(PORT_RULE, 7100, 1);
	udp_states(PORT_OTHER, 7200, 10);
	age(7100, PORT_RULE, 40);
	age(7200, PORT_OTHER, 40);
	cr_expect_eq(h_ctl_sweep(), 1, "only the globally scaled state goes");
	cr_expect(alive(7100, PORT_RULE), "the rule's own count (1) is below its start");
	cr_expect_not(alive(7200, PORT_OTHER));
}

/* adaptive.end 0 on a rule that set adaptive.start: no scaling for it,
 * the global bounds are not consulted (pf: `if (end && ...)`). */
Test(core_adaptive, rule_end_zero_is_no_scaling)
{
	rules_with_profile(2, 0);
	global(2, 12, 0);
	udp_states(PORT_RULE, 7300, 7);
	age(7300, PORT_RULE, 40);
	cr_expect_eq(h_ctl_sweep(), 0, "no scaling: udp.first stays 60 s");
	cr_expect_eq(h_state_count(), 7);
}

/* A rule that reached its own end: its next state checked dies at once,
 * fresh or not; each removal lowers the count, so the sweep stops killing
 * once the rule is back below its end (pf's purge does the same). */
Test(core_adaptive, rule_at_its_end_expires_now)
{
	__u32 cur;
	struct pf_config c;

	rules_with_profile(1, 3);
	udp_states(PORT_RULE, 7400, 3);
	cr_expect_eq(h_ctl_sweep(), 1);
	cr_expect_eq(h_state_count(), 2);
	cr_assert_eq(h_config_get(&c), 0);
	cr_assert_eq(h_rulestates(c.active, 0, &cur), 0);
	cr_expect_eq(cur, 2, "the rule's count follows the removal");
}

/* Unset global bounds come from the limit as pfctl computes them: limit 25
 * gives (25 / 10) * 6 = 12 and 24 (not 15 and 30).  18 states: 60 * (24 -
 * 18) / 12 = 30 s (with 15/30 it would be 48 s). */
Test(core_adaptive, global_bounds_from_the_limit)
{
	rules_with_profile(0, 0);
	global(0, 0, 25);
	udp_states(PORT_OTHER, 7500, 18);
	age(7500, PORT_OTHER, 40);
	cr_expect_eq(h_ctl_sweep(), 1);
	cr_expect_not(alive(7500, PORT_OTHER));
}

/* Only adaptive.start set: pfctl derives nothing, adaptive.end keeps pf's
 * default 120000, so 7 states barely scale (59.99 s): a 50 s old state
 * lives (an end derived from limit 20, 24, would give 46 s). */
Test(core_adaptive, one_bound_set_derives_nothing)
{
	rules_with_profile(0, 0);
	global(2, 0, 20);
	udp_states(PORT_OTHER, 7600, 7);
	age(7600, PORT_OTHER, 50);
	cr_expect_eq(h_ctl_sweep(), 0);
	cr_expect(alive(7600, PORT_OTHER));
}
