// SPDX-License-Identifier: BSD-2-Clause
/*
 * ioctl_tables.c - the DIOCR* table commands.
 *
 * Table names map to 16-bit ids in the pf_xtables registry; the addresses
 * live in the classifier's pf_tables LPM trie keyed by (id, af, address),
 * so a table lookup in the datapath is one trie walk.  A table's id never
 * changes while it exists: rules compiled against it stay valid, and
 * DIOCRSETADDRS / a committed DIOCRINADEFINE change entries in place (new
 * entries first, then the ones that go, so an address in both old and new
 * contents never misses).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "ioctl_priv.h"

struct tname {
	char s[PF_TABLE_NAME_SIZE];
};

static int name_key(struct pfbpf_handle *h, const char *name, struct tname *k)
{
	size_t len = strnlen(name, PF_TABLE_NAME_SIZE);

	if (!len || len == PF_TABLE_NAME_SIZE)
		return ctl_fail(h, -EINVAL, "invalid table name");
	memset(k, 0, sizeof(*k));
	memcpy(k->s, name, len);
	return 0;
}

static int xt_get(struct pfbpf_handle *h, const struct tname *k, struct pfbpf_xtable *xt)
{
	int fd = ctl_map(h, PFM_XTABLES);

	if (fd == -ENOENT && !(h->flags & O_RDWR))
		return -ESRCH;
	if (fd < 0)
		return fd;
	return bpf_map_lookup_elem(fd, k, xt) ? -ESRCH : 0;
}

static int xt_put(struct pfbpf_handle *h, const struct tname *k, const struct pfbpf_xtable *xt)
{
	int fd = ctl_map(h, PFM_XTABLES);

	if (fd < 0)
		return fd;
	if (bpf_map_update_elem(fd, k, xt, BPF_ANY))
		return ctl_fail(h, -errno, "table registry: %s", strerror(errno));
	return 0;
}

/* All registered tables, name order of the hash walk. */
struct xt_list {
	struct tname *names;
	struct pfbpf_xtable *xt;
	size_t n;
};

static void xt_list_free(struct xt_list *l)
{
	free(l->names);
	free(l->xt);
}

static int xt_list(struct pfbpf_handle *h, struct xt_list *l)
{
	struct tname k, next;
	int fd = ctl_map(h, PFM_XTABLES);
	bool first = true;

	memset(l, 0, sizeof(*l));
	if (fd == -ENOENT && !(h->flags & O_RDWR))
		return 0;
	if (fd < 0)
		return fd;
	l->names = calloc(PF_MAX_TABLES, sizeof(*l->names));
	l->xt = calloc(PF_MAX_TABLES, sizeof(*l->xt));
	if (!l->names || !l->xt) {
		xt_list_free(l);
		return -ENOMEM;
	}
	while (l->n < PF_MAX_TABLES && !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &l->xt[l->n]))
			continue;
		l->names[l->n++] = k;
	}
	return 0;
}

static int id_alloc(struct pfbpf_handle *h, __u16 *id)
{
	static __thread __u8 used[PF_MAX_TABLES];
	struct xt_list l;
	int err = xt_list(h, &l);

	if (err)
		return err;
	memset(used, 0, sizeof(used));
	for (size_t i = 0; i < l.n; i++) {
		if (l.xt[i].id < PF_MAX_TABLES)
			used[l.xt[i].id] = 1;
		if (l.xt[i].stage_id < PF_MAX_TABLES)
			used[l.xt[i].stage_id] = 1;
	}
	xt_list_free(&l);
	for (int i = 0; i < PF_MAX_TABLES; i++)
		if (!used[i]) {
			*id = i;
			return 0;
		}
	return ctl_fail(h, -ENOMEM, "no free table id (%d tables)", PF_MAX_TABLES);
}

/* Rules and pools of the active rulesets (main and anchors) naming a table. */
static int table_refs(struct pfbpf_handle *h, const char *name)
{
	struct pfbpf_xrule_key k, next;
	struct pfbpf_rule v;
	int fd = ctl_map(h, PFM_XRULES), refs = 0;
	bool first = true;

	while (fd >= 0 && !bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if ((k.area != XR_ACTIVE && k.area != XR_POOL_ACTIVE) ||
		    bpf_map_lookup_elem(fd, &k, &v))
			continue;
		if (k.area == XR_POOL_ACTIVE) {
			/* a translation pool's address (ioctl_pool.c stores it at
			 * the start of the value) */
			const struct pfbpf_pool_addr *a = (const void *)&v;

			refs += a->addr.type == PFBPF_ADDR_TABLE &&
				!strncmp(a->addr.table, name, PF_TABLE_NAME_SIZE);
			continue;
		}
		refs += (v.src.type == PFBPF_ADDR_TABLE &&
			 !strncmp(v.src.table, name, PF_TABLE_NAME_SIZE)) ||
			(v.dst.type == PFBPF_ADDR_TABLE &&
			 !strncmp(v.dst.table, name, PF_TABLE_NAME_SIZE));
	}
	return refs;
}

int ctl_table_id(struct pfbpf_handle *h, const char *name, bool create)
{
	struct pfbpf_xtable xt;
	struct tname k;
	int err;

	if ((err = name_key(h, name, &k)))
		return err;
	err = xt_get(h, &k, &xt);
	if (!err)
		return xt.id;
	if (err != -ESRCH || !create)
		return ctl_fail(h, err, "table <%s> does not exist", name);
	memset(&xt, 0, sizeof(xt));
	xt.stage_id = PFBPF_NO_TABLE;
	xt.tzero = ctl_real_s();
	if ((err = id_alloc(h, &xt.id)) || (err = xt_put(h, &k, &xt)))
		return err;
	return xt.id;
}

/* ---- entries in pf_tables ---- */

static void tkey_make(struct pf_table_key *tk, __u16 id, const struct pfr_addr *a)
{
	int bits = a->pfra_af == PF_INET ? 32 : 128;

	memset(tk, 0, sizeof(*tk));
	tk->prefixlen = 32 + a->pfra_net;
	tk->table = htons(id);
	tk->af = a->pfra_af;
	memcpy(&tk->addr, &a->pfra_u, bits / 8);
}

static void tkey_to_addr(const struct pf_table_key *tk, const struct pf_table_entry *e,
			 struct pfr_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->pfra_af = tk->af;
	a->pfra_net = tk->prefixlen - 32;
	a->pfra_not = e->neg;
	memcpy(&a->pfra_u, &tk->addr, tk->af == PF_INET ? 4 : 16);
}

static int addr_check(struct pfbpf_handle *h, const struct pfr_addr *a)
{
	int bits;
	const __u8 *b = (const __u8 *)&a->pfra_u;

	if (a->pfra_af == PF_INET)
		bits = 32;
	else if (a->pfra_af == PF_INET6)
		bits = 128;
	else
		return ctl_fail(h, -EINVAL, "address family %u not supported", a->pfra_af);
	if (a->pfra_net > bits || a->pfra_not > 1)
		return ctl_fail(h, -EINVAL, "prefix length %u too long", a->pfra_net);
	/* pf refuses host bits under the mask: 192.0.2.1/24 is a typo. */
	for (int i = a->pfra_net; i < bits; i++)
		if (b[i / 8] & (0x80 >> (i % 8)))
			return ctl_fail(h, -EINVAL, "address has bits set beyond its /%u mask",
					  a->pfra_net);
	if (bits == 32)
		for (int i = 4; i < 16; i++)
			if (b[i])
				return ctl_fail(h, -EINVAL, "IPv4 address with IPv6 bytes");
	return 0;
}

/*
 * The trie's lookup is longest-prefix: asking for 192.0.2.7/32 finds
 * 192.0.2.0/24.  An exact entry, if there is one, is the longest match;
 * rewriting it in place with BPF_EXIST succeeds only when it exists.
 */
static bool exact_get(int fd, const struct pf_table_key *tk, struct pf_table_entry *e)
{
	if (bpf_map_lookup_elem(fd, tk, e))
		return false;
	return !bpf_map_update_elem(fd, tk, e, BPF_EXIST);
}

struct entries {
	struct pf_table_key *k;
	struct pf_table_entry *e;
	size_t n;
};

static void entries_free(struct entries *en)
{
	free(en->k);
	free(en->e);
}

static int entries_of(struct pfbpf_handle *h, __u16 id, struct entries *en)
{
	struct pf_table_key k, next;
	int fd = ctl_map(h, PFM_TABLES);
	size_t cap = 0;
	bool first = true;

	memset(en, 0, sizeof(*en));
	if (fd < 0)
		return fd;
	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (ntohs(k.table) != id)
			continue;
		if (en->n == cap) {
			cap = cap ? 2 * cap : 64;
			en->k = realloc(en->k, cap * sizeof(*en->k));
			en->e = realloc(en->e, cap * sizeof(*en->e));
			if (!en->k || !en->e) {
				entries_free(en);
				return -ENOMEM;
			}
		}
		if (bpf_map_lookup_elem(fd, &k, &en->e[en->n]))
			continue;
		en->k[en->n++] = k;
	}
	return 0;
}

static int entries_flush(struct pfbpf_handle *h, __u16 id, int *ndel)
{
	struct entries en;
	int fd = ctl_map(h, PFM_TABLES), err;

	if (fd < 0)
		return fd;
	if ((err = entries_of(h, id, &en)))
		return err;
	for (size_t i = 0; i < en.n; i++)
		if (!bpf_map_delete_elem(fd, &en.k[i]) && ndel)
			(*ndel)++;
	entries_free(&en);
	return 0;
}

static int total_entries(struct pfbpf_handle *h, __u64 *total)
{
	struct xt_list l;
	int err = xt_list(h, &l);

	*total = 0;
	if (err)
		return err;
	for (size_t i = 0; i < l.n; i++)
		*total += l.xt[i].cnt + l.xt[i].stage_cnt;
	xt_list_free(&l);
	return 0;
}

/* ---- commands ---- */

static int io_table(struct pfbpf_handle *h, const struct pfr_table *t, struct tname *k)
{
	if (strnlen(t->pfrt_anchor, MAXPATHLEN) && t->pfrt_anchor[0] != '/')
		return ctl_fail(h, -EINVAL, "tables inside anchors are not supported");
	return name_key(h, t->pfrt_name, k);
}

static int io_buffer(struct pfbpf_handle *h, struct pfioc_table *io, size_t esize)
{
	if (io->pfrio_esize != (int)esize)
		return ctl_fail(h, -ENODEV, "element size %d, expected %zu", io->pfrio_esize, esize);
	if (io->pfrio_size < 0 || (io->pfrio_size && !io->pfrio_buffer))
		return ctl_fail(h, -EINVAL, "bad buffer");
	return 0;
}

/* An existing, defined table: ESRCH otherwise, as pf. */
static int io_active(struct pfbpf_handle *h, struct pfioc_table *io, struct tname *k,
		     struct pfbpf_xtable *xt)
{
	int err = io_table(h, &io->pfrio_table, k);

	if (err)
		return err;
	if (xt_get(h, k, xt) || !(xt->flags & PFR_TFLAG_ACTIVE))
		return ctl_fail(h, -ESRCH, "table <%s> does not exist", k->s);
	return 0;
}

static bool dummy(const struct pfioc_table *io)
{
	return io->pfrio_flags & PFR_FLAG_DUMMY;
}

/* Drop a table's definition: a table rules still use stays as an empty,
 * undefined placeholder, as pf keeps it referenced. */
static int table_undefine(struct pfbpf_handle *h, const struct tname *k, struct pfbpf_xtable *xt)
{
	int err = entries_flush(h, xt->id, NULL), fd;

	if (err)
		return err;
	xt->cnt = 0;
	xt->flags &= ~(PFR_TFLAG_ACTIVE | PFR_TFLAG_USRMASK);
	if (table_refs(h, k->s) || xt->stage_id != PFBPF_NO_TABLE)
		return xt_put(h, k, xt);
	fd = ctl_map(h, PFM_XTABLES);
	bpf_map_delete_elem(fd, k);
	return 0;
}

int pfbpf_cmd_rclrtables(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct xt_list l;
	int err = xt_list(h, &l);

	if (err)
		return err;
	io->pfrio_ndel = 0;
	for (size_t i = 0; i < l.n && !err; i++) {
		if (!(l.xt[i].flags & PFR_TFLAG_ACTIVE))
			continue;
		io->pfrio_ndel++;
		if (!dummy(io))
			err = table_undefine(h, &l.names[i], &l.xt[i]);
	}
	xt_list_free(&l);
	return err;
}

int pfbpf_cmd_raddtables(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfr_table *t = io->pfrio_buffer;
	struct pf_config cfg;
	struct xt_list l;
	int err, active = 0;

	if ((err = io_buffer(h, io, sizeof(*t))) || (err = ctl_cfg_read(h, &cfg)) ||
	    (err = xt_list(h, &l)))
		return err;
	for (size_t i = 0; i < l.n; i++)
		active += !!(l.xt[i].flags & PFR_TFLAG_ACTIVE);
	xt_list_free(&l);
	for (int i = 0; i < io->pfrio_size; i++) {
		struct tname k;

		if ((err = io_table(h, &t[i], &k)))
			return err;
		if (t[i].pfrt_flags & ~PFR_TFLAG_USRMASK)
			return ctl_fail(h, -EINVAL, "table <%s>: flags 0x%x not settable", k.s,
					  t[i].pfrt_flags);
	}
	io->pfrio_nadd = 0;
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pfbpf_xtable xt;
		struct tname k;
		int id;

		io_table(h, &t[i], &k);
		if (!xt_get(h, &k, &xt) && (xt.flags & PFR_TFLAG_ACTIVE))
			continue;
		if ((__u32)active + io->pfrio_nadd >= pfbpf_limit(&cfg, PF_LIMIT_TABLES))
			return ctl_fail(h, -ENOMEM, "table limit (%u) reached",
					  pfbpf_limit(&cfg, PF_LIMIT_TABLES));
		io->pfrio_nadd++;
		if (dummy(io))
			continue;
		id = ctl_table_id(h, k.s, true);
		if (id < 0)
			return id;
		xt_get(h, &k, &xt);
		xt.flags = (xt.flags & ~PFR_TFLAG_USRMASK) | t[i].pfrt_flags | PFR_TFLAG_ACTIVE;
		xt.tzero = ctl_real_s();
		if ((err = xt_put(h, &k, &xt)))
			return err;
	}
	return 0;
}

int pfbpf_cmd_rdeltables(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfr_table *t = io->pfrio_buffer;
	int err;

	if ((err = io_buffer(h, io, sizeof(*t))))
		return err;
	io->pfrio_ndel = 0;
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pfbpf_xtable xt;
		struct tname k;

		if ((err = io_table(h, &t[i], &k)))
			return err;
		if (xt_get(h, &k, &xt) || !(xt.flags & PFR_TFLAG_ACTIVE))
			continue;
		io->pfrio_ndel++;
		if (!dummy(io) && (err = table_undefine(h, &k, &xt)))
			return err;
	}
	return 0;
}

static void table_out(const struct tname *k, const struct pfbpf_xtable *xt, int refs,
		      struct pfr_table *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->pfrt_name, k->s, sizeof(k->s));
	t->pfrt_flags = (xt->flags & ~PFBPF_XT_POOL) | (refs ? PFR_TFLAG_REFERENCED : 0) |
			(xt->stage_id != PFBPF_NO_TABLE ? PFR_TFLAG_INACTIVE : 0);
}

static void tstats_out(struct pfbpf_handle *h, const struct tname *k,
		       const struct pfbpf_xtable *xt, struct pfr_tstats *ts)
{
	size_t stride = ctl_pcpu_stride(sizeof(struct pf_table_stats));
	int refs = table_refs(h, k->s);
	__u32 idx = xt->id;
	char *buf;

	memset(ts, 0, sizeof(*ts));
	table_out(k, xt, refs, &ts->pfrts_t);
	ts->pfrts_cnt = xt->cnt;
	ts->pfrts_tzero = xt->tzero;
	ts->pfrts_refcnt[PFR_REFCNT_RULE] = refs;
	buf = calloc(h->ncpu, stride);
	if (buf && !ctl_pcpu_read(h, PFM_TABLESTAT, &idx, buf, 0))
		for (int c = 0; c < h->ncpu; c++) {
			const struct pf_table_stats *s = (const void *)(buf + c * stride);

			ts->pfrts_match += s->match;
			ts->pfrts_nomatch += s->nomatch;
		}
	free(buf);
}

static bool listed(const struct pfioc_table *io, const struct pfbpf_xtable *xt)
{
	return (xt->flags & PFR_TFLAG_ACTIVE) || (io->pfrio_flags & PFR_FLAG_ALLRSETS);
}

static int get_tables(struct pfbpf_handle *h, struct pfioc_table *io, bool stats)
{
	size_t esize = stats ? sizeof(struct pfr_tstats) : sizeof(struct pfr_table);
	struct xt_list l;
	int err, n = 0;

	if ((err = io_buffer(h, io, esize)) || (err = xt_list(h, &l)))
		return err;
	for (size_t i = 0; i < l.n; i++)
		n += listed(io, &l.xt[i]);
	/* Too small a buffer: pf stores nothing and says how many. */
	if (n > io->pfrio_size) {
		io->pfrio_size = n;
		xt_list_free(&l);
		return 0;
	}
	n = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (!listed(io, &l.xt[i]))
			continue;
		if (stats)
			tstats_out(h, &l.names[i], &l.xt[i], (struct pfr_tstats *)io->pfrio_buffer + n);
		else
			table_out(&l.names[i], &l.xt[i], table_refs(h, l.names[i].s),
				  (struct pfr_table *)io->pfrio_buffer + n);
		n++;
	}
	io->pfrio_size = n;
	xt_list_free(&l);
	return 0;
}

int pfbpf_cmd_rgettables(struct pfbpf_handle *h, void *arg)
{
	return get_tables(h, arg, false);
}

int pfbpf_cmd_rgettstats(struct pfbpf_handle *h, void *arg)
{
	return get_tables(h, arg, true);
}

int pfbpf_cmd_rclrtstats(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfr_table *t = io->pfrio_buffer;
	int err;

	if ((err = io_buffer(h, io, sizeof(*t))))
		return err;
	io->pfrio_nzero = 0;
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pfbpf_xtable xt;
		struct tname k;
		__u32 idx;

		if ((err = io_table(h, &t[i], &k)))
			return err;
		if (xt_get(h, &k, &xt))
			continue;
		io->pfrio_nzero++;
		if (dummy(io))
			continue;
		idx = xt.id;
		err = ctl_pcpu_zero(h, PFM_TABLESTAT, &idx, sizeof(struct pf_table_stats));
		if (err && err != -ENOENT)
			return ctl_fail(h, err, "clearing statistics of <%s>", k.s);
		xt.tzero = ctl_real_s();
		if ((err = xt_put(h, &k, &xt)))
			return err;
	}
	return 0;
}

int pfbpf_cmd_rclraddrs(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfbpf_xtable xt;
	struct tname k;
	struct entries en;
	int err;

	if ((err = io_active(h, io, &k, &xt)))
		return err;
	if (xt.flags & PFR_TFLAG_CONST)
		return ctl_fail(h, -EPERM, "table <%s> is const", k.s);
	io->pfrio_ndel = 0;
	if (dummy(io)) {
		if ((err = entries_of(h, xt.id, &en)))
			return err;
		io->pfrio_ndel = en.n;
		entries_free(&en);
		return 0;
	}
	if ((err = entries_flush(h, xt.id, &io->pfrio_ndel)))
		return err;
	xt.cnt = 0;
	if ((err = xt_put(h, &k, &xt)))
		return err;
	return ctl_table_pool_changed(h, &xt);
}

static int addrs_check(struct pfbpf_handle *h, struct pfioc_table *io)
{
	struct pfr_addr *a = io->pfrio_buffer;
	int err = io_buffer(h, io, sizeof(*a));

	for (int i = 0; !err && i < io->pfrio_size; i++)
		err = addr_check(h, &a[i]);
	return err;
}

/* Undo what addrs_add wrote: the addresses at added[0..n). */
static void addrs_unadd(int fd, __u16 id, const struct pfr_addr *a, const int *added, int n)
{
	for (int i = 0; i < n; i++) {
		struct pf_table_key tk;

		tkey_make(&tk, id, &a[added[i]]);
		bpf_map_delete_elem(fd, &tk);
	}
}

/*
 * Add addrs to table id; counts and feedback as DIOCRADDADDRS.  All or
 * nothing, as pf's pfr_add_addrs: the table-entries limit is checked for
 * the whole list before anything is written (a million-line file over the
 * limit adds nothing), and a failure half way takes back what this call
 * added.
 */
static int addrs_add(struct pfbpf_handle *h, struct pfioc_table *io, __u16 id, __u32 *cnt,
		     int *nadd)
{
	struct pfr_addr *a = io->pfrio_buffer;
	struct pf_config cfg;
	__u64 total, fresh = 0;
	__u32 limit;
	int fd = ctl_map(h, PFM_TABLES), err = 0, nadded = 0;
	int *added;

	if (fd < 0)
		return fd;
	if ((err = ctl_cfg_read(h, &cfg)) || (err = total_entries(h, &total)))
		return err;
	limit = pfbpf_limit(&cfg, PF_LIMIT_TABLE_ENTRIES);
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pf_table_key tk;
		struct pf_table_entry old;

		tkey_make(&tk, id, &a[i]);
		if (!exact_get(fd, &tk, &old))
			fresh++;
	}
	/* a list with an address twice counts it twice here: refused a
	 * little early rather than written half */
	if (total + fresh > limit)
		return ctl_fail(h, -ENOMEM, "table-entries limit (%u) reached: %llu entries, %llu more",
				limit, (unsigned long long)total, (unsigned long long)fresh);
	added = malloc(((size_t)io->pfrio_size + 1) * sizeof(*added));
	if (!added)
		return ctl_fail(h, -ENOMEM, "adding %d addresses: out of memory", io->pfrio_size);
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pf_table_key tk;
		struct pf_table_entry e = {}, old;
		__u8 fb;

		tkey_make(&tk, id, &a[i]);
		if (exact_get(fd, &tk, &old)) {
			fb = old.neg == a[i].pfra_not ? PFR_FB_DUPLICATE : PFR_FB_CONFLICT;
		} else {
			fb = PFR_FB_ADDED;
			e.neg = a[i].pfra_not;
			e.ctime = ctl_real_s();
			if (!dummy(io) && bpf_map_update_elem(fd, &tk, &e, BPF_NOEXIST)) {
				if (errno == EEXIST) { /* same address twice in the list */
					fb = PFR_FB_DUPLICATE;
				} else {
					err = ctl_fail(h, errno == ENOSPC ? -ENOMEM : -errno,
						       "adding an address: %s", strerror(errno));
					break;
				}
			}
			if (fb == PFR_FB_ADDED) {
				(*nadd)++;
				if (!dummy(io))
					added[nadded++] = i;
			}
		}
		if (io->pfrio_flags & PFR_FLAG_FEEDBACK)
			a[i].pfra_fback = fb;
	}
	if (err) {
		addrs_unadd(fd, id, a, added, nadded);
		*nadd = 0;
	} else {
		*cnt += nadded;
	}
	free(added);
	return err;
}

int pfbpf_cmd_raddaddrs(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfbpf_xtable xt;
	struct tname k;
	int err;

	if ((err = io_active(h, io, &k, &xt)) || (err = addrs_check(h, io)))
		return err;
	if (xt.flags & PFR_TFLAG_CONST)
		return ctl_fail(h, -EPERM, "table <%s> is const", k.s);
	io->pfrio_nadd = 0;
	err = addrs_add(h, io, xt.id, &xt.cnt, &io->pfrio_nadd);
	if (!dummy(io)) {
		int e2 = xt_put(h, &k, &xt);

		err = err ? err : e2;
		if (!err && io->pfrio_nadd)
			err = ctl_table_pool_changed(h, &xt);
	}
	return err;
}

int pfbpf_cmd_rdeladdrs(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfr_addr *a = io->pfrio_buffer;
	struct pfbpf_xtable xt;
	struct tname k;
	int err, fd = ctl_map(h, PFM_TABLES);

	if (fd < 0)
		return fd;
	if ((err = io_active(h, io, &k, &xt)) || (err = addrs_check(h, io)))
		return err;
	if (xt.flags & PFR_TFLAG_CONST)
		return ctl_fail(h, -EPERM, "table <%s> is const", k.s);
	io->pfrio_ndel = 0;
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pf_table_key tk;
		struct pf_table_entry old;
		__u8 fb = PFR_FB_NONE;

		tkey_make(&tk, xt.id, &a[i]);
		if (exact_get(fd, &tk, &old) && old.neg == a[i].pfra_not) {
			if (dummy(io) || !bpf_map_delete_elem(fd, &tk)) {
				fb = PFR_FB_DELETED;
				io->pfrio_ndel++;
				if (!dummy(io) && xt.cnt)
					xt.cnt--;
			}
		}
		if (io->pfrio_flags & PFR_FLAG_FEEDBACK)
			a[i].pfra_fback = fb;
	}
	if (dummy(io))
		return 0;
	if ((err = xt_put(h, &k, &xt)))
		return err;
	return io->pfrio_ndel ? ctl_table_pool_changed(h, &xt) : 0;
}

/* Make table `id`'s contents exactly `want` (n addresses): add and change
 * first, delete last, so addresses in both never miss. */
static int table_replace(struct pfbpf_handle *h, __u16 id, struct pfr_addr *want, int n, bool fb,
			 bool dry, int *nadd, int *ndel, int *nchange, struct pfr_addr *deleted,
			 int ndeleted_max, __u32 *cnt)
{
	struct entries cur;
	int fd = ctl_map(h, PFM_TABLES), err;
	__u8 *keep;

	if (fd < 0)
		return fd;
	if ((err = entries_of(h, id, &cur)))
		return err;
	keep = calloc(cur.n + 1, 1);
	if (!keep) {
		entries_free(&cur);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		struct pf_table_key tk;
		struct pf_table_entry e = { .neg = want[i].pfra_not, .ctime = ctl_real_s() };
		size_t j;

		tkey_make(&tk, id, &want[i]);
		for (j = 0; j < cur.n; j++)
			if (!memcmp(&cur.k[j], &tk, sizeof(tk)))
				break;
		if (fb)
			want[i].pfra_fback = PFR_FB_NONE;
		if (j < cur.n) {
			if (keep[j]) {
				if (fb)
					want[i].pfra_fback = PFR_FB_DUPLICATE;
				continue; /* listed twice */
			}
			keep[j] = 1;
			if (cur.e[j].neg == e.neg)
				continue;
			(*nchange)++;
			e.ctime = cur.e[j].ctime;
			if (fb)
				want[i].pfra_fback = PFR_FB_CHANGED;
		} else {
			(*nadd)++;
			if (fb)
				want[i].pfra_fback = PFR_FB_ADDED;
		}
		if (!dry && bpf_map_update_elem(fd, &tk, &e, BPF_ANY)) {
			err = ctl_fail(h, errno == ENOSPC ? -ENOMEM : -errno,
					 "adding an address: %s", strerror(errno));
			goto out;
		}
	}
	for (size_t j = 0; j < cur.n; j++) {
		if (keep[j])
			continue;
		if (deleted && *ndel < ndeleted_max) {
			tkey_to_addr(&cur.k[j], &cur.e[j], &deleted[*ndel]);
			deleted[*ndel].pfra_fback = PFR_FB_DELETED;
		}
		(*ndel)++;
		if (!dry)
			bpf_map_delete_elem(fd, &cur.k[j]);
	}
	if (!dry)
		*cnt = cur.n + *nadd - *ndel;
out:
	free(keep);
	entries_free(&cur);
	return err;
}

int pfbpf_cmd_rsetaddrs(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfr_addr *a = io->pfrio_buffer;
	struct pfbpf_xtable xt;
	struct tname k;
	int err, room = 0;

	if ((err = io_active(h, io, &k, &xt)) || (err = addrs_check(h, io)))
		return err;
	if (xt.flags & PFR_TFLAG_CONST)
		return ctl_fail(h, -EPERM, "table <%s> is const", k.s);
	if (io->pfrio_size2 > io->pfrio_size)
		room = io->pfrio_size2 - io->pfrio_size;
	io->pfrio_nadd = io->pfrio_ndel = io->pfrio_nchange = 0;
	err = table_replace(h, xt.id, a, io->pfrio_size, io->pfrio_flags & PFR_FLAG_FEEDBACK,
			    dummy(io), &io->pfrio_nadd,
			    &io->pfrio_ndel, &io->pfrio_nchange, room ? a + io->pfrio_size : NULL,
			    room, &xt.cnt);
	if (err)
		return err;
	if (io->pfrio_size2)
		io->pfrio_size2 = io->pfrio_size + io->pfrio_ndel;
	if (dummy(io))
		return 0;
	if ((err = xt_put(h, &k, &xt)))
		return err;
	return (io->pfrio_nadd || io->pfrio_ndel || io->pfrio_nchange) ?
		       ctl_table_pool_changed(h, &xt) : 0;
}

static int get_addrs(struct pfbpf_handle *h, struct pfioc_table *io, bool stats)
{
	size_t esize = stats ? sizeof(struct pfr_astats) : sizeof(struct pfr_addr);
	struct pfbpf_xtable xt;
	struct entries en;
	struct tname k;
	int err;

	if ((err = io_active(h, io, &k, &xt)) || (err = io_buffer(h, io, esize)) ||
	    (err = entries_of(h, xt.id, &en)))
		return err;
	if ((int)en.n > io->pfrio_size) {
		io->pfrio_size = en.n;
		entries_free(&en);
		return 0;
	}
	for (size_t i = 0; i < en.n; i++) {
		if (stats) {
			struct pfr_astats *as = (struct pfr_astats *)io->pfrio_buffer + i;

			memset(as, 0, sizeof(*as));
			tkey_to_addr(&en.k[i], &en.e[i], &as->pfras_a);
			as->pfras_tzero = en.e[i].ctime;
		} else {
			tkey_to_addr(&en.k[i], &en.e[i], (struct pfr_addr *)io->pfrio_buffer + i);
		}
	}
	io->pfrio_size = en.n;
	entries_free(&en);
	return 0;
}

int pfbpf_cmd_rgetaddrs(struct pfbpf_handle *h, void *arg)
{
	return get_addrs(h, arg, false);
}

int pfbpf_cmd_rgetastats(struct pfbpf_handle *h, void *arg)
{
	return get_addrs(h, arg, true);
}

int pfbpf_cmd_rclrastats(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfr_addr *a = io->pfrio_buffer;
	struct pfbpf_xtable xt;
	struct tname k;
	int err, fd = ctl_map(h, PFM_TABLES);

	if (fd < 0)
		return fd;
	if ((err = io_active(h, io, &k, &xt)) || (err = addrs_check(h, io)))
		return err;
	/* No per-address counters exist; the addresses found are "cleared". */
	io->pfrio_nzero = 0;
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pf_table_key tk;
		struct pf_table_entry e;

		tkey_make(&tk, xt.id, &a[i]);
		if (exact_get(fd, &tk, &e)) {
			io->pfrio_nzero++;
			if (io->pfrio_flags & PFR_FLAG_FEEDBACK)
				a[i].pfra_fback = PFR_FB_CLEARED;
		} else if (io->pfrio_flags & PFR_FLAG_FEEDBACK) {
			a[i].pfra_fback = PFR_FB_NONE;
		}
	}
	return 0;
}

int pfbpf_cmd_rtstaddrs(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfr_addr *a = io->pfrio_buffer;
	struct pfbpf_xtable xt;
	struct tname k;
	int err, fd = ctl_map(h, PFM_TABLES);

	if (fd < 0)
		return fd;
	if ((err = io_active(h, io, &k, &xt)) || (err = addrs_check(h, io)))
		return err;
	io->pfrio_nmatch = 0;
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pf_table_key tk;
		struct pf_table_entry e;
		int bits = a[i].pfra_af == PF_INET ? 32 : 128;

		if (a[i].pfra_net != bits)
			return ctl_fail(h, -EINVAL, "only host addresses can be tested");
		tkey_make(&tk, xt.id, &a[i]);
		/* The datapath's lookup: longest prefix, a negated entry means
		 * no match. */
		if (!bpf_map_lookup_elem(fd, &tk, &e) && !e.neg) {
			a[i].pfra_fback = PFR_FB_MATCH;
			io->pfrio_nmatch++;
		} else {
			a[i].pfra_fback = PFR_FB_NOTMATCH;
		}
	}
	return 0;
}

int pfbpf_cmd_rsettflags(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfr_table *t = io->pfrio_buffer;
	int set = io->pfrio_setflag, clr = io->pfrio_clrflag, err;

	if ((err = io_buffer(h, io, sizeof(*t))))
		return err;
	if ((set | clr) & ~PFR_TFLAG_USRMASK || (set & clr))
		return ctl_fail(h, -EINVAL, "flags 0x%x/0x%x not settable", set, clr);
	io->pfrio_nchange = io->pfrio_ndel = 0;
	for (int i = 0; i < io->pfrio_size; i++) {
		struct pfbpf_xtable xt;
		struct tname k;
		__u32 nf;

		if ((err = io_table(h, &t[i], &k)))
			return err;
		if (xt_get(h, &k, &xt) || !(xt.flags & PFR_TFLAG_ACTIVE))
			continue;
		nf = (xt.flags | set) & ~clr;
		if (nf == xt.flags)
			continue;
		/* pf: an unreferenced table that loses `persist` goes away. */
		if ((xt.flags & PFR_TFLAG_PERSIST) && !(nf & PFR_TFLAG_PERSIST) &&
		    !table_refs(h, k.s)) {
			io->pfrio_ndel++;
			if (!dummy(io) && (err = table_undefine(h, &k, &xt)))
				return err;
			continue;
		}
		io->pfrio_nchange++;
		xt.flags = nf;
		if (!dummy(io) && (err = xt_put(h, &k, &xt)))
			return err;
	}
	return 0;
}

int pfbpf_cmd_rinadefine(struct pfbpf_handle *h, void *arg)
{
	struct pfioc_table *io = arg;
	struct pfbpf_xtable xt;
	struct pfbpf_xmeta m;
	struct tname k;
	int err, id;

	if ((err = ctl_xmeta_read(h, &m)))
		return err;
	if (!m.ticket || io->pfrio_ticket != m.ticket)
		return ctl_fail(h, -EBUSY, "ticket %u is stale: another transaction began",
				  io->pfrio_ticket);
	if ((err = io_table(h, &io->pfrio_table, &k)) || (err = addrs_check(h, io)))
		return err;
	if (io->pfrio_table.pfrt_flags & ~PFR_TFLAG_USRMASK)
		return ctl_fail(h, -EINVAL, "table <%s>: flags not settable", k.s);
	io->pfrio_nadd = io->pfrio_naddr = 0;
	if (dummy(io))
		return 0;
	id = ctl_table_id(h, k.s, true);
	if (id < 0)
		return id;
	if ((err = xt_get(h, &k, &xt)))
		return err;
	if (xt.stage_id == PFBPF_NO_TABLE || xt.stage_ticket != m.ticket) {
		if (xt.stage_id != PFBPF_NO_TABLE && (err = entries_flush(h, xt.stage_id, NULL)))
			return err;
		if ((err = id_alloc(h, &xt.stage_id)))
			return err;
		xt.stage_cnt = 0;
		xt.stage_ticket = m.ticket;
		io->pfrio_nadd = 1;
	}
	xt.stage_flags = io->pfrio_table.pfrt_flags;
	/* Register the staging id before filling it so a crash leaves it
	 * findable (and freed by the next DIOCXBEGIN). */
	if ((err = xt_put(h, &k, &xt)))
		return err;
	err = addrs_add(h, io, xt.stage_id, &xt.stage_cnt, &io->pfrio_naddr);
	if (!err)
		err = xt_put(h, &k, &xt);
	return err;
}

int ctl_tables_commit(struct pfbpf_handle *h, __u32 ticket)
{
	struct xt_list l;
	int err = xt_list(h, &l);

	for (size_t i = 0; !err && i < l.n; i++) {
		struct pfbpf_xtable *xt = &l.xt[i];
		struct entries st;
		struct pfr_addr *want;
		int nadd = 0, ndel = 0, nch = 0;

		if (xt->stage_id == PFBPF_NO_TABLE || xt->stage_ticket != ticket)
			continue;
		if ((err = entries_of(h, xt->stage_id, &st)))
			break;
		want = calloc(st.n + 1, sizeof(*want));
		if (!want) {
			entries_free(&st);
			err = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < st.n; j++)
			tkey_to_addr(&st.k[j], &st.e[j], &want[j]);
		entries_free(&st);
		err = table_replace(h, xt->id, want, st.n, false, false, &nadd, &ndel, &nch, NULL, 0,
				    &xt->cnt);
		free(want);
		if (!err)
			err = entries_flush(h, xt->stage_id, NULL);
		xt->stage_id = PFBPF_NO_TABLE;
		xt->stage_cnt = 0;
		xt->stage_ticket = 0;
		xt->flags = (xt->flags & ~PFR_TFLAG_USRMASK) | xt->stage_flags | PFR_TFLAG_ACTIVE;
		xt->tzero = ctl_real_s();
		if (!err)
			err = xt_put(h, &l.names[i], xt);
	}
	xt_list_free(&l);
	return err;
}

int ctl_tables_rollback(struct pfbpf_handle *h, __u32 ticket)
{
	struct xt_list l;
	int err = xt_list(h, &l);

	for (size_t i = 0; !err && i < l.n; i++) {
		struct pfbpf_xtable *xt = &l.xt[i];

		if (xt->stage_id == PFBPF_NO_TABLE || (ticket && xt->stage_ticket != ticket))
			continue;
		if ((err = entries_flush(h, xt->stage_id, NULL)))
			break;
		xt->stage_id = PFBPF_NO_TABLE;
		xt->stage_cnt = 0;
		xt->stage_ticket = 0;
		if (!(xt->flags & PFR_TFLAG_ACTIVE) && !table_refs(h, l.names[i].s))
			bpf_map_delete_elem(ctl_map(h, PFM_XTABLES), &l.names[i]);
		else
			err = xt_put(h, &l.names[i], xt);
	}
	xt_list_free(&l);
	return err;
}

/* Tables that only existed because a rule named them go with the last
 * rule naming them (pf frees unreferenced, undefined tables). */
int ctl_tables_gc(struct pfbpf_handle *h)
{
	struct xt_list l;
	int err = xt_list(h, &l), fd;

	if (err)
		return err;
	fd = ctl_map(h, PFM_XTABLES);
	for (size_t i = 0; fd >= 0 && i < l.n; i++) {
		const struct pfbpf_xtable *xt = &l.xt[i];

		if ((xt->flags & PFR_TFLAG_ACTIVE) || xt->stage_id != PFBPF_NO_TABLE ||
		    table_refs(h, l.names[i].s))
			continue;
		if (!entries_flush(h, xt->id, NULL))
			bpf_map_delete_elem(fd, &l.names[i]);
	}
	xt_list_free(&l);
	return 0;
}

/* ---- tables as translation pools ------------------------------------------ */

int ctl_table_pool_addrs(struct pfbpf_handle *h, const char *name, struct pfbpf_pool_addr **out,
			 __u32 *n)
{
	struct pfbpf_xtable xt;
	struct entries en;
	struct tname k;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = name_key(h, name, &k)))
		return err;
	if (xt_get(h, &k, &xt))
		return ctl_fail(h, -ENOENT, "pool table <%s> does not exist", name);
	if (!(xt.flags & PFBPF_XT_POOL)) {
		xt.flags |= PFBPF_XT_POOL;
		if ((err = xt_put(h, &k, &xt)))
			return err;
	}
	if (!(xt.flags & PFR_TFLAG_ACTIVE))
		return 0;
	if ((err = entries_of(h, xt.id, &en)))
		return err;
	if (en.n && !(*out = calloc(en.n, sizeof(**out)))) {
		entries_free(&en);
		return -ENOMEM;
	}
	for (size_t i = 0; i < en.n; i++) {
		struct pfbpf_addr_spec *a = &(*out)[*n].addr;

		/* `!addr` entries exclude, they give nothing to translate to */
		if (en.e[i].neg)
			continue;
		a->type = PFBPF_ADDR_MASK;
		a->af = en.k[i].af;
		a->prefixlen = en.k[i].prefixlen - 32;
		a->addr = en.k[i].addr;
		(*n)++;
	}
	entries_free(&en);
	return 0;
}

int ctl_table_pool_changed(struct pfbpf_handle *h, const struct pfbpf_xtable *xt)
{
	/* a table no pool ever named costs nothing here */
	if (!(xt->flags & PFBPF_XT_POOL))
		return 0;
	return ctl_ruleset_reload(h);
}
