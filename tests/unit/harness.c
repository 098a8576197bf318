// SPDX-License-Identifier: BSD-2-Clause
/*
 * harness.c - load pf_kern.bpf.o privately, build packets, run programs
 * with BPF_PROG_TEST_RUN and read the maps back.  See harness.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "pf_kern.skel.h"
#include "harness.h"

struct pf_kern *h_skel;

static int h_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Loader and verifier complaints are what a failing test needs to show. */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/*
 * The skeleton over another build of pf_kern.bpf.o (same maps and
 * programs, other code): what bench/variants.sh times against the
 * embedded one, run after run, to measure a change of the datapath.
 */
static struct pf_kern *h_open_file(const char *path)
{
	struct pf_kern *obj = calloc(1, sizeof(*obj));
	static void *buf;
	long sz;
	FILE *f;
	int err;

	if (!obj)
		return NULL;
	if (!(f = fopen(path, "rb"))) {
		free(obj);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	free(buf);
	buf = malloc(sz);
	if (!buf || fread(buf, 1, sz, f) != (size_t)sz) {
		fclose(f);
		free(obj);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	if ((err = pf_kern__create_skeleton(obj)))
		goto fail;
	obj->skeleton->data = buf;
	obj->skeleton->data_sz = sz;
	if ((err = bpf_object__open_skeleton(obj->skeleton, NULL)))
		goto fail;
	return obj;
fail:
	pf_kern__destroy(obj);
	errno = -err;
	return NULL;
}

int h_load(__u32 state_map_size)
{
	const char *alt = getenv("PF_H_OBJ");
	struct bpf_map *map;
	int err;

	libbpf_set_print(h_print);
	h_skel = alt && *alt ? h_open_file(alt) : pf_kern__open();
	if (!h_skel)
		return -errno;
	/* Private maps: never pin into the shared bpffs folder from a test. */
	bpf_object__for_each_map(map, h_skel->obj) {
		err = bpf_map__set_pin_path(map, NULL);
		if (err)
			goto fail;
	}
	if (state_map_size) {
		err = bpf_map__set_max_entries(h_skel->maps.pf_states, state_map_size);
		if (err)
			goto fail;
	}
	/* libbpf 1.1 does not know the "tc/ingress" and "tc/egress" section
	 * names (iproute2 does): tell it the type. */
	bpf_program__set_type(h_skel->progs.pf_tc_in, BPF_PROG_TYPE_SCHED_CLS);
	bpf_program__set_type(h_skel->progs.pf_tc_out, BPF_PROG_TYPE_SCHED_CLS);
	err = pf_kern__load(h_skel);
	if (err)
		goto fail;
	return 0;
fail:
	pf_kern__destroy(h_skel);
	h_skel = NULL;
	return err < 0 ? err : -EINVAL;
}

void h_unload(void)
{
	pf_kern__destroy(h_skel);
	h_skel = NULL;
}

void h_setup(void)
{
	int err = h_load(0);

	if (err)
		cr_assert_fail("cannot load build/pf_kern.bpf.o: %s (BPF, BTF, ringbuf, "
			       "bpf_timer and BPF_PROG_TEST_RUN are required)", strerror(-err));
}

void h_teardown(void)
{
	h_unload();
}

int h_map_fd(const char *name)
{
	struct bpf_map *m;

	if (!h_skel)
		return -1;
	m = bpf_object__find_map_by_name(h_skel->obj, name);
	return m ? bpf_map__fd(m) : -1;
}

int h_config_get(struct pf_config *cfg)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(bpf_map__fd(h_skel->maps.pf_config), &z, cfg) ? -errno : 0;
}

int h_config_set(const struct pf_config *cfg)
{
	__u32 z = 0;

	return bpf_map_update_elem(bpf_map__fd(h_skel->maps.pf_config), &z, cfg, BPF_ANY) ?
		       -errno : 0;
}

/* ---- packets ------------------------------------------------------------ */

struct h_flow h_flow_rev(const struct h_flow *f)
{
	struct h_flow r = { f->af, f->dst, f->src, f->dport, f->sport };

	return r;
}

static int h_addr(int af, const char *txt, struct pf_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(af == PF_INET ? AF_INET : AF_INET6, txt, a) != 1)
		return -EINVAL;
	return 0;
}

static __u32 csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *b = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* Transport checksum with the pseudo header of the packet's IP version. */
static void h_l4_csum(struct h_pkt *p, __u8 proto, int csum_off)
{
	__u8 *ip = p->buf + p->l3;
	__u32 l4len = p->len - p->l4, sum = 0;
	__u8 *l4 = p->buf + p->l4;
	__u16 c;

	if (csum_off < 0 || p->l4 + csum_off + 2 > p->len)
		return;
	l4[csum_off] = l4[csum_off + 1] = 0;
	if ((ip[0] >> 4) == 4) {
		if (proto == IPPROTO_ICMP) {
			c = csum_fold(csum_add(0, l4, l4len));
			memcpy(l4 + csum_off, &c, 2);
			return;
		}
		sum = csum_add(sum, ip + 12, 8);
	} else {
		sum = csum_add(sum, ip + 8, 32);
		sum += l4len >> 16;
	}
	sum += l4len & 0xffff;
	sum += proto;
	sum = csum_add(sum, l4, l4len);
	c = csum_fold(sum);
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff;
	memcpy(l4 + csum_off, &c, 2);
}

static void h_ip4_csum(struct h_pkt *p)
{
	__u8 *ip = p->buf + p->l3;
	int hl = (ip[0] & 0xf) * 4;
	__u16 c;

	if (hl < 20 || p->l3 + hl > p->len)
		hl = 20;
	ip[10] = ip[11] = 0;
	c = csum_fold(csum_add(0, ip, hl));
	memcpy(ip + 10, &c, 2);
}

void h_fix_csum(struct h_pkt *p)
{
	__u8 *ip = p->buf + p->l3;
	__u8 proto = p->proto;
	int off = -1;

	if ((ip[0] >> 4) == 4)
		h_ip4_csum(p);
	switch (proto) {
	case IPPROTO_TCP: off = 16; break;
	case IPPROTO_UDP: off = 6; break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: off = 2; break;
	}
	h_l4_csum(p, proto, off);
}

/*
 * Lay out Ethernet (+ VLAN tags) and the IP header(s) for an L4 payload of
 * l4len bytes that the caller writes at p->l4 afterwards.
 */
static int h_l3(struct h_pkt *p, const struct h_flow *f, __u8 proto, __u32 l4len,
		const struct h_l2 *l2)
{
	static const struct h_l2 none;
	struct pf_addr s, d;
	__u32 o = 12, i;
	__u8 *b = p->buf;

	if (!l2)
		l2 = &none;
	if (h_addr(f->af, f->src, &s) || h_addr(f->af, f->dst, &d))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	/* Locally administered MACs, one per direction is not needed. */
	memcpy(b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (l2->vlans >= 2) {
		put16(b + o, 0x88a8);
		put16(b + o + 2, 100);
		o += 4;
	}
	if (l2->vlans >= 1) {
		put16(b + o, 0x8100);
		put16(b + o + 2, 200);
		o += 4;
	}
	put16(b + o, f->af == PF_INET ? 0x0800 : 0x86dd);
	o += 2;
	p->l3 = o;
	if (f->af == PF_INET) {
		if (o + 20 + l4len > H_PKT_MAX)
			return -EINVAL;
		b[o] = 0x45;
		put16(b + o + 2, 20 + l4len);
		put16(b + o + 4, l2->ident ? l2->ident : 0x1234);
		put16(b + o + 6, l2->frag_off);
		b[o + 8] = l2->ttl ? l2->ttl : 64;
		b[o + 9] = proto;
		memcpy(b + o + 12, &s.v4, 4);
		memcpy(b + o + 16, &d.v4, 4);
		p->l4 = o + 20;
	} else {
		__u32 ext = 0, nh_at = o + 6;

		ext = 8 * (l2->ext6 > 0 ? l2->ext6 : 0) + (l2->frag6 ? 8 : 0);
		if (o + 40 + ext + l4len > H_PKT_MAX)
			return -EINVAL;
		put32(b + o, 0x60000000);
		put16(b + o + 4, ext + l4len);
		b[o + 7] = l2->ttl ? l2->ttl : 64;
		memcpy(b + o + 8, &s, 16);
		memcpy(b + o + 24, &d, 16);
		p->l4 = o + 40;
		for (i = 0; i < (__u32)(l2->ext6 > 0 ? l2->ext6 : 0); i++) {
			/* hop-by-hop first, destination options after it */
			b[nh_at] = i == 0 ? 0 : 60;
			nh_at = p->l4;
			b[p->l4 + 1] = 0; /* 8 bytes, PadN fills */
			b[p->l4 + 2] = 1;
			b[p->l4 + 3] = 4;
			p->l4 += 8;
		}
		if (l2->frag6) {
			b[nh_at] = 44;
			nh_at = p->l4;
			put16(b + p->l4 + 2, (l2->frag6_off << 3) | (l2->frag6_mf ? 1 : 0));
			put32(b + p->l4 + 4, l2->ident ? l2->ident : 0x1234);
			p->l4 += 8;
		}
		b[nh_at] = proto;
	}
	p->len = p->l4 + l4len;
	p->proto = proto;
	return 0;
}

int h_tcp(struct h_pkt *p, const struct h_flow *f, const struct h_tcp *t)
{
	__u32 optlen = 0, hl;
	__u8 opt[40], *th;
	int err;

	if (t->mss) {
		opt[optlen++] = 2;
		opt[optlen++] = 4;
		put16(opt + optlen, t->mss);
		optlen += 2;
	}
	if (t->has_wscale) {
		opt[optlen++] = 1; /* NOP keeps the option aligned as stacks do */
		opt[optlen++] = 3;
		opt[optlen++] = 3;
		opt[optlen++] = (__u8)t->wscale;
	}
	if (t->opts && t->optlen) {
		if (optlen + t->optlen > sizeof(opt))
			return -EINVAL;
		memcpy(opt + optlen, t->opts, t->optlen);
		optlen += t->optlen;
	}
	while (optlen & 3)
		opt[optlen++] = 0;
	if (optlen > 40)
		return -EINVAL;
	hl = 20 + optlen;
	err = h_l3(p, f, IPPROTO_TCP, hl + t->plen, t->l2);
	if (err)
		return err;
	th = p->buf + p->l4;
	put16(th, f->sport);
	put16(th + 2, f->dport);
	put32(th + 4, t->seq);
	put32(th + 8, t->ack);
	th[12] = (hl / 4) << 4;
	th[13] = t->flags;
	put16(th + 14, t->win ? t->win : 65535);
	memcpy(th + 20, opt, optlen);
	memset(th + hl, 'x', t->plen);
	h_fix_csum(p);
	return 0;
}

int h_udp(struct h_pkt *p, const struct h_flow *f, __u32 plen, const struct h_l2 *l2)
{
	__u8 *uh;
	int err;

	err = h_l3(p, f, IPPROTO_UDP, 8 + plen, l2);
	if (err)
		return err;
	uh = p->buf + p->l4;
	put16(uh, f->sport);
	put16(uh + 2, f->dport);
	put16(uh + 4, 8 + plen);
	memset(uh + 8, 'u', plen);
	h_fix_csum(p);
	return 0;
}

int h_icmp(struct h_pkt *p, const struct h_flow *f, __u8 type, __u8 code, __u16 seq,
	   const struct h_pkt *quote, __u32 qlen)
{
	__u8 proto = f->af == PF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	__u32 body = 0;
	__u8 *ih;
	int err;

	if (quote) {
		body = quote->len - quote->l3;
		if (qlen && qlen < body)
			body = qlen;
	}
	err = h_l3(p, f, proto, 8 + body, NULL);
	if (err)
		return err;
	ih = p->buf + p->l4;
	ih[0] = type;
	ih[1] = code;
	if (quote) {
		memcpy(ih + 8, quote->buf + quote->l3, body);
	} else {
		put16(ih + 4, f->sport);
		put16(ih + 6, seq);
	}
	h_fix_csum(p);
	return 0;
}

int h_ip(struct h_pkt *p, const struct h_flow *f, __u8 proto, const void *payload,
	 __u32 plen, const struct h_l2 *l2)
{
	int err = h_l3(p, f, proto, plen, l2);

	if (err)
		return err;
	if (plen)
		memcpy(p->buf + p->l4, payload, plen);
	if (f->af == PF_INET)
		h_ip4_csum(p);
	return 0;
}

/* ---- running ------------------------------------------------------------ */

static int h_run_prog(int fd, struct h_pkt *p)
{
	static __u8 out[H_PKT_MAX + 512];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(fd, &o);
	if (err)
		return -errno;
	if (o.data_size_out <= H_PKT_MAX) {
		memcpy(p->buf, out, o.data_size_out);
		p->len = o.data_size_out;
	}
	return (int)o.retval;
}

int h_xdp(struct h_pkt *p)
{
	return h_run_prog(bpf_program__fd(h_skel->progs.pf_xdp), p);
}

int h_tc(int dir, struct h_pkt *p)
{
	struct bpf_program *prog = dir == PF_OUT ? h_skel->progs.pf_tc_out : h_skel->progs.pf_tc_in;

	return h_run_prog(bpf_program__fd(prog), p);
}

int h_run(int dir, struct h_pkt *p)
{
	int r;

	if (dir == PF_IN) {
		r = h_xdp(p);
		if (r < 0)
			return r;
		return r == XDP_PASS ? PF_PASS : r == XDP_DROP ? PF_DROP : 100 + r;
	}
	r = h_tc(dir, p);
	if (r < 0)
		return r;
	return r == TC_ACT_OK ? PF_PASS : r == TC_ACT_SHOT ? PF_DROP : 100 + r;
}

int h_ctl(struct pf_ctl_req *req)
{
	/* A syscall program's context is copied back into ctx_in; the
	 * kernel refuses ctx_out for this program type. */
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = req, .ctx_size_in = sizeof(*req));
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(h_skel->progs.pf_ctl), &o);
	if (err)
		return -errno;
	return (int)o.retval;
}

int h_ctl_sweep(void)
{
	struct pf_ctl_req r = { .op = PF_CTL_SWEEP };
	int err = h_ctl(&r);

	return err < 0 ? err : (int)r.count;
}

/* ---- maps ----------------------------------------------------------------- */

int h_state_key(const struct h_flow *f, __u8 proto, int dir, struct pf_state_key *k)
{
	int sidx = dir == PF_IN ? 0 : 1;

	memset(k, 0, sizeof(*k));
	if (h_addr(f->af, f->src, &k->addr[sidx]) || h_addr(f->af, f->dst, &k->addr[!sidx]))
		return -EINVAL;
	k->af = f->af;
	k->proto = proto;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		k->port[sidx] = htons(f->sport);
		k->port[!sidx] = htons(f->dport);
	} else if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		/* pf_icmp_mapping: the flow of the message that opened the
		 * state; sport = virtual id on the sender's side, dport =
		 * virtual type (the request's type) on the other. */
		k->port[sidx] = htons(f->sport);
		k->port[!sidx] = htons(f->dport);
	}
	return 0;
}

int h_state_get(const struct h_flow *f, __u8 proto, int dir, struct pf_state *s)
{
	struct pf_state_key k;

	if (h_state_key(f, proto, dir, &k))
		return -EINVAL;
	return bpf_map_lookup_elem(bpf_map__fd(h_skel->maps.pf_states), &k, s) ? -errno : 0;
}

int h_state_put(const struct pf_state_key *k, const struct pf_state *s)
{
	return bpf_map_update_elem(bpf_map__fd(h_skel->maps.pf_states), k, s, BPF_ANY) ? -errno :
											0;
}

int h_state_count(void)
{
	int fd = bpf_map__fd(h_skel->maps.pf_states), n = 0;
	struct pf_state_key k, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

/* Sum a per-CPU value of nwords 64-bit counters. */
static int h_percpu_sum(int fd, const void *key, __u64 *sum, size_t size, bool hash)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	size_t stride = (size + 7) & ~7UL, w;
	__u64 *vals;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, stride);
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	memset(sum, 0, size);
	for (i = 0; i < ncpu; i++)
		for (w = 0; w < size / 8; w++)
			sum[w] += vals[i * stride / 8 + w];
	free(vals);
	(void)hash;
	return 0;
}

int h_status(struct pf_status_pcpu *sum)
{
	__u32 z = 0;

	return h_percpu_sum(bpf_map__fd(h_skel->maps.pf_status), &z, (__u64 *)sum, sizeof(*sum),
			    false);
}

int h_gcount(struct pf_gcount *g)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(bpf_map__fd(h_skel->maps.pf_count), &z, g) ? -errno : 0;
}

__u32 h_active_rid(__u32 nr)
{
	struct pf_config cfg;

	if (h_config_get(&cfg))
		return PF_RULE_NONE;
	return PF_RID_BASE + (cfg.active & 1) * PF_MAX_RULES + nr;
}

int h_rulectr(__u32 slot, __u32 idx, struct pf_rule_counters *sum)
{
	/* the walk's stops at the position, the rest at the rule's id
	 * (pfbpf_cls_install's fixed id for the position): the sum of both */
	__u32 k = slot * PF_MAX_RULES + idx, rid = PF_RID_BASE + k;
	struct pf_rule_counters r = {};
	int err = h_percpu_sum(bpf_map__fd(h_skel->maps.pf_rulectr), &k, (__u64 *)sum,
			       sizeof(*sum), false);

	if (!err)
		err = h_percpu_sum(bpf_map__fd(h_skel->maps.pf_rulectr), &rid, (__u64 *)&r,
				   sizeof(r), false);
	for (size_t i = 0; !err && i < sizeof(r) / 8; i++)
		((__u64 *)sum)[i] += ((__u64 *)&r)[i];
	return err;
}

int h_rulestates(__u32 slot, __u32 idx, __u32 *n)
{
	__u32 k = PF_RID_BASE + slot * PF_MAX_RULES + idx;

	return bpf_map_lookup_elem(bpf_map__fd(h_skel->maps.pf_rulestates), &k, n) ? -errno : 0;
}

int h_ifctr(__u32 ifindex, struct pf_if_counters *sum)
{
	return h_percpu_sum(bpf_map__fd(h_skel->maps.pf_ifctr), &ifindex, (__u64 *)sum,
			    sizeof(*sum), true);
}

struct h_drain {
	union h_event *ev;
	int max, n;
};

static int h_event_cb(void *ctx, void *data, size_t size)
{
	struct h_drain *d = ctx;

	if (d->n < d->max) {
		memset(&d->ev[d->n], 0, sizeof(d->ev[0]));
		memcpy(&d->ev[d->n], data, size < sizeof(d->ev[0]) ? size : sizeof(d->ev[0]));
		d->n++;
	}
	return 0;
}

int h_events(union h_event *ev, int max)
{
	struct h_drain d = { ev, max, 0 };
	struct ring_buffer *rb;
	int err;

	rb = ring_buffer__new(bpf_map__fd(h_skel->maps.pf_events), h_event_cb, &d, NULL);
	if (!rb)
		return -errno;
	err = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return err < 0 ? err : d.n;
}

int h_events_count(const union h_event *ev, int n, int type)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += ev[i].type == type;
	return c;
}

const union h_event *h_event_find(const union h_event *ev, int n, int type, int *from)
{
	int i;

	for (i = from ? *from : 0; i < n; i++) {
		if (ev[i].type == type) {
			if (from)
				*from = i + 1;
			return &ev[i];
		}
	}
	return NULL;
}

__u32 h_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u32)ts.tv_sec;
}
