// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_nat.c - the two keys of a translating state as user space reads
 * them (include/pfbpf_nat.h: pf_states is keyed by the wire key, pf_natmap
 * holds the pair under both keys), and DIOCNATLOOK on top of that.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"

void ctl_nat_stack_key(int natmap_fd, const struct pf_state_key *wire, struct pf_state_key *out)
{
	struct pf_nat_pair p;

	*out = *wire;
	/* Only a pair whose wire half is this key belongs to this state: the
	 * same key can be the stack half of another state's pair. */
	if (natmap_fd >= 0 && !bpf_map_lookup_elem(natmap_fd, wire, &p) &&
	    !memcmp(&p.key[PF_SK_WIRE], wire, sizeof(*wire)))
		*out = p.key[PF_SK_STACK];
}

/*
 * The states whose key on side idx (PF_SK_WIRE or PF_SK_STACK) is k: at
 * most two can exist here (one keyed by k in pf_states, one reaching k
 * through pf_natmap), so found[] has room for two.  Returns the count.
 */
static int natlook_find(struct pfbpf_handle *h, const struct pf_state_key *k, int idx,
			struct pf_nat_pair found[2])
{
	int sfd = ctl_map(h, PFM_STATES), nfd = ctl_map(h, PFM_NATMAP), m = 0;
	struct pf_state s;
	struct pf_nat_pair p;
	bool paired = nfd >= 0 && !bpf_map_lookup_elem(nfd, k, &p);

	if (sfd < 0)
		return sfd;
	if (idx == PF_SK_WIRE) {
		/* pf_states is keyed by the wire key: one state at most. */
		if (bpf_map_lookup_elem(sfd, k, &s))
			return 0;
		found[0].key[PF_SK_WIRE] = *k;
		if (paired && !memcmp(&p.key[PF_SK_WIRE], k, sizeof(*k)))
			found[0].key[PF_SK_STACK] = p.key[PF_SK_STACK];
		else
			found[0].key[PF_SK_STACK] = *k;
		return 1;
	}
	/* A translating state whose stack key is k (its state still there:
	 * a pair outliving an evicted state names no connection) ... */
	if (paired && !memcmp(&p.key[PF_SK_STACK], k, sizeof(*k)) &&
	    memcmp(&p.key[PF_SK_WIRE], k, sizeof(*k)) &&
	    !bpf_map_lookup_elem(sfd, &p.key[PF_SK_WIRE], &s))
		found[m++] = p;
	/* ... and a state keyed by k that does not translate (stack = wire). */
	if (!bpf_map_lookup_elem(sfd, k, &s) &&
	    !(paired && !memcmp(&p.key[PF_SK_WIRE], k, sizeof(*k)) &&
	      memcmp(&p.key[PF_SK_STACK], k, sizeof(*k)))) {
		found[m].key[PF_SK_WIRE] = *k;
		found[m].key[PF_SK_STACK] = *k;
		m++;
	}
	return m;
}

int pfbpf_cmd_natlook(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_natlook *pnl = arg;
	struct pf_state_key k = {};
	struct pf_nat_pair found[2];
	const struct pf_state_key *o;
	int sidx, didx, m;

	if (!pnl->proto || (pnl->af != PF_INET && pnl->af != PF_INET6) ||
	    (pnl->direction != PF_IN && pnl->direction != PF_OUT))
		return ctl_fail(h, -EINVAL, "need af, proto and direction PF_IN or PF_OUT");
	/*
	 * As FreeBSD's pf_ioctl.c: the caller names the connection from the
	 * other end, so sidx/didx are reversed from a packet's (PF_IN: the
	 * source goes to slot 1).  The same index picks the key: PF_IN looks
	 * the endpoints up as a wire key and answers the stack key (the
	 * internal host behind a nat), PF_OUT the other way round (the
	 * original destination of an rdr).
	 */
	sidx = pnl->direction == PF_IN ? 1 : 0;
	didx = !sidx;
	k.af = pnl->af;
	k.proto = pnl->proto;
	memcpy(&k.addr[sidx], &pnl->saddr, 16);
	memcpy(&k.addr[didx], &pnl->daddr, 16);
	k.port[sidx] = pnl->sport;
	k.port[didx] = pnl->dport;
	m = natlook_find(h, &k, pnl->direction == PF_IN ? PF_SK_WIRE : PF_SK_STACK, found);
	if (m < 0)
		return m;
	if (!m)
		return ctl_fail(h, -ENOENT, "no state for this connection");
	if (m > 1)
		return ctl_fail(h, -E2BIG, "more than one state for this connection");
	o = &found[0].key[sidx];
	memcpy(&pnl->rsaddr, &o->addr[sidx], 16);
	memcpy(&pnl->rdaddr, &o->addr[didx], 16);
	pnl->rsport = o->port[sidx];
	pnl->rdport = o->port[didx];
	return 0;
}
