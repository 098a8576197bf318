#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Faults (issue 12): what a killed client, a killed ruleset load, pftrace
# killed during churn, attach/detach cycles and an interface deleted under
# pf leave behind.  The answer must always be: the running ruleset as it
# was, traffic still judged by it, and no program, map, link or pin more
# than before.  RELIABILITY_SCALE (default 1; `make soak` uses 10)
# multiplies the number of cycles.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

SCALE=${RELIABILITY_SCALE:-1}
XACT_HOLD=${XACT_HOLD:-$BUILD/tests/xact_hold}
PIN=/sys/fs/bpf/tc/globals

require_tools ip nsenter unshare socat ss setpriv bpftool pfctl_bpf pfbpf-load pf_kern.bpf.o "$PFTRACE" "$XACT_HOLD"

BASE_RULES='block in all
pass in proto tcp to port 8020
pass out all'

# our_progs: BPF programs that use this run's state table (the machine may
# run other pfbpf instances; only ours count).
our_progs() {
	local sid
	sid=$(bpftool -j map show pinned "$PIN/pf_states" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	bpftool -j prog show | "$PY" -c '
import json, sys
sid = int(sys.argv[1])
print(sum(1 for p in json.load(sys.stdin) if sid in p.get("map_ids", [])))' "$sid"
}

# our_links: BPF links in this run's namespaces (XDP through libxdp, tc).
our_links() {
	local n=0 ns
	for ns in "$NS_A" "$NS_B"; do
		n=$((n + $(nsx "$ns" bpftool -j net show | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
n = 0
for blk in d:
    for k in ("xdp", "tc"):
        n += len(blk.get(k, []))
print(n)')))
	done
	echo "$n"
}

our_pins() { find /sys/fs/bpf -mindepth 1 | sort; }

rules_now() { pf -sr 2>&1; }

test_client_killed_in_transaction() {
	local before out pid
	printf '%s\n' "$BASE_RULES" > "$TEST_TMP/base.conf"
	assert_cmd "load the running ruleset" pf -f "$TEST_TMP/base.conf"
	serve "$NS_B" 8020
	expect_pass "a connection the ruleset passes works" "$NS_A" "$B4" 8020
	before=$(rules_now)

	# nsenter itself in the background, not the nsx function: $! must be
	# the client, or the SIGKILL would hit a subshell and miss it.
	nsenter --net="/run/netns/$NS_B" -- "$XACT_HOLD" 50 > "$TEST_TMP/hold.out" 2> "$TEST_TMP/hold.err" &
	pid=$!
	if wait_for 10 grep -q '^held ' "$TEST_TMP/hold.out"; then
		pass "a client began a transaction and staged 50 block rules"
	else
		fail "a client began a transaction and staged 50 block rules" "$(cat "$TEST_TMP/hold.err")"
	fi
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null

	assert_eq "the active ruleset is untouched after the client was killed" "$before" "$(rules_now)"
	expect_pass "traffic is still judged by it (no staged block leaked)" "$NS_A" "$B4" 8020
	printf 'block in all\npass in proto tcp to port 8021\npass out all\n' > "$TEST_TMP/next.conf"
	out=$(pf -f "$TEST_TMP/next.conf" 2>&1)
	assert_eq "the next transaction commits" 0 "$?"
	[ -n "$out" ] && note "$out"
	assert_match "and is the running ruleset" 'port = 8021' "$(rules_now)"
	serve "$NS_B" 8021
	expect_pass "its rules judge the traffic" "$NS_A" "$B4" 8021
	expect_block "the old rules are gone" "$NS_A" "$B4" 8020
}

# A large ruleset load killed at random points, commit included: the
# ruleset afterwards is the old one or the new one whole, never a mix.
test_load_killed_anywhere() {
	local i n small big got pid bad=0 mixed=0 ok=0
	printf '%s\n' "$BASE_RULES" > "$TEST_TMP/small.conf"
	{
		echo 'block in all'
		for ((i = 0; i < 3000; i++)); do
			echo "pass in proto tcp from 192.0.2.$((i % 250 + 1)) to port $((10000 + i))"
		done
		echo 'pass in proto tcp to port 8020'
		echo 'pass out all'
	} > "$TEST_TMP/big.conf"
	assert_cmd "load the small ruleset" pf -f "$TEST_TMP/small.conf"
	small=$(rules_now | wc -l)
	assert_cmd "the big ruleset loads on its own" pf -f "$TEST_TMP/big.conf"
	big=$(rules_now | wc -l)
	note "small ruleset: $small rules, big: $big"
	n=$((10 * SCALE))
	for ((i = 0; i < n; i++)); do
		pf -f "$TEST_TMP/small.conf" >/dev/null 2>&1
		nsenter --net="/run/netns/$NS_B" -- "$PFCTL" -f "$TEST_TMP/big.conf" >/dev/null 2>&1 &
		pid=$!
		# anywhere from parsing to after the commit
		sleep "0.$((RANDOM % 40))"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		got=$(rules_now | wc -l)
		if [ "$got" != "$small" ] && [ "$got" != "$big" ]; then
			mixed=$((mixed + 1))
			note "after kill $i: $got rules (neither $small nor $big)"
		fi
		tcp_ok "$NS_A" "$B4" 8020 || bad=$((bad + 1))
		pf -f "$TEST_TMP/small.conf" >/dev/null 2>&1 && ok=$((ok + 1))
	done
	assert_eq "after $n killed loads the ruleset was always whole (old or new)" 0 "$mixed"
	assert_eq "and traffic it passes always passed" 0 "$bad"
	assert_eq "and the next load always committed" "$n" "$ok"
}

# pftrace SIGKILLed while states churn, then started again.
test_pftrace_killed() {
	local out=$TEST_TMP/t1 pid i before after progs_before
	serve "$NS_B" 9200 udp
	printf 'pass all\n' > "$TEST_TMP/pass.conf"
	assert_cmd "pass everything" pf -f "$TEST_TMP/pass.conf"
	progs_before=$(our_progs)
	# UDP churn, bounded in time (the table must not stay full for the
	# tests after this one).
	bg nsx "$NS_A" "$PY" -c '
import socket, sys, time
i = 0
end = time.time() + float(sys.argv[2])
while time.time() < end:
    # a new socket, a new source port: every datagram a new state
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.sendto(b"x", (sys.argv[1], 20000 + i % 20000))
    except OSError:
        pass
    s.close()
    i += 1
    if i % 200 == 0:
        time.sleep(0.01)' "$B4" $((3 * SCALE + 4))
	for ((i = 0; i < 3 * SCALE; i++)); do
		nsenter --net="/run/netns/$NS_B" -- "$PFTRACE" > "$out.$i" 2>&1 &
		pid=$!
		wait_for 5 sh -c "[ -s '$out.$i' ]" || true
		sleep 0.5
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
	done
	if [ -s "$out.0" ]; then pass "pftrace streamed events before it was killed"; else fail "pftrace streamed events before it was killed" "no output"; fi
	before=$(counter inserts)
	sleep 1
	after=$(counter inserts)
	if [ "$after" -gt "$before" ]; then
		pass "the datapath keeps creating states after pftrace died ($before -> $after)"
	else
		fail "the datapath keeps creating states after pftrace died" "inserts $before -> $after"
	fi
	serve "$NS_B" 8022
	expect_pass "and passes a new TCP connection" "$NS_A" "$B4" 8022
	timeout 5 nsenter --net="/run/netns/$NS_B" -- "$PFTRACE" -c 5 > "$out.again" 2>&1
	assert_eq "a new pftrace starts and streams 5 events" 5 "$(grep -c . "$out.again")"
	assert_eq "no program of ours leaked" "$progs_before" "$(our_progs)"
	assert_eq "no reader of the ring is left" "" "$(pgrep -f "$PFTRACE" || true)"
	wait_for $((3 * SCALE + 10)) sh -c "! pgrep -f 'a new socket, a new source port' >/dev/null"
	assert_match "-F states" 'states cleared' "$(pf -F states 2>&1)"
}

# attach/detach cycles on several interfaces and one deleted under pf.
test_attach_cycles() {
	local i d devs=() progs0 links0 pins0 n out
	# veth pairs inside B (this kernel has no dummy driver)
	for d in c1 c2 c3; do
		nsx "$NS_B" ip link add "$d$$" type veth peer name "${d}p$$" || { fail "add veth $d"; return; }
		nsx "$NS_B" ip link set "$d$$" up
		nsx "$NS_B" ip link set "${d}p$$" up
		devs+=("$d$$")
	done
	progs0=$(our_progs)
	links0=$(our_links)
	pins0=$(our_pins)
	n=$((10 * SCALE))
	out=""
	for ((i = 0; i < n; i++)); do
		out+=$(pfload "$NS_B" attach "${devs[@]}" 2>&1) || { fail "attach, cycle $i" "$out"; return; }
		out+=$(pfload "$NS_B" detach "${devs[@]}" 2>&1) || { fail "detach, cycle $i" "$out"; return; }
	done
	pass "$n attach/detach cycles on ${#devs[@]} interfaces"
	assert_eq "programs back to the baseline" "$progs0" "$(our_progs)"
	assert_eq "XDP/tc attachments back to the baseline" "$links0" "$(our_links)"
	assert_eq "pins back to the baseline" "$pins0" "$(our_pins)"

	assert_cmd "attach to an interface about to go" pfload "$NS_B" attach "${devs[0]}"
	nsx "$NS_B" ip link del "${devs[0]}"
	out=$(pfload "$NS_B" status 2>&1)
	assert_match "status says the interface is gone" "${devs[0]}.*(gone|not found|no such)" "$out"
	assert_cmd "detach of the deleted interface cleans up" pfload "$NS_B" detach "${devs[0]}"
	assert_eq "programs back to the baseline after the deleted interface" "$progs0" "$(our_progs)"
	assert_eq "pins back to the baseline after the deleted interface" "$pins0" "$(our_pins)"
	expect_pass "pf still filters on the remaining interface" "$NS_A" "$B4" 8022
}

pfctl_setup rf
run_test test_client_killed_in_transaction
run_test test_load_killed_anywhere
run_test test_pftrace_killed
run_test test_attach_cycles
finish
