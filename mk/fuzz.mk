# SPDX-License-Identifier: BSD-2-Clause
# Fuzzing (issue 12): libFuzzer targets from Debian's clang, each built with
# AddressSanitizer and UndefinedBehaviorSanitizer:
#   dt_fuzz     the D engine of pftrace (mk/dt.mk builds it)
#   conf_fuzz   the pf.conf parser and printer
#   table_fuzz  the table-file reader of -T ... -f FILE
#   pkt_fuzz    the datapath: mutated frames through BPF_PROG_TEST_RUN with
#               its invariants checked after every packet (needs root)
# `make fuzz` runs each for FUZZ_TIME seconds (600); `fuzz-smoke`, part of
# `make test`, runs each briefly.  Kept corpora live in tests/fuzz/<target>/
# (tests/fuzz/corpus is the D engine's); what a run finds goes into
# $(BUILD)/fuzz/<target>/, a crashing input into $(BUILD)/fuzz-artifacts/.
# Only paths, no other fragment's variables, appear in prerequisites, so
# the order mk/*.mk are read in does not matter.

FUZZ_TIME ?= 600
FUZZ_SMOKE_TIME ?= 10
FUZZ_CC = $(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	$(CPPFLAGS) -D_GNU_SOURCE -std=gnu11

CONF_FUZZ := $(BUILD)/fuzz/conf_fuzz
CONF_FUZZ_SRCS := tests/fuzz/conf_fuzz.c $(wildcard user/conf/*.c) user/lib/pf_names.c
$(CONF_FUZZ): $(CONF_FUZZ_SRCS) $(wildcard user/conf/*.h include/*.h)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(CONF_FUZZ_SRCS) -lm -o $@

# The reader and the printers it shares pfctl_taddr_parse with.
TABLE_FUZZ := $(BUILD)/fuzz/table_fuzz
TABLE_FUZZ_SRCS := tests/fuzz/table_fuzz.c user/pfctl/addr_file.c user/pfctl/show_tables.c \
	user/pfctl/fmt.c user/lib/pf_names.c user/lib/json_out.c user/lib/log.c
$(TABLE_FUZZ): $(TABLE_FUZZ_SRCS) user/pfctl/pfctl.h
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(TABLE_FUZZ_SRCS) -lbpf -lm -o $@

# The datapath through the unit-test harness (it loads build/pf_kern.bpf.o
# unpinned) and the real rule compiler.
PKT_FUZZ := $(BUILD)/fuzz/pkt_fuzz
PKT_FUZZ_SRCS := tests/fuzz/pkt_fuzz.c tests/unit/harness.c tests/unit/harness_rules.c
$(PKT_FUZZ): $(PKT_FUZZ_SRCS) tests/unit/harness.h $(BUILD)/pf_kern.skel.h $(BUILD)/libpfcls.a
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) -Itests/unit $(PKT_FUZZ_SRCS) $(BUILD)/libpfcls.a \
		-lcriterion -lbpf -lelf -lz -o $@

FUZZ_BINS := $(BUILD)/dt_fuzz $(CONF_FUZZ) $(TABLE_FUZZ) $(PKT_FUZZ)
ALL_TARGETS += $(CONF_FUZZ) $(TABLE_FUZZ) $(PKT_FUZZ)

# Seeds copied fresh on every run so they follow the files they come from.
define fuzz_seeds
	$(Q)rm -rf $(BUILD)/fuzz/seeds && mkdir -p $(BUILD)/fuzz/seeds/conf \
		$(BUILD)/fuzz/seeds/pkt $(BUILD)/fuzz-artifacts \
		$(BUILD)/fuzz/dt $(BUILD)/fuzz/conf $(BUILD)/fuzz/table $(BUILD)/fuzz/pkt
	$(Q)cp tests/rules/*.conf $(BUILD)/fuzz/seeds/conf/
	$(dt_fuzz_seed)
endef

# $(call fuzz_one,name,binary,seconds,flags,corpus dirs): run one target,
# print libFuzzer's last line, on failure its log's tail and where the
# input is; the status of the whole step is the worst of the targets.
define fuzz_one
	if $(2) -max_total_time=$(3) -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=$(BUILD)/fuzz-artifacts/$(1)- $(4) $(5) \
		> $(BUILD)/fuzz/$(1).log 2>&1; then \
		printf '%-6s %s\n' $(1) "$$(grep '^Done' $(BUILD)/fuzz/$(1).log)"; \
	else \
		tail -n 40 $(BUILD)/fuzz/$(1).log; \
		echo "fuzz $(1): FAILED, input saved in $(BUILD)/fuzz-artifacts/"; rc=1; \
	fi;
endef

define fuzz_all
	$(fuzz_seeds)
	$(Q)rc=0; \
	$(call fuzz_one,dt,$(BUILD)/dt_fuzz,$(1),-max_len=4096,$(DT_FUZZ_DIRS)) \
	$(call fuzz_one,conf,$(CONF_FUZZ),$(1),-max_len=8192,\
		$(BUILD)/fuzz/conf $(BUILD)/fuzz/seeds/conf tests/fuzz/conf) \
	$(call fuzz_one,table,$(TABLE_FUZZ),$(1),-max_len=4096 -close_fd_mask=2,\
		$(BUILD)/fuzz/table tests/fuzz/table) \
	$(call fuzz_one,pkt,env PFBPF_FUZZ_SEEDS=$(BUILD)/fuzz/seeds/pkt $(PKT_FUZZ),$(1),\
		-max_len=1600,$(BUILD)/fuzz/pkt $(BUILD)/fuzz/seeds/pkt tests/fuzz/pkt) \
	exit $$rc
endef

fuzz: $(FUZZ_BINS)
	$(call fuzz_all,$(FUZZ_TIME))

fuzz-smoke: $(FUZZ_BINS)
	$(call fuzz_all,$(FUZZ_SMOKE_TIME))

TEST_STEPS += fuzz-smoke
.PHONY: fuzz fuzz-smoke
