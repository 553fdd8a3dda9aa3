/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp_isn.c - SipHash-2-4 reference vectors, RFC 6528 ISNs, RFC 6056
 * port offsets and the connection-table hash. */
#include "test.h"
#include "sim.h"
#include "tcp_isn.h"

/* SipHash-2-4 reference vectors (Aumasson & Bernstein, vectors.h / the
 * paper's appendix): key = 00 01 .. 0f, message i = 00 01 .. (i-1); each
 * output as its 8 little-endian bytes. */
static const uint8_t sip_vectors[16][8] = {
	{0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72},
	{0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74},
	{0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d},
	{0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85},
	{0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf},
	{0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18},
	{0xce, 0xe3, 0xfe, 0x58, 0x6e, 0x46, 0xc9, 0xcb},
	{0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab},
	{0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93},
	{0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e},
	{0xf3, 0xb9, 0xdd, 0x94, 0xc5, 0xbb, 0x5d, 0x7a},
	{0xa7, 0xad, 0x6b, 0x22, 0x46, 0x2f, 0xb3, 0xf4},
	{0xfb, 0xe5, 0x0e, 0x86, 0xbc, 0x8f, 0x1e, 0x75},
	{0x90, 0x3d, 0x84, 0xc0, 0x27, 0x56, 0xea, 0x14},
	{0xee, 0xf2, 0x7a, 0x8e, 0x90, 0xca, 0x23, 0xf7},
	{0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1},
};

static uint8_t ref_key[16];
static uint8_t ref_msg[64];

static void setup_ref(void)
{
	int i;
	for (i = 0; i < 16; i++)
		ref_key[i] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		ref_msg[i] = (uint8_t)i;
}

static void test_siphash_reference_vectors(void)
{
	uint32_t len;
	for (len = 0; len < 16; len++) {
		uint64_t h = siphash24(ref_key, ref_msg, len);
		uint8_t le[8];
		int i;
		for (i = 0; i < 8; i++)
			le[i] = (uint8_t)(h >> (8 * i));
		CHECK(memcmp(le, sip_vectors[len], 8) == 0);
	}
	/* the paper's worked example (appendix A): 15-byte message */
	CHECK_EQ(siphash24(ref_key, ref_msg, 15), 0xa129ca6149be45e5ULL);
	CHECK_EQ(siphash24(ref_key, ref_msg, 0), 0x726fdb47dd0e0e31ULL);
}

static void test_siphash_unaligned_input(void)
{
	/* the same bytes at every alignment give the same hash */
	static uint8_t buf[64 + 8];
	uint32_t off;
	uint64_t want = siphash24(ref_key, ref_msg, 37);
	for (off = 0; off < 8; off++) {
		memcpy(buf + off, ref_msg, 37);
		CHECK_EQ(siphash24(ref_key, buf + off, 37), want);
	}
}

static const uint8_t key_a[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t key_b[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17};
#define LA AXIP_IP4(10, 0, 0, 1)
#define RA AXIP_IP4(10, 0, 0, 2)

static void test_isn_clock_rate(void)
{
	/* M ticks once per 4096 ns: exactly n ticks over n * 4096 ns */
	axip_time_ns t0 = AXIP_SEC(1000) & ~(axip_time_ns)4095;
	uint32_t base = tcp_isn(key_a, LA, 40000, RA, 80, t0);
	CHECK_EQ(tcp_isn(key_a, LA, 40000, RA, 80, t0 + 4095), base);
	CHECK_EQ(tcp_isn(key_a, LA, 40000, RA, 80, t0 + 4096), base + 1u);
	CHECK_EQ(tcp_isn(key_a, LA, 40000, RA, 80, t0 + 1000u * 4096u), base + 1000u);
	/* one second: 1e9 / 4096 = 244140.6 ticks (about 250000 for a 4 us clock) */
	CHECK_EQ(tcp_isn(key_a, LA, 40000, RA, 80, t0 + AXIP_SEC(1)) - base, 244140u);
	/* wrap after 2^32 ticks (~4.9 hours): same ISN again */
	CHECK_EQ(tcp_isn(key_a, LA, 40000, RA, 80, t0 + (4096ULL << 32)), base);
}

static void test_isn_per_tuple_and_key(void)
{
	axip_time_ns t = AXIP_SEC(5);
	uint32_t base = tcp_isn(key_a, LA, 40000, RA, 80, t);
	CHECK_EQ(tcp_isn(key_a, LA, 40000, RA, 80, t), base);
	CHECK(tcp_isn(key_a, LA, 40001, RA, 80, t) != base);
	CHECK(tcp_isn(key_a, LA, 40000, RA, 81, t) != base);
	CHECK(tcp_isn(key_a, LA + 1, 40000, RA, 80, t) != base);
	CHECK(tcp_isn(key_a, LA, 40000, RA + 1, 80, t) != base);
	CHECK(tcp_isn(key_b, LA, 40000, RA, 80, t) != base);
	/* swapping the ends is a different connection identifier */
	CHECK(tcp_isn(key_a, RA, 80, LA, 40000, t) != tcp_isn(key_a, LA, 40000, RA, 80, t));
	/* the ISN offset is not the table hash (domain separated) */
	CHECK((uint32_t)tcp_tuple_hash(key_a, LA, 40000, RA, 80) != base - (uint32_t)(t >> 12));
}

static void test_isn_spread(void)
{
	/* consecutive source ports give unrelated offsets: bit balance of the
	 * low bit and the high bit over 4096 ports is near one half */
	uint32_t p, low = 0, high = 0;
	for (p = 0; p < 4096; p++) {
		uint32_t isn = tcp_isn(key_a, LA, (uint16_t)(32768 + p), RA, 443, 0);
		low += isn & 1u;
		high += isn >> 31;
	}
	CHECK(low > 1800 && low < 2300);
	CHECK(high > 1800 && high < 2300);
}

static void test_port_offset(void)
{
	uint32_t o = tcp_port_offset(key_a, LA, RA, 80);
	CHECK_EQ(tcp_port_offset(key_a, LA, RA, 80), o);
	CHECK(tcp_port_offset(key_b, LA, RA, 80) != o);
	CHECK(tcp_port_offset(key_a, LA + 1, RA, 80) != o);
	CHECK(tcp_port_offset(key_a, LA, RA + 1, 80) != o);
	CHECK(tcp_port_offset(key_a, LA, RA, 81) != o);
	/* not the ISN offset or the table hash of a tuple with local port 0 */
	CHECK(o != tcp_isn(key_a, LA, 0, RA, 80, 0));
	CHECK(o != (uint32_t)tcp_tuple_hash(key_a, LA, 0, RA, 80));
}

static void test_tuple_hash(void)
{
	uint64_t h = tcp_tuple_hash(key_a, LA, 40000, RA, 80);
	uint32_t i, buckets[16] = {0}, min = ~0u, max = 0;
	CHECK_EQ(tcp_tuple_hash(key_a, LA, 40000, RA, 80), h);
	CHECK(tcp_tuple_hash(key_b, LA, 40000, RA, 80) != h);
	CHECK(tcp_tuple_hash(key_a, LA, 40001, RA, 80) != h);
	CHECK(tcp_tuple_hash(key_a, LA, 40000, RA, 81) != h);
	CHECK(tcp_tuple_hash(key_a, LA + 1, 40000, RA, 80) != h);
	CHECK(tcp_tuple_hash(key_a, LA, 40000, RA + 1, 80) != h);
	/* 16000 tuples from one client over 16 buckets: each near 1000 */
	for (i = 0; i < 16000; i++)
		buckets[tcp_tuple_hash(key_a, LA, 80, RA + (i >> 12), (uint16_t)(i & 0xfff)) & 15]++;
	for (i = 0; i < 16; i++) {
		min = buckets[i] < min ? buckets[i] : min;
		max = buckets[i] > max ? buckets[i] : max;
	}
	CHECK(min > 850);
	CHECK(max < 1150);
}

/* The IPv6 variants: every field counts, and an IPv6 tuple hashes apart
 * from IPv4 (the 16-byte addresses, never a fold of them). */
static void test_ipv6_tuples(void)
{
	uint8_t la[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t ra[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	axip_time_ns t = AXIP_SEC(77);
	uint32_t isn = tcp_isn6(key_a, la, 40000, ra, 80, t);
	uint64_t h = tcp_tuple_hash6(key_a, la, 40000, ra, 80);
	uint32_t o = tcp_port_offset6(key_a, la, ra, 80);
	uint32_t i;
	CHECK_EQ(tcp_isn6(key_a, la, 40000, ra, 80, t), isn);
	CHECK_EQ(tcp_isn6(key_a, la, 40000, ra, 80, t + 4096), isn + 1u); /* RFC 6528 M */
	CHECK(tcp_isn6(key_b, la, 40000, ra, 80, t) != isn);
	CHECK(tcp_isn6(key_a, la, 40001, ra, 80, t) != isn);
	CHECK(tcp_isn6(key_a, la, 40000, ra, 81, t) != isn);
	CHECK(tcp_isn6(key_a, ra, 80, la, 40000, t) != isn);
	for (i = 0; i < 16; i++) {
		la[i] ^= 0x40;
		CHECK(tcp_isn6(key_a, la, 40000, ra, 80, t) != isn);
		CHECK(tcp_tuple_hash6(key_a, la, 40000, ra, 80) != h);
		CHECK(tcp_port_offset6(key_a, la, ra, 80) != o);
		la[i] ^= 0x40;
		ra[i] ^= 0x40;
		CHECK(tcp_isn6(key_a, la, 40000, ra, 80, t) != isn);
		CHECK(tcp_tuple_hash6(key_a, la, 40000, ra, 80) != h);
		ra[i] ^= 0x40;
	}
	CHECK(o != (uint32_t)h && o != isn);
	CHECK(tcp_port_offset6(key_a, la, ra, 81) != o);
	CHECK(tcp_tuple_hash6(key_a, la, 40000, ra, 80) != tcp_tuple_hash(key_a, 1, 40000, 2, 80));
}

int main(void)
{
	setup_ref();
	RUN_TEST(test_siphash_reference_vectors);
	RUN_TEST(test_siphash_unaligned_input);
	RUN_TEST(test_isn_clock_rate);
	RUN_TEST(test_isn_per_tuple_and_key);
	RUN_TEST(test_isn_spread);
	RUN_TEST(test_port_offset);
	RUN_TEST(test_tuple_hash);
	RUN_TEST(test_ipv6_tuples);
	return test_summary();
}
