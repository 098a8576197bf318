// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_anchor.c - anchors evaluated: the ruleset the classifier gets
 * is the main ruleset with every anchor call expanded in place (order,
 * nesting, wildcards, the anchor rule's filter intersected in, `quick`
 * inside and on the anchor rule), a filter that cannot be intersected is
 * refused with its reason and leaves the running ruleset, counters and
 * states are attributed to the rule of the anchor they came from, and real
 * packets (XDP on hand-built frames) see anchor rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"
#include "harness.h"

/* libpfbpf internals (user/ioctl/ioctl_priv.h) the tests reach into. */
struct pfbpf_handle;
extern int (*ctl_install_hook)(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			       __u32 slot);
int ctl_rule_restrict(struct pfbpf_rule *r, const struct pfbpf_rule *c, char *why, size_t len);

/* What the classifier was last asked to compile. */
static struct pfbpf_rule got[64];
static __u32 ngot;

static int capture(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n, __u32 slot)
{
	cr_assert_leq(n, 64);
	memcpy(got, rules, n * sizeof(*rules));
	ngot = n;
	return 0;
}

static void hook_setup(void)
{
	env_setup_maps();
	ctl_install_hook = capture;
}

static void hook_teardown(void)
{
	ctl_install_hook = NULL;
	env_teardown();
}

TestSuite(anchor, .init = hook_setup, .fini = hook_teardown);

/* Rule lists are written { "label" } with the other fields left zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* A rule spec: label, and for an anchor rule the anchor it calls. */
struct spec {
	const char *label;
	const char *call;
	int action;
	int quick;
};

/* Why the last load() was refused. */
static char load_err[512];

/* Replace the rules of one ruleset through a transaction of its own. */
static int load(const char *anchor, const struct spec *s, int n)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};
	int ret;

	snprintf(e.anchor, sizeof(e.anchor), "%s", anchor);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0, "%s", pfbpf_strerror(env_dev));
	pr.ticket = e.ticket;
	snprintf(pr.anchor, sizeof(pr.anchor), "%s", anchor);
	for (int i = 0; i < n; i++) {
		env_rule(&pr.rule, s[i].action ? s[i].action : PF_PASS, s[i].label);
		pr.rule.quick = s[i].quick;
		snprintf(pr.anchor_call, sizeof(pr.anchor_call), "%s", s[i].call ? s[i].call : "");
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s",
			     pfbpf_strerror(env_dev));
	}
	ret = pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t);
	if (ret) {
		int err = errno;

		snprintf(load_err, sizeof(load_err), "%s", pfbpf_strerror(env_dev));
		pfbpf_ioctl(env_dev, DIOCXROLLBACK, &t);
		errno = err;
	}
	return ret;
}

/* The labels of the compiled rules, space separated, "*" after quick ones. */
static const char *flat(void)
{
	static char buf[1024];
	size_t len = 0;

	buf[0] = 0;
	for (__u32 i = 0; i < ngot; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s%s", i ? " " : "", got[i].label,
				got[i].quick ? "*" : "");
	return buf;
}

Test(anchor, calls_expand_in_place_and_reload_alone)
{
	struct pfioc_rule pr = {};

	cr_assert_eq(load("", (struct spec[]){ { "m0" }, { "", "svc" }, { "m2" } }, 3), 0);
	cr_assert_str_eq(flat(), "m0 m2", "an empty anchor adds nothing");
	{
		struct pfioc_ruleset rs = {};

		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULESETS, &rs), 0);
		cr_assert_eq(rs.nr, 1, "a called anchor exists, as in pf");
		rs.nr = 0;
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULESET, &rs), 0);
		cr_assert_str_eq(rs.name, "svc");
	}
	cr_assert_eq(load("svc", (struct spec[]){ { "s0" }, { "s1" } }, 2), 0,
		     "%s", pfbpf_strerror(env_dev));
	cr_assert_str_eq(flat(), "m0 s0 s1 m2", "loading the anchor alone recompiles");

	/* The main listing keeps the anchor rule at its number. */
	snprintf(pr.anchor, sizeof(pr.anchor), "%s", "");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULES, &pr), 0);
	cr_assert_eq(pr.nr, 3);
	pr.nr = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_str_eq(pr.anchor_call, "svc");
	pr.nr = 2;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0);
	cr_assert_str_eq(pr.anchor_call, "");
	cr_assert_str_eq(pr.rule.label, "m2");

	/* Flushing the anchor (-a svc -F rules) takes its rules out again. */
	cr_assert_eq(load("svc", NULL, 0), 0);
	cr_assert_str_eq(flat(), "m0 m2");
	/* A main reload keeps the anchor's rules (pfctl -f does not touch
	 * anchors it only calls). */
	cr_assert_eq(load("svc", (struct spec[]){ { "s0" } }, 1), 0);
	cr_assert_eq(load("", (struct spec[]){ { "", "svc" }, { "n1" } }, 2), 0);
	cr_assert_str_eq(flat(), "s0 n1");
}

Test(anchor, nested_relative_and_absolute_calls)
{
	cr_assert_eq(load("a/b", (struct spec[]){ { "ab0" } }, 1), 0);
	cr_assert_eq(load("c", (struct spec[]){ { "c0" } }, 1), 0);
	cr_assert_eq(load("a", (struct spec[]){ { "a0" }, { "", "b" }, { "", "/c" }, { "a3" } }, 4),
		     0);
	cr_assert_eq(load("", (struct spec[]){ { "", "a" }, { "m1" } }, 2), 0);
	cr_assert_str_eq(flat(), "a0 ab0 c0 a3 m1");
}

Test(anchor, wildcard_calls_every_child_in_name_order)
{
	cr_assert_eq(load("ftp-proxy/20", (struct spec[]){ { "p20" } }, 1), 0);
	cr_assert_eq(load("ftp-proxy/10", (struct spec[]){ { "p10a" }, { "p10b" } }, 2), 0);
	cr_assert_eq(load("ftp-proxy/10/deep", (struct spec[]){ { "deep" } }, 1), 0);
	cr_assert_eq(load("other", (struct spec[]){ { "o" } }, 1), 0);
	cr_assert_eq(load("", (struct spec[]){ { "", "ftp-proxy/*" }, { "m" } }, 2), 0);
	cr_assert_str_eq(flat(), "p10a p10b p20 m", "children only, not grandchildren");
}

Test(anchor, quick_inside_and_on_the_anchor_rule)
{
	/* quick inside an anchor stays quick: it ends the whole walk. */
	cr_assert_eq(load("q", (struct spec[]){ { "q0" }, { "q1", NULL, PF_DROP, 1 }, { "q2" } }, 3),
		     0);
	cr_assert_eq(load("", (struct spec[]){ { "", "q" }, { "m" } }, 2), 0);
	cr_assert_str_eq(flat(), "q0 q1* q2 m");
	/* anchor "q" quick: quick rules first, the others last-first, all
	 * quick -- the first match is what pf's last match inside q is. */
	cr_assert_eq(load("", (struct spec[]){ { "", "q", 0, 1 }, { "m" } }, 2), 0);
	cr_assert_str_eq(flat(), "q1* q2* q0* m");
}

Test(anchor, anchor_rule_filter_restricts_its_rules)
{
	struct pfioc_trans_e e[2] = { { .rs_num = PF_RULESET_FILTER },
				      { .rs_num = PF_RULESET_FILTER } };
	struct pfioc_trans t = { .size = 2, .esize = sizeof(e[0]), .array = e };
	struct pfioc_rule pr = {};

	/* One transaction for main and the anchor, as pfctl -f with an
	 * inline anchor does. */
	strcpy(e[1].anchor, "web");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0);
	pr.ticket = e[0].ticket;
	env_rule(&pr.rule, PF_PASS, "call");
	pr.rule.direction = PF_IN;
	pr.rule.proto = IPPROTO_TCP;
	pr.rule.dport.op = PF_OP_RRG;
	pr.rule.dport.port[0] = 80;
	pr.rule.dport.port[1] = 443;
	strcpy(pr.anchor_call, "web");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	strcpy(pr.anchor, "web");
	pr.anchor_call[0] = 0;
	env_rule(&pr.rule, PF_PASS, "w-any");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	env_rule(&pr.rule, PF_PASS, "w-udp");
	pr.rule.proto = IPPROTO_UDP;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	env_rule(&pr.rule, PF_PASS, "w-out");
	pr.rule.direction = PF_OUT;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	env_rule(&pr.rule, PF_PASS, "w-443up");
	pr.rule.dport.op = PF_OP_GE;
	pr.rule.dport.port[0] = 443;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));

	cr_assert_str_eq(flat(), "w-any w-443up", "udp and out rules can never match in there");
	cr_assert_eq(got[0].direction, PF_IN);
	cr_assert_eq(got[0].proto, IPPROTO_TCP);
	cr_assert_eq(got[0].dport.op, PF_OP_RRG);
	cr_assert_eq(got[0].dport.port[0], 80);
	cr_assert_eq(got[0].dport.port[1], 443);
	cr_assert_eq(got[1].dport.op, PF_OP_EQ, "443:65535 within 80:443 is port 443");
	cr_assert_eq(got[1].dport.port[0], 443);
}

static void mask4(struct pfbpf_addr_spec *a, const char *net, int len, int neg)
{
	memset(a, 0, sizeof(*a));
	a->type = PFBPF_ADDR_MASK;
	a->af = PF_INET;
	a->prefixlen = len;
	a->neg = neg;
	cr_assert_eq(inet_pton(AF_INET, net, &a->addr), 1);
}

Test(anchor, intersection_of_fields)
{
	struct pfbpf_rule r, c;
	char why[256];

	/* Addresses: the narrower network wins, disjoint ones never match. */
	env_rule(&r, PF_PASS, "");
	env_rule(&c, PF_PASS, "");
	mask4(&c.src, "192.0.2.0", 24, 0);
	mask4(&r.src, "192.0.2.128", 25, 0);
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 1);
	cr_assert_eq(r.src.prefixlen, 25);
	cr_assert_eq(r.af, PF_INET, "the address brings its family");
	mask4(&r.src, "198.51.100.0", 24, 0);
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 0);
	/* from ! 198.51.100.0/24 inside from 192.0.2.0/24: just the latter. */
	mask4(&r.src, "198.51.100.0", 24, 1);
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 1);
	cr_assert_eq(r.src.neg, 0);
	cr_assert_eq(r.src.prefixlen, 24);
	/* Interfaces: on a + on ! b = on a; on a + on b never. */
	env_rule(&r, PF_PASS, "");
	env_rule(&c, PF_PASS, "");
	strcpy(c.ifname, "eth0");
	strcpy(r.ifname, "eth1");
	r.ifnot = 1;
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 1);
	cr_assert_str_eq(r.ifname, "eth0");
	cr_assert_eq(r.ifnot, 0);
	strcpy(r.ifname, "eth1");
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 0);
	/* Ports: != 22 and 20:30 is not one range. */
	env_rule(&r, PF_PASS, "");
	env_rule(&c, PF_PASS, "");
	c.proto = r.proto = IPPROTO_TCP;
	c.dport = (struct pfbpf_port_spec){ .op = PF_OP_NE, .port = { 22 } };
	r.dport = (struct pfbpf_port_spec){ .op = PF_OP_RRG, .port = { 20, 30 } };
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), -1);
	cr_assert(strstr(why, "destination ports"), "%s", why);
	/* != 22 and > 1023 is > 1023. */
	r.dport = (struct pfbpf_port_spec){ .op = PF_OP_GT, .port = { 1023 } };
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 1);
	cr_assert_eq(r.dport.op, PF_OP_RRG);
	cr_assert_eq(r.dport.port[0], 1024);
	cr_assert_eq(r.dport.port[1], 65535);
	/* Flags S/SA and A/A never agree; S/S and S/SA is S/SA. */
	env_rule(&r, PF_PASS, "");
	env_rule(&c, PF_PASS, "");
	c.flags = TH_SYN;
	c.flagset = TH_SYN | TH_ACK;
	r.flags = r.flagset = TH_ACK;
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 0);
	r.flags = r.flagset = TH_SYN;
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 1);
	cr_assert_eq(r.flags, TH_SYN);
	cr_assert_eq(r.flagset, TH_SYN | TH_ACK);
	/* pass (flags S/SA by default) under anchor "x" proto udp: no flags. */
	env_rule(&r, PF_PASS, "");
	env_rule(&c, PF_PASS, "");
	r.flags = TH_SYN;
	r.flagset = TH_SYN | TH_ACK;
	c.proto = IPPROTO_UDP;
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), 1);
	cr_assert_eq(r.proto, IPPROTO_UDP);
	cr_assert_eq(r.flagset, 0);
	/* Tables cannot be intersected with anything but themselves. */
	env_rule(&r, PF_PASS, "");
	env_rule(&c, PF_PASS, "");
	c.dst.type = PFBPF_ADDR_TABLE;
	strcpy(c.dst.table, "web");
	mask4(&r.dst, "192.0.2.1", 32, 0);
	cr_assert_eq(ctl_rule_restrict(&r, &c, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "'to <web>' and 'to 192.0.2.1/32' together");
}

Test(anchor, inexpressible_filter_is_refused_and_running_ruleset_stays)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};

	/* anchor x: pass on ! b (nobody calls it yet: accepted) */
	cr_assert_eq(load("", (struct spec[]){ { "m0" } }, 1), 0);
	strcpy(pr.anchor, "x");
	strcpy(e.anchor, "x");
	pr.ticket = e.ticket;
	env_rule(&pr.rule, PF_PASS, "x0");
	strcpy(pr.rule.ifname, "b");
	pr.rule.ifnot = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0);
	pr.ticket = e.ticket;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_str_eq(flat(), "m0");

	/* main: anchor "x" on ! a -- on ! a and on ! b is not one rule. */
	ngot = 0;
	e.anchor[0] = pr.anchor[0] = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0);
	pr.ticket = e.ticket;
	env_rule(&pr.rule, PF_PASS, "");
	strcpy(pr.rule.ifname, "a");
	pr.rule.ifnot = 1;
	strcpy(pr.anchor_call, "x");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), -1);
	cr_assert_eq(errno, EINVAL);
	cr_assert_str_eq(pfbpf_strerror(env_dev),
			 "DIOCXCOMMIT: rule 0 of anchor \"x\" under the anchor rule 0 of the "
			 "main ruleset: 'on ! a' and 'on ! b' together cannot be expressed "
			 "as one rule");
	cr_assert_eq(ngot, 0, "nothing was installed");
	pfbpf_ioctl(env_dev, DIOCXROLLBACK, &t);
	memset(&pr, 0, sizeof(pr));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULES, &pr), 0);
	cr_assert_eq(pr.nr, 1, "the main ruleset kept its rule");
	pr.nr = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0);
	cr_assert_str_eq(pr.rule.label, "m0");
}

Test(anchor, changerule_in_an_anchor_recompiles)
{
	struct pfioc_rule pr = { .action = PF_CHANGE_GET_TICKET };

	cr_assert_eq(load("svc", (struct spec[]){ { "s0" } }, 1), 0);
	cr_assert_eq(load("", (struct spec[]){ { "m0" }, { "", "svc" } }, 2), 0);
	cr_assert_str_eq(flat(), "m0 s0");
	strcpy(pr.anchor, "svc");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0);
	pr.action = PF_CHANGE_ADD_TAIL;
	env_rule(&pr.rule, PF_DROP, "s1");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_str_eq(flat(), "m0 s0 s1");
	/* An anchor rule added to the main ruleset by DIOCCHANGERULE. */
	memset(&pr, 0, sizeof(pr));
	pr.action = PF_CHANGE_GET_TICKET;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0);
	pr.action = PF_CHANGE_ADD_HEAD;
	env_rule(&pr.rule, PF_PASS, "");
	strcpy(pr.anchor_call, "svc");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_str_eq(flat(), "s0 s1 m0 s0 s1");
	pr.action = PF_CHANGE_REMOVE;
	pr.nr = 2;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), -1, "stale ticket");
	pr.action = PF_CHANGE_GET_TICKET;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0);
	pr.action = PF_CHANGE_REMOVE;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_str_eq(flat(), "s0 s1 m0", "the call at 2 is gone, the one at 0 stays");
}

Test(anchor, call_names_are_checked)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};
	const char *bad[] = { "a//b", "a/../b", "a*/b", "*/b", "a/" };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0);
	pr.ticket = e.ticket;
	env_rule(&pr.rule, PF_PASS, "");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(pr.anchor_call, sizeof(pr.anchor_call), "%s", bad[i]);
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), -1, "%s accepted", bad[i]);
		cr_assert_eq(errno, EINVAL);
	}
	pfbpf_ioctl(env_dev, DIOCXROLLBACK, &t);
}

Test(anchor, nesting_is_bounded)
{
	/* An absolute call back to itself would never end. */
	cr_assert_eq(load("loop", (struct spec[]){ { "", "/loop" } }, 1), 0);
	cr_assert_eq(load("", (struct spec[]){ { "", "loop" } }, 1), -1);
	cr_assert_eq(errno, ELOOP);
	cr_assert_str_eq(load_err, "DIOCXCOMMIT: anchor calls nested deeper than 16 "
			 "(at anchor \"loop\")");
}

/* ---- counters and states, with the real classifier ---------------------- */

TestSuite(anchor_ctr, .init = env_setup_maps, .fini = env_teardown);

static struct pfioc_rule getrule(const char *anchor, __u32 nr)
{
	struct pfioc_rule pr = {};

	snprintf(pr.anchor, sizeof(pr.anchor), "%s", anchor);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULES, &pr), 0, "%s", pfbpf_strerror(env_dev));
	pr.nr = nr;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	return pr;
}

Test(anchor_ctr, counters_belong_to_the_anchor_rules)
{
	struct pf_rule_counters rc = {};
	struct pf_config cfg;
	struct pfioc_rule pr;

	/* Flat: 0 m0, 1 s0, 2 s1, 3 m2; past the end: 4. */
	cr_assert_eq(load("svc", (struct spec[]){ { "s0" }, { "s1" } }, 2), 0);
	cr_assert_eq(load("", (struct spec[]){ { "m0" }, { "", "svc" }, { "m2" } }, 3), 0,
		     "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	for (__u32 i = 0; i < 5; i++) {
		memset(&rc, 0, sizeof(rc));
		rc.stops = 1u << i;
		rc.packets[0] = 10 * (i + 1);
		rc.bytes[0] = 1000 * (i + 1);
		rc.states_tot = i;
		env_rulectr_put(cfg.active, i, &rc, 0);
	}
	pr = getrule("svc", 1);
	cr_assert_str_eq(pr.rule.label, "s1");
	cr_assert_eq(pr.packets[0], 30, "svc rule 1 is flat rule 2");
	cr_assert_eq(pr.evaluations, 4 + 8 + 16);
	cr_assert_eq(pr.states_tot, 2);
	pr = getrule("", 1);
	cr_assert_str_eq(pr.anchor_call, "svc");
	cr_assert_eq(pr.packets[0], 20 + 30, "the anchor rule sums what its rules matched");
	cr_assert_eq(pr.evaluations, 2 + 4 + 8 + 16);
	pr = getrule("", 2);
	cr_assert_eq(pr.packets[0], 40, "main rule 2 is flat rule 3");
	pr = getrule("", 0);
	cr_assert_eq(pr.packets[0], 10);
	cr_assert_eq(pr.evaluations, 31);

	/* Loading the anchor again: its rules start from zero, the main
	 * rules keep their counters though main rule 2 moves to flat 4. */
	cr_assert_eq(load("svc", (struct spec[]){ { "t0" }, { "t1" }, { "t2" } }, 3), 0);
	pr = getrule("", 2);
	cr_assert_str_eq(pr.rule.label, "m2");
	cr_assert_eq(pr.packets[0], 40, "main rule 2 kept its counters");
	cr_assert_eq(pr.states_tot, 3);
	pr = getrule("", 0);
	cr_assert_eq(pr.packets[0], 10);
	pr = getrule("svc", 1);
	cr_assert_eq(pr.packets[0], 0, "the anchor's new rules start at zero");
	/* Reloading the main ruleset zeroes its rules, as pf does. */
	cr_assert_eq(load("", (struct spec[]){ { "m0" }, { "", "svc" }, { "m2" } }, 3), 0);
	pr = getrule("", 0);
	cr_assert_eq(pr.packets[0], 0);
}

/* ---- real packets ------------------------------------------------------- */

TestSuite(anchor_dp, .init = env_setup_progs, .fini = env_teardown);

static int syn(__u16 dport)
{
	struct h_flow f = H_FLOW4("192.0.2.1", 40000, "192.0.2.2", dport);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000 }), 0);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.buf, .data_size_in = p.len, .repeat = 1);
	cr_assert_eq(bpf_prog_test_run_opts(env_prog("pf_xdp"), &o), 0);
	return o.retval;
}

/* Load one ruleset from full rules (anchor calls where call[i] is set). */
static void load_rules(const char *anchor, const struct pfbpf_rule *r, const char *const *call,
		       int n)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};

	snprintf(e.anchor, sizeof(e.anchor), "%s", anchor);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0);
	pr.ticket = e.ticket;
	snprintf(pr.anchor, sizeof(pr.anchor), "%s", anchor);
	for (int i = 0; i < n; i++) {
		pr.rule = r[i];
		snprintf(pr.anchor_call, sizeof(pr.anchor_call), "%s", call && call[i] ? call[i] : "");
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s",
			     pfbpf_strerror(env_dev));
	}
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));
}

Test(anchor_dp, anchor_rules_decide_packets)
{
	struct pfbpf_rule m[3], s[2];
	struct pfioc_states ps = {};
	struct pfbpf_state st[4];
	struct pf_config cfg;

	/* block in; anchor "svc"; block in quick proto tcp to port 6666 */
	env_rule(&m[0], PF_DROP, "");
	m[0].direction = PF_IN;
	env_rule(&m[1], PF_PASS, "");
	env_rule(&m[2], PF_DROP, "late");
	m[2].direction = PF_IN;
	m[2].quick = 1;
	m[2].proto = IPPROTO_TCP;
	m[2].dport = (struct pfbpf_port_spec){ .op = PF_OP_EQ, .port = { 6666 } };
	load_rules("", m, (const char *[]){ NULL, "svc", NULL }, 3);
	cr_assert_eq(syn(5555), XDP_DROP, "the anchor is empty: blocked");

	/* pass in proto tcp to port 5555; pass in quick proto tcp to port 6666 */
	env_rule(&s[0], PF_PASS, "svc-5555");
	s[0].direction = PF_IN;
	s[0].proto = IPPROTO_TCP;
	s[0].dport = (struct pfbpf_port_spec){ .op = PF_OP_EQ, .port = { 5555 } };
	s[0].flags = TH_SYN;
	s[0].flagset = TH_SYN | TH_ACK;
	s[1] = s[0];
	s[1].quick = 1;
	s[1].dport.port[0] = 6666;
	snprintf(s[1].label, sizeof(s[1].label), "svc-6666");
	load_rules("svc", s, NULL, 2);
	cr_assert_eq(syn(5555), XDP_PASS, "the anchor's rule passes it");
	cr_assert_eq(syn(6666), XDP_PASS, "quick in the anchor wins over the later main rule");
	cr_assert_eq(syn(7777), XDP_DROP);

	ps.ps_len = sizeof(st);
	ps.ps_states = st;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, 2 * sizeof(st[0]));
	cr_assert_eq(env_cfg(&cfg), 0);
	for (int i = 0; i < 2; i++) {
		bool p6666 = st[i].key[0].port[1] == htons(6666) || st[i].key[0].port[0] == htons(6666);

		cr_assert_str_eq(st[i].rule_anchor, "svc", "state %d: rule %u nr %u", i, st[i].s.rule,
				 st[i].rule_nr);
		cr_assert_eq(st[i].rule_nr, p6666 ? 1 : 0, "states name the anchor's rule: %u %u ports %u %u", st[i].rule_nr, st[i].s.rule, ntohs(st[i].key[0].port[0]), ntohs(st[i].key[0].port[1]));
		cr_assert_eq(st[i].s.rule, env_rid(cfg.active, p6666 ? 2 : 1),
			     "s.rule is the id of the flat rule that made it");
	}

	/* A main reload moves every position; the states, made in the old
	 * slot, still name the rules that made them. */
	{
		struct pfbpf_rule m2[4];

		env_rule(&m2[0], PF_PASS, "first");
		m2[0].direction = PF_OUT;
		memcpy(&m2[1], m, sizeof(m));
		load_rules("", m2, (const char *[]){ NULL, NULL, "svc", NULL }, 4);
	}
	ps.ps_len = sizeof(st);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, 2 * sizeof(st[0]));
	for (int i = 0; i < 2; i++) {
		bool p6666 = st[i].key[0].port[1] == htons(6666) || st[i].key[0].port[0] == htons(6666);

		cr_assert_str_eq(st[i].rule_anchor, "svc", "state %d after the reload", i);
		cr_assert_eq(st[i].rule_nr, p6666 ? 1 : 0);
	}

	load_rules("svc", NULL, NULL, 0);
	cr_assert_eq(syn(5556), XDP_DROP, "flushed: blocked again");
}
