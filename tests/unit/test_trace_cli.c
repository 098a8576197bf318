// SPDX-License-Identifier: BSD-2-Clause
/*
 * pftrace's command line, linked from user/pftrace.c without its main():
 * every usage error, compile errors before anything is touched, the
 * message when the datapath is not loaded, and -l.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

int pftrace_main(int argc, char **argv);

static int run(int argc, char **argv)
{
	int r;

	optind = 0; /* glibc: full getopt reset */
	r = pftrace_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	return r;
}

#define RUN(...)                                                        \
	({                                                              \
		char *_a[] = { "pftrace", __VA_ARGS__, NULL };          \
		run((int)(sizeof(_a) / sizeof(_a[0])) - 1, _a);        \
	})

Test(trace_cli, bad_output_format, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-o", "xml"), 2);
	cr_assert_stderr_eq_str("pftrace: -o xml: unknown output option 'xml' (text, json, extended, "
				"timestamp, id)\n");
}

Test(trace_cli, bad_event_mask, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-e", "new,gone"), 2);
	cr_assert_stderr_eq_str("pftrace: -e new,gone: unknown event 'gone' (new, update, destroy, all)\n");
}

Test(trace_cli, bad_count, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-c", "0"), 2);
	cr_assert_stderr_eq_str("pftrace: -c needs a positive event count, not '0'\n");
}

Test(trace_cli, bad_seconds, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-T", "soon"), 2);
	cr_assert_stderr_eq_str("pftrace: -T needs a positive number of seconds, not 'soon'\n");
}

Test(trace_cli, bad_sleep, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("--sleep-per-event", "1ms"), 2);
	cr_assert_stderr_eq_str("pftrace: --sleep-per-event needs microseconds, not '1ms'\n");
}

Test(trace_cli, bad_filter, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-p", "proto=tcp,port=99999"), 2);
	cr_assert_stderr_eq_str("pftrace: -p proto=tcp,port=99999: bad port '99999' in port= (0 to 65535)\n");
}

Test(trace_cli, extra_argument, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("now"), 2);
	cr_assert_stderr_eq_str(
		"pftrace: unexpected argument 'now'\n"
		"usage: pftrace [-qtv] [-o text|json[,extended,timestamp,id]] [-e new,update,destroy]\n"
		"               [-p KEY=VALUE[,...]] [-c COUNT] [-T SECONDS]\n"
		"       pftrace [-qv] [-c COUNT] [-T SECONDS] -s SCRIPT | -n 'PROBE /PRED/ { ACTIONS }'\n"
		"       pftrace -l [-n PATTERN]\n"
		"filter keys: proto, af, host, src, dst, port, sport, dport, event, id, rule,\n"
		"             dir, reason, if (see pftrace(8))\n");
}

Test(trace_cli, help_on_stdout, .init = cr_redirect_stdout)
{
	cr_assert_eq(RUN("-h"), 0);
	fflush(stdout);
	cr_assert_stdout_neq_str("");
}

Test(trace_cli, missing_script, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-s", "/nonexistent/x.d"), 1);
	cr_assert_stderr_eq_str("pftrace: cannot read script /nonexistent/x.d: No such file or directory\n");
}

Test(trace_cli, script_and_oneliner, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-n", "BEGIN { exit(0); }", "-s", "/dev/null"), 2);
	cr_assert_stderr_eq_str("pftrace: give one -s SCRIPT or -n clauses, not both\n");
}

Test(trace_cli, filter_with_script, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-p", "proto=tcp", "-n", "BEGIN { exit(0); }"), 2);
	cr_assert_stderr_eq_str("pftrace: -p filters the event stream; in a script use a predicate\n");
}

/* Compile errors come before any map is opened: no datapath needed. */
Test(trace_cli, compile_error_first, .init = cr_redirect_stderr)
{
	setenv("PFBPF_PIN_DIR", "/nonexistent", 1);
	cr_assert_eq(RUN("-n", "pf:::no-such-probe { trace(1); }"), 1);
	cr_assert_stderr_eq_str("pftrace: failed to compile script -n: line 1: "
				"probe description pf:::no-such-probe does not match any probes\n");
}

Test(trace_cli, datapath_not_loaded, .init = cr_redirect_stderr)
{
	setenv("PFBPF_PIN_DIR", "/nonexistent", 1);
	cr_assert_eq(RUN("-c", "1"), 1);
	cr_assert_stderr_eq_str("pftrace: pfbpf datapath is not loaded (no maps pinned in "
				"/nonexistent): run 'pfctl_bpf -e -i IFNAME' "
				"or 'pfbpf-load attach IFNAME'\n");
}

Test(trace_cli, list, .init = cr_redirect_stdout)
{
	cr_assert_eq(RUN("-l", "-n", "pf:::state-c*"), 0);
	cr_assert_stdout_eq_str(
		"   ID   PROVIDER       MODULE   FUNCTION NAME             ARGUMENTS\n"
		"    4         pf      pf_kern            state-create     struct pf_state *\n"
		"    5         pf      pf_kern            state-change     struct pf_state *\n");
}

Test(trace_cli, list_nothing, .init = cr_redirect_stderr)
{
	cr_assert_eq(RUN("-l", "-n", "tcp:::send"), 1);
	cr_assert_stderr_eq_str("pftrace: no probe matches 'tcp:::send'\n");
}
