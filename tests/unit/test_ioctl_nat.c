// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_nat.c - DIOCNATLOOK and the listed stack key against a key
 * pair written straight into pf_natmap (the datapath's half of the
 * contract, include/pfbpf_nat.h), and the pool tickets.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"

/* 192.0.2.10:41000 -> 203.0.113.9:80 leaves as 198.51.100.1:50001. */
static void nat_pair(void)
{
	struct pf_nat_pair p;

	cr_assert_eq(env_add_state4("198.51.100.1", 50001, "203.0.113.9", 80, PF_OUT, 0), 0);
	env_key4(&p.key[PF_SK_WIRE], "198.51.100.1", 50001, "203.0.113.9", 80, PF_OUT);
	env_key4(&p.key[PF_SK_STACK], "192.0.2.10", 41000, "203.0.113.9", 80, PF_OUT);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_NATMAP), &p.key[i], &p, 0), 0);
}

Test(nat, natlook_answers_internal_host)
{
	struct pfioc_natlook nl = { .af = AF_INET, .proto = IPPROTO_TCP, .direction = PF_IN };

	nat_pair();
	inet_pton(AF_INET, "198.51.100.1", &nl.saddr.v4);
	nl.sport = htons(50001);
	inet_pton(AF_INET, "203.0.113.9", &nl.daddr.v4);
	nl.dport = htons(80);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCNATLOOK, &nl), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(ntohs(nl.rsport), 41000);
	cr_assert_eq(nl.rsaddr.v4.s_addr, inet_addr("192.0.2.10"));
	cr_assert_eq(ntohs(nl.rdport), 80);
}

Test(nat, pool_ticket_checked)
{
	struct pfioc_pooladdr pp = {};

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCBEGINADDRS, &pp), 0);
	pp.ticket++;
	pp.af = PF_INET;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDADDR, &pp), -1);
	cr_assert_eq(errno, EBUSY);
	pp.ticket--;
	pp.af = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDADDR, &pp), -1);
	cr_assert_eq(errno, EINVAL);
}

TestSuite(nat, .init = env_setup_maps, .fini = env_teardown);
