// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_syncookie.c - `set syncookies never | always | adaptive
 * [(start N%, end M%)]`, as OpenBSD's pfctl (parse.y syncookie_val and
 * syncookie_opts): percentages of `limit states`, greater than 0 and at
 * most 100, with pf's defaults start 25%, end 12%; an end above the start
 * is refused, as pf_syncookies_setwats refuses lowat > hiwat.  Kept in
 * hundredths of a percent, so `2.5%` is exact.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "conf_parse.h"
#include "pfbpf_syncookie.h"

/* "25%", "2.5%", "12.25%" -> hundredths; -1 when it is not one. */
static long pct_value(const char *s)
{
	long v = 0, frac = 0;
	int nd = 0, nf = 0;

	for (; isdigit((unsigned char)*s); s++, nd++)
		if ((v = v * 10 + (*s - '0')) > 1000)
			return -1;
	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, nf++)
			if (nf < 2)
				frac = frac * 10 + (*s - '0');
			else
				return -1;
		if (!nf)
			return -1;
	}
	if (!nd || strcmp(s, "%"))
		return -1;
	while (nf++ < 2)
		frac *= 10;
	return v * 100 + frac;
}

/* hundredths as written: "25%", "2.5%", "12.25%" (buf of 16) */
static const char *pct_str(char *buf, __u32 v)
{
	if (v % 100 == 0)
		snprintf(buf, 16, "%u%%", v / 100);
	else if (v % 10 == 0)
		snprintf(buf, 16, "%u.%u%%", v / 100, (v % 100) / 10);
	else
		snprintf(buf, 16, "%u.%02u%%", v / 100, v % 100);
	return buf;
}

static __u32 parse_pct(struct parser *p, const char *what)
{
	struct tok v;
	long pct;

	conf_expect_word(p, &v);
	pct = pct_value(v.s);
	if (pct < 0)
		conf_fail(p, &v, "syncookies %s: '%s' is not a percentage (like 25%%)", what, v.s);
	if (pct == 0 || pct > PF_SYNCOOKIES_PCT_MAX)
		conf_fail(p, &v, "syncookies %s %s: illegal percentage value (above 0, at most 100%%)",
			  what, v.s);
	return (__u32)pct;
}

void conf_set_syncookies(struct parser *p, struct pfbpf_conf_options *o)
{
	__u32 start = PF_SYNCOOKIES_START_DEFAULT, end = PF_SYNCOOKIES_END_DEFAULT;
	struct tok m, t, end_tok = {};
	int mode;

	conf_expect_word(p, &m);
	if (!strcmp(m.s, "never"))
		mode = PF_SYNCOOKIES_NEVER;
	else if (!strcmp(m.s, "always"))
		mode = PF_SYNCOOKIES_ALWAYS;
	else if (!strcmp(m.s, "adaptive"))
		mode = PF_SYNCOOKIES_ADAPTIVE;
	else
		conf_fail(p, &m, "syncookies must be never, always or adaptive, not '%s'", m.s);
	if (conf_peek(p, 0)->type == T_LPAREN) {
		conf_next(p, &t);
		if (mode != PF_SYNCOOKIES_ADAPTIVE)
			conf_fail(p, &t, "syncookies %s takes no (start, end): only adaptive does",
				  m.s);
		for (;;) {
			conf_expect_word(p, &t);
			if (!strcmp(t.s, "start")) {
				start = parse_pct(p, "start");
			} else if (!strcmp(t.s, "end")) {
				end_tok = *conf_peek(p, 0);
				end = parse_pct(p, "end");
			} else {
				conf_fail(p, &t, "syncookies: unknown option '%s' (start or end)", t.s);
			}
			if (conf_peek(p, 0)->type == T_COMMA) {
				conf_next(p, NULL);
				continue;
			}
			if (conf_peek(p, 0)->type == T_RPAREN) {
				conf_next(p, NULL);
				break;
			}
			conf_syntax_error(p, conf_peek(p, 0));
		}
		if (end > start) {
			char a[16], b[16];

			conf_fail(p, end_tok.line ? &end_tok : &t,
				  "syncookies: end %s is above start %s", pct_str(a, end),
				  pct_str(b, start));
		}
	}
	o->syncookies = (__u32)mode;
	o->syncookies_start = start;
	o->syncookies_end = end;
	o->set |= PFBPF_OPT_SYNCOOKIES;
	conf_add_decl(p, PFBPF_DECL_SYNCOOKIES, start << 16 | end, (__u32)mode);
}


void conf_print_syncookies(FILE *f, __u32 mode, __u32 start, __u32 end)
{
	static const char *const names[] = { "never", "always", "adaptive" };

	fprintf(f, "set syncookies %s", mode <= 2 ? names[mode] : "?");
	if (mode == PF_SYNCOOKIES_ADAPTIVE) {
		char a[16], b[16];

		fprintf(f, " (start %s, end %s)", pct_str(a, start), pct_str(b, end));
	}
	fputc('\n', f);
}
