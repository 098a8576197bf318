// SPDX-License-Identifier: BSD-2-Clause
/*
 * Translation on the datapath (bpf/pf_nat.h, pf_nat_rewrite.h), run with
 * BPF_PROG_TEST_RUN on hand-built packets: the translated packet byte for
 * byte, its checksums against a full recomputation by the harness (not the
 * incremental code under test), both directions of TCP, UDP (a zero UDP
 * checksum stays zero), ICMP echo, IPv4 and IPv6; rdr and binat; port
 * exhaustion; two CPUs racing for one port; a pair whose state the LRU
 * evicted.  The translation rules are written into pf_natrules directly,
 * as the commit would (user/ioctl compiles them from pf.conf).
 *
 * Topology of the addresses: inside 192.0.2.0/24 and 2001:db8::/64, the
 * router's outside address 203.0.113.1 / 2001:db8:2::1, servers outside
 * 198.51.100.2 / 2001:db8:1::2.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "core_util.h"

TestSuite(core_nat, .init = core_setup, .fini = h_teardown);

#define INNER4 "192.0.2.10"
#define INNER4B "192.0.2.11"
#define OUTER4 "203.0.113.1"
#define INNER6 "2001:db8::10"
#define OUTER6 "2001:db8:2::1"

static struct pf_addr addr_of(int af, const char *s)
{
	struct pf_addr a = {};

	cr_assert_eq(inet_pton(af == PF_INET ? AF_INET : AF_INET6, s, &a), 1, "bad address %s", s);
	return a;
}

/* The active ruleset slot: translation rules live in its part of the maps. */
static __u32 active_slot(void)
{
	struct pf_config cfg;

	cr_assert_eq(h_config_get(&cfg), 0);
	return cfg.active & 1;
}

static void put_pool(__u32 idx, int af, const char *addr, __u8 plen)
{
	struct pf_pool_addr_bpf pa = { .af = af, .plen = plen, .type = PF_POOLADDR_MASK };

	pa.addr = addr_of(af, addr);
	idx += active_slot() * PF_MAX_POOL_ADDRS;
	cr_assert_eq(bpf_map_update_elem(h_map_fd("pf_natpool"), &idx, &pa, BPF_ANY), 0);
}

static void put_rule(__u32 idx, const struct pf_nat_rule_bpf *r)
{
	idx += active_slot() * PF_MAX_NAT_RULES;
	cr_assert_eq(bpf_map_update_elem(h_map_fd("pf_natrules"), &idx, r, BPF_ANY), 0);
}

static void nat_count(__u32 n)
{
	struct pf_config cfg;

	cr_assert_eq(h_config_get(&cfg), 0);
	cfg.nat_rules[cfg.active & 1] = n;
	cr_assert_eq(h_config_set(&cfg), 0);
}

/* nat on any from <inside>/plen to any -> pool[0] port lo:hi */
static void rule_nat(int af, const char *net, __u8 plen, const char *to, __u16 lo, __u16 hi)
{
	struct pf_nat_rule_bpf r = { .action = PF_NAT, .xlate = PF_NAT, .direction = PF_OUT,
				     .af = af, .src_plen = plen, .pool_count = 1 };

	r.src = addr_of(af, net);
	r.proxy_port[0] = lo;
	r.proxy_port[1] = hi;
	if (!lo && !hi)
		r.pool_opts = PF_POOL_STATICPORT;
	put_pool(0, af, to, af == PF_INET ? 32 : 128);
	put_rule(0, &r);
	nat_count(1);
}

/* What the test reads back out of a packet. */
struct seen {
	struct pf_addr src, dst;
	__u16 sport, dport; /* host order; ICMP: the echo id in sport */
	__u16 csum;         /* transport checksum field as sent */
};

static struct seen seen_of(const struct h_pkt *p)
{
	const __u8 *ip = p->buf + p->l3, *th = p->buf + p->l4;
	struct seen s = {};

	if ((ip[0] >> 4) == 4) {
		memcpy(&s.src, ip + 12, 4);
		memcpy(&s.dst, ip + 16, 4);
	} else {
		memcpy(&s.src, ip + 8, 16);
		memcpy(&s.dst, ip + 24, 16);
	}
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		s.sport = th[0] << 8 | th[1];
		s.dport = th[2] << 8 | th[3];
		s.csum = p->proto == IPPROTO_TCP ? (th[16] << 8 | th[17]) : (th[6] << 8 | th[7]);
	} else {
		s.sport = th[4] << 8 | th[5];
		s.csum = th[2] << 8 | th[3];
	}
	return s;
}

/* Every checksum in p equals what a full recomputation gives. */
static void csum_ok(const struct h_pkt *p)
{
	struct h_pkt q = *p;

	h_fix_csum(&q);
	cr_assert_eq(memcmp(q.buf, p->buf, p->len), 0,
		     "a checksum differs from a full recomputation");
}

static void addr_is(int af, const struct pf_addr *a, const char *want)
{
	struct pf_addr w = addr_of(af, want);

	cr_assert_eq(memcmp(a, &w, af == PF_INET ? 4 : 16), 0, "address is not %s", want);
}

static int pairs(void)
{
	int fd = h_map_fd("pf_natmap"), n = 0;
	struct pf_state_key k, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

static struct pf_nat_stats natstat(void)
{
	int ncpu = libbpf_num_possible_cpus(), i, j;
	struct pf_nat_stats v[ncpu], sum = {};
	__u32 z = 0;

	cr_assert_eq(bpf_map_lookup_elem(h_map_fd("pf_natstat"), &z, v), 0);
	for (i = 0; i < ncpu; i++) {
		sum.translations += v[i].translations;
		sum.map_failed += v[i].map_failed;
		sum.pair_repaired += v[i].pair_repaired;
		for (j = 0; j < PF_NAT_TRY_BUCKETS; j++)
			sum.tries[j] += v[i].tries[j];
	}
	return sum;
}

/* One TCP segment through the tc program for dir. */
static int tcp_tc(int dir, const struct h_flow *f, __u8 flags, __u32 seq, __u32 ack,
		  struct h_pkt *p)
{
	int r;

	cr_assert_eq(h_tcp(p, f, &(struct h_tcp){ .flags = flags, .seq = seq, .ack = ack,
						 .plen = flags & TH_PUSH ? 100 : 0 }), 0);
	r = h_tc(dir, p);
	cr_assert_geq(r, 0, "test run failed: %d", r);
	return r == TC_ACT_OK ? PF_PASS : PF_DROP;
}

/* The outbound handshake of f through the translation; returns the port. */
static __u16 nat_handshake(int af, const struct h_flow *f, const char *outer, int xdp_in)
{
	struct h_flow back;
	struct h_pkt p;
	struct seen s;
	__u16 port;

	cr_assert_eq(tcp_tc(PF_OUT, f, TH_SYN, 1000, 0, &p), PF_PASS);
	s = seen_of(&p);
	addr_is(af, &s.src, outer);
	addr_is(af, &s.dst, f->dst);
	port = s.sport;
	cr_assert(port >= 50001, "translated port %u outside 50001:65535", port);
	cr_assert_eq(s.dport, f->dport);
	csum_ok(&p);

	/* the answer comes to the outer address and port ... */
	back = (struct h_flow){ af, f->dst, outer, f->dport, port };
	cr_assert_eq(h_tcp(&p, &back, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000,
						      .ack = 1001 }), 0);
	if (xdp_in)
		cr_assert_eq(h_xdp(&p), XDP_PASS);
	else
		cr_assert_eq(h_tc(PF_IN, &p), TC_ACT_OK);
	/* ... and leaves for the inside host */
	s = seen_of(&p);
	addr_is(af, &s.src, f->dst);
	addr_is(af, &s.dst, f->src);
	cr_assert_eq(s.sport, f->dport);
	cr_assert_eq(s.dport, f->sport);
	csum_ok(&p);

	/* later segments keep the port */
	cr_assert_eq(tcp_tc(PF_OUT, f, TH_ACK | TH_PUSH, 1001, 5001, &p), PF_PASS);
	s = seen_of(&p);
	addr_is(af, &s.src, outer);
	cr_assert_eq(s.sport, port);
	csum_ok(&p);
	return port;
}

Test(core_nat, tcp_v4_both_directions_tc_and_xdp)
{
	struct h_flow f = H_FLOW4(INNER4, 5000, SERVER4, 80);
	struct pf_state_key wire, stack;
	struct pf_nat_pair pair;
	struct pf_state st;
	__u16 port;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	port = nat_handshake(PF_INET, &f, OUTER4, 0);

	/* one state, under the wire key; the pair under both keys */
	cr_assert_eq(h_state_count(), 1);
	struct h_flow w = H_FLOW4(OUTER4, port, SERVER4, 80);
	cr_assert_eq(h_state_key(&w, IPPROTO_TCP, PF_OUT, &wire), 0);
	cr_assert_eq(h_state_key(&f, IPPROTO_TCP, PF_OUT, &stack), 0);
	cr_assert_eq(bpf_map_lookup_elem(h_map_fd("pf_states"), &wire, &st), 0);
	cr_assert_geq(st.pstate[1], TCPS_SYN_SENT, "the answer was tracked by the state");
	cr_assert_eq(bpf_map_lookup_elem(h_map_fd("pf_natmap"), &stack, &pair), 0);
	cr_assert_eq(memcmp(&pair.key[PF_SK_WIRE], &wire, sizeof(wire)), 0);
	cr_assert_eq(memcmp(&pair.key[PF_SK_STACK], &stack, sizeof(stack)), 0);
	cr_assert_eq(bpf_map_lookup_elem(h_map_fd("pf_natmap"), &wire, &pair), 0);
	cr_assert_eq(pairs(), 2);
	cr_assert_eq(natstat().translations, 1);

	/* a second flow, answers through XDP this time */
	struct h_flow f2 = H_FLOW4(INNER4, 5001, SERVER4, 80);
	__u16 port2 = nat_handshake(PF_INET, &f2, OUTER4, 1);
	cr_assert_neq(port2, port);
}

Test(core_nat, tcp_v6_both_directions)
{
	struct h_flow f = H_FLOW6(INNER6, 5000, SERVER6, 443);

	rule_nat(PF_INET6, "2001:db8::", 64, OUTER6, 50001, 65535);
	nat_handshake(PF_INET6, &f, OUTER6, 0);
}

/* Two inside hosts with one source port get distinct outside ports. */
Test(core_nat, same_source_port_two_hosts)
{
	struct h_flow a = H_FLOW4(INNER4, 40000, SERVER4, 80);
	struct h_flow b = H_FLOW4(INNER4B, 40000, SERVER4, 80);

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	cr_assert_neq(nat_handshake(PF_INET, &a, OUTER4, 0), nat_handshake(PF_INET, &b, OUTER4, 0));
}

static void udp_roundtrip(int af, const char *in, const char *out, const char *srv, int zero)
{
	struct h_flow f = { af, in, srv, 6000, 53 }, back;
	struct h_pkt p;
	struct seen s;

	cr_assert_eq(h_udp(&p, &f, 20, NULL), 0);
	if (zero)
		p.buf[p.l4 + 6] = p.buf[p.l4 + 7] = 0;
	cr_assert_eq(h_tc(PF_OUT, &p), TC_ACT_OK);
	s = seen_of(&p);
	addr_is(af, &s.src, out);
	cr_assert(s.sport >= 50001);
	if (zero)
		cr_assert_eq(s.csum, 0, "a UDP datagram sent without a checksum got one");
	else
		csum_ok(&p);

	back = (struct h_flow){ af, srv, out, 53, s.sport };
	cr_assert_eq(h_udp(&p, &back, 30, NULL), 0);
	if (zero)
		p.buf[p.l4 + 6] = p.buf[p.l4 + 7] = 0;
	cr_assert_eq(h_xdp(&p), XDP_PASS);
	s = seen_of(&p);
	addr_is(af, &s.dst, in);
	cr_assert_eq(s.dport, 6000);
	if (zero)
		cr_assert_eq(s.csum, 0);
	else
		csum_ok(&p);
}

Test(core_nat, udp_v4_and_zero_checksum)
{
	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	udp_roundtrip(PF_INET, INNER4, OUTER4, SERVER4, 0);
	udp_roundtrip(PF_INET, INNER4B, OUTER4, SERVER4, 1);
}

Test(core_nat, udp_v6)
{
	rule_nat(PF_INET6, "2001:db8::", 64, OUTER6, 50001, 65535);
	udp_roundtrip(PF_INET6, INNER6, OUTER6, SERVER6, 0);
}

static void icmp_echo_roundtrip(int af, const char *in, const char *out, const char *srv,
				__u16 id, __u16 *outid)
{
	__u8 req = af == PF_INET ? 8 : 128, rep = af == PF_INET ? 0 : 129;
	struct h_flow f = { af, in, srv, id, 0 }, back;
	struct h_pkt p;
	struct seen s;

	cr_assert_eq(h_icmp(&p, &f, req, 0, 1, NULL, 0), 0);
	cr_assert_eq(h_tc(PF_OUT, &p), TC_ACT_OK);
	s = seen_of(&p);
	addr_is(af, &s.src, out);
	csum_ok(&p);
	*outid = s.sport;

	back = (struct h_flow){ af, srv, out, s.sport, 0 };
	cr_assert_eq(h_icmp(&p, &back, rep, 0, 1, NULL, 0), 0);
	cr_assert_eq(h_tc(PF_IN, &p), TC_ACT_OK);
	s = seen_of(&p);
	addr_is(af, &s.dst, in);
	cr_assert_eq(s.sport, id, "the echo reply carries the inside id again");
	csum_ok(&p);
}

/* Two hosts pinging with one id: distinct outside ids, each answered. */
Test(core_nat, icmp_echo_ids_kept_distinct)
{
	__u16 a, b;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	icmp_echo_roundtrip(PF_INET, INNER4, OUTER4, SERVER4, 77, &a);
	icmp_echo_roundtrip(PF_INET, INNER4B, OUTER4, SERVER4, 77, &b);
	cr_assert_neq(a, b);
}

Test(core_nat, icmp6_echo)
{
	__u16 a;

	rule_nat(PF_INET6, "2001:db8::", 64, OUTER6, 50001, 65535);
	icmp_echo_roundtrip(PF_INET6, INNER6, OUTER6, SERVER6, 99, &a);
}

/* rdr on any proto tcp to 203.0.113.1 port 8080 -> 192.0.2.20 port 80 */
Test(core_nat, rdr_port_both_directions)
{
	struct pf_nat_rule_bpf r = { .action = PF_RDR, .xlate = PF_RDR, .direction = PF_IN,
				     .af = PF_INET, .proto = IPPROTO_TCP, .dst_plen = 32,
				     .dport_op = PF_OP_EQ, .dport = { 8080 }, .proxy_port = { 80 },
				     .pool_count = 1 };
	struct h_flow in = H_FLOW4(SERVER4, 4000, OUTER4, 8080);
	struct h_flow reply = H_FLOW4("192.0.2.20", 80, SERVER4, 4000);
	struct h_pkt p;
	struct seen s;

	r.dst = addr_of(PF_INET, OUTER4);
	put_pool(0, PF_INET, "192.0.2.20", 32);
	put_rule(0, &r);
	nat_count(1);
	/* the ruleset passes out only: the rdr'd SYN needs `rdr pass` or a
	 * pass in rule -- give it the flag */
	r.flags = PF_NATR_PASS;
	put_rule(0, &r);

	cr_assert_eq(h_tcp(&p, &in, &(struct h_tcp){ .flags = TH_SYN, .seq = 1 }), 0);
	cr_assert_eq(h_xdp(&p), XDP_PASS);
	s = seen_of(&p);
	addr_is(PF_INET, &s.dst, "192.0.2.20");
	cr_assert_eq(s.dport, 80);
	addr_is(PF_INET, &s.src, SERVER4);
	cr_assert_eq(s.sport, 4000, "rdr keeps the source port");
	csum_ok(&p);

	cr_assert_eq(tcp_tc(PF_OUT, &reply, TH_SYN | TH_ACK, 9000, 2, &p), PF_PASS);
	s = seen_of(&p);
	addr_is(PF_INET, &s.src, OUTER4);
	cr_assert_eq(s.sport, 8080);
	addr_is(PF_INET, &s.dst, SERVER4);
	csum_ok(&p);
}

/* rdr port 8000:8009 -> port 9000:* maps dport - 8000 + 9000 */
Test(core_nat, rdr_port_range_maps)
{
	struct pf_nat_rule_bpf r = { .action = PF_RDR, .xlate = PF_RDR, .direction = PF_IN,
				     .af = PF_INET, .proto = IPPROTO_TCP, .flags = PF_NATR_PASS,
				     .dport_op = PF_OP_RRG, .dport = { 8000, 8009 },
				     .proxy_port = { 9000, 9009 }, .pool_count = 1 };
	struct h_flow in = H_FLOW4(SERVER4, 4000, OUTER4, 8005);
	struct h_pkt p;

	put_pool(0, PF_INET, "192.0.2.20", 32);
	put_rule(0, &r);
	nat_count(1);
	cr_assert_eq(h_tcp(&p, &in, &(struct h_tcp){ .flags = TH_SYN, .seq = 1 }), 0);
	cr_assert_eq(h_xdp(&p), XDP_PASS);
	cr_assert_eq(seen_of(&p).dport, 9005);
	csum_ok(&p);
}

/* binat from 192.0.2.10 to any -> 203.0.113.10: out and in, 1:1 */
Test(core_nat, binat_both_ways)
{
	struct pf_nat_rule_bpf r = { .action = PF_BINAT, .xlate = PF_BINAT, .direction = PF_OUT,
				     .af = PF_INET, .src_plen = 32, .flags = PF_NATR_PASS,
				     .pool_count = 1 };
	struct h_flow out = H_FLOW4(INNER4, 7000, SERVER4, 25);
	struct h_flow in = H_FLOW4(SERVER4, 3000, "203.0.113.10", 22);
	struct h_pkt p;
	struct seen s;

	r.src = addr_of(PF_INET, INNER4);
	put_pool(0, PF_INET, "203.0.113.10", 32);
	put_rule(0, &r);
	nat_count(1);

	cr_assert_eq(tcp_tc(PF_OUT, &out, TH_SYN, 1, 0, &p), PF_PASS);
	s = seen_of(&p);
	addr_is(PF_INET, &s.src, "203.0.113.10");
	cr_assert_eq(s.sport, 7000, "binat keeps ports");
	csum_ok(&p);

	cr_assert_eq(h_tcp(&p, &in, &(struct h_tcp){ .flags = TH_SYN, .seq = 1 }), 0);
	cr_assert_eq(h_xdp(&p), XDP_PASS);
	s = seen_of(&p);
	addr_is(PF_INET, &s.dst, INNER4);
	cr_assert_eq(s.dport, 22);
	csum_ok(&p);
}

/* A 4-port range: four connections, the fifth is refused as map-failed,
 * the four keep working. */
Test(core_nat, port_exhaustion_four_ports)
{
	struct h_pkt p;
	char src[32];
	__u16 seen_ports[4];
	int i, j;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 50004);
	for (i = 0; i < 4; i++) {
		struct h_flow f = H_FLOW4(INNER4, 1000 + i, SERVER4, 80);

		cr_assert_eq(tcp_tc(PF_OUT, &f, TH_SYN, 1, 0, &p), PF_PASS, "connection %d", i);
		seen_ports[i] = seen_of(&p).sport;
		cr_assert(seen_ports[i] >= 50001 && seen_ports[i] <= 50004);
		for (j = 0; j < i; j++)
			cr_assert_neq(seen_ports[i], seen_ports[j]);
	}
	snprintf(src, sizeof(src), "%s", INNER4B);
	struct h_flow fifth = H_FLOW4(src, 2000, SERVER4, 80);
	__u64 before = core_counter(PFRES_MAPFAILED);

	cr_assert_eq(tcp_tc(PF_OUT, &fifth, TH_SYN, 1, 0, &p), PF_DROP);
	cr_assert_eq(core_counter(PFRES_MAPFAILED), before + 1);
	cr_assert_eq(natstat().map_failed, 1);
	cr_assert_eq(natstat().tries[PF_NAT_TRY_BUCKETS - 1], 1);
	cr_assert_eq(h_state_count(), 4);
	/* the existing ones still pass, translated */
	struct h_flow f0 = H_FLOW4(INNER4, 1000, SERVER4, 80);
	cr_assert_eq(tcp_tc(PF_OUT, &f0, TH_SYN, 1, 0, &p), PF_PASS);
	cr_assert_eq(seen_of(&p).sport, seen_ports[0]);
}

/* static-port keeps the port; a second flow wanting it is map-failed. */
Test(core_nat, static_port)
{
	struct h_flow a = H_FLOW4(INNER4, 40000, SERVER4, 80);
	struct h_flow b = H_FLOW4(INNER4B, 40000, SERVER4, 80);
	struct h_pkt p;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 0, 0);
	cr_assert_eq(tcp_tc(PF_OUT, &a, TH_SYN, 1, 0, &p), PF_PASS);
	cr_assert_eq(seen_of(&p).sport, 40000);
	struct seen s = seen_of(&p);
	addr_is(PF_INET, &s.src, OUTER4);
	cr_assert_eq(tcp_tc(PF_OUT, &b, TH_SYN, 1, 0, &p), PF_DROP);
	cr_assert_eq(natstat().map_failed, 1);
}

/*
 * The state of a pair goes behind its back (as an LRU eviction would):
 * the next stack-side packet finds the pair stale, both halves go, and
 * the packet is a new connection again.
 */
Test(core_nat, half_evicted_pair_is_repaired)
{
	struct h_flow f = H_FLOW4(INNER4, 5000, SERVER4, 80);
	struct pf_state_key wire;
	struct h_pkt p;
	__u16 port;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	port = nat_handshake(PF_INET, &f, OUTER4, 0);
	struct h_flow w = H_FLOW4(OUTER4, port, SERVER4, 80);
	cr_assert_eq(h_state_key(&w, IPPROTO_TCP, PF_OUT, &wire), 0);
	cr_assert_eq(bpf_map_delete_elem(h_map_fd("pf_states"), &wire), 0);
	cr_assert_eq(pairs(), 2);

	/* an ACK of the vanished connection: no state, both halves gone */
	cr_assert_eq(tcp_tc(PF_OUT, &f, TH_ACK, 1001, 5001, &p), PF_DROP);
	cr_assert_eq(pairs(), 0, "a half of the stale pair was left behind");
	cr_assert_eq(natstat().pair_repaired, 1);
	/* and a new SYN gets a fresh translation */
	cr_assert_eq(tcp_tc(PF_OUT, &f, TH_SYN, 7000, 0, &p), PF_PASS);
	cr_assert_eq(pairs(), 2);
}

/* The state goes (kill, expiry): its pair goes with it. */
Test(core_nat, state_removal_takes_the_pair)
{
	struct h_flow f = H_FLOW4(INNER4, 5000, SERVER4, 80);
	struct pf_ctl_req req = { .op = PF_CTL_KILL, .af = PF_INET, .src_plen = 32,
				  .rule = PF_RULE_NONE, .reason = PF_DESTROY_KILLED };
	struct pf_gcount g;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	nat_handshake(PF_INET, &f, OUTER4, 0);
	cr_assert_eq(pairs(), 2);
	/* kill by the inside address: only the stack key has it */
	req.src = addr_of(PF_INET, INNER4);
	cr_assert_eq(h_ctl(&req), 0);
	cr_assert_eq(req.count, 1, "kill by the inside address missed the state");
	cr_assert_eq(h_state_count(), 0);
	cr_assert_eq(pairs(), 0);
	cr_assert_eq(h_gcount(&g), 0);
	cr_assert_eq(g.nat_pairs, 0);
}

/* Events carry both keys. */
Test(core_nat, create_event_has_both_keys)
{
	struct h_flow f = H_FLOW4(INNER4, 5000, SERVER4, 80);
	static union h_event ev[H_EV_MAX];
	const union h_event *e;
	struct pf_state_key stack;
	int n, from = 0;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	h_events(ev, H_EV_MAX);
	nat_handshake(PF_INET, &f, OUTER4, 0);
	n = h_events(ev, H_EV_MAX);
	e = h_event_find(ev, n, PF_EV_STATE_CREATE, &from);
	cr_assert_not_null(e);
	cr_assert_eq(h_state_key(&f, IPPROTO_TCP, PF_OUT, &stack), 0);
	cr_assert_eq(memcmp(&e->st.key[PF_SK_STACK], &stack, sizeof(stack)), 0);
	cr_assert_neq(memcmp(&e->st.key[PF_SK_WIRE], &stack, sizeof(stack)), 0);
}

/* ---- two CPUs, one port ------------------------------------------------- */

struct racer {
	int cpu;
	const char *src;
	__u8 won[200];
	pthread_barrier_t *bar;
};
#define RACE_ROUNDS 200

static void *race_run(void *arg)
{
	struct racer *r = arg;
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return (void *)1;
	for (i = 0; i < RACE_ROUNDS; i++) {
		struct h_flow f = H_FLOW4(r->src, 10000, SERVER4, (__u16)(1000 + i));
		struct h_pkt p;

		h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1 });
		pthread_barrier_wait(r->bar);
		r->won[i] = h_tc(PF_OUT, &p) == TC_ACT_OK;
	}
	return NULL;
}

/*
 * A one-port range and two CPUs each opening a connection at the same
 * moment, round after round.  In round i both connections go to server
 * port 1000 + i, so both want the one wire key 203.0.113.1:50001 ->
 * server:1000+i: exactly one of them gets it, never both, never neither.
 */
Test(core_nat, two_cpus_race_for_one_port)
{
	pthread_barrier_t bar;
	static struct racer a, b;
	pthread_t ta, tb;
	void *ra, *rb;
	int i;

	cr_assert_geq(sysconf(_SC_NPROCESSORS_ONLN), 2, "this test needs two CPUs");
	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 50001);
	pthread_barrier_init(&bar, NULL, 2);
	a = (struct racer){ .cpu = 0, .src = INNER4, .bar = &bar };
	b = (struct racer){ .cpu = 1, .src = INNER4B, .bar = &bar };
	pthread_create(&ta, NULL, race_run, &a);
	pthread_create(&tb, NULL, race_run, &b);
	pthread_join(ta, &ra);
	pthread_join(tb, &rb);
	pthread_barrier_destroy(&bar);
	cr_assert_null(ra, "could not pin to CPU 0");
	cr_assert_null(rb, "could not pin to CPU 1");
	for (i = 0; i < RACE_ROUNDS; i++)
		cr_assert_eq(a.won[i] + b.won[i], 1, "round %d: the one port went to %d connections",
			     i, a.won[i] + b.won[i]);
	cr_assert_eq(h_state_count(), RACE_ROUNDS);
	cr_assert_eq(pairs(), 2 * RACE_ROUNDS);
	cr_assert_eq(natstat().map_failed, RACE_ROUNDS);
}

/* ---- ICMP errors about translated packets ------------------------------- */

/* The quote in error e is exactly the IP packet of want. */
static void quote_is(const struct h_pkt *e, const struct h_pkt *want)
{
	__u32 n = want->len - want->l3;

	cr_assert_geq(e->len - e->l4 - 8, n, "the quote is shorter than the packet");
	cr_assert_eq(memcmp(e->buf + e->l4 + 8, want->buf + want->l3, n), 0,
		     "the quoted packet is not the untranslated one, byte for byte");
}

/*
 * An outbound UDP datagram, translated; a router beyond answers with time
 * exceeded, quoting it as it was on the wire.  The error must reach the
 * inside host quoting the datagram that host sent.
 */
static void error_from_beyond(int af, const char *in, const char *out, const char *srv,
			      const char *hop, int xdp)
{
	struct h_flow f = { af, in, srv, 6000, 53 }, err = { af, hop, out, 0, 0 };
	struct h_pkt p, orig, e;
	struct seen s;

	cr_assert_eq(h_udp(&p, &f, 20, NULL), 0);
	orig = p;
	cr_assert_eq(h_tc(PF_OUT, &p), TC_ACT_OK);
	cr_assert_eq(h_icmp(&e, &err, af == PF_INET ? 11 : 3, 0, 0, &p, 0), 0);
	if (xdp)
		cr_assert_eq(h_xdp(&e), XDP_PASS);
	else
		cr_assert_eq(h_tc(PF_IN, &e), TC_ACT_OK);
	s = seen_of(&e);
	addr_is(af, &s.dst, in);
	addr_is(af, &s.src, hop);
	csum_ok(&e);
	quote_is(&e, &orig);
}

Test(core_nat, icmp_error_from_beyond_v4_tc_and_xdp)
{
	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	error_from_beyond(PF_INET, INNER4, OUTER4, SERVER4, "198.51.100.254", 0);
	error_from_beyond(PF_INET, INNER4B, OUTER4, SERVER4, "198.51.100.254", 1);
}

Test(core_nat, icmp_error_from_beyond_v6)
{
	rule_nat(PF_INET6, "2001:db8::", 64, OUTER6, 50001, 65535);
	error_from_beyond(PF_INET6, INNER6, OUTER6, SERVER6, "2001:db8:1::fe", 0);
}

/*
 * The other way: a redirected datagram reaches the inner server, which
 * answers port unreachable.  Leaving, the error must come from the outside
 * address and quote the datagram as the client sent it.
 */
Test(core_nat, icmp_error_from_inside_rdr)
{
	struct pf_nat_rule_bpf r = { .action = PF_RDR, .xlate = PF_RDR, .direction = PF_IN,
				     .af = PF_INET, .proto = IPPROTO_UDP, .flags = PF_NATR_PASS,
				     .dport_op = PF_OP_EQ, .dport = { 8080 }, .proxy_port = { 80 },
				     .pool_count = 1 };
	struct h_flow in = H_FLOW4(SERVER4, 4000, OUTER4, 8080);
	struct h_flow err = H_FLOW4("192.0.2.20", 0, SERVER4, 0);
	struct h_pkt p, orig, e;
	struct seen s;

	put_pool(0, PF_INET, "192.0.2.20", 32);
	put_rule(0, &r);
	nat_count(1);
	cr_assert_eq(h_udp(&p, &in, 20, NULL), 0);
	orig = p;
	cr_assert_eq(h_xdp(&p), XDP_PASS);
	s = seen_of(&p);
	addr_is(PF_INET, &s.dst, "192.0.2.20");
	cr_assert_eq(h_icmp(&e, &err, 3, 3, 0, &p, 0), 0);
	cr_assert_eq(h_tc(PF_OUT, &e), TC_ACT_OK);
	s = seen_of(&e);
	addr_is(PF_INET, &s.src, OUTER4);
	addr_is(PF_INET, &s.dst, SERVER4);
	csum_ok(&e);
	quote_is(&e, &orig);
}

/* The sweep removes pairs whose state the LRU took, both halves. */
Test(core_nat, sweep_removes_stale_pairs)
{
	struct h_flow f = H_FLOW4(INNER4, 5000, SERVER4, 80);
	struct h_flow g2 = H_FLOW4(INNER4B, 5000, SERVER4, 80);
	struct pf_state_key wire;
	struct pf_gcount g;
	__u16 port;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	port = nat_handshake(PF_INET, &f, OUTER4, 0);
	nat_handshake(PF_INET, &g2, OUTER4, 0);
	struct h_flow w = H_FLOW4(OUTER4, port, SERVER4, 80);
	cr_assert_eq(h_state_key(&w, IPPROTO_TCP, PF_OUT, &wire), 0);
	cr_assert_eq(bpf_map_delete_elem(h_map_fd("pf_states"), &wire), 0);
	cr_assert_eq(pairs(), 4);
	cr_assert_geq(h_ctl_sweep(), 0);
	cr_assert_eq(pairs(), 2, "the sweep left the stale pair (or took the live one)");
	cr_assert_eq(natstat().pair_repaired, 1);
	cr_assert_eq(h_gcount(&g), 0);
	cr_assert_eq(g.nat_pairs, 1);
}

/* ---- pools ---------------------------------------------------------------- */

/* nat from 192.0.2.0/24 -> pool (entries set by the caller) with opts */
static void rule_nat_pool(__u8 opts, __u32 count)
{
	struct pf_nat_rule_bpf r = { .action = PF_NAT, .xlate = PF_NAT, .direction = PF_OUT,
				     .af = PF_INET, .src_plen = 24, .pool_count = count,
				     .pool_opts = opts, .proxy_port = { 50001, 65535 },
				     .hash_key = { 1, 2, 3, 4 } };

	r.src = addr_of(PF_INET, "192.0.2.0");
	put_rule(0, &r);
	nat_count(1);
}

/* The outside address a new UDP flow from src gets. */
static __u32 xlated_src(const char *src, __u16 sport)
{
	struct h_flow f = H_FLOW4(src, sport, SERVER4, 53);
	struct h_pkt p;
	__u32 a;

	cr_assert_eq(h_udp(&p, &f, 8, NULL), 0);
	cr_assert_eq(h_tc(PF_OUT, &p), TC_ACT_OK);
	memcpy(&a, p.buf + p.l3 + 12, 4);
	return ntohl(a);
}

Test(core_nat, pool_round_robin_walks_the_list)
{
	put_pool(0, PF_INET, "203.0.113.1", 32);
	put_pool(1, PF_INET, "203.0.113.2", 32);
	put_pool(2, PF_INET, "203.0.113.3", 32);
	rule_nat_pool(PF_POOL_ROUNDROBIN, 3);
	cr_assert_eq(xlated_src(INNER4, 1000), 0xcb007101);
	cr_assert_eq(xlated_src(INNER4, 1001), 0xcb007102);
	cr_assert_eq(xlated_src(INNER4, 1002), 0xcb007103);
	cr_assert_eq(xlated_src(INNER4, 1003), 0xcb007101);
}

Test(core_nat, pool_sticky_address_keeps_a_source)
{
	put_pool(0, PF_INET, "203.0.113.1", 32);
	put_pool(1, PF_INET, "203.0.113.2", 32);
	rule_nat_pool(PF_POOL_ROUNDROBIN | PF_POOL_STICKYADDR, 2);
	__u32 a = xlated_src(INNER4, 1000), b = xlated_src(INNER4B, 1000);

	cr_assert_neq(a, b, "two sources, round-robin: two addresses");
	for (int i = 1; i < 5; i++) {
		cr_assert_eq(xlated_src(INNER4, 1000 + i), a, "the source moved to another address");
		cr_assert_eq(xlated_src(INNER4B, 1000 + i), b);
	}
}

Test(core_nat, pool_source_hash_and_random_stay_in_the_prefix)
{
	put_pool(0, PF_INET, "203.0.113.0", 28);
	rule_nat_pool(PF_POOL_SRCHASH, 1);
	__u32 a = xlated_src(INNER4, 1000);

	cr_assert_eq(a & ~0xfu, 0xcb007100, "source-hash left the pool's /28");
	for (int i = 1; i < 5; i++)
		cr_assert_eq(xlated_src(INNER4, 1000 + i), a, "source-hash gave one source two addresses");
	rule_nat_pool(PF_POOL_RANDOM, 1);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(xlated_src(INNER4, 2000 + i) & ~0xfu, 0xcb007100, "random left the /28");
}

Test(core_nat, pool_bitmask_keeps_the_host_bits)
{
	put_pool(0, PF_INET, "203.0.113.0", 24);
	rule_nat_pool(PF_POOL_BITMASK, 1);
	cr_assert_eq(xlated_src(INNER4, 1000), 0xcb00710a, "192.0.2.10 should map to 203.0.113.10");
	cr_assert_eq(xlated_src(INNER4B, 1000), 0xcb00710b);
}

/* ---- fragments ------------------------------------------------------------ */

static int ip4_header_sum_ok(const struct h_pkt *p)
{
	const __u8 *ip = p->buf + p->l3;
	__u32 s = 0;

	for (int i = 0; i < 20; i += 2)
		s += ip[i] << 8 | ip[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* A fragmented datagram through nat: the later fragments, which carry no
 * ports, leave with the first fragment's translated addresses. */
Test(core_nat, later_fragments_are_translated_too)
{
	struct h_flow f = H_FLOW4(INNER4, 5300, SERVER4, 53);
	struct h_l2 first = { .frag_off = 0x2000, .ident = 903 };
	struct h_l2 later = { .frag_off = 0x00b9, .ident = 903 };
	struct h_pkt p;
	struct seen s;

	rule_nat(PF_INET, "192.0.2.0", 24, OUTER4, 50001, 65535);
	cr_assert_eq(h_udp(&p, &f, 1472 - 8, &first), 0);
	p.buf[p.l4 + 4] = 3008 >> 8;
	p.buf[p.l4 + 5] = 3008 & 0xff;
	h_fix_csum(&p);
	cr_assert_eq(h_tc(PF_OUT, &p), TC_ACT_OK);
	s = seen_of(&p);
	addr_is(PF_INET, &s.src, OUTER4);
	cr_assert(ip4_header_sum_ok(&p));
	cr_assert_eq(h_udp(&p, &f, 1000, &later), 0);
	cr_assert_eq(h_tc(PF_OUT, &p), TC_ACT_OK);
	s = seen_of(&p);
	addr_is(PF_INET, &s.src, OUTER4);
	addr_is(PF_INET, &s.dst, SERVER4);
	cr_assert(ip4_header_sum_ok(&p), "the later fragment's header checksum is wrong");
}
