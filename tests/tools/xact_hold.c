/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xact_hold.c - a pf client that dies in the middle of a transaction, for
 * tests/netns/reliability_faults.sh.  It opens the datapath, begins a
 * filter transaction (DIOCXBEGIN), adds N `block` rules under the ticket
 * (DIOCADDRULE), prints "held <ticket>" and waits for the SIGKILL the test
 * sends it.  Nothing is ever committed: the point is that a client killed
 * between DIOCXBEGIN and DIOCXCOMMIT leaves the active ruleset as it was
 * and the next transaction free to commit.
 *
 *	xact_hold [N]		(PFBPF_PIN_DIR as for every pfbpf tool)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfbpf.h"

int main(int argc, char **argv)
{
	struct pfioc_trans_e e = { .rs_num = PF_RULESET_FILTER };
	struct pfioc_trans t = { .size = 1, .esize = sizeof(e), .array = &e };
	int n = argc > 1 ? atoi(argv[1]) : 1;
	int dev, i;

	dev = pfbpf_open("/dev/pf", O_RDWR);
	if (dev < 0) {
		fprintf(stderr, "xact_hold: cannot open the datapath: %s\n",
			pfbpf_strerror(-1));
		return 1;
	}
	if (pfbpf_ioctl(dev, DIOCXBEGIN, &t)) {
		fprintf(stderr, "xact_hold: DIOCXBEGIN: %s\n", pfbpf_strerror(dev));
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct pfioc_rule pr = { .ticket = e.ticket };

		/* `block all`: had it leaked into the active ruleset, every
		 * packet the test sends afterwards would be dropped. */
		pr.rule.action = PF_DROP;
		pr.rule.quick = 1;
		snprintf(pr.rule.label, sizeof(pr.rule.label), "held%d", i);
		if (pfbpf_ioctl(dev, DIOCADDRULE, &pr)) {
			fprintf(stderr, "xact_hold: DIOCADDRULE %d: %s\n", i,
				pfbpf_strerror(dev));
			return 1;
		}
	}
	printf("held %u\n", e.ticket);
	fflush(stdout);
	for (;;)
		pause();
}
