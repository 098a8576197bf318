#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Inbound translation on a router (issue 8): rdr of a port on the outside
# address to an inner server (and natlook on it, the proxy's question),
# binat 1:1 in both directions.  Topology: nat_lib.bash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat_lib.bash"

require_tools ip tc nsenter unshare socat ss sysctl pfctl_bpf pf_kern.bpf.o
NATLOOK=$BUILD/examples/natlook
[ -x "$NATLOOK" ] || { fail "required: $NATLOOK (run make)"; finish; }

# cl2's outside address under binat: srv reaches it through the router.
BINAT4=$NAT_OUT4.11

test_rdr() {
	local out
	out=$(nat_tcp "$NS_SRV" "$R_EXT4" 8080 44000)
	assert_eq "rdr: port 8080 of the router reaches the inner server, which sees the real client" \
		"in peer $SRV_4 44000" "$out"
	assert_state "rdr: -ss shows stack key (wire key) <- client" \
		" tcp $(re "$IN_4"):80 \($(re "$R_EXT4"):8080\) <- $(re "$SRV_4"):44000 "
	out=$(nsx "$NS_R" "$NATLOOK" "$R_EXT4" 8080 "$SRV_4" 44000 2>&1)
	assert_eq "natlook: the redirected connection's internal host" "internal host $IN_4:80" "$out"
	out=$(nat_tcp "$NS_SRV" "$R_EXT4" 8081 44001)
	assert_nomatch "rdr: port 8081 (no rule) is not redirected" '^in peer' "$out"
	out=$(nat_tcp "$NS_SRV" "$R_EXT4" 8080 44002)
	assert_eq "rdr: a second connection is redirected too" "in peer $SRV_4 44002" "$out"
}

test_binat_out() {
	local out
	out=$(nat_tcp "$NS_CL2" "$SRV_4" 80 44100)
	assert_eq "binat out: the server sees cl2's outside address, port kept" \
		"srv peer $BINAT4 44100" "$out"
	assert_state "binat out: -ss pair" \
		" tcp $(re "$BINAT4"):44100 \($(re "$CL2_4"):44100\) -> $(re "$SRV_4"):80 "
}

test_binat_in() {
	local out
	out=$(nat_tcp "$NS_SRV" "$BINAT4" 80 44200)
	assert_eq "binat in: a connection to $BINAT4 reaches cl2, which sees the real client" \
		"cl2 peer $SRV_4 44200" "$out"
	assert_state "binat in: -ss pair" \
		" tcp $(re "$CL2_4"):80 \($(re "$BINAT4"):80\) <- $(re "$SRV_4"):44200 "
}

test_not_translated() {
	local out
	# cl1 has no nat rule: srv cannot answer 192.0.2.10 (no route back).
	out=$(nat_tcp "$NS_CL1" "$SRV_4" 80 44300)
	assert_eq "cl1 (no nat, no binat) gets no answer from outside" "" "$out"
}

nat_topology nrd
nsx "$NS_SRV" ip route add "$BINAT4/32" via "$R_EXT4"
nat_serve "$NS_SRV" srv 80
nat_serve "$NS_IN" in 80
nat_serve "$NS_CL2" cl2 80
nat_load rdr <<-'EOF'
ext = "r_ext"
rdr on $ext proto tcp to ($ext) port 8080 -> 192.0.2.20 port 80
binat on $ext inet from 192.0.2.11 to any -> 198.51.100.11
pass all
EOF
run_test test_rdr
run_test test_binat_out
run_test test_binat_in
run_test test_not_translated
finish
