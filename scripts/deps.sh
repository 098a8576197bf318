#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Install pfbpf's build and test dependencies from Debian packages when any
# is missing.  Quiet when everything is there; needs root otherwise.
set -euo pipefail

pkgs=(clang llvm libbpf-dev bpftool libxdp-dev xdp-tools libcriterion-dev
      iproute2 libelf-dev zlib1g-dev pkg-config python3-scapy socat tcpdump
      iperf3 netsniff-ng nftables conntrack afl++ make gcc mandoc
      libclang-rt-14-dev util-linux procps iputils-ping
      libmicrohttpd-dev prometheus curl gnuplot-nox bc file
      lintian dpkg-dev binutils libncurses-dev tmux)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages: ${missing[*]}; run 'make deps' as root" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# bpffs: the shared state table is pinned there.
if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
	if [ "$(id -u)" -eq 0 ]; then
		mount -t bpf bpf /sys/fs/bpf
	fi
fi
