// SPDX-License-Identifier: BSD-2-Clause
/* Lexer: literals, escapes, comments, and the errors naming the token. */
#include "test_dt_helpers.h"

Test(dt_lex, integer_literals)
{
	struct dtrun r;

	cr_assert_str_eq(begin_out(&r, "printf(\"%d %d %d %d %d %d\", 42, 0x2a, 052, 'A', '\\n', 7u);"),
			 "42 42 42 65 10 7");
	dtdone(&r);
	cr_assert_str_eq(begin_out(&r, "printf(\"%u %d\", 18446744073709551615, 0x7fffffffffffffffLL);"),
			 "18446744073709551615 9223372036854775807");
	dtdone(&r);
}

Test(dt_lex, string_escapes_and_concatenation)
{
	struct dtrun r;

	cr_assert_str_eq(begin_out(&r, "printf(\"a\\tb\\\\c\\\"d\\x41\\101\\n\" \"x\" \"y\");"),
			 "a\tb\\c\"dAA\nxy");
	dtdone(&r);
}

Test(dt_lex, comments)
{
	struct dtrun r;

	cr_assert_str_eq(begin_out(&r, "/* a\n comment */ printf(\"%d\", 1 /* inline */ + 2); // tail"),
			 "3");
	dtdone(&r);
}

Test(dt_lex, shebang_and_line_numbers)
{
	expect_cerr("#!/usr/sbin/dtrace -s\n\n/* x */\nBEGIN\n{\n\tx = ;\n}\n",
		    "line 6: syntax error near `;`");
}

Test(dt_lex, errors)
{
	expect_cerr("BEGIN { printf(\"abc); }", "line 1: string literal is not terminated");
	expect_cerr("BEGIN { x = 1; }\n/* open", "line 2: comment is not terminated");
	expect_cerr("BEGIN { x = 1 # 2; }", "line 1: invalid character `#`");
	expect_cerr("BEGIN { x = 09; }", "line 1: invalid digit in integer constant `09`");
	expect_cerr("BEGIN { x = 12ab; }", "line 1: invalid integer constant `12a`");
	expect_cerr("BEGIN { x = 99999999999999999999999; }",
		    "line 1: integer constant `99999999999999999999999` is too large");
	expect_cerr("BEGIN { x = \"\\q\"; }", "line 1: invalid escape sequence \\q");
	expect_cerr("BEGIN { x = ''; }", "line 1: empty character constant");
	expect_cerr("BEGIN { x = 0x; }", "line 1: invalid integer constant `0x`");
}
