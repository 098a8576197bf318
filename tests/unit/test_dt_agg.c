// SPDX-License-Identifier: BSD-2-Clause
/* Aggregations: each function, tuple keys, dtrace's sorting and layout,
 * printa with and without a format, clear, trunc. */
#include "test_dt_helpers.h"

static const char *run_ips(struct dtrun *r, const char *src, int quiet)
{
	static const struct { const char *s, *d; __u32 len; } pk[] = {
		{ "198.51.100.1", "198.51.100.2", 0 }, { "198.51.100.1", "198.51.100.2", 1 },
		{ "198.51.100.1", "198.51.100.3", 100 }, { "203.0.113.9", "198.51.100.2", 1500 },
		{ "198.51.100.1", "198.51.100.2", 3 }, { "2001:db8::1", "2001:db8::2", 40 },
	};
	size_t i;

	cr_assert_not_null(dtc(r, src, quiet), "%s", r->cerr);
	dt_begin(r->p, 0);
	for (i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
		struct pf_ip_event ev = mkip(PF_EV_IP_RECEIVE, pk[i].s, pk[i].d, pk[i].len, 2, i);

		dt_fire_ip(r->p, DT_PROBE_IP_RECEIVE, &ev);
	}
	dt_end(r->p, 100);
	return dt_out(r);
}

Test(dt_agg, seed_count_script)
{
	struct dtrun r;

	cr_assert_str_eq(run_ips(&r, "ip:::receive\n{\n@num[args[2]->ip_saddr] = count();\n}\n", 0),
			 "\n"
			 "  2001:db8::1                                                       1\n"
			 "  203.0.113.9                                                       1\n"
			 "  198.51.100.1                                                      4\n");
	dtdone(&r);
}

Test(dt_agg, scalar_functions)
{
	struct dtrun r;

	cr_assert_str_eq(run_ips(&r, "ip:::receive { @c = count(); @s = sum(args[2]->ip_plength);"
				 " @mi = min(args[2]->ip_plength); @ma = max(args[2]->ip_plength);"
				 " @a = avg(args[2]->ip_plength); @sd = stddev(args[2]->ip_ver); }", 1),
			 "\n                6\n\n             1644\n\n                0\n\n             1500\n"
			 "\n              274\n\n                0\n");
	dtdone(&r);
}

Test(dt_agg, tuple_keys_sorted_by_value_then_key)
{
	struct dtrun r;

	cr_assert_str_eq(run_ips(&r, "ip:::receive { @[args[2]->ip_saddr, args[2]->ip_ver] = "
				 "sum(args[2]->ip_plength); }", 1),
			 "\n"
			 "  2001:db8::1                              6               40\n"
			 "  198.51.100.1                             4              104\n"
			 "  203.0.113.9                              4             1500\n");
	dtdone(&r);
}

Test(dt_agg, quantize)
{
	struct dtrun r;

	cr_assert_str_eq(run_ips(&r, "ip:::receive { @q = quantize(args[2]->ip_plength); }", 1),
			 "\n"
			 "           value  ------------- Distribution ------------- count\n"
			 "              -1 |                                         0\n"
			 "               0 |@@@@@@@                                  1\n"
			 "               1 |@@@@@@@                                  1\n"
			 "               2 |@@@@@@@                                  1\n"
			 "               4 |                                         0\n"
			 "               8 |                                         0\n"
			 "              16 |                                         0\n"
			 "              32 |@@@@@@@                                  1\n"
			 "              64 |@@@@@@@                                  1\n"
			 "             128 |                                         0\n"
			 "             256 |                                         0\n"
			 "             512 |                                         0\n"
			 "            1024 |@@@@@@@                                  1\n"
			 "            2048 |                                         0\n"
			 "\n");
	dtdone(&r);
}

Test(dt_agg, lquantize_with_keys)
{
	struct dtrun r;

	cr_assert_str_eq(run_ips(&r, "ip:::receive { @q[args[2]->ip_ver] = lquantize(args[2]->ip_plength, 0, 100, 25); }", 1),
			 "\n"
			 "  6\n"
			 "           value  ------------- Distribution ------------- count\n"
			 "               0 |                                         0\n"
			 "              25 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1\n"
			 "              50 |                                         0\n"
			 "\n"
			 "  4\n"
			 "           value  ------------- Distribution ------------- count\n"
			 "             < 0 |                                         0\n"
			 "               0 |@@@@@@@@@@@@@@@@@@@@@@@@                 3\n"
			 "              25 |                                         0\n"
			 "              50 |                                         0\n"
			 "              75 |                                         0\n"
			 "          >= 100 |@@@@@@@@@@@@@@@@                         2\n"
			 "\n");
	dtdone(&r);
	cr_assert_str_eq(run_ips(&r, "ip:::receive { @q = lquantize(args[2]->ip_plength - 50, -10, 10, 10); }", 1),
			 "\n"
			 "           value  ------------- Distribution ------------- count\n"
			 "           < -10 |@@@@@@@@@@@@@@@@@@@@                     3\n"
			 "             -10 |@@@@@@@                                  1\n"
			 "               0 |                                         0\n"
			 "           >= 10 |@@@@@@@@@@@@@                            2\n"
			 "\n");
	dtdone(&r);
}

Test(dt_agg, printa_formats_and_printed_once)
{
	struct dtrun r;

	cr_assert_str_eq(run_ips(&r, "ip:::receive { @n[args[2]->ip_saddr, args[2]->ip_daddr] = count();"
				 " @b[args[2]->ip_ver] = sum(args[2]->ip_plength); }\n"
				 "END { printa(\"%-14s -> %-14s %@5d pkts\\n\", @n); printa(\"v%d%@8u|\", @b); printa(@b); }", 1),
			 "198.51.100.1   -> 198.51.100.3       1 pkts\n"
			 "2001:db8::1    -> 2001:db8::2        1 pkts\n"
			 "203.0.113.9    -> 198.51.100.2       1 pkts\n"
			 "198.51.100.1   -> 198.51.100.2       3 pkts\n"
			 "v6      40|v4    1604|\n"
			 "                 6               40\n"
			 "                 4             1604\n");
	dtdone(&r);
}

Test(dt_agg, sort_options)
{
	struct dtrun r;

	cr_assert_str_eq(run_ips(&r, "#pragma D option aggsortrev\nip:::receive { @[args[2]->ip_saddr] = count(); }", 1),
			 "\n"
			 "  198.51.100.1                                                      4\n"
			 "  203.0.113.9                                                       1\n"
			 "  2001:db8::1                                                       1\n");
	dtdone(&r);
	cr_assert_str_eq(run_ips(&r, "#pragma D option aggsortkey\nip:::receive { @[args[2]->ip_saddr] = count(); }", 1),
			 "\n"
			 "  198.51.100.1                                                      4\n"
			 "  2001:db8::1                                                       1\n"
			 "  203.0.113.9                                                       1\n");
	dtdone(&r);
}

Test(dt_agg, clear_and_trunc)
{
	struct dtrun r;

	cr_assert_str_eq(run_ips(&r, "ip:::receive { @a[args[2]->ip_saddr] = count(); @b[args[2]->ip_saddr] = count();"
				 " @c[args[2]->ip_saddr] = count(); }\n"
				 "END { clear(@a); trunc(@b, 1); trunc(@c); }", 1),
			 "\n"
			 "  198.51.100.1                                                      0\n"
			 "  2001:db8::1                                                       0\n"
			 "  203.0.113.9                                                       0\n"
			 "\n"
			 "  198.51.100.1                                                      4\n");
	dtdone(&r);
}

/* Many keys, interleaved deletions: the hash index must find every one. */
Test(dt_agg, many_keys_and_deletions)
{
	struct dtrun r;
	static char live[20001];
	int i, ok = 0;
	char want[64];

	cr_assert_not_null(dtc(&r, "pf:::state-create { live[args[0]->id] = args[0]->id; @c[args[0]->id % 3000] = count();"
			       " @s[args[0]->src_ip] = sum(1); }\n"
			       "pf:::state-destroy / live[args[0]->id] == args[0]->id / { live[args[0]->id] = 0; @ok = count(); }\n"
			       "pf:::state-destroy / live[args[0]->id] != 0 / { @bad = count(); }\n"
			       "END { printa(\"%@d\\n\", @ok); trunc(@c, 2); printa(\"%d:%@d \", @c); trunc(@s); }", 1),
			   "%s", r.cerr);
	for (i = 1; i <= 20000; i++) {
		struct pf_event ev = mkpf(PF_EV_STATE_CREATE, i, PF_OUT, "198.51.100.1", 1, "198.51.100.2", 2, 6, 0, 0);

		ev.key[1].addr[1].v4 = htonl(0xc6336400 + (i % 200));
		dt_fire_pf(r.p, DT_PROBE_PF_STATE_CREATE, &ev);
		live[i] = 1;
		/* destroy every other step a scrambled, maybe already destroyed, id */
		if (i % 2 == 0) {
			int id = (int)(((long long)i / 2 * 7919) % i) + 1;

			ev.state.id = id;
			dt_fire_pf(r.p, DT_PROBE_PF_STATE_DESTROY, &ev);
			ok += live[id];
			live[id] = 0;
		}
	}
	dt_end(r.p, 1);
	/* ids 1..2000 modulo 3000 occur 7 times: trunc keeps the two largest keys */
	snprintf(want, sizeof(want), "%d\n1999:7 2000:7 ", ok);
	cr_assert_str_eq(dt_out(&r), want);
	cr_assert_gt(ok, 5000);
	cr_assert_eq(dt_errors(r.p), 0);
	dtdone(&r);
}
