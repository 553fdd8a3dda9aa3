/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xdp_steer6 - attach the steering program through libaxip_xdp, give it one
 * IPv6 address with steer_set_cfg (the call the backend makes when the
 * interface's addresses change) and an IPv6 rule, then wait for SIGTERM and
 * print the steering counters (test/net/xdp_steer6.sh drives the traffic).
 * The IPv6 side of the backend is not needed: only the program's verdicts,
 * as its counters tell them, are looked at.
 *
 * usage: xdp_steer6 IFNAME ADDR6 shared|dedicated UDP_PORT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <axip/xdp.h>
#include "xdp_internal.h"
#include "steer.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	struct axip_xdp_opts o;
	struct axip_xdp *x;
	struct axip_steer_cfg c;
	char err[256];
	__u32 zero = 0;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: xdp_steer6 IFNAME ADDR6 shared|dedicated UDP_PORT\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	axip_xdp_opts_defaults(&o);
	o.ifname = argv[1];
	if (axip_xdp_open(&o, &x, err, sizeof err) != 0) {
		fprintf(stderr, "xdp_steer6: %s\n", err);
		return 3;
	}
	memset(&c, 0, sizeof c);
	if (bpf_map_lookup_elem(x->steer.fd_cfg, &zero, &c) != 0 ||
	    inet_pton(AF_INET6, argv[2], c.addrs6[0]) != 1) {
		fprintf(stderr, "xdp_steer6: cfg map or address %s\n", argv[2]);
		return 3;
	}
	c.n_addrs6 = 1;
	if (strcmp(argv[3], "dedicated") == 0)
		c.flags |= AXIP_STEER_F_DEDICATED6;
	rc = steer_set_cfg(&x->steer, &c);
	if (rc == 0)
		rc = axip_xdp_add_rule6(x, IPPROTO_UDP, (uint16_t)atoi(argv[4]));
	if (rc != 0) {
		fprintf(stderr, "xdp_steer6: steer_set_cfg/axip_xdp_add_rule6: %s\n", strerror(-rc));
		return 3;
	}
	/* too many addresses: refused, the entry stays as it was */
	c.n_addrs6 = AXIP_STEER_MAX_ADDRS6 + 1;
	if (steer_set_cfg(&x->steer, &c) != -EINVAL) {
		fprintf(stderr, "xdp_steer6: steer_set_cfg took n_addrs6 %u\n", c.n_addrs6);
		return 1;
	}
	printf("xdp_steer6: ready (%s %s)\n", argv[3], argv[2]);
	fflush(stdout);
	while (!stop)
		pause();
	axip_xdp_print_steering(x, stdout);
	axip_xdp_close(x);
	return 0;
}
