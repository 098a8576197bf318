// SPDX-License-Identifier: BSD-2-Clause
/*
 * A state mismatch during the handshake (issue 7 item 8).  OpenBSD
 * sys/net/pf.c pf_tcp_track_full: when a segment fails the window check
 * while both peers are SYN_SENT, pf drops it, sends the sender a RST
 * (seq = the segment's ack) and resets the sender's peer (seqlo 0, seqhi
 * 1, max_win 1), so the sender's next SYN starts its half afresh.
 */
#include "core_util.h"

TestSuite(core_simopen, .init = core_setup, .fini = h_teardown);

#define XDP_TX_RESULT (100 + 3)
#define TC_REDIRECT_RESULT (100 + 7)

static __u32 get32(const __u8 *b)
{
	return ((__u32)b[0] << 24) | ((__u32)b[1] << 16) | ((__u32)b[2] << 8) | b[3];
}

static void stale_synack(int af)
{
	struct h_flow f = core_flow(af, 40000, 80), r = h_flow_rev(&f);
	__u64 bad0 = core_counter(PFRES_BADSTATE);
	struct pf_state s;
	struct h_pkt p;
	__u8 *th;

	cr_assert_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	/* the server answers a SYN of an older connection: its ack is far
	 * from our SYN, so the segment fails the ack-skew check */
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000,
						   .ack = 3000000 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT, "the mismatch is answered with a RST");
	th = p.buf + (af == PF_INET ? 34 : 54);
	cr_expect_eq(th[13], TH_RST, "a RST, as pf_send_tcp(..., TH_RST)");
	cr_expect_eq(get32(th + 4), 3000000, "seq = the segment's ack");
	cr_expect_eq((th[0] << 8) | th[1], 40000, "from the client's port");
	cr_expect_eq((th[2] << 8) | th[3], 80, "to the server's port");
	cr_expect_eq(core_counter(PFRES_BADSTATE) - bad0, 1, "still a state mismatch");

	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0, "the state stays");
	cr_expect_eq(s.seqlo[1], 0, "the sender's seqlo is reset");
	cr_expect_eq(s.seqhi[1], 1);
	cr_expect_eq(s.max_win[1], 1);
	cr_expect_eq(s.pstate[1], TCPS_SYN_SENT);
	cr_expect_eq(s.pstate[0], TCPS_SYN_SENT);
	cr_expect_eq(s.seqlo[0], 1000, "the client's half is untouched");
	cr_expect_eq(s.packets[1], 0, "the dropped segment is not counted");

	/* the real SYN|ACK now starts the server's half afresh */
	cr_assert_eq(core_tcp(&f, PF_IN, TH_SYN | TH_ACK, 7000, 1001, 0), PF_PASS);
	cr_assert_eq(core_tcp(&f, PF_OUT, TH_ACK, 1001, 7001, 0), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_ESTABLISHED);
	cr_expect_eq(s.pstate[1], TCPS_ESTABLISHED);
	cr_expect_eq(s.seqlo[1], 7001);
}

Test(core_simopen, stale_synack_answered_with_rst_v4) { stale_synack(PF_INET); }
Test(core_simopen, stale_synack_answered_with_rst_v6) { stale_synack(PF_INET6); }

/* From tc egress the RST goes back into the local stack (redirect to
 * ingress), to the local sender. */
Test(core_simopen, local_sender_gets_rst_from_tc)
{
	struct h_flow f = core_flow(PF_INET, 40001, 80);
	struct pf_state s;
	struct h_pkt p;

	cr_assert_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	/* simultaneous open: the server's own SYN crosses ours */
	cr_assert_eq(core_tcp(&f, PF_IN, TH_SYN, 5000, 0, 0), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_assert_eq(s.pstate[1], TCPS_SYN_SENT);
	/* our SYN|ACK acks something the server never sent */
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 1000,
						   .ack = 4000000 }), 0);
	cr_expect_eq(h_run(PF_OUT, &p), TC_REDIRECT_RESULT, "answered into the local stack");
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.seqlo[0], 0);
	cr_expect_eq(s.seqhi[0], 1);
	cr_expect_eq(s.max_win[0], 1);
}

/* A RST is never answered, but the sender's half is still reset; and
 * outside the handshake a mismatch stays a plain drop. */
Test(core_simopen, rst_not_answered_established_plain_drop)
{
	struct h_flow f = core_flow(PF_INET, 40002, 80);
	struct pf_state s;

	cr_assert_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	cr_assert_eq(core_tcp(&f, PF_IN, TH_SYN, 5000, 0, 0), PF_PASS);
	cr_expect_eq(core_tcp(&f, PF_IN, TH_RST, 9000000, 0, 0), PF_DROP);
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.seqlo[1], 0);

	f = core_flow(PF_INET, 40003, 80);
	cr_assert_eq(core_tcp(&f, PF_OUT, TH_SYN, 1000, 0, 0), PF_PASS);
	cr_assert_eq(core_tcp(&f, PF_IN, TH_SYN | TH_ACK, 5000, 1001, 0), PF_PASS);
	cr_assert_eq(core_tcp(&f, PF_OUT, TH_ACK, 1001, 5001, 0), PF_PASS);
	cr_expect_eq(core_tcp(&f, PF_IN, TH_ACK, 5001, 3000000, 0), PF_DROP, "no RST");
	cr_assert_eq(core_state(&f, IPPROTO_TCP, &s), 0);
	cr_expect_eq(s.seqlo[1], 5001, "untouched");
}
