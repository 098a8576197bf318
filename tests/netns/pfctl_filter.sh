#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pfctl_bpf -f rulesets deciding real traffic: block by default with
# pass out keep state, quick, tables changed live with -T, max N states.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare socat ss pfctl_bpf

test_block_default_pass_out() {
	load default <<-EOF
	block all
	pass out keep state
	EOF
	serve "$NS_B" 8001
	serve "$NS_A" 8101
	expect_block "inbound connection blocked by 'block all'" "$NS_A" "$B4" 8001
	expect_pass "outbound connection passes, replies ride its state" "$NS_B" "$A4" 8101
	assert_match "the outbound state is listed as pfctl does" \
		"^all tcp $B4:[0-9]+ -> $A4:8101 +[A-Z_0-9]+:[A-Z_0-9]+\$" "$(states ":8101 ")"
	assert_eq "no state for the blocked inbound attempt" 0 "$(nstates ":8001 ")"
}

test_quick() {
	load quick <<-EOF
	block in quick proto tcp to port 8002
	pass in proto tcp to port { 8002 8003 }
	pass out
	EOF
	serve "$NS_B" 8002
	serve "$NS_B" 8003
	expect_block "quick block wins over a later pass" "$NS_A" "$B4" 8002
	expect_pass "the later pass applies to other ports" "$NS_A" "$B4" 8003
	assert_match "-sr lists the quick rule first" '^block( drop)? in quick proto tcp' "$(pf -sr)"
}

test_tables_live() {
	load tables <<-EOF
	table <allowed> persist { $A4 }
	block in
	pass in proto tcp from <allowed> to port 8004
	pass out
	EOF
	serve "$NS_B" 8004
	expect_pass "table hit: $A4 passes" "$NS_A" "$B4" 8004 "$A4"
	expect_block "table miss: $A4B blocked" "$NS_A" "$B4" 8004 "$A4B"
	assert_match "-T add reports the count" '1/1 addresses added' \
		"$(pf -t allowed -T add "$A4B" 2>&1)"
	expect_pass "after -T add, $A4B passes" "$NS_A" "$B4" 8004 "$A4B"
	assert_match "-T delete reports the count" '1/1 addresses deleted' \
		"$(pf -t allowed -T delete "$A4" 2>&1)"
	expect_block "after -T delete, $A4 is blocked" "$NS_A" "$B4" 8004 "$A4"
	assert_eq "-T show lists what is left" "   $A4B" "$(pf -t allowed -T show)"
	assert_cmd "-T test: a member matches (exit 0)" pf -t allowed -T test "$A4B"
	pf -t allowed -T test "$A4" >/dev/null 2>&1
	assert_eq "-T test: a non-member gives exit status 2" 2 "$?"
	assert_match "-T replace" '1 addresses added' \
		"$(pf -t allowed -T replace "$A4" 2>&1)"
	expect_pass "after -T replace, $A4 passes" "$NS_A" "$B4" 8004 "$A4"
	expect_block "after -T replace, $A4B is blocked" "$NS_A" "$B4" 8004 "$A4B"
	assert_match "-sT lists the table" '^allowed$' "$(pf -sT)"
}

test_max_states() {
	load max <<-EOF
	block in
	pass in proto udp to port 8005 keep state (max 2)
	pass out
	EOF
	local before after
	before=$(counter state-limit)
	udp_send "$NS_A" "$B4" 8005 "$A4"
	udp_send "$NS_A" "$B4" 8005 "$A4B"
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$NS_B $PFCTL -ss | grep -c ':8005 ') -ge 2 ]"
	assert_eq "two states made under max 2" 2 "$(nstates ':8005 ')"
	# A third source port makes a third connection: refused.
	echo x | nsx "$NS_A" socat -u STDIO "UDP4-SENDTO:$B4:8005,sourceport=40555" 2>/dev/null
	sleep 0.5
	assert_eq "a third state is refused" 2 "$(nstates ':8005 ')"
	after=$(counter state-limit)
	assert_cmd "state-limit counter moved ($before -> $after)" test "$after" -gt "$before"
	assert_match "-sr -v shows the two states of the rule" 'States: 2 ' "$(pf -sr -v)"
}

test_ipv6() {
	load v6 <<-EOF
	block in
	pass in inet6 proto icmp6 all
	pass in inet6 proto tcp to port 8006
	pass out
	EOF
	bg nsx "$NS_B" socat TCP6-LISTEN:8006,reuseaddr,fork EXEC:cat
	bg nsx "$NS_B" socat TCP6-LISTEN:8007,reuseaddr,fork EXEC:cat
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':8007 '"
	local out
	out=$(echo probe | nsx "$NS_A" socat -T 2 STDIO "TCP6:[$B6]:8006,connect-timeout=2" 2>/dev/null)
	assert_eq "IPv6 connection to a passed port" probe "$out"
	out=$(echo probe | nsx "$NS_A" socat -T 2 STDIO "TCP6:[$B6]:8007,connect-timeout=2" 2>/dev/null)
	assert_eq "IPv6 connection to another port is blocked" "" "$out"
	assert_match "-ss brackets IPv6 ports" \
		"^all tcp $B6\\[8006\\] <- $A6\\[[0-9]+\\] +[A-Z_0-9]+:[A-Z_0-9]+\$" "$(states '\[8006\]')"
	assert_match "-k an IPv6 host" '^killed [1-9][0-9]* states' "$(pf -k "$A6" 2>&1)"
	assert_eq "its states are gone" 0 "$(nstates "<- $A6\\[")"
}

pfctl_setup pff
run_test test_block_default_pass_out
run_test test_quick
run_test test_tables_live
run_test test_max_states
run_test test_ipv6
finish
