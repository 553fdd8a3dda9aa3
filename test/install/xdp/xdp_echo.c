/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xdp_echo - built out of tree against an installed axip with
 * find_package(axip) and axip::xdp (test/install/install.sh): attaches to
 * IFNAME over AF_XDP and echoes COUNT UDP datagrams on PORT, driving its one
 * worker from the main thread with the library's loop building blocks.
 * usage: xdp_echo IFNAME PORT COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <axip/xdp.h>
#include <axip/version.h>

static unsigned echoed;

static void on_datagram(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m,
                        struct axip_pkt *payload)
{
	static unsigned char buf[2048];
	axip_u32 n = axip_pkt_copy_out(payload, 0, buf, sizeof buf);
	axip_pkt_free(arg, payload);
	if (axip_udp_sendto(sock, m->src_addr, m->src_port, buf, n) == AXIP_OK)
		echoed++;
}

int main(int argc, char **argv)
{
	struct axip_xdp_opts o;
	struct axip_xdp *x;
	struct axip_xdp_worker *w;
	struct axip_udp *sock;
	axip_time_ns end;
	char err[256];
	unsigned count;
	uint16_t port;
	if (argc != 4) {
		fprintf(stderr, "usage: xdp_echo IFNAME PORT COUNT\n");
		return 2;
	}
	port = (uint16_t)atoi(argv[2]);
	count = (unsigned)atoi(argv[3]);
	axip_xdp_opts_defaults(&o);
	o.ifname = argv[1];
	if (axip_xdp_open(&o, &x, err, sizeof err)) {
		fprintf(stderr, "xdp_echo: %s\n", err);
		return 1;
	}
	w = axip_xdp_worker(x, 0);
	if (axip_xdp_add_rule(x, IPPROTO_UDP, port) ||
	    axip_udp_open(axip_xdp_worker_stack(w), 0, port, on_datagram, axip_xdp_worker_stack(w), &sock)) {
		fprintf(stderr, "xdp_echo: cannot serve UDP port %u\n", port);
		axip_xdp_close(x);
		return 1;
	}
	/* the line test/net/lib.sh's wait_attached looks for */
	printf("xdp_echo: axip %s (headers %s): attached to %s, echoing UDP port %u\n",
	       axip_version(), AXIP_VERSION, argv[1], port);
	fflush(stdout);
	end = axip_xdp_now() + AXIP_MS(30000);
	while (echoed < count && axip_xdp_now() < end) {
		axip_time_ns now = axip_xdp_now(), next;
		unsigned got = axip_xdp_rx_batch(w, now);
		next = axip_xdp_poll_timers(w, now);
		if (!got)
			axip_xdp_wait(w, next < now + AXIP_MS(100) ? next : now + AXIP_MS(100));
	}
	axip_xdp_flush(w);
	axip_xdp_close(x);
	printf("xdp_echo: echoed %u datagrams\n", echoed);
	return echoed >= count ? 0 : 1;
}
