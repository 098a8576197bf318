// SPDX-License-Identifier: BSD-2-Clause
/*
 * pfconf-print - parse a pf.conf and print it as `pfctl -nvf` does.
 * A stand-in for `pfctl_bpf -nvf` so the parser's golden files can run
 * before (and without) the rest of pfctl_bpf.
 *
 *   pfconf-print [-n] [-v[v]] [-N] [-D macro=value]... [-T tabledir] [-I] -f file
 *
 * -N prints ports as numbers, -I creates undefined tables as pf does.
 * Exit status 0 on success, 1 if the file does not parse (message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "pfbpf_conf.h"

static void usage(void)
{
	fprintf(stderr, "usage: pfconf-print [-nvNI] [-D macro=value] [-T tabledir] -f file\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *defs[64];
	struct pfbpf_conf_opts opts = { .defines = defs };
	struct pfbpf_conf_error err;
	struct pfbpf_conf *c;
	const char *file = NULL;
	int verbose = 0, numeric = 0, opt, rc;
	char buf[1024];

	while ((opt = getopt(argc, argv, "nvND:T:If:")) != -1) {
		switch (opt) {
		case 'n':
			break;
		case 'v':
			verbose++;
			break;
		case 'N':
			numeric = PFBPF_PRINT_NUMERIC;
			break;
		case 'D':
			if (opts.ndefines == 64)
				usage();
			defs[opts.ndefines++] = optarg;
			break;
		case 'T':
			opts.table_dir = optarg;
			break;
		case 'I':
			opts.implicit_tables = 1;
			break;
		case 'f':
			file = optarg;
			break;
		default:
			usage();
		}
	}
	if (!file || optind != argc)
		usage();
	rc = pfbpf_conf_parse_file(file, &opts, &c, &err);
	if (rc) {
		fprintf(stderr, "%s\n", pfbpf_conf_strerror(&err, buf, sizeof(buf)));
		return 1;
	}
	/* like pfctl: -n alone prints nothing, -v lists, -vv numbers the rules */
	if (verbose)
		pfbpf_conf_print(stdout, c, verbose | numeric);
	pfbpf_conf_free(c);
	return 0;
}
