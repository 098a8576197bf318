#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Datapath scenarios with the object attached by pfbpf-load (libxdp XDP,
# libbpf tc egress), then a clean detach.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_scenarios.bash"

require_tools ip tc bpftool nsenter unshare socat ss python3-scapy pfctl_bpf pfbpf-load

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
	# libpfbpf's control maps (rule text, anchors' flat layout) are pinned
	# next to the datapath's on its first write; purge must take them too.
	echo "pass all" > "$TEST_TMP/purge.conf"
	assert_cmd "a ruleset loaded through libpfbpf" nsx "$NS_B" "$PFCTL" -f "$TEST_TMP/purge.conf"
	assert_cmd "purge" pfload "$NS_B" purge
	assert_cmd "map pins removed by purge" test ! -e /sys/fs/bpf/tc/globals/pf_states
	assert_eq "purge leaves no pin of ours" "" \
		"$(find /sys/fs/bpf/tc/globals /sys/fs/bpf/pfbpf -mindepth 1 ! -type d 2>/dev/null)"
	assert_match "tools say the datapath is not loaded" 'datapath is not loaded' \
		"$(pfload "$NS_B" status 2>&1)"
}

# After purge: options that only apply when the table is created, generic
# XDP, re-attach reusing a table of another size, several interfaces.
test_loader_options() {
	local info
	assert_cmd "attach --generic --map-size 2048 --limit 1000" \
		pfload "$NS_B" attach "$VETH_B" --generic --map-size 2048 --limit 1000
	assert_match "XDP in generic mode" 'xdpgeneric' "$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	info=$(bpftool map show pinned /sys/fs/bpf/tc/globals/pf_states)
	assert_match "state table created with 2048 entries" 'max_entries 2048' "$info"
	assert_match "limit states 1000" '^states .* limit 1000$' "$(pfload "$NS_B" status)"
	assert_match "status -j is JSON with the limit" '"limit": 1000' \
		"$(pfload "$NS_B" -j status | "$PY" -m json.tool)"
	assert_eq "states -j is a JSON list" "list" \
		"$(pfload "$NS_B" -j states | "$PY" -c 'import json, sys; print(type(json.load(sys.stdin)).__name__)')"
	assert_cmd "re-attach (native) reuses the 2048-entry table" pfload "$NS_B" attach "$VETH_B" --xdp
	assert_match "still 2048 entries" 'max_entries 2048' \
		"$(bpftool map show pinned /sys/fs/bpf/tc/globals/pf_states)"
	assert_nomatch "XDP back in native mode" 'xdpgeneric' \
		"$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	assert_match "the interface listed" "^interface $VETH_B: .* xdp native tc egress\$" \
		"$(pfload "$NS_B" status)"
	assert_nomatch "the loader's own attachment is not taken for iproute2's" '(iproute2)' \
		"$(pfload "$NS_B" status)"
	# A bridge has no native XDP: with XDP forced the loader must fall
	# back to generic.
	nsx "$NS_B" ip link add "dpd$$" type bridge && nsx "$NS_B" ip link set "dpd$$" up
	assert_cmd "attach to a link without native XDP" pfload "$NS_B" attach "dpd$$" --xdp
	assert_match "fell back to generic XDP" 'xdpgeneric' "$(nsx "$NS_B" ip -d link show dev "dpd$$")"
	assert_match "status shows the generic attachment" "^interface dpd$$: .* xdp generic" \
		"$(pfload "$NS_B" status)"
	assert_cmd "detach the bridge" pfload "$NS_B" detach "dpd$$"
	assert_fails "attach to a missing interface fails" pfload "$NS_B" attach nosuchif$$
	assert_match "the error names the interface" "nosuchif$$: no such interface" \
		"$(pfload "$NS_B" attach nosuchif$$ 2>&1)"
	assert_fails "unknown timeout name refused" pfload "$NS_B" set --timeout tcp.bogus=3
	assert_cmd "purge" pfload "$NS_B" purge
	assert_eq "nothing of ours left on the link" "" \
		"$(nsx "$NS_B" ip -d link show dev "$VETH_B" | grep -o 'prog/xdp')"
}

# After the loader (and so libxdp) has used this bpffs, plain iproute2 must
# still pin into tc/globals: libxdp made /sys/fs/bpf/xdp a folder of its own
# once, and `ip link ... xdp obj` then pinned a second state table and
# ruleset in xdp/globals that the tc program and the tools never saw.
test_iproute2_after_loader() {
	local id pinned maps
	assert_cmd "/sys/fs/bpf/xdp is iproute2's link to tc" test -L /sys/fs/bpf/xdp
	# pfbpf-load detach leaves the clsact qdisc; attach_iproute2 adds one.
	nsx "$NS_B" tc qdisc del dev "$VETH_B" clsact 2>/dev/null
	assert_cmd "attach with ip link + tc after the loader" attach_iproute2 "$NS_B" "$VETH_B"
	id=$(nsx "$NS_B" ip -d link show dev "$VETH_B" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	pinned=$(bpftool map show pinned /sys/fs/bpf/tc/globals/pf_states | sed -n 's/^\([0-9]*\):.*/\1/p')
	maps=$(bpftool prog show id "${id:-0}" 2>/dev/null | sed -n 's/.*map_ids \([0-9,]*\).*/,\1,/p')
	assert_match "the XDP program uses the pinned pf_states" ",${pinned:-none}," "$maps"
	detach_iproute2 "$NS_B" "$VETH_B"
}

dp_setup loader dpl
dp_run_all
run_test test_detach
run_test test_loader_options
run_test test_iproute2_after_loader
finish
