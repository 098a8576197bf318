// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_compile.c - hand a ruleset to the classifier compiler (user/cls)
 * and install the result into one ruleset slot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"
#include "cls/cls.h"

int (*ctl_install_hook)(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			  __u32 slot);

struct cb_arg {
	struct pfbpf_handle *h;
	__u32 used[PF_MAX_TPROFILES]; /* rules of the new ruleset per profile */
};

/* Tables named by rules exist from the moment a ruleset uses them (pf
 * creates them as "referenced"), so the compiler always gets an id. */
static int table_id_cb(const char *name, void *arg)
{
	struct cb_arg *a = arg;

	return ctl_table_id(a->h, name, true);
}

/* The compiler asks for maps by name; the handle keeps them open. */
static int map_fd_cb(const char *name, void *arg)
{
	struct cb_arg *a = arg;
	struct pfbpf_handle *h = a->h;
	char path[PATH_MAX + 32];
	int i, fd;

	for (i = 0; i < CTL_XFD_MAX && h->xfd[i].name[0]; i++)
		if (!strcmp(h->xfd[i].name, name))
			return h->xfd[i].fd;
	if (i == CTL_XFD_MAX)
		return -ENOSPC;
	snprintf(path, sizeof(path), "%s/%s", h->pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return ctl_fail(h, -errno, "map %s is not pinned in %s: %s", name, h->pin_dir,
				strerror(errno));
	snprintf(h->xfd[i].name, sizeof(h->xfd[i].name), "%s", name);
	h->xfd[i].fd = fd;
	return fd;
}

/*
 * Per-rule timeouts: rules with the same overrides share a pf_tprofiles
 * slot.  States keep their slot index across reloads, so a slot, once
 * written, only ever holds the same timeouts (a slot is content-addressed);
 * refs counts the rules of the newest ruleset using it, for pfctl.
 */
static int tprofile_cb(const struct pfbpf_rule *r, void *arg)
{
	struct cb_arg *a = arg;
	struct pf_tprofile tp, want = {};
	int fd = ctl_map(a->h, PFM_TPROF), free_slot = -1;
	bool any = false;

	if (fd < 0)
		return fd;
	for (int i = 0; i < PFTM_MAX; i++)
		any |= (want.timeout[i] = r->timeout[i]) != 0;
	if (!any)
		return 0;
	for (__u32 i = 1; i < PF_MAX_TPROFILES; i++) {
		bool empty = true;

		if (bpf_map_lookup_elem(fd, &i, &tp))
			return -errno;
		if (!memcmp(tp.timeout, want.timeout, sizeof(want.timeout))) {
			a->used[i]++;
			return i;
		}
		for (int t = 0; t < PFTM_MAX; t++)
			empty &= !tp.timeout[t];
		if (empty && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return ctl_fail(a->h, -ENOSPC, "more than %d distinct per-rule timeout sets",
				PF_MAX_TPROFILES - 1);
	if (bpf_map_update_elem(fd, &free_slot, &want, BPF_ANY))
		return -errno;
	a->used[free_slot]++;
	return free_slot;
}

static void tprofile_refs(struct pfbpf_handle *h, const struct cb_arg *a)
{
	int fd = ctl_map(h, PFM_TPROF);
	struct pf_tprofile tp;

	for (__u32 i = 1; fd >= 0 && i < PF_MAX_TPROFILES; i++) {
		if (bpf_map_lookup_elem(fd, &i, &tp) || tp.refs == a->used[i])
			continue;
		tp.refs = a->used[i];
		bpf_map_update_elem(fd, &i, &tp, BPF_ANY);
	}
}

int ctl_compile_install(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			__u32 slot)
{
	struct cb_arg *a;
	struct pfbpf_cls_image *img = NULL;
	char err[256] = "";
	int ret;

	if (ctl_install_hook)
		return ctl_install_hook(h, rules, n, slot);
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->h = h;
	ret = pfbpf_cls_compile(rules, n, table_id_cb, a, &img, err, sizeof(err));
	if (ret) {
		free(a);
		return ctl_fail(h, ret < 0 ? ret : -EINVAL, "ruleset rejected: %s",
				err[0] ? err : strerror(ret < 0 ? -ret : EINVAL));
	}
	ret = pfbpf_cls_set_tprofiles(img, rules, tprofile_cb, a);
	/* each rule's id (ruleset_prepare), which its states will carry */
	if (!ret && h->rids)
		pfbpf_cls_set_rids(img, h->rids, h->nrids);
	if (!ret)
		ret = pfbpf_cls_install(img, slot, map_fd_cb, a);
	pfbpf_cls_free(img);
	if (!ret)
		tprofile_refs(h, a);
	free(a);
	if (ret) {
		char why[sizeof(h->reason)];

		snprintf(why, sizeof(why), "%s", h->reason[0] ? h->reason : strerror(ret < 0 ? -ret : EIO));
		return ctl_fail(h, ret < 0 ? ret : -EIO, "installing the ruleset into slot %u: %.300s",
				slot, why);
	}
	return 0;
}
