// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_pool.c - translation address pools with tickets, as pf's
 * DIOCBEGINADDRS / DIOCADDADDR: the pending pool lives in the handle (pf
 * keeps one per kernel; pfctl fills it and adds its rule on one
 * descriptor), and the next DIOCADDRULE naming its ticket takes it
 * (ctl_pool_take, pf's pf_mv_pool).
 */
#include <errno.h>
#include <string.h>
#include "ioctl_priv.h"

int pfbpf_cmd_beginaddrs(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_pooladdr *pp = arg;

	/* pf: a new ticket empties the pending pool */
	h->pool_n = 0;
	if (++h->pool_seq == 0)
		h->pool_seq = 1;
	h->pool_ticket = h->pool_seq;
	pp->ticket = h->pool_ticket;
	return 0;
}

static int pool_addr_check(struct pfbpf_handle *h, const struct pfbpf_pool_addr *a, __u8 af)
{
	const struct pfbpf_addr_spec *s = &a->addr;

	switch (s->type) {
	case PFBPF_ADDR_MASK:
		if (s->prefixlen > (af == PF_INET ? 32 : 128))
			return ctl_fail(h, -EINVAL, "pool address prefix /%u too long", s->prefixlen);
		return 0;
	case PFBPF_ADDR_TABLE:
	case PFBPF_ADDR_DYNIF:
		return 0;
	default:
		return ctl_fail(h, -EINVAL, "pool address type %u: an address, a table or ($if)",
				s->type);
	}
}

int pfbpf_cmd_addaddr(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_pooladdr *pp = arg;
	int err;

	/* pf: EBUSY for a ticket that is not the pending pool's */
	if (!h->pool_ticket || pp->ticket != h->pool_ticket)
		return ctl_fail(h, -EBUSY, "pool ticket %u is not the pending pool's", pp->ticket);
	if (pp->af != PF_INET && pp->af != PF_INET6)
		return ctl_fail(h, -EINVAL, "pool address family %u: inet or inet6", pp->af);
	if (pp->addr.addr.type == PFBPF_ADDR_MASK && pp->addr.addr.af &&
	    pp->addr.addr.af != pp->af)
		return ctl_fail(h, -EINVAL, "pool address of another family than af %u", pp->af);
	if ((err = pool_addr_check(h, &pp->addr, pp->af)))
		return err;
	if (h->pool_n >= PF_MAX_POOL_ADDRS)
		return ctl_fail(h, -ENOSPC, "more than %d pool addresses", PF_MAX_POOL_ADDRS);
	h->pool[h->pool_n] = pp->addr;
	if (!h->pool[h->pool_n].addr.af)
		h->pool[h->pool_n].addr.af = pp->af;
	h->pool_n++;
	return 0;
}

int ctl_pool_take(struct pfbpf_handle *h, const struct pfbpf_rule *r, __u32 pool_ticket,
		  struct pfbpf_pool_addr **out, __u32 *n)
{
	bool translates = (r->action >= PF_NAT && r->action <= PF_NORDR) || r->xlate;
	bool negated = r->action == PF_NONAT || r->action == PF_NOBINAT || r->action == PF_NORDR;

	*out = NULL;
	*n = 0;
	if (!translates || negated)
		return 0;
	/* pf_ioctl.c: a rule's pool ticket must be the pending pool's */
	if (pool_ticket != h->pool_ticket)
		return ctl_fail(h, -EBUSY, "pool ticket %u is not the pending pool's", pool_ticket);
	if (!h->pool_n)
		return ctl_fail(h, -EINVAL, "a translation rule needs a pool address");
	for (__u32 i = 0; i < h->pool_n; i++)
		if (r->af && h->pool[i].addr.type == PFBPF_ADDR_MASK && h->pool[i].addr.af != r->af)
			return ctl_fail(h, -EINVAL, "pool address %u is not of the rule's family", i);
	*out = h->pool;
	*n = h->pool_n;
	/* taken: the pool belongs to the rule now (pf_mv_pool) */
	h->pool_n = 0;
	return 0;
}
