// SPDX-License-Identifier: BSD-2-Clause
/*
 * json_out.c - the one JSON writer of pfbpf's tools: pfctl_bpf --json,
 * pftrace -o json and pfbpf-load -j.
 *
 * Scripts parse this output, so it must be valid whatever the data: strings
 * are escaped byte by byte (interface names and labels come from users),
 * and non-finite doubles, which JSON cannot express, are written as null.
 */
#include <math.h>

#include "lib/json_out.h"

void jw_init(struct jw *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->first[0] = true;
}

static void jw_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Comma and key before a value; a key is ignored inside arrays by callers
 * passing NULL. */
static void jw_pre(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (key) {
		jw_escape(w->f, key);
		fputc(':', w->f);
	}
}

static void jw_push(struct jw *w, const char *key, char open)
{
	jw_pre(w, key);
	fputc(open, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
	w->closer[w->depth] = open == '{' ? '}' : ']';
}

static void jw_pop(struct jw *w, char close)
{
	fputc(close, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_begin(struct jw *w, const char *key) { jw_push(w, key, '{'); }
void jw_obj_end(struct jw *w) { jw_pop(w, '}'); }
void jw_arr_begin(struct jw *w, const char *key) { jw_push(w, key, '['); }
void jw_arr_end(struct jw *w) { jw_pop(w, ']'); }

void jw_str(struct jw *w, const char *key, const char *val)
{
	jw_pre(w, key);
	if (val)
		jw_escape(w->f, val);
	else
		fputs("null", w->f);
}

void jw_u64(struct jw *w, const char *key, unsigned long long val)
{
	jw_pre(w, key);
	fprintf(w->f, "%llu", val);
}

void jw_s64(struct jw *w, const char *key, long long val)
{
	jw_pre(w, key);
	fprintf(w->f, "%lld", val);
}

void jw_f64(struct jw *w, const char *key, double val)
{
	jw_pre(w, key);
	if (isfinite(val))
		fprintf(w->f, "%.1f", val);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *key, bool val)
{
	jw_pre(w, key);
	fputs(val ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	jw_pre(w, key);
	fputs("null", w->f);
}

void jw_finish(struct jw *w)
{
	/* An error path may leave containers open; close them so the
	 * document a script reads is still well formed. */
	while (w->depth > 0)
		jw_pop(w, w->closer[w->depth]);
	fputc('\n', w->f);
	fflush(w->f);
}
