#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The datapath scenarios with the object attached the default way on a veth
# (pfbpf-load attach: tc clsact ingress, tc egress; lib/hook_choice.h): the
# verdicts and states on tc ingress must be those of XDP (datapath_loader.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_scenarios.bash"

require_tools ip tc bpftool nsenter unshare socat ss python3-scapy pfctl_bpf pfbpf-load

dp_setup loader-tc dpt
dp_run_all
finish
