/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_lock.h - the state lock (issue 7 item 12).  pf locks a state while a
 * packet is judged against it (FreeBSD pf_find_state returns it locked);
 * the two directions of one connection often run on different CPUs (XDP
 * ingress and tc egress, asymmetric RSS), and pf_tcp_track's copy and
 * write-back of both peers would otherwise lose the other CPU's window
 * slide (measured in tests/unit/test_core_concurrency.c, docs/datapath.md).
 *
 * The kernel refuses a bpf_spin_lock inside an LRU hash value (map create
 * fails with EOPNOTSUPP, checked on 6.18), and the value cannot grow
 * anyway: 80 bytes is what keeps a state under 192 bytes of kernel memory.
 * So the locks are striped: pf_locks, an array of PF_STATE_LOCKS locks,
 * each on its own cache line, and a state uses the lock its id selects.
 * The id never changes while a state lives, so every CPU takes the same
 * lock for it; two states sharing a stripe only wait for each other.
 *
 * The id is also the state's generation.  A preallocated LRU element is
 * reused by the next insert as soon as it is deleted, while another CPU
 * may still hold the pointer it looked up.  Under the lock the holder
 * checks that the id it read is still there and that the state was not
 * unlinked (timeout PFTM_UNLINKED, set under the same lock by
 * pf_state_remove before the delete), else it treats the state as gone,
 * as FreeBSD's pf_find_state skips a state whose timeout is >= PFTM_MAX.
 */
#ifndef PF_LOCK_H
#define PF_LOCK_H

#include "pf_maps.h"

#define PF_STATE_LOCKS 4096 /* power of two */

struct pf_state_lock {
	struct bpf_spin_lock lock;
	__u32 pad[15]; /* one cache line each: no false sharing between stripes */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PF_STATE_LOCKS);
	__type(key, __u32);
	__type(value, struct pf_state_lock);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_locks SEC(".maps");

static __always_inline struct pf_state_lock *pf_state_lock_of(__u64 id)
{
	__u32 i = (__u32)id & (PF_STATE_LOCKS - 1);

	return bpf_map_lookup_elem(&pf_locks, &i);
}

/* Under the lock: is s still the state whose id the caller read? */
static __always_inline int pf_state_live(const struct pf_state *s, __u64 id)
{
	return s->id == id && s->timeout < PFTM_MAX;
}

#endif /* PF_LOCK_H */
