/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-tcp-echo-mt - TCP echo server (RFC 862) whose application runs in its
 * own thread, apart from the stack: the other arrangement to the examples
 * that run the application inside the worker's thread (axip_xdp_run).
 *
 * Threads:
 *   stack thread, one per worker (pinned like --cores says): drives its
 *     worker with the loop's building blocks of <axip/xdp.h>
 *     (axip_xdp_rx_batch, axip_xdp_poll_timers, axip_xdp_flush,
 *     axip_xdp_wait). It copies received data into messages and puts them on
 *     the worker's request ring, and writes the replies it finds on the
 *     worker's reply ring into the connections.
 *   application thread, one for all workers (--app-core): takes messages
 *     from every request ring, transforms them (a plain copy, or with --upper
 *     ASCII letters to upper case; the length never changes), puts each on
 *     the reply ring of its worker and wakes that worker with axip_xdp_wake()
 *     (an eventfd: a wake-up given while the worker is busy is kept, and its
 *     next axip_xdp_wait returns at once).
 *   main thread: SIGINT/SIGTERM stop, SIGUSR1 prints the counters.
 *
 * The core is not thread safe. Only a worker's stack thread calls axip_*
 * functions on that worker's instance (connections, packets, counters); the
 * application thread sees nothing of the core but messages, and calls only
 * axip_xdp_wake(), which is safe from any thread.
 *
 * Ownership: each worker owns a fixed pool of --pool messages of MSG_BYTES
 * bytes, taken and returned only by its stack thread. A message belongs to
 * the application thread from being pushed on the request ring until it is
 * pushed on the reply ring. Both rings are single-producer/single-consumer
 * and hold the whole pool, so a push never fails.
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
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <netinet/in.h>
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

/* Single-producer/single-consumer ring of message pointers. */
struct ring {
	_Alignas(64) atomic_uint head; /* next slot to read (consumer) */
	_Alignas(64) atomic_uint tail; /* next slot to write (producer) */
	unsigned mask;
	struct msg **slot;
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

/* One worker: its stack, its rings and its message pool. */
struct wk {
	struct app *a;
	struct axip_xdp_worker *w;
	struct axip_stack *s;
	pthread_t thread;
	struct ring req, rep;      /* stack -> application, application -> stack */
	struct msg *pool_mem, *free_list;
	struct conn *all;          /* every connection (stack thread) */
	struct conn *wait, *wait_tail; /* connections waiting for a message */
	int pushed;                /* requests pushed since the application was last told */
	atomic_int dump_req;
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
	pthread_t main_thread, app_thread;
	int app_ev;                /* eventfd: wakes the application thread */
	atomic_int app_asleep;
	atomic_int stop, failed;
	struct wk wk[AXIP_XDP_MAX_WORKERS];
};

/* ---- rings ---- */

static int ring_init(struct ring *r, unsigned size)
{
	r->slot = calloc(size, sizeof *r->slot);
	r->mask = size - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return r->slot ? 0 : -1;
}

/* Producer only. The ring holds the whole pool, so there is always room. */
static void ring_push(struct ring *r, struct msg *m)
{
	unsigned t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	r->slot[t & r->mask] = m;
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
}

/* Consumer only; NULL when empty. */
static struct msg *ring_pop(struct ring *r)
{
	unsigned h = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct msg *m;
	if (h == atomic_load_explicit(&r->tail, memory_order_acquire))
		return NULL;
	m = r->slot[h & r->mask];
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return m;
}

static int ring_empty(struct ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_relaxed) ==
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}

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

static void app_notify(struct app *a)
{
	uint64_t one = 1;
	if (write(a->app_ev, &one, sizeof one) < 0) {
		/* counter saturated: the application thread is awake anyway */
	}
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
			uint64_t bytes = 0;
			struct msg *m;
			while (got < APP_BATCH && (m = ring_pop(&k->req))) {
				transform(a, m);
				bytes += m->len;
				ring_push(&k->rep, m);
				got++;
			}
			if (got) {
				atomic_fetch_add_explicit(&k->app_msgs, got, memory_order_relaxed);
				atomic_fetch_add_explicit(&k->app_bytes, bytes, memory_order_relaxed);
				axip_xdp_wake(k->w);
				busy = 1;
			}
		}
		if (busy)
			continue;
		/* Sleep: announce it, then look once more. A stack thread pushes and
		 * then reads app_asleep, with a full fence on both sides, so either it
		 * sees the flag and writes the eventfd, or this check sees its push. */
		atomic_store(&a->app_asleep, 1);
		atomic_thread_fence(memory_order_seq_cst);
		for (i = 0; i < a->n && ring_empty(&a->wk[i].req); i++) {
		}
		if (i == a->n && !atomic_load(&a->stop)) {
			struct pollfd p = { .fd = a->app_ev, .events = POLLIN };
			uint64_t v;
			if (poll(&p, 1, -1) > 0 && read(a->app_ev, &v, sizeof v) < 0) {
				/* spurious: nothing to consume */
			}
		}
		atomic_store(&a->app_asleep, 0);
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
		ring_push(&k->req, m);
		k->pushed = 1;
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
	while ((m = ring_pop(&k->rep))) {
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

/* Tell the application thread about new requests (see app_main's sleep). */
static void tell_app(struct wk *k)
{
	if (!k->pushed)
		return;
	k->pushed = 0;
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&k->a->app_asleep))
		app_notify(k->a);
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

static void *stack_main(void *arg)
{
	struct wk *k = arg;
	struct app *a = k->a;
	struct axip_tcp_listener *l;
	int core = a->cli.xo.cores[axip_xdp_worker_index(k->w)], rc;
	if (core >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(core, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
			fprintf(stderr, "%s: worker %u: cannot pin to core %d\n", a->cli.prog,
			        axip_xdp_worker_index(k->w), core);
	}
	rc = axip_tcp_listen(k->s, 0, a->cli.port, 0, on_accept, k, NULL, &l);
	if (rc != AXIP_OK) {
		fprintf(stderr, "%s: worker %u: TCP port %u: %s\n", a->cli.prog,
		        axip_xdp_worker_index(k->w), a->cli.port, axip_strerror(rc));
		atomic_store(&a->failed, 1);
		pthread_kill(a->main_thread, SIGTERM);
		return NULL;
	}
	axip_xdp_flush(k->w);
	while (!atomic_load(&a->stop)) {
		axip_time_ns now = axip_xdp_now(), next;
		unsigned got = axip_xdp_rx_batch(k->w, now);
		int did = take_replies(k);
		if (did)
			axip_xdp_flush(k->w);
		tell_app(k);
		next = axip_xdp_poll_timers(k->w, now);
		tell_app(k);
		if (atomic_exchange(&k->dump_req, 0)) {
			axip_xdp_worker_print_counters(k->w, stderr);
			wk_print(k, stderr);
		}
		if (!got && !did)
			axip_xdp_wait(k->w, next);
	}
	/* stopping: reset what is still open (`closed` frees what it can) */
	{
		struct conn *e = k->all, *next;
		for (; e; e = next) {
			next = e->next;
			if (e->c)
				axip_tcp_abort(e->c);
		}
	}
	axip_xdp_flush(k->w);
	return NULL;
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
	if (!k->pool_mem || ring_init(&k->req, a->pool) || ring_init(&k->rep, a->pool))
		return -1;
	for (j = a->pool; j-- > 0;)
		pool_put(k, &k->pool_mem[j]);
	atomic_init(&k->dump_req, 0);
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
	free(k->req.slot);
	free(k->rep.slot);
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
	static struct app a;
	sigset_t set, old;
	unsigned i, started = 0;
	int rc = 0;
	a.pool = POOL_DEFAULT;
	a.app_core = -1;
	ex_parse(&a.cli, argc, argv,
	         "TCP echo server (RFC 862) on axip over AF_XDP; the application runs in its own\n"
	         "thread and exchanges messages with the stack threads through SPSC rings.",
	         7, extra, &a);
	a.app_ev = eventfd(0, EFD_CLOEXEC);
	if (a.app_ev < 0) {
		fprintf(stderr, "%s: eventfd: %s\n", a.cli.prog, strerror(errno));
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

	/* signals go to this thread only (the threads inherit the mask) */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	a.main_thread = pthread_self();
	if (pthread_create(&a.app_thread, NULL, app_main, &a) != 0) {
		fprintf(stderr, "%s: cannot start the application thread\n", a.cli.prog);
		rc = EX_FAIL;
		goto out;
	}
	for (i = 0; i < a.n; i++) {
		if (pthread_create(&a.wk[i].thread, NULL, stack_main, &a.wk[i]) != 0) {
			fprintf(stderr, "%s: cannot start stack thread %u\n", a.cli.prog, i);
			atomic_store(&a.failed, 1);
			break;
		}
		started++;
	}
	while (!atomic_load(&a.failed)) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig == SIGUSR1) {
			for (i = 0; i < started; i++) {
				atomic_store(&a.wk[i].dump_req, 1);
				axip_xdp_wake(a.wk[i].w);
			}
		} else if (sig == SIGINT || sig == SIGTERM) {
			break;
		}
	}
	atomic_store(&a.stop, 1);
	for (i = 0; i < started; i++)
		axip_xdp_wake(a.wk[i].w);
	for (i = 0; i < started; i++)
		pthread_join(a.wk[i].thread, NULL);
	app_notify(&a);
	pthread_join(a.app_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	axip_xdp_print_counters(a.x, stderr);
	for (i = 0; i < a.n; i++)
		wk_print(&a.wk[i], stderr);
	if (atomic_load(&a.failed))
		rc = EX_FAIL;
out:
	for (i = 0; i < a.n; i++)
		wk_free(&a.wk[i]);
	axip_xdp_close(a.x);
	close(a.app_ev);
	return rc;
}
