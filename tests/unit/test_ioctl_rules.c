// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_rules.c - transactions with tickets, the classifier install
 * into the inactive slot, DIOCGETRULES/DIOCGETRULE with counters,
 * DIOCCHANGERULE, DIOCCLRRULECTRS, anchors, and two writers at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"
#include "pfbpf_cls.h"

TestSuite(rules, .init = env_setup_maps, .fini = env_teardown);

static void trans(struct pfioc_trans *t, struct pfioc_trans_e *e, int n)
{
	memset(t, 0, sizeof(*t));
	t->size = n;
	t->esize = sizeof(*e);
	t->array = e;
}

static int begin1(int dev, const char *anchor, __u32 *ticket)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t;
	int ret;

	snprintf(e.anchor, sizeof(e.anchor), "%s", anchor);
	trans(&t, &e, 1);
	ret = pfbpf_ioctl(dev, DIOCXBEGIN, &t);
	*ticket = e.ticket;
	return ret;
}

static int commit1(int dev, const char *anchor, __u32 ticket)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER, .ticket = ticket };
	struct pfioc_trans t;

	snprintf(e.anchor, sizeof(e.anchor), "%s", anchor);
	trans(&t, &e, 1);
	return pfbpf_ioctl(dev, DIOCXCOMMIT, &t);
}

static int add(int dev, const char *anchor, __u32 ticket, int action, const char *label)
{
	struct pfioc_rule pr = { .ticket = ticket };

	snprintf(pr.anchor, sizeof(pr.anchor), "%s", anchor);
	env_rule(&pr.rule, action, label);
	return pfbpf_ioctl(dev, DIOCADDRULE, &pr);
}

static __u32 nrules(const char *anchor, __u32 *ticket)
{
	struct pfioc_rule pr = {};

	snprintf(pr.anchor, sizeof(pr.anchor), "%s", anchor);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULES, &pr), 0, "%s", pfbpf_strerror(env_dev));
	if (ticket)
		*ticket = pr.ticket;
	return pr.nr;
}

static struct pf_rule_bpf rule_bpf(__u32 slot, __u32 nr)
{
	struct pf_rule_bpf rb = {};
	__u32 idx = slot * PF_MAX_RULES + nr;

	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_RULES), &idx, &rb), 0);
	return rb;
}

Test(rules, commit_installs_inactive_slot_and_flips)
{
	struct pf_config before, after;
	struct pfioc_rule pr = {};
	struct pf_cls_meta meta;
	__u32 ticket, slot;

	cr_assert_eq(env_cfg(&before), 0);
	cr_assert_eq(begin1(env_dev, "", &ticket), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_neq(ticket, 0);
	cr_assert_eq(add(env_dev, "", ticket, PF_DROP, "deny"), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(add(env_dev, "", ticket, PF_PASS, "allow"), 0);
	cr_assert_eq(nrules("", NULL), 0, "nothing is visible before the commit");
	cr_assert_eq(commit1(env_dev, "", ticket), 0, "%s", pfbpf_strerror(env_dev));

	cr_assert_eq(env_cfg(&after), 0);
	slot = !before.active;
	cr_assert_eq(after.active, slot, "commit flips to the slot it filled");
	cr_assert_eq(after.ruleset_gen, before.ruleset_gen + 1);
	cr_assert_eq(rule_bpf(slot, 0).action, PF_DROP);
	cr_assert_eq(rule_bpf(slot, 1).action, PF_PASS);
	cr_assert_eq(rule_bpf(slot, 1).keep_state, PF_STATE_NORMAL);
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_CLS_META), &slot, &meta), 0);
	cr_assert_eq(meta.nrules, 2);

	cr_assert_eq(nrules("", &pr.ticket), 2);
	pr.nr = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_str_eq(pr.rule.label, "allow");
	cr_assert_eq(pr.rule.nr, 1);
	/* the ticket is spent after the commit */
	cr_assert_eq(add(env_dev, "", ticket, PF_PASS, "late"), -1);
	cr_assert_eq(errno, EBUSY);
}

Test(rules, second_begin_makes_first_ticket_stale)
{
	__u32 a, b;
	struct pf_config cfg;

	cr_assert_eq(begin1(env_dev, "", &a), 0);
	cr_assert_eq(add(env_dev, "", a, PF_PASS, "a0"), 0);
	cr_assert_eq(begin1(env_dev, "", &b), 0);
	cr_assert_neq(a, b);
	cr_assert_eq(add(env_dev, "", a, PF_PASS, "a1"), -1);
	cr_assert_eq(errno, EBUSY);
	cr_assert(strstr(pfbpf_strerror(env_dev), "DIOCADDRULE: ticket"), "%s",
		  pfbpf_strerror(env_dev));
	cr_assert_eq(commit1(env_dev, "", a), -1);
	cr_assert_eq(errno, EBUSY);
	cr_assert_eq(add(env_dev, "", b, PF_DROP, "b0"), 0);
	cr_assert_eq(commit1(env_dev, "", b), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(nrules("", NULL), 1, "the stale transaction's rule a0 is gone");
	cr_assert_eq(rule_bpf(cfg.active, 0).action, PF_DROP);
}

Test(rules, rollback_leaves_running_ruleset)
{
	__u32 t;
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans tr;

	cr_assert_eq(begin1(env_dev, "", &t), 0);
	cr_assert_eq(add(env_dev, "", t, PF_PASS, "one"), 0);
	cr_assert_eq(commit1(env_dev, "", t), 0);
	cr_assert_eq(begin1(env_dev, "", &t), 0);
	cr_assert_eq(add(env_dev, "", t, PF_DROP, "x"), 0);
	cr_assert_eq(add(env_dev, "", t, PF_DROP, "y"), 0);
	e.ticket = t;
	trans(&tr, &e, 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXROLLBACK, &tr), 0);
	cr_assert_eq(nrules("", NULL), 1);
	cr_assert_eq(commit1(env_dev, "", t), -1, "a rolled back ticket cannot commit");
	cr_assert_eq(errno, EBUSY);
	/* rollback of a stale ticket is silently ignored */
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXROLLBACK, &tr), 0);
}

Test(rules, commit_after_ruleset_changed_is_ebusy)
{
	struct pfioc_rule pr = { .action = PF_CHANGE_GET_TICKET };
	__u32 t;

	cr_assert_eq(begin1(env_dev, "", &t), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0);
	pr.action = PF_CHANGE_ADD_TAIL;
	env_rule(&pr.rule, PF_PASS, "changed");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(commit1(env_dev, "", t), -1);
	cr_assert_eq(errno, EBUSY);
	cr_assert_str_eq(pfbpf_strerror(env_dev), "DIOCXCOMMIT: ruleset changed since DIOCXBEGIN");
}

Test(rules, rejected_ruleset_leaves_running_one)
{
	struct pf_config before, after;
	struct pfioc_rule pr = {};
	__u32 t;

	cr_assert_eq(begin1(env_dev, "", &t), 0);
	cr_assert_eq(add(env_dev, "", t, PF_PASS, "keep"), 0);
	cr_assert_eq(commit1(env_dev, "", t), 0);
	cr_assert_eq(env_cfg(&before), 0);
	cr_assert_eq(begin1(env_dev, "", &t), 0);
	pr.ticket = t;
	env_rule(&pr.rule, PF_PASS, "bad");
	pr.rule.src.type = PFBPF_ADDR_MASK;
	pr.rule.src.af = PF_INET;
	pr.rule.src.prefixlen = 99; /* the compiler refuses this */
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	cr_assert_eq(commit1(env_dev, "", t), -1);
	cr_assert_eq(errno, EINVAL, "%s", pfbpf_strerror(env_dev));
	cr_assert(strstr(pfbpf_strerror(env_dev), "ruleset rejected"), "%s",
		  pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&after), 0);
	cr_assert_eq(after.active, before.active);
	cr_assert_eq(after.ruleset_gen, before.ruleset_gen);
	cr_assert_eq(nrules("", NULL), 1);
}

Test(rules, addrule_validates)
{
	struct pfioc_rule pr = {};
	__u32 t;

	cr_assert_eq(begin1(env_dev, "", &t), 0);
	pr.ticket = t;
	env_rule(&pr.rule, 200, "x");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), -1);
	cr_assert_eq(errno, EINVAL);
	/* pf's translation actions are rules like any other now (issue 8);
	 * a `no` rule needs no pool */
	env_rule(&pr.rule, PF_NOBINAT, "x");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	/* ... but a block rule does not translate */
	env_rule(&pr.rule, PF_DROP, "x");
	pr.rule.xlate = PF_NAT;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), -1);
	cr_assert_eq(errno, EINVAL);
	env_rule(&pr.rule, PF_PASS, "x");
	pr.rule.keep_state = PF_STATE_MODULATE;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), -1);
	cr_assert_eq(errno, EOPNOTSUPP);
}

Test(rules, xbegin_altq_is_enodev_bad_esize_rejected)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_ALTQ };
	struct pfioc_trans t;

	trans(&t, &e, 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), -1);
	cr_assert_eq(errno, ENODEV);
	e.rs_num = PF_RULESET_FILTER;
	t.esize = 12;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), -1);
	cr_assert_eq(errno, ENODEV);
}

Test(rules, getrule_counters_and_clrrulectrs)
{
	struct pf_rule_counters rc[4] = {};
	struct pfioc_rule pr = {};
	struct pf_config cfg;
	__u32 t, idx, cur = 4;

	cr_assert_eq(begin1(env_dev, "", &t), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(add(env_dev, "", t, PF_PASS, "r"), 0);
	cr_assert_eq(commit1(env_dev, "", t), 0);
	cr_assert_eq(env_cfg(&cfg), 0);
	rc[0].stops = 5;
	rc[1].stops = 7;
	rc[1].packets[0] = 10;
	rc[1].packets[1] = 3;
	rc[1].bytes[0] = 1000;
	rc[1].states_tot = 6;
	rc[2].stops = 11;
	rc[3].stops = 100; /* walks that went past the last rule */
	for (int i = 0; i < 4; i++)
		env_rulectr_put(cfg.active, i, &rc[i], i % env_ncpu());
	idx = env_rid(cfg.active, 1);
	cr_assert_geq(idx, PF_RID_BASE, "rule 1 has an id");
	cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_RULESTATES), &idx, &cur, BPF_ANY), 0);

	nrules("", &pr.ticket);
	pr.nr = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pr.evaluations, 118, "evaluations are the suffix sum of stops");
	cr_assert_eq(pr.packets[0], 10);
	cr_assert_eq(pr.packets[1], 3);
	cr_assert_eq(pr.bytes[0], 1000);
	cr_assert_eq(pr.states_tot, 6);
	cr_assert_eq(pr.states_cur, 4);
	pr.nr = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0);
	cr_assert_eq(pr.evaluations, 123);

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCLRRULECTRS, NULL), 0);
	pr.nr = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0);
	cr_assert_eq(pr.evaluations, 0);
	cr_assert_eq(pr.packets[0], 0);
	cr_assert_eq(pr.states_cur, 4, "current states are not a counter");

	pr.nr = 3;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), -1);
	cr_assert_eq(errno, EBUSY);
	pr.nr = 0;
	pr.ticket++;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), -1);
	cr_assert_eq(errno, EBUSY);
}

Test(rules, changerule_head_tail_before_after_remove)
{
	struct pfioc_rule pr = { .action = PF_CHANGE_GET_TICKET };
	const char *want[] = { "head", "b", "mid", "tail" };
	__u32 t;

	cr_assert_eq(begin1(env_dev, "", &t), 0);
	cr_assert_eq(add(env_dev, "", t, PF_PASS, "a"), 0);
	cr_assert_eq(add(env_dev, "", t, PF_PASS, "b"), 0);
	cr_assert_eq(commit1(env_dev, "", t), 0);

#define CHANGE(act, n, label)                                                        \
	do {                                                                         \
		pr.action = PF_CHANGE_GET_TICKET;                                    \
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0);          \
		pr.action = (act);                                                   \
		pr.nr = (n);                                                         \
		env_rule(&pr.rule, PF_PASS, (label));                                \
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0, "%s",    \
			     pfbpf_strerror(env_dev));                               \
	} while (0)
	CHANGE(PF_CHANGE_ADD_HEAD, 0, "head");   /* head a b */
	CHANGE(PF_CHANGE_ADD_TAIL, 0, "tail");   /* head a b tail */
	CHANGE(PF_CHANGE_ADD_AFTER, 2, "mid");   /* head a b mid tail */
	CHANGE(PF_CHANGE_REMOVE, 1, "");         /* head b mid tail */
	CHANGE(PF_CHANGE_ADD_BEFORE, 0, "first");/* first head b mid tail */
	CHANGE(PF_CHANGE_REMOVE, 0, "");
#undef CHANGE
	cr_assert_eq(nrules("", &pr.ticket), 4);
	for (__u32 i = 0; i < 4; i++) {
		pr.nr = i;
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0);
		cr_assert_str_eq(pr.rule.label, want[i]);
	}
	/* a stale change ticket */
	pr.action = PF_CHANGE_ADD_TAIL;
	pr.ticket -= 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), -1);
	cr_assert_eq(errno, EBUSY);
}

Test(rules, anchors_are_listed)
{
	struct pfioc_ruleset rs = {};
	__u32 t;

	cr_assert_eq(begin1(env_dev, "web/api", &t), 0);
	cr_assert_eq(add(env_dev, "web/api", t, PF_PASS, "in anchor"), 0);
	cr_assert_eq(commit1(env_dev, "web/api", t), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(begin1(env_dev, "mail", &t), 0);
	cr_assert_eq(add(env_dev, "mail", t, PF_DROP, "m"), 0);
	cr_assert_eq(commit1(env_dev, "mail", t), 0);

	cr_assert_eq(nrules("web/api", NULL), 1);
	cr_assert_eq(nrules("", NULL), 0, "anchors do not touch the main ruleset");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULESETS, &rs), 0);
	cr_assert_eq(rs.nr, 2);
	rs.nr = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULESET, &rs), 0);
	cr_assert_str_eq(rs.name, "mail");
	rs.nr = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULESET, &rs), 0);
	cr_assert_str_eq(rs.name, "web");
	strcpy(rs.path, "web");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULESETS, &rs), 0);
	cr_assert_eq(rs.nr, 1);
	rs.nr = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULESET, &rs), 0);
	cr_assert_str_eq(rs.name, "api");
	strcpy(rs.path, "nosuch");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULESETS, &rs), -1);
	cr_assert_eq(errno, EINVAL);
}

/*
 * Two processes load rulesets at once, each many times.  Every commit
 * either succeeds whole or fails with EBUSY; the ruleset left is exactly
 * one writer's complete set.
 */
static int writer(const char *who, int rounds, int nr)
{
	int dev = pfbpf_open(NULL, O_RDWR), ok = 0;

	if (dev < 0)
		return 100;
	for (int r = 0; r < rounds; r++) {
		__u32 t;
		int failed = 0;

		if (begin1(dev, "", &t))
			return 101;
		for (int i = 0; i < nr && !failed; i++)
			if (add(dev, "", t, PF_PASS, who)) {
				if (errno != EBUSY)
					return 102;
				failed = 1;
			}
		if (failed)
			continue;
		if (commit1(dev, "", t)) {
			if (errno != EBUSY)
				return 103;
			continue;
		}
		ok++;
	}
	pfbpf_close(dev);
	return ok ? 0 : 104;
}

Test(rules, two_writers_never_mix)
{
	pid_t pa, pb;
	int sa, sb;
	struct pfioc_rule pr = {};
	__u32 n;

	pa = fork();
	if (!pa)
		_exit(writer("A", 30, 5));
	pb = fork();
	if (!pb)
		_exit(writer("B", 30, 7));
	waitpid(pa, &sa, 0);
	waitpid(pb, &sb, 0);
	cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "writer A: %d", WEXITSTATUS(sa));
	cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "writer B: %d", WEXITSTATUS(sb));
	n = nrules("", &pr.ticket);
	cr_assert(n == 5 || n == 7, "%u rules: a mix", n);
	for (__u32 i = 0; i < n; i++) {
		pr.nr = i;
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0);
		cr_assert_str_eq(pr.rule.label, n == 5 ? "A" : "B");
	}
}

Test(rules, reload_starts_rules_with_no_states)
{
	struct pf_config cfg;
	__u32 t, idx, n = 9;

	cr_assert_eq(begin1(env_dev, "", &t), 0);
	cr_assert_eq(add(env_dev, "", t, PF_PASS, "old"), 0);
	cr_assert_eq(commit1(env_dev, "", t), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	idx = env_rid(cfg.active, 0); /* the old rule, with 9 states */
	cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_RULESTATES), &idx, &n, BPF_ANY), 0);
	cr_assert_eq(begin1(env_dev, "", &t), 0);
	cr_assert_eq(add(env_dev, "", t, PF_PASS, "fresh"), 0);
	cr_assert_eq(commit1(env_dev, "", t), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_neq(env_rid(cfg.active, 0), idx, "the new rule has its own id");
	idx = env_rid(cfg.active, 0);
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_RULESTATES), &idx, &n), 0);
	cr_assert_eq(n, 0);
}
