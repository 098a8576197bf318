/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_xflat.h - where each rule of the datapath's flattened ruleset came
 * from.  With anchors, a state's pf_state.rule is its rule's position in
 * the expanded ruleset of its slot; pf names a rule by (anchor, number in
 * that anchor).  libpfbpf records the origins in the pinned pf_xflat map
 * at every load; pfctl_bpf -ss and pftrace both translate through here so
 * that they can never name a state's rule differently.
 */
#ifndef PFBPF_PF_XFLAT_H
#define PFBPF_PF_XFLAT_H

#include <stdbool.h>
#include "pfbpf.h"

#define PFBPF_MAP_XFLAT "pf_xflat" /* hash: xflat_key -> struct pfbpf_xflat */

/*
 * Per ruleset slot, where each rule of the expanded ruleset came from:
 * states carry (slot, position), and a state made before the last load
 * still names its rule in the ruleset of its own slot.  idx
 * PFBPF_XFLAT_COUNT holds the number of rules in nr.
 */
#define PFBPF_XFLAT_COUNT 0xffffffffu
/*
 * Key slot PFBPF_XFLAT_RID, idx = a rule id (pfbpf_types.h "Rule ids"):
 * the identity of every rule a state may name, kept while the id lives
 * (user/ioctl/ioctl_ruleid.c), with the labels -k label matches and
 * slots telling which slots hold the rule now (none: retired, kept only
 * for its states).
 */
#define PFBPF_XFLAT_RID 0x52494400u /* "RID" */
struct pfbpf_xflat_key {
	__u32 slot;
	__u32 idx;
};
struct pfbpf_xflat {
	__u32 nr;                          /* number in its ruleset */
	char anchor[PFBPF_ANCHOR_MAXLEN];  /* its ruleset, "" = main */
	__u32 slots;                       /* rule id records: bit s = in slot s */
	__u32 rid;                         /* slot records: the rule's id */
	char label[PF_RULE_MAX_LABEL_COUNT][PF_RULE_LABEL_SIZE]; /* rule id records */
};

/* A rule id's record, as read. */
struct pf_xflat_rid {
	__u32 rid;
	struct pfbpf_xflat v;
};

/* Both slots' origins; a NULL slot is unknown (no anchors ever loaded);
 * rid: the rule id records, sorted by id. */
struct pf_xflat_origins {
	struct pfbpf_xflat *o[PF_RULESET_SLOTS];
	__u32 n[PF_RULESET_SLOTS];
	struct pf_xflat_rid *rid;
	__u32 nrid;
};

/* The record of rule id rid, NULL if unknown. */
const struct pfbpf_xflat *pf_xflat_rid_find(const struct pf_xflat_origins *x, __u32 rid);

/*
 * The rule of state s as pf names it: *nr in ruleset *anchor ("" = main),
 * found through the state's rule id, however many reloads ago the rule
 * was loaded.  A rule id nobody recorded names no rule (PF_RULE_NONE); a
 * value below PF_RID_BASE (no rule ids: a hand-made state) is taken as
 * the number itself.  x may be NULL.
 */
void pf_xflat_rule(const struct pf_xflat_origins *x, const struct pf_state *s, __u32 *nr,
		   const char **anchor);

/* Read both slots from the pf_xflat map fd into x (previous contents
 * freed).  Returns 0 or negative errno. */
int pf_xflat_read(int fd, struct pf_xflat_origins *x);
void pf_xflat_free(struct pf_xflat_origins *x);

#endif
