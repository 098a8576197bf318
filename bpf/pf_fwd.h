/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_fwd.h - the forwarding fast path: on a router, a packet of an
 * established state whose route resolves is sent out of its egress
 * interface from tc ingress with bpf_redirect, instead of climbing the
 * stack to be routed there.  It is what the stack would do with it: the
 * route from bpf_fib_lookup (the kernel's FIB, neighbour entry included),
 * TTL / hop limit decremented, the MTU checked.  Whatever the fast path
 * cannot do the same way goes up the stack unchanged: a packet too big
 * for the egress link (the stack sends the ICMP error), a neighbour not
 * yet resolved, TTL 1, VLAN tags, fragments, IP options.
 *
 * tc only: a redirect from tc ingress goes through the egress device's
 * qdisc, so pfbpf's tc egress program there still filters and translates
 * it (nat on the outside leg).  An XDP redirect would skip that hook, so
 * an interface whose ingress is XDP does not take the fast path.
 *
 * Per interface (pf_fwd, keyed by the ingress ifindex): on unless an
 * entry says off (`pfbpf-load forward IF off`).  On by default because it
 * measured as costing nothing (bench/router_nat.sh: iperf3 through the
 * router at 1.00 of no filter either way, docs/datapath.md).
 */
#ifndef PF_FWD_H
#define PF_FWD_H

#include "pf_state.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct pf_fwd_if);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_fwd SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_fwd_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pf_fwdstat SEC(".maps");

/* Is the state past its handshake, so every packet of it is routine? */
static __always_inline int pf_fwd_established(const struct pf_state *s, __u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return s->pstate[0] == TCPS_ESTABLISHED && s->pstate[1] == TCPS_ESTABLISHED;
	case IPPROTO_ICMP:
	case PF_IPPROTO_ICMPV6:
		return 0;
	}
	/* UDP and other protocols: both sides have sent (MULTIPLE) */
	return s->pstate[0] == PFUDPS_MULTIPLE && s->pstate[1] == PFUDPS_MULTIPLE;
}

static __always_inline void pf_fwd_count(int forwarded)
{
	__u32 z = 0;
	struct pf_fwd_stats *fs = bpf_map_lookup_elem(&pf_fwdstat, &z);

	if (!fs)
		return;
	if (forwarded)
		fs->forwarded++;
	else
		fs->to_stack++;
}

/*
 * Forward skb (already filtered and translated) if it may be.  Returns
 * the tc verdict of the redirect, or -1 to let it go up the stack.
 */
static __noinline int pf_fwd_skb(struct __sk_buff *skb, struct pf_scratch *sc)
{
	struct bpf_fib_lookup *fib;
	struct pf_fwd_if *fi;
	__u32 ifindex, l3, ttl_off;
	__u8 *ip, ttl;
	void *data, *data_end;
	__u16 oldw, neww;
	long rc;

	if (!sc)
		return -1;
	ifindex = skb->ifindex;
	fi = bpf_map_lookup_elem(&pf_fwd, &ifindex);
	if (fi && !(fi->flags & PF_FWD_ON))
		return -1;
	if (sc->aux.vlans || sc->aux.ip_opts || sc->pkt.frag != PF_FRAGK_NONE)
		return -1;
	l3 = sc->aux.l3_off & 0x3ff;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	ip = data + l3;
	if ((void *)(ip + 40) > data_end)
		return -1;
	fib = &sc->fib;
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->ifindex = ifindex;
	fib->l4_protocol = sc->pkt.proto;
	if (sc->pkt.has_ports) {
		fib->sport = sc->nat.on ? sc->nat.nsport : sc->pkt.sport;
		fib->dport = sc->nat.on ? sc->nat.ndport : sc->pkt.dport;
	}
	/* a GRO'd skb leaves as segments of gso_size: they must fit */
	fib->tot_len = skb->gso_size ? (__u16)(sc->pkt.l4_off - l3 + sc->pkt.th_off + skb->gso_size)
				     : (__u16)sc->pkt.tot_len;
	if (sc->pkt.af == PF_INET) {
		ttl_off = 8;
		fib->family = 2; /* AF_INET */
		fib->tos = ip[1];
		__builtin_memcpy(&fib->ipv4_src, ip + 12, 4);
		__builtin_memcpy(&fib->ipv4_dst, ip + 16, 4);
	} else {
		ttl_off = 7;
		fib->family = 10; /* AF_INET6 */
		__builtin_memcpy(fib->ipv6_src, ip + 8, 16);
		__builtin_memcpy(fib->ipv6_dst, ip + 24, 16);
	}
	ttl = ip[ttl_off];
	if (ttl <= 1) {
		pf_fwd_count(0);
		return -1;
	}
	rc = bpf_fib_lookup(skb, fib, sizeof(*fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		/* not forwarded by the FIB (local, blackhole ...) stays quiet;
		 * a forwardable packet we cannot send (MTU, neighbour) counts */
		if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED || rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			pf_fwd_count(0);
		return -1;
	}
	/* the TTL (IPv4: in the header checksum's word with the protocol) */
	oldw = *(__u16 *)(ip + (ttl_off & ~1));
	ip[ttl_off] = ttl - 1;
	neww = *(__u16 *)(ip + (ttl_off & ~1));
	if (sc->pkt.af == PF_INET && bpf_l3_csum_replace(skb, l3 + 10, oldw, neww, 2))
		return -1;
	if (bpf_skb_store_bytes(skb, 0, fib->dmac, 6, 0) ||
	    bpf_skb_store_bytes(skb, 6, fib->smac, 6, 0))
		return -1;
	pf_fwd_count(1);
	return bpf_redirect(fib->ifindex, 0);
}

#endif /* PF_FWD_H */
