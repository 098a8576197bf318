// SPDX-License-Identifier: BSD-2-Clause
/* block return-rst / return-icmp: XDP answers on the wire (XDP_TX). */
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

static void icmp(int af)
{
	struct h_flow f = core_flow(af, 5000, 53), r = h_flow_rev(&f);
	struct h_pkt p, orig;
	__u32 l3 = af == PF_INET ? 20 : 40;
	__u8 *ic;

	cr_assert_eq(h_udp(&p, &r, 100, NULL), 0);
	orig = p;
	cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT);
	cr_assert_eq(p.len, 14 + l3 + 8 + l3 + 8);
	ic = p.buf + 14 + l3;
	cr_expect_eq(ic[0], af == PF_INET ? 3 : 1);
	cr_expect_eq(ic[1], af == PF_INET ? 3 : 4);
	cr_expect_eq(memcmp(ic + 8, orig.buf + 14, l3 + 8), 0, "quote of the dropped packet");
	/* sent from the address the packet was for, to its source */
	cr_expect_eq(memcmp(p.buf + 14 + (af == PF_INET ? 12 : 8), orig.buf + 14 +
			    (af == PF_INET ? 16 : 24), af == PF_INET ? 4 : 16), 0);
	expect_csums_ok(&p, af);
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
