// SPDX-License-Identifier: BSD-2-Clause
/*
 * dt-replay - run a D script over a recorded event stream:
 *
 *   dt-replay [-q] [-n] [-b] [-w RECORDS] SCRIPT EVENTS
 *
 * EVENTS is text (below) or, with -b, raw ring-buffer records (struct
 * pf_event / struct pf_ip_event back to back, told apart by their type
 * byte), as pftrace can record them.  -n only compiles the script.  The
 * output is what pftrace would print, so golden files pin the language.
 * -w also writes the text events as raw records (to test -b, or to feed
 * pftrace's own replay).
 *
 * Text events, one per line ('#' starts a comment):
 *   begin TS                       BEGIN fires at TS (default: first event)
 *   tick TS                        the clock reaches TS (tick-N probes)
 *   ifname INDEX NAME              name of an interface index
 *   TS state-create|state-change|tcp-established|tcp-closed|state-destroy key=value...
 *       (pf's probe names, lib/pf_names.h; the short "create" too)
 *       id= creator= dir=in|out proto=tcp|udp|icmp|icmp6|N
 *       src=ADDR[:PORT] dst=ADDR[:PORT]   (IPv6: [ADDR]:PORT; src opened it)
 *       state=S0,S1 old=S0,S1 (TCPS_ names without TCPS_, or numbers)
 *       reason=expired|killed|flushed|evicted|rst|fin pkts=A,B bytes=A,B
 *       rule= if= cpu= creation= expire= timeout=
 *   TS receive|send key=value...
 *       src=ADDR dst=ADDR if= plen= proto= ttl= len= ident= tos= flags=
 *       off= csum= ihl= tclass= flow= hlim= cpu=
 *   end TS                         END fires at TS (default: last event + 1)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dt/dt.h"
#include "lib/pf_names.h"

static char *ifnames[256];
static FILE *rec; /* -w: the parsed events, written as raw records */

static const char *ifname_cb(__u32 ifindex, void *arg)
{
	static char buf[32];

	(void)arg;
	if (ifindex < 256 && ifnames[ifindex])
		return ifnames[ifindex];
	snprintf(buf, sizeof(buf), "if%u", ifindex);
	return buf;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 > cap)
			buf = realloc(buf, cap = cap * 2 + 8192);
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static int tcps(const char *s)
{
	int i;

	for (i = 0; i < TCP_NSTATES; i++)
		if (!strcasecmp(s, pf_tcps_dtrace_name(i)))
			return i;
	return atoi(s);
}

/* "1.2.3.4:80", "[2001:db8::1]:80", "2001:db8::1" -> af, addr, port (network order) */
static int parse_hostport(const char *s, struct pf_addr *a, __be16 *port, int *af)
{
	char buf[128], *c;

	snprintf(buf, sizeof(buf), "%s", s);
	*port = 0;
	memset(a, 0, sizeof(*a));
	if (buf[0] == '[') {
		c = strchr(buf, ']');
		if (!c)
			return -1;
		*c = '\0';
		if (c[1] == ':')
			*port = htons((unsigned short)atoi(c + 2));
		*af = PF_INET6;
		return inet_pton(AF_INET6, buf + 1, a) == 1 ? 0 : -1;
	}
	if (strchr(buf, ':') && strchr(buf, ':') != strrchr(buf, ':')) {
		*af = PF_INET6;
		return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
	}
	c = strchr(buf, ':');
	if (c) {
		*c = '\0';
		*port = htons((unsigned short)atoi(c + 1));
	}
	*af = PF_INET;
	return inet_pton(AF_INET, buf, &a->v4) == 1 ? 0 : -1;
}

static int proto_num(const char *s)
{
	if (!strcmp(s, "tcp")) return 6;
	if (!strcmp(s, "udp")) return 17;
	if (!strcmp(s, "icmp")) return 1;
	if (!strcmp(s, "icmp6")) return 58;
	return atoi(s);
}

static int pair(const char *v, unsigned long long out[2], int names)
{
	const char *c = strchr(v, ',');
	char a[64];

	if (!c)
		return -1;
	snprintf(a, sizeof(a), "%.*s", (int)(c - v), v);
	out[0] = names ? (unsigned long long)tcps(a) : strtoull(a, NULL, 0);
	out[1] = names ? (unsigned long long)tcps(c + 1) : strtoull(c + 1, NULL, 0);
	return 0;
}

static int parse_pf(char *kv, struct pf_event *ev, int lineno)
{
	struct pf_addr src = {}, dst = {};
	__be16 sport = 0, dport = 0;
	int af = PF_INET, i, proto = 6;
	char *tok, *save = NULL;
	unsigned long long pr[2];

	ev->direction = PF_OUT;
	for (tok = strtok_r(kv, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *v = strchr(tok, '=');

		if (!v)
			goto bad;
		*v++ = '\0';
		if (!strcmp(tok, "id")) ev->state.id = strtoull(v, NULL, 0);
		else if (!strcmp(tok, "creator")) ev->creatorid = strtoul(v, NULL, 0);
		else if (!strcmp(tok, "dir")) ev->direction = !strcmp(v, "in") ? PF_IN : PF_OUT;
		else if (!strcmp(tok, "proto")) proto = proto_num(v);
		else if (!strcmp(tok, "src")) { if (parse_hostport(v, &src, &sport, &af)) goto bad; }
		else if (!strcmp(tok, "dst")) { if (parse_hostport(v, &dst, &dport, &af)) goto bad; }
		else if (!strcmp(tok, "state")) {
			if (pair(v, pr, 1)) goto bad;
			ev->state.pstate[0] = pr[0]; ev->state.pstate[1] = pr[1];
		} else if (!strcmp(tok, "old")) {
			if (pair(v, pr, 1)) goto bad;
			ev->old_pstate[0] = pr[0]; ev->old_pstate[1] = pr[1];
		} else if (!strcmp(tok, "pkts")) {
			if (pair(v, pr, 0)) goto bad;
			ev->state.packets[0] = pr[0]; ev->state.packets[1] = pr[1];
		} else if (!strcmp(tok, "bytes")) {
			if (pair(v, pr, 0)) goto bad;
			ev->state.bytes[0] = pr[0]; ev->state.bytes[1] = pr[1];
		} else if (!strcmp(tok, "reason")) {
			i = pf_destroy_reason_lookup(v);
			ev->reason = i >= 0 ? i : atoi(v);
		}
		else if (!strcmp(tok, "rule")) ev->state.rule = strtoul(v, NULL, 0);
		else if (!strcmp(tok, "if")) ev->state.ifindex = strtoul(v, NULL, 0);
		else if (!strcmp(tok, "cpu")) ev->cpu = strtoul(v, NULL, 0);
		else if (!strcmp(tok, "creation")) ev->state.creation = strtoul(v, NULL, 0);
		else if (!strcmp(tok, "expire")) ev->state.expire = strtoul(v, NULL, 0);
		else if (!strcmp(tok, "timeout")) ev->state.timeout = strtoul(v, NULL, 0);
		else goto bad;
	}
	if (ev->direction == PF_OUT)
		ev->state.flags |= PFSTATE_F_OUT;
	/* pf's key: a packet's source goes to slot 0 inbound, slot 1 outbound */
	i = ev->direction == PF_IN ? 0 : 1;
	ev->key[0].addr[i] = src;
	ev->key[0].port[i] = sport;
	ev->key[0].addr[!i] = dst;
	ev->key[0].port[!i] = dport;
	ev->key[0].af = af;
	ev->key[0].proto = proto;
	ev->key[1] = ev->key[0];
	return 0;
bad:
	fprintf(stderr, "dt-replay: line %d: bad pf event field `%s`\n", lineno, tok);
	return -1;
}

static int parse_ip(char *kv, struct pf_ip_event *ev, int lineno)
{
	char *tok, *save = NULL;
	__be16 port;
	int af = PF_INET;

	for (tok = strtok_r(kv, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *v = strchr(tok, '=');
		unsigned long x;

		if (!v)
			goto bad;
		*v++ = '\0';
		x = strtoul(v, NULL, 0);
		if (!strcmp(tok, "src")) { if (parse_hostport(v, &ev->saddr, &port, &af)) goto bad; }
		else if (!strcmp(tok, "dst")) { if (parse_hostport(v, &ev->daddr, &port, &af)) goto bad; }
		else if (!strcmp(tok, "if")) ev->ifindex = x;
		else if (!strcmp(tok, "plen")) ev->ip_plength = x;
		else if (!strcmp(tok, "proto")) { ev->ipv4_protocol = proto_num(v); ev->ipv6_nexthdr = proto_num(v); }
		else if (!strcmp(tok, "ttl")) ev->ipv4_ttl = x;
		else if (!strcmp(tok, "len")) ev->ipv4_length = x;
		else if (!strcmp(tok, "ident")) ev->ipv4_ident = x;
		else if (!strcmp(tok, "tos")) ev->ipv4_tos = x;
		else if (!strcmp(tok, "flags")) ev->ipv4_flags = x;
		else if (!strcmp(tok, "off")) ev->ipv4_offset = x;
		else if (!strcmp(tok, "csum")) ev->ipv4_checksum = x;
		else if (!strcmp(tok, "ihl")) ev->ipv4_ihl = x;
		else if (!strcmp(tok, "tclass")) ev->ipv6_tclass = x;
		else if (!strcmp(tok, "flow")) ev->ipv6_flow = x;
		else if (!strcmp(tok, "hlim")) ev->ipv6_hlim = x;
		else if (!strcmp(tok, "cpu")) ev->cpu = x;
		else goto bad;
	}
	ev->ip_ver = af == PF_INET6 ? 6 : 4;
	if (ev->ip_ver == 4) {
		ev->ipv6_nexthdr = 0;
		if (!ev->ipv4_ihl)
			ev->ipv4_ihl = 5;
		if (!ev->ipv4_length)
			ev->ipv4_length = ev->ip_plength + 20;
	} else {
		ev->ipv4_protocol = 0;
		if (!ev->ipv6_plen)
			ev->ipv6_plen = ev->ip_plength;
	}
	return 0;
bad:
	fprintf(stderr, "dt-replay: line %d: bad ip event field `%s`\n", lineno, tok);
	return -1;
}

static int replay_text(struct dt_prog *p, char *text)
{
	unsigned long long ts = 0, begin = 0, end = 0;
	int lineno = 0, have_begin = 0, have_end = 0, first = 1;
	char *line, *save = NULL;

	/* a first pass finds "begin" so BEGIN fires before the first event */
	for (line = text; (line = strstr(line, "begin ")); line++) {
		if (line == text || line[-1] == '\n') {
			begin = strtoull(line + 6, NULL, 0);
			have_begin = 1;
			break;
		}
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char word[32] = "", *rest;
		int n = 0;

		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (!strncmp(line, "begin ", 6))
			continue;
		if (!strncmp(line, "ifname ", 7)) {
			unsigned idx;
			char nm[32];

			if (sscanf(line + 7, "%u %31s", &idx, nm) != 2 || idx >= 256) {
				fprintf(stderr, "dt-replay: line %d: bad ifname line\n", lineno);
				return -1;
			}
			free(ifnames[idx]);
			ifnames[idx] = strdup(nm);
			continue;
		}
		if (!strncmp(line, "end ", 4)) {
			end = strtoull(line + 4, NULL, 0);
			have_end = 1;
			continue;
		}
		if (!strncmp(line, "tick ", 5)) {
			ts = strtoull(line + 5, NULL, 0);
			if (first) {
				dt_begin(p, have_begin ? begin : ts);
				first = 0;
			}
			if (dt_tick(p, ts))
				break;
			continue;
		}
		if (sscanf(line, "%llu %31s %n", &ts, word, &n) < 2) {
			fprintf(stderr, "dt-replay: line %d: expected `TS EVENT key=value...`\n", lineno);
			return -1;
		}
		rest = line + n;
		if (first) {
			dt_begin(p, have_begin ? begin : ts);
			first = 0;
		}
		if (p && dt_tick_interval_ns(p))
			dt_tick(p, ts);
		if (!strcmp(word, "receive") || !strcmp(word, "send")) {
			struct pf_ip_event ev = {};

			ev.type = word[0] == 'r' ? PF_EV_IP_RECEIVE : PF_EV_IP_SEND;
			ev.ts_ns = ts;
			if (parse_ip(rest, &ev, lineno))
				return -1;
			if (rec)
				fwrite(&ev, sizeof(ev), 1, rec);
			if (dt_fire_ip(p, dt_probe_of_event(ev.type), &ev))
				break;
		} else {
			struct pf_event ev = {};
			int k = pf_event_lookup(word);

			if (k < PF_EV_STATE_CREATE || k > PF_EV_STATE_DESTROY) {
				fprintf(stderr, "dt-replay: line %d: unknown event `%s`\n", lineno, word);
				return -1;
			}
			ev.type = k;
			ev.ts_ns = ts;
			if (parse_pf(rest, &ev, lineno))
				return -1;
			if (rec)
				fwrite(&ev, sizeof(ev), 1, rec);
			if (dt_fire_pf(p, dt_probe_of_event(ev.type), &ev))
				break;
		}
	}
	if (first)
		dt_begin(p, have_begin ? begin : 0);
	dt_end(p, have_end ? end : ts + 1);
	return 0;
}

static int replay_bin(struct dt_prog *p, const unsigned char *b, size_t len)
{
	size_t off = 0;
	unsigned long long ts = 0;
	int first = 1;

	while (off < len) {
		unsigned type = b[off];
		enum dt_probe pr = dt_probe_of_event(type);
		union {
			struct pf_event pf;
			struct pf_ip_event ip;
		} ev;
		size_t sz;
		bool ip;

		if (pr == DT_PROBE_MAX) {
			fprintf(stderr, "dt-replay: offset %zu: unknown event type %u\n", off, type);
			return -1;
		}
		/* The record's size follows from its type: packet events are
		 * struct pf_ip_event, state events struct pf_event. */
		ip = type >= PF_EV_IP_RECEIVE;
		sz = ip ? sizeof(ev.ip) : sizeof(ev.pf);
		if (off + sz > len)
			break;
		memcpy(&ev, b + off, sz);
		off += sz;
		ts = ip ? ev.ip.ts_ns : ev.pf.ts_ns;
		if (first)
			dt_begin(p, ts), first = 0;
		if (ip ? dt_fire_ip(p, pr, &ev.ip) : dt_fire_pf(p, pr, &ev.pf))
			break;
		dt_tick(p, ts);
	}
	if (first)
		dt_begin(p, 0);
	dt_end(p, ts + 1);
	return 0;
}

int main(int argc, char **argv)
{
	struct dt_opts o = { .ifname = ifname_cb, .wall_offset_ns = 1700000000000000000LL };
	int quiet = 0, only = 0, bin = 0, i = 1, rc, status = 0;
	char err[512], *src, *events;
	struct dt_prog *p;
	size_t len;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-q"))
			quiet = 1;
		else if (!strcmp(argv[i], "-n"))
			only = 1;
		else if (!strcmp(argv[i], "-b"))
			bin = 1;
		else if (!strcmp(argv[i], "-w") && i + 1 < argc) {
			rec = fopen(argv[++i], "wb");
			if (!rec) {
				fprintf(stderr, "dt-replay: %s: %s\n", argv[i], strerror(errno));
				return 1;
			}
		}
		else
			break;
	}
	if (argc - i != (only ? 1 : 2)) {
		fprintf(stderr, "usage: dt-replay [-q] [-b] [-w RECORDS] SCRIPT EVENTS | dt-replay -n SCRIPT\n");
		return 2;
	}
	src = slurp(argv[i], NULL);
	if (!src) {
		fprintf(stderr, "pftrace: failed to open %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	o.quiet = quiet;
	p = dt_compile(src, argv[i], &o, err, sizeof(err));
	free(src);
	if (!p) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (only) {
		dt_free(p);
		return 0;
	}
	events = slurp(argv[i + 1], &len);
	if (!events) {
		fprintf(stderr, "dt-replay: %s: %s\n", argv[i + 1], strerror(errno));
		dt_free(p);
		return 1;
	}
	rc = bin ? replay_bin(p, (unsigned char *)events, len) : replay_text(p, events);
	free(events);
	if (rec)
		fclose(rec);
	dt_exited(p, &status);
	dt_free(p);
	for (i = 0; i < 256; i++)
		free(ifnames[i]);
	return rc ? 1 : status;
}
