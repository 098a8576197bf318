// SPDX-License-Identifier: BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "cls_probe.h"

_Static_assert(sizeof(struct cls_probe_pkt) == 80, "cls_probe_pkt mirrors struct pf_pkt");

int cls_probe_open(struct cls_probe *p, const char *path)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	memset(p, 0, sizeof(*p));
	p->obj = bpf_object__open_file(path, NULL);
	if (!p->obj)
		return -errno;
	bpf_object__for_each_map(map, p->obj)
		bpf_map__set_pin_path(map, NULL);
	err = bpf_object__load(p->obj);
	if (err) {
		bpf_object__close(p->obj);
		p->obj = NULL;
		return err;
	}
	prog = bpf_object__find_program_by_name(p->obj, "cls_probe");
	if (!prog)
		return -ENOENT;
	p->prog_fd = bpf_program__fd(prog);
	return 0;
}

void cls_probe_close(struct cls_probe *p)
{
	bpf_object__close(p->obj);
	p->obj = NULL;
}

int cls_probe_map_fd(const char *name, void *arg)
{
	struct cls_probe *p = arg;
	int fd = bpf_object__find_map_fd_by_name(p->obj, name);

	return fd < 0 ? -ENOENT : fd;
}

static int set_input(struct cls_probe *p, const struct pfbpf_cls_pkt *pk, unsigned active)
{
	struct cls_probe_pkt pp = {};
	struct pf_config cfg = {};
	__u32 zero = 0;

	pp.src = pk->src;
	pp.dst = pk->dst;
	pp.af = pk->af;
	pp.proto = pk->proto;
	pp.dir = pk->dir;
	pp.tcp_flags = pk->tcp_flags;
	pp.icmp_type = pk->icmp_type;
	pp.icmp_code = pk->icmp_code;
	pp.has_ports = pk->has_ports;
	pp.ifindex = pk->ifindex;
	if (pk->has_ports) {
		pp.sport = htons(pk->sport);
		pp.dport = htons(pk->dport);
	}
	cfg.active = active;
	if (bpf_map_update_elem(cls_probe_map_fd("probe_pkt", p), &zero, &pp, BPF_ANY) ||
	    bpf_map_update_elem(cls_probe_map_fd("probe_cfg", p), &zero, &cfg, BPF_ANY))
		return -errno;
	return 0;
}

static int run(struct cls_probe *p, int repeat, __u32 *ns, __u32 *ret)
{
	unsigned char frame[64] = { [12] = 0x08, [13] = 0x00 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = repeat);
	int err = bpf_prog_test_run_opts(p->prog_fd, &o);

	if (err)
		return -errno;
	if (ns)
		*ns = o.duration;
	if (ret)
		*ret = o.retval;
	return 0;
}

int cls_probe_run(struct cls_probe *p, const struct pfbpf_cls_pkt *pk, unsigned active,
		  struct cls_probe_match *m)
{
	__u32 zero = 0;
	int err;

	if ((err = set_input(p, pk, active)) || (err = run(p, 1, NULL, NULL)))
		return err;
	if (bpf_map_lookup_elem(cls_probe_map_fd("probe_out", p), &zero, m))
		return -errno;
	return 0;
}

int cls_probe_time(struct cls_probe *p, const struct pfbpf_cls_pkt *pk, unsigned active, int repeat,
		   __u32 *ns)
{
	int err = set_input(p, pk, active);

	return err ? err : run(p, repeat, ns, NULL);
}

static void table_key(struct pf_table_key *k, unsigned table, __u8 af, const struct pf_addr *a,
		      unsigned plen)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = 32 + plen;
	k->table = htons(table);
	k->af = af;
	k->addr = *a;
}

int cls_probe_table_add(struct cls_probe *p, unsigned table, __u8 af, const struct pf_addr *a,
			unsigned plen, int neg)
{
	struct pf_table_key k;
	struct pf_table_entry e = { .neg = !!neg };

	table_key(&k, table, af, a, plen);
	return bpf_map_update_elem(cls_probe_map_fd(PFBPF_MAP_TABLES, p), &k, &e, BPF_ANY) ? -errno : 0;
}

int cls_probe_table_del(struct cls_probe *p, unsigned table, __u8 af, const struct pf_addr *a,
			unsigned plen)
{
	struct pf_table_key k;

	table_key(&k, table, af, a, plen);
	return bpf_map_delete_elem(cls_probe_map_fd(PFBPF_MAP_TABLES, p), &k) ? -errno : 0;
}
