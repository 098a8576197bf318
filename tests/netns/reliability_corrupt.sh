#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Map entries are untrusted input (issue 12): a state or rule entry written
# with bpftool as nothing in pfbpf writes it makes pfctl_bpf -ss / -sr say
# which entry is wrong and list the others, pftop_bpf count it, a reload
# that would re-add it refuse, and the datapath go on filtering.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter socat bpftool pfctl_bpf pf_kern.bpf.o pfbpf-load

PINS=/sys/fs/bpf/tc/globals

# corrupt MAP PYCODE: rewrite entries of a pinned map with bpftool; PYCODE
# gets `entries` (list of [key bytes, value bytes]) and prints
# "key HEX value HEX" lines to write.
corrupt() {
	bpftool -j map dump pinned "$PINS/$1" > "$TEST_TMP/dump.json" || return 1
	$PY - "$TEST_TMP/dump.json" > "$TEST_TMP/writes" <<-PYEOF || return 1
	import json, sys
	d = json.load(open(sys.argv[1]))
	entries = [[bytes(int(x, 16) for x in e["key"]), bytes(int(x, 16) for x in e["value"])]
	           for e in d]
	def out(k, v):
	    print("key hex " + " ".join("%02x" % b for b in k) + " value hex " + " ".join("%02x" % b for b in v))
	$2
	PYEOF
	[ -s "$TEST_TMP/writes" ] || return 1
	while read -r line; do
		# shellcheck disable=SC2086
		bpftool map update pinned "$PINS/$1" $line || return 1
	done < "$TEST_TMP/writes"
}

test_corrupted_states() {
	local out err rc n
	load keep <<-EOF
	pass in all keep state label "kept"
	pass out all keep state
	EOF
	udp_send "$NS_A" "$B4" 5001
	udp_send "$NS_A" "$B4" 5002
	udp_send "$NS_A" "$B4" 5003
	assert_eq "three states to start from" 3 "$(nstates 'udp')"
	# the 5001 state gets address family 7 (as a new entry beside the
	# good one), the 5002 state peer states 99:99 and timeout class 200
	assert_cmd "bpftool writes two corrupted states" corrupt pf_states '
for k, v in entries:
    port = int.from_bytes(k[34:36], "big")
    if port == 5001:
        out(k[:36] + bytes([7]) + k[37:], v)
    elif port == 5002:
        v = bytearray(v); v[74] = v[75] = 99; v[76] = 200
        out(k, bytes(v))'
	out=$(pf -ss 2> "$TEST_TMP/err"); rc=$?
	err=$(cat "$TEST_TMP/err")
	assert_eq "-ss fails: corrupted entries were met" 1 "$([ "$rc" -ne 0 ] && echo 1)"
	assert_eq "-ss lists the good states (5001, 5003)" 2 "$(printf '%s\n' "$out" | grep -c 'udp')"
	assert_eq "the 5002 state is not shown" "" "$(printf '%s\n' "$out" | grep ':5002' || true)"
	assert_eq "one line per corrupted entry" 2 "$(printf '%s\n' "$err" | grep -c 'corrupted')"
	assert_match "the family is named" 'pf_states entry is corrupted \(address family 7\)' "$err"
	assert_match "the peer states are named" 'corrupted \(peer states 99:99\)' "$err"
	n=$(pf -ss --json 2> /dev/null | $PY -c 'import json, sys; print(len(json.load(sys.stdin)["states"]))')
	assert_eq "--json is valid JSON with the good states" 2 "$n"
	pf -vvss > /dev/null 2>&1; rc=$?
	assert_eq "-vvss does not crash (status 1, not a signal)" 1 "$rc"
	out=$(nsx "$NS_B" timeout 20 "$BUILD/pftop_bpf" -b -d 1 2>&1)
	assert_match "pftop_bpf counts them" '2 corrupted entries not shown' "$out"
	# the datapath keeps filtering: a new flow passes and makes a state
	udp_send "$NS_A" "$B4" 5004
	assert_eq "a new flow still makes a state" 1 "$(nstates ':5004')"
	# (-F states goes through the datapath's kill, which matches keys of
	# a real family: the af 7 entry stays until the sweep expires it)
	assert_cmd "-F states still works" pf -F states
	assert_eq "the good states are gone" 0 "$(pf -ss 2> /dev/null | grep -c udp || true)"
}

test_corrupted_rule() {
	local out err rc
	load lbl <<-EOF
	block in all label "first"
	pass in proto udp to port 5001 keep state label "corruptme"
	pass out all keep state
	EOF
	# the labelled rule: action 77 and a label without its end
	assert_cmd "bpftool writes a corrupted rule" corrupt pf_xrules '
for k, v in entries:
    i = v.find(b"corruptme\0")
    if i >= 0:
        v = bytearray(v); v[4] = 77
        v[i:i + 64] = b"A" * 64
        out(k, bytes(v))'
	out=$(pf -sr 2> "$TEST_TMP/err"); rc=$?
	err=$(cat "$TEST_TMP/err")
	assert_eq "-sr fails: a corrupted rule was met" 1 "$([ "$rc" -ne 0 ] && echo 1)"
	assert_eq "-sr lists the two good rules" 2 "$(printf '%s\n' "$out" | grep -c .)"
	assert_match "the bad one is named with its number" 'rule 1: the pf_xrules entry is corrupted \(action 77\)' "$err"
	pf -vvsr > /dev/null 2>&1; rc=$?
	assert_eq "-vvsr does not crash" 1 "$rc"
	pf -sl > /dev/null 2>&1; rc=$?
	assert_eq "-sl does not crash" 1 "$rc"
	# -F nat keeps the filter rules by re-adding them: never as a zeroed rule
	pf -F nat > /dev/null 2> "$TEST_TMP/err"; rc=$?
	assert_eq "-F nat refuses to keep a ruleset with a corrupted rule" 1 "$([ "$rc" -ne 0 ] && echo 1)"
	assert_match "and says why" 'corrupted.*cannot be kept' "$(cat "$TEST_TMP/err")"
	expect_block "the running ruleset still blocks what rule 0 blocks" "$NS_A" "$B4" 5009
	load fresh <<-EOF
	pass all
	EOF
	pf -sr > /dev/null 2> "$TEST_TMP/err"; rc=$?
	assert_eq "a fresh load replaces the corrupted rule" 0 "$rc"
}

pfctl_setup rc
run_test test_corrupted_states
run_test test_corrupted_rule
finish
