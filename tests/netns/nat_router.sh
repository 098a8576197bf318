#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Outbound NAT on a router (issue 8): `nat on r_ext -> (r_ext)` with real
# TCP and UDP, the two keys in -ss, -sn, two clients with one source port,
# natlook, -k by the inner and the outer address, nat66, OpenBSD's
# match/pass ... nat-to, and ($if) following an address change.  Topology:
# nat_lib.bash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat_lib.bash"

require_tools ip tc nsenter unshare socat ss sysctl pfctl_bpf pf_kern.bpf.o
NATLOOK=$BUILD/examples/natlook
[ -x "$NATLOOK" ] || { fail "required: $NATLOOK (run make)"; finish; }

NAT_CONF='ext = "r_ext"
nat on $ext inet from 192.0.2.0/24 to any -> ($ext)
nat on $ext inet6 from 2001:db8:1::/64 to any -> 2001:db8:2::1
pass all'

test_tcp() {
	local out p
	out=$(nat_tcp "$NS_CL1" "$SRV_4" 80 41000)
	assert_match "the server sees the router's outside address" "^srv peer $(re "$R_EXT4") [0-9]+\$" "$out"
	p=$(peer_port "$out")
	assert_nat_port "the translated port is in the default range" "$p"
	assert_state "-ss shows wire key and (stack key)" \
		" tcp $(re "$R_EXT4"):${p:-[0-9]+} \($(re "$CL1_4"):41000\) -> $(re "$SRV_4"):80 "
	assert_match "-ss: the client's inbound state on r_int is untranslated" \
		" tcp $(re "$SRV_4"):80 <- $(re "$CL1_4"):41000 " "$(r -ss 2>&1)"
	out=$(nsx "$NS_R" "$NATLOOK" "$R_EXT4" "${p:-0}" "$SRV_4" 80 2>&1)
	assert_eq "natlook prints the internal host and port" "internal host $CL1_4:41000" "$out"
}

test_udp() {
	local out p
	out=$(nat_udp "$NS_CL1" "$SRV_4" 5300 42000)
	assert_match "UDP: the server sees the router's address" "^srvu peer $(re "$R_EXT4") [0-9]+\$" "$out"
	p=$(peer_port "$out")
	assert_nat_port "UDP: translated port in the default range" "$p"
	assert_state "UDP: -ss shows the pair" \
		" udp $(re "$R_EXT4"):${p:-[0-9]+} \($(re "$CL1_4"):42000\) -> $(re "$SRV_4"):5300 "
}

test_sn() {
	assert_match "-sn lists the nat rule" '^nat on r_ext inet .*-> \(r_ext\)' "$(r -sn 2>&1)"
	assert_nomatch "-sr does not list nat rules" '^nat ' "$(r -sr 2>&1)"
}

# Two clients, one source port, both connections open at once: the
# second must get another translated port (pf checks each candidate
# against the existing states).
test_same_sport() {
	local o1 o2 p1 p2
	nat_tcp "$NS_CL1" "$SRV_4" 80 41500 2 >"$TEST_TMP/c1" &
	local j1=$!
	nat_tcp "$NS_CL2" "$SRV_4" 80 41500 2 >"$TEST_TMP/c2" &
	local j2=$!
	sleep 1
	assert_eq "the server has both connections open at once, both from the router" 2 \
		"$(nsx "$NS_SRV" ss -tnH state established "( sport = :80 )" | grep -c "$(re "$R_EXT4"):")"
	wait "$j1" "$j2"
	o1=$(cat "$TEST_TMP/c1") o2=$(cat "$TEST_TMP/c2")
	assert_match "client 1 translated to the router's address" "^srv peer $(re "$R_EXT4") " "$o1"
	assert_match "client 2 translated to the router's address" "^srv peer $(re "$R_EXT4") " "$o2"
	p1=$(peer_port "$o1") p2=$(peer_port "$o2")
	if [ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ]; then
		pass "distinct translated ports ($p1, $p2) for the same source port 41500"
	else
		fail "distinct translated ports for the same source port 41500" \
			"client 1 got: '$o1'" "client 2 got: '$o2'"
	fi
	assert_state "-ss: client 1's pair" "\($(re "$CL1_4"):41500\) -> $(re "$SRV_4"):80 "
	assert_state "-ss: client 2's pair" "\($(re "$CL2_4"):41500\) -> $(re "$SRV_4"):80 "
}

test_kill() {
	local out
	r -q -F states
	nat_udp "$NS_CL1" "$SRV_4" 5300 42101 >/dev/null
	nat_udp "$NS_CL2" "$SRV_4" 5300 42102 >/dev/null
	assert_state "client 1's NAT state to kill" "\($(re "$CL1_4"):42101\) -> "
	assert_state "client 2's NAT state to kill" "\($(re "$CL2_4"):42102\) -> "
	out=$(r -k "$CL1_4" 2>&1)
	assert_match "-k inner address kills states" '^killed [1-9][0-9]* states' "$out"
	assert_eq "no state of client 1 left (by its stack key)" "" "$(nat_states "$(re "$CL1_4"):42101")"
	assert_state "client 2's state untouched" "\($(re "$CL2_4"):42102\) -> "
	out=$(r -k "$R_EXT4" 2>&1)
	assert_match "-k outer (translated) address kills states" '^killed [1-9][0-9]* states' "$out"
	assert_eq "client 2's NAT state gone (by its wire key)" "" \
		"$(nat_states "\($(re "$CL2_4"):42102\)")"
}

test_nat66() {
	local out
	out=$(nat_tcp "$NS_CL1" "$SRV_6" 80 41600)
	assert_match "nat66: the server sees the router's IPv6 address" \
		"^srv6 peer $(re "$(socat6 "$R_EXT6")") [0-9]+\$" "$out"
	assert_state "nat66: -ss shows the pair" \
		" tcp $(re "$R_EXT6")\[[0-9]+\] \($(re "$CL1_6")\[41600\]\) -> $(re "$SRV_6")\[80\] "
}

test_match_nat_to() {
	local out
	r -q -F states
	nat_load match <<-'EOF'
	match out on r_ext inet from 192.0.2.0/24 nat-to (r_ext)
	pass all
	EOF
	out=$(nat_tcp "$NS_CL1" "$SRV_4" 80 41700)
	assert_match "match ... nat-to: the server sees the router's address" \
		"^srv peer $(re "$R_EXT4") [0-9]+\$" "$out"
	assert_state "match ... nat-to: -ss pair" "\($(re "$CL1_4"):41700\) -> $(re "$SRV_4"):80 "
	assert_match "match ... nat-to: -sr lists the rule with its pool" \
		"^match out on r_ext inet from 192\.0\.2\.0/24 to any nat-to \(r_ext\)" "$(r -sr 2>&1)"
	# The last matching pass decides, and its nat-to applies.
	nat_load passnat <<-'EOF'
	pass all
	pass out on r_ext inet from 192.0.2.0/24 nat-to (r_ext)
	EOF
	out=$(nat_tcp "$NS_CL1" "$SRV_4" 80 41701)
	assert_match "pass out ... nat-to: the server sees the router's address" \
		"^srv peer $(re "$R_EXT4") [0-9]+\$" "$out"
}

# ($r_ext) follows the interface: after the address changes, new
# connections leave with the new one.  Last test: it renumbers r_ext.
test_dynamic_address() {
	local out i new=$NAT_OUT4.3
	nat_load nat <<<"$NAT_CONF"
	nsx "$NS_R" ip addr del "$R_EXT4/24" dev r_ext
	nsx "$NS_R" ip addr add "$new/24" dev r_ext
	nsx "$NS_R" ip route replace "$NAT_BEY4.0/24" via "$SRV_4"
	# netlink brings the change to pf; give it a few tries.
	for i in 1 2 3; do
		out=$(nat_tcp "$NS_CL1" "$SRV_4" 80 $((41800 + i)))
		case $out in "srv peer $new "*) break ;; esac
		sleep 0.5
	done
	assert_match "(r_ext) follows the new address $new" "^srv peer $(re "$new") [0-9]+\$" "$out"
	assert_state "-ss pair with the new address" \
		" tcp $(re "$new"):[0-9]+ \($(re "$CL1_4"):4180[123]\) -> "
}

nat_topology nrt
nat_serve "$NS_SRV" srv 80
nat_serve "$NS_SRV" srv6 80 tcp6
nat_serve "$NS_SRV" srvu 5300 udp
nat_load nat <<<"$NAT_CONF"
run_test test_tcp
run_test test_udp
run_test test_sn
run_test test_same_sport
run_test test_kill
run_test test_nat66
run_test test_match_nat_to
run_test test_dynamic_address
finish
