/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-xdp-detach - remove axip's XDP steering program from an interface
 * (left behind when an axip process was killed with SIGKILL). Other XDP
 * programs on the interface are left alone.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <axip/xdp.h>
#include "cli_opt.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: axip-xdp-detach --ifname IFNAME | --help | --version\n"
	           "Remove axip's XDP steering program from IFNAME (run in the interface's\n"
	           "network namespace, e.g. with ip netns exec). Exit status: 0 removed,\n"
	           "1 error, 2 bad arguments, 3 no axip program was attached.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL;
	char err[256];
	int c, rc;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': cli_version("axip-xdp-detach"); return 0;
		default: cli_bad_option("axip-xdp-detach", c, argv);
		}
	}
	if (optind != argc)
		cli_bad_arg("axip-xdp-detach", "argument", argv[optind]);
	if (!ifname) {
		fprintf(stderr, "axip-xdp-detach: --ifname is required (see --help)\n");
		return CLI_EXIT_USAGE;
	}
	rc = axip_xdp_detach_stale(ifname, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "axip-xdp-detach: %s\n", err[0] ? err : strerror(-rc));
		return 1;
	}
	printf(rc == 0 ? "removed axip XDP program from %s\n" : "no axip XDP program on %s\n", ifname);
	return rc == 0 ? 0 : 3;
}
