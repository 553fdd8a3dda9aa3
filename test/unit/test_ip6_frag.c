/* SPDX-License-Identifier: BSD-2-Clause */
/* test_ip6_frag.c - IPv6 reassembly (RFC 8200 4.5, RFC 5722, RFC 6946,
 * RFC 7112) and fragmentation on output, on crafted frames: in and out of
 * order, duplicates, overlaps, timeouts, every limit and length rule. */
#include "test.h"
#include "sim.h"
#include "ip6_frames.h"

static uint8_t frame[9300], out[9300], msg[70000];
static axip_time_ns now;

/* Fragment [off, off + len) of `msg` (an ICMPv6 message of mlen bytes)
 * with identification id; more = M flag. */
static uint32_t frag_frame(const uint8_t *m, uint32_t off, uint32_t len, int more, uint32_t id)
{
	uint8_t p[9000];
	p[0] = 58;
	p[1] = 0;
	ip6t_put16(p + 2, off | (more ? 1u : 0u));
	ip6t_put32(p + 4, id);
	memcpy(p + 8, m + off, len);
	return ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 44, 64, p, 8 + len);
}

static void rx(struct sim_single *h, uint32_t n)
{
	sim_single_rx(h, frame, n, now);
}

/* An echo request of n data bytes in msg; returns the message length. */
static uint32_t make_echo(uint32_t n, uint16_t seq)
{
	return ip6t_echo_msg(msg, 128, 7, seq, n, ip6_peer_gl, ip6_my_gl);
}

/* Collect the host's output fragments and rebuild the ICMPv6 reply. */
static uint32_t collect_reply(struct sim_single *h, uint8_t *reply, uint32_t *n_frags)
{
	uint32_t total = 0, len, id = 0, seen_last = 0;
	*n_frags = 0;
	while ((len = sim_single_tx_pop(h, out, sizeof(out))) != 0) {
		uint32_t fo, flen;
		CHECK(len <= 14 + 1500);
		CHECK_EQ(out[20], 44);
		CHECK_EQ(out[54], 58);
		fo = ip6t_be16(out + 56);
		flen = ip6t_be16(out + 18) - 8;
		if (*n_frags == 0)
			id = ip6t_be32(out + 58);
		CHECK_EQ(ip6t_be32(out + 58), id);
		if (fo & 1)
			CHECK_EQ(flen % 8, 0);
		else
			seen_last = 1;
		memcpy(reply + (fo & ~7u), out + 62, flen);
		if ((fo & ~7u) + flen > total)
			total = (fo & ~7u) + flen;
		(*n_frags)++;
	}
	CHECK(seen_last);
	return total;
}

static void test_reassembly_orders(void)
{
	struct sim_single *h = ip6t_host();
	const struct axip_counters *c = ip6t_ctr(h);
	static uint8_t reply[70000];
	uint32_t mlen, nf, rlen;

	now = AXIP_MS(1);
	/* in order: 3000-byte message in 1448-byte pieces */
	mlen = make_echo(2992, 1);
	rx(h, frag_frame(msg, 0, 1448, 1, 100));
	rx(h, frag_frame(msg, 1448, 1448, 1, 100));
	CHECK_EQ(sim_single_tx_count(h), 0);
	rx(h, frag_frame(msg, 2896, mlen - 2896, 0, 100));
	CHECK_EQ(c->ip6_frag_reassembled, 1);
	CHECK_EQ(c->icmp6_tx_echo_reply, 1);
	/* the reply is larger than the MTU: fragmented on the way out */
	rlen = collect_reply(h, reply, &nf);
	CHECK_EQ(rlen, mlen);
	CHECK_EQ(nf, 3);
	CHECK_EQ(c->ip6_frag_tx, 3);
	CHECK_EQ(reply[0], 129);
	CHECK(memcmp(reply + 4, msg + 4, mlen - 4) == 0);
	CHECK_EQ(sim_ref_csum(reply, rlen, ip6t_pseudo(ip6_my_gl, ip6_peer_gl, 58, rlen)), 0);

	/* reverse order, last first */
	mlen = make_echo(2992, 2);
	rx(h, frag_frame(msg, 2896, mlen - 2896, 0, 101));
	rx(h, frag_frame(msg, 1448, 1448, 1, 101));
	rx(h, frag_frame(msg, 0, 1448, 1, 101));
	CHECK_EQ(c->ip6_frag_reassembled, 2);
	rlen = collect_reply(h, reply, &nf);
	CHECK_EQ(rlen, mlen);
	/* an exact duplicate is dropped alone */
	mlen = make_echo(2000, 3);
	rx(h, frag_frame(msg, 0, 1000, 1, 102));
	rx(h, frag_frame(msg, 0, 1000, 1, 102));
	CHECK_EQ(c->ip6_frag_dup, 1);
	rx(h, frag_frame(msg, 1000, mlen - 1000, 0, 102));
	CHECK_EQ(c->ip6_frag_reassembled, 3);
	rlen = collect_reply(h, reply, &nf);
	CHECK_EQ(rlen, mlen);
	/* RFC 6946: an atomic fragment is a whole datagram */
	mlen = make_echo(32, 4);
	rx(h, frag_frame(msg, 0, mlen, 0, 103));
	CHECK_EQ(c->ip6_rx_atomic_frag, 1);
	CHECK_EQ(c->icmp6_tx_echo_reply, 4);
	CHECK_EQ(sim_single_tx_count(h), 1);
	sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(c->ip6_frag_rx, 9);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* RFC 5722: an overlap drops the datagram and its later fragments. */
static void test_overlap(void)
{
	struct sim_single *h = ip6t_host();
	const struct axip_counters *c = ip6t_ctr(h);
	uint32_t mlen = make_echo(2992, 1);

	now = AXIP_MS(1);
	rx(h, frag_frame(msg, 0, 1448, 1, 200));
	rx(h, frag_frame(msg, 1440, 1448, 1, 200));
	CHECK_EQ(c->ip6_frag_overlap, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* the rest of that datagram, even a consistent rest, is discarded */
	rx(h, frag_frame(msg, 1448, 1448, 1, 200));
	rx(h, frag_frame(msg, 2896, mlen - 2896, 0, 200));
	CHECK_EQ(c->ip6_frag_overlap, 3);
	CHECK_EQ(c->ip6_frag_reassembled, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* after the timeout the identification is free again */
	now += AXIP_SEC(61);
	sim_single_poll(h, now);
	CHECK_EQ(c->ip6_frag_timeout, 0);
	rx(h, frag_frame(msg, 0, 1448, 1, 200));
	rx(h, frag_frame(msg, 1448, 1448, 1, 200));
	rx(h, frag_frame(msg, 2896, mlen - 2896, 0, 200));
	CHECK_EQ(c->ip6_frag_reassembled, 1);
	while (sim_single_tx_pop(h, out, sizeof(out)))
		;
	/* a fragment past the end, a second last fragment: inconsistent */
	rx(h, frag_frame(msg, 8, 1000, 0, 201));
	rx(h, frag_frame(msg, 1008, 8, 1, 201));
	CHECK_EQ(c->ip6_frag_bad, 1);
	rx(h, frag_frame(msg, 1008, 8, 1, 202));
	rx(h, frag_frame(msg, 8, 1000, 0, 202));
	CHECK_EQ(c->ip6_frag_bad, 2);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* RFC 8200 4.5: timeout with Time Exceeded code 1 when the first arrived. */
static void test_timeout(void)
{
	struct sim_single *h = ip6t_host();
	const struct axip_counters *c = ip6t_ctr(h);
	uint32_t len;
	make_echo(2992, 1);

	now = AXIP_MS(1);
	rx(h, frag_frame(msg, 0, 1448, 1, 300));
	now += AXIP_SEC(59);
	sim_single_poll(h, now);
	CHECK_EQ(c->ip6_frag_timeout, 0);
	now += AXIP_SEC(2);
	sim_single_poll(h, now);
	CHECK_EQ(c->ip6_frag_timeout, 1);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(out[54], 3);
	CHECK_EQ(out[55], 1);
	CHECK(memcmp(out + 38, ip6_peer_gl, 16) == 0);
	CHECK(memcmp(out + 62 + 8, ip6_peer_gl, 16) == 0);
	CHECK(len <= 14 + 1280);
	/* without the first fragment: no error */
	rx(h, frag_frame(msg, 1448, 1448, 1, 301));
	now += AXIP_SEC(61);
	sim_single_poll(h, now);
	CHECK_EQ(c->ip6_frag_timeout, 2);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_limits(void)
{
	struct axip_config cfg;
	struct sim_single *h;
	const struct axip_counters *c;
	uint32_t i;

	ip6t_cfg(&cfg);
	cfg.frag6_slots = 2;
	cfg.frag6_max_per_datagram = 4;
	cfg.frag6_max_bytes = 4000;
	h = ip6t_host_cfg(&cfg, 1);
	c = ip6t_ctr(h);
	make_echo(8000, 1);
	now = AXIP_MS(1);
	rx(h, frag_frame(msg, 0, 8, 1, 1));
	rx(h, frag_frame(msg, 0, 8, 1, 2));
	rx(h, frag_frame(msg, 0, 8, 1, 3));
	CHECK_EQ(c->ip6_frag_no_slot, 1);
	/* more fragments than allowed: the datagram goes */
	rx(h, frag_frame(msg, 8, 8, 1, 1));
	rx(h, frag_frame(msg, 16, 8, 1, 1));
	rx(h, frag_frame(msg, 24, 8, 1, 1));
	rx(h, frag_frame(msg, 32, 8, 1, 1));
	CHECK_EQ(c->ip6_frag_too_many, 1);
	/* the byte budget */
	rx(h, frag_frame(msg, 8, 1448, 1, 2));
	rx(h, frag_frame(msg, 1456, 1448, 1, 2));
	rx(h, frag_frame(msg, 3000, 1448, 1, 2));
	CHECK_EQ(c->ip6_frag_mem_limit, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* length rules with their parameter problems: not a multiple of 8
	 * (pointer 4), past 65535 (pointer at the offset field, 42) */
	rx(h, frag_frame(msg, 0, 100, 1, 5));
	REQUIRE(sim_single_tx_count(h) == 1);
	sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(out[54], 4);
	CHECK_EQ(out[55], 0);
	CHECK_EQ(ip6t_be32(out + 58), 4);
	rx(h, frag_frame(msg, 65528, 16, 1, 6));
	REQUIRE(sim_single_tx_count(h) == 1);
	sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(ip6t_be32(out + 58), 42);
	CHECK_EQ(c->ip6_frag_bad, 2);
	/* an empty fragment */
	rx(h, frag_frame(msg, 8, 0, 1, 7));
	CHECK_EQ(c->ip6_frag_bad, 3);
	/* RFC 7112: a first fragment that stops inside the header chain */
	{
		uint8_t p[64];
		uint32_t n;
		memset(p, 0, sizeof(p));
		p[0] = 60; /* fragment -> destination options (16 bytes), only 8 here */
		ip6t_put16(p + 2, 1);
		ip6t_put32(p + 4, 8);
		p[8] = 58;
		p[9] = 1;
		n = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 44, 64, p, 16);
		rx(h, n);
		CHECK_EQ(c->ip6_frag_no_ulh, 1);
		REQUIRE(sim_single_tx_count(h) == 1);
		sim_single_tx_pop(h, out, sizeof(out));
		CHECK_EQ(out[54], 4);
		CHECK_EQ(out[55], 3);
		/* ... or right before its ICMPv6 header: the type that would
		 * say whether it is an error is not there, code 3 all the same
		 * (RFC 8200 4.5) */
		p[9] = 0; /* destination options of 8 bytes, then nothing */
		ip6t_put32(p + 4, 9);
		n = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 44, 64, p, 16);
		rx(h, n);
		CHECK_EQ(c->ip6_frag_no_ulh, 2);
		REQUIRE(sim_single_tx_count(h) == 1);
		sim_single_tx_pop(h, out, sizeof(out));
		CHECK_EQ(out[54], 4);
		CHECK_EQ(out[55], 3);
		CHECK_EQ(ip6t_be32(out + 58), 0);
		/* a fragment header inside a reassembled datagram */
		for (i = 0; i < 16; i++)
			p[8 + i] = 0;
		p[0] = 44;
		p[8] = 58;
		ip6t_put16(p + 10, 1); /* inner: offset 0, M */
		ip6t_put16(p + 2, 0); /* outer: offset 0, M: atomic? no: M set below */
		ip6t_put16(p + 2, 1);
		ip6t_put32(p + 4, 9);
		memset(p + 16, 0, 8); /* 4 bytes of ICMPv6 and padding */
		n = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 44, 64, p, 24);
		rx(h, n);
		ip6t_put16(p + 2, 16);
		memset(p + 8, 0, 16);
		n = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 44, 64, p, 16);
		rx(h, n);
		CHECK_EQ(c->ip6_frag_reassembled, 1);
		CHECK_EQ(c->ip6_frag_bad, 4);
	}
	while (sim_single_tx_pop(h, out, sizeof(out)))
		;
	now += AXIP_SEC(61);
	sim_single_poll(h, now);
	while (sim_single_tx_pop(h, out, sizeof(out)))
		;
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

int main(void)
{
	RUN_TEST(test_reassembly_orders);
	RUN_TEST(test_overlap);
	RUN_TEST(test_timeout);
	RUN_TEST(test_limits);
	return test_summary();
}
