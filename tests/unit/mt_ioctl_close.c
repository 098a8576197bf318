// SPDX-License-Identifier: BSD-2-Clause
/*
 * mt_ioctl_close.c - one libpfbpf handle hammered from several threads, as
 * a daemon would use it, while another thread closes it; built with
 * ThreadSanitizer (mk/ioctl.mk) together with the library, so a data race
 * or a use after free in pfbpf_ioctl/pfbpf_close/pfbpf_strerror is
 * reported and fails the run.
 *
 * Not a Criterion test: Criterion's runner is not instrumented and forks;
 * this is one plain process printing TAP lines.  The datapath's maps are
 * loaded from the object file and pinned in a private bpffs folder, and
 * pf_ctl is left for the library to load (the first writers race for it).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "pfbpf.h"

#define NTHREADS 4
#define ROUNDS 12
/* Calls every thread makes on a handle before it is closed under them. */
#define CALLS_BEFORE_CLOSE 40

static char pin_dir[128];
static struct bpf_object *obj;
static int failed, tests;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!ok)
		failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void cleanup(void)
{
	DIR *d = opendir(pin_dir);
	struct dirent *e;
	char path[400];

	bpf_object__close(obj);
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(pin_dir);
}

static int setup(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct bpf_program *p;
	int err;

	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/pfbpf-test-mt-%d", getpid());
	if (mkdir(pin_dir, 0700)) {
		fprintf(stderr, "FAIL: mkdir %s: %s (needs root and bpffs on /sys/fs/bpf)\n",
			pin_dir, strerror(errno));
		return -1;
	}
	setenv("PFBPF_PIN_DIR", pin_dir, 1);
	obj = bpf_object__open_file(CTL_BPF_OBJ, &opts);
	if (!obj) {
		fprintf(stderr, "FAIL: open %s: %s\n", CTL_BPF_OBJ, strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, false);
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "FAIL: load %s: %s\n", CTL_BPF_OBJ, strerror(-err));
		return -1;
	}
	return 0;
}

struct worker {
	pthread_t t;
	int id;
	int dev;
	atomic_int *calls;      /* calls made by all workers on dev */
	int ended_ebadf;        /* the loop ended on EBADF (handle closed) */
	int other_errors;
	int own_reason;         /* pfbpf_strerror gave this thread's reason */
	char bad[512];
};

/* Until the handle is gone: reads, a write through pf_ctl, and a command
 * that fails with a reason naming this thread. */
static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned long bogus = 0x4400ff00ul + w->id; /* no such DIOC command */
	char want[32];
	int i;

	snprintf(want, sizeof(want), "0x%lx", bogus);
	for (i = 0;; i++) {
		struct pf_status st;
		struct pfioc_states ps = { .ps_len = 0 };
		struct pfioc_state_kill psk = {};
		int rc;

		switch (i % 4) {
		case 0:
			rc = pfbpf_ioctl(w->dev, DIOCGETSTATUS, &st);
			break;
		case 1:
			rc = pfbpf_ioctl(w->dev, DIOCGETSTATES, &ps);
			break;
		case 2:
			rc = pfbpf_ioctl(w->dev, DIOCCLRSTATES, &psk);
			break;
		default:
			rc = pfbpf_ioctl(w->dev, bogus, &st);
			if (rc && errno == ENOTTY) {
				const char *why = pfbpf_strerror(w->dev);

				if (strstr(why, want))
					w->own_reason++;
				else if (!w->bad[0])
					snprintf(w->bad, sizeof(w->bad), "reason '%s' is not this "
						 "thread's (%s)", why, want);
				rc = 0;
			}
		}
		atomic_fetch_add(w->calls, 1);
		if (rc && errno == EBADF) {
			w->ended_ebadf = 1;
			break;
		}
		if (rc) {
			w->other_errors++;
			if (!w->bad[0])
				snprintf(w->bad, sizeof(w->bad), "call %d: %s", i % 4,
					 pfbpf_strerror(w->dev));
		}
	}
	return NULL;
}

/* Opens failing in several threads at once each report their own folder. */
static void *open_fail(void *arg)
{
	struct worker *w = arg;
	char dir[200];

	snprintf(dir, sizeof(dir), "%s-missing-%d", pin_dir, w->id);
	for (int i = 0; i < 50; i++) {
		if (pfbpf_open(dir, O_RDONLY) != -1 || errno != ENOENT) {
			snprintf(w->bad, sizeof(w->bad), "open of %s did not fail with ENOENT", dir);
			return NULL;
		}
		if (!strstr(pfbpf_strerror(-1), dir)) {
			snprintf(w->bad, sizeof(w->bad), "open reason '%s' does not name %s",
				 pfbpf_strerror(-1), dir);
			return NULL;
		}
		w->own_reason++;
	}
	return NULL;
}

static void round_close_under_calls(int round)
{
	struct worker w[NTHREADS];
	atomic_int calls = 0;
	int dev = pfbpf_open(NULL, O_RDWR), i, ebadf = 0, other = 0, own = 0;
	const char *bad = "";

	if (dev < 0) {
		check(false, "round %d: pfbpf_open(%s): %s", round, pin_dir, pfbpf_strerror(-1));
		return;
	}
	memset(w, 0, sizeof(w));
	for (i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		w[i].dev = dev;
		w[i].calls = &calls;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	while (atomic_load(&calls) < NTHREADS * CALLS_BEFORE_CLOSE)
		usleep(100);
	check(pfbpf_close(dev) == 0, "round %d: pfbpf_close while %d threads call", round,
	      NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].t, NULL);
		ebadf += w[i].ended_ebadf;
		other += w[i].other_errors;
		own += w[i].own_reason;
		if (w[i].bad[0] && !bad[0])
			bad = w[i].bad;
	}
	check(ebadf == NTHREADS, "round %d: every thread then got EBADF (%d of %d)", round,
	      ebadf, NTHREADS);
	check(other == 0 && !bad[0], "round %d: no other failure (%d) %s", round, other, bad);
	check(own > 0, "round %d: failures read back each thread's own reason (%d)", round, own);
}

int main(void)
{
	struct worker w[NTHREADS];
	const char *bad = "";
	int own = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup()) {
		cleanup();
		return 1;
	}
	for (int r = 0; r < ROUNDS; r++)
		round_close_under_calls(r);

	errno = 0;
	check(pfbpf_ioctl(12345, DIOCGETSTATUS, &(struct pf_status){}) == -1 && errno == EBADF,
	      "a handle never opened: EBADF");
	check(pfbpf_close(12345) == -1 && errno == EBADF, "closing it: EBADF");

	memset(w, 0, sizeof(w));
	for (int i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		pthread_create(&w[i].t, NULL, open_fail, &w[i]);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(w[i].t, NULL);
		own += w[i].own_reason;
		if (w[i].bad[0] && !bad[0])
			bad = w[i].bad;
	}
	check(!bad[0] && own == NTHREADS * 50, "failed opens in %d threads: each its own reason %s",
	      NTHREADS, bad);

	cleanup();
	printf("1..%d\n", tests);
	return failed ? 1 : 0;
}
