// SPDX-License-Identifier: BSD-2-Clause
/*
 * The printer: rules exactly as pfctl prints them (print_rule), the -nvf
 * listing of options and tables, and the round trip listing -> parser ->
 * the same listing.
 */
#include <stdio.h>
#include "test_conf_util.h"

struct pcase {
	const char *in;
	const char *out;
};

static const struct pcase rules[] = {
	{ "pass in on veth0 inet proto tcp from any to 198.51.100.2 port 22",
	  "pass in on veth0 inet proto tcp from any to 198.51.100.2 port = ssh flags S/SA keep state" },
	{ "block in all", "block drop in all" },
	{ "block", "block drop all" },
	{ "pass", "pass all flags S/SA keep state" },
	{ "pass out proto udp to port domain", "pass out proto udp from any to any port = domain keep state" },
	{ "pass out proto udp to port 9999", "pass out proto udp from any to any port = 9999 keep state" },
	{ "pass proto tcp to port 1000:2000", "pass proto tcp from any to any port 1000:2000 flags S/SA keep state" },
	{ "pass proto tcp to port 1024 >< 2048", "pass proto tcp from any to any port 1024 >< 2048 flags S/SA keep state" },
	{ "pass proto tcp to port 1 <> 2", "pass proto tcp from any to any port 1 <> 2 flags S/SA keep state" },
	{ "pass proto tcp to port != 80", "pass proto tcp from any to any port != http flags S/SA keep state" },
	{ "pass proto tcp to port < 1024", "pass proto tcp from any to any port < 1024 flags S/SA keep state" },
	{ "pass proto tcp to port <= 22", "pass proto tcp from any to any port <= 22 flags S/SA keep state" },
	{ "pass proto tcp to port > 22", "pass proto tcp from any to any port > 22 flags S/SA keep state" },
	{ "pass proto tcp to port >= 22", "pass proto tcp from any to any port >= 22 flags S/SA keep state" },
	{ "pass proto tcp from port 22", "pass proto tcp from any port = ssh to any flags S/SA keep state" },
	{ "pass proto tcp all flags any", "pass proto tcp all flags any keep state" },
	{ "pass proto tcp all no state", "pass proto tcp all no state" },
	{ "pass proto tcp all flags S/SA no state", "pass proto tcp all flags S/SA no state" },
	{ "pass proto tcp all flags /SA", "pass proto tcp all flags /SA keep state" },
	{ "pass proto tcp all flags FSRPAUEW/FSRPAUEW", "pass proto tcp all flags FSRPAUEW/FSRPAUEW keep state" },
	{ "block drop out log quick on ! eth0 inet6 all", "block drop out log quick on ! eth0 inet6 all" },
	{ "pass from ! 192.0.2.0/24 to 2001:db8::/32", NULL /* no combination */ },
	{ "pass from ! 192.0.2.7/24 to ! 198.51.100.1", "pass inet from ! 192.0.2.0/24 to ! 198.51.100.1 flags S/SA keep state" },
	{ "pass from 2001:db8::1", "pass inet6 from 2001:db8::1 to any flags S/SA keep state" },
	{ "pass from <t> to ! <t>", "pass from <t> to ! <t> flags S/SA keep state" },
	{ "pass proto 47", "pass proto gre all keep state" },
	{ "pass proto 253", "pass proto 253 all keep state" },
	{ "pass inet proto icmp icmp-type echoreq", "pass inet proto icmp all icmp-type echoreq keep state" },
	{ "pass inet proto icmp icmp-type 3 code 13", "pass inet proto icmp all icmp-type unreach code filter-prohib keep state" },
	{ "pass inet proto icmp icmp-type 200 code 7", "pass inet proto icmp all icmp-type 200 code 7 keep state" },
	{ "pass inet6 proto ipv6-icmp icmp6-type neighbradv", "pass inet6 proto ipv6-icmp all icmp6-type neighbradv keep state" },
	/* pfctl (parse.y) derives the rule's adaptive bounds from max */
	{ "pass in proto tcp to port 80 synproxy state",
	  "pass in proto tcp from any to any port = http flags S/SA synproxy state" },
	{ "pass all keep state (max 100)",
	  "pass all flags S/SA keep state (max 100, adaptive.start 60, adaptive.end 120)" },
	{ "pass all keep state (max 105, adaptive.end 0)", "pass all flags S/SA keep state (max 105)" },
	{ "pass all keep state (max 100, adaptive.start 10, adaptive.end 20)",
	  "pass all flags S/SA keep state (max 100, adaptive.start 10, adaptive.end 20)" },
	{ "pass all keep state (tcp.closed 5, max 7, udp.first 3)", "pass all flags S/SA keep state (max 7, tcp.closed 5, udp.first 3)" },
	{ "pass all label \"web traffic\"", "pass all flags S/SA keep state label \"web traffic\"" },
	{ "block return all", "block return all" },
	{ "block return-rst proto tcp all", "block return-rst proto tcp all" },
	{ "block return-icmp all", "block return-icmp(port-unr, port-unr) all" },
	{ "block return-icmp inet all", "block return-icmp(port-unr) inet all" },
	{ "block return-icmp(net-unr) inet all", "block return-icmp(net-unr) inet all" },
	{ "block return-icmp(13) all", "block return-icmp(filter-prohib, port-unr) all" },
	{ "block return-icmp6 inet6 all", "block return-icmp6(port-unr) inet6 all" },
	{ "block return-icmp6(admin-unr) all", "block return-icmp(port-unr, admin-unr) all" },
	{ "block return-icmp(port-unr, admin-unr) inet6 all", "block return-icmp6(admin-unr) inet6 all" },
	{ "block in proto tcp all keep state", NULL },
	{ "pass proto { tcp udp } to port 53 flags S/SA",
	  "pass proto tcp from any to any port = domain flags S/SA keep state\n"
	  "pass proto udp from any to any port = domain keep state" },
};

Test(conf_print, rules_like_pfctl)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		char text[256], want[300];
		struct pfbpf_conf *c;
		struct pfbpf_conf_error e;
		int rc;

		snprintf(text, sizeof(text), "table <t> { 192.0.2.1 }\n%s\n", rules[i].in);
		rc = pfbpf_conf_parse_string(text, "pf.conf", NULL, &c, &e);
		if (!rules[i].out) {
			cr_expect_neq(rc, 0, "%s", rules[i].in);
			continue;
		}
		cr_assert_eq(rc, 0, "%s: %s", rules[i].in, e.msg);
		snprintf(want, sizeof(want), "table <t> { 192.0.2.1 }\n%s\n", rules[i].out);
		char *got = print_conf(c, 1);
		cr_expect_str_eq(got, want, "\n in: %s\ngot: %swant: %s", rules[i].in, got, want);
		free(got);
		pfbpf_conf_free(c);
	}
}

Test(conf_print, verbose_numbers_and_numeric_ports)
{
	struct pfbpf_conf *c = parse_ok("block all\npass in proto tcp to port { ssh 80 }\n");
	char *s = print_conf(c, 2);

	cr_expect_str_eq(s, "@0 block drop all\n"
			    "@1 pass in proto tcp from any to any port = ssh flags S/SA keep state\n"
			    "@2 pass in proto tcp from any to any port = http flags S/SA keep state\n");
	free(s);
	s = print_rule(&c->rules[2], 1 | PFBPF_PRINT_NUMERIC);
	cr_expect_str_eq(s, "pass in proto tcp from any to any port = 80 flags S/SA keep state\n");
	free(s);
	s = print_rule(&c->rules[1], 2);
	cr_expect_str_eq(s, "@1 pass in proto tcp from any to any port = ssh flags S/SA keep state\n");
	free(s);
	pfbpf_conf_free(c);
}

Test(conf_print, options_macros_tables_in_file_order)
{
	expect_listing("ext_if = \"veth0\"\n"
		       "set timeout { tcp.first 60, udp.first 30 }\n"
		       "set limit states 50000\n"
		       "table <bad> persist counters { 192.0.2.66, !192.0.2.67 } { 2001:db8::/32 }\n"
		       "table <c> const { }\n"
		       "set block-policy return\n"
		       "set state-policy floating\n"
		       "set skip on lo\n"
		       "set hostid 1234\n"
		       "set debug loud\n"
		       "block on $ext_if\n",
		       "ext_if = \"veth0\"\n"
		       "set timeout tcp.first 60\n"
		       "set timeout udp.first 30\n"
		       "set limit states 50000\n"
		       "table <bad> persist counters { 192.0.2.66 !192.0.2.67 2001:db8::/32 }\n"
		       "table <c> const { }\n"
		       "set block-policy return\n"
		       "set state-policy floating\n"
		       "set skip on { lo }\n"
		       "set hostid 0x000004d2\n"
		       "set debug loud\n"
		       "block return on veth0 all\n");
}

Test(conf_print, anchors_nested_and_indented)
{
	expect_listing("anchor \"ssh\" in on eth0 {\n"
		       "pass in proto tcp to port 22\n"
		       "anchor \"inner\" {\n"
		       "block all\n"
		       "}\n"
		       "}\n"
		       "anchor \"ext/*\"\n"
		       "anchor out {\n"
		       "pass out all\n"
		       "}\n"
		       "pass all\n",
		       "anchor \"ssh\" in on eth0 all {\n"
		       "  pass in proto tcp from any to any port = ssh flags S/SA keep state\n"
		       "  anchor \"inner\" all {\n"
		       "    block drop all\n"
		       "  }\n"
		       "}\n"
		       "anchor \"ext/*\" all\n"
		       "anchor out all {\n"
		       "  pass out all flags S/SA keep state\n"
		       "}\n"
		       "pass all flags S/SA keep state\n");
}

Test(conf_print, table_and_addr_helpers)
{
	struct pfbpf_conf *c = parse_ok("table <x> { 192.0.2.0/25 }\npass from 198.51.100.0/22 to <x>\n");
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	pfbpf_addr_print(f, &c->rules[0].src);
	fputc(' ', f);
	pfbpf_addr_print(f, &c->rules[0].dst);
	fputc(' ', f);
	pfbpf_table_print(f, &c->tables[0]);
	fclose(f);
	cr_expect_str_eq(out, "198.51.100.0/22 <x> table <x> { 192.0.2.0/25 }\n");
	free(out);
	pfbpf_conf_free(c);
}

/* The listing parses back to itself. */
static const char *const roundtrip[] = {
	"pass in on veth0 proto tcp to port { 22 80 443 } keep state (max 10)\n",
	"block return-icmp(host-unr) in inet proto udp from ! 192.0.2.0/24 port 1:1024\n",
	"block return-icmp in all\nblock return-icmp6(admin-unr) all\n",
	"pass inet6 proto ipv6-icmp icmp6-type { echoreq unreach code port-unr }\n",
	"set timeout { tcp.first 1 adaptive.start 5 }\nset limit states 7\nset skip on { lo eth0 }\n",
	"table <t> const counters { 192.0.2.1 !2001:db8::1 }\npass from <t> to ! <t> label \"x\"\n",
	"anchor \"a\" on eth0 {\n pass all\n anchor \"b\" {\n  block all\n }\n}\n",
	"m = \"{ 192.0.2.1 192.0.2.2 }\"\npass proto tcp from $m to port 22\n",
	"pass proto tcp all flags /SA no state\npass all no state\n",
};

Test(conf_print, roundtrip)
{
	for (size_t i = 0; i < sizeof(roundtrip) / sizeof(roundtrip[0]); i++) {
		struct pfbpf_conf *c, *c2;
		struct pfbpf_conf_error e;
		char *one, *two;

		cr_assert_eq(pfbpf_conf_parse_string(roundtrip[i], "pf.conf", NULL, &c, &e), 0,
			     "%s: %s", roundtrip[i], e.msg);
		one = print_conf(c, 1);
		cr_assert_eq(pfbpf_conf_parse_string(one, "listing", NULL, &c2, &e), 0,
			     "listing does not parse: %s:%d:%d: %s\n%s", e.file, e.line, e.column,
			     e.msg, one);
		two = print_conf(c2, 1);
		cr_expect_str_eq(two, one, "round trip of:\n%s", roundtrip[i]);
		cr_expect_eq(c2->nrules, c->nrules);
		for (size_t k = 0; k < c->nrules; k++)
			cr_expect_eq(memcmp(&c->rules[k], &c2->rules[k], sizeof(c->rules[k])), 0,
				     "rule %zu differs after the round trip of:\n%s", k, roundtrip[i]);
		free(one);
		free(two);
		pfbpf_conf_free(c);
		pfbpf_conf_free(c2);
	}
}
