/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_synproxy.h - the side table of synproxied TCP states
 * (bpf/pf_synproxy.h, docs/synproxy.md).
 *
 * pf keeps a proxied connection's phase in the peer states
 * (PF_TCPS_PROXY_SRC / PF_TCPS_PROXY_DST) and its sequence offsets in
 * each peer's seqdiff.  struct pf_state is 80 bytes and has no room for
 * either, so they live here, keyed by the state's wire key and tied to
 * the state by its id (a state removed and a new one made with the same
 * key must not inherit the offset).  Only states that pfbpf proxies have
 * an entry; a gate counter (pf_synproxy_gate) spares every other packet
 * the lookup while no entry exists.
 */
#ifndef PFBPF_SYNPROXY_H
#define PFBPF_SYNPROXY_H

#include "pfbpf_types.h"

#define PFBPF_MAP_SYNPROXY "pf_synproxy"           /* LRU hash: pf_state_key -> pf_synproxy_st */
#define PFBPF_MAP_SYNPROXY_GATE "pf_synproxy_gate" /* array[1]: __s64 live entries */
#define PF_SYNPROXY_MAX 65536

/* The phase of a proxied connection (pf's peer states). */
enum pf_synproxy_phase {
	PF_SP_NONE = 0,
	PF_SP_PROXY_SRC = 1, /* we answered the client's SYN; waiting for its ACK */
	PF_SP_PROXY_DST = 2, /* the client is done; our SYN is with the server */
	PF_SP_ESTAB = 3,     /* both handshakes done: seqdiff for the state's life */
};

struct pf_synproxy_st {
	__u64 id;      /* the state's id: an entry of another state is stale */
	__u32 cisn;    /* the client's ISN (reused towards the server) */
	__u32 iss;     /* our ISN towards the client (the cookie, or PROXY_SRC's) */
	__u32 seqdiff; /* server ISN - iss: server seq - seqdiff = client's view */
	__u16 mss;     /* the MSS offered to the server (the cookie's, or the client's) */
	__u16 cwin;    /* the client's window (unscaled: no window scaling) */
	__u8 phase;    /* PF_SP_* */
	__u8 pad[7];
};
PFBPF_ASSERT(sizeof(struct pf_synproxy_st) == 32, "pf_synproxy_st layout");

#endif /* PFBPF_SYNPROXY_H */
