/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * collect.h - one scrape: read pf's counters through libpfbpf and write
 * them as Prometheus metrics, with pf_exporter's names where it has one.
 */
#ifndef PFBPF_EXPORTER_COLLECT_H
#define PFBPF_EXPORTER_COLLECT_H

#include <stdio.h>

/*
 * Write every metric of the pf instance pinned at pin_dir (NULL: the
 * default) to f.  When the datapath cannot be read, f still gets a valid
 * document with pf_up 0, and *why (if not NULL) points at the reason
 * (static storage, valid until the next call).  Returns 0 when pf was
 * read, -1 when only pf_up 0 was written.
 */
int pfx_collect(FILE *f, const char *pin_dir, const char **why);

#endif /* PFBPF_EXPORTER_COLLECT_H */
