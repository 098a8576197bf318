#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/throughput_hooks.sh [SECS] [RUNS]: iperf3 TCP throughput over a veth
# between two namespaces with no filter, with pfbpf on tc ingress (the
# default on a veth, lib/hook_choice.h) and with pfbpf forced onto native
# XDP; pfbpf on the receiver's end under `pass all` (every connection keeps
# state).  The variants alternate within each round, so that the machine's
# load drifts over all of them alike; the table gives the median of RUNS
# runs of SECS seconds each and its ratio to no filter.  Not a test: nothing
# here runs in `make test` (docs/PERFORMANCE.md has the figures).
. "$(dirname "$0")/../tests/netns/lib.sh"

require_tools ip tc nsenter unshare iperf3 pfctl_bpf pfbpf-load pf_kern.bpf.o

SECS=${1:-5}
RUNS=${2:-3}
PORT=5211
VARIANTS=(none tc xdp)

if ! netns_pair thb; then
	echo "setup of the namespaces failed" >&2
	exit 1
fi
pfload "$NS_B" attach "$VETH_B" --tc >/dev/null || exit 1
printf 'pass all\n' >"$TEST_TMP/pass.conf"
nsx "$NS_B" "$PFCTL" -q -f "$TEST_TMP/pass.conf" || exit 1
bg nsx "$NS_B" iperf3 -s -B "$B4" -p $PORT
wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':$PORT '" || exit 1

variant() {
	case $1 in
	none) pfload "$NS_B" detach "$VETH_B" >/dev/null 2>&1 ;;
	tc) pfload "$NS_B" attach "$VETH_B" --tc >/dev/null ;;
	xdp) pfload "$NS_B" attach "$VETH_B" --xdp >/dev/null ;;
	esac
}

# One run: Gbit/s received by the server.
run() {
	nsx "$NS_A" iperf3 -c "$B4" -p $PORT -t "$SECS" -J 2>/dev/null | "$PY" -c '
import json, sys
print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))'
}

declare -A res
for ((r = 1; r <= RUNS; r++)); do
	for v in "${VARIANTS[@]}"; do
		variant "$v" || { echo "cannot set up variant $v" >&2; exit 1; }
		g=$(run)
		echo "# round $r $v: ${g:-failed} Gbit/s"
		res[$v]="${res[$v]:-} ${g:-0}"
	done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
base=$(echo "${res[none]}" | median)
echo "kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs, $(date -u +%F)"
printf '%-30s %10s %8s   %s\n' variant "Gbit/s" "÷ none" "runs"
for v in "${VARIANTS[@]}"; do
	m=$(echo "${res[$v]}" | median)
	printf '%-30s %10s %8s  %s\n' "$v" "$m" "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%.2f", b > 0 ? a / b : 0 }')" "${res[$v]}"
done
exit 0
