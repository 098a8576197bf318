// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_synproxy.c - `synproxy state` on pass rules (pf.conf(5); the
 * datapath is bpf/pf_synproxy.h, docs/synproxy.md).
 *
 * pfbpf proxies TCP only, and asks for `proto tcp` to be written: a rule
 * that would also match other protocols gives them a plain state in pf,
 * which would say more than the rule means.  The position of an error is
 * the offending protocol's, or the word `synproxy`'s.
 */
#include <netinet/in.h>
#include "conf_parse.h"

/* The state option's word is `synproxy` (the caller read it). */
void conf_synproxy_check(struct parser *p, const struct rule_tmpl *rt)
{
	const struct protoitem *pr = rt->protos.v;

	if (rt->r.keep_state != PF_STATE_SYNPROXY)
		return;
	if (!rt->protos.n)
		conf_fail_at(p, rt->keep_line, rt->keep_col, "synproxy",
			     "synproxy state only applies to TCP: add proto tcp");
	for (size_t i = 0; i < rt->protos.n; i++)
		if (pr[i].proto != IPPROTO_TCP)
			conf_fail_at(p, pr[i].line, pr[i].col, "",
				     "synproxy state only applies to TCP rules");
}
