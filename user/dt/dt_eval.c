// SPDX-License-Identifier: BSD-2-Clause
/*
 * dt_eval.c - running compiled clauses on events: expression evaluation,
 * variables, actions, aggregations and their dtrace-style printing.
 *
 * Runtime errors (NULL pointers such as ipv4info_t on an IPv6 packet,
 * division by zero, indexes out of range) abandon the rest of the clause for
 * that firing and are reported once per clause, as dtrace reports a fault in
 * an enabled probe; tracing goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "dt/dt_impl.h"
#include "dt/dt_fn.h"
#include "lib/pf_names.h"

struct scrblk {
	struct scrblk *next;
	char s[];
};

const char *dt_scratch_str(struct dt_prog *p, const char *s)
{
	size_t n = strlen(s);
	struct scrblk *b = malloc(sizeof(*b) + n + 1);

	if (!b)
		abort();
	memcpy(b->s, s, n + 1);
	b->next = (struct scrblk *)p->scr;
	p->scr = (char *)b;
	return b->s;
}

static void scratch_reset(struct dt_prog *p)
{
	struct scrblk *b = (struct scrblk *)p->scr, *n;

	for (; b; b = n) {
		n = b->next;
		free(b);
	}
	p->scr = NULL;
}

static void __attribute__((noreturn, format(printf, 2, 3))) rt_fail(struct dt_prog *p,
								      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->rerr, sizeof(p->rerr), fmt, ap);
	va_end(ap);
	longjmp(*p->rjb, 1);
}

/* A message a member getter left in p->rerr, or a constant one. */
static void __attribute__((noreturn)) rt_fail_msg(struct dt_prog *p, const char *e)
{
	if (e != p->rerr)
		snprintf(p->rerr, sizeof(p->rerr), "%s", e);
	longjmp(*p->rjb, 1);
}

static int64_t norm(const struct dt_type *t, int64_t v)
{
	if (t->kind != TK_INT || t->size >= 8)
		return v;
	if (t->issigned) {
		switch (t->size) {
		case 1: return (int8_t)v;
		case 2: return (int16_t)v;
		default: return (int32_t)v;
		}
	}
	switch (t->size) {
	case 1: return (uint8_t)v;
	case 2: return (uint16_t)v;
	default: return (uint32_t)v;
	}
}

static int is_unsigned64(const struct dt_type *t)
{
	return t->kind == TK_INT && !t->issigned && t->size == 8;
}

static void eval(struct dt_prog *p, const struct node *n, struct dt_value *v);

static const char *probe_field(struct dt_prog *p, int which)
{
	size_t np, k;
	const struct dt_probe_info *pl = dt_probe_list(&np);
	static char tick[32];

	if (p->probe == DT_PROBE_TICK) {
		long long ns = p->curtick;

		if (which != 3)
			return which == 0 ? "profile" : "";
		if (ns % 1000000000LL == 0)
			snprintf(tick, sizeof(tick), "tick-%llds", ns / 1000000000LL);
		else if (ns % 1000000 == 0)
			snprintf(tick, sizeof(tick), "tick-%lldms", ns / 1000000);
		else if (ns % 1000 == 0)
			snprintf(tick, sizeof(tick), "tick-%lldus", ns / 1000);
		else
			snprintf(tick, sizeof(tick), "tick-%lldns", ns);
		return tick;
	}
	for (k = 0; k < np; k++)
		if (pl[k].probe == p->probe)
			break;
	switch (which) {
	case 0: return pl[k].provider;
	case 1: return pl[k].module;
	case 2: return pl[k].function;
	default: return pl[k].name;
	}
}

static unsigned probe_id(struct dt_prog *p)
{
	size_t np, k;
	const struct dt_probe_info *pl = dt_probe_list(&np);
	int i;

	if (p->probe == DT_PROBE_TICK) {
		for (i = 0; i < p->nticks; i++)
			if (p->ticks[i].ns == p->curtick)
				break;
		return p->curtick == 1000000000LL ? 3 : (unsigned)(np + 1 + i);
	}
	for (k = 0; k < np; k++)
		if (pl[k].probe == p->probe)
			return pl[k].id;
	return 0;
}

static void zero_value(const struct dt_type *t, struct dt_value *v)
{
	memset(v, 0, sizeof(*v));
	v->t = t;
	if (t->kind == TK_STR)
		v->s = "";
}

static void var_load(struct var *var, struct dt_value *v)
{
	if (!var->set) {
		zero_value(var->t, v);
		if (var->t->kind == TK_STRUCT)
			v->r.base = var->obj;
		return;
	}
	*v = var->v;
}

static void var_store(struct var *var, const struct dt_value *v)
{
	const struct dt_type *t = var->t;

	switch (t->kind) {
	case TK_INT:
		memset(&var->v, 0, sizeof(var->v));
		var->v.t = t;
		var->v.i = norm(t, v->i);
		break;
	case TK_STR: {
		size_t n = strlen(v->s) + 1;

		if (n > var->strcap) {
			char *s = malloc(n);

			if (!s)
				abort();
			memcpy(s, v->s, n);
			free(var->str);
			var->str = s;
			var->strcap = n;
		} else {
			memmove(var->str, v->s, n);
		}
		memset(&var->v, 0, sizeof(var->v));
		var->v.t = t;
		var->v.s = var->str;
		break;
	}
	case TK_STRUCT:
		/* a struct copy keeps its own bytes: later events do not change it */
		if (v->r.base != var->obj)
			memmove(var->obj, v->r.base, v->t->objsize);
		var->v = *v;
		var->v.t = t;
		var->v.r.base = var->obj;
		break;
	default:
		var->v = *v;
		var->v.t = t;
	}
	var->set = 1;
}

static struct var *lval_var(struct dt_prog *p, const struct node *l)
{
	return l->k == N_THIS ? &p->thisv.v[l->slot] : &p->globals.v[l->slot];
}

/* ---- hash index over key tuples ---- */

static uint64_t khash(int nkeys, const struct dt_type *const *kt, const struct aggkey *k)
{
	uint64_t h = 1469598103934665603ULL;
	int i;

	for (i = 0; i < nkeys; i++) {
		if (kt[i]->kind == TK_STR) {
			const unsigned char *c;

			for (c = (const unsigned char *)k[i].s; *c; c++)
				h = (h ^ *c) * 1099511628211ULL;
			h = (h ^ 0xff) * 1099511628211ULL;
		} else {
			h = (h ^ (uint64_t)k[i].i) * 1099511628211ULL;
			h ^= h >> 29;
		}
	}
	return h;
}

static int keys_cmp(int nkeys, const struct dt_type *const *kt, const struct aggkey *a,
		    const struct aggkey *b);

#define EKEYS(base, esz, i) ((const struct aggkey *)((const char *)(base) + (size_t)(i) * (esz)))

static int hidx_find(const struct hidx *h, const void *base, size_t esz, int nkeys,
		     const struct dt_type *const *kt, const struct aggkey *k)
{
	int i;

	if (!h->nb)
		return -1;
	for (i = h->head[khash(nkeys, kt, k) & (h->nb - 1)]; i >= 0; i = h->next[i])
		if (!keys_cmp(nkeys, kt, EKEYS(base, esz, i), k))
			return i;
	return -1;
}

static void hidx_link(struct hidx *h, const void *base, size_t esz, int nkeys,
		      const struct dt_type *const *kt, int i)
{
	unsigned b = khash(nkeys, kt, EKEYS(base, esz, i)) & (h->nb - 1);

	h->next[i] = h->head[b];
	h->head[b] = i;
}

/* Rebuild for entries [0, n) and room for cap entries. */
static void hidx_rebuild(struct hidx *h, const void *base, size_t esz, int n, int cap, int nkeys,
			 const struct dt_type *const *kt)
{
	unsigned nb = 16, b;
	int i;

	while (nb < (unsigned)cap)
		nb <<= 1;
	if (nb != h->nb) {
		free(h->head);
		h->head = malloc(nb * sizeof(*h->head));
		h->nb = nb;
	}
	if (cap > h->ncap) {
		free(h->next);
		h->next = malloc((size_t)cap * sizeof(*h->next));
		h->ncap = cap;
	}
	if (!h->head || !h->next)
		abort();
	for (b = 0; b < nb; b++)
		h->head[b] = -1;
	for (i = 0; i < n; i++)
		hidx_link(h, base, esz, nkeys, kt, i);
}

/*
 * Append a zeroed entry keyed by k (strings copied) to the vector base of *n
 * entries, growing it and the index as needed: the one way associative
 * arrays and aggregations add a key.  Returns the (maybe moved) vector and
 * the new entry's index in *idx.
 */
static void *hidx_append(struct hidx *h, void *base, size_t esz, int *n, int *cap, int nkeys,
			 const struct dt_type *const *kt, const struct aggkey *k, int *idx)
{
	struct aggkey *ek;
	int i, j;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		base = realloc(base, (size_t)*cap * esz);
		if (!base)
			abort();
		hidx_rebuild(h, base, esz, *n, *cap, nkeys, kt);
	}
	i = (*n)++;
	ek = (struct aggkey *)((char *)base + (size_t)i * esz);
	memset(ek, 0, esz);
	for (j = 0; j < nkeys; j++) {
		if (kt[j]->kind == TK_STR)
			ek[j].s = strdup(k[j].s);
		else
			ek[j].i = k[j].i;
	}
	hidx_link(h, base, esz, nkeys, kt, i);
	*idx = i;
	return base;
}

static void hidx_unlink(struct hidx *h, const void *base, size_t esz, int nkeys,
			const struct dt_type *const *kt, int i)
{
	int *pp = &h->head[khash(nkeys, kt, EKEYS(base, esz, i)) & (h->nb - 1)];

	while (*pp != i)
		pp = &h->next[*pp];
	*pp = h->next[i];
}

/*
 * Remove entry i (already freed by the caller): the last entry moves into
 * its place, so the vector stays dense.
 */
static void hidx_remove(struct hidx *h, void *base, size_t esz, int *n, int nkeys,
			const struct dt_type *const *kt, int i)
{
	int last = *n - 1;

	hidx_unlink(h, base, esz, nkeys, kt, i);
	if (i != last) {
		hidx_unlink(h, base, esz, nkeys, kt, last);
		memcpy((char *)base + (size_t)i * esz, (char *)base + (size_t)last * esz, esz);
		hidx_link(h, base, esz, nkeys, kt, i);
	}
	*n = last;
}

static void hidx_free(struct hidx *h)
{
	free(h->head);
	free(h->next);
	memset(h, 0, sizeof(*h));
}

/* ---- associative arrays ---- */

static int keys_cmp(int nkeys, const struct dt_type *const *kt, const struct aggkey *a,
		    const struct aggkey *b)
{
	int i, c;

	for (i = 0; i < nkeys; i++) {
		if (kt[i]->kind == TK_STR)
			c = strcmp(a[i].s, b[i].s);
		else
			c = a[i].i < b[i].i ? -1 : a[i].i > b[i].i;
		if (c)
			return c;
	}
	return 0;
}

static void assoc_keys(struct dt_prog *p, const struct node *n, const struct assoc *as,
		       struct aggkey *k)
{
	struct dt_value v;
	int i;

	memset(k, 0, DT_MAXKEYS * sizeof(*k));
	for (i = 0; i < as->nkeys; i++) {
		eval(p, n->args[i], &v);
		if (as->kt[i]->kind == TK_STR)
			k[i].s = (char *)v.s;
		else
			k[i].i = v.i;
	}
}

static void assoc_load(const struct assoc *as, const struct aggkey *k, struct dt_value *v)
{
	int i = hidx_find(&as->h, as->e, sizeof(*as->e), as->nkeys, as->kt, k);

	memset(v, 0, sizeof(*v));
	v->t = as->vt;
	if (i < 0) {
		v->s = "";
		return;
	}
	v->i = as->e[i].i;
	v->s = as->e[i].s;
}

/* As in D, storing 0 (or "") deletes the element. */
static void assoc_store(struct dt_prog *p, struct assoc *as, const struct aggkey *k,
			const struct dt_value *v)
{
	int i = hidx_find(&as->h, as->e, sizeof(*as->e), as->nkeys, as->kt, k), j;
	int zero = as->vt->kind == TK_STR ? !v->s[0] : !v->i;
	struct aent *e;

	if (i >= 0) {
		e = &as->e[i];
		if (zero) {
			for (j = 0; j < as->nkeys; j++)
				free(e->k[j].s);
			free(e->s);
			hidx_remove(&as->h, as->e, sizeof(*as->e), &as->n, as->nkeys, as->kt, i);
			return;
		}
	} else {
		if (zero)
			return;
		if (as->n >= DT_ASSOC_MAX)
			rt_fail(p, "associative array `%s` is full (%d elements)", as->name, as->n);
		as->e = hidx_append(&as->h, as->e, sizeof(*as->e), &as->n, &as->cap, as->nkeys,
				    as->kt, k, &i);
		e = &as->e[i];
	}
	if (as->vt->kind == TK_STR) {
		char *s = strdup(v->s);

		if (!s)
			abort();
		free(e->s);
		e->s = s;
	} else {
		e->i = v->i;
	}
}

static int truth(const struct dt_value *v)
{
	switch (v->t->kind) {
	case TK_STR: return v->s[0] != 0;
	case TK_PTR: return v->r.base != NULL;
	default: return v->i != 0;
	}
}

static void set_i(struct dt_value *v, const struct dt_type *t, int64_t i)
{
	memset(v, 0, sizeof(*v));
	v->t = t;
	v->i = norm(t, i);
}

static void set_s(struct dt_prog *p, struct dt_value *v, const char *s)
{
	memset(v, 0, sizeof(*v));
	v->t = &dt_t_string;
	v->s = dt_scratch_str(p, s);
}

static int64_t binop(struct dt_prog *p, int op, const struct dt_type *rt, const struct dt_value *a,
		     const struct dt_value *b)
{
	uint64_t x = (uint64_t)a->i, y = (uint64_t)b->i;
	int uns = is_unsigned64(rt);

	switch (op) {
	case T_PLUS: case T_ADDEQ: return (int64_t)(x + y);
	case T_MINUS: case T_SUBEQ: return (int64_t)(x - y);
	case T_STAR: case T_MULEQ: return (int64_t)(x * y);
	case T_SLASH: case T_DIVEQ:
	case T_PCT: case T_MODEQ:
		if (!y)
			rt_fail(p, "division by zero");
		if (uns)
			return (int64_t)((op == T_SLASH || op == T_DIVEQ) ? x / y : x % y);
		if ((int64_t)y == -1)
			return (op == T_SLASH || op == T_DIVEQ) ? (int64_t)(0 - x) : 0;
		return (op == T_SLASH || op == T_DIVEQ) ? (int64_t)x / (int64_t)y
							: (int64_t)x % (int64_t)y;
	case T_AMP: case T_ANDEQ: return (int64_t)(x & y);
	case T_OR: case T_OREQ: return (int64_t)(x | y);
	case T_XOR: case T_XOREQ: return (int64_t)(x ^ y);
	case T_SHL: case T_SHLEQ: return y >= 64 ? 0 : (int64_t)(x << y);
	case T_SHR: case T_SHREQ:
		if (y >= 64)
			return uns || (int64_t)x >= 0 ? 0 : -1;
		return uns ? (int64_t)(x >> y) : (int64_t)x >> y;
	}
	return 0;
}

static int compare(const struct dt_value *a, const struct dt_value *b)
{
	if (a->t->kind == TK_STR && b->t->kind == TK_STR)
		return strcmp(a->s, b->s);
	if (a->t->kind == TK_PTR || b->t->kind == TK_PTR) {
		uintptr_t x = a->t->kind == TK_PTR ? (uintptr_t)a->r.base : (uintptr_t)a->i;
		uintptr_t y = b->t->kind == TK_PTR ? (uintptr_t)b->r.base : (uintptr_t)b->i;

		return x < y ? -1 : x > y;
	}
	if (is_unsigned64(a->t) || is_unsigned64(b->t))
		return (uint64_t)a->i < (uint64_t)b->i ? -1 : (uint64_t)a->i > (uint64_t)b->i;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void member(struct dt_prog *p, const struct dt_type *owner, const struct dt_ref *obj,
		   const struct dt_member *m, struct dt_value *v)
{
	const char *e;

	if (!obj->base)
		rt_fail(p, "invalid address (0x0)");
	if (m->type->kind == TK_ARRAY) {
		memset(v, 0, sizeof(*v));
		v->t = m->type;
		v->r.m = m;
		v->r.aown = owner;
		v->r.abase = obj->base;
		v->r.aaux = obj->aux;
		return;
	}
	e = owner->get(p, obj, m->id, -1, v);
	if (e)
		rt_fail_msg(p, e);
}

static void load_mem(struct dt_prog *p, const struct dt_type *t, const void *a, struct dt_value *v)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	if (!a)
		rt_fail(p, "invalid address (0x0)");
	switch (t->size) {
	case 1: memcpy(&u8, a, 1); u64 = u8; break;
	case 2: memcpy(&u16, a, 2); u64 = u16; break;
	case 4: memcpy(&u32, a, 4); u64 = u32; break;
	default: memcpy(&u64, a, 8);
	}
	set_i(v, t, (int64_t)u64);
	v->r.base = a;
}

static void call(struct dt_prog *p, const struct node *n, struct dt_value *v);

static void eval(struct dt_prog *p, const struct node *n, struct dt_value *v)
{
	struct dt_value a, b;
	struct var *var;
	char buf[64];

	switch (n->k) {
	case N_INT:
	case N_CONST:
		set_i(v, n->type, n->ival);
		return;
	case N_STR:
		memset(v, 0, sizeof(*v));
		v->t = &dt_t_string;
		v->s = n->name;
		return;
	case N_VAR:
	case N_SELF:
		var_load(&p->globals.v[n->slot], v);
		return;
	case N_THIS:
		var_load(&p->thisv.v[n->slot], v);
		return;
	case N_BUILTIN:
		switch (n->slot) {
		case B_TIMESTAMP: case B_VTIMESTAMP: set_i(v, n->type, (int64_t)p->ts); return;
		case B_WALLTIMESTAMP:
			set_i(v, n->type, (int64_t)p->ts + p->o.wall_offset_ns);
			return;
		case B_CPU: set_i(v, n->type, p->cpu); return;
		case B_PROBEPROV: set_s(p, v, probe_field(p, 0)); return;
		case B_PROBEMOD: set_s(p, v, probe_field(p, 1)); return;
		case B_PROBEFUNC: set_s(p, v, probe_field(p, 2)); return;
		case B_PROBENAME: set_s(p, v, probe_field(p, 3)); return;
		case B_EPID: set_i(v, n->type, p->curcl->epid[p->probe]); return;
		case B_ID: set_i(v, n->type, probe_id(p)); return;
		case B_PID: set_i(v, n->type, 0); return;
		case B_EXECNAME: set_s(p, v, "pftrace"); return;
		}
		return;
	case N_ARGS:
		memset(v, 0, sizeof(*v));
		v->t = n->type;
		if (n->type == &dt_t_state_ptr) {
			v->r.base = &p->pfev;
		} else {
			v->r.base = &p->ipev;
			if ((n->type == &dt_t_ipv4info_ptr && p->ipev.ip_ver != 4) ||
			    (n->type == &dt_t_ipv6info_ptr && p->ipev.ip_ver != 6))
				v->r.base = NULL;
		}
		return;
	case N_PROTOCOLS:
		eval(p, n->b, &a);
		set_s(p, v, (uint64_t)a.i < 256 ? pf_proto_str((int)a.i, buf, sizeof(buf))
						 : "");
		return;
	case N_MEMBER:
		eval(p, n->a, &a);
		member(p, a.t, &a.r, n->mem, v);
		return;
	case N_ARROW:
		eval(p, n->a, &a);
		if (!a.r.base)
			rt_fail(p, "invalid address (0x0) in %s->%s", a.t->name, n->name);
		member(p, a.t->ref, &a.r, n->mem, v);
		return;
	case N_INDEX: {
		struct dt_ref o;
		const char *e;

		eval(p, n->a, &a);
		eval(p, n->b, &b);
		memset(&o, 0, sizeof(o));
		o.base = a.r.abase;
		o.aux = a.r.aaux;
		e = a.r.aown->get(p, &o, a.r.m->id, b.i, v);
		if (e)
			rt_fail_msg(p, e);
		return;
	}
	case N_CALL:
		call(p, n, v);
		return;
	case N_UNARY:
		eval(p, n->a, &a);
		switch (n->op) {
		case T_NOT: set_i(v, &dt_t_int, !truth(&a)); return;
		case T_TILDE: set_i(v, n->type, ~a.i); return;
		case T_MINUS: set_i(v, n->type, (int64_t)(0 - (uint64_t)a.i)); return;
		default: set_i(v, n->type, a.i); return;
		}
	case N_BINARY:
		eval(p, n->a, &a);
		if (n->op == T_LAND || n->op == T_LOR) {
			int t = truth(&a);

			if (n->op == T_LAND ? !t : t) {
				set_i(v, &dt_t_int, t);
				return;
			}
			eval(p, n->b, &b);
			set_i(v, &dt_t_int, truth(&b));
			return;
		}
		eval(p, n->b, &b);
		switch (n->op) {
		case T_LXOR: set_i(v, &dt_t_int, truth(&a) != truth(&b)); return;
		case T_EQ: set_i(v, &dt_t_int, compare(&a, &b) == 0); return;
		case T_NE: set_i(v, &dt_t_int, compare(&a, &b) != 0); return;
		case T_LT: set_i(v, &dt_t_int, compare(&a, &b) < 0); return;
		case T_LE: set_i(v, &dt_t_int, compare(&a, &b) <= 0); return;
		case T_GT: set_i(v, &dt_t_int, compare(&a, &b) > 0); return;
		case T_GE: set_i(v, &dt_t_int, compare(&a, &b) >= 0); return;
		}
		set_i(v, n->type, binop(p, n->op, n->type, &a, &b));
		return;
	case N_TERNARY:
		eval(p, n->a, &a);
		eval(p, truth(&a) ? n->b : n->c, v);
		if (v->t->kind == TK_INT)
			v->t = n->type;
		return;
	case N_ASSOC: {
		struct aggkey k[DT_MAXKEYS];

		assoc_keys(p, n, &p->assocs[n->slot], k);
		assoc_load(&p->assocs[n->slot], k, v);
		return;
	}
	case N_ASSIGN:
		if (n->a->k == N_ASSOC) {
			struct assoc *as = &p->assocs[n->a->slot];
			struct aggkey k[DT_MAXKEYS];
			char *sv = NULL;

			assoc_keys(p, n->a, as, k);
			eval(p, n->b, &b);
			if (n->op != T_ASSIGN) {
				assoc_load(as, k, &a);
				set_i(&b, as->vt, binop(p, n->op, (is_unsigned64(b.t) ? &dt_t_u64 : &dt_t_i64), &a, &b));
			}
			if (as->vt->kind == TK_STR)
				b.s = sv = strdup(b.s);
			assoc_store(p, as, k, &b);
			*v = b;
			if (sv) {
				v->s = dt_scratch_str(p, sv);
				free(sv);
			}
			return;
		}
		eval(p, n->b, &b);
		var = lval_var(p, n->a);
		if (n->op != T_ASSIGN) {
			var_load(var, &a);
			set_i(&b, var->t, binop(p, n->op, is_unsigned64(var->t) || is_unsigned64(b.t) ?
						   &dt_t_u64 : &dt_t_i64, &a, &b));
		}
		var_store(var, &b);
		var_load(var, v);
		return;
	case N_PREINC:
	case N_POSTINC:
		if (n->a->k == N_ASSOC) {
			struct assoc *as = &p->assocs[n->a->slot];
			struct aggkey k[DT_MAXKEYS];

			assoc_keys(p, n->a, as, k);
			assoc_load(as, k, &a);
			b = a;
			b.i = a.i + (n->op == T_INC ? 1 : -1);
			assoc_store(p, as, k, &b);
			*v = n->k == N_POSTINC ? a : b;
			return;
		}
		var = lval_var(p, n->a);
		var_load(var, &a);
		b = a;
		b.i = a.i + (n->op == T_INC ? 1 : -1);
		var_store(var, &b);
		var_load(var, v);
		if (n->k == N_POSTINC)
			*v = a;
		return;
	case N_ADDR:
		eval(p, n->a, &a);
		if (!a.r.base)
			rt_fail(p, "cannot take the address of a computed value");
		memset(v, 0, sizeof(*v));
		v->t = n->type;
		v->r.base = a.r.base;
		v->r.aux = a.r.aux;
		return;
	case N_DEREF:
		eval(p, n->a, &a);
		if (!a.r.base)
			rt_fail(p, "invalid address (0x0)");
		if (n->type->kind == TK_INT) {
			load_mem(p, n->type, a.r.base, v);
			return;
		}
		*v = a;
		v->t = n->type;
		return;
	case N_CAST:
		eval(p, n->a, &a);
		set_i(v, n->type, a.i);
		return;
	default:
		rt_fail(p, "unexpected expression");
	}
}

/* ------------------------------------------------------------------------ */
/* printf                                                                   */
/* ------------------------------------------------------------------------ */

static void put_lit(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 1 < n && s[i + 1] == '%')
			i++;
		fputc(s[i], f);
	}
}

static void put_conv(struct dt_prog *p, const struct conv *c, const struct dt_value *v)
{
	FILE *f = p->out;

	switch (c->c) {
	case 's':
		if (v->t->kind == TK_INT) {
			/* the pf provider's direction prints as pfctl's arrow */
			const char *s = v->i == PF_OUT ? "->" : v->i == PF_IN ? "<-" : "<>";

			fprintf(f, c->spec, s);
		} else {
			fprintf(f, c->spec, v->s);
		}
		break;
	case 'c':
		fprintf(f, c->spec, (int)(unsigned char)v->i);
		break;
	case 'e': case 'E': case 'f': case 'g': case 'G':
		fprintf(f, c->spec, (double)v->i);
		break;
	case 'p':
		fputs("0x", f);
		fprintf(f, c->spec, (long long)(v->t->kind == TK_PTR ? (uintptr_t)v->r.base : (uint64_t)v->i));
		break;
	default:
		if (v->t->kind == TK_PTR)
			fprintf(f, c->spec, (long long)(uintptr_t)v->r.base);
		else
			fprintf(f, c->spec, (long long)v->i);
	}
}

static void do_printf(struct dt_prog *p, const struct node *n)
{
	const struct fmt *f = n->fmt;
	struct dt_value vals[64];
	int i;

	/* evaluate everything first: a fault prints nothing */
	for (i = 1; i < n->nargs && i <= 64; i++)
		eval(p, n->args[i], &vals[i - 1]);
	for (i = 0; i < f->ncv; i++) {
		put_lit(p->out, f->cv[i].lit, f->cv[i].litlen);
		put_conv(p, &f->cv[i], &vals[i]);
	}
	put_lit(p->out, f->tail, f->taillen);
}

/* ------------------------------------------------------------------------ */
/* aggregations                                                             */
/* ------------------------------------------------------------------------ */

static int key_cmp(const struct agg *ag, const struct aggkey *a, const struct aggkey *b)
{
	int i, c;

	for (i = 0; i < ag->nkeys; i++) {
		if (ag->kt[i]->kind == TK_STR)
			c = strcmp(a[i].s, b[i].s);
		else
			c = a[i].i < b[i].i ? -1 : a[i].i > b[i].i;
		if (c)
			return c;
	}
	return 0;
}

static int qbucket(int64_t v)
{
	uint64_t u;

	if (v == 0)
		return 63;
	if (v > 0)
		return 64 + (63 - __builtin_clzll((uint64_t)v));
	u = (uint64_t)0 - (uint64_t)v;
	return 62 - (63 - __builtin_clzll(u));
}

static int64_t qlabel(int b)
{
	if (b == 63)
		return 0;
	if (b > 63)
		return (int64_t)((uint64_t)1 << (b - 64));
	return -(int64_t)((uint64_t)1 << (62 - b));
}

static void agg_update(struct dt_prog *p, const struct node *n)
{
	struct agg *ag = &p->aggs[n->a->slot];
	const struct node *fn = n->b;
	struct aggkey k[DT_MAXKEYS];
	struct dt_value v;
	struct aggent *e = NULL;
	int64_t x = 0;
	int i;

	memset(k, 0, sizeof(k));
	for (i = 0; i < ag->nkeys; i++) {
		eval(p, n->a->args[i], &v);
		if (ag->kt[i]->kind == TK_STR)
			k[i].s = (char *)v.s;
		else
			k[i].i = v.i;
	}
	if (fn->nargs) {
		eval(p, fn->args[0], &v);
		x = v.i;
	}
	i = hidx_find(&ag->h, ag->e, sizeof(*ag->e), ag->nkeys, ag->kt, k);
	if (i >= 0) {
		e = &ag->e[i];
	} else {
		ag->e = hidx_append(&ag->h, ag->e, sizeof(*ag->e), &ag->n, &ag->cap, ag->nkeys,
				    ag->kt, k, &i);
		e = &ag->e[i];
		if (ag->nbkt) {
			e->bkt = calloc(ag->nbkt, sizeof(*e->bkt));
			if (!e->bkt)
				abort();
		}
	}
	switch (ag->fn) {
	case AG_MIN:
		if (!e->cnt || x < e->min)
			e->min = x;
		break;
	case AG_MAX:
		if (!e->cnt || x > e->max)
			e->max = x;
		break;
	case AG_QUANTIZE:
		e->bkt[qbucket(x)]++;
		break;
	case AG_LQUANTIZE: {
		int64_t nb = (ag->lq_hi - ag->lq_lo) / ag->lq_step;
		int b;

		if (x < ag->lq_lo)
			b = 0;
		else if (x >= ag->lq_lo + nb * ag->lq_step)
			b = (int)nb + 1;
		else
			b = 1 + (int)((x - ag->lq_lo) / ag->lq_step);
		e->bkt[b]++;
		break;
	}
	}
	e->cnt++;
	e->sum += x;
	e->sumsq += (long double)x * x;
}

static int64_t ent_value(const struct agg *ag, const struct aggent *e)
{
	switch (ag->fn) {
	case AG_COUNT: return e->cnt;
	case AG_SUM: return e->sum;
	case AG_MIN: return e->min;
	case AG_MAX: return e->max;
	case AG_AVG: return e->cnt ? e->sum / e->cnt : 0;
	case AG_STDDEV: {
		long double m, var;

		if (!e->cnt)
			return 0;
		m = (long double)e->sum / e->cnt;
		var = e->sumsq / e->cnt - m * m;
		return var > 0 ? (int64_t)sqrtl(var) : 0;
	}
	default: return e->cnt;
	}
}

static const struct agg *sort_agg;
static int sort_key, sort_rev;

static int ent_cmp(const void *a, const void *b)
{
	const struct aggent *x = *(const struct aggent *const *)a, *y = *(const struct aggent *const *)b;
	int64_t vx = ent_value(sort_agg, x), vy = ent_value(sort_agg, y);
	int c = 0;

	if (!sort_key)
		c = vx < vy ? -1 : vx > vy;
	if (!c)
		c = key_cmp(sort_agg, x->k, y->k);
	return sort_rev ? -c : c;
}

static const struct aggent **sorted(struct dt_prog *p, const struct agg *ag)
{
	const struct aggent **v = malloc((ag->n ? ag->n : 1) * sizeof(*v));
	int i;

	if (!v)
		abort();
	for (i = 0; i < ag->n; i++)
		v[i] = &ag->e[i];
	sort_agg = ag;
	sort_key = p->aggsortkey;
	sort_rev = p->aggsortrev;
	qsort(v, ag->n, sizeof(*v), ent_cmp);
	return v;
}

static void print_hist(struct dt_prog *p, const struct agg *ag, const struct aggent *e)
{
	FILE *f = p->out;
	int64_t total = 0;
	int i, first = -1, last = -1;
	char lab[32];

	for (i = 0; i < ag->nbkt; i++) {
		total += e->bkt[i];
		if (e->bkt[i]) {
			if (first < 0)
				first = i;
			last = i;
		}
	}
	if (first < 0)
		return;
	/* one empty bucket either side, as dtrace frames the distribution */
	if (first > 0)
		first--;
	if (last < ag->nbkt - 1)
		last++;
	if (ag->fn == AG_LQUANTIZE && last > (int)((ag->lq_hi - ag->lq_lo) / ag->lq_step) + 1)
		last = (int)((ag->lq_hi - ag->lq_lo) / ag->lq_step) + 1;
	fprintf(f, "%16s %41s %s\n", "value", "------------- Distribution -------------", "count");
	for (i = first; i <= last; i++) {
		int bar = total ? (int)((e->bkt[i] * 40 + total / 2) / total) : 0;

		if (ag->fn == AG_QUANTIZE) {
			snprintf(lab, sizeof(lab), "%lld", (long long)qlabel(i));
		} else if (i == 0) {
			snprintf(lab, sizeof(lab), "< %lld", (long long)ag->lq_lo);
		} else if (i == (int)((ag->lq_hi - ag->lq_lo) / ag->lq_step) + 1) {
			snprintf(lab, sizeof(lab), ">= %lld",
				 (long long)(ag->lq_lo + (i - 1) * ag->lq_step));
		} else {
			snprintf(lab, sizeof(lab), "%lld", (long long)(ag->lq_lo + (i - 1) * ag->lq_step));
		}
		fprintf(f, "%16s |%.*s%*s %lld\n", lab, bar,
			"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@", 40 - bar, "",
			(long long)e->bkt[i]);
	}
}

static void print_keys(struct dt_prog *p, const struct agg *ag, const struct aggent *e)
{
	int i;

	for (i = 0; i < ag->nkeys; i++) {
		if (ag->kt[i]->kind == TK_STR)
			fprintf(p->out, "  %-*s", ag->nkeys == 1 ? 50 : 24, e->k[i].s);
		else
			fprintf(p->out, "  %16lld", (long long)e->k[i].i);
	}
}

/* dtrace's default layout: keys, then the value; histograms under their keys. */
static void agg_print(struct dt_prog *p, struct agg *ag)
{
	const struct aggent **v;
	int i, k;

	ag->printed = 1;
	fputc('\n', p->out);
	v = sorted(p, ag);
	for (i = 0; i < ag->n; i++) {
		if (ag->nbkt) {
			for (k = 0; k < ag->nkeys; k++) {
				if (ag->kt[k]->kind == TK_STR)
					fprintf(p->out, "  %s", v[i]->k[k].s);
				else
					fprintf(p->out, "  %lld", (long long)v[i]->k[k].i);
			}
			if (ag->nkeys)
				fputc('\n', p->out);
			print_hist(p, ag, v[i]);
			fputc('\n', p->out);
		} else {
			print_keys(p, ag, v[i]);
			fprintf(p->out, " %16lld\n", (long long)ent_value(ag, v[i]));
		}
	}
	free(v);
}

static void agg_printf(struct dt_prog *p, struct agg *ag, const struct fmt *f)
{
	const struct aggent **v;
	int i, c, ki;

	ag->printed = 1;
	v = sorted(p, ag);
	for (i = 0; i < ag->n; i++) {
		for (c = 0, ki = 0; c < f->ncv; c++) {
			const struct conv *cv = &f->cv[c];
			struct dt_value val;

			put_lit(p->out, cv->lit, cv->litlen);
			memset(&val, 0, sizeof(val));
			if (cv->agg) {
				if (ag->nbkt) {
					fputc('\n', p->out);
					print_hist(p, ag, v[i]);
					continue;
				}
				val.t = &dt_t_i64;
				val.i = ent_value(ag, v[i]);
			} else if (ag->kt[ki]->kind == TK_STR) {
				val.t = &dt_t_string;
				val.s = v[i]->k[ki++].s;
			} else {
				val.t = &dt_t_i64;
				val.i = v[i]->k[ki++].i;
			}
			put_conv(p, cv, &val);
		}
		put_lit(p->out, f->tail, f->taillen);
	}
	free(v);
}

static void agg_clear(struct agg *ag, int trunc_all, int64_t keep)
{
	int i;

	if (!trunc_all) {
		for (i = 0; i < ag->n; i++) {
			struct aggent *e = &ag->e[i];

			e->cnt = e->sum = e->min = e->max = 0;
			e->sumsq = 0;
			if (e->bkt)
				memset(e->bkt, 0, ag->nbkt * sizeof(*e->bkt));
		}
		return;
	}
	if (keep > 0 && keep < ag->n) {
		/* keep the `keep` largest values */
		const struct aggent **v;
		struct aggent *ne = calloc(ag->cap, sizeof(*ne));
		char *kept = calloc(ag->n, 1);
		int n = 0, j;

		sort_agg = ag;
		sort_key = 0;
		sort_rev = 1;
		v = malloc(ag->n * sizeof(*v));
		if (!v || !ne || !kept)
			abort();
		for (i = 0; i < ag->n; i++)
			v[i] = &ag->e[i];
		qsort(v, ag->n, sizeof(*v), ent_cmp);
		for (j = 0; j < keep; j++)
			kept[v[j] - ag->e] = 1;
		for (i = 0; i < ag->n; i++) {
			if (kept[i]) {
				ne[n++] = ag->e[i];
			} else {
				for (j = 0; j < ag->nkeys; j++)
					free(ag->e[i].k[j].s);
				free(ag->e[i].bkt);
			}
		}
		free(v);
		free(kept);
		free(ag->e);
		ag->e = ne;
		ag->n = n;
		hidx_rebuild(&ag->h, ag->e, sizeof(*ag->e), ag->n, ag->cap, ag->nkeys, ag->kt);
		return;
	}
	if (keep > 0)
		return;
	for (i = 0; i < ag->n; i++) {
		int j;

		for (j = 0; j < ag->nkeys; j++)
			free(ag->e[i].k[j].s);
		free(ag->e[i].bkt);
	}
	ag->n = 0;
	if (ag->h.nb)
		hidx_rebuild(&ag->h, ag->e, sizeof(*ag->e), 0, ag->cap, ag->nkeys, ag->kt);
}

/* ------------------------------------------------------------------------ */
/* functions                                                                */
/* ------------------------------------------------------------------------ */

static void call(struct dt_prog *p, const struct node *n, struct dt_value *v)
{
	struct dt_value a, b;
	char buf[64];

	memset(v, 0, sizeof(*v));
	v->t = &dt_t_void;
	switch (n->slot) {
	case F_PRINTF:
		do_printf(p, n);
		return;
	case F_TRACE:
		eval(p, n->args[0], &a);
		if (a.t->kind == TK_STR)
			fprintf(p->out, p->quiet ? "%s" : " %s", a.s);
		else if (a.t->kind == TK_PTR)
			fprintf(p->out, p->quiet ? "%#llx" : " %16llx", (long long)(uintptr_t)a.r.base);
		else if (a.t->kind == TK_INT && (a.t->issigned || a.t->size < 8))
			fprintf(p->out, p->quiet ? "%lld" : " %16lld", (long long)a.i);
		else
			fprintf(p->out, p->quiet ? "%llu" : " %16llu", (unsigned long long)a.i);
		return;
	case F_PRINTA:
		if (n->nargs == 2)
			agg_printf(p, &p->aggs[n->args[1]->slot], n->fmt);
		else
			agg_print(p, &p->aggs[n->args[0]->slot]);
		return;
	case F_CLEAR:
		agg_clear(&p->aggs[n->args[0]->slot], 0, 0);
		return;
	case F_TRUNC:
		if (n->nargs == 2)
			eval(p, n->args[1], &a);
		else
			a.i = 0;
		agg_clear(&p->aggs[n->args[0]->slot], 1, a.i);
		return;
	case F_EXIT:
		eval(p, n->args[0], &a);
		if (!p->exited) {
			p->exited = 1;
			p->status = (int)a.i;
		}
		return;
	case F_INET_NTOA:
		eval(p, n->args[0], &a);
		if (!a.r.base)
			rt_fail(p, "invalid address (0x0) passed to inet_ntoa( )");
		set_s(p, v, dt_addr_str(PF_INET, a.r.base, buf, sizeof(buf)));
		return;
	case F_INET_NTOA6:
		eval(p, n->args[0], &a);
		if (!a.r.base)
			rt_fail(p, "invalid address (0x0) passed to inet_ntoa6( )");
		set_s(p, v, dt_addr_str(PF_INET6, a.r.base, buf, sizeof(buf)));
		return;
	case F_INET_NTOP:
		eval(p, n->args[0], &a);
		eval(p, n->args[1], &b);
		if (a.i != PF_INET && a.i != PF_INET6)
			rt_fail(p, "inet_ntop( ): invalid address family %lld", (long long)a.i);
		if (!b.r.base)
			rt_fail(p, "invalid address (0x0) passed to inet_ntop( )");
		set_s(p, v, dt_addr_str((int)a.i, b.r.base, buf, sizeof(buf)));
		return;
	case F_STRJOIN: {
		char *s;

		eval(p, n->args[0], &a);
		eval(p, n->args[1], &b);
		if (asprintf(&s, "%s%s", a.s, b.s) < 0)
			abort();
		set_s(p, v, s);
		free(s);
		return;
	}
	case F_STRSTR: {
		const char *s;

		eval(p, n->args[0], &a);
		eval(p, n->args[1], &b);
		s = strstr(a.s, b.s);
		/* D's strstr returns a string; no match is the empty string */
		set_s(p, v, s ? s : "");
		return;
	}
	case F_STRINGOF:
		eval(p, n->args[0], &a);
		if (a.t->kind == TK_STR) {
			*v = a;
			return;
		}
		snprintf(buf, sizeof(buf), is_unsigned64(a.t) ? "%llu" : "%lld", (long long)a.i);
		set_s(p, v, buf);
		return;
	case F_LLTOSTR: {
		int64_t base = 10;
		uint64_t u;
		char *q = buf + sizeof(buf) - 1;
		int neg = 0;

		eval(p, n->args[0], &a);
		if (n->nargs == 2) {
			eval(p, n->args[1], &b);
			base = b.i;
		}
		if (base < 2 || base > 36)
			rt_fail(p, "lltostr( ): invalid base %lld", (long long)base);
		u = (uint64_t)a.i;
		if (base == 10 && a.i < 0) {
			neg = 1;
			u = 0 - u;
		}
		*q = '\0';
		do {
			*--q = "0123456789abcdefghijklmnopqrstuvwxyz"[u % base];
			u /= base;
		} while (u);
		if (base == 16) {
			*--q = 'x';
			*--q = '0';
		}
		if (neg)
			*--q = '-';
		set_s(p, v, q);
		return;
	}
	case F_NTOHS: case F_HTONS:
		eval(p, n->args[0], &a);
		set_i(v, n->type, ntohs((uint16_t)a.i));
		return;
	case F_NTOHL: case F_HTONL:
		eval(p, n->args[0], &a);
		set_i(v, n->type, ntohl((uint32_t)a.i));
		return;
	case F_STRLEN:
		eval(p, n->args[0], &a);
		set_i(v, n->type, (int64_t)strlen(a.s));
		return;
	case F_SUBSTR: {
		int64_t len, i, cnt;

		eval(p, n->args[0], &a);
		eval(p, n->args[1], &b);
		len = (int64_t)strlen(a.s);
		i = b.i < 0 ? len + b.i : b.i;
		if (i < 0)
			i = 0;
		if (i > len)
			i = len;
		cnt = len - i;
		if (n->nargs == 3) {
			eval(p, n->args[2], &b);
			if (b.i < cnt)
				cnt = b.i < 0 ? 0 : b.i;
		}
		{
			char *s = strndup(a.s + i, (size_t)cnt);

			set_s(p, v, s);
			free(s);
		}
		return;
	}
	}
}

/* ------------------------------------------------------------------------ */
/* firing probes                                                            */
/* ------------------------------------------------------------------------ */

static void report(struct dt_prog *p, struct clause *cl, const char *where)
{
	p->nerrors++;
	if (cl->errored)
		return;
	cl->errored = 1;
	fflush(p->out);
	fprintf(p->err, "pftrace: error on enabled probe ID %u (ID %u: %s:%s:%s:%s): %s %s\n",
		cl->epid[p->probe], probe_id(p), probe_field(p, 0), probe_field(p, 1),
		probe_field(p, 2), probe_field(p, 3), p->rerr, where);
}

static void exec(struct dt_prog *p, const struct node *st)
{
	struct dt_value v;
	int i;

	if (st->k == N_IF) {
		eval(p, st->a, &v);
		if (truth(&v))
			exec(p, st->b);
		else if (st->c)
			exec(p, st->c);
	} else if (st->k == N_BLOCK) {
		for (i = 0; i < st->nargs; i++)
			exec(p, st->args[i]);
	} else if (st->k == N_ASSIGN && st->a->k == N_AGG) {
		agg_update(p, st);
	} else {
		eval(p, st, &v);
	}
}

static void run_clause(struct dt_prog *p, struct clause *cl)
{
	jmp_buf jb;
	struct dt_value v;
	char where[64];
	volatile int prefixed = 0;
	volatile int i = 0;

	p->curcl = cl;
	p->rjb = &jb;
	if (setjmp(jb)) {
		if (i < 0)
			snprintf(where, sizeof(where), "in predicate at line %d", cl->pred->line);
		else
			snprintf(where, sizeof(where), "in action #%d at line %d", i + 1,
				 cl->stmts[i]->line);
		report(p, cl, where);
		goto out;
	}
	if (cl->pred) {
		i = -1;
		eval(p, cl->pred, &v);
		if (!truth(&v))
			goto out;
		i = 0;
	}
	if (!p->quiet && cl->records) {
		char fn[160];

		if (!p->header_done) {
			fprintf(p->out, "%3s %6s %32s\n", "CPU", "ID", "FUNCTION:NAME");
			p->header_done = 1;
		}
		snprintf(fn, sizeof(fn), "%s:%s", probe_field(p, 2), probe_field(p, 3));
		fprintf(p->out, "%3u %6u %32s ", p->cpu, probe_id(p), fn);
		prefixed = 1;
	}
	for (i = 0; i < cl->nstmts; i++) {
		exec(p, cl->stmts[i]);
		scratch_reset(p);
	}
out:
	if (prefixed)
		fputc('\n', p->out);
	scratch_reset(p);
	p->rjb = NULL;
}

static int fire(struct dt_prog *p, enum dt_probe probe, long long tick_ns)
{
	int c, i;

	if (p->exited && probe != DT_PROBE_END)
		return 1;
	p->probe = probe;
	p->curtick = tick_ns;
	for (i = 0; i < p->thisv.n; i++)
		p->thisv.v[i].set = 0;
	for (c = 0; c < p->ncl; c++) {
		struct clause *cl = &p->cl[c];

		if (!cl->probes[probe] || (probe == DT_PROBE_TICK && cl->tick_ns != tick_ns))
			continue;
		run_clause(p, cl);
		/* exit() stops tracing: later clauses of this firing do not run */
		if (p->exited && probe != DT_PROBE_END)
			break;
	}
	return p->exited;
}

int dt_begin(struct dt_prog *p, unsigned long long now_ns)
{
	int i;

	if (p->began)
		return p->exited;
	p->began = 1;
	for (i = 0; i < p->nticks; i++)
		p->ticks[i].next = now_ns + p->ticks[i].ns;
	p->ts = now_ns;
	p->cpu = 0;
	if (!p->uses[DT_PROBE_BEGIN])
		return p->exited;
	return fire(p, DT_PROBE_BEGIN, 0);
}

/*
 * What every event does before its clauses run, the same for both kinds:
 * the first event begins the program if the caller did not, nothing runs
 * after exit(), and a probe no clause names costs nothing.  Returns 1 to
 * fire, else the value dt_fire_* returns.
 */
static int event_gate(struct dt_prog *p, enum dt_probe probe, __u64 ts_ns, __u32 cpu, int *ret)
{
	if (!p->began)
		dt_begin(p, ts_ns);
	if (p->exited) {
		*ret = 1;
		return 0;
	}
	if (!p->uses[probe]) {
		*ret = 0;
		return 0;
	}
	p->ts = ts_ns;
	p->cpu = cpu;
	return 1;
}

int dt_fire_pf(struct dt_prog *p, enum dt_probe probe, const struct pf_event *ev)
{
	int ret;

	if (probe < DT_PROBE_PF_STATE_CREATE || probe > DT_PROBE_PF_TCP_CLOSED)
		return -EINVAL;
	if (!event_gate(p, probe, ev->ts_ns, ev->cpu, &ret))
		return ret;
	p->pfev = *ev;
	return fire(p, probe, 0);
}

int dt_fire_ip(struct dt_prog *p, enum dt_probe probe, const struct pf_ip_event *ev)
{
	int ret;

	if (probe != DT_PROBE_IP_SEND && probe != DT_PROBE_IP_RECEIVE)
		return -EINVAL;
	if (!event_gate(p, probe, ev->ts_ns, ev->cpu, &ret))
		return ret;
	p->ipev = *ev;
	return fire(p, probe, 0);
}

int dt_tick(struct dt_prog *p, unsigned long long now_ns)
{
	if (!p->began)
		dt_begin(p, now_ns);
	/* fire due ticks in time order, whatever their intervals */
	while (!p->exited) {
		struct tickst *t = NULL;
		int i;

		for (i = 0; i < p->nticks; i++)
			if (p->ticks[i].next <= now_ns && (!t || p->ticks[i].next < t->next))
				t = &p->ticks[i];
		if (!t)
			break;
		p->ts = t->next;
		p->cpu = 0;
		fire(p, DT_PROBE_TICK, t->ns);
		t->next += t->ns;
		/* a stalled consumer fires once, not once per missed interval */
		if (now_ns >= t->next + 10 * (unsigned long long)t->ns)
			t->next = now_ns + t->ns - (now_ns - t->next) % t->ns;
	}
	return p->exited;
}

void dt_end(struct dt_prog *p, unsigned long long now_ns)
{
	int i;

	if (p->ended)
		return;
	p->ended = 1;
	if (!p->began)
		dt_begin(p, now_ns);
	p->ts = now_ns;
	p->cpu = 0;
	if (p->uses[DT_PROBE_END])
		fire(p, DT_PROBE_END, 0);
	for (i = 0; i < p->naggs; i++)
		if (!p->aggs[i].printed && p->aggs[i].n)
			agg_print(p, &p->aggs[i]);
	fflush(p->out);
}

int dt_prog_uses(const struct dt_prog *p, enum dt_probe probe)
{
	return probe >= 0 && probe < DT_PROBE_MAX && p->uses[probe];
}

double dt_switchrate_hz(const struct dt_prog *p)
{
	return p->switchrate;
}

int dt_quiet(const struct dt_prog *p)
{
	return p->quiet;
}

long long dt_tick_interval_ns(const struct dt_prog *p)
{
	long long m = 0;
	int i;

	for (i = 0; i < p->nticks; i++)
		if (!m || p->ticks[i].ns < m)
			m = p->ticks[i].ns;
	return m;
}

unsigned long long dt_next_tick_ns(const struct dt_prog *p)
{
	unsigned long long m = 0;
	int i;

	if (p->exited)
		return 0;
	for (i = 0; i < p->nticks; i++)
		if (!m || p->ticks[i].next < m)
			m = p->ticks[i].next;
	return m;
}

int dt_exited(const struct dt_prog *p, int *status)
{
	if (p->exited && status)
		*status = p->status;
	return p->exited;
}

unsigned long long dt_errors(const struct dt_prog *p)
{
	return p->nerrors;
}

unsigned dt_matched_probes(const struct dt_prog *p)
{
	return p->nepid;
}

void dt_var_free(struct vartab *vt)
{
	int i;

	for (i = 0; i < vt->n; i++) {
		free(vt->v[i].name);
		free(vt->v[i].str);
	}
	free(vt->v);
}

void dt_free(struct dt_prog *p)
{
	int i, j;

	if (!p)
		return;
	for (i = 0; i < p->ncl; i++) {
		free(p->cl[i].stmts);
		free(p->cl[i].desc);
	}
	for (j = 0; j < p->nnodes; j++)
		dt_node_free(p->nodes[j]);
	free(p->nodes);
	free(p->pending);
	free(p->cl);
	dt_var_free(&p->globals);
	dt_var_free(&p->thisv);
	for (i = 0; i < p->naggs; i++) {
		agg_clear(&p->aggs[i], 1, 0);
		hidx_free(&p->aggs[i].h);
		free(p->aggs[i].e);
		free(p->aggs[i].name);
	}
	free(p->aggs);
	for (i = 0; i < p->nassocs; i++) {
		struct assoc *as = &p->assocs[i];

		for (j = 0; j < as->n; j++) {
			int k;

			for (k = 0; k < as->nkeys; k++)
				free(as->e[j].k[k].s);
			free(as->e[j].s);
		}
		free(as->e);
		hidx_free(&as->h);
		free(as->name);
	}
	free(p->assocs);
	for (i = 0; i < p->nptypes; i++) {
		free((char *)p->ptypes[i]->name);
		free(p->ptypes[i]);
	}
	free(p->ptypes);
	free(p->ticks);
	free(p->file);
	scratch_reset(p);
	free(p);
}
