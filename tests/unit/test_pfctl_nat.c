// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pfctl_nat.c - pfctl -sn text and JSON (FreeBSD pfctl's print_rule /
 * print_pool spelling) and the translation counters of -si -v / --json,
 * from fixed values.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "pfctl/pfctl.h"
#include "test_pfctl.h"
#include "test_addr.h"

static struct pfbpf_pool_addr pool_addrs[8];

/* A rule of the listing: action, on em0, inet, pool of n addresses. */
static struct pfctl_nat_rule nat(int action, __u32 nr, int n)
{
	struct pfctl_nat_rule r = {};

	r.rule.r.action = action;
	r.rule.r.nr = nr;
	r.rule.r.af = PF_INET;
	r.rule.r.direction = action == PF_RDR ? PF_IN : PF_OUT; /* not printed */
	strcpy(r.rule.r.ifname, "em0");
	if (action == PF_NAT) {
		r.rule.r.rpool.proxy_port[0] = PF_NAT_PROXY_PORT_LOW;
		r.rule.r.rpool.proxy_port[1] = PF_NAT_PROXY_PORT_HIGH;
	}
	r.pool = n ? pool_addrs : NULL;
	r.npool = n;
	return r;
}

static char *print1(const struct pfctl_nat_rule *r, int opts)
{
	CAPTURE(pfctl_print_nat_rule(f, r, opts));
	return out;
}

Test(pfctl_nat, nat_default_range_is_not_printed)
{
	struct pfctl_nat_rule r = nat(PF_NAT, 0, 1);
	char *out;

	test_mask4(&r.rule.r.src, "192.0.2.0", 24);
	test_mask4(&pool_addrs[0].addr, "198.51.100.1", 32);
	out = print1(&r, 0);
	cr_assert_str_eq(out, "nat on em0 inet from 192.0.2.0/24 to any -> 198.51.100.1");
	free(out);

	r.rule.r.rpool.proxy_port[0] = 1024;
	out = print1(&r, 0);
	cr_assert_str_eq(out, "nat on em0 inet from 192.0.2.0/24 to any -> 198.51.100.1 port 1024:65535");
	free(out);

	r.rule.r.rpool.proxy_port[0] = r.rule.r.rpool.proxy_port[1] = 0;
	r.rule.r.rpool.opts = PF_POOL_STATICPORT;
	out = print1(&r, 0);
	cr_assert_str_eq(out, "nat on em0 inet from 192.0.2.0/24 to any -> 198.51.100.1 static-port");
	free(out);
}

Test(pfctl_nat, rdr_binat_no_and_pools)
{
	struct pfctl_nat_rule r = nat(PF_RDR, 0, 1);
	char *out;

	r.rule.r.proto = IPPROTO_TCP;
	r.rule.r.dport.op = PF_OP_EQ;
	r.rule.r.dport.port[0] = 8080;
	r.rule.r.rpool.proxy_port[0] = 80;
	test_mask4(&pool_addrs[0].addr, "192.0.2.20", 32);
	out = print1(&r, PFCTL_OPT_NUMERIC);
	cr_assert_str_eq(out, "rdr on em0 inet proto tcp from any to any port = 8080 -> 192.0.2.20 port 80");
	free(out);
	/* `port 80:*`: the end of the mapped range */
	r.rule.r.dport.op = PF_OP_RRG;
	r.rule.r.dport.port[1] = 8090;
	r.rule.r.rpool.proxy_port[1] = 90;
	out = print1(&r, PFCTL_OPT_NUMERIC);
	cr_assert_str_eq(out, "rdr on em0 inet proto tcp from any to any port 8080:8090 -> 192.0.2.20 port 80:90");
	free(out);

	r = nat(PF_BINAT, 0, 1);
	test_mask4(&r.rule.r.src, "192.0.2.30", 32);
	test_mask4(&pool_addrs[0].addr, "198.51.100.30", 32);
	out = print1(&r, 0);
	cr_assert_str_eq(out, "binat on em0 inet from 192.0.2.30 to any -> 198.51.100.30");
	free(out);

	r = nat(PF_NONAT, 1, 0);
	test_mask4(&r.rule.r.src, "192.0.2.5", 32);
	test_mask4(&r.rule.r.dst, "203.0.113.0", 24);
	r.rule.r.dst.neg = 1;
	out = print1(&r, 0);
	cr_assert_str_eq(out, "no nat on em0 inet from 192.0.2.5 to ! 203.0.113.0/24");
	free(out);

	r = nat(PF_NAT, 2, 2);
	r.rule.r.natpass = 1;
	r.rule.r.log = 1;
	r.rule.r.src.type = PFBPF_ADDR_TABLE;
	strcpy(r.rule.r.src.table, "lan");
	r.rule.r.rpool.opts = PF_POOL_ROUNDROBIN | PF_POOL_STICKYADDR;
	test_mask4(&pool_addrs[0].addr, "198.51.100.1", 32);
	test_mask4(&pool_addrs[1].addr, "198.51.100.8", 29);
	out = print1(&r, 0);
	cr_assert_str_eq(out, "nat pass log on em0 inet from <lan> to any -> "
			      "{ 198.51.100.1, 198.51.100.8/29 } round-robin sticky-address");
	free(out);

	r = nat(PF_NAT, 3, 1);
	memset(&pool_addrs[0], 0, sizeof(pool_addrs[0]));
	pool_addrs[0].addr.type = PFBPF_ADDR_DYNIF;
	strcpy(pool_addrs[0].addr.table, "em0");
	pool_addrs[0].addr.iflags = PFI_AFLAG_NOALIAS;
	r.rule.r.rpool.opts = PF_POOL_SRCHASH;
	r.rule.r.rpool.key[0] = 0x01020304;
	out = print1(&r, 0);
	cr_assert_str_eq(out, "nat on em0 inet all -> (em0:0) source-hash "
			      "0x01020304000000000000000000000000");
	free(out);
}

/* pfctl_show_nat: the nat ruleset, then rdr, then binat; -vv numbers,
 * -v the counters of -sr -v. */
Test(pfctl_nat, show_orders_by_ruleset_with_counters)
{
	struct pfctl_nat_rule r[3];

	r[0] = nat(PF_BINAT, 0, 1);
	r[1] = nat(PF_RDR, 0, 1);
	r[2] = nat(PF_NAT, 0, 1);
	test_mask4(&pool_addrs[0].addr, "198.51.100.1", 32);
	r[1].rule.r.proto = IPPROTO_UDP;
	r[2].rule.evaluations = 12;
	r[2].rule.packets[0] = 3;
	r[2].rule.packets[1] = 4;
	r[2].rule.bytes[1] = 900;
	r[2].rule.states_cur = 1;
	r[2].rule.states_tot = 2;
	CAPTURE(pfctl_show_nat(f, r, 3, PFCTL_OPT_VERBOSE | PFCTL_OPT_VERBOSE2));
	cr_assert_str_eq(out,
		"@0 nat on em0 inet all -> 198.51.100.1\n"
		"  [ Evaluations: 12        Packets: 7         Bytes: 900         States: 1     ]\n"
		"  [ State Creations: 2     ]\n"
		"@0 rdr on em0 inet proto udp all -> 198.51.100.1\n"
		"  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n"
		"  [ State Creations: 0     ]\n"
		"@0 binat on em0 inet all -> 198.51.100.1\n"
		"  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n"
		"  [ State Creations: 0     ]\n");
	free(out);
}

Test(pfctl_nat, json)
{
	struct pfctl_nat_rule r = nat(PF_NAT, 0, 1);
	struct jw w;

	test_mask4(&r.rule.r.src, "192.0.2.0", 24);
	test_mask4(&pool_addrs[0].addr, "198.51.100.1", 32);
	CAPTURE(jw_init(&w, f); jw_obj_begin(&w, NULL); pfctl_json_nat(&w, &r, 1); jw_finish(&w));
	cr_assert_str_eq(out, "{\"nat_rules\":[{\"nr\":0,\"action\":\"nat\",\"rule\":\"nat on em0 inet "
			      "from 192.0.2.0/24 to any -> 198.51.100.1\",\"pool\":[\"198.51.100.1\"],"
			      "\"evaluations\":0,\"packets\":0,\"bytes\":0,\"states\":0}]}\n");
	free(out);
}

/* -sr leaves nat/rdr/binat rules to -sn. */
Test(pfctl_nat, show_rules_skips_translation_rules)
{
	struct pfctl_rule r[2] = {};

	r[0].r.action = PF_NAT;
	r[1].r.action = PF_PASS;
	CAPTURE(pfctl_show_rules(f, r, 2, 0));
	cr_assert_str_eq(out, "pass\n");
	free(out);
}

static struct pfctl_status nat_status(void)
{
	struct pfctl_status s = {};

	s.running = 1;
	s.since = 1700000000;
	s.runtime = 183845;
	s.has_nat = true;
	s.nat.translations = 7;
	s.nat.map_failed = 2;
	s.nat.pair_repaired = 1;
	s.nat.tries[0] = 5;
	s.nat.tries[1] = 1;
	s.nat.tries[PF_NAT_TRY_BUCKETS - 1] = 2;
	return s;
}

Test(pfctl_nat, status_verbose_has_translation)
{
	struct pfctl_status s = nat_status();

	CAPTURE(pfctl_show_status(f, &s, PFCTL_OPT_VERBOSE));
	cr_assert(strstr(out,
		"Translation\n"
		"  translations                           7            0.0/s\n"
		"  map-failed                             2            0.0/s\n"
		"  pairs repaired                         1            0.0/s\n"
		"Translation Tries\n"
		"  1                                      5\n"
		"  2-3                                    1\n"
		"  4-7                                    0\n"
		"  8-15                                   0\n"
		"  16-31                                  0\n"
		"  32-63                                  0\n"
		"  64-127                                 0\n"
		"  128-255                                0\n"
		"  256-511                                0\n"
		"  512-1023                               0\n"
		"  1024-2047                              0\n"
		"  failed                                 2\n"),
		  "got: %s", out);
	free(out);
	/* not without -v, nor when the datapath has no counters */
	{
		CAPTURE(pfctl_show_status(f, &s, 0));
		cr_assert_null(strstr(out, "Translation"), "got: %s", out);
		free(out);
	}
	s.has_nat = false;
	{
		CAPTURE(pfctl_show_status(f, &s, PFCTL_OPT_VERBOSE));
		cr_assert_null(strstr(out, "Translation"), "got: %s", out);
		free(out);
	}
}

/* The JSON of -si: translation after the datapath counters. */
Test(pfctl_nat, status_json_has_translation)
{
	struct pfctl_status s = nat_status();
	const char *want[] = {
		"\"translation\":{\"translations\":{\"total\":7,\"rate\":0.0},"
		"\"map_failed\":{\"total\":2,\"rate\":0.0},"
		"\"pairs_repaired\":{\"total\":1,\"rate\":0.0},"
		"\"tries\":[{\"tries\":\"1\",\"count\":5},{\"tries\":\"2-3\",\"count\":1},",
		"{\"tries\":\"failed\",\"count\":2}]}}}\n",
	};
	struct jw w;

	CAPTURE(jw_init(&w, f); jw_obj_begin(&w, NULL); pfctl_json_status(&w, &s); jw_finish(&w));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert(strstr(out, want[i]), "want %s, got: %s", want[i], out);
	free(out);
}

/* OpenBSD's match rules stay in -sr, as match (JSON too). */
Test(pfctl_nat, match_rules_listed_as_match)
{
	struct pfctl_rule r = {};
	struct jw w;

	r.r.action = PF_MATCH;
	r.r.xlate = PF_NAT;
	CAPTURE(jw_init(&w, f); jw_obj_begin(&w, NULL); pfctl_json_rules(&w, &r, 1); jw_finish(&w));
	cr_assert(strstr(out, "\"action\":\"match\""), "got: %s", out);
	free(out);
}

Test(pfctl_nat, n_is_nat)
{
	cr_assert_str_eq(pfctl_lookup_option("n", pfctl_showopt_list), "nat");
	cr_assert_str_eq(pfctl_lookup_option("n", pfctl_clearopt_list), "nat");
}
