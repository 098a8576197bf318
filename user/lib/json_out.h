/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_out.h - the JSON writer every tool's machine-readable output goes
 * through (pfctl_bpf --json, pftrace -o json, pfbpf-load -j), so that
 * escaping and number formats are the same everywhere.
 *
 * A streaming writer: keys are passed with each value, commas are placed by
 * the writer, so callers cannot produce malformed documents.  Output is
 * compact (no spaces).
 */
#ifndef PFBPF_JSON_OUT_H
#define PFBPF_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

struct jw {
	FILE *f;       /* NULL: into buf */
	char *buf;
	size_t len;
	size_t n;      /* as snprintf: what the whole document needs */
	int depth;
	bool first[JW_MAX_DEPTH];
	char closer[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, FILE *f);
/* Into buf (NUL-terminated, cut at len - 1 like snprintf): one record per
 * line for pftrace's stream, which hands lines on to other readers. */
void jw_init_buf(struct jw *w, char *buf, size_t len);
/* key NULL: a value inside an array (or the document itself). */
void jw_obj_begin(struct jw *w, const char *key);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w, const char *key);
void jw_arr_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
void jw_u64(struct jw *w, const char *key, unsigned long long val);
void jw_s64(struct jw *w, const char *key, long long val);
void jw_f64(struct jw *w, const char *key, double val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);
/* Closes every open container and writes the final newline. */
void jw_finish(struct jw *w);
/* Closes every open container, no newline; the length as snprintf's. */
int jw_close(struct jw *w);

#endif /* PFBPF_JSON_OUT_H */
