// SPDX-License-Identifier: BSD-2-Clause
/* Parser and checker: probe matching, pragmas, and every compile error. */
#include "test_dt_helpers.h"

static unsigned matched(const char *src)
{
	struct dtrun r;
	unsigned n;

	cr_assert_not_null(dtc(&r, src, 1), "%s: %s", src, r.cerr);
	n = dt_matched_probes(r.p);
	dtdone(&r);
	return n;
}

Test(dt_parse, probe_descriptions_and_wildcards)
{
	cr_assert_eq(matched("pf:::{}"), 5);
	cr_assert_eq(matched("pf*:::state-change {}"), 1);
	cr_assert_eq(matched("ip::: {}"), 2);
	cr_assert_eq(matched(":::tcp-closed {}"), 1);
	cr_assert_eq(matched("tcp-closed {}"), 1);
	cr_assert_eq(matched("pf:::state-* {}"), 3);
	cr_assert_eq(matched("pf:::tcp-*, ip:::send,\n  ip:::receive {}"), 4);
	cr_assert_eq(matched("dtrace:::BEGIN {} END {} BEGIN {}"), 3);
	cr_assert_eq(matched("pf:pf_kern::state-create {}"), 1);
	cr_assert_eq(matched("p?:::state-[cd]* {}"), 3);
	cr_assert_eq(matched("profile:::tick-1s {} tick-10ms {} profile-97 {}"), 3);
}

Test(dt_parse, uses_and_options)
{
	struct dtrun r;

	cr_assert_not_null(dtc(&r, "#pragma D option quiet\n#pragma D option switchrate=10Hz\n"
			       "ip:::receive { } tick-250ms { } tick-1s { }", 0), "%s", r.cerr);
	cr_assert(dt_quiet(r.p));
	cr_assert_float_eq(dt_switchrate_hz(r.p), 10.0, 1e-9);
	cr_assert(dt_prog_uses(r.p, DT_PROBE_IP_RECEIVE));
	cr_assert(!dt_prog_uses(r.p, DT_PROBE_IP_SEND));
	cr_assert(dt_prog_uses(r.p, DT_PROBE_TICK));
	cr_assert(!dt_prog_uses(r.p, DT_PROBE_PF_STATE_CREATE));
	cr_assert_eq(dt_tick_interval_ns(r.p), 250000000LL);
	dtdone(&r);

	cr_assert_not_null(dtc(&r, "#pragma D option switchrate=200ms\n#pragma D option bufsize=4m\n"
			       "#pragma D option aggsortrev\nBEGIN { }", 0), "%s", r.cerr);
	cr_assert_float_eq(dt_switchrate_hz(r.p), 5.0, 1e-9);
	cr_assert(!dt_quiet(r.p));
	cr_assert_eq(dt_tick_interval_ns(r.p), 0);
	dtdone(&r);
}

Test(dt_parse, probe_list)
{
	size_t n, i;
	const struct dt_probe_info *pl = dt_probe_list(&n);
	int seen = 0;

	cr_assert_eq(n, 10);
	for (i = 0; i < n; i++) {
		if (!strcmp(pl[i].provider, "ip")) {
			cr_assert_str_eq(pl[i].args[2], "ipinfo_t *");
			cr_assert_str_eq(pl[i].args[5], "ipv6info_t *");
			seen++;
		}
		if (pl[i].probe == DT_PROBE_PF_STATE_DESTROY) {
			cr_assert_str_eq(pl[i].name, "state-destroy");
			cr_assert_str_eq(pl[i].args[0], "struct pf_state *");
			cr_assert_null(pl[i].args[1]);
		}
	}
	cr_assert_eq(seen, 2);
	cr_assert_eq(dt_probe_of_event(PF_EV_TCP_CLOSED), DT_PROBE_PF_TCP_CLOSED);
	cr_assert_eq(dt_probe_of_event(PF_EV_IP_SEND), DT_PROBE_IP_SEND);
	cr_assert_eq(dt_probe_of_event(99), DT_PROBE_MAX);
}

Test(dt_parse, seed_scripts_compile)
{
	/* the seeds' scripts exactly as they appear there */
	cr_assert_eq(matched("ip:::receive\n{\n@num[args[2]->ip_saddr] = count();\n}\n"), 1);
	cr_assert_eq(matched("pf*:::state-change\n/ args[0]->src.state == TCPS_ESTABLISHED && "
			     "args[0]->dst.state == TCPS_ESTABLISHED /\n{\n    s = *args[0];\n"
			     "    printf( \"pf:::state-change:established(%u) %s %s %s\",\n"
			     "            s.id,\n            s.src_ip,\n            s.direction,\n"
			     "            s.dst_ip );\n}\n"), 1);
}

Test(dt_parse, errors_probes_and_structure)
{
	expect_cerr("", "line 1: no probes specified");
	expect_cerr("pf:::nosuch { }", "line 1: probe description pf:::nosuch does not match any probes");
	expect_cerr("BEGIN {}\nfoo:bar:baz:qux:quux { }",
		    "line 2: invalid probe description `foo:bar:baz:qux:quux`: too many `:`");
	expect_cerr("BEGIN; { }", "line 1: syntax error: expected `{` near `;`");
	expect_cerr("pf:::state-create\n/ 1\n{ }", "line 3: syntax error: expected `/` near `{`");
	expect_cerr("BEGIN\n{\n\tx = 1;\n", "line 4: syntax error: clause starting on line 1 is not closed with `}`");
	expect_cerr("BEGIN", "line 1: syntax error: expected `{` before end of input");
	expect_cerr("BEGIN { trace(1) ", "line 1: syntax error: expected `}` before end of input");
	expect_cerr("BEGIN x", "line 1: syntax error: expected `{` near `x`");
	expect_cerr("tick-0s { }", "line 1: invalid probe description `tick-0s`: bad interval");
	expect_cerr("tick-1fortnight { }", "line 1: invalid probe description `tick-1fortnight`: bad interval");
	expect_cerr("tick-1s, tick-2s { }", "line 1: one clause may have only one tick interval (`tick-2s`)");
	expect_cerr("BEGIN { x = (1 + 2; }", "line 1: syntax error: expected `)` near `;`");
	expect_cerr("BEGIN { x = 1 }\nEND { y = 2 z = 3 }", "line 2: syntax error: expected `;` near `z`");
	expect_cerr("BEGIN { x = a ? 1 ; }", "line 1: syntax error: expected `:` near `;`");
}

Test(dt_parse, errors_pragmas)
{
	expect_cerr("#pragma D option frobs\nBEGIN { }", "line 1: unknown option `frobs`");
	expect_cerr("#pragma D option switchrate=\nBEGIN { }",
		    "line 1: option switchrate: invalid value `` (e.g. 10hz, 100ms)");
	/* found by fuzz-smoke: 3333333 hours overflowed 64-bit nanoseconds */
	expect_cerr("#pragma D option switchrate=3333333h\nBEGIN { }",
		    "line 1: option switchrate: invalid value `3333333h` (e.g. 10hz, 100ms)");
	expect_cerr("BEGIN { }\n#include <foo.h>\n", "line 2: preprocessor directive `#include` is not supported");
	expect_cerr("#pragma D nonsense\nBEGIN { }", "line 1: unknown #pragma D directive `nonsense`");
	expect_cerr("#pragma D option\nBEGIN { }", "line 1: #pragma D option requires an option name");
}

Test(dt_parse, errors_names)
{
	expect_cerr("BEGIN { x = y; }", "line 1: failed to resolve `y`: unknown variable name");
	expect_cerr("BEGIN { x = this->y; }", "line 1: failed to resolve `this->y`: unknown variable name");
	expect_cerr("BEGIN { x = self->y; }", "line 1: failed to resolve `self->y`: unknown variable name");
	expect_cerr("BEGIN {\n x = frob(1); }", "line 2: `frob` is not a known function");
	expect_cerr("pf:::state-create { x = args[0]->nosuch; }",
		    "line 1: `nosuch` is not a member of struct pf_state");
	expect_cerr("pf:::state-create { x = args[0]->src.nosuch; }",
		    "line 1: `nosuch` is not a member of struct pf_state_peer");
	expect_cerr("pf:::state-create { x = args[0]->key[0]->addr[0].pfa.v4.nope; }",
		    "line 1: `nope` is not a member of struct in_addr");
	expect_cerr("ip:::send { x = args[2]->ip_nosuch; }", "line 1: `ip_nosuch` is not a member of ipinfo_t");
	expect_cerr("BEGIN { x = args[0]; }", "line 1: args[0] is not defined for probe dtrace:::BEGIN");
	expect_cerr("pf:::state-create { x = args[1]; }",
		    "line 1: args[1] is not defined for probe pf:pf_kern::state-create");
	expect_cerr("pf:::state-create, ip:::send { x = args[0]; }",
		    "line 1: args[0] is `struct pf_state *` on pf:::state-create but `pktinfo_t *` on ip:::send");
	expect_cerr("BEGIN { x = printf; }", "line 1: `printf` is a function: call it as printf( )");
	expect_cerr("BEGIN { x = protocols; }", "line 1: `protocols` must be indexed: protocols[...]");
	expect_cerr("BEGIN { timestamp = 1; }", "line 1: `timestamp` is a builtin variable and cannot be assigned");
	expect_cerr("BEGIN { TCPS_CLOSED = 1; }", "line 1: `TCPS_CLOSED` is a constant and cannot be assigned");
}

Test(dt_parse, errors_types)
{
	expect_cerr("BEGIN { x = 1; x = \"a\"; }", "line 1: operands have incompatible types: `int` = `string`");
	expect_cerr("BEGIN { x = \"a\" + 1; }",
		    "line 1: operator + requires integer operands, not `string` and `int`");
	expect_cerr("BEGIN { x = \"a\" == 1; }", "line 1: operator == cannot compare `string` with `int`");
	expect_cerr("BEGIN { x = -\"a\"; }", "line 1: operator - requires an integer operand, not `string`");
	expect_cerr("BEGIN { x = 1 ? 2 : \"a\"; }",
		    "line 1: operator ?: operands have incompatible types: `int` and `string`");
	expect_cerr("pf:::state-create { x = args[0].id; }",
		    "line 1: operator . cannot be applied to `struct pf_state *`: use ->");
	expect_cerr("pf:::state-create { x = args[0]->src->state; }",
		    "line 1: operator -> cannot be applied to `struct pf_state_peer`: it needs a pointer to a struct");
	expect_cerr("pf:::state-create { x = args[0]->id[1]; }", "line 1: operator [ ] cannot be applied to `uint64_t`");
	expect_cerr("pf:::state-create { x = args[0]->key; }",
		    "line 1: `x` cannot be assigned a value of type `struct pf_state_key *[2]`");
	expect_cerr("BEGIN { x = *1; }", "line 1: operator * cannot be applied to `int`");
	expect_cerr("BEGIN { x = &1; }", "line 1: operator & requires a member or an array element");
	expect_cerr("BEGIN { x = (int)\"a\"; }", "line 1: cannot cast `string` to `int`");
	expect_cerr("BEGIN { x = \"a\"; x++; }", "line 1: operator ++ requires an integer variable");
	expect_cerr("BEGIN { 1 = 2; }", "line 1: operator = requires a variable on its left");
	expect_cerr("BEGIN { x = 1; x += \"s\"; }",
		    "line 1: operator += requires integer operands, not `int` and `string`");
	expect_cerr("BEGIN { 1 + 2; }",
		    "line 1: statement has no effect: an action, an assignment or a function call was expected");
	expect_cerr("pf:::state-create\n/ *args[0] /\n{ }", "line 2: predicate must be a scalar, not `struct pf_state`");
}

Test(dt_parse, errors_functions)
{
	expect_cerr("BEGIN { printf(); }", "line 1: printf( ) prototype mismatch: 0 arguments passed, 1 to 64 expected");
	expect_cerr("BEGIN { x = 1; printf(x); }", "line 1: printf( ) argument #1 must be a string literal");
	expect_cerr("BEGIN { printf(\"%d %d\", 1); }",
		    "line 1: printf( ) prototype mismatch: conversion #2 (%d) is missing a corresponding value argument");
	expect_cerr("BEGIN { printf(\"%d\", 1, 2); }",
		    "line 1: printf( ) prototype mismatch: only 2 arguments required by this format string");
	expect_cerr("BEGIN { printf(\"%s\", 1); }", "line 1: printf( ) argument #2 is incompatible with conversion #1 (%s): `int`");
	expect_cerr("BEGIN { printf(\"%d\", \"a\"); }",
		    "line 1: printf( ) argument #2 is incompatible with conversion #1 (%d): `string`");
	expect_cerr("BEGIN { printf(\"%k\", 1); }", "line 1: printf( ) format conversion #1 (%k) is not supported");
	expect_cerr("BEGIN { printf(\"%*d\", 1, 2); }", "line 1: printf( ) format conversion #1: `*` widths are not supported");
	expect_cerr("BEGIN { printf(\"abc %\"); }", "line 1: printf( ) format `abc %`: conversion #1 is incomplete");
	expect_cerr("BEGIN { printf(\"%@d\", 1); }", "line 1: printf( ) format conversion #1: %@ is only valid in printa( )");
	expect_cerr("BEGIN { x = trace(1); }", "line 1: trace( ) is an action and may not be used in an expression");
	expect_cerr("BEGIN { exit(); }", "line 1: exit( ) prototype mismatch: 0 arguments passed, 1 expected");
	expect_cerr("BEGIN { exit(\"a\"); }", "line 1: exit( ) argument #1 must be an integer");
	expect_cerr("BEGIN { x = count(); }",
		    "line 1: count( ) may only be used as the value of an aggregation (@name[keys] = count(...))");
	expect_cerr("BEGIN { x = inet_ntoa(1); }", "line 1: inet_ntoa( ) argument #1 must be `ipaddr_t *`, not `int`");
	expect_cerr("pf:::state-create { x = inet_ntoa6(&args[0]->key[0]->addr[0].pfa.v4.s_addr); }",
		    "line 1: inet_ntoa6( ) argument #1 must be `in6_addr_t *`, not `ipaddr_t *`");
	expect_cerr("BEGIN { x = inet_ntop(\"a\", 1); }", "line 1: inet_ntop( ) argument #1 must be an address family");
	expect_cerr("BEGIN { x = strjoin(\"a\", 1); }", "line 1: strjoin( ) argument #2 must be a string, not `int`");
	expect_cerr("BEGIN { x = strlen(1); }", "line 1: strlen( ) argument #1 must be a string");
	expect_cerr("BEGIN { trace(*&(1)); }", "line 1: operator & requires a member or an array element");
}

Test(dt_parse, errors_aggregations)
{
	expect_cerr("BEGIN { @a = 1; }",
		    "line 1: aggregation @a must be assigned an aggregating function (count, sum, min, max, avg, stddev, quantize, lquantize)");
	expect_cerr("BEGIN { @a = strlen(\"x\"); }",
		    "line 1: aggregation @a must be assigned an aggregating function (count, sum, min, max, avg, stddev, quantize, lquantize), not `strlen( )`");
	expect_cerr("BEGIN { @a = count(); }\nEND { @a = sum(1); }",
		    "line 2: aggregation @a: sum( ) conflicts with its use on line 1");
	expect_cerr("BEGIN { @a[1] = count(); }\nEND { @a[1, 2] = count(); }",
		    "line 2: aggregation @a: 2 keys here, 1 on line 1");
	expect_cerr("BEGIN { @a[1] = count(); }\nEND { @a[\"x\"] = count(); }",
		    "line 2: aggregation @a: key #1 is `string` here but `int64_t` on line 1");
	expect_cerr("pf:::state-create { @a[*args[0]] = count(); }",
		    "line 1: aggregation @a key #1 must be an integer or a string, not `struct pf_state`");
	expect_cerr("BEGIN { @a = sum(\"x\"); }", "line 1: operator sum requires an integer operand, not `string`");
	expect_cerr("BEGIN { @a = sum(); }", "line 1: sum( ) prototype mismatch: 0 arguments passed, 1 expected");
	expect_cerr("BEGIN { @a = lquantize(1, 0, 10, 0); }", "line 1: lquantize( ) step must be greater than zero");
	expect_cerr("BEGIN { @a = lquantize(1, 10, 0, 1); }",
		    "line 1: lquantize( ) upper bound must be greater than lower bound");
	expect_cerr("BEGIN { x = 1; @a = lquantize(1, x, 10, 1); }", "line 1: lquantize( ) lower bound must be an integer constant");
	expect_cerr("BEGIN { printa(@nope); }", "line 1: aggregation @nope is not defined");
	expect_cerr("BEGIN { @a = count(); printa(1); }", "line 1: printa( ) argument #1 must be an aggregation without keys");
	expect_cerr("BEGIN { @a = count(); printa(\"%s %@d\", @a); }",
		    "line 1: printa( ) format conversion #1 (%s) has no corresponding key of @a");
	expect_cerr("BEGIN { @a[1] = count(); printa(\"%s %@d\", @a); }",
		    "line 1: printa( ) argument #1 is incompatible with conversion #1 (%s): `int64_t`");
	expect_cerr("BEGIN { @a = count(); x = @a; }",
		    "line 1: aggregation @a may only be assigned to or passed to printa( ), clear( ) or trunc( )");
	expect_cerr("BEGIN { @a += count(); }", "line 1: aggregation @a may only be assigned with =");
}

Test(dt_parse, errors_associative_arrays)
{
	expect_cerr("BEGIN { x = a[1]; }", "line 1: failed to resolve `a[ ]`: unknown associative array");
	expect_cerr("BEGIN { a[1] = 2; a[\"k\"] = 3; }",
		    "line 1: `a[ ]` key #1 is `string` here but `int64_t` on line 1");
	expect_cerr("BEGIN { a[1] = 2; }\nEND { a[1, 2] = 3; }", "line 2: `a[ ]` has 2 keys here, 1 on line 1");
	expect_cerr("BEGIN { a[1] = 2; a[2] = \"s\"; }", "line 1: operands have incompatible types: `int64_t` = `string`");
	expect_cerr("pf:::state-create { a[1] = *args[0]; }",
		    "line 1: `a[ ]` values must be integers or strings, not `struct pf_state`");
	expect_cerr("BEGIN { x = 1; x[1] = 2; }", "line 1: `x` is a scalar variable, not an associative array");
	expect_cerr("BEGIN { a[1] = 1; a = 2; }", "line 1: `a` is an associative array: index it as a[...]");
	expect_cerr("BEGIN { timestamp[1] = 1; }", "line 1: `timestamp` is reserved and cannot be assigned");
	expect_cerr("pf:::state-create { x = args[0, 1]; }", "line 1: args[ ] takes one index");
	expect_cerr("BEGIN { a[a[1]] = 2; }", "line 1: `a[ ]` is used in its own first key");
	expect_cerr("BEGIN { a[a[1] = 3] = 2; }", "line 1: `a[ ]` is used in its own first key");
	expect_cerr("BEGIN { a[b[1] = 3, c[\"x\"] = \"s\", d[2] = 1] = 2; x = a[\"q\"]; }",
		    "line 1: `a[ ]` has 1 keys here, 3 on line 1");
	expect_cerr("pf:::state-create { x = args[0]->key[0, 1]; }", "line 1: operator [ ] takes one index here, not 2");
}

Test(dt_parse, errors_more)
{
	expect_cerr("pf:::state-create { i = 0; x = args[i]; }", "line 1: args[ ] index must be an integer constant");
	expect_cerr("BEGIN { x = protocols[1, 2]; }", "line 1: protocols[ ] takes one index");
	expect_cerr("BEGIN { a[1,2,3,4,5,6,7,8,9] = 1; }", "line 1: more than 8 keys in [ ]");
	expect_cerr("pf:::state-create { x = !*args[0]; }", "line 1: operator ! requires a scalar operand, not `struct pf_state`");
	expect_cerr("pf:::state-create { x = *args[0] ? 1 : 2; }",
		    "line 1: operator ?: requires a scalar condition, not `struct pf_state`");
	expect_cerr("pf:::state-create { x = &args[0]->key; }", "line 1: operator & cannot be applied to `struct pf_state_key *[2]`");
	expect_cerr("BEGIN { @a = count(); s = \"%@d\"; printa(s, @a); }", "line 1: printa( ) argument #1 must be a string literal");
	expect_cerr("pf:::state-create { trace(*args[0]); }",
		    "line 1: trace( ) argument #1 must be an integer or a string, not `struct pf_state`");
	expect_cerr("pf:::state-create { x = stringof(args[0]); }", "line 1: stringof( ) argument #1 must be a string or an integer");
	expect_cerr("BEGIN { x = lltostr(1, \"a\"); }", "line 1: lltostr( ) argument #2 must be an integer");
	expect_cerr("BEGIN { x = substr(1, 1); }", "line 1: substr( ) argument #1 must be a string");
	expect_cerr("BEGIN { x = substr(\"a\", 1, \"b\"); }", "line 1: substr( ) argument #3 must be an integer");
	expect_cerr("BEGIN { x = inet_ntop(AF_INET, 1); }",
		    "line 1: inet_ntop( ) argument #2 must be a pointer to an address, not `int`");
	expect_cerr("BEGIN { @a = lquantize(1, 0, 100000, 1); }", "line 1: lquantize( ) has too many buckets (more than 10000)");
	expect_cerr("BEGIN { x = 1 +", "line 1: syntax error: unexpected end of input");
	expect_cerr("BEGIN { x = 'ab'; }", "line 1: character constant is not terminated");
	expect_cerr("BEGIN { x = \"\\xg\"; }", "line 1: invalid escape sequence \\x");
	expect_cerr("BEGIN { printf(\"%5000d\", 1); }", "line 1: printf( ) format conversion #1: width or precision above 4096");
}

Test(dt_parse, deep_nesting_is_an_error_not_a_crash)
{
	char src[4096];
	int i, n = 0;

	n += sprintf(src + n, "BEGIN { x = ");
	for (i = 0; i < 300; i++)
		src[n++] = '(';
	n += sprintf(src + n, "1");
	for (i = 0; i < 300; i++)
		src[n++] = ')';
	sprintf(src + n, "; }");
	expect_cerr(src, "line 1: expression is nested too deeply near `(`");
	n = sprintf(src, "BEGIN { x = ");
	for (i = 0; i < 300; i++)
		src[n++] = '!';
	sprintf(src + n, "1; }");
	expect_cerr(src, "line 1: expression is nested too deeply near `!`");
}
