// SPDX-License-Identifier: BSD-2-Clause
/*
 * cls_probe.bpf.c - runs the rule classifier alone, for the classifier's
 * unit tests and the bench, without the datapath's parser or state table.
 * The packet descriptor is taken from a map (the test fills it) rather than
 * parsed, so a test states exactly which fields the classifier sees; the
 * XDP frame itself is ignored.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "pf_cls.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_pkt);
} probe_pkt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_config);
} probe_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pf_rule_match);
} probe_out SEC(".maps");

SEC("xdp")
int cls_probe(struct xdp_md *ctx)
{
	struct pf_rule_match m = {};
	struct pf_pkt pkt;
	struct pf_pkt *p;
	struct pf_config *cfg;
	struct pf_rule_match *out;
	__u32 zero = 0;

	p = bpf_map_lookup_elem(&probe_pkt, &zero);
	cfg = bpf_map_lookup_elem(&probe_cfg, &zero);
	out = bpf_map_lookup_elem(&probe_out, &zero);
	if (!p || !cfg || !out)
		return XDP_ABORTED;
	/* the datapath keeps its descriptor on the stack: do the same */
	__builtin_memcpy(&pkt, p, sizeof(pkt));
	pf_cls_eval(&pkt, cfg, &m);
	*out = m;
	return m.idx == PF_RULE_NONE ? XDP_PASS : XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
