// SPDX-License-Identifier: BSD-2-Clause
/*
 * show_info.c - pfctl -si: status line, state table, counters.
 *
 * Column widths are pf's, so scripts written against pfctl's output
 * (awk on the counter name and the total) keep working.
 */
#include <stddef.h>

#include "pfctl.h"
#include "lib/pf_names.h"

static const char *const fcnt_names[FCNT_MAX] = { "searches", "inserts", "removals" };
static const char *const istats_in_out[2] = { "In", "Out" };

static void print_rate_line(FILE *f, const char *name, unsigned long long v, __u64 runtime)
{
	fprintf(f, "  %-25s %14llu ", name, v);
	if (runtime > 0)
		fprintf(f, "%14.1f/s\n", (double)v / (double)runtime);
	else
		fprintf(f, "%14s\n", "");
}


/* The translation counters (not pf's), as -si -v and the JSON list them. */
static const struct {
	const char *text, *json;
	size_t off;
} nat_counters[] = {
	{ "translations", "translations", offsetof(struct pf_nat_stats, translations) },
	{ "map-failed", "map_failed", offsetof(struct pf_nat_stats, map_failed) },
	{ "pairs repaired", "pairs_repaired", offsetof(struct pf_nat_stats, pair_repaired) },
};
#define NAT_COUNTERS (sizeof(nat_counters) / sizeof(nat_counters[0]))

static __u64 nat_counter(const struct pf_nat_stats *n, size_t i)
{
	return *(const __u64 *)((const char *)n + nat_counters[i].off);
}

static const char *const syncookies_modes[] = { "never", "always", "adaptive" };

static const char *syncookies_mode(const struct pfctl_status *s)
{
	return s->syncookies.mode <= 2 ? syncookies_modes[s->syncookies.mode] : "unknown";
}

/* FreeBSD pfctl's "Syncookies" block; -v adds the adaptive thresholds. */
static void show_syncookies(FILE *f, const struct pfctl_status *s, int opts)
{
	const struct pfioc_syncookies *sc = &s->syncookies;

	fprintf(f, "Syncookies\n");
	fprintf(f, "  %-25s %14s\n", "mode", syncookies_mode(s));
	fprintf(f, "  %-25s %14s\n", "active", sc->active ? "active" : "inactive");
	if (!(opts & PFCTL_OPT_VERBOSE))
		return;
	if (sc->mode == PF_SYNCOOKIES_ADAPTIVE) {
		fprintf(f, "  %-25s %11u.%02u%%\n", "start", sc->start / 100, sc->start % 100);
		fprintf(f, "  %-25s %11u.%02u%%\n", "end", sc->end / 100, sc->end % 100);
	}
	fprintf(f, "  %-25s %14llu\n", "half-open states", (unsigned long long)sc->halfopen);
	fprintf(f, "  %-25s %14llu\n", "in flight", (unsigned long long)sc->inflight);
	print_rate_line(f, "bad cookies", s->syncookies_bad, s->runtime);
}

static void show_nat_status(FILE *f, const struct pfctl_status *s)
{
	char label[32];

	fprintf(f, "Translation\n");
	for (size_t i = 0; i < NAT_COUNTERS; i++)
		print_rate_line(f, nat_counters[i].text, nat_counter(&s->nat, i), s->runtime);
	fprintf(f, "Translation Tries\n");
	for (int i = 0; i < PF_NAT_TRY_BUCKETS; i++) {
		pf_nat_tries_label(label, sizeof(label), i);
		fprintf(f, "  %-25s %14llu\n", label, (unsigned long long)s->nat.tries[i]);
	}
}

void pfctl_show_status(FILE *f, const struct pfctl_status *s, int opts)
{
	char statline[80], debug[32];

	/* The time is since the last enable or disable, as pf's `since`. */
	if (s->since) {
		__u64 t = s->runtime;
		unsigned sec = t % 60, min = (t / 60) % 60, hrs = (t / 3600) % 24;

		snprintf(statline, sizeof(statline), "Status: %s for %llu days %.2u:%.2u:%.2u",
			 s->running ? "Enabled" : "Disabled", (unsigned long long)(t / 86400), hrs,
			 min, sec);
	} else {
		snprintf(statline, sizeof(statline), "Status: %s", s->running ? "Enabled" : "Disabled");
	}
	fprintf(f, "%-44s", statline);
	snprintf(debug, sizeof(debug), "Debug: %s", pfctl_debug_name(s->debug));
	fprintf(f, "%15s\n\n", debug);

	if (opts & PFCTL_OPT_VERBOSE)
		fprintf(f, "Hostid:   0x%08x\n\n", s->hostid);

	if (s->ifname[0]) {
		fprintf(f, "Interface Stats for %-16s %5s %16s\n", s->ifname, "IPv4", "IPv6");
		fprintf(f, "  %-25s %14llu %16llu\n", "Bytes In",
			(unsigned long long)s->bcounters[0][0], (unsigned long long)s->bcounters[1][0]);
		fprintf(f, "  %-25s %14llu %16llu\n", "Bytes Out",
			(unsigned long long)s->bcounters[0][1], (unsigned long long)s->bcounters[1][1]);
		for (int d = 0; d < 2; d++) {
			fprintf(f, "  Packets %s\n", istats_in_out[d]);
			fprintf(f, "    %-23s %14llu %16llu\n", "Passed",
				(unsigned long long)s->pcounters[0][d][PF_VERDICT_IDX_PASS],
				(unsigned long long)s->pcounters[1][d][PF_VERDICT_IDX_PASS]);
			fprintf(f, "    %-23s %14llu %16llu\n", "Blocked",
				(unsigned long long)s->pcounters[0][d][PF_VERDICT_IDX_DROP],
				(unsigned long long)s->pcounters[1][d][PF_VERDICT_IDX_DROP]);
		}
		fputc('\n', f);
	}

	fprintf(f, "%-27s %14s %16s\n", "State Table", "Total", "Rate");
	fprintf(f, "  %-25s %14llu %14s\n", "current entries", (unsigned long long)s->states, "");
	for (int i = 0; i < FCNT_MAX; i++)
		print_rate_line(f, fcnt_names[i], s->fcounters[i], s->runtime);

	fprintf(f, "Counters\n");
	for (int i = 0; i < PFRES_MAX; i++)
		print_rate_line(f, pf_res_name(i), s->counters[i], s->runtime);

	if (s->has_syncookies)
		show_syncookies(f, s, opts);

	if (opts & PFCTL_OPT_VERBOSE) {
		fprintf(f, "Limit Counters\n");
		for (int i = 0; i < LCNT_MAX; i++)
			print_rate_line(f, pf_lcnt_name(i), s->lcounters[i], s->runtime);
		/* Not in pf: what only a BPF datapath can lose or skip. */
		fprintf(f, "Datapath\n");
		print_rate_line(f, "lru evictions", s->evicted, s->runtime);
		print_rate_line(f, "events lost", s->events_lost, s->runtime);
		print_rate_line(f, "ip events lost", s->ip_events_lost, s->runtime);
		print_rate_line(f, "non-ip passed", s->unhandled, s->runtime);
		print_rate_line(f, "icmp error no state", s->icmp_err_nostate, s->runtime);
		if (s->has_nat)
			show_nat_status(f, s);
	}
}

void pfctl_show_running(FILE *f, const struct pfctl_status *s)
{
	fprintf(f, "%s\n", s->running ? "Enabled" : "Disabled");
}

static void json_counter(struct jw *w, const char *name, __u64 v, __u64 runtime)
{
	jw_obj_begin(w, name);
	jw_u64(w, "total", v);
	jw_f64(w, "rate", runtime ? (double)v / (double)runtime : 0.0);
	jw_obj_end(w);
}

void pfctl_json_status(struct jw *w, const struct pfctl_status *s)
{
	static const char *const af_names[2] = { "inet", "inet6" };
	static const char *const dir_names[2] = { "in", "out" };
	char buf[16];

	jw_obj_begin(w, "info");
	jw_bool(w, "running", s->running);
	jw_u64(w, "runtime", s->runtime);
	jw_u64(w, "since", s->since);
	{
		/* Lower case in JSON: the spelling of pf.conf's `set debug`. */
		static const char *const lc[] = { "none", "urgent", "misc", "loud" };

		jw_str(w, "debug", s->debug < 4 ? lc[s->debug] : "unknown");
	}
	snprintf(buf, sizeof(buf), "0x%08x", s->hostid);
	jw_str(w, "hostid", buf);
	jw_obj_begin(w, "state_table");
	jw_u64(w, "current_entries", s->states);
	for (int i = 0; i < FCNT_MAX; i++)
		json_counter(w, fcnt_names[i], s->fcounters[i], s->runtime);
	jw_obj_end(w);
	jw_obj_begin(w, "counters");
	for (int i = 0; i < PFRES_MAX; i++)
		json_counter(w, pf_res_name(i), s->counters[i], s->runtime);
	jw_obj_end(w);
	jw_obj_begin(w, "limit_counters");
	for (int i = 0; i < LCNT_MAX; i++)
		json_counter(w, pf_lcnt_name(i), s->lcounters[i], s->runtime);
	jw_obj_end(w);
	if (s->ifname[0]) {
		jw_obj_begin(w, "interface");
		jw_str(w, "name", s->ifname);
		for (int a = 0; a < 2; a++) {
			jw_obj_begin(w, af_names[a]);
			for (int d = 0; d < 2; d++) {
				jw_obj_begin(w, dir_names[d]);
				jw_u64(w, "bytes", s->bcounters[a][d]);
				jw_u64(w, "passed", s->pcounters[a][d][PF_VERDICT_IDX_PASS]);
				jw_u64(w, "blocked", s->pcounters[a][d][PF_VERDICT_IDX_DROP]);
				jw_obj_end(w);
			}
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_obj_begin(w, "all_interfaces");
	for (int a = 0; a < 2; a++) {
		jw_obj_begin(w, af_names[a]);
		for (int d = 0; d < 2; d++) {
			jw_obj_begin(w, dir_names[d]);
			jw_u64(w, "bytes", s->all_bcounters[a][d]);
			jw_u64(w, "passed", s->all_pcounters[a][d][PF_VERDICT_IDX_PASS]);
			jw_u64(w, "blocked", s->all_pcounters[a][d][PF_VERDICT_IDX_DROP]);
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_obj_end(w);
	if (s->has_syncookies) {
		jw_obj_begin(w, "syncookies");
		jw_str(w, "mode", syncookies_mode(s));
		jw_bool(w, "active", s->syncookies.active);
		jw_f64(w, "start_percent", s->syncookies.start / 100.0);
		jw_f64(w, "end_percent", s->syncookies.end / 100.0);
		jw_u64(w, "halfopen_states", s->syncookies.halfopen);
		jw_u64(w, "inflight", s->syncookies.inflight);
		jw_u64(w, "bad_cookies", s->syncookies_bad);
		jw_obj_end(w);
	}
	jw_obj_begin(w, "datapath");
	jw_u64(w, "lru_evictions", s->evicted);
	jw_u64(w, "events_lost", s->events_lost);
	jw_u64(w, "ip_events_lost", s->ip_events_lost);
	jw_u64(w, "non_ip_passed", s->unhandled);
	jw_u64(w, "icmp_error_no_state", s->icmp_err_nostate);
	jw_obj_end(w);
	if (s->has_nat) {
		char label[32];

		jw_obj_begin(w, "translation");
		for (size_t i = 0; i < NAT_COUNTERS; i++)
			json_counter(w, nat_counters[i].json, nat_counter(&s->nat, i), s->runtime);
		jw_arr_begin(w, "tries");
		for (int i = 0; i < PF_NAT_TRY_BUCKETS; i++) {
			pf_nat_tries_label(label, sizeof(label), i);
			jw_obj_begin(w, NULL);
			jw_str(w, "tries", label);
			jw_u64(w, "count", s->nat.tries[i]);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}
