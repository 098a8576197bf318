// SPDX-License-Identifier: BSD-2-Clause
/*
 * pkt_fuzz - libFuzzer target for the datapath itself: every input is a
 * frame run through one of the three programs (XDP ingress, tc ingress, tc
 * egress) with BPF_PROG_TEST_RUN, against a ruleset with state, block,
 * `block return` and ICMP rules, so the parser, the TCP tracker, ICMP error
 * matching and the answer builders all see mutated input.
 *
 * Byte 0 of the input picks the program, the rest is the frame.  After
 * each run the invariants a firewall must keep are checked, and a breach
 * aborts (libFuzzer saves the input):
 *  - the verdict is one the hook allows (XDP pass/drop/tx/redirect, tc
 *    ok/shot/redirect) and the program did not fail;
 *  - a dropped packet created no state;
 *  - every packet is counted: once in the pass/drop matrix when it was
 *    judged, in `unhandled` when it was not IP, or, when it was too broken
 *    to judge (short, bad offset), under its drop reason;
 *  - every 512 runs, the state counter equals the entries in pf_states,
 *    and the table is flushed through pf_ctl so the run does not fill it.
 *
 * Needs root (it loads BPF).  Seeds: valid TCP, UDP, ICMP and ICMPv6
 * frames of the harness are written into the first corpus folder at start
 * when PFBPF_FUZZ_SEEDS names it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define FAIL(...)                                              \
	do {                                                   \
		fprintf(stderr, "pkt_fuzz: invariant: " __VA_ARGS__); \
		fputc('\n', stderr);                           \
		abort();                                       \
	} while (0)

static unsigned long runs;

/*
 * The BPF program is not instrumented, so libFuzzer would mutate blind.
 * What the datapath did is fed back instead as extra coverage: which
 * reason and state counters moved, the verdict per program, whether a
 * state was made, so an input that reaches a new drop reason or a new
 * path through the tracker is kept.
 */
#define XC_PFRES 0
#define XC_LCNT 64
#define XC_FCNT 96
#define XC_VERDICT 128
#define XC_STATE 192
#define XC_OTHER 200
static uint8_t xcov[256] __attribute__((used, section("__libfuzzer_extra_counters")));

static void feedback(const struct pf_status_pcpu *a, const struct pf_status_pcpu *b, int hook,
		     int ret, int created)
{
	for (int i = 0; i < PFRES_MAX && i < 64; i++)
		if (b->counters[i] != a->counters[i])
			xcov[XC_PFRES + i]++;
	for (int i = 0; i < LCNT_MAX && i < 32; i++)
		if (b->lcounters[i] != a->lcounters[i])
			xcov[XC_LCNT + i]++;
	for (int i = 0; i < FCNT_MAX && i < 32; i++)
		if (b->fcounters[i] != a->fcounters[i])
			xcov[XC_FCNT + i]++;
	xcov[XC_VERDICT + hook * 16 + (ret & 15)]++;
	if (created)
		xcov[XC_STATE + hook]++;
	if (b->unhandled != a->unhandled)
		xcov[XC_OTHER]++;
	if (b->icmp_err_nostate != a->icmp_err_nostate)
		xcov[XC_OTHER + 1]++;
	if (b->return_rst != a->return_rst)
		xcov[XC_OTHER + 2]++;
	if (b->return_icmp != a->return_icmp)
		xcov[XC_OTHER + 3]++;
}

static void ruleset(void)
{
	struct pfbpf_rule r[6];
	int err;

	r[0] = h_rule(PF_DROP, PF_IN, 0, 0);
	r[1] = h_rule(PF_PASS, PF_OUT, 0, 1);
	r[2] = h_rule(PF_PASS, PF_IN, 6, 1);
	r[3] = h_rule(PF_PASS, PF_IN, 17, 1);
	r[4] = h_rule(PF_DROP, PF_IN, 1, 0);       /* block return on ICMP */
	r[4].rule_flag = PFRULE_RETURNICMP;
	r[4].quick = 1;
	r[5] = h_rule(PF_PASS, PF_INOUT, 58, 1);
	err = h_rules(r, 6);
	if (err) {
		fprintf(stderr, "pkt_fuzz: cannot install the ruleset: %s\n", strerror(-err));
		exit(1);
	}
}

static void seed(const char *dir, const char *name, const struct h_pkt *p, __u8 hook)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fputc(hook, f);
	fwrite(p->buf, 1, p->len, f);
	fclose(f);
}

static void write_seeds(const char *dir)
{
	struct h_flow f4 = H_FLOW4("192.0.2.1", 40000, "198.51.100.2", 22);
	struct h_flow f6 = H_FLOW6("2001:db8::1", 40000, "2001:db8:1::2", 53);
	struct h_flow r4 = h_flow_rev(&f4);
	struct h_pkt p;

	h_tcp(&p, &f4, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000, .mss = 1460,
					 .has_wscale = 1, .wscale = 7, .win = 65535 });
	seed(dir, "tcp-syn", &p, 0);
	seed(dir, "tcp-syn-out", &p, 2);
	h_tcp(&p, &r4, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000, .ack = 1001,
					 .win = 65535 });
	seed(dir, "tcp-synack", &p, 1);
	h_tcp(&p, &f4, &(struct h_tcp){ .flags = TH_ACK, .seq = 1001, .ack = 5001, .win = 512,
					 .plen = 100 });
	seed(dir, "tcp-data", &p, 0);
	h_udp(&p, &f6, 32, NULL);
	seed(dir, "udp6", &p, 0);
	seed(dir, "udp6-out", &p, 2);
	h_udp(&p, &f4, 8, NULL);
	seed(dir, "udp4", &p, 1);
	h_icmp(&p, &f4, 8, 0, 1, NULL, 0);
	seed(dir, "icmp-echo", &p, 0);
	h_icmp(&p, &f6, 128, 0, 1, NULL, 0);
	seed(dir, "icmp6-echo", &p, 2);
	{
		struct h_pkt q;

		h_udp(&q, &f4, 8, NULL);
		h_icmp(&p, &r4, 3, 3, 0, &q, 0);
		seed(dir, "icmp-unreach", &p, 0);
		h_tcp(&q, &f6, &(struct h_tcp){ .flags = TH_SYN, .seq = 1 });
		h_icmp(&p, &f6, 1, 4, 0, &q, 0);
		seed(dir, "icmp6-unreach", &p, 1);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *seeds = getenv("PFBPF_FUZZ_SEEDS");
	int err = h_load(4096);

	(void)argc;
	(void)argv;
	if (err) {
		fprintf(stderr, "pkt_fuzz: cannot load build/pf_kern.bpf.o: %s "
			"(run as root; BPF, BTF and BPF_PROG_TEST_RUN are required)\n",
			strerror(-err));
		exit(1);
	}
	ruleset();
	if (seeds)
		write_seeds(seeds);
	return 0;
}

/* Packets in the pass/drop matrix plus the frames passed uninspected. */
static __u64 counted(const struct pf_status_pcpu *s)
{
	const __u64 *p = &s->pcounters[0][0][0];
	size_t n = sizeof(s->pcounters) / sizeof(*p);
	__u64 sum = s->unhandled;

	for (size_t i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

/* Drop reasons (a rule match is not one). */
static __u64 reasons(const struct pf_status_pcpu *s)
{
	__u64 sum = 0;

	for (int i = PFRES_MATCH + 1; i < PFRES_MAX; i++)
		sum += s->counters[i];
	return sum;
}

static void flush_states(void)
{
	struct pf_ctl_req req = { .op = PF_CTL_KILL, .reason = PF_DESTROY_FLUSHED,
				  .rule = PF_RULE_NONE };
	union h_event ev[H_EV_MAX];

	if (h_ctl(&req) < 0 || req.result)
		FAIL("pf_ctl KILL failed: %d", req.result);
	while (h_events(ev, H_EV_MAX) == H_EV_MAX)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_status_pcpu s0, s1;
	struct pf_gcount g0, g1;
	struct h_pkt p;
	int hook, ret, dropped;

	if (size < 2 || size - 1 > H_PKT_MAX)
		return -1;
	hook = data[0] % 3;
	memcpy(p.buf, data + 1, size - 1);
	p.len = (__u32)(size - 1);
	if (h_status(&s0) || h_gcount(&g0))
		FAIL("cannot read the counters");
	/* The kernel refuses to run some frames at all (an skb shorter than
	 * its L3 header claims: -EINVAL); those never reach a program. */
	if (hook == 0) {
		ret = h_xdp(&p);
		if (ret == -EINVAL)
			return -1;
		if (ret != XDP_PASS && ret != XDP_DROP && ret != XDP_TX && ret != XDP_REDIRECT)
			FAIL("XDP verdict %d", ret);
		dropped = ret == XDP_DROP;
	} else {
		ret = h_tc(hook == 1 ? PF_IN : PF_OUT, &p);
		if (ret == -EINVAL)
			return -1;
		if (ret != TC_ACT_OK && ret != TC_ACT_SHOT && ret != TC_ACT_REDIRECT)
			FAIL("tc verdict %d", ret);
		dropped = ret == TC_ACT_SHOT;
	}
	if (h_status(&s1) || h_gcount(&g1))
		FAIL("cannot read the counters");
	feedback(&s0, &s1, hook, ret, g1.states > g0.states);
	/* pf_test keeps the state a rule made for a packet it then drops
	 * for its IPv4 options (pf.c: the ip-option check follows
	 * pf_test_rule), so that is the one drop that may leave a state. */
	if (dropped && g1.states > g0.states &&
	    s1.counters[PFRES_IPOPTIONS] == s0.counters[PFRES_IPOPTIONS])
		FAIL("a dropped packet created a state (%lld -> %lld)", (long long)g0.states,
		     (long long)g1.states);
	if (counted(&s1) - counted(&s0) > 1)
		FAIL("packet counted %llu times", (unsigned long long)(counted(&s1) - counted(&s0)));
	if (counted(&s1) == counted(&s0) && reasons(&s1) == reasons(&s0))
		FAIL("packet counted nowhere (verdict %d)", ret);
	if (++runs % 512 == 0) {
		int n = h_state_count();

		if (n != g1.states)
			FAIL("%d entries in pf_states, counter says %lld", n, (long long)g1.states);
		flush_states();
	}
	return 0;
}
