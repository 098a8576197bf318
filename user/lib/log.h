/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h - the pr_warn/pr_info/pr_debug family shared by pfbpf's tools.
 *
 * Warnings always go to stderr; info needs -v, debug -vv.  libbpf's and
 * libxdp's own messages are routed through the same verbosity: they are
 * noisy about things we handle on purpose (probing, the libxdp dispatcher
 * fallback), so they appear only when the user asks with -v.
 */
#ifndef PFBPF_LOG_H
#define PFBPF_LOG_H

#include <stdarg.h>

enum pfbpf_log_level {
	PFBPF_LOG_WARN = 0,
	PFBPF_LOG_INFO = 1,
	PFBPF_LOG_DEBUG = 2,
};

/* Program name used as the message prefix ("pfctl_bpf: ..."). */
void pfbpf_log_init(const char *progname, int verbosity);
void pfbpf_log_set_verbosity(int verbosity);
int pfbpf_log_verbosity(void);

__attribute__((format(printf, 2, 3)))
void pfbpf_log(enum pfbpf_log_level level, const char *fmt, ...);
/* Print a library message (libbpf, libxdp) if -v (debug: -vv) allows it. */
int pfbpf_log_lib(int debug, const char *fmt, va_list ap);
void pfbpf_vlog(enum pfbpf_log_level level, const char *fmt, va_list ap);

/* An error and a warning print alike ("tool: ..." on stderr, whatever the
 * verbosity); the two names say at the call which one it is. */
#define pr_err(...) pfbpf_log(PFBPF_LOG_WARN, __VA_ARGS__)
#define pr_warn(...) pfbpf_log(PFBPF_LOG_WARN, __VA_ARGS__)
#define pr_info(...) pfbpf_log(PFBPF_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) pfbpf_log(PFBPF_LOG_DEBUG, __VA_ARGS__)

#endif /* PFBPF_LOG_H */
