#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Both directions of one connection on different hooks and CPUs (issue 7
# item 12): a bidirectional iperf3 between namespace A and B, with pfbpf on
# B's veth end, so A's segments are judged by pf_xdp (XDP ingress) and B's
# by pf_tc_out (tc egress), the iperf3 server pinned to CPU 1 and the
# client to CPU 0.  Under `block all` every segment after the SYN needs the
# state; the state lock (bpf/pf_lock.h) must leave no window slide lost,
# i.e. no `state-mismatch` drop, and both directions must carry data.
. "$(dirname "$0")/lib.sh"

require_tools ip tc nsenter unshare iperf3 taskset pfctl_bpf pf_kern.bpf.o pfbpf-load

PORT=5201
SECS=${PFBPF_BIDIR_SECS:-5}

counter() {
	pfload "$NS_B" status | awk -v n="$1" '$1 == "counter" && $2 == n { print $3 }'
}

setup() {
	if ! netns_pair dbi; then
		fail "setup: namespaces and veth"
		finish
	fi
	assert_cmd "attach with pfbpf-load --xdp (XDP ingress, tc egress)" \
		attach_loader "$NS_B" "$VETH_B" --xdp
	cat >"$TEST_TMP/bidir.conf" <<CONF
block all
pass in proto tcp to port $PORT keep state
CONF
	assert_cmd "load block all + pass in to port $PORT" \
		nsx "$NS_B" "$PFCTL" -f "$TEST_TMP/bidir.conf"
	assert_match "XDP program pf_xdp on $VETH_B" 'prog/xdp .*name pf_xdp' \
		"$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	assert_match "tc egress program on $VETH_B" 'pf_tc_out' \
		"$(nsx "$NS_B" tc filter show dev "$VETH_B" egress)"
}

test_bidir_iperf3() {
	local before after json up down
	bg nsx "$NS_B" taskset -c 1 iperf3 -s -1 -B "$B4" -p $PORT >"$TEST_TMP/iperf3-server.log" 2>&1
	if ! wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':$PORT '"; then
		fail "iperf3 server listens in $NS_B"
		return
	fi
	before=$(counter state-mismatch)
	json=$(nsx "$NS_A" taskset -c 0 iperf3 -c "$B4" -p $PORT -t "$SECS" --bidir -J 2>&1)
	after=$(counter state-mismatch)
	read -r up down < <(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)["end"]
print(int(d["sum_sent"]["bytes"]), int(d["sum_sent_bidir_reverse"]["bytes"]))' 2>/dev/null)
	if [ -z "${up:-}" ] || [ -z "${down:-}" ]; then
		fail "iperf3 --bidir completed" "$(printf '%s' "$json" | tail -5)"
		return
	fi
	note "iperf3 --bidir ${SECS}s: A->B $up bytes, B->A $down bytes; state-mismatch $before -> $after"
	[ "$up" -gt 1000000 ] && pass "A -> B carried data ($up bytes)" ||
		fail "A -> B carried data" "only $up bytes"
	[ "$down" -gt 1000000 ] && pass "B -> A carried data ($down bytes)" ||
		fail "B -> A carried data" "only $down bytes"
	assert_eq "no state-mismatch drop during the run" "$before" "$after"
}

setup
run_test test_bidir_iperf3
finish
