/* SPDX-License-Identifier: BSD-2-Clause */
/* conf_parse.h - the pf.conf parser's internals (lexer and grammar). */
#ifndef PFBPF_CONF_PARSE_H
#define PFBPF_CONF_PARSE_H

#include <setjmp.h>
#include "conf_private.h"

enum tok_type {
	T_EOF = 0, T_NL, T_WORD, T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN,
	T_COMMA, T_SLASH, T_BANG, T_LT, T_GT, T_EQ, T_NE, T_LE, T_GE,
	T_IRG, /* >< */
	T_XRG, /* <> */
};

struct tok {
	int type;
	int quoted;
	int line, col;
	const char *fname;  /* file it came from (include) */
	char s[1024];
};

/* An input: the file, or a macro's value being read (fixed: every token
 * gets the place where the macro was used). */
struct src {
	char *buf;
	size_t len, pos;
	int line, col;
	int fixed, fline, fcol;
	int depth;          /* macro nesting */
	int include;        /* an included file: its end ends a statement */
	const char *fname;
	struct src *prev;
};

struct macro {
	char *name;
	char *value;
	int cmdline; /* from -D: the file cannot redefine it */
};

/* A growable array, freed with the parser whatever happens. */
struct vec {
	void *v;
	size_t n, cap;
};

struct ifitem {
	char name[PFBPF_IFNAMSIZ];
	int not;
};

struct hostitem {
	struct pfbpf_addr_spec a;
	int line, col;
};

struct portitem {
	struct pfbpf_port_spec p;
	int line, col;
};

struct icmpitem {
	int type, code; /* code -1: none */
	int v6;
	int line, col;
};

struct protoitem {
	int proto;
	int line, col;
};

/* A rule as written, before its lists are expanded. */
struct rule_tmpl {
	struct pfbpf_rule r;
	struct vec ifs, protos, icmps, src, sport, dst, dport;
	int line, col;
	int flags_given;  /* `flags` written (even `flags any`) */
	int flags_line, flags_col;
	int keep_given;
	int ret_line, ret_col;    /* return-rst */
	int keep_line, keep_col;  /* keep state */
	int label_given;
	int max_given;
	int timeout_given;
	unsigned tm_given;   /* bit per PFTM_*: a per-rule timeout was written */
	int icmp_given;
};

struct nrcount {
	char path[PFBPF_ANCHOR_MAXPATH];
	__u32 next;
};

struct tableref {
	const char *fname;
	char name[PF_TABLE_NAME_SIZE];
	char anchor[PFBPF_ANCHOR_MAXPATH];
	int line, col;
};

struct parser {
	jmp_buf jb;
	int rc;
	struct pfbpf_conf *c;
	struct pfbpf_conf_error *err;
	struct pfbpf_conf_opts opts;
	const char *fname;
	struct src *src;
	struct tok la[4];
	int nla;
	struct vec macros;   /* struct macro */
	struct vec counts;   /* struct nrcount */
	struct vec trefs;    /* struct tableref */
	struct vec fnames;   /* char *: included file names, for tokens and errors */
	const char *cur_fname; /* file of the statement being parsed */
	int include_depth;
	struct rule_tmpl t;
	char anchor[PFBPF_ANCHOR_MAXPATH];
	int anchor_depth;
	__u16 block_flag;    /* from set block-policy */
};

/* Errors: fill p->err and unwind to the top of the parse. */
_Noreturn void conf_fail_at(struct parser *p, int line, int col, const char *token,
			    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
_Noreturn void conf_fail(struct parser *p, const struct tok *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void conf_nomem(struct parser *p);

void conf_push_source(struct parser *p, const char *text, int fixed, int line, int col,
		      const char *fname);
void conf_pop_source(struct parser *p);
struct tok *conf_peek(struct parser *p, int n);
void conf_next(struct parser *p, struct tok *out);
const char *conf_macro_get(struct parser *p, const char *name);

#endif /* PFBPF_CONF_PARSE_H */
