#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A flood that overfills the 4 MiB event ring buffer while pftrace cannot
# keep up (stopped with SIGSTOP, or slowed down with --sleep-per-event):
# every event the datapath could not queue must be reported as
# "pftrace: N drops on CPU c", never hidden.  The flood is bounded: 40000
# UDP datagrams between the two test namespaces.
. "$(dirname "$0")/lib.sh"

SEED_COUNT=$NETNS_ROOT/tests/dtrace/ip_count.d
PIN=/sys/fs/bpf/tc/globals
N=40000

require_tools pfctl_bpf bpftool pfbpf-load pf_kern.bpf.o "$PFTRACE"

setup() {
	netns_pair trf || { fail "namespaces"; finish; }
	attach_loader "$NS_B" "$VETH_B" || { fail "attach the datapath to $VETH_B"; finish; }
	pass "datapath attached to $VETH_B"
	# An empty ruleset passes without state (pf's default): keep state on all.
	echo "pass all" >"$TEST_TMP/pf.conf"
	nsx "$NS_B" "$PFCTL" -f "$TEST_TMP/pf.conf" || { fail "load 'pass all' with pfctl_bpf -f"; finish; }
}

# lost KIND: events_lost (state) or ip_events_lost summed over CPUs; they
# sit at byte 304 and 312 of struct pf_status_pcpu.
lost() {
	local off=304
	[ "$1" = ip ] && off=312
	bpftool -j map lookup pinned "$PIN/pf_status" key 0 0 0 0 |
		"$PY" -c '
import json, sys
off = int(sys.argv[1])
t = 0
for c in json.load(sys.stdin)["values"]:
    v = bytes(int(x, 16) for x in c["value"])
    t += int.from_bytes(v[off:off + 8], "little")
print(t)' "$off"
}

# flood: N UDP datagrams from A to N different ports of B: N new states.
flood() {
	nsx "$NS_A" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    try:
        s.sendto(b"x", (sys.argv[1], 10000 + i % 50000))
    except OSError:
        pass' "$B4" "$N"
}

start_pftrace() {
	local out=$1 err=$2
	shift 2
	# nsenter directly (not the nsx function): $! must be pftrace itself.
	nsenter --net="/run/netns/$NS_B" -- "$PFTRACE" -v "$@" >"$out" 2>"$err" &
	PFT=$!
	BG_PIDS+=("$PFT")
	wait_for 5 grep -qs 'reading ' "$err"
}

drops_reported() {
	sed -nE 's/^pftrace: ([0-9]+) drops? on CPU [0-9]+$/\1/p' "$1" | awk '{s += $1} END {print s + 0}'
}

test_stopped_stream() {
	local out=$TEST_TMP/s err=$TEST_TMP/s.err before after
	before=$(lost state)
	start_pftrace "$out" "$err" -p proto=udp,event=create -T 8 || { fail "pftrace did not start"; return; }
	kill -STOP "$PFT"
	flood
	after=$(lost state)
	kill -CONT "$PFT"
	wait "$PFT"
	[ $((after - before)) -gt 0 ] && pass "the ring buffer overflowed ($((after - before)) state events lost)" ||
		fail "the flood did not overflow the ring buffer"
	assert_eq "pftrace reported every lost event" $((after - before)) "$(drops_reported "$err")"
	assert_eq "and printed every event that fitted" $((N - (after - before))) \
		"$(grep -c "^\[NEW\] udp $A4:[0-9]* -> $B4:" "$out")"
}

test_slow_script() {
	local out=$TEST_TMP/c err=$TEST_TMP/c.err s0 s1 i0 i1 counted
	s0=$(lost state); i0=$(lost ip)
	start_pftrace "$out" "$err" -s "$SEED_COUNT" --sleep-per-event 200 -T 15 || { fail "pftrace did not start"; return; }
	flood
	s1=$(lost state); i1=$(lost ip)
	wait "$PFT"
	[ $((i1 - i0)) -gt 0 ] && pass "a slow consumer overflowed the ring buffer ($((i1 - i0)) packet events lost)" ||
		fail "the slow consumer kept up: no loss"
	assert_eq "drops reported = state + packet events lost" $((s1 - s0 + i1 - i0)) "$(drops_reported "$err")"
	counted=$(sed -nE "s/^ *$A4 +([0-9]+)\$/\\1/p" "$out")
	assert_eq "counted + lost = sent" "$N" $((${counted:-0} + i1 - i0))
}

setup
run_test test_stopped_stream
run_test test_slow_script
finish
