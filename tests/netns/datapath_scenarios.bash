# SPDX-License-Identifier: BSD-2-Clause
# Datapath scenarios (issue 2), shared by datapath_iproute2.sh and
# datapath_loader.sh which differ only in how the object is attached.
#
# Topology: namespace A (198.51.100.1, 2001:db8:100::1) is "the internet",
# namespace B (.2, ::2) is the filtering host: pfbpf sits on B's veth end
# (XDP ingress, tc egress; or tc ingress, mode loader-tc).  Connections B -> A
# are outbound for the filter,
# connections A -> B inbound.

# Small timeouts so closed connections expire within seconds; interval 1 so
# the sweep runs every second.
DP_TIMEOUTS=(--timeout tcp.closing=2 --timeout tcp.finwait=2 --timeout tcp.closed=2
	--timeout interval=1)

# dp_setup MODE PREFIX: namespaces, veth, datapath attached on B's end.
dp_setup() {
	local mode=$1
	if ! netns_pair "$2"; then
		fail "setup: namespaces and veth"
		finish
	fi
	case $mode in
	iproute2)
		assert_cmd "attach with ip link set xdp obj + tc filter egress" \
			attach_iproute2 "$NS_B" "$VETH_B"
		# iproute2 knows nothing of our config or timer: set the
		# timeouts, then start the sweep timer (pf_ctl is loaded from
		# the embedded object against the pinned maps).
		assert_cmd "timeouts set through the pinned pf_config" \
			pfload "$NS_B" set "${DP_TIMEOUTS[@]}"
		assert_cmd "sweep timer armed (pfbpf-load arm)" pfload "$NS_B" arm
		;;
	loader)
		# XDP is asserted below: forced, since a veth gets tc by default.
		assert_cmd "attach with pfbpf-load --xdp" \
			attach_loader "$NS_B" "$VETH_B" --xdp "${DP_TIMEOUTS[@]}"
		;;
	loader-tc)
		assert_cmd "attach with pfbpf-load (the default: tc on a veth)" \
			attach_loader "$NS_B" "$VETH_B" "${DP_TIMEOUTS[@]}"
		;;
	esac
	# pf's empty ruleset passes without state: a plain `pass all` (keep
	# state is pf's default) makes the connections below stateful.
	printf 'pass all\n' >"$TEST_TMP/pass-all.conf"
	assert_cmd "load 'pass all' with pfctl_bpf -f" nsx "$NS_B" "$PFCTL" -f "$TEST_TMP/pass-all.conf"
	if [ "$mode" = loader-tc ]; then
		assert_match "tc ingress program on $VETH_B" 'pf_tc_in' \
			"$(nsx "$NS_B" tc filter show dev "$VETH_B" ingress)"
		assert_nomatch "no XDP program on $VETH_B" 'prog/xdp' \
			"$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	else
		assert_match "XDP program pf_xdp on $VETH_B" 'prog/xdp .*name pf_xdp' \
			"$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	fi
	assert_match "tc egress program on $VETH_B" 'pf_tc_out' \
		"$(nsx "$NS_B" tc filter show dev "$VETH_B" egress)"
	assert_cmd "state table pinned in tc/globals" test -e /sys/fs/bpf/tc/globals/pf_states
	assert_match "sweep timer runs" '^timer armed' "$(pfload "$NS_B" status)"
}

dp_states() { pfload "$NS_B" states; }

# Lines of the state table for TCP port $1 (either side).
dp_tcp_states() { dp_states | grep -E "^tcp .*[]0-9]:$1 " ; }

dp_counter() {
	pfload "$NS_B" status | awk -v n="$1" '$1 == "counter" && $2 == n { print $3 }'
}

# dp_server NS FAMILY PORT: an echo server.
dp_server() {
	local ns=$1 fam=$2 port=$3
	local v6only=
	# One listener per family on one port: keep the v6 socket v6 only.
	[ "$fam" = 6 ] && v6only=,ipv6only=1
	bg nsx "$ns" socat "TCP$fam-LISTEN:$port,reuseaddr,fork$v6only" EXEC:cat
	wait_for 5 sh -c "nsenter --net=/run/netns/$ns ss -ltnH | grep -q ':$port '"
}

# dp_client_open NS FAMILY ADDR PORT: a client whose stdin we hold open;
# sets CL_FD (write end) and CL_OUT (what came back).
dp_client_open() {
	local ns=$1 fam=$2 addr=$3 port=$4 fifo
	fifo=$TEST_TMP/in.$port
	CL_OUT=$TEST_TMP/out.$port
	mkfifo "$fifo"
	: >"$CL_OUT"
	[ "$fam" = 6 ] && addr="[$addr]"
	# Open read-write first: it does not block on a fifo, and the client's
	# read open then finds a writer.
	exec {CL_FD}<>"$fifo"
	# The client must not inherit our write end, or it never sees EOF.
	nsx "$ns" socat -t 3 STDIO "TCP$fam:$addr:$port" <"$fifo" >"$CL_OUT" {CL_FD}>&- &
	BG_PIDS+=($!)
}

dp_client_close() { exec {CL_FD}>&-; }

# dp_echo WORD: send WORD on the open client, wait until it is echoed.
dp_echo() {
	echo "$1" >&"$CL_FD"
	wait_for 5 grep -q "^$1\$" "$CL_OUT"
}

# A real TCP connection through the filter: one state, ESTABLISHED on both
# peers, gone after close (timer sweep, no user-space daemon involved).
test_tcp_lifecycle() {
	local fam=$1 port=$2 a=$A4 lines n
	[ "$fam" = 6 ] && a=$A6
	dp_server "$NS_A" "$fam" "$port" || { fail "echo server on port $port"; return; }
	dp_client_open "$NS_B" "$fam" "$a" "$port"
	if dp_echo hello; then pass "data flows through the filter"; else
		fail "data flows through the filter" "client got: $(cat "$CL_OUT")"; fi
	wait_for 3 sh -c "'$PFBPF_LOAD' states | grep -E '^tcp .*:$port .*ESTABLISHED:ESTABLISHED' >/dev/null"
	lines=$(dp_tcp_states "$port")
	n=$(printf '%s' "$lines" | grep -c .)
	assert_eq "exactly one state for the connection" 1 "$n"
	assert_match "state is ESTABLISHED:ESTABLISHED" \
		"^tcp out .*:$port ESTABLISHED:ESTABLISHED " "$lines"
	dp_client_close
	if [ "$n" = 0 ]; then
		fail "state removed after close (timer sweep)" "no state was made to begin with"
	elif wait_for 20 sh -c "! '$PFBPF_LOAD' states | grep -E '^tcp .*:$port ' >/dev/null"; then
		pass "state removed after close (timer sweep)"
	else
		fail "state removed after close (timer sweep)" "$(dp_tcp_states "$port")" \
			"$(pfload "$NS_B" status | grep -E '^(timer|states)')"
	fi
}

# A spoofed RST far outside the window, injected with scapy from A: the
# filter drops it (state-mismatch) and the connection goes on.
test_rst_out_of_window() {
	local fam=$1 port=$2 a=$A4 b=$B4 line cport seqlo1 before after
	[ "$fam" = 6 ] && { a=$A6; b=$B6; }
	dp_server "$NS_A" "$fam" "$port" || { fail "echo server on port $port"; return; }
	dp_client_open "$NS_B" "$fam" "$a" "$port"
	if ! dp_echo before-rst; then
		fail "connection up before the RST"
		dp_client_close
		return
	fi
	wait_for 3 sh -c "'$PFBPF_LOAD' states | grep -E '^tcp .*:$port .*ESTABLISHED:ESTABLISHED' >/dev/null"
	line=$(dp_tcp_states "$port" | head -1)
	assert_match "connection ESTABLISHED:ESTABLISHED" "ESTABLISHED:ESTABLISHED" "$line"
	# "tcp out B:cport A:port ... seqlo s0:s1 ...": B's port, A's sequence.
	cport=$(printf '%s\n' "$line" | awk '{ n = split($3, p, ":"); print p[n] }')
	seqlo1=$(printf '%s\n' "$line" | awk '{ for (i = 1; i < NF; i++) if ($i == "seqlo") { split($(i + 1), s, ":"); print s[2] } }')
	if [ -z "$seqlo1" ] || [ -z "$cport" ]; then
		fail "out-of-window RST dropped" "no state to aim a RST at"
		dp_client_close
		return
	fi
	before=$(dp_counter state-mismatch)
	nsx "$NS_A" "$PY" - "$fam" "$VETH_A" "$MAC_A" "$MAC_B" "$a" "$b" "$port" "$cport" \
		"$seqlo1" <<'EOF'
import sys
from scapy.all import Ether, IP, IPv6, TCP, sendp, conf
conf.verb = 0
fam, iface, smac, dmac, src, dst = sys.argv[1:7]
sport, dport, seqlo = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
# A quarter of the sequence space away: outside any window pf accepts.
seq = (seqlo + (1 << 30)) % (1 << 32)
l3 = IP(src=src, dst=dst) if fam == "4" else IPv6(src=src, dst=dst)
sendp(Ether(src=smac, dst=dmac) / l3 / TCP(sport=sport, dport=dport, flags="R", seq=seq),
      iface=iface)
EOF
	wait_for 3 sh -c "[ \"\$('$PFBPF_LOAD' status | awk '\$2 == \"state-mismatch\" { print \$3 }')\" != '$before' ]"
	after=$(dp_counter state-mismatch)
	if [ -n "$before" ] && [ -n "$after" ] && [ "$after" -gt "$before" ]; then
		pass "out-of-window RST dropped (state-mismatch $before -> $after)"
	else
		fail "out-of-window RST dropped" "state-mismatch before '$before' after '$after'"
	fi
	if dp_echo after-rst; then pass "connection still works after the RST"; else
		fail "connection still works after the RST" "client got: $(cat "$CL_OUT")"; fi
	assert_match "state intact after the RST" "^tcp out .*:$port ESTABLISHED:ESTABLISHED " \
		"$(dp_tcp_states "$port")"
	dp_client_close
}

# Block in, pass out: an unsolicited inbound connection fails, outbound
# connections still work through their state.  Rules come from pfctl_bpf.
test_block_in_pass_out() {
	local port_in=$1 port_out=$2 rules out
	rules=$TEST_TMP/block-in.conf
	cat >"$rules" <<-'EOF'
	block in all
	pass out all keep state
	# neighbour discovery, or IPv6 stops working on the link
	pass in inet6 proto icmp6 all
	EOF
	dp_server "$NS_B" 4 "$port_in" || { fail "server on B"; return; }
	dp_server "$NS_B" 6 "$port_in" || true
	dp_server "$NS_A" 4 "$port_out" || { fail "server on A"; return; }
	dp_server "$NS_A" 6 "$port_out" || true
	# Control: inbound works before the ruleset (pass all).
	out=$(echo ping-in | nsx "$NS_A" socat -T 3 STDIO "TCP4:$B4:$port_in,connect-timeout=3" 2>&1)
	assert_eq "inbound connection works without rules" ping-in "$out"
	assert_cmd "load block-in/pass-out ruleset with pfctl_bpf -f" nsx "$NS_B" "$PFCTL" -f "$rules"
	out=$(echo ping-in | nsx "$NS_A" socat -T 3 STDIO "TCP4:$B4:$port_in,connect-timeout=3" 2>&1)
	assert_nomatch "unsolicited inbound IPv4 connection blocked" '^ping-in$' "$out"
	out=$(echo ping-in | nsx "$NS_A" socat -T 3 STDIO "TCP6:[$B6]:$port_in,connect-timeout=3" 2>&1)
	assert_nomatch "unsolicited inbound IPv6 connection blocked" '^ping-in$' "$out"
	assert_eq "no state for the blocked connections" "" "$(dp_tcp_states "$port_in")"
	out=$(echo ping-out | nsx "$NS_B" socat -T 3 STDIO "TCP4:$A4:$port_out,connect-timeout=3" 2>&1)
	assert_eq "outbound IPv4 connection passes (keep state)" ping-out "$out"
	out=$(echo ping-out | nsx "$NS_B" socat -T 3 STDIO "TCP6:[$A6]:$port_out,connect-timeout=3" 2>&1)
	assert_eq "outbound IPv6 connection passes (keep state)" ping-out "$out"
}

# dp_icmp_echo NS FAMILY DST ID: one echo request with scapy; prints
# "reply" or "none" (ping is not a test dependency).
dp_icmp_echo() {
	cat >"$TEST_TMP/echo.py" <<'EOF'
import logging, sys
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, ICMP, ICMPv6EchoRequest, sr1, conf
conf.verb = 0
fam, dst, ident = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = IP(dst=dst) / ICMP(id=ident) if fam == "4" else IPv6(dst=dst) / ICMPv6EchoRequest(id=ident)
print("reply" if sr1(p, timeout=3) is not None else "none")
EOF
	nsx "$1" "$PY" "$TEST_TMP/echo.py" "$2" "$3" "$4"
}

# UDP and ICMP echo through the filter: one state each, with pf's peer
# states after one request and one reply (creator MULTIPLE, peer SINGLE for
# UDP; ICMP keyed as pf_icmp_mapping: the echo id on the requester's side,
# the virtual type, echo request 8 / 128, on the other).
test_udp_icmp() {
	local fam=$1 port=$2 a=$A4 out lines id
	id=$((4000 + fam))
	[ "$fam" = 6 ] && a=$A6
	local v6only=
	[ "$fam" = 6 ] && v6only=,ipv6only=1
	bg nsx "$NS_A" socat "UDP$fam-RECVFROM:$port,fork$v6only" EXEC:cat
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_A ss -lunH | grep -q ':$port '"
	[ "$fam" = 6 ] && a="[$a]"
	out=$(echo dgram | nsx "$NS_B" socat -T 2 STDIO "UDP$fam:$a:$port" 2>&1)
	assert_eq "UDP datagram answered through the filter" dgram "$out"
	lines=$(dp_states | grep -E "^udp .*:$port ")
	assert_eq "one UDP state" 1 "$(printf '%s' "$lines" | grep -c .)"
	assert_match "UDP peer states MULTIPLE:SINGLE" "^udp out .*:$port MULTIPLE:SINGLE " "$lines"
	[ "$fam" = 6 ] && a=$A6 || a=$A4
	out=$(dp_icmp_echo "$NS_B" "$fam" "$a" "$id")
	assert_eq "ICMP echo answered through the filter" reply "$out"
	assert_match "ICMP echo state keyed by the echo id and the request type" \
		"^(icmp|ipv6-icmp) out [^ ]*:$id [^ ]*:(8|128) " "$(dp_states)"
}

# The event ring buffer through a whole TCP connection: create,
# established, closed, destroy, in that order, for that connection.
test_events() {
	local port=$1 ev=$TEST_TMP/events.$1 pid seq
	nsx "$NS_B" "$PFBPF_LOAD" events -t 30 >"$ev" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	sleep 0.3
	dp_server "$NS_A" 4 "$port" || { fail "echo server on port $port"; return; }
	dp_client_open "$NS_B" 4 "$A4" "$port"
	dp_echo events || fail "data flows" "$(cat "$CL_OUT")"
	dp_client_close
	wait_for 20 grep -q "^state-destroy .*:$port " "$ev"
	kill "$pid" 2>/dev/null
	seq=$(grep -E "^[a-z-]+( [a-z]+)? tcp .*$A4:$port " "$ev" | awk '{print $1}' |
		grep -Ev '^state-change$' | tr '\n' ' ')
	assert_eq "events of the connection, in order" \
		"state-create tcp-established tcp-closed state-destroy " "$seq"
	assert_match "the destroy event gives its reason" "^state-destroy (fin|expired) tcp " \
		"$(grep "^state-destroy .*:$port " "$ev")"
}

dp_run_all() {
	run_test test_udp_icmp 4 5301
	run_test test_udp_icmp 6 5302
	run_test test_tcp_lifecycle 4 8001
	run_test test_tcp_lifecycle 6 8002
	run_test test_rst_out_of_window 4 8003
	run_test test_rst_out_of_window 6 8004
	run_test test_events 8007
	run_test test_block_in_pass_out 8005 8006
}
