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

# The loader embeds the skeleton when the datapath fragment provides it.
$(call objs,user/lib/loader.c user/pfbpf_load.c): $(wildcard $(BUILD)/pf_kern.skel.h)
