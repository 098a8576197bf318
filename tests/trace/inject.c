// SPDX-License-Identifier: BSD-2-Clause
/*
 * pftrace-inject - feed pftrace's tests with events through the real ring
 * buffer (see inject.bpf.c).  Test tool, not installed.
 *
 *   pftrace-inject init            create/reuse the pins and exit
 *   pftrace-inject session [N]     N TCP connections: create, changes,
 *                                  established, closed, destroy
 *   pftrace-inject flood N         N state-create events
 *   pftrace-inject ip N [receive|send]  N packet events
 *
 * Prints "lost N" (events that did not fit in the ring buffer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/pfbpf_maps.h"
#include "pftrace_inject.skel.h"
#include "trace_fixtures.h"

struct inject_req {
	__u32 count;
	__u32 id_step;
	union {
		__u8 type;
		struct pf_event pf;
		struct pf_ip_event ip;
	};
	__u64 lost;
};

static struct pftrace_inject *skel;
static unsigned long long lost;

static int fire(struct inject_req *req)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = req, .ctx_size_in = sizeof(*req));
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.pftrace_inject), &o);

	if (err) {
		fprintf(stderr, "pftrace-inject: test run: %s\n", strerror(errno));
		return -1;
	}
	lost += req->lost;
	return 0;
}

static int pf(const struct pf_event *ev, unsigned int count, unsigned int id_step)
{
	struct inject_req req = { .count = count, .id_step = id_step };

	req.pf = *ev;
	return fire(&req);
}

static int session(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);
		static const __u8 steps[][2] = {
			{ TCPS_SYN_SENT, TCPS_SYN_SENT },
			{ TCPS_ESTABLISHED, TCPS_SYN_SENT },
			{ TCPS_ESTABLISHED, TCPS_ESTABLISHED },
			{ TCPS_FIN_WAIT_2, TCPS_FIN_WAIT_2 },
			{ TCPS_TIME_WAIT, TCPS_TIME_WAIT },
		};

		ev.key[0].port[0] = ev.key[1].port[0] = htons(40000 + i);
		ev.state.id += i;
		if (pf(&ev, 1, 0))
			return -1;
		for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			ev.type = PF_EV_STATE_CHANGE;
			ev.old_pstate[0] = ev.state.pstate[0];
			ev.old_pstate[1] = ev.state.pstate[1];
			ev.state.pstate[0] = steps[s][0];
			ev.state.pstate[1] = steps[s][1];
			ev.state.packets[0] += 1;
			ev.state.packets[1] += 1;
			ev.state.bytes[0] += 60;
			ev.state.bytes[1] += 60;
			if (pf(&ev, 1, 0))
				return -1;
			/* The datapath follows the change with the summary event. */
			if (s == 2 || s == 3) {
				ev.type = s == 2 ? PF_EV_TCP_ESTABLISHED : PF_EV_TCP_CLOSED;
				if (pf(&ev, 1, 0))
					return -1;
			}
		}
		ev.type = PF_EV_STATE_DESTROY;
		ev.reason = PF_DESTROY_EXPIRED;
		if (pf(&ev, 1, 0))
			return -1;
	}
	return 0;
}

static int mkdir_p(const char *path)
{
	char tmp[512];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0700) && errno != EEXIST ? -1 : 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pfbpf_pin_dir());
	const char *cmd = argc > 1 ? argv[1] : "";
	unsigned int n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
	int r = 0;

	/* libbpf pins into the folder but does not create it (iproute2 does). */
	if (mkdir_p(pfbpf_pin_dir())) {
		fprintf(stderr, "pftrace-inject: mkdir %s: %s\n", pfbpf_pin_dir(), strerror(errno));
		return 1;
	}
	skel = pftrace_inject__open_opts(&oo);
	if (!skel) {
		fprintf(stderr, "pftrace-inject: open: %s\n", strerror(errno));
		return 1;
	}
	pfbpf_obj_match_pins(skel->obj, pfbpf_pin_dir(), NULL, 0);
	if (pftrace_inject__load(skel)) {
		fprintf(stderr, "pftrace-inject: load (pins in %s): %s\n", pfbpf_pin_dir(),
			strerror(errno));
		return 1;
	}
	if (!strcmp(cmd, "init")) {
		r = 0;
	} else if (!strcmp(cmd, "session")) {
		r = session(n);
	} else if (!strcmp(cmd, "flood")) {
		struct pf_event ev = fx_tcp_in(PF_EV_STATE_CREATE);

		/* bpf_loop allows 8M iterations; one run per 100k keeps runs short. */
		for (unsigned int done = 0; !r && done < n; done += 100000)
			r = pf(&ev, n - done < 100000 ? n - done : 100000, 1);
	} else if (!strcmp(cmd, "ip")) {
		struct inject_req req = { .count = n };

		req.ip = fx_ip4(argc > 3 && !strcmp(argv[3], "send") ? PF_EV_IP_SEND
								      : PF_EV_IP_RECEIVE);
		r = fire(&req);
	} else {
		fprintf(stderr, "usage: pftrace-inject init | session [N] | flood N | ip N [receive|send]\n");
		r = 2;
	}
	if (!r)
		printf("lost %llu\n", lost);
	pftrace_inject__destroy(skel);
	return r ? 1 : 0;
}
