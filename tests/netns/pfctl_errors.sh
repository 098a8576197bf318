#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# pfctl_bpf's one-line messages when it cannot work: datapath not loaded,
# bpffs not mounted, not root; usage errors; -n needs no kernel.
. "$(dirname "$0")/lib.sh"

require_tools setpriv pfctl_bpf

# one_line WHAT REGEX CMD...: CMD fails with exactly one line matching REGEX.
one_line() {
	local what=$1 re=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
		printf '%s\n' "$out" | grep -Eq -- "$re"; then
		pass "$what"
	else
		fail "$what" "exit $rc, expected one line matching: $re" "$out"
	fi
}

test_not_loaded() {
	one_line "-si without a datapath" 'datapath is not loaded.*pfctl_bpf -e -i' "$PFCTL" -si
	one_line "-ss without a datapath" 'datapath is not loaded' "$PFCTL" -ss
	one_line "-F states without a datapath" 'datapath is not loaded' "$PFCTL" -F states
}

test_no_bpffs() {
	# A tmpfs over our private bpffs: unmounting would only uncover the
	# host's bpffs underneath.
	mount -t tmpfs nobpf /sys/fs/bpf
	one_line "-si with no bpffs" "no bpffs mounted at /sys/fs/bpf.*mount -t bpf" "$PFCTL" -si
	umount /sys/fs/bpf
}

test_not_root() {
	one_line "-si as an unprivileged user" 'permission denied.*root' \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$PFCTL" -si
	one_line "-e as an unprivileged user" 'permission denied.*root' \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$PFCTL" -e -i lo
}

test_usage() {
	local out
	out=$("$PFCTL" -s bogus 2>&1)
	assert_eq "an unknown -s modifier fails" 1 "$?"
	assert_match "and says so" "Unknown show modifier 'bogus'" "$out"
	assert_fails "-k thrice" "$PFCTL" -k 192.0.2.1 -k 192.0.2.2 -k 192.0.2.3
	assert_fails "-T without -t" "$PFCTL" -T show
}

test_parse_only() {
	printf 'block all\npass out keep state\n' > "$TEST_TMP/ok.conf"
	assert_cmd "-nf needs no datapath" "$PFCTL" -nf "$TEST_TMP/ok.conf"
	assert_match "-nvf prints the ruleset" '^pass out' "$("$PFCTL" -nvf "$TEST_TMP/ok.conf")"
	printf 'block all\npass out keep sate\n' > "$TEST_TMP/bad.conf"
	local out
	out=$("$PFCTL" -nf "$TEST_TMP/bad.conf" 2>&1)
	assert_eq "-nf of a bad file fails" 1 "$?"
	assert_match "naming file and line" 'bad\.conf:2' "$out"
}

run_test test_not_loaded
run_test test_no_bpffs
run_test test_not_root
run_test test_usage
run_test test_parse_only
finish
