// SPDX-License-Identifier: BSD-2-Clause
/*
 * show_timeouts.c - pfctl -st and -sm, and the names `set timeout` and
 * `set limit` use.
 */
#include <string.h>

#include "pfctl.h"

/* conf.c's name for the shared limit table. */
const struct pf_limit_desc *const pfctl_limits = pf_limits;

int pfctl_timeout_lookup(const char *name)
{
	return pf_timeout_lookup(name);
}

static bool is_adaptive(int pftm)
{
	return pftm == PFTM_ADAPTIVE_START || pftm == PFTM_ADAPTIVE_END;
}

void pfctl_show_timeouts(FILE *f, const __u32 *timeout, int opts)
{
	for (int i = 0; pf_timeouts[i].name; i++) {
		int t = pf_timeouts[i].pftm;

		fprintf(f, "%-20s %10u%s\n", pf_timeouts[i].name, timeout[t],
			is_adaptive(t) ? " states" : "s");
	}
}

void pfctl_json_timeouts(struct jw *w, const __u32 *timeout)
{
	jw_obj_begin(w, "timeouts");
	for (int i = 0; pf_timeouts[i].name; i++)
		jw_u64(w, pf_timeouts[i].name, timeout[pf_timeouts[i].pftm]);
	jw_obj_end(w);
}

void pfctl_show_limits(FILE *f, const __u32 *limit, int opts)
{
	for (int i = 0; pf_limits[i].name; i++) {
		__u32 v = limit[pf_limits[i].index];

		fprintf(f, "%-13s ", pf_limits[i].name);
		if (v == UINT32_MAX)
			fprintf(f, "unlimited\n");
		else
			fprintf(f, "hard limit %8u\n", v);
	}
}

void pfctl_json_limits(struct jw *w, const __u32 *limit)
{
	jw_obj_begin(w, "limits");
	for (int i = 0; pf_limits[i].name; i++) {
		__u32 v = limit[pf_limits[i].index];

		if (v == UINT32_MAX)
			jw_null(w, pf_limits[i].name);
		else
			jw_u64(w, pf_limits[i].name, v);
	}
	jw_obj_end(w);
}
