# SPDX-License-Identifier: BSD-2-Clause
# Loader area: libpfcommon (pinned maps, loader, logging), pfbpf-load, the
# netns datapath scenarios and `make demo`.


ALL_TARGETS += $(LIBCOMMON) $(PFBPF_LOAD)

# The loader attaches XDP through libxdp; other tools linking libpfcommon
# only need libbpf as long as they do not call the loader.
$(PFBPF_LOAD): LDLIBS += -lxdp
$(PFBPF_LOAD): $(call objs,user/pfbpf_load.c) $(LIBCOMMON)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@


# Every tool embeds the datapath object through the skeleton (pf_ctl on
# demand, pfctl_bpf -e), so libpfcommon's objects need it built first
# (all but the name tables and the JSON writer, which the parser, D and
# printer tests link alone).
$(call objs,$(filter-out user/lib/pf_names.c user/lib/json_out.c,$(wildcard user/lib/*.c)) \
	user/pfbpf_load.c): $(BPF_SKEL)

# --- tests -----------------------------------------------------------------

# Each scenario script isolates itself (private bpffs, its own namespaces);
# they run one after the other to spare the shared machine.  The timeout
# only guards against a hung run: nothing here is a timed test.
NETNS_DATAPATH_TESTS := $(sort $(wildcard tests/netns/datapath_*.sh tests/netns/attach_*.sh))
TEST_STEPS += netns-datapath

netns-datapath: $(BPF_OBJ) $(PFBPF_LOAD) $(BUILD)/pfctl_bpf
	$(Q)fail=0; for t in $(NETNS_DATAPATH_TESTS); do \
		echo "--- $$t"; \
		BUILD=$(BUILD) timeout 600 $$t || fail=1; \
	done; exit $$fail

# --- demo --------------------------------------------------------------------

# Only what the demo runs, so that a broken test binary elsewhere cannot
# stop it.
DEMO_TOOLS = $(BPF_OBJ) $(PFBPF_LOAD) $(BUILD)/pfctl_bpf $(BUILD)/pfbpf-exporter \
	$(BUILD)/examples/natlook $(BUILD)/pftrace

demo-tools:
	$(Q)$(MAKE) --no-print-directory $(DEMO_TOOLS)

demo: deps-check
	$(Q)$(MAKE) --no-print-directory demo-tools
	$(Q)BUILD=$(BUILD) scripts/demo.sh
	$(Q)BUILD=$(BUILD) scripts/demo_nat.sh

.PHONY: netns-datapath demo demo-tools

# Unit tests of pfbpf_maps.h against the real object (private pin folder).
LOAD_TESTS_SRCS := $(wildcard tests/unit/test_load_*.c)
$(call objs,$(LOAD_TESTS_SRCS)): $(BPF_SKEL)
$(BUILD)/test_load: $(call objs,$(LOAD_TESTS_SRCS)) $(LIBCOMMON)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ -lcriterion $(LDLIBS)

ALL_TARGETS += $(BUILD)/test_load
TEST_STEPS += test-load

test-load: $(BUILD)/test_load
	$(Q)$(BUILD)/test_load -j1 --verbose=0

.PHONY: test-load
