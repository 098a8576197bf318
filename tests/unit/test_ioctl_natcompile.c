// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_natcompile.c - translation rules at DIOCXCOMMIT: what lands
 * in pf_natrules / pf_natpool / pf_config.nat_rules of the new slot, field
 * by field; the limits (E2BIG) and unknown interfaces refused with the
 * running slot untouched; `($if)` in filter rules; and the pool commands
 * of the seed manual (DIOCGETADDRS / DIOCGETADDR / DIOCCHANGEADDR).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"
#include "test_addr.h"
#include "lib/pf_xflat.h"
#include "ioctl/ioctl_priv.h" /* struct pfbpf_xtable: the id a table got */

TestSuite(natc, .init = env_setup_maps, .fini = env_teardown);

static __u32 begin(void)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0, "%s", pfbpf_strerror(env_dev));
	return e.ticket;
}

static int commit(__u32 ticket)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER, .ticket = ticket };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };

	return pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t);
}

static void dynif(struct pfbpf_addr_spec *a, const char *ifname, __u8 iflags)
{
	memset(a, 0, sizeof(*a));
	a->type = PFBPF_ADDR_DYNIF;
	a->iflags = iflags;
	snprintf(a->table, sizeof(a->table), "%s", ifname);
}

/* A translation rule as the parser makes it (action, xlate, direction). */
static void xrule(struct pfbpf_rule *r, int action, int xlate, int dir, const char *ifname)
{
	env_rule(r, action, "");
	r->keep_state = action == PF_PASS ? PF_STATE_NORMAL : PF_STATE_NONE;
	r->xlate = xlate;
	r->direction = dir;
	r->af = PF_INET;
	snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	if (xlate == PF_NAT) {
		r->rpool.proxy_port[0] = PF_NAT_PROXY_PORT_LOW;
		r->rpool.proxy_port[1] = PF_NAT_PROXY_PORT_HIGH;
	}
}

/* DIOCBEGINADDRS, DIOCADDADDR for each of pool[n], DIOCADDRULE. */
static int add(__u32 ticket, const struct pfbpf_rule *r, const struct pfbpf_addr_spec *pool,
	       int n)
{
	struct pfioc_pooladdr pp = {};
	struct pfioc_rule pr = { .ticket = ticket };

	if (pfbpf_ioctl(env_dev, DIOCBEGINADDRS, &pp))
		return -1;
	for (int i = 0; i < n; i++) {
		pp.af = PF_INET;
		pp.addr.addr = pool[i];
		if (pfbpf_ioctl(env_dev, DIOCADDADDR, &pp))
			return -1;
	}
	pr.pool_ticket = pp.ticket;
	pr.rule = *r;
	return pfbpf_ioctl(env_dev, DIOCADDRULE, &pr);
}

/* add() with a one-address pool, which must be accepted. */
static void add1(__u32 ticket, const struct pfbpf_rule *r, const char *pool)
{
	struct pfbpf_addr_spec p;

	test_mask4(&p, pool, 32);
	cr_assert_eq(add(ticket, r, &p, 1), 0, "%s", pfbpf_strerror(env_dev));
}

static struct pf_nat_rule_bpf natrule(__u32 slot, __u32 i)
{
	struct pf_nat_rule_bpf nb;
	__u32 idx = slot * PF_MAX_NAT_RULES + i;

	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_NATRULES), &idx, &nb), 0);
	return nb;
}

static struct pf_pool_addr_bpf natpool(__u32 slot, __u32 i)
{
	struct pf_pool_addr_bpf pa;
	__u32 idx = slot * PF_MAX_POOL_ADDRS + i;

	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_NATPOOL), &idx, &pa), 0);
	return pa;
}

static __u32 xflat(__u32 slot, __u32 idx)
{
	struct pfbpf_xflat_key k = { .slot = slot, .idx = idx };
	struct pfbpf_xflat v;

	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_XFLAT), &k, &v), 0);
	return v.nr;
}

static __u32 a4(const char *s)
{
	return inet_addr(s);
}

/*
 * The ruleset of the main test, in pf.conf terms:
 *  0 nat on lo inet from 192.0.2.0/24 to any -> 198.51.100.1
 *  1 no nat on lo inet from 192.0.2.5 to any
 *  2 rdr on lo inet proto tcp from any to any port = 8080 -> 192.0.2.20 port 80
 *  3 binat on lo inet from 192.0.2.30 to any -> 198.51.100.30
 *  4 nat pass log on lo inet from <lan> to any -> (lo) round-robin sticky-address
 *  5 pass out on lo inet from any to 203.0.113.0/24 nat-to 198.51.100.2
 *  6 match out on lo inet from 192.0.2.0/24 to ! 203.0.113.9 nat-to 198.51.100.3 static-port
 *  7 pass in on lo inet proto tcp to 192.0.2.1 port 22
 */
static void load_main(void)
{
	struct pfbpf_rule r;
	struct pfbpf_addr_spec p;
	__u32 t = begin();

	xrule(&r, PF_NAT, PF_NAT, PF_OUT, "lo");
	test_mask4(&r.src, "192.0.2.0", 24);
	add1(t, &r, "198.51.100.1");

	xrule(&r, PF_NONAT, 0, PF_OUT, "lo");
	test_mask4(&r.src, "192.0.2.5", 32);
	cr_assert_eq(add(t, &r, NULL, 0), 0, "%s", pfbpf_strerror(env_dev));

	xrule(&r, PF_RDR, PF_RDR, PF_IN, "lo");
	r.proto = IPPROTO_TCP;
	r.dport.op = PF_OP_EQ;
	r.dport.port[0] = 8080;
	r.rpool.proxy_port[0] = 80;
	add1(t, &r, "192.0.2.20");

	xrule(&r, PF_BINAT, PF_BINAT, PF_OUT, "lo");
	test_mask4(&r.src, "192.0.2.30", 32);
	add1(t, &r, "198.51.100.30");

	xrule(&r, PF_NAT, PF_NAT, PF_OUT, "lo");
	r.src.type = PFBPF_ADDR_TABLE;
	snprintf(r.src.table, sizeof(r.src.table), "lan");
	r.natpass = 1;
	r.log = 1;
	r.rpool.opts = PF_POOL_ROUNDROBIN | PF_POOL_STICKYADDR;
	dynif(&p, "lo", 0);
	cr_assert_eq(add(t, &r, &p, 1), 0, "%s", pfbpf_strerror(env_dev));

	xrule(&r, PF_PASS, PF_NAT, PF_OUT, "lo");
	test_mask4(&r.dst, "203.0.113.0", 24);
	add1(t, &r, "198.51.100.2");

	xrule(&r, PF_MATCH, PF_NAT, PF_OUT, "lo");
	test_mask4(&r.src, "192.0.2.0", 24);
	test_mask4(&r.dst, "203.0.113.9", 32);
	r.dst.neg = 1;
	r.rpool.opts = PF_POOL_STATICPORT;
	r.rpool.proxy_port[0] = r.rpool.proxy_port[1] = 0;
	add1(t, &r, "198.51.100.3");

	xrule(&r, PF_PASS, 0, PF_IN, "lo");
	r.proto = IPPROTO_TCP;
	test_mask4(&r.dst, "192.0.2.1", 32);
	r.dport.op = PF_OP_EQ;
	r.dport.port[0] = 22;
	cr_assert_eq(add(t, &r, NULL, 0), 0, "%s", pfbpf_strerror(env_dev));

	cr_assert_eq(commit(t), 0, "%s", pfbpf_strerror(env_dev));
}

Test(natc, commit_fills_natrules_and_pools)
{
	struct pf_config cfg;
	struct pf_nat_rule_bpf nb;
	struct pf_pool_addr_bpf pa;
	struct pfbpf_xtable xt;
	__u32 lo = if_nametoindex("lo"), s;
	char tname[PF_TABLE_NAME_SIZE] = "lan";

	load_main();
	cr_assert_eq(env_cfg(&cfg), 0);
	s = cfg.active;
	cr_assert_eq(cfg.nat_rules[s], 7);

	/* Filter classifier: only the pass rules (5 and 7), match and
	 * nat/rdr/binat never decide there. */
	cr_assert_eq(xflat(s, PFBPF_XFLAT_COUNT), 2);
	cr_assert_eq(xflat(s, 0), 5);
	cr_assert_eq(xflat(s, 1), 7);

	nb = natrule(s, 0);
	cr_assert_eq(nb.nr, 0);
	cr_assert_eq(nb.action, PF_NAT);
	cr_assert_eq(nb.xlate, PF_NAT);
	cr_assert_eq(nb.ifindex, lo);
	cr_assert_eq(nb.direction, PF_OUT);
	cr_assert_eq(nb.af, PF_INET);
	cr_assert_eq(nb.proto, 0);
	cr_assert_eq(nb.flags, 0);
	cr_assert_eq(nb.src.v4, a4("192.0.2.0"));
	cr_assert_eq(nb.src_plen, 24);
	cr_assert_eq(nb.dst_plen, 0);
	cr_assert_eq(nb.proxy_port[0], 50001);
	cr_assert_eq(nb.proxy_port[1], 65535);
	cr_assert_eq(nb.pool_first, 0);
	cr_assert_eq(nb.pool_count, 1);
	pa = natpool(s, 0);
	cr_assert_eq(pa.type, PF_POOLADDR_MASK);
	cr_assert_eq(pa.af, PF_INET);
	cr_assert_eq(pa.plen, 32);
	cr_assert_eq(pa.addr.v4, a4("198.51.100.1"));

	nb = natrule(s, 1);
	cr_assert_eq(nb.nr, 1);
	cr_assert_eq(nb.action, PF_NONAT);
	cr_assert_eq(nb.xlate, 0);
	cr_assert_eq(nb.src.v4, a4("192.0.2.5"));
	cr_assert_eq(nb.src_plen, 32);
	cr_assert_eq(nb.pool_count, 0);

	nb = natrule(s, 2);
	cr_assert_eq(nb.nr, 0, "rdr rules are numbered in their own ruleset");
	cr_assert_eq(nb.action, PF_RDR);
	cr_assert_eq(nb.xlate, PF_RDR);
	cr_assert_eq(nb.direction, PF_IN);
	cr_assert_eq(nb.proto, IPPROTO_TCP);
	cr_assert_eq(nb.dport_op, PF_OP_EQ);
	cr_assert_eq(nb.dport[0], 8080);
	cr_assert_eq(nb.proxy_port[0], 80);
	cr_assert_eq(nb.proxy_port[1], 0);
	cr_assert_eq(nb.pool_first, 1);
	cr_assert_eq(nb.pool_count, 1);
	cr_assert_eq(natpool(s, 1).addr.v4, a4("192.0.2.20"));

	nb = natrule(s, 3);
	cr_assert_eq(nb.nr, 0);
	cr_assert_eq(nb.action, PF_BINAT);
	cr_assert_eq(nb.xlate, PF_BINAT);
	cr_assert_eq(nb.pool_first, 2);
	cr_assert_eq(natpool(s, 2).addr.v4, a4("198.51.100.30"));

	nb = natrule(s, 4);
	cr_assert_eq(nb.nr, 2, "third rule of the nat ruleset");
	cr_assert_eq(nb.flags, PF_NATR_PASS | PF_NATR_LOG);
	cr_assert_eq(nb.pool_opts, PF_POOL_ROUNDROBIN | PF_POOL_STICKYADDR);
	cr_assert_eq(bpf_map_lookup_elem(env_map("pf_xtables"), tname, &xt), 0);
	cr_assert_eq(nb.src_table, xt.id + 1);
	cr_assert_eq(nb.pool_first, 3);
	pa = natpool(s, 3);
	cr_assert_eq(pa.type, PF_POOLADDR_DYNIF);
	cr_assert_eq(pa.ifindex, lo);
	cr_assert_eq(pa.af, PF_INET);

	nb = natrule(s, 5);
	cr_assert_eq(nb.nr, 5);
	cr_assert_eq(nb.action, PF_PASS);
	cr_assert_eq(nb.xlate, PF_NAT);
	cr_assert_eq(nb.flags, PF_NATR_BOUND | PF_NATR_FILTER_ORIG);
	cr_assert_eq(nb.owner, 0, "its index in the filter slot");
	cr_assert_eq(nb.dst.v4, a4("203.0.113.0"));
	cr_assert_eq(nb.dst_plen, 24);
	cr_assert_eq(natpool(s, nb.pool_first).addr.v4, a4("198.51.100.2"));

	nb = natrule(s, 6);
	cr_assert_eq(nb.nr, 6);
	cr_assert_eq(nb.action, PF_MATCH);
	cr_assert_eq(nb.xlate, PF_NAT);
	cr_assert_eq(nb.flags, PF_NATR_FILTER_ORIG | PF_NATR_DST_NEG);
	cr_assert_eq(nb.pool_opts, PF_POOL_STATICPORT);
	cr_assert_eq(nb.proxy_port[0], 0);
	cr_assert_eq(nb.proxy_port[1], 0);
	cr_assert_eq(nb.pool_first, 5);
	cr_assert_eq(natpool(s, 5).addr.v4, a4("198.51.100.3"));
}

Test(natc, reload_without_nat_zeroes_the_count)
{
	struct pf_config cfg;
	struct pfbpf_rule r;
	__u32 t;

	load_main();
	t = begin();
	env_rule(&r, PF_PASS, "");
	cr_assert_eq(add(t, &r, NULL, 0), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(commit(t), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.nat_rules[cfg.active], 0);
	cr_assert_eq(cfg.nat_rules[!cfg.active], 7, "the old slot keeps its rules");
}

/* A commit refused by the translation compile leaves everything running. */
static void refused(__u32 t, int err, const char *what)
{
	struct pf_config before, after;

	cr_assert_eq(env_cfg(&before), 0);
	cr_assert_eq(commit(t), -1);
	cr_assert_eq(errno, err, "%s", pfbpf_strerror(env_dev));
	cr_assert(strstr(pfbpf_strerror(env_dev), what), "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&after), 0);
	cr_assert_eq(after.active, before.active);
	cr_assert_eq(after.ruleset_gen, before.ruleset_gen);
	cr_assert_eq(after.nat_rules[after.active], 7);
	cr_assert_eq(natrule(after.active, 0).action, PF_NAT);
	cr_assert_eq(natpool(after.active, 0).addr.v4, a4("198.51.100.1"));
}

/* The main ruleset loaded, a new transaction begun with a nat rule on
 * ifname in r: the ticket. */
static __u32 then_nat(struct pfbpf_rule *r, const char *ifname)
{
	__u32 t;

	load_main();
	t = begin();
	xrule(r, PF_NAT, PF_NAT, PF_OUT, ifname);
	return t;
}

Test(natc, too_many_rules_is_e2big)
{
	struct pfbpf_rule r;
	struct pfbpf_addr_spec p;
	__u32 t;

	t = then_nat(&r, "lo");
	test_mask4(&p, "198.51.100.7", 32);
	for (int i = 0; i <= PF_MAX_NAT_RULES; i++)
		cr_assert_eq(add(t, &r, &p, 1), 0, "%s", pfbpf_strerror(env_dev));
	refused(t, E2BIG, "PF_MAX_NAT_RULES");
}

Test(natc, too_many_pool_addresses_is_e2big)
{
	struct pfbpf_rule r;
	struct pfbpf_addr_spec p[600];
	__u32 t;

	t = then_nat(&r, "lo");
	for (int i = 0; i < 600; i++) {
		char a[32];

		snprintf(a, sizeof(a), "198.51.100.%d", i % 250);
		test_mask4(&p[i], a, 32);
	}
	cr_assert_eq(add(t, &r, p, 600), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(add(t, &r, p, 600), 0, "%s", pfbpf_strerror(env_dev));
	refused(t, E2BIG, "PF_MAX_POOL_ADDRS");
}

Test(natc, unknown_interface_is_enoent)
{
	struct pfbpf_rule r;
	struct pfbpf_addr_spec p;
	__u32 t;

	t = then_nat(&r, "nosuch0");
	add1(t, &r, "198.51.100.7");
	refused(t, ENOENT, "nosuch0");

	/* a pool naming one */
	t = begin();
	xrule(&r, PF_NAT, PF_NAT, PF_OUT, "lo");
	dynif(&p, "nosuch1", 0);
	cr_assert_eq(add(t, &r, &p, 1), 0, "%s", pfbpf_strerror(env_dev));
	refused(t, ENOENT, "nosuch1");

	/* a filter rule's `($if)` */
	t = begin();
	env_rule(&r, PF_PASS, "");
	dynif(&r.dst, "nosuch2", 0);
	cr_assert_eq(add(t, &r, NULL, 0), 0, "%s", pfbpf_strerror(env_dev));
	refused(t, ENOENT, "nosuch2");
}

/* `pass in to (lo)`: one compiled rule per address lo has now. */
Test(natc, filter_dynif_expands_per_address)
{
	struct pf_config cfg;
	struct pfbpf_rule r;
	__u32 t = begin();

	env_rule(&r, PF_PASS, "");
	r.af = PF_INET;
	dynif(&r.dst, "lo", 0);
	cr_assert_eq(add(t, &r, NULL, 0), 0, "%s", pfbpf_strerror(env_dev));
	env_rule(&r, PF_PASS, "");
	dynif(&r.dst, "lo", PFI_AFLAG_NETWORK);
	cr_assert_eq(add(t, &r, NULL, 0), 0, "%s", pfbpf_strerror(env_dev));
	env_rule(&r, PF_DROP, "");
	cr_assert_eq(add(t, &r, NULL, 0), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(commit(t), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	/* lo: 127.0.0.1/8 and ::1/128 -> rule 0 once (inet only), rule 1
	 * for both families, then the block */
	cr_assert_eq(xflat(cfg.active, PFBPF_XFLAT_COUNT), 4);
	cr_assert_eq(xflat(cfg.active, 0), 0);
	cr_assert_eq(xflat(cfg.active, 1), 1);
	cr_assert_eq(xflat(cfg.active, 2), 1);
	cr_assert_eq(xflat(cfg.active, 3), 2);
	cr_assert_eq(cfg.nat_rules[cfg.active], 0);
}

static int getaddrs(int r_action, __u32 r_num, __u32 *ticket)
{
	struct pfioc_pooladdr pp = { .r_action = r_action, .r_num = r_num };

	if (pfbpf_ioctl(env_dev, DIOCGETADDRS, &pp))
		return -1;
	*ticket = pp.ticket;
	return pp.nr;
}

static __u32 getaddr4(int r_action, __u32 r_num, __u32 ticket, __u32 nr)
{
	struct pfioc_pooladdr pp = { .r_action = r_action, .r_num = r_num, .ticket = ticket,
				     .nr = nr };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETADDR, &pp), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pp.addr.addr.type, PFBPF_ADDR_MASK);
	return pp.addr.addr.addr.v4;
}

Test(natc, getaddrs_getaddr_answer_from_the_loaded_rules)
{
	struct pfioc_pooladdr pp = { .r_action = PF_NAT };
	__u32 t;

	load_main();
	cr_assert_eq(getaddrs(PF_NAT, 0, &t), 1, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(getaddr4(PF_NAT, 0, t, 0), a4("198.51.100.1"));
	cr_assert_eq(getaddrs(PF_NAT, 1, &t), 0, "no nat has no pool");
	cr_assert_eq(getaddrs(PF_RDR, 0, &t), 1);
	cr_assert_eq(getaddr4(PF_RDR, 0, t, 0), a4("192.0.2.20"));
	cr_assert_eq(getaddrs(PF_BINAT, 0, &t), 1);
	cr_assert_eq(getaddr4(PF_BINAT, 0, t, 0), a4("198.51.100.30"));
	/* a filter rule's nat-to pool: by its filter rule number */
	cr_assert_eq(getaddrs(PF_PASS, 5, &t), 1);
	cr_assert_eq(getaddr4(PF_PASS, 5, t, 0), a4("198.51.100.2"));
	/* no such rule, no such address, a stale ticket */
	cr_assert_eq(getaddrs(PF_RDR, 1, &t), -1);
	cr_assert_eq(errno, EBUSY);
	pp.ticket = t;
	pp.nr = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETADDR, &pp), -1);
	cr_assert_eq(errno, EBUSY);
	pp.nr = 0;
	pp.ticket = t + 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETADDR, &pp), -1);
	cr_assert_eq(errno, EBUSY);
}

Test(natc, changeaddr_adds_and_removes_and_recompiles)
{
	struct pfioc_pooladdr pp = { .r_action = PF_NAT, .af = PF_INET };
	struct pf_config cfg;
	struct pf_nat_rule_bpf nb;
	__u32 t;

	load_main();
	cr_assert_eq(getaddrs(PF_NAT, 0, &t), 1);
	pp.ticket = t;
	pp.action = PF_CHANGE_ADD_TAIL;
	test_mask4(&pp.addr.addr, "198.51.100.9", 32);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGEADDR, &pp), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_neq(pp.ticket, t, "the ruleset was recompiled");
	cr_assert_eq(getaddrs(PF_NAT, 0, &t), 2);
	cr_assert_eq(t, pp.ticket);
	cr_assert_eq(getaddr4(PF_NAT, 0, t, 1), a4("198.51.100.9"));
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.nat_rules[cfg.active], 7);
	nb = natrule(cfg.active, 0);
	cr_assert_eq(nb.pool_count, 2);
	cr_assert_eq(natpool(cfg.active, nb.pool_first + 1).addr.v4, a4("198.51.100.9"));
	cr_assert_eq(natrule(cfg.active, 2).pool_first, 2, "the later pools moved up");

	/* the old ticket is stale now */
	pp.ticket = t - 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGEADDR, &pp), -1);
	cr_assert_eq(errno, EBUSY);

	pp.ticket = t;
	pp.action = PF_CHANGE_REMOVE;
	pp.nr = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGEADDR, &pp), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(getaddrs(PF_NAT, 0, &t), 1);
	cr_assert_eq(getaddr4(PF_NAT, 0, t, 0), a4("198.51.100.9"));
	/* the last address stays */
	pp.ticket = t;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGEADDR, &pp), -1);
	cr_assert_eq(errno, EINVAL);
}

Test(natc, rollback_drops_staged_pools)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans tr = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfbpf_rule r;
	struct pfbpf_addr_spec p;
	__u32 t;

	load_main();
	e.ticket = begin();
	xrule(&r, PF_NAT, PF_NAT, PF_OUT, "lo");
	test_mask4(&p, "198.51.100.77", 32);
	cr_assert_eq(add(e.ticket, &r, &p, 1), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXROLLBACK, &tr), 0);
	/* the loaded pool is the one read */
	cr_assert_eq(getaddrs(PF_NAT, 0, &t), 1);
	cr_assert_eq(getaddr4(PF_NAT, 0, t, 0), a4("198.51.100.1"));
}

/* Loading one anchor recompiles the whole ruleset: the main ruleset's
 * translation rules keep their (active) pools. */
Test(natc, anchor_load_keeps_main_translation)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};
	struct pf_config before, after;

	load_main();
	cr_assert_eq(env_cfg(&before), 0);
	strcpy(e.anchor, "x");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0, "%s", pfbpf_strerror(env_dev));
	pr.ticket = e.ticket;
	strcpy(pr.anchor, "x");
	env_rule(&pr.rule, PF_PASS, "");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&after), 0);
	cr_assert_neq(after.active, before.active);
	cr_assert_eq(after.nat_rules[after.active], 7);
	cr_assert_eq(natpool(after.active, natrule(after.active, 0).pool_first).addr.v4,
		     a4("198.51.100.1"));
	cr_assert_eq(natpool(after.active, natrule(after.active, 6).pool_first).addr.v4,
		     a4("198.51.100.3"));
}

/* A translation rule in an anchor the main ruleset calls: its pool is
 * staged under the anchor and compiled with the rest. */
Test(natc, translation_rule_in_a_called_anchor)
{
	struct pfioc_trans_e e[2] = { { .rs_num = PF_RULESET_FILTER },
				      { .rs_num = PF_RULESET_FILTER } };
	struct pfioc_trans t = { .size = 2, .esize = sizeof(e[0]), .array = e };
	struct pfioc_rule pr = {};
	struct pfioc_pooladdr pp = {};
	struct pf_config cfg;
	struct pf_nat_rule_bpf nb;

	strcpy(e[1].anchor, "gw");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0, "%s", pfbpf_strerror(env_dev));
	/* main: anchor "gw" */
	pr.ticket = e[0].ticket;
	env_rule(&pr.rule, PF_PASS, "");
	strcpy(pr.anchor_call, "gw");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	/* gw: a plain pass, then nat on lo from 192.0.2.0/24 -> 198.51.100.5 */
	memset(&pr, 0, sizeof(pr));
	pr.ticket = e[1].ticket;
	strcpy(pr.anchor, "gw");
	env_rule(&pr.rule, PF_PASS, "");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCBEGINADDRS, &pp), 0);
	pp.af = PF_INET;
	test_mask4(&pp.addr.addr, "198.51.100.5", 32);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDADDR, &pp), 0, "%s", pfbpf_strerror(env_dev));
	xrule(&pr.rule, PF_NAT, PF_NAT, PF_OUT, "lo");
	test_mask4(&pr.rule.src, "192.0.2.0", 24);
	pr.pool_ticket = pp.ticket;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));

	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.nat_rules[cfg.active], 1);
	cr_assert_eq(xflat(cfg.active, PFBPF_XFLAT_COUNT), 1, "only gw's pass is a filter rule");
	nb = natrule(cfg.active, 0);
	cr_assert_eq(nb.action, PF_NAT);
	cr_assert_eq(nb.nr, 0, "first of gw's nat ruleset");
	cr_assert_eq(nb.src.v4, a4("192.0.2.0"));
	cr_assert_eq(nb.pool_count, 1);
	cr_assert_eq(natpool(cfg.active, nb.pool_first).addr.v4, a4("198.51.100.5"));
	/* and DIOCGETADDRS finds it in its anchor */
	memset(&pp, 0, sizeof(pp));
	pp.r_action = PF_NAT;
	strcpy(pp.anchor, "gw");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETADDRS, &pp), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pp.nr, 1);
}

/* DIOCCHANGERULE may not move a rule that owns a pool (pools are stored
 * under rule numbers) nor add a translating one; after it, all is fine. */
Test(natc, changerule_around_translation_rules)
{
	struct pfioc_rule pr = { .action = PF_CHANGE_GET_TICKET };
	struct pf_config cfg;

	load_main();
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	pr.action = PF_CHANGE_ADD_HEAD;
	env_rule(&pr.rule, PF_PASS, "");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), -1);
	cr_assert_eq(errno, EOPNOTSUPP, "%s", pfbpf_strerror(env_dev));
	pr.action = PF_CHANGE_ADD_TAIL;
	pr.rule.xlate = PF_NAT;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), -1);
	cr_assert_eq(errno, EOPNOTSUPP, "%s", pfbpf_strerror(env_dev));
	pr.rule.xlate = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCHANGERULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.nat_rules[cfg.active], 7);
	cr_assert_eq(xflat(cfg.active, PFBPF_XFLAT_COUNT), 3);
	cr_assert_eq(natpool(cfg.active, natrule(cfg.active, 5).pool_first).addr.v4,
		     a4("198.51.100.2"));
}

/* DIOCRADDTABLES + DIOCRADDADDRS of one IPv4 address into <name>. */
static void table_add4(const char *name, const char *addr, bool create)
{
	struct pfr_table t = { .pfrt_flags = PFR_TFLAG_PERSIST };
	struct pfr_addr a = { .pfra_af = PF_INET, .pfra_net = 32 };
	struct pfioc_table io = {};

	snprintf(t.pfrt_name, sizeof(t.pfrt_name), "%s", name);
	if (create) {
		io.pfrio_buffer = &t;
		io.pfrio_esize = sizeof(t);
		io.pfrio_size = 1;
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRADDTABLES, &io), 0, "%s",
			     pfbpf_strerror(env_dev));
	}
	memset(&io, 0, sizeof(io));
	snprintf(io.pfrio_table.pfrt_name, sizeof(io.pfrio_table.pfrt_name), "%s", name);
	inet_pton(AF_INET, addr, &a.pfra_ip4addr);
	io.pfrio_buffer = &a;
	io.pfrio_esize = sizeof(a);
	io.pfrio_size = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRADDADDRS, &io), 0, "%s", pfbpf_strerror(env_dev));
}

/*
 * A pool `<t>`: the datapath cannot walk a table, so the commit writes the
 * table's addresses into the pool, and adding to the table later compiles
 * the ruleset again so the pool follows.
 */
Test(natc, pool_table_expands_and_follows)
{
	struct pfbpf_rule r;
	struct pfbpf_addr_spec p = { .type = PFBPF_ADDR_TABLE, .table = "natpool" };
	struct pf_nat_rule_bpf nb;
	struct pf_config cfg;
	__u32 t;

	table_add4("natpool", "198.51.100.7", true);
	t = begin();
	xrule(&r, PF_NAT, PF_NAT, PF_OUT, "lo");
	r.rpool.opts = PF_POOL_ROUNDROBIN;
	cr_assert_eq(add(t, &r, &p, 1), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(commit(t), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	nb = natrule(cfg.active, 0);
	cr_assert_eq(nb.pool_count, 1);
	cr_assert_eq(natpool(cfg.active, nb.pool_first).type, PF_POOLADDR_MASK);
	cr_assert_eq(natpool(cfg.active, nb.pool_first).addr.v4, a4("198.51.100.7"));
	cr_assert_eq(natpool(cfg.active, nb.pool_first).plen, 32);

	table_add4("natpool", "198.51.100.8", false);
	cr_assert_eq(env_cfg(&cfg), 0);
	nb = natrule(cfg.active, 0);
	cr_assert_eq(nb.pool_count, 2, "the pool did not follow the table");
	cr_assert_eq(natpool(cfg.active, nb.pool_first + 1).addr.v4 ^
			     natpool(cfg.active, nb.pool_first).addr.v4,
		     a4("198.51.100.7") ^ a4("198.51.100.8"));
}
