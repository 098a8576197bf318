/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared by the pfctl formatting tests: run an expression that prints to
 * FILE *f and leave what it printed in char *out (caller frees). */
#ifndef TEST_PFCTL_H
#define TEST_PFCTL_H

#include <stdio.h>

#define CAPTURE(expr)                                        \
	char *out = NULL;                                    \
	do {                                                 \
		size_t out_len = 0;                          \
		FILE *f = open_memstream(&out, &out_len);    \
		cr_assert_not_null(f, "open_memstream");     \
		expr;                                        \
		fclose(f);                                   \
	} while (0)

#endif
