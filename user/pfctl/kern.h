/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kern.h - pfctl_bpf's kernel operations (kern.c), one per DIOC command.
 * 0 or a negative errno; pfctl_k_strerror(dev) has the reason in words.
 */
#ifndef PFCTL_KERN_H
#define PFCTL_KERN_H

#include <stdbool.h>

#include "pfbpf_ioctl.h"
#include "pfctl.h"

/* path: a pin folder, "/dev/pf" or NULL for $PFBPF_PIN_DIR / the default. */
int pfctl_k_open(const char *path, bool rw);
void pfctl_k_close(int dev);
const char *pfctl_k_strerror(int dev);

int pfctl_k_start(int dev);
int pfctl_k_stop(int dev);
int pfctl_k_get_status(int dev, struct pfctl_status *out);
int pfctl_k_clear_status(int dev);
int pfctl_k_set_statusif(int dev, const char *ifname);
int pfctl_k_set_debug(int dev, __u32 level);
int pfctl_k_set_hostid(int dev, __u32 hostid);
int pfctl_k_set_state_policy(int dev, __u32 policy);
int pfctl_k_get_state_policy(int dev, __u32 *policy);
/* `set syncookies`: PF_SYNCOOKIES_*, thresholds in hundredths of a percent */
int pfctl_k_set_syncookies(int dev, __u32 mode, __u32 start, __u32 end);

int pfctl_k_get_states(int dev, struct pfctl_state **out, size_t *n);
int pfctl_k_kill_states(int dev, struct pfioc_state_kill *psk, unsigned *killed);
int pfctl_k_clear_states(int dev, const char *ifname, unsigned *killed);

int pfctl_k_get_timeouts(int dev, __u32 *timeout);
int pfctl_k_set_timeout(int dev, int which, __u32 seconds);
int pfctl_k_get_limits(int dev, __u32 *limit);
int pfctl_k_set_limit(int dev, int which, __u32 limit);

int pfctl_k_get_rules(int dev, const char *anchor, struct pfctl_rule **out, size_t *n);
/* The nat, rdr and binat rules with their pools (free: pfctl_nat_rules_free). */
int pfctl_k_get_nat_rules(int dev, const char *anchor, struct pfctl_nat_rule **out, size_t *n);
/* The pool of a loaded rule (DIOCGETADDRS, DIOCGETADDR): r_action
 * PF_NAT/PF_RDR/PF_BINAT with r_num its number in that ruleset, else
 * PF_PASS with the filter rule's number. */
int pfctl_k_get_pool(int dev, const char *anchor, __u8 r_action, __u32 r_num,
		     struct pfbpf_pool_addr **out, size_t *n);
/* pf_natstat summed over the CPUs; -ENOENT without translation counters. */
int pfctl_k_get_natstat(int dev, struct pf_nat_stats *out);
/* A rule with its pool (pool_ticket: DIOCBEGINADDRS + DIOCADDADDR first). */
int pfctl_k_add_rule_pool(int dev, __u32 ticket, const char *anchor, const struct pfbpf_rule *r,
			  const char *call, const struct pfbpf_pool_addr *pool, size_t npool);
int pfctl_k_clear_rule_counters(int dev);
int pfctl_k_get_anchors(int dev, const char *path, char (**names)[PF_ANCHOR_NAME_SIZE],
			size_t *n);
/* Every rule of the ruleset at path and, depth first, of every anchor
 * below it: cb(anchor path, number in that ruleset, rule, arg); a nonzero
 * return from cb stops the walk and is returned. */
int pfctl_k_walk_rules(int dev, const char *path,
		       int (*cb)(const char *anchor, size_t nr, const struct pfctl_rule *r, void *arg),
		       void *arg);

struct pfctl_tcounts {
	int nadd, ndel, nchange, nmatch;
};
int pfctl_k_get_tables(int dev, struct pfctl_table **out, size_t *n);
int pfctl_k_get_taddrs(int dev, const char *table, struct pfctl_taddr **out, size_t *n);
int pfctl_k_table_addrs(int dev, unsigned long cmd, const char *table, struct pfctl_taddr *a,
			size_t n, int flags, struct pfctl_tcounts *c);
int pfctl_k_table_simple(int dev, unsigned long cmd, const char *table, struct pfctl_tcounts *c);
int pfctl_k_table_create(int dev, const char *table, __u32 flags, int *created);

int pfctl_k_get_ifaces(int dev, const char *filter, struct pfctl_iface **out, size_t *n);
int pfctl_k_set_ifflag(int dev, const char *ifname, bool set, int flag);

/* A transaction: the rulesets (kind, anchor) that one -f replaces. */
#define PFCTL_TRANS_MAX 64
struct pfctl_trans {
	int n;
	struct pfioc_trans_e e[PFCTL_TRANS_MAX];
};
int pfctl_k_trans_elem(struct pfctl_trans *t, int rs_num, const char *anchor);
int pfctl_k_trans_begin(int dev, struct pfctl_trans *t);
int pfctl_k_trans_commit(int dev, struct pfctl_trans *t);
int pfctl_k_trans_rollback(int dev, struct pfctl_trans *t);
/* call: the anchor an anchor rule calls (r is its filter), NULL for a rule. */
int pfctl_k_add_rule(int dev, __u32 ticket, const char *anchor, const struct pfbpf_rule *r,
		     const char *call);
int pfctl_k_table_define(int dev, __u32 ticket, const char *anchor, const char *name, __u32 flags,
			 const struct pfctl_taddr *a, size_t n);

#endif /* PFCTL_KERN_H */
