// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_tables.c - the DIOCR* table commands on the real pf_tables
 * LPM trie, and tables in transactions (DIOCRINADEFINE).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"
#include "pfbpf_cls.h"

TestSuite(tables, .init = env_setup_maps, .fini = env_teardown);

static struct pfr_addr A(const char *s, int net, int neg)
{
	struct pfr_addr a = {};

	if (strchr(s, ':')) {
		a.pfra_af = PF_INET6;
		inet_pton(AF_INET6, s, &a.pfra_ip6addr);
	} else {
		a.pfra_af = PF_INET;
		inet_pton(AF_INET, s, &a.pfra_ip4addr);
	}
	a.pfra_net = net;
	a.pfra_not = neg;
	return a;
}

static void io_init(struct pfioc_table *io, const char *name, void *buf, int esize, int n)
{
	memset(io, 0, sizeof(*io));
	snprintf(io->pfrio_table.pfrt_name, sizeof(io->pfrio_table.pfrt_name), "%s", name);
	io->pfrio_buffer = buf;
	io->pfrio_esize = esize;
	io->pfrio_size = n;
}

static void mktable(const char *name, __u32 flags)
{
	struct pfr_table t = { .pfrt_flags = flags };
	struct pfioc_table io;

	snprintf(t.pfrt_name, sizeof(t.pfrt_name), "%s", name);
	io_init(&io, "", &t, sizeof(t), 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRADDTABLES, &io), 0, "%s", pfbpf_strerror(env_dev));
}

static int addaddrs(const char *name, struct pfr_addr *a, int n, int flags)
{
	struct pfioc_table io;
	int ret;

	io_init(&io, name, a, sizeof(*a), n);
	io.pfrio_flags = flags;
	ret = pfbpf_ioctl(env_dev, DIOCRADDADDRS, &io);
	return ret ? -errno : io.pfrio_nadd;
}

static int test1(const char *name, const char *addr)
{
	struct pfr_addr a = A(addr, strchr(addr, ':') ? 128 : 32, 0);
	struct pfioc_table io;

	io_init(&io, name, &a, sizeof(a), 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRTSTADDRS, &io), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(io.pfrio_nmatch, a.pfra_fback == PFR_FB_MATCH);
	return io.pfrio_nmatch;
}

static int naddrs(const char *name)
{
	struct pfioc_table io;

	io_init(&io, name, NULL, sizeof(struct pfr_addr), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETADDRS, &io), 0, "%s", pfbpf_strerror(env_dev));
	return io.pfrio_size;
}

Test(tables, add_table_and_addresses_fill_the_trie)
{
	struct pfr_addr a[] = { A("192.0.2.0", 24, 0), A("192.0.2.7", 32, 1),
				A("2001:db8::", 32, 0), A("192.0.2.0", 24, 0) };
	struct pf_table_key k = {};
	struct pf_table_entry e;
	int id;

	mktable("bad", PFR_TFLAG_PERSIST);
	cr_assert_eq(addaddrs("bad", a, 4, PFR_FLAG_FEEDBACK), 3, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(a[1].pfra_fback, PFR_FB_ADDED, "a /32 inside a /24 is its own entry");
	cr_assert_eq(a[0].pfra_fback, PFR_FB_ADDED);
	cr_assert_eq(a[3].pfra_fback, PFR_FB_DUPLICATE);
	/* the entry as the datapath sees it */
	k.prefixlen = 32 + 24;
	k.af = PF_INET;
	inet_pton(AF_INET, "192.0.2.0", &k.addr.v4);
	for (id = 0; id < 4; id++) {
		k.table = htons(id);
		if (!bpf_map_lookup_elem(env_map(PFBPF_MAP_TABLES), &k, &e))
			break;
	}
	cr_assert_lt(id, 4, "192.0.2.0/24 is in pf_tables");
	cr_assert_eq(e.neg, 0);
	cr_assert_gt(e.ctime, 0);

	cr_assert_eq(test1("bad", "192.0.2.9"), 1);
	cr_assert_eq(test1("bad", "192.0.2.7"), 0, "a negated entry is a non-match");
	cr_assert_eq(test1("bad", "198.51.100.1"), 0);
	cr_assert_eq(test1("bad", "2001:db8::1"), 1);
	cr_assert_eq(naddrs("bad"), 3);
}

Test(tables, addaddrs_validates_and_needs_a_table)
{
	struct pfr_addr a = A("192.0.2.1", 24, 0);

	mktable("t", 0);
	cr_assert_eq(addaddrs("t", &a, 1, 0), -EINVAL, "host bits under the mask");
	a = A("192.0.2.0", 33, 0);
	cr_assert_eq(addaddrs("t", &a, 1, 0), -EINVAL);
	a = A("192.0.2.0", 24, 0);
	cr_assert_eq(addaddrs("nosuch", &a, 1, 0), -ESRCH);
	cr_assert_str_eq(pfbpf_strerror(env_dev), "DIOCRADDADDRS: table <nosuch> does not exist");
	cr_assert_eq(addaddrs("t", &a, 1, PFR_FLAG_DUMMY), 1);
	cr_assert_eq(naddrs("t"), 0, "a dummy run changes nothing");
}

Test(tables, const_table_refuses_changes)
{
	struct pfr_addr a = A("192.0.2.0", 24, 0);

	mktable("c", PFR_TFLAG_CONST | PFR_TFLAG_PERSIST);
	cr_assert_eq(addaddrs("c", &a, 1, 0), -EPERM);
}

Test(tables, getaddrs_size_protocol_and_astats)
{
	struct pfr_addr a[] = { A("192.0.2.0", 24, 0), A("198.51.100.1", 32, 0) };
	struct pfr_addr out[2];
	struct pfr_astats as[2];
	struct pfioc_table io;

	mktable("t", 0);
	cr_assert_eq(addaddrs("t", a, 2, 0), 2);
	io_init(&io, "t", out, sizeof(out[0]), 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETADDRS, &io), 0);
	cr_assert_eq(io.pfrio_size, 2, "too small: the size needed, nothing stored");
	io.pfrio_size = 2;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETADDRS, &io), 0);
	cr_assert_eq(io.pfrio_size, 2);
	cr_assert(out[0].pfra_net + out[1].pfra_net == 56);
	io_init(&io, "t", as, sizeof(as[0]), 2);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETASTATS, &io), 0);
	cr_assert_eq(io.pfrio_size, 2);
	cr_assert_gt(as[0].pfras_tzero, 0);
	io_init(&io, "t", a, sizeof(a[0]), 2);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRCLRASTATS, &io), 0);
	cr_assert_eq(io.pfrio_nzero, 2);
	io_init(&io, "t", out, 3, 2);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETADDRS, &io), -1);
	cr_assert_eq(errno, ENODEV, "a wrong element size is pf's ENODEV");
}

Test(tables, deladdrs_setaddrs_clraddrs)
{
	struct pfr_addr a[] = { A("192.0.2.0", 24, 0), A("198.51.100.1", 32, 0),
				A("203.0.113.0", 24, 0) };
	struct pfr_addr b[4] = { A("198.51.100.1", 32, 1), A("203.0.113.0", 24, 0),
				 A("2001:db8::", 48, 0) };
	struct pfioc_table io;

	mktable("t", 0);
	cr_assert_eq(addaddrs("t", a, 3, 0), 3);
	io_init(&io, "t", a, sizeof(a[0]), 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRDELADDRS, &io), 0);
	cr_assert_eq(io.pfrio_ndel, 1);
	cr_assert_eq(test1("t", "192.0.2.5"), 0);
	/* re-add it, then replace the whole content:
	 * 192.0.2.0/24 goes, 198.51.100.1 flips to !, 203.0.113.0/24 stays,
	 * 2001:db8::/48 comes; the deleted one is reported after the list */
	cr_assert_eq(addaddrs("t", a, 1, 0), 1);
	io_init(&io, "t", b, sizeof(b[0]), 3);
	io.pfrio_size2 = 4;
	io.pfrio_flags = PFR_FLAG_FEEDBACK;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRSETADDRS, &io), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(b[0].pfra_fback, PFR_FB_CHANGED);
	cr_assert_eq(b[1].pfra_fback, PFR_FB_NONE);
	cr_assert_eq(b[2].pfra_fback, PFR_FB_ADDED);
	cr_assert_eq(b[3].pfra_fback, PFR_FB_DELETED);
	cr_assert_eq(io.pfrio_nadd, 1);
	cr_assert_eq(io.pfrio_ndel, 1);
	cr_assert_eq(io.pfrio_nchange, 1);
	cr_assert_eq(io.pfrio_size2, 4);
	cr_assert_eq(b[3].pfra_net, 24);
	cr_assert_eq(b[3].pfra_ip4addr.s_addr, A("192.0.2.0", 24, 0).pfra_ip4addr.s_addr);
	cr_assert_eq(test1("t", "198.51.100.1"), 0);
	cr_assert_eq(test1("t", "203.0.113.77"), 1);
	cr_assert_eq(test1("t", "2001:db8::5"), 1);
	cr_assert_eq(naddrs("t"), 3);

	io_init(&io, "t", NULL, sizeof(struct pfr_addr), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRCLRADDRS, &io), 0);
	cr_assert_eq(io.pfrio_ndel, 3);
	cr_assert_eq(naddrs("t"), 0);
}

Test(tables, gettables_tstats_clrtstats)
{
	struct pfr_table t[3];
	struct pfr_tstats ts[2];
	struct pf_table_stats st = { .match = 9, .nomatch = 2 };
	struct pfr_addr a = A("192.0.2.0", 24, 0);
	struct pfioc_table io;
	__u32 id;

	mktable("one", PFR_TFLAG_PERSIST);
	mktable("two", 0);
	cr_assert_eq(addaddrs("two", &a, 1, 0), 1);
	io_init(&io, "", t, sizeof(t[0]), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTABLES, &io), 0);
	cr_assert_eq(io.pfrio_size, 2);
	io.pfrio_size = 3;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTABLES, &io), 0);
	cr_assert_eq(io.pfrio_size, 2);
	for (int i = 0; i < 2; i++) {
		cr_assert(t[i].pfrt_flags & PFR_TFLAG_ACTIVE);
		if (!strcmp(t[i].pfrt_name, "one"))
			cr_assert(t[i].pfrt_flags & PFR_TFLAG_PERSIST);
	}
	/* the datapath's hit counters for table "two" */
	io_init(&io, "", ts, sizeof(ts[0]), 2);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTSTATS, &io), 0);
	for (int i = 0; i < 2; i++)
		if (!strcmp(ts[i].pfrts_name, "two")) {
			cr_assert_eq(ts[i].pfrts_cnt, 1);
			for (id = 0; id < 2; id++) {
				struct pf_table_key k = { .prefixlen = 56, .table = htons(id),
							  .af = PF_INET };
				struct pf_table_entry e;

				memcpy(&k.addr, &a.pfra_u, 4);
				if (!bpf_map_lookup_elem(env_map(PFBPF_MAP_TABLES), &k, &e))
					break;
			}
		}
	cr_assert_lt(id, 2);
	env_pcpu_put(PFBPF_MAP_TABLESTAT, &id, &st, sizeof(st), env_ncpu() - 1);
	io_init(&io, "", ts, sizeof(ts[0]), 2);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTSTATS, &io), 0);
	for (int i = 0; i < 2; i++)
		if (!strcmp(ts[i].pfrts_name, "two")) {
			cr_assert_eq(ts[i].pfrts_match, 9);
			cr_assert_eq(ts[i].pfrts_nomatch, 2);
		}
	strcpy(t[0].pfrt_name, "two");
	io_init(&io, "", t, sizeof(t[0]), 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRCLRTSTATS, &io), 0);
	cr_assert_eq(io.pfrio_nzero, 1);
	io_init(&io, "", ts, sizeof(ts[0]), 2);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTSTATS, &io), 0);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(ts[i].pfrts_match, 0);
}

Test(tables, settflags_deltables_clrtables)
{
	struct pfr_table t = {};
	struct pfioc_table io;

	mktable("p", PFR_TFLAG_PERSIST);
	mktable("q", PFR_TFLAG_PERSIST);
	mktable("r", 0);
	strcpy(t.pfrt_name, "p");
	io_init(&io, "", &t, sizeof(t), 1);
	io.pfrio_setflag = PFR_TFLAG_CONST;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRSETTFLAGS, &io), 0);
	cr_assert_eq(io.pfrio_nchange, 1);
	/* losing persist, unreferenced: the table goes */
	io_init(&io, "", &t, sizeof(t), 1);
	io.pfrio_clrflag = PFR_TFLAG_PERSIST;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRSETTFLAGS, &io), 0);
	cr_assert_eq(io.pfrio_ndel, 1);
	io_init(&io, "", &t, sizeof(t), 1);
	io.pfrio_setflag = PFR_TFLAG_ACTIVE;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRSETTFLAGS, &io), -1);
	cr_assert_eq(errno, EINVAL);

	strcpy(t.pfrt_name, "q");
	io_init(&io, "", &t, sizeof(t), 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRDELTABLES, &io), 0);
	cr_assert_eq(io.pfrio_ndel, 1);
	io_init(&io, "", NULL, sizeof(t), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRCLRTABLES, &io), 0);
	cr_assert_eq(io.pfrio_ndel, 1, "only r was left");
	io_init(&io, "", NULL, sizeof(t), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTABLES, &io), 0);
	cr_assert_eq(io.pfrio_size, 0);
}

Test(tables, table_limit)
{
	struct pfioc_limit pl = { .index = PF_LIMIT_TABLES, .limit = 1 };
	struct pfr_table t = { .pfrt_name = "second" };
	struct pfioc_table io;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETLIMIT, &pl), 0);
	mktable("first", 0);
	io_init(&io, "", &t, sizeof(t), 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRADDTABLES, &io), -1);
	cr_assert_eq(errno, ENOMEM);
}

/* pfctl -f loads tables with DIOCRINADEFINE inside the rules' transaction:
 * the new contents appear at the commit, a rule names the table by id. */
Test(tables, inadefine_in_a_transaction)
{
	struct pfioc_trans_e e[2] = { { .rs_num = PF_RULESET_TABLE },
				      { .rs_num = PF_RULESET_FILTER } };
	struct pfioc_trans tr = { .size = 2, .esize = sizeof(e[0]), .array = e };
	struct pfr_addr old = A("198.51.100.0", 24, 0);
	struct pfr_addr a[] = { A("192.0.2.0", 24, 0), A("203.0.113.5", 32, 0) };
	struct pfioc_rule pr = {};
	struct pfioc_table io;
	struct pf_config cfg;
	struct pf_rule_bpf rb;
	__u32 idx;

	mktable("web", PFR_TFLAG_PERSIST);
	cr_assert_eq(addaddrs("web", &old, 1, 0), 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &tr), 0, "%s", pfbpf_strerror(env_dev));
	io_init(&io, "web", a, sizeof(a[0]), 2);
	io.pfrio_ticket = e[0].ticket;
	io.pfrio_table.pfrt_flags = PFR_TFLAG_PERSIST;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRINADEFINE, &io), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(io.pfrio_nadd, 1);
	cr_assert_eq(io.pfrio_naddr, 2);
	io_init(&io, "fresh", a, sizeof(a[0]), 1);
	io.pfrio_ticket = e[0].ticket;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRINADEFINE, &io), 0);
	pr.ticket = e[1].ticket;
	env_rule(&pr.rule, PF_DROP, "t");
	pr.rule.src.type = PFBPF_ADDR_TABLE;
	strcpy(pr.rule.src.table, "web");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	/* nothing visible before the commit */
	cr_assert_eq(test1("web", "198.51.100.9"), 1);
	cr_assert_eq(test1("web", "192.0.2.9"), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &tr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(test1("web", "198.51.100.9"), 0);
	cr_assert_eq(test1("web", "192.0.2.9"), 1);
	cr_assert_eq(test1("web", "203.0.113.5"), 1);
	cr_assert_eq(test1("fresh", "192.0.2.1"), 1);
	cr_assert_eq(naddrs("web"), 2, "the staging entries are gone");
	cr_assert_eq(env_cfg(&cfg), 0);
	idx = cfg.active * PF_MAX_RULES;
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_RULES), &idx, &rb), 0);
	cr_assert_neq(rb.src_table, 0, "the rule tests table <web>");
	/* a stale ticket */
	io_init(&io, "web", a, sizeof(a[0]), 1);
	io.pfrio_ticket = e[0].ticket;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRINADEFINE, &io), -1);
	cr_assert_eq(errno, EBUSY);
}

Test(tables, inadefine_rolled_back)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_TABLE };
	struct pfioc_trans tr = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfr_addr a = A("192.0.2.0", 24, 0);
	struct pfioc_table io;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &tr), 0);
	io_init(&io, "ghost", &a, sizeof(a), 1);
	io.pfrio_ticket = e.ticket;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRINADEFINE, &io), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXROLLBACK, &tr), 0);
	io_init(&io, "", NULL, sizeof(struct pfr_table), 0);
	io.pfrio_flags = PFR_FLAG_ALLRSETS;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTABLES, &io), 0);
	cr_assert_eq(io.pfrio_size, 0, "the never-committed table is gone");
}

/* A table a rule names exists (undefined, referenced) while the rule does,
 * and goes with it. */
Test(tables, referenced_table_lives_with_its_rule)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans tr = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};
	struct pfr_table t[2];
	struct pfioc_table io;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &tr), 0);
	pr.ticket = e.ticket;
	env_rule(&pr.rule, PF_DROP, "x");
	pr.rule.dst.type = PFBPF_ADDR_TABLE;
	strcpy(pr.rule.dst.table, "named");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &tr), 0, "%s", pfbpf_strerror(env_dev));
	io_init(&io, "", t, sizeof(t[0]), 2);
	io.pfrio_flags = PFR_FLAG_ALLRSETS;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTABLES, &io), 0);
	cr_assert_eq(io.pfrio_size, 1);
	cr_assert_str_eq(t[0].pfrt_name, "named");
	cr_assert(t[0].pfrt_flags & PFR_TFLAG_REFERENCED);
	cr_assert_not(t[0].pfrt_flags & PFR_TFLAG_ACTIVE);
	/* an empty ruleset: the table goes */
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &tr), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &tr), 0);
	io_init(&io, "", t, sizeof(t[0]), 2);
	io.pfrio_flags = PFR_FLAG_ALLRSETS;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRGETTABLES, &io), 0);
	cr_assert_eq(io.pfrio_size, 0);
}
