/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_cls.h - rule classifier for packets with no state (placeholder until
 * the classifier lands: an empty ruleset, which pf passes without state).
 */
#ifndef PF_CLS_H
#define PF_CLS_H

#include "pf_pkt.h"

/* Find the rule pf would pick for pkt in ruleset slot cfg->active.
 * Returns 0 and m->idx = PF_RULE_NONE when no rule matches. */
static __always_inline int pf_cls_eval(const struct pf_pkt *pkt, const struct pf_config *cfg,
				       struct pf_rule_match *m)
{
	m->slot = cfg->active;
	m->idx = PF_RULE_NONE;
	m->stop = 0;
	return 0;
}

#endif /* PF_CLS_H */
