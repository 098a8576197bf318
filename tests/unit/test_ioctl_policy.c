// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_policy.c - policy commands on the real maps: DIOCKILLSTATES
 * by port (matched in user space, killed one by one through pf_ctl with
 * destroy events), DIOCSETSTATEPOLICY/DIOCGETSTATEPOLICY (states made by
 * XDP packets carry PFSTATE_F_IFBOUND or not), and adaptive timeouts set to
 * 0 (scaling off, read back as 0, and the datapath's sweep agreeing).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"
#include "harness.h"

static int killed_events(void);

/* Four TCP states from 192.0.2.1, ports chosen to tell the operators apart. */
static void four(void)
{
	cr_assert_eq(env_add_state4("192.0.2.1", 40000, "198.51.100.2", 22, PF_IN, 0), 0, "%s",
		     pfbpf_strerror(env_dev));
	cr_assert_eq(env_add_state4("192.0.2.1", 40001, "198.51.100.2", 80, PF_IN, 0), 0);
	cr_assert_eq(env_add_state4("192.0.2.1", 50000, "198.51.100.2", 443, PF_IN, 0), 0);
	cr_assert_eq(env_add_state4("192.0.2.1", 60000, "203.0.113.9", 8080, PF_OUT, 0), 0);
}

static int kill_ports(int which, __u8 op, __u16 a, __u16 b)
{
	struct pfioc_state_kill psk = { .psk_af = PF_INET };
	struct pf_rule_addr *ra = which ? &psk.psk_dst : &psk.psk_src;

	ra->port_op = op;
	ra->port[0] = htons(a);
	ra->port[1] = htons(b);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_af, psk.psk_killed, "the count is in psk_af as in pf");
	return (int)psk.psk_killed;
}

/* Is there a state whose destination port (pf's dst side) is port? */
static bool have_dport(__u16 port)
{
	struct pfbpf_state st[16];
	struct pfioc_states ps = { .ps_len = sizeof(st), .ps_states = st };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0, "%s", pfbpf_strerror(env_dev));
	for (size_t i = 0; i < ps.ps_len / sizeof(st[0]); i++) {
		int didx = st[i].direction == PF_IN ? 1 : 0;

		if (ntohs(st[i].key[0].port[didx]) == port)
			return true;
	}
	return false;
}

TestSuite(kport, .init = env_setup_maps, .fini = env_teardown);

Test(kport, destination_port_equal_kills_only_that_port)
{
	four();
	killed_events(); /* drain */
	cr_assert_eq(kill_ports(1, PF_OP_EQ, 80, 0), 1);
	cr_assert_eq(env_nstates(), 3);
	cr_assert_not(have_dport(80));
	cr_assert(have_dport(22) && have_dport(443) && have_dport(8080));
	cr_assert_eq(killed_events(), 1, "one destroy event with reason killed");
}

Test(kport, source_port_ranges)
{
	four();
	/* a:b is inclusive, a><b exclusive, a<>b outside */
	cr_assert_eq(kill_ports(0, PF_OP_IRG, 40000, 50000), 1, "40001 only");
	cr_assert(have_dport(22) && !have_dport(80));
	cr_assert_eq(kill_ports(0, PF_OP_XRG, 40000, 59999), 1, "60000 only");
	cr_assert(!have_dport(8080));
	cr_assert_eq(kill_ports(0, PF_OP_RRG, 40000, 50000), 2, "40000 and 50000");
	cr_assert_eq(env_nstates(), 0);
}

Test(kport, comparison_operators)
{
	four();
	cr_assert_eq(kill_ports(1, PF_OP_GE, 443, 0), 2, "443 and 8080");
	cr_assert_eq(kill_ports(1, PF_OP_LT, 80, 0), 1, "22");
	cr_assert_eq(kill_ports(1, PF_OP_NE, 80, 0), 0, "only 80 is left");
	cr_assert_eq(kill_ports(1, PF_OP_LE, 80, 0), 1);
	cr_assert_eq(env_nstates(), 0);
}

Test(kport, ports_combine_with_addresses_proto_and_id)
{
	struct pfioc_state_kill psk = { .psk_af = PF_INET };

	four();
	/* 198.51.100.2 as destination and dst port > 22: 80 and 443 */
	inet_pton(AF_INET, "198.51.100.2", &psk.psk_dst.addr.v.a.addr.v4);
	psk.psk_dst.addr.v.a.mask.v4.s_addr = 0xffffffff;
	psk.psk_dst.port_op = PF_OP_GT;
	psk.psk_dst.port[0] = htons(22);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 2);
	cr_assert(have_dport(22) && have_dport(8080));

	/* wrong protocol: nothing */
	memset(&psk, 0, sizeof(psk));
	psk.psk_proto = IPPROTO_UDP;
	psk.psk_dst.port_op = PF_OP_EQ;
	psk.psk_dst.port[0] = htons(22);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0);
	cr_assert_eq(psk.psk_killed, 0);

	/* by id, the port must match too */
	cr_assert_eq(env_add_state4("192.0.2.3", 1000, "198.51.100.2", 25, PF_IN, 0x77), 0);
	memset(&psk, 0, sizeof(psk));
	psk.psk_id = 0x77;
	psk.psk_dst.port_op = PF_OP_EQ;
	psk.psk_dst.port[0] = htons(26);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0);
	cr_assert_eq(psk.psk_killed, 0, "id matches, port does not");
	psk.psk_dst.port[0] = htons(25);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0);
	cr_assert_eq(psk.psk_killed, 1);
	cr_assert_eq(env_nstates(), 2);
}

Test(kport, rejects_negation_and_unknown_operator)
{
	struct pfioc_state_kill psk = {};

	four();
	psk.psk_src.neg = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), -1);
	cr_assert_eq(errno, EOPNOTSUPP);
	memset(&psk, 0, sizeof(psk));
	psk.psk_dst.port_op = 42;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_eq(env_nstates(), 4, "a refused kill kills nothing");
}

/* ------------------------------------------------------------------------ */

static int count_killed(void *ctx, void *data, size_t len)
{
	const struct pf_event *ev = data;

	if (ev->type == PF_EV_STATE_DESTROY && ev->reason == PF_DESTROY_KILLED)
		++*(int *)ctx;
	return 0;
}

static int killed_events(void)
{
	struct ring_buffer *rb;
	int n = 0;

	rb = ring_buffer__new(env_map(PFBPF_MAP_EVENTS), count_killed, &n, NULL);
	cr_assert(rb, "ring buffer: %s", strerror(errno));
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return n;
}

static int xdp(struct h_pkt *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf, .data_size_in = p->len, .repeat = 1);

	cr_assert_eq(bpf_prog_test_run_opts(env_prog("pf_xdp"), &o), 0, "XDP run: %s",
		     strerror(errno));
	return o.retval;
}

static int syn(const char *src, __u16 sport, const char *dst, __u16 dport)
{
	struct h_flow f = H_FLOW4(src, sport, dst, dport);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000 }), 0);
	return xdp(&p);
}

static void load_pass_in(void)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0, "%s", pfbpf_strerror(env_dev));
	pr.ticket = e.ticket;
	env_rule(&pr.rule, PF_PASS, "in");
	pr.rule.direction = PF_IN;
	pr.rule.proto = IPPROTO_TCP;
	pr.rule.flags = TH_SYN;
	pr.rule.flagset = TH_SYN | TH_ACK;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));
}

static __u8 state_flags(__u16 dport)
{
	struct pfbpf_state st[8];
	struct pfioc_states ps = { .ps_len = sizeof(st), .ps_states = st };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0, "%s", pfbpf_strerror(env_dev));
	for (size_t i = 0; i < ps.ps_len / sizeof(st[0]); i++)
		if (ntohs(st[i].key[0].port[1]) == dport)
			return st[i].s.flags;
	cr_assert_fail("no state to port %u", dport);
	return 0;
}

TestSuite(pdp, .init = env_setup_progs, .fini = env_teardown);

Test(pdp, kill_by_port_of_packet_made_states_emits_events)
{
	load_pass_in();
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_PASS);
	cr_assert_eq(syn("192.0.2.1", 40001, "198.51.100.2", 80), XDP_PASS);
	cr_assert_eq(syn("192.0.2.2", 40002, "198.51.100.2", 80), XDP_PASS);
	cr_assert_eq(env_nstates(), 3);
	killed_events();
	cr_assert_eq(kill_ports(1, PF_OP_EQ, 80, 0), 2);
	cr_assert_eq(env_nstates(), 1);
	cr_assert(have_dport(22));
	cr_assert_eq(killed_events(), 2, "pf_ctl emitted a destroy event per state");
}

Test(pdp, state_policy_set_get_and_new_states_follow_it)
{
	__u32 pol = PF_STATE_IFBOUND;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATEPOLICY, &pol), 0);
	cr_assert_eq(pol, PF_STATE_FLOATING, "floating by default, as pf");
	load_pass_in();
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_PASS);
	cr_assert_eq(state_flags(22) & PFSTATE_F_IFBOUND, 0);

	pol = PF_STATE_IFBOUND;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETSTATEPOLICY, &pol), 0, "%s",
		     pfbpf_strerror(env_dev));
	cr_assert_eq(pol, PF_STATE_FLOATING, "the old policy comes back");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATEPOLICY, &pol), 0);
	cr_assert_eq(pol, PF_STATE_IFBOUND);
	cr_assert_eq(syn("192.0.2.1", 40001, "198.51.100.2", 23), XDP_PASS);
	cr_assert_neq(state_flags(23) & PFSTATE_F_IFBOUND, 0, "new states are if-bound");
	cr_assert_eq(state_flags(22) & PFSTATE_F_IFBOUND, 0, "existing states keep theirs");

	pol = 7;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETSTATEPOLICY, &pol), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert(strstr(pfbpf_strerror(env_dev), "state policy"), "%s", pfbpf_strerror(env_dev));
}

Test(pdp, state_policy_needs_write_access)
{
	int ro = pfbpf_open(env_dir, O_RDONLY);
	__u32 pol = PF_STATE_IFBOUND;

	cr_assert_geq(ro, 0, "%s", pfbpf_strerror(-1));
	cr_assert_eq(pfbpf_ioctl(ro, DIOCSETSTATEPOLICY, &pol), -1);
	cr_assert_eq(errno, EACCES);
	cr_assert_eq(pfbpf_ioctl(ro, DIOCGETSTATEPOLICY, &pol), 0);
	pfbpf_close(ro);
}

/* ------------------------------------------------------------------------ */
/* Adaptive timeouts and 0                                                  */
/* ------------------------------------------------------------------------ */

static int get_tm(int which)
{
	struct pfioc_tm pt = { .timeout = which };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETTIMEOUT, &pt), 0, "%s", pfbpf_strerror(env_dev));
	return pt.seconds;
}

static void set_tm(int which, int v)
{
	struct pfioc_tm pt = { .timeout = which, .seconds = v };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETTIMEOUT, &pt), 0, "%s", pfbpf_strerror(env_dev));
}

TestSuite(adaptive, .init = env_setup_maps, .fini = env_teardown);

Test(adaptive, zero_start_reads_back_and_scales_from_the_first_state)
{
	struct pf_config cfg;

	set_tm(PFTM_ADAPTIVE_START, 0);
	cr_assert_eq(get_tm(PFTM_ADAPTIVE_START), 0, "-st prints the 0 that was set");
	cr_assert_eq(get_tm(PFTM_ADAPTIVE_END), 120000, "end keeps pf's default");
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.timeout[PFTM_ADAPTIVE_START], PFBPF_ADAPTIVE_OFF, "an explicit 0");
	cr_assert_eq(cfg.timeout[PFTM_ADAPTIVE_END], 120000, "the end stays live");
	/* pf_state_expires: start 0, end 120000: scaled from the first state,
	 * 86400 * (120000 - n) / 120000 */
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 0), 86400, "no state, no scaling");
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 1), 86399, "one state scales");
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 30000), 64800);
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 60000), 43200);
	/* end 0 (and only end 0) turns it off */
	set_tm(PFTM_ADAPTIVE_END, 0);
	cr_assert_eq(get_tm(PFTM_ADAPTIVE_START), 0);
	cr_assert_eq(get_tm(PFTM_ADAPTIVE_END), 0);
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 100000), 86400);
	set_tm(PFTM_ADAPTIVE_END, 120000);
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 60000), 43200, "start 0 again");

	/* both nonzero again: the bit goes, scaling is back */
	set_tm(PFTM_ADAPTIVE_START, 60000);
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.timeout[PFTM_ADAPTIVE_START], 60000);
	cr_assert_eq(cfg.timeout[PFTM_ADAPTIVE_END], 120000);
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 90000), 43200);
}

Test(adaptive, zero_end_and_both_zero)
{
	struct pf_config cfg;

	set_tm(PFTM_ADAPTIVE_START, 6000);
	set_tm(PFTM_ADAPTIVE_END, 0);
	cr_assert_eq(get_tm(PFTM_ADAPTIVE_START), 6000);
	cr_assert_eq(get_tm(PFTM_ADAPTIVE_END), 0);
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_UDP_SINGLE, 7000), 30);
	set_tm(PFTM_ADAPTIVE_START, 0);
	cr_assert_eq(get_tm(PFTM_ADAPTIVE_START), 0);
	cr_assert_eq(get_tm(PFTM_ADAPTIVE_END), 0);
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.timeout[PFTM_ADAPTIVE_START], cfg.timeout[PFTM_ADAPTIVE_END]);
}

Test(adaptive, out_of_range_refused)
{
	struct pfioc_tm pt = { .timeout = PFTM_ADAPTIVE_END, .seconds = -5 };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETTIMEOUT, &pt), -1);
	cr_assert_eq(errno, EINVAL);
}

/* The datapath's sweep (pf_ctl PF_CTL_SWEEP) must agree with the encoding:
 * with start 1 and end 2, two states are at adaptive.end and die at once;
 * with start 0 they live. */
static long sweep(void)
{
	struct pf_ctl_req req = { .op = PF_CTL_SWEEP };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &req, .ctx_size_in = sizeof(req));

	cr_assert_eq(bpf_prog_test_run_opts(env_prog("pf_ctl"), &o), 0, "pf_ctl: %s",
		     strerror(errno));
	cr_assert_eq(req.result, 0);
	return (long)req.count;
}

TestSuite(adaptive_dp, .init = env_setup_progs, .fini = env_teardown);

Test(adaptive_dp, sweep_scales_unless_zero)
{
	load_pass_in();
	set_tm(PFTM_ADAPTIVE_START, 0);
	set_tm(PFTM_ADAPTIVE_END, 2);
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_PASS);
	cr_assert_eq(syn("192.0.2.1", 40001, "198.51.100.2", 22), XDP_PASS);
	cr_assert_eq(env_nstates(), 2);
	cr_assert_eq(sweep(), 2, "start 0 scales from the first state: at end 2, both die");
	cr_assert_eq(env_nstates(), 0);
	set_tm(PFTM_ADAPTIVE_END, 0);
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_PASS);
	cr_assert_eq(syn("192.0.2.1", 40001, "198.51.100.2", 22), XDP_PASS);
	cr_assert_eq(sweep(), 0, "adaptive.end 0: no scaling, nothing expires");
	cr_assert_eq(env_nstates(), 2);
	set_tm(PFTM_ADAPTIVE_START, 1);
	set_tm(PFTM_ADAPTIVE_END, 2);
	cr_assert_eq(sweep(), 2, "start 1, end 2, 2 states: all timeouts are 0");
	cr_assert_eq(env_nstates(), 0);
}
