/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dt.h - the D language engine of pftrace.
 *
 * pftrace reads the datapath's ring buffer; this engine compiles a D script
 * (the subset described in docs/dtrace-language.md) and runs its clauses on
 * the events it is handed.  It knows nothing about BPF: the caller decides
 * which events to produce (dt_prog_uses), feeds them in (dt_fire_*), calls
 * dt_tick() often enough for tick-N probes and dt_end() on exit, which prints
 * the aggregations as dtrace(1) does.  All output goes to opts->out, runtime
 * errors to opts->err.
 */
#ifndef PFBPF_DT_H
#define PFBPF_DT_H

#include <stddef.h>
#include <stdio.h>
#include "pfbpf_types.h"

enum dt_probe {
	DT_PROBE_BEGIN,             /* dtrace:::BEGIN */
	DT_PROBE_END,               /* dtrace:::END */
	DT_PROBE_TICK,              /* profile:::tick-N (any interval) */
	DT_PROBE_PF_STATE_CREATE,   /* pf:::state-create */
	DT_PROBE_PF_STATE_CHANGE,   /* pf:::state-change */
	DT_PROBE_PF_STATE_DESTROY,  /* pf:::state-destroy */
	DT_PROBE_PF_TCP_ESTABLISHED,/* pf:::tcp-established */
	DT_PROBE_PF_TCP_CLOSED,     /* pf:::tcp-closed */
	DT_PROBE_IP_SEND,           /* ip:::send */
	DT_PROBE_IP_RECEIVE,        /* ip:::receive */
	DT_PROBE_MAX,
};

/* One row of `pftrace -l`; args[] are the D types of args[0..], NULL-ended. */
struct dt_probe_info {
	unsigned id;                /* the probe ID dtrace output shows */
	enum dt_probe probe;
	const char *provider, *module, *function, *name;
	const char *args[8];
};

/* Every probe (tick-1s standing for the tick-N family), in ID order. */
const struct dt_probe_info *dt_probe_list(size_t *n);

/* The probe a ring-buffer event fires, DT_PROBE_MAX for an unknown type. */
enum dt_probe dt_probe_of_event(unsigned type);

struct dt_opts {
	FILE *out;       /* trace output (stdout if NULL) */
	FILE *err;       /* runtime errors (stderr if NULL) */
	int quiet;       /* -q: as `#pragma D option quiet` */
	/*
	 * Interface name for ifinfo_t.if_name and the state's ifname.  Without
	 * a callback if_indextoname() is asked; a NULL answer prints "ifN".
	 */
	const char *(*ifname)(__u32 ifindex, void *arg);
	void *arg;
	/*
	 * walltimestamp = event ts_ns + wall_offset_ns.  0: the engine measures
	 * CLOCK_REALTIME - CLOCK_BOOTTIME once in dt_compile.  Golden tests set
	 * it to get the same output every run.
	 */
	long long wall_offset_ns;
};

struct dt_prog;

/*
 * Compile a script.  On failure returns NULL and writes into err
 * "pftrace: failed to compile script FILE: line L: <what>" naming the
 * offending token, probe, member or function.  filename is what FILE shows
 * (a -n one-liner passes e.g. "-n").
 */
struct dt_prog *dt_compile(const char *src, const char *filename,
			   const struct dt_opts *o, char *err, size_t errlen);

/* Nonzero if some clause fires on probe (so the caller enables it). */
int dt_prog_uses(const struct dt_prog *p, enum dt_probe probe);

/* `#pragma D option switchrate=N[hz|s|ms|...]`, in Hz; 0 if not set. */
double dt_switchrate_hz(const struct dt_prog *p);

/* Nonzero if the script (or -q) asked for quiet output. */
int dt_quiet(const struct dt_prog *p);

/*
 * Tick probes.  dt_tick_interval_ns() is the shortest tick-N interval in
 * ns, 0 if the script has no tick probe; dt_next_tick_ns() is when the next
 * tick is due (CLOCK_BOOTTIME ns, 0 if none), for the caller's poll
 * timeout.  dt_tick() fires, in time order, every tick whose time has come
 * since the last call (the first interval counts from dt_begin's now_ns);
 * a consumer that stalled for many intervals fires each tick once.
 */
long long dt_tick_interval_ns(const struct dt_prog *p);
unsigned long long dt_next_tick_ns(const struct dt_prog *p);

/*
 * Running.  Each returns nonzero once exit() has been called (the caller
 * should stop feeding events and call dt_end()); after that, dt_fire_* and
 * dt_tick do nothing.  now_ns / ts_ns are CLOCK_BOOTTIME ns (`timestamp`).
 * dt_begin fires BEGIN once; the other calls fire it first if the caller
 * did not.  dt_fire_* return -EINVAL for a probe of the wrong kind.
 */
int dt_begin(struct dt_prog *p, unsigned long long now_ns);
int dt_fire_pf(struct dt_prog *p, enum dt_probe probe, const struct pf_event *ev);
int dt_fire_ip(struct dt_prog *p, enum dt_probe probe, const struct pf_ip_event *ev);
int dt_tick(struct dt_prog *p, unsigned long long now_ns);

/*
 * Fires END, then prints the aggregations not yet printed with printa().
 * Only the first call does anything.
 */
void dt_end(struct dt_prog *p, unsigned long long now_ns);

/* Nonzero once exit(n) ran; *status (if not NULL) gets n. */
int dt_exited(const struct dt_prog *p, int *status);

/* Enabled probes (clause x probe pairs), for "matched N probes". */
unsigned dt_matched_probes(const struct dt_prog *p);

/* Runtime faults so far (each clause prints only its first). */
unsigned long long dt_errors(const struct dt_prog *p);

void dt_free(struct dt_prog *p);

#endif /* PFBPF_DT_H */
