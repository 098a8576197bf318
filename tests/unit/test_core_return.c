// SPDX-License-Identifier: BSD-2-Clause
/*
 * block return-rst / return-icmp / return: XDP answers on the wire
 * (XDP_TX), the tc programs redirect the answer back the way the packet
 * came (TC_ACT_REDIRECT).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_setaffinity, sched_getcpu */
#endif
#include <sched.h>
#include "core_util.h"

static void return_rules(void)
{
	struct pfbpf_rule r[2];

	h_setup();
	r[0] = h_rule(PF_DROP, PF_IN, IPPROTO_TCP, PF_STATE_NONE);
	r[0].rule_flag = PFRULE_RETURNRST;
	r[1] = h_rule(PF_DROP, PF_IN, IPPROTO_UDP, PF_STATE_NONE);
	r[1].rule_flag = PFRULE_RETURNICMP;
	r[1].nr = 1;
	cr_assert_eq(h_rules(r, 2), 0);
}

TestSuite(core_return, .init = return_rules, .fini = h_teardown);

#define XDP_TX_RESULT (100 + 3)

/* The checksums the program wrote are the ones the harness computes. */
static void expect_csums_ok(struct h_pkt *p, int af)
{
	struct h_pkt q = *p;

	q.l3 = 14;
	q.l4 = af == PF_INET ? 34 : 54;
	q.proto = p->buf[af == PF_INET ? 14 + 9 : 14 + 6];
	h_fix_csum(&q);
	cr_expect_eq(memcmp(p->buf, q.buf, p->len), 0, "bad checksum in the answer");
}

static void rst(int af)
{
	struct h_flow f = core_flow(af, 40000, 22), r = h_flow_rev(&f);
	struct h_pkt p;
	__u8 *th;

	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_SYN, .seq = 777, .plen = 0 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT);
	cr_assert_eq(p.len, af == PF_INET ? 54u : 74u);
	th = p.buf + (af == PF_INET ? 34 : 54);
	cr_expect_eq(th[13], TH_RST | TH_ACK);
	cr_expect_eq((th[8] << 24) | (th[9] << 16) | (th[10] << 8) | th[11], 778, "ack = seq + SYN");
	cr_expect_eq((th[0] << 8) | th[1], 40000);
	cr_expect_eq((th[2] << 8) | th[3], 22);
	/* addresses and MACs swapped */
	cr_expect_eq(memcmp(p.buf, "\x02\x00\x00\x00\x00\x01", 6), 0);
	expect_csums_ok(&p, af);

	/* an ACK is answered with RST at its ack number */
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_ACK, .seq = 5, .ack = 999,
						   .plen = 30 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT);
	cr_expect_eq(th[13], TH_RST);
	cr_expect_eq((th[4] << 24) | (th[5] << 16) | (th[6] << 8) | th[7], 999);
	expect_csums_ok(&p, af);

	/* a RST is never answered */
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_RST, .seq = 5 }), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
}

Test(core_return, rst_v4) { rst(PF_INET); }
Test(core_return, rst_v6) { rst(PF_INET6); }

static void expect_icmp_answer(const struct h_pkt *orig, struct h_pkt *p, int af, __u8 type,
			       __u8 code);

static void icmp(int af)
{
	struct h_flow f = core_flow(af, 5000, 53), r = h_flow_rev(&f);
	struct h_pkt p, orig;

	cr_assert_eq(h_udp(&p, &r, 100, NULL), 0);
	orig = p;
	cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT);
	expect_icmp_answer(&orig, &p, af, af == PF_INET ? 3 : 1, af == PF_INET ? 3 : 4);
}

Test(core_return, icmp_unreach_v4) { icmp(PF_INET); }
Test(core_return, icmp6_unreach) { icmp(PF_INET6); }

/* tc egress: a local application's segment to a blocked destination is
 * answered with a RST handed to the local stack (TC_ACT_REDIRECT). */
Test(core_return, rst_from_tc_egress)
{
	struct pfbpf_rule r = h_rule(PF_DROP, PF_OUT, IPPROTO_TCP, PF_STATE_NONE);
	struct h_flow f = core_flow(PF_INET6, 40100, 25);
	struct h_pkt p;
	__u8 *th;

	r.rule_flag = PFRULE_RETURNRST;
	cr_assert_eq(h_rules(&r, 1), 0);
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 41 }), 0);
	cr_assert_eq(h_tc(PF_OUT, &p), 7 /* TC_ACT_REDIRECT */);
	cr_assert_eq(p.len, 74);
	th = p.buf + 54;
	cr_expect_eq(th[13], TH_RST | TH_ACK);
	cr_expect_eq((th[8] << 24) | (th[9] << 16) | (th[10] << 8) | th[11], 42);
	cr_expect_eq((th[0] << 8) | th[1], 25);
	expect_csums_ok(&p, PF_INET6);
}

/* ---- ICMP answers from the tc programs ----------------------------------- */

#define TC_ACT_SHOT_RESULT 2
#define TC_ACT_REDIRECT_RESULT 7

/* Bytes of orig an answer quotes: IPv4 header + 8 (RFC 792), IPv6: as
 * much as fits in 1280 bytes (RFC 4443). */
static __u32 quote_len(const struct h_pkt *orig, int af)
{
	__u32 q;

	if (af == PF_INET)
		return 28;
	q = 40 + ((orig->buf[14 + 4] << 8) | orig->buf[14 + 5]);
	return q > 1280 - 48 ? 1280 - 48 : q;
}

/*
 * p is the answer the program left for orig: an ICMP (v4) or ICMPv6 error
 * of type/code, from orig's destination to its source, MACs swapped,
 * quoting orig from its IP header on (quote_len), checksums right.
 */
static void expect_icmp_answer(const struct h_pkt *orig, struct h_pkt *p, int af, __u8 type,
			       __u8 code)
{
	__u32 l3 = af == PF_INET ? 20 : 40, alen = af == PF_INET ? 4 : 16;
	__u32 sa = af == PF_INET ? 12 : 8, da = af == PF_INET ? 16 : 24;
	const __u8 *ip = p->buf + 14, *ic = p->buf + 14 + l3, *oip = orig->buf + 14;
	__u32 q = quote_len(orig, af);

	cr_assert_eq(p->len, 14 + l3 + 8 + q, "answer length %u", p->len);
	cr_expect_eq(memcmp(p->buf, orig->buf + 6, 6), 0, "destination MAC is the packet's source");
	cr_expect_eq(memcmp(p->buf + 6, orig->buf, 6), 0, "source MAC is the packet's destination");
	cr_expect_eq(memcmp(p->buf + 12, orig->buf + 12, 2), 0, "ethertype kept");
	if (af == PF_INET) {
		cr_expect_eq(ip[0], 0x45);
		cr_expect_eq(ip[9], IPPROTO_ICMP);
		cr_expect_eq((ip[2] << 8) | ip[3], 20 + 8 + 28, "total length");
		cr_expect_eq(ip[6] & 0x3f, 0, "not a fragment");
		cr_expect_gt(ip[8], 0, "TTL");
	} else {
		cr_expect_eq(ip[0] >> 4, 6);
		cr_expect_eq(ip[6], IPPROTO_ICMPV6);
		cr_expect_eq((ip[4] << 8) | ip[5], 8 + q, "payload length");
		cr_expect_gt(ip[7], 0, "hop limit");
	}
	cr_expect_eq(memcmp(ip + sa, oip + da, alen), 0, "sent from the packet's destination");
	cr_expect_eq(memcmp(ip + da, oip + sa, alen), 0, "sent to the packet's source");
	cr_expect_eq(ic[0], type, "ICMP type %u", ic[0]);
	cr_expect_eq(ic[1], code, "ICMP code %u", ic[1]);
	cr_expect_eq(ic[4] | ic[5] | ic[6] | ic[7], 0, "unused word is zero");
	cr_expect_eq(memcmp(ic + 8, oip, q), 0, "quote of the packet from its IP header on");
	expect_csums_ok(p, af);
}

static __u64 sent_icmp(void)
{
	struct pf_status_pcpu st;

	cr_assert_eq(h_status(&st), 0);
	return st.return_icmp;
}

static void install(__u8 dir, __u8 proto, __u16 flag, __u8 type, __u8 code)
{
	struct pfbpf_rule r = h_rule(PF_DROP, dir, proto, PF_STATE_NONE);

	r.rule_flag = flag;
	r.return_icmp_type = type;
	r.return_icmp_code = code;
	cr_assert_eq(h_rules(&r, 1), 0);
}

/*
 * A UDP datagram of flow f through the tc program for dir is answered with
 * type/code and the packet redirected (TC_ACT_REDIRECT), counted once.
 */
static void tc_answer(int dir, int af, __u8 type, __u8 code)
{
	struct h_flow f = core_flow(af, 5000, 53);
	struct h_pkt p, orig;
	__u64 n0 = sent_icmp();

	if (dir == PF_IN)
		f = h_flow_rev(&f);
	cr_assert_eq(h_udp(&p, &f, 100, NULL), 0);
	orig = p;
	cr_assert_eq(h_tc(dir, &p), TC_ACT_REDIRECT_RESULT);
	expect_icmp_answer(&orig, &p, af, type, code);
	cr_expect_eq(sent_icmp() - n0, 1, "one ICMP answer counted");
}

/* the suite's `block in proto udp return-icmp` from tc ingress */
Test(core_return, tc_in_icmp_v4) { tc_answer(PF_IN, PF_INET, 3, 3); }
Test(core_return, tc_in_icmp6) { tc_answer(PF_IN, PF_INET6, 1, 4); }

/* `block out proto udp return-icmp`: a local sender's datagram is answered
 * to the local stack */
Test(core_return, tc_out_icmp_v4)
{
	install(PF_OUT, IPPROTO_UDP, PFRULE_RETURNICMP, 3, 3);
	tc_answer(PF_OUT, PF_INET, 3, 3);
}

Test(core_return, tc_out_icmp6)
{
	install(PF_OUT, IPPROTO_UDP, PFRULE_RETURNICMP, 3, 3);
	tc_answer(PF_OUT, PF_INET6, 1, 4);
}

/* `block return`: RST for TCP (tested above), ICMP port unreachable else */
Test(core_return, tc_block_return_udp)
{
	install(PF_INOUT, 0, PFRULE_RETURN, 0, 0);
	tc_answer(PF_OUT, PF_INET, 3, 3);
	tc_answer(PF_OUT, PF_INET6, 1, 4);
	tc_answer(PF_IN, PF_INET, 3, 3);
	tc_answer(PF_IN, PF_INET6, 1, 4);
}

/* `set block-policy return` with a plain `block` rule */
Test(core_return, tc_block_policy_return)
{
	struct pf_config cfg;

	install(PF_INOUT, IPPROTO_UDP, 0, 0, 0);
	cr_assert_eq(h_config_get(&cfg), 0);
	cfg.block_policy = PF_BLOCK_RETURN;
	cr_assert_eq(h_config_set(&cfg), 0);
	tc_answer(PF_OUT, PF_INET, 3, 3);
	tc_answer(PF_IN, PF_INET6, 1, 4);
}

/* `block drop` under block-policy return stays a drop */
Test(core_return, tc_block_drop_is_silent)
{
	struct h_flow f = core_flow(PF_INET, 5000, 53);
	struct h_pkt p;
	__u64 n0 = sent_icmp();

	install(PF_OUT, IPPROTO_UDP, 0, 0, 0);
	cr_assert_eq(h_udp(&p, &f, 100, NULL), 0);
	cr_expect_eq(h_tc(PF_OUT, &p), TC_ACT_SHOT_RESULT);
	cr_expect_eq(sent_icmp(), n0);
}

/* return-icmp(host-unr): code 1 for IPv4; IPv6 keeps port unreachable,
 * as pf's separate return-icmp6 default */
Test(core_return, tc_icmp_code_v4_rule)
{
	install(PF_OUT, IPPROTO_UDP, PFRULE_RETURNICMP, 3, 1);
	tc_answer(PF_OUT, PF_INET, 3, 1);
	tc_answer(PF_OUT, PF_INET6, 1, 4);
}

/* return-icmp6(admin-unr... code 1): code 1 for IPv6, port unreachable for IPv4 */
Test(core_return, tc_icmp_code_v6_rule)
{
	install(PF_OUT, IPPROTO_UDP, PFRULE_RETURNICMP, 1, 1);
	tc_answer(PF_OUT, PF_INET6, 1, 1);
	tc_answer(PF_OUT, PF_INET, 3, 3);
}

/* A blocked TCP segment under return-icmp gets ICMP, not a RST (pf). */
Test(core_return, tc_icmp_for_tcp)
{
	struct h_flow f = core_flow(PF_INET, 40200, 80);
	struct h_pkt p, orig;

	install(PF_OUT, IPPROTO_TCP, PFRULE_RETURNICMP, 3, 13);
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1 }), 0);
	orig = p;
	cr_assert_eq(h_tc(PF_OUT, &p), TC_ACT_REDIRECT_RESULT);
	expect_icmp_answer(&orig, &p, PF_INET, 3, 13);
}

/* An ICMP echo request is a query: answered. */
Test(core_return, tc_icmp_echo_answered)
{
	struct h_flow f = core_flow(PF_INET6, 77, 0);
	struct h_pkt p, orig;

	install(PF_OUT, 0, PFRULE_RETURNICMP, 0, 0);
	cr_assert_eq(h_icmp(&p, &f, 128, 0, 1, NULL, 0), 0);
	orig = p;
	cr_assert_eq(h_tc(PF_OUT, &p), TC_ACT_REDIRECT_RESULT);
	expect_icmp_answer(&orig, &p, PF_INET6, 1, 4);
}

/* Packets pf never answers: dropped silently, nothing counted. */
static void expect_silent(int dir, struct h_pkt *p)
{
	__u64 n0 = sent_icmp();
	__u32 len = p->len;

	if (dir == PF_IN) {
		struct h_pkt q = *p;

		cr_expect_eq(h_xdp(&q), 1 /* XDP_DROP */, "XDP answered");
	}
	cr_expect_eq(h_tc(dir, p), TC_ACT_SHOT_RESULT, "tc answered");
	cr_expect_eq(p->len, len);
	cr_expect_eq(sent_icmp(), n0, "an answer was counted");
}

/* no ICMP error about an ICMP error (it would quote no state here) */
Test(core_return, no_answer_to_icmp_error)
{
	int af;

	install(PF_INOUT, 0, PFRULE_RETURNICMP, 0, 0);
	for (af = PF_INET; af <= PF_INET6; af += PF_INET6 - PF_INET) {
		struct h_flow f = core_flow(af, 5000, 53), r = h_flow_rev(&f);
		struct h_pkt q, p;

		cr_assert_eq(h_udp(&q, &f, 20, NULL), 0);
		cr_assert_eq(h_icmp(&p, &r, af == PF_INET ? 3 : 1, af == PF_INET ? 3 : 4, 0, &q, 0),
			     0);
		expect_silent(PF_IN, &p);
		cr_assert_eq(h_icmp(&p, &f, af == PF_INET ? 11 : 3, 0, 0, &q, 0), 0);
		expect_silent(PF_OUT, &p);
	}
}

static void silent_udp(int dir, int af, const char *src, const char *dst, int bcast_mac)
{
	struct h_flow f = { af, src, dst, 5000, 53 };
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, 30, NULL), 0);
	if (bcast_mac)
		memset(p.buf, 0xff, 6);
	expect_silent(dir, &p);
}

/* nor about a packet sent to a group address, nor to a source that is not
 * one host (RFC 1812 4.3.2.7) */
Test(core_return, no_answer_to_multicast_or_broadcast)
{
	install(PF_INOUT, IPPROTO_UDP, PFRULE_RETURNICMP, 0, 0);
	silent_udp(PF_IN, PF_INET, SERVER4, "224.0.0.251", 0);
	silent_udp(PF_OUT, PF_INET, CLIENT4, "239.1.2.3", 0);
	silent_udp(PF_IN, PF_INET, SERVER4, "255.255.255.255", 0);
	silent_udp(PF_OUT, PF_INET, CLIENT4, "255.255.255.255", 0);
	/* a subnet-directed broadcast: only the frame says so */
	silent_udp(PF_IN, PF_INET, SERVER4, "192.0.2.255", 1);
	silent_udp(PF_IN, PF_INET, "0.0.0.0", "192.0.2.1", 0);
	silent_udp(PF_IN, PF_INET6, SERVER6, "ff02::fb", 0);
	silent_udp(PF_OUT, PF_INET6, CLIENT6, "ff05::1:3", 0);
	silent_udp(PF_IN, PF_INET6, "::", "2001:db8::1", 0);
}

/* XDP follows the same rule codes as tc. */
Test(core_return, xdp_icmp_code_per_family)
{
	struct h_flow f = h_flow_rev(&(struct h_flow){ PF_INET6, CLIENT6, SERVER6, 5000, 53 });
	struct h_pkt p, orig;

	install(PF_IN, IPPROTO_UDP, PFRULE_RETURNICMP, 3, 1);
	cr_assert_eq(h_udp(&p, &f, 10, NULL), 0);
	orig = p;
	cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT);
	expect_icmp_answer(&orig, &p, PF_INET6, 1, 4);
}

/*
 * ICMP answers are limited to PF_RETURN_ICMP_PPS per second and CPU (as
 * OpenBSD's icmp_error).  The test keeps to one CPU; 250 datagrams take far
 * less than a second, so they meet at most one second boundary: between
 * one and two seconds' worth of answers, and every other one is counted
 * as limited and dropped.
 */
Test(core_return, icmp_answers_rate_limited)
{
	struct h_flow f = core_flow(PF_INET, 5000, 53);
	struct pf_status_pcpu st0, st1;
	int i, sent = 0, dropped = 0, n = 250;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	cr_assert_eq(sched_setaffinity(0, sizeof(one), &one), 0, "cannot pin the test to a CPU");
	install(PF_OUT, IPPROTO_UDP, PFRULE_RETURNICMP, 0, 0);
	cr_assert_eq(h_status(&st0), 0);
	for (i = 0; i < n; i++) {
		struct h_pkt p;
		int r;

		cr_assert_eq(h_udp(&p, &f, 16, NULL), 0);
		r = h_tc(PF_OUT, &p);
		if (r == TC_ACT_REDIRECT_RESULT)
			sent++;
		else if (r == TC_ACT_SHOT_RESULT)
			dropped++;
	}
	cr_assert_eq(h_status(&st1), 0);
	cr_expect_eq(sent + dropped, n);
	cr_expect_geq(sent, PF_RETURN_ICMP_PPS);
	cr_expect_leq(sent, 2 * PF_RETURN_ICMP_PPS);
	cr_expect_eq(st1.return_icmp - st0.return_icmp, (__u64)sent);
	cr_expect_eq(st1.return_icmp_limited - st0.return_icmp_limited, (__u64)dropped);
}

/*
 * ICMPv6 quotes as much as fits in 1280 bytes: all of a small packet of
 * odd length, the first 1232 bytes of a large one (answer: 1280 bytes of
 * IPv6).  Both hooks.
 */
static void quote6(int dir, __u32 payload)
{
	struct h_flow f = core_flow(PF_INET6, 5000, 53);
	struct h_pkt p, orig;

	if (dir == PF_IN)
		f = h_flow_rev(&f);
	cr_assert_eq(h_udp(&p, &f, payload, NULL), 0);
	orig = p;
	if (dir == PF_IN) {
		struct h_pkt x = p;

		cr_assert_eq(h_run(PF_IN, &x), XDP_TX_RESULT);
		expect_icmp_answer(&orig, &x, PF_INET6, 1, 4);
	}
	cr_assert_eq(h_tc(dir, &p), TC_ACT_REDIRECT_RESULT);
	expect_icmp_answer(&orig, &p, PF_INET6, 1, 4);
}

Test(core_return, icmp6_quote_sizes)
{
	install(PF_INOUT, IPPROTO_UDP, PFRULE_RETURNICMP, 0, 0);
	quote6(PF_IN, 0);
	quote6(PF_IN, 1);
	quote6(PF_OUT, 333);
	quote6(PF_IN, 1183); /* 40 + 8 + 1183 = 1231 bytes: all quoted */
	quote6(PF_IN, 1184); /* exactly 1232 */
	quote6(PF_OUT, 1185);
	quote6(PF_IN, 1400); /* cut to 1232 */
	quote6(PF_OUT, 1400);
}
