/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-udp-rr - the UDP request/response client of bench/udp_rr.c on axip
 * over AF_XDP (one worker), for the AF_XDP ceiling with both ends on AF_XDP:
 * --depth datagrams in flight to a UDP echo server, each carrying its slot
 * and sequence number in its first 8 bytes; a reply frees its slot, which is
 * refilled at once; a slot unanswered for --timeout-ms counts as lost and is
 * resent with a new sequence number. Result line: bench/rpc_stats.h, plus
 * lost=N. The local port (--local-port, default 40007) is steered to axip
 * for the run.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <axip/runner.h>
#include <axip/xdp.h>
#include "example_cli.h"
#include "bench_client.h"
#include "rpc_stats.h"

struct slot {
	uint32_t seq;
	axip_time_ns sent; /* 0 = free */
};

static unsigned char msg[2048];

static struct app {
	struct bench_client bc;  /* --host, --depth, --size, --duration, --warmup */
	uint16_t port, lport;
	unsigned timeout_ms;
	struct axip_xdp *x;
	struct axip_udp *sock;
	struct slot *slots;
	int measuring;     /* 0 warm-up, 1 measuring, 2 over */
	struct rpc_hist hist;
	uint64_t done, lost;
	unsigned send_errors;
} A = { .lport = 40007, .timeout_ms = 200,
         .bc = { .depth = 1, .size = 64, .depth_max = 4096, .size_min = 8, .size_max = sizeof msg,
                 .duration = 5, .warmup = 1 } };

static int opt_timeout(const char *arg, void *ctx)
{
	unsigned long v;
	(void)ctx;
	if (cli_uint(arg, 1, 60000, &v))
		return -1;
	A.timeout_ms = (unsigned)v;
	return 0;
}

static int opt_lport(const char *arg, void *ctx)
{
	unsigned long v;
	(void)ctx;
	if (cli_uint(arg, 1, 65535, &v))
		return -1;
	A.lport = (uint16_t)v;
	return 0;
}

static void send_slot(uint32_t id, axip_time_ns now)
{
	int rc;
	A.slots[id].seq++;
	A.slots[id].sent = now ? now : 1;
	memcpy(msg, &id, 4);
	memcpy(msg + 4, &A.slots[id].seq, 4);
	rc = axip_udp_sendto(A.sock, A.bc.host, A.port, msg, A.bc.size);
	if (rc < 0)
		A.send_errors++; /* the slot times out and is resent */
}

static void on_reply(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m,
                     struct axip_pkt *p)
{
	struct axip_stack *s = arg;
	uint32_t id, seq;
	axip_time_ns now = axip_xdp_now();
	unsigned char hdr[8];
	(void)sock;
	(void)m;
	if (axip_pkt_copy_out(p, 0, hdr, 8) < 8) {
		axip_pkt_free(s, p);
		return;
	}
	axip_pkt_free(s, p);
	memcpy(&id, hdr, 4);
	memcpy(&seq, hdr + 4, 4);
	if (id >= A.bc.depth || seq != A.slots[id].seq || !A.slots[id].sent)
		return; /* late reply to a slot already resent */
	if (A.measuring == 1) {
		rpc_hist_add(&A.hist, now - A.slots[id].sent);
		A.done++;
	}
	A.slots[id].sent = 0;
	if (A.measuring < 2)
		send_slot(id, axip_xdp_now());
}

static int setup(struct axip_xdp_worker *w, void *arg)
{
	struct axip_stack *s = axip_xdp_worker_stack(w);
	axip_time_ns now = axip_xdp_now();
	uint32_t i;
	int rc;
	(void)arg;
	rc = axip_udp_open(s, 0, A.lport, on_reply, s, &A.sock);
	if (rc != AXIP_OK) {
		fprintf(stderr, "axip-udp-rr: UDP port %u: %s\n", A.lport, axip_strerror(rc));
		return -1;
	}
	for (i = 0; i < A.bc.depth; i++)
		send_slot(i, now);
	return 0;
}

static void tick(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	uint32_t i;
	(void)w;
	(void)arg;
	if (A.measuring == 0 && now >= A.bc.t_measure) {
		rpc_hist_init(&A.hist);
		A.done = A.lost = 0;
		A.measuring = 1;
	}
	if (A.measuring == 1 && now >= A.bc.t_end) {
		A.measuring = 2;
		axip_xdp_stop(A.x);
		return;
	}
	/* `now` is the loop's time, older than sends made since: compare with care */
	for (i = 0; i < A.bc.depth; i++)
		if (A.slots[i].sent && now > A.slots[i].sent &&
		    now - A.slots[i].sent > AXIP_MS(A.timeout_ms)) {
			A.slots[i].sent = 0;
			A.lost++;
			send_slot(i, now);
		}
}

int main(int argc, char **argv)
{
	static const struct ex_extra_opt extra[] = {
		{ "host", 1, "A.B.C.D: the UDP echo server (required; port: --port)", bench_opt_host },
		{ "depth", 1, "datagrams in flight: 1 = ping-pong (default)", bench_opt_depth },
		{ "size", 1, "payload bytes, 8..2048 (default 64)", bench_opt_size },
		{ "duration", 1, "measured seconds (default 5)", bench_opt_duration },
		{ "warmup", 1, "seconds before measuring (default 1)", bench_opt_warmup },
		{ "timeout-ms", 1, "a reply later than this counts as lost (default 200)", opt_timeout },
		{ "local-port", 1, "local UDP port, steered to axip (default 40007)", opt_lport },
		{ NULL, 0, NULL, NULL },
	};
	struct axip_runner_hooks hooks = { .setup = setup, .tick = tick, .tick_ns = AXIP_MS(2) };
	struct ex_cli c;
	int rc;
	ex_parse(&c, argc, argv, "UDP request/response client (bench/udp_rr protocol) on axip over AF_XDP.",
	         7, extra, &A.bc);
	bench_client_check(&A.bc, c.prog);
	if (c.xo.n_queues > 1) {
		fprintf(stderr, "%s: one worker only (--queues 1)\n", c.prog);
		return EX_USAGE;
	}
	A.port = c.port;
	A.slots = calloc(A.bc.depth, sizeof *A.slots);
	if (!A.slots)
		return EX_FAIL;
	memset(msg, 'u', sizeof msg);
	rpc_hist_init(&A.hist);
	A.x = ex_open(&c);
	rc = axip_xdp_add_rule(A.x, IPPROTO_UDP, A.lport);
	if (rc) {
		fprintf(stderr, "%s: cannot steer UDP port %u\n", c.prog, A.lport);
		axip_xdp_close(A.x);
		return EX_FAIL;
	}
	bench_client_start(&A.bc, axip_xdp_now());
	rc = axip_runner_run_hooks(A.x, &hooks, NULL);
	axip_xdp_close(A.x);
	free(A.slots);
	if (rc || !A.done) {
		fprintf(stderr, "%s: run failed (%llu round trips, %u send errors)\n", c.prog,
		        (unsigned long long)A.done, A.send_errors);
		return EX_FAIL;
	}
	rpc_report(stdout, A.done, A.bc.duration, &A.hist);
	printf(" lost=%llu depth=%u size=%u\n", (unsigned long long)A.lost, A.bc.depth, A.bc.size);
	return EX_OK;
}
