#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Datapath scenarios with the object attached by pfbpf-load (libxdp XDP,
# libbpf tc egress), then a clean detach.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_scenarios.bash"

require_tools ip tc nsenter unshare socat ss python3-scapy pfctl_bpf pfbpf-load

test_detach() {
	assert_cmd "pfbpf-load detach" pfload "$NS_B" detach "$VETH_B"
	assert_nomatch "no XDP program left on $VETH_B" 'prog/xdp' \
		"$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	assert_eq "no tc egress filter left" "" "$(nsx "$NS_B" tc filter show dev "$VETH_B" egress)"
	assert_cmd "program pins removed" test ! -e "/sys/fs/bpf/pfbpf/$VETH_B"
	assert_cmd "map pins kept after detach" test -e /sys/fs/bpf/tc/globals/pf_states
	assert_fails "second detach reports nothing attached" pfload "$NS_B" detach "$VETH_B"
	out=$(echo ping | nsx "$NS_A" socat -T 3 STDIO "TCP4:$B4:8005,connect-timeout=3" 2>&1)
	assert_eq "traffic flows unfiltered after detach" ping "$out"
	assert_cmd "purge" pfload "$NS_B" purge
	assert_cmd "map pins removed by purge" test ! -e /sys/fs/bpf/tc/globals/pf_states
	assert_match "tools say the datapath is not loaded" 'datapath is not loaded' \
		"$(pfload "$NS_B" status 2>&1)"
}

dp_setup loader dpl
dp_run_all
run_test test_detach
finish
