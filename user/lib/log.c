// SPDX-License-Identifier: BSD-2-Clause
/*
 * log.c - message routing for pfbpf's tools, including libbpf's and
 * libxdp's print callbacks.
 */
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "lib/log.h"

static const char *log_prog = "pfbpf";
static int log_verbosity;

void pfbpf_vlog(enum pfbpf_log_level level, const char *fmt, va_list ap)
{
	size_t len;

	if ((int)level > log_verbosity)
		return;
	fprintf(stderr, "%s: ", log_prog);
	vfprintf(stderr, fmt, ap);
	/* Callers may or may not end with a newline; print exactly one. */
	len = strlen(fmt);
	if (!len || fmt[len - 1] != '\n')
		fputc('\n', stderr);
}

void pfbpf_log(enum pfbpf_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pfbpf_vlog(level, fmt, ap);
	va_end(ap);
}

/* libbpf's warnings include expected failures (feature probes, pinned map
 * reuse checks), so they are shown only with -v; its debug output with -vv. */
static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return pfbpf_log_lib(level == LIBBPF_DEBUG, fmt, ap);
}

/* Raw library output (libxdp's callback uses it too, from loader.c, so
 * that tools not linking libxdp need not pull it in). */
int pfbpf_log_lib(int debug, const char *fmt, va_list ap)
{
	int need = debug ? PFBPF_LOG_DEBUG : PFBPF_LOG_INFO;

	if (need > log_verbosity)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void pfbpf_log_set_verbosity(int verbosity)
{
	log_verbosity = verbosity;
}

int pfbpf_log_verbosity(void)
{
	return log_verbosity;
}

void pfbpf_log_init(const char *progname, int verbosity)
{
	const char *slash;

	if (progname) {
		slash = strrchr(progname, '/');
		log_prog = slash ? slash + 1 : progname;
	}
	log_verbosity = verbosity;
	libbpf_set_print(libbpf_print_fn);
}
