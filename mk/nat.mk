# SPDX-License-Identifier: BSD-2-Clause
# NAT on a router (issue 8): the netns scenarios over the router topology
# of tests/netns/nat_lib.bash, and the router throughput bench.

# BPF_OBJ is named in mk/datapath.mk, read after this file: second
# expansion resolves it when the rule runs.
.SECONDEXPANSION:

# Each script builds its own namespaces and private bpffs; they run one
# after the other.  The timeout only guards against a hung run.
NAT_NETNS := $(sort $(wildcard tests/netns/nat_*.sh))
netns-nat: $(BUILD)/pfctl_bpf $(BUILD)/pfbpf-load $(BUILD)/examples/natlook $(BPF_OBJ)
	$(Q)rc=0; for t in $(NAT_NETNS); do \
		echo "--- $$t"; BUILD=$(BUILD) timeout 120 bash $$t || rc=1; \
	done; exit $$rc
TEST_STEPS += netns-nat

.PHONY: netns-nat

# Router throughput (bench/router_nat.sh): no filter, nftables masquerade,
# pfbpf nat; ratios against no filter of the same run.  Part of `make
# bench`, not of `make test`.
bench-router: $(BUILD)/pfctl_bpf $(BUILD)/pfbpf-load $(BPF_OBJ)
	$(Q)BUILD=$(BUILD) bash bench/router_nat.sh 5 3
	@echo "  wrote bench/results/router_nat.txt"
bench: bench-router

.PHONY: bench-router
