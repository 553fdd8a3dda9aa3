/* SPDX-License-Identifier: BSD-2-Clause */
/* test_syncookie.c - SYN cookie make/check and timestamp-carried options. */
#include "test.h"
#include "sim.h"
#include "tcp_isn.h"

static const uint8_t key[16] = {0x9e, 0x37, 0x79, 0xb9, 0x7f, 0x4a, 0x7c, 0x15,
                                0xf3, 0x9c, 0xc0, 0x60, 0x5c, 0xed, 0xc8, 0x34};
static const uint8_t other_key[16] = {0x9e, 0x37, 0x79, 0xb9, 0x7f, 0x4a, 0x7c, 0x15,
                                      0xf3, 0x9c, 0xc0, 0x60, 0x5c, 0xed, 0xc8, 0x35};
#define LA AXIP_IP4(192, 168, 1, 1)
#define RA AXIP_IP4(203, 0, 113, 7)
#define LP 443
#define RP 51515
#define PEER_ISN 0x6a09e667u
#define PERIOD (1ULL << 36)  /* counter period, ns (~68.7 s) */

static const uint16_t table[8] = {536, 1200, 1360, 1400, 1440, 1460, 8960, 9176};

static int check(uint32_t cookie, uint32_t peer_isn, axip_time_ns now, uint16_t *mss)
{
	return tcp_syncookie_check(key, LA, LP, RA, RP, peer_isn + 1u, cookie + 1u, now, mss);
}

static void test_round_trip_every_mss_index(void)
{
	axip_time_ns now = 1000 * PERIOD + 12345;
	uint32_t i;
	for (i = 0; i < 8; i++) {
		uint16_t got = 0;
		uint32_t c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, table[i], now);
		CHECK_EQ(c & 7u, i);
		CHECK(check(c, PEER_ISN, now, &got));
		CHECK_EQ(got, table[i]);
		/* one above the entry rounds down to it, one below to the previous */
		c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, (uint16_t)(table[i] + 1), now);
		CHECK(check(c, PEER_ISN, now, &got));
		CHECK_EQ(got, table[i]);
		if (i > 0) {
			c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, (uint16_t)(table[i] - 1), now);
			CHECK(check(c, PEER_ISN, now, &got));
			CHECK_EQ(got, table[i - 1]);
		}
	}
	{
		/* below the table and the largest values */
		uint16_t got = 0;
		uint32_t c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, 100, now);
		CHECK(check(c, PEER_ISN, now, &got));
		CHECK_EQ(got, 536);
		c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, 65535, now);
		CHECK(check(c, PEER_ISN, now, &got));
		CHECK_EQ(got, 9176);
		c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, 1452, now); /* PPPoE */
		CHECK(check(c, PEER_ISN, now, &got));
		CHECK_EQ(got, 1440);
	}
}

static void test_sequence_wrap(void)
{
	/* peer ISN 0xffffffff: the ACK's seq is 0; a cookie of 0xffffffff-ish is acked as cookie+1 */
	axip_time_ns now = 7 * PERIOD;
	uint16_t got = 0;
	uint32_t c = tcp_syncookie_make(key, LA, LP, RA, RP, 0xffffffffu, 1460, now);
	CHECK(tcp_syncookie_check(key, LA, LP, RA, RP, 0u, c + 1u, now, &got));
	CHECK_EQ(got, 1460);
}

static void test_rejections(void)
{
	axip_time_ns now = 500 * PERIOD + PERIOD / 2;
	uint16_t got = 1234;
	uint32_t c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, 1460, now);
	uint32_t bit;
	REQUIRE(check(c, PEER_ISN, now, &got));
	got = 1234;
	/* wrong tuple, one field at a time */
	CHECK(!tcp_syncookie_check(key, LA + 1, LP, RA, RP, PEER_ISN + 1, c + 1, now, &got));
	CHECK(!tcp_syncookie_check(key, LA, LP + 1, RA, RP, PEER_ISN + 1, c + 1, now, &got));
	CHECK(!tcp_syncookie_check(key, LA, LP, RA + 1, RP, PEER_ISN + 1, c + 1, now, &got));
	CHECK(!tcp_syncookie_check(key, LA, LP, RA, RP + 1, PEER_ISN + 1, c + 1, now, &got));
	/* wrong peer sequence number */
	CHECK(!check(c, PEER_ISN + 1, now, &got));
	CHECK(!check(c, PEER_ISN - 1, now, &got));
	/* wrong key */
	CHECK(!tcp_syncookie_check(other_key, LA, LP, RA, RP, PEER_ISN + 1, c + 1, now, &got));
	/* the ACK must be cookie + 1 exactly */
	CHECK(!tcp_syncookie_check(key, LA, LP, RA, RP, PEER_ISN + 1, c, now, &got));
	/* any single flipped bit is rejected, including the MSS index bits,
	 * which are covered by the hash */
	for (bit = 0; bit < 32; bit++)
		CHECK(!check(c ^ (1u << bit), PEER_ISN, now, &got));
	CHECK_EQ(got, 1234); /* untouched on failure */
}

static void test_forgeries(void)
{
	/* arbitrary ACK numbers for a fixed SYN: 2^-28 acceptance each, so none of
	 * 200000 deterministic guesses pass */
	axip_time_ns now = 3 * PERIOD;
	uint32_t i, x = 0x12345678u, accepted = 0;
	uint16_t got;
	for (i = 0; i < 200000; i++) {
		x = x * 1664525u + 1013904223u;
		accepted += (uint32_t)check(x, PEER_ISN, now, &got);
	}
	CHECK_EQ(accepted, 0);
}

static void test_age(void)
{
	axip_time_ns start = 2000 * PERIOD; /* start of a period */
	uint16_t got;
	uint32_t c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, 1460, start);
	CHECK(check(c, PEER_ISN, start, &got));
	CHECK(check(c, PEER_ISN, start + PERIOD - 1, &got));
	/* one period later: previous counter, accepted */
	CHECK(check(c, PEER_ISN, start + PERIOD, &got));
	CHECK(check(c, PEER_ISN, start + 2 * PERIOD - 1, &got));
	/* two and three periods later: too old */
	CHECK(!check(c, PEER_ISN, start + 2 * PERIOD, &got));
	CHECK(!check(c, PEER_ISN, start + 3 * PERIOD, &got));
	/* a cookie from the future (clock went back or forged) is rejected */
	CHECK(!check(c, PEER_ISN, start - 1, &got));
	/* cookies from different periods differ */
	CHECK(tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, 1460, start + PERIOD) != c);
	/* counter 0 (time near zero) works too */
	c = tcp_syncookie_make(key, LA, LP, RA, RP, PEER_ISN, 536, 0);
	CHECK(check(c, PEER_ISN, 0, &got));
	CHECK(check(c, PEER_ISN, PERIOD, &got));
	CHECK(!check(c, PEER_ISN, 2 * PERIOD, &got));
}

static void test_ts_bits(void)
{
	uint32_t ws, sack;
	for (ws = 0; ws <= 15; ws++) {
		for (sack = 0; sack <= 1; sack++) {
			uint32_t bits = tcp_syncookie_ts_bits((uint8_t)ws, (uint8_t)sack);
			uint8_t dws = 0xaa, dsack = 0xaa;
			CHECK(bits < 64u);
			/* the bits survive being OR'ed into a TSval's upper bits */
			tcp_syncookie_ts_decode(0x8badf000u | bits, &dws, &dsack);
			CHECK_EQ(dws, ws);
			CHECK_EQ(dsack, sack);
		}
	}
	/* exact layout: wscale bits 0-3, SACK bit 4, marker bit 5 */
	CHECK_EQ(tcp_syncookie_ts_bits(7, 1), 0x37u);
	CHECK_EQ(tcp_syncookie_ts_bits(0xf, 0), 0x2fu);
	CHECK_EQ(tcp_syncookie_ts_bits(0, 0), 0x20u);
	/* RFC 7323 2.3: shift counts above 14 are used as 14; 0xf stays "none" */
	{
		uint8_t dws, dsack;
		tcp_syncookie_ts_decode(tcp_syncookie_ts_bits(200, 5), &dws, &dsack);
		CHECK_EQ(dws, 14);
		CHECK_EQ(dsack, 1);
		/* an echo without the marker carries no options */
		tcp_syncookie_ts_decode(0x1fu, &dws, &dsack);
		CHECK_EQ(dws, 0xf);
		CHECK_EQ(dsack, 0);
	}
}

/* Over an IPv6 tuple (RFC 4987 3.6 with 16-byte addresses): the round
 * trip, every address byte and port in the hash, and no IPv4 cookie of the
 * folded tuple passing. */
static void test_ipv6(void)
{
	uint8_t la[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t ra[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 2};
	axip_time_ns now = 77 * PERIOD + 5;
	uint16_t got = 0;
	uint32_t i, c;
	for (i = 0; i < 8; i++) {
		c = tcp_syncookie_make6(key, la, LP, ra, RP, PEER_ISN, table[i], now);
		CHECK(tcp_syncookie_check6(key, la, LP, ra, RP, PEER_ISN + 1, c + 1, now, &got));
		CHECK_EQ(got, table[i]);
		CHECK(tcp_syncookie_check6(key, la, LP, ra, RP, PEER_ISN + 1, c + 1, now + PERIOD, &got));
		CHECK(!tcp_syncookie_check6(key, la, LP, ra, RP, PEER_ISN + 1, c + 1, now + 2 * PERIOD,
		                            &got));
	}
	c = tcp_syncookie_make6(key, la, LP, ra, RP, PEER_ISN, 1440, now);
	for (i = 0; i < 16; i++) {
		la[i] ^= 1;
		CHECK(!tcp_syncookie_check6(key, la, LP, ra, RP, PEER_ISN + 1, c + 1, now, &got));
		la[i] ^= 1;
		ra[i] ^= 1;
		CHECK(!tcp_syncookie_check6(key, la, LP, ra, RP, PEER_ISN + 1, c + 1, now, &got));
		ra[i] ^= 1;
	}
	CHECK(!tcp_syncookie_check6(key, la, LP + 1, ra, RP, PEER_ISN + 1, c + 1, now, &got));
	CHECK(!tcp_syncookie_check6(key, la, LP, ra, RP + 1, PEER_ISN + 1, c + 1, now, &got));
	CHECK(!tcp_syncookie_check6(other_key, la, LP, ra, RP, PEER_ISN + 1, c + 1, now, &got));
	CHECK(!tcp_syncookie_check(key, 0x20010db8u, LP, 0xfe800000u, RP, PEER_ISN + 1, c + 1, now,
	                           &got));
}

int main(void)
{
	RUN_TEST(test_round_trip_every_mss_index);
	RUN_TEST(test_sequence_wrap);
	RUN_TEST(test_rejections);
	RUN_TEST(test_forgeries);
	RUN_TEST(test_age);
	RUN_TEST(test_ts_bits);
	RUN_TEST(test_ipv6);
	return test_summary();
}
