// SPDX-License-Identifier: BSD-2-Clause
/* The object loads, every program verifies, and an empty ruleset passes. */
#include <criterion/criterion.h>
#include "harness.h"

TestSuite(core_smoke, .init = h_setup, .fini = h_teardown);

Test(core_smoke, loads_and_passes_with_empty_ruleset)
{
	struct h_flow f = H_FLOW4("192.0.2.1", 40000, "198.51.100.2", 22);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_assert_eq(h_run(PF_OUT, &p), PF_PASS);
}
