// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_rules.c - transactions (DIOCXBEGIN/DIOCADDRULE/DIOCXCOMMIT/
 * DIOCXROLLBACK), reading rules and their counters, DIOCCHANGERULE, anchors.
 *
 * The rule text of the active ruleset and of the open transaction lives in
 * the pf_xrules map; the datapath only sees what the classifier compiler
 * makes of the main ruleset, installed into the inactive slot before
 * pf_config.active flips, so a packet sees the whole old or the whole new
 * ruleset.  One transaction is open at a time: DIOCXBEGIN hands out a new
 * ticket and every older ticket goes stale (its DIOCADDRULE and DIOCXCOMMIT
 * fail with EBUSY), which is pf's behaviour for two pfctl -f at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"
#include "lib/entry_check.h"

int ctl_anchor_check(struct pfbpf_handle *h, const char *anchor, char *out)
{
	size_t len = strnlen(anchor, MAXPATHLEN), i = 0;

	if (len == MAXPATHLEN)
		return ctl_fail(h, -EINVAL, "anchor path not terminated");
	/* pf ignores leading and trailing slashes */
	while (anchor[i] == '/')
		i++;
	while (len > i && anchor[len - 1] == '/')
		len--;
	if (len - i >= PFBPF_ANCHOR_MAXLEN)
		return ctl_fail(h, -ENAMETOOLONG, "anchor path longer than %d characters",
				  PFBPF_ANCHOR_MAXLEN - 1);
	memset(out, 0, PFBPF_ANCHOR_MAXLEN);
	memcpy(out, anchor + i, len - i);
	if (strstr(out, "//"))
		return ctl_fail(h, -EINVAL, "anchor path \"%s\" has an empty component", out);
	return 0;
}

static int rule_cmp(const void *a, const void *b)
{
	const struct pfbpf_rule *x = a, *y = b;

	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

int ctl_xrules_load(struct pfbpf_handle *h, __u32 area, const char *anchor,
		      struct pfbpf_rule **rules, __u32 *n)
{
	struct pfbpf_xrule_key k, next;
	struct pfbpf_rule *v = NULL;
	size_t cnt = 0, cap = 0;
	int fd = ctl_map(h, PFM_XRULES);
	bool first = true;

	*rules = NULL;
	*n = 0;
	if (fd == -ENOENT && !(h->flags & O_RDWR))
		return 0; /* never written: no rules */
	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (k.area != area || strncmp(k.anchor, anchor, PFBPF_ANCHOR_MAXLEN))
			continue;
		if (cnt == cap) {
			struct pfbpf_rule *nv;

			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		if (bpf_map_lookup_elem(fd, &k, &v[cnt]))
			continue;
		v[cnt].nr = k.nr;
		cnt++;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), rule_cmp);
	for (size_t i = 0; i < cnt; i++)
		if (v[i].nr != i) {
			free(v);
			return ctl_fail(h, -EIO, "rule store for anchor \"%s\" has a hole at %zu",
					  anchor, i);
		}
	*rules = v;
	*n = cnt;
	return 0;
}

int ctl_xcalls_load(struct pfbpf_handle *h, __u32 area, const char *anchor, __u32 n,
		    char (**calls)[PFBPF_ANCHOR_MAXLEN])
{
	struct pfbpf_xrule_key k, next;
	union {
		struct pfbpf_rule r;
		char call[PFBPF_ANCHOR_MAXLEN];
	} v;
	int fd = ctl_map(h, PFM_XRULES);
	bool first = true;

	*calls = NULL;
	if (!n)
		return 0;
	if (fd == -ENOENT && !(h->flags & O_RDWR))
		return 0;
	if (fd < 0)
		return fd;
	*calls = calloc(n, sizeof(**calls));
	if (!*calls)
		return -ENOMEM;
	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (k.area != XR_CALL_OF(area) || k.nr >= n ||
		    strncmp(k.anchor, anchor, PFBPF_ANCHOR_MAXLEN))
			continue;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		memcpy((*calls)[k.nr], v.call, PFBPF_ANCHOR_MAXLEN);
		(*calls)[k.nr][PFBPF_ANCHOR_MAXLEN - 1] = 0;
	}
	return 0;
}

/* Delete the rule text (and anchor calls) of one area (and anchor, unless
 * anchor is NULL). */
static int xrules_clear(struct pfbpf_handle *h, __u32 area, const char *anchor)
{
	struct pfbpf_xrule_key k, next, *del = NULL;
	size_t cnt = 0, cap = 0;
	int fd = ctl_map(h, PFM_XRULES);
	bool first = true;

	if (fd < 0)
		return fd;
	/* Collect first: deleting while walking restarts the walk. */
	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if ((k.area != area && k.area != XR_CALL_OF(area)) ||
		    (anchor && strncmp(k.anchor, anchor, PFBPF_ANCHOR_MAXLEN)))
			continue;
		if (cnt == cap) {
			struct pfbpf_xrule_key *nd;

			cap = cap ? 2 * cap : 64;
			nd = realloc(del, cap * sizeof(*del));
			if (!nd) {
				free(del);
				return -ENOMEM;
			}
			del = nd;
		}
		del[cnt++] = k;
	}
	for (size_t i = 0; i < cnt; i++)
		bpf_map_delete_elem(fd, &del[i]);
	free(del);
	return 0;
}

/* The called anchor's name under the rule's key, in the call area. */
static int xcall_store(struct pfbpf_handle *h, int fd, const struct pfbpf_xrule_key *rk,
		       const char *call)
{
	struct pfbpf_xrule_key k = *rk;
	union {
		struct pfbpf_rule r;
		char call[PFBPF_ANCHOR_MAXLEN];
	} v;

	memset(&v, 0, sizeof(v));
	snprintf(v.call, sizeof(v.call), "%s", call);
	k.area = XR_CALL_OF(rk->area);
	if (bpf_map_update_elem(fd, &k, &v, BPF_ANY))
		return ctl_fail(h, -errno, "storing the anchor call of rule %u: %s", k.nr,
				strerror(errno));
	return 0;
}

static int xrules_store(struct pfbpf_handle *h, __u32 area, const char *anchor,
			const struct pfbpf_rule *rules, char (*calls)[PFBPF_ANCHOR_MAXLEN], __u32 n)
{
	struct pfbpf_xrule_key k = { .area = area };
	int fd = ctl_map(h, PFM_XRULES), err;

	if (fd < 0)
		return fd;
	if ((err = xrules_clear(h, area, anchor)))
		return err;
	strncpy(k.anchor, anchor, sizeof(k.anchor) - 1);
	for (__u32 i = 0; i < n; i++) {
		struct pfbpf_rule r = rules[i];

		k.nr = r.nr = i;
		if (bpf_map_update_elem(fd, &k, &r, BPF_ANY))
			return ctl_fail(h, -errno, "storing rule %u: %s", i, strerror(errno));
		if (calls && calls[i][0] && (err = xcall_store(h, fd, &k, calls[i])))
			return err;
	}
	return 0;
}

/* Fill the inactive slot with a compiled ruleset; nothing a packet sees
 * changes yet. */
static int ruleset_prepare(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			   __u32 *slot)
{
	struct pf_config cfg;
	int err;

	if ((err = ctl_cfg_read(h, &cfg)))
		return err;
	*slot = !cfg.active;
	/* Fresh counters for the new rules (pf resets them on load), and for
	 * the end-of-ruleset slot at index n. */
	for (__u32 i = 0; i <= n && i < PF_MAX_RULES; i++) {
		__u32 idx = *slot * PF_MAX_RULES + i;

		err = ctl_pcpu_zero(h, PFM_RULECTR, &idx, sizeof(struct pf_rule_counters));
		if (err)
			return ctl_fail(h, err, "clearing counters of rule %u: %s", i,
					strerror(-err));
	}
	/* The new rules get fresh ids (no states, zero counters); the rules
	 * the slot held before keep theirs while their states live, as pf's
	 * states keep pointing at the rule that made them. */
	free(h->rids);
	h->nrids = 0;
	h->rids = calloc(n ? n : 1, sizeof(*h->rids));
	if (!h->rids)
		return -ENOMEM;
	if ((err = ctl_rid_assign(h, *slot, n, h->rids)))
		return err;
	h->nrids = n;
	return ctl_compile_install(h, rules, n, *slot);
}

/* The switch: one map update, seen whole by every CPU. */
static int ruleset_flip(struct pfbpf_handle *h, __u32 slot)
{
	struct pf_config cfg;
	int err;

	if ((err = ctl_cfg_read(h, &cfg)))
		return err;
	cfg.active = slot;
	cfg.ruleset_gen++;
	return ctl_cfg_write(h, &cfg);
}

static int trans_copy(struct pfbpf_handle *h, struct pfioc_trans *io, struct pfioc_trans_e **out)
{
	*out = NULL;
	if (io->esize != sizeof(struct pfioc_trans_e))
		return ctl_fail(h, -ENODEV, "pfioc_trans esize %d, expected %zu", io->esize,
				  sizeof(struct pfioc_trans_e));
	if (io->size <= 0 || io->size > 64 || !io->array)
		return ctl_fail(h, -EINVAL, "pfioc_trans size %d", io->size);
	*out = io->array;
	return 0;
}

static int rs_check(struct pfbpf_handle *h, const struct pfioc_trans_e *e, char *anchor)
{
	if (e->rs_num == PF_RULESET_ALTQ)
		return ctl_fail(h, -ENODEV, "ALTQ does not exist on Linux (use tc qdiscs)");
	if (e->rs_num < 0 || e->rs_num > PF_RULESET_TABLE)
		return ctl_fail(h, -EINVAL, "ruleset kind %d does not exist", e->rs_num);
	return ctl_anchor_check(h, e->anchor, anchor);
}

int pfbpf_cmd_xbegin(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_trans *io = arg;
	struct pfioc_trans_e *e;
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_xmeta m;
	struct pf_config cfg;
	int err;

	if ((err = trans_copy(h, io, &e)))
		return err;
	for (int i = 0; i < io->size; i++)
		if ((err = rs_check(h, &e[i], anchor)))
			return err;
	if ((err = ctl_xmeta_read(h, &m)) || (err = ctl_cfg_read(h, &cfg)))
		return err;
	/* A new transaction replaces any open one: its staged rules and
	 * tables go, its ticket goes stale. */
	if ((err = xrules_clear(h, XR_STAGED, NULL)) || (err = ctl_tables_rollback(h, 0)) ||
	    (err = ctl_pools_clear(h, XR_POOL_STAGED, NULL)))
		return err;
	m.ticket = ++m.ticket_seq;
	if (!m.ticket)
		m.ticket = m.ticket_seq = 1;
	m.begin_gen = cfg.ruleset_gen;
	m.owner_pid = getpid();
	if ((err = ctl_xmeta_write(h, &m)))
		return err;
	for (int i = 0; i < io->size; i++)
		e[i].ticket = m.ticket;
	h->add_ticket = 0;
	return 0;
}

static int ticket_check(struct pfbpf_handle *h, const struct pfbpf_xmeta *m, __u32 ticket)
{
	if (!m->ticket || ticket != m->ticket)
		return ctl_fail(h, -EBUSY,
				  "ticket %u is stale: another transaction began or this one ended",
				  ticket);
	return 0;
}

/*
 * pf's anchor_call: the called anchor relative to the rule's ruleset, or
 * absolute with a leading slash; a last component "*" calls every child.
 */
static int call_check(struct pfbpf_handle *h, const char *call, char *out)
{
	size_t len = strnlen(call, MAXPATHLEN);
	const char *c;

	if (len == MAXPATHLEN)
		return ctl_fail(h, -EINVAL, "anchor_call not terminated");
	if (len >= PFBPF_ANCHOR_MAXLEN)
		return ctl_fail(h, -ENAMETOOLONG, "anchor_call longer than %d characters",
				PFBPF_ANCHOR_MAXLEN - 1);
	memset(out, 0, PFBPF_ANCHOR_MAXLEN);
	memcpy(out, call, len);
	if (len && out[len - 1] == '/')
		return ctl_fail(h, -EINVAL, "anchor_call \"%s\" ends with '/'", out);
	for (c = out + (out[0] == '/'); len && *c;) {
		const char *end = strchr(c, '/');
		size_t cl = end ? (size_t)(end - c) : strlen(c);

		if (!cl)
			return ctl_fail(h, -EINVAL, "anchor_call \"%s\" has an empty component", out);
		if ((cl == 1 && c[0] == '.') || (cl == 2 && !strncmp(c, "..", 2)))
			return ctl_fail(h, -EINVAL, "anchor_call \"%s\": '.' and '..' are not supported",
					out);
		if (memchr(c, '*', cl) && (cl != 1 || end))
			return ctl_fail(h, -EINVAL,
					"anchor_call \"%s\": '*' only as the whole last component",
					out);
		c += cl + !!end;
	}
	return 0;
}

int pfbpf_cmd_addrule(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_rule *pr = arg;
	struct pfbpf_xrule_key k = { .area = XR_STAGED };
	struct pfbpf_xmeta m;
	struct pfbpf_rule r = pr->rule;
	char call[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_pool_addr *pool;
	__u32 npool;
	int err, fd;

	if ((err = ctl_xmeta_read(h, &m)) || (err = ticket_check(h, &m, pr->ticket)) ||
	    (err = ctl_anchor_check(h, pr->anchor, k.anchor)) ||
	    (err = call_check(h, pr->anchor_call, call)) ||
	    (err = ctl_pool_take(h, &r, pr->pool_ticket, &pool, &npool)))
		return err;
	if (call[0]) {
		/* An anchor rule only filters: what it does is its anchor's. */
		r.action = PF_PASS;
		r.keep_state = PF_STATE_NONE;
	}
	if (r.action != PF_PASS && r.action != PF_DROP && !ctl_rule_is_xlate_only(&r))
		return ctl_fail(h, -EINVAL, "rule action %u: pass, block, match, nat, rdr, binat "
				"and their no forms", r.action);
	if (r.action == PF_DROP && r.xlate)
		return ctl_fail(h, -EINVAL, "a block rule cannot translate");
	if (r.xlate && r.xlate != PF_NAT && r.xlate != PF_RDR && r.xlate != PF_BINAT)
		return ctl_fail(h, -EINVAL, "translation %u: nat-to, rdr-to or binat-to", r.xlate);
	/* the pool is stored with the rule (the parser's indexes mean
	 * nothing here) */
	r.rpool.first = 0;
	r.rpool.naddrs = npool;
	if (r.keep_state == PF_STATE_MODULATE)
		return ctl_fail(h, -EOPNOTSUPP, "modulate state is not supported");
	if (r.direction > PF_OUT || (r.af && r.af != PF_INET && r.af != PF_INET6))
		return ctl_fail(h, -EINVAL, "rule direction or address family out of range");
	fd = ctl_map(h, PFM_XRULES);
	if (fd < 0)
		return fd;
	/* Rules of one transaction arrive in order: remember how many this
	 * anchor has instead of counting them again for every rule. */
	if (h->add_ticket != pr->ticket || strcmp(h->add_anchor, k.anchor)) {
		struct pfbpf_rule *v;
		__u32 n;

		if ((err = ctl_xrules_load(h, XR_STAGED, k.anchor, &v, &n)))
			return err;
		free(v);
		h->add_ticket = pr->ticket;
		h->add_count = n;
		strcpy(h->add_anchor, k.anchor);
	}
	if (h->add_count >= PF_MAX_RULES)
		return ctl_fail(h, -ENOSPC, "more than %d rules", PF_MAX_RULES);
	k.nr = r.nr = h->add_count;
	if ((err = ctl_pool_store(h, XR_POOL_STAGED, k.anchor, k.nr, pool, npool)))
		return err;
	if (bpf_map_update_elem(fd, &k, &r, BPF_NOEXIST))
		return ctl_fail(h, -errno, "staging rule %u: %s", k.nr, strerror(errno));
	if (call[0] && (err = xcall_store(h, fd, &k, call))) {
		k.area = XR_STAGED;
		bpf_map_delete_elem(fd, &k);
		return err;
	}
	h->add_count++;
	return 0;
}

static void rs_array_free(struct ctl_rs *rs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rs[i].r);
		free(rs[i].call);
	}
	free(rs);
}

/*
 * Flatten (main ruleset, anchors expanded) with the rulesets in over in
 * place of the stored ones and compile the result into the inactive slot.
 * Nothing a packet sees changes yet.
 */
static bool rs_replaced(const struct ctl_rs *over, size_t nover, const char *anchor)
{
	for (size_t i = 0; i < nover; i++)
		if (!strcmp(over[i].anchor, anchor))
			return true;
	return false;
}

/*
 * Rules of rulesets the change leaves alone stay the same rules, as pf's
 * rule objects do: their counters move from the running slot to the new
 * one (ftp-proxy loads an anchor per connection; that must not zero every
 * other rule's counters).  Not their state counts: the datapath counts a
 * state down in the slot it was made in, so the new slot counts from zero
 * as after any reload.  Old and new flat lists keep such rules in the same
 * relative order, so one forward walk pairs them.
 */
static void counters_carry(struct pfbpf_handle *h, const struct ctl_flat *old, __u32 oslot,
			   const struct ctl_flat *nf, __u32 nslot, const struct ctl_rs *over,
			   size_t nover)
{
	size_t stride = ctl_pcpu_stride(sizeof(struct pf_rule_counters));
	int cfd = ctl_map(h, PFM_RULECTR);
	char *buf = calloc(h->ncpu, stride);
	__u32 j = 0;

	if (!buf || cfd < 0) {
		free(buf);
		return;
	}
	for (__u32 i = 0; i < nf->n; i++) {
		const struct ctl_origin *o = &nf->o[i];
		__u32 k, from, to;

		if (rs_replaced(over, nover, o->anchor))
			continue;
		for (k = j; k < old->n; k++)
			if (old->o[k].nr == o->nr && !strcmp(old->o[k].anchor, o->anchor))
				break;
		if (k == old->n)
			continue;
		j = k + 1;
		/* the walk's stops by position, the rule's own counters by id */
		from = oslot * PF_MAX_RULES + k;
		to = nslot * PF_MAX_RULES + i;
		if (!bpf_map_lookup_elem(cfd, &from, buf))
			bpf_map_update_elem(cfd, &to, buf, BPF_ANY);
		from = ctl_rid_at(h, oslot, k);
		to = ctl_rid_at(h, nslot, i);
		if (from && to && !bpf_map_lookup_elem(cfd, &from, buf))
			bpf_map_update_elem(cfd, &to, buf, BPF_ANY);
	}
	free(buf);
}

/* staged: the rulesets in over are a transaction's (their pools are the
 * staged ones), else changed active rulesets. */
static int flat_prepare(struct pfbpf_handle *h, const struct ctl_rs *over, size_t nover,
			bool staged, __u32 *slot)
{
	const struct ctl_flat *old = NULL;
	struct pf_config cfg;
	struct ctl_flat f;
	int err;

	h->pool_tables = false;
	if ((err = ctl_flatten(h, over, nover, &f)))
		return err;
	err = ruleset_prepare(h, f.r, f.n, slot);
	if (!err)
		err = ctl_nat_install(h, &f, over, staged ? nover : 0, *slot);
	if (!err)
		err = ctl_flat_record(h, &f, *slot);
	/* The running ruleset's expansion, to carry counters over (none to
	 * carry if it cannot be had). */
	if (!err && !ctl_cfg_read(h, &cfg) && !ctl_flat_active(h, &old))
		counters_carry(h, old, cfg.active, &f, *slot, over, nover);
	ctl_flat_free(&f);
	return err;
}

int ctl_ruleset_reload(struct pfbpf_handle *h)
{
	__u32 slot;
	int err;

	if ((err = flat_prepare(h, NULL, 0, false, &slot)) || (err = ruleset_flip(h, slot)))
		return err;
	return ctl_tables_gc(h);
}

/* The journal: the anchors of the commit under way, so that a commit
 * its client did not live to finish can be finished by the next one. */
static int journal_write(struct pfbpf_handle *h, const struct ctl_rs *rs, size_t nrs)
{
	struct pfbpf_xrule_key k = { .area = XR_XACT };
	struct pfbpf_rule zero = {};
	int fd = ctl_map(h, PFM_XRULES), err;

	if (fd < 0)
		return fd;
	if ((err = xrules_clear(h, XR_XACT, NULL)))
		return err;
	for (size_t i = 0; i < nrs; i++) {
		k.nr = i;
		memcpy(k.anchor, rs[i].anchor, sizeof(k.anchor));
		if (bpf_map_update_elem(fd, &k, &zero, BPF_ANY))
			return ctl_fail(h, -errno, "writing the commit journal: %s",
					strerror(errno));
	}
	return 0;
}

/* The journal's anchors, each with its staged rules and calls. */
static int journal_read(struct pfbpf_handle *h, struct ctl_rs **out, size_t *nout)
{
	struct pfbpf_xrule_key k, next;
	struct ctl_rs *rs = NULL;
	size_t n = 0;
	int fd = ctl_map(h, PFM_XRULES), err = 0;
	bool first = true;

	*out = NULL;
	*nout = 0;
	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		struct ctl_rs *nr;

		first = false;
		k = next;
		if (k.area != XR_XACT)
			continue;
		nr = realloc(rs, (n + 1) * sizeof(*rs));
		if (!nr) {
			err = -ENOMEM;
			break;
		}
		rs = nr;
		memset(&rs[n], 0, sizeof(rs[n]));
		memcpy(rs[n].anchor, k.anchor, sizeof(rs[n].anchor));
		rs[n].anchor[sizeof(rs[n].anchor) - 1] = 0;
		n++;
	}
	for (size_t i = 0; !err && i < n; i++)
		if (!(err = ctl_xrules_load(h, XR_STAGED, rs[i].anchor, &rs[i].r, &rs[i].n)))
			err = ctl_xcalls_load(h, XR_STAGED, rs[i].anchor, rs[i].n, &rs[i].call);
	if (err) {
		rs_array_free(rs, n);
		return err;
	}
	*out = rs;
	*nout = n;
	return 0;
}

/*
 * Fault injection for the tests of the journal: PFBPF_TEST_COMMIT_DIE=N
 * makes the process die (as SIGKILL would: no clean-up) after the Nth
 * anchor's text was stored, half way through phase two.
 */
static void commit_test_die(size_t stored)
{
	const char *v = getenv("PFBPF_TEST_COMMIT_DIE");

	if (v && (size_t)atoi(v) == stored)
		_exit(99);
}

/*
 * Phase two of DIOCXCOMMIT, and the whole of it again when a commit is
 * recovered: nothing here can be refused by the rules.  m->commit says
 * how far an earlier attempt got; every step can be repeated.
 */
static int commit_apply(struct pfbpf_handle *h, struct pfbpf_xmeta *m, struct ctl_rs *rs,
			size_t nrs, __u32 slot)
{
	bool has_tables = m->commit & XJ_TABLES;
	int err;

	if ((m->commit & 0xff) == XJ_APPLY) {
		/* Tables first, so the new rules never run against the old
		 * contents. */
		if (has_tables && (err = ctl_tables_commit(h, m->ticket)))
			return err;
		for (size_t i = 0; i < nrs; i++)
			if ((err = xrules_store(h, XR_ACTIVE, rs[i].anchor, rs[i].r, rs[i].call,
						rs[i].n)) ||
			    (err = ctl_pools_commit(h, rs[i].anchor)))
				return err;
			else
				commit_test_die(i + 1);
		/* The flip last: GETRULES tickets go stale with the
		 * generation, and the text now matches what runs. */
		if (nrs && (err = ruleset_flip(h, slot)))
			return err;
		m->commit = XJ_FLIPPED | (has_tables ? XJ_TABLES : 0);
		if ((err = ctl_xmeta_write(h, m)))
			return err;
	}
	if ((err = xrules_clear(h, XR_STAGED, NULL)) ||
	    (err = ctl_pools_clear(h, XR_POOL_STAGED, NULL)) ||
	    (err = xrules_clear(h, XR_XACT, NULL)))
		return err;
	m->ticket = 0;
	m->commit = 0;
	if ((err = ctl_xmeta_write(h, m)))
		return err;
	/* a pool `<t>` was compiled from the table as it was before this
	 * transaction's contents of it went in: once more with them */
	if (nrs && has_tables && h->pool_tables && (err = ctl_ruleset_reload(h)))
		return err;
	if (nrs)
		err = ctl_tables_gc(h);
	return err;
}

int ctl_commit_recover(struct pfbpf_handle *h)
{
	struct ctl_rs *rs = NULL;
	struct pfbpf_xmeta m;
	size_t nrs = 0;
	__u32 slot = 0;
	int err;

	if ((err = ctl_xmeta_read(h, &m)) || !m.commit)
		return err;
	if ((err = journal_read(h, &rs, &nrs)))
		return err;
	/* Before the flip the inactive slot may have been written by
	 * anybody since: compile the staged rules into it once more. */
	if ((m.commit & 0xff) == XJ_APPLY && nrs)
		err = flat_prepare(h, rs, nrs, true, &slot);
	if (!err)
		err = commit_apply(h, &m, rs, nrs, slot);
	rs_array_free(rs, nrs);
	return err;
}

int pfbpf_cmd_xcommit(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_trans *io = arg;
	struct pfioc_trans_e *e;
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct ctl_rs *rs = NULL;
	struct pfbpf_xmeta m;
	struct pf_config cfg;
	size_t nrs = 0;
	__u32 slot = 0;
	bool has_tables = false;
	int err;

	if ((err = trans_copy(h, io, &e)) || (err = ctl_xmeta_read(h, &m)))
		return err;
	/* Phase one: check everything, change nothing. */
	for (int i = 0; i < io->size; i++) {
		if ((err = rs_check(h, &e[i], anchor)) || (err = ticket_check(h, &m, e[i].ticket)))
			return err;
		if (e[i].rs_num == PF_RULESET_TABLE)
			has_tables = true;
	}
	if ((err = ctl_cfg_read(h, &cfg)))
		return err;
	if (cfg.ruleset_gen != m.begin_gen)
		return ctl_fail(h, -EBUSY, "ruleset changed since DIOCXBEGIN");
	rs = calloc(io->size, sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	for (int i = 0; i < io->size; i++) {
		struct ctl_rs *x = &rs[nrs];
		bool dup = false;

		if (e[i].rs_num != PF_RULESET_FILTER)
			continue;
		ctl_anchor_check(h, e[i].anchor, anchor);
		for (size_t j = 0; j < nrs && !dup; j++)
			dup = !strcmp(rs[j].anchor, anchor);
		if (dup)
			continue;
		memcpy(x->anchor, anchor, sizeof(x->anchor));
		nrs++;
		if ((err = ctl_xrules_load(h, XR_STAGED, anchor, &x->r, &x->n)) ||
		    (err = ctl_xcalls_load(h, XR_STAGED, anchor, x->n, &x->call)))
			goto out;
	}
	/*
	 * Any ruleset may be called from the main one, so a load of an anchor
	 * alone recompiles the whole expanded ruleset into the inactive slot:
	 * a compile error (or an anchor filter that cannot be expanded)
	 * leaves the running ruleset untouched and the transaction open.
	 */
	if (nrs && (err = flat_prepare(h, rs, nrs, true, &slot)))
		goto out;
	/* From here the commit is owed: journal it, then carry it out. */
	if ((err = journal_write(h, rs, nrs)))
		goto out;
	m.commit = XJ_APPLY | (has_tables ? XJ_TABLES : 0);
	if ((err = ctl_xmeta_write(h, &m)))
		goto out;
	err = commit_apply(h, &m, rs, nrs, slot);
out:
	rs_array_free(rs, nrs);
	return err;
}

int pfbpf_cmd_xrollback(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_trans *io = arg;
	struct pfioc_trans_e *e;
	struct pfbpf_xmeta m;
	int err;

	if ((err = trans_copy(h, io, &e)) || (err = ctl_xmeta_read(h, &m)))
		return err;
	/* pf: tickets that are no longer valid are silently ignored. */
	for (int i = 0; i < io->size; i++) {
		if (!m.ticket || e[i].ticket != m.ticket)
			continue;
		if ((err = xrules_clear(h, XR_STAGED, NULL)) ||
		    (err = ctl_tables_rollback(h, m.ticket)) ||
		    (err = ctl_pools_clear(h, XR_POOL_STAGED, NULL)))
			return err;
		m.ticket = 0;
		return ctl_xmeta_write(h, &m);
	}
	return 0;
}

int pfbpf_cmd_getrules(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_rule *pr = arg;
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_rule *v;
	struct pf_config cfg;
	__u32 n;
	int err;

	if ((err = ctl_anchor_check(h, pr->anchor, anchor)) || (err = ctl_cfg_read(h, &cfg)) ||
	    (err = ctl_xrules_load(h, XR_ACTIVE, anchor, &v, &n)))
		return err;
	free(v);
	pr->nr = n;
	pr->ticket = (__u32)cfg.ruleset_gen;
	return 0;
}

/*
 * Sum the per-CPU counters of the flat rules that came from rule nr of
 * ruleset anchor (itself, or for an anchor rule everything it brought in).
 * A first packet's walk stops at the quick winner or past the last rule
 * (index f->n), so the packets that reached a rule are the stops at its
 * flat position and after: evaluations are a suffix sum from the rule's
 * first flat position (an anchor rule's: where its expansion begins).
 */
static void rule_counters(struct pfbpf_handle *h, __u32 slot, const struct ctl_flat *f,
			  const char *anchor, __u32 nr, struct pfioc_rule *pr)
{
	size_t stride = ctl_pcpu_stride(sizeof(struct pf_rule_counters));
	char *buf = calloc(h->ncpu, stride);
	__u32 from = UINT32_MAX;
	int fd = ctl_map(h, PFM_RULESTATES);

	if (!buf)
		return;
	for (__u32 c = 0; c < f->ncalls; c++)
		if (f->calls[c].nr == nr && !strcmp(f->calls[c].anchor, anchor) &&
		    f->calls[c].pos < from)
			from = f->calls[c].pos;
	for (__u32 i = 0; i < f->n; i++)
		if (i < from && ctl_flat_from(f, i, anchor, nr))
			from = i;
	if (from == UINT32_MAX) {
		/* Not in the running ruleset (an anchor nobody calls). */
		free(buf);
		return;
	}
	/* evaluated by every walk that stopped here or later */
	pr->evaluations = ctl_rulelist_evals(h, slot, f->n, from);
	/* the positions the rule became (one per address of `($if)`, one per
	 * call of its anchor): only those are read */
	for (__u32 r = from; r < f->n && r < PF_MAX_RULES; r++) {
		__u32 idx = ctl_rid_at(h, slot, r), cur = 0;

		if (!ctl_flat_from(f, r, anchor, nr) || !idx ||
		    ctl_pcpu_read(h, PFM_RULECTR, &idx, buf, 0))
			continue;
		for (int c = 0; c < h->ncpu; c++) {
			const struct pf_rule_counters *rc = (const void *)(buf + c * stride);

			for (int d = 0; d < 2; d++) {
				pr->packets[d] += rc->packets[d];
				pr->bytes[d] += rc->bytes[d];
			}
			pr->states_tot += rc->states_tot;
		}
		if (fd >= 0 && !bpf_map_lookup_elem(fd, &idx, &cur))
			pr->states_cur += cur;
	}
	free(buf);
}

int pfbpf_cmd_getrule(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_rule *pr = arg;
	struct pfbpf_xrule_key k = { .area = XR_ACTIVE };
	const struct ctl_flat *f;
	struct pf_config cfg;
	__u32 n;
	int err, fd;

	if ((err = ctl_anchor_check(h, pr->anchor, k.anchor)) || (err = ctl_cfg_read(h, &cfg)))
		return err;
	if (pr->ticket != (__u32)cfg.ruleset_gen)
		return ctl_fail(h, -EBUSY, "ruleset changed since DIOCGETRULES");
	if ((err = ctl_rulelist_get(h, k.anchor, cfg.ruleset_gen, pr->nr)))
		return err;
	n = h->rl.n;
	if (pr->nr >= n)
		return ctl_fail(h, -EBUSY, "no rule number %u", pr->nr);
	fd = ctl_map(h, PFM_XRULES);
	k.nr = pr->nr;
	if (fd < 0 || bpf_map_lookup_elem(fd, &k, &pr->rule))
		return ctl_fail(h, -EBUSY, "no rule number %u", pr->nr);
	{
		char why[96];

		if (pf_rule_entry_bad(&pr->rule, why, sizeof(why))) {
			memset(&pr->rule, 0, sizeof(pr->rule));
			return ctl_fail(h, -EBADMSG, "rule %u%s%s: the pf_xrules entry is corrupted (%s)",
					pr->nr, k.anchor[0] ? " of anchor " : "", k.anchor, why);
		}
	}
	memset(pr->anchor_call, 0, sizeof(pr->anchor_call));
	if (h->rl.calls)
		memcpy(pr->anchor_call, h->rl.calls[pr->nr], PFBPF_ANCHOR_MAXLEN);
	pr->evaluations = pr->states_tot = 0;
	pr->packets[0] = pr->packets[1] = pr->bytes[0] = pr->bytes[1] = 0;
	pr->states_cur = 0;
	if ((err = ctl_flat_active(h, &f)))
		return err;
	rule_counters(h, cfg.active, f, k.anchor, pr->nr, pr);
	return 0;
}

int ctl_change_at(__u32 action, __u32 nr, __u32 n, __u32 *at)
{
	switch (action) {
	case PF_CHANGE_ADD_HEAD: *at = 0; break;
	case PF_CHANGE_ADD_TAIL: *at = n; break;
	case PF_CHANGE_ADD_BEFORE: *at = nr; break;
	case PF_CHANGE_ADD_AFTER: *at = nr + 1; break;
	default: *at = nr; break;
	}
	return action >= PF_CHANGE_ADD_BEFORE && nr >= n ? -EINVAL : 0;
}

int pfbpf_cmd_changerule(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_rule *pr = arg;
	struct ctl_rs rs = {};
	char call[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_rule rule = pr->rule;
	struct pf_config cfg;
	__u32 n, at, slot;
	void *p;
	int err;

	if (pr->action > PF_CHANGE_GET_TICKET || pr->action == PF_CHANGE_NONE)
		return ctl_fail(h, -EINVAL, "change action %u does not exist", pr->action);
	if ((err = ctl_anchor_check(h, pr->anchor, rs.anchor)) || (err = ctl_cfg_read(h, &cfg)))
		return err;
	if (pr->action == PF_CHANGE_GET_TICKET) {
		pr->ticket = (__u32)cfg.ruleset_gen;
		return 0;
	}
	if (pr->ticket != (__u32)cfg.ruleset_gen)
		return ctl_fail(h, -EBUSY, "ruleset changed since PF_CHANGE_GET_TICKET");
	if ((err = call_check(h, pr->anchor_call, call)))
		return err;
	if (call[0]) {
		rule.action = PF_PASS;
		rule.keep_state = PF_STATE_NONE;
	}
	rule.rpool.first = rule.rpool.naddrs = 0; /* no pool comes with it */
	if (pr->action != PF_CHANGE_REMOVE &&
	    ((rule.action != PF_PASS && rule.action != PF_DROP) ||
	     rule.keep_state == PF_STATE_MODULATE))
		return ctl_fail(h, -EINVAL, "only pass and block rules without modulate state");
	if ((err = ctl_xrules_load(h, XR_ACTIVE, rs.anchor, &rs.r, &n)))
		return err;
	if (rule.xlate && pr->action != PF_CHANGE_REMOVE) {
		free(rs.r);
		return ctl_fail(h, -EOPNOTSUPP, "DIOCCHANGERULE does not add translating rules: "
				"load them (pfctl -f)");
	}
	if ((err = ctl_change_at(pr->action, pr->nr, n, &at))) {
		ctl_fail(h, err, "no rule number %u", pr->nr);
		goto out;
	}
	if (pr->action != PF_CHANGE_REMOVE && n >= PF_MAX_RULES) {
		err = ctl_fail(h, -ENOSPC, "more than %d rules", PF_MAX_RULES);
		goto out;
	}
	err = -ENOMEM;
	if (!(p = realloc(rs.r, (n + 1) * sizeof(*rs.r))))
		goto out;
	rs.r = p;
	if ((err = ctl_xcalls_load(h, XR_ACTIVE, rs.anchor, n, &rs.call)))
		goto out;
	err = -ENOMEM;
	if (!(p = realloc(rs.call, (n + 1) * sizeof(*rs.call))))
		goto out;
	rs.call = p;
	if (!n)
		memset(rs.call, 0, sizeof(*rs.call));
	if (pr->action == PF_CHANGE_REMOVE) {
		memmove(&rs.r[at], &rs.r[at + 1], (n - at - 1) * sizeof(*rs.r));
		memmove(&rs.call[at], &rs.call[at + 1], (n - at - 1) * sizeof(*rs.call));
		n--;
	} else {
		memmove(&rs.r[at + 1], &rs.r[at], (n - at) * sizeof(*rs.r));
		memmove(&rs.call[at + 1], &rs.call[at], (n - at) * sizeof(*rs.call));
		rs.r[at] = rule;
		memcpy(rs.call[at], call, sizeof(call));
		n++;
	}
	/* A pool is stored under its rule's number: rules with one stay
	 * where they are (only those before them may change). */
	for (__u32 i = 0; i < n; i++)
		if (rs.r[i].rpool.naddrs && rs.r[i].nr != i) {
			err = ctl_fail(h, -EOPNOTSUPP, "DIOCCHANGERULE would renumber translation "
				       "rule %u: reload the ruleset instead", rs.r[i].nr);
			goto out;
		}
	for (__u32 i = 0; i < n; i++)
		rs.r[i].nr = i;
	rs.n = n;
	/* Whatever ruleset changed, the expanded one is recompiled: the
	 * anchor may be called from the main ruleset. */
	if ((err = flat_prepare(h, &rs, 1, false, &slot)) ||
	    (err = xrules_store(h, XR_ACTIVE, rs.anchor, rs.r, rs.call, n)) ||
	    (err = ruleset_flip(h, slot)))
		goto out;
	err = ctl_tables_gc(h);
out:
	free(rs.r);
	free(rs.call);
	return err;
}

int pfbpf_cmd_clrrulectrs(struct pfbpf_handle *h, void *arg)
{
	const struct ctl_flat *f;
	struct pf_config cfg;
	int err;

	/* the next DIOCGETRULE must see the zeroes */
	ctl_rulelist_free(h);
	if ((err = ctl_cfg_read(h, &cfg)) || (err = ctl_flat_active(h, &f)))
		return err;
	for (__u32 i = 0; i <= f->n && i < PF_MAX_RULES; i++) {
		__u32 idx = cfg.active * PF_MAX_RULES + i, rid = ctl_rid_at(h, cfg.active, i);

		err = ctl_pcpu_zero(h, PFM_RULECTR, &idx, sizeof(struct pf_rule_counters));
		if (!err && rid)
			err = ctl_pcpu_zero(h, PFM_RULECTR, &rid, sizeof(struct pf_rule_counters));
		if (err)
			return ctl_fail(h, err, "clearing counters of rule %u: %s", i,
					  strerror(-err));
	}
	return 0;
}

/* Anchors that hold rules, as a sorted list of distinct names. */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int anchor_children(struct pfbpf_handle *h, const char *path, char ***out, __u32 *n)
{
	struct pfbpf_xrule_key k, next;
	char **names = NULL;
	size_t cnt = 0, plen = strlen(path);
	int fd = ctl_map(h, PFM_XRULES);
	bool first = true, exists = !plen;

	*out = NULL;
	*n = 0;
	if (fd == -ENOENT && !(h->flags & O_RDWR))
		fd = -1;
	else if (fd < 0)
		return fd;
	while (fd >= 0 && !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		const char *rest, *slash, *cand = k.anchor;
		char call[2 * PFBPF_ANCHOR_MAXLEN];
		bool dup = false;

		first = false;
		k = next;
		if (k.area == XR_ACTIVE_CALL) {
			/* pf creates an anchor when a rule calls it (the parent
			 * of a wildcard call): it exists, empty, for listings. */
			union {
				struct pfbpf_rule r;
				char call[PFBPF_ANCHOR_MAXLEN];
			} v;
			size_t len;

			if (bpf_map_lookup_elem(fd, &k, &v))
				continue;
			v.call[PFBPF_ANCHOR_MAXLEN - 1] = 0;
			if (v.call[0] == '/' || !k.anchor[0])
				snprintf(call, sizeof(call), "%s", v.call + (v.call[0] == '/'));
			else
				snprintf(call, sizeof(call), "%.*s/%s", PFBPF_ANCHOR_MAXLEN, k.anchor,
					 v.call);
			len = strlen(call);
			if (len && call[len - 1] == '*')
				call[len > 1 ? len - 2 : 0] = 0;
			cand = call;
		} else if (k.area != XR_ACTIVE) {
			continue;
		}
		if (!cand[0])
			continue;
		if (plen) {
			if (strncmp(cand, path, plen) || (cand[plen] && cand[plen] != '/'))
				continue;
			exists = true;
			if (!cand[plen])
				continue;
			rest = cand + plen + 1;
		} else {
			rest = cand;
		}
		slash = strchr(rest, '/');
		size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
		for (size_t i = 0; i < cnt && !dup; i++)
			dup = strlen(names[i]) == len && !strncmp(names[i], rest, len);
		if (dup)
			continue;
		names = realloc(names, (cnt + 1) * sizeof(*names));
		if (!names)
			return -ENOMEM;
		names[cnt++] = strndup(rest, len);
	}
	if (!exists) {
		free(names);
		return ctl_fail(h, -EINVAL, "anchor \"%s\" does not exist", path);
	}
	if (cnt)
		qsort(names, cnt, sizeof(*names), str_cmp);
	*out = names;
	*n = cnt;
	return 0;
}

static void names_free(char **names, __u32 n)
{
	for (__u32 i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int pfbpf_cmd_getrulesets(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_ruleset *pr = arg;
	char path[PFBPF_ANCHOR_MAXLEN];
	char **names;
	__u32 n;
	int err;

	if ((err = ctl_anchor_check(h, pr->path, path)) ||
	    (err = anchor_children(h, path, &names, &n)))
		return err;
	names_free(names, n);
	pr->nr = n;
	return 0;
}

int pfbpf_cmd_getruleset(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_ruleset *pr = arg;
	char path[PFBPF_ANCHOR_MAXLEN];
	char **names;
	__u32 n;
	int err;

	if ((err = ctl_anchor_check(h, pr->path, path)) ||
	    (err = anchor_children(h, path, &names, &n)))
		return err;
	if (pr->nr >= n) {
		names_free(names, n);
		return ctl_fail(h, -EBUSY, "no anchor number %u under \"%s\"", pr->nr, path);
	}
	memset(pr->name, 0, sizeof(pr->name));
	snprintf(pr->name, sizeof(pr->name), "%s", names[pr->nr]);
	names_free(names, n);
	return 0;
}
