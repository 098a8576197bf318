// SPDX-License-Identifier: BSD-2-Clause
/*
 * pfconf_fuzz - afl++ harness: parse stdin as a pf.conf, print it, free it.
 * Any crash, hang or sanitizer report is a parser bug; a parse error is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h> /* read(), used by the afl++ macros */
#include "pfbpf_conf.h"

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

int main(void)
{
#ifdef __AFL_FUZZ_TESTCASE_LEN
	__AFL_INIT();
	unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;

	while (__AFL_LOOP(10000))
		pfbpf_conf_fuzz_one((const char *)buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
#else
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), stdin);

	pfbpf_conf_fuzz_one(buf, n);
#endif
	return 0;
}
