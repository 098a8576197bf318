// SPDX-License-Identifier: BSD-2-Clause
/*
 * handle.c - libpfbpf's handles: pfbpf_open/pfbpf_ioctl/pfbpf_close and
 * pfbpf_strerror, safe to call from several threads; the map plumbing every
 * command shares (opening pins, creating the control maps, per-CPU values)
 * and finding or loading pf_ctl.  Opening pins, the open errors and the
 * pf_ctl loader are lib/pin_open.c's, shared with the other tools.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ioctl_priv.h"

/*
 * Handles are looked up by number: the number is a descriptor the handle
 * owns, so it is unique in the process for as long as the handle lives.
 * handles_lock guards the table and every handle's refs; handles_idle is
 * signalled when a handle's refs drop to zero.
 */
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t handles_idle = PTHREAD_COND_INITIALIZER;
static struct pfbpf_handle **handles;
static int nhandles;

/*
 * Reasons in words are the calling thread's: a daemon's threads each read
 * the reason of their own last failure, never one another's half-written
 * one, and a reason stays readable after another thread closed the handle.
 */
static __thread char open_reason[512];
static __thread struct {
	int dev;
	char text[512];
} last_fail = { .dev = -1 };

int ctl_fail(struct pfbpf_handle *h, int err, const char *fmt, ...)
{
	va_list ap;

	if (h) {
		va_start(ap, fmt);
		vsnprintf(h->reason, sizeof(h->reason), fmt, ap);
		va_end(ap);
	}
	return err;
}

__u64 ctl_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

__u32 pfbpf_now(void)
{
	return ctl_boot_ns() / 1000000000ull;
}

__s64 ctl_real_s(void)
{
	return time(NULL);
}

static void handle_free(struct pfbpf_handle *h)
{
	for (int i = 0; i < PFM_MAX; i++)
		if (h->fd[i] >= 0)
			close(h->fd[i]);
	if (h->ctl.obj)
		pfbpf_ctl_unload(&h->ctl);
	else if (h->ctl_prog_fd >= 0)
		close(h->ctl_prog_fd);
	for (int i = 0; i < CTL_XFD_MAX && h->xfd[i].name[0]; i++)
		close(h->xfd[i].fd);
	if (h->dir_fd >= 0)
		close(h->dir_fd);
	if (h->dev >= 0)
		close(h->dev);
	ctl_flat_free(&h->flat);
	ctl_rulelist_free(h);
	pf_xflat_free(&h->origins);
	free(h->rids);
	h->rids = NULL;
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* The handle dev with a reference taken, or NULL (closed or never open). */
static struct pfbpf_handle *handle_get(int dev)
{
	struct pfbpf_handle *h = NULL;

	pthread_mutex_lock(&handles_lock);
	if (dev >= 0 && dev < nhandles)
		h = handles[dev];
	if (h)
		h->refs++;
	pthread_mutex_unlock(&handles_lock);
	return h;
}

static void handle_put(struct pfbpf_handle *h)
{
	pthread_mutex_lock(&handles_lock);
	if (--h->refs == 0)
		pthread_cond_broadcast(&handles_idle);
	pthread_mutex_unlock(&handles_lock);
}

/* Create one of our control maps and pin it; another process may win the
 * race, then we use its map. */
static int ctl_map_create(struct pfbpf_handle *h, enum pfm m, const char *path)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	enum bpf_map_type type;
	__u32 ksz, vsz, max;
	int fd;

	switch (m) {
	case PFM_XRULES:
		/* The rule text only takes memory for rules that exist. */
		type = BPF_MAP_TYPE_HASH;
		ksz = sizeof(struct pfbpf_xrule_key);
		vsz = sizeof(struct pfbpf_rule);
		max = PFBPF_XRULES_MAX;
		opts.map_flags = BPF_F_NO_PREALLOC;
		break;
	case PFM_XMETA:
		type = BPF_MAP_TYPE_ARRAY;
		ksz = 4;
		vsz = sizeof(struct pfbpf_xmeta);
		max = 1;
		break;
	case PFM_XTABLES:
		type = BPF_MAP_TYPE_HASH;
		ksz = PF_TABLE_NAME_SIZE;
		vsz = sizeof(struct pfbpf_xtable);
		max = PF_MAX_TABLES;
		opts.map_flags = BPF_F_NO_PREALLOC;
		break;
	case PFM_XFLAT:
		type = BPF_MAP_TYPE_HASH;
		ksz = sizeof(struct pfbpf_xflat_key);
		vsz = sizeof(struct pfbpf_xflat);
		max = PF_RULESET_SLOTS * (PF_MAX_RULES + 1) + PF_MAX_RIDS;
		opts.map_flags = BPF_F_NO_PREALLOC;
		break;
	case PFM_XIFFLAGS:
		type = BPF_MAP_TYPE_HASH;
		ksz = 4;
		vsz = sizeof(struct pfbpf_xif);
		max = 4096;
		opts.map_flags = BPF_F_NO_PREALLOC;
		break;
	default:
		return -EINVAL;
	}
	fd = bpf_map_create(type, pfbpf_map_name(m), ksz, vsz, max, &opts);
	if (fd < 0)
		return ctl_fail(h, -errno, "cannot create control map %s: %s", pfbpf_map_name(m),
				  strerror(errno));
	if (bpf_obj_pin(fd, path)) {
		int err = -errno;

		close(fd);
		if (err != -EEXIST)
			return ctl_fail(h, err, "cannot pin %s: %s", path, strerror(-err));
		fd = bpf_obj_get(path);
		if (fd < 0)
			return ctl_fail(h, -errno, "cannot open %s: %s", path, strerror(errno));
	}
	return fd;
}

int ctl_map(struct pfbpf_handle *h, enum pfm m)
{
	char path[PATH_MAX + 32];
	int fd;

	if (h->fd[m] >= 0)
		return h->fd[m];
	snprintf(path, sizeof(path), "%s/%s", h->pin_dir, pfbpf_map_name(m));
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT && m >= PFM_FIRST_CTL) {
		if (!(h->flags & (O_WRONLY | O_RDWR)))
			/* Read-only users see an empty control state. */
			return ctl_fail(h, -ENOENT, "%s does not exist yet", path);
		fd = ctl_map_create(h, m, path);
		if (fd < 0)
			return fd;
	} else if (fd < 0 && (errno == EPERM || errno == EACCES)) {
		return ctl_fail(h, -errno, "%s: %s", path, pfbpf_pin_strerror(-EPERM, h->pin_dir));
	} else if (fd < 0 && errno == ENOENT && m < PFM_NREQUIRED) {
		return ctl_fail(h, -ENOENT, "%s", pfbpf_pin_strerror(-ENOENT, h->pin_dir));
	} else if (fd < 0) {
		return ctl_fail(h, -errno, "map %s is not pinned in %s (%s): is the datapath loaded?",
				pfbpf_map_name(m), h->pin_dir, strerror(errno));
	}
	h->fd[m] = fd;
	return fd;
}

static int elem_read(struct pfbpf_handle *h, enum pfm m, void *val)
{
	__u32 zero = 0;
	int fd = ctl_map(h, m);

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &zero, val))
		return ctl_fail(h, -errno, "reading %s: %s", pfbpf_map_name(m), strerror(errno));
	return 0;
}

static int elem_write(struct pfbpf_handle *h, enum pfm m, const void *val)
{
	__u32 zero = 0;
	int fd = ctl_map(h, m);

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, &zero, val, BPF_ANY))
		return ctl_fail(h, -errno, "writing %s: %s", pfbpf_map_name(m), strerror(errno));
	return 0;
}

int ctl_cfg_read(struct pfbpf_handle *h, struct pf_config *cfg)
{
	return elem_read(h, PFM_CONFIG, cfg);
}

int ctl_cfg_write(struct pfbpf_handle *h, const struct pf_config *cfg)
{
	return elem_write(h, PFM_CONFIG, cfg);
}

int ctl_gcount_read(struct pfbpf_handle *h, struct pf_gcount *gc)
{
	return elem_read(h, PFM_COUNT, gc);
}

int ctl_xmeta_read(struct pfbpf_handle *h, struct pfbpf_xmeta *m)
{
	int err = elem_read(h, PFM_XMETA, m);

	if (err == -ENOENT && !(h->flags & O_RDWR)) {
		memset(m, 0, sizeof(*m));
		return 0;
	}
	return err;
}

int ctl_xmeta_write(struct pfbpf_handle *h, const struct pfbpf_xmeta *m)
{
	return elem_write(h, PFM_XMETA, m);
}

size_t ctl_pcpu_stride(size_t size)
{
	return (size + 7) & ~(size_t)7;
}

int ctl_pcpu_read(struct pfbpf_handle *h, enum pfm m, const void *key, void *buf, size_t size)
{
	int fd = ctl_map(h, m);

	if (fd < 0)
		return fd;
	(void)size;
	if (bpf_map_lookup_elem(fd, key, buf))
		return -errno;
	return 0;
}

int ctl_pcpu_zero(struct pfbpf_handle *h, enum pfm m, const void *key, size_t size)
{
	int fd = ctl_map(h, m), err = 0;
	void *buf;

	if (fd < 0)
		return fd;
	buf = calloc(h->ncpu, ctl_pcpu_stride(size));
	if (!buf)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, key, buf, BPF_EXIST))
		err = -errno;
	free(buf);
	return err;
}

/*
 * Walk the loaded programs for those that use our pf_config: that is how
 * the datapath and its pf_ctl program are found whoever loaded them
 * (pfctl_bpf -e, `ip link set xdp obj`, `tc filter add ... bpf obj`).
 */
static int find_progs(struct pfbpf_handle *h, bool want_ctl, int *ctl_fd)
{
	static const enum pfm ours[] = { PFM_CONFIG, PFM_STATES, PFM_COUNT, PFM_STATUS };
	__u32 our_ids[4] = {}, id = 0;
	int found = 0;

	/* A program is ours when it uses one of our maps (by kernel map id). */
	for (size_t i = 0; i < 4; i++) {
		struct bpf_map_info minfo = {};
		__u32 mlen = sizeof(minfo);
		int fd = ctl_map(h, ours[i]);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &minfo, &mlen))
			our_ids[i] = minfo.id;
	}
	if (!our_ids[0])
		return -ENOENT;
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 ids[64], len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);
		bool uses = false;

		if (fd < 0)
			continue;
		info.nr_map_ids = 64;
		info.map_ids = (__u64)(unsigned long)ids;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
			for (size_t j = 0; j < 4; j++)
				uses |= our_ids[j] && ids[i] == our_ids[j];
		if (uses && want_ctl && info.type == BPF_PROG_TYPE_SYSCALL &&
		    !strcmp(info.name, "pf_ctl")) {
			*ctl_fd = fd;
			return 1;
		}
		if (uses && !want_ctl &&
		    (info.type == BPF_PROG_TYPE_XDP || info.type == BPF_PROG_TYPE_SCHED_CLS ||
		     info.type == BPF_PROG_TYPE_SCHED_ACT))
			found = 1;
		close(fd);
		if (found)
			return 1;
	}
	return 0;
}

int ctl_datapath_loaded(struct pfbpf_handle *h)
{
	return find_progs(h, false, NULL);
}

int ctl_run_ctl(struct pfbpf_handle *h, struct pf_ctl_req *req)
{
	int err;

	if (h->ctl_prog_fd == -1) {
		int fd = -1;

		err = find_progs(h, true, &fd);
		if (err < 0)
			return err;
		/* Nobody loaded pf_ctl (iproute2 attached the datapath):
		 * load it against our pins, adopting their sizes. */
		if (!err && (h->flags & O_RDWR) &&
		    !pfbpf_ctl_load(h->pin_dir, &h->ctl, h->reason, sizeof(h->reason))) {
			fd = h->ctl.fd;
			err = 1;
		}
		h->ctl_prog_fd = err ? fd : -2;
	}
	if (h->ctl_prog_fd < 0)
		return -ENODEV;
	err = pfbpf_ctl_exec(h->ctl_prog_fd, req);
	if (err && !req->result)
		return ctl_fail(h, err, "running pf_ctl: %s", strerror(-err));
	return err;
}

static int handle_add(struct pfbpf_handle *h)
{
	pthread_mutex_lock(&handles_lock);
	if (h->dev >= nhandles) {
		int n = h->dev + 16;
		struct pfbpf_handle **nh = realloc(handles, n * sizeof(*nh));

		if (!nh) {
			pthread_mutex_unlock(&handles_lock);
			return -ENOMEM;
		}
		memset(nh + nhandles, 0, (n - nhandles) * sizeof(*nh));
		handles = nh;
		nhandles = n;
	}
	handles[h->dev] = h;
	pthread_mutex_unlock(&handles_lock);
	return 0;
}

int pfbpf_open(const char *path, int flags)
{
	struct pfbpf_handle *h;
	const char *dir = path;
	int err;

	open_reason[0] = 0;
	if (!dir || !strcmp(dir, "/dev/pf"))
		dir = pfbpf_pin_dir();
	if ((flags & O_ACCMODE) == O_WRONLY) {
		errno = EINVAL;
		return -1;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		errno = ENOMEM;
		return -1;
	}
	pthread_mutex_init(&h->lock, NULL);
	for (int i = 0; i < PFM_MAX; i++)
		h->fd[i] = -1;
	h->ctl_prog_fd = -1;
	h->ctl.fd = -1;
	h->dev = -1;
	h->dir_fd = -1;
	h->flags = flags & O_ACCMODE;
	snprintf(h->pin_dir, sizeof(h->pin_dir), "%s", dir);
	h->ncpu = libbpf_num_possible_cpus();
	if (h->ncpu <= 0) {
		err = -EIO;
		goto fail;
	}
	err = pfbpf_pin_check(dir);
	if (!err) {
		h->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = h->dir_fd < 0 ? -errno : ctl_map(h, PFM_CONFIG);
	}
	err = pfbpf_pin_open_err(err < 0 ? err : 0);
	if (err) {
		/* The three failures a user fixes get the one message that
		 * says how; others keep the library's reason. */
		if (err == -EPERM || err == -ENODEV || err == -ENOENT || !h->reason[0])
			snprintf(open_reason, sizeof(open_reason), "%s", pfbpf_pin_strerror(err, dir));
		else
			snprintf(open_reason, sizeof(open_reason), "%s", h->reason);
		goto fail;
	}
	h->dev = fcntl(h->fd[PFM_CONFIG], F_DUPFD_CLOEXEC, 3);
	if (h->dev < 0) {
		err = -errno;
		goto fail;
	}
	err = handle_add(h);
	if (err)
		goto fail;
	return h->dev;
fail:
	if (!open_reason[0])
		snprintf(open_reason, sizeof(open_reason), "%s: %s", dir, strerror(-err));
	handle_free(h);
	errno = -err;
	return -1;
}

/*
 * Later calls on dev fail with EBADF at once; calls already inside (or
 * waiting for the handle's lock) finish first, then the handle is freed.
 */
int pfbpf_close(int dev)
{
	struct pfbpf_handle *h = NULL;

	pthread_mutex_lock(&handles_lock);
	if (dev >= 0 && dev < nhandles)
		h = handles[dev];
	if (!h) {
		pthread_mutex_unlock(&handles_lock);
		errno = EBADF;
		return -1;
	}
	handles[dev] = NULL;
	while (h->refs)
		pthread_cond_wait(&handles_idle, &handles_lock);
	pthread_mutex_unlock(&handles_lock);
	handle_free(h);
	return 0;
}

const char *pfbpf_cmd_name(unsigned long cmd)
{
	for (const struct pfbpf_cmd *c = ctl_cmds; c->name; c++)
		if (c->cmd == cmd)
			return c->name;
	return NULL;
}

/*
 * A DIOCXCOMMIT whose client died half way (pfbpf_xmeta.commit still set
 * while we hold the folder's lock, so nobody is carrying it out) is
 * finished before anything else reads or writes the rules.  A reader
 * holds the lock shared: it takes it exclusively for the recovery.  A
 * read-only handle recovers too (its map fds are the same as a writer's):
 * the commit is owed by the library, as pf's kernel would finish it, and
 * `pfctl -sr` must never list half a ruleset.
 */
static int commit_pending(struct pfbpf_handle *h, bool exclusive)
{
	struct pfbpf_xmeta m;
	int err;

	if (ctl_xmeta_read(h, &m) || !m.commit)
		return 0;
	if (!exclusive && flock(h->dir_fd, LOCK_EX))
		return -errno;
	err = ctl_commit_recover(h);
	if (!exclusive)
		flock(h->dir_fd, LOCK_SH);
	if (err) {
		/* ctl_fail writes h->reason: format from a copy of it */
		char why[sizeof(h->reason)];

		snprintf(why, sizeof(why), "%s", h->reason[0] ? h->reason : strerror(-err));
		return ctl_fail(h, err, "finishing an interrupted DIOCXCOMMIT: %s", why);
	}
	return 0;
}

static int ioctl_locked(struct pfbpf_handle *h, unsigned long cmd, void *arg)
{
	const struct pfbpf_cmd *c;
	int err;

	h->reason[0] = 0;
	for (c = ctl_cmds; c->name; c++)
		if (c->cmd == cmd)
			break;
	if (!c->name)
		return ctl_fail(h, -ENOTTY, "unknown command 0x%lx", cmd);
	if (c->write && h->flags != O_RDWR)
		return ctl_fail(h, -EACCES, "%s: handle opened read-only", c->name);
	if (!arg && _IOC_SIZE(cmd))
		return ctl_fail(h, -EFAULT, "%s: no argument", c->name);
	/* Writers of the same pin folder go one at a time: every command is a
	 * read-modify-write of maps another process may be changing too.
	 * Readers share the lock, so they never see a commit half done. */
	if (flock(h->dir_fd, c->write ? LOCK_EX : LOCK_SH))
		return errno ? -errno : -EIO;
	err = commit_pending(h, c->write);
	if (!err)
		err = c->fn(h, arg);
	flock(h->dir_fd, LOCK_UN);
	if (err < 0 && h->reason[0] && strncmp(h->reason, c->name, strlen(c->name))) {
		char tmp[sizeof(h->reason)];

		memcpy(tmp, h->reason, sizeof(tmp));
		snprintf(h->reason, sizeof(h->reason), "%s: %.400s", c->name, tmp);
	}
	return err < 0 ? err : 0;
}

int pfbpf_ioctl(int dev, unsigned long cmd, void *arg)
{
	struct pfbpf_handle *h = handle_get(dev);
	int err;

	if (!h) {
		last_fail.dev = dev;
		last_fail.text[0] = 0;
		errno = EBADF;
		return -1;
	}
	pthread_mutex_lock(&h->lock);
	err = ioctl_locked(h, cmd, arg);
	/* The reason leaves the handle while we still hold it. */
	last_fail.dev = dev;
	snprintf(last_fail.text, sizeof(last_fail.text), "%s", err ? h->reason : "");
	pthread_mutex_unlock(&h->lock);
	handle_put(h);
	if (err) {
		errno = -err;
		return -1;
	}
	return 0;
}

const char *pfbpf_strerror(int dev)
{
	static __thread char buf[64];

	if (dev == -1)
		return open_reason[0] ? open_reason : strerror(errno);
	if (dev == last_fail.dev && last_fail.text[0])
		return last_fail.text;
	snprintf(buf, sizeof(buf), "%s", strerror(errno));
	return buf;
}

const char *pfbpf_dev_pin_dir(int dev)
{
	struct pfbpf_handle *h = handle_get(dev);
	const char *dir = h ? h->pin_dir : NULL;

	/* The folder does not change while the handle lives. */
	if (h)
		handle_put(h);
	return dir;
}
