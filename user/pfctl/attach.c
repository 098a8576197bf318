// SPDX-License-Identifier: BSD-2-Clause
/*
 * attach.c - -e -i IF and -d -i IF: put the datapath on (or take it off)
 * interfaces.  pf has nothing like it: its filter sits in the kernel
 * already; here enabling pf on an interface means attaching the XDP and tc
 * programs there, sharing the pinned state table.
 *
 * The loader (user/lib/loader.h) is run as the pfbpf-load tool installed
 * next to pfctl_bpf: libpfcommon's pinned-map code and libpfbpf define
 * symbols of the same names, so the two cannot be linked into one program
 * yet.  The child inherits PFBPF_PIN_DIR and friends.
 */
#include <errno.h>
#include <limits.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctx.h"

/* pfbpf-load beside our own executable, else $PFBPF_LOAD, else PATH. */
static void loader_path(char *buf, size_t len)
{
	const char *env = getenv("PFBPF_LOAD");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf(buf, len, "%s/pfbpf-load", dirname(self));
		if (access(buf, X_OK) == 0)
			return;
	}
	snprintf(buf, len, "pfbpf-load");
}

static int run_loader(struct pfctl_ctx *c, const char *verb, const char *ifname)
{
	char path[PATH_MAX];
	int status;
	pid_t pid;

	loader_path(path, sizeof(path));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char *argv[5];
		int i = 0;

		argv[i++] = path;
		if (c->opts & PFCTL_OPT_VERBOSE)
			argv[i++] = "-v";
		argv[i++] = (char *)verb;
		argv[i++] = (char *)ifname;
		argv[i] = NULL;
		execvp(path, argv);
		fprintf(stderr, "pfctl_bpf: cannot run %s: %s (build it with make)\n", path,
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	/* pfbpf-load has said what failed on stderr already. */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int pfctl_attach(struct pfctl_ctx *c)
{
	for (int i = 0; i < c->nifs; i++) {
		if (run_loader(c, "attach", c->ifnames[i])) {
			fprintf(stderr, "pfctl_bpf: cannot enable pf on %s\n", c->ifnames[i]);
			return -EIO;
		}
		pfctl_msg(c, "pf attached to %s", c->ifnames[i]);
	}
	return 0;
}

int pfctl_detach(struct pfctl_ctx *c)
{
	int rc = 0;

	for (int i = 0; i < c->nifs; i++) {
		if (run_loader(c, "detach", c->ifnames[i])) {
			fprintf(stderr, "pfctl_bpf: cannot detach pf from %s\n", c->ifnames[i]);
			rc = -EIO;
			continue;
		}
		pfctl_msg(c, "pf detached from %s", c->ifnames[i]);
	}
	return rc;
}
