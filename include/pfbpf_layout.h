/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_layout.h - the layout stamp of the pinned maps (issue 12).
 *
 * The maps outlive the programs: a rebuilt datapath loaded over a running
 * one reuses them, and keeps every state, as long as it reads them the
 * same way.  libbpf refuses a pinned map whose key or value size differs,
 * but a field moved inside a value of the same size would be misread in
 * silence.  So the first pf_ctl PF_CTL_ARM writes PFBPF_LAYOUT_ID into the
 * pinned pf_layout map, and every loader and tool compares it with its own
 * before it touches the maps: a mismatch is refused with a message, never
 * misread.
 *
 * The id mixes the sizes of every pinned key and value (a size change
 * needs nobody to remember anything) with PFBPF_LAYOUT_EPOCH, which is
 * bumped by hand when a field moves or changes meaning at the same size.
 * Compiled by clang's BPF target and by gcc alike.
 */
#ifndef PFBPF_LAYOUT_H
#define PFBPF_LAYOUT_H

#include "pfbpf_types.h"
#include "pfbpf_nat.h"
#include "pfbpf_syncookie.h"

#define PFBPF_MAP_LAYOUT "pf_layout" /* array[1]: __u64 PFBPF_LAYOUT_ID, 0 = not stamped yet */

#ifndef PFBPF_LAYOUT_EPOCH
#define PFBPF_LAYOUT_EPOCH 2 /* 2: pf_config.syncookies*, pf_syncookie, LCNT_SYN*;
                              * pf_state.rule is a rule id */
#endif

#define PFBPF_LAYOUT_MIX(h, v) (((h) * 1000003ULL) ^ (unsigned long long)(v))
#define PFBPF_LAYOUT_SIZES                                                              \
	PFBPF_LAYOUT_MIX(PFBPF_LAYOUT_MIX(PFBPF_LAYOUT_MIX(PFBPF_LAYOUT_MIX(              \
	PFBPF_LAYOUT_MIX(PFBPF_LAYOUT_MIX(PFBPF_LAYOUT_MIX(PFBPF_LAYOUT_MIX(              \
	PFBPF_LAYOUT_MIX(PFBPF_LAYOUT_MIX(PFBPF_LAYOUT_MIX(0ULL,                                          \
		sizeof(struct pf_state_key)), sizeof(struct pf_state)),                  \
		sizeof(struct pf_config)), sizeof(struct pf_gcount)),                    \
		sizeof(struct pf_status_pcpu)), sizeof(struct pf_rule_counters)),        \
		sizeof(struct pf_rule_bpf)), sizeof(struct pf_table_key)),               \
		sizeof(struct pf_tprofile)), sizeof(struct pf_nat_pair)),                \
		sizeof(struct pf_syncookie_st))
/* epoch in the top 16 bits, the sizes below; never 0 */
#define PFBPF_LAYOUT_ID                                                                 \
	(((unsigned long long)PFBPF_LAYOUT_EPOCH << 48) |                                \
	 (PFBPF_LAYOUT_SIZES & 0xffffffffffffULL) | 1ULL)

#endif /* PFBPF_LAYOUT_H */
