#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The ingress hook chosen per interface (issue 9 item 1, lib/hook_choice.h):
# a veth, a bridge, a tunnel and lo get tc ingress by default, because native
# XDP on a virtual link takes GSO/GRO away; --xdp, --xdp-generic and --tc
# force one.  Both tools print the choice, -sI -v and pfbpf-load status
# show it, and traffic passes with states made under `pass all` whichever
# hook judges it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip tc nsenter unshare socat ss pfctl_bpf pfbpf-load pf_kern.bpf.o

PORT=8101

# ingress_of NS DEV: xdp, xdpgeneric, tc or none, from what the kernel
# has on DEV's ingress.
ingress_of() {
	local link tcf
	link=$(nsx "$1" ip -d link show dev "$2")
	tcf=$(nsx "$1" tc filter show dev "$2" ingress 2>/dev/null)
	if printf '%s' "$link" | grep -q 'prog/xdp '; then
		printf '%s' "$link" | grep -q 'xdpgeneric' && echo xdpgeneric || echo xdp
	elif printf '%s' "$tcf" | grep -q 'pf_tc_in'; then
		echo tc
	else
		echo none
	fi
}

# A connection A -> B and one B -> A pass, each leaving a state.
traffic_with_states() {
	local mode=$1 st
	pf -F states >/dev/null 2>&1
	assert_cmd "$mode: inbound TCP passes" tcp_ok "$NS_A" "$B4" $PORT
	assert_cmd "$mode: outbound TCP passes" tcp_ok "$NS_B" "$A4" $PORT
	st=$(pfload "$NS_B" states)
	assert_match "$mode: a state for the inbound connection" \
		"^tcp .*$B4:$PORT " "$st"
	assert_match "$mode: a state for the outbound connection" \
		"^tcp .*$A4:$PORT " "$st"
	assert_match "$mode: egress judged by pf_tc_out" 'pf_tc_out' \
		"$(nsx "$NS_B" tc filter show dev "$VETH_B" egress)"
}

setup() {
	if ! netns_pair ahc; then
		fail "setup: namespaces and veth"
		finish
	fi
	serve "$NS_A" $PORT
	serve "$NS_B" $PORT
}

test_veth_default_tc() {
	local out
	out=$(pf -e -i "$VETH_B" 2>&1)
	assert_eq "-e -i on a veth prints the choice" \
		"pf attached to $VETH_B (tc ingress, tc egress)" "$out"
	assert_eq "tc ingress filter on the veth, no XDP" tc "$(ingress_of "$NS_B" "$VETH_B")"
	printf 'pass all\n' >"$TEST_TMP/pass.conf"
	assert_cmd "load pass all" pf -f "$TEST_TMP/pass.conf"
	traffic_with_states "tc default"
	assert_match "-sI -v shows the hook" "^$VETH_B \(tc ingress, tc egress\)\$" \
		"$(pf -s Interfaces -v)"
	assert_match "-sI without -v does not" "^$VETH_B\$" "$(pf -s Interfaces)"
	assert_match "-sI --json names the hook" '"hook": ?"tc ingress"' \
		"$(pf -s Interfaces --json -i "$VETH_B")"
	assert_match "pfbpf-load status shows the hook" \
		"^interface $VETH_B: ifindex [0-9]+ tc ingress tc egress\$" "$(pfload "$NS_B" status)"
	assert_eq "status -j has the hook per interface" "tc ingress" \
		"$(pfload "$NS_B" -j status | "$PY" -c "import json, sys
print(json.load(sys.stdin)['hooks']['$VETH_B'])")"
}

test_force_xdp() {
	local out
	out=$(pf -e -i "$VETH_B" --xdp 2>&1)
	assert_eq "--xdp prints native XDP" "pf attached to $VETH_B (xdp native, tc egress)" "$out"
	assert_eq "XDP on the veth, the tc ingress filter gone" xdp "$(ingress_of "$NS_B" "$VETH_B")"
	traffic_with_states "xdp forced"
	assert_match "-sI -v shows xdp native" "^$VETH_B \(xdp native, tc egress\)\$" \
		"$(pf -s Interfaces -v)"
	assert_match "status shows xdp native" \
		"^interface $VETH_B: ifindex [0-9]+ xdp native tc egress\$" "$(pfload "$NS_B" status)"
	out=$(pf -e -i "$VETH_B" --xdp-generic 2>&1)
	assert_eq "--xdp-generic prints generic XDP" \
		"pf attached to $VETH_B (xdp generic, tc egress)" "$out"
	assert_eq "generic XDP on the veth" xdpgeneric "$(ingress_of "$NS_B" "$VETH_B")"
	traffic_with_states "xdp generic forced"
	out=$(pf -e -i "$VETH_B" --tc 2>&1)
	assert_eq "--tc prints tc" "pf attached to $VETH_B (tc ingress, tc egress)" "$out"
	assert_eq "XDP gone again, tc ingress back" tc "$(ingress_of "$NS_B" "$VETH_B")"
	traffic_with_states "tc forced"
}

test_loader_choice() {
	local out
	out=$(pfload "$NS_B" attach "$VETH_B")
	assert_eq "pfbpf-load attach prints the choice" \
		"pf attached to $VETH_B (tc ingress, tc egress)" "$out"
	assert_eq "tc ingress by default" tc "$(ingress_of "$NS_B" "$VETH_B")"
	out=$(pfload "$NS_B" attach "$VETH_B" --xdp)
	assert_eq "pfbpf-load attach --xdp" "pf attached to $VETH_B (xdp native, tc egress)" "$out"
	assert_eq "XDP forced" xdp "$(ingress_of "$NS_B" "$VETH_B")"
	out=$(pfload "$NS_B" attach "$VETH_B" --tc)
	assert_eq "pfbpf-load attach --tc" "pf attached to $VETH_B (tc ingress, tc egress)" "$out"
	traffic_with_states "loader tc"
}

# Other virtual links this kernel has: a bridge, a vxlan, a tun, an ifb
# and loopback (dummy, macvlan, wireguard... are in the unit test's table).
test_other_virtual() {
	local d
	nsx "$NS_B" ip link add "ahbr$$" type bridge
	nsx "$NS_B" ip link add "ahvx$$" type vxlan id 42 dstport 4789
	nsx "$NS_B" ip tuntap add "ahtn$$" mode tun
	nsx "$NS_B" ip link add "ahif$$" type ifb
	for d in "ahbr$$" "ahvx$$" "ahtn$$" "ahif$$" lo; do
		nsx "$NS_B" ip link set "$d" up
		assert_eq "$d: tc ingress by default" \
			"pf attached to $d (tc ingress, tc egress)" "$(pf -e -i "$d" 2>&1)"
		assert_eq "$d: tc filter, no XDP" tc "$(ingress_of "$NS_B" "$d")"
		assert_cmd "$d: detach" pfload "$NS_B" detach "$d"
		assert_eq "$d: nothing left on ingress" none "$(ingress_of "$NS_B" "$d")"
	done
}

test_detach() {
	assert_cmd "-d -i detaches the veth" pf -d -i "$VETH_B"
	assert_eq "nothing on the veth's ingress" none "$(ingress_of "$NS_B" "$VETH_B")"
	assert_eq "no egress filter" "" "$(nsx "$NS_B" tc filter show dev "$VETH_B" egress)"
}

setup
run_test test_veth_default_tc
run_test test_force_xdp
run_test test_loader_choice
run_test test_other_virtual
run_test test_detach
finish
