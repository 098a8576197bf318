// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pfctl_states.c - pfctl -ss text and JSON from fixed states.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "pfctl/pfctl.h"
#include "test_pfctl.h"

/* An inbound TCP connection 198.51.100.1:40000 -> 198.51.100.2:22. */
static struct pfctl_state tcp_in(void)
{
	struct pfctl_state s = {};

	s.key[0].af = PF_INET;
	s.key[0].proto = IPPROTO_TCP;
	inet_pton(AF_INET, "198.51.100.1", &s.key[0].addr[0]);
	inet_pton(AF_INET, "198.51.100.2", &s.key[0].addr[1]);
	s.key[0].port[0] = htons(40000);
	s.key[0].port[1] = htons(22);
	s.key[1] = s.key[0];
	s.st.id = 0x5f3a000000000001ull;
	s.st.pstate[0] = TCPS_ESTABLISHED;
	s.st.pstate[1] = TCPS_ESTABLISHED;
	s.st.seqlo[0] = 1000;
	s.st.seqhi[0] = 1000 + 64240;
	s.st.seqlo[1] = 5000;
	s.st.seqhi[1] = 5000 + 65160;
	s.st.wscale[0] = PF_WSCALE_FLAG | 7;
	s.st.wscale[1] = PF_WSCALE_FLAG | 6;
	s.st.packets[0] = 12;
	s.st.packets[1] = 10;
	s.st.bytes[0] = 1500;
	s.st.bytes[1] = 4200;
	s.st.rule = 3;
	s.st.timeout = PFTM_TCP_ESTABLISHED;
	s.creatorid = 0x1234abcd;
	s.age = 3725;
	s.expires_in = 86395;
	strcpy(s.ifname, "all");
	strcpy(s.origin_if, "pfv0");
	return s;
}

Test(pfctl_states, inbound_tcp_plain)
{
	struct pfctl_state s = tcp_in();

	CAPTURE(pfctl_print_state(f, &s, 0));
	cr_assert_str_eq(out, "all tcp 198.51.100.2:22 <- 198.51.100.1:40000       ESTABLISHED:ESTABLISHED\n");
	free(out);
}

Test(pfctl_states, inbound_tcp_verbose)
{
	struct pfctl_state s = tcp_in();

	CAPTURE(pfctl_print_state(f, &s, PFCTL_OPT_VERBOSE));
	/* Inbound: the local (responder) peer is printed first. */
	cr_assert_str_eq(out,
		"all tcp 198.51.100.2:22 <- 198.51.100.1:40000       ESTABLISHED:ESTABLISHED\n"
		"   [5000 + 65160] wscale 6  [1000 + 64240] wscale 7\n"
		"   age 01:02:05, expires in 23:59:55, 12:10 pkts, 1500:4200 bytes, rule 3\n");
	free(out);
}

Test(pfctl_states, inbound_tcp_vv)
{
	struct pfctl_state s = tcp_in();

	s.st.wscale[1] = 0; /* one side without the option: no scaling shown */
	CAPTURE(pfctl_print_state(f, &s, PFCTL_OPT_VERBOSE | PFCTL_OPT_VERBOSE2));
	cr_assert_str_eq(out,
		"all tcp 198.51.100.2:22 <- 198.51.100.1:40000       ESTABLISHED:ESTABLISHED\n"
		"   [5000 + 65160]  [1000 + 64240]\n"
		"   age 01:02:05, expires in 23:59:55, 12:10 pkts, 1500:4200 bytes, rule 3\n"
		"   id: 5f3a000000000001 creatorid: 1234abcd\n"
		"   origif: pfv0\n");
	free(out);
}

Test(pfctl_states, outbound_opening)
{
	struct pfctl_state s = tcp_in();

	/* Outbound SYN from 198.51.100.2:40001 to 203.0.113.5:443: the
	 * source is in key slot 1 for an outbound state. */
	inet_pton(AF_INET, "203.0.113.5", &s.key[0].addr[0]);
	inet_pton(AF_INET, "198.51.100.2", &s.key[0].addr[1]);
	s.key[0].port[0] = htons(443);
	s.key[0].port[1] = htons(40001);
	s.key[1] = s.key[0];
	s.st.flags |= PFSTATE_F_OUT;
	s.st.pstate[0] = TCPS_SYN_SENT;
	s.st.pstate[1] = TCPS_CLOSED;
	s.st.rule = PF_RULE_NONE;
	CAPTURE(pfctl_print_state(f, &s, PFCTL_OPT_VERBOSE));
	cr_assert_str_eq(out,
		"all tcp 198.51.100.2:40001 -> 203.0.113.5:443       SYN_SENT:CLOSED\n"
		"   [1000 + 64240] wscale 7  [5000 + 65160] wscale 6\n"
		"   age 01:02:05, expires in 23:59:55, 12:10 pkts, 1500:4200 bytes\n");
	free(out);
}

Test(pfctl_states, ipv6_udp_brackets)
{
	struct pfctl_state s = {};

	s.key[0].af = PF_INET6;
	s.key[0].proto = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8::1", &s.key[0].addr[0]);
	inet_pton(AF_INET6, "2001:db8::2", &s.key[0].addr[1]);
	s.key[0].port[0] = htons(5353);
	s.key[0].port[1] = htons(53);
	s.key[1] = s.key[0];
	s.st.pstate[0] = PFUDPS_MULTIPLE;
	s.st.pstate[1] = PFUDPS_SINGLE;
	strcpy(s.ifname, "pfv0");
	CAPTURE(pfctl_print_state(f, &s, 0));
	cr_assert_str_eq(out, "pfv0 udp 2001:db8::2[53] <- 2001:db8::1[5353]       SINGLE:MULTIPLE\n");
	free(out);
}

Test(pfctl_states, icmp_numbers_and_other_proto)
{
	struct pfctl_state s = {};

	s.key[0].af = PF_INET;
	s.key[0].proto = IPPROTO_ICMP;
	inet_pton(AF_INET, "192.0.2.1", &s.key[0].addr[0]);
	inet_pton(AF_INET, "192.0.2.2", &s.key[0].addr[1]);
	s.key[0].port[0] = s.key[0].port[1] = htons(4242); /* echo id */
	s.key[1] = s.key[0];
	s.st.pstate[0] = 0;
	s.st.pstate[1] = 0;
	CAPTURE(pfctl_print_state(f, &s, 0));
	cr_assert_str_eq(out, "all icmp 192.0.2.2:4242 <- 192.0.2.1:4242       0:0\n");
	free(out);

	s.key[0].proto = 132 + 100; /* no name for 232 */
	s.key[0].port[0] = s.key[0].port[1] = 0;
	s.key[1] = s.key[0];
	s.st.pstate[0] = PFOTHERS_SINGLE;
	{
		CAPTURE(pfctl_print_state(f, &s, 0));
		cr_assert_str_eq(out, "all 232 192.0.2.2 <- 192.0.2.1       NO_TRAFFIC:SINGLE\n");
		free(out);
	}
}

Test(pfctl_states, nat_key_in_parentheses)
{
	struct pfctl_state s = tcp_in();

	/* rdr-style: the server's real address 192.0.2.10 is on the stack
	 * side; an inbound state shows it first, the wire address after. */
	inet_pton(AF_INET, "192.0.2.10", &s.key[PF_SK_STACK].addr[1]);
	CAPTURE(pfctl_print_state(f, &s, 0));
	cr_assert_str_eq(out,
		"all tcp 192.0.2.10:22 (198.51.100.2:22) <- 198.51.100.1:40000       ESTABLISHED:ESTABLISHED\n");
	free(out);
}

Test(pfctl_states, bad_state_levels)
{
	struct pfctl_state s = tcp_in();

	s.st.pstate[0] = 42;
	CAPTURE(pfctl_print_state(f, &s, 0));
	cr_assert_str_eq(out, "all tcp 198.51.100.2:22 <- 198.51.100.1:40000       <BAD STATE LEVELS 4:42>\n");
	free(out);
}

Test(pfctl_states, json)
{
	struct pfctl_state s = tcp_in();
	struct jw w;

	CAPTURE(jw_init(&w, f); jw_obj_begin(&w, NULL); pfctl_json_states(&w, &s, 1);
		jw_obj_end(&w); jw_finish(&w));
	cr_assert_str_eq(out,
		"{\"states\":[{\"id\":\"5f3a000000000001\",\"creatorid\":\"1234abcd\",\"ifname\":\"all\",\"interface\":\"pfv0\","
		"\"af\":\"inet\",\"proto\":\"tcp\",\"proto_nr\":6,\"direction\":\"in\","
		"\"src\":{\"addr\":\"198.51.100.1\",\"port\":40000,\"state\":\"ESTABLISHED\",\"state_nr\":4,"
		"\"seqlo\":1000,\"seqhi\":65240,\"max_win\":0,\"mss\":0,\"wscale\":7,\"packets\":12,\"bytes\":1500},"
		"\"dst\":{\"addr\":\"198.51.100.2\",\"port\":22,\"state\":\"ESTABLISHED\",\"state_nr\":4,"
		"\"seqlo\":5000,\"seqhi\":70160,\"max_win\":0,\"mss\":0,\"wscale\":6,\"packets\":10,\"bytes\":4200},"
		"\"timeout\":\"tcp.established\",\"age\":3725,\"expires_in\":86395,\"rule\":3,\"rule_anchor\":\"\",\"if_bound\":false}]}\n");
	free(out);
}

Test(pfctl_states, logged_state)
{
	struct pfctl_state s = tcp_in();

	s.st.flags |= PFSTATE_F_LOG;
	CAPTURE(pfctl_print_state(f, &s, PFCTL_OPT_VERBOSE));
	cr_assert(strstr(out, ", rule 3, log\n"), "%s", out);
	free(out);
}
