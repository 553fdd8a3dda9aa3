/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_client.c - the shared options of the AF_XDP benchmark clients
 * (see bench_client.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include "bench_client.h"
#include "cli_opt.h"

int bench_opt_host(const char *arg, void *bc)
{
	return cli_ipv4(arg, &((struct bench_client *)bc)->host);
}

static int opt_unsigned(const char *arg, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long v;
	if (cli_uint(arg, lo, hi, &v))
		return -1;
	*out = (unsigned)v;
	return 0;
}

int bench_opt_depth(const char *arg, void *bc)
{
	struct bench_client *b = bc;
	return opt_unsigned(arg, 1, b->depth_max, &b->depth);
}

int bench_opt_size(const char *arg, void *bc)
{
	struct bench_client *b = bc;
	return opt_unsigned(arg, b->size_min, b->size_max, &b->size);
}

int bench_opt_duration(const char *arg, void *bc)
{
	return cli_seconds(arg, 86400, &((struct bench_client *)bc)->duration);
}

int bench_opt_warmup(const char *arg, void *bc)
{
	return cli_seconds(arg, 86400, &((struct bench_client *)bc)->warmup);
}

void bench_client_check(const struct bench_client *b, const char *prog)
{
	if (!b->host) {
		fprintf(stderr, "%s: --host is required (see --help)\n", prog);
		exit(CLI_EXIT_USAGE);
	}
}

void bench_client_start(struct bench_client *b, axip_time_ns now)
{
	b->t_measure = now + (axip_time_ns)(b->warmup * 1e9);
	b->t_end = b->t_measure + (axip_time_ns)(b->duration * 1e9);
}
