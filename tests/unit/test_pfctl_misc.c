// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pfctl_misc.c - rules/labels, tables, interfaces, option prefixes and
 * the JSON writer's escaping.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pfctl/pfctl.h"
#include "test_pfctl.h"

/* Times print in local time as pfctl's: pin the zone for fixed text. */
static void utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

static void fixed_printer(FILE *f, const struct pfbpf_rule *r, int opts)
{
	if (opts & PFCTL_OPT_VERBOSE2)
		fprintf(f, "@%u ", r->nr);
	fprintf(f, "%s in quick proto tcp", r->action == PF_DROP ? "block" : "pass");
}

static struct pfctl_rule rule(void)
{
	struct pfctl_rule r = {};

	r.r.nr = 2;
	r.r.action = PF_PASS;
	strcpy(r.r.label, "ssh");
	r.evaluations = 50;
	r.packets[0] = 30;
	r.packets[1] = 20;
	r.bytes[0] = 3000;
	r.bytes[1] = 7000;
	r.states_cur = 1;
	r.states_tot = 4;
	return r;
}

Test(pfctl_rules, verbose_counters)
{
	struct pfctl_rule r = rule();

	pfctl_rule_print_fn = fixed_printer;
	CAPTURE(pfctl_show_rules(f, &r, 1, PFCTL_OPT_VERBOSE | PFCTL_OPT_VERBOSE2));
	cr_assert_str_eq(out,
		"@2 pass in quick proto tcp\n"
		"  [ Evaluations: 50        Packets: 50        Bytes: 10000       States: 1     ]\n"
		"  [ State Creations: 4     ]\n");
	free(out);
	pfctl_rule_print_fn = NULL;
}

Test(pfctl_rules, labels)
{
	struct pfctl_rule r[2] = { rule(), rule() };

	r[1].r.label[0] = '\0'; /* unlabelled rules are not listed */
	CAPTURE(pfctl_show_labels(f, r, 2, 0));
	cr_assert_str_eq(out, "ssh 50 50 10000 30 3000 20 7000 4\n");
	free(out);
}

Test(pfctl_rules, labels_json)
{
	struct pfctl_rule r = rule();
	struct jw w;

	CAPTURE(jw_init(&w, f); jw_obj_begin(&w, NULL); pfctl_json_labels(&w, &r, 1); jw_finish(&w));
	cr_assert_str_eq(out, "{\"labels\":[{\"label\":\"ssh\",\"rule\":2,\"evaluations\":50,\"packets\":50,"
			      "\"bytes\":10000,\"packets_in\":30,\"bytes_in\":3000,\"packets_out\":20,"
			      "\"bytes_out\":7000,\"states_tot\":4}]}\n");
	free(out);
}

Test(pfctl_tables, list_verbose, .init = utc)
{
	struct pfctl_table t = {};

	strcpy(t.name, "badhosts");
	t.flags = PFCTL_TFLAG_PERSIST | PFCTL_TFLAG_ACTIVE | PFCTL_TFLAG_REFERENCED;
	t.cnt = 2;
	t.refs_rules = 1;
	t.match = 5;
	t.nomatch = 9;
	t.tzero = 0;
	{
		CAPTURE(pfctl_show_tables(f, &t, 1, 0));
		cr_assert_str_eq(out, "badhosts\n");
		free(out);
	}
	CAPTURE(pfctl_show_tables(f, &t, 1, PFCTL_OPT_VERBOSE | PFCTL_OPT_VERBOSE2));
	cr_assert_str_eq(out,
		"-pa-r--\tbadhosts\n"
		"\tAddresses:   2\n"
		"\tCleared:     Thu Jan  1 00:00:00 1970\n"
		"\tReferences:  [ Anchors: 0                  Rules: 1                  ]\n"
		"\tEvaluations: [ NoMatch: 9                  Match: 5                  ]\n");
	free(out);
}

Test(pfctl_tables, addresses)
{
	struct pfctl_taddr a[3];

	cr_assert_eq(pfctl_taddr_parse("192.0.2.7", &a[0]), 0);
	cr_assert_eq(pfctl_taddr_parse("!198.51.100.77/24", &a[1]), 0);
	cr_assert_eq(pfctl_taddr_parse("2001:db8::1/32", &a[2]), 0);
	cr_assert_eq(a[1].net, 24);
	cr_assert_eq(a[2].af, PF_INET6);
	CAPTURE(pfctl_show_taddrs(f, a, 3, 0));
	/* Host bits are cleared as pf stores networks. */
	cr_assert_str_eq(out, "   192.0.2.7\n  !198.51.100.0/24\n   2001:db8::/32\n");
	free(out);
}

/* pfctl lists in its radix walk's order: inet, then inet6; by address;
 * on one address the longer prefix first; negation plays no part. */
Test(pfctl_tables, radix_order)
{
	static const char *const in[] = {
		"2001:db8::/32", "!198.51.100.5", "198.51.100.0/25", "192.0.2.7",
		"198.51.100.0/24", "2001:db8::1", "203.0.113.0/24",
	};
	struct pfctl_taddr a[7];

	for (int i = 0; i < 7; i++)
		cr_assert_eq(pfctl_taddr_parse(in[i], &a[i]), 0);
	CAPTURE(pfctl_show_taddrs(f, a, 7, 0));
	cr_assert_str_eq(out, "   192.0.2.7\n"
			      "   198.51.100.0/25\n"
			      "   198.51.100.0/24\n"
			      "  !198.51.100.5\n"
			      "   203.0.113.0/24\n"
			      "   2001:db8::/32\n"
			      "   2001:db8::1\n");
	free(out);
}

/* -v: pfctl's print_astats shape, Cleared then the six counter lines;
 * no Match line (pfctl has none). */
Test(pfctl_tables, verbose_astats, .init = utc)
{
	struct pfctl_taddr a[2];

	pfctl_taddr_parse("198.51.100.9", &a[0]);
	a[0].tzero = 0;
	a[0].packets[1][1] = 4;
	a[0].bytes[1][1] = 240;
	pfctl_taddr_parse("192.0.2.1", &a[1]);
	a[1].tzero = 86400;
	a[1].fback = PFCTL_FB_NOCOUNT;
	CAPTURE(pfctl_show_taddrs(f, a, 2, PFCTL_OPT_VERBOSE));
	cr_assert_str_eq(out,
		"   192.0.2.1\n"
		"\tCleared:     Fri Jan  2 00:00:00 1970\n"
		"   198.51.100.9\n"
		"\tCleared:     Thu Jan  1 00:00:00 1970\n"
		"\tIn/Block:    [ Packets: 0                  Bytes: 0                  ]\n"
		"\tIn/Pass:     [ Packets: 0                  Bytes: 0                  ]\n"
		"\tIn/XPass:    [ Packets: 0                  Bytes: 0                  ]\n"
		"\tOut/Block:   [ Packets: 0                  Bytes: 0                  ]\n"
		"\tOut/Pass:    [ Packets: 4                  Bytes: 240                ]\n"
		"\tOut/XPass:   [ Packets: 0                  Bytes: 0                  ]\n");
	free(out);
}

Test(pfctl_tables, address_errors)
{
	struct pfctl_taddr a;

	cr_assert_eq(pfctl_taddr_parse("192.0.2.1/33", &a), -EINVAL);
	cr_assert_eq(pfctl_taddr_parse("192.0.2.1/", &a), -EINVAL);
	cr_assert_eq(pfctl_taddr_parse("host.example", &a), -EINVAL);
	cr_assert_eq(pfctl_taddr_parse("2001:db8::/129", &a), -EINVAL);
}

Test(pfctl_tables, feedback_letters)
{
	struct pfctl_taddr a;

	pfctl_taddr_parse("192.0.2.9", &a);
	a.fback = PFCTL_FB_ADDED;
	{
		CAPTURE(pfctl_print_taddr(f, &a, 0));
		cr_assert_str_eq(out, "A  192.0.2.9\n");
		free(out);
	}
	a.fback = PFCTL_FB_MATCH;
	CAPTURE(pfctl_print_taddr(f, &a, 0));
	cr_assert_str_eq(out, "M  192.0.2.9\n");
	free(out);
}

Test(pfctl_ifaces, verbose2, .init = utc)
{
	struct pfctl_iface i = {};

	strcpy(i.name, "pfv0");
	i.flags = PFCTL_IFLAG_SKIP;
	i.states = 2;
	i.packets[0][0][0] = 7;
	i.bytes[0][0][0] = 700;
	CAPTURE(pfctl_show_ifaces(f, &i, 1, PFCTL_OPT_VERBOSE | PFCTL_OPT_VERBOSE2));
	cr_assert_str_eq(out,
		"pfv0 (skip)\n"
		"\tCleared:     Thu Jan  1 00:00:00 1970\n"
		"\tReferences:  [ States:  2                  Rules: 0                  ]\n"
		"\tIn4/Pass:    [ Packets: 7                  Bytes: 700                ]\n"
		"\tIn4/Block:   [ Packets: 0                  Bytes: 0                  ]\n"
		"\tOut4/Pass:   [ Packets: 0                  Bytes: 0                  ]\n"
		"\tOut4/Block:  [ Packets: 0                  Bytes: 0                  ]\n"
		"\tIn6/Pass:    [ Packets: 0                  Bytes: 0                  ]\n"
		"\tIn6/Block:   [ Packets: 0                  Bytes: 0                  ]\n"
		"\tOut6/Pass:   [ Packets: 0                  Bytes: 0                  ]\n"
		"\tOut6/Block:  [ Packets: 0                  Bytes: 0                  ]\n");
	free(out);
}

Test(pfctl_options, show_prefixes)
{
	const char *const *l = pfctl_showopt_list;

	cr_assert_str_eq(pfctl_lookup_option("s", l), "states");
	cr_assert_str_eq(pfctl_lookup_option("i", l), "info");
	cr_assert_str_eq(pfctl_lookup_option("I", l), "Interfaces");
	cr_assert_str_eq(pfctl_lookup_option("T", l), "Tables");
	cr_assert_str_eq(pfctl_lookup_option("t", l), "timeouts");
	cr_assert_str_eq(pfctl_lookup_option("m", l), "memory");
	cr_assert_str_eq(pfctl_lookup_option("l", l), "labels");
	cr_assert_str_eq(pfctl_lookup_option("r", l), "rules");
	cr_assert_str_eq(pfctl_lookup_option("a", l), "all");
	cr_assert_str_eq(pfctl_lookup_option("A", l), "Anchors");
	cr_assert_str_eq(pfctl_lookup_option("R", l), "Running");
	cr_assert_str_eq(pfctl_lookup_option("state", l), "states");
	cr_assert_null(pfctl_lookup_option("statesx", l));
	cr_assert_null(pfctl_lookup_option("x", l));
	cr_assert_null(pfctl_lookup_option("", l));
	cr_assert_str_eq(pfctl_lookup_option("T", pfctl_clearopt_list), "Tables");
	cr_assert_str_eq(pfctl_lookup_option("sh", pfctl_tblcmdopt_list), "show");
	cr_assert_str_eq(pfctl_lookup_option("e", pfctl_tblcmdopt_list), "expire");
}

Test(pfctl_options, debug_levels)
{
	__u32 lvl;

	cr_assert_eq(pfctl_debug_parse("misc", &lvl), 0);
	cr_assert_eq(lvl, PF_DEBUG_MISC);
	cr_assert_eq(pfctl_debug_parse("Loud", &lvl), 0);
	cr_assert_eq(lvl, PF_DEBUG_NOISY);
	cr_assert_eq(pfctl_debug_parse("2", &lvl), 0);
	cr_assert_eq(lvl, 2);
	cr_assert_eq(pfctl_debug_parse("chatty", &lvl), -EINVAL);
	cr_assert_str_eq(pfctl_debug_name(PF_DEBUG_NOISY), "Loud");
}

Test(pfctl_json, escaping_and_nesting)
{
	struct jw w;

	CAPTURE(jw_init(&w, f); jw_obj_begin(&w, NULL); jw_str(&w, "a\"b", "x\\y\n\x01");
		jw_arr_begin(&w, "l"); jw_u64(&w, NULL, 1); jw_s64(&w, NULL, -2);
		jw_bool(&w, NULL, true); jw_null(&w, NULL); jw_f64(&w, NULL, 1.0 / 0.0);
		jw_finish(&w));
	cr_assert_str_eq(out, "{\"a\\\"b\":\"x\\\\y\\n\\u0001\",\"l\":[1,-2,true,null,null]}\n");
	free(out);
}
