#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pfctl_bpf -f under a running TCP stream: the stream keeps flowing and keeps
# its state (same id) across reloads, even to a ruleset that would no longer
# let it start; a rejected ruleset leaves the running one untouched; `set
# timeout` from the file takes effect on states.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare socat ss pfctl_bpf

test_reload_keeps_stream() {
	local id1 id2
	load r1 <<-EOF
	block in
	pass in proto tcp to port 8010
	pass out
	EOF
	tick_stream
	if grows; then pass "the stream flows"; else fail "the stream flows" "no data received"; fi
	id1=$(stream_id)
	assert_match "the stream has a state" '^[0-9a-f]{16}$' "$id1"

	load r2 <<-EOF
	set timeout tcp.established 7200
	block in
	pass in proto tcp to port 8011
	pass out
	EOF
	if grows; then pass "the stream flows after the reload"; else fail "the stream flows after the reload" "no data after -f"; fi
	id2=$(stream_id)
	assert_eq "the stream kept its state (same id)" "$id1" "$id2"
	assert_match "and it is still established" "$B4:8010 <- $A4:[0-9]+ +ESTABLISHED:ESTABLISHED" "$(states ':8010 ')"
	assert_match "the new ruleset is the running one" 'port = 8011' "$(pf -sr)"
	serve "$NS_B" 8012
	expect_block "a new connection the new ruleset does not pass is blocked" "$NS_A" "$B4" 8012

	printf 'block in\npass in proto tcp to port 8013 bogus words\n' > "$TEST_TMP/bad.conf"
	local out
	out=$(pf -f "$TEST_TMP/bad.conf" 2>&1)
	assert_eq "a bad file fails" 1 "$?"
	assert_match "its error names file and line" 'bad\.conf:2' "$out"
	assert_match "the running ruleset is untouched" 'port = 8011' "$(pf -sr)"
	if grows; then pass "the stream still flows"; else fail "the stream still flows" "stalled after a rejected load"; fi

	assert_match "-F rules" '^rules cleared$' "$(pf -F rules 2>&1)"
	assert_eq "no rules left" "" "$(pf -sr)"
	assert_eq "the stream's state survives a rule flush" "$id1" "$(stream_id)"
	if grows; then pass "and the stream flows on"; else fail "and the stream flows on" "stalled after -F rules"; fi
}

test_set_timeout() {
	load t1 <<-EOF
	block in
	pass in proto udp to port 9100
	pass out
	EOF
	udp_send "$NS_A" "$B4" 9100
	wait_for 3 sh -c "nsenter --net=/run/netns/$NS_B $PFCTL -ss | grep -q ':9100 '"
	assert_match "with the default udp.first a state expires in about a minute" \
		'expires in 00:0(0:5[0-9]|1:00)' "$(pf -ss -v | grep -A2 ':9100 ')"
	pf -F states >/dev/null 2>&1
	load t2 <<-EOF
	set timeout udp.first 3
	set timeout udp.single 3
	set timeout udp.multiple 3
	set timeout interval 1
	block in
	pass in proto udp to port 9100
	pass out
	EOF
	assert_match "-st shows the new udp.first" '^udp\.first +3s$' "$(pf -st)"
	assert_match "-st shows the new interval" '^interval +1s$' "$(pf -st)"
	udp_send "$NS_A" "$B4" 9100
	wait_for 3 sh -c "nsenter --net=/run/netns/$NS_B $PFCTL -ss | grep -q ':9100 '"
	assert_match "a new state expires in 3 s at most" 'expires in 00:00:0[0-3]' \
		"$(pf -ss -v | grep -A2 ':9100 ')"
	if wait_for 8 sh -c "! nsenter --net=/run/netns/$NS_B $PFCTL -ss | grep -q ':9100 '"; then
		pass "the state is removed after its timeout"
	else
		fail "the state is removed after its timeout" "$(pf -ss -v)"
	fi
}

pfctl_setup pfr
run_test test_reload_keeps_stream
run_test test_set_timeout
finish
