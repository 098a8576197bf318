// SPDX-License-Identifier: BSD-2-Clause
/*
 * pin_open.c - see pin_open.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/pin_open.h"
#include "lib/pf_xflat.h"
#include "pfbpf_layout.h"
/* The datapath object embedded in every tool and in libpfbpf, so that
 * pf_ctl can be loaded without the .o file around ($PFBPF_OBJ overrides). */
#include "pf_kern.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static const char *const map_names[PFM_MAX] = {
	[PFM_STATES] = PFBPF_MAP_STATES,
	[PFM_CONFIG] = PFBPF_MAP_CONFIG,
	[PFM_COUNT] = PFBPF_MAP_COUNT,
	[PFM_STATUS] = PFBPF_MAP_STATUS,
	[PFM_RULECTR] = PFBPF_MAP_RULECTR,
	[PFM_RULESTATES] = PFBPF_MAP_RULESTATES,
	[PFM_IFCTR] = PFBPF_MAP_IFCTR,
	[PFM_EVENTS] = PFBPF_MAP_EVENTS,
	[PFM_TIMER] = PFBPF_MAP_TIMER,
	[PFM_TPROF] = PFBPF_MAP_TPROF,
	[PFM_CREATORS] = PFBPF_MAP_CREATORS,
	[PFM_TABLES] = PFBPF_MAP_TABLES,
	[PFM_TABLESTAT] = PFBPF_MAP_TABLESTAT,
	[PFM_NATRULES] = PFBPF_MAP_NATRULES,
	[PFM_NATPOOL] = PFBPF_MAP_NATPOOL,
	[PFM_NATRR] = PFBPF_MAP_NATRR,
	[PFM_NATMAP] = PFBPF_MAP_NATMAP,
	[PFM_NATSTAT] = PFBPF_MAP_NATSTAT,
	[PFM_LAYOUT] = PFBPF_MAP_LAYOUT,
	[PFM_SYNCOOKIE] = PFBPF_MAP_SYNCOOKIE,
	[PFM_XRULES] = PFBPF_MAP_XRULES,
	[PFM_XMETA] = PFBPF_MAP_XMETA,
	[PFM_XTABLES] = PFBPF_MAP_XTABLES,
	[PFM_XIFFLAGS] = PFBPF_MAP_XIFFLAGS,
	[PFM_XFLAT] = PFBPF_MAP_XFLAT,
};

const char *pfbpf_map_name(enum pfm m)
{
	return m >= 0 && m < PFM_MAX ? map_names[m] : NULL;
}

const char *pfbpf_pin_dir(void)
{
	const char *e = getenv("PFBPF_PIN_DIR");

	return e && *e ? e : PFBPF_PIN_DIR;
}

const char *pfbpf_prog_pin_dir(void)
{
	const char *e = getenv("PFBPF_PROG_PIN_DIR");

	return e && *e ? e : PFBPF_PROG_PIN_DIR;
}

bool pfbpf_is_bpffs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == BPF_FS_MAGIC;
}

int pfbpf_pin_get(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static bool under_bpffs_root(const char *dir)
{
	return !strncmp(dir, PFBPF_BPFFS "/", sizeof(PFBPF_BPFFS)) || !strcmp(dir, PFBPF_BPFFS);
}

int pfbpf_layout_check(const char *dir, char *why, size_t len)
{
	unsigned long long v = 0, ours = PFBPF_LAYOUT_ID;
	__u32 z = 0;
	int fd, st;

	fd = pfbpf_pin_get(dir, PFBPF_MAP_LAYOUT);
	if (fd < 0) {
		st = pfbpf_pin_get(dir, PFBPF_MAP_STATES);
		if (st < 0)
			return 0; /* nothing pinned: the first load stamps */
		close(st);
		if (why)
			snprintf(why, len,
				 "the maps pinned in %s were made by a pfbpf datapath older than the "
				 "layout stamp (no %s): 'pfbpf-load purge' removes them (their states "
				 "are lost), or use that build's tools",
				 dir, PFBPF_MAP_LAYOUT);
		return -EPROTO;
	}
	if (bpf_map_lookup_elem(fd, &z, &v))
		v = 0;
	close(fd);
	if (v && v != ours) {
		if (why)
			snprintf(why, len,
				 "the maps pinned in %s have layout %#llx, this build reads %#llx: "
				 "'pfbpf-load purge' removes them (their states are lost), or use the "
				 "tools of the build that made them",
				 dir, v, ours);
		return -EPROTO;
	}
	return 0;
}

int pfbpf_pin_check(const char *dir)
{
	struct stat st;
	int err;

	if (stat(dir, &st) < 0) {
		err = -errno;
		if (err == -EACCES || err == -EPERM)
			return -EPERM;
		/* A folder missing under /sys/fs/bpf with nothing mounted
		 * there: the mount is what is missing first. */
		if (under_bpffs_root(dir) && !pfbpf_is_bpffs(PFBPF_BPFFS))
			return -ENODEV;
		return -ENOENT;
	}
	if (!S_ISDIR(st.st_mode) || !pfbpf_is_bpffs(dir))
		return -ENODEV;
	return pfbpf_layout_check(dir, NULL, 0);
}

int pfbpf_pin_open_err(int err)
{
	return err && geteuid() != 0 ? -EPERM : err;
}

const char *pfbpf_pin_strerror(int err, const char *dir)
{
	static __thread char buf[PATH_MAX + 160];

	if (!dir)
		dir = pfbpf_pin_dir();
	switch (-err) {
	case EPERM:
	case EACCES:
		return "permission denied: pfbpf needs root (CAP_BPF and CAP_NET_ADMIN)";
	case ENODEV:
	case ENOTDIR:
		/* With bpffs mounted, the folder itself is elsewhere. */
		if (!under_bpffs_root(dir) && pfbpf_is_bpffs(PFBPF_BPFFS)) {
			snprintf(buf, sizeof(buf),
				 "%s is not on a bpffs: pin folders live under " PFBPF_BPFFS, dir);
			return buf;
		}
		return "no bpffs mounted at " PFBPF_BPFFS ": run 'mount -t bpf bpf " PFBPF_BPFFS "'";
	case EPROTO:
		pfbpf_layout_check(dir, buf, sizeof(buf));
		return buf;
	case ENOENT:
		snprintf(buf, sizeof(buf),
			 "pfbpf datapath is not loaded (no maps pinned in %s): "
			 "run 'pfctl_bpf -e -i IFNAME' or 'pfbpf-load attach IFNAME'", dir);
		return buf;
	}
	snprintf(buf, sizeof(buf), "cannot open the pfbpf maps in %s: %s", dir, strerror(-err));
	return buf;
}

struct bpf_object *pfbpf_open_datapath(const char *pin_dir, const char *obj_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir ?: pfbpf_pin_dir(),
		    .object_name = "pf_kern");
	const char *env = getenv("PFBPF_OBJ");
	const void *elf;
	size_t sz;

	if (!obj_path && env && *env)
		obj_path = env;
	if (obj_path)
		return bpf_object__open_file(obj_path, &opts);
	elf = pf_kern__elf_bytes(&sz);
	return bpf_object__open_mem(elf, sz, &opts);
}

int pfbpf_obj_match_pins(struct bpf_object *obj, const char *pin_dir, char *why,
			 size_t len)
{
	struct bpf_map_info info;
	struct bpf_map *map;
	__u32 ilen;
	int fd, n = 0;
	bool same;

	if (!pin_dir)
		pin_dir = pfbpf_pin_dir();
	if (pfbpf_layout_check(pin_dir, why, len))
		return -EPROTO;
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		if (strchr(name, '.'))
			continue; /* .bss/.rodata/.maps internals: never pinned */
		fd = pfbpf_pin_get(pin_dir, name);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		ilen = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &ilen)) {
			close(fd);
			continue; /* libbpf's own check will speak */
		}
		close(fd);
		n++;
		same = info.type == bpf_map__type(map) &&
		       info.key_size == bpf_map__key_size(map) &&
		       info.value_size == bpf_map__value_size(map);
		if (!same) {
			if (why)
				snprintf(why, len,
					 "pinned map %s/%s does not match the datapath object "
					 "(type %u key %u value %u, object %u/%u/%u): remove the "
					 "old pins with 'pfbpf-load purge'",
					 pin_dir, name, info.type, info.key_size, info.value_size,
					 bpf_map__type(map), bpf_map__key_size(map),
					 bpf_map__value_size(map));
			return -EINVAL;
		}
		if (info.max_entries != bpf_map__max_entries(map))
			bpf_map__set_max_entries(map, info.max_entries);
	}
	return n;
}

bool pfbpf_is_ctl_prog(struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return !strcmp(bpf_program__name(p), "pf_ctl") || (sec && !strcmp(sec, "syscall"));
}

int pfbpf_ctl_load(const char *pin_dir, struct pfbpf_ctl *ctl, char *why, size_t len)
{
	struct bpf_object *obj;
	struct bpf_program *p, *prog = NULL;
	char tmp[8];
	int err;

	if (!why) {
		why = tmp;
		len = sizeof(tmp);
	}
	ctl->fd = -1;
	ctl->obj = NULL;
	obj = pfbpf_open_datapath(pin_dir, NULL);
	if (!obj) {
		err = -errno;
		snprintf(why, len, "cannot open the datapath object: %s", strerror(-err));
		return err;
	}
	err = pfbpf_obj_match_pins(obj, pin_dir, why, len);
	if (err < 0)
		goto fail;
	bpf_object__for_each_program(p, obj) {
		if (!prog && pfbpf_is_ctl_prog(p))
			prog = p;
		else
			bpf_program__set_autoload(p, false);
	}
	if (!prog) {
		err = -ENOENT;
		snprintf(why, len, "the datapath object has no pf_ctl program");
		goto fail;
	}
	err = bpf_object__load(obj);
	if (err) {
		snprintf(why, len, "loading pf_ctl against the maps in %s: %s",
			 pin_dir ?: pfbpf_pin_dir(), strerror(-err));
		goto fail;
	}
	ctl->obj = obj;
	ctl->fd = bpf_program__fd(prog);
	return 0;
fail:
	bpf_object__close(obj);
	return err;
}

void pfbpf_ctl_unload(struct pfbpf_ctl *ctl)
{
	bpf_object__close(ctl->obj);
	ctl->obj = NULL;
	ctl->fd = -1;
}

int pfbpf_ctl_exec(int fd, struct pf_ctl_req *req)
{
	/* Syscall programs take no ctx_out: the kernel copies the context
	 * back into ctx_in, which is how req->result and count come back. */
	LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = req, .ctx_size_in = sizeof(*req));
	int rv;

	if (bpf_prog_test_run_opts(fd, &topts) < 0)
		return -errno;
	if (req->result)
		return req->result;
	/* A nonzero return value of the program with no result set is
	 * still a failure (pf_ctl returns -ENOENT without its maps); keep
	 * it visible as a negative errno. */
	rv = (int)topts.retval;
	return rv < 0 ? rv : -rv;
}
