/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-tcp-echo - TCP echo server (RFC 862) on an interface through AF_XDP,
 * on axip's sockets (axip/sock.h).
 *
 * Every worker listens on the port with its own stack instance and interest
 * set; a connection stays on the worker whose queue received its SYN. Each
 * round of the worker loop takes the ready sockets and relays received data
 * back without a copy: axip_recv_zc takes at most what the send buffer has
 * room for and axip_send_zc queues those very buffers. What does not fit
 * stays unread, so the receive window closes and a slow reader throttles its
 * own sender; the edge-triggered interest reports the freed space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <axip/runner.h>
#include <axip/xdp.h>
#include "example_cli.h"

struct echo_worker {
	struct axip_stack *s;
	int listener;
	int ep;
};

static struct echo_worker workers[AXIP_XDP_MAX_WORKERS];

/* Echo what fits; close at the end of the stream or on an error. */
static void echo(struct axip_stack *s, int fd)
{
	for (;;) {
		struct axip_pkt *data;
		int room = axip_sock_wspace(s, fd), n;
		if (room <= 0)
			return; /* the socket reports AXIP_EV_OUT when space frees */
		n = axip_recv_zc(s, fd, &data, (axip_u32)room, NULL);
		if (n == -AXIP_EAGAIN)
			return;
		if (n <= 0) {
			axip_close(s, fd); /* end of stream: FIN after the echoed data */
			return;
		}
		if (axip_send_zc(s, fd, data, 0, NULL) < 0) {
			axip_pkt_free(s, data);
			axip_close(s, fd);
			return;
		}
	}
}

static void accept_all(struct echo_worker *e)
{
	int fd;
	while ((fd = axip_accept(e->s, e->listener, NULL)) >= 0) {
		struct axip_epoll_event ev = { AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_ET,
		                               (axip_u64)fd };
		if (axip_epoll_ctl(e->s, e->ep, AXIP_EPOLL_CTL_ADD, fd, &ev) < 0) {
			axip_close(e->s, fd);
			continue;
		}
		echo(e->s, fd);
	}
}

static int echo_poll(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct echo_worker *e = &workers[axip_xdp_worker_index(w)];
	struct axip_epoll_event ev[64];
	int i, n = axip_epoll_wait(e->s, e->ep, ev, 64);
	(void)now;
	(void)arg;
	for (i = 0; i < n; i++) {
		if ((int)ev[i].data == e->listener)
			accept_all(e);
		else if (ev[i].events & (AXIP_EV_ERR | AXIP_EV_HUP))
			axip_close(e->s, (int)ev[i].data); /* reset or gone: nothing more to echo */
		else
			echo(e->s, (int)ev[i].data);
	}
	return n > 0;
}

static int setup(struct axip_xdp_worker *w, void *arg)
{
	uint16_t port = *(uint16_t *)arg;
	struct echo_worker *e = &workers[axip_xdp_worker_index(w)];
	/* with IPv6, one dual-stack listener on :: takes IPv4 peers too */
	int fam = axip_xdp_ip6(axip_xdp_worker_parent(w)) ? AXIP_AF_INET6 : AXIP_AF_INET;
	struct axip_sockaddr a = { .family = (axip_u16)fam, .port = port };
	struct axip_epoll_event ev = { AXIP_EV_IN, 0 };
	int rc;

	e->s = axip_xdp_worker_stack(w);
	e->listener = axip_socket(e->s, fam, AXIP_SOCK_STREAM, 0);
	e->ep = axip_epoll_create(e->s);
	rc = e->listener < 0 ? e->listener : e->ep < 0 ? e->ep : axip_bind(e->s, e->listener, &a);
	if (rc == 0)
		rc = axip_listen(e->s, e->listener, 4096);
	ev.data = (axip_u64)e->listener;
	if (rc == 0)
		rc = axip_epoll_ctl(e->s, e->ep, AXIP_EPOLL_CTL_ADD, e->listener, &ev);
	if (rc < 0) {
		fprintf(stderr, "axip-tcp-echo: worker %u: TCP port %u: %s\n", axip_xdp_worker_index(w),
		        port, strerror(-rc));
		return -1;
	}
	return 0;
}

/* Pool and ring sizes, to show what happens when they run out. */
static int opt_uint(const char *arg, unsigned long min, unsigned long max, unsigned *out)
{
	unsigned long v;
	if (cli_uint(arg, min, max, &v))
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int opt_tcp_conns(const char *arg, void *ctx)
{
	return opt_uint(arg, 1, 1u << 20, &((struct ex_cli *)ctx)->xo.stack_cfg.tcp_conns);
}

static int opt_syn_backlog(const char *arg, void *ctx)
{
	return opt_uint(arg, 1, 1u << 16, &((struct ex_cli *)ctx)->xo.stack_cfg.tcp_syn_backlog);
}

static int opt_umem_frames(const char *arg, void *ctx)
{
	return opt_uint(arg, 128, 1u << 20, &((struct ex_cli *)ctx)->xo.n_frames);
}

static int opt_ring_size(const char *arg, void *ctx)
{
	return opt_uint(arg, 64, 16384, &((struct ex_cli *)ctx)->xo.ring_size);
}

int main(int argc, char **argv)
{
	static const struct ex_extra_opt extra[] = {
		{ "tcp-conns", 1, "TCP connections per worker, TIME_WAIT included (default 1024)",
		  opt_tcp_conns },
		{ "syn-backlog", 1, "half-open connections per listener before SYN cookies (default 128)",
		  opt_syn_backlog },
		{ "umem-frames", 1, "UMEM frames per worker, a power of two >= 2 x ring size (default 8192)",
		  opt_umem_frames },
		{ "ring-size", 1, "entries of each AF_XDP ring, a power of two (default 2048)",
		  opt_ring_size },
		{ NULL, 0, NULL, NULL },
	};
	struct ex_cli c;
	struct axip_xdp *x;
	int rc;
	/* the handlers write into c, after ex_parse has set its defaults */
	ex_parse(&c, argc, argv, "TCP echo server (RFC 862) on axip over AF_XDP.", 7, extra, &c);
	/* a descriptor for every connection the pool holds, plus listener and set */
	if (c.xo.stack_cfg.sock_max < c.xo.stack_cfg.tcp_conns + 2u)
		c.xo.stack_cfg.sock_max = c.xo.stack_cfg.tcp_conns + 2u;
	x = ex_open(&c);
	rc = axip_xdp_add_rule(x, IPPROTO_TCP, c.port);
	if (!rc && axip_xdp_ip6(x))
		rc = axip_xdp_add_rule6(x, IPPROTO_TCP, c.port);
	if (rc) {
		fprintf(stderr, "%s: cannot add the steering rule for TCP port %u\n", c.prog, c.port);
		axip_xdp_close(x);
		return EX_FAIL;
	}
	fprintf(stderr, "%s: echoing TCP port %u\n", c.prog, c.port);
	{
		struct axip_runner_hooks hooks = { .setup = setup, .poll = echo_poll };
		rc = axip_runner_run_hooks(x, &hooks, &c.port);
	}
	axip_xdp_close(x);
	return rc ? EX_FAIL : EX_OK;
}
