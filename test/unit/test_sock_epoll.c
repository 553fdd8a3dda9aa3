/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sock_epoll.c - readiness (axip/sock.h): poll (NVAL, negative
 * descriptors, ERR/HUP always), interest-set errors (EBADF, EINVAL, EEXIST,
 * ENOENT, ENOMEM with sock_epoll_items_full), level-triggered entries that
 * stay reported, edge-triggered once per change, one-shot until MOD, a
 * socket closed while in a set (and while listed ready), a set closed with
 * entries, a peer reset while data is queued, connect completion and
 * failure, the embedder's notify hook, and 500 sockets with one ready whose
 * wait looks at that one entry only. */
#include "sock_util.h"
#include "sock.h"

static uint32_t items_cfg, socks_cfg;
static void cfg_hook(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	if (items_cfg)
		cfg->sock_epoll_items = items_cfg;
	if (socks_cfg)
		cfg->sock_max = socks_cfg;
	cfg->udp_sockets = 600;
}

static int udp_bound(struct axip_stack *s, uint16_t port)
{
	int fd = axip_socket(s, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	struct axip_sockaddr a = sa4(0, port);
	if (fd >= 0 && axip_bind(s, fd, &a) != 0)
		return -1;
	return fd;
}

static int add(struct axip_stack *s, int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct axip_epoll_event ev;
	ev.events = events;
	ev.data = data;
	return axip_epoll_ctl(s, ep, op, fd, &ev);
}

/* Entries listed ready in the set (what the next wait looks at). */
static uint32_t ready_listed(struct axip_stack *s, int ep)
{
	return s->sock->socks[ep].ready_len;
}

static void test_poll(void)
{
	struct senv e;
	int u0, u1, t;
	struct axip_pollfd p[5];
	struct axip_sockaddr a = sa4(H1, 7000);

	senv_open(&e, 31, NULL, NULL, NULL);
	u0 = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	u1 = udp_bound(e.s1, 7000);
	t = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	CHECK_EQ(axip_sock_poll(e.s1, p, 0), 0);
	p[0].fd = u1;
	p[0].events = AXIP_EV_IN;
	p[1].fd = -1; /* ignored */
	p[1].events = AXIP_EV_IN;
	p[1].revents = 0xffff;
	p[2].fd = 77; /* names nothing */
	p[2].events = AXIP_EV_IN;
	p[3].fd = t; /* a new stream socket: OUT|HUP as Linux; HUP always reported */
	p[3].events = AXIP_EV_IN;
	p[4].fd = u1;
	p[4].events = AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_PRI;
	CHECK_EQ(axip_sock_poll(e.s1, p, 5), 3);
	CHECK_EQ(p[0].revents, 0);
	CHECK_EQ(p[1].revents, 0);
	CHECK_EQ(p[2].revents, AXIP_EV_NVAL);
	CHECK_EQ(p[3].revents, AXIP_EV_HUP);
	CHECK_EQ(p[4].revents, AXIP_EV_OUT);
	CHECK_EQ(axip_sendto(e.s0, u0, "x", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_sock_poll(e.s1, p, 1), 1);
	CHECK_EQ(p[0].revents, AXIP_EV_IN);
	/* an interest set polls readable when something in it is ready */
	{
		int ep = axip_epoll_create(e.s1);
		p[1].fd = ep;
		p[1].events = AXIP_EV_IN;
		CHECK_EQ(axip_sock_poll(e.s1, &p[1], 1), 0);
		CHECK_EQ(p[1].revents, 0);
		CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_ADD, u1, AXIP_EV_IN, 1), 0);
		CHECK_EQ(axip_sock_poll(e.s1, &p[1], 1), 1);
		CHECK_EQ(p[1].revents, AXIP_EV_IN);
		CHECK_EQ(axip_close(e.s1, ep), 0);
	}
	CHECK_EQ(axip_close(e.s0, u0), 0);
	CHECK_EQ(axip_close(e.s1, u1), 0);
	CHECK_EQ(axip_close(e.s1, t), 0);
	senv_close(&e);
}

static void test_ctl_errors(void)
{
	struct senv e;
	int ep, ep2, u[5], i;
	struct axip_epoll_event out[4];

	items_cfg = 4;
	socks_cfg = 0;
	senv_open(&e, 32, NULL, cfg_hook, NULL);
	ep = axip_epoll_create(e.s0);
	ep2 = axip_epoll_create(e.s0);
	CHECK(ep >= 0 && ep2 >= 0);
	for (i = 0; i < 5; i++)
		u[i] = udp_bound(e.s0, (uint16_t)(7000 + i));
	CHECK_EQ(add(e.s0, 99, AXIP_EPOLL_CTL_ADD, u[0], AXIP_EV_IN, 0), -AXIP_EBADF);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, 99, AXIP_EV_IN, 0), -AXIP_EBADF);
	CHECK_EQ(add(e.s0, -1, AXIP_EPOLL_CTL_ADD, -1, AXIP_EV_IN, 0), -AXIP_EBADF);
	CHECK_EQ(add(e.s0, u[0], AXIP_EPOLL_CTL_ADD, u[1], AXIP_EV_IN, 0), -AXIP_EINVAL);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, ep2, AXIP_EV_IN, 0), -AXIP_EINVAL);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, ep, AXIP_EV_IN, 0), -AXIP_EINVAL);
	CHECK_EQ(add(e.s0, ep, 9, u[0], AXIP_EV_IN, 0), -AXIP_EINVAL);
	CHECK_EQ(axip_epoll_ctl(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[0], NULL), -AXIP_EFAULT);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_MOD, u[0], AXIP_EV_IN, 0), -AXIP_ENOENT);
	CHECK_EQ(axip_epoll_ctl(e.s0, ep, AXIP_EPOLL_CTL_DEL, u[0], NULL), -AXIP_ENOENT);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[0], AXIP_EV_IN, 0), 0);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[0], AXIP_EV_OUT, 0), -AXIP_EEXIST);
	/* the same socket in another set is another entry */
	CHECK_EQ(add(e.s0, ep2, AXIP_EPOLL_CTL_ADD, u[0], AXIP_EV_IN, 0), 0);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[1], AXIP_EV_IN, 0), 0);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[2], AXIP_EV_IN, 0), 0);
	/* the entry pool (4) is exhausted */
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[3], AXIP_EV_IN, 0), -AXIP_ENOMEM);
	CHECK_EQ(axip_counters(e.s0)->sock_epoll_items_full, 1);
	CHECK_EQ(axip_epoll_ctl(e.s0, ep, AXIP_EPOLL_CTL_DEL, u[1], NULL), 0);
	CHECK_EQ(axip_epoll_ctl(e.s0, ep, AXIP_EPOLL_CTL_DEL, u[1], NULL), -AXIP_ENOENT);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[3], AXIP_EV_IN, 0), 0);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[4], AXIP_EV_IN, 0), -AXIP_ENOMEM);
	CHECK_EQ(axip_counters(e.s0)->sock_epoll_items_full, 2);
	/* wait errors */
	CHECK_EQ(axip_epoll_wait(e.s0, 99, out, 4), -AXIP_EBADF);
	CHECK_EQ(axip_epoll_wait(e.s0, u[0], out, 4), -AXIP_EINVAL);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 0), -AXIP_EINVAL);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, -1), -AXIP_EINVAL);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, NULL, 4), -AXIP_EFAULT);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 0);
	CHECK_EQ(axip_epoll_ready(e.s0, ep), 0);
	CHECK_EQ(axip_epoll_ready(e.s0, u[0]), 0);
	CHECK_EQ(axip_epoll_ready(e.s0, 99), 0);
	/* closing a set returns its entries: the pool is whole again */
	CHECK_EQ(axip_close(e.s0, ep), 0);
	CHECK_EQ(axip_close(e.s0, ep), -AXIP_EBADF);
	ep = axip_epoll_create(e.s0);
	for (i = 1; i < 4; i++)
		CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[i], AXIP_EV_IN, 0), 0);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[4], AXIP_EV_IN, 0), -AXIP_ENOMEM);
	/* closing a socket takes its entries out of every set */
	CHECK_EQ(axip_close(e.s0, u[0]), 0);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, u[4], AXIP_EV_IN, 0), 0);
	CHECK_EQ(axip_close(e.s0, ep), 0);
	CHECK_EQ(axip_close(e.s0, ep2), 0);
	for (i = 1; i < 5; i++)
		CHECK_EQ(axip_close(e.s0, u[i]), 0);
	senv_close(&e);
	items_cfg = 0;
}

static void test_level_edge_oneshot(void)
{
	struct senv e;
	int ep, lt, et, os, src, n;
	struct axip_epoll_event out[8];
	struct axip_sockaddr a;
	uint8_t b[8];

	senv_open(&e, 33, NULL, NULL, NULL);
	ep = axip_epoll_create(e.s1);
	lt = udp_bound(e.s1, 7001);
	et = udp_bound(e.s1, 7002);
	os = udp_bound(e.s1, 7003);
	src = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_ADD, lt, AXIP_EV_IN, 1), 0);
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_ADD, et, AXIP_EV_IN | AXIP_EV_ET, 2), 0);
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_ADD, os, AXIP_EV_IN | AXIP_EV_ONESHOT, 3), 0);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 0);
	/* two datagrams to each */
	for (n = 0; n < 2; n++) {
		a = sa4(H1, 7001);
		CHECK_EQ(axip_sendto(e.s0, src, "a", 1, 0, &a), 1);
		a.port = 7002;
		CHECK_EQ(axip_sendto(e.s0, src, "b", 1, 0, &a), 1);
		a.port = 7003;
		CHECK_EQ(axip_sendto(e.s0, src, "c", 1, 0, &a), 1);
	}
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_epoll_ready(e.s1, ep), 1);
	memset(out, 0, sizeof(out));
	n = axip_epoll_wait(e.s1, ep, out, 8);
	CHECK_EQ(n, 3);
	CHECK_EQ(out[0].events, AXIP_EV_IN);
	CHECK_EQ(out[0].data + out[1].data + out[2].data, 6);
	/* next wait: only the level-triggered one, while it stays readable */
	n = axip_epoll_wait(e.s1, ep, out, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].data, 1);
	CHECK_EQ(axip_recv(e.s1, lt, b, sizeof(b), 0), 1);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 1); /* one left */
	CHECK_EQ(axip_recv(e.s1, lt, b, sizeof(b), 0), 1);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 0); /* drained: gone */
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 0);
	/* edge: not again until something changes, though still readable */
	CHECK_EQ(axip_sock_events(e.s1, et), AXIP_EV_IN | AXIP_EV_OUT);
	CHECK_EQ(axip_recv(e.s1, et, b, sizeof(b), 0), 1);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 0);
	a = sa4(H1, 7002);
	CHECK_EQ(axip_sendto(e.s0, src, "b", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5));
	n = axip_epoll_wait(e.s1, ep, out, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].data, 2);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 0);
	/* one-shot: silent after its report, new data or not, until MOD */
	a = sa4(H1, 7003);
	CHECK_EQ(axip_sendto(e.s0, src, "c", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 0);
	CHECK_EQ(axip_sock_nread(e.s1, os), 1);
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_MOD, os, AXIP_EV_IN | AXIP_EV_ONESHOT, 33), 0);
	n = axip_epoll_wait(e.s1, ep, out, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].data, 33);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 0);
	/* MOD to level-triggered OUT: always writable */
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_MOD, os, AXIP_EV_OUT, 4), 0);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 1);
	CHECK_EQ(out[0].events, AXIP_EV_OUT);
	CHECK_EQ(out[0].data, 4);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 1);
	/* more ready than max: the rest come with the next call */
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_MOD, lt, AXIP_EV_OUT, 5), 0);
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_MOD, et, AXIP_EV_OUT, 6), 0);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 1), 1);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 1), 1);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 3);
	/* DEL: no longer reported */
	CHECK_EQ(axip_epoll_ctl(e.s1, ep, AXIP_EPOLL_CTL_DEL, os, NULL), 0);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 8), 2);
	CHECK_EQ(axip_close(e.s1, ep), 0);
	CHECK_EQ(axip_close(e.s1, lt), 0);
	CHECK_EQ(axip_close(e.s1, et), 0);
	CHECK_EQ(axip_close(e.s1, os), 0);
	CHECK_EQ(axip_close(e.s0, src), 0);
	senv_close(&e);
}

/* A socket closed while in an interest set, also while listed ready: its
 * entry disappears; the descriptor number reused is a new socket. */
static void test_close_while_in_set(void)
{
	struct senv e;
	int ep, ep2, u, v, src, nu;
	struct axip_epoll_event out[4];
	struct axip_sockaddr a = sa4(H1, 7001);

	senv_open(&e, 34, NULL, NULL, NULL);
	ep = axip_epoll_create(e.s1);
	ep2 = axip_epoll_create(e.s1);
	u = udp_bound(e.s1, 7001);
	v = udp_bound(e.s1, 7002);
	src = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_ADD, u, AXIP_EV_IN, 1), 0);
	CHECK_EQ(add(e.s1, ep2, AXIP_EPOLL_CTL_ADD, u, AXIP_EV_IN | AXIP_EV_ET, 1), 0);
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_ADD, v, AXIP_EV_IN, 2), 0);
	CHECK_EQ(axip_sendto(e.s0, src, "x", 1, 0, &a), 1);
	a.port = 7002;
	CHECK_EQ(axip_sendto(e.s0, src, "y", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(ready_listed(e.s1, ep), 2);
	CHECK_EQ(ready_listed(e.s1, ep2), 1);
	/* u is listed ready in both sets when it is closed */
	CHECK_EQ(axip_close(e.s1, u), 0);
	CHECK_EQ(ready_listed(e.s1, ep), 1);
	CHECK_EQ(ready_listed(e.s1, ep2), 0);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 4), 1);
	CHECK_EQ(out[0].data, 2);
	CHECK_EQ(axip_epoll_wait(e.s1, ep2, out, 4), 0);
	/* the number comes back for a new socket, in no set */
	nu = udp_bound(e.s1, 7001);
	CHECK_EQ(nu, u);
	CHECK_EQ(axip_epoll_ctl(e.s1, ep, AXIP_EPOLL_CTL_DEL, nu, NULL), -AXIP_ENOENT);
	a.port = 7001;
	CHECK_EQ(axip_sendto(e.s0, src, "z", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_epoll_wait(e.s1, ep2, out, 4), 0);
	CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_ADD, nu, AXIP_EV_IN, 7), 0);
	/* v closed while not listed (its entry idle) */
	CHECK_EQ(axip_recv(e.s1, v, out, 1, 0), 1);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 4), 1);
	CHECK_EQ(out[0].data, 7);
	CHECK_EQ(axip_close(e.s1, v), 0);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 4), 1);
	/* a set closed while it lists a ready socket; the socket lives on */
	CHECK_EQ(axip_close(e.s1, ep), 0);
	CHECK_EQ(axip_sock_events(e.s1, nu), AXIP_EV_IN | AXIP_EV_OUT);
	CHECK_EQ(axip_sendto(e.s0, src, "w", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5)); /* a wake of a socket whose set is gone */
	CHECK_EQ(axip_close(e.s1, nu), 0);
	CHECK_EQ(axip_close(e.s1, ep2), 0);
	CHECK_EQ(axip_close(e.s0, src), 0);
	senv_close(&e);
}

/* TCP through a set: connect completion and refusal, a listener, a peer
 * reset while data is queued (readable, then ECONNRESET once, then 0), and
 * an edge on writability. */
static void test_tcp_readiness(void)
{
	struct senv e;
	int ep, l = -1, c, c2, a, n;
	struct axip_epoll_event out[4];
	struct axip_sockaddr to = sa4(H1, 80);
	uint8_t b[8192];

	memset(b, 'r', sizeof(b));
	senv_open(&e, 35, NULL, NULL, NULL);
	ep = axip_epoll_create(e.s0);
	l = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	{
		struct axip_sockaddr any = sa4(0, 80);
		CHECK_EQ(axip_bind(e.s1, l, &any), 0);
		CHECK_EQ(axip_listen(e.s1, l, 4), 0);
	}
	/* refused: ERR and HUP come although only IN was asked for */
	c2 = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	to.port = 81;
	CHECK_EQ(axip_connect(e.s0, c2, &to), -AXIP_EINPROGRESS);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, c2, AXIP_EV_IN | AXIP_EV_ET, 9), 0);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 0);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 1);
	CHECK_EQ(out[0].events, AXIP_EV_IN | AXIP_EV_ERR | AXIP_EV_HUP);
	CHECK_EQ(int_opt(e.s0, c2, AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNREFUSED);
	CHECK_EQ(axip_close(e.s0, c2), 0);
	/* completion: OUT, edge-triggered */
	c = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	to.port = 80;
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, c, AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP |
	                                                 AXIP_EV_ET, 1), 0);
	/* a new socket is OUT|HUP (as Linux's CLOSE state) */
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 1);
	CHECK_EQ(out[0].events, AXIP_EV_OUT | AXIP_EV_HUP);
	CHECK_EQ(axip_connect(e.s0, c, &to), -AXIP_EINPROGRESS);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 0);
	{
		int lep = axip_epoll_create(e.s1);
		CHECK_EQ(add(e.s1, lep, AXIP_EPOLL_CTL_ADD, l, AXIP_EV_IN, 5), 0);
		sim_run(e.sim, AXIP_MS(5));
		CHECK_EQ(axip_epoll_wait(e.s1, lep, out, 4), 1);
		CHECK_EQ(out[0].data, 5);
		a = axip_accept(e.s1, l, NULL);
		CHECK(a >= 0);
		CHECK_EQ(axip_epoll_wait(e.s1, lep, out, 4), 0); /* queue empty */
		CHECK_EQ(axip_close(e.s1, lep), 0);
	}
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 1);
	CHECK_EQ(out[0].events, AXIP_EV_OUT);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 0);
	CHECK_EQ(axip_connect(e.s0, c, &to), 0);
	/* writability edge: fill the send buffer, then space comes back */
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 4096), 0);
	n = axip_send(e.s0, c, b, sizeof(b), 0);
	CHECK(n > 0 && n <= 4096);
	CHECK_EQ(axip_send(e.s0, c, b, sizeof(b), 0), -AXIP_EAGAIN);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 0);
	sim_run(e.sim, AXIP_MS(100));
	CHECK(axip_epoll_wait(e.s0, ep, out, 4) == 1 && out[0].events == AXIP_EV_OUT);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 0);
	/* the peer sends data and then resets (close with unread data) */
	CHECK_EQ(axip_send(e.s1, a, b, 3000, 0), 3000);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 1);
	CHECK_EQ(out[0].events, AXIP_EV_IN | AXIP_EV_OUT);
	CHECK(axip_sock_nread(e.s1, a) > 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 1);
	CHECK_EQ(out[0].events,
	         AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_ERR | AXIP_EV_HUP);
	CHECK_EQ(axip_sock_nread(e.s0, c), 3000);
	CHECK_EQ(axip_recv(e.s0, c, b, 1000, 0), 1000);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 2000);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), -AXIP_ECONNRESET);
	CHECK_EQ(axip_recv(e.s0, c, b, sizeof(b), 0), 0);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_HUP);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 4), 0);
	CHECK_EQ(axip_close(e.s0, ep), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* Readiness that an option changes reaches the sets: a larger SO_SNDBUF
 * makes a full socket writable (Linux wakes writers: sk_write_space). */
static void test_sndbuf_wakes(void)
{
	struct senv e;
	int l = -1, c = -1, a, ep, n;
	struct axip_epoll_event out[2];
	static uint8_t b[20000];

	senv_open(&e, 38, NULL, NULL, NULL);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 80));
	ep = axip_epoll_create(e.s0);
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 4096), 0);
	CHECK_EQ(add(e.s0, ep, AXIP_EPOLL_CTL_ADD, c, AXIP_EV_OUT, 1), 0);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 2), 1);
	n = axip_send(e.s0, c, b, sizeof(b), 0);
	CHECK_EQ(n, 4096);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 2), 0); /* full: the entry leaves the list */
	CHECK_EQ(set_int(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 65536), 0);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_OUT);
	CHECK_EQ(axip_epoll_wait(e.s0, ep, out, 2), 1);
	CHECK_EQ(out[0].events, AXIP_EV_OUT);
	CHECK_EQ(axip_close(e.s0, ep), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* The embedder's hook hears each readiness change, with the descriptor. */
static int notified[16], notify_calls;
static void on_notify(void *arg, int fd)
{
	(void)arg;
	notify_calls++;
	if (fd >= 0 && fd < 16)
		notified[fd]++;
}

static void test_notify(void)
{
	struct senv e;
	int u, src;
	struct axip_sockaddr a = sa4(H1, 7001);

	senv_open(&e, 36, NULL, NULL, NULL);
	u = udp_bound(e.s1, 7001);
	src = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	memset(notified, 0, sizeof(notified));
	notify_calls = 0;
	axip_sock_set_notify(e.s1, on_notify, NULL);
	CHECK_EQ(axip_sendto(e.s0, src, "x", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(notified[u], 1);
	CHECK_EQ(notify_calls, 1);
	axip_sock_set_notify(e.s1, NULL, NULL);
	CHECK_EQ(axip_sendto(e.s0, src, "x", 1, 0, &a), 1);
	sim_run(e.sim, AXIP_MS(5));
	CHECK_EQ(notify_calls, 1);
	CHECK_EQ(axip_close(e.s1, u), 0);
	CHECK_EQ(axip_close(e.s0, src), 0);
	senv_close(&e);
}

/* 500 sockets in one set, one ready: the wait returns just it and looks at
 * the one listed entry, not at the 500 (axip_epoll_wait's O(ready) claim). */
static void test_many_one_ready(void)
{
	enum { N = 500 };
	struct senv e;
	int ep, fds[N], i, src, k;
	struct axip_epoll_event out[16];
	struct axip_sockaddr a;

	items_cfg = N + 4;
	socks_cfg = N + 8;
	senv_open(&e, 37, NULL, cfg_hook, NULL);
	ep = axip_epoll_create(e.s1);
	for (i = 0; i < N; i++) {
		fds[i] = udp_bound(e.s1, (uint16_t)(10000 + i));
		REQUIRE(fds[i] >= 0);
		CHECK_EQ(add(e.s1, ep, AXIP_EPOLL_CTL_ADD, fds[i], AXIP_EV_IN, (uint64_t)i), 0);
	}
	CHECK_EQ(ready_listed(e.s1, ep), 0);
	CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 16), 0);
	src = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	for (k = 0; k < 3; k++) {
		int which = (k * 211 + 137) % N;
		a = sa4(H1, (uint16_t)(10000 + which));
		CHECK_EQ(axip_sendto(e.s0, src, "!", 1, 0, &a), 1);
		sim_run(e.sim, AXIP_MS(5));
		CHECK_EQ(ready_listed(e.s1, ep), 1);
		CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 16), 1);
		CHECK_EQ(out[0].data, which);
		CHECK_EQ(out[0].events, AXIP_EV_IN);
		CHECK_EQ(ready_listed(e.s1, ep), 1); /* level-triggered: still listed */
		CHECK_EQ(axip_recv(e.s1, fds[which], out, 1, 0), 1);
		/* it leaves the list at the next wait, which looks at it alone */
		CHECK_EQ(axip_epoll_wait(e.s1, ep, out, 16), 0);
		CHECK_EQ(ready_listed(e.s1, ep), 0);
	}
	CHECK_EQ(axip_close(e.s1, ep), 0);
	for (i = 0; i < N; i++)
		CHECK_EQ(axip_close(e.s1, fds[i]), 0);
	CHECK_EQ(axip_close(e.s0, src), 0);
	senv_close(&e);
	items_cfg = socks_cfg = 0;
}

int main(void)
{
	RUN_TEST(test_poll);
	RUN_TEST(test_ctl_errors);
	RUN_TEST(test_level_edge_oneshot);
	RUN_TEST(test_close_while_in_set);
	RUN_TEST(test_tcp_readiness);
	RUN_TEST(test_notify);
	RUN_TEST(test_sndbuf_wakes);
	RUN_TEST(test_many_one_ready);
	return test_summary();
}
