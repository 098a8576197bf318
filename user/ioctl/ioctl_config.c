// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_config.c - pf_config and pf_status: start/stop, debug, timeouts,
 * limits, host id, status interface, status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"
#include "lib/pf_names.h"

static const __u32 default_limit[PF_LIMIT_MAX] = {
	[PF_LIMIT_STATES] = PF_DEFAULT_LIMIT_STATES,
	[PF_LIMIT_SRC_NODES] = PF_DEFAULT_LIMIT_SRC_NODES,
	[PF_LIMIT_FRAGS] = PF_DEFAULT_LIMIT_FRAGS,
	[PF_LIMIT_TABLES] = PF_DEFAULT_LIMIT_TABLES,
	[PF_LIMIT_TABLE_ENTRIES] = PF_DEFAULT_LIMIT_TABLE_ENTRIES,
};
/* The names are lib/pf_names.c's, which pfctl and pf.conf use too. */
const char *pfbpf_pftm_name(int which)
{
	return pf_timeout_name(which);
}

const char *pfbpf_limit_name(int which)
{
	return pf_limit_name(which);
}

const char *pfbpf_reason_name(int reason)
{
	return reason >= 0 ? pf_res_name((unsigned int)reason) : NULL;
}

__u32 pfbpf_timeout(const struct pf_config *cfg, int which, __u64 states)
{
	__u32 t;
	int dead;

	if (which < 0 || which >= PFTM_MAX)
		return 0;
	if (!pf_timeout_scales(which))
		return pf_timeout_shown(cfg, which);
	t = pf_timeout_in_force(cfg, NULL, which, (__s64)states, 0, &dead);
	return dead ? 0 : t;
}

__u32 pfbpf_limit(const struct pf_config *cfg, int which)
{
	if (which < 0 || which >= PF_LIMIT_MAX)
		return 0;
	return cfg->limit[which] ? cfg->limit[which] : default_limit[which];
}

int pfbpf_cmd_start(struct pfbpf_handle *h, void *arg)
{
	struct pf_gcount gc;
	struct pf_config cfg;
	int err = ctl_cfg_read(h, &cfg);

	if (err)
		return err;
	if (!cfg.stopped && cfg.since)
		return ctl_fail(h, -EEXIST, "pf already enabled");
	err = ctl_datapath_loaded(h);
	if (err < 0)
		return err;
	/* Filtering needs a program on an interface; attaching it is the
	 * loader's job (pfctl_bpf -e does both). */
	if (!err)
		return ctl_fail(h, -ENODEV,
				  "the datapath is not attached to any interface: attach it with pfctl_bpf -e -i IF");
	if ((err = ctl_gcount_read(h, &gc)))
		return err;
	/* A datapath attached with iproute2 alone arms its sweep only at its
	 * first packet; arm it now, which also writes pf's default timeouts
	 * and limits into pf_config so that readers see the values in force. */
	if (!gc.timer_armed) {
		struct pf_ctl_req req = { .op = PF_CTL_ARM };

		err = ctl_run_ctl(h, &req);
		if (err)
			return h->reason[0] ? err
					    : ctl_fail(h, err, "arming the state sweep: %s",
						       strerror(-err));
		if ((err = ctl_cfg_read(h, &cfg)))
			return err;
	}
	cfg.stopped = 0;
	cfg.since = ctl_boot_ns();
	return ctl_cfg_write(h, &cfg);
}

int pfbpf_cmd_stop(struct pfbpf_handle *h, void *arg)
{
	struct pf_config cfg;
	int err = ctl_cfg_read(h, &cfg);

	if (err)
		return err;
	if (cfg.stopped)
		return ctl_fail(h, -ENOENT, "pf not enabled");
	cfg.stopped = 1;
	cfg.since = ctl_boot_ns();
	return ctl_cfg_write(h, &cfg);
}

int pfbpf_cmd_setdebug(struct pfbpf_handle *h, void *arg)
{
	__u32 level = *(__u32 *)arg;
	struct pf_config cfg;
	int err;

	if (level > PF_DEBUG_NOISY)
		return ctl_fail(h, -EINVAL, "debug level %u out of range (0-%u)", level,
				  PF_DEBUG_NOISY);
	err = ctl_cfg_read(h, &cfg);
	if (err)
		return err;
	cfg.debug = level;
	return ctl_cfg_write(h, &cfg);
}

static int tm_check(struct pfbpf_handle *h, const struct pfioc_tm *pt)
{
	if (pt->timeout < 0 || pt->timeout >= PFTM_MAX)
		return ctl_fail(h, -EINVAL, "timeout %d does not exist", pt->timeout);
	return 0;
}

/*
 * Store one adaptive value and re-encode the pair (pfbpf_ioctl.h).  As in
 * pf_state_expires(), only an end of 0 turns scaling off (both values then
 * carry PFBPF_ADAPTIVE_OFF); a start of 0 with a nonzero end scales from
 * the first state, stored as PFBPF_ADAPTIVE_OFF alone on the start (zero
 * itself would read as "unset").
 */
static void adaptive_store(struct pf_config *cfg, int which, __u32 v)
{
	/* The partner keeps its value, or pf's default if it was never set:
	 * pfctl derives bounds from the state limit only when neither is
	 * set, so setting one pins the other at the default. */
	__u32 val[2] = { cfg->timeout[PFTM_ADAPTIVE_START] & PFBPF_ADAPTIVE_MAX,
			 cfg->timeout[PFTM_ADAPTIVE_END] & PFBPF_ADAPTIVE_MAX };
	bool off;

	if (!cfg->timeout[PFTM_ADAPTIVE_START])
		val[0] = PF_ADAPTIVE_START_DEFAULT;
	if (!cfg->timeout[PFTM_ADAPTIVE_END])
		val[1] = PF_ADAPTIVE_END_DEFAULT;

	val[which - PFTM_ADAPTIVE_START] = v;
	off = !val[1];
	for (int i = 0; i < 2; i++)
		cfg->timeout[PFTM_ADAPTIVE_START + i] = off ? val[i] | PFBPF_ADAPTIVE_OFF : val[i];
	if (!off && !val[0])
		cfg->timeout[PFTM_ADAPTIVE_START] = PFBPF_ADAPTIVE_OFF; /* an explicit 0 */
}

int pfbpf_cmd_settimeout(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_tm *pt = arg;
	struct pf_config cfg;
	int err = tm_check(h, pt), old;

	if (err)
		return err;
	if (pt->seconds < 0)
		return ctl_fail(h, -EINVAL, "%s: negative timeout", pf_timeout_name(pt->timeout));
	/* pf refuses a zero purge interval: the sweep would never rest. */
	if (pt->timeout == PFTM_INTERVAL && pt->seconds == 0)
		return ctl_fail(h, -EINVAL, "interval must be at least 1 second");
	if (pf_timeout_is_adaptive(pt->timeout) && (__u32)pt->seconds > PFBPF_ADAPTIVE_MAX)
		return ctl_fail(h, -EINVAL, "%s: %d states is out of range",
				pf_timeout_name(pt->timeout), pt->seconds);
	err = ctl_cfg_read(h, &cfg);
	if (err)
		return err;
	old = pf_timeout_shown(&cfg, pt->timeout);
	if (pf_timeout_is_adaptive(pt->timeout)) {
		adaptive_store(&cfg, pt->timeout, pt->seconds);
	} else {
		/* 0 in pf_config means "pf default", so a 0 asked for is
		 * stored as the default: the value the datapath would use
		 * anyway. */
		cfg.timeout[pt->timeout] = pt->seconds;
	}
	err = ctl_cfg_write(h, &cfg);
	if (err)
		return err;
	pt->seconds = old;
	return 0;
}

int pfbpf_cmd_gettimeout(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_tm *pt = arg;
	struct pf_config cfg;
	int err = tm_check(h, pt);

	if (err || (err = ctl_cfg_read(h, &cfg)))
		return err;
	pt->seconds = pf_timeout_shown(&cfg, pt->timeout);
	return 0;
}

static int limit_check(struct pfbpf_handle *h, const struct pfioc_limit *pl)
{
	if (pl->index < 0 || pl->index >= PF_LIMIT_MAX)
		return ctl_fail(h, -EINVAL, "limit %d does not exist", pl->index);
	return 0;
}

int pfbpf_cmd_setlimit(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_limit *pl = arg;
	struct pf_config cfg;
	unsigned old;
	int err = limit_check(h, pl);

	if (err)
		return err;
	if (pl->limit == 0)
		return ctl_fail(h, -EINVAL, "limit %s must be at least 1", pf_limit_name(pl->index));
	if (pl->index == PF_LIMIT_STATES) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd = ctl_map(h, PFM_STATES);

		if (fd < 0)
			return fd;
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		/* The state map was sized at load time; a limit beyond it
		 * would let the LRU evict live states. */
		if (pl->limit > info.max_entries)
			return ctl_fail(h, -EBUSY,
					  "limit states %u exceeds the state map size %u: reload the datapath with a larger map",
					  pl->limit, info.max_entries);
	}
	if (pl->index == PF_LIMIT_TABLES && pl->limit > PF_MAX_TABLES)
		return ctl_fail(h, -EBUSY, "limit tables %u exceeds the table id space %u",
				  pl->limit, PF_MAX_TABLES);
	err = ctl_cfg_read(h, &cfg);
	if (err)
		return err;
	old = pfbpf_limit(&cfg, pl->index);
	cfg.limit[pl->index] = pl->limit;
	err = ctl_cfg_write(h, &cfg);
	if (err)
		return err;
	pl->limit = old;
	return 0;
}

int pfbpf_cmd_getlimit(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_limit *pl = arg;
	struct pf_config cfg;
	int err = limit_check(h, pl);

	if (err || (err = ctl_cfg_read(h, &cfg)))
		return err;
	pl->limit = pfbpf_limit(&cfg, pl->index);
	return 0;
}

int pfbpf_cmd_setstatepolicy(struct pfbpf_handle *h, void *arg)
{
	__u32 *policy = arg, old;
	struct pf_config cfg;
	int err;

	if (*policy != PF_STATE_FLOATING && *policy != PF_STATE_IFBOUND)
		return ctl_fail(h, -EINVAL, "state policy %u does not exist", *policy);
	err = ctl_cfg_read(h, &cfg);
	if (err)
		return err;
	old = cfg.state_policy;
	cfg.state_policy = *policy;
	err = ctl_cfg_write(h, &cfg);
	if (err)
		return err;
	*policy = old;
	return 0;
}

int pfbpf_cmd_getstatepolicy(struct pfbpf_handle *h, void *arg)
{
	struct pf_config cfg;
	int err = ctl_cfg_read(h, &cfg);

	if (err)
		return err;
	*(__u32 *)arg = cfg.state_policy;
	return 0;
}

int pfbpf_cmd_sethostid(struct pfbpf_handle *h, void *arg)
{
	__u32 hostid = *(__u32 *)arg, zero = 0;
	struct pf_config cfg;
	int err, fd;

	/* pf: hostid 0 asks for a random one. */
	while (!hostid)
		if (getrandom(&hostid, sizeof(hostid), 0) != sizeof(hostid))
			return -EIO;
	err = ctl_cfg_read(h, &cfg);
	if (err)
		return err;
	cfg.hostid = hostid;
	err = ctl_cfg_write(h, &cfg);
	if (err)
		return err;
	/* Creator slot 0 is this host: states we made carry the new id. */
	fd = ctl_map(h, PFM_CREATORS);
	if (fd >= 0 && bpf_map_update_elem(fd, &zero, &hostid, BPF_ANY))
		return ctl_fail(h, -errno, "updating %s: %s", PFBPF_MAP_CREATORS, strerror(errno));
	return 0;
}

int pfbpf_cmd_setstatusif(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_if *pi = arg;
	struct pf_config cfg;
	__u32 ifindex = 0;
	int err;

	if (pi->ifname[0]) {
		char name[IFNAMSIZ + 1] = {};

		memcpy(name, pi->ifname, IFNAMSIZ);
		ifindex = if_nametoindex(name);
		if (!ifindex)
			return ctl_fail(h, -EINVAL, "interface %s does not exist", name);
	}
	err = ctl_cfg_read(h, &cfg);
	if (err)
		return err;
	cfg.status_ifindex = ifindex;
	return ctl_cfg_write(h, &cfg);
}

static void if_sum(struct pfbpf_handle *h, __u32 ifindex, struct pf_if_counters *sum)
{
	size_t stride = ctl_pcpu_stride(sizeof(*sum));
	char *buf = calloc(h->ncpu, stride);

	memset(sum, 0, sizeof(*sum));
	if (!buf)
		return;
	if (!ctl_pcpu_read(h, PFM_IFCTR, &ifindex, buf, sizeof(*sum))) {
		for (int c = 0; c < h->ncpu; c++) {
			const __u64 *src = (const __u64 *)(buf + c * stride);
			__u64 *dst = (__u64 *)sum;

			for (size_t i = 0; i < sizeof(*sum) / 8; i++)
				dst[i] += src[i];
		}
	}
	free(buf);
}

int pfbpf_cmd_getstatus(struct pfbpf_handle *h, void *arg)
{
	struct pf_status *st = arg;
	size_t stride = ctl_pcpu_stride(sizeof(struct pf_status_pcpu));
	struct pf_status_pcpu sum = {};
	struct pf_config cfg;
	struct pf_gcount gc;
	__u32 zero = 0;
	char *buf;
	int err;

	if ((err = ctl_cfg_read(h, &cfg)) || (err = ctl_gcount_read(h, &gc)))
		return err;
	buf = calloc(h->ncpu, stride);
	if (!buf)
		return -ENOMEM;
	err = ctl_pcpu_read(h, PFM_STATUS, &zero, buf, sizeof(sum));
	if (err) {
		free(buf);
		return ctl_fail(h, err, "reading %s: %s", PFBPF_MAP_STATUS, strerror(-err));
	}
	for (int c = 0; c < h->ncpu; c++) {
		const __u64 *src = (const __u64 *)(buf + c * stride);
		__u64 *dst = (__u64 *)&sum;

		for (size_t i = 0; i < sizeof(sum) / 8; i++)
			dst[i] += src[i];
	}
	free(buf);

	memset(st, 0, sizeof(*st));
	memcpy(st->counters, sum.counters, sizeof(st->counters));
	memcpy(st->lcounters, sum.lcounters, sizeof(st->lcounters));
	memcpy(st->fcounters, sum.fcounters, sizeof(st->fcounters));
	memcpy(st->all_pcounters, sum.pcounters, sizeof(st->all_pcounters));
	memcpy(st->all_bcounters, sum.bcounters, sizeof(st->all_bcounters));
	st->events_lost = sum.events_lost;
	st->ip_events_lost = sum.ip_events_lost;
	st->unhandled = sum.unhandled;
	st->evicted = gc.evicted;
	st->stateid = cfg.state_id_base + gc.next_id;
	st->states = gc.states > 0 ? gc.states : 0;
	st->running = !cfg.stopped;
	st->debug = cfg.debug;
	st->hostid = cfg.hostid;
	st->since_ns = cfg.since;
	st->limit_states = pfbpf_limit(&cfg, PF_LIMIT_STATES);
	st->syncookies_mode = (__u8)cfg.syncookies;
	{
		struct pfioc_syncookies sc;

		/* an older datapath without pf_syncookie: the mode alone */
		if (!pfbpf_cmd_getsyncookies(h, &sc)) {
			st->syncookies_active = sc.active;
			st->syncookies_halfopen = sc.halfopen;
			st->syncookies_bad = sc.bad;
		}
		h->reason[0] = 0;
	}
	if (cfg.since) {
		__s64 ago = (__s64)(ctl_boot_ns() - cfg.since) / 1000000000ll;

		st->since = ctl_real_s() - ago;
	}
	/* As in pf, pcounters/bcounters describe the status interface. */
	if (cfg.status_ifindex) {
		struct pf_if_counters ic;

		if_sum(h, cfg.status_ifindex, &ic);
		if (!if_indextoname(cfg.status_ifindex, st->ifname))
			st->ifname[0] = 0;
		for (int af = 0; af < 2; af++)
			for (int d = 0; d < 2; d++) {
				for (int v = 0; v < 2; v++) {
					st->pcounters[af][d][v] = ic.packets[af][d][v];
					st->bcounters[af][d] += ic.bytes[af][d][v];
				}
			}
	}
	return 0;
}

int pfbpf_cmd_clrstatus(struct pfbpf_handle *h, void *arg)
{
	struct pf_config cfg;
	__u32 zero = 0;
	int err;

	err = ctl_pcpu_zero(h, PFM_STATUS, &zero, sizeof(struct pf_status_pcpu));
	if (err)
		return ctl_fail(h, err, "clearing %s: %s", PFBPF_MAP_STATUS, strerror(-err));
	if ((err = ctl_cfg_read(h, &cfg)))
		return err;
	if (cfg.status_ifindex) {
		err = ctl_pcpu_zero(h, PFM_IFCTR, &cfg.status_ifindex,
				      sizeof(struct pf_if_counters));
		if (err && err != -ENOENT)
			return ctl_fail(h, err, "clearing %s: %s", PFBPF_MAP_IFCTR, strerror(-err));
	}
	/* pf restarts `since` so rates are per second since the clear. */
	cfg.since = ctl_boot_ns();
	return ctl_cfg_write(h, &cfg);
}
