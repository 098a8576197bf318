// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench/top_refresh.c - pftop_bpf at a million states (issue 13): the
 * time one refresh takes (a walk of the state table keeping the 50 rows a
 * view shows) and the memory it needs, at 1,000 states and at N (default
 * 1,000,000), in one run, median of 5 refreshes each.  The target is a
 * refresh well inside pftop's default interval (5 s here, as pftop's) and
 * memory that does not grow with the table: the walk keeps max_rows rows.
 *
 * The datapath object is loaded (not attached) with its maps pinned in a
 * private folder of bpffs, the state table resized for N and filled from
 * user space, as the memory bench does.  Everything is removed on exit.
 *
 *	build/bench-top [N] [OUT]     (make bench-top; OUT default bench/results/top.txt)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pfbpf_types.h"
#include "top/top.h"

#ifndef TOP_BENCH_OBJ
#define TOP_BENCH_OBJ "build/pf_kern.bpf.o"
#endif

static long vm_kib(const char *field)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)) && sscanf(line + strlen(field), "%ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Reset VmHWM to the current RSS (Linux: clear_refs 5). */
static void hwm_reset(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");

	if (f) {
		fputs("5", f);
		fclose(f);
	}
}

/* States [from, to): TCP 203.0.113.(i & 255):(1024 + i / 256) -> 198.51.100.1:443. */
static long fill(int fd, long from, long to)
{
	struct pf_state_key *k = calloc(65536, sizeof(*k));
	struct pf_state *v = calloc(65536, sizeof(*v));
	long done = from;

	while (k && v && done < to) {
		__u32 cnt = to - done < 65536 ? (__u32)(to - done) : 65536;

		for (__u32 i = 0; i < cnt; i++) {
			long n = done + i;

			memset(&k[i], 0, sizeof(k[i]));
			k[i].af = PF_INET;
			k[i].proto = IPPROTO_TCP;
			k[i].addr[0].v4 = htonl(0xcb007100 | (n & 0xff));
			k[i].addr[1].v4 = htonl(0xc6336401);
			k[i].port[0] = htons((__u16)(1024 + n / 256));
			k[i].port[1] = htons(443);
			memset(&v[i], 0, sizeof(v[i]));
			v[i].id = n + 1;
			v[i].pstate[0] = v[i].pstate[1] = TCPS_ESTABLISHED;
			v[i].timeout = PFTM_TCP_ESTABLISHED;
			v[i].rule = PF_RULE_NONE;
			v[i].bytes[0] = n;
		}
		if (bpf_map_update_batch(fd, k, v, &cnt, NULL))
			break;
		done += cnt;
	}
	free(k);
	free(v);
	return done;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median seconds of 5 refreshes, and the peak memory one needed (KiB). */
static int measure(const char *dir, double *secs, long *kib, __u64 *seen)
{
	struct top_snapshot_opts o = { .order = TOP_O_BYTES, .max_rows = 50 };
	double t[5];
	struct top_ctx *c;
	long base, peak = 0;
	int err;

	c = top_open(dir, &err);
	if (!c) {
		fprintf(stderr, "bench-top: %s\n", top_strerror(err, dir));
		return -1;
	}
	for (int i = 0; i < 5; i++) {
		struct top_snapshot s = { 0 };

		hwm_reset();
		base = vm_kib("VmRSS:");
		if ((err = top_snapshot(c, &o, &s))) {
			fprintf(stderr, "bench-top: snapshot: %s\n", strerror(-err));
			top_close(c);
			return -1;
		}
		t[i] = s.elapsed;
		*seen = s.total;
		if (vm_kib("VmHWM:") - base > peak)
			peak = vm_kib("VmHWM:") - base;
		top_snapshot_free(&s);
	}
	top_close(c);
	qsort(t, 5, sizeof(t[0]), cmp_d);
	*secs = t[2];
	*kib = peak;
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000, got;
	const char *out = argc > 2 ? argv[2] : "bench/results/top.txt";
	char dir[] = "/sys/fs/bpf/pfbpf-bench-top-XXXXXX";
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	double s_small = 0, s_big = 0;
	long k_small = 0, k_big = 0;
	__u64 seen_small = 0, seen_big = 0;
	struct bpf_object *obj;
	struct bpf_map *m;
	int fd, rc = 1;
	FILE *f;

	if (n < 1000) {
		fprintf(stderr, "bench-top: N must be at least 1000\n");
		return 2;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "bench-top: cannot make a folder in bpffs (%s): %s; mount -t bpf bpf "
			"/sys/fs/bpf\n", dir, strerror(errno));
		return 1;
	}
	oo.pin_root_path = dir;
	obj = bpf_object__open_file(TOP_BENCH_OBJ, &oo);
	if (!obj) {
		fprintf(stderr, "bench-top: cannot open %s: %s\n", TOP_BENCH_OBJ, strerror(errno));
		goto out_dir;
	}
	{
		struct bpf_program *p;

		/* the maps are what pftop reads: no program needs to load */
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, false);
	}
	m = bpf_object__find_map_by_name(obj, "pf_states");
	if (!m || bpf_map__set_max_entries(m, (__u32)(n + n / 8 + 1024)) || bpf_object__load(obj)) {
		fprintf(stderr, "bench-top: cannot load %s with %ld states\n", TOP_BENCH_OBJ, n);
		goto out_obj;
	}
	fd = bpf_map__fd(m);
	if (fill(fd, 0, 1000) < 1000 || measure(dir, &s_small, &k_small, &seen_small))
		goto out_obj;
	if ((got = fill(fd, 1000, n)) < n) {
		fprintf(stderr, "bench-top: filling stopped at %ld states: %s\n", got, strerror(errno));
		goto out_obj;
	}
	if (measure(dir, &s_big, &k_big, &seen_big))
		goto out_obj;
	f = fopen(out, "w");
	for (int i = 0; i < 2; i++) {
		FILE *w = i ? f : stdout;

		if (!w)
			continue;
		fprintf(w, "pftop_bpf refresh (50 rows shown, order bytes), median of 5\n");
		fprintf(w, "%-28s %12s %14s\n", "states", "seconds", "peak KiB");
		fprintf(w, "%-28llu %12.3f %14ld\n", (unsigned long long)seen_small, s_small, k_small);
		fprintf(w, "%-28llu %12.3f %14ld\n", (unsigned long long)seen_big, s_big, k_big);
		fprintf(w, "refresh at %llu states within pftop's 5 s interval: %s (%.3f s)\n",
			(unsigned long long)seen_big, s_big < 5.0 ? "met" : "missed", s_big);
	}
	if (f)
		fclose(f);
	rc = seen_big == (__u64)n ? 0 : 1;
	if (rc)
		fprintf(stderr, "bench-top: the walk saw %llu states, not %ld\n",
			(unsigned long long)seen_big, n);
out_obj:
	bpf_object__unpin_maps(obj, NULL);
	bpf_object__close(obj);
out_dir:
	rmdir(dir);
	return rc;
}
