/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sock_udp6.c - datagram sockets of family AXIP_AF_INET6 on the
 * simulated link: refused without IPv6, bind rules (any, own link-local,
 * foreign address, family mismatch, an IPv4-mapped address), IPv6 only
 * (IPV6_V6ONLY reads 1, mapped destinations refused), sendto/recvfrom with
 * the sender's IPv6 address, a fragmented 30000-byte datagram, connect and
 * its peer filter, zero-copy both ways, and the names. Pools and descriptors
 * back at the end. */
#include "sock_util.h"
#include "ip6_frames.h"

static void ip6_on(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->ip6_enable = 1;
	cfg->nd6_dad_transmits = 0; /* addresses usable at once */
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

static void test_refused_without_ip6(void)
{
	struct senv e;
	senv_open(&e, 1, NULL, NULL, NULL);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0), -AXIP_EAFNOSUPPORT);
	CHECK_EQ(axip_socket(e.s0, AXIP_AF_INET6, AXIP_SOCK_STREAM, 0), -AXIP_EAFNOSUPPORT);
	senv_close(&e);
}

static void test_datagrams(void)
{
	struct senv e;
	struct axip_sockaddr a, from, name;
	static uint8_t msg[30000], got[30000];
	int u0, u1, u4, n, i;
	struct axip_pkt *zc;

	senv_open(&e, 2, NULL, ip6_on, NULL);
	u0 = axip_socket(e.s0, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0);
	u1 = axip_socket(e.s1, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0);
	u4 = axip_socket(e.s1, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	REQUIRE(u0 >= 0 && u1 >= 0 && u4 >= 0);
	CHECK_EQ(int_opt(e.s0, u0, AXIP_SOL_SOCKET, AXIP_SO_DOMAIN), AXIP_AF_INET6);
	/* family mismatch, foreign address, then the own link-local */
	a = sa4(0, 7);
	CHECK_EQ(axip_bind(e.s1, u1, &a), -AXIP_EAFNOSUPPORT);
	a = sa6(ip6_my_gl, 7);
	CHECK_EQ(axip_bind(e.s1, u1, &a), -AXIP_EADDRNOTAVAIL);
	a = sa6(ip6_peer_ll, 7);
	CHECK_EQ(axip_bind(e.s1, u1, &a), 0);
	CHECK_EQ(axip_getsockname(e.s1, u1, &name), 0);
	CHECK_EQ(name.family, AXIP_AF_INET6);
	CHECK_EQ(name.port, 7);
	CHECK(memcmp(name.addr.v6, ip6_peer_ll, 16) == 0);
	/* IPv4 and IPv6 have their own ports: the same port binds on IPv4 */
	a = sa4(0, 7);
	CHECK_EQ(axip_bind(e.s1, u4, &a), 0);
	/* an IPv4 destination on an IPv6 socket, also in IPv4-mapped form:
	 * datagram sockets are IPv6 only (IPV6_V6ONLY reads 1, cannot be 0) */
	a = sa4(H1, 7);
	CHECK_EQ(axip_sendto(e.s0, u0, "x", 1, 0, &a), -AXIP_EAFNOSUPPORT);
	{
		static const uint8_t m1[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 2};
		int u5 = axip_socket(e.s0, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0);
		REQUIRE(u5 >= 0);
		CHECK_EQ(int_opt(e.s0, u5, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), 1);
		CHECK_EQ(set_int(e.s0, u5, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 0), -AXIP_EOPNOTSUPP);
		CHECK_EQ(set_int(e.s0, u5, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, 1), 0);
		CHECK_EQ(int_opt(e.s1, u4, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY), -AXIP_ENOPROTOOPT);
		a = sa6(m1, 7);
		CHECK_EQ(axip_sendto(e.s0, u5, "x", 1, 0, &a), -AXIP_ENETUNREACH);
		CHECK_EQ(axip_connect(e.s0, u5, &a), -AXIP_ENETUNREACH);
		CHECK_EQ(axip_close(e.s0, u5), 0);
		u5 = axip_socket(e.s1, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0);
		a = sa6(m1, 0);
		CHECK_EQ(axip_bind(e.s1, u5, &a), -AXIP_EINVAL);
		CHECK_EQ(axip_close(e.s1, u5), 0);
	}
	/* small and fragmented datagrams, host 0 autobinds */
	for (i = 0; i < (int)sizeof msg; i++)
		msg[i] = (uint8_t)(i * 7u + 1u);
	a = sa6(ip6_peer_ll, 7);
	CHECK_EQ(axip_sendto(e.s0, u0, msg, 100, 0, &a), 100);
	axip_flush(e.s0);
	REQUIRE(run_until_ev(&e, e.s1, u1, AXIP_EV_IN, AXIP_SEC(1)));
	n = axip_recvfrom(e.s1, u1, got, sizeof got, 0, &from);
	CHECK_EQ(n, 100);
	CHECK_EQ(from.family, AXIP_AF_INET6);
	CHECK(memcmp(from.addr.v6, ip6_my_ll, 16) == 0);
	CHECK_EQ(axip_getsockname(e.s0, u0, &name), 0);
	CHECK_EQ(from.port, name.port);
	/* the neighbour is known now: 21 fragments need not wait in its queue */
	CHECK_EQ(axip_sendto(e.s0, u0, msg, sizeof msg, 0, &a), (int)sizeof msg);
	axip_flush(e.s0);
	sim_run(e.sim, AXIP_MS(10));
	n = axip_recvfrom(e.s1, u1, got, sizeof got, 0, AXIP_NULL);
	CHECK_EQ(n, (int)sizeof msg);
	CHECK(memcmp(got, msg, sizeof msg) == 0);
	CHECK(axip_counters(e.s1)->ip6_frag_reassembled >= 1);
	/* nothing reached the IPv4 socket */
	CHECK_EQ(axip_recv(e.s1, u4, got, sizeof got, 0), -AXIP_EAGAIN);
	/* reply zero-copy to the sender */
	REQUIRE(axip_sendto(e.s0, u0, msg, 64, 0, &a) == 64);
	axip_flush(e.s0);
	REQUIRE(run_until_ev(&e, e.s1, u1, AXIP_EV_IN, AXIP_SEC(1)));
	n = axip_recv_zc(e.s1, u1, &zc, 0, &from);
	CHECK_EQ(n, 64);
	CHECK_EQ(axip_send_zc(e.s1, u1, zc, 0, &from), 64);
	axip_flush(e.s1);
	REQUIRE(run_until_ev(&e, e.s0, u0, AXIP_EV_IN, AXIP_SEC(1)));
	CHECK_EQ(axip_recvfrom(e.s0, u0, got, sizeof got, 0, &from), 64);
	CHECK(memcmp(got, msg, 64) == 0);
	CHECK(memcmp(from.addr.v6, ip6_peer_ll, 16) == 0);
	CHECK_EQ(from.port, 7);
	CHECK_EQ(axip_close(e.s0, u0), 0);
	CHECK_EQ(axip_close(e.s1, u1), 0);
	CHECK_EQ(axip_close(e.s1, u4), 0);
	senv_close(&e);
}

static void test_connected(void)
{
	struct senv e;
	struct axip_sockaddr a, peer;
	uint8_t buf[64];
	int u0, u1, u2;

	senv_open(&e, 3, NULL, ip6_on, NULL);
	u1 = axip_socket(e.s1, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0);
	a = sa6(ip6_unspec, 9);
	REQUIRE(axip_bind(e.s1, u1, &a) == 0);
	u0 = axip_socket(e.s0, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0);
	u2 = axip_socket(e.s0, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0);
	a = sa6(ip6_peer_ll, 9);
	CHECK_EQ(axip_getpeername(e.s0, u0, &peer), -AXIP_ENOTCONN);
	CHECK_EQ(axip_connect(e.s0, u0, &a), 0);
	CHECK_EQ(axip_getpeername(e.s0, u0, &peer), 0);
	CHECK_EQ(peer.family, AXIP_AF_INET6);
	CHECK_EQ(axip_send(e.s0, u0, "ping", 4, 0), 4);
	axip_flush(e.s0);
	REQUIRE(run_until_ev(&e, e.s1, u1, AXIP_EV_IN, AXIP_SEC(1)));
	CHECK_EQ(axip_recvfrom(e.s1, u1, buf, sizeof buf, 0, &peer), 4);
	/* the peer answers from its socket: accepted; another port: filtered */
	CHECK_EQ(axip_sendto(e.s1, u1, "pong", 4, 0, &peer), 4);
	axip_flush(e.s1);
	REQUIRE(run_until_ev(&e, e.s0, u0, AXIP_EV_IN, AXIP_SEC(1)));
	CHECK_EQ(axip_recv(e.s0, u0, buf, sizeof buf, 0), 4);
	CHECK(memcmp(buf, "pong", 4) == 0);
	{
		/* a datagram from the peer host but another port is not the peer's */
		struct axip_sockaddr me;
		int u3 = axip_socket(e.s1, AXIP_AF_INET6, AXIP_SOCK_DGRAM, 0);
		uint64_t before = axip_counters(e.s0)->sock_udp_not_peer;
		REQUIRE(axip_getsockname(e.s0, u0, &me) == 0);
		me = sa6(ip6_my_ll, me.port);
		CHECK_EQ(axip_sendto(e.s1, u3, "other", 5, 0, &me), 5);
		axip_flush(e.s1);
		sim_run(e.sim, AXIP_MS(10));
		CHECK_EQ(axip_counters(e.s0)->sock_udp_not_peer, before + 1);
		CHECK_EQ(axip_recv(e.s0, u0, buf, sizeof buf, 0), -AXIP_EAGAIN);
		CHECK_EQ(axip_close(e.s1, u3), 0);
	}
	/* AF_UNSPEC dissolves the association */
	a.family = AXIP_AF_UNSPEC;
	CHECK_EQ(axip_connect(e.s0, u0, &a), 0);
	CHECK_EQ(axip_send(e.s0, u0, "x", 1, 0), -AXIP_EDESTADDRREQ);
	CHECK_EQ(axip_close(e.s0, u0), 0);
	CHECK_EQ(axip_close(e.s0, u2), 0);
	CHECK_EQ(axip_close(e.s1, u1), 0);
	senv_close(&e);
}

int main(void)
{
	RUN_TEST(test_refused_without_ip6);
	RUN_TEST(test_datagrams);
	RUN_TEST(test_connected);
	return test_summary();
}
