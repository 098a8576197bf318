// SPDX-License-Identifier: BSD-2-Clause
/*
 * dt_lex.c - tokens of D clause bodies and predicates.  Probe descriptions
 * and pragmas are read by the parser directly: their characters (`-`, `*`,
 * `:`) mean something else there.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "dt/dt_impl.h"

void dt_lex_fail(struct lexer *lx, int line, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	n = snprintf(lx->err, lx->errlen, "pftrace: failed to compile script %s: line %d: ",
		     lx->file, line);
	if (n < lx->errlen) {
		va_start(ap, fmt);
		vsnprintf(lx->err + n, lx->errlen - n, fmt, ap);
		va_end(ap);
	}
	longjmp(*lx->jb, 1);
}

/* The token as written, for error messages ("syntax error near `xyz`"). */
const char *dt_tok_text(struct lexer *lx, char *buf, size_t len)
{
	size_t n;

	if (lx->t == T_EOF)
		return "end of input";
	n = lx->tlen < len - 1 ? lx->tlen : len - 1;
	memcpy(buf, lx->tstart, n);
	buf[n] = '\0';
	return buf;
}

/* Whitespace and comments; false at end of input. */
void dt_skip_space(struct lexer *lx)
{
	for (;;) {
		const char *p = lx->p;

		if (*p == '\n') {
			lx->line++;
			lx->p++;
		} else if (isspace((unsigned char)*p)) {
			lx->p++;
		} else if (p[0] == '/' && p[1] == '*') {
			int start = lx->line;

			p += 2;
			while (*p && !(p[0] == '*' && p[1] == '/')) {
				if (*p == '\n')
					lx->line++;
				p++;
			}
			if (!*p)
				dt_lex_fail(lx, start, "comment is not terminated");
			lx->p = p + 2;
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				p++;
			lx->p = p;
		} else {
			return;
		}
	}
}

static int esc_char(struct lexer *lx, const char **pp)
{
	const char *p = *pp;
	int c = *p++;
	int v, n;

	switch (c) {
	case 'n': c = '\n'; break;
	case 't': c = '\t'; break;
	case 'r': c = '\r'; break;
	case 'a': c = '\a'; break;
	case 'b': c = '\b'; break;
	case 'f': c = '\f'; break;
	case 'v': c = '\v'; break;
	case '\\': case '\'': case '"': case '?': break;
	case 'x':
		for (v = 0, n = 0; n < 2 && isxdigit((unsigned char)*p); n++, p++)
			v = v * 16 + (isdigit((unsigned char)*p) ? *p - '0' :
				      tolower((unsigned char)*p) - 'a' + 10);
		if (!n)
			dt_lex_fail(lx, lx->line, "invalid escape sequence \\x");
		c = v;
		break;
	case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		for (v = c - '0', n = 1; n < 3 && *p >= '0' && *p <= '7'; n++, p++)
			v = v * 8 + (*p - '0');
		c = v & 0xff;
		break;
	default:
		dt_lex_fail(lx, lx->line, "invalid escape sequence \\%c", c ? c : '0');
	}
	*pp = p;
	return c;
}

struct optab { const char *s; enum tok t; };
static const struct optab ops[] = {
	{ "<<=", T_SHLEQ }, { ">>=", T_SHREQ }, { "->", T_ARROW }, { "++", T_INC },
	{ "--", T_DEC }, { "==", T_EQ }, { "!=", T_NE }, { "<=", T_LE }, { ">=", T_GE },
	{ "&&", T_LAND }, { "||", T_LOR }, { "^^", T_LXOR }, { "<<", T_SHL },
	{ ">>", T_SHR }, { "+=", T_ADDEQ }, { "-=", T_SUBEQ }, { "*=", T_MULEQ },
	{ "/=", T_DIVEQ }, { "%=", T_MODEQ }, { "&=", T_ANDEQ }, { "|=", T_OREQ },
	{ "^=", T_XOREQ }, { "(", T_LP }, { ")", T_RP }, { "[", T_LB }, { "]", T_RB },
	{ "{", T_LC }, { "}", T_RC }, { ";", T_SEMI }, { ",", T_COMMA }, { ".", T_DOT },
	{ "?", T_QUEST }, { ":", T_COLON }, { "@", T_AT }, { "+", T_PLUS },
	{ "-", T_MINUS }, { "*", T_STAR }, { "/", T_SLASH }, { "%", T_PCT },
	{ "<", T_LT }, { ">", T_GT }, { "!", T_NOT }, { "~", T_TILDE }, { "&", T_AMP },
	{ "|", T_OR }, { "^", T_XOR }, { "=", T_ASSIGN }, { NULL, T_EOF },
};

void dt_next(struct lexer *lx)
{
	const char *p;
	const struct optab *o;

	free(lx->sval);
	lx->sval = NULL;
	dt_skip_space(lx);
	p = lx->p;
	lx->tstart = p;
	lx->tline = lx->line;
	if (!*p) {
		lx->t = T_EOF;
		lx->tlen = 0;
		return;
	}
	if (isalpha((unsigned char)*p) || *p == '_' || *p == '`') {
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '`')
			p++;
		lx->t = T_IDENT;
		lx->sval = strndup(lx->tstart, p - lx->tstart);
	} else if (isdigit((unsigned char)*p)) {
		uint64_t v = 0;
		int base = 10, overflow = 0, digits = 0;

		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			base = 16;
			p += 2;
		} else if (p[0] == '0') {
			base = 8;
		}
		for (;; p++, digits++) {
			int d;

			if (isdigit((unsigned char)*p))
				d = *p - '0';
			else if (base == 16 && isxdigit((unsigned char)*p))
				d = tolower((unsigned char)*p) - 'a' + 10;
			else
				break;
			if (d >= base)
				dt_lex_fail(lx, lx->line, "invalid digit in integer constant `%.*s`",
					    (int)(p - lx->tstart + 1), lx->tstart);
			if (v > (UINT64_MAX - d) / base)
				overflow = 1;
			v = v * base + d;
		}
		if (base == 16 && !digits)
			dt_lex_fail(lx, lx->line, "invalid integer constant `%.*s`",
				    (int)(p - lx->tstart), lx->tstart);
		lx->iunsigned = v > INT64_MAX;
		while (*p == 'u' || *p == 'U' || *p == 'l' || *p == 'L') {
			if (*p == 'u' || *p == 'U')
				lx->iunsigned = 1;
			p++;
		}
		if (overflow)
			dt_lex_fail(lx, lx->line, "integer constant `%.*s` is too large",
				    (int)(p - lx->tstart), lx->tstart);
		if (isalnum((unsigned char)*p) || *p == '_')
			dt_lex_fail(lx, lx->line, "invalid integer constant `%.*s`",
				    (int)(p - lx->tstart + 1), lx->tstart);
		lx->t = T_INT;
		lx->ival = (int64_t)v;
	} else if (*p == '"') {
		size_t cap = 16, n = 0;
		char *s = malloc(cap);

		lx->sval = s;

		p++;
		while (*p != '"') {
			int c;

			/* lx->sval owns s so that a failure frees it */
			lx->sval = s;
			if (!*p || *p == '\n')
				dt_lex_fail(lx, lx->line, "string literal is not terminated");
			if (*p == '\\') {
				p++;
				lx->p = p;
				c = esc_char(lx, &p);
			} else {
				c = *p++;
			}
			if (n + 2 > cap)
				lx->sval = s = realloc(s, cap *= 2);
			s[n++] = (char)c;
		}
		p++;
		s[n] = '\0';
		lx->t = T_STR;
		lx->sval = s;
	} else if (*p == '\'') {
		int c;

		p++;
		if (*p == '\\') {
			p++;
			c = esc_char(lx, &p);
		} else if (*p && *p != '\'' && *p != '\n') {
			c = (unsigned char)*p++;
		} else {
			dt_lex_fail(lx, lx->line, "empty character constant");
		}
		if (*p != '\'')
			dt_lex_fail(lx, lx->line, "character constant is not terminated");
		p++;
		lx->t = T_INT;
		lx->ival = (signed char)c;
		lx->iunsigned = 0;
	} else {
		for (o = ops; o->s; o++) {
			size_t n = strlen(o->s);

			if (!strncmp(p, o->s, n)) {
				p += n;
				lx->t = o->t;
				break;
			}
		}
		if (!o->s)
			dt_lex_fail(lx, lx->line, "invalid character `%c`", *p);
	}
	lx->p = p;
	lx->tlen = p - lx->tstart;
}
