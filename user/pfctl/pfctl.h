/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfctl.h - pfctl_bpf's internal view of what it shows.
 *
 * The printers (show_*.c) work on these plain structs, filled either from
 * the kernel (kern.c, the only file that talks pfbpf_ioctl) or from fixed
 * values in the unit tests.  Keeping the two apart lets the tests pin the
 * exact text of every output without a datapath, and keeps the formats in
 * one place when the ioctl structures change.
 */
#ifndef PFCTL_PFCTL_H
#define PFCTL_PFCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>

#include "pfbpf_types.h"
#include "pfbpf_rule.h"
#include "pfbpf_ioctl.h"
#include "pfbpf_syncookie.h"
#include "lib/json_out.h"
#include "lib/pf_names.h"

/* pfctl's option bits (PF_OPT_*), the subset that changes output. */
#define PFCTL_OPT_VERBOSE 0x0001
#define PFCTL_OPT_VERBOSE2 0x0002 /* -vv */
#define PFCTL_OPT_NUMERIC 0x0004
#define PFCTL_OPT_QUIET 0x0008
#define PFCTL_OPT_SHOWALL 0x0010 /* -s all: section titles */
#define PFCTL_OPT_JSON 0x0020
#define PFCTL_OPT_NOACTION 0x0040 /* -n */
#define PFCTL_OPT_DEBUG 0x0080
#define PFCTL_OPT_OPTIONS_ONLY 0x0100 /* -O: load only the options of -f */
#define PFCTL_OPT_RULES_ONLY 0x0200   /* -R: load only the rules (and tables) */

/* ---- common formatting (fmt.c) ---------------------------------------- */

/* "tcp", "udp", "icmp", "ipv6-icmp", ... or NULL when unknown. */
const char *pfctl_proto_name(__u8 proto);
/* Address and port as pfctl prints them: 192.0.2.1:22, 2001:db8::1[22]. */
void pfctl_print_host(FILE *f, const struct pf_addr *a, __be16 port, __u8 af);
int pfctl_addr_str(const struct pf_addr *a, __u8 af, char *buf, size_t len);
/* HH:MM:SS with hours unbounded, as pfctl prints ages. */
void pfctl_print_hms(FILE *f, __u32 secs);
const char *pfctl_tcp_state_name(__u8 s);
const char *pfctl_timeout_name(int pftm);
const char *pfctl_debug_name(__u32 level); /* "None", "Urgent", "Misc", "Loud" */
/* Parse "none|urgent|misc|loud" (pfctl -x); -EINVAL when unknown. */
int pfctl_debug_parse(const char *s, __u32 *level);

/* ---- states (show_states.c) --------------------------------------------- */

struct pfctl_state {
	struct pf_state_key key[2]; /* [PF_SK_WIRE], [PF_SK_STACK] */
	struct pf_state st;
	__u32 creatorid;             /* resolved from st.creator */
	__u32 age;                   /* seconds since creation */
	__u32 expires_in;            /* seconds until it expires, 0 if due */
	char ifname[IF_NAMESIZE];    /* "all" for a floating state */
	char origin_if[IF_NAMESIZE]; /* interface that created it ("" if gone) */
	char rule_anchor[128];       /* ruleset of st.rule ("" = main): st.rule
				      * numbers rules per ruleset, as pfctl */
	char corrupt[64];            /* "" or why the map entry is no state
				      * (pfbpf_state.corrupt): never printed as one */
};

void pfctl_print_state(FILE *f, const struct pfctl_state *s, int opts);
void pfctl_json_state(struct jw *w, const struct pfctl_state *s);
void pfctl_show_states(FILE *f, const struct pfctl_state *s, size_t n, int opts);
void pfctl_json_states(struct jw *w, const struct pfctl_state *s, size_t n);

/* ---- status (show_info.c) ----------------------------------------------- */

struct pfctl_status {
	__u64 counters[PFRES_MAX];
	__u64 lcounters[LCNT_MAX];
	__u64 fcounters[FCNT_MAX];
	__u64 pcounters[PF_AF_IDX_MAX][PF_DIR_IDX_MAX][PF_VERDICT_IDX_MAX];
	__u64 bcounters[PF_AF_IDX_MAX][PF_DIR_IDX_MAX];
	__u64 states;        /* current entries */
	__u64 runtime;       /* seconds since enabled (rates are per this) */
	__u64 since;         /* CLOCK_REALTIME seconds when enabled or cleared, 0 = never */
	__u32 running;
	__u32 debug;
	__u32 hostid;
	char ifname[IF_NAMESIZE]; /* status interface, "" = none */
	/* every interface together (pf counts only the status interface) */
	__u64 all_pcounters[PF_AF_IDX_MAX][PF_DIR_IDX_MAX][PF_VERDICT_IDX_MAX];
	__u64 all_bcounters[PF_AF_IDX_MAX][PF_DIR_IDX_MAX];
	/* pfbpf's own datapath counters, shown with -v */
	__u64 evicted;
	__u64 events_lost;
	__u64 ip_events_lost;
	__u64 unhandled;
	__u64 icmp_err_nostate;
	/* `set syncookies` (DIOCGETSYNCOOKIES), when the datapath has it */
	bool has_syncookies;
	struct pfioc_syncookies syncookies;
	__u64 syncookies_bad;
	/* translation (pf_natstat summed over the CPUs), when the datapath has it */
	bool has_nat;
	struct pf_nat_stats nat;
};

void pfctl_show_status(FILE *f, const struct pfctl_status *s, int opts);
void pfctl_json_status(struct jw *w, const struct pfctl_status *s);
/* -s Running */
void pfctl_show_running(FILE *f, const struct pfctl_status *s);

/* ---- timeouts and limits (show_timeouts.c) ------------------------------ */

/* The tables themselves: pf_timeouts[] and pf_limits[] in lib/pf_names.h. */
extern const struct pf_limit_desc *const pfctl_limits;

/* Timeout seconds indexed by PFTM_*; limits by PF_LIMIT_* (UINT32_MAX = unlimited). */
void pfctl_show_timeouts(FILE *f, const __u32 *timeout, int opts);
void pfctl_json_timeouts(struct jw *w, const __u32 *timeout);
void pfctl_show_limits(FILE *f, const __u32 *limit, int opts);
void pfctl_json_limits(struct jw *w, const __u32 *limit);
/* "tcp.established" -> PFTM_TCP_ESTABLISHED, -1 when unknown */
int pfctl_timeout_lookup(const char *name);

/* ---- rules and labels (show_rules.c) ------------------------------------ */

struct pfctl_rule {
	struct pfbpf_rule r;
	char anchor_call[128];   /* anchor rule: the anchor it calls, "" otherwise */
	__u64 evaluations;
	__u64 packets[2];
	__u64 bytes[2];
	__u64 states_cur;
	__u64 states_tot;
	/* -sr: the pool of a pass or match rule with nat-to/rdr-to/binat-to
	 * (malloc'ed by show_rules_common, NULL everywhere else) */
	struct pfbpf_pool_addr *pool;
	size_t npool;
	/* "" or libpfbpf's reason the map entry is no rule (DIOCGETRULE
	 * EBADMSG); r is then all zeroes and the rule is never printed */
	char corrupt[160];
};

/* How a rule's text is produced: the pf.conf printer of the conf library
 * in pfctl_bpf, a fixed one in the tests.  The printer writes the "@nr "
 * prefix itself when opts has PFCTL_OPT_VERBOSE2. */
typedef void (*pfctl_rule_printer)(FILE *f, const struct pfbpf_rule *r, int opts);
extern pfctl_rule_printer pfctl_rule_print_fn;
/* The same for a rule whose pool is known (pool[0 .. r->rpool.naddrs)). */
typedef void (*pfctl_rule_pool_printer)(FILE *f, const struct pfbpf_rule *r,
					const struct pfbpf_pool_addr *pool, int opts);
extern pfctl_rule_pool_printer pfctl_rule_pool_print_fn;
/* Anchor rules (`anchor "x" in proto tcp`): the filter in r, the call. */
typedef void (*pfctl_anchor_printer)(FILE *f, const struct pfbpf_rule *r, const char *call,
				     int opts);
extern pfctl_anchor_printer pfctl_anchor_print_fn;

void pfctl_show_rules(FILE *f, const struct pfctl_rule *r, size_t n, int opts);
/* The -v counter lines under a rule (nothing without -v). */
void pfctl_print_rule_counters(FILE *f, const struct pfctl_rule *r, int opts);

/* ---- translation rules (show_nat.c) ------------------------------------- */

/* A rule of pf's nat, rdr or binat ruleset (or its `no` form).  Inline:
 * kern.c, which the exporter links alone, needs it too. */
static inline bool pfctl_rule_is_nat(const struct pfbpf_rule *r)
{
	return r->action >= PF_NAT && r->action <= PF_NORDR;
}

struct pfctl_nat_rule {
	struct pfctl_rule rule;          /* r.nr: its number in the nat, rdr or
					  * binat ruleset, as -sn -vv shows it */
	struct pfbpf_pool_addr *pool;    /* DIOCGETADDR's answers (malloc'ed) */
	size_t npool;
};

/* pfctl -sn: nat rules, then rdr, then binat, as pfctl_show_nat. */
void pfctl_print_nat_rule(FILE *f, const struct pfctl_nat_rule *r, int opts);
void pfctl_show_nat(FILE *f, const struct pfctl_nat_rule *r, size_t n, int opts);
void pfctl_json_nat(struct jw *w, const struct pfctl_nat_rule *r, size_t n);
static inline void pfctl_nat_rules_free(struct pfctl_nat_rule *r, size_t n)
{
	for (size_t i = 0; r && i < n; i++)
		free(r[i].pool);
	free(r);
}
void pfctl_json_rules(struct jw *w, const struct pfctl_rule *r, size_t n);
void pfctl_show_labels(FILE *f, const struct pfctl_rule *r, size_t n, int opts);
void pfctl_json_labels(struct jw *w, const struct pfctl_rule *r, size_t n);

/* ---- tables (show_tables.c) --------------------------------------------- */

#define PFCTL_TFLAG_CONST 0x01
#define PFCTL_TFLAG_PERSIST 0x02
#define PFCTL_TFLAG_ACTIVE 0x04
#define PFCTL_TFLAG_INACTIVE 0x08
#define PFCTL_TFLAG_REFERENCED 0x10
#define PFCTL_TFLAG_REFDANCHOR 0x20
#define PFCTL_TFLAG_COUNTERS 0x40

struct pfctl_table {
	char name[PF_TABLE_NAME_SIZE];
	char anchor[1024];
	__u32 flags;       /* PFCTL_TFLAG_* */
	__u32 cnt;         /* addresses */
	__u32 refs_rules;
	__u32 refs_anchors;
	__u64 match;
	__u64 nomatch;
	__s64 tzero;       /* CLOCK_REALTIME seconds of the last clear */
};

enum { PFCTL_TDIR_MAX = 2, PFCTL_TOP_MAX = 3 };

struct pfctl_taddr {
	__u8 af;
	__u8 net;          /* prefix length */
	__u8 neg;
	__u8 fback;        /* feedback of -T add/delete/test (PFR_FB_*) */
	struct pf_addr addr;
	__u64 match;       /* -vv: per-address statistics when kept */
	__s64 tzero;
	/* pfras_packets/bytes: [in, out][block, pass, xpass], as pfctl -v shows. */
	__u64 packets[PFCTL_TDIR_MAX][PFCTL_TOP_MAX];
	__u64 bytes[PFCTL_TDIR_MAX][PFCTL_TOP_MAX];
};

/* pfctl's feedback letters for -v on -T add/delete/test. */
enum {
	PFCTL_FB_NONE = 0, PFCTL_FB_MATCH, PFCTL_FB_ADDED, PFCTL_FB_DELETED,
	PFCTL_FB_CHANGED, PFCTL_FB_CLEARED, PFCTL_FB_CONFLICT, PFCTL_FB_NOTMATCH,
	PFCTL_FB_DUPLICATE, PFCTL_FB_NOCOUNT,
};

void pfctl_show_tables(FILE *f, const struct pfctl_table *t, size_t n, int opts);
void pfctl_json_tables(struct jw *w, const struct pfctl_table *t, size_t n);
void pfctl_print_taddr(FILE *f, const struct pfctl_taddr *a, int opts);
/* pf's radix-tree walk order: inet before inet6, then address, then the
 * longer prefix first.  In place. */
void pfctl_sort_taddrs(struct pfctl_taddr *a, size_t n);
void pfctl_show_taddrs(FILE *f, const struct pfctl_taddr *a, size_t n, int opts);
void pfctl_json_taddrs(struct jw *w, const char *key, const struct pfctl_taddr *a, size_t n);
/* Parse "192.0.2.1", "2001:db8::/32", "!192.0.2.0/24" (no host names). */
int pfctl_taddr_parse(const char *s, struct pfctl_taddr *a);
/* A table file (addr_file.c): addresses of `-T add|delete|... -f FILE`
 * ("-" is standard input).  0, or -errno with file:line:column printed. */
int pfctl_read_addrs(FILE *f, const char *name, struct pfctl_taddr **out, size_t *n);
int pfctl_read_addr_file(const char *path, struct pfctl_taddr **out, size_t *n);

/* ---- interfaces (show_ifaces.c) ----------------------------------------- */

#define PFCTL_IFLAG_SKIP 0x0100

struct pfctl_iface {
	char name[IF_NAMESIZE];
	__u32 flags;        /* PFCTL_IFLAG_* */
	__u32 states;
	__u32 rules;
	__u64 packets[PF_AF_IDX_MAX][PF_DIR_IDX_MAX][PF_VERDICT_IDX_MAX];
	__u64 bytes[PF_AF_IDX_MAX][PF_DIR_IDX_MAX][PF_VERDICT_IDX_MAX];
	__s64 tzero;
	char hook[16];      /* ingress hook pfbpf is attached with, "" if not here */
};

void pfctl_show_ifaces(FILE *f, const struct pfctl_iface *i, size_t n, int opts);
void pfctl_json_ifaces(struct jw *w, const struct pfctl_iface *i, size_t n);

/* ---- -s, -F, -T modifiers (options.c, from pfctl/cmds.h) ---------------- */

/* pfctl's first-prefix lookup: "s" -> "states", "T" -> "Tables". */
const char *pfctl_lookup_option(const char *cmd, const char *const *list);
extern const char *const pfctl_showopt_list[];
extern const char *const pfctl_clearopt_list[];
extern const char *const pfctl_tblcmdopt_list[];
extern const char *const pfctl_debugopt_list[];

#endif /* PFCTL_PFCTL_H */
