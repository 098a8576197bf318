// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_states.c - the state table: list, get, add, kill, clear, natlook.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ioctl_priv.h"
#include "lib/entry_check.h"

void ctl_export_init(struct pfbpf_handle *h, struct ctl_export *x)
{
	int fd;

	memset(x, 0, sizeof(*x));
	x->now = pfbpf_now();
	/* Read the small tables once per listing, not once per state. */
	fd = ctl_map(h, PFM_CREATORS);
	for (__u32 i = 0; fd >= 0 && i < PF_MAX_CREATORS; i++)
		bpf_map_lookup_elem(fd, &i, &x->creators[i]);
	fd = ctl_map(h, PFM_TPROF);
	for (__u32 i = 1; fd >= 0 && i < PF_MAX_TPROFILES; i++)
		bpf_map_lookup_elem(fd, &i, &x->tp[i]);
	x->rulestates_fd = ctl_map(h, PFM_RULESTATES);
	x->natmap_fd = ctl_map(h, PFM_NATMAP);
	if (!ctl_flat_origins(h))
		x->origins = &h->origins;
}

void ctl_state_export(struct ctl_export *x, const struct pf_config *cfg, __u64 nstates,
		      const struct pf_state_key *k, const struct pf_state *s, struct pfbpf_state *out)
{
	__u64 expires = 0;

	memset(out, 0, sizeof(*out));
	out->key[PF_SK_WIRE] = *k;
	out->s = *s;
	if (pf_state_entry_bad(k, s, x->now, out->corrupt, sizeof(out->corrupt))) {
		/* nothing derived from it: its indexes and clock are garbage */
		out->key[PF_SK_STACK] = *k;
		out->rule_nr = PF_RULE_NONE;
		return;
	}
	ctl_nat_stack_key(x->natmap_fd, k, &out->key[PF_SK_STACK]);
	out->direction = pf_state_dir(s);
	if (s->ifindex && s->ifindex != x->ifindex) {
		x->ifindex = s->ifindex;
		if (!if_indextoname(s->ifindex, x->ifname))
			x->ifname[0] = 0;
	}
	if (s->ifindex)
		memcpy(out->ifname, x->ifname, IFNAMSIZ);
	out->creatorid = pf_creatorid_resolve(s->creator, x->creators[s->creator], cfg->hostid);
	if (s->timeout < PFTM_MAX) {
		/* the datapath's own rule (pf_timeout.h): the rule's profile,
		 * scaled by the rule's or the global adaptive bounds */
		const struct pf_tprofile *tp = s->tprofile ? &x->tp[s->tprofile] : NULL;
		__u32 rstates = 0, ridx = pf_state_slotidx(s);

		if (pf_tprofile_adaptive(tp) && s->rule != PF_RULE_NONE && x->rulestates_fd >= 0)
			bpf_map_lookup_elem(x->rulestates_fd, &ridx, &rstates);
		expires = pf_expires_at(cfg, tp, s->timeout, s->expire, (__s64)nstates, rstates,
					x->now);
	}
	out->expires_in = expires > x->now ? expires - x->now : 0;
	out->age = x->now > s->creation ? x->now - s->creation : 0;
	{
		const char *anchor;

		pf_xflat_rule(x->origins, s, &out->rule_nr, &anchor);
		snprintf(out->rule_anchor, sizeof(out->rule_anchor), "%s", anchor);
	}
}

typedef int (*state_fn)(const struct pf_state_key *, const struct pf_state *, void *);

/* One key at a time, for kernels or maps without batch lookups. */
static int states_walk_slow(int fd, state_fn fn, void *arg)
{
	struct pf_state_key k, next;
	struct pf_state s;
	bool first = true;
	int ret = 0;

	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &s))
			continue;
		ret = fn(&k, &s, arg);
		if (ret)
			break;
	}
	return ret < 0 ? ret : 0;
}

/*
 * Walk the state map and call fn for each state; stops early when fn
 * returns nonzero.  Batch lookups read a thousand states per system call
 * (pfctl -ss on a full table).  Entries may vanish under us (expiry, LRU):
 * they are skipped, as pf's list would no longer have them either.
 */
static int states_walk(struct pfbpf_handle *h, state_fn fn, void *arg)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 cap = 1024, count, token_in = 0, token_out = 0;
	struct pf_state_key *keys = NULL;
	struct pf_state *vals = NULL;
	int fd = ctl_map(h, PFM_STATES), ret = 0, err;
	bool first = true;

	if (fd < 0)
		return fd;
	for (;;) {
		if (!keys) {
			keys = calloc(cap, sizeof(*keys));
			vals = calloc(cap, sizeof(*vals));
			if (!keys || !vals) {
				ret = -ENOMEM;
				break;
			}
		}
		count = cap;
		err = bpf_map_lookup_batch(fd, first ? NULL : &token_in, &token_out, keys, vals,
					   &count, &opts);
		err = err ? -errno : 0;
		if (err == -ENOSPC && cap < (1u << 20)) {
			/* one hash bucket holds more than fits: grow */
			cap *= 4;
			free(keys);
			free(vals);
			keys = NULL;
			vals = NULL;
			continue;
		}
		if (err && err != -ENOENT) {
			if (first && (err == -EINVAL || err == -524 /* ENOTSUPP */ || err == -EOPNOTSUPP))
				ret = states_walk_slow(fd, fn, arg);
			else
				ret = err;
			break;
		}
		for (__u32 i = 0; i < count && !ret; i++)
			ret = fn(&keys[i], &vals[i], arg);
		if (ret || err == -ENOENT)
			break;
		token_in = token_out;
		first = false;
	}
	free(keys);
	free(vals);
	return ret < 0 ? ret : 0;
}

struct collect {
	struct pfbpf_handle *h;
	struct ctl_export x;
	struct pf_config cfg;
	__u64 nstates;
	struct pfbpf_state *buf; /* NULL: count only */
	size_t max, n;
	__u32 want_nr;           /* DIOCGETSTATE by position */
	__u64 want_id;
	__u32 want_creator;
	bool by_id;
};

static int collect_one(const struct pf_state_key *k, const struct pf_state *s, void *arg)
{
	struct collect *c = arg;

	if (c->buf) {
		if (c->n >= c->max)
			return 1;
		ctl_state_export(&c->x, &c->cfg, c->nstates, k, s, &c->buf[c->n]);
	}
	c->n++;
	return 0;
}

static int collect_init(struct pfbpf_handle *h, struct collect *c)
{
	struct pf_gcount gc;
	int err;

	memset(c, 0, sizeof(*c));
	c->h = h;
	if ((err = ctl_cfg_read(h, &c->cfg)) || (err = ctl_gcount_read(h, &gc)))
		return err;
	c->nstates = gc.states > 0 ? gc.states : 0;
	ctl_export_init(h, &c->x);
	return 0;
}

int pfbpf_cmd_getstates(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_states *ps = arg;
	struct collect c;
	int err = collect_init(h, &c);

	if (err)
		return err;
	if (ps->ps_len < 0)
		return ctl_fail(h, -EINVAL, "negative ps_len");
	if (ps->ps_len == 0) {
		/* Size query: the caller allocates and asks again. */
		err = states_walk(h, collect_one, &c);
		if (err)
			return err;
		ps->ps_len = c.n * sizeof(struct pfbpf_state);
		return 0;
	}
	if (!ps->ps_buf)
		return ctl_fail(h, -EFAULT, "no buffer");
	c.buf = ps->ps_states;
	c.max = ps->ps_len / sizeof(struct pfbpf_state);
	err = states_walk(h, collect_one, &c);
	if (err)
		return err;
	ps->ps_len = c.n * sizeof(struct pfbpf_state);
	return 0;
}

static int find_one(const struct pf_state_key *k, const struct pf_state *s, void *arg)
{
	struct collect *c = arg;

	if (c->by_id ? s->id == c->want_id : c->n == c->want_nr) {
		struct pfbpf_state tmp;

		ctl_state_export(&c->x, &c->cfg, c->nstates, k, s, &tmp);
		if (c->by_id && c->want_creator && tmp.creatorid != c->want_creator) {
			c->n++;
			return 0;
		}
		*c->buf = tmp;
		c->max = 1;
		return 1;
	}
	c->n++;
	return 0;
}

int pfbpf_cmd_getstate(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_state *ps = arg;
	struct pfbpf_state out;
	struct collect c;
	int err = collect_init(h, &c);

	if (err)
		return err;
	c.buf = &out;
	c.want_nr = ps->nr;
	c.want_id = ps->state.s.id;
	c.want_creator = ps->state.creatorid;
	c.by_id = c.want_id != 0;
	err = states_walk(h, find_one, &c);
	if (err)
		return err;
	if (!c.max)
		return c.by_id ? ctl_fail(h, -ENOENT, "no state with id %016llx",
					    (unsigned long long)c.want_id)
			       : ctl_fail(h, -EBUSY, "no state number %u", ps->nr);
	ps->state = out;
	return 0;
}

/*
 * Without a pf_ctl program (maps pinned, no datapath loaded) the library
 * changes the map itself and keeps pf_gcount.states right; no program runs
 * concurrently then, so there is nobody to race with.  With a datapath
 * loaded, only pf_ctl may do it: it emits destroy events and updates the
 * counters atomically.
 */
static int fallback_allowed(struct pfbpf_handle *h)
{
	int loaded = ctl_datapath_loaded(h);

	if (loaded < 0)
		return loaded;
	if (loaded)
		return ctl_fail(h, -ENODEV,
				  "the datapath is loaded without its pf_ctl program: cannot change states safely");
	return 0;
}

static int gcount_add(struct pfbpf_handle *h, __s64 delta)
{
	struct pf_gcount gc;
	__u32 zero = 0;
	int err = ctl_gcount_read(h, &gc);

	if (err)
		return err;
	gc.states += delta;
	if (gc.states < 0)
		gc.states = 0;
	if (delta > 0)
		gc.next_id += delta;
	if (bpf_map_update_elem(ctl_map(h, PFM_COUNT), &zero, &gc, BPF_ANY))
		return -errno;
	return 0;
}

/* pf's port operators (pf_match_port), on host-order values. */
static bool port_match(__u8 op, __u16 a1, __u16 a2, __u16 p)
{
	switch (op) {
	case PF_OP_IRG: return p > a1 && p < a2;
	case PF_OP_XRG: return p < a1 || p > a2;
	case PF_OP_RRG: return p >= a1 && p <= a2;
	case PF_OP_EQ: return p == a1;
	case PF_OP_NE: return p != a1;
	case PF_OP_LT: return p < a1;
	case PF_OP_LE: return p <= a1;
	case PF_OP_GT: return p > a1;
	case PF_OP_GE: return p >= a1;
	}
	return true;
}

struct killer {
	struct pfbpf_handle *h;
	struct pf_kill_filter f;
	const struct pf_rule_addr *ports[2];
	const char *label;     /* psk_label, NULL = any */
	struct ctl_export x;   /* creator ids */
	__u32 hostid;
	struct pf_state_key *keys;
	size_t n, cap;
	__u64 *ids;
	__u32 *creatorids;
};

static int killer_init(struct pfbpf_handle *h, struct killer *kl, const struct pf_ctl_req *req,
		       const struct pf_rule_addr *src, const struct pf_rule_addr *dst)
{
	struct pf_config cfg;
	int err = ctl_cfg_read(h, &cfg);

	memset(kl, 0, sizeof(*kl));
	if (err)
		return err;
	kl->h = h;
	kl->ports[0] = src;
	kl->ports[1] = dst;
	kl->hostid = cfg.hostid;
	pf_kill_filter_from_req(&kl->f, req);
	ctl_export_init(h, &kl->x);
	return 0;
}

static void killer_free(struct killer *kl)
{
	free(kl->keys);
	free(kl->ids);
	free(kl->creatorids);
}

static int kill_match(const struct pf_state_key *k, const struct pf_state *s, void *arg)
{
	struct killer *kl = arg;
	int sidx = pf_state_dir(s) == PF_IN ? 0 : 1;
	__u32 creatorid = pf_creatorid_resolve(s->creator, kl->x.creators[s->creator], kl->hostid);

	if (kl->label && (s->rule == PF_RULE_NONE ||
			  !ctl_rid_has_label(kl->x.origins, s->rule, kl->label)))
		return 0;
	if (!pf_kill_match(&kl->f, k, s, creatorid)) {
		/* pfctl -k names either side of a NAT: the stack key too. */
		struct pf_state_key sk;

		ctl_nat_stack_key(kl->x.natmap_fd, k, &sk);
		if (!memcmp(&sk, k, sizeof(sk)) || !pf_kill_match(&kl->f, &sk, s, creatorid))
			return 0;
	}
	for (int i = 0; i < 2; i++) {
		const struct pf_rule_addr *ra = kl->ports[i];

		if (ra && ra->port_op &&
		    !port_match(ra->port_op, ntohs(ra->port[0]), ntohs(ra->port[1]),
				ntohs(k->port[i ? !sidx : sidx])))
			return 0;
	}
	if (kl->n == kl->cap) {
		size_t cap = kl->cap ? 2 * kl->cap : 256;
		struct pf_state_key *nk = realloc(kl->keys, cap * sizeof(*nk));
		__u64 *ni;
		__u32 *nc;

		if (!nk)
			return -ENOMEM;
		kl->keys = nk;
		ni = realloc(kl->ids, cap * sizeof(*ni));
		if (!ni)
			return -ENOMEM;
		kl->ids = ni;
		nc = realloc(kl->creatorids, cap * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		kl->creatorids = nc;
		kl->cap = cap;
	}
	kl->ids[kl->n] = s->id;
	kl->creatorids[kl->n] = creatorid;
	kl->keys[kl->n++] = *k;
	return 0;
}

/* Kill through pf_ctl, or by hand when no datapath is loaded. */
static int kill_states(struct pfbpf_handle *h, struct pf_ctl_req *req, __u64 *count)
{
	struct killer *kl;
	int err, fd;
	__u64 n = 0;

	req->op = PF_CTL_KILL;
	err = ctl_run_ctl(h, req);
	if (err != -ENODEV) {
		if (err)
			return h->reason[0] ? err : ctl_fail(h, err, "pf_ctl kill: %s", strerror(-err));
		*count = req->count;
		return 0;
	}
	if ((err = fallback_allowed(h)))
		return err;
	if (!(kl = malloc(sizeof(*kl))))
		return -ENOMEM;
	err = killer_init(h, kl, req, NULL, NULL);
	if (!err)
		err = states_walk(h, kill_match, kl);
	fd = ctl_map(h, PFM_STATES);
	for (size_t i = 0; !err && i < kl->n; i++)
		if (!bpf_map_delete_elem(fd, &kl->keys[i]))
			n++;
	killer_free(kl);
	free(kl);
	if (err)
		return err;
	*count = n;
	return n ? gcount_add(h, -(__s64)n) : 0;
}

/*
 * Kill by port.  pf_ctl's filter (pf_ctl_req) has no ports and lives in
 * the datapath, so the ports are matched here: the states matching every
 * criterion are listed, then each is killed through pf_ctl by id and
 * creator with the rest of the filter kept, so that destroy events are
 * emitted as for any kill, and a state whose id was reused or that no
 * longer matches is left alone.
 */
static int kill_states_ports(struct pfbpf_handle *h, struct pf_ctl_req *req,
			     const struct pf_rule_addr *src, const struct pf_rule_addr *dst,
			     const char *label, __u64 *count)
{
	struct killer *kl = malloc(sizeof(struct killer));
	__u64 n = 0;
	int err, fd;

	if (!kl)
		return -ENOMEM;
	err = killer_init(h, kl, req, src, dst);
	kl->label = label;
	if (!err && label && !kl->x.origins)
		err = ctl_fail(h, -ENOENT, "no rule identities recorded: cannot match label \"%s\"",
			       label);
	if (!err)
		err = states_walk(h, kill_match, kl);
	for (size_t i = 0; !err && i < kl->n; i++) {
		struct pf_ctl_req one = *req;

		one.op = PF_CTL_KILL;
		one.id = kl->ids[i];
		/* the state's own creator: matched above against the
		 * request's, so a request naming a creator keeps it */
		one.creatorid = kl->creatorids[i];
		err = ctl_run_ctl(h, &one);
		if (err == -ENODEV) {
			/* no pf_ctl: delete by hand if no datapath runs */
			if ((err = fallback_allowed(h)))
				break;
			fd = ctl_map(h, PFM_STATES);
			for (; i < kl->n; i++)
				if (!bpf_map_delete_elem(fd, &kl->keys[i]))
					n++;
			err = n ? gcount_add(h, -(__s64)n) : 0;
			break;
		}
		if (err) {
			if (!h->reason[0])
				ctl_fail(h, err, "pf_ctl kill: %s", strerror(-err));
			break;
		}
		n += one.count;
	}
	killer_free(kl);
	free(kl);
	*count = n;
	return err;
}

static int mask_plen(struct pfbpf_handle *h, const struct pfioc_addr *mask, int af, __u8 *plen)
{
	int bits = af == PF_INET ? 32 : 128, n = 0;
	bool seen_zero = false;

	for (int i = 0; i < bits; i++) {
		bool one = mask->addr8[i / 8] & (0x80 >> (i % 8));

		if (one && seen_zero)
			return ctl_fail(h, -EINVAL, "address mask is not a prefix");
		if (one)
			n++;
		else
			seen_zero = true;
	}
	*plen = n;
	return 0;
}

static int ifname_index(struct pfbpf_handle *h, const char *ifname, __u32 *ifindex)
{
	char name[IFNAMSIZ + 1] = {};

	*ifindex = 0;
	if (!ifname[0])
		return 0;
	memcpy(name, ifname, IFNAMSIZ);
	*ifindex = if_nametoindex(name);
	/* States remember their interface by index: a name that no longer
	 * exists matches no state, as a pf kif with no states would. */
	return *ifindex ? 0 : 1;
}

/*
 * DIOCKILLSTATES and DIOCCLRSTATES end alike: kill what req selects on the
 * interface psk names (none if it is gone), and answer with the count in
 * both psk_killed and psk_af.  by_port: psk's port ranges narrow the
 * selection too (matched in user space, pf_ctl knows no ports).
 */
static int kill_reply(struct pfbpf_handle *h, struct pfioc_state_kill *psk,
		      struct pf_ctl_req *req, bool by_port)
{
	__u64 count = 0;
	int err;

	if (ifname_index(h, psk->psk_ifname, &req->ifindex) == 0) {
		/* a label or ports are matched here, in user space */
		bool label = psk->psk_label[0] != 0;

		err = by_port || label
			      ? kill_states_ports(h, req, &psk->psk_src, &psk->psk_dst,
						  label ? psk->psk_label : NULL, &count)
			      : kill_states(h, req, &count);
		if (err)
			return err;
	}
	psk->psk_af = count;
	psk->psk_killed = count;
	return 0;
}

int pfbpf_cmd_killstates(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_state_kill *psk = arg;
	struct pf_ctl_req req = {};
	int err, af = psk->psk_af;
	const struct pf_rule_addr *ra[2] = { &psk->psk_src, &psk->psk_dst };
	bool by_port = false;

	psk->psk_label[PF_RULE_LABEL_SIZE - 1] = 0;
	if (af && af != PF_INET && af != PF_INET6)
		return ctl_fail(h, -EINVAL, "address family %d not supported", af);
	if (psk->psk_proto < 0 || psk->psk_proto > 255)
		return ctl_fail(h, -EINVAL, "protocol %d out of range", psk->psk_proto);
	for (int i = 0; i < 2; i++) {
		__u8 plen = 0;

		if (ra[i]->neg)
			return ctl_fail(h, -EOPNOTSUPP,
					  "killing states by negated address is not supported");
		if (ra[i]->port_op > PF_OP_RRG)
			return ctl_fail(h, -EINVAL, "port operator %u does not exist",
					ra[i]->port_op);
		if (ra[i]->port_op)
			by_port = true;
		if (ra[i]->addr.type != PF_ADDR_ADDRMASK)
			return ctl_fail(h, -EINVAL, "only address/mask matches are supported");
		if (!af) {
			static const struct pfioc_addr zero;

			if (memcmp(&ra[i]->addr.v.a.mask, &zero, sizeof(zero)))
				return ctl_fail(h, -EINVAL, "an address needs psk_af");
			continue;
		}
		if ((err = mask_plen(h, &ra[i]->addr.v.a.mask, af, &plen)))
			return err;
		if (i == 0) {
			req.src_plen = plen;
			memcpy(&req.src, &ra[i]->addr.v.a.addr, 16);
		} else {
			req.dst_plen = plen;
			memcpy(&req.dst, &ra[i]->addr.v.a.addr, 16);
		}
	}
	req.af = af;
	req.proto = psk->psk_proto;
	req.reason = PF_DESTROY_KILLED;
	req.rule = PF_RULE_NONE;
	req.id = psk->psk_id;
	req.creatorid = psk->psk_creatorid;
	return kill_reply(h, psk, &req, by_port);
}

int pfbpf_cmd_clrstates(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_state_kill *psk = arg;
	struct pf_ctl_req req = {
		.reason = PF_DESTROY_FLUSHED,
		.rule = PF_RULE_NONE,
	};

	return kill_reply(h, psk, &req, false);
}

int pfbpf_cmd_addstate(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_state *ps = arg;
	struct pf_state_key k = ps->state.key[PF_SK_WIRE];
	struct pf_state s = ps->state.s;
	struct pf_ctl_req req = { .op = PF_CTL_ADD_STATE };
	struct pf_config cfg;
	struct pf_gcount gc;
	__u32 now = pfbpf_now();
	int err, fd;

	if (k.af != PF_INET && k.af != PF_INET6)
		return ctl_fail(h, -EINVAL, "state key: address family %u not supported", k.af);
	if (s.timeout >= PFTM_MAX)
		return ctl_fail(h, -EINVAL, "state timeout class %u out of range", s.timeout);
	memset(k.pad, 0, sizeof(k.pad));
	if (ps->state.direction == PF_OUT)
		s.flags |= PFSTATE_F_OUT;
	else if (ps->state.direction == PF_IN)
		s.flags &= ~PFSTATE_F_OUT;
	s.flags |= PFSTATE_F_IMPORTED;
	if (!s.creation)
		s.creation = now;
	if (!s.expire)
		s.expire = now;
	/* pf hangs imported states on its default rule: no rule of ours. */
	s.rule = PF_RULE_NONE;
	if (ps->state.ifname[0] && ifname_index(h, ps->state.ifname, &s.ifindex))
		return ctl_fail(h, -EINVAL, "interface %.*s does not exist", IFNAMSIZ,
				  ps->state.ifname);
	req.key = k;
	req.state = s;
	err = ctl_run_ctl(h, &req);
	if (err != -ENODEV) {
		if (err == -EEXIST)
			return ctl_fail(h, err, "a state with this key exists");
		if (err == -ENOSPC || err == -ENOMEM)
			return ctl_fail(h, -ENOMEM, "state table full");
		if (err && !h->reason[0])
			ctl_fail(h, err, "pf_ctl add: %s", strerror(-err));
		return err;
	}
	if ((err = fallback_allowed(h)) || (err = ctl_cfg_read(h, &cfg)) ||
	    (err = ctl_gcount_read(h, &gc)))
		return err;
	if (gc.states >= (__s64)pfbpf_limit(&cfg, PF_LIMIT_STATES))
		return ctl_fail(h, -ENOMEM, "state table full");
	if (!s.id)
		s.id = cfg.state_id_base + gc.next_id + 1;
	fd = ctl_map(h, PFM_STATES);
	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &k, &s, BPF_NOEXIST))
		return errno == EEXIST ? ctl_fail(h, -EEXIST, "a state with this key exists")
				       : ctl_fail(h, -errno, "inserting the state: %s",
						    strerror(errno));
	return gcount_add(h, 1);
}
