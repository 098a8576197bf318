// SPDX-License-Identifier: BSD-2-Clause
/* Stream-mode text and JSON lines for every event type, from fixed structs. */
#include <criterion/criterion.h>
#include <errno.h>

#include "lib/pf_names.h"
#include "lib/pf_xflat.h"
#include "trace/trace.h"
#include "trace_fixtures.h"

static char buf[1024];

#define TEXT(ev) (trace_fmt_pf_text(&(ev), buf, sizeof(buf)), buf)
#define JSON(ev) (trace_fmt_pf_json(&(ev), buf, sizeof(buf)), buf)

Test(trace_fmt, create_text)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	cr_assert_str_eq(TEXT(ev), "[NEW] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in "
				   "id 5f00000000000001 SYN_SENT:CLOSED rule 3");
}

Test(trace_fmt, create_without_rule)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	ev.state.rule = PF_RULE_NONE;
	cr_assert_str_eq(TEXT(ev), "[NEW] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in "
				   "id 5f00000000000001 SYN_SENT:CLOSED rule none");
}

Test(trace_fmt, change_text)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CHANGE);

	ev.old_pstate[0] = TCPS_SYN_SENT;
	ev.old_pstate[1] = TCPS_SYN_RECEIVED;
	ev.state.pstate[0] = TCPS_ESTABLISHED;
	ev.state.pstate[1] = TCPS_ESTABLISHED;
	cr_assert_str_eq(TEXT(ev), "[UPDATE] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in "
				   "id 5f00000000000001 SYN_SENT:SYN_RECEIVED -> ESTABLISHED:ESTABLISHED");
}

Test(trace_fmt, established_text)
{
	struct pf_event ev = fx_tcp_in(PF_EV_TCP_ESTABLISHED);

	ev.state.pstate[0] = ev.state.pstate[1] = TCPS_ESTABLISHED;
	cr_assert_str_eq(TEXT(ev), "[ESTABLISHED] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in "
				   "id 5f00000000000001 ESTABLISHED:ESTABLISHED");
}

Test(trace_fmt, closed_text)
{
	struct pf_event ev = fx_tcp_in(PF_EV_TCP_CLOSED);

	ev.state.pstate[0] = ev.state.pstate[1] = TCPS_FIN_WAIT_2;
	cr_assert_str_eq(TEXT(ev), "[CLOSED] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in "
				   "id 5f00000000000001 FIN_WAIT_2:FIN_WAIT_2");
}

Test(trace_fmt, destroy_text)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_DESTROY);

	ev.reason = PF_DESTROY_EXPIRED;
	ev.state.pstate[0] = ev.state.pstate[1] = TCPS_TIME_WAIT;
	ev.state.packets[0] = 6;
	ev.state.packets[1] = 5;
	ev.state.bytes[0] = 400;
	ev.state.bytes[1] = 3000000000ull;
	cr_assert_str_eq(TEXT(ev), "[DESTROY] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in "
				   "id 5f00000000000001 TIME_WAIT:TIME_WAIT reason expired "
				   "pkts 6:5 bytes 400:3000000000");
}

Test(trace_fmt, destroy_reasons)
{
	static const char *const want[] = { "none", "expired", "killed", "flushed",
					    "evicted", "rst", "fin" };

	for (unsigned int r = 0; r < 7; r++)
		cr_assert_str_eq(pf_destroy_reason_name(r), want[r]);
	cr_assert_str_eq(pf_destroy_reason_name(200), "unknown");
}

Test(trace_fmt, outbound_udp6_text)
{
	struct pf_event ev = fx_udp6_out(PF_EV_STATE_CREATE);

	/* Outbound: the source is key slot 1, printed first. */
	cr_assert_str_eq(TEXT(ev), "[NEW] udp [2001:db8::1]:5353 -> [2001:db8::2]:53 out "
				   "id 0000000000000010 MULTIPLE:SINGLE rule none");
}

Test(trace_fmt, nat_shows_stack_key)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	inet_pton(AF_INET, "203.0.113.9", &ev.key[PF_SK_STACK].addr[1].v4);
	ev.key[PF_SK_STACK].port[1] = htons(2222);
	cr_assert_str_eq(TEXT(ev), "[NEW] tcp 198.51.100.1:40000 -> 198.51.100.2:22 "
				   "(198.51.100.1:40000 -> 203.0.113.9:2222) in "
				   "id 5f00000000000001 SYN_SENT:CLOSED rule 3");
}

Test(trace_fmt, portless_and_unknown_proto)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	ev.key[0].proto = ev.key[1].proto = 47;
	ev.state.pstate[0] = PFOTHERS_SINGLE;
	ev.state.pstate[1] = PFOTHERS_NO_TRAFFIC;
	cr_assert_str_eq(TEXT(ev), "[NEW] gre 198.51.100.1 -> 198.51.100.2 in "
				   "id 5f00000000000001 SINGLE:NO_TRAFFIC rule 3");
	ev.key[0].proto = ev.key[1].proto = 253;
	cr_assert_str_eq(TEXT(ev), "[NEW] proto-253 198.51.100.1 -> 198.51.100.2 in "
				   "id 5f00000000000001 SINGLE:NO_TRAFFIC rule 3");
}

Test(trace_fmt, icmp_shows_query_id)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	ev.key[0].proto = ev.key[1].proto = IPPROTO_ICMP;
	ev.key[0].port[0] = ev.key[0].port[1] = htons(777);
	ev.key[1] = ev.key[0];
	ev.state.pstate[0] = PFOTHERS_SINGLE;
	ev.state.pstate[1] = PFOTHERS_NO_TRAFFIC;
	cr_assert_str_eq(TEXT(ev), "[NEW] icmp 198.51.100.1:777 -> 198.51.100.2:777 in "
				   "id 5f00000000000001 SINGLE:NO_TRAFFIC rule 3");
}

Test(trace_fmt, truncation_keeps_length)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);
	char small[10];
	int n = trace_fmt_pf_text(&ev, small, sizeof(small));

	cr_assert_eq(n, (int)strlen("[NEW] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in "
				    "id 5f00000000000001 SYN_SENT:CLOSED rule 3"));
	cr_assert_str_eq(small, "[NEW] tcp");
}

Test(trace_fmt, create_json)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	cr_assert_str_eq(JSON(ev),
			 "{\"type\":\"state-create\",\"ts_ns\":123456789,\"cpu\":1,"
			 "\"id\":\"5f00000000000001\",\"creatorid\":\"deadbeef\",\"af\":\"inet\","
			 "\"proto\":\"tcp\",\"src\":\"198.51.100.1\",\"sport\":40000,"
			 "\"dst\":\"198.51.100.2\",\"dport\":22,\"direction\":\"in\",\"ifindex\":7,"
			 "\"rule\":3,\"src_state\":\"SYN_SENT\",\"dst_state\":\"CLOSED\","
			 "\"packets\":[0,0],\"bytes\":[0,0]}");
}

/*
 * pf_state.rule is a rule id (pfbpf_types.h "Rule ids"); the records name
 * the rule per ruleset: here ids of main rule 0, anchor "web" rules 0 and
 * 1, main rule 1, and a retired rule of an older ruleset (rule 5 of an
 * anchor with a quote in its name).  The stream names the rule as
 * pfctl_bpf -ss -v does, through the same lib/pf_xflat.c mapping.
 */
#define FX_RID(i) (PF_RID_BASE + 40 + (i))
static struct pf_xflat_rid fx_rids[5] = {
	{ FX_RID(0), { .nr = 0, .anchor = "" } }, { FX_RID(1), { .nr = 0, .anchor = "web" } },
	{ FX_RID(2), { .nr = 1, .anchor = "web" } }, { FX_RID(3), { .nr = 1, .anchor = "" } },
	{ FX_RID(7), { .nr = 5, .anchor = "old/\"q\"" } },
};
static struct pf_xflat_origins fx_origins = { .rid = fx_rids, .nrid = 5 };

static void origins_on(void)
{
	trace_set_rule_origins(&fx_origins);
}

static void origins_off(void)
{
	trace_set_rule_origins(NULL);
}

Test(trace_fmt, anchor_rule_per_ruleset, .init = origins_on, .fini = origins_off)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	ev.state.rule = FX_RID(2);
	cr_assert_str_eq(TEXT(ev), "[NEW] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in "
				   "id 5f00000000000001 SYN_SENT:CLOSED rule 1 anchor web");
	cr_assert(strstr(JSON(ev), ",\"rule\":1,\"anchor\":\"web\",\"src_state\""), "%s", buf);
	/* Main ruleset: the number after the anchor's rules, no anchor key. */
	ev.state.rule = FX_RID(3);
	cr_assert(strstr(TEXT(ev), "SYN_SENT:CLOSED rule 1"), "%s", buf);
	cr_assert_null(strstr(buf, "anchor"), "%s", buf);
	cr_assert(strstr(JSON(ev), ",\"rule\":1,\"src_state\""), "%s", buf);
	/* A retired rule, with the anchor name escaped in JSON. */
	ev.state.rule = FX_RID(7);
	cr_assert(strstr(TEXT(ev), "rule 5 anchor old/\"q\""), "%s", buf);
	cr_assert(strstr(JSON(ev), ",\"rule\":5,\"anchor\":\"old/\\\"q\\\"\","), "%s", buf);
	/* An id nobody recorded names no rule rather than a wrong one; a
	 * value below the id space (a hand-made state) is its own number. */
	ev.state.rule = FX_RID(9);
	cr_assert(strstr(JSON(ev), ",\"rule\":null,"), "%s", buf);
	ev.state.rule = 9;
	cr_assert(strstr(TEXT(ev), "SYN_SENT:CLOSED rule 9"), "%s", buf);
	ev.state.rule = PF_RULE_NONE;
	cr_assert(strstr(JSON(ev), ",\"rule\":null,"), "%s", buf);
}

Test(trace_fmt, change_json)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CHANGE);

	ev.old_pstate[0] = TCPS_SYN_SENT;
	ev.old_pstate[1] = TCPS_CLOSED;
	ev.state.pstate[1] = TCPS_SYN_RECEIVED;
	cr_assert_str_eq(JSON(ev),
			 "{\"type\":\"state-change\",\"ts_ns\":123456789,\"cpu\":1,"
			 "\"id\":\"5f00000000000001\",\"creatorid\":\"deadbeef\",\"af\":\"inet\","
			 "\"proto\":\"tcp\",\"src\":\"198.51.100.1\",\"sport\":40000,"
			 "\"dst\":\"198.51.100.2\",\"dport\":22,\"direction\":\"in\",\"ifindex\":7,"
			 "\"rule\":3,\"src_state\":\"SYN_SENT\",\"dst_state\":\"SYN_RECEIVED\","
			 "\"old_src_state\":\"SYN_SENT\",\"old_dst_state\":\"CLOSED\","
			 "\"packets\":[0,0],\"bytes\":[0,0]}");
}

Test(trace_fmt, established_and_closed_json_type)
{
	struct pf_event ev = fx_tcp_in(PF_EV_TCP_ESTABLISHED);

	cr_assert(strncmp(JSON(ev), "{\"type\":\"tcp-established\",", 26) == 0, "%s", buf);
	ev.type = PF_EV_TCP_CLOSED;
	cr_assert(strncmp(JSON(ev), "{\"type\":\"tcp-closed\",", 21) == 0, "%s", buf);
}

Test(trace_fmt, destroy_json_udp6_nat)
{
	struct pf_event ev = fx_udp6_out(PF_EV_STATE_DESTROY);

	ev.reason = PF_DESTROY_KILLED;
	ev.state.packets[0] = 1;
	ev.state.bytes[0] = 80;
	inet_pton(AF_INET6, "2001:db8::99", ev.key[PF_SK_STACK].addr[1].v6);
	cr_assert_str_eq(JSON(ev),
			 "{\"type\":\"state-destroy\",\"ts_ns\":42,\"cpu\":0,"
			 "\"id\":\"0000000000000010\",\"creatorid\":\"00000000\",\"af\":\"inet6\","
			 "\"proto\":\"udp\",\"src\":\"2001:db8::1\",\"sport\":5353,"
			 "\"dst\":\"2001:db8::2\",\"dport\":53,"
			 "\"stack\":{\"src\":\"2001:db8::99\",\"sport\":5353,\"dst\":\"2001:db8::2\",\"dport\":53},"
			 "\"direction\":\"out\",\"ifindex\":0,"
			 "\"rule\":null,\"src_state\":\"MULTIPLE\",\"dst_state\":\"SINGLE\","
			 "\"reason\":\"killed\",\"packets\":[1,0],\"bytes\":[80,0]}");
}

Test(trace_fmt, ip_receive_text)
{
	struct pf_ip_event ev = fx_ip4(PF_EV_IP_RECEIVE);

	trace_fmt_ip_text(&ev, fx_ifname, buf, sizeof(buf));
	cr_assert_str_eq(buf, "[RECEIVE] icmp 192.0.2.1 -> 192.0.2.2 len 64 ttl 64 on veth0 pass");
}

Test(trace_fmt, ip_send_v6_text_unknown_if)
{
	struct pf_ip_event ev = fx_ip6(PF_EV_IP_SEND);

	ev.ifindex = 12;
	trace_fmt_ip_text(&ev, fx_ifname, buf, sizeof(buf));
	cr_assert_str_eq(buf, "[SEND] tcp 2001:db8::1 -> 2001:db8::2 len 32 hlim 63 on if12 block");
}

Test(trace_fmt, ip_json_v4)
{
	struct pf_ip_event ev = fx_ip4(PF_EV_IP_RECEIVE);

	trace_fmt_ip_json(&ev, fx_ifname, buf, sizeof(buf));
	cr_assert_str_eq(buf, "{\"type\":\"receive\",\"ts_ns\":1000,\"cpu\":0,\"ip_ver\":4,"
			      "\"proto\":\"icmp\",\"src\":\"192.0.2.1\",\"dst\":\"192.0.2.2\","
			      "\"plength\":64,\"ifindex\":7,\"ifname\":\"veth0\",\"ihl\":5,\"tos\":0,"
			      "\"length\":84,\"ident\":4660,\"flags\":2,\"offset\":0,\"ttl\":64,"
			      "\"checksum\":43981,\"verdict\":\"pass\",\"hook\":\"xdp\"}");
}

Test(trace_fmt, ip_json_v6_escapes_ifname)
{
	struct pf_ip_event ev = fx_ip6(PF_EV_IP_SEND);

	trace_fmt_ip_json(&ev, fx_ifname, buf, sizeof(buf));
	cr_assert_str_eq(buf, "{\"type\":\"send\",\"ts_ns\":0,\"cpu\":0,\"ip_ver\":6,"
			      "\"proto\":\"tcp\",\"src\":\"2001:db8::1\",\"dst\":\"2001:db8::2\","
			      "\"plength\":32,\"ifindex\":9,\"ifname\":\"wan\\\"x\",\"tclass\":4,"
			      "\"flow\":74565,\"hlim\":63,\"plen\":32,\"verdict\":\"block\",\"hook\":\"tc\"}");
}

Test(trace_fmt, drops)
{
	trace_fmt_drops_text(1, 3, 4, buf, sizeof(buf));
	cr_assert_str_eq(buf, "7 drops on CPU 1");
	trace_fmt_drops_text(0, 1, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1 drop on CPU 0");
	trace_fmt_drops_json(1, 3, 4, buf, sizeof(buf));
	cr_assert_str_eq(buf, "{\"type\":\"drops\",\"cpu\":1,\"count\":7,\"state\":3,\"ip\":4}");
}

Test(trace_fmt, names)
{
	cr_assert_str_eq(trace_pstate_name(IPPROTO_TCP, TCPS_SYN_RECEIVED), "SYN_RECEIVED");
	cr_assert_str_eq(trace_pstate_name(IPPROTO_TCP, 99), "UNKNOWN");
	cr_assert_str_eq(trace_pstate_name(IPPROTO_UDP, PFUDPS_NO_TRAFFIC), "NO_TRAFFIC");
	cr_assert_eq(trace_proto_number("icmp6"), IPPROTO_ICMPV6);
	cr_assert_eq(trace_proto_number("TCP"), IPPROTO_TCP);
	cr_assert_eq(trace_proto_number("bogus"), -EINVAL);
	cr_assert_null(pf_event_name(0));
}

Test(trace_fmt, time_prefix)
{
	trace_fmt_time(5000001234ull, 1700000000000000000ll, buf, sizeof(buf));
	cr_assert_str_eq(buf, "[1700000005.000001]");
	trace_fmt_time(999, 0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "[0.000000]");
}

/* The adaptive syncookie mode switching (PF_EV_SYNCOOKIES): no state. */
Test(trace_fmt, syncookies_text_json)
{
	struct pf_event ev = { .type = PF_EV_SYNCOOKIES, .reason = 1, .ts_ns = 5, .cpu = 1 };

	cr_expect_str_eq(TEXT(ev), "[SYNCOOKIES] on (synflood detected)");
	cr_expect_str_eq(JSON(ev), "{\"type\":\"syncookies\",\"ts_ns\":5,\"cpu\":1,\"active\":true}");
	ev.reason = 0;
	cr_expect_str_eq(TEXT(ev), "[SYNCOOKIES] off");
	cr_expect_str_eq(pf_event_name(PF_EV_SYNCOOKIES), "syncookies");
	cr_expect_eq(pf_event_lookup("syncookies"), PF_EV_SYNCOOKIES);
}

/*
 * The LRU eviction summary (PF_EV_STATES_EVICTED): a count and the running
 * total, no key; it passes key filters (it may concern any flow) but not a
 * reason filter that leaves `evicted` out.
 */
Test(trace_fmt, evicted_summary_text_json_filter)
{
	struct pf_event ev = { .type = PF_EV_STATES_EVICTED, .reason = PF_DESTROY_EVICTED,
			       .ts_ns = 7, .cpu = 0 };
	struct trace_filter f = {};
	char err[128];

	pf_event_evicted(&ev) = 12;
	pf_event_evicted_total(&ev) = 40;
	cr_expect_str_eq(TEXT(ev), "[EVICTED] 12 states evicted by the LRU (40 in all): re-list the states");
	cr_expect_str_eq(JSON(ev), "{\"type\":\"states-evicted\",\"ts_ns\":7,\"cpu\":0,"
				   "\"reason\":\"evicted\",\"evicted\":12,\"evicted_total\":40}");
	cr_expect_eq(pf_event_lookup("states-evicted"), PF_EV_STATES_EVICTED);
	cr_assert_eq(trace_filter_parse(&f, "src=192.0.2.1", NULL, err, sizeof(err)), 0);
	cr_expect(trace_filter_match_pf(&f, &ev), "an address filter lets the summary through");
	memset(&f, 0, sizeof(f));
	cr_assert_eq(trace_filter_parse(&f, "reason=expired", NULL, err, sizeof(err)), 0);
	cr_expect(!trace_filter_match_pf(&f, &ev), "reason=expired leaves it out");
	memset(&f, 0, sizeof(f));
	cr_assert_eq(trace_filter_parse(&f, "reason=evicted", NULL, err, sizeof(err)), 0);
	cr_expect(trace_filter_match_pf(&f, &ev));
	cr_expect(trace_evmask_match(TRACE_EV_DESTROY, ev.type), "-e destroy includes it");
}
