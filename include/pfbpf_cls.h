/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_cls.h - the compiled rule classifier as it sits in BPF maps.
 *
 * Bit-vector search: every field of a packet (direction+af+proto, interface,
 * source address, destination address, source port, destination port, TCP
 * flags, ICMP type/code) is looked up once and gives the id of a bitmap of
 * the rules that accept that field value.  The AND of the eight bitmaps is
 * the set of matching rules; pf's "last match wins unless quick" then picks
 * the winner.  See docs/classifier.md.
 *
 * A bitmap has PF_MAX_RULES bits = PF_CLS_WORDS words of 64 bits.  It is
 * stored compactly: a summary (one bit per word, set when the word is not
 * zero) and only the non-zero words, consecutive in a shared word pool,
 * found by rank (popcount of the summary bits below).  ANDing the summaries
 * first means a packet touches only the words where every field has a
 * candidate, so the cost does not grow with the number of rules.
 *
 * Every map carries both ruleset slots (PF_RULESET_SLOTS): the slot is part
 * of the key or index, and pf_config.active selects one.  Bitmap ids and
 * pool offsets are per slot.  Bitmap id 0 is always the empty bitmap, so an
 * entry never written matches nothing.
 *
 * Byte order: addresses in network order (as pf_pkt); everything else here
 * is host order.
 */
#ifndef PFBPF_CLS_H
#define PFBPF_CLS_H

#include "pfbpf_types.h"

#define PFBPF_MAP_RULES "pf_rules"     /* array[SLOTS*PF_MAX_RULES]: pf_rule_bpf */
#define PFBPF_MAP_CLS_META "pf_c_meta" /* array[SLOTS]: pf_cls_meta */
#define PFBPF_MAP_CLS_BASE "pf_c_base" /* array[SLOTS*PF_CLS_BASE_N]: bitmap id */
#define PFBPF_MAP_CLS_IF "pf_c_if"     /* hash pf_cls_if_key -> bitmap id */
#define PFBPF_MAP_CLS_ADDR "pf_c_addr" /* LPM pf_cls_addr_key -> bitmap id */
#define PFBPF_MAP_CLS_PORT "pf_c_port" /* array[SLOTS*2*PF_CLS_PORT_N]: bitmap id */
#define PFBPF_MAP_CLS_FLAGS "pf_c_flags" /* array[SLOTS*PF_CLS_FLAGS_N]: bitmap id */
#define PFBPF_MAP_CLS_ICMP "pf_c_icmp" /* array[SLOTS*PF_CLS_ICMP_N]: bitmap id */
#define PFBPF_MAP_CLS_BM "pf_c_bm"     /* array[SLOTS*PF_CLS_MAX_BMS]: pf_cls_bm */
#define PFBPF_MAP_CLS_POOL "pf_c_pool" /* array[SLOTS*PF_CLS_POOL_WORDS]: __u64 */
#define PFBPF_MAP_CLS_WORDS "pf_c_words" /* array[SLOTS*PF_CLS_WORDS]: pf_cls_words */
#define PFBPF_MAP_CLS_B2R "pf_c_bit2rule" /* array[SLOTS*PF_CLS_BITS]: rule index */

/*
 * Bit positions are not rule numbers: rules are grouped by shape (which of
 * source, destination, source port, destination port they name), each
 * group starting on a word of its own and keeping rule order inside.  A
 * word then holds rules of one shape only, so the summary AND drops whole
 * groups whose named fields miss the packet, even when the rules of the
 * ruleset take turns between shapes (see docs/classifier.md).
 * pf_c_bit2rule maps a bit back to its rule.  Room: every rule plus up to
 * 63 bits of padding for each of the 16 shapes.  The compiler splits
 * shapes further (negated addresses, single ports, ranges, `!=`) and
 * groups popular values when that padding fits too, and falls back to the
 * 16 plain shapes otherwise.
 */
#define PF_CLS_NSHAPES 16
#define PF_CLS_SUM_WORDS 5                    /* summary words */
#define PF_CLS_WORDS (PF_CLS_SUM_WORDS * 64)  /* 320 words of rule bits */
#define PF_CLS_BITS (PF_CLS_WORDS * 64)       /* 20480 */
PFBPF_ASSERT(PF_CLS_BITS >= PF_MAX_RULES + PF_CLS_NSHAPES * 63, "room for shape padding");

/*
 * Bitmaps a packet looks up, in the order of pf_cls_run.bm[].  The first
 * PF_CLS_NSINGLE are one bitmap per field.  Addresses and ports come as
 * pairs (specific, wildcard) that are ORed: the specific bitmap of an LPM
 * entry or port interval holds only the rules that name an address or port
 * there, the wildcard bitmap (one per side, in pf_cls_meta) the rules that
 * name none.  Folding the wildcard rules into every entry would store them
 * once per entry: 5,000 host rules next to 5,000 `from any` rules would
 * need 5,000 dense bitmaps.
 */
enum pf_cls_field {
	PF_CLS_F_BASE = 0,    /* direction, af, protocol */
	PF_CLS_F_IF = 1,      /* interface */
	PF_CLS_F_FLAGS = 2,   /* TCP flags */
	PF_CLS_F_ICMP = 3,    /* ICMP type and code */
	PF_CLS_F_SRC = 4,     /* source address (LPM entry) */
	PF_CLS_F_SRC_W = 5,   /* rules with no source address (any, table) */
	PF_CLS_F_DST = 6,
	PF_CLS_F_DST_W = 7,
	PF_CLS_F_SPORT = 8,   /* source port (interval) */
	PF_CLS_F_SPORT_W = 9, /* rules with no source port */
	PF_CLS_F_DPORT = 10,
	PF_CLS_F_DPORT_W = 11,
	PF_CLS_NFIELDS = 12,
};
#define PF_CLS_NSINGLE 4
#define PF_CLS_NPAIRS 4 /* src, dst, sport, dport: meta.wild[] order */

/* pf_c_base index inside a slot: ((dir - 1) * 2 + af_idx) * 256 + proto,
 * dir PF_IN/PF_OUT, af_idx 0 = inet, 1 = inet6. */
#define PF_CLS_BASE_N (2 * 2 * 256)
/* pf_c_port index inside a slot and side (0 src, 1 dst): the port in host
 * order, or PF_CLS_NOPORT for packets without ports. */
#define PF_CLS_NOPORT 65536
#define PF_CLS_PORT_N 65537
/* pf_c_flags: TCP flags byte, or PF_CLS_NOTCP for other protocols. */
#define PF_CLS_NOTCP 256
#define PF_CLS_FLAGS_N 257
/* pf_c_icmp: type << 8 | code for ICMP/ICMPv6, PF_CLS_NOICMP otherwise. */
#define PF_CLS_NOICMP 65536
#define PF_CLS_ICMP_N 65537

/* Capacities per slot.  Exceeding one is a compile error naming it. */
#define PF_CLS_MAX_BMS 65536        /* distinct bitmaps */
#define PF_CLS_POOL_WORDS (1 << 19) /* non-zero bitmap words (4 MiB) */
#define PF_CLS_MAX_PREFIXES (2 * PF_MAX_RULES + 4) /* LPM entries: both sides, both afs, roots */
#define PF_CLS_MAX_IFS 1024         /* distinct interfaces named by rules */

/* One bitmap: summary bits and where its non-zero words start in the pool. */
struct pf_cls_bm {
	__u64 sum[PF_CLS_SUM_WORDS];     /* bit w: word w is non-zero */
	__u32 base;                      /* pool index of its first word */
	__u16 rank[PF_CLS_SUM_WORDS];    /* summary bits set in sum[0..k-1] */
	__u16 pad;
};
PFBPF_ASSERT(sizeof(struct pf_cls_bm) == 56, "pf_cls_bm layout");

/* Per slot and word: which bits are quick rules, which need a table check. */
struct pf_cls_words {
	__u64 quick;
	__u64 tbl;
};
PFBPF_ASSERT(sizeof(struct pf_cls_words) == 16, "pf_cls_words layout");

struct pf_cls_meta {
	__u32 nrules;     /* 0: empty ruleset, pf passes without state */
	__u32 if_default; /* bitmap of an interface no rule names */
	__u32 nbms;       /* bitmaps in use (for dumps) */
	__u32 npool;      /* pool words in use */
	__u32 wild[PF_CLS_NPAIRS]; /* wildcard bitmaps: src, dst, sport, dport */
	__u32 nifs;       /* entries in pf_c_if; 0: no lookup, if_default */
	/* Per side (0 src, 1 dst) and af index (0 inet, 1 inet6): the /0
	 * entry's bitmap, and bit (side * 2 + afi) of addr_root_only set when
	 * the trie holds nothing else there, so the LPM lookup is skipped. */
	__u32 addr_root_only;
	__u32 addr_root[2][2];
	/* Bit f: field f (PF_CLS_F_*) holds every rule for every value, so
	 * the datapath neither looks it up nor ANDs it (user/cls/skip.c).
	 * Was padding: 0, what an older compiler wrote, skips nothing. */
	__u32 skip;
	__u32 pad;
};
PFBPF_ASSERT(sizeof(struct pf_cls_meta) == 64, "pf_cls_meta layout");

struct pf_cls_if_key {
	__u32 slot;
	__u32 ifindex;
};

/* LPM key: the slot, side and af are a fixed 32-bit prefix, so
 * prefixlen = 32 + address bits. */
struct pf_cls_addr_key {
	__u32 prefixlen;
	__u8 slot;
	__u8 side;        /* 0 source, 1 destination */
	__u8 af;          /* PF_INET / PF_INET6 */
	__u8 pad;
	struct pf_addr addr;
};
PFBPF_ASSERT(sizeof(struct pf_cls_addr_key) == 24, "pf_cls_addr_key layout");

#endif /* PFBPF_CLS_H */
