/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_maps.h - the datapath's maps.  Every map is pinned by name (iproute2
 * and our loader both pin in PFBPF_PIN_DIR), so every attachment on every
 * interface shares one state table.  There are no global variables in the
 * object on purpose: iproute2 loads the object once per attachment and
 * .bss/.data would not be shared between those copies.
 */
#ifndef PF_MAPS_H
#define PF_MAPS_H

#include "pfbpf_types.h"
#include "pfbpf_layout.h"
#include "pfbpf_syncookie.h"

/*
 * pf_states: the state table.  LRU so that the kernel never fails an insert
 * outright; the datapath enforces `limit states` itself with
 * pf_gcount.states, which keeps LRU eviction a safety net (counted by the
 * sweep when it fires).  BPF_F_NO_COMMON_LRU is not set: a common LRU list
 * evicts the globally least recently used state, which is what an
 * administrator would expect if it ever happens, where per-CPU LRUs would
 * each get max_entries / CPUs and evict while the others sit empty.  The
 * loader sizes the map for the CPU count (pfbpf_state_map_slack).  No
 * lock fits in the value: see pf_lock.h.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PF_DEFAULT_STATE_MAP_SIZE);
	__type(key, struct pf_state_key);
	__type(value, struct pf_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_states SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_gcount);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_status_pcpu);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_status SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PF_RULECTR_ENTRIES); /* slot positions, then rule ids */
	__type(key, __u32);
	__type(value, struct pf_rule_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_rulectr SEC(".maps");

/* Current states per rule id, for `max N` and to know when a retired
 * rule's id may be freed: shared, updated atomically. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULECTR_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_rulestates SEC(".maps");

#define PF_MAX_IFCTR 1024
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, PF_MAX_IFCTR);
	__type(key, __u32);
	__type(value, struct pf_if_counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_ifctr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PF_EVENTS_RINGBUF_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_events SEC(".maps");

struct pf_timer_val {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_timer_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_timer SEC(".maps");

/* The layout stamp of these maps (include/pfbpf_layout.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_layout SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_MAX_TPROFILES);
	__type(key, __u32);
	__type(value, struct pf_tprofile);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_tprofiles SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_MAX_CREATORS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_creators SEC(".maps");

/*
 * pf_frags: fragments of a datagram whose first fragment passed.  XDP cannot
 * reassemble, so the policy PF_FRAG_STATEFUL lets the first fragment (which
 * carries the ports) through the state table and rules, records the
 * datagram here, and passes later fragments only if their datagram is
 * recorded.  Sized by pf's `limit frags`; entries live PFTM_FRAG seconds.
 */
struct pf_frag_key {
	struct pf_addr src;
	struct pf_addr dst;
	__u32 id;          /* IPv4 ip_id (network order, zero-extended) / IPv6 ident */
	__u8 af;
	__u8 proto;
	__u8 pad[2];
};
struct pf_frag_val {
	__u32 expire;      /* seconds of CLOCK_BOOTTIME after which it is stale */
	__u8 action;       /* PF_PASS: later fragments pass */
	__u8 allow_opts;   /* the first fragment passed with IPv4 options allowed */
	__u8 xlate;        /* the first fragment was translated: so are the others */
	__u8 pad;
	struct pf_addr nsrc; /* xlate: the addresses the datagram leaves with */
	struct pf_addr ndst;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PF_DEFAULT_LIMIT_FRAGS);
	__type(key, struct pf_frag_key);
	__type(value, struct pf_frag_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_frags SEC(".maps");

/* `set syncookies`: the live part (include/pfbpf_syncookie.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_syncookie_st);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_syncookie SEC(".maps");

#include "pf_nat_maps.h"

static __always_inline struct pf_status_pcpu *pf_status_get(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&pf_status, &z);
}

static __always_inline struct pf_syncookie_st *pf_syncookie_get(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&pf_syncookie, &z);
}

/*
 * pf's states_halfopen, which the adaptive syncookie mode watches: +1 for
 * every TCP state made, -1 when it is first established (both peers,
 * PFSTATE_F_ESTAB_SEEN) or removed before that.  An LRU eviction behind
 * our back loses a -1; readers clamp at zero.
 */
static __always_inline void pf_halfopen_add(__s64 d)
{
	struct pf_syncookie_st *sk = pf_syncookie_get();

	if (sk)
		__sync_fetch_and_add(&sk->halfopen, d);
}

static __always_inline struct pf_gcount *pf_gcount_get(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&pf_count, &z);
}

#endif /* PF_MAPS_H */
