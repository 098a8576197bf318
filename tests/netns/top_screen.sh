#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pftop_bpf on a running pf: batch mode line by line against pfctl_bpf -ss
# on the same states, orders, the filter and its errors, and the screen
# under tmux (send-keys, capture-pane): each view, a sort change, a
# filter, pause, quit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

PFTOP=${PFTOP:-$BUILD/pftop_bpf}
require_tools ip nsenter unshare socat ss tmux pfctl_bpf

top() { nsx "$NS_B" "$PFTOP" "$@"; }
TMUX_SOCK=pftop$$
tm() { tmux -L "$TMUX_SOCK" "$@"; }
screen() { tm capture-pane -p -t top; }

setup_states() {
	load top <<-EOF
	block in all
	pass out all keep state label "out"
	pass in proto tcp to port 8020 keep state label "web"
	EOF
	serve "$NS_B" 8020
	serve "$NS_A" 5353 udp
	local i
	for i in 1 2 3; do
		tcp_ok "$NS_A" "$B4" 8020 || true
	done
	for i in 1 2 3 4; do
		echo "x$i" | nsx "$NS_B" socat -u STDIO "UDP4-SENDTO:$A4:5353,sourceport=$((6000 + i))"
	done
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$NS_B '$PFCTL' -ss | grep -c .) -ge 7 ]"
}

# ss_tuples: "proto src dst" of each -ss state (pfctl prints the far side
# second for inbound states: "IF PROTO B <- A").
ss_tuples() {
	pf -ss | awk '$4 == "<-" { print $2, $5, $3 } $4 == "->" { print $2, $3, $5 }' | sort
}
top_tuples() {
	top -b -a -d 1 | awk 'NR > 2 && NF { print $1, $3, $4 }' | sort
}

test_batch_matches_ss() {
	local want got
	want=$(ss_tuples)
	got=$(top_tuples)
	assert_cmd "there are states" test "$(grep -c . <<<"$want")" -ge 7
	# The link's own IPv6 traffic may add a state between the two reads.
	local tries=0
	while [ "$want" != "$got" ] && [ $((tries += 1)) -lt 5 ]; do
		sleep 0.5
		want=$(ss_tuples)
		got=$(top_tuples)
	done
	assert_eq "batch -a lists exactly -ss's states" "$want" "$got"
	assert_match "the status line counts them" \
		"^pftop_bpf: Up State 1-$(grep -c . <<<"$want")/$(grep -c . <<<"$want"), View: default" \
		"$(top -b -a -d 1 | head -1)"
	assert_match "the default view's header" '^PR +DIR +SRC +DEST +STATE +AGE +EXP +PKTS +BYTES$' \
		"$(top -b -d 1 | sed -n 2p)"
}

test_batch_orders_and_filter() {
	local out
	out=$(top -b -a -d 1 -o dport | awk 'NR > 2 && NF { split($4, a, ":"); print a[2] }')
	assert_eq "-o dport sorts ports up" "$(sort -n <<<"$out")" "$out"
	out=$(top -b -a -d 1 -o dport -r | awk 'NR > 2 && NF { split($4, a, ":"); print a[2] }')
	assert_eq "-r reverses it" "$(sort -rn <<<"$out")" "$out"
	out=$(top -b -a -d 1 -f "udp and dst port 5353" | awk 'NR > 2 && NF')
	assert_eq "-f keeps the four UDP states" 4 "$(grep -c . <<<"$out")"
	assert_nomatch "-f drops the rest" '^tcp' "$out"
	assert_eq "2 lines: -b with a line count" 2 "$(top -b -d 1 2 | awk 'NR > 2 && NF' | grep -c .)"
	out=$(top -b -d 1 -f "port" 2>&1)
	assert_eq "a bad filter exits 2" 2 "$?"
	assert_eq "a bad filter names the column" \
		"pftop_bpf: -f 'port': column 5: expected a port number at the end" "$out"
	out=$(top -b -d 1 -o nonsense 2>&1)
	assert_match "an unknown order says which exist" "^pftop_bpf: -o: unknown order 'nonsense' \\(age " "$out"
	out=$(top -b -d 1 -v rules)
	assert_match "-v rules lists the rules" '^0 +Block +In .* block drop in all$' "$out"
	assert_match "-v rules counts states" '^2 +Pass +In .* +3 +- +pass in proto tcp' "$out"
	out=$(top -b -d 1 -v label)
	assert_match "-v label shows labelled rules" '^2 +web ' "$out"
	assert_nomatch "-v label skips unlabelled ones" '^0 ' "$out"
}

test_screen() {
	tm new-session -d -s top -x 200 -y 40 "nsenter --net=/run/netns/$NS_B $PFTOP -s 0.5" || {
		fail "tmux starts pftop_bpf"
		return
	}
	if wait_for 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t top | grep -q 'View: default'"; then
		pass "the default view is on the screen"
	else
		fail "the default view is on the screen" "$(screen)"
	fi
	local v name
	for v in 1:long 2:state 3:time 4:size 5:speed 6:rules 7:label 0:default; do
		name=${v#*:}
		tm send-keys -t top "${v%%:*}"
		if wait_for 3 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t top | grep -q 'View: $name'"; then
			pass "key ${v%%:*}: the $name view"
		else
			fail "key ${v%%:*}: the $name view" "$(screen | head -3)"
		fi
	done
	tm send-keys -t top v
	wait_for 3 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t top | grep -q 'View: long'" &&
		pass "v: the next view" || fail "v: the next view" "$(screen | head -2)"
	tm send-keys -t top 0 o
	wait_for 3 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t top | grep -q 'Order: age'" &&
		pass "o: the next order" || fail "o: the next order" "$(screen | head -2)"
	tm send-keys -t top f "dst port 8020" Enter
	if wait_for 3 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t top | grep -q 'Filter: dst port 8020'"; then
		pass "f: the filter is shown"
	else
		fail "f: the filter is shown" "$(screen | head -2)"
	fi
	assert_nomatch "f: only the filtered states" '^udp' "$(screen)"
	assert_match "f: the web states stay" "^tcp +In +$A4:[0-9]+ +$B4:8020 " "$(screen)"
	tm send-keys -t top p
	wait_for 3 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t top | grep -q 'PAUSED'" &&
		pass "p: paused" || fail "p: paused" "$(screen | head -2)"
	tm send-keys -t top h
	wait_for 3 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t top | grep -q 'pftop_bpf keys:'" &&
		pass "h: the help" || fail "h: the help" "$(screen | head -2)"
	tm send-keys -t top x q
	if wait_for 3 sh -c "! tmux -L $TMUX_SOCK has-session -t top 2>/dev/null"; then
		pass "q: quits"
	else
		fail "q: quits" "$(screen | head -2)"
		tm kill-server 2>/dev/null
	fi
}

trap 'tmux -L "$TMUX_SOCK" kill-server 2>/dev/null; cleanup' EXIT
pfctl_setup top
setup_states
run_test test_batch_matches_ss
run_test test_batch_orders_and_filter
run_test test_screen
finish
