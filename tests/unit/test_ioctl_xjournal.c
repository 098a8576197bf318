/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ioctl_xjournal.c - a DIOCXCOMMIT whose client dies half way through
 * (issue 12): the rule text must end up whole, never half old and half
 * new.  A child process commits a main ruleset and an anchor together and
 * dies (PFBPF_TEST_COMMIT_DIE) after the first one's text was stored; the
 * next command of any client finishes the commit from the journal.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ioctl_env.h"

TestSuite(xjournal, .init = env_setup_maps, .fini = env_teardown);

static void trans2(struct pfioc_trans *t, struct pfioc_trans_e e[2])
{
	memset(t, 0, sizeof(*t));
	memset(e, 0, 2 * sizeof(*e));
	e[0].rs_num = PF_RULESET_FILTER;
	e[1].rs_num = PF_RULESET_FILTER;
	snprintf(e[1].anchor, sizeof(e[1].anchor), "sub");
	t->size = 2;
	t->esize = sizeof(*e);
	t->array = e;
}

/* Load n rules labelled "<tag>N" into the main ruleset and into anchor
 * "sub" in one transaction; the main ruleset also calls the anchor. */
static int load(int dev, const char *tag, int n)
{
	struct pfioc_trans_e e[2];
	struct pfioc_trans t;

	trans2(&t, e);
	if (pfbpf_ioctl(dev, DIOCXBEGIN, &t))
		return -1;
	for (int a = 0; a < 2; a++)
		for (int i = 0; i < n; i++) {
			struct pfioc_rule pr = { .ticket = e[a].ticket };

			snprintf(pr.anchor, sizeof(pr.anchor), "%s", e[a].anchor);
			env_rule(&pr.rule, PF_PASS, "");
			snprintf(pr.rule.label, sizeof(pr.rule.label), "%s%d", tag, i);
			if (pfbpf_ioctl(dev, DIOCADDRULE, &pr))
				return -1;
		}
	return pfbpf_ioctl(dev, DIOCXCOMMIT, &t);
}

/* The labels of anchor's rules, one string ("old0 old1 ..."). */
static void labels(int dev, const char *anchor, char *out, size_t len)
{
	struct pfioc_rule pr = {};
	__u32 n;

	out[0] = 0;
	snprintf(pr.anchor, sizeof(pr.anchor), "%s", anchor);
	cr_assert_eq(pfbpf_ioctl(dev, DIOCGETRULES, &pr), 0, "%s", pfbpf_strerror(dev));
	n = pr.nr;
	for (__u32 i = 0; i < n; i++) {
		pr.nr = i;
		cr_assert_eq(pfbpf_ioctl(dev, DIOCGETRULE, &pr), 0, "%s", pfbpf_strerror(dev));
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", pr.rule.label);
	}
}

Test(xjournal, commit_killed_half_way_is_finished_by_the_next_client)
{
	char m[512], s[512];
	pid_t pid;
	int st;

	cr_assert_eq(load(env_dev, "old", 3), 0, "%s", pfbpf_strerror(env_dev));
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int dev = pfbpf_open(env_dir, O_RDWR);

		setenv("PFBPF_TEST_COMMIT_DIE", "1", 1);
		_exit(dev < 0 ? 2 : load(dev, "new", 4) ? 3 : 0);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 99,
		  "the child should have died half way through its commit (status %d)", st);

	/* Another client's first command finishes the commit, even a
	 * read-only one (pfctl -sr): both rulesets are the new ones, whole. */
	int ro = pfbpf_open(env_dir, O_RDONLY);

	cr_assert_geq(ro, 0, "%s", pfbpf_strerror(-1));
	labels(ro, "", m, sizeof(m));
	labels(ro, "sub", s, sizeof(s));
	pfbpf_close(ro);
	cr_assert_str_eq(m, "new0 new1 new2 new3");
	cr_assert_str_eq(s, "new0 new1 new2 new3");

	/* and the next transaction is free to commit */
	cr_assert_eq(load(env_dev, "next", 2), 0, "%s", pfbpf_strerror(env_dev));
	labels(env_dev, "sub", s, sizeof(s));
	cr_assert_str_eq(s, "next0 next1");
}

Test(xjournal, client_killed_before_commit_changes_nothing)
{
	struct pfioc_trans_e e[2];
	struct pfioc_trans t;
	char m[512];
	pid_t pid;
	int st;

	cr_assert_eq(load(env_dev, "old", 2), 0, "%s", pfbpf_strerror(env_dev));
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int dev = pfbpf_open(env_dir, O_RDWR);

		trans2(&t, e);
		if (dev < 0 || pfbpf_ioctl(dev, DIOCXBEGIN, &t))
			_exit(2);
		for (int i = 0; i < 5; i++) {
			struct pfioc_rule pr = { .ticket = e[0].ticket };

			env_rule(&pr.rule, PF_DROP, "staged");
			if (pfbpf_ioctl(dev, DIOCADDRULE, &pr))
				_exit(3);
		}
		_exit(99); /* dies between DIOCXBEGIN and DIOCXCOMMIT */
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 99, "child status %d", st);
	labels(env_dev, "", m, sizeof(m));
	cr_assert_str_eq(m, "old0 old1");
	cr_assert_eq(load(env_dev, "next", 1), 0, "%s", pfbpf_strerror(env_dev));
	labels(env_dev, "", m, sizeof(m));
	cr_assert_str_eq(m, "next0");
}
