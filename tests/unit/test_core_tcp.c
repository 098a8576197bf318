// SPDX-License-Identifier: BSD-2-Clause
/*
 * TCP through the state table: pf_tcp_track_full's handshake, data,
 * teardown, RST, window scaling and the checks that drop segments without
 * touching the state.
 */
#include "core_util.h"

TestSuite(core_tcp, .init = core_setup, .fini = h_teardown);

/* SYN out, SYN|ACK in, ACK out: both peers ESTABLISHED. */
static void handshake(const struct h_flow *f)
{
	struct pf_state s;

	cr_assert_eq(core_tcp(f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	cr_assert_eq(core_state(f, IPPROTO_TCP, &s), 0, "SYN made no state");
	cr_expect_eq(s.pstate[0], TCPS_SYN_SENT);
	cr_expect_eq(s.pstate[1], TCPS_CLOSED);
	cr_expect_eq(s.timeout, PFTM_TCP_FIRST_PACKET);
	cr_expect(s.flags & PFSTATE_F_OUT);
	cr_expect_eq(s.rule, h_active_rid(1));
	cr_expect_eq(s.seqlo[0], 1000);
	cr_expect_eq(s.seqhi[0], 1002, "seqhi = seq + SYN + 1 as pf_create_state");

	cr_assert_eq(core_tcp(f, PF_IN, TH_SYN | TH_ACK, 5000, 1001, 0), PF_PASS);
	cr_assert_eq(core_state(f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_ESTABLISHED);
	cr_expect_eq(s.pstate[1], TCPS_SYN_SENT);
	cr_expect_eq(s.timeout, PFTM_TCP_OPENING);

	cr_assert_eq(core_tcp(f, PF_OUT, TH_ACK, 1001, 5001, 0), PF_PASS);
	cr_assert_eq(core_state(f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_ESTABLISHED);
	cr_expect_eq(s.pstate[1], TCPS_ESTABLISHED);
	cr_expect_eq(s.timeout, PFTM_TCP_ESTABLISHED);
}

static void full_connection(int af)
{
	struct h_flow f = core_flow(af, 40000, 80);
	union h_event ev[H_EV_MAX];
	struct pf_state s;
	int n, i, from = 0;
	const union h_event *e;

	handshake(&f);
	/* data both ways */
	cr_assert_eq(core_tcp(&f, PF_OUT, TH_ACK | TH_PUSH, 1001, 5001, 100), PF_PASS);
	cr_assert_eq(core_tcp(&f, PF_IN, TH_ACK | TH_PUSH, 5001, 1101, 200), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.seqlo[0], 1101);
	cr_expect_eq(s.seqlo[1], 5201);
	cr_expect_eq(s.packets[0], 3);
	cr_expect_eq(s.packets[1], 2);

	/* client closes, server acks, server closes, client acks */
	cr_assert_eq(core_tcp(&f, PF_OUT, TH_FIN | TH_ACK, 1101, 5201, 0), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_CLOSING);
	cr_assert_eq(core_tcp(&f, PF_IN, TH_ACK, 5201, 1102, 0), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_FIN_WAIT_2);
	cr_expect_eq(s.timeout, PFTM_TCP_CLOSING);
	cr_assert_eq(core_tcp(&f, PF_IN, TH_FIN | TH_ACK, 5201, 1102, 0), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[1], TCPS_CLOSING);
	cr_assert_eq(core_tcp(&f, PF_OUT, TH_ACK, 1102, 5202, 0), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_FIN_WAIT_2);
	cr_expect_eq(s.pstate[1], TCPS_FIN_WAIT_2);
	cr_expect_eq(s.timeout, PFTM_TCP_CLOSED);

	n = h_events(ev, H_EV_MAX);
	cr_assert_gt(n, 0);
	cr_expect_eq(h_events_count(ev, n, PF_EV_STATE_CREATE), 1);
	cr_expect_eq(h_events_count(ev, n, PF_EV_TCP_ESTABLISHED), 1);
	cr_expect_eq(h_events_count(ev, n, PF_EV_TCP_CLOSED), 1);
	/* every peer transition is reported with the states before it */
	e = h_event_find(ev, n, PF_EV_STATE_CHANGE, &from);
	cr_assert_not_null(e);
	cr_expect_eq(e->st.old_pstate[0], TCPS_SYN_SENT);
	cr_expect_eq(e->st.old_pstate[1], TCPS_CLOSED);
	cr_expect_eq(e->st.state.pstate[0], TCPS_ESTABLISHED);
	for (i = 0; i < n; i++)
		cr_expect_eq(ev[i].st.key[0].af, af);

	/* a new SYN on the closed connection's ports replaces the state */
	cr_assert_eq(core_tcp(&f, PF_OUT, TH_SYN, 90000, 0, 0), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_SYN_SENT);
	cr_expect_eq(s.seqlo[0], 90000);
	n = h_events(ev, H_EV_MAX);
	from = 0;
	e = h_event_find(ev, n, PF_EV_STATE_DESTROY, &from);
	cr_assert_not_null(e, "old state was not destroyed");
	cr_expect_eq(e->st.reason, PF_DESTROY_FIN);
}

Test(core_tcp, handshake_data_fin_v4) { full_connection(PF_INET); }
Test(core_tcp, handshake_data_fin_v6) { full_connection(PF_INET6); }

static void rst_close(int af)
{
	struct h_flow f = core_flow(af, 40001, 443);
	union h_event ev[H_EV_MAX];
	struct pf_state s;
	int n;

	handshake(&f);
	h_events(ev, H_EV_MAX);
	/* the server resets at exactly its seqlo */
	cr_assert_eq(core_tcp(&f, PF_IN, TH_RST, 5001, 0, 0), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_TIME_WAIT);
	cr_expect_eq(s.pstate[1], TCPS_TIME_WAIT);
	cr_expect_eq(s.timeout, PFTM_TCP_CLOSED);
	n = h_events(ev, H_EV_MAX);
	cr_expect_eq(h_events_count(ev, n, PF_EV_TCP_CLOSED), 1);
	cr_expect_eq(h_events_count(ev, n, PF_EV_STATE_CHANGE), 1);
}

Test(core_tcp, rst_v4) { rst_close(PF_INET); }
Test(core_tcp, rst_v6) { rst_close(PF_INET6); }

Test(core_tcp, rst_seq_plus_minus_one_accepted)
{
	struct h_flow f = core_flow(PF_INET, 40002, 443);
	struct pf_state s;

	handshake(&f);
	cr_assert_eq(core_tcp(&f, PF_IN, TH_RST, 5002, 0, 0), PF_PASS, "pf allows seqlo + 1");
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[1], TCPS_TIME_WAIT);
}

static void out_of_window_untouched(int af)
{
	struct h_flow f = core_flow(af, 40003, 22);
	struct pf_state before, after;
	__u64 bad0 = core_counter(PFRES_BADSTATE);

	handshake(&f);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &before), 0);
	/* a spoofed RST in the window but not at seqlo */
	cr_expect_eq(core_tcp(&f, PF_IN, TH_RST, 5001 + 1000, 0, 0), PF_DROP);
	/* a RST far outside */
	cr_expect_eq(core_tcp(&f, PF_IN, TH_RST | TH_ACK, 5001 + 3000000, 1001, 0), PF_DROP);
	/* data far beyond what the client's window allows */
	cr_expect_eq(core_tcp(&f, PF_IN, TH_ACK, 5001 + 200000, 1001, 100), PF_DROP);
	/* data acking what the client never sent */
	cr_expect_eq(core_tcp(&f, PF_IN, TH_ACK, 5001, 1001 + 500000, 10), PF_DROP);
	/* old data more than a window back */
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_ACK, 1001 - 200000, 5001, 10), PF_DROP);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &after), 0);
	cr_expect_eq(memcmp(&before, &after, sizeof(before)), 0,
		     "a refused segment changed the state");
	cr_expect_eq(core_counter(PFRES_BADSTATE) - bad0, 5);
	/* and the connection still works */
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_ACK, 1001, 5001, 10), PF_PASS);
}

Test(core_tcp, out_of_window_dropped_state_untouched_v4) { out_of_window_untouched(PF_INET); }
Test(core_tcp, out_of_window_dropped_state_untouched_v6) { out_of_window_untouched(PF_INET6); }

/* Both SYNs carry wscale: windows are scaled after the handshake. */
Test(core_tcp, window_scaling_both_sides)
{
	struct h_flow f = core_flow(PF_INET, 40004, 80), r = h_flow_rev(&f);
	struct pf_state s;
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000, .win = 64240,
						   .mss = 1460, .has_wscale = true,
						   .wscale = 7 }), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.wscale[0], PF_WSCALE_FLAG | 7);
	cr_expect_eq(s.mss[0], 1460);
	cr_expect_eq(s.max_win[0], (64240 + 127) >> 7, "initial window unscaled");

	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000,
						   .ack = 1001, .win = 1000, .mss = 1400,
						   .has_wscale = true, .wscale = 8 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.wscale[1], PF_WSCALE_FLAG | 8);
	cr_expect_eq(s.mss[1], 1400);
	cr_expect(s.flags & PFSTATE_F_WSCALE);

	cr_assert_eq(core_tcp(&f, PF_OUT, TH_ACK, 1001, 5001, 0), PF_PASS);
	/* the server's window 1000 << 8 = 256000 lets the client send far */
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_ACK, .seq = 5001, .ack = 1001,
						   .win = 1000 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.seqhi[0], 1001 + (1000u << 8));
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_ACK, 1001 + 200000, 5001, 100), PF_PASS);
}

/* Only the client offers wscale: pf undoes it and no window is scaled. */
Test(core_tcp, window_scaling_one_side_only)
{
	struct h_flow f = core_flow(PF_INET, 40005, 80), r = h_flow_rev(&f);
	struct pf_state s;
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000, .win = 64240,
						   .has_wscale = true, .wscale = 7 }), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000,
						   .ack = 1001, .win = 1000 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.wscale[0], 0, "one-sided wscale must be dropped");
	cr_expect_eq(s.wscale[1], 0);
	cr_expect_eq(s.max_win[0], ((64240 + 127) >> 7) << 7, "window rescaled back");
	cr_expect_not(s.flags & PFSTATE_F_WSCALE);
	cr_assert_eq(core_tcp(&f, PF_OUT, TH_ACK, 1001, 5001, 0), PF_PASS);
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_ACK, .seq = 5001, .ack = 1001,
						   .win = 1000 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.seqhi[0], 1001 + 1000);
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_ACK, 1001 + 200000, 5001, 100), PF_DROP);
}

/* block all; pass out keep state (flags S/SA): an ACK with no state
 * matches only `block all`. */
Test(core_tcp, stray_ack_blocked)
{
	struct h_flow f = core_flow(PF_INET, 40006, 80);
	__u64 m0 = core_counter(PFRES_MATCH);

	cr_expect_eq(core_tcp(&f, PF_OUT, TH_ACK, 1000, 2000, 10), PF_DROP);
	cr_expect_eq(core_tcp(&f, PF_IN, TH_ACK, 2000, 1000, 10), PF_DROP);
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_SYN | TH_ACK, 1000, 2000, 0), PF_DROP);
	cr_expect_eq(h_state_count(), 0);
	cr_expect_eq(core_counter(PFRES_MATCH) - m0, 3);
}

/* Even a rule written `flags any keep state` does not make a state from a
 * mid-stream segment: the segment is dropped as a state mismatch. */
Test(core_tcp, flags_any_rule_still_needs_syn)
{
	struct h_flow f = core_flow(PF_INET, 40007, 80);
	struct pfbpf_rule r = h_rule(PF_PASS, PF_OUT, IPPROTO_TCP, PF_STATE_NORMAL);
	__u64 b0;

	r.flags = r.flagset = 0;
	cr_assert_eq(h_rules(&r, 1), 0);
	b0 = core_counter(PFRES_BADSTATE);
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_ACK, 1000, 2000, 10), PF_DROP);
	cr_expect_eq(h_state_count(), 0);
	cr_expect_eq(core_counter(PFRES_BADSTATE) - b0, 1);
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	cr_expect_eq(h_state_count(), 1);
}

/* An empty ruleset passes everything without state, as pf. */
Test(core_tcp, empty_ruleset_passes_without_state)
{
	struct h_flow f = core_flow(PF_INET, 40008, 80);

	cr_assert_eq(h_rules(NULL, 0), 0);
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	cr_expect_eq(core_tcp(&f, PF_IN, TH_ACK, 5, 6, 10), PF_PASS);
	cr_expect_eq(h_state_count(), 0);
}

/* Loose branch: a second SYN before the peer answered passes. */
Test(core_tcp, shotgun_syn_passes)
{
	struct h_flow f = core_flow(PF_INET, 40009, 80);

	cr_assert_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	cr_expect_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	cr_expect_eq(h_state_count(), 1);
}

/* The tc ingress program sees the same state table. */
Test(core_tcp, tc_ingress_shares_states)
{
	struct h_flow f = core_flow(PF_INET, 40010, 80), r = h_flow_rev(&f);
	struct h_pkt p;

	cr_assert_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000,
						   .ack = 1001 }), 0);
	cr_expect_eq(h_tc(PF_IN, &p), 0 /* TC_ACT_OK */);
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_ACK, .seq = 9000000, .plen = 10,
						   .ack = 1001 }), 0);
	cr_expect_eq(h_tc(PF_IN, &p), 2 /* TC_ACT_SHOT */);
}

/* The options a Linux SYN carries: MSS, SACK permitted, timestamps, NOP,
 * window scale; and a SYN padded with NOPs up to 40 bytes. */
Test(core_tcp, syn_options_parsed)
{
	static const __u8 linux_syn[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,
					  1, 3, 3, 7 };
	static const __u8 nops[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				     1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
				     1, 1, 1, 1, 3, 3, 14, 0 };
	/* a zero length is stepped over as 2 (pf_find_tcpopt's MAX(opt[1], 2)) */
	static const __u8 broken[] = { 2, 0, 3, 3, 5, 0, 0, 0 };
	struct h_flow f = core_flow(PF_INET, 40020, 80), g = core_flow(PF_INET6, 40021, 80);
	struct h_flow h = core_flow(PF_INET, 40022, 80);
	struct pf_state s;
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1, .opts = linux_syn,
						   .optlen = sizeof(linux_syn) }), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.mss[0], 1460);
	cr_expect_eq(s.wscale[0], PF_WSCALE_FLAG | 7);

	cr_assert_eq(h_tcp(&p, &g, &(struct h_tcp){ .flags = TH_SYN, .seq = 1, .opts = nops,
						   .optlen = sizeof(nops) }), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(core_state(&g, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.wscale[0], PF_WSCALE_FLAG | 14);

	cr_assert_eq(h_tcp(&p, &h, &(struct h_tcp){ .flags = TH_SYN, .seq = 1, .opts = broken,
						   .optlen = sizeof(broken) }), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(core_state(&h, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.wscale[0], PF_WSCALE_FLAG | 5, "pf reads the option after a zero length");
	cr_expect_eq(s.mss[0], 0, "an MSS option without length 4 does not count");
}
