// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pfctl_kern.c - pfctl_bpf's kernel operations (user/pfctl/kern.c) and
 * the tool itself against the real datapath maps, pinned in a private
 * folder by libpfbpf's test environment: what -ss, -st, -sm, -si, -k and
 * -F states print and do on real maps.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "ioctl_env.h"
#include "pfctl/kern.h"
#include "pfctl/pfctl.h"
#include "test_pfctl.h"

#ifndef PFCTL_BIN
#define PFCTL_BIN "build/pfctl_bpf"
#endif

TestSuite(pfctl_kern, .init = env_setup_maps, .fini = env_teardown);

/* Run pfctl_bpf on the private pins; output in out. */
static int pfctl(char *out, size_t len, const char *args)
{
	return env_run(out, len, "PFBPF_PIN_DIR=%s %s %s", env_dir, PFCTL_BIN, args);
}

Test(pfctl_kern, states_listed_as_pfctl)
{
	struct pfctl_state *s = NULL;
	size_t n = 0;

	cr_assert_eq(env_add_state4("198.51.100.1", 40000, "198.51.100.2", 22, PF_IN, 0x1001), 0,
		     "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_add_state4("198.51.100.2", 40001, "203.0.113.5", 443, PF_OUT, 0x1002), 0,
		     "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfctl_k_get_states(env_dev, &s, &n), 0);
	cr_assert_eq(n, 2);
	/* Table order is the hash's: sort by id for a stable text. */
	if (s[0].st.id > s[1].st.id) {
		struct pfctl_state t = s[0];

		s[0] = s[1];
		s[1] = t;
	}
	{
		CAPTURE(pfctl_show_states(f, s, n, 0));
		cr_assert_str_eq(out,
			"all tcp 198.51.100.2:22 <- 198.51.100.1:40000       ESTABLISHED:ESTABLISHED\n"
			"all tcp 198.51.100.2:40001 -> 203.0.113.5:443       ESTABLISHED:ESTABLISHED\n");
		free(out);
	}
	CAPTURE(pfctl_print_state(f, &s[0], PFCTL_OPT_VERBOSE | PFCTL_OPT_VERBOSE2));
	cr_assert(strstr(out, "   id: 0000000000001001 creatorid: "), "%s", out);
	cr_assert(strstr(out, "age 00:00:0") &&
		  (strstr(out, "expires in 24:00:00") || strstr(out, "expires in 23:59:5")),
		  "a fresh established state: %s", out);
	free(out);
	free(s);
}

Test(pfctl_kern, timeouts_and_limits_round_trip)
{
	__u32 t[PFTM_MAX], l[PF_LIMIT_MAX];

	cr_assert_eq(pfctl_k_set_timeout(env_dev, PFTM_UDP_FIRST_PACKET, 3), 0);
	cr_assert_eq(pfctl_k_set_limit(env_dev, PF_LIMIT_STATES, 5000), 0);
	cr_assert_eq(pfctl_k_get_timeouts(env_dev, t), 0);
	cr_assert_eq(pfctl_k_get_limits(env_dev, l), 0);
	cr_assert_eq(t[PFTM_UDP_FIRST_PACKET], 3);
	cr_assert_eq(t[PFTM_TCP_ESTABLISHED], 86400, "unset timeouts read as pf's defaults");
	cr_assert_eq(l[PF_LIMIT_STATES], 5000);
	CAPTURE(pfctl_show_limits(f, l, 0));
	cr_assert(strstr(out, "states        hard limit     5000\n"), "%s", out);
	free(out);
}

Test(pfctl_kern, status_counts_states)
{
	struct pfctl_status st;

	cr_assert_eq(env_add_state4("198.51.100.1", 40000, "198.51.100.2", 22, PF_IN, 0x2001), 0);
	cr_assert_eq(pfctl_k_get_status(env_dev, &st), 0);
	cr_assert_eq(st.states, 1);
}

Test(pfctl_kern, tool_show_and_kill)
{
	char out[4096];

	cr_assert_eq(env_add_state4("198.51.100.1", 40000, "198.51.100.2", 22, PF_IN, 0x3001), 0);
	cr_assert_eq(env_add_state4("198.51.100.3", 40000, "198.51.100.2", 22, PF_IN, 0x3002), 0);
	cr_assert_eq(env_add_state4("198.51.100.3", 40001, "198.51.100.2", 80, PF_IN, 0x3003), 0);

	cr_assert_eq(pfctl(out, sizeof(out), "-ss"), 0, "%s", out);
	cr_assert(strstr(out, "all tcp 198.51.100.2:80 <- 198.51.100.3:40001       ESTABLISHED:ESTABLISHED\n"),
		  "%s", out);

	cr_assert_eq(pfctl(out, sizeof(out), "-k 198.51.100.3"), 0, "%s", out);
	cr_assert_str_eq(out, "killed 2 states from 1 sources and 0 destinations\n");
	cr_assert_eq(env_nstates(), 1);

	cr_assert_eq(pfctl(out, sizeof(out), "-k id -k 3001"), 0, "%s", out);
	cr_assert_str_eq(out, "killed 1 states\n");
	cr_assert_eq(env_nstates(), 0);
}

Test(pfctl_kern, tool_flush_states_and_info)
{
	char out[4096];

	cr_assert_eq(env_add_state4("198.51.100.1", 40000, "198.51.100.2", 22, PF_IN, 0x4001), 0);
	cr_assert_eq(pfctl(out, sizeof(out), "-F states"), 0, "%s", out);
	cr_assert_str_eq(out, "1 states cleared\n");
	cr_assert_eq(env_nstates(), 0);
	cr_assert_eq(pfctl(out, sizeof(out), "-si"), 0, "%s", out);
	cr_assert(strstr(out, "  current entries                        0               \n"), "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-st"), 0, "%s", out);
	cr_assert(strstr(out, "tcp.established           86400s\n"), "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-x loud"), 0, "%s", out);
	cr_assert_str_eq(out, "debug level set to 'loud'\n");
}
