#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Run each test step (a make target named by an mk/*.mk fragment), keep going
# after a failure, and close with one "N passed, N failed" line and the time
# each step took: make test has a 20-minute budget on a 2-core machine, and
# the table says which step to look at when it grows.
set -u
pass=0; fail=0; failed=(); times=()
t_all=$SECONDS
for step in "$@"; do
	echo "=== $step"
	t0=$SECONDS
	if make --no-print-directory "$step"; then
		pass=$((pass + 1)); res=ok
	else
		fail=$((fail + 1)); failed+=("$step"); res=FAIL
	fi
	times+=("$(printf '%6d s  %-4s %s' $((SECONDS - t0)) "$res" "$step")")
done
echo
echo "time per step:"
printf '  %s\n' "${times[@]}"
printf '  %6d s  total\n' $((SECONDS - t_all))
[ ${#failed[@]} -gt 0 ] && echo "failed steps: ${failed[*]}"
echo "steps: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
