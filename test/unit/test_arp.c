/* SPDX-License-Identifier: BSD-2-Clause */
/* test_arp.c - ARP (RFC 826) and the neighbour cache: replies byte by byte,
 * validation, learning rules, resolution with queueing, retries on the
 * virtual clock, eviction, expiry, announcements, conflicts, the public API. */
#include "test.h"
#include "sim.h"
#include "fixture.h"
#include "arp.h"
#include "wire.h"

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t zero6[6] = {0, 0, 0, 0, 0, 0};
#define OUR_IP AXIP_IP4(10, 0, 0, 1)
#define PEER_IP AXIP_IP4(10, 0, 0, 2)
#define T0 AXIP_SEC(5)

static void base_cfg(struct axip_config *c)
{
	fixture_cfg(c);
	memcpy(c->secret, "arp-test-secret!", 16);
}

static struct sim_single *single(const struct axip_config *c)
{
	struct sim_single *h = sim_single_new(c, 0);
	sim_single_poll(h, T0);
	return h;
}

static struct sim_single *single_default(void)
{
	struct axip_config c;
	base_cfg(&c);
	return single(&c);
}

/* Ethernet + ARP frame; `pad` zero bytes appended (Ethernet minimum size). */
static uint32_t build_arp(uint8_t *f, const uint8_t eth_dst[6], const uint8_t eth_src[6],
                          uint16_t op, const uint8_t sha[6], uint32_t spa, const uint8_t tha[6],
                          uint32_t tpa, uint32_t pad)
{
	uint8_t *a = f + 14;
	memcpy(f, eth_dst, 6);
	memcpy(f + 6, eth_src, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	a[0] = 0; a[1] = 1;          /* Ethernet */
	a[2] = 0x08; a[3] = 0x00;    /* IPv4 */
	a[4] = 6; a[5] = 4;
	a[6] = (uint8_t)(op >> 8); a[7] = (uint8_t)op;
	memcpy(a + 8, sha, 6);
	store_be32(a + 14, spa);
	memcpy(a + 18, tha, 6);
	store_be32(a + 24, tpa);
	memset(a + 28, 0, pad);
	return 14 + 28 + pad;
}

/* A request from the peer for `tpa`, padded to 60 bytes. */
static void rx_request(struct sim_single *h, const uint8_t *sha, uint32_t spa, uint32_t tpa,
                       axip_time_ns now)
{
	uint8_t f[64];
	uint32_t n = build_arp(f, bcast, sha, 1, sha, spa, zero6, tpa, 18);
	sim_single_rx(h, f, n, now);
}

static void rx_reply(struct sim_single *h, const uint8_t *sha, uint32_t spa, uint32_t tpa,
                     axip_time_ns now)
{
	uint8_t f[64];
	uint32_t n = build_arp(f, our_mac, sha, 2, sha, spa, our_mac, tpa, 0);
	sim_single_rx(h, f, n, now);
}

/* Check a transmitted frame is exactly the ARP packet described. */
static void check_arp_frame(const uint8_t *f, uint32_t len, const uint8_t eth_dst[6], uint16_t op,
                            uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
	const uint8_t *a = f + 14;
	CHECK_EQ(len, 42);
	CHECK(memcmp(f, eth_dst, 6) == 0);
	CHECK(memcmp(f + 6, our_mac, 6) == 0);
	CHECK_EQ(load_be16(f + 12), 0x0806);
	CHECK_EQ(load_be16(a + 0), 1);
	CHECK_EQ(load_be16(a + 2), 0x0800);
	CHECK_EQ(a[4], 6);
	CHECK_EQ(a[5], 4);
	CHECK_EQ(load_be16(a + 6), op);
	CHECK(memcmp(a + 8, our_mac, 6) == 0);
	CHECK_EQ(load_be32(a + 14), spa);
	CHECK(memcmp(a + 18, tha, 6) == 0);
	CHECK_EQ(load_be32(a + 24), tpa);
}

/* An IPv4 packet (20-byte header, 8 payload bytes whose first holds `mark`)
 * handed straight to arp_output, as ipv4_output would. */
static void send_ip(struct sim_single *h, uint32_t nexthop, uint8_t mark)
{
	struct axip_stack *s = sim_single_stack(h);
	struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	REQUIRE(p != NULL);
	memset(p->data, 0, 28);
	p->data[0] = 0x45;
	store_be16(p->data + 2, 28);
	p->data[8] = 64;
	p->data[9] = 17;
	store_be32(p->data + 12, OUR_IP);
	store_be32(p->data + 16, nexthop);
	p->data[20] = mark;
	p->len = 28;
	p->tailroom -= 28;
	arp_output(s, p, nexthop);
}

static void test_request_for_us_gets_one_exact_reply(void)
{
	struct sim_single *h = single_default();
	uint8_t f[128];
	uint32_t n;
	struct axip_neigh nb;

	rx_request(h, peer_mac, PEER_IP, OUR_IP, T0);
	CHECK_EQ(sim_single_tx_count(h), 1);
	n = sim_single_tx_pop(h, f, sizeof(f));
	/* padding of the request is not echoed: 42 bytes exactly */
	check_arp_frame(f, n, peer_mac, 2, OUR_IP, peer_mac, PEER_IP);
	CHECK_EQ(fixture_ctr(h)->arp_rx_request, 1);
	CHECK_EQ(fixture_ctr(h)->arp_tx_reply, 1);
	CHECK_EQ(fixture_ctr(h)->arp_tx_request, 0);
	/* RFC 826: the requester, talking to us, is learned */
	CHECK_EQ(axip_neigh_get(sim_single_stack(h), PEER_IP, &nb), AXIP_OK);
	CHECK_EQ(nb.state, AXIP_NEIGH_REACHABLE);
	CHECK(memcmp(nb.mac, peer_mac, 6) == 0);
	CHECK_EQ(nb.expires, T0 + AXIP_SEC(60));
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_probe_answered_not_learned(void)
{
	/* RFC 5227 2.1.1: a probe (sender address 0) is answered, not learned */
	struct sim_single *h = single_default();
	uint8_t f[128];
	uint32_t n;
	struct axip_neigh nb[4];

	rx_request(h, peer_mac, 0, OUR_IP, T0);
	n = sim_single_tx_pop(h, f, sizeof(f));
	check_arp_frame(f, n, peer_mac, 2, OUR_IP, peer_mac, 0);
	CHECK_EQ(axip_neigh_list(sim_single_stack(h), nb, 4), 0);
	sim_single_free(h);
}

static void test_request_for_other_address(void)
{
	struct sim_single *h = single_default();
	struct axip_neigh nb;
	rx_request(h, peer_mac, PEER_IP, AXIP_IP4(10, 0, 0, 9), T0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_not_for_us, 1);
	CHECK_EQ(fixture_ctr(h)->arp_rx_request, 1);
	/* not aimed at us and no entry: nothing learned */
	CHECK_EQ(axip_neigh_get(sim_single_stack(h), PEER_IP, &nb), AXIP_E_NOTFOUND);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_malformed_counted_bad(void)
{
	struct sim_single *h = single_default();
	uint8_t f[64];
	uint32_t n = build_arp(f, bcast, peer_mac, 1, peer_mac, PEER_IP, zero6, OUR_IP, 0);
	uint8_t g[64];

	sim_single_rx(h, f, n - 1, T0); /* 27 bytes of ARP */
	CHECK_EQ(fixture_ctr(h)->arp_rx_bad, 1);
	memcpy(g, f, n);
	g[14 + 1] = 6; /* htype 6 (IEEE 802) */
	sim_single_rx(h, g, n, T0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_bad, 2);
	memcpy(g, f, n);
	g[14 + 2] = 0x86; g[14 + 3] = 0xdd; /* ptype IPv6 */
	sim_single_rx(h, g, n, T0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_bad, 3);
	memcpy(g, f, n);
	g[14 + 4] = 8; /* hlen */
	sim_single_rx(h, g, n, T0);
	memcpy(g, f, n);
	g[14 + 5] = 16; /* plen */
	sim_single_rx(h, g, n, T0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_bad, 5);
	memcpy(g, f, n);
	g[14 + 7] = 3; /* RARP request */
	sim_single_rx(h, g, n, T0);
	memcpy(g, f, n);
	g[14 + 8] = 0x01; /* group sender MAC */
	sim_single_rx(h, g, n, T0);
	memcpy(g, f, n);
	memset(g + 14 + 8, 0, 6); /* zero sender MAC */
	sim_single_rx(h, g, n, T0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_bad, 8);
	CHECK_EQ(fixture_ctr(h)->arp_rx_request, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* the intact frame is answered; split over two buffers it still is */
	sim_single_rx_split(h, f, n, T0, 20);
	CHECK_EQ(sim_single_tx_count(h), 1);
	CHECK_EQ(fixture_ctr(h)->arp_rx_bad, 8);
	CHECK_EQ(sim_single_bufs_in_use(h), 0); /* the TX FIFO holds copies */
	sim_single_free(h);
}

static void test_unsolicited_reply_ignored(void)
{
	struct sim_single *h = single_default();
	struct axip_neigh nb;
	/* a reply to us for an address we never asked about */
	rx_reply(h, peer_mac, PEER_IP, OUR_IP, T0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_reply, 1);
	CHECK_EQ(fixture_ctr(h)->arp_rx_unsolicited, 1);
	CHECK_EQ(axip_neigh_get(sim_single_stack(h), PEER_IP, &nb), AXIP_E_NOTFOUND);
	CHECK_EQ(sim_single_tx_count(h), 0);
	sim_single_free(h);
}

/* Pop `n` frames and check they are IPv4 to `mac` carrying marks first..first+n-1. */
static void check_released(struct sim_single *h, uint32_t n, uint8_t first, const uint8_t mac[6])
{
	uint8_t f[128];
	uint32_t i, len;
	for (i = 0; i < n; i++) {
		len = sim_single_tx_pop(h, f, sizeof(f));
		CHECK_EQ(len, 14 + 28);
		CHECK(memcmp(f, mac, 6) == 0);
		CHECK(memcmp(f + 6, our_mac, 6) == 0);
		CHECK_EQ(load_be16(f + 12), 0x0800);
		CHECK_EQ(f[14 + 20], (uint8_t)(first + i));
	}
}

static void test_resolution_queues_then_releases_in_order(void)
{
	struct sim_single *h = single_default();
	struct axip_stack *s = sim_single_stack(h);
	uint8_t f[128];
	uint32_t n;
	struct axip_neigh nb;

	send_ip(h, PEER_IP, 1);
	send_ip(h, PEER_IP, 2);
	send_ip(h, PEER_IP, 3);
	/* one request, not one per packet */
	CHECK_EQ(sim_single_tx_count(h), 1);
	n = sim_single_tx_pop(h, f, sizeof(f));
	check_arp_frame(f, n, bcast, 1, OUR_IP, zero6, PEER_IP);
	CHECK_EQ(fixture_ctr(h)->arp_tx_request, 1);
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_OK);
	CHECK_EQ(nb.state, AXIP_NEIGH_INCOMPLETE);
	CHECK(memcmp(nb.mac, zero6, 6) == 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 3);

	rx_reply(h, peer_mac, PEER_IP, OUR_IP, T0 + AXIP_MS(1));
	CHECK_EQ(fixture_ctr(h)->arp_rx_unsolicited, 0);
	CHECK_EQ(sim_single_tx_count(h), 3);
	check_released(h, 3, 1, peer_mac);
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_OK);
	CHECK_EQ(nb.state, AXIP_NEIGH_REACHABLE);
	CHECK(memcmp(nb.mac, peer_mac, 6) == 0);
	CHECK_EQ(nb.expires, T0 + AXIP_MS(1) + AXIP_SEC(60));

	/* known now: sent at once */
	send_ip(h, PEER_IP, 4);
	CHECK_EQ(sim_single_tx_count(h), 1);
	check_released(h, 1, 4, peer_mac);
	/* the retry timer was stopped: no request later */
	sim_single_poll(h, T0 + AXIP_SEC(5));
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(fixture_ctr(h)->arp_tx_request, 1);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_queue_overflow_drops_oldest(void)
{
	struct sim_single *h = single_default();
	uint8_t f[128];
	uint8_t i;
	for (i = 1; i <= 10; i++)
		send_ip(h, PEER_IP, i);
	CHECK_EQ(fixture_ctr(h)->arp_queue_full, 2);
	sim_single_tx_pop(h, f, sizeof(f)); /* the request */
	CHECK_EQ(sim_single_bufs_in_use(h), 8);
	rx_reply(h, peer_mac, PEER_IP, OUR_IP, T0);
	/* RFC 1122 2.3.2.2: the latest packets were kept */
	CHECK_EQ(sim_single_tx_count(h), 8);
	check_released(h, 8, 3, peer_mac);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_queue_len_zero_drops_all(void)
{
	struct axip_config c;
	struct sim_single *h;
	base_cfg(&c);
	c.arp_queue_len = 0;
	h = single(&c);
	send_ip(h, PEER_IP, 1);
	send_ip(h, PEER_IP, 2);
	CHECK_EQ(fixture_ctr(h)->arp_queue_full, 2);
	CHECK_EQ(sim_single_tx_count(h), 1); /* the request still goes out */
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_no_reply_retries_then_fails(void)
{
	struct axip_config c;
	struct sim_single *h;
	uint8_t f[128];
	uint32_t n, k;
	struct axip_neigh nb;
	const axip_time_ns R = AXIP_MS(700);

	base_cfg(&c);
	c.arp_retries = 4;
	c.arp_retry_ns = R;
	h = single(&c);
	send_ip(h, PEER_IP, 1);
	send_ip(h, PEER_IP, 2);
	n = sim_single_tx_pop(h, f, sizeof(f));
	check_arp_frame(f, n, bcast, 1, OUR_IP, zero6, PEER_IP);
	CHECK_EQ(sim_single_bufs_in_use(h), 2); /* the queued packets */
	for (k = 1; k < 4; k++) {
		sim_single_poll(h, T0 + k * R - 1);
		CHECK_EQ(sim_single_tx_count(h), 0);
		sim_single_poll(h, T0 + k * R);
		CHECK_EQ(sim_single_tx_count(h), 1);
		n = sim_single_tx_pop(h, f, sizeof(f));
		check_arp_frame(f, n, bcast, 1, OUR_IP, zero6, PEER_IP);
		CHECK_EQ(fixture_ctr(h)->arp_resolve_fail, 0);
	}
	CHECK_EQ(fixture_ctr(h)->arp_tx_request, 4);
	sim_single_poll(h, T0 + 4 * R - 1);
	CHECK_EQ(fixture_ctr(h)->arp_resolve_fail, 0);
	sim_single_poll(h, T0 + 4 * R);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(fixture_ctr(h)->arp_tx_request, 4);
	CHECK_EQ(fixture_ctr(h)->arp_resolve_fail, 1);
	CHECK_EQ(fixture_ctr(h)->arp_resolve_fail_pkts, 2);
	CHECK_EQ(axip_neigh_get(sim_single_stack(h), PEER_IP, &nb), AXIP_E_NOTFOUND);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	/* no timer left behind */
	CHECK_EQ(sim_single_poll(h, T0 + 10 * R), ~(axip_time_ns)0);
	sim_single_free(h);
}

static void test_table_full_and_eviction(void)
{
	struct axip_config c;
	struct sim_single *h;
	struct axip_stack *s;
	struct axip_neigh nb;
	uint32_t i;

	base_cfg(&c);
	c.arp_entries = 4;
	h = single(&c);
	s = sim_single_stack(h);
	for (i = 0; i < 4; i++)
		CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 10 + i), peer_mac, 1), AXIP_OK);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 20), peer_mac, 1), AXIP_E_NOMEM);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 20), peer_mac, 0), AXIP_E_NOMEM);
	CHECK_EQ(fixture_ctr(h)->arp_table_full, 2);
	send_ip(h, AXIP_IP4(10, 0, 0, 21), 1);
	CHECK_EQ(fixture_ctr(h)->arp_table_full, 3);
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* a request for us from an unknown sender cannot be learned, still answered */
	rx_request(h, peer_mac, PEER_IP, OUR_IP, T0);
	CHECK_EQ(fixture_ctr(h)->arp_table_full, 4);
	CHECK_EQ(sim_single_tx_count(h), 1);
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_E_NOTFOUND);
	sim_single_free(h);

	/* REACHABLE entries are evicted oldest first; INCOMPLETE ones never */
	h = single(&c);
	s = sim_single_stack(h);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 10), peer_mac, 1), AXIP_OK);
	axip_set_time(s, T0 + 1);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 11), peer_mac, 0), AXIP_OK);
	axip_set_time(s, T0 + 2);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 12), peer_mac, 0), AXIP_OK);
	axip_set_time(s, T0 + 3);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 11), peer_mac, 0), AXIP_OK); /* refreshed */
	send_ip(h, AXIP_IP4(10, 0, 0, 13), 1); /* table now full: 1 static, 2 reachable, 1 incomplete */
	CHECK_EQ(fixture_ctr(h)->arp_table_full, 0);
	send_ip(h, AXIP_IP4(10, 0, 0, 14), 2); /* evicts .12, the oldest confirmed */
	CHECK_EQ(axip_neigh_get(s, AXIP_IP4(10, 0, 0, 12), &nb), AXIP_E_NOTFOUND);
	CHECK_EQ(axip_neigh_get(s, AXIP_IP4(10, 0, 0, 11), &nb), AXIP_OK);
	send_ip(h, AXIP_IP4(10, 0, 0, 15), 3); /* evicts .11 */
	CHECK_EQ(axip_neigh_get(s, AXIP_IP4(10, 0, 0, 11), &nb), AXIP_E_NOTFOUND);
	send_ip(h, AXIP_IP4(10, 0, 0, 16), 4); /* static + 3 incomplete: full */
	CHECK_EQ(fixture_ctr(h)->arp_table_full, 1);
	CHECK_EQ(axip_neigh_get(s, AXIP_IP4(10, 0, 0, 10), &nb), AXIP_OK);
	CHECK_EQ(nb.state, AXIP_NEIGH_STATIC);
	CHECK_EQ(axip_neigh_get(s, AXIP_IP4(10, 0, 0, 13), &nb), AXIP_OK);
	CHECK_EQ(nb.state, AXIP_NEIGH_INCOMPLETE);
	CHECK_EQ(sim_single_tx_count(h), 3);
	CHECK_EQ(sim_single_bufs_in_use(h), 3); /* the packets queued on .13, .14, .15 */
	sim_single_free(h);
}

static void test_reachable_expires_static_does_not(void)
{
	struct sim_single *h = single_default();
	struct axip_stack *s = sim_single_stack(h);
	struct axip_neigh nb;
	const axip_time_ns L = AXIP_SEC(60);
	uint8_t f[128];

	rx_request(h, peer_mac, PEER_IP, OUR_IP, T0);
	sim_single_tx_pop(h, f, sizeof(f));
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 7), peer_mac, 1), AXIP_OK);
	/* a later ARP packet from the peer (even one not for us) confirms it */
	rx_request(h, peer_mac, PEER_IP, AXIP_IP4(10, 0, 0, 9), T0 + AXIP_SEC(30));
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_OK);
	CHECK_EQ(nb.expires, T0 + AXIP_SEC(30) + L);
	sim_single_poll(h, T0 + L + AXIP_SEC(1));
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_OK);
	sim_single_poll(h, T0 + AXIP_SEC(30) + L - 1);
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_OK);
	CHECK_EQ(fixture_ctr(h)->arp_expired, 0);
	sim_single_poll(h, T0 + AXIP_SEC(30) + L);
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_E_NOTFOUND);
	CHECK_EQ(fixture_ctr(h)->arp_expired, 1);
	/* the next packet resolves again */
	send_ip(h, PEER_IP, 1);
	CHECK_EQ(fixture_ctr(h)->arp_tx_request, 1);
	/* static survives ten lifetimes */
	sim_single_poll(h, T0 + 10 * L);
	CHECK_EQ(axip_neigh_get(s, AXIP_IP4(10, 0, 0, 7), &nb), AXIP_OK);
	CHECK_EQ(nb.state, AXIP_NEIGH_STATIC);
	CHECK_EQ(nb.expires, 0);
	CHECK_EQ(fixture_ctr(h)->arp_expired, 1);
	sim_single_free(h);
}

static void test_gratuitous_at_init(void)
{
	struct axip_config c;
	struct sim_single *h;
	uint8_t f[128];
	uint32_t n;

	base_cfg(&c);
	c.arp_gratuitous = 1;
	c.n_addrs = 2;
	c.addrs[1].addr = AXIP_IP4(192, 168, 7, 3);
	c.addrs[1].prefix_len = 24;
	h = sim_single_new(&c, 0);
	CHECK_EQ(sim_single_tx_count(h), 2);
	n = sim_single_tx_pop(h, f, sizeof(f));
	check_arp_frame(f, n, bcast, 1, OUR_IP, zero6, OUR_IP);
	n = sim_single_tx_pop(h, f, sizeof(f));
	check_arp_frame(f, n, bcast, 1, AXIP_IP4(192, 168, 7, 3), zero6, AXIP_IP4(192, 168, 7, 3));
	CHECK_EQ(fixture_ctr(h)->arp_tx_request, 2);
	sim_single_free(h);

	base_cfg(&c);
	h = sim_single_new(&c, 0);
	CHECK_EQ(sim_single_tx_count(h), 0);
	sim_single_free(h);
}

static void test_request_source_matches_subnet(void)
{
	struct axip_config c;
	struct sim_single *h;
	uint8_t f[128];
	uint32_t n;
	base_cfg(&c);
	c.n_addrs = 2;
	c.addrs[1].addr = AXIP_IP4(192, 168, 7, 3);
	c.addrs[1].prefix_len = 24;
	h = single(&c);
	send_ip(h, AXIP_IP4(192, 168, 7, 200), 1);
	n = sim_single_tx_pop(h, f, sizeof(f));
	check_arp_frame(f, n, bcast, 1, AXIP_IP4(192, 168, 7, 3), zero6, AXIP_IP4(192, 168, 7, 200));
	sim_single_free(h);
}

static void test_conflict_and_looped(void)
{
	struct sim_single *h = single_default();
	struct axip_neigh nb[4];
	/* RFC 5227 2.4: someone announces our address */
	rx_request(h, peer_mac, OUR_IP, OUR_IP, T0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_conflict, 1);
	rx_reply(h, peer_mac, OUR_IP, OUR_IP, T0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_conflict, 2);
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* our own announcement coming back is not a conflict and not answered */
	rx_request(h, our_mac, OUR_IP, OUR_IP, T0);
	/* nor is any frame claiming our MAC learned */
	rx_request(h, our_mac, PEER_IP, OUR_IP, T0);
	CHECK_EQ(fixture_ctr(h)->arp_rx_looped, 2);
	CHECK_EQ(fixture_ctr(h)->arp_rx_conflict, 2);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(axip_neigh_list(sim_single_stack(h), nb, 4), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_not_learned_outside_subnets_or_group(void)
{
	struct sim_single *h = single_default();
	struct axip_neigh nb[4];
	rx_request(h, peer_mac, AXIP_IP4(10, 0, 1, 2), OUR_IP, T0);    /* off-link */
	rx_request(h, peer_mac, AXIP_IP4(10, 0, 0, 255), OUR_IP, T0);  /* subnet broadcast */
	rx_request(h, peer_mac, AXIP_IP4(224, 0, 0, 1), OUR_IP, T0);   /* multicast */
	CHECK_EQ(sim_single_tx_count(h), 3); /* all answered */
	CHECK_EQ(axip_neigh_list(sim_single_stack(h), nb, 4), 0);
	sim_single_free(h);
}

static void test_broadcast_and_multicast_next_hops(void)
{
	struct sim_single *h = single_default();
	uint8_t f[128];
	static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x7f, 0x02, 0x03};
	send_ip(h, 0xffffffffu, 1);
	send_ip(h, AXIP_IP4(10, 0, 0, 255), 2);
	send_ip(h, AXIP_IP4(239, 255, 2, 3), 3); /* RFC 1112 6.4: low 23 bits */
	CHECK_EQ(sim_single_tx_count(h), 3);
	check_released(h, 2, 1, bcast);
	check_released(h, 1, 3, mc);
	CHECK_EQ(fixture_ctr(h)->arp_tx_request, 0);
	sim_single_tx_pop(h, f, sizeof(f));
	sim_single_free(h);
}

static void test_neigh_api(void)
{
	struct sim_single *h = single_default();
	struct axip_stack *s = sim_single_stack(h);
	static const uint8_t mc_mac[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
	static const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x33};
	struct axip_neigh nb, list[8];
	uint8_t f[128];
	uint32_t n, i, seen = 0;

	CHECK_EQ(axip_neigh_set(s, 0, peer_mac, 0), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_set(s, PEER_IP, mc_mac, 0), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_set(s, PEER_IP, bcast, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_set(s, PEER_IP, zero6, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_set(s, PEER_IP, NULL, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(224, 0, 0, 5), peer_mac, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_set(s, 0xffffffffu, peer_mac, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 255), peer_mac, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_set(s, OUR_IP, peer_mac, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_neigh_list(s, list, 8), 0);
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_E_NOTFOUND);

	/* packets waiting on resolution leave when the entry is set */
	send_ip(h, PEER_IP, 1);
	send_ip(h, PEER_IP, 2);
	sim_single_tx_pop(h, f, sizeof(f)); /* the request */
	CHECK_EQ(axip_neigh_set(s, PEER_IP, peer_mac, 1), AXIP_OK);
	CHECK_EQ(sim_single_tx_count(h), 2);
	check_released(h, 2, 1, peer_mac);
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_OK);
	CHECK_EQ(nb.addr, PEER_IP);
	CHECK_EQ(nb.state, AXIP_NEIGH_STATIC);
	CHECK_EQ(nb.expires, 0);
	/* no retry comes from a resolved entry */
	sim_single_poll(h, T0 + AXIP_SEC(10));
	CHECK_EQ(sim_single_tx_count(h), 0);

	/* received ARP does not change a static entry (it is still answered) */
	rx_request(h, other_mac, PEER_IP, OUR_IP, T0 + AXIP_SEC(10));
	CHECK_EQ(sim_single_tx_count(h), 1);
	sim_single_tx_pop(h, f, sizeof(f));
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_OK);
	CHECK(memcmp(nb.mac, peer_mac, 6) == 0);
	/* the API updates it, here to a reachable entry with a lifetime */
	CHECK_EQ(axip_neigh_set(s, PEER_IP, other_mac, 0), AXIP_OK);
	CHECK_EQ(axip_neigh_get(s, PEER_IP, &nb), AXIP_OK);
	CHECK(memcmp(nb.mac, other_mac, 6) == 0);
	CHECK_EQ(nb.state, AXIP_NEIGH_REACHABLE);
	CHECK_EQ(nb.expires, T0 + AXIP_SEC(10) + AXIP_SEC(60));

	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 0, 3), peer_mac, 1), AXIP_OK);
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(172, 16, 0, 1), peer_mac, 0), AXIP_OK);
	n = axip_neigh_list(s, list, 8);
	CHECK_EQ(n, 3);
	for (i = 0; i < n; i++) {
		if (list[i].addr == PEER_IP && list[i].state == AXIP_NEIGH_REACHABLE)
			seen |= 1;
		if (list[i].addr == AXIP_IP4(10, 0, 0, 3) && list[i].state == AXIP_NEIGH_STATIC)
			seen |= 2;
		if (list[i].addr == AXIP_IP4(172, 16, 0, 1) && list[i].state == AXIP_NEIGH_REACHABLE)
			seen |= 4;
	}
	CHECK_EQ(seen, 7);
	CHECK_EQ(axip_neigh_list(s, list, 2), 2);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_many_entries_hash(void)
{
	/* fill a large table through the API and find every entry again */
	struct axip_config c;
	struct sim_single *h;
	struct axip_stack *s;
	struct axip_neigh nb;
	uint32_t i, ok = 0;
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0};
	base_cfg(&c);
	c.arp_entries = 1000;
	c.addrs[0].prefix_len = 16;
	h = single(&c);
	s = sim_single_stack(h);
	for (i = 0; i < 1000; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 4 + (i >> 8), i & 0xff), mac, i & 1), AXIP_OK);
	}
	CHECK_EQ(axip_neigh_set(s, AXIP_IP4(10, 0, 200, 1), mac, 1), AXIP_OK); /* evicts a reachable one */
	for (i = 0; i < 1000; i++) {
		if (axip_neigh_get(s, AXIP_IP4(10, 0, 4 + (i >> 8), i & 0xff), &nb) == AXIP_OK &&
		    nb.mac[5] == (uint8_t)i && nb.mac[4] == (uint8_t)(i >> 8))
			ok++;
	}
	CHECK_EQ(ok, 999);
	/* the evicted one is the first reachable entry set (i = 0; odd i are static) */
	CHECK_EQ(axip_neigh_get(s, AXIP_IP4(10, 0, 4, 0), &nb), AXIP_E_NOTFOUND);
	sim_single_free(h);
}

/* Two hosts on the simulated link: host 0 sends to host 1, resolving first. */
static int both_known(void *arg)
{
	struct sim *sim = arg;
	struct axip_neigh nb;
	return axip_neigh_get(sim_stack(sim, 0), sim_host_ip(1), &nb) == AXIP_OK &&
	       nb.state == AXIP_NEIGH_REACHABLE;
}

static void test_end_to_end_two_hosts(void)
{
	struct sim_params p;
	struct sim *sim;
	struct axip_stack *s0, *s1;
	struct axip_pkt *pk;
	struct axip_neigh nb;
	uint8_t mac1[6], mac0[6];
	struct sim_frame *fr = malloc(8 * sizeof(*fr));
	uint32_t n, i, ip_frames = 0;

	memset(&p, 0, sizeof(p));
	p.seed = 7;
	sim = sim_new(&p);
	s0 = sim_stack(sim, 0);
	s1 = sim_stack(sim, 1);
	sim_host_mac(0, mac0);
	sim_host_mac(1, mac1);
	sim_run(sim, AXIP_MS(1)); /* the announcements at init cross the link */
	CHECK_EQ(axip_counters(s1)->arp_rx_not_for_us, 1); /* host 0's announcement */
	sim_capture(sim, 1);

	pk = axip_pkt_alloc(s0, AXIP_PKT_HEADROOM);
	REQUIRE(pk != NULL);
	memset(pk->data, 0, 20);
	pk->data[0] = 0x45;
	pk->len = 20;
	pk->tailroom -= 20;
	axip_set_time(s0, sim_now(sim));
	arp_output(s0, pk, sim_host_ip(1));
	axip_flush(s0);
	CHECK(sim_run_until(sim, both_known, sim, AXIP_MS(10)));
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_neigh_get(s0, sim_host_ip(1), &nb), AXIP_OK);
	CHECK(memcmp(nb.mac, mac1, 6) == 0);
	/* host 1 learned host 0 from the request aimed at it */
	CHECK_EQ(axip_neigh_get(s1, sim_host_ip(0), &nb), AXIP_OK);
	CHECK(memcmp(nb.mac, mac0, 6) == 0);
	CHECK_EQ(axip_counters(s0)->arp_tx_request, 2); /* announcement + request */
	CHECK_EQ(axip_counters(s1)->arp_tx_reply, 1);
	n = sim_take_sent(sim, 0, fr, 8);
	for (i = 0; i < n; i++)
		if (fr[i].len >= 14 && load_be16(fr[i].data + 12) == 0x0800) {
			ip_frames++;
			CHECK(memcmp(fr[i].data, mac1, 6) == 0);
		}
	CHECK_EQ(ip_frames, 1);
	free(fr);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_request_for_us_gets_one_exact_reply);
	RUN_TEST(test_probe_answered_not_learned);
	RUN_TEST(test_request_for_other_address);
	RUN_TEST(test_malformed_counted_bad);
	RUN_TEST(test_unsolicited_reply_ignored);
	RUN_TEST(test_resolution_queues_then_releases_in_order);
	RUN_TEST(test_queue_overflow_drops_oldest);
	RUN_TEST(test_queue_len_zero_drops_all);
	RUN_TEST(test_no_reply_retries_then_fails);
	RUN_TEST(test_table_full_and_eviction);
	RUN_TEST(test_reachable_expires_static_does_not);
	RUN_TEST(test_gratuitous_at_init);
	RUN_TEST(test_request_source_matches_subnet);
	RUN_TEST(test_conflict_and_looped);
	RUN_TEST(test_not_learned_outside_subnets_or_group);
	RUN_TEST(test_broadcast_and_multicast_next_hops);
	RUN_TEST(test_neigh_api);
	RUN_TEST(test_many_entries_hash);
	RUN_TEST(test_end_to_end_two_hosts);
	return test_summary();
}
