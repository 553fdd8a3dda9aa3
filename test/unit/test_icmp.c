/* SPDX-License-Identifier: BSD-2-Clause */
/* test_icmp.c - ICMP (RFC 792, RFC 1122 3.2.2): echo, error rules and rate
 * limit, errors received, on crafted frames against one instance. */
#include "test.h"
#include "sim.h"
#include "fixture.h"
#include "wire.h"
#include "icmp.h"

#define ME AXIP_IP4(10, 0, 0, 1)
#define PEER AXIP_IP4(10, 0, 0, 2)

static uint8_t my_mac[6] = {2, 0, 0, 0, 0, 1};
static uint8_t peer_mac[6] = {2, 0, 0, 0, 0, 2};
static uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static uint8_t frame[9300], out[9300];

static void fill(uint8_t *b, uint32_t n, uint32_t seed)
{
	uint32_t i;
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7u + seed);
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Check an outgoing IPv4 frame from us to the peer; returns its ICMP part. */
static const uint8_t *check_ip_to_peer(const uint8_t *f, uint32_t len, uint32_t icmp_len)
{
	CHECK_EQ(len, 14 + 20 + icmp_len);
	CHECK(memcmp(f, peer_mac, 6) == 0);
	CHECK(memcmp(f + 6, my_mac, 6) == 0);
	CHECK_EQ(be16(f + 12), 0x0800);
	CHECK_EQ(f[14], 0x45);
	CHECK_EQ(be16(f + 16), 20 + icmp_len);
	CHECK_EQ(f[22], 64);
	CHECK_EQ(f[23], 1);
	CHECK_EQ(be32(f + 26), ME);
	CHECK_EQ(be32(f + 30), PEER);
	CHECK_EQ(sim_ref_csum(f + 14, 20, 0), 0);
	CHECK_EQ(sim_ref_csum(f + 34, icmp_len, 0), 0);
	return f + 34;
}

static void test_echo_reply_exact_bytes(void)
{
	struct sim_single *h = fixture_host(0);
	uint8_t payload[56];
	uint8_t expect[64];
	uint32_t n, len;
	uint16_t c;

	fill(payload, sizeof(payload), 3);
	n = sim_build_icmp_echo(frame, my_mac, peer_mac, PEER, ME, 0x1234, 7, payload, sizeof(payload));
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx, 1);
	CHECK_EQ(fixture_ctr(h)->icmp_rx_echo, 1);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_echo_reply, 1);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	check_ip_to_peer(out, len, 64);
	/* expected ICMP: type 0 code 0, same id/seq/data, checksum from scratch */
	memset(expect, 0, sizeof(expect));
	expect[4] = 0x12; expect[5] = 0x34; expect[7] = 7;
	memcpy(expect + 8, payload, sizeof(payload));
	c = sim_ref_csum(expect, sizeof(expect), 0);
	expect[2] = (uint8_t)(c >> 8);
	expect[3] = (uint8_t)c;
	CHECK(memcmp(out + 34, expect, sizeof(expect)) == 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* A request split over several receive buffers, with and without SG TX. */
static void echo_multibuffer(uint32_t caps, uint32_t split)
{
	struct sim_single *h = fixture_host(caps);
	static uint8_t payload[1400];
	uint32_t n, len;
	const uint8_t *icmp;

	fill(payload, sizeof(payload), 11);
	n = sim_build_icmp_echo(frame, my_mac, peer_mac, PEER, ME, 0xbeef, 0x0102, payload,
	                        sizeof(payload));
	sim_single_rx_split(h, frame, n, AXIP_MS(1), split);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_echo_reply, 1);
	CHECK_EQ(fixture_ctr(h)->tx_env_drop, 0);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	icmp = check_ip_to_peer(out, len, 8 + sizeof(payload));
	CHECK_EQ(icmp[0], 0);
	CHECK_EQ(icmp[1], 0);
	CHECK_EQ(be16(icmp + 4), 0xbeef);
	CHECK_EQ(be16(icmp + 6), 0x0102);
	CHECK(memcmp(icmp + 8, payload, sizeof(payload)) == 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_echo_multibuffer_copied(void)
{
	echo_multibuffer(0, 300);
	/* the split falls inside the ICMP header: it is pulled together first */
	echo_multibuffer(0, 14 + 20 + 3);
}

static void test_echo_multibuffer_sg(void)
{
	echo_multibuffer(AXIP_CAP_SG, 300);
}

static void test_echo_broadcast_not_answered(void)
{
	struct sim_single *h = fixture_host(0);
	uint32_t n;
	n = sim_build_icmp_echo(frame, bcast_mac, peer_mac, PEER, AXIP_IP4(10, 0, 0, 255), 1, 1,
	                        "abcd", 4);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	n = sim_build_icmp_echo(frame, bcast_mac, peer_mac, PEER, 0xffffffffu, 1, 2, "abcd", 4);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx_echo, 2);
	CHECK_EQ(fixture_ctr(h)->icmp_rx_echo_bcast, 2);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_echo_reply, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_bad_checksum_and_truncated(void)
{
	struct sim_single *h = fixture_host(0);
	uint8_t icmp[7] = {8, 0, 0, 0, 0, 1, 0};
	uint32_t n;

	n = sim_build_icmp_echo(frame, my_mac, peer_mac, PEER, ME, 1, 1, "hello", 5);
	frame[14 + 20 + 8] ^= 0x40; /* payload byte: ICMP checksum now wrong */
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx_bad, 1);
	n = sim_build_ipv4(frame, my_mac, peer_mac, PEER, ME, 1, icmp, sizeof(icmp));
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx_bad, 2);
	CHECK_EQ(fixture_ctr(h)->icmp_rx, 2);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_echo_reply, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_other_types(void)
{
	struct sim_single *h = fixture_host(0);
	uint8_t icmp[36];
	uint16_t c;
	uint32_t n;

	/* echo reply (we send no requests) and an unassigned type */
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 0;
	c = sim_ref_csum(icmp, 8, 0);
	icmp[2] = (uint8_t)(c >> 8); icmp[3] = (uint8_t)c;
	n = sim_build_ipv4(frame, my_mac, peer_mac, PEER, ME, 1, icmp, 8);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = 42;
	c = sim_ref_csum(icmp, 8, 0);
	icmp[2] = (uint8_t)(c >> 8); icmp[3] = (uint8_t)c;
	n = sim_build_ipv4(frame, my_mac, peer_mac, PEER, ME, 1, icmp, 8);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx_unknown_type, 2);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* An ICMP error quoting a datagram: type/code, quoted IPv4 header of a
 * datagram qsrc -> qdst with protocol qproto, then `qpay` payload bytes. */
static uint32_t build_error(uint8_t *f, uint8_t type, uint8_t code, uint16_t mtu, uint32_t qsrc,
                            uint32_t qdst, uint8_t qproto, uint32_t qpay)
{
	uint8_t icmp[8 + 20 + 64];
	uint8_t *q = icmp + 8;
	uint16_t c;
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = type;
	icmp[1] = code;
	icmp[6] = (uint8_t)(mtu >> 8);
	icmp[7] = (uint8_t)mtu;
	q[0] = 0x45;
	q[3] = (uint8_t)(20 + 40);
	q[6] = 0x40;
	q[8] = 64;
	q[9] = qproto;
	q[12] = (uint8_t)(qsrc >> 24); q[13] = (uint8_t)(qsrc >> 16); q[14] = (uint8_t)(qsrc >> 8); q[15] = (uint8_t)qsrc;
	q[16] = (uint8_t)(qdst >> 24); q[17] = (uint8_t)(qdst >> 16); q[18] = (uint8_t)(qdst >> 8); q[19] = (uint8_t)qdst;
	c = sim_ref_csum(q, 20, 0);
	q[10] = (uint8_t)(c >> 8); q[11] = (uint8_t)c;
	fill(q + 20, qpay, 5);
	c = sim_ref_csum(icmp, 8 + 20 + qpay, 0);
	icmp[2] = (uint8_t)(c >> 8); icmp[3] = (uint8_t)c;
	return sim_build_ipv4(f, my_mac, peer_mac, AXIP_IP4(10, 0, 0, 254), ME, 1, icmp, 8 + 20 + qpay);
}

static void test_errors_received(void)
{
	struct sim_single *h = fixture_host(0);
	uint32_t n;
	const uint32_t remote = AXIP_IP4(192, 0, 2, 9);

	/* frag needed about a TCP segment we sent: delivered to TCP */
	n = build_error(frame, 3, 4, 1400, ME, remote, 6, 20);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx_error, 1);
	/* port unreachable about UDP, time exceeded and parameter problem */
	n = build_error(frame, 3, 3, 0, ME, remote, 17, 8);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	n = build_error(frame, 11, 0, 0, ME, remote, 6, 8);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	n = build_error(frame, 12, 0, 0, ME, remote, 6, 8);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx_error, 4);
	/* quoting a datagram that was not ours, or another protocol */
	n = build_error(frame, 3, 1, 0, AXIP_IP4(10, 0, 0, 7), remote, 6, 8);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	n = build_error(frame, 3, 1, 0, ME, remote, 47, 8);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	/* source quench: RFC 6633 says ignore */
	n = build_error(frame, 4, 0, 0, ME, remote, 6, 8);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx_error_ignored, 3);
	CHECK_EQ(fixture_ctr(h)->icmp_rx_error, 4);
	/* quote shorter than header + 8: malformed */
	n = build_error(frame, 3, 1, 0, ME, remote, 6, 7);
	sim_single_rx(h, frame, n, AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->icmp_rx_bad, 1);
	/* the same over a chain split inside the quoted header */
	n = build_error(frame, 3, 4, 1280, ME, remote, 6, 20);
	sim_single_rx_split(h, frame, n, AXIP_MS(1), 14 + 20 + 8 + 10);
	CHECK_EQ(fixture_ctr(h)->icmp_rx_error, 5);
	CHECK_EQ(fixture_ctr(h)->icmp_rx, 9);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* UDP to a closed port, from the peer. */
static void send_closed_port(struct sim_single *h, axip_time_ns now)
{
	uint32_t n = sim_build_udp(frame, my_mac, peer_mac, PEER, ME, 4000, 9, "ping", 4, 1);
	sim_single_rx(h, frame, n, now);
}

static void test_port_unreachable_rate_limited(void)
{
	struct axip_config c;
	struct sim_single *h;
	uint32_t i, len;
	const uint8_t *icmp;

	fixture_cfg(&c);
	c.icmp_rate_per_sec = 10; /* one token per 100 ms */
	c.icmp_burst = 3;
	h = fixture_host_cfg(&c, 0);
	for (i = 0; i < 5; i++)
		send_closed_port(h, AXIP_SEC(1));
	CHECK_EQ(fixture_ctr(h)->icmp_tx_unreach, 3);
	CHECK_EQ(fixture_ctr(h)->icmp_rate_limited, 2);
	REQUIRE(sim_single_tx_count(h) == 3);
	/* the first one, byte-checked: header + all 12 bytes of the datagram */
	len = sim_single_tx_pop(h, out, sizeof(out));
	icmp = check_ip_to_peer(out, len, 8 + 20 + 12);
	CHECK_EQ(icmp[0], 3);
	CHECK_EQ(icmp[1], 3);
	CHECK_EQ(be32(icmp + 4), 0);
	CHECK(memcmp(icmp + 8, frame + 14, 20 + 12) == 0);
	while (sim_single_tx_pop(h, out, sizeof(out)))
		;
	/* 99 ms later: still empty; at 100 ms one token is back */
	send_closed_port(h, AXIP_SEC(1) + AXIP_MS(99));
	CHECK_EQ(fixture_ctr(h)->icmp_rate_limited, 3);
	send_closed_port(h, AXIP_SEC(1) + AXIP_MS(199));
	send_closed_port(h, AXIP_SEC(1) + AXIP_MS(199));
	CHECK_EQ(fixture_ctr(h)->icmp_tx_unreach, 4);
	CHECK_EQ(fixture_ctr(h)->icmp_rate_limited, 4);
	/* a long pause refills only up to the burst */
	for (i = 0; i < 6; i++)
		send_closed_port(h, AXIP_SEC(100));
	CHECK_EQ(fixture_ctr(h)->icmp_tx_unreach, 7);
	CHECK_EQ(fixture_ctr(h)->icmp_rate_limited, 7);
	while (sim_single_tx_pop(h, out, sizeof(out)))
		;
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_rate_zero_never_sends(void)
{
	struct axip_config c;
	struct sim_single *h;
	fixture_cfg(&c);
	c.icmp_rate_per_sec = 0;
	h = fixture_host_cfg(&c, 0);
	send_closed_port(h, AXIP_SEC(5));
	CHECK_EQ(fixture_ctr(h)->icmp_tx_unreach, 0);
	CHECK_EQ(fixture_ctr(h)->icmp_rate_limited, 1);
	CHECK_EQ(sim_single_tx_count(h), 0);
	sim_single_free(h);
}

/* Direct calls of icmp_send_error with a crafted datagram. */
struct crafted {
	struct axip_pkt *orig;
	struct ipv4_rx_info info;
	uint8_t hdr[20];
};

static void craft(struct sim_single *h, struct crafted *d, uint32_t src, uint32_t dst, uint8_t proto,
                  uint16_t frag, const uint8_t *l4, uint32_t l4_len)
{
	struct axip_stack *s = sim_single_stack(h);
	memset(d->hdr, 0, 20);
	d->hdr[0] = 0x45;
	d->hdr[2] = (uint8_t)((20 + l4_len) >> 8);
	d->hdr[3] = (uint8_t)(20 + l4_len);
	d->hdr[6] = (uint8_t)(frag >> 8);
	d->hdr[7] = (uint8_t)frag;
	d->hdr[8] = 61;
	d->hdr[9] = proto;
	store_be32(d->hdr + 12, src);
	store_be32(d->hdr + 16, dst);
	store_be16(d->hdr + 10, sim_ref_csum(d->hdr, 20, 0));
	d->orig = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	memcpy(d->orig->data, l4, l4_len);
	d->orig->len = l4_len;
	d->orig->tailroom -= l4_len;
	memset(&d->info, 0, sizeof(d->info));
	d->info.src = src;
	d->info.dst = dst;
	d->info.proto = proto;
	d->info.ttl = 61;
	d->info.hdr = d->hdr;
	d->info.hdr_len = 20;
	d->info.dst_is_broadcast = (dst == 0xffffffffu || dst == AXIP_IP4(10, 0, 0, 255));
}

static void test_send_error_rules(void)
{
	struct sim_single *h = fixture_host(0);
	struct axip_stack *s = sim_single_stack(h);
	struct crafted d;
	static uint8_t l4[1000];
	uint8_t icmp_err[8] = {3, 3, 0, 0, 0, 0, 0, 0};
	uint8_t icmp_echo[8] = {8, 0, 0, 0, 0, 0, 0, 0};
	uint32_t len;
	const uint8_t *icmp;

	fill(l4, sizeof(l4), 1);
	axip_set_time(s, AXIP_SEC(1));
	/* RFC 1122 3.2.2: not about broadcasts, non-initial fragments, bad
	 * sources or ICMP errors */
	craft(h, &d, PEER, AXIP_IP4(10, 0, 0, 255), 17, 0, l4, 100);
	icmp_send_error(s, d.orig, &d.info, 3, 3, 0);
	axip_pkt_free(s, d.orig);
	craft(h, &d, PEER, AXIP_IP4(224, 0, 0, 5), 17, 0, l4, 100);
	icmp_send_error(s, d.orig, &d.info, 3, 3, 0);
	axip_pkt_free(s, d.orig);
	craft(h, &d, PEER, ME, 17, 0x2000 | 185, l4, 100);
	icmp_send_error(s, d.orig, &d.info, 3, 3, 0);
	axip_pkt_free(s, d.orig);
	craft(h, &d, AXIP_IP4(10, 0, 0, 255), ME, 17, 0, l4, 100);
	icmp_send_error(s, d.orig, &d.info, 3, 3, 0);
	axip_pkt_free(s, d.orig);
	craft(h, &d, PEER, ME, 1, 0, icmp_err, 8);
	icmp_send_error(s, d.orig, &d.info, 3, 2, 0);
	axip_pkt_free(s, d.orig);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(fixture_ctr(h)->icmp_rate_limited, 0);

	/* about an ICMP query: allowed */
	craft(h, &d, PEER, ME, 1, 0, icmp_echo, 8);
	icmp_send_error(s, d.orig, &d.info, 3, 2, 0);
	axip_pkt_free(s, d.orig);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	icmp = check_ip_to_peer(out, len, 8 + 20 + 8);
	CHECK_EQ(icmp[0], 3);
	CHECK_EQ(icmp[1], 2);

	/* the first fragment of a long datagram, frag needed: the quote fills
	 * 576 bytes (RFC 1812 4.3.2.3), the MTU is in bytes 6-7 (RFC 1191) */
	craft(h, &d, PEER, ME, 17, 0x2000, l4, 1000);
	icmp_send_error(s, d.orig, &d.info, 3, 4, 1400);
	axip_pkt_free(s, d.orig);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	icmp = check_ip_to_peer(out, len, 576 - 20);
	CHECK_EQ(icmp[0], 3);
	CHECK_EQ(icmp[1], 4);
	CHECK_EQ(be16(icmp + 4), 0);
	CHECK_EQ(be16(icmp + 6), 1400);
	CHECK(memcmp(icmp + 8, d.hdr, 20) == 0);
	CHECK(memcmp(icmp + 28, l4, 576 - 20 - 8 - 20) == 0);
	CHECK_EQ(fixture_ctr(h)->icmp_tx_unreach, 2);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

int main(void)
{
	RUN_TEST(test_echo_reply_exact_bytes);
	RUN_TEST(test_echo_multibuffer_copied);
	RUN_TEST(test_echo_multibuffer_sg);
	RUN_TEST(test_echo_broadcast_not_answered);
	RUN_TEST(test_bad_checksum_and_truncated);
	RUN_TEST(test_other_types);
	RUN_TEST(test_errors_received);
	RUN_TEST(test_port_unreachable_rate_limited);
	RUN_TEST(test_rate_zero_never_sends);
	RUN_TEST(test_send_error_rules);
	return test_summary();
}
