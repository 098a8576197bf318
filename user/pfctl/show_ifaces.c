// SPDX-License-Identifier: BSD-2-Clause
/*
 * show_ifaces.c - pfctl -sI: interfaces pf knows, with -v flags and -vv
 * counters in pfctl's layout.
 */
#include <time.h>

#include "pfctl.h"

static const char *const istats_text[2][2][2] = {
	{ { "In4/Pass:", "In4/Block:" }, { "Out4/Pass:", "Out4/Block:" } },
	{ { "In6/Pass:", "In6/Block:" }, { "Out6/Pass:", "Out6/Block:" } },
};

void pfctl_show_ifaces(FILE *f, const struct pfctl_iface *i, size_t n, int opts)
{
	for (size_t k = 0; k < n; k++) {
		fputs(i[k].name, f);
		if ((opts & PFCTL_OPT_VERBOSE) && (i[k].flags & PFCTL_IFLAG_SKIP))
			fputs(" (skip)", f);
		/* pf has no such thing: where and how pfbpf filters here. */
		if ((opts & PFCTL_OPT_VERBOSE) && i[k].hook[0])
			fprintf(f, " (%s, tc egress)", i[k].hook);
		fputc('\n', f);
		if (!(opts & PFCTL_OPT_VERBOSE2))
			continue;
		{
			time_t t = (time_t)i[k].tzero;
			struct tm tm;
			char buf[64] = "?";

			if (localtime_r(&t, &tm))
				strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm);
			fprintf(f, "\tCleared:     %s\n", buf);
		}
		fprintf(f, "\tReferences:  [ States:  %-18u Rules: %-18u ]\n", i[k].states,
			i[k].rules);
		for (int af = 0; af < 2; af++)
			for (int dir = 0; dir < 2; dir++)
				for (int act = 0; act < 2; act++)
					fprintf(f, "\t%-12s [ Packets: %-18llu Bytes: %-18llu ]\n",
						istats_text[af][dir][act],
						(unsigned long long)i[k].packets[af][dir][act],
						(unsigned long long)i[k].bytes[af][dir][act]);
	}
}

void pfctl_json_ifaces(struct jw *w, const struct pfctl_iface *i, size_t n)
{
	static const char *const afn[2] = { "inet", "inet6" };
	static const char *const dirn[2] = { "in", "out" };

	jw_arr_begin(w, "interfaces");
	for (size_t k = 0; k < n; k++) {
		jw_obj_begin(w, NULL);
		jw_str(w, "name", i[k].name);
		jw_bool(w, "skip", i[k].flags & PFCTL_IFLAG_SKIP);
		if (i[k].hook[0])
			jw_str(w, "hook", i[k].hook);
		jw_u64(w, "states", i[k].states);
		jw_u64(w, "rules", i[k].rules);
		for (int af = 0; af < 2; af++) {
			jw_obj_begin(w, afn[af]);
			for (int dir = 0; dir < 2; dir++) {
				jw_obj_begin(w, dirn[dir]);
				jw_u64(w, "pass_packets", i[k].packets[af][dir][0]);
				jw_u64(w, "pass_bytes", i[k].bytes[af][dir][0]);
				jw_u64(w, "block_packets", i[k].packets[af][dir][1]);
				jw_u64(w, "block_bytes", i[k].bytes[af][dir][1]);
				jw_obj_end(w);
			}
			jw_obj_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}
