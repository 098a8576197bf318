# SPDX-License-Identifier: BSD-2-Clause
# pf.conf parser and printer (user/conf): libpfconf.a, the pfconf-print
# driver, Criterion tests and the golden files in tests/rules.

$(LIBCONF): $(call objs,$(wildcard user/conf/*.c))
# pf's name tables (lib/pf_names.c) are shared with pfctl and the other
# tools; the object alone, so the parser builds without the datapath.

PFCONF_PRINT := $(BUILD)/pfconf-print
$(PFCONF_PRINT): $(call objs,user/conf/driver/pfconf_print.c) $(LIBCONF) $(PF_NAMES_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^

CONF_TESTS := $(BUILD)/test_conf
$(CONF_TESTS): $(call objs,$(wildcard tests/unit/test_conf_*.c)) $(LIBCONF) $(PF_NAMES_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion

ALL_TARGETS += $(LIBCONF) $(PFCONF_PRINT) $(CONF_TESTS)
TEST_STEPS += test-conf golden-conf

test-conf: $(CONF_TESTS)
	$(Q)cd tests/rules && ../../$(CONF_TESTS) --jobs=2

# The golden files run through $(PFCONF_CMD) -nvf; the cli switches it to
# pfctl_bpf once that exists: make golden-conf PFCONF_CMD=build/pfctl_bpf
PFCONF_CMD ?= $(PFCONF_PRINT)
golden-conf: $(PFCONF_PRINT)
	$(Q)scripts/golden-conf.sh "$(PFCONF_CMD)"

# afl++: make fuzz-conf (not part of `make test`).
fuzz-conf: user/conf/driver/pfconf_fuzz.c $(wildcard user/conf/*.c)
	$(Q)mkdir -p $(BUILD)/fuzz
	afl-clang-fast $(CPPFLAGS) -O1 -g -o $(BUILD)/fuzz/pfconf_fuzz $^
	@echo "run: afl-fuzz -i tests/rules -o $(BUILD)/fuzz/out -- $(BUILD)/fuzz/pfconf_fuzz"

.PHONY: test-conf golden-conf fuzz-conf
