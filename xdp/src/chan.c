/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * chan.c - channels between a worker and an application thread of its own
 * (<axip/xdp.h>, "the application in a thread of its own").
 *
 * A channel is two SPSC rings of pointers (<axip/spsc.h>): to_app, filled
 * by the worker, and to_worker, filled by the application thread. Wake-ups:
 *  - worker -> application: the thread announces that it is about to sleep
 *    (asleep = 1), then looks at its rings once more and sleeps on its
 *    eventfd. A worker publishes messages and then reads `asleep`, with a
 *    full fence on both sides, so either it sees the flag and writes the
 *    eventfd, or the thread's last look sees the messages. A busy thread
 *    costs the worker no system call.
 *  - application -> worker: axip_xdp_wake() (the worker's eventfd), once
 *    per batch (axip_xdp_app_flush).
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "xdp_internal.h"

struct axip_xdp_app {
	int ev;                        /* eventfd the thread sleeps on */
	atomic_int asleep;
	struct axip_xdp_chan *chans;   /* channels to this thread */
};

struct axip_xdp_chan {
	struct axip_xdp_worker *w;
	struct axip_xdp_app *a;
	struct axip_spsc *to_app, *to_worker;
	int sent_to_app;               /* worker side: sent since the last flush */
	int sent_to_worker;            /* application side: the same */
	struct axip_xdp_chan *next_w;  /* the worker's channels */
	struct axip_xdp_chan *next_a;  /* the application thread's channels */
};

struct axip_xdp_app *axip_xdp_app_new(void)
{
	struct axip_xdp_app *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->ev = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->ev < 0) {
		free(a);
		return NULL;
	}
	atomic_init(&a->asleep, 0);
	return a;
}

void axip_xdp_app_free(struct axip_xdp_app *a)
{
	if (!a)
		return;
	close(a->ev);
	free(a);
}

void axip_xdp_app_wake(struct axip_xdp_app *a)
{
	uint64_t one = 1;
	if (write(a->ev, &one, sizeof one) < 0) {
		/* counter saturated: the thread is awake anyway */
	}
}

void axip_xdp_app_wait(struct axip_xdp_app *a, int timeout_ms)
{
	struct axip_xdp_chan *c;
	atomic_store(&a->asleep, 1);
	atomic_thread_fence(memory_order_seq_cst);
	for (c = a->chans; c && axip_spsc_empty(c->to_app); c = c->next_a) {
	}
	if (!c) {
		struct pollfd p = { .fd = a->ev, .events = POLLIN };
		uint64_t v;
		if (poll(&p, 1, timeout_ms) > 0 && read(a->ev, &v, sizeof v) < 0) {
			/* spurious: nothing to consume */
		}
	}
	atomic_store(&a->asleep, 0);
}

struct axip_xdp_chan *axip_xdp_chan_new(struct axip_xdp_worker *w, struct axip_xdp_app *a,
                                        uint32_t entries)
{
	struct axip_xdp_chan *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->w = w;
	c->a = a;
	c->to_app = axip_spsc_new(entries, sizeof(void *));
	c->to_worker = axip_spsc_new(entries, sizeof(void *));
	if (!c->to_app || !c->to_worker) {
		axip_spsc_free(c->to_app);
		axip_spsc_free(c->to_worker);
		free(c);
		return NULL;
	}
	c->next_w = w->chans;
	w->chans = c;
	c->next_a = a->chans;
	a->chans = c;
	return c;
}

void axip_xdp_chan_free(struct axip_xdp_chan *c)
{
	struct axip_xdp_chan **p;
	if (!c)
		return;
	for (p = &c->w->chans; *p != c; p = &(*p)->next_w) {
	}
	*p = c->next_w;
	for (p = &c->a->chans; *p != c; p = &(*p)->next_a) {
	}
	*p = c->next_a;
	axip_spsc_free(c->to_app);
	axip_spsc_free(c->to_worker);
	free(c);
}

struct axip_xdp_worker *axip_xdp_chan_worker(const struct axip_xdp_chan *c)
{
	return c->w;
}

/* ---- worker side ---- */

int axip_xdp_chan_send(struct axip_xdp_chan *c, void *msg)
{
	if (axip_spsc_push_ptr(c->to_app, msg) != 0)
		return -1;
	c->sent_to_app = 1;
	return 0;
}

void *axip_xdp_chan_recv(struct axip_xdp_chan *c)
{
	return axip_spsc_pop_ptr(c->to_worker);
}

void axip_xdp_chan_flush(struct axip_xdp_chan *c)
{
	if (!c->sent_to_app)
		return;
	c->sent_to_app = 0;
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&c->a->asleep))
		axip_xdp_app_wake(c->a);
}

void chan_flush_all(struct axip_xdp_worker *w)
{
	struct axip_xdp_chan *c;
	for (c = w->chans; c; c = c->next_w)
		axip_xdp_chan_flush(c);
}

/* ---- application side ---- */

void *axip_xdp_app_recv(struct axip_xdp_chan *c)
{
	return axip_spsc_pop_ptr(c->to_app);
}

int axip_xdp_app_send(struct axip_xdp_chan *c, void *msg)
{
	if (axip_spsc_push_ptr(c->to_worker, msg) != 0)
		return -1;
	c->sent_to_worker = 1;
	return 0;
}

void axip_xdp_app_flush(struct axip_xdp_chan *c)
{
	if (!c->sent_to_worker)
		return;
	c->sent_to_worker = 0;
	axip_xdp_wake(c->w);
}
