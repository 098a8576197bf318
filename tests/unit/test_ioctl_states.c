// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ioctl_states.c - DIOCGETSTATES (size protocol), DIOCGETSTATE,
 * DIOCADDSTATE, DIOCKILLSTATES, DIOCCLRSTATES, DIOCNATLOOK, and the seed's
 * natlook example, on the real state map.
 *
 * The maps-only suite has no datapath program loaded, so the library
 * changes the state map itself (and keeps pf_gcount.states right); the
 * datapath suite goes through the pf_ctl syscall program.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>
#include "ioctl_env.h"

static __u32 addr4(const char *s)
{
	__u32 a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static __s64 gstates(void)
{
	struct pf_gcount gc;
	__u32 zero = 0;

	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_COUNT), &zero, &gc), 0);
	return gc.states;
}

/* Three states: two from 192.0.2.1 (one in, one out), one from 198.51.100.7. */
static void three(void)
{
	cr_assert_eq(env_add_state4("192.0.2.1", 40000, "198.51.100.2", 22, PF_IN, 0), 0, "%s",
		     pfbpf_strerror(env_dev));
	cr_assert_eq(env_add_state4("192.0.2.1", 40001, "203.0.113.9", 80, PF_OUT, 0), 0);
	cr_assert_eq(env_add_state4("198.51.100.7", 5000, "192.0.2.1", 443, PF_IN, 0x1234), 0);
}

static void kill_filter(struct pfioc_state_kill *psk, const char *src, int splen, const char *dst,
			int dplen)
{
	memset(psk, 0, sizeof(*psk));
	psk->psk_af = PF_INET;
	if (src) {
		psk->psk_src.addr.v.a.addr.v4.s_addr = addr4(src);
		psk->psk_src.addr.v.a.mask.v4.s_addr = htonl(splen ? ~0u << (32 - splen) : 0);
	}
	if (dst) {
		psk->psk_dst.addr.v.a.addr.v4.s_addr = addr4(dst);
		psk->psk_dst.addr.v.a.mask.v4.s_addr = htonl(dplen ? ~0u << (32 - dplen) : 0);
	}
}

TestSuite(states, .init = env_setup_maps, .fini = env_teardown);

Test(states, addstate_inserts_and_counts)
{
	struct pf_state_key k;
	struct pf_state s;

	three();
	cr_assert_eq(env_nstates(), 3);
	cr_assert_eq(gstates(), 3);
	env_key4(&k, "198.51.100.7", 5000, "192.0.2.1", 443, PF_IN);
	cr_assert_eq(bpf_map_lookup_elem(env_map(PFBPF_MAP_STATES), &k, &s), 0);
	cr_assert_eq(s.id, 0x1234);
	cr_assert(s.flags & PFSTATE_F_IMPORTED);
	cr_assert_eq(pf_state_dir(&s), PF_IN);
	/* the same key twice */
	cr_assert_eq(env_add_state4("198.51.100.7", 5000, "192.0.2.1", 443, PF_IN, 0), -1);
	cr_assert_eq(errno, EEXIST);
	cr_assert_eq(gstates(), 3);
}

Test(states, addstate_respects_limit)
{
	struct pfioc_limit pl = { .index = PF_LIMIT_STATES, .limit = 2 };

	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCSETLIMIT, &pl), 0);
	cr_assert_eq(env_add_state4("192.0.2.1", 1, "192.0.2.2", 2, PF_IN, 0), 0);
	cr_assert_eq(env_add_state4("192.0.2.1", 3, "192.0.2.2", 4, PF_IN, 0), 0);
	cr_assert_eq(env_add_state4("192.0.2.1", 5, "192.0.2.2", 6, PF_IN, 0), -1);
	cr_assert_eq(errno, ENOMEM);
	cr_assert(strstr(pfbpf_strerror(env_dev), "state table full"), "%s",
		  pfbpf_strerror(env_dev));
}

Test(states, getstates_size_protocol)
{
	struct pfioc_states ps = { .ps_len = 0 };
	struct pfbpf_state *buf;
	int found = 0;

	three();
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, 3 * sizeof(struct pfbpf_state));
	buf = calloc(1, ps.ps_len);
	ps.ps_states = buf;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, 3 * sizeof(struct pfbpf_state));
	for (int i = 0; i < 3; i++) {
		const struct pfbpf_state *s = &buf[i];

		cr_assert_eq(memcmp(&s->key[PF_SK_WIRE], &s->key[PF_SK_STACK], sizeof(s->key[0])), 0,
			     "without NAT the stack key is the wire key");
		cr_assert_eq(s->key[0].proto, IPPROTO_TCP);
		if (s->s.id == 0x1234) {
			found++;
			cr_assert_eq(s->direction, PF_IN);
			cr_assert_eq(s->key[0].addr[0].v4, addr4("198.51.100.7"));
			cr_assert_eq(ntohs(s->key[0].port[1]), 443);
			/* tcp.established: a day, just refreshed */
			cr_assert_geq(s->expires_in, 86398);
			cr_assert_leq(s->expires_in, 86400);
			cr_assert_leq(s->age, 2);
		}
	}
	cr_assert_eq(found, 1);
	/* Room for one: one state, ps_len says what was used. */
	ps.ps_len = sizeof(struct pfbpf_state) + 10;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, sizeof(struct pfbpf_state));
	free(buf);
}

Test(states, getstate_by_id_and_by_number)
{
	struct pfioc_state ps = {};

	three();
	ps.state.s.id = 0x1234;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATE, &ps), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(ps.state.key[0].addr[0].v4, addr4("198.51.100.7"));
	memset(&ps, 0, sizeof(ps));
	ps.nr = 2;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATE, &ps), 0);
	cr_assert_eq(ps.state.key[0].af, PF_INET);
	memset(&ps, 0, sizeof(ps));
	ps.state.s.id = 0x999;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATE, &ps), -1);
	cr_assert_eq(errno, ENOENT);
}

Test(states, kill_by_source_host)
{
	struct pfioc_state_kill psk;

	three();
	kill_filter(&psk, "192.0.2.1", 32, NULL, 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	/* both states opened by 192.0.2.1 (in and out), not the one to it */
	cr_assert_eq(psk.psk_killed, 2);
	cr_assert_eq(psk.psk_af, 2, "pf returns the count in psk_af");
	cr_assert_eq(env_nstates(), 1);
	cr_assert_eq(gstates(), 1);
}

Test(states, kill_by_source_and_destination_network)
{
	struct pfioc_state_kill psk;

	three();
	kill_filter(&psk, "192.0.2.0", 24, "203.0.113.0", 24);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0);
	cr_assert_eq(psk.psk_killed, 1);
	kill_filter(&psk, NULL, 0, "192.0.2.1", 32);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0);
	cr_assert_eq(psk.psk_killed, 1);
	cr_assert_eq(env_nstates(), 1);
}

Test(states, kill_by_proto_and_id)
{
	struct pfioc_state_kill psk = { .psk_proto = IPPROTO_UDP };

	three();
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0);
	cr_assert_eq(psk.psk_killed, 0);
	memset(&psk, 0, sizeof(psk));
	psk.psk_id = 0x1234;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0);
	cr_assert_eq(psk.psk_killed, 1);
	cr_assert_eq(env_nstates(), 2);
}

Test(states, kill_rejects_negation_and_bad_masks)
{
	struct pfioc_state_kill psk;

	/* ports are supported (test_ioctl_policy.c); negation is not */
	kill_filter(&psk, "192.0.2.1", 32, NULL, 0);
	psk.psk_src.neg = 1;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), -1);
	cr_assert_eq(errno, EOPNOTSUPP);
	kill_filter(&psk, "192.0.2.1", 32, NULL, 0);
	psk.psk_src.addr.v.a.mask.v4.s_addr = htonl(0xff00ff00);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), -1);
	cr_assert_eq(errno, EINVAL);
}

Test(states, kill_by_interface)
{
	struct pfioc_state ps = {};
	struct pfioc_state_kill psk = { .psk_ifname = "lo" };

	three();
	env_key4(&ps.state.key[0], "192.0.2.50", 1, "192.0.2.51", 2, PF_IN);
	ps.state.direction = PF_IN;
	strcpy(ps.state.ifname, "lo");
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDSTATE, &ps), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 1);
	strcpy(psk.psk_ifname, "nosuchif0");
	psk.psk_af = 0; /* it came back holding the count */
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 0, "an interface that does not exist has no states");
	cr_assert_eq(env_nstates(), 3);
}

Test(states, clrstates_flushes_all)
{
	struct pfioc_state_kill psk = { .psk_af = PF_INET6, .psk_proto = 99 };

	three();
	/* DIOCCLRSTATES ignores af, proto, src and dst */
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCCLRSTATES, &psk), 0);
	cr_assert_eq(psk.psk_killed, 3);
	cr_assert_eq(env_nstates(), 0);
	cr_assert_eq(gstates(), 0);
}

Test(states, natlook_finds_state_without_nat)
{
	struct pfioc_natlook nl = {};

	three();
	/* The connection 198.51.100.7:5000 -> 192.0.2.1:443 came in; asked
	 * from the gateway's side as in the seed's example. */
	nl.saddr.v4.s_addr = addr4("192.0.2.1");
	nl.sport = htons(443);
	nl.daddr.v4.s_addr = addr4("198.51.100.7");
	nl.dport = htons(5000);
	nl.af = AF_INET;
	nl.proto = IPPROTO_TCP;
	nl.direction = PF_IN;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCNATLOOK, &nl), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(nl.rsaddr.v4.s_addr, addr4("192.0.2.1"));
	cr_assert_eq(ntohs(nl.rsport), 443);
	cr_assert_eq(nl.rdaddr.v4.s_addr, addr4("198.51.100.7"));
	nl.dport = htons(5001);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCNATLOOK, &nl), -1);
	cr_assert_eq(errno, ENOENT);
}

Test(states, natlook_example_program)
{
	char out[512];
	int st;

	three();
	st = env_run(out, sizeof(out), "PFBPF_PIN_DIR=%s %s 192.0.2.1 443 198.51.100.7 5000",
		     env_dir, CTL_NATLOOK);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert_str_eq(out, "internal host 192.0.2.1:443\n");
	st = env_run(out, sizeof(out), "PFBPF_PIN_DIR=%s %s 192.0.2.1 443 198.51.100.7 5001",
		     env_dir, CTL_NATLOOK);
	cr_assert_eq(st, 1);
	cr_assert(strstr(out, "DIOCNATLOOK: No such file or directory"), "%s", out);
	st = env_run(out, sizeof(out), "PFBPF_PIN_DIR=%s/nope %s 192.0.2.1 1 192.0.2.2 2", env_dir,
		     CTL_NATLOOK);
	cr_assert_eq(st, 1);
	cr_assert(strstr(out, "open(\"/dev/pf\") failed"), "%s", out);
}

static int count_destroy(void *ctx, void *data, size_t len)
{
	const struct pf_event *ev = data;

	if (ev->type == PF_EV_STATE_DESTROY && ev->reason == PF_DESTROY_KILLED)
		++*(int *)ctx;
	return 0;
}

/* No program in the kernel (as after `ip link set xdp obj`, which loads
 * only the XDP program): the library loads pf_ctl itself against the pins,
 * so kills still emit destroy events. */
Test(states, kill_loads_pf_ctl_and_emits_events)
{
	struct pfioc_state_kill psk;
	struct ring_buffer *rb;
	int n = 0;

	three();
	kill_filter(&psk, "198.51.100.7", 32, NULL, 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 1);
	rb = ring_buffer__new(env_map(PFBPF_MAP_EVENTS), count_destroy, &n, NULL);
	cr_assert(rb);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	cr_assert_eq(n, 1);
}

TestSuite(states_sized, .init = env_setup_maps_sized, .fini = env_teardown);

/* The datapath was loaded with --map-size: the pinned pf_states is not the
 * object's size.  pf_ctl must still be loaded against the pins (adopting
 * their size), not silently replaced by the library editing the map, which
 * emits no destroy events. */
Test(states_sized, kill_loads_pf_ctl_against_resized_pins)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct pfioc_state_kill psk;
	struct ring_buffer *rb;
	int n = 0;

	cr_assert_eq(bpf_obj_get_info_by_fd(env_map(PFBPF_MAP_STATES), &info, &len), 0);
	cr_assert_eq(info.max_entries, ENV_STATES_SIZED);
	three();
	kill_filter(&psk, "198.51.100.7", 32, NULL, 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 1);
	rb = ring_buffer__new(env_map(PFBPF_MAP_EVENTS), count_destroy, &n, NULL);
	cr_assert(rb);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	cr_assert_eq(n, 1, "pf_ctl (not the library) killed the state");
}

TestSuite(states_dp, .init = env_setup_progs, .fini = env_teardown);

/* With the datapath loaded, states change only through pf_ctl, which also
 * emits the destroy events. */
Test(states_dp, add_and_kill_through_pf_ctl)
{
	struct pfioc_state_kill psk;

	three();
	cr_assert_eq(env_nstates(), 3, "DIOCADDSTATE through pf_ctl inserts");
	cr_assert_eq(gstates(), 3);
	kill_filter(&psk, "192.0.2.1", 32, NULL, 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 2);
	cr_assert_eq(env_nstates(), 1);
	cr_assert_eq(gstates(), 1);
}

Test(states, ipv6_add_kill_by_prefix)
{
	struct pfioc_state ps = {};
	struct pfioc_state_kill psk = { .psk_af = PF_INET6 };
	struct pf_state_key *k = &ps.state.key[PF_SK_WIRE];

	k->af = PF_INET6;
	k->proto = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8:1::5", &k->addr[0]);
	inet_pton(AF_INET6, "2001:db8:2::9", &k->addr[1]);
	k->port[0] = htons(5353);
	k->port[1] = htons(53);
	ps.state.direction = PF_IN;
	ps.state.s.timeout = PFTM_UDP_SINGLE;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDSTATE, &ps), 0, "%s", pfbpf_strerror(env_dev));
	inet_pton(AF_INET6, "2001:db8:1::9", &k->addr[0]);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDSTATE, &ps), 0);
	inet_pton(AF_INET6, "2001:db8:7::1", &k->addr[0]);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDSTATE, &ps), 0);
	three();
	inet_pton(AF_INET6, "2001:db8:1::", &psk.psk_src.addr.v.a.addr.v6);
	memset(&psk.psk_src.addr.v.a.mask, 0xff, 6); /* /48 */
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 2);
	cr_assert_eq(env_nstates(), 4);
}

Test(states, readonly_handle_reads_before_any_write)
{
	int dev = pfbpf_open(env_dir, O_RDONLY);
	struct pfioc_rule pr = {};
	struct pfioc_table io = { .pfrio_esize = sizeof(struct pfr_table) };
	struct pfioc_ruleset rs = {};

	cr_assert_geq(dev, 0);
	cr_assert_eq(pfbpf_ioctl(dev, DIOCGETRULES, &pr), 0, "%s", pfbpf_strerror(dev));
	cr_assert_eq(pr.nr, 0);
	cr_assert_eq(pfbpf_ioctl(dev, DIOCRGETTABLES, &io), 0, "%s", pfbpf_strerror(dev));
	cr_assert_eq(io.pfrio_size, 0);
	cr_assert_eq(pfbpf_ioctl(dev, DIOCGETRULESETS, &rs), 0, "%s", pfbpf_strerror(dev));
	cr_assert_eq(rs.nr, 0);
	pfbpf_close(dev);
}

/* No pf_ctl to be had (no program in the kernel, no object to load it
 * from) and no datapath running: the library changes the map itself and
 * keeps the state counter right. */
Test(states, without_pf_ctl_the_library_edits_the_map)
{
	struct pfioc_state_kill psk;

	setenv("PFBPF_OBJ", "/nonexistent/pf_kern.bpf.o", 1);
	three();
	cr_assert_eq(env_nstates(), 3);
	cr_assert_eq(gstates(), 3);
	kill_filter(&psk, "192.0.2.1", 32, NULL, 0);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(psk.psk_killed, 2);
	cr_assert_eq(gstates(), 1);
	unsetenv("PFBPF_OBJ");
}

/* A listing larger than one batch read sees every state exactly once. */
Test(states, getstates_many)
{
	enum { N = 5000 };
	struct pfioc_states ps = { .ps_len = 0 };
	struct pfbpf_state *buf;
	static __u8 seen[N];
	struct pf_state s = { .timeout = PFTM_UDP_SINGLE, .rule = PF_RULE_NONE };

	for (int i = 0; i < N; i++) {
		struct pf_state_key k;

		env_key4(&k, "192.0.2.10", 10000 + i, "198.51.100.10", 53, PF_OUT);
		k.proto = IPPROTO_UDP;
		s.id = i + 1;
		cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_STATES), &k, &s, BPF_NOEXIST), 0);
	}
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, N * sizeof(struct pfbpf_state));
	buf = malloc(ps.ps_len);
	ps.ps_states = buf;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCGETSTATES, &ps), 0);
	cr_assert_eq(ps.ps_len, N * sizeof(struct pfbpf_state));
	for (int i = 0; i < N; i++) {
		/* outbound: the source sits in slot 1 */
		int port = ntohs(buf[i].key[0].port[1]) - 10000;

		cr_assert(port >= 0 && port < N, "port %d", port);
		cr_assert_eq(seen[port], 0, "state %d listed twice", port);
		seen[port] = 1;
		cr_assert_eq(buf[i].s.id, (__u64)port + 1);
	}
	free(buf);
}

/* Two states with one id from two creators: this host's (slot 0) and an
 * imported one of creator 0xbeef (slot 1).  pf's -k id ID/CREATOR and its
 * kill filter match the creator too. */
static void same_id_two_creators(void)
{
	struct pfioc_state ps = {};
	__u32 slot = 1, beef = 0xbeef;

	cr_assert_eq(bpf_map_update_elem(env_map(PFBPF_MAP_CREATORS), &slot, &beef, BPF_ANY), 0);
	cr_assert_eq(env_add_state4("192.0.2.1", 40000, "198.51.100.2", 22, PF_IN, 0x77), 0);
	env_key4(&ps.state.key[PF_SK_WIRE], "192.0.2.5", 40000, "198.51.100.2", 22, PF_IN);
	ps.state.direction = PF_IN;
	ps.state.s.id = 0x77;
	ps.state.s.creator = 1;
	ps.state.s.timeout = PFTM_TCP_ESTABLISHED;
	ps.state.s.pstate[0] = ps.state.s.pstate[1] = TCPS_ESTABLISHED;
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCADDSTATE, &ps), 0, "%s", pfbpf_strerror(env_dev));
	cr_assert_eq(env_nstates(), 2);
}

static int state_of(const char *src)
{
	struct pf_state_key k;
	struct pf_state s;

	env_key4(&k, src, 40000, "198.51.100.2", 22, PF_IN);
	return bpf_map_lookup_elem(env_map(PFBPF_MAP_STATES), &k, &s) == 0;
}

/* Without a datapath the library walks the map itself: same filter. */
Test(states, kill_by_id_checks_the_creator)
{
	struct pfioc_state_kill psk = { .psk_id = 0x77, .psk_creatorid = 0xbeef };

	setenv("PFBPF_OBJ", "/nonexistent/pf_kern.bpf.o", 1);
	same_id_two_creators();
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_expect_eq(psk.psk_killed, 1);
	cr_expect(state_of("192.0.2.1"), "this host's state with the same id stays");
	cr_expect_not(state_of("192.0.2.5"));
	unsetenv("PFBPF_OBJ");
}

/* Kill by port lists the states in user space and kills each by id: the
 * creator asked for must survive that, not be replaced by the state's. */
Test(states_dp, kill_by_port_checks_the_creator)
{
	struct pfioc_state_kill psk = { .psk_creatorid = 0xbeef };

	same_id_two_creators();
	psk.psk_af = PF_INET;
	psk.psk_dst.port_op = PF_OP_EQ;
	psk.psk_dst.port[0] = htons(22);
	cr_assert_eq(pfbpf_ioctl(env_dev, DIOCKILLSTATES, &psk), 0, "%s", pfbpf_strerror(env_dev));
	cr_expect_eq(psk.psk_killed, 1);
	cr_expect(state_of("192.0.2.1"));
	cr_expect_not(state_of("192.0.2.5"));
}
