#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The ip provider, live: the seed's count script (@num[args[2]->ip_saddr] =
# count()) must count exactly the echo requests sent, the seed's per-packet table
# must show them, and packet events must be on in pf_config only while a
# pftrace uses them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pftrace_lib.bash"

SEED_COUNT=$NETNS_ROOT/tests/dtrace/ip_count.d
SEED_TABLE=$NETNS_ROOT/tests/dtrace/ip_table.d

require_tools pfctl_bpf bpftool pfbpf-load pf_kern.bpf.o "$PFTRACE"

# icmp_echo NS DST N: N echo requests with 56 data bytes (as ping: 64 bytes
# of IP payload), each awaiting its reply; prints the replies received.
# ping is not a test dependency; a raw socket as root is.
icmp_echo() {
	nsx "$1" "$PY" - "$2" "$3" <<'PYEOF'
import os, socket, struct, sys, time

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff

dst, n = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
sock.settimeout(1)
ident, got = os.getpid() & 0xffff, 0
for seq in range(n):
    body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + bytes(56)
    sock.sendto(body[:2] + struct.pack("!H", csum(body)) + body[4:], (dst, 0))
    end = time.time() + 1
    while time.time() < end:
        try:
            d = sock.recv(2048)
        except socket.timeout:
            break
        h = (d[0] & 15) * 4
        t, _, _, i, q = struct.unpack("!BBHHH", d[h:h + 8])
        if t == 0 and i == ident and q == seq:
            got += 1
            break
    time.sleep(0.05)
print(got)
PYEOF
}

test_count_script() {
	local out=$TEST_TMP/count err=$TEST_TMP/count.err n=7
	assert_eq "packet events off before" 0 "$(config_trace)"
	start_pftrace "$out" "$err" -s "$SEED_COUNT" || { fail "pftrace did not start" "$(cat "$err")"; return; }
	assert_eq "the ip script switched receive events on" 1 "$(config_trace)"
	assert_eq "$n echo requests answered" "$n" "$(icmp_echo "$NS_A" "$B4" "$n")"
	kill -INT "$PFT"
	wait "$PFT"
	assert_eq "Ctrl-C ends the script with status 0" 0 "$?"
	assert_match "count by source: exactly the $n echo requests" "^ *$A4 +$n\$" "$(cat "$out")"
	assert_eq "packet events off after" 0 "$(config_trace)"
	assert_nomatch "no drops" 'drops on CPU' "$(cat "$err")"
}

test_table_script() {
	local out=$TEST_TMP/table err=$TEST_TMP/table.err
	start_pftrace "$out" "$err" -s "$SEED_TABLE" -T 3 || { fail "pftrace did not start" "$(cat "$err")"; return; }
	assert_eq "the table script switched receive and send on" 3 "$(config_trace)"
	icmp_echo "$NS_A" "$B4" 3 >/dev/null
	wait "$PFT"
	assert_match "header" '^  DELTA\(us\) +SOURCE DEST +INT +BYTES$' "$(cat "$out")"
	assert_eq "3 requests received" 3 \
		"$(grep -cE "^ +[0-9]+ +$B4 <- $A4 +$VETH_B +64\$" "$out")"
	assert_eq "3 replies sent" 3 \
		"$(grep -cE "^ +[0-9]+ +$B4 -> $A4 +$VETH_B +64\$" "$out")"
	assert_eq "packet events off after -T" 0 "$(config_trace)"
}

test_stream_packets() {
	local out=$TEST_TMP/pk err=$TEST_TMP/pk.err
	start_pftrace "$out" "$err" -p event=receive,proto=icmp,src="$A4" -c 4 || { fail "pftrace did not start"; return; }
	icmp_echo "$NS_A" "$B4" 4 >/dev/null
	wait "$PFT"
	assert_eq "-p event=receive streams the 4 requests" 4 \
		"$(grep -cE "^\[RECEIVE\] icmp $A4 -> $B4 len 64 ttl 64 on $VETH_B pass\$" "$out")"
	assert_eq "packet events off after -c" 0 "$(config_trace)"
}

pftrace_setup tri
run_test test_count_script
run_test test_table_script
run_test test_stream_packets
finish
