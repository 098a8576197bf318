// SPDX-License-Identifier: BSD-2-Clause
/*
 * table_fuzz - libFuzzer target for the table-file reader of
 * `pfctl_bpf -T add -f FILE` (user/pfctl/addr_file.c): any byte string is
 * read as a table file from memory.  It must come back as addresses or as
 * an error; what it returns must be addresses pfctl could print (a known
 * family, a prefix no longer than the family's).  Its error messages are
 * many: the runs close its stderr (-close_fd_mask=2), libFuzzer keeps its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "pfctl/pfctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	struct pfctl_taddr *a;
	size_t n;

	if (!f)
		return 0;
	if (!pfctl_read_addrs(f, "fuzz", &a, &n)) {
		for (size_t i = 0; i < n; i++) {
			if ((a[i].af != PF_INET && a[i].af != PF_INET6) ||
			    a[i].net > (a[i].af == PF_INET ? 32 : 128))
				abort();
		}
		free(a);
	}
	fclose(f);
	return 0;
}
