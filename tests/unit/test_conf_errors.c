// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every error the pf.conf parser gives: exact text, line and column, so a
 * pf admin is pointed at the token at fault, and the conf is not returned.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "test_conf_util.h"
#include <criterion/parameterized.h>

/* Inline arrays, not pointers: Criterion copies the parameters into a
 * worker process where the binary may sit at another address. */
struct errcase {
	char text[128];
	int line, col;
	char msg[128];
};

static struct errcase cases[] = {
	{ "pass in on $nope all\n", 1, 12, "macro 'nope' not defined" },
	{ "pass in \\\n on $x all\n", 2, 5, "macro 'x' not defined" },
	{ "ports = \"{ 22 70000 }\"\npass proto tcp to port $ports\n", 2, 24,
	  "port 70000 is out of range (0-65535)" },
	{ "pass from <t> to any\n", 1, 11, "table <t> is not defined" },
	{ "pass from 300.1.2.3 to any\n", 1, 11, "bad address '300.1.2.3'" },
	{ "pass from 192.0.2.0/33\n", 1, 21, "bad prefix length '/33' for 192.0.2.0 (0-32)" },
	{ "pass from 2001:db8::/129\n", 1, 22,
	  "bad prefix length '/129' for 2001:db8:: (0-128)" },
	{ "pass from host.example.com\n", 1, 11,
	  "'host.example.com' is not an IP address (host names and interface names are not supported as addresses)" },
	{ "table <t> { self }\n", 1, 13, "self is not supported in tables yet: write the addresses" },
	{ "pass from 192.0.2.1 - 192.0.2.9\n", 1, 21, "address ranges are not supported yet" },
	{ "pass in on (eth0)\n", 1, 12, "'on' takes an interface name, not an address '(if)'" },
	{ "pass from ! { 192.0.2.1 }\n", 1, 13,
	  "'!' cannot negate a list: negate each address, or use a table" },
	{ "pass proto tcp to port 70000\n", 1, 24, "port 70000 is out of range (0-65535)" },
	{ "pass proto tcp to port bogus\n", 1, 24, "unknown port 'bogus'" },
	{ "pass proto tcp to port 2000:1000\n", 1, 24,
	  "bad port range 2000:1000: the first port is higher" },
	{ "pass proto tcp to port 20 >< 10\n", 1, 30,
	  "bad port range 20 >< 10: the first port is higher" },
	{ "pass proto tcp from any port 1 >< to any\n", 1, 35, "syntax error near 'to'" },
	{ "pass to port 22\n", 1, 14, "port only applies to tcp/udp: add proto tcp or proto udp" },
	{ "pass proto icmp to port 22\n", 1, 25, "port only applies to tcp/udp" },
	{ "pass proto bogus\n", 1, 12, "unknown protocol 'bogus'" },
	{ "pass proto 256\n", 1, 12, "protocol 256 is out of range (1-255)" },
	{ "pass proto 0\n", 1, 12, "proto 0 is not a protocol" },
	{ "table <a> { 192.0.2.1 }\ntable <a> { 192.0.2.2 }\n", 2, 8,
	  "table <a> is already defined (line 1)" },
	{ "table <t> file \"/nonexistent/x\"\n", 1, 16,
	  "cannot read table file \"/nonexistent/x\": No such file or directory" },
	{ "table <t> { any }\n", 1, 13, "a table holds addresses: use 0.0.0.0/0 and ::/0, not 'any'" },
	{ "table <t> { <u> }\n", 1, 13, "a table cannot contain a table" },
	{ "table <t> bogus\n", 1, 11, "syntax error near 'bogus'" },
	{ "pass in all modulate state\n", 1, 13,
	  "modulate state is not supported (no sequence number modulation in pfbpf)" },
	{ "pass in all synproxy state\n", 1, 13, "synproxy state only applies to TCP: add proto tcp" },
	{ "pass in proto { tcp udp } synproxy state\n", 1, 21,
	  "synproxy state only applies to TCP rules" },
	{ "block in proto tcp synproxy state\n", 1, 20, "keep state on block rules doesn't make sense" },
	{ "pass in proto tcp synproxy state keep state\n", 1, 34, "state option given more than once" },
	{ "match in all keep state\n", 1, 14, "keep state is great, but only for pass rules" },
	{ "nat on eth0 from any to any\n", 1, 1, "translation rule requires '-> address'" },
	{ "rdr on eth0 proto tcp to port 80 -> 192.0.2.1 static-port\n", 1, 47,
	  "the 'static-port' option is only valid with nat rules" },
	{ "binat on eth0 from 192.0.2.0/24 to any -> 198.51.100.1\n", 1, 43,
	  "'binat' source mask and redirect mask must be the same" },
	{ "no nat on eth0 -> 192.0.2.1\n", 1, 16, "translation rule with 'no' does not need '->'" },
	{ "scrub in all\n", 1, 1, "scrub is not supported yet" },
	{ "antispoof for eth0\n", 1, 1, "antispoof is not supported yet" },
	{ "altq on eth0 cbq bandwidth 10Mb queue { std }\n", 1, 1, "altq is not supported yet" },
	{ "queue std bandwidth 10M\n", 1, 1, "queue is not supported yet" },
	{ "include \"/nonexistent/x.conf\"\n", 1, 9,
	  "cannot read include file \"/nonexistent/x.conf\": No such file or directory" },
	{ "anchor \"a\" {\ninclude \"/dev/null\" }\n", 2, 21, "include must be on a line of its own" },
	{ "include \"/dev/zero\"\n", 1, 9,
	  "cannot read include file \"/dev/zero\": File too large" },
	{ "table <z> file \"/dev/zero\"\n", 1, 16,
	  "table file \"/dev/zero\" is binary (contains NUL bytes)" },
	{ "load anchor x from \"y\"\n", 1, 1, "load anchor is not supported yet" },
	{ "nat-anchor x\n", 1, 1, "nat-anchor is not supported yet" },
	{ "\n\npass in all nat-to 192.0.2.1\n", 3, 13, "nat-to can only be used outbound" },
	{ "pass out all rdr-to 192.0.2.1\n", 1, 14, "rdr-to can only be used inbound" },
	{ "pass in inet6 all af-to inet from 192.0.2.1\n", 1, 19, "af-to is not supported yet" },
	{ "pass in route-to eth1 all\n", 1, 9, "route-to is not supported yet" },
	{ "pass out all reply-to eth1\n", 1, 14, "reply-to is not supported yet" },
	{ "pass in all tag foo\n", 1, 13, "tag is not supported yet" },
	{ "pass in all keep state (source-track rule)\n", 1, 25, "source-track is not supported yet" },
	{ "pass in all keep state (if-bound)\n", 1, 25, "if-bound is not supported yet" },
	{ "pass in on eth0 bogus\n", 1, 17, "syntax error near 'bogus'" },
	{ "bogus in all\n", 1, 1, "syntax error near 'bogus'" },
	{ "pass in all @\n", 1, 13, "syntax error near '@'" },
	{ "pass in all\n}\n", 2, 1, "'}' without an anchor to close" },
	{ "pass no state (max 5)\n", 1, 15, "syntax error near '('" },
	{ "pass in all \x01\n", 1, 13, "unexpected character 0x01" },
	{ "pass proto tcp from any to any port ssh flags X/SA\n", 1, 47,
	  "unknown TCP flag 'X' in 'X' (flags are FSRPAUEW)" },
	{ "pass proto tcp all flags SA/S\n", 1, 29, "flags always false: S is not within the mask" },
	{ "pass in all flags S\n", 1, 20, "flags need a mask: write flags S/SA, or flags any" },
	{ "pass proto udp all flags S/SA\n", 1, 20, "flags only apply to tcp" },
	{ "pass all flags S/SA flags any\n", 1, 21, "flags given more than once" },
	{ "pass quick quick all\n", 1, 12, "quick given more than once" },
	{ "pass in log (all) all\n", 1, 13, "log options are not supported yet" },
	{ "pass all keep state no state\n", 1, 21, "state option given more than once" },
	{ "pass all label a label b label c label d label e label f\n", 1, 50,
	  "at most 5 labels on one rule" },
	{ "pass all label \"0123456789012345678901234567890123456789012345678901234567890123\"\n",
	  1, 16, "label is too long (at most 63 characters)" },
	{ "pass label \"unterminated\n", 1, 12, "unterminated quoted string" },
	{ "pass label 'a\"b'\n", 1, 12, "a label cannot contain '\"'" },
	{ "pass proto icmp all icmp6-type echoreq\n", 1, 32,
	  "icmp6-type only applies to proto ipv6-icmp" },
	{ "pass all icmp-type echoreq\n", 1, 20, "icmp-type needs proto icmp" },
	{ "pass inet6 proto icmp all icmp-type echoreq\n", 1, 18,
	  "proto icmp doesn't match address family inet6" },
	{ "pass proto icmp from 2001:db8::1\n", 1, 12,
	  "proto icmp doesn't match address family inet6" },
	{ "pass proto icmp all icmp-type echoreq\n", 1, 31,
	  "icmp-type needs an address family: add inet" },
	{ "pass proto ipv6-icmp all icmp6-type echoreq\n", 1, 37,
	  "icmp6-type needs an address family: add inet6" },
	{ "pass inet proto { tcp icmp } all icmp-type echoreq\n", 1, 44,
	  "icmp-type only applies to proto icmp" },
	{ "pass proto { udp icmp } all flags S/SA\n", 1, 29, "flags only apply to tcp" },
	{ "block all keep state\n", 1, 11, "keep state on block rules doesn't make sense" },
	{ "block return-rst all\n", 1, 7,
	  "return-rst can only be applied to TCP rules: add proto tcp" },
	{ "pass proto icmp all icmp-type 255\n", 1, 31, "icmp type 255 is out of range (0-254)" },
	{ "pass proto icmp all icmp-type bogus\n", 1, 31, "unknown icmp type 'bogus'" },
	{ "pass inet proto icmp icmp-type echoreq code port-unr\n", 1, 45,
	  "unknown icmp code 'port-unr' for type 8" },
	{ "pass in keep state (max 0)\n", 1, 25, "max 0 is out of range (1-4294967295)" },
	{ "pass all keep state (max 5, max 6)\n", 1, 29, "max given more than once" },
	{ "pass all keep state (interval 5)\n", 1, 22, "timeout interval cannot be set per rule" },
	{ "pass all keep state (tcp.first 5, tcp.first 6)\n", 1, 35,
	  "tcp.first given more than once" },
	{ "pass all keep state (max 5\n", 1, 21, "missing ')' for the state options opened here" },
	{ "pass inet from 2001:db8::1 to any\n", 1, 1, "rule expands to no valid combination" },
	{ "pass from 192.0.2.1 to 2001:db8::1\n", 1, 1, "rule expands to no valid combination" },
	{ "block return-rst proto udp all\n", 1, 24, "return-rst can only be applied to TCP rules" },
	{ "block return-rst(ttl 5) all\n", 1, 17, "return-rst options are not supported yet" },
	{ "block return-icmp6 inet all\n", 1, 1, "return-icmp6 cannot be used with inet" },
	{ "block return-icmp(host-unr, admin-unr) all\n", 1, 29,
	  "separate ICMP and ICMP6 return codes are not supported yet" },
	{ "pass in quick on { eth0 \n", 1, 18, "missing '}' for the list opened here" },
	{ "pass in on { }\n", 1, 12, "empty list" },
	{ "pass in on averyveryverylongifname0\n", 1, 12,
	  "interface name 'averyveryverylongifname0' is too long (at most 15 characters)" },
	{ "pass in on ! { eth0 }\n", 1, 14, "'!' cannot negate a list" },
	{ "set timeout tcp.bogus 5\n", 1, 13, "unknown timeout 'tcp.bogus'" },
	{ "set timeout { tcp.first 5, udp.first }\n", 1, 38, "syntax error near '}'" },
	{ "set timeout interval 0\n", 1, 22, "interval 0 is out of range (1-4294967295)" },
	{ "set timeout tcp.first 99999999999\n", 1, 23,
	  "tcp.first 99999999999 is out of range (0-4294967295)" },
	{ "set limit states x\n", 1, 18, "states: 'x' is not a number" },
	{ "set limit bogus 5\n", 1, 11, "unknown limit 'bogus'" },
	{ "set block-policy maybe\n", 1, 18, "block-policy must be drop or return, not 'maybe'" },
	{ "set state-policy sticky\n", 1, 18,
	  "state-policy must be if-bound or floating, not 'sticky'" },
	{ "set debug verbose\n", 1, 11,
	  "debug level must be none, urgent, misc or loud, not 'verbose'" },
	{ "set hostid 0\n", 1, 12, "hostid 0 is out of range (1-0xffffffff)" },
	{ "set hostid zz\n", 1, 12, "hostid: 'zz' is not a number" },
	{ "set optimization aggressive\n", 1, 5, "set optimization is not supported yet" },
	{ "set bogus 1\n", 1, 5, "unknown option 'set bogus'" },
	{ "set skip\n", 1, 9, "syntax error: unexpected end of line" },
	{ "anchor \"a\" {\n pass\n", 1, 12, "missing '}' for the anchor opened here" },
	{ "anchor \"a\" {\n set limit states 5\n}\n", 2, 2, "set is not allowed inside an anchor" },
	{ "anchor \"a\" {\n x = \"1\"\n}\n", 2, 2, "macros cannot be defined inside an anchor" },
	{ "anchor \"a\" {\n}\nanchor \"a\" {\n}\n", 3, 8, "anchor \"a\" is already defined (line 1)" },
	{ "anchor \"/a\"\n", 1, 8, "invalid anchor name \"/a\"" },
	{ "anchor \"a/*\" {\n}\n", 1, 8, "a wildcard anchor cannot have a body" },
	{ "anchor in all\n", 1, 14, "an anchor without a name needs a body { }" },
	{ "anchor \"a\" on { eth0 eth1 }\n", 1, 1, "lists in anchor rules are not supported yet" },
	{ "anchor \"a\" all keep state\n", 1, 16, "anchor rules cannot keep state" },
	{ "x = \n", 1, 5, "macro 'x': missing value" },
	{ "a-b = \"1\"\n", 1, 1, "invalid macro name 'a-b'" },
};

ParameterizedTestParameters(conf_errors, message)
{
	return cr_make_param_array(struct errcase, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct errcase *tc, conf_errors, message)
{
	struct pfbpf_conf *c = (struct pfbpf_conf *)0x1;
	struct pfbpf_conf_error e;
	int rc = pfbpf_conf_parse_string(tc->text, "pf.conf", NULL, &c, &e);

	cr_assert_eq(rc, -EINVAL, "expected a parse error for:\n%s", tc->text);
	cr_expect_null(c, "no conf may be returned on error");
	cr_expect_str_eq(e.msg, tc->msg, "input:\n%s", tc->text);
	cr_expect_eq(e.line, tc->line, "line %d, want %d: %s", e.line, tc->line, tc->text);
	cr_expect_eq(e.column, tc->col, "column %d, want %d: %s", e.column, tc->col, tc->text);
	cr_expect_str_eq(e.file, "pf.conf");
}

Test(conf_errors, formatted_like_pfctl)
{
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;
	char buf[512];

	cr_assert_eq(pfbpf_conf_parse_string("pass in all\n\n    pass in xyz\n", "pf.conf", NULL,
					     &c, &e), -EINVAL);
	cr_expect_str_eq(e.token, "xyz");
	cr_expect_str_eq(pfbpf_conf_strerror(&e, buf, sizeof(buf)),
			 "pf.conf:3:13: syntax error near 'xyz'");
}

Test(conf_errors, token_names_the_culprit)
{
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;

	cr_assert_eq(pfbpf_conf_parse_string("pass from <nosuch>\n", "f", NULL, &c, &e), -EINVAL);
	cr_expect_str_eq(e.token, "<nosuch>");
	cr_assert_eq(pfbpf_conf_parse_string("pass in all nat-to 192.0.2.1\n", "f", NULL, &c, &e),
		     -EINVAL);
	cr_expect_str_eq(e.token, "nat-to");
}

Test(conf_errors, missing_file)
{
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;
	char buf[512];

	cr_assert_eq(pfbpf_conf_parse_file("/nonexistent/pf.conf", NULL, &c, &e), -ENOENT);
	cr_expect_null(c);
	cr_expect_str_eq(pfbpf_conf_strerror(&e, buf, sizeof(buf)),
			 "/nonexistent/pf.conf: cannot open: No such file or directory");
}

Test(conf_errors, bad_address_in_table_file)
{
	char path[] = "/tmp/pfconf-tbl-XXXXXX";
	int fd = mkstemp(path);
	char text[256], want[512], buf[512];
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "192.0.2.1\n# comment\n\n 10.0.0.300\n", 34), 34);
	close(fd);
	snprintf(text, sizeof(text), "table <t> file \"%s\"\n", path);
	cr_assert_eq(pfbpf_conf_parse_string(text, "pf.conf", NULL, &c, &e), -EINVAL);
	snprintf(want, sizeof(want), "%s:4: bad address '10.0.0.300' in table file", path);
	cr_expect_str_eq(pfbpf_conf_strerror(&e, buf, sizeof(buf)), want);
	unlink(path);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(conf_errors, errors_in_included_files_name_that_file)
{
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;
	char buf[512];

	write_file("/tmp/pfconf-inc-a.conf", "pass all\n\npass from <nosuch>\n");
	write_file("/tmp/pfconf-inc-b.conf", "pass all\n  bogus\n");
	write_file("/tmp/pfconf-inc-self.conf", "include \"/tmp/pfconf-inc-self.conf\"\n");
	cr_assert_eq(pfbpf_conf_parse_string("pass\ninclude \"/tmp/pfconf-inc-a.conf\"\n",
					     "pf.conf", NULL, &c, &e), -EINVAL);
	cr_expect_str_eq(pfbpf_conf_strerror(&e, buf, sizeof(buf)),
			 "/tmp/pfconf-inc-a.conf:3:11: table <nosuch> is not defined");
	cr_assert_eq(pfbpf_conf_parse_string("include \"/tmp/pfconf-inc-b.conf\"\n",
					     "pf.conf", NULL, &c, &e), -EINVAL);
	cr_expect_str_eq(pfbpf_conf_strerror(&e, buf, sizeof(buf)),
			 "/tmp/pfconf-inc-b.conf:2:3: syntax error near 'bogus'");
	cr_assert_eq(pfbpf_conf_parse_string("include \"/tmp/pfconf-inc-self.conf\"\n",
					     "pf.conf", NULL, &c, &e), -EINVAL);
	cr_expect_str_eq(pfbpf_conf_strerror(&e, buf, sizeof(buf)),
			 "/tmp/pfconf-inc-self.conf:1:9: includes nested too deeply (at most 16)");
	/* after the include, errors are the including file's again */
	cr_assert_eq(pfbpf_conf_parse_string("include \"/dev/null\"\nbogus\n",
					     "pf.conf", NULL, &c, &e), -EINVAL);
	cr_expect_str_eq(pfbpf_conf_strerror(&e, buf, sizeof(buf)),
			 "pf.conf:2:1: syntax error near 'bogus'");
	unlink("/tmp/pfconf-inc-a.conf");
	unlink("/tmp/pfconf-inc-b.conf");
	unlink("/tmp/pfconf-inc-self.conf");
}

Test(conf_errors, no_files)
{
	struct pfbpf_conf_opts o = { .no_files = 1 };
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;

	cr_assert_eq(pfbpf_conf_parse_string("include \"/dev/null\"\n", "f", &o, &c, &e),
		     -EINVAL);
	cr_expect_str_eq(e.msg, "include is disabled here");
	cr_assert_eq(pfbpf_conf_parse_string("table <t> file \"/dev/null\"\n", "f", &o, &c, &e),
		     -EINVAL);
	cr_expect_str_eq(e.msg, "table files are disabled here");
}

Test(conf_errors, bad_define)
{
	const char *defs[] = { "novalue" };
	struct pfbpf_conf_opts o = { .defines = defs, .ndefines = 1 };
	struct pfbpf_conf *c;
	struct pfbpf_conf_error e;

	cr_assert_eq(pfbpf_conf_parse_string("pass all\n", "f", &o, &c, &e), -EINVAL);
	cr_expect_str_eq(e.msg, "-D novalue: expected name=value");
}
