/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_names.h - the names pf gives its numbers (timeouts, limits, IP
 * protocols, TCP peer states), kept in one place so that pf.conf, pfctl,
 * pfbpf-load, pftrace and the D tools can never disagree on a spelling.
 */
#ifndef PFBPF_PF_NAMES_H
#define PFBPF_PF_NAMES_H

#include <stddef.h>

#include "pfbpf_types.h"

struct pf_timeout_desc {
	const char *name;
	int pftm;
};

struct pf_limit_desc {
	const char *name;
	int index;
};

/* In pfctl's order (which is not PFTM_* order), NULL-terminated. */
extern const struct pf_timeout_desc pf_timeouts[];
/* In PF_LIMIT_* order, NULL-terminated. */
extern const struct pf_limit_desc pf_limits[];

const char *pf_timeout_name(int pftm);   /* "tcp.first"; NULL if none */
int pf_timeout_lookup(const char *name); /* PFTM_* or -1 */
const char *pf_limit_name(int lim);      /* "states"; NULL if none */
int pf_limit_lookup(const char *name);   /* PF_LIMIT_* or -1 */
const char *pf_lcnt_name(int lcnt);      /* "max-src-states"; NULL if none */

const char *pf_proto_name(int proto);    /* "ipv6-icmp"; NULL if unnamed */
/* The name, or the number in buf when the protocol has none. */
const char *pf_proto_str(int proto, char *buf, size_t len);
int pf_proto_lookup(const char *name);   /* number or -1; aliases too */

/* BSD's tcpstates[] spelling ("SYN_RCVD"), as pfctl prints; NULL if none. */
const char *pf_tcps_name(int s);
/* The DTrace constant spelling ("SYN_RECEIVED"), as D scripts and pftrace use. */
const char *pf_tcps_dtrace_name(int s);
/* pf's udpstates/otherstates ("NO_TRAFFIC"); NULL if none. */
const char *pf_other_state_name(int s);

/*
 * Event names: pf's DTrace probe names (pf:::state-create, ip:::receive),
 * spelled the same by pftrace's stream and filters, pfbpf-load events and
 * the D engine's probe list.  The macros let that static list use them.
 */
#define PF_PROBE_STATE_CREATE "state-create"
#define PF_PROBE_STATE_CHANGE "state-change"
#define PF_PROBE_TCP_ESTABLISHED "tcp-established"
#define PF_PROBE_TCP_CLOSED "tcp-closed"
#define PF_PROBE_STATE_DESTROY "state-destroy"
#define PF_PROBE_IP_RECEIVE "receive"
#define PF_PROBE_IP_SEND "send"

const char *pf_event_name(unsigned int type); /* PF_EV_* -> probe name; NULL if none */
/* A probe name, any case, or the short one pftrace once printed
 * ("create", "established"); the PF_EV_* number or -1. */
int pf_event_lookup(const char *name);
/* Every event name, comma separated, for error messages. */
const char *pf_event_names_list(void);

/* Why a state went (PF_DESTROY_*): "expired"; "unknown" out of range. */
const char *pf_destroy_reason_name(unsigned int reason);
int pf_destroy_reason_lookup(const char *name); /* any case; -1 if none */
/* pf's PFRES_* counter names ("state-mismatch"); NULL out of range. */
const char *pf_res_name(unsigned int res);

/* A bucket of the NAT port-allocation tries histogram (pfbpf_nat.h):
 * "1", "2-3", ..., "1024-2047", "failed" for the last. */
void pf_nat_tries_label(char *buf, size_t len, int bucket);

#endif /* PFBPF_PF_NAMES_H */
