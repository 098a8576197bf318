// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fragments, IPv6 extension headers, IPv4 options and TCP options, each
 * against the pf behaviour it follows (FreeBSD sys/netpfil/pf/pf.c,
 * OpenBSD sys/net/pf.c):
 *  - a first fragment passed by a state lets its datagram's later
 *    fragments through, as one passed by a rule does (issue 7 item 1);
 *  - pf_walk_header6: routing header type 0 and a second routing header
 *    are ip-option drops, a second fragment header a fragment drop, and
 *    the walk stops at a later fragment's fragment header (item 6);
 *  - pf_test_state_icmp: an ICMP error quoting a later fragment is a
 *    fragment drop (item 7);
 *  - pf_get_wscale / pf_get_mss: options read only inside the option area,
 *    EOL stepped over as pf does (item 10);
 *  - pf_test: IPv4 options pass only by an allow-opts rule or a state it
 *    made; else ip-option (item 11).
 */
#include <linux/pkt_cls.h>
#include "core_util.h"

TestSuite(core_frag, .init = core_setup, .fini = h_teardown);

/* ---- item 1: fragments of a reply that matched a state ------------------ */

/*
 * block all / pass out keep state: a UDP request goes out, its reply comes
 * back in two fragments.  The first finds the state; the later one must
 * pass because of it (pf lets the whole reassembled reply through the
 * state; pfbpf, which cannot reassemble, records the passed first
 * fragment).
 */
static void udp_reply_fragments(int af)
{
	struct h_flow f = core_flow(af, 5300, 53), r = h_flow_rev(&f);
	struct h_l2 first = { .frag_off = 0x2000, .frag6 = true, .frag6_mf = true, .ident = 901 };
	struct h_l2 later = { .frag_off = 0x00b9, .frag6 = true, .frag6_off = 0xb9, .ident = 901 };
	struct h_pkt p;
	__u64 f0;

	if (af == PF_INET)
		first.frag6 = later.frag6 = false;
	cr_assert_eq(h_udp(&p, &f, 30, NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS, "the request makes the state");
	f0 = core_counter(PFRES_FRAG);
	/* the first fragment's UDP length is the whole datagram's (3008) */
	cr_assert_eq(h_udp(&p, &r, 1472 - 8, &first), 0);
	p.buf[p.l4 + 4] = 3008 >> 8;
	p.buf[p.l4 + 5] = 3008 & 0xff;
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS, "the first fragment matches the state");
	cr_assert_eq(h_udp(&p, &r, 1000, &later), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS,
		     "a later fragment of a reply whose first fragment passed by the state");
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS, "and again (the record stays PFTM_FRAG)");
	cr_expect_eq(core_counter(PFRES_FRAG) - f0, 0);
}

Test(core_frag, state_first_fragment_passes_later_v4) { udp_reply_fragments(PF_INET); }
Test(core_frag, state_first_fragment_passes_later_v6) { udp_reply_fragments(PF_INET6); }

/* The same for `ping -s 3000`: the echo reply is fragmented. */
static void echo_reply_fragments(int af)
{
	__u8 req = af == PF_INET ? 8 : 128, rep = af == PF_INET ? 0 : 129;
	__u8 proto = af == PF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct h_flow f = core_flow(af, 0x5151, 0x5151), r = h_flow_rev(&f);
	struct h_l2 first = { .frag_off = 0x2000, .frag6 = true, .frag6_mf = true, .ident = 902 };
	struct h_l2 later = { .frag_off = 0x00b9, .frag6 = true, .frag6_off = 0xb9, .ident = 902 };
	__u8 body[1000];
	struct h_pkt p;

	if (af == PF_INET)
		first.frag6 = later.frag6 = false;
	memset(body, 'p', sizeof(body));
	cr_assert_eq(h_icmp(&p, &f, req, 0, 1, NULL, 0), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	body[0] = rep;
	body[1] = 0;
	body[4] = 0x51;
	body[5] = 0x51;
	body[6] = 0;
	body[7] = 1;
	cr_assert_eq(h_ip(&p, &r, proto, body, sizeof(body), &first), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS, "the reply's first fragment finds the state");
	cr_assert_eq(h_ip(&p, &r, proto, body + 8, 500, &later), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS, "the reply's later fragment passes with it");
}

Test(core_frag, echo_reply_fragments_v4) { echo_reply_fragments(PF_INET); }
Test(core_frag, echo_reply_fragments_v6) { echo_reply_fragments(PF_INET6); }

/* A later fragment nobody let through still drops (the state is no pass). */
Test(core_frag, unrecorded_later_fragment_still_drops)
{
	struct h_flow f = core_flow(PF_INET, 5301, 53), r = h_flow_rev(&f);
	struct h_pkt p;
	__u64 f0;

	cr_assert_eq(h_udp(&p, &f, 30, NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	f0 = core_counter(PFRES_FRAG);
	cr_assert_eq(h_udp(&p, &r, 100, &(struct h_l2){ .frag_off = 0x00b9, .ident = 903 }), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
	cr_expect_eq(core_counter(PFRES_FRAG) - f0, 1);
}

/* ---- item 6: IPv6 extension headers as pf_walk_header6 ---------------- */

/* A UDP header for flow f (ports, length) at u; checksum left 0. */
static void put_udp(__u8 *u, const struct h_flow *f, __u16 len)
{
	u[0] = f->sport >> 8;
	u[1] = f->sport & 0xff;
	u[2] = f->dport >> 8;
	u[3] = f->dport & 0xff;
	u[4] = len >> 8;
	u[5] = len & 0xff;
}

/* An 8-byte extension header whose next header is UDP, then a UDP header
 * of flow f and 8 bytes of data: 24 bytes in b (the caller fills the rest
 * of the extension header). */
static void ext8_udp(__u8 *b, const struct h_flow *f)
{
	memset(b, 0, 24);
	b[0] = IPPROTO_UDP;
	put_udp(b + 8, f, 16);
}

/* Routing header(s) then UDP: 24 bytes each (one address). */
static void rthdr_udp(struct h_pkt *p, const struct h_flow *f, const __u8 *types, int n)
{
	__u8 b[2 * 24 + 8 + 16];
	int i, o = 0;

	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++, o += 24) {
		b[o] = i + 1 < n ? 43 : IPPROTO_UDP;
		b[o + 1] = 2;       /* (2 + 1) * 8 bytes */
		b[o + 2] = types[i];
		b[o + 3] = 1;       /* segments left */
		b[o + 8] = 0x20;    /* the address 2001:db8::... */
		b[o + 9] = 0x01;
		b[o + 10] = 0x0d;
		b[o + 11] = 0xb8;
	}
	put_udp(b + o, f, 8 + 16);
	cr_assert_eq(h_ip(p, f, 43, b, o + 8 + 16, NULL), 0);
}

Test(core_frag, ipv6_rthdr0_dropped_as_ip_option)
{
	static const __u8 rh0[] = { 0 }, rh2[] = { 2 };
	struct h_flow f = core_flow(PF_INET6, 5400, 53), g = core_flow(PF_INET6, 5401, 53);
	struct pf_state s;
	struct h_pkt p;
	__u64 o0 = core_counter(PFRES_IPOPTIONS);

	rthdr_udp(&p, &f, rh0, 1);
	cr_expect_eq(h_run(PF_OUT, &p), PF_DROP, "pf drops routing header type 0");
	cr_expect_eq(core_state(&f, IPPROTO_UDP, &s), -ENOENT, "an RH0 packet made a state");
	rthdr_udp(&p, &f, rh0, 1);
	cr_expect_eq(h_tc(PF_IN, &p), TC_ACT_SHOT, "tc ingress too");
	cr_expect_eq(core_counter(PFRES_IPOPTIONS) - o0, 2);
	/* a type 2 header (mobile IPv6) is walked over */
	rthdr_udp(&p, &g, rh2, 1);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_expect_eq(core_state(&g, IPPROTO_UDP, &s), 0, "UDP found after a type 2 header");
}

Test(core_frag, ipv6_rh0_syn_makes_no_state)
{
	struct h_flow f = core_flow(PF_INET6, 5402, 80);
	struct pf_state s;
	struct h_pkt p, q;
	__u8 *th;

	/* a SYN behind a routing header type 0 */
	cr_assert_eq(h_tcp(&q, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 7 }), 0);
	memset(&p, 0, sizeof(p));
	{
		__u8 b[24 + 20];

		memset(b, 0, sizeof(b));
		b[0] = IPPROTO_TCP;
		b[1] = 2;
		b[3] = 1;
		memcpy(b + 24, q.buf + q.l4, 20);
		cr_assert_eq(h_ip(&p, &f, 43, b, sizeof(b), NULL), 0);
	}
	th = p.buf + p.l4 + 24;
	cr_assert_eq(th[13], TH_SYN);
	cr_expect_eq(h_run(PF_OUT, &p), PF_DROP);
	cr_expect_eq(core_state(&f, IPPROTO_TCP, &s), -ENOENT);
}

Test(core_frag, ipv6_second_rthdr_dropped_as_ip_option)
{
	static const __u8 two[] = { 2, 2 };
	struct h_flow f = core_flow(PF_INET6, 5403, 53);
	struct h_pkt p;
	__u64 o0 = core_counter(PFRES_IPOPTIONS);

	rthdr_udp(&p, &f, two, 2);
	cr_expect_eq(h_run(PF_OUT, &p), PF_DROP, "pf drops a second routing header");
	cr_expect_eq(core_counter(PFRES_IPOPTIONS) - o0, 1);
}

Test(core_frag, ipv6_second_fragment_header_dropped_as_fragment)
{
	struct h_flow f = core_flow(PF_INET6, 5404, 53);
	__u8 b[8 + 8 + 8];
	struct h_pkt p;
	__u64 f0 = core_counter(PFRES_FRAG);

	/* an atomic fragment header (whole datagram) followed by another one */
	ext8_udp(b, &f);
	b[4] = 0x11;
	cr_assert_eq(h_ip(&p, &f, 44, b, sizeof(b), &(struct h_l2){ .frag6 = true }), 0);
	cr_assert_eq(p.buf[p.l3 + 6], 44);
	cr_expect_eq(h_run(PF_OUT, &p), PF_DROP, "pf drops a second fragment header");
	cr_expect_eq(core_counter(PFRES_FRAG) - f0, 1, "as fragment (pf_walk_header6)");
}

/*
 * A later fragment's payload is the middle of the datagram: pf stops the
 * walk at its fragment header.  Here the first fragment carries a
 * destination-options header before UDP, and the later fragment's data
 * happens to look like a huge extension header.
 */
Test(core_frag, ipv6_later_fragment_payload_not_walked)
{
	struct h_flow f = core_flow(PF_INET6, 5405, 53);
	struct h_l2 first = { .frag6 = true, .frag6_mf = true, .ident = 904 };
	struct h_l2 later = { .frag6 = true, .frag6_off = 3, .ident = 904 };
	__u8 b[8 + 8 + 8];
	struct pf_state s;
	struct h_pkt p;

	ext8_udp(b, &f); /* destination options, 8 bytes, PadN */
	b[2] = 1;
	b[3] = 4;
	cr_assert_eq(h_ip(&p, &f, 60, b, sizeof(b), &first), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS, "first fragment");
	cr_expect_eq(core_state(&f, IPPROTO_UDP, &s), 0, "UDP found behind dest-opts");
	memset(b, 0, sizeof(b));
	b[0] = 43;  /* "routing header" ... */
	b[1] = 200; /* ... of 1608 bytes: not a header at all */
	cr_assert_eq(h_ip(&p, &f, 60, b, sizeof(b), &later), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS, "the later fragment is not parsed as headers");
}

/* ---- item 7: ICMP errors quoting a later fragment ---------------------- */

/* block all / pass out keep state / pass in proto icmp(6) no state: the
 * ruleset alone would let the error in. */
static void rules_pass_icmp_in(void)
{
	struct pfbpf_rule r[4];

	r[0] = h_rule(PF_DROP, PF_INOUT, 0, PF_STATE_NONE);
	r[1] = h_rule(PF_PASS, PF_OUT, 0, PF_STATE_NORMAL);
	r[2] = h_rule(PF_PASS, PF_IN, IPPROTO_ICMP, PF_STATE_NONE);
	r[3] = h_rule(PF_PASS, PF_IN, IPPROTO_ICMPV6, PF_STATE_NONE);
	for (int i = 0; i < 4; i++)
		r[i].nr = i;
	cr_assert_eq(h_rules(r, 4), 0);
}

static void icmp_quotes_later_fragment(int af)
{
	struct h_flow f = core_flow(af, 5500, 53), rtr = core_flow(af, 0, 0);
	struct h_l2 later = { .frag_off = 0x00b9, .frag6 = true, .frag6_off = 0xb9, .ident = 905 };
	__u8 junk[16];
	struct h_pkt q, p;
	__u64 f0;

	if (af == PF_INET)
		later.frag6 = false;
	rules_pass_icmp_in();
	cr_assert_eq(h_udp(&p, &f, 30, NULL), 0);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
	/* the quoted packet: a later fragment of that flow, client -> server */
	memset(junk, 'j', sizeof(junk));
	cr_assert_eq(h_ip(&q, &f, IPPROTO_UDP, junk, sizeof(junk), &later), 0);
	rtr.src = af == PF_INET ? ROUTER4 : ROUTER6;
	rtr.dst = af == PF_INET ? CLIENT4 : CLIENT6;
	cr_assert_eq(h_icmp(&p, &rtr, af == PF_INET ? 3 : 1, af == PF_INET ? 3 : 4, 0, &q, 0), 0);
	f0 = core_counter(PFRES_FRAG);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP,
		     "pf: ICMP errors do not refer to later fragments (PFRES_FRAG)");
	cr_expect_eq(core_counter(PFRES_FRAG) - f0, 1);
}

Test(core_frag, icmp_error_quoting_later_fragment_v4) { icmp_quotes_later_fragment(PF_INET); }
Test(core_frag, icmp_error_quoting_later_fragment_v6) { icmp_quotes_later_fragment(PF_INET6); }

/* ---- item 10: TCP options as pf_get_wscale / pf_get_mss ----------------- */

/* A SYN with these options, sent in dir (PF_OUT: tc egress, PF_IN: XDP);
 * the state it made. */
static void syn_with_opts(__u16 sport, const __u8 *opts, __u32 n, __u32 plen, int dir,
			  struct pf_state *s)
{
	struct h_flow f = core_flow(PF_INET, sport, 80);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1, .opts = opts,
						   .optlen = n, .plen = plen }), 0);
	cr_assert_eq(h_run(dir, &p), PF_PASS);
	cr_assert_eq(h_state_get(&f, IPPROTO_TCP, dir, s), 0);
}

Test(core_frag, tcp_eol_stepped_over_like_pf)
{
	/* pf_find_tcpopt steps over EOL as over NOP ("some systems pad with
	 * zeros"): the window scale after it counts */
	static const __u8 eol_ws[] = { 0, 3, 3, 7 };
	struct pf_state s;

	syn_with_opts(5600, eol_ws, sizeof(eol_ws), 0, PF_OUT, &s);
	cr_expect_eq(s.wscale[0], PF_WSCALE_FLAG | 7);
}

Test(core_frag, tcp_wscale_not_read_past_option_area)
{
	/* the scale option's last byte would be the first payload byte: the
	 * option does not fit in the header, pf does not read it */
	static const __u8 cut[] = { 1, 1, 3, 3 };
	static const __u8 cut_mss[] = { 1, 2, 4, 5 };
	struct pf_state s;

	syn_with_opts(5601, cut, sizeof(cut), 16, PF_OUT, &s);
	cr_expect_eq(s.wscale[0], 0, "a cut window-scale option was read");
	/* an MSS that would run 1 byte into the payload is not read either */
	syn_with_opts(5602, cut_mss, sizeof(cut_mss), 16, PF_OUT, &s);
	cr_expect_eq(s.mss[0], 0, "a cut MSS option was read");
}

Test(core_frag, tcp_options_bounded_in_tc_and_xdp)
{
	/* both hooks read the same options (tc bounds the copy by data_end) */
	static const __u8 o[] = { 2, 4, 0x05, 0x78, 1, 3, 3, 9 };
	static const __u8 cut[] = { 1, 1, 3, 3 };
	struct pfbpf_rule r = h_rule(PF_PASS, PF_INOUT, IPPROTO_TCP, PF_STATE_NORMAL);
	struct pf_state s;

	cr_assert_eq(h_rules(&r, 1), 0);
	for (int dir = PF_IN; dir <= PF_OUT; dir++) {
		syn_with_opts(5603 + dir * 2, o, sizeof(o), 0, dir, &s);
		cr_expect_eq(s.mss[0], 1400, "dir %d", dir);
		cr_expect_eq(s.wscale[0], PF_WSCALE_FLAG | 9, "dir %d", dir);
		syn_with_opts(5604 + dir * 2, cut, sizeof(cut), 8, dir, &s);
		cr_expect_eq(s.wscale[0], 0, "dir %d: read past the option area", dir);
	}
}

/* ---- item 11: allow-opts ------------------------------------------------ */

/* Insert IPv4 options (n, a multiple of 4) after the IP header. */
static void add_ip_opts(struct h_pkt *p, const __u8 *opt, __u32 n)
{
	__u8 *ip = p->buf + p->l3;
	__u32 tot = ((__u32)ip[2] << 8 | ip[3]) + n;

	memmove(p->buf + p->l4 + n, p->buf + p->l4, p->len - p->l4);
	memcpy(p->buf + p->l4, opt, n);
	ip[0] = 0x40 | ((20 + n) / 4);
	ip[2] = tot >> 8;
	ip[3] = tot & 0xff;
	p->l4 += n;
	p->len += n;
	h_fix_csum(p);
}

static const __u8 ra_opt[4] = { 0x94, 4, 0, 0 }; /* router alert */
static const __u8 nop_opt[4] = { 1, 1, 1, 0 };   /* NOP NOP NOP EOL */

static int udp_opts(const struct h_flow *f, int dir, const __u8 *opt)
{
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, f, 20, NULL), 0);
	if (opt)
		add_ip_opts(&p, opt, 4);
	return h_run(dir, &p);
}

Test(core_frag, ip_options_dropped_without_allow_opts)
{
	struct h_flow f = core_flow(PF_INET, 5700, 53), r = h_flow_rev(&f);
	__u64 o0 = core_counter(PFRES_IPOPTIONS);

	/* FreeBSD tests/sys/netpfil/pf/pflog.sh malformed: a ping with a NOP
	 * option is blocked as ip-option under `pass keep state` */
	cr_expect_eq(udp_opts(&f, PF_OUT, nop_opt), PF_DROP, "rule without allow-opts");
	cr_expect_eq(core_counter(PFRES_IPOPTIONS) - o0, 1);
	cr_expect_eq(udp_opts(&f, PF_OUT, NULL), PF_PASS);
	cr_expect_eq(udp_opts(&r, PF_IN, ra_opt), PF_DROP, "state of a rule without allow-opts");
	cr_expect_eq(udp_opts(&r, PF_IN, NULL), PF_PASS);
	cr_expect_eq(core_counter(PFRES_IPOPTIONS) - o0, 2);
}

Test(core_frag, ip_options_pass_by_allow_opts_rule_and_its_states)
{
	struct h_flow f = core_flow(PF_INET, 5701, 53), r = h_flow_rev(&f);
	struct h_flow g = core_flow(PF_INET, 5702, 54), gr = h_flow_rev(&g);
	struct pfbpf_rule rl[3];
	__u64 o0 = core_counter(PFRES_IPOPTIONS);

	/* block all / pass out proto udp / pass out proto udp to port 53 allow-opts */
	rl[0] = h_rule(PF_DROP, PF_INOUT, 0, PF_STATE_NONE);
	rl[1] = h_rule(PF_PASS, PF_OUT, IPPROTO_UDP, PF_STATE_NORMAL);
	rl[2] = h_rule(PF_PASS, PF_OUT, IPPROTO_UDP, PF_STATE_NORMAL);
	rl[2].dport.op = PF_OP_EQ;
	rl[2].dport.port[0] = 53;
	rl[2].allow_opts = 1;
	for (int i = 0; i < 3; i++)
		rl[i].nr = i;
	cr_assert_eq(h_rules(rl, 3), 0);
	cr_expect_eq(udp_opts(&f, PF_OUT, ra_opt), PF_PASS, "the allow-opts rule passes options");
	cr_expect_eq(udp_opts(&r, PF_IN, nop_opt), PF_PASS, "and so does the state it made");
	/* port 54 matches only the rule without allow-opts */
	cr_expect_eq(udp_opts(&g, PF_OUT, ra_opt), PF_DROP);
	cr_expect_eq(udp_opts(&g, PF_OUT, NULL), PF_PASS);
	cr_expect_eq(udp_opts(&gr, PF_IN, ra_opt), PF_DROP);
	cr_expect_eq(core_counter(PFRES_IPOPTIONS) - o0, 2);
}

Test(core_frag, ip_options_dropped_by_default_rule)
{
	/* no rule matches: pf's default rule passes, without allow-opts */
	struct h_flow f = core_flow(PF_INET, 5703, 53);

	cr_assert_eq(h_rules(NULL, 0), 0);
	cr_expect_eq(udp_opts(&f, PF_IN, NULL), PF_PASS);
	cr_expect_eq(udp_opts(&f, PF_IN, ra_opt), PF_DROP);
}
