#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Rule identity outlives reloads (issue 10; FreeBSD killstate.sh, cases
# label and multilabel): a state keeps naming the rule that made it --
# its labels, its number in -ss -vv -- however many reloads come after,
# and pfctl_bpf -k label -k foo kills the states of the old rule labelled
# foo although no loaded rule carries foo any more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare socat ss pfctl_bpf

make_states() {
	pf -q -F states
	udp_send "$NS_A" "$B4" 9001 "$A4:49001"
	udp_send "$NS_A" "$B4" 9002 "$A4:49002"
	wait_for 3 sh -c "[ \$(nsenter --net=/run/netns/$NS_B $PFCTL -ss | grep -c ':900[12] ') -ge 2 ]"
	assert_eq "two states to start from" 2 "$(nstates ':900[12] ')"
}

# A ruleset where every rule is another: no label of the first survives,
# and rule 1 and 2 are now other rules.
reload_other() {
	load other <<-EOF
	block in
	pass in proto udp to port 7777 label "new"
	pass in proto udp to port 7778 label "newer"
	pass in proto udp to port 7779
	pass out inet proto { tcp udp icmp }
	EOF
}

load_first() {
	load first <<-EOF
	block in
	pass in proto udp to port 9001 label "foo"
	pass in proto udp to port 9002 label "dns" label "resolver"
	pass out inet proto { tcp udp icmp }
	EOF
}

# the rule number -ss -vv gives the state to PORT
state_rule() {
	pf -ss -vv | awk -v pat=":$1 <- " 'index($0, pat) { f = 1; next } f && /rule [0-9]+/ { for (i = 1; i < NF; i++) if ($i == "rule") { print $(i + 1); exit } }'
}

test_label_after_three_reloads() {
	load_first
	make_states
	reload_other
	reload_other
	reload_other
	assert_eq "both states live through three reloads" 2 "$(nstates ':900[12] ')"
	assert_eq "-ss -vv: the 9001 state still names rule 1" 1 "$(state_rule 9001)"
	assert_eq "-ss -vv: the 9002 state still names rule 2" 2 "$(state_rule 9002)"
	assert_match "no loaded rule carries foo" '^$' "$(pf -sr | grep foo || true)"
	assert_match "-k label -k new: the new rule 1 made nothing" '^killed 0 states$' \
		"$(pf -k label -k new 2>&1)"
	assert_match "-k label -k foo kills the old rule's state" '^killed 1 states$' \
		"$(pf -k label -k foo 2>&1)"
	assert_eq "the 9001 state is gone" 0 "$(nstates ':9001 ')"
	assert_eq "the 9002 state untouched" 1 "$(nstates ':9002 ')"
}

test_multilabel() {
	load_first
	assert_match "-sr lists both labels" 'label "dns" label "resolver"' "$(pf -sr)"
	make_states
	reload_other
	reload_other
	reload_other
	assert_match "-k label -k resolver: the second label matches" '^killed 1 states$' \
		"$(pf -k label -k resolver 2>&1)"
	load_first
	make_states
	reload_other
	assert_match "-k label -k dns: the first label matches" '^killed 1 states$' \
		"$(pf -k label -k dns 2>&1)"
	assert_eq "only the foo state is left" 1 "$(nstates ':9001 ')"
}

test_counters_stay_with_the_old_rule() {
	load_first
	make_states
	reload_other
	reload_other
	# the state's packets count for the old rule, not the new rule 1
	udp_send "$NS_A" "$B4" 9001 "$A4:49001"
	udp_send "$NS_A" "$B4" 9001 "$A4:49001"
	assert_match "-sr -v: new rule 1 has seen no packet" 'Packets: 0 ' \
		"$(pf -sr -v | awk '/label "new"/ { f = 1; next } f { print; exit }')"
}

pfctl_setup pfr
run_test test_label_after_three_reloads
run_test test_multilabel
run_test test_counters_stay_with_the_old_rule
finish
