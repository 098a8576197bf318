# SPDX-License-Identifier: BSD-2-Clause
# Loader area: libpfcommon (pinned maps, loader, logging), pfbpf-load, the
# netns datapath scenarios and `make demo`.

PFBPF_LOAD := $(BUILD)/pfbpf-load

ALL_TARGETS += $(LIBCOMMON) $(PFBPF_LOAD)

# The loader attaches XDP through libxdp; other tools linking libpfcommon
# only need libbpf as long as they do not call the loader.
$(PFBPF_LOAD): LDLIBS += -lxdp
$(PFBPF_LOAD): $(call objs,user/pfbpf_load.c) $(LIBCOMMON)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@


# Every tool embeds the datapath object through the skeleton (pf_ctl on
# demand, pfctl_bpf -e), so libpfcommon's objects need it built first.
$(call objs,$(wildcard user/lib/*.c) user/pfbpf_load.c): $(BPF_SKEL)
