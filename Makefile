# SPDX-License-Identifier: BSD-2-Clause
# pfbpf top-level build.  `make` builds everything, `make test` runs the whole
# suite, `make demo` shows the datapath on its embedded default, `make bench`
# measures.  Each area (datapath, pfctl, pftrace, tests) adds its own targets
# in mk/<area>.mk so that the pieces can grow independently.

.DELETE_ON_ERROR:
.SUFFIXES:
.DEFAULT_GOAL := all

BUILD   ?= build
CLANG   ?= clang
CC      ?= gcc
BPFTOOL ?= bpftool
ARCH    := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

ifeq ($(V),1)
  Q :=
  msg :=
else
  Q := @
  msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE
CPPFLAGS += -Iinclude -Iuser -I$(BUILD)
LDLIBS   += -lbpf -lelf -lz
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wno-unused-function \
	-Iinclude -Ibpf -I$(BUILD)

# Filled in by mk/*.mk
ALL_TARGETS :=
TEST_STEPS  :=
CLEAN_FILES :=

all: deps-check
	$(Q)$(MAKE) --no-print-directory build-all

$(BUILD):
	$(Q)mkdir -p $@

$(BUILD)/vmlinux.h: | $(BUILD)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

# Generic compile rule for every user-space source under user/, tests/,
# bench/: fragments only list sources.  -MMD keeps header dependencies.
objs = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

$(BUILD)/obj/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.a:
	$(call msg,AR,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# libpfbpf-common: pinned-map access and the loader (user/lib).
LIBCOMMON := $(BUILD)/libpfcommon.a
$(LIBCOMMON): $(call objs,$(wildcard user/lib/*.c))

include $(sort $(wildcard mk/*.mk))

build-all: $(ALL_TARGETS)

# Dependencies come from Debian packages; scripts/deps.sh installs what is
# missing and says so.  `make deps` forces the check.
deps deps-check:
	$(Q)scripts/deps.sh

test: deps-check
	$(Q)$(MAKE) --no-print-directory build-all
	$(Q)scripts/run-tests.sh $(TEST_STEPS)

clean:
	rm -rf $(BUILD) $(CLEAN_FILES)

.PHONY: all build-all deps deps-check test clean
