#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Compare builds of the datapath object on issue 9's target rows:
#
#	bench/variants.sh ROUNDS OBJ...      (e.g. a copy of the old build
#	                                      and build/pf_kern.bpf.o)
#
# Each round runs `bench -t` once per object, the order rotating from
# round to round, the object given to the harness by PF_H_OBJ.  Every
# figure is already a ratio to the bare LRU program timed in pairs with
# it; the table is the median over rounds per row and object.  A
# development tool for measuring a change, not part of make test/bench.
set -euo pipefail
BUILD=${BUILD:-build}
R=${BENCH_R:-100000}
N=${BENCH_N:-5}
rounds=$1
shift
[ $# -ge 1 ] || { echo "usage: $0 ROUNDS OBJ..." >&2; exit 2; }
for o in "$@"; do [ -f "$o" ] || { echo "variants: no such object: $o" >&2; exit 1; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
objs=("$@")
for ((i = 0; i < rounds; i++)); do
	for ((j = 0; j < ${#objs[@]}; j++)); do
		k=$(((i + j) % ${#objs[@]}))
		PF_H_OBJ=${objs[$k]} "$BUILD/bench" -t -q -r "$R" -n "$N" -o "$tmp/$k.$i.json" >/dev/null || true  # a row in error is left out
	done
done
/usr/bin/python3 - "$tmp" "${objs[@]}" <<'PY'
import json, sys, glob, statistics
tmp, objs = sys.argv[1], sys.argv[2:]
res = {}
order = []
for k, o in enumerate(objs):
    for f in sorted(glob.glob(f"{tmp}/{k}.*.json")):
        for r in json.load(open(f))["rows"]:
            if "ratio" not in r or r["value"] is None or r["name"].startswith("bare"):
                continue
            if r["name"] not in order:
                order.append(r["name"])
            res.setdefault((r["name"], k), []).append(r["ratio"])
w = max(len(n) for n in order)
print(f"{'row (ratio, median of rounds)':{w}} " + " ".join(f"{'v%d' % k:>7}" for k in range(len(objs))))
for n in order:
    print(f"{n:{w}} " + " ".join(f"{statistics.median(res[(n, k)]):7.2f}" if (n, k) in res else "      -"
                                 for k in range(len(objs))))
for k, o in enumerate(objs):
    print(f"v{k}: {o}")
PY
