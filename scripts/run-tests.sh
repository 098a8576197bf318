#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Run each test step (a make target named by an mk/*.mk fragment), keep going
# after a failure, and close with one "N passed, N failed" line.
set -u
pass=0; fail=0; failed=()
for step in "$@"; do
	echo "=== $step"
	if make --no-print-directory "$step"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); failed+=("$step")
	fi
done
echo
[ ${#failed[@]} -gt 0 ] && echo "failed steps: ${failed[*]}"
echo "steps: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
