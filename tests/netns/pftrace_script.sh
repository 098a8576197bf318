#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pftrace's script mode on the real ring buffer, fed by pftrace-inject: the
# seed scripts (tests/dtrace/, unchanged) on a TCP session and on packets,
# compile errors rejected before anything is enabled, exit(), tick probes,
# Ctrl-C printing the aggregations, `| head` with a script.  No traffic.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pftrace_lib.bash"

INJECT=$BUILD/pftrace-inject
D=$NETNS_ROOT/tests/dtrace
ID=6845471433603153921 # 0x5f00000000000001, the injected state's id

require_tools bpftool "$PFTRACE" "$INJECT"

test_compile_errors() {
	local out rc
	assert_cmd "pins created" "$INJECT" init
	out=$("$PFTRACE" -n 'ip:::receive { @n[args[2]->ip_saddr] = count( }' 2>&1); rc=$?
	assert_eq "a script with an error exits 1" 1 "$rc"
	assert_match "naming the file and line" '^pftrace: failed to compile script -n: line 1: ' "$out"
	assert_eq "and nothing was enabled" 0 "$(config_trace)"
	out=$("$PFTRACE" -n 'pf:::no-such-probe { trace(1); }' 2>&1)
	assert_match "unknown probe named" 'no-such-probe' "$out"
	out=$("$PFTRACE" -s "$TEST_TMP/missing.d" 2>&1); rc=$?
	assert_eq "a missing script file exits 1" 1 "$rc"
	assert_match "naming it" "^pftrace: cannot read script $TEST_TMP/missing.d: No such file or directory\$" "$out"
	out=$("$PFTRACE" -n 'BEGIN { exit(0); }' -p proto=tcp 2>&1); rc=$?
	assert_eq "-p with a script is a usage error" 2 "$rc"
}

test_seed_pf() {
	local out=$TEST_TMP/pf err=$TEST_TMP/pf.err
	start_pftrace "$out" "$err" -s "$D/pf_provider.d" || { fail "pftrace did not start" "$(cat "$err")"; return; }
	"$INJECT" session 1 >/dev/null
	wait_for 5 grep -qs "pf:::state-destroy($ID)" "$out"
	kill -INT "$PFT"
	wait "$PFT"
	assert_eq "Ctrl-C: status 0" 0 "$?"
	assert_order "the seed pf script's lines in order" "$out" \
		"pf:::state:create\\($ID\\) tcp 6 198\\.51\\.100\\.[12] <- 198\\.51\\.100\\.[12]" \
		"pf:::state-change:established\\($ID\\) 198\\.51\\.100\\.[12] <- 198\\.51\\.100\\.[12]" \
		"pf:::state:tcp-established\\($ID\\) 198\\.51\\.100\\.[12] <- 198\\.51\\.100\\.[12]" \
		"pf:::state-change:finwait2\\($ID\\) 198\\.51\\.100\\.[12] <- 198\\.51\\.100\\.[12]" \
		"pf:::state:tcp-closed\\($ID\\) " \
		"pf:::state-destroy\\($ID\\)"
	assert_eq "each clause fired once" 6 "$(grep -c "($ID)" "$out")"
	assert_nomatch "no runtime error" 'error' "$(cat "$err")"
}

test_seed_ip_count() {
	local out=$TEST_TMP/ip err=$TEST_TMP/ip.err
	start_pftrace "$out" "$err" -s "$D/ip_count.d" || { fail "pftrace did not start" "$(cat "$err")"; return; }
	assert_eq "the ip script switched receive events on" 1 "$(config_trace)"
	"$INJECT" ip 5 >/dev/null
	"$INJECT" ip 4 send >/dev/null
	# At once: what was queued before Ctrl-C is still read and counted.
	kill -INT "$PFT"
	wait "$PFT"
	assert_eq "Ctrl-C: status 0" 0 "$?"
	assert_match "Ctrl-C printed @num: 5 received from 192.0.2.1" '^ *192\.0\.2\.1 +5$' "$(cat "$out")"
	assert_eq "receive events off again" 0 "$(config_trace)"
}

# Ctrl-C arriving while events wait in the ring buffer: they still count.
test_ctrl_c_drains() {
	local out=$TEST_TMP/dr err=$TEST_TMP/dr.err
	start_pftrace "$out" "$err" -s "$D/ip_count.d" || { fail "pftrace did not start" "$(cat "$err")"; return; }
	kill -STOP "$PFT"
	"$INJECT" ip 6 >/dev/null
	kill -INT "$PFT"
	kill -CONT "$PFT"
	wait "$PFT"
	assert_eq "status 0" 0 "$?"
	assert_match "the 6 packets queued before Ctrl-C are counted" '^ *192\.0\.2\.1 +6$' "$(cat "$out")"
}

test_exit_tick_count() {
	local out=$TEST_TMP/x err=$TEST_TMP/x.err rc
	start_pftrace "$out" "$err" -q -n 'pf:::tcp-established { printf("est %d\n", args[0]->rule); exit(3); }' ||
		{ fail "pftrace did not start" "$(cat "$err")"; return; }
	"$INJECT" session 1 >/dev/null
	wait "$PFT"; rc=$?
	assert_eq "exit(3) is the exit status" 3 "$rc"
	assert_eq "and the clause ran once" "est 3" "$(cat "$out")"

	"$PFTRACE" -q -n 'profile:::tick-1s { printf("tick\n"); }' -T 2.5 >"$out" 2>"$err"; rc=$?
	assert_eq "-T 2.5 ends with status 0" 0 "$rc"
	assert_eq "tick-1s fired twice in 2.5 s" "tick
tick" "$(cat "$out")"
	"$PFTRACE" -q -n 'tick-1s { printf("a\n"); } tick-700ms { printf("b\n"); }' -T 2.5 >"$out" 2>"$err"
	assert_eq "two tick intervals, each on its own time" "b a b a b" "$(tr '\n' ' ' <"$out" | sed 's/ $//')"

	start_pftrace "$out" "$err" -q -c 3 -n 'pf:::state-change { @c["changes"] = count(); }' ||
		{ fail "pftrace did not start"; return; }
	"$INJECT" session 1 >/dev/null
	wait "$PFT"; rc=$?
	assert_eq "-c 3 with a script: status 0" 0 "$rc"
	assert_match "the aggregation printed at exit holds 3" '^ *changes +3$' "$(cat "$out")"
}

test_begin_and_runtime_errors() {
	local out rc
	out=$("$PFTRACE" -q -n 'dtrace:::BEGIN { printf("hello\n"); exit(0); }' 2>&1); rc=$?
	assert_eq "BEGIN { exit(0) }: status 0" 0 "$rc"
	assert_eq "BEGIN ran" hello "$out"

	start_pftrace "$TEST_TMP/r" "$TEST_TMP/r.err" -q -c 3 \
		-n 'ip:::receive { x = 1 / (args[2]->ip_ver - 4); } ip:::receive { @n = count(); }' ||
		{ fail "pftrace did not start" "$(cat "$TEST_TMP/r.err")"; return; }
	"$INJECT" ip 3 >/dev/null
	wait "$PFT"; rc=$?
	assert_eq "a runtime error does not stop the script" 0 "$rc"
	assert_eq "division by zero reported once" 1 "$(grep -c 'division by zero' "$TEST_TMP/r.err")"
	assert_match "in dtrace's words" '^pftrace: error on enabled probe ID [0-9]+ \(ID 10: ip:pf_kern::receive\): division by zero' \
		"$(cat "$TEST_TMP/r.err")"
	assert_match "the next clause still counted every packet" '^ +3$' "$(cat "$TEST_TMP/r")"
}

test_head_script() {
	local st
	( "$PFTRACE" -v -q -n 'pf:::state-change { printf("change %d\n", args[0]->dst.state); }' \
		2>"$TEST_TMP/h.err" | head -1 >"$TEST_TMP/h"; echo "${PIPESTATUS[0]}" >"$TEST_TMP/h.st" ) &
	BG_PIDS+=($!)
	wait_for 5 grep -qs 'reading ' "$TEST_TMP/h.err"
	"$INJECT" session 1 >/dev/null
	wait_for 5 test -s "$TEST_TMP/h.st"
	assert_eq "pftrace -n ... | head -1 exits with status 0" 0 "$(cat "$TEST_TMP/h.st" 2>/dev/null)"
	assert_eq "head got the first line" "change 2" "$(cat "$TEST_TMP/h")"
}

run_test test_compile_errors
run_test test_seed_pf
run_test test_seed_ip_count
run_test test_ctrl_c_drains
run_test test_exit_tick_count
run_test test_begin_and_runtime_errors
run_test test_head_script
finish
