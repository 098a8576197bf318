// SPDX-License-Identifier: BSD-2-Clause
/*
 * pf_names.c - the one copy of pf's name tables.  Static tables rather than
 * getprotobynumber()/getservbyname(), so that output (and the golden files
 * that pin it) does not depend on the host's /etc files.  The first name of
 * a number is the one printed; later entries are aliases accepted on input.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/pf_names.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

const struct pf_timeout_desc pf_timeouts[] = {
	{ "tcp.first", PFTM_TCP_FIRST_PACKET },
	{ "tcp.opening", PFTM_TCP_OPENING },
	{ "tcp.established", PFTM_TCP_ESTABLISHED },
	{ "tcp.closing", PFTM_TCP_CLOSING },
	{ "tcp.finwait", PFTM_TCP_FIN_WAIT },
	{ "tcp.closed", PFTM_TCP_CLOSED },
	{ "tcp.tsdiff", PFTM_TS_DIFF },
	{ "udp.first", PFTM_UDP_FIRST_PACKET },
	{ "udp.single", PFTM_UDP_SINGLE },
	{ "udp.multiple", PFTM_UDP_MULTIPLE },
	{ "icmp.first", PFTM_ICMP_FIRST_PACKET },
	{ "icmp.error", PFTM_ICMP_ERROR_REPLY },
	{ "other.first", PFTM_OTHER_FIRST_PACKET },
	{ "other.single", PFTM_OTHER_SINGLE },
	{ "other.multiple", PFTM_OTHER_MULTIPLE },
	{ "frag", PFTM_FRAG },
	{ "interval", PFTM_INTERVAL },
	{ "adaptive.start", PFTM_ADAPTIVE_START },
	{ "adaptive.end", PFTM_ADAPTIVE_END },
	{ "src.track", PFTM_SRC_NODE },
	{ NULL, 0 },
};
_Static_assert(NELEMS(pf_timeouts) == PFTM_MAX + 1, "a PFTM_* timeout has no name");

const struct pf_limit_desc pf_limits[] = {
	{ "states", PF_LIMIT_STATES },
	{ "src-nodes", PF_LIMIT_SRC_NODES },
	{ "frags", PF_LIMIT_FRAGS },
	{ "tables", PF_LIMIT_TABLES },
	{ "table-entries", PF_LIMIT_TABLE_ENTRIES },
	{ NULL, 0 },
};
_Static_assert(NELEMS(pf_limits) == PF_LIMIT_MAX + 1, "a PF_LIMIT_* limit has no name");

const char *pf_timeout_name(int pftm)
{
	for (const struct pf_timeout_desc *t = pf_timeouts; t->name; t++)
		if (t->pftm == pftm)
			return t->name;
	return NULL;
}

int pf_timeout_lookup(const char *name)
{
	for (const struct pf_timeout_desc *t = pf_timeouts; t->name; t++)
		if (!strcmp(t->name, name))
			return t->pftm;
	return -1;
}

const char *pf_limit_name(int lim)
{
	for (const struct pf_limit_desc *l = pf_limits; l->name; l++)
		if (l->index == lim)
			return l->name;
	return NULL;
}

/* pfctl -si -v's "Limit Counters" lines, in LCNT_* order. */
static const char *const lcnt_names[LCNT_MAX] = {
	"max states per rule", "max-src-states", "max-src-nodes", "max-src-conn",
	"max-src-conn-rate", "overload table insertion", "overload flush states",
	"synfloods detected", "syncookies sent", "syncookies validated",
};

const char *pf_lcnt_name(int lcnt)
{
	return lcnt >= 0 && lcnt < LCNT_MAX ? lcnt_names[lcnt] : NULL;
}

int pf_limit_lookup(const char *name)
{
	for (const struct pf_limit_desc *l = pf_limits; l->name; l++)
		if (!strcmp(l->name, name))
			return l->index;
	return -1;
}

/*
 * /etc/protocols names (OpenBSD's, which pfctl prints and pf.conf accepts,
 * and which DTrace's ip.d translators follow), one table for pfctl, pftrace
 * and D's protostr.
 */
static const struct {
	const char *name;
	int proto;
} protos[] = {
	{ "ip", 0 },		{ "icmp", 1 },		{ "igmp", 2 },
	{ "ggp", 3 },		{ "ipencap", 4 },	{ "st", 5 },
	{ "tcp", 6 },		{ "egp", 8 },		{ "igp", 9 },
	{ "pup", 12 },		{ "udp", 17 },		{ "hmp", 20 },
	{ "idp", 22 },		{ "xns-idp", 22 },	{ "rdp", 27 },
	{ "iso-tp4", 29 },	{ "dccp", 33 },		{ "xtp", 36 },
	{ "ddp", 37 },		{ "idpr-cmtp", 38 },	{ "ipv6", 41 },
	{ "ipv6-route", 43 },	{ "ipv6-frag", 44 },	{ "idrp", 45 },
	{ "rsvp", 46 },		{ "gre", 47 },		{ "esp", 50 },
	{ "ah", 51 },		{ "skip", 57 },		{ "ipv6-icmp", 58 },
	{ "icmp6", 58 },	{ "ipv6-nonxt", 59 },	{ "ipv6-opts", 60 },
	{ "rspf", 73 },		{ "vmtp", 81 },		{ "eigrp", 88 },
	{ "ospf", 89 },		{ "ax.25", 93 },	{ "ipip", 94 },
	{ "etherip", 97 },	{ "encap", 98 },	{ "pim", 103 },
	{ "ipcomp", 108 },	{ "vrrp", 112 },	{ "carp", 112 },
	{ "l2tp", 115 },	{ "isis", 124 },	{ "sctp", 132 },
	{ "fc", 133 },		{ "mobility-header", 135 }, { "udplite", 136 },
	{ "mpls-in-ip", 137 },	{ "manet", 138 },	{ "hip", 139 },
	{ "shim6", 140 },	{ "wesp", 141 },	{ "rohc", 142 },
	{ "ethernet", 143 },	{ "pfsync", 240 },
};

const char *pf_proto_name(int proto)
{
	for (size_t i = 0; i < NELEMS(protos); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return NULL;
}

const char *pf_proto_str(int proto, char *buf, size_t len)
{
	const char *n = pf_proto_name(proto);

	if (n)
		return n;
	snprintf(buf, len, "%d", proto);
	return buf;
}

int pf_proto_lookup(const char *name)
{
	for (size_t i = 0; i < NELEMS(protos); i++)
		if (!strcmp(protos[i].name, name))
			return protos[i].proto;
	return -1;
}

static const char *const tcpstates[TCP_NSTATES] = {
	[TCPS_CLOSED] = "CLOSED",
	[TCPS_LISTEN] = "LISTEN",
	[TCPS_SYN_SENT] = "SYN_SENT",
	[TCPS_SYN_RECEIVED] = "SYN_RCVD",
	[TCPS_ESTABLISHED] = "ESTABLISHED",
	[TCPS_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCPS_FIN_WAIT_1] = "FIN_WAIT_1",
	[TCPS_CLOSING] = "CLOSING",
	[TCPS_LAST_ACK] = "LAST_ACK",
	[TCPS_FIN_WAIT_2] = "FIN_WAIT_2",
	[TCPS_TIME_WAIT] = "TIME_WAIT",
};

const char *pf_tcps_name(int s)
{
	return s >= 0 && s < TCP_NSTATES ? tcpstates[s] : NULL;
}

/*
 * The only state whose spellings differ: BSD's tcpstates[] abbreviates it,
 * the DTrace tcp provider's TCPS_* constants do not.
 */
const char *pf_tcps_dtrace_name(int s)
{
	return s == TCPS_SYN_RECEIVED ? "SYN_RECEIVED" : pf_tcps_name(s);
}

static const char *const otherstates[] = { "NO_TRAFFIC", "SINGLE", "MULTIPLE" };

const char *pf_other_state_name(int s)
{
	return s >= 0 && s < (int)NELEMS(otherstates) ? otherstates[s] : NULL;
}

void pf_nat_tries_label(char *buf, size_t len, int i)
{
	if (i == PF_NAT_TRY_BUCKETS - 1)
		snprintf(buf, len, "failed");
	else if (i == 0)
		snprintf(buf, len, "1");
	else
		snprintf(buf, len, "%u-%u", 1u << i, (2u << i) - 1);
}

static const struct {
	unsigned int type;
	const char *name;  /* the probe name, printed */
	const char *alias; /* pftrace's short name before the probe names */
} events[] = {
	{ PF_EV_STATE_CREATE, PF_PROBE_STATE_CREATE, "create" },
	{ PF_EV_STATE_CHANGE, PF_PROBE_STATE_CHANGE, "change" },
	{ PF_EV_TCP_ESTABLISHED, PF_PROBE_TCP_ESTABLISHED, "established" },
	{ PF_EV_TCP_CLOSED, PF_PROBE_TCP_CLOSED, "closed" },
	{ PF_EV_STATE_DESTROY, PF_PROBE_STATE_DESTROY, "destroy" },
	{ PF_EV_IP_RECEIVE, PF_PROBE_IP_RECEIVE, "ip-receive" },
	{ PF_EV_IP_SEND, PF_PROBE_IP_SEND, "ip-send" },
	/* not a DTrace probe: the adaptive syncookie mode switched */
	{ PF_EV_SYNCOOKIES, "syncookies", "syncookies" },
	/* not a DTrace probe: the sweep found states the LRU dropped (a count) */
	{ PF_EV_STATES_EVICTED, "states-evicted", "evicted" },
};

const char *pf_event_name(unsigned int type)
{
	for (size_t i = 0; i < NELEMS(events); i++)
		if (events[i].type == type)
			return events[i].name;
	return NULL;
}

int pf_event_lookup(const char *name)
{
	for (size_t i = 0; i < NELEMS(events); i++)
		if (!strcasecmp(name, events[i].name) || !strcasecmp(name, events[i].alias))
			return (int)events[i].type;
	return -1;
}

const char *pf_event_names_list(void)
{
	return PF_PROBE_STATE_CREATE ", " PF_PROBE_STATE_CHANGE ", " PF_PROBE_TCP_ESTABLISHED
		", " PF_PROBE_TCP_CLOSED ", " PF_PROBE_STATE_DESTROY ", " PF_PROBE_IP_RECEIVE
		", " PF_PROBE_IP_SEND ", syncookies";
}

static const char *const destroy_reasons[] = PF_DESTROY_REASON_NAMES;

const char *pf_destroy_reason_name(unsigned int reason)
{
	return reason < NELEMS(destroy_reasons) ? destroy_reasons[reason] : "unknown";
}

int pf_destroy_reason_lookup(const char *name)
{
	for (size_t r = 0; r < NELEMS(destroy_reasons); r++)
		if (!strcasecmp(name, destroy_reasons[r]))
			return (int)r;
	return -1;
}

static const char *const pfres_names[PFRES_MAX] = PFRES_NAMES;

const char *pf_res_name(unsigned int res)
{
	return res < PFRES_MAX ? pfres_names[res] : NULL;
}
