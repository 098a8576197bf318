// SPDX-License-Identifier: BSD-2-Clause
/*
 * collect.c - one scrape of pf's counters (see collect.h).
 *
 * Everything is read through pfctl_bpf's kernel layer (user/pfctl/kern.c,
 * one function per DIOC command over libpfbpf), so the exporter sees the
 * same numbers as `pfctl_bpf -si`, `-sr -v`, `-sI -v`, `-st` and `-sm`.
 * Names follow pf_exporter where it has one (pf_state_total,
 * pf_state_searches_total, pf_ipv4_bytes_in_total, ...); the rest use the
 * pf_ prefix and pf's own words as label values ("state-mismatch",
 * "tcp.established", "max states per rule").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pfbpf.h"
#include "pfctl/kern.h"
#include "lib/pf_names.h"
#include "lib/loader.h"
#include "lib/hook_choice.h"
#include "exporter/prom.h"
#include "exporter/collect.h"
#include "exporter/collect_nat.h"

static const char *const af_names[PF_AF_IDX_MAX] = { "inet", "inet6" };
static const char *const dir_names[PF_DIR_IDX_MAX] = { "in", "out" };
static const char *const verdict_names[PF_VERDICT_IDX_MAX] = { "pass", "block" };

/* ---- status ------------------------------------------------------------- */

static void emit_af_traffic(FILE *f, const struct pfctl_status *s)
{
	/* pf_exporter's per-family names, over every interface pfbpf is
	 * attached to (pf's own status counters cover only the loginterface;
	 * pf_status_interface_* below has those). */
	static const char *const fam[PF_AF_IDX_MAX] = { "ipv4", "ipv6" };
	char name[64], help[128];

	for (int af = 0; af < PF_AF_IDX_MAX; af++)
		for (int d = 0; d < PF_DIR_IDX_MAX; d++) {
			snprintf(name, sizeof(name), "pf_%s_bytes_%s_total", fam[af], dir_names[d]);
			snprintf(help, sizeof(help), "%s bytes %s on every pf interface",
				 af ? "IPv6" : "IPv4", d ? "out" : "in");
			prom_single(f, name, PROM_COUNTER, help, (double)s->all_bcounters[af][d]);
			for (int v = 0; v < PF_VERDICT_IDX_MAX; v++) {
				snprintf(name, sizeof(name), "pf_%s_packets_%s_%s_total", fam[af],
					 dir_names[d], v ? "blocked" : "passed");
				snprintf(help, sizeof(help), "%s packets %s %s on every pf interface",
					 af ? "IPv6" : "IPv4", d ? "out" : "in",
					 v ? "blocked" : "passed");
				prom_single(f, name, PROM_COUNTER, help,
					    (double)s->all_pcounters[af][d][v]);
			}
		}
}

static void emit_status_interface(FILE *f, const struct pfctl_status *s)
{
	struct prom_labels l = { .name = { "interface", "af", "direction", "action" } };

	prom_family(f, "pf_status_interface_packets_total", PROM_COUNTER,
		    "Packets on the status interface (set loginterface), as pfctl -si shows");
	for (int af = 0; af < PF_AF_IDX_MAX; af++)
		for (int d = 0; d < PF_DIR_IDX_MAX; d++)
			for (int v = 0; v < PF_VERDICT_IDX_MAX; v++) {
				l.value[0] = s->ifname;
				l.value[1] = af_names[af];
				l.value[2] = dir_names[d];
				l.value[3] = verdict_names[v];
				if (s->ifname[0])
					prom_sample(f, "pf_status_interface_packets_total", &l,
						    (double)s->pcounters[af][d][v]);
			}
}

static void emit_status(FILE *f, const struct pfctl_status *s)
{
	struct prom_labels l = { .name = { "reason" } };

	prom_single(f, "pf_running", PROM_GAUGE, "1 when pf is enabled (pfctl -e)", s->running);
	prom_single(f, "pf_runtime_seconds", PROM_GAUGE,
		    "Seconds since pf was enabled or its statistics cleared", (double)s->runtime);
	/* pf_exporter's name for a current count: untyped, because promtool
	 * refuses a gauge whose name ends in _total; pf_states_current is the
	 * same number typed as a gauge. */
	prom_single(f, "pf_state_total", PROM_UNTYPED,
		    "Current entries of the state table (pf_exporter's name)", (double)s->states);
	prom_single(f, "pf_states_current", PROM_GAUGE, "Current entries of the state table",
		    (double)s->states);
	prom_single(f, "pf_state_searches_total", PROM_COUNTER, "State table searches",
		    (double)s->fcounters[FCNT_STATE_SEARCH]);
	prom_single(f, "pf_state_inserts_total", PROM_COUNTER, "State table inserts",
		    (double)s->fcounters[FCNT_STATE_INSERT]);
	prom_single(f, "pf_state_removals_total", PROM_COUNTER, "State table removals",
		    (double)s->fcounters[FCNT_STATE_REMOVALS]);
	prom_single(f, "pf_state_evictions_total", PROM_COUNTER,
		    "States the LRU map dropped behind pf's back (above limit states)",
		    (double)s->evicted);

	prom_family(f, "pf_reason_total", PROM_COUNTER,
		    "pf's PFRES counters (pfctl -si Counters), by reason");
	for (int i = 0; i < PFRES_MAX; i++) {
		l.value[0] = pf_res_name(i);
		prom_sample(f, "pf_reason_total", &l, (double)s->counters[i]);
	}
	l.name[0] = "limit";
	prom_family(f, "pf_limit_reached_total", PROM_COUNTER,
		    "pf's LCNT counters (pfctl -si -v Limit Counters), by limit");
	for (int i = 0; i < LCNT_MAX; i++) {
		l.value[0] = pf_lcnt_name(i);
		prom_sample(f, "pf_limit_reached_total", &l, (double)s->lcounters[i]);
	}

	emit_af_traffic(f, s);
	emit_status_interface(f, s);

	l.name[0] = "ring";
	prom_family(f, "pf_events_lost_total", PROM_COUNTER,
		    "Events dropped because a ring buffer was full (packets never are)");
	l.value[0] = "pf";
	prom_sample(f, "pf_events_lost_total", &l, (double)s->events_lost);
	l.value[0] = "ip";
	prom_sample(f, "pf_events_lost_total", &l, (double)s->ip_events_lost);
	prom_single(f, "pf_unhandled_frames_total", PROM_COUNTER,
		    "Non-IP frames passed without inspection", (double)s->unhandled);
	prom_single(f, "pf_icmp_errors_without_state_total", PROM_COUNTER,
		    "ICMP errors dropped because they quote no state", (double)s->icmp_err_nostate);
}

/* ---- timeouts and limits ------------------------------------------------- */

static void emit_config(FILE *f, int dev)
{
	__u32 tm[PFTM_MAX], lim[PF_LIMIT_MAX];
	struct prom_labels l = { .name = { "timeout" } };

	if (!pfctl_k_get_timeouts(dev, tm)) {
		prom_family(f, "pf_timeout_seconds", PROM_GAUGE,
			    "Timeouts in force (pfctl -st); adaptive.* are state counts");
		for (int i = 0; pf_timeouts[i].name; i++) {
			l.value[0] = pf_timeouts[i].name;
			prom_sample(f, "pf_timeout_seconds", &l, tm[pf_timeouts[i].pftm]);
		}
	}
	l.name[0] = "limit";
	if (!pfctl_k_get_limits(dev, lim)) {
		prom_family(f, "pf_limit", PROM_GAUGE, "Hard limits in force (pfctl -sm)");
		for (int i = 0; pf_limits[i].name; i++) {
			l.value[0] = pf_limits[i].name;
			prom_sample(f, "pf_limit", &l, lim[pf_limits[i].index]);
		}
	}
}

/* ---- rules ---------------------------------------------------------------- */

struct rule_row {
	char anchor[MAXPATHLEN];
	char nr[24];
	char label[PF_RULE_LABEL_SIZE];
	__u64 evaluations, packets[2], bytes[2], states_cur, states_tot;
};

struct rule_rows {
	struct rule_row *v;
	size_t n, cap;
};

static int rows_add(const char *anchor, size_t nr, const struct pfctl_rule *r, void *arg)
{
	struct rule_rows *rows = arg;
	struct rule_row *row;

	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 32;
		struct rule_row *v = realloc(rows->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rows->v = v;
		rows->cap = cap;
	}
	row = &rows->v[rows->n++];
	snprintf(row->anchor, sizeof(row->anchor), "%s", anchor);
	snprintf(row->nr, sizeof(row->nr), "%zu", nr);
	snprintf(row->label, sizeof(row->label), "%s", r->r.label);
	row->evaluations = r->evaluations;
	memcpy(row->packets, r->packets, sizeof(row->packets));
	memcpy(row->bytes, r->bytes, sizeof(row->bytes));
	row->states_cur = r->states_cur;
	row->states_tot = r->states_tot;
	return 0;
}

static void emit_rule_family(FILE *f, const struct rule_rows *rows, const char *name,
			     enum prom_type type, const char *help, size_t off)
{
	struct prom_labels l = { .name = { "anchor", "rule", "label" } };

	prom_family(f, name, type, help);
	for (size_t i = 0; i < rows->n; i++) {
		const struct rule_row *row = &rows->v[i];

		l.value[0] = row->anchor;
		l.value[1] = row->nr;
		l.value[2] = row->label;
		prom_sample(f, name, &l, (double)*(const __u64 *)((const char *)row + off));
	}
}

static int emit_rules(FILE *f, int dev)
{
	struct rule_rows rows = { 0 };
	int err = pfctl_k_walk_rules(dev, "", rows_add, &rows);

	if (!err) {
#define RF(n, t, h, field) emit_rule_family(f, &rows, n, t, h, offsetof(struct rule_row, field))
		RF("pf_rule_evaluations_total", PROM_COUNTER,
		   "First packets whose rule walk reached the rule", evaluations);
		RF("pf_rule_packets_in_total", PROM_COUNTER, "Inbound packets of the rule's states",
		   packets[0]);
		RF("pf_rule_packets_out_total", PROM_COUNTER, "Outbound packets of the rule's states",
		   packets[1]);
		RF("pf_rule_bytes_in_total", PROM_COUNTER, "Inbound bytes of the rule's states",
		   bytes[0]);
		RF("pf_rule_bytes_out_total", PROM_COUNTER, "Outbound bytes of the rule's states",
		   bytes[1]);
		RF("pf_rule_states_current", PROM_GAUGE, "States of the rule alive now", states_cur);
		RF("pf_rule_states_total", PROM_COUNTER, "States the rule created", states_tot);
#undef RF
	}
	free(rows.v);
	return err;
}

/* ---- interfaces ------------------------------------------------------------ */

/* One family of per-interface counters by family, direction and verdict. */
static void emit_if_counters(FILE *f, const struct pfctl_iface *ifs, size_t n, const char *name,
			     const char *help, bool bytes)
{
	struct prom_labels l = { .name = { "interface", "af", "direction", "action" } };

	prom_family(f, name, PROM_COUNTER, help);
	for (size_t i = 0; i < n; i++)
		for (int af = 0; af < PF_AF_IDX_MAX; af++)
			for (int d = 0; d < PF_DIR_IDX_MAX; d++)
				for (int v = 0; v < PF_VERDICT_IDX_MAX; v++) {
					l.value[0] = ifs[i].name;
					l.value[1] = af_names[af];
					l.value[2] = dir_names[d];
					l.value[3] = verdict_names[v];
					prom_sample(f, name, &l, (double)(bytes ? ifs[i].bytes[af][d][v] :
									    ifs[i].packets[af][d][v]));
				}
}

static void emit_ifaces(FILE *f, int dev)
{
	struct pfctl_iface *ifs = NULL;
	size_t n = 0;
	struct prom_labels one = { .name = { "interface" } };

	if (pfctl_k_get_ifaces(dev, NULL, &ifs, &n))
		return;
	emit_if_counters(f, ifs, n, "pf_interface_packets_total",
			 "Packets pf judged on the interface (pfctl -sI -v)", false);
	emit_if_counters(f, ifs, n, "pf_interface_bytes_total",
			 "Bytes pf judged on the interface (pfctl -sI -v)", true);
	prom_family(f, "pf_interface_states_total", PROM_COUNTER,
		    "States created on the interface since its counters were cleared");
	for (size_t i = 0; i < n; i++) {
		one.value[0] = ifs[i].name;
		prom_sample(f, "pf_interface_states_total", &one, ifs[i].states);
	}
	prom_family(f, "pf_interface_rules_current", PROM_GAUGE,
		    "Rules of the active ruleset naming the interface");
	for (size_t i = 0; i < n; i++) {
		one.value[0] = ifs[i].name;
		prom_sample(f, "pf_interface_rules_current", &one, ifs[i].rules);
	}
	{
		struct prom_labels h = { .name = { "interface", "ingress", "egress" } };

		prom_family(f, "pf_interface_datapath_info", PROM_GAUGE,
			    "1 per interface pfbpf is attached to, labelled with its hooks");
		for (size_t i = 0; i < n; i++) {
			enum pfbpf_hook hk;

			if (pfbpf_attached_hook(ifs[i].name, &hk) || hk == PFBPF_HOOK_AUTO)
				continue;
			h.value[0] = ifs[i].name;
			h.value[1] = pfbpf_hook_name(hk);
			h.value[2] = "tc egress";
			prom_sample(f, "pf_interface_datapath_info", &h, 1);
		}
	}
	prom_family(f, "pf_interface_skip", PROM_GAUGE, "1 for a `set skip on` interface");
	for (size_t i = 0; i < n; i++) {
		one.value[0] = ifs[i].name;
		prom_sample(f, "pf_interface_skip", &one, !!(ifs[i].flags & PFCTL_IFLAG_SKIP));
	}
	free(ifs);
}

/* ---- one scrape ------------------------------------------------------------ */

int pfx_collect(FILE *f, const char *pin_dir, const char **why)
{
	static char reason[256];
	struct pfctl_status s;
	int dev, err;

	if (why)
		*why = NULL;
	dev = pfctl_k_open(pin_dir, false);
	if (dev < 0) {
		snprintf(reason, sizeof(reason), "%s", pfctl_k_strerror(-1));
		goto down;
	}
	err = pfctl_k_get_status(dev, &s);
	if (err) {
		snprintf(reason, sizeof(reason), "DIOCGETSTATUS: %s", pfctl_k_strerror(dev));
		pfctl_k_close(dev);
		goto down;
	}
	prom_single(f, "pf_up", PROM_GAUGE, "1 when the pfbpf datapath could be read", 1);
	emit_status(f, &s);
	pfx_emit_nat(f, &s);
	emit_config(f, dev);
	if (emit_rules(f, dev))
		prom_single(f, "pf_rules_read_error", PROM_GAUGE,
			    "1 when the rules could not be read in this scrape", 1);
	emit_ifaces(f, dev);
	pfctl_k_close(dev);
	return 0;
down:
	prom_single(f, "pf_up", PROM_GAUGE, "1 when the pfbpf datapath could be read", 0);
	if (why)
		*why = reason;
	return -1;
}
