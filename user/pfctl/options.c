// SPDX-License-Identifier: BSD-2-Clause
/*
 * options.c - pfctl's modifier words and how abbreviations resolve.
 */
#include <string.h>

#include "pfctl.h"

/*
 * pfctl accepts any prefix and takes the first word it starts, in this
 * order; case tells apart the pairs sharing a letter (states/Sources,
 * info/Interfaces, timeouts/Tables), so -ss, -sS, -si, -sI all resolve.
 */
const char *const pfctl_showopt_list[] = {
	"rules", "Anchors", "nat", "states", "info", "Interfaces", "labels", "timeouts",
	"memory", "Tables", "Running", "all", NULL,
};

const char *const pfctl_clearopt_list[] = {
	"nat", "rules", "states", "info", "Tables", "all", NULL,
};

const char *const pfctl_tblcmdopt_list[] = {
	"kill", "flush", "add", "delete", "replace", "show", "test", "zero",
	"expire", NULL,
};

const char *const pfctl_debugopt_list[] = { "none", "urgent", "misc", "loud", NULL };

const char *pfctl_lookup_option(const char *cmd, const char *const *list)
{
	size_t len;

	if (!cmd || !*cmd)
		return NULL;
	len = strlen(cmd);
	for (; *list; list++)
		if (!strncmp(cmd, *list, len))
			return *list;
	return NULL;
}
