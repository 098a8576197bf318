/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_ioctl.h - the /dev/pf ioctl interface (DIOC* commands and pfioc_*
 * structures) as libpfbpf carries it out on the datapath's pinned maps.
 *
 * Command numbers are built like BSD's (_IOWR('D', n, struct ...)) with the
 * BSD numbers, so code written against <net/pfvar.h> keeps its switch
 * statements; they are only ever passed to pfbpf_ioctl(), never to ioctl(2).
 * Field names are those of pf(4)'s ioctl manual (struct pfioc_*).  Where a field has no
 * meaning on Linux the comment says so: the library ignores it on input and
 * zeroes it on output.
 *
 * Byte order: addresses and ports in network order, everything else host
 * order, as in pf.
 */
#ifndef PFBPF_IOCTL_H
#define PFBPF_IOCTL_H

#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include "pfbpf_types.h"
#include "pfbpf_rule.h"

#ifndef MAXPATHLEN
#define MAXPATHLEN 1024
#endif
#define PF_ANCHOR_NAME_SIZE 64
/*
 * Anchor paths are stored as map keys, so they are shorter than MAXPATHLEN:
 * a longer path fails with ENAMETOOLONG.
 */
#define PFBPF_ANCHOR_MAXLEN 120

/*
 * BSD's struct pf_addr: the same 16 bytes as our struct pf_addr, but v4 and
 * v6 are struct in_addr / in6_addr as programs written for pf expect
 * (`nl.saddr.v4.s_addr`).
 */
struct pfioc_addr {
	union {
		struct in_addr v4;
		struct in6_addr v6;
		__u8 addr8[16];
		__u16 addr16[8];
		__u32 addr32[4];
	};
};
PFBPF_ASSERT(sizeof(struct pfioc_addr) == sizeof(struct pf_addr), "pfioc_addr layout");

/* ------------------------------------------------------------------------ */
/* Rules and transactions                                                   */
/* ------------------------------------------------------------------------ */

/* Ruleset kinds (rs_num), pf's PF_RULESET_* order. */
enum {
	PF_RULESET_SCRUB = 0,  /* accepted, must stay empty: no scrub on XDP */
	PF_RULESET_FILTER = 1, /* pass/block rules */
	PF_RULESET_NAT = 2,    /* accepted, must stay empty until NAT lands */
	PF_RULESET_BINAT = 3,  /* idem */
	PF_RULESET_RDR = 4,    /* idem */
	PF_RULESET_MAX = 5,
};
#define PF_RULESET_ALTQ (PF_RULESET_MAX)      /* ENODEV: no ALTQ on Linux */
#define PF_RULESET_TABLE (PF_RULESET_MAX + 1) /* tables defined with DIOCRINADEFINE */

/* DIOCCHANGERULE actions (pf's PF_CHANGE_*). */
enum {
	PF_CHANGE_NONE = 0,
	PF_CHANGE_ADD_HEAD = 1,
	PF_CHANGE_ADD_TAIL = 2,
	PF_CHANGE_ADD_BEFORE = 3,
	PF_CHANGE_ADD_AFTER = 4,
	PF_CHANGE_REMOVE = 5,
	PF_CHANGE_GET_TICKET = 6,
};

/*
 * DIOCADDRULE, DIOCGETRULES, DIOCGETRULE, DIOCCHANGERULE.  pf keeps a rule's
 * counters inside struct pf_rule; here the rule is the parser's struct
 * pfbpf_rule and the counters (filled by DIOCGETRULE) follow it.
 */
struct pfioc_rule {
	__u32 action;      /* DIOCCHANGERULE: PF_CHANGE_* */
	__u32 ticket;      /* from DIOCXBEGIN, DIOCGETRULES or PF_CHANGE_GET_TICKET */
	__u32 pool_ticket; /* no address pools (NAT) yet: ignored */
	__u32 nr;          /* DIOCGETRULES: out, number of rules; DIOCGETRULE: in
			    * (numbers count per ruleset, anchor rules included) */
	char anchor[MAXPATHLEN];      /* "" = main ruleset */
	char anchor_call[MAXPATHLEN]; /* anchor rule: the anchor it calls (relative to
				       * anchor, or absolute with a leading '/'; a last
				       * component "*" calls every child), "" otherwise */
	struct pfbpf_rule rule;
	/* out (DIOCGETRULE): counters of the active ruleset */
	__u64 evaluations; /* first packets whose rule walk reached this rule */
	__u64 packets[2];  /* [0] in, [1] out */
	__u64 bytes[2];
	__u64 states_tot;  /* states created by this rule */
	__u32 states_cur;  /* states of this rule alive now */
	__u32 pad;
};

struct pfioc_trans {
	int size;  /* number of elements */
	int esize; /* sizeof(struct pfioc_trans_e), checked */
	struct pfioc_trans_e {
		int rs_num;   /* PF_RULESET_* */
		char anchor[MAXPATHLEN];
		__u32 ticket; /* out of DIOCXBEGIN, in to DIOCXCOMMIT/DIOCXROLLBACK */
	} *array;
};

struct pfioc_ruleset {
	__u32 nr;
	char path[MAXPATHLEN];
	char name[PF_ANCHOR_NAME_SIZE];
};

/*
 * Translation pools, as pf: DIOCBEGINADDRS hands out a pool ticket and
 * empties the pending pool, DIOCADDADDR appends an address to it, and the
 * next DIOCADDRULE with that pool_ticket takes the pool.  DIOCGETADDRS
 * (anchor, r_action, r_num, ticket from DIOCGETRULES) returns the number
 * of addresses of a loaded rule in nr, DIOCGETADDR (nr) one of them;
 * DIOCCHANGEADDR (action PF_CHANGE_*, nr) edits a loaded rule's pool.
 */
struct pfioc_pooladdr {
	__u32 action;      /* DIOCCHANGEADDR: PF_CHANGE_* */
	__u32 ticket;
	__u32 nr;
	__u32 r_num;       /* rule number in its ruleset */
	__u8 r_action;     /* PF_NAT, PF_RDR, PF_BINAT (which ruleset), or
			    * PF_PASS for a filter rule's nat-to/rdr-to pool */
	__u8 r_last;       /* DIOCCHANGEADDR: the last rule of the ruleset */
	__u8 af;
	char anchor[MAXPATHLEN];
	struct pfbpf_pool_addr addr; /* pf's struct pf_pooladdr */
};

/* ------------------------------------------------------------------------ */
/* States                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * pf's struct pf_state is a kernel object full of pointers; like pfsync's
 * exported state, this is a flat copy: both keys, the datapath's state and
 * what user space resolves from it.
 */
struct pfbpf_state {
	struct pf_state_key key[2]; /* [PF_SK_WIRE], [PF_SK_STACK]: equal without NAT */
	struct pf_state s;          /* the pf_states map value */
	char ifname[IFNAMSIZ];      /* s.ifindex's name, "" if the interface is gone */
	__u32 creatorid;            /* pf_creators[s.creator] (our hostid for slot 0) */
	__u32 expires_in;           /* seconds left when read (0: expired, sweep pending) */
	__u32 age;                  /* seconds since creation, when read */
	__u8 direction;             /* PF_IN / PF_OUT */
	__u8 pad[3];
	/*
	 * s.rule numbers the datapath's ruleset, where anchors are expanded
	 * in place; pf (and pfctl -ss -v "rule N") number rules per ruleset:
	 */
	__u32 rule_nr;              /* number in its ruleset, PF_RULE_NONE if none */
	char rule_anchor[PFBPF_ANCHOR_MAXLEN]; /* that ruleset, "" = main */
	/*
	 * "" for a good entry; otherwise why the map entry cannot be a state
	 * (written by something other than the datapath: a family, peer
	 * state or timeout class it never writes).  Such an entry is still
	 * listed, so a tool can say which one is wrong; its fields are what
	 * the map holds and must not be trusted.
	 */
	char corrupt[64];
};

struct pfioc_state {
	__u32 nr;                  /* DIOCGETSTATE: index in table order when state.s.id is 0 */
	struct pfbpf_state state;  /* DIOCGETSTATE: in s.id (+ creatorid), out all;
				    * DIOCADDSTATE: in key[PF_SK_WIRE] and s */
};

struct pfioc_states {
	int ps_len; /* 0: out, bytes needed for all states; else buffer size in, used out */
	union {
		caddr_t psu_buf;
		struct pfbpf_state *psu_states;
	} ps_u;
#define ps_buf ps_u.psu_buf
#define ps_states ps_u.psu_states
};

/* pf's address wrapper, reduced to what state killing matches on. */
#define PF_ADDR_ADDRMASK 0
struct pf_addr_wrap {
	union {
		struct {
			struct pfioc_addr addr;
			struct pfioc_addr mask; /* contiguous masks only (a prefix) */
		} a;
	} v;
	__u8 type;   /* PF_ADDR_ADDRMASK only */
	__u8 iflags; /* interface address modifiers: meaningless here */
	__u8 pad[2];
};

struct pf_rule_addr {
	struct pf_addr_wrap addr;
	__u16 port[2]; /* network order; DIOCKILLSTATES matches with port_op */
	__u8 neg;      /* must be 0 */
	__u8 port_op;  /* PF_OP_* (pfbpf_rule.h), PF_OP_NONE = any port */
};

struct pfioc_state_kill {
	sa_family_t psk_af; /* in: 0 = any; out: number of states killed */
	int psk_proto;      /* 0 = any */
	struct pf_rule_addr psk_src; /* the side that opened the state */
	struct pf_rule_addr psk_dst;
	char psk_ifname[IFNAMSIZ];   /* "" = any: states created on this interface */
	/* pfbpf extensions, zero = any (pfctl -k id / -k label) */
	__u64 psk_id;        /* kill the state with this id */
	__u32 psk_creatorid; /* ... made by this host (0 = ours) */
	__u32 psk_killed;    /* out: number of states killed (also in psk_af) */
	/* pf's psk_label: only states whose rule carries this label (any of
	 * its labels), however many reloads ago the rule was loaded */
	char psk_label[PF_RULE_LABEL_SIZE];
};

struct pfioc_natlook {
	struct pfioc_addr saddr;
	struct pfioc_addr daddr;
	struct pfioc_addr rsaddr;
	struct pfioc_addr rdaddr;
	__u16 sport;
	__u16 dport;
	__u16 rsport;
	__u16 rdport;
	sa_family_t af;
	__u8 proto;
	__u8 direction;
};

/* ------------------------------------------------------------------------ */
/* Status, timeouts, limits                                                 */
/* ------------------------------------------------------------------------ */

enum { SCNT_SRC_NODE_SEARCH = 0, SCNT_SRC_NODE_INSERT = 1, SCNT_SRC_NODE_REMOVALS = 2, SCNT_MAX = 3 };

struct pf_status {
	__u64 counters[PFRES_MAX];
	__u64 lcounters[LCNT_MAX];
	__u64 fcounters[FCNT_MAX];
	__u64 scounters[SCNT_MAX];   /* no source tracking: zero */
	__u64 pcounters[2][2][3];    /* status interface: [af][in/out][pass/drop/-] */
	__u64 bcounters[2][2];       /* status interface: [af][in/out] bytes */
	__u64 stateid;               /* last state id handed out */
	__u32 running;
	__u32 states;
	__u32 src_nodes;             /* no source tracking: zero */
	__u32 since;                 /* CLOCK_REALTIME seconds when enabled (or cleared) */
	__u32 debug;
	__u32 hostid;
	char ifname[IFNAMSIZ];       /* status interface, "" = none */
	/* pfbpf extensions */
	__u64 all_pcounters[2][2][2]; /* every interface: [af][in/out][pass/drop] */
	__u64 all_bcounters[2][2];
	__u64 events_lost;           /* ring buffer full: events dropped */
	__u64 ip_events_lost;
	__u64 evicted;               /* states the LRU dropped behind pf's back */
	__u64 unhandled;             /* non-IP frames passed uninspected */
	__u64 since_ns;              /* CLOCK_BOOTTIME ns of `since` */
	__u32 limit_states;          /* effective state limit */
	__u8 syncookies_mode;        /* PF_SYNCOOKIES_* (pf_status.syncookies_mode) */
	__u8 syncookies_active;      /* SYNs are being answered with cookies */
	__u16 pad;
	__u64 syncookies_halfopen;   /* half-open TCP states (pf's states_halfopen) */
	__u64 syncookies_bad;        /* ACKs whose cookie did not validate */
};

struct pfioc_if {
	char ifname[IFNAMSIZ];
};

struct pfioc_tm {
	int timeout; /* PFTM_* */
	int seconds;
};

/*
 * adaptive.start / adaptive.end and the value 0.  In pf_config a zero
 * timeout means "pf's default" (a map made by iproute2 starts zeroed), so an
 * explicit `set timeout adaptive.start 0` cannot be stored as 0.  pf
 * (pf_state_expires) scales while end != 0, start < end and states >
 * start: a start of 0 scales from the first state, only an end of 0 turns
 * scaling off.  So a start of 0 under a nonzero end is stored as
 * PFBPF_ADAPTIVE_OFF alone (bit 31, read back as 0 by pf_adaptive_global),
 * and when the end is set to 0 libpfbpf stores BOTH with
 * PFBPF_ADAPTIVE_OFF or'ed in and the user's value in the low 31 bits:
 *   - the datapath sees start = end (when both are 0) or values above 2^31
 *     that the state count can never exceed (a state costs ~200 bytes of
 *     kernel memory: 2^31 of them would need 400 GB), so it never scales;
 *   - DIOCGETTIMEOUT returns the low 31 bits: `pfctl_bpf -st` prints the 0
 *     (and the other value) exactly as set.
 * Setting both back to nonzero values clears the bit.  Values above
 * PFBPF_ADAPTIVE_MAX are refused with EINVAL.
 */
/* PFBPF_ADAPTIVE_OFF and PFBPF_ADAPTIVE_MAX live in pfbpf_types.h: the
 * datapath and pf_timeout.h read the encoding too. */

struct pfioc_limit {
	int index;      /* PF_LIMIT_* */
	unsigned limit;
};

/* ------------------------------------------------------------------------ */
/* Tables                                                                   */
/* ------------------------------------------------------------------------ */

#define PFR_TFLAG_PERSIST 0x00000001
#define PFR_TFLAG_CONST 0x00000002
#define PFR_TFLAG_ACTIVE 0x00000004
#define PFR_TFLAG_INACTIVE 0x00000008
#define PFR_TFLAG_REFERENCED 0x00000010
#define PFR_TFLAG_REFDANCHOR 0x00000020
#define PFR_TFLAG_COUNTERS 0x00000040
#define PFR_TFLAG_USRMASK 0x00000043
#define PFR_TFLAG_SETMASK 0x0000003C
#define PFR_TFLAG_ALLMASK 0x0000007F

/* pfrio_flags */
#define PFR_FLAG_ATOMIC 0x00000001   /* always true here: one lock per call */
#define PFR_FLAG_DUMMY 0x00000002    /* compute the result, change nothing */
#define PFR_FLAG_FEEDBACK 0x00000004 /* fill pfra_fback / pfrt_fback */
#define PFR_FLAG_CLSTATS 0x00000008
#define PFR_FLAG_ADDRSTOO 0x00000010
#define PFR_FLAG_REPLACE 0x00000020
#define PFR_FLAG_ALLRSETS 0x00000040

enum {
	PFR_FB_NONE = 0, PFR_FB_MATCH = 1, PFR_FB_ADDED = 2, PFR_FB_DELETED = 3,
	PFR_FB_CHANGED = 4, PFR_FB_CLEARED = 5, PFR_FB_DUPLICATE = 6,
	PFR_FB_NOTMATCH = 7, PFR_FB_CONFLICT = 8, PFR_FB_MAX = 9,
};

enum { PFR_DIR_IN = 0, PFR_DIR_OUT = 1, PFR_DIR_MAX = 2 };
enum { PFR_OP_BLOCK = 0, PFR_OP_PASS = 1, PFR_OP_ADDR_MAX = 2, PFR_OP_XPASS = 2, PFR_OP_TABLE_MAX = 3 };
enum { PFR_REFCNT_RULE = 0, PFR_REFCNT_ANCHOR = 1, PFR_REFCNT_MAX = 2 };

struct pfr_table {
	char pfrt_anchor[MAXPATHLEN]; /* tables live in the main ruleset: must be "" */
	char pfrt_name[PF_TABLE_NAME_SIZE];
	__u32 pfrt_flags;
	__u8 pfrt_fback;
};

struct pfr_addr {
	union {
		struct in_addr _pfra_ip4addr;
		struct in6_addr _pfra_ip6addr;
	} pfra_u;
	__u8 pfra_af;
	__u8 pfra_net;  /* prefix length */
	__u8 pfra_not;
	__u8 pfra_fback;
};
#define pfra_ip4addr pfra_u._pfra_ip4addr
#define pfra_ip6addr pfra_u._pfra_ip6addr

struct pfr_astats {
	struct pfr_addr pfras_a;
	__u64 pfras_packets[PFR_DIR_MAX][PFR_OP_ADDR_MAX]; /* not counted per address: zero */
	__u64 pfras_bytes[PFR_DIR_MAX][PFR_OP_ADDR_MAX];   /* idem */
	long pfras_tzero; /* CLOCK_REALTIME seconds the entry was added */
};

struct pfr_tstats {
	struct pfr_table pfrts_t;
	__u64 pfrts_packets[PFR_DIR_MAX][PFR_OP_TABLE_MAX]; /* not counted per table: zero */
	__u64 pfrts_bytes[PFR_DIR_MAX][PFR_OP_TABLE_MAX];   /* idem */
	__u64 pfrts_match;   /* lookups that hit (pf_tablestat) */
	__u64 pfrts_nomatch;
	long pfrts_tzero;    /* CLOCK_REALTIME seconds of the last clear */
	int pfrts_cnt;       /* addresses */
	int pfrts_refcnt[PFR_REFCNT_MAX]; /* [RULE]: rules of the active ruleset using it */
};
#define pfrts_name pfrts_t.pfrt_name
#define pfrts_flags pfrts_t.pfrt_flags

struct pfioc_table {
	struct pfr_table pfrio_table;
	void *pfrio_buffer;
	int pfrio_esize;
	int pfrio_size;
	int pfrio_size2;
	int pfrio_nadd;
	int pfrio_ndel;
	int pfrio_nchange;
	int pfrio_flags;
	__u32 pfrio_ticket;
};
#define pfrio_exists pfrio_nadd
#define pfrio_nzero pfrio_nadd
#define pfrio_nmatch pfrio_nadd
#define pfrio_naddr pfrio_size2
#define pfrio_setflag pfrio_size2
#define pfrio_clrflag pfrio_nadd

/* ------------------------------------------------------------------------ */
/* Interfaces                                                               */
/* ------------------------------------------------------------------------ */

#define PFI_FLAG_GROUP 0x0001    /* groups: only pf's `all` (Linux has none) */
#define PFI_FLAG_INSTANCE 0x0002
#define PFI_FLAG_ALLMASK 0x0003

#define PFI_IFLAG_GROUP 0x0001
#define PFI_IFLAG_INSTANCE 0x0002
#define PFI_IFLAG_CLONABLE 0x0010
#define PFI_IFLAG_DYNAMIC 0x0020
#define PFI_IFLAG_ATTACHED 0x0040  /* the interface exists */
#define PFI_IFLAG_SKIP 0x0100      /* user flag (set skip on): recorded for the loader */
#define PFI_IFLAG_SETABLE_MASK 0x0100

struct pfioc_iface {
	char pfiio_name[IFNAMSIZ]; /* "" = all */
	void *pfiio_buffer;
	int pfiio_esize;           /* sizeof(struct pfi_if), checked */
	int pfiio_size;
	int pfiio_nzero;
	int pfiio_flags;           /* PFI_FLAG_*; DIOCSETIFFLAG/DIOCCLRIFFLAG: PFI_IFLAG_SKIP */
};

struct pfi_if {
	char pfif_name[IFNAMSIZ];
	__u64 pfif_packets[2][2][2]; /* [af][in/out][pass/block] */
	__u64 pfif_bytes[2][2][2];
	__u64 pfif_addcnt;   /* address changes: not tracked, zero */
	__u64 pfif_delcnt;   /* idem */
	long pfif_tzero;     /* CLOCK_REALTIME seconds of the last clear */
	int pfif_states;     /* states created on the interface since the last clear */
	int pfif_rules;      /* rules of the active ruleset naming the interface */
	int pfif_flags;      /* PFI_IFLAG_* */
};

/* ------------------------------------------------------------------------ */
/* ALTQ and OS fingerprints: no Linux counterpart, every command is ENODEV.  */
/* ------------------------------------------------------------------------ */

struct pfioc_altq {
	__u32 action;
	__u32 ticket;
	__u32 nr;
	__u8 altq[256]; /* struct pf_altq: opaque, never read */
};

struct pfioc_qstats {
	__u32 ticket;
	__u32 nr;
	void *buf;
	int nbytes;
	__u8 scheduler;
};

struct pf_osfp_ioctl {
	__u8 opaque[256]; /* struct pf_osfp_entry and friends: never read */
	int fp_getnum;
};

struct pfioc_src_nodes {
	int psn_len; /* no source tracking: always returns 0 bytes */
	union {
		caddr_t psu_buf;
		void *psu_src_nodes;
	} psn_u;
#define psn_buf psn_u.psu_buf
#define psn_src_nodes psn_u.psu_src_nodes
};

/* ------------------------------------------------------------------------ */
/* Command numbers (BSD's)                                                  */
/* ------------------------------------------------------------------------ */

#define DIOCSTART _IO('D', 1)
#define DIOCSTOP _IO('D', 2)
#define DIOCADDRULE _IOWR('D', 4, struct pfioc_rule)
#define DIOCGETRULES _IOWR('D', 6, struct pfioc_rule)
#define DIOCGETRULE _IOWR('D', 7, struct pfioc_rule)
#define DIOCCLRSTATES _IOWR('D', 18, struct pfioc_state_kill)
#define DIOCGETSTATE _IOWR('D', 19, struct pfioc_state)
#define DIOCSETSTATUSIF _IOWR('D', 20, struct pfioc_if)
#define DIOCGETSTATUS _IOWR('D', 21, struct pf_status)
#define DIOCCLRSTATUS _IO('D', 22)
#define DIOCNATLOOK _IOWR('D', 23, struct pfioc_natlook)
#define DIOCSETDEBUG _IOWR('D', 24, __u32)
#define DIOCGETSTATES _IOWR('D', 25, struct pfioc_states)
#define DIOCCHANGERULE _IOWR('D', 26, struct pfioc_rule)
#define DIOCSETTIMEOUT _IOWR('D', 29, struct pfioc_tm)
#define DIOCGETTIMEOUT _IOWR('D', 30, struct pfioc_tm)
#define DIOCADDSTATE _IOWR('D', 37, struct pfioc_state)
#define DIOCCLRRULECTRS _IO('D', 38)
#define DIOCGETLIMIT _IOWR('D', 39, struct pfioc_limit)
#define DIOCSETLIMIT _IOWR('D', 40, struct pfioc_limit)
#define DIOCKILLSTATES _IOWR('D', 41, struct pfioc_state_kill)
#define DIOCSTARTALTQ _IO('D', 42)
#define DIOCSTOPALTQ _IO('D', 43)
#define DIOCADDALTQ _IOWR('D', 45, struct pfioc_altq)
#define DIOCGETALTQS _IOWR('D', 47, struct pfioc_altq)
#define DIOCGETALTQ _IOWR('D', 48, struct pfioc_altq)
#define DIOCCHANGEALTQ _IOWR('D', 49, struct pfioc_altq)
#define DIOCGETQSTATS _IOWR('D', 50, struct pfioc_qstats)
#define DIOCBEGINADDRS _IOWR('D', 51, struct pfioc_pooladdr)
#define DIOCADDADDR _IOWR('D', 52, struct pfioc_pooladdr)
#define DIOCGETADDRS _IOWR('D', 53, struct pfioc_pooladdr)
#define DIOCGETADDR _IOWR('D', 54, struct pfioc_pooladdr)
#define DIOCCHANGEADDR _IOWR('D', 55, struct pfioc_pooladdr)
#define DIOCGETRULESETS _IOWR('D', 58, struct pfioc_ruleset)
#define DIOCGETRULESET _IOWR('D', 59, struct pfioc_ruleset)
#define DIOCRCLRTABLES _IOWR('D', 60, struct pfioc_table)
#define DIOCRADDTABLES _IOWR('D', 61, struct pfioc_table)
#define DIOCRDELTABLES _IOWR('D', 62, struct pfioc_table)
#define DIOCRGETTABLES _IOWR('D', 63, struct pfioc_table)
#define DIOCRGETTSTATS _IOWR('D', 64, struct pfioc_table)
#define DIOCRCLRTSTATS _IOWR('D', 65, struct pfioc_table)
#define DIOCRCLRADDRS _IOWR('D', 66, struct pfioc_table)
#define DIOCRADDADDRS _IOWR('D', 67, struct pfioc_table)
#define DIOCRDELADDRS _IOWR('D', 68, struct pfioc_table)
#define DIOCRSETADDRS _IOWR('D', 69, struct pfioc_table)
#define DIOCRGETADDRS _IOWR('D', 70, struct pfioc_table)
#define DIOCRGETASTATS _IOWR('D', 71, struct pfioc_table)
#define DIOCRCLRASTATS _IOWR('D', 72, struct pfioc_table)
#define DIOCRTSTADDRS _IOWR('D', 73, struct pfioc_table)
#define DIOCRSETTFLAGS _IOWR('D', 74, struct pfioc_table)
#define DIOCRINADEFINE _IOWR('D', 77, struct pfioc_table)
#define DIOCOSFPFLUSH _IO('D', 78)
#define DIOCOSFPADD _IOWR('D', 79, struct pf_osfp_ioctl)
#define DIOCOSFPGET _IOWR('D', 80, struct pf_osfp_ioctl)
#define DIOCXBEGIN _IOWR('D', 81, struct pfioc_trans)
#define DIOCXCOMMIT _IOWR('D', 82, struct pfioc_trans)
#define DIOCXROLLBACK _IOWR('D', 83, struct pfioc_trans)
#define DIOCGETSRCNODES _IOWR('D', 84, struct pfioc_src_nodes)
#define DIOCCLRSRCNODES _IO('D', 85)
#define DIOCSETHOSTID _IOWR('D', 86, __u32)
#define DIOCIGETIFACES _IOWR('D', 87, struct pfioc_iface)
#define DIOCICLRISTATS _IOWR('D', 88, struct pfioc_iface)
#define DIOCSETIFFLAG _IOWR('D', 89, struct pfioc_iface)
#define DIOCCLRIFFLAG _IOWR('D', 90, struct pfioc_iface)

/*
 * pfbpf's own commands.  pf keeps the state policy in every rule (pfctl
 * copies `set state-policy` into each rule's flags); here it is one
 * pf_config field the datapath reads when it creates a state, so it gets a
 * command of its own.  Numbers from 200 up are used by neither OpenBSD nor
 * FreeBSD.
 *   DIOCSETSTATEPOLICY: in PF_STATE_FLOATING or PF_STATE_IFBOUND, out the
 *     previous policy.  Applies to states created from now on; existing
 *     states keep the policy they were made under, as in pf.
 *   DIOCGETSTATEPOLICY: out the policy in force.
 */
#define DIOCSETSTATEPOLICY _IOWR('D', 200, __u32)
#define DIOCGETSTATEPOLICY _IOWR('D', 201, __u32)
/*
 *   DIOCIFADDRSYNC: an interface's addresses changed.  Filter rules that
 *     name `($if)` were expanded into one rule per address at commit (the
 *     classifier matches addresses): compile the running ruleset again
 *     with the addresses of now, states and counters kept, if any rule
 *     names one.  Out: 1 if it was recompiled, 0 if no rule needed it.
 *     pfctl_bpf --watch-addresses sends it on every rtnetlink address
 *     change; translation pools need nothing (the datapath asks the
 *     kernel for the address of `($if)` on every new translation).
 */
#define DIOCIFADDRSYNC _IOWR('D', 202, __u32)
/*
 *   DIOCSETSYNCOOKIES / DIOCGETSYNCOOKIES: `set syncookies`.  OpenBSD has
 *     DIOCSETSYNCOOKIES (a mode) and DIOCSETSYNFLWATS (absolute state
 *     counts pfctl works out from `limit states`); here one structure says
 *     both, the thresholds in hundredths of a percent of `limit states`,
 *     so they follow a later `set limit states`.  0 = pf's defaults (25%,
 *     12%); end > start is EINVAL, as pf's lowat > hiwat.  Out (GET and
 *     SET): the adaptive mode's live state.  A secret of all zeroes is
 *     left alone; any other replaces the cookie secret (an HA pair sets
 *     the same one on both firewalls: docs/syncookies.md).
 */
struct pfioc_syncookies {
	__u8 mode;          /* PF_SYNCOOKIES_* */
	__u8 active;        /* out */
	__u16 pad;
	__u32 start, end;   /* hundredths of a percent; 0 = default */
	__u32 pad2;
	__u64 halfopen;     /* out */
	__u64 inflight;     /* out: cookies of the two live keys not yet returned */
	__u64 bad;          /* out: ACKs whose cookie did not validate */
	__u8 secret[16];    /* in, SET only: all zero = keep */
};
#define DIOCSETSYNCOOKIES _IOWR('D', 203, struct pfioc_syncookies)
#define DIOCGETSYNCOOKIES _IOWR('D', 204, struct pfioc_syncookies)

/* Linux's _IOC size field has 14 bits. */
PFBPF_ASSERT(sizeof(struct pfioc_rule) < (1 << 14), "pfioc_rule too large for _IOWR");
PFBPF_ASSERT(sizeof(struct pfioc_table) < (1 << 14), "pfioc_table too large for _IOWR");

#endif /* PFBPF_IOCTL_H */
