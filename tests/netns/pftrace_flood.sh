#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A flood that overfills the 4 MiB event ring buffer while pftrace cannot
# keep up (stopped with SIGSTOP, or slowed down with --sleep-per-event):
# every event the datapath could not queue must be reported as
# "pftrace: N drops on CPU c", never hidden.  The flood is bounded: 40000
# UDP datagrams between the two test namespaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pftrace_lib.bash"

N=40000

require_tools pfctl_bpf bpftool pfbpf-load pf_kern.bpf.o "$PFTRACE"

# lost KIND: events_lost (state) or ip_events_lost summed over CPUs; they
# sit at byte 304 and 312 of struct pf_status_pcpu.
lost() {
	# struct pf_status_pcpu: counters[16], lcounters[10], fcounters[3],
	# pcounters[2][2][2], bcounters[2][2], then events_lost, ip_events_lost
	local off=328
	[ "$1" = ip ] && off=336
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

drops_reported() {
	sed -nE 's/^pftrace: ([0-9]+) drops? on CPU [0-9]+$/\1/p' "$1" | awk '{s += $1} END {print s + 0}'
}

test_stopped_stream() {
	local out=$TEST_TMP/s err=$TEST_TMP/s.err before after total
	before=$(lost state)
	start_pftrace "$out" "$err" -p proto=udp,event=create -T 8 || { fail "pftrace did not start"; return; }
	kill -STOP "$PFT"
	flood
	after=$(lost state)
	kill -CONT "$PFT"
	wait "$PFT"
	# Any state event counts (an IPv6 neighbour state made meanwhile too).
	total=$(($(lost state) - before))
	[ $((after - before)) -gt 0 ] && pass "the ring buffer overflowed ($((after - before)) state events lost)" ||
		fail "the flood did not overflow the ring buffer"
	assert_eq "pftrace reported every lost event" "$total" "$(drops_reported "$err")"
	assert_eq "and printed every event that fitted" $((N - (after - before))) \
		"$(grep -c "^\[NEW\] udp $A4:[0-9]* -> $B4:" "$out")"
}

# inet_in: IPv4 packets the datapath saw inbound (pcounters[inet][in][pass]
# + [drop], bytes 232 and 240 of struct pf_status_pcpu), summed over CPUs.
inet_in() {
	bpftool -j map lookup pinned "$PIN/pf_status" key 0 0 0 0 |
		"$PY" -c '
import json, sys
t = 0
for c in json.load(sys.stdin)["values"]:
    v = bytes(int(x, 16) for x in c["value"])
    t += int.from_bytes(v[232:240], "little") + int.from_bytes(v[240:248], "little")
print(t)'
}

# A consumer slowed down with --sleep-per-event, in JSON: every packet the
# datapath saw is either in the stream or counted in a drops record.
test_slow_json() {
	local out=$TEST_TMP/j err=$TEST_TMP/j.err s0 s1 i0 i1 p0 p1 seen drops
	s0=$(lost state); i0=$(lost ip); p0=$(inet_in)
	start_pftrace "$out" "$err" -o json -p event=receive,src="$A4" --sleep-per-event 100 ||
		{ fail "pftrace did not start"; return; }
	flood
	s1=$(lost state); i1=$(lost ip); p1=$(inet_in)
	[ $((i1 - i0)) -gt 0 ] && pass "a slow consumer overflowed the ring buffer ($((i1 - i0)) packet events lost)" ||
		fail "the slow consumer kept up: no loss"
	# Wait until everything queued has been read (the consumer is slow).
	wait_for 60 eval '[ $(grep -c "\"type\":\"receive\"" "$out") -ge $((p1 - p0 - (i1 - i0))) ]'
	sleep 1.5 # one more switchrate period for the last drop report
	kill -INT "$PFT"
	wait "$PFT"
	assert_eq "SIGINT: status 0" 0 "$?"
	seen=$(grep -c '"type":"receive"' "$out")
	drops=$("$PY" -c '
import json, sys
print(sum(o["count"] for o in map(json.loads, open(sys.argv[1])) if o["type"] == "drops"))' "$out")
	assert_eq "drop records = state + packet events lost" $((s1 - s0 + i1 - i0)) "$drops"
	assert_eq "streamed + lost = packets the datapath saw" $((p1 - p0)) $((seen + i1 - i0))
}

pftrace_setup trf
# The loss counters count every state event, while the flood's checks count
# only its UDP creates: IPv6 neighbour discovery and MLD on the fresh link
# would make stray states at random moments (one lost stray = one more
# flood event printed).  This script is IPv4 only, so switch IPv6 off.
for ns in "$NS_A" "$NS_B"; do
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
run_test test_stopped_stream
run_test test_slow_json
finish
