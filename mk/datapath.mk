# SPDX-License-Identifier: BSD-2-Clause
# Datapath (issue 2): the BPF object, its skeleton and the core unit tests.

# v3: 32-bit atomics (per-rule state counts); every kernel with bpf_timer has it.
BPF_CPU  := -mcpu=v3

$(BPF_OBJ): bpf/pf_kern.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BPF_CPU) -c $< -o $@
	$(Q)if llvm-objdump -h $@ | grep -Eq ' \.(bss|data|rodata)'; then \
		echo "$@: global data section in the BPF object (iproute2 attachments would not share it)" >&2; \
		rm -f $@; exit 1; fi

$(BPF_SKEL): $(BPF_OBJ)
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name pf_kern > $@

# Criterion harness shared by every area's BPF tests.
HARNESS_RULES_OBJ := $(call objs,tests/unit/harness_rules.c)
$(HARNESS_OBJ) $(HARNESS_RULES_OBJ): $(BPF_SKEL)

TEST_CORE_SRCS := $(wildcard tests/unit/test_core_*.c)
TEST_CORE_OBJS := $(call objs,$(TEST_CORE_SRCS))
$(TEST_CORE_OBJS): $(BPF_SKEL)

$(BUILD)/test_core: $(TEST_CORE_OBJS) $(HARNESS_OBJ) $(HARNESS_RULES_OBJ) $(CLS_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ -lcriterion $(LDLIBS)

ALL_TARGETS += $(BPF_OBJ) $(BPF_SKEL) $(BUILD)/test_core
TEST_STEPS  += test-core

# Criterion forks one process per test; -j1 keeps the shared 2-core machine usable.
test-core: $(BUILD)/test_core
	$(Q)$(BUILD)/test_core -j1 --verbose=0

.PHONY: test-core
