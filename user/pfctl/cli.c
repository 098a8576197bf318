// SPDX-License-Identifier: BSD-2-Clause
/*
 * cli.c - pfctl_main(), the whole of pfctl_bpf but main(): pfctl for the BPF datapath: pfctl's flags, output formats and
 * exit codes, with every kernel operation a DIOC command carried out by
 * libpfbpf on the pinned maps.
 *
 * The order of operations within one invocation is pfctl's: disable, show,
 * flush, kill, table commands, load, enable, debug level.  -e with -i is the
 * exception that comes first: the rules of -f need the maps the attach
 * creates.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pfbpf.h"
#include "lib/hook_choice.h"
#include "lib/log.h"
#include "pfctl/cmds.h"
#include "pfctl/ctx.h"
#include "pfctl/kern.h"

static int open_dev(struct pfctl_ctx *c, bool rw)
{
	if (c->dev >= 0)
		return 0;
	c->dev = pfctl_k_open(c->device, rw);
	if (c->dev < 0) {
		int err = c->dev;

		c->dev = -1;
		pfctl_open_error();
		return err;
	}
	return 0;
}

/* ---- -s ----------------------------------------------------------------- */

static bool json(const struct pfctl_ctx *c)
{
	return c->opts & PFCTL_OPT_JSON;
}

static void title(struct pfctl_ctx *c, const char *t)
{
	if (!(c->opts & PFCTL_OPT_SHOWALL) || json(c))
		return;
	if (c->titled)
		putchar('\n');
	c->titled = true;
	printf("%s\n", t);
}

/*
 * Map entries are untrusted (a pin can be written with bpftool): an entry
 * libpfbpf found corrupted gets one line on stderr, the others are listed,
 * and the command fails at the end.  Returns how many were left out.
 */
static size_t drop_corrupt_rules(struct pfctl_rule *r, size_t *n)
{
	size_t k = 0, bad = 0;

	for (size_t i = 0; i < *n; i++) {
		if (r[i].corrupt[0]) {
			pr_err("%s: not shown", r[i].corrupt);
			bad++;
		} else {
			r[k++] = r[i];
		}
	}
	*n = k;
	return bad;
}

static size_t drop_corrupt_states(struct pfctl_state *s, size_t *n)
{
	size_t k = 0, bad = 0;

	for (size_t i = 0; i < *n; i++) {
		if (s[i].corrupt[0]) {
			pr_err("state %016llx: the pf_states entry is corrupted (%s): not shown",
			       (unsigned long long)s[i].st.id, s[i].corrupt);
			bad++;
		} else {
			s[k++] = s[i];
		}
	}
	*n = k;
	return bad;
}

static int show_rules_common(struct pfctl_ctx *c, bool labels)
{
	struct pfctl_rule *r = NULL;
	size_t n = 0, bad;
	int err = pfctl_k_get_rules(c->dev, c->anchor, &r, &n);

	if (err) {
		pfctl_err_op(c, "DIOCGETRULES", err);
		return err;
	}
	bad = drop_corrupt_rules(r, &n);
	/* nat-to / rdr-to / binat-to: the pool, to print it as written
	 * (a rule whose pool cannot be read prints `?` for it) */
	for (size_t i = 0; !labels && i < n; i++)
		if (r[i].r.xlate && (r[i].r.action == PF_PASS || r[i].r.action == PF_MATCH) &&
		    r[i].r.rpool.naddrs)
			pfctl_k_get_pool(c->dev, c->anchor, PF_PASS, (__u32)i, &r[i].pool, &r[i].npool);
	if (labels) {
		if (json(c))
			pfctl_json_labels(&c->jw, r, n);
		else
			pfctl_show_labels(stdout, r, n, c->opts);
	} else {
		title(c, "FILTER RULES:");
		if (json(c))
			pfctl_json_rules(&c->jw, r, n);
		else
			pfctl_show_rules(stdout, r, n, c->opts);
	}
	for (size_t i = 0; i < n; i++)
		free(r[i].pool);
	free(r);
	return bad ? -EBADMSG : 0;
}

static int show_rules(struct pfctl_ctx *c)
{
	return show_rules_common(c, false);
}

static int show_labels(struct pfctl_ctx *c)
{
	return show_rules_common(c, true);
}

static int show_nat(struct pfctl_ctx *c)
{
	struct pfctl_nat_rule *r = NULL;
	size_t n = 0;
	int err = pfctl_k_get_nat_rules(c->dev, c->anchor, &r, &n);

	if (err) {
		pfctl_err_op(c, "DIOCGETRULES", err);
		return err;
	}
	title(c, "TRANSLATION RULES:");
	if (json(c))
		pfctl_json_nat(&c->jw, r, n);
	else
		pfctl_show_nat(stdout, r, n, c->opts);
	pfctl_nat_rules_free(r, n);
	return 0;
}

static int show_states(struct pfctl_ctx *c)
{
	struct pfctl_state *s = NULL;
	size_t n = 0, k = 0, bad;
	int err = pfctl_k_get_states(c->dev, &s, &n);

	if (err) {
		pfctl_err_op(c, "DIOCGETSTATES", err);
		return err;
	}
	bad = drop_corrupt_states(s, &n);
	/* -i IF: the states created on IF. */
	if (c->ifname) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(s[i].origin_if, c->ifname))
				s[k++] = s[i];
		n = k;
	}
	title(c, "STATES:");
	if (json(c))
		pfctl_json_states(&c->jw, s, n);
	else
		pfctl_show_states(stdout, s, n, c->opts);
	free(s);
	return bad ? -EBADMSG : 0;
}

static int get_status(struct pfctl_ctx *c, struct pfctl_status *st)
{
	int err = pfctl_k_get_status(c->dev, st);

	if (err)
		pfctl_err_op(c, "DIOCGETSTATUS", err);
	return err;
}

static int show_info(struct pfctl_ctx *c)
{
	struct pfctl_status st;
	int err = get_status(c, &st);

	if (err)
		return err;
	title(c, "INFO:");
	if (json(c))
		pfctl_json_status(&c->jw, &st);
	else
		pfctl_show_status(stdout, &st, c->opts);
	return 0;
}

static int show_running(struct pfctl_ctx *c)
{
	struct pfctl_status st;
	int err = get_status(c, &st);

	if (err)
		return err;
	if (json(c))
		jw_bool(&c->jw, "running", st.running);
	else
		pfctl_show_running(stdout, &st);
	/* pfctl -s Running answers in its exit status too. */
	return st.running ? 0 : 1;
}

static int show_timeouts(struct pfctl_ctx *c)
{
	__u32 t[PFTM_MAX];
	int err = pfctl_k_get_timeouts(c->dev, t);

	if (err) {
		pfctl_err_op(c, "DIOCGETTIMEOUT", err);
		return err;
	}
	title(c, "TIMEOUTS:");
	if (json(c))
		pfctl_json_timeouts(&c->jw, t);
	else
		pfctl_show_timeouts(stdout, t, c->opts);
	return 0;
}

static int show_memory(struct pfctl_ctx *c)
{
	__u32 l[PF_LIMIT_MAX];
	int err = pfctl_k_get_limits(c->dev, l);

	if (err) {
		pfctl_err_op(c, "DIOCGETLIMIT", err);
		return err;
	}
	title(c, "LIMITS:");
	if (json(c))
		pfctl_json_limits(&c->jw, l);
	else
		pfctl_show_limits(stdout, l, c->opts);
	return 0;
}

static int show_tables(struct pfctl_ctx *c)
{
	struct pfctl_table *t = NULL;
	size_t n = 0;
	int err = pfctl_k_get_tables(c->dev, &t, &n);

	if (err) {
		pfctl_err_op(c, "DIOCRGETTSTATS", err);
		return err;
	}
	title(c, "TABLES:");
	if (json(c))
		pfctl_json_tables(&c->jw, t, n);
	else
		pfctl_show_tables(stdout, t, n, c->opts);
	free(t);
	return 0;
}

static int show_ifaces(struct pfctl_ctx *c)
{
	struct pfctl_iface *i = NULL;
	size_t n = 0;
	int err = pfctl_k_get_ifaces(c->dev, c->ifname, &i, &n);

	if (err) {
		pfctl_err_op(c, "DIOCIGETIFACES", err);
		return err;
	}
	pfctl_iface_hooks(i, n);
	if (json(c))
		pfctl_json_ifaces(&c->jw, i, n);
	else
		pfctl_show_ifaces(stdout, i, n, c->opts);
	free(i);
	return 0;
}

static int show_anchors_rec(struct pfctl_ctx *c, const char *path, bool rec)
{
	char(*names)[PF_ANCHOR_NAME_SIZE] = NULL;
	size_t n = 0;
	int err = pfctl_k_get_anchors(c->dev, path, &names, &n);

	if (err) {
		pfctl_err_op(c, "DIOCGETRULESETS", err);
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		char sub[MAXPATHLEN];

		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "/" : "", names[i]);
		if (json(c))
			jw_str(&c->jw, NULL, sub);
		else
			printf("  %s\n", sub);
		/* -v lists nested anchors too, as pfctl does. */
		if (rec)
			show_anchors_rec(c, sub, rec);
	}
	free(names);
	return 0;
}

static int show_anchors(struct pfctl_ctx *c)
{
	int err;

	if (json(c))
		jw_arr_begin(&c->jw, "anchors");
	err = show_anchors_rec(c, c->anchor ? c->anchor : "", c->opts & PFCTL_OPT_VERBOSE);
	if (json(c))
		jw_arr_end(&c->jw);
	return err;
}

static int show_all(struct pfctl_ctx *c)
{
	int (*const parts[])(struct pfctl_ctx *) = {
		show_nat, show_rules, show_states, show_info, show_timeouts, show_memory,
		show_tables,
	};
	int rc = 0;

	c->opts |= PFCTL_OPT_SHOWALL;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i](c))
			rc = -EIO;
	return rc;
}

/* One row per name of the option lists (pfctl/cmds.h makes both), so a
 * resolved name always has a function. */
struct pfctl_cmd {
	const char *name;
	int (*func)(struct pfctl_ctx *c);
};
#define PFCTL_CMD_ROW(name, func) { name, func },

static const struct pfctl_cmd show_cmds[] = { PFCTL_SHOW_CMDS(PFCTL_CMD_ROW) { NULL, NULL } };

static const struct pfctl_cmd *find_cmd(const struct pfctl_cmd *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* ---- -F ----------------------------------------------------------------- */

static int flush_rules(struct pfctl_ctx *c)
{
	return pfctl_flush_rules(c);
}

static int flush_nat(struct pfctl_ctx *c)
{
	return pfctl_flush_nat(c);
}

static int flush_states(struct pfctl_ctx *c)
{
	unsigned killed = 0;
	int err = pfctl_k_clear_states(c->dev, c->ifname, &killed);

	if (err) {
		pfctl_err_op(c, "DIOCCLRSTATES", err);
		return err;
	}
	pfctl_msg(c, "%u states cleared", killed);
	return 0;
}

static int flush_info(struct pfctl_ctx *c)
{
	int err = pfctl_k_clear_status(c->dev);

	if (err) {
		pfctl_err_op(c, "DIOCCLRSTATUS", err);
		return err;
	}
	pfctl_msg(c, "pf: statistics cleared");
	return 0;
}

static int flush_tables(struct pfctl_ctx *c)
{
	struct pfctl_tcounts n;
	int err;

	err = pfctl_k_table_simple(c->dev, DIOCRCLRTABLES, "", &n);
	if (err) {
		pfctl_err_op(c, "DIOCRCLRTABLES", err);
		return err;
	}
	pfctl_xprintf(c, "%d tables deleted", n.ndel);
	return 0;
}

static int flush_all(struct pfctl_ctx *c)
{
	int rc = 0;

	/* pfctl's order: rules first so no rule refers to a dying table. */
	rc |= flush_nat(c);
	rc |= flush_rules(c);
	rc |= flush_tables(c);
	rc |= flush_states(c);
	rc |= flush_info(c);
	return rc ? -EIO : 0;
}

static const struct pfctl_cmd flush_cmds[] = { PFCTL_FLUSH_CMDS(PFCTL_CMD_ROW) { NULL, NULL } };

/* ---- -k ----------------------------------------------------------------- */

static int parse_net(const char *s, struct pf_rule_addr *ra, sa_family_t *af)
{
	struct pfctl_taddr a;
	int bits;

	if (pfctl_taddr_parse(s, &a) || a.neg)
		return -EINVAL;
	memset(ra, 0, sizeof(*ra));
	ra->addr.type = PF_ADDR_ADDRMASK;
	memcpy(&ra->addr.v.a.addr, &a.addr, sizeof(a.addr));
	for (bits = 0; bits < a.net; bits++)
		ra->addr.v.a.mask.addr8[bits / 8] |= 0x80 >> (bits % 8);
	/* pfctl's "0.0.0.0/0" means any address of that family. */
	if (*af && *af != (a.af == PF_INET6 ? AF_INET6 : AF_INET))
		return -EAFNOSUPPORT;
	*af = a.af == PF_INET6 ? AF_INET6 : AF_INET;
	return 0;
}

static int kill_by_host(struct pfctl_ctx *c)
{
	struct pfioc_state_kill psk;
	unsigned killed = 0;
	int err;

	memset(&psk, 0, sizeof(psk));
	if (parse_net(c->kill[0], &psk.psk_src, &psk.psk_af)) {
		pr_warn("cannot parse '%s': give an address or network",
			c->kill[0]);
		return -EINVAL;
	}
	if (c->nkill > 1 && parse_net(c->kill[1], &psk.psk_dst, &psk.psk_af)) {
		pr_warn("cannot parse '%s': give an address or network "
			"of the same family as '%s'", c->kill[1], c->kill[0]);
		return -EINVAL;
	}
	if (c->ifname)
		snprintf(psk.psk_ifname, sizeof(psk.psk_ifname), "%s", c->ifname);
	err = pfctl_k_kill_states(c->dev, &psk, &killed);
	if (err) {
		pfctl_err_op(c, "DIOCKILLSTATES", err);
		return err;
	}
	pfctl_msg(c, "killed %u states from 1 sources and %d destinations", killed,
		  c->nkill > 1 ? 1 : 0);
	return 0;
}

static int kill_one_id(struct pfctl_ctx *c, __u64 id, __u32 creatorid, unsigned *killed)
{
	struct pfioc_state_kill psk;
	unsigned k = 0;
	int err;

	memset(&psk, 0, sizeof(psk));
	psk.psk_id = id;
	psk.psk_creatorid = creatorid;
	err = pfctl_k_kill_states(c->dev, &psk, &k);
	if (!err)
		*killed += k;
	return err;
}

static int kill_by_id(struct pfctl_ctx *c)
{
	unsigned long long id;
	unsigned creatorid = 0, killed = 0;
	char *end;
	int err;

	/* pfctl's form: id[/creatorid], both hex as -ss -vv prints them. */
	errno = 0;
	id = strtoull(c->kill[1], &end, 16);
	if (errno || end == c->kill[1] || (*end && *end != '/') || !id) {
		pr_warn("invalid state id '%s': expected id[/creatorid] in hex",
			c->kill[1]);
		return -EINVAL;
	}
	if (*end == '/') {
		char *e2;

		creatorid = (unsigned)strtoul(end + 1, &e2, 16);
		if (*e2 || e2 == end + 1) {
			pr_warn("invalid creator id in '%s'", c->kill[1]);
			return -EINVAL;
		}
	}
	err = kill_one_id(c, id, creatorid, &killed);
	if (err && err != -ENOENT && err != -ESRCH) {
		pfctl_err_op(c, "DIOCKILLSTATES", err);
		return err;
	}
	pfctl_msg(c, "killed %u states", killed);
	return 0;
}

static int kill_by_label(struct pfctl_ctx *c)
{
	struct pfioc_state_kill psk = {};
	unsigned killed = 0;
	int err;

	/*
	 * pf's DIOCKILLSTATES with psk_label: every state whose rule carries
	 * the label, whichever ruleset or anchor, and however many reloads
	 * ago that rule was loaded (libpfbpf keeps the identity of a rule
	 * while its states live).
	 */
	if (strlen(c->kill[1]) >= sizeof(psk.psk_label)) {
		pr_warn("label '%s' is too long (at most %zu characters)", c->kill[1],
			sizeof(psk.psk_label) - 1);
		return -EINVAL;
	}
	snprintf(psk.psk_label, sizeof(psk.psk_label), "%s", c->kill[1]);
	err = pfctl_k_kill_states(c->dev, &psk, &killed);
	if (err) {
		pfctl_err_op(c, "DIOCKILLSTATES", err);
		return err;
	}
	pfctl_msg(c, "killed %u states", killed);
	return 0;
}

static int do_kill(struct pfctl_ctx *c)
{
	if (!strcmp(c->kill[0], "label") || !strcmp(c->kill[0], "id")) {
		if (c->nkill < 2) {
			pr_warn("-k %s needs a second -k with the %s",
				c->kill[0], c->kill[0]);
			return -EINVAL;
		}
		return !strcmp(c->kill[0], "id") ? kill_by_id(c) : kill_by_label(c);
	}
	return kill_by_host(c);
}

/* ---- -T ----------------------------------------------------------------- */

static int table_args(struct pfctl_ctx *c, struct pfctl_taddr **a, size_t *n)
{
	*a = NULL;
	*n = 0;
	if (c->rulesfile) {
		int err = pfctl_read_addr_file(c->rulesfile, a, n);

		if (err)
			return err;
	}
	if (c->nargs) {
		struct pfctl_taddr *b = realloc(*a, (*n + c->nargs) * sizeof(**a));

		if (!b) {
			free(*a);
			return -ENOMEM;
		}
		*a = b;
		for (int i = 0; i < c->nargs; i++) {
			if (pfctl_taddr_parse(c->args[i], &(*a)[*n])) {
				pr_warn("cannot parse address '%s' "
					"(host names are not resolved)", c->args[i]);
				free(*a);
				*a = NULL;
				return -EINVAL;
			}
			(*n)++;
		}
	}
	return 0;
}

static void table_feedback(struct pfctl_ctx *c, const struct pfctl_taddr *a, size_t n)
{
	if (!(c->opts & PFCTL_OPT_VERBOSE))
		return;
	for (size_t i = 0; i < n; i++)
		if ((c->opts & PFCTL_OPT_VERBOSE2) || a[i].fback)
			pfctl_print_taddr(stdout, &a[i], c->opts);
}

static int table_error(struct pfctl_ctx *c, const char *what, int err)
{
	if (err == -ESRCH)
		pr_warn("Table <%s> does not exist.", c->table);
	else
		pfctl_err_op(c, what, err);
	return err;
}

static int tbl_addrs(struct pfctl_ctx *c, unsigned long cmd, const char *what)
{
	struct pfctl_taddr *a;
	struct pfctl_tcounts cnt;
	size_t n;
	int flags = 0, err = table_args(c, &a, &n);

	if (err)
		return err;
	/* -n: the library computes the result and changes nothing. */
	if (c->opts & PFCTL_OPT_NOACTION)
		flags |= PFR_FLAG_DUMMY;
	if ((cmd == DIOCRADDADDRS || cmd == DIOCRSETADDRS) && !(c->opts & PFCTL_OPT_NOACTION)) {
		/* pfctl creates the table when adding to one that does not exist. */
		int created = 0;

		err = pfctl_k_table_create(c->dev, c->table, PFR_TFLAG_PERSIST, &created);
		if (err && err != -EEXIST) {
			free(a);
			return table_error(c, "DIOCRADDTABLES", err);
		}
		if (created)
			pfctl_xprintf(c, "%d table created", created);
	}
	err = pfctl_k_table_addrs(c->dev, cmd, c->table, a, n, flags, &cnt);
	if (err) {
		free(a);
		return table_error(c, what, err);
	}
	table_feedback(c, a, n);
	if (cmd == DIOCRADDADDRS) {
		pfctl_xprintf(c, "%d/%zu addresses added", cnt.nadd, n);
	} else if (cmd == DIOCRDELADDRS) {
		pfctl_xprintf(c, "%d/%zu addresses deleted", cnt.ndel, n);
	} else if (cmd == DIOCRSETADDRS) {
		if (cnt.nadd)
			pfctl_xprintf(c, "%d addresses added", cnt.nadd);
		if (cnt.ndel)
			pfctl_xprintf(c, "%d addresses deleted", cnt.ndel);
		if (cnt.nchange)
			pfctl_xprintf(c, "%d addresses changed", cnt.nchange);
		if (!cnt.nadd && !cnt.ndel && !cnt.nchange)
			pfctl_xprintf(c, "no changes");
	} else if (cmd == DIOCRTSTADDRS) {
		pfctl_xprintf(c, "%d/%zu addresses match", cnt.nmatch, n);
		free(a);
		/* pfctl's exit status 2: not every address matched. */
		return (size_t)cnt.nmatch < n ? 2 : 0;
	}
	free(a);
	return 0;
}

static int tbl_add(struct pfctl_ctx *c) { return tbl_addrs(c, DIOCRADDADDRS, "DIOCRADDADDRS"); }
static int tbl_delete(struct pfctl_ctx *c) { return tbl_addrs(c, DIOCRDELADDRS, "DIOCRDELADDRS"); }
static int tbl_replace(struct pfctl_ctx *c) { return tbl_addrs(c, DIOCRSETADDRS, "DIOCRSETADDRS"); }
static int tbl_test(struct pfctl_ctx *c) { return tbl_addrs(c, DIOCRTSTADDRS, "DIOCRTSTADDRS"); }

static int tbl_show(struct pfctl_ctx *c)
{
	struct pfctl_taddr *a = NULL;
	size_t n = 0;
	int err = pfctl_k_get_taddrs(c->dev, c->table, &a, &n);

	if (err)
		return table_error(c, "DIOCRGETASTATS", err);
	pfctl_sort_taddrs(a, n);
	if (json(c))
		pfctl_json_taddrs(&c->jw, "addresses", a, n);
	else
		pfctl_show_taddrs(stdout, a, n, c->opts);
	free(a);
	return 0;
}

/* A table command without addresses: one ioctl, one count in the message
 * (the deleted ones, or for -T zero the cleared ones, pfctl's nadd). */
static int tbl_simple(struct pfctl_ctx *c, unsigned long cmd, const char *what,
		      const char *done, bool nadd)
{
	struct pfctl_tcounts cnt;
	int err = pfctl_k_table_simple(c->dev, cmd, c->table, &cnt);

	if (err)
		return table_error(c, what, err);
	pfctl_xprintf(c, done, nadd ? cnt.nadd : cnt.ndel);
	return 0;
}

static int tbl_flush(struct pfctl_ctx *c)
{
	return tbl_simple(c, DIOCRCLRADDRS, "DIOCRCLRADDRS", "%d addresses deleted", false);
}

static int tbl_zero(struct pfctl_ctx *c)
{
	return tbl_simple(c, DIOCRCLRTSTATS, "DIOCRCLRTSTATS", "%d table/stats cleared", true);
}

static int tbl_kill(struct pfctl_ctx *c)
{
	return tbl_simple(c, DIOCRDELTABLES, "DIOCRDELTABLES", "%d table deleted", false);
}

static int tbl_expire(struct pfctl_ctx *c)
{
	struct pfctl_taddr *a = NULL, *old;
	struct pfctl_tcounts cnt;
	size_t n = 0, k = 0;
	long secs;
	char *end;
	int err;

	if (c->nargs != 1) {
		pr_warn("-T expire needs one argument: the age in seconds");
		return -EINVAL;
	}
	secs = strtol(c->args[0], &end, 10);
	if (*end || secs < 0) {
		pr_warn("-T expire: '%s' is not a number of seconds",
			c->args[0]);
		return -EINVAL;
	}
	err = pfctl_k_get_taddrs(c->dev, c->table, &a, &n);
	if (err)
		return table_error(c, "DIOCRGETASTATS", err);
	/* pf's expire: entries whose statistics were last cleared (here:
	 * that were added) more than secs ago. */
	old = a;
	for (size_t i = 0; i < n; i++)
		if (a[i].tzero && a[i].tzero <= (time(NULL) - secs))
			old[k++] = a[i];
	if (k) {
		err = pfctl_k_table_addrs(c->dev, DIOCRDELADDRS, c->table, old, k, 0, &cnt);
		if (err) {
			free(a);
			return table_error(c, "DIOCRDELADDRS", err);
		}
		table_feedback(c, old, k);
	} else {
		cnt.ndel = 0;
	}
	pfctl_xprintf(c, "%d/%zu addresses expired", cnt.ndel, k);
	free(a);
	return 0;
}

static const struct pfctl_cmd table_cmds[] = { PFCTL_TABLE_CMDS(PFCTL_CMD_ROW) { NULL, NULL } };

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pfctl_bpf [-deghnOqRvz] [-a anchor] [-D macro=value] [-F modifier]\n"
		"\t[-f file] [-i interface] [-k host | network | label | id] [-p device]\n"
		"\t[-s modifier] [-t table -T command [address ...]] [-x level] [--json]\n"
		"\t[--watch-addresses]\n");
}

static int resolve(const char *what, const char *arg, const char *const *list, const char **out)
{
	*out = pfctl_lookup_option(arg, list);
	if (!*out) {
		pr_warn("Unknown %s modifier '%s'", what, arg);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static int parse_args(struct pfctl_ctx *c, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		/* -e: force the ingress hook (lib/hook_choice.h) */
		{ "xdp", no_argument, NULL, 256 + PFBPF_HOOK_XDP },
		{ "xdp-generic", no_argument, NULL, 256 + PFBPF_HOOK_XDP_GENERIC },
		{ "tc", no_argument, NULL, 256 + PFBPF_HOOK_TC },
		{ "watch-addresses", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	/* getopt names argv[0] in its messages: build/pfctl_bpf ran as
	 * "/path/to/build/pfctl_bpf: invalid option", unlike every other message. */
	if (argc > 0)
		argv[0] = (char *)"pfctl_bpf";
	/* pfctl_main may run more than once in a process (the CLI tests):
	 * 0 makes glibc's getopt start over, state included. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "a:dD:eF:f:ghi:k:nOp:qRrs:t:T:vx:z", lopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			c->anchor = optarg;
			break;
		case 'd':
			c->disable = true;
			break;
		case 'D':
			if (!strchr(optarg, '=') || c->ndefines == PFCTL_MAX_DEFINES) {
				pr_warn("-D needs macro=value");
				return -EINVAL;
			}
			c->defines[c->ndefines++] = optarg;
			break;
		case 'e':
			c->enable = true;
			break;
		case 'F':
			if (resolve("flush", optarg, pfctl_clearopt_list, &c->clearopt))
				return -EINVAL;
			break;
		case 'f':
			c->rulesfile = optarg;
			break;
		case 'g':
			c->opts |= PFCTL_OPT_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'i':
			if (c->nifs == PFCTL_MAX_IFS) {
				pr_warn("too many -i");
				return -EINVAL;
			}
			c->ifnames[c->nifs++] = optarg;
			if (!c->ifname)
				c->ifname = optarg;
			break;
		case 'k':
			if (c->nkill == 2) {
				pr_warn("can only specify -k twice");
				return -EINVAL;
			}
			c->kill[c->nkill++] = optarg;
			break;
		case 'n':
			c->opts |= PFCTL_OPT_NOACTION;
			break;
		case 'O':
			c->opts |= PFCTL_OPT_OPTIONS_ONLY;
			break;
		case 'p':
			c->device = optarg;
			break;
		case 'q':
			c->opts |= PFCTL_OPT_QUIET;
			break;
		case 'R':
			c->opts |= PFCTL_OPT_RULES_ONLY;
			break;
		case 'r':
			/* pfctl's reverse DNS for -s output: addresses stay
			 * numeric here, as with -n in other tools. */
			break;
		case 's':
			if (resolve("show", optarg, pfctl_showopt_list, &c->showopt))
				return -EINVAL;
			break;
		case 't':
			c->table = optarg;
			break;
		case 'T':
			if (resolve("table command", optarg, pfctl_tblcmdopt_list, &c->tblcmd))
				return -EINVAL;
			break;
		case 'v':
			if (c->opts & PFCTL_OPT_VERBOSE)
				c->opts |= PFCTL_OPT_VERBOSE2;
			c->opts |= PFCTL_OPT_VERBOSE;
			break;
		case 'x':
			c->debugopt = optarg;
			break;
		case 'z':
			c->zero = true;
			break;
		case 'J':
			c->opts |= PFCTL_OPT_JSON;
			break;
		case 'W':
			c->watch = true;
			break;
		case 256 + PFBPF_HOOK_XDP:
		case 256 + PFBPF_HOOK_XDP_GENERIC:
		case 256 + PFBPF_HOOK_TC:
			c->hook = ch - 256;
			break;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	if (c->nargs && !c->tblcmd) {
		pr_warn("unexpected argument '%s'", c->args[0]);
		usage(stderr);
		return -EINVAL;
	}
	if (c->tblcmd && !c->table) {
		pr_warn("-T needs a table: -t NAME");
		return -EINVAL;
	}
	if (c->table && !c->tblcmd) {
		/* pfctl: -t alone shows the table. */
		c->tblcmd = "show";
	}
	return 0;
}

static bool needs_write(const struct pfctl_ctx *c)
{
	if (c->enable || c->disable || c->clearopt || c->nkill || c->debugopt || c->zero)
		return true;
	if (c->rulesfile && !c->tblcmd)
		return !(c->opts & PFCTL_OPT_NOACTION);
	return c->tblcmd && strcmp(c->tblcmd, "show");
}

int pfctl_main(int argc, char **argv)
{
	struct pfctl_ctx ctx = { .dev = -1 };
	struct pfctl_ctx *c = &ctx;
	int rc = 0, err;
	bool attached = false;

	/* Messages about the arguments carry the tool's name too. */
	pfbpf_log_init("pfctl_bpf", 0);
	err = parse_args(c, argc, argv);
	if (err)
		return err > 0 ? 0 : 1;
	pfbpf_log_set_verbosity((c->opts & PFCTL_OPT_VERBOSE2) ? 2 :
				(c->opts & PFCTL_OPT_VERBOSE) ? 1 : 0);
	pfctl_use_conf_printer();

	/* -n -f: the parser alone, no kernel, no root. */
	if ((c->opts & PFCTL_OPT_NOACTION) && c->rulesfile && !c->tblcmd && !needs_write(c) &&
	    !c->showopt)
		return pfctl_load_file(c, c->rulesfile) ? 1 : 0;

	if (!c->enable && !c->disable && !c->showopt && !c->clearopt && !c->nkill && !c->tblcmd &&
	    !c->rulesfile && !c->debugopt && !c->zero && !c->watch) {
		usage(stderr);
		return 1;
	}

	/* The loader and libpfbpf's defaults read the pin folder from the
	 * environment: -p points both at the same instance. */
	if (c->device && strcmp(c->device, "/dev/pf"))
		setenv("PFBPF_PIN_DIR", c->device, 1);
	if (c->watch)
		return pfctl_watch_addresses(c);
	if (c->enable && c->nifs) {
		if (pfctl_attach(c))
			return 1;
		attached = true;
	}
	if (open_dev(c, needs_write(c)))
		return 1;

	if (c->disable) {
		err = pfctl_k_stop(c->dev);
		if (err == -ENOENT) {
			pr_warn("pf not enabled");
			rc = 1;
		} else if (err) {
			pfctl_err_op(c, "DIOCSTOP", err);
			rc = 1;
		} else {
			pfctl_msg(c, "pf disabled");
		}
		if (c->nifs && pfctl_detach(c))
			rc = 1;
	}

	if (c->showopt) {
		const struct pfctl_cmd *cmd = find_cmd(show_cmds, c->showopt);

		if (json(c)) {
			jw_init(&c->jw, stdout);
			jw_obj_begin(&c->jw, NULL);
		}
		err = cmd->func(c);
		if (json(c))
			jw_finish(&c->jw);
		if (err)
			rc = 1;
	}
	if (c->zero) {
		err = pfctl_k_clear_rule_counters(c->dev);
		if (err) {
			pfctl_err_op(c, "DIOCCLRRULECTRS", err);
			rc = 1;
		} else if (c->opts & PFCTL_OPT_VERBOSE) {
			pfctl_msg(c, "pf: rule counters cleared");
		}
	}
	if (c->clearopt && find_cmd(flush_cmds, c->clearopt)->func(c))
		rc = 1;
	if (c->nkill && do_kill(c))
		rc = 1;
	if (c->tblcmd) {
		bool show_json = json(c) && !strcmp(c->tblcmd, "show");

		if (show_json) {
			jw_init(&c->jw, stdout);
			jw_obj_begin(&c->jw, NULL);
			jw_str(&c->jw, "table", c->table);
		}
		err = find_cmd(table_cmds, c->tblcmd)->func(c);
		if (show_json)
			jw_finish(&c->jw);
		if (err == 2)
			rc = 2;
		else if (err)
			rc = 1;
	} else if (c->rulesfile) {
		if (pfctl_load_file(c, c->rulesfile))
			rc = 1;
	}
	if (c->enable) {
		err = pfctl_k_start(c->dev);
		if (err == -EEXIST) {
			/* Attaching to more interfaces of a running pf is not
			 * an error; a bare -e on a running pf is, as in pfctl. */
			if (!attached) {
				pr_warn("pf already enabled");
				rc = 1;
			}
		} else if (err) {
			pfctl_err_op(c, "DIOCSTART", err);
			rc = 1;
		} else {
			pfctl_msg(c, "pf enabled");
		}
	}
	if (c->debugopt) {
		__u32 level;

		if (pfctl_debug_parse(c->debugopt, &level)) {
			pr_warn("unknown debug level '%s' "
				"(none, urgent, misc, loud)", c->debugopt);
			rc = 1;
		} else if ((err = pfctl_k_set_debug(c->dev, level))) {
			pfctl_err_op(c, "DIOCSETDEBUG", err);
			rc = 1;
		} else {
			char lower[16];

			snprintf(lower, sizeof(lower), "%s", pfctl_debug_name(level));
			lower[0] = (char)(lower[0] - 'A' + 'a');
			pfctl_msg(c, "debug level set to '%s'", lower);
		}
	}
	pfctl_k_close(c->dev);
	return rc;
}
