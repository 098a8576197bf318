// SPDX-License-Identifier: BSD-2-Clause
/*
 * `set syncookies` in the datapath (bpf/pf_syncookie.h): a SYN under
 * `always` becomes a SYN|ACK carrying a cookie and makes no state; the
 * cookie is checked here against pf's format with the secret the test
 * wrote; an ACK returning it is counted valid, a forged one dropped and
 * counted bad; the adaptive mode switches on above start% of the state
 * limit and off below end%, with an event each time.  IPv4 and IPv6.
 */
#include <time.h>
#include <bpf/bpf.h>
#include "core_util.h"
#include "pfbpf_syncookie.h"

#define XDP_TX_RESULT (100 + 3)
#define TC_ACT_REDIRECT_RESULT 7

static const __u8 secret[16] = "pfbpf-syncookie";

static void set_mode(__u32 mode, __u32 limit)
{
	struct pf_config c;

	cr_assert_eq(h_config_get(&c), 0);
	c.syncookies = mode;
	if (limit)
		c.limit[PF_LIMIT_STATES] = limit;
	cr_assert_eq(h_config_set(&c), 0);
}

static struct pf_syncookie_st sc_get(void)
{
	struct pf_syncookie_st st = {};
	__u32 z = 0;

	cr_assert_eq(bpf_map_lookup_elem(h_map_fd(PFBPF_MAP_SYNCOOKIE), &z, &st), 0);
	return st;
}

/* pf.conf: pass in proto tcp keep state (flags S/SA), the secret set. */
static void sc_setup(void)
{
	struct pfbpf_rule r = h_rule(PF_PASS, PF_IN, IPPROTO_TCP, PF_STATE_NORMAL);
	struct pf_syncookie_st st = {};
	__u32 z = 0;

	h_setup();
	cr_assert_eq(h_rules(&r, 1), 0);
	memcpy(st.secret, secret, sizeof(st.secret));
	cr_assert_eq(bpf_map_update_elem(h_map_fd(PFBPF_MAP_SYNCOOKIE), &z, &st, BPF_ANY), 0);
	set_mode(PF_SYNCOOKIES_ALWAYS, 0);
}

TestSuite(core_syncookie, .init = sc_setup, .fini = h_teardown);

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static __u64 lcnt(int i)
{
	struct pf_status_pcpu s;

	cr_assert_eq(h_status(&s), 0);
	return s.lcounters[i];
}

static __u64 pfres(int i)
{
	struct pf_status_pcpu s;

	cr_assert_eq(h_status(&s), 0);
	return s.counters[i];
}

/* The client's flow as pf's MAC covers it. */
static void msg_of(const struct h_flow *f, __u32 seq, struct pf_syncookie_msg *m)
{
	memset(m, 0, sizeof(*m));
	cr_assert_eq(inet_pton(f->af == PF_INET ? AF_INET : AF_INET6, f->src, &m->src), 1);
	cr_assert_eq(inet_pton(f->af == PF_INET ? AF_INET : AF_INET6, f->dst, &m->dst), 1);
	m->sport = htons(f->sport);
	m->dport = htons(f->dport);
	m->seq = seq;
	m->af = (__u8)f->af;
}

/* Does iss carry a good MAC for f under the key of this period or the last? */
static int cookie_ok(const struct h_flow *f, __u32 client_isn, __u32 iss)
{
	struct timespec ts;
	struct pf_syncookie_msg m;
	__u8 key[16];
	__u32 period;

	clock_gettime(CLOCK_TAI, &ts);
	period = (__u32)(ts.tv_sec / PF_SYNCOOKIE_PERIOD);
	for (int back = 0; back < 2; back++) {
		if (((period - back) & 1) != (pf_syncookie_flags_of(iss) & 1))
			continue;
		pf_syncookie_key(secret, period - back, key);
		msg_of(f, client_isn, &m);
		if (pf_syncookie_ok(key, &m, iss))
			return 1;
	}
	return 0;
}

/* The checksums in the frame are the ones the harness computes itself. */
static void expect_csums_ok(struct h_pkt *p, int af)
{
	struct h_pkt q = *p;

	q.l3 = 14;
	q.l4 = af == PF_INET ? 34 : 54;
	q.proto = IPPROTO_TCP;
	h_fix_csum(&q);
	cr_expect_eq(memcmp(p->buf, q.buf, p->len), 0, "bad checksum in the SYN|ACK");
}

/*
 * Send the client's SYN (mss, wscale) inbound; expect the SYN|ACK: from
 * the server to the client, MACs swapped, ack = isn + 1, window 0, the
 * MSS option alone with want_mss, checksums right.  Returns our ISN.
 */
static __u32 syn_to_synack(const struct h_flow *f, __u32 isn, __u16 mss, int ws, __u16 want_mss,
			   int tc)
{
	int af = f->af, ipl = af == PF_INET ? 20 : 40;
	struct h_pkt p;
	__u8 *ip, *th, a[16], b[16];
	int alen = af == PF_INET ? 4 : 16, so = af == PF_INET ? 12 : 8;

	cr_assert_eq(h_tcp(&p, f, &(struct h_tcp){ .flags = TH_SYN, .seq = isn, .mss = mss,
						   .wscale = ws, .has_wscale = ws >= 0 }), 0);
	if (tc)
		cr_assert_eq(h_tc(PF_IN, &p), TC_ACT_REDIRECT_RESULT);
	else
		cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT);
	cr_assert_eq(p.len, (__u32)(14 + ipl + 24));
	cr_expect_eq(memcmp(p.buf, "\x02\x00\x00\x00\x00\x01", 6), 0, "MACs not swapped");
	ip = p.buf + 14;
	th = ip + ipl;
	cr_assert_eq(inet_pton(af == PF_INET ? AF_INET : AF_INET6, f->dst, a), 1);
	cr_assert_eq(inet_pton(af == PF_INET ? AF_INET : AF_INET6, f->src, b), 1);
	cr_expect_eq(memcmp(ip + so, a, alen), 0, "source is not the server");
	cr_expect_eq(memcmp(ip + so + alen, b, alen), 0, "destination is not the client");
	if (af == PF_INET) {
		cr_expect_eq(ip[0], 0x45);
		cr_expect_eq((ip[2] << 8) | ip[3], 20 + 24);
		cr_expect_eq(ip[9], IPPROTO_TCP);
	} else {
		cr_expect_eq(ip[0] >> 4, 6);
		cr_expect_eq((ip[4] << 8) | ip[5], 24);
		cr_expect_eq(ip[6], IPPROTO_TCP);
	}
	cr_expect_eq((th[0] << 8) | th[1], f->dport);
	cr_expect_eq((th[2] << 8) | th[3], f->sport);
	cr_expect_eq(get32(th + 8), isn + 1, "ack = the client's ISN + 1");
	cr_expect_eq(th[12] >> 4, 6, "TCP header of 24 bytes");
	cr_expect_eq(th[13], TH_SYN | TH_ACK);
	cr_expect_eq((th[14] << 8) | th[15], 0, "pf's window 0");
	cr_expect_eq(th[20], 2);
	cr_expect_eq(th[21], 4);
	cr_expect_eq((th[22] << 8) | th[23], want_mss, "MSS option");
	expect_csums_ok(&p, af);
	cr_expect(cookie_ok(f, isn, get32(th + 4)), "the ISN is not our cookie");
	cr_expect_eq(pf_syncookie_mss(pf_syncookie_flags_of(get32(th + 4))), want_mss);
	return get32(th + 4);
}

static int ack(const struct h_flow *f, __u32 seq, __u32 ackno)
{
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, f, &(struct h_tcp){ .flags = TH_ACK, .seq = seq, .ack = ackno }), 0);
	return h_run(PF_IN, &p);
}

static void always(int af)
{
	struct h_flow f = core_flow(af, 41000, 80);
	__u32 iss;

	iss = syn_to_synack(&f, 1000, 1460, 7, 1460, 0);
	cr_expect_eq(h_state_count(), 0, "a cookie SYN made a state");
	cr_expect_eq(lcnt(LCNT_SYNCOOKIES_SENT), 1);
	cr_expect_eq(sc_get().inflight[0] + sc_get().inflight[1], 1);

	/* a forged ACK: dropped, counted bad, no state */
	cr_expect_eq(ack(&f, 1001, iss + 2), PF_DROP);
	cr_expect_eq(sc_get().bad, 1);
	cr_expect_eq(pfres(PFRES_BADSTATE), 1);
	cr_expect_eq(lcnt(LCNT_SYNCOOKIES_VALID), 0);
	/* the same with another client ISN */
	cr_expect_eq(ack(&f, 5001, iss + 1), PF_DROP);
	cr_expect_eq(sc_get().bad, 2);

	/* the real ACK validates: its recreated SYN makes the state and
	 * goes on to the server (test_core_synproxy.c follows it further) */
	cr_expect_eq(ack(&f, 1001, iss + 1), PF_PASS);
	cr_expect_eq(lcnt(LCNT_SYNCOOKIES_VALID), 1);
	cr_expect_eq(sc_get().bad, 2);
	cr_expect_eq(sc_get().inflight[0] + sc_get().inflight[1], 0);
	cr_expect_eq(h_state_count(), 1);
}

Test(core_syncookie, always_v4) { always(PF_INET); }
Test(core_syncookie, always_v6) { always(PF_INET6); }

/* The MSS the cookie can say: pf's table, rounded down; none = 536. */
Test(core_syncookie, mss_encoding)
{
	struct h_flow f = core_flow(PF_INET, 41001, 80);

	syn_to_synack(&f, 1, 1400, -1, 1400, 0);
	f.sport++;
	syn_to_synack(&f, 2, 1450, 2, 1440, 0);
	f.sport++;
	syn_to_synack(&f, 3, 0, -1, 536, 0);
	f.sport++;
	syn_to_synack(&f, 4, 9000, 14, 1460, 0);
	f = core_flow(PF_INET6, 41010, 443);
	syn_to_synack(&f, 5, 1220, 7, 1200, 0);
}

/* tc ingress answers too: the SYN|ACK is redirected out of the interface. */
Test(core_syncookie, tc_ingress)
{
	struct h_flow f = core_flow(PF_INET6, 41020, 22);

	syn_to_synack(&f, 77, 1440, 7, 1440, 1);
	cr_expect_eq(h_state_count(), 0);
}

/* never: SYNs make states as before; a stray ACK is a plain mismatch. */
Test(core_syncookie, never)
{
	struct h_flow f = core_flow(PF_INET, 41030, 80);
	struct h_pkt p;

	set_mode(PF_SYNCOOKIES_NEVER, 0);
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 9 }), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_PASS);
	cr_expect_eq(h_state_count(), 1);
	cr_expect_eq(sc_get().halfopen, 1);
	f.sport++;
	/* no cookie out: the ruleset decides (flags S/SA: no rule, pass) */
	cr_expect_eq(ack(&f, 10, 12345), PF_PASS);
	cr_expect_eq(sc_get().bad, 0);
	cr_expect_eq(lcnt(LCNT_SYNCOOKIES_SENT), 0);
}

static int syn(int af, __u16 sport)
{
	struct h_flow f = core_flow(af, sport, 80);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = sport }), 0);
	return h_run(PF_IN, &p);
}

/*
 * adaptive, limit states 100, pf's 25% / 12%: on when the half-open
 * states exceed 25 (the 27th SYN, after 26 states), off when half-open
 * states and cookies in flight are below 12.
 */
static void adaptive(int af)
{
	union h_event ev[H_EV_MAX];
	const union h_event *e;
	int i, n, from = 0;

	set_mode(PF_SYNCOOKIES_ADAPTIVE, 100);
	for (i = 0; i < 26; i++)
		cr_assert_eq(syn(af, 2000 + i), PF_PASS, "SYN %d", i + 1);
	cr_expect_eq(sc_get().halfopen, 26);
	cr_expect_eq(sc_get().active, 0);
	cr_expect_eq(lcnt(LCNT_SYNFLOODS), 0);
	h_events(ev, H_EV_MAX); /* the 26 creates */

	cr_expect_eq(syn(af, 3000), XDP_TX_RESULT, "the 27th SYN gets a cookie");
	cr_expect_eq(sc_get().active, 1);
	cr_expect_eq(lcnt(LCNT_SYNFLOODS), 1);
	cr_expect_eq(h_state_count(), 26);
	for (i = 1; i < 20; i++)
		cr_expect_eq(syn(af, 3000 + i), XDP_TX_RESULT);
	cr_expect_eq(lcnt(LCNT_SYNFLOODS), 1, "one flood, counted once");
	n = h_events(ev, H_EV_MAX);
	e = h_event_find(ev, n, PF_EV_SYNCOOKIES, &from);
	cr_assert_not_null(e, "no event when the mode turned on");
	cr_expect_eq(e->st.reason, 1);

	/* the flood's states go: 0 half-open, but 20 cookies in flight keep
	 * it on (20 >= 12) */
	struct pf_ctl_req k = { .op = PF_CTL_KILL, .rule = PF_RULE_NONE };
	cr_assert_eq(h_ctl(&k), 0);
	cr_expect_eq(k.count, 26);
	cr_expect_eq(sc_get().halfopen, 0);
	cr_expect_eq(syn(af, 4000), XDP_TX_RESULT);
	cr_expect_eq(sc_get().active, 1);

	/* the key's in-flight count forgotten (what a new period does):
	 * 0 < 12, so the next SYN switches it off and makes a state */
	struct pf_syncookie_st st = sc_get();
	__u32 z = 0;

	st.inflight[0] = st.inflight[1] = 11;
	cr_assert_eq(bpf_map_update_elem(h_map_fd(PFBPF_MAP_SYNCOOKIE), &z, &st, BPF_ANY), 0);
	cr_expect_eq(syn(af, 4001), XDP_TX_RESULT, "22 in flight: still on");
	st = sc_get();
	st.inflight[0] = 11;
	st.inflight[1] = 0;
	cr_assert_eq(bpf_map_update_elem(h_map_fd(PFBPF_MAP_SYNCOOKIE), &z, &st, BPF_ANY), 0);
	cr_expect_eq(syn(af, 4002), PF_PASS, "11 < 12: off, the SYN makes a state");
	cr_expect_eq(sc_get().active, 0);
	cr_expect_eq(h_state_count(), 1);
	n = h_events(ev, H_EV_MAX);
	from = 0;
	e = h_event_find(ev, n, PF_EV_SYNCOOKIES, &from);
	cr_assert_not_null(e, "no event when the mode turned off");
	cr_expect_eq(e->st.reason, 0);
}

Test(core_syncookie, adaptive_v4) { adaptive(PF_INET); }
Test(core_syncookie, adaptive_v6) { adaptive(PF_INET6); }

/* Half-open states leave the count when they are established. */
Test(core_syncookie, halfopen_established)
{
	struct h_flow f = core_flow(PF_INET, 42000, 80), r = h_flow_rev(&f);
	struct h_pkt p;

	set_mode(PF_SYNCOOKIES_NEVER, 0);
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 100 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_expect_eq(sc_get().halfopen, 1);
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 500,
						   .ack = 101 }), 0);
	cr_assert_eq(h_tc(PF_OUT, &p), 0);
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK, .seq = 101, .ack = 501 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_expect_eq(sc_get().halfopen, 0);
}

/* SipHash-2-4's published test vector (key 00..0f, message 00..0e). */
Test(core_syncookie, siphash_vector)
{
	__u8 k[16], m[15];

	for (int i = 0; i < 16; i++)
		k[i] = (__u8)i;
	for (int i = 0; i < 15; i++)
		m[i] = (__u8)i;
	cr_expect_eq(pf_siphash24(k, m, 15), 0xa129ca6149be45e5ULL);
}
