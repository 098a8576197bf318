// SPDX-License-Identifier: BSD-2-Clause
/*
 * install.c - write a compiled image into one ruleset slot of the maps.
 * The slot written is the inactive one: packets read only the active slot
 * (pf_config.active), so the order of the writes below does not matter to
 * them, and the flip that follows makes the whole ruleset visible at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>

#include "cls/cls_int.h"

/* Array entries [first, first + n) from vals, in batches (one syscall per
 * 8192 entries instead of one per entry). */
static int array_write(int fd, __u32 first, const void *vals, __u32 n, size_t vsize)
{
	enum { CHUNK = 8192 };
	__u32 keys[CHUNK], i, done = 0;

	while (done < n) {
		__u32 cnt = n - done < CHUNK ? n - done : CHUNK;
		int err;

		for (i = 0; i < cnt; i++)
			keys[i] = first + done + i;
		err = bpf_map_update_batch(fd, keys, (const char *)vals + (size_t)done * vsize, &cnt, NULL);
		if (err) {
			/* kernels without batch ops on this map type: one by one */
			for (i = 0; i < cnt; i++) {
				err = bpf_map_update_elem(fd, &keys[i],
							  (const char *)vals + (size_t)(done + i) * vsize, BPF_ANY);
				if (err)
					return -errno;
			}
		}
		done += cnt;
	}
	return 0;
}

/* Delete every key of a hash/LPM map whose slot (read by slot_of) is slot. */
static int delete_slot(int fd, size_t ksize, unsigned slot, unsigned (*slot_of)(const void *k))
{
	char *keys = NULL, cur[64], next[64];
	size_t n = 0, cap = 0, i;
	void *prev = NULL;
	int err = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (slot_of(next) == slot) {
			if (n == cap) {
				char *nk = realloc(keys, (cap = cap ? 2 * cap : 256) * ksize);

				if (!nk) {
					err = -ENOMEM;
					goto out;
				}
				keys = nk;
			}
			memcpy(keys + n * ksize, next, ksize);
			n++;
		}
		memcpy(cur, next, ksize);
		prev = cur;
	}
	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * ksize) && errno != ENOENT) {
			err = -errno;
			goto out;
		}
out:
	free(keys);
	return err;
}

static unsigned if_slot(const void *k)
{
	return ((const struct pf_cls_if_key *)k)->slot;
}

static unsigned addr_slot(const void *k)
{
	return ((const struct pf_cls_addr_key *)k)->slot;
}

int pfbpf_cls_install(const struct pfbpf_cls_image *img, unsigned slot,
		      int (*map_fd)(const char *map_name, void *arg), void *arg)
{
	int rules, meta, base, ifm, addr, port, flags, icmp, bm, pool, words, b2r;
	struct pf_cls_meta old = {}, nm = {};
	__u32 i, s = slot;
	int err;

	if (slot >= PF_RULESET_SLOTS)
		return -EINVAL;
	if ((rules = map_fd(PFBPF_MAP_RULES, arg)) < 0)
		return rules;
#define FD(v, name)                      \
	do {                             \
		if ((v = map_fd(name, arg)) < 0) \
			return v;        \
	} while (0)
	FD(meta, PFBPF_MAP_CLS_META);
	FD(base, PFBPF_MAP_CLS_BASE);
	FD(ifm, PFBPF_MAP_CLS_IF);
	FD(addr, PFBPF_MAP_CLS_ADDR);
	FD(port, PFBPF_MAP_CLS_PORT);
	FD(flags, PFBPF_MAP_CLS_FLAGS);
	FD(icmp, PFBPF_MAP_CLS_ICMP);
	FD(bm, PFBPF_MAP_CLS_BM);
	FD(pool, PFBPF_MAP_CLS_POOL);
	FD(words, PFBPF_MAP_CLS_WORDS);
	FD(b2r, PFBPF_MAP_CLS_B2R);
#undef FD
	bpf_map_lookup_elem(meta, &s, &old);

	if (img->nrules && !img->rb[0].rid) {
		/* No rule ids given (pfbpf_cls_commit's callers: the bench and
		 * the datapath tests manage none): one fixed id per slot
		 * position, so states count for their rule as with libpfbpf's
		 * ids, only without outliving a reload into the same slot. */
		struct pf_rule_bpf *rb = malloc(img->nrules * sizeof(*rb));

		if (!rb)
			return -ENOMEM;
		memcpy(rb, img->rb, img->nrules * sizeof(*rb));
		for (i = 0; i < img->nrules; i++)
			rb[i].rid = PF_RID_BASE + slot * PF_MAX_RULES + i;
		err = array_write(rules, slot * PF_MAX_RULES, rb, img->nrules, sizeof(*rb));
		free(rb);
		if (err)
			return err;
	} else if (img->nrules &&
		   (err = array_write(rules, slot * PF_MAX_RULES, img->rb, img->nrules, sizeof(*img->rb)))) {
		return err;
	}
	if (old.nrules > img->nrules && old.nrules <= PF_MAX_RULES) {
		/* rules of the previous ruleset in this slot: zeroed, so a dump
		 * never shows them */
		__u32 stale = old.nrules - img->nrules;
		struct pf_rule_bpf *z = calloc(stale, sizeof(*z));

		if (!z)
			return -ENOMEM;
		err = array_write(rules, slot * PF_MAX_RULES + img->nrules, z, stale, sizeof(*z));
		free(z);
		if (err)
			return err;
	}
	if ((err = array_write(bm, slot * PF_CLS_MAX_BMS, img->bms, img->nbms, sizeof(*img->bms))) ||
	    (img->npool &&
	     (err = array_write(pool, slot * PF_CLS_POOL_WORDS, img->pool, img->npool, sizeof(*img->pool)))) ||
	    (err = array_write(words, slot * PF_CLS_WORDS, img->words, PF_CLS_WORDS, sizeof(img->words[0]))) ||
	    (err = array_write(b2r, slot * PF_CLS_BITS, img->bit2rule, PF_CLS_BITS, sizeof(__u32))) ||
	    (err = array_write(base, slot * PF_CLS_BASE_N, img->base, PF_CLS_BASE_N, sizeof(__u32))) ||
	    (err = array_write(port, slot * 2 * PF_CLS_PORT_N, img->sport, PF_CLS_PORT_N, sizeof(__u32))) ||
	    (err = array_write(port, (slot * 2 + 1) * PF_CLS_PORT_N, img->dport, PF_CLS_PORT_N, sizeof(__u32))) ||
	    (err = array_write(flags, slot * PF_CLS_FLAGS_N, img->flags, PF_CLS_FLAGS_N, sizeof(__u32))) ||
	    (err = array_write(icmp, slot * PF_CLS_ICMP_N, img->icmp, PF_CLS_ICMP_N, sizeof(__u32))))
		return err;

	if ((err = delete_slot(ifm, sizeof(struct pf_cls_if_key), slot, if_slot)))
		return err;
	for (i = 0; i < img->nifs; i++) {
		struct pf_cls_if_key k = { .slot = slot, .ifindex = img->ifs[i].ifindex };

		if (bpf_map_update_elem(ifm, &k, &img->ifs[i].bm, BPF_ANY))
			return -errno;
	}
	if ((err = delete_slot(addr, sizeof(struct pf_cls_addr_key), slot, addr_slot)))
		return err;
	for (i = 0; i < img->naddrs; i++) {
		const struct cls_addr_ent *a = &img->addrs[i];
		struct pf_cls_addr_key k;

		memset(&k, 0, sizeof(k));
		k.prefixlen = 32 + a->plen;
		k.slot = slot;
		k.side = a->side;
		k.af = a->af;
		k.addr = a->addr;
		if (bpf_map_update_elem(addr, &k, &a->bm, BPF_ANY))
			return -errno;
	}

	nm.nrules = img->nrules;
	nm.if_default = img->if_default;
	nm.nbms = img->nbms;
	nm.npool = img->npool;
	memcpy(nm.wild, img->wild, sizeof(nm.wild));
	nm.nifs = img->nifs;
	nm.skip = cls_skip_mask(img);
	for (i = 0; i < img->naddrs; i++) {
		const struct cls_addr_ent *a = &img->addrs[i];
		unsigned afi = a->af == PF_INET6;

		if (a->plen == 0)
			nm.addr_root[a->side][afi] = a->bm;
		nm.addr_root_only |= 1u << (a->side * 2 + afi);
	}
	/* a bit stays set only when the root is the side's only entry */
	for (i = 0; i < img->naddrs; i++) {
		const struct cls_addr_ent *a = &img->addrs[i];

		if (a->plen)
			nm.addr_root_only &= ~(1u << (a->side * 2 + (a->af == PF_INET6)));
	}
	if (bpf_map_update_elem(meta, &s, &nm, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * The inactive slot may have been the active one a moment ago: a packet
 * that read pf_config.active just before the last flip may still be
 * reading it.  XDP and tc programs run inside RCU read-side sections, so
 * once an RCU grace period has passed none of them can still be in the old
 * slot.  membarrier(GLOBAL) waits for one (synchronize_rcu); where it is
 * not available (nohz_full), a pause far longer than any program run.
 */
static void wait_for_readers(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return;
	nanosleep(&ts, NULL);
}

int pfbpf_cls_commit(const struct pfbpf_cls_image *img,
		     int (*map_fd)(const char *map_name, void *arg), void *arg, unsigned *slot_out)
{
	struct pf_config cfg;
	__u32 zero = 0;
	unsigned slot;
	int fd, err;

	if ((fd = map_fd(PFBPF_MAP_CONFIG, arg)) < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, &cfg))
		return -errno;
	slot = !(cfg.active & 1);
	wait_for_readers();
	if ((err = pfbpf_cls_install(img, slot, map_fd, arg)))
		return err;
	/* re-read: only `active` and the generation are ours to change */
	if (bpf_map_lookup_elem(fd, &zero, &cfg))
		return -errno;
	cfg.active = slot;
	cfg.ruleset_gen++;
	if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY))
		return -errno;
	if (slot_out)
		*slot_out = slot;
	return 0;
}
