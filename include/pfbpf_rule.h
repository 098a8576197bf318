/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_rule.h - a filter rule as user space sees it: what the pf.conf
 * parser produces, what DIOCADDRULE carries and what the rule compiler
 * (user/cls/) turns into the datapath's classifier maps.
 * User space only: the datapath sees struct pf_rule_bpf and pfbpf_cls.h.
 */
#ifndef PFBPF_RULE_H
#define PFBPF_RULE_H

#include <stddef.h>
#include "pfbpf_types.h"

/* pf's port/uid operators (enum pf_op) are in pfbpf_types.h: the
 * datapath's translation rules use them too. */

enum pfbpf_addr_type {
	PFBPF_ADDR_ANY = 0,   /* any / all */
	PFBPF_ADDR_MASK = 1,  /* addr/prefixlen (a host is /32 or /128) */
	PFBPF_ADDR_TABLE = 2, /* <name> */
	PFBPF_ADDR_DYNIF = 3, /* `($if)` (and its :network... forms): the
			       * interface's addresses, followed at run time;
			       * table[] holds the interface name, iflags
			       * the modifiers */
};

/* Interface address modifiers, pf's PFI_AFLAG_* ($if:network ...). */
#define PFI_AFLAG_NETWORK 0x01
#define PFI_AFLAG_BROADCAST 0x02
#define PFI_AFLAG_PEER 0x04
#define PFI_AFLAG_MODEMASK 0x07
#define PFI_AFLAG_NOALIAS 0x08

struct pfbpf_addr_spec {
	__u8 type;       /* PFBPF_ADDR_* */
	__u8 neg;        /* `!` */
	__u8 af;         /* PF_INET / PF_INET6 for MASK, 0 otherwise */
	__u8 prefixlen;  /* MASK: 0..32 or 0..128 */
	__u8 iflags;     /* DYNIF: PFI_AFLAG_* */
	__u8 pad_as[3];
	struct pf_addr addr; /* MASK: network byte order, host bits zero */
	char table[PF_TABLE_NAME_SIZE]; /* TABLE: name without <> */
};

struct pfbpf_port_spec {
	__u8 op;         /* PF_OP_*; NONE = any port */
	__u8 pad;
	__u16 port[2];   /* host byte order; port[1] only for range ops */
};

/*
 * An address of a translation pool (pf's struct pf_pooladdr): what
 * DIOCADDADDR carries and what the parser collects per rule.
 */
struct pfbpf_pool_addr {
	struct pfbpf_addr_spec addr; /* MASK, TABLE or DYNIF (`($if)`) */
};

/* A rule's pool (pf's struct pf_pool): the addresses travel separately
 * (DIOCBEGINADDRS/DIOCADDADDR and pool_ticket, as in pf). */
struct pfbpf_pool {
	__u8 opts;            /* PF_POOL_* type | STATICPORT | STICKYADDR */
	__u8 key_set;         /* source-hash was given an explicit key */
	__u16 proxy_port[2];  /* host order: nat port range; rdr target port
			       * [0] and end of range [1] (`port a:*`) or 0 */
	__u32 first;          /* parser only: index in pfbpf_conf.pool_addrs */
	__u32 naddrs;         /* parser only: number of entries from first */
	__u32 key[4];         /* source-hash key */
};

/* A rule.  Lists in pf.conf ({ a b }) are expanded by the parser into one
 * rule each, as pfctl does, so every field here is a single value. */
struct pfbpf_rule {
	__u32 nr;           /* position in its ruleset, 0-based (pfctl's @nr) */
	__u8 action;        /* PF_PASS / PF_DROP */
	__u8 direction;     /* PF_INOUT / PF_IN / PF_OUT */
	__u8 quick;
	__u8 log;
	__u8 keep_state;    /* PF_STATE_NONE / NORMAL (MODULATE is rejected) */
	__u8 af;            /* 0 = any, PF_INET, PF_INET6 */
	__u8 proto;         /* 0 = any, else IPPROTO_* */
	__u8 ifnot;         /* on ! ifname */
	char ifname[16];    /* "" = any interface */
	struct pfbpf_addr_spec src, dst;
	struct pfbpf_port_spec sport, dport;
	__u8 flags;         /* TCP flags that must be set ... */
	__u8 flagset;       /* ... out of these; 0/0 = flags any */
	__u8 icmp_type;     /* type + 1, 0 = any (as pf) */
	__u8 icmp_code;     /* code + 1, 0 = any */
	__u16 rule_flag;    /* PFRULE_RETURN* for block */
	__u8 return_icmp_type;
	__u8 return_icmp_code;
	__u32 max_states;   /* (max N), 0 = none */
	__u32 timeout[PFTM_MAX]; /* per-rule timeouts, 0 = global */
	char label[PF_RULE_LABEL_SIZE];
	__u8 allow_opts;    /* allow-opts: IPv4 options may pass (pf's r->allow_opts) */
	/*
	 * Translation (include/pfbpf_nat.h).  nat/rdr/binat rules (and their
	 * `no` forms) have action PF_NAT ... PF_NORDR; pass and match rules
	 * with nat-to/rdr-to/binat-to keep their action and set xlate.
	 */
	__u8 xlate;         /* PF_NAT / PF_RDR / PF_BINAT, 0 = none */
	__u8 natpass;       /* `nat pass`, `rdr pass`, `binat pass` */
	__u8 pad_nat;
	struct pfbpf_pool rpool;
	/* the second to fifth `label` of the rule (FreeBSD keeps up to
	 * PF_RULE_MAX_LABEL_COUNT; label above is the first) */
	char label_more[PF_RULE_MAX_LABEL_COUNT - 1][PF_RULE_LABEL_SIZE];
};

#endif /* PFBPF_RULE_H */
