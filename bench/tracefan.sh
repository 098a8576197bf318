#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/tracefan.sh [EVENTS] [ROUNDS]: what several pftrace readers cost
# the datapath (issue 13): EVENTS (fewer than the ring holds, so none is
# lost and every write is a real one) state events written into the ring by
# pftrace-inject (the datapath's own bpf_ringbuf reserve/submit, in a
# BPF_PROG_TEST_RUN loop) with 0, 1 and 4 pftrace readers running, the
# variants alternating, the median ns per event written and its ratio to
# no reader, and the events each reader got.  One pftrace reads the ring
# and hands records on (user/trace/fanout.c), so the datapath side should
# not grow with the number of readers.
. "$(dirname "$0")/../tests/netns/lib.sh"
. "$(dirname "$0")/bench_lib.bash"

EVENTS=${1:-20000}
ROUNDS=${2:-5}
INJECT=$BUILD/pftrace-inject
OUT=${BENCH_OUT:-$NETNS_ROOT/bench/results}
mkdir -p "$OUT"
require_tools "$PFTRACE" "$INJECT"

"$INJECT" init >/dev/null || { echo "pftrace-inject init failed" >&2; exit 1; }

# run K: ns per injected event with K readers; the readers' line counts on
# fd 3 (the flood of 1 before the timed one reaches them too: EVENTS + 1).
run() {
	local k=$1 i t0 t1 t2 pids=()
	for ((i = 0; i < k; i++)); do
		"$PFTRACE" -v >"$TEST_TMP/r$i" 2>"$TEST_TMP/r$i.err" &
		pids+=($!)
		BG_PIDS+=($!)
		wait_for 5 grep -qs 'reading ' "$TEST_TMP/r$i.err"
	done
	sleep 0.3
	# pftrace-inject's own start (loading its object) timed apart and
	# taken off: what is left is the writing of the events
	t0=$(date +%s%N)
	"$INJECT" flood 1 >/dev/null
	t1=$(date +%s%N)
	"$INJECT" flood "$EVENTS" >"$TEST_TMP/inj"
	t2=$(date +%s%N)
	sleep 1
	for p in "${pids[@]}"; do kill -INT "$p"; wait "$p" 2>/dev/null; done
	for ((i = 0; i < k; i++)); do wc -l <"$TEST_TMP/r$i"; done | tr '\n' ' ' >&3
	echo "$(((t2 - t1 - (t1 - t0)) / (EVENTS - 1)))"
}

declare -A ns got
for ((n = 1; n <= ROUNDS; n++)); do
	for k in 0 1 4; do
		v=$(run "$k" 3>"$TEST_TMP/got")
		ns[$k]="${ns[$k]:-} $v"
		got[$k]=$(cat "$TEST_TMP/got")
		echo "# round $n, $k readers: $v ns/event, readers got: ${got[$k]:-none} ($(cat "$TEST_TMP/inj"))"
	done
done
base=$(echo "${ns[0]}" | median)
{
	echo "$(bench_env)"
	echo "$EVENTS state events injected into the ring, median of $ROUNDS rounds, variants alternating"
	printf '%-10s %12s %8s   %s\n' readers "ns/event" "÷ none" "events each reader got (last round)"
	for k in 0 1 4; do
		m=$(echo "${ns[$k]}" | median)
		printf '%-10s %12s %8s   %s\n' "$k" "$m" \
			"$(awk -v a="$m" -v b="$base" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
			"${got[$k]:--}"
	done
} | tee "$OUT/tracefan.txt"
# every reader must have got every event, or the figures mean nothing
for c in ${got[1]} ${got[4]}; do
	[ "$c" = "$((EVENTS + 1))" ] || { fail "a reader got $c of $((EVENTS + 1)) events"; finish; }
done
pass "every reader got all $((EVENTS + 1)) events"
finish
