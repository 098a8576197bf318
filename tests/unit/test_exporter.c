// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_exporter.c - pfbpf-exporter's text format (prom.c) and one scrape
 * (collect.c) of a real datapath pinned in a private folder, with counters
 * written into its maps: every number must come out under its metric name
 * and labels.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "ioctl_env.h"
#include "exporter/prom.h"
#include "exporter/collect.h"

/* ---- the format ---------------------------------------------------------- */

static char *render(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	fn(f);
	fclose(f);
	return buf;
}

static void labelled(FILE *f)
{
	struct prom_labels l = { .name = { "label", "rule" }, .value = { "a\"b\\c\nd", "3" } };

	prom_family(f, "pf_x_total", PROM_COUNTER, "An example");
	prom_sample(f, "pf_x_total", &l, 12345678901.0);
	prom_single(f, "pf_y", PROM_GAUGE, "Another", 0.5);
}

Test(prom, families_samples_and_escaping)
{
	char *out = render(labelled);

	cr_assert_str_eq(out, "# HELP pf_x_total An example\n"
			      "# TYPE pf_x_total counter\n"
			      "pf_x_total{label=\"a\\\"b\\\\c\\nd\",rule=\"3\"} 12345678901\n"
			      "# HELP pf_y Another\n"
			      "# TYPE pf_y gauge\n"
			      "pf_y 0.5\n");
	free(out);
}

Test(prom, escape_truncates_whole_escapes)
{
	char buf[6];

	/* Room for 5 characters: a b \" would need 4, the next \" does not fit. */
	cr_assert_str_eq(prom_escape("ab\"\"", buf, sizeof(buf)), "ab\\\"");
	cr_assert_str_eq(prom_escape(NULL, buf, sizeof(buf)), "");
}

/* ---- one scrape ------------------------------------------------------------ */

TestSuite(collect, .init = env_setup_maps, .fini = env_teardown);

static char *scrape(int *rc, const char **why)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	*rc = pfx_collect(f, env_dir, why);
	fclose(f);
	return buf;
}

static void has_line(const char *doc, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	cr_assert(strstr(doc, want), "no line '%s' in:\n%s", line, doc);
}

static void load_rule(const char *label)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0, "%s", pfbpf_strerror(env_dev));
	pr.ticket = e.ticket;
	env_rule(&pr.rule, PF_PASS, label);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));
}

/* pf_natstat, summed over CPUs, with -si -v's tries buckets as labels. */
Test(collect, nat_counters_and_tries)
{
	struct pf_nat_stats ns = {};
	const char *why;
	__u32 zero = 0;
	char *doc;
	int rc;

	ns.translations = 9;
	ns.map_failed = 2;
	ns.pair_repaired = 1;
	ns.tries[0] = 7;
	ns.tries[1] = 2;
	ns.tries[PF_NAT_TRY_BUCKETS - 1] = 2;
	env_pcpu_put(PFBPF_MAP_NATSTAT, &zero, &ns, sizeof(ns), env_ncpu() - 1);
	doc = scrape(&rc, &why);
	cr_assert_eq(rc, 0, "%s", why ? why : "");
	has_line(doc, "pf_nat_translations_total 9");
	has_line(doc, "pf_nat_map_failed_total 2");
	has_line(doc, "pf_nat_pairs_repaired_total 1");
	has_line(doc, "# TYPE pf_nat_port_tries_total counter");
	has_line(doc, "pf_nat_port_tries_total{tries=\"1\"} 7");
	has_line(doc, "pf_nat_port_tries_total{tries=\"2-3\"} 2");
	has_line(doc, "pf_nat_port_tries_total{tries=\"512-1023\"} 0");
	has_line(doc, "pf_nat_port_tries_total{tries=\"failed\"} 2");
	free(doc);
}

Test(collect, status_counters_under_pf_exporter_names)
{
	struct pf_status_pcpu pc = {};
	struct pf_gcount gc = { .states = 7 };
	const char *why;
	__u32 zero = 0;
	char *doc;
	int rc;

	pc.counters[PFRES_BADSTATE] = 3;
	pc.fcounters[FCNT_STATE_SEARCH] = 40;
	pc.fcounters[FCNT_STATE_INSERT] = 11;
	pc.fcounters[FCNT_STATE_REMOVALS] = 4;
	pc.pcounters[PF_AF_IDX_INET][PF_DIR_IDX_IN][PF_VERDICT_IDX_DROP] = 5;
	pc.bcounters[PF_AF_IDX_INET6][PF_DIR_IDX_OUT] = 900;
	pc.lcounters[LCNT_STATES] = 2;
	pc.events_lost = 6;
	env_pcpu_put(PFBPF_MAP_STATUS, &zero, &pc, sizeof(pc), env_ncpu() - 1);
	cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_COUNT), &zero, &gc, BPF_ANY), 0);

	doc = scrape(&rc, &why);
	cr_assert_eq(rc, 0, "%s", why ? why : "");
	cr_assert(!strncmp(doc, "# HELP pf_up ", 13), "%s", doc);
	has_line(doc, "pf_up 1");
	has_line(doc, "# TYPE pf_state_total untyped");
	has_line(doc, "pf_states_current 7");
	has_line(doc, "pf_state_total 7");
	has_line(doc, "pf_state_searches_total 40");
	has_line(doc, "pf_state_inserts_total 11");
	has_line(doc, "pf_state_removals_total 4");
	has_line(doc, "pf_reason_total{reason=\"state-mismatch\"} 3");
	has_line(doc, "pf_reason_total{reason=\"match\"} 0");
	has_line(doc, "pf_limit_reached_total{limit=\"max states per rule\"} 2");
	has_line(doc, "pf_ipv4_packets_in_blocked_total 5");
	has_line(doc, "pf_ipv6_bytes_out_total 900");
	has_line(doc, "pf_events_lost_total{ring=\"pf\"} 6");
	has_line(doc, "pf_timeout_seconds{timeout=\"tcp.established\"} 86400");
	has_line(doc, "pf_limit{limit=\"states\"} 100000");
	free(doc);
}

Test(collect, rules_labelled_by_number_label_and_anchor)
{
	struct pf_rule_counters rc_ = {};
	struct pf_config cfg;
	const char *why;
	char *doc;
	int rc;

	load_rule("web \"front\"");
	cr_assert_eq(env_cfg(&cfg), 0);
	rc_.stops = 9;
	rc_.packets[0] = 10;
	rc_.packets[1] = 8;
	rc_.bytes[0] = 1000;
	rc_.states_tot = 2;
	env_rulectr_put(cfg.active, 0, &rc_, 0);

	doc = scrape(&rc, &why);
	cr_assert_eq(rc, 0, "%s", why ? why : "");
	has_line(doc, "pf_rule_packets_in_total{anchor=\"\",rule=\"0\",label=\"web \\\"front\\\"\"} 10");
	has_line(doc, "pf_rule_packets_out_total{anchor=\"\",rule=\"0\",label=\"web \\\"front\\\"\"} 8");
	has_line(doc, "pf_rule_bytes_in_total{anchor=\"\",rule=\"0\",label=\"web \\\"front\\\"\"} 1000");
	has_line(doc, "pf_rule_states_total{anchor=\"\",rule=\"0\",label=\"web \\\"front\\\"\"} 2");
	has_line(doc, "# TYPE pf_rule_states_current gauge");
	free(doc);
}

Test(collect, interfaces)
{
	struct pf_if_counters ic = {};
	__u32 lo = if_nametoindex("lo");
	const char *why;
	char *doc;
	int rc;

	ic.packets[PF_AF_IDX_INET][PF_DIR_IDX_OUT][PF_VERDICT_IDX_PASS] = 4;
	ic.bytes[PF_AF_IDX_INET][PF_DIR_IDX_OUT][PF_VERDICT_IDX_PASS] = 400;
	env_pcpu_put(PFBPF_MAP_IFCTR, &lo, &ic, sizeof(ic), 0);
	doc = scrape(&rc, &why);
	cr_assert_eq(rc, 0, "%s", why ? why : "");
	has_line(doc, "pf_interface_packets_total{interface=\"lo\",af=\"inet\",direction=\"out\","
		      "action=\"pass\"} 4");
	has_line(doc, "pf_interface_bytes_total{interface=\"lo\",af=\"inet\",direction=\"out\","
		      "action=\"pass\"} 400");
	free(doc);
}

Test(collect, datapath_gone_is_pf_up_0_with_the_reason)
{
	const char *why = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	rc = pfx_collect(f, "/sys/fs/bpf/pfbpf-test-no-such-folder", &why);
	fclose(f);
	cr_assert_eq(rc, -1);
	cr_assert_str_eq(buf, "# HELP pf_up 1 when the pfbpf datapath could be read\n"
			      "# TYPE pf_up gauge\npf_up 0\n");
	cr_assert(why && *why, "a reason is given");
	free(buf);
}
