# SPDX-License-Identifier: BSD-2-Clause
# pfctl_bpf: the command-line tool, its formatting library and its tests.
#
# The printers (user/pfctl/*.c but kern.c) need nothing but libc, so the
# formatting tests build even where the datapath cannot; kern.c is the one
# place that talks to the kernel through libpfbpf (branch ctl).

PFCTL_FMT_SRCS := $(filter-out user/pfctl/kern.c,$(wildcard user/pfctl/*.c))
LIBPFCTL := $(BUILD)/libpfctl.a
$(LIBPFCTL): $(call objs,$(PFCTL_FMT_SRCS))

PFCTL_TEST_SRCS := $(wildcard tests/unit/test_pfctl_*.c)
PFCTL_TEST_BIN := $(BUILD)/tests/test_pfctl

$(PFCTL_TEST_BIN): $(call objs,$(PFCTL_TEST_SRCS)) $(LIBPFCTL)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion

# Objects under tests/unit include "pfctl/pfctl.h" from user/.
$(call objs,$(PFCTL_TEST_SRCS)): CPPFLAGS += -Itests/unit

test-pfctl: $(PFCTL_TEST_BIN)
	$(Q)$(PFCTL_TEST_BIN) --jobs 2

ALL_TARGETS += $(LIBPFCTL)
TEST_STEPS += test-pfctl

.PHONY: test-pfctl
