# SPDX-License-Identifier: BSD-2-Clause
# pftrace: the ring-buffer consumer and D script runner (user/pftrace.c,
# user/trace/), its unit tests and netns scenarios.

$(LIBTRACE): $(call objs,$(wildcard user/trace/*.c))

# The D engine is libpfdt.a (LIBDT, mk/00-paths.mk; built by mk/dt.mk).
$(BUILD)/pftrace: $(BUILD)/obj/user/pftrace.o $(LIBTRACE) $(LIBDT) $(LIBCOMMON)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS) -lm

ALL_TARGETS += $(BUILD)/pftrace $(BUILD)/test_trace

# Unit tests: every tests/unit/test_trace_*.c in one Criterion binary,
# with pftrace.c itself compiled without its main() for the CLI tests.
TRACE_NOMAIN := $(BUILD)/obj/tests/trace/pftrace_nomain.o
$(TRACE_NOMAIN): user/pftrace.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DPFTRACE_NO_MAIN \
		-MMD -MP -c $< -o $@

TRACE_TEST_SRCS := $(wildcard tests/unit/test_trace_*.c)
$(BUILD)/test_trace: $(call objs,$(TRACE_TEST_SRCS)) $(TRACE_NOMAIN) $(LIBTRACE) $(LIBDT) $(LIBCOMMON)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ -lcriterion $(LDLIBS) -lm

test-trace: $(BUILD)/test_trace
	$(Q)$(BUILD)/test_trace --jobs 1

# netns scenarios need root, the BPF object and the loader: they fail (not
# skip) with a message when something is missing.
netns-trace: $(BUILD)/pftrace $(BUILD)/pftrace-inject
	$(Q)rc=0; for t in tests/netns/pftrace_*.sh; do \
		echo "--- $$t"; BUILD=$(BUILD) bash $$t || rc=1; done; exit $$rc

TEST_STEPS += test-trace netns-trace
.PHONY: test-trace netns-trace

# pftrace-inject: a test-only event source writing into the pinned ring
# buffer through a SEC("syscall") program (tests/trace/inject.bpf.c).
$(BUILD)/pftrace_inject.bpf.o: tests/trace/inject.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/pftrace_inject.skel.h: $(BUILD)/pftrace_inject.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name pftrace_inject > $@

$(BUILD)/obj/tests/trace/inject.o: $(BUILD)/pftrace_inject.skel.h
$(BUILD)/obj/tests/trace/inject.o: CPPFLAGS += -Itests/unit

$(BUILD)/pftrace-inject: $(BUILD)/obj/tests/trace/inject.o $(LIBCOMMON)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS)

ALL_TARGETS += $(BUILD)/pftrace-inject
