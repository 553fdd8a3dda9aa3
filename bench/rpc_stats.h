/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rpc_stats.h - latency histogram and result line shared by the benchmark
 * load generators (bench/rpc.c, bench/udp_rr.c, and any AF_XDP client that
 * wants to report the same way).
 *
 * The histogram is log-linear (like HdrHistogram): values below 2^SUB_BITS ns
 * are exact, larger ones keep SUB_BITS significant bits (relative error under
 * 1/2^SUB_BITS, i.e. < 1.6 %). Recording is a few integer operations, so it
 * can be done for every request. One histogram per thread; merge at the end.
 *
 * Result line (one line on stdout, key=value pairs, parsed by bench/run.sh):
 *   transactions=N seconds=S tps=X mean_us=.. p50_us=.. p99_us=.. p999_us=.. max_us=..
 * followed by any extra pairs the tool appends.
 */
#ifndef BENCH_RPC_STATS_H
#define BENCH_RPC_STATS_H

#include <stdint.h>
#include <stdio.h>

#define RPC_HIST_SUB_BITS 6
#define RPC_HIST_SUB (1u << RPC_HIST_SUB_BITS)
#define RPC_HIST_MAX_EXP 42 /* values up to 2^42 ns (~73 min); larger are clamped */
#define RPC_HIST_BUCKETS ((RPC_HIST_MAX_EXP - RPC_HIST_SUB_BITS + 1) * RPC_HIST_SUB)

struct rpc_hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t min_ns;
	uint64_t max_ns;
	uint64_t buckets[RPC_HIST_BUCKETS];
};

/* Monotonic clock in nanoseconds. */
uint64_t rpc_now_ns(void);

void rpc_hist_init(struct rpc_hist *h);
void rpc_hist_add(struct rpc_hist *h, uint64_t ns);
void rpc_hist_merge(struct rpc_hist *dst, const struct rpc_hist *src);
/* The value at quantile q (0..1): the upper edge of the bucket holding it,
 * clamped to the largest recorded value. 0 when empty. */
uint64_t rpc_hist_quantile(const struct rpc_hist *h, double q);

/* Print the result line (without a newline, so callers can append pairs). */
void rpc_report(FILE *f, uint64_t transactions, double seconds, const struct rpc_hist *h);

/* Parse a comma-separated CPU list ("0,1,3"); returns the count (<= max) or
 * -1 on a syntax error. */
int rpc_parse_cpus(const char *s, int *cpus, int max);
/* Pin the calling thread to one CPU (ignored when cpu < 0). 0 or -errno. */
int rpc_pin_self(int cpu);

#endif
