// SPDX-License-Identifier: BSD-2-Clause
/*
 * view.c - pftop_bpf's columns (see view.h).
 *
 * Column sets follow pftop's views: default (PR DIR SRC DEST STATE AGE
 * EXP PKTS BYTES), long (adds the state id and rule), state (adds AVG and
 * RULE), time, size, speed (RATE PEAK AVG), rules and label.  Addresses
 * are written as pfctl -ss writes them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lib/pf_names.h"
#include "pfbpf_conf.h"
#include "top/view.h"

static const char *const view_names[TOP_V_MAX] = {
	"default", "long", "state", "time", "size", "speed", "rules", "label",
};

const char *top_view_name(enum top_view v)
{
	return v < TOP_V_MAX ? view_names[v] : "?";
}

int top_view_lookup(const char *name)
{
	for (int i = 0; i < TOP_V_MAX; i++)
		if (!strcmp(name, view_names[i]))
			return i;
	return -1;
}

bool top_view_is_rules(enum top_view v)
{
	return v == TOP_V_RULES || v == TOP_V_LABEL;
}

void top_fmt_count(char *buf, size_t len, double v)
{
	static const char units[] = "KMGTP";
	int u = -1;

	if (v < 100000) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	while (v >= 10000 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.0f%c", v, units[u]);
}

void top_fmt_time(char *buf, size_t len, __u32 s)
{
	if (s >= 86400)
		snprintf(buf, len, "%ud %02u:%02u", s / 86400, (s / 3600) % 24, (s / 60) % 60);
	else
		snprintf(buf, len, "%02u:%02u:%02u", s / 3600, (s / 60) % 60, s % 60);
}

/* Hosts as pfctl -ss writes them (addr:port, IPv6 addr[port], no port
 * where the protocol has none), so that a script can join both outputs. */
static void fmt_host(char *buf, size_t len, __u8 af, const struct pf_addr *a, __u16 port)
{
	FILE *m = fmemopen(buf, len, "w");

	buf[0] = '\0';
	if (!m)
		return;
	pfctl_print_host(m, a, htons(port), af);
	fclose(m);
	buf[len - 1] = '\0';
}

static const char *peer_name(__u8 proto, __u8 s)
{
	const char *n = proto == IPPROTO_TCP ? pf_tcps_name(s) : pf_other_state_name(s);

	return n ? n : "?";
}

static void fmt_proto(char *buf, size_t len, __u8 proto)
{
	const char *n = pf_proto_name(proto);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%u", proto);
}

void top_view_header(enum top_view v, char *buf, size_t len)
{
	switch (v) {
	case TOP_V_DEFAULT:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %-23s %8s %8s %6s %6s", "PR", "DIR",
			 "SRC", "DEST", "STATE", "AGE", "EXP", "PKTS", "BYTES");
		break;
	case TOP_V_LONG:
		snprintf(buf, len, "%-16s %-5s %-3s %-22s %-22s %-23s %8s %8s %6s %6s %5s", "ID",
			 "PR", "DIR", "SRC", "DEST", "STATE", "AGE", "EXP", "PKTS", "BYTES", "RULE");
		break;
	case TOP_V_STATE:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %-23s %8s %8s %6s %6s %6s %5s", "PR",
			 "DIR", "SRC", "DEST", "STATE", "AGE", "EXP", "PKTS", "BYTES", "AVG", "RULE");
		break;
	case TOP_V_TIME:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %-23s %8s %8s", "PR", "DIR", "SRC", "DEST",
			 "STATE", "AGE", "EXP");
		break;
	case TOP_V_SIZE:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %6s %6s %6s", "PR", "DIR", "SRC", "DEST",
			 "PKTS", "BYTES", "AVG");
		break;
	case TOP_V_SPEED:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %6s %6s %6s", "PR", "DIR", "SRC", "DEST",
			 "RATE", "PEAK", "AVG");
		break;
	case TOP_V_RULES:
		snprintf(buf, len, "%-5s %-6s %-3s %-3s %-1s %-10s %-5s %-1s %6s %6s %6s %6s  %s",
			 "RULE", "ACTION", "DIR", "LOG", "Q", "IF", "PR", "K", "PKTS", "BYTES",
			 "STATES", "MAX", "INFO");
		break;
	case TOP_V_LABEL:
		snprintf(buf, len, "%-5s %-32s %8s %8s %8s %8s", "RULE", "LABEL", "EVALS", "PKTS",
			 "BYTES", "STATES");
		break;
	case TOP_V_MAX:
		buf[0] = '\0';
		break;
	}
}

void top_view_state(enum top_view v, const struct top_row *r, char *buf, size_t len)
{
	char pr[16], src[64], dst[64], st[48], age[16], exp[16], pk[16], by[16], avg[16],
		rate[16], peak[16], rule[16];

	fmt_proto(pr, sizeof(pr), r->proto);
	fmt_host(src, sizeof(src), r->af, &r->src, r->sport);
	fmt_host(dst, sizeof(dst), r->af, &r->dst, r->dport);
	snprintf(st, sizeof(st), "%s:%s", peer_name(r->proto, r->pstate[0]),
		 peer_name(r->proto, r->pstate[1]));
	top_fmt_time(age, sizeof(age), r->age);
	top_fmt_time(exp, sizeof(exp), r->expires);
	top_fmt_count(pk, sizeof(pk), (double)r->packets);
	top_fmt_count(by, sizeof(by), (double)r->bytes);
	/* pftop's AVG: bytes per second over the state's life */
	top_fmt_count(avg, sizeof(avg), r->age ? (double)r->bytes / r->age : (double)r->bytes);
	top_fmt_count(rate, sizeof(rate), r->rate);
	top_fmt_count(peak, sizeof(peak), r->peak);
	if (r->rule == PF_RULE_NONE)
		snprintf(rule, sizeof(rule), "-");
	else
		snprintf(rule, sizeof(rule), "%u", r->rule);
	const char *dir = r->dir == PF_OUT ? "Out" : "In";

	switch (v) {
	case TOP_V_DEFAULT:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %-23s %8s %8s %6s %6s", pr, dir, src, dst,
			 st, age, exp, pk, by);
		break;
	case TOP_V_LONG:
		snprintf(buf, len, "%016llx %-5s %-3s %-22s %-22s %-23s %8s %8s %6s %6s %5s",
			 (unsigned long long)r->id, pr, dir, src, dst, st, age, exp, pk, by, rule);
		break;
	case TOP_V_STATE:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %-23s %8s %8s %6s %6s %6s %5s", pr, dir,
			 src, dst, st, age, exp, pk, by, avg, rule);
		break;
	case TOP_V_TIME:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %-23s %8s %8s", pr, dir, src, dst, st,
			 age, exp);
		break;
	case TOP_V_SIZE:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %6s %6s %6s", pr, dir, src, dst, pk, by,
			 avg);
		break;
	case TOP_V_SPEED:
		snprintf(buf, len, "%-5s %-3s %-22s %-22s %6s %6s %6s", pr, dir, src, dst, rate,
			 peak, avg);
		break;
	default:
		buf[0] = '\0';
	}
}

void top_view_rule(enum top_view v, const struct pfctl_rule *r, const char *anchor, size_t nr,
		   char *buf, size_t len)
{
	char num[32], pk[16], by[16], sc[16], ev[16], mx[16], info[512] = "";
	const struct pfbpf_rule *b = &r->r;
	FILE *m;

	if (*anchor)
		snprintf(num, sizeof(num), "%s/%zu", anchor, nr);
	else
		snprintf(num, sizeof(num), "%zu", nr);
	top_fmt_count(pk, sizeof(pk), (double)(r->packets[0] + r->packets[1]));
	top_fmt_count(by, sizeof(by), (double)(r->bytes[0] + r->bytes[1]));
	top_fmt_count(sc, sizeof(sc), (double)r->states_cur);
	top_fmt_count(ev, sizeof(ev), (double)r->evaluations);
	if (v == TOP_V_LABEL) {
		snprintf(buf, len, "%-5s %-32s %8s %8s %8s %8s", num, b->label, ev, pk, by, sc);
		return;
	}
	m = fmemopen(info, sizeof(info) - 1, "w");
	if (m) {
		if (r->anchor_call[0])
			pfbpf_anchor_rule_print(m, b, r->anchor_call, 0);
		else
			pfbpf_rule_print(m, b, 0);
		fclose(m);
		info[strcspn(info, "\n")] = '\0';
	}
	if (b->max_states)
		snprintf(mx, sizeof(mx), "%u", b->max_states);
	else
		snprintf(mx, sizeof(mx), "-");
	snprintf(buf, len, "%-5s %-6s %-3s %-3s %-1s %-10s %-5s %-1s %6s %6s %6s %6s  %s", num,
		 r->anchor_call[0] ? "Anchor" : b->action == PF_PASS ? "Pass" : "Block",
		 b->direction == PF_IN ? "In" : b->direction == PF_OUT ? "Out" : "Any",
		 b->log ? "Log" : "", b->quick ? "Q" : "", b->ifname[0] ? b->ifname : "*",
		 b->proto ? (pf_proto_name(b->proto) ? pf_proto_name(b->proto) : "?") : "*",
		 b->keep_state ? "K" : "", pk, by, sc, mx, info);
}
