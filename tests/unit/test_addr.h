/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the tests that build rules and pools by hand: an IPv4
 * addr/prefix spec (Criterion's assertions must be in scope). */
#ifndef TEST_ADDR_H
#define TEST_ADDR_H

#include <string.h>
#include <arpa/inet.h>
#include "pfbpf_rule.h"

static inline void test_mask4(struct pfbpf_addr_spec *a, const char *addr, int plen)
{
	memset(a, 0, sizeof(*a));
	a->type = PFBPF_ADDR_MASK;
	a->af = PF_INET;
	a->prefixlen = plen;
	cr_assert_eq(inet_pton(AF_INET, addr, &a->addr.v4), 1, "%s", addr);
}

#endif
