/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-rpc - the RPC benchmark client (see bench/rpc.c) on axip over AF_XDP,
 * for axip <-> axip runs: fixed-size messages to an echo server, --depth in
 * flight per connection (1 = ping-pong), per-request latency, one result line
 * on stdout in the format of bench/rpc_stats.h.
 *
 * Connections are spread round-robin over the workers (--queues); each
 * worker keeps its own histogram, merged at the end. The clock starts when
 * the workers start: the first --warmup seconds (which include the
 * handshakes) are not counted, then --duration seconds are.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <axip/runner.h>
#include <axip/xdp.h>
#include "example_cli.h"
#include "bench_client.h"
#include "rpc_stats.h"

struct wstate;

struct conn {
	struct wstate *ws;
	struct axip_tcp *c;
	unsigned rx_have;    /* bytes of the oldest message already echoed */
	unsigned tx_left;    /* bytes of new messages the send buffer did not take */
	unsigned head, n;    /* FIFO of send times */
	axip_time_ns *ts;
};

struct wstate {
	struct axip_stack *s;
	struct conn *conns;
	unsigned n_conns;
	int measuring;       /* 0 warm-up, 1 measuring, 2 over */
	struct rpc_hist hist;
	uint64_t done;
	unsigned failed;
};

static struct app {
	struct bench_client bc;  /* --host, --depth, --size, --duration, --warmup */
	unsigned conns;
	struct axip_xdp *x;
	atomic_uint workers_over;
	struct wstate ws[AXIP_XDP_MAX_WORKERS];
} A = { .conns = 1,
         .bc = { .depth = 1, .size = 64, .depth_max = 1024, .size_min = 1, .size_max = 65536,
                 .duration = 5, .warmup = 1 } };

static unsigned char zeros[65536];

static int opt_conns(const char *arg, void *ctx)
{
	unsigned long v;
	(void)ctx;
	if (cli_uint(arg, 1, 100000, &v))
		return -1;
	A.conns = (unsigned)v;
	return 0;
}


/* Write what is owed; the rest waits for the `sent` callback. */
static void conn_push(struct conn *k)
{
	while (k->tx_left) {
		axip_u32 chunk = k->tx_left < sizeof zeros ? k->tx_left : (axip_u32)sizeof zeros;
		int rc = axip_tcp_write(k->c, zeros, chunk, 0);
		if (rc <= 0) {
			if (rc != AXIP_E_AGAIN && rc != 0)
				k->ws->failed++;
			return;
		}
		k->tx_left -= (unsigned)rc;
	}
}

static void conn_send(struct conn *k, unsigned m, axip_time_ns now)
{
	while (m--) {
		k->ts[(k->head + k->n) % A.bc.depth] = now;
		k->n++;
		k->tx_left += A.bc.size;
	}
	conn_push(k);
}

static void on_connected(void *arg, struct axip_tcp *c)
{
	struct conn *k = arg;
	(void)c;
	conn_send(k, A.bc.depth, axip_xdp_now());
}

static void on_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct conn *k = arg;
	struct wstate *ws = k->ws;
	axip_u32 len = axip_pkt_chain_len(data);
	axip_time_ns now = axip_xdp_now();
	unsigned completed = 0;
	axip_pkt_free(ws->s, data);
	axip_tcp_recved(c, len);
	k->rx_have += len;
	while (k->rx_have >= A.bc.size && k->n) {
		k->rx_have -= A.bc.size;
		if (ws->measuring == 1) {
			rpc_hist_add(&ws->hist, now - k->ts[k->head]);
			ws->done++;
		}
		k->head = (k->head + 1) % A.bc.depth;
		k->n--;
		completed++;
	}
	if (completed && ws->measuring < 2)
		conn_send(k, completed, axip_xdp_now());
}

static void on_sent(void *arg, struct axip_tcp *c, axip_u32 acked)
{
	(void)c;
	(void)acked;
	conn_push(arg);
}

static void on_closed(void *arg, struct axip_tcp *c, int err)
{
	struct conn *k = arg;
	(void)c;
	if (k->ws->measuring < 2) {
		fprintf(stderr, "axip-rpc: a connection closed early: %s\n", axip_strerror(err));
		k->ws->failed++;
	}
	k->c = NULL;
}

static const struct axip_tcp_callbacks cbs = {
	.connected = on_connected, .recv = on_recv, .sent = on_sent, .closed = on_closed,
};

static int setup(struct axip_xdp_worker *w, void *arg)
{
	unsigned wi = axip_xdp_worker_index(w), nw = axip_xdp_n_workers(A.x), i, j = 0;
	struct wstate *ws = &A.ws[wi];
	struct axip_tcp_opts o;
	uint16_t port = *(uint16_t *)arg;
	ws->s = axip_xdp_worker_stack(w);
	rpc_hist_init(&ws->hist);
	ws->n_conns = A.conns / nw + (wi < A.conns % nw);
	ws->conns = calloc(ws->n_conns ? ws->n_conns : 1, sizeof *ws->conns);
	if (!ws->conns)
		return -1;
	axip_tcp_opts_defaults(ws->s, &o);
	o.nodelay = 1;
	for (i = wi; i < A.conns; i += nw, j++) {
		struct conn *k = &ws->conns[j];
		int rc;
		k->ws = ws;
		k->ts = calloc(A.bc.depth, sizeof *k->ts);
		if (!k->ts)
			return -1;
		rc = axip_tcp_connect(ws->s, A.bc.host, port, &cbs, k, &o, &k->c);
		if (rc != AXIP_OK) {
			fprintf(stderr, "axip-rpc: connect: %s\n", axip_strerror(rc));
			return -1;
		}
	}
	return 0;
}

static void tick(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct wstate *ws = &A.ws[axip_xdp_worker_index(w)];
	(void)arg;
	if (ws->measuring == 0 && now >= A.bc.t_measure) {
		rpc_hist_init(&ws->hist);
		ws->done = 0;
		ws->measuring = 1;
	}
	if (ws->measuring == 1 && now >= A.bc.t_end) {
		unsigned i;
		ws->measuring = 2;
		for (i = 0; i < ws->n_conns; i++)
			if (ws->conns[i].c)
				axip_tcp_abort(ws->conns[i].c);
		if (atomic_fetch_add(&A.workers_over, 1) + 1 == axip_xdp_n_workers(A.x))
			axip_xdp_stop(A.x);
	}
	if (ws->failed && ws->measuring < 2)
		axip_xdp_stop(A.x);
}

static void teardown(struct axip_xdp_worker *w, void *arg)
{
	struct wstate *ws = &A.ws[axip_xdp_worker_index(w)];
	unsigned i;
	(void)arg;
	for (i = 0; i < ws->n_conns; i++)
		free(ws->conns[i].ts);
	free(ws->conns);
	ws->conns = NULL;
}

int main(int argc, char **argv)
{
	static const struct ex_extra_opt extra[] = {
		{ "host", 1, "A.B.C.D: the echo server (required; port: --port)", bench_opt_host },
		{ "conns", 1, "connections (default 1), round-robin over the workers", opt_conns },
		{ "depth", 1, "messages in flight per connection: 1 = ping-pong (default)", bench_opt_depth },
		{ "size", 1, "message bytes (default 64)", bench_opt_size },
		{ "duration", 1, "measured seconds (default 5)", bench_opt_duration },
		{ "warmup", 1, "seconds before measuring, handshakes included (default 1)", bench_opt_warmup },
		{ NULL, 0, NULL, NULL },
	};
	struct axip_runner_hooks hooks = {
		.setup = setup, .tick = tick, .tick_ns = AXIP_MS(2), .teardown = teardown,
	};
	struct ex_cli c;
	struct rpc_hist total;
	uint64_t done = 0;
	unsigned i, failed = 0, nw;
	int rc;
	ex_parse(&c, argc, argv, "RPC benchmark client (bench/rpc protocol) on axip over AF_XDP.",
	         6201, extra, &A.bc);
	bench_client_check(&A.bc, c.prog);
	A.x = ex_open(&c);
	bench_client_start(&A.bc, axip_xdp_now());
	rc = axip_runner_run_hooks(A.x, &hooks, &c.port);
	nw = axip_xdp_n_workers(A.x);
	rpc_hist_init(&total);
	for (i = 0; i < nw; i++) {
		rpc_hist_merge(&total, &A.ws[i].hist);
		done += A.ws[i].done;
		failed += A.ws[i].failed;
	}
	axip_xdp_close(A.x);
	if (rc || failed || !done) {
		fprintf(stderr, "%s: run failed (%u connection errors, %llu transactions)\n", c.prog,
		        failed, (unsigned long long)done);
		return EX_FAIL;
	}
	rpc_report(stdout, done, A.bc.duration, &total);
	printf(" conns=%u depth=%u size=%u threads=%u\n", A.conns, A.bc.depth, A.bc.size, nw);
	return EX_OK;
}
