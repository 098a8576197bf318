#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Fragmented replies through a state (issue 7 item 1).  B filters with
#     block in all
#     pass out all keep state
# (pfctl_bpf -e -i: XDP on B's veth ingress, tc on its egress).  B asks A
# for something whose answer does not fit in one 1500-byte frame: a
# 3000-byte UDP reply, and the replies of `ping -s 3000`, IPv4 and IPv6.
# The first fragment of each reply matches the state; pf passes the rest
# of the datagram with it (pfbpf records the passed first fragment in
# pf_frags), so the answers arrive and no fragment is dropped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare socat ss ping pfctl_bpf pf_kern.bpf.o

P_BIG=7100 # A answers every datagram on this port with 3000 bytes

# big_server NS PORT: UDP on both families, 3000 bytes back to any datagram.
big_server() {
	local fam
	# a file, not a here-document: a background job's stdin is /dev/null
	cat >"$TEST_TMP/big_server.py" <<'PYEOF'
import socket, sys
port, fam = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET6 if fam == "6" else socket.AF_INET, socket.SOCK_DGRAM)
if fam == "6":
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::" if fam == "6" else "0.0.0.0", port))
while True:
    data, peer = s.recvfrom(100)
    s.sendto(b"F" * 3000, peer)
PYEOF
	for fam in 4 6; do
		bg nsx "$1" "$PY" "$TEST_TMP/big_server.py" "$2" "$fam"
	done
	assert_cmd "3000-byte UDP servers on $1 port $2" wait_for 5 sh -c \
		"[ \$(nsenter --net=/run/netns/$1 ss -lunH | grep -c ':$2 ') -ge 2 ]"
}

# big_ask NS ADDR PORT: one datagram, then the length of the answer (or
# timeout).
big_ask() {
	nsx "$1" "$PY" - "$2" "$3" <<'PYEOF'
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect((addr, port))
s.send(b"big?")
try:
    print(len(s.recv(65536)))
except socket.timeout:
    print("timeout")
PYEOF
}

setup() {
	pfctl_setup dpf
	# Neighbours fixed: neighbour discovery is not what this tests, and
	# `block in` would need pass rules for it (issue 7 item 5).
	nsx "$NS_B" ip -6 neigh replace "$A6" lladdr "$MAC_A" dev "$VETH_B" nud permanent
	nsx "$NS_A" ip -6 neigh replace "$B6" lladdr "$MAC_B" dev "$VETH_A" nud permanent
	load frag <<-CONF
	block in all
	pass out all keep state
	CONF
	big_server "$NS_A" "$P_BIG"
}

test_udp_reply_fragmented() {
	local f0
	f0=$(counter fragment)
	assert_eq "B asks A (IPv4): the 3000-byte reply arrives in fragments" 3000 \
		"$(big_ask "$NS_B" "$A4" "$P_BIG")"
	assert_eq "B asks A (IPv6): the 3000-byte reply arrives in fragments" 3000 \
		"$(big_ask "$NS_B" "$A6" "$P_BIG")"
	assert_eq "no fragment dropped" "$f0" "$(counter fragment)"
	assert_match "the UDP states are there" "$A4:$P_BIG" "$(states udp)"
}

test_ping_s_3000() {
	local f0
	f0=$(counter fragment)
	assert_cmd "ping -s 3000 (IPv4): the fragmented echo replies pass" \
		nsx "$NS_B" ping -4 -n -c 2 -i 0.2 -W 2 -s 3000 "$A4"
	assert_cmd "ping -s 3000 (IPv6): the fragmented echo replies pass" \
		nsx "$NS_B" ping -6 -n -c 2 -i 0.2 -W 2 -s 3000 "$A6"
	assert_eq "no fragment dropped" "$f0" "$(counter fragment)"
}

# The state is what lets them in: an unsolicited fragmented datagram from A
# is still blocked (its first fragment by `block in`, the rest as fragment).
test_unsolicited_still_blocked() {
	local f0
	f0=$(counter fragment)
	assert_fails "ping -s 3000 from A to B is blocked" \
		nsx "$NS_A" ping -4 -n -c 1 -W 1 -s 3000 "$B4"
	assert_match "its later fragment counted as fragment" '^[1-9]' \
		"$(( $(counter fragment) - f0 ))"
}

setup
run_test test_udp_reply_fragmented
run_test test_ping_s_3000
run_test test_unsolicited_still_blocked
finish
