# SPDX-License-Identifier: BSD-2-Clause
# tests/netns/lib.sh - shared harness of the netns scenarios.  Source it
# first thing from a bash script:
#
#	. "$(dirname "$0")/lib.sh"
#
# Sourcing re-executes the calling script inside its own mount namespace with
# a fresh bpffs on /sys/fs/bpf and a tmpfs on /run/netns, so the pins made by
# iproute2 (tc/globals) and by pfbpf-load belong to this run alone and vanish
# with it, and several runs can go on at once on one machine.  Namespaces and
# links carry the caller's prefix and the PID.
#
# Output is TAP-like: "ok N - what" / "not ok N - what", "# ..." comments, and
# a last line "N passed, N failed"; the exit status is nonzero on any failure
# (and when nothing was checked at all).

# --- isolation ------------------------------------------------------------

if [ -z "${PFBPF_NETNS_PRIVATE:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "$0: FAIL: the netns tests need root (namespaces, bpffs, XDP)" >&2
		exit 1
	fi
	export PFBPF_NETNS_PRIVATE=1
	exec unshare --mount --propagation private -- /bin/bash "$0" "$@"
	echo "$0: FAIL: cannot re-exec under unshare --mount" >&2
	exit 1
fi

if ! mount -t bpf bpf /sys/fs/bpf; then
	echo "$0: FAIL: cannot mount a private bpffs on /sys/fs/bpf" >&2
	exit 1
fi
# `ip netns add` bind-mounts namespace files under /run/netns; a private
# tmpfs keeps even the empty files off the host's /run.
mkdir -p /run/netns
if ! mount -t tmpfs -o mode=0755 netns /run/netns; then
	echo "$0: FAIL: cannot mount a private tmpfs on /run/netns" >&2
	exit 1
fi

set -u

NETNS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$NETNS_ROOT/$BUILD ;; esac
PFBPF_OBJ_FILE=$BUILD/pf_kern.bpf.o
PFBPF_LOAD=$BUILD/pfbpf-load
PFCTL=$BUILD/pfctl_bpf
PFTRACE=$BUILD/pftrace
# Debian's interpreter: the one on PATH may lack scapy.
PY=/usr/bin/python3
# Pins: the defaults, inside the private bpffs (iproute2 always uses
# /sys/fs/bpf/tc/globals, so our tools must too).
unset PFBPF_PIN_DIR PFBPF_PROG_PIN_DIR PFBPF_OBJ

TEST_TMP=$(mktemp -d /tmp/pfbpf-netns.XXXXXX)

# --- results --------------------------------------------------------------

T_PASS=0
T_FAIL=0
T_N=0
T_CURRENT=""

_ok() {
	T_N=$((T_N + 1)); T_PASS=$((T_PASS + 1))
	echo "ok $T_N - ${T_CURRENT:+$T_CURRENT: }$1"
}

_notok() {
	T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_N - ${T_CURRENT:+$T_CURRENT: }$1"
	shift
	local l
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/#   /'
	done
}

note() { echo "# $*"; }

# pass/fail without a comparison, for checks written inline.
pass() { _ok "$1"; }
fail() { _notok "$@"; }

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then
		_ok "$1"
	else
		_notok "$1" "expected: '$2'" "got:      '$3'"
	fi
}

# assert_match WHAT REGEX TEXT   (extended regex, any line of TEXT)
assert_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		_ok "$1"
	else
		_notok "$1" "expected a line matching: $2" "got:" "$3"
	fi
}

# assert_nomatch WHAT REGEX TEXT
assert_nomatch() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		_notok "$1" "expected no line matching: $2" "got:" "$3"
	else
		_ok "$1"
	fi
}

# assert_cmd WHAT CMD...: passes when CMD exits 0; its output is shown on failure.
assert_cmd() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		_ok "$what"
	else
		_notok "$what" "command failed ($?): $*" "$out"
	fi
}

# assert_fails WHAT CMD...: passes when CMD exits nonzero.
assert_fails() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		_notok "$what" "command unexpectedly succeeded: $*" "$out"
	else
		_ok "$what"
	fi
}

# run_test FUNC: one scenario; its name prefixes its assertions.
run_test() {
	T_CURRENT=$1
	echo "# --- $1"
	"$@"
	T_CURRENT=""
}

# finish: summary line and exit status (cleanup runs from the EXIT trap).
finish() {
	if [ "$T_N" -eq 0 ]; then
		_notok "no assertion ran"
	fi
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit
}

# --- prerequisites --------------------------------------------------------

# require_tools NAME...: every tool must be present; a missing one fails the
# whole script with a message saying what to install (never a skip).
require_tools() {
	local t missing=()
	for t in "$@"; do
		case $t in
		python3-scapy)
			"$PY" -c 'import scapy.all' 2>/dev/null || missing+=("python3-scapy ($PY -c 'import scapy.all' failed)") ;;
		pfbpf-load)
			[ -x "$PFBPF_LOAD" ] || missing+=("$PFBPF_LOAD (run make)") ;;
		pf_kern.bpf.o)
			[ -r "$PFBPF_OBJ_FILE" ] || missing+=("$PFBPF_OBJ_FILE (run make)") ;;
		pfctl_bpf)
			[ -x "$PFCTL" ] || missing+=("$PFCTL (run make)") ;;
		*)
			command -v "$t" >/dev/null 2>&1 || missing+=("$t") ;;
		esac
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "not ok 1 - required tools missing: ${missing[*]}"
		echo "# install them (make deps) and build (make); this is a failure, not a skip"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

# --- namespaces -----------------------------------------------------------

NETNS_LIST=()
BG_PIDS=()

# nsx NS CMD...: run CMD in network namespace NS.  nsenter, not `ip netns
# exec`: the latter remounts /sys, hiding our private bpffs and its pins.
nsx() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

# Addresses: documentation ranges only (RFC 5737, RFC 3849).
NET4=198.51.100
NET6=2001:db8:100

# netns_pair PREFIX: two namespaces joined by one veth pair.  Sets NS_A,
# NS_B (namespaces), VETH_A, VETH_B (the link ends), A4/B4 and A6/B6
# (addresses of A and B), MAC_A/MAC_B.
netns_pair() {
	local p=$1
	NS_A=${p}a$$
	NS_B=${p}b$$
	VETH_A=${p}va$$
	VETH_B=${p}vb$$
	A4=$NET4.1
	B4=$NET4.2
	A6=$NET6::1
	B6=$NET6::2
	ip netns add "$NS_A" || return 1
	NETNS_LIST+=("$NS_A")
	ip netns add "$NS_B" || return 1
	NETNS_LIST+=("$NS_B")
	nsx "$NS_A" ip link add "$VETH_A" type veth peer name "$VETH_B" || return 1
	nsx "$NS_A" ip link set "$VETH_B" netns "$NS_B" || return 1
	nsx "$NS_A" ip link set lo up
	nsx "$NS_B" ip link set lo up
	nsx "$NS_A" ip addr add "$A4/24" dev "$VETH_A"
	nsx "$NS_B" ip addr add "$B4/24" dev "$VETH_B"
	# nodad: the addresses are usable at once, no 1-2 s wait per run.
	nsx "$NS_A" ip -6 addr add "$A6/64" dev "$VETH_A" nodad
	nsx "$NS_B" ip -6 addr add "$B6/64" dev "$VETH_B" nodad
	nsx "$NS_A" ip link set "$VETH_A" up
	nsx "$NS_B" ip link set "$VETH_B" up
	MAC_B=$(nsx "$NS_B" ip -br link show "$VETH_B" | awk '{print $3}')
	MAC_A=$(nsx "$NS_A" ip -br link show "$VETH_A" | awk '{print $3}')
	# Before any filter: both families must work, or later checks mean nothing.
	tcp_probe "$NS_A" "$NS_B" 4 "$B4" 7999 || {
		echo "# netns_pair: no IPv4 connectivity between $NS_A and $NS_B" >&2
		return 1
	}
	tcp_probe "$NS_A" "$NS_B" 6 "$B6" 7999 || {
		echo "# netns_pair: no IPv6 connectivity between $NS_A and $NS_B" >&2
		return 1
	}
}

# tcp_probe FROM_NS TO_NS FAMILY ADDR PORT: one TCP exchange FROM -> TO
# (a one-shot listener in TO_NS).  ping is not part of the test deps.
tcp_probe() {
	local from=$1 to=$2 fam=$3 addr=$4 port=$5 pid out
	nsx "$to" socat -T 5 "TCP$fam-LISTEN:$port,reuseaddr" EXEC:cat &
	pid=$!
	wait_for 5 sh -c "nsenter --net=/run/netns/$to ss -ltnH | grep -q ':$port '"
	[ "$fam" = 6 ] && addr="[$addr]"
	out=$(echo probe | nsx "$from" socat -T 3 STDIO "TCP$fam:$addr:$port,connect-timeout=3" 2>&1)
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$out" = probe ]
}

# bg CMD...: start CMD in the background, killed by cleanup.
bg() {
	"$@" &
	BG_PIDS+=($!)
}

# --- attaching ------------------------------------------------------------

# attach_iproute2 NS DEV: the object on DEV with plain iproute2: XDP on
# ingress, tc clsact egress.  Maps are pinned by name in tc/globals.
attach_iproute2() {
	local ns=$1 dev=$2
	nsx "$ns" ip link set dev "$dev" xdp obj "$PFBPF_OBJ_FILE" sec xdp || return 1
	nsx "$ns" tc qdisc add dev "$dev" clsact || return 1
	nsx "$ns" tc filter add dev "$dev" egress bpf da obj "$PFBPF_OBJ_FILE" sec tc/egress || return 1
}

detach_iproute2() {
	local ns=$1 dev=$2
	nsx "$ns" ip link set dev "$dev" xdp off
	nsx "$ns" tc qdisc del dev "$dev" clsact
}

# attach_loader NS DEV [pfbpf-load attach options]
attach_loader() {
	local ns=$1 dev=$2
	shift 2
	nsx "$ns" "$PFBPF_LOAD" attach "$dev" "$@"
}

# pfload NS ARGS...: pfbpf-load inside NS (pins are per mount namespace, so
# any NS sees the same table; the namespace matters for interface names).
pfload() {
	local ns=$1
	shift
	nsx "$ns" "$PFBPF_LOAD" "$@"
}

# --- waiting --------------------------------------------------------------

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# --- cleanup --------------------------------------------------------------

cleanup() {
	local p ns
	set +e
	{
		for p in "${BG_PIDS[@]}"; do
			kill "$p"
		done
		for p in "${BG_PIDS[@]}"; do
			wait "$p"
		done
	} 2>/dev/null
	# Deleting a namespace deletes its veth end (and the peer with it) and
	# the programs attached there; the pins go with our private bpffs.
	for ns in "${NETNS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	umount /run/netns 2>/dev/null
	umount /sys/fs/bpf 2>/dev/null
	rm -rf "$TEST_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
