// SPDX-License-Identifier: BSD-2-Clause
/*
 * loader.c - load pf_kern.bpf.o against the pinned maps, attach it on
 * ingress (XDP through libxdp, or tc clsact ingress: lib/hook_choice.h
 * chooses) and on tc egress, pin the programs so that any process can
 * detach them, and arm the sweep timer.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <xdp/libxdp.h>

#include "lib/loader.h"
#include "lib/log.h"
#include "lib/pfbpf_maps.h"
#include "lib/pf_xflat.h"
#include "pfbpf_layout.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* Our tc filter's identity on the clsact hooks: fixed so that detach from
 * another process finds exactly it and never an iproute2 filter (which
 * takes handle 1 at an automatic preference from 49152 down). */
#define PFBPF_TC_HANDLE 0x5046 /* "PF" */
#define PFBPF_TC_PRIO 0x5046

#define PIN_XDP "xdp"
#define PIN_TC_EGRESS "tc_egress"
#define PIN_TC_INGRESS "tc_ingress"
#define PIN_CTL "pf_ctl"

static int libxdp_print_fn(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return pfbpf_log_lib(level == LIBXDP_DEBUG, fmt, ap);
}

static void loader_log_init(void)
{
	static bool done;

	if (!done) {
		libxdp_set_print(libxdp_print_fn);
		done = true;
	}
}

int pfbpf_bpffs_mount(void)
{
	struct statfs sf;

	if (statfs(PFBPF_BPFFS, &sf) == 0 && (unsigned long)sf.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(PFBPF_BPFFS, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mount("bpf", PFBPF_BPFFS, "bpf", 0, "mode=0700") < 0)
		return -errno;
	pr_info("mounted bpffs on %s", PFBPF_BPFFS);
	return 0;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int pin_path(char *buf, size_t len, const char *ifname, const char *what)
{
	int n;

	if (ifname)
		n = snprintf(buf, len, "%s/%s/%s", pfbpf_prog_pin_dir(), ifname, what);
	else
		n = snprintf(buf, len, "%s/%s", pfbpf_prog_pin_dir(), what);
	return n >= (int)len ? -ENAMETOOLONG : 0;
}

/* Replace whatever is pinned at path with fd. */
static int repin(int fd, const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	if (bpf_obj_pin(fd, path) < 0)
		return -errno;
	return 0;
}

/*
 * Whether the program pinned at path is the same code as fd (same tag: the
 * kernel's hash of the instructions with map references blanked, so two
 * loads of one object match although their .rodata/.bss maps differ).  The
 * sweep timer's callback holds a reference to the pf_ctl that armed it;
 * replacing an identical pin on every attach would keep one more pf_ctl
 * alive than the pin shows after each attach/detach cycle.  The same code
 * stays pinned; a different one (a rebuilt object) replaces it.
 */
static bool same_prog_pinned(int fd, const char *path)
{
	struct bpf_prog_info a = {}, b = {};
	__u32 la = sizeof(a), lb = sizeof(b);
	bool same = false;
	int old;

	old = bpf_obj_get(path);
	if (old < 0)
		return false;
	if (!bpf_obj_get_info_by_fd(fd, &a, &la) && !bpf_obj_get_info_by_fd(old, &b, &lb))
		same = !memcmp(a.tag, b.tag, sizeof(a.tag));
	close(old);
	return same;
}

static bool sec_is(struct bpf_program *p, const char *sec)
{
	const char *s = bpf_program__section_name(p);

	return s && !strcmp(s, sec);
}

static bool is_tc_prog(struct bpf_program *p)
{
	const char *s = bpf_program__section_name(p);

	return s && (!strcmp(s, "tc") || !strncmp(s, "tc/", 3) || !strcmp(s, "classifier"));
}

struct datapath {
	struct bpf_object *obj;
	struct bpf_program *xdp;
	struct bpf_program *tc_ingress;
	struct bpf_program *tc_egress;
	struct bpf_program *ctl;
};

/* The object's own layout (its pf_ctl knows it) against the pinned
 * stamp; pfbpf_layout_check() can only compare with this tool's. */
static int layout_match(struct datapath *dp)
{
	struct pf_ctl_req req = { .op = PF_CTL_LAYOUT, .rule = PF_RULE_NONE };
	unsigned long long pinned = 0;
	__u32 z = 0;
	int err, fd;

	err = pfbpf_ctl_exec(bpf_program__fd(dp->ctl), &req);
	if (err != -EPROTO)
		return err == -ENOENT ? 0 : err;
	fd = pfbpf_pin_get(pfbpf_pin_dir(), PFBPF_MAP_LAYOUT);
	if (fd >= 0) {
		bpf_map_lookup_elem(fd, &z, &pinned);
		close(fd);
	}
	pr_warn("the maps pinned in %s have layout %#llx, this object reads %#llx: not "
		"loaded, the running datapath is untouched ('pfbpf-load purge' removes the "
		"maps and their states, to start over with this object)",
		pfbpf_pin_dir(), pinned, (unsigned long long)req.id);
	return -EPROTO;
}


static int datapath_open(struct datapath *dp, const struct pfbpf_load_opts *o)
{
	const char *path = o && o->obj_path ? o->obj_path : "the embedded pf_kern.bpf.o";
	char pin[PATH_MAX + 16];
	struct bpf_program *p;
	struct bpf_map *states;
	int err;

	memset(dp, 0, sizeof(*dp));
	pr_debug("maps pinned in %s", pfbpf_pin_dir());
	dp->obj = pfbpf_open_datapath(pfbpf_pin_dir(), o ? o->obj_path : NULL);
	if (!dp->obj) {
		err = -errno;
		pr_warn("cannot open %s: %s", path, strerror(-err));
		return err;
	}
	bpf_object__for_each_program(p, dp->obj) {
		/* libbpf 1.1 does not know SEC("tc/ingress") and friends
		 * (iproute2 does); say what they are. */
		if (is_tc_prog(p))
			bpf_program__set_type(p, BPF_PROG_TYPE_SCHED_CLS);
		if (!dp->xdp && (sec_is(p, "xdp") || bpf_program__type(p) == BPF_PROG_TYPE_XDP))
			dp->xdp = p;
		else if (!dp->tc_ingress && sec_is(p, "tc/ingress"))
			dp->tc_ingress = p;
		else if (!dp->tc_egress && (sec_is(p, "tc/egress") || sec_is(p, "tc")))
			dp->tc_egress = p;
		else if (!dp->ctl && pfbpf_is_ctl_prog(p))
			dp->ctl = p;
		else
			bpf_program__set_autoload(p, false); /* not used by us */
	}
	if (!dp->xdp || !dp->tc_egress) {
		pr_warn("%s has no %s program", path, !dp->xdp ? "xdp" : "tc/egress");
		bpf_object__close(dp->obj);
		dp->obj = NULL;
		return -ENOENT;
	}

	err = pfbpf_obj_match_pins(dp->obj, pfbpf_pin_dir(), pin, sizeof(pin));
	if (err < 0) {
		pr_warn("%s", pin);
		bpf_object__close(dp->obj);
		dp->obj = NULL;
		return err;
	}
	states = bpf_object__find_map_by_name(dp->obj, PFBPF_MAP_STATES);
	snprintf(pin, sizeof(pin), "%s/%s", pfbpf_pin_dir(), PFBPF_MAP_STATES);
	if (o && o->map_size && states) {
		if (access(pin, F_OK) == 0) {
			if (bpf_map__max_entries(states) != o->map_size)
				pr_warn("state table already exists with %u entries; "
					"--map-size %u applies when it is created (purge first)",
					bpf_map__max_entries(states), o->map_size);
		} else {
			bpf_map__set_max_entries(states, o->map_size);
		}
	} else if (states && access(pin, F_OK) != 0) {
		/* slack for the LRU's per-CPU free lists (pfbpf_types.h) */
		int ncpu = libbpf_num_possible_cpus();

		bpf_map__set_max_entries(states, PF_DEFAULT_LIMIT_STATES +
					 pfbpf_state_map_slack(ncpu > 0 ? (__u32)ncpu : 1));
	}
	err = bpf_object__load(dp->obj);
	if (err) {
		pr_warn("cannot load %s: %s (run with -v for the verifier log)", path,
			strerror(-err));
		bpf_object__close(dp->obj);
		dp->obj = NULL;
		return err;
	}
	return 0;
}

static int xdp_attach(int prog_fd, int ifindex, enum xdp_attach_mode mode)
{
	struct xdp_program *xp;
	int err;

	xp = xdp_program__from_fd(prog_fd);
	err = libxdp_get_error(xp);
	if (err)
		return err;
	err = xdp_program__attach(xp, ifindex, mode, 0);
	xdp_program__close(xp);
	return err;
}

/* Remove the XDP program whose pin is at path from ifindex; 0 if it is no
 * longer attached there. */
static int xdp_detach_pinned(int ifindex, const char *path)
{
	struct xdp_multiprog *mp;
	struct xdp_program *xp;
	enum xdp_attach_mode mode;
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (err) {
		/* nothing attached (or the link is gone) */
		close(fd);
		return err == -ENOENT ? 0 : err;
	}
	mode = xdp_multiprog__attach_mode(mp);
	xdp_multiprog__close(mp);
	xp = xdp_program__from_fd(fd);
	err = libxdp_get_error(xp);
	if (!err) {
		err = xdp_program__detach(xp, ifindex, mode, 0);
		xdp_program__close(xp);
	} else {
		close(fd);
	}
	/* Not ours any more (someone replaced it): leave it alone. */
	return err == -ENOENT ? 0 : err;
}

static int tc_attach(int prog_fd, int ifindex, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = PFBPF_TC_HANDLE,
		    .priority = PFBPF_TC_PRIO, .flags = BPF_TC_F_REPLACE);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

static int tc_detach(int ifindex, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PFBPF_TC_HANDLE, .priority = PFBPF_TC_PRIO);
	int err;

	/* The clsact qdisc stays: iproute2 filters may live on it too. */
	err = bpf_tc_detach(&hook, &opts);
	return err == -ENOENT || err == -EINVAL ? 0 : err;
}

static int detach_ifname(const char *ifname, bool quiet_missing)
{
	char path[PATH_MAX], dir[PATH_MAX];
	unsigned int ifindex = if_nametoindex(ifname);
	bool had_pins;
	int err = 0, e;

	snprintf(dir, sizeof(dir), "%s/%s", pfbpf_prog_pin_dir(), ifname);
	had_pins = access(dir, F_OK) == 0;
	if (!had_pins && !quiet_missing)
		return -ENOENT;
	if (ifindex) {
		pin_path(path, sizeof(path), ifname, PIN_XDP);
		e = xdp_detach_pinned(ifindex, path);
		if (e) {
			pr_warn("%s: cannot remove XDP program: %s", ifname, strerror(-e));
			err = e;
		}
		e = tc_detach(ifindex, BPF_TC_INGRESS);
		if (e) {
			pr_warn("%s: cannot remove tc ingress filter: %s", ifname, strerror(-e));
			err = err ?: e;
		}
		e = tc_detach(ifindex, BPF_TC_EGRESS);
		if (e) {
			pr_warn("%s: cannot remove tc egress filter: %s", ifname, strerror(-e));
			err = err ?: e;
		}
	}
	/* An interface that went away took its programs with it: drop pins. */
	pin_path(path, sizeof(path), ifname, PIN_XDP);
	unlink(path);
	pin_path(path, sizeof(path), ifname, PIN_TC_INGRESS);
	unlink(path);
	pin_path(path, sizeof(path), ifname, PIN_TC_EGRESS);
	unlink(path);
	if (had_pins && rmdir(dir) < 0 && errno != ENOENT)
		err = err ?: -errno;
	return err;
}

int pfbpf_detach(const char *ifname)
{
	loader_log_init();
	return detach_ifname(ifname, false);
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Our datapath already on ifindex's XDP hook, attached by iproute2: a tc
 * ingress program beside it would judge every packet twice. */
static bool iproute2_xdp_there(struct datapath *dp, int ifindex)
{
	struct bpf_map *states = bpf_object__find_map_by_name(dp->obj, PFBPF_MAP_STATES);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), xdp_id = 0;

	if (!states || bpf_xdp_query_id(ifindex, 0, &xdp_id) || !xdp_id ||
	    bpf_obj_get_info_by_fd(bpf_map__fd(states), &info, &len))
		return false;
	return pfbpf_prog_is_datapath(xdp_id, info.id);
}

/*
 * Put the ingress program on ifindex as *hook says (never AUTO here) and
 * leave in *hook the way it went.  Native XDP refused by the driver falls
 * back to generic XDP when XDP was asked for, and to tc ingress when it
 * was only chosen: generic XDP would cost what the choice avoids.
 */
static int ingress_attach(struct datapath *dp, int ifindex, const char *ifname,
			  enum pfbpf_hook *hook, bool forced)
{
	int err;

	if (*hook == PFBPF_HOOK_XDP) {
		err = xdp_attach(bpf_program__fd(dp->xdp), ifindex, XDP_MODE_NATIVE);
		if (!err || err == -EEXIST || err == -EBUSY)
			return err;
		*hook = forced ? PFBPF_HOOK_XDP_GENERIC : PFBPF_HOOK_TC;
		pr_info("%s: native XDP refused (%s), using %s", ifname, strerror(-err),
			pfbpf_hook_name(*hook));
	}
	if (*hook == PFBPF_HOOK_XDP_GENERIC)
		return xdp_attach(bpf_program__fd(dp->xdp), ifindex, XDP_MODE_SKB);
	if (!dp->tc_ingress) {
		pr_warn("%s: the object has no tc/ingress program", ifname);
		return -ENOENT;
	}
	if (iproute2_xdp_there(dp, ifindex))
		return -EEXIST;
	return tc_attach(bpf_program__fd(dp->tc_ingress), ifindex, BPF_TC_INGRESS);
}

static int attach_one(struct datapath *dp, const char *ifname, enum pfbpf_hook hook)
{
	char path[PATH_MAX], dir[PATH_MAX];
	unsigned int ifindex = if_nametoindex(ifname);
	bool forced = hook != PFBPF_HOOK_AUTO;
	struct bpf_program *in;
	int err;

	if (!ifindex) {
		pr_warn("%s: no such interface", ifname);
		return -ENODEV;
	}
	if (!forced) {
		struct pfbpf_if_facts f;
		const char *why = "nothing known of it";

		hook = PFBPF_HOOK_TC;
		if (!pfbpf_if_facts_read(ifname, &f))
			hook = pfbpf_hook_choose(&f, &why);
		pr_info("%s: %s (driver '%s', kind '%s'): %s", ifname, why, f.driver, f.kind,
			pfbpf_hook_name(hook));
	}
	/* Attaching again replaces: drop whatever we had there first. */
	detach_ifname(ifname, true);

	snprintf(dir, sizeof(dir), "%s/%s", pfbpf_prog_pin_dir(), ifname);
	err = mkdir_p(dir);
	if (err)
		return err;
	err = ingress_attach(dp, (int)ifindex, ifname, &hook, forced);
	if (err == -EEXIST || err == -EBUSY) {
		/* Someone else's XDP program (an iproute2 attachment of ours
		 * included): replacing it silently would be a surprise. */
		pr_warn("%s: another XDP program is attached; remove it first "
			"('ip link set dev %s xdp off')", ifname, ifname);
		goto fail;
	} else if (err) {
		pr_warn("%s: cannot attach the %s program: %s", ifname, pfbpf_hook_name(hook),
			strerror(-err));
		goto fail;
	}
	in = hook == PFBPF_HOOK_TC ? dp->tc_ingress : dp->xdp;
	pin_path(path, sizeof(path), ifname, hook == PFBPF_HOOK_TC ? PIN_TC_INGRESS : PIN_XDP);
	err = repin(bpf_program__fd(in), path);
	if (err)
		goto fail_pin;
	err = tc_attach(bpf_program__fd(dp->tc_egress), (int)ifindex, BPF_TC_EGRESS);
	if (err) {
		pr_warn("%s: cannot attach tc egress program: %s", ifname, strerror(-err));
		goto fail;
	}
	pin_path(path, sizeof(path), ifname, PIN_TC_EGRESS);
	err = repin(bpf_program__fd(dp->tc_egress), path);
	if (err)
		goto fail_pin;
	pr_info("%s: pfbpf attached (ifindex %u, %s, tc egress)", ifname, ifindex,
		pfbpf_hook_name(hook));
	return 0;
fail_pin:
	pr_warn("cannot pin program at %s: %s", path, strerror(-err));
fail:
	/* Best effort: xdp_detach_pinned needs the pin, so detach directly. */
	{
		struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);

		if (!libxdp_get_error(mp)) {
			struct xdp_program *cur = xdp_multiprog__main_prog(mp);

			if (cur && xdp_program__id(cur) == prog_id(bpf_program__fd(dp->xdp)))
				xdp_multiprog__detach(mp);
			xdp_multiprog__close(mp);
		}
	}
	detach_ifname(ifname, true);
	return err;
}

int pfbpf_attached_hook(const char *ifname, enum pfbpf_hook *ingress)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char path[PATH_MAX];
	unsigned int ifindex = if_nametoindex(ifname);

	*ingress = PFBPF_HOOK_AUTO;
	snprintf(path, sizeof(path), "%s/%s", pfbpf_prog_pin_dir(), ifname);
	if (access(path, F_OK) != 0)
		return -ENOENT;
	pin_path(path, sizeof(path), ifname, PIN_TC_INGRESS);
	if (access(path, F_OK) == 0) {
		*ingress = PFBPF_HOOK_TC;
		return 0;
	}
	/* The XDP pin says ours is there; the kernel says in which mode. */
	pin_path(path, sizeof(path), ifname, PIN_XDP);
	if (ifindex && access(path, F_OK) == 0 && !bpf_xdp_query((int)ifindex, 0, &q)) {
		if (q.attach_mode == XDP_ATTACHED_SKB)
			*ingress = PFBPF_HOOK_XDP_GENERIC;
		else if (q.attach_mode != XDP_ATTACHED_NONE)
			*ingress = PFBPF_HOOK_XDP;
	}
	return 0;
}

static int apply_config(const struct pfbpf_load_opts *o)
{
	struct pfbpf_maps m;
	struct pf_config cfg;
	bool dirty = false;
	int err, i;

	err = pfbpf_maps_open(&m);
	if (err) {
		pr_warn("%s", pfbpf_pin_strerror(err, m.pin_dir));
		return err;
	}
	err = pfbpf_config_read(&m, &cfg);
	if (err)
		goto out;
	if (o && o->limit_states) {
		cfg.limit[PF_LIMIT_STATES] = o->limit_states;
		dirty = true;
	}
	for (i = 0; o && i < PFTM_MAX; i++) {
		if (o->timeout[i]) {
			cfg.timeout[i] = o->timeout[i];
			dirty = true;
		}
	}
	if (dirty) {
		err = pfbpf_config_write(&m, &cfg);
		if (err) {
			pr_warn("cannot write pf_config: %s", strerror(-err));
			goto out;
		}
	}
	/* Fill the zero (default) slots and start the sweep timer: without
	 * it expired states would only go on lookup. */
	err = pfbpf_ctl_arm(&m);
	if (err)
		pr_warn("cannot arm the state sweep timer: %s", strerror(-err));
out:
	pfbpf_maps_close(&m);
	return err;
}

/*
 * iproute2 pins tc objects' maps in <bpffs>/tc/globals and XDP objects' in
 * <bpffs>/xdp/globals, and makes "xdp" (and "ip") symlinks to "tc" when it
 * first lays out a bpffs, so that both share one set of pins.  libxdp,
 * which we attach with, creates <bpffs>/xdp as a plain folder for its own
 * dispatcher pins if it does not exist yet; after that, a later
 * `ip link set dev X xdp obj pf_kern.bpf.o sec xdp` pins a second state
 * table and ruleset under xdp/globals that no tool sees.  Lay the folders
 * out the way iproute2 does before libxdp gets there.  Only for the
 * default pin folder: a private $PFBPF_PIN_DIR is not iproute2's.
 */
static void iproute2_layout(void)
{
	static const char *const links[] = { "xdp", "ip" };
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	if (strcmp(pfbpf_pin_dir(), PFBPF_PIN_DIR))
		return;
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", PFBPF_BPFFS, links[i]);
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && !strcmp(links[i], "xdp"))
				pr_info("%s is a folder, not iproute2's link to %s/tc: XDP "
					"programs attached with 'ip link ... xdp obj' will not "
					"share pfbpf's maps", path, PFBPF_BPFFS);
			continue;
		}
		if (symlink(PFBPF_BPFFS "/tc/", path) < 0 && errno != EEXIST)
			pr_debug("cannot link %s to %s/tc: %s", path, PFBPF_BPFFS,
				 strerror(errno));
	}
}

int pfbpf_attach(char *const *ifnames, int n, const struct pfbpf_load_opts *o)
{
	enum pfbpf_hook hook = o ? o->hook : PFBPF_HOOK_AUTO;
	struct datapath dp;
	char path[PATH_MAX];
	int err, i, j;

	if (o && o->generic && hook == PFBPF_HOOK_AUTO)
		hook = PFBPF_HOOK_XDP_GENERIC;

	loader_log_init();
	err = pfbpf_bpffs_mount();
	if (err) {
		pr_warn("cannot mount bpffs on %s: %s", PFBPF_BPFFS, strerror(-err));
		return err;
	}
	/* libbpf creates only the last level of a pin path. */
	err = mkdir_p(pfbpf_pin_dir());
	if (!err)
		err = mkdir_p(pfbpf_prog_pin_dir());
	if (err) {
		pr_warn("cannot create the pin folders %s, %s: %s", pfbpf_pin_dir(),
			pfbpf_prog_pin_dir(), strerror(-err));
		return err;
	}
	iproute2_layout();
	err = datapath_open(&dp, o);
	if (err)
		return err;
	/* Before anything is pinned or attached: maps stamped with another
	 * layout than the object's are refused, the running datapath stays. */
	if (dp.ctl && (err = layout_match(&dp)))
		goto out;
	if (dp.ctl) {
		pin_path(path, sizeof(path), NULL, PIN_CTL);
		err = same_prog_pinned(bpf_program__fd(dp.ctl), path) ? 0 :
		      repin(bpf_program__fd(dp.ctl), path);
		if (err) {
			pr_warn("cannot pin pf_ctl at %s: %s", path, strerror(-err));
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		err = attach_one(&dp, ifnames[i], hook);
		if (err) {
			for (j = 0; j < i; j++)
				detach_ifname(ifnames[j], true);
			goto out;
		}
	}
	err = apply_config(o);
	if (err)
		for (j = 0; j < n; j++)
			detach_ifname(ifnames[j], true);
out:
	/* Attachments and pins hold the programs and maps from here on. */
	bpf_object__close(dp.obj);
	return err;
}

int pfbpf_attached_foreach(int (*cb)(const char *ifname, void *arg), void *arg)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(pfbpf_prog_pin_dir());
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		ret = cb(de->d_name, arg);
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

static int purge_cb(const char *ifname, void *arg)
{
	int *err = arg;
	int e = detach_ifname(ifname, true);

	if (e && !*err)
		*err = e;
	return 0;
}

static void unlink_map_pin(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pfbpf_pin_dir(), name);
	if (unlink(path) == 0)
		pr_debug("removed %s", path);
}

int pfbpf_purge(void)
{
	static const char *const known[] = {
		PFBPF_MAP_STATES, PFBPF_MAP_CONFIG, PFBPF_MAP_COUNT, PFBPF_MAP_STATUS,
		PFBPF_MAP_RULECTR, PFBPF_MAP_RULESTATES, PFBPF_MAP_IFCTR, PFBPF_MAP_EVENTS,
		PFBPF_MAP_TIMER, PFBPF_MAP_TPROF, PFBPF_MAP_CREATORS, PFBPF_MAP_TABLES,
		PFBPF_MAP_TABLESTAT,
		/* libpfbpf's control maps (user/ioctl/ioctl_priv.h): the rule
		 * text, transaction and table bookkeeping of the datapath being
		 * purged.  Left behind, they would make `pfctl_bpf -sr` list
		 * the old ruleset over the fresh, empty datapath of the next
		 * attach. */
		"pf_xrules", "pf_xmeta", "pf_xtables", "pf_xifflags", PFBPF_MAP_XFLAT,
	};
	char path[PATH_MAX];
	struct bpf_object *obj;
	struct bpf_map *map;
	size_t i;
	int err = 0;

	loader_log_init();
	pfbpf_attached_foreach(purge_cb, &err);
	pin_path(path, sizeof(path), NULL, PIN_CTL);
	unlink(path);
	rmdir(pfbpf_prog_pin_dir());

	/* Remove the pins of every map the object defines (the classifier's
	 * too), not just those this file knows by name; other objects'
	 * pins in the shared folder stay. */
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		unlink_map_pin(known[i]);
	obj = pfbpf_open_datapath(NULL, NULL);
	if (obj) {
		bpf_object__for_each_map(map, obj)
			if (!strchr(bpf_map__name(map), '.'))
				unlink_map_pin(bpf_map__name(map));
		bpf_object__close(obj);
	}
	return err;
}
