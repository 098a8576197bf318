// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_cls_compile.c - the rule compiler without the kernel: translation
 * into pf_rule_bpf, error messages, capacity limits, bitmap sharing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "cls/cls.h"

static int tid(const char *name, void *arg)
{
	return !strcmp(name, "spammers") ? 7 : -ENOENT;
}

Test(cls_compile, rule_bpf_translation)
{
	struct pfbpf_rule r = {};
	struct pf_rule_bpf b;

	r.nr = 42;
	r.action = PF_DROP;
	r.direction = PF_IN;
	r.quick = 1;
	r.log = 1;
	r.keep_state = PF_STATE_NONE;
	r.rule_flag = PFRULE_RETURNICMP;
	r.return_icmp_type = 3;
	r.return_icmp_code = 13;
	r.max_states = 100;
	r.src.type = PFBPF_ADDR_TABLE;
	r.src.neg = 1;
	strcpy(r.src.table, "spammers");
	r.dst.type = PFBPF_ADDR_MASK;
	r.dst.af = PF_INET6;
	r.dst.prefixlen = 32;
	inet_pton(AF_INET6, "2001:db8::", &r.dst.addr);
	cr_assert_eq(pfbpf_cls_rule_bpf(&r, tid, NULL, &b), 0);
	cr_assert_eq(b.nr, 42);
	cr_assert_eq(b.action, PF_DROP);
	cr_assert_eq(b.direction, PF_IN);
	cr_assert_eq(b.quick, 1);
	cr_assert_eq(b.log, 1);
	cr_assert_eq(b.keep_state, PF_STATE_NONE);
	cr_assert_eq(b.rule_flag, PFRULE_RETURNICMP);
	cr_assert_eq(b.return_icmp_type, 3);
	cr_assert_eq(b.return_icmp_code, 13);
	cr_assert_eq(b.max_states, 100);
	cr_assert_eq(b.af, PF_INET6, "af follows the address when the rule names none");
	cr_assert_eq(b.src_table, 7 + 1);
	cr_assert_eq(b.src_table_neg, 1);
	cr_assert_eq(b.dst_table, 0);
	cr_assert_eq(b.tprofile, 0);
}

Test(cls_compile, unknown_table_is_named)
{
	struct pfbpf_rule r[2] = {};
	struct pfbpf_cls_image *img = (void *)1;
	char err[256] = "";

	r[1].dst.type = PFBPF_ADDR_TABLE;
	strcpy(r[1].dst.table, "nosuch");
	cr_assert_eq(pfbpf_cls_compile(r, 2, tid, NULL, &img, err, sizeof(err)), -ENOENT);
	cr_assert_null(img);
	cr_assert_str_eq(err, "rule 1: table <nosuch> does not exist");
}

Test(cls_compile, too_many_rules_names_the_limit)
{
	size_t n = PF_MAX_RULES + 1;
	struct pfbpf_rule *r = calloc(n, sizeof(*r));
	struct pfbpf_cls_image *img;
	char err[256] = "";

	cr_assert_eq(pfbpf_cls_compile(r, n, NULL, NULL, &img, err, sizeof(err)), -E2BIG);
	cr_assert_str_eq(err, "too many rules: 16385 (limit 16384 per ruleset)");
	free(r);
}

Test(cls_compile, mixed_address_families_rejected)
{
	struct pfbpf_rule r = {};
	struct pfbpf_cls_image *img;
	char err[256] = "";

	r.src.type = r.dst.type = PFBPF_ADDR_MASK;
	r.src.af = PF_INET;
	r.dst.af = PF_INET6;
	cr_assert_eq(pfbpf_cls_compile(&r, 1, NULL, NULL, &img, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "rule 0: source and destination address families differ");
}

/* 10,000 rules with distinct hosts and ports: bitmaps are shared and only
 * non-zero words stored, so the image stays far below its limits. */
Test(cls_compile, ten_thousand_rules_stay_compact)
{
	size_t n = 10000, i;
	struct pfbpf_rule *r = calloc(n, sizeof(*r));
	struct pfbpf_cls_image *img;
	struct pfbpf_cls_stats st;
	char err[256] = "";

	for (i = 0; i < n; i++) {
		r[i].nr = i;
		r[i].action = PF_DROP;
		r[i].direction = PF_IN;
		r[i].quick = 1;
		r[i].proto = IPPROTO_TCP;
		r[i].src.type = PFBPF_ADDR_MASK;
		r[i].src.af = PF_INET;
		r[i].src.prefixlen = 32;
		r[i].src.addr.v4 = htonl(0x0a000000 + i);
		r[i].dport.op = PF_OP_EQ;
		r[i].dport.port[0] = 1000 + i % 5000;
	}
	cr_assert_eq(pfbpf_cls_compile(r, n, NULL, NULL, &img, err, sizeof(err)), 0, "%s", err);
	pfbpf_cls_stats(img, &st);
	cr_assert_eq(st.nrules, n);
	cr_assert_eq(st.nprefixes, 10000 + 4, "one entry per host plus the four roots");
	cr_assert_lt(st.nbms, 20000u, "bitmaps: %u", st.nbms);
	cr_assert_lt(st.npool, 100000u, "pool words: %u", st.npool);
	pfbpf_cls_free(img);
	free(r);
}

/* Nested prefixes put the covering rules into every inner entry's bitmap:
 * 8,192 rules on 10/8 and 8,192 hosts inside it exceed the word pool, and
 * the error says which limit. */
Test(cls_compile, pool_limit_names_the_limit)
{
	size_t n = PF_MAX_RULES, i;
	struct pfbpf_rule *r = calloc(n, sizeof(*r));
	struct pfbpf_cls_image *img = (void *)1;
	char err[256] = "";

	for (i = 0; i < n; i++) {
		r[i].nr = i;
		r[i].src.type = PFBPF_ADDR_MASK;
		r[i].src.af = PF_INET;
		r[i].src.prefixlen = i < n / 2 ? 8 : 32;
		r[i].src.addr.v4 = htonl(i < n / 2 ? 0x0a000000 : 0x0a000000 + (__u32)i);
	}
	cr_assert_eq(pfbpf_cls_compile(r, n, NULL, NULL, &img, err, sizeof(err)), -ENOSPC);
	cr_assert_null(img);
	cr_assert_str_eq(err, "ruleset of 16384 rules: classifier word pool full (limit 524288 words per ruleset)");
	free(r);
}

static int tprof(const struct pfbpf_rule *r, void *arg)
{
	return r->timeout[PFTM_TCP_ESTABLISHED] ? 5 : 0;
}

static int tprof_fail(const struct pfbpf_rule *r, void *arg)
{
	return -ENOSPC;
}

/* Per-rule timeouts: the ctl layer assigns profiles; the compiler only
 * carries the index into pf_rule_bpf. */
Test(cls_compile, tprofiles_assigned_by_callback)
{
	struct pfbpf_rule r[2] = {};
	struct pfbpf_cls_image *img;
	char err[256] = "";

	r[1].timeout[PFTM_TCP_ESTABLISHED] = 3600;
	cr_assert_eq(pfbpf_cls_compile(r, 2, NULL, NULL, &img, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(pfbpf_cls_set_tprofiles(img, r, tprof, NULL), 0);
	cr_assert_eq(pfbpf_cls_set_tprofiles(img, r, tprof_fail, NULL), -ENOSPC);
	pfbpf_cls_free(img);
}
