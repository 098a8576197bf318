/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ioctl_env.h - libpfbpf test environment: the real datapath object loaded
 * with its maps pinned in a private bpffs folder (PFBPF_PIN_DIR), so the
 * library opens them exactly as in production and parallel runs never meet
 * in /sys/fs/bpf/tc/globals.
 */
#ifndef PFBPF_TEST_IOCTL_ENV_H
#define PFBPF_TEST_IOCTL_ENV_H

#include <stdbool.h>
#include "pfbpf.h"

extern int env_dev;                /* pfbpf handle on the private folder */
extern char env_dir[256];          /* the private pin folder */

/* Load the object pinned in a private folder and open a handle on it.
 * with_progs false: maps only (no datapath program loaded). */
void env_setup_maps(void);
/* Maps only, pf_states made with ENV_STATES_SIZED entries instead of the
 * object's size, as `pfbpf-load attach --map-size` leaves them. */
#define ENV_STATES_SIZED 4096
void env_setup_maps_sized(void);
void env_setup_progs(void);
void env_teardown(void);

/* fd of a pinned map of the private folder (opened once, kept). */
int env_map(const char *name);
int env_cfg(struct pf_config *cfg);
int env_cfg_set(const struct pf_config *cfg);
int env_ncpu(void);
/* Write v (size bytes) for cpu (others zero) into a per-CPU map element. */
void env_pcpu_put(const char *map, const void *key, const void *v, size_t size, int cpu);
/* The rule id (pfbpf_types.h "Rule ids") of position pos of slot, 0 if none. */
__u32 env_rid(__u32 slot, __u32 pos);
/* Counters of the rule at slot position pos, for cpu: the walk's stops go
 * to the position, the rest to the rule's id, as the datapath keeps them.
 * A position past the last rule (no id) gets the stops only. */
void env_rulectr_put(__u32 slot, __u32 pos, const struct pf_rule_counters *rc, int cpu);

/* A TCP state key in pf's order for a connection src:sport -> dst:dport
 * opened in direction dir. */
void env_key4(struct pf_state_key *k, const char *src, __u16 sport, const char *dst,
	      __u16 dport, int dir);
/* DIOCADDSTATE a TCP state; returns the pfbpf_ioctl result. */
int env_add_state4(const char *src, __u16 sport, const char *dst, __u16 dport, int dir,
		   __u64 id);
int env_nstates(void);

/* fd of a program of the loaded object (env_setup_progs). */
int env_prog(const char *name);

/* A pass/block rule. */
void env_rule(struct pfbpf_rule *r, int action, const char *label);

/* Run a command, capture stdout+stderr into out; returns the exit status. */
int env_run(char *out, size_t outlen, const char *fmt, ...);

#endif
