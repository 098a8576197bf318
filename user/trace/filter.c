// SPDX-License-Identifier: BSD-2-Clause
/*
 * filter.c - `-p key=value,...`: the common questions ("what happens to
 * port 22 on this host") without writing D.  Keys combine with AND; a key
 * given more than once matches any of its values.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/pf_names.h"
#include "trace/trace.h"

#define KEYS "proto, af, host, src, dst, port, sport, dport, event, id, rule, dir, reason, if"

__attribute__((format(printf, 3, 4))) static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_net(const char *v, struct trace_net *n)
{
	char tmp[INET6_ADDRSTRLEN + 8], *slash, *end;
	int maxlen;
	long plen;

	if (strlen(v) >= sizeof(tmp))
		return -EINVAL;
	strcpy(tmp, v);
	slash = strchr(tmp, '/');
	if (slash)
		*slash++ = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, tmp, &n->addr.v4) == 1) {
		n->af = PF_INET;
		maxlen = 32;
	} else if (inet_pton(AF_INET6, tmp, n->addr.v6) == 1) {
		n->af = PF_INET6;
		maxlen = 128;
	} else {
		return -EINVAL;
	}
	n->plen = maxlen;
	if (slash) {
		errno = 0;
		plen = strtol(slash, &end, 10);
		if (!*slash || *end || errno || plen < 0 || plen > maxlen)
			return -EINVAL;
		n->plen = plen;
	}
	return 0;
}

static int parse_uint(const char *v, unsigned long max, int base, unsigned long long *out)
{
	char *end;

	if (!*v || *v == '-' || *v == '+')
		return -EINVAL;
	errno = 0;
	*out = strtoull(v, &end, base);
	if (*end || errno || *out > max)
		return -EINVAL;
	return 0;
}

/* The probe names, and the short ones ("create") older scripts pass. */
static int parse_event(const char *v)
{
	int t = pf_event_lookup(v);

	return t < 0 ? -EINVAL : t;
}

static int parse_reason(const char *v)
{
	int r = pf_destroy_reason_lookup(v);

	return r < 0 ? -EINVAL : r;
}

static int parse_one(struct trace_filter *f, const char *key, const char *v,
		     unsigned int (*ifname_to_index)(const char *), char *err, size_t errlen)
{
	unsigned long long u;
	int *n;
	int r;

	if (!strcmp(key, "proto")) {
		n = &f->nproto;
	} else if (!strcmp(key, "af")) {
		n = &f->naf;
	} else if (!strcmp(key, "host")) {
		n = &f->nhost;
	} else if (!strcmp(key, "src")) {
		n = &f->nsrc;
	} else if (!strcmp(key, "dst")) {
		n = &f->ndst;
	} else if (!strcmp(key, "port")) {
		n = &f->nport;
	} else if (!strcmp(key, "sport")) {
		n = &f->nsport;
	} else if (!strcmp(key, "dport")) {
		n = &f->ndport;
	} else if (!strcmp(key, "event")) {
		n = &f->nevent;
	} else if (!strcmp(key, "id")) {
		n = &f->nid;
	} else if (!strcmp(key, "rule")) {
		n = &f->nrule;
	} else if (!strcmp(key, "dir")) {
		n = &f->ndir;
	} else if (!strcmp(key, "reason")) {
		n = &f->nreason;
	} else if (!strcmp(key, "if")) {
		n = &f->nif;
	} else {
		return bad(err, errlen, "unknown filter key '%s' (keys: %s)", key, KEYS);
	}
	if (!*v)
		return bad(err, errlen, "filter key '%s' needs a value (%s=VALUE)", key, key);
	if (*n >= TRACE_FILTER_MAX) {
		snprintf(err, errlen, "too many values for filter key '%s' (at most %d)", key,
			 TRACE_FILTER_MAX);
		return -EINVAL;
	}

	if (n == &f->nproto) {
		if (!parse_uint(v, 255, 10, &u))
			r = u;
		else
			r = trace_proto_number(v);
		if (r < 0)
			return bad(err, errlen, "unknown protocol '%s' in %s=", v, key);
		f->proto[f->nproto++] = r;
	} else if (n == &f->naf) {
		if (!strcasecmp(v, "inet") || !strcmp(v, "4") || !strcasecmp(v, "ipv4"))
			f->af[f->naf++] = PF_INET;
		else if (!strcasecmp(v, "inet6") || !strcmp(v, "6") || !strcasecmp(v, "ipv6"))
			f->af[f->naf++] = PF_INET6;
		else
			return bad(err, errlen, "unknown address family '%s' in %s= (inet or inet6)", v,
				   key);
	} else if (n == &f->nhost || n == &f->nsrc || n == &f->ndst) {
		struct trace_net *arr = n == &f->nhost ? f->host : n == &f->nsrc ? f->src : f->dst;

		if (parse_net(v, &arr[*n]))
			return bad(err, errlen, "bad address '%s' in %s= (an IPv4 or IPv6 address, optionally /prefix)",
				   v, key);
		(*n)++;
	} else if (n == &f->nport || n == &f->nsport || n == &f->ndport) {
		__u16 *arr = n == &f->nport ? f->port : n == &f->nsport ? f->sport : f->dport;

		if (parse_uint(v, 65535, 10, &u))
			return bad(err, errlen, "bad port '%s' in %s= (0 to 65535)", v, key);
		arr[(*n)++] = u;
	} else if (n == &f->nevent) {
		r = parse_event(v);
		if (r < 0)
			return bad(err, errlen,
				   "unknown event '%s' in %s= (%s)",
				   v, key, pf_event_names_list());
		f->event[f->nevent++] = r;
	} else if (n == &f->nid) {
		/* The id as pfctl -ss -vv and the stream print it: hex. */
		if (parse_uint(v, ULLONG_MAX, 16, &u))
			return bad(err, errlen, "bad state id '%s' in %s= (hexadecimal)", v, key);
		f->id[f->nid++] = u;
	} else if (n == &f->nrule) {
		if (!strcmp(v, "none"))
			u = PF_RULE_NONE;
		else if (parse_uint(v, PF_MAX_RULES - 1, 10, &u))
			return bad(err, errlen, "bad rule number '%s' in %s= (a number or none)", v, key);
		f->rule[f->nrule++] = u;
	} else if (n == &f->ndir) {
		if (!strcmp(v, "in"))
			f->dir[f->ndir++] = PF_IN;
		else if (!strcmp(v, "out"))
			f->dir[f->ndir++] = PF_OUT;
		else
			return bad(err, errlen, "bad direction '%s' in %s= (in or out)", v, key);
	} else if (n == &f->nreason) {
		r = parse_reason(v);
		if (r < 0)
			return bad(err, errlen,
				   "unknown reason '%s' in %s= (expired, killed, flushed, evicted, rst, fin)",
				   v, key);
		f->reason[f->nreason++] = r;
	} else {
		unsigned int idx = ifname_to_index ? ifname_to_index(v) : if_nametoindex(v);

		if (!idx)
			return bad(err, errlen, "no such interface '%s' in %s=", v, key);
		f->ifindex[f->nif++] = idx;
	}
	return 0;
}

int trace_filter_parse(struct trace_filter *f, const char *arg,
		       unsigned int (*ifname_to_index)(const char *), char *err, size_t errlen)
{
	char *copy, *item, *save = NULL;
	int r = 0, items = 0;

	copy = strdup(arg);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		items++;
		if (!eq) {
			r = bad(err, errlen, "filter '%s' is not KEY=VALUE (keys: %s)", item, KEYS);
			break;
		}
		*eq = '\0';
		r = parse_one(f, item, eq + 1, ifname_to_index, err, errlen);
		if (r)
			break;
	}
	if (!r && !items)
		r = bad(err, errlen, "empty filter%s (expected KEY=VALUE[,KEY=VALUE...], keys: %s)", "",
			KEYS);
	free(copy);
	return r;
}

static bool net_match(const struct trace_net *n, unsigned int af, const struct pf_addr *a)
{
	unsigned int bits = n->plen;

	if (n->af != af)
		return false;
	for (int i = 0; i < 16 && bits; i++) {
		__u8 mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));

		if ((a->addr8[i] ^ n->addr.addr8[i]) & mask)
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

static bool any_net(const struct trace_net *arr, int n, unsigned int af, const struct pf_addr *a)
{
	for (int i = 0; i < n; i++)
		if (net_match(&arr[i], af, a))
			return true;
	return false;
}

#define ANY_EQ(arr, n, val)                                 \
	({                                                  \
		bool _m = false;                            \
		for (int _i = 0; _i < (n) && !_m; _i++)    \
			_m = (arr)[_i] == (val);            \
		_m;                                         \
	})

bool trace_filter_wants_state(const struct trace_filter *f)
{
	if (!f->nevent)
		return true;
	for (int i = 0; i < f->nevent; i++)
		if (f->event[i] < PF_EV_IP_RECEIVE)
			return true;
	return false;
}

unsigned int trace_filter_ip_bits(const struct trace_filter *f)
{
	unsigned int bits = 0;

	for (int i = 0; i < f->nevent; i++) {
		if (f->event[i] == PF_EV_IP_RECEIVE)
			bits |= PF_TRACE_IP_RECEIVE;
		else if (f->event[i] == PF_EV_IP_SEND)
			bits |= PF_TRACE_IP_SEND;
	}
	return bits;
}

/* Does either key (wire or stack: NAT) of the state have this endpoint? */
static bool key_match(const struct trace_filter *f, const struct pf_state_key *k, unsigned int dir)
{
	const struct pf_addr *src, *dst;
	__u16 sport, dport;

	trace_key_endpoints(k, dir, &src, &sport, &dst, &dport);
	if (f->nhost && !any_net(f->host, f->nhost, k->af, src) &&
	    !any_net(f->host, f->nhost, k->af, dst))
		return false;
	if (f->nsrc && !any_net(f->src, f->nsrc, k->af, src))
		return false;
	if (f->ndst && !any_net(f->dst, f->ndst, k->af, dst))
		return false;
	if (f->nport && !ANY_EQ(f->port, f->nport, sport) && !ANY_EQ(f->port, f->nport, dport))
		return false;
	if (f->nsport && !ANY_EQ(f->sport, f->nsport, sport))
		return false;
	if (f->ndport && !ANY_EQ(f->dport, f->ndport, dport))
		return false;
	return true;
}

bool trace_filter_match_pf(const struct trace_filter *f, const struct pf_event *ev)
{
	const struct pf_state_key *k = &ev->key[PF_SK_WIRE];

	if (f->nevent && !ANY_EQ(f->event, f->nevent, ev->type))
		return false;
	/*
	 * An eviction summary names no state, so no key filter can say it is
	 * not about the flows asked for: it goes through unless the events or
	 * the reasons asked for leave it out (it is a destroy, reason evicted).
	 */
	if (ev->type == PF_EV_STATES_EVICTED)
		return !f->nreason || ANY_EQ(f->reason, f->nreason, ev->reason);
	if (f->nproto && !ANY_EQ(f->proto, f->nproto, k->proto))
		return false;
	if (f->naf && !ANY_EQ(f->af, f->naf, k->af))
		return false;
	if (f->nid && !ANY_EQ(f->id, f->nid, ev->state.id))
		return false;
	if (f->nrule && !ANY_EQ(f->rule, f->nrule, ev->state.rule))
		return false;
	if (f->ndir && !ANY_EQ(f->dir, f->ndir, ev->direction))
		return false;
	if (f->nif && !ANY_EQ(f->ifindex, f->nif, ev->state.ifindex))
		return false;
	/* A reason filter only lets destroy events (the only ones with a reason) through. */
	if (f->nreason && (ev->type != PF_EV_STATE_DESTROY ||
			   !ANY_EQ(f->reason, f->nreason, ev->reason)))
		return false;
	return key_match(f, k, ev->direction) ||
	       key_match(f, &ev->key[PF_SK_STACK], ev->direction);
}

/*
 * Packet events have no state: id, rule and reason filters never match
 * them; ports are not in the event, so a port filter excludes them too.
 */
bool trace_filter_match_ip(const struct trace_filter *f, const struct pf_ip_event *ev)
{
	unsigned int af = ev->ip_ver == 6 ? PF_INET6 : PF_INET;
	unsigned int proto = ev->ip_ver == 6 ? ev->ipv6_nexthdr : ev->ipv4_protocol;
	unsigned int dir = ev->type == PF_EV_IP_SEND ? PF_OUT : PF_IN;

	if (f->nevent && !ANY_EQ(f->event, f->nevent, ev->type))
		return false;
	if (f->nproto && !ANY_EQ(f->proto, f->nproto, proto))
		return false;
	if (f->naf && !ANY_EQ(f->af, f->naf, af))
		return false;
	if (f->nid || f->nrule || f->nreason || f->nport || f->nsport || f->ndport)
		return false;
	if (f->ndir && !ANY_EQ(f->dir, f->ndir, dir))
		return false;
	if (f->nif && !ANY_EQ(f->ifindex, f->nif, ev->ifindex))
		return false;
	if (f->nhost && !any_net(f->host, f->nhost, af, &ev->saddr) &&
	    !any_net(f->host, f->nhost, af, &ev->daddr))
		return false;
	if (f->nsrc && !any_net(f->src, f->nsrc, af, &ev->saddr))
		return false;
	if (f->ndst && !any_net(f->dst, f->ndst, af, &ev->daddr))
		return false;
	return true;
}
