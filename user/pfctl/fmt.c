// SPDX-License-Identifier: BSD-2-Clause
/*
 * fmt.c - the small pieces every pfctl listing shares: protocol names,
 * host:port, durations, state and timeout names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "pfctl.h"

const char *pfctl_proto_name(__u8 proto)
{
	/*
	 * The usual protocols come from a fixed list rather than
	 * getprotobynumber(3) so that the output does not depend on the
	 * contents of /etc/protocols (containers often lack it).
	 */
	const char *n = pf_proto_name(proto);
	struct protoent *p;

	if (n)
		return n;
	p = getprotobynumber(proto);
	return p ? p->p_name : NULL;
}

int pfctl_addr_str(const struct pf_addr *a, __u8 af, char *buf, size_t len)
{
	if (!inet_ntop(af == PF_INET6 ? AF_INET6 : AF_INET, a, buf, len)) {
		snprintf(buf, len, "?");
		return -errno;
	}
	return 0;
}

void pfctl_print_host(FILE *f, const struct pf_addr *a, __be16 port, __u8 af)
{
	char buf[INET6_ADDRSTRLEN];

	pfctl_addr_str(a, af, buf, sizeof(buf));
	fputs(buf, f);
	/* pfctl brackets IPv6 ports because the colon is taken. */
	if (port) {
		if (af == PF_INET6)
			fprintf(f, "[%u]", ntohs(port));
		else
			fprintf(f, ":%u", ntohs(port));
	}
}

void pfctl_print_hms(FILE *f, __u32 secs)
{
	fprintf(f, "%.2u:%.2u:%.2u", secs / 3600, (secs / 60) % 60, secs % 60);
}

const char *pfctl_tcp_state_name(__u8 s)
{
	return pf_tcps_name(s);
}

const char *pfctl_timeout_name(int pftm)
{
	const char *n = pf_timeout_name(pftm);

	return n ? n : "unknown";
}

static const char *const debug_names[] = { "None", "Urgent", "Misc", "Loud" };

const char *pfctl_debug_name(__u32 level)
{
	return level < 4 ? debug_names[level] : "Unknown";
}

int pfctl_debug_parse(const char *s, __u32 *level)
{
	for (__u32 i = 0; i < 4; i++) {
		if (!strcasecmp(s, debug_names[i])) {
			*level = i;
			return 0;
		}
	}
	/* pf.conf and older pfctl spell the noisiest level "misc"/"loud";
	 * accept the numbers too, as scripts often pass them. */
	if (s[0] >= '0' && s[0] <= '3' && s[1] == '\0') {
		*level = s[0] - '0';
		return 0;
	}
	return -EINVAL;
}
