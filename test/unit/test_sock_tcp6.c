/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sock_tcp6.c - stream sockets of family AXIP_AF_INET6 on the simulated
 * link (host 0 2001:db8::1 and 10.0.0.1, host 1 2001:db8::2 and 10.0.0.2,
 * both with their link-local addresses): bind rules and bad input, listen /
 * accept / connect with data both ways, the names, every stream option,
 * link-local addresses with their scope id, a dual-stack :: listener that
 * accepts IPv4 peers as ::ffff:a.b.c.d, IPV6_V6ONLY (an IPv4 SYN gets a
 * RST), a listener bound to an IPv4-mapped address, connect to an
 * IPv4-mapped address (an IPv4 connection), the EADDRINUSE rules across
 * the families, and connect failures (ECONNREFUSED through SO_ERROR,
 * ENETUNREACH). Pools, connections and descriptors back at the end. */
#include "sock_util.h"
#include "ip6_frames.h"

static void ip6_on(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	cfg->ip6_enable = 1;
	cfg->nd6_dad_transmits = 0; /* addresses usable at once */
	cfg->n_addrs6 = 1;
	memcpy(cfg->addrs6[0].addr, host ? ip6_peer_gl : ip6_my_gl, 16);
	cfg->addrs6[0].prefix_len = 64;
}

static struct axip_sockaddr sa6(const uint8_t *a, uint16_t port)
{
	struct axip_sockaddr s;
	memset(&s, 0, sizeof(s));
	s.family = AXIP_AF_INET6;
	memcpy(s.addr.v6, a, 16);
	s.port = port;
	return s;
}

/* ::ffff:a.b.c.d for a host-order IPv4 address. */
static struct axip_sockaddr mapped(uint32_t v4, uint16_t port)
{
	uint8_t a[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
	a[12] = (uint8_t)(v4 >> 24);
	a[13] = (uint8_t)(v4 >> 16);
	a[14] = (uint8_t)(v4 >> 8);
	a[15] = (uint8_t)v4;
	return sa6(a, port);
}

static int same6(const struct axip_sockaddr *a, const struct axip_sockaddr *b)
{
	return a->family == AXIP_AF_INET6 && b->family == AXIP_AF_INET6 && a->port == b->port &&
	       memcmp(a->addr.v6, b->addr.v6, 16) == 0 && a->scope_id == b->scope_id;
}

static int tcp6_socket(struct axip_stack *s)
{
	return axip_socket(s, AXIP_AF_INET6, AXIP_SOCK_STREAM, 0);
}

/* A listener on host 1 bound to `at` (V6ONLY if asked); -1 on failure. */
static int listener(struct senv *e, const struct axip_sockaddr *at, int v6only)
{
	int fd = at->family == AXIP_AF_INET6 ? tcp6_socket(e->s1)
	                                     : axip_socket(e->s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (v6only && set_int(e->s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 1) != 0)
		return -1;
	if (axip_bind(e->s1, fd, at) != 0 || axip_listen(e->s1, fd, 8) != 0)
		return -1;
	return fd;
}

/* Host 0's socket cfd connects to `to`; host 1's listener lfd accepts into
 * *afd with the peer's name in *peer. 1 on success. */
static int connect_accept(struct senv *e, int cfd, const struct axip_sockaddr *to, int lfd,
                          int *afd, struct axip_sockaddr *peer)
{
	if (axip_connect(e->s0, cfd, to) != -AXIP_EINPROGRESS)
		return 0;
	if (!run_until_ev(e, e->s0, cfd, AXIP_EV_OUT | AXIP_EV_ERR, AXIP_SEC(5)))
		return 0;
	if (int_opt(e->s0, cfd, AXIP_SOL_SOCKET, AXIP_SO_ERROR) != 0)
		return 0;
	if (!run_until_ev(e, e->s1, lfd, AXIP_EV_IN, AXIP_SEC(5)))
		return 0;
	*afd = axip_accept(e->s1, lfd, peer);
	return *afd >= 0 && axip_connect(e->s0, cfd, to) == 0;
}

/* Send n pattern bytes from (sa, a) and read them on (sb, b), driving the
 * link; 1 if every byte arrived as sent. */
static int transfer(struct senv *e, struct axip_stack *sa, int a, struct axip_stack *sb, int b,
                    uint32_t seed, uint32_t n)
{
	static uint8_t out[65536], in[65536];
	uint32_t sent = 0, got = 0, i;
	axip_time_ns end = sim_now(e->sim) + AXIP_SEC(30);
	if (n > sizeof out)
		return 0;
	for (i = 0; i < n; i++)
		out[i] = sbyte(seed, i);
	while (got < n && sim_now(e->sim) < end) {
		if (sent < n) {
			int k = axip_send(sa, a, out + sent, n - sent, 0);
			if (k > 0)
				sent += (uint32_t)k;
			else if (k != -AXIP_EAGAIN)
				return 0;
		}
		axip_flush(sa);
		sim_run(e->sim, AXIP_MS(1));
		for (;;) {
			int k = axip_recv(sb, b, in + got, sizeof in - got, 0);
			if (k == -AXIP_EAGAIN)
				break;
			if (k <= 0)
				return 0;
			got += (uint32_t)k;
		}
	}
	return got == n && memcmp(in, out, n) == 0;
}

/* Counting the TCP RSTs host 1 sends over IPv4 (EtherType 0x0800, protocol 6). */
static uint32_t rst4_from1, syn4_to_port;
static uint16_t syn4_port;
static int tap_v4_rst(void *arg, uint32_t from, uint8_t *f, uint32_t *len)
{
	uint32_t ihl;
	(void)arg;
	if (*len < 14 + 20 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 6)
		return 1;
	ihl = (uint32_t)(f[14] & 0x0f) * 4u;
	if (*len < 14 + ihl + 20)
		return 1;
	if (from == 1 && (f[14 + ihl + 13] & 0x04))
		rst4_from1++;
	if (from == 0 && (f[14 + ihl + 13] & 0x02) && ip6t_be16(f + 14 + ihl + 2) == syn4_port)
		syn4_to_port++;
	return 1;
}

/* ---- tests ---- */

/* socket, bind and the options' errors; wrong families; names before a connection. */
static void test_bind_and_bad_input(void)
{
	struct senv e;
	struct axip_sockaddr a, n;
	int fd, fd4, v = 1, lo, hi;
	axip_u32 len;

	senv_open(&e, 1, NULL, ip6_on, NULL);
	lo = axip_get_config(e.s1)->tcp_ephemeral_lo;
	hi = axip_get_config(e.s1)->tcp_ephemeral_hi;
	fd = tcp6_socket(e.s1);
	fd4 = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	REQUIRE(fd >= 0 && fd4 >= 0);
	CHECK_EQ(axip_socket(e.s1, AXIP_AF_INET6, AXIP_SOCK_STREAM, AXIP_IPPROTO_UDP),
	         -AXIP_EPROTONOSUPPORT);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_SOL_SOCKET, AXIP_SO_DOMAIN), AXIP_AF_INET6);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_SOL_SOCKET, AXIP_SO_TYPE), AXIP_SOCK_STREAM);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_SOL_SOCKET, AXIP_SO_PROTOCOL), AXIP_IPPROTO_TCP);
	/* IPV6_V6ONLY: off by default (Linux's bindv6only = 0), int-sized, AF_INET6 only */
	CHECK_EQ(int_opt(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), 0);
	CHECK_EQ(axip_setsockopt(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, &v, 2), -AXIP_EINVAL);
	CHECK_EQ(set_int(e.s1, fd, AXIP_IPPROTO_IPV6, 99, 1), -AXIP_ENOPROTOOPT);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_IPPROTO_IPV6, 99), -AXIP_ENOPROTOOPT);
	CHECK_EQ(set_int(e.s1, fd4, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 1), -AXIP_ENOPROTOOPT);
	CHECK_EQ(int_opt(e.s1, fd4, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), -AXIP_ENOPROTOOPT);
	CHECK_EQ(set_int(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 1), 0);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), 1);
	CHECK_EQ(set_int(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 0), 0);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), 0);
	/* family mismatches both ways */
	a = sa4(0, 80);
	CHECK_EQ(axip_bind(e.s1, fd, &a), -AXIP_EAFNOSUPPORT);
	CHECK_EQ(axip_connect(e.s1, fd, &a), -AXIP_EAFNOSUPPORT);
	a = sa6(ip6_unspec, 80);
	CHECK_EQ(axip_bind(e.s1, fd4, &a), -AXIP_EAFNOSUPPORT);
	a = sa6(ip6_my_gl, 80);
	CHECK_EQ(axip_connect(e.s1, fd4, &a), -AXIP_EAFNOSUPPORT);
	CHECK_EQ(axip_bind(e.s1, fd, NULL), -AXIP_EFAULT);
	/* addresses that are not ours */
	a = sa6(ip6_my_gl, 80);
	CHECK_EQ(axip_bind(e.s1, fd, &a), -AXIP_EADDRNOTAVAIL);
	a = sa6(ip6_all_nodes, 80);
	CHECK_EQ(axip_bind(e.s1, fd, &a), -AXIP_EADDRNOTAVAIL);
	a = mapped(H0, 80);
	CHECK_EQ(axip_bind(e.s1, fd, &a), -AXIP_EADDRNOTAVAIL);
	/* names before anything: family AF_INET6, ::, port 0; no peer */
	CHECK_EQ(axip_getsockname(e.s1, fd, &n), 0);
	a = sa6(ip6_unspec, 0);
	CHECK(same6(&n, &a));
	CHECK_EQ(axip_getpeername(e.s1, fd, &n), -AXIP_ENOTCONN);
	CHECK_EQ(axip_recv(e.s1, fd, &v, sizeof v, 0), -AXIP_ENOTCONN);
	CHECK_EQ(axip_send(e.s1, fd, "x", 1, 0), -AXIP_EPIPE);
	CHECK_EQ(axip_shutdown(e.s1, fd, AXIP_SHUT_WR), -AXIP_ENOTCONN);
	/* the own global address; a scope id is ignored off link-local */
	a = sa6(ip6_peer_gl, 80);
	a.scope_id = 5;
	CHECK_EQ(axip_bind(e.s1, fd, &a), 0);
	CHECK_EQ(axip_getsockname(e.s1, fd, &n), 0);
	a.scope_id = 0;
	CHECK(same6(&n, &a));
	CHECK_EQ(axip_bind(e.s1, fd, &a), -AXIP_EINVAL);
	/* IPV6_V6ONLY is fixed once bound (Linux: EINVAL) */
	CHECK_EQ(set_int(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 1), -AXIP_EINVAL);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), 0);
	CHECK_EQ(axip_close(e.s1, fd), 0);
	/* an IPv4-mapped address with IPV6_V6ONLY (Linux: EINVAL) */
	fd = tcp6_socket(e.s1);
	CHECK_EQ(set_int(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 1), 0);
	a = mapped(H1, 80);
	CHECK_EQ(axip_bind(e.s1, fd, &a), -AXIP_EINVAL);
	/* port 0: an ephemeral port, the address kept */
	a = sa6(ip6_peer_ll, 0);
	a.scope_id = 3;
	CHECK_EQ(axip_bind(e.s1, fd, &a), 0);
	CHECK_EQ(axip_getsockname(e.s1, fd, &n), 0);
	CHECK(n.port >= lo && n.port <= hi);
	a.port = n.port;
	CHECK(same6(&n, &a));
	/* a listener after bind(port 0) keeps its port; V6ONLY now fixed */
	CHECK_EQ(axip_listen(e.s1, fd, 4), 0);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_SOL_SOCKET, AXIP_SO_ACCEPTCONN), 1);
	CHECK_EQ(set_int(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 0), -AXIP_EINVAL);
	CHECK_EQ(int_opt(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), 1);
	CHECK_EQ(axip_getsockname(e.s1, fd, &n), 0);
	CHECK(same6(&n, &a));
	len = sizeof(v);
	CHECK_EQ(axip_getsockopt(e.s1, fd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, NULL, &len),
	         -AXIP_EFAULT);
	CHECK_EQ(axip_close(e.s1, fd), 0);
	CHECK_EQ(axip_close(e.s1, fd4), 0);
	senv_close(&e);
}

/* Listen, accept, connect over IPv6 with data both ways, the names, every
 * stream option, shutdown and close. */
static void test_echo_and_options(void)
{
	struct senv e;
	struct axip_sockaddr a, n, peer, cname;
	struct axip_linger lg;
	struct axip_tcp_info info;
	axip_u32 len;
	int l, c, acc, i, mss;
	uint8_t buf[16];
	static const int opts[][3] = {
		{AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY, 1}, {AXIP_IPPROTO_TCP, AXIP_TCP_CORK, 1},
		{AXIP_IPPROTO_TCP, AXIP_TCP_KEEPIDLE, 30}, {AXIP_IPPROTO_TCP, AXIP_TCP_KEEPINTVL, 7},
		{AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT, 4}, {AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE, 1},
		{AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 1}, {AXIP_SOL_SOCKET, AXIP_SO_SNDBUF, 100000},
		{AXIP_SOL_SOCKET, AXIP_SO_RCVBUF, 120000},
	};

	senv_open(&e, 2, NULL, ip6_on, NULL);
	a = sa6(ip6_unspec, 80);
	l = listener(&e, &a, 0);
	REQUIRE(l >= 0);
	c = tcp6_socket(e.s0);
	REQUIRE(c >= 0);
	/* the MSS cap, set before connect, holds on the connection */
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG, 1000), 0);
	CHECK_EQ(int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG), 1000);
	a = sa6(ip6_peer_gl, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EALREADY);
	CHECK_EQ(axip_getpeername(e.s0, c, &n), -AXIP_ENOTCONN);
	CHECK_EQ(axip_send(e.s0, c, "x", 1, 0), -AXIP_EAGAIN);
	/* an ephemeral port and the source selected for the destination */
	CHECK_EQ(axip_getsockname(e.s0, c, &cname), 0);
	CHECK_EQ(cname.family, AXIP_AF_INET6);
	CHECK(memcmp(cname.addr.v6, ip6_my_gl, 16) == 0);
	CHECK(cname.port >= axip_get_config(e.s0)->tcp_ephemeral_lo);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_OUT, AXIP_SEC(5)));
	CHECK_EQ(axip_connect(e.s0, c, &a), 0);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EISCONN);
	REQUIRE(run_until_ev(&e, e.s1, l, AXIP_EV_IN, AXIP_SEC(5)));
	memset(&peer, 0xee, sizeof(peer));
	acc = axip_accept(e.s1, l, &peer);
	REQUIRE(acc >= 0);
	CHECK_EQ(axip_accept(e.s1, l, NULL), -AXIP_EAGAIN);
	/* the names: IPv6 on both ends, the client's port as it sees it, scope 0 */
	CHECK(same6(&peer, &cname));
	CHECK_EQ(axip_getpeername(e.s1, acc, &n), 0);
	CHECK(same6(&n, &cname));
	CHECK_EQ(axip_getsockname(e.s1, acc, &n), 0);
	CHECK(same6(&n, &a));
	CHECK_EQ(axip_getpeername(e.s0, c, &n), 0);
	CHECK(same6(&n, &a));
	CHECK_EQ(int_opt(e.s1, acc, AXIP_SOL_SOCKET, AXIP_SO_DOMAIN), AXIP_AF_INET6);
	CHECK_EQ(axip_tcp_family(axip_sock_tcp(e.s0, c)), 6);
	CHECK_EQ(axip_tcp_family(axip_sock_tcp(e.s1, acc)), 6);
	mss = int_opt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG);
	CHECK(mss > 900 && mss <= 1000);
	/* every option of the stream path, set and read back on both ends */
	for (i = 0; i < (int)(sizeof opts / sizeof opts[0]); i++) {
		CHECK_EQ(set_int(e.s0, c, opts[i][0], opts[i][1], opts[i][2]), 0);
		CHECK_EQ(set_int(e.s1, acc, opts[i][0], opts[i][1], opts[i][2]), 0);
		CHECK_EQ(int_opt(e.s0, c, opts[i][0], opts[i][1]), opts[i][2]);
		CHECK_EQ(int_opt(e.s1, acc, opts[i][0], opts[i][1]), opts[i][2]);
	}
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_CORK, 0), 0);
	CHECK_EQ(set_int(e.s1, acc, AXIP_IPPROTO_TCP, AXIP_TCP_CORK, 0), 0);
	CHECK_EQ(set_int(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT, 0), -AXIP_EINVAL);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	lg.onoff = 1;
	lg.seconds = 3;
	CHECK_EQ(axip_setsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, sizeof lg), 0);
	memset(&lg, 0, sizeof lg);
	len = sizeof lg;
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, &len), 0);
	CHECK_EQ(lg.onoff, 1);
	CHECK_EQ(lg.seconds, 3);
	len = sizeof info;
	CHECK_EQ(axip_getsockopt(e.s0, c, AXIP_IPPROTO_TCP, AXIP_TCP_INFO, &info, &len), 0);
	CHECK_EQ(info.state, AXIP_TCP_ESTABLISHED);
	CHECK_EQ(info.local_port, cname.port);
	CHECK_EQ(info.remote_port, 80);
	CHECK_EQ(info.snd_mss, (axip_u32)mss);
	/* data both ways, several segments each */
	CHECK(transfer(&e, e.s0, c, e.s1, acc, 1, 50000));
	CHECK(transfer(&e, e.s1, acc, e.s0, c, 2, 30000));
	CHECK_EQ(axip_sock_nwrite(e.s0, c), 0);
	/* recvfrom names the peer */
	CHECK_EQ(axip_send(e.s0, c, "hello", 5, 0), 5);
	axip_flush(e.s0);
	REQUIRE(run_until_ev(&e, e.s1, acc, AXIP_EV_IN, AXIP_SEC(1)));
	CHECK_EQ(axip_recvfrom(e.s1, acc, buf, sizeof buf, 0, &n), 5);
	CHECK(same6(&n, &cname));
	/* half close: the server reads the end, answers, closes */
	CHECK_EQ(axip_shutdown(e.s0, c, AXIP_SHUT_WR), 0);
	axip_flush(e.s0);
	REQUIRE(run_until_ev(&e, e.s1, acc, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_recv(e.s1, acc, buf, sizeof buf, 0), 0);
	CHECK_EQ(axip_send(e.s1, acc, "bye", 3, 0), 3);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	axip_flush(e.s1);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_RDHUP, AXIP_SEC(1)));
	CHECK_EQ(axip_recv(e.s0, c, buf, sizeof buf, 0), 3);
	CHECK(memcmp(buf, "bye", 3) == 0);
	CHECK_EQ(axip_recv(e.s0, c, buf, sizeof buf, 0), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* Link-local addresses: the scope id given at bind or connect is kept and
 * reported with link-local names; a zone other than the bound one is EINVAL. */
static void test_link_local_scope(void)
{
	struct senv e;
	struct axip_sockaddr a, n, peer, ll;
	int l, c, acc, c2;

	senv_open(&e, 3, NULL, ip6_on, NULL);
	a = sa6(ip6_peer_ll, 8080);
	a.scope_id = 7;
	l = listener(&e, &a, 0);
	REQUIRE(l >= 0);
	CHECK_EQ(axip_getsockname(e.s1, l, &n), 0);
	CHECK(same6(&n, &a));
	CHECK_EQ(n.scope_id, 7);
	/* the listener on host 1's link-local takes no connection to its global address */
	c = tcp6_socket(e.s0);
	ll = sa6(ip6_peer_gl, 8080);
	CHECK_EQ(axip_connect(e.s0, c, &ll), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(5)));
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNREFUSED);
	CHECK_EQ(axip_close(e.s0, c), 0);
	/* the client names the zone at connect: its names carry it */
	c = tcp6_socket(e.s0);
	ll = sa6(ip6_peer_ll, 8080);
	ll.scope_id = 4;
	REQUIRE(connect_accept(&e, c, &ll, l, &acc, &peer));
	CHECK_EQ(axip_getpeername(e.s0, c, &n), 0);
	CHECK(same6(&n, &ll));
	CHECK_EQ(axip_getsockname(e.s0, c, &n), 0);
	CHECK(memcmp(n.addr.v6, ip6_my_ll, 16) == 0);
	CHECK_EQ(n.scope_id, 4);
	/* the accepted socket has its listener's zone */
	CHECK(memcmp(peer.addr.v6, ip6_my_ll, 16) == 0);
	CHECK_EQ(peer.scope_id, 7);
	CHECK_EQ(peer.port, n.port);
	CHECK_EQ(axip_getsockname(e.s1, acc, &n), 0);
	CHECK(same6(&n, &a));
	CHECK(transfer(&e, e.s1, acc, e.s0, c, 3, 5000));
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	/* bound to link-local zone 2: a destination in zone 5 is another link */
	c2 = tcp6_socket(e.s0);
	a = sa6(ip6_my_ll, 0);
	a.scope_id = 2;
	CHECK_EQ(axip_bind(e.s0, c2, &a), 0);
	ll.scope_id = 5;
	CHECK_EQ(axip_connect(e.s0, c2, &ll), -AXIP_EINVAL);
	CHECK_EQ(axip_getpeername(e.s0, c2, &n), -AXIP_ENOTCONN);
	/* the same zone, or none, is the bound one */
	ll.scope_id = 0;
	REQUIRE(connect_accept(&e, c2, &ll, l, &acc, &peer));
	CHECK_EQ(axip_getpeername(e.s0, c2, &n), 0);
	CHECK_EQ(n.scope_id, 2);
	CHECK_EQ(axip_getsockname(e.s0, c2, &n), 0);
	a.port = n.port;
	CHECK(same6(&n, &a));
	CHECK_EQ(axip_close(e.s0, c2), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* A :: listener without IPV6_V6ONLY accepts IPv4 peers as ::ffff:a.b.c.d
 * beside IPv6 ones; an AF_INET6 socket connecting to a mapped address makes
 * an IPv4 connection; the cases where Linux refuses that. */
static void test_dual_stack(void)
{
	struct senv e;
	struct axip_sockaddr a, n, peer, want;
	int l, c4, c6, cm, acc4, acc6, accm, x;

	senv_open(&e, 4, NULL, ip6_on, NULL);
	a = sa6(ip6_unspec, 80);
	l = listener(&e, &a, 0);
	REQUIRE(l >= 0);
	/* an IPv4 client */
	c4 = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(H1, 80);
	REQUIRE(connect_accept(&e, c4, &a, l, &acc4, &peer));
	CHECK_EQ(axip_getsockname(e.s0, c4, &n), 0);
	want = mapped(H0, n.port);
	CHECK(same6(&peer, &want));
	CHECK_EQ(axip_getpeername(e.s1, acc4, &n), 0);
	CHECK(same6(&n, &want));
	CHECK_EQ(axip_getsockname(e.s1, acc4, &n), 0);
	want = mapped(H1, 80);
	CHECK(same6(&n, &want));
	CHECK_EQ(int_opt(e.s1, acc4, AXIP_SOL_SOCKET, AXIP_SO_DOMAIN), AXIP_AF_INET6);
	CHECK_EQ(axip_tcp_family(axip_sock_tcp(e.s1, acc4)), 4);
	CHECK(transfer(&e, e.s0, c4, e.s1, acc4, 4, 20000));
	CHECK(transfer(&e, e.s1, acc4, e.s0, c4, 5, 20000));
	/* an IPv6 client on the same listener */
	c6 = tcp6_socket(e.s0);
	a = sa6(ip6_peer_gl, 80);
	REQUIRE(connect_accept(&e, c6, &a, l, &acc6, &peer));
	CHECK(memcmp(peer.addr.v6, ip6_my_gl, 16) == 0);
	CHECK_EQ(axip_tcp_family(axip_sock_tcp(e.s1, acc6)), 6);
	/* an AF_INET6 client to ::ffff:10.0.0.2: IPv4 on the wire, mapped names */
	cm = tcp6_socket(e.s0);
	a = mapped(H1, 80);
	REQUIRE(connect_accept(&e, cm, &a, l, &accm, &peer));
	CHECK_EQ(axip_tcp_family(axip_sock_tcp(e.s0, cm)), 4);
	CHECK_EQ(axip_tcp_family(axip_sock_tcp(e.s1, accm)), 4);
	CHECK_EQ(axip_getpeername(e.s0, cm, &n), 0);
	CHECK(same6(&n, &a));
	CHECK_EQ(axip_getsockname(e.s0, cm, &n), 0);
	want = mapped(H0, n.port);
	CHECK(same6(&n, &want));
	CHECK(same6(&peer, &want));
	CHECK(transfer(&e, e.s0, cm, e.s1, accm, 6, 10000));
	/* refused: IPV6_V6ONLY, a socket bound to an IPv6 address, ::ffff:0.0.0.0 */
	x = tcp6_socket(e.s0);
	CHECK_EQ(set_int(e.s0, x, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 1), 0);
	CHECK_EQ(axip_connect(e.s0, x, &a), -AXIP_ENETUNREACH);
	CHECK_EQ(axip_close(e.s0, x), 0);
	x = tcp6_socket(e.s0);
	n = sa6(ip6_my_gl, 0);
	CHECK_EQ(axip_bind(e.s0, x, &n), 0);
	CHECK_EQ(axip_connect(e.s0, x, &a), -AXIP_ENETUNREACH);
	n = mapped(0, 80);
	CHECK_EQ(axip_connect(e.s0, x, &n), -AXIP_ENETUNREACH);
	CHECK_EQ(axip_close(e.s0, x), 0);
	/* a socket bound to a mapped address is an IPv4 one: no IPv6 destination */
	x = tcp6_socket(e.s0);
	n = mapped(H0, 0);
	CHECK_EQ(axip_bind(e.s0, x, &n), 0);
	n = sa6(ip6_peer_gl, 80);
	CHECK_EQ(axip_connect(e.s0, x, &n), -AXIP_ENETUNREACH);
	CHECK_EQ(axip_close(e.s0, x), 0);
	CHECK_EQ(axip_close(e.s0, c4), 0);
	CHECK_EQ(axip_close(e.s0, c6), 0);
	CHECK_EQ(axip_close(e.s0, cm), 0);
	CHECK_EQ(axip_close(e.s1, acc4), 0);
	CHECK_EQ(axip_close(e.s1, acc6), 0);
	CHECK_EQ(axip_close(e.s1, accm), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	/* listen without bind: an ephemeral port on ::, dual stack too */
	l = tcp6_socket(e.s1);
	CHECK_EQ(axip_listen(e.s1, l, 4), 0);
	CHECK_EQ(axip_getsockname(e.s1, l, &n), 0);
	want = sa6(ip6_unspec, n.port);
	CHECK(n.port != 0 && same6(&n, &want));
	c4 = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(H1, n.port);
	REQUIRE(connect_accept(&e, c4, &a, l, &acc4, &peer));
	want = mapped(H0, peer.port);
	CHECK(same6(&peer, &want));
	CHECK_EQ(axip_close(e.s0, c4), 0);
	CHECK_EQ(axip_close(e.s1, acc4), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

/* IPV6_V6ONLY: the :: listener takes IPv6 only, an IPv4 SYN to its port is
 * answered with RST (RFC 9293 3.10.7.1: no IPv4 listener), and an IPv4
 * listener of the same port is no conflict. A listener bound to a mapped
 * address is the reverse: IPv4 only. */
static void test_v6only_and_mapped_listener(void)
{
	struct senv e;
	struct axip_sockaddr a, n, peer, want;
	int l, l4, lm, c, acc;
	uint64_t rst_before;

	senv_open(&e, 5, NULL, ip6_on, NULL);
	sim_set_tap(e.sim, tap_v4_rst, NULL);
	rst4_from1 = syn4_to_port = 0;
	syn4_port = 80;
	a = sa6(ip6_unspec, 80);
	l = listener(&e, &a, 1);
	REQUIRE(l >= 0);
	CHECK_EQ(int_opt(e.s1, l, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), 1);
	/* IPv4 client: refused with a RST */
	rst_before = axip_counters(e.s1)->tcp_tx_rst;
	c = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(H1, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(5)));
	CHECK_EQ(axip_sock_events(e.s0, c) & (AXIP_EV_ERR | AXIP_EV_HUP), AXIP_EV_ERR | AXIP_EV_HUP);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNREFUSED);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	CHECK_EQ(syn4_to_port, 1);
	CHECK_EQ(rst4_from1, 1);
	CHECK_EQ(axip_counters(e.s1)->tcp_tx_rst, rst_before + 1);
	CHECK(!(axip_sock_events(e.s1, l) & AXIP_EV_IN));
	CHECK_EQ(axip_close(e.s0, c), 0);
	/* the same port on IPv4 binds beside it, and takes the IPv4 client */
	a = sa4(0, 80);
	l4 = listener(&e, &a, 0);
	REQUIRE(l4 >= 0);
	c = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(H1, 80);
	REQUIRE(connect_accept(&e, c, &a, l4, &acc, &peer));
	CHECK_EQ(peer.family, AXIP_AF_INET);
	CHECK_EQ(peer.addr.v4, H0);
	CHECK(!(axip_sock_events(e.s1, l) & AXIP_EV_IN));
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	/* IPv6 still reaches the V6ONLY listener */
	c = tcp6_socket(e.s0);
	a = sa6(ip6_peer_gl, 80);
	REQUIRE(connect_accept(&e, c, &a, l, &acc, &peer));
	CHECK(memcmp(peer.addr.v6, ip6_my_gl, 16) == 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	CHECK_EQ(axip_close(e.s1, l4), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	/* a listener on ::ffff:10.0.0.2: IPv4 peers in mapped form, IPv6 refused */
	a = mapped(H1, 81);
	lm = listener(&e, &a, 0);
	REQUIRE(lm >= 0);
	CHECK_EQ(axip_getsockname(e.s1, lm, &n), 0);
	CHECK(same6(&n, &a));
	c = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(H1, 81);
	REQUIRE(connect_accept(&e, c, &a, lm, &acc, &peer));
	CHECK_EQ(axip_getsockname(e.s0, c, &n), 0);
	want = mapped(H0, n.port);
	CHECK(same6(&peer, &want));
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	c = tcp6_socket(e.s0);
	a = sa6(ip6_peer_gl, 81);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(5)));
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNREFUSED);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, lm), 0);
	sim_set_tap(e.sim, NULL, NULL);
	senv_close(&e);
}

static int no_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb,
                     void **cb_arg)
{
	(void)arg;
	(void)c;
	(void)cb;
	(void)cb_arg;
	return AXIP_E_INVAL;
}

/* Bind conflicts as Linux's: a dual-stack :: socket and any IPv4 socket of
 * the port conflict; an IPV6_V6ONLY one, or one bound to an IPv6 address,
 * does not; within IPv6, :: conflicts with every address. */
static void test_addrinuse(void)
{
	struct senv e;
	struct axip_sockaddr a, n;
	int f[12], i, k = 0;

	senv_open(&e, 6, NULL, ip6_on, NULL);
	for (i = 0; i < 12; i++)
		f[i] = -1;
	/* IPv4 0.0.0.0:90 first */
	f[k] = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(0, 90);
	CHECK_EQ(axip_bind(e.s1, f[k++], &a), 0);
	f[k] = tcp6_socket(e.s1);
	a = sa6(ip6_unspec, 90);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	a = mapped(H1, 90);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	CHECK_EQ(set_int(e.s1, f[k], AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 1), 0);
	a = sa6(ip6_unspec, 90);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), 0);
	CHECK_EQ(axip_listen(e.s1, f[k++], 1), 0);
	/* IPv6 :: holds every IPv6 address of the port */
	f[k] = tcp6_socket(e.s1);
	a = sa6(ip6_peer_gl, 90);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	CHECK_EQ(axip_close(e.s1, f[k]), 0);
	/* dual-stack :: on 91 first: IPv4 any, IPv4 own, mapped and IPv6 all conflict */
	a = sa6(ip6_unspec, 91);
	f[k] = listener(&e, &a, 0);
	REQUIRE(f[k++] >= 0);
	f[k] = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(0, 91);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	a = sa4(H1, 91);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	CHECK_EQ(axip_close(e.s1, f[k]), 0);
	f[k] = tcp6_socket(e.s1);
	a = mapped(H1, 91);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	a = sa6(ip6_peer_ll, 91);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	CHECK_EQ(axip_close(e.s1, f[k]), 0);
	/* an IPv6 address on 92 leaves IPv4 free, and the other IPv6 address */
	f[k] = tcp6_socket(e.s1);
	a = sa6(ip6_peer_gl, 92);
	CHECK_EQ(axip_bind(e.s1, f[k++], &a), 0);
	f[k] = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(0, 92);
	CHECK_EQ(axip_bind(e.s1, f[k++], &a), 0);
	f[k] = tcp6_socket(e.s1);
	a = sa6(ip6_peer_ll, 92);
	CHECK_EQ(axip_bind(e.s1, f[k++], &a), 0);
	f[k] = tcp6_socket(e.s1);
	a = sa6(ip6_unspec, 92);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	CHECK_EQ(axip_close(e.s1, f[k]), 0);
	/* a mapped address is IPv4: 10.0.0.2:93 held, ::ffff:10.0.0.2:93 conflicts */
	f[k] = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(H1, 93);
	CHECK_EQ(axip_bind(e.s1, f[k++], &a), 0);
	f[k] = tcp6_socket(e.s1);
	a = mapped(H1, 93);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	a = mapped(0, 93);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	a = sa6(ip6_peer_gl, 93);
	CHECK_EQ(axip_bind(e.s1, f[k++], &a), 0);
	/* port 0 on a dual-stack socket: a port free on both families */
	f[k] = tcp6_socket(e.s1);
	a = sa6(ip6_unspec, 0);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), 0);
	CHECK_EQ(axip_getsockname(e.s1, f[k++], &n), 0);
	f[k] = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	a = sa4(H1, n.port);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), -AXIP_EADDRINUSE);
	CHECK_EQ(axip_close(e.s1, f[k]), 0);
	/* SO_REUSEADDR on both: bound twice, not while one listens */
	f[k] = tcp6_socket(e.s1);
	CHECK_EQ(set_int(e.s1, f[k], AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 1), 0);
	a = sa6(ip6_unspec, 94);
	CHECK_EQ(axip_bind(e.s1, f[k++], &a), 0);
	f[k] = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	CHECK_EQ(set_int(e.s1, f[k], AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR, 1), 0);
	a = sa4(0, 94);
	CHECK_EQ(axip_bind(e.s1, f[k], &a), 0);
	CHECK_EQ(axip_listen(e.s1, f[k], 1), 0);
	CHECK_EQ(axip_listen(e.s1, f[k - 1], 1), -AXIP_EADDRINUSE);
	k++;
	for (i = 0; i < k; i++)
		CHECK_EQ(axip_close(e.s1, f[i]), 0);
	{
		/* a core listener the socket layer does not know holds IPv4 port
		 * 95: a dual-stack listen fails whole, its IPv6 half released */
		struct axip_tcp_listener *cl4 = NULL, *cl6 = NULL;
		REQUIRE(axip_tcp_listen(e.s1, 0, 95, 0, no_accept, NULL, NULL, &cl4) == AXIP_OK);
		f[0] = tcp6_socket(e.s1);
		a = sa6(ip6_unspec, 95);
		CHECK_EQ(axip_bind(e.s1, f[0], &a), 0);
		CHECK_EQ(axip_listen(e.s1, f[0], 1), -AXIP_EADDRINUSE);
		CHECK_EQ(int_opt(e.s1, f[0], AXIP_SOL_SOCKET, AXIP_SO_ACCEPTCONN), 0);
		CHECK_EQ(axip_tcp_listen6(e.s1, NULL, 95, 0, no_accept, NULL, NULL, &cl6), AXIP_OK);
		axip_tcp_listener_close(cl6);
		axip_tcp_listener_close(cl4);
		CHECK_EQ(axip_listen(e.s1, f[0], 1), 0);
		CHECK_EQ(axip_close(e.s1, f[0]), 0);
	}
	senv_close(&e);
}

/* Connect failures: no listener (ECONNREFUSED in SO_ERROR, then a retry
 * that works), no route, destinations TCP cannot have. */
static void test_connect_failures(void)
{
	struct senv e;
	struct axip_sockaddr a, n;
	static const uint8_t offlink[16] = {0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	int c, l, acc;
	uint8_t buf[4];

	senv_open(&e, 7, NULL, ip6_on, NULL);
	c = tcp6_socket(e.s0);
	REQUIRE(c >= 0);
	a = sa6(ip6_peer_gl, 85);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(5)));
	CHECK_EQ(axip_sock_events(e.s0, c) & (AXIP_EV_ERR | AXIP_EV_HUP), AXIP_EV_ERR | AXIP_EV_HUP);
	CHECK_EQ(axip_getpeername(e.s0, c, &n), -AXIP_ENOTCONN);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), AXIP_ECONNREFUSED);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	CHECK_EQ(axip_recv(e.s0, c, buf, sizeof buf, 0), 0);
	/* once the error is read the socket may try again */
	a = sa6(ip6_unspec, 85);
	l = listener(&e, &a, 0);
	REQUIRE(l >= 0);
	a = sa6(ip6_peer_gl, 85);
	REQUIRE(connect_accept(&e, c, &a, l, &acc, &n));
	CHECK(memcmp(n.addr.v6, ip6_my_gl, 16) == 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_close(e.s1, acc), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	/* the error also comes once from connect itself */
	c = tcp6_socket(e.s0);
	a = sa6(ip6_peer_gl, 86);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_EINPROGRESS);
	REQUIRE(run_until_ev(&e, e.s0, c, AXIP_EV_ERR, AXIP_SEC(5)));
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ECONNREFUSED);
	CHECK_EQ(int_opt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_ERROR), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	/* nothing to send to: off-link without a router, a group, ::, ::1, port 0 */
	c = tcp6_socket(e.s0);
	a = sa6(offlink, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ENETUNREACH);
	a = sa6(ip6_all_nodes, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ENETUNREACH);
	a = sa6(ip6_unspec, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ENETUNREACH);
	a = sa6(loop6, 80);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ENETUNREACH);
	a = sa6(ip6_peer_gl, 0);
	CHECK_EQ(axip_connect(e.s0, c, &a), -AXIP_ECONNREFUSED);
	CHECK_EQ(axip_connect(e.s0, c, NULL), -AXIP_EFAULT);
	/* none of them left the socket connecting or bound */
	CHECK_EQ(axip_getsockname(e.s0, c, &n), 0);
	CHECK_EQ(n.port, 0);
	CHECK_EQ(axip_sock_events(e.s0, c), AXIP_EV_OUT | AXIP_EV_HUP);
	CHECK_EQ(axip_close(e.s0, c), 0);
	CHECK_EQ(axip_counters(e.s0)->tcp_active_open, 3);
	senv_close(&e);
}

int main(void)
{
	RUN_TEST(test_bind_and_bad_input);
	RUN_TEST(test_echo_and_options);
	RUN_TEST(test_link_local_scope);
	RUN_TEST(test_dual_stack);
	RUN_TEST(test_v6only_and_mapped_listener);
	RUN_TEST(test_addrinuse);
	RUN_TEST(test_connect_failures);
	return test_summary();
}
