/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock_wait.c - blocking on the socket layer (<axip/sock.h>) in the worker's
 * own thread: every socket call is non-blocking, so waiting means driving
 * the worker (receive batch, timers) in the calling thread until what the
 * caller waits for is ready, the time is up, or axip_xdp_stop() is called.
 * Between rounds the thread sleeps in axip_xdp_wait until a frame, a
 * wake-up or the earlier of the core's next timer and the caller's deadline.
 */
#include <stdatomic.h>
#include "xdp_internal.h"

/* The condition waited for: > 0 ready (returned), < 0 an error (returned),
 * 0 not yet. */
typedef int (*ready_fn)(struct axip_stack *s, void *ctx);

static int drive_until(struct axip_xdp_worker *w, int timeout_ms, ready_fn ready, void *ctx)
{
	axip_time_ns end = timeout_ms < 0 ? ~(axip_time_ns)0
	                                  : axip_xdp_now() + (axip_time_ns)timeout_ms * 1000000u;
	/* what the caller queued before waiting goes out first */
	axip_xdp_flush(w);
	for (;;) {
		axip_time_ns now, next;
		unsigned got;
		int r = ready(w->stack, ctx);
		if (r)
			return r;
		if (atomic_load(&w->x->stop))
			return -AXIP_EINTR;
		now = axip_xdp_now();
		got = axip_xdp_rx_batch(w, now);
		next = axip_xdp_poll_timers(w, now);
		chan_flush_all(w);
		r = ready(w->stack, ctx);
		if (r)
			return r;
		if (now >= end)
			return 0;
		if (!got)
			axip_xdp_wait(w, next < end ? next : end);
	}
}

struct one_sock {
	int fd;
	unsigned events;
};

static int sock_ready(struct axip_stack *s, void *ctx)
{
	const struct one_sock *o = ctx;
	int ev = axip_sock_events(s, o->fd);
	if (ev < 0)
		return ev;
	return (int)((unsigned)ev & (o->events | AXIP_EV_ERR | AXIP_EV_HUP));
}

int axip_xdp_sock_wait(struct axip_xdp_worker *w, int fd, unsigned events, int timeout_ms)
{
	struct one_sock o = { fd, events };
	return drive_until(w, timeout_ms, sock_ready, &o);
}

struct poll_set {
	struct axip_pollfd *fds;
	axip_u32 n;
};

static int poll_ready(struct axip_stack *s, void *ctx)
{
	const struct poll_set *p = ctx;
	return axip_sock_poll(s, p->fds, p->n);
}

int axip_xdp_sock_poll(struct axip_xdp_worker *w, struct axip_pollfd *fds, unsigned n,
                       int timeout_ms)
{
	struct poll_set p = { fds, n };
	return drive_until(w, timeout_ms, poll_ready, &p);
}

struct epoll_out {
	int epfd, max;
	struct axip_epoll_event *ev;
};

static int epoll_ready(struct axip_stack *s, void *ctx)
{
	const struct epoll_out *e = ctx;
	return axip_epoll_wait(s, e->epfd, e->ev, e->max);
}

int axip_xdp_epoll_wait(struct axip_xdp_worker *w, int epfd, struct axip_epoll_event *ev,
                        int max, int timeout_ms)
{
	struct epoll_out e = { epfd, max, ev };
	return drive_until(w, timeout_ms, epoll_ready, &e);
}
