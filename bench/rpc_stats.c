/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rpc_stats.c - log-linear latency histogram, result line, CPU pinning.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "rpc_stats.h"

uint64_t rpc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void rpc_hist_init(struct rpc_hist *h)
{
	memset(h, 0, sizeof *h);
	h->min_ns = UINT64_MAX;
}

/* Bucket layout: [0, SUB) exact; then for each most-significant bit m >=
 * SUB_BITS, SUB buckets holding the SUB_BITS bits below and including m. */
static unsigned bucket_of(uint64_t v)
{
	unsigned m, shift;
	if (v < RPC_HIST_SUB)
		return (unsigned)v;
	m = 63u - (unsigned)__builtin_clzll(v);
	if (m >= RPC_HIST_MAX_EXP)
		return RPC_HIST_BUCKETS - 1;
	shift = m - RPC_HIST_SUB_BITS;
	return RPC_HIST_SUB + shift * RPC_HIST_SUB + (unsigned)((v >> shift) - RPC_HIST_SUB);
}

/* Largest value that falls into bucket b. */
static uint64_t bucket_top(unsigned b)
{
	unsigned shift;
	uint64_t mant;
	if (b < RPC_HIST_SUB)
		return b;
	shift = (b - RPC_HIST_SUB) / RPC_HIST_SUB;
	mant = RPC_HIST_SUB + (b - RPC_HIST_SUB) % RPC_HIST_SUB;
	return ((mant + 1) << shift) - 1;
}

void rpc_hist_add(struct rpc_hist *h, uint64_t ns)
{
	h->buckets[bucket_of(ns)]++;
	h->count++;
	h->sum_ns += ns;
	if (ns < h->min_ns)
		h->min_ns = ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

void rpc_hist_merge(struct rpc_hist *dst, const struct rpc_hist *src)
{
	unsigned i;
	for (i = 0; i < RPC_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

uint64_t rpc_hist_quantile(const struct rpc_hist *h, double q)
{
	uint64_t rank, seen = 0;
	unsigned i;
	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min_ns;
	rank = (uint64_t)(q * (double)h->count + 0.5);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (i = 0; i < RPC_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank) {
			uint64_t top = bucket_top(i);
			return top > h->max_ns ? h->max_ns : top;
		}
	}
	return h->max_ns;
}

void rpc_report(FILE *f, uint64_t transactions, double seconds, const struct rpc_hist *h)
{
	double mean = h->count ? (double)h->sum_ns / (double)h->count : 0;
	fprintf(f, "transactions=%llu seconds=%.3f tps=%.0f mean_us=%.2f p50_us=%.2f p99_us=%.2f "
	           "p999_us=%.2f max_us=%.2f",
	        (unsigned long long)transactions, seconds,
	        seconds > 0 ? (double)transactions / seconds : 0.0, mean / 1e3,
	        (double)rpc_hist_quantile(h, 0.50) / 1e3, (double)rpc_hist_quantile(h, 0.99) / 1e3,
	        (double)rpc_hist_quantile(h, 0.999) / 1e3, (double)h->max_ns / 1e3);
}

int rpc_parse_cpus(const char *s, int *cpus, int max)
{
	int n = 0;
	while (*s) {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s || v < -1 || v > 4095 || n >= max)
			return -1;
		cpus[n++] = (int)v;
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		s = end;
	}
	return n;
}

int rpc_pin_self(int cpu)
{
	cpu_set_t set;
	int rc;
	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
	return rc ? -rc : 0;
}
