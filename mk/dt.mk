# SPDX-License-Identifier: BSD-2-Clause
# The D language engine of pftrace (user/dt): library, replay driver, unit
# tests, golden tests of the seed scripts and the parser fuzz target.

DT_OBJS := $(call objs,$(wildcard user/dt/*.c))
$(LIBDT): $(DT_OBJS)

DT_REPLAY := $(BUILD)/dt-replay
$(DT_REPLAY): $(call objs,tests/dtrace/dt-replay.c) $(LIBDT) $(PF_NAMES_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -lm -o $@

DT_TESTS := $(BUILD)/test_dt
$(DT_TESTS): $(call objs,$(wildcard tests/unit/test_dt_*.c)) $(LIBDT) $(PF_NAMES_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -lcriterion -lm -o $@

ALL_TARGETS += $(LIBDT) $(DT_REPLAY) $(DT_TESTS)

test-dt: $(DT_TESTS)
	$(Q)$(DT_TESTS) --jobs 2

golden-dt: $(DT_REPLAY)
	$(Q)tests/dtrace/run-golden.sh $(DT_REPLAY)

# libFuzzer build of the whole engine (compile + run on a fixed event set)
# with ASan/UBSan; mk/fuzz.mk runs it with the other targets.
DT_FUZZ := $(BUILD)/dt_fuzz
FUZZ_SRCS := tests/fuzz/dt_fuzz.c $(wildcard user/dt/*.c) user/lib/pf_names.c
$(DT_FUZZ): $(FUZZ_SRCS) $(wildcard user/dt/*.h) user/lib/pf_names.h include/pfbpf_types.h
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$(CPPFLAGS) -D_GNU_SOURCE -std=gnu11 $(FUZZ_SRCS) -lm -o $@

# The seed corpus is the D scripts the golden tests run (tests/dtrace/*.d,
# tests/dtrace/bad/*.d as bad_*.d), copied fresh on every run so it follows
# them; tests/fuzz/corpus holds only inputs of the fuzzer's own (regressions
# and constructs the scripts lack).  libFuzzer adds what it finds to the
# first folder, $(BUILD)/fuzz-corpus.
DT_FUZZ_SEEDS := $(BUILD)/fuzz-seeds
define dt_fuzz_seed
	$(Q)rm -rf $(DT_FUZZ_SEEDS)
	$(Q)mkdir -p $(DT_FUZZ_SEEDS) $(BUILD)/fuzz-corpus $(BUILD)/fuzz-artifacts
	$(Q)cp tests/dtrace/*.d $(DT_FUZZ_SEEDS)/
	$(Q)for f in tests/dtrace/bad/*.d; do cp "$$f" $(DT_FUZZ_SEEDS)/bad_$${f##*/}; done
endef
DT_FUZZ_DIRS := $(BUILD)/fuzz-corpus $(DT_FUZZ_SEEDS) tests/fuzz/corpus

TEST_STEPS += test-dt golden-dt
.PHONY: test-dt golden-dt
