// SPDX-License-Identifier: BSD-2-Clause
/*
 * synproxy in the datapath (bpf/pf_synproxy.h), as `synproxy state`
 * (PROXY_SRC: the client's SYN answered by us, a retransmitted SYN
 * answered again, a wrong ACK dropped) and as the completion of
 * `set syncookies always`.  Then for both: the client's ACK returning a good cookie
 * becomes its SYN to the server (PROXY_DST, the cookie's MSS, the state
 * made by the ruleset); the server's SYN|ACK seen on tc egress becomes the
 * ACK that opens the client's window (the ACK to the server goes out as a
 * clone, checked here as the client segment it is); from then on the
 * server's seq and the client's ack are translated by seqdiff, both ways,
 * through XDP and tc.  Every rewritten frame's fields are read back and
 * its checksums recomputed here and compared.  IPv4 and IPv6.
 */
#include <bpf/bpf.h>
#include "core_util.h"
#include "pfbpf_syncookie.h"
#include "pfbpf_synproxy.h"

#define XDP_TX_RESULT (100 + 3)

static const __u8 secret[16] = "pfbpf-synproxy!";

static void sp_setup(void)
{
	struct pfbpf_rule r = h_rule(PF_PASS, PF_IN, IPPROTO_TCP, PF_STATE_NORMAL);
	struct pf_syncookie_st st = {};
	struct pf_config c;
	__u32 z = 0;

	h_setup();
	cr_assert_eq(h_rules(&r, 1), 0);
	memcpy(st.secret, secret, sizeof(st.secret));
	cr_assert_eq(bpf_map_update_elem(h_map_fd(PFBPF_MAP_SYNCOOKIE), &z, &st, BPF_ANY), 0);
	cr_assert_eq(h_config_get(&c), 0);
	c.syncookies = PF_SYNCOOKIES_ALWAYS;
	cr_assert_eq(h_config_set(&c), 0);
}

TestSuite(core_synproxy, .init = sp_setup, .fini = h_teardown);

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static __u64 pfres(int i)
{
	struct pf_status_pcpu s;

	cr_assert_eq(h_status(&s), 0);
	return s.counters[i];
}

static struct pf_synproxy_st entry(const struct h_flow *client)
{
	struct pf_synproxy_st e = {};
	struct pf_state_key k;

	cr_assert_eq(h_state_key(client, IPPROTO_TCP, PF_IN, &k), 0);
	cr_assert_eq(bpf_map_lookup_elem(h_map_fd(PFBPF_MAP_SYNPROXY), &k, &e), 0,
		     "no synproxy entry for the state");
	return e;
}

static __u8 *tcp_of(struct h_pkt *p, int af)
{
	return p->buf + 14 + (af == PF_INET ? 20 : 40);
}

/* The checksums in the frame are the ones the harness computes itself. */
static void expect_csums_ok(const struct h_pkt *p, int af, const char *what)
{
	struct h_pkt q = *p;

	q.l3 = 14;
	q.l4 = af == PF_INET ? 34 : 54;
	q.proto = IPPROTO_TCP;
	h_fix_csum(&q);
	cr_expect_eq(memcmp(p->buf, q.buf, p->len), 0, "bad checksum in %s", what);
}

/* A segment the datapath built: of flow f, its fields, no payload. */
static void expect_seg(struct h_pkt *p, const struct h_flow *f, __u32 seq, __u32 ack, __u8 flags,
		       __u16 win, __u16 mss, const char *what)
{
	int af = f->af, ipl = af == PF_INET ? 20 : 40, tl = mss ? 24 : 20;
	int alen = af == PF_INET ? 4 : 16, so = af == PF_INET ? 12 : 8;
	__u8 *ip = p->buf + 14, *th = ip + ipl, a[16], b[16];

	cr_assert_eq(p->len, (__u32)(14 + ipl + tl), "%s: length", what);
	cr_assert_eq(inet_pton(af == PF_INET ? AF_INET : AF_INET6, f->src, a), 1);
	cr_assert_eq(inet_pton(af == PF_INET ? AF_INET : AF_INET6, f->dst, b), 1);
	cr_expect_eq(memcmp(ip + so, a, alen), 0, "%s: source", what);
	cr_expect_eq(memcmp(ip + so + alen, b, alen), 0, "%s: destination", what);
	if (af == PF_INET)
		cr_expect_eq((ip[2] << 8) | ip[3], 20 + tl, "%s: IP length", what);
	else
		cr_expect_eq((ip[4] << 8) | ip[5], tl, "%s: payload length", what);
	cr_expect_eq((th[0] << 8) | th[1], f->sport, "%s: sport", what);
	cr_expect_eq((th[2] << 8) | th[3], f->dport, "%s: dport", what);
	cr_expect_eq(get32(th + 4), seq, "%s: seq %u, want %u", what, get32(th + 4), seq);
	cr_expect_eq(get32(th + 8), ack, "%s: ack %u, want %u", what, get32(th + 8), ack);
	cr_expect_eq(th[12] >> 4, tl / 4, "%s: data offset", what);
	cr_expect_eq(th[13], flags, "%s: flags", what);
	cr_expect_eq((th[14] << 8) | th[15], win, "%s: window", what);
	if (mss) {
		cr_expect_eq(th[20], 2, "%s: MSS option", what);
		cr_expect_eq(th[21], 4);
		cr_expect_eq((th[22] << 8) | th[23], mss, "%s: MSS", what);
	}
	expect_csums_ok(p, af, what);
}

/* The client's SYN under `always`: the cookie our SYN|ACK carries. */
static __u32 cookie_for(const struct h_flow *f, __u32 isn, __u16 mss)
{
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, f, &(struct h_tcp){ .flags = TH_SYN, .seq = isn, .mss = mss,
						   .wscale = 7, .has_wscale = true }), 0);
	cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT);
	return get32(tcp_of(&p, f->af) + 4);
}

#define SISN 0x9abc0000u /* the server's ISN */

/* `synproxy state`, syncookies off: the SYN makes the state (PROXY_SRC)
 * and is answered with our SYN|ACK; checked as the cookie's is. */
static __u32 proxy_src(const struct h_flow *f, __u32 isn, __u16 mss)
{
	struct pfbpf_rule r = h_rule(PF_PASS, PF_IN, IPPROTO_TCP, PF_STATE_SYNPROXY);
	struct h_flow rev = h_flow_rev(f);
	struct pf_config c;
	struct h_pkt p;
	__u32 iss;

	cr_assert_eq(h_config_get(&c), 0);
	c.syncookies = PF_SYNCOOKIES_NEVER;
	cr_assert_eq(h_config_set(&c), 0);
	cr_assert_eq(h_rules(&r, 1), 0);
	cr_assert_eq(h_tcp(&p, f, &(struct h_tcp){ .flags = TH_SYN, .seq = isn, .mss = mss,
						   .wscale = 7, .has_wscale = true }), 0);
	cr_assert_eq(h_run(PF_IN, &p), XDP_TX_RESULT);
	iss = get32(tcp_of(&p, f->af) + 4);
	expect_seg(&p, &rev, iss, isn + 1, TH_SYN | TH_ACK, 0, mss, "our SYN|ACK (PROXY_SRC)");
	cr_expect_eq(h_state_count(), 1, "the SYN made the state");
	cr_expect_eq(entry(f).phase, PF_SP_PROXY_SRC);
	cr_expect_eq(pfres(PFRES_SYNPROXY), 1);
	/* the SYN again: the same answer */
	cr_assert_eq(h_tcp(&p, f, &(struct h_tcp){ .flags = TH_SYN, .seq = isn, .mss = mss }), 0);
	cr_assert_eq(h_tc(PF_IN, &p), 7 /* TC_ACT_REDIRECT */);
	expect_seg(&p, &rev, iss, isn + 1, TH_SYN | TH_ACK, 0, mss, "our SYN|ACK again (tc)");
	/* an ACK that is not ours + 1, and anything from the server: dropped */
	cr_assert_eq(h_tcp(&p, f, &(struct h_tcp){ .flags = TH_ACK, .seq = isn + 1, .ack = iss }), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
	cr_assert_eq(h_tcp(&p, &rev, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5,
						     .ack = isn + 1 }), 0);
	cr_expect_eq(h_tc(PF_OUT, &p), 2 /* TC_ACT_SHOT */);
	cr_expect_eq(entry(f).phase, PF_SP_PROXY_SRC);
	cr_expect_eq(pfres(PFRES_SYNPROXY), 4);
	return iss;
}

static void three_phases(int af, int src)
{
	struct h_flow f = core_flow(af, 43000, 80), r = h_flow_rev(&f);
	struct pf_synproxy_st e;
	struct pf_state s;
	struct h_pkt p;
	__u32 isn = 0xfffffff0u, iss; /* the client's seq wraps: 32-bit arithmetic */
	__u64 base = src ? 4 : 0;
	__u8 *th;

	if (src) {
		iss = proxy_src(&f, isn, 1460);
	} else {
		iss = cookie_for(&f, isn, 1460);
		cr_expect_eq(h_state_count(), 0);
	}

	/* PROXY_DST: the ACK returning the cookie becomes the client's SYN */
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK, .seq = isn + 1,
						   .ack = iss + 1, .win = 29200 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	expect_seg(&p, &f, isn, 0, TH_SYN, 29200, 1460, "the SYN to the server");
	cr_expect_eq(h_state_count(), 1, "the recreated SYN made the state");
	e = entry(&f);
	cr_expect_eq(e.phase, PF_SP_PROXY_DST);
	cr_expect_eq(e.cisn, isn);
	cr_expect_eq(e.iss, iss);
	cr_expect_eq(pfres(PFRES_SYNPROXY), base + 1);

	/* the client's ACK again (our SYN lost?): the SYN again, via tc */
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK, .seq = isn + 1,
						   .ack = iss + 1, .win = 29200 }), 0);
	cr_assert_eq(h_tc(PF_IN, &p), 0);
	expect_seg(&p, &f, isn, 0, TH_SYN, 29200, 1460, "the SYN resent (tc)");
	/* anything else from the client meanwhile (an ack that is not
	 * our ISN + 1): dropped, counted */
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK | TH_PUSH, .seq = isn + 1,
						   .ack = iss + 5, .plen = 10 }), 0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
	/* a SYN|ACK that does not answer our SYN: dropped */
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = SISN,
						   .ack = isn + 7 }), 0);
	cr_expect_eq(h_tc(PF_OUT, &p), 2 /* TC_ACT_SHOT */);
	cr_expect_eq(entry(&f).phase, PF_SP_PROXY_DST);
	cr_expect_eq(pfres(PFRES_SYNPROXY), base + 4);

	/* the server's SYN|ACK on tc egress: the frame becomes the ACK that
	 * opens the client's window with the server's */
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = SISN,
						   .ack = isn + 1, .win = 6000, .mss = 1400 }), 0);
	cr_assert_eq(h_tc(PF_OUT, &p), 0);
	expect_seg(&p, &r, iss + 1, isn + 1, TH_ACK, 6000, 0, "the window update to the client");
	e = entry(&f);
	cr_expect_eq(e.phase, PF_SP_ESTAB);
	cr_expect_eq(e.seqdiff, SISN - iss);

	/* the client's ACK (what the clone sent to the server is): its ack
	 * in the server's numbers */
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK, .seq = isn + 1,
						   .ack = iss + 1, .win = 29200 }), 0);
	cr_assert_eq(h_tc(PF_IN, &p), 0);
	expect_seg(&p, &f, isn + 1, SISN + 1, TH_ACK, 29200, 0, "the client's ACK, translated");
	cr_assert_eq(h_state_get(&f, IPPROTO_TCP, PF_IN, &s), 0);
	cr_expect_eq(s.pstate[0], TCPS_ESTABLISHED);
	cr_expect_eq(s.pstate[1], TCPS_ESTABLISHED);

	/* data both ways: client -> server (XDP) ack + seqdiff, payload intact */
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK | TH_PUSH, .seq = isn + 1,
						   .ack = iss + 1, .win = 29200, .plen = 100 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	th = tcp_of(&p, af);
	cr_expect_eq(get32(th + 4), isn + 1, "the client's seq is its own");
	cr_expect_eq(get32(th + 8), SISN + 1, "client data: ack translated");
	cr_expect_eq(th[20], 'x');
	cr_expect_eq(th[20 + 99], 'x');
	expect_csums_ok(&p, af, "the client's data");

	/* server -> client (tc egress): seq - seqdiff */
	cr_assert_eq(h_tcp(&p, &r, &(struct h_tcp){ .flags = TH_ACK | TH_PUSH, .seq = SISN + 1,
						   .ack = isn + 101, .win = 6000, .plen = 50 }), 0);
	cr_assert_eq(h_tc(PF_OUT, &p), 0);
	th = tcp_of(&p, af);
	cr_expect_eq(get32(th + 4), iss + 1, "server data: seq translated");
	cr_expect_eq(get32(th + 8), isn + 101, "the server's ack is the client's number");
	expect_csums_ok(&p, af, "the server's data");

	/* the client acknowledges it (XDP): ack + seqdiff */
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK, .seq = isn + 101,
						   .ack = iss + 51, .win = 29200 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_expect_eq(get32(tcp_of(&p, af) + 8), SISN + 51);
	expect_csums_ok(&p, af, "the client's ACK of the data");
	cr_assert_eq(h_state_get(&f, IPPROTO_TCP, PF_IN, &s), 0);
	cr_expect_eq(s.seqlo[1], iss + 51, "the tracker sees the server in the client's numbers");
}

Test(core_synproxy, cookie_three_phases_v4) { three_phases(PF_INET, 0); }
Test(core_synproxy, cookie_three_phases_v6) { three_phases(PF_INET6, 0); }
Test(core_synproxy, synproxy_state_v4) { three_phases(PF_INET, 1); }
Test(core_synproxy, synproxy_state_v6) { three_phases(PF_INET6, 1); }

/* The recreated SYN is judged by the ruleset: blocked, no state, no SYN. */
Test(core_synproxy, cookie_blocked_by_rules)
{
	struct pfbpf_rule r[2] = { h_rule(PF_PASS, PF_IN, IPPROTO_TCP, PF_STATE_NORMAL),
				   h_rule(PF_DROP, PF_IN, IPPROTO_TCP, PF_STATE_NONE) };
	struct h_flow f = core_flow(PF_INET, 43100, 22);
	struct h_pkt p;
	__u32 iss;

	iss = cookie_for(&f, 100, 1460);
	/* a new ruleset between the SYN and its ACK: block all TCP */
	r[0].nr = 0;
	r[1].nr = 1;
	cr_assert_eq(h_rules(r, 2), 0);
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK, .seq = 101, .ack = iss + 1 }),
		     0);
	cr_expect_eq(h_run(PF_IN, &p), PF_DROP);
	cr_expect_eq(h_state_count(), 0);
}

/* A proxied state removed: its entry goes with it, and the gate closes. */
Test(core_synproxy, entry_removed_with_state)
{
	struct h_flow f = core_flow(PF_INET6, 43200, 80);
	struct pf_ctl_req k = { .op = PF_CTL_KILL, .rule = PF_RULE_NONE };
	struct pf_state_key key;
	struct pf_synproxy_st e;
	struct h_pkt p;
	__s64 gate = -1;
	__u32 iss, z = 0;

	iss = cookie_for(&f, 7, 1220);
	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_ACK, .seq = 8, .ack = iss + 1 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	expect_seg(&p, &f, 7, 0, TH_SYN, 65535, 1200, "the SYN with the cookie's MSS");
	cr_assert_eq(bpf_map_lookup_elem(h_map_fd(PFBPF_MAP_SYNPROXY_GATE), &z, &gate), 0);
	cr_expect_eq(gate, 1);
	cr_assert_eq(h_ctl(&k), 0);
	cr_expect_eq(k.count, 1);
	cr_assert_eq(h_state_key(&f, IPPROTO_TCP, PF_IN, &key), 0);
	cr_expect_neq(bpf_map_lookup_elem(h_map_fd(PFBPF_MAP_SYNPROXY), &key, &e), 0);
	cr_assert_eq(bpf_map_lookup_elem(h_map_fd(PFBPF_MAP_SYNPROXY_GATE), &z, &gate), 0);
	cr_expect_eq(gate, 0);
}
