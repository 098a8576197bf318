/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_return.h - pf's answer to a blocked packet: `block return-rst`,
 * `return-icmp`, `return-icmp6`, `return` and `set block-policy return`.
 *
 * pf_block_return() decides what to answer (OpenBSD sys/net/pf.c
 * pf_return(): a RST as pf_send_tcp() builds it, or an ICMP error as
 * pf_send_icmp() / icmp_error() do).  pf_return_send() then turns the
 * dropped frame into that answer, addressed back to its sender with the
 * MACs swapped, and the hook sends it: XDP_TX, or a tc redirect.
 *
 * The answer's headers are built once, for both hooks, in a copy on the
 * stack (struct pf_answer_hdr) and written over the frame in one store.
 * XDP and tc differ only in their helpers to read the frame, make room
 * for the headers and trim it (pf_ret_load, pf_ret_write).  The hook is a
 * constant at each call, so clang keeps only that hook's helpers in each
 * program; the verifier would refuse the other hook's.
 *
 * Only untagged frames whose IP header has no options or extension
 * headers are answered (docs/datapath.md): the answer is built at the
 * fixed offsets of such a frame.  Anything else stays a plain drop.
 */
#ifndef PF_RETURN_H
#define PF_RETURN_H

#include "pf_state.h"

/* The kernel's uapi names; vmlinux.h carries its types, not its #defines. */
#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif
#ifndef ETH_HLEN
#define ETH_HLEN 14
#endif
#ifndef ICMP_DEST_UNREACH
#define ICMP_DEST_UNREACH 3
#endif
#ifndef ICMP_PORT_UNREACH
#define ICMP_PORT_UNREACH 3
#endif
#ifndef ICMPV6_DEST_UNREACH
#define ICMPV6_DEST_UNREACH 1
#endif
#ifndef ICMPV6_PORT_UNREACH
#define ICMPV6_PORT_UNREACH 4
#endif
#ifndef IPV6_MIN_MTU
#define IPV6_MIN_MTU 1280
#endif

/* TTL and hop limit of an answer: the default of OpenBSD (ip_defttl) and
 * Linux alike, as pf_send_tcp and icmp_error use. */
#ifndef PF_RETURN_TTL
#define PF_RETURN_TTL 64
#endif

/* An ICMP (v4) error quotes the IP header and the first 64 bits of what
 * follows it (RFC 792). */
#define PF_ICMP_QUOTE_DATA 8
#define PF_ICMP4_QUOTE (sizeof(struct iphdr) + PF_ICMP_QUOTE_DATA)

/* An ICMPv6 error quotes as much of the packet as fits in the IPv6
 * minimum MTU (RFC 4443 2.4(c)): 1280 - IPv6 header - ICMPv6 header. */
#define PF_ICMP6_QUOTE_MAX (IPV6_MIN_MTU - sizeof(struct ipv6hdr) - sizeof(struct icmp6hdr))
#define PF_QUOTE_CHUNKS ((PF_ICMP6_QUOTE_MAX + PF_QUOTE_CHUNK - 1) / PF_QUOTE_CHUNK)

/* The byte holding the TCP flags (TH_*), after the data offset: the
 * kernel's tcp_flag_byte(). */
#define pf_tcp_flag_byte(th) (((__u8 *)(th))[offsetof(struct tcphdr, window) - 1])

/* What to answer a blocked packet with (pf_scratch.ret). */
enum { PF_RET_NONE = 0, PF_RET_RST = 1, PF_RET_ICMP = 2,
       PF_RET_SYNCOOKIE = 3 /* a SYN|ACK with a cookie (pf_syncookie.h) */ };

static __always_inline int pf_syncookie_answer(void *ctx, __u8 hook, struct pf_scratch *sc);

/*
 * May an ICMP error be sent about this packet?  RFC 1122 3.2.2 / RFC 1812
 * 4.3.2.7, which the kernel's icmp_send() (pf's icmp_error()) enforce: not
 * about an ICMP error (or a type we cannot tell is not one), not about a
 * packet sent to a multicast or broadcast address, and not to a source
 * that does not name one host.  (The frame's destination MAC is checked
 * where the frame is rewritten.)
 */
static __always_inline int pf_icmp_answerable(const struct pf_scratch *sc)
{
	const struct pf_pkt *pkt = &sc->pkt;

	if ((pkt->proto == IPPROTO_ICMP || pkt->proto == PF_IPPROTO_ICMPV6) &&
	    sc->aux.icmp_class != PF_ICMP_QUERY)
		return 0;
	if (pkt->af == PF_INET) {
		__u32 s = bpf_ntohl(pkt->src.v4), d = bpf_ntohl(pkt->dst.v4);

		/* 224/4 multicast, 240/4 reserved and 255.255.255.255 */
		if (d >= 0xe0000000 || s >= 0xe0000000 || s == 0)
			return 0;
		return 1;
	}
	if (pkt->dst.v6[0] == 0xff || pkt->src.v6[0] == 0xff)
		return 0;
	if (!(pkt->src.addr32[0] | pkt->src.addr32[1] | pkt->src.addr32[2] | pkt->src.addr32[3]))
		return 0;
	return 1;
}

/*
 * `block return-rst` / `return-icmp` / `return` (or set block-policy
 * return): decide what to answer into sc->ret, ret_type and ret_code.  pf
 * answers a TCP segment (not a RST) with a RST and anything else (not an
 * ICMP error, not a later fragment, not multicast or broadcast) with ICMP
 * port unreachable unless the rule names a type and code.
 */
static __always_inline void pf_block_return(struct pf_scratch *sc, const struct pf_rule_bpf *r,
					    const struct pf_config *cfg)
{
	__u16 f = r->rule_flag;
	int any = (f & PFRULE_RETURN) ||
		  (cfg->block_policy == PF_BLOCK_RETURN && !(f & (PFRULE_RETURNRST | PFRULE_RETURNICMP)));

	sc->ret = PF_RET_NONE;
	if (sc->pkt.frag == PF_FRAGK_LATER)
		return;
	if (sc->pkt.proto == IPPROTO_TCP && ((f & PFRULE_RETURNRST) || any)) {
		if (!(sc->pkt.tcp_flags & TH_RST))
			sc->ret = PF_RET_RST;
		return;
	}
	if (((f & PFRULE_RETURNICMP) || any) && pf_icmp_answerable(sc)) {
		/*
		 * The rule carries one code, and its type says for which
		 * family it was given (return-icmp's ICMP unreachable, or
		 * return-icmp6's ICMPv6 destination unreachable).  The other
		 * family gets pf's default, port unreachable, as pf's separate
		 * return_icmp / return_icmp6 would.
		 */
		__u8 t = sc->pkt.af == PF_INET ? ICMP_DEST_UNREACH : ICMPV6_DEST_UNREACH;

		sc->ret = PF_RET_ICMP;
		sc->ret_type = t;
		if (r->return_icmp_type == t)
			sc->ret_code = r->return_icmp_code;
		else
			sc->ret_code = sc->pkt.af == PF_INET ? ICMP_PORT_UNREACH : ICMPV6_PORT_UNREACH;
	}
}

/*
 * Is there an answer to send, and a frame the builders handle?  Untagged,
 * IPv4 without options, IPv6 without extension headers.
 */
static __always_inline int pf_return_ok(const struct pf_scratch *sc)
{
	if (sc->ret == PF_RET_NONE || sc->aux.vlans)
		return 0;
	return sc->pkt.l4_off ==
	       ETH_HLEN + (sc->pkt.af == PF_INET ? sizeof(struct iphdr) : sizeof(struct ipv6hdr));
}

/*
 * ICMP answers are limited to PF_RETURN_ICMP_PPS a second on each CPU, as
 * OpenBSD's icmp_error() limits every ICMP error it sends (pf's answers
 * included): a flood of blocked datagrams must not become a flood of
 * answers.  RSTs are not limited (pf_send_tcp is not).  Returns 1 if this
 * answer may go; a refused one is counted and the packet dropped.
 */
static __always_inline int pf_icmp_ratelimit(struct pf_scratch *sc)
{
	struct pf_status_pcpu *st;

	if (sc->icmp_rl_sec != sc->now) {
		sc->icmp_rl_sec = sc->now;
		sc->icmp_rl_count = 0;
	}
	if (sc->icmp_rl_count < PF_RETURN_ICMP_PPS) {
		sc->icmp_rl_count++;
		return 1;
	}
	st = pf_status_get();
	if (st)
		st->return_icmp_limited++;
	return 0;
}

/* Count an answer sent (pf_status.return_rst / return_icmp). */
static __always_inline void pf_return_count(__u8 kind)
{
	struct pf_status_pcpu *st = pf_status_get();

	if (!st)
		return;
	if (kind == PF_RET_RST)
		st->return_rst++;
	else
		st->return_icmp++;
}

/* ---- the two hooks' packet helpers -------------------------------------- */

/* Copy len bytes of the frame from off (paged data too). */
static __always_inline long pf_ret_load(void *ctx, __u8 hook, __u32 off, void *to, __u32 len)
{
	if (hook == PF_HOOK_XDP)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	return bpf_skb_load_bytes(ctx, off, to, len);
}

/*
 * Make the frame the answer: keep the keep bytes after its Ethernet
 * header, open grow bytes of room in front of them (after the Ethernet
 * header), cut the rest, and write hdr's first len bytes from the frame's
 * start.  Returns 0, or -1 (the frame may already be changed; the caller
 * drops it).
 */
static __always_inline int pf_ret_write(void *ctx, __u8 hook, const void *hdr, __u32 len,
					__u32 grow, __u32 keep)
{
	if (hook == PF_HOOK_XDP) {
		struct xdp_md *xdp = ctx;

		/* XDP moves the frame's start back, so the old Ethernet
		 * header (overwritten below) sits where the room goes. */
		if (grow && bpf_xdp_adjust_head(xdp, -(int)grow))
			return -1;
		/* the frame's length from the helper: a scalar, where
		 * data_end - data lets clang do 32-bit pointer math */
		if (bpf_xdp_adjust_tail(xdp, (int)(ETH_HLEN + grow + keep) -
						(int)bpf_xdp_get_buff_len(xdp)))
			return -1;
		return bpf_xdp_store_bytes(xdp, 0, (void *)hdr, len) ? -1 : 0;
	}
	if (bpf_skb_change_tail(ctx, ETH_HLEN + keep, 0))
		return -1;
	if (grow && bpf_skb_adjust_room(ctx, grow, BPF_ADJ_ROOM_MAC, 0))
		return -1;
	return bpf_skb_store_bytes(ctx, 0, hdr, len, 0) ? -1 : 0;
}

/*
 * Sum (bpf_csum_diff's running sum) of len bytes of the frame from off, in
 * chunks through the scratch.  A chunk's last partial word is padded with
 * zeros, which leaves the Internet checksum of an odd length unchanged.
 * Returns the sum, or -1 if a read failed.
 */
static __always_inline __s64 pf_quote_sum(void *ctx, __u8 hook, struct pf_scratch *sc, __u32 off,
					  __u32 len)
{
	__s64 sum = 0;
	__u32 i;

	for (i = 0; i < PF_QUOTE_CHUNKS; i++) {
		__u32 n = len > PF_QUOTE_CHUNK ? PF_QUOTE_CHUNK : len;

		if (n == 0)
			break;
		*(__u32 *)&sc->qbuf[n & ~3u] = 0;
		if (pf_ret_load(ctx, hook, off, sc->qbuf, n))
			return -1;
		sum = bpf_csum_diff(0, 0, (__be32 *)sc->qbuf, (n + 3) & ~3u, sum);
		off += n;
		len -= n;
	}
	return sum;
}

/* ---- the answer's headers, for both hooks ------------------------------- */

/*
 * The headers of the frame, then of its answer.  pad puts the IP header
 * on a 4-byte boundary: the verifier refuses misaligned stack access.
 * The frame from eth on is what is read and written.
 */
struct pf_answer_hdr {
	__u8 pad[2];
	struct ethhdr eth;
	union {
		struct {
			struct iphdr ip;
			union {
				struct tcphdr tcp;
				struct icmphdr icmp;
			};
		} v4;
		struct {
			struct ipv6hdr ip6;
			union {
				struct tcphdr tcp;
				struct icmp6hdr icmp6;
			};
		} v6;
	};
};

struct pf_pseudo6 {
	struct in6_addr src;
	struct in6_addr dst;
	__be32 len;
	__be32 nh;
};

struct pf_pseudo4 {
	__be32 src;
	__be32 dst;
	__u8 zero;
	__u8 proto;
	__be16 len;
};

static __always_inline __u16 pf_csum_fold(__s64 sum)
{
	__u64 x = (__u64)sum;

	x = (x & 0xffffffff) + (x >> 32);
	x = (x & 0xffff) + (x >> 16);
	x = (x & 0xffff) + (x >> 16);
	x = (x & 0xffff) + (x >> 16);
	return (__u16)~x;
}

/* The answer goes back to where the frame came from. */
static __always_inline void pf_swap_mac(struct ethhdr *eth)
{
	__u8 t[ETH_ALEN];

	__builtin_memcpy(t, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, t, ETH_ALEN);
}

/*
 * The IPv4 header of an answer from the frame's destination to its
 * source, proto, len bytes of payload.  Every field is written: a RST
 * reuses the frame's header, an ICMP error gets a new one, both alike.
 */
static __always_inline void pf_ip4_answer(struct iphdr *ip, __u8 proto, __u32 len)
{
	__be32 sa = ip->saddr, da = ip->daddr;

	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = sizeof(*ip) / 4;
	ip->tot_len = bpf_htons(sizeof(*ip) + len);
	ip->ttl = PF_RETURN_TTL;
	ip->protocol = proto;
	ip->saddr = da;
	ip->daddr = sa;
	ip->check = pf_csum_fold(bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0));
}

/*
 * The same for IPv6; the first word (version, traffic class, flow label)
 * is the caller's: a RST keeps the frame's.  Returns the running sum
 * seed plus the pseudo-header's, for the transport checksum.
 */
static __always_inline __s64 pf_ip6_answer(struct ipv6hdr *ip6, __u8 nexthdr, __u32 len,
					   __s64 seed)
{
	struct pf_pseudo6 ph = {};

	ph.src = ip6->daddr;
	ph.dst = ip6->saddr;
	ph.len = bpf_htonl(len);
	ph.nh = bpf_htonl(nexthdr);
	ip6->saddr = ph.src;
	ip6->daddr = ph.dst;
	ip6->payload_len = bpf_htons(len);
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = PF_RETURN_TTL;
	return bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), seed);
}

/* Turn the TCP header into the RST pf_send_tcp would send for it. */
static __always_inline void pf_rst_fill(struct tcphdr *th, __u32 payload)
{
	__u32 seq = bpf_ntohl(th->seq), ack = bpf_ntohl(th->ack_seq);
	__u8 fl = pf_tcp_flag_byte(th);
	__be16 p = th->source;

	th->source = th->dest;
	th->dest = p;
	if (fl & TH_ACK) {
		th->seq = bpf_htonl(ack);
		th->ack_seq = 0;
		pf_tcp_flag_byte(th) = TH_RST;
	} else {
		__u32 len = payload + ((fl & TH_SYN) ? 1 : 0) + ((fl & TH_FIN) ? 1 : 0);

		th->seq = 0;
		th->ack_seq = bpf_htonl(seq + len);
		pf_tcp_flag_byte(th) = TH_RST | TH_ACK;
	}
	/* no options: the header alone */
	th->ae = 0;
	th->res1 = 0;
	th->doff = sizeof(*th) / 4;
	th->window = 0;
	th->urg_ptr = 0;
	th->check = 0;
}

/* The RST's checksum, over the pseudo-header (sum) and the TCP header. */
static __always_inline __u16 pf_rst_csum(struct tcphdr *th, __s64 sum)
{
	return pf_csum_fold(bpf_csum_diff(0, 0, (__be32 *)th, sizeof(*th), sum));
}

/*
 * Read the frame's Ethernet header and IP header, and with_tcp the TCP
 * header after it, into h.  Returns the IP header's length, or 0 if the
 * frame is neither IPv4 nor IPv6 or is shorter.
 */
static __always_inline __u32 pf_answer_load(void *ctx, __u8 hook, struct pf_answer_hdr *h,
					    int with_tcp)
{
	__u32 l4 = with_tcp ? sizeof(struct tcphdr) : 0;

	if (pf_ret_load(ctx, hook, 0, &h->eth, ETH_HLEN))
		return 0;
	if (h->eth.h_proto == bpf_htons(PF_ETH_P_IP)) {
		if (pf_ret_load(ctx, hook, ETH_HLEN, &h->v4, sizeof(struct iphdr) + l4))
			return 0;
		return sizeof(struct iphdr);
	}
	if (h->eth.h_proto == bpf_htons(PF_ETH_P_IPV6)) {
		if (pf_ret_load(ctx, hook, ETH_HLEN, &h->v6, sizeof(struct ipv6hdr) + l4))
			return 0;
		return sizeof(struct ipv6hdr);
	}
	return 0;
}

/*
 * The RST that answers a TCP segment: its own headers rewritten (addresses,
 * ports and MACs swapped), the frame cut after the TCP header.  Returns 0,
 * or -1 if not answered (IPv4 options, IPv6 extension headers, not TCP).
 */
static __always_inline int pf_rst_answer(void *ctx, __u8 hook)
{
	struct pf_answer_hdr h = {};
	__u32 l3 = pf_answer_load(ctx, hook, &h, 1);
	__u32 len = ETH_HLEN + l3 + sizeof(struct tcphdr);

	if (l3 == sizeof(struct iphdr)) {
		struct pf_pseudo4 ph = {};
		__u32 tot = bpf_ntohs(h.v4.ip.tot_len), thl = h.v4.tcp.doff * 4;

		if (h.v4.ip.ihl != sizeof(struct iphdr) / 4 || h.v4.ip.protocol != IPPROTO_TCP ||
		    tot < sizeof(struct iphdr) + thl)
			return -1;
		pf_swap_mac(&h.eth);
		pf_rst_fill(&h.v4.tcp, tot - sizeof(struct iphdr) - thl);
		pf_ip4_answer(&h.v4.ip, IPPROTO_TCP, sizeof(struct tcphdr));
		ph.src = h.v4.ip.saddr;
		ph.dst = h.v4.ip.daddr;
		ph.proto = IPPROTO_TCP;
		ph.len = bpf_htons(sizeof(struct tcphdr));
		h.v4.tcp.check =
			pf_rst_csum(&h.v4.tcp, bpf_csum_diff(0, 0, (__be32 *)&ph, sizeof(ph), 0));
	} else if (l3 == sizeof(struct ipv6hdr)) {
		__u32 plen = bpf_ntohs(h.v6.ip6.payload_len), thl = h.v6.tcp.doff * 4;

		if (h.v6.ip6.nexthdr != IPPROTO_TCP || plen < thl)
			return -1;
		pf_swap_mac(&h.eth);
		pf_rst_fill(&h.v6.tcp, plen - thl);
		h.v6.tcp.check =
			pf_rst_csum(&h.v6.tcp, pf_ip6_answer(&h.v6.ip6, IPPROTO_TCP,
							     sizeof(struct tcphdr), 0));
	} else {
		return -1;
	}
	return pf_ret_write(ctx, hook, &h.eth, len, 0, len - ETH_HLEN);
}

/*
 * The ICMP (v4) or ICMPv6 error of type and code that quotes the frame
 * (IPv4: its IP header and the 8 bytes after it, RFC 792; IPv6: as much as
 * fits in 1280 bytes, RFC 4443): new IP and ICMP headers in front of the
 * quote, addressed from the frame's destination to its source, MACs
 * swapped.  The quote is summed before the frame moves.  Returns 0, or
 * -1 if not answered.
 */
static __always_inline int pf_icmp_answer(void *ctx, __u8 hook, struct pf_scratch *sc, __u8 type,
					  __u8 code)
{
	struct pf_answer_hdr h = {};
	__u32 l3 = pf_answer_load(ctx, hook, &h, 0);
	__u32 q, hlen;
	__s64 sum;

	/* a frame sent to a group address (broadcast, multicast) is not answered */
	if (!l3 || (h.eth.h_dest[0] & 1))
		return -1;
	pf_swap_mac(&h.eth);
	if (l3 == sizeof(struct iphdr)) {
		struct icmphdr *ic = &h.v4.icmp;

		if (h.v4.ip.ihl != sizeof(struct iphdr) / 4 ||
		    bpf_ntohs(h.v4.ip.tot_len) < PF_ICMP4_QUOTE)
			return -1;
		q = PF_ICMP4_QUOTE;
		hlen = sizeof(struct iphdr) + sizeof(*ic);
		sum = pf_quote_sum(ctx, hook, sc, ETH_HLEN, q);
		if (sum < 0)
			return -1;
		pf_ip4_answer(&h.v4.ip, IPPROTO_ICMP, sizeof(*ic) + q);
		ic->type = type;
		ic->code = code;
		ic->checksum = pf_csum_fold(bpf_csum_diff(0, 0, (__be32 *)ic, sizeof(*ic), sum));
	} else {
		struct icmp6hdr *ic = &h.v6.icmp6;
		__u32 plen = bpf_ntohs(h.v6.ip6.payload_len);

		if (plen < PF_ICMP_QUOTE_DATA)
			return -1;
		q = sizeof(struct ipv6hdr) + plen;
		if (q > PF_ICMP6_QUOTE_MAX)
			q = PF_ICMP6_QUOTE_MAX;
		hlen = sizeof(struct ipv6hdr) + sizeof(*ic);
		sum = pf_quote_sum(ctx, hook, sc, ETH_HLEN, q);
		if (sum < 0)
			return -1;
		/* a new header: version 6, traffic class and flow label 0 */
		*(__be32 *)&h.v6.ip6 = 0;
		h.v6.ip6.version = 6;
		sum = pf_ip6_answer(&h.v6.ip6, PF_IPPROTO_ICMPV6, sizeof(*ic) + q, sum);
		ic->icmp6_type = type;
		ic->icmp6_code = code;
		ic->icmp6_cksum =
			pf_csum_fold(bpf_csum_diff(0, 0, (__be32 *)ic, sizeof(*ic), sum));
	}
	return pf_ret_write(ctx, hook, &h.eth, ETH_HLEN + hlen, hlen, q);
}

/*
 * Send sc's answer (sc->ret), if the frame is one the builders handle and,
 * for ICMP, the rate limit allows: the frame becomes the answer, which the
 * caller sends (XDP_TX or a redirect), counted here.  Returns 0, or -1:
 * then the caller drops the frame.
 */
static __always_inline int pf_return_send(void *ctx, __u8 hook, struct pf_scratch *sc)
{
	int err;

	if (sc->ret == PF_RET_SYNCOOKIE)
		return pf_syncookie_answer(ctx, hook, sc);
	if (!pf_return_ok(sc))
		return -1;
	if (sc->ret == PF_RET_RST)
		err = pf_rst_answer(ctx, hook);
	else if (pf_icmp_ratelimit(sc))
		err = pf_icmp_answer(ctx, hook, sc, sc->ret_type, sc->ret_code);
	else
		return -1;
	if (err)
		return err;
	pf_return_count(sc->ret);
	return 0;
}

/* One subprogram per hook, so each program's verifier pass sees only its
 * own helpers and the answer code is checked once, not at every drop. */
static __noinline int pf_xdp_return(struct xdp_md *ctx, struct pf_scratch *sc)
{
	if (!sc)
		return -1;
	return pf_return_send(ctx, PF_HOOK_XDP, sc);
}

static __noinline int pf_tc_return(struct __sk_buff *skb, struct pf_scratch *sc)
{
	if (!sc)
		return -1;
	return pf_return_send(skb, PF_HOOK_TC, sc);
}

#endif /* PF_RETURN_H */
