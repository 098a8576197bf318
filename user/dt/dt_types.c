// SPDX-License-Identifier: BSD-2-Clause
/*
 * dt_types.c - the D types the pf and ip probes expose, and how each member
 * is read from the ring-buffer event it stands for.
 *
 * pf probes: args[0] is a `struct pf_state *` shaped like FreeBSD's kernel
 * state (src/dst peers, key[PF_SK_WIRE/PF_SK_STACK] pointers to keys whose
 * addr[i].pfa.v4.s_addr / .pfa.v6 are the addresses), plus the readable
 * members the pf provider's example scripts print: src_ip, dst_ip (strings) and direction
 * (an integer that prints "->" / "<-" with %s).  Its bytes are the whole
 * struct pf_event, so a struct copy (`s = *args[0]`) keeps the keys too.
 *
 * ip probes: the six arguments of the ip provider; all point into one
 * struct pf_ip_event.  ipv4info_t is NULL for IPv6 and ipv6info_t NULL for
 * IPv4, so a script that reads the wrong one gets a runtime error.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include "dt/dt_impl.h"
#include "lib/pf_names.h"

#define INT_T(n, nm, sz, sg) const struct dt_type n = { TK_INT, nm, sz, sg, 0, NULL, 0, NULL, NULL, 0 }
INT_T(dt_t_int, "int", 4, 1);
INT_T(dt_t_uint, "uint_t", 4, 0);
INT_T(dt_t_u8, "uint8_t", 1, 0);
INT_T(dt_t_u16, "uint16_t", 2, 0);
INT_T(dt_t_u32, "uint32_t", 4, 0);
INT_T(dt_t_u64, "uint64_t", 8, 0);
INT_T(dt_t_i8, "int8_t", 1, 1);
INT_T(dt_t_i16, "int16_t", 2, 1);
INT_T(dt_t_i64, "int64_t", 8, 1);
INT_T(dt_t_ipaddr, "ipaddr_t", 4, 0);
static INT_T(t_uintptr, "uintptr_t", 8, 0);
static INT_T(t_pid, "pid_t", 4, 1);
const struct dt_type dt_t_dir = { TK_INT, "uint8_t", 1, 0, HINT_DIR, NULL, 0, NULL, NULL, 0 };
const struct dt_type dt_t_void = { TK_VOID, "void", 0, 0, 0, NULL, 0, NULL, NULL, 0 };
const struct dt_type dt_t_string = { TK_STR, "string", 0, 0, 0, NULL, 0, NULL, NULL, 0 };
const struct dt_type dt_t_void_ptr = { TK_PTR, "void *", 8, 0, 0, &dt_t_void, 0, NULL, NULL, 0 };
const struct dt_type dt_t_ipaddr_ptr = { TK_PTR, "ipaddr_t *", 8, 0, 0, &dt_t_ipaddr, 0, NULL, NULL, 0 };

static const char *rangeerr(struct dt_prog *p, int64_t idx, const char *what, int n)
{
	snprintf(p->rerr, sizeof(p->rerr), "index %lld is out of range for %s[%d]",
		 (long long)idx, what, n);
	return p->rerr;
}

static void set_int(struct dt_value *out, const struct dt_type *t, int64_t v, const void *addr)
{
	memset(out, 0, sizeof(*out));
	out->t = t;
	out->i = v;
	out->r.base = addr;
}

static void set_str(struct dt_prog *p, struct dt_value *out, const char *s)
{
	memset(out, 0, sizeof(*out));
	out->t = &dt_t_string;
	out->s = dt_scratch_str(p, s);
}

static void set_ref(struct dt_value *out, const struct dt_type *t, const void *base, int aux)
{
	memset(out, 0, sizeof(*out));
	out->t = t;
	out->r.base = base;
	out->r.aux = aux;
}

const char *dt_addr_str(int af, const void *a, char *buf, size_t len)
{
	if (!inet_ntop(af == PF_INET6 ? AF_INET6 : AF_INET, a, buf, len))
		snprintf(buf, len, "<unknown>");
	return buf;
}

/* ---- struct in_addr / in6_addr / pf_addr ---- */

enum { M_S_ADDR, M_S6_ADDR, M_PFA, M_V4, M_V6, M_ADDR8, M_ADDR16, M_ADDR32 };

static const struct dt_type t_u8x16 = { TK_ARRAY, "uint8_t [16]", 16, 0, 0, &dt_t_u8, 16, NULL, NULL, 0 };
static const struct dt_type t_u16x8 = { TK_ARRAY, "uint16_t [8]", 16, 0, 0, &dt_t_u16, 8, NULL, NULL, 0 };
static const struct dt_type t_u32x4 = { TK_ARRAY, "uint32_t [4]", 16, 0, 0, &dt_t_u32, 4, NULL, NULL, 0 };

static const char *get_addr(struct dt_prog *p, const struct dt_ref *o, int mid, int64_t idx,
			    struct dt_value *out);

static const struct dt_member m_in_addr[] = { { "s_addr", &dt_t_ipaddr, M_S_ADDR }, { NULL, NULL, 0 } };
static const struct dt_type t_in_addr = { TK_STRUCT, "struct in_addr", 4, 0, 0, NULL, 0,
					  m_in_addr, get_addr, 16 };
static const struct dt_member m_in6_addr[] = { { "s6_addr", &t_u8x16, M_S6_ADDR }, { NULL, NULL, 0 } };
const struct dt_type dt_t_in6_addr = { TK_STRUCT, "in6_addr_t", 16, 0, 0, NULL, 0,
				       m_in6_addr, get_addr, 16 };
const struct dt_type dt_t_in6_addr_ptr = { TK_PTR, "in6_addr_t *", 8, 0, 0, &dt_t_in6_addr, 0,
					   NULL, NULL, 0 };

#define ADDR_UNION_MEMBERS                                                   \
	{ "v4", &t_in_addr, M_V4 }, { "v6", &dt_t_in6_addr, M_V6 },          \
	{ "addr8", &t_u8x16, M_ADDR8 }, { "addr16", &t_u16x8, M_ADDR16 },    \
	{ "addr32", &t_u32x4, M_ADDR32 }
static const struct dt_member m_pfa[] = { ADDR_UNION_MEMBERS, { NULL, NULL, 0 } };
static const struct dt_type t_pfa = { TK_STRUCT, "union pf_addr_u", 16, 0, 0, NULL, 0, m_pfa,
				      get_addr, 16 };
/* FreeBSD's pf_addr hides pfa behind v4/v6 macros; D sees no macros, so both spellings work. */
static const struct dt_member m_pf_addr[] = { { "pfa", &t_pfa, M_PFA }, ADDR_UNION_MEMBERS,
					      { NULL, NULL, 0 } };
static const struct dt_type t_pf_addr = { TK_STRUCT, "struct pf_addr", 16, 0, 0, NULL, 0,
					  m_pf_addr, get_addr, 16 };

static const char *get_addr(struct dt_prog *p, const struct dt_ref *o, int mid, int64_t idx,
			    struct dt_value *out)
{
	const unsigned char *b = o->base;
	__u16 v16;
	__u32 v32;

	switch (mid) {
	case M_S_ADDR:
		memcpy(&v32, b, 4);
		set_int(out, &dt_t_ipaddr, v32, b);
		return NULL;
	case M_PFA:
		set_ref(out, &t_pfa, b, 0);
		return NULL;
	case M_V4:
		set_ref(out, &t_in_addr, b, 0);
		return NULL;
	case M_V6:
		set_ref(out, &dt_t_in6_addr, b, 0);
		return NULL;
	case M_S6_ADDR:
	case M_ADDR8:
		if (idx < 0 || idx >= 16)
			return rangeerr(p, idx, mid == M_ADDR8 ? "addr8" : "s6_addr", 16);
		set_int(out, &dt_t_u8, b[idx], b + idx);
		return NULL;
	case M_ADDR16:
		if (idx < 0 || idx >= 8)
			return rangeerr(p, idx, "addr16", 8);
		memcpy(&v16, b + 2 * idx, 2);
		set_int(out, &dt_t_u16, v16, b + 2 * idx);
		return NULL;
	case M_ADDR32:
		if (idx < 0 || idx >= 4)
			return rangeerr(p, idx, "addr32", 4);
		memcpy(&v32, b + 4 * idx, 4);
		set_int(out, &dt_t_u32, v32, b + 4 * idx);
		return NULL;
	}
	return "bad member";
}

/* ---- struct pf_state_key ---- */

enum { M_K_ADDR, M_K_PORT, M_K_AF, M_K_PROTO };
static const char *get_key(struct dt_prog *p, const struct dt_ref *o, int mid, int64_t idx,
			   struct dt_value *out);
static const struct dt_type t_addrx2 = { TK_ARRAY, "struct pf_addr [2]", 32, 0, 0, &t_pf_addr, 2,
					 NULL, NULL, 0 };
static const struct dt_type t_portx2 = { TK_ARRAY, "uint16_t [2]", 4, 0, 0, &dt_t_u16, 2, NULL,
					 NULL, 0 };
static const struct dt_member m_key[] = {
	{ "addr", &t_addrx2, M_K_ADDR }, { "port", &t_portx2, M_K_PORT },
	{ "af", &dt_t_u8, M_K_AF }, { "proto", &dt_t_u8, M_K_PROTO }, { NULL, NULL, 0 },
};
static const struct dt_type t_key = { TK_STRUCT, "struct pf_state_key", 40, 0, 0, NULL, 0, m_key,
				      get_key, sizeof(struct pf_state_key) };
static const struct dt_type t_key_ptr = { TK_PTR, "struct pf_state_key *", 8, 0, 0, &t_key, 0,
					  NULL, NULL, 0 };

static const char *get_key(struct dt_prog *p, const struct dt_ref *o, int mid, int64_t idx,
			   struct dt_value *out)
{
	const struct pf_state_key *k = o->base;

	switch (mid) {
	case M_K_ADDR:
		if (idx < 0 || idx > 1)
			return rangeerr(p, idx, "addr", 2);
		set_ref(out, &t_pf_addr, &k->addr[idx], 0);
		return NULL;
	case M_K_PORT:
		if (idx < 0 || idx > 1)
			return rangeerr(p, idx, "port", 2);
		/* network byte order, as pf keeps it: ntohs() reads it */
		set_int(out, &dt_t_u16, k->port[idx], &k->port[idx]);
		return NULL;
	case M_K_AF:
		set_int(out, &dt_t_u8, k->af, &k->af);
		return NULL;
	case M_K_PROTO:
		set_int(out, &dt_t_u8, k->proto, &k->proto);
		return NULL;
	}
	return "bad member";
}

/* ---- struct pf_state_peer (src = peer 0, the side that created the state) ---- */

enum { M_P_STATE, M_P_OLD_STATE, M_P_SEQLO, M_P_SEQHI, M_P_MAX_WIN, M_P_WSCALE, M_P_MSS };
static const char *get_peer(struct dt_prog *p, const struct dt_ref *o, int mid, int64_t idx,
			    struct dt_value *out)
{
	const struct pf_event *ev = o->base;
	int i = o->aux;

	switch (mid) {
	case M_P_STATE: set_int(out, &dt_t_u8, ev->state.pstate[i], &ev->state.pstate[i]); break;
	case M_P_OLD_STATE: set_int(out, &dt_t_u8, ev->old_pstate[i], &ev->old_pstate[i]); break;
	case M_P_SEQLO: set_int(out, &dt_t_u32, ev->state.seqlo[i], &ev->state.seqlo[i]); break;
	case M_P_SEQHI: set_int(out, &dt_t_u32, ev->state.seqhi[i], &ev->state.seqhi[i]); break;
	case M_P_MAX_WIN: set_int(out, &dt_t_u16, ev->state.max_win[i], &ev->state.max_win[i]); break;
	case M_P_WSCALE: set_int(out, &dt_t_u8, ev->state.wscale[i], &ev->state.wscale[i]); break;
	case M_P_MSS: set_int(out, &dt_t_u16, ev->state.mss[i], &ev->state.mss[i]); break;
	default: return "bad member";
	}
	return NULL;
}
static const struct dt_member m_peer[] = {
	{ "state", &dt_t_u8, M_P_STATE }, { "old_state", &dt_t_u8, M_P_OLD_STATE },
	{ "seqlo", &dt_t_u32, M_P_SEQLO }, { "seqhi", &dt_t_u32, M_P_SEQHI },
	{ "max_win", &dt_t_u16, M_P_MAX_WIN }, { "wscale", &dt_t_u8, M_P_WSCALE },
	{ "mss", &dt_t_u16, M_P_MSS }, { NULL, NULL, 0 },
};
static const struct dt_type t_peer = { TK_STRUCT, "struct pf_state_peer", 0, 0, 0, NULL, 0,
				       m_peer, get_peer, sizeof(struct pf_event) };

/* ---- struct pf_state ---- */

enum {
	M_S_ID, M_S_CREATORID, M_S_DIRECTION, M_S_SRC, M_S_DST, M_S_KEY, M_S_PACKETS,
	M_S_BYTES, M_S_CREATION, M_S_EXPIRE, M_S_TIMEOUT, M_S_RULE, M_S_IFINDEX, M_S_IFNAME,
	M_S_REASON, M_S_REASONSTR, M_S_SRC_IP, M_S_DST_IP, M_S_SRC_PORT, M_S_DST_PORT,
	M_S_AF, M_S_PROTO, M_S_PROTOSTR, M_S_FLAGS, M_S_CPU,
};
static const struct dt_type t_keyx2 = { TK_ARRAY, "struct pf_state_key *[2]", 16, 0, 0, &t_key_ptr,
					2, NULL, NULL, 0 };
static const struct dt_type t_u32x2 = { TK_ARRAY, "uint32_t [2]", 8, 0, 0, &dt_t_u32, 2, NULL, NULL, 0 };
static const struct dt_type t_u64x2 = { TK_ARRAY, "uint64_t [2]", 16, 0, 0, &dt_t_u64, 2, NULL, NULL, 0 };
static const char *get_state(struct dt_prog *p, const struct dt_ref *o, int mid, int64_t idx,
			     struct dt_value *out);
static const struct dt_member m_state[] = {
	{ "id", &dt_t_u64, M_S_ID }, { "creatorid", &dt_t_u32, M_S_CREATORID },
	{ "direction", &dt_t_dir, M_S_DIRECTION }, { "src", &t_peer, M_S_SRC },
	{ "dst", &t_peer, M_S_DST }, { "key", &t_keyx2, M_S_KEY },
	{ "packets", &t_u32x2, M_S_PACKETS }, { "bytes", &t_u64x2, M_S_BYTES },
	{ "creation", &dt_t_u32, M_S_CREATION }, { "expire", &dt_t_u32, M_S_EXPIRE },
	{ "timeout", &dt_t_u8, M_S_TIMEOUT }, { "rule", &dt_t_u32, M_S_RULE },
	{ "ifindex", &dt_t_u32, M_S_IFINDEX }, { "ifname", &dt_t_string, M_S_IFNAME },
	{ "reason", &dt_t_u8, M_S_REASON }, { "reason_str", &dt_t_string, M_S_REASONSTR },
	{ "src_ip", &dt_t_string, M_S_SRC_IP }, { "dst_ip", &dt_t_string, M_S_DST_IP },
	{ "src_port", &dt_t_u16, M_S_SRC_PORT }, { "dst_port", &dt_t_u16, M_S_DST_PORT },
	{ "af", &dt_t_u8, M_S_AF }, { "proto", &dt_t_u8, M_S_PROTO },
	{ "proto_str", &dt_t_string, M_S_PROTOSTR }, { "state_flags", &dt_t_u8, M_S_FLAGS },
	{ "cpu", &dt_t_u32, M_S_CPU }, { NULL, NULL, 0 },
};
static const struct dt_type t_state = { TK_STRUCT, "struct pf_state", 0, 0, 0, NULL, 0, m_state,
					get_state, sizeof(struct pf_event) };
const struct dt_type dt_t_state_ptr = { TK_PTR, "struct pf_state *", 8, 0, 0, &t_state, 0, NULL,
					NULL, 0 };

static const char *ifname_of(struct dt_prog *p, __u32 ifindex, char *buf)
{
	const char *s = NULL;

	if (p->o.ifname)
		s = p->o.ifname(ifindex, p->o.arg);
	else if (ifindex)
		s = if_indextoname(ifindex, buf);
	if (!s) {
		snprintf(buf, IF_NAMESIZE + 8, "if%u", ifindex);
		s = buf;
	}
	return s;
}

static const char *get_state(struct dt_prog *p, const struct dt_ref *o, int mid, int64_t idx,
			     struct dt_value *out)
{
	const struct pf_event *ev = o->base;
	const struct pf_state *s = &ev->state;
	/*
	 * The stack key's slot 1 holds this host's side for both directions
	 * (pf puts a packet's source in slot 0 going in, slot 1 going out), so
	 * "addr[1] direction addr[0]" reads like `pfctl -ss`.
	 */
	const struct pf_state_key *k = &ev->key[PF_SK_STACK];
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];

	switch (mid) {
	case M_S_ID: set_int(out, &dt_t_u64, (int64_t)s->id, &s->id); break;
	case M_S_CREATORID: set_int(out, &dt_t_u32, ev->creatorid, &ev->creatorid); break;
	case M_S_DIRECTION: set_int(out, &dt_t_dir, ev->direction, &ev->direction); break;
	case M_S_SRC: set_ref(out, &t_peer, ev, 0); break;
	case M_S_DST: set_ref(out, &t_peer, ev, 1); break;
	case M_S_KEY:
		if (idx < 0 || idx > 1)
			return rangeerr(p, idx, "key", 2);
		set_ref(out, &t_key_ptr, &ev->key[idx], 0);
		break;
	case M_S_PACKETS:
		if (idx < 0 || idx > 1)
			return rangeerr(p, idx, "packets", 2);
		set_int(out, &dt_t_u32, s->packets[idx], &s->packets[idx]);
		break;
	case M_S_BYTES:
		if (idx < 0 || idx > 1)
			return rangeerr(p, idx, "bytes", 2);
		set_int(out, &dt_t_u64, (int64_t)s->bytes[idx], &s->bytes[idx]);
		break;
	case M_S_CREATION: set_int(out, &dt_t_u32, s->creation, &s->creation); break;
	case M_S_EXPIRE: set_int(out, &dt_t_u32, s->expire, &s->expire); break;
	case M_S_TIMEOUT: set_int(out, &dt_t_u8, s->timeout, &s->timeout); break;
	case M_S_RULE: set_int(out, &dt_t_u32, s->rule, &s->rule); break;
	case M_S_IFINDEX: set_int(out, &dt_t_u32, s->ifindex, &s->ifindex); break;
	case M_S_IFNAME: set_str(p, out, ifname_of(p, s->ifindex, buf)); break;
	case M_S_REASON: set_int(out, &dt_t_u8, ev->reason, &ev->reason); break;
	case M_S_REASONSTR:
		set_str(p, out, pf_destroy_reason_name(ev->reason));
		break;
	case M_S_SRC_IP: set_str(p, out, dt_addr_str(k->af, &k->addr[1], buf, sizeof(buf))); break;
	case M_S_DST_IP: set_str(p, out, dt_addr_str(k->af, &k->addr[0], buf, sizeof(buf))); break;
	case M_S_SRC_PORT: set_int(out, &dt_t_u16, ntohs(k->port[1]), NULL); break;
	case M_S_DST_PORT: set_int(out, &dt_t_u16, ntohs(k->port[0]), NULL); break;
	case M_S_AF: set_int(out, &dt_t_u8, k->af, &k->af); break;
	case M_S_PROTO: set_int(out, &dt_t_u8, k->proto, &k->proto); break;
	case M_S_PROTOSTR: set_str(p, out, pf_proto_str(k->proto, buf, sizeof(buf))); break;
	case M_S_FLAGS: set_int(out, &dt_t_u8, s->flags, &s->flags); break;
	case M_S_CPU: set_int(out, &dt_t_u32, ev->cpu, &ev->cpu); break;
	default: return "bad member";
	}
	return NULL;
}

/* ---- the ip provider ---- */

enum {
	M_PKT_ADDR, M_CS_ADDR, M_CS_CID, M_CS_PID,
	M_IP_VER, M_IP_PLENGTH, M_IP_SADDR, M_IP_DADDR,
	M_IF_NAME, M_IF_LOCAL, M_IF_ADDR,
	M_V4_VER, M_V4_IHL, M_V4_TOS, M_V4_LENGTH, M_V4_IDENT, M_V4_FLAGS, M_V4_OFFSET,
	M_V4_TTL, M_V4_PROTOCOL, M_V4_PROTOSTR, M_V4_CHECKSUM, M_V4_SRC, M_V4_DST,
	M_V4_SADDR, M_V4_DADDR,
	M_V6_VER, M_V6_TCLASS, M_V6_FLOW, M_V6_PLEN, M_V6_NEXTHDR, M_V6_NEXTSTR, M_V6_HLIM,
	M_V6_SRC, M_V6_DST, M_V6_SADDR, M_V6_DADDR,
};

static const char *get_ip(struct dt_prog *p, const struct dt_ref *o, int mid, int64_t idx,
			  struct dt_value *out)
{
	const struct pf_ip_event *e = o->base;
	int af = e->ip_ver == 6 ? PF_INET6 : PF_INET;
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];
	const char *nm;

	switch (mid) {
	case M_PKT_ADDR: case M_CS_ADDR: case M_CS_CID: case M_IF_ADDR:
		set_int(out, &t_uintptr, 0, NULL);
		break;
	case M_CS_PID: set_int(out, &t_pid, 0, NULL); break;
	case M_IP_VER: case M_V4_VER: case M_V6_VER:
		set_int(out, &dt_t_u8, e->ip_ver, &e->ip_ver);
		break;
	case M_IP_PLENGTH: set_int(out, &dt_t_u32, e->ip_plength, &e->ip_plength); break;
	case M_IP_SADDR: case M_V4_SADDR: case M_V6_SADDR:
		set_str(p, out, dt_addr_str(af, &e->saddr, buf, sizeof(buf)));
		break;
	case M_IP_DADDR: case M_V4_DADDR: case M_V6_DADDR:
		set_str(p, out, dt_addr_str(af, &e->daddr, buf, sizeof(buf)));
		break;
	case M_IF_NAME: set_str(p, out, ifname_of(p, e->ifindex, buf)); break;
	case M_IF_LOCAL:
		nm = ifname_of(p, e->ifindex, buf);
		set_int(out, &dt_t_i8, !strcmp(nm, "lo"), NULL);
		break;
	case M_V4_IHL: set_int(out, &dt_t_u8, e->ipv4_ihl, &e->ipv4_ihl); break;
	case M_V4_TOS: set_int(out, &dt_t_u8, e->ipv4_tos, &e->ipv4_tos); break;
	case M_V4_LENGTH: set_int(out, &dt_t_u16, e->ipv4_length, &e->ipv4_length); break;
	case M_V4_IDENT: set_int(out, &dt_t_u16, e->ipv4_ident, &e->ipv4_ident); break;
	case M_V4_FLAGS: set_int(out, &dt_t_u8, e->ipv4_flags, &e->ipv4_flags); break;
	case M_V4_OFFSET: set_int(out, &dt_t_u16, e->ipv4_offset, &e->ipv4_offset); break;
	case M_V4_TTL: set_int(out, &dt_t_u8, e->ipv4_ttl, &e->ipv4_ttl); break;
	case M_V4_PROTOCOL: set_int(out, &dt_t_u8, e->ipv4_protocol, &e->ipv4_protocol); break;
	case M_V4_PROTOSTR:
		set_str(p, out, pf_proto_str(e->ipv4_protocol, buf, sizeof(buf)));
		break;
	case M_V4_CHECKSUM: set_int(out, &dt_t_u16, e->ipv4_checksum, &e->ipv4_checksum); break;
	case M_V4_SRC: set_int(out, &dt_t_ipaddr, e->saddr.v4, &e->saddr.v4); break;
	case M_V4_DST: set_int(out, &dt_t_ipaddr, e->daddr.v4, &e->daddr.v4); break;
	case M_V6_TCLASS: set_int(out, &dt_t_u8, e->ipv6_tclass, &e->ipv6_tclass); break;
	case M_V6_FLOW: set_int(out, &dt_t_u32, e->ipv6_flow, &e->ipv6_flow); break;
	case M_V6_PLEN: set_int(out, &dt_t_u16, e->ipv6_plen, &e->ipv6_plen); break;
	case M_V6_NEXTHDR: set_int(out, &dt_t_u8, e->ipv6_nexthdr, &e->ipv6_nexthdr); break;
	case M_V6_NEXTSTR:
		set_str(p, out, pf_proto_str(e->ipv6_nexthdr, buf, sizeof(buf)));
		break;
	case M_V6_HLIM: set_int(out, &dt_t_u8, e->ipv6_hlim, &e->ipv6_hlim); break;
	case M_V6_SRC: set_ref(out, &dt_t_in6_addr_ptr, &e->saddr, 0); break;
	case M_V6_DST: set_ref(out, &dt_t_in6_addr_ptr, &e->daddr, 0); break;
	default: return "bad member";
	}
	return NULL;
}

#define IPT(var, nm, mem) \
	static const struct dt_type var = { TK_STRUCT, nm, 0, 0, 0, NULL, 0, mem, get_ip, sizeof(struct pf_ip_event) }
#define PTR(var, nm, to) \
	const struct dt_type var = { TK_PTR, nm, 8, 0, 0, &to, 0, NULL, NULL, 0 }

static const struct dt_member m_pkt[] = { { "pkt_addr", &t_uintptr, M_PKT_ADDR }, { NULL, NULL, 0 } };
static const struct dt_member m_cs[] = {
	{ "cs_addr", &t_uintptr, M_CS_ADDR }, { "cs_cid", &dt_t_u64, M_CS_CID },
	{ "cs_pid", &t_pid, M_CS_PID }, { NULL, NULL, 0 },
};
static const struct dt_member m_ipinfo[] = {
	{ "ip_ver", &dt_t_u8, M_IP_VER }, { "ip_plength", &dt_t_u32, M_IP_PLENGTH },
	{ "ip_saddr", &dt_t_string, M_IP_SADDR }, { "ip_daddr", &dt_t_string, M_IP_DADDR },
	{ NULL, NULL, 0 },
};
static const struct dt_member m_ifinfo[] = {
	{ "if_name", &dt_t_string, M_IF_NAME }, { "if_local", &dt_t_i8, M_IF_LOCAL },
	{ "if_addr", &t_uintptr, M_IF_ADDR }, { NULL, NULL, 0 },
};
static const struct dt_member m_v4[] = {
	{ "ipv4_ver", &dt_t_u8, M_V4_VER }, { "ipv4_ihl", &dt_t_u8, M_V4_IHL },
	{ "ipv4_tos", &dt_t_u8, M_V4_TOS }, { "ipv4_length", &dt_t_u16, M_V4_LENGTH },
	{ "ipv4_ident", &dt_t_u16, M_V4_IDENT }, { "ipv4_flags", &dt_t_u8, M_V4_FLAGS },
	{ "ipv4_offset", &dt_t_u16, M_V4_OFFSET }, { "ipv4_ttl", &dt_t_u8, M_V4_TTL },
	{ "ipv4_protocol", &dt_t_u8, M_V4_PROTOCOL },
	{ "ipv4_protostr", &dt_t_string, M_V4_PROTOSTR },
	{ "ipv4_checksum", &dt_t_u16, M_V4_CHECKSUM }, { "ipv4_src", &dt_t_ipaddr, M_V4_SRC },
	{ "ipv4_dst", &dt_t_ipaddr, M_V4_DST }, { "ipv4_saddr", &dt_t_string, M_V4_SADDR },
	{ "ipv4_daddr", &dt_t_string, M_V4_DADDR }, { NULL, NULL, 0 },
};
static const struct dt_member m_v6[] = {
	{ "ipv6_ver", &dt_t_u8, M_V6_VER }, { "ipv6_tclass", &dt_t_u8, M_V6_TCLASS },
	{ "ipv6_flow", &dt_t_u32, M_V6_FLOW }, { "ipv6_plen", &dt_t_u16, M_V6_PLEN },
	{ "ipv6_nexthdr", &dt_t_u8, M_V6_NEXTHDR }, { "ipv6_nextstr", &dt_t_string, M_V6_NEXTSTR },
	{ "ipv6_hlim", &dt_t_u8, M_V6_HLIM }, { "ipv6_src", &dt_t_in6_addr_ptr, M_V6_SRC },
	{ "ipv6_dst", &dt_t_in6_addr_ptr, M_V6_DST }, { "ipv6_saddr", &dt_t_string, M_V6_SADDR },
	{ "ipv6_daddr", &dt_t_string, M_V6_DADDR }, { NULL, NULL, 0 },
};
IPT(t_pktinfo, "pktinfo_t", m_pkt);
IPT(t_csinfo, "csinfo_t", m_cs);
IPT(t_ipinfo, "ipinfo_t", m_ipinfo);
IPT(t_ifinfo, "ifinfo_t", m_ifinfo);
IPT(t_ipv4info, "ipv4info_t", m_v4);
IPT(t_ipv6info, "ipv6info_t", m_v6);
PTR(dt_t_pktinfo_ptr, "pktinfo_t *", t_pktinfo);
PTR(dt_t_csinfo_ptr, "csinfo_t *", t_csinfo);
PTR(dt_t_ipinfo_ptr, "ipinfo_t *", t_ipinfo);
PTR(dt_t_ifinfo_ptr, "ifinfo_t *", t_ifinfo);
PTR(dt_t_ipv4info_ptr, "ipv4info_t *", t_ipv4info);
PTR(dt_t_ipv6info_ptr, "ipv6info_t *", t_ipv6info);

const struct dt_member *dt_member_find(const struct dt_type *t, const char *name)
{
	const struct dt_member *m;

	if (t->kind != TK_STRUCT)
		return NULL;
	for (m = t->members; m->name; m++)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

const struct dt_type *dt_arg_type(enum dt_probe probe, int i)
{
	static const struct dt_type *const ip[] = {
		&dt_t_pktinfo_ptr, &dt_t_csinfo_ptr, &dt_t_ipinfo_ptr, &dt_t_ifinfo_ptr,
		&dt_t_ipv4info_ptr, &dt_t_ipv6info_ptr,
	};

	switch (probe) {
	case DT_PROBE_PF_STATE_CREATE: case DT_PROBE_PF_STATE_CHANGE:
	case DT_PROBE_PF_STATE_DESTROY: case DT_PROBE_PF_TCP_ESTABLISHED:
	case DT_PROBE_PF_TCP_CLOSED:
		return i == 0 ? &dt_t_state_ptr : NULL;
	case DT_PROBE_IP_SEND: case DT_PROBE_IP_RECEIVE:
		return i >= 0 && i < 6 ? ip[i] : NULL;
	default:
		return NULL;
	}
}

/* ---- the probe list ---- */

#define PF_ARGS { "struct pf_state *" }
#define IP_ARGS { "pktinfo_t *", "csinfo_t *", "ipinfo_t *", "ifinfo_t *", "ipv4info_t *", "ipv6info_t *" }
static const struct dt_probe_info probes[] = {
	{ 1, DT_PROBE_BEGIN, "dtrace", "", "", "BEGIN", { NULL } },
	{ 2, DT_PROBE_END, "dtrace", "", "", "END", { NULL } },
	{ 3, DT_PROBE_TICK, "profile", "", "", "tick-1s", { NULL } },
	{ 4, DT_PROBE_PF_STATE_CREATE, "pf", "pf_kern", "", PF_PROBE_STATE_CREATE, PF_ARGS },
	{ 5, DT_PROBE_PF_STATE_CHANGE, "pf", "pf_kern", "", PF_PROBE_STATE_CHANGE, PF_ARGS },
	{ 6, DT_PROBE_PF_STATE_DESTROY, "pf", "pf_kern", "", PF_PROBE_STATE_DESTROY, PF_ARGS },
	{ 7, DT_PROBE_PF_TCP_ESTABLISHED, "pf", "pf_kern", "", PF_PROBE_TCP_ESTABLISHED, PF_ARGS },
	{ 8, DT_PROBE_PF_TCP_CLOSED, "pf", "pf_kern", "", PF_PROBE_TCP_CLOSED, PF_ARGS },
	{ 9, DT_PROBE_IP_SEND, "ip", "pf_kern", "", PF_PROBE_IP_SEND, IP_ARGS },
	{ 10, DT_PROBE_IP_RECEIVE, "ip", "pf_kern", "", PF_PROBE_IP_RECEIVE, IP_ARGS },
};

const struct dt_probe_info *dt_probe_list(size_t *n)
{
	*n = sizeof(probes) / sizeof(probes[0]);
	return probes;
}

enum dt_probe dt_probe_of_event(unsigned type)
{
	switch (type) {
	case PF_EV_STATE_CREATE: return DT_PROBE_PF_STATE_CREATE;
	case PF_EV_STATE_CHANGE: return DT_PROBE_PF_STATE_CHANGE;
	case PF_EV_TCP_ESTABLISHED: return DT_PROBE_PF_TCP_ESTABLISHED;
	case PF_EV_TCP_CLOSED: return DT_PROBE_PF_TCP_CLOSED;
	case PF_EV_STATE_DESTROY: return DT_PROBE_PF_STATE_DESTROY;
	case PF_EV_IP_RECEIVE: return DT_PROBE_IP_RECEIVE;
	case PF_EV_IP_SEND: return DT_PROBE_IP_SEND;
	default: return DT_PROBE_MAX;
	}
}
