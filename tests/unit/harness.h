/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * harness.h - run pfbpf's BPF programs on hand-built packets.
 *
 * Every Criterion test process loads its own copy of build/pf_kern.bpf.o
 * through the skeleton with pinning disabled, so tests never touch
 * /sys/fs/bpf/tc/globals and never see each other's states.  Typical use:
 *
 *	TestSuite(x, .init = h_setup, .fini = h_teardown);
 *	struct h_flow f = H_FLOW4("192.0.2.1", 40000, "198.51.100.2", 22);
 *	struct h_pkt p;
 *	h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000 });
 *	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
 */
#ifndef PFBPF_TEST_HARNESS_H
#define PFBPF_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "pfbpf_types.h"
#include "../../bpf/pf_pkt.h" /* TH_* flags, struct pf_rule_match */

struct pf_kern; /* the skeleton, from build/pf_kern.skel.h */

/* The loaded skeleton of the current test process (NULL before h_load). */
extern struct pf_kern *h_skel;

/* Load the object with every map unpinned.  state_map_size 0 keeps the
 * object's default.  Returns 0 or -errno (libbpf's message on stderr). */
int h_load(__u32 state_map_size);
void h_unload(void);
/* Criterion fixtures: h_load(0) and fail the test with a clear message if
 * BPF cannot load (a missing kernel feature is a failure, not a skip). */
void h_setup(void);
void h_teardown(void);

/* Map fds by name (pf_states, pf_config, ...); -1 if no such map. */
int h_map_fd(const char *name);

/* Configuration: read-modify-write of pf_config[0]. */
int h_config_get(struct pf_config *cfg);
int h_config_set(const struct pf_config *cfg);

/* ---- packets ------------------------------------------------------------ */

#define H_PKT_MAX 2048
struct h_pkt {
	__u8 buf[H_PKT_MAX];
	__u32 len;
	__u32 l3; /* offset of the IP header */
	__u32 l4; /* offset of the transport header (after IPv6 extensions) */
	__u8 proto; /* transport protocol */
};

/* A flow as seen by one packet: af, source, destination (text addresses),
 * ports in host order (ICMP: sport is the echo id; for h_state_key dport
 * is the virtual type, the request's type, as pf_icmp_mapping keys it). */
struct h_flow {
	int af; /* PF_INET / PF_INET6 */
	const char *src;
	const char *dst;
	__u16 sport;
	__u16 dport;
};
#define H_FLOW4(s, sp, d, dp) ((struct h_flow){ PF_INET, (s), (d), (sp), (dp) })
#define H_FLOW6(s, sp, d, dp) ((struct h_flow){ PF_INET6, (s), (d), (sp), (dp) })
struct h_flow h_flow_rev(const struct h_flow *f);

/* Layer-2 and IP details most tests leave at zero. */
struct h_l2 {
	int vlans;        /* 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) */
	__u8 ttl;         /* 0: 64 */
	__u16 frag_off;   /* IPv4: the raw ip_off field (host order, incl. MF 0x2000);
			   * IPv6: a fragment header is added when frag6 is set */
	bool frag6;
	__u16 frag6_off;  /* IPv6: offset in 8-byte units */
	bool frag6_mf;
	__u32 ident;      /* ip_id / IPv6 fragment ident */
	int ext6;         /* IPv6: number of hop-by-hop/dest-opts headers to add */
};

struct h_tcp {
	__u8 flags;       /* TH_* */
	__u32 seq;
	__u32 ack;
	__u16 win;        /* 0: 65535 */
	__u16 mss;        /* MSS option if nonzero */
	int wscale;       /* window scale option if >= 0 ... */
	bool has_wscale;  /* ... and this is set */
	__u32 plen;       /* payload bytes (filled with 'x') */
	const struct h_l2 *l2;
	const __u8 *opts; /* raw options appended after mss/wscale (padded to 4) */
	__u32 optlen;
};

/* Build Ethernet + IPv4/IPv6 + transport with correct checksums.
 * Return 0 or -EINVAL (bad address text, too large). */
int h_tcp(struct h_pkt *p, const struct h_flow *f, const struct h_tcp *t);
int h_udp(struct h_pkt *p, const struct h_flow *f, __u32 plen, const struct h_l2 *l2);
/* ICMP (af INET) or ICMPv6 (INET6).  Echo request/reply: id = f->sport.
 * Errors: quote the IP packet of `quote` (from its IP header on, up to
 * qlen bytes, 0 = all) as the payload. */
int h_icmp(struct h_pkt *p, const struct h_flow *f, __u8 type, __u8 code, __u16 seq,
	   const struct h_pkt *quote, __u32 qlen);
/* Any protocol with a raw payload (`other` states, bad headers). */
int h_ip(struct h_pkt *p, const struct h_flow *f, __u8 proto, const void *payload,
	 __u32 plen, const struct h_l2 *l2);
/* Recompute the IPv4 header and transport checksums after a test edited
 * the packet by hand (p->l3 / p->l4 must be valid). */
void h_fix_csum(struct h_pkt *p);

/* ---- running the programs ------------------------------------------------ */

/* Run the XDP program (dir PF_IN) or the tc program for dir; return the
 * program's return value (XDP_* / TC_ACT_*), or -errno if the run failed.
 * The packet is replaced by what the program left (XDP_TX rewrites). */
int h_xdp(struct h_pkt *p);
int h_tc(int dir, struct h_pkt *p);
/* Run for dir (PF_IN: XDP, PF_OUT: tc egress) and map the verdict to PF_PASS
 * / PF_DROP; -errno on a failed run, 100 + action for anything else (TX). */
int h_run(int dir, struct h_pkt *p);

/* Run the pf_ctl syscall program; req is updated with its output.  Returns
 * the program's return value (== req->result) or -errno of the run. */
int h_ctl(struct pf_ctl_req *req);
int h_ctl_sweep(void);               /* PF_CTL_SWEEP, returns count or -errno */

/* ---- inspecting maps ----------------------------------------------------- */

/* Build the state key pf would use for packet flow f of protocol proto
 * travelling in direction dir (pf's sidx ordering). */
int h_state_key(const struct h_flow *f, __u8 proto, int dir, struct pf_state_key *k);
/* 0 and *s, or -ENOENT. */
int h_state_get(const struct h_flow *f, __u8 proto, int dir, struct pf_state *s);
int h_state_put(const struct pf_state_key *k, const struct pf_state *s);
int h_state_count(void);

/* Sum of pf_status over CPUs. */
int h_status(struct pf_status_pcpu *sum);
int h_gcount(struct pf_gcount *g);
/* Sum over CPUs of the counters of the rule at slot position idx: the
 * position's entry (stops) plus its rule id's (pfbpf_cls_install gives
 * rules loaded without ids PF_RID_BASE + slot * PF_MAX_RULES + idx). */
int h_rulectr(__u32 slot, __u32 idx, struct pf_rule_counters *sum);
int h_rulestates(__u32 slot, __u32 idx, __u32 *n);
/* The id a state records for rule nr of the active ruleset: the fixed id
 * pfbpf_cls_install gives a rule loaded without one (PF_RID_BASE + slot
 * position). */
__u32 h_active_rid(__u32 nr);
int h_ifctr(__u32 ifindex, struct pf_if_counters *sum);

/* Events: every record waiting in pf_events. */
#define H_EV_MAX 256
union h_event {
	__u8 type;
	struct pf_event st;
	struct pf_ip_event ip;
};
/* Drain the ring buffer into ev[0..max); returns the count (>= 0). */
int h_events(union h_event *ev, int max);
/* Count of drained events of a type in ev[0..n). */
int h_events_count(const union h_event *ev, int n, int type);
/* First event of a type at or after *from (updated), or NULL. */
const union h_event *h_event_find(const union h_event *ev, int n, int type, int *from);

/* ---- rules (tests/unit/harness_rules.c, links libpfcls) ---------------- */

struct pfbpf_rule;
/* Compile and install rules[0..n) as the active ruleset (rule i = nr i),
 * through the real compiler, as a commit does.  0 or -errno. */
int h_rules(const struct pfbpf_rule *rules, size_t n);
/* A rule with no addresses/ports: action, direction (PF_IN/PF_OUT/PF_INOUT),
 * proto (0 any), keep_state; pass+keep state TCP gets pf's flags S/SA. */
#include "pfbpf_rule.h"
struct pfbpf_rule h_rule(__u8 action, __u8 dir, __u8 proto, __u8 keep_state);

/* Seconds of CLOCK_BOOTTIME, the datapath's clock for creation/expire. */
__u32 h_now(void);

#endif /* PFBPF_TEST_HARNESS_H */
