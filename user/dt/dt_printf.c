// SPDX-License-Identifier: BSD-2-Clause
/*
 * dt_printf.c - printf()/printa() formats: parsed once at compile time into
 * literal runs and conversions (flags, width and precision kept, length
 * modifiers normalised to ll since every D integer is evaluated in 64 bits).
 */
#include <stdlib.h>
#include <string.h>
#include "dt/dt_impl.h"
#include "dt/dt_fn.h"

void dt_fmt_free(struct fmt *f)
{
	if (!f)
		return;
	free(f->cv);
	free(f->text);
	free(f);
}

struct fmt *dt_fmt_compile(const char *s, int allow_agg, char *err, size_t errlen)
{
	struct fmt *f = calloc(1, sizeof(*f));
	const char *p, *lit;
	int n = 0;

	if (!f)
		abort();
	f->text = strdup(s);
	lit = p = f->text;
	while (*p) {
		struct conv c;
		const char *st;
		char flags[8] = "", width[12] = "", prec[12] = "";
		size_t fl = 0, wl = 0, pl = 0;

		if (*p != '%') {
			p++;
			continue;
		}
		if (p[1] == '%') {
			/* keep "%%" in the literal run; it is unescaped when printed */
			p += 2;
			continue;
		}
		memset(&c, 0, sizeof(c));
		c.lit = lit;
		c.litlen = p - lit;
		st = p++;
		if (*p == '@') {
			if (!allow_agg) {
				snprintf(err, errlen, "format conversion #%d: %%@ is only valid in printa( )",
					 n + 1);
				goto fail;
			}
			c.agg = 1;
			p++;
		}
		while (*p && strchr("-+ #0", *p)) {
			if (fl < sizeof(flags) - 1)
				flags[fl++] = *p;
			p++;
		}
		while (*p >= '0' && *p <= '9') {
			if (wl < sizeof(width) - 1)
				width[wl++] = *p;
			p++;
		}
		if (atoi(width) > 4096 || (pl && atoi(prec + 1) > 4096)) {
			snprintf(err, errlen, "format conversion #%d: width or precision above 4096", n + 1);
			goto fail;
		}
		if (*p == '*') {
			snprintf(err, errlen, "format conversion #%d: `*` widths are not supported", n + 1);
			goto fail;
		}
		if (*p == '.') {
			prec[pl++] = '.';
			p++;
			while (*p >= '0' && *p <= '9') {
				if (pl < sizeof(prec) - 1)
					prec[pl++] = *p;
				p++;
			}
		}
		while (*p && strchr("hlLjzt", *p))
			p++;
		if (!*p || !strchr("diouxXcspeEfgG", *p)) {
			if (!*p)
				snprintf(err, errlen, "format `%s`: conversion #%d is incomplete", s, n + 1);
			else
				snprintf(err, errlen, "format conversion #%d (%%%c) is not supported",
					 n + 1, *p);
			goto fail;
		}
		c.c = *p++;
		switch (c.c) {
		case 's': case 'c':
			snprintf(c.spec, sizeof(c.spec), "%%%s%s%s%c", flags, width, prec, c.c);
			break;
		case 'p':
			snprintf(c.spec, sizeof(c.spec), "%%%s%s%sllx", flags, width, prec);
			break;
		case 'e': case 'E': case 'f': case 'g': case 'G':
			snprintf(c.spec, sizeof(c.spec), "%%%s%s%s%c", flags, width, prec, c.c);
			break;
		default:
			snprintf(c.spec, sizeof(c.spec), "%%%s%s%sll%c", flags, width, prec,
				 c.c == 'i' ? 'd' : c.c);
		}
		f->cv = realloc(f->cv, (n + 1) * sizeof(*f->cv));
		if (!f->cv)
			abort();
		f->cv[n++] = c;
		f->ncv = n;
		lit = p;
		(void)st;
	}
	f->tail = lit;
	f->taillen = p - lit;
	return f;
fail:
	dt_fmt_free(f);
	return NULL;
}
