/* SPDX-License-Identifier: BSD-2-Clause */
/* cls_int.h - the compiler's internal image, shared by its source files. */
#ifndef PFBPF_CLS_INT_H
#define PFBPF_CLS_INT_H

#include "cls/cls.h"

#define PF_CLS_HASH_SIZE (PF_CLS_MAX_BMS * 2)

enum { CLS_IF_ANY = 0, CLS_IF_IS = 1, CLS_IF_NOT = 2, CLS_IF_NEVER = 3 };

struct cls_addr {
	__u8 type, neg, af, plen;
	__u32 table;          /* TABLE: id */
	struct pf_addr addr;  /* MASK: host bits cleared */
};

/* A rule reduced to what classification needs. */
struct cls_rule {
	__u8 dir, af, proto, quick;
	__u8 ifkind;          /* CLS_IF_* */
	__u8 flags, flagset, icmp_type, icmp_code;
	__u32 ifindex;
	struct cls_addr src, dst;
	struct pfbpf_port_spec sport, dport;
};

struct cls_addr_ent {
	__u8 side, af, plen;
	struct pf_addr addr;
	__u32 bm;
};

struct cls_if_ent {
	__u32 ifindex, bm;
};

struct pfbpf_cls_image {
	size_t nrules;
	struct pf_rule_bpf *rb;
	struct cls_rule *cr;
	__u32 *pos;           /* rule index -> bit */
	__u32 *bit2rule;      /* bit -> rule index, PF_RULE_NONE for padding */
	__u32 nbits;
	__u32 base[PF_CLS_BASE_N];
	__u32 sport[PF_CLS_PORT_N];
	__u32 dport[PF_CLS_PORT_N];
	__u32 flags[PF_CLS_FLAGS_N];
	__u32 icmp[PF_CLS_ICMP_N];
	struct pf_cls_words words[PF_CLS_WORDS];
	unsigned layout;      /* layout level (compile.c, CLS_LAYOUT_LEVELS) */
	struct cls_if_ent *ifs;
	__u32 nifs, if_default;
	__u32 wild[PF_CLS_NPAIRS];
	struct cls_addr_ent *addrs;
	__u32 naddrs;
	struct pf_cls_bm *bms;
	__u32 nbms;
	__u64 *pool;
	__u32 npool;
	__u32 *hash;          /* interning, compile time only */
	__u64 *hash_key;
};

void cls_prefix_trunc(struct pf_addr *a, unsigned plen);
__u32 cls_skip_mask(const struct pfbpf_cls_image *img);
int cls_port_intervals(const struct pfbpf_port_spec *p, __u32 lo[2], __u32 hi[2]);

#endif
