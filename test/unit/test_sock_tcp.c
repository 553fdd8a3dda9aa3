/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sock_tcp.c - stream sockets (axip/sock.h) on the simulated link:
 * socket/bind/listen/accept/connect and their errors, the data calls
 * (partial writes, EAGAIN, EOF, peek, readv/writev, a lossy bulk transfer
 * both ways), shutdown, every close path, names, every option (keepalive
 * probes in virtual time, cork, the MSS cap on the wire), byte counts, zero
 * copy, and the readiness of each state. Every test ends with its pools,
 * connections and descriptors back where they started. */
#include "sock_util.h"
#include "wire.h"

static uint32_t small_table;
static void small_table_hook(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->sock_max = small_table;
	cfg->sock_accept_max = 8;
}

static int tcp_socket(struct axip_stack *s)
{
	return axip_socket(s, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
}

static void test_socket_errors(void)
{
	struct senv e;
	int fds[8], i, fd;
	struct axip_sockaddr a = sa4(0, 80);

	small_table = 8;
	senv_open(&e, 1, NULL, small_table_hook, NULL);
	CHECK_EQ(axip_socket(e.s0, 5, AXIP_SOCK_STREAM, 0), -AXIP_EAFNOSUPPORT);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_INET6, AXIP_SOCK_STREAM, 0), -AXIP_EAFNOSUPPORT);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_UNSPEC, AXIP_SOCK_DGRAM, 0), -AXIP_EAFNOSUPPORT);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_INET, 3, 0), -AXIP_EPROTOTYPE);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, AXIP_IPPROTO_UDP),
	         -AXIP_EPROTONOSUPPORT);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, AXIP_IPPROTO_TCP),
	         -AXIP_EPROTONOSUPPORT);
	CHECK_EQ(fds_in_use(e.s0), 0);
	/* small integers from 0, then the table is full */
	for (i = 0; i < 8; i++) {
		fds[i] = axip_socket(e.s0, AXIP_AF_INET, i & 1 ? AXIP_SOCK_DGRAM : AXIP_SOCK_STREAM,
		                     i & 2 ? (i & 1 ? AXIP_IPPROTO_UDP : AXIP_IPPROTO_TCP) : 0);
		CHECK_EQ(fds[i], i);
	}
	CHECK_EQ(int_opt(e.s0, fds[2], AXIP_SOL_SOCKET, AXIP_SO_TYPE), AXIP_SOCK_STREAM);
	CHECK_EQ(int_opt(e.s0, fds[3], AXIP_SOL_SOCKET, AXIP_SO_TYPE), AXIP_SOCK_DGRAM);
	CHECK_EQ(int_opt(e.s0, fds[2], AXIP_SOL_SOCKET, AXIP_SO_PROTOCOL), AXIP_IPPROTO_TCP);
	CHECK_EQ(int_opt(e.s0, fds[3], AXIP_SOL_SOCKET, AXIP_SO_PROTOCOL), AXIP_IPPROTO_UDP);
	CHECK_EQ(int_opt(e.s0, fds[3], AXIP_SOL_SOCKET, AXIP_SO_DOMAIN), AXIP_AF_INET);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0), -AXIP_EMFILE);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0), -AXIP_EMFILE);
	CHECK_EQ(axip_epoll_create(e.s0), -AXIP_EMFILE);
	CHECK_EQ(axip_counters(e.s0)->sock_table_full, 3);
	CHECK_EQ(fds_in_use(e.s0), 8);
	/* a freed descriptor is the next one handed out */
	CHECK_EQ(axip_close(e.s0, fds[5]), 0);
	CHECK_EQ(axip_close(e.s0, fds[5]), -AXIP_EBADF);
	fd = tcp_socket(e.s0);
	CHECK_EQ(fd, 5);
	/* calls on descriptors that name nothing */
	CHECK_EQ(axip_bind(e.s0, -1, &a), -AXIP_EBADF);
	CHECK_EQ(axip_bind(e.s0, 8, &a), -AXIP_EBADF);
	CHECK_EQ(axip_listen(e.s0, 1000, 1), -AXIP_EBADF);
	CHECK_EQ(axip_accept(e.s0, -5, NULL), -AXIP_EBADF);
	CHECK_EQ(axip_connect(e.s0, 99, &a), -AXIP_EBADF);
	CHECK_EQ(axip_send(e.s0, 99, "x", 1, 0), -AXIP_EBADF);
	CHECK_EQ(axip_recv(e.s0, 99, fds, 1, 0), -AXIP_EBADF);
	CHECK_EQ(axip_shutdown(e.s0, 99, AXIP_SHUT_RD), -AXIP_EBADF);
	CHECK_EQ(axip_close(e.s0, -1), -AXIP_EBADF);
	CHECK_EQ(axip_sock_events(e.s0, 99), -AXIP_EBADF);
	CHECK_EQ(axip_sock_nread(e.s0, 99), -AXIP_EBADF);
	CHECK_EQ(axip_sock_nwrite(e.s0, 99), -AXIP_EBADF);
	CHECK_EQ(int_opt(e.s0, 99, AXIP_SOL_SOCKET, AXIP_SO_ERROR), -AXIP_EBADF);
	CHECK_EQ(set_int(e.s0, 99, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 1), -AXIP_EBADF);
	CHECK(axip_sock_tcp(e.s0, fd) == NULL);
	CHECK(axip_sock_tcp(e.s0, 99) == NULL);
	for (i = 0; i < 8; i++)
		CHECK_EQ(axip_close(e.s0, fds[i]), 0);
	/* an interest set is no socket */
	fd = axip_epoll_create(e.s0);
	CHECK(fd >= 0);
	CHECK_EQ(axip_bind(e.s0, fd, &a), -AXIP_ENOTSOCK);
	CHECK_EQ(axip_listen(e.s0, fd, 1), -AXIP_ENOTSOCK);
	CHECK_EQ(axip_send(e.s0, fd, "x", 1, 0), -AXIP_ENOTSOCK);
	CHECK_EQ(int_opt(e.s0, fd, AXIP_SOL_SOCKET, AXIP_SO_TYPE), -AXIP_ENOTSOCK);
	CHECK_EQ(axip_close(e.s0, fd), 0);
	senv_close(&e);
}

static void test_bind(void)
{
	struct senv e;
	struct axip_sockaddr a = sa4(0, 0), got;
	int f1, f2, f3, f4, u;

	senv_open(&e, 2, NULL, NULL, NULL);
	f1 = tcp_socket(e.s0);
	f2 = tcp_socket(e.s0);
	f3 = tcp_socket(e.s0);
	f4 = tcp_socket(e.s0);
	u = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);

	/* unbound: port 0 */
	CHECK_EQ(axip_getsockname(e.s0, f1, &got), 0);
	CHECK_EQ(got.family, AXIP_AF_INET);
	CHECK_EQ(got.port, 0);
	CHECK_EQ(axip_getsockname(e.s0, f1, NULL), -AXIP_EFAULT);
	/* port 0: an ephemeral port is chosen now */
	CHECK_EQ(axip_bind(e.s0, f1, &a), 0);
	CHECK_EQ(axip_getsockname(e.s0, f1, &got), 0);
	CHECK(got.port >= 32768 && got.port <= 60999);
	CHECK_EQ(got.addr.v4, 0);
	CHECK_EQ(axip_bind(e.s0, f1, &a), -AXIP_EINVAL); /* twice */
	/* the same port: in use; not a local address; other families */
	a = sa4(0, got.port);
	CHECK_EQ(axip_bind(e.s0, f2, &a), -AXIP_EADDRINUSE);
	a = sa4(H0, got.port);
	CHECK_EQ(axip_bind(e.s0, f2, &a), -AXIP_EADDRINUSE); /* the wildcard holds it */
	a = sa4(AXIP_IP4(10, 0, 0, 9), 7000);
	CHECK_EQ(axip_bind(e.s0, f2, &a), -AXIP_EADDRNOTAVAIL);
	a = sa4(H1, 7000);
	CHECK_EQ(axip_bind(e.s0, f2, &a), -AXIP_EADDRNOTAVAIL); /* the peer's */
	a.family = AXIP_AF_INET6;
	CHECK_EQ(axip_bind(e.s0, f2, &a), -AXIP_EAFNOSUPPORT);
	CHECK_EQ(axip_bind(e.s0, f2, NULL), -AXIP_EFAULT);
	/* a specific local address */
	a = sa4(H0, 7000);
	CHECK_EQ(axip_bind(e.s0, f2, &a), 0);
	CHECK_EQ(axip_getsockname(e.s0, f2, &got), 0);
	CHECK_EQ(got.addr.v4, H0);
	CHECK_EQ(got.port, 7000);
	a = sa4(0, 7000);
	CHECK_EQ(axip_bind(e.s0, f3, &a), -AXIP_EADDRINUSE);
	/* UDP has its own ports */
	CHECK_EQ(axip_bind(e.s0, u, &a), 0);
	CHECK_EQ(axip_close(e.s0, f2), 0);
	/* SO_REUSEADDR on both: the port may be bound twice while neither listens */
	CHECK_EQ(set_int(e.s0, f3, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 1), 0);
	CHECK_EQ(int_opt(e.s0, f3, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR), 1);
	a = sa4(0, 7001);
	CHECK_EQ(axip_bind(e.s0, f3, &a), 0);
	CHECK_EQ(axip_bind(e.s0, f4, &a), -AXIP_EADDRINUSE); /* f4 did not ask */
	CHECK_EQ(set_int(e.s0, f4, AXIP_SOL_SOCKET, AXIP_SO_REUSEPORT, 1), 0);
	CHECK_EQ(int_opt(e.s0, f4, AXIP_SOL_SOCKET, AXIP_SO_REUSEPORT), 1);
	CHECK_EQ(axip_bind(e.s0, f4, &a), 0);
	/* one listens: the other cannot listen too */
	CHECK_EQ(axip_listen(e.s0, f3, 4), 0);
	CHECK_EQ(int_opt(e.s0, f3, AXIP_SOL_SOCKET, AXIP_SO_ACCEPTCONN), 1);
	CHECK_EQ(int_opt(e.s0, f4, AXIP_SOL_SOCKET, AXIP_SO_ACCEPTCONN), 0);
	CHECK_EQ(axip_listen(e.s0, f4, 4), -AXIP_EADDRINUSE);
	CHECK_EQ(axip_close(e.s0, f4), 0);
	/* nor can a new socket with SO_REUSEADDR bind a listening port */
	f4 = tcp_socket(e.s0);
	CHECK_EQ(set_int(e.s0, f4, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 1), 0);
	CHECK_EQ(axip_bind(e.s0, f4, &a), -AXIP_EADDRINUSE);
	/* the port is free again once the listener is closed */
	CHECK_EQ(axip_close(e.s0, f3), 0);
	CHECK_EQ(axip_bind(e.s0, f4, &a), 0);
	CHECK_EQ(set_int(e.s0, f4, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 0), 0);
	CHECK_EQ(int_opt(e.s0, f4, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR), 0);
	CHECK_EQ(axip_close(e.s0, f4), 0);
	CHECK_EQ(axip_close(e.s0, f1), 0);
	CHECK_EQ(axip_close(e.s0, u), 0);
	senv_close(&e);
}

static void test_listen_accept(void)
{
	struct senv e;
	struct axip_sockaddr a, peer, name;
	int l, c[4], acc, i, u, rst0;
	const struct axip_counters *k1;

	senv_open(&e, 3, NULL, NULL, NULL);
	k1 = axip_counters(e.s1);
	u = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	CHECK_EQ(axip_listen(e.s1, u, 1), -AXIP_EOPNOTSUPP);
	CHECK_EQ(axip_accept(e.s1, u, NULL), -AXIP_EOPNOTSUPP);
	CHECK_EQ(axip_close(e.s1, u), 0);
	l = tcp_socket(e.s1);
	CHECK_EQ(axip_accept(e.s1, l, &peer), -AXIP_EINVAL); /* not listening */
	CHECK_EQ(axip_sock_events(e.s1, l), AXIP_EV_OUT | AXIP_EV_HUP);
	/* unbound: listen picks an ephemeral port */
	CHECK_EQ(axip_listen(e.s1, l, 1), 0);
	CHECK_EQ(axip_getsockname(e.s1, l, &name), 0);
	CHECK(name.port >= 32768 && name.port <= 60999);
	CHECK_EQ(axip_sock_events(e.s1, l), 0);
	CHECK_EQ(axip_accept(e.s1, l, &peer), -AXIP_EAGAIN);
	CHECK_EQ(axip_sock_nread(e.s1, l), -AXIP_EINVAL);
	CHECK_EQ(axip_listen(e.s1, l, 1), 0); /* again: only the backlog changes */
	a = sa4(0, 9);
	CHECK_EQ(axip_bind(e.s1, l, &a), -AXIP_EINVAL);
	/* backlog 1 admits two connections (as Linux, backlog + 1); the third is reset */
	a = sa4(H1, name.port);
	for (i = 0; i < 3; i++) {
		c[i] = tcp_socket(e.s0);
		CHECK_EQ(axip_connect(e.s0, c[i], &a), -AXIP_EINPROGRESS);
		sim_run(e.sim, AXIP_MS(5));
	}
	CHECK_EQ(axip_sock_events(e.s1, l), AXIP_EV_IN);
	CHECK_EQ(k1->sock_accept_queue_full, 1);
	sim_run(e.sim, AXIP_MS(20));
	CHECK_EQ(axip_sock_events(e.s0, c[0]), AXIP_EV_OUT);
	CHECK_EQ(axip_sock_events(e.s0, c[1]), AXIP_EV_OUT);
	CHECK((axip_sock_events(e.s0, c[2]) & (AXIP_EV_ERR | AXIP_EV_HUP)) ==
	      (AXIP_EV_ERR | AXIP_EV_HUP));
	CHECK_EQ(int_opt(e.s0, c[2], AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNRESET);
	CHECK_EQ(int_opt(e.s0, c[2], AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	/* accept hands them out in order, with the peer's address */
	for (i = 0; i < 2; i++) {
		struct axip_sockaddr cn;
		memset(&peer, 0xaa, sizeof(peer));
		acc = axip_accept(e.s1, l, &peer);
		CHECK(acc >= 0);
		CHECK_EQ(axip_getsockname(e.s0, c[i], &cn), 0);
		CHECK_EQ(peer.family, AXIP_AF_INET);
		CHECK_EQ(peer.addr.v4, H0);
		CHECK_EQ(peer.port, cn.port);
		CHECK_EQ(cn.addr.v4, H0);
		CHECK_EQ(axip_getpeername(e.s1, acc, &name), 0);
		CHECK_EQ(name.port, cn.port);
		CHECK_EQ(axip_getsockname(e.s1, acc, &name), 0);
		CHECK_EQ(name.addr.v4, H1);
		CHECK_EQ(name.port, a.port);
		/* an accepted socket: connect says EISCONN, listen EINVAL */
		CHECK_EQ(axip_connect(e.s1, acc, &a), -AXIP_EISCONN);
		CHECK_EQ(axip_listen(e.s1, acc, 1), -AXIP_EINVAL);
		CHECK_EQ(axip_close(e.s1, acc), 0);
	}
	CHECK_EQ(axip_accept(e.s1, l, NULL), -AXIP_EAGAIN);
	CHECK_EQ(axip_sock_events(e.s1, l), 0);
	/* a listener cannot connect */
	CHECK_EQ(axip_connect(e.s1, l, &a), -AXIP_EISCONN);
	/* backlog 0 (as Linux): one connection is queued, the next two are reset */
	CHECK_EQ(axip_listen(e.s1, l, 0), 0);
	rst0 = (int)k1->sock_accept_queue_full;
	for (i = 0; i < 3; i++) {
		CHECK_EQ(axip_close(e.s0, c[i]), 0);
		c[i] = tcp_socket(e.s0);
		CHECK_EQ(axip_connect(e.s0, c[i], &a), -AXIP_EINPROGRESS);
		sim_run(e.sim, AXIP_MS(5));
	}
	CHECK_EQ(k1->sock_accept_queue_full, (uint64_t)rst0 + 2);
	sim_run(e.sim, AXIP_MS(20));
	CHECK_EQ(axip_sock_events(e.s0, c[0]), AXIP_EV_OUT);
	CHECK_EQ(int_opt(e.s0, c[1], AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNRESET);
	CHECK_EQ(int_opt(e.s0, c[2], AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNRESET);
	/* a negative backlog means the largest (as Linux: somaxconn) */
	CHECK_EQ(axip_listen(e.s1, l, -1), 0);
	for (i = 1; i < 3; i++) {
		CHECK_EQ(axip_close(e.s0, c[i]), 0);
		c[i] = tcp_socket(e.s0);
		CHECK_EQ(axip_connect(e.s0, c[i], &a), -AXIP_EINPROGRESS);
		sim_run(e.sim, AXIP_MS(5));
	}
	CHECK_EQ(k1->sock_accept_queue_full, (uint64_t)rst0 + 2);
	/* the listener's close resets what it had queued */
	CHECK_EQ(axip_close(e.s1, l), 0);
	CHECK_EQ(fds_in_use(e.s1), 0);
	sim_run(e.sim, AXIP_MS(20));
	for (i = 0; i < 3; i++) {
		char b[4];
		CHECK_EQ(axip_recv(e.s0, c[i], b, sizeof(b), 0), -AXIP_ECONNRESET);
		CHECK_EQ(axip_recv(e.s0, c[i], b, sizeof(b), 0), 0);
	}
	for (i = 0; i < 3; i++)
		CHECK_EQ(axip_close(e.s0, c[i]), 0);
	senv_close(&e);
}

static void test_connect(void)
{
	struct senv e;
	struct sim_impair drop;
	struct axip_sockaddr a = sa4(H1, 80), name;
	int l = -1, c, acc, ev;
	axip_time_ns t0;

	senv_open(&e, 4, NULL, NULL, NULL);
	c = tcp_socket(e.s0);
	CHECK_EQ(axip_getpeername(e.s0, c, &name), -AXIP_ENOTCONN);
	CHECK_EQ(axip_connect(e.s0, c, NULL), -AXIP_EFAULT);
	a.family = AXIP_AF_INET6;
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EAFNOSUPPORT);
	a = sa4(H1, 0);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ECONNREFUSED);
	a = sa4(0, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ENETUNREACH);
	a = sa4(AXIP_IP4(192, 168, 7, 7), 80); /* off-link, no gateway */
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ENETUNREACH);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_OUT | AXIP_EV_HUP);
	/* to a closed port: refused, through readiness and SO_ERROR */
	a = sa4(H1, 81);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	CHECK_EQ(axip_sock_events(e.s0, c), 0);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EALREADY);
	CHECK_EQ(axip_getpeername(e.s0, c, &name), -AXIP_ENOTCONN);
	CHECK_EQ(axip_send(e.s0, c, "x", 1, 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_recv(e.s0, c, &name, 1, 0), -AXIP_EAGAIN);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(2)));
	ev = axip_sock_events(e.s0, c);
	CHECK((ev & (AXIP_EV_ERR | AXIP_EV_HUP)) == (AXIP_EV_ERR | AXIP_EV_HUP));
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNREFUSED);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	CHECK_EQ(axip_sock_events(e.s0, c) & AXIP_EV_ERR, 0);
	CHECK_EQ(axip_getpeername(e.s0, c, &name), -AXIP_ENOTCONN);
	/* the same socket may try again (as Linux after a failed connect) */
	REQUIRE(tcp_pair(&e, &l, &c, &acc, 80));
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EISCONN);
	CHECK_EQ(axip_getpeername(e.s0, c, &name), 0);
	CHECK_EQ(name.addr.v4, H1);
	CHECK_EQ(name.port, 80);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	/* completion shows as EV_OUT; the next connect reports 0 once, then EISCONN */
	c = tcp_socket(e.s0);
	a = sa4(H1, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_OUT, AXIP_SEC(1)));
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_OUT);
	CHECK_EQ(axip_connect(e.s0, c, &a), 0);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EISCONN);
	CHECK_EQ(axip_bind(e.s0, c, &a), -AXIP_EINVAL);
	REQUIRE(run_until_ev(&e, e.s1, l, AXIP_EV_IN, AXIP_SEC(1)));
	acc = axip_accept(e.s1, l, NULL);
	CHECK(acc >= 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	/* a link that drops everything: ETIMEDOUT after the SYN retries */
	memset(&drop, 0, sizeof(drop));
	drop.drop_ppm = 1000000;
	sim_set_impair(e.sim, &drop);
	c = tcp_socket(e.s0);
	t0 = sim_now(e.sim);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(300)));
	CHECK(sim_now(e.sim) - t0 > AXIP_SEC(60)); /* 6 retries with backoff from 1 s */
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ETIMEDOUT); /* the pending error, once */
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	CHECK_EQ(axip_counters(e.s0)->tcp_conn_timeout, 1);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* Both ends send and receive `n` bytes over a lossy link, by hash. */
static void test_bulk_lossy_both_ways(void)
{
	struct senv e;
	struct sim_impair im;
	int l = -1, c = -1, a, fd[2], i, guard;
	uint64_t n = (4u << 20) / test_scale(), sent[2] = {0, 0}, got[2] = {0, 0};
	uint32_t txh[2] = {SFNV_INIT, SFNV_INIT}, rxh[2] = {SFNV_INIT, SFNV_INIT};
	struct axip_stack *st[2];
	static uint8_t buf[70000];

	memset(&im, 0, sizeof(im));
	im.drop_ppm = 10000;
	im.reorder_ppm = 5000;
	im.dup_ppm = 2000;
	senv_open(&e, 5, &im, NULL, NULL);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	fd[0] = c;
	fd[1] = a;
	st[0] = e.s0;
	st[1] = e.s1;
	for (guard = 0; guard < 200000 && (got[0] < n || got[1] < n); guard++) {
		for (i = 0; i < 2; i++) {
			int rc;
			while (sent[i] < n) {
				uint32_t k = n - sent[i] < 50000 ? (uint32_t)(n - sent[i]) : 50000u, j;
				for (j = 0; j < k; j++)
					buf[j] = sbyte(10u + (uint32_t)i, sent[i] + j);
				rc = axip_send(st[i], fd[i], buf, k, 0);
				if (rc == -AXIP_EAGAIN)
					break;
				REQUIRE(rc > 0 && (uint32_t)rc <= k);
				txh[i] = sfnv(txh[i], buf, (uint32_t)rc);
				sent[i] += (uint32_t)rc;
				if ((uint32_t)rc < k) {
					/* partial: the buffer is full now */
					CHECK_EQ(axip_sock_events(st[i], fd[i]) & AXIP_EV_OUT, 0);
					break;
				}
			}
			while ((rc = axip_recv(st[i], fd[i], buf, sizeof(buf), 0)) > 0) {
				rxh[i] = sfnv(rxh[i], buf, (uint32_t)rc);
				got[i] += (uint32_t)rc;
			}
			CHECK_EQ(rc, -AXIP_EAGAIN);
		}
		sim_run(e.sim, AXIP_MS(1));
	}
	CHECK_EQ(got[0], n);
	CHECK_EQ(got[1], n);
	CHECK_EQ(rxh[1], txh[0]);
	CHECK_EQ(rxh[0], txh[1]);
	CHECK(axip_counters(e.s0)->tcp_retransmit > 0);
	/* both close: graceful, no resets */
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), 0);
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_RDHUP, AXIP_SEC(30)));
	CHECK_EQ(axip_recv(e.s1, a, buf, 10, 0), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_RDHUP, AXIP_SEC(30)));
	CHECK_EQ(axip_recv(e.s0, c, buf, 10, 0), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	CHECK_EQ(axip_counters(e.s0)->sock_close_reset + axip_counters(e.s1)->sock_close_reset, 0);
	senv_close(&e);
}

static void test_send_recv(void)
{
	struct senv e;
	int l = -1, c = -1, a, rc, n, fl;
	uint8_t out[8192], in[8192];
	struct axip_iovec wv[4], rv[4];
	struct axip_sockaddr from;
	uint32_t i;

	for (i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7u + 3u);
	senv_open(&e, 6, NULL, NULL, NULL);
	c = tcp_socket(e.s0);
	CHECK_EQ(axip_recv(e.s0, c, in, 1, 0), -AXIP_ENOTCONN);
	CHECK_EQ(axip_send(e.s0, c, out, 1, 0), -AXIP_EPIPE); /* as Linux */
	CHECK_EQ(axip_sendto(e.s0, c, out, 1, 0, &from), -AXIP_ENOTCONN);
	CHECK_EQ(axip_sock_nread(e.s0, c), 0);
	CHECK_EQ(axip_sock_nwrite(e.s0, c), 0);
	/* a small send buffer before connecting */
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 4096), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF), 4096);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	CHECK_EQ(axip_recv(e.s1, a, in, sizeof(in), 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_recv(e.s1, a, in, 0, 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_sock_events(e.s1, a), AXIP_EV_OUT);
	/* partial write: the buffer takes 4096 bytes, then nothing */
	rc = axip_send(e.s0, c, out, sizeof(out), 0);
	CHECK_EQ(rc, 4096);
	CHECK_EQ(axip_sock_nwrite(e.s0, c), 4096);
	CHECK_EQ(axip_sock_events(e.s0, c), 0);
	CHECK_EQ(axip_send(e.s0, c, out + 4096, 4096, AXIP_MSG_DONTWAIT | AXIP_MSG_NOSIGNAL),
	         -AXIP_EAGAIN);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_OUT, AXIP_SEC(1)));
	sim_run(e.sim, AXIP_MS(100)); /* everything acknowledged */
	CHECK_EQ(axip_sock_nwrite(e.s0, c), 0);
	CHECK_EQ(axip_send(e.s0, c, out + 4096, 4096, 0), 4096);
	sim_run(e.sim, AXIP_MS(100));
	CHECK_EQ(axip_sock_nwrite(e.s0, c), 0);
	CHECK_EQ(axip_sock_nread(e.s1, a), 8192);
	CHECK_EQ(axip_sock_events(e.s1, a), AXIP_EV_IN | AXIP_EV_OUT);
	/* MSG_PEEK leaves it queued */
	memset(in, 0, sizeof(in));
	CHECK_EQ(axip_recv(e.s1, a, in, 100, AXIP_MSG_PEEK), 100);
	CHECK(memcmp(in, out, 100) == 0);
	CHECK_EQ(axip_sock_nread(e.s1, a), 8192);
	/* readv over several pieces crossing buffer boundaries */
	rv[0].base = in;
	rv[0].len = 1;
	rv[1].base = in + 1;
	rv[1].len = 0;
	rv[2].base = in + 1;
	rv[2].len = 2999;
	rv[3].base = in + 3000;
	rv[3].len = 5000;
	CHECK_EQ(axip_recvmsg(e.s1, a, rv, 4, AXIP_MSG_PEEK, &from, &fl), 8000);
	CHECK(memcmp(in, out, 8000) == 0);
	CHECK_EQ(fl, 0);
	CHECK_EQ(from.addr.v4, H0);
	memset(in, 0, sizeof(in));
	CHECK_EQ(axip_recvmsg(e.s1, a, rv, 4, 0, NULL, NULL), 8000);
	CHECK(memcmp(in, out, 8000) == 0);
	CHECK_EQ(axip_sock_nread(e.s1, a), 192);
	CHECK_EQ(axip_recv(e.s1, a, in, sizeof(in), AXIP_MSG_WAITALL), 192);
	CHECK(memcmp(in, out + 8000, 192) == 0);
	CHECK_EQ(axip_recv(e.s1, a, in, sizeof(in), 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_recvmsg(e.s1, a, NULL, 1, 0, NULL, NULL), -AXIP_EINVAL);
	CHECK_EQ(axip_recvmsg(e.s1, a, rv, -1, 0, NULL, NULL), -AXIP_EINVAL);
	/* writev of several pieces arrives as one stream */
	wv[0].base = out;
	wv[0].len = 10;
	wv[1].base = out + 10;
	wv[1].len = 0;
	wv[2].base = out + 10;
	wv[2].len = 1490;
	wv[3].base = out + 1500;
	wv[3].len = 1700;
	CHECK_EQ(axip_sendmsg(e.s1, a, wv, 4, 0, NULL), 3200);
	CHECK_EQ(axip_sendmsg(e.s1, a, wv, 0, 0, NULL), 0);
	CHECK_EQ(axip_sendmsg(e.s1, a, NULL, 2, 0, NULL), -AXIP_EINVAL);
	CHECK_EQ(axip_sendmsg(e.s1, a, wv, 4, 0, &from), 3200); /* the address is ignored */
	sim_run(e.sim, AXIP_MS(50));
	CHECK_EQ(axip_sock_nread(e.s0, c), 6400);
	n = axip_recv(e.s0, c, in, sizeof(in), 0);
	CHECK_EQ(n, 6400);
	CHECK(memcmp(in, out, 3200) == 0 && memcmp(in + 3200, out, 3200) == 0);
	/* end of stream: 0, and again 0 */
	CHECK_EQ(axip_shutdown(e.s1, a, AXIP_SHUT_WR), 0);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP);
	CHECK_EQ(axip_recv(e.s0, c, in, sizeof(in), 0), 0);
	CHECK_EQ(axip_recv(e.s0, c, in, sizeof(in), 0), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	CHECK_EQ(axip_counters(e.s0)->sock_close_reset + axip_counters(e.s1)->sock_close_reset, 0);
	senv_close(&e);
}

static void test_shutdown(void)
{
	struct senv e;
	int l = -1, c = -1, a, u;
	uint8_t b[4096];
	struct axip_tcp_info ti;

	memset(b, 'z', sizeof(b));
	senv_open(&e, 7, NULL, NULL, NULL);
	c = tcp_socket(e.s0);
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), -AXIP_ENOTCONN);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	CHECK_EQ(axip_shutdown(e.s0, c, 3), -AXIP_EINVAL);
	CHECK_EQ(axip_shutdown(e.s0, c, -1), -AXIP_EINVAL);
	CHECK_EQ(axip_shutdown(e.s1, l, AXIP_SHUT_RD), -AXIP_ENOTCONN);
	/* SHUT_RD: queued data is dropped, reads give 0, later data is discarded
	 * and its window reopened (the sender's queue drains) */
	CHECK_EQ(axip_send(e.s1, a, b, 1000, 0), 1000);
	sim_run(e.sim, AXIP_MS(10));
	CHECK_EQ(axip_sock_nread(e.s0, c), 1000);
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_RD), 0);
	CHECK_EQ(axip_sock_nread(e.s0, c), 0);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_send(e.s1, a, b, sizeof(b), 0), (int)sizeof(b));
	sim_run(e.sim, AXIP_MS(100));
	CHECK_EQ(axip_sock_nread(e.s0, c), 0);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_sock_nwrite(e.s1, a), 0);
	axip_tcp_get_info(axip_sock_tcp(e.s0, c), &ti);
	CHECK_EQ(ti.bytes_received, 1000 + sizeof(b));
	CHECK_EQ(ti.rcv_wnd > 100000, 1);
	/* the other direction still works after SHUT_RD */
	CHECK_EQ(axip_send(e.s0, c, "hello", 5, 0), 5);
	sim_run(e.sim, AXIP_MS(50));
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 5);
	/* SHUT_WR: FIN after the queued data, the peer reads it then EOF; EPIPE here */
	CHECK_EQ(axip_send(e.s0, c, "bye", 3, 0), 3);
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), 0);
	/* both directions finished here: HUP */
	CHECK_EQ(axip_sock_events(e.s0, c),
	         AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_HUP);
	CHECK_EQ(axip_send(e.s0, c, "x", 1, AXIP_MSG_NOSIGNAL), -AXIP_EPIPE);
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), 0); /* again: no error */
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 3);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_sock_events(e.s1, a), AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP);
	/* SHUT_RDWR on the other end */
	CHECK_EQ(axip_shutdown(e.s1, a, AXIP_SHUT_RDWR), 0);
	CHECK_EQ(axip_send(e.s1, a, "x", 1, 0), -AXIP_EPIPE);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 0);
	CHECK(axip_sock_events(e.s1, a) & AXIP_EV_HUP);
	sim_run(e.sim, AXIP_MS(50));
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	CHECK_EQ(axip_counters(e.s0)->sock_close_reset + axip_counters(e.s1)->sock_close_reset, 0);
	/* UDP: ENOTCONN unless connected */
	u = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	CHECK_EQ(axip_shutdown(e.s0, u, AXIP_SHUT_RD), -AXIP_ENOTCONN);
	CHECK_EQ(axip_close(e.s0, u), 0);
	senv_close(&e);
}

static void test_close_paths(void)
{
	struct senv e;
	int l = -1, c = -1, a, ev;
	uint8_t b[2000];
	struct axip_linger lg;
	axip_u32 len;
	const struct axip_counters *k0, *k1;

	memset(b, 'q', sizeof(b));
	senv_open(&e, 8, NULL, NULL, NULL);
	k0 = axip_counters(e.s0);
	k1 = axip_counters(e.s1);
	/* graceful: FIN, the peer reads EOF; the closer keeps TIME_WAIT */
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	CHECK_EQ(axip_send(e.s0, c, b, 1500, 0), 1500);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(fds_in_use(e.s0), 0);
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 1500);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	sim_run(e.sim, AXIP_MS(10));
	CHECK_EQ(k0->sock_close_reset, 0);
	CHECK_EQ(k0->tcp_tx_rst + k1->tcp_tx_rst, 0);
	CHECK_EQ(tcp_conns_in_use(e.s0), 1); /* TIME_WAIT */
	CHECK_EQ(tcp_conns_in_use(e.s1), 0);
	/* unread data at close: RST, counted; the peer's data is still readable,
	 * then ECONNRESET once, then 0 */
	c = -1;
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	CHECK_EQ(axip_send(e.s0, c, b, 100, 0), 100);
	CHECK_EQ(axip_send(e.s1, a, b, 700, 0), 700);
	sim_run(e.sim, AXIP_MS(10));
	CHECK_EQ(axip_sock_nread(e.s0, c), 700);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(k1->sock_close_reset, 1);
	CHECK_EQ(k1->tcp_tx_rst, 1);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(1)));
	ev = axip_sock_events(e.s0, c);
	CHECK_EQ(ev, AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_HUP | AXIP_EV_ERR);
	CHECK_EQ(axip_sock_nread(e.s0, c), 700);
	CHECK_EQ(axip_recv(e.s0, c, b, 300, 0), 300);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 400);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), -AXIP_ECONNRESET);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_sock_events(e.s0, c) & AXIP_EV_ERR, 0);
	{
		/* the connection is gone: no peer any more (as Linux), the name stays */
		struct axip_sockaddr nm;
		CHECK_EQ(axip_getpeername(e.s0, c, &nm), -AXIP_ENOTCONN);
		CHECK_EQ(axip_getsockname(e.s0, c, &nm), 0);
		CHECK_EQ(nm.addr.v4, H0);
	}
	CHECK_EQ(axip_send(e.s0, c, b, 1, 0), -AXIP_EPIPE);
	CHECK(axip_sock_tcp(e.s0, c) == NULL);
	CHECK_EQ(axip_sock_nwrite(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(k0->sock_close_reset, 0);
	/* SO_LINGER on with 0 s: RST although nothing is unread */
	c = -1;
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	len = sizeof(lg);
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, &len), 0);
	CHECK_EQ(len, sizeof(lg));
	CHECK_EQ(lg.onoff, 0);
	lg.onoff = 1;
	lg.seconds = 0;
	CHECK_EQ(axip_setsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, 4), -AXIP_EINVAL);
	CHECK_EQ(axip_setsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, sizeof(lg)), 0);
	len = 4;
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, &len), -AXIP_EINVAL);
	len = sizeof(lg);
	memset(&lg, 0x55, sizeof(lg));
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, &len), 0);
	CHECK_EQ(lg.onoff, 1);
	CHECK_EQ(lg.seconds, 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(k0->sock_close_reset, 1);
	CHECK_EQ(tcp_conns_in_use(e.s0), 1); /* only the TIME_WAIT of the first */
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_ERR, AXIP_SEC(1)));
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), -AXIP_ECONNRESET);
	CHECK_EQ(axip_close(e.s1, a), 0);
	/* SO_LINGER with seconds: graceful (the core never waits) */
	c = -1;
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	lg.onoff = 1;
	lg.seconds = 5;
	CHECK_EQ(axip_setsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, sizeof(lg)), 0);
	CHECK_EQ(axip_send(e.s0, c, b, 10, 0), 10);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(k0->sock_close_reset, 1);
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 10);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	CHECK_EQ(k1->sock_close_reset, 1);
	senv_close(&e);
}

/* The MSS option of the SYNs host 0 sends, seen on the wire. */
static uint32_t syn_mss_seen, syns_seen;
static int mss_tap(void *arg, uint32_t from, uint8_t *f, uint32_t *len)
{
	const uint8_t *ip = f + 14, *tcp, *o, *end;
	(void)arg;
	if (from != 0 || *len < 54 || load_be16(f + 12) != 0x0800 || ip[9] != 6)
		return 1;
	tcp = ip + (ip[0] & 15u) * 4u;
	if (!(tcp[13] & 0x02))
		return 1;
	syns_seen++;
	o = tcp + 20;
	end = tcp + (tcp[12] >> 4) * 4u;
	while (o < end && o + 1 < f + *len) {
		if (o[0] == 0)
			break;
		if (o[0] == 1) {
			o++;
			continue;
		}
		if (o[0] == 2 && o[1] == 4)
			syn_mss_seen = load_be16(o + 2);
		if (o[1] < 2)
			break;
		o += o[1];
	}
	return 1;
}

static void test_options_basic(void)
{
	struct senv e;
	int l = -1, c, a, v, u;
	axip_u32 len;
	struct axip_tcp_info ti, pi;
	uint8_t b[4000];
	char small[2];

	memset(b, 1, sizeof(b));
	senv_open(&e, 9, NULL, NULL, NULL);
	c = tcp_socket(e.s0);
	/* defaults */
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF), 256 * 1024);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF), 256 * 1024);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_CORK), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPIDLE), 7200);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPINTVL), 75);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT), 9);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG), 536);
	/* errors: unknown names, levels, lengths, values */
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, 77), -AXIP_ENOPROTOOPT);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, 77), -AXIP_ENOPROTOOPT);
	CHECK_EQ(int_opt(e.s0, c, 41, AXIP_SO_ERROR), -AXIP_ENOPROTOOPT);
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, 77, 1), -AXIP_ENOPROTOOPT);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, 77, 1), -AXIP_ENOPROTOOPT);
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR, 1), -AXIP_ENOPROTOOPT);
	CHECK_EQ(axip_setsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, small, 2),
	         -AXIP_EINVAL);
	CHECK_EQ(axip_setsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, NULL, 4),
	         -AXIP_EINVAL);
	len = 4;
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_TYPE, NULL, &len), -AXIP_EFAULT);
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_TYPE, &v, NULL), -AXIP_EFAULT);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPIDLE, 0), -AXIP_EINVAL);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPIDLE, 32768), -AXIP_EINVAL);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPINTVL, 0), -AXIP_EINVAL);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT, 0), -AXIP_EINVAL);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT, 128), -AXIP_EINVAL);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG, 87), -AXIP_EINVAL);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG, 65536), -AXIP_EINVAL);
	/* a short length gets the first bytes (as Linux) */
	v = 0;
	len = 1;
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_TYPE, &v, &len), 0);
	CHECK_EQ(len, 1);
	/* SNDBUF/RCVBUF: small values raised to the minimum, huge ones capped */
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 100), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF), 4096);
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, -1), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF), 1 << 30);
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 100000), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF), 100000);
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF, 16384), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF), 16384);
	/* NODELAY, CORK, KEEPALIVE and its numbers read back */
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY, 5), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY), 1);
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE, 1), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE), 1);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPIDLE, 30), 0);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPINTVL, 7), 0);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT, 4), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPIDLE), 30);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPINTVL), 7);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT), 4);
	/* MAXSEG before connecting caps the MSS of the SYN */
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG, 1000), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG), 1000);
	/* TCP_INFO before connecting: CLOSED */
	len = sizeof(ti);
	memset(&ti, 0x5a, sizeof(ti));
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_INFO, &ti, &len), 0);
	CHECK_EQ(len, sizeof(ti));
	CHECK_EQ(ti.state, AXIP_TCP_CLOSED);
	CHECK_EQ(ti.cwnd, 0);
	syn_mss_seen = syns_seen = 0;
	sim_set_tap(e.sim, mss_tap, NULL);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	sim_set_tap(e.sim, NULL, NULL);
	CHECK_EQ(syns_seen, 1);
	CHECK_EQ(syn_mss_seen, 1000);
	axip_tcp_get_info(axip_sock_tcp(e.s1, a), &pi);
	CHECK(pi.snd_mss <= 1000);
	CHECK(pi.snd_mss >= 1000 - 40);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG), (int)pi.snd_mss);
	CHECK_EQ(int_opt(e.s1, a, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG), (int)pi.snd_mss);
	/* without effect once connected (as Linux) */
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG, 500), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG), (int)pi.snd_mss);
	/* the options set before reached the connection */
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF), 100000);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY), 1);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE), 1);
	/* RCVBUF 16 KiB: the peer may send no more than that unread */
	axip_tcp_get_info(axip_sock_tcp(e.s1, a), &pi);
	CHECK(pi.snd_wnd <= 16384);
	CHECK_EQ(axip_send(e.s1, a, b, sizeof(b), 0), (int)sizeof(b));
	CHECK_EQ(axip_send(e.s1, a, b, sizeof(b), 0), (int)sizeof(b));
	CHECK_EQ(axip_send(e.s1, a, b, sizeof(b), 0), (int)sizeof(b));
	CHECK_EQ(axip_send(e.s1, a, b, sizeof(b), 0), (int)sizeof(b));
	CHECK_EQ(axip_send(e.s1, a, b, sizeof(b), 0), (int)sizeof(b));
	sim_run(e.sim, AXIP_MS(500));
	CHECK(axip_sock_nread(e.s0, c) <= 16384);
	CHECK(axip_sock_nread(e.s0, c) >= 8192);
	CHECK(axip_sock_nwrite(e.s1, a) >= 20000 - 16384);
	while (axip_recv(e.s0, c, b, sizeof(b), 0) > 0)
		sim_run(e.sim, AXIP_MS(10));
	sim_run(e.sim, AXIP_MS(300));
	CHECK_EQ(axip_sock_nwrite(e.s1, a), 0);
	/* TCP_INFO of a connection, and a short copy of it */
	len = sizeof(ti);
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_INFO, &ti, &len), 0);
	CHECK_EQ(ti.state, AXIP_TCP_ESTABLISHED);
	CHECK(ti.cwnd > 0);
	CHECK_EQ(ti.remote_addr, H1);
	CHECK_EQ(ti.remote_port, 80);
	CHECK_EQ(ti.bytes_received, 5 * sizeof(b));
	CHECK_EQ(ti.retransmits, 0);
	len = 4;
	v = -1;
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_INFO, &v, &len), 0);
	CHECK_EQ(len, 4);
	CHECK_EQ(v, AXIP_TCP_ESTABLISHED);
	len = sizeof(ti);
	CHECK_EQ(axip_getsockopt(e.s1, a, AXIP_IPPROTO_TCP, AXIP_TCP_INFO, &ti, &len), 0);
	CHECK(ti.srtt_us > 0); /* the sender of the data has RTT samples */
	CHECK_EQ(ti.bytes_acked, 5 * sizeof(b));
	len = sizeof(ti);
	CHECK_EQ(axip_getsockopt(e.s1, l, AXIP_IPPROTO_TCP, AXIP_TCP_INFO, &ti, &len), 0);
	CHECK_EQ(ti.state, AXIP_TCP_LISTEN);
	/* TCP options on a UDP socket; socket options there */
	u = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	CHECK_EQ(int_opt(e.s0, u, AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY), -AXIP_ENOPROTOOPT);
	CHECK_EQ(set_int(e.s0, u, AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY, 1), -AXIP_ENOPROTOOPT);
	CHECK_EQ(set_int(e.s0, u, AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE, 1), 0);
	CHECK_EQ(int_opt(e.s0, u, AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE), 0);
	CHECK_EQ(set_int(e.s0, u, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 1000), 0);
	CHECK_EQ(axip_close(e.s0, u), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* SO_KEEPALIVE with KEEPIDLE 2 s, KEEPINTVL 1 s, KEEPCNT 3: probes in
 * virtual time while the peer answers, then ETIMEDOUT once it is silent. */
static void test_keepalive_probes(void)
{
	struct senv e;
	struct sim_impair drop;
	int l = -1, c = -1, a;
	const struct axip_counters *k0;
	axip_time_ns t0;
	uint64_t p0;

	senv_open(&e, 10, NULL, NULL, NULL);
	k0 = axip_counters(e.s0);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE, 1), 0);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPIDLE, 2), 0);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPINTVL, 1), 0);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT, 3), 0);
	sim_run(e.sim, AXIP_MS(1900));
	CHECK_EQ(k0->tcp_keepalive_probe, 0);
	sim_run(e.sim, AXIP_MS(200));
	CHECK_EQ(k0->tcp_keepalive_probe, 1);
	/* answered: one probe per idle period, the connection stays */
	sim_run(e.sim, AXIP_SEC(8));
	CHECK(k0->tcp_keepalive_probe >= 4 && k0->tcp_keepalive_probe <= 6);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_OUT);
	/* silence: 3 unanswered probes 1 s apart, then the connection times out */
	memset(&drop, 0, sizeof(drop));
	drop.drop_ppm = 1000000;
	sim_set_impair(e.sim, &drop);
	p0 = k0->tcp_keepalive_probe;
	t0 = sim_now(e.sim);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(30)));
	CHECK(sim_now(e.sim) - t0 <= AXIP_SEC(2 + 3 + 1));
	CHECK(sim_now(e.sim) - t0 >= AXIP_SEC(3));
	CHECK_EQ(k0->tcp_keepalive_probe - p0, 3);
	CHECK((axip_sock_events(e.s0, c) & (AXIP_EV_ERR | AXIP_EV_HUP)) ==
	      (AXIP_EV_ERR | AXIP_EV_HUP));
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ETIMEDOUT);
	CHECK_EQ(axip_recv(e.s0, c, &p0, 1, 0), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	/* the peer without keepalive never noticed; its close resets into silence */
	CHECK_EQ(axip_sock_events(e.s1, a), AXIP_EV_OUT);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* NODELAY and CORK, seen in what the peer has received a moment later. */
static void test_nodelay_cork(void)
{
	struct senv e;
	int l = -1, c = -1, a, i;
	uint8_t b[3000];

	memset(b, 7, sizeof(b));
	senv_open(&e, 11, NULL, NULL, NULL);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	sim_run(e.sim, AXIP_MS(100));
	/* Nagle: a second small write waits for the first one's ACK, which the
	 * peer delays; with NODELAY both go at once */
	CHECK_EQ(axip_send(e.s0, c, b, 10, 0), 10);
	CHECK_EQ(axip_send(e.s0, c, b, 10, 0), 10);
	sim_run(e.sim, AXIP_MS(1));
	CHECK_EQ(axip_sock_nread(e.s1, a), 10);
	sim_run(e.sim, AXIP_MS(100));
	CHECK_EQ(axip_sock_nread(e.s1, a), 20);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY, 1), 0);
	CHECK_EQ(axip_send(e.s0, c, b, 10, 0), 10);
	CHECK_EQ(axip_send(e.s0, c, b, 10, 0), 10);
	sim_run(e.sim, AXIP_MS(1));
	CHECK_EQ(axip_sock_nread(e.s1, a), 40);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 40);
	/* CORK holds a partial segment, whatever NODELAY says, until uncorked;
	 * full segments go */
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_CORK, 1), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_CORK), 1);
	CHECK_EQ(axip_send(e.s0, c, b, 100, 0), 100);
	sim_run(e.sim, AXIP_MS(500));
	CHECK_EQ(axip_sock_nread(e.s1, a), 0);
	CHECK_EQ(axip_sock_nwrite(e.s0, c), 100);
	for (i = 0; i < 10; i++)
		CHECK_EQ(axip_send(e.s0, c, b, 290, 0), 290);
	sim_run(e.sim, AXIP_MS(100));
	CHECK_EQ(axip_sock_nread(e.s1, a), 1448 * 2);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_CORK, 0), 0);
	sim_run(e.sim, AXIP_MS(1));
	CHECK_EQ(axip_sock_nread(e.s1, a), 3000);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 3000);
	/* MSG_MORE corks one write; the next plain one sends both */
	CHECK_EQ(axip_send(e.s0, c, b, 50, AXIP_MSG_MORE), 50);
	sim_run(e.sim, AXIP_MS(300));
	CHECK_EQ(axip_sock_nread(e.s1, a), 0);
	CHECK_EQ(axip_send(e.s0, c, b, 50, 0), 50);
	sim_run(e.sim, AXIP_MS(1));
	CHECK_EQ(axip_sock_nread(e.s1, a), 100);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 100);
	/* CORK set before connecting reaches the connection */
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	c = tcp_socket(e.s0);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_CORK, 1), 0);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	CHECK_EQ(axip_send(e.s0, c, b, 30, 0), 30);
	sim_run(e.sim, AXIP_MS(300));
	CHECK_EQ(axip_sock_nread(e.s1, a), 0);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_CORK, 0), 0);
	sim_run(e.sim, AXIP_MS(1));
	CHECK_EQ(axip_sock_nread(e.s1, a), 30);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 30);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

static void fill_pkt(struct axip_pkt *p, uint8_t v, uint32_t n)
{
	memset(p->data, v, n);
	p->len = n;
	p->tailroom -= n;
}

static void test_zero_copy(void)
{
	struct senv e;
	int l = -1, c = -1, a, rc, i;
	struct axip_pkt *ch, *q, *p1, *p2;
	struct axip_sockaddr from;
	uint8_t b[5000];
	uint32_t n;

	for (i = 0; i < (int)sizeof(b); i++)
		b[i] = (uint8_t)i;
	senv_open(&e, 12, NULL, NULL, NULL);
	c = tcp_socket(e.s0);
	CHECK_EQ(axip_recv_zc(e.s0, c, NULL, 0, NULL), -AXIP_EFAULT);
	CHECK_EQ(axip_recv_zc(e.s0, c, &ch, 0, NULL), -AXIP_ENOTCONN);
	CHECK(ch == NULL);
	CHECK_EQ(axip_recv_zc(e.s0, 99, &ch, 0, NULL), -AXIP_EBADF);
	/* zero-copy send before connecting: EPIPE, the caller keeps the chain */
	p1 = axip_pkt_alloc(e.s0, AXIP_PKT_HEADROOM);
	REQUIRE(p1 != NULL);
	fill_pkt(p1, 'a', 1000);
	CHECK_EQ(axip_send_zc(e.s0, c, p1, 0, NULL), -AXIP_EPIPE);
	CHECK_EQ(axip_send_zc(e.s0, c, NULL, 0, NULL), -AXIP_EFAULT);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	/* now it goes: the core owns it */
	CHECK_EQ(axip_send_zc(e.s0, c, p1, 0, NULL), 1000);
	/* a chain of two buffers */
	p1 = axip_pkt_alloc(e.s0, AXIP_PKT_HEADROOM);
	p2 = axip_pkt_alloc(e.s0, AXIP_PKT_HEADROOM);
	REQUIRE(p1 && p2);
	fill_pkt(p1, 'b', 700);
	fill_pkt(p2, 'c', 800);
	p1->sg_next = p2;
	CHECK_EQ(axip_send_zc(e.s0, c, p1, AXIP_MSG_MORE, NULL), 1500);
	CHECK_EQ(axip_send(e.s0, c, b, 10, 0), 10);
	sim_run(e.sim, AXIP_MS(50));
	CHECK_EQ(axip_sock_nread(e.s1, a), 2510);
	/* zero-copy receive of part: the caller owns the views */
	rc = axip_recv_zc(e.s1, a, &ch, 1200, &from);
	CHECK_EQ(rc, 1200);
	REQUIRE(ch != NULL);
	CHECK_EQ(axip_pkt_chain_len(ch), 1200);
	CHECK_EQ(from.addr.v4, H0);
	n = axip_pkt_copy_out(ch, 0, b, 1200);
	CHECK_EQ(n, 1200);
	CHECK(b[0] == 'a' && b[999] == 'a' && b[1000] == 'b' && b[1199] == 'b');
	CHECK_EQ(axip_sock_nread(e.s1, a), 1310);
	/* the rest: everything queued (max 0) */
	rc = axip_recv_zc(e.s1, a, &q, 0, NULL);
	CHECK_EQ(rc, 1310);
	REQUIRE(q != NULL);
	CHECK_EQ(axip_pkt_copy_out(q, 0, b, 1310), 1310);
	CHECK(b[0] == 'b' && b[499] == 'b' && b[500] == 'c' && b[1299] == 'c');
	CHECK_EQ(axip_recv_zc(e.s1, a, &p2, 0, NULL), -AXIP_EAGAIN);
	/* held buffers do not hold the window: the peer can keep sending */
	for (i = 0; i < 10; i++)
		CHECK(axip_send(e.s0, c, b, sizeof(b), 0) > 0);
	sim_run(e.sim, AXIP_MS(50));
	CHECK_EQ(axip_sock_nread(e.s1, a), 10 * (int)sizeof(b));
	axip_pkt_free(e.s1, ch);
	axip_pkt_free(e.s1, q);
	/* mixing: a copy read then a zero-copy read of the rest */
	CHECK_EQ(axip_recv(e.s1, a, b, 3, 0), 3);
	rc = axip_recv_zc(e.s1, a, &ch, 0, NULL);
	CHECK_EQ(rc, 10 * (int)sizeof(b) - 3);
	axip_pkt_free(e.s1, ch);
	/* a chain larger than the send buffer: EAGAIN, the caller keeps it */
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 4096), 0);
	sim_run(e.sim, AXIP_MS(50));
	p1 = axip_pkt_alloc(e.s0, AXIP_PKT_HEADROOM);
	p2 = axip_pkt_alloc(e.s0, AXIP_PKT_HEADROOM);
	q = axip_pkt_alloc(e.s0, AXIP_PKT_HEADROOM);
	REQUIRE(p1 && p2 && q);
	fill_pkt(p1, 'x', 1800);
	fill_pkt(p2, 'y', 1800);
	fill_pkt(q, 'z', 1800);
	p1->sg_next = p2;
	p2->sg_next = q;
	CHECK_EQ(axip_send_zc(e.s0, c, p1, 0, NULL), -AXIP_EAGAIN);
	/* after SHUT_WR: EPIPE, still the caller's */
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), 0);
	CHECK_EQ(axip_send_zc(e.s0, c, p1, 0, NULL), -AXIP_EPIPE);
	axip_pkt_free(e.s0, p1);
	/* end of stream through the zero-copy receive */
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_recv_zc(e.s1, a, &ch, 0, NULL), 0);
	CHECK(ch == NULL);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	CHECK_EQ(axip_counters(e.s0)->sock_close_reset + axip_counters(e.s1)->sock_close_reset, 0);
	senv_close(&e);
}

/* axip_sock_events in each state of a stream socket. */
static void test_events_by_state(void)
{
	struct senv e;
	int l, c = -1, a, ep;
	struct axip_sockaddr s0 = sa4(0, 0);
	uint8_t b[10];

	senv_open(&e, 13, NULL, NULL, NULL);
	c = tcp_socket(e.s0);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_OUT | AXIP_EV_HUP); /* new */
	CHECK_EQ(axip_bind(e.s0, c, &s0), 0);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_OUT | AXIP_EV_HUP); /* bound */
	l = tcp_socket(e.s1);
	s0 = sa4(0, 80);
	CHECK_EQ(axip_bind(e.s1, l, &s0), 0);
	CHECK_EQ(axip_listen(e.s1, l, 4), 0);
	CHECK_EQ(axip_sock_events(e.s1, l), 0); /* listening, nothing queued */
	s0 = sa4(H1, 80);
	CHECK_EQ(axip_connect(e.s0, c, &s0), -AXIP_EINPROGRESS);
	CHECK_EQ(axip_sock_events(e.s0, c), 0); /* connecting */
	REQUIRE(run_until_ev(&e, e.s1, l, AXIP_EV_IN, AXIP_SEC(1)));
	CHECK_EQ(axip_sock_events(e.s1, l), AXIP_EV_IN);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_OUT); /* connected */
	a = axip_accept(e.s1, l, NULL);
	CHECK_EQ(axip_sock_events(e.s1, a), AXIP_EV_OUT);
	CHECK_EQ(axip_send(e.s1, a, "abc", 3, 0), 3);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_IN | AXIP_EV_OUT); /* data */
	CHECK_EQ(axip_shutdown(e.s1, a, AXIP_SHUT_WR), 0);
	CHECK_EQ(axip_sock_events(e.s1, a), AXIP_EV_OUT);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP); /* FIN */
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 3);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP); /* EOF */
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), 0);
	CHECK_EQ(axip_sock_events(e.s0, c),
	         AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_HUP); /* both done */
	sim_run(e.sim, AXIP_MS(5));
	/* the connection ended (TIME_WAIT on one side, CLOSED on the other) */
	CHECK_EQ(axip_sock_events(e.s0, c),
	         AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_HUP);
	CHECK_EQ(axip_sock_events(e.s1, a),
	         AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_HUP);
	CHECK_EQ(axip_recv(e.s1, a, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_send(e.s1, a, b, 1, 0), -AXIP_EPIPE);
	CHECK_EQ(axip_shutdown(e.s1, a, AXIP_SHUT_RD), -AXIP_ENOTCONN);
	/* an interest set: readable when a member is ready */
	ep = axip_epoll_create(e.s1);
	CHECK_EQ(axip_sock_events(e.s1, ep), 0);
	{
		struct axip_epoll_event ev = {AXIP_EV_IN, 1};
		CHECK_EQ(axip_epoll_ctl(e.s1, ep, AXIP_EPOLL_CTL_ADD, a, &ev), 0);
	}
	CHECK_EQ(axip_sock_events(e.s1, ep), AXIP_EV_IN);
	CHECK_EQ(axip_close(e.s1, ep), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* Regressions found by fuzz_sock_calls: a connection waiting in the accept
 * queue had a usable descriptor (closing it corrupted the queue), and a read
 * shutdown during the handshake made recv return 0 without EV_IN. */
static void test_queued_fd_and_connecting_shutdown(void)
{
	struct senv e;
	struct axip_sockaddr a = sa4(0, 80);
	int l, x, c, acc, ep;
	struct axip_pollfd pf;
	struct axip_epoll_event ev = {AXIP_EV_IN, 0};
	uint8_t b[4];

	senv_open(&e, 14, NULL, NULL, NULL);
	l = tcp_socket(e.s1);
	CHECK_EQ(axip_bind(e.s1, l, &a), 0);
	CHECK_EQ(axip_listen(e.s1, l, 4), 0);
	ep = axip_epoll_create(e.s1);
	/* the next descriptor handed out (LIFO) goes to the queued connection */
	x = tcp_socket(e.s1);
	CHECK_EQ(axip_close(e.s1, x), 0);
	c = tcp_socket(e.s0);
	a = sa4(H1, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s1, l, AXIP_EV_IN, AXIP_SEC(1)));
	CHECK_EQ(fds_in_use(e.s1), 3);
	CHECK_EQ(axip_close(e.s1, x), -AXIP_EBADF);
	CHECK_EQ(axip_sock_events(e.s1, x), -AXIP_EBADF);
	CHECK_EQ(axip_send(e.s1, x, "x", 1, 0), -AXIP_EBADF);
	CHECK_EQ(axip_epoll_ctl(e.s1, ep, AXIP_EPOLL_CTL_ADD, x, &ev), -AXIP_EBADF);
	CHECK(axip_sock_tcp(e.s1, x) == NULL);
	pf.fd = x;
	pf.events = AXIP_EV_IN;
	CHECK_EQ(axip_sock_poll(e.s1, &pf, 1), 1);
	CHECK_EQ(pf.revents, AXIP_EV_NVAL);
	CHECK_EQ(tcp_socket(e.s1), x + 1); /* not handed out twice */
	CHECK_EQ(axip_close(e.s1, x + 1), 0);
	acc = axip_accept(e.s1, l, NULL);
	CHECK_EQ(acc, x);
	CHECK_EQ(axip_sock_events(e.s1, acc), AXIP_EV_OUT);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	/* SHUT_RD while connecting: readable at once, reads give 0 */
	c = tcp_socket(e.s0);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_RD), 0);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_IN | AXIP_EV_RDHUP);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), 0);
	CHECK((axip_sock_events(e.s0, c) & (AXIP_EV_IN | AXIP_EV_RDHUP | AXIP_EV_HUP)) ==
	      (AXIP_EV_IN | AXIP_EV_RDHUP | AXIP_EV_HUP));
	sim_run(e.sim, AXIP_MS(50));
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	sim_run(e.sim, AXIP_MS(50));
	while ((acc = axip_accept(e.s1, l, NULL)) >= 0)
		CHECK_EQ(axip_close(e.s1, acc), 0);
	CHECK_EQ(axip_close(e.s1, ep), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* Parsing in place (axip_recv_peek / axip_recv_consume) and the send space
 * (axip_sock_wspace). */
static void test_peek_consume_wspace(void)
{
	struct senv e;
	int l = -1, c, a, u, n, i;
	const axip_u8 *d = NULL;
	uint8_t b[3000];

	for (i = 0; i < (int)sizeof(b); i++)
		b[i] = (uint8_t)(i * 13u + 1u);
	senv_open(&e, 16, NULL, NULL, NULL);
	c = tcp_socket(e.s0);
	u = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	CHECK_EQ(axip_recv_peek(e.s0, c, &d), -AXIP_ENOTCONN);
	CHECK_EQ(axip_recv_peek(e.s0, 99, &d), -AXIP_EBADF);
	CHECK_EQ(axip_sock_wspace(e.s0, c), 0);
	CHECK_EQ(axip_sock_wspace(e.s0, u), 65507);
	CHECK_EQ(axip_recv_consume(e.s0, u, 0), -AXIP_EINVAL);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	CHECK_EQ(axip_sock_wspace(e.s0, c), 256 * 1024);
	CHECK_EQ(axip_recv_peek(e.s1, a, &d), -AXIP_EAGAIN);
	CHECK_EQ(axip_send(e.s0, c, b, sizeof(b), 0), (int)sizeof(b));
	CHECK_EQ(axip_sock_wspace(e.s0, c), 256 * 1024 - (int)sizeof(b));
	sim_run(e.sim, AXIP_MS(50));
	CHECK_EQ(axip_sock_wspace(e.s0, c), 256 * 1024);
	/* the first piece, in place; nothing consumed */
	n = axip_recv_peek(e.s1, a, &d);
	CHECK(n > 100 && n <= 1448);
	REQUIRE(d != NULL);
	CHECK(memcmp(d, b, (size_t)n) == 0);
	CHECK_EQ(axip_sock_nread(e.s1, a), (int)sizeof(b));
	CHECK_EQ(axip_recv_consume(e.s1, a, sizeof(b) + 1), -AXIP_EINVAL);
	CHECK_EQ(axip_recv_consume(e.s1, a, 100), 100);
	CHECK_EQ(axip_sock_nread(e.s1, a), (int)sizeof(b) - 100);
	CHECK_EQ(axip_recv_peek(e.s1, a, &d), n - 100);
	CHECK(memcmp(d, b + 100, (size_t)(n - 100)) == 0);
	/* consuming across pieces, then the rest through a plain read */
	CHECK_EQ(axip_recv_consume(e.s1, a, (axip_u32)n), n);
	CHECK_EQ(axip_sock_nread(e.s1, a), (int)sizeof(b) - 100 - n);
	i = axip_recv_peek(e.s1, a, &d);
	CHECK(i > 0);
	CHECK(memcmp(d, b + 100 + n, (size_t)i) == 0);
	n = axip_sock_nread(e.s1, a);
	CHECK_EQ(axip_recv_consume(e.s1, a, (axip_u32)n), n);
	CHECK_EQ(axip_recv_peek(e.s1, a, &d), -AXIP_EAGAIN);
	CHECK_EQ(axip_recv_consume(e.s1, a, 0), 0);
	/* end of stream: 0 */
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), 0);
	CHECK_EQ(axip_sock_wspace(e.s0, c), 0);
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_recv_peek(e.s1, a, &d), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s0, u), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	CHECK_EQ(axip_counters(e.s0)->sock_close_reset + axip_counters(e.s1)->sock_close_reset, 0);
	senv_close(&e);
}

/* A connection that completes while host 1's table is full is reset. */
static uint32_t table_full_hosts;
static void host1_small_hook(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	if (host == 1)
		cfg->sock_max = table_full_hosts;
}

static void test_accept_table_full(void)
{
	struct senv e;
	struct axip_sockaddr a = sa4(0, 80);
	int l, u, c, acc;
	uint8_t b[4];

	table_full_hosts = 3;
	senv_open(&e, 15, NULL, host1_small_hook, NULL);
	l = tcp_socket(e.s1);
	CHECK_EQ(axip_bind(e.s1, l, &a), 0);
	CHECK_EQ(axip_listen(e.s1, l, 4), 0);
	acc = tcp_socket(e.s1); /* two more: the table is full */
	u = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	CHECK(acc >= 0 && u >= 0);
	CHECK_EQ(axip_counters(e.s1)->sock_table_full, 0);
	c = tcp_socket(e.s0);
	a = sa4(H1, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	sim_run(e.sim, AXIP_MS(20));
	CHECK_EQ(axip_counters(e.s1)->sock_table_full, 1);
	CHECK_EQ(axip_counters(e.s1)->sock_accept_queue_full, 0);
	CHECK_EQ(axip_accept(e.s1, l, NULL), -AXIP_EAGAIN);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), -AXIP_ECONNRESET);
	CHECK_EQ(axip_close(e.s0, c), 0);
	/* with a descriptor free again the next one is queued */
	CHECK_EQ(axip_close(e.s1, u), 0);
	c = tcp_socket(e.s0);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s1, l, AXIP_EV_IN, AXIP_SEC(1)));
	u = axip_accept(e.s1, l, NULL);
	CHECK(u >= 0);
	CHECK_EQ(axip_close(e.s1, u), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	senv_close(&e);
}

int main(void)
{
	RUN_TEST(test_socket_errors);
	RUN_TEST(test_bind);
	RUN_TEST(test_listen_accept);
	RUN_TEST(test_connect);
	RUN_TEST(test_send_recv);
	RUN_TEST(test_shutdown);
	RUN_TEST(test_close_paths);
	RUN_TEST(test_options_basic);
	RUN_TEST(test_keepalive_probes);
	RUN_TEST(test_nodelay_cork);
	RUN_TEST(test_zero_copy);
	RUN_TEST(test_events_by_state);
	RUN_TEST(test_queued_fd_and_connecting_shutdown);
	RUN_TEST(test_accept_table_full);
	RUN_TEST(test_peek_consume_wspace);
	RUN_TEST(test_bulk_lossy_both_ways);
	return test_summary();
}
