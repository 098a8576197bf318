#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/flood.sh [SECS] [RUNS]: what dropping an unsolicited UDP flood
# costs per packet (issue 9 item 3, "flood").  trafgen, pinned to one CPU
# in namespace A, sends UDP from many source ports to B over a veth; a veth
# delivers on the sending CPU, so that one CPU generates and receives, and
# packets per second fall as B's per-packet cost grows.  Variants on B:
#   none     no filter (the stack finds no socket, answers rate-limited ICMP)
#   floor    an XDP program that counts and drops (bench/flood_drop.bpf.c)
#   nft      nftables `ct state established,related accept; counter drop`
#            in prerouting (conntrack looks every packet up first)
#   pfdef    pfbpf attached the default way (`pfctl_bpf -e -i IF`: tc on a veth)
#   pfxdp    pfbpf forced onto native XDP (`--xdp`)
# pf.conf `block in all / pass out keep state`.  Each variant's packets come
# from a counter on B (veth rx, the floor's map, the nft rule counter,
# pfctl_bpf -si "match"), compared with what A's veth sent: a variant that
# did not process every packet is flagged.  ns/pkt = 1e9 / packets per
# second; "extra" is that minus the floor's; the target is pfbpf extra <=
# 0.25 x nftables extra.  Variants alternate, median of RUNS rounds of SECS
# seconds.  BENCH_OUT (default bench/results) gets flood.txt and flood.svg.
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/bench_lib.bash"

require_tools ip tc nsenter unshare taskset trafgen nft bpftool pfctl_bpf pfbpf-load pf_kern.bpf.o

SECS=${1:-3}
RUNS=${2:-3}
OUT=${BENCH_OUT:-$NETNS_ROOT/bench/results}
FLOOR_OBJ=$BUILD/flood_drop.bpf.o
VARIANTS=(none floor nft pfdef pfxdp)
declare -A LABEL=([none]="no filter" [floor]="XDP_DROP floor" [nft]="nftables ct state drop"
	[pfdef]="pfbpf default (tc)" [pfxdp]="pfbpf --xdp")
[ -r "$FLOOR_OBJ" ] || { echo "$FLOOR_OBJ missing (make $FLOOR_OBJ)" >&2; exit 1; }
mkdir -p "$OUT"

netns_pair fld || { echo "setup of the namespaces failed" >&2; exit 1; }
# the pfbpf maps exist from the first attach on; detached until needed
pfload "$NS_B" attach "$VETH_B" --tc >/dev/null || exit 1
printf 'block in all\npass out keep state\n' >"$TEST_TMP/pf.conf"
nsx "$NS_B" "$PFCTL" -q -f "$TEST_TMP/pf.conf" || exit 1
pfload "$NS_B" detach "$VETH_B" >/dev/null 2>&1
NFT_CONF='table inet flood {
	chain pre {
		type filter hook prerouting priority -150; policy accept;
		ct state established,related accept
		counter drop
	}
	chain out {
		type filter hook output priority 0; policy accept;
		ct state new accept
	}
}'
# 60-byte frames (UDP, 18 bytes of payload), source port counting up:
# every packet is a flow of its own to a firewall.
cat >"$TEST_TMP/udp.cfg" <<CFG
{ eth(da=$MAC_B, sa=$MAC_A), ipv4(saddr=$A4, daddr=$B4, ttl=64),
  udp(sp=dinc(1024, 65000), dp=9), fill(0x42, 18) }
CFG

off() {
	nsx "$NS_B" ip link set dev "$VETH_B" xdp off 2>/dev/null
	pfload "$NS_B" detach "$VETH_B" >/dev/null 2>&1
	nsx "$NS_B" nft delete table inet flood 2>/dev/null
	return 0
}

variant() {
	off
	case $1 in
	none) ;;
	floor) nsx "$NS_B" ip link set dev "$VETH_B" xdpdrv obj "$FLOOR_OBJ" sec xdp ;;
	nft) nsx "$NS_B" nft -f - <<<"$NFT_CONF" ;;
	pfdef) nsx "$NS_B" "$PFCTL" -q -e -i "$VETH_B" >/dev/null ;;
	pfxdp) nsx "$NS_B" "$PFCTL" -q -e -i "$VETH_B" --xdp >/dev/null ;;
	esac
}

# link_ctr NS DEV rx|tx: packets of DEV (from the namespace's /proc/net/dev:
# nsenter leaves /sys the host's).
link_ctr() {
	nsx "$1" cat /proc/net/dev | awk -v d="$2:" -v f="$3" '$1 == d { print (f == "rx" ? $3 : $11) }'
}

# counter V: packets V's counter has seen so far.
counter() {
	case $1 in
	none) link_ctr "$NS_B" "$VETH_B" rx ;;
	floor)
		bpftool -j map lookup name flood_cnt key 0 0 0 0 2>/dev/null |
			"$PY" -c '
import json, sys
v = lambda x: int.from_bytes(bytes(int(b, 16) for b in x), "little") if isinstance(x, list) else int(x)
print(sum(v(c["value"]) for c in json.load(sys.stdin)["values"]))' ;;
	nft)
		nsx "$NS_B" nft -j list chain inet flood pre |
			"$PY" -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("rule", {}).get("expr", []):
        if "counter" in e:
            print(e["counter"]["packets"])' ;;
	pf*) nsx "$NS_B" "$PFCTL" -si | awk '$1 == "match" { print $2; exit }' ;;
	esac
}

declare -A ns sent_all proc_all
for ((n = 1; n <= RUNS; n++)); do
	for v in "${VARIANTS[@]}"; do
		variant "$v" || { echo "# round $n $v: setup failed"; continue; }
		c0=$(counter "$v"); s0=$(link_ctr "$NS_A" "$VETH_A" tx)
		t0=$(date +%s.%N)
		nsx "$NS_A" timeout -s INT "$SECS" taskset -c 0 trafgen -o "$VETH_A" -i "$TEST_TMP/udp.cfg" \
			-P 1 --no-sock-mem -Q -C >"$TEST_TMP/trafgen.log" 2>&1
		t1=$(date +%s.%N)
		sleep 0.2 # what is still queued reaches its counter
		c1=$(counter "$v"); s1=$(link_ctr "$NS_A" "$VETH_A" tx)
		proc=$((c1 - c0)) sent=$((s1 - s0))
		r=$(awk -v p="$proc" -v a="$t0" -v b="$t1" 'BEGIN { if (p > 0) printf "%.1f", 1e9 * (b - a) / p }')
		[ "$sent" -gt 0 ] || sed 's/^/#   trafgen: /' "$TEST_TMP/trafgen.log" | tail -5
		echo "# round $n $v: sent $sent, processed $proc, ${r:-?} ns/pkt"
		[ -n "$r" ] && ns[$v]="${ns[$v]:-} $r"
		sent_all[$v]=$((${sent_all[$v]:-0} + sent)) proc_all[$v]=$((${proc_all[$v]:-0} + proc))
	done
done
off

floor=$(echo "${ns[floor]:-}" | median)
extra() { awk -v a="$1" -v b="$floor" 'BEGIN { if (a != "" && b != "") printf "%.1f", a - b }'; }
nft_x=$(extra "$(echo "${ns[nft]:-}" | median)")
{
	bench_env
	echo "trafgen UDP flood A -> B over veth, trafgen on CPU 0, pf.conf 'block in all / pass out keep state'"
	echo "$RUNS rounds of ${SECS} s, variants alternating; ns/pkt = CPU time per packet (1e9 / pps)"
	printf '%-26s %9s %9s %9s  %-14s %s\n' variant ns/pkt extra "÷ nft" processed runs
	for v in "${VARIANTS[@]}"; do
		m=$(echo "${ns[$v]:-}" | median)
		x=$(extra "$m")
		q=$(awk -v a="$x" -v b="$nft_x" 'BEGIN { if (a != "" && b > 0) printf "%.2f", a / b; else print "-" }')
		ok="all"
		[ "${proc_all[$v]:-0}" -ge "${sent_all[$v]:-1}" ] || ok="${proc_all[$v]:-0}/${sent_all[$v]:-0}"
		printf '%-26s %9s %9s %9s  %-14s %s\n' "${LABEL[$v]}" "${m:--}" "${x:--}" "$q" "$ok" "${ns[$v]:-}"
	done
	for v in pfdef pfxdp; do
		x=$(extra "$(echo "${ns[$v]:-}" | median)")
		awk -v a="$x" -v b="$nft_x" -v l="${LABEL[$v]}" 'BEGIN {
			if (a == "" || b <= 0) { printf "target %s extra <= 0.25 x nftables extra: not measured\n", l; exit }
			printf "target %s extra <= 0.25 x nftables extra: %s (got %.2f)\n", l, a / b <= 0.25 ? "met" : "missed", a / b }'
	done
} | tee "$OUT/flood.txt"

for v in "${VARIANTS[@]}"; do
	m=$(echo "${ns[$v]:-}" | median)
	[ -n "$m" ] && printf '"%s" %s\n' "${LABEL[$v]}" "$m"
done >"$TEST_TMP/bars.dat"
bench_bars "$TEST_TMP/bars.dat" "$OUT/flood.svg" "UDP flood, CPU time per packet (median of $RUNS x ${SECS} s)" "ns per packet"
# a missed target is a result; a variant without a figure is an error
for v in "${VARIANTS[@]}"; do
	[ -n "${ns[$v]:-}" ] || { echo "flood: no figure for $v" >&2; exit 1; }
done
exit 0
