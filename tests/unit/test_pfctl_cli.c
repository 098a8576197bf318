// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pfctl_cli.c - pfctl_bpf's command line, linked in (pfctl_main()
 * from libpfcli): option errors, -n parsing without a kernel,
 * and the one-line message when the datapath is not loaded.  Nothing here
 * touches a pinned map.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int pfctl_main(int argc, char **argv);

#define RUN(...)                                                       \
	({                                                             \
		char *av[] = { "pfctl_bpf", __VA_ARGS__, NULL };       \
		int rc_ = pfctl_main(sizeof(av) / sizeof(av[0]) - 1, av); \
		fflush(stdout);                                        \
		fflush(stderr);                                        \
		rc_;                                                   \
	})

static void redirect(void)
{
	cr_redirect_stdout();
	cr_redirect_stderr();
}

static char *write_conf(const char *text)
{
	static char path[] = "/tmp/pfctl_cli_XXXXXX";
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

Test(pfctl_cli, unknown_show_modifier, .init = redirect)
{
	cr_assert_eq(RUN("-s", "bogus"), 1);
	cr_assert_stderr_eq_str("pfctl_bpf: Unknown show modifier 'bogus'\n"
				"usage: pfctl_bpf [-deghnOqRvz] [-a anchor] [-D macro=value] [-F modifier]\n"
				"\t[-f file] [-i interface] [-k host | network | label | id] [-p device]\n"
				"\t[-s modifier] [-t table -T command [address ...]] [-x level] [--json]\n"
				"\t[--watch-addresses]\n");
}

Test(pfctl_cli, kill_three_times, .init = redirect)
{
	cr_assert_eq(RUN("-k", "192.0.2.1", "-k", "192.0.2.2", "-k", "192.0.2.3"), 1);
	cr_assert_stderr_eq_str("pfctl_bpf: can only specify -k twice\n");
}

Test(pfctl_cli, table_command_needs_table, .init = redirect)
{
	cr_assert_eq(RUN("-T", "show"), 1);
	cr_assert_stderr_eq_str("pfctl_bpf: -T needs a table: -t NAME\n");
}

Test(pfctl_cli, stray_operand, .init = redirect)
{
	cr_assert_eq(RUN("-si", "extra"), 1);
}

Test(pfctl_cli, parse_only_prints_listing, .init = redirect)
{
	char *path = write_conf("block all\npass out keep state\n");

	cr_assert_eq(RUN("-nvf", path), 0);
	unlink(path);
	cr_assert_stdout_eq_str("block drop all\npass out all flags S/SA keep state\n");
}

Test(pfctl_cli, parse_only_error_names_place, .init = redirect)
{
	char *path = write_conf("block all\npass out keep sate\n");
	char expect[256];

	cr_assert_eq(RUN("-nf", path), 1);
	snprintf(expect, sizeof(expect),
		 "%s:2:15: syntax error near 'sate'\n", path);
	unlink(path);
	cr_assert_stderr_eq_str(expect);
}

Test(pfctl_cli, datapath_not_loaded, .init = redirect)
{
	/* A pin folder that does not exist: as root on a bpffs machine the
	 * message says the datapath is not loaded, otherwise it says what
	 * else is missing.  Either way: one line, exit 1. */
	setenv("PFBPF_PIN_DIR", "/sys/fs/bpf/pfctl-cli-test-none", 1);
	cr_assert_eq(RUN("-si"), 1);
	if (geteuid() == 0)
		cr_assert_stderr_eq_str(
			"pfctl_bpf: pfbpf datapath is not loaded (no maps pinned in "
			"/sys/fs/bpf/pfctl-cli-test-none): run 'pfctl_bpf -e -i IFNAME' or "
			"'pfbpf-load attach IFNAME'\n");
}
