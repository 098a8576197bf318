// SPDX-License-Identifier: BSD-2-Clause
/*
 * The pf.conf parser: what each construct turns into (struct pfbpf_rule
 * fields, options, tables, anchors), including pf's defaults.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <unistd.h>
#include "test_conf_util.h"

static __u32 ip4(const char *s)
{
	__u32 a;

	cr_assert_eq(inet_pton(AF_INET, s, &a), 1);
	return a;
}

Test(conf_parse, pass_tcp_defaults_to_flags_s_sa_keep_state)
{
	struct pfbpf_conf *c = parse_ok("pass in proto tcp to port 22\n");
	const struct pfbpf_rule *r = &c->rules[0];

	cr_assert_eq(c->nrules, 1);
	cr_expect_eq(r->action, PF_PASS);
	cr_expect_eq(r->direction, PF_IN);
	cr_expect_eq(r->proto, IPPROTO_TCP);
	cr_expect_eq(r->keep_state, PF_STATE_NORMAL);
	cr_expect_eq(r->flags, 0x02);
	cr_expect_eq(r->flagset, 0x12);
	cr_expect_eq(r->dport.op, PF_OP_EQ);
	cr_expect_eq(r->dport.port[0], 22);
	cr_expect_eq(r->sport.op, PF_OP_NONE);
	cr_expect_eq(r->src.type, PFBPF_ADDR_ANY);
	cr_expect_eq(r->dst.type, PFBPF_ADDR_ANY);
	pfbpf_conf_free(c);
}

Test(conf_parse, defaults_per_action_and_proto)
{
	struct pfbpf_conf *c = parse_ok("pass out proto udp all\n"
					"pass all\n"
					"block all\n"
					"pass proto tcp all no state\n"
					"pass proto tcp all flags any\n"
					"pass proto tcp all flags /SA\n"
					"pass proto tcp all flags FS/FSRA keep state\n");

	cr_assert_eq(c->nrules, 7);
	/* udp: keep state, no flags */
	cr_expect_eq(c->rules[0].keep_state, PF_STATE_NORMAL);
	cr_expect_eq(c->rules[0].flags | c->rules[0].flagset, 0);
	/* any proto: S/SA as pf */
	cr_expect_eq(c->rules[1].flags, 0x02);
	cr_expect_eq(c->rules[1].flagset, 0x12);
	/* block: no state, no flags */
	cr_expect_eq(c->rules[2].action, PF_DROP);
	cr_expect_eq(c->rules[2].keep_state, PF_STATE_NONE);
	cr_expect_eq(c->rules[2].flags | c->rules[2].flagset, 0);
	cr_expect_eq(c->rules[2].rule_flag, PFRULE_DROP);
	/* no state: no default flags */
	cr_expect_eq(c->rules[3].keep_state, PF_STATE_NONE);
	cr_expect_eq(c->rules[3].flags | c->rules[3].flagset, 0);
	/* flags any */
	cr_expect_eq(c->rules[4].keep_state, PF_STATE_NORMAL);
	cr_expect_eq(c->rules[4].flags | c->rules[4].flagset, 0);
	cr_expect_eq(c->rules[5].flags, 0);
	cr_expect_eq(c->rules[5].flagset, 0x12);
	cr_expect_eq(c->rules[6].flags, 0x03);
	cr_expect_eq(c->rules[6].flagset, 0x17);
	for (size_t i = 0; i < c->nrules; i++)
		cr_expect_eq(c->rules[i].nr, i);
	pfbpf_conf_free(c);
}

Test(conf_parse, header_fields)
{
	struct pfbpf_conf *c = parse_ok("block drop out log quick on ! eth1 inet6 proto 47 all\n");
	const struct pfbpf_rule *r = &c->rules[0];

	cr_expect_eq(r->direction, PF_OUT);
	cr_expect_eq(r->log, 1);
	cr_expect_eq(r->quick, 1);
	cr_expect_eq(r->ifnot, 1);
	cr_expect_str_eq(r->ifname, "eth1");
	cr_expect_eq(r->af, PF_INET6);
	cr_expect_eq(r->proto, 47);
	pfbpf_conf_free(c);
	c = parse_ok("pass quick log all\n");
	cr_expect_eq(c->rules[0].quick + c->rules[0].log, 2);
	cr_expect_eq(c->rules[0].direction, PF_INOUT);
	pfbpf_conf_free(c);
}

Test(conf_parse, addresses)
{
	struct pfbpf_conf *c = parse_ok("table <t> { 192.0.2.1 }\n"
					"pass from 192.0.2.77/24 to ! 198.51.100.2\n"
					"pass from 2001:db8::1:2/64 to <t>\n"
					"pass from ! <t> to 2001:db8::5\n");
	const struct pfbpf_rule *r = c->rules;

	cr_assert_eq(c->nrules, 3);
	cr_expect_eq(r[0].af, PF_INET);
	cr_expect_eq(r[0].src.type, PFBPF_ADDR_MASK);
	cr_expect_eq(r[0].src.prefixlen, 24);
	cr_expect_eq(r[0].src.addr.v4, ip4("192.0.2.0"), "host bits are cleared");
	cr_expect_eq(r[0].dst.neg, 1);
	cr_expect_eq(r[0].dst.prefixlen, 32);
	cr_expect_eq(r[0].dst.addr.v4, ip4("198.51.100.2"));
	cr_expect_eq(r[1].af, PF_INET6);
	cr_expect_eq(r[1].src.prefixlen, 64);
	cr_expect_eq(r[1].src.addr.addr8[15], 0);
	cr_expect_eq(r[1].src.addr.addr8[0], 0x20);
	cr_expect_eq(r[1].dst.type, PFBPF_ADDR_TABLE);
	cr_expect_str_eq(r[1].dst.table, "t");
	cr_expect_eq(r[2].src.type, PFBPF_ADDR_TABLE);
	cr_expect_eq(r[2].src.neg, 1);
	cr_expect_eq(r[2].dst.prefixlen, 128);
	pfbpf_conf_free(c);
}

Test(conf_parse, ports_and_operators)
{
	static const struct {
		const char *spec;
		__u8 op;
		__u16 a, b;
	} t[] = {
		{ "22", PF_OP_EQ, 22, 0 },	   { "= ssh", PF_OP_EQ, 22, 0 },
		{ "!= 53", PF_OP_NE, 53, 0 },	   { "< 1024", PF_OP_LT, 1024, 0 },
		{ "<= 1024", PF_OP_LE, 1024, 0 },  { "> 1023", PF_OP_GT, 1023, 0 },
		{ ">= https", PF_OP_GE, 443, 0 },  { "1000:2000", PF_OP_RRG, 1000, 2000 },
		{ "1024 >< 2048", PF_OP_IRG, 1024, 2048 }, { "10 <> 20", PF_OP_XRG, 10, 20 },
		{ "domain", PF_OP_EQ, 53, 0 },	   { "0", PF_OP_EQ, 0, 0 },
		{ "65535", PF_OP_EQ, 65535, 0 },   { "www", PF_OP_EQ, 80, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char text[128];
		struct pfbpf_conf *c;

		snprintf(text, sizeof(text), "pass proto tcp from port %s\n", t[i].spec);
		c = parse_ok(text);
		cr_expect_eq(c->rules[0].sport.op, t[i].op, "%s", t[i].spec);
		cr_expect_eq(c->rules[0].sport.port[0], t[i].a, "%s", t[i].spec);
		cr_expect_eq(c->rules[0].sport.port[1], t[i].b, "%s", t[i].spec);
		pfbpf_conf_free(c);
	}
}

Test(conf_parse, lists_expand_in_pfctl_order)
{
	struct pfbpf_conf *c = parse_ok("pass in on { eth0 eth1 } proto { tcp, udp } "
					"from { 192.0.2.1 192.0.2.2 } to any port { 53 123 }\n");
	static const char *const ifs[] = { "eth0", "eth1" };
	size_t n = 0;

	cr_assert_eq(c->nrules, 16);
	for (int i = 0; i < 2; i++)
		for (int p = 0; p < 2; p++)
			for (int s = 0; s < 2; s++)
				for (int d = 0; d < 2; d++, n++) {
					const struct pfbpf_rule *r = &c->rules[n];

					cr_expect_str_eq(r->ifname, ifs[i]);
					cr_expect_eq(r->proto, p ? IPPROTO_UDP : IPPROTO_TCP);
					cr_expect_eq(r->src.addr.addr8[3], s + 1);
					cr_expect_eq(r->dport.port[0], d ? 123 : 53);
					cr_expect_eq(r->nr, n);
					cr_expect_eq(r->af, PF_INET);
				}
	pfbpf_conf_free(c);
}

Test(conf_parse, mixed_families_split_and_infer_af)
{
	struct pfbpf_conf *c =
		parse_ok("pass from { 192.0.2.1 2001:db8::1 } to { 198.51.100.1 2001:db8::2 }\n");

	/* v4->v6 and v6->v4 combinations are dropped, as pfctl does */
	cr_assert_eq(c->nrules, 2);
	cr_expect_eq(c->rules[0].af, PF_INET);
	cr_expect_eq(c->rules[1].af, PF_INET6);
	pfbpf_conf_free(c);
}

Test(conf_parse, flags_dropped_for_non_tcp_in_a_list)
{
	struct pfbpf_conf *c = parse_ok("pass proto { tcp udp } to port 53 flags S/SA keep state\n");

	cr_assert_eq(c->nrules, 2);
	cr_expect_eq(c->rules[0].flags, 0x02);
	cr_expect_eq(c->rules[0].flagset, 0x12);
	cr_expect_eq(c->rules[1].flags | c->rules[1].flagset, 0);
	pfbpf_conf_free(c);
}

Test(conf_parse, include)
{
	FILE *f = fopen("/tmp/pfconf-inc-ok.conf", "w");
	struct pfbpf_conf *c;

	cr_assert_not_null(f);
	/* no newline at the end: the end of the file ends the rule */
	fputs("web = \"{ 80 443 }\"\npass in proto tcp to port $web", f);
	fclose(f);
	c = parse_ok("table <t> { 192.0.2.1 }\n"
		     "block all\n"
		     "include \"/tmp/pfconf-inc-ok.conf\"\n"
		     "pass proto tcp from <t> to port $web\n"
		     "include \"/tmp/pfconf-inc-ok.conf\"");
	unlink("/tmp/pfconf-inc-ok.conf");
	cr_assert_eq(c->nrules, 7);
	cr_expect_eq(c->rules[1].dport.port[0], 80);
	cr_expect_eq(c->rules[2].dport.port[0], 443);
	cr_expect_eq(c->rules[3].src.type, PFBPF_ADDR_TABLE);
	cr_expect_eq(c->rules[4].dport.port[0], 443);
	cr_expect_eq(c->rules[6].nr, 6);
	pfbpf_conf_free(c);
}

Test(conf_parse, multiline_quoted_macro)
{
	struct pfbpf_conf *c = parse_ok("hosts = \"{ 192.0.2.1\n   192.0.2.2 }\"\n"
					"pass from $hosts\n"
					"pass out all\n");

	cr_expect_eq(c->nrules, 3);
	cr_expect_eq(c->rule_line[2], 4);
	pfbpf_conf_free(c);
}

Test(conf_parse, macros_nested_lists_and_defines)
{
	const char *defs[] = { "ext_if=veth9" };
	struct pfbpf_conf_opts o = { .defines = defs, .ndefines = 1 };
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;
	const char *text = "ext_if = \"veth0\"\n"
			   "web = \"{ 80 443 }\"\n"
			   "all_ports = \"{\" $web 22 \"}\"\n"
			   "pass in on $ext_if proto tcp to port $all_ports\n";

	c = parse_ok(text);
	cr_assert_eq(c->nrules, 3);
	cr_expect_str_eq(c->rules[0].ifname, "veth0");
	cr_expect_eq(c->rules[0].dport.port[0], 80);
	cr_expect_eq(c->rules[1].dport.port[0], 443);
	cr_expect_eq(c->rules[2].dport.port[0], 22);
	cr_assert_eq(c->nmacros, 3);
	cr_expect_str_eq(c->macros[2].value, "{ { 80 443 } 22 }");
	pfbpf_conf_free(c);

	/* -D wins over the file, as pfctl -D */
	cr_assert_eq(pfbpf_conf_parse_string(text, "pf.conf", &o, &c, &e), 0);
	cr_expect_str_eq(c->rules[0].ifname, "veth9");
	pfbpf_conf_free(c);
}

Test(conf_parse, comments_continuations_commas)
{
	struct pfbpf_conf *c = parse_ok("# a comment\n"
					"pass in \\\n"
					"   proto tcp to port { 22, \n 80 } # trailing\n"
					"\n\t \n");

	cr_assert_eq(c->nrules, 2);
	cr_expect_eq(c->rule_line[0], 2);
	cr_expect_eq(c->rules[1].dport.port[0], 80);
	pfbpf_conf_free(c);
}

Test(conf_parse, icmp_types_and_codes)
{
	struct pfbpf_conf *c = parse_ok(
		"pass inet proto icmp icmp-type { echoreq, unreach code needfrag, 13 code 0 }\n"
		"pass inet6 proto ipv6-icmp icmp6-type { echoreq neighbrsol }\n"
		"pass inet6 proto icmp6 icmp6-type toobig\n");

	cr_assert_eq(c->nrules, 6);
	cr_expect_eq(c->rules[0].icmp_type, 8 + 1);
	cr_expect_eq(c->rules[0].icmp_code, 0);
	cr_expect_eq(c->rules[1].icmp_type, 3 + 1);
	cr_expect_eq(c->rules[1].icmp_code, 4 + 1);
	cr_expect_eq(c->rules[2].icmp_type, 13 + 1);
	cr_expect_eq(c->rules[2].icmp_code, 0 + 1);
	cr_expect_eq(c->rules[3].icmp_type, 128 + 1);
	cr_expect_eq(c->rules[4].icmp_type, 135 + 1);
	cr_expect_eq(c->rules[5].proto, IPPROTO_ICMPV6);
	cr_expect_eq(c->rules[5].af, PF_INET6);
	pfbpf_conf_free(c);
}

Test(conf_parse, block_variants_and_block_policy)
{
	struct pfbpf_conf *c = parse_ok("block all\n"
					"block drop all\n"
					"block return all\n"
					"block return-rst proto tcp all\n"
					"block return-icmp all\n"
					"block return-icmp(host-unr) inet all\n"
					"block return-icmp6(admin-unr) inet6 all\n"
					"set block-policy return\n"
					"block all\n"
					"block drop all\n");
	const struct pfbpf_rule *r = c->rules;

	cr_assert_eq(c->nrules, 9);
	cr_expect_eq(r[0].rule_flag, PFRULE_DROP);
	cr_expect_eq(r[1].rule_flag, PFRULE_DROP);
	cr_expect_eq(r[2].rule_flag, PFRULE_RETURN);
	cr_expect_eq(r[3].rule_flag, PFRULE_RETURNRST);
	cr_expect_eq(r[4].rule_flag, PFRULE_RETURNICMP);
	cr_expect_eq(r[4].return_icmp_type, 3);
	cr_expect_eq(r[4].return_icmp_code, 3);
	cr_expect_eq(r[5].return_icmp_code, 1);
	cr_expect_eq(r[6].return_icmp_type, 1);
	cr_expect_eq(r[6].return_icmp_code, 1);
	cr_expect_eq(r[7].rule_flag, PFRULE_RETURN, "set block-policy return");
	cr_expect_eq(r[8].rule_flag, PFRULE_DROP);
	pfbpf_conf_free(c);
}

Test(conf_parse, state_options_and_label)
{
	struct pfbpf_conf *c = parse_ok(
		"pass in on eth0 proto tcp to port 22 keep state "
		"(max 100, tcp.established 3600 tcp.closing 10) label \"ssh $if $dstport $nr\"\n");
	const struct pfbpf_rule *r = c->rules;

	cr_expect_eq(r->max_states, 100);
	cr_expect_eq(r->timeout[PFTM_TCP_ESTABLISHED], 3600);
	cr_expect_eq(r->timeout[PFTM_TCP_CLOSING], 10);
	cr_expect_eq(r->timeout[PFTM_TCP_FIRST_PACKET], 0);
	cr_expect_str_eq(r->label, "ssh eth0 22 0");
	pfbpf_conf_free(c);
	/* pf's formats: "! addr", an empty port, "any" for no address */
	c = parse_ok("pass proto tcp from ! 192.0.2.0/24 to port > 1023 label \"$srcaddr|$srcport|$dstport|$dstaddr|$proto\"\n");
	cr_expect_str_eq(c->rules[0].label, "! 192.0.2.0/24||>1023|any|tcp");
	pfbpf_conf_free(c);
}

Test(conf_parse, options)
{
	struct pfbpf_conf *c = parse_ok("set timeout { tcp.first 60, udp.first 30 adaptive.end 9000 }\n"
					"set timeout interval 5\n"
					"set limit states 50000\n"
					"set limit { frags 100, table-entries 9 }\n"
					"set block-policy return\n"
					"set state-policy if-bound\n"
					"set skip on lo\n"
					"set skip on { lo0 eth1 }\n"
					"set hostid 0xdeadbeef\n"
					"set debug misc\n");
	const struct pfbpf_conf_options *o = &c->options;

	cr_expect_eq(o->timeout_set, (1u << PFTM_TCP_FIRST_PACKET) | (1u << PFTM_UDP_FIRST_PACKET) |
					     (1u << PFTM_ADAPTIVE_END) | (1u << PFTM_INTERVAL));
	cr_expect_eq(o->timeout[PFTM_TCP_FIRST_PACKET], 60);
	cr_expect_eq(o->timeout[PFTM_ADAPTIVE_END], 9000);
	cr_expect_eq(o->timeout[PFTM_INTERVAL], 5);
	cr_expect_eq(o->limit_set, (1u << PF_LIMIT_STATES) | (1u << PF_LIMIT_FRAGS) |
					   (1u << PF_LIMIT_TABLE_ENTRIES));
	cr_expect_eq(o->limit[PF_LIMIT_STATES], 50000);
	cr_expect_eq(o->limit[PF_LIMIT_TABLE_ENTRIES], 9);
	cr_expect_eq(o->set, PFBPF_OPT_BLOCK_POLICY | PFBPF_OPT_STATE_POLICY | PFBPF_OPT_SKIP |
				     PFBPF_OPT_HOSTID | PFBPF_OPT_DEBUG);
	cr_expect_eq(o->block_policy, PF_BLOCK_RETURN);
	cr_expect_eq(o->state_policy, PF_STATE_IFBOUND);
	cr_expect_eq(o->hostid, 0xdeadbeef);
	cr_expect_eq(o->debug, PF_DEBUG_MISC);
	/* the last set skip wins, as in pf */
	cr_assert_eq(o->nskip, 2);
	cr_expect_str_eq(o->skip[0], "lo0");
	cr_expect_str_eq(o->skip[1], "eth1");
	pfbpf_conf_free(c);

	c = parse_ok("pass all\n");
	cr_expect_eq(c->options.set | c->options.timeout_set | c->options.limit_set, 0);
	pfbpf_conf_free(c);
}

Test(conf_parse, tables_inline_and_file)
{
	char path[] = "/tmp/pfconf-tbl-XXXXXX";
	int fd = mkstemp(path);
	char text[512];
	struct pfbpf_conf *c;
	const struct pfbpf_conf_table *t;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "# bad hosts\n203.0.113.0/24\n!203.0.113.7 2001:db8::/48\n", 54),
		     54);
	close(fd);
	snprintf(text, sizeof(text),
		 "table <a> persist counters { 192.0.2.1, !192.0.2.2 198.51.100.0/24 }\n"
		 "table <b> const file \"%s\" { 192.0.2.9 }\n"
		 "table <e> persist {\n}\n"
		 "pass from <a> to <b>\n",
		 path);
	c = parse_ok(text);
	unlink(path);
	cr_assert_eq(c->ntables, 3);
	t = &c->tables[0];
	cr_expect_str_eq(t->name, "a");
	cr_expect_eq(t->flags, PFBPF_TFLAG_PERSIST | PFBPF_TFLAG_COUNTERS);
	cr_assert_eq(t->naddrs, 3);
	cr_expect_eq(t->addrs[1].neg, 1);
	cr_expect_eq(t->addrs[2].prefixlen, 24);
	t = &c->tables[1];
	cr_expect_eq(t->flags, PFBPF_TFLAG_CONST);
	cr_assert_eq(t->naddrs, 4);
	cr_expect_eq(t->addrs[0].prefixlen, 24);
	cr_expect_eq(t->addrs[1].neg, 1);
	cr_expect_eq(t->addrs[2].af, PF_INET6);
	cr_expect_eq(t->addrs[2].prefixlen, 48);
	cr_expect_eq(t->addrs[3].addr.v4, ip4("192.0.2.9"));
	cr_assert_eq(t->nsrcs, 2);
	cr_expect_str_eq(t->srcs[0].file, path);
	cr_expect_eq(t->srcs[0].count, 3);
	cr_expect_eq(c->tables[2].naddrs, 0);
	pfbpf_conf_free(c);
}

Test(conf_parse, table_file_relative_to_table_dir)
{
	struct pfbpf_conf_opts o = { .table_dir = "/tmp" };
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;
	FILE *f = fopen("/tmp/pfconf-reltable.txt", "w");

	cr_assert_not_null(f);
	fputs("192.0.2.3\n", f);
	fclose(f);
	cr_assert_eq(pfbpf_conf_parse_string("table <r> file \"pfconf-reltable.txt\"\n", "x", &o,
					     &c, &e), 0, "%s", e.msg);
	unlink("/tmp/pfconf-reltable.txt");
	cr_assert_eq(c->tables[0].naddrs, 1);
	pfbpf_conf_free(c);
}

Test(conf_parse, implicit_tables_as_pf)
{
	struct pfbpf_conf_opts o = { .implicit_tables = 1 };
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;

	cr_assert_eq(pfbpf_conf_parse_string("pass from <bruteforce>\n", "x", &o, &c, &e), 0);
	cr_assert_eq(c->ntables, 1);
	cr_expect_str_eq(c->tables[0].name, "bruteforce");
	cr_expect_eq(c->tables[0].flags, 0);
	pfbpf_conf_free(c);
}

Test(conf_parse, tables_defined_after_use)
{
	struct pfbpf_conf *c = parse_ok("pass from <late>\ntable <late> { 192.0.2.1 }\n");

	cr_expect_eq(c->nrules, 1);
	pfbpf_conf_free(c);
}

Test(conf_parse, anchors)
{
	struct pfbpf_conf *c = parse_ok("pass in all\n"
					"anchor \"ssh\" in on eth0 proto tcp {\n"
					"  pass in proto tcp to port 22\n"
					"  anchor \"inner\" {\n"
					"    block all\n"
					"  }\n"
					"  pass out all\n"
					"}\n"
					"anchor \"ext/*\"\n"
					"anchor {\n"
					"  pass all\n"
					"}\n"
					"block out all\n");

	cr_assert_eq(c->nrules, 6);
	cr_expect_str_eq(c->rule_anchor[0], "");
	cr_expect_eq(c->rules[0].nr, 0);
	cr_expect_str_eq(c->rule_anchor[1], "ssh");
	cr_expect_eq(c->rules[1].nr, 0);
	cr_expect_str_eq(c->rule_anchor[2], "ssh/inner");
	cr_expect_eq(c->rules[2].nr, 0);
	cr_expect_str_eq(c->rule_anchor[3], "ssh");
	cr_expect_eq(c->rules[3].nr, 2, "the anchor rule took nr 1");
	cr_expect_str_eq(c->rule_anchor[4], "_4");
	cr_expect_str_eq(c->rule_anchor[5], "");
	cr_expect_eq(c->rules[5].nr, 4, "main: 0 pass, 1 ssh, 2 ext/*, 3 _4, 4 block");

	cr_assert_eq(c->nanchors, 4);
	cr_expect_str_eq(c->anchors[0].path, "ssh");
	cr_expect_eq(c->anchors[0].nr, 1);
	cr_expect_eq(c->anchors[0].has_body, 1);
	cr_expect_str_eq(c->anchors[0].filter.ifname, "eth0");
	cr_expect_eq(c->anchors[0].filter.proto, IPPROTO_TCP);
	cr_expect_eq(c->anchors[0].filter.direction, PF_IN);
	cr_expect_str_eq(c->anchors[1].path, "ssh/inner");
	cr_expect_str_eq(c->anchors[1].parent, "ssh");
	cr_expect_eq(c->anchors[1].nr, 1);
	cr_expect_str_eq(c->anchors[2].path, "ext/*");
	cr_expect_eq(c->anchors[2].has_body, 0);
	cr_expect_str_eq(c->anchors[3].path, "_4");
	pfbpf_conf_free(c);
}

Test(conf_parse, empty_and_comment_only)
{
	struct pfbpf_conf *c = parse_ok("");

	cr_expect_eq(c->nrules, 0);
	pfbpf_conf_free(c);
	c = parse_ok("# nothing\n\n");
	cr_expect_eq(c->nrules, 0);
	pfbpf_conf_free(c);
}

Test(conf_parse, quoted_words_are_not_keywords)
{
	struct pfbpf_conf *c = parse_ok("pass in on \"eth0\" all label \"pass\"\n");

	cr_expect_str_eq(c->rules[0].ifname, "eth0");
	cr_expect_str_eq(c->rules[0].label, "pass");
	pfbpf_conf_free(c);
}

Test(conf_parse, fuzz_entry_point)
{
	cr_expect_eq(pfbpf_conf_fuzz_one("pass all\n", 9), 0);
	cr_expect_neq(pfbpf_conf_fuzz_one("pass \0all", 9), 0);
	cr_expect_neq(pfbpf_conf_fuzz_one("{{{{{{", 6), 0);
}

Test(conf_parse, names)
{
	cr_expect_str_eq(pfbpf_conf_timeout_name(PFTM_TCP_ESTABLISHED), "tcp.established");
	cr_expect_eq(pfbpf_conf_timeout_lookup("src.track"), PFTM_SRC_NODE);
	cr_expect_eq(pfbpf_conf_timeout_lookup("nope"), -1);
	cr_expect_str_eq(pfbpf_conf_limit_name(PF_LIMIT_TABLE_ENTRIES), "table-entries");
	cr_expect_eq(pfbpf_conf_limit_lookup("src-nodes"), PF_LIMIT_SRC_NODES);
	cr_expect_str_eq(pfbpf_conf_proto_name(58), "ipv6-icmp");
	cr_expect_eq(pfbpf_conf_proto_lookup("icmp6"), 58);
	cr_expect_str_eq(pfbpf_conf_service_name(53, IPPROTO_UDP), "domain");
	cr_expect_null(pfbpf_conf_service_name(67, IPPROTO_TCP));
	cr_expect_eq(pfbpf_conf_service_lookup("https", IPPROTO_TCP), 443);
}
