// SPDX-License-Identifier: BSD-2-Clause
/*
 * filter.c - pftop's tcpdump-like state filter (see filter.h).
 *
 * A recursive-descent parser into a small tree; precedence as tcpdump's:
 * not binds tightest, then and, then or.  Evaluation walks the tree once
 * per state, so the snapshot can drop a state before it costs a row.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pf_names.h"
#include "top/filter.h"

enum node_kind { N_AND, N_OR, N_NOT, N_HOST, N_NET, N_PORT, N_PROTO, N_AF, N_DIR };
enum side { S_ANY, S_SRC, S_DST };

struct top_filter {
	enum node_kind kind;
	enum side side;
	struct top_filter *l, *r;
	struct pf_addr addr;
	__u8 af, prefix, proto, dir;
	__u16 port;
};

struct parser {
	const char *s, *p;   /* the expression, the cursor */
	const char *tok;     /* start of the current token */
	size_t toklen;
	char *err;
	size_t errlen;
	bool failed;
};

static void next(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
	ps->tok = ps->p;
	if (!*ps->p) {
		ps->toklen = 0;
	} else if (strchr("()!", *ps->p)) {
		ps->toklen = 1;
		ps->p++;
	} else if ((ps->p[0] == '&' && ps->p[1] == '&') || (ps->p[0] == '|' && ps->p[1] == '|')) {
		ps->toklen = 2;
		ps->p += 2;
	} else {
		while (*ps->p && !isspace((unsigned char)*ps->p) && !strchr("()!&|", *ps->p))
			ps->p++;
		ps->toklen = (size_t)(ps->p - ps->tok);
	}
}

static bool is(const struct parser *ps, const char *w)
{
	return ps->toklen == strlen(w) && !strncmp(ps->tok, w, ps->toklen);
}

static struct top_filter *fail(struct parser *ps, const char *what)
{
	if (!ps->failed) {
		if (ps->toklen)
			snprintf(ps->err, ps->errlen, "column %zu: %s, got '%.*s'",
				 (size_t)(ps->tok - ps->s) + 1, what, (int)ps->toklen, ps->tok);
		else
			snprintf(ps->err, ps->errlen, "column %zu: %s at the end",
				 (size_t)(ps->tok - ps->s) + 1, what);
	}
	ps->failed = true;
	return NULL;
}

static struct top_filter *node(enum node_kind k)
{
	struct top_filter *n = calloc(1, sizeof(*n));

	if (n)
		n->kind = k;
	return n;
}

static int parse_addr(const char *tok, size_t len, struct top_filter *n, bool want_prefix)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	long plen = -1;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash) {
		char *end;

		if (!want_prefix)
			return -1;
		*slash = '\0';
		plen = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &n->addr.v4) == 1) {
		n->af = PF_INET;
		if (plen > 32)
			return -1;
		n->prefix = plen < 0 ? 32 : (__u8)plen;
	} else if (inet_pton(AF_INET6, buf, &n->addr.v6) == 1) {
		n->af = PF_INET6;
		if (plen > 128)
			return -1;
		n->prefix = plen < 0 ? 128 : (__u8)plen;
	} else {
		return -1;
	}
	return 0;
}

static struct top_filter *parse_or(struct parser *ps);

static struct top_filter *parse_primitive(struct parser *ps)
{
	enum side side = S_ANY;
	struct top_filter *n;

	if (is(ps, "(")) {
		next(ps);
		n = parse_or(ps);
		if (!n)
			return NULL;
		if (!is(ps, ")")) {
			top_filter_free(n);
			return fail(ps, "expected ')'");
		}
		next(ps);
		return n;
	}
	if (is(ps, "src") || is(ps, "dst")) {
		side = is(ps, "src") ? S_SRC : S_DST;
		next(ps);
	}
	if (is(ps, "host") || is(ps, "net")) {
		bool net = is(ps, "net");

		n = node(net ? N_NET : N_HOST);
		if (!n)
			return fail(ps, "out of memory");
		n->side = side;
		next(ps);
		if (!ps->toklen || parse_addr(ps->tok, ps->toklen, n, net)) {
			free(n);
			return fail(ps, net ? "expected an address/prefix" : "expected an address");
		}
		next(ps);
		return n;
	}
	if (is(ps, "port")) {
		char buf[8], *end;
		long v;

		next(ps);
		if (!ps->toklen || ps->toklen >= sizeof(buf))
			return fail(ps, "expected a port number");
		memcpy(buf, ps->tok, ps->toklen);
		buf[ps->toklen] = '\0';
		v = strtol(buf, &end, 10);
		if (*end || v < 0 || v > 65535)
			return fail(ps, "expected a port number");
		n = node(N_PORT);
		if (!n)
			return fail(ps, "out of memory");
		n->side = side;
		n->port = (__u16)v;
		next(ps);
		return n;
	}
	if (side != S_ANY)
		return fail(ps, "expected host, net or port after src/dst");
	if (is(ps, "proto")) {
		char buf[32], *end;
		long v;

		next(ps);
		if (!ps->toklen || ps->toklen >= sizeof(buf))
			return fail(ps, "expected a protocol");
		memcpy(buf, ps->tok, ps->toklen);
		buf[ps->toklen] = '\0';
		v = strtol(buf, &end, 10);
		if (*end)
			v = pf_proto_lookup(buf);
		if (v < 0 || v > 255)
			return fail(ps, "expected a protocol name or number");
		n = node(N_PROTO);
		if (!n)
			return fail(ps, "out of memory");
		n->proto = (__u8)v;
		next(ps);
		return n;
	}
	{
		static const struct { const char *w; enum node_kind k; int v; } words[] = {
			{ "tcp", N_PROTO, IPPROTO_TCP }, { "udp", N_PROTO, IPPROTO_UDP },
			{ "icmp", N_PROTO, IPPROTO_ICMP }, { "icmp6", N_PROTO, IPPROTO_ICMPV6 },
			{ "inet", N_AF, PF_INET }, { "inet6", N_AF, PF_INET6 },
			{ "in", N_DIR, PF_IN }, { "out", N_DIR, PF_OUT },
		};

		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (!is(ps, words[i].w))
				continue;
			n = node(words[i].k);
			if (!n)
				return fail(ps, "out of memory");
			n->proto = n->af = n->dir = (__u8)words[i].v;
			next(ps);
			return n;
		}
	}
	return fail(ps, "expected host, net, port, proto, tcp, udp, icmp, icmp6, inet, inet6, "
			"in, out, not or '('");
}

static struct top_filter *parse_not(struct parser *ps)
{
	struct top_filter *n, *c;

	if (!is(ps, "not") && !is(ps, "!"))
		return parse_primitive(ps);
	next(ps);
	c = parse_not(ps);
	if (!c)
		return NULL;
	n = node(N_NOT);
	if (!n) {
		top_filter_free(c);
		return fail(ps, "out of memory");
	}
	n->l = c;
	return n;
}

static struct top_filter *parse_binary(struct parser *ps, bool or)
{
	struct top_filter *l = or ? parse_binary(ps, false) : parse_not(ps);

	while (l && (or ? (is(ps, "or") || is(ps, "||")) : (is(ps, "and") || is(ps, "&&")))) {
		struct top_filter *r, *n;

		next(ps);
		r = or ? parse_binary(ps, false) : parse_not(ps);
		if (!r) {
			top_filter_free(l);
			return NULL;
		}
		n = node(or ? N_OR : N_AND);
		if (!n) {
			top_filter_free(l);
			top_filter_free(r);
			return fail(ps, "out of memory");
		}
		n->l = l;
		n->r = r;
		l = n;
	}
	return l;
}

static struct top_filter *parse_or(struct parser *ps)
{
	return parse_binary(ps, true);
}

struct top_filter *top_filter_compile(const char *expr, char *err, size_t errlen)
{
	struct parser ps = { .s = expr, .p = expr, .err = err, .errlen = errlen };
	struct top_filter *f;

	next(&ps);
	if (!ps.toklen) {
		snprintf(err, errlen, "column 1: the filter is empty");
		return NULL;
	}
	f = parse_or(&ps);
	if (f && ps.toklen) {
		top_filter_free(f);
		return fail(&ps, "expected and, or or the end");
	}
	return f;
}

void top_filter_free(struct top_filter *f)
{
	if (!f)
		return;
	top_filter_free(f->l);
	top_filter_free(f->r);
	free(f);
}

static bool in_prefix(const struct pf_addr *a, const struct top_filter *n)
{
	const __u8 *x = (const __u8 *)a, *y = (const __u8 *)&n->addr;
	unsigned bits = n->prefix, i;

	for (i = 0; bits >= 8; i++, bits -= 8)
		if (x[i] != y[i])
			return false;
	return !bits || !((x[i] ^ y[i]) & (0xff00 >> bits));
}

static bool addr_match(const struct top_filter *n, const struct top_row *r)
{
	if (n->af != r->af)
		return false;
	return (n->side != S_DST && in_prefix(&r->src, n)) ||
	       (n->side != S_SRC && in_prefix(&r->dst, n));
}

bool top_filter_match(const struct top_filter *f, const struct top_row *r)
{
	if (!f)
		return true;
	switch (f->kind) {
	case N_AND:
		return top_filter_match(f->l, r) && top_filter_match(f->r, r);
	case N_OR:
		return top_filter_match(f->l, r) || top_filter_match(f->r, r);
	case N_NOT:
		return !top_filter_match(f->l, r);
	case N_HOST:
	case N_NET:
		return addr_match(f, r);
	case N_PORT:
		if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP && r->proto != IPPROTO_SCTP)
			return false;
		return (f->side != S_DST && r->sport == f->port) ||
		       (f->side != S_SRC && r->dport == f->port);
	case N_PROTO:
		return r->proto == f->proto;
	case N_AF:
		return r->af == f->af;
	case N_DIR:
		return r->dir == f->dir;
	}
	return false;
}
