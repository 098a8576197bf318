/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * entry_check.h - is a map entry what the datapath could have written?
 * Used by every reader of pf_states and pf_xrules (libpfbpf, pftop_bpf):
 * a pin can be written by anyone with root, so its contents are input.
 */
#ifndef PFBPF_ENTRY_CHECK_H
#define PFBPF_ENTRY_CHECK_H

#include <stddef.h>
#include "pfbpf_types.h"

struct pfbpf_rule;

/* NULL if the state can be one (now: seconds of CLOCK_BOOTTIME), else why
 * not, written into buf */
const char *pf_state_entry_bad(const struct pf_state_key *k, const struct pf_state *s, __u32 now,
			       char *buf, size_t len);
/* NULL if the rule can be one, else why not, written into buf */
const char *pf_rule_entry_bad(const struct pfbpf_rule *r, char *buf, size_t len);

#endif
