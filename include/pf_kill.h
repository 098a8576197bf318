/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_kill.h - which states a kill names (pfctl -k host/net, -k id, -k
 * label, -F states; pf's DIOCKILLSTATES / DIOCCLRSTATES filter), written
 * once: the datapath's pf_ctl KILL walk and libpfbpf's own walks (kill by
 * port, kill without a loaded datapath) compile the same test, so the two
 * can never disagree about a state.
 *
 * Also here because the filter needs them and both sides used their own
 * copy: an address-in-prefix test and the resolution of a state's creator
 * index into pf's 32-bit creator id.
 */
#ifndef PF_KILL_H
#define PF_KILL_H

#include "pfbpf_types.h"

#ifdef __bpf__
#define PF_KILL_INLINE static __always_inline
#define PF_KILL_UNROLL _Pragma("unroll")
#else
#define PF_KILL_INLINE static inline
#define PF_KILL_UNROLL
#endif

/* Host to network order for a 32-bit mask, on either compiler. */
PF_KILL_INLINE __u32 pf_kill_htonl(__u32 v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

/* Does address a fall in net/plen?  plen 0 matches everything; addresses
 * are in network order, the host bits of net need not be zero. */
PF_KILL_INLINE int pf_addr_in_prefix(const struct pf_addr *a, const struct pf_addr *net, __u32 plen)
{
	int i;

	if (plen > 128)
		plen = 128;
	PF_KILL_UNROLL
	for (i = 0; i < 4; i++) {
		__u32 bits, mask;

		if (plen <= (__u32)i * 32)
			break;
		bits = plen - (__u32)i * 32;
		mask = bits >= 32 ? 0xffffffffu : pf_kill_htonl(~((1u << (32 - bits)) - 1));
		if ((a->addr32[i] ^ net->addr32[i]) & mask)
			return 0;
	}
	return 1;
}

/* pf's creator id of a state: slot 0 of pf_creators is this host (its id
 * is pf_config.hostid, which can change), other slots hold the ids of the
 * hosts whose states were imported (DIOCADDSTATE, pfsync). */
PF_KILL_INLINE __u32 pf_creatorid_resolve(__u8 creator, __u32 slot_id, __u32 hostid)
{
	return creator == 0 ? hostid : slot_id;
}

/* The filter of a kill, what pf_ctl_req carries (pfbpf_types.h). */
struct pf_kill_filter {
	struct pf_addr src;  /* the state's source (the side that opened it) */
	struct pf_addr dst;
	__u64 id;            /* 0 = any */
	__u32 ifindex;       /* 0 = any */
	__u32 rule;          /* PF_RULE_NONE = any */
	__u32 creatorid;     /* 0 = any */
	__u8 af;             /* 0 = any */
	__u8 proto;          /* 0 = any */
	__u8 src_plen;       /* 0 = any source */
	__u8 dst_plen;
};

PF_KILL_INLINE void pf_kill_filter_from_req(struct pf_kill_filter *f, const struct pf_ctl_req *r)
{
	__builtin_memcpy(&f->src, &r->src, sizeof(f->src));
	__builtin_memcpy(&f->dst, &r->dst, sizeof(f->dst));
	f->id = r->id;
	f->ifindex = r->ifindex;
	f->rule = r->rule;
	f->creatorid = r->creatorid;
	f->af = r->af;
	f->proto = r->proto;
	f->src_plen = r->src_plen;
	f->dst_plen = r->dst_plen;
}

/*
 * Does the kill name this state?  creatorid is the state's resolved
 * creator id (pf_creatorid_resolve).  pf's -k matches the state's source
 * and destination, i.e. the key's addresses by the state's direction: an
 * outbound state's source is the key's address of the stack side.
 */
PF_KILL_INLINE int pf_kill_match(const struct pf_kill_filter *f, const struct pf_state_key *k,
				 const struct pf_state *s, __u32 creatorid)
{
	int sidx = pf_state_dir(s) == PF_IN ? 0 : 1;

	if (f->af && k->af != f->af)
		return 0;
	if (f->proto && k->proto != f->proto)
		return 0;
	if (f->ifindex && s->ifindex != f->ifindex)
		return 0;
	if (f->rule != PF_RULE_NONE && s->rule != f->rule)
		return 0;
	if (f->id && s->id != f->id)
		return 0;
	if (f->creatorid && creatorid != f->creatorid)
		return 0;
	return pf_addr_in_prefix(&k->addr[sidx & 1], &f->src, f->src_plen) &&
	       pf_addr_in_prefix(&k->addr[!sidx], &f->dst, f->dst_plen);
}

#endif /* PF_KILL_H */
