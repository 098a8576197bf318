// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipctl.c - switch the datapath's packet events (the ip provider) on while
 * some pftrace needs them and off when the last one leaves.  See trace.h
 * for the registry design: one file per live instance, union written under
 * an flock, dead pids ignored so a SIGKILLed instance cannot leave packet
 * events (and their per-packet cost) on forever.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "trace/trace.h"

#define TRACE_ALL_BITS (PF_TRACE_IP_RECEIVE | PF_TRACE_IP_SEND)

static int mkdir_p(const char *path)
{
	char tmp[256];

	if (strlen(path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	strcpy(tmp, path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

unsigned int trace_ip_union(const char *dir, int self_pid, unsigned int self_bits,
			    int *other_pid)
{
	unsigned int bits = self_bits;

	if (other_pid)
		*other_pid = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return bits;
	while ((de = readdir(d))) {
		char path[512], line[32];
		char *end;
		long pid;
		FILE *f;

		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self_pid)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		/* A registrant that died without unregistering: forget it. */
		if (kill(pid, 0) && errno == ESRCH) {
			unlink(path);
			continue;
		}
		f = fopen(path, "r");
		if (!f)
			continue;
		if (other_pid && !*other_pid)
			*other_pid = pid;
		if (fgets(line, sizeof(line), f))
			bits |= strtoul(line, NULL, 0) & TRACE_ALL_BITS;
		fclose(f);
	}
	closedir(d);
	return bits;
}

/* Lock the registry folder, creating it if needed; -errno or a dir fd. */
static int lock_dir(struct trace_ipctl *c)
{
	for (int tries = 0; tries < 10; tries++) {
		struct stat st;
		int dfd, err;

		err = mkdir_p(c->dir);
		if (err)
			return err;
		dfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		if (flock(dfd, LOCK_EX)) {
			err = -errno;
			close(dfd);
			return err;
		}
		/* The last user removed the folder while we waited: start over. */
		if (fstat(dfd, &st) == 0 && st.st_nlink > 0)
			return dfd;
		close(dfd);
	}
	return -EAGAIN;
}

/* Read-modify-write pf_config.trace with the union of all registrants. */
static int apply(struct trace_ipctl *c, bool stay, unsigned int self_bits)
{
	struct pf_config cfg;
	__u32 zero = 0;
	unsigned int want;
	int dfd, err = 0;

	dfd = lock_dir(c);
	if (dfd < 0)
		return dfd;
	if (stay) {
		FILE *f = fopen(c->path, "w");

		if (!f) {
			err = -errno;
			goto out;
		}
		fprintf(f, "%u\n", self_bits);
		if (fclose(f)) {
			err = -errno;
			goto out;
		}
	} else {
		unlink(c->path);
	}
	want = trace_ip_union(c->dir, getpid(), self_bits, stay ? &c->other_pid : NULL);
	/*
	 * The config is one array element written whole: pfctl_bpf writing
	 * the same element between our lookup and update would lose its
	 * change.  The window is a few microseconds and pfctl_bpf writes
	 * rarely; the map has no field-level update to close it.
	 */
	if (bpf_map_lookup_elem(c->config_fd, &zero, &cfg)) {
		err = -errno;
		goto out;
	}
	if ((cfg.trace & TRACE_ALL_BITS) != want) {
		cfg.trace = (cfg.trace & ~TRACE_ALL_BITS) | want;
		if (bpf_map_update_elem(c->config_fd, &zero, &cfg, BPF_EXIST))
			err = -errno;
	}
	/* Nobody left: remove the folder (rmdir fails harmlessly if not empty). */
	if (!stay)
		rmdir(c->dir);
out:
	close(dfd); /* drops the flock */
	return err;
}

int trace_ip_enable(struct trace_ipctl *c, int config_fd, unsigned int bits)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	int err;

	memset(c, 0, sizeof(*c));
	c->config_fd = config_fd;
	if (bpf_obj_get_info_by_fd(config_fd, &info, &ilen))
		return -errno;
	c->map_id = info.id;
	snprintf(c->dir, sizeof(c->dir), "%s/%u", TRACE_REG_DIR, c->map_id);
	snprintf(c->path, sizeof(c->path), "%s/%d", c->dir, (int)getpid());
	c->bits = bits & TRACE_ALL_BITS;
	c->registered = true;
	err = apply(c, true, c->bits);
	if (err) {
		unlink(c->path);
		c->registered = false;
	}
	return err;
}

int trace_ip_disable(struct trace_ipctl *c)
{
	int err;

	if (!c->registered)
		return 0;
	c->registered = false;
	err = apply(c, false, 0);
	unlink(c->path);
	return err;
}
