/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_nat_rewrite.h - put a translation into the packet's bytes: addresses,
 * ports or the ICMP query id, and every checksum they are part of, updated
 * incrementally (RFC 1624) rather than recomputed, so the cost does not
 * grow with the payload.
 *
 * Two writers, because the two hooks see checksums differently:
 *  - XDP sees the frame as it is on the wire: every checksum is complete,
 *    so plain ones'-complement updates are right;
 *  - tc sees skbs whose transport checksum may be CHECKSUM_PARTIAL (the
 *    field then holds only the pseudo-header sum, the NIC or the stack fills
 *    in the rest) or whose skb->csum covers the packet (CHECKSUM_COMPLETE).
 *    Only the kernel knows which, so tc goes through bpf_l3/l4_csum_replace
 *    with BPF_F_PSEUDO_HDR for the address words, which fixes whichever of
 *    the field and skb->csum needs it.
 * A UDP datagram over IPv4 sent without a checksum (zero) keeps none; a
 * computed zero is sent as 0xffff (RFC 768).
 */
#ifndef PF_NAT_REWRITE_H
#define PF_NAT_REWRITE_H

#include "pf_state.h"

#define PF_NAT_OFF_MASK 0x3ff /* offsets the parser accepts stay below this */

/* Sum of ~old + new over the address words that change: the pseudo-header
 * part of a transport checksum update, and all of the IPv4 header's. */
static __always_inline __u32 pf_addrs_diff(const struct pf_addr *os, const struct pf_addr *ns,
					   const struct pf_addr *od, const struct pf_addr *nd, __u8 af)
{
	__u64 s = 0;
	int i, w = af == PF_INET ? 1 : 4;

	for (i = 0; i < 4; i++) {
		if (i >= w)
			break;
		if (os->addr32[i] != ns->addr32[i])
			s += (__u64)(__u32)~os->addr32[i] + ns->addr32[i];
		if (od->addr32[i] != nd->addr32[i])
			s += (__u64)(__u32)~od->addr32[i] + nd->addr32[i];
	}
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (__u32)s;
}

static __always_inline __u32 pf_nat_addr_diff(const struct pf_nat_work *n, __u8 af)
{
	return pf_addrs_diff(&n->osrc, &n->nsrc, &n->odst, &n->ndst, af);
}

/* The same for the two 16-bit port (or id) fields. */
static __always_inline __u32 pf_nat_port_diff(__be16 o1, __be16 n1, __be16 o2, __be16 n2)
{
	__u32 s = 0;

	if (o1 != n1)
		s += (__u32)(__u16)~o1 + n1;
	if (o2 != n2)
		s += (__u32)(__u16)~o2 + n2;
	return s;
}

/* Apply a ones'-complement difference to a complete 16-bit checksum. */
static __always_inline __u16 pf_csum_apply(__u16 sum, __u32 diff)
{
	__u64 c = (__u16)~sum;

	c += diff;
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	return (__u16)~c;
}

/* The query id an ICMP packet carries in its header, and which of the
 * key's two "ports" it is: the other one is the virtual type and never
 * changes (pf_icmp.h). */
static __always_inline int pf_nat_icmp_id(const struct pf_nat_work *n, __be16 *o, __be16 *v)
{
	if (n->osport != n->nsport) {
		*o = n->osport;
		*v = n->nsport;
		return 1;
	}
	if (n->odport != n->ndport) {
		*o = n->odport;
		*v = n->ndport;
		return 1;
	}
	return 0;
}

/* Offsets of the transport checksum, or 0 for a packet without one we touch. */
static __always_inline __u32 pf_nat_csum_at(__u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 16;
	case IPPROTO_UDP:
		return 6;
	case IPPROTO_ICMP:
	case PF_IPPROTO_ICMPV6:
		return 2;
	}
	return 0;
}

/*
 * XDP: rewrite the frame in place.  Returns 0, or -1 if the headers are
 * not where the parser said (then the packet is dropped as malformed).
 */
static __noinline int pf_nat_rewrite_xdp(struct xdp_md *ctx, const struct pf_pkt *pkt,
					      const struct pf_parse_aux *aux,
					      const struct pf_nat_work *n)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 l3 = aux->l3_off & PF_NAT_OFF_MASK, l4 = pkt->l4_off & PF_NAT_OFF_MASK;
	__u32 adiff = pf_nat_addr_diff(n, pkt->af), pdiff = 0, csat;
	__u8 *ip = data + l3, *th = data + l4;
	__be16 oid, nid;
	__u16 *sum;

	if (pkt->af == PF_INET) {
		if ((void *)(ip + 20) > data_end)
			return -1;
		__builtin_memcpy(ip + 12, &n->nsrc.v4, 4);
		__builtin_memcpy(ip + 16, &n->ndst.v4, 4);
		sum = (__u16 *)(ip + 10);
		*sum = pf_csum_apply(*sum, adiff);
	} else {
		if ((void *)(ip + 40) > data_end)
			return -1;
		__builtin_memcpy(ip + 8, &n->nsrc, 16);
		__builtin_memcpy(ip + 24, &n->ndst, 16);
	}
	if (pkt->frag == PF_FRAGK_LATER)
		return 0;
	if ((void *)(th + 20) > data_end) {
		/* a short UDP or ICMP datagram: 8 bytes are enough */
		if ((void *)(th + 8) > data_end)
			return -1;
		if (pkt->proto == IPPROTO_TCP)
			return -1;
	}
	if (pkt->has_ports) {
		__builtin_memcpy(th, &n->nsport, 2);
		__builtin_memcpy(th + 2, &n->ndport, 2);
		pdiff = pf_nat_port_diff(n->osport, n->nsport, n->odport, n->ndport);
	} else if ((pkt->proto == IPPROTO_ICMP || pkt->proto == PF_IPPROTO_ICMPV6) &&
		   pf_nat_icmp_id(n, &oid, &nid)) {
		__builtin_memcpy(th + 4, &nid, 2);
		pdiff = pf_nat_port_diff(oid, nid, 0, 0);
	}
	csat = pf_nat_csum_at(pkt->proto);
	if (!csat)
		return 0;
	sum = (__u16 *)(th + csat);
	if ((void *)(sum + 1) > data_end)
		return -1;
	/* ICMPv4 has no pseudo-header: only the id is in its sum */
	if (pkt->proto == IPPROTO_ICMP)
		adiff = 0;
	if (pkt->proto == IPPROTO_UDP && pkt->af == PF_INET && *sum == 0)
		return 0;
	{
		__u64 d = (__u64)adiff + pdiff;

		d = (d & 0xffffffff) + (d >> 32);
		*sum = pf_csum_apply(*sum, (__u32)d);
	}
	if (pkt->proto == IPPROTO_UDP && *sum == 0)
		*sum = 0xffff;
	return 0;
}

/* tc: the same through the skb helpers (see the top of the file). */
static __noinline int pf_nat_rewrite_skb(struct __sk_buff *skb, const struct pf_pkt *pkt,
					      const struct pf_parse_aux *aux,
					      const struct pf_nat_work *n)
{
	__u32 l3 = aux->l3_off & PF_NAT_OFF_MASK, l4 = pkt->l4_off & PF_NAT_OFF_MASK;
	__u32 adiff = pf_nat_addr_diff(n, pkt->af), pdiff = 0, csat, flags = 0;
	__be16 oid, nid;

	if (pkt->af == PF_INET) {
		if (bpf_skb_store_bytes(skb, l3 + 12, &n->nsrc.v4, 4, 0) ||
		    bpf_skb_store_bytes(skb, l3 + 16, &n->ndst.v4, 4, 0) ||
		    bpf_l3_csum_replace(skb, l3 + 10, 0, adiff, 0))
			return -1;
	} else {
		if (bpf_skb_store_bytes(skb, l3 + 8, &n->nsrc, 16, 0) ||
		    bpf_skb_store_bytes(skb, l3 + 24, &n->ndst, 16, 0))
			return -1;
	}
	if (pkt->frag == PF_FRAGK_LATER)
		return 0;
	csat = pf_nat_csum_at(pkt->proto);
	if (pkt->proto == IPPROTO_UDP)
		flags = BPF_F_MARK_MANGLED_0;
	if (pkt->has_ports) {
		if (bpf_skb_store_bytes(skb, l4, &n->nsport, 2, 0) ||
		    bpf_skb_store_bytes(skb, l4 + 2, &n->ndport, 2, 0))
			return -1;
		pdiff = pf_nat_port_diff(n->osport, n->nsport, n->odport, n->ndport);
	} else if ((pkt->proto == IPPROTO_ICMP || pkt->proto == PF_IPPROTO_ICMPV6) &&
		   pf_nat_icmp_id(n, &oid, &nid)) {
		if (bpf_skb_store_bytes(skb, l4 + 4, &nid, 2, 0))
			return -1;
		pdiff = pf_nat_port_diff(oid, nid, 0, 0);
	}
	if (!csat)
		return 0;
	if (pkt->proto != IPPROTO_ICMP && adiff &&
	    bpf_l4_csum_replace(skb, l4 + csat, 0, adiff, flags | BPF_F_PSEUDO_HDR))
		return -1;
	if (pdiff && bpf_l4_csum_replace(skb, l4 + csat, 0, pdiff, flags))
		return -1;
	return 0;
}

#endif /* PF_NAT_REWRITE_H */
