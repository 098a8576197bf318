// SPDX-License-Identifier: BSD-2-Clause
/*
 * prom.c - Prometheus text format writer (see prom.h).
 */
#include <math.h>
#include <string.h>

#include "exporter/prom.h"

char *prom_escape(const char *in, char *buf, size_t n)
{
	size_t o = 0;

	if (!n)
		return buf;
	for (; in && *in && o + 2 < n; in++) {
		switch (*in) {
		case '\\':
			buf[o++] = '\\';
			buf[o++] = '\\';
			break;
		case '"':
			buf[o++] = '\\';
			buf[o++] = '"';
			break;
		case '\n':
			buf[o++] = '\\';
			buf[o++] = 'n';
			break;
		default:
			buf[o++] = *in;
		}
	}
	buf[o] = '\0';
	return buf;
}

void prom_family(FILE *f, const char *name, enum prom_type type, const char *help)
{
	/* HELP text escapes only backslash and newline; ours has neither. */
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		type == PROM_COUNTER ? "counter" : type == PROM_GAUGE ? "gauge" : "untyped");
}

void prom_sample(FILE *f, const char *name, const struct prom_labels *labels, double value)
{
	char esc[512];

	fputs(name, f);
	if (labels && labels->name[0]) {
		fputc('{', f);
		for (int i = 0; i < PROM_MAX_LABELS && labels->name[i]; i++)
			fprintf(f, "%s%s=\"%s\"", i ? "," : "", labels->name[i],
				prom_escape(labels->value[i], esc, sizeof(esc)));
		fputc('}', f);
	}
	/* Counters are integers well below 2^53 in practice; print them
	 * without an exponent so that diffs in tests read naturally. */
	if (value == floor(value) && fabs(value) < 9007199254740992.0)
		fprintf(f, " %.0f\n", value);
	else
		fprintf(f, " %.9g\n", value);
}

void prom_single(FILE *f, const char *name, enum prom_type type, const char *help, double value)
{
	prom_family(f, name, type, help);
	prom_sample(f, name, NULL, value);
}
