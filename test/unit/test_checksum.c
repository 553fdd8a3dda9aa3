/* SPDX-License-Identifier: BSD-2-Clause */
/* test_checksum.c - the core's RFC 1071/1624 checksum against a byte-wise reference. */
#include "test.h"
#include "sim.h"
#include "checksum.h"
#include "wire.h"

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static void test_matches_reference_all_alignments(void)
{
	static uint8_t buf[4096 + 16];
	uint32_t i, trial;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)next_rand();
	for (trial = 0; trial < 3000; trial++) {
		uint32_t off = next_rand() % 16, len = next_rand() % 4096;
		uint16_t core = csum_fold(csum_add_bytes(0, buf + off, len));
		CHECK_EQ(core, sim_ref_csum(buf + off, len, 0));
	}
}

static void test_rfc1071_example(void)
{
	/* RFC 1071 section 3 example bytes: 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 */
	static const uint8_t b[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	CHECK_EQ(csum_fold_raw(csum_add_bytes(0, b, 8)), 0xddf2);
}

static void test_chain_odd_boundaries(void)
{
	static uint8_t a[37], b[50], c[13], all[100];
	struct axip_pkt pa, pb, pc;
	uint32_t i;
	for (i = 0; i < 100; i++)
		all[i] = (uint8_t)next_rand();
	memcpy(a, all, 37);
	memcpy(b, all + 37, 50);
	memcpy(c, all + 87, 13);
	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	memset(&pc, 0, sizeof(pc));
	pa.data = a; pa.len = 37; pa.sg_next = &pb;
	pb.data = b; pb.len = 50; pb.sg_next = &pc;
	pc.data = c; pc.len = 13;
	CHECK_EQ(csum_fold(csum_add_chain(0, &pa, 0, 100)), sim_ref_csum(all, 100, 0));
	CHECK_EQ(csum_fold(csum_add_chain(0, &pa, 5, 90)), sim_ref_csum(all + 5, 90, 0));
	CHECK_EQ(csum_fold(csum_add_chain(0, &pa, 40, 60)), sim_ref_csum(all + 40, 60, 0));
}

static void test_incremental_update(void)
{
	uint8_t hdr[20];
	uint32_t i;
	uint16_t old, nw, check;
	for (i = 0; i < 20; i++)
		hdr[i] = (uint8_t)next_rand();
	hdr[10] = hdr[11] = 0;
	check = csum_fold(csum_add_bytes(0, hdr, 20));
	store_be16(hdr + 10, check);
	/* decrement TTL (RFC 1624 use case) */
	old = load_be16(hdr + 8);
	hdr[8]--;
	nw = load_be16(hdr + 8);
	store_be16(hdr + 10, csum_update16(check, old, nw));
	CHECK_EQ(sim_ref_csum(hdr, 20, 0), 0);
}

/* axip_pkt_tx_csum_finish does what a NIC does for AXIP_PKT_TX_L4_CSUM: the
 * field holds the pseudo-header sum; the result must make the whole range
 * from csum_start (with the pseudo-header) sum to zero. Buffers past `len`
 * are not part of the frame. */
static void test_tx_csum_finish(void)
{
	static uint8_t a[61], b[47], c[20], all[108];
	struct axip_pkt pa, pb, pc;
	uint32_t i, pseudo = csum_pseudo(0x0a000001u, 0x0a000002u, 6, 108 - 14);
	for (i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)next_rand();
	all[14 + 16] = (uint8_t)(csum_fold_raw(pseudo) >> 8);
	all[14 + 17] = (uint8_t)csum_fold_raw(pseudo);
	memcpy(a, all, 61);
	memcpy(b, all + 61, 47);
	memset(c, 0xee, sizeof(c));
	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	memset(&pc, 0, sizeof(pc));
	pa.data = a; pa.len = 61; pa.sg_next = &pb;
	pb.data = b; pb.len = 47; pb.sg_next = &pc;
	pc.data = c; pc.len = 20;
	pa.csum_start = 14;
	pa.csum_offset = 16;
	axip_pkt_tx_csum_finish(&pa, 108); /* no flag: untouched */
	CHECK(memcmp(a, all, 61) == 0);
	pa.flags = AXIP_PKT_TX_L4_CSUM;
	axip_pkt_tx_csum_finish(&pa, 108);
	memcpy(all, a, 61);
	CHECK_EQ(sim_ref_csum(all + 14, 108 - 14, pseudo), 0);
}

int main(void)
{
	RUN_TEST(test_matches_reference_all_alignments);
	RUN_TEST(test_rfc1071_example);
	RUN_TEST(test_chain_odd_boundaries);
	RUN_TEST(test_incremental_update);
	RUN_TEST(test_tx_csum_finish);
	return test_summary();
}
