# SPDX-License-Identifier: BSD-2-Clause
# Reliability (issue 12): faults and reloads under traffic, in netns
# scenarios (tests/netns/reliability_*.sh).  `make test` runs the short
# versions; `make soak` the long ones (RELIABILITY_SCALE=10: ten times as
# many reloads and cycles).  The test-only clients live in tests/tools/.

XACT_HOLD := $(BUILD)/tests/xact_hold
$(XACT_HOLD): $(call objs,tests/tools/xact_hold.c) $$(LIBIOCTL) $$(IOCTL_CLS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
ALL_TARGETS += $(XACT_HOLD)

RELIABILITY_NETNS = $(sort $(wildcard tests/netns/reliability_*.sh))
RELIABILITY_DEPS = $(BPF_OBJ) $(PFBPF_LOAD) $(BUILD)/pfctl_bpf $(BUILD)/pftrace $(XACT_HOLD)

netns-reliability: $$(RELIABILITY_DEPS)
	$(Q)fail=0; for t in $(RELIABILITY_NETNS); do \
		echo "--- $$t"; \
		BUILD=$(BUILD) XACT_HOLD=$(abspath $(XACT_HOLD)) timeout 900 bash $$t || fail=1; \
	done; exit $$fail

soak: $$(RELIABILITY_DEPS)
	$(Q)fail=0; for t in $(RELIABILITY_NETNS); do \
		echo "--- $$t (soak)"; \
		BUILD=$(BUILD) XACT_HOLD=$(abspath $(XACT_HOLD)) RELIABILITY_SCALE=10 bash $$t || fail=1; \
	done; exit $$fail

TEST_STEPS += netns-reliability
.PHONY: netns-reliability soak
