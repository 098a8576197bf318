// SPDX-License-Identifier: BSD-2-Clause
/*
 * addr_file.c - pfctl's table files (`-t T -T add|delete|replace|test -f F`):
 * addresses separated by white space, `#` to the end of the line a comment,
 * as pfctl reads them (pfctl_radix.c, pfr_next_token).
 *
 * The file is untrusted input and may be large (a million addresses is a
 * normal blocklist): memory grows with the number of addresses and nothing
 * else, a token is read into a bounded buffer (pfctl's limit is a few
 * hundred bytes too), and every error names the file, line and column.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pfctl/pfctl.h"
#include "lib/log.h"

/* Longer than any address with prefix and `!`; pfctl errs at 512 as well. */
#define ADDR_TOKEN_MAX 512

struct addr_reader {
	FILE *f;
	const char *name;
	unsigned line, col;     /* of the character last read */
	unsigned tline, tcol;   /* where the current token starts */
};

static int next_char(struct addr_reader *r)
{
	int ch = getc(r->f);

	if (ch == '\n') {
		r->line++;
		r->col = 0;
	} else if (ch != EOF) {
		r->col++;
	}
	return ch;
}

/*
 * The next token into buf: 1 when there is one, 0 at the end of the file,
 * -errno with the message printed.
 */
static int next_token(struct addr_reader *r, char *buf)
{
	size_t len = 0;
	int ch;

	for (;;) {
		ch = next_char(r);
		if (ch == '#') {
			while ((ch = next_char(r)) != EOF && ch != '\n')
				;
		}
		if (ch == EOF)
			return 0;
		if (ch == '\0') {
			pr_warn("%s:%u:%u: NUL byte: not a table file", r->name, r->line, r->col);
			return -EINVAL;
		}
		if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
			break;
	}
	r->tline = r->line;
	r->tcol = r->col;
	do {
		if (ch == '\0') {
			pr_warn("%s:%u:%u: NUL byte: not a table file", r->name, r->line, r->col);
			return -EINVAL;
		}
		if (len == ADDR_TOKEN_MAX - 1) {
			pr_warn("%s:%u:%u: address longer than %d characters", r->name, r->tline,
				r->tcol, ADDR_TOKEN_MAX - 1);
			return -EINVAL;
		}
		buf[len++] = (char)ch;
		ch = next_char(r);
	} while (ch != EOF && ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n' && ch != '#');
	buf[len] = '\0';
	if (ch == '#') {
		/* a comment right after an address: skip it here */
		while ((ch = next_char(r)) != EOF && ch != '\n')
			;
	}
	return 1;
}

int pfctl_read_addrs(FILE *f, const char *name, struct pfctl_taddr **out, size_t *n)
{
	struct addr_reader r = { .f = f, .name = name, .line = 1 };
	char tok[ADDR_TOKEN_MAX];
	struct pfctl_taddr *a = NULL;
	size_t cap = 0, cnt = 0;
	int err;

	*out = NULL;
	*n = 0;
	while ((err = next_token(&r, tok)) > 0) {
		if (cnt == cap) {
			struct pfctl_taddr *na;

			cap = cap ? cap * 2 : 64;
			na = realloc(a, cap * sizeof(*a));
			if (!na) {
				pr_warn("%s:%u: out of memory after %zu addresses", name, r.tline, cnt);
				err = -ENOMEM;
				break;
			}
			a = na;
		}
		if (pfctl_taddr_parse(tok, &a[cnt])) {
			pr_warn("%s:%u:%u: cannot parse address '%s'", name, r.tline, r.tcol, tok);
			err = -EINVAL;
			break;
		}
		cnt++;
	}
	if (!err && ferror(f)) {
		pr_warn("%s: read error", name);
		err = -EIO;
	}
	if (err) {
		free(a);
		return err;
	}
	*out = a;
	*n = cnt;
	return 0;
}

int pfctl_read_addr_file(const char *path, struct pfctl_taddr **out, size_t *n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int err;

	*out = NULL;
	*n = 0;
	if (!f) {
		err = -errno;
		pr_warn("%s: %s", path, strerror(errno));
		return err;
	}
	err = pfctl_read_addrs(f, strcmp(path, "-") ? path : "(stdin)", out, n);
	if (f != stdin)
		fclose(f);
	return err;
}
