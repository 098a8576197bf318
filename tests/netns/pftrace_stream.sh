#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pftrace's runtime end to end, on the real ring buffer: events written by
# pftrace-inject (a SEC("syscall") program writing into the pinned
# pf_events exactly as the datapath does) must come out of pftrace as the
# stream, JSON, filtered, with every ring-buffer loss reported, and the
# packet-event switch in pf_config.trace must follow the live pftraces.
# The pins live in lib.sh's private bpffs; no traffic is sent.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pftrace_lib.bash"

INJECT=$BUILD/pftrace-inject
EXPECTED=$NETNS_ROOT/tests/trace/session.expected

require_tools bpftool setpriv "$PFTRACE" "$INJECT"

trace_is() { [ "$(config_trace)" = "$1" ]; }

test_not_loaded() {
	local out rc
	out=$("$PFTRACE" 2>&1); rc=$?
	assert_eq "exit status without a datapath" 1 "$rc"
	assert_eq "one line saying what to do" \
		"pftrace: pfbpf datapath is not loaded (no maps pinned in /sys/fs/bpf/tc/globals): run 'pfctl_bpf -e -i IFNAME' or 'pfbpf-load attach IFNAME'" "$out"
	"$INJECT" init >/dev/null
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$PFTRACE" 2>&1); rc=$?
	assert_eq "not root: exit status 1" 1 "$rc"
	assert_eq "not root: one line saying so" \
		"pftrace: permission denied: pfbpf needs root (CAP_BPF and CAP_NET_ADMIN)" "$out"
	out=$(PFBPF_PIN_DIR=/tmp "$PFTRACE" 2>&1); rc=$?
	assert_eq "a pin folder outside bpffs fails" 1 "$rc"
	assert_match "and says bpffs" 'bpffs' "$out"
}

test_stream_text() {
	local rc
	assert_cmd "pins created" "$INJECT" init
	start_pftrace "$TEST_TMP/text" "$TEST_TMP/text.err" -c 9 || fail "pftrace did not start"
	assert_eq "injected without loss" "lost 0" "$("$INJECT" session 1)"
	wait "$PFT"; rc=$?
	assert_eq "-c 9 ends pftrace with status 0" 0 "$rc"
	assert_cmd "the session's lines, in order" diff -u "$EXPECTED" "$TEST_TMP/text"
}

test_stream_json() {
	local types
	start_pftrace "$TEST_TMP/json" "$TEST_TMP/json.err" -o json -c 9 || fail "pftrace did not start"
	"$INJECT" session 1 >/dev/null
	wait "$PFT"
	types=$("$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    print(json.loads(l)["type"], end=" ")' "$TEST_TMP/json")
	assert_eq "one JSON object per event" \
		"state-create state-change state-change state-change tcp-established state-change tcp-closed state-change state-destroy " "$types"
	assert_match "stable keys" '^\{"type":"state-destroy","ts_ns":123456789,"cpu":1,"id":"5f00000000000001",.*"reason":"expired","packets":\[5,5\],"bytes":\[300,300\]\}$' \
		"$(cat "$TEST_TMP/json")"
}

test_filters() {
	start_pftrace "$TEST_TMP/f" "$TEST_TMP/f.err" -p event=destroy,port=22 -c 2 || fail "pftrace did not start"
	"$INJECT" session 2 >/dev/null
	wait "$PFT"
	assert_eq "-p event=destroy,port=22: only the destroys" \
		"[DESTROY] tcp 198.51.100.1:40000 -> 198.51.100.2:22 in id 5f00000000000001 TIME_WAIT:TIME_WAIT reason expired pkts 5:5 bytes 300:300
[DESTROY] tcp 198.51.100.1:40001 -> 198.51.100.2:22 in id 5f00000000000002 TIME_WAIT:TIME_WAIT reason expired pkts 5:5 bytes 300:300" \
		"$(cat "$TEST_TMP/f")"
	start_pftrace "$TEST_TMP/f2" "$TEST_TMP/f2.err" -p sport=40001,event=established -T 2 || fail "pftrace did not start"
	"$INJECT" session 2 >/dev/null
	wait "$PFT"
	assert_eq "-p sport=40001,event=established, -T 2 stops by itself" \
		"[ESTABLISHED] tcp 198.51.100.1:40001 -> 198.51.100.2:22 in id 5f00000000000002 ESTABLISHED:ESTABLISHED" \
		"$(cat "$TEST_TMP/f2")"
	assert_fails "bad filter refused" "$PFTRACE" -p proto=xyz
	start_pftrace "$TEST_TMP/t" "$TEST_TMP/t.err" -t -c 1 || fail "pftrace did not start"
	"$INJECT" session 1 >/dev/null
	wait "$PFT"
	assert_match "-t: wall-clock time first" '^\[[0-9]{10}\.[0-9]{6}\] \[NEW\] tcp 198\.51\.100\.1:40000 ' \
		"$(cat "$TEST_TMP/t")"
}

# A consumer that cannot keep up: stopped with SIGSTOP while 60000 events
# (about 11 MiB) are written into the 4 MiB ring buffer.
drops_run() {
	local mode=$1 lost sum
	start_pftrace "$TEST_TMP/d" "$TEST_TMP/d.err" -o "$mode" -T 4 || fail "pftrace did not start"
	kill -STOP "$PFT"
	lost=$("$INJECT" flood 60000 | awk '{print $2}')
	kill -CONT "$PFT"
	wait "$PFT"
	[ "${lost:-0}" -gt 0 ] && pass "$mode: the ring buffer overflowed ($lost lost)" ||
		fail "$mode: the flood did not overflow the ring buffer"
	if [ "$mode" = text ]; then
		sum=$(sed -n 's/^pftrace: \([0-9]*\) drops\{0,1\} on CPU [0-9]*$/\1/p' "$TEST_TMP/d.err" |
			awk '{s += $1} END {print s + 0}')
		assert_eq "text: 'pftrace: N drops on CPU c' adds up to the loss" "$lost" "$sum"
		assert_eq "text: every event that fitted was printed" \
			$((60000 - lost)) "$(grep -c '^\[NEW\]' "$TEST_TMP/d")"
	else
		sum=$("$PY" -c '
import json, sys
print(sum(o["count"] for o in map(json.loads, open(sys.argv[1])) if o["type"] == "drops"))' "$TEST_TMP/d")
		assert_eq "json: drop records add up to the loss" "$lost" "$sum"
	fi
}

test_drops() {
	drops_run text
	drops_run json
}

test_head() {
	local st
	( "$PFTRACE" -v 2>"$TEST_TMP/h.err" | head -1 >"$TEST_TMP/h"; echo "${PIPESTATUS[0]}" >"$TEST_TMP/h.st" ) &
	BG_PIDS+=($!)
	wait_for 5 grep -qs 'reading ' "$TEST_TMP/h.err"
	"$INJECT" session 1 >/dev/null
	wait_for 5 test -s "$TEST_TMP/h.st"
	st=$(cat "$TEST_TMP/h.st" 2>/dev/null)
	assert_eq "pftrace | head -1 exits with status 0" 0 "$st"
	assert_eq "head got the first event" "$(head -1 "$EXPECTED")" "$(cat "$TEST_TMP/h")"
	assert_eq "and nothing on stderr" "pftrace: reading $PIN/pf_events" "$(cat "$TEST_TMP/h.err")"
}

# Four readers at once, then three: each sees every event (the first reads the
# ring and hands every record on, user/trace/fanout.c), and when that one
# leaves another takes the ring over.
test_fanout() {
	local a b c d rc
	start_pftrace "$TEST_TMP/fa" "$TEST_TMP/fa.err" || fail "pftrace A did not start"
	a=$PFT
	start_pftrace "$TEST_TMP/fb" "$TEST_TMP/fb.err" -c 18 || fail "pftrace B did not start"
	b=$PFT
	start_pftrace "$TEST_TMP/fc" "$TEST_TMP/fc.err" -c 18 || fail "pftrace C did not start"
	c=$PFT
	start_pftrace "$TEST_TMP/fd" "$TEST_TMP/fd.err" -c 9 || fail "pftrace D did not start"
	d=$PFT
	sleep 0.3
	assert_eq "injected without loss" "lost 0" "$("$INJECT" session 1)"
	wait_for 5 eval '[ "$(wc -l <"$TEST_TMP/fa")" -ge 9 ] && [ "$(wc -l <"$TEST_TMP/fc")" -ge 9 ]'
	assert_cmd "A (reading the ring) got the session" diff -u "$EXPECTED" "$TEST_TMP/fa"
	assert_cmd "B got all of it too" diff -u "$EXPECTED" "$TEST_TMP/fb"
	assert_cmd "and C" diff -u "$EXPECTED" "$TEST_TMP/fc"
	wait "$d"; rc=$?
	assert_eq "D, a fourth reader, ended after its 9 (-c 9) with 0" 0 "$rc"
	assert_cmd "and got the session too" diff -u "$EXPECTED" "$TEST_TMP/fd"
	kill -INT "$a"; wait "$a"; rc=$?
	assert_eq "A exits 0" 0 "$rc"
	sleep 0.5
	assert_eq "with A gone, injected without loss" "lost 0" "$("$INJECT" session 1)"
	wait "$b"; rc=$?
	assert_eq "B read 18 events in all (-c 18) and ended with 0" 0 "$rc"
	wait "$c"; rc=$?
	assert_eq "so did C" 0 "$rc"
	assert_cmd "B's second session is the session" diff -u "$EXPECTED" <(tail -n +10 "$TEST_TMP/fb")
	assert_cmd "C's too" diff -u "$EXPECTED" <(tail -n +10 "$TEST_TMP/fc")
}

# A reader that does not keep up loses events, not the others: B is
# stopped while 30,000 events go by; A (reading the ring) gets them all, B
# what fitted in its socket, and B says how many it lost.
test_slow_reader() {
	local a b rc lost i
	start_pftrace "$TEST_TMP/sa" "$TEST_TMP/sa.err" || fail "pftrace A did not start"
	a=$PFT
	start_pftrace "$TEST_TMP/sb" "$TEST_TMP/sb.err" || fail "pftrace B did not start"
	b=$PFT
	kill -STOP "$b"
	# in bursts the ring itself keeps up with: only B falls behind
	for i in 1 2 3; do
		"$INJECT" flood 10000 >/dev/null
		sleep 0.3
	done
	wait_for 10 eval '[ "$(wc -l <"$TEST_TMP/sa")" -ge 30000 ]'
	assert_eq "A got every event" 30000 "$(wc -l <"$TEST_TMP/sa")"
	kill -CONT "$b"
	# the hub tells B of its losses when B has room again (once a second)
	wait_for 5 eval '[ "$(wc -l <"$TEST_TMP/sb")" -gt 0 ]'
	sleep 2
	kill -INT "$b"; wait "$b"; rc=$?
	kill -INT "$a"; wait "$a"
	assert_eq "B exits 0" 0 "$rc"
	lost=$(sed -nE 's/^pftrace: ([0-9]+) events lost: this pftrace did not keep up.*/\1/p' "$TEST_TMP/sb.err")
	if [ "${lost:-0}" -gt 0 ]; then pass "B reports its losses ($lost)"; else
		fail "B reports its losses" "stderr: $(cat "$TEST_TMP/sb.err")"; fi
	assert_eq "what B printed and what it lost add up to what A got" 30000 \
		$(($(wc -l <"$TEST_TMP/sb") + ${lost:-0}))
}

# conntrack -E's habits: an event mask and the extended (family) form.
test_conntrack_opts() {
	local rc
	start_pftrace "$TEST_TMP/ct" "$TEST_TMP/ct.err" -e new,destroy -o extended -c 2 ||
		fail "pftrace did not start"
	"$INJECT" session 1 >/dev/null
	wait "$PFT"; rc=$?
	assert_eq "-e new,destroy -c 2 ends with status 0" 0 "$rc"
	assert_eq "only the NEW and DESTROY lines, with the family" \
		"$(grep -E '^\[(NEW|DESTROY)\]' "$EXPECTED" | sed 's/^\(\[[A-Z]*\]\) /\1 ipv4 /')" \
		"$(cat "$TEST_TMP/ct")"
}

test_ip_switch() {
	local a b rc
	assert_eq "packet events off before" 0 "$(config_trace)"
	start_pftrace "$TEST_TMP/a" "$TEST_TMP/a.err" -p event=receive || fail "pftrace A did not start"
	a=$PFT
	wait_for 5 trace_is 1
	assert_eq "A (event=receive) switched receive events on" 1 "$(config_trace)"
	"$INJECT" ip 3 >/dev/null
	wait_for 5 eval '[ "$(grep -c RECEIVE "$TEST_TMP/a")" = 3 ]'
	assert_eq "A printed the 3 packets" 3 "$(grep -c '^\[RECEIVE\] icmp 192.0.2.1 -> 192.0.2.2 len 64 ttl 64' "$TEST_TMP/a")"
	start_pftrace "$TEST_TMP/b" "$TEST_TMP/b.err" -p event=send || fail "pftrace B did not start"
	b=$PFT
	wait_for 5 trace_is 3
	assert_eq "B (event=send) added send events" 3 "$(config_trace)"
	assert_match "B gets its events through A, which reads the ring" \
		"^pftrace: another pftrace reads the ring; its events come through it\$" \
		"$(cat "$TEST_TMP/b.err")"
	kill -TERM "$b"; wait "$b"; rc=$?
	assert_eq "B exits 0 on SIGTERM" 0 "$rc"
	assert_eq "B's exit keeps A's receive events" 1 "$(config_trace)"
	kill -INT "$a"; wait "$a"; rc=$?
	assert_eq "A exits 0 on SIGINT" 0 "$rc"
	assert_eq "the last one out switched packet events off" 0 "$(config_trace)"

	# A SIGKILLed pftrace cannot clean up; the next one notices it is dead.
	start_pftrace "$TEST_TMP/k" "$TEST_TMP/k.err" -p event=receive || fail "pftrace K did not start"
	wait_for 5 trace_is 1
	kill -KILL "$PFT"; wait "$PFT" 2>/dev/null
	assert_eq "a killed pftrace leaves its bit on" 1 "$(config_trace)"
	start_pftrace "$TEST_TMP/s" "$TEST_TMP/s.err" -p event=send || fail "pftrace S did not start"
	wait_for 5 trace_is 2
	assert_eq "the next pftrace drops the dead one's bit" 2 "$(config_trace)"
	kill -INT "$PFT"; wait "$PFT"
	assert_eq "and clears its own on exit" 0 "$(config_trace)"
}

test_write_error() {
	local rc
	"$PFTRACE" -c 9 -T 5 >/dev/full 2>"$TEST_TMP/full.err" &
	PFT=$!
	BG_PIDS+=("$PFT")
	sleep 0.5
	"$INJECT" session 1 >/dev/null
	wait "$PFT"; rc=$?
	assert_eq "a full disk is an error" 1 "$rc"
	assert_eq "named as such" "pftrace: writing the output: No space left on device" "$(cat "$TEST_TMP/full.err")"
}

# The datapath goes away or is replaced under a running pftrace.
test_datapath_reload() {
	local rc
	start_pftrace "$TEST_TMP/rl" "$TEST_TMP/rl.err" -T 10 || fail "pftrace did not start"
	rm "$PIN"/*
	"$INJECT" init >/dev/null # new maps, a new ring buffer
	wait "$PFT"; rc=$?
	assert_eq "a reloaded datapath ends pftrace with status 1" 1 "$rc"
	assert_match "saying so" "^pftrace: the pfbpf datapath was reloaded \\(a new $PIN/pf_events\\): run pftrace again to follow it\$" \
		"$(cat "$TEST_TMP/rl.err")"
	start_pftrace "$TEST_TMP/ul" "$TEST_TMP/ul.err" -T 10 || fail "pftrace did not start"
	rm "$PIN"/*
	wait "$PFT"; rc=$?
	assert_eq "an unloaded datapath ends pftrace with status 1" 1 "$rc"
	assert_match "saying so" "^pftrace: the pfbpf datapath was unloaded \\($PIN/pf_events is gone\\)\$" \
		"$(cat "$TEST_TMP/ul.err")"
	"$INJECT" init >/dev/null
}

# Events queued while nobody read are old news: a new pftrace skips them.
test_backlog_skipped() {
	"$INJECT" session 1 >/dev/null
	start_pftrace "$TEST_TMP/bl" "$TEST_TMP/bl.err" -vv -T 1.5 || fail "pftrace did not start"
	wait "$PFT"
	assert_eq "nothing printed from before the start" "" "$(cat "$TEST_TMP/bl")"
	assert_match "-v says how many were skipped" '^pftrace: skipped 9 events queued before pftrace started$' \
		"$(cat "$TEST_TMP/bl.err")"
}

run_test test_not_loaded
run_test test_stream_text
run_test test_backlog_skipped
run_test test_stream_json
run_test test_filters
run_test test_drops
run_test test_head
run_test test_write_error
run_test test_ip_switch
run_test test_fanout
run_test test_conntrack_opts
run_test test_slow_reader
run_test test_datapath_reload
finish
