/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pf_icmp_state.h - the state lookup of ICMP messages that are not errors
 * (pf_test_state_icmp / pf_icmp_state_lookup, OpenBSD sys/net/pf.c): the
 * direction test and the ICMPv6 multicast retry.  The keying itself is in
 * pf_icmp.h, which the parser uses.
 */
#ifndef PFBPF_BPF_ICMP_STATE_H
#define PFBPF_BPF_ICMP_STATE_H

#include "pf_maps.h"
#include "pf_icmp.h"

/*
 * pf_icmp_state_lookup's direction test: an answer (PF_OUT) matches only
 * a state travelling the other way, a state-opening type only one in the
 * same direction.  pf applies it when the state's rule named an icmp-type;
 * pfbpf always does (docs/datapath.md): the key alone already separates
 * the two roles unless an id equals the virtual type.
 */
static __always_inline int pf_icmp_dir_ok(const struct pf_state *s, __u8 pktdir, __u8 icmp_dir)
{
	return (pf_state_dir(s) == pktdir ? PF_IN : PF_OUT) == icmp_dir;
}

/* The multicast address an ICMPv6 request may have gone to, for its
 * unicast answer from src: ff02::1, or src's solicited-node group
 * ff02::1:ffXX:XXXX for a neighbour advertisement (RFC 4291 2.7.1). */
static __always_inline void pf_icmp_multi_addr(struct pf_addr *a, const struct pf_addr *src,
					       __u8 multi)
{
	a->addr32[0] = bpf_htonl(0xff020000);
	a->addr32[1] = 0;
	if (multi == PF_ICMP_MULTI_SOLICITED) {
		a->addr32[2] = bpf_htonl(1);
		a->addr32[3] = src->addr32[3] | bpf_htonl(0xff000000);
	} else {
		a->addr32[2] = 0;
		a->addr32[3] = bpf_htonl(1);
	}
}

/* Result of pf_icmp_find besides the state. */
enum { PF_ICMPQ_NONE = 0, PF_ICMPQ_FOUND = 1, PF_ICMPQ_WRONGDIR = 2 };

/*
 * Find the state of an ICMP query, answer or other non-error message
 * (pf_test_state_icmp, non-error branch).  key is the packet's key; on a
 * multicast match it is left holding the state's key.  *res says whether
 * a state was found in the wrong direction (pf drops the packet then).
 */
static __always_inline struct pf_state *pf_icmp_find(const struct pf_pkt *pkt,
						     struct pf_state_key *key, int *res)
{
	struct pf_icmp_map m = pf_icmp_mapping(pkt->af, pkt->icmp_type);
	int sidx = pkt->dir == PF_IN ? 0 : 1;
	struct pf_state *s, *s2;
	struct pf_addr keep;

	*res = PF_ICMPQ_NONE;
	s = bpf_map_lookup_elem(&pf_states, key);
	if (s && pf_icmp_dir_ok(s, pkt->dir, m.dir)) {
		*res = PF_ICMPQ_FOUND;
		return s;
	}
	/* An answer to a request sent to a multicast group comes from one
	 * member's unicast address: retry with the group in its place. */
	if (pkt->af == PF_INET6 && m.dir == PF_OUT) {
		keep = key->addr[sidx & 1];
		pf_icmp_multi_addr(&key->addr[sidx & 1], &pkt->src, m.multi);
		s2 = bpf_map_lookup_elem(&pf_states, key);
		if (s2 && pf_icmp_dir_ok(s2, pkt->dir, m.dir)) {
			*res = PF_ICMPQ_FOUND;
			return s2;
		}
		key->addr[sidx & 1] = keep;
	}
	if (s)
		*res = PF_ICMPQ_WRONGDIR;
	return 0;
}

#endif /* PFBPF_BPF_ICMP_STATE_H */
