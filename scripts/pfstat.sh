#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pfstat.sh - pfstat's graphs for pfbpf: sample pf's counters over time
# with `pfbpf-exporter --once` and draw states, rates and drops with gnuplot.
#
#   scripts/pfstat.sh record INTERVAL COUNT > samples.tsv
#   scripts/pfstat.sh plot samples.tsv out.svg|out.png
#
# record writes one line per sample: seconds since the first sample, current
# states, and the running totals of inserts, removals, passed and blocked
# packets (every interface, both families).  plot turns the totals into
# per-second rates, so a graph shows what pfstat shows: the table's size,
# its churn, and what was let through or dropped.
set -euo pipefail

EXPORTER=${EXPORTER:-$(cd "$(dirname "$0")/.." && pwd)/build/pfbpf-exporter}

# sample: one line of the table from one scrape.
sample() {
	"$EXPORTER" --once | awk -v t="$1" '
		$1 == "pf_states_current" { st = $2 }
		$1 == "pf_state_inserts_total" { ins = $2 }
		$1 == "pf_state_removals_total" { rem = $2 }
		$1 ~ /^pf_ipv[46]_packets_(in|out)_passed_total$/ { pass += $2 }
		$1 ~ /^pf_ipv[46]_packets_(in|out)_blocked_total$/ { blk += $2 }
		END { printf "%.2f\t%d\t%d\t%d\t%d\t%d\n", t, st, ins, rem, pass, blk }'
}

record() {
	local interval=$1 count=$2 t0 now i
	printf '# t\tstates\tinserts\tremovals\tpassed\tblocked\n'
	t0=$(date +%s.%N)
	for ((i = 0; i < count; i++)); do
		now=$(date +%s.%N)
		sample "$(echo "$now - $t0" | bc -l)" || {
			echo "pfstat: sample $i: pf not readable" >&2
			return 1
		}
		sleep "$interval"
	done
}

plot() {
	local data=$1 out=$2 rates
	[ -s "$data" ] || { echo "pfstat: $data: no samples" >&2; return 1; }
	command -v gnuplot >/dev/null || { echo "pfstat: gnuplot not installed (apt-get install gnuplot-nox)" >&2; return 1; }
	# Rates: each running total's difference over the sample interval.
	local term='svg size 900,600 dynamic background rgb "white"'
	case $out in *.png) term='pngcairo size 900,600' ;; esac
	rates=$(mktemp)
	awk '!/^#/ { if (n++) { dt = $1 - t; if (dt > 0)
			printf "%s\t%.2f\t%.2f\t%.2f\n", $1, ($3 - i) / dt, ($5 - p) / dt, ($6 - b) / dt }
		t = $1; i = $3; p = $5; b = $6 }' "$data" > "$rates"
	gnuplot <<-GP
	set terminal $term
	set output "$out"
	set multiplot layout 2,1 title "pfbpf: state table and traffic"
	set xlabel "seconds"
	set grid
	set key top left
	set ylabel "states"
	plot "$data" using 1:2 with steps lw 2 title "current states"
	set ylabel "per second"
	plot "$rates" using 1:2 with lines lw 2 title "state inserts", \
	     "$rates" using 1:3 with lines lw 2 title "packets passed", \
	     "$rates" using 1:4 with lines lw 2 title "packets blocked"
	unset multiplot
	GP
	rm -f "$rates"
}

case ${1:-} in
record) shift; record "$@" ;;
plot) shift; plot "$@" ;;
*) echo "usage: $0 record INTERVAL COUNT > samples.tsv | plot samples.tsv out.svg" >&2; exit 2 ;;
esac
