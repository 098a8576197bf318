/* SPDX-License-Identifier: BSD-2-Clause */
/* conf_private.h - shared between the pf.conf parser and printer. */
#ifndef PFBPF_CONF_PRIVATE_H
#define PFBPF_CONF_PRIVATE_H

#include "pfbpf_conf.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct conf_icmp_name {
	const char *name;
	int value;
};

int conf_icmp_type_lookup(const char *name, int v6);
const char *conf_icmp_type_name(int type, int v6);
int conf_icmp_code_lookup(const char *name, int type, int v6);
const char *conf_icmp_code_name(int type, int code, int v6);

/* conf_syncookie.c: one `set syncookies` line; start, end in hundredths
 * of a percent. */
void conf_print_syncookies(FILE *f, __u32 mode, __u32 start, __u32 end);

/* ICMP unreach types: return_icmp_type says which family's code was given. */
#define CONF_ICMP4_UNREACH 3
#define CONF_ICMP6_UNREACH 1
#define CONF_ICMP4_PORT_UNR 3
#define CONF_ICMP6_PORT_UNR 4

/* Prints one rule; anchor_call names the anchor for `anchor "x"` rules;
 * pool: the rule's r->rpool.naddrs pool addresses (NULL: not known). */
void conf_print_rule(FILE *f, const struct pfbpf_rule *r, const char *anchor_call,
		     const struct pfbpf_pool_addr *pool, int verbose);
/* conf_nat_print.c: the rule's word ("nat", "no rdr", "match"), NULL for
 * pass and block; and its translation, as pfctl's print_pool writes it. */
const char *conf_xlate_action_name(const struct pfbpf_rule *r);
void conf_print_xlate(FILE *f, const struct pfbpf_rule *r, const struct pfbpf_pool_addr *pool);
/* An address (or network) without the `!`, into buf. */
void conf_format_addr(char *buf, size_t len, const struct pfbpf_addr_spec *a);
void conf_format_host(char *buf, size_t len, __u8 af, const struct pf_addr *addr,
		      __u8 prefixlen);

#endif /* PFBPF_CONF_PRIVATE_H */
