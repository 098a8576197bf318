// SPDX-License-Identifier: BSD-2-Clause
/*
 * Bad input: every malformed class is dropped with its pf reason (or passed
 * uninspected when it is not IP), by both the XDP and the tc program, and
 * VLAN tags, extension headers and fragments are handled as documented in
 * docs/datapath.md.
 */
#include "core_util.h"

TestSuite(core_bad, .init = core_setup, .fini = h_teardown);

/*
 * Run p through XDP (in) and tc egress (out); both must give `want` and
 * count `reason` (if not PFRES_MAX).  The kernel's skb test runner refuses
 * (-EINVAL) to build an skb from some frames shorter than their L3 header;
 * such a frame cannot reach tc, so only XDP (the same parser) judges it.
 */
static void expect_both(struct h_pkt *p, int want, int reason)
{
	struct h_pkt q = *p;
	__u64 c0 = reason < PFRES_MAX ? core_counter(reason) : 0;
	int runs = 1, v;

	cr_expect_eq(h_run(PF_IN, p), want, "xdp verdict");
	v = h_run(PF_OUT, &q);
	if (v != -EINVAL) {
		cr_expect_eq(v, want, "tc verdict");
		runs++;
	}
	if (reason < PFRES_MAX)
		cr_expect_eq(core_counter(reason) - c0, runs, "reason %d not counted", reason);
}

static void udp4(struct h_pkt *p)
{
	struct h_flow f = core_flow(PF_INET, 1000, 2000);

	cr_assert_eq(h_udp(p, &f, 16, NULL), 0);
}

Test(core_bad, short_ethernet_ip)
{
	struct h_pkt p;

	udp4(&p);
	p.len = 14 + 10; /* half an IPv4 header */
	expect_both(&p, PF_DROP, PFRES_SHORT);
}

Test(core_bad, ip_length_beyond_frame)
{
	struct h_pkt p;

	udp4(&p);
	p.len -= 8; /* the IP header claims 8 more bytes than arrive */
	expect_both(&p, PF_DROP, PFRES_SHORT);
}

Test(core_bad, bad_ihl)
{
	struct h_pkt p;

	udp4(&p);
	p.buf[p.l3] = 0x43; /* IHL 3 */
	h_fix_csum(&p);
	expect_both(&p, PF_DROP, PFRES_BADOFF);
	udp4(&p);
	p.buf[p.l3] = 0x4f; /* IHL 15 = 60 bytes > the 44-byte datagram */
	expect_both(&p, PF_DROP, PFRES_BADOFF);
}

Test(core_bad, short_tcp_header)
{
	struct h_flow f = core_flow(PF_INET, 1000, 80);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN }), 0);
	/* cut the segment to 12 bytes, IP length included */
	p.len = p.l4 + 12;
	p.buf[p.l3 + 2] = 0;
	p.buf[p.l3 + 3] = 20 + 12;
	h_fix_csum(&p);
	expect_both(&p, PF_DROP, PFRES_SHORT);
}

Test(core_bad, bad_tcp_data_offset)
{
	struct h_flow f = core_flow(PF_INET, 1000, 80);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN }), 0);
	p.buf[p.l4 + 12] = 3 << 4;
	expect_both(&p, PF_DROP, PFRES_BADOFF);
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN }), 0);
	p.buf[p.l4 + 12] = 15 << 4; /* 60 bytes of header in a 20-byte segment */
	expect_both(&p, PF_DROP, PFRES_BADOFF);
}

Test(core_bad, udp_bad_length_and_port_zero)
{
	struct h_flow f = core_flow(PF_INET, 1000, 0);
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, 4, NULL), 0);
	expect_both(&p, PF_DROP, PFRES_SHORT);
	udp4(&p);
	p.buf[p.l4 + 4] = 0xff; /* UDP length beyond the datagram */
	expect_both(&p, PF_DROP, PFRES_SHORT);
}

Test(core_bad, short_icmp)
{
	struct h_flow f = core_flow(PF_INET, 7, 7);
	static const __u8 four[4] = { 8, 0, 0, 0 };
	struct h_pkt p;

	cr_assert_eq(h_ip(&p, &f, IPPROTO_ICMP, four, 4, NULL), 0);
	expect_both(&p, PF_DROP, PFRES_SHORT);
}

Test(core_bad, short_ipv6)
{
	struct h_flow f = core_flow(PF_INET6, 1000, 2000);
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, 16, NULL), 0);
	p.len = p.l3 + 30;
	expect_both(&p, PF_DROP, PFRES_SHORT);
}

/* A chain of extension headers is walked; one longer than pfbpf walks is
 * refused rather than half-inspected. */
Test(core_bad, ipv6_extension_headers)
{
	struct h_flow f = core_flow(PF_INET6, 1000, 53);
	struct pf_state s;
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, 16, &(struct h_l2){ .ext6 = 3 }), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_expect_eq(core_state(&f, IPPROTO_UDP, &s), 0, "transport found after 3 headers");
	cr_assert_eq(h_udp(&p, &f, 16, &(struct h_l2){ .ext6 = 9 }), 0);
	expect_both(&p, PF_DROP, PFRES_BADOFF);
	/* a header cut in the middle */
	cr_assert_eq(h_udp(&p, &f, 16, &(struct h_l2){ .ext6 = 2 }), 0);
	p.len = p.l3 + 40 + 12;
	p.buf[p.l3 + 4] = 0;
	p.buf[p.l3 + 5] = 12;
	expect_both(&p, PF_DROP, PFRES_SHORT);
}

Test(core_bad, vlan_and_qinq)
{
	struct h_flow f = core_flow(PF_INET, 1200, 53), r = h_flow_rev(&f);
	struct pf_state s;
	struct h_pkt p;

	cr_assert_eq(h_udp(&p, &f, 16, &(struct h_l2){ .vlans = 1 }), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS);
	cr_expect_eq(core_state(&f, IPPROTO_UDP, &s), 0, "802.1Q frame not parsed");
	cr_assert_eq(h_udp(&p, &r, 16, &(struct h_l2){ .vlans = 2 }), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS, "QinQ reply did not find the state");
	/* a tag cut short */
	cr_assert_eq(h_udp(&p, &f, 16, &(struct h_l2){ .vlans = 1 }), 0);
	p.len = 16;
	expect_both(&p, PF_DROP, PFRES_SHORT);
}

Test(core_bad, non_ip_passes_uncounted_by_pf)
{
	struct pf_status_pcpu st;
	struct h_pkt p = { .len = 60 };

	memcpy(p.buf, "\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x08\x06", 14); /* ARP */
	expect_both(&p, PF_PASS, PFRES_MAX);
	cr_assert_eq(h_status(&st), 0);
	cr_expect_eq(st.unhandled, 2);
}

/* Fragments, policy PF_FRAG_STATEFUL (the default): the first fragment is
 * filtered as a packet, later ones pass only after their first passed. */
static void fragments(int af)
{
	struct h_flow f = core_flow(af, 1300, 53), u = core_flow(af, 1301, 53);
	struct h_flow r = h_flow_rev(&u);
	struct h_l2 first = { .frag_off = 0x2000, .frag6 = true, .frag6_mf = true,
			      .ident = 77 };
	struct h_l2 later = { .frag_off = 0x0010, .frag6 = true, .frag6_off = 16, .ident = 77 };
	struct h_l2 stray = later;
	struct pf_state s;
	struct h_pkt p;
	__u64 f0 = core_counter(PFRES_FRAG);

	if (af == PF_INET) {
		first.frag6 = later.frag6 = false;
		stray.frag6 = false;
	}
	stray.ident = 78;
	cr_assert_eq(h_udp(&p, &f, 100, &first), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS, "first fragment");
	cr_expect_eq(core_state(&f, IPPROTO_UDP, &s), 0, "first fragment made the state");
	cr_assert_eq(h_udp(&p, &f, 100, &later), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS, "later fragment of a passed datagram");
	cr_assert_eq(h_udp(&p, &f, 100, &stray), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_DROP, "later fragment of an unknown datagram");
	/* an unsolicited first fragment inbound hits `block all` */
	cr_assert_eq(h_udp(&p, &r, 100, &first), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
	cr_assert_eq(h_udp(&p, &r, 100, &later), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
	cr_expect_eq(core_counter(PFRES_FRAG) - f0, 2);
}

Test(core_bad, fragments_v4) { fragments(PF_INET); }
Test(core_bad, fragments_v6) { fragments(PF_INET6); }

static void frag_drop(struct pf_config *c) { c->frag_policy = PF_FRAG_DROP; }

Test(core_bad, fragment_policy_drop)
{
	struct h_flow f = core_flow(PF_INET, 1400, 53);
	struct pf_config c;
	struct h_pkt p;

	cr_assert_eq(h_config_get(&c), 0);
	frag_drop(&c);
	cr_assert_eq(h_config_set(&c), 0);
	cr_assert_eq(h_udp(&p, &f, 100, &(struct h_l2){ .frag_off = 0x2000 }), 0);
	expect_both(&p, PF_DROP, PFRES_FRAG);
	cr_expect_eq(h_state_count(), 0);
}

/* Random garbage of every length never crashes and is always judged. */
Test(core_bad, random_frames)
{
	struct h_pkt p;
	unsigned seed = 12345, i, j;

	for (i = 0; i < 3000; i++) {
		p.len = 14 + (rand_r(&seed) % 200);
		for (j = 0; j < p.len; j++)
			p.buf[j] = rand_r(&seed);
		/* steer most frames into the IP parsers */
		p.buf[12] = (i % 3 == 0) ? 0x08 : (i % 3 == 1) ? 0x86 : 0x81;
		p.buf[13] = (i % 3 == 0) ? 0x00 : (i % 3 == 1) ? 0xdd : 0x00;
		if (i % 3 == 0)
			p.buf[14] = 0x45 + (i % 4);
		if (i % 3 == 1)
			p.buf[14] = 0x60;
		int v = h_run(i & 1 ? PF_IN : PF_OUT, &p);
		cr_assert(v == PF_PASS || v == PF_DROP || (!(i & 1) && v == -EINVAL),
			  "frame %u: verdict %d", i, v);
	}
}
