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

# The upgrade scenario's objects: the datapath rebuilt with different code
# but the same map layout (answers with TTL 63, so the test sees the new
# code run), and with another layout (a bumped epoch), to be refused.
UPGRADE_OBJ := $(BUILD)/tests/pf_kern_rebuilt.bpf.o
EPOCH_OBJ   := $(BUILD)/tests/pf_kern_epoch999.bpf.o
$(UPGRADE_OBJ): bpf/pf_kern.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_CPU) -DPF_RETURN_TTL=63 -c $< -o $@
$(EPOCH_OBJ): bpf/pf_kern.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_CPU) -DPFBPF_LAYOUT_EPOCH=999 -c $< -o $@
ALL_TARGETS += $(UPGRADE_OBJ) $(EPOCH_OBJ)

RELIABILITY_NETNS = $(sort $(wildcard tests/netns/reliability_*.sh))
RELIABILITY_DEPS = $(BPF_OBJ) $(PFBPF_LOAD) $(BUILD)/pfctl_bpf $(BUILD)/pftrace $(XACT_HOLD) \
	$(UPGRADE_OBJ) $(EPOCH_OBJ)
RELIABILITY_ENV = BUILD=$(BUILD) XACT_HOLD=$(abspath $(XACT_HOLD)) \
	UPGRADE_OBJ=$(abspath $(UPGRADE_OBJ)) EPOCH_OBJ=$(abspath $(EPOCH_OBJ))

netns-reliability: $$(RELIABILITY_DEPS)
	$(Q)fail=0; for t in $(RELIABILITY_NETNS); do \
		echo "--- $$t"; \
		$(RELIABILITY_ENV) timeout 900 bash $$t || fail=1; \
	done; exit $$fail

soak: $$(RELIABILITY_DEPS)
	$(Q)fail=0; for t in $(RELIABILITY_NETNS); do \
		echo "--- $$t (soak)"; \
		$(RELIABILITY_ENV) RELIABILITY_SCALE=10 bash $$t || fail=1; \
	done; exit $$fail

TEST_STEPS += netns-reliability
.PHONY: netns-reliability soak
