/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-httpd - HTTP/1.1 server (examples/http/httpd.c) on an interface
 * through AF_XDP: one server per worker, each on its own stack instance,
 * served from the worker's loop (httpd_poll() each round). Serves a fixed
 * response at /, generated bodies at /bytes/N, and static files from
 * --docroot.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <axip/runner.h>
#include <axip/xdp.h>
#include "example_cli.h"
#include "httpd.h"

struct app {
	uint16_t port;
	const char *docroot;
	struct httpd *srv[AXIP_XDP_MAX_WORKERS];
};

static int opt_docroot(const char *arg, void *ctx)
{
	((struct app *)ctx)->docroot = arg;
	return arg[0] ? 0 : -1;
}

static int setup(struct axip_xdp_worker *w, void *arg)
{
	struct app *a = arg;
	struct httpd_config cfg;
	unsigned i = axip_xdp_worker_index(w);
	int rc;
	httpd_config_defaults(&cfg);
	cfg.port = a->port;
	cfg.docroot = a->docroot;
	cfg.ip6 = axip_xdp_ip6(axip_xdp_worker_parent(w));
	rc = httpd_start(axip_xdp_worker_stack(w), &cfg, &a->srv[i]);
	if (rc != AXIP_OK) {
		fprintf(stderr, "axip-httpd: worker %u: %s\n", i, axip_strerror(rc));
		return -1;
	}
	return 0;
}

/* Every round of the worker loop, after the stack ran: serve. */
static int serve(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct app *a = arg;
	(void)now;
	return httpd_poll(a->srv[axip_xdp_worker_index(w)]);
}

static void tick(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct app *a = arg;
	httpd_tick(a->srv[axip_xdp_worker_index(w)], now);
}

static void dump(struct axip_xdp_worker *w, FILE *f, void *arg)
{
	struct app *a = arg;
	char prefix[32];
	unsigned i = axip_xdp_worker_index(w);
	snprintf(prefix, sizeof prefix, "worker %u httpd_", i);
	flockfile(f);
	httpd_stats_print(httpd_get_stats(a->srv[i]), f, prefix);
	funlockfile(f);
}

static void teardown(struct axip_xdp_worker *w, void *arg)
{
	struct app *a = arg;
	unsigned i = axip_xdp_worker_index(w);
	httpd_stop(a->srv[i]);
	a->srv[i] = NULL;
}

int main(int argc, char **argv)
{
	static const struct ex_extra_opt extra[] = {
		{ "docroot", 1, "serve static files from this directory", opt_docroot },
		{ NULL, 0, NULL, NULL },
	};
	struct axip_runner_hooks hooks = {
		.setup = setup, .poll = serve, .tick = tick, .tick_ns = AXIP_SEC(1),
		.dump = dump, .teardown = teardown,
	};
	struct app a;
	struct ex_cli c;
	struct axip_xdp *x;
	int rc;
	memset(&a, 0, sizeof a);
	ex_parse(&c, argc, argv, "HTTP/1.1 server on axip over AF_XDP.", 80, extra, &a);
	a.port = c.port;
	/* a descriptor and an interest-set entry for every connection the pool
	 * holds, plus the listener and the set */
	if (c.xo.stack_cfg.sock_max < c.xo.stack_cfg.tcp_conns + 2u)
		c.xo.stack_cfg.sock_max = c.xo.stack_cfg.tcp_conns + 2u;
	if (c.xo.stack_cfg.sock_epoll_items < c.xo.stack_cfg.tcp_conns + 1u)
		c.xo.stack_cfg.sock_epoll_items = c.xo.stack_cfg.tcp_conns + 1u;
	x = ex_open(&c);
	rc = axip_xdp_add_rule(x, IPPROTO_TCP, c.port);
	if (!rc && axip_xdp_ip6(x))
		rc = axip_xdp_add_rule6(x, IPPROTO_TCP, c.port);
	if (rc) {
		fprintf(stderr, "%s: cannot add the steering rule for TCP port %u\n", c.prog, c.port);
		axip_xdp_close(x);
		return EX_FAIL;
	}
	fprintf(stderr, "%s: serving HTTP on port %u%s%s\n", c.prog, c.port,
	        a.docroot ? ", files from " : "", a.docroot ? a.docroot : "");
	rc = axip_runner_run_hooks(x, &hooks, &a);
	axip_xdp_close(x);
	return rc ? EX_FAIL : EX_OK;
}
