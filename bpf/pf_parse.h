/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_parse.h - Ethernet / VLAN / IPv4 / IPv6 (+ extension headers and
 * fragments) / TCP / UDP / ICMP / ICMPv6 parsing into struct pf_pkt, pf's
 * pf_setup_pdesc.  Works on direct packet access (XDP and tc alike: the tc
 * programs pull the headers into the linear part first).
 *
 * Every access is bounds-checked against data_end and every offset is
 * clamped below PF_PARSE_MAXOFF so the verifier can follow it.  A packet
 * that does not parse is dropped with a pf reason:
 *   short       a header (Ethernet after a known ethertype, IP, TCP, UDP,
 *               ICMP, the quoted header of an ICMP error) is cut off, or the
 *               IP length claims more than the frame holds, or dport is 0;
 *   bad-offset  a length field is impossible: IPv4 IHL < 5 or beyond the IP
 *               length, TCP data offset < 5 or beyond the segment, an IPv6
 *               extension-header chain longer than PF_IPV6_MAX_EXT;
 *   ip-option   an IPv6 routing header of type 0, or a second routing
 *               header (pf_walk_header6);
 *   fragment    a second IPv6 fragment header (pf_walk_header6); else
 *               decided by the fragment policy in pf_kern.bpf.c.
 */
#ifndef PF_PARSE_H
#define PF_PARSE_H

#include "pf_pkt.h"
#include "pf_icmp.h"

#define PF_PARSE_MAXOFF 512   /* headers must start within the first 512 bytes */
#define PF_IPV6_MAX_EXT 8     /* extension headers walked before giving up */
#define PF_MAX_VLANS 2        /* 802.1ad + 802.1Q */

#define PF_ETH_P_IP 0x0800
#define PF_ETH_P_IPV6 0x86DD
#define PF_ETH_P_8021Q 0x8100
#define PF_ETH_P_8021AD 0x88A8

#define PF_IPPROTO_HOPOPTS 0
#define PF_IPPROTO_ICMP 1
#define PF_IPPROTO_TCP 6
#define PF_IPPROTO_UDP 17
#define PF_IPPROTO_ROUTING 43
#define PF_IPPROTO_FRAGMENT 44
#define PF_IPPROTO_AH 51
#define PF_IPPROTO_ICMPV6 58
#define PF_IPPROTO_NONE 59
#define PF_IPPROTO_DSTOPTS 60

#define PF_IPV6_RTHDR_TYPE_0 0 /* source routing, deprecated by RFC 5095 */

enum { PF_PARSE_OK = 0, PF_PARSE_NONIP = 1, PF_PARSE_DROP = 2 };

/* ICMP classes (pf_icmp_mapping): queries carry an id, errors a quote. */
enum { PF_ICMP_OTHER = 0, PF_ICMP_QUERY = 1, PF_ICMP_ERROR = 2 };

/* What the parser learnt besides struct pf_pkt. */
struct pf_parse_aux {
	__u32 l3_off;      /* offset of the IP header */
	__u32 frag_id;     /* IPv4 ip_id (network order) / IPv6 fragment ident */
	__u8 icmp_class;   /* PF_ICMP_* */
	__u8 vlans;
	__u8 ip_opts;      /* IPv4 header with options (pf's pd->badopts) */
	__u8 frag_nh;      /* IPv6: the fragment header's next header */
	__u32 quote_off;   /* ICMP error: offset of the quoted IP header */
};

/* Is the ICMP(v6) type a query (with an id) or an error (with a quote)? */
static __always_inline __u8 pf_icmp_class(__u8 af, __u8 type)
{
	if (af == PF_INET) {
		switch (type) {
		case 0: case 8:   /* echo reply / request */
		case 13: case 14: /* timestamp */
		case 15: case 16: /* information */
		case 17: case 18: /* address mask */
			return PF_ICMP_QUERY;
		case 3: case 4: case 5: case 11: case 12:
			/* unreach, source quench, redirect, time exceeded, param */
			return PF_ICMP_ERROR;
		}
		return PF_ICMP_OTHER;
	}
	switch (type) {
	case 128: case 129: /* echo request / reply */
		return PF_ICMP_QUERY;
	case 1: case 2: case 3: case 4:
		/* unreach, packet too big, time exceeded, param problem */
		return PF_ICMP_ERROR;
	}
	return PF_ICMP_OTHER;
}

/*
 * Parse the IP header at *off (af given), fill addresses, proto, frag and
 * *l4 (transport offset) and *l3_end (end of the IP datagram).  Shared by
 * the outer packet and the packet an ICMP error quotes (quoted = 1: the
 * quote may be truncated after 8 bytes of transport header, and lengths
 * are not checked against the frame).
 */
static __always_inline int pf_parse_ip(void *data, void *data_end, __u32 pkt_len, __u8 af,
				       __u32 off, struct pf_pkt *pkt, struct pf_parse_aux *aux,
				       __u32 *l4, __u32 *l3_end, __u32 *reason, int quoted)
{
	if (off > PF_PARSE_MAXOFF) {
		*reason = PFRES_BADOFF;
		return PF_PARSE_DROP;
	}
	if (af == PF_INET) {
		struct iphdr *ip = data + off;
		__u32 hl, tot;
		__u16 foff;

		if ((void *)(ip + 1) > data_end) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		hl = ip->ihl * 4;
		tot = bpf_ntohs(ip->tot_len);
		if (ip->version != 4 || hl < sizeof(*ip) || tot < hl) {
			*reason = PFRES_BADOFF;
			return PF_PARSE_DROP;
		}
		if (!quoted && off + tot > pkt_len) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		pkt->af = PF_INET;
		pkt->proto = ip->protocol;
		__builtin_memset(&pkt->src, 0, sizeof(pkt->src));
		__builtin_memset(&pkt->dst, 0, sizeof(pkt->dst));
		pkt->src.v4 = ip->saddr;
		pkt->dst.v4 = ip->daddr;
		pkt->tot_len = tot;
		foff = bpf_ntohs(ip->frag_off);
		pkt->frag = (foff & 0x1fff) ? PF_FRAGK_LATER :
			    (foff & 0x2000) ? PF_FRAGK_FIRST : PF_FRAGK_NONE;
		aux->frag_id = ip->id;
		aux->ip_opts = hl > sizeof(*ip);
		*l4 = off + hl;
		*l3_end = off + tot;
		return PF_PARSE_OK;
	} else {
		struct ipv6hdr *ip6 = data + off;
		__u32 o, end, rthdrs = 0, fraghdrs = 0;
		__u8 nh;
		int i;

		if ((void *)(ip6 + 1) > data_end) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		if (ip6->version != 6) {
			*reason = PFRES_BADOFF;
			return PF_PARSE_DROP;
		}
		end = off + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
		if (!quoted && end > pkt_len) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		pkt->af = PF_INET6;
		__builtin_memcpy(&pkt->src, &ip6->saddr, 16);
		__builtin_memcpy(&pkt->dst, &ip6->daddr, 16);
		pkt->tot_len = end - off;
		pkt->frag = PF_FRAGK_NONE;
		nh = ip6->nexthdr;
		o = off + sizeof(*ip6);
		/*
		 * Walk the extension headers as pf_walk_header6 does: a routing
		 * header of type 0 or a second routing header is dropped as
		 * ip-option, a second fragment header as fragment, and the walk
		 * stops at the fragment header of a later fragment (what follows
		 * it is the middle of the datagram, not headers).  A chain longer
		 * than PF_IPV6_MAX_EXT is refused rather than half-inspected.
		 */
#pragma unroll
		for (i = 0; i < PF_IPV6_MAX_EXT + 1; i++) {
			__u8 *h;

			if (nh != PF_IPPROTO_HOPOPTS && nh != PF_IPPROTO_ROUTING &&
			    nh != PF_IPPROTO_DSTOPTS && nh != PF_IPPROTO_FRAGMENT &&
			    nh != PF_IPPROTO_AH)
				break;
			if (i == PF_IPV6_MAX_EXT || o > PF_PARSE_MAXOFF) {
				*reason = PFRES_BADOFF;
				return PF_PARSE_DROP;
			}
			h = data + o;
			if ((void *)(h + 8) > data_end) {
				*reason = PFRES_SHORT;
				return PF_PARSE_DROP;
			}
			if (nh == PF_IPPROTO_FRAGMENT) {
				__u16 fo = ((__u16)h[2] << 8) | h[3];

				if (fraghdrs++) {
					*reason = PFRES_FRAG;
					return PF_PARSE_DROP;
				}
				__builtin_memcpy(&aux->frag_id, h + 4, 4);
				aux->frag_nh = h[0];
				nh = h[0];
				o += 8;
				/* offset in the upper 13 bits, M in bit 0; an
				 * atomic fragment (0, M=0) is a whole packet */
				if (fo & 0xfff8) {
					pkt->frag = PF_FRAGK_LATER;
					break;
				}
				if (fo & 1)
					pkt->frag = PF_FRAGK_FIRST;
			} else if (nh == PF_IPPROTO_AH) {
				nh = h[0];
				o += ((__u32)h[1] + 2) * 4;
			} else {
				if (nh == PF_IPPROTO_ROUTING &&
				    (rthdrs++ || h[2] == PF_IPV6_RTHDR_TYPE_0)) {
					*reason = PFRES_IPOPTIONS;
					return PF_PARSE_DROP;
				}
				nh = h[0];
				o += ((__u32)h[1] + 1) * 8;
			}
		}
		if (o > end) {
			*reason = PFRES_BADOFF;
			return PF_PARSE_DROP;
		}
		pkt->proto = nh;
		*l4 = o;
		*l3_end = end;
		return PF_PARSE_OK;
	}
}

/* TCP option kinds and lengths (RFC 9293, RFC 7323), pf's names. */
#define PF_TCPOPT_EOL 0
#define PF_TCPOPT_NOP 1
#define PF_TCPOPT_MAXSEG 2
#define PF_TCPOPT_WINDOW 3
#define PF_TCPOLEN_MAXSEG 4
#define PF_TCPOLEN_WINDOW 3

/* A SYN's TCP options, copied out of the packet to be parsed. */
struct pf_tcpopt_buf {
	__u8 b[40];
};

/*
 * MSS and window scale of a SYN (OpenBSD pf_get_mss / pf_get_wscale, both
 * through pf_find_tcpopt): returns mss << 8 | wscale byte.  len is the
 * option area (TCP header length - 20, or less if the frame holds less);
 * bytes of ob past it are zero and never read.  As pf:
 *   - EOL is stepped over like NOP (pf's workaround for stacks that pad
 *     with zeros), so an option after it still counts;
 *   - the walk stops when fewer bytes are left than the shortest option
 *     looked for (window scale, 3), so an option is only read whole;
 *   - an option counts only with its exact length (MSS 4, scale 3); any
 *     other advances by its length, at least 2;
 *   - the last of repeated options wins.
 * A global function on purpose: the verifier checks its option loop
 * once, instead of once for every way the packet parser can reach it
 * (which exceeds the verifier's budget).
 */
__noinline int pf_tcpopt_parse(const struct pf_tcpopt_buf *ob, __u32 len)
{
	__u32 next = 0, mss = 0, ws = 0;
	int i;

	if (!ob)
		return 0;
	if (len > sizeof(ob->b))
		len = sizeof(ob->b);
	/*
	 * Walk byte positions, not options: every read is at a constant
	 * offset and `next` (where the next option starts) is only compared,
	 * which keeps the verifier's work linear in the 40 positions.
	 */
#pragma unroll
	for (i = 0; i < 40; i++) {
		__u8 kind, olen;

		if (next != (__u32)i)
			continue;
		if ((__u32)i + PF_TCPOLEN_WINDOW > len || i + 2 >= 40) {
			next = 255;
			continue;
		}
		kind = ob->b[i];
		if (kind == PF_TCPOPT_EOL || kind == PF_TCPOPT_NOP) {
			next = i + 1;
			continue;
		}
		olen = ob->b[i + 1];
		if (kind == PF_TCPOPT_MAXSEG && olen == PF_TCPOLEN_MAXSEG && i + 3 < 40 &&
		    (__u32)i + PF_TCPOLEN_MAXSEG <= len)
			mss = ((__u32)ob->b[i + 2] << 8) | ob->b[i + 3];
		if (kind == PF_TCPOPT_WINDOW && olen == PF_TCPOLEN_WINDOW) {
			ws = ob->b[i + 2];
			/* RFC 7323: a shift above 14 is used as 14 */
			if (ws > PF_TCP_MAX_WINSHIFT)
				ws = PF_TCP_MAX_WINSHIFT;
			ws |= PF_WSCALE_FLAG;
		}
		next = i + (olen < 2 ? 2 : olen);
	}
	return (int)((mss << 8) | ws);
}

/*
 * Copy a SYN's options and parse them.  The copy is bounded by the TCP
 * header length (optlen) and by what the frame holds between data and
 * data_end: the tc programs may see only a pulled prefix of the skb, and
 * bytes past data_end are not the packet's.
 */
static __always_inline void pf_parse_tcp_opts(void *data, void *data_end, __u32 opt_off,
					      __u32 optlen, struct pf_pkt *pkt)
{
	struct pf_tcpopt_buf ob;
	__u64 n = optlen, lin = (__u64)(data_end - data);
	int r;

	__builtin_memset(&ob, 0, sizeof(ob));
	if (lin <= opt_off)
		return;
	if (n > lin - opt_off)
		n = lin - opt_off;
	if (n > sizeof(ob.b))
		n = sizeof(ob.b);
	asm volatile("if %[n] <= 40 goto +1; %[n] = 0" : [n] "+r"(n));
	if (!n || bpf_probe_read_kernel(&ob, n, data + opt_off))
		return;
	r = pf_tcpopt_parse(&ob, n);
	pkt->mss = (__u32)r >> 8;
	pkt->wscale = r & 0xff;
}

/*
 * Transport header at l4 (up to l3_end).  For the quote of an ICMP error
 * (quoted = 1) only the first 8 bytes are required, as RFC 792 promises.
 */
static __always_inline int pf_parse_l4(void *data, void *data_end, __u32 l4, __u32 l3_end,
				       struct pf_pkt *pkt, struct pf_parse_aux *aux,
				       __u32 *reason, int quoted)
{
	pkt->l4_off = l4;
	pkt->l4_len = l3_end > l4 ? l3_end - l4 : 0;
	pkt->has_ports = 0;
	pkt->sport = pkt->dport = 0;
	pkt->tcp_flags = 0;
	/* Later fragments carry no transport header. */
	if (pkt->frag == PF_FRAGK_LATER)
		return PF_PARSE_OK;
	if (l4 > PF_PARSE_MAXOFF + 64) {
		*reason = PFRES_BADOFF;
		return PF_PARSE_DROP;
	}
	switch (pkt->proto) {
	case PF_IPPROTO_TCP: {
		struct tcphdr *th = data + l4;
		__u32 doff;

		if (quoted) {
			__u8 *q = data + l4;

			if ((void *)(q + 8) > data_end) {
				*reason = PFRES_SHORT;
				return PF_PARSE_DROP;
			}
			__builtin_memcpy(&pkt->sport, q, 2);
			__builtin_memcpy(&pkt->dport, q + 2, 2);
			pkt->seq = ((__u32)q[4] << 24) | ((__u32)q[5] << 16) | ((__u32)q[6] << 8) | q[7];
			pkt->has_ports = 1;
			return PF_PARSE_OK;
		}
		if ((void *)(th + 1) > data_end || pkt->l4_len < sizeof(*th)) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		doff = th->doff * 4;
		if (doff < sizeof(*th) || doff > pkt->l4_len) {
			*reason = PFRES_BADOFF;
			return PF_PARSE_DROP;
		}
		if (th->dest == 0) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		pkt->sport = th->source;
		pkt->dport = th->dest;
		pkt->has_ports = 1;
		pkt->tcp_flags = ((__u8 *)th)[13];
		pkt->seq = bpf_ntohl(th->seq);
		pkt->ack = bpf_ntohl(th->ack_seq);
		pkt->win = bpf_ntohs(th->window);
		pkt->th_off = doff;
		pkt->payload_len = pkt->l4_len - doff;
		pkt->mss = 0;
		pkt->wscale = 0;
		if ((pkt->tcp_flags & TH_SYN) && doff > sizeof(*th))
			pf_parse_tcp_opts(data, data_end, l4 + sizeof(*th), doff - sizeof(*th),
					  pkt);
		return PF_PARSE_OK;
	}
	case PF_IPPROTO_UDP: {
		struct udphdr *uh = data + l4;
		__u32 ulen;

		if ((void *)(uh + 1) > data_end) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		pkt->sport = uh->source;
		pkt->dport = uh->dest;
		pkt->has_ports = 1;
		if (quoted)
			return PF_PARSE_OK;
		ulen = bpf_ntohs(uh->len);
		/* A first fragment carries the length of the whole datagram. */
		if (uh->dest == 0 || ulen < sizeof(*uh) ||
		    (ulen > pkt->l4_len && pkt->frag != PF_FRAGK_FIRST)) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		pkt->payload_len = ulen - sizeof(*uh);
		return PF_PARSE_OK;
	}
	case PF_IPPROTO_ICMP:
	case PF_IPPROTO_ICMPV6: {
		__u8 *ih = data + l4;

		if ((void *)(ih + 8) > data_end || (!quoted && pkt->l4_len < 8)) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		/* ICMP inside IPv6 or ICMPv6 inside IPv4 is "other". */
		if ((pkt->proto == PF_IPPROTO_ICMP) != (pkt->af == PF_INET))
			return PF_PARSE_OK;
		pkt->icmp_type = ih[0];
		pkt->icmp_code = ih[1];
		aux->icmp_class = pf_icmp_class(pkt->af, ih[0]);
		/* The key's ports: virtual id and type by role (pf_icmp.h). */
		if (aux->icmp_class != PF_ICMP_ERROR && pf_icmp_ports(pkt, ih, data_end) &&
		    !quoted) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		if (aux->icmp_class == PF_ICMP_ERROR)
			aux->quote_off = l4 + 8;
		return PF_PARSE_OK;
	}
	}
	return PF_PARSE_OK;
}

/*
 * Parse a frame into pkt.  pkt_len is the whole frame length (the tc
 * programs may see only a linear prefix of it between data and data_end).
 * Returns PF_PARSE_OK, PF_PARSE_NONIP (pass uninspected) or PF_PARSE_DROP
 * with *reason set.
 */
static __always_inline int pf_parse(void *data, void *data_end, __u32 pkt_len,
				    struct pf_pkt *pkt, struct pf_parse_aux *aux, __u32 *reason)
{
	struct ethhdr *eth = data;
	__u32 off = sizeof(*eth), l4 = 0, l3_end = 0;
	__u16 proto;
	int i, r;

	if ((void *)(eth + 1) > data_end) {
		*reason = PFRES_SHORT;
		return PF_PARSE_DROP;
	}
	proto = bpf_ntohs(eth->h_proto);
	aux->vlans = 0;
#pragma unroll
	for (i = 0; i < PF_MAX_VLANS; i++) {
		__u8 *tag = data + off;

		if (proto != PF_ETH_P_8021Q && proto != PF_ETH_P_8021AD)
			break;
		if ((void *)(tag + 4) > data_end) {
			*reason = PFRES_SHORT;
			return PF_PARSE_DROP;
		}
		proto = ((__u16)tag[2] << 8) | tag[3];
		off += 4;
		aux->vlans++;
	}
	if (proto != PF_ETH_P_IP && proto != PF_ETH_P_IPV6)
		return PF_PARSE_NONIP;
	aux->l3_off = off;
	r = pf_parse_ip(data, data_end, pkt_len, proto == PF_ETH_P_IP ? PF_INET : PF_INET6, off,
			pkt, aux, &l4, &l3_end, reason, 0);
	if (r != PF_PARSE_OK)
		return r;
	return pf_parse_l4(data, data_end, l4, l3_end, pkt, aux, reason, 0);
}

#endif /* PF_PARSE_H */
