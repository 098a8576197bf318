/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_pkt.h - the parsed-packet descriptor (pf's pf_pdesc) that the header
 * parser fills once and the rule classifier and state code read.  BPF only.
 */
#ifndef PF_PKT_H
#define PF_PKT_H

#include "pfbpf_types.h"

struct pf_pkt {
	struct pf_addr src;   /* network byte order */
	struct pf_addr dst;
	__be16 sport;         /* TCP/UDP ports; ICMP query: echo id in both */
	__be16 dport;
	__u8 af;              /* PF_INET / PF_INET6 */
	__u8 proto;           /* transport protocol after extension headers */
	__u8 dir;             /* PF_IN / PF_OUT */
	__u8 tcp_flags;       /* TH_* of a TCP packet, 0 otherwise */
	__u8 icmp_type;       /* ICMP/ICMPv6 type and code, valid when proto is ICMP */
	__u8 icmp_code;
	__u8 has_ports;       /* TCP/UDP (ports valid) */
	__u8 frag;            /* enum pf_frag_kind */
	__u32 ifindex;
	__u32 tot_len;        /* bytes counted for the state and counters (L3 length) */
	__u32 l4_off;         /* offset of the transport header from packet start */
	__u32 l4_len;         /* bytes from l4_off to the end of the L3 payload */
	/* TCP */
	__u32 seq;            /* host order */
	__u32 ack;
	__u16 win;            /* unscaled window, host order */
	__u16 mss;            /* MSS option on SYN, 0 if none */
	__u8 wscale;          /* PF_WSCALE_FLAG | shift if the SYN carried it */
	__u8 th_off;          /* TCP header length in bytes */
	__u16 pad;
	__u32 payload_len;    /* TCP/UDP payload bytes */
};

/*
 * What a packet is as a fragment (pf_pkt.frag).  A first fragment carries
 * the transport header and is filtered like a packet; a later one carries
 * none, so it passes or not by its datagram (pf_frags).
 */
enum pf_frag_kind {
	PF_FRAGK_NONE = 0,  /* a whole datagram (an atomic IPv6 fragment too) */
	PF_FRAGK_FIRST = 1, /* offset 0, more fragments follow */
	PF_FRAGK_LATER = 2, /* offset > 0: no transport header */
};

/* TCP header flags (TH_*), pf's names. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PUSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20
#define TH_ECE 0x40
#define TH_CWR 0x80

/* Result of the classifier for a packet with no state. */
struct pf_rule_match {
	__u32 idx;            /* index of the winning rule in its slot, or PF_RULE_NONE */
	__u32 slot;           /* ruleset slot evaluated */
	__u32 stop;           /* index where pf's walk stopped (quick or end), for evaluations */
};

#endif /* PF_PKT_H */
