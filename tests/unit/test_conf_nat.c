// SPDX-License-Identifier: BSD-2-Clause
/*
 * Translation rules as the parser hands them to the rule compiler: the
 * pfbpf_rule fields (action, xlate, direction, natpass, rpool) and the pool
 * addresses in conf->pool_addrs, for both dialects; interface addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include "test_conf_util.h"

static const struct pfbpf_pool_addr *pool_of(const struct pfbpf_conf *c, const struct pfbpf_rule *r,
					     __u32 i)
{
	cr_assert_lt(i, r->rpool.naddrs);
	cr_assert_leq(r->rpool.first + r->rpool.naddrs, c->npool_addrs);
	return &c->pool_addrs[r->rpool.first + i];
}

static void expect_v4(const struct pfbpf_addr_spec *a, const char *ip, int plen)
{
	struct in_addr want;

	cr_assert_eq(inet_pton(AF_INET, ip, &want), 1);
	cr_expect_eq(a->type, PFBPF_ADDR_MASK);
	cr_expect_eq(a->af, PF_INET);
	cr_expect_eq(a->prefixlen, plen, "prefix of %s: %u", ip, a->prefixlen);
	cr_expect_eq(a->addr.v4, want.s_addr, "address %s", ip);
}

static void expect_error(const char *text, int line, int col, const char *msg)
{
	struct pfbpf_conf *c = (struct pfbpf_conf *)0x1;
	struct pfbpf_conf_error e;
	int rc = pfbpf_conf_parse_string(text, "pf.conf", NULL, &c, &e);

	cr_assert_eq(rc, -EINVAL, "expected an error for:\n%s", text);
	cr_expect_null(c, "nothing may load after an error");
	cr_expect_str_eq(e.msg, msg, "input:\n%s", text);
	cr_expect_eq(e.line, line, "line %d, want %d", e.line, line);
	cr_expect_eq(e.column, col, "column %d, want %d", e.column, col);
}

Test(conf_nat, freebsd_nat_defaults)
{
	struct pfbpf_conf *c = parse_ok("nat on em0 from 192.0.2.0/24 to any -> 198.51.100.1\n");
	const struct pfbpf_rule *r = &c->rules[0];

	cr_assert_eq(c->nrules, 1);
	cr_expect_eq(r->action, PF_NAT);
	cr_expect_eq(r->xlate, PF_NAT);
	cr_expect_eq(r->direction, PF_OUT);
	cr_expect_eq(r->natpass, 0);
	cr_expect_eq(r->af, PF_INET, "af from the source, as pfctl");
	cr_expect_eq(r->keep_state, PF_STATE_NORMAL, "translation always keeps state");
	cr_expect_eq(r->flags, 0);
	cr_expect_eq(r->flagset, 0);
	cr_expect_str_eq(r->ifname, "em0");
	expect_v4(&r->src, "192.0.2.0", 24);
	cr_expect_eq(r->rpool.proxy_port[0], PF_NAT_PROXY_PORT_LOW);
	cr_expect_eq(r->rpool.proxy_port[1], PF_NAT_PROXY_PORT_HIGH);
	cr_expect_eq(r->rpool.opts, PF_POOL_NONE);
	cr_expect_eq(r->rpool.naddrs, 1);
	expect_v4(&pool_of(c, r, 0)->addr, "198.51.100.1", 32);
	pfbpf_conf_free(c);
}

Test(conf_nat, nat_ports_pass_static)
{
	struct pfbpf_conf *c = parse_ok(
		"nat pass on em0 from 192.0.2.0/24 to any -> 198.51.100.1 port 1024:2047\n"
		"nat on em0 from 192.0.2.0/24 to any -> 198.51.100.1 port 40000\n"
		"nat on em0 from 192.0.2.0/24 to any -> 198.51.100.1 static-port\n");

	cr_assert_eq(c->nrules, 3);
	cr_expect_eq(c->rules[0].natpass, 1);
	cr_expect_eq(c->rules[0].rpool.proxy_port[0], 1024);
	cr_expect_eq(c->rules[0].rpool.proxy_port[1], 2047);
	cr_expect_eq(c->rules[1].rpool.proxy_port[0], 40000);
	cr_expect_eq(c->rules[1].rpool.proxy_port[1], 40000, "port a alone is a:a");
	cr_expect_eq(c->rules[2].rpool.proxy_port[0], 0);
	cr_expect_eq(c->rules[2].rpool.proxy_port[1], 0);
	cr_expect_eq(c->rules[2].rpool.opts, PF_POOL_STATICPORT);
	/* pf numbers nat rules in their own ruleset */
	cr_expect_eq(c->rules[0].nr, 0);
	cr_expect_eq(c->rules[2].nr, 2);
	pfbpf_conf_free(c);
}

Test(conf_nat, rdr_port_mapping)
{
	struct pfbpf_conf *c = parse_ok(
		"rdr on em0 proto tcp to 198.51.100.1 port 8080 -> 192.0.2.20 port 80\n"
		"rdr on em0 proto tcp to 198.51.100.1 port 8000:8010 -> 192.0.2.20 port 9000:*\n"
		"rdr on em0 proto tcp to 198.51.100.1 port 7000:7010 -> 192.0.2.20 port 6000:6005\n"
		"rdr pass on em0 proto udp to 198.51.100.1 port 53 -> 192.0.2.53\n");
	const struct pfbpf_rule *r = c->rules;

	cr_assert_eq(c->nrules, 4);
	for (int i = 0; i < 4; i++) {
		cr_expect_eq(r[i].action, PF_RDR);
		cr_expect_eq(r[i].xlate, PF_RDR);
		cr_expect_eq(r[i].direction, PF_IN);
		cr_expect_eq(r[i].keep_state, PF_STATE_NORMAL);
	}
	cr_expect_eq(r[0].rpool.proxy_port[0], 80);
	cr_expect_eq(r[0].rpool.proxy_port[1], 0);
	cr_expect_eq(r[0].dport.op, PF_OP_EQ);
	cr_expect_eq(r[0].dport.port[0], 8080);
	cr_expect_eq(r[1].rpool.proxy_port[0], 9000);
	cr_expect_eq(r[1].rpool.proxy_port[1], 9010, "Q:* ends at Q + (P2 - P)");
	cr_expect_eq(r[2].rpool.proxy_port[1], 6005);
	cr_expect_eq(r[3].natpass, 1);
	cr_expect_eq(r[3].rpool.proxy_port[0], 0, "no port: keep it");
	expect_v4(&pool_of(c, &r[1], 0)->addr, "192.0.2.20", 32);
	pfbpf_conf_free(c);
}

Test(conf_nat, binat_and_no_forms)
{
	struct pfbpf_conf *c = parse_ok(
		"binat on em0 from 192.0.2.64/26 to any -> 198.51.100.64/26\n"
		"no nat on em0 from 192.0.2.10 to any\n"
		"no rdr on em0 proto tcp from 192.0.2.0/24 to any port 80\n"
		"no binat on em0 from 192.0.2.12 to any\n");
	const struct pfbpf_rule *r = c->rules;

	cr_assert_eq(c->nrules, 4);
	cr_expect_eq(r[0].action, PF_BINAT);
	cr_expect_eq(r[0].xlate, PF_BINAT);
	cr_expect_eq(r[0].direction, PF_OUT);
	expect_v4(&r[0].src, "192.0.2.64", 26);
	expect_v4(&pool_of(c, &r[0], 0)->addr, "198.51.100.64", 26);
	cr_expect_eq(r[1].action, PF_NONAT);
	cr_expect_eq(r[2].action, PF_NORDR);
	cr_expect_eq(r[3].action, PF_NOBINAT);
	for (int i = 1; i < 4; i++) {
		cr_expect_eq(r[i].xlate, 0);
		cr_expect_eq(r[i].rpool.naddrs, 0);
	}
	cr_expect_eq(c->npool_addrs, 1);
	pfbpf_conf_free(c);
}

Test(conf_nat, openbsd_options_and_match)
{
	struct pfbpf_conf *c = parse_ok(
		"match out on em0 inet from 192.0.2.0/24 to any nat-to 198.51.100.1\n"
		"block in on em0\n"
		"pass in on em0 proto tcp to 198.51.100.1 port 8080 rdr-to 192.0.2.20 port 80\n"
		"pass on em0 from 192.0.2.10 binat-to 198.51.100.10\n"
		"pass out on em0 from 192.0.2.0/24 nat-to 198.51.100.1 port 1024:65535 static-port\n");
	const struct pfbpf_rule *r = c->rules;

	cr_assert_eq(c->nrules, 5);
	cr_expect_eq(r[0].action, PF_MATCH, "match rules stay in the list, first");
	cr_expect_eq(r[0].xlate, PF_NAT);
	cr_expect_eq(r[0].keep_state, PF_STATE_NONE, "match rules never create state");
	cr_expect_eq(r[0].flagset, 0);
	cr_expect_eq(r[0].rpool.proxy_port[0], PF_NAT_PROXY_PORT_LOW);
	cr_expect_eq(r[1].action, PF_DROP);
	cr_expect_eq(r[1].xlate, 0);
	cr_expect_eq(r[2].action, PF_PASS);
	cr_expect_eq(r[2].xlate, PF_RDR);
	cr_expect_eq(r[2].rpool.proxy_port[0], 80);
	cr_expect_eq(r[2].keep_state, PF_STATE_NORMAL);
	cr_expect_eq(r[3].xlate, PF_BINAT);
	cr_expect_eq(r[3].af, PF_INET);
	cr_expect_eq(r[4].xlate, PF_NAT);
	/* pfctl: static-port may follow the default range only */
	pfbpf_conf_free(c);
	expect_error("pass out from 192.0.2.0/24 nat-to 198.51.100.1 port 2000:3000 static-port\n",
		     1, 63, "the 'static-port' option can't be used when specifying a port range");
	/* filter rules and match rules share the numbering */
	c = parse_ok("pass all\nmatch out all nat-to 198.51.100.1\npass all\n");
	cr_expect_eq(c->rules[1].nr, 1);
	cr_expect_eq(c->rules[2].nr, 2);
	pfbpf_conf_free(c);
}

Test(conf_nat, pools_and_options)
{
	struct pfbpf_conf *c = parse_ok(
		"table <p> { 198.51.100.32/28 }\n"
		"nat on em0 from 192.0.2.0/24 -> { 198.51.100.1 198.51.100.2 198.51.100.3 } sticky-address\n"
		"nat on em0 from 192.0.2.0/24 -> 198.51.100.0/28 random\n"
		"nat on em0 from 192.0.2.0/24 -> 198.51.100.0/28 bitmask\n"
		"nat on em0 from 192.0.2.0/24 -> 198.51.100.0/28 source-hash 0x0123456789abcdef0123456789abcdef\n"
		"nat on em0 from 192.0.2.0/24 -> 198.51.100.0/28 source-hash \"foo\"\n"
		"nat on em0 from 192.0.2.0/24 -> 198.51.100.0/28 source-hash\n"
		"nat on em0 from 192.0.2.0/24 -> <p>\n"
		"nat on em0 from 192.0.2.0/24 -> (em0)\n"
		"nat on em0 from any -> (em0:0)\n");
	const struct pfbpf_rule *r = c->rules;

	cr_assert_eq(c->nrules, 9);
	cr_expect_eq(r[0].rpool.opts, PF_POOL_ROUNDROBIN | PF_POOL_STICKYADDR,
		     "a list is round-robin unsaid");
	cr_expect_eq(r[0].rpool.naddrs, 3);
	expect_v4(&pool_of(c, &r[0], 2)->addr, "198.51.100.3", 32);
	cr_expect_eq(r[1].rpool.opts, PF_POOL_RANDOM);
	cr_expect_eq(r[2].rpool.opts, PF_POOL_BITMASK);
	cr_expect_eq(r[3].rpool.opts, PF_POOL_SRCHASH);
	cr_expect_eq(r[3].rpool.key_set, 1);
	cr_expect_eq(r[3].rpool.key[0], 0x01234567);
	cr_expect_eq(r[3].rpool.key[3], 0x89abcdef);
	/* MD5("foo") = acbd18db 4cc2f85c edef654f ccc4a4d8, as pfctl's key */
	cr_expect_eq(r[4].rpool.key_set, 1);
	cr_expect_eq(r[4].rpool.key[0], 0xacbd18db);
	cr_expect_eq(r[4].rpool.key[1], 0x4cc2f85c);
	cr_expect_eq(r[4].rpool.key[2], 0xedef654f);
	cr_expect_eq(r[4].rpool.key[3], 0xccc4a4d8);
	cr_expect_eq(r[5].rpool.key_set, 0, "no key: the loader draws one");
	cr_expect_eq(r[6].rpool.opts, PF_POOL_ROUNDROBIN, "a table is round-robin");
	cr_expect_eq(pool_of(c, &r[6], 0)->addr.type, PFBPF_ADDR_TABLE);
	cr_expect_str_eq(pool_of(c, &r[6], 0)->addr.table, "p");
	cr_expect_eq(r[7].rpool.opts, PF_POOL_ROUNDROBIN, "(em0) may be several addresses");
	cr_expect_eq(pool_of(c, &r[7], 0)->addr.type, PFBPF_ADDR_DYNIF);
	cr_expect_str_eq(pool_of(c, &r[7], 0)->addr.table, "em0");
	cr_expect_eq(r[8].rpool.opts, PF_POOL_NONE, "(em0:0) is one address");
	cr_expect_eq(pool_of(c, &r[8], 0)->addr.iflags, PFI_AFLAG_NOALIAS);
	cr_expect_eq(r[8].af, 0, "a dynamic pool gives no family");
	pfbpf_conf_free(c);
}

Test(conf_nat, pool_af_drops_other_family)
{
	struct pfbpf_conf *c =
		parse_ok("nat on em0 inet from any to any -> { 2001:db8::1 198.51.100.1 }\n");

	cr_assert_eq(c->nrules, 1);
	cr_expect_eq(c->rules[0].rpool.naddrs, 1);
	cr_expect_eq(c->rules[0].rpool.opts, PF_POOL_NONE);
	expect_v4(&pool_of(c, &c->rules[0], 0)->addr, "198.51.100.1", 32);
	pfbpf_conf_free(c);
}

/* pfctl's errors, each at the token at fault; nothing loads. */
static const struct {
	const char *text;
	int line, col;
	const char *msg;
} pool_errors[] = {
	{ "nat on em0 inet6 from any to any -> 198.51.100.1\n", 1, 37,
	  "no translation address with matching address family (inet6) found" },
	{ "pass out inet6 all nat-to 198.51.100.1\n", 1, 27,
	  "no translation address with matching address family (inet6) found" },
	{ "\nnat on em0 from any to any -> { }\n", 2, 31, "the translation pool is empty" },
	{ "nat on em0 from any to any -> { 198.51.100.1 198.51.100.2 } bitmask\n", 1, 61,
	  "only round-robin valid for multiple redirection addresses" },
	{ "nat on em0 from any to any -> (em0) random\n", 1, 37,
	  "interface (em0) is only supported in round-robin redirection pools" },
	{ "nat on em0 from any to any -> 198.51.100.1 random bitmask\n", 1, 51,
	  "pool type cannot be redefined" },
	{ "no nat on em0 -> 198.51.100.1\n", 1, 15,
	  "translation rule with 'no' does not need '->'" },
	{ "no rdr pass on em0\n", 1, 8, "\"pass\" not valid with \"no\"" },
	{ "binat on em0 from 192.0.2.0/24 -> 198.51.100.1\n", 1, 35,
	  "'binat' source mask and redirect mask must be the same" },
	{ "binat on em0 from 2001:db8::1 -> 198.51.100.1\n", 1, 34,
	  "no translation address with matching address family (inet6) found" },
	{ "binat on em0 inet from 2001:db8::1 -> 198.51.100.1\n", 1, 24,
	  "binat ip versions must match" },
	{ "pass out all nat-to 198.51.100.1 nat-to 192.0.2.1\n", 1, 34,
	  "nat-to: a rule has one translation (nat-to with rdr-to is not supported yet)" },
	{ "pass all nat-to 198.51.100.1\n", 1, 10, "nat-to can only be used outbound" },
	{ "pass in all binat-to 198.51.100.1\n", 1, 13,
	  "binat-to cannot be specified with a direction" },
	{ "pass from any binat-to 198.51.100.1\n", 1, 11,
	  "binat-to requires a specified source and redirect address" },
	{ "pass from 192.0.2.1 binat-to (em0)\n", 1, 30,
	  "dynamic interfaces must be used with :0 in a binat-to rule" },
	{ "pass out all no state nat-to 198.51.100.1\n", 1, 14,
	  "nat-to and rdr-to require keep state" },
	{ "match out all keep state nat-to 198.51.100.1\n", 1, 15,
	  "keep state is great, but only for pass rules" },
};

Test(conf_nat, pool_errors_at_their_place)
{
	/* binat takes the family of its source (pfctl), then the pool's
	 * addresses of the other family go */
	for (size_t i = 0; i < sizeof(pool_errors) / sizeof(pool_errors[0]); i++)
		expect_error(pool_errors[i].text, pool_errors[i].line, pool_errors[i].col,
			     pool_errors[i].msg);
}

Test(conf_nat, dynamic_interface_address)
{
	struct pfbpf_conf *c = parse_ok(
		"ext = \"em0\"\n"
		"pass in on $ext proto tcp to ($ext) port 22\n"
		"pass in on em0 from ($ext:network)\n"
		"pass in on em0 to (em0:broadcast:0)\n");
	const struct pfbpf_rule *r = c->rules;

	cr_assert_eq(c->nrules, 3);
	cr_expect_eq(r[0].dst.type, PFBPF_ADDR_DYNIF);
	cr_expect_str_eq(r[0].dst.table, "em0", "the interface need not exist");
	cr_expect_eq(r[0].dst.iflags, 0);
	cr_expect_eq(r[0].af, 0);
	cr_expect_eq(r[1].src.iflags, PFI_AFLAG_NETWORK, "$macro:network");
	cr_expect_eq(r[2].dst.iflags, PFI_AFLAG_BROADCAST | PFI_AFLAG_NOALIAS);
	pfbpf_conf_free(c);
}

/* lo is 127.0.0.1/8 and ::1/128 on every machine the tests run on */
Test(conf_nat, static_interface_addresses)
{
	struct pfbpf_conf *c = parse_ok(
		"pass from lo:network\n"
		"pass inet to lo\n"
		"pass inet6 from lo:0\n"
		"nat on em0 from lo:network -> 198.51.100.1\n");
	const struct pfbpf_rule *r = c->rules;
	struct in6_addr one = IN6ADDR_LOOPBACK_INIT;

	cr_assert_eq(c->nrules, 5, "one rule per address: %zu", c->nrules);
	expect_v4(&r[0].src, "127.0.0.0", 8);
	cr_expect_eq(r[0].af, PF_INET);
	cr_expect_eq(r[1].src.type, PFBPF_ADDR_MASK);
	cr_expect_eq(r[1].src.af, PF_INET6);
	cr_expect_eq(r[1].src.prefixlen, 128);
	cr_expect_arr_eq(r[1].src.addr.v6, &one, 16);
	expect_v4(&r[2].dst, "127.0.0.1", 32);
	cr_expect_eq(r[3].af, PF_INET6);
	cr_expect_eq(r[3].src.prefixlen, 128);
	expect_v4(&r[4].src, "127.0.0.0", 8);
	cr_expect_eq(r[4].action, PF_NAT);
	pfbpf_conf_free(c);
	expect_error("pass inet6 to lo:broadcast\n", 1, 15,
		     "interface lo has no inet6 broadcast address");
	expect_error("pass to lo:bogus\n", 1, 9, "interface lo:bogus has bad modifier ':bogus'");
}

Test(conf_nat, self_is_every_address)
{
	struct pfbpf_conf *c = parse_ok("pass in inet to self\n");
	int loopback = 0;

	cr_assert_geq(c->nrules, 1);
	for (size_t i = 0; i < c->nrules; i++) {
		cr_expect_eq(c->rules[i].dst.af, PF_INET);
		if (c->rules[i].dst.addr.v4 == htonl(INADDR_LOOPBACK))
			loopback = 1;
	}
	cr_expect(loopback, "self includes 127.0.0.1");
	pfbpf_conf_free(c);
}

Test(conf_nat, listing_parses_back)
{
	expect_listing("nat on em0 from 192.0.2.0/24 to any -> 198.51.100.1\n",
		       "nat on em0 inet from 192.0.2.0/24 to any -> 198.51.100.1\n");
	expect_listing("rdr on em0 proto tcp to 198.51.100.1 port 8080 -> 192.0.2.20 port 80\n",
		       "rdr on em0 inet proto tcp from any to 198.51.100.1 port = http-alt -> 192.0.2.20 port 80\n");
	expect_listing("pass out on em0 inet from 192.0.2.0/24 nat-to 198.51.100.1\n",
		       "pass out on em0 inet from 192.0.2.0/24 to any flags S/SA keep state nat-to 198.51.100.1\n");
	expect_listing("nat on em0 -> { 198.51.100.1 198.51.100.2 } port 1000\n",
		       "nat on em0 inet all -> { 198.51.100.1, 198.51.100.2 } port 1000 round-robin\n");
	expect_listing("match out on em0 from (em0:network) nat-to (em0:0) static-port\n",
		       "match out on em0 from (em0:network) to any nat-to (em0:0) static-port\n");
}

/* conf_md5.c (libpfconf-internal): the padding edges, against digests
 * computed with Python's hashlib over bytes (i * 7 + 1) % 251. */
void conf_md5(const void *data, size_t len, unsigned char out[16]);

Test(conf_nat, md5_padding_edges)
{
	static const struct {
		size_t len;
		const char *hex;
	} v[] = {
		{ 0, "d41d8cd98f00b204e9800998ecf8427e" },   { 3, "eb1c1c0a1baa4f725055e88c48ba44b6" },
		{ 55, "645f8ecd2017b8b2c18847b75f9438fb" },  { 56, "549447fc49d831236bd08b1cdfb0baf9" },
		{ 64, "4ecd5a45009defa9f1a440046a8b4761" },  { 119, "e3d21fa5b5d2705e6843ae21a4e7d521" },
		{ 120, "795a0837c89d6276fe5c461dd159c874" },
	};
	unsigned char buf[128], d[16];
	char hex[33];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)((i * 7 + 1) % 251);
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		conf_md5(buf, v[k].len, d);
		for (int i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", d[i]);
		cr_expect_str_eq(hex, v[k].hex, "MD5 of %zu bytes", v[k].len);
	}
}
