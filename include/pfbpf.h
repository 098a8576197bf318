/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf.h - libpfbpf: pf's /dev/pf ioctl interface carried out on the
 * datapath's pinned BPF maps.
 *
 *	int dev = pfbpf_open("/dev/pf", O_RDWR);
 *	if (dev == -1)
 *		err(1, "pfbpf_open");
 *	if (pfbpf_ioctl(dev, DIOCGETSTATUS, &status))
 *		errx(1, "DIOCGETSTATUS: %s", pfbpf_strerror(dev));
 *	pfbpf_close(dev);
 *
 * pfbpf_open() and pfbpf_ioctl() behave like open(2) and ioctl(2) -- -1 and
 * errno on failure -- so that a program written for /dev/pf changes only its
 * open and ioctl lines.  The handle is an int for the same reason.  errno
 * values are pf's (EBUSY for a stale ticket, ENOENT for a missing state,
 * ESRCH for a missing table, ...); pfbpf_strerror() adds the reason in words.
 *
 * Commands that change anything take an flock on the pin folder, so several
 * processes (pfctl_bpf, daemons using this library) never interleave a
 * read-modify-write of the same map.
 */
#ifndef PFBPF_H
#define PFBPF_H

#include <fcntl.h>
#include "pfbpf_types.h"
#include "pfbpf_rule.h"
#include "pfbpf_ioctl.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Open the pf instance whose maps are pinned in a folder.  path: "/dev/pf"
 * or NULL for the default folder ($PFBPF_PIN_DIR, else PFBPF_PIN_DIR), or a
 * bpffs folder.  flags: O_RDONLY (read commands only: others fail with
 * EACCES, as on /dev/pf) or O_RDWR.  Fails with ENOENT when the datapath's
 * maps are not pinned there (the datapath is not loaded), ENOTDIR/ENODEV
 * when the folder is not on a bpffs, EPERM when not root.
 * The control maps libpfbpf itself needs (staged rules, table names) are
 * created and pinned next to the datapath's on first O_RDWR open.
 */
int pfbpf_open(const char *path, int flags);

/* Carry out one DIOC* command.  0, or -1 with errno set. */
int pfbpf_ioctl(int dev, unsigned long cmd, void *arg);

int pfbpf_close(int dev);

/*
 * The reason for the last failure on dev, in the user's words ("DIOCXCOMMIT:
 * ruleset changed since DIOCXBEGIN"), or strerror(errno) when the command
 * gave none.  Valid until the next call on dev.  For dev == -1: the reason
 * the last pfbpf_open() failed.
 */
const char *pfbpf_strerror(int dev);

/* "DIOCGETSTATUS" for DIOCGETSTATUS; NULL for an unknown command. */
const char *pfbpf_cmd_name(unsigned long cmd);

/* The pin folder dev was opened on. */
const char *pfbpf_dev_pin_dir(int dev);

/*
 * Library helpers for pfctl_bpf and other tools.
 */

/* The timeout in force for class `which` (PFTM_*): config value, else the pf
 * default; for state timeouts, the adaptive scaling for `states` applied. */
__u32 pfbpf_timeout(const struct pf_config *cfg, int which, __u64 states);

/* The limit in force (config value, else the pf default). */
__u32 pfbpf_limit(const struct pf_config *cfg, int which);

/* Seconds of CLOCK_BOOTTIME, the clock of pf_state.creation/expire. */
__u32 pfbpf_now(void);

/* Names: pf's PFTM_* ("tcp.first"), PF_LIMIT_* ("states"), PFRES_* ("match"). */
const char *pfbpf_pftm_name(int which);
const char *pfbpf_limit_name(int which);
const char *pfbpf_reason_name(int reason);

#ifdef __cplusplus
}
#endif

#endif /* PFBPF_H */
