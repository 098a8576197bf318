#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Ruleset reloads under traffic (issue 12): 100 reloads (1,000 with
# RELIABILITY_SCALE=10, `make soak`) alternating two rulesets that both pass
# the running flows, in a different order and with different rules around
# them, while a TCP stream runs and new TCP connections and UDP exchanges
# are made all the time (each one a first packet judged by the ruleset of
# the moment).  No stream is interrupted, no new connection refused, and
# the byte stream arrives whole (checksum compared).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

SCALE=${RELIABILITY_SCALE:-1}
N=$((100 * SCALE))

require_tools ip nsenter unshare socat ss sha256sum pfctl_bpf pf_kern.bpf.o

test_reloads_under_traffic() {
	local i fails=0 out t0 t1 sent got conn_ok conn_bad udp_ok udp_bad
	cat > "$TEST_TMP/a.conf" <<-EOF
	block in all
	pass in proto tcp to port { 8010 8011 }
	pass in proto udp to port 9300
	pass out all
	EOF
	cat > "$TEST_TMP/b.conf" <<-EOF
	set timeout tcp.established 7200
	table <spare> { 192.0.2.0/24 }
	block in all
	block in quick proto tcp from <spare>
	pass in proto udp to port 9300 keep state
	block in proto tcp to port 9999
	pass in proto tcp to port 8011
	pass in proto tcp to port 8010
	pass out all
	EOF
	assert_cmd "load ruleset a" pf -f "$TEST_TMP/a.conf"

	# the stream: a fixed payload, checksummed at both ends
	head -c $((4 * 1024 * 1024)) /dev/urandom > "$TEST_TMP/payload"
	sent=$(sha256sum < "$TEST_TMP/payload" | cut -d' ' -f1)
	bg nsx "$NS_B" socat -u TCP4-LISTEN:8010,reuseaddr "OPEN:$TEST_TMP/got,creat,trunc"
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':8010 '"
	# slowed to last through the reloads: 4 MiB at about 64 KiB per 50 ms
	bg nsx "$NS_A" sh -c "$PY -c '
import sys, time
d = open(sys.argv[1], \"rb\").read()
for i in range(0, len(d), 65536):
    sys.stdout.buffer.write(d[i:i + 65536]); sys.stdout.flush(); time.sleep(float(sys.argv[2]))
' '$TEST_TMP/payload' $(awk -v s="$SCALE" 'BEGIN { print 0.05 * s }') | socat -u STDIO TCP4:$B4:8010"
	serve "$NS_B" 8011
	serve "$NS_B" 9300 udp

	# new connections all the time, counted
	bg nsx "$NS_A" sh -c "ok=0; bad=0; while [ ! -e '$TEST_TMP/stop' ]; do
		if [ \"\$(echo x | socat -T 2 STDIO TCP4:$B4:8011,connect-timeout=2 2>/dev/null)\" = x ]; then
			ok=\$((ok + 1)); else bad=\$((bad + 1)); fi
		echo \"\$ok \$bad\" > '$TEST_TMP/conn'
	done"
	bg nsx "$NS_A" sh -c "ok=0; bad=0; while [ ! -e '$TEST_TMP/stop' ]; do
		if [ \"\$(echo u | socat -T 0.3 STDIO UDP4:$B4:9300 2>/dev/null)\" = u ]; then
			ok=\$((ok + 1)); else bad=\$((bad + 1)); fi
		echo \"\$ok \$bad\" > '$TEST_TMP/udp'
	done"

	t0=$(date +%s.%N)
	# at least N reloads, and for at least 8 s, so that the flows around
	# them make enough first packets however fast this machine reloads
	for ((i = 0; i < N || $(date +%s) - ${t0%.*} < 8; i++)); do
		if [ $((i % 2)) = 0 ]; then f=b; else f=a; fi
		out=$(pf -f "$TEST_TMP/$f.conf" 2>&1) || { fails=$((fails + 1)); note "reload $i: $out"; }
		[ $((i % 50)) = 49 ] && note "$((i + 1)) reloads (at least $N)"
	done
	N=$i
	t1=$(date +%s.%N)
	touch "$TEST_TMP/stop"
	note "$N reloads in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
	assert_eq "all $N reloads committed" 0 "$fails"
	sleep 2.5
	read -r conn_ok conn_bad < "$TEST_TMP/conn"
	read -r udp_ok udp_bad < "$TEST_TMP/udp"
	note "during the reloads: $conn_ok TCP connections ($conn_bad failed), $udp_ok UDP exchanges ($udp_bad failed)"
	if [ "$conn_ok" -ge 5 ]; then pass "new TCP connections were made throughout ($conn_ok)"; else
		fail "new TCP connections were made throughout" "only $conn_ok"; fi
	assert_eq "no new TCP connection was refused" 0 "$conn_bad"
	if [ "$udp_ok" -ge 5 ]; then pass "UDP exchanges were made throughout ($udp_ok)"; else
		fail "UDP exchanges were made throughout" "only $udp_ok"; fi
	assert_eq "no UDP exchange was lost" 0 "$udp_bad"
	wait_for $((30 * SCALE + 30)) sh -c "[ \$(stat -c %s '$TEST_TMP/got' 2>/dev/null || echo 0) -ge $((4 * 1024 * 1024)) ]"
	got=$(sha256sum < "$TEST_TMP/got" | cut -d' ' -f1)
	assert_eq "the stream arrived whole (sha256)" "$sent" "$got"
	# b alone has the 9999 rule
	if [ "$f" = a ]; then
		assert_nomatch "the last ruleset loaded (a) is the running one" 'port = 9999' "$(pf -sr)"
	else
		assert_match "the last ruleset loaded (b) is the running one" 'port = 9999' "$(pf -sr)"
	fi
	assert_match "whole" 'port = 9300' "$(pf -sr)"
}

pfctl_setup rr
run_test test_reloads_under_traffic
finish
