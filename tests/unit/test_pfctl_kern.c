// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pfctl_kern.c - pfctl_bpf's kernel operations (user/pfctl/kern.c) and
 * the tool itself against the real datapath maps, pinned in a private
 * folder by libpfbpf's test environment: what -ss, -st, -sm, -si, -k and
 * -F states print and do on real maps.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "ioctl_env.h"
#include "pfctl/kern.h"
#include "pfctl/pfctl.h"
#include "test_pfctl.h"
#include "test_addr.h"

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

/* Write a pf.conf for the tool; returns its path (static buffer). */
static const char *conf_file(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/pfctl_kern_XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(pfctl_kern, tool_load_rules_tables_labels)
{
	const char *conf = conf_file("table <allowed> persist { 198.51.100.1 }\n"
				     "block in all\n"
				     "pass in proto tcp from <allowed> to any port 22 label \"ssh\"\n"
				     "pass out all\n");
	char cmd[256], out[4096];

	snprintf(cmd, sizeof(cmd), "-f %s", conf);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 0, "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-sr"), 0, "%s", out);
	cr_assert_str_eq(out, "block drop in all\n"
			      "pass in proto tcp from <allowed> to any port = ssh flags S/SA keep state label \"ssh\"\n"
			      "pass out all flags S/SA keep state\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-vvsr"), 0, "%s", out);
	cr_assert(strstr(out, "@1 pass in proto tcp from <allowed>"), "%s", out);
	cr_assert(strstr(out, "  [ Evaluations: 0         Packets: 0         Bytes: 0           States: 0     ]\n"),
		  "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-sl"), 0, "%s", out);
	cr_assert_str_eq(out, "ssh 0 0 0 0 0 0 0 0\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-sT"), 0, "%s", out);
	cr_assert_str_eq(out, "allowed\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t allowed -T add 198.51.100.3 192.0.2.0/24"), 0, "%s", out);
	cr_assert_str_eq(out, "2/2 addresses added.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t allowed -T show"), 0, "%s", out);
	/* pfctl's radix order, not the order the entries were added in. */
	cr_assert_str_eq(out, "   192.0.2.0/24\n   198.51.100.1\n   198.51.100.3\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t allowed -T show -v"), 0, "%s", out);
	cr_assert(strstr(out, "   192.0.2.0/24\n\tCleared:     "), "%s", out);
	cr_assert(strstr(out, "\tOut/XPass:   [ Packets: 0                  Bytes: 0                  ]\n"),
		  "%s", out);
	cr_assert_null(strstr(out, "Match:"), "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-t allowed -T delete 198.51.100.1"), 0, "%s", out);
	cr_assert_str_eq(out, "1/1 addresses deleted.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t allowed -T test 192.0.2.7"), 0, "%s", out);
	cr_assert_str_eq(out, "1/1 addresses match.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t allowed -T test 198.51.100.1"), 2, "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-t nosuch -T show"), 1, "%s", out);
	cr_assert_str_eq(out, "pfctl_bpf: Table <nosuch> does not exist.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-F rules"), 0, "%s", out);
	cr_assert_str_eq(out, "rules cleared\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-sr"), 0, "%s", out);
	cr_assert_str_eq(out, "");
	unlink(conf);
}

Test(pfctl_kern, tool_rejected_load_keeps_ruleset)
{
	const char *good = conf_file("pass out all\n");
	char cmd[256], out[4096];

	snprintf(cmd, sizeof(cmd), "-f %s", good);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 0, "%s", out);
	unlink(good);
	/* Parses, but names a table the file does not define. */
	good = conf_file("block all\npass in from <nosuch>\n");
	snprintf(cmd, sizeof(cmd), "-f %s", good);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 1, "%s", out);
	cr_assert(strstr(out, ":2:"), "the error names the line: %s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-sr"), 0, "%s", out);
	cr_assert_str_eq(out, "pass out all flags S/SA keep state\n");
	unlink(good);
}

Test(pfctl_kern, tool_json_documents)
{
	char out[8192];

	cr_assert_eq(env_add_state4("198.51.100.1", 40000, "198.51.100.2", 22, PF_IN, 0x5001), 0);
	cr_assert_eq(pfctl(out, sizeof(out), "-ss --json"), 0, "%s", out);
	cr_assert(!strncmp(out, "{\"states\":[{\"id\":\"0000000000005001\",", 36), "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-sm --json"), 0, "%s", out);
	cr_assert_str_eq(out, "{\"limits\":{\"states\":100000,\"src-nodes\":10000,\"frags\":5000,"
			      "\"tables\":1000,\"table-entries\":200000}}\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-s Running --json"), 0, "%s", out);
	cr_assert_str_eq(out, "{\"running\":true}\n");
}

Test(pfctl_kern, tool_anchors)
{
	const char *conf = conf_file("pass out all\n"
				     "anchor \"web\" {\n"
				     "  pass in proto tcp to port 80\n"
				     "}\n");
	char cmd[256], out[4096];

	snprintf(cmd, sizeof(cmd), "-f %s", conf);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 0, "%s", out);
	cr_assert_str_eq(out, "", "anchors are evaluated: nothing to warn about");
	unlink(conf);
	cr_assert_eq(pfctl(out, sizeof(out), "-sA"), 0, "%s", out);
	cr_assert_str_eq(out, "  web\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-a web -sr"), 0, "%s", out);
	cr_assert_str_eq(out, "pass in proto tcp from any to any port = http flags S/SA keep state\n");
	/* The main listing shows the anchor rule where it sits, as pfctl. */
	cr_assert_eq(pfctl(out, sizeof(out), "-sr"), 0, "%s", out);
	cr_assert_str_eq(out, "pass out all flags S/SA keep state\nanchor \"web\" all\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-sr -vv"), 0, "%s", out);
	cr_assert(strstr(out, "@1 anchor \"web\" all\n"), "%s", out);
	/* -a web -F rules empties the anchor, the call stays. */
	cr_assert_eq(pfctl(out, sizeof(out), "-a web -F rules"), 0, "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-sr"), 0, "%s", out);
	cr_assert_str_eq(out, "pass out all flags S/SA keep state\nanchor \"web\" all\n");
}

/* The golden anchors file loaded for real: nested inline anchors, a
 * wildcard call, an anonymous anchor, anchor filters intersected in. */
Test(pfctl_kern, tool_loads_nested_anchors)
{
	const char *conf = conf_file("block all\n"
				     "anchor \"ssh\" in on lo proto tcp {\n"
				     "  pass in proto tcp to port 22 keep state (max 10)\n"
				     "  anchor \"admins\" quick {\n"
				     "    pass in proto tcp from 192.0.2.10 to port 2222\n"
				     "  }\n"
				     "  block in quick proto tcp to port 2222\n"
				     "}\n"
				     "anchor \"ftp-proxy/*\"\n"
				     "anchor out {\n"
				     "  pass out all\n"
				     "}\n");
	char cmd[256], out[4096];

	snprintf(cmd, sizeof(cmd), "-f %s", conf);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 0, "%s", out);
	unlink(conf);
	cr_assert_eq(pfctl(out, sizeof(out), "-sr"), 0, "%s", out);
	cr_assert_str_eq(out, "block drop all\n"
			      "anchor \"ssh\" in on lo proto tcp all\n"
			      "anchor \"ftp-proxy/*\" all\n"
			      "anchor out all\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-a ssh -sr -vv"), 0, "%s", out);
	cr_assert(strstr(out, "@1 anchor \"admins\" quick all\n"), "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-sA -v"), 0, "%s", out);
	/* ftp-proxy exists: the wildcard call made it, as in pf. */
	cr_assert_str_eq(out, "  _4\n  ftp-proxy\n  ssh\n  ssh/admins\n");
	/* A proxy's anchor loaded later is reached by the wildcard. */
	conf = conf_file("pass in proto tcp to port 21\n");
	snprintf(cmd, sizeof(cmd), "-a ftp-proxy/1234 -f %s", conf);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 0, "%s", out);
	unlink(conf);
	cr_assert_eq(pfctl(out, sizeof(out), "-a ftp-proxy/1234 -sr"), 0, "%s", out);
	cr_assert_str_eq(out, "pass in proto tcp from any to any port = ftp flags S/SA keep state\n");
}

Test(pfctl_kern, tool_table_commands_from_file)
{
	const char *list = conf_file("# addresses, one or more a line\n"
				     "198.51.100.1 198.51.100.2\n"
				     "2001:db8::/32\n");
	char cmd[256], out[4096];

	snprintf(cmd, sizeof(cmd), "-t t1 -T add -f %s", list);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 0, "%s", out);
	cr_assert_str_eq(out, "1 table created.\n3/3 addresses added.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t t1 -T add -v 198.51.100.1 198.51.100.9"), 0, "%s", out);
	/* -v: one line per address whose feedback is not "none". */
	cr_assert(strstr(out, "A  198.51.100.9\n") && strstr(out, "1/2 addresses added.\n"), "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-t t1 -T zero"), 0, "%s", out);
	cr_assert_str_eq(out, "1 table/stats cleared.\n");
	/* Entries just added are younger than an hour: nothing expires. */
	cr_assert_eq(pfctl(out, sizeof(out), "-t t1 -T expire 3600"), 0, "%s", out);
	cr_assert_str_eq(out, "0/0 addresses expired.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t t1 -T expire 0"), 0, "%s", out);
	cr_assert_str_eq(out, "4/4 addresses expired.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t t1 -T add 192.0.2.1"), 0, "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-t t1 -T flush"), 0, "%s", out);
	cr_assert_str_eq(out, "1 addresses deleted.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-t t1 -T kill"), 0, "%s", out);
	cr_assert_str_eq(out, "1 table deleted.\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-sT"), 0, "%s", out);
	cr_assert_str_eq(out, "");
	cr_assert_eq(pfctl(out, sizeof(out), "-t t1 -T add bogus"), 1, "%s", out);
	cr_assert_str_eq(out, "pfctl_bpf: cannot parse address 'bogus' (host names are not resolved)\n");
	unlink(list);
}

Test(pfctl_kern, tool_device_option)
{
	char out[4096];

	cr_assert_eq(env_run(out, sizeof(out), "%s -p %s -sm", PFCTL_BIN, env_dir), 0, "%s", out);
	cr_assert(!strncmp(out, "states        hard limit   100000\n", 34), "%s", out);
	cr_assert_eq(env_run(out, sizeof(out), "%s -p /sys/fs/bpf/pfctl-kern-none -sm", PFCTL_BIN), 1,
		     "%s", out);
	cr_assert(strstr(out, "not loaded (no maps pinned in /sys/fs/bpf/pfctl-kern-none)"), "%s", out);
}

/* `set state-policy` and `set timeout adaptive.start 0` applied by -f:
 * the policy is in force (and a file without it is floating again), -st
 * prints the 0 back. */
Test(pfctl_kern, tool_state_policy_and_adaptive_zero)
{
	const char *conf = conf_file("set state-policy if-bound\n"
				     "set timeout { adaptive.start 0 }\n"
				     "pass out all\n");
	char cmd[256], out[4096];
	__u32 pol = PF_STATE_FLOATING;

	snprintf(cmd, sizeof(cmd), "-f %s", conf);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 0, "%s", out);
	cr_assert_str_eq(out, "", "no 'not applied' warning any more");
	cr_assert_eq(pfctl_k_get_state_policy(env_dev, &pol), 0);
	cr_assert_eq(pol, PF_STATE_IFBOUND);
	cr_assert_eq(pfctl(out, sizeof(out), "-st"), 0, "%s", out);
	cr_assert(strstr(out, "\nadaptive.start                0 states\n"), "%s", out);
	cr_assert(strstr(out, "\nadaptive.end             120000 states\n"), "%s", out);
	unlink(conf);

	conf = conf_file("pass out all\n");
	snprintf(cmd, sizeof(cmd), "-f %s", conf);
	cr_assert_eq(pfctl(out, sizeof(out), cmd), 0, "%s", out);
	cr_assert_eq(pfctl_k_get_state_policy(env_dev, &pol), 0);
	cr_assert_eq(pol, PF_STATE_FLOATING, "a ruleset without the option is floating, as pf");
	unlink(conf);
}

/* ---- translation: pools through -f's path, -sn, -si -v ------------------ */

/* A translation rule on lo as the parser makes it. */
static void xrule(struct pfbpf_rule *r, int action, int dir)
{
	env_rule(r, action, "");
	r->keep_state = PF_STATE_NONE;
	r->xlate = action;
	r->direction = dir;
	r->af = PF_INET;
	strcpy(r->ifname, "lo");
}

Test(pfctl_kern, nat_rules_pools_round_trip_and_sn)
{
	struct pfctl_trans t = { 0 };
	struct pfbpf_rule r;
	struct pfbpf_pool_addr pool[2];
	struct pfctl_nat_rule *nr;
	size_t n;
	char out[4096];

	cr_assert_geq(pfctl_k_trans_elem(&t, PF_RULESET_FILTER, ""), 0);
	cr_assert_eq(pfctl_k_trans_begin(env_dev, &t), 0);
	xrule(&r, PF_NAT, PF_OUT);
	test_mask4(&r.src, "192.0.2.0", 24);
	r.rpool.proxy_port[0] = PF_NAT_PROXY_PORT_LOW;
	r.rpool.proxy_port[1] = PF_NAT_PROXY_PORT_HIGH;
	test_mask4(&pool[0].addr, "198.51.100.1", 32);
	test_mask4(&pool[1].addr, "198.51.100.2", 32);
	cr_assert_eq(pfctl_k_add_rule_pool(env_dev, t.e[0].ticket, "", &r, NULL, pool, 2), 0,
		     "%s", pfbpf_strerror(env_dev));
	xrule(&r, PF_RDR, PF_IN);
	r.proto = IPPROTO_TCP;
	r.dport.op = PF_OP_EQ;
	r.dport.port[0] = 8442;
	r.rpool.proxy_port[0] = 80;
	test_mask4(&pool[0].addr, "192.0.2.20", 32);
	cr_assert_eq(pfctl_k_add_rule_pool(env_dev, t.e[0].ticket, "", &r, NULL, pool, 1), 0,
		     "%s", pfbpf_strerror(env_dev));
	env_rule(&r, PF_PASS, "");
	cr_assert_eq(pfctl_k_add_rule(env_dev, t.e[0].ticket, "", &r, NULL), 0);
	cr_assert_eq(pfctl_k_trans_commit(env_dev, &t), 0, "%s", pfbpf_strerror(env_dev));

	cr_assert_eq(pfctl_k_get_nat_rules(env_dev, "", &nr, &n), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(n, 2);
	cr_assert_eq(nr[0].rule.r.action, PF_NAT);
	cr_assert_eq(nr[0].npool, 2);
	cr_assert_eq(nr[0].pool[1].addr.addr.v4, inet_addr("198.51.100.2"));
	cr_assert_eq(nr[1].rule.r.action, PF_RDR);
	cr_assert_eq(nr[1].rule.r.nr, 0, "first of the rdr ruleset");
	cr_assert_eq(nr[1].npool, 1);
	pfctl_nat_rules_free(nr, n);

	cr_assert_eq(pfctl(out, sizeof(out), "-sn"), 0, "%s", out);
	cr_assert_str_eq(out, "nat on lo inet from 192.0.2.0/24 to any -> { 198.51.100.1, 198.51.100.2 }\n"
			      "rdr on lo inet proto tcp from any to any port = 8442 -> 192.0.2.20 port 80\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-sr"), 0, "%s", out);
	cr_assert_null(strstr(out, "nat"), "-sr lists no translation rule: %s", out);
}

Test(pfctl_kern, natstat_summed_in_status)
{
	struct pf_nat_stats ns = {};
	struct pfctl_status st;
	char out[8192];
	__u32 zero = 0;

	ns.translations = 3;
	ns.map_failed = 1;
	ns.tries[0] = 3;
	ns.tries[PF_NAT_TRY_BUCKETS - 1] = 1;
	{
		/* the same counts on the first and the last CPU */
		struct pf_nat_stats *v = calloc(env_ncpu(), sizeof(*v));

		cr_assert(v);
		v[0] = v[env_ncpu() - 1] = ns;
		cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_NATSTAT), &zero, v, 0), 0);
		free(v);
	}
	cr_assert_eq(pfctl_k_get_status(env_dev, &st), 0);
	cr_assert(st.has_nat);
	cr_assert_eq(st.nat.translations, env_ncpu() > 1 ? 6 : 3);
	cr_assert_eq(st.nat.tries[PF_NAT_TRY_BUCKETS - 1], env_ncpu() > 1 ? 2 : 1);
	cr_assert_eq(pfctl(out, sizeof(out), "-si -v"), 0, "%s", out);
	cr_assert(strstr(out, "Translation\n  translations "), "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-si --json"), 0, "%s", out);
	cr_assert(strstr(out, "\"translation\":{\"translations\":{\"total\":"), "%s", out);
}

/* Load `nat on lo -> 198.51.100.1` then r2 (pool2: its one address, or
 * NULL for none). */
static void load_nat_then(const struct pfbpf_rule *r2, const char *pool2)
{
	struct pfctl_trans t = { 0 };
	struct pfbpf_rule r;
	struct pfbpf_pool_addr pool;

	cr_assert_geq(pfctl_k_trans_elem(&t, PF_RULESET_FILTER, ""), 0);
	cr_assert_eq(pfctl_k_trans_begin(env_dev, &t), 0);
	xrule(&r, PF_NAT, PF_OUT);
	test_mask4(&pool.addr, "198.51.100.1", 32);
	cr_assert_eq(pfctl_k_add_rule_pool(env_dev, t.e[0].ticket, "", &r, NULL, &pool, 1), 0,
		     "%s", pfbpf_strerror(env_dev));
	if (pool2)
		test_mask4(&pool.addr, pool2, 32);
	cr_assert_eq(pfctl_k_add_rule_pool(env_dev, t.e[0].ticket, "", r2, NULL, &pool, !!pool2),
		     0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfctl_k_trans_commit(env_dev, &t), 0, "%s", pfbpf_strerror(env_dev));
}

/* -F nat and -F rules each empty their kind and keep the other, pools
 * included, as pf's separate rulesets do. */
Test(pfctl_kern, flush_nat_and_rules_keep_the_other)
{
	struct pfbpf_rule r;
	struct pfbpf_pool_addr *got;
	size_t n;
	char out[4096];

	env_rule(&r, PF_PASS, "natto");
	r.xlate = PF_NAT;
	load_nat_then(&r, "198.51.100.9");

	cr_assert_eq(pfctl(out, sizeof(out), "-F nat"), 0, "%s", out);
	cr_assert_str_eq(out, "nat cleared\n");
	cr_assert_eq(pfctl(out, sizeof(out), "-sn"), 0, "%s", out);
	cr_assert_str_eq(out, "");
	/* the nat-to rule is rule 0 now, with its pool */
	cr_assert_eq(pfctl_k_get_pool(env_dev, "", PF_PASS, 0, &got, &n), 0, "%s",
		     pfbpf_strerror(env_dev));
	cr_assert_eq(n, 1);
	cr_assert_eq(got[0].addr.addr.v4, inet_addr("198.51.100.9"));
	free(got);

	cr_assert_eq(pfctl(out, sizeof(out), "-F rules"), 0, "%s", out);
	cr_assert_str_eq(out, "rules cleared\n");
	cr_assert_eq(pfctl_k_get_pool(env_dev, "", PF_PASS, 0, &got, &n), -EBUSY);
}

Test(pfctl_kern, flush_rules_keeps_nat)
{
	struct pfbpf_rule r;
	char out[4096];

	env_rule(&r, PF_DROP, "");
	load_nat_then(&r, NULL);
	cr_assert_eq(pfctl(out, sizeof(out), "-F rules"), 0, "%s", out);
	cr_assert_eq(pfctl(out, sizeof(out), "-sr"), 0, "%s", out);
	cr_assert_str_eq(out, "");
	cr_assert_eq(pfctl(out, sizeof(out), "-sn"), 0, "%s", out);
	cr_assert_str_eq(out, "nat on lo inet all -> 198.51.100.1 static-port\n");
}
