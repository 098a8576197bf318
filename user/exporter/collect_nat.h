/* SPDX-License-Identifier: BSD-2-Clause */
/* collect_nat.h - the translation counters as metrics (collect_nat.c). */
#ifndef PFBPF_EXPORTER_COLLECT_NAT_H
#define PFBPF_EXPORTER_COLLECT_NAT_H

#include <stdio.h>
#include "pfctl/pfctl.h"

void pfx_emit_nat(FILE *f, const struct pfctl_status *s);

#endif
