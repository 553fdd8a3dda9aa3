/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-udp-echo - UDP echo server (RFC 862) on an interface through AF_XDP.
 * Every worker binds the port on its own stack instance (IPv4, and IPv6 when
 * the instance has it); datagrams are sent
 * back from the buffer they arrived in (no copy) when it has the headroom.
 */
#include <stdio.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <axip/runner.h>
#include <axip/xdp.h>
#include "example_cli.h"

static void on_datagram(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m,
                        struct axip_pkt *payload)
{
	struct axip_stack *s = arg;
	int v6 = m->family == 6;
	if (!payload->sg_next && payload->headroom >= AXIP_PKT_HEADROOM) {
		/* takes payload */
		if (v6)
			(void)axip_udp_send_pkt6(sock, m->src_addr6, m->src_port, payload);
		else
			(void)axip_udp_send_pkt(sock, m->src_addr, m->src_port, payload);
		return;
	}
	/* fragmented datagram: a chain of buffers, copied into a fresh one */
	{
		static _Thread_local unsigned char buf[65536];
		axip_u32 n = axip_pkt_copy_out(payload, 0, buf, sizeof buf);
		axip_pkt_free(s, payload);
		if (v6)
			(void)axip_udp_sendto6(sock, m->src_addr6, m->src_port, buf, n);
		else
			(void)axip_udp_sendto(sock, m->src_addr, m->src_port, buf, n);
	}
}

static int setup(struct axip_xdp_worker *w, void *arg)
{
	uint16_t port = *(uint16_t *)arg;
	struct axip_stack *s = axip_xdp_worker_stack(w);
	struct axip_udp *sock;
	static const axip_u8 any6[16];
	int rc = axip_udp_open(s, 0, port, on_datagram, s, &sock);
	/* IPv4 and IPv6 ports are separate: one socket each */
	if (rc == AXIP_OK && axip_xdp_ip6(axip_xdp_worker_parent(w)))
		rc = axip_udp_open6(s, any6, port, on_datagram, s, &sock);
	if (rc != AXIP_OK) {
		fprintf(stderr, "axip-udp-echo: worker %u: UDP port %u: %s\n", axip_xdp_worker_index(w),
		        port, axip_strerror(rc));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ex_cli c;
	struct axip_xdp *x;
	int rc;
	ex_parse(&c, argc, argv, "UDP echo server (RFC 862) on axip over AF_XDP.", 7, NULL, NULL);
	x = ex_open(&c);
	rc = axip_xdp_add_rule(x, IPPROTO_UDP, c.port);
	if (!rc && axip_xdp_ip6(x))
		rc = axip_xdp_add_rule6(x, IPPROTO_UDP, c.port);
	if (rc) {
		fprintf(stderr, "%s: cannot add the steering rule for UDP port %u\n", c.prog, c.port);
		axip_xdp_close(x);
		return EX_FAIL;
	}
	fprintf(stderr, "%s: echoing UDP port %u\n", c.prog, c.port);
	rc = axip_runner_run(x, setup, &c.port);
	axip_xdp_close(x);
	return rc ? EX_FAIL : EX_OK;
}
