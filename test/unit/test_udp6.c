/* SPDX-License-Identifier: BSD-2-Clause */
/* test_udp6.c - UDP over IPv6 (RFC 768, RFC 8200 8.1): sockets of their own
 * port space, the mandatory checksum, port unreachable, errors to the
 * socket, output (checksum, fragments), and an echo between two simulated
 * hosts with fragmented datagrams. */
#include "test.h"
#include "sim.h"
#include "ip6_frames.h"

static uint8_t frame[9300], out[9300];
static axip_time_ns now;

struct got {
	struct axip_stack *s;
	int n;
	struct axip_udp_meta meta;
	uint32_t len;
	uint8_t data[70000];
	int err;
	int n_err;
	int echo; /* send every datagram back */
};

static void on_recv(void *arg, struct axip_udp *u, const struct axip_udp_meta *meta,
                    struct axip_pkt *p)
{
	struct got *g = arg;
	g->n++;
	g->meta = *meta;
	g->len = axip_pkt_copy_out(p, 0, g->data, sizeof(g->data));
	if (g->echo)
		axip_udp_send_pkt6(u, meta->src_addr6, meta->src_port, p);
	else
		axip_pkt_free(g->s, p);
}

static void on_err(void *arg, struct axip_udp *u, const struct axip_udp_meta *meta, int err)
{
	struct got *g = arg;
	(void)u;
	g->n_err++;
	g->err = err;
	g->meta = *meta;
}

/* eth + IPv6 + UDP from the peer to `dst` with n bytes; checksum filled
 * unless csum_zero. */
static uint32_t udp_frame(const uint8_t *dst, const uint8_t *dst_mac, uint16_t sport,
                          uint16_t dport, uint32_t n, int csum_zero)
{
	uint8_t d[2000];
	uint32_t i;
	ip6t_put16(d, sport);
	ip6t_put16(d + 2, dport);
	ip6t_put16(d + 4, 8 + n);
	d[6] = d[7] = 0;
	for (i = 0; i < n; i++)
		d[8 + i] = (uint8_t)(i + 5);
	if (!csum_zero) {
		uint16_t c = sim_ref_csum(d, 8 + n, ip6t_pseudo(ip6_peer_gl, dst, 17, 8 + n));
		ip6t_put16(d + 6, c == 0 ? 0xffff : c);
	}
	return ip6t_build(frame, dst_mac, ip6_peer_mac, ip6_peer_gl, dst, 17, 64, d, 8 + n);
}

static void rx(struct sim_single *h, uint32_t n)
{
	sim_single_rx(h, frame, n, now);
}

static struct got g, g4;

static void test_sockets_and_input(void)
{
	struct sim_single *h = ip6t_host();
	struct axip_stack *s = sim_single_stack(h);
	const struct axip_counters *c = ip6t_ctr(h);
	struct axip_udp *u, *u2, *u4;
	uint32_t len;

	memset(&g, 0, sizeof(g));
	memset(&g4, 0, sizeof(g4));
	g.s = g4.s = s;
	now = AXIP_MS(1);
	REQUIRE(axip_udp_open6(s, AXIP_NULL, 5000, on_recv, &g, &u) == AXIP_OK);
	/* separate port spaces: an IPv4 socket on the same port is fine */
	REQUIRE(axip_udp_open(s, 0, 5000, on_recv, &g4, &u4) == AXIP_OK);
	CHECK_EQ(axip_udp_open6(s, ip6_my_gl, 5000, on_recv, &g, &u2), AXIP_E_ADDRINUSE);
	CHECK_EQ(axip_udp_open6(s, ip6_peer_gl, 5001, on_recv, &g, &u2), AXIP_E_INVAL);
	CHECK_EQ(axip_udp_sendto(u, AXIP_IP4(10, 0, 0, 2), 9, "x", 1), AXIP_E_INVAL);
	CHECK_EQ(axip_udp_sendto6(u4, ip6_peer_gl, 9, "x", 1), AXIP_E_INVAL);

	rx(h, udp_frame(ip6_my_gl, ip6_my_mac, 7777, 5000, 100, 0));
	CHECK_EQ(g.n, 1);
	CHECK_EQ(g4.n, 0);
	CHECK_EQ(g.len, 100);
	CHECK_EQ(g.meta.family, 6);
	CHECK(memcmp(g.meta.src_addr6, ip6_peer_gl, 16) == 0);
	CHECK(memcmp(g.meta.dst_addr6, ip6_my_gl, 16) == 0);
	CHECK_EQ(g.meta.src_port, 7777);
	CHECK_EQ(g.meta.src_addr, 0);
	CHECK_EQ(g.data[0], 5);
	/* RFC 8200 8.1: a zero checksum is dropped, a wrong one too */
	rx(h, udp_frame(ip6_my_gl, ip6_my_mac, 7777, 5000, 100, 1));
	len = udp_frame(ip6_my_gl, ip6_my_mac, 7777, 5000, 100, 0);
	frame[70] ^= 0x40;
	rx(h, len);
	CHECK_EQ(c->udp_rx_bad_csum, 2);
	/* truncated and lying lengths */
	len = udp_frame(ip6_my_gl, ip6_my_mac, 7777, 5000, 100, 0);
	ip6t_put16(frame + 58, 200);
	rx(h, len);
	CHECK_EQ(c->udp_rx_bad_len, 1);
	len = ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 17, 64, out, 4);
	rx(h, len);
	CHECK_EQ(c->udp_rx_short, 1);
	CHECK_EQ(g.n, 1);
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* no socket: port unreachable (RFC 4443 3.1 code 4) quoting the datagram */
	len = udp_frame(ip6_my_gl, ip6_my_mac, 7777, 5002, 10, 0);
	rx(h, len);
	CHECK_EQ(c->udp_rx_no_port, 1);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(out[54], 1);
	CHECK_EQ(out[55], 4);
	CHECK(memcmp(out + 62, frame + 14, 40 + 18) == 0);
	/* ... but not for a group destination */
	rx(h, udp_frame(ip6_all_nodes, ip6_mac_all_nodes, 7777, 5002, 10, 0));
	CHECK_EQ(sim_single_tx_count(h), 0);
	/* a datagram behind a destination options header is delivered too */
	{
		uint8_t p[200];
		len = udp_frame(ip6_my_gl, ip6_my_mac, 7777, 5000, 20, 0);
		memset(p, 0, 8);
		p[0] = 17;
		p[2] = 1;
		p[3] = 4;
		memcpy(p + 8, frame + 54, 28);
		rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 60, 64, p, 36));
		CHECK_EQ(g.n, 2);
		CHECK_EQ(g.len, 20);
	}
	axip_udp_close(u);
	axip_udp_close(u4);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

static void test_output_and_errors(void)
{
	struct sim_single *h = ip6t_host();
	struct axip_stack *s = sim_single_stack(h);
	struct axip_udp *u;
	static uint8_t big[5000];
	uint32_t len, i, nf = 0;

	memset(&g, 0, sizeof(g));
	g.s = s;
	now = AXIP_MS(1);
	REQUIRE(axip_udp_open6(s, ip6_my_gl, 6000, on_recv, &g, &u) == AXIP_OK);
	axip_udp_set_error_cb(u, on_err, &g);
	CHECK_EQ(axip_udp_sendto6(u, ip6_peer_gl, 53, "hello", 5), AXIP_OK);
	REQUIRE(sim_single_tx_count(h) == 1);
	len = sim_single_tx_pop(h, out, sizeof(out));
	CHECK_EQ(len, 14 + 40 + 13);
	CHECK_EQ(out[20], 17);
	CHECK(memcmp(out + 22, ip6_my_gl, 16) == 0);
	CHECK_EQ(ip6t_be16(out + 54), 6000);
	CHECK_EQ(ip6t_be16(out + 56), 53);
	CHECK_EQ(ip6t_be16(out + 58), 13);
	CHECK(ip6t_be16(out + 60) != 0);
	CHECK_EQ(sim_ref_csum(out + 54, 13, ip6t_pseudo(ip6_my_gl, ip6_peer_gl, 17, 13)), 0);
	/* larger than the MTU: fragments of at most 1500 bytes */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	CHECK_EQ(axip_udp_sendto6(u, ip6_peer_gl, 53, big, sizeof(big)), AXIP_OK);
	while ((len = sim_single_tx_pop(h, out, sizeof(out))) != 0) {
		CHECK(len - 14 <= 1500);
		CHECK_EQ(out[20], 44);
		nf++;
	}
	CHECK_EQ(nf, 4);
	CHECK_EQ(axip_udp_sendto6(u, ip6_peer_gl, 53, big, 65535 - 7), AXIP_E_MSGSIZE);

	/* errors quoting our datagram reach the socket */
	{
		uint8_t m[200];
		uint32_t ml = 8 + 48;
		CHECK_EQ(axip_udp_sendto6(u, ip6_peer_gl, 53, "hello", 5), AXIP_OK);
		len = sim_single_tx_pop(h, out, sizeof(out));
		m[0] = 1; m[1] = 4;
		memset(m + 4, 0, 4);
		memcpy(m + 8, out + 14, 48);
		ip6t_icmp6_csum(m, ml, ip6_peer_gl, ip6_my_gl);
		rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, ml));
		CHECK_EQ(g.n_err, 1);
		CHECK_EQ(g.err, AXIP_E_REFUSED);
		CHECK_EQ(g.meta.dst_port, 53);
		CHECK(memcmp(g.meta.dst_addr6, ip6_peer_gl, 16) == 0);
		m[0] = 2; m[1] = 0;
		ip6t_put32(m + 4, 1400);
		ip6t_icmp6_csum(m, ml, ip6_peer_gl, ip6_my_gl);
		rx(h, ip6t_build(frame, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, ml));
		CHECK_EQ(g.n_err, 2);
		CHECK_EQ(g.err, AXIP_E_MSGSIZE);
		CHECK_EQ(axip_pmtu6_get(s, ip6_peer_gl), 1400);
	}
	/* the lowered path MTU shapes the next fragments */
	CHECK_EQ(axip_udp_sendto6(u, ip6_peer_gl, 53, big, 3000), AXIP_OK);
	while ((len = sim_single_tx_pop(h, out, sizeof(out))) != 0)
		CHECK(len - 14 <= 1400);
	axip_udp_close(u);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);

	/* IPv6 off: no IPv6 sockets */
	{
		struct axip_config cfg;
		ip6t_cfg(&cfg);
		cfg.ip6_enable = 0;
		h = sim_single_new(&cfg, 0);
		CHECK_EQ(axip_udp_open6(sim_single_stack(h), AXIP_NULL, 1, on_recv, &g, &u), AXIP_E_STATE);
		sim_single_free(h);
	}
}

static void ip6_on(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->arp_gratuitous = 0;
	cfg->ip6_enable = 1;
	cfg->nd6_dad_transmits = 1;
}

static struct got e0, e1;

/* UDP echo over IPv6 between two hosts; 20000-byte datagrams in fragments,
 * with and without TX checksum offload and SG. */
static void echo_sim(uint32_t caps)
{
	struct sim_params sp;
	struct sim *sim;
	struct axip_udp *u0, *u1;
	static uint8_t msg[20000];
	uint32_t i;

	memset(&sp, 0, sizeof(sp));
	sp.seed = 9;
	sp.cfg_hook = ip6_on;
	sp.caps[0] = sp.caps[1] = caps;
	sim = sim_new(&sp);
	memset(&e0, 0, sizeof(e0));
	memset(&e1, 0, sizeof(e1));
	e0.s = sim_stack(sim, 0);
	e1.s = sim_stack(sim, 1);
	e1.echo = 1;
	sim_run(sim, AXIP_MS(1100)); /* DAD */
	REQUIRE(axip_udp_open6(e0.s, AXIP_NULL, 4000, on_recv, &e0, &u0) == AXIP_OK);
	REQUIRE(axip_udp_open6(e1.s, AXIP_NULL, 7, on_recv, &e1, &u1) == AXIP_OK);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 11u);
	axip_set_time(e0.s, sim_now(sim));
	CHECK_EQ(axip_udp_sendto6(u0, ip6_peer_ll, 7, msg, 100), AXIP_OK);
	axip_flush(e0.s);
	sim_run(sim, AXIP_MS(10));
	CHECK_EQ(e0.n, 1);
	CHECK_EQ(e0.len, 100);
	axip_set_time(e0.s, sim_now(sim));
	CHECK_EQ(axip_udp_sendto6(u0, ip6_peer_ll, 7, msg, sizeof(msg)), AXIP_OK);
	axip_flush(e0.s);
	sim_run(sim, AXIP_MS(10));
	CHECK_EQ(e1.n, 2);
	CHECK_EQ(e0.n, 2);
	CHECK_EQ(e0.len, sizeof(msg));
	CHECK(memcmp(e0.data, msg, sizeof(msg)) == 0);
	CHECK_EQ(e0.meta.src_port, 7);
	CHECK_EQ(axip_counters(e0.s)->udp_rx_bad_csum + axip_counters(e1.s)->udp_rx_bad_csum, 0);
	axip_udp_close(u0);
	axip_udp_close(u1);
	CHECK_EQ(sim_bufs_in_use(sim, 0), 0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), 0);
	sim_free(sim);
}

static void test_echo_sim(void)
{
	echo_sim(0);
	echo_sim(AXIP_CAP_TX_L4_CSUM | AXIP_CAP_RX_L4_CSUM | AXIP_CAP_SG);
}

int main(void)
{
	RUN_TEST(test_sockets_and_input);
	RUN_TEST(test_output_and_errors);
	RUN_TEST(test_echo_sim);
	return test_summary();
}
