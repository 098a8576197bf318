/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pin_open.h - the one way from user space to the pinned datapath, as
 * bpftool's common.c is for bpftool: where the pins are, which maps there
 * are, why opening them failed and how to fix it, and how the pf_ctl
 * syscall program is loaded against them.
 *
 * libpfbpf (user/ioctl), pfbpf_maps.h (pftrace, pfbpf-load) and the
 * loader all go through here, so that a fix lands once.  Needs only libbpf
 * and libc: libpfbpf carries this file in its own archive.
 */
#ifndef PFBPF_PIN_OPEN_H
#define PFBPF_PIN_OPEN_H

#include <stdbool.h>
#include <stddef.h>
#include "pfbpf_types.h"

struct bpf_object;
struct bpf_program;

/*
 * Every map pinned in the pin folder: the datapath's first (the first four
 * must be there for the datapath to count as loaded), then the control
 * maps libpfbpf creates next to them (user/ioctl/ioctl_priv.h says what
 * they hold).
 */
enum pfm {
	PFM_STATES, PFM_CONFIG, PFM_COUNT, PFM_STATUS,
	PFM_RULECTR, PFM_RULESTATES, PFM_IFCTR, PFM_EVENTS, PFM_TIMER,
	PFM_TPROF, PFM_CREATORS, PFM_TABLES, PFM_TABLESTAT,
	PFM_NATRULES, PFM_NATPOOL, PFM_NATRR, PFM_NATMAP, PFM_NATSTAT, /* pfbpf_nat.h */
	PFM_LAYOUT, /* pfbpf_layout.h */
	PFM_SYNCOOKIE, /* pfbpf_syncookie.h */
	PFM_XRULES, PFM_XMETA, PFM_XTABLES, PFM_XIFFLAGS, PFM_XFLAT,
	PFM_MAX,
};
#define PFM_NREQUIRED (PFM_STATUS + 1)
#define PFM_FIRST_CTL PFM_XRULES

#define PFBPF_MAP_XRULES "pf_xrules"     /* hash: xrule_key -> pfbpf_rule */
#define PFBPF_MAP_XMETA "pf_xmeta"       /* array[1]: struct pfbpf_xmeta */
#define PFBPF_MAP_XTABLES "pf_xtables"   /* hash: table name -> struct pfbpf_xtable */
#define PFBPF_MAP_XIFFLAGS "pf_xifflags" /* hash: ifindex -> struct pfbpf_xif */
/* PFBPF_MAP_XFLAT ("pf_xflat") is in lib/pf_xflat.h with its records. */

/* The pin name of m. */
const char *pfbpf_map_name(enum pfm m);

/* The pin folders in force ($PFBPF_PIN_DIR or PFBPF_PIN_DIR, and
 * $PFBPF_PROG_PIN_DIR or PFBPF_PROG_PIN_DIR for the loader's programs). */
const char *pfbpf_pin_dir(void);
const char *pfbpf_prog_pin_dir(void);

bool pfbpf_is_bpffs(const char *path);

/* fd of the pin dir/name, or -errno. */
int pfbpf_pin_get(const char *dir, const char *name);

/*
 * Before any bpf() call, tell apart the failures a user fixes in different
 * ways.  Returns 0 when dir is a folder on a bpffs, else one of
 *   -EPERM   not root, or the folder is not readable
 *   -ENODEV  no bpffs mounted at PFBPF_BPFFS, or dir is not on a bpffs
 *   -ENOENT  dir does not exist: the datapath is not loaded
 */
int pfbpf_pin_check(const char *dir);
/* The layout stamp of the maps pinned in dir against this build's
 * (include/pfbpf_layout.h): 0 when they match, are not stamped yet or
 * nothing is pinned; -EPROTO otherwise, with the reason in why.
 * pfbpf_pin_check() and pfbpf_obj_match_pins() call it. */
int pfbpf_layout_check(const char *dir, char *why, size_t len);

/* An open of dir failed with err: the error to report.  An unprivileged
 * caller's first problem is privilege whatever else went wrong (bpffs is
 * usually root-only and bpf() needs CAP_BPF), so that is -EPERM. */
int pfbpf_pin_open_err(int err);

/* One line for the user saying what is wrong with dir and how to fix it,
 * for an error of pfbpf_pin_check() or of opening a required pin.  The
 * buffer is the calling thread's, valid until its next call. */
const char *pfbpf_pin_strerror(int err, const char *dir);

/* Open (not load) the datapath object with its maps set to reuse the pins
 * in pin_dir (NULL: pfbpf_pin_dir()): obj_path, else $PFBPF_OBJ, else the
 * copy embedded in the tool.  NULL with errno set on failure. */
struct bpf_object *pfbpf_open_datapath(const char *pin_dir, const char *obj_path);

/*
 * Before loading obj against pinned maps: check every pin against the
 * object's map of the same name.  A pin of another size is adopted (the
 * datapath was loaded with --map-size), so libbpf reuses it instead of
 * refusing it; a pin of another type, key or value size comes from another
 * build and is refused with -EINVAL (why, when not NULL, says which).
 * Returns the number of maps found pinned.
 */
int pfbpf_obj_match_pins(struct bpf_object *obj, const char *pin_dir, char *why,
			 size_t len);

/* Is p the pf_ctl syscall program (by name or by SEC("syscall"))? */
bool pfbpf_is_ctl_prog(struct bpf_program *p);

/* pf_ctl loaded by pfbpf_ctl_load(): obj owns fd. */
struct pfbpf_ctl {
	int fd;
	struct bpf_object *obj;
};

/* Load only pf_ctl from the datapath object, every map reusing (and
 * checked against) the pins of pin_dir.  0 or -errno; why says what failed. */
int pfbpf_ctl_load(const char *pin_dir, struct pfbpf_ctl *ctl, char *why, size_t len);
void pfbpf_ctl_unload(struct pfbpf_ctl *ctl);

/* Run pf_ctl (fd) with req in/out.  The bpf() error if the run failed, else
 * req->result, else the program's nonzero return value as -errno. */
int pfbpf_ctl_exec(int fd, struct pf_ctl_req *req);

#endif /* PFBPF_PIN_OPEN_H */
