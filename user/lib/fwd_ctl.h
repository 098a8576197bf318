/* SPDX-License-Identifier: BSD-2-Clause */
/* fwd_ctl.h - the forwarding fast path's per-interface switch (fwd_ctl.c). */
#ifndef PFBPF_FWD_CTL_H
#define PFBPF_FWD_CTL_H

#include <stdbool.h>
#include "lib/pfbpf_maps.h"

/* 0 or -errno (-ENOENT: the datapath has no pf_fwd, an older object). */
int pfbpf_forward_set(struct pfbpf_maps *m, unsigned int ifindex, bool on);
int pfbpf_forward_get(struct pfbpf_maps *m, unsigned int ifindex, bool *on);
/* Summed over CPUs. */
int pfbpf_forward_stats(struct pfbpf_maps *m, struct pf_fwd_stats *sum);

#endif
