// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pf_kern.bpf.c - pfbpf's datapath: pf's state table and rule evaluation in
 * XDP (ingress) and tc clsact (ingress and egress), plus the pf_ctl syscall
 * program that user space runs to kill, add and expire states.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "pf_maps.h"

SEC("xdp")
int pf_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc/ingress")
int pf_tc_in(struct __sk_buff *skb)
{
	return 0;
}

SEC("tc/egress")
int pf_tc_out(struct __sk_buff *skb)
{
	return 0;
}

SEC("syscall")
int pf_ctl(struct pf_ctl_req *req)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
