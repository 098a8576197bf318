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
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "lib/pfbpf_maps.h"
#include "lib/pf_names.h"
#include "pf_timeout.h"

/* pftrace and pfbpf-load need only the datapath's maps: fd[] holds them
 * in the order of pin_open.h's table. */
_Static_assert(offsetof(struct pfbpf_maps, tablestat) ==
		       offsetof(struct pfbpf_maps, fd[PFM_TABLESTAT]),
	       "struct pfbpf_maps names fd[] in enum pfm order");

static int *named_slot(struct pfbpf_maps *m, const char *name)
{
	for (int i = 0; i < PFM_FIRST_CTL; i++)
		if (!strcmp(pfbpf_map_name(i), name))
			return &m->fd[i];
	return NULL;
}

static int maps_open_dir(struct pfbpf_maps *m, const char *pin_dir)
{
	int i, fd, err;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < PFM_FIRST_CTL; i++)
		m->fd[i] = -1;
	m->ctl.fd = -1;
	snprintf(m->pin_dir, sizeof(m->pin_dir), "%s", pin_dir ? pin_dir : pfbpf_pin_dir());
	snprintf(m->prog_pin_dir, sizeof(m->prog_pin_dir), "%s", pfbpf_prog_pin_dir());

	err = pfbpf_pin_check(m->pin_dir);
	if (err)
		return err;
	m->ncpus = libbpf_num_possible_cpus();
	if (m->ncpus < 0)
		return m->ncpus;

	for (i = 0; i < PFM_FIRST_CTL; i++) {
		fd = pfbpf_pin_get(m->pin_dir, pfbpf_map_name(i));
		if (fd >= 0) {
			m->fd[i] = fd;
			continue;
		}
		if (i >= PFM_NREQUIRED) {
			pr_debug("optional map %s not pinned: %s", pfbpf_map_name(i), strerror(-fd));
			continue;
		}
		err = fd == -EACCES ? -EPERM : fd;
		pr_debug("open %s/%s: %s", m->pin_dir, pfbpf_map_name(i), strerror(-fd));
		pfbpf_maps_close(m);
		return err;
	}
	return 0;
}

int pfbpf_maps_open_dir(struct pfbpf_maps *m, const char *pin_dir)
{
	return pfbpf_pin_open_err(maps_open_dir(m, pin_dir));
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

	for (i = 0; i < PFM_FIRST_CTL; i++)
		close_fd(&m->fd[i]);
	for (i = 0; i < m->nextra; i++)
		close_fd(&m->extra[i].fd);
	m->nextra = 0;
	/* ctl.fd belongs to ctl.obj when the object was loaded here. */
	if (m->ctl.obj)
		pfbpf_ctl_unload(&m->ctl);
	else
		close_fd(&m->ctl.fd);
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
	fd = pfbpf_pin_get(m->pin_dir, name);
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

static int ctl_fd(struct pfbpf_maps *m)
{
	char path[PATH_MAX + 16], why[PATH_MAX + 128];
	int fd, err;

	if (m->ctl.fd >= 0)
		return m->ctl.fd;
	snprintf(path, sizeof(path), "%s/pf_ctl", m->prog_pin_dir);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		m->ctl.fd = fd;
		return fd;
	}
	/* Nobody pinned pf_ctl (iproute2 loaded the datapath): load it. */
	err = pfbpf_ctl_load(m->pin_dir, &m->ctl, why, sizeof(why));
	if (err) {
		pr_debug("%s", why);
		return err;
	}
	pr_debug("pf_ctl loaded on demand");
	return m->ctl.fd;
}

int pfbpf_ctl_run(struct pfbpf_maps *m, struct pf_ctl_req *req)
{
	int fd = ctl_fd(m);

	return fd < 0 ? fd : pfbpf_ctl_exec(fd, req);
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
