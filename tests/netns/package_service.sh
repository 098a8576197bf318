#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The Debian package: installed into this machine's root, then the service
# driven the way systemd drives it (this machine's PID 1 is not systemd, so
# the unit's ExecStart/ExecReload/ExecStop lines run directly, with its
# EnvironmentFile read as systemd reads it): start on a veth with real
# traffic, reload under a live TCP connection (it survives, same state),
# a broken pf.conf refused at start and at reload, stop (programs and pins
# gone), purge (every file gone).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/datapath_scenarios.bash"

require_tools ip tc nsenter socat ss dpkg dpkg-query bpftool
UNIT=/lib/systemd/system/pfbpf.service
: "${PFBPF_DEB:?PFBPF_DEB: the package to test (make deb)}"

if dpkg-query -W -f='${Status}' pfbpf 2>/dev/null | grep -q 'install ok installed'; then
	echo "not ok 1 - pfbpf is already installed on this machine; this test installs and purges its own"
	echo "0 passed, 1 failed"
	exit 1
fi
# The package goes even when the test fails half way.
trap 'dpkg --purge pfbpf >/dev/null 2>&1; cleanup' EXIT

# unit_cmd KEY: the command of the unit's Exec line KEY.
unit_cmd() { sed -n "s/^$1=//p" "$UNIT"; }

# service KEY: run the unit's KEY command inside B with the unit's
# environment (EnvironmentFile=-/etc/default/pfbpf, here the test's file).
service() {
	local cmd
	cmd=$(unit_cmd "$1")
	nsx "$NS_B" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		bash -c "set -a; . '$TEST_TMP/default'; set +a; exec $cmd"
}

pf() { nsx "$NS_B" /usr/sbin/pfctl_bpf "$@"; }

test_install() {
	assert_cmd "dpkg -i" dpkg -i "$PFBPF_DEB"
	local f
	for f in /usr/sbin/pfctl_bpf /usr/sbin/pftrace /usr/sbin/pfbpf-load /usr/sbin/pfbpf-exporter \
		/usr/lib/pfbpf/pf_kern.bpf.o /usr/lib/pfbpf/pfbpf-service "$UNIT" /etc/default/pfbpf \
		/usr/share/man/man8/pfctl_bpf.8.gz /usr/share/man/man5/pf.conf.5.gz \
		/usr/share/doc/pfbpf/copyright /usr/share/doc/pfbpf/examples/pf.conf; do
		assert_cmd "installed: $f" test -e "$f"
	done
	assert_match "the unit starts with the pfbpf-service start" \
		'^/usr/lib/pfbpf/pfbpf-service start$' "$(unit_cmd ExecStart)"
	assert_match "/etc/default/pfbpf is a conffile" '/etc/default/pfbpf' \
		"$(dpkg-query -W -f='${Conffiles}' pfbpf)"
	assert_cmd "the installed pfctl_bpf parses the example ruleset" \
		/usr/sbin/pfctl_bpf -n -f /usr/share/doc/pfbpf/examples/pf.conf
}

test_start() {
	# the interfaces from the ruleset this time (the default file names
	# none): `set pfbpf interfaces`
	cat > "$TEST_TMP/pf.conf" <<-EOF
	set pfbpf interfaces { $VETH_B }
	block in all
	pass out all keep state
	pass in proto tcp to port 8022 keep state
	EOF
	cat > "$TEST_TMP/default" <<-EOF
	PFBPF_INTERFACES=
	PFBPF_CONF=$TEST_TMP/pf.conf
	EOF
	assert_cmd "ExecStart" service ExecStart
	assert_match "pf is running" '^Enabled$' "$(pf -s Running 2>&1)"
	assert_match "the ruleset is loaded" 'port = 8022' "$(pf -sr)"
	dp_server "$NS_B" 4 8022
	dp_server "$NS_B" 4 8023
	if tcp_probe_to 8022; then pass "inbound to the pass rule's port"; else fail "inbound to the pass rule's port"; fi
	if tcp_probe_to 8023; then fail "inbound elsewhere is blocked"; else pass "inbound elsewhere is blocked"; fi
}

# tcp_probe_to PORT: one echo from A to B's PORT.
tcp_probe_to() {
	[ "$(echo probe | nsx "$NS_A" socat -T 2 STDIO "TCP4:$B4:$1,connect-timeout=2" 2>/dev/null)" = probe ]
}

test_reload_keeps_connection() {
	local before after
	dp_server "$NS_A" 4 8080
	dp_client_open "$NS_B" 4 "$A4" 8080
	if dp_echo before-reload; then pass "a connection out"; else fail "a connection out"; fi
	before=$(pf -ss | grep " $A4:8080 ")
	assert_match "its state" 'ESTABLISHED:ESTABLISHED' "$before"
	cat >> "$TEST_TMP/pf.conf" <<-EOF
	pass in proto tcp to port 8023 keep state
	EOF
	assert_cmd "ExecReload" service ExecReload
	assert_match "the new rule is loaded" 'port = 8023' "$(pf -sr)"
	if tcp_probe_to 8023; then pass "the new rule passes"; else fail "the new rule passes"; fi
	if dp_echo after-reload; then pass "the connection survives the reload"; else
		fail "the connection survives the reload" "client got: $(cat "$CL_OUT")"; fi
	after=$(pf -ss | grep " $A4:8080 ")
	assert_eq "the same state carries it" "$before" "$after"

	echo "pass in proto tcp to port 8024 flags S/SA keep state bogus" >> "$TEST_TMP/pf.conf"
	assert_fails "ExecReload with a broken pf.conf fails" service ExecReload
	assert_match "the running ruleset is unchanged" 'port = 8023' "$(pf -sr)"
	if dp_echo after-bad-reload; then pass "the connection survives a refused reload"; else
		fail "the connection survives a refused reload"; fi
	dp_client_close
}

test_stop() {
	local progs
	assert_cmd "ExecStop" service ExecStop
	assert_nomatch "no XDP program on the veth" 'xdp' "$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	assert_eq "no tc filter on the veth (ingress)" "" \
		"$(nsx "$NS_B" tc filter show dev "$VETH_B" ingress 2>/dev/null)"
	assert_eq "no tc filter on the veth (egress)" "" \
		"$(nsx "$NS_B" tc filter show dev "$VETH_B" egress 2>/dev/null)"
	assert_eq "no pins left" "" \
		"$(find /sys/fs/bpf/tc/globals /sys/fs/bpf/pfbpf -mindepth 1 ! -type d 2>/dev/null)"
	# the kernel frees a program after an RCU grace period, not at the
	# unpin: give it a few seconds before counting what is left
	wait_for 10 sh -c "! bpftool prog show 2>/dev/null | grep -qE ' name (pf_xdp|pf_tc_|pf_ctl|pf_sweep)'" || true
	progs=$(bpftool prog show 2>/dev/null | grep -cE ' name (pf_xdp|pf_tc_|pf_ctl|pf_sweep)' || true)
	assert_eq "no pfbpf program left in the kernel" 0 "$progs"
	if tcp_probe_to 8023; then pass "unfiltered again"; else fail "unfiltered again"; fi
}

test_start_refuses_broken_conf() {
	echo "this is not pf.conf" > "$TEST_TMP/pf.conf"
	assert_fails "ExecStart with a broken pf.conf fails" service ExecStart
	assert_nomatch "nothing was attached" 'xdp' "$(nsx "$NS_B" ip -d link show dev "$VETH_B")"
	assert_eq "no tc filter was attached" "" \
		"$(nsx "$NS_B" tc filter show dev "$VETH_B" ingress 2>/dev/null)$(nsx "$NS_B" tc filter show dev "$VETH_B" egress 2>/dev/null)"
}

test_purge() {
	assert_cmd "dpkg --purge" dpkg --purge pfbpf
	local f
	for f in /usr/sbin/pfctl_bpf /usr/lib/pfbpf "$UNIT" /etc/default/pfbpf /usr/share/doc/pfbpf; do
		assert_cmd "gone: $f" test ! -e "$f"
	done
}

if ! netns_pair pkg; then
	fail "setup: namespaces and veth"
	finish
fi
run_test test_install
run_test test_start
run_test test_reload_keeps_connection
run_test test_stop
run_test test_start_refuses_broken_conf
run_test test_purge
finish
