// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_compile.c - hand a ruleset to the classifier compiler (user/cls)
 * and install the result into one ruleset slot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "ioctl_priv.h"

#if __has_include("cls/cls.h")
#include "cls/cls.h"
#define HAVE_CLS 1
#else
#define HAVE_CLS 0
#endif

int (*ctl_install_hook)(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			  __u32 slot);

#if HAVE_CLS
struct cb_arg {
	struct pfbpf_handle *h;
};

/* Tables named by rules exist from the moment a ruleset uses them (pf
 * creates them as "referenced"), so the compiler always gets an id. */
static int table_id_cb(const char *name, void *arg)
{
	struct cb_arg *a = arg;

	return ctl_table_id(a->h, name, true);
}

static int map_fd_cb(const char *name, void *arg)
{
	struct cb_arg *a = arg;
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", a->h->pin_dir, name);
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

int ctl_compile_install(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			  __u32 slot)
{
	struct cb_arg a = { .h = h };
	struct pfbpf_cls_image *img = NULL;
	char err[256] = "";
	int ret;

	if (ctl_install_hook)
		return ctl_install_hook(h, rules, n, slot);

	ret = pfbpf_cls_compile(rules, n, table_id_cb, &a, &img, err, sizeof(err));
	if (ret)
		return ctl_fail(h, ret < 0 ? ret : -EINVAL, "ruleset rejected: %s",
				  err[0] ? err : strerror(ret < 0 ? -ret : EINVAL));
	ret = pfbpf_cls_install(img, slot, map_fd_cb, &a);
	pfbpf_cls_free(img);
	if (ret)
		return ctl_fail(h, ret < 0 ? ret : -EIO, "installing the ruleset into slot %u: %s",
				  slot, strerror(ret < 0 ? -ret : EIO));
	return 0;
}
#else
int ctl_compile_install(struct pfbpf_handle *h, const struct pfbpf_rule *rules, __u32 n,
			  __u32 slot)
{
	if (ctl_install_hook)
		return ctl_install_hook(h, rules, n, slot);
	/* Without the compiler the datapath keeps its built-in empty ruleset;
	 * accepting rules it would not enforce would be a silent lie. */
	if (n)
		return ctl_fail(h, -ENODEV,
				  "libpfbpf was built without the rule classifier (user/cls): cannot install %u rules",
				  n);
	return 0;
}
#endif
