/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sock_peek.c - parsing received TCP data in place: axip_recv_peek
 * points into the received buffers without consuming, axip_recv_consume
 * drops what was parsed and reopens the window; data left unconsumed keeps
 * the window closed (the peer stops), EOF and errors come through peek as
 * through recv. Pools, connections and descriptors back at the end. */
#include "sock_util.h"

static void small_rcvbuf(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	if (host == 1)
		cfg->tcp_rcvbuf = 8192;
}

static void test_peek_consume(void)
{
	struct senv e;
	int l = -1, c = -1, a = -1, n, i;
	const axip_u8 *p = NULL;
	uint8_t out[20000];
	uint32_t want = 0, got = 0, total = 0;

	senv_open(&e, 7, NULL, small_rcvbuf, NULL);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 8080));
	/* nothing queued yet */
	CHECK_EQ(axip_recv_peek(e.s1, a, &p), -AXIP_EAGAIN);
	CHECK(p == NULL);
	CHECK_EQ(axip_recv_consume(e.s1, a, 1), -AXIP_EINVAL);
	for (i = 0; i < (int)sizeof out; i++)
		out[i] = sbyte(3, (uint64_t)i);
	want = sfnv(2166136261u, out, sizeof out);
	/* more than the 8 KiB window: the rest waits while nothing is consumed */
	CHECK_EQ(axip_send(e.s0, c, out, sizeof out, 0), (int)sizeof out);
	sim_run(e.sim, AXIP_SEC(2)); /* the window fills (probes take its last bytes) */
	n = axip_sock_nread(e.s1, a);
	CHECK(n > 0 && n <= 8192);
	sim_run(e.sim, AXIP_SEC(2)); /* nothing consumed: nothing more arrives */
	CHECK_EQ(axip_sock_nread(e.s1, a), n);
	CHECK(axip_sock_nwrite(e.s0, c) >= (int)sizeof out - 8192);
	/* peek does not consume: the same bytes twice */
	n = axip_recv_peek(e.s1, a, &p);
	REQUIRE(n > 0);
	CHECK_EQ(p[0], out[0]);
	{
		const axip_u8 *q = NULL;
		CHECK_EQ(axip_recv_peek(e.s1, a, &q), n);
		CHECK(q == p);
	}
	CHECK_EQ(axip_recv_consume(e.s1, a, (axip_u32)axip_sock_nread(e.s1, a) + 1u), -AXIP_EINVAL);
	/* consume in odd steps, hashing in place, until the whole stream is read */
	total = 2166136261u;
	while (got < sizeof out) {
		n = axip_recv_peek(e.s1, a, &p);
		if (n == -AXIP_EAGAIN) {
			REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_IN, AXIP_SEC(5)));
			continue;
		}
		REQUIRE(n > 0);
		if (n > 777)
			n = 777;
		total = sfnv(total, p, (size_t)n);
		CHECK_EQ(axip_recv_consume(e.s1, a, (axip_u32)n), n);
		got += (uint32_t)n;
	}
	CHECK_EQ(got, sizeof out);
	CHECK_EQ(total, want);
	/* end of stream through peek */
	CHECK_EQ(axip_close(e.s0, c), 0);
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_RDHUP, AXIP_SEC(5)));
	CHECK_EQ(axip_recv_peek(e.s1, a, &p), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

static void test_peek_errors(void)
{
	struct senv e;
	int l = -1, c = -1, a = -1, u;
	const axip_u8 *p;
	struct axip_linger lg = { 1, 0 };

	senv_open(&e, 8, NULL, NULL, NULL);
	CHECK_EQ(axip_recv_peek(e.s0, 999, &p), -AXIP_EBADF);
	CHECK_EQ(axip_recv_peek(e.s0, 0, NULL), -AXIP_EFAULT);
	u = axip_socket(e.s0, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	CHECK_EQ(axip_recv_peek(e.s0, u, &p), -AXIP_EOPNOTSUPP);
	CHECK_EQ(axip_recv_consume(e.s0, u, 0), -AXIP_EINVAL);
	CHECK_EQ(axip_close(e.s0, u), 0);
	REQUIRE(tcp_pair(&e, &l, &c, &a, 8081));
	/* a reset: the error once, then the end of stream */
	CHECK_EQ(axip_setsockopt(e.s0, c, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg, sizeof lg), 0);
	CHECK_EQ(axip_close(e.s0, c), 0);
	REQUIRE(run_until_ev(&e, e.s1, a, AXIP_EV_ERR, AXIP_SEC(5)));
	CHECK_EQ(axip_recv_peek(e.s1, a, &p), -AXIP_ECONNRESET);
	CHECK_EQ(axip_recv_peek(e.s1, a, &p), 0);
	CHECK_EQ(axip_close(e.s1, a), 0);
	CHECK_EQ(axip_close(e.s1, l), 0);
	senv_close(&e);
}

int main(void)
{
	RUN_TEST(test_peek_consume);
	RUN_TEST(test_peek_errors);
	return test_summary();
}
