// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_env.c - see ioctl_env.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "lib/pf_xflat.h"
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"

int env_dev = -1;
char env_dir[256];
static struct bpf_object *obj;
static struct {
	char name[32];
	int fd;
} fds[64];

static void setup(bool progs, __u32 states_max)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_program *p;
	int err;

	snprintf(env_dir, sizeof(env_dir), "/sys/fs/bpf/pfbpf-test-ctl-%d", getpid());
	if (mkdir(env_dir, 0700) && errno != EEXIST)
		cr_assert_fail("mkdir %s: %s (is bpffs mounted on /sys/fs/bpf?)", env_dir,
			       strerror(errno));
	setenv("PFBPF_PIN_DIR", env_dir, 1);
	opts.pin_root_path = env_dir;
	obj = bpf_object__open_file(CTL_BPF_OBJ, &opts);
	if (!obj) {
		err = errno;
		env_teardown();
		cr_assert_fail("cannot open %s: %s", CTL_BPF_OBJ, strerror(err));
	}
	bpf_object__for_each_program(p, obj) {
		bpf_program__set_autoload(p, progs);
		/* libbpf 1.1 does not know the tc/ingress section names */
		if (!strncmp(bpf_program__section_name(p), "tc", 2))
			bpf_program__set_type(p, BPF_PROG_TYPE_SCHED_CLS);
	}
	if (states_max)
		bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, PFBPF_MAP_STATES),
					 states_max);
	err = bpf_object__load(obj);
	if (err) {
		/* a failed setup must not leave pins behind either */
		env_teardown();
		cr_assert_fail("cannot load %s: %s", CTL_BPF_OBJ, strerror(-err));
	}
	env_dev = pfbpf_open(NULL, O_RDWR);
	if (env_dev < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", pfbpf_strerror(-1));
		env_teardown();
		cr_assert_fail("pfbpf_open(%s): %s", env_dir, why);
	}
}

void env_setup_maps(void)
{
	setup(false, 0);
}

void env_setup_maps_sized(void)
{
	setup(false, ENV_STATES_SIZED);
}

void env_setup_progs(void)
{
	setup(true, 0);
}

void env_teardown(void)
{
	DIR *d;
	struct dirent *e;

	if (env_dev >= 0)
		pfbpf_close(env_dev);
	env_dev = -1;
	for (int i = 0; i < 64 && fds[i].name[0]; i++) {
		close(fds[i].fd);
		fds[i].name[0] = 0;
	}
	bpf_object__close(obj);
	obj = NULL;
	d = opendir(env_dir);
	while (d && (e = readdir(d))) {
		char path[600];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", env_dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(env_dir);
}

int env_map(const char *name)
{
	char path[600];
	int i;

	for (i = 0; i < 64 && fds[i].name[0]; i++)
		if (!strcmp(fds[i].name, name))
			return fds[i].fd;
	cr_assert_lt(i, 64);
	snprintf(path, sizeof(path), "%s/%s", env_dir, name);
	fds[i].fd = bpf_obj_get(path);
	cr_assert_geq(fds[i].fd, 0, "map %s not pinned in %s", name, env_dir);
	snprintf(fds[i].name, sizeof(fds[i].name), "%s", name);
	return fds[i].fd;
}

int env_cfg(struct pf_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(env_map(PFBPF_MAP_CONFIG), &zero, cfg);
}

int env_cfg_set(const struct pf_config *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(env_map(PFBPF_MAP_CONFIG), &zero, cfg, BPF_ANY);
}

int env_ncpu(void)
{
	return libbpf_num_possible_cpus();
}

void env_pcpu_put(const char *map, const void *key, const void *v, size_t size, int cpu)
{
	size_t stride = (size + 7) & ~7ul;
	char *buf = calloc(env_ncpu(), stride);

	cr_assert(buf);
	memcpy(buf + cpu * stride, v, size);
	cr_assert_eq(bpf_map_update_elem(env_map(map), key, buf, BPF_ANY), 0, "update %s: %s",
		     map, strerror(errno));
	free(buf);
}

__u32 env_rid(__u32 slot, __u32 pos)
{
	struct pfbpf_xflat_key k = { .slot = slot, .idx = pos };
	struct pfbpf_xflat v;
	int fd = env_map(PFBPF_MAP_XFLAT);

	if (fd < 0 || bpf_map_lookup_elem(fd, &k, &v))
		return 0;
	return v.rid;
}

void env_rulectr_put(__u32 slot, __u32 pos, const struct pf_rule_counters *rc, int cpu)
{
	__u32 idx = slot * PF_MAX_RULES + pos, rid = env_rid(slot, pos);
	struct pf_rule_counters stops = { .stops = rc->stops };

	env_pcpu_put(PFBPF_MAP_RULECTR, &idx, &stops, sizeof(stops), cpu);
	if (rid)
		env_pcpu_put(PFBPF_MAP_RULECTR, &rid, rc, sizeof(*rc), cpu);
}

void env_key4(struct pf_state_key *k, const char *src, __u16 sport, const char *dst,
	      __u16 dport, int dir)
{
	int sidx = dir == PF_IN ? 0 : 1;

	memset(k, 0, sizeof(*k));
	k->af = PF_INET;
	k->proto = IPPROTO_TCP;
	inet_pton(AF_INET, src, &k->addr[sidx].v4);
	inet_pton(AF_INET, dst, &k->addr[!sidx].v4);
	k->port[sidx] = htons(sport);
	k->port[!sidx] = htons(dport);
}

int env_add_state4(const char *src, __u16 sport, const char *dst, __u16 dport, int dir,
		   __u64 id)
{
	struct pfioc_state ps = {};

	env_key4(&ps.state.key[PF_SK_WIRE], src, sport, dst, dport, dir);
	ps.state.direction = dir;
	ps.state.s.id = id;
	ps.state.s.timeout = PFTM_TCP_ESTABLISHED;
	ps.state.s.pstate[0] = ps.state.s.pstate[1] = TCPS_ESTABLISHED;
	return pfbpf_ioctl(env_dev, DIOCADDSTATE, &ps);
}

int env_nstates(void)
{
	struct pf_state_key k, next;
	int fd = env_map(PFBPF_MAP_STATES), n = 0;
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		n++;
	}
	return n;
}

void env_rule(struct pfbpf_rule *r, int action, const char *label)
{
	memset(r, 0, sizeof(*r));
	r->action = action;
	r->quick = 0;
	r->keep_state = action == PF_PASS ? PF_STATE_NORMAL : PF_STATE_NONE;
	snprintf(r->label, sizeof(r->label), "%s", label);
}

int env_run(char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *f;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	f = popen(cmd, "r");
	cr_assert(f, "popen %s", cmd);
	n = fread(out, 1, outlen - 1, f);
	out[n] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int env_prog(const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	cr_assert(p, "program %s not in the object", name);
	return bpf_program__fd(p);
}
