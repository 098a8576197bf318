#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Anchors filter: a main ruleset `block in; anchor "svc"` opens a port only
# once rules are loaded into svc with -a svc -f, closes it again when the
# anchor is flushed (-a svc -F rules) while an established stream lives on;
# quick inside an anchor wins over later main rules; an anchor rule's filter
# restricts its rules; listings (-sr, -a svc -sr, -sA, -ss -v) and -k label
# name anchor rules as pfctl does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare socat ss pfctl_bpf

# load_anchor NAME FILE: the pf.conf on stdin loaded into anchor NAME.
load_anchor() {
	cat > "$TEST_TMP/$2.conf"
	assert_cmd "load anchor $1" pf -a "$1" -f "$TEST_TMP/$2.conf"
}

test_anchor_opens_and_closes() {
	load main <<-EOF
	block in
	anchor "svc"
	pass out
	EOF
	serve "$NS_B" 5554
	expect_block "port 5555 is closed while anchor svc is empty" "$NS_A" "$B4" 5555
	assert_match "-sA lists the called anchor, empty as it is" '^  svc$' "$(pf -sA)"
	assert_eq "-sr lists the anchor rule as pfctl does" \
		"$(printf 'block drop in all\nanchor "svc" all\npass out all flags S/SA keep state')" \
		"$(pf -sr)"

	load_anchor svc svc <<-EOF
	pass in proto tcp to port 5555 label "svc-web"
	EOF
	: > "$RECV"
	bg nsx "$NS_B" socat -u TCP4-LISTEN:5555,reuseaddr,fork "OPEN:$RECV,creat,append"
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':5555 '"
	bg nsx "$NS_A" sh -c "i=0; while :; do echo tick \$i; i=\$((i + 1)); sleep 0.1; done |
		socat -u STDIO TCP4:$B4:5555"
	if grows; then pass "after -a svc -f, port 5555 opens (a stream flows)"
	else fail "after -a svc -f, port 5555 opens (a stream flows)" "no data received"; fi
	expect_block "other ports stay closed" "$NS_A" "$B4" 5554
	assert_eq "-a svc -sr lists the anchor's rules" \
		'pass in proto tcp from any to any port = 5555 flags S/SA keep state label "svc-web"' \
		"$(pf -a svc -sr)"
	assert_match "-sA lists the anchor" '^  svc$' "$(pf -sA)"
	assert_match "-a svc -sr -v: the anchor rule holds the stream's state" \
		'States: 1 ' "$(pf -a svc -sr -v)"
	assert_match "-sr -v: so does the anchor call in the main ruleset" \
		'States: 1 ' "$(pf -sr -v | grep -A1 '^anchor "svc"')"
	assert_match "-ss -v names the rule by its number in the anchor" \
		'rule 0$' "$(pf -ss -v | grep -A2 "$B4:5555 <- " | grep 'rule')"
	assert_match "--json -ss names the anchor of the rule" '"rule_anchor": *"svc"' \
		"$(pf --json -ss 2>/dev/null || pf -ss --json)"

	assert_match "-a svc -F rules" '^rules cleared$' "$(pf -a svc -F rules 2>&1)"
	expect_block "after the flush port 5555 is closed to new connections" "$NS_A" "$B4" 5555
	if grows; then pass "the established stream survives the flush"
	else fail "the established stream survives the flush" "stalled after -a svc -F rules"; fi
	assert_eq "anchor svc is empty" "" "$(pf -a svc -sr 2>/dev/null)"
	assert_match "the main ruleset still calls it" '^anchor "svc" all$' "$(pf -sr)"

	# -k label finds the rule inside the anchor while it is loaded.
	load_anchor svc svc2 <<-EOF
	pass in proto tcp to port { 5555 5556 } label "svc-web"
	EOF
	serve "$NS_B" 5556
	expect_pass "reloaded, the anchor opens port 5556 too" "$NS_A" "$B4" 5556
	assert_eq "its connection left a state" 1 "$(nstates "$B4:5556 <- ")"
	assert_match "-k label kills the states of the anchor's rules" '^killed [1-9][0-9]* states' \
		"$(pf -k label -k svc-web 2>&1)"
	assert_eq "no state of port 5556 is left" 0 "$(nstates "$B4:5556 <- ")"
}

test_quick_in_anchor_and_filter() {
	load main2 <<-EOF
	block in
	anchor "q"
	block in quick proto tcp to port 5557
	anchor "web" in proto tcp to port 5558 {
		pass
	}
	pass out
	EOF
	load_anchor q q <<-EOF
	pass in quick proto tcp to port 5557
	pass in proto tcp to port 5559
	EOF
	serve "$NS_B" 5557
	serve "$NS_B" 5558
	serve "$NS_B" 5559
	serve "$NS_B" 5560
	expect_pass "quick inside the anchor wins over the later 'block in quick'" "$NS_A" "$B4" 5557
	expect_pass "the inline anchor's 'pass' passes what its anchor rule matches" "$NS_A" "$B4" 5558
	expect_block "and nothing else: it is restricted to 'in proto tcp to port 5558'" \
		"$NS_A" "$B4" 5560
	expect_pass "a non-quick anchor rule passes when nothing later matches" "$NS_A" "$B4" 5559
	assert_match "-sr prints the inline anchor's filter" \
		'^anchor "web" in proto tcp from any to any port = 5558$' "$(pf -sr)"
	assert_match "-a web -sr lists its rule" '^pass all flags S/SA keep state$' "$(pf -a web -sr)"
	assert_match "-a q -sr -v counts the packets of its quick rule" \
		'Packets: [1-9]' "$(pf -a q -sr -v | grep -A1 'port = 5557')"
	# A reload of the main ruleset keeps what -a q -f loaded.
	load main3 <<-EOF
	block in
	anchor "q"
	pass out
	EOF
	expect_pass "anchor q survives a reload of the main ruleset" "$NS_A" "$B4" 5557
	assert_match "-sA -v lists the anchors" 'q' "$(pf -sA -v)"

	# A filter that cannot be intersected is refused; the running ruleset stays.
	load_anchor q q3 <<-EOF
	pass in on ! lo proto tcp to port 5557
	EOF
	printf 'block in\nanchor "q" on ! %s\npass out\n' "$VETH_B" > "$TEST_TMP/bad.conf"
	local out
	out=$(pf -f "$TEST_TMP/bad.conf" 2>&1)
	assert_eq "an inexpressible anchor filter fails the load" 1 "$?"
	assert_match "and says why" "'on ! $VETH_B' and 'on ! lo' together cannot be expressed" "$out"
	expect_pass "the running ruleset is untouched" "$NS_A" "$B4" 5557
}

pfctl_setup pfa
run_test test_anchor_opens_and_closes
run_test test_quick_in_anchor_and_filter
finish
