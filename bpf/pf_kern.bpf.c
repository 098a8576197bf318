// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pf_kern.bpf.c - pfbpf's datapath: pf's state table and rule evaluation in
 * XDP (ingress) and tc clsact (ingress and egress), plus the pf_ctl syscall
 * program that user space runs to kill, add and expire states.
 *
 * One core function, pf_test(), does what pf's pf_test() does for a packet:
 * parse, look the state up (tracking TCP), or evaluate the ruleset and
 * create a state, then count.  The three packet programs only adapt their
 * context to it.  See docs/datapath.md.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "pf_maps.h"
#include "pf_parse.h"
#include "pf_events.h"
#include "pf_state.h"
#include "pf_tcp.h"
#include "pf_icmp_state.h"
#include "pf_sweep.h"
#include "pf_cls.h"
#include "pf_kill.h"
#include "pf_return.h"
#include "pf_syncookie.h"
#include "pf_synproxy.h"
#include "pf_errno.h"
#include "pf_nat.h"
#include "pf_nat_rewrite.h"
#include "pf_nat_icmp.h"
#include "pf_fwd.h"

#define PF_TC_ACT_OK 0
#define PF_TC_ACT_SHOT 2
#define PF_BPF_F_INGRESS 1

/* Per-interface counters: created on an interface's first packet. */
static __noinline int pf_ifctr_count(const struct pf_pkt *pkt, int action, int new_state)
{
	struct pf_if_counters *c;
	__u32 afi, di, vi = action != PF_PASS, ifindex;

	if (!pkt)
		return 0;
	ifindex = pkt->ifindex;
	afi = pkt->af == PF_INET6;
	di = pkt->dir == PF_OUT;
	c = bpf_map_lookup_elem(&pf_ifctr, &ifindex);
	if (!c) {
		struct pf_if_counters zero = {};

		bpf_map_update_elem(&pf_ifctr, &ifindex, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&pf_ifctr, &ifindex);
		if (!c)
			return 0;
	}
	c->packets[afi & 1][di & 1][vi & 1]++;
	c->bytes[afi & 1][di & 1][vi & 1] += pkt->tot_len;
	if (new_state)
		c->states++;
	return 0;
}

/*
 * The datagram a fragment belongs to (pf_frags key): under
 * PF_FRAG_STATEFUL later fragments pass only if the first fragment of the
 * same datagram passed.
 */
static __always_inline void pf_frag_key(const struct pf_pkt *pkt, const struct pf_parse_aux *aux,
					struct pf_frag_key *fk)
{
	__builtin_memset(fk, 0, sizeof(*fk));
	__builtin_memcpy(&fk->src, &pkt->src, sizeof(fk->src));
	__builtin_memcpy(&fk->dst, &pkt->dst, sizeof(fk->dst));
	fk->id = aux->frag_id;
	fk->af = pkt->af;
	/* IPv6: the fragment header's next header, the same in every
	 * fragment (the walk of a later fragment stops there). */
	fk->proto = pkt->af == PF_INET6 ? aux->frag_nh : pkt->proto;
}

/* What pf_test_icmp_err found. */
enum {
	PF_ICMPERR_STATE = 0,   /* the quoted packet's state: pass */
	PF_ICMPERR_NOSTATE = 1, /* none (or not for this addressee): the ruleset decides */
	PF_ICMPERR_DROP = 2,    /* drop, sc->reason set */
};

/*
 * An ICMP or ICMPv6 error: find the state of the packet it quotes
 * (pf_test_state_icmp).  The quoted packet travelled the other way, so its
 * key was built for the opposite direction.  Returns PF_ICMPERR_*.
 */
static __noinline int pf_test_icmp_err(struct pf_scratch *sc)
{
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_config *cfg = pf_config_get();
	struct pf_gcount *g = pf_gcount_get();
	struct pf_state_key k;
	struct pf_state *s;
	__u32 now;
	int si, di;

	if (!sc || !st || !cfg || !g)
		return PF_ICMPERR_NOSTATE;
	now = sc->now;
	if (sc->inner_res == PF_INNER_BAD)
		return PF_ICMPERR_DROP;
	if (sc->inner_res != PF_INNER_OK)
		return PF_ICMPERR_NOSTATE;
	/*
	 * An error goes back to the sender of the packet it quotes: its
	 * destination must be the quote's source.  pf sets BADSTATE and
	 * lets the ruleset decide (pf_test_state_icmp "BAD ICMP outer dst");
	 * the reason is counted here, as pf's REASON_SET counts it then.
	 */
	if ((sc->pkt.dst.addr32[0] ^ sc->inner.src.addr32[0]) |
	    (sc->pkt.dst.addr32[1] ^ sc->inner.src.addr32[1]) |
	    (sc->pkt.dst.addr32[2] ^ sc->inner.src.addr32[2]) |
	    (sc->pkt.dst.addr32[3] ^ sc->inner.src.addr32[3])) {
		st->counters[PFRES_BADSTATE]++;
		return PF_ICMPERR_NOSTATE;
	}
	pf_key_from_pkt(&sc->inner, sc->inner.dir, &k);
	st->fcounters[FCNT_STATE_SEARCH]++;
	s = bpf_map_lookup_elem(&pf_states, &k);
	/* the quote of a translated packet: either of its keys finds it */
	if (pf_nat_gate(cfg, g))
		s = pf_nat_icmp_err_state(sc, &k, s);
	if (!s)
		return PF_ICMPERR_NOSTATE;
	if (pf_state_expired(s, cfg, g->states, now)) {
		pf_state_remove(&k, s, pf_expire_reason(s, k.proto));
		return PF_ICMPERR_NOSTATE;
	}
	/* A quoted ICMP message: its state in its own direction (pf's
	 * pf_icmp_state_lookup with inner set; inner.dir is reversed already). */
	if ((sc->inner.proto == IPPROTO_ICMP || sc->inner.proto == PF_IPPROTO_ICMPV6) &&
	    !pf_icmp_dir_ok(s, sc->inner.dir,
			    pf_icmp_mapping(sc->inner.af, sc->inner.icmp_type).dir))
		return PF_ICMPERR_NOSTATE;
	if (sc->inner.proto == IPPROTO_TCP) {
		/* The quoted segment was sent by the peer the error goes back to:
		 * its sequence number must lie in that peer's window. */
		__u32 seq = sc->inner.seq, lo, hi, mw;
		__u8 ws_s, ws_d, dws;

		si = sc->pkt.dir == pf_state_dir(s) ? 1 : 0;
		di = !si;
		ws_s = s->wscale[si & 1];
		ws_d = s->wscale[di & 1];
		dws = (ws_s && ws_d) ? (ws_d & PF_WSCALE_MASK) : 0;
		lo = s->seqlo[si & 1];
		hi = s->seqhi[si & 1];
		mw = s->max_win[di & 1];
		if (!PF_SEQ_GEQ(hi, seq) || !PF_SEQ_GEQ(seq, lo - (mw << dws))) {
			sc->reason = PFRES_BADSTATE;
			return PF_ICMPERR_DROP;
		}
	}
	si = sc->pkt.dir == pf_state_dir(s) ? 0 : 1;
	s->packets[si & 1]++;
	s->bytes[si & 1] += sc->pkt.tot_len;
	return PF_ICMPERR_STATE;
}

/* Rule counters of the rule that made a state, for the state's packets. */
static __always_inline void pf_rulectr_count(__u32 ridx, const struct pf_pkt *pkt)
{
	struct pf_rule_counters *rc = bpf_map_lookup_elem(&pf_rulectr, &ridx);
	__u32 di = pkt->dir == PF_OUT;

	if (rc) {
		rc->packets[di & 1]++;
		rc->bytes[di & 1] += pkt->tot_len;
	}
}

/* Did the rule that made a state say allow-opts (pf's PFSTATE_ALLOWOPTS)?
 * The state says so itself: its rule may be out of every ruleset now. */
static __always_inline __u32 pf_state_allow_opts(const struct pf_state *s)
{
	return !!(s->flags & PFSTATE_F_ALLOWOPTS);
}

#define PF_NEED_RULES 2 /* pf_process: no state, the ruleset decides */

/*
 * Run the classifier (bpf/pf_cls.h) into sc->m.  Its own function, called
 * from the program itself rather than below pf_process, because the
 * classifier's evaluation needs most of the 512-byte stack budget that a
 * chain of BPF calls shares.
 */
__noinline int pf_classify(struct pf_scratch *sc)
{
	struct pf_config *cfg = pf_config_get();

	if (!sc)
		return 0;
	sc->m.idx = PF_RULE_NONE;
	sc->m.slot = 0;
	sc->m.stop = 0;
	if (!cfg)
		return 0;
	return pf_cls_eval(&sc->pkt, cfg, &sc->m);
}

/*
 * The packet has no state and the classifier has chosen sc->m: apply the
 * rule, maybe create a state (pf_test_rule).  Returns PF_PASS or PF_DROP
 * with sc->reason.
 */
__noinline int pf_test_rule(struct pf_scratch *sc)
{
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_config *cfg = pf_config_get();
	struct pf_state_origin o = {};
	struct pf_rule_counters *rc;
	struct pf_rule_bpf *r = 0;
	const struct pf_pkt *pkt;
	__u32 ridx = 0, *reason;
	struct pf_rule_match m;
	int err, icmp_err;

	if (!sc || !st || !cfg)
		return PF_PASS;
	pkt = &sc->pkt;
	reason = &sc->reason;
	m = sc->m;
	icmp_err = sc->icmp_err;

	if (m.slot < PF_RULESET_SLOTS && m.stop < PF_MAX_RULES) {
		ridx = m.slot * PF_MAX_RULES + m.stop;
		rc = bpf_map_lookup_elem(&pf_rulectr, &ridx);
		if (rc)
			rc->stops++;
	}
	if (m.idx != PF_RULE_NONE && m.idx < PF_MAX_RULES && m.slot < PF_RULESET_SLOTS) {
		ridx = m.slot * PF_MAX_RULES + m.idx;
		r = bpf_map_lookup_elem(&pf_rules, &ridx);
		/* from here on the rule's identity: its id (a rule without
		 * one, from an old loader, counts nowhere) */
		ridx = r ? r->rid : 0;
	}
	/* The translation rule matched but its pool had nothing (pf drops). */
	if (sc->nat.fail) {
		*reason = sc->nat.fail;
		return PF_DROP;
	}
	/* No rule matched (or an empty ruleset): pf's default is pass, no state
	 * (and, as pf's default rule, no allow-opts) -- unless the packet is
	 * translated: a translation always has a state (pf_test_rule). */
	if (!r) {
		if (!sc->nat.pending || icmp_err)
			return PF_PASS;
		o.rule_nr = PF_RULE_NONE;
		o.slot = m.slot;
		goto create;
	}
	if (r->rule_flag & PFRULE_ALLOWOPTS)
		sc->allow_opts = 1;
	if (ridx)
		pf_rulectr_count(ridx, pkt);
	st->counters[PFRES_MATCH]++;
	if (r->action != PF_PASS) {
		pf_nat_undo(sc);
		*reason = PFRES_MATCH;
		if (icmp_err)
			st->icmp_err_nostate++;
		else
			pf_block_return(sc, r, cfg);
		return PF_DROP;
	}
	/* ICMP errors never create states (pf's state_icmp). */
	if ((r->keep_state == PF_STATE_NONE && !sc->nat.pending) || icmp_err)
		return PF_PASS;
	o.rule_nr = r->rid ? r->rid : PF_RULE_NONE;
	o.slotidx = ridx;
	o.allow_opts = !!(r->rule_flag & PFRULE_ALLOWOPTS);
	o.max_states = r->max_states;
	o.tprofile = r->tprofile;
	o.log = r->log;
	o.slot = m.slot;
create:
	/*
	 * States are created only by a SYN without ACK (and without RST):
	 * anything else claiming a connection we have no state for is a
	 * state mismatch, whatever flags the rule was written with.
	 */
	if (pkt->proto == IPPROTO_TCP && (pkt->tcp_flags & (TH_SYN | TH_ACK | TH_RST)) != TH_SYN) {
		*reason = PFRES_BADSTATE;
		return PF_DROP;
	}
	/* Under a SYN flood (or always): answer with a cookie, keep no state.
	 * Not the SYN recreated from a returned cookie: it is proxied. */
	if (pkt->proto == IPPROTO_TCP && pkt->dir == PF_IN && !icmp_err && !sc->sp_cookie &&
	    pf_synflood_check()) {
		pf_nat_undo(sc);
		pf_syncookie_syn(sc);
		return PF_DROP;
	}
	if (sc->nat.pending)
		err = pf_nat_create(sc, &o);
	else
		err = pf_state_create(pkt, &sc->key, &o, 0);
	if (err) {
		*reason = err;
		return PF_DROP;
	}
	rc = r && ridx ? bpf_map_lookup_elem(&pf_rulectr, &ridx) : 0;
	if (rc)
		rc->states_tot++;
	sc->new_state = 1;
	/* a returned cookie: the state is proxied, the server gets the SYN */
	if (sc->sp_cookie) {
		err = pf_synproxy_begin(sc, PF_SP_PROXY_DST);
		if (err) {
			*reason = err;
			return PF_DROP;
		}
	} else if (r && r->keep_state == PF_STATE_SYNPROXY && pkt->proto == IPPROTO_TCP &&
		   pkt->dir == PF_IN) {
		/* synproxy state: we answer the SYN (PROXY_SRC) */
		err = pf_synproxy_src(sc);
		*reason = err ? err : PFRES_SYNPROXY;
		return PF_DROP;
	}
	return PF_PASS;
}

/*
 * Everything after parsing: fragments, ICMP errors, the state lookup (with
 * TCP tracking) or the ruleset.  A global function so the verifier checks
 * it once, not once per way the parser can reach it; it touches no packet
 * memory, only the parsed copy in the scratch.  Returns PF_PASS / PF_DROP.
 */
__noinline int pf_process(struct pf_scratch *sc)
{
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_config *cfg = pf_config_get();
	struct pf_gcount *g = pf_gcount_get();
	struct pf_state_key *key;
	struct pf_state *s;
	int r;
	__u32 now;

	if (!sc || !st || !cfg || !g)
		return PF_PASS;
	now = sc->now;
	key = &sc->key;

	if (sc->pkt.frag != PF_FRAGK_NONE) {
		if (cfg->frag_policy == PF_FRAG_DROP) {
			sc->reason = PFRES_FRAG;
			return PF_DROP;
		}
		if (sc->pkt.frag == PF_FRAGK_LATER) {
			struct pf_frag_key fk;
			struct pf_frag_val *fv;

			pf_frag_key(&sc->pkt, &sc->aux, &fk);
			fv = bpf_map_lookup_elem(&pf_frags, &fk);
			if (!fv || fv->expire < now || fv->action != PF_PASS) {
				sc->reason = PFRES_FRAG;
				return PF_DROP;
			}
			sc->allow_opts = fv->allow_opts;
			if (fv->xlate) {
				/* no transport header here: the addresses only */
				pf_nat_begin(&sc->nat, &sc->pkt);
				sc->nat.nsrc = fv->nsrc;
				sc->nat.ndst = fv->ndst;
				sc->nat.on = 1;
			}
			return PF_PASS;
		}
	}

	pf_key_from_pkt(&sc->pkt, sc->pkt.dir, key);
	if (sc->inner_res != PF_INNER_NONE) {
		r = pf_test_icmp_err(sc);
		if (r == PF_ICMPERR_STATE)
			return PF_PASS;
		if (r == PF_ICMPERR_DROP)
			return PF_DROP;
		sc->icmp_err = 1;
		return PF_NEED_RULES;
	}

	st->fcounters[FCNT_STATE_SEARCH]++;
	/* a translating state: either of its keys leads to it (pf_nat.h) */
	if (pf_nat_gate(cfg, g))
		pf_nat_lookup(sc);
	if (sc->pkt.proto == IPPROTO_ICMP || sc->pkt.proto == PF_IPPROTO_ICMPV6) {
		/* Queries by role, other types one way, ICMPv6 multicast
		 * answers (pf_icmp_state.h). */
		int found;

		s = pf_icmp_find(&sc->pkt, key, &found);
		if (found == PF_ICMPQ_WRONGDIR) {
			sc->reason = PFRES_BADSTATE;
			return PF_DROP;
		}
	} else {
		s = bpf_map_lookup_elem(&pf_states, key);
	}
	if (!s && sc->nat.via != PF_NATV_NONE)
		pf_nat_stale(sc);
	if (s && (s->flags & PFSTATE_F_IFBOUND) && s->ifindex != sc->pkt.ifindex)
		s = 0;
	if (s && pf_state_expired(s, cfg, g->states, now)) {
		pf_state_remove(key, s, pf_expire_reason(s, key->proto));
		s = 0;
	}
	if (s && sc->pkt.proto == IPPROTO_TCP &&
	    (sc->pkt.tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN &&
	    s->pstate[0] >= TCPS_FIN_WAIT_2 && s->pstate[1] >= TCPS_FIN_WAIT_2) {
		/* A new connection reusing the ports of a closed one: the old
		 * state goes and the SYN is evaluated afresh. */
		pf_state_remove(key, s, pf_expire_reason(s, key->proto));
		s = 0;
	}
	if (s) {
		int si = sc->pkt.dir == pf_state_dir(s) ? 0 : 1;

		if (sc->pkt.proto == IPPROTO_TCP) {
			/* a proxied state: its handshake, or seqdiff (pf_synproxy.h) */
			if (pf_synproxy_gate_open()) {
				r = pf_synproxy_test(sc, s->id, si);
				if (r == PF_SPR_PASS)
					return PF_PASS;
				if (r == PF_SPR_DROP)
					return PF_DROP;
			}
			r = pf_tcp_test(key, s, &sc->pkt, now, si);
			if (pf_tcpr_gone(r))
				return PF_NEED_RULES;
			pf_tcp_events(key, s, r);
			if (pf_tcpr_rst(r))
				sc->ret = PF_RET_RST; /* answered by the block-return code */
			if (pf_tcpr_reason(r)) {
				sc->reason = pf_tcpr_reason(r);
				return PF_DROP;
			}
			if (s->rule != PF_RULE_NONE)
				pf_rulectr_count(pf_state_slotidx(s), &sc->pkt);
			sc->fwd_ok = pf_fwd_established(s, IPPROTO_TCP);
			return PF_PASS;
		} else if (sc->pkt.proto == IPPROTO_ICMP || sc->pkt.proto == PF_IPPROTO_ICMPV6) {
			s->expire = now;
			s->timeout = PFTM_ICMP_ERROR_REPLY;
		} else {
			pf_state_update_simple(key, s, si, sc->pkt.proto, now);
		}
		s->packets[si & 1]++;
		s->bytes[si & 1] += sc->pkt.tot_len;
		if (s->rule != PF_RULE_NONE) {
			pf_rulectr_count(pf_state_slotidx(s), &sc->pkt);
			if (sc->aux.ip_opts)
				sc->allow_opts = pf_state_allow_opts(s);
		}
		sc->fwd_ok = pf_fwd_established(s, sc->pkt.proto);
		return PF_PASS;
	}

	/*
	 * An inbound ACK with no state may return a syncookie (pf_test,
	 * after pf_test_state, before the ruleset).  A good one recreates
	 * the client's SYN, which the ruleset judges; if it makes a state,
	 * that state is proxied (PROXY_DST, pf_synproxy.h).  While cookies
	 * are out, a bad one is counted and dropped as a state mismatch.
	 */
	if (sc->pkt.proto == IPPROTO_TCP && sc->pkt.dir == PF_IN &&
	    (sc->pkt.tcp_flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) == TH_ACK) {
		r = pf_syncookie_ack(sc);
		if (r < 0) {
			sc->reason = PFRES_BADSTATE;
			return PF_DROP;
		}
		if (r > 0)
			pf_synproxy_recreate(sc);
	}
	return PF_NEED_RULES;
}

/* A first fragment that passed lets the rest of its datagram through. */
static __noinline void pf_frag_record(struct pf_scratch *sc)
{
	struct pf_config *cfg = pf_config_get();
	struct pf_frag_val fv = { .action = PF_PASS };
	struct pf_frag_key fk;

	if (!cfg || !sc)
		return;
	fv.allow_opts = !!sc->allow_opts;
	fv.expire = sc->now + pf_timeout_global(cfg, PFTM_FRAG);
	pf_frag_key(&sc->pkt, &sc->aux, &fk);
	if (sc->nat.on) {
		/* the later fragments arrive as the first did, before
		 * translation (the filter may have seen it translated) */
		__builtin_memcpy(&fk.src, &sc->nat.osrc, sizeof(fk.src));
		__builtin_memcpy(&fk.dst, &sc->nat.odst, sizeof(fk.dst));
		fv.xlate = 1;
		fv.nsrc = sc->nat.nsrc;
		fv.ndst = sc->nat.ndst;
	}
	bpf_map_update_elem(&pf_frags, &fk, &fv, BPF_ANY);
}


/*
 * Parse the frame (and the packet an ICMP error quotes) into the scratch.
 * Returns PF_PARSE_*; a drop leaves its reason in sc->reason.
 */
static __always_inline int pf_parse_all(void *data, void *data_end, __u32 pkt_len,
					struct pf_scratch *sc)
{
	__u32 reason = PFRES_MAX, l4 = 0, l3e = 0;
	int r;

	r = pf_parse(data, data_end, pkt_len, &sc->pkt, &sc->aux, &reason);
	if (r != PF_PARSE_OK) {
		sc->reason = reason;
		return r;
	}
	if (sc->aux.icmp_class != PF_ICMP_ERROR ||
	    (sc->pkt.proto != IPPROTO_ICMP && sc->pkt.proto != PF_IPPROTO_ICMPV6))
		return r;
	__builtin_memset(&sc->inner, 0, sizeof(sc->inner));
	__builtin_memset(&sc->iaux, 0, sizeof(sc->iaux));
	sc->inner.dir = sc->pkt.dir == PF_IN ? PF_OUT : PF_IN;
	sc->inner_res = PF_INNER_OK;
	if (pf_parse_ip(data, data_end, 0, sc->pkt.af, sc->aux.quote_off, &sc->inner, &sc->iaux,
			&l4, &l3e, &reason, 1) != PF_PARSE_OK)
		sc->inner_res = PF_INNER_BAD;
	else if (sc->inner.frag == PF_FRAGK_LATER) {
		/* pf_test_state_icmp: an ICMP error never refers to a later
		 * fragment (it has no transport header to match): drop. */
		sc->inner_res = PF_INNER_BAD;
		reason = PFRES_FRAG;
	} else if (pf_parse_l4(data, data_end, l4, l3e, &sc->inner, &sc->iaux, &reason, 1) !=
		 PF_PARSE_OK)
		sc->inner_res = PF_INNER_BAD;
	else if (sc->iaux.icmp_class == PF_ICMP_ERROR)
		sc->inner_res = PF_INNER_NOSTATE;
	if (sc->inner_res == PF_INNER_BAD)
		sc->reason = reason;
	return r;
}

/*
 * The parsers are global functions, one per context type, so the verifier
 * walks the many ways through Ethernet/VLAN/IPv6 extension headers once,
 * instead of once for every path through the rest of the program.
 */
__noinline int pf_parse_xdp(struct xdp_md *ctx, struct pf_scratch *sc)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (!sc)
		return PF_PARSE_NONIP;
	return pf_parse_all(data, data_end, data_end - data, sc);
}

__noinline int pf_parse_skb(struct __sk_buff *skb, struct pf_scratch *sc)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	if (!sc)
		return PF_PARSE_NONIP;
	return pf_parse_all(data, data_end, skb->len, sc);
}

/* Prepare the scratch for a packet; NULL: pass without looking (pfctl -d). */
static __always_inline struct pf_scratch *pf_begin(__u8 dir, __u32 ifindex)
{
	struct pf_config *cfg = pf_config_get();
	struct pf_gcount *g = pf_gcount_get();
	struct pf_scratch *sc = pf_scratch_get();

	if (!cfg || !g || !sc || cfg->stopped)
		return 0;
	if (!g->timer_armed)
		pf_timer_arm(cfg, g);
	__builtin_memset(&sc->pkt, 0, sizeof(sc->pkt));
	__builtin_memset(&sc->aux, 0, sizeof(sc->aux));
	sc->reason = PFRES_MAX;
	sc->inner_res = PF_INNER_NONE;
	sc->new_state = 0;
	sc->allow_opts = 0;
	sc->icmp_err = 0;
	sc->nat.on = 0;
	sc->nat.pending = 0;
	sc->nat.natpass = 0;
	sc->nat.alloc = 0;
	sc->nat.dynif = 0;
	sc->nat.late = 0;
	sc->nat.fail = 0;
	sc->nat.ierr = 0;
	sc->nat.via = PF_NATV_NONE;
	sc->fwd_ok = 0;
	sc->ret = PF_RET_NONE;
	sc->sp_act = PF_SPA_NONE;
	sc->sp_cookie = 0;
	sc->now = pf_now();
	sc->pkt.dir = dir;
	sc->pkt.ifindex = ifindex;
	return sc;
}

/* pf_test() after parsing: the verdict, and the counters pf_status keeps. */
/*
 * A packet no state knows, before and after the filter rules: the
 * translation rules (pf_nat.h).  Inlined into each program: a `($if)` pool
 * asks the route, which needs the program's context.
 */
static __always_inline void pf_rules_with_nat(void *ctx, struct pf_scratch *sc)
{
	struct pf_config *cfg = pf_config_get();
	int nat;

	if (!cfg)
		return;
	if (sc->nat.on) {
		/* a state found through pf_natmap and then gone (expired, a
		 * new SYN on a closed connection): start from the packet */
		sc->nat.on = 0;
		pf_key_from_pkt(&sc->pkt, sc->pkt.dir, &sc->key);
	}
	nat = cfg->nat_rules[cfg->active & 1] != 0;
	if (nat) {
		pf_nat_prepare(sc);
		if (sc->nat.dynif)
			pf_nat_dynif(ctx, sc);
	}
	if (sc->nat.natpass) {
		/* `nat pass` / `rdr pass`: the filter rules are not asked */
		sc->m.idx = PF_RULE_NONE;
		sc->m.slot = cfg->active & 1;
		sc->m.stop = PF_MAX_RULES;
	} else {
		pf_classify(sc);
	}
	if (nat && !sc->nat.pending) {
		pf_nat_late(sc);
		if (sc->nat.dynif)
			pf_nat_dynif(ctx, sc);
	}
}

static __always_inline int pf_finish(void *ctx, struct pf_scratch *sc, int r)
{
	struct pf_status_pcpu *st = pf_status_get();
	int action = PF_DROP;
	__u32 reason;

	if (!st)
		return PF_PASS;
	if (r == PF_PARSE_NONIP) {
		st->unhandled++;
		return PF_PASS;
	}
	if (r == PF_PARSE_OK) {
		action = pf_process(sc);
		if (action == PF_NEED_RULES) {
			pf_rules_with_nat(ctx, sc);
			action = pf_test_rule(sc);
			/* a returned cookie passed with no state: nothing can
			 * proxy it (pf finds no state and drops it) */
			if (action == PF_PASS && sc->sp_cookie && !sc->new_state) {
				action = PF_DROP;
				sc->reason = PFRES_SYNPROXY;
			}
		}
		/*
		 * pf_test: a packet with IPv4 options passes only by a rule, or
		 * a state made by a rule, that says allow-opts (the default
		 * rule does not); else it is dropped as ip-option.
		 */
		if (action == PF_PASS && sc->aux.ip_opts && !sc->allow_opts) {
			action = PF_DROP;
			sc->reason = PFRES_IPOPTIONS;
		}
		/* Every passing first fragment (by a state or a rule) lets the
		 * rest of its datagram through. */
		if (action == PF_PASS && sc->pkt.frag == PF_FRAGK_FIRST)
			pf_frag_record(sc);
	}
	reason = sc->reason;
	/* PFRES_MATCH was counted when the rule matched (pf's REASON_SET). */
	if (reason < PFRES_MAX && reason != PFRES_MATCH)
		st->counters[reason]++;
	if (sc->pkt.af) {
		__u32 afi = sc->pkt.af == PF_INET6, di = sc->pkt.dir == PF_OUT;

		st->pcounters[afi & 1][di & 1][action & 1]++;
		st->bcounters[afi & 1][di & 1] += sc->pkt.tot_len;
		pf_ifctr_count(&sc->pkt, action, sc->new_state);
	}
	return action;
}

/* The headers were not where the parser left them: counted, dropped. */
static __always_inline int pf_nat_rewrite_failed(struct pf_scratch *sc)
{
	struct pf_status_pcpu *st = pf_status_get();

	if (st)
		st->counters[PFRES_SHORT]++;
	return PF_DROP;
}

/* Packet event for pftrace's ip provider, only while someone listens. */
static __always_inline void pf_trace(void *data, void *data_end, struct pf_scratch *sc, int action,
				     __u8 hook)
{
	struct pf_config *cfg = pf_config_get();
	__u8 dir = sc->pkt.dir;

	if (cfg && sc->pkt.af &&
	    (cfg->trace & (dir == PF_IN ? PF_TRACE_IP_RECEIVE : PF_TRACE_IP_SEND)))
		pf_event_ip(data, data_end, sc->aux.l3_off, &sc->pkt,
			    dir == PF_IN ? PF_EV_IP_RECEIVE : PF_EV_IP_SEND, action, hook);
}

SEC("xdp")
int pf_xdp(struct xdp_md *ctx)
{
	struct pf_scratch *sc = pf_begin(PF_IN, ctx->ingress_ifindex);
	int action;

	if (!sc)
		return XDP_PASS;
	action = pf_finish(ctx, sc, pf_parse_xdp(ctx, sc));
	if (action == PF_PASS && sc->nat.on &&
	    (sc->nat.ierr ? pf_nat_icmperr_xdp(ctx, sc) :
			    pf_nat_rewrite_xdp(ctx, &sc->pkt, &sc->aux, &sc->nat)))
		action = pf_nat_rewrite_failed(sc);
	pf_trace((void *)(long)ctx->data, (void *)(long)ctx->data_end, sc, action, PF_HOOK_XDP);
	if (action == PF_PASS && sc->sp_act)
		return pf_synproxy_xdp(ctx, sc);
	if (action == PF_PASS)
		return XDP_PASS;
	/* block return: the frame becomes its answer (bpf/pf_return.h) and
	 * goes back out of the interface it came in on */
	return pf_xdp_return(ctx, sc) ? XDP_DROP : XDP_TX;
}

static __always_inline int pf_tc(struct __sk_buff *skb, __u8 dir)
{
	struct pf_scratch *sc;
	__u32 len = skb->len;
	int action;

	/* Headers must be in the linear part for direct access; GRO'd or
	 * paged skbs may hold less.  512 bytes covers every header we read. */
	if ((__u32)(skb->data_end - skb->data) < len)
		bpf_skb_pull_data(skb, len < 512 ? len : 512);
	sc = pf_begin(dir, skb->ifindex);
	if (!sc)
		return PF_TC_ACT_OK;
	action = pf_finish(skb, sc, pf_parse_skb(skb, sc));
	if (action == PF_PASS && sc->nat.on &&
	    (sc->nat.ierr ? pf_nat_icmperr_skb(skb, sc) :
			    pf_nat_rewrite_skb(skb, &sc->pkt, &sc->aux, &sc->nat)))
		action = pf_nat_rewrite_failed(sc);
	pf_trace((void *)(long)skb->data, (void *)(long)skb->data_end, sc, action, PF_HOOK_TC);
	if (action == PF_PASS && sc->sp_act)
		return pf_synproxy_tc(skb, sc);
	if (action == PF_PASS) {
		if (dir == PF_IN && sc->fwd_ok) {
			int fr = pf_fwd_skb(skb, sc);

			if (fr >= 0)
				return fr;
		}
		return PF_TC_ACT_OK;
	}
	/*
	 * block return from tc: turn the packet into its answer (a RST, or an
	 * ICMP error quoting it) and hand it back the way it came: to the
	 * local stack for an outbound packet (the application sees the
	 * connection refused at once), out of the interface for an inbound
	 * one.
	 */
	if (!pf_tc_return(skb, sc))
		return bpf_redirect(skb->ifindex, dir == PF_OUT ? PF_BPF_F_INGRESS : 0);
	return PF_TC_ACT_SHOT;
}

SEC("tc/ingress")
int pf_tc_in(struct __sk_buff *skb)
{
	return pf_tc(skb, PF_IN);
}

SEC("tc/egress")
int pf_tc_out(struct __sk_buff *skb)
{
	return pf_tc(skb, PF_OUT);
}

/* ---- pf_ctl: what user space asks of the state table ------------------- */

/* The kill filter is include/pf_kill.h's, shared with libpfbpf. */
struct pf_kill_ctx {
	struct pf_kill_filter f;
	__u64 count;
	__u8 reason;
	__u8 pad[7];
};

static long pf_kill_cb(struct bpf_map *map, struct pf_state_key *key, struct pf_state *s,
		       struct pf_kill_ctx *c)
{
	__u32 creator = pf_creatorid(s, pf_config_get());
	struct pf_state_key stack;

	/* a translating state is killed by either of its keys */
	pf_nat_stack_key(key, &stack);
	if (!pf_kill_match(&c->f, key, s, creator) && !pf_kill_match(&c->f, &stack, s, creator))
		return 0;
	if (pf_state_remove(key, s, c->reason))
		c->count++;
	return 0;
}

/* DIOCADDSTATE: insert a state from user space, under the same limit. */
static __always_inline int pf_ctl_add(struct pf_ctl_req *req, struct pf_config *cfg,
				      struct pf_gcount *g, struct pf_status_pcpu *st)
{
	struct pf_state_key k;
	struct pf_state s;
	__u32 now = pf_now_exact(); /* a syscall program: no coarse clock */

	__builtin_memcpy(&k, &req->key, sizeof(k));
	__builtin_memcpy(&s, &req->state, sizeof(s));
	k.pad[0] = k.pad[1] = 0;
	if (k.af != PF_INET && k.af != PF_INET6)
		return -EINVAL;
	if (__sync_fetch_and_add(&g->states, 1) >= (__s64)pf_config_limit_states(cfg)) {
		__sync_fetch_and_add(&g->states, -1);
		st->counters[PFRES_MAXSTATES]++;
		st->lcounters[LCNT_STATES]++;
		return -ENOSPC;
	}
	if (!s.id)
		s.id = cfg->state_id_base + __sync_fetch_and_add(&g->next_id, 1) + 1;
	if (!s.creation)
		s.creation = now;
	if (!s.expire)
		s.expire = now;
	if (s.timeout >= PFTM_MAX)
		s.timeout = PFTM_TCP_ESTABLISHED;
	s.flags |= PFSTATE_F_IMPORTED;
	if (bpf_map_update_elem(&pf_states, &k, &s, BPF_NOEXIST)) {
		__sync_fetch_and_add(&g->states, -1);
		st->counters[PFRES_STATEINS]++;
		return -EEXIST;
	}
	st->fcounters[FCNT_STATE_INSERT]++;
	if (k.proto == IPPROTO_TCP && !(s.flags & PFSTATE_F_ESTAB_SEEN))
		pf_halfopen_add(1);
	if (s.rule != PF_RULE_NONE) {
		__u32 ridx = pf_state_slotidx(&s), *n = bpf_map_lookup_elem(&pf_rulestates, &ridx);

		if (n)
			__sync_fetch_and_add(n, 1);
	}
	pf_event_state(&k, &s, PF_EVI(PF_EV_STATE_CREATE, 0));
	return 0;
}

SEC("syscall")
int pf_ctl(struct pf_ctl_req *req)
{
	struct pf_config *cfg = pf_config_get();
	struct pf_gcount *g = pf_gcount_get();
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_kill_ctx kc = {};
	int i, err = 0;

	if (!cfg || !g || !st)
		return -ENOENT;
	req->count = 0;
	switch (req->op) {
	case PF_CTL_LAYOUT:
	case PF_CTL_ARM: {
		__u32 z = 0;
		__u64 *lay = bpf_map_lookup_elem(&pf_layout, &z);

		/* Maps stamped by another layout are not ours to read
		 * (pfbpf_layout.h); ARM stamps fresh ones with ours. */
		req->id = PFBPF_LAYOUT_ID;
		if (!lay) {
			err = -ENOENT;
			break;
		}
		if (*lay && *lay != PFBPF_LAYOUT_ID) {
			err = -EPROTO;
			break;
		}
		if (req->op == PF_CTL_LAYOUT)
			break;
		*lay = PFBPF_LAYOUT_ID;
	}
		/* Make the zero defaults explicit so pfctl shows pf's values. */
		/* Adaptive bounds stay 0 (= 60%/120% of `limit states`, kept
		 * in step with the limit as pfctl does) unless set. */
		for (i = 0; i < PFTM_MAX; i++)
			if (!cfg->timeout[i] && i != PFTM_ADAPTIVE_START && i != PFTM_ADAPTIVE_END)
				cfg->timeout[i] = pf_default_timeout(i);
		if (!cfg->limit[PF_LIMIT_STATES])
			cfg->limit[PF_LIMIT_STATES] = PF_DEFAULT_LIMIT_STATES;
		if (!cfg->limit[PF_LIMIT_SRC_NODES])
			cfg->limit[PF_LIMIT_SRC_NODES] = PF_DEFAULT_LIMIT_SRC_NODES;
		if (!cfg->limit[PF_LIMIT_FRAGS])
			cfg->limit[PF_LIMIT_FRAGS] = PF_DEFAULT_LIMIT_FRAGS;
		if (!cfg->limit[PF_LIMIT_TABLES])
			cfg->limit[PF_LIMIT_TABLES] = PF_DEFAULT_LIMIT_TABLES;
		if (!cfg->limit[PF_LIMIT_TABLE_ENTRIES])
			cfg->limit[PF_LIMIT_TABLE_ENTRIES] = PF_DEFAULT_LIMIT_TABLE_ENTRIES;
		pf_config_init(cfg);
		err = pf_timer_arm(cfg, g);
		break;
	case PF_CTL_SWEEP:
		req->count = pf_sweep();
		break;
	case PF_CTL_KILL:
		pf_kill_filter_from_req(&kc.f, req);
		kc.reason = req->reason ? req->reason : PF_DESTROY_KILLED;
		bpf_for_each_map_elem(&pf_states, pf_kill_cb, &kc, 0);
		req->count = kc.count;
		break;
	case PF_CTL_ADD_STATE:
		err = pf_ctl_add(req, cfg, g, st);
		if (!err)
			req->count = 1;
		break;
	default:
		err = -EINVAL;
	}
	req->result = err;
	return err;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
