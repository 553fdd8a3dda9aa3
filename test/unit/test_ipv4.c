/* SPDX-License-Identifier: BSD-2-Clause */
/* test_ipv4.c - IPv4 input validation (RFC 791, RFC 1122 3.2.1), routing
 * and output, on crafted frames against one instance. */
#include "test.h"
#include "sim.h"
#include "fixture.h"
#include "wire.h"
#include "ipv4.h"

#define ME AXIP_IP4(10, 0, 0, 1)
#define PEER AXIP_IP4(10, 0, 0, 2)
#define GW AXIP_IP4(10, 0, 0, 254)
#define REMOTE AXIP_IP4(192, 0, 2, 33)

static uint8_t my_mac[6] = {2, 0, 0, 0, 0, 1};
static uint8_t peer_mac[6] = {2, 0, 0, 0, 0, 2};
static uint8_t gw_mac[6] = {2, 0, 0, 0, 0, 0xfe};
static uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static uint8_t frame[9300], out[9300];

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fix_ip_csum(uint8_t *f)
{
	uint32_t ihl = (uint32_t)(f[14] & 15) * 4;
	uint16_t c;
	f[24] = f[25] = 0;
	c = sim_ref_csum(f + 14, ihl, 0);
	f[24] = (uint8_t)(c >> 8);
	f[25] = (uint8_t)c;
}

/* A valid echo request from the peer to us: 8 bytes of data. */
static uint32_t echo_frame(uint8_t *f)
{
	return sim_build_icmp_echo(f, my_mac, peer_mac, PEER, ME, 0x77, 1, "12345678", 8);
}

/* Feed f (len bytes) and expect exactly counter `which` to have grown by one,
 * no frame out, no buffer held. */
#define EXPECT_DROP(h, f, len, field)                                     \
	do {                                                                  \
		axip_u64 before_ = fixture_ctr(h)->field, rx_ = fixture_ctr(h)->ip_rx;            \
		sim_single_rx(h, f, len, AXIP_MS(1));                             \
		CHECK_EQ(fixture_ctr(h)->field, before_ + 1);                             \
		CHECK_EQ(fixture_ctr(h)->ip_rx, rx_ + 1);                                 \
		CHECK_EQ(sim_single_tx_count(h), 0);                              \
		CHECK_EQ(sim_single_bufs_in_use(h), 0);                           \
	} while (0)

/* Feed and expect an echo reply (the datagram was accepted). */
static void expect_reply(struct sim_single *h, const uint8_t *f, uint32_t len)
{
	axip_u64 before = fixture_ctr(h)->icmp_tx_echo_reply;
	sim_single_rx(h, f, len, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_tx_echo_reply, before + 1);
	CHECK_EQ(sim_single_tx_count(h), 1);
	while (sim_single_tx_pop(h, out, sizeof(out)))
		;
}

static void test_header_validation(void)
{
	struct sim_single *h = fixture_host(0);
	uint32_t n;

	n = echo_frame(frame);
	expect_reply(h, frame, n);
	/* RFC 791: 20-byte minimum */
	EXPECT_DROP(h, frame, 14 + 19, ip_rx_short);
	n = echo_frame(frame);
	frame[14] = 0x65;
	EXPECT_DROP(h, frame, n, ip_rx_bad_version);
	n = echo_frame(frame);
	frame[14] = 0x44;
	fix_ip_csum(frame);
	EXPECT_DROP(h, frame, n, ip_rx_bad_ihl);
	/* IHL 15 = 60 bytes, but the datagram has 36 */
	n = echo_frame(frame);
	frame[14] = 0x4f;
	EXPECT_DROP(h, frame, n, ip_rx_bad_ihl);
	/* total length below the header, and beyond the frame */
	n = echo_frame(frame);
	store_be16(frame + 16, 19);
	fix_ip_csum(frame);
	EXPECT_DROP(h, frame, n, ip_rx_bad_len);
	n = echo_frame(frame);
	store_be16(frame + 16, (uint16_t)(n - 14 + 1));
	fix_ip_csum(frame);
	EXPECT_DROP(h, frame, n, ip_rx_bad_len);
	/* header checksum */
	n = echo_frame(frame);
	frame[25] ^= 1;
	EXPECT_DROP(h, frame, n, ip_rx_bad_csum);
	/* TTL 0 */
	n = echo_frame(frame);
	frame[22] = 0;
	fix_ip_csum(frame);
	EXPECT_DROP(h, frame, n, ip_rx_ttl_zero);
	CHECK_EQ(fixture_ctr(h)->ip_rx, 9);
	CHECK_EQ(fixture_ctr(h)->icmp_rx, 1);
	sim_single_free(h);
}

static void test_bad_sources(void)
{
	static const uint32_t bad[] = {
		0xffffffffu, AXIP_IP4(10, 0, 0, 255), AXIP_IP4(224, 0, 0, 1), AXIP_IP4(240, 1, 2, 3),
		AXIP_IP4(127, 0, 0, 1), 0, AXIP_IP4(0, 1, 2, 3), ME,
	};
	struct sim_single *h = fixture_host(0);
	uint32_t i, n;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = sim_build_icmp_echo(frame, my_mac, peer_mac, bad[i], ME, 1, 1, "x", 1);
		EXPECT_DROP(h, frame, n, ip_rx_bad_src);
	}
	CHECK_EQ(fixture_ctr(h)->ip_rx_bad_src, 8);
	sim_single_free(h);
}

static void test_destinations(void)
{
	struct sim_single *h = fixture_host(0);
	uint8_t l4[8] = {0};
	uint32_t n;

	/* not ours: another host, a multicast group, another subnet's broadcast */
	n = sim_build_icmp_echo(frame, my_mac, peer_mac, PEER, AXIP_IP4(10, 0, 0, 9), 1, 1, "x", 1);
	EXPECT_DROP(h, frame, n, ip_rx_not_for_us);
	n = sim_build_icmp_echo(frame, my_mac, peer_mac, PEER, AXIP_IP4(224, 0, 0, 1), 1, 1, "x", 1);
	EXPECT_DROP(h, frame, n, ip_rx_not_for_us);
	n = sim_build_icmp_echo(frame, my_mac, peer_mac, PEER, AXIP_IP4(10, 0, 1, 255), 1, 1, "x", 1);
	EXPECT_DROP(h, frame, n, ip_rx_not_for_us);
	/* broadcasts are accepted; an unknown protocol there gets no ICMP */
	n = sim_build_ipv4(frame, bcast_mac, peer_mac, PEER, AXIP_IP4(10, 0, 0, 255), 99, l4, 8);
	EXPECT_DROP(h, frame, n, ip_rx_unknown_proto);
	n = sim_build_ipv4(frame, bcast_mac, peer_mac, PEER, 0xffffffffu, 99, l4, 8);
	EXPECT_DROP(h, frame, n, ip_rx_unknown_proto);
	CHECK_EQ(fixture_ctr(h)->ip_rx_not_for_us, 3);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_unreach, 0);
	sim_single_free(h);
}

/* RFC 1122 3.2.2.1: an unknown protocol to a unicast address is answered
 * with protocol unreachable quoting the header and the data. */
static void test_unknown_protocol_unreachable(void)
{
	struct sim_single *h = fixture_host(0);
	uint8_t l4[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	uint32_t n, len;
	n = sim_build_ipv4(frame, my_mac, peer_mac, PEER, ME, 99, l4, sizeof(l4));
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->ip_rx_unknown_proto, 1);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_unreach, 1);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 14 + 20 + 8 + 20 + 12);
	CHECK(memcmp(out, peer_mac, 6) == 0);
	CHECK_EQ(be32(out + 26), ME);
	CHECK_EQ(be32(out + 30), PEER);
	CHECK_EQ(out[23], 1);
	CHECK_EQ(out[34], 3);
	CHECK_EQ(out[35], 2);
	CHECK(memcmp(out + 42, frame + 14, 32) == 0);
	CHECK_EQ(sim_ref_csum(out + 34, 8 + 32, 0), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_padding_trimmed_and_options_skipped(void)
{
	struct sim_single *h = fixture_host(0);
	uint8_t icmp[12];
	uint32_t n, len;
	uint16_t c;

	/* 60-byte minimum Ethernet frame: 14 bytes of padding after the datagram */
	n = sim_build_icmp_echo(frame, my_mac, peer_mac, PEER, ME, 5, 6, "pad!", 4);
	CHECK_EQ(n, 46);
	memset(frame + n, 0xee, 14);
	sim_single_rx(h, frame, 60, AXIP_MS(1));
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 46);
	CHECK_EQ(be16(out + 16), 32);
	CHECK(memcmp(out + 42, "pad!", 4) == 0);
	CHECK_EQ(sim_ref_csum(out + 34, 12, 0), 0);

	/* IHL 6: one 4-byte option (NOP x4) moves the payload */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 8;
	icmp[5] = 9;
	memcpy(icmp + 8, "opts", 4);
	c = sim_ref_csum(icmp, 12, 0);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	n = sim_build_ipv4(frame, my_mac, peer_mac, PEER, ME, 1, icmp, 12);
	memmove(frame + 38, frame + 34, 12);
	memset(frame + 34, 1, 4);
	frame[14] = 0x46;
	store_be16(frame + 16, 36);
	fix_ip_csum(frame);
	sim_single_rx(h, frame, n + 4, AXIP_MS(1));
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 14 + 20 + 12); /* options are not echoed */
	CHECK_EQ(out[34], 0);
	CHECK_EQ(be16(out + 38), 9); /* identifier */
	CHECK_EQ(be16(out + 40), 0); /* sequence */
	CHECK(memcmp(out + 42, "opts", 4) == 0);
	CHECK_EQ(sim_ref_csum(out + 34, 12, 0), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_header_split_over_buffers(void)
{
	struct sim_single *h = fixture_host(0);
	uint32_t n = echo_frame(frame);
	uint32_t split;
	/* the IPv4 header starts in the first buffer and continues after it */
	for (split = 15; split < 14 + 20; split += 6) {
		axip_u64 before = fixture_ctr(h)->icmp_tx_echo_reply;
		sim_single_rx_split(h, frame, n, AXIP_MS(1), split);
		CHECK_EQ(fixture_ctr(h)->icmp_tx_echo_reply, before + 1);
		while (sim_single_tx_pop(h, out, sizeof(out)))
			;
	}
	/* a datagram shorter than 20 bytes spread over buffers */
	sim_single_rx_split(h, frame, 14 + 19, AXIP_MS(1), 16);
	CHECK_EQ(fixture_ctr(h)->ip_rx_short, 1);
	CHECK_EQ(fixture_ctr(h)->eth_rx_sg_unsupported, 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* A header split over buffers that cannot be pulled together (no tailroom
 * in the first one) is refused, not read across the gap. */
static void test_header_not_linearizable(void)
{
	struct sim_single *h = fixture_host(0);
	struct axip_stack *s = sim_single_stack(h);
	struct axip_pkt *a = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	struct axip_pkt *b = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	uint32_t n = echo_frame(frame);
	memcpy(a->data, frame + 14, 10);
	a->len = 10;
	a->tailroom = 0;
	memcpy(b->data, frame + 24, n - 24);
	b->len = n - 24;
	b->tailroom -= b->len;
	a->sg_next = b;
	ipv4_input(s, a);
	CHECK_EQ(fixture_ctr(h)->eth_rx_sg_unsupported, 1);
	CHECK_EQ(fixture_ctr(h)->icmp_rx, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* AXIP_PKT_RX_IP_CSUM_OK (here from a trusted link) skips the header check. */
static void test_offloaded_checksum_trusted(void)
{
	struct sim_single *h = fixture_host(AXIP_CAP_TRUSTED_CSUM);
	uint32_t n = echo_frame(frame);
	frame[25] ^= 1;
	expect_reply(h, frame, n);
	CHECK_EQ(fixture_ctr(h)->ip_rx_bad_csum, 0);
	sim_single_free(h);
}

static void test_route(void)
{
	struct axip_config c;
	struct sim_single *h;
	struct axip_stack *s;
	axip_u32 nh = 0, src = 0;

	fixture_cfg(&c);
	c.n_addrs = 2;
	c.addrs[1].addr = AXIP_IP4(172, 16, 5, 1);
	c.addrs[1].prefix_len = 16;
	h = fixture_host_cfg(&c, 0);
	s = sim_single_stack(h);
	/* on-link: next hop is the destination, source from its subnet */
	CHECK_EQ(ipv4_route(s, PEER, &nh, &src), AXIP_OK);
	CHECK_EQ(nh, PEER);
	CHECK_EQ(src, ME);
	CHECK_EQ(ipv4_route(s, AXIP_IP4(172, 16, 200, 7), &nh, &src), AXIP_OK);
	CHECK_EQ(nh, AXIP_IP4(172, 16, 200, 7));
	CHECK_EQ(src, AXIP_IP4(172, 16, 5, 1));
	/* broadcasts */
	CHECK_EQ(ipv4_route(s, AXIP_IP4(172, 16, 255, 255), &nh, &src), AXIP_OK);
	CHECK_EQ(nh, AXIP_IP4(172, 16, 255, 255));
	CHECK_EQ(src, AXIP_IP4(172, 16, 5, 1));
	CHECK_EQ(ipv4_route(s, 0xffffffffu, &nh, &src), AXIP_OK);
	CHECK_EQ(nh, 0xffffffffu);
	CHECK_EQ(src, ME);
	/* no gateway: off-link is unreachable; so are local, loopback, multicast */
	CHECK_EQ(ipv4_route(s, REMOTE, &nh, &src), AXIP_E_UNREACH);
	CHECK_EQ(ipv4_route(s, ME, &nh, &src), AXIP_E_UNREACH);
	CHECK_EQ(ipv4_route(s, AXIP_IP4(127, 0, 0, 1), &nh, &src), AXIP_E_UNREACH);
	CHECK_EQ(ipv4_route(s, AXIP_IP4(224, 0, 0, 1), &nh, &src), AXIP_E_UNREACH);
	CHECK_EQ(ipv4_route(s, 0, &nh, &src), AXIP_E_UNREACH);
	CHECK(ipv4_is_local(s, AXIP_IP4(172, 16, 5, 1)));
	CHECK(!ipv4_is_local(s, AXIP_IP4(172, 16, 5, 2)));
	CHECK(ipv4_is_broadcast(s, AXIP_IP4(10, 0, 0, 255)));
	CHECK(ipv4_is_broadcast(s, AXIP_IP4(172, 16, 255, 255)));
	CHECK(!ipv4_is_broadcast(s, AXIP_IP4(10, 0, 0, 0)));
	sim_single_free(h);

	/* via the gateway, preferred source on the gateway's subnet */
	fixture_cfg(&c);
	c.gateway = GW;
	h = fixture_host_cfg(&c, 0);
	s = sim_single_stack(h);
	CHECK_EQ(ipv4_route(s, REMOTE, &nh, &src), AXIP_OK);
	CHECK_EQ(nh, GW);
	CHECK_EQ(src, ME);
	sim_single_free(h);

	/* /31 (RFC 3021) and /32 have no broadcast address */
	fixture_cfg(&c);
	c.addrs[0].prefix_len = 31;
	h = fixture_host_cfg(&c, 0);
	s = sim_single_stack(h);
	CHECK(!ipv4_is_broadcast(s, AXIP_IP4(10, 0, 0, 1)));
	CHECK(!ipv4_is_broadcast(s, AXIP_IP4(10, 0, 0, 0)));
	CHECK_EQ(ipv4_route(s, AXIP_IP4(10, 0, 0, 0), &nh, &src), AXIP_OK);
	sim_single_free(h);
}

/* A packet with `len` L4 bytes of pattern, as a transport hands it down. */
static struct axip_pkt *l4_pkt(struct axip_stack *s, uint32_t len, uint8_t seed)
{
	struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	uint32_t i;
	for (i = 0; i < len; i++)
		p->data[i] = (uint8_t)(seed + i);
	p->len = len;
	p->tailroom -= len;
	return p;
}

static void test_output_header(void)
{
	struct axip_config c;
	struct sim_single *h;
	struct axip_stack *s;
	uint32_t len, i;
	uint16_t id0;

	fixture_cfg(&c);
	c.gateway = GW;
	c.secret[0] = 0xa5;
	c.secret[1] = 0x3c;
	h = fixture_host_cfg(&c, 0);
	s = sim_single_stack(h);
	CHECK_EQ(axip_neigh_set(s, GW, gw_mac, 1), AXIP_OK);
	CHECK_EQ(ipv4_output(s, l4_pkt(s, 30, 1), 0, PEER, 17, 0), AXIP_OK);
	CHECK_EQ(ipv4_output(s, l4_pkt(s, 30, 1), 0, REMOTE, 17, IPV4_TX_DF), AXIP_OK);
	CHECK_EQ(fixture_ctr(h)->ip_tx, 2);
	REQUIRE(sim_single_tx_count(h) == 2);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 14 + 20 + 30);
	CHECK(memcmp(out, peer_mac, 6) == 0);
	CHECK(memcmp(out + 6, my_mac, 6) == 0);
	CHECK_EQ(out[14], 0x45);
	CHECK_EQ(out[15], 0);
	CHECK_EQ(be16(out + 16), 50);
	id0 = be16(out + 18);
	/* the first Identification comes from the instance's secret, so two
	 * instances sharing an address do not send the same sequence */
	CHECK_EQ(id0, 0xa53c);
	CHECK_EQ(be16(out + 20), 0);
	CHECK_EQ(out[22], 64);
	CHECK_EQ(out[23], 17);
	CHECK_EQ(be32(out + 26), ME);
	CHECK_EQ(be32(out + 30), PEER);
	CHECK_EQ(sim_ref_csum(out + 14, 20, 0), 0);
	for (i = 0; i < 30; i++)
		CHECK_EQ(out[34 + i], (uint8_t)(1 + i));
	/* through the gateway: its MAC, the remote address, DF, next ID */
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 14 + 20 + 30);
	CHECK(memcmp(out, gw_mac, 6) == 0);
	CHECK_EQ(be32(out + 30), REMOTE);
	CHECK_EQ(be16(out + 20), 0x4000);
	CHECK_EQ(be16(out + 18), (uint16_t)(id0 + 1));
	CHECK_EQ(sim_ref_csum(out + 14, 20, 0), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);

	/* the header checksum left to the NIC (the sim fills it) */
	fixture_cfg(&c);
	h = fixture_host_cfg(&c, AXIP_CAP_TX_IP_CSUM);
	s = sim_single_stack(h);
	CHECK_EQ(ipv4_output(s, l4_pkt(s, 10, 3), AXIP_IP4(10, 0, 0, 1), PEER, 17, 0), AXIP_OK);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 14 + 20 + 10);
	CHECK_EQ(sim_ref_csum(out + 14, 20, 0), 0);
	sim_single_free(h);
}

static void test_output_errors(void)
{
	struct sim_single *h = fixture_host(AXIP_CAP_SG);
	struct axip_stack *s = sim_single_stack(h);
	struct axip_pkt *p, *q;

	CHECK_EQ(ipv4_output(s, l4_pkt(s, 10, 0), 0, REMOTE, 17, 0), AXIP_E_UNREACH);
	CHECK_EQ(fixture_ctr(h)->ip_tx_no_route, 1);
	/* DF and over the MTU: the transport must segment */
	p = l4_pkt(s, 1000, 0);
	p->sg_next = l4_pkt(s, 481, 0);
	CHECK_EQ(ipv4_output(s, p, 0, PEER, 6, IPV4_TX_DF), AXIP_E_MSGSIZE);
	CHECK_EQ(fixture_ctr(h)->ip_tx_too_big, 1);
	/* exactly the MTU passes */
	p = l4_pkt(s, 1000, 0);
	p->sg_next = l4_pkt(s, 480, 0);
	CHECK_EQ(ipv4_output(s, p, 0, PEER, 6, IPV4_TX_DF), AXIP_OK);
	/* over 65535 in all */
	p = l4_pkt(s, 1, 0);
	for (q = p; axip_pkt_chain_len(p) <= 65535 - 20;) {
		q->sg_next = l4_pkt(s, 1800, 0);
		q = q->sg_next;
	}
	CHECK_EQ(ipv4_output(s, p, 0, PEER, 17, 0), AXIP_E_MSGSIZE);
	CHECK_EQ(fixture_ctr(h)->ip_tx_too_big, 2);
	CHECK_EQ(fixture_ctr(h)->ip_tx, 1);
	CHECK_EQ(fixture_ctr(h)->ip_frag_tx, 0);
	REQUIRE(sim_single_tx_count(h) == 1);
	CHECK_EQ(sim_single_tx_pop(h, out, sizeof(out)), 14 + 1500);
	CHECK_EQ(be16(out + 20), 0x4000);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

int main(void)
{
	RUN_TEST(test_header_validation);
	RUN_TEST(test_bad_sources);
	RUN_TEST(test_destinations);
	RUN_TEST(test_unknown_protocol_unreachable);
	RUN_TEST(test_padding_trimmed_and_options_skipped);
	RUN_TEST(test_header_split_over_buffers);
	RUN_TEST(test_header_not_linearizable);
	RUN_TEST(test_offloaded_checksum_trusted);
	RUN_TEST(test_route);
	RUN_TEST(test_output_header);
	RUN_TEST(test_output_errors);
	return test_summary();
}
