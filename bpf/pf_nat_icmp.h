/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_nat_icmp.h - ICMP errors about translated packets (pf_test_state_icmp
 * with pf_change_icmp): an error quotes the packet as it was where the
 * error was made, so one coming back from beyond the translation quotes
 * the wire side and must reach the host with the stack side, and the
 * other way round.  The quoted header's addresses and ports (or query
 * id) change to the other key, the error's own addresses where they are
 * the translated ones, and the checksums with them: the outer IPv4
 * header, the quoted IPv4 header, a quoted UDP checksum, and the ICMP
 * checksum, which covers the quote (and for ICMPv6 the outer addresses).
 * A quoted TCP checksum is left as it is, as pf does: the quote need not
 * hold it.
 */
#ifndef PF_NAT_ICMP_H
#define PF_NAT_ICMP_H

#include "pf_nat.h"
#include "pf_nat_rewrite.h"

/* Set the error up to be rewritten towards key `to` (the quote's new key). */
static __noinline void pf_nat_icmp_plan(struct pf_scratch *sc, const struct pf_state_key *to)
{
	struct pf_nat_work *n;

	if (!sc || !to)
		return;
	n = &sc->nat;
	pf_nat_begin(n, &sc->pkt);
	if (sc->inner.dir == PF_IN) {
		n->isrc = to->addr[0];
		n->isport = to->port[0];
		n->idst = to->addr[1];
		n->idport = to->port[1];
	} else {
		n->isrc = to->addr[1];
		n->isport = to->port[1];
		n->idst = to->addr[0];
		n->idport = to->port[0];
	}
	/* the error goes to the quote's sender, and may come from its peer */
	if (pf_addr_eq(&sc->pkt.dst, &sc->inner.src))
		n->ndst = n->isrc;
	if (pf_addr_eq(&sc->pkt.src, &sc->inner.dst))
		n->nsrc = n->idst;
	n->ierr = 1;
	n->on = 1;
}

/*
 * The state of an error's quote through pf_natmap: found under the wire
 * key (then the quote goes to the stack key), or not found and its key is
 * a stack key (then k becomes the state's wire key).
 */
static __always_inline struct pf_state *pf_nat_icmp_err_state(struct pf_scratch *sc,
							      struct pf_state_key *k,
							      struct pf_state *s)
{
	struct pf_nat_pair *p;

	if (s) {
		p = pf_nat_pair_of(k, PF_SK_WIRE);
		if (p)
			pf_nat_icmp_plan(sc, &p->key[PF_SK_STACK]);
		return s;
	}
	p = pf_nat_pair_of(k, PF_SK_STACK);
	if (!p)
		return 0;
	s = bpf_map_lookup_elem(&pf_states, &p->key[PF_SK_WIRE]);
	if (!s)
		return 0;
	__builtin_memcpy(k, &p->key[PF_SK_WIRE], sizeof(*k));
	pf_nat_icmp_plan(sc, k);
	return s;
}

/* The new values of an error's changed fields, worked out before any
 * byte is written (so tc can write them through the helpers). */
struct pf_icmperr_new {
	__u16 osum;   /* outer IPv4 header checksum */
	__u16 qsum;   /* quoted IPv4 header checksum */
	__u16 usum;   /* quoted UDP checksum */
	__u16 icsum;  /* the ICMP checksum */
	__u8 has_q4;  /* the quote is IPv4 */
	__u8 has_u;   /* the quote is UDP with a checksum */
	__u8 id_at;   /* the quote is an ICMP query: its id changes (1) */
	__u8 pad;
	__be16 id;
};

static __always_inline __u64 pf_fold64(__u64 d)
{
	d = (d & 0xffffffff) + (d >> 32);
	d = (d & 0xffffffff) + (d >> 32);
	return d;
}

static __always_inline int pf_nat_icmperr_plan(void *data, void *data_end,
					       const struct pf_scratch *sc,
					       struct pf_icmperr_new *v)
{
	const struct pf_nat_work *n = &sc->nat;
	const struct pf_pkt *in = &sc->inner;
	__u32 l3 = sc->aux.l3_off & PF_NAT_OFF_MASK, l4 = sc->pkt.l4_off & PF_NAT_OFF_MASK;
	__u32 q = sc->aux.quote_off & PF_NAT_OFF_MASK, ql4 = in->l4_off & PF_NAT_OFF_MASK;
	__u32 ado = pf_nat_addr_diff(n, sc->pkt.af);
	__u32 adi = pf_addrs_diff(&in->src, &n->isrc, &in->dst, &n->idst, in->af);
	__u32 pdi = 0;
	__u64 d;
	__u8 *p;

	__builtin_memset(v, 0, sizeof(*v));
	if (in->has_ports) {
		pdi = pf_nat_port_diff(in->sport, n->isport, in->dport, n->idport);
	} else if (in->proto == IPPROTO_ICMP || in->proto == PF_IPPROTO_ICMPV6) {
		/* the quoted query's id is whichever "port" changed */
		if (in->sport != n->isport) {
			pdi = pf_nat_port_diff(in->sport, n->isport, 0, 0);
			v->id = n->isport;
			v->id_at = 1;
		} else if (in->dport != n->idport) {
			pdi = pf_nat_port_diff(in->dport, n->idport, 0, 0);
			v->id = n->idport;
			v->id_at = 1;
		}
	}
	/* everything of the quote is inside the ICMP message */
	d = (__u64)adi + pdi;
	if (sc->pkt.af == PF_INET) {
		p = data + l3;
		if ((void *)(p + 20) > data_end)
			return -1;
		v->osum = pf_csum_apply(*(__u16 *)(p + 10), ado);
	} else {
		d += ado; /* ICMPv6's pseudo-header */
	}
	if (in->af == PF_INET) {
		p = data + q;
		if ((void *)(p + 20) > data_end)
			return -1;
		v->has_q4 = 1;
		v->qsum = pf_csum_apply(*(__u16 *)(p + 10), adi);
		d += (__u16)~*(__u16 *)(p + 10);
		d += v->qsum;
	}
	if (in->proto == IPPROTO_UDP) {
		p = data + ql4;
		if ((void *)(p + 8) > data_end)
			return -1;
		if (*(__u16 *)(p + 6)) {
			v->has_u = 1;
			v->usum = pf_csum_apply(*(__u16 *)(p + 6), (__u32)pf_fold64((__u64)adi + pdi));
			if (!v->usum)
				v->usum = 0xffff;
			d += (__u16)~*(__u16 *)(p + 6);
			d += v->usum;
		}
	}
	p = data + l4;
	if ((void *)(p + 4) > data_end)
		return -1;
	v->icsum = pf_csum_apply(*(__u16 *)(p + 2), (__u32)pf_fold64(d));
	return 0;
}

static __noinline int pf_nat_icmperr_xdp(struct xdp_md *ctx, struct pf_scratch *sc)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct pf_nat_work *n = &sc->nat;
	__u32 l3 = sc->aux.l3_off & PF_NAT_OFF_MASK, l4 = sc->pkt.l4_off & PF_NAT_OFF_MASK;
	__u32 q = sc->aux.quote_off & PF_NAT_OFF_MASK, ql4 = sc->inner.l4_off & PF_NAT_OFF_MASK;
	struct pf_icmperr_new v;
	__u8 *p;

	if (pf_nat_icmperr_plan(data, data_end, sc, &v))
		return -1;
	p = data + l3;
	if (sc->pkt.af == PF_INET) {
		if ((void *)(p + 20) > data_end)
			return -1;
		__builtin_memcpy(p + 12, &n->nsrc.v4, 4);
		__builtin_memcpy(p + 16, &n->ndst.v4, 4);
		*(__u16 *)(p + 10) = v.osum;
	} else {
		if ((void *)(p + 40) > data_end)
			return -1;
		__builtin_memcpy(p + 8, &n->nsrc, 16);
		__builtin_memcpy(p + 24, &n->ndst, 16);
	}
	p = data + q;
	if (sc->inner.af == PF_INET) {
		if ((void *)(p + 20) > data_end)
			return -1;
		__builtin_memcpy(p + 12, &n->isrc.v4, 4);
		__builtin_memcpy(p + 16, &n->idst.v4, 4);
		*(__u16 *)(p + 10) = v.qsum;
	} else {
		if ((void *)(p + 40) > data_end)
			return -1;
		__builtin_memcpy(p + 8, &n->isrc, 16);
		__builtin_memcpy(p + 24, &n->idst, 16);
	}
	p = data + ql4;
	if ((void *)(p + 8) > data_end)
		return -1;
	if (sc->inner.has_ports) {
		__builtin_memcpy(p, &n->isport, 2);
		__builtin_memcpy(p + 2, &n->idport, 2);
	} else if (v.id_at) {
		__builtin_memcpy(p + 4, &v.id, 2);
	}
	if (v.has_u)
		*(__u16 *)(p + 6) = v.usum;
	p = data + l4;
	if ((void *)(p + 4) > data_end)
		return -1;
	*(__u16 *)(p + 2) = v.icsum;
	return 0;
}

static __noinline int pf_nat_icmperr_skb(struct __sk_buff *skb, struct pf_scratch *sc)
{
	const struct pf_nat_work *n = &sc->nat;
	__u32 l3 = sc->aux.l3_off & PF_NAT_OFF_MASK, l4 = sc->pkt.l4_off & PF_NAT_OFF_MASK;
	__u32 q = sc->aux.quote_off & PF_NAT_OFF_MASK, ql4 = sc->inner.l4_off & PF_NAT_OFF_MASK;
	const __u64 f = BPF_F_RECOMPUTE_CSUM;
	struct pf_icmperr_new v;
	int e = 0;

	if (pf_nat_icmperr_plan((void *)(long)skb->data, (void *)(long)skb->data_end, sc, &v))
		return -1;
	if (sc->pkt.af == PF_INET) {
		e |= bpf_skb_store_bytes(skb, l3 + 12, &n->nsrc.v4, 4, f);
		e |= bpf_skb_store_bytes(skb, l3 + 16, &n->ndst.v4, 4, f);
		e |= bpf_skb_store_bytes(skb, l3 + 10, &v.osum, 2, f);
	} else {
		e |= bpf_skb_store_bytes(skb, l3 + 8, &n->nsrc, 16, f);
		e |= bpf_skb_store_bytes(skb, l3 + 24, &n->ndst, 16, f);
	}
	if (sc->inner.af == PF_INET) {
		e |= bpf_skb_store_bytes(skb, q + 12, &n->isrc.v4, 4, f);
		e |= bpf_skb_store_bytes(skb, q + 16, &n->idst.v4, 4, f);
		e |= bpf_skb_store_bytes(skb, q + 10, &v.qsum, 2, f);
	} else {
		e |= bpf_skb_store_bytes(skb, q + 8, &n->isrc, 16, f);
		e |= bpf_skb_store_bytes(skb, q + 24, &n->idst, 16, f);
	}
	if (sc->inner.has_ports) {
		e |= bpf_skb_store_bytes(skb, ql4, &n->isport, 2, f);
		e |= bpf_skb_store_bytes(skb, ql4 + 2, &n->idport, 2, f);
	} else if (v.id_at) {
		e |= bpf_skb_store_bytes(skb, ql4 + 4, &v.id, 2, f);
	}
	if (v.has_u)
		e |= bpf_skb_store_bytes(skb, ql4 + 6, &v.usum, 2, f);
	e |= bpf_skb_store_bytes(skb, l4 + 2, &v.icsum, 2, f);
	return e ? -1 : 0;
}

#endif /* PF_NAT_ICMP_H */
