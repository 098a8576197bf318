// SPDX-License-Identifier: BSD-2-Clause
/*
 * watch.c - pfctl_bpf --watch-addresses: stay running and recompile the
 * ruleset when an interface address changes, so rules written with
 * `($if)` follow the interface as pf's do (pf updates its dynamic
 * addresses in the kernel; here the classifier holds expanded addresses,
 * DIOCIFADDRSYNC in include/pfbpf_ioctl.h).  What pfbpf-ifwatch.service
 * runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "kern.h"
#include "lib/ifwatch.h"
#include "lib/log.h"
#include "pfbpf.h"

static volatile sig_atomic_t watch_stop;

static void on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

struct watch_arg {
	int dev;
	bool quiet;
};

static int on_change(void *p)
{
	struct watch_arg *w = p;
	__u32 done = 0;

	if (pfbpf_ioctl(w->dev, DIOCIFADDRSYNC, &done)) {
		/* a ruleset that no longer compiles (an interface gone) stays
		 * as it was: say so and keep watching */
		pr_warn("interface addresses changed; the ruleset stays as it was: %s",
			pfbpf_strerror(w->dev));
		return 0;
	}
	if (done && !w->quiet) {
		printf("pfctl_bpf: interface addresses changed: ruleset compiled again\n");
		fflush(stdout);
	}
	return 0;
}

int pfctl_watch_addresses(struct pfctl_ctx *c)
{
	struct watch_arg w = { .quiet = !!(c->opts & PFCTL_OPT_QUIET) };
	struct sigaction sa = { .sa_handler = on_signal };
	int err;

	w.dev = pfctl_k_open(c->device, true);
	if (w.dev < 0)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* addresses may have changed while nobody watched */
	on_change(&w);
	err = pfbpf_ifwatch(on_change, &w, &watch_stop);
	pfctl_k_close(w.dev);
	if (err) {
		pr_warn("watching interface addresses: %s", strerror(-err));
		return 1;
	}
	return 0;
}
