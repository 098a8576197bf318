#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# block return from the tc programs: the object attached with plain iproute2
# on tc clsact ingress and egress (no XDP) of B's veth end.  A UDP datagram
# to a port blocked with `block return-icmp` / `block return` is answered
# with ICMP port unreachable, so the sender's connected socket reports
# ECONNREFUSED, although a listener is bound on that port (so the refusal
# can only come from pfbpf).  Inbound (tc ingress: the answer leaves by the
# veth) and outbound (tc egress: the answer goes to B's own stack), IPv4
# and IPv6.
. "$(dirname "$0")/lib.sh"

require_tools ip tc nsenter unshare socat ss bpftool python3-scapy pfctl_bpf pf_kern.bpf.o

P_OPEN=7000     # listener, no rule: the control
P_IN=7001       # block return-icmp in
P_OUT=7002      # block return out

# udp_try NS ADDR PORT: one datagram on a connected socket, then wait up to
# 3 s for the echo.  Prints reply, refused or timeout.
udp_try() {
	nsx "$1" "$PY" - "$2" "$3" <<'PYEOF'
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((addr, port))
s.send(b"pfbpf")
try:
    s.recv(100)
    print("reply")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
PYEOF
}

# udp_echo NS PORT: echo servers on both families.
udp_echo() {
	bg nsx "$1" socat "UDP4-RECVFROM:$2,reuseaddr,fork" EXEC:cat
	bg nsx "$1" socat "UDP6-RECVFROM:$2,reuseaddr,fork,ipv6only=1" EXEC:cat
	assert_cmd "UDP echo servers on $1 port $2" wait_for 5 sh -c \
		"[ \$(nsenter --net=/run/netns/$1 ss -lunH | grep -c ':$2 ') -ge 2 ]"
}

# Sum over CPUs of one pf_status field, from the pinned map.
status_field() {
	bpftool -j map dump pinned /sys/fs/bpf/tc/globals/pf_status | "$PY" -c '
import json, sys
n = 0
for e in json.load(sys.stdin):
    for v in e.get("formatted", e)["values"]:
        n += v["value"][sys.argv[1]]
print(n)' "$1"
}

setup() {
	if ! netns_pair dpr; then
		fail "setup: namespaces and veth"
		finish
	fi
	assert_cmd "clsact on $VETH_B" nsx "$NS_B" tc qdisc add dev "$VETH_B" clsact
	assert_cmd "attach tc/ingress with tc filter" nsx "$NS_B" tc filter add dev "$VETH_B" \
		ingress bpf da obj "$PFBPF_OBJ_FILE" sec tc/ingress
	assert_cmd "attach tc/egress with tc filter" nsx "$NS_B" tc filter add dev "$VETH_B" \
		egress bpf da obj "$PFBPF_OBJ_FILE" sec tc/egress
	cat >"$TEST_TMP/return.conf" <<-CONF
	pass all
	block return-icmp in proto udp to port $P_IN
	block return out proto udp to port $P_OUT
	CONF
	assert_cmd "load the ruleset with pfctl_bpf -f" nsx "$NS_B" "$PFCTL" -f "$TEST_TMP/return.conf"
	udp_echo "$NS_B" "$P_OPEN"
	udp_echo "$NS_B" "$P_IN"
	udp_echo "$NS_A" "$P_OPEN"
	udp_echo "$NS_A" "$P_OUT"
}

test_inbound() {
	local n0
	n0=$(status_field return_icmp)
	assert_eq "A -> B:$P_OPEN (IPv4) passes" reply "$(udp_try "$NS_A" "$B4" "$P_OPEN")"
	assert_eq "A -> B:$P_OPEN (IPv6) passes" reply "$(udp_try "$NS_A" "$B6" "$P_OPEN")"
	assert_eq "A -> B:$P_IN (IPv4): connection refused by tc ingress" refused \
		"$(udp_try "$NS_A" "$B4" "$P_IN")"
	assert_eq "A -> B:$P_IN (IPv6): connection refused by tc ingress" refused \
		"$(udp_try "$NS_A" "$B6" "$P_IN")"
	assert_eq "two ICMP answers counted" $((n0 + 2)) "$(status_field return_icmp)"
}

test_outbound() {
	local n0
	n0=$(status_field return_icmp)
	assert_eq "B -> A:$P_OPEN (IPv4) passes" reply "$(udp_try "$NS_B" "$A4" "$P_OPEN")"
	assert_eq "B -> A:$P_OPEN (IPv6) passes" reply "$(udp_try "$NS_B" "$A6" "$P_OPEN")"
	assert_eq "B -> A:$P_OUT (IPv4): connection refused by tc egress" refused \
		"$(udp_try "$NS_B" "$A4" "$P_OUT")"
	assert_eq "B -> A:$P_OUT (IPv6): connection refused by tc egress" refused \
		"$(udp_try "$NS_B" "$A6" "$P_OUT")"
	assert_eq "two ICMP answers counted" $((n0 + 2)) "$(status_field return_icmp)"
}

# snmp NS NAME: a counter of /proc/net/snmp ("Icmp InCsumErrors") or
# /proc/net/snmp6 ("Icmp6InCsumErrors") in NS.
snmp() {
	case $2 in
	Icmp6*) nsx "$1" awk -v n="$2" '$1 == n { print $2 }' /proc/net/snmp6 ;;
	*) nsx "$1" awk -v n="${2#Icmp }" '
		$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == "Icmp:" && h { print $col[n] }' /proc/net/snmp ;;
	esac
}

# The connected sockets above hand the veth datagrams whose checksum is
# still to be done, and the answers inherit that: the receiving stack takes
# them without checking.  scapy's datagrams carry complete checksums, so A's
# stack verifies every answer: it must count it as a destination unreachable
# and never as a checksum error.  The IPv6 one is large: its answer quotes
# the first 1232 bytes (1280 bytes of IPv6).
test_checksums_checked_by_the_stack() {
	local u4 e4 u6 e6
	u4=$(snmp "$NS_A" "Icmp InDestUnreachs")
	e4=$(snmp "$NS_A" "Icmp InCsumErrors")
	u6=$(snmp "$NS_A" Icmp6InDestUnreachs)
	e6=$(snmp "$NS_A" Icmp6InCsumErrors)
	assert_cmd "scapy sends UDP to B:$P_IN (IPv4, IPv6 1300 bytes) from A" \
		nsx "$NS_A" "$PY" -c "
import logging; logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
from scapy.all import Ether, IP, IPv6, UDP, Raw, sendp
e = Ether(src='$MAC_A', dst='$MAC_B')
sendp(e / IP(src='$A4', dst='$B4') / UDP(sport=41001, dport=$P_IN) / Raw(b'a' * 41),
      iface='$VETH_A', verbose=0)
sendp(e / IPv6(src='$A6', dst='$B6') / UDP(sport=41001, dport=$P_IN) / Raw(b'b' * 1300),
      iface='$VETH_A', verbose=0)
"
	wait_for 5 sh -c "[ \$(nsenter --net=/run/netns/$NS_A awk '\$1 == \"Icmp6InDestUnreachs\" { print \$2 }' /proc/net/snmp6) -gt $u6 ]"
	assert_eq "A's stack took the ICMP answer" $((u4 + 1)) "$(snmp "$NS_A" "Icmp InDestUnreachs")"
	assert_eq "... with a good checksum" "$e4" "$(snmp "$NS_A" "Icmp InCsumErrors")"
	assert_eq "A's stack took the ICMPv6 answer" $((u6 + 1)) "$(snmp "$NS_A" Icmp6InDestUnreachs)"
	assert_eq "... with a good checksum" "$e6" "$(snmp "$NS_A" Icmp6InCsumErrors)"
}

setup
run_test test_checksums_checked_by_the_stack
run_test test_inbound
run_test test_outbound
finish
