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
 *     runs axip_xdp_worker_loop. It copies received data into messages and
 *     sends them on the worker's channel to the application thread, and
 *     writes the replies it receives on the channel (the loop's poll hook)
 *     into the connections.
 *   application thread, one for all workers (--app-core): takes messages
 *     from every channel, transforms them (a plain copy, or with --upper
 *     ASCII letters to upper case; the length never changes), sends each
 *     back on its channel and wakes the worker once per batch; sleeps in
 *     axip_xdp_app_wait when no channel has work.
 *   main thread: the runner's (SIGINT/SIGTERM stop, SIGUSR1 prints the
 *     counters).
 *
 * The core is not thread safe. Only a worker's stack thread calls axip_*
 * functions on that worker's instance (connections, packets, counters); the
 * application thread sees nothing of the core but messages, and calls only
 * the application side of the channels.
 *
 * Ownership: each worker owns a fixed pool of --pool messages of MSG_BYTES
 * bytes, taken and returned only by its stack thread. A message belongs to
 * the application thread from being sent to it until it is sent back. Each
 * channel holds the whole pool either way, so a send never fails.
 *
 * Limits and flow control: received bytes are reported consumed
 * (axip_tcp_recved, which reopens the receive window) only once their reply
 * is in the send buffer, so each connection holds at most its receive
 * window. When the pool is empty, received data stays in the connection's
 * buffers until a message comes back (counted as pool_empty). Replies for a
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
	struct axip_tcp *c;        /* NULL once `closed` was called */
	struct axip_pkt *held;     /* received, not yet copied into a message */
	struct msg *txq, *txq_tail; /* replies waiting for send buffer room */
	unsigned in_flight;        /* messages at the application */
	int peer_done;             /* 1 = FIN received, 2 = our close sent */
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

/* Drop the first n bytes of a chain, releasing emptied buffers. */
static struct axip_pkt *chain_pull(struct axip_stack *s, struct axip_pkt *p, axip_u32 n)
{
	while (p && n) {
		struct axip_pkt *next;
		if (n < p->len) {
			p->data += n;
			p->len -= n;
			return p;
		}
		n -= p->len;
		next = p->sg_next;
		p->sg_next = NULL;
		axip_pkt_free(s, p);
		p = next;
	}
	return p;
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

/* Free a connection once the core, the application and the wait list are
 * all done with it. */
static void conn_release_if_done(struct conn *e)
{
	struct wk *k = e->wk;
	if (e->c || e->in_flight || e->waiting)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		k->all = e->next;
	if (e->next)
		e->next->prev = e->prev;
	free(e);
}

/* Close our side once the peer has closed and every byte it sent is echoed. */
static void maybe_close(struct conn *e)
{
	if (e->c && e->peer_done == 1 && !e->held && !e->in_flight && !e->txq) {
		e->peer_done = 2;
		(void)axip_tcp_close(e->c);
	}
}

/* Copy held data into messages and pass them to the application. */
static void pack(struct conn *e)
{
	struct wk *k = e->wk;
	while (e->c && e->held) {
		axip_u32 len = axip_pkt_chain_len(e->held);
		struct msg *m;
		if (len == 0) {
			axip_pkt_free(k->s, e->held);
			e->held = NULL;
			break;
		}
		m = pool_get(k);
		if (!m) {
			k->ctr.pool_empty++;
			wait_add(k, e);
			return;
		}
		if (len > MSG_BYTES)
			len = MSG_BYTES;
		m->conn = e;
		m->len = axip_pkt_copy_out(e->held, 0, m->data, len);
		m->off = 0;
		e->held = chain_pull(k->s, e->held, m->len);
		e->in_flight++;
		k->ctr.msgs_out++;
		k->ctr.bytes_out += m->len;
		(void)axip_xdp_chan_send(k->ch, m); /* holds the whole pool */
	}
}

/* Write queued replies while the send buffer takes them. Returns 0, or -1
 * when the connection was aborted (and may be gone). */
static int send_replies(struct conn *e)
{
	while (e->c && e->txq) {
		struct msg *m = e->txq;
		int n = axip_tcp_write(e->c, m->data + m->off, m->len - m->off, 0);
		if (n == AXIP_E_AGAIN || n == 0)
			return 0; /* the `sent` callback continues */
		if (n < 0) {
			e->wk->ctr.write_errors++;
			axip_tcp_abort(e->c); /* `closed` releases the queue */
			return -1;
		}
		m->off += (uint32_t)n;
		/* the reply is in the send buffer: its request's bytes are consumed */
		axip_tcp_recved(e->c, (axip_u32)n);
		if (m->off == m->len) {
			e->txq = m->next;
			if (!e->txq)
				e->txq_tail = NULL;
			pool_put(e->wk, m);
		}
	}
	return 0;
}

static void on_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct conn *e = arg;
	(void)c;
	if (e->held) {
		struct axip_pkt *t = e->held;
		while (t->sg_next)
			t = t->sg_next;
		t->sg_next = data;
	} else {
		e->held = data;
	}
	if (!e->waiting) /* otherwise it waits its turn for a message */
		pack(e);
}

static void on_sent(void *arg, struct axip_tcp *c, axip_u32 acked)
{
	struct conn *e = arg;
	(void)c;
	(void)acked;
	if (send_replies(e) == 0)
		maybe_close(e);
}

static void on_peer_closed(void *arg, struct axip_tcp *c)
{
	struct conn *e = arg;
	(void)c;
	e->peer_done = 1;
	maybe_close(e);
}

static void on_closed(void *arg, struct axip_tcp *c, int err)
{
	struct conn *e = arg;
	struct wk *k = e->wk;
	(void)c;
	(void)err;
	e->c = NULL;
	axip_pkt_free(k->s, e->held);
	e->held = NULL;
	while (e->txq) {
		struct msg *m = e->txq;
		e->txq = m->next;
		pool_put(k, m);
	}
	e->txq_tail = NULL;
	conn_release_if_done(e);
}

static const struct axip_tcp_callbacks conn_cb = {
	.recv = on_recv,
	.peer_closed = on_peer_closed,
	.sent = on_sent,
	.closed = on_closed,
};

static int on_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb,
                     void **cb_arg)
{
	struct wk *k = arg;
	struct conn *e = calloc(1, sizeof *e);
	if (!e)
		return AXIP_E_NOMEM;
	e->wk = k;
	e->c = c;
	e->next = k->all;
	if (k->all)
		k->all->prev = e;
	k->all = e;
	k->ctr.accepted++;
	*cb = &conn_cb;
	*cb_arg = e;
	return AXIP_OK;
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
		if (!e->c) {
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
		if (send_replies(e) == 0)
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
	struct axip_tcp_listener *l;
	int rc = axip_tcp_listen(k->s, 0, a->cli.port, 0, on_accept, k, NULL, &l);
	if (rc != AXIP_OK) {
		fprintf(stderr, "%s: worker %u: TCP port %u: %s\n", a->cli.prog,
		        axip_xdp_worker_index(w), a->cli.port, axip_strerror(rc));
		return -1;
	}
	return 0;
}

static int poll_replies(struct axip_xdp_worker *w, axip_time_ns now, void *arg)
{
	struct app *a = arg;
	(void)now;
	return take_replies(&a->wk[axip_xdp_worker_index(w)]);
}

static void dump(struct axip_xdp_worker *w, FILE *f, void *arg)
{
	struct app *a = arg;
	wk_print(&a->wk[axip_xdp_worker_index(w)], f);
}

/* Stopping: reset what is still open (`closed` frees what it can). */
static void teardown(struct axip_xdp_worker *w, void *arg)
{
	struct app *a = arg;
	struct conn *e = a->wk[axip_xdp_worker_index(w)].all, *next;
	for (; e; e = next) {
		next = e->next;
		if (e->c)
			axip_tcp_abort(e->c);
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
		.setup = setup, .poll = poll_replies, .dump = dump, .teardown = teardown,
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
