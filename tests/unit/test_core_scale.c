// SPDX-License-Identifier: BSD-2-Clause
/*
 * A million states: the table sized for 1,000,000 (plus slack), filled,
 * refusing the next one at the limit, swept in one timer pass, and
 * costing at most 192 bytes of kernel memory each (the kernel's own
 * accounting, /proc/<pid>/fdinfo memlock).
 */
#include <stdio.h>
#include <bpf/bpf.h>
#include "core_util.h"

#define MILLION 1000000u

static void big_setup(void)
{
	int err = h_load(MILLION + PF_STATE_MAP_SLACK);

	if (err)
		cr_assert_fail("cannot load with a 1M-entry state table: %s", strerror(-err));
	core_rules_stateful();
}

TestSuite(core_scale, .init = big_setup, .fini = h_teardown, .timeout = 120);

static long fd_memlock(int fd)
{
	char path[64], line[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

Test(core_scale, million_states)
{
	int fd = h_map_fd("pf_states"), cfd = h_map_fd("pf_count");
	struct pf_config c;
	struct pf_state s = { .rule = PF_RULE_NONE, .timeout = PFTM_UDP_MULTIPLE };
	struct pf_state_key k = { .af = PF_INET, .proto = IPPROTO_UDP };
	struct pf_gcount g = {};
	__u32 i, z = 0, now = h_now();
	long mem;

	cr_assert_eq(h_config_get(&c), 0);
	c.limit[PF_LIMIT_STATES] = MILLION;
	cr_assert_eq(h_config_set(&c), 0);
	s.expire = s.creation = now;
	for (i = 0; i < MILLION; i++) {
		k.addr[0].v4 = htonl(0xc0000200u | (i & 0xff)); /* 192.0.2.x */
		k.addr[1].v4 = htonl(0xc6336400u | ((i >> 8) & 0xff));
		k.port[0] = htons(1024 + (i >> 16));
		k.port[1] = htons(53);
		s.id = i + 1;
		/* a tenth of them long expired, for the sweep */
		s.expire = i % 10 == 0 ? now - 1000 : now;
		cr_assert_eq(bpf_map_update_elem(fd, &k, &s, BPF_NOEXIST), 0, "insert %u", i);
	}
	g.states = MILLION;
	cr_assert_eq(bpf_map_update_elem(cfd, &z, &g, BPF_ANY), 0);

	mem = fd_memlock(fd);
	cr_assert_gt(mem, 0, "no memlock in fdinfo");
	cr_expect_leq(mem / MILLION, 192, "%ld bytes per state", mem / MILLION);

	/* at the limit: refused, nothing evicted */
	struct h_flow f = core_flow(PF_INET, 999, 53);
	struct h_pkt p;
	cr_assert_eq(h_udp(&p, &f, 10, NULL), 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_DROP);
	cr_expect_eq(core_counter(PFRES_MAXSTATES), 1);

	/* one sweep walks the whole table */
	int live = h_state_count();
	cr_expect_eq(live, MILLION, "the LRU evicted %d states below its size", MILLION - live);
	int swept = h_ctl_sweep();
	cr_expect_eq(swept, MILLION / 10, "swept %d", swept);
	cr_assert_eq(h_gcount(&g), 0);
	cr_expect_eq(g.states, MILLION - MILLION / 10);
	cr_expect_eq(g.evicted, 0);
	cr_expect_eq(h_run(PF_OUT, &p), PF_PASS, "room again after the sweep");
}
