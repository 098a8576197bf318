// SPDX-License-Identifier: BSD-2-Clause
/*
 * pfbpf_maps.c - open the datapath's pinned maps, read and write them, run
 * the pf_ctl syscall program.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "lib/log.h"
#include "lib/pfbpf_maps.h"
#include "lib/pf_names.h"
#include "pf_timeout.h"
/* The datapath object embedded in every tool, so that pfctl_bpf -e works
 * without the .o file around (PFBPF_OBJ still overrides it). */
#include "pf_kern.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif


const char *pfbpf_pin_dir(void)
{
	const char *e = getenv("PFBPF_PIN_DIR");

	return e && *e ? e : PFBPF_PIN_DIR;
}

const char *pfbpf_prog_pin_dir(void)
{
	const char *e = getenv("PFBPF_PROG_PIN_DIR");

	return e && *e ? e : PFBPF_PROG_PIN_DIR;
}

const char *pfbpf_maps_strerror(int err)
{
	static char buf[128];

	switch (-err) {
	case EPERM:
	case EACCES:
		return "permission denied: pfbpf needs root (CAP_BPF and CAP_NET_ADMIN)";
	case ENODEV:
		return "no bpffs mounted at " PFBPF_BPFFS ": run 'mount -t bpf bpf " PFBPF_BPFFS "'";
	case ENOENT:
		return "pfbpf datapath is not loaded: run 'pfctl_bpf -e -i IFNAME' or 'pfbpf-load attach IFNAME'";
	}
	snprintf(buf, sizeof(buf), "cannot open the pfbpf maps: %s", strerror(-err));
	return buf;
}

static bool is_bpffs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == BPF_FS_MAGIC;
}

/* Open one pinned map; -ENOENT if it is not there. */
static int open_pin(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	return fd;
}

static int *named_slot(struct pfbpf_maps *m, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} slots[] = {
		{ PFBPF_MAP_STATES, offsetof(struct pfbpf_maps, states) },
		{ PFBPF_MAP_CONFIG, offsetof(struct pfbpf_maps, config) },
		{ PFBPF_MAP_COUNT, offsetof(struct pfbpf_maps, count) },
		{ PFBPF_MAP_STATUS, offsetof(struct pfbpf_maps, status) },
		{ PFBPF_MAP_RULECTR, offsetof(struct pfbpf_maps, rulectr) },
		{ PFBPF_MAP_RULESTATES, offsetof(struct pfbpf_maps, rulestates) },
		{ PFBPF_MAP_IFCTR, offsetof(struct pfbpf_maps, ifctr) },
		{ PFBPF_MAP_EVENTS, offsetof(struct pfbpf_maps, events) },
		{ PFBPF_MAP_TIMER, offsetof(struct pfbpf_maps, timer) },
		{ PFBPF_MAP_TPROF, offsetof(struct pfbpf_maps, tprofiles) },
		{ PFBPF_MAP_CREATORS, offsetof(struct pfbpf_maps, creators) },
		{ PFBPF_MAP_TABLES, offsetof(struct pfbpf_maps, tables) },
		{ PFBPF_MAP_TABLESTAT, offsetof(struct pfbpf_maps, tablestat) },
	};
	size_t i;

	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (!strcmp(slots[i].name, name))
			return (int *)((char *)m + slots[i].off);
	return NULL;
}

static void init_fds(struct pfbpf_maps *m)
{
	m->states = m->config = m->count = m->status = -1;
	m->rulectr = m->rulestates = m->ifctr = m->events = m->timer = -1;
	m->tprofiles = m->creators = m->tables = m->tablestat = -1;
	m->ctl_fd = -1;
	m->ctl_obj = NULL;
	m->nextra = 0;
}

static int maps_open_dir(struct pfbpf_maps *m, const char *pin_dir)
{
	static const char *const required[] = {
		PFBPF_MAP_STATES, PFBPF_MAP_CONFIG, PFBPF_MAP_COUNT, PFBPF_MAP_STATUS,
	};
	static const char *const optional[] = {
		PFBPF_MAP_RULECTR, PFBPF_MAP_RULESTATES, PFBPF_MAP_IFCTR, PFBPF_MAP_EVENTS,
		PFBPF_MAP_TIMER, PFBPF_MAP_TPROF, PFBPF_MAP_CREATORS, PFBPF_MAP_TABLES,
		PFBPF_MAP_TABLESTAT,
	};
	struct stat st;
	size_t i;
	int fd, err;

	memset(m, 0, sizeof(*m));
	init_fds(m);
	snprintf(m->pin_dir, sizeof(m->pin_dir), "%s", pin_dir ? pin_dir : pfbpf_pin_dir());
	snprintf(m->prog_pin_dir, sizeof(m->prog_pin_dir), "%s", pfbpf_prog_pin_dir());

	/* Tell the three usual failures apart before touching bpf(): they
	 * need three different remedies. */
	if (stat(m->pin_dir, &st) < 0) {
		err = -errno;
		if (err == -EACCES || err == -EPERM)
			return -EPERM;
		if (!is_bpffs(PFBPF_BPFFS) && strncmp(m->pin_dir, PFBPF_BPFFS "/",
						      sizeof(PFBPF_BPFFS)) == 0)
			return -ENODEV;
		return -ENOENT;
	}
	if (!is_bpffs(m->pin_dir))
		return -ENODEV;

	m->ncpus = libbpf_num_possible_cpus();
	if (m->ncpus < 0)
		return m->ncpus;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		fd = open_pin(m->pin_dir, required[i]);
		if (fd < 0) {
			err = fd == -EACCES ? -EPERM : fd;
			pr_debug("open %s/%s: %s", m->pin_dir, required[i], strerror(-fd));
			goto fail;
		}
		*named_slot(m, required[i]) = fd;
	}
	for (i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		fd = open_pin(m->pin_dir, optional[i]);
		if (fd < 0) {
			pr_debug("optional map %s not pinned: %s", optional[i], strerror(-fd));
			continue;
		}
		*named_slot(m, optional[i]) = fd;
	}
	return 0;
fail:
	pfbpf_maps_close(m);
	return err;
}

int pfbpf_maps_open_dir(struct pfbpf_maps *m, const char *pin_dir)
{
	int err = maps_open_dir(m, pin_dir);

	/* Whatever else went wrong, an unprivileged user's first problem is
	 * privilege: bpffs is usually root-only and bpf() needs CAP_BPF. */
	if (err && geteuid() != 0)
		return -EPERM;
	return err;
}

int pfbpf_maps_open(struct pfbpf_maps *m)
{
	return pfbpf_maps_open_dir(m, NULL);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void pfbpf_maps_close(struct pfbpf_maps *m)
{
	int i;

	close_fd(&m->states);
	close_fd(&m->config);
	close_fd(&m->count);
	close_fd(&m->status);
	close_fd(&m->rulectr);
	close_fd(&m->rulestates);
	close_fd(&m->ifctr);
	close_fd(&m->events);
	close_fd(&m->timer);
	close_fd(&m->tprofiles);
	close_fd(&m->creators);
	close_fd(&m->tables);
	close_fd(&m->tablestat);
	for (i = 0; i < m->nextra; i++)
		close_fd(&m->extra[i].fd);
	m->nextra = 0;
	/* ctl_fd belongs to ctl_obj when the object was loaded here. */
	if (m->ctl_obj) {
		bpf_object__close(m->ctl_obj);
		m->ctl_obj = NULL;
		m->ctl_fd = -1;
	} else {
		close_fd(&m->ctl_fd);
	}
}

int pfbpf_map_fd(struct pfbpf_maps *m, const char *name)
{
	int *slot = named_slot(m, name);
	int i, fd;

	if (slot && *slot >= 0)
		return *slot;
	for (i = 0; i < m->nextra; i++)
		if (!strcmp(m->extra[i].name, name))
			return m->extra[i].fd;
	fd = open_pin(m->pin_dir, name);
	if (fd < 0)
		return fd;
	if (slot) {
		*slot = fd;
		return fd;
	}
	if (m->nextra == PFBPF_MAPS_EXTRA) {
		close(fd);
		return -ENOSPC;
	}
	snprintf(m->extra[m->nextra].name, sizeof(m->extra[0].name), "%s", name);
	m->extra[m->nextra++].fd = fd;
	return fd;
}

int pfbpf_config_read(struct pfbpf_maps *m, struct pf_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->config, &zero, cfg) < 0)
		return -errno;
	return 0;
}

int pfbpf_config_write(struct pfbpf_maps *m, const struct pf_config *cfg)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(m->config, &zero, cfg, BPF_ANY) < 0)
		return -errno;
	return 0;
}

__u32 pfbpf_config_timeout(const struct pf_config *cfg, int pftm)
{
	if (pftm < 0 || pftm >= PFTM_MAX)
		return 0;
	return pf_timeout_shown(cfg, pftm);
}

__u32 pfbpf_config_limit(const struct pf_config *cfg, int limit)
{
	static const __u32 defaults[PF_LIMIT_MAX] = {
		[PF_LIMIT_STATES] = PF_DEFAULT_LIMIT_STATES,
		[PF_LIMIT_SRC_NODES] = PF_DEFAULT_LIMIT_SRC_NODES,
		[PF_LIMIT_FRAGS] = PF_DEFAULT_LIMIT_FRAGS,
		[PF_LIMIT_TABLES] = PF_DEFAULT_LIMIT_TABLES,
		[PF_LIMIT_TABLE_ENTRIES] = PF_DEFAULT_LIMIT_TABLE_ENTRIES,
	};

	if (limit < 0 || limit >= PF_LIMIT_MAX)
		return 0;
	return cfg->limit[limit] ? cfg->limit[limit] : defaults[limit];
}

/*
 * Per-CPU values come back as ncpus copies, each rounded up to 8 bytes.
 * All our per-CPU structs are arrays of __u64, so summing them word by word
 * is summing every counter.
 */
static int percpu_sum(struct pfbpf_maps *m, int fd, const void *key, void *sum, size_t size)
{
	size_t stride = (size + 7) & ~(size_t)7;
	__u64 *out = sum;
	char *buf;
	int cpu;
	size_t w;

	if (fd < 0)
		return -ENOENT;
	buf = calloc(m->ncpus, stride);
	if (!buf)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, buf) < 0) {
		int err = -errno;

		free(buf);
		return err;
	}
	memset(sum, 0, size);
	for (cpu = 0; cpu < m->ncpus; cpu++) {
		const __u64 *v = (const __u64 *)(buf + cpu * stride);

		for (w = 0; w < size / 8; w++)
			out[w] += v[w];
	}
	free(buf);
	return 0;
}

int pfbpf_status_read(struct pfbpf_maps *m, struct pf_status_pcpu *sum)
{
	__u32 zero = 0;

	return percpu_sum(m, m->status, &zero, sum, sizeof(*sum));
}

int pfbpf_ifctr_read(struct pfbpf_maps *m, __u32 ifindex, struct pf_if_counters *sum)
{
	return percpu_sum(m, m->ifctr, &ifindex, sum, sizeof(*sum));
}

int pfbpf_rulectr_read(struct pfbpf_maps *m, __u32 idx, struct pf_rule_counters *sum)
{
	return percpu_sum(m, m->rulectr, &idx, sum, sizeof(*sum));
}

int pfbpf_gcount_read(struct pfbpf_maps *m, struct pf_gcount *gc)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->count, &zero, gc) < 0)
		return -errno;
	return 0;
}

int pfbpf_state_lookup(struct pfbpf_maps *m, const struct pf_state_key *key,
		       struct pf_state *st)
{
	if (bpf_map_lookup_elem(m->states, key, st) < 0)
		return -errno;
	return 0;
}

/* Walk by keys: slower than batches, but works on every kernel and keeps
 * going when a state vanishes between get_next_key and lookup. */
static int states_walk(struct pfbpf_maps *m, pfbpf_state_cb cb, void *arg)
{
	struct pf_state_key key, next;
	struct pf_state st;
	void *prev = NULL;
	int ret;

	while (bpf_map_get_next_key(m->states, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->states, &key, &st) < 0)
			continue;
		ret = cb(&key, &st, arg);
		if (ret)
			return ret;
	}
	return errno == ENOENT ? 0 : -errno;
}

#define STATES_BATCH 256

int pfbpf_states_foreach(struct pfbpf_maps *m, pfbpf_state_cb cb, void *arg)
{
	struct pf_state_key *keys;
	struct pf_state *vals;
	__u32 in_batch, out_batch, n, i;
	bool first = true;
	int err = 0, ret;

	keys = calloc(STATES_BATCH, sizeof(*keys));
	vals = calloc(STATES_BATCH, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (;;) {
		n = STATES_BATCH;
		err = bpf_map_lookup_batch(m->states, first ? NULL : &in_batch, &out_batch,
					   keys, vals, &n, NULL);
		if (err < 0)
			err = -errno;
		if (err && err != -ENOENT) {
			/* A kernel without batch ops for this map type: fall
			 * back, but only before we have reported anything. */
			if (first) {
				free(keys);
				free(vals);
				return states_walk(m, cb, arg);
			}
			break;
		}
		for (i = 0; i < n; i++) {
			ret = cb(&keys[i], &vals[i], arg);
			if (ret) {
				err = ret;
				goto out;
			}
		}
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		in_batch = out_batch;
		first = false;
	}
out:
	free(keys);
	free(vals);
	return err;
}

static int count_cb(const struct pf_state_key *k, const struct pf_state *s, void *arg)
{
	(*(long *)arg)++;
	return 0;
}

long pfbpf_states_count(struct pfbpf_maps *m)
{
	long n = 0;
	int err = pfbpf_states_foreach(m, count_cb, &n);

	return err ? err : n;
}

struct bpf_object *pfbpf_open_datapath(const char *pin_dir, const char *obj_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir ?: pfbpf_pin_dir(),
		    .object_name = "pf_kern");
	const char *env = getenv("PFBPF_OBJ");
	const void *elf;
	size_t sz;

	if (!obj_path && env && *env)
		obj_path = env;
	if (obj_path) {
		pr_debug("opening %s", obj_path);
		return bpf_object__open_file(obj_path, &opts);
	}
	elf = pf_kern__elf_bytes(&sz);
	return bpf_object__open_mem(elf, sz, &opts);
}

int pfbpf_obj_match_pins(struct bpf_object *obj, const char *pin_dir)
{
	struct bpf_map_info info;
	__u32 len;
	struct bpf_map *map;
	int fd, n = 0;

	bpf_object__for_each_map(map, obj) {
		if (strchr(bpf_map__name(map), '.'))
			continue; /* .bss/.rodata/.maps internals: never pinned */
		fd = open_pin(pin_dir, bpf_map__name(map));
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.max_entries != bpf_map__max_entries(map)) {
			pr_debug("map %s: using the pinned size %u", bpf_map__name(map),
				 info.max_entries);
			bpf_map__set_max_entries(map, info.max_entries);
		}
		close(fd);
		n++;
	}
	return n;
}

bool pfbpf_is_ctl_prog(struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return !strcmp(bpf_program__name(p), "pf_ctl") || (sec && !strcmp(sec, "syscall"));
}

/*
 * Load only pf_ctl from the object file: with pin_root_path set, libbpf
 * reuses every pinned map, so the program acts on the running datapath.
 */
static int ctl_load_from_object(struct pfbpf_maps *m)
{
	struct bpf_object *obj;
	struct bpf_program *p, *ctl = NULL;
	int err;

	obj = pfbpf_open_datapath(m->pin_dir, NULL);
	if (!obj)
		return -errno;
	pfbpf_obj_match_pins(obj, m->pin_dir);
	bpf_object__for_each_program(p, obj) {
		if (!ctl && pfbpf_is_ctl_prog(p))
			ctl = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!ctl) {
		bpf_object__close(obj);
		return -ENOENT;
	}
	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		return err;
	}
	m->ctl_obj = obj;
	m->ctl_fd = bpf_program__fd(ctl);
	pr_debug("pf_ctl loaded on demand");
	return 0;
}

static int ctl_fd(struct pfbpf_maps *m)
{
	char path[PATH_MAX + 16];
	int fd, err;

	if (m->ctl_fd >= 0)
		return m->ctl_fd;
	snprintf(path, sizeof(path), "%s/pf_ctl", m->prog_pin_dir);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		m->ctl_fd = fd;
		return fd;
	}
	err = ctl_load_from_object(m);
	return err ? err : m->ctl_fd;
}

int pfbpf_ctl_run(struct pfbpf_maps *m, struct pf_ctl_req *req)
{
	/* Syscall programs take no ctx_out: the kernel copies the context
	 * back into ctx_in, which is how req->result and count come back. */
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = req, .ctx_size_in = sizeof(*req));
	int fd = ctl_fd(m);

	if (fd < 0)
		return fd;
	if (bpf_prog_test_run_opts(fd, &topts) < 0)
		return -errno;
	if (req->result)
		return req->result;
	/* A nonzero return value of the program with no result set is
	 * still a failure; keep it visible. */
	return topts.retval ? -(int)topts.retval : 0;
}

int pfbpf_ctl_arm(struct pfbpf_maps *m)
{
	struct pf_ctl_req req = { .op = PF_CTL_ARM, .rule = PF_RULE_NONE };
	struct pf_config cfg;
	struct timespec ts;
	int err = pfbpf_ctl_run(m, &req);

	if (err)
		return err;
	/*
	 * A datapath brought up by the loader or by iproute2 + `arm` filters
	 * from now on, but nothing set pf_status.since (only DIOCSTART did),
	 * so `pfctl_bpf -si` printed "Enabled" with no uptime and no rates.
	 * Start the clock here when it has not started yet.
	 */
	if (pfbpf_config_read(m, &cfg) == 0 && !cfg.stopped && !cfg.since &&
	    clock_gettime(CLOCK_BOOTTIME, &ts) == 0) {
		cfg.since = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
		err = pfbpf_config_write(m, &cfg);
	}
	return err;
}

int pfbpf_ctl_sweep(struct pfbpf_maps *m, __u64 *expired)
{
	struct pf_ctl_req req = { .op = PF_CTL_SWEEP, .rule = PF_RULE_NONE };
	int err = pfbpf_ctl_run(m, &req);

	if (!err && expired)
		*expired = req.count;
	return err;
}

const char *pfbpf_tcps_name(int s)
{
	const char *n = pf_tcps_name(s);

	return n ? n : "?";
}

const char *pfbpf_proto_name(int proto)
{
	return pf_proto_name(proto);
}

char *pfbpf_fmt_endpoint(char *buf, size_t len, __u8 af, __u8 proto,
			 const struct pf_addr *a, __be16 port)
{
	char ip[INET6_ADDRSTRLEN];
	bool ports = proto == 6 || proto == 17 || proto == 132 || proto == 1 || proto == 58;

	inet_ntop(af == PF_INET6 ? AF_INET6 : AF_INET, a, ip, sizeof(ip));
	if (!ports)
		snprintf(buf, len, "%s", ip);
	else if (af == PF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, ntohs(port));
	else
		snprintf(buf, len, "%s:%u", ip, ntohs(port));
	return buf;
}
