/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rpc - TCP request/response benchmark on kernel sockets (epoll, TCP_NODELAY).
 *
 * Protocol: the client sends fixed-size messages (default 64 bytes) and the
 * server sends every byte back. Any echo server (RFC 862) serves it, e.g.
 * axip-tcp-echo, so the same client measures kernel and axip servers.
 *
 *   rpc server [--port P] [--threads N] [--cpus LIST]
 *   rpc client --host A.B.C.D|IPV6 [--port P] [--conns N] [--depth D] [--size B]
 *              [--duration S] [--warmup S] [--threads N] [--cpus LIST]
 *
 * Client modes: --depth 1 is ping-pong (each connection keeps one message in
 * flight); --depth D > 1 is burst mode (D messages in flight per connection,
 * a new one sent for each one echoed). Every message is timestamped when it
 * is written and its latency recorded when its last echoed byte is read
 * (TCP keeps order, so a FIFO of send times per connection matches them).
 * After --warmup seconds the counters restart and run for --duration seconds;
 * the result is one line (see rpc_stats.h) on stdout.
 *
 * Server: one epoll loop per thread, each with its own SO_REUSEPORT listener.
 * It runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "cli_opt.h"
#include "rpc_stats.h"

#define MAX_THREADS 64
#define IOBUF (64 * 1024)

struct opts {
	int server;
	const char *host;
	uint16_t port;
	unsigned conns, depth, size, threads;
	double duration, warmup;
	int cpus[MAX_THREADS];
	int n_cpus;
};

static struct opts O = {
	.port = 6201, .conns = 1, .depth = 1, .size = 64, .threads = 1,
	.duration = 5, .warmup = 1,
};

static void die(const char *what)
{
	fprintf(stderr, "rpc: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: rpc server [--port P] [--threads N] [--cpus LIST]\n"
	        "       rpc --help | --version\n"
	        "       rpc client --host A.B.C.D|IPV6 [--port P] [--conns N] [--depth D] [--size B]\n"
	        "                  [--duration S] [--warmup S] [--threads N] [--cpus LIST]\n"
	        "TCP request/response benchmark: fixed-size messages echoed back.\n"
	        "  --port P       TCP port (default 6201)\n"
	        "  --conns N      client connections, spread over the threads (default 1)\n"
	        "  --depth D      messages in flight per connection: 1 = ping-pong (default),\n"
	        "                 more = burst mode\n"
	        "  --size B       message size in bytes (default 64)\n"
	        "  --duration S   measured seconds (default 5), after --warmup S (default 1)\n"
	        "  --threads N    epoll threads (default 1)\n"
	        "  --cpus LIST    CPU of each thread, comma-separated (default: not pinned)\n"
	        "Client output: one line of key=value pairs (transactions, tps, latency\n"
	        "percentiles in microseconds).\n");
}

/* ------------------------------------------------------------------ server */

struct sconn {
	int fd;
	unsigned char *pend; /* echo bytes the socket did not take yet */
	size_t pend_len, pend_cap;
};

static void sconn_close(int ep, struct sconn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->pend);
	free(c);
}

/* Write what is pending; returns 1 when all is out, 0 when blocked, -1 on error. */
static int sconn_flush(struct sconn *c)
{
	while (c->pend_len) {
		ssize_t n = write(c->fd, c->pend, c->pend_len);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		memmove(c->pend, c->pend + n, c->pend_len - (size_t)n);
		c->pend_len -= (size_t)n;
	}
	return 1;
}

static void sconn_keep(struct sconn *c, const unsigned char *p, size_t n)
{
	if (c->pend_len + n > c->pend_cap) {
		c->pend_cap = (c->pend_len + n) * 2;
		c->pend = realloc(c->pend, c->pend_cap);
		if (!c->pend)
			die("realloc");
	}
	memcpy(c->pend + c->pend_len, p, n);
	c->pend_len += n;
}

static void *server_thread(void *arg)
{
	unsigned idx = (unsigned)(uintptr_t)arg;
	static __thread unsigned char buf[IOBUF];
	/* one dual-stack listener on :: serves IPv4 and IPv6 clients */
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(O.port) };
	struct epoll_event ev, evs[128];
	int one = 1, zero = 0, ls, ep;
	if (O.n_cpus)
		rpc_pin_self(O.cpus[idx % (unsigned)O.n_cpus]);
	ls = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (ls < 0)
		die("socket");
	setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(ls, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind");
	if (listen(ls, 4096) < 0)
		die("listen");
	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	ev.events = EPOLLIN;
	ev.data.ptr = NULL; /* NULL = the listener */
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	for (;;) {
		int n = epoll_wait(ep, evs, 128, -1), i;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			struct sconn *c = evs[i].data.ptr;
			if (!c) {
				int fd;
				while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					c = calloc(1, sizeof *c);
					if (!c)
						die("calloc");
					c->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
				}
				continue;
			}
			if (c->pend_len) { /* blocked on output: flush before reading more */
				int r = sconn_flush(c);
				if (r < 0) {
					sconn_close(ep, c);
					continue;
				}
				if (!r)
					continue;
				ev.events = EPOLLIN;
				ev.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
			for (;;) {
				ssize_t r = read(c->fd, buf, sizeof buf), w;
				if (r == 0 || (r < 0 && errno != EAGAIN)) {
					sconn_close(ep, c);
					break;
				}
				if (r < 0)
					break;
				w = write(c->fd, buf, (size_t)r);
				if (w < 0 && errno != EAGAIN) {
					sconn_close(ep, c);
					break;
				}
				if (w < 0)
					w = 0;
				if (w < r) {
					sconn_keep(c, buf + w, (size_t)(r - w));
					ev.events = EPOLLOUT;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
					break;
				}
			}
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ client */

struct cconn {
	int fd;
	unsigned rx_have;   /* bytes of the oldest message already echoed */
	unsigned tx_left;   /* bytes of written messages the socket did not take */
	unsigned head, n;   /* FIFO of send times: oldest at head, n in flight */
	uint64_t *ts;       /* depth entries */
};

struct cthread {
	pthread_t tid;
	unsigned idx, first, count; /* connections [first, first + count) */
	struct cconn *c;
	struct rpc_hist hist;
	uint64_t done;      /* transactions completed in the measured interval */
	int failed;
};

static pthread_barrier_t connected;
static uint64_t t_measure, t_end; /* set by the main thread after the barrier */
static pthread_barrier_t timed;
static unsigned char msgbuf[IOBUF];

static int cconn_write(struct cconn *c)
{
	while (c->tx_left) {
		size_t chunk = c->tx_left < sizeof msgbuf ? c->tx_left : sizeof msgbuf;
		ssize_t w = write(c->fd, msgbuf, chunk);
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		c->tx_left -= (unsigned)w;
	}
	return 1;
}

/* Queue k new messages stamped `now` and write them. */
static int cconn_send(struct cconn *c, unsigned k, uint64_t now)
{
	while (k--) {
		c->ts[(c->head + c->n) % O.depth] = now;
		c->n++;
		c->tx_left += O.size;
	}
	return cconn_write(c);
}

static void *client_thread(void *arg)
{
	struct cthread *t = arg;
	static __thread unsigned char buf[IOBUF];
	struct sockaddr_storage ss;
	struct sockaddr_in *sa = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&ss;
	socklen_t salen;
	struct epoll_event ev, evs[128];
	int ep, one = 1, measuring = 0, fam;
	unsigned i;
	if (O.n_cpus)
		rpc_pin_self(O.cpus[t->idx % (unsigned)O.n_cpus]);
	rpc_hist_init(&t->hist);
	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, O.host, &sa->sin_addr) == 1) {
		fam = AF_INET;
		sa->sin_family = AF_INET;
		sa->sin_port = htons(O.port);
		salen = sizeof *sa;
	} else {
		fam = AF_INET6;
		inet_pton(AF_INET6, O.host, &sa6->sin6_addr); /* checked in main */
		sa6->sin6_family = AF_INET6;
		sa6->sin6_port = htons(O.port);
		salen = sizeof *sa6;
	}
	ep = epoll_create1(0);
	if (ep < 0)
		die("epoll_create1");
	t->c = calloc(t->count, sizeof *t->c);
	if (!t->c)
		die("calloc");
	for (i = 0; i < t->count; i++) {
		struct cconn *c = &t->c[i];
		c->fd = socket(fam, SOCK_STREAM, 0);
		if (c->fd < 0)
			die("socket");
		if (connect(c->fd, (struct sockaddr *)&ss, salen) < 0) {
			fprintf(stderr, "rpc: connect to %s:%u: %s\n", O.host, O.port, strerror(errno));
			exit(1);
		}
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
		c->ts = calloc(O.depth, sizeof *c->ts);
		if (!c->ts)
			die("calloc");
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	}
	pthread_barrier_wait(&connected);
	pthread_barrier_wait(&timed);
	for (i = 0; i < t->count; i++)
		if (cconn_send(&t->c[i], O.depth, rpc_now_ns()) < 0)
			die("write");
	for (;;) {
		int n = epoll_wait(ep, evs, 128, 10), k;
		uint64_t now = rpc_now_ns();
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		if (now >= t_end)
			break;
		if (!measuring && now >= t_measure) {
			measuring = 1;
			rpc_hist_init(&t->hist);
			t->done = 0;
		}
		for (k = 0; k < n; k++) {
			struct cconn *c = evs[k].data.ptr;
			unsigned completed = 0;
			if (evs[k].events & EPOLLOUT) {
				int r = cconn_write(c);
				if (r < 0)
					die("write");
				if (r) {
					ev.events = EPOLLIN;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				}
			}
			for (;;) {
				ssize_t r = read(c->fd, buf, sizeof buf);
				if (r == 0) {
					fprintf(stderr, "rpc: server closed a connection\n");
					exit(1);
				}
				if (r < 0) {
					if (errno == EAGAIN)
						break;
					die("read");
				}
				c->rx_have += (unsigned)r;
				now = rpc_now_ns();
				while (c->rx_have >= O.size && c->n) {
					c->rx_have -= O.size;
					if (measuring) {
						rpc_hist_add(&t->hist, now - c->ts[c->head]);
						t->done++;
					}
					c->head = (c->head + 1) % O.depth;
					c->n--;
					completed++;
				}
				if ((size_t)r < sizeof buf)
					break;
			}
			if (completed) {
				int r = cconn_send(c, completed, rpc_now_ns());
				if (r < 0)
					die("write");
				if (!r) {
					ev.events = EPOLLIN | EPOLLOUT;
					ev.data.ptr = c;
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				}
			}
		}
	}
	for (i = 0; i < t->count; i++) {
		close(t->c[i].fd);
		free(t->c[i].ts);
	}
	free(t->c);
	close(ep);
	return NULL;
}

static int run_client(void)
{
	struct cthread *t;
	struct rpc_hist total;
	uint64_t done = 0;
	unsigned i, first = 0;
	struct in6_addr a;
	if (!O.host || (inet_pton(AF_INET, O.host, &a) != 1 && inet_pton(AF_INET6, O.host, &a) != 1)) {
		fprintf(stderr, "rpc: client needs --host A.B.C.D or an IPv6 address\n");
		return 2;
	}
	if (O.threads > O.conns)
		O.threads = O.conns;
	memset(msgbuf, 'x', sizeof msgbuf);
	t = calloc(O.threads, sizeof *t);
	if (!t)
		die("calloc");
	pthread_barrier_init(&connected, NULL, O.threads + 1);
	pthread_barrier_init(&timed, NULL, O.threads + 1);
	for (i = 0; i < O.threads; i++) {
		t[i].idx = i;
		t[i].first = first;
		t[i].count = O.conns / O.threads + (i < O.conns % O.threads);
		first += t[i].count;
		if (pthread_create(&t[i].tid, NULL, client_thread, &t[i]))
			die("pthread_create");
	}
	pthread_barrier_wait(&connected);
	t_measure = rpc_now_ns() + (uint64_t)(O.warmup * 1e9);
	t_end = t_measure + (uint64_t)(O.duration * 1e9);
	pthread_barrier_wait(&timed);
	rpc_hist_init(&total);
	for (i = 0; i < O.threads; i++) {
		pthread_join(t[i].tid, NULL);
		rpc_hist_merge(&total, &t[i].hist);
		done += t[i].done;
	}
	rpc_report(stdout, done, O.duration, &total);
	printf(" conns=%u depth=%u size=%u threads=%u\n", O.conns, O.depth, O.size, O.threads);
	free(t);
	return done ? 0 : 1;
}

static int run_server(void)
{
	pthread_t tid[MAX_THREADS];
	unsigned i;
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < O.threads; i++)
		if (pthread_create(&tid[i], NULL, server_thread, (void *)(uintptr_t)i))
			die("pthread_create");
	fprintf(stderr, "rpc: serving TCP port %u with %u thread%s\n", O.port, O.threads,
	        O.threads == 1 ? "" : "s");
	for (i = 0; i < O.threads; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", required_argument, NULL, 'H' },    { "port", required_argument, NULL, 'p' },
		{ "conns", required_argument, NULL, 'c' },   { "depth", required_argument, NULL, 'd' },
		{ "size", required_argument, NULL, 's' },    { "duration", required_argument, NULL, 't' },
		{ "warmup", required_argument, NULL, 'w' },  { "threads", required_argument, NULL, 'T' },
		{ "cpus", required_argument, NULL, 'C' },    { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int o;
	static const char *const modes[] = { "client", "server", NULL };
	O.server = cli_mode("rpc", argc, argv, modes, usage);
	optind = 2;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (o) {
		case 'H': O.host = optarg; break;
		case 'p': O.port = (uint16_t)cli_uint_arg("rpc", "port", optarg, 1, 65535); break;
		case 'c': O.conns = (unsigned)cli_uint_arg("rpc", "connection count", optarg, 1, 100000); break;
		case 'd': O.depth = (unsigned)cli_uint_arg("rpc", "depth", optarg, 1, 1024); break;
		case 's': O.size = (unsigned)cli_uint_arg("rpc", "size", optarg, 1, 65536); break;
		case 't': O.duration = cli_seconds_arg("rpc", "duration", optarg, 86400); break;
		case 'w': O.warmup = cli_seconds_arg("rpc", "warmup", optarg, 86400); break;
		case 'T': O.threads = (unsigned)cli_uint_arg("rpc", "thread count", optarg, 1, MAX_THREADS); break;
		case 'C':
			O.n_cpus = rpc_parse_cpus(optarg, O.cpus, MAX_THREADS);
			if (O.n_cpus <= 0) {
				fprintf(stderr, "rpc: invalid CPU list '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': cli_version("rpc"); return 0;
		default: cli_bad_option("rpc", o, argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rpc: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return O.server ? run_server() : run_client();
}
