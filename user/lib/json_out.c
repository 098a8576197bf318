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
#include <stdarg.h>
#include <string.h>

#include "lib/json_out.h"

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

void jw_init_buf(struct jw *w, char *buf, size_t len)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->len = len;
	w->first[0] = true;
	if (len)
		buf[0] = '\0';
}

/* Everything goes out through here, to the stream or the bounded buffer. */
__attribute__((format(printf, 2, 3))) static void jw_out(struct jw *w, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	if (w->f) {
		vfprintf(w->f, fmt, ap);
	} else {
		r = vsnprintf(w->n < w->len ? w->buf + w->n : NULL,
			      w->n < w->len ? w->len - w->n : 0, fmt, ap);
		if (r > 0)
			w->n += (size_t)r;
	}
	va_end(ap);
}

static void jw_ch(struct jw *w, char c)
{
	jw_out(w, "%c", c);
}

static void jw_escape(struct jw *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	jw_ch(w, '"');
	for (; *p; p++) {
		switch (*p) {
		case '"':
			jw_out(w, "\\\"");
			break;
		case '\\':
			jw_out(w, "\\\\");
			break;
		case '\n':
			jw_out(w, "\\n");
			break;
		case '\t':
			jw_out(w, "\\t");
			break;
		case '\r':
			jw_out(w, "\\r");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				jw_out(w, "\\u%04x", *p);
			else
				jw_ch(w, (char)*p);
		}
	}
	jw_ch(w, '"');
}

/* Comma and key before a value; a key is ignored inside arrays by callers
 * passing NULL. */
static void jw_pre(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		jw_ch(w, ',');
	w->first[w->depth] = false;
	if (key) {
		jw_escape(w, key);
		jw_ch(w, ':');
	}
}

static void jw_push(struct jw *w, const char *key, char open)
{
	jw_pre(w, key);
	jw_ch(w, open);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
	w->closer[w->depth] = open == '{' ? '}' : ']';
}

static void jw_pop(struct jw *w, char close)
{
	jw_ch(w, close);
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
		jw_escape(w, val);
	else
		jw_out(w, "null");
}

void jw_u64(struct jw *w, const char *key, unsigned long long val)
{
	jw_pre(w, key);
	jw_out(w, "%llu", val);
}

void jw_s64(struct jw *w, const char *key, long long val)
{
	jw_pre(w, key);
	jw_out(w, "%lld", val);
}

void jw_f64(struct jw *w, const char *key, double val)
{
	jw_pre(w, key);
	if (isfinite(val))
		jw_out(w, "%.1f", val);
	else
		jw_out(w, "null");
}

void jw_bool(struct jw *w, const char *key, bool val)
{
	jw_pre(w, key);
	jw_out(w, "%s", val ? "true" : "false");
}

void jw_null(struct jw *w, const char *key)
{
	jw_pre(w, key);
	jw_out(w, "null");
}

int jw_close(struct jw *w)
{
	/* An error path may leave containers open; close them so the
	 * document a script reads is still well formed. */
	while (w->depth > 0)
		jw_pop(w, w->closer[w->depth]);
	return (int)w->n;
}

void jw_finish(struct jw *w)
{
	jw_close(w);
	jw_ch(w, '\n');
	if (w->f)
		fflush(w->f);
}
