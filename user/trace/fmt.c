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

#include "lib/json_out.h"
#include "lib/pf_names.h"
#include "lib/pf_xflat.h"
#include "trace/trace.h"

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

static const char *event_tag(unsigned int type)
{
	switch (type) {
	case PF_EV_STATE_CREATE: return "[NEW]";
	case PF_EV_STATE_CHANGE: return "[UPDATE]";
	case PF_EV_TCP_ESTABLISHED: return "[ESTABLISHED]";
	case PF_EV_TCP_CLOSED: return "[CLOSED]";
	case PF_EV_STATE_DESTROY: return "[DESTROY]";
	case PF_EV_SYNCOOKIES: return "[SYNCOOKIES]";
	case PF_EV_STATES_EVICTED: return "[EVICTED]";
	case PF_EV_IP_RECEIVE: return "[RECEIVE]";
	case PF_EV_IP_SEND: return "[SEND]";
	}
	return "[UNKNOWN]";
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
	const char *p = pf_proto_name((int)proto);

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

/* As pfctl_bpf -ss -v: the number in the rule's own ruleset, and which
 * ruleset when it is an anchor rather than the main one. */
static void sb_rule(struct sbuf *sb, const struct pf_state *s)
{
	const char *anchor;
	__u32 nr;

	pf_xflat_rule(rule_origins, s, &nr, &anchor);
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
	/* the LRU dropped states the kernel cannot name: a count, no key */
	if (ev->type == PF_EV_STATES_EVICTED) {
		sb_printf(&sb, "%s %llu states evicted by the LRU (%llu in all): re-list the states",
			  event_tag(ev->type), (unsigned long long)pf_event_evicted(ev),
			  (unsigned long long)pf_event_evicted_total(ev));
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
		sb_rule(&sb, s);
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
		sb_printf(&sb, " reason %s pkts %u:%u bytes %llu:%llu", pf_destroy_reason_name(ev->reason),
			  s->packets[0], s->packets[1], (unsigned long long)s->bytes[0],
			  (unsigned long long)s->bytes[1]);
		break;
	}
	return sb.n;
}

/* The same rule as sb_rule, as "rule" (null: none) and "anchor". */
static void jw_rule(struct jw *w, const struct pf_state *s)
{
	const char *anchor;
	__u32 nr;

	pf_xflat_rule(rule_origins, s, &nr, &anchor);
	if (nr == PF_RULE_NONE) {
		jw_null(w, "rule");
		return;
	}
	jw_u64(w, "rule", nr);
	if (anchor[0])
		jw_str(w, "anchor", anchor);
}

static void jw_key(struct jw *w, const struct pf_state_key *k, unsigned int dir)
{
	const struct pf_addr *src, *dst;
	__u16 sport, dport;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	trace_key_endpoints(k, dir, &src, &sport, &dst, &dport);
	jw_str(w, "src", trace_addr_str(src, k->af, a, sizeof(a)));
	jw_u64(w, "sport", sport);
	jw_str(w, "dst", trace_addr_str(dst, k->af, b, sizeof(b)));
	jw_u64(w, "dport", dport);
}

/* An unnamed protocol is its number, still as a string: the key keeps one type. */
static void jw_proto(struct jw *w, unsigned int proto)
{
	char nbuf[16];

	jw_str(w, "proto", pf_proto_str((int)proto, nbuf, sizeof(nbuf)));
}

static void jw_hex(struct jw *w, const char *key, const char *fmt, unsigned long long v)
{
	char h[24];

	snprintf(h, sizeof(h), fmt, v);
	jw_str(w, key, h);
}

static void jw_pair_u64(struct jw *w, const char *key, unsigned long long a, unsigned long long b)
{
	jw_arr_begin(w, key);
	jw_u64(w, NULL, a);
	jw_u64(w, NULL, b);
	jw_arr_end(w);
}

int trace_fmt_pf_json(const struct pf_event *ev, char *buf, size_t len)
{
	const struct pf_state_key *k = &ev->key[PF_SK_WIRE];
	const struct pf_state *s = &ev->state;
	const char *name = pf_event_name(ev->type);
	char tbuf[24];
	struct jw w;

	jw_init_buf(&w, buf, len);
	jw_obj_begin(&w, NULL);
	if (ev->type == PF_EV_SYNCOOKIES) {
		/* the adaptive syncookie mode switched: no state, no key */
		jw_str(&w, "type", name);
		jw_u64(&w, "ts_ns", ev->ts_ns);
		jw_u64(&w, "cpu", ev->cpu);
		jw_bool(&w, "active", ev->reason != 0);
		jw_obj_end(&w);
		return jw_close(&w);
	}
	if (ev->type == PF_EV_STATES_EVICTED) {
		jw_str(&w, "type", name);
		jw_u64(&w, "ts_ns", ev->ts_ns);
		jw_u64(&w, "cpu", ev->cpu);
		jw_str(&w, "reason", pf_destroy_reason_name(ev->reason));
		jw_u64(&w, "evicted", pf_event_evicted(ev));
		jw_u64(&w, "evicted_total", pf_event_evicted_total(ev));
		jw_obj_end(&w);
		return jw_close(&w);
	}
	if (!name) {
		snprintf(tbuf, sizeof(tbuf), "unknown-%u", ev->type);
		name = tbuf;
	}
	jw_str(&w, "type", name);
	jw_u64(&w, "ts_ns", ev->ts_ns);
	jw_u64(&w, "cpu", ev->cpu);
	jw_hex(&w, "id", "%016llx", s->id);
	jw_hex(&w, "creatorid", "%08llx", ev->creatorid);
	jw_str(&w, "af", k->af == PF_INET6 ? "inet6" : "inet");
	jw_proto(&w, k->proto);
	jw_key(&w, k, ev->direction);
	if (keys_differ(ev)) {
		jw_obj_begin(&w, "stack");
		jw_key(&w, &ev->key[PF_SK_STACK], ev->direction);
		jw_obj_end(&w);
	}
	jw_str(&w, "direction", ev->direction == PF_OUT ? "out" : "in");
	jw_u64(&w, "ifindex", s->ifindex);
	jw_rule(&w, s);
	jw_str(&w, "src_state", trace_pstate_name(k->proto, s->pstate[0]));
	jw_str(&w, "dst_state", trace_pstate_name(k->proto, s->pstate[1]));
	if (ev->type == PF_EV_STATE_CHANGE) {
		jw_str(&w, "old_src_state", trace_pstate_name(k->proto, ev->old_pstate[0]));
		jw_str(&w, "old_dst_state", trace_pstate_name(k->proto, ev->old_pstate[1]));
	}
	if (ev->type == PF_EV_STATE_DESTROY)
		jw_str(&w, "reason", pf_destroy_reason_name(ev->reason));
	jw_pair_u64(&w, "packets", s->packets[0], s->packets[1]);
	jw_pair_u64(&w, "bytes", s->bytes[0], s->bytes[1]);
	return jw_close(&w);
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

int trace_fmt_ip_json(const struct pf_ip_event *ev, trace_ifname_fn ifname, char *buf,
		      size_t len)
{
	struct ip_view v;
	char ifn[IF_NAMESIZE + 8];
	struct jw w;

	ip_view_of(ev, &v);
	jw_init_buf(&w, buf, len);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "type", pf_event_name(ev->type == PF_EV_IP_SEND ? PF_EV_IP_SEND : PF_EV_IP_RECEIVE));
	jw_u64(&w, "ts_ns", ev->ts_ns);
	jw_u64(&w, "cpu", ev->cpu);
	jw_u64(&w, "ip_ver", ev->ip_ver);
	jw_proto(&w, v.proto);
	jw_str(&w, "src", v.src);
	jw_str(&w, "dst", v.dst);
	jw_u64(&w, "plength", ev->ip_plength);
	jw_u64(&w, "ifindex", ev->ifindex);
	/* Interface names are kernel-checked, but the writer escapes anyway. */
	jw_str(&w, "ifname", ifname_of(ifname, ev->ifindex, ifn, sizeof(ifn)));
	if (ev->ip_ver == 6) {
		jw_u64(&w, "tclass", ev->ipv6_tclass);
		jw_u64(&w, "flow", ev->ipv6_flow);
		jw_u64(&w, "hlim", ev->ipv6_hlim);
		jw_u64(&w, "plen", ev->ipv6_plen);
	} else {
		jw_u64(&w, "ihl", ev->ipv4_ihl);
		jw_u64(&w, "tos", ev->ipv4_tos);
		jw_u64(&w, "length", ev->ipv4_length);
		jw_u64(&w, "ident", ev->ipv4_ident);
		jw_u64(&w, "flags", ev->ipv4_flags);
		jw_u64(&w, "offset", ev->ipv4_offset);
		jw_u64(&w, "ttl", ev->ipv4_ttl);
		jw_u64(&w, "checksum", ev->ipv4_checksum);
	}
	jw_str(&w, "verdict", ev->verdict == PF_DROP ? "block" : "pass");
	jw_str(&w, "hook", ev->hook ? "tc" : "xdp");
	return jw_close(&w);
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
	struct jw w;

	jw_init_buf(&w, buf, len);
	jw_obj_begin(&w, NULL);
	jw_str(&w, "type", "drops");
	jw_u64(&w, "cpu", cpu);
	jw_u64(&w, "count", state + ip);
	jw_u64(&w, "state", state);
	jw_u64(&w, "ip", ip);
	return jw_close(&w);
}
