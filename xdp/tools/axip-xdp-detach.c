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

static void usage(FILE *f)
{
	fprintf(f, "usage: axip-xdp-detach --ifname IFNAME\n"
	           "Remove axip's XDP steering program from IFNAME (run in the interface's\n"
	           "network namespace, e.g. with ip netns exec). Exit status: 0 removed,\n"
	           "1 error, 2 bad arguments, 3 no axip program was attached.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL;
	char err[256];
	int c, rc;
	while ((c = getopt_long(argc, argv, "i:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!ifname || optind != argc) {
		usage(stderr);
		return 2;
	}
	rc = axip_xdp_detach_stale(ifname, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "axip-xdp-detach: %s\n", err[0] ? err : strerror(-rc));
		return 1;
	}
	printf(rc == 0 ? "removed axip XDP program from %s\n" : "no axip XDP program on %s\n", ifname);
	return rc == 0 ? 0 : 3;
}
