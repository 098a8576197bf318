// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_pool.c - translation address pools with tickets, as pf's
 * DIOCBEGINADDRS / DIOCADDADDR: the pending pool lives in the handle (pf
 * keeps one per kernel; pfctl fills it and adds its rule on one
 * descriptor), and the next DIOCADDRULE naming its ticket takes it
 * (ctl_pool_take, pf's pf_mv_pool).  The rule's pool is stored with its
 * text (pf_xrules, XR_POOL_* areas) and moves into place at commit;
 * DIOCGETADDRS / DIOCGETADDR read the loaded rules' pools, DIOCCHANGEADDR
 * changes one and recompiles.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
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

/* ---- the pools of stored rules ----------------------------------------- */

/* pf_xrules values are rule-sized: a pool address travels in one. */
union xpool_val {
	struct pfbpf_rule r;
	struct pfbpf_pool_addr a;
};

static void xpool_key(struct pfbpf_xrule_key *k, __u32 area, const char *anchor, __u32 nr,
		      __u32 i)
{
	memset(k, 0, sizeof(*k));
	k->area = area;
	k->nr = XR_POOL_NR(nr, i);
	snprintf(k->anchor, sizeof(k->anchor), "%s", anchor);
}

/* Write a[0..n) (write) or read them into a, one pf_xrules entry each. */
static int pool_io(struct pfbpf_handle *h, __u32 area, const char *anchor, __u32 nr,
		   struct pfbpf_pool_addr *a, __u32 n, bool write)
{
	struct pfbpf_xrule_key k;
	union xpool_val v;
	int fd = ctl_map(h, PFM_XRULES);

	if (fd < 0)
		return fd;
	for (__u32 i = 0; i < n; i++) {
		xpool_key(&k, area, anchor, nr, i);
		memset(&v, 0, sizeof(v));
		if (write)
			v.a = a[i];
		if (write ? bpf_map_update_elem(fd, &k, &v, BPF_ANY) : bpf_map_lookup_elem(fd, &k, &v))
			return ctl_fail(h, write ? -errno : -EIO, "%s pool address %u of rule %u "
					"in \"%s\": %s", write ? "storing" : "reading", i, nr, anchor,
					strerror(errno));
		if (!write)
			a[i] = v.a;
	}
	return 0;
}

int ctl_pool_store(struct pfbpf_handle *h, __u32 area, const char *anchor, __u32 nr,
		   const struct pfbpf_pool_addr *a, __u32 n)
{
	return pool_io(h, area, anchor, nr, (struct pfbpf_pool_addr *)a, n, true);
}

int ctl_pool_load(struct pfbpf_handle *h, __u32 area, const char *anchor, __u32 nr,
		  struct pfbpf_pool_addr *out, __u32 n)
{
	return pool_io(h, area, anchor, nr, out, n, false);
}

/* Keys of area (and anchor), collected: deleting while walking restarts
 * the walk. */
static int xpool_keys(struct pfbpf_handle *h, int fd, __u32 area, const char *anchor,
		      struct pfbpf_xrule_key **out, size_t *n)
{
	struct pfbpf_xrule_key k, next, *v = NULL;
	size_t cnt = 0, cap = 0;
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (k.area != area || (anchor && strncmp(k.anchor, anchor, sizeof(k.anchor))))
			continue;
		if (cnt == cap) {
			void *p = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!p) {
				free(v);
				return -ENOMEM;
			}
			v = p;
		}
		v[cnt++] = k;
	}
	*out = v;
	*n = cnt;
	return 0;
}

int ctl_pools_clear(struct pfbpf_handle *h, __u32 area, const char *anchor)
{
	struct pfbpf_xrule_key *keys;
	size_t n;
	int fd = ctl_map(h, PFM_XRULES), err;

	if (fd < 0)
		return fd;
	if ((err = xpool_keys(h, fd, area, anchor, &keys, &n)))
		return err;
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &keys[i]);
	free(keys);
	return 0;
}

int ctl_pools_commit(struct pfbpf_handle *h, const char *anchor)
{
	struct pfbpf_xrule_key *keys;
	union xpool_val v;
	size_t n;
	int fd = ctl_map(h, PFM_XRULES), err;

	if (fd < 0)
		return fd;
	if ((err = ctl_pools_clear(h, XR_POOL_ACTIVE, anchor)) ||
	    (err = xpool_keys(h, fd, XR_POOL_STAGED, anchor, &keys, &n)))
		return err;
	for (size_t i = 0; i < n && !err; i++) {
		struct pfbpf_xrule_key to = keys[i];

		to.area = XR_POOL_ACTIVE;
		if (bpf_map_lookup_elem(fd, &keys[i], &v) || bpf_map_update_elem(fd, &to, &v, BPF_ANY))
			err = ctl_fail(h, -errno, "moving a pool address into place: %s",
				       strerror(errno));
		else
			bpf_map_delete_elem(fd, &keys[i]);
	}
	free(keys);
	return err;
}

/* ---- DIOCGETADDRS / DIOCGETADDR / DIOCCHANGEADDR -------------------------- */

/*
 * The loaded rule pp names: r_action says the ruleset (PF_NAT, PF_RDR,
 * PF_BINAT: the r_num-th rule of that ruleset, as pfctl -sn numbers them;
 * anything else: filter rule r_num, for nat-to/rdr-to pools), in anchor.
 */
static int pool_rule(struct pfbpf_handle *h, const struct pfioc_pooladdr *pp, char *anchor,
		     struct pfbpf_rule *out)
{
	struct pfbpf_rule *v;
	__u32 n, seen = 0;
	int err, kind = 0;

	if ((err = ctl_anchor_check(h, pp->anchor, anchor)) ||
	    (err = ctl_xrules_load(h, XR_ACTIVE, anchor, &v, &n)))
		return err;
	switch (pp->r_action) {
	case PF_NAT: case PF_NONAT: kind = PF_NAT; break;
	case PF_RDR: case PF_NORDR: kind = PF_RDR; break;
	case PF_BINAT: case PF_NOBINAT: kind = PF_BINAT; break;
	}
	for (__u32 i = 0; i < n; i++) {
		bool in = kind ? v[i].action == kind || v[i].action == kind + 1 :
				 v[i].action != PF_NAT && v[i].action != PF_NONAT &&
					 v[i].action != PF_RDR && v[i].action != PF_NORDR &&
					 v[i].action != PF_BINAT && v[i].action != PF_NOBINAT;

		if (!in || (kind ? seen++ : i) != pp->r_num)
			continue;
		*out = v[i];
		free(v);
		return 0;
	}
	free(v);
	return ctl_fail(h, -EBUSY, "no rule number %u in that ruleset of anchor \"%s\"", pp->r_num,
			anchor);
}

static __u32 pool_ticket_now(struct pfbpf_handle *h)
{
	struct pf_config cfg;

	return ctl_cfg_read(h, &cfg) ? 0 : (__u32)cfg.ruleset_gen;
}

int pfbpf_cmd_getaddrs(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_pooladdr *pp = arg;
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_rule r;
	int err;

	if ((err = pool_rule(h, pp, anchor, &r)))
		return err;
	pp->nr = r.rpool.naddrs;
	/* the ticket is the ruleset's generation: any change makes it stale */
	pp->ticket = pool_ticket_now(h);
	return 0;
}

int pfbpf_cmd_getaddr(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_pooladdr *pp = arg;
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_xrule_key k;
	union xpool_val v;
	struct pfbpf_rule r;
	int err, fd;

	if (pp->ticket != pool_ticket_now(h))
		return ctl_fail(h, -EBUSY, "pool ticket %u is stale: the ruleset changed",
				pp->ticket);
	if ((err = pool_rule(h, pp, anchor, &r)))
		return err;
	if (pp->nr >= r.rpool.naddrs)
		return ctl_fail(h, -EBUSY, "no pool address number %u (the rule has %u)", pp->nr,
				r.rpool.naddrs);
	if ((fd = ctl_map(h, PFM_XRULES)) < 0)
		return fd;
	xpool_key(&k, XR_POOL_ACTIVE, anchor, r.nr, pp->nr);
	if (bpf_map_lookup_elem(fd, &k, &v))
		return ctl_fail(h, -EIO, "pool address %u of rule %u is missing", pp->nr, r.nr);
	pp->addr = v.a;
	pp->af = v.a.addr.af;
	return 0;
}

/* Write a rule's pool (n addresses, the stored count in its rule text). */
static int pool_put(struct pfbpf_handle *h, const char *anchor, struct pfbpf_rule *r,
		    const struct pfbpf_pool_addr *a, __u32 n)
{
	struct pfbpf_xrule_key k;
	int fd = ctl_map(h, PFM_XRULES), err;

	if (fd < 0)
		return fd;
	if ((err = ctl_pool_store(h, XR_POOL_ACTIVE, anchor, r->nr, a, n)))
		return err;
	for (__u32 i = n; i < r->rpool.naddrs; i++) {
		xpool_key(&k, XR_POOL_ACTIVE, anchor, r->nr, i);
		bpf_map_delete_elem(fd, &k);
	}
	r->rpool.naddrs = n;
	memset(&k, 0, sizeof(k));
	k.area = XR_ACTIVE;
	k.nr = r->nr;
	snprintf(k.anchor, sizeof(k.anchor), "%s", anchor);
	if (bpf_map_update_elem(fd, &k, r, BPF_EXIST))
		return ctl_fail(h, -errno, "updating rule %u: %s", r->nr, strerror(errno));
	return 0;
}

/*
 * pf's DIOCCHANGEADDR: add or remove one address of a loaded rule's pool
 * (ticket from DIOCGETRULES / DIOCGETADDRS).  The running ruleset is
 * recompiled with it, so the ruleset generation moves on: the answer
 * carries the new ticket.  A pool the recompile refuses is put back.
 */
int pfbpf_cmd_changeaddr(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_pooladdr *pp = arg;
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_pool_addr *old = NULL, *nw = NULL;
	struct pfbpf_rule r, r0;
	__u32 n, at;
	int err;

	if (pp->action < PF_CHANGE_ADD_HEAD || pp->action > PF_CHANGE_REMOVE)
		return ctl_fail(h, -EINVAL, "pool change action %u does not exist", pp->action);
	if (pp->ticket != pool_ticket_now(h))
		return ctl_fail(h, -EBUSY, "ticket %u is stale: the ruleset changed", pp->ticket);
	if (pp->action != PF_CHANGE_REMOVE) {
		if (pp->addr.addr.type == PFBPF_ADDR_MASK && !pp->addr.addr.af)
			pp->addr.addr.af = pp->af;
		if ((err = pool_addr_check(h, &pp->addr, pp->af ? pp->af : pp->addr.addr.af)))
			return err;
	}
	if ((err = pool_rule(h, pp, anchor, &r)))
		return err;
	if (pp->r_last) {
		/* pf: the last rule of the ruleset, whatever r_num says */
		struct pfioc_pooladdr q = *pp;

		for (q.r_num = 0; !pool_rule(h, &q, anchor, &r0); q.r_num++)
			r = r0;
		h->reason[0] = 0;
	}
	if (!r.rpool.naddrs && !r.xlate && !(r.action >= PF_NAT && r.action <= PF_NORDR))
		return ctl_fail(h, -EINVAL, "rule %u has no pool", r.nr);
	n = r.rpool.naddrs;
	r0 = r;
	old = calloc(n + 1, sizeof(*old));
	nw = calloc(n + 1, sizeof(*nw));
	err = -ENOMEM;
	if (!old || !nw || (err = ctl_pool_load(h, XR_POOL_ACTIVE, anchor, r.nr, old, n)))
		goto out;
	memcpy(nw, old, n * sizeof(*old));
	if ((err = ctl_change_at(pp->action, pp->nr, n, &at))) {
		err = ctl_fail(h, err, "no pool address number %u (the rule has %u)", pp->nr, n);
		goto out;
	}
	if (pp->action == PF_CHANGE_REMOVE) {
		if (n == 1) {
			err = ctl_fail(h, -EINVAL, "a translation rule needs a pool address");
			goto out;
		}
		memmove(&nw[at], &nw[at + 1], (n - at - 1) * sizeof(*nw));
		n--;
	} else {
		if (n >= PF_MAX_POOL_ADDRS) {
			err = ctl_fail(h, -E2BIG, "more than PF_MAX_POOL_ADDRS (%d) pool addresses",
				       PF_MAX_POOL_ADDRS);
			goto out;
		}
		if (r.af && pp->addr.addr.type == PFBPF_ADDR_MASK && pp->addr.addr.af != r.af) {
			err = ctl_fail(h, -EINVAL, "pool address of another family than the rule's");
			goto out;
		}
		memmove(&nw[at + 1], &nw[at], (n - at) * sizeof(*nw));
		nw[at] = pp->addr;
		n++;
	}
	if ((err = pool_put(h, anchor, &r, nw, n)))
		goto out;
	if ((err = ctl_ruleset_reload(h))) {
		char why[sizeof(h->reason)];

		snprintf(why, sizeof(why), "%s", h->reason);
		r.rpool.naddrs = n;
		pool_put(h, anchor, &r, old, r0.rpool.naddrs);
		snprintf(h->reason, sizeof(h->reason), "%s", why);
		goto out;
	}
	pp->ticket = pool_ticket_now(h);
out:
	free(old);
	free(nw);
	return err;
}
