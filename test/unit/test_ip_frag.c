/* SPDX-License-Identifier: BSD-2-Clause */
/* test_ip_frag.c - IPv4 reassembly (RFC 791, RFC 1122 3.3.2) and its limits,
 * and fragmentation on output, on crafted frames and between two instances. */
#include "test.h"
#include "sim.h"
#include "fixture.h"
#include "wire.h"
#include "checksum.h"
#include "ipv4.h"

#define ME AXIP_IP4(10, 0, 0, 1)
#define PEER AXIP_IP4(10, 0, 0, 2)

static uint8_t my_mac[6] = {2, 0, 0, 0, 0, 1};
static uint8_t peer_mac[6] = {2, 0, 0, 0, 0, 2};
static uint8_t frame[9300];
static struct sim_frame caught[64];

/* The ICMP echo request being fragmented: 8-byte header + data. */
static uint8_t dgram[65536];
static uint32_t dgram_len;

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* An echo request of `data_len` data bytes with a valid checksum in dgram. */
static void make_echo(uint32_t data_len, uint16_t seq)
{
	uint32_t i;
	uint16_t c;
	dgram_len = 8 + data_len;
	memset(dgram, 0, 8);
	dgram[0] = 8;
	dgram[4] = 0xab;
	dgram[5] = 0xcd;
	dgram[6] = (uint8_t)(seq >> 8);
	dgram[7] = (uint8_t)seq;
	for (i = 0; i < data_len; i++)
		dgram[8 + i] = (uint8_t)(i * 13u + seq);
	c = sim_ref_csum(dgram, dgram_len, 0);
	dgram[2] = (uint8_t)(c >> 8);
	dgram[3] = (uint8_t)c;
}

/* Ethernet + IPv4 fragment carrying bytes [off, off+len) of `data`. */
static uint32_t frag_frame(uint8_t *f, uint16_t id, uint32_t off, uint32_t len, int mf,
                           const uint8_t *data, uint8_t proto)
{
	uint32_t n = sim_build_ipv4(f, my_mac, peer_mac, PEER, ME, proto, data + off, len);
	uint16_t c;
	f[18] = (uint8_t)(id >> 8);
	f[19] = (uint8_t)id;
	f[20] = (uint8_t)((mf ? 0x20 : 0) | ((off >> 3) >> 8));
	f[21] = (uint8_t)(off >> 3);
	f[24] = f[25] = 0;
	c = sim_ref_csum(f + 14, 20, 0);
	f[24] = (uint8_t)(c >> 8);
	f[25] = (uint8_t)c;
	return n;
}

static void send_frag(struct sim_single *h, uint16_t id, uint32_t off, uint32_t len, int mf,
                      axip_time_ns now)
{
	uint32_t n = frag_frame(frame, id, off, len, mf, dgram, 1);
	sim_single_rx(h, frame, n, now);
}

/* Take every frame the host sent; reassemble the echo reply they carry and
 * check it answers the request in dgram. Returns the number of fragments. */
static uint32_t check_reply_fragments(struct sim_single *h)
{
	static uint8_t reply[65536];
	uint32_t n = 0, got = 0, len;
	uint16_t id = 0;
	int last_seen = 0;
	while ((len = sim_single_tx_pop(h, caught[n].data, sizeof(caught[n].data))) != 0) {
		const uint8_t *f = caught[n].data;
		uint32_t tot = be16(f + 16), off = (uint32_t)(be16(f + 20) & 0x1fff) * 8;
		caught[n].len = len;
		CHECK_EQ(len, 14 + tot);
		CHECK(tot <= 1500);
		CHECK_EQ(sim_ref_csum(f + 14, 20, 0), 0);
		CHECK_EQ(f[23], 1);
		if (n == 0)
			id = be16(f + 18);
		CHECK_EQ(be16(f + 18), id);
		if (!(be16(f + 20) & 0x2000))
			last_seen = 1;
		else
			CHECK_EQ((tot - 20) % 8, 0);
		CHECK(off + tot - 20 <= sizeof(reply) && tot >= 20);
		if (off + tot - 20 > sizeof(reply) || tot < 20)
			return n;
		memcpy(reply + off, f + 34, tot - 20);
		got += tot - 20;
		if (++n == 64)
			break;
	}
	CHECK(last_seen);
	CHECK_EQ(got, dgram_len);
	CHECK_EQ(reply[0], 0);
	CHECK(memcmp(reply + 4, dgram + 4, dgram_len - 4) == 0);
	CHECK_EQ(sim_ref_csum(reply, dgram_len, 0), 0);
	return n;
}

static void test_in_order(void)
{
	struct sim_single *h = fixture_host(0);
	uint32_t n;
	make_echo(3000, 1);
	send_frag(h, 7, 0, 1480, 1, AXIP_MS(1));
	/* the middle fragment arrives as a chain of buffers */
	n = frag_frame(frame, 7, 1480, 1480, 1, dgram, 1);
	sim_single_rx_split(h, frame, n, AXIP_MS(2), 500);
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	send_frag(h, 7, 2960, 48, 0, AXIP_MS(3));
	CHECK_EQ(fixture_ctr(h)->ip_frag_rx, 3);
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 1);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_echo_reply, 1);
	/* the 3008-byte reply leaves in three fragments */
	CHECK_EQ(check_reply_fragments(h), 3);
	CHECK_EQ(fixture_ctr(h)->ip_frag_tx, 3);
	CHECK_EQ(fixture_ctr(h)->ip_tx, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_reverse_order_and_duplicate(void)
{
	struct sim_single *h = fixture_host(0);
	make_echo(3000, 2);
	send_frag(h, 8, 2960, 48, 0, AXIP_MS(1));
	send_frag(h, 8, 1480, 1480, 1, AXIP_MS(1));
	send_frag(h, 8, 1480, 1480, 1, AXIP_MS(1)); /* exact duplicate: dropped alone */
	CHECK_EQ(fixture_ctr(h)->ip_frag_dup, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 2);
	send_frag(h, 8, 0, 1480, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 1);
	CHECK_EQ(fixture_ctr(h)->ip_frag_overlap, 0);
	CHECK_EQ(check_reply_fragments(h), 3);
	/* a late duplicate after completion starts a new datagram that times out */
	send_frag(h, 8, 0, 1480, 1, AXIP_MS(2));
	CHECK_EQ(sim_single_bufs_in_use(h), 1);
	sim_single_poll(h, AXIP_MS(2) + AXIP_SEC(30) + AXIP_MS(2));
	CHECK_EQ(fixture_ctr(h)->ip_frag_timeout, 1);
	while (sim_single_tx_pop(h, frame, sizeof(frame)))
		;
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* Many small fragments in a shuffled order. */
static void test_many_small_shuffled(void)
{
	struct sim_single *h = fixture_host(0);
	static const uint32_t order[] = {5, 0, 9, 3, 7, 1, 8, 2, 6, 4};
	uint32_t i;
	make_echo(72, 3); /* 80 bytes: ten 8-byte fragments */
	for (i = 0; i < 10; i++)
		send_frag(h, 9, order[i] * 8, 8, order[i] != 9, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 1);
	CHECK_EQ(check_reply_fragments(h), 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_overlap_drops_datagram(void)
{
	struct sim_single *h = fixture_host(0);
	make_echo(3000, 4);
	send_frag(h, 10, 0, 1480, 1, AXIP_MS(1));
	send_frag(h, 10, 2960, 48, 0, AXIP_MS(1));
	CHECK_EQ(sim_single_bufs_in_use(h), 2);
	/* overlaps the first fragment's tail by 8 bytes */
	send_frag(h, 10, 1472, 1488, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_overlap, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* overlap inside another fragment, against a later one */
	send_frag(h, 11, 1480, 1480, 1, AXIP_MS(1));
	send_frag(h, 11, 1400, 96, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_overlap, 2);
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_timeout_releases_and_reports(void)
{
	struct sim_single *h = fixture_host(0);
	const axip_time_ns t0 = AXIP_SEC(2);
	uint32_t len;
	make_echo(3000, 5);
	send_frag(h, 12, 0, 1480, 1, t0);
	send_frag(h, 12, 2960, 48, 0, t0 + AXIP_MS(10));
	/* a second datagram without its first fragment */
	send_frag(h, 13, 1480, 1480, 1, t0 + AXIP_MS(10));
	CHECK_EQ(sim_single_bufs_in_use(h), 3);
	sim_single_poll(h, t0 + AXIP_SEC(30) - AXIP_MS(2));
	CHECK_EQ(fixture_ctr(h)->ip_frag_timeout, 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 3);
	sim_single_poll(h, t0 + AXIP_SEC(30) + AXIP_MS(12));
	CHECK_EQ(fixture_ctr(h)->ip_frag_timeout, 2);
	/* RFC 1122 3.3.2: Time Exceeded (reassembly) only where the first
	 * fragment was held; it quotes that fragment's header and data */
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, frame, sizeof(frame));
	CHECK_EQ(len, 14 + 576);
	CHECK_EQ(frame[34], 11);
	CHECK_EQ(frame[35], 1);
	CHECK_EQ(sim_ref_csum(frame + 34, 556, 0), 0);
	CHECK_EQ(be16(frame + 42 + 4), 12);       /* quoted ID */
	CHECK_EQ(be16(frame + 42 + 6), 0x2000);   /* quoted MF, offset 0 */
	CHECK(memcmp(frame + 62, dgram, 528) == 0);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_error_other, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_slots_exhausted(void)
{
	struct axip_config c;
	struct sim_single *h;
	fixture_cfg(&c);
	c.frag_slots = 2;
	h = fixture_host_cfg(&c, 0);
	make_echo(3000, 6);
	send_frag(h, 1, 0, 1480, 1, AXIP_MS(1));
	send_frag(h, 2, 0, 1480, 1, AXIP_MS(1));
	send_frag(h, 3, 0, 1480, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_no_slot, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 2);
	/* datagram 1 completes, freeing its slot for datagram 3 */
	send_frag(h, 1, 1480, 1480, 1, AXIP_MS(1));
	send_frag(h, 1, 2960, 48, 0, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 1);
	CHECK_EQ(check_reply_fragments(h), 3);
	send_frag(h, 3, 0, 1480, 1, AXIP_MS(1));
	send_frag(h, 3, 1480, 1480, 1, AXIP_MS(1));
	send_frag(h, 3, 2960, 48, 0, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 2);
	CHECK_EQ(check_reply_fragments(h), 3);
	CHECK_EQ(fixture_ctr(h)->ip_frag_no_slot, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 1); /* datagram 2's first fragment */
	sim_single_poll(h, AXIP_SEC(31));
	while (sim_single_tx_pop(h, frame, sizeof(frame)))
		;
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* no slots at all: reassembly disabled */
	sim_single_free(h);
	fixture_cfg(&c);
	c.frag_slots = 0;
	h = fixture_host_cfg(&c, 0);
	send_frag(h, 1, 0, 1480, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_no_slot, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_byte_budget(void)
{
	struct axip_config c;
	struct sim_single *h;
	fixture_cfg(&c);
	c.frag_max_bytes = 2000;
	h = fixture_host_cfg(&c, 0);
	make_echo(3000, 7);
	send_frag(h, 1, 0, 1480, 1, AXIP_MS(1));
	CHECK_EQ(sim_single_bufs_in_use(h), 1);
	/* a second datagram does not fit beside the first */
	send_frag(h, 2, 1480, 1480, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_mem_limit, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 1);
	/* nor does the first one's own next fragment: it can never complete
	 * and is released at once */
	send_frag(h, 1, 1480, 1480, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_mem_limit, 2);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* a datagram within the budget still goes through */
	make_echo(1992, 8);
	send_frag(h, 3, 1000, 1000, 0, AXIP_MS(1));
	send_frag(h, 3, 0, 1000, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 1);
	CHECK_EQ(check_reply_fragments(h), 2);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_too_many_fragments(void)
{
	struct axip_config c;
	struct sim_single *h;
	fixture_cfg(&c);
	c.frag_max_per_datagram = 2;
	h = fixture_host_cfg(&c, 0);
	make_echo(16, 9);
	send_frag(h, 1, 0, 8, 1, AXIP_MS(1));
	send_frag(h, 1, 8, 8, 1, AXIP_MS(1));
	send_frag(h, 1, 16, 8, 0, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_too_many, 1);
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* two fragments are fine */
	send_frag(h, 2, 0, 16, 1, AXIP_MS(1));
	send_frag(h, 2, 16, 8, 0, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 1);
	CHECK_EQ(check_reply_fragments(h), 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_inconsistent_fragments(void)
{
	struct sim_single *h = fixture_host(0);
	uint32_t n;
	make_echo(3000, 10);
	/* non-last fragment whose length is not a multiple of 8 */
	send_frag(h, 1, 0, 12, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_bad, 1);
	/* ends past 65535: 20 + 65528 + 16 */
	n = frag_frame(frame, 2, 0, 16, 0, dgram, 1);
	frame[20] = (uint8_t)((65528 >> 3) >> 8);
	frame[21] = (uint8_t)(65528 >> 3);
	store_be16(frame + 24, 0);
	store_be16(frame + 24, sim_ref_csum(frame + 14, 20, 0));
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_bad, 2);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* two last fragments with different ends: the datagram goes */
	send_frag(h, 3, 0, 1480, 1, AXIP_MS(1));
	send_frag(h, 3, 2960, 48, 0, AXIP_MS(1));
	send_frag(h, 3, 2960, 40, 0, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_bad, 3);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* a fragment past the known end */
	send_frag(h, 4, 2960, 48, 0, AXIP_MS(1));
	send_frag(h, 4, 2960, 1480, 1, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_bad, 4);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* a last fragment ending before data already held */
	send_frag(h, 5, 1480, 1480, 1, AXIP_MS(1));
	send_frag(h, 5, 8, 8, 0, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_bad, 5);
	/* an empty fragment */
	send_frag(h, 6, 8, 0, 0, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_frag_bad, 6);
	CHECK_EQ(fixture_ctr(h)->ip_frag_overlap, 0);
	CHECK_EQ(fixture_ctr(h)->ip_frag_reassembled, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* Build a UDP datagram of `plen` payload bytes in A as a chain of buffers of
 * at most 1500 bytes, checksummed in software or left to the NIC. */
static struct axip_pkt *udp_chain(struct axip_stack *s, uint8_t *copy, uint32_t plen, int offload)
{
	uint32_t ulen = 8 + plen, off = 0, i;
	struct axip_pkt *head = NULL, **link = &head;
	uint32_t sum;
	copy[0] = 0x13; copy[1] = 0x88; /* 5000 */
	copy[2] = 0x00; copy[3] = 0x09; /* 9: nobody listens */
	copy[4] = (uint8_t)(ulen >> 8);
	copy[5] = (uint8_t)ulen;
	copy[6] = copy[7] = 0;
	for (i = 0; i < plen; i++)
		copy[8 + i] = (uint8_t)(i * 29u + 1);
	sum = csum_pseudo(ME, PEER, 17, ulen);
	if (offload) {
		uint16_t f = csum_fold_raw(sum);
		copy[6] = (uint8_t)(f >> 8);
		copy[7] = (uint8_t)f;
	} else {
		uint16_t c = csum_fold(csum_add_bytes(sum, copy, ulen));
		if (c == 0)
			c = 0xffff;
		copy[6] = (uint8_t)(c >> 8);
		copy[7] = (uint8_t)c;
	}
	while (off < ulen) {
		struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
		uint32_t n = ulen - off < 1500 ? ulen - off : 1500;
		memcpy(p->data, copy + off, n);
		p->len = n;
		p->tailroom -= n;
		*link = p;
		link = &p->sg_next;
		off += n;
	}
	if (offload) {
		head->flags |= AXIP_PKT_TX_L4_CSUM;
		head->csum_start = 14 + 20;
		head->csum_offset = 6;
	}
	return head;
}

static void tx_fragmentation_between_instances(int offload)
{
	struct axip_config ca, cb;
	struct sim_single *a, *b;
	static uint8_t udp[4000];
	uint32_t i, n, len;
	uint16_t id;
	static const uint16_t want_tot[3] = {1500, 1500, 1060};
	static const uint16_t want_frag[3] = {0x2000 | 0, 0x2000 | 185, 370};

	fixture_cfg(&ca);
	a = fixture_host_cfg(&ca, offload ? AXIP_CAP_TX_L4_CSUM | AXIP_CAP_TX_IP_CSUM : 0);
	fixture_cfg(&cb);
	memcpy(cb.mac, peer_mac, 6);
	cb.addrs[0].addr = PEER;
	b = sim_single_new(&cb, 0);
	CHECK_EQ(axip_neigh_set(sim_single_stack(b), ME, my_mac, 1), AXIP_OK);

	CHECK_EQ(ipv4_output(sim_single_stack(a), udp_chain(sim_single_stack(a), udp, 3992, offload),
	                     0, PEER, 17, 0),
	         AXIP_OK);
	CHECK_EQ(fixture_ctr(a)->ip_frag_tx, 3);
	n = sim_single_tx_count(a);
	REQUIRE(n == 3);
	for (i = 0; i < 3; i++) {
		len = sim_single_tx_pop(a, caught[i].data, sizeof(caught[i].data));
		caught[i].len = len;
		CHECK_EQ(len, 14u + want_tot[i]);
		CHECK_EQ(be16(caught[i].data + 16), want_tot[i]);
		CHECK_EQ(be16(caught[i].data + 20), want_frag[i]);
		CHECK_EQ(caught[i].data[23], 17);
		CHECK_EQ(sim_ref_csum(caught[i].data + 14, 20, 0), 0);
		CHECK(memcmp(caught[i].data + 34, udp + i * 1480, want_tot[i] - 20u) == 0 || (i == 0 && offload));
	}
	id = be16(caught[0].data + 18);
	CHECK_EQ(be16(caught[1].data + 18), id);
	CHECK_EQ(be16(caught[2].data + 18), id);
	if (offload) {
		/* the checksum was finished in software: the header bytes except
		 * the checksum match, and the whole datagram sums to zero */
		uint32_t sum = csum_pseudo(ME, PEER, 17, 4000);
		uint8_t whole[4000];
		CHECK(memcmp(caught[0].data + 34, udp, 6) == 0);
		memcpy(whole, caught[0].data + 34, 1480);
		memcpy(whole + 1480, caught[1].data + 34, 1480);
		memcpy(whole + 2960, caught[2].data + 34, 1040);
		CHECK_EQ(csum_fold(csum_add_bytes(sum, whole, 4000)), 0);
	}
	CHECK_EQ(sim_single_bufs_in_use(a), 0);

	/* B reassembles: the UDP checksum over all 4000 bytes holds, nobody
	 * listens on port 9, so B answers port unreachable about the whole
	 * datagram (header rewritten: total 4020, no MF) */
	for (i = 0; i < 3; i++)
		sim_single_rx(b, caught[2 - i].data, caught[2 - i].len, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(b)->ip_frag_reassembled, 1);
	CHECK_EQ(fixture_ctr(b)->udp_rx_bad_csum, 0);
	CHECK_EQ(fixture_ctr(b)->udp_rx_no_port, 1);
	REQUIRE(sim_single_tx_count(b) == 1);
	len = sim_single_tx_pop(b, frame, sizeof(frame));
	CHECK_EQ(len, 14 + 576);
	CHECK_EQ(frame[34], 3);
	CHECK_EQ(frame[35], 3);
	CHECK_EQ(be16(frame + 42 + 2), 4020);
	CHECK_EQ(be16(frame + 42 + 4), id);
	CHECK_EQ(be16(frame + 42 + 6), 0);
	CHECK_EQ(sim_ref_csum(frame + 42, 20, 0), 0);
	CHECK(memcmp(frame + 62, caught[0].data + 34, 528) == 0);
	CHECK_EQ(sim_single_bufs_in_use(b), 0);
	sim_single_free(a);
	sim_single_free(b);
}

static void test_tx_fragmentation(void)
{
	tx_fragmentation_between_instances(0);
}

static void test_tx_fragmentation_finishes_offloaded_checksum(void)
{
	tx_fragmentation_between_instances(1);
}

int main(void)
{
	RUN_TEST(test_in_order);
	RUN_TEST(test_reverse_order_and_duplicate);
	RUN_TEST(test_many_small_shuffled);
	RUN_TEST(test_overlap_drops_datagram);
	RUN_TEST(test_timeout_releases_and_reports);
	RUN_TEST(test_slots_exhausted);
	RUN_TEST(test_byte_budget);
	RUN_TEST(test_too_many_fragments);
	RUN_TEST(test_inconsistent_fragments);
	RUN_TEST(test_tx_fragmentation);
	RUN_TEST(test_tx_fragmentation_finishes_offloaded_checksum);
	return test_summary();
}
