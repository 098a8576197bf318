/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_events.h - state and packet events into the pf_events ring buffer.
 *
 * A full ring buffer never costs a packet: the event is dropped and counted
 * per CPU (pf_status.events_lost / ip_events_lost) so a consumer can say
 * how much it missed instead of missing it silently (conntrack -E's ENOBUFS).
 */
#ifndef PF_EVENTS_H
#define PF_EVENTS_H

#include "pf_maps.h"
#include "pf_pkt.h"
#include "pf_nat_pair.h"

static __always_inline __u32 pf_creatorid(const struct pf_state *s, const struct pf_config *cfg)
{
	__u32 idx = s->creator, *id;

	if (idx == 0)
		return cfg ? cfg->hostid : 0;
	id = bpf_map_lookup_elem(&pf_creators, &idx);
	return id ? *id : 0;
}

/*
 * Emit a state event: a snapshot of the state and its key (both key slots:
 * without NAT the stack key equals the wire key).  `info` packs the event
 * type, the destroy reason and, for a state change, the peer states before
 * it (PF_EVI / PF_EVI_OLD): one subprogram with few arguments keeps the
 * many call sites small and the verifier's stack budget intact.
 */
#define PF_EVI(type, reason) ((__u32)(type) | ((__u32)(reason) << 8))
#define PF_EVI_OLD(type, o0, o1) \
	((__u32)(type) | (1u << 31) | ((__u32)(o0) << 16) | ((__u32)((o1) & 0x7f) << 24))

/*
 * An event that names no state (the adaptive syncookie mode switching,
 * an LRU eviction summary): type, reason, time and CPU; the caller adds
 * what else it carries in the zeroed rest.  0 if sent, else the loss is
 * counted.  state_id/total land in state.id and state.bytes[0].
 */
static __noinline int pf_event_nostate(__u32 type, __u32 reason, __u64 state_id, __u64 total)
{
	struct pf_event *ev = bpf_ringbuf_reserve(&pf_events, sizeof(*ev), 0);
	struct pf_status_pcpu *st;

	if (!ev) {
		st = pf_status_get();
		if (st)
			st->events_lost++;
		return -1;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->reason = reason;
	ev->state.id = state_id;
	ev->state.bytes[0] = total;
	ev->ts_ns = bpf_ktime_get_boot_ns();
	ev->cpu = bpf_get_smp_processor_id();
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

static __noinline int pf_event_state_keys(const struct pf_state_key *key,
					  const struct pf_state_key *stack,
					  const struct pf_state *s, __u32 info)
{
	struct pf_status_pcpu *st;
	struct pf_config *cfg;
	struct pf_event *ev;
	__u32 z = 0;

	if (!key || !stack || !s)
		return 0;
	ev = bpf_ringbuf_reserve(&pf_events, sizeof(*ev), 0);
	if (!ev) {
		st = pf_status_get();
		if (st)
			st->events_lost++;
		return 0;
	}
	cfg = bpf_map_lookup_elem(&pf_config, &z);
	ev->type = info & 0xff;
	ev->reason = (info >> 8) & 0xff;
	ev->direction = pf_state_dir(s);
	if (info & (1u << 31)) {
		ev->old_pstate[0] = (info >> 16) & 0xff;
		ev->old_pstate[1] = (info >> 24) & 0x7f;
	} else {
		ev->old_pstate[0] = s->pstate[0];
		ev->old_pstate[1] = s->pstate[1];
	}
	ev->pad[0] = ev->pad[1] = ev->pad[2] = 0;
	ev->ts_ns = bpf_ktime_get_boot_ns();
	ev->cpu = bpf_get_smp_processor_id();
	ev->creatorid = pf_creatorid(s, cfg);
	__builtin_memcpy(&ev->key[PF_SK_WIRE], key, sizeof(*key));
	__builtin_memcpy(&ev->key[PF_SK_STACK], stack, sizeof(*stack));
	__builtin_memcpy(&ev->state, s, sizeof(*s));
	bpf_ringbuf_submit(ev, 0);
	return 0;
}

/* The same for a state whose stack key is found in pf_natmap. */
static __always_inline int pf_event_state(const struct pf_state_key *key, const struct pf_state *s,
					  __u32 info)
{
	struct pf_state_key stack;

	pf_nat_stack_key(key, &stack);
	return pf_event_state_keys(key, &stack, s, info);
}

/* The hook a packet was seen at (pf_ip_event.hook). */
#define PF_HOOK_XDP 0
#define PF_HOOK_TC 1

/*
 * Packet event for the ip provider (ip:::receive / ip:::send).  Only called
 * when pf_config.trace asks for it, so tracing off costs one test of a word
 * already in cache.
 */
static __always_inline void pf_event_ip(void *data, void *data_end, __u32 l3_off,
					const struct pf_pkt *pkt, __u8 type, __u8 verdict,
					__u8 hook)
{
	struct pf_status_pcpu *st;
	struct pf_ip_event *ev;

	if (l3_off > 64)
		return;
	ev = bpf_ringbuf_reserve(&pf_events, sizeof(*ev), 0);
	if (!ev) {
		st = pf_status_get();
		if (st)
			st->ip_events_lost++;
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->verdict = verdict;
	ev->hook = hook;
	ev->ifindex = pkt->ifindex;
	ev->ts_ns = bpf_ktime_get_boot_ns();
	ev->cpu = bpf_get_smp_processor_id();
	__builtin_memcpy(&ev->saddr, &pkt->src, sizeof(ev->saddr));
	__builtin_memcpy(&ev->daddr, &pkt->dst, sizeof(ev->daddr));
	if (pkt->af == PF_INET) {
		struct iphdr *ip = data + l3_off;

		ev->ip_ver = 4;
		if ((void *)(ip + 1) <= data_end) {
			ev->ipv4_ihl = ip->ihl;
			ev->ipv4_tos = ip->tos;
			ev->ipv4_flags = bpf_ntohs(ip->frag_off) >> 13;
			ev->ipv4_ttl = ip->ttl;
			ev->ipv4_length = bpf_ntohs(ip->tot_len);
			ev->ipv4_ident = bpf_ntohs(ip->id);
			ev->ipv4_offset = bpf_ntohs(ip->frag_off) & 0x1fff;
			ev->ipv4_checksum = bpf_ntohs(ip->check);
			ev->ipv4_protocol = ip->protocol;
			ev->ip_plength = ev->ipv4_length - ip->ihl * 4;
		}
	} else {
		struct ipv6hdr *ip6 = data + l3_off;

		ev->ip_ver = 6;
		if ((void *)(ip6 + 1) <= data_end) {
			ev->ipv6_tclass = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
			ev->ipv6_nexthdr = ip6->nexthdr;
			ev->ipv6_hlim = ip6->hop_limit;
			ev->ipv6_flow = ((__u32)(ip6->flow_lbl[0] & 0x0f) << 16) |
					((__u32)ip6->flow_lbl[1] << 8) | ip6->flow_lbl[2];
			ev->ipv6_plen = bpf_ntohs(ip6->payload_len);
			/* ipinfo_t.ip_plength excludes extension headers */
			ev->ip_plength = pkt->l4_len;
		}
	}
	bpf_ringbuf_submit(ev, 0);
}

#endif /* PF_EVENTS_H */
