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
struct pfbpf_xflat_key {
	__u32 slot;
	__u32 idx;
};
struct pfbpf_xflat {
	__u32 nr;                          /* number in its ruleset */
	char anchor[PFBPF_ANCHOR_MAXLEN];  /* its ruleset, "" = main */
};

/* Both slots' origins; a NULL slot is unknown (no anchors ever loaded). */
struct pf_xflat_origins {
	struct pfbpf_xflat *o[PF_RULESET_SLOTS];
	__u32 n[PF_RULESET_SLOTS];
};

/*
 * The rule of state s as pf names it: *nr in ruleset *anchor ("" = main).
 * Where the origin is unknown, the flattened position is the number (it
 * is the right one for a ruleset without anchors).  x may be NULL.
 */
void pf_xflat_rule(const struct pf_xflat_origins *x, const struct pf_state *s, __u32 *nr,
		   const char **anchor);

/* Read both slots from the pf_xflat map fd into x (previous contents
 * freed).  Returns 0 or negative errno. */
int pf_xflat_read(int fd, struct pf_xflat_origins *x);
void pf_xflat_free(struct pf_xflat_origins *x);

#endif
