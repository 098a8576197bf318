/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the pf.conf parser tests. */
#ifndef TEST_CONF_UTIL_H
#define TEST_CONF_UTIL_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "pfbpf_conf.h"

/* Parse text that must parse; fails the test with the parser's message. */
static inline struct pfbpf_conf *parse_ok(const char *text)
{
	struct pfbpf_conf *c = NULL;
	struct pfbpf_conf_error e;
	char buf[512];
	int rc = pfbpf_conf_parse_string(text, "pf.conf", NULL, &c, &e);

	cr_assert_eq(rc, 0, "parse failed: %s\n--- input:\n%s",
		     pfbpf_conf_strerror(&e, buf, sizeof(buf)), text);
	return c;
}

/* The -nvf listing of a conf, as a malloc'ed string. */
static inline char *print_conf(const struct pfbpf_conf *c, int verbose)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	pfbpf_conf_print(f, c, verbose);
	fclose(f);
	return out;
}

static inline char *print_rule(const struct pfbpf_rule *r, int verbose)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	pfbpf_rule_print(f, r, verbose);
	fclose(f);
	return out;
}

/* Parse one line and compare the printed listing with `want`. */
static inline void expect_listing(const char *text, const char *want)
{
	struct pfbpf_conf *c = parse_ok(text);
	char *got = print_conf(c, 1);

	cr_expect_str_eq(got, want, "input:\n%s\n--- got:\n%s--- want:\n%s", text, got, want);
	free(got);
	pfbpf_conf_free(c);
}

#endif
