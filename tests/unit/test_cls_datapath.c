// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_cls_datapath.c - rulesets compiled by user/cls, installed into the
 * datapath object (build/pf_kern.bpf.o, loaded unpinned by the harness)
 * and judged by the verdicts and states of hand-built packets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "harness.h"
#include "cls/cls.h"

TestSuite(cls_dp, .init = h_setup, .fini = h_teardown);

static int fd_cb(const char *name, void *arg)
{
	int fd = h_map_fd(name);

	return fd < 0 ? -ENOENT : fd;
}

static int tid(const char *name, void *arg)
{
	return !strcmp(name, "bad") ? 3 : -ENOENT;
}

/* A commit as pfctl_bpf does it (pfbpf_cls_commit: write the inactive
 * slot, flip), or only the write when !flip. */
static void commit(struct pfbpf_rule *r, size_t n, int flip)
{
	struct pfbpf_cls_image *img;
	struct pf_config before, after;
	char err[256] = "";
	unsigned slot;

	for (size_t i = 0; i < n; i++)
		r[i].nr = i;
	cr_assert_eq(h_config_get(&before), 0);
	cr_assert_eq(pfbpf_cls_compile(r, n, tid, NULL, &img, err, sizeof(err)), 0, "%s", err);
	if (flip) {
		cr_assert_eq(pfbpf_cls_commit(img, fd_cb, NULL, &slot), 0);
		cr_assert_eq(h_config_get(&after), 0);
		cr_assert_eq(slot, !before.active);
		cr_assert_eq(after.active, slot);
		cr_assert_eq(after.ruleset_gen, before.ruleset_gen + 1);
	} else {
		cr_assert_eq(pfbpf_cls_install(img, !before.active, fd_cb, NULL), 0);
	}
	pfbpf_cls_free(img);
}

static struct pfbpf_rule R(__u8 action, __u8 dir, int quick, __u8 keep)
{
	struct pfbpf_rule r;

	memset(&r, 0, sizeof(r));
	r.action = action;
	r.direction = dir;
	r.quick = quick;
	r.keep_state = keep;
	if (action == PF_PASS && keep) { /* pf's default: flags S/SA keep state */
		r.flags = TH_SYN;
		r.flagset = TH_SYN | TH_ACK;
	}
	return r;
}

static int syn(int dir, const struct h_flow *f)
{
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000 }), 0);
	return h_run(dir, &p);
}

Test(cls_dp, block_in_pass_out)
{
	struct pfbpf_rule r[2] = { R(PF_DROP, PF_IN, 0, 0), R(PF_PASS, PF_OUT, 0, PF_STATE_NORMAL) };
	struct h_flow in = H_FLOW4("198.51.100.9", 40000, "192.0.2.1", 22);
	struct h_flow out = H_FLOW4("192.0.2.1", 41000, "203.0.113.5", 443);
	struct h_flow back = h_flow_rev(&out);
	struct pf_state st;
	struct h_pkt p;

	commit(r, 2, 1);
	cr_assert_eq(syn(PF_IN, &in), PF_DROP, "unsolicited inbound SYN blocked");
	cr_assert_eq(h_state_get(&in, IPPROTO_TCP, PF_IN, &st), -ENOENT);
	cr_assert_eq(syn(PF_OUT, &out), PF_PASS);
	cr_assert_eq(h_state_get(&out, IPPROTO_TCP, PF_OUT, &st), 0, "pass out keep state made a state");
	cr_assert_eq(st.rule, h_active_rid(1));
	cr_assert_eq(h_tcp(&p, &back, &(struct h_tcp){ .flags = TH_SYN | TH_ACK, .seq = 5000, .ack = 1001 }), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS, "the reply matches the state, not block in");
}

Test(cls_dp, quick_and_last_match)
{
	struct pfbpf_rule r[3] = { R(PF_PASS, PF_IN, 0, PF_STATE_NONE), R(PF_DROP, PF_IN, 1, 0),
				   R(PF_PASS, PF_IN, 0, PF_STATE_NORMAL) };
	struct h_flow ssh = H_FLOW4("198.51.100.9", 40000, "192.0.2.1", 22);
	struct h_flow web = H_FLOW4("198.51.100.9", 40001, "192.0.2.1", 80);
	struct h_flow dns = H_FLOW4("198.51.100.9", 5353, "192.0.2.1", 53);
	struct pf_state st;
	struct h_pkt p;

	r[1].proto = IPPROTO_TCP;     /* block in quick proto tcp to port 22 */
	r[1].dport.op = PF_OP_EQ;
	r[1].dport.port[0] = 22;
	r[2].proto = IPPROTO_TCP;     /* pass in proto tcp to port 80 */
	r[2].dport.op = PF_OP_EQ;
	r[2].dport.port[0] = 80;
	commit(r, 3, 1);
	cr_assert_eq(syn(PF_IN, &ssh), PF_DROP);
	cr_assert_eq(syn(PF_IN, &web), PF_PASS);
	cr_assert_eq(h_state_get(&web, IPPROTO_TCP, PF_IN, &st), 0);
	cr_assert_eq(st.rule, h_active_rid(2), "the last matching rule made the state");
	cr_assert_eq(h_udp(&p, &dns, 20, NULL), 0);
	cr_assert_eq(h_run(PF_IN, &p), PF_PASS);
	cr_assert_eq(h_state_get(&dns, IPPROTO_UDP, PF_IN, &st), -ENOENT, "rule 0 is no state");
}

Test(cls_dp, table_changes_verdict_without_reload)
{
	struct pfbpf_rule r[2] = { R(PF_PASS, PF_IN, 0, PF_STATE_NONE), R(PF_DROP, PF_IN, 1, 0) };
	struct h_flow f = H_FLOW4("198.51.100.9", 40000, "192.0.2.1", 22);
	struct pf_table_key k = {};
	struct pf_table_entry e = {};

	r[1].src.type = PFBPF_ADDR_TABLE; /* block in quick from <bad> */
	strcpy(r[1].src.table, "bad");
	commit(r, 2, 1);
	cr_assert_eq(syn(PF_IN, &f), PF_PASS);
	k.prefixlen = 32 + 24;
	k.table = htons(3);
	k.af = PF_INET;
	inet_pton(AF_INET, "198.51.100.0", &k.addr);
	cr_assert_eq(bpf_map_update_elem(h_map_fd(PFBPF_MAP_TABLES), &k, &e, BPF_ANY), 0);
	cr_assert_eq(syn(PF_IN, &f), PF_DROP, "source now in <bad>");
	cr_assert_eq(bpf_map_delete_elem(h_map_fd(PFBPF_MAP_TABLES), &k), 0);
	cr_assert_eq(syn(PF_IN, &f), PF_PASS);
}

Test(cls_dp, commit_is_atomic_flip)
{
	struct pfbpf_rule a[1] = { R(PF_PASS, PF_INOUT, 0, PF_STATE_NONE) };
	struct pfbpf_rule b[2] = { R(PF_PASS, PF_INOUT, 0, PF_STATE_NONE), R(PF_DROP, PF_IN, 0, 0) };
	struct h_flow f = H_FLOW6("2001:db8::9", 40000, "2001:db8:1::1", 22);
	struct h_flow g = H_FLOW4("198.51.100.9", 40000, "192.0.2.1", 22);
	struct pf_config cfg;

	b[1].src.type = PFBPF_ADDR_MASK; /* block in from 2001:db8::/32 */
	b[1].src.af = PF_INET6;
	b[1].src.prefixlen = 32;
	inet_pton(AF_INET6, "2001:db8::", &b[1].src.addr);
	commit(a, 1, 1);
	cr_assert_eq(syn(PF_IN, &f), PF_PASS);
	commit(b, 2, 0); /* written, not yet active */
	cr_assert_eq(syn(PF_IN, &f), PF_PASS, "the inactive slot is invisible to packets");
	cr_assert_eq(h_config_get(&cfg), 0);
	cfg.active = !cfg.active;
	cr_assert_eq(h_config_set(&cfg), 0);
	cr_assert_eq(syn(PF_IN, &f), PF_DROP, "after the flip the new ruleset decides");
	cr_assert_eq(syn(PF_IN, &g), PF_PASS, "an inet packet is not matched by an inet6 rule");
}

Test(cls_dp, empty_ruleset_passes_without_state)
{
	struct h_flow f = H_FLOW4("198.51.100.9", 40000, "192.0.2.1", 22);
	struct pf_state st;

	commit(NULL, 0, 1);
	cr_assert_eq(syn(PF_IN, &f), PF_PASS);
	cr_assert_eq(h_state_get(&f, IPPROTO_TCP, PF_IN, &st), -ENOENT);
}
