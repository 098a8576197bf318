// SPDX-License-Identifier: BSD-2-Clause
/*
 * ctopts.c - the stream options conntrack users type: `-o` as a list
 * (text | json, extended, timestamp, id, as `conntrack -E -o ...`) and an
 * event mask `-e new,update,destroy` (conntrack's NEW, UPDATE, DESTROY;
 * pf's create, the changes in between, destroy).
 */
#include <stdio.h>
#include <string.h>

#include "trace/trace.h"

int trace_outopts_parse(const char *arg, struct trace_outopts *o, char *err, size_t len)
{
	char buf[128], *save = NULL, *w;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "json"))
			o->json = true;
		else if (!strcmp(w, "text"))
			o->json = false;
		else if (!strcmp(w, "extended"))
			o->extended = true;
		else if (!strcmp(w, "timestamp"))
			o->timestamp = true;
		else if (!strcmp(w, "id"))
			; /* every line carries the state id already */
		else {
			snprintf(err, len, "unknown output option '%s' (text, json, extended, "
				 "timestamp, id)", w);
			return -1;
		}
	}
	return 0;
}

int trace_evmask_parse(const char *arg, unsigned int *mask, char *err, size_t len)
{
	char buf[128], *save = NULL, *w;

	*mask = 0;
	snprintf(buf, sizeof(buf), "%s", arg);
	for (w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcasecmp(w, "new"))
			*mask |= TRACE_EV_NEW;
		else if (!strcasecmp(w, "update"))
			*mask |= TRACE_EV_UPDATE;
		else if (!strcasecmp(w, "destroy"))
			*mask |= TRACE_EV_DESTROY;
		else if (!strcasecmp(w, "all"))
			*mask |= TRACE_EV_NEW | TRACE_EV_UPDATE | TRACE_EV_DESTROY;
		else {
			snprintf(err, len, "unknown event '%s' (new, update, destroy, all)", w);
			return -1;
		}
	}
	if (!*mask) {
		snprintf(err, len, "no event named");
		return -1;
	}
	return 0;
}

bool trace_evmask_match(unsigned int mask, unsigned int type)
{
	if (!mask)
		return true;
	switch (type) {
	case PF_EV_STATE_CREATE:
		return mask & TRACE_EV_NEW;
	case PF_EV_STATE_DESTROY:
	case PF_EV_STATES_EVICTED:
		return mask & TRACE_EV_DESTROY;
	default:
		return mask & TRACE_EV_UPDATE;
	}
}

void trace_fmt_extended(char *line, size_t len, __u8 af)
{
	const char *fam = af == PF_INET6 ? "ipv6 " : "ipv4 ";
	char *p = strstr(line, "] ");
	size_t n = strlen(line), f = strlen(fam);

	/* after the [TYPE] tag, as conntrack prints the family first */
	if (!p || n + f + 1 > len)
		return;
	p += 2;
	memmove(p + f, p, strlen(p) + 1);
	memcpy(p, fam, f);
}
