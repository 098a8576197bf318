// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_ifaddr.c - interface addresses wherever pf.conf takes an address.
 *
 * Two kinds, as in pf:
 *  - `(em0)`, `(em0:network)` ...: dynamic.  The rule keeps the interface
 *    name (PFBPF_ADDR_DYNIF, name in addr.table[], modifiers in iflags) and
 *    the loader follows the interface's addresses while the rule runs, so
 *    the interface need not exist or have an address at parse time.
 *  - `em0`, `em0:network`, `em0:broadcast`, `em0:peer`, `em0:0`, `self`:
 *    static.  Resolved now with getifaddrs() into one address each (so the
 *    rule expands into one rule per address, as pfctl's host_if() and
 *    expand_rule() do).  An interface without an address of the wanted kind
 *    is an error that names it.
 * IPv6 link-local addresses are left out of the static forms: without
 * their scope they would match the same address on every link.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include "conf_parse.h"

/* Strip pf's `:network`, `:broadcast`, `:peer`, `:0` suffixes off name
 * (right to left, as pfctl) into *flags; 0 or the bad modifier's text. */
static const char *split_modifiers(char *name, __u8 *flags)
{
	char *c;

	*flags = 0;
	while ((c = strrchr(name, ':'))) {
		if (!strcmp(c + 1, "network"))
			*flags |= PFI_AFLAG_NETWORK;
		else if (!strcmp(c + 1, "broadcast"))
			*flags |= PFI_AFLAG_BROADCAST;
		else if (!strcmp(c + 1, "peer"))
			*flags |= PFI_AFLAG_PEER;
		else if (!strcmp(c + 1, "0"))
			*flags |= PFI_AFLAG_NOALIAS;
		else
			return c;
		*c = '\0';
	}
	return NULL;
}

/* The word at the lookahead and the `:mod` words glued to it: a macro
 * ($ext_if:network) ends its value before the modifier, so the lexer gives
 * "em0" and ":network" as two words. */
static void take_name(struct parser *p, struct tok *t, char *buf, size_t len)
{
	size_t n;

	conf_expect_word(p, t);
	n = strlen(t->s);
	if (n >= len)
		conf_fail(p, t, "interface name is too long");
	memcpy(buf, t->s, n + 1);
	while (conf_peek(p, 0)->type == T_WORD && !conf_peek(p, 0)->quoted &&
	       conf_peek(p, 0)->s[0] == ':') {
		size_t m = strlen(conf_peek(p, 0)->s);

		if (n + m >= len)
			conf_fail(p, conf_peek(p, 0), "interface name is too long");
		memcpy(buf + n, conf_peek(p, 0)->s, m + 1);
		n += m;
		conf_next(p, NULL);
	}
}

static void check_modifiers(struct parser *p, const struct tok *t, char *name, __u8 *flags)
{
	const char *bad = split_modifiers(name, flags);

	if (bad)
		conf_fail(p, t, "interface %s has bad modifier '%s'", t->s, bad);
	/* one of network, broadcast, peer */
	if (*flags & (*flags - 1) & PFI_AFLAG_MODEMASK)
		conf_fail(p, t, "illegal combination of interface modifiers");
}

void conf_ifaddr_dynamic(struct parser *p, struct pfbpf_addr_spec *a)
{
	struct tok t;
	char name[256];
	__u8 flags;

	conf_next(p, NULL); /* ( */
	take_name(p, &t, name, sizeof(name));
	if (!isalpha((unsigned char)name[0]))
		conf_fail(p, &t, "invalid interface name '%s'", name);
	check_modifiers(p, &t, name, &flags);
	if (strlen(name) >= PFBPF_IFNAMSIZ)
		conf_fail(p, &t, "interface name '%s' is too long (at most %d characters)", name,
			  PFBPF_IFNAMSIZ - 1);
	if (conf_peek(p, 0)->type != T_RPAREN)
		conf_syntax_error(p, conf_peek(p, 0));
	conf_next(p, NULL);
	memset(a, 0, sizeof(*a));
	a->type = PFBPF_ADDR_DYNIF;
	a->iflags = flags;
	/* pfbpf_addr_spec has no field of its own for it: table[] holds the
	 * interface name of a DYNIF (pfbpf_rule.h) */
	snprintf(a->table, sizeof(a->table), "%s", name);
}

int conf_dynif_multiaddr(const struct pfbpf_addr_spec *a)
{
	size_t n = strlen(a->table);

	/* pfctl: `(em0:0)` is one address; `(em0)` may be several, and so
	 * is `(group:0)` (a name not ending in a digit is a group) */
	return a->type == PFBPF_ADDR_DYNIF &&
	       (!(a->iflags & PFI_AFLAG_NOALIAS) || !n || !isdigit((unsigned char)a->table[n - 1]));
}

static int prefix_of(const struct sockaddr *mask)
{
	const unsigned char *b;
	size_t n;
	int bits = 0;

	if (!mask)
		return -1;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr;
		n = 4;
	} else {
		b = (const unsigned char *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 7; k >= 0; k--)
			bits += (b[i] >> k) & 1;
	return bits;
}

/* An address of ifa as the modifiers want it; 0 if it has none. */
static int ifa_address(const struct ifaddrs *ifa, __u8 flags, struct pfbpf_addr_spec *a)
{
	const struct sockaddr *sa = ifa->ifa_addr;
	int v6 = sa->sa_family == AF_INET6;
	int bits = v6 ? 128 : 32;

	if (flags & PFI_AFLAG_BROADCAST) {
		if (v6 || !(ifa->ifa_flags & IFF_BROADCAST) || !ifa->ifa_broadaddr)
			return 0;
		sa = ifa->ifa_broadaddr;
	} else if (flags & PFI_AFLAG_PEER) {
		if (!(ifa->ifa_flags & IFF_POINTOPOINT) || !ifa->ifa_dstaddr)
			return 0;
		sa = ifa->ifa_dstaddr;
	}
	memset(a, 0, sizeof(*a));
	a->type = PFBPF_ADDR_MASK;
	a->af = v6 ? PF_INET6 : PF_INET;
	if (v6)
		memcpy(a->addr.v6, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	else
		memcpy(&a->addr.v4, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	a->prefixlen = (__u8)bits;
	if (flags & PFI_AFLAG_NETWORK) {
		int plen = prefix_of(ifa->ifa_netmask);

		if (plen < 0)
			return 0;
		a->prefixlen = (__u8)plen;
		for (int i = plen; i < bits; i++)
			a->addr.addr8[i / 8] &= (__u8)~(0x80 >> (i % 8));
	}
	return 1;
}

static int is_link_local6(const struct ifaddrs *ifa)
{
	const struct in6_addr *a = &((const struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;

	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

/* A word that may name an interface (not an IP address, not a keyword). */
static int maybe_ifname(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (; *s && *s != ':'; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-@", *s))
			return 0;
	return 1;
}

int conf_ifaddr_host(struct parser *p, struct vec *v, int neg, int line, int col)
{
	struct tok *pk = conf_peek(p, 0), t;
	char name[256];
	__u8 flags, af = p->t.r.af;
	struct ifaddrs *ifs = NULL, *ifa;
	int self, found = 0, seen4 = 0, seen6 = 0, exists;

	if (pk->type != T_WORD || pk->quoted || !maybe_ifname(pk->s) || conf_is_kw(pk, "any") ||
	    conf_is_kw(pk, "no-route") || conf_is_kw(pk, "urpf-failed"))
		return 0;
	self = conf_is_kw(pk, "self");
	{
		/* is it an interface?  pfctl tries that before host names */
		char base[PFBPF_IFNAMSIZ + 1];
		size_t n = strcspn(pk->s, ":");

		if (n >= sizeof(base))
			return 0;
		memcpy(base, pk->s, n);
		base[n] = '\0';
		exists = self || if_nametoindex(base) != 0;
		if (!exists) {
			if (getifaddrs(&ifs) == 0) {
				for (ifa = ifs; ifa && !exists; ifa = ifa->ifa_next)
					exists = !strcmp(ifa->ifa_name, base);
				freeifaddrs(ifs);
				ifs = NULL;
			}
		}
		if (!exists)
			return 0;
	}
	take_name(p, &t, name, sizeof(name));
	check_modifiers(p, &t, name, &flags);
	if (getifaddrs(&ifs) != 0)
		conf_fail_at(p, line, col, t.s, "%s: cannot list the interface addresses: %s", t.s,
			     strerror(errno));
	for (ifa = ifs; ifa; ifa = ifa->ifa_next) {
		struct pfbpf_addr_spec a;
		struct hostitem *h;
		int fam;

		if (!ifa->ifa_addr || (!self && strcmp(ifa->ifa_name, name)))
			continue;
		fam = ifa->ifa_addr->sa_family;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		if (af && (fam == AF_INET ? PF_INET : PF_INET6) != af)
			continue;
		if (fam == AF_INET6 && is_link_local6(ifa))
			continue;
		/* :0 -- the first address of each family, no aliases */
		if ((flags & PFI_AFLAG_NOALIAS) && (fam == AF_INET ? seen4 : seen6))
			continue;
		if (!ifa_address(ifa, flags, &a))
			continue;
		if (fam == AF_INET)
			seen4 = 1;
		else
			seen6 = 1;
		a.neg = (__u8)neg;
		h = conf_vec_push(p, v, sizeof(*h));
		h->a = a;
		h->line = line;
		h->col = col;
		found++;
	}
	freeifaddrs(ifs);
	if (!found) {
		const char *kind = flags & PFI_AFLAG_BROADCAST ? "broadcast " :
				   flags & PFI_AFLAG_PEER      ? "peer " : "";

		const char *fam = af == PF_INET ? "inet " : af == PF_INET6 ? "inet6 " : "";

		if (self)
			conf_fail_at(p, line, col, t.s, "self has no %s%saddress", fam, kind);
		conf_fail_at(p, line, col, t.s, "interface %s has no %s%saddress", name, fam, kind);
	}
	return 1;
}
