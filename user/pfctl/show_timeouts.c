// SPDX-License-Identifier: BSD-2-Clause
/*
 * show_timeouts.c - pfctl -st and -sm, and the names `set timeout` and
 * `set limit` use.
 */
#include <string.h>

#include "pfctl.h"

/* pfctl's order, which is not PFTM_* order (tcp.tsdiff sits after tcp.closed). */
const struct pfctl_timeout_desc pfctl_timeouts[] = {
	{ "tcp.first", PFTM_TCP_FIRST_PACKET },
	{ "tcp.opening", PFTM_TCP_OPENING },
	{ "tcp.established", PFTM_TCP_ESTABLISHED },
	{ "tcp.closing", PFTM_TCP_CLOSING },
	{ "tcp.finwait", PFTM_TCP_FIN_WAIT },
	{ "tcp.closed", PFTM_TCP_CLOSED },
	{ "tcp.tsdiff", PFTM_TS_DIFF },
	{ "udp.first", PFTM_UDP_FIRST_PACKET },
	{ "udp.single", PFTM_UDP_SINGLE },
	{ "udp.multiple", PFTM_UDP_MULTIPLE },
	{ "icmp.first", PFTM_ICMP_FIRST_PACKET },
	{ "icmp.error", PFTM_ICMP_ERROR_REPLY },
	{ "other.first", PFTM_OTHER_FIRST_PACKET },
	{ "other.single", PFTM_OTHER_SINGLE },
	{ "other.multiple", PFTM_OTHER_MULTIPLE },
	{ "frag", PFTM_FRAG },
	{ "interval", PFTM_INTERVAL },
	{ "adaptive.start", PFTM_ADAPTIVE_START },
	{ "adaptive.end", PFTM_ADAPTIVE_END },
	{ "src.track", PFTM_SRC_NODE },
	{ NULL, 0 },
};

const struct pfctl_limit_desc pfctl_limits[] = {
	{ "states", PF_LIMIT_STATES },
	{ "src-nodes", PF_LIMIT_SRC_NODES },
	{ "frags", PF_LIMIT_FRAGS },
	{ "tables", PF_LIMIT_TABLES },
	{ "table-entries", PF_LIMIT_TABLE_ENTRIES },
	{ NULL, 0 },
};

int pfctl_timeout_lookup(const char *name)
{
	for (int i = 0; pfctl_timeouts[i].name; i++)
		if (!strcmp(pfctl_timeouts[i].name, name))
			return pfctl_timeouts[i].pftm;
	return -1;
}

static bool is_adaptive(int pftm)
{
	return pftm == PFTM_ADAPTIVE_START || pftm == PFTM_ADAPTIVE_END;
}

void pfctl_show_timeouts(FILE *f, const __u32 *timeout, int opts)
{
	for (int i = 0; pfctl_timeouts[i].name; i++) {
		int t = pfctl_timeouts[i].pftm;

		fprintf(f, "%-20s %10u%s\n", pfctl_timeouts[i].name, timeout[t],
			is_adaptive(t) ? " states" : "s");
	}
}

void pfctl_json_timeouts(struct jw *w, const __u32 *timeout)
{
	jw_obj_begin(w, "timeouts");
	for (int i = 0; pfctl_timeouts[i].name; i++)
		jw_u64(w, pfctl_timeouts[i].name, timeout[pfctl_timeouts[i].pftm]);
	jw_obj_end(w);
}

void pfctl_show_limits(FILE *f, const __u32 *limit, int opts)
{
	for (int i = 0; pfctl_limits[i].name; i++) {
		__u32 v = limit[pfctl_limits[i].index];

		fprintf(f, "%-13s ", pfctl_limits[i].name);
		if (v == UINT32_MAX)
			fprintf(f, "unlimited\n");
		else
			fprintf(f, "hard limit %8u\n", v);
	}
}

void pfctl_json_limits(struct jw *w, const __u32 *limit)
{
	jw_obj_begin(w, "limits");
	for (int i = 0; pfctl_limits[i].name; i++) {
		__u32 v = limit[pfctl_limits[i].index];

		if (v == UINT32_MAX)
			jw_null(w, pfctl_limits[i].name);
		else
			jw_u64(w, pfctl_limits[i].name, v);
	}
	jw_obj_end(w);
}
