#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# ICMP states as pf keys them (issue 7 items 3 and 5; OpenBSD sys/net/pf.c
# pf_icmp_mapping / pf_icmp_state_lookup, FreeBSD tests/sys/netpfil/pf
# pass_block.sh v6 cases).  B filters (pfctl_bpf -e -i: XDP on B's veth
# ingress, tc on its egress).
#  - Item 3: under `block in` / `pass out proto icmp keep state`, an echo
#    B sends opens a state for its replies only: an echo or timestamp
#    *request* from A reusing that id is blocked (pfbpf used to key ICMP
#    states by id alone, both ways, and let it in).
#  - Item 5: under `block all` / `pass out ... keep state` (and a pass for
#    the neighbour's solicitations) with no static neighbours, neighbour discovery works (the NA answers an NS sent to
#    the solicited-node group) and `ping6 ff02::1%if` gets A's reply.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

require_tools ip nsenter unshare ping pfctl_bpf pf_kern.bpf.o

ID=0x5151 # the echo id B uses and A reuses

# scapy_icmp NS DST TYPE: send one ICMP message of TYPE with id $ID to DST
# and print "answer" if anything came back within 2 s, else "none".
scapy_icmp() {
	nsx "$1" "$PY" - "$2" "$3" "$ID" <<'PYEOF' 2>/dev/null
import sys
from scapy.all import IP, ICMP, sr1, conf
conf.verb = 0
dst, typ, ident = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
a = sr1(IP(dst=dst) / ICMP(type=typ, id=ident, seq=1) / (b"x" * 16), timeout=2)
print("answer" if a is not None else "none")
PYEOF
}

setup() {
	pfctl_setup dpi
}

test_query_state_one_direction() {
	load icmp4 <<-CONF
	block in all
	pass out proto icmp all keep state
	CONF
	assert_eq "B's echo request (id $ID) to A gets its reply through the state" answer \
		"$(scapy_icmp "$NS_B" "$A4" 8)"
	assert_match "the ICMP state is there" "icmp" "$(states icmp)"
	assert_eq "A's echo request reusing id $ID is blocked (pf: a request opens, never matches)" \
		none "$(scapy_icmp "$NS_A" "$B4" 8)"
	assert_eq "A's timestamp request reusing id $ID is blocked (its own virtual type)" \
		none "$(scapy_icmp "$NS_A" "$B4" 13)"
	assert_cmd "a real ping from B to A still works" \
		nsx "$NS_B" ping -4 -n -c 2 -i 0.2 -W 2 "$A4"
	assert_fails "a real ping from A to B is blocked" \
		nsx "$NS_A" ping -4 -n -c 1 -W 1 "$B4"
}

test_nd_and_multicast_ping6() {
	local lla out
	# As in pf, a neighbour's own solicitation coming in opens a state of
	# its own and needs a rule; the answers to ours ride on our states.
	load nd6 <<-CONF
	block all
	pass out all keep state
	pass in inet6 proto icmp6 icmp6-type neighbrsol keep state
	CONF
	nsx "$NS_B" ip -6 neigh flush dev "$VETH_B"
	nsx "$NS_A" ip -6 neigh flush dev "$VETH_A"
	assert_cmd "ping6 to A resolves A's address under block all (NA matched to the NS state)" \
		nsx "$NS_B" ping -6 -n -c 2 -i 0.2 -W 2 "$A6"
	lla=$(nsx "$NS_A" ip -6 -o addr show dev "$VETH_A" scope link |
		awk '{ sub("/.*", "", $4); print $4 }')
	out=$(nsx "$NS_B" ping -6 -n -c 2 -i 0.3 -W 2 "ff02::1%$VETH_B" 2>&1)
	# A answers from its global or its link-local address (source selection)
	assert_match "ping6 ff02::1%$VETH_B gets A's reply through the multicast retry" \
		"from ($A6|$lla)[:%]" "$out"
}

setup
run_test test_query_state_one_direction
run_test test_nd_and_multicast_ping6
finish
