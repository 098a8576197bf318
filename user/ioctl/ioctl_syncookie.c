// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_syncookie.c - `set syncookies`: DIOCSETSYNCOOKIES and
 * DIOCGETSYNCOOKIES (include/pfbpf_ioctl.h).  The configured mode and
 * thresholds live in pf_config (read on every SYN); the live part (secret,
 * half-open count, adaptive on/off) in pf_syncookie, which the datapath
 * owns (pfbpf_syncookie.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"
#include "pfbpf_syncookie.h"

static int sc_read(struct pfbpf_handle *h, struct pf_syncookie_st *st)
{
	__u32 zero = 0;
	int fd = ctl_map(h, PFM_SYNCOOKIE);

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, st))
		return ctl_fail(h, -errno, "reading %s: %s", PFBPF_MAP_SYNCOOKIE, strerror(errno));
	return 0;
}

static void sc_out(const struct pf_config *cfg, const struct pf_syncookie_st *st,
		   struct pfioc_syncookies *io)
{
	io->mode = (__u8)cfg->syncookies;
	io->start = cfg->syncookies_start ? cfg->syncookies_start : PF_SYNCOOKIES_START_DEFAULT;
	io->end = cfg->syncookies_end ? cfg->syncookies_end : PF_SYNCOOKIES_END_DEFAULT;
	io->active = cfg->syncookies == PF_SYNCOOKIES_ALWAYS ||
		     (cfg->syncookies == PF_SYNCOOKIES_ADAPTIVE && st->active);
	io->halfopen = st->halfopen > 0 ? (__u64)st->halfopen : 0;
	io->inflight = st->inflight[0] + st->inflight[1];
	io->bad = st->bad;
}

int pfbpf_cmd_getsyncookies(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_syncookies *io = arg;
	struct pf_syncookie_st st;
	struct pf_config cfg;
	int err;

	if ((err = ctl_cfg_read(h, &cfg)) || (err = sc_read(h, &st)))
		return err;
	memset(io, 0, sizeof(*io));
	sc_out(&cfg, &st, io);
	return 0;
}

int pfbpf_cmd_setsyncookies(struct pfbpf_handle *h, void *arg)
{
	static const __u8 zero_secret[PF_SYNCOOKIE_SECRET_SIZE];
	struct pfioc_syncookies *io = arg;
	__u32 start = io->start ? io->start : PF_SYNCOOKIES_START_DEFAULT;
	__u32 end = io->end ? io->end : PF_SYNCOOKIES_END_DEFAULT;
	struct pf_syncookie_st st;
	struct pf_config cfg;
	__u32 zero = 0;
	int err, fd;

	if (io->mode > PF_SYNCOOKIES_MODE_MAX)
		return ctl_fail(h, -EINVAL, "syncookies mode %u does not exist", io->mode);
	if (start > PF_SYNCOOKIES_PCT_MAX || end > PF_SYNCOOKIES_PCT_MAX)
		return ctl_fail(h, -EINVAL, "syncookies thresholds are percentages (0-100%%)");
	/* pf_syncookies_setwats: lowat above hiwat is refused */
	if (end > start)
		return ctl_fail(h, -EINVAL, "syncookies: end %u.%02u%% is above start %u.%02u%%",
				end / 100, end % 100, start / 100, start % 100);
	if ((err = ctl_cfg_read(h, &cfg)))
		return err;
	fd = ctl_map(h, PFM_SYNCOOKIE);
	if (fd < 0)
		return fd;
	if ((err = sc_read(h, &st)))
		return err;
	/*
	 * The secret: the caller's (an HA pair shares one), else a random
	 * one if there is none yet; kept across mode changes so cookies in
	 * flight stay good.  The value is written whole: a SYN counted by
	 * another CPU in between may lose one inflight increment, which can
	 * only bring the adaptive switch-off one period early or late.
	 */
	if (memcmp(io->secret, zero_secret, sizeof(zero_secret)))
		memcpy(st.secret, io->secret, sizeof(st.secret));
	else if (!memcmp(st.secret, zero_secret, sizeof(zero_secret)) &&
		 getrandom(st.secret, sizeof(st.secret), 0) != sizeof(st.secret))
		return ctl_fail(h, -EIO, "syncookies: no random bytes for the secret");
	/* a mode change starts the adaptive mode from `off`, as pf's setmode */
	if (cfg.syncookies != io->mode)
		st.active = 0;
	if (bpf_map_update_elem(fd, &zero, &st, BPF_ANY))
		return ctl_fail(h, -errno, "writing %s: %s", PFBPF_MAP_SYNCOOKIE, strerror(errno));
	cfg.syncookies = io->mode;
	cfg.syncookies_start = start;
	cfg.syncookies_end = end;
	if ((err = ctl_cfg_write(h, &cfg)))
		return err;
	memset(io->secret, 0, sizeof(io->secret));
	sc_out(&cfg, &st, io);
	return 0;
}
