/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runner.c - the ready-made main loop of <axip/runner.h>: threads, signals
 * and counters around the AF_XDP library, through its public API only.
 *
 * The calling thread blocks SIGINT, SIGTERM and SIGUSR1 before it starts the
 * worker threads (which inherit the mask), so those signals reach only its
 * signalfd; it waits in poll() on that and on the attachment's stop eventfd
 * (axip_xdp_stop_fd), which a hook that is done writes with axip_xdp_stop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <axip/runner.h>

struct run;

struct slot {
	struct run *r;
	struct axip_xdp_worker *w;
	pthread_t thread;
	atomic_int dump_req;       /* SIGUSR1: print counters in the worker's thread */
	int rc;                    /* setup's result */
};

struct run {
	struct axip_xdp *x;
	struct axip_runner_hooks h;
	void *arg;
	atomic_int failed;
	struct slot s[AXIP_XDP_MAX_WORKERS];
};

void axip_runner_log_stderr(void *ctx, enum axip_xdp_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "axip: %s%s\n", level == AXIP_XDP_LOG_WARN ? "warning: " : "", msg);
}

static int slot_poll(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct slot *s = arg;
	const struct axip_runner_hooks *h = &s->r->h;
	if (atomic_exchange(&s->dump_req, 0)) {
		axip_xdp_worker_print_counters(w, stderr);
		if (h->dump)
			h->dump(w, stderr, s->r->arg);
	}
	return h->poll ? h->poll(w, now, s->r->arg) : 0;
}

static void slot_tick(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct slot *s = arg;
	s->r->h.tick(w, now, s->r->arg);
}

static void *worker_main(void *arg)
{
	struct slot *s = arg;
	struct run *r = s->r;
	const struct axip_runner_hooks *h = &r->h;
	struct axip_xdp_loop loop;
	if (axip_xdp_worker_pin(s->w) != 0)
		fprintf(stderr, "axip: worker %u: cannot pin to core %d\n", axip_xdp_worker_index(s->w),
		        axip_xdp_worker_core(s->w));
	if (h->setup && (s->rc = h->setup(s->w, r->arg)) != 0) {
		atomic_store(&r->failed, 1);
		axip_xdp_stop(r->x);
		return NULL;
	}
	memset(&loop, 0, sizeof loop);
	loop.poll = slot_poll;
	loop.tick = h->tick ? slot_tick : NULL;
	loop.tick_ns = h->tick_ns;
	loop.arg = s;
	axip_xdp_worker_loop(s->w, &loop);
	if (h->dump)
		h->dump(s->w, stderr, r->arg);
	if (h->teardown) {
		h->teardown(s->w, r->arg);
		axip_xdp_flush(s->w);
	}
	return NULL;
}

/* Wait for a stop: a signal or axip_xdp_stop. SIGUSR1 dumps and goes on. */
static void wait_for_stop(struct run *r, int sfd)
{
	unsigned i, n = axip_xdp_n_workers(r->x);
	struct pollfd p[2];
	p[0].fd = sfd;
	p[0].events = POLLIN;
	p[1].fd = axip_xdp_stop_fd(r->x);
	p[1].events = POLLIN;
	while (!atomic_load(&r->failed) && !axip_xdp_stopped(r->x)) {
		struct signalfd_siginfo si;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents & POLLIN)
			return;
		if (!(p[0].revents & POLLIN) || read(sfd, &si, sizeof si) != (ssize_t)sizeof si)
			continue;
		if (si.ssi_signo != SIGUSR1)
			return; /* SIGINT, SIGTERM */
		for (i = 0; i < n; i++) {
			atomic_store(&r->s[i].dump_req, 1);
			axip_xdp_wake(r->s[i].w);
		}
		axip_xdp_print_steering(r->x, stderr);
	}
}

int axip_runner_run_hooks(struct axip_xdp *x, const struct axip_runner_hooks *h, void *arg)
{
	struct run *r;
	struct signalfd_siginfo si;
	sigset_t set, old;
	unsigned i, n = axip_xdp_n_workers(x), started = 0;
	int rc = 0, sfd;
	r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	atomic_init(&r->failed, 0);
	r->x = x;
	r->h = *h;
	r->arg = arg;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0) {
		rc = -errno;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		free(r);
		return rc;
	}
	for (i = 0; i < n; i++) {
		struct slot *s = &r->s[i];
		s->r = r;
		s->w = axip_xdp_worker(x, i);
		atomic_init(&s->dump_req, 0);
		if (pthread_create(&s->thread, NULL, worker_main, s) != 0) {
			rc = -EAGAIN;
			break;
		}
		started++;
	}
	if (!rc)
		wait_for_stop(r, sfd);
	axip_xdp_stop(x);
	for (i = 0; i < started; i++)
		pthread_join(r->s[i].thread, NULL);
	/* what arrived while stopping changes nothing: it must not kill the
	 * process once the mask is restored */
	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
	}
	close(sfd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	axip_xdp_print_counters(x, stderr);
	if (!rc && atomic_load(&r->failed)) {
		rc = -EINVAL;
		for (i = 0; i < started; i++)
			if (r->s[i].rc) {
				rc = r->s[i].rc < 0 ? r->s[i].rc : -EINVAL;
				break;
			}
	}
	free(r);
	return rc;
}

int axip_runner_run(struct axip_xdp *x, axip_runner_setup_fn setup, void *arg)
{
	struct axip_runner_hooks h;
	memset(&h, 0, sizeof h);
	h.setup = setup;
	return axip_runner_run_hooks(x, &h, arg);
}
