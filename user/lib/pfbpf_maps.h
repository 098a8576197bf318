/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_maps.h - user-space access to the datapath's pinned maps.
 *
 * Every tool (pfctl_bpf, pftrace, pfbpf-load, the tests) reaches the running
 * datapath the same way: through the maps pinned by name in one bpffs folder
 * (PFBPF_PIN_DIR, or $PFBPF_PIN_DIR when set), whichever of iproute2 or our
 * loader attached the programs.  Functions return 0 or a negative errno;
 * pfbpf_pin_strerror(err, m->pin_dir) (lib/pin_open.h) turns the errors of
 * pfbpf_maps_open() into the one-line message a CLI prints.
 */
#ifndef PFBPF_MAPS_H
#define PFBPF_MAPS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "pfbpf_types.h"
#include "lib/pin_open.h"

struct bpf_object;

/* Errors of pfbpf_maps_open(): those of pfbpf_pin_check() (-EPERM, -ENODEV,
 * -ENOENT when a required map is not pinned either), else the errno of the
 * failing bpf() call. */

#define PFBPF_MAPS_EXTRA 32

struct pfbpf_maps {
	char pin_dir[PATH_MAX];      /* where maps are pinned */
	char prog_pin_dir[PATH_MAX]; /* where our loader pins programs */
	int ncpus;                   /* possible CPUs, for per-CPU values */

	/* The datapath's maps of lib/pin_open.h, by name or as fd[PFM_*];
	 * -1 when not pinned (the first PFM_NREQUIRED are required, the
	 * others are optional: an object without the classifier has no
	 * pf_tables). */
	union {
		int fd[PFM_FIRST_CTL];
		struct {
			int states, config, count, status;
			int rulectr, rulestates, ifctr, events, timer;
			int tprofiles, creators, tables, tablestat;
			int natrules, natpool, natrr, natmap, natstat;
		};
	};

	/* Other pinned maps opened on demand by pfbpf_map_fd(). */
	struct {
		char name[16];
		int fd;
	} extra[PFBPF_MAPS_EXTRA];
	int nextra;

	/* The pf_ctl syscall program: the loader's pin, or loaded on demand
	 * from the object file (reusing the pinned maps, ctl.obj set). */
	struct pfbpf_ctl ctl;
};

/* Open every pinned map.  Reads $PFBPF_PIN_DIR and $PFBPF_PROG_PIN_DIR. */
int pfbpf_maps_open(struct pfbpf_maps *m);
/* Same with an explicit pin folder (NULL: environment / default). */
int pfbpf_maps_open_dir(struct pfbpf_maps *m, const char *pin_dir);
void pfbpf_maps_close(struct pfbpf_maps *m);

/* fd of any pinned map by name (a pfbpf_types.h one or a classifier map of
 * pfbpf_cls.h such as "pf_rules"); opened once, owned by m.  -ENOENT if
 * the map is not pinned. */
int pfbpf_map_fd(struct pfbpf_maps *m, const char *name);

/* pf_config */
int pfbpf_config_read(struct pfbpf_maps *m, struct pf_config *cfg);
int pfbpf_config_write(struct pfbpf_maps *m, const struct pf_config *cfg);
/* pf_config.timeout[] as in force: zero slots read as the pf default. */
__u32 pfbpf_config_timeout(const struct pf_config *cfg, int pftm);
__u32 pfbpf_config_limit(const struct pf_config *cfg, int limit);

/* pf_status summed over all CPUs. */
int pfbpf_status_read(struct pfbpf_maps *m, struct pf_status_pcpu *sum);
/* pf_ifctr for one interface summed over CPUs (-ENOENT: no counters yet). */
int pfbpf_ifctr_read(struct pfbpf_maps *m, __u32 ifindex, struct pf_if_counters *sum);
/* pf_rulectr entry (slot * PF_MAX_RULES + nr) summed over CPUs. */
int pfbpf_rulectr_read(struct pfbpf_maps *m, __u32 idx, struct pf_rule_counters *sum);
/* pf_count */
int pfbpf_gcount_read(struct pfbpf_maps *m, struct pf_gcount *gc);

/* Call cb for every state; stops and returns cb's value when nonzero.
 * The table changes under us (packets, the sweep): a state may be seen
 * in its old or new form, one removed meanwhile is skipped. */
typedef int (*pfbpf_state_cb)(const struct pf_state_key *key, const struct pf_state *st,
			      void *arg);
int pfbpf_states_foreach(struct pfbpf_maps *m, pfbpf_state_cb cb, void *arg);
/* Number of entries in pf_states (a walk). */
long pfbpf_states_count(struct pfbpf_maps *m);
int pfbpf_state_lookup(struct pfbpf_maps *m, const struct pf_state_key *key,
		       struct pf_state *st);

/* Run the pf_ctl syscall program with req (in/out).  Returns the bpf()
 * error if the run failed, else req->result. */
int pfbpf_ctl_run(struct pfbpf_maps *m, struct pf_ctl_req *req);
/* Shorthands of pf_ctl requests. */
int pfbpf_ctl_arm(struct pfbpf_maps *m);
int pfbpf_ctl_sweep(struct pfbpf_maps *m, __u64 *expired);

/* Text helpers shared by the tools' simple outputs. */
/* "198.51.100.1:80" / "[2001:db8::1]:80"; no port when proto has none. */
char *pfbpf_fmt_endpoint(char *buf, size_t len, __u8 af, __u8 proto,
			 const struct pf_addr *a, __be16 port);

#endif /* PFBPF_MAPS_H */
