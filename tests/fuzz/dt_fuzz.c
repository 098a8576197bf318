// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the D engine: any byte string is compiled as a
 * script; what compiles is run on a fixed set of pf and ip events (IPv4 and
 * IPv6, every probe, ticks) so the evaluator, printf and aggregations are
 * fuzzed too.  Built with ASan and UBSan by `make fuzz`.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dt/dt.h"

static FILE *devnull;

static void mk_events(struct pf_event *pf, struct pf_ip_event *ip)
{
	memset(pf, 0, 2 * sizeof(*pf));
	memset(ip, 0, 2 * sizeof(*ip));
	pf[0].direction = PF_OUT;
	pf[0].state.id = 1;
	pf[0].state.pstate[0] = pf[0].state.pstate[1] = 4;
	inet_pton(AF_INET, "198.51.100.1", &pf[0].key[0].addr[1]);
	inet_pton(AF_INET, "198.51.100.2", &pf[0].key[0].addr[0]);
	pf[0].key[0].af = PF_INET;
	pf[0].key[0].proto = 6;
	pf[0].key[1] = pf[0].key[0];
	pf[0].ts_ns = 1000000000;
	pf[1] = pf[0];
	pf[1].direction = PF_IN;
	pf[1].reason = 200; /* out of range on purpose */
	inet_pton(AF_INET6, "2001:db8::1", &pf[1].key[0].addr[0]);
	inet_pton(AF_INET6, "2001:db8::2", &pf[1].key[0].addr[1]);
	pf[1].key[0].af = PF_INET6;
	pf[1].key[0].proto = 250;
	pf[1].key[1] = pf[1].key[0];
	pf[1].ts_ns = 2000000000;
	ip[0].ip_ver = 4;
	ip[0].ip_plength = 1400;
	ip[0].ifindex = 3;
	inet_pton(AF_INET, "192.0.2.1", &ip[0].saddr);
	inet_pton(AF_INET, "192.0.2.2", &ip[0].daddr);
	ip[0].ts_ns = 2500000000;
	ip[1].ip_ver = 6;
	ip[1].ipv6_nexthdr = 58;
	inet_pton(AF_INET6, "2001:db8::1", &ip[1].saddr);
	ip[1].ts_ns = 3000000000;
}

static const char *ifname(__u32 ifindex, void *arg)
{
	(void)arg;
	return ifindex == 3 ? "veth3" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_opts o = { .ifname = ifname, .wall_offset_ns = 1 };
	struct pf_event pf[2];
	struct pf_ip_event ip[2];
	struct dt_prog *p;
	char err[512], *src;
	int i, pr;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	o.out = o.err = devnull;
	src = malloc(size + 1);
	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = '\0';
	p = dt_compile(src, "fuzz.d", &o, err, sizeof(err));
	free(src);
	if (!p) {
		/* the message must always be the documented one */
		if (strncmp(err, "pftrace: failed to compile script fuzz.d: line ", 47))
			abort();
		return 0;
	}
	mk_events(pf, ip);
	dt_begin(p, 500000000);
	for (i = 0; i < 2; i++) {
		for (pr = DT_PROBE_PF_STATE_CREATE; pr <= DT_PROBE_PF_TCP_CLOSED; pr++)
			dt_fire_pf(p, pr, &pf[i]);
		dt_fire_ip(p, DT_PROBE_IP_SEND, &ip[i]);
		dt_fire_ip(p, DT_PROBE_IP_RECEIVE, &ip[i]);
		dt_tick(p, 500000000ULL + 1000000000ULL * (i + 1));
	}
	dt_end(p, 4000000000ULL);
	dt_free(p);
	return 0;
}
