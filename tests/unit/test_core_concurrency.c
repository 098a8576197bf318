// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two CPUs on one connection (issue 7 item 12, issue 12 "two CPUs driving
 * packets of one connection"): the client's segments go out through
 * pf_tc_out on CPU 0 while the server's ACKs come in through pf_tc_in on
 * CPU 1, both through BPF_PROG_TEST_RUN, as the ingress and egress hooks
 * of one flow do on a real host.  The client keeps its window full, so every
 * window slide the server's ACKs make must survive: a slide lost to a
 * concurrent write-back of the other peer leaves seqhi short and the
 * client's next in-window segment is dropped as a state mismatch.
 *
 * Counted: segments dropped (state-mismatch), and lost updates seen by
 * each side right after its own packet (its write no longer in the state:
 * the client's seqlo or the server's window slide gone backwards).  With
 * the state lock all must be zero.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include "pf_kern.skel.h"
#include "core_util.h"

TestSuite(core_concurrency, .init = core_setup, .fini = h_teardown, .timeout = 120);

#define CC_SEG 100            /* client payload per segment */
#define CC_WIN (2 * CC_SEG)   /* the server's window: 2 segments, kept full */
#define CC_REPEAT 1           /* runs per BPF_PROG_TEST_RUN (PFBPF_CC_REPEAT) */
#define CC_ISN_C 1000u
#define CC_ISN_S 900000u

struct cc_shared {
	struct h_flow flow;
	int fd_out;               /* pf_tc_out: client -> server */
	int fd_in;                /* pf_tc_in: server -> client */
	int fd_states;
	struct pf_state_key key;
	atomic_uint sent;         /* client: end of the last segment that passed */
	atomic_uint acked;        /* server: last ack that passed */
	atomic_int stop;
	unsigned iters;
};

struct cc_side {
	struct cc_shared *sh;
	int cpu;
	int client;
	unsigned runs, passed, dropped, errors, lost;
};

static int cc_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static unsigned cc_repeat = CC_REPEAT;

/* One BPF_PROG_TEST_RUN with this thread's own output buffer. */
static int cc_run(int fd, struct h_pkt *p)
{
	__u8 out[H_PKT_MAX + 512];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = cc_repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	return (int)o.retval;
}

/* Wait up to ~20 us for new data; returns 1 if some arrived. */
static int cc_dupack_delay(struct cc_shared *sh, __u32 last)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (atomic_load(&sh->sent) != last || atomic_load(&sh->stop))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 20000);
	return 0;
}

static void *cc_thread(void *arg)
{
	struct cc_side *sd = arg;
	struct cc_shared *sh = sd->sh;
	struct h_flow rev = h_flow_rev(&sh->flow);
	__u32 next = CC_ISN_C + 1; /* client: next sequence number to send */
	__u32 last_ack = 0;        /* server: last ack sent */
	struct pf_state s;
	struct h_pkt p;
	unsigned i;

	if (cc_pin(sd->cpu)) {
		sd->errors++;
		return NULL;
	}
	/* the client runs its iterations, the server until the client stops */
	for (i = 0;; i++) {
		int r, ok;

		if (sd->client && i >= sh->iters) {
			atomic_store(&sh->stop, 1);
			break;
		}
		if (!sd->client && atomic_load(&sh->stop))
			break;

		if (sd->client) {
			__u32 acked = atomic_load(&sh->acked), seq = next;

			/* window full: retransmit the last segment */
			if ((__s32)(next + CC_SEG - (acked + CC_WIN)) > 0)
				seq = next - CC_SEG;
			h_tcp(&p, &sh->flow, &(struct h_tcp){ .flags = TH_ACK, .seq = seq,
							      .ack = CC_ISN_S + 1, .win = 65535,
							      .plen = CC_SEG });
			r = cc_run(sh->fd_out, &p);
			ok = r == TC_ACT_OK;
			if (ok && seq == next) {
				next += CC_SEG;
				atomic_store(&sh->sent, next);
			}
		} else {
			__u32 ack = atomic_load(&sh->sent);

			/* nothing new to ack: a duplicate ACK only after a while,
			 * as a receiver's delayed ACK, so a lost window slide
			 * stays lost long enough for the client to run into it */
			if (ack == last_ack && cc_dupack_delay(sh, last_ack))
				continue;
			last_ack = ack;

			h_tcp(&p, &rev, &(struct h_tcp){ .flags = TH_ACK, .seq = CC_ISN_S + 1,
							 .ack = ack, .win = CC_WIN });
			r = cc_run(sh->fd_in, &p);
			ok = r == TC_ACT_OK;
			if (ok)
				atomic_store(&sh->acked, ack);
		}
		sd->runs++;
		if (r < 0) {
			sd->errors++;
			continue;
		}
		if (!ok) {
			sd->dropped++;
			continue;
		}
		sd->passed++;
		/* Our write must still be there: seqlo and seqhi only move
		 * forward, so finding them behind what we set means another
		 * CPU wrote back an older copy. */
		if (bpf_map_lookup_elem(sh->fd_states, &sh->key, &s)) {
			sd->errors++;
			continue;
		}
		if (sd->client) {
			if ((__s32)(s.seqlo[0] - next) < 0)
				sd->lost++;
		} else {
			__u32 ack = atomic_load(&sh->acked);

			if ((__s32)(s.seqhi[0] - (ack + CC_WIN)) < 0)
				sd->lost++;
		}
	}
	return NULL;
}

static unsigned cc_iters(void)
{
	const char *e = getenv("PFBPF_CC_ITERS");

	return e && atoi(e) > 0 ? (unsigned)atoi(e) : 200000;
}

Test(core_concurrency, two_cpus_one_connection)
{
	struct cc_shared sh = { .flow = core_flow(PF_INET, 40000, 80) };
	struct cc_side a = { .sh = &sh, .cpu = 0, .client = 1 };
	struct cc_side b = { .sh = &sh, .cpu = 1, .client = 0 };
	__u64 bad0 = core_counter(PFRES_BADSTATE);
	struct pf_status_pcpu st0, st1;
	__u64 out_pass, in_pass;
	pthread_t ta, tb;
	struct pf_state s;
	__u32 p0[2];
	cpu_set_t set;

	cr_assert_eq(sched_getaffinity(0, sizeof(set), &set), 0);
	cr_assert(CPU_ISSET(0, &set) && CPU_ISSET(1, &set),
		  "this test needs CPUs 0 and 1 (two threads pinned to two CPUs)");
	sh.fd_out = bpf_program__fd(h_skel->progs.pf_tc_out);
	/* pf_tc_in rather than pf_xdp: an XDP test run swaps the XDP
	 * dispatcher's text on every call (text_poke with IPIs to every CPU),
	 * which serialises the two threads and hides the race. */
	sh.fd_in = bpf_program__fd(h_skel->progs.pf_tc_in);
	sh.fd_states = h_map_fd("pf_states");
	sh.iters = cc_iters();
	if (getenv("PFBPF_CC_REPEAT") && atoi(getenv("PFBPF_CC_REPEAT")) > 0)
		cc_repeat = (unsigned)atoi(getenv("PFBPF_CC_REPEAT"));
	cr_assert_eq(h_state_key(&sh.flow, IPPROTO_TCP, PF_OUT, &sh.key), 0);

	/* handshake, one CPU */
	cr_assert_eq(core_tcp(&sh.flow, PF_OUT, TH_SYN, CC_ISN_C, 0, 0), PF_PASS);
	cr_assert_eq(core_tcp(&sh.flow, PF_IN, TH_SYN | TH_ACK, CC_ISN_S, CC_ISN_C + 1, 0),
		     PF_PASS);
	cr_assert_eq(core_tcp(&sh.flow, PF_OUT, TH_ACK, CC_ISN_C + 1, CC_ISN_S + 1, 0), PF_PASS);
	atomic_store(&sh.sent, CC_ISN_C + 1);
	atomic_store(&sh.acked, CC_ISN_C + 1);
	/* the server's first ACK opens its CC_WIN window */
	{
		struct h_flow rev = h_flow_rev(&sh.flow);
		struct h_pkt p;

		h_tcp(&p, &rev, &(struct h_tcp){ .flags = TH_ACK, .seq = CC_ISN_S + 1,
						 .ack = CC_ISN_C + 1, .win = CC_WIN });
		cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	}

	cr_assert_eq(h_state_get(&sh.flow, IPPROTO_TCP, PF_OUT, &s), 0);
	p0[0] = s.packets[0];
	p0[1] = s.packets[1];
	cr_assert_eq(h_status(&st0), 0);
	cr_assert_eq(pthread_create(&ta, NULL, cc_thread, &a), 0);
	cr_assert_eq(pthread_create(&tb, NULL, cc_thread, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);

	cr_assert_eq(h_state_get(&sh.flow, IPPROTO_TCP, PF_OUT, &s), 0);
	printf("two_cpus_one_connection: client %u runs (%u passed, %u dropped, %u lost), "
	       "server %u runs (%u passed, %u dropped, %u lost), state-mismatch +%llu, "
	       "client advanced %u bytes\n",
	       a.runs, a.passed, a.dropped, a.lost, b.runs, b.passed, b.dropped, b.lost,
	       (unsigned long long)(core_counter(PFRES_BADSTATE) - bad0),
	       atomic_load(&sh.sent) - (CC_ISN_C + 1));
	cr_expect_eq(a.errors + b.errors, 0, "BPF_PROG_TEST_RUN or map reads failed");
	cr_expect_gt(a.passed, 0);
	cr_expect_gt(b.passed, 0);
	cr_expect_eq(a.dropped + b.dropped, 0, "in-window segments dropped: %u client, %u server",
		     a.dropped, b.dropped);
	cr_expect_eq(core_counter(PFRES_BADSTATE) - bad0, 0, "state-mismatch drops");
	cr_expect_eq(a.lost + b.lost, 0, "lost updates: %u of the client's, %u of the server's",
		     a.lost, b.lost);
	/* invariants of the final state */
	cr_expect_eq(s.pstate[0], TCPS_ESTABLISHED);
	cr_expect_eq(s.pstate[1], TCPS_ESTABLISHED);
	cr_expect_eq(s.seqlo[0], atomic_load(&sh.sent), "client seqlo %u, last sent %u",
		     s.seqlo[0], atomic_load(&sh.sent));
	cr_expect((__s32)(s.seqhi[0] - (atomic_load(&sh.acked) + CC_WIN)) >= 0,
		  "client seqhi %u behind last ack + window %u", s.seqhi[0],
		  atomic_load(&sh.acked) + CC_WIN);
	/* counters add up: every run that passed was counted by its peer
	 * (pf_status counts each run's verdict on its own CPU) */
	cr_assert_eq(h_status(&st1), 0);
	out_pass = st1.pcounters[PF_AF_IDX_INET][PF_DIR_IDX_OUT][PF_PASS] -
		   st0.pcounters[PF_AF_IDX_INET][PF_DIR_IDX_OUT][PF_PASS];
	in_pass = st1.pcounters[PF_AF_IDX_INET][PF_DIR_IDX_IN][PF_PASS] -
		  st0.pcounters[PF_AF_IDX_INET][PF_DIR_IDX_IN][PF_PASS];
	cr_expect_eq(s.packets[0] - p0[0], out_pass, "client packets +%u, %llu passed",
		     s.packets[0] - p0[0], (unsigned long long)out_pass);
	cr_expect_eq(s.packets[1] - p0[1], in_pass, "server packets +%u, %llu passed",
		     s.packets[1] - p0[1], (unsigned long long)in_pass);
}
