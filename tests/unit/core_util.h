/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared pieces of the core (datapath) tests. */
#ifndef PFBPF_CORE_UTIL_H
#define PFBPF_CORE_UTIL_H

#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <criterion/criterion.h>
#include "harness.h"

#define CLIENT4 "192.0.2.1"
#define SERVER4 "198.51.100.2"
#define ROUTER4 "203.0.113.1"
#define CLIENT6 "2001:db8::1"
#define SERVER6 "2001:db8:1::2"
#define ROUTER6 "2001:db8:2::1"

/* pf.conf:  block all
 *           pass out all keep state     (flags S/SA for TCP)
 * so outbound connections make states and inbound packets need one. */
static inline void core_rules_stateful(void)
{
	struct pfbpf_rule r[2];

	r[0] = h_rule(PF_DROP, PF_INOUT, 0, PF_STATE_NONE);
	r[1] = h_rule(PF_PASS, PF_OUT, 0, PF_STATE_NORMAL);
	r[0].nr = 0;
	r[1].nr = 1;
	cr_assert_eq(h_rules(r, 2), 0, "installing the ruleset failed");
}

static inline void core_setup(void)
{
	h_setup();
	core_rules_stateful();
}

static inline struct h_flow core_flow(int af, __u16 sport, __u16 dport)
{
	return af == PF_INET ? H_FLOW4(CLIENT4, sport, SERVER4, dport) :
			       H_FLOW6(CLIENT6, sport, SERVER6, dport);
}

/* Send a TCP segment of flow f (client -> server when dir is PF_OUT,
 * server -> client as the reversed flow when PF_IN). */
static inline int core_tcp(const struct h_flow *client, int dir, __u8 flags, __u32 seq,
			   __u32 ack, __u32 plen)
{
	struct h_flow f = dir == PF_OUT ? *client : h_flow_rev(client);
	struct h_pkt p;

	cr_assert_eq(h_tcp(&p, &f, &(struct h_tcp){ .flags = flags, .seq = seq, .ack = ack,
						   .plen = plen }), 0);
	return h_run(dir, &p);
}

static inline int core_state(const struct h_flow *client, __u8 proto, struct pf_state *s)
{
	return h_state_get(client, proto, PF_OUT, s);
}

static inline __u64 core_counter(int reason)
{
	struct pf_status_pcpu st;

	cr_assert_eq(h_status(&st), 0);
	return st.counters[reason];
}

#endif
