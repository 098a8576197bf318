/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader.h - attach and detach the pfbpf datapath (what pf's DIOCSTART and
 * DIOCSTOP need on Linux): XDP or tc on ingress (chosen per interface,
 * lib/hook_choice.h), tc on egress, maps pinned by name
 * in PFBPF_PIN_DIR so that iproute2 attachments, our own and the tools all
 * share one state table.
 *
 * Program pins, so that another process can detach:
 *   PFBPF_PROG_PIN_DIR/pf_ctl           the control program (one for all)
 *   PFBPF_PROG_PIN_DIR/<ifname>/xdp     the XDP program attached to ifname
 *   PFBPF_PROG_PIN_DIR/<ifname>/tc_ingress  or the tc ingress one
 *   PFBPF_PROG_PIN_DIR/<ifname>/tc_egress
 */
#ifndef PFBPF_LOADER_H
#define PFBPF_LOADER_H

#include <stdbool.h>

#include "pfbpf_types.h"
#include "lib/hook_choice.h"

struct pfbpf_load_opts {
	/* Ingress hook: PFBPF_HOOK_AUTO chooses per interface (native XDP on
	 * a physical NIC, tc if its driver refuses; tc on virtual links);
	 * PFBPF_HOOK_XDP forces XDP (native, else generic), _XDP_GENERIC
	 * generic XDP, _TC tc ingress. */
	enum pfbpf_hook hook;
	bool generic;         /* the same as hook = PFBPF_HOOK_XDP_GENERIC */
	__u32 limit_states;   /* `set limit states`, 0 = leave as is */
	__u32 map_size;       /* pf_states entries when the table is created now;
			       * 0 = the object's size */
	const char *obj_path; /* NULL: embedded skeleton, else this object file */
	/* Timeouts to set, seconds; 0 = leave as is. */
	__u32 timeout[PFTM_MAX];
};

/* Mount bpffs at /sys/fs/bpf if nothing is mounted there. */
int pfbpf_bpffs_mount(void);

/* Load the datapath once and attach it to every interface of ifnames.
 * On failure, interfaces attached by this call are detached again. */
int pfbpf_attach(char *const *ifnames, int n, const struct pfbpf_load_opts *opts);
/* Remove our XDP and tc programs from ifname and their pins.  -ENOENT if
 * pfbpf was not attached there by the loader. */
int pfbpf_detach(const char *ifname);
/* The ingress hook the loader put on ifname: PFBPF_HOOK_XDP (native),
 * _XDP_GENERIC or _TC; -ENOENT if the loader did not attach there.
 * Egress is always tc. */
int pfbpf_attached_hook(const char *ifname, enum pfbpf_hook *ingress);
/* Detach from every interface with pins, then remove every pin (maps
 * included: the state table goes when the last program using it goes). */
int pfbpf_purge(void);

/* Interfaces the loader has attached to (names of pin folders); calls cb
 * for each, stops on a nonzero return. */
int pfbpf_attached_foreach(int (*cb)(const char *ifname, void *arg), void *arg);

/*
 * The datapath attached without the loader, by plain iproute2 (`ip link
 * set dev X xdp obj pf_kern.bpf.o`, `tc filter add dev X ingress|egress
 * bpf da obj ...`): no program pins, so pfbpf_attached_foreach cannot see
 * it.  A program is ours when it is named pf_xdp, pf_tc_in or pf_tc_out
 * and uses the pf_states map with kernel id states_map_id.
 */
struct pfbpf_foreign_attach {
	char ifname[16];
	unsigned int ifindex;
	__u32 xdp_id;        /* 0: none of ours */
	__u8 xdp_mode;       /* XDP_ATTACHED_DRV / _SKB / _HW */
	__u32 tc_id[2];      /* clsact ingress, egress; 0: none of ours */
};
bool pfbpf_prog_is_datapath(__u32 prog_id, __u32 states_map_id);
/* Calls cb for every interface (without loader pins) carrying one of our
 * programs; stops on a nonzero return. */
int pfbpf_foreign_foreach(int states_fd,
			  int (*cb)(const struct pfbpf_foreign_attach *a, void *arg), void *arg);

#endif /* PFBPF_LOADER_H */
