// SPDX-License-Identifier: BSD-2-Clause
/* Drop accounting: per-CPU deltas of the datapath's lost-event counters. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "trace/trace.h"

struct seen {
	int n;
	unsigned int cpu[8];
	__u64 state[8], ip[8];
};

static void record(void *ctx, unsigned int cpu, __u64 state, __u64 ip)
{
	struct seen *s = ctx;

	s->cpu[s->n] = cpu;
	s->state[s->n] = state;
	s->ip[s->n] = ip;
	s->n++;
}

Test(trace_drops, deltas_per_cpu)
{
	struct pf_status_pcpu pc[3];
	struct trace_drops d;
	struct seen s = { 0 };

	memset(pc, 0, sizeof(pc));
	cr_assert_eq(trace_drops_init(&d, 3), 0);
	/* Losses before pftrace started are not reported. */
	pc[0].events_lost = 100;
	pc[2].ip_events_lost = 7;
	trace_drops_baseline(&d, pc);
	cr_assert_eq(trace_drops_update(&d, pc, record, &s), 0);
	cr_assert_eq(s.n, 0);

	pc[0].events_lost = 103;
	pc[2].ip_events_lost = 17;
	pc[2].events_lost = 1;
	cr_assert_eq(trace_drops_update(&d, pc, record, &s), 2);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.cpu[0], 0);
	cr_assert_eq(s.state[0], 3);
	cr_assert_eq(s.ip[0], 0);
	cr_assert_eq(s.cpu[1], 2);
	cr_assert_eq(s.state[1], 1);
	cr_assert_eq(s.ip[1], 10);
	cr_assert_eq(d.total_state, 4);
	cr_assert_eq(d.total_ip, 10);

	/* Nothing new: nothing reported. */
	cr_assert_eq(trace_drops_update(&d, pc, record, &s), 0);
	cr_assert_eq(s.n, 2);

	/* Datapath reloaded: counters restart lower, that is a new baseline. */
	pc[0].events_lost = 2;
	cr_assert_eq(trace_drops_update(&d, pc, record, &s), 0);
	pc[0].events_lost = 5;
	cr_assert_eq(trace_drops_update(&d, pc, record, &s), 1);
	cr_assert_eq(s.state[2], 3);
	cr_assert_eq(d.total_state, 7);
	trace_drops_free(&d);
}

Test(trace_drops, null_report_still_counts)
{
	struct pf_status_pcpu pc[1];
	struct trace_drops d;

	memset(pc, 0, sizeof(pc));
	cr_assert_eq(trace_drops_init(&d, 1), 0);
	trace_drops_baseline(&d, pc);
	pc[0].events_lost = 9;
	cr_assert_eq(trace_drops_update(&d, pc, NULL, NULL), 1);
	cr_assert_eq(d.total_state, 9);
	trace_drops_free(&d);
}

/* The registry of packet-event users (pf_config.trace reference counting). */
Test(trace_ipctl, union_of_live_registrants)
{
	char dir[] = "/tmp/pftrace-reg-XXXXXX";
	char path[128];
	FILE *f;
	pid_t child;
	int other;

	cr_assert_not_null(mkdtemp(dir));
	/* A live registrant (our parent stands in for another pftrace). */
	snprintf(path, sizeof(path), "%s/%d", dir, (int)getppid());
	f = fopen(path, "w");
	fprintf(f, "%u\n", PF_TRACE_IP_SEND);
	fclose(f);
	/* A dead one: a child that has exited and been reaped. */
	child = fork();
	if (!child)
		_exit(0);
	waitpid(child, NULL, 0);
	snprintf(path, sizeof(path), "%s/%d", dir, (int)child);
	f = fopen(path, "w");
	fprintf(f, "%u\n", PF_TRACE_IP_RECEIVE);
	fclose(f);

	cr_assert_eq(trace_ip_union(dir, getpid(), 0, &other), PF_TRACE_IP_SEND);
	cr_assert_eq(other, getppid(), "the live registrant is named");
	cr_assert_eq(access(path, F_OK), -1, "a dead registrant's file is removed");
	cr_assert_eq(trace_ip_union(dir, getpid(), PF_TRACE_IP_RECEIVE, NULL),
		     PF_TRACE_IP_SEND | PF_TRACE_IP_RECEIVE);
	/* Our own file is ignored in favour of the bits we pass. */
	snprintf(path, sizeof(path), "%s/%d", dir, (int)getpid());
	f = fopen(path, "w");
	fprintf(f, "%u\n", PF_TRACE_IP_RECEIVE);
	fclose(f);
	cr_assert_eq(trace_ip_union(dir, getpid(), 0, NULL), PF_TRACE_IP_SEND);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d", dir, (int)getppid());
	unlink(path);
	cr_assert_eq(trace_ip_union(dir, getpid(), 0, &other), 0);
	cr_assert_eq(other, 0, "nobody else");
	rmdir(dir);
}

/* Two instances on one (unpinned) config map: neither switches off the other. */
Test(trace_ipctl, two_instances_share_the_switch)
{
	struct trace_ipctl me;
	struct pf_config cfg = { .debug = 2, .trace = 0 };
	__u32 zero = 0;
	int fd, status;
	pid_t child;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pf_config", 4, sizeof(cfg), 1, NULL);
	cr_assert_geq(fd, 0, "bpf_map_create: %s (needs root)", strerror(errno));
	cr_assert_eq(bpf_map_update_elem(fd, &zero, &cfg, 0), 0);

	cr_assert_eq(trace_ip_enable(&me, fd, PF_TRACE_IP_RECEIVE), 0);
	cr_assert_eq(bpf_map_lookup_elem(fd, &zero, &cfg), 0);
	cr_assert_eq(cfg.trace, PF_TRACE_IP_RECEIVE);
	cr_assert_eq(cfg.debug, 2, "other config fields are kept");

	child = fork();
	if (!child) {
		struct trace_ipctl other;
		struct pf_config c;

		if (trace_ip_enable(&other, fd, PF_TRACE_IP_SEND))
			_exit(1);
		bpf_map_lookup_elem(fd, &zero, &c);
		if (c.trace != (PF_TRACE_IP_RECEIVE | PF_TRACE_IP_SEND))
			_exit(2);
		trace_ip_disable(&other);
		bpf_map_lookup_elem(fd, &zero, &c);
		/* The parent still wants receive events. */
		_exit(c.trace == PF_TRACE_IP_RECEIVE ? 0 : 3);
	}
	waitpid(child, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);

	cr_assert_eq(trace_ip_disable(&me), 0);
	cr_assert_eq(trace_ip_disable(&me), 0, "idempotent");
	cr_assert_eq(bpf_map_lookup_elem(fd, &zero, &cfg), 0);
	cr_assert_eq(cfg.trace, 0);
	cr_assert_eq(cfg.debug, 2);
	close(fd);
}
