// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_dynif.c - `($if)` (and `($if:network)` ...) as a rule's source or
 * destination: the classifier matches addresses, so at commit each such
 * rule becomes one rule per address the interface has then (pf's
 * pfi_instance_add decides which addresses count).
 *
 * Limitation: the compiled rules follow the interface's addresses only
 * when the ruleset is loaded again (pfctl -f); pf follows them at once.
 * Listings (-sr -v) expand the rules again to find their counters: if
 * the addresses changed since the load, the counters of those rules are
 * attributed by the new count.
 * Translation pools name the interface instead (PF_POOLADDR_DYNIF), and
 * the datapath asks the kernel for the address on every new translation.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "ioctl_priv.h"

#define DYNIF_MAX 64 /* addresses of one interface a rule expands to */

static unsigned mask_len(const struct sockaddr *m)
{
	const __u8 *b;
	unsigned len, n = 0;

	if (!m)
		return 0;
	if (m->sa_family == AF_INET) {
		b = (const __u8 *)&((const struct sockaddr_in *)m)->sin_addr;
		len = 4;
	} else {
		b = (const __u8 *)&((const struct sockaddr_in6 *)m)->sin6_addr;
		len = 16;
	}
	for (unsigned i = 0; i < len; i++)
		n += __builtin_popcount(b[i]);
	return n;
}

static void spec_from(struct pfbpf_addr_spec *s, const struct sockaddr *sa, unsigned plen)
{
	memset(&s->addr, 0, sizeof(s->addr));
	if (sa->sa_family == AF_INET) {
		s->af = PF_INET;
		memcpy(&s->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else {
		s->af = PF_INET6;
		memcpy(&s->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	}
	s->prefixlen = plen;
	/* host bits zero, as the classifier wants them */
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;

		s->addr.addr8[i] &= (__u8)(0xff00 >> keep);
	}
}

/* The addresses `a` stands for now, of family af (0: both). */
static int if_addrs(struct pfbpf_handle *h, const struct pfbpf_addr_spec *a, __u8 af,
		    struct pfbpf_addr_spec *out, __u32 *n)
{
	struct ifaddrs *ifa, *i;
	bool got4 = false, got6 = false;
	char name[IF_NAMESIZE] = "";

	*n = 0;
	memcpy(name, a->table, sizeof(name) - 1);
	if (!if_nametoindex(name))
		return h->dynif_lenient ? 0 :
		       ctl_fail(h, -ENOENT, "interface %s (in `(%s)`) does not exist", name, name);
	if (getifaddrs(&ifa))
		return ctl_fail(h, -errno, "reading the addresses of %s: %s", name, strerror(errno));
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;
		unsigned mode = a->iflags & PFI_AFLAG_MODEMASK;
		bool v6;
		unsigned plen;

		if (!sa || strcmp(i->ifa_name, name) ||
		    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
			continue;
		v6 = sa->sa_family == AF_INET6;
		if (af && af != (v6 ? PF_INET6 : PF_INET))
			continue;
		if ((a->iflags & PFI_AFLAG_NOALIAS) && (v6 ? got6 : got4))
			continue;
		plen = v6 ? 128 : 32;
		if (mode & PFI_AFLAG_NETWORK) {
			if (v6 && IN6_IS_ADDR_LINKLOCAL(&((const struct sockaddr_in6 *)sa)->sin6_addr))
				continue;
			plen = mask_len(i->ifa_netmask);
		} else if (mode & PFI_AFLAG_BROADCAST) {
			if (v6 || !(i->ifa_flags & IFF_BROADCAST) || !i->ifa_broadaddr)
				continue;
			sa = i->ifa_broadaddr;
		} else if (mode & PFI_AFLAG_PEER) {
			if (!(i->ifa_flags & IFF_POINTOPOINT) || !i->ifa_dstaddr)
				continue;
			sa = i->ifa_dstaddr;
		}
		if (*n == DYNIF_MAX) {
			freeifaddrs(ifa);
			return ctl_fail(h, -E2BIG, "interface %s has more than %d addresses", name,
					DYNIF_MAX);
		}
		out[*n] = *a;
		out[*n].type = PFBPF_ADDR_MASK;
		out[*n].iflags = 0;
		memset(out[*n].table, 0, sizeof(out[*n].table));
		spec_from(&out[*n], sa, plen);
		(*n)++;
		if (v6)
			got6 = true;
		else
			got4 = true;
	}
	freeifaddrs(ifa);
	return 0;
}

/* One side: the list of specs it becomes (a plain spec stays itself). */
static int side(struct pfbpf_handle *h, const struct pfbpf_addr_spec *a, __u8 af,
		struct pfbpf_addr_spec *out, __u32 *n)
{
	int err;

	if (a->type != PFBPF_ADDR_DYNIF) {
		out[0] = *a;
		*n = 1;
		return 0;
	}
	if ((err = if_addrs(h, a, af, out, n)))
		return err;
	if (!a->neg)
		return 0;
	/* `! ($if)`: not any of them.  One rule per address cannot say that
	 * for several; none left means every address. */
	if (*n > 1)
		return ctl_fail(h, -EOPNOTSUPP, "`! (%s)` with %u addresses: name one family or "
				"use :0", a->table, *n);
	if (!*n) {
		memset(&out[0], 0, sizeof(out[0]));
		*n = 1;
	}
	return 0;
}

int ctl_dynif_expand(struct pfbpf_handle *h, const struct pfbpf_rule *r,
		     struct pfbpf_rule **out, __u32 *nout)
{
	struct pfbpf_addr_spec *s, *d;
	__u32 ns, nd, cnt = 0;
	int err = -ENOMEM;

	*out = NULL;
	*nout = 0;
	s = calloc(DYNIF_MAX, sizeof(*s));
	d = calloc(DYNIF_MAX, sizeof(*d));
	if (!s || !d)
		goto out;
	if ((err = side(h, &r->src, r->af, s, &ns)) || (err = side(h, &r->dst, r->af, d, &nd)))
		goto out;
	err = -ENOMEM;
	if (ns && nd && !(*out = calloc((size_t)ns * nd, sizeof(**out))))
		goto out;
	for (__u32 i = 0; i < ns; i++)
		for (__u32 j = 0; j < nd; j++) {
			/* an inet source never meets an inet6 destination */
			if (s[i].type == PFBPF_ADDR_MASK && d[j].type == PFBPF_ADDR_MASK &&
			    s[i].af != d[j].af)
				continue;
			(*out)[cnt] = *r;
			(*out)[cnt].src = s[i];
			(*out)[cnt].dst = d[j];
			cnt++;
		}
	*nout = cnt;
	err = 0;
out:
	free(s);
	free(d);
	return err;
}
