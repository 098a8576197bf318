# SPDX-License-Identifier: BSD-2-Clause
# pfbpf-exporter: pf's counters as Prometheus metrics over HTTP
# (user/pfbpf_exporter.c, user/exporter/), its unit tests and netns scenario.
#
# The collector reads pf through pfctl_bpf's kernel layer (user/pfctl/kern.c)
# and libpfbpf, so its numbers are pfctl_bpf -si / -sr -v / -sI -v's.

PFBPF_EXPORTER := $(BUILD)/pfbpf-exporter
EXPORTER_LIB_OBJS := $(call objs,$(wildcard user/exporter/*.c) user/pfctl/kern.c)
# libpfbpf's archives are named in mk/ioctl.mk, read after this file:
# second expansion resolves them when the rules run, not where they stand.
EXPORTER_LIBS = $(LIBIOCTL) $(IOCTL_CLS) $(LIBCOMMON)
.SECONDEXPANSION:

$(PFBPF_EXPORTER): LDLIBS += -lmicrohttpd -lm -lxdp
$(PFBPF_EXPORTER): $(call objs,user/pfbpf_exporter.c) $(EXPORTER_LIB_OBJS) $$(EXPORTER_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Unit tests: the text format alone, and one scrape of a real datapath
# pinned in a private folder (tests/unit/ioctl_env.c).
EXPORTER_TEST := $(BUILD)/tests/test_exporter
# the collector asks the loader's pins which hook each interface has
$(EXPORTER_TEST): LDLIBS += -lxdp
$(call objs,tests/unit/test_exporter.c): CPPFLAGS += -DCTL_BPF_OBJ='"$(abspath $(BPF_OBJ))"'
$(EXPORTER_TEST): $(call objs,tests/unit/test_exporter.c) $$(IOCTL_ENV_OBJ) $(EXPORTER_LIB_OBJS) \
		$$(EXPORTER_LIBS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(LDLIBS) -lm

ALL_TARGETS += $(PFBPF_EXPORTER) $(EXPORTER_TEST)

# netns: scrapes while traffic passes, promtool, bad addresses, non-root.
EXPORTER_NETNS := $(sort $(wildcard tests/netns/exporter_*.sh))
test-exporter: $(EXPORTER_TEST) $(PFBPF_EXPORTER) $(BUILD)/pfctl_bpf $(BPF_OBJ)
	$(Q)rc=0; $(EXPORTER_TEST) -j1 || rc=1; \
	for t in $(EXPORTER_NETNS); do \
		echo "--- $$t"; PFCTL=$(abspath $(BUILD)/pfctl_bpf) \
		EXPORTER=$(abspath $(PFBPF_EXPORTER)) bash $$t || rc=1; \
	done; exit $$rc
TEST_STEPS += test-exporter
.PHONY: test-exporter
