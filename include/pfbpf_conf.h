/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pfbpf_conf.h - the pf.conf parser and printer.
 *
 * pfbpf_conf_parse_file() reads a pf.conf (the subset documented in
 * docs/pf.conf.5) into a struct pfbpf_conf: options, tables and rules with
 * lists already expanded into one struct pfbpf_rule each, as pfctl does.
 * Nothing here touches the kernel: `pfctl_bpf -n` is this library alone.
 *
 * pfbpf_conf_print() writes what `pfctl -nvf` writes (macros, options and
 * tables in the order they appear, then the rules); pfbpf_rule_print() writes
 * one rule the way `pfctl -sr` does.  The listing parses back to itself.
 */
#ifndef PFBPF_CONF_H
#define PFBPF_CONF_H

#include <stdio.h>
#include <stddef.h>
#include "pfbpf_rule.h"

#define PFBPF_ANCHOR_MAXPATH 256 /* "a/b/c" path of a ruleset, "" = main */
#define PFBPF_IFNAMSIZ 16

/* Table flags: the values of pf's PFR_TFLAG_* (pfbpf_ioctl.h). */
#define PFBPF_TFLAG_PERSIST 0x01
#define PFBPF_TFLAG_CONST 0x02
#define PFBPF_TFLAG_COUNTERS 0x40

/* One table entry: an address or network, possibly negated (`!a`). */
struct pfbpf_table_addr {
	struct pf_addr addr; /* network byte order, host bits zero */
	__u8 af;             /* PF_INET / PF_INET6 */
	__u8 prefixlen;
	__u8 neg;
	__u8 pad;
};

/* Where a run of a table's addresses came from, to print the table as written. */
struct pfbpf_table_src {
	char *file;          /* `file "path"` as written, NULL for `{ ... }` */
	size_t first, count; /* range in pfbpf_conf_table.addrs */
};

struct pfbpf_conf_table {
	char name[PF_TABLE_NAME_SIZE];
	char anchor[PFBPF_ANCHOR_MAXPATH]; /* ruleset that defines it, "" = main */
	__u32 flags;                       /* PFBPF_TFLAG_* */
	struct pfbpf_table_addr *addrs;    /* inline entries and those read from files */
	size_t naddrs;
	struct pfbpf_table_src *srcs;
	size_t nsrcs;
	int line;                          /* where it was defined */
};

/* pfbpf_conf_options.set: which options the file set. */
#define PFBPF_OPT_BLOCK_POLICY 0x01
#define PFBPF_OPT_STATE_POLICY 0x02
#define PFBPF_OPT_DEBUG 0x04
#define PFBPF_OPT_HOSTID 0x08
#define PFBPF_OPT_SKIP 0x10
#define PFBPF_OPT_PFBPF_IFS 0x20
#define PFBPF_OPT_SYNCOOKIES 0x40

struct pfbpf_conf_options {
	__u32 timeout[PFTM_MAX];    /* seconds, valid where timeout_set has 1 << PFTM_* */
	__u32 timeout_set;
	__u32 limit[PF_LIMIT_MAX];  /* valid where limit_set has 1 << PF_LIMIT_* */
	__u32 limit_set;
	__u32 set;                  /* PFBPF_OPT_* */
	__u32 block_policy;         /* PF_BLOCK_DROP / PF_BLOCK_RETURN */
	__u32 state_policy;         /* PF_STATE_FLOATING / PF_STATE_IFBOUND */
	__u32 debug;                /* PF_DEBUG_* */
	__u32 hostid;
	char (*skip)[PFBPF_IFNAMSIZ]; /* `set skip on`: interfaces (last `set skip` wins) */
	size_t nskip;
	/* `set pfbpf interfaces`: where pfbpf.service attaches (pfbpf's own
	 * option; the last one wins). */
	char (*pfbpf_ifs)[PFBPF_IFNAMSIZ];
	size_t npfbpf_ifs;
	/* `set syncookies`: PF_SYNCOOKIES_* (pfbpf_syncookie.h); adaptive's
	 * start and end in hundredths of a percent (pf's defaults 25%, 12%) */
	__u32 syncookies;
	__u32 syncookies_start, syncookies_end;
};

/*
 * An anchor rule: `anchor "name" [filter]` in ruleset `parent`, sitting at
 * rule number `nr` there (it takes a rule number, as in pf, so the numbers
 * of the rules around it match pfctl's).  Inline anchors (`anchor "x" { }`)
 * have has_body set and their rules carry path `path` in rule_anchor[].
 */
struct pfbpf_conf_anchor {
	char path[PFBPF_ANCHOR_MAXPATH];   /* full path of the called ruleset */
	char parent[PFBPF_ANCHOR_MAXPATH]; /* ruleset holding the anchor rule */
	char name[PFBPF_ANCHOR_MAXPATH];   /* as written (relative to parent) */
	__u32 nr;
	int has_body;
	int line;
	struct pfbpf_rule filter;          /* match fields of the anchor rule itself */
};

/* Declarations other than rules, in file order, for printing like pfctl -nv. */
enum pfbpf_decl_kind {
	PFBPF_DECL_MACRO = 1,        /* idx: macros[] */
	PFBPF_DECL_TIMEOUT,          /* idx: PFTM_*, value */
	PFBPF_DECL_LIMIT,            /* idx: PF_LIMIT_*, value */
	PFBPF_DECL_BLOCK_POLICY,     /* value */
	PFBPF_DECL_STATE_POLICY,     /* value */
	PFBPF_DECL_DEBUG,            /* value */
	PFBPF_DECL_HOSTID,           /* value */
	PFBPF_DECL_SKIP,             /* idx, value: first and count in skip_log */
	PFBPF_DECL_TABLE,            /* idx: tables[] */
	PFBPF_DECL_PFBPF_IFS,        /* idx, value: first and count in skip_log */
	PFBPF_DECL_SYNCOOKIES,       /* value: mode; options.syncookies_start/end */
};

struct pfbpf_conf_decl {
	__u32 kind;
	__u32 idx;
	__u32 value;
};

struct pfbpf_conf_macro {
	char *name;
	char *value;
};

/*
 * Notes on the rules produced (struct pfbpf_rule, include/pfbpf_rule.h):
 *  - lists are expanded; af is set from the addresses when the rule has none;
 *  - pass rules have keep_state NORMAL unless `no state`, and stateful pass
 *    rules for TCP or any protocol have flags S/SA unless flags were given;
 *  - a plain block takes rule_flag from `set block-policy` written before it;
 *  - return-icmp: return_icmp_type says whose code return_icmp_code is:
 *    3 (ICMP unreach): the ICMP code, ICMPv6 answers use port-unr (4);
 *    1 (ICMPv6 unreach): the ICMPv6 code, ICMP answers use port-unr (3);
 *  - nr counts per ruleset (main "" or an anchor path), anchor rules take a
 *    number too, so numbers match pfctl's; nat, rdr and binat rules (and
 *    their no forms) count in rulesets of their own, as in pf;
 *  - translation (conf_nat.c): nat has direction PF_OUT, rdr PF_IN, binat
 *    PF_OUT (bidirectional in the datapath), all keep_state NORMAL; pass
 *    and match rules with nat-to/rdr-to/binat-to keep their action and set
 *    xlate (nat-to rules are `out`, rdr-to `in`, binat-to have no
 *    direction: both ways, as OpenBSD); match rules never keep state.  rpool.proxy_port: nat's range
 *    (PF_NAT_PROXY_PORT_LOW..HIGH when none is written, 0:0 and
 *    PF_POOL_STATICPORT with static-port), rdr's target port [0] (0 = keep)
 *    and range end [1] (Q + P2 - P for `Q:*`) or 0.  rpool.opts has
 *    PF_POOL_ROUNDROBIN where pfctl implies it (lists, tables, `(if)`);
 *    source-hash without a key has key_set 0.  The pool is
 *    pool_addrs[rpool.first .. first + naddrs), only addresses of the
 *    rule's family;
 *  - `(if)` addresses are PFBPF_ADDR_DYNIF (name in addr.table), the bare
 *    interface forms and `self` are already resolved into MASK addresses.
 */
struct pfbpf_conf {
	struct pfbpf_rule *rules;  /* every ruleset's rules, in file order */
	char (*rule_anchor)[PFBPF_ANCHOR_MAXPATH]; /* per rule: its ruleset, "" = main */
	int *rule_line;            /* per rule: line of the pf.conf rule it came from */
	size_t nrules;

	struct pfbpf_conf_table *tables;
	size_t ntables;

	struct pfbpf_conf_anchor *anchors;
	size_t nanchors;

	struct pfbpf_conf_options options;

	/* Translation pools: rule.rpool.first/naddrs index into this. */
	struct pfbpf_pool_addr *pool_addrs;
	size_t npool_addrs;

	/* For the printer. */
	struct pfbpf_conf_macro *macros;
	size_t nmacros;
	struct pfbpf_conf_decl *decls;
	size_t ndecls;
	char (*skip_log)[PFBPF_IFNAMSIZ]; /* every `set skip` list, in order */
	size_t nskip_log;
};

struct pfbpf_conf_opts {
	const char *const *defines; /* "name=value" (pfctl -D), override the file's */
	size_t ndefines;
	const char *table_dir;      /* relative `file "x"` paths are taken from here
				     * (NULL: the current directory, as pfctl) */
	int implicit_tables;        /* a <table> used but not defined is created
				     * empty, as pf does; default: an error */
	int no_files;               /* refuse `include` and table `file`s
				     * (fuzzing, or text from an untrusted source) */
};

struct pfbpf_conf_error {
	char file[256];
	int line, column;   /* 1-based; 0 when the error has no place (I/O) */
	char token[64];     /* the token at fault, "" if none */
	char msg[256];      /* full message, e.g. "syntax error near 'xyz'" */
};

/* Return 0 or a negative errno: -EINVAL for a bad config (err says why and
 * where), -ENOENT/-EACCES... when a file cannot be read, -ENOMEM. */
int pfbpf_conf_parse_file(const char *path, const struct pfbpf_conf_opts *opts,
			  struct pfbpf_conf **out, struct pfbpf_conf_error *err);
int pfbpf_conf_parse_string(const char *text, const char *name,
			    const struct pfbpf_conf_opts *opts,
			    struct pfbpf_conf **out, struct pfbpf_conf_error *err);
void pfbpf_conf_free(struct pfbpf_conf *c);

/* "pf.conf:12:5: syntax error near 'xyz'" into buf; returns buf. */
const char *pfbpf_conf_strerror(const struct pfbpf_conf_error *err, char *buf, size_t len);

/*
 * Printing.  verbose: 0 or 1 prints rules as `pfctl -sr` / `pfctl -nvf`
 * do, 2 and more prefixes each rule with its number ("@3 pass ...") as
 * `pfctl -vv` does.  Or in PFBPF_PRINT_NUMERIC to print ports as numbers
 * instead of service names (pfctl prints names for = and !=).
 */
#define PFBPF_PRINT_NUMERIC 0x100
#define PFBPF_PRINT_VLEVEL(v) ((v) & 0xff)

int pfbpf_rule_print(FILE *f, const struct pfbpf_rule *r, int verbose);
/* The same with the rule's pool: pool[0 .. r->rpool.naddrs) (nat, rdr,
 * binat, nat-to ...); pfbpf_rule_print() writes `?` for the addresses. */
int pfbpf_rule_print_pool(FILE *f, const struct pfbpf_rule *r, const struct pfbpf_pool_addr *pool,
			  int verbose);
/* An anchor rule: `anchor "call" [filter]` (`anchor [filter]` for pf's
 * anonymous "_N" anchors), the filter's fields taken from r. */
int pfbpf_anchor_rule_print(FILE *f, const struct pfbpf_rule *r, const char *call, int verbose);
int pfbpf_conf_print(FILE *f, const struct pfbpf_conf *c, int verbose);
/* One table definition line, `table <x> persist { 192.0.2.1 !192.0.2.2 }`. */
int pfbpf_table_print(FILE *f, const struct pfbpf_conf_table *t);
/* An address as pfctl prints it: "any", "192.0.2.0/24", "<tbl>". */
int pfbpf_addr_print(FILE *f, const struct pfbpf_addr_spec *a);

/*
 * The parser's name tables (static, so output does not depend on the
 * host's /etc/services or /etc/protocols).  Prefixed pfbpf_conf_ so they
 * never clash with the loader's or libpfbpf's own name helpers.
 */
const char *pfbpf_conf_timeout_name(int pftm);  /* "tcp.first", NULL if none */
int pfbpf_conf_timeout_lookup(const char *name); /* PFTM_* or -1 */
const char *pfbpf_conf_limit_name(int lim);      /* "states" */
int pfbpf_conf_limit_lookup(const char *name);
const char *pfbpf_conf_proto_name(int proto);    /* "tcp", NULL if unknown */
int pfbpf_conf_proto_lookup(const char *name);   /* number or -1 */
const char *pfbpf_conf_service_name(int port, int proto); /* port host order */
int pfbpf_conf_service_lookup(const char *name, int proto);

/* Fuzzing entry point: parse a buffer, free everything, return the result. */
int pfbpf_conf_fuzz_one(const char *data, size_t len);

#endif /* PFBPF_CONF_H */
