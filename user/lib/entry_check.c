// SPDX-License-Identifier: BSD-2-Clause
/*
 * entry_check.c - map entries are untrusted input.  Anyone with root
 * can write a pinned map with bpftool, and a crashed or foreign writer can
 * leave garbage; the library says which entry is wrong and why instead of
 * handing a consumer a state whose family, peer states or strings would
 * send a printer off the end of a table or a buffer.
 *
 * Each check returns NULL when the entry can be what it claims, or a short
 * reason written into buf.  Only what the datapath itself could never
 * write is refused: a reason must mean corruption, not an unusual state.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "pfbpf_rule.h"
#include "pfbpf_nat.h"
#include "lib/entry_check.h"

/* pf's PF_TCPS_PROXY_SRC and PF_TCPS_PROXY_DST follow TCPS_TIME_WAIT */
#define PSTATE_TCP_MAX (TCPS_TIME_WAIT + 2)
#define PSTATE_OTHER_MAX PFOTHERS_MULTIPLE
/* the sweep's clock and the reader's may differ by a tick or two */
#define CLOCK_SLACK 5

static const char *bad(char *buf, size_t len, const char *fmt, unsigned int a, unsigned int b)
{
	snprintf(buf, len, fmt, a, b);
	return buf;
}

const char *pf_state_entry_bad(const struct pf_state_key *k, const struct pf_state *s, __u32 now,
				char *buf, size_t len)
{
	unsigned int max = k->proto == IPPROTO_TCP ? PSTATE_TCP_MAX : PSTATE_OTHER_MAX;

	if (k->af != PF_INET && k->af != PF_INET6)
		return bad(buf, len, "address family %u", k->af, 0);
	if (k->pad[0] || k->pad[1])
		return bad(buf, len, "key padding %u:%u is not zero", k->pad[0], k->pad[1]);
	if (s->pstate[0] > max || s->pstate[1] > max)
		return bad(buf, len, "peer states %u:%u", s->pstate[0], s->pstate[1]);
	if (s->timeout >= PFTM_MAX)
		return bad(buf, len, "timeout class %u (of %u)", s->timeout, PFTM_MAX);
	for (int p = 0; p < 2; p++)
		if ((s->wscale[p] & PF_WSCALE_FLAG) && (s->wscale[p] & PF_WSCALE_MASK) > 14)
			return bad(buf, len, "window scale %u of peer %u", s->wscale[p] & PF_WSCALE_MASK,
				   (unsigned int)p);
	if (s->creation > now + CLOCK_SLACK)
		return bad(buf, len, "created %u s in the future", s->creation - now, 0);
	if (s->expire > now + CLOCK_SLACK)
		return bad(buf, len, "refreshed %u s in the future", s->expire - now, 0);
	return NULL;
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static const char *addr_bad(const struct pfbpf_addr_spec *a, const char *side, char *buf, size_t len)
{
	if (a->type > PFBPF_ADDR_DYNIF) {
		snprintf(buf, len, "%s address type %u", side, a->type);
		return buf;
	}
	if (!terminated(a->table, sizeof(a->table))) {
		snprintf(buf, len, "%s table or interface name without its end", side);
		return buf;
	}
	if (a->type == PFBPF_ADDR_MASK &&
	    !((a->af == PF_INET && a->prefixlen <= 32) || (a->af == PF_INET6 && a->prefixlen <= 128))) {
		snprintf(buf, len, "%s address family %u with prefix /%u", side, a->af, a->prefixlen);
		return buf;
	}
	return NULL;
}

static bool action_known(__u8 a)
{
	return a == PF_PASS || a == PF_DROP || a == PF_MATCH || (a >= PF_NAT && a <= PF_NORDR);
}

const char *pf_rule_entry_bad(const struct pfbpf_rule *r, char *buf, size_t len)
{
	const char *why;

	if (!action_known(r->action))
		return bad(buf, len, "action %u", r->action, 0);
	if (r->direction > PF_OUT)
		return bad(buf, len, "direction %u", r->direction, 0);
	if (r->af && r->af != PF_INET && r->af != PF_INET6)
		return bad(buf, len, "address family %u", r->af, 0);
	if (r->keep_state > PF_STATE_MODULATE + 1)
		return bad(buf, len, "keep state %u", r->keep_state, 0);
	if (r->sport.op > PF_OP_RRG || r->dport.op > PF_OP_RRG)
		return bad(buf, len, "port operators %u:%u", r->sport.op, r->dport.op);
	if (r->xlate && r->xlate != PF_NAT && r->xlate != PF_RDR && r->xlate != PF_BINAT)
		return bad(buf, len, "translation %u", r->xlate, 0);
	if (!terminated(r->ifname, sizeof(r->ifname)))
		return bad(buf, len, "interface name without its end", 0, 0);
	if (!terminated(r->label, sizeof(r->label)))
		return bad(buf, len, "label without its end", 0, 0);
	for (unsigned int i = 0; i < PF_RULE_MAX_LABEL_COUNT - 1; i++)
		if (!terminated(r->label_more[i], sizeof(r->label_more[i])))
			return bad(buf, len, "label %u without its end", i + 2, 0);
	if ((why = addr_bad(&r->src, "from", buf, len)) || (why = addr_bad(&r->dst, "to", buf, len)))
		return why;
	return NULL;
}
