// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_config.c - open/close, start/stop, debug, timeouts, limits,
 * host id, status and the status interface, against real pinned maps.
 */
#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"
#include "pf_timeout.h"

TestSuite(config, .init = env_setup_maps, .fini = env_teardown);

Test(config, open_missing_folder_names_it)
{
	int dev = pfbpf_open("/sys/fs/bpf/pfbpf-test-nonexistent", O_RDWR);

	cr_assert_eq(dev, -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert(strstr(pfbpf_strerror(-1), "pfbpf-test-nonexistent"), "%s", pfbpf_strerror(-1));
}

Test(config, open_non_bpffs_is_refused)
{
	cr_assert_eq(pfbpf_open("/tmp", O_RDWR), -1);
	cr_assert_eq(errno, ENODEV);
	cr_assert(strstr(pfbpf_strerror(-1), "not on a bpffs"), "%s", pfbpf_strerror(-1));
}

Test(config, readonly_handle_refuses_writes)
{
	int dev = pfbpf_open(env_dir, O_RDONLY);
	__u32 level = PF_DEBUG_MISC;
	struct pf_status st;

	cr_assert_geq(dev, 0);
	cr_assert_eq(pfbpf_ioctl(dev, DIOCSETDEBUG, &level), -1);
	cr_assert_eq(errno, EACCES);
	cr_assert_eq(pfbpf_ioctl(dev, DIOCGETSTATUS, &st), 0, "%s", pfbpf_strerror(dev));
	cr_assert_str_eq(pfbpf_dev_pin_dir(dev), env_dir);
	cr_assert_eq(pfbpf_close(dev), 0);
	cr_assert_eq(pfbpf_ioctl(dev, DIOCGETSTATUS, &st), -1);
	cr_assert_eq(errno, EBADF);
}

Test(config, unknown_command_is_enotty)
{
	cr_assert_eq(pfbpf_ioctl(env_dev, _IO('D', 250), NULL), -1);
	cr_assert_eq(errno, ENOTTY);
	cr_assert_str_eq(pfbpf_cmd_name(DIOCNATLOOK), "DIOCNATLOOK");
}

Test(config, start_without_datapath_says_attach_it)
{
	struct pf_config cfg;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTOP, NULL), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTART, NULL), -1);
	cr_assert_eq(errno, ENODEV);
	cr_assert(strstr(pfbpf_strerror(env_dev), "DIOCSTART: the datapath is not attached"),
		  "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.stopped, 1, "a refused start must leave pf stopped");
}

Test(config, stop_sets_stopped_and_twice_is_enoent)
{
	struct pf_config cfg;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTOP, NULL), 0);
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.stopped, 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTOP, NULL), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_str_eq(pfbpf_strerror(env_dev), "DIOCSTOP: pf not enabled");
}

Test(config, setdebug)
{
	__u32 level = PF_DEBUG_NOISY;
	struct pf_status st;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETDEBUG, &level), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &st), 0);
	cr_assert_eq(st.debug, PF_DEBUG_NOISY);
	level = 9;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETDEBUG, &level), -1);
	cr_assert_eq(errno, EINVAL);
}

Test(config, settimeout_returns_old_value)
{
	struct pfioc_tm tm = { .timeout = PFTM_TCP_ESTABLISHED, .seconds = 3600 };
	struct pf_config cfg;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETTIMEOUT, &tm), 0);
	cr_assert_eq(tm.seconds, 86400, "old value is pf's default");
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.timeout[PFTM_TCP_ESTABLISHED], 3600);
	tm.seconds = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETTIMEOUT, &tm), 0);
	cr_assert_eq(tm.seconds, 3600);
	tm.timeout = PFTM_UDP_FIRST_PACKET;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETTIMEOUT, &tm), 0);
	cr_assert_eq(tm.seconds, 60);
	tm.timeout = PFTM_MAX;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETTIMEOUT, &tm), -1);
	cr_assert_eq(errno, EINVAL);
	tm = (struct pfioc_tm){ .timeout = PFTM_INTERVAL, .seconds = 0 };
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETTIMEOUT, &tm), -1);
	cr_assert_eq(errno, EINVAL);
}

Test(config, setlimit_returns_old_and_respects_map_size)
{
	struct pfioc_limit pl = { .index = PF_LIMIT_STATES, .limit = 5000 };
	struct pf_config cfg;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETLIMIT, &pl), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pl.limit, PF_DEFAULT_LIMIT_STATES);
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.limit[PF_LIMIT_STATES], 5000);
	pl.limit = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETLIMIT, &pl), 0);
	cr_assert_eq(pl.limit, 5000);
	pl.limit = 50 * 1000 * 1000;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETLIMIT, &pl), -1);
	cr_assert_eq(errno, EBUSY);
	cr_assert(strstr(pfbpf_strerror(env_dev), "state map size"), "%s",
		  pfbpf_strerror(env_dev));
	pl.index = PF_LIMIT_MAX;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETLIMIT, &pl), -1);
	cr_assert_eq(errno, EINVAL);
}

/* pfctl derives the adaptive bounds from `set limit states` as (limit / 10)
 * * 6 and * 12 when neither is set; -st shows what the datapath uses.
 * Setting one bound leaves the other at pf's default. */
Test(config, adaptive_bounds_follow_the_limit)
{
	struct pfioc_limit pl = { .index = PF_LIMIT_STATES, .limit = 10005 };
	struct pfioc_tm tm = { .timeout = PFTM_ADAPTIVE_START };
	struct pf_config cfg;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETLIMIT, &pl), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETTIMEOUT, &tm), 0);
	cr_expect_eq(tm.seconds, 6000);
	tm.timeout = PFTM_ADAPTIVE_END;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETTIMEOUT, &tm), 0);
	cr_expect_eq(tm.seconds, 12000);
	cr_assert_eq(env_cfg(&cfg), 0);
	/* 9000 states: halfway from 6000 to 12000 halves tcp.established */
	cr_expect_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 9000), 43200);

	tm = (struct pfioc_tm){ .timeout = PFTM_ADAPTIVE_START, .seconds = 5000 };
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETTIMEOUT, &tm), 0);
	cr_expect_eq(tm.seconds, 6000, "the old value is the derived one");
	tm.timeout = PFTM_ADAPTIVE_END;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETTIMEOUT, &tm), 0);
	cr_expect_eq(tm.seconds, PF_ADAPTIVE_END_DEFAULT, "only start set: end is pf's default");
}

Test(config, sethostid_sets_config_and_creator_slot)
{
	__u32 id = 0xdeadbeef, zero = 0, creator = 0;
	struct pf_status st;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETHOSTID, &id), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &st), 0);
	cr_assert_eq(st.hostid, 0xdeadbeef);
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_CREATORS), &zero, &creator), 0);
	cr_assert_eq(creator, 0xdeadbeef);
	id = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETHOSTID, &id), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &st), 0);
	cr_assert_neq(st.hostid, 0, "hostid 0 asks for a random one");
}

Test(config, getstatus_sums_cpus_and_clrstatus_clears)
{
	struct pf_status_pcpu pc = {};
	struct pf_gcount gc = { .states = 7, .next_id = 41 };
	struct pf_config cfg;
	struct pf_status st;
	__u32 zero = 0;
	int last = env_ncpu() - 1;

	pc.counters[PFRES_BADSTATE] = 3;
	pc.fcounters[FCNT_STATE_INSERT] = 11;
	pc.pcounters[PF_AF_IDX_INET][PF_DIR_IDX_IN][PF_VERDICT_IDX_DROP] = 5;
	env_pcpu_put(PFBPF_MAP_STATUS, &zero, &pc, sizeof(pc), last);
	cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_COUNT), &zero, &gc, BPF_ANY), 0);
	cr_assert_eq(env_cfg(&cfg), 0);
	cfg.state_id_base = 1000;
	cfg.stopped = 0;
	cfg.since = 1;
	cr_assert_eq(env_cfg_set(&cfg), 0);

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &st), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(st.counters[PFRES_BADSTATE], 3);
	cr_assert_eq(st.fcounters[FCNT_STATE_INSERT], 11);
	cr_assert_eq(st.all_pcounters[0][0][1], 5);
	cr_assert_eq(st.states, 7);
	cr_assert_eq(st.stateid, 1041);
	cr_assert_eq(st.running, 1);
	cr_assert_eq(st.ifname[0], 0);

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCLRSTATUS, NULL), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &st), 0);
	cr_assert_eq(st.counters[PFRES_BADSTATE], 0);
	cr_assert_eq(st.all_pcounters[0][0][1], 0);
	cr_assert_eq(st.states, 7, "clearing counters keeps the states");
	cr_assert_gt(st.since_ns, 1, "since restarts at the clear");
}

Test(config, status_interface_counters)
{
	struct pfioc_if pi = { .ifname = "lo" };
	struct pf_if_counters ic = {};
	struct pf_status st;
	__u32 lo = if_nametoindex("lo");

	ic.packets[PF_AF_IDX_INET][PF_DIR_IDX_OUT][PF_VERDICT_IDX_PASS] = 4;
	ic.bytes[PF_AF_IDX_INET][PF_DIR_IDX_OUT][PF_VERDICT_IDX_PASS] = 400;
	ic.bytes[PF_AF_IDX_INET][PF_DIR_IDX_OUT][PF_VERDICT_IDX_DROP] = 20;
	env_pcpu_put(PFBPF_MAP_IFCTR, &lo, &ic, sizeof(ic), 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETSTATUSIF, &pi), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &st), 0);
	cr_assert_str_eq(st.ifname, "lo");
	cr_assert_eq(st.pcounters[0][1][0], 4);
	cr_assert_eq(st.bcounters[0][1], 420);
	strcpy(pi.ifname, "nosuchif0");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETSTATUSIF, &pi), -1);
	cr_assert_eq(errno, EINVAL);
}

Test(config, altq_and_osfp_are_enodev_with_reason)
{
	struct pf_osfp_ioctl fp = {};

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTARTALTQ, NULL), -1);
	cr_assert_eq(errno, ENODEV);
	cr_assert(strstr(pfbpf_strerror(env_dev), "ALTQ does not exist on Linux"), "%s",
		  pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCOSFPGET, &fp), -1);
	cr_assert_eq(errno, ENODEV);
	cr_assert(strstr(pfbpf_strerror(env_dev), "fingerprint"), "%s", pfbpf_strerror(env_dev));
}

Test(config, helpers)
{
	struct pf_config cfg = {};

	cr_assert_str_eq(pfbpf_pftm_name(PFTM_TCP_ESTABLISHED), "tcp.established");
	cr_assert_str_eq(pfbpf_limit_name(PF_LIMIT_TABLE_ENTRIES), "table-entries");
	cr_assert_str_eq(pfbpf_reason_name(PFRES_BADSTATE), "state-mismatch");
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 0), 86400);
	/* adaptive: halfway between start and end halves the timeout */
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 90000), 43200);
	cr_assert_eq(pfbpf_timeout(&cfg, PFTM_TCP_ESTABLISHED, 120000), 0);
	cr_assert_eq(pfbpf_limit(&cfg, PF_LIMIT_STATES), PF_DEFAULT_LIMIT_STATES);
}

TestSuite(config_dp, .init = env_setup_progs, .fini = env_teardown);

Test(config_dp, start_with_datapath_loaded)
{
	struct pf_config cfg;
	struct pf_gcount gc;

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTOP, NULL), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTART, NULL), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_cfg(&cfg), 0);
	cr_assert_eq(cfg.stopped, 0);
	cr_assert_gt(cfg.since, 0);
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_COUNT), &(__u32){ 0 }, &gc), 0);
	cr_assert_neq(gc.timer_armed, 0, "DIOCSTART arms the state sweep");
	cr_assert_eq(cfg.timeout[PFTM_TCP_ESTABLISHED], 86400, "arming makes pf's defaults explicit");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTART, NULL), -1);
	cr_assert_eq(errno, EEXIST);
}
