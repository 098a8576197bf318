// SPDX-License-Identifier: BSD-2-Clause
/*
 * ICMP and ICMPv6 keying as pf's pf_icmp_mapping / pf_test_state_icmp
 * (OpenBSD sys/net/pf.c) do it: the addressee of an error, query states
 * by virtual id and type placed by role, one state per other type in one
 * direction, ICMPv6 answers to multicast requests and neighbour discovery
 * keyed by the target address.
 */
#include <bpf/bpf.h>
#include "core_util.h"

TestSuite(core_icmp, .init = core_setup, .fini = h_teardown);

/* pf.conf:  block in
 *           pass out proto icmp keep state  (or icmp6) */
static void rules_block_in_pass_out(__u8 proto)
{
	struct pfbpf_rule r[2];

	r[0] = h_rule(PF_DROP, PF_IN, 0, PF_STATE_NONE);
	r[1] = h_rule(PF_PASS, PF_OUT, proto, PF_STATE_NORMAL);
	r[0].nr = 0;
	r[1].nr = 1;
	cr_assert_eq(h_rules(r, 2), 0);
}

static int icmp_run(int dir, const struct h_flow *f, __u8 type)
{
	struct h_pkt p;

	cr_assert_eq(h_icmp(&p, f, type, 0, 1, NULL, 0), 0);
	return h_run(dir, &p);
}

/* Item 2: an error is addressed to the quoted packet's source. */
Test(core_icmp, error_to_a_third_host_is_not_the_state)
{
	struct h_flow f = core_flow(PF_INET, 6000, 53);
	struct h_flow right = H_FLOW4(ROUTER4, 0, CLIENT4, 0);
	struct h_flow third = H_FLOW4(ROUTER4, 0, "192.0.2.99", 0);
	struct h_pkt q, p;
	__u64 b0;

	cr_assert_eq(h_udp(&q, &f, 10, NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &q), PF_PASS);
	cr_assert_eq(h_icmp(&p, &right, 3, 3, 0, &q, 28), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS, "the error to the sender passes on the state");
	b0 = core_counter(PFRES_BADSTATE);
	cr_assert_eq(h_icmp(&p, &third, 3, 3, 0, &q, 28), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP,
		     "an unreachable to a third host quoting the state goes to the ruleset (block)");
	cr_expect_eq(core_counter(PFRES_BADSTATE) - b0, 1, "pf counts BADSTATE");
}

/* ... and with a ruleset that passes it, it passes without the state. */
Test(core_icmp, error_to_a_third_host_ruleset_decides)
{
	struct pfbpf_rule r[1];
	struct h_flow f = core_flow(PF_INET, 6000, 53);
	struct h_flow third = H_FLOW4(ROUTER4, 0, "192.0.2.99", 0);
	struct h_pkt q, p;
	struct pf_state s;

	cr_assert_eq(h_udp(&q, &f, 10, NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &q), PF_PASS);
	r[0] = h_rule(PF_PASS, PF_INOUT, 0, PF_STATE_NORMAL);
	r[0].nr = 0;
	cr_assert_eq(h_rules(r, 1), 0);
	cr_assert_eq(h_icmp(&p, &third, 3, 3, 0, &q, 28), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS);
	cr_assert_eq(core_state(&f, IPPROTO_UDP, &s), 0);
	cr_expect_eq(s.packets[1], 0, "the error was not counted on the state");
}

/* Item 3: block in; pass out proto icmp keep state. */
static void query_role(int af)
{
	__u8 proto = af == PF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	__u8 req = af == PF_INET ? 8 : 128, rep = af == PF_INET ? 0 : 129;
	struct h_flow f = core_flow(af, 0x1234, req), r = h_flow_rev(&f);
	struct pf_state s;

	r.sport = 0x1234; /* h_icmp's id */

	rules_block_in_pass_out(proto);
	cr_assert_eq(icmp_run(PF_OUT, &f, req), PF_PASS);
	cr_assert_eq(core_state(&f, proto, &s), 0, "state keyed by id and echo type");
	cr_expect_eq(icmp_run(PF_IN, &r, req), PF_DROP,
		     "an inbound echo request reusing the id has no state");
	if (af == PF_INET) {
		cr_expect_eq(icmp_run(PF_IN, &r, 13), PF_DROP,
			     "an inbound timestamp request reusing the id has no state");
		cr_expect_eq(icmp_run(PF_IN, &r, 14), PF_DROP,
			     "a timestamp reply is not an echo reply");
	}
	cr_expect_eq(icmp_run(PF_IN, &r, rep), PF_PASS, "the echo reply matches");
	cr_assert_eq(core_state(&f, proto, &s), 0);
	cr_expect_eq(s.packets[1], 1);
}

Test(core_icmp, query_request_inbound_reusing_id_v4) { query_role(PF_INET); }
Test(core_icmp, query_request_inbound_reusing_id_v6) { query_role(PF_INET6); }

/* An answer in the state's own direction (an id equal to the virtual type
 * makes the keys collide) is refused by pf's direction test. */
Test(core_icmp, reply_in_the_request_direction_dropped)
{
	struct h_flow f = core_flow(PF_INET, 8, 8), in = h_flow_rev(&f);
	__u64 b0;

	in.sport = 8; /* h_icmp's id */

	rules_block_in_pass_out(IPPROTO_ICMP);
	cr_assert_eq(icmp_run(PF_IN, &in, 0), PF_DROP);
	cr_assert_eq(icmp_run(PF_OUT, &f, 8), PF_PASS);
	b0 = core_counter(PFRES_BADSTATE);
	/* id 8 inbound echo request: key {id 8, type 8} both ways */
	cr_expect_eq(icmp_run(PF_IN, &in, 8), PF_DROP);
	cr_expect_eq(core_counter(PFRES_BADSTATE) - b0, 1, "wrong direction: BADSTATE");
	cr_expect_eq(icmp_run(PF_IN, &in, 0), PF_PASS);
}

/* Item 4: every other type its own state, one way. */
Test(core_icmp, other_types_own_state_one_direction)
{
	struct h_flow f = core_flow(PF_INET, 0, 0), r = h_flow_rev(&f);
	struct h_flow k253 = core_flow(PF_INET, 0, 253), k254 = core_flow(PF_INET, 0, 254);
	struct pf_state s;

	rules_block_in_pass_out(IPPROTO_ICMP);
	cr_assert_eq(icmp_run(PF_OUT, &f, 253), PF_PASS);
	cr_expect_eq(h_state_get(&k253, IPPROTO_ICMP, PF_OUT, &s), 0, "state keyed by type 253");
	cr_expect_eq(icmp_run(PF_IN, &r, 253), PF_DROP, "type 253 back has no state");
	cr_expect_eq(icmp_run(PF_IN, &r, 254), PF_DROP, "another type has no state");
	cr_assert_eq(icmp_run(PF_OUT, &f, 254), PF_PASS);
	cr_expect_eq(h_state_get(&k254, IPPROTO_ICMP, PF_OUT, &s), 0, "a state of its own");
	cr_expect_eq(h_state_count(), 2);
	cr_expect_eq(icmp_run(PF_OUT, &f, 253), PF_PASS, "type 253 out again: the same state");
	cr_expect_eq(h_state_count(), 2);
}

/* ---- ICMPv6 ------------------------------------------------------------ */

#define LL_A "fe80::1"
#define LL_B "fe80::2"
#define TGT_B "2001:db8::2"

/* Item 5: ping6 ff02::1%if, answered by unicast echo replies. */
Test(core_icmp, v6_multicast_echo_replies)
{
	struct h_flow req = H_FLOW6(LL_A, 0x777, "ff02::1", 0);
	struct h_flow rep = H_FLOW6(LL_B, 0x777, LL_A, 0);
	struct h_flow other = H_FLOW6(LL_B, 0x778, LL_A, 0);
	struct h_flow key = H_FLOW6(LL_A, 0x777, "ff02::1", 128);
	struct pf_state s;

	rules_block_in_pass_out(IPPROTO_ICMPV6);
	cr_assert_eq(icmp_run(PF_OUT, &req, 128), PF_PASS);
	cr_expect_eq(icmp_run(PF_IN, &rep, 129), PF_PASS, "a member's reply matches the group");
	cr_expect_eq(icmp_run(PF_IN, &rep, 128), PF_DROP, "a request from it does not");
	cr_expect_eq(icmp_run(PF_IN, &other, 129), PF_DROP, "another id does not");
	cr_assert_eq(h_state_get(&key, IPPROTO_ICMPV6, PF_OUT, &s), 0);
	cr_expect_eq(s.packets[1], 1);
	cr_expect_eq(h_state_count(), 1, "no state for the member's reply");
}

/* An NS or NA: ICMPv6 header, reserved, target address. */
static int nd_run(int dir, const char *src, const char *dst, __u8 type, const char *target)
{
	struct h_flow f = H_FLOW6(src, 0, dst, 0);
	__u8 body[24] = { type, 0 };
	struct h_pkt p;

	cr_assert_eq(inet_pton(AF_INET6, target, body + 8), 1);
	if (type == 136)
		body[4] = 0x60; /* solicited, override */
	cr_assert_eq(h_ip(&p, &f, IPPROTO_ICMPV6, body, sizeof(body), NULL), 0);
	h_fix_csum(&p);
	return h_run(dir, &p);
}

/* block all; pass out inet6 proto icmp6 keep state: a neighbour
 * solicitation to the target's solicited-node group, answered by the
 * target from its address; keyed by target. */
Test(core_icmp, v6_neighbour_discovery_block_all)
{
	struct pfbpf_rule r[2];
	struct pf_state_key k;
	__u16 id;
	__u8 t[16];

	r[0] = h_rule(PF_DROP, PF_INOUT, 0, PF_STATE_NONE);
	r[1] = h_rule(PF_PASS, PF_OUT, IPPROTO_ICMPV6, PF_STATE_NORMAL);
	r[0].af = r[1].af = PF_INET6;
	r[0].nr = 0;
	r[1].nr = 1;
	cr_assert_eq(h_rules(r, 2), 0);

	cr_assert_eq(nd_run(PF_OUT, "2001:db8::1", "ff02::1:ff00:2", 135, TGT_B), PF_PASS);
	cr_expect_eq(nd_run(PF_IN, TGT_B, "2001:db8::1", 136, TGT_B), PF_PASS,
		     "the advertisement matches the solicitation's state");
	cr_expect_eq(nd_run(PF_IN, TGT_B, "2001:db8::1", 136, "2001:db8::3"), PF_DROP,
		     "an advertisement for another target has no state");
	cr_expect_eq(nd_run(PF_IN, TGT_B, "2001:db8::1", 135, "2001:db8::1"), PF_DROP,
		     "an inbound solicitation is not a reply");
	cr_expect_eq(h_state_count(), 1);
	/* a second target: a second state */
	cr_assert_eq(nd_run(PF_OUT, "2001:db8::1", "ff02::1:ff00:3", 135, "2001:db8::3"), PF_PASS);
	cr_expect_eq(h_state_count(), 2, "NS states are keyed by target");
	/* the key: virtual id = folded target, virtual type 135 */
	cr_assert_eq(inet_pton(AF_INET6, TGT_B, t), 1);
	{
		__u32 w[4];

		memcpy(w, t, 16);
		__u32 h = w[0] ^ w[1] ^ w[2] ^ w[3];

		id = (__u16)((h >> 16) ^ (h & 0xffff));
	}
	cr_assert_eq(h_state_key(&H_FLOW6("2001:db8::1", 0, "ff02::1:ff00:2", 135), IPPROTO_ICMPV6,
				 PF_OUT, &k), 0);
	k.port[1] = id;
	{
		struct pf_state s;

		cr_expect_eq(bpf_map_lookup_elem(h_map_fd("pf_states"), &k, &s), 0,
			     "NS state keyed by the target's folded address");
	}
}
