# SPDX-License-Identifier: BSD-2-Clause
# Names the fragments share, read first: mk/*.mk are included in name
# order and a prerequisite list is expanded when make reads it, so a name
# defined here can be used by any fragment whatever its place, and none
# spells another's paths out.

# The datapath object, its skeleton (every tool embeds it) and what a BPF
# program includes (datapath.mk).
BPF_OBJ := $(BUILD)/pf_kern.bpf.o
BPF_SKEL := $(BUILD)/pf_kern.skel.h
BPF_HDRS := $(wildcard bpf/*.h include/*.h)
# The classifier compiler and its probe program (cls.mk).
CLS_LIB := $(BUILD)/libpfcls.a
CLS_PROBE := $(BUILD)/cls_probe.bpf.o
# The BPF_PROG_TEST_RUN packet builders (datapath.mk).
HARNESS_OBJ := $(call objs,tests/unit/harness.c)
# The pf.conf library (conf.mk); pf's name tables and the JSON writer
# alone, for what links neither libpfcommon nor libpfbpf.
LIBCONF := $(BUILD)/libpfconf.a
PF_NAMES_OBJ := $(call objs,user/lib/pf_names.c)
JSON_OUT_OBJ := $(call objs,user/lib/json_out.c)
# The D engine (dt.mk).
LIBDT := $(BUILD)/libpfdt.a
# libpfbpf and its tests' environment (ioctl.mk).
LIBIOCTL := $(BUILD)/libpfioctl.a
IOCTL_ENV_OBJ := $(call objs,tests/unit/ioctl_env.c)
# The tools (pfctl.mk, load.mk, trace.mk) and their libraries.
LIBPFCLI := $(BUILD)/libpfcli.a
PFCTL_BPF := $(BUILD)/pfctl_bpf
PFBPF_LOAD := $(BUILD)/pfbpf-load
LIBTRACE := $(BUILD)/libpftrace.a
PFTRACE := $(BUILD)/pftrace
