// SPDX-License-Identifier: BSD-2-Clause
/*
 * skip.c - which classifier fields a ruleset never tells apart.
 *
 * A field whose bitmap holds every rule for every value it can take
 * (no rule names an interface, no rule tests TCP flags, ...) changes no
 * AND: the datapath need not look it up, nor fetch its words.  Ruleset
 * shapes like `block in all / pass out keep state` name no field but the
 * direction, so their first packets skip all but one lookup.
 *
 * "Every rule" means every bit that is a rule: padding bits are cleared
 * by the base field (direction, af, protocol), which is never skipped, so
 * a skipped field is only required to contain all rule bits.
 */
#include <string.h>

#include "cls_int.h"

/* Does bitmap id hold every rule bit (bits with a rule in bit2rule)? */
static int bm_has_all(const struct pfbpf_cls_image *img, __u32 id)
{
	const struct pf_cls_bm *bm;
	__u32 n = 0, w, b;

	if (id >= img->nbms)
		return 0;
	bm = &img->bms[id];
	for (w = 0; w < PF_CLS_WORDS && w * 64 < img->nbits; w++) {
		__u64 need = 0, have = 0;

		for (b = 0; b < 64 && w * 64 + b < img->nbits; b++)
			if (img->bit2rule[w * 64 + b] != PF_RULE_NONE)
				need |= 1ULL << b;
		if (bm->sum[w / 64] & (1ULL << (w % 64)))
			have = img->pool[bm->base + n++];
		if ((have & need) != need)
			return 0;
	}
	return 1;
}

/* Do all n ids of arr name bitmaps holding every rule?  (Few distinct
 * ids: the last one checked is remembered.) */
static int all_have_all(const struct pfbpf_cls_image *img, const __u32 *arr, size_t n)
{
	__u32 ok = ~0u;

	for (size_t i = 0; i < n; i++) {
		if (arr[i] == ok)
			continue;
		if (!bm_has_all(img, arr[i]))
			return 0;
		ok = arr[i];
	}
	return 1;
}

__u32 cls_skip_mask(const struct pfbpf_cls_image *img)
{
	__u32 skip = 0;

	if (!img->nrules)
		return 0;
	if (!img->nifs && bm_has_all(img, img->if_default))
		skip |= 1u << PF_CLS_F_IF;
	if (all_have_all(img, img->flags, PF_CLS_FLAGS_N))
		skip |= 1u << PF_CLS_F_FLAGS;
	if (all_have_all(img, img->icmp, PF_CLS_ICMP_N))
		skip |= 1u << PF_CLS_F_ICMP;
	/* a pair (specific | wildcard) holds every rule whatever the
	 * specific entry when its wildcard alone does */
	for (unsigned p = 0; p < PF_CLS_NPAIRS; p++)
		if (bm_has_all(img, img->wild[p]))
			skip |= 1u << (PF_CLS_NSINGLE + 2 * p) | 1u << (PF_CLS_NSINGLE + 2 * p + 1);
	return skip;
}
