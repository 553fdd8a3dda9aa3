/* SPDX-License-Identifier: BSD-2-Clause */
/* test_icmp6.c - ICMPv6 (RFC 4443): echo (unicast, multicast, between two
 * simulated hosts with neighbour discovery, fragmented), the error rules and
 * rate limit, errors received (hand-off, Packet Too Big and the path MTU of
 * RFC 8201). */
#include "test.h"
#include "sim.h"
#include "ip6_frames.h"
#include "stack_internal.h"
#include "checksum.h"
#include "ipv6.h"

static uint8_t frame[9300], out[9300];
static axip_time_ns now;

static void rx(struct sim_single *h, uint32_t n)
{
	sim_single_rx(h, frame, n, now);
}

static void test_echo_multicast(void)
{
	struct sim_single *h = ip6t_host();
	const struct axip_counters *c = ip6t_ctr(h);
	uint8_t m[64];
	uint32_t l, len;

	now = AXIP_MS(1);
	/* RFC 4443 4.2: an echo to a group is answered from a unicast address */
	l = ip6t_echo_msg(m, 128, 9, 1, 16, ip6_peer_ll, ip6_all_nodes);
	rx(h, ip6t_build(frame, ip6_mac_all_nodes, ip6_peer_mac, ip6_peer_ll, ip6_all_nodes, 58, 1,
	                 m, l));
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK(memcmp(out + 22, ip6_my_ll, 16) == 0);
	CHECK(memcmp(out + 38, ip6_peer_ll, 16) == 0);
	CHECK_EQ(out[54], 129);
	CHECK_EQ(sim_ref_csum(out + 54, len - 54, ip6t_pseudo(out + 22, out + 38, 58, len - 54)), 0);
	/* from the unspecified address: nobody to answer */
	l = ip6t_echo_msg(m, 128, 9, 2, 16, ip6_unspec, ip6_my_gl);
	rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_unspec, ip6_my_gl, 58, 64, m, l));
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* echo replies, router advertisements, unknown types: counted, dropped */
	l = ip6t_echo_msg(m, 129, 9, 3, 16, ip6_peer_gl, ip6_my_gl);
	rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, l));
	CHECK_EQ(c->icmp6_rx_echo_reply, 1);
	l = ip6t_echo_msg(m, 134, 0, 0, 16, ip6_peer_ll, ip6_all_nodes);
	rx(h, ip6t_build(frame, ip6_mac_all_nodes, ip6_peer_mac, ip6_peer_ll, ip6_all_nodes, 58, 255,
	                 m, l));
	l = ip6t_echo_msg(m, 200, 0, 0, 16, ip6_peer_gl, ip6_my_gl);
	rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, l));
	CHECK_EQ(c->icmp6_rx_unknown_type, 2);
	l = ip6t_echo_msg(m, 100, 0, 0, 16, ip6_peer_gl, ip6_my_gl);
	rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, l));
	CHECK_EQ(c->icmp6_rx_error_ignored, 1);
	/* too short for a header */
	rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, 3));
	CHECK_EQ(c->icmp6_rx_bad, 2);
	CHECK_EQ(sim_single_tx_count(h), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* A request in several buffers (split by the receiver, or reassembled from
 * fragments) is answered by one unfragmented frame. */
static void test_echo_multibuffer(void)
{
	struct sim_single *h = ip6t_host();
	uint8_t m[300], p[300];
	uint32_t n, l;

	now = AXIP_MS(1);
	n = ip6t_echo_frame(frame, 1, 200);
	sim_single_rx_split(h, frame, n, now, 60);
	REQUIRE(sim_single_tx_count(h) == 1);
	CHECK_EQ(sim_single_tx_pop(h, out, sizeof(out)), n);
	CHECK_EQ(out[54], 129);
	CHECK_EQ(sim_ref_csum(out + 54, n - 54, ip6t_pseudo(ip6_my_gl, ip6_peer_gl, 58, n - 54)), 0);
	l = ip6t_echo_msg(m, 128, 5, 5, 100, ip6_peer_gl, ip6_my_gl);
	p[0] = 58;
	p[1] = 0;
	ip6t_put16(p + 2, 1);
	ip6t_put32(p + 4, 77);
	memcpy(p + 8, m, 56);
	rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 44, 64, p, 64));
	ip6t_put16(p + 2, 56);
	memcpy(p + 8, m + 56, l - 56);
	rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 44, 64, p, 8 + l - 56));
	REQUIRE(sim_single_tx_count(h) == 1);
	n = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(n, 14 + 40 + l);
	CHECK_EQ(out[20], 58);
	CHECK(memcmp(out + 58, m + 4, l - 4) == 0);
	CHECK_EQ(sim_ref_csum(out + 54, l, ip6t_pseudo(ip6_my_gl, ip6_peer_gl, 58, l)), 0);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* RFC 4443 2.4 (f): errors are rate limited by a token bucket. */
static void test_rate_limit(void)
{
	struct axip_config cfg;
	struct sim_single *h;
	const struct axip_counters *c;
	uint32_t i, n;

	ip6t_cfg(&cfg);
	cfg.icmp_rate_per_sec = 10;
	cfg.icmp_burst = 3;
	h = ip6t_host_cfg(&cfg, 1);
	c = ip6t_ctr(h);
	now = AXIP_MS(1);
	n = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 253, 64, frame + 200, 8);
	for (i = 0; i < 5; i++)
		rx(h, n);
	CHECK_EQ(c->icmp6_tx_error, 3);
	CHECK_EQ(c->icmp6_rate_limited, 2);
	now += AXIP_MS(100);
	rx(h, n);
	rx(h, n);
	CHECK_EQ(c->icmp6_tx_error, 4);
	CHECK_EQ(c->icmp6_rate_limited, 3);
	while (sim_single_tx_pop(h, out, sizeof(out)))
		;
	sim_single_free(h);
}

/* An ICMPv6 error from the peer quoting a packet of ours to `qdst`. */
static uint32_t error_frame(uint8_t type, uint8_t code, uint32_t param, const uint8_t *qsrc,
                            const uint8_t *qdst, uint8_t qnh, uint32_t qlen)
{
	uint8_t m[1400];
	m[0] = type;
	m[1] = code;
	ip6t_put32(m + 4, param);
	ip6t_put32(m + 8, 0x60000000u);
	ip6t_put16(m + 12, 1400);
	m[14] = qnh;
	m[15] = 64;
	memcpy(m + 16, qsrc, 16);
	memcpy(m + 32, qdst, 16);
	memset(m + 48, 0x11, qlen);
	ip6t_icmp6_csum(m, 48 + qlen, ip6_peer_gl, ip6_my_gl);
	return ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, 48 + qlen);
}

static void test_errors_in_and_pmtu(void)
{
	struct sim_single *h = ip6t_host();
	const struct axip_counters *c = ip6t_ctr(h);
	struct axip_stack *s = sim_single_stack(h);
	static const uint8_t far[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99};
	uint32_t nf = 0, len;

	now = AXIP_MS(1);
	CHECK_EQ(axip_pmtu6_get(s, ip6_peer_gl), 1500);
	/* errors about our UDP/TCP packets are handed to the transport */
	rx(h, error_frame(1, 4, 0, ip6_my_gl, far, 17, 8));
	rx(h, error_frame(3, 0, 0, ip6_my_gl, far, 6, 20));
	CHECK_EQ(c->icmp6_rx_error, 2);
	/* ... not when the quoted packet is not ours, or is truncated */
	rx(h, error_frame(1, 4, 0, ip6_peer_gl, far, 17, 8));
	CHECK_EQ(c->icmp6_rx_error_ignored, 1);
	len = error_frame(1, 4, 0, ip6_my_gl, far, 17, 8);
	ip6t_put16(frame + 18, 30);
	ip6t_icmp6_csum(frame + 54, 30, ip6_peer_gl, ip6_my_gl);
	rx(h, 14 + 40 + 30);
	(void)len;
	CHECK_EQ(c->icmp6_rx_bad, 1);

	/* Packet Too Big lowers the path MTU of the quoted destination only */
	rx(h, error_frame(2, 0, 1400, ip6_my_gl, ip6_peer_gl, 58, 8));
	CHECK_EQ(c->icmp6_rx_ptb, 1);
	CHECK_EQ(c->ip6_pmtu_update, 1);
	CHECK_EQ(axip_pmtu6_get(s, ip6_peer_gl), 1400);
	CHECK_EQ(axip_pmtu6_get(s, far), 1500);
	/* never raised by a report (RFC 8201 4) */
	rx(h, error_frame(2, 0, 1450, ip6_my_gl, ip6_peer_gl, 58, 8));
	CHECK_EQ(axip_pmtu6_get(s, ip6_peer_gl), 1400);
	/* a report below the minimum link MTU is discarded (RFC 8201 4),
	 * not taken as 1280, and not handed to the transport */
	rx(h, error_frame(2, 0, 600, ip6_my_gl, ip6_peer_gl, 58, 8));
	rx(h, error_frame(2, 0, 1279, ip6_my_gl, ip6_peer_gl, 17, 8));
	CHECK_EQ(axip_pmtu6_get(s, ip6_peer_gl), 1400);
	CHECK_EQ(c->ip6_pmtu_update, 1);
	CHECK_EQ(c->icmp6_rx_ptb, 4);
	CHECK_EQ(c->icmp6_rx_ptb_bad, 2);
	CHECK_EQ(c->icmp6_rx_error, 4); /* the two above, 1400 and 1450 */
	/* exactly 1280 is taken */
	rx(h, error_frame(2, 0, 1280, ip6_my_gl, ip6_peer_gl, 58, 8));
	CHECK_EQ(axip_pmtu6_get(s, ip6_peer_gl), 1280);
	CHECK_EQ(c->ip6_pmtu_update, 2);
	/* output follows it: a 1400-byte echo reply leaves in fragments */
	rx(h, ip6t_echo_frame(frame, 1, 1352));
	while ((len = sim_single_tx_pop(h, out, sizeof(out))) != 0) {
		CHECK(len - 14 <= 1280);
		CHECK_EQ(out[20], 44);
		nf++;
	}
	CHECK_EQ(nf, 2);
	/* the estimate is forgotten after pmtu6_timeout_ns */
	now += AXIP_SEC(601);
	axip_set_time(s, now);
	CHECK_EQ(axip_pmtu6_get(s, ip6_peer_gl), 1500);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* Which errors are sent (RFC 4443 2.4 (e)). */
static void test_error_rules(void)
{
	struct sim_single *h = ip6t_host();
	uint8_t m[64];
	uint32_t n;

	now = AXIP_MS(1);
	/* unknown next header to a group: no error */
	n = ip6t_build(frame, ip6_mac_all_nodes, ip6_peer_mac, ip6_peer_gl, ip6_all_nodes, 253, 64, m, 8);
	rx(h, n);
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* nor about an ICMPv6 error (a Time Exceeded with an unknown option) */
	memset(m, 0, sizeof(m));
	m[0] = 58;
	m[2] = 0xde;
	m[3] = 4;
	m[8] = 3;
	ip6t_icmp6_csum(m + 8, 48, ip6_peer_gl, ip6_my_gl);
	n = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 60, 64, m, 56);
	rx(h, n);
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* ... but about an echo request, yes, quoting at most 1232 bytes */
	{
		uint8_t big[1600];
		uint32_t l, len;
		memset(big, 0, 8);
		big[0] = 58;
		big[2] = 0xde;
		big[3] = 4;
		l = ip6t_echo_msg(big + 8, 128, 1, 1, 1400, ip6_peer_gl, ip6_my_gl);
		n = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 60, 64, big, 8 + l);
		rx(h, n);
		REQUIRE(sim_single_tx_count(h) == 1);
		len = sim_single_tx_pop(h, out, sizeof(out));
		CHECK_EQ(len - 14, 1280);
		CHECK(memcmp(out + 62, frame + 14, 1280 - 48) == 0);
	}
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

/* ---- two hosts on the simulated link ---- */

static void ip6_on(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->arp_gratuitous = 0;
	cfg->ip6_enable = 1;
	cfg->nd6_dad_transmits = 1;
	if (arg)
		cfg->frag6_timeout_ns = AXIP_SEC(1); /* lost fragments free their slot soon */
}

/* Send an echo request of n data bytes from host 0 to dst with the core's
 * own output path (a chain of buffers when it is large). */
static int ping(struct sim *sim, const uint8_t *dst, uint32_t n, uint16_t seq)
{
	struct axip_stack *s = sim_stack(sim, 0);
	struct axip_pkt *head = AXIP_NULL, **link = &head, *p;
	uint8_t nh[16], src[16];
	uint32_t off = 0, total = 8 + n, sum;
	uint8_t *msg = malloc(total);
	memset(msg, 0, 8);
	msg[0] = 128;
	ip6t_put16(msg + 4, 77);
	ip6t_put16(msg + 6, seq);
	for (off = 0; off < n; off++)
		msg[8 + off] = (uint8_t)(off * 3u);
	if (ipv6_route(s, dst, nh, src) != AXIP_OK) {
		free(msg);
		return -1;
	}
	sum = csum_pseudo6(src, dst, 58, total);
	ip6t_put16(msg + 2, csum_fold(csum_add_bytes(sum, msg, total)));
	axip_set_time(s, sim_now(sim));
	for (off = 0; off < total;) {
		uint32_t k = total - off > 1400 ? 1400 : total - off;
		p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
		if (!p)
			abort();
		memcpy(p->data, msg + off, k);
		p->len = k;
		p->tailroom -= k;
		*link = p;
		link = &p->sg_next;
		off += k;
	}
	free(msg);
	off = (uint32_t)ipv6_output(s, head, src, dst, 58, 0, 0);
	axip_flush(s);
	return (int)off;
}

static void test_ping6_sim(void)
{
	struct sim_params sp;
	struct sim *sim;
	const struct axip_counters *c0, *c1;
	uint8_t ll1[16];
	struct axip_neigh6 n;

	memset(&sp, 0, sizeof(sp));
	sp.seed = 6;
	sp.cfg_hook = ip6_on;
	sim = sim_new(&sp);
	c0 = axip_counters(sim_stack(sim, 0));
	c1 = axip_counters(sim_stack(sim, 1));
	memcpy(ll1, ip6_peer_ll, 16);
	/* both hosts run DAD on their link-local address, no conflict */
	sim_run(sim, AXIP_MS(1100));
	CHECK_EQ(c0->nd6_dad_ok, 1);
	CHECK_EQ(c1->nd6_dad_ok, 1);
	CHECK_EQ(c0->nd6_dad_conflict + c1->nd6_dad_conflict, 0);
	/* ping: NS/NA first, then the exchange */
	CHECK_EQ(ping(sim, ll1, 56, 1), AXIP_OK);
	sim_run(sim, AXIP_MS(10));
	CHECK_EQ(c0->nd6_tx_ns, 2); /* DAD + resolution */
	CHECK_EQ(c1->nd6_tx_na, 1);
	CHECK_EQ(c1->icmp6_tx_echo_reply, 1);
	CHECK_EQ(c0->icmp6_rx_echo_reply, 1);
	REQUIRE(axip_neigh6_get(sim_stack(sim, 0), ll1, &n) == AXIP_OK);
	CHECK_EQ(n.state, AXIP_NEIGH6_REACHABLE);
	/* a 4000-byte ping goes in fragments both ways */
	CHECK_EQ(ping(sim, ll1, 4000, 2), AXIP_OK);
	sim_run(sim, AXIP_MS(10));
	CHECK_EQ(c0->ip6_frag_tx, 3);
	CHECK_EQ(c1->ip6_frag_reassembled, 1);
	CHECK_EQ(c1->ip6_frag_tx, 3);
	CHECK_EQ(c0->ip6_frag_reassembled, 1);
	CHECK_EQ(c0->icmp6_rx_echo_reply, 2);
	CHECK_EQ(c0->icmp6_rx_bad + c1->icmp6_rx_bad, 0);
	CHECK_EQ(sim_bufs_in_use(sim, 0), 0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), 0);
	sim_free(sim);
}

/* The same over a lossy link: pings are retried until one gets through. */
static void test_ping6_lossy(void)
{
	struct sim_params sp;
	struct sim *sim;
	const struct axip_counters *c0;
	uint32_t i;

	memset(&sp, 0, sizeof(sp));
	sp.seed = 7;
	sp.cfg_hook = ip6_on;
	sp.cfg_arg = &sp;
	sp.impair.drop_ppm = 100000;
	sp.impair.dup_ppm = 50000;
	sp.impair.reorder_ppm = 100000;
	sim = sim_new(&sp);
	c0 = axip_counters(sim_stack(sim, 0));
	sim_run(sim, AXIP_MS(1100));
	for (i = 0; i < 40 && c0->icmp6_rx_echo_reply < 5; i++) {
		ping(sim, ip6_peer_ll, 3000, (uint16_t)i);
		sim_run(sim, AXIP_MS(1500));
	}
	CHECK(c0->icmp6_rx_echo_reply >= 5);
	CHECK(c0->ip6_frag_dup + axip_counters(sim_stack(sim, 1))->ip6_frag_dup > 0);
	sim_run(sim, AXIP_SEC(70)); /* incomplete reassemblies time out */
	CHECK_EQ(sim_bufs_in_use(sim, 0), 0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), 0);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_echo_multicast);
	RUN_TEST(test_echo_multibuffer);
	RUN_TEST(test_rate_limit);
	RUN_TEST(test_errors_in_and_pmtu);
	RUN_TEST(test_error_rules);
	RUN_TEST(test_ping6_sim);
	RUN_TEST(test_ping6_lossy);
	return test_summary();
}
