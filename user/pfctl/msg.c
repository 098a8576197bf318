// SPDX-License-Identifier: BSD-2-Clause
/*
 * msg.c - pfctl_bpf's messages on stderr: pfctl's progress lines (-q
 * silences them), failed kernel operations and a failed open, shared by
 * cli.c, conf.c and attach.c (and so in libpfcli with them).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pfbpf.h"
#include "lib/log.h"
#include "pfctl/ctx.h"
#include "pfctl/kern.h"

static void vmsg(struct pfctl_ctx *c, const char *end, const char *fmt, va_list ap)
{
	if (c->opts & PFCTL_OPT_QUIET)
		return;
	vfprintf(stderr, fmt, ap);
	fputs(end, stderr);
}

/* pfctl's xprintf: table results end in a full stop ("2/2 addresses added."). */
void pfctl_xprintf(struct pfctl_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, (c->opts & PFCTL_OPT_NOACTION) ? " (syntax only).\n" : ".\n", fmt, ap);
	va_end(ap);
}

void pfctl_msg(struct pfctl_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(c, "\n", fmt, ap);
	va_end(ap);
}

/*
 * Opening the pf instance fails for three reasons a user can fix (not root,
 * no bpffs, datapath not loaded); libpfbpf's reason is then the one line of
 * lib/pin_open.c that says how, which every tool prints alike.
 */
void pfctl_open_error(void)
{
	pr_err("%s", pfbpf_strerror(-1));
}

void pfctl_err_op(struct pfctl_ctx *c, const char *what, int err)
{
	const char *why = NULL;

	if (c->dev >= 0)
		why = pfctl_k_strerror(c->dev);
	if (!why || !*why) {
		why = strerror(-err);
	} else {
		/* libpfbpf's reasons start with the command ("DIOCXBEGIN: ...");
		 * keep our richer name of the operation and drop theirs. */
		size_t w = strcspn(what, " ");

		if (!strncmp(why, what, w) && why[w] == ':')
			why += w + 1 + (why[w + 1] == ' ');
	}
	pr_warn("%s: %s", what, why);
}
