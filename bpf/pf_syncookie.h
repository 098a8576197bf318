/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_syncookie.h - `set syncookies` in the datapath (OpenBSD
 * pf_syncookies.c; docs/syncookies.md).
 *
 * While the mode is on (always, or adaptive above its start threshold), an
 * inbound SYN that the ruleset would give a state gets no state: it is
 * answered, from the frame itself, with a SYN|ACK whose ISN is a cookie
 * (include/pfbpf_syncookie.h), sent back out of the interface it came in
 * on (XDP_TX, or a tc redirect), so a spoofed flood costs no memory.
 * The client's ACK with no state is checked against the cookie: a bad one
 * is dropped and counted (pf_syncookie_st.bad).
 *
 * Adaptive mode follows pf_synflood_check and pf_syncookie_rotate: on
 * when the half-open TCP states exceed `start` percent of `limit states`
 * (counted LCNT_SYNFLOODS), off when half-open states plus cookies in
 * flight fall below `end` percent.  pf checks the way off every 15 s from
 * its key timer; here on every SYN and every sweep (pf_sweep.h).  Each switch emits a
 * PF_EV_SYNCOOKIES event for pftrace.
 */
#ifndef PF_SYNCOOKIE_H
#define PF_SYNCOOKIE_H

#include "pf_return.h"
#include "pfbpf_syncookie.h"

/* pf_syncookie_send: the MSS assumed without an option (tcp_mssdflt). */
#define PF_SYNCOOKIE_MSSDFLT 536

/* The key period of now: CLOCK_TAI, so two NTP-synced firewalls agree. */
static __always_inline __u32 pf_syncookie_period_now(void)
{
	return (__u32)(bpf_ktime_get_tai_ns() / 1000000000ULL / PF_SYNCOOKIE_PERIOD);
}

/* The adaptive mode switched: an event with no state (reason: 1 on, 0 off). */
static __always_inline int pf_syncookie_event(__u32 on)
{
	return pf_event_nostate(PF_EV_SYNCOOKIES, on ? 1 : 0, 0, 0);
}

/*
 * Is the syncookie mode on now?  Also keeps the in-flight count of the
 * current key's parity starting from zero each period (pf_syncookie_newkey),
 * and switches the adaptive mode on and off.
 */
static __noinline int pf_synflood_check(void)
{
	struct pf_syncookie_st *sk = pf_syncookie_get();
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_config *cfg = pf_config_get();
	__u32 period, limit, start, end;
	__s64 n;

	if (!sk || !st || !cfg || cfg->syncookies == PF_SYNCOOKIES_NEVER)
		return 0;
	period = pf_syncookie_period_now();
	if (sk->period != period) {
		sk->period = period;
		sk->inflight[period & 1] = 0;
	}
	if (cfg->syncookies == PF_SYNCOOKIES_ALWAYS)
		return 1;
	if (cfg->syncookies != PF_SYNCOOKIES_ADAPTIVE)
		return 0;
	limit = pf_config_limit_states(cfg);
	start = cfg->syncookies_start ? cfg->syncookies_start : PF_SYNCOOKIES_START_DEFAULT;
	end = cfg->syncookies_end ? cfg->syncookies_end : PF_SYNCOOKIES_END_DEFAULT;
	if (!sk->active) {
		if (!pf_syncookie_above(sk->halfopen, limit, start))
			return 0;
		sk->active = 1;
		st->lcounters[LCNT_SYNFLOODS]++;
		pf_syncookie_event(1);
		return 1;
	}
	/* off below end: half-open states and the cookies not yet returned
	 * (a flood that is all cookies must not switch it off) */
	n = sk->halfopen + (__s64)(sk->inflight[0] + sk->inflight[1]);
	if (n < 0)
		n = 0;
	if ((__u64)n * PF_SYNCOOKIES_PCT_MAX < (__u64)limit * end) {
		sk->active = 0;
		pf_syncookie_event(0);
		return 0;
	}
	return 1;
}

/* The connection as the client sent it, for the MAC. */
static __always_inline void pf_syncookie_msg(const struct pf_pkt *pkt, __u32 seq,
					     struct pf_syncookie_msg *m)
{
	__builtin_memset(m, 0, sizeof(*m));
	__builtin_memcpy(&m->src, &pkt->src, sizeof(m->src));
	__builtin_memcpy(&m->dst, &pkt->dst, sizeof(m->dst));
	m->sport = pkt->sport;
	m->dport = pkt->dport;
	m->seq = seq;
	m->af = pkt->af;
}

/*
 * A SYN while the mode is on: its cookie into sc (ret_iss, ret_mss) and
 * sc->ret = PF_RET_SYNCOOKIE, which the hook's answer code turns into the
 * SYN|ACK.  pf_syncookie_send: MSS = max(the SYN's or the default, the
 * default), rounded down to what the cookie can say.
 */
static __noinline int pf_syncookie_syn(struct pf_scratch *sc)
{
	struct pf_syncookie_st *sk = pf_syncookie_get();
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_syncookie_msg m;
	__u32 period;
	__u16 mss;
	__u8 key[16], ws, flags;

	if (!sc || !sk || !st)
		return 0;
	period = pf_syncookie_period_now();
	mss = sc->pkt.mss > PF_SYNCOOKIE_MSSDFLT ? sc->pkt.mss : PF_SYNCOOKIE_MSSDFLT;
	ws = (sc->pkt.wscale & PF_WSCALE_FLAG) ? (sc->pkt.wscale & PF_WSCALE_MASK) : 0xff;
	flags = pf_syncookie_flags(mss, ws, period);
	pf_syncookie_key(sk->secret, period, key);
	pf_syncookie_msg(&sc->pkt, sc->pkt.seq, &m);
	sc->ret_iss = pf_syncookie_iss(key, &m, flags);
	sc->ret_mss = pf_syncookie_mss(flags);
	sc->ret = PF_RET_SYNCOOKIE;
	__sync_fetch_and_add(&sk->inflight[period & 1], 1);
	st->lcounters[LCNT_SYNCOOKIES_SENT]++;
	return 1;
}

/*
 * An ACK with no state (pf_syncookie_validate): 1 if it returns one of
 * our cookies (counted LCNT_SYNCOOKIES_VALID; sc->ret_iss and ret_mss say
 * what it encodes), -1 if it does not (counted bad), 0 if no cookie can
 * be out (mode never and none in flight).  The odd/even bit says which of
 * the two live periods made it.  pf also refuses a cookie of a key with
 * nothing in flight; not here: the other firewall of an HA pair may have
 * sent it.
 */
static __noinline int pf_syncookie_ack(struct pf_scratch *sc)
{
	struct pf_syncookie_st *sk = pf_syncookie_get();
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_config *cfg = pf_config_get();
	struct pf_syncookie_msg m;
	__u32 period, iss;
	__u8 key[16], flags;

	if (!sc || !sk || !st || !cfg)
		return 0;
	if (cfg->syncookies == PF_SYNCOOKIES_NEVER && !sk->inflight[0] && !sk->inflight[1])
		return 0;
	iss = sc->pkt.ack - 1;
	flags = pf_syncookie_flags_of(iss);
	period = pf_syncookie_period_now();
	if ((period & 1) != (flags & PF_SYNCOOKIE_ODDEVEN))
		period--;
	pf_syncookie_key(sk->secret, period, key);
	pf_syncookie_msg(&sc->pkt, sc->pkt.seq - 1, &m);
	if (!pf_syncookie_ok(key, &m, iss)) {
		__sync_fetch_and_add(&sk->bad, 1);
		return -1;
	}
	if (sk->inflight[period & 1])
		__sync_fetch_and_add(&sk->inflight[period & 1], -1);
	st->lcounters[LCNT_SYNCOOKIES_VALID]++;
	sc->ret_iss = iss;
	sc->ret_mss = pf_syncookie_mss(flags);
	return 1;
}

/* ---- the SYN|ACK, built with pf_return.h's helpers ---------------------- */

#define PF_SYNACK_TCPLEN (sizeof(struct tcphdr) + 4) /* + the MSS option */

struct pf_synack_hdr {
	__u8 pad[2]; /* the IP header on a 4-byte boundary (pf_answer_hdr) */
	struct ethhdr eth;
	union {
		struct {
			struct iphdr ip;
			struct tcphdr tcp;
			__u8 opt[4];
		} v4;
		struct {
			struct ipv6hdr ip6;
			struct tcphdr tcp;
			__u8 opt[4];
		} v6;
	};
};

/* The SYN's TCP header into the SYN|ACK pf_syncookie_send sends: ports
 * swapped, our ISN the cookie, window 0 (pf's), the MSS option alone. */
static __always_inline void pf_synack_fill(struct tcphdr *th, __u8 *opt, const struct pf_scratch *sc)
{
	__be16 p = th->source;

	th->source = th->dest;
	th->dest = p;
	th->seq = bpf_htonl(sc->ret_iss);
	th->ack_seq = bpf_htonl(sc->pkt.seq + 1);
	th->ae = 0;
	th->res1 = 0;
	th->doff = PF_SYNACK_TCPLEN / 4;
	pf_tcp_flag_byte(th) = TH_SYN | TH_ACK;
	th->window = 0;
	th->check = 0;
	th->urg_ptr = 0;
	opt[0] = 2; /* TCPOPT_MAXSEG */
	opt[1] = 4;
	opt[2] = sc->ret_mss >> 8;
	opt[3] = sc->ret_mss & 0xff;
}

/*
 * Turn the SYN frame into its SYN|ACK (MACs, addresses and ports swapped,
 * the frame cut or grown to the new headers).  Returns 0, or -1 if the
 * frame is not one the answer builders handle (pf_return_ok).
 */
static __always_inline int pf_syncookie_answer(void *ctx, __u8 hook, struct pf_scratch *sc)
{
	struct pf_synack_hdr h = {};
	__u32 len;

	if (!pf_return_ok(sc))
		return -1;
	if (pf_ret_load(ctx, hook, 0, &h.eth, ETH_HLEN))
		return -1;
	pf_swap_mac(&h.eth);
	if (sc->pkt.af == PF_INET) {
		struct pf_pseudo4 ph = {};

		if (pf_ret_load(ctx, hook, ETH_HLEN, &h.v4.ip,
				sizeof(struct iphdr) + sizeof(struct tcphdr)))
			return -1;
		pf_synack_fill(&h.v4.tcp, h.v4.opt, sc);
		pf_ip4_answer(&h.v4.ip, IPPROTO_TCP, PF_SYNACK_TCPLEN);
		ph.src = h.v4.ip.saddr;
		ph.dst = h.v4.ip.daddr;
		ph.proto = IPPROTO_TCP;
		ph.len = bpf_htons(PF_SYNACK_TCPLEN);
		h.v4.tcp.check = pf_csum_fold(
			bpf_csum_diff(0, 0, (__be32 *)&h.v4.tcp, PF_SYNACK_TCPLEN,
				      bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), 0)));
		len = ETH_HLEN + sizeof(struct iphdr) + PF_SYNACK_TCPLEN;
	} else {
		__s64 sum;

		if (pf_ret_load(ctx, hook, ETH_HLEN, &h.v6.ip6,
				sizeof(struct ipv6hdr) + sizeof(struct tcphdr)))
			return -1;
		pf_synack_fill(&h.v6.tcp, h.v6.opt, sc);
		/* a new first word: version 6, traffic class and flow 0 */
		*(__be32 *)&h.v6.ip6 = 0;
		h.v6.ip6.version = 6;
		sum = pf_ip6_answer(&h.v6.ip6, IPPROTO_TCP, PF_SYNACK_TCPLEN, 0);
		h.v6.tcp.check = pf_csum_fold(
			bpf_csum_diff(0, 0, (__be32 *)&h.v6.tcp, PF_SYNACK_TCPLEN, sum));
		len = ETH_HLEN + sizeof(struct ipv6hdr) + PF_SYNACK_TCPLEN;
	}
	/* counted as LCNT_SYNCOOKIES_SENT, not as a block answer */
	return pf_ret_write(ctx, hook, &h.eth, len, 0, len - ETH_HLEN);
}

#endif /* PF_SYNCOOKIE_H */
