#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Golden tests of the D engine: each tests/dtrace/golden/NAME.cmd holds the
# dt-replay arguments (paths relative to tests/dtrace); its stdout, stderr and
# exit status must equal NAME.out.  UPDATE=1 rewrites the .out files.
set -u
replay=$(realpath "${1:?usage: run-golden.sh path/to/dt-replay}")
cd "$(dirname "$0")" || exit 1
pass=0; fail=0
for cmd in golden/*.cmd; do
	name=${cmd%.cmd}
	read -r -a args < "$cmd"
	got=$("$replay" "${args[@]}" 2>&1; echo "exit status $?")
	if [ "${UPDATE:-0}" = 1 ]; then
		printf '%s\n' "$got" > "$name.out"
	fi
	if diff -u "$name.out" <(printf '%s\n' "$got") > /dev/null; then
		pass=$((pass + 1))
	else
		echo "golden-dt: FAIL $name (dt-replay ${args[*]})"
		diff -u "$name.out" <(printf '%s\n' "$got") | head -40
		fail=$((fail + 1))
	fi
done
# Raw records (what pftrace reads from the ring buffer) replay the same way.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for ev in tcp_v4_v6.ev ip_v4_v6.ev; do
	text=$("$replay" -w "$tmp/rec" pf_provider.d "$ev" 2>&1; "$replay" ip_count.d "$ev" 2>&1)
	bin=$("$replay" -b pf_provider.d "$tmp/rec" 2>&1; "$replay" -b ip_count.d "$tmp/rec" 2>&1)
	if [ "$text" = "$bin" ] && [ -s "$tmp/rec" ]; then
		pass=$((pass + 1))
	else
		echo "golden-dt: FAIL binary replay of $ev differs from text replay"
		diff -u <(printf '%s\n' "$text") <(printf '%s\n' "$bin") | head -20
		fail=$((fail + 1))
	fi
done
echo "golden-dt: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
