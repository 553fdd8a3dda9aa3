/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/runner.h - the ready-made main loop of a program on the AF_XDP
 * backend: one thread per worker, signals, counters on stderr.
 *
 * The AF_XDP library (<axip/xdp.h>) is mechanism only; this small library
 * (axip_runner) is the policy most programs want, and what every example
 * and benchmark client in this tree uses:
 *  - one thread per worker, pinned to the worker's CPU (axip_xdp_worker_pin),
 *    which runs setup, then axip_xdp_worker_loop until axip_xdp_stop(), then
 *    the dump and teardown hooks;
 *  - the calling thread handles SIGINT and SIGTERM (stop) and SIGUSR1 (every
 *    worker prints its counters and the dump hook's, then the calling thread
 *    the steering counters), blocking them in every thread while it runs;
 *  - on return, every worker's counters and the steering counters are
 *    printed to stderr.
 * A program that wants other threads or signals, or none, drives the workers
 * with <axip/xdp.h> itself.
 *
 *   struct axip_xdp_opts o; axip_xdp_opts_defaults(&o);
 *   o.ifname = "eth0"; o.log = axip_runner_log_stderr;
 *   axip_xdp_open(&o, &x, err, sizeof err);
 *   axip_xdp_add_rule(x, IPPROTO_UDP, 7);
 *   rc = axip_runner_run(x, setup, arg);             returns after SIGINT/SIGTERM
 *   axip_xdp_close(x);
 */
#ifndef AXIP_RUNNER_H
#define AXIP_RUNNER_H

#include <stdio.h>
#include <axip/xdp.h>

/* Called once in each worker's thread before its loop starts, to open
 * sockets/listeners on the worker's instance. Non-zero stops everything. */
typedef int (*axip_runner_setup_fn)(struct axip_xdp_worker *w, void *arg);

/* Everything a program can hook into the runner; NULL = unused. All but
 * setup run in the worker's thread, with the runner's arg. */
struct axip_runner_hooks {
	axip_runner_setup_fn setup; /* before the loop (non-zero stops all) */
	/* every tick_ns of the stack's clock (tick_ns 0 = never) */
	void (*tick)(struct axip_xdp_worker *w, axip_time_ns now, void *arg);
	axip_time_ns tick_ns;
	/* on SIGUSR1 (after the worker's counters) and after the loop: print
	 * application counters */
	void (*dump)(struct axip_xdp_worker *w, FILE *f, void *arg);
	/* after the loop and its last dump: release what setup made */
	void (*teardown)(struct axip_xdp_worker *w, void *arg);
	/* every round of the loop: take work from other threads (struct
	 * axip_xdp_loop's poll: non-zero = did something) */
	int (*poll)(struct axip_xdp_worker *w, axip_time_ns now, void *arg);
};

/*
 * Start one thread per worker, wait for SIGINT/SIGTERM or axip_xdp_stop()
 * (from any thread: a hook that is done calls it), stop and join the
 * threads, print the counters. Returns 0, or a negative errno value when a
 * thread could not start or a setup failed (its value when negative).
 */
int axip_runner_run_hooks(struct axip_xdp *x, const struct axip_runner_hooks *h, void *arg);
/* axip_runner_run_hooks with a setup hook only. */
int axip_runner_run(struct axip_xdp *x, axip_runner_setup_fn setup, void *arg);

/* An axip_xdp_opts.log that prints "axip: MESSAGE" (warnings "axip:
 * warning: MESSAGE") to stderr; ctx unused. */
void axip_runner_log_stderr(void *ctx, enum axip_xdp_log_level level, const char *msg);

#endif
