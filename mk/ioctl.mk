# SPDX-License-Identifier: BSD-2-Clause
# libpfbpf: the /dev/pf ioctl interface over the pinned maps (user/ioctl),
# its Criterion tests against real pinned maps, and the seed's DIOCNATLOOK
# example built against include/.

# pf_xflat.c, pin_open.c (the way to the pins, shared with every tool) and
# pf_names.c (pf's name tables) are in libpfcommon and carried here too
# so that libpfbpf stays one archive for its users.
$(LIBIOCTL): $(call objs,$(wildcard user/ioctl/*.c) user/lib/pf_xflat.c user/lib/pin_open.c \
	user/lib/pf_names.c user/lib/entry_check.c)
# The classifier compiler (user/cls), which ioctl_compile.c calls.
IOCTL_CLS := $(CLS_LIB)

IOCTL_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_ioctl_*.c))
IOCTL_TEST_OBJS := $(IOCTL_ENV_OBJ) $(call objs,$(wildcard tests/unit/test_ioctl_*.c))
$(IOCTL_TEST_OBJS): CPPFLAGS += -DCTL_BPF_OBJ='"$(abspath $(BPF_OBJ))"' \
	-DCTL_NATLOOK='"$(abspath $(BUILD)/examples/natlook)"'
$(IOCTL_ENV_OBJ): $(BPF_OBJ)

# The packet builders of the datapath's harness (tests/unit/harness.c).
$(BUILD)/tests/test_ioctl_%: $(BUILD)/obj/tests/unit/test_ioctl_%.o $(IOCTL_ENV_OBJ) $(HARNESS_OBJ) \
		$(LIBIOCTL) $(IOCTL_CLS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ -lcriterion $(LDLIBS)

# The seed's example, unchanged but for its open and ioctl lines.
$(BUILD)/examples/natlook: $(call objs,user/examples/natlook.c) $(LIBIOCTL) $(IOCTL_CLS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)
# BSD code: K&R-era habits the seed has (implicit int conversions).
$(call objs,user/examples/natlook.c): CFLAGS += -Wno-sign-compare

.SECONDARY: $(patsubst $(BUILD)/tests/%,$(BUILD)/obj/tests/unit/%.o,$(IOCTL_TESTS))

# libpfbpf built again with ThreadSanitizer, linked with the test that
# closes a handle under calls from several threads (tests/unit/mt_ioctl_close.c):
# a race or a use after free in the library is a TSan report and exit 66.
TSAN_FLAGS := -fsanitize=thread
IOCTL_MT_SRCS := $(wildcard user/ioctl/*.c) user/lib/pf_xflat.c user/lib/pin_open.c user/lib/pf_names.c \
	user/lib/entry_check.c \
	tests/unit/mt_ioctl_close.c
IOCTL_MT_OBJS := $(patsubst %.c,$(BUILD)/tsan/%.o,$(IOCTL_MT_SRCS))
IOCTL_MT := $(BUILD)/tests/mt_ioctl_close
$(IOCTL_MT_OBJS): $(BPF_SKEL)
$(BUILD)/tsan/tests/unit/mt_ioctl_close.o: CPPFLAGS += -DCTL_BPF_OBJ='"$(abspath $(BPF_OBJ))"'
$(BUILD)/tsan/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(TSAN_FLAGS) -MMD -MP -c $< -o $@ || { \
		echo "FAIL: $(CC) cannot build with $(TSAN_FLAGS) (ThreadSanitizer: Debian's gcc and libgcc-12-dev)" >&2; exit 1; }
$(IOCTL_MT): $(IOCTL_MT_OBJS) $(IOCTL_CLS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(TSAN_FLAGS) -o $@ $^ $(LDLIBS) -lpthread || { \
		echo "FAIL: cannot link with $(TSAN_FLAGS): is libtsan installed (Debian: libtsan2)?" >&2; exit 1; }
-include $(IOCTL_MT_OBJS:.o=.d)

ALL_TARGETS += $(LIBIOCTL) $(IOCTL_TESTS) $(BUILD)/examples/natlook $(IOCTL_MT)
TEST_STEPS  += test-ioctl

# Each test pins its maps in a private bpffs folder; one job at a time.
test-ioctl: $(IOCTL_TESTS) $(BUILD)/examples/natlook $(BPF_OBJ) $(IOCTL_MT)
	$(Q)rc=0; for t in $(IOCTL_TESTS); do echo "  RUN      $$t"; $$t --jobs 1 || rc=1; done; \
	echo "  RUN      $(IOCTL_MT) (ThreadSanitizer)"; \
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $$TSAN_OPTIONS" timeout 300 $(IOCTL_MT) || { \
		echo "FAIL: $(IOCTL_MT): exit $$? (66: ThreadSanitizer found a race, 124: it hung)"; rc=1; }; \
	exit $$rc

.PHONY: test-ioctl
