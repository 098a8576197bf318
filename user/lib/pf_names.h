/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_names.h - the names pf gives its numbers (timeouts, limits, IP
 * protocols, TCP peer states), kept in one place so that pf.conf, pfctl,
 * pfbpf-load, pftrace and the D tools can never disagree on a spelling.
 */
#ifndef PFBPF_PF_NAMES_H
#define PFBPF_PF_NAMES_H

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
int pf_proto_lookup(const char *name);   /* number or -1; aliases too */

/* BSD's tcpstates[] spelling ("SYN_RCVD"), as pfctl prints; NULL if none. */
const char *pf_tcps_name(int s);
/* The DTrace constant spelling ("SYN_RECEIVED"), as D scripts and pftrace use. */
const char *pf_tcps_dtrace_name(int s);
/* pf's udpstates/otherstates ("NO_TRAFFIC"); NULL if none. */
const char *pf_other_state_name(int s);

/* A bucket of the NAT port-allocation tries histogram (pfbpf_nat.h):
 * "1", "2-3", ..., "1024-2047", "failed" for the last. */
void pf_nat_tries_label(char *buf, size_t len, int bucket);

#endif /* PFBPF_PF_NAMES_H */
