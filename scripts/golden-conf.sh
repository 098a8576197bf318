#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Golden-file tests of the pf.conf parser and printer.
#
#   scripts/golden-conf.sh [COMMAND]     (default: build/pfconf-print)
#
# For each tests/rules/NN-name.conf:
#  - with NN-name.expected: `COMMAND -nvf NN-name.conf` must succeed and print
#    exactly the expected listing, and that listing fed back to COMMAND must
#    print itself again (the round trip);
#  - with NN-name.err: COMMAND must fail, printing exactly that message.
# COMMAND is run from tests/rules (table files are named relative to it);
# the cli switches it to pfctl_bpf: make golden-conf PFCONF_CMD=build/pfctl_bpf
# UPDATE=1 rewrites the expected files from the current output (review the diff!).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-build/pfconf-print}
case $cmd in /*) ;; *) cmd="$root/$cmd" ;; esac
read -r -a cmdv <<<"$cmd"
if [ ! -x "${cmdv[0]}" ]; then
	echo "golden-conf: ${cmdv[0]} is not built" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root/tests/rules" || exit 1
pass=0; fail=0
for conf in [0-9][0-9]-*.conf; do
	base=${conf%.conf}
	if [ -f "$base.expected" ]; then
		if ! "${cmdv[@]}" -nvf "$conf" >"$tmp/out" 2>"$tmp/err"; then
			echo "FAIL $conf: does not parse: $(cat "$tmp/err")"
			fail=$((fail + 1)); continue
		fi
		[ "${UPDATE:-0}" = 1 ] && cp "$tmp/out" "$base.expected"
		if ! diff -u "$base.expected" "$tmp/out"; then
			echo "FAIL $conf: listing differs from $base.expected"
			fail=$((fail + 1)); continue
		fi
		cp "$tmp/out" "$tmp/again.conf"
		if ! "${cmdv[@]}" -nvf "$tmp/again.conf" >"$tmp/out2" 2>"$tmp/err"; then
			echo "FAIL $conf: the listing does not parse back: $(cat "$tmp/err")"
			fail=$((fail + 1)); continue
		fi
		if ! diff -u "$tmp/out" "$tmp/out2"; then
			echo "FAIL $conf: the listing does not print itself back"
			fail=$((fail + 1)); continue
		fi
	elif [ -f "$base.err" ]; then
		if "${cmdv[@]}" -nvf "$conf" >"$tmp/out" 2>"$tmp/err"; then
			echo "FAIL $conf: parsed, but should fail with: $(cat "$base.err")"
			fail=$((fail + 1)); continue
		fi
		[ "${UPDATE:-0}" = 1 ] && cp "$tmp/err" "$base.err"
		if ! diff -u "$base.err" "$tmp/err"; then
			echo "FAIL $conf: error message differs from $base.err"
			fail=$((fail + 1)); continue
		fi
	else
		echo "FAIL $conf: neither $base.expected nor $base.err"
		fail=$((fail + 1)); continue
	fi
	pass=$((pass + 1))
done
echo "golden-conf: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
