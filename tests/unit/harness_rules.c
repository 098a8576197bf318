// SPDX-License-Identifier: BSD-2-Clause
/*
 * harness_rules.c - load a ruleset into the test's private maps through the
 * real rule compiler (user/cls), as pfctl_bpf's commit does: compile,
 * install into the inactive slot, flip pf_config.active.  Separate from
 * harness.c so that tests not needing rules do not link the compiler.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "cls/cls.h"

static int h_map_fd_cb(const char *name, void *arg)
{
	int fd = h_map_fd(name);

	(void)arg;
	return fd < 0 ? -ENOENT : fd;
}

/* Per-rule timeouts: rule i with any timeout set gets pf_tprofiles slot
 * i + 1 (the control tool shares slots between equal sets; a test does not
 * need to). */
static int h_tprofile_cb(const struct pfbpf_rule *r, void *arg)
{
	const struct pfbpf_rule *first = arg;
	struct pf_tprofile tp;
	__u32 idx = (__u32)(r - first) + 1;
	int any = 0, fd;

	memset(&tp, 0, sizeof(tp));
	for (int i = 0; i < PFTM_MAX; i++)
		any |= (tp.timeout[i] = r->timeout[i]) != 0;
	if (!any)
		return 0;
	if (idx >= PF_MAX_TPROFILES)
		return -ENOSPC;
	fd = h_map_fd(PFBPF_MAP_TPROF);
	if (fd < 0 || bpf_map_update_elem(fd, &idx, &tp, BPF_ANY))
		return -EIO;
	return (int)idx;
}

int h_rules(const struct pfbpf_rule *rules, size_t n)
{
	struct pfbpf_cls_image *img = NULL;
	struct pf_config cfg;
	char err[256] = "";
	unsigned slot;
	int ret;

	ret = h_config_get(&cfg);
	if (ret)
		return ret;
	ret = pfbpf_cls_compile(rules, n, NULL, NULL, &img, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "h_rules: compile: %s\n", err);
		return ret;
	}
	slot = !cfg.active;
	ret = pfbpf_cls_set_tprofiles(img, rules, h_tprofile_cb, (void *)rules);
	if (!ret)
		ret = pfbpf_cls_install(img, slot, h_map_fd_cb, NULL);
	pfbpf_cls_free(img);
	if (ret)
		return ret;
	cfg.active = slot;
	return h_config_set(&cfg);
}

struct pfbpf_rule h_rule(__u8 action, __u8 dir, __u8 proto, __u8 keep_state)
{
	struct pfbpf_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.direction = dir;
	r.proto = proto;
	r.keep_state = keep_state;
	/* pf's default for keep-state TCP rules */
	if (keep_state && (proto == 6 || proto == 0) && action == PF_PASS) {
		r.flags = TH_SYN;
		r.flagset = TH_SYN | TH_ACK;
	}
	return r;
}
