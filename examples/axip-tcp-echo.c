/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-tcp-echo - TCP echo server (RFC 862) on an interface through AF_XDP.
 *
 * Every worker listens on the port with its own stack instance; a connection
 * stays on the worker whose queue received its SYN. Received data goes back
 * without a copy (axip_tcp_send of the received buffers) when the send
 * buffer has room; otherwise the part that fits is copied and the rest waits
 * for the `sent` callback. The receive window is reopened only for bytes
 * queued for sending, so a slow reader throttles its own sender.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <axip/runner.h>
#include <axip/xdp.h>
#include "example_cli.h"

struct echo_conn {
	struct axip_stack *s;
	struct axip_pkt *pending; /* received, not yet queued for sending */
	int peer_done;            /* FIN received: shut down once pending is out */
};

/* Drop the first n bytes of a chain, releasing emptied buffers. */
static struct axip_pkt *chain_pull(struct axip_stack *s, struct axip_pkt *p, axip_u32 n)
{
	while (p && n) {
		if (n < p->len) {
			p->data += n;
			p->len -= n;
			return p;
		}
		n -= p->len;
		{
			struct axip_pkt *next = p->sg_next;
			p->sg_next = NULL;
			axip_pkt_free(s, p);
			p = next;
		}
	}
	return p;
}

static void flush(struct echo_conn *e, struct axip_tcp *c)
{
	static _Thread_local unsigned char buf[65536];
	while (e->pending) {
		axip_u32 len = axip_pkt_chain_len(e->pending), room;
		int rc;
		if (len == 0) {
			axip_pkt_free(e->s, e->pending);
			e->pending = NULL;
			break;
		}
		rc = axip_tcp_send(c, e->pending, 0);
		if (rc == AXIP_OK) { /* zero-copy: the core owns the buffers now */
			e->pending = NULL;
			axip_tcp_recved(c, len);
			break;
		}
		if (rc != AXIP_E_AGAIN) {
			axip_tcp_abort(c);
			return;
		}
		/* the whole chain does not fit: copy the part that does */
		room = axip_tcp_sndbuf_free(c);
		if (room > sizeof buf)
			room = sizeof buf;
		if (room == 0)
			return; /* wait for `sent` */
		room = axip_pkt_copy_out(e->pending, 0, buf, room);
		rc = axip_tcp_write(c, buf, room, 0);
		if (rc <= 0) {
			if (rc != AXIP_E_AGAIN && rc != 0)
				axip_tcp_abort(c);
			return;
		}
		e->pending = chain_pull(e->s, e->pending, (axip_u32)rc);
		axip_tcp_recved(c, (axip_u32)rc);
	}
	if (!e->pending && e->peer_done == 1) {
		e->peer_done = 2;
		(void)axip_tcp_close(c);
	}
}

static void on_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct echo_conn *e = arg;
	if (e->pending) {
		struct axip_pkt *t = e->pending;
		while (t->sg_next)
			t = t->sg_next;
		t->sg_next = data;
	} else {
		e->pending = data;
	}
	flush(e, c);
}

static void on_sent(void *arg, struct axip_tcp *c, axip_u32 acked)
{
	(void)acked;
	flush(arg, c);
}

static void on_peer_closed(void *arg, struct axip_tcp *c)
{
	struct echo_conn *e = arg;
	e->peer_done = 1;
	flush(e, c);
}

static void on_closed(void *arg, struct axip_tcp *c, int err)
{
	struct echo_conn *e = arg;
	(void)c;
	(void)err;
	axip_pkt_free(e->s, e->pending);
	free(e);
}

static const struct axip_tcp_callbacks echo_cb = {
	.recv = on_recv,
	.peer_closed = on_peer_closed,
	.sent = on_sent,
	.closed = on_closed,
};

static int on_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb,
                     void **cb_arg)
{
	struct echo_conn *e = calloc(1, sizeof *e);
	(void)c;
	if (!e)
		return AXIP_E_NOMEM;
	e->s = arg;
	*cb = &echo_cb;
	*cb_arg = e;
	return AXIP_OK;
}

static int setup(struct axip_xdp_worker *w, void *arg)
{
	uint16_t port = *(uint16_t *)arg;
	struct axip_stack *s = axip_xdp_worker_stack(w);
	struct axip_tcp_listener *l;
	int rc = axip_tcp_listen(s, 0, port, 0, on_accept, s, NULL, &l);
	if (rc != AXIP_OK) {
		fprintf(stderr, "axip-tcp-echo: worker %u: TCP port %u: %s\n", axip_xdp_worker_index(w),
		        port, axip_strerror(rc));
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
	x = ex_open(&c);
	rc = axip_xdp_add_rule(x, IPPROTO_TCP, c.port);
	if (rc) {
		fprintf(stderr, "%s: cannot add the steering rule for TCP port %u\n", c.prog, c.port);
		axip_xdp_close(x);
		return EX_FAIL;
	}
	fprintf(stderr, "%s: echoing TCP port %u\n", c.prog, c.port);
	rc = axip_runner_run(x, setup, &c.port);
	axip_xdp_close(x);
	return rc ? EX_FAIL : EX_OK;
}
