/* SPDX-License-Identifier: BSD-2-Clause */
/* trace_fixtures.h - fixed events for the pftrace unit tests. */
#ifndef TRACE_FIXTURES_H
#define TRACE_FIXTURES_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "pfbpf_types.h"

/*
 * An inbound TCP state 198.51.100.1:40000 -> 198.51.100.2:22 made by rule 3:
 * inbound, so the source sits in key slot 0 (pf's sidx for PF_IN).
 */
static inline struct pf_event fx_tcp_in(unsigned int type)
{
	struct pf_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.direction = PF_IN;
	ev.ts_ns = 123456789;
	ev.cpu = 1;
	ev.creatorid = 0xdeadbeef;
	inet_pton(AF_INET, "198.51.100.1", &ev.key[0].addr[0].v4);
	inet_pton(AF_INET, "198.51.100.2", &ev.key[0].addr[1].v4);
	ev.key[0].port[0] = htons(40000);
	ev.key[0].port[1] = htons(22);
	ev.key[0].af = PF_INET;
	ev.key[0].proto = IPPROTO_TCP;
	ev.key[1] = ev.key[0];
	ev.state.id = 0x5f00000000000001ull;
	ev.state.rule = 3;
	ev.state.ifindex = 7;
	ev.state.pstate[0] = TCPS_SYN_SENT;
	ev.state.pstate[1] = TCPS_CLOSED;
	return ev;
}

/* An outbound UDP state 2001:db8::1:5353 -> 2001:db8::2:53 (source in slot 1). */
static inline struct pf_event fx_udp6_out(unsigned int type)
{
	struct pf_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.direction = PF_OUT;
	ev.ts_ns = 42;
	inet_pton(AF_INET6, "2001:db8::2", ev.key[0].addr[0].v6);
	inet_pton(AF_INET6, "2001:db8::1", ev.key[0].addr[1].v6);
	ev.key[0].port[0] = htons(53);
	ev.key[0].port[1] = htons(5353);
	ev.key[0].af = PF_INET6;
	ev.key[0].proto = IPPROTO_UDP;
	ev.key[1] = ev.key[0];
	ev.state.id = 0x10;
	ev.state.rule = PF_RULE_NONE;
	ev.state.pstate[0] = PFUDPS_MULTIPLE;
	ev.state.pstate[1] = PFUDPS_SINGLE;
	return ev;
}

static inline struct pf_ip_event fx_ip4(unsigned int type)
{
	struct pf_ip_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ip_ver = 4;
	ev.ifindex = 7;
	ev.ts_ns = 1000;
	ev.ip_plength = 64;
	inet_pton(AF_INET, "192.0.2.1", &ev.saddr.v4);
	inet_pton(AF_INET, "192.0.2.2", &ev.daddr.v4);
	ev.ipv4_ihl = 5;
	ev.ipv4_ttl = 64;
	ev.ipv4_length = 84;
	ev.ipv4_ident = 4660;
	ev.ipv4_flags = 2;
	ev.ipv4_checksum = 0xabcd;
	ev.ipv4_protocol = IPPROTO_ICMP;
	return ev;
}

static inline struct pf_ip_event fx_ip6(unsigned int type)
{
	struct pf_ip_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ip_ver = 6;
	ev.ifindex = 9;
	ev.ip_plength = 32;
	inet_pton(AF_INET6, "2001:db8::1", ev.saddr.v6);
	inet_pton(AF_INET6, "2001:db8::2", ev.daddr.v6);
	ev.ipv6_nexthdr = IPPROTO_TCP;
	ev.ipv6_hlim = 63;
	ev.ipv6_flow = 0x12345;
	ev.ipv6_plen = 32;
	ev.ipv6_tclass = 4;
	ev.verdict = PF_DROP;
	ev.hook = 1;
	return ev;
}

static inline const char *fx_ifname(unsigned int ifindex, char *buf, size_t len)
{
	if (ifindex == 7)
		return "veth0";
	if (ifindex == 9)
		return "wan\"x";
	return NULL;
}

#endif
