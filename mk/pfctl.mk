# SPDX-License-Identifier: BSD-2-Clause
# pfctl_bpf: the command-line tool, its formatting library and its tests.
#
# libpfcli is the whole tool but main() (user/pfctl/*.c: cli.c's
# pfctl_main, the command files, messages and printers).  The printers
# need nothing but libc, pf's name tables (PF_NAMES_OBJ) and the JSON
# writer (JSON_OUT_OBJ) and the table-file reader's messages (lib/log.c),
# so the formatting tests link the archive alone
# and pull in only those; the tool and the CLI tests add libpfbpf, the
# pf.conf library and the loader.

$(LIBPFCLI): $(call objs,$(wildcard user/pfctl/*.c))

PFCTL_TEST_SRCS := $(filter-out tests/unit/test_pfctl_cli.c tests/unit/test_pfctl_kern.c,\
	$(wildcard tests/unit/test_pfctl_*.c))
PFCTL_TEST_BIN := $(BUILD)/tests/test_pfctl

$(PFCTL_TEST_BIN): $(call objs,$(PFCTL_TEST_SRCS) user/lib/log.c) $(LIBPFCLI) $(PF_NAMES_OBJ) \
		$(JSON_OUT_OBJ)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion -lbpf

# Test objects include "pfctl/pfctl.h" (from user/) and test_pfctl.h.
$(call objs,$(PFCTL_TEST_SRCS)): CPPFLAGS += -Itests/unit

# The tool: libpfbpf and the classifier compiler (mk/ioctl.mk), the
# pf.conf library (mk/conf.mk) and libpfcommon (loader, pinned maps,
# logging).
PFCTL_BPF_LIBS := $(LIBIOCTL) $(IOCTL_CLS) $(LIBCONF) $(LIBCOMMON)
$(PFCTL_BPF): LDLIBS += -lxdp
$(PFCTL_BPF): $(call objs,user/pfctl_bpf.c) $(LIBPFCLI) $(PFCTL_BPF_LIBS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The command line itself: pfctl_main() from libpfcli.
PFCTL_CLI_TEST := $(BUILD)/tests/test_pfctl_cli
$(PFCTL_CLI_TEST): LDLIBS += -lxdp
$(PFCTL_CLI_TEST): $(call objs,tests/unit/test_pfctl_cli.c) $(LIBPFCLI) $(PFCTL_BPF_LIBS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -lcriterion -o $@
ALL_TARGETS += $(PFCTL_CLI_TEST)

# kern.c and the tool against real maps pinned in a private folder, with
# libpfbpf's test environment (tests/unit/ioctl_env.c, mk/ioctl.mk).
PFCTL_KERN_TEST := $(BUILD)/tests/test_pfctl_kern
$(call objs,tests/unit/test_pfctl_kern.c): CPPFLAGS += -DPFCTL_BIN='"$(abspath $(PFCTL_BPF))"'
$(PFCTL_KERN_TEST): LDLIBS += -lxdp
$(PFCTL_KERN_TEST): $(call objs,tests/unit/test_pfctl_kern.c) $(IOCTL_ENV_OBJ) \
		$(LIBPFCLI) $(PFCTL_BPF_LIBS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -lcriterion -o $@
ALL_TARGETS += $(PFCTL_KERN_TEST)

test-pfctl: $(PFCTL_TEST_BIN) $(PFCTL_CLI_TEST) $(PFCTL_KERN_TEST) $(PFCTL_BPF) $(BPF_OBJ)
	$(Q)$(PFCTL_TEST_BIN) -j1
	$(Q)$(PFCTL_CLI_TEST) -j1
	$(Q)$(PFCTL_KERN_TEST) -j1

# netns scenarios: each script is self-contained (tests/netns/lib.sh makes
# a private bpffs and cleans up); they run one after the other.
PFCTL_NETNS := $(sort $(wildcard tests/netns/pfctl_*.sh))
netns-pfctl: $(PFCTL_BPF)
	$(Q)rc=0; for t in $(PFCTL_NETNS); do \
		echo "--- $$t"; PFCTL=$(abspath $(PFCTL_BPF)) bash $$t || rc=1; \
	done; exit $$rc

# The pf.conf golden files (tests/rules/*.conf -> -nvf -> *.expected) run
# through pfctl_bpf as well as through the conf library's own driver: the
# conf runner takes the command from PFCONF_CMD.
golden-pfctl: $(PFCTL_BPF)
	$(Q)$(MAKE) --no-print-directory golden-conf PFCONF_CMD=$(abspath $(PFCTL_BPF))

ALL_TARGETS += $(LIBPFCLI) $(PFCTL_TEST_BIN) $(PFCTL_BPF)
TEST_STEPS += test-pfctl golden-pfctl netns-pfctl

.PHONY: test-pfctl golden-pfctl netns-pfctl


# Anchors alone (libpfbpf's expansion tests and the netns scenario), for
# work on anchors.  `make test` already runs both: the Criterion file
# through test-ioctl, the script through netns-pfctl.
test-anchor: $(BUILD)/tests/test_ioctl_anchor $(PFCTL_BPF) $(BPF_OBJ)
	$(Q)$(BUILD)/tests/test_ioctl_anchor --jobs 1
	$(Q)PFCTL=$(abspath $(PFCTL_BPF)) bash tests/netns/pfctl_anchor.sh

.PHONY: test-anchor
