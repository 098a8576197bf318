#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Datapath scenarios with the object attached by plain iproute2:
#   ip link set dev X xdp obj build/pf_kern.bpf.o sec xdp
#   tc filter add dev X egress bpf da obj build/pf_kern.bpf.o sec tc/egress
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_scenarios.bash"

require_tools ip tc nsenter unshare socat ss python3-scapy pfctl_bpf pf_kern.bpf.o pfbpf-load

# status finds the programs iproute2 attached (no loader pins) by name and
# by their use of the pinned pf_states, and says who attached them.
test_status_sees_iproute2() {
	local st
	st=$(pfload "$NS_B" status 2>&1)
	assert_match "status lists the iproute2 attachment" \
		"^interface $VETH_B: ifindex [0-9]+ xdp (native|generic) tc egress \(iproute2\)\$" "$st"
	assert_nomatch "and only on that interface" "^interface $VETH_A" "$st"
	assert_eq "status -j names it under iproute2_interfaces" "$VETH_B egress" \
		"$(pfload "$NS_B" -j status | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(i["name"] + (" egress" if i["tc_egress"] else "") for i in d["iproute2_interfaces"]))')"
}

# The loader must not silently replace an iproute2 attachment.
test_loader_meets_iproute2() {
	local id_before out
	id_before=$(nsx "$NS_B" ip -d link show dev "$VETH_B" | grep -o 'prog/xdp id [0-9]*')
	out=$(pfload "$NS_B" attach "$VETH_B" 2>&1)
	assert_match "pfbpf-load attach refuses, naming the way out" \
		"another XDP program is attached.*xdp off" "$out"
	assert_eq "the iproute2 XDP program is still there" "$id_before" \
		"$(nsx "$NS_B" ip -d link show dev "$VETH_B" | grep -o 'prog/xdp id [0-9]*')"
	assert_match "the iproute2 tc filter is still there" 'pf_tc_out' \
		"$(nsx "$NS_B" tc filter show dev "$VETH_B" egress)"
	detach_iproute2 "$NS_B" "$VETH_B"
	assert_nomatch "ip link set xdp off removes it" 'prog/xdp' \
		"$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	assert_cmd "maps stay pinned for the next attachment" test -e /sys/fs/bpf/tc/globals/pf_states
}

dp_setup iproute2 dpi
dp_run_all
run_test test_status_sees_iproute2
run_test test_loader_meets_iproute2
finish
