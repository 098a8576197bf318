/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_synproxy_maps.h - the synproxy side table (include/pfbpf_synproxy.h)
 * and its gate, apart from bpf/pf_synproxy.h so that pf_state_remove can
 * forget an entry with its state.
 */
#ifndef PF_SYNPROXY_MAPS_H
#define PF_SYNPROXY_MAPS_H

#include "pf_maps.h"
#include "pfbpf_synproxy.h"

/* LRU: an entry whose state was evicted behind our back ages out too. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PF_SYNPROXY_MAX);
	__type(key, struct pf_state_key);
	__type(value, struct pf_synproxy_st);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_synproxy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_synproxy_gate SEC(".maps");

/* Are any proxied states live?  (An evicted entry leaves the count high:
 * that only costs lookups, never a wrong answer.) */
static __always_inline int pf_synproxy_gate_open(void)
{
	__u32 z = 0;
	__s64 *n = bpf_map_lookup_elem(&pf_synproxy_gate, &z);

	return n && *n > 0;
}

static __always_inline void pf_synproxy_gate_add(__s64 d)
{
	__u32 z = 0;
	__s64 *n = bpf_map_lookup_elem(&pf_synproxy_gate, &z);

	if (n)
		__sync_fetch_and_add(n, d);
}

/* The state of key went: its entry, if it has one, goes with it. */
static __always_inline void pf_synproxy_forget(const struct pf_state_key *key)
{
	if (pf_synproxy_gate_open() && !bpf_map_delete_elem(&pf_synproxy, key))
		pf_synproxy_gate_add(-1);
}

#endif /* PF_SYNPROXY_MAPS_H */
