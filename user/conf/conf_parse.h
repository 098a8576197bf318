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

/*
 * A translation pool as written (`-> POOL ...`, `nat-to POOL ...`), kept
 * with the rule template until its lists are expanded (conf_nat.c).
 */
struct pool_tmpl {
	int xlate;          /* PF_NAT / PF_RDR / PF_BINAT, 0 = no pool written */
	int line, col;      /* first token of the pool */
	struct vec addrs;   /* struct hostitem */
	int port_given;     /* `port a[:b]` / `port Q[:*]` */
	int port_star;      /* `port Q:*` */
	__u16 port[2];      /* port[1] 0 when not a range */
	int port_line, port_col;
	int type;           /* PF_POOL_* type written, 0 = none */
	int static_port, sticky;
	int opt_line, opt_col; /* the pool type or static-port token */
	int key_set;
	__u32 key[4];
};

/* A rule as written, before its lists are expanded. */
struct rule_tmpl {
	struct pfbpf_rule r;
	struct pool_tmpl pool;
	int natrule;      /* nat/rdr/binat statement: PF_NAT ... PF_NORDR */
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
	char *pending;       /* a value being built (a macro's), freed on unwind */
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

/* conf_parse.c's helpers that conf_nat.c and conf_ifaddr.c use. */
void *conf_vec_push(struct parser *p, struct vec *v, size_t elsz);
void *conf_grow(struct parser *p, void **arr, size_t *n, size_t elsz);
int conf_is_kw(const struct tok *t, const char *kw);
int conf_accept_kw(struct parser *p, const char *kw);
int conf_at_end(struct parser *p);
void conf_expect_end(struct parser *p);
void conf_expect_word(struct parser *p, struct tok *out);
_Noreturn void conf_syntax_error(struct parser *p, const struct tok *t);
int conf_parse_number(const char *s, unsigned long long max, unsigned long long *out, int hex);
__u16 conf_port_value(struct parser *p, const struct tok *t, const char *s);
void conf_parse_hosts(struct parser *p, struct vec *hosts, int allow_empty);
void conf_parse_rule_body(struct parser *p, struct rule_tmpl *rt, int anchor);
size_t conf_expand_rule(struct parser *p);
void conf_tmpl_reset(struct rule_tmpl *t);
__u32 conf_next_nr(struct parser *p, const char *path);

void conf_add_decl(struct parser *p, __u32 kind, __u32 idx, __u32 value);

/* conf_synproxy.c: `synproxy state` only on TCP rules (file:line:col). */
void conf_synproxy_check(struct parser *p, const struct rule_tmpl *rt);

/* conf_syncookie.c: `set syncookies` (after the word syncookies). */
void conf_set_syncookies(struct parser *p, struct pfbpf_conf_options *o);

/* conf_nat.c: translation rules and pools. */
void conf_parse_nat_rule(struct parser *p);      /* [no] nat|rdr|binat ... */
void conf_parse_match_rule(struct parser *p);    /* match ... */
/* A rule option that starts a pool (nat-to, rdr-to, binat-to); 0 if kw is none. */
int conf_nat_option(struct parser *p, struct rule_tmpl *rt, const struct tok *kw);
/* `->`: the word "-" followed by '>'. */
int conf_nat_at_arrow(struct parser *p);
void conf_nat_arrow(struct parser *p, struct rule_tmpl *rt);
/* Per expanded rule: fill r->rpool and conf->pool_addrs; checks that need af. */
void conf_nat_finish(struct parser *p, const struct rule_tmpl *t, struct pfbpf_rule *r);
/* The ruleset counter key of a rule (pf numbers nat, rdr, binat apart). */
const char *conf_nat_counter(int action, const char *path, char *buf, size_t len);

/* conf_ifaddr.c: interface addresses. */
/* A word naming an interface address (`em0`, `em0:network`, `self`) at
 * *t (and maybe the next token): push one hostitem per address and return
 * 1, or return 0 when the word is not one. */
int conf_ifaddr_host(struct parser *p, struct vec *v, int neg, int line, int col);
/* `(em0[:mod...])` at the lookahead: a PFBPF_ADDR_DYNIF. */
void conf_ifaddr_dynamic(struct parser *p, struct pfbpf_addr_spec *a);
/* pfctl's DYNIF_MULTIADDR: a dynamic address that may stand for several. */
int conf_dynif_multiaddr(const struct pfbpf_addr_spec *a);

/* conf_md5.c: RFC 1321 MD5, for pfctl's `source-hash "string"` keys. */
void conf_md5(const void *data, size_t len, unsigned char out[16]);

#endif /* PFBPF_CONF_PARSE_H */
