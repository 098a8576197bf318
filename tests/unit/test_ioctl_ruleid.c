// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_ruleid.c - rule ids (user/ioctl/ioctl_ruleid.c): a state's
 * rule outlives the reloads, as pf's rule reference counting keeps it.
 * Real packets through the XDP program make the states; after three
 * reloads that move every rule, the states still name their old rule,
 * DIOCKILLSTATES by label finds them through any of the rule's labels,
 * and the old rule's id is freed only once its last state is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"
#include "harness.h"
#include "lib/pf_xflat.h"

TestSuite(rid, .init = env_setup_progs, .fini = env_teardown);

static int syn(__u16 dport)
{
	struct h_flow f = H_FLOW4("192.0.2.1", 40000 + dport % 1000, "198.51.100.2", dport);
	struct h_pkt p;
	LIBBPF_OPTS(bpf_test_run_opts, o, .repeat = 1);

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000 }), 0);
	o.data_in = p.buf;
	o.data_size_in = p.len;
	cr_assert_eq(bpf_prog_test_run_opts(env_prog("pf_xdp"), &o), 0, "%s", strerror(errno));
	return o.retval;
}

static void load(const struct pfbpf_rule *rules, int n)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0, "%s", pfbpf_strerror(env_dev));
	pr.ticket = e.ticket;
	for (int i = 0; i < n; i++) {
		pr.rule = rules[i];
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	}
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));
}

static void pass_port(struct pfbpf_rule *r, const char *label, __u16 port)
{
	env_rule(r, PF_PASS, label);
	r->direction = PF_IN;
	r->proto = IPPROTO_TCP;
	r->dport = (struct pfbpf_port_spec){ .op = PF_OP_EQ, .port = { port } };
	r->flags = TH_SYN;
	r->flagset = TH_SYN | TH_ACK;
}

/* The first ruleset: 0 "bar" port 80, 1 "foo" port 22 (labels a second
 * one, "ssh"), both quick, 2 a plain pass. */
static void load_first(void)
{
	struct pfbpf_rule r[3];

	pass_port(&r[0], "bar", 80);
	pass_port(&r[1], "foo", 22);
	r[0].quick = r[1].quick = 1; /* else the last rule, pass all, makes the states */
	snprintf(r[1].label_more[0], PF_RULE_LABEL_SIZE, "ssh");
	env_rule(&r[2], PF_PASS, "");
	load(r, 3);
}

/* Another ruleset, where every position means another rule: nothing
 * carries "foo" any more, and a new rule 1 is labelled "bar". */
static void load_other(void)
{
	struct pfbpf_rule r[4];

	env_rule(&r[0], PF_PASS, "");
	pass_port(&r[1], "bar", 443);
	pass_port(&r[2], "new", 22);
	pass_port(&r[3], "other", 25);
	load(r, 4);
}

static size_t states(struct pfbpf_state *st, size_t max)
{
	struct pfioc_states ps = { .ps_len = (int)(max * sizeof(*st)), .ps_states = st };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0, "%s", pfbpf_strerror(env_dev));
	return ps.ps_len / sizeof(*st);
}

static __u32 kill_label(const char *label)
{
	struct pfioc_state_kill psk = {};

	snprintf(psk.psk_label, sizeof(psk.psk_label), "%s", label);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	return psk.psk_killed;
}

static bool rid_recorded(__u32 rid)
{
	struct pfbpf_xflat_key k = { .slot = PFBPF_XFLAT_RID, .idx = rid };
	struct pfbpf_xflat v;

	return !bpf_map_lookup_elem(env_map(PFBPF_MAP_XFLAT), &k, &v);
}

Test(rid, label_kill_after_three_reloads)
{
	struct pfbpf_state st[4];
	struct pf_config cfg;
	__u32 rid22, n;

	load_first();
	cr_assert_eq(syn(22), XDP_PASS);
	cr_assert_eq(syn(80), XDP_PASS);
	cr_assert_eq(states(st, 4), 2);
	cr_assert_eq(env_cfg(&cfg), 0);
	rid22 = env_rid(cfg.active, 1);
	cr_assert_geq(rid22, PF_RID_BASE);
	for (int i = 0; i < 3; i++)
		load_other();
	cr_assert_eq(env_cfg(&cfg), 0);
	for (__u32 pos = 0; pos < 4; pos++)
		cr_assert_neq(env_rid(cfg.active, pos), rid22, "a new rule took the old id");
	cr_assert_eq(states(st, 4), 2);
	for (int i = 0; i < 2; i++) {
		bool p22 = st[i].key[0].port[0] == htons(22) || st[i].key[0].port[1] == htons(22);

		cr_assert_eq(st[i].rule_nr, p22 ? 1 : 0,
			     "three reloads later the state still names the rule that made it");
		cr_assert_str_eq(st[i].rule_anchor, "");
	}
	cr_assert(rid_recorded(rid22), "the retired rule keeps its identity");
	n = 0;
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_RULESTATES), &rid22, &n), 0);
	cr_assert_eq(n, 1, "the retired rule still counts its state");

	cr_assert_eq(kill_label("new"), 0, "the new rule at the same place made no state");
	cr_assert_eq(kill_label("foo"), 1, "the old rule labelled foo made the port 22 state");
	cr_assert_eq(states(st, 4), 1);
	cr_assert_eq(kill_label("bar"), 1, "the old bar rule's state, not the new bar rule's");
	cr_assert_eq(states(st, 4), 0);
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_RULESTATES), &rid22, &n), 0);
	cr_assert_eq(n, 0);

	/* no state left: the next load lets the old id go, free to be
	 * handed to one of its new rules */
	load_other();
	cr_assert_eq(env_cfg(&cfg), 0);
	{
		bool reused = false;

		for (__u32 pos = 0; pos < 4; pos++)
			reused |= env_rid(cfg.active, pos) == rid22;
		cr_assert(reused || !rid_recorded(rid22), "a retired id with no state is freed");
	}
}

Test(rid, multilabel_each_label_matches)
{
	struct pfbpf_state st[4];

	load_first();
	cr_assert_eq(syn(22), XDP_PASS);
	load_other();
	cr_assert_eq(kill_label("ssh"), 1, "the second label of the rule matches too");
	cr_assert_eq(states(st, 4), 0);
	load_first();
	cr_assert_eq(syn(22), XDP_PASS);
	load_other();
	load_other();
	cr_assert_eq(kill_label("foo"), 1, "and the first");
	cr_assert_eq(kill_label("ssh"), 0);
}

Test(rid, old_rule_counters_stay_its_own)
{
	struct pfbpf_rule r[2];
	struct pfioc_rule pr = {};
	struct pfbpf_state st[2];

	/* the state's later packets count for the old rule, never for the
	 * rule now at the same place */
	load_first();
	cr_assert_eq(syn(22), XDP_PASS);
	pass_port(&r[0], "x", 80);
	pass_port(&r[1], "y", 22);
	load(r, 2);
	load(r, 2);
	cr_assert_eq(states(st, 2), 1);
	/* a retransmitted SYN matches the state */
	cr_assert_eq(syn(22), XDP_PASS);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULES, &pr), 0);
	pr.nr = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_str_eq(pr.rule.label, "y");
	cr_assert_eq(pr.packets[0], 0, "the new rule 1 saw nothing");
	cr_assert_eq(pr.states_cur, 0, "and holds no state");
}
