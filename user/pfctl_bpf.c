// SPDX-License-Identifier: BSD-2-Clause
/*
 * pfctl_bpf - pfctl for the BPF datapath.  The tool is pfctl_main() in
 * libpfcli (user/pfctl/cli.c), which the CLI tests call as they are.
 */
int pfctl_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return pfctl_main(argc, argv);
}
