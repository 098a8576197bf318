#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# `($if)` in a filter rule follows the interface's addresses (issue 8):
# the commit expands it into the addresses of the moment, and
# `pfctl_bpf --watch-addresses` recompiles the ruleset when rtnetlink
# says they changed.  Without the watcher the new address stays blocked
# (the rule was compiled for the old one); with it, it passes.
# Topology: nat_lib.bash (the router's outside leg, srv as the client).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat_lib.bash"

require_tools ip tc nsenter unshare socat ss sysctl pfctl_bpf pf_kern.bpf.o

NEW4=$NAT_OUT4.5

# A TCP connection from srv to ADDR:7999 on the router: "open" or "".
reach() {
	nsx "$NS_SRV" socat -T 2 /dev/null "TCP4:$1:7999,connect-timeout=2" 2>/dev/null && echo open
}

test_rule_compiled_for_the_address() {
	assert_eq "the router's address passes" open "$(reach "$R_EXT4")"
}

test_new_address_without_watcher() {
	nsx "$NS_R" ip addr add "$NEW4/24" dev r_ext
	sleep 0.5
	assert_eq "a new address, nobody watching: still blocked" "" "$(reach "$NEW4")"
}

test_new_address_with_watcher() {
	local i out=""
	bg nsx "$NS_R" "$PFCTL" --watch-addresses
	sleep 0.5
	# the watcher syncs once when it starts; then a change of its own
	nsx "$NS_R" ip addr del "$NEW4/24" dev r_ext
	nsx "$NS_R" ip addr add "$NEW4/24" dev r_ext
	for i in 1 2 3 4 5 6; do
		out=$(reach "$NEW4")
		[ "$out" = open ] && break
		sleep 0.5
	done
	assert_eq "with --watch-addresses the new address passes" open "$out"
	nsx "$NS_R" ip addr del "$NEW4/24" dev r_ext
	for i in 1 2 3 4 5 6; do
		out=$(reach "$NEW4")
		[ -z "$out" ] && break
		sleep 0.5
	done
	assert_eq "and once removed it is blocked again" "" "$out"
	assert_eq "the old address still passes" open "$(reach "$R_EXT4")"
}

nat_topology niw
bg nsx "$NS_R" socat TCP4-LISTEN:7999,reuseaddr,fork /dev/null
wait_for 5 sh -c "nsenter --net=/run/netns/$NS_R ss -ltnH | grep -q ':7999 '"
nat_load ifwatch <<-'EOF'
ext = "r_ext"
block in on $ext proto tcp
pass in on $ext proto tcp to ($ext) port 7999
pass out
EOF
run_test test_rule_compiled_for_the_address
run_test test_new_address_without_watcher
run_test test_new_address_with_watcher
finish
