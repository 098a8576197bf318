# SPDX-License-Identifier: BSD-2-Clause
# tests/netns/nat_lib.bash - a router topology for the NAT scenarios
# (issue 8).  Source after lib.sh.
#
#   cl1 192.0.2.10  ─┐
#   cl2 192.0.2.11  ─┤ sw (bridge)  ── r_int 192.0.2.1 [router] r_ext 198.51.100.1 ── s_ext 198.51.100.2 [srv] s_bey 203.0.113.1 ── 203.0.113.2 [bey]
#   in  192.0.2.20  ─┘                  2001:db8:1::1            2001:db8:2::1         2001:db8:2::2
#
# The router forwards (ip_forward, IPv6 forwarding) and has pfbpf on both
# legs (pfctl_bpf -e -i, tc on a veth).  srv is the outside server and
# also a second router (it forwards to bey and decrements the TTL there, for
# the traceroute case).  srv has no route to 192.0.2.0/24 nor to
# 2001:db8:1::/64: it can only answer what the router translated, so an
# untranslated packet never gets an answer instead of passing by chance.
# Interface names are fixed (each lives in its own namespace); namespace
# names carry the PID.

NAT_IN4=192.0.2
NAT_OUT4=198.51.100
NAT_BEY4=203.0.113
NAT_IN6=2001:db8:1
NAT_OUT6=2001:db8:2
CL1_4=$NAT_IN4.10
CL2_4=$NAT_IN4.11
IN_4=$NAT_IN4.20
R_INT4=$NAT_IN4.1
R_EXT4=$NAT_OUT4.1
SRV_4=$NAT_OUT4.2
BEY_GW4=$NAT_BEY4.1
BEY_4=$NAT_BEY4.2
CL1_6=$NAT_IN6::10
CL2_6=$NAT_IN6::11
R_INT6=$NAT_IN6::1
R_EXT6=$NAT_OUT6::1
SRV_6=$NAT_OUT6::2
# pfctl's default range for nat ports (pfctl sets 50001:65535).
NAT_PORT_LO=50001
NAT_PORT_HI=65535

# r ARGS...: pfctl_bpf in the router (the interface names are there).
r() { nsx "$NS_R" "$PFCTL" "$@"; }

# nat_link NS_A IF_A NS_B IF_B: one veth pair between two namespaces.
nat_link() {
	nsx "$1" ip link add "$2" type veth peer name "$4" netns "$3" || return 1
	nsx "$1" ip link set "$2" up
	nsx "$3" ip link set "$4" up
}

# nat_host NS IF ADDR4 ADDR6 GW4 GW6: addresses and default routes of a
# host on the inside net.
nat_host() {
	nsx "$1" ip addr add "$3/24" dev "$2"
	nsx "$1" ip -6 addr add "$4/64" dev "$2" nodad
	nsx "$1" ip route add default via "$5"
	nsx "$1" ip -6 route add default via "$6"
}

nat_ns() {
	local ns=$1
	ip netns add "$ns" || return 1
	NETNS_LIST+=("$ns")
	nsx "$ns" ip link set lo up
}

# nat_topology PREFIX: build everything above, check each link carries
# TCP before any filter, enable pf on both router legs.  A failure of the
# setup ends the script (finish) with the reason.
nat_topology() {
	local p=$1 ns
	NS_CL1=${p}c1$$ NS_CL2=${p}c2$$ NS_IN=${p}in$$ NS_SW=${p}sw$$
	NS_R=${p}r$$ NS_SRV=${p}sv$$ NS_BEY=${p}by$$
	for ns in "$NS_SW" "$NS_CL1" "$NS_CL2" "$NS_IN" "$NS_R" "$NS_SRV" "$NS_BEY"; do
		nat_ns "$ns" || { fail "setup: namespace $ns"; finish; }
	done
	nsx "$NS_SW" ip link add br0 type bridge
	nsx "$NS_SW" ip link set br0 up
	nat_link "$NS_CL1" eth0 "$NS_SW" p_c1 &&
		nat_link "$NS_CL2" eth0 "$NS_SW" p_c2 &&
		nat_link "$NS_IN" eth0 "$NS_SW" p_in &&
		nat_link "$NS_R" r_int "$NS_SW" p_r &&
		nat_link "$NS_R" r_ext "$NS_SRV" s_ext &&
		nat_link "$NS_SRV" s_bey "$NS_BEY" eth0 || { fail "setup: veth links"; finish; }
	for p in p_c1 p_c2 p_in p_r; do
		nsx "$NS_SW" ip link set "$p" master br0
	done
	nat_host "$NS_CL1" eth0 "$CL1_4" "$CL1_6" "$R_INT4" "$R_INT6"
	nat_host "$NS_CL2" eth0 "$CL2_4" "$CL2_6" "$R_INT4" "$R_INT6"
	nat_host "$NS_IN" eth0 "$IN_4" "$NAT_IN6::20" "$R_INT4" "$R_INT6"
	# router
	nsx "$NS_R" ip addr add "$R_INT4/24" dev r_int
	nsx "$NS_R" ip -6 addr add "$R_INT6/64" dev r_int nodad
	nsx "$NS_R" ip addr add "$R_EXT4/24" dev r_ext
	nsx "$NS_R" ip -6 addr add "$R_EXT6/64" dev r_ext nodad
	nsx "$NS_R" ip route add "$NAT_BEY4.0/24" via "$SRV_4"
	nsx "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# srv: outside server and second router towards bey
	nsx "$NS_SRV" ip addr add "$SRV_4/24" dev s_ext
	nsx "$NS_SRV" ip -6 addr add "$SRV_6/64" dev s_ext nodad
	nsx "$NS_SRV" ip addr add "$BEY_GW4/24" dev s_bey
	nsx "$NS_SRV" sysctl -qw net.ipv4.ip_forward=1
	nsx "$NS_BEY" ip addr add "$BEY_4/24" dev eth0
	nsx "$NS_BEY" ip route add default via "$BEY_GW4"
	# Before any filter: each hop carries TCP, or later checks mean nothing.
	tcp_probe "$NS_CL1" "$NS_R" 4 "$R_INT4" 7999 &&
		tcp_probe "$NS_CL2" "$NS_R" 4 "$R_INT4" 7999 &&
		tcp_probe "$NS_IN" "$NS_R" 4 "$R_INT4" 7999 &&
		tcp_probe "$NS_CL1" "$NS_R" 6 "$R_INT6" 7999 &&
		tcp_probe "$NS_SRV" "$NS_R" 4 "$R_EXT4" 7999 &&
		tcp_probe "$NS_SRV" "$NS_R" 6 "$R_EXT6" 7999 &&
		tcp_probe "$NS_R" "$NS_BEY" 4 "$BEY_4" 7999 ||
		{ fail "setup: TCP over every link before pf (see the lines above)"; finish; }
	assert_cmd "setup: pfctl_bpf -e -i r_int" r -e -i r_int
	assert_cmd "setup: pfctl_bpf -e -i r_ext" r -e -i r_ext
}

# nat_load NAME: the pf.conf on stdin, loaded into the router with -f.
nat_load() {
	cat >"$TEST_TMP/$1.conf"
	assert_cmd "load $1.conf ($(tr '\n' ';' <"$TEST_TMP/$1.conf"))" r -f "$TEST_TMP/$1.conf"
}

# nat_serve NS NAME PORT [udp|tcp6]: a server in NS that answers each
# connection (or datagram) with one line "NAME peer ADDR PORT": where the
# connection came from as that server saw it.  It then reads one line
# before closing, so a client holds the connection as long as it wants.
nat_serve() {
	local ns=$1 name=$2 port=$3 kind=${4:-tcp} addr
	# set -f: socat writes an IPv6 peer as [0000:...:0001], a glob for the
	# shell (and socat drops quotes from the address).
	local reply="set -f; echo $name peer \$SOCAT_PEERADDR \$SOCAT_PEERPORT; read x"
	case $kind in
	udp)
		bg nsx "$ns" socat "UDP4-RECVFROM:$port,reuseaddr,fork" SYSTEM:"$reply" 2>>"$TEST_TMP/serve.log"
		wait_for 5 sh -c "nsenter --net=/run/netns/$ns ss -lunH | grep -q ':$port '" ;;
	tcp6)
		bg nsx "$ns" socat "TCP6-LISTEN:$port,ipv6only=1,reuseaddr,fork" SYSTEM:"$reply" 2>>"$TEST_TMP/serve.log"
		wait_for 5 sh -c "nsenter --net=/run/netns/$ns ss -ltnH -6 | grep -q ':$port '" ;;
	*)
		bg nsx "$ns" socat "TCP4-LISTEN:$port,reuseaddr,fork" SYSTEM:"$reply" 2>>"$TEST_TMP/serve.log"
		wait_for 5 sh -c "nsenter --net=/run/netns/$ns ss -ltnH -4 | grep -q ':$port '" ;;
	esac
}

# nat_tcp NS ADDR PORT [SRCPORT [HOLD]]: connect from NS, print the
# server's line (empty when nothing came back); the connection stays open
# HOLD seconds.  IPv6 when ADDR has a colon.
nat_tcp() {
	local ns=$1 addr=$2 port=$3 sp=${4:-} hold=${5:-0} fam=4 opt=""
	case $addr in *:*) fam=6 addr="[$addr]" ;; esac
	[ -n "$sp" ] && opt=",sourceport=$sp,reuseaddr"
	(sleep "$hold"; echo bye) |
		nsx "$ns" socat -T 5 -t 2 STDIO "TCP$fam:$addr:$port,connect-timeout=2$opt" 2>/dev/null
}

# nat_udp NS ADDR PORT [SRCPORT]: one datagram, print the answer.
nat_udp() {
	local ns=$1 addr=$2 port=$3 sp=${4:-} opt=""
	[ -n "$sp" ] && opt=",sourceport=$sp"
	echo bye | nsx "$ns" socat -T 2 -t 1.5 STDIO "UDP4:$addr:$port$opt" 2>/dev/null
}

# socat6 ADDR: an IPv6 address as socat's SOCAT_PEERADDR writes it.
socat6() { "$PY" -c 'import ipaddress, sys; print("[%s]" % ipaddress.ip_address(sys.argv[1]).exploded)' "$1"; }

# peer_port LINE: the port of a "NAME peer ADDR PORT" line.
peer_port() { printf '%s\n' "$1" | awk '$2 == "peer" { print $4; exit }'; }

# assert_nat_port WHAT PORT: PORT lies in pfctl's default nat range.
assert_nat_port() {
	if [ -n "$2" ] && [ "$2" -ge "$NAT_PORT_LO" ] 2>/dev/null && [ "$2" -le "$NAT_PORT_HI" ]; then
		pass "$1"
	else
		fail "$1" "expected a port in $NAT_PORT_LO:$NAT_PORT_HI (pfctl's default nat range)" \
			"got: '${2}'"
	fi
}

# nat_states [REGEX]: the router's -ss lines matching REGEX (ERE).
nat_states() { r -ss 2>&1 | grep -E -- "${1:-.}" || true; }

# assert_state WHAT REGEX: some -ss line matches; all of -ss is shown
# when none does.
assert_state() { assert_match "$1" "$2" "$(r -ss 2>&1)"; }

# re STRING: STRING with the dots (and brackets) of addresses escaped.
re() { printf '%s' "$1" | sed 's/[].[]/\\&/g'; }
