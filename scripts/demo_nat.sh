#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pfbpf as a gateway (the second half of `make demo`): a client network, a
# router namespace with pfbpf on both legs translating outbound traffic and
# redirecting a port to an inner server, and an outside server that only
# ever sees the router's address.  Shows -sn, -ss with both keys, natlook,
# pftrace's events with both keys, the translation counters, then removes
# everything.  Topology: tests/netns/nat_lib.bash.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/netns/lib.sh"
. "$here/../tests/netns/nat_lib.bash"

set -u

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
show() {
	printf '[router] # %s\n' "$*" | sed "s|$BUILD/|build/|g"
	nsx "$NS_R" "$@"
}

require_tools ip tc nsenter unshare socat ss sysctl pfctl_bpf pf_kern.bpf.o

step "A router between a client network and the outside"
nat_topology dmo
cat <<EOF
  clients  $CL1_4, $CL2_4, inner server $IN_4   (192.0.2.0/24)
  router   r_int $R_INT4  |  r_ext $R_EXT4   pfbpf on both legs (tc, veth)
  outside  server $SRV_4: no route back to 192.0.2.0/24, so only
           translated traffic can ever get an answer
EOF

step "Ruleset: nat out, rdr of port 8080 to the inner server"
nat_serve "$NS_SRV" outside 80
nat_serve "$NS_IN" inner 80
cat >"$TEST_TMP/gw.conf" <<'EOF'
ext = "r_ext"
lan = "192.0.2.0/24"
nat on $ext inet from $lan to any -> ($ext)
rdr on $ext proto tcp to ($ext) port 8080 -> 192.0.2.20 port 80
pass all
EOF
cat "$TEST_TMP/gw.conf"
show "$PFCTL" -f "$TEST_TMP/gw.conf" || { echo "ruleset refused"; finish; }
show "$PFCTL" -sn

events=$TEST_TMP/events
if [ -x "$PFTRACE" ]; then
	nsx "$NS_R" "$PFTRACE" -T 30 >"$events" 2>&1 &
	BG_PIDS+=("$!")
	sleep 0.5
fi

step "Two clients, one source port, out through the router"
printf '[cl1] # socat - TCP4:%s:80,sourceport=40000  ->  ' "$SRV_4"
nat_tcp "$NS_CL1" "$SRV_4" 80 40000 3 &
c1=$!
sleep 0.3
printf '[cl2] # socat - TCP4:%s:80,sourceport=40000  ->  ' "$SRV_4"
nat_tcp "$NS_CL2" "$SRV_4" 80 40000 3 &
c2=$!
sleep 0.8
echo "(the server answers with where each connection came from: the router, two ports)"

step "The state table: the wire key, and in brackets the stack key"
show "$PFCTL" -ss

step "The outside connects to the router's port 8080"
printf '[srv] # socat - TCP4:%s:8080,sourceport=44000  ->  ' "$R_EXT4"
nat_tcp "$NS_SRV" "$R_EXT4" 8080 44000 2 &
c3=$!
sleep 0.8
if [ -x "$BUILD/examples/natlook" ]; then
	show "$BUILD/examples/natlook" "$R_EXT4" 8080 "$SRV_4" 44000
fi
wait "$c1" "$c2" "$c3"

step "ICMP echo through the translation"
echo "[cl1] # ping -c 2 $SRV_4"
nsx "$NS_CL1" ping -c 2 -W 2 "$SRV_4" | sed -n '1,3p'

step "Counters: translations and the port-allocation tries"
show "$PFCTL" -si -v | sed -n '/Translation/,$p' | head -20

if [ -s "$events" ]; then
	step "pftrace: state events carry both keys"
	sleep 0.5
	grep -m 8 -i "create" "$events" || head -8 "$events"
fi

step "Clean-up: namespaces, links and the private bpffs go with this script"
finish
