/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctx.h - what one pfctl_bpf invocation asked for, shared by the command
 * files (cli.c, conf.c, attach.c, msg.c).
 */
#ifndef PFCTL_CTX_H
#define PFCTL_CTX_H

#include "pfctl.h"

#define PFCTL_MAX_IFS 64
#define PFCTL_MAX_DEFINES 64

struct pfctl_ctx {
	int opts;               /* PFCTL_OPT_* */
	int dev;                /* libpfbpf handle, -1 until opened */
	const char *anchor;     /* -a */
	const char *showopt;    /* -s, resolved */
	const char *clearopt;   /* -F, resolved */
	const char *tblcmd;     /* -T, resolved */
	const char *table;      /* -t */
	const char *rulesfile;  /* -f */
	const char *debugopt;   /* -x */
	const char *device;     /* -p: pin folder (pfctl's /dev/pf) */
	const char *ifname;     /* -i (first) */
	char *ifnames[PFCTL_MAX_IFS];
	int nifs;
	const char *kill[2];    /* -k */
	int nkill;
	bool enable, disable, zero;
	bool watch;             /* --watch-addresses (watch.c) */
	int hook;               /* -e: --xdp/--xdp-generic/--tc (enum pfbpf_hook), 0 = choose */
	char **args;            /* operands: -T addresses */
	int nargs;
	const char *defines[PFCTL_MAX_DEFINES];
	int ndefines;
	struct jw jw;           /* --json document of -s */
	bool titled;            /* -sa: a section title is out */
};

/* msg.c.  libpfbpf's reason an open failed, as every tool prints it. */
void pfctl_open_error(void);
/* One line on stderr for a failed kernel operation: "pfctl_bpf: what: why". */
void pfctl_err_op(struct pfctl_ctx *c, const char *what, int err);
/* Progress/result messages pfctl prints on stderr unless -q: xprintf ends
 * the line with pfctl's full stop (table commands), msg does not. */
__attribute__((format(printf, 2, 3)))
void pfctl_xprintf(struct pfctl_ctx *c, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void pfctl_msg(struct pfctl_ctx *c, const char *fmt, ...);

/* conf.c: -f and -n through the pf.conf library. */
int pfctl_load_file(struct pfctl_ctx *c, const char *path);
int pfctl_flush_rules(struct pfctl_ctx *c);
/* -F nat: the nat, rdr and binat rules go, the filter rules stay. */
int pfctl_flush_nat(struct pfctl_ctx *c);
void pfctl_use_conf_printer(void);

/* attach.c: -e -i / -d -i through the loader. */
int pfctl_attach(struct pfctl_ctx *c);
/* --watch-addresses: runs until SIGINT/SIGTERM; the exit status. */
int pfctl_watch_addresses(struct pfctl_ctx *c);
int pfctl_detach(struct pfctl_ctx *c);
/* -sI: fill each interface's hook from the loader's pins. */
void pfctl_iface_hooks(struct pfctl_iface *i, size_t n);
/* `set skip on IF`: take the datapath off IF if the loader attached it there. */
int pfctl_skip_detach(struct pfctl_ctx *c, const char *ifname);

#endif /* PFCTL_CTX_H */
