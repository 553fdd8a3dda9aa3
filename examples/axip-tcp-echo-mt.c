/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-tcp-echo-mt - TCP echo server (RFC 862) whose application runs in its
 * own thread, apart from the stack: the other arrangement to the examples
 * that run the application inside the worker's thread. It is built from the
 * AF_XDP library's facility for this (<axip/xdp.h>, "the application in a
 * thread of its own": channels of SPSC rings with wake-ups both ways) and
 * the runner (<axip/runner.h>), so it holds only its application.
 *
 * Threads:
 *   stack thread, one per worker (the runner's, pinned like --cores says):
 *     runs axip_xdp_worker_loop. Its poll hook takes the ready sockets of
 *     the worker's interest set (axip/sock.h), reads received data into
 *     messages and sends them on the worker's channel to the application
 *     thread, and writes the replies it receives on the channel into the
 *     sockets.
 *   application thread, one for all workers (--app-core): takes messages
 *     from every channel, transforms them (a plain copy, or with --upper
 *     ASCII letters to upper case; the length never changes), sends each
 *     back on its channel and wakes the worker once per batch; sleeps in
 *     axip_xdp_app_wait when no channel has work.
 *   main thread: the runner's (SIGINT/SIGTERM stop, SIGUSR1 prints the
 *     counters).
 *
 * The core is not thread safe. Only a worker's stack thread calls axip_*
 * functions on that worker's instance (sockets, counters); the
 * application thread sees nothing of the core but messages, and calls only
 * the application side of the channels.
 *
 * Ownership: each worker owns a fixed pool of --pool messages of MSG_BYTES
 * bytes, taken and returned only by its stack thread. A message belongs to
 * the application thread from being sent to it until it is sent back. Each
 * channel holds the whole pool either way, so a send never fails.
 *
 * Limits and flow control: data is read from a socket only into a message
 * from the pool, so a worker holds at most --pool messages of data between
 * its sockets and the application. When the pool is empty, received data
 * stays unread in the socket (its receive window closes, the peer waits)
 * until a message comes back (counted as pool_empty). A reply that does not
 * fit the send buffer waits for the socket to become writable. Replies for a
 * connection that closed meanwhile are dropped (replies_dropped). Messages of
 * one connection keep their order: one ring per direction, one consumer.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <axip/runner.h>
#include <axip/xdp.h>
#include "example_cli.h"

#define MSG_BYTES 16384u   /* payload bytes per message */
#define POOL_DEFAULT 256u  /* messages per worker */
#define POOL_MAX 65536u
#define APP_BATCH 64u      /* messages the application handles per worker before waking it */

struct conn;

struct msg {
	struct conn *conn;     /* read and written by the stack thread only */
	struct msg *next;      /* pool free list or a connection's reply queue (stack thread) */
	uint32_t len, off;     /* payload bytes; bytes of the reply already written */
	unsigned char data[MSG_BYTES];
};

struct conn {
	struct wk *wk;
	int fd;                    /* the socket; -1 once closed */
	struct msg *txq, *txq_tail; /* replies waiting for send buffer room */
	unsigned in_flight;        /* messages at the application */
	int eof;                   /* the peer finished and everything was read */
	int waiting;               /* on wk->wait: needs a message from the pool */
	struct conn *wait_next;
	struct conn *prev, *next;  /* every connection of the worker */
};

/* Counters of one worker's stack thread (written there; printed there or
 * after the threads ended). */
struct wk_ctr {
	uint64_t accepted, msgs_out, bytes_out, replies, pool_empty, replies_dropped, write_errors;
};

/* One worker: its stack, its channel and its message pool. */
struct wk {
	struct app *a;
	struct axip_xdp_worker *w;
	struct axip_stack *s;
	int listener, ep;          /* listening socket, interest set */
	struct axip_xdp_chan *ch;  /* messages to the application thread and back */
	struct msg *pool_mem, *free_list;
	struct conn *all;          /* every connection (stack thread) */
	struct conn *wait, *wait_tail; /* connections waiting for a message */
	struct wk_ctr ctr;
	atomic_ullong app_msgs, app_bytes; /* written by the application thread */
};

struct app {
	struct ex_cli cli;
	struct axip_xdp *x;
	unsigned n;
	unsigned pool;
	int upper;
	int app_core;
	pthread_t app_thread;
	struct axip_xdp_app *thread; /* the application thread's wake-up */
	atomic_int stop;
	struct wk wk[AXIP_XDP_MAX_WORKERS];
};

/* ---- the application thread ---- */

static void transform(const struct app *a, struct msg *m)
{
	uint32_t i;
	if (!a->upper)
		return;
	for (i = 0; i < m->len; i++)
		if (m->data[i] >= 'a' && m->data[i] <= 'z')
			m->data[i] = (unsigned char)(m->data[i] - 'a' + 'A');
}

static void *app_main(void *arg)
{
	struct app *a = arg;
	unsigned i;
	if (a->app_core >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(a->app_core, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
			fprintf(stderr, "%s: cannot pin the application thread to core %d\n", a->cli.prog,
			        a->app_core);
	}
	while (!atomic_load(&a->stop)) {
		int busy = 0;
		for (i = 0; i < a->n; i++) {
			struct wk *k = &a->wk[i];
			unsigned got = 0;
			struct msg *m;
			while (got < APP_BATCH && (m = axip_xdp_app_recv(k->ch))) {
				transform(a, m);
				/* counted before the reply leaves: a worker that has every
				 * reply sees final counts */
				atomic_fetch_add_explicit(&k->app_msgs, 1, memory_order_relaxed);
				atomic_fetch_add_explicit(&k->app_bytes, m->len, memory_order_relaxed);
				(void)axip_xdp_app_send(k->ch, m); /* holds the whole pool */
				got++;
			}
			if (got) {
				axip_xdp_app_flush(k->ch);
				busy = 1;
			}
		}
		if (!busy)
			axip_xdp_app_wait(a->thread, -1);
	}
	return NULL;
}

/* ---- the stack thread: messages and connections ---- */

static struct msg *pool_get(struct wk *k)
{
	struct msg *m = k->free_list;
	if (m)
		k->free_list = m->next;
	return m;
}

static void pool_put(struct wk *k, struct msg *m)
{
	m->next = k->free_list;
	k->free_list = m;
}

static void wait_add(struct wk *k, struct conn *e)
{
	if (e->waiting)
		return;
	e->waiting = 1;
	e->wait_next = NULL;
	if (k->wait_tail)
		k->wait_tail->wait_next = e;
	else
		k->wait = e;
	k->wait_tail = e;
}

/* Free a connection once its socket, the application and the wait list
 * are all done with it. */
static void conn_release_if_done(struct conn *e)
{
	struct wk *k = e->wk;
	if (e->fd >= 0 || e->in_flight || e->waiting)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		k->all = e->next;
	if (e->next)
		e->next->prev = e->prev;
	free(e);
}

/* Close the socket: graceful, or with a reset (SO_LINGER 0); queued replies
 * go back to the pool. */
static void conn_close(struct conn *e, int reset)
{
	struct wk *k = e->wk;
	if (e->fd < 0)
		return;
	if (reset) {
		struct axip_linger l = { 1, 0 };
		(void)axip_setsockopt(k->s, e->fd, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &l, sizeof l);
	}
	axip_close(k->s, e->fd);
	e->fd = -1;
	while (e->txq) {
		struct msg *m = e->txq;
		e->txq = m->next;
		pool_put(k, m);
	}
	e->txq_tail = NULL;
	conn_release_if_done(e);
}

/* Close our side once the peer has closed and every byte it sent is echoed. */
static void maybe_close(struct conn *e)
{
	if (e->fd >= 0 && e->eof && !e->in_flight && !e->txq)
		conn_close(e, 0); /* FIN after the last reply */
}

/* Read received data into messages and pass them to the application. */
static void pack(struct conn *e)
{
	struct wk *k = e->wk;
	while (e->fd >= 0 && !e->eof) {
		struct msg *m;
		int n;
		if (axip_sock_nread(k->s, e->fd) <= 0) {
			/* nothing queued: the end of the stream, an error, or later */
			unsigned char c;
			n = axip_recv(k->s, e->fd, &c, 1, 0);
			if (n == 0)
				e->eof = 1;
			else if (n != -AXIP_EAGAIN)
				conn_close(e, 1);
			return;
		}
		m = pool_get(k);
		if (!m) {
			k->ctr.pool_empty++;
			wait_add(k, e);
			return;
		}
		n = axip_recv(k->s, e->fd, m->data, MSG_BYTES, 0);
		if (n <= 0) {
			pool_put(k, m);
			conn_close(e, 1);
			return;
		}
		m->conn = e;
		m->len = (uint32_t)n;
		m->off = 0;
		e->in_flight++;
		k->ctr.msgs_out++;
		k->ctr.bytes_out += m->len;
		(void)axip_xdp_chan_send(k->ch, m); /* holds the whole pool */
	}
}

/* Write queued replies while the send buffer takes them; the rest waits for
 * the socket to become writable. */
static void send_replies(struct conn *e)
{
	while (e->fd >= 0 && e->txq) {
		struct msg *m = e->txq;
		int n = axip_send(e->wk->s, e->fd, m->data + m->off, m->len - m->off, 0);
		if (n == -AXIP_EAGAIN || n == 0)
			return;
		if (n < 0) {
			e->wk->ctr.write_errors++;
			conn_close(e, 1);
			return;
		}
		m->off += (uint32_t)n;
		if (m->off == m->len) {
			e->txq = m->next;
			if (!e->txq)
				e->txq_tail = NULL;
			pool_put(e->wk, m);
		}
	}
}

static void accept_all(struct wk *k)
{
	int fd;
	while ((fd = axip_accept(k->s, k->listener, NULL)) >= 0) {
		struct conn *e = calloc(1, sizeof *e);
		struct axip_epoll_event ev = { AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_ET, 0 };
		if (!e) {
			axip_close(k->s, fd);
			continue;
		}
		e->wk = k;
		e->fd = fd;
		ev.data = (axip_u64)(uintptr_t)e;
		if (axip_epoll_ctl(k->s, k->ep, AXIP_EPOLL_CTL_ADD, fd, &ev) < 0) {
			axip_close(k->s, fd);
			free(e);
			continue;
		}
		e->next = k->all;
		if (k->all)
			k->all->prev = e;
		k->all = e;
		k->ctr.accepted++;
		pack(e);
	}
}

/* The worker's ready sockets. Returns non-zero when anything was ready. */
static int take_events(struct wk *k)
{
	struct axip_epoll_event ev[64];
	int i, n = axip_epoll_wait(k->s, k->ep, ev, 64);
	for (i = 0; i < n; i++) {
		struct conn *e = (struct conn *)(uintptr_t)ev[i].data;
		if (!e) {
			accept_all(k);
			continue;
		}
		if (ev[i].events & (AXIP_EV_ERR | AXIP_EV_HUP)) {
			conn_close(e, 1); /* reset or gone: nothing more to echo */
			continue;
		}
		if (!e->waiting) /* otherwise it waits its turn for a message */
			pack(e);
		send_replies(e);
		maybe_close(e);
	}
	return n > 0;
}

/* Take the application's replies; hand out messages to waiting connections.
 * Returns non-zero when anything was done. */
static int take_replies(struct wk *k)
{
	struct msg *m;
	struct conn *list;
	int did = 0;
	while ((m = axip_xdp_chan_recv(k->ch))) {
		struct conn *e = m->conn;
		did = 1;
		e->in_flight--;
		if (e->fd < 0) {
			k->ctr.replies_dropped++;
			pool_put(k, m);
			conn_release_if_done(e);
			continue;
		}
		k->ctr.replies++;
		m->next = NULL;
		if (e->txq_tail)
			e->txq_tail->next = m;
		else
			e->txq = m;
		e->txq_tail = m;
		send_replies(e);
		maybe_close(e);
	}
	/* connections that found the pool empty, in their order */
	list = k->wait;
	k->wait = k->wait_tail = NULL;
	while (list && k->free_list) {
		struct conn *e = list;
		list = e->wait_next;
		e->waiting = 0;
		did = 1;
		pack(e);
		maybe_close(e);
		conn_release_if_done(e);
	}
	/* the rest keep their place, ahead of any that just queued again */
	if (list) {
		struct conn *tail = list;
		while (tail->wait_next)
			tail = tail->wait_next;
		tail->wait_next = k->wait;
		if (!k->wait)
			k->wait_tail = tail;
		k->wait = list;
	}
	return did;
}

/* The application's counters of one worker. */
static void wk_print(struct wk *k, FILE *f)
{
	flockfile(f);
	fprintf(f, "worker %u application:\n", axip_xdp_worker_index(k->w));
	fprintf(f, "  app_accepted                 %llu\n", (unsigned long long)k->ctr.accepted);
	fprintf(f, "  app_msgs_to_app              %llu\n", (unsigned long long)k->ctr.msgs_out);
	fprintf(f, "  app_bytes_to_app             %llu\n", (unsigned long long)k->ctr.bytes_out);
	fprintf(f, "  app_msgs_transformed         %llu\n",
	        (unsigned long long)atomic_load(&k->app_msgs));
	fprintf(f, "  app_bytes_transformed        %llu\n",
	        (unsigned long long)atomic_load(&k->app_bytes));
	fprintf(f, "  app_replies                  %llu\n", (unsigned long long)k->ctr.replies);
	fprintf(f, "  app_pool_empty               %llu\n", (unsigned long long)k->ctr.pool_empty);
	fprintf(f, "  app_replies_dropped          %llu\n", (unsigned long long)k->ctr.replies_dropped);
	fprintf(f, "  app_write_errors             %llu\n", (unsigned long long)k->ctr.write_errors);
	funlockfile(f);
}

/* ---- the runner's hooks (each worker's stack thread) ---- */

static int setup(struct axip_xdp_worker *w, void *arg)
{
	struct app *a = arg;
	struct wk *k = &a->wk[axip_xdp_worker_index(w)];
	struct axip_sockaddr addr = { .family = AXIP_AF_INET, .port = a->cli.port };
	struct axip_epoll_event ev = { AXIP_EV_IN, 0 }; /* data 0: the listener */
	int rc;

	k->listener = axip_socket(k->s, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	k->ep = axip_epoll_create(k->s);
	rc = k->listener < 0 ? k->listener : k->ep < 0 ? k->ep : axip_bind(k->s, k->listener, &addr);
	if (rc == 0)
		rc = axip_listen(k->s, k->listener, 4096);
	if (rc == 0)
		rc = axip_epoll_ctl(k->s, k->ep, AXIP_EPOLL_CTL_ADD, k->listener, &ev);
	if (rc < 0) {
		fprintf(stderr, "%s: worker %u: TCP port %u: %s\n", a->cli.prog,
		        axip_xdp_worker_index(w), a->cli.port, strerror(-rc));
		return -1;
	}
	return 0;
}

static int poll_worker(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct app *a = arg;
	struct wk *k = &a->wk[axip_xdp_worker_index(w)];
	int did = take_events(k);
	(void)now;
	return take_replies(k) | did;
}

static void dump(struct axip_xdp_worker *w, FILE *f, void *arg)
{
	struct app *a = arg;
	wk_print(&a->wk[axip_xdp_worker_index(w)], f);
}

/* Stopping: reset what is still open. */
static void teardown(struct axip_xdp_worker *w, void *arg)
{
	struct app *a = arg;
	struct conn *e = a->wk[axip_xdp_worker_index(w)].all, *next;
	for (; e; e = next) {
		next = e->next;
		conn_close(e, 1);
	}
}

/* ---- options, start and stop ---- */

static int opt_upper(const char *arg, void *ctx)
{
	(void)arg;
	((struct app *)ctx)->upper = 1;
	return 0;
}

static int opt_pool(const char *arg, void *ctx)
{
	unsigned long v;
	if (cli_uint(arg, 1, POOL_MAX, &v) || (v & (v - 1)))
		return -1;
	((struct app *)ctx)->pool = (unsigned)v;
	return 0;
}

static int opt_app_core(const char *arg, void *ctx)
{
	long v;
	if (cli_int(arg, -1, CPU_SETSIZE - 1, &v))
		return -1;
	((struct app *)ctx)->app_core = (int)v;
	return 0;
}

static int wk_init(struct app *a, unsigned i)
{
	struct wk *k = &a->wk[i];
	unsigned j;
	k->a = a;
	k->w = axip_xdp_worker(a->x, i);
	k->s = axip_xdp_worker_stack(k->w);
	k->pool_mem = calloc(a->pool, sizeof *k->pool_mem);
	k->ch = axip_xdp_chan_new(k->w, a->thread, a->pool);
	if (!k->pool_mem || !k->ch)
		return -1;
	for (j = a->pool; j-- > 0;)
		pool_put(k, &k->pool_mem[j]);
	atomic_init(&k->app_msgs, 0);
	atomic_init(&k->app_bytes, 0);
	return 0;
}

/* After every thread has ended: what is left belongs to nobody else. */
static void wk_free(struct wk *k)
{
	while (k->all) {
		struct conn *e = k->all;
		k->all = e->next;
		free(e);
	}
	axip_xdp_chan_free(k->ch);
	free(k->pool_mem);
}

int main(int argc, char **argv)
{
	static const struct ex_extra_opt extra[] = {
		{ "upper", 0, "reply with ASCII letters in upper case (default: unchanged)", opt_upper },
		{ "pool", 1, "messages per worker, a power of two 1..65536 (16 KiB each, default 256)",
		  opt_pool },
		{ "app-core", 1, "CPU of the application thread (default -1: not pinned)", opt_app_core },
		{ NULL, 0, NULL, NULL },
	};
	static const struct axip_runner_hooks hooks = {
		.setup = setup, .poll = poll_worker, .dump = dump, .teardown = teardown,
	};
	static struct app a;
	sigset_t set;
	unsigned i;
	int rc = 0;
	a.pool = POOL_DEFAULT;
	a.app_core = -1;
	ex_parse(&a.cli, argc, argv,
	         "TCP echo server (RFC 862) on axip over AF_XDP; the application runs in its own\n"
	         "thread and exchanges messages with the stack threads through SPSC rings.",
	         7, extra, &a);
	a.thread = axip_xdp_app_new();
	if (!a.thread) {
		fprintf(stderr, "%s: cannot create the application thread's wake-up\n", a.cli.prog);
		return EX_FAIL;
	}
	/* a descriptor for every connection the pool holds, plus listener and set */
	if (a.cli.xo.stack_cfg.sock_max < a.cli.xo.stack_cfg.tcp_conns + 2u)
		a.cli.xo.stack_cfg.sock_max = a.cli.xo.stack_cfg.tcp_conns + 2u;
	a.x = ex_open(&a.cli);
	a.n = axip_xdp_n_workers(a.x);
	for (i = 0; i < a.n; i++) {
		if (wk_init(&a, i)) {
			fprintf(stderr, "%s: out of memory for %u messages\n", a.cli.prog, a.pool);
			rc = EX_FAIL;
			goto out;
		}
	}
	if (axip_xdp_add_rule(a.x, IPPROTO_TCP, a.cli.port)) {
		fprintf(stderr, "%s: cannot add the steering rule for TCP port %u\n", a.cli.prog,
		        a.cli.port);
		rc = EX_FAIL;
		goto out;
	}
	fprintf(stderr, "%s: echoing TCP port %u%s; %u stack thread%s, one application thread, "
	        "%u message%s of %u bytes per worker\n", a.cli.prog, a.cli.port,
	        a.upper ? " in upper case" : "", a.n, a.n == 1 ? "" : "s", a.pool,
	        a.pool == 1 ? "" : "s", MSG_BYTES);

	/* the runner's signals must reach only the runner's thread */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&a.app_thread, NULL, app_main, &a) != 0) {
		fprintf(stderr, "%s: cannot start the application thread\n", a.cli.prog);
		rc = EX_FAIL;
		goto out;
	}
	if (axip_runner_run_hooks(a.x, &hooks, &a) != 0)
		rc = EX_FAIL;
	atomic_store(&a.stop, 1);
	axip_xdp_app_wake(a.thread);
	pthread_join(a.app_thread, NULL);
out:
	for (i = 0; i < a.n; i++)
		wk_free(&a.wk[i]);
	axip_xdp_close(a.x);
	axip_xdp_app_free(a.thread);
	return rc;
}
