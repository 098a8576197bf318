// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_lex.c - pf.conf tokens.
 *
 * As pf's lexer: a word is any run of letters, digits and punctuation other
 * than ( ) { } < > ! = / # , and quotes, so "2001:db8::1", "1000:2000" and
 * "tcp.established" are single words while "192.0.2.0/24" is three tokens.
 * `$name` is replaced by the macro's value, which is lexed again; tokens
 * coming from a macro carry the place of the `$`, which is what a user
 * needs to find the line at fault.  Newlines end statements; `\` at the end
 * of a line joins it to the next.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "conf_parse.h"

#define MACRO_DEPTH_MAX 16

void conf_push_source(struct parser *p, const char *text, int fixed, int line, int col,
		      const char *fname)
{
	struct src *s = calloc(1, sizeof(*s));

	if (!s)
		conf_nomem(p);
	s->buf = strdup(text);
	if (!s->buf) {
		free(s);
		conf_nomem(p);
	}
	s->len = strlen(s->buf);
	s->line = 1;
	s->col = 1;
	s->fixed = fixed;
	s->fline = line;
	s->fcol = col;
	s->fname = fname;
	s->depth = p->src ? p->src->depth + (fixed ? 1 : 0) : 0;
	s->prev = p->src;
	p->src = s;
	if (s->depth > MACRO_DEPTH_MAX) {
		p->cur_fname = fname;
		conf_fail_at(p, line, col, "", "macros nested too deeply");
	}
}

void conf_pop_source(struct parser *p)
{
	struct src *s = p->src;

	p->src = s->prev;
	free(s->buf);
	free(s);
}

static int src_peekc(struct src *s, size_t off)
{
	return s->pos + off < s->len ? (unsigned char)s->buf[s->pos + off] : -1;
}

static int src_getc(struct src *s)
{
	int c = src_peekc(s, 0);

	if (c < 0)
		return c;
	s->pos++;
	if (c == '\n') {
		s->line++;
		s->col = 1;
	} else {
		s->col++;
	}
	return c;
}

static int in_word(int c)
{
	if (c < 0 || c > 126)
		return 0;
	if (isalnum(c))
		return 1;
	return ispunct(c) && !strchr("(){}<>!=/#,\"'\\$", c);
}

static void tok_loc(struct src *s, struct tok *t)
{
	t->fname = s->fname;
	if (s->fixed) {
		t->line = s->fline;
		t->col = s->fcol;
	} else {
		t->line = s->line;
		t->col = s->col;
	}
}

static void tok_put(struct parser *p, struct tok *t, size_t *n, int c)
{
	if (*n + 1 >= sizeof(t->s)) {
		p->cur_fname = t->fname;
		conf_fail_at(p, t->line, t->col, "", "string too long (at most %zu characters)",
			     sizeof(t->s) - 1);
	}
	t->s[(*n)++] = (char)c;
	t->s[*n] = '\0';
}

/* Errors found while reading a token belong to the file being read. */
#define lex_fail(p, s, ...)                          \
	do {                                         \
		(p)->cur_fname = (s)->fname;         \
		conf_fail_at((p), __VA_ARGS__);      \
	} while (0)

static void lex_one(struct parser *p, struct tok *t)
{
	struct src *s;
	size_t n = 0;
	int c;

	memset(t, 0, sizeof(*t));
again:
	s = p->src;
	c = src_peekc(s, 0);
	if (c < 0) {
		if (s->prev && s->fixed) {
			conf_pop_source(p);
			goto again;
		}
		if (s->prev && s->include) {
			/* the end of an included file ends its last statement */
			tok_loc(s, t);
			t->fname = s->fname;
			t->type = T_NL;
			strcpy(t->s, "end of file");
			conf_pop_source(p);
			p->include_depth--;
			return;
		}
		t->type = T_EOF;
		tok_loc(s, t);
		strcpy(t->s, "end of file");
		return;
	}
	if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
		src_getc(s);
		goto again;
	}
	if (c == '\\' && (src_peekc(s, 1) == '\n' ||
			  (src_peekc(s, 1) == '\r' && src_peekc(s, 2) == '\n'))) {
		src_getc(s);
		if (src_peekc(s, 0) == '\r')
			src_getc(s);
		src_getc(s);
		goto again;
	}
	if (c == '#') {
		while ((c = src_peekc(s, 0)) >= 0 && c != '\n')
			src_getc(s);
		goto again;
	}
	tok_loc(s, t);
	if (c == '\n') {
		src_getc(s);
		t->type = T_NL;
		strcpy(t->s, "end of line");
		return;
	}
	if (c == '$') {
		char name[128];
		size_t k = 0;
		const char *val;
		int line = t->line, col = t->col;

		src_getc(s);
		while ((c = src_peekc(s, 0)) >= 0 && (isalnum(c) || c == '_')) {
			if (k + 1 >= sizeof(name))
				lex_fail(p, s, line, col, "$", "macro name too long");
			name[k++] = (char)src_getc(s);
		}
		name[k] = '\0';
		if (!k)
			lex_fail(p, s, line, col, "$", "syntax error near '$'");
		val = conf_macro_get(p, name);
		if (!val)
			lex_fail(p, s, line, col, name, "macro '%s' not defined", name);
		conf_push_source(p, val, 1, line, col, s->fname);
		goto again;
	}
	if (c == '"' || c == '\'') {
		int q = src_getc(s);

		t->type = T_WORD;
		t->quoted = 1;
		for (;;) {
			c = src_getc(s);
			/* pf lets a quoted string run over several lines */
			if (c < 0)
				lex_fail(p, s, t->line, t->col, "", "unterminated quoted string");
			if (c == '\\' && (src_peekc(s, 0) == q || src_peekc(s, 0) == '\\'))
				c = src_getc(s);
			else if (c == q)
				break;
			tok_put(p, t, &n, c);
		}
		return;
	}
	if (in_word(c)) {
		t->type = T_WORD;
		while (in_word(src_peekc(s, 0)))
			tok_put(p, t, &n, src_getc(s));
		return;
	}
	src_getc(s);
	t->s[0] = (char)c;
	switch (c) {
	case '{': t->type = T_LBRACE; return;
	case '}': t->type = T_RBRACE; return;
	case '(': t->type = T_LPAREN; return;
	case ')': t->type = T_RPAREN; return;
	case ',': t->type = T_COMMA; return;
	case '/': t->type = T_SLASH; return;
	case '=': t->type = T_EQ; return;
	case '!':
		if (src_peekc(s, 0) == '=') {
			src_getc(s);
			t->type = T_NE;
			strcpy(t->s, "!=");
		} else {
			t->type = T_BANG;
		}
		return;
	case '<':
		if (src_peekc(s, 0) == '=') {
			src_getc(s);
			t->type = T_LE;
			strcpy(t->s, "<=");
		} else if (src_peekc(s, 0) == '>') {
			src_getc(s);
			t->type = T_XRG;
			strcpy(t->s, "<>");
		} else {
			t->type = T_LT;
		}
		return;
	case '>':
		if (src_peekc(s, 0) == '=') {
			src_getc(s);
			t->type = T_GE;
			strcpy(t->s, ">=");
		} else if (src_peekc(s, 0) == '<') {
			src_getc(s);
			t->type = T_IRG;
			strcpy(t->s, "><");
		} else {
			t->type = T_GT;
		}
		return;
	}
	if (isprint(c))
		lex_fail(p, s, t->line, t->col, t->s, "unexpected character '%c'", c);
	lex_fail(p, s, t->line, t->col, "", "unexpected character 0x%02x", c);
}

struct tok *conf_peek(struct parser *p, int n)
{
	while (p->nla <= n)
		lex_one(p, &p->la[p->nla++]);
	return &p->la[n];
}

void conf_next(struct parser *p, struct tok *out)
{
	conf_peek(p, 0);
	if (out)
		*out = p->la[0];
	memmove(&p->la[0], &p->la[1], (size_t)(p->nla - 1) * sizeof(p->la[0]));
	p->nla--;
}
