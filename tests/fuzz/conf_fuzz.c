// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_fuzz - libFuzzer target for the pf.conf parser: any byte string is
 * parsed as a ruleset (macros, tables, anchors, NAT), what parses is
 * printed back at the most verbose level, and everything is freed.  A
 * parse error is the right answer to most inputs; a crash, a hang, a leak
 * or a sanitizer report is a bug.  The seeds are the golden-file rulesets
 * (the .conf files of tests/rules).
 */
#include <stddef.h>
#include <stdint.h>
#include "pfbpf_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pfbpf_conf_fuzz_one((const char *)data, size);
	return 0;
}
