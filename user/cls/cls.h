/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cls.h - the rule compiler: struct pfbpf_rule[] -> classifier map contents
 * (include/pfbpf_cls.h) for one ruleset slot.  See docs/classifier.md.
 *
 * Usage (a commit, as DIOCXCOMMIT):
 *	pfbpf_cls_compile(rules, n, table_id, arg, &img, err, sizeof(err));
 *	pfbpf_cls_install(img, inactive_slot, map_fd, arg);
 *	then flip pf_config.active to inactive_slot (one 4-byte write),
 *	pfbpf_cls_free(img).
 * A failed compile touches no map, so the running ruleset stays.
 */
#ifndef PFBPF_CLS_USER_H
#define PFBPF_CLS_USER_H

#include <stddef.h>
#include "pfbpf_rule.h"
#include "pfbpf_cls.h"

struct pfbpf_cls_image;

/* Table name -> id (0 .. PF_MAX_TABLES-1), or a negative errno
 * (-ENOENT: no such table).  The id is the big-endian `table` field of
 * struct pf_table_key in pf_tables. */
typedef int (*pfbpf_table_id_fn)(const char *name, void *arg);

/* Per-rule timeout profile (pf_tprofiles index) -> assigned by the ctl
 * layer; return 0 for "global timeouts" or a negative errno. */
typedef int (*pfbpf_tprofile_fn)(const struct pfbpf_rule *r, void *arg);

/*
 * Compile n rules (in ruleset order; rule i becomes index i of the slot).
 * tid may be NULL when no rule names a table.  On error returns a negative
 * errno and writes a message naming the rule and the limit or field into
 * err; *out is left NULL.
 */
int pfbpf_cls_compile(const struct pfbpf_rule *rules, size_t n, pfbpf_table_id_fn tid, void *arg,
		      struct pfbpf_cls_image **out, char *err, size_t errlen);

/* Optional: set every rule's tprofile through fn before install. */
/* Give rule i the rule id rids[i] (pfbpf_types.h "Rule ids"). */
void pfbpf_cls_set_rids(struct pfbpf_cls_image *img, const __u32 *rids, size_t n);
int pfbpf_cls_set_tprofiles(struct pfbpf_cls_image *img, const struct pfbpf_rule *rules,
			    pfbpf_tprofile_fn fn, void *arg);

/*
 * Write every classifier map (pf_rules, pf_c_*) for `slot`, removing the
 * slot's stale entries.  map_fd(name, arg) returns the fd of the map with
 * that name (PFBPF_MAP_* / PFBPF_MAP_CLS_*) or a negative errno.  The slot
 * must not be the active one, nor have been active until a moment ago
 * (packets still reading it would see it half-written):
 * pfbpf_cls_commit() waits for an RCU grace period first and is the way
 * to commit.
 */
int pfbpf_cls_install(const struct pfbpf_cls_image *img, unsigned slot,
		      int (*map_fd)(const char *map_name, void *arg), void *arg);

/*
 * A whole commit (DIOCXCOMMIT): wait until no packet can still be reading
 * the inactive slot (an RCU grace period), install into it, then flip pf_config.active to it and bump
 * pf_config.ruleset_gen, in one update of pf_config.  The read-modify-write
 * of pf_config assumes one writer (the control tool) at a time.  *slot_out
 * (may be NULL) receives the slot now active.  On error nothing a packet
 * sees has changed.
 */
int pfbpf_cls_commit(const struct pfbpf_cls_image *img,
		     int (*map_fd)(const char *map_name, void *arg), void *arg, unsigned *slot_out);

void pfbpf_cls_free(struct pfbpf_cls_image *img);

/* Translate one rule into the datapath's view (table ids resolved by tid).
 * tprofile is left 0.  Returns 0 or a negative errno. */
int pfbpf_cls_rule_bpf(const struct pfbpf_rule *r, pfbpf_table_id_fn tid, void *arg,
		       struct pf_rule_bpf *out);

/* Statistics of a compiled image, for pfctl -sr -vv and the bench. */
struct pfbpf_cls_stats {
	unsigned nrules;
	unsigned nbms;      /* distinct bitmaps */
	unsigned npool;     /* non-zero words stored */
	unsigned nprefixes; /* LPM entries */
	unsigned nifs;      /* interfaces named */
	unsigned layout;    /* bit layout used: 3 finest .. 0 plain (docs/classifier.md) */
};
void pfbpf_cls_stats(const struct pfbpf_cls_image *img, struct pfbpf_cls_stats *st);

/* Reference evaluation: pf's linear walk (first match of quick, else last
 * match) over the rules as compiled, in user space.  in_table(rule side
 * table id, af, addr) answers table membership.  Used by tests to
 * cross-check the classifier and by pfctl_bpf for `-n` diagnostics. */
struct pfbpf_cls_pkt {
	__u8 dir, af, proto, tcp_flags, icmp_type, icmp_code, has_ports, pad;
	__u32 ifindex;
	struct pf_addr src, dst;
	__u16 sport, dport; /* host order */
};
int pfbpf_cls_linear(const struct pfbpf_cls_image *img, const struct pfbpf_cls_pkt *p,
		     int (*in_table)(unsigned table, __u8 af, const struct pf_addr *a, void *arg),
		     void *arg, __u32 *stop);

#endif /* PFBPF_CLS_USER_H */
