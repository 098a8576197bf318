/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_synproxy.h - pf's synproxy (OpenBSD pf.c pf_synproxy,
 * pf_syncookies.c; docs/synproxy.md): pfbpf completes the client's
 * handshake itself, opens the connection to the server only then, and
 * translates the server's sequence numbers for the rest of the state's life.
 *
 * Phases (include/pfbpf_synproxy.h, pf's PF_TCPS_PROXY_SRC / _DST):
 *  - PROXY_DST: the client has returned our ISN (a syncookie, or the
 *    SYN|ACK of PROXY_SRC).  Its ACK is turned into the SYN the client
 *    first sent (its ISN, the MSS the cookie encodes, its window) and
 *    passed on to the server.  A retransmitted ACK resends it.
 *  - the server's SYN|ACK (ack = client ISN + 1): seqdiff = server ISN -
 *    our ISN.  The server is sent the ACK the client would have sent, and
 *    (tc egress, where a clone can go) the client an ACK that opens its
 *    window: our SYN|ACK said window 0, as pf's does, so the client sends
 *    nothing before the server is there.
 *  - ESTAB: server -> client seq - seqdiff, client -> server ack +
 *    seqdiff, checksums updated incrementally.  The TCP tracker sees the
 *    connection as the client does (the server's seq translated first).
 *
 * pf picks a new ISN towards the server and translates both directions;
 * here the server gets the client's own ISN, so only the server's side
 * needs an offset.  Neither SYN offers window scaling, SACK or
 * timestamps (pf's pf_send_tcp offers none either).
 */
#ifndef PF_SYNPROXY_H
#define PF_SYNPROXY_H

#include "pf_syncookie.h"
#include "pf_synproxy_maps.h"
#include "pf_nat_rewrite.h"

/* What the hook does to the packet after a PF_PASS (pf_scratch.sp_act). */
enum {
	PF_SPA_NONE = 0,
	PF_SPA_SYN = 1,    /* the client's ACK becomes its SYN to the server */
	PF_SPA_SYNACK = 2, /* the server's SYN|ACK becomes the ACKs that complete both ends */
	PF_SPA_SEQ = 3,    /* server -> client: seq field = sp_seq (was sp_old) */
	PF_SPA_ACK = 4,    /* client -> server: ack field = sp_ack (was sp_old) */
};

/* pf_synproxy_test's answer. */
enum { PF_SPR_CONT = 0, PF_SPR_PASS = 1, PF_SPR_DROP = 2 };

/*
 * An ACK that returned a good cookie (pf_syncookie_recreate_syn): the
 * parsed packet becomes the SYN the client sent, which the ruleset then
 * judges as a first packet.  The frame is rewritten only if it passes.
 */
static __always_inline void pf_synproxy_recreate(struct pf_scratch *sc)
{
	sc->sp_cookie = 1;
	sc->sp_win = sc->pkt.win;
	sc->pkt.seq -= 1;
	sc->pkt.ack = 0;
	sc->pkt.tcp_flags = TH_SYN;
	sc->pkt.mss = sc->ret_mss;
	sc->pkt.wscale = 0;
	sc->pkt.payload_len = 0;
}

/*
 * The state for sc->key was just made (sc->st): record it as proxied in
 * phase, our ISN in sc->ret_iss, the MSS for the server in sc->ret_mss.
 * PROXY_DST also sends the server its SYN now.  Returns 0 or a PFRES_*.
 */
static __noinline int pf_synproxy_begin(struct pf_scratch *sc, __u32 phase)
{
	struct pf_synproxy_st e = {};
	int had;

	if (!sc)
		return PFRES_MEMORY;
	e.id = sc->st.id;
	e.cisn = sc->pkt.seq;
	e.iss = sc->ret_iss;
	e.mss = sc->ret_mss;
	e.cwin = sc->sp_win;
	e.phase = phase;
	had = bpf_map_lookup_elem(&pf_synproxy, &sc->key) != 0;
	if (bpf_map_update_elem(&pf_synproxy, &sc->key, &e, BPF_ANY))
		return PFRES_MEMORY;
	if (!had)
		pf_synproxy_gate_add(1);
	sc->reason = PFRES_SYNPROXY; /* counted as pf counts each proxy step */
	if (phase == PF_SP_PROXY_DST) {
		sc->sp_act = PF_SPA_SYN;
		sc->sp_seq = e.cisn;
	}
	return 0;
}

/*
 * `synproxy state`: the state was just made by the client's SYN; pf
 * answers it itself (PROXY_SRC, pf_create_state): a SYN|ACK with a random
 * ISN, window 0 and the MSS the client asked for (or the default), built
 * by the cookie code's answer (PF_RET_SYNCOOKIE).  The SYN goes no
 * further.  Returns 0 or a PFRES_*.
 */
static __noinline int pf_synproxy_src(struct pf_scratch *sc)
{
	int err;

	if (!sc)
		return PFRES_MEMORY;
	sc->ret_iss = bpf_get_prandom_u32();
	sc->ret_mss = sc->pkt.mss ? sc->pkt.mss : PF_SYNCOOKIE_MSSDFLT;
	sc->sp_win = sc->pkt.win;
	err = pf_synproxy_begin(sc, PF_SP_PROXY_SRC);
	if (err)
		return err;
	sc->ret = PF_RET_SYNCOOKIE;
	return 0;
}

/*
 * A packet of a state that may be proxied (pf_synproxy), before the TCP
 * tracker.  PF_SPR_CONT: track it (sc->pkt maybe translated, sc->sp_act
 * says what to write); PASS / DROP: a handshake step, not tracked.
 */
static __noinline int pf_synproxy_test(struct pf_scratch *sc, __u64 id, int si)
{
	struct pf_synproxy_st *e;
	__u8 fl;

	if (!sc)
		return PF_SPR_CONT;
	e = bpf_map_lookup_elem(&pf_synproxy, &sc->key);
	if (!e || e->id != id)
		return PF_SPR_CONT;
	fl = sc->pkt.tcp_flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN);
	if (e->phase == PF_SP_ESTAB) {
		if (si) {
			sc->sp_old = sc->pkt.seq;
			sc->pkt.seq -= e->seqdiff;
			sc->sp_seq = sc->pkt.seq;
			sc->sp_act = PF_SPA_SEQ;
		} else if (sc->pkt.tcp_flags & TH_ACK) {
			sc->sp_old = sc->pkt.ack;
			sc->sp_ack = sc->pkt.ack + e->seqdiff;
			sc->sp_act = PF_SPA_ACK;
		}
		return PF_SPR_CONT;
	}
	sc->reason = PFRES_SYNPROXY;
	if (e->phase == PF_SP_PROXY_SRC) {
		/* our own SYN|ACK, sent from tc ingress, crossing tc egress */
		if (si && fl == (TH_SYN | TH_ACK) && sc->pkt.seq == e->iss &&
		    sc->pkt.ack == e->cisn + 1) {
			sc->reason = PFRES_MAX;
			return PF_SPR_PASS;
		}
		if (si)
			return PF_SPR_DROP;
		if (fl == TH_SYN && sc->pkt.seq == e->cisn) {
			/* the client did not get our SYN|ACK: again */
			sc->ret_iss = e->iss;
			sc->ret_mss = e->mss;
			sc->ret = PF_RET_SYNCOOKIE;
			return PF_SPR_DROP;
		}
		if (fl != TH_ACK || sc->pkt.ack != e->iss + 1 || sc->pkt.seq != e->cisn + 1)
			return PF_SPR_DROP;
		e->cwin = sc->pkt.win;
		e->phase = PF_SP_PROXY_DST;
	} else if (e->phase == PF_SP_PROXY_DST && si) {
		/* only the server's SYN|ACK to our SYN (pf drops anything else,
		 * a RST too: the client learns at the state's end) */
		if ((fl & (TH_SYN | TH_ACK | TH_RST)) != (TH_SYN | TH_ACK) ||
		    sc->pkt.ack != e->cisn + 1)
			return PF_SPR_DROP;
		e->seqdiff = sc->pkt.seq - e->iss;
		e->phase = PF_SP_ESTAB;
		sc->sp_old = sc->pkt.seq;
		sc->sp_seq = e->iss;
		sc->sp_ack = e->cisn + 1;
		sc->sp_win = sc->pkt.win;
		sc->sp_cwin = e->cwin;
		sc->pkt.seq = e->iss; /* tracked as the client will see it */
		sc->sp_act = PF_SPA_SYNACK;
		return PF_SPR_CONT;
	} else if (e->phase == PF_SP_PROXY_DST) {
		/* the client again (its ACK retransmitted): the SYN again */
		if (fl != TH_ACK || sc->pkt.ack != e->iss + 1 || sc->pkt.seq != e->cisn + 1)
			return PF_SPR_DROP;
	} else {
		return PF_SPR_DROP;
	}
	sc->sp_act = PF_SPA_SYN;
	sc->sp_seq = e->cisn;
	sc->sp_win = e->cwin;
	sc->ret_mss = e->mss;
	return PF_SPR_PASS;
}

/* ---- the segments it sends --------------------------------------------- */

struct pf_sp_seg {
	__u32 seq, ack;
	__u16 win, mss; /* mss: 0 = no option */
	__u8 flags, swap; /* swap: answer (addresses, ports, MACs swapped) */
};

/* Is the frame one the builders handle?  (pf_return_ok's test.) */
static __always_inline int pf_sp_frame_ok(const struct pf_scratch *sc)
{
	return !sc->aux.vlans &&
	       sc->pkt.l4_off == ETH_HLEN + (sc->pkt.af == PF_INET ? sizeof(struct iphdr) :
								     sizeof(struct ipv6hdr));
}

static __always_inline void pf_sp_tcp(struct tcphdr *th, __u8 *opt, const struct pf_sp_seg *g)
{
	if (g->swap) {
		__be16 p = th->source;

		th->source = th->dest;
		th->dest = p;
	}
	th->seq = bpf_htonl(g->seq);
	th->ack_seq = bpf_htonl(g->ack);
	th->ae = 0;
	th->res1 = 0;
	th->doff = g->mss ? 6 : 5;
	pf_tcp_flag_byte(th) = g->flags;
	th->window = bpf_htons(g->win);
	th->check = 0;
	th->urg_ptr = 0;
	opt[0] = 2; /* TCPOPT_MAXSEG (not sent without g->mss) */
	opt[1] = 4;
	opt[2] = g->mss >> 8;
	opt[3] = g->mss & 0xff;
}

static __always_inline __s64 pf_sp_tcpsum(struct tcphdr *th, __u32 tl, __s64 seed)
{
	if (tl == sizeof(struct tcphdr) + 4)
		return bpf_csum_diff(0, 0, (__be32 *)th, sizeof(struct tcphdr) + 4, seed);
	return bpf_csum_diff(0, 0, (__be32 *)th, sizeof(struct tcphdr), seed);
}

/*
 * Make the frame the segment g: its own headers rewritten (the IP
 * header's other fields kept, the TTL reset on an answer), options and
 * payload cut, every checksum computed.  Returns 0 or -1.
 */
static __always_inline int pf_sp_build(void *ctx, __u8 hook, __u8 af, const struct pf_sp_seg *g)
{
	struct pf_synack_hdr h = {};
	__u32 tl = sizeof(struct tcphdr) + (g->mss ? 4 : 0), len;

	if (pf_ret_load(ctx, hook, 0, &h.eth, ETH_HLEN))
		return -1;
	if (g->swap)
		pf_swap_mac(&h.eth);
	if (af == PF_INET) {
		struct pf_pseudo4 ph = {};
		struct iphdr *ip = &h.v4.ip;

		if (pf_ret_load(ctx, hook, ETH_HLEN, ip, sizeof(*ip) + sizeof(struct tcphdr)))
			return -1;
		pf_sp_tcp(&h.v4.tcp, h.v4.opt, g);
		if (g->swap) {
			__be32 a = ip->saddr;

			ip->saddr = ip->daddr;
			ip->daddr = a;
			ip->ttl = PF_RETURN_TTL;
		}
		ip->tot_len = bpf_htons(sizeof(*ip) + tl);
		ip->check = 0;
		ip->check = pf_csum_fold(bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0));
		ph.src = ip->saddr;
		ph.dst = ip->daddr;
		ph.proto = IPPROTO_TCP;
		ph.len = bpf_htons(tl);
		h.v4.tcp.check = pf_csum_fold(pf_sp_tcpsum(
			&h.v4.tcp, tl, bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), 0)));
		len = ETH_HLEN + sizeof(*ip) + tl;
	} else {
		struct pf_pseudo6 ph = {};
		struct ipv6hdr *ip6 = &h.v6.ip6;

		if (pf_ret_load(ctx, hook, ETH_HLEN, ip6, sizeof(*ip6) + sizeof(struct tcphdr)))
			return -1;
		pf_sp_tcp(&h.v6.tcp, h.v6.opt, g);
		if (g->swap) {
			struct in6_addr a = ip6->saddr;

			ip6->saddr = ip6->daddr;
			ip6->daddr = a;
			ip6->hop_limit = PF_RETURN_TTL;
		}
		ip6->payload_len = bpf_htons(tl);
		ph.src = ip6->saddr;
		ph.dst = ip6->daddr;
		ph.len = bpf_htonl(tl);
		ph.nh = bpf_htonl(IPPROTO_TCP);
		h.v6.tcp.check = pf_csum_fold(pf_sp_tcpsum(
			&h.v6.tcp, tl, bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), 0)));
		len = ETH_HLEN + sizeof(*ip6) + tl;
	}
	return pf_ret_write(ctx, hook, &h.eth, len, 0, len - ETH_HLEN);
}

/* The client's SYN to the server, from its ACK. */
static __always_inline int pf_sp_syn(void *ctx, __u8 hook, const struct pf_scratch *sc)
{
	struct pf_sp_seg g = { .seq = sc->sp_seq, .ack = 0, .win = sc->sp_win,
			       .mss = sc->ret_mss, .flags = TH_SYN, .swap = 0 };

	return pf_sp_build(ctx, hook, sc->pkt.af, &g);
}

/* The server's SYN|ACK turned into the ACK the client would send it:
 * in the server's numbers (server_space: sent straight back) or in the
 * client's (it goes through the datapath again, which translates). */
static __always_inline int pf_sp_ack_server(void *ctx, __u8 hook, const struct pf_scratch *sc,
					    int server_space)
{
	struct pf_sp_seg g = { .seq = sc->sp_ack,
			       .ack = (server_space ? sc->sp_old : sc->sp_seq) + 1,
			       .win = sc->sp_cwin, .mss = 0, .flags = TH_ACK, .swap = 1 };

	return pf_sp_build(ctx, hook, sc->pkt.af, &g);
}

/* ---- translation: one 32-bit field and the TCP checksum ----------------- */

static __always_inline __u32 pf_sp_field_off(const struct pf_scratch *sc)
{
	return (sc->pkt.l4_off & PF_NAT_OFF_MASK) + (sc->sp_act == PF_SPA_SEQ ? 4 : 8);
}

static __noinline int pf_synproxy_xlate_xdp(struct xdp_md *ctx, struct pf_scratch *sc)
{
	__be32 o, n;
	__u16 sum;
	__u32 off, l4;
	__u64 d;

	if (!sc)
		return -1;
	off = pf_sp_field_off(sc);
	l4 = sc->pkt.l4_off & PF_NAT_OFF_MASK;
	o = bpf_htonl(sc->sp_old);
	n = bpf_htonl(sc->sp_act == PF_SPA_SEQ ? sc->sp_seq : sc->sp_ack);
	if (bpf_xdp_load_bytes(ctx, l4 + 16, &sum, 2))
		return -1;
	d = (__u64)(__u32)~o + (__u32)n;
	d = (d & 0xffffffff) + (d >> 32);
	sum = pf_csum_apply(sum, (__u32)d);
	if (bpf_xdp_store_bytes(ctx, off, &n, 4) || bpf_xdp_store_bytes(ctx, l4 + 16, &sum, 2))
		return -1;
	return 0;
}

/* tc: through bpf_l4_csum_replace, which knows CHECKSUM_PARTIAL (the
 * field then holds the pseudo-header sum only and stays as it is). */
static __noinline int pf_synproxy_xlate_skb(struct __sk_buff *skb, struct pf_scratch *sc)
{
	__be32 o, n;
	__u32 off, l4;

	if (!sc)
		return -1;
	off = pf_sp_field_off(sc);
	l4 = sc->pkt.l4_off & PF_NAT_OFF_MASK;
	o = bpf_htonl(sc->sp_old);
	n = bpf_htonl(sc->sp_act == PF_SPA_SEQ ? sc->sp_seq : sc->sp_ack);
	if (bpf_skb_store_bytes(skb, off, &n, 4, 0) ||
	    bpf_l4_csum_replace(skb, l4 + 16, o, n, sizeof(n)))
		return -1;
	return 0;
}

/*
 * XDP after a PF_PASS with sp_act: the frame's new form.  Returns the
 * XDP action.  The SYN|ACK step answers the server only (XDP cannot send
 * two frames): the client's window opens with the server's first segment
 * or the client's zero-window probe.
 */
static __noinline int pf_synproxy_xdp(struct xdp_md *ctx, struct pf_scratch *sc)
{
	if (!sc)
		return XDP_DROP;
	if (sc->sp_act == PF_SPA_SEQ || sc->sp_act == PF_SPA_ACK)
		return pf_synproxy_xlate_xdp(ctx, sc) ? XDP_DROP : XDP_PASS;
	if (!pf_sp_frame_ok(sc))
		return XDP_DROP;
	if (sc->sp_act == PF_SPA_SYN)
		return pf_sp_syn(ctx, PF_HOOK_XDP, sc) ? XDP_DROP : XDP_PASS;
	if (sc->sp_act == PF_SPA_SYNACK)
		return pf_sp_ack_server(ctx, PF_HOOK_XDP, sc, 1) ? XDP_DROP : XDP_TX;
	return XDP_PASS;
}

#define PF_SP_TC_OK 0
#define PF_SP_TC_SHOT 2
#define PF_SP_TC_REDIRECT 7

/*
 * tc after a PF_PASS with sp_act.  Returns the tc action.  The SYN|ACK
 * of a local server (tc egress): a clone of the frame, made the client's
 * ACK in the client's numbers, goes to our own ingress (translated there
 * like every later client segment) and on to the server's socket; the
 * frame itself becomes the ACK that opens the client's window with the
 * server's.  Seen on ingress (the server is beyond this interface): the
 * ACK in the server's numbers, back out of the interface.
 */
static __noinline int pf_synproxy_tc(struct __sk_buff *skb, struct pf_scratch *sc)
{
	struct pf_sp_seg g = {};

	if (!sc)
		return PF_SP_TC_SHOT;
	if (sc->sp_act == PF_SPA_SEQ || sc->sp_act == PF_SPA_ACK)
		return pf_synproxy_xlate_skb(skb, sc) ? PF_SP_TC_SHOT : PF_SP_TC_OK;
	if (!pf_sp_frame_ok(sc))
		return PF_SP_TC_SHOT;
	if (sc->sp_act == PF_SPA_SYN)
		return pf_sp_syn(skb, PF_HOOK_TC, sc) ? PF_SP_TC_SHOT : PF_SP_TC_OK;
	if (sc->sp_act != PF_SPA_SYNACK)
		return PF_SP_TC_OK;
	if (sc->pkt.dir == PF_IN) {
		if (pf_sp_ack_server(skb, PF_HOOK_TC, sc, 1))
			return PF_SP_TC_SHOT;
		return bpf_redirect(skb->ifindex, 0);
	}
	if (pf_sp_ack_server(skb, PF_HOOK_TC, sc, 0) ||
	    bpf_clone_redirect(skb, skb->ifindex, BPF_F_INGRESS))
		return PF_SP_TC_SHOT;
	/* the frame is the client's ACK now: swapped back, to the client */
	g.seq = sc->sp_seq + 1;
	g.ack = sc->sp_ack;
	g.win = sc->sp_win;
	g.flags = TH_ACK;
	g.swap = 1;
	return pf_sp_build(skb, PF_HOOK_TC, sc->pkt.af, &g) ? PF_SP_TC_SHOT : PF_SP_TC_OK;
}

#endif /* PF_SYNPROXY_H */
