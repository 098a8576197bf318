// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench.c - `make bench`: per-packet cost of pfbpf against baselines
 * measured in the same run, with BPF_PROG_TEST_RUN (the kernel's own
 * per-run average over `repeat` runs; the median of `runs` such averages
 * is reported).  Only ratios are judged, never absolute times: the machine
 * is shared and its speed unknown.
 *
 *	bench [-r repeat] [-n runs] [-s states] [-o json] [-q] [-t]
 *
 * -t: only the rows issue 9 sets targets for (established TCP v4/v6, first
 * packet through 10 and 10,000 rules, a blocked first packet, the
 * nested-range worst case), each timed alternately with its baseline:
 * the quick mode for measuring a change (`make bench-quick`).
 *
 * The datapath rows are timed pair by pair with the bare LRU program
 * (LRU, row, LRU, row, ...) and their ratio is the median of the per-pair
 * ratios: this machine's speed drifts by 3-5x over minutes, so a baseline
 * measured once at the start would say little about a row timed later.
 *
 * Exit status: 0 when every row was measured (a missed target is printed
 * "missed" with its figure but is not an error), 1 when something could
 * not be measured.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <netinet/in.h>

#include "pf_kern.skel.h"
#include "../tests/unit/harness.h"
#include "../tests/unit/cls_probe.h"
#include "cls/cls.h"

#ifndef BENCH_FLOOR_OBJ
#define BENCH_FLOOR_OBJ "build/bench_floor.bpf.o"
#endif

static int repeat = 1000000, runs = 5, quiet, targets_only;
static long nstates = 1000000;
static int failures;

struct row {
	char name[80];
	double ns;       /* median ns per packet; < 0: not measured */
	const char *base; /* row this one is compared with, or NULL */
	double ratio;
	double target;   /* ratio (or bytes) that must not be exceeded; 0 = none */
	const char *unit;
	long min_states;  /* judged only when run with at least this many states */
	int paired;       /* ratio measured pair by pair (time_pair), not ns / base ns */
	double base_ns;   /* with paired: the baseline's median in those pairs */
	char note[160];
};
static struct row rows[32];
static int nrows;

static struct row *row_add(const char *name)
{
	struct row *r = &rows[nrows++];

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->ns = -1;
	r->unit = "ns/pkt";
	return r;
}

static struct row *row_find(const char *name)
{
	for (int i = 0; i < nrows; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return NULL;
}

static void row_fail(struct row *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
	r->ns = -1;
	failures++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median over `runs` of the kernel's mean ns per run of prog on data. */
static int time_prog(int fd, const void *data, __u32 len, double *ns)
{
	double v[64];
	int i;

	for (i = 0; i < runs && i < 64; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_size_in = len, .repeat = repeat);

		if (bpf_prog_test_run_opts(fd, &o))
			return -errno;
		v[i] = o.duration;
	}
	qsort(v, i, sizeof(v[0]), cmp_double);
	*ns = v[i / 2];
	return 0;
}

/*
 * Time prog a on pa against prog b on pb, alternately: b, a, b, a, ...
 * r->ns is a's median, r->base_ns b's, r->ratio the median of a/b pair by
 * pair (the two runs of a pair are a few milliseconds apart, so they see
 * the machine at the same speed).
 */
static int time_pair(int fa, const struct h_pkt *pa, int fb, const struct h_pkt *pb, struct row *r)
{
	double va[64], vb[64], q[64];
	int i;

	for (i = 0; i < runs && i < 64; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, a, .data_in = pa->buf, .data_size_in = pa->len, .repeat = repeat);
		LIBBPF_OPTS(bpf_test_run_opts, b, .data_in = pb->buf, .data_size_in = pb->len, .repeat = repeat);

		if (bpf_prog_test_run_opts(fb, &b) || bpf_prog_test_run_opts(fa, &a))
			return -errno;
		va[i] = a.duration;
		vb[i] = b.duration;
		q[i] = b.duration ? (double)a.duration / b.duration : 0;
	}
	qsort(va, i, sizeof(va[0]), cmp_double);
	qsort(vb, i, sizeof(vb[0]), cmp_double);
	qsort(q, i, sizeof(q[0]), cmp_double);
	r->ns = va[i / 2];
	r->base_ns = vb[i / 2];
	r->ratio = q[i / 2];
	r->paired = 1;
	return 0;
}

/* ---- baselines ------------------------------------------------------- */

/* The bare LRU program stays loaded for the whole run: every datapath row
 * is timed in pairs with it. */
#define BARE_LRU "bare LRU lookup+update"
static struct bpf_object *floor_obj;
static int lru_fd = -1;
static struct h_pkt lru_pkt;

/* Time prog fd on p in pairs with the bare LRU program. */
static int time_vs_lru(int fd, const struct h_pkt *p, struct row *r)
{
	r->base = BARE_LRU;
	if (lru_fd < 0)
		return -ENOENT;
	return time_pair(fd, p, lru_fd, &lru_pkt, r);
}

static void bench_floor(struct h_pkt *syn4)
{
	struct row *re = row_add("empty XDP program"), *rl = row_add(BARE_LRU);
	struct bpf_object *obj = bpf_object__open_file(BENCH_FLOOR_OBJ, NULL);
	struct bpf_program *pe, *pl;
	int err;

	if (!obj || bpf_object__load(obj)) {
		row_fail(re, "cannot load %s", BENCH_FLOOR_OBJ);
		row_fail(rl, "cannot load %s", BENCH_FLOOR_OBJ);
		bpf_object__close(obj);
		return;
	}
	pe = bpf_object__find_program_by_name(obj, "xdp_empty");
	pl = bpf_object__find_program_by_name(obj, "xdp_lru");
	lru_pkt = *syn4;
	/* the first run inserts the key; every timed one finds it */
	if ((err = time_pair(bpf_program__fd(pl), syn4, bpf_program__fd(pe), syn4, rl)))
		row_fail(rl, "test run: %s", strerror(-err));
	re->ns = rl->base_ns;
	rl->base = re->name;
	lru_fd = bpf_program__fd(pl);
	floor_obj = obj;
}

/* ---- rulesets -------------------------------------------------------- */

static struct pfbpf_rule rule_any(__u8 action, __u8 dir)
{
	struct pfbpf_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.direction = dir;
	return r;
}

/*
 * n rules as a large pf.conf tends to have them, in four shapes taking
 * turns: host to host and port; any to a server and port; a /24 to any
 * and port; udp from any to any port 53.  Some are quick, half pass, half
 * block.  None matches the measured packet (192.0.2.1 -> 198.51.100.1:80
 * tcp) though each field of it is matched by many rules (every `any'),
 * and the last rule does.  When last_pass, the last rule is `pass in proto
 * tcp no state` (the packet is classified on every run, no state is made);
 * otherwise `block in`.
 */
static struct pfbpf_rule *ruleset_typical(size_t n, int last_pass)
{
	struct pfbpf_rule *r = calloc(n, sizeof(*r));
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		struct pfbpf_addr_spec *src = &r[i].src, *dst = &r[i].dst;

		r[i] = rule_any(i % 2 ? PF_PASS : PF_DROP, PF_IN);
		r[i].nr = i;
		r[i].quick = i % 3 == 0;
		r[i].proto = IPPROTO_TCP;
		r[i].keep_state = PF_STATE_NORMAL;
		r[i].dport.op = PF_OP_EQ;
		r[i].dport.port[0] = 1024 + i % 4000;
		switch (i % 4) {
		case 0:
			src->type = dst->type = PFBPF_ADDR_MASK;
			src->af = dst->af = PF_INET;
			src->prefixlen = dst->prefixlen = 32;
			src->addr.v4 = htonl(0x0a000000 + (__u32)i * 7);
			dst->addr.v4 = htonl(0xc6336400 + (__u32)(i % 250) + 2);
			break;
		case 1:
			dst->type = PFBPF_ADDR_MASK;
			dst->af = PF_INET;
			dst->prefixlen = 32;
			dst->addr.v4 = htonl(0xc6336400 + (__u32)(i % 250) + 2);
			break;
		case 2:
			src->type = PFBPF_ADDR_MASK;
			src->af = PF_INET;
			src->prefixlen = 24;
			src->addr.v4 = htonl(0x0a000000 + ((__u32)i << 8));
			break;
		default:
			r[i].proto = IPPROTO_UDP;
			r[i].dport.port[0] = 53;
			break;
		}
	}
	r[n - 1] = rule_any(last_pass ? PF_PASS : PF_DROP, PF_IN);
	r[n - 1].nr = n - 1;
	r[n - 1].proto = IPPROTO_TCP;
	r[n - 1].keep_state = PF_STATE_NONE;
	return r;
}

/*
 * What was the classifier's worst case: rules of one kind (source address
 * and destination port), each with a source of its own, alternating
 * between accepting the packet's source with another port (`from !
 * 10.1.x.y`: a negated host contains every other address) and the
 * packet's port from another source.  With the two kinds of rule in the
 * same words, both fields' bitmaps are dense there and their AND empty,
 * so every word survives the summary AND (12x at 4,000 rules).  The
 * compiler now keeps negated addresses in shapes of their own, and the
 * summaries drop both halves.  Measured at 4,000 rules: negated hosts are
 * stored in every address entry's bitmap, and 10,000 of these exceed the
 * word pool.
 */
static struct pfbpf_rule *ruleset_interleaved(size_t n)
{
	struct pfbpf_rule *r = calloc(n, sizeof(*r));
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		r[i] = rule_any(PF_DROP, PF_IN);
		r[i].nr = i;
		r[i].quick = 1;
		r[i].proto = IPPROTO_TCP;
		r[i].src.type = PFBPF_ADDR_MASK;
		r[i].src.af = PF_INET;
		r[i].src.prefixlen = 32;
		r[i].dport.op = PF_OP_EQ;
		if (i % 2) { /* from ! 10.1.x.y (the packet's source too), wrong port */
			r[i].src.neg = 1;
			r[i].src.addr.v4 = htonl(0x0a010000 + (__u32)i);
			r[i].dport.port[0] = 1024 + i % 4000;
		} else { /* wrong source, right port */
			r[i].src.addr.v4 = htonl(0x0a000000 + (__u32)i);
			r[i].dport.port[0] = 80;
		}
	}
	r[n - 1] = rule_any(PF_PASS, PF_IN);
	r[n - 1].nr = n - 1;
	return r;
}

/*
 * Ranges on both sides (source port range, destination port range),
 * alternating between a source range containing the packet's port with a
 * destination range that does not, and the reverse, every range
 * different.  Shapes do not separate the two halves (both name two port
 * ranges); ordering a group's rules by value does: the containing ranges
 * start below the packet's ports, the others above.  nested: the worst
 * case left (docs/classifier.md, "Known worst case"): every source range
 * starts below the packet's port, taking turns between ending above it
 * and below, so the value order interleaves the halves again.
 */
static struct pfbpf_rule *ruleset_ranges(size_t n, int nested)
{
	struct pfbpf_rule *r = calloc(n, sizeof(*r));
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		struct pfbpf_port_spec *in = i % 2 ? &r[i].sport : &r[i].dport;
		struct pfbpf_port_spec *out = i % 2 ? &r[i].dport : &r[i].sport;
		__u16 p = i % 2 ? 41000 : 80;

		r[i] = rule_any(PF_DROP, PF_IN);
		r[i].nr = i;
		r[i].quick = 1;
		r[i].proto = IPPROTO_TCP;
		in->op = out->op = PF_OP_RRG;
		in->port[0] = p - (__u16)(i % 64); /* contains the packet's port */
		in->port[1] = p + 1 + (__u16)(i / 64);
		out->port[0] = 50000 + (__u16)(i % 7000); /* does not */
		out->port[1] = out->port[0] + 1 + (__u16)(i / 7000);
		if (nested) {
			r[i].sport.port[0] = 30000 + (__u16)i; /* below 41000 */
			r[i].sport.port[1] = i % 2 ? 41001 : 40999;
		}
	}
	r[n - 1] = rule_any(PF_PASS, PF_IN);
	r[n - 1].nr = n - 1;
	return r;
}

static int h_fd_cb(const char *name, void *arg)
{
	int fd = h_map_fd(name);

	return fd < 0 ? -ENOENT : fd;
}

/* Compile rules into the inactive slot of the loaded datapath and flip;
 * tid resolves table names (NULL: no rule names one). */
static int datapath_load_rules_t(const struct pfbpf_rule *r, size_t n, pfbpf_table_id_fn tid, char *err,
				 size_t errlen)
{
	struct pfbpf_cls_image *img;
	struct pf_config cfg;
	unsigned slot;
	int e;

	if ((e = h_config_get(&cfg))) {
		snprintf(err, errlen, "reading pf_config: %s", strerror(-e));
		return e;
	}
	slot = !cfg.active;
	if ((e = pfbpf_cls_compile(r, n, tid, NULL, &img, err, errlen)))
		return e;
	e = pfbpf_cls_install(img, slot, h_fd_cb, NULL);
	pfbpf_cls_free(img);
	if (e) {
		snprintf(err, errlen, "installing the ruleset: %s", strerror(-e));
		return e;
	}
	cfg.active = slot;
	if ((e = h_config_set(&cfg)))
		snprintf(err, errlen, "flipping the ruleset: %s", strerror(-e));
	return e;
}

static int datapath_load_rules(const struct pfbpf_rule *r, size_t n, char *err, size_t errlen)
{
	return datapath_load_rules_t(r, n, NULL, err, errlen);
}

/* ---- pfbpf datapath -------------------------------------------------- */

/* Open a TCP connection through the datapath (SYN in, SYN|ACK out, ACK
 * in) and leave in *data an in-window data segment of the client. */
static int tcp_established(const struct h_flow *c, struct h_pkt *data, char *why, size_t wl)
{
	struct h_flow s = h_flow_rev(c);
	struct h_pkt p;
	struct pf_state st;
	int v;

	h_tcp(&p, c, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000, .mss = 1460 });
	if ((v = h_run(PF_IN, &p)) != PF_PASS)
		return snprintf(why, wl, "SYN not passed (%d)", v), -EPROTO;
	h_tcp(&p, &s, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000, .ack = 1001, .mss = 1460 });
	if ((v = h_run(PF_OUT, &p)) != PF_PASS)
		return snprintf(why, wl, "SYN|ACK not passed (%d)", v), -EPROTO;
	h_tcp(&p, c, &(struct h_tcp){ .flags = TH_ACK, .seq = 1001, .ack = 5001 });
	if ((v = h_run(PF_IN, &p)) != PF_PASS)
		return snprintf(why, wl, "ACK not passed (%d)", v), -EPROTO;
	if (h_state_get(c, IPPROTO_TCP, PF_IN, &st))
		return snprintf(why, wl, "handshake made no state"), -ENOENT;
	if (st.pstate[0] != TCPS_ESTABLISHED || st.pstate[1] != TCPS_ESTABLISHED)
		return snprintf(why, wl, "state is %u:%u, not ESTABLISHED:ESTABLISHED", st.pstate[0],
				st.pstate[1]), -EPROTO;
	h_tcp(data, c, &(struct h_tcp){ .flags = TH_ACK | TH_PUSH, .seq = 1001, .ack = 5001, .plen = 100 });
	if ((v = h_run(PF_IN, data)) != PF_PASS)
		return snprintf(why, wl, "data segment not passed (%d)", v), -EPROTO;
	h_tcp(data, c, &(struct h_tcp){ .flags = TH_ACK | TH_PUSH, .seq = 1001, .ack = 5001, .plen = 100 });
	return 0;
}

/* `block in all` then `pass out keep state`: what an unsolicited packet
 * pays to be dropped (the flood bench's ruleset). */
static void bench_blocked(void)
{
	struct row *b = row_add("pfbpf blocked first packet (block in all)");
	struct pfbpf_rule r[2] = { rule_any(PF_DROP, PF_IN), rule_any(PF_PASS, PF_OUT) };
	struct h_flow u = H_FLOW4("192.0.2.1", 5353, "198.51.100.1", 53);
	char why[256] = "";
	struct h_pkt p;
	int fd, v, e;

	b->target = 1.5;
	b->base = BARE_LRU;
	r[1].nr = 1;
	r[1].keep_state = PF_STATE_NORMAL;
	r[1].flags = TH_SYN;
	r[1].flagset = TH_SYN | TH_ACK;
	if ((e = h_load(0))) {
		row_fail(b, "cannot load the datapath object: %s", strerror(-e));
		return;
	}
	fd = bpf_program__fd(h_skel->progs.pf_xdp);
	h_udp(&p, &u, 32, NULL);
	if (datapath_load_rules(r, 2, why, sizeof(why)))
		row_fail(b, "%s", why);
	else if ((v = h_run(PF_IN, &p)) != PF_DROP)
		row_fail(b, "the unsolicited UDP packet was not blocked (%d)", v);
	else if (!h_state_get(&u, IPPROTO_UDP, PF_IN, &(struct pf_state){}))
		row_fail(b, "a blocked packet made a state");
	else if ((e = time_vs_lru(fd, &p, b)))
		row_fail(b, "test run: %s", strerror(-e));
	h_unload();
}

static void bench_datapath(void)
{
	struct row *t4 = row_add("pfbpf established TCP/IPv4"), *t6 = row_add("pfbpf established TCP/IPv6"),
		   *u4 = targets_only ? NULL : row_add("pfbpf UDP existing state"), *fr[3] = {};
	static const size_t nr[3] = { 10, 1000, 10000 };
	struct h_flow c4 = H_FLOW4("192.0.2.1", 40000, "198.51.100.1", 22);
	struct h_flow c6 = H_FLOW6("2001:db8::1", 40000, "2001:db8:1::1", 22);
	struct h_flow u = H_FLOW4("192.0.2.1", 5353, "198.51.100.1", 53);
	struct h_flow f = H_FLOW4("192.0.2.1", 41000, "198.51.100.1", 80);
	struct pfbpf_rule pass = rule_any(PF_PASS, PF_INOUT);
	char why[256] = "";
	struct h_pkt p;
	int fd, v, e;

	for (int i = 0; i < 3; i++) {
		char name[64];

		if (targets_only && i == 1)
			continue;
		snprintf(name, sizeof(name), "pfbpf first packet, %zu rules", nr[i]);
		fr[i] = row_add(name);
		fr[i]->base = BARE_LRU;
	}
	t4->base = t6->base = BARE_LRU;
	t4->target = t6->target = 1.5;
	fr[0]->target = fr[2]->target = 2.0;
	if (u4)
		u4->base = BARE_LRU;
	if ((e = h_load(0))) {
		for (int i = 0; i < nrows; i++)
			if (!strncmp(rows[i].name, "pfbpf", 5))
				row_fail(&rows[i], "cannot load the datapath object: %s", strerror(-e));
		return;
	}
	fd = bpf_program__fd(h_skel->progs.pf_xdp);

	/* pass all flags S/SA keep state: pf's default for a pass rule */
	pass.keep_state = PF_STATE_NORMAL;
	pass.flags = TH_SYN;
	pass.flagset = TH_SYN | TH_ACK;
	if (datapath_load_rules(&pass, 1, why, sizeof(why))) {
		row_fail(t4, "%s", why);
		row_fail(t6, "%s", why);
		if (u4)
			row_fail(u4, "%s", why);
	} else {
		if ((e = tcp_established(&c4, &p, why, sizeof(why))) || (e = time_vs_lru(fd, &p, t4)))
			row_fail(t4, "%s", why[0] ? why : strerror(-e));
		why[0] = 0;
		if ((e = tcp_established(&c6, &p, why, sizeof(why))) || (e = time_vs_lru(fd, &p, t6)))
			row_fail(t6, "%s", why[0] ? why : strerror(-e));
		why[0] = 0;
		h_udp(&p, &u, 32, NULL);
		if (!u4) {
		} else if ((v = h_run(PF_IN, &p)) != PF_PASS) {
			row_fail(u4, "UDP packet not passed (%d)", v);
		} else {
			struct h_flow ur = h_flow_rev(&u);
			struct h_pkt q;

			h_udp(&q, &ur, 32, NULL);
			h_run(PF_OUT, &q);
			h_udp(&p, &u, 32, NULL);
			if (h_state_get(&u, IPPROTO_UDP, PF_IN, &(struct pf_state){}))
				row_fail(u4, "the UDP packet made no state");
			else if ((e = time_vs_lru(fd, &p, u4)))
				row_fail(u4, "test run: %s", strerror(-e));
		}
	}

	for (int i = 0; i < 3; i++) {
		struct pfbpf_rule *r;

		if (!fr[i])
			continue;
		h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 77 });
		/* the same ruleset ending in `block in` must drop the packet:
		 * proof that the timed runs really walk the classifier */
		r = ruleset_typical(nr[i], 0);
		if (datapath_load_rules(r, nr[i], why, sizeof(why))) {
			row_fail(fr[i], "%s", why);
			free(r);
			continue;
		}
		free(r);
		if ((v = h_run(PF_IN, &p)) != PF_DROP) {
			row_fail(fr[i], "datapath does not apply the ruleset (block rule passed: %d)", v);
			continue;
		}
		r = ruleset_typical(nr[i], 1);
		e = datapath_load_rules(r, nr[i], why, sizeof(why));
		free(r);
		h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 77 });
		if (e)
			row_fail(fr[i], "%s", why);
		else if ((v = h_run(PF_IN, &p)) != PF_PASS)
			row_fail(fr[i], "last rule `pass in proto tcp no state` did not pass (%d)", v);
		else if (!h_state_get(&f, IPPROTO_TCP, PF_IN, &(struct pf_state){}))
			row_fail(fr[i], "a `no state` rule made a state");
		else if ((e = time_vs_lru(fd, &p, fr[i])))
			row_fail(fr[i], "test run: %s", strerror(-e));
	}
	h_unload();
}


/* ---- state-count scaling --------------------------------------------- */

/*
 * States from..to-1 of a filler sequence into state map fd: TCP from
 * 10.x.y.z:40000 to 198.51.100.1:443, each a copy of *like (or zero) with
 * an id of its own.  Batches of 64k, one by one where the kernel has no
 * batch update.  Returns the index reached (to when all went in).
 */
static long states_fill(int fd, long from, long to, const struct pf_state *like)
{
	struct pf_state_key *keys = calloc(65536, sizeof(*keys));
	struct pf_state *vals = calloc(65536, sizeof(*vals));
	long done = from, i;

	while (keys && vals && done < to) {
		__u32 cnt = to - done < 65536 ? to - done : 65536;

		for (i = 0; i < cnt; i++) {
			memset(&keys[i], 0, sizeof(keys[i]));
			keys[i].af = PF_INET;
			keys[i].proto = IPPROTO_TCP;
			keys[i].addr[0].v4 = htonl(0x0a000000 + (__u32)(done + i));
			keys[i].addr[1].v4 = htonl(0xc6336401);
			keys[i].port[0] = htons(40000);
			keys[i].port[1] = htons(443);
			if (like)
				vals[i] = *like;
			vals[i].id = done + i + 1;
		}
		if (bpf_map_update_batch(fd, keys, vals, &cnt, NULL)) {
			for (i = 0; i < cnt; i++)
				if (bpf_map_update_elem(fd, &keys[i], &vals[i], BPF_NOEXIST))
					break;
			if (i < cnt) {
				done += i;
				break;
			}
		}
		done += cnt;
	}
	free(keys);
	free(vals);
	return done;
}

/*
 * One established TCP segment with 1,000 states in the table and with
 * nstates (1,000,000 on a full run), in one map sized for the larger
 * count: the table's occupancy is all that differs.  The other states are
 * filled from user space (copies of the established state, keys of their
 * own), as many connections would leave them.
 */
static void bench_scaling(void)
{
	struct row *lo = row_add("pfbpf established TCP/IPv4, 1000 states"), *hi = row_add("");
	struct h_flow c = H_FLOW4("192.0.2.1", 40000, "198.51.100.1", 22);
	struct pfbpf_rule pass = rule_any(PF_PASS, PF_INOUT);
	struct pf_state st;
	struct h_pkt p;
	char why[256] = "";
	long small = nstates < 1000 ? nstates : 1000, got;
	int fd, sfd, e;

	snprintf(hi->name, sizeof(hi->name), "pfbpf established TCP/IPv4, %ld states", nstates);
	hi->base = lo->name;
	hi->target = 1.5;
	hi->min_states = 1000000;
	if ((e = h_load(nstates + PF_STATE_MAP_SLACK + 16))) {
		row_fail(lo, "cannot load the datapath with %ld states: %s", nstates, strerror(-e));
		row_fail(hi, "cannot load the datapath with %ld states: %s", nstates, strerror(-e));
		return;
	}
	fd = bpf_program__fd(h_skel->progs.pf_xdp);
	sfd = bpf_map__fd(h_skel->maps.pf_states);
	pass.keep_state = PF_STATE_NORMAL;
	pass.flags = TH_SYN;
	pass.flagset = TH_SYN | TH_ACK;
	if (datapath_load_rules(&pass, 1, why, sizeof(why)) || tcp_established(&c, &p, why, sizeof(why)) ||
	    h_state_get(&c, IPPROTO_TCP, PF_IN, &st)) {
		row_fail(lo, "%s", why[0] ? why : "no state");
		row_fail(hi, "%s", why[0] ? why : "no state");
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		struct row *r = i ? hi : lo;
		long want = (i ? nstates : small) - 1; /* the measured state is one */

		if ((got = states_fill(sfd, i ? small - 1 : 0, want, &st)) < want) {
			row_fail(r, "filling pf_states stopped at %ld: %s", got, strerror(errno));
			break;
		}
		/* the measured state must still be there (an LRU evicts early
		 * when its per-CPU lists run dry) and still be the one passing */
		if (h_state_get(&c, IPPROTO_TCP, PF_IN, &(struct pf_state){})) {
			row_fail(r, "the measured state was evicted while filling to %ld", want + 1);
			break;
		}
		if ((e = time_prog(fd, p.buf, p.len, &r->ns)))
			row_fail(r, "test run: %s", strerror(-e));
		else if (h_run(PF_IN, &p) != PF_PASS)
			row_fail(r, "the established segment is no longer passed");
		h_tcp(&p, &c, &(struct h_tcp){ .flags = TH_ACK | TH_PUSH, .seq = 1001, .ack = 5001, .plen = 100 });
	}
out:
	h_unload();
}

/* ---- table lookup ----------------------------------------------------- */

#define BENCH_TABLE_ID 3
#define BENCH_TABLE_BIG 100000

static int bench_tid(const char *name, void *arg)
{
	return !strcmp(name, "t") ? BENCH_TABLE_ID : -ENOENT;
}

/* Entries from..to-1 of table <t>: /24s of 10.0.0.0/8 first (65,536 of
 * them), then hosts of 172.16.0.0/12, prefixes of both lengths as a
 * blocklist has them.  Returns the index reached. */
static long table_fill(long from, long to)
{
	int fd = h_map_fd(PFBPF_MAP_TABLES);
	struct pf_table_entry e = {};
	long i;

	for (i = from; i < to; i++) {
		struct pf_table_key k = { .table = htons(BENCH_TABLE_ID), .af = PF_INET };

		if (i < 65536) {
			k.prefixlen = 32 + 24;
			k.addr.v4 = htonl(0x0a000000 + ((__u32)i << 8));
		} else {
			k.prefixlen = 32 + 32;
			k.addr.v4 = htonl(0xac100000 + (__u32)(i - 65536));
		}
		if (bpf_map_update_elem(fd, &k, &e, BPF_ANY))
			break;
	}
	return i;
}

/*
 * `pass in proto tcp no state` then `block in from <t>`: the packet
 * (192.0.2.1, in no entry) is a candidate of the block rule, whose table
 * the datapath looks up on every run, and passes.  <t> of 10 entries is
 * the baseline; then the same table grown to 100,000.  A source inside
 * the table must be dropped, or the timed runs would prove nothing.
 */
static void bench_table(void)
{
	struct row *lo = row_add("pfbpf first packet, table of 10"), *hi = row_add("");
	struct pfbpf_rule r[2] = { rule_any(PF_PASS, PF_IN), rule_any(PF_DROP, PF_IN) };
	struct h_flow f = H_FLOW4("192.0.2.1", 41000, "198.51.100.1", 80);
	struct h_flow in = H_FLOW4("10.0.5.1", 41000, "198.51.100.1", 80);
	struct h_flow host = H_FLOW4("172.16.1.2", 41000, "198.51.100.1", 80);
	char why[256] = "";
	struct h_pkt p;
	int fd, e, v;

	snprintf(hi->name, sizeof(hi->name), "pfbpf first packet, table of %d", BENCH_TABLE_BIG);
	hi->base = lo->name;
	r[0].proto = IPPROTO_TCP;
	r[0].keep_state = PF_STATE_NONE;
	r[1].nr = 1;
	r[1].src.type = PFBPF_ADDR_TABLE;
	strcpy(r[1].src.table, "t");
	if ((e = h_load(0))) {
		row_fail(lo, "cannot load the datapath object: %s", strerror(-e));
		row_fail(hi, "cannot load the datapath object: %s", strerror(-e));
		return;
	}
	fd = bpf_program__fd(h_skel->progs.pf_xdp);
	if (datapath_load_rules_t(r, 2, bench_tid, why, sizeof(why))) {
		row_fail(lo, "%s", why);
		row_fail(hi, "%s", why);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		struct row *rw = i ? hi : lo;
		long want = i ? BENCH_TABLE_BIG : 10;

		if (table_fill(i ? 10 : 0, want) < want) {
			row_fail(rw, "filling pf_tables: %s", strerror(errno));
			break;
		}
		h_tcp(&p, &in, &(struct h_tcp){ .flags = TH_SYN, .seq = 77 });
		if ((v = h_run(PF_IN, &p)) != PF_DROP) {
			row_fail(rw, "a source in <t> was not blocked (%d)", v);
			break;
		}
		h_tcp(&p, &host, &(struct h_tcp){ .flags = TH_SYN, .seq = 77 });
		if (i && (v = h_run(PF_IN, &p)) != PF_DROP) {
			row_fail(rw, "a host entry of <t> was not blocked (%d)", v);
			break;
		}
		h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 77 });
		if ((v = h_run(PF_IN, &p)) != PF_PASS) {
			row_fail(rw, "a source outside <t> was not passed (%d)", v);
			break;
		}
		if ((e = time_prog(fd, p.buf, p.len, &rw->ns)))
			row_fail(rw, "test run: %s", strerror(-e));
	}
out:
	h_unload();
}

/* ---- translation ------------------------------------------------------ */

/* rdr in proto tcp to port 22 -> 192.0.2.20 port 2222, `rdr pass`, written
 * into the active slot as the commit would. */
static int nat_rdr_install(char *why, size_t wl)
{
	struct pf_nat_rule_bpf r = { .action = PF_RDR, .xlate = PF_RDR, .direction = PF_IN,
				     .af = PF_INET, .proto = IPPROTO_TCP, .flags = PF_NATR_PASS,
				     .dport_op = PF_OP_EQ, .dport = { 22 }, .proxy_port = { 2222 },
				     .pool_count = 1 };
	struct pf_pool_addr_bpf pa = { .af = PF_INET, .plen = 32, .type = PF_POOLADDR_MASK };
	struct pf_config cfg;
	__u32 k;

	inet_pton(AF_INET, "192.0.2.20", &pa.addr);
	if (h_config_get(&cfg))
		return snprintf(why, wl, "reading pf_config"), -EIO;
	k = (cfg.active & 1) * PF_MAX_NAT_RULES;
	if (bpf_map_update_elem(h_map_fd("pf_natrules"), &k, &r, BPF_ANY))
		return snprintf(why, wl, "pf_natrules: %s", strerror(errno)), -errno;
	k = (cfg.active & 1) * PF_MAX_POOL_ADDRS;
	if (bpf_map_update_elem(h_map_fd("pf_natpool"), &k, &pa, BPF_ANY))
		return snprintf(why, wl, "pf_natpool: %s", strerror(errno)), -errno;
	cfg.nat_rules[cfg.active & 1] = 1;
	return h_config_set(&cfg) ? (snprintf(why, wl, "writing pf_config"), -EIO) : 0;
}

/* The handshake of c through the rdr rule, and in *data a data segment of
 * c that the datapath translates (checked). */
static int nat_established(const struct h_flow *c, struct h_pkt *data, char *why, size_t wl)
{
	struct h_flow srv = H_FLOW4("192.0.2.20", 2222, c->src, c->sport);
	struct h_pkt p;
	int v;

	h_tcp(&p, c, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000, .mss = 1460 });
	if ((v = h_run(PF_IN, &p)) != PF_PASS)
		return snprintf(why, wl, "SYN not passed (%d)", v), -EPROTO;
	h_tcp(&p, &srv, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000, .ack = 1001, .mss = 1460 });
	if ((v = h_run(PF_OUT, &p)) != PF_PASS)
		return snprintf(why, wl, "SYN|ACK not passed (%d)", v), -EPROTO;
	h_tcp(&p, c, &(struct h_tcp){ .flags = TH_ACK, .seq = 1001, .ack = 5001 });
	if ((v = h_run(PF_IN, &p)) != PF_PASS)
		return snprintf(why, wl, "ACK not passed (%d)", v), -EPROTO;
	h_tcp(data, c, &(struct h_tcp){ .flags = TH_ACK | TH_PUSH, .seq = 1001, .ack = 5001, .plen = 100 });
	if ((v = h_run(PF_IN, data)) != PF_PASS)
		return snprintf(why, wl, "data segment not passed (%d)", v), -EPROTO;
	if (memcmp(data->buf + data->l3 + 16, "\xc0\x00\x02\x14", 4))
		return snprintf(why, wl, "nat not translating (destination is not 192.0.2.20)"), -EPROTO;
	h_tcp(data, c, &(struct h_tcp){ .flags = TH_ACK | TH_PUSH, .seq = 1001, .ack = 5001, .plen = 100 });
	return 0;
}

/*
 * An established translated segment against an established untranslated
 * one, in one loaded datapath, the two timed alternately run by run.  A
 * repeated test run works on the packet it rewrote, so the translated
 * side alternates between its wire form (state found directly) and its
 * stack form (found through pf_natmap): the mean of both directions.
 */
static void bench_nat(void)
{
	struct row *plain = row_add("pfbpf established TCP/IPv4, same run"),
		   *nat = row_add("pfbpf established TCP/IPv4 translated (rdr)");
	struct h_flow c = H_FLOW4("192.0.2.1", 40000, "198.51.100.1", 22);
	struct h_flow cn = H_FLOW4("192.0.2.7", 40000, "198.51.100.1", 22);
	struct pfbpf_rule pass = rule_any(PF_PASS, PF_INOUT);
	double vp[64], vn[64];
	struct h_pkt pp, pn;
	char why[256] = "";
	int fd, e, i;

	nat->base = plain->name;
	nat->target = 1.3;
	if ((e = h_load(0))) {
		row_fail(plain, "cannot load the datapath object: %s", strerror(-e));
		row_fail(nat, "cannot load the datapath object: %s", strerror(-e));
		return;
	}
	fd = bpf_program__fd(h_skel->progs.pf_xdp);
	pass.keep_state = PF_STATE_NORMAL;
	pass.flags = TH_SYN;
	pass.flagset = TH_SYN | TH_ACK;
	if (datapath_load_rules(&pass, 1, why, sizeof(why)) ||
	    tcp_established(&c, &pp, why, sizeof(why))) {
		row_fail(plain, "%s", why);
		row_fail(nat, "%s", why);
		h_unload();
		return;
	}
	why[0] = 0;
	if (nat_rdr_install(why, sizeof(why)) || nat_established(&cn, &pn, why, sizeof(why))) {
		row_fail(nat, "%s", why);
		h_unload();
		return;
	}
	for (i = 0; i < runs && i < 64; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, a, .data_in = pp.buf, .data_size_in = pp.len, .repeat = repeat);
		LIBBPF_OPTS(bpf_test_run_opts, b, .data_in = pn.buf, .data_size_in = pn.len, .repeat = repeat);

		if (bpf_prog_test_run_opts(fd, &a) || bpf_prog_test_run_opts(fd, &b)) {
			row_fail(nat, "test run: %s", strerror(errno));
			h_unload();
			return;
		}
		vp[i] = a.duration;
		vn[i] = b.duration;
	}
	qsort(vp, i, sizeof(vp[0]), cmp_double);
	qsort(vn, i, sizeof(vn[0]), cmp_double);
	plain->ns = vp[i / 2];
	nat->ns = vn[i / 2];
	h_unload();
}

/* ---- the classifier alone -------------------------------------------- */

/* Compile rules into slot `slot` of the probe; the classifier must pick
 * the last rule for pk. */
static int cls_install(struct cls_probe *probe, struct pfbpf_rule *rules, size_t n, unsigned slot,
		       const struct pfbpf_cls_pkt *pk, char *err, size_t el)
{
	struct pfbpf_cls_image *img = NULL;
	struct cls_probe_match m;
	int e;

	e = pfbpf_cls_compile(rules, n, NULL, NULL, &img, err, el);
	free(rules);
	if (e)
		return e;
	e = pfbpf_cls_install(img, slot, cls_probe_map_fd, probe);
	pfbpf_cls_free(img);
	if (e || (e = cls_probe_run(probe, pk, slot, &m)))
		return snprintf(err, el, "install/run: %s", strerror(-e)), e;
	if (m.idx != n - 1)
		return snprintf(err, el, "classifier picked rule %d, expected %zu", (int)m.idx, n - 1), -EPROTO;
	return 0;
}

/*
 * The classifier alone (tests/unit/cls_probe.c), each large ruleset
 * against its 10-rule version of the same kind: the small one in slot 0,
 * the large one in slot 1, timed alternately, the ratio the median of the
 * pairs' ratios.
 */
static void bench_classifier(void)
{
	static const struct {
		const char *kind;
		int gen; /* 0 typical, 1 interleaved, 2 ranges, 3 nested ranges */
		size_t n;
		double target;
	} pairs[] = {
		{ "classifier only", 0, 1000, 0 },
		{ "classifier only", 0, 10000, 3.0 },
		{ "classifier worst case", 1, 4000, 0 },
		{ "classifier range worst case", 2, 10000, 0 },
		{ "classifier nested-range worst case", 3, 4000, 3.0 },
	};
	struct cls_probe probe;
	struct pfbpf_cls_pkt pk = {};
	char name[80], err[256];
	int e;

	pk.dir = PF_IN;
	pk.af = PF_INET;
	pk.proto = IPPROTO_TCP;
	pk.tcp_flags = TH_SYN;
	pk.has_ports = 1;
	pk.sport = 41000;
	pk.dport = 80;
	pk.ifindex = 1;
	inet_pton(AF_INET, "192.0.2.1", &pk.src);
	inet_pton(AF_INET, "198.51.100.1", &pk.dst);
	e = cls_probe_open(&probe, CLS_PROBE_OBJ);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct row *small = NULL, *big;
		size_t n[2] = { 10, pairs[i].n };
		double v[2][64], q[64];
		int k;

		if (targets_only && pairs[i].gen != 3)
			continue;
		snprintf(name, sizeof(name), "%s, 10 rules", pairs[i].kind);
		if (!(small = row_find(name)))
			small = row_add(name);
		snprintf(name, sizeof(name), "%s, %zu rules", pairs[i].kind, pairs[i].n);
		big = row_add(name);
		big->base = small->name;
		big->target = pairs[i].target;
		big->paired = 1;
		if (e) {
			row_fail(big, "cannot load %s: %s", CLS_PROBE_OBJ, strerror(-e));
			continue;
		}
		for (unsigned s = 0; s < 2; s++) {
			struct pfbpf_rule *rules = pairs[i].gen == 0 ? ruleset_typical(n[s], 1) :
						   pairs[i].gen == 1 ? ruleset_interleaved(n[s]) :
								       ruleset_ranges(n[s], pairs[i].gen == 3);
			int x = cls_install(&probe, rules, n[s], s, &pk, err, sizeof(err));

			if (x) {
				row_fail(s ? big : small, "%s", err);
				break;
			}
		}
		if (big->note[0] || (small->ns < 0 && small->note[0]))
			continue;
		for (k = 0; k < runs && k < 64; k++) {
			__u32 a, b;

			if ((e = cls_probe_time(&probe, &pk, 0, repeat, &a)) ||
			    (e = cls_probe_time(&probe, &pk, 1, repeat, &b)))
				break;
			v[0][k] = a;
			v[1][k] = b;
			q[k] = a ? (double)b / a : 0;
		}
		if (e) {
			row_fail(big, "test run: %s", strerror(-e));
			e = 0;
			continue;
		}
		qsort(v[0], k, sizeof(double), cmp_double);
		qsort(v[1], k, sizeof(double), cmp_double);
		qsort(q, k, sizeof(double), cmp_double);
		if (small->ns < 0)
			small->ns = v[0][k / 2];
		big->ns = v[1][k / 2];
		big->base_ns = v[0][k / 2];
		big->ratio = q[k / 2];
	}
	if (!e)
		cls_probe_close(&probe);
}


/* ---- memory per state ------------------------------------------------ */

static long fdinfo_memlock(int fd)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void bench_memory(void)
{
	struct row *r = row_add("");
	__u32 type = BPF_MAP_TYPE_LRU_HASH, flags = 0, max;
	LIBBPF_OPTS(bpf_map_create_opts, o);
	long done, ml;
	int fd;

	snprintf(r->name, sizeof(r->name), "memory per state at %ld states", nstates);
	r->unit = "bytes";
	r->target = 192;
	/* the map as the datapath declares it (type, flags, key and value
	 * sizes), sized as the loader would for this many states */
	if (!h_load(0)) {
		type = bpf_map__type(h_skel->maps.pf_states);
		flags = bpf_map__map_flags(h_skel->maps.pf_states);
		h_unload();
	}
	max = nstates + PF_STATE_MAP_SLACK;
	o.map_flags = flags;
	fd = bpf_map_create(type, "pf_states", sizeof(struct pf_state_key), sizeof(struct pf_state), max, &o);
	if (fd < 0) {
		row_fail(r, "creating a %u-entry state map: %s", max, strerror(errno));
		return;
	}
	if ((done = states_fill(fd, 0, nstates, NULL)) < nstates) {
		row_fail(r, "filling the map stopped at %ld: %s", done, strerror(errno));
		goto out;
	}
	ml = fdinfo_memlock(fd);
	if (ml <= 0) {
		row_fail(r, "no memlock line in /proc/self/fdinfo/%d", fd);
		goto out;
	}
	r->ns = (double)ml / nstates;
	snprintf(r->note, sizeof(r->note), "memlock %ld bytes, map of %u entries", ml, max);
out:
	close(fd);
}

/* ---- where the figures come from ------------------------------------- */

/* What a result needs beside its figures to be compared with another:
 * the CPU, the kernel, when, and the source it was built from. */
static struct {
	char cpu[128], kernel[96], rev[64];
} env;

static void env_read(void)
{
	struct utsname u;
	char line[256], *p;
	FILE *f;

	snprintf(env.cpu, sizeof(env.cpu), "unknown CPU");
	if ((f = fopen("/proc/cpuinfo", "r"))) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "model name", 10) && (p = strchr(line, ':'))) {
				p += strspn(p + 1, " \t") + 1;
				p[strcspn(p, "\n")] = 0;
				snprintf(env.cpu, sizeof(env.cpu), "%.127s", p);
				break;
			}
		fclose(f);
	}
	if (!uname(&u))
		snprintf(env.kernel, sizeof(env.kernel), "%.15s %.64s", u.sysname, u.release);
	/* BENCH_REV lets a packaged or copied tree say what it is */
	if ((p = getenv("BENCH_REV")) && *p) {
		snprintf(env.rev, sizeof(env.rev), "%.63s", p);
		return;
	}
	snprintf(env.rev, sizeof(env.rev), "unknown");
	f = popen("git describe --always --dirty --abbrev=12 2>/dev/null", "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			if (line[0])
				snprintf(env.rev, sizeof(env.rev), "%.63s", line);
		}
		pclose(f);
	}
}

/* ---- report ---------------------------------------------------------- */

/* Targets are judged only on a full run: a smoke run's few thousand
 * repeats are noise, and memory per state below 1M states is dominated by
 * the map's fixed slack. */
static int row_judged(const struct row *r)
{
	if (r->min_states && nstates < r->min_states)
		return 0;
	return r->unit[0] == 'b' ? nstates >= 1000000 : repeat >= 100000;
}

static void finish(const char *json)
{
	FILE *f = NULL;
	time_t now = time(NULL);
	char ts[32];

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	for (int i = 0; i < nrows; i++) {
		struct row *r = &rows[i], *b = r->base ? row_find(r->base) : NULL;

		if (b && b->ns > 0 && r->ns > 0 && !r->paired)
			r->ratio = r->ns / b->ns;
	}
	printf("pfbpf bench: repeat %d, median of %d, %ld states\n", repeat, runs, nstates);
	printf("%s, %ld CPUs, %s, %s, git %s\n\n", env.cpu, sysconf(_SC_NPROCESSORS_ONLN), env.kernel, ts,
	       env.rev);
	printf("%-47s %12s %9s  %-28s %s\n", "measure", "value", "ratio", "vs", "target");
	for (int i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		char val[32], ratio[16] = "", tgt[64] = "";
		double judged = r->unit[0] == 'b' ? r->ns : r->ratio;

		if (r->ns < 0)
			snprintf(val, sizeof(val), "error");
		else
			snprintf(val, sizeof(val), "%.1f %s", r->ns, r->unit[0] == 'b' ? "B" : "ns");
		if (r->ratio > 0)
			snprintf(ratio, sizeof(ratio), "%.2fx", r->ratio);
		if (r->target > 0 && r->ns >= 0 && judged > 0 && !row_judged(r))
			snprintf(tgt, sizeof(tgt), "not judged: %s",
				 r->unit[0] == 'b' || (r->min_states && nstates < r->min_states)
					 ? "fewer than 1000000 states" : "repeat below 100000");
		else if (r->target > 0 && r->ns >= 0 && judged > 0)
			snprintf(tgt, sizeof(tgt), "%s (<= %g%s, got %.2f)", judged <= r->target ? "met" : "missed",
				 r->target, r->unit[0] == 'b' ? " B" : "x", judged);
		else if (r->target > 0)
			snprintf(tgt, sizeof(tgt), "not measured (<= %g%s)", r->target, r->unit[0] == 'b' ? " B" : "x");
		printf("%-47s %12s %9s  %-28.28s %s\n", r->name, val, ratio, r->base ? r->base : "", tgt);
		if (r->note[0] && (r->ns < 0 || !quiet))
			printf("    %s\n", r->note);
	}
	if (!json)
		return;
	f = fopen(json, "w");
	if (!f) {
		fprintf(stderr, "bench: cannot write %s: %s\n", json, strerror(errno));
		failures++;
		return;
	}
	fprintf(f, "{\n  \"time\": \"%s\",\n  \"cpu\": \"%s\",\n  \"cpus\": %ld,\n  \"kernel\": \"%s\",\n"
		"  \"git\": \"%s\",\n  \"repeat\": %d,\n  \"runs\": %d,\n  \"states\": %ld,\n  \"rows\": [\n",
		ts, env.cpu, sysconf(_SC_NPROCESSORS_ONLN), env.kernel, env.rev, repeat, runs, nstates);
	for (int i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		double judged = r->unit[0] == 'b' ? r->ns : r->ratio;

		fprintf(f, "    {\"name\": \"%s\", \"unit\": \"%s\", ", r->name, r->unit);
		if (r->ns >= 0)
			fprintf(f, "\"value\": %.2f, ", r->ns);
		else
			fprintf(f, "\"value\": null, ");
		if (r->base)
			fprintf(f, "\"baseline\": \"%s\", \"ratio\": %.3f, ", r->base, r->ratio);
		if (r->target > 0)
			fprintf(f, "\"target\": %g, \"result\": \"%s\", ", r->target,
				r->ns < 0 || judged <= 0 ? "not measured" :
				!row_judged(r)           ? "not judged" :
				judged <= r->target      ? "met" : "missed");
		fprintf(f, "\"note\": \"%s\"}%s\n", r->note, i + 1 < nrows ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fclose(f);
}

static int silent(enum libbpf_print_level l, const char *fmt, va_list ap)
{
	return l == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	const char *json = "bench/results/latest.json";
	struct h_pkt syn4;
	int c;

	while ((c = getopt(argc, argv, "r:n:s:o:qt")) != -1) {
		switch (c) {
		case 'r': repeat = atoi(optarg); break;
		case 'n': runs = atoi(optarg); break;
		case 's': nstates = atol(optarg); break;
		case 'o': json = optarg; break;
		case 'q': quiet = 1; break;
		case 't': targets_only = 1; break;
		default:
			fprintf(stderr, "usage: %s [-r repeat] [-n runs] [-s states] [-o json] [-q] [-t]\n", argv[0]);
			return 2;
		}
	}
	if (repeat < 1 || runs < 1 || runs > 63 || nstates < 1) {
		fprintf(stderr, "bench: bad -r/-n/-s value\n");
		return 2;
	}
	libbpf_set_print(silent);
	env_read();
	h_tcp(&syn4, &H_FLOW4("192.0.2.1", 40000, "198.51.100.1", 80), &(struct h_tcp){ .flags = TH_SYN });
	bench_floor(&syn4);
	bench_datapath();
	bench_blocked();
	if (!targets_only) {
		bench_nat();
		bench_scaling();
		bench_table();
	}
	bench_classifier();
	if (!targets_only)
		bench_memory();
	finish(json);
	bpf_object__close(floor_obj);
	return failures ? 1 : 0;
}
