// SPDX-License-Identifier: BSD-2-Clause
/*
 * kern.c - every kernel operation of pfctl_bpf, one small function per
 * DIOC command as pfctl has on /dev/pf, carried out through libpfbpf.
 *
 * Functions return 0 or a negative errno; the reason in words is left in
 * pfbpf_strerror(dev) for the CLI edge to print.  The buffers handed back
 * (states, rules, tables, ...) are malloc'ed and owned by the caller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pfbpf.h"
#include "pfctl.h"
#include "kern.h"
#include "lib/pin_open.h"

static int fail(void)
{
	return errno ? -errno : -EIO;
}

int pfctl_k_open(const char *path, bool rw)
{
	int dev = pfbpf_open(path, rw ? O_RDWR : O_RDONLY);

	return dev < 0 ? fail() : dev;
}

void pfctl_k_close(int dev)
{
	if (dev >= 0)
		pfbpf_close(dev);
}

int pfctl_k_start(int dev)
{
	return pfbpf_ioctl(dev, DIOCSTART, NULL) ? fail() : 0;
}

int pfctl_k_stop(int dev)
{
	return pfbpf_ioctl(dev, DIOCSTOP, NULL) ? fail() : 0;
}

int pfctl_k_get_status(int dev, struct pfctl_status *out)
{
	struct pf_status s;

	memset(&s, 0, sizeof(s));
	if (pfbpf_ioctl(dev, DIOCGETSTATUS, &s))
		return fail();
	memset(out, 0, sizeof(*out));
	memcpy(out->counters, s.counters, sizeof(out->counters));
	memcpy(out->lcounters, s.lcounters, sizeof(out->lcounters));
	memcpy(out->fcounters, s.fcounters, sizeof(out->fcounters));
	for (int a = 0; a < 2; a++)
		for (int d = 0; d < 2; d++) {
			out->bcounters[a][d] = s.bcounters[a][d];
			for (int v = 0; v < 2; v++)
				out->pcounters[a][d][v] = s.pcounters[a][d][v];
		}
	memcpy(out->all_pcounters, s.all_pcounters, sizeof(out->all_pcounters));
	memcpy(out->all_bcounters, s.all_bcounters, sizeof(out->all_bcounters));
	out->states = s.states;
	out->running = s.running;
	out->debug = s.debug;
	out->hostid = s.hostid;
	memcpy(out->ifname, s.ifname, sizeof(out->ifname) - 1);
	/* pf's rates are per second since `since` (enable or last clear). */
	out->since = s.since;
	if (s.since) {
		time_t now = time(NULL);

		out->runtime = now > (time_t)s.since ? (__u64)(now - s.since) : 0;
	}
	out->evicted = s.evicted;
	out->events_lost = s.events_lost;
	out->ip_events_lost = s.ip_events_lost;
	out->unhandled = s.unhandled;
	out->has_syncookies = !pfbpf_ioctl(dev, DIOCGETSYNCOOKIES, &out->syncookies);
	out->syncookies_bad = s.syncookies_bad;
	/* a datapath without translation counters just shows none */
	out->has_nat = !pfctl_k_get_natstat(dev, &out->nat);
	return 0;
}

/*
 * pf_natstat summed over the CPUs.  No DIOC command carries it (pf has
 * no such counters), so it is read from its pin next to the handle's.
 */
int pfctl_k_get_natstat(int dev, struct pf_nat_stats *out)
{
	const char *dir = pfbpf_dev_pin_dir(dev);
	int ncpu = libbpf_num_possible_cpus(), fd;
	struct pf_nat_stats *v;
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (!dir || ncpu <= 0)
		return -ENOENT;
	fd = pfbpf_pin_get(dir, PFBPF_MAP_NATSTAT);
	if (fd < 0)
		return fd;
	v = calloc(ncpu, sizeof(*v));
	if (!v || bpf_map_lookup_elem(fd, &zero, v)) {
		int err = v ? fail() : -ENOMEM;

		free(v);
		close(fd);
		return err;
	}
	for (int c = 0; c < ncpu; c++) {
		out->translations += v[c].translations;
		out->map_failed += v[c].map_failed;
		out->pair_repaired += v[c].pair_repaired;
		for (int i = 0; i < PF_NAT_TRY_BUCKETS; i++)
			out->tries[i] += v[c].tries[i];
	}
	free(v);
	close(fd);
	return 0;
}

int pfctl_k_clear_status(int dev)
{
	return pfbpf_ioctl(dev, DIOCCLRSTATUS, NULL) ? fail() : 0;
}

int pfctl_k_set_statusif(int dev, const char *ifname)
{
	struct pfioc_if pi;

	memset(&pi, 0, sizeof(pi));
	snprintf(pi.ifname, sizeof(pi.ifname), "%s", ifname ? ifname : "");
	return pfbpf_ioctl(dev, DIOCSETSTATUSIF, &pi) ? fail() : 0;
}

int pfctl_k_set_debug(int dev, __u32 level)
{
	return pfbpf_ioctl(dev, DIOCSETDEBUG, &level) ? fail() : 0;
}

int pfctl_k_set_hostid(int dev, __u32 hostid)
{
	return pfbpf_ioctl(dev, DIOCSETHOSTID, &hostid) ? fail() : 0;
}

int pfctl_k_set_state_policy(int dev, __u32 policy)
{
	return pfbpf_ioctl(dev, DIOCSETSTATEPOLICY, &policy) ? fail() : 0;
}

int pfctl_k_set_syncookies(int dev, __u32 mode, __u32 start, __u32 end)
{
	struct pfioc_syncookies io;

	memset(&io, 0, sizeof(io));
	io.mode = (__u8)mode;
	io.start = start;
	io.end = end;
	return pfbpf_ioctl(dev, DIOCSETSYNCOOKIES, &io) ? fail() : 0;
}

int pfctl_k_get_state_policy(int dev, __u32 *policy)
{
	return pfbpf_ioctl(dev, DIOCGETSTATEPOLICY, policy) ? fail() : 0;
}

int pfctl_k_get_states(int dev, struct pfctl_state **out, size_t *n)
{
	struct pfioc_states ps;
	struct pfbpf_state *buf = NULL;
	size_t cnt;

	*out = NULL;
	*n = 0;
	/*
	 * pf's size protocol: ps_len 0 asks for the size.  States come and go
	 * between the two calls, so ask for some slack and retry while the
	 * table outgrows the buffer.
	 */
	for (int tries = 0; tries < 8; tries++) {
		size_t len;

		memset(&ps, 0, sizeof(ps));
		if (pfbpf_ioctl(dev, DIOCGETSTATES, &ps))
			return fail();
		len = (size_t)ps.ps_len + 64 * sizeof(*buf);
		free(buf);
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		ps.ps_len = (int)len;
		ps.ps_states = buf;
		if (pfbpf_ioctl(dev, DIOCGETSTATES, &ps)) {
			int err = fail();

			free(buf);
			return err;
		}
		if ((size_t)ps.ps_len < len)
			break;
	}
	cnt = (size_t)ps.ps_len / sizeof(*buf);
	if (cnt) {
		*out = calloc(cnt, sizeof(**out));
		if (!*out) {
			free(buf);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < cnt; i++) {
		struct pfctl_state *d = &(*out)[i];
		const struct pfbpf_state *s = &buf[i];

		memcpy(d->key, s->key, sizeof(d->key));
		snprintf(d->corrupt, sizeof(d->corrupt), "%s", s->corrupt);
		d->st = s->s;
		d->st.rule = s->rule_nr;
		snprintf(d->rule_anchor, sizeof(d->rule_anchor), "%.127s", s->rule_anchor);
		d->creatorid = s->creatorid;
		d->age = s->age;
		d->expires_in = s->expires_in;
		/* pf shows "all" for floating states, the interface for
		 * if-bound ones. */
		snprintf(d->origin_if, sizeof(d->origin_if), "%s", s->ifname);
		if ((s->s.flags & PFSTATE_F_IFBOUND) && s->ifname[0])
			snprintf(d->ifname, sizeof(d->ifname), "%s", s->ifname);
		else
			strcpy(d->ifname, "all");
	}
	free(buf);
	*n = cnt;
	return 0;
}

int pfctl_k_kill_states(int dev, struct pfioc_state_kill *psk, unsigned *killed)
{
	if (pfbpf_ioctl(dev, DIOCKILLSTATES, psk))
		return fail();
	*killed = psk->psk_killed;
	return 0;
}

int pfctl_k_clear_states(int dev, const char *ifname, unsigned *killed)
{
	struct pfioc_state_kill psk;

	memset(&psk, 0, sizeof(psk));
	if (ifname)
		snprintf(psk.psk_ifname, sizeof(psk.psk_ifname), "%s", ifname);
	if (pfbpf_ioctl(dev, DIOCCLRSTATES, &psk))
		return fail();
	*killed = psk.psk_killed;
	return 0;
}

int pfctl_k_get_timeouts(int dev, __u32 *timeout)
{
	for (int i = 0; i < PFTM_MAX; i++) {
		struct pfioc_tm pt = { .timeout = i };

		if (pfbpf_ioctl(dev, DIOCGETTIMEOUT, &pt))
			return fail();
		timeout[i] = (__u32)pt.seconds;
	}
	return 0;
}

int pfctl_k_set_timeout(int dev, int which, __u32 seconds)
{
	struct pfioc_tm pt = { .timeout = which, .seconds = (int)seconds };

	return pfbpf_ioctl(dev, DIOCSETTIMEOUT, &pt) ? fail() : 0;
}

int pfctl_k_get_limits(int dev, __u32 *limit)
{
	for (int i = 0; i < PF_LIMIT_MAX; i++) {
		struct pfioc_limit pl = { .index = i };

		if (pfbpf_ioctl(dev, DIOCGETLIMIT, &pl))
			return fail();
		limit[i] = pl.limit;
	}
	return 0;
}

int pfctl_k_set_limit(int dev, int which, __u32 limit)
{
	struct pfioc_limit pl = { .index = which, .limit = limit };

	return pfbpf_ioctl(dev, DIOCSETLIMIT, &pl) ? fail() : 0;
}

int pfctl_k_get_rules(int dev, const char *anchor, struct pfctl_rule **out, size_t *n)
{
	struct pfioc_rule *pr;
	__u32 nr, ticket;
	int err = 0;

	*out = NULL;
	*n = 0;
	pr = calloc(1, sizeof(*pr));
	if (!pr)
		return -ENOMEM;
	snprintf(pr->anchor, sizeof(pr->anchor), "%s", anchor ? anchor : "");
	if (pfbpf_ioctl(dev, DIOCGETRULES, pr)) {
		err = fail();
		goto out;
	}
	nr = pr->nr;
	ticket = pr->ticket;
	if (nr) {
		*out = calloc(nr, sizeof(**out));
		if (!*out) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (__u32 i = 0; i < nr; i++) {
		struct pfctl_rule *d = &(*out)[i];

		pr->nr = i;
		pr->ticket = ticket;
		if (pfbpf_ioctl(dev, DIOCGETRULE, pr)) {
			if (errno == EBADMSG) {
				/* one corrupted entry: the others can still be listed */
				memset(&d->r, 0, sizeof(d->r));
				snprintf(d->corrupt, sizeof(d->corrupt), "%s", pfbpf_strerror(dev));
				continue;
			}
			err = fail();
			free(*out);
			*out = NULL;
			goto out;
		}
		d->r = pr->rule;
		snprintf(d->anchor_call, sizeof(d->anchor_call), "%.127s", pr->anchor_call);
		d->evaluations = pr->evaluations;
		memcpy(d->packets, pr->packets, sizeof(d->packets));
		memcpy(d->bytes, pr->bytes, sizeof(d->bytes));
		d->states_cur = pr->states_cur;
		d->states_tot = pr->states_tot;
	}
	*n = nr;
out:
	free(pr);
	return err;
}

int pfctl_k_get_pool(int dev, const char *anchor, __u8 r_action, __u32 r_num,
		     struct pfbpf_pool_addr **out, size_t *n)
{
	struct pfioc_pooladdr *pp = calloc(1, sizeof(*pp));
	__u32 cnt;
	int err = 0;

	*out = NULL;
	*n = 0;
	if (!pp)
		return -ENOMEM;
	pp->r_action = r_action;
	pp->r_num = r_num;
	snprintf(pp->anchor, sizeof(pp->anchor), "%s", anchor ? anchor : "");
	if (pfbpf_ioctl(dev, DIOCGETADDRS, pp)) {
		err = fail();
		goto out;
	}
	cnt = pp->nr;
	if (cnt && !(*out = calloc(cnt, sizeof(**out)))) {
		err = -ENOMEM;
		goto out;
	}
	for (__u32 i = 0; i < cnt; i++) {
		pp->nr = i;
		if (pfbpf_ioctl(dev, DIOCGETADDR, pp)) {
			err = fail();
			free(*out);
			*out = NULL;
			goto out;
		}
		(*out)[i] = pp->addr;
	}
	*n = cnt;
out:
	free(pp);
	return err;
}

int pfctl_k_get_nat_rules(int dev, const char *anchor, struct pfctl_nat_rule **out, size_t *n)
{
	struct pfctl_rule *r = NULL;
	size_t nr = 0, cnt = 0;
	__u32 seen[3] = { 0 };
	int err = pfctl_k_get_rules(dev, anchor, &r, &nr);

	*out = NULL;
	*n = 0;
	if (err)
		return err;
	if (nr && !(*out = calloc(nr, sizeof(**out)))) {
		free(r);
		return -ENOMEM;
	}
	for (size_t i = 0; !err && i < nr; i++) {
		struct pfctl_nat_rule *d = &(*out)[cnt];
		int kind;

		if (!pfctl_rule_is_nat(&r[i].r))
			continue;
		kind = r[i].r.action <= PF_NONAT ? 0 : r[i].r.action <= PF_NOBINAT ? 2 : 1;
		d->rule = r[i];
		/* pfctl numbers the rules of each translation ruleset */
		d->rule.r.nr = seen[kind]++;
		cnt++;
		err = pfctl_k_get_pool(dev, anchor, r[i].r.action, d->rule.r.nr, &d->pool, &d->npool);
	}
	free(r);
	if (err) {
		pfctl_nat_rules_free(*out, cnt);
		*out = NULL;
		return err;
	}
	*n = cnt;
	return 0;
}

int pfctl_k_clear_rule_counters(int dev)
{
	return pfbpf_ioctl(dev, DIOCCLRRULECTRS, NULL) ? fail() : 0;
}

/*
 * The pfr commands share one size protocol: when pfrio_size is smaller
 * than what is there, the library sets it to the size needed and changes
 * nothing, so grow the buffer and ask again.
 */
static int pfr_get(int dev, unsigned long cmd, struct pfioc_table *io, size_t esize,
		   void **buf, int *cnt)
{
	int size = 16;

	*buf = NULL;
	for (int tries = 0; tries < 8; tries++) {
		void *b = realloc(*buf, (size_t)size * esize);

		if (!b) {
			free(*buf);
			*buf = NULL;
			return -ENOMEM;
		}
		*buf = b;
		io->pfrio_buffer = b;
		io->pfrio_esize = (int)esize;
		io->pfrio_size = size;
		if (pfbpf_ioctl(dev, cmd, io)) {
			int err = fail();

			free(*buf);
			*buf = NULL;
			return err;
		}
		if (io->pfrio_size <= size) {
			*cnt = io->pfrio_size;
			return 0;
		}
		size = io->pfrio_size + 16;
	}
	free(*buf);
	*buf = NULL;
	return -EAGAIN;
}

int pfctl_k_get_tables(int dev, struct pfctl_table **out, size_t *n)
{
	struct pfioc_table io;
	struct pfr_tstats *ts;
	int cnt = 0, err;

	memset(&io, 0, sizeof(io));
	*out = NULL;
	*n = 0;
	err = pfr_get(dev, DIOCRGETTSTATS, &io, sizeof(*ts), (void **)&ts, &cnt);
	if (err)
		return err;
	if (cnt) {
		*out = calloc(cnt, sizeof(**out));
		if (!*out) {
			free(ts);
			return -ENOMEM;
		}
	}
	for (int i = 0; i < cnt; i++) {
		struct pfctl_table *d = &(*out)[i];
		__u32 fl = ts[i].pfrts_flags;

		snprintf(d->name, sizeof(d->name), "%s", ts[i].pfrts_name);
		snprintf(d->anchor, sizeof(d->anchor), "%s", ts[i].pfrts_t.pfrt_anchor);
		d->flags = ((fl & PFR_TFLAG_CONST) ? PFCTL_TFLAG_CONST : 0) |
			   ((fl & PFR_TFLAG_PERSIST) ? PFCTL_TFLAG_PERSIST : 0) |
			   ((fl & PFR_TFLAG_ACTIVE) ? PFCTL_TFLAG_ACTIVE : 0) |
			   ((fl & PFR_TFLAG_INACTIVE) ? PFCTL_TFLAG_INACTIVE : 0) |
			   ((fl & PFR_TFLAG_REFERENCED) ? PFCTL_TFLAG_REFERENCED : 0) |
			   ((fl & PFR_TFLAG_REFDANCHOR) ? PFCTL_TFLAG_REFDANCHOR : 0) |
			   ((fl & PFR_TFLAG_COUNTERS) ? PFCTL_TFLAG_COUNTERS : 0);
		d->cnt = ts[i].pfrts_cnt;
		d->refs_rules = ts[i].pfrts_refcnt[PFR_REFCNT_RULE];
		d->refs_anchors = ts[i].pfrts_refcnt[PFR_REFCNT_ANCHOR];
		d->match = ts[i].pfrts_match;
		d->nomatch = ts[i].pfrts_nomatch;
		d->tzero = ts[i].pfrts_tzero;
	}
	free(ts);
	*n = cnt;
	return 0;
}

static void table_name(struct pfioc_table *io, const char *name)
{
	memset(io, 0, sizeof(*io));
	snprintf(io->pfrio_table.pfrt_name, sizeof(io->pfrio_table.pfrt_name), "%s", name);
}

static void taddr_to_pfr(const struct pfctl_taddr *a, struct pfr_addr *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(&p->pfra_u, &a->addr, sizeof(p->pfra_u));
	p->pfra_af = a->af;
	p->pfra_net = a->net;
	p->pfra_not = a->neg;
}

static void pfr_to_taddr(const struct pfr_addr *p, struct pfctl_taddr *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(&a->addr, &p->pfra_u, sizeof(a->addr));
	a->af = p->pfra_af;
	a->net = p->pfra_net;
	a->neg = p->pfra_not;
	a->fback = p->pfra_fback;
}

int pfctl_k_get_taddrs(int dev, const char *table, struct pfctl_taddr **out, size_t *n)
{
	struct pfioc_table io;
	struct pfr_astats *as;
	int cnt = 0, err;

	table_name(&io, table);
	*out = NULL;
	*n = 0;
	err = pfr_get(dev, DIOCRGETASTATS, &io, sizeof(*as), (void **)&as, &cnt);
	if (err)
		return err;
	if (cnt) {
		*out = calloc(cnt, sizeof(**out));
		if (!*out) {
			free(as);
			return -ENOMEM;
		}
	}
	for (int i = 0; i < cnt; i++) {
		pfr_to_taddr(&as[i].pfras_a, &(*out)[i]);
		(*out)[i].tzero = as[i].pfras_tzero;
		memcpy((*out)[i].packets, as[i].pfras_packets, sizeof((*out)[i].packets));
		memcpy((*out)[i].bytes, as[i].pfras_bytes, sizeof((*out)[i].bytes));
	}
	free(as);
	*n = cnt;
	return 0;
}

/*
 * -T add/delete/replace/test: one call with the whole list, feedback on,
 * so the counts and the per-address letters come back in a.
 */
int pfctl_k_table_addrs(int dev, unsigned long cmd, const char *table, struct pfctl_taddr *a,
			size_t n, int flags, struct pfctl_tcounts *c)
{
	struct pfioc_table io;
	struct pfr_addr *p = NULL;
	size_t cap = n;
	int err = 0;

	table_name(&io, table);
	/* DIOCRSETADDRS reports deleted addresses back in the buffer past
	 * the ones passed in: leave room for them (pfrio_size2). */
	if (cmd == DIOCRSETADDRS)
		cap = n + 4096;
	p = calloc(cap ? cap : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		taddr_to_pfr(&a[i], &p[i]);
	io.pfrio_buffer = p;
	io.pfrio_esize = sizeof(*p);
	io.pfrio_size = (int)n;
	if (cmd == DIOCRSETADDRS)
		io.pfrio_size2 = (int)cap;
	io.pfrio_flags = flags | PFR_FLAG_FEEDBACK;
	if (pfbpf_ioctl(dev, cmd, &io)) {
		err = fail();
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		a[i].fback = p[i].pfra_fback;
	memset(c, 0, sizeof(*c));
	c->nadd = io.pfrio_nadd;
	c->ndel = io.pfrio_ndel;
	c->nchange = io.pfrio_nchange;
	c->nmatch = io.pfrio_nmatch;
out:
	free(p);
	return err;
}

int pfctl_k_table_simple(int dev, unsigned long cmd, const char *table, struct pfctl_tcounts *c)
{
	struct pfioc_table io;
	struct pfr_table t;

	table_name(&io, table);
	if (cmd == DIOCRCLRTSTATS || cmd == DIOCRDELTABLES) {
		/* These take a list of tables: ours is the one in pfrio_table. */
		t = io.pfrio_table;
		io.pfrio_buffer = &t;
		io.pfrio_esize = sizeof(t);
		io.pfrio_size = 1;
		memset(&io.pfrio_table, 0, sizeof(io.pfrio_table));
	}
	if (pfbpf_ioctl(dev, cmd, &io))
		return fail();
	memset(c, 0, sizeof(*c));
	c->nadd = io.pfrio_nadd;
	c->ndel = io.pfrio_ndel;
	c->nchange = io.pfrio_nchange;
	return 0;
}

/* -T add on a table that does not exist creates it, as pfctl does. */
int pfctl_k_table_create(int dev, const char *table, __u32 flags, int *created)
{
	struct pfioc_table io;
	struct pfr_table t;

	memset(&io, 0, sizeof(io));
	memset(&t, 0, sizeof(t));
	snprintf(t.pfrt_name, sizeof(t.pfrt_name), "%s", table);
	t.pfrt_flags = flags;
	io.pfrio_buffer = &t;
	io.pfrio_esize = sizeof(t);
	io.pfrio_size = 1;
	if (pfbpf_ioctl(dev, DIOCRADDTABLES, &io))
		return fail();
	*created = io.pfrio_nadd;
	return 0;
}

int pfctl_k_get_ifaces(int dev, const char *filter, struct pfctl_iface **out, size_t *n)
{
	struct pfioc_iface io;
	struct pfi_if *buf = NULL;
	int size = 16;

	*out = NULL;
	*n = 0;
	for (int tries = 0; tries < 8; tries++) {
		struct pfi_if *b = realloc(buf, (size_t)size * sizeof(*buf));

		if (!b) {
			free(buf);
			return -ENOMEM;
		}
		buf = b;
		memset(&io, 0, sizeof(io));
		snprintf(io.pfiio_name, sizeof(io.pfiio_name), "%s", filter ? filter : "");
		io.pfiio_buffer = buf;
		io.pfiio_esize = sizeof(*buf);
		io.pfiio_size = size;
		if (pfbpf_ioctl(dev, DIOCIGETIFACES, &io)) {
			int err = fail();

			free(buf);
			return err;
		}
		if (io.pfiio_size <= size)
			break;
		size = io.pfiio_size + 16;
	}
	if (io.pfiio_size > 0) {
		*out = calloc(io.pfiio_size, sizeof(**out));
		if (!*out) {
			free(buf);
			return -ENOMEM;
		}
	}
	for (int i = 0; i < io.pfiio_size && i < size; i++) {
		struct pfctl_iface *d = &(*out)[i];

		snprintf(d->name, sizeof(d->name), "%s", buf[i].pfif_name);
		d->flags = (buf[i].pfif_flags & PFI_IFLAG_SKIP) ? PFCTL_IFLAG_SKIP : 0;
		d->states = buf[i].pfif_states;
		d->rules = buf[i].pfif_rules;
		memcpy(d->packets, buf[i].pfif_packets, sizeof(d->packets));
		memcpy(d->bytes, buf[i].pfif_bytes, sizeof(d->bytes));
		d->tzero = buf[i].pfif_tzero;
		(*n)++;
	}
	free(buf);
	return 0;
}

int pfctl_k_set_ifflag(int dev, const char *ifname, bool set, int flag)
{
	struct pfioc_iface io;

	memset(&io, 0, sizeof(io));
	snprintf(io.pfiio_name, sizeof(io.pfiio_name), "%s", ifname);
	io.pfiio_flags = flag;
	return pfbpf_ioctl(dev, set ? DIOCSETIFFLAG : DIOCCLRIFFLAG, &io) ? fail() : 0;
}

int pfctl_k_get_anchors(int dev, const char *path, char (**names)[PF_ANCHOR_NAME_SIZE],
			size_t *n)
{
	struct pfioc_ruleset pr;
	__u32 nr;

	*names = NULL;
	*n = 0;
	memset(&pr, 0, sizeof(pr));
	snprintf(pr.path, sizeof(pr.path), "%s", path ? path : "");
	if (pfbpf_ioctl(dev, DIOCGETRULESETS, &pr))
		return fail();
	nr = pr.nr;
	if (!nr)
		return 0;
	*names = calloc(nr, sizeof(**names));
	if (!*names)
		return -ENOMEM;
	for (__u32 i = 0; i < nr; i++) {
		pr.nr = i;
		if (pfbpf_ioctl(dev, DIOCGETRULESET, &pr)) {
			int err = fail();

			free(*names);
			*names = NULL;
			return err;
		}
		snprintf((*names)[i], PF_ANCHOR_NAME_SIZE, "%s", pr.name);
	}
	*n = nr;
	return 0;
}

static int walk_rules(int dev, const char *path, int depth,
		      int (*cb)(const char *, size_t, const struct pfctl_rule *, void *), void *arg)
{
	char (*names)[PF_ANCHOR_NAME_SIZE] = NULL;
	struct pfctl_rule *r = NULL;
	size_t n = 0, na = 0;
	int err;

	/* Anchors nest as deep as MAXPATHLEN allows; the bound keeps a walk
	 * over corrupted maps finite. */
	if (depth > 64)
		return 0;
	err = pfctl_k_get_rules(dev, path, &r, &n);
	for (size_t i = 0; !err && i < n; i++)
		if (!r[i].corrupt[0]) /* never shown as a rule */
			err = cb(path, i, &r[i], arg);
	free(r);
	if (err || pfctl_k_get_anchors(dev, path, &names, &na))
		return err; /* a ruleset without children is no error */
	for (size_t i = 0; !err && i < na; i++) {
		char child[MAXPATHLEN];

		snprintf(child, sizeof(child), "%s%s%s", path, *path ? "/" : "", names[i]);
		err = walk_rules(dev, child, depth + 1, cb, arg);
	}
	free(names);
	return err;
}

int pfctl_k_walk_rules(int dev, const char *path,
		       int (*cb)(const char *anchor, size_t nr, const struct pfctl_rule *r, void *arg),
		       void *arg)
{
	return walk_rules(dev, path ? path : "", 0, cb, arg);
}

/* ---- transactions ------------------------------------------------------- */

int pfctl_k_trans_begin(int dev, struct pfctl_trans *t)
{
	struct pfioc_trans io = {
		.size = t->n,
		.esize = sizeof(struct pfioc_trans_e),
		.array = t->e,
	};

	return pfbpf_ioctl(dev, DIOCXBEGIN, &io) ? fail() : 0;
}

int pfctl_k_trans_commit(int dev, struct pfctl_trans *t)
{
	struct pfioc_trans io = {
		.size = t->n,
		.esize = sizeof(struct pfioc_trans_e),
		.array = t->e,
	};

	return pfbpf_ioctl(dev, DIOCXCOMMIT, &io) ? fail() : 0;
}

int pfctl_k_trans_rollback(int dev, struct pfctl_trans *t)
{
	struct pfioc_trans io = {
		.size = t->n,
		.esize = sizeof(struct pfioc_trans_e),
		.array = t->e,
	};
	int saved = errno;
	int rc = pfbpf_ioctl(dev, DIOCXROLLBACK, &io) ? fail() : 0;

	/* A rollback follows a failure; keep that failure's errno. */
	errno = saved;
	return rc;
}

/* Index of the (rs_num, anchor) element, adding it if missing. */
int pfctl_k_trans_elem(struct pfctl_trans *t, int rs_num, const char *anchor)
{
	for (int i = 0; i < t->n; i++)
		if (t->e[i].rs_num == rs_num && !strcmp(t->e[i].anchor, anchor))
			return i;
	if (t->n == PFCTL_TRANS_MAX)
		return -E2BIG;
	memset(&t->e[t->n], 0, sizeof(t->e[t->n]));
	t->e[t->n].rs_num = rs_num;
	snprintf(t->e[t->n].anchor, sizeof(t->e[t->n].anchor), "%s", anchor);
	return t->n++;
}

/*
 * As pfctl: a translating rule's pool goes first (DIOCBEGINADDRS, one
 * DIOCADDADDR per address), and DIOCADDRULE names its ticket.
 */
int pfctl_k_add_rule_pool(int dev, __u32 ticket, const char *anchor, const struct pfbpf_rule *r,
			  const char *call, const struct pfbpf_pool_addr *pool, size_t npool)
{
	struct pfioc_rule *pr = calloc(1, sizeof(*pr));
	struct pfioc_pooladdr *pp = calloc(1, sizeof(*pp));
	int err = 0;

	if (!pr || !pp) {
		err = -ENOMEM;
		goto out;
	}
	if (r->xlate || pfctl_rule_is_nat(r)) {
		if (pfbpf_ioctl(dev, DIOCBEGINADDRS, pp)) {
			err = fail();
			goto out;
		}
		for (size_t i = 0; i < npool; i++) {
			pp->addr = pool[i];
			pp->af = r->af ? r->af : pool[i].addr.af ? pool[i].addr.af : PF_INET;
			if (pfbpf_ioctl(dev, DIOCADDADDR, pp)) {
				err = fail();
				goto out;
			}
		}
		pr->pool_ticket = pp->ticket;
	}
	pr->ticket = ticket;
	snprintf(pr->anchor, sizeof(pr->anchor), "%s", anchor);
	pr->rule = *r;
	snprintf(pr->anchor_call, sizeof(pr->anchor_call), "%s", call ? call : "");
	if (pfbpf_ioctl(dev, DIOCADDRULE, pr))
		err = fail();
out:
	free(pr);
	free(pp);
	return err;
}

int pfctl_k_add_rule(int dev, __u32 ticket, const char *anchor, const struct pfbpf_rule *r,
		     const char *call)
{
	return pfctl_k_add_rule_pool(dev, ticket, anchor, r, call, NULL, 0);
}

int pfctl_k_table_define(int dev, __u32 ticket, const char *anchor, const char *name, __u32 flags,
			 const struct pfctl_taddr *a, size_t n)
{
	struct pfioc_table io;
	struct pfr_addr *p = calloc(n ? n : 1, sizeof(*p));
	int err = 0;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		taddr_to_pfr(&a[i], &p[i]);
	memset(&io, 0, sizeof(io));
	snprintf(io.pfrio_table.pfrt_name, sizeof(io.pfrio_table.pfrt_name), "%s", name);
	snprintf(io.pfrio_table.pfrt_anchor, sizeof(io.pfrio_table.pfrt_anchor), "%s", anchor);
	io.pfrio_table.pfrt_flags = flags;
	io.pfrio_buffer = p;
	io.pfrio_esize = sizeof(*p);
	io.pfrio_size = (int)n;
	io.pfrio_ticket = ticket;
	io.pfrio_flags = PFR_FLAG_ADDRSTOO;
	if (pfbpf_ioctl(dev, DIOCRINADEFINE, &io))
		err = fail();
	free(p);
	return err;
}

const char *pfctl_k_strerror(int dev)
{
	return pfbpf_strerror(dev);
}

