# SPDX-License-Identifier: BSD-2-Clause
# Shared by the pfctl_*.sh scenarios (source after lib.sh).
#
# Topology (lib.sh's netns_pair): namespace A (198.51.100.1) is the rest of
# the world, namespace B (198.51.100.2) the filtering host; pfctl_bpf -e -i
# attaches pf on B's veth end.  A -> B is inbound for pf, B -> A outbound.
# A second address on A (198.51.100.3) gives a second source host.

A4B=$NET4.3

# pf ARGS...: pfctl_bpf inside B (pins are per mount namespace, not per
# network namespace; B is where the interface names are).
pf() { nsx "$NS_B" "$PFCTL" "$@"; }

# pfctl_setup PREFIX: namespaces, veth, pf enabled on B's end.
pfctl_setup() {
	if ! netns_pair "$1"; then
		fail "setup: namespaces and veth"
		finish
	fi
	nsx "$NS_A" ip addr add "$A4B/24" dev "$VETH_A"
	assert_cmd "pfctl_bpf -e -i $VETH_B" pf -e -i "$VETH_B"
	assert_match "pf is running" '^Enabled$' "$(pf -s Running 2>&1)"
}

# load NAME: write the pf.conf given on stdin and load it with -f.
load() {
	cat > "$TEST_TMP/$1.conf"
	assert_cmd "load $1" pf -f "$TEST_TMP/$1.conf"
}

# serve NS PORT [udp]: an echo server in NS until the test ends.
serve() {
	local ns=$1 port=$2
	if [ "${3:-}" = udp ]; then
		bg nsx "$ns" socat "UDP4-RECVFROM:$port,reuseaddr,fork" EXEC:cat
		wait_for 5 sh -c "nsenter --net=/run/netns/$ns ss -lunH | grep -q ':$port '"
	else
		bg nsx "$ns" socat "TCP4-LISTEN:$port,reuseaddr,fork" EXEC:cat
		wait_for 5 sh -c "nsenter --net=/run/netns/$ns ss -ltnH | grep -q ':$port '"
	fi
}

# tcp_ok FROM_NS ADDR PORT [SRCADDR]: one TCP echo exchange succeeds.
tcp_ok() {
	local bind=""
	[ -n "${4:-}" ] && bind=",bind=$4"
	[ "$(echo probe | nsx "$1" socat -T 2 STDIO "TCP4:$2:$3,connect-timeout=2$bind" 2>/dev/null)" = probe ]
}

# udp_send FROM_NS ADDR PORT [SRCADDR]: one datagram (makes a state when
# pf passes it; nobody needs to answer).
udp_send() {
	local bind=""
	[ -n "${4:-}" ] && bind=",bind=$4"
	echo x | nsx "$1" socat -u STDIO "UDP4-SENDTO:$2:$3$bind" 2>/dev/null
}

# expect_pass WHAT FROM_NS ADDR PORT [SRCADDR] / expect_block ...
expect_pass() {
	local what=$1
	shift
	if tcp_ok "$@"; then pass "$what"; else fail "$what" "connection to $2:$3 failed"; fi
}
expect_block() {
	local what=$1
	shift
	if tcp_ok "$@"; then fail "$what" "connection to $2:$3 went through"; else pass "$what"; fi
}

# states [PATTERN]: -ss lines (first line of each state) matching PATTERN.
states() { pf -ss 2>/dev/null | grep -E -- "${1:-.}" || true; }
nstates() { states "${1:-.}" | grep -c . || true; }

# counter NAME: a -si counter's total ("state-limit", "inserts", ...).
counter() {
	pf -si | awk -v n="$1" '{ l = $0; sub(/^ +/, "", l) }
		index(l, n " ") == 1 { t = substr(l, length(n) + 1); split(t, f, " "); print f[1]; exit }'
}

# pfctl_second_link PREFIX: a second veth link between A and B, on
# 203.0.113.0/24 (A .1, B .2), so that states live on two interfaces.
# Sets NET2, VETH2_A and VETH2_B (named PREFIX + x/y + pid).
pfctl_second_link() {
	NET2=203.0.113
	VETH2_A=${1}x$$
	VETH2_B=${1}y$$
	nsx "$NS_A" ip link add "$VETH2_A" type veth peer name "$VETH2_B" || return 1
	nsx "$NS_A" ip link set "$VETH2_B" netns "$NS_B" || return 1
	nsx "$NS_A" ip addr add "$NET2.1/24" dev "$VETH2_A"
	nsx "$NS_B" ip addr add "$NET2.2/24" dev "$VETH2_B"
	nsx "$NS_A" ip link set "$VETH2_A" up
	nsx "$NS_B" ip link set "$VETH2_B" up
}

# A ticking TCP stream (a line every 0.1 s) from A to B's port 8010, received
# into $RECV: scenarios that check a connection survives something (a
# reload, an upgrade, an anchor change) watch it grow and find its state.
RECV=$TEST_TMP/recv

recv_lines() { wc -l < "$RECV" 2>/dev/null || echo 0; }

# grows: the receiver got more lines within 3 s.
grows() {
	local n
	n=$(recv_lines)
	wait_for 3 sh -c "[ \$(wc -l < '$RECV') -gt $n ]"
}

# tick_stream: start the receiver in B and the ticking sender in A.
tick_stream() {
	: > "$RECV"
	bg nsx "$NS_B" socat -u TCP4-LISTEN:8010,reuseaddr "OPEN:$RECV,creat,append"
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':8010 '"
	bg nsx "$NS_A" sh -c "i=0; while :; do echo tick \$i; i=\$((i + 1)); sleep 0.1; done |
		socat -u STDIO TCP4:$B4:8010"
}

# stream_id: the id of the stream's state (-ss -vv).
stream_id() {
	pf -ss -vv | awk -v pat="$B4:8010 <- $A4:" 'index($0, pat) { f = 1 } f && $1 == "id:" { print $2; exit }'
}
