/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trace.h - pftrace's runtime: event formatting (text like `conntrack -E`,
 * JSON lines), -p filters, drop accounting, pinned-map access and the
 * reference-counted switch for the datapath's packet (ip provider) events.
 *
 * Everything here works on plain structs so the unit tests can drive it
 * without a kernel; pftrace.c glues it to the ring buffer.
 */
#ifndef PFTRACE_TRACE_H
#define PFTRACE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "pfbpf_types.h"

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

/* Names of protocols, events and reasons: lib/pf_names.h.
 * For -p proto=, in any case: returns the number or -EINVAL. */
int trace_proto_number(const char *name);
/* Peer state name for a protocol: TCPS_* for TCP, PFUDPS_* otherwise. */
const char *trace_pstate_name(unsigned int proto, unsigned int st);
/* Address of family af (PF_INET/PF_INET6) into buf (INET6_ADDRSTRLEN). */
const char *trace_addr_str(const struct pf_addr *a, unsigned int af, char *buf, size_t len);

/*
 * The endpoints of a state key seen from the side that created the state
 * (pf's sidx/didx): slot dir == PF_IN ? 0 : 1 holds the source.
 */
void trace_key_endpoints(const struct pf_state_key *k, unsigned int dir,
			 const struct pf_addr **src, __u16 *sport,
			 const struct pf_addr **dst, __u16 *dport);

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */
/* ------------------------------------------------------------------------ */

/* Resolves an ifindex to a name; tests pass a fixed one. NULL: if_indextoname. */
typedef const char *(*trace_ifname_fn)(unsigned int ifindex, char *buf, size_t len);

/* One line, without the newline, into buf.  Returns the length (snprintf). */
int trace_fmt_pf_text(const struct pf_event *ev, char *buf, size_t len);
/*
 * With anchors the datapath's pf_state.rule is a position in the expanded
 * ruleset; given the pinned pf_xflat origins (lib/pf_xflat.h), `rule N`
 * and JSON "rule" are the number in the rule's own ruleset, followed by
 * `anchor NAME` / "anchor" when that is not the main ruleset, as
 * pfctl_bpf -ss -v names them.  NULL (the default): the position itself.
 */
struct pf_xflat_origins;
void trace_set_rule_origins(const struct pf_xflat_origins *x);
int trace_fmt_pf_json(const struct pf_event *ev, char *buf, size_t len);
int trace_fmt_ip_text(const struct pf_ip_event *ev, trace_ifname_fn ifname,
		      char *buf, size_t len);
int trace_fmt_ip_json(const struct pf_ip_event *ev, trace_ifname_fn ifname,
		      char *buf, size_t len);
/*
 * `-t`: the event's time as conntrack -E -o timestamp shows it,
 * "[seconds.microseconds]" of the wall clock; wall_offset_ns is
 * CLOCK_REALTIME - CLOCK_BOOTTIME (events carry boot time).
 */
int trace_fmt_time(__u64 ts_ns, long long wall_offset_ns, char *buf, size_t len);
/* The DTrace-style line (no "pftrace: " prefix) and the JSON record. */
int trace_fmt_drops_text(unsigned int cpu, __u64 state, __u64 ip, char *buf, size_t len);
int trace_fmt_drops_json(unsigned int cpu, __u64 state, __u64 ip, char *buf, size_t len);

/* ------------------------------------------------------------------------ */
/* -p filters                                                               */
/* ------------------------------------------------------------------------ */

#define TRACE_FILTER_MAX 8 /* values per key; more is an error */

struct trace_net {
	__u8 af;
	__u8 plen;
	struct pf_addr addr;
};

/*
 * Keys combine with AND, repeated keys with OR:
 * `-p proto=tcp,port=22,port=80` is tcp AND (port 22 OR port 80).
 */
struct trace_filter {
	int nproto, naf, nhost, nsrc, ndst, nport, nsport, ndport;
	int nevent, nid, nrule, ndir, nreason, nif;
	__u8 proto[TRACE_FILTER_MAX];
	__u8 af[TRACE_FILTER_MAX];
	struct trace_net host[TRACE_FILTER_MAX];
	struct trace_net src[TRACE_FILTER_MAX];
	struct trace_net dst[TRACE_FILTER_MAX];
	__u16 port[TRACE_FILTER_MAX]; /* host order */
	__u16 sport[TRACE_FILTER_MAX];
	__u16 dport[TRACE_FILTER_MAX];
	__u8 event[TRACE_FILTER_MAX]; /* PF_EV_* */
	__u64 id[TRACE_FILTER_MAX];
	__u32 rule[TRACE_FILTER_MAX];
	__u8 dir[TRACE_FILTER_MAX];
	__u8 reason[TRACE_FILTER_MAX];
	__u32 ifindex[TRACE_FILTER_MAX];
};

/*
 * Parse a -p argument into f (zeroed first by the caller; several -p
 * options accumulate).  On error returns -EINVAL and writes a message
 * naming the offending item into err.  Interface names are resolved with
 * ifname_to_index (NULL: if_nametoindex).
 */
int trace_filter_parse(struct trace_filter *f, const char *arg,
		       unsigned int (*ifname_to_index)(const char *),
		       char *err, size_t errlen);
bool trace_filter_match_pf(const struct trace_filter *f, const struct pf_event *ev);
bool trace_filter_match_ip(const struct trace_filter *f, const struct pf_ip_event *ev);
/* Which PF_TRACE_* bits the filter needs (event=receive/send). */
unsigned int trace_filter_ip_bits(const struct trace_filter *f);
/* Whether the filter lets any state event through. */
bool trace_filter_wants_state(const struct trace_filter *f);

/* ------------------------------------------------------------------------ */
/* Drop accounting                                                          */
/* ------------------------------------------------------------------------ */

/*
 * The datapath counts, per CPU, the events it could not reserve room for
 * (pf_status_pcpu.events_lost / ip_events_lost).  pftrace reads them every
 * switchrate period and reports the growth since the previous read, as
 * DTrace reports its per-CPU buffer drops.
 */
struct trace_drops {
	unsigned int ncpu;
	__u64 *state; /* last seen, per CPU */
	__u64 *ip;
	__u64 total_state, total_ip; /* reported so far */
};

int trace_drops_init(struct trace_drops *d, unsigned int ncpu);
void trace_drops_free(struct trace_drops *d);
/* Take the current values as the baseline: losses before we started are not ours. */
void trace_drops_baseline(struct trace_drops *d, const struct pf_status_pcpu *pcpu);
/*
 * Compare with the previous values; call report for each CPU whose counters
 * grew.  Returns the number of CPUs reported.  A counter that went down
 * (datapath reloaded, counters zeroed) is taken as a new baseline.
 */
typedef void (*trace_drops_fn)(void *ctx, unsigned int cpu, __u64 state, __u64 ip);
int trace_drops_update(struct trace_drops *d, const struct pf_status_pcpu *pcpu,
		       trace_drops_fn report, void *ctx);

/* ------------------------------------------------------------------------ */
/* Packet events: pf_config.trace                                           */
/* ------------------------------------------------------------------------ */

/*
 * pf_config.trace is a single word shared by every consumer.  Two pftrace
 * instances must not fight over it (the second one's exit must not switch
 * off what the first still needs), so each instance registers the bits it
 * wants in a file named after its pid under TRACE_REG_DIR/<config map id>/
 * and, holding an flock, writes the union of the bits of all registrants
 * whose pid is still alive.  A crashed instance is noticed (dead pid) the
 * next time any instance enables or disables.  Keyed by the map's id rather
 * than its path because test runs each mount a private bpffs at the same
 * path.
 */
#define TRACE_REG_DIR "/run/pfbpf/trace"

struct trace_ipctl {
	int config_fd;
	__u32 map_id;
	unsigned int bits;   /* what this instance registered */
	char dir[128];
	char path[160];
	bool registered;
	int other_pid;       /* another live pftrace on this datapath, 0 if none */
};

/*
 * Register (bits may be 0: every pftrace registers, so that a second one
 * on the same datapath is noticed, see other_pid) and update
 * pf_config.trace.  Returns 0 or -errno.
 */
int trace_ip_enable(struct trace_ipctl *c, int config_fd, unsigned int bits);
/* Unregister and recompute; idempotent (safe from the exit path). */
int trace_ip_disable(struct trace_ipctl *c);
/* The union of the bits of live registrants in dir (exposed for tests). */
unsigned int trace_ip_union(const char *dir, int self_pid, unsigned int self_bits,
			    int *other_pid);

/* conntrack's stream options (ctopts.c) */
struct trace_outopts {
	bool json;
	bool extended;   /* the address family after the [TYPE] tag */
	bool timestamp;  /* as -t */
};
int trace_outopts_parse(const char *arg, struct trace_outopts *o, char *err, size_t len);
#define TRACE_EV_NEW 0x1
#define TRACE_EV_UPDATE 0x2
#define TRACE_EV_DESTROY 0x4
/* -e new,update,destroy: 0 or -1 with err; mask 0 means every event. */
int trace_evmask_parse(const char *arg, unsigned int *mask, char *err, size_t len);
bool trace_evmask_match(unsigned int mask, unsigned int type);
/* "[NEW] tcp ..." -> "[NEW] ipv4 tcp ..." (in place, if it fits). */
void trace_fmt_extended(char *line, size_t len, __u8 af);

#endif /* PFTRACE_TRACE_H */
