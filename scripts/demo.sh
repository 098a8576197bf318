#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pfbpf demo: two network namespaces joined by a veth pair, pfbpf attached to
# one end as that host's firewall, real TCP, UDP and ICMP traffic through it,
# the live state table, the events, then everything removed again.
#
#	make demo            (installs deps, builds, runs this)
#	scripts/demo.sh      (same, once built)
#
# Runs unattended.  It works in a private mount namespace with its own bpffs
# (tests/netns/lib.sh), so it never touches a pfbpf already running on the
# machine, and it leaves no namespace, link or pin behind.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/netns/lib.sh"
. "$here/../tests/netns/datapath_scenarios.bash"

set -u

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
# run CMD...: show the command the way a user would type it, then run it.
run() {
	local ns=$1
	shift
	printf '%s# %s\n' "${ns:+[$ns] }" "$*" | sed "s|$BUILD/|build/|g"
	if [ -n "$ns" ]; then nsx "$ns" "$@"; else "$@"; fi
}
die() {
	echo "demo: $*" >&2
	exit 1
}

step "Dependencies and build"
"$NETNS_ROOT/scripts/deps.sh" || die "dependencies missing (run 'make deps' as root)"
if [ ! -x "$PFBPF_LOAD" ] || [ ! -r "$PFBPF_OBJ_FILE" ] || [ ! -x "$PFCTL" ] || [ ! -x "$BUILD/pfbpf-exporter" ]; then
	make -s -C "$NETNS_ROOT" demo-tools || die "build failed"
fi
require_tools ip tc nsenter socat ss curl gnuplot bc python3-scapy pfbpf-load pf_kern.bpf.o pfctl_bpf
EXPORTER=$BUILD/pfbpf-exporter
echo "build/pf_kern.bpf.o, build/pfbpf-load, build/pfctl_bpf: ready"

step "Two namespaces joined by a veth pair"
netns_pair demo || die "cannot create the namespaces"
cat <<EOF
  $NS_A  ($VETH_A)  $A4  $A6    "the internet"
  $NS_B  ($VETH_B)  $B4  $B6    the firewalled host: pfbpf sits here
EOF

step "Attach pfbpf to $VETH_B: a veth, so tc on ingress and egress (XDP would cost GRO)"
run "$NS_B" "$PFBPF_LOAD" attach "$VETH_B" "${DP_TIMEOUTS[@]}" || die "attach failed"
run "$NS_B" tc filter show dev "$VETH_B" ingress
run "$NS_B" tc filter show dev "$VETH_B" egress
run "" ls -C /sys/fs/bpf/tc/globals

step "Ruleset: block everything inbound, keep state for what goes out"
cat >"$TEST_TMP/demo.conf" <<'EOF'
set timeout interval 1
block in all
pass out all keep state
# neighbour discovery, or IPv6 stops working on the link
pass in inet6 proto icmp6 all
EOF
cat "$TEST_TMP/demo.conf"
run "$NS_B" "$PFCTL" -f "$TEST_TMP/demo.conf" || die "ruleset refused"
run "$NS_B" "$PFCTL" -sr

step "Events: following the ring buffer in the background"
events=$TEST_TMP/events
if [ -x "$PFTRACE" ]; then
	echo "# pftrace -T 60 > events &"
	nsx "$NS_B" "$PFTRACE" -T 60 >"$events" 2>&1 &
else
	echo "# pfbpf-load events -t 60 > events &"
	nsx "$NS_B" "$PFBPF_LOAD" events -t 60 >"$events" 2>&1 &
fi
EV_PID=$!
BG_PIDS+=("$EV_PID")
sleep 0.5

step "Metrics: pfbpf-exporter on $B4:9107, sampled every 0.5 s for a graph"
if [ -x "$EXPORTER" ]; then
	echo "# pfbpf-exporter -l $B4:9107 &"
	bg nsx "$NS_B" "$EXPORTER" -l "$B4:9107"
	wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q ':9107 '"
	echo "# scripts/pfstat.sh record 0.5 240 > samples.tsv &"
	EXPORTER=$EXPORTER nsx "$NS_B" "$NETNS_ROOT/scripts/pfstat.sh" record 0.5 240 \
		>"$TEST_TMP/pfstat.tsv" 2>/dev/null &
	STAT_PID=$!
	BG_PIDS+=("$STAT_PID")
else
	echo "(build/pfbpf-exporter not built: no metrics)"
fi

step "Traffic from $NS_B out to $NS_A (passes, keeps state)"
dp_server "$NS_A" 4 8080 || die "no TCP server"
dp_server "$NS_A" 6 8080 || die "no TCP server"
bg nsx "$NS_A" socat UDP4-RECVFROM:5353,fork EXEC:cat
bg nsx "$NS_A" socat UDP6-RECVFROM:5353,fork,ipv6only=1 EXEC:cat
# Every server starts before the long-lived client below: a process
# started later would inherit its stdin's write end and keep it open.
dp_server "$NS_B" 4 2222 || die "no TCP server on B"
sleep 0.3
dp_client_open "$NS_B" 4 "$A4" 8080
echo "# tcp to $A4:8080 (kept open), sending 'hello over tcp'"
dp_echo "hello over tcp" && echo "reply: $(tail -1 "$CL_OUT")"
echo "# tcp6 to [$A6]:8080"
echo "hello over tcp6" | nsx "$NS_B" socat -T 2 STDIO "TCP6:[$A6]:8080" | sed 's/^/reply: /'
echo "# udp to $A4:5353 and [$A6]:5353"
echo "hello over udp" | nsx "$NS_B" socat -T 1 STDIO "UDP4:$A4:5353" | sed 's/^/reply: /'
echo "hello over udp6" | nsx "$NS_B" socat -T 1 STDIO "UDP6:[$A6]:5353" | sed 's/^/reply: /'
echo "# icmp echo to $A4 and $A6"
nsx "$NS_B" "$PY" - "$A4" "$A6" <<'EOF'
import logging, sys
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, ICMP, ICMPv6EchoRequest, sr1, conf
conf.verb = 0
for pkt in (IP(dst=sys.argv[1]) / ICMP(id=4242), IPv6(dst=sys.argv[2]) / ICMPv6EchoRequest(id=4242)):
    r = sr1(pkt, timeout=2)
    print("  %s -> %s" % (pkt.summary(), r.summary() if r else "no reply"))
EOF

step "Unsolicited traffic from $NS_A in to $NS_B (blocked)"
echo "# tcp $A4 -> $B4:2222"
if echo knock | nsx "$NS_A" socat -T 2 STDIO "TCP4:$B4:2222,connect-timeout=2" 2>/dev/null | grep -q knock; then
	echo "  answered: the filter is NOT blocking"
else
	echo "  no answer: blocked by 'block in all'"
fi

step "The live state table"
run "$NS_B" "$PFBPF_LOAD" states
run "$NS_B" "$PFCTL" -ss
run "$NS_B" "$PFCTL" -si

step "Close the TCP connection; the in-kernel sweep removes its state"
dp_client_close
echo "# waiting for tcp.closed (2 s) + interval (1 s)..."
wait_for 20 sh -c "! '$PFBPF_LOAD' states | grep -q ' $A4:8080 '" &&
	echo "  state for $A4:8080 gone"
run "$NS_B" "$PFBPF_LOAD" states

step "Events seen"
kill "$EV_PID" 2>/dev/null
wait "$EV_PID" 2>/dev/null
if [ -s "$events" ]; then
	head -40 "$events"
	n=$(wc -l <"$events")
	[ "$n" -gt 40 ] && echo "... ($n lines)"
else
	echo "(no events)"
fi

if [ -n "${STAT_PID:-}" ]; then
	step "Metrics scraped over HTTP, and the graph"
	echo "# curl -s http://$B4:9107/metrics | grep -E '^pf_(states_current|state_inserts_total|reason_total)'"
	nsx "$NS_B" curl -s "http://$B4:9107/metrics" |
		grep -E '^pf_(states_current|state_inserts_total|reason_total\{reason="(match|state-mismatch)"\})'
	kill "$STAT_PID" 2>/dev/null
	wait "$STAT_PID" 2>/dev/null
	if "$NETNS_ROOT/scripts/pfstat.sh" plot "$TEST_TMP/pfstat.tsv" "$BUILD/demo-pfstat.svg"; then
		echo "states, inserts, passed and blocked packets over time: build/demo-pfstat.svg"
	fi
fi

step "Counters and clean-up"
run "$NS_B" "$PFBPF_LOAD" status | grep -Ev '^counter .* 0$'
run "$NS_B" "$PFBPF_LOAD" detach "$VETH_B"
run "$NS_B" "$PFBPF_LOAD" purge
echo "namespaces, links and the private bpffs go with this script."
echo
echo "demo finished"
exit 0
