#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pfbpf-exporter on a running pf: scraped over HTTP while traffic passes,
# values moving as pfctl_bpf's counters do, `promtool check metrics` clean,
# the HTTP corners (404, 405), and one-line errors for a bad or busy listen
# address and for a caller who is not root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pfctl_lib.bash"

EXPORTER=${EXPORTER:-$BUILD/pfbpf-exporter}
require_tools ip nsenter unshare socat ss curl promtool setpriv gnuplot bc file pfctl_bpf

PORT=9107

# scrape [PATH]: the exporter's answer, from inside B (where it listens).
scrape() { nsx "$NS_B" curl -sS --max-time 5 "http://$B4:$PORT${1:-/metrics}"; }
# metric DOC NAME{LABELS}: the value of one sample of DOC.
metric() { awk -v m="$2" '$1 == m { print $2; exit }' <<<"$1"; }

same_inserts() { [ "$(counter inserts)" = "$(metric "$(scrape)" pf_state_inserts_total)" ]; }
same_states() { [ "$(nstates)" = "$(metric "$(scrape)" pf_state_total)" ]; }

start_exporter() {
	bg nsx "$NS_B" "$EXPORTER" -l "$B4:$PORT"
	if wait_for 5 sh -c "nsenter --net=/run/netns/$NS_B ss -ltnH | grep -q '$B4:$PORT '"; then
		pass "the exporter listens on $B4:$PORT"
	else
		fail "the exporter listens on $B4:$PORT"
		finish
	fi
}

test_scrape_moves() {
	load exp <<-EOF
	block in proto tcp to port 8021
	pass in proto tcp to port 8020 label "web"
	pass out
	EOF
	serve "$NS_B" 8020
	local d0 d1 ins0 ins1 web0 web1 blk0 blk1 n
	d0=$(scrape)
	assert_eq "pf_up is 1" 1 "$(metric "$d0" pf_up)"
	assert_eq "pf_running is 1" 1 "$(metric "$d0" pf_running)"
	ins0=$(metric "$d0" pf_state_inserts_total)
	web0=$(metric "$d0" 'pf_rule_packets_in_total{anchor="",rule="1",label="web"}')
	blk0=$(metric "$d0" pf_ipv4_packets_in_blocked_total)
	assert_match "the web rule has its sample" '^[0-9]+$' "$web0"
	expect_pass "traffic to the web rule passes" "$NS_A" "$B4" 8020
	expect_block "traffic to 8021 is blocked" "$NS_A" "$B4" 8021
	d1=$(scrape)
	ins1=$(metric "$d1" pf_state_inserts_total)
	web1=$(metric "$d1" 'pf_rule_packets_in_total{anchor="",rule="1",label="web"}')
	blk1=$(metric "$d1" pf_ipv4_packets_in_blocked_total)
	assert_cmd "pf_state_inserts_total moved ($ins0 -> $ins1)" test "$ins1" -gt "$ins0"
	assert_cmd "the web rule's inbound packets moved ($web0 -> $web1)" test "$web1" -gt "$web0"
	assert_cmd "pf_ipv4_packets_in_blocked_total moved ($blk0 -> $blk1)" test "$blk1" -gt "$blk0"
	# The link's own IPv6 traffic (ND, MLD) may add a state between two
	# reads: compare until two reads agree, a few times at most.
	if wait_for 3 same_inserts; then pass "pf_state_inserts_total is -si's inserts"; else
		fail "pf_state_inserts_total is -si's inserts" "$(counter inserts) vs $(metric "$(scrape)" pf_state_inserts_total)"; fi
	if wait_for 3 same_states; then pass "pf_state_total is the number of -ss states"; else
		fail "pf_state_total is the number of -ss states" "$(nstates) vs $(metric "$(scrape)" pf_state_total)"; fi
	assert_match "the veth has interface counters" \
		"^pf_interface_packets_total\\{interface=\"$VETH_B\",af=\"inet\",direction=\"in\",action=\"pass\"\\} [1-9]" \
		"$d1"
	assert_match "the veth's hooks are labelled" \
		"^pf_interface_datapath_info\\{interface=\"$VETH_B\",ingress=\"tc ingress\",egress=\"tc egress\"\\} 1\$" \
		"$d1"
	assert_match "the PFRES counters are there" '^pf_reason_total\{reason="state-mismatch"\} [0-9]+$' "$d1"
}

test_promtool() {
	local out
	scrape > "$TEST_TMP/metrics.txt"
	if out=$(promtool check metrics < "$TEST_TMP/metrics.txt" 2>&1); then
		pass "promtool check metrics is clean"
	else
		fail "promtool check metrics is clean" "$out"
	fi
	nsx "$NS_B" "$EXPORTER" --once > "$TEST_TMP/once.txt"
	assert_eq "--once exits 0 on a readable pf" 0 "$?"
	assert_eq "--once writes the same families as a scrape" \
		"$(grep '^# TYPE' "$TEST_TMP/metrics.txt")" "$(grep '^# TYPE' "$TEST_TMP/once.txt")"
}

test_http_corners() {
	local code
	code=$(nsx "$NS_B" curl -s -o /dev/null -w '%{http_code}' "http://$B4:$PORT/nothing")
	assert_eq "an unknown path is 404" 404 "$code"
	code=$(nsx "$NS_B" curl -s -o /dev/null -w '%{http_code}' -X POST "http://$B4:$PORT/metrics")
	assert_eq "POST is 405" 405 "$code"
	assert_match "the content type is the text format's" \
		'^Content-Type: text/plain; version=0\.0\.4' \
		"$(nsx "$NS_B" curl -sS -D - -o /dev/null "http://$B4:$PORT/metrics" | tr -d '\r')"
}

test_errors() {
	local out rc
	out=$(nsx "$NS_B" "$EXPORTER" -l 999.1.2.3:9107 2>&1)
	rc=$?
	assert_eq "a bad listen address exits 2" 2 "$rc"
	assert_eq "a bad listen address is one line" \
		"pfbpf-exporter: bad listen address '999.1.2.3:9107': want ADDR:PORT or [ADDR6]:PORT" "$out"
	out=$(nsx "$NS_B" "$EXPORTER" -l "$B4:$PORT" 2>&1)
	rc=$?
	assert_eq "a busy port exits 1" 1 "$rc"
	assert_match "a busy port is one line naming the address" \
		"^pfbpf-exporter: cannot listen on $B4:$PORT: [A-Za-z ]+\$" "$out"
	out=$(nsx "$NS_B" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$EXPORTER" -l "$B4:$((PORT + 1))" 2>&1)
	rc=$?
	assert_eq "not root exits 1" 1 "$rc"
	assert_eq "not root is one line" 1 "$(grep -c . <<<"$out")"
	assert_match "not root says what to do" '^pfbpf-exporter: cannot read pf: .*root' "$out"
}

test_pfstat_graph() {
	local tsv=$TEST_TMP/pfstat.tsv
	EXPORTER=$EXPORTER nsx "$NS_B" "$NETNS_ROOT/scripts/pfstat.sh" record 0.2 4 > "$tsv" &
	local rec=$!
	expect_pass "traffic while recording" "$NS_A" "$B4" 8020
	wait "$rec"
	assert_eq "pfstat record wrote 4 samples" 4 "$(grep -vc '^#' "$tsv")"
	assert_match "a sample has the six columns" '^[0-9.]+	[0-9]+	[0-9]+	[0-9]+	[0-9]+	[0-9]+$' \
		"$(tail -1 "$tsv")"
	assert_cmd "pfstat plot draws an SVG" "$NETNS_ROOT/scripts/pfstat.sh" plot "$tsv" "$TEST_TMP/g.svg"
	assert_match "the SVG has the graph's title" 'pfbpf: state table and traffic' "$(cat "$TEST_TMP/g.svg")"
	assert_cmd "pfstat plot draws a PNG" "$NETNS_ROOT/scripts/pfstat.sh" plot "$tsv" "$TEST_TMP/g.png"
	assert_match "the PNG is one" 'PNG image data' "$(file "$TEST_TMP/g.png")"
}

pfctl_setup pfx
start_exporter
run_test test_scrape_moves
run_test test_promtool
run_test test_http_corners
run_test test_errors
run_test test_pfstat_graph
finish
