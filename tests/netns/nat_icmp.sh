#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# ICMP through outbound NAT (issue 8): two clients pinging with one echo
# id get distinct ids on the outside and each its own reply back; a
# traceroute-style UDP packet whose TTL runs out beyond the router brings
# the time-exceeded error back to the client, outer and quoted headers
# translated back.  scapy (Debian's python3) sends and receives.
# Topology: nat_lib.bash (srv is the second router, bey beyond it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat_lib.bash"

require_tools ip tc nsenter unshare socat ss sysctl tcpdump python3-scapy pfctl_bpf pf_kern.bpf.o

ECHO_ID=4242

# echo_from NS SRC: one echo request id ECHO_ID to srv; prints "reply
# SRC ID" or "none".
echo_from() {
	nsx "$1" "$PY" - "$2" "$SRV_4" "$ECHO_ID" <<-'PY' 2>/dev/null
	import sys
	from scapy.all import IP, ICMP, sr1, conf
	conf.verb = 0
	src, dst, ident = sys.argv[1], sys.argv[2], int(sys.argv[3])
	a = sr1(IP(src=src, dst=dst) / ICMP(id=ident, seq=1), timeout=3)
	if a is None or ICMP not in a:
	    print("none")
	else:
	    print("reply %s %d type %d" % (a[IP].src, a[ICMP].id, a[ICMP].type))
	PY
}

test_echo_ids() {
	local cap o1 o2 ids
	cap=$TEST_TMP/echo.txt
	nsx "$NS_SRV" timeout 12 tcpdump -n -l -i s_ext -c 2 'icmp[icmptype] == icmp-echo' \
		>"$cap" 2>"$TEST_TMP/tcpdump.err" &
	local tpid=$!
	wait_for 5 grep -q 'listening on' "$TEST_TMP/tcpdump.err"
	o1=$(echo_from "$NS_CL1" "$CL1_4")
	o2=$(echo_from "$NS_CL2" "$CL2_4")
	kill "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	assert_eq "client 1 gets its reply with its own id" "reply $SRV_4 $ECHO_ID type 0" "$o1"
	assert_eq "client 2 gets its reply with its own id" "reply $SRV_4 $ECHO_ID type 0" "$o2"
	assert_eq "the server saw two echo requests, both from the router" 2 \
		"$(grep -c "IP $(re "$R_EXT4") > $(re "$SRV_4"): ICMP echo request" "$cap")"
	ids=$(sed -n 's/.*echo request, id \([0-9]*\),.*/\1/p' "$cap" | sort -u | grep -c .)
	assert_eq "the two requests carry distinct ids on the outside" 2 "$ids"
	[ "$ids" = 2 ] || note "server capture: $(tr '\n' '|' <"$cap")"
	assert_state "-ss: an icmp pair for client 1" " icmp $(re "$R_EXT4"):[0-9]+ \($(re "$CL1_4"):$ECHO_ID\) -> "
	assert_state "-ss: an icmp pair for client 2" " icmp $(re "$R_EXT4"):[0-9]+ \($(re "$CL2_4"):$ECHO_ID\) -> "
}

# UDP to bey with ttl 2: the router takes it to 1, srv to 0 and answers
# time exceeded to the router's outside address, quoting the translated
# packet.  The client must see it addressed to itself, quoting its own
# address and source port.
test_ttl_exceeded() {
	local out
	out=$(nsx "$NS_CL1" "$PY" - "$CL1_4" "$BEY_4" <<-'PY' 2>&1
	import sys
	from scapy.all import IP, UDP, ICMP, IPerror, UDPerror, AsyncSniffer, send, conf
	import time
	conf.verb = 0
	src, dst = sys.argv[1], sys.argv[2]
	sn = AsyncSniffer(iface="eth0", filter="icmp", store=True)
	sn.start()
	time.sleep(0.5)
	send(IP(src=src, dst=dst, ttl=2) / UDP(sport=43000, dport=33434) / b"trace")
	time.sleep(2)
	got = sn.stop()
	seen = []
	for p in got:
	    if ICMP not in p:
	        continue
	    q = p[ICMP]
	    line = "icmp type %d code %d %s > %s" % (q.type, q.code, p[IP].src, p[IP].dst)
	    if IPerror in p and UDPerror in p:
	        line += " quoting %s:%d > %s:%d" % (p[IPerror].src, p[UDPerror].sport,
	                                             p[IPerror].dst, p[UDPerror].dport)
	    seen.append(line)
	print("\n".join(seen) if seen else "no ICMP reached the client")
	PY
	)
	assert_match "time exceeded from srv reaches the client, quoting its own packet" \
		"^icmp type 11 code 0 $(re "$SRV_4") > $(re "$CL1_4") quoting $(re "$CL1_4"):43000 > $(re "$BEY_4"):33434\$" \
		"$out"
	assert_state "-ss: the UDP pair of the traceroute packet" \
		" udp $(re "$R_EXT4"):[0-9]+ \($(re "$CL1_4"):43000\) -> $(re "$BEY_4"):33434 "
}

nat_topology nic
nat_load nat <<-'EOF'
ext = "r_ext"
nat on $ext inet from 192.0.2.0/24 to any -> ($ext)
pass all
EOF
run_test test_echo_ids
run_test test_ttl_exceeded
finish
