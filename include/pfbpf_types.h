/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_types.h - everything that crosses the kernel/user line.
 *
 * Included by the BPF programs (after vmlinux.h) and by user space (after
 * nothing: it pulls <linux/types.h> itself).  Every field is fixed width,
 * padding is explicit and every struct size is asserted, so the BPF object,
 * pfctl_bpf, pftrace and the tests agree byte for byte.
 *
 * Byte order: addresses and ports are kept in network byte order, exactly as
 * they sit on the wire (as pf does).  Everything else is host order.
 */
#ifndef PFBPF_TYPES_H
#define PFBPF_TYPES_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifdef __cplusplus
#define PFBPF_ASSERT(c, m) static_assert(c, m)
#else
#define PFBPF_ASSERT(c, m) _Static_assert(c, m)
#endif

/* ------------------------------------------------------------------------ */
/* Pinning: one bpffs folder shared by iproute2 and our own loader.         */
/* ------------------------------------------------------------------------ */

/*
 * iproute2 (libbpf mode) pins LIBBPF_PIN_BY_NAME maps in /sys/fs/bpf/tc/globals
 * for tc and xdp alike; our loader uses the same folder so that an object
 * attached with `ip link set dev X xdp obj ...`, one attached with `tc filter
 * ... bpf da obj ...` and one attached by pfctl_bpf -e all share one state
 * table.  Map names are at most 15 characters (BPF_OBJ_NAME_LEN - 1).
 */
#define PFBPF_BPFFS "/sys/fs/bpf"
#define PFBPF_PIN_DIR "/sys/fs/bpf/tc/globals"
/* Program pins made by our own loader, one per attached interface. */
#define PFBPF_PROG_PIN_DIR "/sys/fs/bpf/pfbpf"

#define PFBPF_MAP_STATES "pf_states"       /* LRU hash: pf_state_key -> pf_state */
#define PFBPF_MAP_CONFIG "pf_config"       /* array[1]: struct pf_config */
#define PFBPF_MAP_COUNT "pf_count"         /* array[1]: struct pf_gcount (atomics) */
#define PFBPF_MAP_STATUS "pf_status"       /* percpu array[1]: struct pf_status_pcpu */
#define PFBPF_MAP_RULECTR "pf_rulectr"     /* percpu array[PF_RULECTR_ENTRIES] */
#define PFBPF_MAP_RULESTATES "pf_rulestates" /* array[...]: __u32 current states */
#define PFBPF_MAP_IFCTR "pf_ifctr"         /* percpu hash: ifindex -> pf_if_counters */
#define PFBPF_MAP_EVENTS "pf_events"       /* ringbuf of pf_event / pf_ip_event */
#define PFBPF_MAP_TIMER "pf_timer"         /* array[1]: bpf_timer driving the sweep */
#define PFBPF_MAP_TPROF "pf_tprofiles"     /* array[PF_MAX_TPROFILES]: pf_tprofile */
#define PFBPF_MAP_CREATORS "pf_creators"   /* array[PF_MAX_CREATORS]: __u32 creatorid */
#define PFBPF_MAP_TABLES "pf_tables"       /* LPM trie: pf_table_key -> pf_table_entry */
#define PFBPF_MAP_TABLESTAT "pf_tablestat" /* percpu array[PF_MAX_TABLES]: pf_table_stats */
#define PFBPF_MAP_FRAGS "pf_frags"         /* LRU hash: fragments whose first fragment passed */

/* ------------------------------------------------------------------------ */
/* pf constants (values as in pf so that pfctl's numbers read the same).    */
/* ------------------------------------------------------------------------ */

/* Two ruleset slots (active, inactive): see "Rulesets" below. */
#define PF_RULESET_SLOTS 2

#define PF_INET 2   /* AF_INET on Linux and BSD */
#define PF_INET6 10 /* AF_INET6 on Linux (BSD: 24/28); we store Linux values */

enum pf_direction { PF_INOUT = 0, PF_IN = 1, PF_OUT = 2 };
enum pf_action { PF_PASS = 0, PF_DROP = 1 }; /* pf's PF_DROP is `block` */

/* Key slots of a state, as pf: they differ only under NAT. */
enum { PF_SK_WIRE = 0, PF_SK_STACK = 1, PF_SK_BOTH = 2 };

/* pf's port/uid operators (PF_OP_*), same order as pf. */
enum pf_op {
	PF_OP_NONE = 0,
	PF_OP_IRG = 1, /* a >< b : a < x < b   */
	PF_OP_EQ = 2,  /* = a                  */
	PF_OP_NE = 3,  /* != a                 */
	PF_OP_LT = 4,  /* < a                  */
	PF_OP_LE = 5,  /* <= a                 */
	PF_OP_GT = 6,  /* > a                  */
	PF_OP_GE = 7,  /* >= a                 */
	PF_OP_XRG = 8, /* a <> b : x < a || x > b */
	PF_OP_RRG = 9, /* a:b : a <= x <= b    */
};

/* TCP peer states (TCPS_*), the numbering pf and DTrace scripts use. */
enum pf_tcps {
	TCPS_CLOSED = 0,
	TCPS_LISTEN = 1,
	TCPS_SYN_SENT = 2,
	TCPS_SYN_RECEIVED = 3,
	TCPS_ESTABLISHED = 4,
	TCPS_CLOSE_WAIT = 5,
	TCPS_FIN_WAIT_1 = 6,
	TCPS_CLOSING = 7,
	TCPS_LAST_ACK = 8,
	TCPS_FIN_WAIT_2 = 9,
	TCPS_TIME_WAIT = 10,
	TCP_NSTATES = 11,
};

/* UDP and "other" peer states (pf's PFUDPS_* / PFOTHERS_*). */
enum { PFUDPS_NO_TRAFFIC = 0, PFUDPS_SINGLE = 1, PFUDPS_MULTIPLE = 2 };
enum { PFOTHERS_NO_TRAFFIC = 0, PFOTHERS_SINGLE = 1, PFOTHERS_MULTIPLE = 2 };

/* Timeout classes, pf's PFTM_* order (FreeBSD). */
enum pf_timeout {
	PFTM_TCP_FIRST_PACKET = 0,
	PFTM_TCP_OPENING = 1,
	PFTM_TCP_ESTABLISHED = 2,
	PFTM_TCP_CLOSING = 3,
	PFTM_TCP_FIN_WAIT = 4,
	PFTM_TCP_CLOSED = 5,
	PFTM_UDP_FIRST_PACKET = 6,
	PFTM_UDP_SINGLE = 7,
	PFTM_UDP_MULTIPLE = 8,
	PFTM_ICMP_FIRST_PACKET = 9,
	PFTM_ICMP_ERROR_REPLY = 10,
	PFTM_OTHER_FIRST_PACKET = 11,
	PFTM_OTHER_SINGLE = 12,
	PFTM_OTHER_MULTIPLE = 13,
	PFTM_FRAG = 14,
	PFTM_INTERVAL = 15,
	PFTM_ADAPTIVE_START = 16,
	PFTM_ADAPTIVE_END = 17,
	PFTM_SRC_NODE = 18,
	PFTM_TS_DIFF = 19,
	PFTM_MAX = 20,
	PFTM_PURGE = 21,
	PFTM_UNLINKED = 22,
};

/* Limits (pf's PF_LIMIT_*). */
enum pf_limit {
	PF_LIMIT_STATES = 0,
	PF_LIMIT_SRC_NODES = 1,
	PF_LIMIT_FRAGS = 2,
	PF_LIMIT_TABLES = 3,
	PF_LIMIT_TABLE_ENTRIES = 4,
	PF_LIMIT_MAX = 5,
};

/* Reasons (pf's PFRES_*), the order `pfctl -si` prints them in. */
enum pf_reason {
	PFRES_MATCH = 0,     /* explicit match of a rule */
	PFRES_BADOFF = 1,    /* bad offset for pull_hdr */
	PFRES_FRAG = 2,      /* dropping following fragment */
	PFRES_SHORT = 3,     /* dropping short packet */
	PFRES_NORM = 4,      /* dropping by normalizer */
	PFRES_MEMORY = 5,    /* dropped due to lacking mem */
	PFRES_TS = 6,        /* bad TCP timestamp (RFC1323) */
	PFRES_CONGEST = 7,   /* congestion */
	PFRES_IPOPTIONS = 8, /* IP option */
	PFRES_PROTCKSUM = 9, /* protocol checksum invalid */
	PFRES_BADSTATE = 10, /* state mismatch */
	PFRES_STATEINS = 11, /* state insertion failure */
	PFRES_MAXSTATES = 12,/* state limit */
	PFRES_SRCLIMIT = 13, /* source node/conn limit */
	PFRES_SYNPROXY = 14, /* SYN proxy */
	PFRES_MAPFAILED = 15,/* pf_map_addr() failed */
	PFRES_MAX = 16,
};
#define PFRES_NAMES                                                          \
	{ "match", "bad-offset", "fragment", "short", "normalize", "memory", \
	  "bad-timestamp", "congestion", "ip-option", "proto-cksum",         \
	  "state-mismatch", "state-insert", "state-limit", "src-limit",      \
	  "synproxy", "map-failed" }

/* State table counters (pf's FCNT_*). */
enum { FCNT_STATE_SEARCH = 0, FCNT_STATE_INSERT = 1, FCNT_STATE_REMOVALS = 2, FCNT_MAX = 3 };

/* Limit counters (pf's LCNT_*), kept for `pfctl -si -v`. */
enum {
	LCNT_STATES = 0, LCNT_SRCSTATES = 1, LCNT_SRCNODES = 2, LCNT_SRCCONN = 3,
	LCNT_SRCCONNRATE = 4, LCNT_OVERLOAD_TABLE = 5, LCNT_OVERLOAD_FLUSH = 6,
	LCNT_SYNFLOODS = 7, LCNT_SYNCOOKIES_SENT = 8, LCNT_SYNCOOKIES_VALID = 9, /* OpenBSD's */
	LCNT_MAX = 10,
};

/* pf defaults (OpenBSD sys/net/pf_ioctl.c, pfctl parse.y).  Timeouts: pf_default_timeout() in pf_timeout.h. */
#define PF_DEFAULT_LIMIT_STATES 100000
/* adaptive.start/end set to 0 ("scaling off"): pfbpf_ioctl.h explains. */
#define PFBPF_ADAPTIVE_OFF 0x80000000u
#define PFBPF_ADAPTIVE_MAX 0x7fffffffu
#define PF_DEFAULT_LIMIT_SRC_NODES 10000
#define PF_DEFAULT_LIMIT_FRAGS 5000
#define PF_DEFAULT_LIMIT_TABLES 1000
#define PF_DEFAULT_LIMIT_TABLE_ENTRIES 200000

/*
 * The state map holds more entries than `limit states`: the limit is what
 * the datapath enforces with pf_gcount.states, the slack covers the
 * per-CPU free lists of the kernel's LRU (which can run dry before the map
 * is full), so LRU eviction stays a safety net that never fires below the
 * limit.  The loader may size the map differently (pfctl_bpf -e -S N).
 */
#define PF_STATE_MAP_SLACK 4096
#define PF_DEFAULT_STATE_MAP_SIZE (PF_DEFAULT_LIMIT_STATES + PF_STATE_MAP_SLACK)
/*
 * How much slack a machine needs (kernel/bpf/bpf_lru_list.c, common LRU):
 * every possible CPU keeps a local free list refilled LOCAL_FREE_TARGET
 * (128) nodes at a time from the global one, and a refill that finds fewer
 * than 128 global free nodes evicts instead of taking them from the other
 * CPUs' lists.  So up to 128 free nodes per CPU, plus the batch being
 * refilled, can be out of reach while live states are evicted.  The loader
 * sizes the map limit + pfbpf_state_map_slack(possible CPUs); 4096 stays the
 * floor (it covers 31 CPUs).  BPF_F_NO_COMMON_LRU is worse for a shared
 * table: it splits the map into per-CPU LRUs of max_entries / CPUs each,
 * so one busy CPU evicts while the others' shares sit empty.
 */
#define PF_LRU_LOCAL_FREE_TARGET 128
static inline __u32 pfbpf_state_map_slack(__u32 ncpus)
{
	__u64 s = (__u64)PF_LRU_LOCAL_FREE_TARGET * ((__u64)ncpus + 1);

	return s > PF_STATE_MAP_SLACK ? (__u32)(s > 0x40000000u ? 0x40000000u : s) :
					PF_STATE_MAP_SLACK;
}

/* TCP (pf_tcp_track_full) */
#define PF_MAXACKWINDOW (65535 + 1500)
#define PF_WSCALE_FLAG 0x80
#define PF_WSCALE_MASK 0x0f
#define PF_TCP_MAX_WINSHIFT 14

/* ------------------------------------------------------------------------ */
/* Addresses and the state key                                              */
/* ------------------------------------------------------------------------ */

/* An IPv4 address sits in v4 (first 4 bytes), the other 12 bytes are zero. */
struct pf_addr {
	union {
		__u8 addr8[16];
		__u16 addr16[8];
		__u32 addr32[4];
		__u32 v4;   /* network byte order */
		__u8 v6[16];
	};
};
PFBPF_ASSERT(sizeof(struct pf_addr) == 16, "pf_addr layout");

/*
 * The state key, pf's pf_state_key.  The order of the two endpoints follows
 * pf: for a packet travelling in direction `dir`, the source goes into
 * slot sidx = (dir == PF_IN ? 0 : 1) and the destination into the other,
 * so both directions of one connection build the same key.  For ICMP query
 * types the echo id is both ports.  Other protocols have ports 0.
 *
 * One state may own two keys (PF_SK_WIRE, PF_SK_STACK); they differ only
 * under NAT.  The map is keyed by the wire key; a NAT'd state's stack key
 * will live in a separate map pointing at the wire key, so a state without
 * NAT (the common case) costs one entry.
 */
struct pf_state_key {
	struct pf_addr addr[2];
	__be16 port[2];
	__u8 af;    /* PF_INET or PF_INET6 */
	__u8 proto; /* IPPROTO_* */
	__u8 pad[2]; /* zero: keys are compared as bytes */
};
PFBPF_ASSERT(sizeof(struct pf_state_key) == 40, "pf_state_key layout");

/* ------------------------------------------------------------------------ */
/* The state                                                                */
/* ------------------------------------------------------------------------ */

/*
 * One state, the map value.  It is 80 bytes so that with the key (40) and the
 * kernel's htab_elem header (48) plus the bucket array (~17 at 1M entries) a
 * state costs under 192 bytes of kernel memory.  What had to give:
 *  - per-peer fields are arrays indexed by peer (0 = the side that created
 *    the state, pf's `src`; 1 = pf's `dst`), which also saves the pointer
 *    swap pf does;
 *  - packet counters are 32 bit (bytes stay 64 bit): they wrap after 2^32
 *    packets in one direction; pfctl shows them modulo 2^32;
 *  - af and proto live in the key only;
 *  - the creator id is a one-byte index into pf_creators (slot 0 = our
 *    hostid); per-rule timeouts are a one-byte index into pf_tprofiles, which
 *    outlive ruleset reloads as pf's rule references do;
 *  - seqdiff (modulate state) is not kept: modulate state is not supported.
 */
struct pf_state {
	__u64 id;          /* pf's 64-bit state id (host order) */
	__u64 bytes[2];    /* [0]: in the state's direction, [1]: reverse */
	__u32 packets[2];
	__u32 creation;    /* seconds of CLOCK_BOOTTIME */
	__u32 expire;      /* last refresh, seconds of CLOCK_BOOTTIME (pf semantics:
			    * the state dies at expire + timeout[timeout]) */
	__u32 ifindex;     /* interface that created the state */
	__u32 rule;        /* rule id (PF_RID_BASE..) of the rule that created it,
			    * PF_RULE_NONE if none: see "Rule ids" below */
	__u32 seqlo[2];    /* peer: highest sequence number sent */
	__u32 seqhi[2];    /* peer: highest acked by the other side + its window */
	__u16 max_win[2];  /* peer: largest unscaled window seen */
	__u16 mss[2];      /* peer: MSS option of its SYN (0 if none) */
	__u8 wscale[2];    /* peer: PF_WSCALE_FLAG | shift, 0 if no option */
	__u8 pstate[2];    /* peer: TCPS_* / PFUDPS_* / PFOTHERS_* */
	__u8 timeout;      /* PFTM_* class */
	__u8 flags;        /* PFSTATE_F_* */
	__u8 tprofile;     /* index into pf_tprofiles, 0 = global timeouts */
	__u8 creator;      /* index into pf_creators, 0 = this host */
};
PFBPF_ASSERT(sizeof(struct pf_state) == 80, "pf_state must stay 80 bytes");

#define PF_RULE_NONE 0xffffffffu /* state made without a rule (empty ruleset, DIOCADDSTATE) */

/* pf_state.flags */
#define PFSTATE_F_OUT 0x01       /* direction: set = PF_OUT, clear = PF_IN */
#define PFSTATE_F_WSCALE 0x02    /* both SYNs carried wscale: scaling in force */
#define PFSTATE_F_IFBOUND 0x04   /* state-policy if-bound: matches only ifindex */
#define PFSTATE_F_LOG 0x08       /* rule had `log` */
#define PFSTATE_F_ESTAB_SEEN 0x10 /* tcp-established already emitted */
#define PFSTATE_F_CLOSED_SEEN 0x20 /* tcp-closed already emitted */
#define PFSTATE_F_IMPORTED 0x40  /* made by DIOCADDSTATE */
/* The rule that made the state said allow-opts (pf's PFSTATE_ALLOWOPTS).
 * Kept in the state: the rule itself may be retired by then. */
#define PFSTATE_F_ALLOWOPTS 0x80

static inline __u8 pf_state_dir(const struct pf_state *s)
{
	return (s->flags & PFSTATE_F_OUT) ? PF_OUT : PF_IN;
}

/* Per-rule timeout overrides: 0 in a slot means "use the global value". */
#define PF_MAX_TPROFILES 256
struct pf_tprofile {
	__u32 timeout[PFTM_MAX];
	__u32 refs; /* rules of any loaded ruleset using it (user space bookkeeping) */
	__u32 pad;
};
PFBPF_ASSERT(sizeof(struct pf_tprofile) == 88, "pf_tprofile layout");

#define PF_MAX_CREATORS 256

/* ------------------------------------------------------------------------ */
/* Configuration, written by pfctl_bpf, read on every packet                */
/* ------------------------------------------------------------------------ */

enum pf_block_policy { PF_BLOCK_DROP = 0, PF_BLOCK_RETURN = 1 };
/* ICMP errors answering `block return` per second and CPU, as OpenBSD's
 * icmp_error() limits them (net.inet.icmp.errppslimit, 100). */
#define PF_RETURN_ICMP_PPS 100
enum pf_state_policy { PF_STATE_FLOATING = 0, PF_STATE_IFBOUND = 1 };
enum pf_debug { PF_DEBUG_NONE = 0, PF_DEBUG_URGENT = 1, PF_DEBUG_MISC = 2, PF_DEBUG_NOISY = 3 };

/* Fragment policy (docs/datapath.md, "Fragments"): XDP cannot reassemble. */
enum pf_frag_policy {
	PF_FRAG_STATEFUL = 0,    /* default (zero, as a fresh map): first
				  * fragments are filtered as packets; later
				  * fragments pass only when the first fragment
				  * of their datagram passed (docs/datapath.md) */
	PF_FRAG_DROP = 1,        /* drop every fragment, count PFRES_FRAG */
};

/* pf_config.trace bits: which packet events a consumer wants */
#define PF_TRACE_IP_RECEIVE 0x1
#define PF_TRACE_IP_SEND 0x2

/*
 * A map created by iproute2 starts zeroed, so zero must mean "filtering, pf
 * defaults": a zero timeout or limit means the pf default (PF_DEFAULT_*),
 * hostid 0 is replaced by a random one when the sweep timer is armed.
 */
struct pf_config {
	__u32 stopped;       /* DIOCSTOP sets, DIOCSTART clears: nonzero passes every packet */
	__u32 debug;         /* PF_DEBUG_* */
	__u32 hostid;        /* pf's creatorid of our states */
	__u32 active;        /* active ruleset slot: 0 or 1 */
	__u32 timeout[PFTM_MAX];
	__u32 limit[PF_LIMIT_MAX];
	__u32 block_policy;  /* PF_BLOCK_* */
	__u32 state_policy;  /* PF_STATE_* */
	__u32 frag_policy;   /* PF_FRAG_* */
	__u32 trace;         /* PF_TRACE_* bits, zero: no packet events (zero cost) */
	__u32 status_ifindex;/* DIOCSETSTATUSIF, 0 = none */
	__u32 nat_rules[PF_RULESET_SLOTS]; /* translation rules per slot (pf_natrules);
					    * also the gate: no NAT code runs while
					    * both are 0 and pf_natmap is empty */
	__u32 syncookies;    /* PF_SYNCOOKIES_* (pfbpf_syncookie.h) */
	__u32 syncookies_start; /* adaptive: hundredths of a percent of limit states, 0 = 25% */
	__u32 syncookies_end;   /* ... 0 = 12% */
	__u32 pad_sc;
	__u64 since;         /* CLOCK_BOOTTIME ns when enabled (pf_status.since) */
	__u64 ruleset_gen;   /* bumped by every commit, a ticket source */
	__u64 state_id_base; /* ids are state_id_base + pf_gcount.next_id, as pf */
};
PFBPF_ASSERT(sizeof(struct pf_config) == 4 * 4 + 4 * PFTM_MAX + 4 * PF_LIMIT_MAX + 11 * 4 + 3 * 8,
	     "pf_config layout");

/* Global (not per-CPU) counters that need atomicity: the state limit. */
struct pf_gcount {
	__s64 states;        /* current states, __sync_fetch_and_add'ed */
	__u64 next_id;       /* state id generator */
	__u64 evicted;       /* states the LRU dropped behind our back (found by the sweep) */
	__u64 sweeps;        /* completed sweeps */
	__u64 last_sweep_ns; /* CLOCK_BOOTTIME of the last sweep */
	__u64 timer_armed;   /* nonzero once the sweep timer runs */
	__s64 nat_pairs;     /* key pairs in pf_natmap: with nat_rules[], the NAT gate */
};
PFBPF_ASSERT(sizeof(struct pf_gcount) == 56, "pf_gcount layout");

/* ------------------------------------------------------------------------ */
/* Counters                                                                 */
/* ------------------------------------------------------------------------ */

/* Indexes into pcounters/bcounters. */
enum { PF_AF_IDX_INET = 0, PF_AF_IDX_INET6 = 1, PF_AF_IDX_MAX = 2 };
enum { PF_DIR_IDX_IN = 0, PF_DIR_IDX_OUT = 1, PF_DIR_IDX_MAX = 2 };
enum { PF_VERDICT_IDX_PASS = 0, PF_VERDICT_IDX_DROP = 1, PF_VERDICT_IDX_MAX = 2 };

/* Per-CPU part of pf_status; user space sums the CPUs. */
struct pf_status_pcpu {
	__u64 counters[PFRES_MAX];
	__u64 lcounters[LCNT_MAX];
	__u64 fcounters[FCNT_MAX];
	__u64 pcounters[PF_AF_IDX_MAX][PF_DIR_IDX_MAX][PF_VERDICT_IDX_MAX];
	__u64 bcounters[PF_AF_IDX_MAX][PF_DIR_IDX_MAX];
	__u64 events_lost;   /* ring buffer full: events dropped (packets never are) */
	__u64 ip_events_lost;
	__u64 unhandled;     /* non-IP frames passed without inspection */
	__u64 icmp_err_nostate; /* ICMP errors dropped for quoting no state */
	__u64 return_rst;    /* block return: TCP RSTs sent (XDP_TX or tc redirect) */
	__u64 return_icmp;   /* block return: ICMP / ICMPv6 errors sent */
	__u64 return_icmp_limited; /* ... not sent: over PF_RETURN_ICMP_PPS */
};
/* tests/netns/pftrace_flood.sh reads these with bpftool at fixed offsets */
PFBPF_ASSERT(__builtin_offsetof(struct pf_status_pcpu, pcounters) == 232 &&
	     __builtin_offsetof(struct pf_status_pcpu, events_lost) == 328,
	     "pf_status_pcpu offsets: update tests/netns/pftrace_flood.sh");

/* Per-rule, per-CPU counters. pf's `evaluations` come from stops[]. */
struct pf_rule_counters {
	__u64 packets[2]; /* [0] in, [1] out */
	__u64 bytes[2];
	__u64 states_tot;
	__u64 stops;      /* first packets whose walk stopped at this rule (quick) */
};
PFBPF_ASSERT(sizeof(struct pf_rule_counters) == 48, "pf_rule_counters layout");

/* Per-interface, per-CPU counters (pfi_kif's pfik_packets/bytes). */
struct pf_if_counters {
	__u64 packets[PF_AF_IDX_MAX][PF_DIR_IDX_MAX][PF_VERDICT_IDX_MAX];
	__u64 bytes[PF_AF_IDX_MAX][PF_DIR_IDX_MAX][PF_VERDICT_IDX_MAX];
	__u64 states;     /* states created on this interface */
};

/* ------------------------------------------------------------------------ */
/* Rulesets                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * Two ruleset slots (active and inactive); pf_config.active flips between
 * them on commit, so a packet sees either the whole old or the whole new
 * ruleset.  Rule numbers are per slot.  The classifier maps that let a packet
 * find its rule in nearly constant time are described in pfbpf_cls.h.
 */
#define PF_MAX_RULES 16384 /* per ruleset; 256 words of 64 bits */

/*
 * Rule ids.  pf's states hold a reference on their rule, so a state keeps
 * its rule's label, number and counters however many reloads come after
 * (the old rule lives on, out of every ruleset, until its last state
 * dies).  Here a state holds a rule id: every rule loaded into a slot gets
 * a fresh id (pf_rule_bpf.rid), which indexes pf_rulectr and pf_rulestates;
 * user space (user/ioctl/ioctl_ruleid.c) keeps each id's identity in
 * pf_xflat and frees an id only once it is in no slot and no state counts
 * against it.  Ids start at PF_RID_BASE: the entries below are per slot
 * position (slot * PF_MAX_RULES + position) and hold only the `stops` that
 * pf's evaluations are summed from, a property of the ruleset walk, not of
 * the rule's identity.  PF_MAX_RIDS leaves room for both slots full and one
 * more ruleset's worth of retired rules with states.
 */
#define PF_RID_BASE (PF_RULESET_SLOTS * PF_MAX_RULES)
#define PF_MAX_RIDS (3 * PF_MAX_RULES)
#define PF_RULECTR_ENTRIES (PF_RID_BASE + PF_MAX_RIDS)

/* pf_rulestates / pf_rulectr index of the rule that made the state. */
static inline __u32 pf_state_slotidx(const struct pf_state *s)
{
	return s->rule < PF_RULECTR_ENTRIES ? s->rule : 0;
}

#define PF_MAX_TABLES 1024
#define PF_TABLE_NAME_SIZE 32
#define PF_RULE_LABEL_SIZE 64
#define PF_RULE_MAX_LABEL_COUNT 5 /* `label` keywords on one rule, as FreeBSD */

/* What the datapath needs of the winning rule (pf_rules map value). */
struct pf_rule_bpf {
	__u32 nr;          /* pf rule number, as pfctl -sr -v shows it */
	__u32 max_states;  /* (max N), 0 = unlimited */
	__u8 action;       /* PF_PASS / PF_DROP */
	__u8 rule_flag;    /* PFRULE_* below (block answers, allow-opts) */
	__u8 keep_state;   /* PF_STATE_NONE / PF_STATE_NORMAL */
	__u8 direction;    /* PF_INOUT / PF_IN / PF_OUT */
	__u8 tprofile;     /* timeouts (pf_tprofiles index) */
	__u8 log;
	__u8 quick;
	__u8 af;           /* 0 = any */
	__u16 src_table;   /* table id + 1 to test after the classifier, 0 = none */
	__u16 dst_table;
	__u8 src_table_neg;
	__u8 dst_table_neg;
	__u8 return_icmp_type;  /* for block return-icmp */
	__u8 return_icmp_code;
	__u32 rid;         /* rule id (see "Rule ids"), given at load */
};
PFBPF_ASSERT(sizeof(struct pf_rule_bpf) == 28, "pf_rule_bpf layout");

enum { PF_STATE_NONE = 0, PF_STATE_NORMAL = 1, PF_STATE_MODULATE = 2,
       PF_STATE_SYNPROXY = 3 /* bpf/pf_synproxy.h */ };
/* pf_rule_bpf.rule_flag: how a block answers */
#define PFRULE_DROP 0x0000
#define PFRULE_RETURNRST 0x0001
#define PFRULE_RETURNICMP 0x0004
#define PFRULE_RETURN 0x0008
/* pass ... allow-opts: IPv4 packets with options may pass by this rule and
 * its states (pf keeps it as r->allow_opts; here it rides in rule_flag). */
#define PFRULE_ALLOWOPTS 0x0080

/* Tables: one LPM trie for all tables, keyed by (table id, af, address). */
struct pf_table_key {
	__u32 prefixlen;   /* 32 (table + af + pad) + address bits */
	__u16 table;       /* big endian: it is part of the matched prefix */
	__u8 af;
	__u8 pad;
	struct pf_addr addr;
};
PFBPF_ASSERT(sizeof(struct pf_table_key) == 24, "pf_table_key layout");
struct pf_table_entry {
	__u8 neg;          /* `!addr` inside a table: a match means no match */
	__u8 pad[3];
	__u32 ctime;       /* seconds of CLOCK_REALTIME when added (pfr_tstats) */
};
struct pf_table_stats {
	__u64 match;       /* lookups that hit */
	__u64 nomatch;
};

/* ------------------------------------------------------------------------ */
/* Events (ring buffer)                                                     */
/* ------------------------------------------------------------------------ */

enum pf_event_type {
	PF_EV_STATE_CREATE = 1,
	PF_EV_STATE_CHANGE = 2,   /* a peer state changed */
	PF_EV_TCP_ESTABLISHED = 3,/* both peers ESTABLISHED (once per state) */
	PF_EV_TCP_CLOSED = 4,     /* both peers >= FIN_WAIT_2, or RST (once) */
	PF_EV_STATE_DESTROY = 5,
	PF_EV_SYNCOOKIES = 6,     /* adaptive syncookies: reason 1 = on, 0 = off; no state */
	PF_EV_STATES_EVICTED = 7, /* the sweep found states the LRU dropped: no key, see
				   * pf_event_evicted() */
	PF_EV_IP_RECEIVE = 16,    /* struct pf_ip_event */
	PF_EV_IP_SEND = 17,
};

enum pf_destroy_reason {
	PF_DESTROY_NONE = 0,
	PF_DESTROY_EXPIRED = 1,   /* timed out (sweep or lazy lookup) */
	PF_DESTROY_KILLED = 2,    /* pfctl -k / DIOCKILLSTATES */
	PF_DESTROY_FLUSHED = 3,   /* pfctl -F states / DIOCCLRSTATES */
	PF_DESTROY_EVICTED = 4,   /* the LRU dropped it (found by the sweep) */
	PF_DESTROY_RST = 5,       /* closed by RST */
	PF_DESTROY_FIN = 6,       /* closed by FIN exchange and expired */
};
#define PF_DESTROY_REASON_NAMES \
	{ "none", "expired", "killed", "flushed", "evicted", "rst", "fin" }

/*
 * A state event: a snapshot of the state with both keys, everything the
 * pf DTrace provider's scripts read (docs/pftrace.8).  Without NAT key[PF_SK_STACK] equals
 * key[PF_SK_WIRE].
 */
struct pf_event {
	__u8 type;         /* PF_EV_STATE_* / PF_EV_TCP_* */
	__u8 reason;       /* PF_DESTROY_* for destroy events */
	__u8 direction;    /* PF_IN / PF_OUT */
	__u8 old_pstate[2];/* peer states before a state-change */
	__u8 pad[3];
	__u64 ts_ns;       /* CLOCK_BOOTTIME ns of the event */
	__u32 cpu;
	__u32 creatorid;
	struct pf_state_key key[2];
	struct pf_state state;
};
PFBPF_ASSERT(sizeof(struct pf_event) == 8 + 8 + 8 + 80 + 80, "pf_event layout");

/*
 * PF_EV_STATES_EVICTED: the kernel's LRU drops an entry without saying
 * which, so no destroy event can name the state; the sweep that notices
 * the loss sends one summary instead.  It carries no key: state.id holds
 * how many states went since the last sweep, state.bytes[0] the running
 * total (pf_gcount.evicted) so a consumer that missed one can tell.  A
 * consumer keeping its own view of the table re-lists (DIOCGETSTATES) on
 * this event.
 */
#define pf_event_evicted(ev) ((ev)->state.id)
#define pf_event_evicted_total(ev) ((ev)->state.bytes[0])

/* A packet event for the ip provider (ipinfo_t, ifinfo_t, ipv4info_t, ipv6info_t). */
struct pf_ip_event {
	__u8 type;         /* PF_EV_IP_RECEIVE / PF_EV_IP_SEND */
	__u8 ip_ver;       /* 4 or 6 */
	__u8 verdict;      /* PF_PASS / PF_DROP (ours, not the provider's) */
	__u8 hook;         /* 0 = xdp, 1 = tc */
	__u32 ifindex;
	__u64 ts_ns;
	__u32 cpu;
	__u32 ip_plength;  /* payload length without IP header / v6 ext headers */
	struct pf_addr saddr;
	struct pf_addr daddr;
	/* IPv4 header fields (zero for IPv6) */
	__u8 ipv4_ihl;
	__u8 ipv4_tos;
	__u8 ipv4_flags;
	__u8 ipv4_ttl;
	__u16 ipv4_length;
	__u16 ipv4_ident;
	__u16 ipv4_offset;
	__u16 ipv4_checksum;
	__u8 ipv4_protocol;
	/* IPv6 header fields (zero for IPv4) */
	__u8 ipv6_tclass;
	__u8 ipv6_nexthdr;
	__u8 ipv6_hlim;
	__u32 ipv6_flow;
	__u16 ipv6_plen;
	__u16 pad;
};
PFBPF_ASSERT(sizeof(struct pf_ip_event) == 24 + 32 + 24, "pf_ip_event layout");

#define PF_EVENTS_RINGBUF_SIZE (1 << 22) /* 4 MiB */

/* ------------------------------------------------------------------------ */
/* Control requests: the SEC("syscall") program pf_ctl, run by user space    */
/* with BPF_PROG_TEST_RUN, does what only BPF can (emit destroy events,      */
/* update the state counter atomically).                                     */
/* ------------------------------------------------------------------------ */

enum pf_ctl_op {
	PF_CTL_KILL = 1,      /* remove states matching the filter, emit destroy events */
	PF_CTL_ADD_STATE = 2, /* insert `key`/`state` (DIOCADDSTATE), counted against the limit */
	PF_CTL_SWEEP = 3,     /* expire now what has expired, as the timer does */
	PF_CTL_ARM = 4,       /* arm the sweep timer and fill config defaults */
	PF_CTL_LAYOUT = 5,    /* -EPROTO if the pinned maps' layout stamp is not this
			       * program's (pfbpf_layout.h); id = this program's */
};

/* Filter for PF_CTL_KILL: zero fields match anything. */
struct pf_ctl_req {
	__u32 op;            /* PF_CTL_* */
	__u8 af;
	__u8 proto;
	__u8 reason;         /* PF_DESTROY_KILLED or PF_DESTROY_FLUSHED */
	__u8 src_plen;       /* prefix length of src (0 = any) */
	__u8 dst_plen;
	__u8 pad[3];
	__u32 ifindex;       /* only states created on this interface */
	__u32 rule;          /* only states of this rule; PF_RULE_NONE = any */
	__u32 creatorid;
	__u64 id;            /* only this state id (with creatorid); 0 = any */
	struct pf_addr src;  /* pf's -k: the state's source (the side that opened it) */
	struct pf_addr dst;  /* the state's destination */
	struct pf_state_key key; /* PF_CTL_ADD_STATE */
	struct pf_state state;   /* PF_CTL_ADD_STATE */
	__s32 result;        /* out: 0 or -errno */
	__u32 pad2;
	__u64 count;         /* out: states killed / expired / added */
};

#include "pfbpf_nat.h"
#include "pfbpf_fwd.h"

#endif /* PFBPF_TYPES_H */
