#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# `set syncookies` on the wire (bpf/pf_syncookie.h), the object attached
# with iproute2 on tc clsact ingress and egress of B's veth end:
#  - always: 20 SYNs from scapy (IPv4 and IPv6) are each answered by tc ingress
#    with a SYN|ACK redirected out of the veth (ack = ISN + 1, an MSS option, the stack of B never
#    sees them: no listener exists) and make no state; pfctl_bpf -si shows
#    the mode and -si -v the cookies sent;
#  - adaptive (limit states 400, start 25%): a spoofed SYN flood from
#    198.51.100.0/24 switches it on (synfloods detected, -si active, --json);
#    with the flood's states gone it switches off again within two key
#    periods (<= 30 s), and a SYN passes to B's stack (no listener: RST).
#  - always, end to end: socat connections (IPv4 and IPv6) to an echo
#    server on B complete through the cookie and synproxy's PROXY_DST
#    (bpf/pf_synproxy.h: the recreated SYN, the server's SYN|ACK answered
#    both ways, seqdiff on every later segment); 256 KiB echoed back
#    intact (sha256 compared), a state per connection, the cookies counted
#    validated;
#  - `pass in proto tcp synproxy state` in front of a server on B: a
#    SYN-only client (scapy) gets our SYN|ACK and the server sees no
#    connection (ss on B: nothing but the listener, its accept queue
#    empty); a real socat client then completes and its 256 KiB come
#    back intact.
. "$(dirname "$0")/lib.sh"

require_tools ip tc nsenter unshare socat ss bpftool python3-scapy pfctl_bpf pf_kern.bpf.o

PORT=8080

setup() {
	if ! netns_pair dsc; then
		fail "setup: namespaces and veth"
		finish
	fi
	# tc ingress, not XDP: a veth hands XDP_TX frames to its peer only
	# when the peer runs NAPI (an XDP program or GRO, no ethtool here);
	# XDP_TX is covered by tests/unit/test_core_syncookie.c
	assert_cmd "clsact on $VETH_B" nsx "$NS_B" tc qdisc add dev "$VETH_B" clsact
	assert_cmd "attach tc/ingress with tc filter" nsx "$NS_B" tc filter add dev "$VETH_B" \
		ingress bpf da obj "$PFBPF_OBJ_FILE" sec tc/ingress
	assert_cmd "attach tc/egress with tc filter" nsx "$NS_B" tc filter add dev "$VETH_B" \
		egress bpf da obj "$PFBPF_OBJ_FILE" sec tc/egress
}

load() {
	printf '%s\n' "$@" >"$TEST_TMP/sc.conf"
	assert_cmd "load: $*" nsx "$NS_B" "$PFCTL" -f "$TEST_TMP/sc.conf"
}

# tcp_states: TCP states in B's table
tcp_states() {
	nsx "$NS_B" "$PFCTL" -ss 2>/dev/null | grep -c ' tcp '
}

# info_line NAME: the value after NAME in pfctl_bpf -si -v
info_line() {
	nsx "$NS_B" "$PFCTL" -si -v | awk -v n="$1" 'index($0, "  " n " ") == 1 {
		sub("^  " n " +", ""); print $1; exit }'
}

test_always() {
	local out
	load "set syncookies always" "pass all"
	assert_eq "-si shows the mode" always "$(info_line mode)"
	assert_eq "-si: active" active "$(info_line active)"
	out=$(nsx "$NS_A" "$PY" - "$VETH_A" "$MAC_A" "$MAC_B" "$A4" "$B4" "$A6" "$B6" "$PORT" <<'PYEOF'
import logging, sys
logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
from scapy.all import Ether, IP, IPv6, TCP, srp
iface, ma, mb, a4, b4, a6, b6, port = sys.argv[1:]
port = int(port)
pkts = []
for i in range(20):
    ip = IP(src=a4, dst=b4) if i % 2 == 0 else IPv6(src=a6, dst=b6)
    pkts.append(Ether(src=ma, dst=mb) / ip /
                TCP(sport=30000 + i, dport=port, flags='S', seq=1000 * i + 7,
                    options=[('MSS', 1460), ('NOP', None), ('WScale', 7)]))
ans, unans = srp(pkts, iface=iface, timeout=3, verbose=0)
good = 0
for snd, rcv in ans:
    t = rcv[TCP]
    mss = dict(o for o in t.options if o[0] == 'MSS').get('MSS')
    if t.flags == 'SA' and t.ack == snd[TCP].seq + 1 and mss == 1460 and \
       t.sport == port and t.dport == snd[TCP].sport:
        good += 1
print(good, len(unans))
PYEOF
)
	assert_eq "20 SYNs: 20 SYN|ACKs with the cookie's MSS, none unanswered" "20 0" "$out"
	assert_eq "no TCP state made" 0 "$(tcp_states)"
	assert_eq "-si -v: syncookies sent" 20 "$(info_line 'syncookies sent')"
}

test_always_connect() {
	local fam addr
	load "set syncookies always" "pass all"
	head -c 262144 /dev/urandom >"$TEST_TMP/data"
	for fam in 4 6; do
		addr=$B4
		[ "$fam" = 6 ] && addr="[$B6]"
		local v6only=
		[ "$fam" = 6 ] && v6only=,ipv6only=1
		bg nsx "$NS_B" socat "TCP$fam-LISTEN:$((PORT + fam)),reuseaddr$v6only" EXEC:cat
		wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':$((PORT + fam)) '"
		nsx "$NS_A" timeout 20 socat -t 5 -T 10 STDIO "TCP$fam:$addr:$((PORT + fam)),connect-timeout=5" \
			<"$TEST_TMP/data" >"$TEST_TMP/echo.$fam" 2>"$TEST_TMP/err.$fam"
		assert_eq "IPv$fam: 256 KiB echoed intact through the cookie handshake" \
			"$(sha256sum <"$TEST_TMP/data")" "$(sha256sum <"$TEST_TMP/echo.$fam")"
	done
	assert_eq "-si -v: both connections' cookies validated" 2 "$(info_line 'syncookies validated')"
	assert_eq "a state for each connection" 2 "$(tcp_states)"
	assert_cmd "flush the connections' states" nsx "$NS_B" "$PFCTL" -q -F states
}

test_synproxy_state() {
	local port=$((PORT + 10)) out
	load "pass in proto tcp to port $port synproxy state" "pass out all" "pass in proto { icmp ipv6-icmp }"
	bg nsx "$NS_B" socat "TCP4-LISTEN:$port,reuseaddr,fork" EXEC:cat
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':$port '"
	out=$(nsx "$NS_A" "$PY" - "$VETH_A" "$MAC_A" "$MAC_B" "$A4" "$B4" "$port" <<'PYEOF'
import logging, sys
logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
from scapy.all import Ether, IP, TCP, srp1
iface, ma, mb, a4, b4, port = sys.argv[1:]
r = srp1(Ether(src=ma, dst=mb) / IP(src=a4, dst=b4) /
         TCP(sport=33000, dport=int(port), flags='S', seq=4242, options=[('MSS', 1400)]),
         iface=iface, timeout=3, verbose=0)
t = r[TCP] if r is not None and TCP in r else None
print('none' if t is None else '%s %d %d' % (t.flags, t.ack, t.window))
PYEOF
)
	assert_eq "the SYN is answered by pfbpf: SYN|ACK, ack = ISN + 1, window 0" "SA 4243 0" "$out"
	sleep 1
	assert_eq "one state, in the table while the server knows nothing" 1 "$(tcp_states)"
	assert_eq "the server sees no connection (ss on B: only the listener)" "" \
		"$(nsx "$NS_B" ss -tanH "( sport = :$port )" | grep -v LISTEN)"
	assert_eq "... and its accept queue is empty" 0 \
		"$(nsx "$NS_B" ss -ltnH "( sport = :$port )" | awk '{print $2; exit}')"
	head -c 262144 /dev/urandom >"$TEST_TMP/sdata"
	nsx "$NS_A" timeout 20 socat -t 5 -T 10 STDIO "TCP4:$B4:$port,connect-timeout=5" \
		<"$TEST_TMP/sdata" >"$TEST_TMP/secho" 2>"$TEST_TMP/serr"
	assert_eq "a real client through synproxy state: 256 KiB echoed intact" \
		"$(sha256sum <"$TEST_TMP/sdata")" "$(sha256sum <"$TEST_TMP/secho")"
	assert_match "-si counts synproxy" '^[1-9]' \
		"$(nsx "$NS_B" "$PFCTL" -si -v | awk '$1 == "synproxy" { print $2 }')"
	assert_cmd "flush the states" nsx "$NS_B" "$PFCTL" -q -F states
}

test_adaptive_flood() {
	local n
	load "set limit states 400" "set timeout interval 1" \
		"set syncookies adaptive (start 25%, end 12%)" "pass all"
	assert_eq "adaptive starts inactive" inactive "$(info_line active)"
	# 150 spoofed SYNs: 101 half-open states switch it on, the rest get cookies
	assert_cmd "a spoofed SYN flood from 198.51.100.0/24" nsx "$NS_A" "$PY" -c "
import logging; logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
from scapy.all import Ether, IP, TCP, sendp
sendp([Ether(src='$MAC_A', dst='$MAC_B') / IP(src='198.51.100.%d' % (10 + i % 200), dst='$B4') /
       TCP(sport=20000 + i, dport=$PORT, flags='S', seq=i) for i in range(150)],
      iface='$VETH_A', verbose=0)
"
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B $PFCTL -si | grep -q ' active *\$'" || true
	assert_eq "the flood switched it on" active "$(info_line active)"
	assert_eq "synfloods detected" 1 "$(info_line 'synfloods detected')"
	n=$(tcp_states)
	assert_eq "states stop at the threshold (101 half-open)" 101 "$n"
	assert_match "--json says so" '"active": *true' \
		"$(nsx "$NS_B" "$PFCTL" -si --json | tr -d '\n')"
	# after the flood: its states go, and once the cookies' key periods
	# have passed (15-30 s) the sweep switches it off with no SYN needed
	assert_cmd "flush the flood's states" nsx "$NS_B" "$PFCTL" -q -F states
	wait_for 40 sh -c "nsenter --net=/run/netns/$NS_B $PFCTL -si | grep -q ' inactive *\$'"
	assert_eq "switched off after the flood" inactive "$(info_line active)"
	assert_eq "a SYN makes a state again" "20 0" "$(nsx "$NS_A" "$PY" -c "
import logging; logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
from scapy.all import Ether, IP, TCP, srp
a, u = srp(Ether(src='$MAC_A', dst='$MAC_B') / IP(src='$A4', dst='$B4') /
           TCP(sport=45000, dport=$PORT, flags='S', seq=1), iface='$VETH_A', timeout=2, verbose=0)
print(20 if a and a[0][1][TCP].flags == 'RA' else 0, len(u))
")"
	assert_eq "... one TCP state" 1 "$(tcp_states)"
}

setup
run_test test_always
run_test test_always_connect
run_test test_synproxy_state
run_test test_adaptive_flood
finish
