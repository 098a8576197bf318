// SPDX-License-Identifier: BSD-2-Clause
/*
 * show_states.c - pfctl -ss and its -v/-vv detail, and the JSON form.
 *
 * pf prints a state from the point of view of the filtering host: the
 * second address of the key (the local end for an inbound state) first,
 * then "<-" for inbound or "->" for outbound, then the first address.  The
 * peer states follow in the same order, so the side printed first comes
 * first in "ESTABLISHED:ESTABLISHED".
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

#include "pfctl.h"

/* Peer index (0 = the side that created the state) printed first/second. */
static void peer_order(const struct pfctl_state *s, int *first, int *second)
{
	if (pf_state_dir(&s->st) == PF_OUT) {
		*first = 0;
		*second = 1;
	} else {
		*first = 1;
		*second = 0;
	}
}

static bool key_side_differs(const struct pf_state_key *a, const struct pf_state_key *b, int i)
{
	return a->af != b->af || memcmp(&a->addr[i], &b->addr[i], sizeof(a->addr[i])) ||
	       a->port[i] != b->port[i];
}

static void print_seq(FILE *f, const struct pf_state *st, int p)
{
	/* pf's "[seqlo + window]": the window is what the peer may still
	 * send, seqhi - seqlo.  No seqdiff: modulate state is unsupported. */
	fprintf(f, "[%u + %u]", st->seqlo[p], st->seqhi[p] - st->seqlo[p]);
}

static const char *udp_state_name(__u8 s)
{
	static const char *const n[] = { "NO_TRAFFIC", "SINGLE", "MULTIPLE" };

	return s < 3 ? n[s] : NULL;
}

void pfctl_print_state(FILE *f, const struct pfctl_state *s, int opts)
{
	const struct pf_state *st = &s->st;
	const struct pf_state_key *nk, *sk;
	const char *pname = pfctl_proto_name(s->key[PF_SK_WIRE].proto);
	int a, b;

	peer_order(s, &a, &b);
	/*
	 * The key printed first is the one seen on this host's side of a NAT:
	 * the wire key for an outbound state, the stack key for an inbound
	 * one; the other follows in parentheses when it differs.
	 */
	if (pf_state_dir(st) == PF_OUT) {
		nk = &s->key[PF_SK_WIRE];
		sk = &s->key[PF_SK_STACK];
	} else {
		nk = &s->key[PF_SK_STACK];
		sk = &s->key[PF_SK_WIRE];
	}

	fprintf(f, "%s ", s->ifname[0] ? s->ifname : "all");
	if (pname)
		fprintf(f, "%s ", pname);
	else
		fprintf(f, "%u ", nk->proto);

	pfctl_print_host(f, &nk->addr[1], nk->port[1], nk->af);
	if (key_side_differs(nk, sk, 1)) {
		fputs(" (", f);
		pfctl_print_host(f, &sk->addr[1], sk->port[1], sk->af);
		fputc(')', f);
	}
	fputs(pf_state_dir(st) == PF_OUT ? " -> " : " <- ", f);
	pfctl_print_host(f, &nk->addr[0], nk->port[0], nk->af);
	if (key_side_differs(nk, sk, 0)) {
		fputs(" (", f);
		pfctl_print_host(f, &sk->addr[0], sk->port[0], sk->af);
		fputc(')', f);
	}
	fputs("    ", f);

	if (nk->proto == IPPROTO_TCP) {
		const char *x = pfctl_tcp_state_name(st->pstate[a]);
		const char *y = pfctl_tcp_state_name(st->pstate[b]);

		if (x && y)
			fprintf(f, "   %s:%s\n", x, y);
		else
			fprintf(f, "   <BAD STATE LEVELS %u:%u>\n", st->pstate[a], st->pstate[b]);
		if (opts & PFCTL_OPT_VERBOSE) {
			/* Scale factors are shown only when both SYNs
			 * carried the option: only then is scaling in force. */
			bool ws = st->wscale[a] && st->wscale[b];

			fputs("   ", f);
			print_seq(f, st, a);
			if (ws)
				fprintf(f, " wscale %u", st->wscale[a] & PF_WSCALE_MASK);
			fputs("  ", f);
			print_seq(f, st, b);
			if (ws)
				fprintf(f, " wscale %u", st->wscale[b] & PF_WSCALE_MASK);
			fputc('\n', f);
		}
	} else if (nk->proto == IPPROTO_UDP && udp_state_name(st->pstate[a]) &&
		   udp_state_name(st->pstate[b])) {
		fprintf(f, "   %s:%s\n", udp_state_name(st->pstate[a]),
			udp_state_name(st->pstate[b]));
	} else if (nk->proto != IPPROTO_ICMP && nk->proto != IPPROTO_ICMPV6 &&
		   udp_state_name(st->pstate[a]) && udp_state_name(st->pstate[b])) {
		/* PFOTHERS_* have the same names as PFUDPS_*. */
		fprintf(f, "   %s:%s\n", udp_state_name(st->pstate[a]),
			udp_state_name(st->pstate[b]));
	} else {
		/* ICMP has no peer states worth naming; pf prints numbers. */
		fprintf(f, "   %u:%u\n", st->pstate[a], st->pstate[b]);
	}

	if (opts & PFCTL_OPT_VERBOSE) {
		fputs("   age ", f);
		pfctl_print_hms(f, s->age);
		fputs(", expires in ", f);
		pfctl_print_hms(f, s->expires_in);
		fprintf(f, ", %u:%u pkts, %llu:%llu bytes", st->packets[0], st->packets[1],
			(unsigned long long)st->bytes[0], (unsigned long long)st->bytes[1]);
		if (st->rule != PF_RULE_NONE)
			fprintf(f, ", rule %u", st->rule);
		if (st->flags & PFSTATE_F_LOG)
			fputs(", log", f);
		fputc('\n', f);
	}
	if (opts & PFCTL_OPT_VERBOSE2) {
		fprintf(f, "   id: %016llx creatorid: %08x\n", (unsigned long long)st->id,
			s->creatorid);
		/* A floating state shows "all"; where it was made is worth
		 * knowing (pf's orig_ifname). */
		if (s->origin_if[0] && strcmp(s->origin_if, s->ifname[0] ? s->ifname : "all"))
			fprintf(f, "   origif: %s\n", s->origin_if);
	}
}

void pfctl_show_states(FILE *f, const struct pfctl_state *s, size_t n, int opts)
{
	for (size_t i = 0; i < n; i++)
		pfctl_print_state(f, &s[i], opts);
}

static const char *peer_state_str(__u8 proto, __u8 v, char *buf, size_t len)
{
	const char *n = NULL;

	if (proto == IPPROTO_TCP)
		n = pfctl_tcp_state_name(v);
	else if (proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6)
		n = udp_state_name(v);
	if (!n) {
		snprintf(buf, len, "%u", v);
		n = buf;
	}
	return n;
}

static void json_peer(struct jw *w, const char *key, const struct pfctl_state *s, int p, int slot)
{
	const struct pf_state_key *k = &s->key[PF_SK_WIRE];
	char addr[INET6_ADDRSTRLEN], nb[8];

	jw_obj_begin(w, key);
	pfctl_addr_str(&k->addr[slot], k->af, addr, sizeof(addr));
	jw_str(w, "addr", addr);
	jw_u64(w, "port", ntohs(k->port[slot]));
	jw_str(w, "state", peer_state_str(k->proto, s->st.pstate[p], nb, sizeof(nb)));
	jw_u64(w, "state_nr", s->st.pstate[p]);
	if (k->proto == IPPROTO_TCP) {
		jw_u64(w, "seqlo", s->st.seqlo[p]);
		jw_u64(w, "seqhi", s->st.seqhi[p]);
		jw_u64(w, "max_win", s->st.max_win[p]);
		jw_u64(w, "mss", s->st.mss[p]);
		if (s->st.wscale[p])
			jw_u64(w, "wscale", s->st.wscale[p] & PF_WSCALE_MASK);
		else
			jw_null(w, "wscale");
	}
	jw_u64(w, "packets", s->st.packets[p]);
	jw_u64(w, "bytes", s->st.bytes[p]);
	jw_obj_end(w);
}

void pfctl_json_state(struct jw *w, const struct pfctl_state *s)
{
	const struct pf_state_key *k = &s->key[PF_SK_WIRE];
	const char *pname = pfctl_proto_name(k->proto);
	bool out = pf_state_dir(&s->st) == PF_OUT;
	char buf[32];

	jw_obj_begin(w, NULL);
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)s->st.id);
	jw_str(w, "id", buf);
	snprintf(buf, sizeof(buf), "%08x", s->creatorid);
	jw_str(w, "creatorid", buf);
	jw_str(w, "ifname", s->ifname[0] ? s->ifname : "all");
	jw_str(w, "interface", s->origin_if);
	jw_str(w, "af", k->af == PF_INET6 ? "inet6" : "inet");
	if (pname)
		jw_str(w, "proto", pname);
	else
		jw_null(w, "proto");
	jw_u64(w, "proto_nr", k->proto);
	jw_str(w, "direction", out ? "out" : "in");
	/* "src" is the side that opened the connection (pf's src peer):
	 * key slot 0 for an inbound state, slot 1 for an outbound one. */
	json_peer(w, "src", s, 0, out ? 1 : 0);
	json_peer(w, "dst", s, 1, out ? 0 : 1);
	if (memcmp(&s->key[0], &s->key[1], sizeof(s->key[0]))) {
		const struct pf_state_key *sk = &s->key[PF_SK_STACK];
		char a0[INET6_ADDRSTRLEN], a1[INET6_ADDRSTRLEN];

		pfctl_addr_str(&sk->addr[0], sk->af, a0, sizeof(a0));
		pfctl_addr_str(&sk->addr[1], sk->af, a1, sizeof(a1));
		jw_obj_begin(w, "stack_key");
		jw_str(w, "addr0", a0);
		jw_u64(w, "port0", ntohs(sk->port[0]));
		jw_str(w, "addr1", a1);
		jw_u64(w, "port1", ntohs(sk->port[1]));
		jw_obj_end(w);
	}
	jw_str(w, "timeout", pfctl_timeout_name(s->st.timeout));
	jw_u64(w, "age", s->age);
	jw_u64(w, "expires_in", s->expires_in);
	if (s->st.rule == PF_RULE_NONE)
		jw_null(w, "rule");
	else
		jw_u64(w, "rule", s->st.rule);
	jw_str(w, "rule_anchor", s->rule_anchor);
	jw_bool(w, "if_bound", s->st.flags & PFSTATE_F_IFBOUND);
	jw_obj_end(w);
}

void pfctl_json_states(struct jw *w, const struct pfctl_state *s, size_t n)
{
	jw_arr_begin(w, "states");
	for (size_t i = 0; i < n; i++)
		pfctl_json_state(w, &s[i]);
	jw_arr_end(w);
}
