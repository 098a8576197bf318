#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/router_nat.sh [SECS] [RUNS]: iperf3 TCP from an inside client
# through the router namespace of tests/netns/nat_lib.bash to the outside
# server (issue 8, "Benchmarks"), with
#   none   no filter, no translation (srv gets a route back for this one),
#   nft    nftables masquerade on r_ext, with conntrack,
#   pfnat  pfbpf on both legs, `nat on r_ext -> (r_ext)` and `pass all`,
#   pffwd  the same with the forwarding fast path on both legs
#          (pfbpf-load forward IF on, bpf/pf_fwd.h).
# The variants alternate within each round so that the machine's load
# drifts over all of them alike; the table gives the median of RUNS runs
# of SECS seconds and its ratio to no filter measured in the same run.
# Before each translated run the server must see the router's address:
# a variant that does not translate is reported as "nat not translating",
# never with the figure of an untranslated path.  BENCH_OUT (default
# bench/results) gets router_nat.txt and, with gnuplot, router_nat.svg.
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/../tests/netns/nat_lib.bash"
. "$(dirname "$0")/bench_lib.bash"

require_tools ip tc nsenter unshare socat ss sysctl iperf3 nft pfctl_bpf pfbpf-load pf_kern.bpf.o

SECS=${1:-5}
RUNS=${2:-3}
PORT=5211
VARIANTS=(none nft pfnat pffwd)
OUT=${BENCH_OUT:-$NETNS_ROOT/bench/results}
mkdir -p "$OUT"

declare -A LABEL=([none]="no filter" [nft]="nftables masquerade (conntrack)"
	[pfnat]="pfbpf nat via the stack" [pffwd]="pfbpf nat, forwarding fast path")

NFT_CONF='table ip nat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "r_ext" masquerade;
	}
}'
PF_CONF='nat on r_ext inet from 192.0.2.0/24 to any -> (r_ext)
pass all'

nat_topology rnb
# srv answers untranslated traffic only for the `none` variant: with the
# route there, a NAT that does not translate would still carry traffic,
# which is why every translated run is checked first.
nsx "$NS_SRV" ip route add "$NAT_IN4.0/24" via "$R_EXT4"
printf '%s\n' "$PF_CONF" >"$TEST_TMP/nat.conf"
nat_serve "$NS_SRV" srv 80
bg nsx "$NS_SRV" iperf3 -s -B "$SRV_4" -p $PORT >/dev/null 2>&1
wait_for 5 sh -c "nsenter --net=/run/netns/$NS_SRV ss -ltnH | grep -q ':$PORT '" || {
	echo "iperf3 server did not start" >&2
	exit 1
}

pf_off() {
	r -d -i r_int >/dev/null 2>&1
	r -d -i r_ext >/dev/null 2>&1
	return 0
}
nft_off() { nsx "$NS_R" nft delete table ip nat 2>/dev/null; return 0; }

# variant V: set the router up for V; 1 if that failed.
variant() {
	case $1 in
	none) pf_off; nft_off ;;
	nft) pf_off; nft_off; nsx "$NS_R" nft -f - <<<"$NFT_CONF" ;;
	pfnat | pffwd)
		nft_off
		r -e -i r_int >/dev/null 2>&1 && r -e -i r_ext >/dev/null 2>&1 || return 1
		# A ruleset that does not load leaves pf passing untranslated:
		# the check below then says so.
		r -q -f "$TEST_TMP/nat.conf" 2>"$TEST_TMP/load.err" ||
			echo "# $1: pf.conf not loaded: $(tr '\n' ' ' <"$TEST_TMP/load.err")" >&2
		local fwd=off
		[ "$1" = pffwd ] && fwd=on
		pfload "$NS_R" forward r_int $fwd && pfload "$NS_R" forward r_ext $fwd || return 1
		return 0
		;;
	esac
}

# translating V: the server sees the router's address (none: the client's).
translating() {
	local want=$R_EXT4 out
	[ "$1" = none ] && want=$CL1_4
	out=$(nat_tcp "$NS_CL1" "$SRV_4" 80)
	case $out in "srv peer $want "*) return 0 ;; esac
	echo "# $1: the server saw '${out:-nothing}', not $want" >&2
	return 1
}

# One run: Gbit/s received by the server.
run() {
	nsx "$NS_CL1" iperf3 -c "$SRV_4" -p $PORT -t "$SECS" --connect-timeout 3000 -J 2>/dev/null |
		"$PY" -c '
import json, sys
print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))' 2>/dev/null
}

declare -A res bad
for ((n = 1; n <= RUNS; n++)); do
	for v in "${VARIANTS[@]}"; do
		if ! variant "$v"; then
			bad[$v]="setup failed"
			echo "# round $n $v: setup failed"
			continue
		fi
		if ! translating "$v"; then
			bad[$v]="nat not translating"
			echo "# round $n $v: nat not translating"
			continue
		fi
		g=$(run)
		echo "# round $n $v: ${g:-failed} Gbit/s"
		[ -n "$g" ] && res[$v]="${res[$v]:-} $g"
	done
done

base=$(echo "${res[none]:-}" | median)
{
	echo "kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $(date -u +%F)"
	echo "iperf3 TCP cl1 -> router -> srv, $RUNS rounds of ${SECS} s, variants alternating"
	printf '%-34s %10s %8s   %s\n' variant "Gbit/s" "÷ none" "runs"
	for v in "${VARIANTS[@]}"; do
		m=$(echo "${res[$v]:-}" | median)
		if [ -z "$m" ]; then
			printf '%-34s %10s %8s   %s\n' "${LABEL[$v]}" "-" "-" "${bad[$v]:-no run succeeded}"
			continue
		fi
		printf '%-34s %10s %8s  %s%s\n' "${LABEL[$v]}" "$m" \
			"$(awk -v a="$m" -v b="${base:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
			"${res[$v]}" "${bad[$v]:+ (some rounds: ${bad[$v]})}"
	done
} | tee "$OUT/router_nat.txt"

# Bar chart of the medians (variants without a figure are left out).
if command -v gnuplot >/dev/null; then
	for v in "${VARIANTS[@]}"; do
		m=$(echo "${res[$v]:-}" | median)
		[ -n "$m" ] && printf '"%s" %s\n' "${LABEL[$v]}" "$m"
	done >"$TEST_TMP/bars.dat"
	bench_bars "$TEST_TMP/bars.dat" "$OUT/router_nat.svg" \
		"iperf3 TCP through the router namespace (median of $RUNS x ${SECS} s)" "Gbit/s"
fi
exit 0
