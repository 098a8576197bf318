# SPDX-License-Identifier: BSD-2-Clause
# The rule classifier: compiler library, probe object, unit tests.

CLS_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_cls_*.c))
CLS_PROBE_OBJS := $(call objs,tests/unit/cls_probe.c)

$(CLS_LIB): $(call objs,$(wildcard user/cls/*.c))

$(CLS_PROBE): tests/unit/cls_probe.bpf.c bpf/pf_cls.h bpf/pf_pkt.h include/pfbpf_cls.h \
		include/pfbpf_types.h $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/test_cls_%: $(BUILD)/obj/tests/unit/test_cls_%.o $(CLS_PROBE_OBJS) $(CLS_LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

# the objects are kept: a pattern-built test would otherwise drop them
.SECONDARY: $(patsubst $(BUILD)/tests/%,$(BUILD)/obj/tests/unit/%.o,$(CLS_TESTS)) $(CLS_PROBE_OBJS)

# The datapath test runs rulesets through build/pf_kern.bpf.o with the
# core's harness (tests/unit/harness.c).
$(BUILD)/obj/tests/unit/test_cls_datapath.o: $(BPF_SKEL)
$(BUILD)/tests/test_cls_datapath: $(BUILD)/obj/tests/unit/test_cls_datapath.o \
		$(call objs,tests/unit/harness.c) $(CLS_LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

ALL_TARGETS += $(CLS_LIB) $(CLS_PROBE) $(CLS_TESTS)
TEST_STEPS  += test-cls

# Tests load BPF objects: one job at a time keeps memory use and CPU share
# small on the shared machine.
test-cls: $(CLS_TESTS) $(CLS_PROBE) $(BPF_OBJ)
	$(Q)rc=0; for t in $(CLS_TESTS); do echo "  RUN      $$t"; $$t --jobs 1 || rc=1; done; exit $$rc

.PHONY: test-cls

# The core tests load rulesets through tests/unit/harness_rules.c, which
# calls the compiler: link it and the library into test_core too ($^
# drops duplicates, so this stays right if datapath.mk lists them later).
$(BUILD)/test_core: $(call objs,tests/unit/harness_rules.c) $(CLS_LIB)
