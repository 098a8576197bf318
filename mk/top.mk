# SPDX-License-Identifier: BSD-2-Clause
# pftop_bpf: pftop's live view of states and rules (user/pftop_bpf.c,
# user/top/), ncurses from Debian's libncurses-dev, and its tests: the
# filter and views in Criterion, the screen under tmux in tests/netns.

PFTOP_BPF := $(BUILD)/pftop_bpf
TOP_LIB_OBJS := $(call objs,$(wildcard user/top/*.c) user/pfctl/kern.c)
# libpfbpf (mk/ioctl.mk), the printer (mk/conf.mk) and libpfcommon are
# named in fragments read after this one: second expansion.
TOP_LIBS = $(LIBPFCLI) $(LIBIOCTL) $(IOCTL_CLS) $(LIBCONF) $(LIBCOMMON)
.SECONDEXPANSION:

$(PFTOP_BPF): LDLIBS += -lncurses
$(PFTOP_BPF): $(call objs,user/pftop_bpf.c) $(TOP_LIB_OBJS) $$(TOP_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

TOP_TEST := $(BUILD)/tests/test_top
$(call objs,tests/unit/test_top.c): CPPFLAGS += -DCTL_BPF_OBJ='"$(abspath $(BPF_OBJ))"'
$(TOP_TEST): $(call objs,tests/unit/test_top.c) $$(IOCTL_ENV_OBJ) $(TOP_LIB_OBJS) $$(TOP_LIBS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

ALL_TARGETS += $(PFTOP_BPF) $(TOP_TEST)

TOP_NETNS := $(sort $(wildcard tests/netns/top_*.sh))
test-top: $(TOP_TEST) $(PFTOP_BPF) $(BUILD)/pfctl_bpf $(BPF_OBJ)
	$(Q)rc=0; $(TOP_TEST) -j1 || rc=1; \
	for t in $(TOP_NETNS); do \
		echo "--- $$t"; PFTOP=$(abspath $(PFTOP_BPF)) bash $$t || rc=1; \
	done; exit $$rc
TEST_STEPS += test-top
.PHONY: test-top

# pftop at a million states (bench/top_refresh.c): refresh time and memory
# at 1,000 and 1,000,000 states.  Part of `make bench`; a 20,000-state run
# in bench-smoke keeps it building and running.
BENCH_TOP := $(BUILD)/bench-top
$(call objs,bench/top_refresh.c): CPPFLAGS += -DTOP_BENCH_OBJ='"$(abspath $(BPF_OBJ))"'
$(BENCH_TOP): $(call objs,bench/top_refresh.c) $(TOP_LIB_OBJS) $$(TOP_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
ALL_TARGETS += $(BENCH_TOP)

bench-top: $(BENCH_TOP) $(BPF_OBJ)
	$(Q)mkdir -p bench/results
	$(Q)$(BENCH_TOP) 1000000 bench/results/top.txt
bench-top-smoke: $(BENCH_TOP) $(BPF_OBJ)
	$(Q)$(BENCH_TOP) 20000 $(BUILD)/bench-top-smoke.txt >/dev/null
bench: bench-top
bench-smoke: bench-top-smoke
.PHONY: bench-top bench-top-smoke
