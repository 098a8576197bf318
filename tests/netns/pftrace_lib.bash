# SPDX-License-Identifier: BSD-2-Clause
# Shared by the pftrace_*.sh scenarios (source after lib.sh).
#
# Two kinds of scenario: those fed by pftrace-inject run pftrace in the
# script's own network namespace; those with real traffic attach the
# datapath to B's veth end (pftrace_setup) and run pftrace inside B.

PIN=/sys/fs/bpf/tc/globals
# Where start_pftrace runs pftrace: empty for here, else a namespace name.
PFTRACE_NETNS=

# pftrace_setup PREFIX [LOADER ARGS...]: namespaces A and B, the datapath
# on B's veth end with a 'pass all' ruleset, pftrace to run inside B.
pftrace_setup() {
	local prefix=$1
	shift
	netns_pair "$prefix" || { fail "namespaces"; finish; }
	attach_loader "$NS_B" "$VETH_B" "$@" || { fail "attach the datapath to $VETH_B"; finish; }
	pass "datapath attached to $VETH_B"
	# An empty ruleset passes without state (pf's default): keep state on all.
	echo "pass all" >"$TEST_TMP/pf.conf"
	nsx "$NS_B" "$PFCTL" -f "$TEST_TMP/pf.conf" || { fail "load 'pass all' with pfctl_bpf -f"; finish; }
	PFTRACE_NETNS=$NS_B
}

# start_pftrace OUT ERR ARGS...: pftrace in the background (PFT is its pid),
# ready to read once it has opened the ring buffer (-v says so on stderr).
start_pftrace() {
	local out=$1 err=$2
	shift 2
	# A fresh file: the background job truncates it only when it runs, so a
	# 'reading' line left by an earlier run could satisfy the wait below.
	rm -f "$out" "$err"
	if [ -n "$PFTRACE_NETNS" ]; then
		# nsenter directly (not the nsx function): $! must be pftrace itself.
		nsenter --net="/run/netns/$PFTRACE_NETNS" -- "$PFTRACE" -v "$@" >"$out" 2>"$err" &
	else
		"$PFTRACE" -v "$@" >"$out" 2>"$err" &
	fi
	PFT=$!
	BG_PIDS+=("$PFT")
	wait_for 5 grep -qs 'reading ' "$err"
}

# config_trace: pf_config.trace, bytes 128..131 of the value (see struct
# pf_config): which packet events the live pftraces asked for.
config_trace() {
	bpftool -j map lookup pinned "$PIN/pf_config" key 0 0 0 0 |
		"$PY" -c 'import json,sys; v=[int(x,16) for x in json.load(sys.stdin)["value"]]; print(int.from_bytes(bytes(v[128:132]),"little"))'
}

# line_of FILE REGEX: number of the first line matching, 0 if none.
line_of() {
	local n
	n=$(grep -nE -- "$2" "$1" | head -1 | cut -d: -f1)
	echo "${n:-0}"
}

# assert_order WHAT FILE REGEX...: each REGEX matches a line after the previous one.
assert_order() {
	local what=$1 file=$2 prev=0 n re
	shift 2
	for re in "$@"; do
		n=$(line_of "$file" "$re")
		if [ "$n" -le "$prev" ]; then
			fail "$what" "no line matching '$re' after line $prev" "$(cat "$file")"
			return
		fi
		prev=$n
	done
	pass "$what"
}
