#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/control.sh [RULES] [ENTRIES] [FLOWS]: the control plane (issue 9
# item 3), each step's wall time and peak memory (/usr/bin/time %e %M):
#   load a RULES-rule ruleset   pfctl_bpf -f        beside nft -f (same rules)
#   add ENTRIES table entries   pfctl_bpf -T add -f beside nft -f of a set
#   list FLOWS states           pfctl_bpf -ss, --json beside conntrack -L
# The states are made by trafgen sending FLOWS UDP packets A -> B, each a
# flow of its own, under `pass all`; the conntrack entries the same way
# with nftables `ct state new accept`.  The counts listed are checked.
# BENCH_OUT (default bench/results) gets control.txt and control.svg.
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/bench_lib.bash"

require_tools ip nsenter unshare trafgen nft conntrack pfctl_bpf pfbpf-load pf_kern.bpf.o
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing (Debian package time)" >&2; exit 1; }

RULES=${1:-10000}
ENTRIES=${2:-100000}
FLOWS=${3:-100000}
OUT=${BENCH_OUT:-$NETNS_ROOT/bench/results}
mkdir -p "$OUT"
netns_pair ctl || { echo "setup of the namespaces failed" >&2; exit 1; }
nsx "$NS_B" "$PFCTL" -q -e -i "$VETH_B" >/dev/null || exit 1

# Rules of four shapes, one per line, the same in both syntaxes.
"$PY" - "$RULES" "$TEST_TMP" <<'PYGEN'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
pf, nf = ["table <T> persist"], ["table inet ctl {", " set T { type ipv6_addr; }", " chain in {",
                                "  type filter hook input priority 0; policy accept;"]
for i in range(n):
    src, dst, port = "203.0.113.%d" % (i % 256), "198.51.100.%d" % (i // 256 % 256), 1024 + i % 60000
    act = ("block", "drop") if i % 2 else ("pass", "accept")
    if i % 4 == 0:
        pf.append("%s in quick proto tcp from %s to %s port %d" % (act[0], src, dst, port))
        nf.append("  ip saddr %s ip daddr %s tcp dport %d %s" % (src, dst, port, act[1]))
    elif i % 4 == 1:
        pf.append("%s in proto tcp to %s port %d" % (act[0], dst, port))
        nf.append("  ip daddr %s tcp dport %d %s" % (dst, port, act[1]))
    elif i % 4 == 2:
        pf.append("%s in proto udp from 203.0.113.0/24 to any port %d" % (act[0], port))
        nf.append("  ip saddr 203.0.113.0/24 udp dport %d %s" % (port, act[1]))
    else:
        pf.append("%s in from 2001:db8:%x::/48 to any" % (act[0], i))
        nf.append("  ip6 saddr 2001:db8:%x::/48 %s" % (i, act[1]))
pf.append("pass all")
nf += [" }", "}"]
open(d + "/rules.conf", "w").write("\n".join(pf) + "\n")
open(d + "/rules.nft", "w").write("\n".join(nf) + "\n")
PYGEN
"$PY" -c '
import sys
n = int(sys.argv[1])
a = ["2001:db8:%x:%x::1" % (i >> 16, i & 0xffff) for i in range(n)]
open(sys.argv[2] + "/addrs", "w").write("\n".join(a) + "\n")
open(sys.argv[2] + "/set.nft", "w").write("add element inet ctl T { " + ", ".join(a) + " }\n")
' "$ENTRIES" "$TEST_TMP"

declare -A T M
# timed NAME CMD...: wall seconds and peak KiB of CMD, run in B (its
# stdout kept in $TEST_TMP/out).  time runs inside nsenter: only CMD counts.
timed() {
	local name=$1
	shift
	if ! nsx "$NS_B" /usr/bin/time -f '%e %M' -o "$TEST_TMP/t" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"; then
		echo "# $name failed: $(head -3 "$TEST_TMP/err" | tr '\n' ' ')"
		T[$name]=- M[$name]=-
		return 1
	fi
	read -r T[$name] M[$name] <"$TEST_TMP/t"
}

timed pf_rules "$PFCTL" -q -f "$TEST_TMP/rules.conf"
# -sr of a large ruleset is slow: the check is bounded and says so
t0=$(date +%s.%N)
pf_nrules=$(nsx "$NS_B" timeout 30 "$PFCTL" -sr 2>/dev/null | grep -c .)
pf_sr_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
timed nft_rules nft -f "$TEST_TMP/rules.nft"
nft_nrules=$(nsx "$NS_B" nft list chain inet ctl in | grep -E '(accept|drop)$' | grep -vc policy)
timed pf_table "$PFCTL" -q -t T -T add -f "$TEST_TMP/addrs"
pf_nent=$(nsx "$NS_B" "$PFCTL" -t T -T show 2>/dev/null | grep -c .)
timed nft_set nft -f "$TEST_TMP/set.nft"
nft_nent=$(nsx "$NS_B" nft -j list set inet ctl T | "$PY" -c '
import json, sys
print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "set" in o))')
nsx "$NS_B" nft delete table inet ctl

# FLOWS flows A -> B, every packet a new one.
cat >"$TEST_TMP/udp.cfg" <<CFG
{ eth(da=$MAC_B, sa=$MAC_A), ipv4(saddr=$A4, daddr=$B4, ttl=64),
  udp(sp=dinc(1024, 65000), dp=dinc(1, 60000)), fill(0x42, 18) }
CFG
flows() {
	nsx "$NS_A" trafgen -o "$VETH_A" -i "$TEST_TMP/udp.cfg" -n "$FLOWS" -P 1 -b 200000pps \
		--no-sock-mem -Q -C >/dev/null 2>&1
	sleep 0.5
}
printf 'pass all\n' >"$TEST_TMP/pass.conf"
nsx "$NS_B" "$PFCTL" -q -f "$TEST_TMP/pass.conf"
flows
timed pf_ss "$PFCTL" -ss
pf_nst=$(grep -c . "$TEST_TMP/out")
timed pf_json "$PFCTL" -ss --json
nsx "$NS_B" "$PFCTL" -q -d >/dev/null 2>&1
pfload "$NS_B" detach "$VETH_B" >/dev/null 2>&1
nsx "$NS_B" nft -f - <<'NFT'
table inet ctl {
	chain pre {
		type filter hook prerouting priority 0; policy accept;
		ct state new counter accept
	}
}
NFT
flows
timed ct_list conntrack -L -p udp
ct_n=$(grep -c . "$TEST_TMP/out")

row() { printf '%-44s %9s %11s   %s\n' "$1" "${T[$2]}" "${M[$2]}" "$3"; }
{
	bench_env
	echo "control plane, one run each, wall time and peak resident memory of the command"
	printf '%-44s %9s %11s   %s\n' step "seconds" "peak KiB" "checked"
	row "pfctl_bpf -f, $RULES rules" pf_rules "$pf_nrules rules listed by -sr (in $pf_sr_s s, 30 s at most)"
	row "nft -f, $RULES rules" nft_rules "$nft_nrules rules listed"
	row "pfctl_bpf -T add -f, $ENTRIES entries" pf_table "$pf_nent entries listed by -T show"
	row "nft -f, set of $ENTRIES elements" nft_set "$nft_nent elements listed"
	row "pfctl_bpf -ss, $FLOWS flows sent" pf_ss "$pf_nst states listed"
	row "pfctl_bpf -ss --json" pf_json ""
	row "conntrack -L, $FLOWS flows sent" ct_list "$ct_n entries listed"
} | tee "$OUT/control.txt"
for k in pf_rules:"pfctl -f rules" nft_rules:"nft -f rules" pf_table:"pfctl -T add" nft_set:"nft set add" \
	pf_ss:"pfctl -ss" pf_json:"pfctl -ss --json" ct_list:"conntrack -L"; do
	[ "${T[${k%%:*}]}" != - ] && printf '"%s" %s\n' "${k#*:}" "${T[${k%%:*}]}"
done >"$TEST_TMP/bars.dat"
bench_bars "$TEST_TMP/bars.dat" "$OUT/control.svg" "Control plane, wall time (one run)" "seconds"
for k in "${!T[@]}"; do
	[ "${T[$k]}" != - ] || { echo "control: step $k failed" >&2; exit 1; }
done
exit 0
