// SPDX-License-Identifier: BSD-2-Clause
/*
 * collect_nat.c - the translation counters (pf_natstat, summed over CPUs)
 * as metrics: translations made, map failures, stale pairs repaired, and
 * the port-allocation tries histogram operators watch when a pool runs
 * hot.  pf_exporter has no such names: these are pfbpf's own.  The
 * histogram keeps -si -v's buckets as a label (`tries="2-3"`) rather than
 * Prometheus' cumulative `le` form, so it reads the same in both places.
 */
#include "pfctl/kern.h"
#include "lib/pf_names.h"
#include "exporter/prom.h"
#include "exporter/collect_nat.h"

void pfx_emit_nat(FILE *f, const struct pfctl_status *s)
{
	struct prom_labels l = { .name = { "tries" } };
	char label[24];

	if (!s->has_nat)
		return;
	prom_single(f, "pf_nat_translations_total", PROM_COUNTER,
		    "Translating states created (nat, rdr, binat, nat-to ...)",
		    (double)s->nat.translations);
	prom_single(f, "pf_nat_map_failed_total", PROM_COUNTER,
		    "New translations refused: no free address or port (map-failed)",
		    (double)s->nat.map_failed);
	prom_single(f, "pf_nat_pairs_repaired_total", PROM_COUNTER,
		    "Key pairs removed because the LRU had evicted their state",
		    (double)s->nat.pair_repaired);
	prom_family(f, "pf_nat_port_tries_total", PROM_COUNTER,
		    "Port allocations by the number of candidates tried (last: failed)");
	for (int i = 0; i < PF_NAT_TRY_BUCKETS; i++) {
		pf_nat_tries_label(label, sizeof(label), i);
		l.value[0] = label;
		prom_sample(f, "pf_nat_port_tries_total", &l, (double)s->nat.tries[i]);
	}
}
