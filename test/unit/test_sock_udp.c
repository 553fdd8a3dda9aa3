/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sock_udp.c - datagram sockets (axip/sock.h) on the simulated link:
 * sendto/recvfrom, autobind, bind rules, the connected-peer filter
 * (sock_udp_not_peer), ICMP port unreachable as ECONNREFUSED on a connected
 * socket, MSG_TRUNC and MSG_PEEK, scatter/gather, the SO_RCVBUF limit
 * (sock_udp_rcvbuf_drop), fragmented datagrams, AF_UNSPEC disconnect,
 * EDESTADDRREQ, EMSGSIZE, shutdown, zero copy and readiness. Every test
 * ends with its buffers, packet objects and descriptors back. */
#include "sock_util.h"

static int udp_socket(struct axip_stack *s)
{
	return axip_socket(s, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
}

static int bind_port(struct axip_stack *s, int fd, uint32_t addr, uint16_t port)
{
	struct axip_sockaddr a = sa4(addr, port);
	return axip_bind(s, fd, &a);
}

static void fill(uint8_t *b, uint32_t n, uint32_t seed)
{
	uint32_t i;
	for (i = 0; i < n; i++)
		b[i] = sbyte(seed, i);
}

static void test_sendto_recvfrom_autobind(void)
{
	struct senv e;
	int u0, u1, rc, fl;
	struct axip_sockaddr to = sa4(H1, 7000), from, name;
	uint8_t out[3000], in[3000];
	struct axip_iovec v[3];

	fill(out, sizeof(out), 1);
	senv_open(&e, 21, NULL, NULL, NULL);
	u0 = udp_socket(e.s0);
	u1 = udp_socket(e.s1);
	CHECK_EQ(bind_port(e.s1, u1, 0, 7000), 0);
	CHECK_EQ(axip_getsockname(e.s1, u1, &name), 0);
	CHECK_EQ(name.port, 7000);
	/* unbound: nothing to read; events OUT only */
	CHECK_EQ(axip_recv(e.s0, u0, in, sizeof(in), 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_sock_events(e.s0, u0), AXIP_EV_OUT);
	CHECK_EQ(axip_sock_nread(e.s0, u0), 0);
	CHECK_EQ(axip_sock_nwrite(e.s0, u0), 0);
	CHECK_EQ(axip_getsockname(e.s0, u0, &name), 0);
	CHECK_EQ(name.port, 0);
	/* sendto binds an ephemeral port */
	CHECK_EQ(axip_sendto(e.s0, u0, out, 100, 0, &to), 100);
	CHECK_EQ(axip_getsockname(e.s0, u0, &name), 0);
	CHECK(name.port >= 32768 && name.port <= 60999);
	CHECK_EQ(bind_port(e.s0, u0, 0, 5000), -AXIP_EINVAL); /* already bound */
	CHECK_EQ(axip_sendto(e.s0, u0, out, 0, 0, &to), 0);  /* an empty datagram */
	CHECK_EQ(axip_sendto(e.s0, u0, out + 100, 1400, 0, &to), 1400);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_sock_events(e.s1, u1), AXIP_EV_IN | AXIP_EV_OUT);
	CHECK_EQ(axip_sock_nread(e.s1, u1), 100); /* the next datagram's length */
	memset(&from, 0, sizeof(from));
	rc = axip_recvfrom(e.s1, u1, in, sizeof(in), 0, &from);
	CHECK_EQ(rc, 100);
	CHECK(memcmp(in, out, 100) == 0);
	CHECK_EQ(from.family, AXIP_AF_INET);
	CHECK_EQ(from.addr.v4, H0);
	CHECK_EQ(from.port, name.port);
	CHECK_EQ(axip_sock_nread(e.s1, u1), 0); /* the empty one */
	CHECK_EQ(axip_sock_events(e.s1, u1), AXIP_EV_IN | AXIP_EV_OUT);
	CHECK_EQ(axip_recvfrom(e.s1, u1, in, sizeof(in), 0, NULL), 0);
	/* peek, then a scatter read over three pieces */
	CHECK_EQ(axip_recv(e.s1, u1, in, 10, AXIP_MSG_PEEK), 10);
	CHECK(memcmp(in, out + 100, 10) == 0);
	CHECK_EQ(axip_sock_nread(e.s1, u1), 1400);
	v[0].base = in;
	v[0].len = 1;
	v[1].base = in + 1;
	v[1].len = 999;
	v[2].base = in + 1000;
	v[2].len = 2000;
	memset(in, 0, sizeof(in));
	CHECK_EQ(axip_recvmsg(e.s1, u1, v, 3, 0, &from, &fl), 1400);
	CHECK_EQ(fl, 0);
	CHECK(memcmp(in, out + 100, 1400) == 0);
	CHECK_EQ(axip_recv(e.s1, u1, in, sizeof(in), 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_sock_events(e.s1, u1), AXIP_EV_OUT);
	/* a gather send back to the sender's address */
	v[0].base = out;
	v[0].len = 7;
	v[1].base = out + 7;
	v[1].len = 0;
	v[2].base = out + 7;
	v[2].len = 1993;
	CHECK_EQ(axip_sendmsg(e.s1, u1, v, 3, 0, &from), 2000);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_recvfrom(e.s0, u0, in, sizeof(in), 0, &from), 2000);
	CHECK(memcmp(in, out, 2000) == 0);
	CHECK_EQ(from.addr.v4, H1);
	CHECK_EQ(from.port, 7000);
	/* destination errors */
	CHECK_EQ(axip_send(e.s0, u0, out, 1, 0), -AXIP_EDESTADDRREQ);
	to = sa4(H1, 0);
	CHECK_EQ(axip_sendto(e.s0, u0, out, 1, 0, &to), -AXIP_EINVAL);
	to = sa4(H1, 7000);
	to.family = AXIP_AF_INET6;
	CHECK_EQ(axip_sendto(e.s0, u0, out, 1, 0, &to), -AXIP_EAFNOSUPPORT);
	to = sa4(AXIP_IP4(192, 168, 9, 9), 7000); /* no route */
	CHECK_EQ(axip_sendto(e.s0, u0, out, 1, 0, &to), -AXIP_ENETUNREACH);
	CHECK_EQ(axip_sendmsg(e.s0, u0, NULL, 1, 0, &to), -AXIP_EINVAL);
	CHECK_EQ(axip_getpeername(e.s0, u0, &name), -AXIP_ENOTCONN);
	CHECK_EQ(axip_close(e.s0, u0), 0);
	CHECK_EQ(axip_close(e.s1, u1), 0);
	senv_close(&e);
}

static void test_bind_rules(void)
{
	struct senv e;
	int a, b, c, t;
	struct axip_sockaddr name;

	senv_open(&e, 22, NULL, NULL, NULL);
	a = udp_socket(e.s0);
	b = udp_socket(e.s0);
	c = udp_socket(e.s0);
	t = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	CHECK_EQ(bind_port(e.s0, a, 0, 0), 0); /* ephemeral */
	CHECK_EQ(axip_getsockname(e.s0, a, &name), 0);
	CHECK(name.port >= 32768 && name.port <= 60999);
	CHECK_EQ(bind_port(e.s0, a, 0, 6000), -AXIP_EINVAL);
	CHECK_EQ(bind_port(e.s0, b, 0, name.port), -AXIP_EADDRINUSE);
	CHECK_EQ(bind_port(e.s0, b, AXIP_IP4(10, 0, 0, 77), 6000), -AXIP_EADDRNOTAVAIL);
	CHECK_EQ(bind_port(e.s0, b, H0, 6000), 0);
	CHECK_EQ(axip_getsockname(e.s0, b, &name), 0);
	CHECK_EQ(name.addr.v4, H0);
	CHECK_EQ(name.port, 6000);
	/* UDP ports are not shared, SO_REUSEADDR or not */
	CHECK_EQ(set_int(e.s0, b, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 1), 0);
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 1), 0);
	CHECK_EQ(bind_port(e.s0, c, H0, 6000), -AXIP_EADDRINUSE);
	/* a TCP socket may hold the same number */
	CHECK_EQ(bind_port(e.s0, t, 0, 6000), 0);
	/* the port is free once closed */
	CHECK_EQ(axip_close(e.s0, b), 0);
	CHECK_EQ(bind_port(e.s0, c, H0, 6000), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_TYPE), AXIP_SOCK_DGRAM);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ACCEPTCONN), 0);
	CHECK_EQ(axip_close(e.s0, a), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s0, t), 0);
	senv_close(&e);
}

static void test_connect_filter_unspec(void)
{
	struct senv e;
	int u0, p1, p2, rc;
	struct axip_sockaddr a, from, name;
	uint8_t b[64];
	const struct axip_counters *k0;

	senv_open(&e, 23, NULL, NULL, NULL);
	k0 = axip_counters(e.s0);
	u0 = udp_socket(e.s0);
	p1 = udp_socket(e.s1);
	p2 = udp_socket(e.s1);
	CHECK_EQ(bind_port(e.s1, p1, 0, 7000), 0);
	CHECK_EQ(bind_port(e.s1, p2, 0, 7001), 0);
	/* connect errors; connect binds */
	a = sa4(H1, 0);
	CHECK_EQ(axip_connect(e.s0, u0, &a), -AXIP_EINVAL);
	a = sa4(0, 7000);
	CHECK_EQ(axip_connect(e.s0, u0, &a), -AXIP_EINVAL);
	a = sa4(H1, 7000);
	a.family = AXIP_AF_INET6;
	CHECK_EQ(axip_connect(e.s0, u0, &a), -AXIP_EAFNOSUPPORT);
	a = sa4(H1, 7000);
	CHECK_EQ(axip_connect(e.s0, u0, &a), 0);
	CHECK_EQ(axip_getsockname(e.s0, u0, &name), 0);
	CHECK(name.port >= 32768);
	CHECK_EQ(axip_getpeername(e.s0, u0, &from), 0);
	CHECK_EQ(from.addr.v4, H1);
	CHECK_EQ(from.port, 7000);
	/* send goes to the peer */
	CHECK_EQ(axip_send(e.s0, u0, "ping", 4, 0), 4);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_recvfrom(e.s1, p1, b, sizeof(b), 0, &from), 4);
	CHECK_EQ(from.port, name.port);
	/* only the peer's datagrams are taken */
	a = sa4(H0, name.port);
	CHECK_EQ(axip_sendto(e.s1, p2, "no", 2, 0, &a), 2);
	CHECK_EQ(axip_sendto(e.s1, p1, "yes", 3, 0, &a), 3);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(k0->sock_udp_not_peer, 1);
	CHECK_EQ(axip_recvfrom(e.s0, u0, b, sizeof(b), 0, &from), 3);
	CHECK_EQ(from.port, 7000);
	CHECK(memcmp(b, "yes", 3) == 0);
	CHECK_EQ(axip_recv(e.s0, u0, b, sizeof(b), 0), -AXIP_EAGAIN);
	/* connecting again moves the filter */
	a = sa4(H1, 7001);
	CHECK_EQ(axip_connect(e.s0, u0, &a), 0);
	a = sa4(H0, name.port);
	CHECK_EQ(axip_sendto(e.s1, p1, "old", 3, 0, &a), 3);
	CHECK_EQ(axip_sendto(e.s1, p2, "new", 3, 0, &a), 3);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(k0->sock_udp_not_peer, 2);
	CHECK_EQ(axip_recv(e.s0, u0, b, sizeof(b), 0), 3);
	CHECK(memcmp(b, "new", 3) == 0);
	/* an explicit destination still works on a connected socket */
	a = sa4(H1, 7000);
	CHECK_EQ(axip_sendto(e.s0, u0, "to1", 3, 0, &a), 3);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_recv(e.s1, p1, b, sizeof(b), 0), 3);
	/* AF_UNSPEC dissolves the association: every sender again, no default */
	a = sa4(0, 0);
	a.family = AXIP_AF_UNSPEC;
	CHECK_EQ(axip_connect(e.s0, u0, &a), 0);
	CHECK_EQ(axip_getpeername(e.s0, u0, &from), -AXIP_ENOTCONN);
	CHECK_EQ(axip_send(e.s0, u0, "x", 1, 0), -AXIP_EDESTADDRREQ);
	CHECK_EQ(axip_getsockname(e.s0, u0, &from), 0);
	CHECK_EQ(from.port, name.port); /* still bound */
	a = sa4(H0, name.port);
	CHECK_EQ(axip_sendto(e.s1, p1, "a", 1, 0, &a), 1);
	CHECK_EQ(axip_sendto(e.s1, p2, "b", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(k0->sock_udp_not_peer, 2);
	CHECK_EQ(axip_recv(e.s0, u0, b, sizeof(b), 0), 1);
	CHECK_EQ(axip_recv(e.s0, u0, b, sizeof(b), 0), 1);
	/* AF_UNSPEC on a socket that was never connected: harmless */
	a.family = AXIP_AF_UNSPEC;
	CHECK_EQ(axip_connect(e.s0, u0, &a), 0);
	rc = axip_close(e.s0, u0);
	CHECK_EQ(rc, 0);
	CHECK_EQ(axip_close(e.s1, p1), 0);
	CHECK_EQ(axip_close(e.s1, p2), 0);
	senv_close(&e);
}

/* ICMP port unreachable (RFC 1122 4.1.3.3) reaches a connected socket as
 * ECONNREFUSED, once; an unconnected socket hears nothing (as Linux). */
static void test_icmp_refused(void)
{
	struct senv e;
	int u, v;
	struct axip_sockaddr a = sa4(H1, 9999);
	uint8_t b[16];

	senv_open(&e, 24, NULL, NULL, NULL);
	u = udp_socket(e.s0);
	v = udp_socket(e.s0);
	CHECK_EQ(axip_connect(e.s0, u, &a), 0);
	CHECK_EQ(axip_send(e.s0, u, "knock", 5, 0), 5);
	CHECK_EQ(axip_sendto(e.s0, v, "knock", 5, 0, &a), 5);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_counters(e.s1)->icmp_tx_unreach, 2);
	CHECK_EQ(axip_sock_events(e.s0, u), AXIP_EV_OUT | AXIP_EV_ERR);
	CHECK_EQ(axip_sock_events(e.s0, v), AXIP_EV_OUT);
	CHECK_EQ(axip_recv(e.s0, u, b, sizeof(b), 0), -AXIP_ECONNREFUSED);
	CHECK_EQ(axip_recv(e.s0, u, b, sizeof(b), 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_sock_events(e.s0, u), AXIP_EV_OUT);
	CHECK_EQ(axip_recv(e.s0, v, b, sizeof(b), 0), -AXIP_EAGAIN);
	/* through send and SO_ERROR as well */
	CHECK_EQ(axip_send(e.s0, u, "knock", 5, 0), 5);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_send(e.s0, u, "knock", 5, 0), -AXIP_ECONNREFUSED);
	CHECK_EQ(axip_send(e.s0, u, "knock", 5, 0), 5);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(int_opt(e.s0, u, AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNREFUSED);
	CHECK_EQ(int_opt(e.s0, u, AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	CHECK_EQ(axip_close(e.s0, u), 0);
	CHECK_EQ(axip_close(e.s0, v), 0);
	senv_close(&e);
}

static void test_trunc_large_emsgsize(void)
{
	struct senv e;
	int u0, u1, fl, i;
	struct axip_sockaddr a = sa4(H1, 7000);
	static uint8_t out[65508], in[65508];
	struct axip_iovec v;

	fill(out, sizeof(out), 9);
	senv_open(&e, 25, NULL, NULL, NULL);
	u0 = udp_socket(e.s0);
	u1 = udp_socket(e.s1);
	CHECK_EQ(bind_port(e.s1, u1, 0, 7000), 0);
	/* MSG_TRUNC: cut to the buffer and flagged, or the full length returned */
	for (i = 0; i < 3; i++)
		CHECK_EQ(axip_sendto(e.s0, u0, out, 100, 0, &a), 100);
	sim_run(e.sim, AXIP_MS(5));
	v.base = in;
	v.len = 10;
	CHECK_EQ(axip_recvmsg(e.s1, u1, &v, 1, AXIP_MSG_PEEK, NULL, &fl), 10);
	CHECK_EQ(fl, AXIP_MSG_TRUNC);
	CHECK_EQ(axip_recvmsg(e.s1, u1, &v, 1, AXIP_MSG_PEEK | AXIP_MSG_TRUNC, NULL, &fl), 100);
	CHECK_EQ(fl, AXIP_MSG_TRUNC);
	CHECK_EQ(axip_recvmsg(e.s1, u1, &v, 1, 0, NULL, &fl), 10);
	CHECK_EQ(fl, AXIP_MSG_TRUNC);
	CHECK(memcmp(in, out, 10) == 0);
	CHECK_EQ(axip_recv(e.s1, u1, in, 50, AXIP_MSG_TRUNC), 100); /* the rest is dropped */
	v.len = 100;
	CHECK_EQ(axip_recvmsg(e.s1, u1, &v, 1, 0, NULL, &fl), 100);
	CHECK_EQ(fl, 0);
	CHECK_EQ(axip_recv(e.s1, u1, in, sizeof(in), 0), -AXIP_EAGAIN);
	/* a fragmented datagram and the largest one, whole */
	CHECK_EQ(axip_sendto(e.s0, u0, out, 20000, 0, &a), 20000);
	CHECK_EQ(axip_sendto(e.s0, u0, out + 1, 65507, 0, &a), 65507);
	CHECK_EQ(axip_sendto(e.s0, u0, out, 65508, 0, &a), -AXIP_EMSGSIZE);
	v.base = out;
	v.len = 65508;
	CHECK_EQ(axip_sendmsg(e.s0, u0, &v, 1, 0, &a), -AXIP_EMSGSIZE);
	sim_run(e.sim, AXIP_MS(20));
	CHECK(axip_counters(e.s1)->ip_frag_reassembled >= 2);
	CHECK_EQ(axip_sock_nread(e.s1, u1), 20000);
	CHECK_EQ(axip_recv(e.s1, u1, in, sizeof(in), 0), 20000);
	CHECK(memcmp(in, out, 20000) == 0);
	CHECK_EQ(axip_sock_nread(e.s1, u1), 65507);
	memset(in, 0, sizeof(in));
	CHECK_EQ(axip_recv(e.s1, u1, in, sizeof(in), 0), 65507);
	CHECK(memcmp(in, out + 1, 65507) == 0);
	CHECK_EQ(axip_close(e.s0, u0), 0);
	CHECK_EQ(axip_close(e.s1, u1), 0);
	senv_close(&e);
}

static void test_rcvbuf_limit(void)
{
	struct senv e;
	int u0, u1, i, got = 0;
	struct axip_sockaddr a = sa4(H1, 7000);
	uint8_t b[200];
	const struct axip_counters *k1;

	senv_open(&e, 26, NULL, NULL, NULL);
	k1 = axip_counters(e.s1);
	u0 = udp_socket(e.s0);
	u1 = udp_socket(e.s1);
	CHECK_EQ(int_opt(e.s1, u1, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF), 256 * 1024);
	/* as Linux: the value is doubled; a minimum applies; errors for nonsense */
	CHECK_EQ(set_int(e.s1, u1, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF, 100), 0);
	CHECK_EQ(int_opt(e.s1, u1, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF), 2048);
	CHECK_EQ(set_int(e.s1, u1, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF, -1), -AXIP_EINVAL);
	CHECK_EQ(set_int(e.s1, u1, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF, 3000), 0);
	CHECK_EQ(int_opt(e.s1, u1, AXIP_SOL_SOCKET, AXIP_SO_RCVBUF), 6000);
	CHECK_EQ(bind_port(e.s1, u1, 0, 7000), 0);
	/* small datagrams, each charged for the buffer it holds: a few fit */
	for (i = 0; i < 10; i++) {
		memset(b, i, sizeof(b));
		CHECK_EQ(axip_sendto(e.s0, u0, b, 10, 0, &a), 10);
	}
	sim_run(e.sim, AXIP_MS(5));
	while (axip_recv(e.s1, u1, b, sizeof(b), 0) == 10) {
		CHECK_EQ(b[0], got); /* the first ones were kept, in order */
		got++;
	}
	/* 2048-byte buffers: two fit in 6000 bytes, the third would not */
	CHECK_EQ(got, 2);
	CHECK_EQ(k1->sock_udp_rcvbuf_drop, 8);
	/* room again once read */
	CHECK_EQ(axip_sendto(e.s0, u0, b, 10, 0, &a), 10);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_recv(e.s1, u1, b, sizeof(b), 0), 10);
	/* a datagram larger than the whole limit never fits */
	CHECK_EQ(axip_sendto(e.s0, u0, b, 0, 0, &a), 0);
	{
		static uint8_t big[9000];
		uint64_t d0 = k1->sock_udp_rcvbuf_drop;
		CHECK_EQ(axip_sendto(e.s0, u0, big, sizeof(big), 0, &a), (int)sizeof(big));
		sim_run(e.sim, AXIP_MS(5));
		CHECK_EQ(k1->sock_udp_rcvbuf_drop, d0 + 1);
	}
	CHECK_EQ(axip_recv(e.s1, u1, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_recv(e.s1, u1, b, sizeof(b), 0), -AXIP_EAGAIN);
	/* datagrams still queued at close are released */
	CHECK_EQ(axip_sendto(e.s0, u0, b, 10, 0, &a), 10);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_sock_nread(e.s1, u1), 10);
	CHECK_EQ(axip_close(e.s1, u1), 0);
	CHECK_EQ(axip_close(e.s0, u0), 0);
	senv_close(&e);
}

static void test_shutdown_events(void)
{
	struct senv e;
	int u0, u1;
	struct axip_sockaddr a = sa4(H1, 7000), b0;
	uint8_t b[16];

	senv_open(&e, 27, NULL, NULL, NULL);
	u0 = udp_socket(e.s0);
	u1 = udp_socket(e.s1);
	CHECK_EQ(bind_port(e.s1, u1, 0, 7000), 0);
	CHECK_EQ(axip_shutdown(e.s0, u0, AXIP_SHUT_WR), -AXIP_ENOTCONN);
	CHECK_EQ(axip_connect(e.s0, u0, &a), 0);
	CHECK_EQ(axip_getsockname(e.s0, u0, &b0), 0);
	b0.addr.v4 = H0;
	CHECK_EQ(axip_shutdown(e.s0, u0, 7), -AXIP_EINVAL);
	/* SHUT_RD: queued datagrams dropped, reads 0, later ones discarded */
	CHECK_EQ(axip_sendto(e.s1, u1, "abc", 3, 0, &b0), 3);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_sock_nread(e.s0, u0), 3);
	CHECK_EQ(axip_shutdown(e.s0, u0, AXIP_SHUT_RD), 0);
	CHECK_EQ(axip_sock_events(e.s0, u0), AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP);
	CHECK_EQ(axip_recv(e.s0, u0, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_sendto(e.s1, u1, "def", 3, 0, &b0), 3);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_sock_nread(e.s0, u0), 0);
	CHECK_EQ(axip_recv(e.s0, u0, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_send(e.s0, u0, "out", 3, 0), 3); /* writing still works */
	/* SHUT_WR: EPIPE; both: HUP */
	CHECK_EQ(axip_shutdown(e.s0, u0, AXIP_SHUT_WR), 0);
	CHECK_EQ(axip_send(e.s0, u0, "out", 3, 0), -AXIP_EPIPE);
	CHECK_EQ(axip_sendto(e.s0, u0, "out", 3, 0, &a), -AXIP_EPIPE);
	CHECK_EQ(axip_sock_events(e.s0, u0),
	         AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_HUP);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_recv(e.s1, u1, b, sizeof(b), 0), 3);
	CHECK_EQ(axip_recv(e.s1, u1, b, sizeof(b), 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_close(e.s0, u0), 0);
	CHECK_EQ(axip_close(e.s1, u1), 0);
	senv_close(&e);
}

static struct axip_pkt *payload(struct axip_stack *s, const void *d, uint32_t n)
{
	struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	if (!p)
		return NULL;
	memcpy(p->data, d, n);
	p->len = n;
	p->tailroom -= n;
	return p;
}

static void test_zero_copy(void)
{
	struct senv e;
	int u0, u1;
	struct axip_sockaddr a = sa4(H1, 7000), from;
	struct axip_pkt *p, *q, *w;
	static uint8_t big[6000], in[6000];
	uint32_t segs;

	fill(big, sizeof(big), 3);
	senv_open(&e, 28, NULL, NULL, NULL);
	u0 = udp_socket(e.s0);
	u1 = udp_socket(e.s1);
	CHECK_EQ(bind_port(e.s1, u1, 0, 7000), 0);
	CHECK_EQ(axip_recv_zc(e.s1, u1, &p, 0, &from), -AXIP_EAGAIN);
	CHECK(p == NULL);
	/* zero-copy send (autobinds); ownership passes on errors too */
	p = payload(e.s0, "zero", 4);
	REQUIRE(p != NULL);
	CHECK_EQ(axip_send_zc(e.s0, u0, p, 0, &a), 4);
	p = payload(e.s0, "lost", 4);
	REQUIRE(p != NULL);
	CHECK_EQ(axip_send_zc(e.s0, u0, p, 0, NULL), -AXIP_EDESTADDRREQ);
	CHECK_EQ(axip_send(e.s0, u0, big, sizeof(big), 0), -AXIP_EDESTADDRREQ);
	CHECK_EQ(axip_sendto(e.s0, u0, big, sizeof(big), 0, &a), (int)sizeof(big));
	sim_run(e.sim, AXIP_MS(5));
	/* zero-copy receive: the caller owns the datagram's buffers */
	CHECK_EQ(axip_recv_zc(e.s1, u1, &p, 0, &from), 4);
	REQUIRE(p != NULL);
	CHECK(memcmp(p->data, "zero", 4) == 0);
	CHECK_EQ(from.addr.v4, H0);
	CHECK_EQ(axip_recv_zc(e.s1, u1, &q, 1, NULL), (int)sizeof(big)); /* max: TCP only */
	REQUIRE(q != NULL);
	CHECK_EQ(axip_pkt_chain_len(q), sizeof(big));
	CHECK_EQ(axip_pkt_copy_out(q, 0, in, sizeof(in)), sizeof(in));
	CHECK(memcmp(in, big, sizeof(big)) == 0);
	for (segs = 0, w = q; w; w = w->sg_next)
		segs++;
	CHECK(segs >= 4); /* five fragments reassembled as a chain */
	/* held by the application, not the socket: nothing is queued */
	CHECK_EQ(axip_sock_nread(e.s1, u1), 0);
	CHECK_EQ(axip_sock_events(e.s1, u1), AXIP_EV_OUT);
	/* send the received buffers straight back (echo without a copy) */
	CHECK_EQ(axip_send_zc(e.s1, u1, p, 0, &from), 4);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_recv(e.s0, u0, in, sizeof(in), 0), 4);
	CHECK(memcmp(in, "zero", 4) == 0);
	axip_pkt_free(e.s1, q);
	CHECK_EQ(axip_close(e.s0, u0), 0);
	CHECK_EQ(axip_close(e.s1, u1), 0);
	senv_close(&e);
}

int main(void)
{
	RUN_TEST(test_sendto_recvfrom_autobind);
	RUN_TEST(test_bind_rules);
	RUN_TEST(test_connect_filter_unspec);
	RUN_TEST(test_icmp_refused);
	RUN_TEST(test_trunc_large_emsgsize);
	RUN_TEST(test_rcvbuf_limit);
	RUN_TEST(test_shutdown_events);
	RUN_TEST(test_zero_copy);
	return test_summary();
}
