// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * inject.bpf.c - a test-only event source for pftrace.  User space cannot
 * write into a BPF ring buffer, so this SEC("syscall") program, run with
 * BPF_PROG_TEST_RUN, writes the event it is handed into the datapath's
 * pinned pf_events `count` times, exactly as the datapath would, and counts
 * what does not fit in pf_status.events_lost / ip_events_lost the way the
 * datapath does.  It declares the datapath's maps (pf_maps.h) so that it
 * reuses the pins of a loaded datapath, or creates them when none is.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "pf_maps.h"

struct inject_req {
	__u32 count;      /* how many copies */
	__u32 id_step;    /* added to state.id per copy (state events) */
	union {
		__u8 type;
		struct pf_event pf;
		struct pf_ip_event ip;
	};
	__u64 lost;       /* out: copies that did not fit */
};

struct loop_ctx {
	struct pf_event pf;
	struct pf_ip_event ip;
	__u32 id_step;
	__u64 lost;
};

static long one(__u32 i, void *data)
{
	struct loop_ctx *c = data;
	struct pf_status_pcpu *st = pf_status_get();
	bool ip = c->pf.type >= PF_EV_IP_RECEIVE;
	long err;

	if (ip) {
		err = bpf_ringbuf_output(&pf_events, &c->ip, sizeof(c->ip), 0);
	} else {
		err = bpf_ringbuf_output(&pf_events, &c->pf, sizeof(c->pf), 0);
		c->pf.state.id += c->id_step;
	}
	if (err) {
		c->lost++;
		if (st && ip)
			st->ip_events_lost++;
		else if (st)
			st->events_lost++;
	}
	return 0;
}

SEC("syscall")
int pftrace_inject(struct inject_req *req)
{
	struct loop_ctx c = {};

	__builtin_memcpy(&c.pf, &req->pf, sizeof(c.pf));
	__builtin_memcpy(&c.ip, &req->ip, sizeof(c.ip));
	c.id_step = req->id_step;
	bpf_loop(req->count, one, &c, 0);
	req->lost = c.lost;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
