// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pfctl_addrfile.c - the table-file reader of `-T ... -f FILE`
 * (user/pfctl/addr_file.c): pfctl's syntax, a million addresses, and bad
 * files rejected with file:line:column and nothing returned.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfctl/pfctl.h"

static FILE *text(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");

	cr_assert_not_null(f);
	return f;
}

Test(addrfile, pfctl_syntax)
{
	FILE *f = text("192.0.2.1\n198.51.100.0/24 # a comment\n!2001:db8::/32\n\n"
		       "# only a comment\n203.0.113.7\t2001:db8::1/128#glued comment\n");
	struct pfctl_taddr *a;
	size_t n;

	cr_assert_eq(pfctl_read_addrs(f, "t", &a, &n), 0);
	fclose(f);
	cr_assert_eq(n, 5);
	cr_assert_eq(a[0].af, PF_INET);
	cr_assert_eq(a[0].net, 32);
	cr_assert_eq(a[1].net, 24);
	cr_assert_eq(a[2].neg, 1);
	cr_assert_eq(a[2].af, PF_INET6);
	cr_assert_eq(a[2].net, 32);
	cr_assert_eq(a[4].af, PF_INET6);
	cr_assert_eq(a[4].net, 128);
	free(a);
}

Test(addrfile, a_million_lines)
{
	FILE *f = tmpfile();
	struct pfctl_taddr *a;
	size_t n;

	cr_assert_not_null(f);
	for (unsigned i = 0; i < 1000000; i++)
		fprintf(f, "10.%u.%u.%u\n", i >> 16, (i >> 8) & 255, i & 255);
	rewind(f);
	cr_assert_eq(pfctl_read_addrs(f, "big", &a, &n), 0);
	fclose(f);
	cr_assert_eq(n, 1000000);
	cr_assert_eq(a[999999].addr.addr8[1], 15);
	cr_assert_eq(a[999999].addr.addr8[3], 63);
	free(a);
}

Test(addrfile, bad_address_names_line_and_column, .init = cr_redirect_stderr)
{
	FILE *f = text("192.0.2.1\n\n  198.51.100.1 bogus\n");
	struct pfctl_taddr *a = (void *)1;
	size_t n = 7;

	cr_assert_eq(pfctl_read_addrs(f, "t.txt", &a, &n), -EINVAL);
	fclose(f);
	cr_assert_null(a);
	cr_assert_eq(n, 0);
	fflush(stderr);
	cr_assert_stderr_eq_str("pfbpf: t.txt:3:16: cannot parse address 'bogus'\n");
}

Test(addrfile, long_token_is_bounded, .init = cr_redirect_stderr)
{
	static char buf[70000];
	FILE *f;
	struct pfctl_taddr *a;
	size_t n;

	strcpy(buf, "192.0.2.1\n");
	memset(buf + 10, '1', sizeof(buf) - 12);
	buf[sizeof(buf) - 2] = '\n';
	f = text(buf);
	cr_assert_eq(pfctl_read_addrs(f, "long", &a, &n), -EINVAL);
	fclose(f);
	fflush(stderr);
	cr_assert_stderr_eq_str("pfbpf: long:2:1: address longer than 511 characters\n");
}

Test(addrfile, nul_byte_is_not_a_table_file, .init = cr_redirect_stderr)
{
	static const char bin[] = "192.0.2.1\n\x7f" "ELF\0\0\1";
	FILE *f = fmemopen((void *)bin, sizeof(bin) - 1, "r");
	struct pfctl_taddr *a;
	size_t n;

	cr_assert_eq(pfctl_read_addrs(f, "bin", &a, &n), -EINVAL);
	fclose(f);
	fflush(stderr);
	cr_assert_stderr_eq_str("pfbpf: bin:2:5: NUL byte: not a table file\n");
}
