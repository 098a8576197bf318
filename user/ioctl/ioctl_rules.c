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

/* Delete the rule text of one area (and anchor, unless anchor is NULL). */
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
		if (k.area != area || (anchor && strncmp(k.anchor, anchor, PFBPF_ANCHOR_MAXLEN)))
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

static int xrules_store(struct pfbpf_handle *h, __u32 area, const char *anchor,
			const struct pfbpf_rule *rules, __u32 n)
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
	}
	return 0;
}

/* Fill the inactive slot with a compiled ruleset; nothing a packet sees
 * changes yet. */
static int ruleset_prepare(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			   __u32 *slot)
{
	struct pf_config cfg;
	int err, fd;

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
	/* The new rules start with no states (`max N` counts from zero): states
	 * left from the slot's previous ruleset belong to those old rules, as
	 * pf's states keep pointing at the rule that made them. */
	fd = ctl_map(h, PFM_RULESTATES);
	if (fd < 0)
		return fd;
	for (__u32 i = 0; i < n; i++) {
		__u32 idx = *slot * PF_MAX_RULES + i, zero = 0;

		if (bpf_map_update_elem(fd, &idx, &zero, BPF_ANY))
			return ctl_fail(h, -errno, "clearing state count of rule %u: %s", i,
					strerror(errno));
	}
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

int ctl_ruleset_install(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n)
{
	__u32 slot;
	int err = ruleset_prepare(h, rules, n, &slot);

	return err ? err : ruleset_flip(h, slot);
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
	if ((err = xrules_clear(h, XR_STAGED, NULL)) || (err = ctl_tables_rollback(h, 0)))
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

int pfbpf_cmd_addrule(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_rule *pr = arg;
	struct pfbpf_xrule_key k = { .area = XR_STAGED };
	struct pfbpf_xmeta m;
	struct pfbpf_rule r = pr->rule;
	int err, fd;

	if ((err = ctl_xmeta_read(h, &m)) || (err = ticket_check(h, &m, pr->ticket)) ||
	    (err = ctl_anchor_check(h, pr->anchor, k.anchor)))
		return err;
	if (r.action != PF_PASS && r.action != PF_DROP)
		return ctl_fail(h, -EINVAL, "rule action %u: only pass and block are supported",
				  r.action);
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
	if (bpf_map_update_elem(fd, &k, &r, BPF_NOEXIST))
		return ctl_fail(h, -errno, "staging rule %u: %s", k.nr, strerror(errno));
	h->add_count++;
	return 0;
}

int pfbpf_cmd_xcommit(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_trans *io = arg;
	struct pfioc_trans_e *e;
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_rule *main_rules = NULL;
	struct pfbpf_xmeta m;
	struct pf_config cfg;
	__u32 nmain = 0, slot = 0;
	bool has_main = false, has_tables = false;
	int err;

	if ((err = trans_copy(h, io, &e)) || (err = ctl_xmeta_read(h, &m)))
		return err;
	/* Phase one: check everything, change nothing. */
	for (int i = 0; i < io->size; i++) {
		if ((err = rs_check(h, &e[i], anchor)) || (err = ticket_check(h, &m, e[i].ticket)))
			return err;
		if (e[i].rs_num == PF_RULESET_FILTER && !anchor[0])
			has_main = true;
		if (e[i].rs_num == PF_RULESET_TABLE)
			has_tables = true;
	}
	if ((err = ctl_cfg_read(h, &cfg)))
		return err;
	if (cfg.ruleset_gen != m.begin_gen)
		return ctl_fail(h, -EBUSY, "ruleset changed since DIOCXBEGIN");
	if (has_main) {
		if ((err = ctl_xrules_load(h, XR_STAGED, "", &main_rules, &nmain)))
			return err;
		/* Compiled into the inactive slot: a compile error leaves the
		 * running ruleset untouched and the transaction open. */
		err = ruleset_prepare(h, main_rules, nmain, &slot);
		if (err) {
			free(main_rules);
			return err;
		}
	}
	/* Phase two: nothing below can be refused by the rules.  Tables
	 * first, so the new rules never run against the old contents. */
	if (has_tables && (err = ctl_tables_commit(h, m.ticket)))
		goto out;
	if (has_main && (err = ruleset_flip(h, slot)))
		goto out;
	for (int i = 0; i < io->size; i++) {
		struct pfbpf_rule *v;
		__u32 n;

		if (e[i].rs_num != PF_RULESET_FILTER)
			continue;
		ctl_anchor_check(h, e[i].anchor, anchor);
		if ((err = ctl_xrules_load(h, XR_STAGED, anchor, &v, &n)))
			goto out;
		err = xrules_store(h, XR_ACTIVE, anchor, v, n);
		free(v);
		if (err)
			goto out;
		if (anchor[0]) {
			/* Rule text of an anchor changed: GETRULES tickets go stale. */
			if ((err = ctl_cfg_read(h, &cfg)))
				goto out;
			cfg.ruleset_gen++;
			if ((err = ctl_cfg_write(h, &cfg)))
				goto out;
		}
	}
	if ((err = xrules_clear(h, XR_STAGED, NULL)))
		goto out;
	m.ticket = 0;
	if ((err = ctl_xmeta_write(h, &m)))
		goto out;
	if (has_main)
		err = ctl_tables_gc(h);
out:
	free(main_rules);
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
		    (err = ctl_tables_rollback(h, m.ticket)))
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
 * Sum a rule's per-CPU counters.  A first packet's walk stops at the quick
 * winner or past the last rule (index nrules), so the packets that reached
 * rule nr are the stops at nr and after: evaluations are a suffix sum.
 */
static void rule_counters(struct pfbpf_handle *h, __u32 slot, __u32 nr, __u32 nrules,
			  struct pfioc_rule *pr)
{
	size_t stride = ctl_pcpu_stride(sizeof(struct pf_rule_counters));
	char *buf = calloc(h->ncpu, stride);
	int fd;

	if (!buf)
		return;
	for (__u32 r = nr; r <= nrules && r < PF_MAX_RULES; r++) {
		__u32 idx = slot * PF_MAX_RULES + r;

		if (ctl_pcpu_read(h, PFM_RULECTR, &idx, buf, 0))
			continue;
		for (int c = 0; c < h->ncpu; c++) {
			const struct pf_rule_counters *rc = (const void *)(buf + c * stride);

			pr->evaluations += rc->stops;
			if (r != nr)
				continue;
			for (int d = 0; d < 2; d++) {
				pr->packets[d] += rc->packets[d];
				pr->bytes[d] += rc->bytes[d];
			}
			pr->states_tot += rc->states_tot;
		}
	}
	free(buf);
	fd = ctl_map(h, PFM_RULESTATES);
	if (fd >= 0) {
		__u32 idx = slot * PF_MAX_RULES + nr, cur = 0;

		if (!bpf_map_lookup_elem(fd, &idx, &cur))
			pr->states_cur = cur;
	}
}

int pfbpf_cmd_getrule(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_rule *pr = arg;
	struct pfbpf_xrule_key k = { .area = XR_ACTIVE };
	struct pf_config cfg;
	struct pfbpf_rule *v;
	__u32 n;
	int err, fd;

	if ((err = ctl_anchor_check(h, pr->anchor, k.anchor)) || (err = ctl_cfg_read(h, &cfg)))
		return err;
	if (pr->ticket != (__u32)cfg.ruleset_gen)
		return ctl_fail(h, -EBUSY, "ruleset changed since DIOCGETRULES");
	if ((err = ctl_xrules_load(h, XR_ACTIVE, k.anchor, &v, &n)))
		return err;
	free(v);
	if (pr->nr >= n)
		return ctl_fail(h, -EBUSY, "no rule number %u", pr->nr);
	fd = ctl_map(h, PFM_XRULES);
	k.nr = pr->nr;
	if (fd < 0 || bpf_map_lookup_elem(fd, &k, &pr->rule))
		return ctl_fail(h, -EBUSY, "no rule number %u", pr->nr);
	memset(pr->anchor_call, 0, sizeof(pr->anchor_call));
	pr->evaluations = pr->states_tot = 0;
	pr->packets[0] = pr->packets[1] = pr->bytes[0] = pr->bytes[1] = 0;
	pr->states_cur = 0;
	/* Only the main ruleset runs in the datapath and has counters. */
	if (!k.anchor[0])
		rule_counters(h, cfg.active, pr->nr, n, pr);
	return 0;
}

int pfbpf_cmd_changerule(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_rule *pr = arg;
	char anchor[PFBPF_ANCHOR_MAXLEN];
	struct pfbpf_rule *v, *nv;
	struct pf_config cfg;
	__u32 n, at;
	int err;

	if (pr->action > PF_CHANGE_GET_TICKET || pr->action == PF_CHANGE_NONE)
		return ctl_fail(h, -EINVAL, "change action %u does not exist", pr->action);
	if ((err = ctl_anchor_check(h, pr->anchor, anchor)) || (err = ctl_cfg_read(h, &cfg)))
		return err;
	if (pr->action == PF_CHANGE_GET_TICKET) {
		pr->ticket = (__u32)cfg.ruleset_gen;
		return 0;
	}
	if (pr->ticket != (__u32)cfg.ruleset_gen)
		return ctl_fail(h, -EBUSY, "ruleset changed since PF_CHANGE_GET_TICKET");
	if (pr->action != PF_CHANGE_REMOVE &&
	    ((pr->rule.action != PF_PASS && pr->rule.action != PF_DROP) ||
	     pr->rule.keep_state == PF_STATE_MODULATE))
		return ctl_fail(h, -EINVAL, "only pass and block rules without modulate state");
	if ((err = ctl_xrules_load(h, XR_ACTIVE, anchor, &v, &n)))
		return err;
	switch (pr->action) {
	case PF_CHANGE_ADD_HEAD: at = 0; break;
	case PF_CHANGE_ADD_TAIL: at = n; break;
	case PF_CHANGE_ADD_BEFORE: at = pr->nr; break;
	case PF_CHANGE_ADD_AFTER: at = pr->nr + 1; break;
	default: at = pr->nr; break;
	}
	if ((pr->action >= PF_CHANGE_ADD_BEFORE && pr->nr >= n)) {
		free(v);
		return ctl_fail(h, -EINVAL, "no rule number %u", pr->nr);
	}
	if (pr->action != PF_CHANGE_REMOVE && n >= PF_MAX_RULES) {
		free(v);
		return ctl_fail(h, -ENOSPC, "more than %d rules", PF_MAX_RULES);
	}
	nv = realloc(v, (n + 1) * sizeof(*v));
	if (!nv) {
		free(v);
		return -ENOMEM;
	}
	v = nv;
	if (pr->action == PF_CHANGE_REMOVE) {
		memmove(&v[at], &v[at + 1], (n - at - 1) * sizeof(*v));
		n--;
	} else {
		memmove(&v[at + 1], &v[at], (n - at) * sizeof(*v));
		v[at] = pr->rule;
		n++;
	}
	for (__u32 i = 0; i < n; i++)
		v[i].nr = i;
	if (!anchor[0]) {
		err = ctl_ruleset_install(h, v, n);
	} else if (!(err = ctl_cfg_read(h, &cfg))) {
		cfg.ruleset_gen++;
		err = ctl_cfg_write(h, &cfg);
	}
	if (!err)
		err = xrules_store(h, XR_ACTIVE, anchor, v, n);
	if (!err && !anchor[0])
		err = ctl_tables_gc(h);
	free(v);
	return err;
}

int pfbpf_cmd_clrrulectrs(struct pfbpf_handle *h, void *arg)
{
	struct pf_config cfg;
	struct pfbpf_rule *v;
	__u32 n;
	int err;

	if ((err = ctl_cfg_read(h, &cfg)) || (err = ctl_xrules_load(h, XR_ACTIVE, "", &v, &n)))
		return err;
	free(v);
	for (__u32 i = 0; i <= n && i < PF_MAX_RULES; i++) {
		__u32 idx = cfg.active * PF_MAX_RULES + i;

		err = ctl_pcpu_zero(h, PFM_RULECTR, &idx, sizeof(struct pf_rule_counters));
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
		const char *rest, *slash;
		bool dup = false;

		first = false;
		k = next;
		if (k.area != XR_ACTIVE || !k.anchor[0])
			continue;
		if (plen) {
			if (strncmp(k.anchor, path, plen) || (k.anchor[plen] && k.anchor[plen] != '/'))
				continue;
			exists = true;
			if (!k.anchor[plen])
				continue;
			rest = k.anchor + plen + 1;
		} else {
			rest = k.anchor;
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
