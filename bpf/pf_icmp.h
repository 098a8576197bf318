/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pf_icmp.h - how an ICMP or ICMPv6 message is keyed in the state table:
 * pf's pf_icmp_mapping() and pf_icmp_state_lookup() (OpenBSD sys/net/pf.c,
 * FreeBSD sys/netpfil/pf/pf.c).
 *
 * pf does not key an ICMP query by its id alone.  Each message gets a
 * "virtual type" (the request's type, for the request and its reply) and a
 * "virtual id" (the echo id, a hash of the ND/MLD target address, or 0),
 * and a role, icmp_dir: PF_IN for a message that opens a state (a request,
 * or a type that has no reply), PF_OUT for an answer.  The id goes into the
 * port slot of the side that sent the request, the type into the other,
 * so a request and its reply build the same key while a request in the
 * other direction (even reusing the id) does not; each non-query type
 * gets its own state.  An answer matches only in the reverse direction of
 * the state.
 */
#ifndef PFBPF_BPF_ICMP_H
#define PFBPF_BPF_ICMP_H

/* Where an ICMPv6 answer may come back from (pf's PF_ICMP_MULTI_*). */
enum { PF_ICMP_MULTI_NONE = 0, PF_ICMP_MULTI_LINK = 1, PF_ICMP_MULTI_SOLICITED = 2 };

/* Where the virtual id comes from. */
enum { PF_ICMP_VID_NONE = 0, PF_ICMP_VID_HDR = 1, PF_ICMP_VID_ADDR = 2 };

struct pf_icmp_map {
	__u8 dir;   /* icmp_dir: PF_IN (opens a state) or PF_OUT (an answer) */
	__u8 vtype; /* virtual type, host order */
	__u8 vid;   /* PF_ICMP_VID_*: the echo id, or a hash of the address at +8 */
	__u8 multi; /* PF_ICMP_MULTI_*: ICMPv6 answers to multicast requests */
};

/* pf_icmp_mapping(): the role, virtual type and id source of a type. */
static __always_inline struct pf_icmp_map pf_icmp_mapping(__u8 af, __u8 type)
{
	struct pf_icmp_map m = { .dir = PF_IN, .vtype = type };
	__u8 req = type;

	if (af == PF_INET) {
		switch (type) {
		case 0:  req = 8;  break; /* echo reply */
		case 14: req = 13; break; /* timestamp reply */
		case 16: req = 15; break; /* information reply */
		case 18: req = 17; break; /* address mask reply */
		case 34: req = 33; break; /* IPv6 I-am-here */
		case 36: req = 35; break; /* mobile registration reply */
		case 9:  req = 10; break; /* router advertisement */
		}
		if (req != type)
			m.dir = PF_OUT;
		m.vtype = req;
		if (req == 8 || req == 13 || req == 15 || req == 17)
			m.vid = PF_ICMP_VID_HDR;
		return m;
	}
	m.multi = PF_ICMP_MULTI_LINK;
	switch (type) {
	case 129: req = 128; break; /* echo reply */
	case 140: req = 139; break; /* node information reply (WRU) */
	case 200: req = 201; break; /* multicast traceroute response */
	case 136: req = 135; break; /* neighbour advertisement */
	case 131: req = 130; break; /* MLD report: its own state, see below */
	}
	m.vtype = req;
	/* An MLD report is sent without a query as often as after one, and to
	 * another address: both open a state (OpenBSD pf_icmp_mapping). */
	if (req != type && type != 131)
		m.dir = PF_OUT;
	if (req == 128)
		m.vid = PF_ICMP_VID_HDR;
	if (req == 135 || req == 130)
		m.vid = PF_ICMP_VID_ADDR;
	if (req == 135)
		m.multi = PF_ICMP_MULTI_SOLICITED;
	return m;
}

/* The virtual id of an ND/MLD message: its target address folded to 16
 * bits (OpenBSD pf_icmp_mapping: xor of the four words, halves xored). */
static __always_inline __be16 pf_icmp_addr_id(const __u8 *a)
{
	__u32 w[4], h;

	__builtin_memcpy(w, a, 16);
	h = w[0] ^ w[1] ^ w[2] ^ w[3];
	return (__be16)((h >> 16) ^ (h & 0xffff));
}

/*
 * Fill pkt->sport / dport, the key's ports, for a non-error ICMP message
 * at ih (8 header bytes known to be there).  pf's pf_test_rule: icmp_dir
 * PF_IN puts the id on the source side, PF_OUT on the destination side.
 * Returns -1 when the ND/MLD address the id is made of is cut off.
 */
static __always_inline int pf_icmp_ports(struct pf_pkt *pkt, const __u8 *ih, void *data_end)
{
	struct pf_icmp_map m = pf_icmp_mapping(pkt->af, ih[0]);
	__be16 vid = 0, vt = bpf_htons(m.vtype);

	if (m.vid == PF_ICMP_VID_HDR) {
		__builtin_memcpy(&vid, ih + 4, 2);
	} else if (m.vid == PF_ICMP_VID_ADDR) {
		if ((void *)(ih + 24) > data_end)
			return -1;
		vid = pf_icmp_addr_id(ih + 8);
	}
	if (m.dir == PF_IN) {
		pkt->sport = vid;
		pkt->dport = vt;
	} else {
		pkt->sport = vt;
		pkt->dport = vid;
	}
	return 0;
}

#endif /* PFBPF_BPF_ICMP_H */
