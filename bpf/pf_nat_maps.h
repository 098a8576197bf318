/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_nat_maps.h - the translation maps (include/pfbpf_nat.h explains the
 * model).  Pinned by name like every other map, so all attachments share
 * one set of translation rules and one table of key pairs.
 */
#ifndef PF_NAT_MAPS_H
#define PF_NAT_MAPS_H

#include "pfbpf_types.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_MAX_NAT_RULES);
	__type(key, __u32);
	__type(value, struct pf_nat_rule_bpf);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_natrules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_MAX_POOL_ADDRS);
	__type(key, __u32);
	__type(value, struct pf_pool_addr_bpf);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_natpool SEC(".maps");

/* Round-robin cursors, one per translation rule (shared: pf keeps one per pool). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_RULESET_SLOTS * PF_MAX_NAT_RULES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_natrr SEC(".maps");

/*
 * Key pairs of translating states, under both keys.  A plain hash, not an
 * LRU (pfbpf_nat.h), allocated on demand so an idle gateway costs nothing;
 * two entries per state, so twice the state map's default size.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * PF_DEFAULT_STATE_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct pf_state_key);
	__type(value, struct pf_nat_pair);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_natmap SEC(".maps");

/*
 * sticky-address: the address a source was given by a random or
 * round-robin pool, per rule and ruleset generation (a reload starts
 * afresh, as pf's source nodes belong to their rule).  pf forgets a source
 * node when its last state goes; pfbpf has no source tracking, so a source
 * stays on its address until the LRU needs the room.
 */
struct pf_nat_sticky_key {
	__u64 gen;           /* pf_config.ruleset_gen */
	__u32 ridx;          /* slot * PF_MAX_NAT_RULES + rule */
	__u8 af;
	__u8 pad[3];
	struct pf_addr src;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct pf_nat_sticky_key);
	__type(value, struct pf_addr);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_natsticky SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_nat_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_natstat SEC(".maps");

#endif /* PF_NAT_MAPS_H */
