# SPDX-License-Identifier: BSD-2-Clause
# `make bench`: per-packet cost against same-run baselines (bench/bench.c).
# Not part of `make test`; `bench-smoke` (a few thousand runs) is, to keep
# the bench building and running.  Paths are spelled out: this fragment is
# read before datapath.mk and cls.mk define their variables.

BENCH       := $(BUILD)/bench
BENCH_FLOOR := $(BUILD)/bench_floor.bpf.o
BENCH_OBJS  := $(call objs,bench/bench.c tests/unit/harness.c tests/unit/cls_probe.c)

$(BENCH_FLOOR): bench/bench_floor.bpf.c include/pfbpf_types.h $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(call objs,bench/bench.c): $(BUILD)/pf_kern.skel.h

$(BENCH): $(BENCH_OBJS) $(BUILD)/libpfcls.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

ALL_TARGETS += $(BENCH) $(BENCH_FLOOR)
TEST_STEPS  += bench-smoke

BENCH_DEPS := $(BENCH) $(BENCH_FLOOR) $(BUILD)/pf_kern.bpf.o $(BUILD)/cls_probe.bpf.o

bench: deps-check
	$(Q)$(MAKE) --no-print-directory $(BENCH_DEPS)
	$(Q)mkdir -p bench/results
	$(Q)$(BENCH) -o bench/results/latest.json
	@echo "  wrote bench/results/latest.json"

# Checks that every row can be measured; the figures mean nothing at this
# repeat count and no target is judged on them.
bench-smoke: $(BENCH_DEPS)
	$(Q)$(BENCH) -r 2000 -n 5 -s 20000 -q -o $(BUILD)/bench-smoke.json

.PHONY: bench bench-smoke
