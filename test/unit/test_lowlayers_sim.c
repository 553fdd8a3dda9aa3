/* SPDX-License-Identifier: BSD-2-Clause */
/* test_lowlayers_sim.c - ARP, ICMP echo, IPv4 fragmentation and UDP between
 * two instances on the simulated link, on a clean wire and under 10 % loss,
 * 10 % duplication and 10 % reordering. */
#include "test.h"
#include "sim.h"
#include "wire.h"

#define H0 AXIP_IP4(10, 0, 0, 1)
#define H1 AXIP_IP4(10, 0, 0, 2)

static uint8_t mac0[6], mac1[6];
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void no_garp(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->arp_gratuitous = 0;
}

/* ---- gratuitous ARP at init (RFC 5227 announcement) ---- */

struct arp_seen {
	uint32_t n;
	uint32_t from_mac5[4];
	uint32_t op[4], spa[4], tpa[4];
};

static void arp_tap(void *arg, uint32_t to, const uint8_t *f, uint32_t len, axip_time_ns t)
{
	struct arp_seen *a = arg;
	(void)to;
	(void)t;
	if (len < 42 || load_be16(f + 12) != ETH_TYPE_ARP || a->n >= 4)
		return;
	a->from_mac5[a->n] = f[11];
	a->op[a->n] = load_be16(f + 14 + ARP_OFF_OP);
	a->spa[a->n] = load_be32(f + 14 + ARP_OFF_SPA);
	a->tpa[a->n] = load_be32(f + 14 + ARP_OFF_TPA);
	CHECK(memcmp(f, bcast, 6) == 0);
	a->n++;
}

static void test_gratuitous_arp(void)
{
	struct sim_params p;
	struct sim *sim;
	struct arp_seen a;
	uint32_t i;

	memset(&p, 0, sizeof(p));
	memset(&a, 0, sizeof(a));
	sim = sim_new(&p);
	/* the announcements left at init: watch them arrive */
	sim_set_rx_tap(sim, arp_tap, &a);
	sim_run(sim, AXIP_MS(1));
	REQUIRE(a.n >= 2);
	for (i = 0; i < a.n; i++) {
		uint32_t ip = AXIP_IP4(10, 0, 0, a.from_mac5[i]);
		CHECK_EQ(a.spa[i], ip);
		CHECK_EQ(a.tpa[i], ip);
	}
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->arp_rx_conflict, 0);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->arp_rx_conflict, 0);
	sim_free(sim);
}

/* ---- ARP resolution ---- */

struct rx_rec {
	struct axip_stack *s;
	uint32_t n;
	uint32_t len;
	uint8_t data[65536];
};

static void rec_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, struct axip_pkt *p)
{
	struct rx_rec *r = arg;
	(void)sock;
	(void)m;
	r->n++;
	r->len = axip_pkt_chain_len(p);
	axip_pkt_copy_out(p, 0, r->data, r->len);
	axip_pkt_free(r->s, p);
}

static void echo_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, struct axip_pkt *p)
{
	(void)arg;
	axip_udp_send_pkt(sock, m->src_addr, m->src_port, p);
}

static int got_any(void *arg)
{
	return ((struct rx_rec *)arg)->n > 0;
}

static void test_arp_resolution(void)
{
	struct sim_params p;
	struct sim *sim;
	struct axip_stack *s0, *s1;
	const struct axip_counters *c0, *c1;
	struct rx_rec *r = calloc(1, sizeof(*r));
	struct axip_udp *u0, *u1;
	struct sim_frame *f = malloc(8 * sizeof(*f));
	struct axip_neigh ne;
	uint32_t n;
	static const uint8_t x[3] = {1, 2, 3};

	memset(&p, 0, sizeof(p));
	p.cfg_hook = no_garp;
	sim = sim_new(&p);
	s0 = sim_stack(sim, 0);
	s1 = sim_stack(sim, 1);
	c0 = axip_counters(s0);
	c1 = axip_counters(s1);
	r->s = s1;
	sim_capture(sim, 1);
	REQUIRE(axip_udp_open(s0, 0, 1111, rec_cb, r, &u0) == AXIP_OK);
	REQUIRE(axip_udp_open(s1, 0, 2222, rec_cb, r, &u1) == AXIP_OK);
	CHECK_EQ(axip_neigh_get(s0, H1, &ne), AXIP_E_NOTFOUND);
	CHECK_EQ(axip_udp_sendto(u0, H1, 2222, x, 3), AXIP_OK);
	CHECK(sim_run_until(sim, got_any, r, AXIP_MS(10)));
	CHECK_EQ(r->len, 3);
	CHECK_EQ(c0->arp_tx_request, 1);
	CHECK_EQ(c0->arp_rx_reply, 1);
	CHECK_EQ(c1->arp_rx_request, 1);
	CHECK_EQ(c1->arp_tx_reply, 1);
	CHECK_EQ(c1->arp_tx_request, 0);
	REQUIRE(axip_neigh_get(s0, H1, &ne) == AXIP_OK);
	CHECK_EQ(ne.state, AXIP_NEIGH_REACHABLE);
	CHECK(memcmp(ne.mac, mac1, 6) == 0);
	/* the request on the wire (RFC 826): broadcast, who-has H1 tell H0 */
	n = sim_take_sent(sim, 0, f, 8);
	REQUIRE(n == 2);
	CHECK(memcmp(f[0].data, bcast, 6) == 0);
	CHECK_EQ(load_be16(f[0].data + 12), ETH_TYPE_ARP);
	CHECK_EQ(load_be16(f[0].data + 14 + ARP_OFF_HTYPE), 1);
	CHECK_EQ(load_be16(f[0].data + 14 + ARP_OFF_PTYPE), 0x0800);
	CHECK_EQ(f[0].data[14 + ARP_OFF_HLEN], 6);
	CHECK_EQ(f[0].data[14 + ARP_OFF_PLEN], 4);
	CHECK_EQ(load_be16(f[0].data + 14 + ARP_OFF_OP), ARP_OP_REQUEST);
	CHECK(memcmp(f[0].data + 14 + ARP_OFF_SHA, mac0, 6) == 0);
	CHECK_EQ(load_be32(f[0].data + 14 + ARP_OFF_SPA), H0);
	CHECK_EQ(load_be32(f[0].data + 14 + ARP_OFF_TPA), H1);
	/* then the datagram, unicast to host 1 */
	CHECK(memcmp(f[1].data, mac1, 6) == 0);
	CHECK_EQ(load_be16(f[1].data + 12), ETH_TYPE_IPV4);
	/* the reply, unicast to host 0 */
	n = sim_take_sent(sim, 1, f, 8);
	REQUIRE(n == 1);
	CHECK(memcmp(f[0].data, mac0, 6) == 0);
	CHECK_EQ(load_be16(f[0].data + 14 + ARP_OFF_OP), ARP_OP_REPLY);
	CHECK(memcmp(f[0].data + 14 + ARP_OFF_SHA, mac1, 6) == 0);
	CHECK_EQ(load_be32(f[0].data + 14 + ARP_OFF_SPA), H1);
	CHECK(memcmp(f[0].data + 14 + ARP_OFF_THA, mac0, 6) == 0);
	CHECK_EQ(load_be32(f[0].data + 14 + ARP_OFF_TPA), H0);
	/* a second datagram needs no new request */
	r->n = 0;
	CHECK_EQ(axip_udp_sendto(u0, H1, 2222, x, 3), AXIP_OK);
	CHECK(sim_run_until(sim, got_any, r, AXIP_MS(10)));
	CHECK_EQ(c0->arp_tx_request, 1);
	sim_free(sim);
	free(r);
	free(f);
}

/* ---- ICMP echo (RFC 792) ---- */

static void test_ping(void)
{
	struct sim_params p;
	struct sim *sim;
	uint8_t frame[256], payload[56];
	struct sim_frame *f = malloc(8 * sizeof(*f));
	uint32_t len, n, i, replies = 0;
	const struct axip_counters *c1;

	memset(&p, 0, sizeof(p));
	p.cfg_hook = no_garp;
	sim = sim_new(&p);
	c1 = axip_counters(sim_stack(sim, 1));
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i ^ 0x5c);
	sim_capture(sim, 1);
	/* an echo request "from host 0" (its MAC and address), crafted */
	len = sim_build_icmp_echo(frame, mac1, mac0, H0, H1, 0x1234, 7, payload, sizeof(payload));
	sim_inject(sim, 1, frame, len);
	sim_run(sim, AXIP_MS(10));
	CHECK_EQ(c1->icmp_rx_echo, 1);
	CHECK_EQ(c1->icmp_tx_echo_reply, 1);
	n = sim_take_sent(sim, 1, f, 8);
	for (i = 0; i < n; i++) {
		const uint8_t *ip = f[i].data + 14;
		if (load_be16(f[i].data + 12) != ETH_TYPE_IPV4 || ip[9] != IP_PROTO_ICMP)
			continue;
		replies++;
		CHECK(memcmp(f[i].data, mac0, 6) == 0);
		CHECK_EQ(f[i].len, 14 + 20 + 8 + sizeof(payload));
		CHECK_EQ(load_be32(ip + 12), H1);
		CHECK_EQ(load_be32(ip + 16), H0);
		CHECK_EQ(sim_ref_csum(ip, 20, 0), 0);
		CHECK_EQ(ip[20], ICMP_ECHO_REPLY);
		CHECK_EQ(ip[21], 0);
		CHECK_EQ(load_be16(ip + 24), 0x1234);
		CHECK_EQ(load_be16(ip + 26), 7);
		CHECK(memcmp(ip + 28, payload, sizeof(payload)) == 0);
		CHECK_EQ(sim_ref_csum(ip + 20, 8 + sizeof(payload), 0), 0);
	}
	CHECK_EQ(replies, 1);
	sim_free(sim);
	free(f);
}

/* ---- UDP echo of 1000 datagrams ---- */

struct echo_client {
	struct axip_stack *s;
	uint32_t want_seq;
	uint32_t want_len;
	int done;
	uint32_t stale;       /* late duplicates of earlier datagrams */
	uint8_t *expect;
};

static void client_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, struct axip_pkt *p)
{
	struct echo_client *c = arg;
	uint32_t len = axip_pkt_chain_len(p);
	uint8_t hdr[4];
	(void)sock;
	(void)m;
	if (len == c->want_len && len >= 4 && axip_pkt_copy_out(p, 0, hdr, 4) == 4 &&
	    load_be32(hdr) == c->want_seq) {
		static uint8_t got[65536];
		axip_pkt_copy_out(p, 0, got, len);
		if (memcmp(got, c->expect, len) == 0)
			c->done = 1;
	} else {
		c->stale++;
	}
	axip_pkt_free(c->s, p);
}

static int client_done(void *arg)
{
	return ((struct echo_client *)arg)->done;
}

/* Sizes: mostly small, every 7th larger than the MTU (2 to 3 fragments),
 * a few empty-ish and a few exactly at the MTU boundary. */
static uint32_t size_of(uint32_t i)
{
	if (i % 7 == 3)
		return 1473 + (i * 37) % 2500;
	if (i % 50 == 0)
		return 4;
	if (i % 50 == 1)
		return 1472;
	return 4 + (i * 97) % 1200;
}

struct echo_result {
	uint32_t ok, tries, max_tries;
};

static void lossy_cfg(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	/* incomplete datagrams left by lost fragments free their slot soon */
	cfg->frag_timeout_ns = AXIP_MS(20);
	cfg->frag_slots = 64;
}

static void run_echo(struct sim *sim, uint32_t count, uint32_t max_tries, struct echo_result *res)
{
	struct axip_stack *s0 = sim_stack(sim, 0), *s1 = sim_stack(sim, 1);
	struct echo_client c;
	struct axip_udp *cu, *eu;
	static uint8_t buf[65536];
	uint32_t i, k;

	memset(&c, 0, sizeof(c));
	memset(res, 0, sizeof(*res));
	c.s = s0;
	c.expect = buf;
	if (axip_udp_open(s0, 0, 40000, client_cb, &c, &cu) != AXIP_OK ||
	    axip_udp_open(s1, 0, 7, echo_cb, NULL, &eu) != AXIP_OK) {
		CHECK(0);
		return;
	}
	for (i = 0; i < count; i++) {
		uint32_t len = size_of(i), t;
		store_be32(buf, i);
		for (k = 4; k < len; k++)
			buf[k] = (uint8_t)(k * 13 + i);
		c.want_seq = i;
		c.want_len = len;
		c.done = 0;
		for (t = 0; t < max_tries && !c.done; t++) {
			res->tries++;
			if (axip_udp_sendto(cu, H1, 7, buf, len) != AXIP_OK)
				break;
			/* an ARP request lost on the way costs a 1 s retry */
			sim_run_until(sim, client_done, &c, t == 0 ? AXIP_MS(2) : AXIP_MS(1500));
		}
		if (t > res->max_tries)
			res->max_tries = t;
		if (c.done)
			res->ok++;
	}
	axip_udp_close(cu);
	axip_udp_close(eu);
}

static void test_udp_echo_clean(void)
{
	struct sim_params p;
	struct sim *sim;
	struct echo_result res;
	const struct axip_counters *c0, *c1;
	uint32_t b0, b1;
	uint64_t req0, req1;

	memset(&p, 0, sizeof(p));
	p.seed = 100;
	sim = sim_new(&p);
	c0 = axip_counters(sim_stack(sim, 0));
	c1 = axip_counters(sim_stack(sim, 1));
	sim_run(sim, AXIP_MS(1));
	/* the gratuitous announcements are requests too */
	req0 = c0->arp_tx_request;
	req1 = c1->arp_tx_request;
	b0 = sim_bufs_in_use(sim, 0);
	b1 = sim_bufs_in_use(sim, 1);
	run_echo(sim, 1000, 1, &res);
	CHECK_EQ(res.ok, 1000);
	CHECK_EQ(res.tries, 1000);
	/* 143 of the 1000 are larger than the MTU, both ways */
	CHECK_EQ(c1->ip_frag_reassembled, 143);
	CHECK_EQ(c0->ip_frag_reassembled, 143);
	CHECK_EQ(c0->udp_tx, 1000);
	CHECK_EQ(c1->udp_rx, 1000);
	CHECK_EQ(c1->udp_tx, 1000);
	CHECK_EQ(c0->udp_rx, 1000);
	/* RFC 826: host 1 learns host 0 from host 0's request (it is the target),
	 * and a gratuitous ARP creates no entry, so exactly one request */
	CHECK_EQ(c0->arp_tx_request - req0, 1);
	CHECK_EQ(c1->arp_tx_request - req1, 0);
	CHECK_EQ(c0->ip_rx_bad_csum + c1->ip_rx_bad_csum, 0);
	CHECK_EQ(c0->udp_rx_bad_csum + c1->udp_rx_bad_csum, 0);
	CHECK_EQ(c0->ip_frag_timeout + c1->ip_frag_timeout, 0);
	CHECK_EQ(c0->tx_env_drop + c1->tx_env_drop, 0);
	sim_run(sim, AXIP_SEC(1));
	CHECK_EQ(sim_bufs_in_use(sim, 0), b0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), b1);
	sim_free(sim);
}

static void lossy_case(uint32_t caps, uint32_t rx_split, uint64_t seed)
{
	struct sim_params p;
	struct sim *sim;
	struct echo_result res;
	struct sim_stats st;
	const struct axip_counters *c0, *c1;
	uint32_t b0, b1;

	memset(&p, 0, sizeof(p));
	p.seed = seed;
	p.cfg_hook = lossy_cfg;
	p.caps[0] = p.caps[1] = caps;
	p.rx_split = rx_split;
	p.impair.drop_ppm = 100000;
	p.impair.dup_ppm = 100000;
	p.impair.reorder_ppm = 100000;
	p.impair.jitter_ns = 5000;
	sim = sim_new(&p);
	c0 = axip_counters(sim_stack(sim, 0));
	c1 = axip_counters(sim_stack(sim, 1));
	sim_run(sim, AXIP_MS(1));
	b0 = sim_bufs_in_use(sim, 0);
	b1 = sim_bufs_in_use(sim, 1);
	run_echo(sim, 1000, 50, &res);
	sim_get_stats(sim, &st);
	fprintf(stderr, "  lossy caps 0x%x split %u: %u/1000 echoed, %u sends (max %u per datagram), "
	        "wire dropped %llu dup %llu reordered %llu, reassembled %llu+%llu, frag timeouts %llu\n",
	        (unsigned)caps, (unsigned)rx_split, (unsigned)res.ok, (unsigned)res.tries,
	        (unsigned)res.max_tries, (unsigned long long)st.dropped,
	        (unsigned long long)st.duplicated, (unsigned long long)st.reordered,
	        (unsigned long long)c0->ip_frag_reassembled, (unsigned long long)c1->ip_frag_reassembled,
	        (unsigned long long)(c0->ip_frag_timeout + c1->ip_frag_timeout));
	CHECK_EQ(res.ok, 1000);
	CHECK(res.tries > 1000);
	CHECK(st.dropped > 0 && st.duplicated > 0 && st.reordered > 0);
	CHECK(c0->ip_frag_reassembled > 100);
	CHECK(c1->ip_frag_reassembled > 100);
	/* no corruption on this wire: no checksum or format drop may appear */
	CHECK_EQ(c0->ip_rx_bad_csum + c1->ip_rx_bad_csum, 0);
	CHECK_EQ(c0->udp_rx_bad_csum + c1->udp_rx_bad_csum, 0);
	CHECK_EQ(c0->udp_rx_bad_len + c1->udp_rx_bad_len, 0);
	CHECK_EQ(c0->ip_rx_bad_len + c1->ip_rx_bad_len, 0);
	CHECK_EQ(c0->ip_frag_bad + c1->ip_frag_bad, 0);
	CHECK_EQ(c0->arp_rx_bad + c1->arp_rx_bad, 0);
	CHECK_EQ(c0->tx_env_drop + c1->tx_env_drop, 0);
	CHECK_EQ(c0->pkt_pool_empty + c1->pkt_pool_empty, 0);
	/* reassembly slots time out, ARP queues drain: every buffer comes back */
	sim_run(sim, AXIP_SEC(2));
	CHECK_EQ(sim_bufs_in_use(sim, 0), b0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), b1);
	CHECK_EQ(axip_pkt_pool_available(sim_stack(sim, 0)), axip_get_config(sim_stack(sim, 0))->pkt_objects);
	CHECK_EQ(axip_pkt_pool_available(sim_stack(sim, 1)), axip_get_config(sim_stack(sim, 1))->pkt_objects);
	sim_free(sim);
}

static void test_udp_echo_lossy(void)
{
	lossy_case(0, 0, 200);
}

static void test_udp_echo_lossy_offloads_split(void)
{
	lossy_case(AXIP_CAP_SG | AXIP_CAP_TX_IP_CSUM | AXIP_CAP_TX_L4_CSUM | AXIP_CAP_RX_IP_CSUM |
	               AXIP_CAP_RX_L4_CSUM,
	           300, 201);
}

int main(void)
{
	sim_host_mac(0, mac0);
	sim_host_mac(1, mac1);
	RUN_TEST(test_gratuitous_arp);
	RUN_TEST(test_arp_resolution);
	RUN_TEST(test_ping);
	RUN_TEST(test_udp_echo_clean);
	RUN_TEST(test_udp_echo_lossy);
	RUN_TEST(test_udp_echo_lossy_offloads_split);
	return test_summary();
}
