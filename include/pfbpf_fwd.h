/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_fwd.h - the forwarding fast path (bpf/pf_fwd.h) as both sides see
 * it: which interfaces take it, and what it did.  Included by
 * pfbpf_types.h.
 */
#ifndef PFBPF_FWD_H
#define PFBPF_FWD_H

#define PFBPF_MAP_FWD "pf_fwd"         /* hash: ingress ifindex -> pf_fwd_if; none = on */
#define PFBPF_MAP_FWDSTAT "pf_fwdstat" /* percpu array[1]: pf_fwd_stats */

#define PF_FWD_ON 0x1

struct pf_fwd_if {
	__u32 flags;     /* PF_FWD_* */
};

struct pf_fwd_stats {
	__u64 forwarded; /* redirected to the egress interface */
	__u64 to_stack;  /* eligible, but handed to the stack (MTU, neighbour, TTL) */
};

#endif /* PFBPF_FWD_H */
