/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-http-get - fetch a URL over HTTP/1.1 with axip over AF_XDP and write
 * the body to a file or stdout (examples/http/http_client.c does the HTTP).
 *
 * With --count N the URL is fetched N times, spread round-robin over the
 * workers (each opens its connections from its own slice of the reserved
 * port range; replies that the peer sends to another worker's queue are
 * handed over, see docs/xdp.md), and fetch i is written to FILE.i.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <axip/runner.h>
#include <axip/xdp.h>
#include "example_cli.h"
#include "http_client.h"

struct app;

struct fetch {
	struct app *a;
	struct axip_xdp_worker *w;
	unsigned i;             /* fetch number */
	FILE *out;
	struct http_get *g;
	axip_time_ns started;
};

struct app {
	const char *url;
	const char *output;     /* NULL or "-" = stdout */
	unsigned count;
	unsigned timeout_s;
	struct axip_xdp *x;
	atomic_uint left;       /* fetches not finished */
	atomic_uint failed;
	struct fetch cur[AXIP_XDP_MAX_WORKERS]; /* each worker runs one fetch at a time */
	unsigned next[AXIP_XDP_MAX_WORKERS];    /* next fetch number of each worker */
};

static int opt_url(const char *arg, void *ctx)
{
	((struct app *)ctx)->url = arg;
	return strncmp(arg, "http://", 7) != 0;
}

static int opt_output(const char *arg, void *ctx)
{
	((struct app *)ctx)->output = arg;
	return !arg[0];
}

static int opt_uint(const char *arg, unsigned *v, unsigned max)
{
	unsigned long n;
	if (cli_uint(arg, 1, max, &n))
		return -1;
	*v = (unsigned)n;
	return 0;
}

static int opt_count(const char *arg, void *ctx)
{
	return opt_uint(arg, &((struct app *)ctx)->count, 1000000);
}

static int opt_timeout(const char *arg, void *ctx)
{
	return opt_uint(arg, &((struct app *)ctx)->timeout_s, 86400);
}

static int sink(void *arg, const axip_u8 *data, axip_u32 len)
{
	struct fetch *f = arg;
	return fwrite(data, 1, len, f->out) == len ? 0 : -1;
}

static void start_next(struct app *a, struct axip_xdp_worker *w);

static void done(void *arg, const struct http_get_result *r)
{
	struct fetch *f = arg;
	struct app *a = f->a;
	if (!r->ok || r->status != 200) {
		fprintf(stderr, "axip-http-get: fetch %u: %s (status %d)\n", f->i,
		        r->ok ? "unexpected status" : r->error, r->status);
		atomic_fetch_add(&a->failed, 1);
	}
	if (f->out != stdout && fclose(f->out) != 0)
		atomic_fetch_add(&a->failed, 1);
	else if (f->out == stdout)
		fflush(stdout);
	f->g = NULL;
	f->out = NULL;
	if (atomic_fetch_sub(&a->left, 1) == 1)
		axip_xdp_stop(a->x);
	else
		start_next(a, f->w);
}

static void start_next(struct app *a, struct axip_xdp_worker *w)
{
	unsigned wi = axip_xdp_worker_index(w), n = axip_xdp_n_workers(a->x);
	struct fetch *f = &a->cur[wi];
	struct http_get_req req;
	const char *err = NULL;
	char path[4096];
	int rc;
	for (;;) {
		unsigned i = a->next[wi];
		if (i >= a->count)
			return;
		a->next[wi] += n;
		memset(f, 0, sizeof *f);
		f->a = a;
		f->w = w;
		f->i = i;
		if (!a->output || strcmp(a->output, "-") == 0) {
			f->out = stdout;
		} else {
			if (a->count > 1)
				snprintf(path, sizeof path, "%s.%u", a->output, i);
			else
				snprintf(path, sizeof path, "%s", a->output);
			f->out = fopen(path, "wb");
		}
		if (f->out) {
			memset(&req, 0, sizeof req);
			req.url = a->url;
			req.sink = sink;
			req.done = done;
			req.arg = f;
			f->started = axip_xdp_now();
			rc = http_get_start(axip_xdp_worker_stack(w), &req, &f->g, &err);
			if (rc == AXIP_OK)
				return;
			fprintf(stderr, "axip-http-get: fetch %u: %s\n", i, err ? err : axip_strerror(rc));
			if (f->out != stdout)
				fclose(f->out);
		} else {
			fprintf(stderr, "axip-http-get: %s: %s\n", path, strerror(errno));
		}
		atomic_fetch_add(&a->failed, 1);
		if (atomic_fetch_sub(&a->left, 1) == 1) {
			axip_xdp_stop(a->x);
			return;
		}
	}
}

static int setup(struct axip_xdp_worker *w, void *arg)
{
	struct app *a = arg;
	a->next[axip_xdp_worker_index(w)] = axip_xdp_worker_index(w);
	start_next(a, w);
	return 0;
}

/* Every round of the worker loop: let the fetch make progress. */
static int poll_fetch(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct app *a = arg;
	struct fetch *f = &a->cur[axip_xdp_worker_index(w)];
	(void)now;
	return f->g ? http_get_poll(f->g) : 0;
}

static void tick(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct app *a = arg;
	struct fetch *f = &a->cur[axip_xdp_worker_index(w)];
	if (f->g && a->timeout_s && now - f->started > AXIP_SEC(a->timeout_s))
		http_get_abort(f->g); /* `done` reports it */
}

int main(int argc, char **argv)
{
	static const struct ex_extra_opt extra[] = {
		{ "url", 1, "http://A.B.C.D[:PORT]/PATH or http://[IPV6][:PORT]/PATH to fetch (required)", opt_url },
		{ "output", 1, "write the body to this file (default: stdout)", opt_output },
		{ "count", 1, "fetch N times, round-robin over the workers, to FILE.i", opt_count },
		{ "timeout", 1, "give up on a fetch after this many seconds (default 30)", opt_timeout },
		{ NULL, 0, NULL, NULL },
	};
	struct axip_runner_hooks hooks = { .setup = setup, .poll = poll_fetch, .tick = tick,
	                                   .tick_ns = AXIP_MS(200) };
	static struct app a;
	struct ex_cli c;
	int rc;
	a.count = 1;
	a.timeout_s = 30;
	ex_parse(&c, argc, argv, "HTTP/1.1 client on axip over AF_XDP.", 80, extra, &a);
	if (!a.url) {
		fprintf(stderr, "%s: --url is required (see --help)\n", c.prog);
		return EX_USAGE;
	}
	if (a.count > 1 && (!a.output || strcmp(a.output, "-") == 0)) {
		fprintf(stderr, "%s: --count needs --output FILE\n", c.prog);
		return EX_USAGE;
	}
	atomic_store(&a.left, a.count);
	a.x = ex_open(&c);
	rc = axip_runner_run_hooks(a.x, &hooks, &a);
	axip_xdp_close(a.x);
	if (rc || atomic_load(&a.failed)) {
		fprintf(stderr, "%s: %u of %u fetches failed\n", c.prog, atomic_load(&a.failed), a.count);
		return EX_FAIL;
	}
	return EX_OK;
}
