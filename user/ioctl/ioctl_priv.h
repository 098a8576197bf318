/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ioctl_priv.h - libpfbpf internals shared by the per-command files.
 */
#ifndef PFBPF_IOCTL_PRIV_H
#define PFBPF_IOCTL_PRIV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "pfbpf.h"
#include "pf_timeout.h"
#include "pf_kill.h"
#include "lib/pf_xflat.h" /* pf_xflat: the map, its records, their reading */
#include "lib/pin_open.h"  /* map table, open errors, pf_ctl loader */
#include <pthread.h>

struct bpf_object;

/*
 * The maps the library opens are lib/pin_open.h's enum pfm: the datapath's
 * first, then its own control maps (PFM_FIRST_CTL on), created and pinned
 * by libpfbpf next to the datapath's maps so that every process using the
 * same pin folder shares them (and they go away with it).  The datapath
 * never reads them.
 */

/*
 * Rule text: area 0 is the active ruleset, area 1 the open transaction.
 * An anchor call (pf's anchor_call) keeps its filter as the rule at its
 * number, and the called anchor's name under the same key in area + 2,
 * the value holding the name (XR_CALL_OF(area)).
 */
enum { XR_ACTIVE = 0, XR_STAGED = 1, XR_ACTIVE_CALL = 2, XR_STAGED_CALL = 3 };
#define XR_CALL_OF(area) ((area) + 2)
struct pfbpf_xrule_key {
	__u32 area;
	__u32 nr;
	char anchor[PFBPF_ANCHOR_MAXLEN];
};
#define PFBPF_XRULES_MAX (3 * PF_MAX_RULES)
/* Pool addresses of translation rules (ioctl_pool.c) live in pf_xrules
 * too, under the rule's anchor, in their own areas; key nr is
 * XR_POOL_NR(rule number, address number).  The rule's rpool.naddrs says
 * how many it has. */
enum { XR_POOL_ACTIVE = 4, XR_POOL_STAGED = 5 };
/* The commit journal (ioctl_rules.c): the anchors a DIOCXCOMMIT in
 * progress replaces, one key each (nr = position, the value unused). */
enum { XR_XACT = 6 };
#define XR_POOL_NR(nr, i) ((nr) * PF_MAX_POOL_ADDRS + (i))

/* Transaction bookkeeping. */
struct pfbpf_xmeta {
	__u32 ticket;      /* ticket of the open transaction, 0 = none */
	__u32 ticket_seq;  /* last ticket handed out */
	__u64 begin_gen;   /* pf_config.ruleset_gen at DIOCXBEGIN */
	__u32 owner_pid;   /* process that began it (diagnostics only) */
	__u32 commit;      /* XJ_*: a DIOCXCOMMIT of ticket in progress */
};
/*
 * pfbpf_xmeta.commit.  A commit writes many map entries; a client killed
 * in the middle must not leave the rule text half old, half new.  Phase
 * one (checks and compiling into the inactive slot) changes nothing;
 * before phase two the anchors go into the journal (XR_XACT) and commit
 * says XJ_APPLY; after the slot flip, XJ_FLIPPED; at the end 0.  Whoever
 * next takes the pin folder's lock and finds commit set finishes the job
 * (ctl_commit_recover): from the staged text again for XJ_APPLY, only the
 * clean-up for XJ_FLIPPED.  So a commit happens whole or not at all.
 */
enum { XJ_APPLY = 1, XJ_FLIPPED = 2, XJ_TABLES = 0x100 };


#define PFBPF_NO_TABLE 0xffff
/* pfbpf_xtable.flags: a translation pool takes its addresses from the
 * table (internal, never shown: above pf's PFR_TFLAG_* bits) */
#define PFBPF_XT_POOL 0x80000000u
struct pfbpf_xtable {
	__u16 id;          /* table id in pf_tables keys */
	__u16 stage_id;    /* DIOCRINADEFINE contents, PFBPF_NO_TABLE if none */
	__u32 flags;       /* PFR_TFLAG_PERSIST/CONST/COUNTERS/ACTIVE/INACTIVE */
	__u32 cnt;         /* addresses under id */
	__u32 stage_cnt;
	__s64 tzero;       /* CLOCK_REALTIME seconds of creation or last clear */
	__u32 stage_ticket;
	__u32 stage_flags; /* user flags the staged definition will bring */
};

struct pfbpf_xif {
	__u32 flags;       /* PFI_IFLAG_SKIP */
	__u32 pad;
	__s64 tzero;
};

/* Anchor calls may nest this deep (pf has no limit; a loop through an
 * absolute path would otherwise never end). */
#define CTL_ANCHOR_DEPTH 16

/* A ruleset's text: rules and, per rule, the anchor it calls ("" if none). */
struct ctl_rs {
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_rule *r;
	char (*call)[PFBPF_ANCHOR_MAXLEN]; /* NULL: no calls */
	__u32 n;
};

/* Where a flat rule came from. */
struct ctl_origin {
	char anchor[PFBPF_ANCHOR_MAXLEN]; /* its ruleset, "" = main */
	__u32 nr;                          /* its number there */
	__u32 seq;                         /* order of expansion, before quick reordering */
	__u32 ncalls;
	__u32 calls[CTL_ANCHOR_DEPTH];     /* anchor calls (ctl_flat.calls) that brought it in */
};

/* An anchor call rule met while flattening. */
struct ctl_call {
	char anchor[PFBPF_ANCHOR_MAXLEN]; /* ruleset holding the anchor rule */
	__u32 nr;                          /* its number there */
	__u32 seq;
	__u32 pos;                         /* flat rules before it */
};

/* The ruleset the datapath runs: the main ruleset, anchors expanded. */
struct ctl_flat {
	struct pfbpf_rule *r;
	struct ctl_origin *o;
	__u32 n;
	struct ctl_call *calls;
	__u32 ncalls;
	/* Translation rules (ioctl_natcompile.c), in the order pf_natrules
	 * gets them: r/o hold only the rules the filter classifier decides
	 * with; nat/rdr/binat and match rules are here instead, a pass rule
	 * with nat-to in both (xowner: its index in r, else UINT32_MAX). */
	struct pfbpf_rule *xr;
	struct ctl_origin *xo;
	__u32 *xowner;
	__u32 nx;
	bool dynif;         /* some rule named `($if)` (expanded by ctl_flat_split) */
};

struct pfbpf_handle {
	/* Calls on one handle go one at a time (lock); refs counts the
	 * threads inside a call or waiting for one, so that pfbpf_close
	 * frees the handle only once the last of them has left. */
	pthread_mutex_t lock;
	int refs;           /* under handle.c's table lock */
	int dev;            /* handle number: a descriptor we own (dup of pf_config) */
	int flags;          /* O_RDONLY / O_RDWR */
	int dir_fd;         /* pin folder, flock'ed by writers */
	int ncpu;
	bool pool_tables;   /* the last compile read a table into a pool */
	int fd[PFM_MAX];    /* -1 until opened */
	int ctl_prog_fd;    /* pf_ctl syscall program, -1 unknown, -2 absent */
	struct pfbpf_ctl ctl; /* pf_ctl loaded by us (ctl.obj owns ctl_prog_fd) */
	char pin_dir[PATH_MAX];
	char reason[512];
	/* Classifier maps the compiler asked for, kept open. */
#define CTL_XFD_MAX 16
	struct {
		char name[16];
		int fd;
	} xfd[CTL_XFD_MAX];
	/* The pending pool (DIOCBEGINADDRS / DIOCADDADDR, ioctl_pool.c),
	 * taken by the next DIOCADDRULE naming pool_ticket. */
	__u32 pool_ticket;     /* 0 = none handed out */
	__u32 pool_seq;
	__u32 pool_n;
	struct pfbpf_pool_addr pool[PF_MAX_POOL_ADDRS];
	/* DIOCADDRULE: rules already staged for (ticket, anchor) */
	__u32 add_ticket;
	__u32 add_count;
	char add_anchor[PFBPF_ANCHOR_MAXLEN];
	/* The active ruleset with its anchors expanded (ioctl_anchor.c),
	 * valid for pf_config.ruleset_gen == flat_gen. */
	struct ctl_flat flat;
	__u64 flat_gen;
	bool flat_valid;
	/* Expanding `($if)` for a listing, not a commit: an interface gone
	 * since the load has no addresses instead of failing the listing. */
	bool dynif_lenient;
	/* DIOCGETRULE walking a listing (ioctl_rulelist.c): what every call
	 * would otherwise read again, taken when a listing starts (nr 0). */
	struct ctl_rulelist {
		bool valid;
		__u64 gen;
		char anchor[PFBPF_ANCHOR_MAXLEN];
		__u32 n;                          /* rules in the ruleset */
		char (*calls)[PFBPF_ANCHOR_MAXLEN]; /* their anchor calls, or NULL */
		__u32 slot;
		__u64 *stops_from;                /* [r]: stops at positions >= r */
	} rl;
	/* pf_xflat of both slots, valid for ruleset_gen == origin_gen. */
	struct pf_xflat_origins origins;
	__u64 origin_gen;
	bool origin_valid;
	/* Rule ids given to the ruleset being compiled (ioctl_ruleid.c), one
	 * per rule, from ruleset_prepare to ctl_flat_record. */
	__u32 *rids;
	__u32 nrids;
};

/* One DIOC command. */
struct pfbpf_cmd {
	unsigned long cmd;
	int (*fn)(struct pfbpf_handle *h, void *arg);
	const char *name;
	bool write;         /* changes something: needs O_RDWR and the lock */
};
extern const struct pfbpf_cmd ctl_cmds[];

/* Record the reason for a failure; returns err (negative errno). */
int ctl_fail(struct pfbpf_handle *h, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Map access: fd of map m (opening it on first use), or -errno with reason. */
int ctl_map(struct pfbpf_handle *h, enum pfm m);
int ctl_cfg_read(struct pfbpf_handle *h, struct pf_config *cfg);
int pfbpf_cmd_getsyncookies(struct pfbpf_handle *h, void *arg); /* ioctl_syncookie.c */
int ctl_cfg_write(struct pfbpf_handle *h, const struct pf_config *cfg);
int ctl_gcount_read(struct pfbpf_handle *h, struct pf_gcount *gc);
int ctl_xmeta_read(struct pfbpf_handle *h, struct pfbpf_xmeta *m);
/* Finish a commit a dead client left half done (caller holds the pin
 * folder's lock exclusively).  0 when there was none. */
int ctl_commit_recover(struct pfbpf_handle *h);
int ctl_xmeta_write(struct pfbpf_handle *h, const struct pfbpf_xmeta *m);

/* Per-CPU maps: read all CPUs of one element into buf (ncpu * round8(size)),
 * zero one element on every CPU. */
size_t ctl_pcpu_stride(size_t size);
int ctl_pcpu_read(struct pfbpf_handle *h, enum pfm m, const void *key, void *buf, size_t size);
int ctl_pcpu_zero(struct pfbpf_handle *h, enum pfm m, const void *key, size_t size);

/* Is a datapath program (XDP or tc) using our pf_config loaded? */
int ctl_datapath_loaded(struct pfbpf_handle *h);
/* Run pf_ctl with req; -ENODEV when no pf_ctl program is loaded. */
int ctl_run_ctl(struct pfbpf_handle *h, struct pf_ctl_req *req);

/* Time */
__u64 ctl_boot_ns(void);
__s64 ctl_real_s(void);

/* States (ioctl_states.c): what a listing resolves once (creator ids,
 * timeout profiles, the last interface name) and the export itself. */
struct ctl_export {
	__u32 now;
	__u32 ifindex;
	char ifname[IFNAMSIZ];
	__u32 creators[PF_MAX_CREATORS];
	struct pf_tprofile tp[PF_MAX_TPROFILES];
	int rulestates_fd; /* pf_rulestates, for rules that scale on their own */
	/* To name s.rule per ruleset: the origins of each slot's rules
	 * (owned by the handle), NULL when unknown. */
	const struct pf_xflat_origins *origins;
	int natmap_fd;     /* pf_natmap, -1 if absent: the stack keys */
};
void ctl_export_init(struct pfbpf_handle *h, struct ctl_export *x);
void ctl_state_export(struct ctl_export *x, const struct pf_config *cfg, __u64 nstates,
		      const struct pf_state_key *k, const struct pf_state *s, struct pfbpf_state *out);

/* Translation (ioctl_nat.c): the stack key of the state whose wire key
 * is wire (wire itself when it does not translate). */
void ctl_nat_stack_key(int natmap_fd, const struct pf_state_key *wire, struct pf_state_key *out);

/* Pools (ioctl_pool.c): the pending pool for rule r added with
 * pool_ticket; *out (n entries, owned by the handle) is empty for a rule
 * that does not translate. */
int ctl_pool_take(struct pfbpf_handle *h, const struct pfbpf_rule *r, __u32 pool_ticket,
		  struct pfbpf_pool_addr **out, __u32 *n);

/* Pool storage (ioctl_pool.c): addresses of rule nr of anchor in area
 * (XR_POOL_*). */
int ctl_pool_store(struct pfbpf_handle *h, __u32 area, const char *anchor, __u32 nr,
		   const struct pfbpf_pool_addr *a, __u32 n);
int ctl_pool_load(struct pfbpf_handle *h, __u32 area, const char *anchor, __u32 nr,
		  struct pfbpf_pool_addr *out, __u32 n);
/* Drop the pools of area (of one anchor, or all when anchor is NULL). */
int ctl_pools_clear(struct pfbpf_handle *h, __u32 area, const char *anchor);
/* At commit: the staged pools of anchor replace its active ones. */
int ctl_pools_commit(struct pfbpf_handle *h, const char *anchor);

/* Translation (ioctl_natcompile.c).  ctl_flat_split: expand `($if)`
 * addresses and move translation rules out of f->r into f->x*.
 * ctl_nat_install: f's translation rules and pools into slot of
 * pf_natrules / pf_natpool and pf_config.nat_rules[slot]; pools of the
 * rulesets in over are the staged ones. */
int ctl_flat_split(struct pfbpf_handle *h, struct ctl_flat *f);
int ctl_nat_install(struct pfbpf_handle *h, const struct ctl_flat *f, const struct ctl_rs *over,
		    size_t nover, __u32 slot);
/* Does r translate (or is it a `no` rule or a match rule) -- a rule the
 * filter classifier never decides with? */
bool ctl_rule_is_xlate_only(const struct pfbpf_rule *r);

/* `($if)` addresses of filter rules, resolved now (ioctl_dynif.c):
 * the rules r stands for, one per address (*out, *nout, malloc'ed);
 * a rule naming an interface that does not exist is -ENOENT. */
int ctl_dynif_expand(struct pfbpf_handle *h, const struct pfbpf_rule *r,
		     struct pfbpf_rule **out, __u32 *nout);

/* PF_CHANGE_* of DIOCCHANGERULE / DIOCCHANGEADDR: the position in a
 * list of n where the element goes (or, for REMOVE, which one goes);
 * -EINVAL when BEFORE/AFTER/REMOVE name no element. */
int ctl_change_at(__u32 action, __u32 nr, __u32 n, __u32 *at);

/* Recompile the active ruleset (DIOCCHANGEADDR changed a pool). */
int ctl_ruleset_reload(struct pfbpf_handle *h);

/* Rules (ioctl_rules.c) */
int ctl_xrules_load(struct pfbpf_handle *h, __u32 area, const char *anchor,
		      struct pfbpf_rule **rules, __u32 *n);
int ctl_anchor_check(struct pfbpf_handle *h, const char *anchor, char *out);

/* Anchor calls of one ruleset: *calls gets n names ("" for plain rules). */
int ctl_xcalls_load(struct pfbpf_handle *h, __u32 area, const char *anchor, __u32 n,
		    char (**calls)[PFBPF_ANCHOR_MAXLEN]);

/* Anchors (ioctl_anchor.c).  ctl_flatten: the main ruleset with anchors
 * expanded, the rulesets in over replacing the stored active ones. */
int ctl_flatten(struct pfbpf_handle *h, const struct ctl_rs *over, size_t nover,
		struct ctl_flat *out);
void ctl_flat_free(struct ctl_flat *f);
int ctl_flat_active(struct pfbpf_handle *h, const struct ctl_flat **out);
/* Record / read where the rules of a slot came from (pf_xflat). */
int ctl_flat_record(struct pfbpf_handle *h, const struct ctl_flat *f, __u32 slot);

/* Rule ids (ioctl_ruleid.c, pfbpf_types.h "Rule ids"). */
/* Free what slot held, then n fresh ids (zeroed counters) into rids. */
int ctl_rid_assign(struct pfbpf_handle *h, __u32 slot, __u32 n, __u32 *rids);
/* Record the identity (number, anchor, labels) of f's rules under their ids. */
int ctl_rid_record(struct pfbpf_handle *h, const struct ctl_flat *f, __u32 slot,
		   const __u32 *rids, __u32 n);
/* The id of the rule at position pos of slot, 0 if none. */
__u32 ctl_rid_at(struct pfbpf_handle *h, __u32 slot, __u32 pos);
/* Does the rule of id rid carry label (any of its labels)? */
bool ctl_rid_has_label(const struct pf_xflat_origins *x, __u32 rid, const char *label);
int ctl_flat_origins(struct pfbpf_handle *h);
bool ctl_flat_from(const struct ctl_flat *f, __u32 i, const char *anchor, __u32 nr);
/* Restrict rule r to the packets anchor rule c matches: 1 done, 0 r can
 * never match then, -1 not expressible as one rule (why says what). */
int ctl_rule_restrict(struct pfbpf_rule *r, const struct pfbpf_rule *c, char *why, size_t len);

/* Tables (ioctl_tables.c) */
int ctl_table_id(struct pfbpf_handle *h, const char *name, bool create);
int ctl_tables_commit(struct pfbpf_handle *h, __u32 ticket);
int ctl_tables_rollback(struct pfbpf_handle *h, __u32 ticket);
int ctl_tables_gc(struct pfbpf_handle *h);

/* DIOCGETRULE's listing cache (ioctl_rulelist.c). */
int ctl_rulelist_get(struct pfbpf_handle *h, const char *anchor, __u64 gen, __u32 nr);
__u64 ctl_rulelist_evals(struct pfbpf_handle *h, __u32 slot, __u32 nflat, __u32 from);
void ctl_rulelist_free(struct pfbpf_handle *h);
/* The addresses of table `name` (not the negated ones) as pool addresses,
 * for a translation pool `<name>`; marks the table as a pool's, so that
 * changing it recompiles the ruleset.  *out is malloc'ed. */
int ctl_table_pool_addrs(struct pfbpf_handle *h, const char *name, struct pfbpf_pool_addr **out,
			 __u32 *n);
/* After table `id`'s addresses changed: recompile if a pool uses it. */
int ctl_table_pool_changed(struct pfbpf_handle *h, const struct pfbpf_xtable *xt);

/* Classifier (ioctl_compile.c).  Tests may set ctl_install_hook to stand
 * in for the compiler. */
extern int (*ctl_install_hook)(struct pfbpf_handle *h, const struct pfbpf_rule *rules,
				 __u32 n, __u32 slot);
int ctl_compile_install(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			  __u32 slot);

#endif /* PFBPF_IOCTL_PRIV_H */
