// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_load_maps.c - pfbpf_maps.h against a real datapath: the object is
 * loaded with its maps pinned in a private folder of this test process
 * (never tc/globals), and pf_ctl is loaded on demand from the embedded
 * object as it is when iproute2 attached the datapath.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "lib/loader.h"
#include "lib/pf_names.h"
#include "lib/pfbpf_maps.h"

static char pin_dir[128];
static char prog_dir[128];
static struct bpf_object *obj;
static struct pfbpf_maps m;

static void setup(void)
{
	struct bpf_program *p;
	int err;

	snprintf(pin_dir, sizeof(pin_dir), PFBPF_BPFFS "/pfbpf-unit-%d", getpid());
	snprintf(prog_dir, sizeof(prog_dir), PFBPF_BPFFS "/pfbpf-unit-%d-progs", getpid());
	/* No program pins: pfbpf_ctl_run must load pf_ctl by itself. */
	setenv("PFBPF_PROG_PIN_DIR", prog_dir, 1);
	unsetenv("PFBPF_OBJ");
	cr_assert_eq(mkdir(pin_dir, 0700), 0, "mkdir %s: %s (bpffs mounted on %s?)", pin_dir,
		     strerror(errno), PFBPF_BPFFS);
	obj = pfbpf_open_datapath(pin_dir, NULL);
	cr_assert_not_null(obj, "open the embedded object: %s", strerror(errno));
	/* Only the maps matter here; tc programs need their type on libbpf 1.1. */
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, false);
	err = bpf_object__load(obj);
	cr_assert_eq(err, 0, "load the object with pins in %s: %s", pin_dir, strerror(-err));
	err = pfbpf_maps_open_dir(&m, pin_dir);
	cr_assert_eq(err, 0, "pfbpf_maps_open_dir: %s", pfbpf_pin_strerror(err, pin_dir));
}

static void teardown(void)
{
	pfbpf_maps_close(&m);
	if (obj) {
		bpf_object__unpin_maps(obj, NULL);
		bpf_object__close(obj);
		obj = NULL;
	}
	rmdir(pin_dir);
}

TestSuite(load_maps, .init = setup, .fini = teardown);

Test(load_maps_errors, missing_pins_say_not_loaded)
{
	struct pfbpf_maps x;
	int err = pfbpf_maps_open_dir(&x, PFBPF_BPFFS "/pfbpf-unit-does-not-exist");

	cr_assert_eq(err, -ENOENT);
	cr_assert(strstr(pfbpf_pin_strerror(err, x.pin_dir), "pfbpf datapath is not loaded"),
		  "message: %s", pfbpf_pin_strerror(err, x.pin_dir));
}

Test(load_maps_errors, not_bpffs)
{
	struct pfbpf_maps x;
	int err = pfbpf_maps_open_dir(&x, "/tmp");

	cr_assert_eq(err, -ENODEV);
	cr_assert(strstr(pfbpf_pin_strerror(err, x.pin_dir), "bpffs"), "message: %s",
		  pfbpf_pin_strerror(err, x.pin_dir));
}

Test(load_maps_errors, env_pin_dir)
{
	setenv("PFBPF_PIN_DIR", "/sys/fs/bpf/elsewhere", 1);
	cr_assert_str_eq(pfbpf_pin_dir(), "/sys/fs/bpf/elsewhere");
	unsetenv("PFBPF_PIN_DIR");
	cr_assert_str_eq(pfbpf_pin_dir(), PFBPF_PIN_DIR);
}

Test(load_maps, every_map_open)
{
	cr_assert_geq(m.states, 0);
	cr_assert_geq(m.config, 0);
	cr_assert_geq(m.count, 0);
	cr_assert_geq(m.status, 0);
	cr_assert_geq(m.events, 0, "pf_events pinned");
	cr_assert_geq(m.timer, 0, "pf_timer pinned");
	cr_assert_gt(m.ncpus, 0);
	cr_assert_eq(pfbpf_map_fd(&m, PFBPF_MAP_STATES), m.states);
	cr_assert_eq(pfbpf_map_fd(&m, "pf_no_such_map"), -ENOENT);
}

Test(load_maps, lazy_open_of_other_maps)
{
	struct bpf_map *map;
	const char *other = NULL;
	int fd;

	/* Any pinned map the header does not name (the classifier's). */
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map);

		if (!strchr(n, '.') && !strncmp(n, "pf_", 3) && strcmp(n, PFBPF_MAP_STATES) &&
		    bpf_map__pin_path(map) && !strstr(PFBPF_MAP_STATES PFBPF_MAP_CONFIG PFBPF_MAP_COUNT
				 PFBPF_MAP_STATUS PFBPF_MAP_RULECTR PFBPF_MAP_RULESTATES
				 PFBPF_MAP_IFCTR PFBPF_MAP_EVENTS PFBPF_MAP_TIMER PFBPF_MAP_TPROF
				 PFBPF_MAP_CREATORS PFBPF_MAP_TABLES PFBPF_MAP_TABLESTAT, n)) {
			other = n;
			break;
		}
	}
	cr_assert_not_null(other, "the object pins a map beyond pfbpf_types.h's");
	fd = pfbpf_map_fd(&m, other);
	cr_assert_geq(fd, 0, "open %s: %s", other, strerror(-fd));
	cr_assert_eq(pfbpf_map_fd(&m, other), fd, "opened once, then cached");
}

Test(load_maps, config_round_trip_and_defaults)
{
	struct pf_config cfg, back;

	cr_assert_eq(pfbpf_config_read(&m, &cfg), 0);
	cfg.timeout[PFTM_TCP_ESTABLISHED] = 0;
	cfg.limit[PF_LIMIT_STATES] = 0;
	cr_assert_eq(pfbpf_config_timeout(&cfg, PFTM_TCP_ESTABLISHED), 86400);
	cr_assert_eq(pfbpf_config_limit(&cfg, PF_LIMIT_STATES), PF_DEFAULT_LIMIT_STATES);
	cfg.timeout[PFTM_UDP_SINGLE] = 7;
	cfg.limit[PF_LIMIT_STATES] = 1234;
	cr_assert_eq(pfbpf_config_write(&m, &cfg), 0);
	cr_assert_eq(pfbpf_config_read(&m, &back), 0);
	cr_assert_eq(pfbpf_config_timeout(&back, PFTM_UDP_SINGLE), 7);
	cr_assert_eq(pfbpf_config_limit(&back, PF_LIMIT_STATES), 1234);
}

Test(load_maps, status_is_summed_over_cpus)
{
	struct pf_status_pcpu *v, sum;
	__u32 zero = 0;
	int i;

	v = calloc(m.ncpus, sizeof(*v));
	cr_assert_not_null(v);
	for (i = 0; i < m.ncpus; i++) {
		v[i].counters[PFRES_BADSTATE] = 2;
		v[i].fcounters[FCNT_STATE_INSERT] = i + 1;
		v[i].pcounters[PF_AF_IDX_INET6][PF_DIR_IDX_OUT][PF_VERDICT_IDX_DROP] = 5;
	}
	cr_assert_eq(bpf_map_update_elem(m.status, &zero, v, BPF_ANY), 0, "%s", strerror(errno));
	free(v);
	cr_assert_eq(pfbpf_status_read(&m, &sum), 0);
	cr_assert_eq(sum.counters[PFRES_BADSTATE], 2ULL * m.ncpus);
	cr_assert_eq(sum.fcounters[FCNT_STATE_INSERT], (__u64)m.ncpus * (m.ncpus + 1) / 2);
	cr_assert_eq(sum.pcounters[PF_AF_IDX_INET6][PF_DIR_IDX_OUT][PF_VERDICT_IDX_DROP],
		     5ULL * m.ncpus);
	cr_assert_eq(sum.counters[PFRES_MATCH], 0);
}

static void fill_key(struct pf_state_key *k, int i)
{
	memset(k, 0, sizeof(*k));
	k->af = PF_INET;
	k->proto = IPPROTO_UDP;
	k->addr[0].v4 = htonl(0xc6336400 | 1);  /* 198.51.100.1 */
	k->addr[1].v4 = htonl(0xcb007100 | 2);  /* 203.0.113.2 */
	k->port[0] = htons(53);
	k->port[1] = htons(10000 + i);
}

struct walk {
	int n;
	__u64 idsum;
};

static int walk_cb(const struct pf_state_key *k, const struct pf_state *s, void *arg)
{
	struct walk *w = arg;

	w->n++;
	w->idsum += s->id;
	cr_assert_eq(ntohs(k->port[1]) - 10000 + 1, (int)s->id, "value belongs to its key");
	return 0;
}

static int stop_cb(const struct pf_state_key *k, const struct pf_state *s, void *arg)
{
	return ++*(int *)arg == 3 ? 42 : 0;
}

Test(load_maps, states_walk_sees_every_state_once)
{
	struct pf_state_key k;
	struct pf_state s;
	struct walk w = {};
	int i, n = 600, stops = 0; /* more than one batch */

	for (i = 0; i < n; i++) {
		fill_key(&k, i);
		memset(&s, 0, sizeof(s));
		s.id = i + 1;
		cr_assert_eq(bpf_map_update_elem(m.states, &k, &s, BPF_NOEXIST), 0);
	}
	cr_assert_eq(pfbpf_states_foreach(&m, walk_cb, &w), 0);
	cr_assert_eq(w.n, n);
	cr_assert_eq(w.idsum, (__u64)n * (n + 1) / 2);
	cr_assert_eq(pfbpf_states_count(&m), n);
	cr_assert_eq(pfbpf_states_foreach(&m, stop_cb, &stops), 42, "callback's value returned");
	cr_assert_eq(stops, 3);
	fill_key(&k, 17);
	cr_assert_eq(pfbpf_state_lookup(&m, &k, &s), 0);
	cr_assert_eq(s.id, 18);
	fill_key(&k, n + 5);
	cr_assert_eq(pfbpf_state_lookup(&m, &k, &s), -ENOENT);
}

Test(load_maps, arm_through_pf_ctl_loaded_on_demand)
{
	struct pf_gcount gc;
	struct pf_config cfg;
	int err;

	err = pfbpf_ctl_arm(&m);
	cr_assert_eq(err, 0, "PF_CTL_ARM: %s", strerror(-err));
	cr_assert_not_null(m.ctl.obj, "pf_ctl was loaded from the embedded object");
	cr_assert_eq(pfbpf_gcount_read(&m, &gc), 0);
	cr_assert_neq(gc.timer_armed, 0, "sweep timer armed");
	cr_assert_eq(pfbpf_config_read(&m, &cfg), 0);
	cr_assert_neq(cfg.hostid, 0, "hostid filled when arming");
}

Test(load_maps, pf_ctl_add_then_kill)
{
	struct pf_ctl_req req;
	int i, err;

	for (i = 0; i < 3; i++) {
		memset(&req, 0, sizeof(req));
		req.op = PF_CTL_ADD_STATE;
		req.rule = PF_RULE_NONE;
		fill_key(&req.key, i);
		req.state.rule = PF_RULE_NONE;
		req.state.pstate[0] = PFUDPS_SINGLE;
		req.state.timeout = PFTM_UDP_SINGLE;
		err = pfbpf_ctl_run(&m, &req);
		cr_assert_eq(err, 0, "PF_CTL_ADD_STATE: %s", strerror(-err));
	}
	cr_assert_eq(pfbpf_states_count(&m), 3);
	memset(&req, 0, sizeof(req));
	req.op = PF_CTL_KILL;
	req.rule = PF_RULE_NONE;
	req.reason = PF_DESTROY_FLUSHED;
	err = pfbpf_ctl_run(&m, &req);
	cr_assert_eq(err, 0, "PF_CTL_KILL: %s", strerror(-err));
	cr_assert_eq(req.count, 3, "count comes back through the request");
	cr_assert_eq(pfbpf_states_count(&m), 0);
}

Test(load_maps_text, formats)
{
	struct pf_addr a = {};
	char buf[64];

	cr_assert_str_eq(pf_tcps_name(TCPS_ESTABLISHED), "ESTABLISHED");
	cr_assert_str_eq(pf_proto_name(IPPROTO_TCP), "tcp");
	a.v4 = htonl(0xc6336401);
	cr_assert_str_eq(pfbpf_fmt_endpoint(buf, sizeof(buf), PF_INET, IPPROTO_TCP, &a, htons(80)),
			 "198.51.100.1:80");
	inet_pton(AF_INET6, "2001:db8::1", &a);
	cr_assert_str_eq(pfbpf_fmt_endpoint(buf, sizeof(buf), PF_INET6, IPPROTO_UDP, &a, htons(53)),
			 "[2001:db8::1]:53");
	cr_assert_str_eq(pfbpf_fmt_endpoint(buf, sizeof(buf), PF_INET6, 47, &a, 0), "2001:db8::1");
}

static int count_foreign(const struct pfbpf_foreign_attach *a, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/*
 * pfbpf-load status recognises an iproute2 attachment by the program's
 * name and its use of the pinned pf_states: a second copy of the object
 * loaded against the pins (as `ip link set xdp obj` does) is ours, the
 * same program judged against another state table is not.
 */
Test(load_maps, datapath_program_recognised)
{
	struct bpf_map_info si = {}, ci = {};
	struct bpf_prog_info pi = {};
	__u32 len = sizeof(si);
	struct bpf_object *o2 = pfbpf_open_datapath(pin_dir, NULL);
	struct bpf_program *p, *xdp;
	int err, n = 0, other;

	cr_assert_not_null(o2);
	xdp = bpf_object__find_program_by_name(o2, "pf_xdp");
	cr_assert_not_null(xdp);
	bpf_object__for_each_program(p, o2)
		bpf_program__set_autoload(p, p == xdp);
	err = bpf_object__load(o2);
	cr_assert_eq(err, 0, "load pf_xdp against %s: %s", pin_dir, strerror(-err));
	cr_assert_eq(bpf_obj_get_info_by_fd(m.states, &si, &len), 0);
	/* A state table of its own, which pf_xdp does not use. */
	other = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pf_states", 4, 4, 1, NULL);
	cr_assert_geq(other, 0, "bpf_map_create: %s", strerror(errno));
	len = sizeof(ci);
	cr_assert_eq(bpf_obj_get_info_by_fd(other, &ci, &len), 0);
	len = sizeof(pi);
	cr_assert_eq(bpf_obj_get_info_by_fd(bpf_program__fd(xdp), &pi, &len), 0);
	cr_assert(pfbpf_prog_is_datapath(pi.id, si.id));
	cr_assert_not(pfbpf_prog_is_datapath(pi.id, ci.id), "another map is not our state table");
	close(other);
	cr_assert_not(pfbpf_prog_is_datapath(0, si.id));
	/* Loaded but attached nowhere: no interface lists it. */
	cr_assert_eq(pfbpf_foreign_foreach(m.states, count_foreign, &n), 0);
	cr_assert_eq(n, 0);
	bpf_object__close(o2);
}
