/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_rpc_stats - the benchmark histogram: exact below 64 ns, < 1/64
 * relative error above, quantiles by rank, merge, CPU list parsing.
 */
#include <stdio.h>
#include <stdlib.h>
#include "rpc_stats.h"

static int failures;
#define CHECK(c)                                                                   \
	do {                                                                           \
		if (!(c)) {                                                                \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c);   \
			failures++;                                                            \
		}                                                                          \
	} while (0)

static struct rpc_hist a, b;

int main(void)
{
	uint64_t v, q;
	int cpus[4];
	unsigned i;

	rpc_hist_init(&a);
	CHECK(rpc_hist_quantile(&a, 0.5) == 0);
	for (i = 1; i <= 50; i++)
		rpc_hist_add(&a, i); /* exact range */
	CHECK(rpc_hist_quantile(&a, 0.5) == 25);
	CHECK(rpc_hist_quantile(&a, 0.99) == 50);
	CHECK(rpc_hist_quantile(&a, 0) == 1);
	CHECK(a.count == 50 && a.sum_ns == 1275 && a.min_ns == 1 && a.max_ns == 50);

	/* every value from 64 ns to 2^40 ns lands in a bucket whose top is within 1/64 above it */
	for (v = 64; v < (1ull << 40); v = v * 17 / 16 + 1) {
		rpc_hist_init(&b);
		rpc_hist_add(&b, v);
		rpc_hist_add(&b, v * 2); /* so the top is not clamped to max */
		q = rpc_hist_quantile(&b, 0.5);
		CHECK(q >= v && q - v <= v / 64);
	}

	/* quantiles by rank: 990 fast, 10 slow requests */
	rpc_hist_init(&a);
	rpc_hist_init(&b);
	for (i = 0; i < 990; i++)
		rpc_hist_add(&a, 10000);
	for (i = 0; i < 10; i++)
		rpc_hist_add(&b, 5000000);
	rpc_hist_merge(&a, &b);
	CHECK(a.count == 1000 && a.min_ns == 10000 && a.max_ns == 5000000);
	q = rpc_hist_quantile(&a, 0.99);
	CHECK(q >= 10000 && q <= 10000 + 10000 / 64);
	q = rpc_hist_quantile(&a, 0.999);
	CHECK(q == 5000000);

	CHECK(rpc_parse_cpus("0,1,3", cpus, 4) == 3 && cpus[0] == 0 && cpus[1] == 1 && cpus[2] == 3);
	CHECK(rpc_parse_cpus("1,x", cpus, 4) == -1);
	CHECK(rpc_parse_cpus("0,1,2,3,4", cpus, 4) == -1);

	if (failures)
		return 1;
	printf("PASS test_rpc_stats\n");
	return 0;
}
