// SPDX-License-Identifier: BSD-2-Clause
/*
 * dt_parse.c - D scripts to clauses: probe descriptions, pragmas, predicates,
 * statements, and the checker that gives every expression its type so that
 * unknown probes, variables, members and functions, and mistyped printf
 * arguments, are rejected before anything is enabled (as dtrace does).
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include "dt/dt_impl.h"
#include "dt/dt_fn.h"

struct parser {
	struct lexer lx;
	struct dt_prog *p;
	struct clause *cl;
	int in_pred, depth, nest;
	jmp_buf jb;
};

#define FAIL(ps, line, ...) dt_lex_fail(&(ps)->lx, (line), __VA_ARGS__)

static void *xcalloc(size_t n, size_t sz)
{
	void *v;

	v = calloc(n ? n : 1, sz);

	if (!v)
		abort();
	return v;
}

static struct node *mknode(struct parser *ps, enum nkind k, int line)
{
	struct node *n = xcalloc(1, sizeof(*n));

	n->k = k;
	n->line = line;
	n->slot = -1;
	if (ps->p->nnodes == ps->p->capnodes) {
		ps->p->capnodes = ps->p->capnodes ? 2 * ps->p->capnodes : 64;
		ps->p->nodes = realloc(ps->p->nodes, ps->p->capnodes * sizeof(*ps->p->nodes));
		if (!ps->p->nodes)
			abort();
	}
	ps->p->nodes[ps->p->nnodes++] = n;
	return n;
}

/* One node; the program frees them all from its node list. */
void dt_node_free(struct node *n)
{
	if (!n)
		return;
	free(n->args);
	free(n->name);
	dt_fmt_free(n->fmt);
	free(n);
}

static const char *near(struct parser *ps)
{
	static char buf[64];

	return dt_tok_text(&ps->lx, buf, sizeof(buf));
}

static void __attribute__((noreturn)) syntax(struct parser *ps)
{
	if (ps->lx.t == T_EOF)
		FAIL(ps, ps->lx.tline, "syntax error: unexpected end of input");
	FAIL(ps, ps->lx.tline, "syntax error near `%s`", near(ps));
}

static void expect(struct parser *ps, enum tok t, const char *what)
{
	if (ps->lx.t != t) {
		if (ps->lx.t == T_EOF)
			FAIL(ps, ps->lx.tline, "syntax error: expected `%s` before end of input", what);
		FAIL(ps, ps->lx.tline, "syntax error: expected `%s` near `%s`", what, near(ps));
	}
	dt_next(&ps->lx);
}

/* ------------------------------------------------------------------------ */
/* expressions                                                              */
/* ------------------------------------------------------------------------ */

static struct node *p_expr(struct parser *ps);
static struct node *p_assign(struct parser *ps);
static struct node *p_unary(struct parser *ps);

static const struct { const char *name; const struct dt_type *t; } casts[] = {
	{ "int", &dt_t_int }, { "uint_t", &dt_t_uint }, { "uint8_t", &dt_t_u8 },
	{ "uint16_t", &dt_t_u16 }, { "uint32_t", &dt_t_u32 }, { "uint64_t", &dt_t_u64 },
	{ "int8_t", &dt_t_i8 }, { "int16_t", &dt_t_i16 }, { "int32_t", &dt_t_int },
	{ "int64_t", &dt_t_i64 }, { "char", &dt_t_i8 }, { "short", &dt_t_i16 },
	{ "long", &dt_t_i64 }, { "unsigned", &dt_t_uint }, { "ipaddr_t", &dt_t_ipaddr },
	{ NULL, NULL },
};

static const struct dt_type *cast_type(const char *name)
{
	int i;

	for (i = 0; casts[i].name; i++)
		if (!strcmp(casts[i].name, name))
			return casts[i].t;
	return NULL;
}

static void add_arg(struct node *n, struct node *a)
{
	n->args = realloc(n->args, (n->nargs + 1) * sizeof(*n->args));
	if (!n->args)
		abort();
	n->args[n->nargs++] = a;
}

static struct node *p_primary(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct node *n;
	int line = lx->tline;

	switch (lx->t) {
	case T_INT:
		n = mknode(ps, N_INT, line);
		n->ival = lx->ival;
		n->op = lx->iunsigned;
		dt_next(lx);
		return n;
	case T_STR:
		n = mknode(ps, N_STR, line);
		n->name = lx->sval;
		lx->sval = NULL;
		dt_next(lx);
		/* adjacent literals concatenate, as in C */
		while (lx->t == T_STR) {
			size_t a = strlen(n->name), b = strlen(lx->sval);

			n->name = realloc(n->name, a + b + 1);
			memcpy(n->name + a, lx->sval, b + 1);
			dt_next(lx);
		}
		return n;
	case T_IDENT:
		if (!strcmp(lx->sval, "this") || !strcmp(lx->sval, "self")) {
			n = mknode(ps, lx->sval[0] == 't' ? N_THIS : N_SELF, line);
			dt_next(lx);
			expect(ps, T_ARROW, "->");
			if (lx->t != T_IDENT)
				syntax(ps);
			n->name = lx->sval;
			lx->sval = NULL;
			dt_next(lx);
			return n;
		}
		n = mknode(ps, N_VAR, line);
		n->name = lx->sval;
		lx->sval = NULL;
		dt_next(lx);
		return n;
	case T_AT:
		n = mknode(ps, N_AGG, line);
		dt_next(lx);
		if (lx->t == T_IDENT && lx->tstart[-1] == '@') {
			n->name = lx->sval;
			lx->sval = NULL;
			dt_next(lx);
		} else {
			n->name = strdup("");
		}
		if (lx->t == T_LB) {
			dt_next(lx);
			ps->depth++;
			for (;;) {
				add_arg(n, p_assign(ps));
				if (lx->t != T_COMMA)
					break;
				dt_next(lx);
			}
			ps->depth--;
			expect(ps, T_RB, "]");
			if (n->nargs > DT_MAXKEYS)
				FAIL(ps, line, "aggregation @%s has more than %d keys", n->name,
				     DT_MAXKEYS);
		}
		return n;
	case T_LP:
		dt_next(lx);
		ps->depth++;
		if (lx->t == T_IDENT && cast_type(lx->sval)) {
			const char *q = lx->p;

			/* "(type)" followed by an operand is a cast */
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q == ')') {
				n = mknode(ps, N_CAST, line);
				n->type = cast_type(lx->sval);
				dt_next(lx);
				ps->depth--;
				expect(ps, T_RP, ")");
				/* a cast binds like a unary operator */
				n->a = p_unary(ps);
				return n;
			}
		}
		n = p_expr(ps);
		ps->depth--;
		expect(ps, T_RP, ")");
		return n;
	default:
		syntax(ps);
	}
}

static struct node *p_postfix(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct node *n = p_primary(ps), *m;

	for (;;) {
		int line = lx->tline;

		if (lx->t == T_LB) {
			dt_next(lx);
			ps->depth++;
			m = mknode(ps, N_INDEX, line);
			m->a = n;
			for (;;) {
				add_arg(m, p_assign(ps));
				if (lx->t != T_COMMA)
					break;
				dt_next(lx);
			}
			if (m->nargs > DT_MAXKEYS)
				FAIL(ps, line, "more than %d keys in [ ]", DT_MAXKEYS);
			m->b = m->args[0];
			ps->depth--;
			expect(ps, T_RB, "]");
			n = m;
		} else if (lx->t == T_DOT || lx->t == T_ARROW) {
			m = mknode(ps, lx->t == T_DOT ? N_MEMBER : N_ARROW, line);
			dt_next(lx);
			if (lx->t != T_IDENT)
				syntax(ps);
			m->a = n;
			m->name = lx->sval;
			lx->sval = NULL;
			dt_next(lx);
			n = m;
		} else if (lx->t == T_LP && n->k == N_VAR) {
			m = mknode(ps, N_CALL, line);
			m->name = n->name;
			n->name = NULL;
			dt_next(lx);
			ps->depth++;
			if (lx->t != T_RP) {
				for (;;) {
					add_arg(m, p_assign(ps));
					if (lx->t != T_COMMA)
						break;
					dt_next(lx);
				}
			}
			ps->depth--;
			expect(ps, T_RP, ")");
			n = m;
		} else if (lx->t == T_INC || lx->t == T_DEC) {
			m = mknode(ps, N_POSTINC, line);
			m->op = lx->t;
			m->a = n;
			dt_next(lx);
			n = m;
		} else {
			return n;
		}
	}
}

static struct node *p_unary_(struct parser *ps);

static struct node *p_unary(struct parser *ps)
{
	struct node *n;

	/* bound the recursion: scripts are input too */
	if (++ps->nest > 200)
		FAIL(ps, ps->lx.tline, "expression is nested too deeply near `%s`", near(ps));
	n = p_unary_(ps);
	ps->nest--;
	return n;
}

static struct node *p_unary_(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct node *n;
	int line = lx->tline;

	switch (lx->t) {
	case T_NOT: case T_TILDE: case T_MINUS: case T_PLUS:
		n = mknode(ps, N_UNARY, line);
		n->op = lx->t;
		dt_next(lx);
		n->a = p_unary(ps);
		return n;
	case T_STAR:
		n = mknode(ps, N_DEREF, line);
		dt_next(lx);
		n->a = p_unary(ps);
		return n;
	case T_AMP:
		n = mknode(ps, N_ADDR, line);
		dt_next(lx);
		n->a = p_unary(ps);
		return n;
	case T_INC: case T_DEC:
		n = mknode(ps, N_PREINC, line);
		n->op = lx->t;
		dt_next(lx);
		n->a = p_unary(ps);
		return n;
	default:
		return p_postfix(ps);
	}
}

/* C's binary precedences, with D's ^^ between && and || */
static int prec(struct parser *ps, enum tok t)
{
	switch (t) {
	case T_LOR: return 1;
	case T_LXOR: return 2;
	case T_LAND: return 3;
	case T_OR: return 4;
	case T_XOR: return 5;
	case T_AMP: return 6;
	case T_EQ: case T_NE: return 7;
	case T_LT: case T_LE: case T_GT: case T_GE: return 8;
	case T_SHL: case T_SHR: return 9;
	case T_PLUS: case T_MINUS: return 10;
	/* inside a predicate a top-level `/` closes it: divide in parentheses */
	case T_SLASH: return ps->in_pred && ps->depth == 0 ? 0 : 11;
	case T_STAR: case T_PCT: return 11;
	default: return 0;
	}
}

static struct node *p_binary(struct parser *ps, int minprec)
{
	struct lexer *lx = &ps->lx;
	struct node *l = p_unary(ps);

	for (;;) {
		int pr = prec(ps, lx->t);
		struct node *n;

		if (!pr || pr < minprec)
			return l;
		n = mknode(ps, N_BINARY, lx->tline);
		n->op = lx->t;
		dt_next(lx);
		n->a = l;
		n->b = p_binary(ps, pr + 1);
		l = n;
	}
}

static struct node *p_ternary(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct node *c = p_binary(ps, 1), *n;

	if (lx->t != T_QUEST)
		return c;
	n = mknode(ps, N_TERNARY, lx->tline);
	dt_next(lx);
	n->a = c;
	ps->depth++;
	n->b = p_expr(ps);
	ps->depth--;
	expect(ps, T_COLON, ":");
	n->c = p_ternary(ps);
	return n;
}

static int is_assignop(enum tok t)
{
	return t == T_ASSIGN || (t >= T_ADDEQ && t <= T_SHREQ);
}

static struct node *p_assign(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct node *l, *n;

	/* bound the recursion: scripts are input too */
	if (++ps->nest > 200)
		FAIL(ps, lx->tline, "expression is nested too deeply near `%s`", near(ps));
	l = p_ternary(ps);
	if (!is_assignop(lx->t)) {
		ps->nest--;
		return l;
	}
	n = mknode(ps, N_ASSIGN, lx->tline);
	n->op = lx->t;
	dt_next(lx);
	n->a = l;
	n->b = p_assign(ps);
	ps->nest--;
	return n;
}

/* D has no comma operator outside argument lists: an expression is an assignment. */
static struct node *p_expr(struct parser *ps)
{
	return p_assign(ps);
}

/* ------------------------------------------------------------------------ */
/* the checker                                                              */
/* ------------------------------------------------------------------------ */

struct cconst { const char *name; int64_t v; };
static const struct cconst consts[] = {
	{ "TCPS_CLOSED", TCPS_CLOSED }, { "TCPS_LISTEN", TCPS_LISTEN },
	{ "TCPS_SYN_SENT", TCPS_SYN_SENT }, { "TCPS_SYN_RECEIVED", TCPS_SYN_RECEIVED },
	{ "TCPS_ESTABLISHED", TCPS_ESTABLISHED }, { "TCPS_CLOSE_WAIT", TCPS_CLOSE_WAIT },
	{ "TCPS_FIN_WAIT_1", TCPS_FIN_WAIT_1 }, { "TCPS_CLOSING", TCPS_CLOSING },
	{ "TCPS_LAST_ACK", TCPS_LAST_ACK }, { "TCPS_FIN_WAIT_2", TCPS_FIN_WAIT_2 },
	{ "TCPS_TIME_WAIT", TCPS_TIME_WAIT }, { "TCP_NSTATES", TCP_NSTATES },
	{ "PFUDPS_NO_TRAFFIC", PFUDPS_NO_TRAFFIC }, { "PFUDPS_SINGLE", PFUDPS_SINGLE },
	{ "PFUDPS_MULTIPLE", PFUDPS_MULTIPLE },
	{ "PFOTHERS_NO_TRAFFIC", PFOTHERS_NO_TRAFFIC }, { "PFOTHERS_SINGLE", PFOTHERS_SINGLE },
	{ "PFOTHERS_MULTIPLE", PFOTHERS_MULTIPLE },
	{ "PF_INOUT", PF_INOUT }, { "PF_IN", PF_IN }, { "PF_OUT", PF_OUT },
	{ "PF_SK_WIRE", PF_SK_WIRE }, { "PF_SK_STACK", PF_SK_STACK },
	{ "AF_INET", PF_INET }, { "AF_INET6", PF_INET6 },
	{ "PF_INET", PF_INET }, { "PF_INET6", PF_INET6 },
	{ "IPPROTO_IP", 0 }, { "IPPROTO_ICMP", 1 }, { "IPPROTO_IGMP", 2 },
	{ "IPPROTO_IPIP", 4 }, { "IPPROTO_TCP", 6 }, { "IPPROTO_UDP", 17 },
	{ "IPPROTO_IPV6", 41 }, { "IPPROTO_ROUTING", 43 }, { "IPPROTO_FRAGMENT", 44 },
	{ "IPPROTO_GRE", 47 }, { "IPPROTO_ESP", 50 }, { "IPPROTO_AH", 51 },
	{ "IPPROTO_ICMPV6", 58 }, { "IPPROTO_NONE", 59 }, { "IPPROTO_DSTOPTS", 60 },
	{ "IPPROTO_SCTP", 132 }, { "IPPROTO_UDPLITE", 136 }, { "IPPROTO_RAW", 255 },
	{ "PF_DESTROY_NONE", PF_DESTROY_NONE }, { "PF_DESTROY_EXPIRED", PF_DESTROY_EXPIRED },
	{ "PF_DESTROY_KILLED", PF_DESTROY_KILLED }, { "PF_DESTROY_FLUSHED", PF_DESTROY_FLUSHED },
	{ "PF_DESTROY_EVICTED", PF_DESTROY_EVICTED }, { "PF_DESTROY_RST", PF_DESTROY_RST },
	{ "PF_DESTROY_FIN", PF_DESTROY_FIN },
	{ "NULL", 0 },
	{ NULL, 0 },
};

/* builtin variables */
static const struct { const char *name; const struct dt_type *t; } builtins[] = {
	[B_TIMESTAMP] = { "timestamp", &dt_t_u64 },
	[B_WALLTIMESTAMP] = { "walltimestamp", &dt_t_i64 },
	[B_VTIMESTAMP] = { "vtimestamp", &dt_t_u64 },
	[B_CPU] = { "cpu", &dt_t_int },
	[B_PROBEPROV] = { "probeprov", &dt_t_string },
	[B_PROBEMOD] = { "probemod", &dt_t_string },
	[B_PROBEFUNC] = { "probefunc", &dt_t_string },
	[B_PROBENAME] = { "probename", &dt_t_string },
	[B_EPID] = { "epid", &dt_t_uint },
	[B_ID] = { "id", &dt_t_uint },
	[B_PID] = { "pid", &dt_t_int },
	[B_EXECNAME] = { "execname", &dt_t_string },
};

const struct dt_fn dt_fns[] = {
	[F_PRINTF] = { "printf", FK_ACTION, 1, 64 },
	[F_TRACE] = { "trace", FK_ACTION, 1, 1 },
	[F_PRINTA] = { "printa", FK_ACTION, 1, 2 },
	[F_EXIT] = { "exit", FK_ACTION, 1, 1 },
	[F_CLEAR] = { "clear", FK_ACTION, 1, 1 },
	[F_TRUNC] = { "trunc", FK_ACTION, 1, 2 },
	[F_INET_NTOA] = { "inet_ntoa", FK_SUBR, 1, 1 },
	[F_INET_NTOA6] = { "inet_ntoa6", FK_SUBR, 1, 1 },
	[F_INET_NTOP] = { "inet_ntop", FK_SUBR, 2, 2 },
	[F_STRJOIN] = { "strjoin", FK_SUBR, 2, 2 },
	[F_STRINGOF] = { "stringof", FK_SUBR, 1, 1 },
	[F_LLTOSTR] = { "lltostr", FK_SUBR, 1, 2 },
	[F_NTOHS] = { "ntohs", FK_SUBR, 1, 1 },
	[F_NTOHL] = { "ntohl", FK_SUBR, 1, 1 },
	[F_HTONS] = { "htons", FK_SUBR, 1, 1 },
	[F_HTONL] = { "htonl", FK_SUBR, 1, 1 },
	[F_STRLEN] = { "strlen", FK_SUBR, 1, 1 },
	[F_SUBSTR] = { "substr", FK_SUBR, 2, 3 },
	[F_STRSTR] = { "strstr", FK_SUBR, 2, 2 },
	[F_COUNT] = { "count", FK_AGG, 0, 0 },
	[F_SUM] = { "sum", FK_AGG, 1, 1 },
	[F_MIN] = { "min", FK_AGG, 1, 1 },
	[F_MAX] = { "max", FK_AGG, 1, 1 },
	[F_AVG] = { "avg", FK_AGG, 1, 1 },
	[F_QUANTIZE] = { "quantize", FK_AGG, 1, 1 },
	[F_LQUANTIZE] = { "lquantize", FK_AGG, 4, 4 },
	[F_STDDEV] = { "stddev", FK_AGG, 1, 1 },
};

static int fn_find(const char *name)
{
	int i;

	for (i = 0; i < F_NFN; i++)
		if (!strcmp(dt_fns[i].name, name))
			return i;
	return -1;
}

static int isint(const struct dt_type *t) { return t->kind == TK_INT; }
static int isstr(const struct dt_type *t) { return t->kind == TK_STR; }
static int isscalar(const struct dt_type *t) { return t->kind == TK_INT || t->kind == TK_PTR; }

int dt_type_compat(const struct dt_type *a, const struct dt_type *b)
{
	if (a == b)
		return 1;
	if (a->kind == TK_INT && b->kind == TK_INT)
		return 1;
	if (a->kind == TK_STR && b->kind == TK_STR)
		return 1;
	if (a->kind == TK_PTR && b->kind == TK_PTR)
		return a->ref == b->ref || a->ref->kind == TK_VOID || b->ref->kind == TK_VOID;
	if (a->kind == TK_STRUCT && b->kind == TK_STRUCT)
		return a == b;
	return 0;
}

static struct var *var_find(struct vartab *vt, const char *name)
{
	int i;

	for (i = 0; i < vt->n; i++)
		if (!strcmp(vt->v[i].name, name))
			return &vt->v[i];
	return NULL;
}

static int var_add(struct vartab *vt, const char *name, const struct dt_type *t, int line)
{
	struct var *v;

	if (vt->n == vt->cap) {
		vt->cap = vt->cap ? vt->cap * 2 : 8;
		vt->v = realloc(vt->v, vt->cap * sizeof(*vt->v));
		if (!vt->v)
			abort();
	}
	v = &vt->v[vt->n];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	v->t = t;
	v->line = line;
	return vt->n++;
}

/* Pointer types made by `&`, kept until dt_free. */
static const struct dt_type *ptr_to(struct parser *ps, const struct dt_type *t)
{
	struct dt_type *pt;
	char *nm;

	if (t == &dt_t_ipaddr)
		return &dt_t_ipaddr_ptr;
	if (t == &dt_t_in6_addr)
		return &dt_t_in6_addr_ptr;
	if (t == dt_t_state_ptr.ref)
		return &dt_t_state_ptr;
	pt = xcalloc(1, sizeof(*pt));
	nm = xcalloc(1, strlen(t->name) + 3);
	sprintf(nm, "%s *", t->name);
	pt->kind = TK_PTR;
	pt->name = nm;
	pt->size = 8;
	pt->ref = t;
	ps->p->ptypes = realloc(ps->p->ptypes, (ps->p->nptypes + 1) * sizeof(*ps->p->ptypes));
	if (!ps->p->ptypes)
		abort();
	ps->p->ptypes[ps->p->nptypes++] = pt;
	return pt;
}

/* The type of args[i] on every probe of the clause, or an error. */
static const struct dt_type *args_type(struct parser *ps, struct node *n, int64_t i)
{
	const struct dt_type *t = NULL;
	size_t np, k;
	const struct dt_probe_info *pl = dt_probe_list(&np);
	int pr, first = -1;

	for (pr = 0; pr < DT_PROBE_MAX; pr++) {
		const struct dt_type *at;

		if (!ps->cl->probes[pr])
			continue;
		at = dt_arg_type(pr, (int)i);
		for (k = 0; k < np && pl[k].probe != (enum dt_probe)pr; k++)
			;
		if (!at)
			FAIL(ps, n->line, "args[%lld] is not defined for probe %s:%s:%s:%s",
			     (long long)i, pl[k].provider, pl[k].module, pl[k].function, pl[k].name);
		if (t && t != at) {
			size_t j;

			for (j = 0; j < np && pl[j].probe != (enum dt_probe)first; j++)
				;
			FAIL(ps, n->line, "args[%lld] is `%s` on %s:::%s but `%s` on %s:::%s",
			     (long long)i, t->name, pl[j].provider, pl[j].name, at->name,
			     pl[k].provider, pl[k].name);
		}
		if (!t)
			first = pr;
		t = at;
	}
	return t;
}

static const struct dt_type *check(struct parser *ps, struct node *n, int lval);

static struct agg *agg_find(struct dt_prog *p, const char *name)
{
	int i;

	for (i = 0; i < p->naggs; i++)
		if (!strcmp(p->aggs[i].name, name))
			return &p->aggs[i];
	return NULL;
}

/* The checked type of an int-only operand. */
static void want_int(struct parser *ps, struct node *n, const char *op)
{
	const struct dt_type *t = check(ps, n, 0);

	if (!isint(t))
		FAIL(ps, n->line, "operator %s requires an integer operand, not `%s`", op,
		     t->name);
}

static const char *opname(int op)
{
	static const char *const names[] = {
		[T_PLUS] = "+", [T_MINUS] = "-", [T_STAR] = "*", [T_SLASH] = "/",
		[T_PCT] = "%", [T_EQ] = "==", [T_NE] = "!=", [T_LT] = "<", [T_LE] = "<=",
		[T_GT] = ">", [T_GE] = ">=", [T_LAND] = "&&", [T_LOR] = "||", [T_LXOR] = "^^",
		[T_NOT] = "!", [T_TILDE] = "~", [T_AMP] = "&", [T_OR] = "|", [T_XOR] = "^",
		[T_SHL] = "<<", [T_SHR] = ">>", [T_ASSIGN] = "=", [T_ADDEQ] = "+=",
		[T_SUBEQ] = "-=", [T_MULEQ] = "*=", [T_DIVEQ] = "/=", [T_MODEQ] = "%=",
		[T_ANDEQ] = "&=", [T_OREQ] = "|=", [T_XOREQ] = "^=", [T_SHLEQ] = "<<=",
		[T_SHREQ] = ">>=", [T_INC] = "++", [T_DEC] = "--",
	};

	return op >= 0 && op < (int)(sizeof(names) / sizeof(names[0])) && names[op] ? names[op] : "?";
}

/* The int type of an arithmetic result: 64 bits, unsigned if either is unsigned 64-bit. */
static const struct dt_type *arith(const struct dt_type *a, const struct dt_type *b)
{
	if ((!a->issigned && a->size == 8) || (b && !b->issigned && b->size == 8))
		return &dt_t_u64;
	return &dt_t_i64;
}

static void check_printf_args(struct parser *ps, struct node *n, int first, const char *fn,
			      struct fmt *f, struct agg *ag)
{
	int ci, ai = first, ki = 0;

	for (ci = 0; ci < f->ncv; ci++) {
		struct conv *c = &f->cv[ci];
		const struct dt_type *t;
		int ok;

		if (c->agg)
			continue;
		if (ag) {
			/* printa: plain conversions print the keys in order */
			if (ki >= ag->nkeys)
				FAIL(ps, n->line, "printa( ) format conversion #%d (%%%c) has no "
				     "corresponding key of @%s", ci + 1, c->c, ag->name);
			t = ag->kt[ki++];
		} else {
			if (ai >= n->nargs)
				FAIL(ps, n->line, "%s( ) prototype mismatch: conversion #%d (%%%c) is "
				     "missing a corresponding value argument", fn, ci + 1, c->c);
			t = n->args[ai]->type;
			ai++;
		}
		switch (c->c) {
		case 's':
			ok = isstr(t) || (isint(t) && t->hint);
			break;
		case 'p':
			ok = isscalar(t);
			break;
		default:
			ok = isint(t) || (t->kind == TK_PTR && strchr("xXu", c->c));
		}
		if (!ok)
			FAIL(ps, n->line, "%s( ) argument #%d is incompatible with conversion #%d "
			     "(%%%c): `%s`", fn, ag ? ki : ai, ci + 1, c->c, t->name);
	}
	if (!ag && ai < n->nargs)
		FAIL(ps, n->line, "%s( ) prototype mismatch: only %d arguments required by "
		     "this format string", fn, ai);
}

static const struct dt_type *check_call(struct parser *ps, struct node *n, int stmt)
{
	int f = fn_find(n->name), i;
	const struct dt_fn *d;
	const struct dt_type *t;
	char ferr[200];

	if (f < 0)
		FAIL(ps, n->line, "`%s` is not a known function", n->name);
	d = &dt_fns[f];
	n->slot = f;
	if (n->nargs < d->minargs || n->nargs > d->maxargs) {
		if (d->minargs == d->maxargs)
			FAIL(ps, n->line, "%s( ) prototype mismatch: %d arguments passed, %d expected",
			     d->name, n->nargs, d->minargs);
		FAIL(ps, n->line, "%s( ) prototype mismatch: %d arguments passed, %d to %d expected",
		     d->name, n->nargs, d->minargs, d->maxargs);
	}
	if (d->kind == FK_AGG)
		FAIL(ps, n->line, "%s( ) may only be used as the value of an aggregation "
		     "(@name[keys] = %s(...))", d->name, d->name);
	if (d->kind == FK_ACTION && !stmt)
		FAIL(ps, n->line, "%s( ) is an action and may not be used in an expression", d->name);

	/* aggregation arguments */
	if (f == F_PRINTA || f == F_CLEAR || f == F_TRUNC) {
		struct node *an = n->args[f == F_PRINTA && n->nargs == 2 ? 1 : 0];
		struct agg *ag;

		if (an->k != N_AGG || an->nargs)
			FAIL(ps, n->line, "%s( ) argument #%d must be an aggregation without keys",
			     d->name, f == F_PRINTA && n->nargs == 2 ? 2 : 1);
		ag = agg_find(ps->p, an->name);
		if (!ag)
			FAIL(ps, an->line, "aggregation @%s is not defined", an->name);
		an->slot = (int)(ag - ps->p->aggs);
		if (f == F_PRINTA && n->nargs == 2) {
			if (n->args[0]->k != N_STR)
				FAIL(ps, n->line, "printa( ) argument #1 must be a string literal");
			n->fmt = dt_fmt_compile(n->args[0]->name, 1, ferr, sizeof(ferr));
			if (!n->fmt)
				FAIL(ps, n->line, "printa( ) %s", ferr);
			check_printf_args(ps, n, 0, "printa", n->fmt, ag);
		}
		if (f == F_TRUNC && n->nargs == 2)
			want_int(ps, n->args[1], "trunc()");
		return &dt_t_void;
	}
	for (i = 0; i < n->nargs; i++)
		check(ps, n->args[i], 0);
	switch (f) {
	case F_PRINTF:
		if (n->args[0]->k != N_STR)
			FAIL(ps, n->line, "printf( ) argument #1 must be a string literal");
		n->fmt = dt_fmt_compile(n->args[0]->name, 0, ferr, sizeof(ferr));
		if (!n->fmt)
			FAIL(ps, n->line, "printf( ) %s", ferr);
		check_printf_args(ps, n, 1, "printf", n->fmt, NULL);
		return &dt_t_void;
	case F_TRACE:
		t = n->args[0]->type;
		if (!isint(t) && !isstr(t) && t->kind != TK_PTR)
			FAIL(ps, n->line, "trace( ) argument #1 must be an integer or a string, not `%s`",
			     t->name);
		return &dt_t_void;
	case F_EXIT:
		if (!isint(n->args[0]->type))
			FAIL(ps, n->line, "exit( ) argument #1 must be an integer");
		return &dt_t_void;
	case F_INET_NTOA:
		t = n->args[0]->type;
		if (t->kind != TK_PTR || (t->ref != &dt_t_ipaddr && t->ref->kind != TK_VOID &&
					  t->ref != &dt_t_u32))
			FAIL(ps, n->line, "inet_ntoa( ) argument #1 must be `ipaddr_t *`, not `%s`",
			     t->name);
		return &dt_t_string;
	case F_INET_NTOA6:
		t = n->args[0]->type;
		if (t->kind != TK_PTR || (t->ref != &dt_t_in6_addr && t->ref->kind != TK_VOID))
			FAIL(ps, n->line, "inet_ntoa6( ) argument #1 must be `in6_addr_t *`, not `%s`",
			     t->name);
		return &dt_t_string;
	case F_INET_NTOP:
		if (!isint(n->args[0]->type))
			FAIL(ps, n->line, "inet_ntop( ) argument #1 must be an address family");
		if (n->args[1]->type->kind != TK_PTR)
			FAIL(ps, n->line, "inet_ntop( ) argument #2 must be a pointer to an address, "
			     "not `%s`", n->args[1]->type->name);
		return &dt_t_string;
	case F_STRJOIN:
	case F_STRSTR:
		for (i = 0; i < 2; i++)
			if (!isstr(n->args[i]->type))
				FAIL(ps, n->line, "%s( ) argument #%d must be a string, not `%s`",
				     d->name, i + 1, n->args[i]->type->name);
		return &dt_t_string;
	case F_STRINGOF:
		t = n->args[0]->type;
		if (!isstr(t) && !isint(t))
			FAIL(ps, n->line, "stringof( ) argument #1 must be a string or an integer");
		return &dt_t_string;
	case F_LLTOSTR:
		for (i = 0; i < n->nargs; i++)
			if (!isint(n->args[i]->type))
				FAIL(ps, n->line, "lltostr( ) argument #%d must be an integer", i + 1);
		return &dt_t_string;
	case F_NTOHS: case F_HTONS:
		if (!isint(n->args[0]->type))
			FAIL(ps, n->line, "%s( ) argument #1 must be an integer", d->name);
		return &dt_t_u16;
	case F_NTOHL: case F_HTONL:
		if (!isint(n->args[0]->type))
			FAIL(ps, n->line, "%s( ) argument #1 must be an integer", d->name);
		return &dt_t_u32;
	case F_STRLEN:
		if (!isstr(n->args[0]->type))
			FAIL(ps, n->line, "strlen( ) argument #1 must be a string");
		return &dt_t_u64;
	case F_SUBSTR:
		if (!isstr(n->args[0]->type))
			FAIL(ps, n->line, "substr( ) argument #1 must be a string");
		for (i = 1; i < n->nargs; i++)
			if (!isint(n->args[i]->type))
				FAIL(ps, n->line, "substr( ) argument #%d must be an integer", i + 1);
		return &dt_t_string;
	}
	return &dt_t_void;
}

static struct assoc *assoc_find(struct dt_prog *p, const char *name)
{
	int i;

	for (i = 0; i < p->nassocs; i++)
		if (!strcmp(p->assocs[i].name, name))
			return &p->assocs[i];
	return NULL;
}

static int reserved_name(const char *name)
{
	int i;

	for (i = 0; i < B_MAX; i++)
		if (!strcmp(builtins[i].name, name))
			return 1;
	for (i = 0; consts[i].name; i++)
		if (!strcmp(consts[i].name, name))
			return 1;
	return fn_find(name) >= 0 || !strcmp(name, "args") || !strcmp(name, "protocols");
}

/*
 * Keys of an associative array reference, checked against its first use.
 * By index: checking a key may create another array and move p->assocs.
 */
static void check_assoc_keys(struct parser *ps, struct node *n, int ai, int create)
{
	struct dt_prog *p = ps->p;
	int i;

	if (!create && p->assocs[ai].nkeys != n->nargs)
		FAIL(ps, n->line, "`%s[ ]` has %d keys here, %d on line %d", n->a->name, n->nargs,
		     p->assocs[ai].nkeys, p->assocs[ai].line);
	for (i = 0; i < n->nargs; i++) {
		const struct dt_type *kt = check(ps, n->args[i], 0);
		struct assoc *as = &p->assocs[ai];

		if (!isint(kt) && !isstr(kt))
			FAIL(ps, n->line, "`%s[ ]` key #%d must be an integer or a string, not `%s`",
			     n->a->name, i + 1, kt->name);
		if (create)
			as->kt[i] = isstr(kt) ? &dt_t_string : &dt_t_i64;
		else if (isstr(as->kt[i]) != isstr(kt))
			FAIL(ps, n->line, "`%s[ ]` key #%d is `%s` here but `%s` on line %d",
			     n->a->name, i + 1, kt->name, as->kt[i]->name, as->line);
	}
	if (create)
		p->assocs[ai].nkeys = n->nargs;
}

static const struct dt_type *check_ident(struct parser *ps, struct node *n, int lval)
{
	struct dt_prog *p = ps->p;
	struct var *v = var_find(&p->globals, n->name);
	int i;

	if (v || lval) {
		n->slot = v ? (int)(v - p->globals.v) : -1;
		return v ? v->t : NULL;
	}
	for (i = 0; i < B_MAX; i++) {
		if (!strcmp(builtins[i].name, n->name)) {
			n->k = N_BUILTIN;
			n->slot = i;
			return builtins[i].t;
		}
	}
	for (i = 0; consts[i].name; i++) {
		if (!strcmp(consts[i].name, n->name)) {
			n->k = N_CONST;
			n->ival = consts[i].v;
			return &dt_t_int;
		}
	}
	/*
	 * The pf provider's example script indexes addr[] with src_ip and
	 * dst_ip without ever setting them.  As unset D globals both would be
	 * 0 and print one address twice; as constants they pick the slots
	 * that read like `pfctl -ss`: this host's side (key slot 1), then the
	 * peer (slot 0).  Assigning them anywhere makes them ordinary variables.
	 */
	if (!strcmp(n->name, "src_ip") || !strcmp(n->name, "dst_ip")) {
		n->k = N_CONST;
		n->ival = n->name[0] == 's' ? 1 : 0;
		return &dt_t_int;
	}
	if (fn_find(n->name) >= 0)
		FAIL(ps, n->line, "`%s` is a function: call it as %s( )", n->name, n->name);
	if (!strcmp(n->name, "args") || !strcmp(n->name, "protocols"))
		FAIL(ps, n->line, "`%s` must be indexed: %s[...]", n->name, n->name);
	FAIL(ps, n->line, "failed to resolve `%s`: unknown variable name", n->name);
}

static const struct dt_type *check_lval(struct parser *ps, struct node *l, const struct dt_type *rt,
					int line, const char *op)
{
	struct dt_prog *p = ps->p;
	struct vartab *vt;
	struct var *v;
	char nm[200];

	if (l->k == N_VAR || l->k == N_THIS || l->k == N_SELF) {
		vt = l->k == N_THIS ? &p->thisv : &p->globals;
		snprintf(nm, sizeof(nm), "%s%s", l->k == N_SELF ? "self->" : "", l->name);
		if (l->k == N_VAR) {
			int i;

			for (i = 0; i < B_MAX; i++)
				if (!strcmp(builtins[i].name, l->name))
					FAIL(ps, line, "`%s` is a builtin variable and cannot be assigned",
					     l->name);
			for (i = 0; consts[i].name; i++)
				if (!strcmp(consts[i].name, l->name))
					FAIL(ps, line, "`%s` is a constant and cannot be assigned", l->name);
			if (fn_find(l->name) >= 0 || !strcmp(l->name, "args") ||
			    !strcmp(l->name, "protocols"))
				FAIL(ps, line, "`%s` is reserved and cannot be assigned", l->name);
		}
		if (l->k == N_VAR && assoc_find(p, l->name))
			FAIL(ps, line, "`%s` is an associative array: index it as %s[...]", l->name,
			     l->name);
		v = var_find(vt, nm);
		if (!v) {
			if (!rt)
				FAIL(ps, line, "failed to resolve `%s%s`: unknown variable name",
				     l->k == N_THIS ? "this->" : "", nm);
			if (rt->kind == TK_VOID || rt->kind == TK_ARRAY)
				FAIL(ps, line, "`%s` cannot be assigned a value of type `%s`", nm,
				     rt->name);
			if (rt->kind == TK_STRUCT && rt->objsize > DT_OBJMAX)
				FAIL(ps, line, "`%s` is too large to copy", rt->name);
			l->slot = var_add(vt, nm, rt, line);
			v = &vt->v[l->slot];
		} else {
			l->slot = (int)(v - vt->v);
			if (rt && !dt_type_compat(v->t, rt))
				FAIL(ps, line, "operands have incompatible types: `%s` %s `%s`",
				     v->t->name, op, rt->name);
		}
		l->type = v->t;
		return v->t;
	}
	if (l->k == N_INDEX && l->a->k == N_VAR) {
		struct assoc *as = assoc_find(p, l->a->name);
		int ai;

		if (var_find(&p->globals, l->a->name))
			FAIL(ps, line, "`%s` is a scalar variable, not an associative array", l->a->name);
		if (reserved_name(l->a->name))
			FAIL(ps, line, "`%s` is reserved and cannot be assigned", l->a->name);
		if (!as) {
			/* `a[k]++` and `a[k] += n` start an integer array */
			if (!rt)
				rt = &dt_t_i64;
			if (!isint(rt) && !isstr(rt))
				FAIL(ps, line, "`%s[ ]` values must be integers or strings, not `%s`",
				     l->a->name, rt->name);
			p->assocs = realloc(p->assocs, (p->nassocs + 1) * sizeof(*p->assocs));
			if (!p->assocs)
				abort();
			as = &p->assocs[p->nassocs++];
			memset(as, 0, sizeof(*as));
			as->name = strdup(l->a->name);
			as->line = line;
			as->vt = isstr(rt) ? &dt_t_string : &dt_t_i64;
			/* no keys until they are checked: a key may not use the array itself */
			as->nkeys = -1;
			ai = (int)(as - p->assocs);
			check_assoc_keys(ps, l, ai, 1);
			as = &p->assocs[ai];
		} else {
			if (as->nkeys < 0)
				FAIL(ps, line, "`%s[ ]` is used in its own first key", l->a->name);
			ai = (int)(as - p->assocs);
			check_assoc_keys(ps, l, ai, 0);
			as = &p->assocs[ai];
			if (rt && !dt_type_compat(as->vt, rt))
				FAIL(ps, line, "operands have incompatible types: `%s` %s `%s`",
				     as->vt->name, op, rt->name);
		}
		l->k = N_ASSOC;
		l->slot = (int)(as - p->assocs);
		l->type = as->vt;
		return as->vt;
	}
	FAIL(ps, line, "operator %s requires a variable on its left", op);
}

static const struct dt_type *check(struct parser *ps, struct node *n, int lval)
{
	struct dt_prog *p = ps->p;
	const struct dt_type *t, *u;
	struct var *v;

	switch (n->k) {
	case N_INT:
		if (n->op)
			t = &dt_t_u64;
		else if (n->ival >= INT32_MIN && n->ival <= INT32_MAX)
			t = &dt_t_int;
		else
			t = &dt_t_i64;
		break;
	case N_STR:
		t = &dt_t_string;
		break;
	case N_VAR:
		t = check_ident(ps, n, lval);
		break;
	case N_THIS:
	case N_SELF: {
		char nm[200];

		snprintf(nm, sizeof(nm), "%s%s", n->k == N_SELF ? "self->" : "", n->name);
		v = var_find(n->k == N_THIS ? &p->thisv : &p->globals, nm);
		if (!v)
			FAIL(ps, n->line, "failed to resolve `%s%s`: unknown variable name",
			     n->k == N_THIS ? "this->" : "", nm);
		n->slot = (int)(v - (n->k == N_THIS ? p->thisv.v : p->globals.v));
		t = v->t;
		break;
	}
	case N_INDEX:
		if (n->a->k == N_VAR && !strcmp(n->a->name, "args") &&
		    !var_find(&p->globals, "args")) {
			if (n->b->k != N_INT && !(n->b->k == N_VAR && check(ps, n->b, 0) &&
						  n->b->k == N_CONST))
				FAIL(ps, n->line, "args[ ] index must be an integer constant");
			if (n->nargs != 1)
				FAIL(ps, n->line, "args[ ] takes one index");
			n->k = N_ARGS;
			n->ival = n->b->ival;
			t = args_type(ps, n, n->ival);
			if (!t)
				FAIL(ps, n->line, "args[%lld] is not available on probe %s",
				     (long long)n->ival, ps->cl->desc);
			break;
		}
		if (n->a->k == N_VAR && !strcmp(n->a->name, "protocols") &&
		    !var_find(&p->globals, "protocols")) {
			if (n->nargs != 1)
				FAIL(ps, n->line, "protocols[ ] takes one index");
			n->k = N_PROTOCOLS;
			want_int(ps, n->b, "protocols[ ]");
			t = &dt_t_string;
			break;
		}
		if (n->a->k == N_VAR && !var_find(&p->globals, n->a->name) &&
		    !reserved_name(n->a->name)) {
			struct assoc *as = assoc_find(p, n->a->name);

			if (!as)
				FAIL(ps, n->line, "failed to resolve `%s[ ]`: unknown associative array",
				     n->a->name);
			n->slot = (int)(as - p->assocs);
			if (as->nkeys < 0)
				FAIL(ps, n->line, "`%s[ ]` is used in its own first key", n->a->name);
			check_assoc_keys(ps, n, n->slot, 0);
			n->k = N_ASSOC;
			t = p->assocs[n->slot].vt;
			break;
		}
		if (n->nargs != 1)
			FAIL(ps, n->line, "operator [ ] takes one index here, not %d", n->nargs);
		u = check(ps, n->a, 0);
		if (u->kind != TK_ARRAY)
			FAIL(ps, n->line, "operator [ ] cannot be applied to `%s`", u->name);
		want_int(ps, n->b, "[ ]");
		t = u->ref;
		break;
	case N_MEMBER:
	case N_ARROW:
		u = check(ps, n->a, 0);
		if (n->k == N_ARROW) {
			if (u->kind != TK_PTR || u->ref->kind != TK_STRUCT)
				FAIL(ps, n->line, "operator -> cannot be applied to `%s`: it needs a "
				     "pointer to a struct", u->name);
			u = u->ref;
		} else if (u->kind != TK_STRUCT) {
			FAIL(ps, n->line, "operator . cannot be applied to `%s`%s", u->name,
			     u->kind == TK_PTR ? ": use ->" : "");
		}
		n->mem = dt_member_find(u, n->name);
		if (!n->mem)
			FAIL(ps, n->line, "`%s` is not a member of %s", n->name, u->name);
		t = n->mem->type;
		break;
	case N_CALL:
		t = check_call(ps, n, lval == 2);
		break;
	case N_UNARY:
		u = check(ps, n->a, 0);
		if (n->op == T_NOT) {
			if (!isscalar(u) && !isstr(u))
				FAIL(ps, n->line, "operator ! requires a scalar operand, not `%s`", u->name);
			t = &dt_t_int;
		} else {
			if (!isint(u))
				FAIL(ps, n->line, "operator %s requires an integer operand, not `%s`",
				     opname(n->op), u->name);
			t = n->op == T_MINUS ? &dt_t_i64 : arith(u, NULL);
		}
		break;
	case N_BINARY:
		t = check(ps, n->a, 0);
		u = check(ps, n->b, 0);
		switch (n->op) {
		case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE:
			if (!((isint(t) && isint(u)) || (isstr(t) && isstr(u)) ||
			      (t->kind == TK_PTR && (u->kind == TK_PTR || isint(u))) ||
			      (u->kind == TK_PTR && isint(t))))
				FAIL(ps, n->line, "operator %s cannot compare `%s` with `%s`",
				     opname(n->op), t->name, u->name);
			t = &dt_t_int;
			break;
		case T_LAND: case T_LOR: case T_LXOR:
			if (!(isscalar(t) || isstr(t)) || !(isscalar(u) || isstr(u)))
				FAIL(ps, n->line, "operator %s requires scalar operands", opname(n->op));
			t = &dt_t_int;
			break;
		default:
			if (!isint(t) || !isint(u))
				FAIL(ps, n->line, "operator %s requires integer operands, not `%s` and `%s`",
				     opname(n->op), t->name, u->name);
			t = arith(t, u);
		}
		break;
	case N_TERNARY:
		t = check(ps, n->a, 0);
		if (!isscalar(t) && !isstr(t))
			FAIL(ps, n->line, "operator ?: requires a scalar condition, not `%s`", t->name);
		t = check(ps, n->b, 0);
		u = check(ps, n->c, 0);
		if (!dt_type_compat(t, u) || t->kind == TK_STRUCT || t->kind == TK_VOID)
			FAIL(ps, n->line, "operator ?: operands have incompatible types: `%s` and `%s`",
			     t->name, u->name);
		if (isint(t))
			t = arith(t, u);
		break;
	case N_ASSIGN:
		if (n->a->k == N_AGG)
			FAIL(ps, n->line, "aggregation @%s may only be assigned an aggregating "
			     "function as a statement", n->a->name);
		u = check(ps, n->b, 0);
		if (n->op != T_ASSIGN) {
			t = check_lval(ps, n->a, NULL, n->line, opname(n->op));
			if (!isint(t) || !isint(u))
				FAIL(ps, n->line, "operator %s requires integer operands, not `%s` and `%s`",
				     opname(n->op), t->name, u->name);
		} else {
			t = check_lval(ps, n->a, u, n->line, "=");
		}
		break;
	case N_PREINC:
	case N_POSTINC:
		t = check_lval(ps, n->a, NULL, n->line, opname(n->op));
		if (!isint(t))
			FAIL(ps, n->line, "operator %s requires an integer variable", opname(n->op));
		break;
	case N_AGG:
		FAIL(ps, n->line, "aggregation @%s may only be assigned to or passed to printa( ), "
		     "clear( ) or trunc( )", n->name);
	case N_ADDR:
		if (n->a->k != N_MEMBER && n->a->k != N_ARROW && n->a->k != N_INDEX &&
		    n->a->k != N_DEREF)
			FAIL(ps, n->line, "operator & requires a member or an array element");
		u = check(ps, n->a, 0);
		if (u->kind != TK_INT && u->kind != TK_STRUCT)
			FAIL(ps, n->line, "operator & cannot be applied to `%s`", u->name);
		t = ptr_to(ps, u);
		break;
	case N_DEREF:
		u = check(ps, n->a, 0);
		if (u->kind != TK_PTR || u->ref->kind == TK_VOID)
			FAIL(ps, n->line, "operator * cannot be applied to `%s`", u->name);
		t = u->ref;
		break;
	case N_CAST:
		u = check(ps, n->a, 0);
		if (!isint(u))
			FAIL(ps, n->line, "cannot cast `%s` to `%s`", u->name, n->type->name);
		t = n->type;
		break;
	default:
		FAIL(ps, n->line, "unexpected expression");
	}
	n->type = t;
	return t;
}

static int agg_fn_of(int f)
{
	switch (f) {
	case F_COUNT: return AG_COUNT;
	case F_SUM: return AG_SUM;
	case F_MIN: return AG_MIN;
	case F_MAX: return AG_MAX;
	case F_AVG: return AG_AVG;
	case F_QUANTIZE: return AG_QUANTIZE;
	case F_LQUANTIZE: return AG_LQUANTIZE;
	default: return AG_STDDEV;
	}
}

static int64_t const_int(struct parser *ps, struct node *n, const char *what)
{
	check(ps, n, 0);
	if (n->k == N_INT || n->k == N_CONST)
		return n->ival;
	if (n->k == N_UNARY && n->op == T_MINUS && (n->a->k == N_INT || n->a->k == N_CONST))
		return -n->a->ival;
	FAIL(ps, n->line, "%s must be an integer constant", what);
}

static void check_agg_assign(struct parser *ps, struct node *n)
{
	struct dt_prog *p = ps->p;
	struct node *l = n->a, *r = n->b;
	struct agg *ag;
	int f, i, fn;
	int64_t lo = 0, hi = 0, step = 0;

	if (n->op != T_ASSIGN)
		FAIL(ps, n->line, "aggregation @%s may only be assigned with =", l->name);
	if (r->k != N_CALL || (f = fn_find(r->name)) < 0 || dt_fns[f].kind != FK_AGG)
		FAIL(ps, n->line, "aggregation @%s must be assigned an aggregating function "
		     "(count, sum, min, max, avg, stddev, quantize, lquantize)%s%s%s", l->name,
		     r->k == N_CALL ? ", not `" : "", r->k == N_CALL ? r->name : "",
		     r->k == N_CALL ? "( )`" : "");
	r->slot = f;
	if (r->nargs < dt_fns[f].minargs || r->nargs > dt_fns[f].maxargs)
		FAIL(ps, n->line, "%s( ) prototype mismatch: %d arguments passed, %d expected",
		     dt_fns[f].name, r->nargs, dt_fns[f].minargs);
	fn = agg_fn_of(f);
	if (r->nargs >= 1)
		want_int(ps, r->args[0], dt_fns[f].name);
	if (fn == AG_LQUANTIZE) {
		lo = const_int(ps, r->args[1], "lquantize( ) lower bound");
		hi = const_int(ps, r->args[2], "lquantize( ) upper bound");
		step = const_int(ps, r->args[3], "lquantize( ) step");
		if (step <= 0)
			FAIL(ps, n->line, "lquantize( ) step must be greater than zero");
		if (hi <= lo)
			FAIL(ps, n->line, "lquantize( ) upper bound must be greater than lower bound");
		if ((hi - lo) / step > 10000)
			FAIL(ps, n->line, "lquantize( ) has too many buckets (more than 10000)");
	}
	for (i = 0; i < l->nargs; i++) {
		const struct dt_type *kt = check(ps, l->args[i], 0);

		if (!isint(kt) && !isstr(kt))
			FAIL(ps, n->line, "aggregation @%s key #%d must be an integer or a string, "
			     "not `%s`", l->name, i + 1, kt->name);
	}
	ag = agg_find(p, l->name);
	if (!ag) {
		p->aggs = realloc(p->aggs, (p->naggs + 1) * sizeof(*p->aggs));
		if (!p->aggs)
			abort();
		ag = &p->aggs[p->naggs++];
		memset(ag, 0, sizeof(*ag));
		ag->name = strdup(l->name);
		ag->fn = fn;
		ag->line = n->line;
		ag->nkeys = l->nargs;
		for (i = 0; i < l->nargs; i++)
			ag->kt[i] = isstr(l->args[i]->type) ? &dt_t_string : &dt_t_i64;
		ag->lq_lo = lo;
		ag->lq_hi = hi;
		ag->lq_step = step;
		ag->nbkt = fn == AG_QUANTIZE ? 128 : fn == AG_LQUANTIZE ? (int)((hi - lo) / step) + 3 : 0;
	} else {
		if (ag->fn != fn || (fn == AG_LQUANTIZE &&
				     (ag->lq_lo != lo || ag->lq_hi != hi || ag->lq_step != step)))
			FAIL(ps, n->line, "aggregation @%s: %s( ) conflicts with its use on line %d",
			     l->name, dt_fns[f].name, ag->line);
		if (ag->nkeys != l->nargs)
			FAIL(ps, n->line, "aggregation @%s: %d keys here, %d on line %d", l->name,
			     l->nargs, ag->nkeys, ag->line);
		for (i = 0; i < l->nargs; i++)
			if (isstr(ag->kt[i]) != isstr(l->args[i]->type))
				FAIL(ps, n->line, "aggregation @%s: key #%d is `%s` here but `%s` on "
				     "line %d", l->name, i + 1, l->args[i]->type->name,
				     ag->kt[i]->name, ag->line);
	}
	l->slot = (int)(ag - p->aggs);
	n->aggfn = fn;
	n->type = &dt_t_void;
}

static void check_stmt(struct parser *ps, struct node *n)
{
	if (n->k == N_ASSIGN && n->a->k == N_AGG) {
		check_agg_assign(ps, n);
		return;
	}
	if (n->k != N_ASSIGN && n->k != N_CALL && n->k != N_PREINC && n->k != N_POSTINC)
		FAIL(ps, n->line, "statement has no effect: an action, an assignment or a "
		     "function call was expected");
	check(ps, n, 2);
}

static struct node *p_stmt(struct parser *ps);

/* `{ statements }` or a single statement, the arms of if / else */
static struct node *p_block(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct node *b = mknode(ps, N_BLOCK, lx->tline);
	int line = lx->tline;

	if (lx->t != T_LC) {
		add_arg(b, p_stmt(ps));
		return b;
	}
	dt_next(lx);
	while (lx->t != T_RC) {
		if (lx->t == T_SEMI) {
			dt_next(lx);
			continue;
		}
		if (lx->t == T_EOF)
			FAIL(ps, lx->tline, "syntax error: `{` on line %d is not closed with `}`", line);
		add_arg(b, p_stmt(ps));
	}
	dt_next(lx);
	return b;
}

/* A statement (checked in script order, so variables are defined first). */
static struct node *p_stmt(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct node *n;

	if (++ps->nest > 200)
		FAIL(ps, lx->tline, "statements are nested too deeply near `%s`", near(ps));
	if (lx->t == T_IDENT && !strcmp(lx->sval, "if")) {
		const struct dt_type *t;

		n = mknode(ps, N_IF, lx->tline);
		dt_next(lx);
		expect(ps, T_LP, "(");
		ps->depth = 1;
		n->a = p_expr(ps);
		ps->depth = 0;
		expect(ps, T_RP, ")");
		t = check(ps, n->a, 0);
		if (!isscalar(t) && !isstr(t))
			FAIL(ps, n->line, "if ( ) condition must be a scalar, not `%s`", t->name);
		n->b = p_block(ps);
		if (lx->t == T_IDENT && !strcmp(lx->sval, "else")) {
			dt_next(lx);
			n->c = p_block(ps);
		}
		ps->nest--;
		return n;
	}
	ps->depth = 0;
	n = p_expr(ps);
	check_stmt(ps, n);
	/* The input ending here means the clause was never closed: name the
	 * `}` the user forgot, not the optional `;`. */
	if (lx->t == T_EOF)
		expect(ps, T_RC, "}");
	if (lx->t != T_RC)
		expect(ps, T_SEMI, ";");
	ps->nest--;
	return n;
}

/* Does the statement record data (so a non-quiet firing prints its line)? */
static int records(const struct node *n)
{
	int i;

	if (!n)
		return 0;
	if (n->k == N_IF)
		return records(n->b) || records(n->c);
	if (n->k == N_BLOCK) {
		for (i = 0; i < n->nargs; i++)
			if (records(n->args[i]))
				return 1;
		return 0;
	}
	return !(n->k == N_ASSIGN && n->a->k == N_AGG);
}

/* ------------------------------------------------------------------------ */
/* probe descriptions, pragmas, clauses                                     */
/* ------------------------------------------------------------------------ */

static long long unit_ns(const char *u, int *hz)
{
	static const struct { const char *u; long long ns; } units[] = {
		{ "ns", 1 }, { "nsec", 1 }, { "us", 1000 }, { "usec", 1000 },
		{ "ms", 1000000 }, { "msec", 1000000 }, { "s", 1000000000LL },
		{ "sec", 1000000000LL }, { "m", 60000000000LL }, { "min", 60000000000LL },
		{ "h", 3600000000000LL }, { "hour", 3600000000000LL },
		{ "d", 86400000000000LL }, { "day", 86400000000000LL },
	};
	size_t i;

	*hz = 0;
	if (!*u || !strcasecmp(u, "hz")) {
		*hz = 1;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(units[i].u, u))
			return units[i].ns;
	return -1;
}

/* "10ms" -> ns, "97" / "10hz" -> 1e9 / n; -1 if malformed. */
static long long interval_ns(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	long long ns;
	int hz;

	if (end == s || !v || v > 1000000000ULL)
		return -1;
	ns = unit_ns(end, &hz);
	if (hz)
		return 1000000000LL / (long long)v ? 1000000000LL / (long long)v : -1;
	if (ns < 0)
		return -1;
	/* "3333333h" does not fit in 64 bits of nanoseconds: malformed */
	if ((long long)v > LLONG_MAX / ns)
		return -1;
	return (long long)v * ns;
}

static int part_match(const char *pat, const char *s)
{
	return !*pat || !fnmatch(pat, s, 0);
}

static void desc_match(struct parser *ps, const char *desc, int line)
{
	struct clause *cl = ps->cl;
	char buf[256], *parts[4] = { "", "", "", "" }, *q, *fields[4];
	int n = 0, i, matched = 0;
	size_t np, k;
	const struct dt_probe_info *pl = dt_probe_list(&np);

	if (strlen(desc) >= sizeof(buf))
		FAIL(ps, line, "probe description %.40s... is too long", desc);
	for (q = (char *)desc; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr("_-*?[]!:.~`$", *q))
			FAIL(ps, line, "invalid probe description `%s`: unexpected `%c`", desc, *q);
	strcpy(buf, desc);
	for (q = buf, fields[n++] = q; *q; q++) {
		if (*q == ':') {
			if (n == 4)
				FAIL(ps, line, "invalid probe description `%s`: too many `:`", desc);
			*q = '\0';
			fields[n++] = q + 1;
		}
	}
	/* "name", "func:name", "mod:func:name", "prov:mod:func:name" */
	for (i = 0; i < n; i++)
		parts[4 - n + i] = fields[i];

	if ((!strncmp(parts[3], "tick-", 5) || !strncmp(parts[3], "profile-", 8)) &&
	    part_match(parts[0], "profile") && part_match(parts[1], "") &&
	    part_match(parts[2], "")) {
		long long ns = interval_ns(strchr(parts[3], '-') + 1);

		if (ns <= 0)
			FAIL(ps, line, "invalid probe description `%s`: bad interval", desc);
		if (cl->tick_ns && cl->tick_ns != ns)
			FAIL(ps, line, "one clause may have only one tick interval (`%s`)", desc);
		cl->tick_ns = ns;
		cl->probes[DT_PROBE_TICK] = 1;
		return;
	}
	for (k = 0; k < np; k++) {
		if (pl[k].probe == DT_PROBE_TICK)
			continue;
		if (part_match(parts[0], pl[k].provider) && part_match(parts[1], pl[k].module) &&
		    part_match(parts[2], pl[k].function) && part_match(parts[3], pl[k].name)) {
			cl->probes[pl[k].probe] = 1;
			matched++;
		}
	}
	if (!matched)
		FAIL(ps, line, "probe description %s does not match any probes", desc);
}

static void set_option(struct parser *ps, const char *name, const char *val, int line)
{
	static const char *const ignored[] = {
		"bufsize", "aggsize", "aggrate", "dynvarsize", "strsize", "statusrate",
		"cleanrate", "nspec", "specsize", "bufpolicy", "bufresize", "flowindent",
		"defaultargs", "zdefs", "stackframes", "ustackframes", "jstackframes",
		"rawbytes", "aggpercpu", "aggzoom", "destructive", NULL,
	};
	int i;

	if (!strcmp(name, "quiet")) {
		ps->p->quiet = 1;
		return;
	}
	if (!strcmp(name, "aggsortkey")) {
		ps->p->aggsortkey = 1;
		return;
	}
	if (!strcmp(name, "aggsortrev")) {
		ps->p->aggsortrev = 1;
		return;
	}
	if (!strcmp(name, "switchrate")) {
		long long ns;

		if (!val || (ns = interval_ns(val)) <= 0)
			FAIL(ps, line, "option switchrate: invalid value `%s` (e.g. 10hz, 100ms)",
			     val ? val : "");
		ps->p->switchrate = 1e9 / (double)ns;
		return;
	}
	for (i = 0; ignored[i]; i++)
		if (!strcmp(name, ignored[i]))
			return;
	FAIL(ps, line, "unknown option `%s`", name);
}

/* One `#` line: pragmas, the #! line; cpp directives are not run. */
static void p_directive(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	const char *s = lx->p, *e = strchr(s, '\n');
	char line[512], *w[4] = { NULL }, *save = NULL, *tok;
	int n = 0, ln = lx->line;

	if (!e)
		e = s + strlen(s);
	lx->p = e;
	if (s[1] == '!' && ln == 1)
		return;
	snprintf(line, sizeof(line), "%.*s", (int)(e - s - 1), s + 1);
	for (tok = strtok_r(line, " \t\r", &save); tok && n < 4; tok = strtok_r(NULL, " \t\r", &save))
		w[n++] = tok;
	if (!n || strcmp(w[0], "pragma"))
		FAIL(ps, ln, "preprocessor directive `#%s` is not supported", n ? w[0] : "");
	if (n < 2 || strcmp(w[1], "D"))
		return; /* other pragmas are for other compilers */
	if (n >= 3 && !strcmp(w[2], "option")) {
		char *eq;

		if (n < 4)
			FAIL(ps, ln, "#pragma D option requires an option name");
		eq = strchr(w[3], '=');
		if (eq)
			*eq++ = '\0';
		set_option(ps, w[3], eq, ln);
		return;
	}
	if (n >= 3 && (!strcmp(w[2], "depends_on") || !strcmp(w[2], "attributes") ||
		       !strcmp(w[2], "binding") || !strcmp(w[2], "error") ||
		       !strcmp(w[2], "ident") || !strcmp(w[2], "line")))
		return;
	FAIL(ps, ln, "unknown #pragma D directive `%s`", n >= 3 ? w[2] : "");
}

static void p_clause(struct parser *ps)
{
	struct lexer *lx = &ps->lx;
	struct dt_prog *p = ps->p;
	struct clause *cl;
	int line, i;

	p->cl = realloc(p->cl, (p->ncl + 1) * sizeof(*p->cl));
	if (!p->cl)
		abort();
	cl = &p->cl[p->ncl++];
	memset(cl, 0, sizeof(*cl));
	ps->cl = cl;
	cl->line = lx->line;

	/* probe descriptions, read as raw text */
	for (;;) {
		const char *s = lx->p;
		char *d;

		dt_skip_space(lx);
		s = lx->p;
		line = lx->line;
		while (*lx->p && !isspace((unsigned char)*lx->p) && !strchr(",{/;", *lx->p))
			lx->p++;
		if (lx->p == s) {
			dt_next(lx);
			syntax(ps);
		}
		d = strndup(s, lx->p - s);
		p->pending = d;
		if (!cl->desc)
			cl->desc = strdup(d);
		desc_match(ps, d, line);
		p->pending = NULL;
		free(d);
		dt_skip_space(lx);
		if (*lx->p != ',')
			break;
		lx->p++;
	}
	dt_next(lx);
	if (lx->t == T_SLASH) {
		dt_next(lx);
		ps->in_pred = 1;
		ps->depth = 0;
		cl->pred = p_expr(ps);
		ps->in_pred = 0;
		expect(ps, T_SLASH, "/");
		{
			const struct dt_type *t = check(ps, cl->pred, 0);

			if (!isscalar(t) && !isstr(t))
				FAIL(ps, cl->pred->line, "predicate must be a scalar, not `%s`", t->name);
		}
	}
	if (lx->t != T_LC) {
		if (lx->t == T_EOF)
			FAIL(ps, lx->tline, "syntax error: expected `{` before end of input");
		FAIL(ps, lx->tline, "syntax error: expected `{` near `%s`", near(ps));
	}
	dt_next(lx);
	while (lx->t != T_RC) {
		struct node *st;

		if (lx->t == T_SEMI) {
			dt_next(lx);
			continue;
		}
		if (lx->t == T_EOF)
			FAIL(ps, lx->tline, "syntax error: clause starting on line %d is not closed "
			     "with `}`", cl->line);
		st = p_stmt(ps);
		cl->stmts = realloc(cl->stmts, (cl->nstmts + 1) * sizeof(*cl->stmts));
		if (!cl->stmts)
			abort();
		cl->stmts[cl->nstmts++] = st;
	}
	/* do not read past `}`: what follows may be a probe description */
	cl->records = cl->nstmts == 0;
	for (i = 0; i < cl->nstmts; i++)
		if (records(cl->stmts[i]))
			cl->records = 1;
}

static void prog_finish(struct dt_prog *p)
{
	int i, pr, j;

	for (i = 0; i < p->ncl; i++) {
		struct clause *cl = &p->cl[i];

		for (pr = 0; pr < DT_PROBE_MAX; pr++) {
			if (!cl->probes[pr])
				continue;
			p->uses[pr] = 1;
			cl->epid[pr] = ++p->nepid;
		}
		if (cl->tick_ns) {
			for (j = 0; j < p->nticks && p->ticks[j].ns != cl->tick_ns; j++)
				;
			if (j == p->nticks) {
				p->ticks = realloc(p->ticks, (p->nticks + 1) * sizeof(*p->ticks));
				if (!p->ticks)
					abort();
				p->ticks[p->nticks].ns = cl->tick_ns;
				p->ticks[p->nticks++].next = 0;
			}
		}
	}
}

struct dt_prog *dt_compile(const char *src, const char *filename, const struct dt_opts *o,
			   char *err, size_t errlen)
{
	struct parser *ps;
	struct dt_prog *volatile p;
	char dummy[8];

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	ps = xcalloc(1, sizeof(*ps));
	p = xcalloc(1, sizeof(*p));
	if (o)
		p->o = *o;
	p->out = p->o.out ? p->o.out : stdout;
	p->err = p->o.err ? p->o.err : stderr;
	p->quiet = p->o.quiet;
	p->file = strdup(filename ? filename : "-");
	if (!p->o.wall_offset_ns) {
		struct timespec rt, bt;

		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_BOOTTIME, &bt);
		p->o.wall_offset_ns = (rt.tv_sec - bt.tv_sec) * 1000000000LL + rt.tv_nsec - bt.tv_nsec;
	}
	ps->p = p;
	ps->lx.src = ps->lx.p = src ? src : "";
	ps->lx.line = 1;
	ps->lx.err = err;
	ps->lx.errlen = errlen;
	ps->lx.file = p->file;
	ps->lx.jb = &ps->jb;
	if (setjmp(ps->jb)) {
		free(ps->lx.sval);
		free(ps);
		dt_free(p);
		return NULL;
	}
	for (;;) {
		struct lexer *lx = &ps->lx;

		dt_skip_space(lx);
		if (!*lx->p)
			break;
		if (*lx->p == '#') {
			p_directive(ps);
			continue;
		}
		p_clause(ps);
	}
	if (!p->ncl)
		FAIL(ps, ps->lx.line, "no probes specified");
	prog_finish(p);
	free(ps->lx.sval);
	free(ps);
	return p;
}
