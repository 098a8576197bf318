// SPDX-License-Identifier: BSD-2-Clause
/*
 * fmt.c - one line per event: the text stream reads like `conntrack -E`
 * (tag, protocol, originator -> responder, then what changed), the JSON
 * stream has one object per event with stable keys so tools can rely on
 * them (new keys may be added, existing ones never change meaning).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/pf_names.h"
#include "lib/pf_xflat.h"
#include "trace/trace.h"

const char *trace_proto_name(unsigned int proto)
{
	return pf_proto_name((int)proto);
}

/* Filters take names in any case ("TCP"); the shared table is lower case. */
int trace_proto_number(const char *name)
{
	char lc[32];
	size_t i;
	int nr;

	for (i = 0; name[i] && i < sizeof(lc) - 1; i++)
		lc[i] = (char)tolower((unsigned char)name[i]);
	if (name[i])
		return -EINVAL;
	lc[i] = '\0';
	nr = pf_proto_lookup(lc);
	return nr < 0 ? -EINVAL : nr;
}

/*
 * TCP peer states by their DTrace constant names (TCPS_SYN_RECEIVED, not
 * BSD's tcpstates[] "SYN_RCVD"), so the stream and D scripts agree.
 */
const char *trace_pstate_name(unsigned int proto, unsigned int st)
{
	const char *n = proto == IPPROTO_TCP ? pf_tcps_dtrace_name((int)st)
					     : pf_other_state_name((int)st);

	return n ? n : "UNKNOWN";
}

const char *trace_event_name(unsigned int type)
{
	switch (type) {
	case PF_EV_STATE_CREATE: return "create";
	case PF_EV_STATE_CHANGE: return "change";
	case PF_EV_TCP_ESTABLISHED: return "established";
	case PF_EV_TCP_CLOSED: return "closed";
	case PF_EV_STATE_DESTROY: return "destroy";
	case PF_EV_SYNCOOKIES: return "syncookies";
	case PF_EV_IP_RECEIVE: return "receive";
	case PF_EV_IP_SEND: return "send";
	}
	return NULL;
}

static const char *event_tag(unsigned int type)
{
	switch (type) {
	case PF_EV_STATE_CREATE: return "[NEW]";
	case PF_EV_STATE_CHANGE: return "[UPDATE]";
	case PF_EV_TCP_ESTABLISHED: return "[ESTABLISHED]";
	case PF_EV_TCP_CLOSED: return "[CLOSED]";
	case PF_EV_STATE_DESTROY: return "[DESTROY]";
	case PF_EV_SYNCOOKIES: return "[SYNCOOKIES]";
	case PF_EV_IP_RECEIVE: return "[RECEIVE]";
	case PF_EV_IP_SEND: return "[SEND]";
	}
	return "[UNKNOWN]";
}

const char *trace_reason_name(unsigned int reason)
{
	static const char *const names[] = PF_DESTROY_REASON_NAMES;

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "unknown";
}

const char *trace_addr_str(const struct pf_addr *a, unsigned int af, char *buf, size_t len)
{
	if (!inet_ntop(af == PF_INET6 ? AF_INET6 : AF_INET, a, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

void trace_key_endpoints(const struct pf_state_key *k, unsigned int dir,
			 const struct pf_addr **src, __u16 *sport,
			 const struct pf_addr **dst, __u16 *dport)
{
	int s = dir == PF_OUT ? 1 : 0;

	*src = &k->addr[s];
	*dst = &k->addr[!s];
	*sport = ntohs(k->port[s]);
	*dport = ntohs(k->port[!s]);
}

/* Protocols whose key ports mean something (ICMP: the query id, as pfctl -ss). */
static bool has_ports(unsigned int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* A bounded appender: keeps the total length like snprintf does. */
struct sbuf {
	char *buf;
	size_t len;
	int n;
};

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t off = sb->n < 0 ? 0 : (size_t)sb->n;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(off < sb->len ? sb->buf + off : NULL, off < sb->len ? sb->len - off : 0,
		      fmt, ap);
	va_end(ap);
	if (r > 0)
		sb->n += r;
}

/* The project's endpoint spelling (pfbpf_fmt_endpoint): a.b.c.d:port, [v6]:port. */
static void sb_endpoint(struct sbuf *sb, const struct pf_addr *a, __u16 port, unsigned int af,
			unsigned int proto)
{
	char s[INET6_ADDRSTRLEN];

	trace_addr_str(a, af, s, sizeof(s));
	if (!has_ports(proto))
		sb_printf(sb, "%s", s);
	else if (af == PF_INET6)
		sb_printf(sb, "[%s]:%u", s, port);
	else
		sb_printf(sb, "%s:%u", s, port);
}

static void sb_proto(struct sbuf *sb, unsigned int proto)
{
	const char *p = trace_proto_name(proto);

	if (p)
		sb_printf(sb, "%s", p);
	else
		sb_printf(sb, "proto-%u", proto);
}

static void sb_key(struct sbuf *sb, const struct pf_state_key *k, unsigned int dir)
{
	const struct pf_addr *src, *dst;
	__u16 sport, dport;

	trace_key_endpoints(k, dir, &src, &sport, &dst, &dport);
	sb_endpoint(sb, src, sport, k->af, k->proto);
	sb_printf(sb, " -> ");
	sb_endpoint(sb, dst, dport, k->af, k->proto);
}

static bool keys_differ(const struct pf_event *ev)
{
	return memcmp(&ev->key[PF_SK_WIRE], &ev->key[PF_SK_STACK], sizeof(ev->key[0])) != 0;
}

static void sb_pstates(struct sbuf *sb, unsigned int proto, const __u8 st[2])
{
	sb_printf(sb, "%s:%s", trace_pstate_name(proto, st[0]), trace_pstate_name(proto, st[1]));
}

/* Set by trace_set_rule_origins(); NULL: rules are named by position. */
static const struct pf_xflat_origins *rule_origins;

void trace_set_rule_origins(const struct pf_xflat_origins *x)
{
	rule_origins = x;
}

static void sb_json_str(struct sbuf *sb, const char *s);

/* As pfctl_bpf -ss -v: the number in the rule's own ruleset, and which
 * ruleset when it is an anchor rather than the main one. */
static void sb_rule(struct sbuf *sb, const struct pf_state *s, bool json)
{
	const char *anchor;
	__u32 nr;

	pf_xflat_rule(rule_origins, s, &nr, &anchor);
	if (json) {
		if (nr == PF_RULE_NONE) {
			sb_printf(sb, ",\"rule\":null");
			return;
		}
		sb_printf(sb, ",\"rule\":%u", nr);
		if (anchor[0]) {
			sb_printf(sb, ",\"anchor\":");
			sb_json_str(sb, anchor);
		}
		return;
	}
	if (nr == PF_RULE_NONE) {
		sb_printf(sb, " rule none");
		return;
	}
	sb_printf(sb, " rule %u", nr);
	if (anchor[0])
		sb_printf(sb, " anchor %s", anchor);
}

int trace_fmt_pf_text(const struct pf_event *ev, char *buf, size_t len)
{
	struct sbuf sb = { buf, len, 0 };
	const struct pf_state_key *k = &ev->key[PF_SK_WIRE];
	const struct pf_state *s = &ev->state;
	unsigned int dir = ev->direction;

	if (len)
		buf[0] = '\0';
	/* the adaptive syncookie mode switched: no state, no key */
	if (ev->type == PF_EV_SYNCOOKIES) {
		sb_printf(&sb, "%s %s", event_tag(ev->type),
			  ev->reason ? "on (synflood detected)" : "off");
		return sb.n;
	}
	sb_printf(&sb, "%s ", event_tag(ev->type));
	sb_proto(&sb, k->proto);
	sb_printf(&sb, " ");
	sb_key(&sb, k, dir);
	if (keys_differ(ev)) {
		/* NAT: pfctl -ss shows the other key in parentheses. */
		sb_printf(&sb, " (");
		sb_key(&sb, &ev->key[PF_SK_STACK], dir);
		sb_printf(&sb, ")");
	}
	sb_printf(&sb, " %s id %016llx", dir == PF_OUT ? "out" : "in", (unsigned long long)s->id);

	switch (ev->type) {
	case PF_EV_STATE_CREATE:
		sb_printf(&sb, " ");
		sb_pstates(&sb, k->proto, s->pstate);
		sb_rule(&sb, s, false);
		break;
	case PF_EV_STATE_CHANGE:
		sb_printf(&sb, " ");
		sb_pstates(&sb, k->proto, ev->old_pstate);
		sb_printf(&sb, " -> ");
		sb_pstates(&sb, k->proto, s->pstate);
		break;
	case PF_EV_TCP_ESTABLISHED:
	case PF_EV_TCP_CLOSED:
		sb_printf(&sb, " ");
		sb_pstates(&sb, k->proto, s->pstate);
		break;
	case PF_EV_STATE_DESTROY:
		sb_printf(&sb, " ");
		sb_pstates(&sb, k->proto, s->pstate);
		sb_printf(&sb, " reason %s pkts %u:%u bytes %llu:%llu", trace_reason_name(ev->reason),
			  s->packets[0], s->packets[1], (unsigned long long)s->bytes[0],
			  (unsigned long long)s->bytes[1]);
		break;
	}
	return sb.n;
}

static void sb_json_key(struct sbuf *sb, const struct pf_state_key *k, unsigned int dir)
{
	const struct pf_addr *src, *dst;
	__u16 sport, dport;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	trace_key_endpoints(k, dir, &src, &sport, &dst, &dport);
	sb_printf(sb, "\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u",
		  trace_addr_str(src, k->af, a, sizeof(a)), sport,
		  trace_addr_str(dst, k->af, b, sizeof(b)), dport);
}

static void sb_json_proto(struct sbuf *sb, unsigned int proto)
{
	const char *p = trace_proto_name(proto);

	if (p)
		sb_printf(sb, "\"proto\":\"%s\"", p);
	else
		sb_printf(sb, "\"proto\":\"%u\"", proto);
}

int trace_fmt_pf_json(const struct pf_event *ev, char *buf, size_t len)
{
	struct sbuf sb = { buf, len, 0 };
	const struct pf_state_key *k = &ev->key[PF_SK_WIRE];
	const struct pf_state *s = &ev->state;
	const char *name = trace_event_name(ev->type);

	if (len)
		buf[0] = '\0';
	if (ev->type == PF_EV_SYNCOOKIES) {
		sb_printf(&sb, "{\"type\":\"syncookies\",\"ts_ns\":%llu,\"cpu\":%u,\"active\":%s}",
			  (unsigned long long)ev->ts_ns, ev->cpu, ev->reason ? "true" : "false");
		return sb.n;
	}
	if (name)
		sb_printf(&sb, "{\"type\":\"%s\"", name);
	else
		sb_printf(&sb, "{\"type\":\"unknown-%u\"", ev->type);
	sb_printf(&sb, ",\"ts_ns\":%llu,\"cpu\":%u,\"id\":\"%016llx\",\"creatorid\":\"%08x\"",
		  (unsigned long long)ev->ts_ns, ev->cpu, (unsigned long long)s->id, ev->creatorid);
	sb_printf(&sb, ",\"af\":\"%s\",", k->af == PF_INET6 ? "inet6" : "inet");
	sb_json_proto(&sb, k->proto);
	sb_printf(&sb, ",");
	sb_json_key(&sb, k, ev->direction);
	if (keys_differ(ev)) {
		sb_printf(&sb, ",\"stack\":{");
		sb_json_key(&sb, &ev->key[PF_SK_STACK], ev->direction);
		sb_printf(&sb, "}");
	}
	sb_printf(&sb, ",\"direction\":\"%s\",\"ifindex\":%u", ev->direction == PF_OUT ? "out" : "in",
		  s->ifindex);
	sb_rule(&sb, s, true);
	sb_printf(&sb, ",\"src_state\":\"%s\",\"dst_state\":\"%s\"",
		  trace_pstate_name(k->proto, s->pstate[0]), trace_pstate_name(k->proto, s->pstate[1]));
	if (ev->type == PF_EV_STATE_CHANGE)
		sb_printf(&sb, ",\"old_src_state\":\"%s\",\"old_dst_state\":\"%s\"",
			  trace_pstate_name(k->proto, ev->old_pstate[0]),
			  trace_pstate_name(k->proto, ev->old_pstate[1]));
	if (ev->type == PF_EV_STATE_DESTROY)
		sb_printf(&sb, ",\"reason\":\"%s\"", trace_reason_name(ev->reason));
	sb_printf(&sb, ",\"packets\":[%u,%u],\"bytes\":[%llu,%llu]}", s->packets[0], s->packets[1],
		  (unsigned long long)s->bytes[0], (unsigned long long)s->bytes[1]);
	return sb.n;
}

static const char *ifname_of(trace_ifname_fn fn, unsigned int ifindex, char *buf, size_t len)
{
	const char *n = fn ? fn(ifindex, buf, len) : if_indextoname(ifindex, buf);

	if (!n) {
		snprintf(buf, len, "if%u", ifindex);
		n = buf;
	}
	return n;
}

/* What both packet formats take from the event's IP header alike. */
struct ip_view {
	unsigned int proto;
	const char *src, *dst;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
};

static void ip_view_of(const struct pf_ip_event *ev, struct ip_view *v)
{
	unsigned int af = ev->ip_ver == 6 ? PF_INET6 : PF_INET;

	v->proto = ev->ip_ver == 6 ? ev->ipv6_nexthdr : ev->ipv4_protocol;
	v->src = trace_addr_str(&ev->saddr, af, v->a, sizeof(v->a));
	v->dst = trace_addr_str(&ev->daddr, af, v->b, sizeof(v->b));
}

int trace_fmt_ip_text(const struct pf_ip_event *ev, trace_ifname_fn ifname, char *buf,
		      size_t len)
{
	struct sbuf sb = { buf, len, 0 };
	struct ip_view v;
	char ifn[IF_NAMESIZE + 8];

	ip_view_of(ev, &v);
	if (len)
		buf[0] = '\0';
	sb_printf(&sb, "%s ", event_tag(ev->type));
	sb_proto(&sb, v.proto);
	sb_printf(&sb, " %s -> %s len %u %s %u on %s %s", v.src, v.dst, ev->ip_plength,
		  ev->ip_ver == 6 ? "hlim" : "ttl", ev->ip_ver == 6 ? ev->ipv6_hlim : ev->ipv4_ttl,
		  ifname_of(ifname, ev->ifindex, ifn, sizeof(ifn)),
		  ev->verdict == PF_DROP ? "block" : "pass");
	return sb.n;
}

/* Interface names are kernel-checked, but escape anyway: JSON must stay valid. */
static void sb_json_str(struct sbuf *sb, const char *s)
{
	sb_printf(sb, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else if (c < 0x20)
			sb_printf(sb, "\\u%04x", c);
		else
			sb_printf(sb, "%c", c);
	}
	sb_printf(sb, "\"");
}

int trace_fmt_ip_json(const struct pf_ip_event *ev, trace_ifname_fn ifname, char *buf,
		      size_t len)
{
	struct sbuf sb = { buf, len, 0 };
	struct ip_view v;
	char ifn[IF_NAMESIZE + 8];

	ip_view_of(ev, &v);
	if (len)
		buf[0] = '\0';
	sb_printf(&sb, "{\"type\":\"%s\",\"ts_ns\":%llu,\"cpu\":%u,\"ip_ver\":%u,",
		  ev->type == PF_EV_IP_SEND ? "send" : "receive", (unsigned long long)ev->ts_ns,
		  ev->cpu, ev->ip_ver);
	sb_json_proto(&sb, v.proto);
	sb_printf(&sb, ",\"src\":\"%s\",\"dst\":\"%s\",\"plength\":%u,\"ifindex\":%u,\"ifname\":",
		  v.src, v.dst, ev->ip_plength, ev->ifindex);
	sb_json_str(&sb, ifname_of(ifname, ev->ifindex, ifn, sizeof(ifn)));
	if (ev->ip_ver == 6)
		sb_printf(&sb, ",\"tclass\":%u,\"flow\":%u,\"hlim\":%u,\"plen\":%u", ev->ipv6_tclass,
			  ev->ipv6_flow, ev->ipv6_hlim, ev->ipv6_plen);
	else
		sb_printf(&sb,
			  ",\"ihl\":%u,\"tos\":%u,\"length\":%u,\"ident\":%u,\"flags\":%u,"
			  "\"offset\":%u,\"ttl\":%u,\"checksum\":%u",
			  ev->ipv4_ihl, ev->ipv4_tos, ev->ipv4_length, ev->ipv4_ident,
			  ev->ipv4_flags, ev->ipv4_offset, ev->ipv4_ttl, ev->ipv4_checksum);
	sb_printf(&sb, ",\"verdict\":\"%s\",\"hook\":\"%s\"}",
		  ev->verdict == PF_DROP ? "block" : "pass", ev->hook ? "tc" : "xdp");
	return sb.n;
}

int trace_fmt_time(__u64 ts_ns, long long wall_offset_ns, char *buf, size_t len)
{
	long long t = (long long)ts_ns + wall_offset_ns;

	if (t < 0)
		t = 0;
	return snprintf(buf, len, "[%lld.%06lld]", t / 1000000000, t % 1000000000 / 1000);
}

int trace_fmt_drops_text(unsigned int cpu, __u64 state, __u64 ip, char *buf, size_t len)
{
	/* DTrace's wording; state and packet events share the one ring buffer. */
	return snprintf(buf, len, "%llu drop%s on CPU %u", (unsigned long long)(state + ip),
			state + ip == 1 ? "" : "s", cpu);
}

int trace_fmt_drops_json(unsigned int cpu, __u64 state, __u64 ip, char *buf, size_t len)
{
	return snprintf(buf, len, "{\"type\":\"drops\",\"cpu\":%u,\"count\":%llu,\"state\":%llu,\"ip\":%llu}",
			cpu, (unsigned long long)(state + ip), (unsigned long long)state,
			(unsigned long long)ip);
}
