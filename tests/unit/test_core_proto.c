// SPDX-License-Identifier: BSD-2-Clause
/*
 * UDP, ICMP, ICMPv6 and other protocols: pf's PFUDPS/PFOTHERS peer states
 * and timeouts, ICMP echo ids as ports, and ICMP errors matched to the
 * state of the packet they quote.
 */
#include "core_util.h"

TestSuite(core_proto, .init = core_setup, .fini = h_teardown);

static int udp(const struct h_flow *client, int dir, __u32 plen)
{
	struct h_flow f = dir == PF_OUT ? *client : h_flow_rev(client);
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, plen, NULL), 0);
	return h_run(dir, &p);
}

static void udp_single_multiple(int af)
{
	struct h_flow f = core_flow(af, 5353, 53);
	struct pf_state s;

	/* nothing comes in unsolicited */
	cr_expect_eq(udp(&f, PF_IN, 20), PF_DROP);
	cr_assert_eq(udp(&f, PF_OUT, 20), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_UDP, &s), 0);
	cr_expect_eq(s.pstate[0], PFUDPS_SINGLE);
	cr_expect_eq(s.pstate[1], PFUDPS_NO_TRAFFIC);
	cr_expect_eq(s.timeout, PFTM_UDP_FIRST_PACKET);

	cr_assert_eq(udp(&f, PF_OUT, 20), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_UDP, &s), 0);
	cr_expect_eq(s.timeout, PFTM_UDP_SINGLE);

	cr_assert_eq(udp(&f, PF_IN, 40), PF_PASS, "the reply finds the state");
	cr_assert_eq(core_state(&f, IPPROTO_UDP, &s), 0);
	cr_expect_eq(s.pstate[0], PFUDPS_MULTIPLE);
	cr_expect_eq(s.pstate[1], PFUDPS_SINGLE);
	cr_expect_eq(s.timeout, PFTM_UDP_SINGLE);

	cr_assert_eq(udp(&f, PF_OUT, 20), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_UDP, &s), 0);
	cr_expect_eq(s.pstate[0], PFUDPS_MULTIPLE);
	cr_expect_eq(s.pstate[1], PFUDPS_MULTIPLE);
	cr_expect_eq(s.timeout, PFTM_UDP_MULTIPLE);
	cr_expect_eq(s.packets[0], 3);
	cr_expect_eq(s.packets[1], 1);
	cr_expect_eq(s.bytes[1], (af == PF_INET ? 20 : 40) + 8 + 40);
}

Test(core_proto, udp_single_multiple_v4) { udp_single_multiple(PF_INET); }
Test(core_proto, udp_single_multiple_v6) { udp_single_multiple(PF_INET6); }

static void icmp_echo(int af)
{
	__u8 req = af == PF_INET ? 8 : 128, rep = af == PF_INET ? 0 : 129;
	__u8 proto = af == PF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct h_flow f = core_flow(af, 0x4242, req), r = h_flow_rev(&f), other = f;
	struct pf_state s;
	struct h_pkt p;

	cr_assert_eq(h_icmp(&p, &f, req, 0, 1, NULL, 0), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(core_state(&f, proto, &s), 0, "echo request made no state");
	cr_expect_eq(s.timeout, PFTM_ICMP_FIRST_PACKET);

	r.sport = 0x4242; /* h_icmp's id */
	cr_assert_eq(h_icmp(&p, &r, rep, 0, 1, NULL, 0), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS, "echo reply with the same id passes");
	cr_assert_eq(core_state(&f, proto, &s), 0);
	cr_expect_eq(s.timeout, PFTM_ICMP_ERROR_REPLY);
	cr_expect_eq(s.packets[1], 1);

	other = h_flow_rev(&f);
	other.sport = other.dport = 0x4343;
	cr_assert_eq(h_icmp(&p, &other, rep, 0, 1, NULL, 0), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP, "a reply with another id has no state");
}

Test(core_proto, icmp_echo_v4) { icmp_echo(PF_INET); }
Test(core_proto, icmpv6_echo) { icmp_echo(PF_INET6); }

/* An ICMP error from a router on the path, quoting the client's packet. */
static int icmp_error_for(const struct h_pkt *quoted, int af, __u8 type, __u8 code)
{
	struct h_flow rf = af == PF_INET ? H_FLOW4(ROUTER4, 0, CLIENT4, 0) :
					   H_FLOW6(ROUTER6, 0, CLIENT6, 0);
	struct h_pkt p;

	cr_assert_eq(h_icmp(&p, &rf, type, code, 0, quoted, af == PF_INET ? 28 : 48), 0);
	return h_run(PF_IN, &p);
}

static void icmp_error_quote(int af)
{
	struct h_flow f = core_flow(af, 6000, 7000), g = core_flow(af, 6001, 7000);
	__u8 unreach = af == PF_INET ? 3 : 1, texceed = af == PF_INET ? 11 : 3;
	struct pf_status_pcpu st0, st1;
	struct h_pkt q, q2;

	cr_assert_eq(h_udp(&q, &f, 10, NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &q), PF_PASS);
	cr_assert_eq(h_status(&st0), 0);
	cr_expect_eq(icmp_error_for(&q, af, unreach, 3), PF_PASS,
		     "an error quoting an existing state passes");
	cr_expect_eq(icmp_error_for(&q, af, texceed, 0), PF_PASS);
	if (af == PF_INET6)
		cr_expect_eq(icmp_error_for(&q, af, 2 /* packet too big */, 0), PF_PASS);
	/* a quote of a flow nobody opened */
	cr_assert_eq(h_udp(&q2, &g, 10, NULL), 0);
	cr_expect_eq(icmp_error_for(&q2, af, unreach, 3), PF_DROP,
		     "an error quoting no state is dropped");
	cr_assert_eq(h_status(&st1), 0);
	cr_expect_eq(st1.icmp_err_nostate - st0.icmp_err_nostate, 1);
	cr_expect_eq(h_state_count(), 1, "ICMP errors never make states");
}

Test(core_proto, icmp_error_quoting_state_v4) { icmp_error_quote(PF_INET); }
Test(core_proto, icmpv6_error_quoting_state) { icmp_error_quote(PF_INET6); }

/* A quoted TCP segment must lie in the window of the peer that sent it. */
Test(core_proto, icmp_error_quoting_tcp_checks_sequence)
{
	struct h_flow f = core_flow(PF_INET, 40100, 80);
	struct h_pkt q;
	__u64 b0;

	cr_assert_eq(h_tcp(&q, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000 }), 0);
	cr_assert_eq(h_run(PF_OUT, &q), PF_PASS);
	cr_expect_eq(icmp_error_for(&q, PF_INET, 3, 4), PF_PASS);
	b0 = core_counter(PFRES_BADSTATE);
	cr_assert_eq(h_tcp(&q, &f, &(struct h_tcp){ .flags = TH_ACK, .seq = 1000 + 5000000 }), 0);
	cr_expect_eq(icmp_error_for(&q, PF_INET, 3, 4), PF_DROP);
	cr_expect_eq(core_counter(PFRES_BADSTATE) - b0, 1);
}

/* A truncated quote is a short packet. */
Test(core_proto, icmp_error_short_quote)
{
	struct h_flow rf = H_FLOW4(ROUTER4, 0, CLIENT4, 0), f = core_flow(PF_INET, 1, 2);
	struct h_pkt q, p;
	__u64 s0 = core_counter(PFRES_SHORT);

	cr_assert_eq(h_udp(&q, &f, 10, NULL), 0);
	cr_assert_eq(h_icmp(&p, &rf, 3, 1, 0, &q, 24), 0); /* IP + 4 bytes of UDP */
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
	cr_expect_eq(core_counter(PFRES_SHORT) - s0, 1);
}

/* With an empty ruleset pf passes everything, ICMP errors included. */
Test(core_proto, icmp_error_empty_ruleset_passes)
{
	struct h_flow g = core_flow(PF_INET, 6001, 7000);
	struct h_pkt q;

	cr_assert_eq(h_rules(NULL, 0), 0);
	cr_assert_eq(h_udp(&q, &g, 10, NULL), 0);
	cr_expect_eq(icmp_error_for(&q, PF_INET, 3, 3), PF_PASS);
}

/* Other protocols (GRE here): PFOTHERS single/multiple, no ports. */
Test(core_proto, other_protocol_states)
{
	struct h_flow f = core_flow(PF_INET, 0, 0), r = h_flow_rev(&f);
	static const __u8 gre[8] = { 0, 0, 0x08, 0x00 };
	struct pf_state s;
	struct h_pkt p;

	cr_assert_eq(h_ip(&p, &r, 47, gre, sizeof(gre), NULL), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
	cr_assert_eq(h_ip(&p, &f, 47, gre, sizeof(gre), NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(core_state(&f, 47, &s), 0);
	cr_expect_eq(s.pstate[0], PFOTHERS_SINGLE);
	cr_expect_eq(s.timeout, PFTM_OTHER_FIRST_PACKET);
	cr_assert_eq(h_ip(&p, &r, 47, gre, sizeof(gre), NULL), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS);
	cr_assert_eq(h_ip(&p, &f, 47, gre, sizeof(gre), NULL), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_assert_eq(core_state(&f, 47, &s), 0);
	cr_expect_eq(s.pstate[0], PFOTHERS_MULTIPLE);
	cr_expect_eq(s.pstate[1], PFOTHERS_MULTIPLE);
	cr_expect_eq(s.timeout, PFTM_OTHER_MULTIPLE);
}
