/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_state.h - the state table: keys, expiry (the timeout rules are in
 * include/pf_timeout.h, shared with user space), creation under `limit states` and per-rule `max`, removal with
 * a destroy event, and pf's UDP / ICMP / other peer-state machines.
 */
#ifndef PF_STATE_H
#define PF_STATE_H

#include "pf_maps.h"
#include "pf_lock.h"
#include "pf_events.h"
#include "pf_pkt.h"
#include "pf_parse.h"
#include "pf_timeout.h"
#include "pf_nat_work.h"
#include "pf_synproxy_maps.h"

#include "pf_clock.h"

static __always_inline struct pf_config *pf_config_get(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&pf_config, &z);
}

/*
 * pf_state_expires(): the second at which the state dies (pf_timeout.h has
 * the rules).  The rule's profile is looked up only for states whose rule
 * set timeouts, its state count only when the rule scales on its own.
 */
static __always_inline __u64 pf_state_expires(const struct pf_state *s, const struct pf_config *cfg,
					      __s64 states, __u32 now)
{
	const struct pf_tprofile *tp = 0;
	__u64 rstates = 0;

	if (s->tprofile) {
		__u32 idx = s->tprofile;

		tp = bpf_map_lookup_elem(&pf_tprofiles, &idx);
	}
	if (pf_tprofile_adaptive(tp) && s->rule != PF_RULE_NONE) {
		__u32 ridx = pf_state_slotidx(s), *n = bpf_map_lookup_elem(&pf_rulestates, &ridx);

		if (n)
			rstates = *n;
	}
	return pf_expires_at(cfg, tp, s->timeout, s->expire, states, rstates, now);
}

static __always_inline int pf_state_expired(const struct pf_state *s, const struct pf_config *cfg,
					    __s64 states, __u32 now)
{
	return (__u64)now >= pf_state_expires(s, cfg, states, now);
}

/* Why a state that timed out ended, for its destroy event. */
static __always_inline __u8 pf_expire_reason(const struct pf_state *s, __u8 proto)
{
	if (proto == IPPROTO_TCP) {
		if (s->pstate[0] == TCPS_TIME_WAIT && s->pstate[1] == TCPS_TIME_WAIT)
			return PF_DESTROY_RST;
		if (s->pstate[0] >= TCPS_FIN_WAIT_2 && s->pstate[1] >= TCPS_FIN_WAIT_2)
			return PF_DESTROY_FIN;
	}
	return PF_DESTROY_EXPIRED;
}

/* Decrement a shared counter without going below zero: after a ruleset
 * reload user space zeroes the new slot's counters while old states of the
 * same slot may still die. */
static __always_inline void pf_dec_sat32(__u32 *v)
{
	__u32 old = *v;
	int i;

	/* bounded: under heavy contention a decrement may be lost, which
	 * only makes `max N` a little more generous */
	for (i = 0; i < 4 && old; i++) {
		__u32 seen = __sync_val_compare_and_swap(v, old, old - 1);

		if (seen == old)
			break;
		old = seen;
	}
}

/*
 * Remove a state and account for it.  Only the CPU that unlinks the state
 * (marks it PFTM_UNLINKED under its lock, pf_lock.h) deletes it, does the
 * accounting and emits the event, so a state that two CPUs find expired
 * at once is counted and reported once, and a packet on another CPU sees
 * either the state before the snapshot or no state.  The event is reserved
 * before and filled under the lock: a preallocated element is reused by
 * the next insert as soon as it is freed.  Returns 1 if removed.
 */
static __noinline int pf_state_remove(const struct pf_state_key *key, struct pf_state *s,
				      __u32 reason)
{
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_gcount *g = pf_gcount_get();
	struct pf_config *cfg = pf_config_get();
	struct pf_state_lock *lk;
	struct pf_event *ev;
	__u32 rule, ridx, creatorid;
	__u64 id;
	__u8 flags;

	if (!key || !s)
		return 0;
	id = s->id;
	lk = pf_state_lock_of(id);
	if (!lk)
		return 0;
	creatorid = pf_creatorid(s, cfg);
	ev = bpf_ringbuf_reserve(&pf_events, sizeof(*ev), 0);
	bpf_spin_lock(&lk->lock);
	if (!pf_state_live(s, id)) {
		/* another CPU unlinked it first, or the element is reused */
		bpf_spin_unlock(&lk->lock);
		if (ev)
			bpf_ringbuf_discard(ev, 0);
		return 0;
	}
	if (ev) {
		ev->direction = pf_state_dir(s);
		ev->old_pstate[0] = s->pstate[0];
		ev->old_pstate[1] = s->pstate[1];
		__builtin_memcpy(&ev->state, s, sizeof(*s));
	}
	rule = s->rule;
	flags = s->flags; /* the half-open count needs ESTAB_SEEN */
	s->timeout = PFTM_UNLINKED;
	bpf_spin_unlock(&lk->lock);
	if (ev) {
		ev->type = PF_EV_STATE_DESTROY;
		ev->reason = reason;
		ev->pad[0] = ev->pad[1] = ev->pad[2] = 0;
		ev->ts_ns = bpf_ktime_get_boot_ns();
		ev->cpu = bpf_get_smp_processor_id();
		ev->creatorid = creatorid;
		__builtin_memcpy(&ev->key[PF_SK_WIRE], key, sizeof(*key));
		pf_nat_stack_key(key, &ev->key[PF_SK_STACK]);
	}
	if (bpf_map_delete_elem(&pf_states, key)) {
		/* gone behind our back (LRU eviction): the sweep accounts */
		if (ev)
			bpf_ringbuf_discard(ev, 0);
		return 0;
	}
	if (ev)
		bpf_ringbuf_submit(ev, 0);
	else if (st)
		st->events_lost++;
	pf_nat_forget(key);
	pf_synproxy_forget(key);
	if (g)
		__sync_fetch_and_add(&g->states, -1);
	if (key->proto == IPPROTO_TCP && !(flags & PFSTATE_F_ESTAB_SEEN))
		pf_halfopen_add(-1);
	if (st)
		st->fcounters[FCNT_STATE_REMOVALS]++;
	if (rule != PF_RULE_NONE) {
		__u32 *n;

		ridx = rule;
		n = bpf_map_lookup_elem(&pf_rulestates, &ridx);
		if (n)
			pf_dec_sat32(n);
	}
	return 1;
}

/* A peer state changed: pf_set_protostate(), with its event. */
static __always_inline void pf_set_pstate(const struct pf_state_key *key, struct pf_state *s,
					  int peer, __u8 newstate)
{
	__u32 info;

	if (s->pstate[peer & 1] == newstate)
		return;
	info = PF_EVI_OLD(PF_EV_STATE_CHANGE, s->pstate[0], s->pstate[1]);
	s->pstate[peer & 1] = newstate;
	pf_event_state(key, s, info);
}

/*
 * UDP and other protocols (pf_test_state for PFUDPS / PFOTHERS): a peer
 * that sends becomes SINGLE, the other side answering makes both
 * MULTIPLE, and the timeout follows.
 */
static __always_inline void pf_state_update_simple(const struct pf_state_key *key,
						   struct pf_state *s, int src, __u8 proto, __u32 now)
{
	int dst = !src;

	/* PFUDPS_* and PFOTHERS_* share their values */
	if (s->pstate[src] < PFUDPS_SINGLE)
		pf_set_pstate(key, s, src, PFUDPS_SINGLE);
	if (s->pstate[dst] == PFUDPS_SINGLE)
		pf_set_pstate(key, s, dst, PFUDPS_MULTIPLE);
	s->expire = now;
	if (proto == IPPROTO_UDP)
		s->timeout = (s->pstate[src] == PFUDPS_MULTIPLE && s->pstate[dst] == PFUDPS_MULTIPLE) ?
				     PFTM_UDP_MULTIPLE : PFTM_UDP_SINGLE;
	else
		s->timeout = (s->pstate[src] == PFOTHERS_MULTIPLE &&
			      s->pstate[dst] == PFOTHERS_MULTIPLE) ?
				     PFTM_OTHER_MULTIPLE : PFTM_OTHER_SINGLE;
}

/* Build the state key for a packet (pf's sidx/didx ordering). */
static __always_inline void pf_key_from_pkt(const struct pf_pkt *pkt, __u8 dir,
					    struct pf_state_key *k)
{
	int sidx = dir == PF_IN ? 0 : 1;

	__builtin_memset(k, 0, sizeof(*k));
	k->af = pkt->af;
	k->proto = pkt->proto;
	if (sidx == 0) {
		__builtin_memcpy(&k->addr[0], &pkt->src, sizeof(struct pf_addr));
		__builtin_memcpy(&k->addr[1], &pkt->dst, sizeof(struct pf_addr));
		k->port[0] = pkt->sport;
		k->port[1] = pkt->dport;
	} else {
		__builtin_memcpy(&k->addr[1], &pkt->src, sizeof(struct pf_addr));
		__builtin_memcpy(&k->addr[0], &pkt->dst, sizeof(struct pf_addr));
		k->port[1] = pkt->sport;
		k->port[0] = pkt->dport;
	}
}

/*
 * Per-CPU scratch for one packet: the parsed packet (and the packet an ICMP
 * error quotes) live here rather than on the 512-byte BPF stack, which the
 * classifier and the state code need.  A packet program runs to completion
 * on its CPU with bottom halves off, so nothing else touches it meanwhile
 * (pf_ctl and the timer never use it).  Not pinned: nothing to share.
 */
#define PF_QUOTE_CHUNK 256
struct pf_scratch {
	struct pf_pkt pkt;
	struct pf_pkt inner;     /* ICMP error: the quoted packet */
	struct pf_parse_aux aux;
	struct pf_parse_aux iaux;
	struct pf_state_key key;
	struct pf_state st;      /* a state being built by pf_state_create */
	struct pf_rule_match m;  /* the classifier's answer */
	struct pf_nat_work nat;  /* translation of this packet (pf_nat.h) */
	struct bpf_fib_lookup fib; /* pf_nat_dynif: off the 512-byte stack */
	__u32 icmp_err;          /* the packet is an ICMP error with no state */
	__u32 now;               /* seconds of CLOCK_BOOTTIME, read once per packet */
	__u8 ret;                /* block return: PF_RET_* */
	__u8 ret_type;           /* ICMP type/code to return */
	__u8 ret_code;
	__u8 fwd_ok;             /* an established state passed it: may be forwarded (pf_fwd.h) */
	__u16 ret_mss;           /* syncookies: the MSS the cookie says (pf_syncookie.h) */
	__u32 ret_iss;           /* ... and the cookie, our ISN */
	/* synproxy (pf_synproxy.h): what the hook does to the packet after
	 * the verdict (PF_SPA_*), and the values it needs */
	__u8 sp_act;
	__u8 sp_cookie;          /* an ACK with a good cookie, recreated as its SYN */
	__u16 sp_win;            /* the window of the segment to build */
	__u32 sp_seq;            /* its seq (or the translated seq) */
	__u32 sp_ack;            /* its ack (or the translated ack) */
	__u32 sp_old;            /* the field's value before translation */
	__u16 sp_cwin;           /* the client's window (the ACK to the server) */
	__u16 sp_pad;
	__u32 reason;            /* PFRES_* of a drop, PFRES_MAX for none */
	__u32 inner_res;         /* PF_INNER_* */
	__u32 new_state;
	__u32 allow_opts;        /* the rule or state that passes it says allow-opts */
	/* ICMP answers of block return, rate-limited per CPU (pf_kern.bpf.c);
	 * kept across packets: pf_begin does not clear them. */
	__u32 icmp_rl_sec;
	__u32 icmp_rl_count;
	/* block return: the ICMPv6 quote is summed through this, one chunk
	 * at a time (+4: the last word of a chunk is zero-padded) */
	__u8 qbuf[PF_QUOTE_CHUNK + 4];
};
enum { PF_INNER_NONE = 0, PF_INNER_OK = 1, PF_INNER_BAD = 2, PF_INNER_NOSTATE = 3 };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_scratch);
} pf_scratch SEC(".maps");

static __always_inline struct pf_scratch *pf_scratch_get(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&pf_scratch, &z);
}

/* What a new state inherits from the rule that made it. */
struct pf_state_origin {
	__u32 rule_nr;     /* the rule's id (pf_rule_bpf.rid), PF_RULE_NONE for none */
	__u32 slotidx;     /* pf_rulestates / pf_rulectr index: the same id */
	__u32 max_states;  /* rule's (max N), 0 = none */
	__u8 tprofile;
	__u8 log;
	__u8 slot;
	__u8 allow_opts;
};

/*
 * Create the state for pkt (pf_create_state).  Enforces `limit states` and
 * the rule's `max` with atomic counters before touching the map, so a full
 * table refuses new connections instead of evicting old ones.  key is the
 * wire key; stack, if not NULL, the stack key of a translating state (for
 * the create event).  Returns 0, or a PFRES_* reason (> 0) for the drop.
 */
static __noinline int pf_state_create(const struct pf_pkt *pkt, const struct pf_state_key *key,
				      const struct pf_state_origin *o,
				      const struct pf_state_key *stack)
{
	struct pf_status_pcpu *st = pf_status_get();
	struct pf_config *cfg = pf_config_get();
	struct pf_gcount *g = pf_gcount_get();
	struct pf_scratch *sc = pf_scratch_get();
	__u32 *rcur = 0, now;
	struct pf_state *s;
	__s64 old;

	if (!pkt || !key || !o || !st || !cfg || !g || !sc)
		return PFRES_MEMORY;
	now = sc->now; /* the packet's clock read (pf_scratch_begin): one per packet */
	s = &sc->st;

	if (o->rule_nr != PF_RULE_NONE && o->max_states) {
		__u32 ridx = o->slotidx;

		rcur = bpf_map_lookup_elem(&pf_rulestates, &ridx);
		if (rcur) {
			if (__sync_fetch_and_add(rcur, 1) >= o->max_states) {
				__sync_fetch_and_add(rcur, -1);
				st->lcounters[LCNT_STATES]++;
				return PFRES_MAXSTATES;
			}
		}
	}
	old = __sync_fetch_and_add(&g->states, 1);
	if (old >= (__s64)pf_config_limit_states(cfg)) {
		__sync_fetch_and_add(&g->states, -1);
		if (rcur)
			__sync_fetch_and_add(rcur, -1);
		st->lcounters[LCNT_STATES]++;
		return PFRES_MAXSTATES;
	}

	__builtin_memset(s, 0, sizeof(*s));
	s->id = cfg->state_id_base + __sync_fetch_and_add(&g->next_id, 1) + 1;
	s->creation = now;
	s->expire = now;
	s->ifindex = pkt->ifindex;
	s->rule = o->rule_nr;
	s->tprofile = o->tprofile;
	s->flags = (pkt->dir == PF_OUT ? PFSTATE_F_OUT : 0) | (o->log ? PFSTATE_F_LOG : 0) |
		  (o->allow_opts ? PFSTATE_F_ALLOWOPTS : 0) |
		  (cfg->state_policy == PF_STATE_IFBOUND ? PFSTATE_F_IFBOUND : 0);
	s->packets[0] = 1;
	s->bytes[0] = pkt->tot_len;

	switch (pkt->proto) {
	case IPPROTO_TCP: {
		__u32 win = pkt->win ? pkt->win : 1;

		s->seqlo[0] = pkt->seq;
		/* seq + payload + SYN (+1) + 1, as pf_create_state */
		s->seqhi[0] = pkt->seq + pkt->payload_len + 1;
		if (pkt->tcp_flags & TH_SYN) {
			s->seqhi[0]++;
			s->wscale[0] = pkt->wscale;
		}
		if (s->wscale[0] & PF_WSCALE_MASK) {
			/* remove the scale factor from the initial window */
			__u32 sh = s->wscale[0] & PF_WSCALE_MASK;

			win = (win + (1U << sh) - 1) >> sh;
		}
		s->max_win[0] = win;
		s->mss[0] = pkt->mss;
		if (pkt->tcp_flags & TH_FIN)
			s->seqhi[0]++;
		s->seqhi[1] = 1;
		s->max_win[1] = 1;
		s->pstate[0] = TCPS_SYN_SENT;
		s->pstate[1] = TCPS_CLOSED;
		s->timeout = PFTM_TCP_FIRST_PACKET;
		break;
	}
	case IPPROTO_UDP:
		s->pstate[0] = PFUDPS_SINGLE;
		s->pstate[1] = PFUDPS_NO_TRAFFIC;
		s->timeout = PFTM_UDP_FIRST_PACKET;
		break;
	case IPPROTO_ICMP:
	case PF_IPPROTO_ICMPV6:
		s->timeout = PFTM_ICMP_FIRST_PACKET;
		break;
	default:
		s->pstate[0] = PFOTHERS_SINGLE;
		s->pstate[1] = PFOTHERS_NO_TRAFFIC;
		s->timeout = PFTM_OTHER_FIRST_PACKET;
		break;
	}

	/* NOEXIST: another CPU may have made the same state a moment ago;
	 * pf counts that as a failed insertion and drops the packet. */
	if (bpf_map_update_elem(&pf_states, key, s, BPF_NOEXIST)) {
		__sync_fetch_and_add(&g->states, -1);
		if (rcur)
			__sync_fetch_and_add(rcur, -1);
		return PFRES_STATEINS;
	}
	if (o->rule_nr != PF_RULE_NONE && !rcur) {
		__u32 ridx = o->slotidx;

		rcur = bpf_map_lookup_elem(&pf_rulestates, &ridx);
		if (rcur)
			__sync_fetch_and_add(rcur, 1);
	}
	st->fcounters[FCNT_STATE_INSERT]++;
	if (pkt->proto == IPPROTO_TCP)
		pf_halfopen_add(1);
	pf_event_state_keys(key, stack ? stack : key, s, PF_EVI(PF_EV_STATE_CREATE, 0));
	return 0;
}

#endif /* PF_STATE_H */
