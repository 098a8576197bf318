#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The forwarding fast path (bpf/pf_fwd.h, issue 8): on the router, on by
# default and switched with `pfbpf-load forward IF on|off`, packets of established states
# are redirected from tc ingress to their egress leg.  The verdicts and
# the translation must be those of the stack path: the same connections
# pass, translated the same way, the blocked port stays blocked, and a
# packet the fast path must not take (TTL 1) still gets the router's
# ICMP time exceeded from the stack.  Topology: nat_lib.bash.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/nat_lib.bash"

require_tools ip tc nsenter unshare socat ss sysctl ping pfctl_bpf pfbpf-load pf_kern.bpf.o

# 200 kB through the router and back: socat on srv echoes it.
bulk() {
	head -c 200000 /dev/zero | tr '\0' x >"$TEST_TMP/bulk.in"
	nsx "$NS_CL1" socat -T 5 -t 3 STDIO "TCP4:$SRV_4:7,connect-timeout=2" \
		<"$TEST_TMP/bulk.in" >"$TEST_TMP/bulk.out" 2>/dev/null
	wc -c <"$TEST_TMP/bulk.out" | tr -d ' '
}

fwd_count() {
	pfload "$NS_R" forward r_int | sed -n 's/.*forwarded \([0-9]*\),.*/\1/p'
}

# The same checks in both modes.
same_verdicts() {
	local mode=$1 out port
	out=$(nat_tcp "$NS_CL1" "$SRV_4" 80 45000)
	port=$(peer_port "$out")
	assert_match "$mode: the server sees the router's address" "^srv peer $(re "$R_EXT4") " "$out"
	assert_nat_port "$mode: the port is from the nat range" "$port"
	assert_eq "$mode: 200000 bytes there and back through the router" 200000 "$(bulk)"
	out=$(nat_tcp "$NS_CL1" "$SRV_4" 81 45001)
	assert_eq "$mode: port 81 stays blocked" "" "$out"
	out=$(nsx "$NS_CL1" ping -c 1 -W 2 -t 1 "$SRV_4" 2>&1)
	assert_match "$mode: TTL 1 gets the router's time exceeded" \
		"From $(re "$R_INT4").*[Tt]ime to live exceeded" "$out"
}

nat_topology nfp
nat_serve "$NS_SRV" srv 80
bg nsx "$NS_SRV" socat "TCP4-LISTEN:7,reuseaddr,fork" PIPE
wait_for 5 sh -c "nsenter --net=/run/netns/$NS_SRV ss -ltnH | grep -q ':7 '"
nat_load fastpath <<-'EOF'
ext = "r_ext"
nat on $ext inet from 192.0.2.0/24 to any -> ($ext)
block out quick on $ext proto tcp to port 81
pass all
EOF

test_stack_path() {
	assert_match "on by default" "forward r_int on" "$(pfload "$NS_R" forward r_int)"
	assert_cmd "forward r_int off" pfload "$NS_R" forward r_int off
	assert_cmd "forward r_ext off" pfload "$NS_R" forward r_ext off
	assert_match "the switch reads back" "forward r_int off" "$(pfload "$NS_R" forward r_int)"
	local n0
	n0=$(fwd_count)
	same_verdicts "stack path"
	assert_eq "nothing was forwarded by the fast path while it is off" "$n0" "$(fwd_count)"
}

test_fast_path() {
	assert_cmd "forward r_int on" pfload "$NS_R" forward r_int on
	assert_cmd "forward r_ext on" pfload "$NS_R" forward r_ext on
	assert_match "the switch reads back" "forward r_int on" "$(pfload "$NS_R" forward r_int)"
	local n0 n
	n0=$(fwd_count)
	same_verdicts "fast path"
	n=$(fwd_count)
	# 200 kB each way: well over 20 segments even when GRO merges them
	if [ "$((${n:-0} - ${n0:-0}))" -gt 20 ]; then
		pass "the bulk transfer went through the fast path ($((n - n0)) packets)"
	else
		fail "the bulk transfer went through the fast path" "forwarded before: '$n0', after: '$n'"
	fi
}

run_test test_stack_path
run_test test_fast_path
finish
