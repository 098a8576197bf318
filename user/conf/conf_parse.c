// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_parse.c - the pf.conf grammar (the subset in docs/pf.conf.5).
 *
 * A recursive descent parser over conf_lex.c's tokens.  Errors unwind with
 * longjmp to pfbpf_conf_parse_*(), which frees everything; so every
 * allocation made while parsing is reachable from the parser or the conf
 * being built, never only from a C local.
 *
 * Rules are kept as written (struct rule_tmpl, with lists) until the end of
 * the rule, then expanded into one struct pfbpf_rule per combination in
 * pfctl's order (interface, proto, icmp type, source, source port,
 * destination, destination port), skipping combinations whose address
 * families disagree, as pfctl does.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "conf_parse.h"
#include "pf_timeout.h"

/* Largest pf.conf, include or table file read (bytes). */
#define CONF_FILE_MAX (256 << 20)

/* ---------------------------------------------------------------------- */
/* Errors and memory                                                       */
/* ---------------------------------------------------------------------- */

static void set_err(struct parser *p, const char *file, int line, int col, const char *token,
		    const char *fmt, va_list ap)
{
	struct pfbpf_conf_error *e = p->err;

	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	snprintf(e->file, sizeof(e->file), "%s", file ? file : "");
	e->line = line;
	e->column = col;
	snprintf(e->token, sizeof(e->token), "%s", token ? token : "");
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

void conf_fail_at(struct parser *p, int line, int col, const char *token, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_err(p, p->cur_fname ? p->cur_fname : p->fname, line, col, token, fmt, ap);
	va_end(ap);
	p->rc = -EINVAL;
	longjmp(p->jb, 1);
}

void conf_fail(struct parser *p, const struct tok *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_err(p, t->fname ? t->fname : p->fname, t->line, t->col,
		t->type == T_NL || t->type == T_EOF ? "" : t->s,
		fmt, ap);
	va_end(ap);
	p->rc = -EINVAL;
	longjmp(p->jb, 1);
}

void conf_nomem(struct parser *p)
{
	if (p->err) {
		memset(p->err, 0, sizeof(*p->err));
		snprintf(p->err->file, sizeof(p->err->file), "%s", p->fname);
		snprintf(p->err->msg, sizeof(p->err->msg), "out of memory");
	}
	p->rc = -ENOMEM;
	longjmp(p->jb, 1);
}

static _Noreturn void syntax_error(struct parser *p, const struct tok *t)
{
	if (t->type == T_NL)
		conf_fail(p, t, "syntax error: unexpected end of line");
	if (t->type == T_EOF)
		conf_fail(p, t, "syntax error: unexpected end of file");
	conf_fail(p, t, "syntax error near '%s'", t->s);
}

static void *vec_push(struct parser *p, struct vec *v, size_t elsz)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		void *n = realloc(v->v, cap * elsz);

		if (!n)
			conf_nomem(p);
		v->v = n;
		v->cap = cap;
	}
	memset((char *)v->v + v->n * elsz, 0, elsz);
	return (char *)v->v + v->n++ * elsz;
}

static void vec_free(struct vec *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

/*
 * Make room for element n of an array that only knows its length: the
 * capacity is the next power of two (at least 8), so appending n elements
 * costs O(n) copies, not O(n^2) -- rulesets reach 16k rules, tables 200k.
 */
static int room_for(void **arr, size_t n, size_t elsz)
{
	size_t cap = 8;
	void *a;

	if (n && n < 8)
		return 0;
	if (n >= 8) {
		if (n & (n - 1))
			return 0;
		cap = n * 2;
	}
	a = realloc(*arr, cap * elsz);
	if (!a)
		return -ENOMEM;
	*arr = a;
	return 0;
}

/* Grow one of the conf's arrays by one zeroed element. */
static void *grow(struct parser *p, void **arr, size_t *n, size_t elsz)
{
	char *a;

	if (room_for(arr, *n, elsz))
		conf_nomem(p);
	a = *arr;
	memset(a + *n * elsz, 0, elsz);
	return a + (*n)++ * elsz;
}

static char *xstrdup(struct parser *p, const char *s)
{
	char *d = strdup(s);

	if (!d)
		conf_nomem(p);
	return d;
}

/* ---------------------------------------------------------------------- */
/* Tokens                                                                  */
/* ---------------------------------------------------------------------- */

static int is_kw(const struct tok *t, const char *kw)
{
	return t->type == T_WORD && !t->quoted && !strcmp(t->s, kw);
}

static int peek_kw(struct parser *p, const char *kw)
{
	return is_kw(conf_peek(p, 0), kw);
}

static int accept_kw(struct parser *p, const char *kw)
{
	if (!peek_kw(p, kw))
		return 0;
	conf_next(p, NULL);
	return 1;
}

static int accept_tok(struct parser *p, int type)
{
	if (conf_peek(p, 0)->type != type)
		return 0;
	conf_next(p, NULL);
	return 1;
}

static void expect(struct parser *p, int type, struct tok *out)
{
	struct tok *t = conf_peek(p, 0);

	if (t->type != type)
		syntax_error(p, t);
	conf_next(p, out);
}

static void expect_word(struct parser *p, struct tok *out)
{
	expect(p, T_WORD, out);
}

/* A statement ends at a newline, the end of the file, or (inside an
 * anchor's braces) the closing brace. */
static int at_end(struct parser *p)
{
	int type = conf_peek(p, 0)->type;

	return type == T_NL || type == T_EOF || (p->anchor_depth && type == T_RBRACE);
}

static void expect_end(struct parser *p)
{
	if (!at_end(p))
		syntax_error(p, conf_peek(p, 0));
	if (conf_peek(p, 0)->type == T_NL)
		conf_next(p, NULL);
}

static int parse_number(const char *s, unsigned long long max, unsigned long long *out, int hex)
{
	unsigned long long v = 0;
	int base = 10;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		int d;

		if (isdigit((unsigned char)*s))
			d = *s - '0';
		else if (base == 16 && isxdigit((unsigned char)*s))
			d = tolower((unsigned char)*s) - 'a' + 10;
		else
			return -EINVAL;
		v = v * base + d;
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

/* A number token: `what` names it for the messages. */
static __u32 expect_u32(struct parser *p, const char *what, unsigned long long min,
			unsigned long long max)
{
	struct tok t;
	unsigned long long v;
	int err;

	expect_word(p, &t);
	err = parse_number(t.s, max, &v, 0);
	if (err == -EINVAL)
		conf_fail(p, &t, "%s: '%s' is not a number", what, t.s);
	if (err || v < min)
		conf_fail(p, &t, "%s %s is out of range (%llu-%llu)", what, t.s, min, max);
	return (__u32)v;
}

const char *conf_macro_get(struct parser *p, const char *name)
{
	struct macro *m = p->macros.v;

	for (size_t i = 0; i < p->macros.n; i++)
		if (!strcmp(m[i].name, name))
			return m[i].value;
	return NULL;
}

static struct macro *macro_find(struct parser *p, const char *name)
{
	struct macro *m = p->macros.v;

	for (size_t i = 0; i < p->macros.n; i++)
		if (!strcmp(m[i].name, name))
			return &m[i];
	return NULL;
}

static void macro_set(struct parser *p, const char *name, const char *value, int cmdline)
{
	struct macro *m = macro_find(p, name);
	char *v = xstrdup(p, value);

	if (m) {
		free(m->value);
		m->value = v;
		m->cmdline = cmdline;
		return;
	}
	m = vec_push(p, &p->macros, sizeof(*m));
	m->value = v;
	m->name = strdup(name);
	m->cmdline = cmdline;
	if (!m->name)
		conf_nomem(p);
}

/* ---------------------------------------------------------------------- */
/* Declarations: macros, options, tables                                   */
/* ---------------------------------------------------------------------- */

static void add_decl(struct parser *p, __u32 kind, __u32 idx, __u32 value)
{
	struct pfbpf_conf_decl *d =
		grow(p, (void **)&p->c->decls, &p->c->ndecls, sizeof(*d));

	d->kind = kind;
	d->idx = idx;
	d->value = value;
}

/* name = value ...: the value is the text of the rest of the line (macros in
 * it already expanded), words joined by one space, as pfctl does. */
static void parse_macro(struct parser *p)
{
	struct tok name;
	char *val = NULL;
	size_t len = 0;
	struct macro *m;
	int slash = 0;

	conf_next(p, &name);
	for (const char *s = name.s; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			conf_fail(p, &name, "invalid macro name '%s'", name.s);
	conf_next(p, NULL); /* = */
	while (!at_end(p) || conf_peek(p, 0)->type == T_RBRACE) {
		struct tok *t = conf_peek(p, 0);
		const char *s = t->s;
		size_t sl = strlen(s);
		char *n;

		if (t->type == T_NL || t->type == T_EOF)
			break;
		n = realloc(val, len + sl + 2);
		if (!n)
			conf_nomem(p); /* val is p->pending: freed there */
		p->pending = val = n;
		/* "a/24" lexes as three tokens: keep it one word */
		if (len && t->type != T_SLASH && !slash)
			val[len++] = ' ';
		slash = t->type == T_SLASH;
		memcpy(val + len, s, sl + 1);
		len += sl;
		conf_next(p, NULL);
	}
	if (!val) {
		struct tok *t = conf_peek(p, 0);

		conf_fail(p, t, "macro '%s': missing value", name.s);
	}
	expect_end(p);
	m = macro_find(p, name.s);
	if (m && m->cmdline) {
		/* pfctl -D wins over the file */
		p->pending = NULL;
		free(val);
		return;
	}
	/* keep val reachable before anything can fail */
	{
		struct pfbpf_conf_macro *cm;

		cm = grow(p, (void **)&p->c->macros, &p->c->nmacros, sizeof(*cm));
		cm->value = val;
		p->pending = NULL;
		cm->name = xstrdup(p, name.s);
		macro_set(p, name.s, val, 0);
		add_decl(p, PFBPF_DECL_MACRO, (__u32)(p->c->nmacros - 1), 0);
	}
}

static int ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= PFBPF_IFNAMSIZ)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-:@", *s))
			return 0;
	return 1;
}

static void parse_ifname(struct parser *p, struct ifitem *it)
{
	struct tok t;

	if (accept_tok(p, T_BANG))
		it->not = 1;
	if (conf_peek(p, 0)->type == T_LBRACE)
		conf_fail(p, conf_peek(p, 0), "'!' cannot negate a list");
	if (conf_peek(p, 0)->type == T_LPAREN)
		/* `(if)` is an address (conf_ifaddr.c); `on` takes a name */
		conf_fail(p, conf_peek(p, 0), "'on' takes an interface name, not an address '(if)'");
	expect_word(p, &t);
	if (strlen(t.s) >= PFBPF_IFNAMSIZ)
		conf_fail(p, &t, "interface name '%s' is too long (at most %d characters)", t.s,
			  PFBPF_IFNAMSIZ - 1);
	if (!ifname_ok(t.s))
		conf_fail(p, &t, "invalid interface name '%s'", t.s);
	snprintf(it->name, sizeof(it->name), "%s", t.s);
}

typedef void (*item_fn)(struct parser *p, void *ctx);

/* An item or a `{ }` list of them (commas and newlines optional, lists may
 * nest: a macro holding a list can sit inside another list). */
static void parse_list_opt(struct parser *p, item_fn fn, void *ctx, int allow_empty)
{
	struct tok open;
	int n = 0;

	if (conf_peek(p, 0)->type != T_LBRACE) {
		fn(p, ctx);
		return;
	}
	conf_next(p, &open);
	for (;;) {
		struct tok *t = conf_peek(p, 0);

		if (t->type == T_NL || t->type == T_COMMA) {
			conf_next(p, NULL);
			continue;
		}
		if (t->type == T_RBRACE) {
			conf_next(p, NULL);
			break;
		}
		if (t->type == T_EOF)
			conf_fail(p, &open, "missing '}' for the list opened here");
		if (t->type == T_LBRACE)
			parse_list_opt(p, fn, ctx, allow_empty);
		else
			fn(p, ctx);
		n++;
	}
	if (!n && !allow_empty)
		conf_fail(p, &open, "empty list");
}

static void parse_list(struct parser *p, item_fn fn, void *ctx)
{
	parse_list_opt(p, fn, ctx, 0);
}

/* set skip on { lo eth1 } */
static void skip_item(struct parser *p, void *ctx)
{
	struct ifitem it = { 0 };
	char(*e)[PFBPF_IFNAMSIZ];

	parse_ifname(p, &it);
	if (it.not)
		conf_fail(p, conf_peek(p, 0), "set skip on ! is not supported");
	e = grow(p, (void **)&p->c->skip_log, &p->c->nskip_log, sizeof(*e));
	memcpy(*e, it.name, PFBPF_IFNAMSIZ);
}

/* `set pfbpf interfaces { a b }`: the names go into skip_log too, the one
 * log of interface lists, which the declarations point into. */
static void pfbpf_if_item(struct parser *p, void *ctx)
{
	struct tok at = *conf_peek(p, 0);
	struct ifitem it = { 0 };
	char(*e)[PFBPF_IFNAMSIZ];

	parse_ifname(p, &it);
	if (it.not)
		conf_fail(p, &at, "set pfbpf interfaces: an interface to attach to "
			  "cannot be negated");
	e = grow(p, (void **)&p->c->skip_log, &p->c->nskip_log, sizeof(*e));
	memcpy(*e, it.name, PFBPF_IFNAMSIZ);
}

struct setctx {
	int limit; /* 0 timeout, 1 limit */
};

static void set_one(struct parser *p, int limit)
{
	struct tok t;
	int idx;
	__u32 v;

	expect_word(p, &t);
	if (limit) {
		idx = pfbpf_conf_limit_lookup(t.s);
		if (idx < 0)
			conf_fail(p, &t, "unknown limit '%s'", t.s);
		v = expect_u32(p, t.s, 1, UINT32_MAX);
		p->c->options.limit[idx] = v;
		p->c->options.limit_set |= 1u << idx;
		add_decl(p, PFBPF_DECL_LIMIT, (__u32)idx, v);
	} else {
		idx = pfbpf_conf_timeout_lookup(t.s);
		if (idx < 0)
			conf_fail(p, &t, "unknown timeout '%s'", t.s);
		v = expect_u32(p, t.s, idx == PFTM_INTERVAL ? 1 : 0, UINT32_MAX);
		p->c->options.timeout[idx] = v;
		p->c->options.timeout_set |= 1u << idx;
		add_decl(p, PFBPF_DECL_TIMEOUT, (__u32)idx, v);
	}
}

static void set_item(struct parser *p, void *ctx)
{
	set_one(p, ((struct setctx *)ctx)->limit);
}

static void parse_set(struct parser *p)
{
	struct tok kw, t;
	struct pfbpf_conf_options *o = &p->c->options;

	conf_next(p, &kw);
	if (p->anchor_depth)
		conf_fail(p, &kw, "set is not allowed inside an anchor");
	expect_word(p, &t);
	if (!strcmp(t.s, "timeout") || !strcmp(t.s, "limit")) {
		struct setctx sc = { .limit = t.s[0] == 'l' };

		parse_list(p, set_item, &sc);
	} else if (!strcmp(t.s, "block-policy")) {
		struct tok v;

		expect_word(p, &v);
		if (!strcmp(v.s, "drop"))
			o->block_policy = PF_BLOCK_DROP;
		else if (!strcmp(v.s, "return"))
			o->block_policy = PF_BLOCK_RETURN;
		else
			conf_fail(p, &v, "block-policy must be drop or return, not '%s'", v.s);
		o->set |= PFBPF_OPT_BLOCK_POLICY;
		p->block_flag = o->block_policy == PF_BLOCK_RETURN ? PFRULE_RETURN : PFRULE_DROP;
		add_decl(p, PFBPF_DECL_BLOCK_POLICY, 0, o->block_policy);
	} else if (!strcmp(t.s, "state-policy")) {
		struct tok v;

		expect_word(p, &v);
		if (!strcmp(v.s, "if-bound"))
			o->state_policy = PF_STATE_IFBOUND;
		else if (!strcmp(v.s, "floating"))
			o->state_policy = PF_STATE_FLOATING;
		else
			conf_fail(p, &v, "state-policy must be if-bound or floating, not '%s'",
				  v.s);
		o->set |= PFBPF_OPT_STATE_POLICY;
		add_decl(p, PFBPF_DECL_STATE_POLICY, 0, o->state_policy);
	} else if (!strcmp(t.s, "debug")) {
		static const char *const lv[] = { "none", "urgent", "misc", "loud" };
		struct tok v;
		int i;

		expect_word(p, &v);
		for (i = 0; i < 4; i++)
			if (!strcmp(v.s, lv[i]))
				break;
		if (i == 4)
			conf_fail(p, &v, "debug level must be none, urgent, misc or loud, not '%s'",
				  v.s);
		o->debug = (__u32)i;
		o->set |= PFBPF_OPT_DEBUG;
		add_decl(p, PFBPF_DECL_DEBUG, 0, o->debug);
	} else if (!strcmp(t.s, "hostid")) {
		struct tok v;
		unsigned long long id;
		int err;

		expect_word(p, &v);
		err = parse_number(v.s, UINT32_MAX, &id, 1);
		if (err == -EINVAL)
			conf_fail(p, &v, "hostid: '%s' is not a number", v.s);
		if (err || !id)
			conf_fail(p, &v, "hostid %s is out of range (1-0xffffffff)", v.s);
		o->hostid = (__u32)id;
		o->set |= PFBPF_OPT_HOSTID;
		add_decl(p, PFBPF_DECL_HOSTID, 0, o->hostid);
	} else if (!strcmp(t.s, "skip")) {
		size_t first = p->c->nskip_log;
		char(*sk)[PFBPF_IFNAMSIZ];

		if (!accept_kw(p, "on"))
			syntax_error(p, conf_peek(p, 0));
		parse_list(p, skip_item, NULL);
		/* pf: each `set skip` replaces the set of skipped interfaces */
		sk = calloc(p->c->nskip_log - first, sizeof(*sk));
		if (!sk)
			conf_nomem(p);
		memcpy(sk, p->c->skip_log + first, (p->c->nskip_log - first) * sizeof(*sk));
		free(o->skip);
		o->skip = sk;
		o->nskip = p->c->nskip_log - first;
		o->set |= PFBPF_OPT_SKIP;
		add_decl(p, PFBPF_DECL_SKIP, (__u32)first, (__u32)o->nskip);
	} else if (!strcmp(t.s, "syncookies")) {
		conf_set_syncookies(p, o);
	} else if (!strcmp(t.s, "pfbpf")) {
		/* pfbpf's own: the interfaces pfbpf.service attaches to when
		 * /etc/default/pfbpf names none */
		size_t first = p->c->nskip_log;
		struct tok w;

		expect_word(p, &w);
		if (strcmp(w.s, "interfaces"))
			conf_fail(p, &w, "unknown option 'set pfbpf %s' (set pfbpf interfaces { ... })",
				  w.s);
		parse_list(p, pfbpf_if_item, NULL);
		/* a copy: skip_log moves as it grows */
		free(o->pfbpf_ifs);
		o->npfbpf_ifs = p->c->nskip_log - first;
		o->pfbpf_ifs = calloc(o->npfbpf_ifs ? o->npfbpf_ifs : 1, sizeof(*o->pfbpf_ifs));
		if (!o->pfbpf_ifs)
			conf_nomem(p);
		memcpy(o->pfbpf_ifs, p->c->skip_log + first, o->npfbpf_ifs * sizeof(*o->pfbpf_ifs));
		o->set |= PFBPF_OPT_PFBPF_IFS;
		add_decl(p, PFBPF_DECL_PFBPF_IFS, (__u32)first, (__u32)o->npfbpf_ifs);
	} else if (!strcmp(t.s, "optimization") || !strcmp(t.s, "ruleset-optimization") ||
		   !strcmp(t.s, "loginterface") || !strcmp(t.s, "fingerprints") ||
		   !strcmp(t.s, "reassemble") ||
		   !strcmp(t.s, "keepcounters") || !strcmp(t.s, "prio") ||
		   !strcmp(t.s, "require-order") || !strcmp(t.s, "state-defaults") ||
		   !strcmp(t.s, "satisfy")) {
		conf_fail(p, &t, "set %s is not supported yet", t.s);
	} else {
		conf_fail(p, &t, "unknown option 'set %s'", t.s);
	}
	expect_end(p);
}

/* ---------------------------------------------------------------------- */
/* Addresses                                                               */
/* ---------------------------------------------------------------------- */

static void mask_host_bits(struct pf_addr *a, int af, int plen)
{
	int bits = af == PF_INET ? 32 : 128;

	for (int i = plen; i < bits; i++)
		a->addr8[i / 8] &= (__u8)~(0x80 >> (i % 8));
}

/* "192.0.2.1" / "2001:db8::1" into af/addr; 0 or -EINVAL. */
static int addr_from_str(const char *s, __u8 *af, struct pf_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, a->v6) != 1)
			return -EINVAL;
		*af = PF_INET6;
		return 0;
	}
	/* inet_pton takes only dotted quads, unlike inet_aton's "10.1" forms */
	if (inet_pton(AF_INET, s, &a->v4) != 1)
		return -EINVAL;
	*af = PF_INET;
	return 0;
}

static int looks_like_name(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-._", *s))
			return 0;
	return 1;
}

static void record_tableref(struct parser *p, const char *name, int line, int col)
{
	struct tableref *r = vec_push(p, &p->trefs, sizeof(*r));

	r->fname = p->cur_fname;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->anchor, sizeof(r->anchor), "%s", p->anchor);
	r->line = line;
	r->col = col;
}

/* One address: an IP address or network, and where the context allows,
 * `any` and `<table>`.  `!` is handled by the caller. */
static void parse_address(struct parser *p, struct pfbpf_addr_spec *a, int in_table)
{
	struct tok t;
	int bits;

	if (conf_peek(p, 0)->type == T_LT && !in_table) {
		struct tok lt, name;

		conf_next(p, &lt);
		expect_word(p, &name);
		if (strlen(name.s) >= PF_TABLE_NAME_SIZE)
			conf_fail(p, &name, "table name '%s' is too long (at most %d characters)",
				  name.s, PF_TABLE_NAME_SIZE - 1);
		if (conf_peek(p, 0)->type == T_WORD && conf_peek(p, 0)->s[0] == ':')
			conf_fail(p, conf_peek(p, 0), "table modifiers are not supported yet");
		expect(p, T_GT, NULL);
		a->type = PFBPF_ADDR_TABLE;
		snprintf(a->table, sizeof(a->table), "%s", name.s);
		record_tableref(p, name.s, lt.line, lt.col);
		return;
	}
	if (conf_peek(p, 0)->type == T_LPAREN && !in_table) {
		conf_ifaddr_dynamic(p, a);
		return;
	}
	if (conf_peek(p, 0)->type == T_LPAREN)
		conf_fail(p, conf_peek(p, 0), "interface addresses '(if)' are not supported in tables yet");
	if (conf_peek(p, 0)->type != T_WORD)
		syntax_error(p, conf_peek(p, 0));
	conf_next(p, &t);
	if (in_table && is_kw(&t, "any"))
		conf_fail(p, &t, "a table holds addresses: use 0.0.0.0/0 and ::/0, not 'any'");
	if (!in_table && is_kw(&t, "any")) {
		a->type = PFBPF_ADDR_ANY;
		return;
	}
	if (is_kw(&t, "self"))
		conf_fail(p, &t, "self is not supported in tables yet: write the addresses");
	if (is_kw(&t, "no-route") || is_kw(&t, "urpf-failed"))
		conf_fail(p, &t, "%s is not supported yet", t.s);
	if (addr_from_str(t.s, &a->af, &a->addr)) {
		if (looks_like_name(t.s))
			conf_fail(p, &t,
				  "'%s' is not an IP address (host names and interface names are not supported as addresses)",
				  t.s);
		conf_fail(p, &t, "bad address '%s'", t.s);
	}
	a->type = PFBPF_ADDR_MASK;
	bits = a->af == PF_INET ? 32 : 128;
	a->prefixlen = (__u8)bits;
	if (accept_tok(p, T_SLASH)) {
		struct tok n;
		unsigned long long v;

		expect_word(p, &n);
		if (parse_number(n.s, 255, &v, 0) || v > (unsigned)bits)
			conf_fail(p, &n, "bad prefix length '/%s' for %s (0-%d)", n.s, t.s, bits);
		a->prefixlen = (__u8)v;
		mask_host_bits(&a->addr, a->af, a->prefixlen);
	}
	if (peek_kw(p, "-") && !conf_nat_at_arrow(p))
		conf_fail(p, conf_peek(p, 0), "address ranges are not supported yet");
}

static void host_item(struct parser *p, void *ctx)
{
	struct vec *v = ctx;
	struct hostitem *h;
	struct tok *t = conf_peek(p, 0);
	int line = t->line, col = t->col, neg = 0;

	if (accept_tok(p, T_BANG)) {
		neg = 1;
		if (conf_peek(p, 0)->type == T_LBRACE)
			conf_fail(p, conf_peek(p, 0),
				  "'!' cannot negate a list: negate each address, or use a table");
	}
	/* em0, em0:network, self: one host per address, resolved now */
	if (conf_ifaddr_host(p, v, neg, line, col))
		return;
	h = vec_push(p, v, sizeof(*h));
	h->line = line;
	h->col = col;
	parse_address(p, &h->a, 0);
	h->a.neg = (__u8)neg;
}

/* ---------------------------------------------------------------------- */
/* Ports, protocols, ICMP types                                            */
/* ---------------------------------------------------------------------- */

static __u16 port_value(struct parser *p, const struct tok *t, const char *s)
{
	unsigned long long v;
	int err = parse_number(s, 65535, &v, 0);
	int svc;

	if (!err)
		return (__u16)v;
	if (err == -ERANGE || isdigit((unsigned char)*s))
		conf_fail(p, t, "port %s is out of range (0-65535)", s);
	svc = pfbpf_conf_service_lookup(s, 0);
	if (svc < 0 && (is_kw(t, "to") || is_kw(t, "from") || is_kw(t, "port") ||
			is_kw(t, "flags") || is_kw(t, "keep") || is_kw(t, "label")))
		syntax_error(p, t);
	if (svc < 0)
		conf_fail(p, t, "unknown port '%s'", s);
	return (__u16)svc;
}

static void port_item(struct parser *p, void *ctx)
{
	struct vec *v = ctx;
	struct portitem *it;
	struct tok *pk = conf_peek(p, 0);
	struct tok t;
	int op = 0;

	it = vec_push(p, v, sizeof(*it));
	it->line = pk->line;
	it->col = pk->col;
	switch (pk->type) {
	case T_EQ: op = PF_OP_EQ; break;
	case T_NE: op = PF_OP_NE; break;
	case T_LT: op = PF_OP_LT; break;
	case T_LE: op = PF_OP_LE; break;
	case T_GT: op = PF_OP_GT; break;
	case T_GE: op = PF_OP_GE; break;
	}
	if (op) {
		conf_next(p, NULL);
		expect_word(p, &t);
		it->p.op = (__u8)op;
		it->p.port[0] = port_value(p, &t, t.s);
		return;
	}
	expect_word(p, &t);
	{
		char *colon = strchr(t.s, ':');

		if (colon && colon != t.s && colon[1]) {
			char a[sizeof(t.s)];

			memcpy(a, t.s, (size_t)(colon - t.s));
			a[colon - t.s] = '\0';
			it->p.op = PF_OP_RRG;
			it->p.port[0] = port_value(p, &t, a);
			it->p.port[1] = port_value(p, &t, colon + 1);
			if (it->p.port[0] > it->p.port[1])
				conf_fail(p, &t, "bad port range %s: the first port is higher", t.s);
			return;
		}
	}
	it->p.port[0] = port_value(p, &t, t.s);
	if (conf_peek(p, 0)->type == T_IRG || conf_peek(p, 0)->type == T_XRG) {
		struct tok o, b;

		conf_next(p, &o);
		expect_word(p, &b);
		it->p.op = o.type == T_IRG ? PF_OP_IRG : PF_OP_XRG;
		it->p.port[1] = port_value(p, &b, b.s);
		if (it->p.port[0] > it->p.port[1])
			conf_fail(p, &b, "bad port range %s %s %s: the first port is higher", t.s,
				  o.s, b.s);
		return;
	}
	it->p.op = PF_OP_EQ;
}

static void proto_item(struct parser *p, void *ctx)
{
	struct vec *v = ctx;
	struct protoitem *it;
	struct tok t;
	unsigned long long n;
	int proto;

	expect_word(p, &t);
	it = vec_push(p, v, sizeof(*it));
	it->line = t.line;
	it->col = t.col;
	if (!parse_number(t.s, 255, &n, 0)) {
		if (!n)
			conf_fail(p, &t, "proto 0 is not a protocol");
		it->proto = (int)n;
		return;
	}
	if (isdigit((unsigned char)t.s[0]))
		conf_fail(p, &t, "protocol %s is out of range (1-255)", t.s);
	proto = pfbpf_conf_proto_lookup(t.s);
	if (proto <= 0)
		conf_fail(p, &t, "unknown protocol '%s'", t.s);
	it->proto = proto;
}

struct icmpctx {
	struct vec *v;
	int v6;
};

static int icmp_value(struct parser *p, const struct tok *t, int v6, int type)
{
	unsigned long long n;
	int v;

	if (!parse_number(t->s, 255, &n, 0)) {
		if (n > 254)
			conf_fail(p, t, "icmp %s %s is out of range (0-254)",
				  type < 0 ? "type" : "code", t->s);
		return (int)n;
	}
	if (isdigit((unsigned char)t->s[0]))
		conf_fail(p, t, "icmp %s %s is out of range (0-254)", type < 0 ? "type" : "code",
			  t->s);
	if (type < 0) {
		v = conf_icmp_type_lookup(t->s, v6);
		if (v < 0)
			conf_fail(p, t, "unknown %s type '%s'", v6 ? "icmp6" : "icmp", t->s);
		return v;
	}
	v = conf_icmp_code_lookup(t->s, type, v6);
	if (v < 0)
		conf_fail(p, t, "unknown %s code '%s' for type %d", v6 ? "icmp6" : "icmp", t->s,
			  type);
	return v & 0xff;
}

static void icmp_item(struct parser *p, void *ctx)
{
	struct icmpctx *ic = ctx;
	struct icmpitem *it;
	struct tok t;

	expect_word(p, &t);
	it = vec_push(p, ic->v, sizeof(*it));
	it->line = t.line;
	it->col = t.col;
	it->v6 = ic->v6;
	it->type = icmp_value(p, &t, ic->v6, -1);
	it->code = -1;
	if (accept_kw(p, "code")) {
		struct tok c;

		expect_word(p, &c);
		it->code = icmp_value(p, &c, ic->v6, it->type);
	}
}

static void if_item(struct parser *p, void *ctx)
{
	struct ifitem *it = vec_push(p, ctx, sizeof(*it));

	parse_ifname(p, it);
}

/* ---------------------------------------------------------------------- */
/* Rules                                                                   */
/* ---------------------------------------------------------------------- */

static void tmpl_reset(struct rule_tmpl *t)
{
	vec_free(&t->ifs);
	vec_free(&t->protos);
	vec_free(&t->icmps);
	vec_free(&t->src);
	vec_free(&t->sport);
	vec_free(&t->dst);
	vec_free(&t->dport);
	vec_free(&t->pool.addrs);
	memset(t, 0, sizeof(*t));
}

/* Words that start something pfbpf does not do yet, anywhere in a rule. */
static const char *const unsupported_rule_opts[] = {
	"af-to", "route-to", "reply-to", "dup-to",
	"divert-to", "divert-reply", "divert-packet", "tag", "tagged", "queue",
	"rtable", "rdomain", "prio", "set", "user", "group", "os", "probability",
	"tos", "once", "received-on", "fragment", "max-pkt-rate",
	"scrub", "sloppy", "source-track", "max-src-nodes",
	"max-src-states", "max-src-conn", "max-src-conn-rate", "overload",
	"if-bound", "floating", "no-sync", "pflow", "unreachable", "urpf-failed",
	"max-pkt-size", "delay", "dnpipe", "dnqueue", "ridentifier",
};

static _Noreturn void rule_syntax_error(struct parser *p, const struct tok *t)
{
	if (t->type == T_WORD && !t->quoted) {
		if (!strcmp(t->s, "modulate"))
			conf_fail(p, t,
				  "modulate state is not supported (no sequence number modulation in pfbpf)");
		for (size_t i = 0; i < ARRAY_SIZE(unsupported_rule_opts); i++)
			if (!strcmp(t->s, unsupported_rule_opts[i]))
				conf_fail(p, t, "%s is not supported yet", t->s);
	}
	syntax_error(p, t);
}

static int flag_bits(struct parser *p, const struct tok *t)
{
	static const char letters[] = "FSRPAUEW";
	int bits = 0;

	for (const char *s = t->s; *s; s++) {
		const char *l = strchr(letters, *s);

		if (!l)
			conf_fail(p, t, "unknown TCP flag '%c' in '%s' (flags are FSRPAUEW)", *s,
				  t->s);
		bits |= 1 << (l - letters);
	}
	return bits;
}

static void parse_flags(struct parser *p, struct rule_tmpl *rt, const struct tok *kw)
{
	struct tok t;

	if (rt->flags_given)
		conf_fail(p, kw, "flags given more than once");
	rt->flags_given = 1;
	rt->flags_line = kw->line;
	rt->flags_col = kw->col;
	if (accept_kw(p, "any")) {
		rt->r.flags = rt->r.flagset = 0;
		return;
	}
	if (!accept_tok(p, T_SLASH)) {
		expect_word(p, &t);
		rt->r.flags = (__u8)flag_bits(p, &t);
		if (!accept_tok(p, T_SLASH))
			conf_fail(p, conf_peek(p, 0),
				  "flags need a mask: write flags %s/SA, or flags any", t.s);
	}
	expect_word(p, &t);
	rt->r.flagset = (__u8)flag_bits(p, &t);
	if ((rt->r.flags & rt->r.flagset) != rt->r.flags)
		conf_fail(p, &t, "flags always false: %s is not within the mask", t.s);
	if (!rt->r.flagset)
		conf_fail(p, &t, "empty flag mask");
}

/* keep state ( max N, tcp.established N, ... ) */
static void parse_state_opts(struct parser *p, struct rule_tmpl *rt)
{
	struct tok open;

	conf_next(p, &open);
	for (;;) {
		struct tok t;
		int tm;

		if (accept_tok(p, T_COMMA) || accept_tok(p, T_NL))
			continue;
		if (accept_tok(p, T_RPAREN))
			break;
		if (conf_peek(p, 0)->type == T_EOF)
			conf_fail(p, &open, "missing ')' for the state options opened here");
		if (conf_peek(p, 0)->type != T_WORD)
			syntax_error(p, conf_peek(p, 0));
		conf_next(p, &t);
		if (is_kw(&t, "max")) {
			if (rt->max_given)
				conf_fail(p, &t, "max given more than once");
			rt->max_given = 1;
			rt->r.max_states = expect_u32(p, "max", 1, UINT32_MAX);
			continue;
		}
		tm = pfbpf_conf_timeout_lookup(t.s);
		if (tm >= 0 && !t.quoted) {
			if (tm == PFTM_INTERVAL || tm == PFTM_SRC_NODE || tm == PFTM_FRAG)
				conf_fail(p, &t, "timeout %s cannot be set per rule", t.s);
			if (rt->tm_given & (1u << tm))
				conf_fail(p, &t, "%s given more than once", t.s);
			rt->tm_given |= 1u << tm;
			/* pf: a rule's adaptive.end 0 turns its scaling off,
			 * adaptive.start 0 leaves the rule on the global bounds */
			rt->r.timeout[tm] = expect_u32(p, t.s, pf_timeout_is_adaptive(tm) ? 0 : 1,
						       UINT32_MAX);
			continue;
		}
		rule_syntax_error(p, &t);
	}
}

static void parse_return_icmp(struct parser *p, struct rule_tmpl *rt, int v6)
{
	int type = v6 ? CONF_ICMP6_UNREACH : CONF_ICMP4_UNREACH;
	int code = v6 ? CONF_ICMP6_PORT_UNR : CONF_ICMP4_PORT_UNR;

	rt->r.rule_flag = PFRULE_RETURNICMP;
	if (accept_tok(p, T_LPAREN)) {
		struct tok c;

		expect_word(p, &c);
		code = icmp_value(p, &c, v6, type);
		if (!v6 && accept_tok(p, T_COMMA)) {
			struct tok c6;
			int code6;

			expect_word(p, &c6);
			code6 = icmp_value(p, &c6, 1, CONF_ICMP6_UNREACH);
			if (code6 != CONF_ICMP6_PORT_UNR) {
				/* struct pfbpf_rule carries one return code: say which */
				if (code != CONF_ICMP4_PORT_UNR)
					conf_fail(p, &c6,
						  "separate ICMP and ICMP6 return codes are not supported yet");
				type = CONF_ICMP6_UNREACH;
				code = code6;
			}
		}
		expect(p, T_RPAREN, NULL);
	}
	rt->r.return_icmp_type = (__u8)type;
	rt->r.return_icmp_code = (__u8)code;
}

static void parse_hostport(struct parser *p, struct vec *hosts, struct vec *ports)
{
	if (!peek_kw(p, "port"))
		parse_list(p, host_item, hosts);
	if (accept_kw(p, "port"))
		parse_list(p, port_item, ports);
}

/*
 * The part of a rule common to filter rules and anchor rules: everything
 * after the action.  Stops at the end of the statement or at `{`.
 */
static void parse_rule_body(struct parser *p, struct rule_tmpl *rt, int anchor)
{
	struct tok t;

	if (accept_kw(p, "in"))
		rt->r.direction = PF_IN;
	else if (accept_kw(p, "out"))
		rt->r.direction = PF_OUT;
	for (;;) {
		if (peek_kw(p, "log")) {
			conf_next(p, &t);
			if (rt->r.log)
				conf_fail(p, &t, "log given more than once");
			rt->r.log = 1;
			if (conf_peek(p, 0)->type == T_LPAREN)
				conf_fail(p, conf_peek(p, 0), "log options are not supported yet");
		} else if (peek_kw(p, "quick")) {
			conf_next(p, &t);
			if (rt->r.quick)
				conf_fail(p, &t, "quick given more than once");
			rt->r.quick = 1;
		} else {
			break;
		}
	}
	if (accept_kw(p, "on")) {
		if (peek_kw(p, "rdomain"))
			rule_syntax_error(p, conf_peek(p, 0));
		parse_list(p, if_item, &rt->ifs);
	}
	if (accept_kw(p, "inet"))
		rt->r.af = PF_INET;
	else if (accept_kw(p, "inet6"))
		rt->r.af = PF_INET6;
	if (accept_kw(p, "proto"))
		parse_list(p, proto_item, &rt->protos);
	if (accept_kw(p, "all")) {
		/* nothing: any to any */
	} else {
		if (accept_kw(p, "from")) {
			if (at_end(p))
				syntax_error(p, conf_peek(p, 0));
			parse_hostport(p, &rt->src, &rt->sport);
		}
		if (accept_kw(p, "to")) {
			if (at_end(p))
				syntax_error(p, conf_peek(p, 0));
			parse_hostport(p, &rt->dst, &rt->dport);
		}
	}
	/* filter options, in any order */
	while (!at_end(p) && conf_peek(p, 0)->type != T_LBRACE) {
		struct tok *pk = conf_peek(p, 0);

		if (pk->type != T_WORD || pk->quoted)
			syntax_error(p, pk);
		if (rt->natrule) {
			/* nat/rdr/binat: the pool and its options, nothing else */
			if (!conf_nat_at_arrow(p))
				rule_syntax_error(p, pk);
			conf_nat_arrow(p, rt);
			continue;
		}
		conf_next(p, &t);
		if (!anchor && conf_nat_option(p, rt, &t)) {
			continue;
		} else if (is_kw(&t, "flags")) {
			parse_flags(p, rt, &t);
		} else if (is_kw(&t, "icmp-type") || is_kw(&t, "icmp6-type")) {
			struct icmpctx ic = { .v = &rt->icmps, .v6 = t.s[4] == '6' };

			if (rt->icmp_given)
				conf_fail(p, &t, "icmp-type given more than once");
			rt->icmp_given = 1;
			parse_list(p, icmp_item, &ic);
		} else if (is_kw(&t, "keep") || is_kw(&t, "no") || is_kw(&t, "synproxy")) {
			int keep = t.s[0] != 'n';
			struct tok st;

			if (anchor)
				conf_fail(p, &t, "anchor rules cannot keep state");
			if (rt->keep_given)
				conf_fail(p, &t, "state option given more than once");
			rt->keep_given = 1;
			rt->keep_line = t.line;
			rt->keep_col = t.col;
			expect_word(p, &st);
			if (!is_kw(&st, "state"))
				syntax_error(p, &st);
			rt->r.keep_state = t.s[0] == 's' ? PF_STATE_SYNPROXY :
					   keep ? PF_STATE_NORMAL : PF_STATE_NONE;
			if (keep && conf_peek(p, 0)->type == T_LPAREN)
				parse_state_opts(p, rt);
		} else if (is_kw(&t, "allow-opts")) {
			/* pfctl's filter_opt ALLOWOPTS: a flag, repeating it is harmless */
			rt->r.allow_opts = 1;
		} else if (is_kw(&t, "label")) {
			struct tok l;
			char *dst;

			/* FreeBSD keeps several labels per rule, each matched by
			 * -k label */
			if (rt->label_given >= PF_RULE_MAX_LABEL_COUNT)
				conf_fail(p, &t, "at most %d labels on one rule",
					  PF_RULE_MAX_LABEL_COUNT);
			dst = rt->label_given ? rt->r.label_more[rt->label_given - 1] : rt->r.label;
			rt->label_given++;
			expect_word(p, &l);
			/* the listing quotes it: a quote inside would not read back */
			if (strchr(l.s, '"'))
				conf_fail(p, &l, "a label cannot contain '\"'");
			if (strlen(l.s) >= PF_RULE_LABEL_SIZE)
				conf_fail(p, &l, "label is too long (at most %d characters)",
					  PF_RULE_LABEL_SIZE - 1);
			snprintf(dst, PF_RULE_LABEL_SIZE, "%s", l.s);
		} else {
			rule_syntax_error(p, &t);
		}
	}
}

static __u32 next_nr(struct parser *p, const char *path)
{
	struct nrcount *c = p->counts.v;

	for (size_t i = 0; i < p->counts.n; i++)
		if (!strcmp(c[i].path, path))
			return c[i].next++;
	c = vec_push(p, &p->counts, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	return c->next++;
}

static size_t n1(const struct vec *v)
{
	return v->n ? v->n : 1;
}

/* $if, $srcaddr, $dstaddr, $srcport, $dstport, $proto, $nr in labels, as pf. */
static void format_port(char *buf, size_t len, const struct pfbpf_port_spec *ps)
{
	static const char *const ops[] = { [PF_OP_EQ] = "",   [PF_OP_NE] = "!=",
					   [PF_OP_LT] = "<",  [PF_OP_LE] = "<=",
					   [PF_OP_GT] = ">",  [PF_OP_GE] = ">=" };

	switch (ps->op) {
	case PF_OP_NONE:
		buf[0] = '\0';
		break;
	case PF_OP_IRG:
		snprintf(buf, len, "%u><%u", ps->port[0], ps->port[1]);
		break;
	case PF_OP_XRG:
		snprintf(buf, len, "%u<>%u", ps->port[0], ps->port[1]);
		break;
	case PF_OP_RRG:
		snprintf(buf, len, "%u:%u", ps->port[0], ps->port[1]);
		break;
	default:
		snprintf(buf, len, "%s%u", ops[ps->op], ps->port[0]);
	}
}

static void expand_label(struct parser *p, struct pfbpf_rule *r, char *label)
{
	char out[PF_RULE_LABEL_SIZE * 4] = "";
	const char *s = label;
	size_t n = 0;

	if (!strchr(s, '$'))
		return;
	while (*s) {
		char v[128];
		const char *rep = NULL;
		size_t skip = 0;

		if (!strncmp(s, "$if", 3)) {
			rep = r->ifname[0] ? r->ifname : "any";
			skip = 3;
		} else if (!strncmp(s, "$srcaddr", 8) || !strncmp(s, "$dstaddr", 8)) {
			const struct pfbpf_addr_spec *a = s[1] == 's' ? &r->src : &r->dst;

			conf_format_addr(v + 2, sizeof(v) - 2, a);
			v[0] = '!';
			v[1] = ' ';
			rep = a->neg ? v : v + 2;
			skip = 8;
		} else if (!strncmp(s, "$srcport", 8) || !strncmp(s, "$dstport", 8)) {
			format_port(v, sizeof(v), s[1] == 's' ? &r->sport : &r->dport);
			rep = v;
			skip = 8;
		} else if (!strncmp(s, "$proto", 6)) {
			rep = r->proto ? pfbpf_conf_proto_name(r->proto) : "any";
			if (!rep) {
				snprintf(v, sizeof(v), "%u", r->proto);
				rep = v;
			}
			skip = 6;
		} else if (!strncmp(s, "$nr", 3)) {
			snprintf(v, sizeof(v), "%u", r->nr);
			rep = v;
			skip = 3;
		}
		if (rep) {
			size_t l = strlen(rep);

			if (n + l >= sizeof(out))
				break;
			memcpy(out + n, rep, l);
			n += l;
			s += skip;
		} else {
			if (n + 1 >= sizeof(out))
				break;
			out[n++] = *s++;
		}
		out[n] = '\0';
	}
	if (strlen(out) >= PF_RULE_LABEL_SIZE)
		conf_fail_at(p, p->t.line, p->t.col, label,
			     "label \"%s\" is too long once expanded (at most %d characters)",
			     label, PF_RULE_LABEL_SIZE - 1);
	memcpy(label, out, strlen(out) + 1);
}

static int is_tcp_udp(int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

/*
 * Expand the rule template into rules (or, for an anchor rule, into its one
 * anchor call).  Returns how many rules were made.
 */
static size_t expand_rule(struct parser *p, struct pfbpf_conf_anchor *anchor)
{
	struct rule_tmpl *t = &p->t;
	const struct ifitem *ifs = t->ifs.v;
	const struct protoitem *pr = t->protos.v;
	const struct icmpitem *ic = t->icmps.v;
	const struct hostitem *sh = t->src.v, *dh = t->dst.v;
	const struct portitem *sp = t->sport.v, *dp = t->dport.v;
	size_t made = 0;

	/* checks that do not depend on the combination */
	for (size_t i = 0; i < t->protos.n; i++) {
		if (t->sport.n && !is_tcp_udp(pr[i].proto))
			conf_fail_at(p, sp[0].line, sp[0].col, "port",
				     "port only applies to tcp/udp");
		if (t->dport.n && !is_tcp_udp(pr[i].proto))
			conf_fail_at(p, dp[0].line, dp[0].col, "port",
				     "port only applies to tcp/udp");
		for (size_t k = 0; k < t->icmps.n; k++) {
			int want = ic[k].v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

			if (pr[i].proto != want)
				conf_fail_at(p, ic[k].line, ic[k].col, "",
					     "%s only applies to proto %s",
					     ic[k].v6 ? "icmp6-type" : "icmp-type",
					     ic[k].v6 ? "ipv6-icmp" : "icmp");
		}
	}
	if (t->flags_given && (t->r.flags || t->r.flagset) && t->protos.n) {
		size_t i;

		for (i = 0; i < t->protos.n && pr[i].proto != IPPROTO_TCP; i++)
			;
		if (i == t->protos.n)
			conf_fail_at(p, t->flags_line, t->flags_col, "flags",
				     "flags only apply to tcp");
	}
	if (!t->protos.n) {
		if (t->sport.n || t->dport.n) {
			const struct portitem *x = t->sport.n ? sp : dp;

			conf_fail_at(p, x->line, x->col, "port",
				     "port only applies to tcp/udp: add proto tcp or proto udp");
		}
		if (t->icmps.n)
			conf_fail_at(p, ic[0].line, ic[0].col, "",
				     "%s needs proto %s", ic[0].v6 ? "icmp6-type" : "icmp-type",
				     ic[0].v6 ? "ipv6-icmp" : "icmp");
	}
	if (anchor && (n1(&t->ifs) * n1(&t->protos) * n1(&t->icmps) * n1(&t->src) *
			       n1(&t->sport) * n1(&t->dst) * n1(&t->dport) > 1))
		conf_fail_at(p, t->line, t->col, "anchor", "lists in anchor rules are not supported yet");

	for (size_t a = 0; a < n1(&t->ifs); a++)
	for (size_t b = 0; b < n1(&t->protos); b++)
	for (size_t c = 0; c < n1(&t->icmps); c++)
	for (size_t d = 0; d < n1(&t->src); d++)
	for (size_t e = 0; e < n1(&t->sport); e++)
	for (size_t f = 0; f < n1(&t->dst); f++)
	for (size_t g = 0; g < n1(&t->dport); g++) {
		struct pfbpf_rule r = t->r;
		int af = r.af;

		if (t->ifs.n) {
			memcpy(r.ifname, ifs[a].name, sizeof(r.ifname));
			r.ifnot = (__u8)ifs[a].not;
		}
		if (t->protos.n)
			r.proto = (__u8)pr[b].proto;
		if (t->src.n)
			r.src = sh[d].a;
		if (t->dst.n)
			r.dst = dh[f].a;
		if (t->sport.n)
			r.sport = sp[e].p;
		if (t->dport.n)
			r.dport = dp[g].p;
		if (t->icmps.n) {
			r.icmp_type = (__u8)(ic[c].type + 1);
			r.icmp_code = ic[c].code >= 0 ? (__u8)(ic[c].code + 1) : 0;
		}
		/* pfctl: a combination whose families disagree is dropped */
		if (r.src.type == PFBPF_ADDR_MASK) {
			if (af && af != r.src.af)
				continue;
			af = r.src.af;
		}
		if (r.dst.type == PFBPF_ADDR_MASK) {
			if (af && af != r.dst.af)
				continue;
			af = r.dst.af;
		}
		r.af = (__u8)af;
		if ((r.proto == IPPROTO_ICMP && af == PF_INET6) ||
		    (r.proto == IPPROTO_ICMPV6 && af == PF_INET)) {
			const struct protoitem *x = &pr[b];

			conf_fail_at(p, x->line, x->col, "",
				     "proto %s doesn't match address family %s",
				     r.proto == IPPROTO_ICMP ? "icmp" : "ipv6-icmp",
				     af == PF_INET ? "inet" : "inet6");
		}
		/* the type numbers differ between ICMP and ICMPv6 */
		if (t->icmps.n && !af)
			conf_fail_at(p, ic[c].line, ic[c].col, "",
				     "%s needs an address family: add %s",
				     ic[c].v6 ? "icmp6-type" : "icmp-type",
				     ic[c].v6 ? "inet6" : "inet");
		/* pf: flags only mean something to TCP; other protocols of a
		 * list drop them */
		if (r.proto && r.proto != IPPROTO_TCP)
			r.flags = r.flagset = 0;
		if (!anchor)
			conf_nat_finish(p, t, &r);

		if (anchor) {
			anchor->filter = r;
			made++;
			continue;
		}
		if (r.action == PF_PASS && !t->keep_given)
			r.keep_state = PF_STATE_NORMAL;
		/* pf: stateful TCP rules only create states on a SYN */
		if (r.action == PF_PASS && r.keep_state && !t->flags_given &&
		    (!r.proto || r.proto == IPPROTO_TCP)) {
			r.flags = 0x02;      /* S */
			r.flagset = 0x12;    /* SA */
		}
		if ((r.max_states || t->timeout_given) && !r.keep_state)
			conf_fail_at(p, t->line, t->col, "", "state options need keep state");
		if (r.action == PF_DROP && r.rule_flag == PFRULE_RETURNICMP &&
		    r.return_icmp_type == CONF_ICMP6_UNREACH && af == PF_INET)
			conf_fail_at(p, t->line, t->col, "return-icmp6",
				     "return-icmp6 cannot be used with inet");
		{
			char key[PFBPF_ANCHOR_MAXPATH + 8];

			r.nr = next_nr(p, conf_nat_counter(r.action, p->anchor, key, sizeof(key)));
		}
		expand_label(p, &r, r.label);
		for (int l = 0; l < PF_RULE_MAX_LABEL_COUNT - 1; l++)
			expand_label(p, &r, r.label_more[l]);
		{
			struct pfbpf_conf *cf = p->c;
			size_t n = cf->nrules, n2 = n, n3 = n;
			struct pfbpf_rule *nr;
			char(*an)[PFBPF_ANCHOR_MAXPATH];
			int *ln;

			nr = grow(p, (void **)&cf->rules, &n, sizeof(*nr));
			an = grow(p, (void **)&cf->rule_anchor, &n2, sizeof(*an));
			ln = grow(p, (void **)&cf->rule_line, &n3, sizeof(*ln));
			*nr = r;
			snprintf(*an, sizeof(*an), "%s", p->anchor);
			*ln = t->line;
			cf->nrules = n;
		}
		made++;
	}
	if (!made)
		conf_fail_at(p, t->line, t->col, "", "rule expands to no valid combination");
	return made;
}

static void parse_rule(struct parser *p)
{
	struct tok act;
	struct rule_tmpl *rt = &p->t;

	tmpl_reset(rt);
	conf_next(p, &act);
	rt->line = act.line;
	rt->col = act.col;
	if (is_kw(&act, "pass")) {
		rt->r.action = PF_PASS;
	} else {
		rt->r.action = PF_DROP;
		rt->r.rule_flag = p->block_flag;
		if (accept_kw(p, "drop")) {
			rt->r.rule_flag = PFRULE_DROP;
		} else if (accept_kw(p, "return")) {
			rt->r.rule_flag = PFRULE_RETURN;
		} else if (peek_kw(p, "return-rst")) {
			struct tok rr;

			conf_next(p, &rr);
			rt->ret_line = rr.line;
			rt->ret_col = rr.col;
			rt->r.rule_flag = PFRULE_RETURNRST;
			if (conf_peek(p, 0)->type == T_LPAREN)
				conf_fail(p, conf_peek(p, 0), "return-rst options are not supported yet");
		} else if (accept_kw(p, "return-icmp")) {
			parse_return_icmp(p, rt, 0);
		} else if (accept_kw(p, "return-icmp6")) {
			parse_return_icmp(p, rt, 1);
		}
	}
	parse_rule_body(p, rt, 0);
	if (conf_peek(p, 0)->type == T_LBRACE)
		syntax_error(p, conf_peek(p, 0));
	expect_end(p);
	if (rt->r.rule_flag == PFRULE_RETURNRST) {
		const struct protoitem *pr = rt->protos.v;

		if (!rt->protos.n)
			conf_fail_at(p, rt->ret_line, rt->ret_col, "return-rst",
				     "return-rst can only be applied to TCP rules: add proto tcp");
		for (size_t i = 0; i < rt->protos.n; i++)
			if (pr[i].proto != IPPROTO_TCP)
				conf_fail_at(p, pr[i].line, pr[i].col, "",
					     "return-rst can only be applied to TCP rules");
	}
	if (rt->r.action == PF_DROP && rt->r.keep_state)
		conf_fail_at(p, rt->keep_line, rt->keep_col, "keep",
			     "keep state on block rules doesn't make sense");
	conf_synproxy_check(p, rt);
	if (rt->tm_given)
		rt->timeout_given = 1;
	/* pfctl (parse.y): a `max N` rule that names neither adaptive bound
	 * scales from 60% to 120% of N by its own state count. */
	if (rt->r.max_states &&
	    !(rt->tm_given & (1u << PFTM_ADAPTIVE_START | 1u << PFTM_ADAPTIVE_END))) {
		rt->r.timeout[PFTM_ADAPTIVE_START] = pf_adaptive_start_for(rt->r.max_states);
		rt->r.timeout[PFTM_ADAPTIVE_END] = pf_adaptive_end_for(rt->r.max_states);
	}
	expand_rule(p, NULL);
	tmpl_reset(rt);
}

/* ---------------------------------------------------------------------- */
/* What the translation and interface address files use                    */
/* ---------------------------------------------------------------------- */

void *conf_vec_push(struct parser *p, struct vec *v, size_t elsz)
{
	return vec_push(p, v, elsz);
}

void *conf_grow(struct parser *p, void **arr, size_t *n, size_t elsz)
{
	return grow(p, arr, n, elsz);
}

void conf_add_decl(struct parser *p, __u32 kind, __u32 idx, __u32 value)
{
	add_decl(p, kind, idx, value);
}

int conf_is_kw(const struct tok *t, const char *kw)
{
	return is_kw(t, kw);
}

int conf_accept_kw(struct parser *p, const char *kw)
{
	return accept_kw(p, kw);
}

int conf_at_end(struct parser *p)
{
	return at_end(p);
}

void conf_expect_end(struct parser *p)
{
	expect_end(p);
}

void conf_expect_word(struct parser *p, struct tok *out)
{
	expect_word(p, out);
}

void conf_syntax_error(struct parser *p, const struct tok *t)
{
	rule_syntax_error(p, t);
}

int conf_parse_number(const char *s, unsigned long long max, unsigned long long *out, int hex)
{
	return parse_number(s, max, out, hex);
}

__u16 conf_port_value(struct parser *p, const struct tok *t, const char *s)
{
	return port_value(p, t, s);
}

/* A host or a `{ }` list of them (a pool). */
void conf_parse_hosts(struct parser *p, struct vec *hosts, int allow_empty)
{
	parse_list_opt(p, host_item, hosts, allow_empty);
}

void conf_parse_rule_body(struct parser *p, struct rule_tmpl *rt, int anchor)
{
	parse_rule_body(p, rt, anchor);
}

size_t conf_expand_rule(struct parser *p)
{
	return expand_rule(p, NULL);
}

void conf_tmpl_reset(struct rule_tmpl *t)
{
	tmpl_reset(t);
}

__u32 conf_next_nr(struct parser *p, const char *path)
{
	return next_nr(p, path);
}

/* ---------------------------------------------------------------------- */
/* Tables                                                                  */
/* ---------------------------------------------------------------------- */

static struct pfbpf_conf_table *table_find(struct pfbpf_conf *c, const char *name,
					   const char *anchor)
{
	for (size_t i = 0; i < c->ntables; i++)
		if (!strcmp(c->tables[i].name, name) && !strcmp(c->tables[i].anchor, anchor))
			return &c->tables[i];
	return NULL;
}

static void table_add_addr(struct parser *p, struct pfbpf_conf_table *tb,
			   const struct pfbpf_addr_spec *a)
{
	struct pfbpf_table_addr *ta = grow(p, (void **)&tb->addrs, &tb->naddrs, sizeof(*ta));

	ta->addr = a->addr;
	ta->af = a->af;
	ta->prefixlen = a->prefixlen;
	ta->neg = a->neg;
}

static void table_item(struct parser *p, void *ctx)
{
	struct pfbpf_conf_table *tb = &p->c->tables[*(size_t *)ctx];
	struct pfbpf_addr_spec a = { 0 };
	struct tok *t = conf_peek(p, 0);

	if (t->type == T_LT)
		conf_fail(p, t, "a table cannot contain a table");
	if (accept_tok(p, T_BANG))
		a.neg = 1;
	parse_address(p, &a, 1);
	table_add_addr(p, tb, &a);
}

/* A table file: addresses separated by blanks or newlines, `#` comments. */
static void table_load_file(struct parser *p, size_t ti, const struct tok *ft)
{
	char path[4096];
	FILE *f;
	char line[1024];
	int lineno = 0;
	size_t read_bytes = 0;

	if (p->opts.no_files)
		conf_fail(p, ft, "table files are disabled here");
	if (ft->s[0] != '/' && p->opts.table_dir)
		snprintf(path, sizeof(path), "%s/%s", p->opts.table_dir, ft->s);
	else
		snprintf(path, sizeof(path), "%s", ft->s);
	f = fopen(path, "r");
	if (!f)
		conf_fail(p, ft, "cannot read table file \"%s\": %s", ft->s, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *w;

		lineno++;
		/* a device or a runaway file must not hang the parser: a NUL
		 * (fgets read more than strlen sees) means a binary file */
		w = line + strlen(line);
		if (w == line || (w[-1] != '\n' && w - line < (long)sizeof(line) - 1 && !feof(f))) {
			fclose(f);
			conf_fail(p, ft, "table file \"%s\" is binary (contains NUL bytes)", ft->s);
		}
		read_bytes += (size_t)(w - line);
		if (read_bytes > CONF_FILE_MAX) {
			fclose(f);
			conf_fail(p, ft, "table file \"%s\" is too large (over %d MiB)", ft->s,
				  CONF_FILE_MAX >> 20);
		}
		if ((w = strchr(s, '#')))
			*w = '\0';
		while ((w = strtok(s, " \t\r\n,"))) {
			struct pfbpf_addr_spec a = { 0 };
			char *slash;
			int bits;

			s = NULL;
			if (*w == '!') {
				a.neg = 1;
				w++;
			}
			slash = strchr(w, '/');
			if (slash)
				*slash = '\0';
			if (addr_from_str(w, &a.af, &a.addr)) {
				char tok[64];

				snprintf(tok, sizeof(tok), "%s", w);
				fclose(f);
				if (p->err) {
					memset(p->err, 0, sizeof(*p->err));
					snprintf(p->err->file, sizeof(p->err->file), "%.255s", path);
					p->err->line = lineno;
					snprintf(p->err->token, sizeof(p->err->token), "%s", tok);
					snprintf(p->err->msg, sizeof(p->err->msg),
						 "bad address '%s' in table file", tok);
				}
				p->rc = -EINVAL;
				longjmp(p->jb, 1);
			}
			bits = a.af == PF_INET ? 32 : 128;
			a.prefixlen = (__u8)bits;
			if (slash) {
				unsigned long long v;

				if (parse_number(slash + 1, 255, &v, 0) || v > (unsigned)bits) {
					fclose(f);
					if (p->err) {
						memset(p->err, 0, sizeof(*p->err));
						snprintf(p->err->file, sizeof(p->err->file), "%.255s",
							 path);
						p->err->line = lineno;
						snprintf(p->err->msg, sizeof(p->err->msg),
							 "bad prefix length '/%.20s' in table file",
							 slash + 1);
					}
					p->rc = -EINVAL;
					longjmp(p->jb, 1);
				}
				a.prefixlen = (__u8)v;
				mask_host_bits(&a.addr, a.af, a.prefixlen);
			}
			/* a failed grow unwinds: close first */
			{
				struct pfbpf_conf_table *tb = &p->c->tables[ti];
				struct pfbpf_table_addr *na;

				if (room_for((void **)&tb->addrs, tb->naddrs, sizeof(*na))) {
					fclose(f);
					conf_nomem(p);
				}
				na = tb->addrs;
				memset(&na[tb->naddrs], 0, sizeof(*na));
				na[tb->naddrs].addr = a.addr;
				na[tb->naddrs].af = a.af;
				na[tb->naddrs].prefixlen = a.prefixlen;
				na[tb->naddrs].neg = a.neg;
				tb->naddrs++;
			}
		}
	}
	fclose(f);
}

static void parse_table(struct parser *p)
{
	struct tok kw, name;
	struct pfbpf_conf_table *tb, *old;
	size_t ti;

	conf_next(p, &kw);
	expect(p, T_LT, NULL);
	expect_word(p, &name);
	if (strlen(name.s) >= PF_TABLE_NAME_SIZE)
		conf_fail(p, &name, "table name '%s' is too long (at most %d characters)", name.s,
			  PF_TABLE_NAME_SIZE - 1);
	expect(p, T_GT, NULL);
	old = table_find(p->c, name.s, p->anchor);
	if (old)
		conf_fail(p, &name, "table <%s> is already defined (line %d)", name.s, old->line);
	tb = grow(p, (void **)&p->c->tables, &p->c->ntables, sizeof(*tb));
	ti = p->c->ntables - 1;
	snprintf(tb->name, sizeof(tb->name), "%s", name.s);
	snprintf(tb->anchor, sizeof(tb->anchor), "%s", p->anchor);
	tb->line = kw.line;
	while (!at_end(p)) {
		struct tok t;
		struct pfbpf_table_src *s;

		if (conf_peek(p, 0)->type == T_LBRACE) {
			size_t first = p->c->tables[ti].naddrs;

			/* `{ }`: an empty table, legal in pf */
			parse_list_opt(p, table_item, &ti, 1);
			tb = &p->c->tables[ti];
			s = grow(p, (void **)&tb->srcs, &tb->nsrcs, sizeof(*s));
			s->first = first;
			s->count = tb->naddrs - first;
			continue;
		}
		expect_word(p, &t);
		tb = &p->c->tables[ti];
		if (is_kw(&t, "persist")) {
			tb->flags |= PFBPF_TFLAG_PERSIST;
		} else if (is_kw(&t, "const")) {
			tb->flags |= PFBPF_TFLAG_CONST;
		} else if (is_kw(&t, "counters")) {
			tb->flags |= PFBPF_TFLAG_COUNTERS;
		} else if (is_kw(&t, "file")) {
			struct tok f;
			size_t first = tb->naddrs;

			expect_word(p, &f);
			s = grow(p, (void **)&tb->srcs, &tb->nsrcs, sizeof(*s));
			s->file = xstrdup(p, f.s);
			table_load_file(p, ti, &f);
			tb = &p->c->tables[ti];
			s = &tb->srcs[tb->nsrcs - 1];
			s->first = first;
			s->count = tb->naddrs - first;
		} else {
			syntax_error(p, &t);
		}
	}
	expect_end(p);
	add_decl(p, PFBPF_DECL_TABLE, (__u32)ti, 0);
}

/* ---------------------------------------------------------------------- */
/* Anchors and statements                                                  */
/* ---------------------------------------------------------------------- */

static void parse_statement(struct parser *p);

static int anchor_name_ok(const char *s)
{
	if (!*s || *s == '/' || s[strlen(s) - 1] == '/' || strstr(s, "//"))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-./*", *s))
			return 0;
	return 1;
}

static void parse_anchor(struct parser *p)
{
	struct tok kw, name = { 0 };
	struct pfbpf_conf_anchor *an;
	size_t ai;
	char saved[PFBPF_ANCHOR_MAXPATH];
	static const char *const body_kws[] = { "in", "out", "log", "quick", "on", "inet",
						"inet6", "proto", "all", "from", "to" };
	int named = 0;

	conf_next(p, &kw);
	if (conf_peek(p, 0)->type == T_WORD) {
		struct tok *t = conf_peek(p, 0);

		named = t->quoted;
		for (size_t i = 0; !named && i < ARRAY_SIZE(body_kws); i++)
			if (!strcmp(t->s, body_kws[i]))
				goto unnamed;
		named = 1;
	}
unnamed:
	if (named) {
		conf_next(p, &name);
		if (strlen(name.s) >= PFBPF_ANCHOR_MAXPATH / 2)
			conf_fail(p, &name, "anchor name is too long");
		if (!anchor_name_ok(name.s) || name.s[0] == '_')
			conf_fail(p, &name, "invalid anchor name \"%s\"", name.s);
		if (strlen(p->anchor) + 1 + strlen(name.s) >= PFBPF_ANCHOR_MAXPATH / 2)
			conf_fail(p, &name, "anchor path is too long");
	}
	tmpl_reset(&p->t);
	p->t.line = kw.line;
	p->t.col = kw.col;
	parse_rule_body(p, &p->t, 1);

	an = grow(p, (void **)&p->c->anchors, &p->c->nanchors, sizeof(*an));
	ai = p->c->nanchors - 1;
	an->line = kw.line;
	snprintf(an->parent, sizeof(an->parent), "%s", p->anchor);
	if (named)
		snprintf(an->name, sizeof(an->name), "%s", name.s);
	else
		/* pf names anonymous anchors _1, _2, ... */
		snprintf(an->name, sizeof(an->name), "_%zu", ai + 1);
	if (p->anchor[0])
		snprintf(an->path, sizeof(an->path), "%.127s/%.127s", p->anchor, an->name);
	else
		snprintf(an->path, sizeof(an->path), "%s", an->name);
	expand_rule(p, &p->c->anchors[ai]);
	an = &p->c->anchors[ai];
	an->filter.action = PF_PASS;
	an->filter.keep_state = PF_STATE_NONE;
	an->nr = next_nr(p, p->anchor);
	tmpl_reset(&p->t);

	if (conf_peek(p, 0)->type != T_LBRACE) {
		if (!named)
			conf_fail(p, conf_peek(p, 0), "an anchor without a name needs a body { }");
		expect_end(p);
		return;
	}
	if (strchr(an->name, '*'))
		conf_fail(p, &name, "a wildcard anchor cannot have a body");
	for (size_t i = 0; i < ai; i++)
		if (p->c->anchors[i].has_body && !strcmp(p->c->anchors[i].path, an->path))
			conf_fail(p, &name, "anchor \"%s\" is already defined (line %d)", an->path,
				  p->c->anchors[i].line);
	an->has_body = 1;
	{
		struct tok open;

		conf_next(p, &open);
		memcpy(saved, p->anchor, sizeof(saved));
		memcpy(p->anchor, p->c->anchors[ai].path, sizeof(p->anchor));
		p->anchor_depth++;
		for (;;) {
			struct tok *t = conf_peek(p, 0);

			if (t->type == T_RBRACE) {
				conf_next(p, NULL);
				break;
			}
			if (t->type == T_EOF)
				conf_fail(p, &open, "missing '}' for the anchor opened here");
			parse_statement(p);
		}
		p->anchor_depth--;
		memcpy(p->anchor, saved, sizeof(p->anchor));
	}
	expect_end(p);
}

static char *read_all(FILE *f, size_t *lenp);

#define INCLUDE_DEPTH_MAX 16

/* include "file": its statements are read in place, as pfctl does; a
 * relative path is taken from the current directory. */
static void parse_include(struct parser *p)
{
	struct tok kw, path;
	FILE *f;
	char *text, **slot, *name;
	size_t len;

	conf_next(p, &kw);
	expect_word(p, &path);
	if (p->opts.no_files)
		conf_fail(p, &kw, "include is disabled here");
	expect_end(p);
	if (p->nla) {
		/* the included text must come next: nothing may be pending */
		if (conf_peek(p, 0)->type != T_EOF)
			conf_fail(p, conf_peek(p, 0), "include must be on a line of its own");
		p->nla = 0; /* the end of this file is seen again after the include */
	}
	if (p->include_depth >= INCLUDE_DEPTH_MAX)
		conf_fail(p, &path, "includes nested too deeply (at most %d)", INCLUDE_DEPTH_MAX);
	f = fopen(path.s, "r");
	if (!f)
		conf_fail(p, &path, "cannot read include file \"%s\": %s", path.s, strerror(errno));
	errno = 0;
	text = read_all(f, &len);
	fclose(f);
	if (!text)
		conf_fail(p, &path, "cannot read include file \"%s\": %s", path.s,
			  strerror(errno ? errno : EIO));
	if (memchr(text, '\0', len)) {
		free(text);
		conf_fail(p, &path, "include file \"%s\" is binary (contains NUL bytes)", path.s);
	}
	name = strdup(path.s);
	if (!name) {
		free(text);
		conf_nomem(p);
	}
	slot = vec_push(p, &p->fnames, sizeof(*slot));
	*slot = name;
	/* the include line was consumed with its newline: the lookahead is
	 * empty, so the next token comes from the included file */
	conf_push_source(p, text, 0, 0, 0, name);
	free(text);
	p->src->include = 1;
	p->include_depth++;
}

static const struct {
	const char *kw;
	const char *msg;
} unsupported_statements[] = {
	{ "nat-anchor", "nat-anchor is not supported yet" },
	{ "rdr-anchor", "rdr-anchor is not supported yet" },
	{ "binat-anchor", "binat-anchor is not supported yet" },
	{ "scrub", "scrub is not supported yet" },
	{ "antispoof", "antispoof is not supported yet" },
	{ "altq", "altq is not supported yet" },
	{ "queue", "queue is not supported yet" },
	{ "load", "load anchor is not supported yet" },
	{ "ether", "ether rules are not supported yet" },
};

static void parse_statement(struct parser *p)
{
	struct tok *t = conf_peek(p, 0);

	p->cur_fname = t->fname;

	if (t->type == T_NL) {
		conf_next(p, NULL);
		return;
	}
	if (t->type != T_WORD || t->quoted)
		syntax_error(p, t);
	if (conf_peek(p, 1)->type == T_EQ) {
		if (p->anchor_depth)
			conf_fail(p, t, "macros cannot be defined inside an anchor");
		parse_macro(p);
		return;
	}
	if (is_kw(t, "pass") || is_kw(t, "block")) {
		parse_rule(p);
	} else if (is_kw(t, "nat") || is_kw(t, "rdr") || is_kw(t, "binat") || is_kw(t, "no")) {
		conf_parse_nat_rule(p);
	} else if (is_kw(t, "match")) {
		conf_parse_match_rule(p);
	} else if (is_kw(t, "set")) {
		parse_set(p);
	} else if (is_kw(t, "table")) {
		parse_table(p);
	} else if (is_kw(t, "anchor")) {
		parse_anchor(p);
	} else if (is_kw(t, "include")) {
		parse_include(p);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(unsupported_statements); i++)
			if (!strcmp(t->s, unsupported_statements[i].kw))
				conf_fail(p, t, "%s", unsupported_statements[i].msg);
		syntax_error(p, t);
	}
}

/* Every <table> a rule names must be defined (or made, with implicit_tables). */
static void check_tablerefs(struct parser *p)
{
	const struct tableref *r = p->trefs.v;

	for (size_t i = 0; i < p->trefs.n; i++) {
		struct pfbpf_conf_table *tb;
		char tok[PF_TABLE_NAME_SIZE + 2];

		if (table_find(p->c, r[i].name, r[i].anchor) || table_find(p->c, r[i].name, ""))
			continue;
		if (!p->opts.implicit_tables) {
			snprintf(tok, sizeof(tok), "<%s>", r[i].name);
			p->cur_fname = r[i].fname;
			conf_fail_at(p, r[i].line, r[i].col, tok, "table <%s> is not defined",
				     r[i].name);
		}
		tb = grow(p, (void **)&p->c->tables, &p->c->ntables, sizeof(*tb));
		snprintf(tb->name, sizeof(tb->name), "%s", r[i].name);
		snprintf(tb->anchor, sizeof(tb->anchor), "%s", r[i].anchor);
		tb->line = r[i].line;
	}
}

/* ---------------------------------------------------------------------- */
/* Entry points                                                            */
/* ---------------------------------------------------------------------- */

void pfbpf_conf_free(struct pfbpf_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ntables; i++) {
		for (size_t k = 0; k < c->tables[i].nsrcs; k++)
			free(c->tables[i].srcs[k].file);
		free(c->tables[i].srcs);
		free(c->tables[i].addrs);
	}
	for (size_t i = 0; i < c->nmacros; i++) {
		free(c->macros[i].name);
		free(c->macros[i].value);
	}
	free(c->tables);
	free(c->rules);
	free(c->pool_addrs);
	free(c->rule_anchor);
	free(c->rule_line);
	free(c->anchors);
	free(c->macros);
	free(c->decls);
	free(c->skip_log);
	free(c->options.skip);
	free(c->options.pfbpf_ifs);
	free(c);
}

static int parse_text(const char *text, const char *name, const struct pfbpf_conf_opts *opts,
		      struct pfbpf_conf **out, struct pfbpf_conf_error *err)
{
	struct parser *p;
	int rc;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->fname = name;
	p->err = err;
	if (opts)
		p->opts = *opts;
	p->c = calloc(1, sizeof(*p->c));
	if (!p->c) {
		free(p);
		return -ENOMEM;
	}
	if (setjmp(p->jb)) {
		rc = p->rc;
		goto out;
	}
	for (size_t i = 0; opts && i < opts->ndefines; i++) {
		const char *d = opts->defines[i];
		const char *eq = strchr(d, '=');
		char nm[128];

		if (!eq || eq == d || (size_t)(eq - d) >= sizeof(nm)) {
			if (err) {
				snprintf(err->file, sizeof(err->file), "-D");
				snprintf(err->msg, sizeof(err->msg),
					 "-D %s: expected name=value", d);
			}
			rc = -EINVAL;
			goto out;
		}
		memcpy(nm, d, (size_t)(eq - d));
		nm[eq - d] = '\0';
		macro_set(p, nm, eq + 1, 1);
	}
	conf_push_source(p, text, 0, 0, 0, name);
	while (conf_peek(p, 0)->type != T_EOF) {
		if (conf_peek(p, 0)->type == T_RBRACE)
			conf_fail(p, conf_peek(p, 0), "'}' without an anchor to close");
		parse_statement(p);
	}
	check_tablerefs(p);
	rc = 0;
out:
	while (p->src)
		conf_pop_source(p);
	{
		struct macro *m = p->macros.v;

		for (size_t i = 0; i < p->macros.n; i++) {
			free(m[i].name);
			free(m[i].value);
		}
	}
	vec_free(&p->macros);
	{
		char **fn = p->fnames.v;

		for (size_t i = 0; i < p->fnames.n; i++)
			free(fn[i]);
		vec_free(&p->fnames);
	}
	vec_free(&p->counts);
	vec_free(&p->trefs);
	tmpl_reset(&p->t);
	free(p->pending);
	if (rc)
		pfbpf_conf_free(p->c);
	else
		*out = p->c;
	free(p);
	return rc;
}

int pfbpf_conf_parse_string(const char *text, const char *name,
			    const struct pfbpf_conf_opts *opts, struct pfbpf_conf **out,
			    struct pfbpf_conf_error *err)
{
	return parse_text(text, name ? name : "(string)", opts, out, err);
}

/* The whole of f, NUL-terminated (len excludes the NUL); NULL on error
 * (errno EFBIG past CONF_FILE_MAX: `include "/dev/zero"` must not hang). */
static char *read_all(FILE *f, size_t *lenp)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len - 1, f);

		len += n;
		if (!n)
			break;
		if (len > CONF_FILE_MAX) {
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

int pfbpf_conf_parse_file(const char *path, const struct pfbpf_conf_opts *opts,
			  struct pfbpf_conf **out, struct pfbpf_conf_error *err)
{
	FILE *f;
	char *buf;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		rc = -errno;
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", path);
			snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(-rc));
		}
		return rc;
	}
	errno = 0;
	buf = read_all(f, &len);
	rc = errno ? -errno : -EIO;
	if (f != stdin)
		fclose(f);
	if (!buf) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", path);
			snprintf(err->msg, sizeof(err->msg), "cannot read: %s", strerror(-rc));
		}
		return rc;
	}
	if (memchr(buf, '\0', len)) {
		if (err) {
			snprintf(err->file, sizeof(err->file), "%s", path);
			snprintf(err->msg, sizeof(err->msg), "binary file (contains NUL bytes)");
		}
		free(buf);
		return -EINVAL;
	}
	rc = parse_text(buf, path, opts, out, err);
	free(buf);
	return rc;
}

const char *pfbpf_conf_strerror(const struct pfbpf_conf_error *e, char *buf, size_t len)
{
	if (e->line > 0 && e->column > 0)
		snprintf(buf, len, "%s:%d:%d: %s", e->file, e->line, e->column, e->msg);
	else if (e->line > 0)
		snprintf(buf, len, "%s:%d: %s", e->file, e->line, e->msg);
	else if (e->file[0])
		snprintf(buf, len, "%s: %s", e->file, e->msg);
	else
		snprintf(buf, len, "%s", e->msg);
	return buf;
}

int pfbpf_conf_fuzz_one(const char *data, size_t len)
{
	char *s = malloc(len + 1);
	struct pfbpf_conf *c = NULL;
	struct pfbpf_conf_error e;
	int rc;

	if (!s)
		return -ENOMEM;
	if (memchr(data, '\0', len)) {
		/* as parse_file: a NUL byte makes a binary file */
		free(s);
		return -EINVAL;
	}
	memcpy(s, data, len);
	s[len] = '\0';
	{
		struct pfbpf_conf_opts o = { .no_files = 1, .implicit_tables = len & 1 };

		rc = pfbpf_conf_parse_string(s, "fuzz", &o, &c, &e);
	}
	if (!rc) {
		FILE *f = fopen("/dev/null", "w");

		if (f) {
			pfbpf_conf_print(f, c, 2);
			fclose(f);
		}
	}
	pfbpf_conf_free(c);
	free(s);
	return rc;
}
