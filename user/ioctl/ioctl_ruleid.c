// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_ruleid.c - rule ids: a state's rule outlives the reloads.
 *
 * pf's states hold a reference on the rule that made them: after any
 * number of reloads, `pfctl -k label -k foo`, `-vvss` (`rule N`) and the
 * rule's counters still mean the old rule while one of its states lives.
 * The datapath's states carry a rule id instead of a slot position
 * (pfbpf_types.h, "Rule ids").  Here ids are handed out to every rule of
 * a ruleset compiled into a slot, and each id's identity (number, anchor,
 * labels) is recorded in pf_xflat under PFBPF_XFLAT_RID.  An id is freed
 * only when no slot holds its rule any more and pf_rulestates says no
 * state counts against it; until then it is "retired": out of every
 * ruleset, kept for its states.  The sweep puts pf_rulestates right after
 * LRU evictions, so an evicted state cannot keep an id forever.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"

#define RID_WORDS ((PF_MAX_RIDS + 63) / 64)

static bool rid_used(const __u64 *used, __u32 k)
{
	return used[k / 64] & (1ULL << (k % 64));
}

/* The id records: a slot about to be refilled lets go of its rules, ids
 * left with no slot and no state are freed, the rest marked in used. */
static int rid_release(struct pfbpf_handle *h, int xfd, __u32 slot, __u64 *used)
{
	struct pfbpf_xflat_key k, next, *keys = NULL;
	struct pfbpf_xflat v;
	size_t n = 0, cap = 0;
	int sfd = ctl_map(h, PFM_RULESTATES), err = 0;
	bool first = true;

	if (sfd < 0)
		return sfd;
	/* keys first, then the work: deleting while walking a hash restarts
	 * the walk */
	while (!bpf_map_get_next_key(xfd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (k.slot != PFBPF_XFLAT_RID)
			continue;
		if (n == cap) {
			struct pfbpf_xflat_key *nk;

			cap = cap ? 2 * cap : 256;
			if (!(nk = realloc(keys, cap * sizeof(*nk)))) {
				free(keys);
				return -ENOMEM;
			}
			keys = nk;
		}
		keys[n++] = k;
	}
	for (size_t i = 0; i < n && !err; i++) {
		__u32 states = 0, id = keys[i].idx;

		if (bpf_map_lookup_elem(xfd, &keys[i], &v))
			continue;
		if (id < PF_RID_BASE || id >= PF_RULECTR_ENTRIES) {
			bpf_map_delete_elem(xfd, &keys[i]); /* never handed out */
			continue;
		}
		if (v.slots & (1u << slot)) {
			v.slots &= ~(1u << slot);
			if (bpf_map_update_elem(xfd, &keys[i], &v, BPF_EXIST))
				err = ctl_fail(h, -errno, "retiring rule id %u: %s", id,
					       strerror(errno));
		}
		bpf_map_lookup_elem(sfd, &id, &states);
		if (!v.slots && !states) {
			bpf_map_delete_elem(xfd, &keys[i]);
			continue;
		}
		used[(id - PF_RID_BASE) / 64] |= 1ULL << ((id - PF_RID_BASE) % 64);
	}
	free(keys);
	return err;
}

int ctl_rid_assign(struct pfbpf_handle *h, __u32 slot, __u32 n, __u32 *rids)
{
	__u64 *used = calloc(RID_WORDS, sizeof(*used));
	int xfd = ctl_map(h, PFM_XFLAT), sfd = ctl_map(h, PFM_RULESTATES), err = 0;
	__u32 got = 0, retired = 0;

	if (!used)
		return -ENOMEM;
	if (xfd < 0 || sfd < 0) {
		free(used);
		return xfd < 0 ? xfd : sfd;
	}
	if ((err = rid_release(h, xfd, slot, used))) {
		free(used);
		return err;
	}
	for (__u32 k = 0; k < PF_MAX_RIDS; k++)
		retired += rid_used(used, k);
	/* The lowest free ids: which one a rule gets does not matter, only
	 * that no state still counts on it. */
	for (__u32 k = 0; k < PF_MAX_RIDS && got < n; k++) {
		struct pfbpf_xflat_key key = { .slot = PFBPF_XFLAT_RID, .idx = PF_RID_BASE + k };
		struct pfbpf_xflat v = { .nr = PF_RULE_NONE, .slots = 1u << slot };
		__u32 zero = 0;

		if (rid_used(used, k))
			continue;
		/* fresh counters and no states: pf's new rule starts at zero */
		if ((err = ctl_pcpu_zero(h, PFM_RULECTR, &key.idx, sizeof(struct pf_rule_counters))) ||
		    bpf_map_update_elem(sfd, &key.idx, &zero, BPF_ANY) ||
		    bpf_map_update_elem(xfd, &key, &v, BPF_ANY)) {
			err = err ? err : -errno;
			break;
		}
		rids[got++] = key.idx;
	}
	free(used);
	if (err)
		return ctl_fail(h, err, "giving the rules their ids: %s", strerror(-err));
	if (got < n)
		return ctl_fail(h, -ENOSPC,
				"no rule id left for %u rules: %u ids held by loaded rules and "
				"by old rules whose states live on (flush states or wait for them)",
				n, retired);
	return 0;
}

int ctl_rid_record(struct pfbpf_handle *h, const struct ctl_flat *f, __u32 slot,
		   const __u32 *rids, __u32 n)
{
	int xfd = ctl_map(h, PFM_XFLAT);

	if (xfd < 0)
		return xfd;
	for (__u32 i = 0; i < n && i < f->n; i++) {
		struct pfbpf_xflat_key key = { .slot = PFBPF_XFLAT_RID, .idx = rids[i] };
		struct pfbpf_xflat v = { .nr = f->o[i].nr, .slots = 1u << slot };

		memcpy(v.anchor, f->o[i].anchor, sizeof(v.anchor));
		memcpy(v.label[0], f->r[i].label, PF_RULE_LABEL_SIZE);
		for (int l = 1; l < PF_RULE_MAX_LABEL_COUNT; l++)
			memcpy(v.label[l], f->r[i].label_more[l - 1], PF_RULE_LABEL_SIZE);
		for (int l = 0; l < PF_RULE_MAX_LABEL_COUNT; l++)
			v.label[l][PF_RULE_LABEL_SIZE - 1] = 0;
		if (bpf_map_update_elem(xfd, &key, &v, BPF_ANY))
			return ctl_fail(h, -errno, "recording rule id %u: %s", rids[i],
					strerror(errno));
	}
	return 0;
}

__u32 ctl_rid_at(struct pfbpf_handle *h, __u32 slot, __u32 pos)
{
	struct pfbpf_xflat_key k = { .slot = slot, .idx = pos };
	struct pfbpf_xflat v;
	int fd = ctl_map(h, PFM_XFLAT);

	if (fd < 0 || bpf_map_lookup_elem(fd, &k, &v) || v.rid < PF_RID_BASE ||
	    v.rid >= PF_RULECTR_ENTRIES)
		return 0;
	return v.rid;
}

bool ctl_rid_has_label(const struct pf_xflat_origins *x, __u32 rid, const char *label)
{
	const struct pfbpf_xflat *v = pf_xflat_rid_find(x, rid);

	for (int l = 0; v && l < PF_RULE_MAX_LABEL_COUNT; l++)
		if (v->label[l][0] && !strncmp(v->label[l], label, PF_RULE_LABEL_SIZE))
			return true;
	return false;
}
