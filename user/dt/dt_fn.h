/* SPDX-License-Identifier: BSD-2-Clause */
/* dt_fn.h - D functions, builtin variables and their indexes. */
#ifndef PFBPF_DT_FN_H
#define PFBPF_DT_FN_H

enum { FK_ACTION, FK_SUBR, FK_AGG };
enum {
	F_PRINTF, F_TRACE, F_PRINTA, F_EXIT, F_CLEAR, F_TRUNC,
	F_INET_NTOA, F_INET_NTOA6, F_INET_NTOP, F_STRJOIN, F_STRINGOF, F_LLTOSTR,
	F_NTOHS, F_NTOHL, F_HTONS, F_HTONL, F_STRLEN, F_SUBSTR, F_STRSTR,
	F_COUNT, F_SUM, F_MIN, F_MAX, F_AVG, F_QUANTIZE, F_LQUANTIZE, F_STDDEV,
	F_NFN,
};
struct dt_fn {
	const char *name;
	int kind, minargs, maxargs;
};
extern const struct dt_fn dt_fns[];

enum { B_TIMESTAMP, B_WALLTIMESTAMP, B_VTIMESTAMP, B_CPU, B_PROBEPROV, B_PROBEMOD,
       B_PROBEFUNC, B_PROBENAME, B_EPID, B_ID, B_PID, B_EXECNAME, B_MAX };

struct fmt *dt_fmt_compile(const char *s, int allow_agg, char *err, size_t errlen);
#endif
