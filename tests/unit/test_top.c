// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_top.c - pftop_bpf's pieces: the tcpdump-like filter (matches and
 * errors with their column), the sort orders, the views' text, and the
 * snapshot over a real pinned state table: the bounded top-N equals the
 * first N of the whole sorted table, the filter drops states, rates come
 * from successive walks, and 100,000 states are walked well within
 * pftop's default 5 s refresh.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "ioctl_env.h"
#include "top/top.h"
#include "top/filter.h"
#include "top/view.h"

static struct top_row row4(const char *src, __u16 sport, const char *dst, __u16 dport,
			   __u8 proto)
{
	struct top_row r = { .af = PF_INET, .proto = proto, .sport = sport, .dport = dport,
			     .dir = PF_OUT, .id = 1 };

	inet_pton(AF_INET, src, &r.src.v4);
	inet_pton(AF_INET, dst, &r.dst.v4);
	return r;
}

static bool m(const char *expr, const struct top_row *r)
{
	char err[200];
	struct top_filter *f = top_filter_compile(expr, err, sizeof(err));
	bool ok;

	cr_assert(f, "'%s' does not compile: %s", expr, err);
	ok = top_filter_match(f, r);
	top_filter_free(f);
	return ok;
}

Test(filter, primitives_and_precedence)
{
	struct top_row r = row4("198.51.100.7", 40000, "203.0.113.5", 22, IPPROTO_TCP);

	cr_assert(m("src net 198.51.100.0/24 and port 22", &r));
	cr_assert(!m("dst net 198.51.100.0/24", &r));
	cr_assert(m("host 203.0.113.5", &r));
	cr_assert(!m("src host 203.0.113.5", &r));
	cr_assert(m("dst port 22 && tcp", &r));
	cr_assert(!m("src port 22", &r));
	cr_assert(m("udp or tcp and port 22", &r), "and binds tighter than or");
	cr_assert(!m("(udp or tcp) and port 23", &r));
	cr_assert(m("not udp", &r));
	cr_assert(m("! (icmp or inet6)", &r));
	cr_assert(m("proto tcp and inet and out", &r));
	cr_assert(m("proto 6", &r));
	cr_assert(!m("in", &r));
	cr_assert(!m("net 2001:db8::/32", &r));
}

Test(filter, ipv6_prefixes)
{
	struct top_row r = { .af = PF_INET6, .proto = IPPROTO_UDP, .sport = 53, .dport = 5353 };

	inet_pton(AF_INET6, "2001:db8:100::2", &r.src.v6);
	inet_pton(AF_INET6, "2001:db8:200::9", &r.dst.v6);
	cr_assert(m("src net 2001:db8:100::/48", &r));
	cr_assert(!m("src net 2001:db8:200::/48", &r));
	cr_assert(m("net 2001:db8::/33 and udp and port 5353", &r));
	cr_assert(m("dst net 2001:db8:2::/31", &r), "a prefix not on a byte boundary");
}

static void bad(const char *expr, const char *want)
{
	char err[200];
	struct top_filter *f = top_filter_compile(expr, err, sizeof(err));

	cr_assert_null(f, "'%s' compiled", expr);
	cr_assert_str_eq(err, want, "'%s'", expr);
}

Test(filter, errors_name_the_column)
{
	bad("", "column 1: the filter is empty");
	bad("port", "column 5: expected a port number at the end");
	bad("src net 198.51.100.0/33", "column 9: expected an address/prefix, got '198.51.100.0/33'");
	bad("tcp and (port 22", "column 17: expected ')' at the end");
	bad("tcp port 22", "column 5: expected and, or or the end, got 'port'");
	bad("src tcp", "column 5: expected host, net or port after src/dst, got 'tcp'");
	bad("port 70000", "column 6: expected a port number, got '70000'");
	bad("frob", "column 1: expected host, net, port, proto, tcp, udp, icmp, icmp6, inet, "
		    "inet6, in, out, not or '(', got 'frob'");
}

Test(order, names_and_directions)
{
	struct top_row a = row4("198.51.100.1", 1, "203.0.113.1", 80, IPPROTO_TCP);
	struct top_row b = row4("198.51.100.2", 2, "203.0.113.1", 22, IPPROTO_TCP);

	a.bytes = 10;
	b.bytes = 20;
	b.id = 2;
	cr_assert_eq(top_order_lookup("bytes"), TOP_O_BYTES);
	cr_assert_eq(top_order_lookup("nonsense"), -1);
	cr_assert_str_eq(top_order_name(TOP_O_SPORT), "sport");
	cr_assert_gt(top_row_cmp(&a, &b, TOP_O_BYTES, false), 0, "more bytes first");
	cr_assert_lt(top_row_cmp(&a, &b, TOP_O_BYTES, true), 0, "reversed");
	cr_assert_lt(top_row_cmp(&a, &b, TOP_O_SRC, false), 0, "lower source first");
	cr_assert_gt(top_row_cmp(&a, &b, TOP_O_DPORT, false), 0, "lower port first");
	cr_assert_lt(top_row_cmp(&a, &b, TOP_O_NONE, false), 0, "ties by id");
}

Test(view, lines_and_numbers)
{
	struct top_row r = row4("198.51.100.1", 40000, "203.0.113.1", 22, IPPROTO_TCP);
	char buf[512], n[16];

	r.pstate[0] = r.pstate[1] = 4; /* TCPS_ESTABLISHED */
	r.age = 3725;
	r.expires = 86390;
	r.packets = 12;
	r.bytes = 123456;
	top_view_state(TOP_V_DEFAULT, &r, buf, sizeof(buf));
	cr_assert_str_eq(buf, "tcp   Out 198.51.100.1:40000     203.0.113.1:22         "
			      "ESTABLISHED:ESTABLISHED 01:02:05 23:59:50     12   121K");
	top_view_header(TOP_V_SPEED, buf, sizeof(buf));
	cr_assert_str_eq(buf, "PR    DIR SRC                    DEST                     RATE   PEAK    AVG");
	top_fmt_count(n, sizeof(n), 99999);
	cr_assert_str_eq(n, "99999");
	top_fmt_count(n, sizeof(n), 5.0 * 1024 * 1024 * 1024);
	cr_assert_str_eq(n, "5120M");
	cr_assert_eq(top_view_lookup("label"), TOP_V_LABEL);
	cr_assert(top_view_is_rules(TOP_V_RULES));
}

/* ---- snapshots of a real table --------------------------------------------- */

TestSuite(snap, .init = env_setup_maps, .fini = env_teardown);

static __u32 boottime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u32)ts.tv_sec;
}

/* n UDP states 198.51.100.x:port -> 203.0.113.1:53, state i with 1000 * ((i * 7919) % n) bytes. */
static void fill(int n, __u64 first_id)
{
	int fd = env_map(PFBPF_MAP_STATES), chunk = 4096;
	struct pf_state_key *k = calloc((size_t)chunk, sizeof(*k));
	struct pf_state *v = calloc((size_t)chunk, sizeof(*v));
	__u32 now = boottime();
	struct pf_gcount gc = { .states = n };
	__u32 zero = 0;

	cr_assert(k && v);
	for (int base = 0; base < n; base += chunk) {
		__u32 cnt = (__u32)(n - base < chunk ? n - base : chunk);

		memset(k, 0, (size_t)chunk * sizeof(*k));
		memset(v, 0, (size_t)chunk * sizeof(*v));
		for (__u32 j = 0; j < cnt; j++) {
			int i = base + (int)j;

			k[j].af = PF_INET;
			k[j].proto = IPPROTO_UDP;
			/* outbound: the source is addr[1] */
			k[j].addr[1].v4 = htonl(0xc6336400u | (__u32)(i % 250 + 1));
			k[j].addr[0].v4 = htonl(0xcb007101u);
			k[j].port[1] = htons((__u16)(1024 + i / 250));
			k[j].port[0] = htons(53);
			v[j].id = first_id + (__u64)i;
			v[j].flags = PFSTATE_F_OUT;
			v[j].timeout = PFTM_UDP_MULTIPLE;
			v[j].creation = now - 10;
			v[j].expire = now;
			v[j].rule = PF_RULE_NONE;
			v[j].bytes[0] = 1000ull * (__u64)((i * 7919) % n);
			v[j].packets[0] = 1;
		}
		cr_assert_eq(bpf_map_update_batch(fd, k, v, &cnt, NULL), 0, "update_batch: %s",
			     strerror(errno));
	}
	cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_COUNT), &zero, &gc, BPF_ANY), 0);
	free(k);
	free(v);
}

Test(snap, top_n_is_the_head_of_the_whole_sort)
{
	struct top_snapshot_opts all = { .order = TOP_O_BYTES }, top = { .order = TOP_O_BYTES,
									 .max_rows = 50 };
	struct top_snapshot a, t;
	struct top_ctx *c;
	int err;

	fill(3000, 1);
	c = top_open(env_dir, &err);
	cr_assert(c, "%s", top_strerror(err, env_dir));
	cr_assert_eq(top_snapshot(c, &all, &a), 0);
	cr_assert_eq(top_snapshot(c, &top, &t), 0);
	cr_assert_eq(a.total, 3000);
	cr_assert_eq(a.n, 3000);
	cr_assert_eq(t.n, 50);
	for (size_t i = 0; i < 50; i++)
		cr_assert_eq(t.rows[i].id, a.rows[i].id, "row %zu", i);
	for (size_t i = 1; i < a.n; i++)
		cr_assert_geq(a.rows[i - 1].bytes, a.rows[i].bytes);
	cr_assert_eq(a.rows[0].bytes, 1000ull * 2999);
	cr_assert_eq(a.rows[0].dport, 53);
	cr_assert_eq(a.rows[0].dir, PF_OUT);
	cr_assert_gt(a.rows[0].expires, 0, "a fresh UDP state has time left");
	top_snapshot_free(&a);
	top_snapshot_free(&t);
	top_close(c);
}

Test(snap, filter_and_rates)
{
	char errs[200];
	struct top_filter *f = top_filter_compile("src host 198.51.100.1", errs, sizeof(errs));
	struct top_snapshot_opts o = { .order = TOP_O_RATE, .filter = f };
	struct pf_state_key k;
	struct pf_state v;
	struct top_snapshot s;
	struct top_ctx *c;
	int err, fd = env_map(PFBPF_MAP_STATES);

	cr_assert(f);
	fill(1000, 1);
	c = top_open(env_dir, &err);
	cr_assert(c);
	cr_assert_eq(top_snapshot(c, &o, &s), 0);
	cr_assert_eq(s.matched, 4, "states 0, 250, 500, 750 come from .1");
	cr_assert_eq(s.total, 1000);
	top_snapshot_free(&s);

	/* State 0 (.1:1024) grows by 1 MB between two walks: it leads by rate. */
	memset(&k, 0, sizeof(k));
	k.af = PF_INET;
	k.proto = IPPROTO_UDP;
	k.addr[1].v4 = htonl(0xc6336401u);
	k.addr[0].v4 = htonl(0xcb007101u);
	k.port[1] = htons(1024);
	k.port[0] = htons(53);
	cr_assert_eq(bpf_map_lookup_elem(fd, &k, &v), 0);
	v.bytes[1] += 1 << 20;
	cr_assert_eq(bpf_map_update_elem(fd, &k, &v, BPF_EXIST), 0);
	cr_assert_eq(top_snapshot(c, &o, &s), 0);
	cr_assert_eq(s.rows[0].id, 1, "the state that moved has the highest rate");
	cr_assert_gt(s.rows[0].rate, 0);
	cr_assert_geq(s.rows[0].peak, s.rows[0].rate);
	for (size_t i = 1; i < s.n; i++)
		cr_assert_eq(s.rows[i].rate, 0, "the others did not move");
	top_snapshot_free(&s);
	top_close(c);
	top_filter_free(f);
}

Test(snap, hundred_thousand_states_within_the_refresh, .timeout = 60)
{
	struct top_snapshot_opts o = { .order = TOP_O_BYTES, .max_rows = 50 };
	struct top_snapshot s;
	struct top_ctx *c;
	int err;

	fill(100000, 1);
	c = top_open(env_dir, &err);
	cr_assert(c);
	cr_assert_eq(top_snapshot(c, &o, &s), 0);
	cr_assert_eq(s.total, 100000);
	cr_assert_eq(s.n, 50);
	cr_assert_eq(s.rows[0].bytes, 1000ull * 99999);
	/* pftop's default refresh is 5 s; a walk must fit well inside it
	 * even on this machine's slow days. */
	cr_assert_lt(s.elapsed, 5.0, "walk took %.2f s", s.elapsed);
	cr_log_info("100000 states walked in %.0f ms", s.elapsed * 1000);
	top_snapshot_free(&s);
	top_close(c);
}
