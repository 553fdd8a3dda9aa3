/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_client.h - what the AF_XDP benchmark clients (axip-rpc, axip-udp-rr)
 * share on their command line: the server (--host), messages in flight
 * (--depth), message size (--size), the measured and warm-up seconds
 * (--duration, --warmup), and the measuring window derived from them.
 * The handlers fit struct ex_extra_opt with a struct bench_client as ctx.
 */
#ifndef AXIP_BENCH_CLIENT_H
#define AXIP_BENCH_CLIENT_H

#include <stdint.h>
#include <axip/axip.h>

struct bench_client {
	uint32_t host;                      /* --host, host order; required */
	unsigned depth, size;               /* --depth, --size */
	unsigned depth_max, size_min, size_max; /* their limits, set by the program */
	double duration, warmup;            /* --duration, --warmup (seconds) */
	axip_time_ns t_measure, t_end;      /* bench_client_start() */
};

int bench_opt_host(const char *arg, void *bc);
int bench_opt_depth(const char *arg, void *bc);
int bench_opt_size(const char *arg, void *bc);
int bench_opt_duration(const char *arg, void *bc);
int bench_opt_warmup(const char *arg, void *bc);

/* After parsing: without --host, print why and exit 2. */
void bench_client_check(const struct bench_client *b, const char *prog);

/* The window: the first `warmup` seconds from `now` are not counted, the
 * next `duration` seconds are. */
void bench_client_start(struct bench_client *b, axip_time_ns now);

#endif
