#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pfctl_bpf -k host / network / host-to-host / label / id, -i IF -F states
# and -F states: each removes exactly the matching states, and the
# traffic of the killed states has to make new ones.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare socat ss pfctl_bpf

# A second link between A and B, so that states live on two interfaces.
second_link() {
	pfctl_second_link pfk
}

# Six states: {A4, A4B} x {9001, 9002} on the first link, {9001, 9002}
# from $NET2.1 on the second.
make_states() {
	local p
	# From a clean table, with fixed source ports so that a datagram
	# refreshes its state instead of making another.
	pf -q -F states
	for p in 9001 9002; do
		udp_send "$NS_A" "$B4" $p "$A4:4$p"
		udp_send "$NS_A" "$B4" $p "$A4B:4$p"
		udp_send "$NS_A" "$NET2.2" $p "$NET2.1:4$p"
	done
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$NS_B $PFCTL -ss | grep -c ':900[12] ') -ge 6 ]"
	assert_eq "six states to start from" 6 "$(nstates ':900[12] ')"
}

test_kill_host() {
	make_states
	assert_match "-k host reports pfctl's line" \
		'^killed 2 states from 1 sources and 0 destinations$' "$(pf -k "$A4B" 2>&1)"
	assert_eq "no state from $A4B left" 0 "$(nstates "<- $A4B:")"
	assert_eq "the other four untouched" 4 "$(nstates ':900[12] ')"
}

test_kill_network() {
	make_states
	assert_match "-k network" '^killed 2 states' "$(pf -k "$NET2.0/24" 2>&1)"
	assert_eq "no state from $NET2.0/24 left" 0 "$(nstates "<- $NET2\\.")"
	assert_eq "the other four untouched" 4 "$(nstates ':900[12] ')"
}

test_kill_host_to_host() {
	make_states
	assert_match "-k src -k dst" \
		'^killed 2 states from 1 sources and 1 destinations$' "$(pf -k "$A4" -k "$B4" 2>&1)"
	assert_eq "no state $A4 -> $B4 left" 0 "$(nstates "$B4:900[12] <- $A4:")"
	assert_eq "the other four untouched" 4 "$(nstates ':900[12] ')"
}

test_kill_label() {
	make_states
	assert_match "-k label -k dns" '^killed 3 states$' "$(pf -k label -k dns 2>&1)"
	assert_eq "no state of the labelled rule left" 0 "$(nstates ':9002 ')"
	assert_eq "the other rule's states untouched" 3 "$(nstates ':9001 ')"
	assert_match "-sl still lists both labels" '^dns [0-9]' "$(pf -sl)"
}

test_kill_id() {
	local id
	make_states
	id=$(pf -ss -vv | awk -v pat="$B4:9001 <- $A4:" 'index($0, pat) { f = 1 } f && $1 == "id:" { print $2; exit }')
	assert_match "-ss -vv shows a 16-digit id" '^[0-9a-f]{16}$' "$id"
	assert_match "-k id -k $id" '^killed 1 states$' "$(pf -k id -k "$id" 2>&1)"
	assert_eq "that state is gone" 0 "$(pf -ss -vv | grep -c "id: $id")"
	assert_eq "the other five untouched" 5 "$(nstates ':900[12] ')"
	assert_match "an unknown id kills nothing" '^killed 0 states$' "$(pf -k id -k "$id" 2>&1)"
}

test_flush_interface() {
	make_states
	assert_match "-i $VETH2_B -F states" '^2 states cleared$' "$(pf -i "$VETH2_B" -F states 2>&1)"
	assert_eq "no state of $VETH2_B left" 0 "$(nstates "$NET2\\.")"
	assert_eq "the states of $VETH_B untouched" 4 "$(nstates ':900[12] ')"
	assert_match "-F states clears the rest" '^4 states cleared$' "$(pf -F states 2>&1)"
	assert_eq "state table empty" 0 "$(nstates ':900[12] ')"
}

pfctl_setup pfk
if ! second_link; then
	fail "setup: second link"
	finish
fi
assert_cmd "pfctl_bpf -e -i $VETH2_B (pf already running)" pf -e -i "$VETH2_B"
# `pass out inet proto { tcp udp icmp }`: the chatter of a fresh link
# (IPv6 router solicitations and MLD, IGMP membership reports) would
# otherwise make states of its own at random moments and blur the counts
# of exactly what each kill removes; unmatched outbound packets still pass
# (without state), as in pf.
load kill <<-EOF
block in
pass in proto udp to port 9001 label "web"
pass in proto udp to port 9002 label "dns"
pass out inet proto { tcp udp icmp }
EOF
run_test test_kill_host
run_test test_kill_network
run_test test_kill_host_to_host
run_test test_kill_label
run_test test_kill_id
run_test test_flush_interface
finish
