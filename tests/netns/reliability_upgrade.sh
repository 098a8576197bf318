#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The datapath object upgraded under a running connection (issue 12): a
# rebuilt object (same map layout, different code: its answers carry TTL
# 63) loaded over the running one keeps every state and the connection;
# its code is what runs afterwards, the sweep included.  An object of
# another layout is refused with a message naming the layout and the
# running one is untouched; a tool meeting maps of another layout refuses
# to read them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

UPGRADE_OBJ=${UPGRADE_OBJ:-$BUILD/tests/pf_kern_rebuilt.bpf.o}
EPOCH_OBJ=${EPOCH_OBJ:-$BUILD/tests/pf_kern_epoch999.bpf.o}
PIN=/sys/fs/bpf/tc/globals

require_tools ip nsenter unshare socat ss bpftool python3-scapy pfctl_bpf pfbpf-load pf_kern.bpf.o
for o in "$UPGRADE_OBJ" "$EPOCH_OBJ"; do
	[ -r "$o" ] || { echo "not ok 1 - $o missing (make netns-reliability builds it)"; echo "0 passed, 1 failed"; exit 1; }
done

# rst_ttl: the TTL of the RST pf answers a SYN to port 8030 with.
rst_ttl() {
	nsx "$NS_A" "$PY" -c '
import sys
from scapy.all import IP, TCP, sr1, conf
conf.verb = 0
r = sr1(IP(dst=sys.argv[1]) / TCP(sport=40123, dport=8030, flags="S"), timeout=3)
print(r[IP].ttl if r is not None and r.haslayer(TCP) and r[TCP].flags & 4 else "none")' "$B4"
}

# pf_ctl programs alive that use our maps (the pinned one, and any a
# timer callback would keep).
ctl_progs() {
	local sid
	sid=$(bpftool -j map show pinned "$PIN/pf_states" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	bpftool -j prog show | "$PY" -c '
import json, sys
sid = int(sys.argv[1])
print(sum(1 for p in json.load(sys.stdin) if p.get("name") == "pf_ctl" and sid in p.get("map_ids", [])))' "$sid"
}

test_upgrade_keeps_states() {
	local id1 id2 rules out n1
	load r1 <<-EOF
	block return in proto tcp to port 8030
	pass in proto tcp to port 8010
	pass out
	EOF
	tick_stream
	if grows; then pass "the stream flows"; else fail "the stream flows" "no data received"; fi
	id1=$(stream_id)
	assert_match "the stream has a state" '^[0-9a-f]{16}$' "$id1"
	assert_eq "the running datapath answers with TTL 64" 64 "$(rst_ttl)"
	rules=$(pf -sr)
	n1=$(nstates)

	out=$(pfload "$NS_B" attach "$VETH_B" --obj "$UPGRADE_OBJ" 2>&1)
	assert_eq "the rebuilt object loads over the running one" 0 "$?"
	[ -n "$out" ] && note "$out"
	if grows; then pass "the stream flows after the upgrade"; else fail "the stream flows after the upgrade" "stalled"; fi
	id2=$(stream_id)
	assert_eq "the stream kept its state (same id)" "$id1" "$id2"
	assert_match "and it is still established" "$B4:8010 <- $A4:[0-9]+ +ESTABLISHED:ESTABLISHED" "$(states ':8010 ')"
	if [ "$(nstates)" -ge "$n1" ]; then pass "no state was lost ($n1 before, $(nstates) after)"; else
		fail "no state was lost" "$n1 before, $(nstates) after"; fi
	assert_eq "the ruleset is kept" "$rules" "$(pf -sr)"
	assert_eq "the new code runs (TTL 63)" 63 "$(rst_ttl)"
	assert_eq "one pf_ctl is alive: the sweep moved to the new code" 1 "$(ctl_progs)"
	assert_match "the sweep still runs" 'timer' "$(pfload "$NS_B" status 2>&1)"

	out=$(pfload "$NS_B" attach "$VETH_B" --obj "$EPOCH_OBJ" 2>&1)
	assert_eq "an object of another layout is refused" 1 "$([ $? -ne 0 ] && echo 1 || echo 0)"
	assert_match "with a message naming the layout" 'have layout 0x[0-9a-f]+, this object reads 0x[0-9a-f]+: not loaded' "$out"
	if grows; then pass "the stream flows after the refusal"; else fail "the stream flows after the refusal" "stalled"; fi
	assert_eq "the running code is untouched (TTL 63)" 63 "$(rst_ttl)"
	assert_eq "the stream's state is untouched" "$id1" "$(stream_id)"
}

test_tools_refuse_another_layout() {
	local saved out
	saved=$(bpftool -j map lookup pinned "$PIN/pf_layout" key 0 0 0 0 | "$PY" -c '
import json, sys
print(" ".join(str(int(x, 16)) for x in json.load(sys.stdin)["value"]))')
	assert_match "the maps carry a layout stamp" '[1-9]' "$saved"
	bpftool map update pinned "$PIN/pf_layout" key 0 0 0 0 value 1 0 0 0 0 0 0 0x42
	out=$(pf -si 2>&1)
	assert_eq "pfctl_bpf -si fails on maps of another layout" 1 "$([ $? -ne 0 ] && echo 1 || echo 0)"
	assert_match "saying why and what to do" 'have layout 0x4200000000000001, this build reads .*purge' "$out"
	out=$(pfload "$NS_B" status 2>&1)
	assert_match "pfbpf-load status says the same" 'have layout 0x4200000000000001' "$out"
	# shellcheck disable=SC2086
	bpftool map update pinned "$PIN/pf_layout" key 0 0 0 0 value $saved
	assert_match "with the stamp back, the tools read again" 'Status: Enabled' "$(pf -si 2>&1)"
}

pfctl_setup ru
run_test test_upgrade_keeps_states
run_test test_tools_refuse_another_layout
finish
