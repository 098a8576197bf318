// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_load_names.c - the shared name tables (lib/pf_names.c): every number
 * has a name, names and numbers map back onto each other, and the two TCP
 * state spellings that callers depend on stay apart.
 */
#include <criterion/criterion.h>
#include <netinet/in.h>

#include "lib/pf_names.h"

Test(load_names, timeouts_round_trip)
{
	for (int t = 0; t < PFTM_MAX; t++) {
		const char *n = pf_timeout_name(t);

		cr_assert_not_null(n, "PFTM %d has no name", t);
		cr_assert_eq(pf_timeout_lookup(n), t, "%s", n);
	}
	cr_assert_null(pf_timeout_name(PFTM_MAX));
	cr_assert_eq(pf_timeout_lookup("tcp.bogus"), -1);
	/* pfctl -st order: tcp.tsdiff right after tcp.closed. */
	cr_assert_str_eq(pf_timeouts[6].name, "tcp.tsdiff");
	cr_assert_str_eq(pf_timeouts[PFTM_MAX - 1].name, "src.track");
	cr_assert_null(pf_timeouts[PFTM_MAX].name);
}

Test(load_names, limits_round_trip)
{
	for (int l = 0; l < PF_LIMIT_MAX; l++) {
		const char *n = pf_limit_name(l);

		cr_assert_not_null(n, "PF_LIMIT %d has no name", l);
		cr_assert_eq(pf_limit_lookup(n), l, "%s", n);
	}
	cr_assert_str_eq(pf_limit_name(PF_LIMIT_TABLE_ENTRIES), "table-entries");
	cr_assert_null(pf_limit_name(-1));
	cr_assert_eq(pf_limit_lookup("state"), -1);
}

Test(load_names, protocols)
{
	cr_assert_str_eq(pf_proto_name(IPPROTO_ICMPV6), "ipv6-icmp");
	cr_assert_str_eq(pf_proto_name(112), "vrrp", "first name is the one printed");
	cr_assert_eq(pf_proto_lookup("icmp6"), IPPROTO_ICMPV6, "pf.conf's alias");
	cr_assert_eq(pf_proto_lookup("carp"), 112);
	cr_assert_eq(pf_proto_lookup("TCP"), -1, "lookups are exact; callers fold case");
	cr_assert_null(pf_proto_name(253));
}

Test(load_names, tcp_state_spellings)
{
	cr_assert_str_eq(pf_tcps_name(TCPS_SYN_RECEIVED), "SYN_RCVD");
	cr_assert_str_eq(pf_tcps_dtrace_name(TCPS_SYN_RECEIVED), "SYN_RECEIVED");
	for (int s = 0; s < TCP_NSTATES; s++) {
		cr_assert_not_null(pf_tcps_name(s));
		if (s != TCPS_SYN_RECEIVED)
			cr_assert_str_eq(pf_tcps_name(s), pf_tcps_dtrace_name(s));
	}
	cr_assert_null(pf_tcps_name(TCP_NSTATES));
	cr_assert_null(pf_tcps_dtrace_name(-1));
	cr_assert_str_eq(pf_other_state_name(PFUDPS_MULTIPLE), "MULTIPLE");
	cr_assert_null(pf_other_state_name(3));
}
