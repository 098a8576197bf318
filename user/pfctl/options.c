// SPDX-License-Identifier: BSD-2-Clause
/*
 * options.c - pfctl's modifier words and how abbreviations resolve.
 */
#include <string.h>

#include "pfctl.h"
#include "pfctl/cmds.h"

/* The names of pfctl/cmds.h's rows, in its order. */
#define PFCTL_CMD_NAME(name, func) name,

const char *const pfctl_showopt_list[] = { PFCTL_SHOW_CMDS(PFCTL_CMD_NAME) NULL };
const char *const pfctl_clearopt_list[] = { PFCTL_FLUSH_CMDS(PFCTL_CMD_NAME) NULL };
const char *const pfctl_tblcmdopt_list[] = { PFCTL_TABLE_CMDS(PFCTL_CMD_NAME) NULL };

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
