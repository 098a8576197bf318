// SPDX-License-Identifier: BSD-2-Clause
/*
 * The state table as a table: limits, expiry (sweep, timer, lazy,
 * adaptive), pf_ctl kill/flush/add, events and counters.
 */
#include <unistd.h>
#include "core_util.h"

TestSuite(core_state, .init = core_setup, .fini = h_teardown);

static int udp_out(int af, __u16 sport)
{
	struct h_flow f = core_flow(af, sport, 53);
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, 10, NULL), 0);
	return h_run(PF_OUT, &p);
}

static void set_cfg(void (*fn)(struct pf_config *))
{
	struct pf_config c;

	cr_assert_eq(h_config_get(&c), 0);
	fn(&c);
	cr_assert_eq(h_config_set(&c), 0);
}

static void limit2(struct pf_config *c) { c->limit[PF_LIMIT_STATES] = 2; }

Test(core_state, limit_refuses_new_states)
{
	struct pf_status_pcpu st;
	struct pf_gcount g;

	set_cfg(limit2);
	cr_expect_eq(udp_out(PF_INET, 1001), PF_PASS);
	cr_expect_eq(udp_out(PF_INET6, 1002), PF_PASS);
	cr_expect_eq(udp_out(PF_INET, 1003), PF_DROP, "a third state over limit 2");
	cr_expect_eq(h_state_count(), 2);
	cr_assert_eq(h_gcount(&g), 0);
	cr_expect_eq(g.states, 2);
	cr_assert_eq(h_status(&st), 0);
	cr_expect_eq(st.counters[PFRES_MAXSTATES], 1);
	cr_expect_eq(st.lcounters[LCNT_STATES], 1);
	cr_expect_eq(st.fcounters[FCNT_STATE_INSERT], 2);
	/* the existing states still work */
	cr_expect_eq(udp_out(PF_INET, 1001), PF_PASS);
}

Test(core_state, rule_max_states)
{
	struct pfbpf_rule r = h_rule(PF_PASS, PF_OUT, 0, PF_STATE_NORMAL);
	__u32 cur = 99;

	r.max_states = 1;
	cr_assert_eq(h_rules(&r, 1), 0);
	cr_expect_eq(udp_out(PF_INET, 1101), PF_PASS);
	cr_expect_eq(udp_out(PF_INET, 1102), PF_DROP, "rule (max 1) is full");
	cr_expect_eq(core_counter(PFRES_MAXSTATES), 1);
	struct pf_config c;
	cr_assert_eq(h_config_get(&c), 0);
	cr_assert_eq(h_rulestates(c.active, 0, &cur), 0);
	cr_expect_eq(cur, 1);
	/* killing the state frees the rule's slot */
	struct pf_ctl_req k = { .op = PF_CTL_KILL, .rule = PF_RULE_NONE };
	cr_assert_eq(h_ctl(&k), 0);
	cr_expect_eq(k.count, 1);
	cr_assert_eq(h_rulestates(c.active, 0, &cur), 0);
	cr_expect_eq(cur, 0);
	cr_expect_eq(udp_out(PF_INET, 1102), PF_PASS);
}

/* Age a state by moving its last refresh into the past. */
static void age_state(const struct h_flow *f, __u8 proto, __u32 seconds)
{
	struct pf_state_key k;
	struct pf_state s;

	cr_assert_eq(h_state_key(f, proto, PF_OUT, &k), 0);
	cr_assert_eq(h_state_get(f, proto, PF_OUT, &s), 0);
	s.expire -= seconds;
	cr_assert_eq(h_state_put(&k, &s), 0);
}

Test(core_state, sweep_expires_with_destroy_event)
{
	struct h_flow f = core_flow(PF_INET, 2001, 53), g = core_flow(PF_INET, 2002, 53);
	union h_event ev[H_EV_MAX];
	const union h_event *e;
	struct pf_status_pcpu st;
	struct pf_gcount gc;
	int n, from = 0;

	cr_assert_eq(udp_out(PF_INET, 2001), PF_PASS);
	cr_assert_eq(udp_out(PF_INET, 2002), PF_PASS);
	age_state(&f, IPPROTO_UDP, 70); /* udp.first is 60; margins of whole */
	age_state(&g, IPPROTO_UDP, 50); /* seconds so a tick cannot flip them */
	h_events(ev, H_EV_MAX);
	/* the sweep deletes inside bpf_for_each_map_elem's callback */
	cr_expect_eq(h_ctl_sweep(), 1);
	cr_expect_eq(h_state_count(), 1);
	cr_expect_eq(h_state_get(&g, IPPROTO_UDP, PF_OUT, &(struct pf_state){}), 0);
	n = h_events(ev, H_EV_MAX);
	e = h_event_find(ev, n, PF_EV_STATE_DESTROY, &from);
	cr_assert_not_null(e);
	cr_expect_eq(e->st.reason, PF_DESTROY_EXPIRED);
	cr_expect_eq(e->st.key[0].port[1], htons(2001));
	cr_assert_eq(h_gcount(&gc), 0);
	cr_expect_eq(gc.states, 1);
	cr_expect_geq(gc.sweeps, 1);
	cr_assert_eq(h_status(&st), 0);
	cr_expect_eq(st.fcounters[FCNT_STATE_REMOVALS], 1);
}

static void fast_timeouts(struct pf_config *c)
{
	c->timeout[PFTM_INTERVAL] = 1;
	c->timeout[PFTM_UDP_FIRST_PACKET] = 1;
}

/* The bpf_timer removes expired states with no one calling SWEEP. */
Test(core_state, timer_expires_states, .timeout = 30)
{
	union h_event ev[H_EV_MAX];
	struct pf_ctl_req arm = { .op = PF_CTL_ARM };
	struct pf_gcount g;
	int i, n = 0, got = 0;

	set_cfg(fast_timeouts);
	cr_assert_eq(h_ctl(&arm), 0, "arming the sweep timer failed: %d", arm.result);
	cr_assert_eq(udp_out(PF_INET, 3001), PF_PASS);
	cr_assert_eq(h_state_count(), 1);
	h_events(ev, H_EV_MAX);
	/* expired after 1-2 s, swept within interval (1 s) after that */
	for (i = 0; i < 100 && h_state_count(); i++)
		usleep(100000);
	cr_expect_eq(h_state_count(), 0, "the timer did not expire the state");
	n = h_events(ev, H_EV_MAX);
	for (i = 0; i < n; i++)
		got += ev[i].type == PF_EV_STATE_DESTROY && ev[i].st.reason == PF_DESTROY_EXPIRED;
	cr_expect_eq(got, 1);
	cr_assert_eq(h_gcount(&g), 0);
	cr_expect(g.timer_armed);
	cr_expect_gt(g.sweeps, 0);
	cr_expect_eq(g.states, 0);
}

/* The first packet arms the timer and fills hostid / id base. */
Test(core_state, first_packet_arms_timer)
{
	struct pf_config c;
	struct pf_gcount g;
	struct pf_state s;
	struct h_flow f = core_flow(PF_INET, 3101, 53);

	cr_assert_eq(udp_out(PF_INET, 3101), PF_PASS);
	cr_assert_eq(h_gcount(&g), 0);
	cr_expect(g.timer_armed);
	cr_assert_eq(h_config_get(&c), 0);
	cr_expect_neq(c.hostid, 0);
	cr_expect_neq(c.state_id_base, 0);
	cr_assert_eq(core_state(&f, IPPROTO_UDP, &s), 0);
	cr_expect_eq(s.id, c.state_id_base + 1);
}

/* A packet finding an expired state removes it and is judged afresh. */
Test(core_state, lazy_expiry_on_lookup)
{
	struct h_flow f = core_flow(PF_INET, 4001, 53);
	union h_event ev[H_EV_MAX];
	struct h_pkt p;
	int n;

	cr_assert_eq(udp_out(PF_INET, 4001), PF_PASS);
	age_state(&f, IPPROTO_UDP, 1000);
	h_events(ev, H_EV_MAX);
	struct h_flow r = h_flow_rev(&f);
	cr_assert_eq(h_udp(&p, &r, 10, NULL), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP, "the reply came too late");
	cr_expect_eq(h_state_count(), 0);
	n = h_events(ev, H_EV_MAX);
	cr_expect_eq(h_events_count(ev, n, PF_EV_STATE_DESTROY), 1);
}

static void adaptive(struct pf_config *c)
{
	c->timeout[PFTM_ADAPTIVE_START] = 2;
	c->timeout[PFTM_ADAPTIVE_END] = 12;
}

/* Past adaptive.start every timeout shrinks by (end - states) / (end - start). */
Test(core_state, adaptive_timeouts)
{
	struct h_flow f = core_flow(PF_INET, 5000, 53);
	int i;

	for (i = 0; i < 7; i++)
		cr_assert_eq(udp_out(PF_INET, 5000 + i), PF_PASS);
	/* 7 states: udp.first 60 scales to 60 * (12 - 7) / 10 = 30 */
	age_state(&f, IPPROTO_UDP, 40);
	cr_expect_eq(h_ctl_sweep(), 0, "adaptive scaling is off below adaptive.start");
	set_cfg(adaptive);
	cr_expect_eq(h_ctl_sweep(), 1);
	cr_expect_eq(h_state_count(), 6);
}

Test(core_state, kill_by_host_and_flush)
{
	union h_event ev[H_EV_MAX];
	struct pf_ctl_req k = { .op = PF_CTL_KILL, .rule = PF_RULE_NONE };
	struct h_flow other = H_FLOW4("192.0.2.77", 6000, SERVER4, 53);
	struct h_pkt p;
	int n, i;

	cr_assert_eq(udp_out(PF_INET, 6001), PF_PASS);
	cr_assert_eq(udp_out(PF_INET, 6002), PF_PASS);
	cr_assert_eq(udp_out(PF_INET6, 6003), PF_PASS);
	cr_assert_eq(h_udp(&p, &other, 10, NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	h_events(ev, H_EV_MAX);

	/* pfctl -k 192.0.2.1 */
	k.af = PF_INET;
	k.src_plen = 32;
	cr_assert_eq(inet_pton(AF_INET, CLIENT4, &k.src), 1);
	cr_assert_eq(h_ctl(&k), 0);
	cr_expect_eq(k.count, 2);
	cr_expect_eq(h_state_count(), 2);
	n = h_events(ev, H_EV_MAX);
	cr_expect_eq(h_events_count(ev, n, PF_EV_STATE_DESTROY), 2);
	for (i = 0; i < n; i++)
		cr_expect_eq(ev[i].st.reason, PF_DESTROY_KILLED);

	/* pfctl -F states */
	memset(&k, 0, sizeof(k));
	k.op = PF_CTL_KILL;
	k.rule = PF_RULE_NONE;
	k.reason = PF_DESTROY_FLUSHED;
	cr_assert_eq(h_ctl(&k), 0);
	cr_expect_eq(k.count, 2);
	cr_expect_eq(h_state_count(), 0);
	n = h_events(ev, H_EV_MAX);
	cr_expect_eq(n, 2);
	for (i = 0; i < n; i++)
		cr_expect_eq(ev[i].st.reason, PF_DESTROY_FLUSHED);
}

Test(core_state, kill_by_id)
{
	struct h_flow f = core_flow(PF_INET, 6101, 53);
	struct pf_ctl_req k = { .op = PF_CTL_KILL, .rule = PF_RULE_NONE };
	struct pf_state s;

	cr_assert_eq(udp_out(PF_INET, 6101), PF_PASS);
	cr_assert_eq(udp_out(PF_INET, 6102), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_UDP, &s), 0);
	k.id = s.id;
	cr_assert_eq(h_ctl(&k), 0);
	cr_expect_eq(k.count, 1);
	cr_expect_eq(core_state(&f, IPPROTO_UDP, &s), -ENOENT);
}

Test(core_state, add_state_counts_and_reports)
{
	struct pf_ctl_req a = { .op = PF_CTL_ADD_STATE };
	struct h_flow f = core_flow(PF_INET, 7001, 22);
	union h_event ev[H_EV_MAX];
	struct pf_gcount g;
	struct pf_state s;
	int n;

	cr_assert_eq(h_state_key(&f, IPPROTO_TCP, PF_OUT, &a.key), 0);
	a.state.flags = PFSTATE_F_OUT;
	a.state.rule = PF_RULE_NONE;
	a.state.pstate[0] = a.state.pstate[1] = TCPS_ESTABLISHED;
	a.state.timeout = PFTM_TCP_ESTABLISHED;
	cr_assert_eq(h_ctl(&a), 0);
	cr_expect_eq(a.count, 1);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_neq(s.id, 0);
	cr_expect(s.flags & PFSTATE_F_IMPORTED);
	cr_assert_eq(h_gcount(&g), 0);
	cr_expect_eq(g.states, 1);
	n = h_events(ev, H_EV_MAX);
	cr_expect_eq(h_events_count(ev, n, PF_EV_STATE_CREATE), 1);
	cr_expect_eq(h_ctl(&a), -EEXIST, "the same key twice");
}

/* Every field the DTrace provider's scripts read is in the event. */
Test(core_state, create_event_contents)
{
	struct h_flow f = core_flow(PF_INET6, 8001, 443);
	union h_event ev[H_EV_MAX];
	struct pf_state_key k;
	struct pf_config c;
	struct pf_state s;
	int n, from = 0;
	const union h_event *e;
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 77 }), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	n = h_events(ev, H_EV_MAX);
	e = h_event_find(ev, n, PF_EV_STATE_CREATE, &from);
	cr_assert_not_null(e);
	cr_assert_eq(h_state_key(&f, IPPROTO_TCP, PF_OUT, &k), 0);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_assert_eq(h_config_get(&c), 0);
	cr_expect_eq(memcmp(&e->st.key[PF_SK_WIRE], &k, sizeof(k)), 0);
	cr_expect_eq(memcmp(&e->st.key[PF_SK_STACK], &k, sizeof(k)), 0);
	cr_expect_eq(e->st.direction, PF_OUT);
	cr_expect_eq(e->st.creatorid, c.hostid);
	cr_expect_eq(e->st.state.id, s.id);
	cr_expect_eq(e->st.state.rule, h_active_rid(1));
	cr_expect_eq(e->st.state.pstate[0], TCPS_SYN_SENT);
	cr_expect_eq(e->st.state.seqlo[0], 77);
	cr_expect_eq(e->st.state.packets[0], 1);
	cr_expect_eq(e->st.state.bytes[0], p.len - 14);
	cr_expect_eq(e->st.state.ifindex, 1);
	cr_expect_gt(e->st.ts_ns, 0);
}

static void trace_on(struct pf_config *c) { c->trace = PF_TRACE_IP_RECEIVE | PF_TRACE_IP_SEND; }

Test(core_state, ip_events_only_when_traced)
{
	struct h_flow f = core_flow(PF_INET, 9001, 53);
	union h_event ev[H_EV_MAX];
	const union h_event *e;
	struct h_pkt p;
	int n, from = 0;

	cr_assert_eq(h_udp(&p, &f, 10, &(struct h_l2){ .ttl = 33 }), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	n = h_events(ev, H_EV_MAX);
	cr_expect_eq(h_events_count(ev, n, PF_EV_IP_SEND), 0);
	set_cfg(trace_on);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	struct h_flow r = h_flow_rev(&f);
	cr_assert_eq(h_udp(&p, &r, 10, NULL), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	n = h_events(ev, H_EV_MAX);
	e = h_event_find(ev, n, PF_EV_IP_SEND, &from);
	cr_assert_not_null(e);
	cr_expect_eq(e->ip.ip_ver, 4);
	cr_expect_eq(e->ip.ipv4_ttl, 33);
	cr_expect_eq(e->ip.ipv4_protocol, IPPROTO_UDP);
	cr_expect_eq(e->ip.ipv4_length, 20 + 8 + 10);
	cr_expect_eq(e->ip.ip_plength, 8 + 10);
	cr_expect_eq(e->ip.verdict, PF_PASS);
	cr_expect_eq(e->ip.hook, 1);
	from = 0;
	e = h_event_find(ev, n, PF_EV_IP_RECEIVE, &from);
	cr_assert_not_null(e);
	cr_expect_eq(e->ip.hook, 0);
}

Test(core_state, counters)
{
	struct pf_status_pcpu st;
	struct pf_rule_counters rc;
	struct pf_if_counters ic;
	struct h_flow f = core_flow(PF_INET6, 9101, 53), r = h_flow_rev(&f);
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, 10, NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(h_udp(&p, &r, 10, NULL), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	r.sport = 1;
	cr_assert_eq(h_udp(&p, &r, 10, NULL), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_DROP);

	cr_assert_eq(h_status(&st), 0);
	cr_expect_eq(st.pcounters[PF_AF_IDX_INET6][PF_DIR_IDX_OUT][PF_VERDICT_IDX_PASS], 2);
	cr_expect_eq(st.pcounters[PF_AF_IDX_INET6][PF_DIR_IDX_IN][PF_VERDICT_IDX_PASS], 1);
	cr_expect_eq(st.pcounters[PF_AF_IDX_INET6][PF_DIR_IDX_IN][PF_VERDICT_IDX_DROP], 1);
	cr_expect_eq(st.bcounters[PF_AF_IDX_INET6][PF_DIR_IDX_OUT], 2 * (40 + 8 + 10));
	cr_expect_eq(st.fcounters[FCNT_STATE_SEARCH], 4);
	cr_expect_eq(st.fcounters[FCNT_STATE_INSERT], 1);
	cr_expect_eq(st.counters[PFRES_MATCH], 2, "two first packets matched a rule");

	/* rule 1 (pass out keep state): the state's packets count for it */
	cr_assert_eq(h_rulectr(1, 1, &rc), 0);
	cr_expect_eq(rc.packets[1], 2);
	cr_expect_eq(rc.packets[0], 1);
	cr_expect_eq(rc.states_tot, 1);
	/* rule 0 (block all) dropped one */
	cr_assert_eq(h_rulectr(1, 0, &rc), 0);
	cr_expect_eq(rc.packets[0], 1);
	/* both evaluations walked to the end (no quick) */
	cr_assert_eq(h_rulectr(1, 2, &rc), 0);
	cr_expect_eq(rc.stops, 2);

	cr_assert_eq(h_ifctr(1, &ic), 0);
	cr_expect_eq(ic.packets[PF_AF_IDX_INET6][PF_DIR_IDX_OUT][PF_VERDICT_IDX_PASS], 2);
	cr_expect_eq(ic.packets[PF_AF_IDX_INET6][PF_DIR_IDX_IN][PF_VERDICT_IDX_DROP], 1);
	cr_expect_eq(ic.states, 1);
}

static void stop(struct pf_config *c) { c->stopped = 1; }

Test(core_state, stopped_passes_everything)
{
	struct h_flow f = core_flow(PF_INET, 9201, 80);
	struct pf_status_pcpu st;

	set_cfg(stop);
	cr_expect_eq(core_tcp(&f, PF_IN, TH_ACK, 1, 2, 3), PF_PASS);
	cr_expect_eq(h_state_count(), 0);
	cr_assert_eq(h_status(&st), 0);
	cr_expect_eq(st.pcounters[0][0][0] + st.pcounters[0][0][1], 0);
}

/* Events that do not fit are counted, never block a packet. */
Test(core_state, ring_full_counts_lost_events)
{
	struct pf_status_pcpu st;
	struct pf_ctl_req k = { .op = PF_CTL_KILL, .rule = PF_RULE_NONE };
	int i;

	set_cfg(trace_on);
	/* 4 MiB of 176-byte state events and 80-byte ip events */
	for (i = 0; i < 30000; i++)
		cr_assert_eq(udp_out(PF_INET, 10000 + i), PF_PASS);
	cr_assert_eq(h_status(&st), 0);
	cr_expect_gt(st.events_lost + st.ip_events_lost, 0);
	cr_expect_eq(h_state_count(), 30000);
	cr_assert_eq(h_ctl(&k), 0);
	cr_expect_eq(k.count, 30000);
}

/* An if-bound state ignores packets of other interfaces; the state the
 * rule then tries to make collides with it: `state-insert`, dropped. */
Test(core_state, ifbound_state_and_insert_failure)
{
	struct pf_ctl_req a = { .op = PF_CTL_ADD_STATE };
	struct h_flow f = core_flow(PF_INET, 7101, 53);

	cr_assert_eq(h_state_key(&f, IPPROTO_UDP, PF_OUT, &a.key), 0);
	a.state.flags = PFSTATE_F_OUT | PFSTATE_F_IFBOUND;
	a.state.ifindex = 99;
	a.state.rule = PF_RULE_NONE;
	a.state.timeout = PFTM_UDP_SINGLE;
	cr_assert_eq(h_ctl(&a), 0);
	cr_expect_eq(udp_out(PF_INET, 7101), PF_DROP);
	cr_expect_eq(core_counter(PFRES_STATEINS), 1);
	cr_expect_eq(h_state_count(), 1);
}
