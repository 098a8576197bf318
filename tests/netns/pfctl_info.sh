#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pfctl_bpf -si counters moving as traffic passes and is blocked, the other
# -s listings, --json documents, -x, -z, -F info, -d/-e.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare socat ss pfctl_bpf

# json_get EXPR: evaluate EXPR on the document read from stdin as `d`.
json_get() { "$PY" -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

test_info_counters() {
	load info <<-EOF
	block in proto tcp to port 8021
	pass in proto tcp to port 8020 label "web"
	pass out
	EOF
	serve "$NS_B" 8020
	serve "$NS_B" 8021
	local si ins0 src0 match0 blk0 ins1 src1 match1 blk1
	si=$(pf -si)
	assert_match "-si status line" '^Status: Enabled for [0-9]+ days [0-9]{2}:[0-9]{2}:[0-9]{2} +Debug: [A-Z][a-z]+$' "$si"
	assert_match "-si state table header" '^State Table +Total +Rate$' "$si"
	ins0=$(counter inserts)
	src0=$(counter searches)
	match0=$(counter match)
	blk0=$(pf -si --json | json_get 'd["info"]["all_interfaces"]["inet"]["in"]["blocked"]')
	expect_pass "traffic passes" "$NS_A" "$B4" 8020
	expect_block "traffic is blocked" "$NS_A" "$B4" 8021
	ins1=$(counter inserts)
	src1=$(counter searches)
	match1=$(counter match)
	blk1=$(pf -si --json | json_get 'd["info"]["all_interfaces"]["inet"]["in"]["blocked"]')
	assert_cmd "inserts moved ($ins0 -> $ins1)" test "$ins1" -gt "$ins0"
	assert_cmd "searches moved ($src0 -> $src1)" test "$src1" -gt "$src0"
	assert_cmd "match moved ($match0 -> $match1)" test "$match1" -gt "$match0"
	assert_cmd "blocked inbound IPv4 packets moved ($blk0 -> $blk1)" test "$blk1" -gt "$blk0"
	assert_match "current entries counts the state" '^  current entries +[1-9]' "$(pf -si)"
	assert_match "-sr -v: the pass rule counted packets and a state" \
		'Packets: [1-9][0-9]* +Bytes: [1-9][0-9]* +States: 1 ' "$(pf -sr -v | grep -A1 'port = 8020' | tail -1)"
	assert_match "-sl: the label counted its traffic" '^web [1-9][0-9]* [1-9][0-9]* [1-9][0-9]* ' "$(pf -sl)"
	assert_match "-si -v adds the hostid" '^Hostid: +0x[0-9a-f]{8}$' "$(pf -si -v)"
	assert_match "-F info" 'pf: statistics cleared' "$(pf -F info 2>&1)"
	assert_eq "-F info zeroes inserts" 0 "$(counter inserts)"
}

test_listings() {
	assert_match "-st" '^tcp\.first +120s$' "$(pf -st)"
	assert_match "-st adaptive" '^adaptive\.start +60000 states$' "$(pf -st)"
	assert_match "-sm" '^states +hard limit +100000$' "$(pf -sm)"
	assert_match "-sI lists the interface" "^$VETH_B\$" "$(pf -sI)"
	assert_match "-sI lists lo, which no rule names" "^lo\$" "$(pf -sI)"
	assert_match "-sI lists pf's all group" "^all\$" "$(pf -sI)"
	assert_eq "-sI is in name order" "$(pf -sI | LC_ALL=C sort)" "$(pf -sI)"
	local all
	all=$(pf -sa)
	for t in "FILTER RULES:" "STATES:" "INFO:" "TIMEOUTS:" "LIMITS:" "TABLES:"; do
		assert_match "-sa has $t" "^$t\$" "$all"
	done
	local m
	for m in rules states info Interfaces labels timeouts memory Tables all; do
		if pf -s "$m" --json | json_get '"ok"' >/dev/null 2>&1; then
			pass "-s $m --json is one valid JSON document"
		else
			fail "-s $m --json is one valid JSON document" "$(pf -s "$m" --json 2>&1 | head -5)"
		fi
	done
	assert_eq "--json states are objects with ids" True \
		"$(pf -ss --json | json_get 'all(len(s["id"]) == 16 for s in d["states"])')"
	assert_eq "-si --json names the counters" True \
		"$(pf -si --json | json_get '"state-mismatch" in d["info"]["counters"]')"
}

test_debug_zero() {
	assert_match "-x misc" "debug level set to 'misc'" "$(pf -x misc 2>&1)"
	assert_match "-si shows it" 'Debug: Misc$' "$(pf -si)"
	assert_cmd "-z" pf -z
	assert_match "-sr -v after -z shows zero packets" 'Packets: 0 ' "$(pf -sr -v)"
}

test_disable_enable() {
	assert_match "-d" '^pf disabled$' "$(pf -d 2>&1)"
	pf -s Running >/dev/null 2>&1
	assert_eq "-s Running exits 1 when disabled" 1 "$?"
	expect_pass "a disabled pf passes what the rules block" "$NS_A" "$B4" 8021
	assert_match "-e" '^pf enabled$' "$(pf -e 2>&1)"
	expect_block "enabled again, the rules apply" "$NS_A" "$B4" 8021
	assert_fails "-e on a running pf fails as pfctl's" pf -e
}

pfctl_setup pfi
run_test test_info_counters
run_test test_listings
run_test test_debug_zero
run_test test_disable_enable
finish
