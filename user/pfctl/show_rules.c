// SPDX-License-Identifier: BSD-2-Clause
/*
 * show_rules.c - pfctl -sr (with -v counters, -vv rule numbers) and -sl.
 *
 * The rule text itself comes from the pf.conf printer (the conf library),
 * so that -sr, -nvf and the golden files agree on one spelling of a rule.
 */
#include <stdlib.h>
#include <string.h>

#include "pfctl.h"

pfctl_rule_printer pfctl_rule_print_fn;
pfctl_rule_pool_printer pfctl_rule_pool_print_fn;
pfctl_anchor_printer pfctl_anchor_print_fn;

static void print_rule_text(FILE *f, const struct pfctl_rule *pr, int opts)
{
	const struct pfbpf_rule *r = &pr->r;

	if (pr->anchor_call[0]) {
		if (pfctl_anchor_print_fn) {
			pfctl_anchor_print_fn(f, r, pr->anchor_call, opts);
			return;
		}
		if (opts & PFCTL_OPT_VERBOSE2)
			fprintf(f, "@%u ", r->nr);
		fprintf(f, "anchor \"%s\"", pr->anchor_call);
		return;
	}
	/* The printer owns the "@nr " prefix of -vv, as pf.conf's printer
	 * does for -nvvf, so that both listings stay identical. */
	if (pr->pool && pr->npool == r->rpool.naddrs && pfctl_rule_pool_print_fn) {
		pfctl_rule_pool_print_fn(f, r, pr->pool, opts);
		return;
	}
	if (pfctl_rule_print_fn) {
		pfctl_rule_print_fn(f, r, opts);
		return;
	}
	if (opts & PFCTL_OPT_VERBOSE2)
		fprintf(f, "@%u ", r->nr);
	fprintf(f, "%s", r->action == PF_DROP ? "block" : r->action == PF_MATCH ? "match" : "pass");
}

void pfctl_print_rule_counters(FILE *f, const struct pfctl_rule *r, int opts)
{
	if (!(opts & PFCTL_OPT_VERBOSE))
		return;
	fprintf(f, "  [ Evaluations: %-8llu  Packets: %-8llu  Bytes: %-10llu  States: %-6llu]\n",
		(unsigned long long)r->evaluations,
		(unsigned long long)(r->packets[0] + r->packets[1]),
		(unsigned long long)(r->bytes[0] + r->bytes[1]),
		(unsigned long long)r->states_cur);
	fprintf(f, "  [ State Creations: %-6llu]\n", (unsigned long long)r->states_tot);
}

void pfctl_show_rules(FILE *f, const struct pfctl_rule *r, size_t n, int opts)
{
	for (size_t i = 0; i < n; i++) {
		/* nat, rdr and binat rules are pf's other rulesets: -sn's */
		if (pfctl_rule_is_nat(&r[i].r))
			continue;
		print_rule_text(f, &r[i], opts);
		fputc('\n', f);
		pfctl_print_rule_counters(f, &r[i], opts);
	}
}

void pfctl_json_rules(struct jw *w, const struct pfctl_rule *r, size_t n)
{
	jw_arr_begin(w, "rules");
	for (size_t i = 0; i < n; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *m;

		if (pfctl_rule_is_nat(&r[i].r))
			continue;
		m = open_memstream(&text, &len);

		jw_obj_begin(w, NULL);
		jw_u64(w, "nr", r[i].r.nr);
		if (m) {
			print_rule_text(m, &r[i], 0);
			fclose(m);
			jw_str(w, "rule", text);
			free(text);
		}
		jw_str(w, "action", r[i].anchor_call[0] ? "anchor" :
				    r[i].r.action == PF_DROP ? "block" :
				    r[i].r.action == PF_MATCH ? "match" : "pass");
		if (r[i].anchor_call[0])
			jw_str(w, "anchor_call", r[i].anchor_call);
		jw_str(w, "label", r[i].r.label);
		jw_u64(w, "evaluations", r[i].evaluations);
		jw_u64(w, "packets_in", r[i].packets[0]);
		jw_u64(w, "packets_out", r[i].packets[1]);
		jw_u64(w, "bytes_in", r[i].bytes[0]);
		jw_u64(w, "bytes_out", r[i].bytes[1]);
		jw_u64(w, "states_cur", r[i].states_cur);
		jw_u64(w, "states_tot", r[i].states_tot);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void pfctl_show_labels(FILE *f, const struct pfctl_rule *r, size_t n, int opts)
{
	/* pf's -sl: label evaluations packets bytes in-packets in-bytes
	 * out-packets out-bytes state-creations, one line per labelled rule. */
	for (size_t i = 0; i < n; i++) {
		if (!r[i].r.label[0])
			continue;
		fprintf(f, "%s %llu %llu %llu %llu %llu %llu %llu %llu\n", r[i].r.label,
			(unsigned long long)r[i].evaluations,
			(unsigned long long)(r[i].packets[0] + r[i].packets[1]),
			(unsigned long long)(r[i].bytes[0] + r[i].bytes[1]),
			(unsigned long long)r[i].packets[0], (unsigned long long)r[i].bytes[0],
			(unsigned long long)r[i].packets[1], (unsigned long long)r[i].bytes[1],
			(unsigned long long)r[i].states_tot);
	}
}

void pfctl_json_labels(struct jw *w, const struct pfctl_rule *r, size_t n)
{
	jw_arr_begin(w, "labels");
	for (size_t i = 0; i < n; i++) {
		if (!r[i].r.label[0])
			continue;
		jw_obj_begin(w, NULL);
		jw_str(w, "label", r[i].r.label);
		jw_u64(w, "rule", r[i].r.nr);
		jw_u64(w, "evaluations", r[i].evaluations);
		jw_u64(w, "packets", r[i].packets[0] + r[i].packets[1]);
		jw_u64(w, "bytes", r[i].bytes[0] + r[i].bytes[1]);
		jw_u64(w, "packets_in", r[i].packets[0]);
		jw_u64(w, "bytes_in", r[i].bytes[0]);
		jw_u64(w, "packets_out", r[i].packets[1]);
		jw_u64(w, "bytes_out", r[i].bytes[1]);
		jw_u64(w, "states_tot", r[i].states_tot);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}
