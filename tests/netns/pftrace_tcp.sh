#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Real TCP connections between two namespaces, traced live: the seed's pf
# provider script (tests/dtrace/pf_provider.d, unchanged) and the event stream
# must show create, established, finwait, closed and destroy, in that
# order, for the connection.  Small timeouts make the destroy come fast.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pftrace_lib.bash"

SEED_PF=$NETNS_ROOT/tests/dtrace/pf_provider.d

require_tools pfctl_bpf socat pfbpf-load pf_kern.bpf.o "$PFTRACE"

# listening PORT: a TCP listener on PORT in B.
listening() {
	nsx "$NS_B" ss -Hltn "sport = :$1" | grep -q LISTEN
}

# one_connection PORT: a client in A sends a line to an echo server in B
# and both sides close: SYN, data, FIN exchange.
one_connection() {
	local port=$1 got
	nsx "$NS_B" socat -T 5 TCP-LISTEN:"$port",bind="$B4",reuseaddr SYSTEM:cat &
	BG_PIDS+=($!)
	wait_for 5 listening "$port"
	got=$(echo hello | nsx "$NS_A" socat -T 5 - TCP:"$B4":"$port",connect-timeout=5)
	assert_eq "the echo server answered through the datapath" hello "$got"
}

test_seed_script() {
	local out=$TEST_TMP/seed err=$TEST_TMP/seed.err id
	start_pftrace "$out" "$err" -s "$SEED_PF" -T 30 || { fail "pftrace did not start" "$(cat "$err")"; return; }
	one_connection 2222
	wait_for 15 grep -qs 'pf:::state-destroy(' "$out"
	kill -INT "$PFT"
	wait "$PFT"
	assert_eq "pftrace -s exits 0 on SIGINT" 0 "$?"
	# The state is inbound (A connected to B): pfctl -ss's "B <- A".
	local c='198\.51\.100\.2 <- 198\.51\.100\.1'
	assert_order "seed script lines in order" "$out" \
		"pf:::state:create\\([0-9]+\\) tcp 6 $c\$" \
		"pf:::state-change:established\\([0-9]+\\) $c\$" \
		"pf:::state:tcp-established\\([0-9]+\\) $c\$" \
		"pf:::state-change:finwait2\\([0-9]+\\) $c\$" \
		"pf:::state:tcp-closed\\([0-9]+\\) $c\$" \
		'pf:::state-destroy\([0-9]+\)$'
	id=$(sed -nE 's/.*pf:::state:create\(([0-9]+)\) tcp .*/\1/p' "$out" | head -1)
	assert_match "the destroy is the created state's" "pf:::state-destroy\\($id\\)" "$(cat "$out")"
	assert_match "the create is the connection's" "pf:::state:create\\($id\\) tcp 6 $c\$" "$(cat "$out")"
	assert_nomatch "no runtime error" 'error' "$(cat "$err")"
}

test_stream() {
	local out=$TEST_TMP/stream err=$TEST_TMP/stream.err
	start_pftrace "$out" "$err" -p proto=tcp,port=2223 -T 30 || { fail "pftrace did not start"; return; }
	one_connection 2223
	wait_for 15 grep -qs '^\[DESTROY\]' "$out"
	kill -TERM "$PFT"
	wait "$PFT"
	assert_eq "pftrace exits 0 on SIGTERM" 0 "$?"
	assert_order "stream lines in order" "$out" \
		'^\[NEW\] tcp 198\.51\.100\.1:[0-9]+ -> 198\.51\.100\.2:2223 in id [0-9a-f]{16} SYN_SENT:' \
		'^\[UPDATE\] .* -> ESTABLISHED:ESTABLISHED$' \
		'^\[ESTABLISHED\] tcp 198\.51\.100\.1:[0-9]+ -> 198\.51\.100\.2:2223 ' \
		'^\[UPDATE\] .* -> FIN_WAIT_2:FIN_WAIT_2$|^\[UPDATE\] .* -> (TIME_WAIT|FIN_WAIT_2):(TIME_WAIT|FIN_WAIT_2)$' \
		'^\[CLOSED\] tcp ' \
		'^\[DESTROY\] tcp 198\.51\.100\.1:[0-9]+ -> 198\.51\.100\.2:2223 .* reason (expired|fin) '
	assert_nomatch "the filter kept other ports out" ':2222 ' "$(cat "$out")"
}

# IPv6: the same session, endpoints spelled [addr]:port.
test_stream_v6() {
	local out=$TEST_TMP/s6 err=$TEST_TMP/s6.err got
	start_pftrace "$out" "$err" -p af=inet6,proto=tcp -T 30 || { fail "pftrace did not start"; return; }
	nsx "$NS_B" socat -T 5 TCP6-LISTEN:2224,bind="[$B6]",reuseaddr SYSTEM:cat &
	BG_PIDS+=($!)
	wait_for 5 listening 2224
	got=$(echo hello6 | nsx "$NS_A" socat -T 5 - "TCP6:[$B6]:2224,connect-timeout=5")
	assert_eq "the IPv6 echo answered through the datapath" hello6 "$got"
	wait_for 15 grep -qs '^\[DESTROY\]' "$out"
	kill -INT "$PFT"
	wait "$PFT"
	local a='\[2001:db8:100::1\]:[0-9]+ -> \[2001:db8:100::2\]:2224 in id [0-9a-f]{16}'
	assert_order "IPv6 stream lines in order" "$out" \
		"^\[NEW\] tcp $a SYN_SENT:CLOSED rule 0\$" \
		"^\[ESTABLISHED\] tcp $a ESTABLISHED:ESTABLISHED\$" \
		"^\[CLOSED\] tcp $a " \
		"^\[DESTROY\] tcp $a .* reason (expired|fin) pkts [0-9]+:[0-9]+ bytes [0-9]+:[0-9]+\$"
}

pftrace_setup tr --timeout tcp.finwait=1 --timeout tcp.closed=1 --timeout interval=1
run_test test_seed_script
run_test test_stream
run_test test_stream_v6
finish
