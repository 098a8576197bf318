# SPDX-License-Identifier: BSD-2-Clause
# `make bench`: per-packet cost against same-run baselines (bench/bench.c).
# Not part of `make test`; `bench-smoke` (a few thousand runs) is, to keep
# the bench building and running.  The paths are mk/00-paths.mk's.

BENCH       := $(BUILD)/bench
BENCH_FLOOR := $(BUILD)/bench_floor.bpf.o
BENCH_OBJS  := $(call objs,bench/bench.c tests/unit/harness.c tests/unit/cls_probe.c)

$(BENCH_FLOOR): bench/bench_floor.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# the XDP_DROP floor of bench/flood.sh
FLOOD_DROP := $(BUILD)/flood_drop.bpf.o
$(FLOOD_DROP): bench/flood_drop.bpf.c $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(call objs,bench/bench.c): $(BPF_SKEL)

$(BENCH): $(BENCH_OBJS) $(CLS_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

ALL_TARGETS += $(BENCH) $(BENCH_FLOOR) $(FLOOD_DROP)
TEST_STEPS  += bench-smoke

# The shell benches run one after the other from the recipe (never in
# parallel with each other or the C bench, even under -j): each wants
# the machine to itself.
BENCH_SH :=
BENCH_DEPS := $(BENCH) $(BENCH_FLOOR) $(BPF_OBJ) $(CLS_PROBE)

bench: deps-check
	$(Q)$(MAKE) --no-print-directory $(BENCH_DEPS)
	$(Q)mkdir -p bench/results
	$(Q)$(BENCH) -o bench/results/latest.json
	@echo "  wrote bench/results/latest.json"
	$(Q)for t in $(BENCH_SH); do $(MAKE) --no-print-directory $$t || exit 1; done

# Checks that every row can be measured and every shell bench runs (tiny
# durations and sizes, ~30 s in all); the figures mean nothing at this
# size and no target is judged on them.
bench-smoke: $(BENCH_DEPS) $(PFCTL_BPF) $(PFBPF_LOAD) $(PFTRACE) $(FLOOD_DROP)
	$(Q)$(BENCH) -r 2000 -n 5 -s 20000 -q -o $(BUILD)/bench-smoke.json
	$(Q)$(BENCH) -t -r 2000 -n 3 -q -o $(BUILD)/bench-smoke-quick.json >/dev/null
	$(Q)BUILD=$(BUILD) BENCH_OUT=$(BUILD)/bench-smoke bash bench/flood.sh 0.3 1 >$(BUILD)/bench-smoke-flood.log 2>&1 || \
		{ cat $(BUILD)/bench-smoke-flood.log; exit 1; }
	$(Q)BUILD=$(BUILD) BENCH_OUT=$(BUILD)/bench-smoke bash bench/events.sh 1 10000 >$(BUILD)/bench-smoke-events.log 2>&1 || \
		{ cat $(BUILD)/bench-smoke-events.log; exit 1; }
	$(Q)BUILD=$(BUILD) BENCH_OUT=$(BUILD)/bench-smoke bash bench/control.sh 100 1000 1000 >$(BUILD)/bench-smoke-control.log 2>&1 || \
		{ cat $(BUILD)/bench-smoke-control.log; exit 1; }
	@echo "  bench-smoke: bench, flood, events, control ran (figures in $(BUILD)/bench-smoke/)"

# The quick mode: only the prog-run rows issue 9 sets targets for, each
# timed in pairs with its baseline (~1 min); for measuring a change.
bench-quick: $(BENCH_DEPS)
	$(Q)$(BENCH) -t -r 200000 -n 9 -o $(BUILD)/bench-quick.json

.PHONY: bench bench-smoke bench-quick

# UDP flood into `block in all / pass out keep state` (bench/flood.sh):
# none / XDP_DROP floor / nftables / pfbpf default / pfbpf --xdp, extra ns
# per packet over the floor.  Part of `make bench`, not of `make test`.
bench-flood: $(PFCTL_BPF) $(PFBPF_LOAD) $(BPF_OBJ) $(FLOOD_DROP)
	$(Q)BUILD=$(BUILD) bash bench/flood.sh 3 3
BENCH_SH += bench-flood

.PHONY: bench-flood

# Event stream under UDP churn: pftrace -o json beside conntrack -E
# (bench/events.sh).  Part of `make bench`, not of `make test`.
bench-events: $(PFCTL_BPF) $(PFBPF_LOAD) $(BPF_OBJ) $(PFTRACE) \
	$(BUILD)/pfbpf-exporter
	$(Q)BUILD=$(BUILD) bash bench/events.sh 10 100000
BENCH_SH += bench-events

# Control plane: 10,000 rules, 100,000 table entries, 100,000 states
# listed, beside nft and conntrack (bench/control.sh).
bench-control: $(PFCTL_BPF) $(PFBPF_LOAD) $(BPF_OBJ)
	$(Q)BUILD=$(BUILD) bash bench/control.sh 10000 100000 100000
BENCH_SH += bench-control

# What 0, 1 and 4 pftrace readers cost the event writes (bench/tracefan.sh).
bench-tracefan: $(PFTRACE) $(BUILD)/pftrace-inject
	$(Q)BUILD=$(BUILD) bash bench/tracefan.sh 20000 5
BENCH_SH += bench-tracefan
.PHONY: bench-tracefan

.PHONY: bench-events bench-control
