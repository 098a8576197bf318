// SPDX-License-Identifier: BSD-2-Clause
/*
 * show_tables.c - pfctl -sT, -t NAME -T show, and table address parsing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pfctl.h"

static void print_ctime(FILE *f, __s64 t)
{
	time_t tt = (time_t)t;
	char buf[64];
	struct tm tm;

	/* ctime(3)'s layout and local time, as pfctl prints it. */
	if (localtime_r(&tt, &tm) && strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y", &tm))
		fprintf(f, "%s\n", buf);
	else
		fprintf(f, "%lld\n", (long long)t);
}

void pfctl_show_tables(FILE *f, const struct pfctl_table *t, size_t n, int opts)
{
	for (size_t i = 0; i < n; i++) {
		if (opts & PFCTL_OPT_VERBOSE) {
			__u32 fl = t[i].flags;

			fprintf(f, "%c%c%c%c%c%c%c\t", (fl & PFCTL_TFLAG_CONST) ? 'c' : '-',
				(fl & PFCTL_TFLAG_PERSIST) ? 'p' : '-',
				(fl & PFCTL_TFLAG_ACTIVE) ? 'a' : '-',
				(fl & PFCTL_TFLAG_INACTIVE) ? 'i' : '-',
				(fl & PFCTL_TFLAG_REFERENCED) ? 'r' : '-',
				(fl & PFCTL_TFLAG_REFDANCHOR) ? 'h' : '-',
				(fl & PFCTL_TFLAG_COUNTERS) ? 'C' : '-');
		}
		fputs(t[i].name, f);
		if (t[i].anchor[0])
			fprintf(f, "\t%s", t[i].anchor);
		fputc('\n', f);
		if (!(opts & PFCTL_OPT_VERBOSE2))
			continue;
		fprintf(f, "\tAddresses:   %u\n", t[i].cnt);
		fprintf(f, "\tCleared:     ");
		print_ctime(f, t[i].tzero);
		fprintf(f, "\tReferences:  [ Anchors: %-18u Rules: %-18u ]\n", t[i].refs_anchors,
			t[i].refs_rules);
		fprintf(f, "\tEvaluations: [ NoMatch: %-18llu Match: %-18llu ]\n",
			(unsigned long long)t[i].nomatch, (unsigned long long)t[i].match);
	}
}

void pfctl_json_tables(struct jw *w, const struct pfctl_table *t, size_t n)
{
	jw_arr_begin(w, "tables");
	for (size_t i = 0; i < n; i++) {
		jw_obj_begin(w, NULL);
		jw_str(w, "name", t[i].name);
		jw_str(w, "anchor", t[i].anchor);
		jw_bool(w, "const", t[i].flags & PFCTL_TFLAG_CONST);
		jw_bool(w, "persist", t[i].flags & PFCTL_TFLAG_PERSIST);
		jw_bool(w, "active", t[i].flags & PFCTL_TFLAG_ACTIVE);
		jw_bool(w, "referenced", t[i].flags & PFCTL_TFLAG_REFERENCED);
		jw_bool(w, "counters", t[i].flags & PFCTL_TFLAG_COUNTERS);
		jw_u64(w, "addresses", t[i].cnt);
		jw_u64(w, "rules", t[i].refs_rules);
		jw_u64(w, "match", t[i].match);
		jw_u64(w, "nomatch", t[i].nomatch);
		jw_s64(w, "cleared", t[i].tzero);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static int host_bits(__u8 af)
{
	return af == PF_INET6 ? 128 : 32;
}

void pfctl_print_taddr(FILE *f, const struct pfctl_taddr *a, int opts)
{
	/* The feedback letter pfctl -v shows after -T add/delete/test. */
	static const char fb[] = { ' ', 'M', 'A', 'D', 'C', 'Z', 'X', ' ', 'Y', ' ' };
	char buf[INET6_ADDRSTRLEN];
	char ch = a->fback < sizeof(fb) ? fb[a->fback] : '?';

	pfctl_addr_str(&a->addr, a->af, buf, sizeof(buf));
	fprintf(f, "%c %c%s", ch, a->neg ? '!' : ' ', buf);
	if (a->net < host_bits(a->af))
		fprintf(f, "/%u", a->net);
	fputc('\n', f);
}

static int taddr_cmp(const void *x, const void *y)
{
	const struct pfctl_taddr *a = x, *b = y;
	int d;

	/* pfr walks its inet tree before its inet6 one. */
	if (a->af != b->af)
		return a->af == PF_INET ? -1 : 1;
	d = memcmp(&a->addr, &b->addr, a->af == PF_INET6 ? 16 : 4);
	if (d)
		return d;
	/* One key, several masks: the radix tree keeps the most specific
	 * first on its duplicate-key chain, so the walk meets it first. */
	if (a->net != b->net)
		return a->net > b->net ? -1 : 1;
	return (int)a->neg - (int)b->neg;
}

void pfctl_sort_taddrs(struct pfctl_taddr *a, size_t n)
{
	if (n > 1)
		qsort(a, n, sizeof(*a), taddr_cmp);
}

static void print_astats(FILE *f, const struct pfctl_taddr *a)
{
	static const char *const text[PFCTL_TDIR_MAX][PFCTL_TOP_MAX] = {
		{ "In/Block:", "In/Pass:", "In/XPass:" },
		{ "Out/Block:", "Out/Pass:", "Out/XPass:" },
	};

	fprintf(f, "\tCleared:     ");
	print_ctime(f, a->tzero);
	/* pf answers NOCOUNT for a table without `counters`: then only the
	 * time it was cleared is known. */
	if (a->fback == PFCTL_FB_NOCOUNT)
		return;
	for (int d = 0; d < PFCTL_TDIR_MAX; d++)
		for (int op = 0; op < PFCTL_TOP_MAX; op++)
			fprintf(f, "\t%-12s [ Packets: %-18llu Bytes: %-18llu ]\n", text[d][op],
				(unsigned long long)a->packets[d][op],
				(unsigned long long)a->bytes[d][op]);
}

void pfctl_show_taddrs(FILE *f, const struct pfctl_taddr *a, size_t n, int opts)
{
	struct pfctl_taddr *s = n ? malloc(n * sizeof(*s)) : NULL;

	/* The listing is in pf's order whatever order the entries came in;
	 * out of memory, the unsorted list is still the right content. */
	if (s) {
		memcpy(s, a, n * sizeof(*s));
		pfctl_sort_taddrs(s, n);
		a = s;
	}
	for (size_t i = 0; i < n; i++) {
		struct pfctl_taddr x = a[i];

		x.fback = PFCTL_FB_NONE;
		pfctl_print_taddr(f, &x, opts);
		if (opts & PFCTL_OPT_VERBOSE)
			print_astats(f, &a[i]);
	}
	free(s);
}

void pfctl_json_taddrs(struct jw *w, const char *key, const struct pfctl_taddr *a, size_t n)
{
	char buf[INET6_ADDRSTRLEN + 8];

	jw_arr_begin(w, key);
	for (size_t i = 0; i < n; i++) {
		char addr[INET6_ADDRSTRLEN];

		pfctl_addr_str(&a[i].addr, a[i].af, addr, sizeof(addr));
		snprintf(buf, sizeof(buf), "%s%s/%u", a[i].neg ? "!" : "", addr, a[i].net);
		jw_obj_begin(w, NULL);
		jw_str(w, "address", buf);
		jw_str(w, "af", a[i].af == PF_INET6 ? "inet6" : "inet");
		jw_bool(w, "negated", a[i].neg);
		jw_u64(w, "match", a[i].match);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

int pfctl_taddr_parse(const char *s, struct pfctl_taddr *a)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long plen = -1;

	memset(a, 0, sizeof(*a));
	if (*s == '!') {
		a->neg = 1;
		s++;
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		errno = 0;
		plen = strtol(slash, &end, 10);
		if (errno || *slash == '\0' || *end != '\0' || plen < 0)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, buf, &a->addr) == 1) {
		a->af = PF_INET;
	} else if (inet_pton(AF_INET6, buf, &a->addr) == 1) {
		a->af = PF_INET6;
	} else {
		return -EINVAL;
	}
	if (plen > host_bits(a->af))
		return -EINVAL;
	a->net = plen < 0 ? host_bits(a->af) : plen;
	/* Host bits past the prefix are cleared, as pf stores networks. */
	for (int bit = a->net; bit < host_bits(a->af); bit++)
		a->addr.addr8[bit / 8] &= ~(0x80 >> (bit % 8));
	return 0;
}
