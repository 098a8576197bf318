/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmds.h - the modifiers of -s, -F and -T, each with the function that does
 * it, written once: options.c makes the name lists (abbreviations resolve
 * against them, in this order), cli.c the tables it calls through.  A name
 * cannot be in a list without its row.
 *
 * pfctl accepts any prefix and takes the first word it starts, in this
 * order; case tells apart the pairs sharing a letter (states/Sources,
 * info/Interfaces, timeouts/Tables), so -ss, -sS, -si, -sI all resolve.
 */
#ifndef PFCTL_CMDS_H
#define PFCTL_CMDS_H

#define PFCTL_SHOW_CMDS(X)                                                   \
	X("rules", show_rules) X("Anchors", show_anchors) X("nat", show_nat) \
	X("states", show_states) X("info", show_info)                        \
	X("Interfaces", show_ifaces) X("labels", show_labels)                \
	X("timeouts", show_timeouts) X("memory", show_memory)                \
	X("Tables", show_tables) X("Running", show_running) X("all", show_all)

#define PFCTL_FLUSH_CMDS(X)                                                  \
	X("nat", flush_nat) X("rules", flush_rules) X("states", flush_states) \
	X("info", flush_info) X("Tables", flush_tables) X("all", flush_all)

#define PFCTL_TABLE_CMDS(X)                                                  \
	X("kill", tbl_kill) X("flush", tbl_flush) X("add", tbl_add)          \
	X("delete", tbl_delete) X("replace", tbl_replace) X("show", tbl_show) \
	X("test", tbl_test) X("zero", tbl_zero) X("expire", tbl_expire)

#endif /* PFCTL_CMDS_H */
