/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_nat_work.h - what the translation code decides about one packet, kept
 * in the per-CPU scratch (pf_state.h) between the steps of pf_finish: the
 * rule search before the classifier, the state creation after it, and the
 * rewrite of the packet's bytes at the very end.  BPF only.
 */
#ifndef PF_NAT_WORK_H
#define PF_NAT_WORK_H

#include "pfbpf_types.h"

struct pf_nat_work {
	__u8 on;          /* the packet leaves with the n* fields (rewrite) */
	__u8 pending;     /* a new translation: pf_test_rule creates the pair */
	__u8 kind;        /* PF_NAT / PF_RDR / PF_BINAT of the new translation */
	__u8 natpass;     /* `nat pass`: the filter rules are not asked */
	__u8 alloc;       /* the port at pside must be chosen from [plow, phigh] */
	__u8 pside;       /* which port (0 = source, 1 = destination) */
	__u8 dynif;       /* the source comes from the route (`($if)`), see pf_nat_dynif */
	__u8 late;        /* OpenBSD rules: the filter saw the untranslated packet */
	__u16 plow;       /* host order */
	__u16 phigh;
	__u32 rule;       /* pf_natrules index (slot-relative) of the new translation */
	__u32 dynif_idx;  /* the interface of a `($if)` pool */
	__u32 fail;       /* PFRES_MAPFAILED: the rule matched, its pool had nothing */
	/* the packet as it arrived ... */
	struct pf_addr osrc;
	struct pf_addr odst;
	__be16 osport;
	__be16 odport;
	/* ... and as it leaves */
	__be16 nsport;
	__be16 ndport;
	struct pf_addr nsrc;
	struct pf_addr ndst;
	/* an ICMP error quoting a translated packet (ierr set): the quoted
	 * packet's new fields; the outer ones are the o- and n- fields above */
	__u8 ierr;
	__u8 via;         /* how the packet's key was found in pf_natmap: PF_NATV_* */
	__u8 pad[2];
	__be16 isport;
	__be16 idport;
	struct pf_addr isrc;
	struct pf_addr idst;
	/* a new translation's keys, [PF_SK_WIRE] and [PF_SK_STACK] */
	struct pf_state_key key[2];
};

/* pf_nat_work.via */
enum { PF_NATV_NONE = 0, PF_NATV_WIRE = 1, PF_NATV_STACK = 2 };

#endif /* PF_NAT_WORK_H */
