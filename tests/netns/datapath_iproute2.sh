#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Datapath scenarios with the object attached by plain iproute2:
#   ip link set dev X xdp obj build/pf_kern.bpf.o sec xdp
#   tc filter add dev X egress bpf da obj build/pf_kern.bpf.o sec tc/egress
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_scenarios.bash"

require_tools ip tc nsenter unshare socat ss python3-scapy pfctl_bpf pf_kern.bpf.o pfbpf-load

dp_setup iproute2 dpi
dp_run_all
finish
