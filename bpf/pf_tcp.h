/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_tcp.h - pf_tcp_track_full: TCP sequence tracking after Guido van
 * Rooij's "Real Stateful TCP Packet Filtering in IP Filter", with pf's
 * window scaling, ack-skew bounds, RST check, loose branch and timeout
 * classes (OpenBSD sys/net/pf.c, pf_tcp_track_full).
 *
 * Peer 0 of a state is the side that created it (pf's `src`); for a packet
 * travelling in the state's direction the sender is peer 0, otherwise 1.
 *
 * Concurrency: two CPUs may track packets of one connection at once (XDP
 * ingress and tc egress, asymmetric RSS).  pf_tcp_test runs the tracker
 * under the state's lock (pf_lock.h), as pf does under PF_STATE_LOCK.
 */
#ifndef PF_TCP_H
#define PF_TCP_H

#include "pf_state.h"

#define PF_SEQ_LT(a, b) ((__s32)((a) - (b)) < 0)
#define PF_SEQ_LEQ(a, b) ((__s32)((a) - (b)) <= 0)
#define PF_SEQ_GT(a, b) ((__s32)((a) - (b)) > 0)
#define PF_SEQ_GEQ(a, b) ((__s32)((a) - (b)) >= 0)
#define PF_TCP_MAXWIN 65535

static __always_inline __u32 pf_max1(__u32 v)
{
	return v ? v : 1;
}

static __always_inline __u16 pf_win16(__u32 w)
{
	return w > PF_TCP_MAXWIN ? PF_TCP_MAXWIN : w;
}

/* One side of a connection while a segment is judged (pf_state_peer). */
struct pf_peer {
	__u32 seqlo;
	__u32 seqhi;
	__u32 max_win;
	__u16 mss;
	__u8 wscale;
	__u8 pstate;
};

/*
 * pf_tcp_track's result, one word: the low byte is the PFRES_* reason of a
 * drop (0: pass), then what is due afterwards, and the peer states before
 * the segment in bits 16-31 for the state-change event.
 */
#define PF_TCPR_REASON_MASK 0xff
#define PF_TCPEV_CHANGE 0x100   /* a peer state moved: state-change event */
#define PF_TCPEV_ESTAB 0x200    /* both ESTABLISHED for the first time */
#define PF_TCPEV_CLOSED 0x400   /* both >= FIN_WAIT_2 for the first time */
#define PF_TCPR_RST 0x800       /* drop, and answer the sender with a RST */
#define PF_TCPR_GONE 0x1000     /* the state was unlinked or reused: no state */
#define PF_TCPR_OLD_SHIFT 16

static __always_inline __u32 pf_tcpr_make(__u32 reason, __u32 ev, __u8 old0, __u8 old1)
{
	return reason | ev | ((__u32)old0 << PF_TCPR_OLD_SHIFT) |
	       ((__u32)old1 << (PF_TCPR_OLD_SHIFT + 8));
}

/* PFRES_* of a drop, 0 if the segment passes. */
static __always_inline __u32 pf_tcpr_reason(__u32 r)
{
	return r & PF_TCPR_REASON_MASK;
}

/* Answer the sender with a RST (the segment is dropped). */
static __always_inline int pf_tcpr_rst(__u32 r)
{
	return !!(r & PF_TCPR_RST);
}

/* The state was unlinked or reused under us: judge the packet without it. */
static __always_inline int pf_tcpr_gone(__u32 r)
{
	return !!(r & PF_TCPR_GONE);
}

/* The state of peer 0 or 1 before the segment. */
static __always_inline __u8 pf_tcpr_old(__u32 r, int peer)
{
	return (r >> (PF_TCPR_OLD_SHIFT + (peer ? 8 : 0))) & 0xff;
}

/*
 * Track one segment of an existing state.  Returns a pf_tcpr_* word: the
 * drop reason (PFRES_BADSTATE) or 0, and the events due for
 * pf_tcp_events().  Both peers are judged in local copies and written back
 * only if the segment passes, so a refused segment leaves the state exactly
 * as it was (a spoofed out-of-window RST changes nothing), with pf's one
 * exception: a mismatch while both peers are SYN_SENT resets the sender's
 * sequence window and asks for a RST (PF_TCPR_RST).
 * (Locals with fixed offsets also keep clang from indexing the stack in
 * ways the verifier refuses.)
 */
static __noinline int pf_tcp_track(const struct pf_state_key *key, struct pf_state *s,
				   const struct pf_pkt *pkt, __u32 now)
{
	struct pf_peer src, dst;
	__u32 win, ack, end, data_end, seq, orig_seq;
	__u8 flags, sws, dws, old0, old1, sflags;
	int si, di, refresh = 1, reset = 0;
	__u32 ev = 0;
	__s32 ackskew;

	if (!key || !s || !pkt)
		return PFRES_BADSTATE;
	si = pkt->dir == pf_state_dir(s) ? 0 : 1;
	di = !si;
	flags = pkt->tcp_flags;
	win = pkt->win;
	old0 = s->pstate[0];
	old1 = s->pstate[1];
	src.seqlo = s->seqlo[si];
	src.seqhi = s->seqhi[si];
	src.max_win = s->max_win[si];
	src.mss = s->mss[si];
	src.wscale = s->wscale[si];
	src.pstate = s->pstate[si];
	dst.seqlo = s->seqlo[di];
	dst.seqhi = s->seqhi[di];
	dst.max_win = s->max_win[di];
	dst.mss = s->mss[di];
	dst.wscale = s->wscale[di];
	dst.pstate = s->pstate[di];

	if (src.wscale && dst.wscale && !(flags & TH_SYN)) {
		sws = src.wscale & PF_WSCALE_MASK;
		dws = dst.wscale & PF_WSCALE_MASK;
	} else {
		sws = dws = 0;
	}

	orig_seq = seq = pkt->seq;
	if (src.seqlo == 0) {
		/* First packet from this side: set its half of the state. */
		ack = pkt->ack;
		end = seq + pkt->payload_len;
		if (flags & TH_SYN) {
			end++;
			if (dst.wscale & PF_WSCALE_FLAG) {
				src.wscale = pkt->wscale;
				if (src.wscale & PF_WSCALE_FLAG) {
					/* remove the scale factor from the initial window */
					sws = src.wscale & PF_WSCALE_MASK;
					win = (win + (1U << sws) - 1) >> sws;
					dws = dst.wscale & PF_WSCALE_MASK;
				} else {
					/* the other side offered scaling alone: undo it */
					dst.max_win = pf_win16(dst.max_win << (dst.wscale & PF_WSCALE_MASK));
					dst.wscale = 0;
				}
			}
			if (pkt->mss)
				src.mss = pkt->mss;
		}
		data_end = end;
		if (flags & TH_FIN)
			end++;
		src.seqlo = seq;
		if (src.pstate < TCPS_SYN_SENT)
			src.pstate = TCPS_SYN_SENT;
		/* slide the window: seqhi may be stale (picked-up connection) */
		if (src.seqhi == 1 || PF_SEQ_GEQ(end + pf_max1(dst.max_win << dws), src.seqhi))
			src.seqhi = end + pf_max1(dst.max_win << dws);
		if (win > src.max_win)
			src.max_win = pf_win16(win);
	} else {
		ack = pkt->ack;
		end = seq + pkt->payload_len;
		if (flags & TH_SYN)
			end++;
		data_end = end;
		if (flags & TH_FIN)
			end++;
	}

	if (!(flags & TH_ACK)) {
		/* let it through the ack-skew check */
		ack = dst.seqlo;
	} else if ((ack == 0 && (flags & (TH_ACK | TH_RST)) == (TH_ACK | TH_RST)) ||
		   dst.pstate < TCPS_SYN_SENT) {
		/* broken stacks send RST|ACK with ack 0 */
		ack = dst.seqlo;
	}

	if (seq == end) {
		/* no data: ease the sequencing restrictions */
		seq = src.seqlo;
		data_end = end = seq;
	}

	ackskew = (__s32)(dst.seqlo - ack);

	if (PF_SEQ_GEQ(src.seqhi, data_end) &&
	    /* last octet inside the other's window */
	    PF_SEQ_GEQ(seq, src.seqlo - (dst.max_win << dws)) &&
	    /* retransmit: not more than one window back */
	    ackskew >= -PF_MAXACKWINDOW &&
	    /* acking at most one reassembled fragment backwards */
	    ackskew <= (PF_MAXACKWINDOW << sws) &&
	    /* acking at most one window forward; a RST must hit seqlo (+-1) */
	    (!(flags & TH_RST) || orig_seq == src.seqlo || orig_seq == src.seqlo + 1 ||
	     orig_seq + 1 == src.seqlo)) {
		if (src.max_win < win)
			src.max_win = pf_win16(win);
		if (PF_SEQ_GT(end, src.seqlo))
			src.seqlo = end;
		if (PF_SEQ_GEQ(ack + (win << sws), dst.seqhi))
			dst.seqhi = ack + pf_max1(win << sws);

		if ((flags & TH_SYN) && src.pstate < TCPS_SYN_SENT)
			src.pstate = TCPS_SYN_SENT;
		if ((flags & TH_FIN) && src.pstate < TCPS_CLOSING)
			src.pstate = TCPS_CLOSING;
		if (flags & TH_ACK) {
			if (dst.pstate == TCPS_SYN_SENT)
				dst.pstate = TCPS_ESTABLISHED;
			else if (dst.pstate == TCPS_CLOSING)
				dst.pstate = TCPS_FIN_WAIT_2;
		}
		if (flags & TH_RST)
			src.pstate = dst.pstate = TCPS_TIME_WAIT;
	} else if ((dst.pstate < TCPS_SYN_SENT || dst.pstate >= TCPS_FIN_WAIT_2 ||
		    src.pstate >= TCPS_FIN_WAIT_2) &&
		   PF_SEQ_GEQ(src.seqhi + PF_MAXACKWINDOW, data_end) &&
		   PF_SEQ_GEQ(seq, src.seqlo - PF_MAXACKWINDOW)) {
		/*
		 * Loose branch: shotgunned SYNs before the peer answers, and
		 * the stragglers after a close.  Pass without refreshing the
		 * expiry, so a flood of such packets cannot keep a dead state
		 * alive.  dst.seqhi is not set: this may be a shotgunned SYN.
		 */
		refresh = 0;
		if (src.max_win < win)
			src.max_win = pf_win16(win);
		if (PF_SEQ_GT(end, src.seqlo))
			src.seqlo = end;
		if (PF_SEQ_GEQ(ack + (win << sws), dst.seqhi))
			dst.seqhi = ack + pf_max1(win << sws);
		if ((flags & TH_FIN) && src.pstate < TCPS_CLOSING)
			src.pstate = TCPS_CLOSING;
		if (flags & TH_RST)
			src.pstate = dst.pstate = TCPS_TIME_WAIT;
	} else if (src.pstate == TCPS_SYN_SENT && dst.pstate == TCPS_SYN_SENT) {
		/*
		 * A mismatch during the handshake (OpenBSD sys/net/pf.c
		 * pf_tcp_track_full, "Send RST for state mismatches during
		 * handshake"): the sender, say a stale SYN|ACK's host, is told
		 * with a RST, and its half of the state forgets the sequence
		 * numbers, so its next SYN starts it afresh.  The segment is
		 * still dropped as a state mismatch.
		 */
		reset = 1;
		if (!(flags & TH_RST))
			ev |= PF_TCPR_RST;
		src.seqlo = 0;
		src.seqhi = 1;
		src.max_win = 1;
	} else {
		return PFRES_BADSTATE;
	}

	/* Accepted (or reset): write both peers back. */
	s->seqlo[si & 1] = src.seqlo;
	s->seqhi[si & 1] = src.seqhi;
	s->max_win[si & 1] = src.max_win;
	s->mss[si & 1] = src.mss;
	s->wscale[si & 1] = src.wscale;
	s->pstate[si & 1] = src.pstate;
	s->seqlo[di & 1] = dst.seqlo;
	s->seqhi[di & 1] = dst.seqhi;
	s->max_win[di & 1] = dst.max_win;
	s->mss[di & 1] = dst.mss;
	s->wscale[di & 1] = dst.wscale;
	s->pstate[di & 1] = dst.pstate;

	if (reset) {
		if (s->pstate[0] != old0 || s->pstate[1] != old1)
			ev |= PF_TCPEV_CHANGE;
		return pf_tcpr_make(PFRES_BADSTATE, ev, old0, old1);
	}
	if (refresh) {
		s->expire = now;
		if (src.pstate >= TCPS_FIN_WAIT_2 && dst.pstate >= TCPS_FIN_WAIT_2)
			s->timeout = PFTM_TCP_CLOSED;
		else if (src.pstate >= TCPS_CLOSING && dst.pstate >= TCPS_CLOSING)
			s->timeout = PFTM_TCP_FIN_WAIT;
		else if (src.pstate < TCPS_ESTABLISHED || dst.pstate < TCPS_ESTABLISHED)
			s->timeout = PFTM_TCP_OPENING;
		else if (src.pstate >= TCPS_CLOSING || dst.pstate >= TCPS_CLOSING)
			s->timeout = PFTM_TCP_CLOSING;
		else
			s->timeout = PFTM_TCP_ESTABLISHED;
	}

	sflags = s->flags;
	if (s->wscale[0] && s->wscale[1])
		sflags |= PFSTATE_F_WSCALE;
	else
		sflags &= ~PFSTATE_F_WSCALE;

	/* One state-change event per segment that moved a peer (pf fires one
	 * per peer; old_pstate carries both peers' previous states). */
	if (s->pstate[0] != old0 || s->pstate[1] != old1)
		ev |= PF_TCPEV_CHANGE;
	/* Once-per-state milestones for pftrace's tcp-established/closed. */
	if (!(sflags & PFSTATE_F_ESTAB_SEEN) && s->pstate[0] == TCPS_ESTABLISHED &&
	    s->pstate[1] == TCPS_ESTABLISHED) {
		sflags |= PFSTATE_F_ESTAB_SEEN;
		ev |= PF_TCPEV_ESTAB;
	}
	if (!(sflags & PFSTATE_F_CLOSED_SEEN) && s->pstate[0] >= TCPS_FIN_WAIT_2 &&
	    s->pstate[1] >= TCPS_FIN_WAIT_2) {
		sflags |= PFSTATE_F_CLOSED_SEEN;
		ev |= PF_TCPEV_CLOSED;
	}
	s->flags = sflags;
	return pf_tcpr_make(0, ev, old0, old1);
}

/*
 * pf_tcp_track under the state's lock (pf_lock.h), with the state's
 * packet and byte counters, which the two CPUs would otherwise race on
 * too.  The lock is taken by the id read here; a state found unlinked or
 * reused for another connection under the lock is PF_TCPR_GONE.  Nothing
 * between lock and unlock calls a helper (the verifier insists).
 */
static __always_inline __u32 pf_tcp_test(const struct pf_state_key *key, struct pf_state *s,
					 const struct pf_pkt *pkt, __u32 now, int si)
{
	__u64 id = s->id;
	struct pf_state_lock *lk = pf_state_lock_of(id);
	__u32 r;

	if (!lk)
		return PF_TCPR_GONE;
	bpf_spin_lock(&lk->lock);
	if (!pf_state_live(s, id)) {
		bpf_spin_unlock(&lk->lock);
		return PF_TCPR_GONE;
	}
	r = pf_tcp_track(key, s, pkt, now);
	if (!pf_tcpr_reason(r)) {
		s->packets[si & 1]++;
		s->bytes[si & 1] += pkt->tot_len;
	}
	bpf_spin_unlock(&lk->lock);
	return r;
}

/*
 * Emit the events pf_tcp_track asked for.  Kept out of pf_tcp_track so
 * that it calls nothing and its frame stays small: the chain of BPF calls
 * shares one 512-byte stack.
 */
static __always_inline void pf_tcp_events(const struct pf_state_key *key, const struct pf_state *s,
					  __u32 r)
{
	if (r & PF_TCPEV_CHANGE)
		pf_event_state(key, s, PF_EVI_OLD(PF_EV_STATE_CHANGE, pf_tcpr_old(r, 0),
						  pf_tcpr_old(r, 1)));
	if (r & PF_TCPEV_ESTAB) {
		pf_halfopen_add(-1); /* no longer half-open (pf_maps.h) */
		pf_event_state(key, s, PF_EVI(PF_EV_TCP_ESTABLISHED, 0));
	}
	if (r & PF_TCPEV_CLOSED)
		pf_event_state(key, s, PF_EVI(PF_EV_TCP_CLOSED, 0));
}

#endif /* PF_TCP_H */
