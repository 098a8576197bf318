# SPDX-License-Identifier: BSD-2-Clause
# bench/bench_lib.bash - what every shell bench shares beside
# tests/netns/lib.sh: the line saying where its figures come from, the
# median, and a bar chart.  Source it after lib.sh.

# bench_env: CPU model, CPU count, kernel, date and git revision, one line
# (the same facts bench/bench.c writes into latest.json).
bench_env() {
	local rev=${BENCH_REV:-}
	[ -n "$rev" ] || rev=$(git -C "$NETNS_ROOT" describe --always --dirty --abbrev=12 2>/dev/null)
	echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs," \
		"$(uname -sr), $(date -u +%FT%TZ), git ${rev:-unknown}"
}

# median: of the numbers on stdin (blank-separated); nothing when none.
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }

# bench_bars DAT SVG TITLE YLABEL: a bar chart of DAT ("label" value per
# line) by gnuplot; nothing when gnuplot is missing or DAT is empty.
bench_bars() {
	local dat=$1 svg=$2 title=$3 ylabel=$4
	command -v gnuplot >/dev/null && [ -s "$dat" ] || return 0
	gnuplot <<-GP && echo "# wrote $svg"
	set terminal svg size 760,420 dynamic
	set output "$svg"
	set title "$title"
	set ylabel "$ylabel"
	set yrange [0:*]
	set style fill solid 0.6
	set boxwidth 0.6
	set xtics rotate by -20
	unset key
	plot "$dat" using 0:2:xticlabels(1) with boxes, \
	     "" using 0:2:(sprintf("%.3g", \$2)) with labels offset 0,1
	GP
}
