/* SPDX-License-Identifier: BSD-2-Clause */
/* dt_impl.h - private structures of the D engine (lexer, parser, evaluator). */
#ifndef PFBPF_DT_IMPL_H
#define PFBPF_DT_IMPL_H

#include <setjmp.h>
#include <stdint.h>
#include "dt/dt.h"

/* ---- lexer ---- */
enum tok {
	T_EOF = 0, T_INT, T_STR, T_IDENT,
	T_LP, T_RP, T_LB, T_RB, T_LC, T_RC, T_SEMI, T_COMMA, T_DOT, T_ARROW,
	T_QUEST, T_COLON, T_AT,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PCT, T_INC, T_DEC,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_LAND, T_LOR, T_LXOR, T_NOT,
	T_TILDE, T_AMP, T_OR, T_XOR, T_SHL, T_SHR,
	T_ASSIGN, T_ADDEQ, T_SUBEQ, T_MULEQ, T_DIVEQ, T_MODEQ, T_ANDEQ, T_OREQ,
	T_XOREQ, T_SHLEQ, T_SHREQ,
};

struct lexer {
	const char *src, *p;
	int line;
	/* current token */
	enum tok t;
	int tline;
	const char *tstart; size_t tlen;
	int64_t ival; int iunsigned;
	char *sval;              /* T_STR contents / T_IDENT name (malloced) */
	char *err; size_t errlen;
	const char *file;
	jmp_buf *jb;
};

/* ---- types ---- */
enum tkind { TK_VOID, TK_INT, TK_STR, TK_STRUCT, TK_PTR, TK_ARRAY };
/* How an integer prints with %s (the pf provider's readable members). */
enum { HINT_NONE, HINT_DIR };

struct dt_prog;
struct dt_value;
struct dt_member;

struct dt_ref {
	const void *base;   /* object bytes (NULL: a NULL pointer) */
	int aux;            /* e.g. which peer of a state */
	/* array values: the array member and the object that owns it */
	const struct dt_member *m;
	const struct dt_type *aown;
	const void *abase; int aaux;
};

struct dt_type {
	enum tkind kind;
	const char *name;
	int size, issigned, hint;
	const struct dt_type *ref;  /* TK_PTR: pointee, TK_ARRAY: element */
	int nelem;                  /* TK_ARRAY */
	const struct dt_member *members; /* TK_STRUCT, NULL-name ended */
	/* TK_STRUCT: returns 0 or a runtime error string */
	const char *(*get)(struct dt_prog *p, const struct dt_ref *obj, int mid,
			   int64_t idx, struct dt_value *out);
	size_t objsize;             /* bytes a struct copy keeps from base */
};

struct dt_member {
	const char *name;
	const struct dt_type *type;
	int id;
};

struct dt_value {
	const struct dt_type *t;
	int64_t i;
	const char *s;
	struct dt_ref r;    /* pointer/struct/array; ints read from memory: r.base = address */
};

extern const struct dt_type dt_t_void, dt_t_int, dt_t_uint, dt_t_u8, dt_t_u16,
	dt_t_u32, dt_t_u64, dt_t_i8, dt_t_i16, dt_t_i64, dt_t_string,
	dt_t_state_ptr, dt_t_pktinfo_ptr, dt_t_csinfo_ptr, dt_t_ipinfo_ptr,
	dt_t_ifinfo_ptr, dt_t_ipv4info_ptr, dt_t_ipv6info_ptr, dt_t_ipaddr,
	dt_t_ipaddr_ptr, dt_t_in6_addr, dt_t_in6_addr_ptr, dt_t_void_ptr,
	dt_t_dir;

const struct dt_member *dt_member_find(const struct dt_type *t, const char *name);
int dt_type_compat(const struct dt_type *a, const struct dt_type *b);
const char *dt_addr_str(int af, const void *a, char *buf, size_t len);
const char *dt_scratch_str(struct dt_prog *p, const char *s);

/* ---- AST ---- */
enum nkind {
	N_INT, N_STR, N_VAR, N_THIS, N_SELF, N_CONST, N_BUILTIN, N_ARGS,
	N_MEMBER, N_ARROW, N_INDEX, N_CALL, N_UNARY, N_BINARY, N_TERNARY,
	N_ASSIGN, N_AGG, N_ADDR, N_DEREF, N_PREINC, N_POSTINC, N_CAST,
	N_PROTOCOLS, N_ASSOC, N_IF, N_BLOCK,
};

struct node {
	enum nkind k;
	int op;             /* enum tok of the operator */
	int line;
	struct node *a, *b, *c;
	struct node **args; int nargs;
	int64_t ival;
	char *name;         /* identifiers, member names, string literals */
	/* filled by the checker */
	const struct dt_type *type;
	int slot;           /* variable / aggregation / builtin / function index */
	const struct dt_member *mem;
	struct fmt *fmt;    /* printf/printa format */
	int aggfn;          /* aggregating function of an aggregation assignment */
};

/* compiled printf format: literal text and conversions */
struct conv {
	char spec[32];      /* the C conversion rebuilt for snprintf (with ll) */
	char c;             /* conversion letter */
	int agg;            /* %@ */
	const char *lit;    /* literal text before this conversion */
	size_t litlen;
};
struct fmt {
	struct conv *cv; int ncv;
	const char *tail; size_t taillen;
	char *text;
};

struct clause {
	int line;
	unsigned char probes[DT_PROBE_MAX];
	long long tick_ns;              /* tick clause interval */
	unsigned epid[DT_PROBE_MAX];
	char *desc;                     /* the first description as written */
	struct node *pred;
	struct node **stmts; int nstmts;
	int records;                    /* prints a probe line when not quiet */
	int errored;
};

#endif

/* ---- program ---- */
#define DT_OBJMAX 192   /* largest object a struct copy keeps (struct pf_event) */
#define DT_MAXKEYS 8

struct var {
	char *name;
	const struct dt_type *t;
	int line;
	int set;
	struct dt_value v;
	char *str; size_t strcap;          /* owned string value */
	unsigned char obj[DT_OBJMAX];      /* owned struct copy */
};

struct vartab {
	struct var *v;
	int n, cap;
};

enum aggfn { AG_COUNT, AG_SUM, AG_MIN, AG_MAX, AG_AVG, AG_QUANTIZE, AG_LQUANTIZE,
	     AG_STDDEV, AG_MAXFN };

struct aggkey { int64_t i; char *s; };

/*
 * Hash index over an entry vector whose elements start with their keys
 * (struct aggent, struct aent): chains of entry indexes, so lookups stay
 * O(1) with many keys (per-address counts under a flood).
 */
struct hidx {
	int *head;          /* nb buckets, -1 = empty */
	unsigned nb;
	int *next;          /* per entry */
	int ncap;
};
struct aggent {
	struct aggkey k[DT_MAXKEYS];
	int64_t cnt, sum, min, max;
	long double sumsq;
	int64_t *bkt;
};
struct agg {
	char *name;
	int fn;
	int line;
	int nkeys;
	const struct dt_type *kt[DT_MAXKEYS];
	int64_t lq_lo, lq_hi, lq_step;
	int nbkt;
	struct aggent *e;
	int n, cap;
	struct hidx h;
	int printed;
};

/* a global associative array: name[keys] = int or string */
struct aent {
	struct aggkey k[DT_MAXKEYS];
	int64_t i;
	char *s;
};
struct assoc {
	char *name;
	int line;
	int nkeys;
	const struct dt_type *kt[DT_MAXKEYS];
	const struct dt_type *vt;
	struct aent *e;
	int n, cap;
	struct hidx h;
};
#define DT_ASSOC_MAX 1000000   /* entries per array, as dtrace's dynvarsize bounds them */

struct tickst {
	long long ns;
	unsigned long long next;
};

struct dt_prog {
	struct dt_opts o;
	FILE *out, *err;
	char *file;
	int quiet;
	double switchrate;
	int aggsortkey, aggsortrev;
	struct clause *cl; int ncl;
	struct vartab globals, thisv;
	struct agg *aggs; int naggs;
	struct assoc *assocs; int nassocs;
	unsigned char uses[DT_PROBE_MAX];
	unsigned nepid;
	/* the current firing */
	enum dt_probe probe;
	const struct clause *curcl;
	long long curtick;
	int curstmt;
	unsigned cpu;
	unsigned long long ts;
	struct pf_event pfev;
	struct pf_ip_event ipev;
	/* scratch strings of one clause firing */
	char *scr; size_t scrused, scrcap;
	jmp_buf *rjb;
	char rerr[160];
	int header_done;
	int exited, status;
	unsigned long long nerrors;
	struct tickst *ticks; int nticks;
	int began, ended;
	struct dt_type **ptypes; int nptypes;
	/* every AST node, so a failed compile frees what it built */
	struct node **nodes; int nnodes, capnodes;
	char *pending;
};

void dt_lex_fail(struct lexer *lx, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
void dt_next(struct lexer *lx);
void dt_skip_space(struct lexer *lx);
const char *dt_tok_text(struct lexer *lx, char *buf, size_t len);
void dt_node_free(struct node *n);
void dt_var_free(struct vartab *vt);
void dt_fmt_free(struct fmt *f);
const struct dt_type *dt_arg_type(enum dt_probe probe, int i);
