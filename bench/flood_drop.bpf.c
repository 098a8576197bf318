// SPDX-License-Identifier: BSD-2-Clause
/*
 * flood_drop.bpf.c - the floor of bench/flood.sh: the least an XDP
 * program can do with a packet (count it, drop it).  The count is how the
 * bench knows every packet of the flood reached the program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} flood_cnt SEC(".maps");

SEC("xdp")
int xdp_count_drop(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&flood_cnt, &k);

	if (n)
		(*n)++;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
