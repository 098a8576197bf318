// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_cls_random.c - random rulesets and packets: the bit-vector
 * classifier (run in BPF) must pick exactly the rule pf's linear walk
 * picks, and stop where it stops.  Values are drawn from small pools so
 * that rules overlap, nest and negate each other often.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <criterion/criterion.h>

#include "cls_probe.h"

static struct cls_probe probe;

static void setup(void)
{
	int err = cls_probe_open(&probe, CLS_PROBE_OBJ);

	cr_assert_eq(err, 0, "loading %s failed: %s", CLS_PROBE_OBJ, strerror(-err));
}

static void teardown(void)
{
	cls_probe_close(&probe);
}

TestSuite(cls_random, .init = setup, .fini = teardown, .timeout = 300);

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng_state >> 33) % n;
}

static const char *v4_pfx[] = { "192.0.2.0/24", "192.0.2.0/25", "192.0.2.128/26", "192.0.2.5/32",
				"198.51.100.0/24", "198.51.100.7/32", "0.0.0.0/0", "192.0.0.0/8",
				"203.0.113.0/28" };
static const char *v6_pfx[] = { "2001:db8::/32", "2001:db8:1::/48", "2001:db8::1/128", "::/0",
				"2001:db8::/64" };
static const char *v4_host[] = { "192.0.2.5", "192.0.2.130", "192.0.2.1", "198.51.100.7",
				 "198.51.100.9", "203.0.113.1", "203.0.113.200" };
static const char *v6_host[] = { "2001:db8::1", "2001:db8:1::5", "2001:db9::1", "2001:db8::2" };
static const __u16 ports[] = { 0, 1, 22, 53, 80, 443, 1023, 1024, 1025, 8080, 65534, 65535 };
static const __u8 icmp_types[] = { 0, 3, 8, 11 };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void parse_pfx(const char *s, __u8 *af, struct pf_addr *a, __u8 *plen)
{
	char buf[64], *slash;

	strcpy(buf, s);
	slash = strchr(buf, '/');
	*slash = 0;
	*af = strchr(buf, ':') ? PF_INET6 : PF_INET;
	memset(a, 0, sizeof(*a));
	inet_pton(*af == PF_INET ? AF_INET : AF_INET6, buf, a);
	*plen = atoi(slash + 1);
}

static int tid(const char *name, void *arg)
{
	return name[0] == 'a' ? 0 : 1;
}

static void rand_addr(struct pfbpf_addr_spec *a, __u8 *af)
{
	unsigned k = rnd(10);

	memset(a, 0, sizeof(*a));
	if (k < 4)
		return;
	if (k == 4) {
		a->type = PFBPF_ADDR_TABLE;
		a->neg = rnd(3) == 0;
		strcpy(a->table, rnd(2) ? "a" : "b");
		return;
	}
	if (!*af)
		*af = rnd(3) ? PF_INET : PF_INET6;
	a->type = PFBPF_ADDR_MASK;
	a->neg = rnd(4) == 0;
	if (*af == PF_INET)
		parse_pfx(v4_pfx[rnd(N(v4_pfx))], &a->af, &a->addr, &a->prefixlen);
	else
		parse_pfx(v6_pfx[rnd(N(v6_pfx))], &a->af, &a->addr, &a->prefixlen);
}

static void rand_port(struct pfbpf_port_spec *p)
{
	memset(p, 0, sizeof(*p));
	if (rnd(2))
		return;
	p->op = 1 + rnd(9);
	p->port[0] = ports[rnd(N(ports))];
	p->port[1] = ports[rnd(N(ports))];
	if (p->port[0] > p->port[1] && rnd(4)) {
		__u16 t = p->port[0];

		p->port[0] = p->port[1];
		p->port[1] = t;
	}
}

static void rand_rule(struct pfbpf_rule *r, size_t i)
{
	static const __u8 protos[] = { 0, 0, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
				       IPPROTO_ICMPV6, 47 };

	memset(r, 0, sizeof(*r));
	r->nr = i;
	r->action = rnd(2);
	r->direction = rnd(3);
	r->quick = rnd(6) == 0;
	r->af = rnd(3) ? 0 : (rnd(2) ? PF_INET : PF_INET6);
	r->proto = protos[rnd(N(protos))];
	switch (rnd(8)) {
	case 0: strcpy(r->ifname, "lo"); r->ifnot = rnd(2); break;
	case 1: strcpy(r->ifname, "pfbpf-none0"); r->ifnot = rnd(2); break;
	}
	rand_addr(&r->src, &r->af);
	rand_addr(&r->dst, &r->af);
	/* keep the af of both masks equal, as pfctl does */
	if (r->src.type == PFBPF_ADDR_MASK && r->dst.type == PFBPF_ADDR_MASK && r->src.af != r->dst.af)
		r->dst.type = PFBPF_ADDR_ANY;
	if (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP) {
		rand_port(&r->sport);
		rand_port(&r->dport);
	}
	if (r->proto == IPPROTO_TCP && rnd(3) == 0) {
		r->flagset = rnd(2) ? 0x12 : rnd(256);
		r->flags = rnd(2) ? 0x02 : (rnd(256) & r->flagset);
	}
	if ((r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6) && rnd(2)) {
		r->icmp_type = icmp_types[rnd(N(icmp_types))] + 1;
		r->icmp_code = rnd(2) ? 0 : rnd(3) + 1;
	}
}

static void rand_pkt(struct pfbpf_cls_pkt *p, unsigned lo)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, 47 };
	static const unsigned ifs[] = { 1, 2, 99 };

	memset(p, 0, sizeof(*p));
	p->dir = 1 + rnd(2);
	p->af = rnd(3) ? PF_INET : PF_INET6;
	if (p->af == PF_INET) {
		inet_pton(AF_INET, v4_host[rnd(N(v4_host))], &p->src);
		inet_pton(AF_INET, v4_host[rnd(N(v4_host))], &p->dst);
	} else {
		inet_pton(AF_INET6, v6_host[rnd(N(v6_host))], &p->src);
		inet_pton(AF_INET6, v6_host[rnd(N(v6_host))], &p->dst);
	}
	p->proto = protos[rnd(N(protos))];
	p->ifindex = ifs[rnd(3)] == 1 ? lo : ifs[rnd(3)];
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		p->has_ports = 1;
		p->sport = ports[rnd(N(ports))] + (rnd(4) == 0);
		p->dport = ports[rnd(N(ports))] - (rnd(4) == 0);
	}
	if (p->proto == IPPROTO_TCP)
		p->tcp_flags = rnd(2) ? 0x02 : rnd(256);
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		p->icmp_type = rnd(2) ? icmp_types[rnd(N(icmp_types))] : rnd(256);
		p->icmp_code = rnd(4);
	}
}

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

static void flush_tables(void)
{
	int fd = cls_probe_map_fd(PFBPF_MAP_TABLES, &probe);
	struct pf_table_key k;

	while (!bpf_map_get_next_key(fd, NULL, &k))
		bpf_map_delete_elem(fd, &k);
}

static void fill_tables(void)
{
	unsigned n = rnd(6), i;

	flush_tables();
	for (i = 0; i < n; i++) {
		struct pf_addr a;
		__u8 af, plen;

		if (rnd(3))
			parse_pfx(v4_pfx[rnd(N(v4_pfx))], &af, &a, &plen);
		else
			parse_pfx(v6_pfx[rnd(N(v6_pfx))], &af, &a, &plen);
		cr_assert_eq(cls_probe_table_add(&probe, rnd(2), af, &a, plen, rnd(4) == 0), 0);
	}
}

/* CLS_DEBUG=1: print a ruleset and packet the two evaluations disagree on. */
static void dump_addr(const char *what, const struct pfbpf_addr_spec *a)
{
	char buf[INET6_ADDRSTRLEN] = "";

	if (a->type == PFBPF_ADDR_ANY) {
		fprintf(stderr, " %s any", what);
		return;
	}
	if (a->type == PFBPF_ADDR_TABLE) {
		fprintf(stderr, " %s %s<%s>", what, a->neg ? "!" : "", a->table);
		return;
	}
	inet_ntop(a->af == PF_INET ? AF_INET : AF_INET6, &a->addr, buf, sizeof(buf));
	fprintf(stderr, " %s %s%s/%u", what, a->neg ? "!" : "", buf, a->prefixlen);
}

static void dump(const struct pfbpf_rule *r, size_t n, const struct pfbpf_cls_pkt *p)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n; i++) {
		const struct pfbpf_rule *x = &r[i];

		fprintf(stderr, "@%zu %s dir %u%s af %u proto %u on %s%s", i, x->action ? "block" : "pass",
			x->direction, x->quick ? " quick" : "", x->af, x->proto, x->ifnot ? "!" : "",
			x->ifname[0] ? x->ifname : "any");
		dump_addr("from", &x->src);
		fprintf(stderr, " port op %u %u %u", x->sport.op, x->sport.port[0], x->sport.port[1]);
		dump_addr("to", &x->dst);
		fprintf(stderr, " port op %u %u %u flags %#x/%#x icmp %u/%u\n", x->dport.op, x->dport.port[0],
			x->dport.port[1], x->flags, x->flagset, x->icmp_type, x->icmp_code);
	}
	inet_ntop(p->af == PF_INET ? AF_INET : AF_INET6, &p->src, s, sizeof(s));
	inet_ntop(p->af == PF_INET ? AF_INET : AF_INET6, &p->dst, d, sizeof(d));
	fprintf(stderr, "packet dir %u proto %u if %u %s:%u -> %s:%u flags %#x icmp %u/%u\n", p->dir, p->proto,
		p->ifindex, s, p->sport, d, p->dport, p->tcp_flags, p->icmp_type, p->icmp_code);
}

/*
 * Rules built to defeat the summaries (docs/classifier.md): TCP rules of a
 * few shapes, taking turns between a positive and a negated source,
 * single ports and ranges, so that for most packets one field's bitmap is
 * dense and the other's sparse in the same words.  The layout splits such
 * rules into finer shapes, which must not change any answer.
 */
static void adv_rule(struct pfbpf_rule *r, size_t i)
{
	memset(r, 0, sizeof(*r));
	r->nr = i;
	r->action = rnd(2);
	r->direction = rnd(3);
	r->quick = rnd(4) == 0;
	r->proto = IPPROTO_TCP;
	switch (i % 5) {
	case 0: /* from <prefix> port = p */
	case 1: /* from ! <prefix> to port range */
		r->src.type = PFBPF_ADDR_MASK;
		if (rnd(4))
			parse_pfx(v4_pfx[rnd(N(v4_pfx))], &r->src.af, &r->src.addr, &r->src.prefixlen);
		else
			parse_pfx(v6_pfx[rnd(N(v6_pfx))], &r->src.af, &r->src.addr, &r->src.prefixlen);
		r->src.neg = i % 5 == 1;
		do
			rand_port(&r->dport);
		while (r->dport.op == PF_OP_NONE);
		if (i % 5 == 0)
			r->dport.op = PF_OP_EQ;
		break;
	case 2: /* port ranges on both sides */
		do {
			rand_port(&r->sport);
			rand_port(&r->dport);
		} while (r->sport.op == PF_OP_NONE || r->dport.op == PF_OP_NONE);
		break;
	case 3: /* all but a few ports */
		rand_port(&r->sport);
		r->dport.op = rnd(2) ? PF_OP_NE : PF_OP_XRG;
		r->dport.port[0] = ports[rnd(N(ports))];
		r->dport.port[1] = ports[rnd(N(ports))];
		break;
	default: /* anything */
		rand_rule(r, i);
		break;
	}
	r->af = r->src.type == PFBPF_ADDR_MASK ? r->src.af : r->af;
}

static void run_round_with(unsigned round, size_t nrules, unsigned npkts,
			   void (*gen)(struct pfbpf_rule *, size_t));

static void run_round(unsigned round, size_t nrules, unsigned npkts)
{
	run_round_with(round, nrules, npkts, rand_rule);
}

static void run_round_with(unsigned round, size_t nrules, unsigned npkts,
			   void (*gen)(struct pfbpf_rule *, size_t))
{
	struct pfbpf_rule *r = calloc(nrules + 1, sizeof(*r));
	struct pfbpf_cls_image *img = NULL;
	unsigned lo = if_nametoindex("lo"), slot = round & 1, i;
	char err[256] = "";
	int e;

	cr_assert_not_null(r);
	for (i = 0; i < nrules; i++)
		gen(&r[i], i);
	e = pfbpf_cls_compile(r, nrules, tid, NULL, &img, err, sizeof(err));
	cr_assert_eq(e, 0, "round %u: compile: %s", round, err);
	e = pfbpf_cls_install(img, slot, cls_probe_map_fd, &probe);
	cr_assert_eq(e, 0, "round %u: install: %s", round, strerror(-e));
	fill_tables();
	for (i = 0; i < npkts; i++) {
		struct pfbpf_cls_pkt p;
		struct cls_probe_match m;
		__u32 stop;
		int lin;

		rand_pkt(&p, lo);
		cr_assert_eq(cls_probe_run(&probe, &p, slot, &m), 0);
		lin = pfbpf_cls_linear(img, &p, in_table, NULL, &stop);
		if (getenv("CLS_DEBUG") && (int)m.idx != lin)
			dump(r, nrules, &p);
		cr_assert_eq((int)m.idx, lin, "round %u (%zu rules) packet %u: classifier %d, pf walk %d", round,
			     nrules, i, (int)m.idx, lin);
		cr_assert_eq(m.stop, stop, "round %u packet %u: stop %u vs %u", round, i, m.stop, stop);
	}
	pfbpf_cls_free(img);
	free(r);
}

Test(cls_random, small_rulesets)
{
	unsigned round;

	/* CLS_SEED=n explores other rulesets; the default is fixed so a
	 * failure reproduces */
	rng_state = getenv("CLS_SEED") ? strtoull(getenv("CLS_SEED"), NULL, 0) : 0x5eed0001;
	for (round = 0; round < 300; round++)
		run_round(round, 1 + rnd(70), 60);
}

/* Rulesets spanning many words and summary words: the summary AND and the
 * rank indexing into the pool are exercised. */
Test(cls_random, large_rulesets)
{
	static const size_t sizes[] = { 300, 1000, 4100, 9000 };
	unsigned round;

	rng_state = 0x5eed0002;
	for (round = 0; round < N(sizes); round++)
		run_round(round, sizes[round], 400);
}

/* Rulesets of the classifier's worst cases, small and large, checked
 * against pf's walk like the others. */
Test(cls_random, adversarial_rulesets)
{
	static const size_t sizes[] = { 40, 130, 700, 3000, 12000 };
	unsigned round;

	rng_state = getenv("CLS_SEED") ? strtoull(getenv("CLS_SEED"), NULL, 0) : 0x5eed0003;
	for (round = 0; round < 60; round++)
		run_round_with(round, 1 + rnd(90), 60, adv_rule);
	for (round = 0; round < N(sizes); round++)
		run_round_with(round, sizes[round], 400, adv_rule);
}

/* Rules of wide-spread prefixes and ports: thousands of distinct bitmaps,
 * enough to fill the word pool near 9,000 rules. */
static void pool_rule(struct pfbpf_rule *r, size_t i)
{
	memset(r, 0, sizeof(*r));
	r->nr = i;
	r->action = rnd(2);
	r->direction = rnd(3);
	r->quick = rnd(5) == 0;
	r->proto = rnd(2) ? IPPROTO_TCP : IPPROTO_UDP;
	if (rnd(2)) {
		r->src.type = PFBPF_ADDR_MASK;
		r->src.af = r->af = PF_INET;
		r->src.prefixlen = 16 + rnd(17);
		r->src.addr.v4 = htonl(0xc0000000 + rnd(1 << 20) * 16);
		r->src.neg = rnd(8) == 0;
	}
	if (rnd(2)) {
		r->dst.type = PFBPF_ADDR_MASK;
		r->dst.af = r->af = PF_INET;
		r->dst.prefixlen = 24 + rnd(9);
		r->dst.addr.v4 = htonl(0xc6336400 + rnd(256));
	}
	if (rnd(3) == 0) {
		r->sport.op = 1 + rnd(9);
		r->sport.port[0] = rnd(65536);
		r->sport.port[1] = rnd(65536);
	}
	if (rnd(2)) {
		r->dport.op = rnd(3) ? PF_OP_EQ : 1 + rnd(9);
		r->dport.port[0] = rnd(2000);
		r->dport.port[1] = rnd(65536);
	}
}

/* A ruleset that the finest layout cannot store (word pool full) is
 * compiled with a coarser one, and still answers as pf does. */
Test(cls_random, pool_fallback)
{
	struct pfbpf_rule *r = calloc(9000, sizeof(*r));
	struct pfbpf_cls_image *img = NULL;
	struct pfbpf_cls_stats st = {};
	unsigned round, i, lo = if_nametoindex("lo");
	char err[256] = "";
	int e;

	cr_assert_not_null(r);
	rng_state = 12345;
	for (round = 0; round < 8; round++) {
		for (i = 0; i < 9000; i++)
			pool_rule(&r[i], i);
		e = pfbpf_cls_compile(r, 9000, tid, NULL, &img, err, sizeof(err));
		if (e)
			continue;
		pfbpf_cls_stats(img, &st);
		if (st.layout < 3)
			break;
		pfbpf_cls_free(img);
		img = NULL;
	}
	cr_assert_not_null(img, "no ruleset needed a coarser layout (last: %s)", err);
	cr_assert_eq(pfbpf_cls_install(img, 0, cls_probe_map_fd, &probe), 0);
	flush_tables();
	for (i = 0; i < 600; i++) {
		struct pfbpf_cls_pkt p;
		struct cls_probe_match m;
		__u32 stop;
		int lin;

		rand_pkt(&p, lo);
		if (i % 2 && p.af == PF_INET) /* sources the rules name */
			p.src.v4 = htonl(0xc0000000 + rnd(1 << 24));
		cr_assert_eq(cls_probe_run(&probe, &p, 0, &m), 0);
		lin = pfbpf_cls_linear(img, &p, in_table, NULL, &stop);
		cr_assert_eq((int)m.idx, lin, "packet %u: classifier %d, pf walk %d", i, (int)m.idx, lin);
		cr_assert_eq(m.stop, stop, "packet %u: stop %u vs %u", i, m.stop, stop);
	}
	pfbpf_cls_free(img);
	free(r);
}

/* So many rules of so many shapes that the finest shapes' padding does not
 * fit the bit space: the layout falls back to coarser shapes. */
Test(cls_random, coarse_fallback)
{
	rng_state = 0x5eed0004;
	run_round(0, PF_MAX_RULES, 400);
}
