// SPDX-License-Identifier: BSD-2-Clause
/* -p filters: every key, every error message, and matching. */
#include <criterion/criterion.h>
#include <errno.h>

#include "trace/trace.h"
#include "trace_fixtures.h"

static struct trace_filter f;
static char err[512];

static unsigned int fake_ifindex(const char *name)
{
	return !strcmp(name, "veth0") ? 7 : 0;
}

static int parse(const char *arg)
{
	memset(&f, 0, sizeof(f));
	err[0] = '\0';
	return trace_filter_parse(&f, arg, fake_ifindex, err, sizeof(err));
}

#define KEYS "proto, af, host, src, dst, port, sport, dport, event, id, rule, dir, reason, if"

static void bad(const char *arg, const char *msg)
{
	cr_assert_eq(parse(arg), -EINVAL, "'%s' accepted", arg);
	cr_assert_str_eq(err, msg, "for '%s'", arg);
}

Test(trace_filter, every_error)
{
	bad("", "empty filter (expected KEY=VALUE[,KEY=VALUE...], keys: " KEYS ")");
	bad(",,", "empty filter (expected KEY=VALUE[,KEY=VALUE...], keys: " KEYS ")");
	bad("tcp", "filter 'tcp' is not KEY=VALUE (keys: " KEYS ")");
	bad("colour=red", "unknown filter key 'colour' (keys: " KEYS ")");
	bad("proto=", "filter key 'proto' needs a value (proto=VALUE)");
	bad("proto=xyz", "unknown protocol 'xyz' in proto=");
	bad("proto=256", "unknown protocol '256' in proto=");
	bad("af=ipx", "unknown address family 'ipx' in af= (inet or inet6)");
	bad("host=300.1.1.1", "bad address '300.1.1.1' in host= (an IPv4 or IPv6 address, optionally /prefix)");
	bad("src=198.51.100.0/33", "bad address '198.51.100.0/33' in src= (an IPv4 or IPv6 address, optionally /prefix)");
	bad("dst=2001:db8::/129", "bad address '2001:db8::/129' in dst= (an IPv4 or IPv6 address, optionally /prefix)");
	bad("dst=198.51.100.0/", "bad address '198.51.100.0/' in dst= (an IPv4 or IPv6 address, optionally /prefix)");
	bad("port=65536", "bad port '65536' in port= (0 to 65535)");
	bad("sport=-1", "bad port '-1' in sport= (0 to 65535)");
	bad("dport=ssh", "bad port 'ssh' in dport= (0 to 65535)");
	bad("event=open", "unknown event 'open' in event= (state-create, state-change, tcp-established, tcp-closed, state-destroy, receive, send, syncookies)");
	bad("id=xyz", "bad state id 'xyz' in id= (hexadecimal)");
	bad("rule=-3", "bad rule number '-3' in rule= (a number or none)");
	bad("rule=16384", "bad rule number '16384' in rule= (a number or none)");
	bad("dir=up", "bad direction 'up' in dir= (in or out)");
	bad("reason=old", "unknown reason 'old' in reason= (expired, killed, flushed, evicted, rst, fin)");
	bad("if=nosuch0", "no such interface 'nosuch0' in if=");
	bad("port=1,port=2,port=3,port=4,port=5,port=6,port=7,port=8,port=9",
	    "too many values for filter key 'port' (at most 8)");
	/* The first bad item is reported even after good ones. */
	bad("proto=tcp,port=22,bogus=1", "unknown filter key 'bogus' (keys: " KEYS ")");
}

Test(trace_filter, every_key_parses)
{
	cr_assert_eq(parse("proto=tcp,proto=17,proto=icmp6,af=inet,af=inet6,host=198.51.100.2,"
			   "src=198.51.100.0/24,dst=2001:db8::/32,port=22,sport=40000,dport=80,"
			   "event=create,event=state-destroy,id=5f00000000000001,rule=3,rule=none,"
			   "dir=in,reason=expired,if=veth0"), 0, "%s", err);
	cr_assert_eq(f.nproto, 3);
	cr_assert_eq(f.proto[0], IPPROTO_TCP);
	cr_assert_eq(f.proto[1], IPPROTO_UDP);
	cr_assert_eq(f.proto[2], IPPROTO_ICMPV6);
	cr_assert_eq(f.naf, 2);
	cr_assert_eq(f.af[1], PF_INET6);
	cr_assert_eq(f.host[0].plen, 32);
	cr_assert_eq(f.src[0].plen, 24);
	cr_assert_eq(f.dst[0].af, PF_INET6);
	cr_assert_eq(f.dst[0].plen, 32);
	cr_assert_eq(f.port[0], 22);
	cr_assert_eq(f.sport[0], 40000);
	cr_assert_eq(f.dport[0], 80);
	cr_assert_eq(f.nevent, 2);
	cr_assert_eq(f.event[0], PF_EV_STATE_CREATE);
	cr_assert_eq(f.event[1], PF_EV_STATE_DESTROY);
	cr_assert_eq(f.id[0], 0x5f00000000000001ull);
	cr_assert_eq(f.rule[0], 3);
	cr_assert_eq(f.rule[1], PF_RULE_NONE);
	cr_assert_eq(f.dir[0], PF_IN);
	cr_assert_eq(f.reason[0], PF_DESTROY_EXPIRED);
	cr_assert_eq(f.ifindex[0], 7);
}

Test(trace_filter, options_accumulate)
{
	cr_assert_eq(parse("proto=tcp"), 0);
	cr_assert_eq(trace_filter_parse(&f, "port=22", fake_ifindex, err, sizeof(err)), 0);
	cr_assert_eq(f.nproto, 1);
	cr_assert_eq(f.nport, 1);
}

Test(trace_filter, match_proto_host_port)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	cr_assert_eq(parse("proto=tcp,host=198.51.100.2,port=22"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("proto=udp"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("host=198.51.100.1"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev), "host matches the source too");
	cr_assert_eq(parse("host=198.51.100.3"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("host=198.51.100.0/25"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("host=198.51.100.128/25"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("host=2001:db8::1"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev), "other family never matches");
	cr_assert_eq(parse("port=80,port=22"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev), "repeated key is OR");
	cr_assert_eq(parse("port=80,proto=tcp"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev), "different keys are AND");
}

Test(trace_filter, match_direction_of_endpoints)
{
	struct pf_event in = fx_tcp_in(PF_EV_STATE_CREATE);
	struct pf_event out = fx_udp6_out(PF_EV_STATE_CREATE);

	cr_assert_eq(parse("src=198.51.100.1,dst=198.51.100.2,sport=40000,dport=22"), 0);
	cr_assert(trace_filter_match_pf(&f, &in));
	cr_assert_eq(parse("src=198.51.100.2"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &in));
	cr_assert_eq(parse("sport=22"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &in));
	/* Outbound: source is key slot 1. */
	cr_assert_eq(parse("src=2001:db8::1,sport=5353,dport=53,dir=out,af=inet6"), 0);
	cr_assert(trace_filter_match_pf(&f, &out));
	cr_assert_eq(parse("dir=in"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &out));
}

Test(trace_filter, match_nat_stack_key)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

	inet_pton(AF_INET, "203.0.113.9", &ev.key[PF_SK_STACK].addr[1].v4);
	cr_assert_eq(parse("host=203.0.113.9"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev));
}

Test(trace_filter, match_event_id_rule_reason_if)
{
	struct pf_event ev = fx_tcp_in(PF_EV_STATE_DESTROY);

	ev.reason = PF_DESTROY_KILLED;
	cr_assert_eq(parse("event=destroy,id=5f00000000000001,rule=3,reason=killed,if=veth0"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("event=create"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("id=5f00000000000002"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("rule=none"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("reason=expired"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	ev.type = PF_EV_STATE_CREATE;
	cr_assert_eq(parse("reason=killed"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev), "only destroy events have a reason");
	cr_assert_eq(parse("if=veth0"), 0);
	ev.state.ifindex = 8;
	cr_assert_not(trace_filter_match_pf(&f, &ev));
}

Test(trace_filter, ip_events)
{
	struct pf_ip_event ev = fx_ip4(PF_EV_IP_RECEIVE);

	cr_assert_eq(parse("event=receive,host=192.0.2.2,proto=icmp,if=veth0,dir=in"), 0);
	cr_assert_eq(trace_filter_ip_bits(&f), PF_TRACE_IP_RECEIVE);
	cr_assert_not(trace_filter_wants_state(&f));
	cr_assert(trace_filter_match_ip(&f, &ev));
	ev.type = PF_EV_IP_SEND;
	cr_assert_not(trace_filter_match_ip(&f, &ev));
	cr_assert_eq(parse("event=send,event=create"), 0);
	cr_assert_eq(trace_filter_ip_bits(&f), PF_TRACE_IP_SEND);
	cr_assert(trace_filter_wants_state(&f));
	cr_assert_eq(parse("event=receive,port=22"), 0);
	ev.type = PF_EV_IP_RECEIVE;
	cr_assert_not(trace_filter_match_ip(&f, &ev), "packet events carry no ports");
	cr_assert_eq(parse("event=receive,src=192.0.2.2"), 0);
	cr_assert_not(trace_filter_match_ip(&f, &ev));
	cr_assert_eq(parse("event=receive,dst=192.0.2.2"), 0);
	cr_assert(trace_filter_match_ip(&f, &ev));
	cr_assert_eq(parse("proto=tcp"), 0);
	cr_assert_eq(trace_filter_ip_bits(&f), 0, "no event= key: no packet events");
}

Test(trace_filter, ipv6_prefixes)
{
	struct pf_event ev = fx_udp6_out(PF_EV_STATE_CREATE);

	cr_assert_eq(parse("host=2001:db8::/32"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("src=2001:db8::/127"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev), "2001:db8::1 is in 2001:db8::/127");
	cr_assert_eq(parse("src=2001:db8::2/128"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("host=2001:db9::/32"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev));
	cr_assert_eq(parse("host=::/0,af=inet6"), 0);
	cr_assert(trace_filter_match_pf(&f, &ev), "/0 matches every address of the family");
	cr_assert_eq(parse("host=0.0.0.0/0"), 0);
	cr_assert_not(trace_filter_match_pf(&f, &ev), "but not the other family");
}
