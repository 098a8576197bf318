// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_cls_eval.c - the rule classifier: compiler and BPF side together.
 * Every packet is classified by the BPF code (BPF_PROG_TEST_RUN on
 * tests/unit/cls_probe.bpf.c) and the answer is compared with what pf's
 * rule walk picks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "cls_probe.h"

static struct cls_probe probe;
static struct pfbpf_cls_image *img;

static void setup(void)
{
	int err = cls_probe_open(&probe, CLS_PROBE_OBJ);

	cr_assert_eq(err, 0, "loading %s failed: %s (run as root on a kernel with BPF)", CLS_PROBE_OBJ,
		     strerror(-err));
}

static void teardown(void)
{
	pfbpf_cls_free(img);
	img = NULL;
	cls_probe_close(&probe);
}

TestSuite(cls, .init = setup, .fini = teardown);

/* Tables known to the tests: "good" = 0, "bad" = 1. */
static int tid(const char *name, void *arg)
{
	if (!strcmp(name, "good"))
		return 0;
	if (!strcmp(name, "bad"))
		return 1;
	return -ENOENT;
}

static struct pfbpf_rule R(__u8 action, __u8 dir, int quick)
{
	struct pfbpf_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.direction = dir;
	r.quick = quick;
	return r;
}

static void mask(struct pfbpf_addr_spec *a, const char *s, int plen, int neg)
{
	memset(a, 0, sizeof(*a));
	a->type = PFBPF_ADDR_MASK;
	a->neg = neg;
	a->af = strchr(s, ':') ? PF_INET6 : PF_INET;
	a->prefixlen = plen;
	cr_assert_eq(inet_pton(a->af == PF_INET ? AF_INET : AF_INET6, s, &a->addr), 1);
}

static void table(struct pfbpf_addr_spec *a, const char *name, int neg)
{
	memset(a, 0, sizeof(*a));
	a->type = PFBPF_ADDR_TABLE;
	a->neg = neg;
	strcpy(a->table, name);
}

static struct pfbpf_cls_pkt P(__u8 dir, const char *src, const char *dst, __u8 proto, __u16 sp, __u16 dp)
{
	struct pfbpf_cls_pkt p;

	memset(&p, 0, sizeof(p));
	p.dir = dir;
	p.af = strchr(src, ':') ? PF_INET6 : PF_INET;
	inet_pton(p.af == PF_INET ? AF_INET : AF_INET6, src, &p.src);
	inet_pton(p.af == PF_INET ? AF_INET : AF_INET6, dst, &p.dst);
	p.proto = proto;
	p.has_ports = proto == IPPROTO_TCP || proto == IPPROTO_UDP;
	p.sport = sp;
	p.dport = dp;
	p.ifindex = 1;
	if (proto == IPPROTO_TCP)
		p.tcp_flags = 0x02;
	return p;
}

static void load(const struct pfbpf_rule *r, size_t n, unsigned slot)
{
	char err[256] = "";
	int e;

	for (size_t i = 0; i < n; i++)
		((struct pfbpf_rule *)r)[i].nr = i;
	pfbpf_cls_free(img);
	img = NULL;
	e = pfbpf_cls_compile(r, n, tid, NULL, &img, err, sizeof(err));
	cr_assert_eq(e, 0, "compile: %s", err);
	e = pfbpf_cls_install(img, slot, cls_probe_map_fd, &probe);
	cr_assert_eq(e, 0, "install: %s", strerror(-e));
}

static int in_table(unsigned t, __u8 af, const struct pf_addr *a, void *arg);

/* Classify with BPF and with the linear walk; both must agree.  Returns
 * the winner (-1 for none). */
static int classify(const struct pfbpf_cls_pkt *p, unsigned slot)
{
	struct cls_probe_match m;
	__u32 stop;
	int lin, e;

	e = cls_probe_run(&probe, p, slot, &m);
	cr_assert_eq(e, 0, "test run: %s", strerror(-e));
	lin = pfbpf_cls_linear(img, p, in_table, NULL, &stop);
	cr_assert_eq((int)m.idx, lin, "classifier picked %d, pf's walk picks %d", (int)m.idx, lin);
	cr_assert_eq(m.stop, stop, "walk stops at %u, pf stops at %u", m.stop, stop);
	cr_assert_eq(m.slot, slot);
	return lin;
}

/* The reference's view of pf_tables: ask the kernel map with an exact
 * host-route lookup, so both sides see the same table contents. */
static int in_table(unsigned t, __u8 af, const struct pf_addr *a, void *arg)
{
	struct pf_table_key k = {};
	struct pf_table_entry e;

	k.prefixlen = 32 + (af == PF_INET ? 32 : 128);
	k.table = htons(t);
	k.af = af;
	k.addr = *a;
	if (bpf_map_lookup_elem(cls_probe_map_fd(PFBPF_MAP_TABLES, &probe), &k, &e))
		return 0;
	return !e.neg;
}

Test(cls, empty_ruleset_passes_without_rule)
{
	struct pfbpf_cls_pkt p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_TCP, 1000, 22);
	struct cls_probe_match m;

	load(NULL, 0, 0);
	cr_assert_eq(cls_probe_run(&probe, &p, 0, &m), 0);
	cr_assert_eq(m.idx, PF_RULE_NONE);
	cr_assert_eq(m.stop, 0);
}

Test(cls, last_match_wins_unless_quick)
{
	struct pfbpf_rule r[4] = { R(PF_DROP, PF_INOUT, 0), R(PF_PASS, PF_IN, 0), R(PF_DROP, PF_IN, 1),
				   R(PF_PASS, PF_IN, 0) };
	struct pfbpf_cls_pkt p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_TCP, 1000, 22);

	r[2].proto = IPPROTO_UDP; /* quick rule that does not match TCP */
	load(r, 4, 0);
	cr_assert_eq(classify(&p, 0), 3);
	p.proto = IPPROTO_UDP;
	cr_assert_eq(classify(&p, 0), 2, "the first matching quick rule wins");
	p = P(PF_OUT, "192.0.2.1", "198.51.100.1", IPPROTO_TCP, 1000, 22);
	cr_assert_eq(classify(&p, 0), 0, "only the inout rule matches outbound");
}

Test(cls, port_operators)
{
	static const struct {
		__u8 op;
		__u16 a, b;
		__u16 in[3], out[3];
		int nout;
	} c[] = {
		{ PF_OP_EQ, 22, 0, { 22, 22, 22 }, { 21, 23, 0 }, 3 },
		{ PF_OP_NE, 22, 0, { 21, 23, 0 }, { 22, 22, 22 }, 3 },
		{ PF_OP_LT, 1024, 0, { 0, 1, 1023 }, { 1024, 1025, 65535 }, 3 },
		{ PF_OP_LE, 1024, 0, { 0, 1024, 1023 }, { 1025, 2000, 65535 }, 3 },
		{ PF_OP_GT, 1024, 0, { 1025, 65535, 2000 }, { 1024, 0, 1 }, 3 },
		{ PF_OP_GE, 1024, 0, { 1024, 65535, 2000 }, { 1023, 0, 1 }, 3 },
		{ PF_OP_IRG, 10, 20, { 11, 19, 15 }, { 10, 20, 21 }, 3 },
		{ PF_OP_XRG, 10, 20, { 9, 21, 0 }, { 10, 20, 15 }, 3 },
		{ PF_OP_RRG, 10, 20, { 10, 20, 15 }, { 9, 21, 65535 }, 3 },
		{ PF_OP_NE, 0, 0, { 1, 65535, 80 }, { 0, 0, 0 }, 1 },
		{ PF_OP_GE, 0, 0, { 0, 65535, 80 }, { 0, 0, 0 }, 0 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (int side = 0; side < 2; side++) {
			struct pfbpf_rule r[2] = { R(PF_DROP, PF_INOUT, 0), R(PF_PASS, PF_INOUT, 0) };
			struct pfbpf_port_spec *ps = side ? &r[1].dport : &r[1].sport;

			r[1].proto = IPPROTO_TCP;
			ps->op = c[i].op;
			ps->port[0] = c[i].a;
			ps->port[1] = c[i].b;
			load(r, 2, 0);
			for (int j = 0; j < 3; j++) {
				struct pfbpf_cls_pkt p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_TCP,
							   side ? 1 : c[i].in[j], side ? c[i].in[j] : 1);

				cr_assert_eq(classify(&p, 0), 1, "op %u %u %u side %d port %u should match",
					     c[i].op, c[i].a, c[i].b, side, c[i].in[j]);
				if (j >= c[i].nout)
					continue;
				p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_TCP, side ? 1 : c[i].out[j],
				      side ? c[i].out[j] : 1);
				cr_assert_eq(classify(&p, 0), 0, "op %u %u %u side %d port %u should not match",
					     c[i].op, c[i].a, c[i].b, side, c[i].out[j]);
			}
			/* a packet with no ports never matches a port rule */
			struct pfbpf_cls_pkt q = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_ICMP, 0, 0);
			cr_assert_eq(classify(&q, 0), 0);
		}
	}
}

Test(cls, addresses_cidr_and_negation)
{
	struct pfbpf_rule r[5] = { R(PF_DROP, PF_INOUT, 0), R(PF_PASS, PF_IN, 0), R(PF_DROP, PF_IN, 0),
				   R(PF_PASS, PF_IN, 0), R(PF_DROP, PF_IN, 0) };
	struct pfbpf_cls_pkt p;

	mask(&r[1].src, "192.0.2.0", 24, 0);           /* from 192.0.2.0/24 */
	mask(&r[2].src, "192.0.2.128", 25, 0);         /* from 192.0.2.128/25 */
	mask(&r[3].dst, "198.51.100.7", 32, 1);        /* to !198.51.100.7 */
	mask(&r[4].src, "2001:db8::", 32, 1);          /* from !2001:db8::/32 (inet6) */
	load(r, 5, 0);
	p = P(PF_IN, "192.0.2.1", "198.51.100.7", IPPROTO_TCP, 1, 2);
	cr_assert_eq(classify(&p, 0), 1);
	p = P(PF_IN, "192.0.2.200", "198.51.100.7", IPPROTO_TCP, 1, 2);
	cr_assert_eq(classify(&p, 0), 2);
	p = P(PF_IN, "192.0.2.200", "198.51.100.8", IPPROTO_TCP, 1, 2);
	cr_assert_eq(classify(&p, 0), 3);
	p = P(PF_IN, "203.0.113.1", "198.51.100.7", IPPROTO_TCP, 1, 2);
	cr_assert_eq(classify(&p, 0), 0);
	p = P(PF_IN, "2001:db8::1", "2001:db8::2", IPPROTO_TCP, 1, 2);
	cr_assert_eq(classify(&p, 0), 0, "inet rules do not match inet6, the negated inet6 one excludes it");
	p = P(PF_IN, "2001:db9::1", "2001:db8::2", IPPROTO_TCP, 1, 2);
	cr_assert_eq(classify(&p, 0), 4);
}

Test(cls, af_proto_direction_interface)
{
	struct pfbpf_rule r[6] = { R(PF_DROP, PF_INOUT, 0), R(PF_PASS, PF_OUT, 0), R(PF_PASS, PF_INOUT, 0),
				   R(PF_PASS, PF_IN, 0), R(PF_PASS, PF_IN, 0), R(PF_PASS, PF_IN, 0) };
	struct pfbpf_cls_pkt p;

	r[2].af = PF_INET6;
	r[3].proto = IPPROTO_UDP;
	strcpy(r[4].ifname, "lo");
	r[4].proto = IPPROTO_ICMP;
	strcpy(r[5].ifname, "pfbpf-absent0"); /* pf allows rules on absent interfaces */
	load(r, 6, 0);
	p = P(PF_OUT, "192.0.2.1", "198.51.100.1", IPPROTO_TCP, 1, 2);
	cr_assert_eq(classify(&p, 0), 1);
	p = P(PF_IN, "2001:db8::1", "2001:db8::2", IPPROTO_TCP, 1, 2);
	cr_assert_eq(classify(&p, 0), 2);
	p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_UDP, 1, 2);
	cr_assert_eq(classify(&p, 0), 3);
	p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_ICMP, 0, 0);
	p.ifindex = if_nametoindex("lo");
	cr_assert_eq(classify(&p, 0), 4);
	p.ifindex = 999999;
	cr_assert_eq(classify(&p, 0), 0, "on lo does not match another interface; absent never matches");

	r[4].ifnot = 1; /* on !lo */
	r[5].ifnot = 1; /* on !absent: every interface */
	load(r, 6, 0);
	p.ifindex = if_nametoindex("lo");
	cr_assert_eq(classify(&p, 0), 5);
	p.ifindex = 999999;
	cr_assert_eq(classify(&p, 0), 5);
	r[5].ifnot = 0;
	load(r, 6, 0);
	cr_assert_eq(classify(&p, 0), 4);
	p.ifindex = if_nametoindex("lo");
	cr_assert_eq(classify(&p, 0), 0);
}

Test(cls, tcp_flags_and_icmp_type)
{
	struct pfbpf_rule r[4] = { R(PF_DROP, PF_INOUT, 0), R(PF_PASS, PF_IN, 0), R(PF_PASS, PF_IN, 0),
				   R(PF_PASS, PF_IN, 0) };
	struct pfbpf_cls_pkt p;

	r[1].proto = IPPROTO_TCP;
	r[1].flags = 0x02;   /* flags S/SA */
	r[1].flagset = 0x12;
	r[2].proto = IPPROTO_ICMP;
	r[2].icmp_type = 8 + 1; /* icmp-type echoreq */
	r[3].proto = IPPROTO_ICMP;
	r[3].icmp_type = 3 + 1; /* unreach code 4 */
	r[3].icmp_code = 4 + 1;
	load(r, 4, 0);
	p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_TCP, 1, 2);
	p.tcp_flags = 0x02;
	cr_assert_eq(classify(&p, 0), 1, "SYN matches S/SA");
	p.tcp_flags = 0x02 | 0x08 | 0x40;
	cr_assert_eq(classify(&p, 0), 1, "SYN|PSH|ECE matches S/SA");
	p.tcp_flags = 0x12;
	cr_assert_eq(classify(&p, 0), 0, "SYN|ACK does not match S/SA");
	p.tcp_flags = 0x10;
	cr_assert_eq(classify(&p, 0), 0, "ACK does not match S/SA");
	p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_ICMP, 0, 0);
	p.icmp_type = 8;
	cr_assert_eq(classify(&p, 0), 2);
	p.icmp_type = 0;
	cr_assert_eq(classify(&p, 0), 0);
	p.icmp_type = 3;
	p.icmp_code = 4;
	cr_assert_eq(classify(&p, 0), 3);
	p.icmp_code = 1;
	cr_assert_eq(classify(&p, 0), 0);
}

Test(cls, tables_change_verdict_live)
{
	struct pfbpf_rule r[3] = { R(PF_PASS, PF_INOUT, 0), R(PF_DROP, PF_IN, 0), R(PF_PASS, PF_IN, 1) };
	struct pfbpf_cls_pkt p = P(PF_IN, "192.0.2.9", "198.51.100.1", IPPROTO_TCP, 1, 2);
	struct pf_addr a = {};

	table(&r[1].src, "bad", 0);   /* block in from <bad> */
	table(&r[2].dst, "good", 1);  /* pass in quick to !<good> */
	load(r, 3, 0);
	/* both tables empty: to !<good> matches, quick */
	cr_assert_eq(classify(&p, 0), 2);
	inet_pton(AF_INET, "198.51.100.0", &a);
	cr_assert_eq(cls_probe_table_add(&probe, 0, PF_INET, &a, 24, 0), 0);
	cr_assert_eq(classify(&p, 0), 0, "dst in <good> now: the quick rule no longer matches");
	inet_pton(AF_INET, "192.0.2.0", &a);
	cr_assert_eq(cls_probe_table_add(&probe, 1, PF_INET, &a, 24, 0), 0);
	cr_assert_eq(classify(&p, 0), 1, "src in <bad>: block");
	inet_pton(AF_INET, "192.0.2.9", &a);
	cr_assert_eq(cls_probe_table_add(&probe, 1, PF_INET, &a, 32, 1), 0);
	cr_assert_eq(classify(&p, 0), 0, "a negated entry (!192.0.2.9) in <bad> excludes the host");
	cr_assert_eq(cls_probe_table_del(&probe, 1, PF_INET, &a, 32), 0);
	cr_assert_eq(classify(&p, 0), 1);
	inet_pton(AF_INET, "192.0.2.0", &a);
	cr_assert_eq(cls_probe_table_del(&probe, 1, PF_INET, &a, 24), 0);
	cr_assert_eq(classify(&p, 0), 0);
}

Test(cls, install_into_inactive_slot_leaves_active_alone)
{
	struct pfbpf_rule a[2] = { R(PF_PASS, PF_INOUT, 0), R(PF_DROP, PF_IN, 0) };
	struct pfbpf_rule b[3] = { R(PF_DROP, PF_INOUT, 0), R(PF_PASS, PF_IN, 0), R(PF_PASS, PF_OUT, 0) };
	struct pfbpf_cls_pkt p = P(PF_IN, "192.0.2.1", "198.51.100.1", IPPROTO_TCP, 1, 2);
	struct cls_probe_match m;

	mask(&a[1].src, "192.0.2.1", 32, 0);
	load(a, 2, 0);
	cr_assert_eq(classify(&p, 0), 1);
	load(b, 3, 1);
	/* slot 0 still answers with ruleset a */
	cr_assert_eq(cls_probe_run(&probe, &p, 0, &m), 0);
	cr_assert_eq(m.idx, 1);
	cr_assert_eq(m.stop, 2);
	cr_assert_eq(cls_probe_run(&probe, &p, 1, &m), 0);
	cr_assert_eq(m.idx, 1);
	cr_assert_eq(m.stop, 3);
	/* a smaller ruleset into slot 0 removes its stale entries */
	load(a, 1, 0);
	cr_assert_eq(cls_probe_run(&probe, &p, 0, &m), 0);
	cr_assert_eq(m.idx, 0);
	cr_assert_eq(m.stop, 1);
}

static int tprof(const struct pfbpf_rule *r, void *arg)
{
	return r->timeout[PFTM_TCP_ESTABLISHED] ? 5 : 0;
}

/* pf_rules holds what the datapath needs of each rule, per slot. */
Test(cls, pf_rules_contents_per_slot)
{
	struct pfbpf_rule r[2] = { R(PF_PASS, PF_IN, 0), R(PF_DROP, PF_OUT, 1) };
	struct pf_rule_bpf b;
	char err[256] = "";
	__u32 key;
	int fd;

	r[0].keep_state = PF_STATE_NORMAL;
	r[0].max_states = 10;
	r[1].rule_flag = PFRULE_RETURNRST;
	r[1].log = 1;
	r[1].timeout[PFTM_TCP_ESTABLISHED] = 3600;
	table(&r[1].dst, "bad", 1);
	r[0].nr = 0;
	r[1].nr = 1;
	cr_assert_eq(pfbpf_cls_compile(r, 2, tid, NULL, &img, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(pfbpf_cls_set_tprofiles(img, r, tprof, NULL), 0);
	cr_assert_eq(pfbpf_cls_install(img, 1, cls_probe_map_fd, &probe), 0);
	fd = cls_probe_map_fd(PFBPF_MAP_RULES, &probe);
	key = 1 * PF_MAX_RULES + 0;
	cr_assert_eq(bpf_map_lookup_elem(fd, &key, &b), 0);
	cr_assert_eq(b.nr, 0);
	cr_assert_eq(b.action, PF_PASS);
	cr_assert_eq(b.direction, PF_IN);
	cr_assert_eq(b.keep_state, PF_STATE_NORMAL);
	cr_assert_eq(b.max_states, 10);
	cr_assert_eq(b.tprofile, 0);
	key = 1 * PF_MAX_RULES + 1;
	cr_assert_eq(bpf_map_lookup_elem(fd, &key, &b), 0);
	cr_assert_eq(b.nr, 1);
	cr_assert_eq(b.action, PF_DROP);
	cr_assert_eq(b.quick, 1);
	cr_assert_eq(b.log, 1);
	cr_assert_eq(b.rule_flag, PFRULE_RETURNRST);
	cr_assert_eq(b.tprofile, 5);
	cr_assert_eq(b.dst_table, 1 + 1, "table id 1 (\"bad\") + 1");
	cr_assert_eq(b.dst_table_neg, 1);
	key = 0 * PF_MAX_RULES + 1;
	cr_assert_eq(bpf_map_lookup_elem(fd, &key, &b), 0);
	cr_assert_eq(b.nr, 0, "slot 0 untouched");
	cr_assert_eq(b.action, 0);
}
