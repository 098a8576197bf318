/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_maps.h - user-space access to the datapath's pinned maps.
 *
 * Every tool (pfctl_bpf, pftrace, pfbpf-load, the tests) reaches the running
 * datapath the same way: through the maps pinned by name in one bpffs folder
 * (PFBPF_PIN_DIR, or $PFBPF_PIN_DIR when set), whichever of iproute2 or our
 * loader attached the programs.  Functions return 0 or a negative errno;
 * pfbpf_maps_strerror() turns the errors of pfbpf_maps_open() into the
 * one-line message a CLI prints.
 */
#ifndef PFBPF_MAPS_H
#define PFBPF_MAPS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "pfbpf_types.h"

struct bpf_object;

/* Errors of pfbpf_maps_open() beyond plain errno values:
 *   -EPERM   not root (any failure of a non-root caller reads as this:
 *            its remedy comes first)
 *   -ENODEV  no bpffs mounted at /sys/fs/bpf (or at the pin folder)
 *   -ENOENT  the datapath is not loaded: its maps are not pinned
 * Anything else is the errno of the failing bpf() call. */

#define PFBPF_MAPS_EXTRA 32

struct pfbpf_maps {
	char pin_dir[PATH_MAX];      /* where maps are pinned */
	char prog_pin_dir[PATH_MAX]; /* where our loader pins programs */
	int ncpus;                   /* possible CPUs, for per-CPU values */

	/* Maps of include/pfbpf_types.h; -1 when not pinned (the first four
	 * are required, the others are optional: an object without the
	 * classifier has no pf_tables). */
	int states;      /* pf_states */
	int config;      /* pf_config */
	int count;       /* pf_count */
	int status;      /* pf_status */
	int rulectr;     /* pf_rulectr */
	int rulestates;  /* pf_rulestates */
	int ifctr;       /* pf_ifctr */
	int events;      /* pf_events */
	int timer;       /* pf_timer */
	int tprofiles;   /* pf_tprofiles */
	int creators;    /* pf_creators */
	int tables;      /* pf_tables */
	int tablestat;   /* pf_tablestat */

	/* Other pinned maps opened on demand by pfbpf_map_fd(). */
	struct {
		char name[16];
		int fd;
	} extra[PFBPF_MAPS_EXTRA];
	int nextra;

	/* The pf_ctl syscall program: the loader's pin, or loaded on demand
	 * from the object file (reusing the pinned maps). */
	int ctl_fd;
	struct bpf_object *ctl_obj;
};

/* Open every pinned map.  Reads $PFBPF_PIN_DIR and $PFBPF_PROG_PIN_DIR. */
int pfbpf_maps_open(struct pfbpf_maps *m);
/* Same with an explicit pin folder (NULL: environment / default). */
int pfbpf_maps_open_dir(struct pfbpf_maps *m, const char *pin_dir);
void pfbpf_maps_close(struct pfbpf_maps *m);

/* One line for the user, for an error of pfbpf_maps_open(). */
const char *pfbpf_maps_strerror(int err);

/* The pin folders in force ($PFBPF_PIN_DIR or PFBPF_PIN_DIR, ...). */
const char *pfbpf_pin_dir(void);
const char *pfbpf_prog_pin_dir(void);

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
/* Open (not load) the datapath object with its maps set to reuse the pins
 * in pin_dir (NULL: pfbpf_pin_dir()): obj_path, else $PFBPF_OBJ, else the
 * copy embedded in the tool.  NULL with errno set on failure.  pf_ctl is
 * loaded from it when the loader's pin is absent. */
struct bpf_object *pfbpf_open_datapath(const char *pin_dir, const char *obj_path);

/* Before loading obj against pinned maps: give each map whose pin exists
 * the pinned map's size, so that libbpf reuses it instead of refusing a
 * table made with another size (pfbpf-load --map-size).  Returns the
 * number of maps found pinned. */
int pfbpf_obj_match_pins(struct bpf_object *obj, const char *pin_dir);

struct bpf_program;
/* Is p the pf_ctl syscall program (by name or by SEC("syscall"))? */
bool pfbpf_is_ctl_prog(struct bpf_program *p);

/* Shorthands of pf_ctl requests. */
int pfbpf_ctl_arm(struct pfbpf_maps *m);
int pfbpf_ctl_sweep(struct pfbpf_maps *m, __u64 *expired);

/* Text helpers shared by the tools' simple outputs. */
const char *pfbpf_tcps_name(int s);              /* "ESTABLISHED" */
const char *pfbpf_proto_name(int proto);         /* "tcp", "udp", "icmp", ... or NULL */
/* "198.51.100.1:80" / "[2001:db8::1]:80"; no port when proto has none. */
char *pfbpf_fmt_endpoint(char *buf, size_t len, __u8 af, __u8 proto,
			 const struct pf_addr *a, __be16 port);

#endif /* PFBPF_MAPS_H */
