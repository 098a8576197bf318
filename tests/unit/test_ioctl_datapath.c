// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_datapath.c - libpfbpf with the datapath's programs loaded:
 * a ruleset loaded through a transaction decides real packets (XDP run on
 * hand-built frames), the states they create are listed, looked up and
 * killed through pf_ctl, which emits the destroy events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"
#include "harness.h"

TestSuite(dp, .init = env_setup_progs, .fini = env_teardown);

static int xdp(struct h_pkt *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->buf, .data_size_in = p->len, .repeat = 1);

	cr_assert_eq(bpf_prog_test_run_opts(env_prog("pf_xdp"), &o), 0, "XDP run: %s",
		     strerror(errno));
	return o.retval;
}

static int syn(const char *src, __u16 sport, const char *dst, __u16 dport)
{
	struct h_flow f = H_FLOW4(src, sport, dst, dport);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = TH_SYN, .seq = 1000 }), 0);
	return xdp(&p);
}

/* Load rules as pfctl -f does. */
static void load(const struct pfbpf_rule *rules, int n)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	struct pfioc_rule pr = {};

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXBEGIN, &t), 0, "%s", pfbpf_strerror(env_dev));
	pr.ticket = e.ticket;
	for (int i = 0; i < n; i++) {
		pr.rule = rules[i];
		cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	}
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCXCOMMIT, &t), 0, "%s", pfbpf_strerror(env_dev));
}

static void pass_tcp_in(struct pfbpf_rule *r)
{
	env_rule(r, PF_PASS, "ssh");
	r->direction = PF_IN;
	r->proto = IPPROTO_TCP;
	r->flags = TH_SYN;
	r->flagset = TH_SYN | TH_ACK;
}

struct evs {
	int destroy[8]; /* by reason */
	int create;
};

static int ev_cb(void *ctx, void *data, size_t len)
{
	struct evs *e = ctx;
	const struct pf_event *ev = data;

	if (ev->type == PF_EV_STATE_DESTROY && ev->reason < 8)
		e->destroy[ev->reason]++;
	if (ev->type == PF_EV_STATE_CREATE)
		e->create++;
	return 0;
}

static struct evs events(void)
{
	struct evs e = {};
	struct ring_buffer *rb = ring_buffer__new(env_map(PFBPF_MAP_EVENTS), ev_cb, &e, NULL);

	cr_assert(rb, "ring buffer: %s", strerror(errno));
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return e;
}

Test(dp, pass_rule_creates_state_listed_counted_and_killed)
{
	struct pfbpf_rule r;
	struct pfioc_states ps = {};
	struct pfbpf_state st[4];
	struct pfioc_rule pr = {};
	struct pfioc_natlook nl = {};
	struct pfioc_state_kill psk = { .psk_af = PF_INET };
	struct evs ev;

	pass_tcp_in(&r);
	load(&r, 1);
	events(); /* drain */
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_PASS);

	ps.ps_len = sizeof(st);
	ps.ps_states = st;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(ps.ps_len, sizeof(st[0]), "one state");
	cr_assert_eq(st[0].key[0].proto, IPPROTO_TCP);
	cr_assert_eq(ntohs(st[0].key[0].port[1]), 22);
	cr_assert_eq(st[0].direction, PF_IN);
	cr_assert_geq(st[0].s.rule, PF_RID_BASE, "the state holds its rule's id");
	cr_assert_eq(st[0].rule_nr, 0);
	cr_assert_eq(st[0].s.pstate[0], TCPS_SYN_SENT);
	cr_assert_neq(st[0].s.id, 0);

	/* the rule's counters */
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULES, &pr), 0);
	pr.nr = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pr.packets[0], 1);
	cr_assert_eq(pr.states_cur, 1);
	cr_assert_eq(pr.states_tot, 1);
	cr_assert_geq(pr.evaluations, 1);

	/* the seed's DIOCNATLOOK, asked from the server's side */
	inet_pton(AF_INET, "198.51.100.2", &nl.saddr.v4);
	inet_pton(AF_INET, "192.0.2.1", &nl.daddr.v4);
	nl.sport = htons(22);
	nl.dport = htons(40000);
	nl.af = AF_INET;
	nl.proto = IPPROTO_TCP;
	nl.direction = PF_IN;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCNATLOOK, &nl), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(ntohs(nl.rsport), 22);
	/* and the seed's example program, unchanged but for open/ioctl */
	{
		char out[256];
		int rc = env_run(out, sizeof(out), "PFBPF_PIN_DIR=%s %s 198.51.100.2 22 192.0.2.1 40000",
				 env_dir, CTL_NATLOOK);

		cr_assert_eq(rc, 0, "%s", out);
		cr_assert_str_eq(out, "internal host 198.51.100.2:22\n");
	}

	ev = events();
	cr_assert_eq(ev.create, 1);
	inet_pton(AF_INET, "192.0.2.1", &psk.psk_src.addr.v.a.addr.v4);
	memset(&psk.psk_src.addr.v.a.mask.v4, 0xff, 4);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 1);
	cr_assert_eq(env_nstates(), 0);
	ev = events();
	cr_assert_eq(ev.destroy[PF_DESTROY_KILLED], 1, "pf_ctl emitted the destroy event");
	pr.nr = 0;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETRULE, &pr), 0);
	cr_assert_eq(pr.states_cur, 0);
}

Test(dp, clrstates_flushes_with_events)
{
	struct pfbpf_rule r;
	struct pfioc_state_kill psk = {};
	struct pf_status s;

	pass_tcp_in(&r);
	load(&r, 1);
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_PASS);
	cr_assert_eq(syn("192.0.2.3", 40000, "198.51.100.2", 22), XDP_PASS);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &s), 0);
	cr_assert_eq(s.states, 2);
	cr_assert_eq(s.fcounters[FCNT_STATE_INSERT], 2);
	events();
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCLRSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 2);
	cr_assert_eq(events().destroy[PF_DESTROY_FLUSHED], 2);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &s), 0);
	cr_assert_eq(s.states, 0);
}

Test(dp, block_rule_drops_until_stop)
{
	struct pfbpf_rule r;
	struct pf_status s;

	env_rule(&r, PF_DROP, "deny");
	load(&r, 1);
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_DROP);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATUS, &s), 0);
	cr_assert_eq(s.all_pcounters[PF_AF_IDX_INET][PF_DIR_IDX_IN][PF_VERDICT_IDX_DROP], 1);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTOP, NULL), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_PASS, "stopped pf passes");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSTART, NULL), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_DROP);
}

Test(dp, table_changes_decide_live)
{
	struct pfbpf_rule r[2];
	struct pfr_table t = { .pfrt_name = "bad", .pfrt_flags = PFR_TFLAG_PERSIST };
	struct pfr_addr a = { .pfra_af = PF_INET, .pfra_net = 32 };
	struct pfioc_table io = { .pfrio_buffer = &t, .pfrio_esize = sizeof(t), .pfrio_size = 1 };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRADDTABLES, &io), 0, "%s", pfbpf_strerror(env_dev));
	env_rule(&r[0], PF_PASS, "all");
	r[0].keep_state = PF_STATE_NONE;
	env_rule(&r[1], PF_DROP, "bad");
	r[1].quick = 1;
	r[1].src.type = PFBPF_ADDR_TABLE;
	strcpy(r[1].src.table, "bad");
	load(r, 2);
	cr_assert_eq(syn("192.0.2.66", 1, "198.51.100.2", 22), XDP_PASS);
	inet_pton(AF_INET, "192.0.2.66", &a.pfra_ip4addr);
	memset(&io, 0, sizeof(io));
	strcpy(io.pfrio_table.pfrt_name, "bad");
	io.pfrio_buffer = &a;
	io.pfrio_esize = sizeof(a);
	io.pfrio_size = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRADDADDRS, &io), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(syn("192.0.2.66", 1, "198.51.100.2", 22), XDP_DROP, "table hit blocks");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCRDELADDRS, &io), 0);
	cr_assert_eq(syn("192.0.2.66", 1, "198.51.100.2", 22), XDP_PASS);
}

/* Per-rule timeouts: rules share a pf_tprofiles slot per distinct set, and
 * a state's expiry is computed from its rule's profile. */
Test(dp, rule_timeouts_become_a_profile)
{
	struct pfbpf_rule r[2];
	struct pfioc_states ps = {};
	struct pfbpf_state st;
	struct pf_rule_bpf rb[2];
	struct pf_tprofile tp;
	struct pf_config cfg;
	__u32 idx, t;

	pass_tcp_in(&r[0]);
	r[0].quick = 1;
	r[0].timeout[PFTM_TCP_FIRST_PACKET] = 7;
	r[1] = r[0];
	r[1].dport.op = PF_OP_EQ;
	r[1].dport.port[0] = 80;
	load(r, 2);
	cr_assert_eq(env_cfg(&cfg), 0);
	for (int i = 0; i < 2; i++) {
		idx = cfg.active * PF_MAX_RULES + i;
		cr_assert_eq(bpf_map_lookup_elem(env_map("pf_rules"), &idx, &rb[i]), 0);
	}
	cr_assert_neq(rb[0].tprofile, 0);
	cr_assert_eq(rb[0].tprofile, rb[1].tprofile, "same timeouts, same profile");
	t = rb[0].tprofile;
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_TPROF), &t, &tp), 0);
	cr_assert_eq(tp.timeout[PFTM_TCP_FIRST_PACKET], 7);
	cr_assert_eq(tp.refs, 2);

	cr_assert_eq(syn("192.0.2.1", 40000, "198.51.100.2", 22), XDP_PASS);
	ps.ps_len = sizeof(st);
	ps.ps_states = &st;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, sizeof(st));
	cr_assert_eq(st.s.tprofile, t);
	cr_assert_leq(st.expires_in, 7, "expiry follows the rule's tcp.first");
	cr_assert_geq(st.expires_in, 5);
}

/* `-ss -v` "expires in" is the datapath's: a rule's own timeout, scaled by
 * the rule's own adaptive bounds and state count (pf_state_expires), not
 * the profile value unscaled.  3 states of a (1, 5) rule: tcp.first 100 *
 * (5 - 3) / (5 - 1) = 50 s. */
Test(dp, profile_timeout_shown_scaled)
{
	struct pfbpf_rule r;
	struct pfioc_states ps = {};
	struct pfbpf_state st[3];

	pass_tcp_in(&r);
	r.quick = 1;
	r.timeout[PFTM_TCP_FIRST_PACKET] = 100;
	r.timeout[PFTM_ADAPTIVE_START] = 1;
	r.timeout[PFTM_ADAPTIVE_END] = 5;
	load(&r, 1);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(syn("192.0.2.1", 41000 + i, "198.51.100.2", 22), XDP_PASS);
	ps.ps_len = sizeof(st);
	ps.ps_states = st;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, sizeof(st));
	for (int i = 0; i < 3; i++) {
		cr_expect_leq(st[i].expires_in, 50, "scaled by the rule's count");
		cr_expect_geq(st[i].expires_in, 48);
	}
}
