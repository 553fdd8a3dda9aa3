/* SPDX-License-Identifier: BSD-2-Clause */
/* axip-sock-hello IFNAME [PORT] - the smallest TCP server on axip's sockets over
 * AF_XDP: answers every connection with one line and closes (docs/api.md). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <axip/xdp.h>

int main(int argc, char **argv)
{
	struct axip_xdp_opts o;
	struct axip_xdp *x;
	char err[256];
	axip_xdp_opts_defaults(&o);
	o.ifname = argc > 1 ? argv[1] : "eth0";
	uint16_t port = argc > 2 ? (uint16_t)atoi(argv[2]) : 8080;
	if (axip_xdp_open(&o, &x, err, sizeof err) != 0) {
		fprintf(stderr, "axip-sock-hello: %s\n", err);
		return 1;
	}
	axip_xdp_add_rule(x, IPPROTO_TCP, port); /* steer the port to axip */
	struct axip_xdp_worker *w = axip_xdp_worker(x, 0);
	struct axip_stack *s = axip_xdp_worker_stack(w);
	struct axip_sockaddr a = { .family = AXIP_AF_INET, .port = port };
	int l = axip_socket(s, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	if (axip_bind(s, l, &a) < 0 || axip_listen(s, l, 128) < 0)
		return 1;
	for (;;) { /* the stack runs in this thread: receive, timers, then the application */
		axip_time_ns now = axip_xdp_now();
		axip_xdp_rx_batch(w, now);
		axip_time_ns next = axip_xdp_poll_timers(w, now);
		int c;
		while ((c = axip_accept(s, l, NULL)) >= 0) {
			axip_send(s, c, "hello from axip\n", 16, 0);
			axip_close(s, c); /* graceful: FIN after the line */
		}
		axip_xdp_flush(w);
		axip_xdp_wait(w, next); /* sleeps until a frame arrives or a timer is due */
	}
}
