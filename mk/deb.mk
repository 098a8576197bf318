# SPDX-License-Identifier: BSD-2-Clause
# make deb: the Debian package (scripts/mkdeb.sh, packaging/), and its test:
# lintian, install into this machine's root, the service's start, reload
# under a live connection and stop, then purge.

PFBPF_DEB := $(BUILD)/pfbpf.deb
DEB_TOOLS = $(BUILD)/pfctl_bpf $(BUILD)/pftrace $(BUILD)/pfbpf-load $(BUILD)/pfbpf-exporter $(BUILD)/pftop_bpf \
	$(BPF_OBJ)

.SECONDEXPANSION:
$(PFBPF_DEB): $$(DEB_TOOLS) scripts/mkdeb.sh $(wildcard packaging/* packaging/debian/*) \
		$(wildcard docs/*.[358])
	$(call msg,DEB,$@)
	$(Q)scripts/mkdeb.sh $(BUILD) $@

deb: deps-check
	$(Q)$(MAKE) --no-print-directory $(PFBPF_DEB)

test-deb: $(PFBPF_DEB)
	$(Q)command -v lintian >/dev/null || { echo "test-deb: lintian not installed (make deps)" >&2; exit 1; }
	$(Q)echo "--- lintian $(PFBPF_DEB)"; lintian --fail-on error,warning $(PFBPF_DEB)
	$(Q)echo "--- tests/netns/package_service.sh"; PFBPF_DEB=$(abspath $(PFBPF_DEB)) \
		bash tests/netns/package_service.sh

TEST_STEPS += test-deb
.PHONY: deb test-deb
