// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench_floor.bpf.c - the baselines pfbpf is measured against in the same
 * run: an XDP program that does nothing (the cost of BPF_PROG_TEST_RUN
 * itself), and the least any state table can do per packet: build a key
 * from the headers, one lookup in an LRU hash shaped like pf_states, and
 * an in-place update of the value (counters and the expiry clock).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "pfbpf_types.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, PF_DEFAULT_STATE_MAP_SIZE);
	__type(key, struct pf_state_key);
	__type(value, struct pf_state);
} floor_states SEC(".maps");

SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_lru(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	struct pf_state_key k = {};
	struct pf_state *s, ns = {};

	if ((void *)(th + 1) > end || eth->h_proto != bpf_htons(0x0800 /* ETH_P_IP */))
		return XDP_PASS;
	k.af = PF_INET;
	k.proto = ip->protocol;
	k.addr[0].v4 = ip->saddr;
	k.addr[1].v4 = ip->daddr;
	k.port[0] = th->source;
	k.port[1] = th->dest;
	s = bpf_map_lookup_elem(&floor_states, &k);
	if (!s) {
		bpf_map_update_elem(&floor_states, &k, &ns, BPF_ANY);
		return XDP_PASS;
	}
	s->packets[0]++;
	s->bytes[0] += bpf_ntohs(ip->tot_len);
	s->expire = bpf_ktime_get_boot_ns() / 1000000000;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
