#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/events.sh [SECS] [RATE]: the state event stream under UDP churn
# (issue 9 item 3, "event stream").  trafgen in A sends RATE UDP packets
# per second to B, every one a new flow (both ports counting up), for SECS
# seconds.  pfbpf on B (`pass all`, udp.first/single/multiple 1 s, so
# states are made and expire all the time) with `pftrace -o json` reading
# the ring buffer; beside it nftables in B (`ct state new counter`) with
# `conntrack -E` reading conntrack's netlink events.  Reported: events per
# second received by the reader, events lost (pfbpf: pfctl_bpf -si -v
# "events lost"; conntrack: flows counted by nft minus NEW events
# received), against the flows sent.  Target: 0 lost.  BENCH_OUT (default
# bench/results) gets events.txt and events.svg.
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/bench_lib.bash"

require_tools ip nsenter unshare taskset trafgen nft conntrack pfctl_bpf pfbpf-load pf_kern.bpf.o "$PFTRACE"

SECS=${1:-10}
RATE=${2:-100000}
OUT=${BENCH_OUT:-$NETNS_ROOT/bench/results}
mkdir -p "$OUT"

netns_pair evt || { echo "setup of the namespaces failed" >&2; exit 1; }
cat >"$TEST_TMP/udp.cfg" <<CFG
{ eth(da=$MAC_B, sa=$MAC_A), ipv4(saddr=$A4, daddr=$B4, ttl=64),
  udp(sp=dinc(1024, 65000), dp=dinc(1, 60000)), fill(0x42, 18) }
CFG
flood() {
	nsx "$NS_A" timeout -s INT "$SECS" taskset -c 0 trafgen -o "$VETH_A" -i "$TEST_TMP/udp.cfg" \
		-P 1 -b "${RATE}pps" --no-sock-mem -Q -C >/dev/null 2>&1
}
link_tx() { nsx "$NS_A" cat /proc/net/dev | awk -v d="$VETH_A:" '$1 == d { print $11 }'; }
# refused: states the datapath did not make (limit reached, insert failed)
pf_refused() {
	nsx "$NS_B" "$PFCTL" -si | awk '$1 == "state-limit" || $1 == "state-insert" || $1 == "memory" { n += $2 } END { print n + 0 }'
}
pf_lost() { nsx "$NS_B" "$PFCTL" -si -v | awk '$1 == "events" && $2 == "lost" { print $3; exit }'; }

# --- pfbpf + pftrace
printf 'set timeout { udp.first 1, udp.single 1, udp.multiple 1 }\npass all\n' >"$TEST_TMP/pf.conf"
nsx "$NS_B" "$PFCTL" -q -e -i "$VETH_B" >/dev/null || exit 1
nsx "$NS_B" "$PFCTL" -q -f "$TEST_TMP/pf.conf" || exit 1
l0=$(pf_lost) r0=$(pf_refused)
nsx "$NS_B" "$PFTRACE" -o json -T $((SECS + 3)) 2>"$TEST_TMP/pftrace.err" | wc -l >"$TEST_TMP/pf.n" &
# states, churn, passed and dropped over time, as pfstat draws pf's
if [ -x "$BUILD/pfbpf-exporter" ] && command -v gnuplot >/dev/null; then
	EXPORTER=$BUILD/pfbpf-exporter nsx "$NS_B" "$NETNS_ROOT/scripts/pfstat.sh" record 0.5 \
		$((2 * SECS + 6)) >"$TEST_TMP/pfstat.tsv" 2>/dev/null &
fi
sleep 1
s0=$(link_tx); flood; s1=$(link_tx)
wait
if [ -s "$TEST_TMP/pfstat.tsv" ] &&
	"$NETNS_ROOT/scripts/pfstat.sh" plot "$TEST_TMP/pfstat.tsv" "$OUT/events_pfstat.svg" 2>/dev/null; then
	echo "# wrote $OUT/events_pfstat.svg (states and rates over the churn)"
fi
pf_sent=$((s1 - s0)) pf_events=$(cat "$TEST_TMP/pf.n") pf_lost=$(($(pf_lost) - l0)) pf_ref=$(($(pf_refused) - r0))
grep -q . "$TEST_TMP/pftrace.err" && sed 's/^/# pftrace: /' "$TEST_TMP/pftrace.err" | tail -3
nsx "$NS_B" "$PFCTL" -q -d >/dev/null 2>&1
pfload "$NS_B" detach "$VETH_B" >/dev/null 2>&1

# --- nftables + conntrack -E
nsx "$NS_B" nft -f - <<'NFT' || exit 1
table inet evt {
	chain pre {
		type filter hook prerouting priority 0; policy accept;
		ct state new counter
	}
}
NFT
nsx "$NS_B" timeout -s INT $((SECS + 3)) conntrack -E -e NEW -p udp 2>/dev/null | wc -l >"$TEST_TMP/ct.n" &
sleep 1
s0=$(link_tx); flood; s1=$(link_tx)
wait
ct_sent=$((s1 - s0)) ct_events=$(cat "$TEST_TMP/ct.n")
ct_new=$(nsx "$NS_B" nft -j list chain inet evt pre | "$PY" -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("rule", {}).get("expr", []):
        if "counter" in e:
            print(e["counter"]["packets"])')
ct_lost=$((ct_new - ct_events))
[ "$ct_lost" -lt 0 ] && ct_lost=0

{
	bench_env
	echo "UDP churn A -> B, every packet a new flow, trafgen at ${RATE} pps for ${SECS} s, one run each"
	printf '%-30s %10s %12s %10s %10s  %s\n' reader "flows sent" "events" "events/s" "lost" target
	# pftrace counts two events per flow (made, expired) when all expire
	# in time; lost is the datapath's own count of ring buffer failures.
	printf '%-30s %10s %12s %10s %10s  %s\n' "pfbpf + pftrace -o json" "$pf_sent" "$pf_events" \
		$((pf_events / SECS)) "${pf_lost:-?}" \
		"$([ "${pf_lost:-1}" = 0 ] && echo "met (0 lost)" || echo "missed (${pf_lost:-?} lost)")"
	echo "    pfbpf: $pf_ref flows refused a state (state-limit, state-insert, memory counters): no event is due for them"
	printf '%-30s %10s %12s %10s %10s  %s\n' "nftables + conntrack -E" "$ct_sent" "$ct_events" \
		$((ct_events / SECS)) "$ct_lost" "(new flows counted by nft: $ct_new)"
} | tee "$OUT/events.txt"
printf '"pfbpf + pftrace" %s\n"nftables + conntrack -E" %s\n' $((pf_events / SECS)) $((ct_events / SECS)) >"$TEST_TMP/bars.dat"
bench_bars "$TEST_TMP/bars.dat" "$OUT/events.svg" "Events received per second, UDP churn at ${RATE} pps" "events/s"
# lost events are a result; a reader that received nothing is an error
[ "$pf_events" -gt 0 ] && [ "$ct_events" -gt 0 ] || { echo "events: a reader received no event" >&2; exit 1; }
exit 0
