#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# `set state-policy if-bound|floating` and `set skip on IF` loaded with
# pfctl_bpf -f, deciding real traffic over two links between A and B;
# `set timeout adaptive.start 0` read back with -st.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare socat ss sysctl pfctl_bpf

# A second link between A and B: B is 203.0.113.2 on it.
second_link() {
	pfctl_second_link pfp || return 1
	# The same flow (A4 -> B4) will arrive on the second link: the
	# kernel's reverse path check must not drop it before the socket,
	# only pf decides.
	nsx "$NS_B" sysctl -qw net.ipv4.conf.all.rp_filter=0
	nsx "$NS_B" sysctl -qw "net.ipv4.conf.$VETH2_B.rp_filter=0"
}

# recv_udp PORT FILE: every datagram B receives on PORT is appended to FILE.
recv_udp() {
	: > "$2"
	bg nsx "$NS_B" socat -u "UDP4-RECV:$1,reuseaddr" "OPEN:$2,append"
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -lunH | grep -q ':$1 '"
}

# via_link N: A's packets to B4 leave over link 1 (the /24 route) or link 2
# (a host route on the second veth; B answers ARP for B4 on it).
via_link() {
	nsx "$NS_A" ip route del "$B4/32" 2>/dev/null
	[ "$1" = 2 ] && nsx "$NS_A" ip route add "$B4/32" dev "$VETH2_A"
	return 0
}

# got FILE WORD: has B's receiver logged WORD?
got() { wait_for 2 grep -qx "$2" "$1"; }

# send PORT WORD: one datagram A4:4PORT -> B4:PORT.
send() { echo "$2" | nsx "$NS_A" socat -u STDIO "UDP4-SENDTO:$B4:$1,bind=$A4:4$1"; }

# One UDP flow A4:4PORT -> B4:PORT: first over link 1 (a pass rule there
# makes the state), then over link 2, where only the state can pass it.
same_flow_two_links() {
	local port=$1 file=$2
	via_link 1
	send "$port" one
	if got "$file" one; then
		pass "the datagram over $VETH_B passes (the rule makes a state)"
	else
		fail "the datagram over $VETH_B passes (the rule makes a state)"
	fi
	via_link 2
	send "$port" two
}

# policy_rules NAME PORT [OPTION LINE]
policy_rules() {
	load "$1" <<-EOF
	${3:-}
	block in
	pass in on $VETH_B proto udp to port $2
	pass out inet proto { tcp udp icmp }
	EOF
}

test_if_bound() {
	local f=$TEST_TMP/ifbound.log
	pf -q -F states
	policy_rules ifbound 9100 "set state-policy if-bound"
	recv_udp 9100 "$f"
	same_flow_two_links 9100 "$f"
	if got "$f" two; then
		fail "if-bound: the state made on $VETH_B does not pass the flow on $VETH2_B"
	else
		pass "if-bound: the state made on $VETH_B does not pass the flow on $VETH2_B"
	fi
	assert_match "the state is bound to $VETH_B (-ss shows the interface)" \
		"^$VETH_B udp $B4:9100 <- $A4:49100 " "$(states ':9100 ')"
	assert_eq "one state, the blocked packet made none" 1 "$(nstates ':9100 ')"
	via_link 1
}

test_floating() {
	local f=$TEST_TMP/floating.log
	pf -q -F states
	# no `set state-policy` in the file: a reload is floating again
	policy_rules floating 9101
	recv_udp 9101 "$f"
	same_flow_two_links 9101 "$f"
	if got "$f" two; then
		pass "floating: the state made on $VETH_B passes the flow on $VETH2_B"
	else
		fail "floating: the state made on $VETH_B passes the flow on $VETH2_B" "$(cat "$f")"
	fi
	assert_match "the floating state is listed on 'all'" \
		"^all udp $B4:9101 <- $A4:49101 " "$(states ':9101 ')"
	via_link 1
}

test_skip() {
	local out
	load noskip <<-EOF
	block in
	pass out inet proto { tcp udp icmp }
	EOF
	serve "$NS_B" 9200
	expect_block "blocked over $VETH_B" "$NS_A" "$B4" 9200
	expect_block "blocked over $VETH2_B while pf is attached there" "$NS_A" "$NET2.2" 9200

	cat > "$TEST_TMP/skip.conf" <<-EOF
	set skip on $VETH2_B
	block in
	pass out inet proto { tcp udp icmp }
	EOF
	out=$(pf -f "$TEST_TMP/skip.conf" 2>&1)
	assert_match "-f says it detached pf from the skipped interface" \
		"^pfctl_bpf: set skip on $VETH2_B: pf detached from $VETH2_B\$" "$out"
	expect_pass "reachable over the skipped $VETH2_B" "$NS_A" "$NET2.2" 9200
	expect_block "still blocked over $VETH_B" "$NS_A" "$B4" 9200
	assert_match "-sI -v shows the skip flag" "^$VETH2_B \\(skip\\)\$" "$(pf -sI -v)"
	assert_nomatch "-sI -v: $VETH_B is not skipped" "^$VETH_B \\(skip\\)\$" "$(pf -sI -v)"

	out=$(pf -e -i "$VETH2_B" 2>&1)
	assert_eq "-e -i on a skipped interface fails" 1 "$?"
	assert_match "... with a note naming it" \
		"^pfctl_bpf: $VETH2_B: set skip on $VETH2_B: not attaching pf there\$" "$out"
	expect_pass "still reachable over $VETH2_B" "$NS_A" "$NET2.2" 9200

	out=$(pf -f "$TEST_TMP/noskip.conf" 2>&1)
	assert_match "a file without skip clears it and says how to filter there again" \
		"^pfctl_bpf: $VETH2_B is no longer skipped" "$out"
	assert_cmd "pfctl_bpf -e -i $VETH2_B attaches again" pf -e -i "$VETH2_B"
	expect_block "blocked over $VETH2_B again" "$NS_A" "$NET2.2" 9200
}

test_adaptive_zero() {
	cat > "$TEST_TMP/adaptive.conf" <<-EOF
	set timeout { adaptive.start 0, adaptive.end 0 }
	EOF
	assert_cmd "load adaptive.start 0" pf -O -f "$TEST_TMP/adaptive.conf"
	assert_match "-st prints adaptive.start 0" '^adaptive\.start +0 states$' "$(pf -st)"
	assert_match "-st prints adaptive.end 0" '^adaptive\.end +0 states$' "$(pf -st)"
	printf 'set timeout adaptive.start 6000\nset timeout adaptive.end 12000\n' \
		> "$TEST_TMP/adaptive2.conf"
	assert_cmd "load adaptive values back" pf -O -f "$TEST_TMP/adaptive2.conf"
	assert_match "-st prints 6000" '^adaptive\.start +6000 states$' "$(pf -st)"
}

pfctl_setup pfp
if ! second_link; then
	fail "setup: second link"
	finish
fi
assert_cmd "pfctl_bpf -e -i $VETH2_B (pf already running)" pf -e -i "$VETH2_B"
run_test test_if_bound
run_test test_floating
run_test test_skip
run_test test_adaptive_zero
finish
