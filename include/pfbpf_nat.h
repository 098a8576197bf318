/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_nat.h - translation (nat, rdr, binat, nat-to/rdr-to/binat-to) as it
 * crosses the kernel/user line: the translation rules and address pools
 * the datapath evaluates on a state's first packet, and the pair of keys a
 * translating state owns.  Included by pfbpf_types.h, so by both sides.
 *
 * The model is pf's: a state has a wire key (the packet as it is on the
 * interface's wire) and a stack key (as the host's stack sees it); they
 * differ exactly when the state translates.  pf_states is keyed by the
 * wire key, always.  A translating state also owns two entries in
 * pf_natmap, one under each key, both holding the pair:
 *  - a packet on the wire side finds its state in pf_states and the stack
 *    key to rewrite to in pf_natmap[wire];
 *  - a packet on the stack side misses pf_states, finds pf_natmap[stack]
 *    and through its wire key the state.
 * pf_natmap is a plain hash, never an LRU: the kernel cannot evict one
 * half of a pair (the failure of Cilium's LRU NAT map, cilium#29305).  If
 * the LRU state table evicts the state itself, its pair goes the next time
 * either key is looked up and the state is missing, and the sweep removes
 * pairs whose state is gone.  docs/nat.md describes the whole of it.
 */
#ifndef PFBPF_NAT_H
#define PFBPF_NAT_H

#define PFBPF_MAP_NATRULES "pf_natrules" /* array[PF_RULESET_SLOTS*PF_MAX_NAT_RULES]: pf_nat_rule_bpf */
#define PFBPF_MAP_NATPOOL "pf_natpool"   /* array[PF_RULESET_SLOTS*PF_MAX_POOL_ADDRS]: pf_pool_addr_bpf */
#define PFBPF_MAP_NATMAP "pf_natmap"     /* hash: pf_state_key (either) -> pf_nat_pair */
#define PFBPF_MAP_NATSTAT "pf_natstat"   /* percpu array[1]: pf_nat_stats */
#define PFBPF_MAP_NATRR "pf_natrr"       /* array[PF_RULESET_SLOTS*PF_MAX_NAT_RULES]: __u32 round-robin cursor */

/* Per ruleset slot (the slot flips on commit, as the filter rules'). */
#define PF_MAX_NAT_RULES 256
#define PF_MAX_POOL_ADDRS 1024

/* pf's rule actions for translation (struct pf_rule.action values). */
enum {
	PF_NAT = 4,
	PF_NONAT = 5,
	PF_BINAT = 6,
	PF_NOBINAT = 7,
	PF_RDR = 8,
	PF_NORDR = 9,
	PF_MATCH = 12, /* OpenBSD `match`: sets options, never decides */
};

/* Pool types and flags, pf's PF_POOL_* (struct pf_pool.opts). */
enum {
	PF_POOL_NONE = 0,       /* a single address or prefix: the first address, or
				 * for binat/bitmask semantics see below */
	PF_POOL_BITMASK = 1,    /* network bits from the pool, host bits from the packet */
	PF_POOL_RANDOM = 2,
	PF_POOL_SRCHASH = 3,    /* keyed hash of the source address */
	PF_POOL_ROUNDROBIN = 4,
};
#define PF_POOL_TYPEMASK 0x0f
#define PF_POOL_STATICPORT 0x10
#define PF_POOL_STICKYADDR 0x20

/* The port range pfctl gives nat rules that name none (parse.y). */
#define PF_NAT_PROXY_PORT_LOW 50001
#define PF_NAT_PROXY_PORT_HIGH 65535
/* Candidates tried before a new translation fails with PFRES_MAPFAILED. */
#define PF_NAT_MAX_TRIES 1024
/* pf_nat_stats.tries histogram: bucket i counts allocations that took
 * [2^i, 2^(i+1)) tries (bucket 0: one try); the last bucket is failures. */
#define PF_NAT_TRY_BUCKETS 12

/* pf_nat_rule_bpf.flags */
#define PF_NATR_PASS 0x01        /* `nat pass` / `rdr pass`: no filter rules */
#define PF_NATR_FILTER_ORIG 0x02 /* OpenBSD `match ... nat-to`: filter rules see
				  * the packet untranslated, the translation is
				  * applied after they decide */
#define PF_NATR_LOG 0x04
#define PF_NATR_SRC_NEG 0x08
#define PF_NATR_DST_NEG 0x10
#define PF_NATR_IFNOT 0x20
#define PF_NATR_BOUND 0x40       /* `pass ... nat-to`: belongs to filter rule
				  * `owner` and applies only when that rule decides */

/*
 * One translation rule, evaluated in order on a state's first packet
 * (pf's nat/binat/rdr rulesets: first match wins; for PF_MATCH rules the
 * last match wins).  Addresses and masks are network byte order, ports in
 * match fields are host order.
 */
struct pf_nat_rule_bpf {
	__u32 nr;            /* number in its ruleset, as pfctl -sn -v shows */
	__u32 ifindex;       /* `on IF`, 0 = any */
	__u8 action;         /* PF_NAT .. PF_NORDR, PF_MATCH (then xlate says what) */
	__u8 xlate;          /* PF_NAT / PF_RDR / PF_BINAT: what the translation does */
	__u8 direction;      /* PF_INOUT / PF_IN / PF_OUT */
	__u8 af;             /* 0 = any */
	__u8 proto;          /* 0 = any */
	__u8 flags;          /* PF_NATR_* */
	__u8 pool_opts;      /* PF_POOL_* type | STATICPORT | STICKYADDR */
	__u8 src_plen;
	__u8 dst_plen;
	__u8 sport_op;       /* PF_OP_* (pfbpf_rule.h); NONE = any */
	__u8 dport_op;
	__u8 pad;
	struct pf_addr src;  /* host bits zero */
	struct pf_addr dst;
	__u16 sport[2];      /* host order */
	__u16 dport[2];
	__u16 proxy_port[2]; /* nat: source port range (0,0 with static-port);
			      * rdr: target port [0] (0 = keep), [1] end of a
			      * mapped range (dport - dport[0] + [0]) or 0 */
	__u16 src_table;     /* table id + 1, 0 = none (as pf_rule_bpf) */
	__u16 dst_table;
	__u32 pool_first;    /* first pool entry in this slot's part of pf_natpool */
	__u32 pool_count;
	__u32 owner;         /* PF_NATR_BOUND: index of the filter rule in its slot */
	__u32 hash_key[4];   /* source-hash key */
};
PFBPF_ASSERT(sizeof(struct pf_nat_rule_bpf) == 96, "pf_nat_rule_bpf layout");

/* pf_pool_addr_bpf.type */
enum {
	PF_POOLADDR_MASK = 0,   /* addr/plen */
	PF_POOLADDR_DYNIF = 1,  /* `($if)`: the interface's address, as the
				 * kernel would choose it as source for the
				 * packet's destination (bpf_fib_lookup with
				 * BPF_FIB_LOOKUP_SRC), so it follows address
				 * changes with nobody watching */
	PF_POOLADDR_TABLE = 2,  /* `<table>`: never in pf_natpool; the commit
				 * writes the table's addresses as MASK entries
				 * (the datapath cannot walk a table) */
};

struct pf_pool_addr_bpf {
	struct pf_addr addr; /* network byte order, host bits zero */
	__u8 af;
	__u8 plen;
	__u8 type;           /* PF_POOLADDR_* */
	__u8 pad;
	__u32 ifindex;       /* DYNIF */
};
PFBPF_ASSERT(sizeof(struct pf_pool_addr_bpf) == 24, "pf_pool_addr_bpf layout");

/* The two keys of a translating state, stored under each of them. */
struct pf_nat_pair {
	struct pf_state_key key[2]; /* [PF_SK_WIRE], [PF_SK_STACK] */
};
PFBPF_ASSERT(sizeof(struct pf_nat_pair) == 80, "pf_nat_pair layout");

/* Per-CPU translation counters, summed by user space (-si -v, JSON). */
struct pf_nat_stats {
	__u64 translations;  /* translating states created */
	__u64 map_failed;    /* no free address/port: PFRES_MAPFAILED */
	__u64 pair_repaired; /* stale pairs removed (their state was evicted) */
	__u64 tries[PF_NAT_TRY_BUCKETS];
};

#endif /* PFBPF_NAT_H */
