/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), written
 * to a stdio stream.  One job: spelling families, samples and labels the
 * way Prometheus' parser (and `promtool check metrics`) wants them.
 *
 * The format requires every sample of a family to follow that family's
 * # HELP / # TYPE lines without another family in between, so callers emit
 * one family at a time: prom_family() then its prom_sample() calls.
 */
#ifndef PFBPF_PROM_H
#define PFBPF_PROM_H

#include <stdio.h>

enum prom_type { PROM_COUNTER, PROM_GAUGE, PROM_UNTYPED };

/* A label set: up to PROM_MAX_LABELS name/value pairs, names NULL-ended. */
#define PROM_MAX_LABELS 4
struct prom_labels {
	const char *name[PROM_MAX_LABELS + 1];
	const char *value[PROM_MAX_LABELS];
};

void prom_family(FILE *f, const char *name, enum prom_type type, const char *help);
/* A sample of the family last announced; labels may be NULL. */
void prom_sample(FILE *f, const char *name, const struct prom_labels *labels, double value);
/* Shorthand for the many families with one unlabelled sample. */
void prom_single(FILE *f, const char *name, enum prom_type type, const char *help, double value);

/* Label value escaping (\\, \", \n), into buf of size n; returns buf. */
char *prom_escape(const char *in, char *buf, size_t n);

#endif /* PFBPF_PROM_H */
