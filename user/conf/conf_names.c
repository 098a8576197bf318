// SPDX-License-Identifier: BSD-2-Clause
/*
 * conf_names.c - the names pf.conf uses for numbers: services, ICMP types
 * and codes here; timeouts, limits and protocols in lib/pf_names.c.  Static
 * tables rather than getservbyname(), so a listing does not depend on the
 * host's /etc/services: golden files print the same everywhere.  The
 * primary name of each number is the one BSD's files give (pfctl prints it).
 */
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include "pfbpf_conf.h"
#include "conf_private.h"
#include "lib/pf_names.h"

/*
 * Timeouts, limits and protocols share their tables with pfctl and the
 * other tools (lib/pf_names.c); these keep the parser's own API.
 */
const char *pfbpf_conf_timeout_name(int pftm)
{
	return pf_timeout_name(pftm);
}

int pfbpf_conf_timeout_lookup(const char *name)
{
	return pf_timeout_lookup(name);
}

const char *pfbpf_conf_limit_name(int lim)
{
	return pf_limit_name(lim);
}

int pfbpf_conf_limit_lookup(const char *name)
{
	return pf_limit_lookup(name);
}

const char *pfbpf_conf_proto_name(int proto)
{
	return pf_proto_name(proto);
}

int pfbpf_conf_proto_lookup(const char *name)
{
	return pf_proto_lookup(name);
}

#define T 1 /* tcp */
#define U 2 /* udp */
static const struct {
	const char *name;
	int port;
	int protos;
} services[] = {
	{ "tcpmux", 1, T | U },	     { "echo", 7, T | U },
	{ "discard", 9, T | U },     { "systat", 11, T },
	{ "daytime", 13, T | U },    { "netstat", 15, T },
	{ "qotd", 17, T },	     { "chargen", 19, T | U },
	{ "ftp-data", 20, T },	     { "ftp", 21, T },
	{ "ssh", 22, T | U },	     { "telnet", 23, T },
	{ "smtp", 25, T },	     { "time", 37, T | U },
	{ "whois", 43, T },	     { "nicname", 43, T },
	{ "tacacs", 49, T | U },     { "domain", 53, T | U },
	{ "bootps", 67, U },	     { "bootpc", 68, U },
	{ "tftp", 69, U },	     { "gopher", 70, T },
	{ "finger", 79, T },	     { "http", 80, T | U },
	{ "www", 80, T | U },	     { "kerberos", 88, T | U },
	{ "pop3", 110, T },	     { "sunrpc", 111, T | U },
	{ "auth", 113, T },	     { "nntp", 119, T },
	{ "ntp", 123, T | U },	     { "netbios-ns", 137, T | U },
	{ "netbios-dgm", 138, T | U }, { "netbios-ssn", 139, T },
	{ "imap", 143, T },	     { "imap2", 143, T },
	{ "snmp", 161, T | U },	     { "snmp-trap", 162, T | U },
	{ "bgp", 179, T },	     { "irc", 194, T },
	{ "ldap", 389, T | U },	     { "https", 443, T | U },
	{ "microsoft-ds", 445, T },  { "kpasswd", 464, T | U },
	{ "isakmp", 500, U },	     { "syslog", 514, U },
	{ "printer", 515, T },	     { "submission", 587, T },
	{ "ipp", 631, T | U },	     { "ldaps", 636, T },
	{ "domain-s", 853, T | U },  { "rsync", 873, T },
	{ "ftps-data", 989, T },     { "ftps", 990, T },
	{ "telnets", 992, T },	     { "imaps", 993, T },
	{ "pop3s", 995, T },	     { "socks", 1080, T },
	{ "openvpn", 1194, T | U },  { "ms-sql-s", 1433, T },
	{ "radius", 1812, U },	     { "radius-acct", 1813, U },
	{ "nfs", 2049, T | U },	     { "mysql", 3306, T },
	{ "ms-wbt-server", 3389, T }, { "ipsec-nat-t", 4500, U },
	{ "sip", 5060, T | U },	     { "xmpp-client", 5222, T },
	{ "postgresql", 5432, T },   { "http-alt", 8080, T },
};

static int proto_bit(int proto)
{
	return proto == IPPROTO_UDP ? U : T;
}

const char *pfbpf_conf_service_name(int port, int proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(services); i++)
		if (services[i].port == port && (services[i].protos & proto_bit(proto)))
			return services[i].name;
	return NULL;
}

/* proto 0: either tcp or udp, as pfctl tries both. */
int pfbpf_conf_service_lookup(const char *name, int proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(services); i++)
		if (!strcmp(services[i].name, name) &&
		    (!proto || (services[i].protos & proto_bit(proto))))
			return services[i].port;
	return -1;
}
#undef T
#undef U

/* ICMP types (icmp-type / icmp6-type), pf's names. */
static const struct conf_icmp_name icmp4_types[] = {
	{ "echorep", 0 },    { "unreach", 3 },	  { "squench", 4 },
	{ "redir", 5 },	     { "althost", 6 },	  { "echoreq", 8 },
	{ "routeradv", 9 },  { "routersol", 10 }, { "timex", 11 },
	{ "paramprob", 12 }, { "timereq", 13 },	  { "timerep", 14 },
	{ "inforeq", 15 },   { "inforep", 16 },	  { "maskreq", 17 },
	{ "maskrep", 18 },   { "trace", 30 },	  { "dataconv", 31 },
	{ "mobredir", 32 },  { "ipv6-where", 33 }, { "ipv6-here", 34 },
	{ "mobregreq", 35 }, { "mobregrep", 36 }, { "skip", 39 },
	{ "photuris", 40 },
};

static const struct conf_icmp_name icmp6_types[] = {
	{ "unreach", 1 },     { "toobig", 2 },	    { "timex", 3 },
	{ "paramprob", 4 },   { "echoreq", 128 },   { "echorep", 129 },
	{ "groupqry", 130 },  { "listqry", 130 },   { "grouprep", 131 },
	{ "listenrep", 131 }, { "groupterm", 132 }, { "listendone", 132 },
	{ "routersol", 133 }, { "routeradv", 134 }, { "neighbrsol", 135 },
	{ "neighbradv", 136 }, { "redir", 137 },    { "routrrenum", 138 },
	{ "wrureq", 139 },    { "wrurep", 140 },    { "fqdnreq", 139 },
	{ "fqdnrep", 140 },   { "niqry", 139 },	    { "nirep", 140 },
	{ "mtraceresp", 200 }, { "mtrace", 201 },
};

/* Codes: type << 8 | code */
#define C(t, c) (((t) << 8) | (c))
static const struct conf_icmp_name icmp4_codes[] = {
	{ "net-unr", C(3, 0) },	       { "host-unr", C(3, 1) },
	{ "proto-unr", C(3, 2) },      { "port-unr", C(3, 3) },
	{ "needfrag", C(3, 4) },       { "srcfail", C(3, 5) },
	{ "net-unk", C(3, 6) },	       { "host-unk", C(3, 7) },
	{ "isolate", C(3, 8) },	       { "net-prohib", C(3, 9) },
	{ "host-prohib", C(3, 10) },   { "net-tos", C(3, 11) },
	{ "host-tos", C(3, 12) },      { "filter-prohib", C(3, 13) },
	{ "host-preced", C(3, 14) },   { "cutoff-preced", C(3, 15) },
	{ "redir-net", C(5, 0) },      { "redir-host", C(5, 1) },
	{ "redir-tos-net", C(5, 2) },  { "redir-tos-host", C(5, 3) },
	{ "normal-adv", C(9, 0) },     { "common-adv", C(9, 16) },
	{ "transit", C(11, 0) },       { "reassemb", C(11, 1) },
	{ "badhead", C(12, 0) },       { "optmiss", C(12, 1) },
	{ "badlen", C(12, 2) },	       { "unknown-ind", C(40, 1) },
	{ "auth-fail", C(40, 2) },     { "decrypt-fail", C(40, 3) },
};

static const struct conf_icmp_name icmp6_codes[] = {
	{ "admin-unr", C(1, 1) },   { "noroute-unr", C(1, 0) },
	{ "notnbr-unr", C(1, 2) },  { "beyond-unr", C(1, 2) },  { "addr-unr", C(1, 3) },
	{ "port-unr", C(1, 4) },    { "transit", C(3, 0) },
	{ "reassemb", C(3, 1) },    { "badhead", C(4, 0) },
	{ "nxthdr", C(4, 1) },	    { "redironlink", C(137, 0) },
	{ "redirrouter", C(137, 1) },
};
#undef C

int conf_icmp_type_lookup(const char *name, int v6)
{
	const struct conf_icmp_name *t = v6 ? icmp6_types : icmp4_types;
	size_t n = v6 ? ARRAY_SIZE(icmp6_types) : ARRAY_SIZE(icmp4_types);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i].value;
	return -1;
}

const char *conf_icmp_type_name(int type, int v6)
{
	const struct conf_icmp_name *t = v6 ? icmp6_types : icmp4_types;
	size_t n = v6 ? ARRAY_SIZE(icmp6_types) : ARRAY_SIZE(icmp4_types);

	for (size_t i = 0; i < n; i++)
		if (t[i].value == type)
			return t[i].name;
	return NULL;
}

/* type < 0: any type (return-icmp codes are looked up by name alone). */
int conf_icmp_code_lookup(const char *name, int type, int v6)
{
	const struct conf_icmp_name *t = v6 ? icmp6_codes : icmp4_codes;
	size_t n = v6 ? ARRAY_SIZE(icmp6_codes) : ARRAY_SIZE(icmp4_codes);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name) && (type < 0 || (t[i].value >> 8) == type))
			return t[i].value;
	return -1;
}

const char *conf_icmp_code_name(int type, int code, int v6)
{
	const struct conf_icmp_name *t = v6 ? icmp6_codes : icmp4_codes;
	size_t n = v6 ? ARRAY_SIZE(icmp6_codes) : ARRAY_SIZE(icmp4_codes);

	for (size_t i = 0; i < n; i++)
		if (t[i].value == ((type << 8) | code))
			return t[i].name;
	return NULL;
}
