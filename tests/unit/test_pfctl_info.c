// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pfctl_info.c - pfctl -si, -st, -sm text and JSON from fixed values.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "pfctl/pfctl.h"
#include "test_pfctl.h"
#include "pf_timeout.h"

static struct pfctl_status status(void)
{
	struct pfctl_status s = {};

	s.running = 1;
	s.since = 1700000000;
	s.runtime = 2 * 86400 + 3 * 3600 + 4 * 60 + 5; /* 2 days 03:04:05 */
	s.debug = PF_DEBUG_URGENT;
	s.hostid = 0xdeadbeef;
	s.states = 3;
	s.fcounters[FCNT_STATE_SEARCH] = 183845;
	s.fcounters[FCNT_STATE_INSERT] = 10;
	s.fcounters[FCNT_STATE_REMOVALS] = 7;
	s.counters[PFRES_MATCH] = 20;
	s.counters[PFRES_BADSTATE] = 2;
	return s;
}

Test(pfctl_info, status_plain)
{
	struct pfctl_status s = status();

	CAPTURE(pfctl_show_status(f, &s, 0));
	cr_assert_str_eq(out,
		"Status: Enabled for 2 days 03:04:05           Debug: Urgent\n"
		"\n"
		"State Table                          Total             Rate\n"
		"  current entries                        3               \n"
		"  searches                          183845            1.0/s\n"
		"  inserts                               10            0.0/s\n"
		"  removals                               7            0.0/s\n"
		"Counters\n"
		"  match                                 20            0.0/s\n"
		"  bad-offset                             0            0.0/s\n"
		"  fragment                               0            0.0/s\n"
		"  short                                  0            0.0/s\n"
		"  normalize                              0            0.0/s\n"
		"  memory                                 0            0.0/s\n"
		"  bad-timestamp                          0            0.0/s\n"
		"  congestion                             0            0.0/s\n"
		"  ip-option                              0            0.0/s\n"
		"  proto-cksum                            0            0.0/s\n"
		"  state-mismatch                         2            0.0/s\n"
		"  state-insert                           0            0.0/s\n"
		"  state-limit                            0            0.0/s\n"
		"  src-limit                              0            0.0/s\n"
		"  synproxy                               0            0.0/s\n"
		"  map-failed                             0            0.0/s\n");
	free(out);
}

Test(pfctl_info, status_disabled_no_rate)
{
	struct pfctl_status s = status();

	s.running = 0;
	s.since = 0;
	s.runtime = 0;
	s.debug = PF_DEBUG_NONE;
	CAPTURE(pfctl_show_status(f, &s, 0));
	/* Without a running time pf leaves the rate column blank. */
	cr_assert(strncmp(out, "Status: Disabled                                Debug: None\n\n", 61) == 0,
		  "got: %s", out);
	cr_assert(strstr(out, "  searches                          183845               \n"), "got: %s", out);
	free(out);
}

Test(pfctl_info, status_disabled_since)
{
	struct pfctl_status s = status();

	s.running = 0;
	s.runtime = 65;
	CAPTURE(pfctl_show_status(f, &s, 0));
	cr_assert(!strncmp(out, "Status: Disabled for 0 days 00:01:05          Debug: Urgent\n\n", 61),
		  "got: %s", out);
	free(out);
}

Test(pfctl_info, status_verbose_and_interface)
{
	struct pfctl_status s = status();

	strcpy(s.ifname, "pfv0");
	s.bcounters[0][0] = 1000;
	s.bcounters[1][1] = 2000;
	s.pcounters[0][0][PF_VERDICT_IDX_PASS] = 10;
	s.pcounters[0][0][PF_VERDICT_IDX_DROP] = 4;
	s.pcounters[1][1][PF_VERDICT_IDX_PASS] = 3;
	s.evicted = 1;
	CAPTURE(pfctl_show_status(f, &s, PFCTL_OPT_VERBOSE));
	cr_assert(strstr(out, "Debug: Urgent\n\nHostid:   0xdeadbeef\n\n"
			      "Interface Stats for pfv0              IPv4             IPv6\n"
			      "  Bytes In                            1000                0\n"
			      "  Bytes Out                              0             2000\n"
			      "  Packets In\n"
			      "    Passed                              10                0\n"
			      "    Blocked                              4                0\n"
			      "  Packets Out\n"
			      "    Passed                               0                3\n"
			      "    Blocked                              0                0\n"
			      "\nState Table"),
		  "got: %s", out);
	cr_assert(strstr(out, "Limit Counters\n  max states per rule                    0            0.0/s\n"),
		  "got: %s", out);
	cr_assert(strstr(out, "Datapath\n  lru evictions                          1            0.0/s\n"),
		  "got: %s", out);
	free(out);
}

Test(pfctl_info, status_json)
{
	struct pfctl_status s = status();
	struct jw w;

	CAPTURE(jw_init(&w, f); jw_obj_begin(&w, NULL); pfctl_json_status(&w, &s); jw_finish(&w));
	cr_assert(strncmp(out, "{\"info\":{\"running\":true,\"runtime\":183845,\"since\":1700000000,\"debug\":\"urgent\","
			       "\"hostid\":\"0xdeadbeef\",\"state_table\":{\"current_entries\":3,"
			       "\"searches\":{\"total\":183845,\"rate\":1.0},", 170) == 0, "got: %s", out);
	cr_assert(strstr(out, "\"state-mismatch\":{\"total\":2,\"rate\":0.0}"), "got: %s", out);
	/* jw_finish closed both objects. */
	cr_assert(strstr(out, "\"icmp_error_no_state\":0}}}\n"), "got: %s", out);
	free(out);
}

Test(pfctl_info, running)
{
	struct pfctl_status s = status();

	CAPTURE(pfctl_show_running(f, &s));
	cr_assert_str_eq(out, "Enabled\n");
	free(out);
}

Test(pfctl_info, timeouts)
{
	__u32 t[PFTM_MAX];

	for (int i = 0; i < PFTM_MAX; i++)
		t[i] = pf_default_timeout(i);

	t[PFTM_TCP_ESTABLISHED] = 5;
	CAPTURE(pfctl_show_timeouts(f, t, 0));
	cr_assert_str_eq(out,
		"tcp.first                   120s\n"
		"tcp.opening                  30s\n"
		"tcp.established               5s\n"
		"tcp.closing                 900s\n"
		"tcp.finwait                  45s\n"
		"tcp.closed                   90s\n"
		"tcp.tsdiff                   30s\n"
		"udp.first                    60s\n"
		"udp.single                   30s\n"
		"udp.multiple                 60s\n"
		"icmp.first                   20s\n"
		"icmp.error                   10s\n"
		"other.first                  60s\n"
		"other.single                 30s\n"
		"other.multiple               60s\n"
		"frag                         30s\n"
		"interval                     10s\n"
		"adaptive.start            60000 states\n"
		"adaptive.end             120000 states\n"
		"src.track                     0s\n");
	free(out);
	cr_assert_eq(pfctl_timeout_lookup("tcp.established"), PFTM_TCP_ESTABLISHED);
	cr_assert_eq(pfctl_timeout_lookup("tcp.bogus"), -1);
}

Test(pfctl_info, limits)
{
	__u32 l[PF_LIMIT_MAX] = { 100000, 10000, 5000, 1000, UINT32_MAX };

	CAPTURE(pfctl_show_limits(f, l, 0));
	cr_assert_str_eq(out,
		"states        hard limit   100000\n"
		"src-nodes     hard limit    10000\n"
		"frags         hard limit     5000\n"
		"tables        hard limit     1000\n"
		"table-entries unlimited\n");
	free(out);
}

Test(pfctl_info, limits_json)
{
	__u32 l[PF_LIMIT_MAX] = { 100000, 10000, 5000, 1000, UINT32_MAX };
	struct jw w;

	CAPTURE(jw_init(&w, f); jw_obj_begin(&w, NULL); pfctl_json_limits(&w, l); jw_finish(&w));
	cr_assert_str_eq(out, "{\"limits\":{\"states\":100000,\"src-nodes\":10000,\"frags\":5000,"
			      "\"tables\":1000,\"table-entries\":null}}\n");
	free(out);
}
