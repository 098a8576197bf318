/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the D engine's Criterion tests: compile a script with
 * output captured in memory, build synthetic pf and ip events. */
#ifndef TEST_DT_HELPERS_H
#define TEST_DT_HELPERS_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dt/dt.h"

struct dtrun {
	FILE *fo, *fe;
	char *out, *err;
	size_t outlen, errlen;
	struct dt_prog *p;
	char cerr[512];
};

static const char *if_cb(__u32 ifindex, void *arg)
{
	(void)arg;
	return ifindex == 1 ? "lo" : ifindex == 2 ? "veth0" : NULL;
}

static inline struct dt_prog *dtc(struct dtrun *r, const char *src, int quiet)
{
	struct dt_opts o = { .quiet = quiet, .ifname = if_cb, .wall_offset_ns = 1000000000000LL };

	memset(r, 0, sizeof(*r));
	r->fo = open_memstream(&r->out, &r->outlen);
	r->fe = open_memstream(&r->err, &r->errlen);
	o.out = r->fo;
	o.err = r->fe;
	r->p = dt_compile(src, "t.d", &o, r->cerr, sizeof(r->cerr));
	return r->p;
}

static inline const char *dt_out(struct dtrun *r)
{
	fflush(r->fo);
	return r->out;
}

static inline const char *dt_errout(struct dtrun *r)
{
	fflush(r->fe);
	return r->err;
}

static inline void dtdone(struct dtrun *r)
{
	dt_free(r->p);
	fclose(r->fo);
	fclose(r->fe);
	free(r->out);
	free(r->err);
}

/* Compile must fail with exactly "pftrace: failed to compile script t.d: <what>". */
static inline void expect_cerr(const char *src, const char *what)
{
	struct dtrun r;
	char want[600];

	snprintf(want, sizeof(want), "pftrace: failed to compile script t.d: %s", what);
	cr_assert_null(dtc(&r, src, 1), "compiled: %s", src);
	cr_assert_str_eq(r.cerr, want, "script: %s\n got: %s", src, r.cerr);
	dtdone(&r);
}

/* A pf event: src opened the connection (slot per pf's key layout). */
static inline struct pf_event mkpf(int type, __u64 id, int dir, const char *src, int sport,
				   const char *dst, int dport, int proto, int st0, int st1)
{
	struct pf_event ev;
	int af = strchr(src, ':') ? PF_INET6 : PF_INET, i = dir == PF_IN ? 0 : 1;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.direction = dir;
	ev.ts_ns = 1000000000ULL * id;
	ev.cpu = 1;
	ev.creatorid = 0xabcd;
	ev.state.id = id;
	ev.state.pstate[0] = st0;
	ev.state.pstate[1] = st1;
	ev.state.ifindex = 2;
	inet_pton(af == PF_INET ? AF_INET : AF_INET6, src, &ev.key[0].addr[i]);
	inet_pton(af == PF_INET ? AF_INET : AF_INET6, dst, &ev.key[0].addr[!i]);
	ev.key[0].port[i] = htons(sport);
	ev.key[0].port[!i] = htons(dport);
	ev.key[0].af = af;
	ev.key[0].proto = proto;
	ev.key[1] = ev.key[0];
	return ev;
}

static inline struct pf_ip_event mkip(int type, const char *src, const char *dst, __u32 plen,
				      __u32 ifindex, __u64 ts)
{
	struct pf_ip_event ev;
	int v6 = strchr(src, ':') != NULL;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.ip_ver = v6 ? 6 : 4;
	ev.ifindex = ifindex;
	ev.ts_ns = ts;
	ev.ip_plength = plen;
	inet_pton(v6 ? AF_INET6 : AF_INET, src, &ev.saddr);
	inet_pton(v6 ? AF_INET6 : AF_INET, dst, &ev.daddr);
	if (v6) {
		ev.ipv6_plen = plen;
		ev.ipv6_nexthdr = 58;
		ev.ipv6_hlim = 64;
		ev.ipv6_flow = 0x12345;
	} else {
		ev.ipv4_ihl = 5;
		ev.ipv4_ttl = 64;
		ev.ipv4_protocol = 6;
		ev.ipv4_length = plen + 20;
		ev.ipv4_ident = 0x1234;
	}
	return ev;
}

/* Run a quiet BEGIN-only script and return its output (caller frees r). */
static inline const char *begin_out(struct dtrun *r, const char *body)
{
	char src[4096];

	snprintf(src, sizeof(src), "BEGIN\n{\n%s\n}\n", body);
	cr_assert_not_null(dtc(r, src, 1), "%s", r->cerr);
	dt_begin(r->p, 5000);
	return dt_out(r);
}

#endif
