// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf.c - -f and -n: a pf.conf through the conf library, loaded as one
 * transaction (DIOCXBEGIN, DIOCRINADEFINE, DIOCADDRULE, DIOCXCOMMIT) so
 * that a ruleset that fails anywhere leaves the running one untouched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "kern.h"
#include "pfbpf_conf.h"
#include "lib/log.h"

/*
 * The conf library's printers write whole lines; pfctl's listings end the
 * line themselves (and add counters under it).  What to print, and with
 * what, differs per kind of rule.
 */
struct conf_print_job {
	const struct pfbpf_rule *r;
	const struct pfbpf_pool_addr *pool; /* kind 1 */
	const char *call;                   /* anchor rules */
	int kind;                           /* 0 rule, 1 rule with its pool, 2 anchor rule */
};

static void conf_print_line(FILE *f, const struct conf_print_job *j, int opts)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int v = (opts & PFCTL_OPT_VERBOSE2) ? 2 : (opts & PFCTL_OPT_VERBOSE) ? 1 : 0;

	if (!m)
		return;
	if (j->kind == 1)
		pfbpf_rule_print_pool(m, j->r, j->pool, v);
	else if (j->kind == 2)
		pfbpf_anchor_rule_print(m, j->r, j->call, v);
	else
		pfbpf_rule_print(m, j->r, v);
	fclose(m);
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	fputs(text, f);
	free(text);
}

static void conf_rule_printer(FILE *f, const struct pfbpf_rule *r, int opts)
{
	conf_print_line(f, &(struct conf_print_job){ .r = r }, opts);
}

static void conf_rule_pool_printer(FILE *f, const struct pfbpf_rule *r,
				   const struct pfbpf_pool_addr *pool, int opts)
{
	conf_print_line(f, &(struct conf_print_job){ .r = r, .pool = pool, .kind = 1 }, opts);
}

static void conf_anchor_printer(FILE *f, const struct pfbpf_rule *r, const char *call, int opts)
{
	conf_print_line(f, &(struct conf_print_job){ .r = r, .call = call, .kind = 2 }, opts);
}

void pfctl_use_conf_printer(void)
{
	pfctl_rule_print_fn = conf_rule_printer;
	pfctl_rule_pool_print_fn = conf_rule_pool_printer;
	pfctl_anchor_print_fn = conf_anchor_printer;
}

static void table_addrs(const struct pfbpf_conf_table *t, struct pfctl_taddr *a)
{
	for (size_t i = 0; i < t->naddrs; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].addr = t->addrs[i].addr;
		a[i].af = t->addrs[i].af;
		a[i].net = t->addrs[i].prefixlen;
		a[i].neg = t->addrs[i].neg;
	}
}

/* "-a base" + the ruleset a rule came from. */
static void anchor_path(char *buf, size_t len, const char *base, const char *sub)
{
	if (base && *base && sub && *sub)
		snprintf(buf, len, "%s/%s", base, sub);
	else if (base && *base)
		snprintf(buf, len, "%s", base);
	else
		snprintf(buf, len, "%s", sub ? sub : "");
}

/* One DIOCADDRULE of a load: a rule, or an anchor rule calling `call`. */
struct load_item {
	const char *sub;             /* its ruleset, relative to -a */
	__u32 nr;
	const struct pfbpf_rule *r;
	const char *call;
	int line;
};

static int item_cmp(const void *a, const void *b)
{
	const struct load_item *x = a, *y = b;
	int c = strcmp(x->sub, y->sub);

	return c ? c : x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* The parser keeps rules and anchor rules apart, each numbered in its
 * ruleset: merged, they go to the kernel in rule-number order. */
static struct load_item *load_items(const struct pfbpf_conf *conf, size_t *n)
{
	struct load_item *it = calloc(conf->nrules + conf->nanchors + 1, sizeof(*it));
	size_t cnt = 0;

	if (!it)
		return NULL;
	for (size_t k = 0; k < conf->nrules; k++)
		it[cnt++] = (struct load_item){
			.sub = conf->rule_anchor ? conf->rule_anchor[k] : "",
			.nr = conf->rules[k].nr,
			.r = &conf->rules[k],
			.line = conf->rule_line ? conf->rule_line[k] : 0,
		};
	for (size_t k = 0; k < conf->nanchors; k++)
		it[cnt++] = (struct load_item){
			.sub = conf->anchors[k].parent,
			.nr = conf->anchors[k].nr,
			.r = &conf->anchors[k].filter,
			.call = conf->anchors[k].name,
			.line = conf->anchors[k].line,
		};
	qsort(it, cnt, sizeof(*it), item_cmp);
	*n = cnt;
	return it;
}

/* A rule's pool is a run of the parser's pool_addrs (rpool.first/naddrs). */
static int add_item(struct pfctl_ctx *c, const struct pfbpf_conf *conf, __u32 ticket,
		    const char *path, const struct load_item *it)
{
	const struct pfbpf_pool *p = &it->r->rpool;
	const struct pfbpf_pool_addr *pool = NULL;
	size_t n = 0;

	if (p->naddrs && conf->pool_addrs && (size_t)p->first + p->naddrs <= conf->npool_addrs) {
		pool = &conf->pool_addrs[p->first];
		n = p->naddrs;
	}
	return pfctl_k_add_rule_pool(c->dev, ticket, path, it->r, it->call, pool, n);
}

static int load_conf(struct pfctl_ctx *c, const struct pfbpf_conf *conf)
{
	struct pfctl_trans t = { 0 };
	char path[MAXPATHLEN];
	struct load_item *items = NULL;
	size_t k, nitems = 0;
	int tbl, err, i;

	/* Every ruleset the file writes is replaced, empty ones included,
	 * as pfctl does: a reload without an anchor empties it. */
	anchor_path(path, sizeof(path), c->anchor, "");
	if (pfctl_k_trans_elem(&t, PF_RULESET_FILTER, path) < 0)
		return -E2BIG;
	for (k = 0; k < conf->nanchors; k++) {
		/* `anchor "x"` without a body only calls x: rules loaded into
		 * x with -a x -f stay, as with pfctl. */
		if (!conf->anchors[k].has_body)
			continue;
		anchor_path(path, sizeof(path), c->anchor, conf->anchors[k].path);
		if (pfctl_k_trans_elem(&t, PF_RULESET_FILTER, path) < 0)
			return -E2BIG;
	}
	/* Tables live in the main ruleset here, whatever -a says. */
	tbl = pfctl_k_trans_elem(&t, PF_RULESET_TABLE, "");
	if (tbl < 0)
		return -E2BIG;

	err = pfctl_k_trans_begin(c->dev, &t);
	if (err) {
		pfctl_err_op(c, "DIOCXBEGIN", err);
		return err;
	}
	for (k = 0; k < conf->ntables; k++) {
		const struct pfbpf_conf_table *ct = &conf->tables[k];
		struct pfctl_taddr *a = calloc(ct->naddrs ? ct->naddrs : 1, sizeof(*a));

		if (!a) {
			err = -ENOMEM;
			goto rollback;
		}
		table_addrs(ct, a);
		err = pfctl_k_table_define(c->dev, t.e[tbl].ticket, "", ct->name, ct->flags, a,
					   ct->naddrs);
		free(a);
		if (err) {
			char what[96];

			snprintf(what, sizeof(what), "DIOCRINADEFINE <%s>", ct->name);
			pfctl_err_op(c, what, err);
			goto rollback;
		}
	}
	items = load_items(conf, &nitems);
	if (!items) {
		err = -ENOMEM;
		goto rollback;
	}
	for (k = 0; k < nitems; k++) {
		anchor_path(path, sizeof(path), c->anchor, items[k].sub);
		i = pfctl_k_trans_elem(&t, PF_RULESET_FILTER, path);
		if (i < 0) {
			err = i;
			goto rollback;
		}
		err = add_item(c, conf, t.e[i].ticket, path, &items[k]);
		if (err) {
			char what[64];

			snprintf(what, sizeof(what), "DIOCADDRULE (line %d)", items[k].line);
			pfctl_err_op(c, what, err);
			goto rollback;
		}
	}
	err = pfctl_k_trans_commit(c->dev, &t);
	if (err) {
		pfctl_err_op(c, "DIOCXCOMMIT", err);
		goto rollback;
	}
	free(items);
	return 0;
rollback:
	free(items);
	pfctl_k_trans_rollback(c->dev, &t);
	return err;
}

static bool in_skip_list(const struct pfbpf_conf_options *o, const char *ifname)
{
	for (size_t i = 0; i < o->nskip; i++)
		if (!strcmp(o->skip[i], ifname))
			return true;
	return false;
}

/*
 * `set skip on`: the file's list replaces the flags (a file without it
 * clears them, as pfctl does when it loads options).  pfbpf filters only
 * where it is attached, so a newly skipped interface is also detached;
 * one that is no longer skipped is not re-attached behind the
 * administrator's back: a note says how.
 */
static int load_skip(struct pfctl_ctx *c, const struct pfbpf_conf_options *o)
{
	struct pfctl_iface *ifs = NULL;
	size_t n = 0;
	int err, rc = 0;

	if (!pfctl_k_get_ifaces(c->dev, NULL, &ifs, &n)) {
		for (size_t i = 0; i < n; i++) {
			if (!(ifs[i].flags & PFCTL_IFLAG_SKIP) || in_skip_list(o, ifs[i].name))
				continue;
			if (!pfctl_k_set_ifflag(c->dev, ifs[i].name, false, PFI_IFLAG_SKIP))
				pr_warn("%s is no longer skipped: "
					"pfctl_bpf -e -i %s filters there again",
					ifs[i].name, ifs[i].name);
		}
		free(ifs);
	}
	for (size_t i = 0; i < o->nskip; i++) {
		err = pfctl_k_set_ifflag(c->dev, o->skip[i], true, PFI_IFLAG_SKIP);
		if (err) {
			char what[64];

			snprintf(what, sizeof(what), "set skip on %s", o->skip[i]);
			pfctl_err_op(c, what, err);
			rc = err;
			continue;
		}
		err = pfctl_skip_detach(c, o->skip[i]);
		if (err)
			rc = err;
	}
	return rc;
}

/*
 * Options after the commit: pfctl sets them inside the transaction, but a
 * timeout applied before a commit that then fails would change the running
 * firewall for a ruleset that was refused.
 */
static int load_options(struct pfctl_ctx *c, const struct pfbpf_conf *conf)
{
	const struct pfbpf_conf_options *o = &conf->options;
	int err, rc = 0;

	for (int i = 0; i < PFTM_MAX; i++) {
		if (!(o->timeout_set & (1u << i)))
			continue;
		err = pfctl_k_set_timeout(c->dev, i, o->timeout[i]);
		if (err) {
			char what[64];

			snprintf(what, sizeof(what), "set timeout %s", pfctl_timeout_name(i));
			pfctl_err_op(c, what, err);
			rc = err;
		}
	}
	for (int i = 0; i < PF_LIMIT_MAX; i++) {
		if (!(o->limit_set & (1u << i)))
			continue;
		err = pfctl_k_set_limit(c->dev, i, o->limit[i]);
		if (err) {
			char what[64];

			snprintf(what, sizeof(what), "set limit %s", pfctl_limits[i].name);
			pfctl_err_op(c, what, err);
			rc = err;
		}
	}
	if (o->set & PFBPF_OPT_DEBUG) {
		err = pfctl_k_set_debug(c->dev, o->debug);
		if (err) {
			pfctl_err_op(c, "set debug", err);
			rc = err;
		}
	}
	if (o->set & PFBPF_OPT_HOSTID) {
		err = pfctl_k_set_hostid(c->dev, o->hostid);
		if (err) {
			pfctl_err_op(c, "set hostid", err);
			rc = err;
		}
	}
	/* pf keeps the state policy in each rule, so a ruleset loaded
	 * without `set state-policy` is floating again; here the policy is
	 * one pf_config field, reset the same way. */
	if ((o->set & PFBPF_OPT_STATE_POLICY) || !(c->opts & PFCTL_OPT_OPTIONS_ONLY)) {
		__u32 policy = (o->set & PFBPF_OPT_STATE_POLICY) ? o->state_policy
								 : PF_STATE_FLOATING;

		err = pfctl_k_set_state_policy(c->dev, policy);
		if (err) {
			pfctl_err_op(c, "set state-policy", err);
			rc = err;
		}
	}
	/* pf's syncookie mode is global too: a ruleset loaded without
	 * `set syncookies` turns them off (pfctl sets the mode every load). */
	if ((o->set & PFBPF_OPT_SYNCOOKIES) || !(c->opts & PFCTL_OPT_OPTIONS_ONLY)) {
		if (o->set & PFBPF_OPT_SYNCOOKIES)
			err = pfctl_k_set_syncookies(c->dev, o->syncookies, o->syncookies_start,
						     o->syncookies_end);
		else
			err = pfctl_k_set_syncookies(c->dev, 0, 0, 0);
		if (err) {
			pfctl_err_op(c, "set syncookies", err);
			rc = err;
		}
	}
	err = load_skip(c, o);
	if (err)
		rc = err;
	return rc;
}

int pfctl_load_file(struct pfctl_ctx *c, const char *path)
{
	struct pfbpf_conf_opts copts = { 0 };
	struct pfbpf_conf_error cerr;
	struct pfbpf_conf *conf = NULL;
	char msg[512];
	int err;

	copts.defines = c->defines;
	copts.ndefines = c->ndefines;
	memset(&cerr, 0, sizeof(cerr));
	err = pfbpf_conf_parse_file(path, &copts, &conf, &cerr);
	if (err) {
		fprintf(stderr, "%s\n", pfbpf_conf_strerror(&cerr, msg, sizeof(msg)));
		/* With -n nothing was to be loaded: the place of the error is
		 * the whole message (and what the golden .err files hold). */
		/* A file that cannot be read is not a syntax error: the first
		 * line already says what went wrong. */
		if (!(c->opts & PFCTL_OPT_NOACTION) && err == -EINVAL)
			pr_warn("Syntax error in config file: pf rules not loaded");
		else if (!(c->opts & PFCTL_OPT_NOACTION))
			pr_warn("pf rules not loaded");
		return err;
	}
	/* -nv and -v print what is (or would be) loaded, as pfctl does. */
	if (c->opts & PFCTL_OPT_VERBOSE)
		pfbpf_conf_print(stdout, conf,
				 (c->opts & PFCTL_OPT_VERBOSE2) ? 2 : 1);
	if (c->opts & PFCTL_OPT_NOACTION) {
		pfbpf_conf_free(conf);
		return 0;
	}
	if (!(c->opts & PFCTL_OPT_OPTIONS_ONLY)) {
		err = load_conf(c, conf);
		if (err) {
			pr_warn("pf rules not loaded");
			pfbpf_conf_free(conf);
			return err;
		}
	}
	if (!(c->opts & PFCTL_OPT_RULES_ONLY))
		err = load_options(c, conf);
	pfbpf_conf_free(conf);
	return err;
}

/*
 * Re-add the rules of one kind (with their pools) to transaction t:
 * pf keeps filter and nat rules in separate rulesets, so flushing one
 * keeps the other.  nat: keep the nat/rdr/binat rules, else the others.
 */
static int readd_kind(struct pfctl_ctx *c, const char *anchor, __u32 ticket, bool nat)
{
	struct pfctl_rule *r = NULL;
	size_t n = 0;
	__u32 seen[3] = { 0 };
	int err = pfctl_k_get_rules(c->dev, anchor, &r, &n);

	for (size_t i = 0; !err && i < n; i++) {
		const struct pfbpf_rule *x = &r[i].r;
		struct pfbpf_pool_addr *pool = NULL;
		size_t np = 0;
		int kind = x->action <= PF_NONAT ? 0 : x->action <= PF_NOBINAT ? 2 : 1;
		__u32 num = pfctl_rule_is_nat(x) ? seen[kind]++ : x->nr;

		if (r[i].corrupt[0]) {
			/* re-adding it would load a zeroed rule (pass all) */
			pr_err("%s: the ruleset cannot be kept", r[i].corrupt);
			err = -EBADMSG;
			break;
		}
		if (pfctl_rule_is_nat(x) != nat)
			continue;
		if ((x->xlate || pfctl_rule_is_nat(x)) &&
		    (err = pfctl_k_get_pool(c->dev, anchor, pfctl_rule_is_nat(x) ? x->action : PF_PASS,
					    num, &pool, &np)))
			break;
		err = pfctl_k_add_rule_pool(c->dev, ticket, anchor, x,
					    r[i].anchor_call[0] ? r[i].anchor_call : NULL, pool, np);
		free(pool);
	}
	free(r);
	return err;
}

/* -F rules / -F nat: an empty ruleset of that kind, the other kept. */
static int flush_kind(struct pfctl_ctx *c, bool nat)
{
	struct pfctl_trans t = { 0 };
	const char *anchor = c->anchor ? c->anchor : "";
	int err;

	pfctl_k_trans_elem(&t, PF_RULESET_FILTER, anchor);
	err = pfctl_k_trans_begin(c->dev, &t);
	if (err) {
		pfctl_err_op(c, "DIOCXBEGIN", err);
		return err;
	}
	err = readd_kind(c, anchor, t.e[0].ticket, !nat);
	if (err) {
		pfctl_err_op(c, "DIOCADDRULE", err);
		pfctl_k_trans_rollback(c->dev, &t);
		return err;
	}
	err = pfctl_k_trans_commit(c->dev, &t);
	if (err) {
		pfctl_err_op(c, "DIOCXCOMMIT", err);
		pfctl_k_trans_rollback(c->dev, &t);
		return err;
	}
	pfctl_msg(c, nat ? "nat cleared" : "rules cleared");
	return 0;
}

int pfctl_flush_rules(struct pfctl_ctx *c)
{
	return flush_kind(c, false);
}

int pfctl_flush_nat(struct pfctl_ctx *c)
{
	return flush_kind(c, true);
}

