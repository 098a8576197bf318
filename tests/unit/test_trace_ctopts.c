// SPDX-License-Identifier: BSD-2-Clause
/* conntrack's stream options: -o lists, -e masks, the extended family tag. */
#include <criterion/criterion.h>
#include <string.h>

#include "trace/trace.h"

Test(trace_ctopts, output_list)
{
	struct trace_outopts o = {};
	char err[128];

	cr_assert_eq(trace_outopts_parse("extended,timestamp,id", &o, err, sizeof(err)), 0);
	cr_assert(o.extended && o.timestamp && !o.json);
	cr_assert_eq(trace_outopts_parse("json", &o, err, sizeof(err)), 0);
	cr_assert(o.json);
	cr_assert_eq(trace_outopts_parse("extended,xml", &o, err, sizeof(err)), -1);
	cr_assert(strstr(err, "'xml'"), "%s", err);
}

Test(trace_ctopts, event_mask)
{
	unsigned int m;
	char err[128];

	cr_assert_eq(trace_evmask_parse("new,destroy", &m, err, sizeof(err)), 0);
	cr_assert(trace_evmask_match(m, PF_EV_STATE_CREATE));
	cr_assert(trace_evmask_match(m, PF_EV_STATE_DESTROY));
	cr_assert(!trace_evmask_match(m, PF_EV_STATE_CHANGE));
	cr_assert(!trace_evmask_match(m, PF_EV_TCP_ESTABLISHED));
	cr_assert_eq(trace_evmask_parse("UPDATE", &m, err, sizeof(err)), 0);
	cr_assert(trace_evmask_match(m, PF_EV_TCP_CLOSED));
	cr_assert(!trace_evmask_match(m, PF_EV_STATE_CREATE));
	cr_assert(trace_evmask_match(0, PF_EV_STATE_CREATE), "no -e: every event");
	cr_assert_eq(trace_evmask_parse("", &m, err, sizeof(err)), -1);
}

Test(trace_ctopts, extended_puts_the_family_after_the_tag)
{
	char line[128] = "[NEW] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in";

	trace_fmt_extended(line, sizeof(line), PF_INET);
	cr_assert_str_eq(line, "[NEW] ipv4 tcp 198.51.100.1:40000 -> 198.51.100.2:22 in");
	strcpy(line, "[DESTROY] udp [2001:db8::1]:53 <- [2001:db8::2]:5353");
	trace_fmt_extended(line, sizeof(line), PF_INET6);
	cr_assert_str_eq(line, "[DESTROY] ipv6 udp [2001:db8::1]:53 <- [2001:db8::2]:5353");
}
