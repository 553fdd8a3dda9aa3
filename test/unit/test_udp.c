/* SPDX-License-Identifier: BSD-2-Clause */
/* test_udp.c - UDP sockets (RFC 768) between two sim hosts and on crafted input. */
#include "test.h"
#include "sim.h"
#include "wire.h"

#define H0 AXIP_IP4(10, 0, 0, 1)
#define H1 AXIP_IP4(10, 0, 0, 2)

struct rx_rec {
	struct axip_stack *s;
	uint32_t n;          /* datagrams received */
	uint32_t len;        /* length of the last one */
	uint32_t segs;       /* buffers in the last one */
	struct axip_udp_meta meta;
	uint8_t data[65536];
};

static void rec_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, struct axip_pkt *p)
{
	struct rx_rec *r = arg;
	struct axip_pkt *q;
	(void)sock;
	r->n++;
	r->meta = *m;
	r->len = axip_pkt_chain_len(p);
	r->segs = 0;
	for (q = p; q; q = q->sg_next)
		r->segs++;
	axip_pkt_copy_out(p, 0, r->data, r->len);
	/* the callback owns the payload */
	axip_pkt_free(r->s, p);
}

/* Echo: send the received packet straight back (zero-copy). */
static uint32_t echo_rc_errors;
static void echo_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, struct axip_pkt *p)
{
	(void)arg;
	if (axip_udp_send_pkt(sock, m->src_addr, m->src_port, p) != AXIP_OK)
		echo_rc_errors++;
}

static int got_n(void *arg)
{
	struct rx_rec *r = arg;
	return r->n > 0;
}

static void fill(uint8_t *b, uint32_t n, uint32_t seed)
{
	uint32_t i;
	for (i = 0; i < n; i++)
		b[i] = (uint8_t)((i * 131u + seed) >> 3);
}

struct pair {
	struct sim *sim;
	struct axip_stack *s0, *s1;
	struct axip_udp *client, *echo;
	struct rx_rec *rec;
	uint32_t base0, base1;
};

static void pair_open(struct pair *pr, const struct sim_params *p)
{
	pr->sim = sim_new(p);
	pr->s0 = sim_stack(pr->sim, 0);
	pr->s1 = sim_stack(pr->sim, 1);
	pr->rec = calloc(1, sizeof(*pr->rec));
	pr->rec->s = pr->s0;
	sim_run(pr->sim, AXIP_MS(1)); /* gratuitous ARP settles */
	pr->base0 = sim_bufs_in_use(pr->sim, 0);
	pr->base1 = sim_bufs_in_use(pr->sim, 1);
	if (axip_udp_open(pr->s0, 0, 5000, rec_cb, pr->rec, &pr->client) != AXIP_OK ||
	    axip_udp_open(pr->s1, 0, 7, echo_cb, NULL, &pr->echo) != AXIP_OK) {
		fprintf(stderr, "pair_open: udp_open failed\n");
		abort();
	}
}

static void pair_close(struct pair *pr)
{
	axip_udp_close(pr->client);
	axip_udp_close(pr->echo);
	sim_run(pr->sim, AXIP_MS(1));
	CHECK_EQ(sim_bufs_in_use(pr->sim, 0), pr->base0);
	CHECK_EQ(sim_bufs_in_use(pr->sim, 1), pr->base1);
	CHECK_EQ(echo_rc_errors, 0);
	sim_free(pr->sim);
	free(pr->rec);
}

/* Send `len` bytes to the echo port and wait for them to come back. */
static int echo_once(struct pair *pr, uint32_t len, uint32_t seed)
{
	static uint8_t buf[65536];
	int rc;
	fill(buf, len, seed);
	pr->rec->n = 0;
	rc = axip_udp_sendto(pr->client, H1, 7, buf, len);
	if (rc != AXIP_OK) {
		fprintf(stderr, "sendto %u: %s\n", (unsigned)len, axip_strerror(rc));
		return 0;
	}
	if (!sim_run_until(pr->sim, got_n, pr->rec, AXIP_MS(100)))
		return 0;
	return pr->rec->len == len && memcmp(pr->rec->data, buf, len) == 0 &&
	       pr->rec->meta.src_addr == H1 && pr->rec->meta.src_port == 7 &&
	       pr->rec->meta.dst_addr == H0 && pr->rec->meta.dst_port == 5000;
}

static void test_echo_small_zero_large(void)
{
	struct sim_params p;
	struct pair pr;
	const struct axip_counters *c0, *c1;

	memset(&p, 0, sizeof(p));
	p.seed = 11;
	pair_open(&pr, &p);
	c0 = axip_counters(pr.s0);
	c1 = axip_counters(pr.s1);
	CHECK(echo_once(&pr, 5, 1));
	CHECK_EQ(c0->udp_tx, 1);
	CHECK_EQ(c1->udp_rx, 1);
	CHECK_EQ(c1->udp_tx, 1);
	CHECK_EQ(c0->udp_rx, 1);
	/* zero-length datagram: a packet of length 0 */
	CHECK(echo_once(&pr, 0, 2));
	CHECK_EQ(pr.rec->len, 0);
	/* exactly one MTU, then one byte more (two fragments) */
	CHECK(echo_once(&pr, 1500 - 28, 3));
	CHECK_EQ(c1->ip_frag_reassembled, 0);
	CHECK(echo_once(&pr, 1500 - 27, 4));
	CHECK_EQ(c1->ip_frag_reassembled, 1);
	CHECK_EQ(c0->ip_frag_reassembled, 1);
	/* large and the largest datagram */
	CHECK(echo_once(&pr, 20000, 5));
	CHECK(echo_once(&pr, 65507, 6));
	CHECK(pr.rec->segs > 1); /* reassembled: handed over as an sg chain */
	CHECK_EQ(axip_udp_sendto(pr.client, H1, 7, pr.rec->data, 65508), AXIP_E_MSGSIZE);
	CHECK_EQ(c0->udp_rx_bad_csum + c1->udp_rx_bad_csum, 0);
	CHECK_EQ(c0->udp_rx_bad_len + c1->udp_rx_bad_len, 0);
	pair_close(&pr);
}

/* Multi-buffer receive: every frame arrives in 40-byte buffers, so even the
 * UDP header is split across two buffers. */
static void test_echo_split_rx(void)
{
	struct sim_params p;
	struct pair pr;
	memset(&p, 0, sizeof(p));
	p.seed = 12;
	p.rx_split = 40;
	pair_open(&pr, &p);
	CHECK(echo_once(&pr, 1, 1));
	CHECK(echo_once(&pr, 777, 2));
	CHECK(echo_once(&pr, 5000, 3));
	pair_close(&pr);
}

/* With SG and checksum offloads the same traffic works and every checksum
 * on the wire is right. */
static void test_echo_offloads(void)
{
	struct sim_params p;
	struct pair pr;
	struct sim_frame *f = malloc(64 * sizeof(*f));
	uint32_t n, i, udp_frames = 0;

	memset(&p, 0, sizeof(p));
	p.seed = 13;
	p.caps[0] = p.caps[1] = AXIP_CAP_SG | AXIP_CAP_TX_L4_CSUM | AXIP_CAP_TX_IP_CSUM |
	                        AXIP_CAP_RX_IP_CSUM | AXIP_CAP_RX_L4_CSUM;
	pair_open(&pr, &p);
	sim_capture(pr.sim, 1);
	CHECK(echo_once(&pr, 100, 1));
	CHECK(echo_once(&pr, 0, 2));
	CHECK(echo_once(&pr, 4000, 3));
	n = sim_take_sent(pr.sim, 0, f, 64);
	for (i = 0; i < n; i++) {
		const uint8_t *ip = f[i].data + 14;
		uint32_t ulen, ps;
		if (load_be16(f[i].data + 12) != 0x0800 || ip[9] != 17 ||
		    (load_be16(ip + 6) & 0x3fff) != 0)
			continue; /* only whole UDP datagrams */
		udp_frames++;
		ulen = load_be16(ip + 24);
		ps = (uint32_t)load_be16(ip + 12) + load_be16(ip + 14) + load_be16(ip + 16) +
		     load_be16(ip + 18) + 17 + ulen;
		CHECK_EQ(sim_ref_csum(ip, 20, 0), 0);
		CHECK(load_be16(ip + 26) != 0);
		CHECK_EQ(sim_ref_csum(ip + 20, ulen, ps), 0);
	}
	CHECK_EQ(udp_frames, 2);
	sim_capture(pr.sim, 0);
	pair_close(&pr);
	free(f);
}

/* A datagram whose checksum computes to zero is sent as 0xffff (RFC 768),
 * by software and by the offload. */
static void zero_csum_case(uint32_t caps)
{
	struct sim_params p;
	struct pair pr;
	struct sim_frame *f = malloc(16 * sizeof(*f));
	uint8_t udp[10], payload[2];
	uint32_t n, i, found = 0, ps;
	uint16_t c;

	memset(&p, 0, sizeof(p));
	p.caps[0] = caps;
	pair_open(&pr, &p);
	/* choose the payload word that makes the sum all ones */
	store_be16(udp + 0, 5000);
	store_be16(udp + 2, 7);
	store_be16(udp + 4, 10);
	store_be16(udp + 6, 0);
	udp[8] = udp[9] = 0;
	ps = (H0 >> 16) + (H0 & 0xffff) + (H1 >> 16) + (H1 & 0xffff) + 17 + 10;
	c = sim_ref_csum(udp, 10, ps);
	store_be16(payload, c);
	sim_capture(pr.sim, 1);
	pr.rec->n = 0;
	CHECK_EQ(axip_udp_sendto(pr.client, H1, 7, payload, 2), AXIP_OK);
	CHECK(sim_run_until(pr.sim, got_n, pr.rec, AXIP_MS(100)));
	n = sim_take_sent(pr.sim, 0, f, 16);
	for (i = 0; i < n; i++) {
		if (load_be16(f[i].data + 12) == 0x0800 && f[i].data[23] == 17) {
			found++;
			CHECK_EQ(load_be16(f[i].data + 14 + 20 + 6), 0xffff);
		}
	}
	CHECK_EQ(found, 1);
	pair_close(&pr);
	free(f);
}

static void test_zero_checksum_sent_as_ones(void)
{
	zero_csum_case(0);
	zero_csum_case(AXIP_CAP_TX_L4_CSUM);
}

/* ---- crafted input to host 1 ---- */

static uint8_t mac0[6], mac1[6];

static void inject_udp(struct sim *sim, const uint8_t *udp, uint32_t len)
{
	uint8_t frame[2048];
	uint32_t n = sim_build_ipv4(frame, mac1, mac0, H0, H1, 17, udp, len);
	sim_inject(sim, 1, frame, n);
	sim_run(sim, AXIP_MS(1));
}

static void make_udp(uint8_t *u, uint16_t dport, uint16_t ulen, uint32_t paylen, int csum)
{
	uint32_t ps = (H0 >> 16) + (H0 & 0xffff) + (H1 >> 16) + (H1 & 0xffff) + 17 + ulen;
	uint32_t i;
	store_be16(u + 0, 4444);
	store_be16(u + 2, dport);
	store_be16(u + 4, ulen);
	store_be16(u + 6, 0);
	for (i = 0; i < paylen; i++)
		u[8 + i] = (uint8_t)(i + 1);
	if (csum) {
		uint16_t c = sim_ref_csum(u, ulen, ps);
		store_be16(u + 6, c ? c : 0xffff);
	}
}

static void test_crafted_lengths_and_checksums(void)
{
	struct sim_params p;
	struct sim *sim;
	struct axip_stack *s1;
	const struct axip_counters *c1;
	struct rx_rec *r = calloc(1, sizeof(*r));
	struct axip_udp *sock;
	uint8_t u[256];
	uint32_t base;

	memset(&p, 0, sizeof(p));
	sim = sim_new(&p);
	s1 = sim_stack(sim, 1);
	c1 = axip_counters(s1);
	r->s = s1;
	sim_host_mac(0, mac0);
	sim_host_mac(1, mac1);
	sim_run(sim, AXIP_MS(1));
	base = sim_bufs_in_use(sim, 1);
	REQUIRE(axip_udp_open(s1, H1, 9, rec_cb, r, &sock) == AXIP_OK);

	/* good datagram, checksum present */
	make_udp(u, 9, 8 + 20, 20, 1);
	inject_udp(sim, u, 28);
	CHECK_EQ(r->n, 1);
	CHECK_EQ(r->len, 20);
	CHECK_EQ(r->data[19], 20);
	CHECK_EQ(r->meta.src_port, 4444);
	CHECK_EQ(r->meta.src_addr, H0);
	/* checksum 0: none computed, accepted as is (RFC 768) */
	make_udp(u, 9, 8 + 20, 20, 0);
	u[8] ^= 0xff;
	inject_udp(sim, u, 28);
	CHECK_EQ(r->n, 2);
	/* bad checksum: dropped and counted */
	make_udp(u, 9, 8 + 20, 20, 1);
	u[10] ^= 0x40;
	inject_udp(sim, u, 28);
	CHECK_EQ(r->n, 2);
	CHECK_EQ(c1->udp_rx_bad_csum, 1);
	/* length field shorter than the IP payload: the rest is not UDP data */
	make_udp(u, 9, 8 + 12, 12, 1);
	inject_udp(sim, u, 28);
	CHECK_EQ(r->n, 3);
	CHECK_EQ(r->len, 12);
	/* longer than the IP payload: dropped */
	make_udp(u, 9, 8 + 20, 20, 1);
	inject_udp(sim, u, 24);
	CHECK_EQ(c1->udp_rx_bad_len, 1);
	/* length below the header size */
	make_udp(u, 9, 8, 0, 0);
	store_be16(u + 4, 7);
	inject_udp(sim, u, 8);
	CHECK_EQ(c1->udp_rx_bad_len, 2);
	/* shorter than a UDP header */
	inject_udp(sim, u, 5);
	CHECK_EQ(c1->udp_rx_short, 1);
	CHECK_EQ(r->n, 3);
	CHECK_EQ(c1->udp_rx, 7);
	axip_udp_close(sock);
	/* a closed socket's port is unbound again */
	make_udp(u, 9, 8 + 20, 20, 1);
	inject_udp(sim, u, 28);
	CHECK_EQ(r->n, 3);
	CHECK_EQ(c1->udp_rx_no_port, 1);
	sim_run(sim, AXIP_MS(10));
	CHECK_EQ(sim_bufs_in_use(sim, 1), base);
	sim_free(sim);
	free(r);
}

/* No socket: ICMP port unreachable quoting the datagram (RFC 1122 4.1.3.1),
 * delivered to the sender's error callback; no ICMP for a broadcast. */
static int err_seen;
static struct axip_udp_meta err_meta;
static void err_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, int err)
{
	(void)arg;
	(void)sock;
	err_seen = err;
	err_meta = *m;
}

static int err_arrived(void *arg)
{
	(void)arg;
	return err_seen != 0;
}

static void test_no_port_icmp(void)
{
	struct sim_params p;
	struct pair pr;
	struct sim_frame *f = malloc(16 * sizeof(*f));
	uint32_t n, i, icmp = 0;
	const struct axip_counters *c1;
	static const uint8_t hello[5] = {'h', 'e', 'l', 'l', 'o'};

	memset(&p, 0, sizeof(p));
	pair_open(&pr, &p);
	c1 = axip_counters(pr.s1);
	axip_udp_set_error_cb(pr.client, err_cb, NULL);
	sim_capture(pr.sim, 1);
	CHECK_EQ(axip_udp_sendto(pr.client, H1, 999, hello, 5), AXIP_OK);
	CHECK(sim_run_until(pr.sim, err_arrived, NULL, AXIP_MS(100)));
	CHECK_EQ(err_seen, AXIP_E_REFUSED);
	CHECK_EQ(err_meta.src_port, 5000);
	CHECK_EQ(err_meta.dst_port, 999);
	CHECK_EQ(err_meta.dst_addr, H1);
	CHECK_EQ(c1->udp_rx_no_port, 1);
	CHECK_EQ(c1->icmp_tx_unreach, 1);
	n = sim_take_sent(pr.sim, 1, f, 16);
	for (i = 0; i < n; i++) {
		const uint8_t *ip = f[i].data + 14;
		if (load_be16(f[i].data + 12) != 0x0800 || ip[9] != 1)
			continue;
		icmp++;
		CHECK_EQ(ip[20], 3); /* destination unreachable */
		CHECK_EQ(ip[21], 3); /* port unreachable */
		CHECK_EQ(load_be32(ip + 16), H0);
		/* quotes our IPv4 header and the UDP header */
		CHECK_EQ(load_be32(ip + 28 + 12), H0);
		CHECK_EQ(load_be16(ip + 28 + 20 + 2), 999);
	}
	CHECK_EQ(icmp, 1);
	/* subnet broadcast to a closed port: counted, no ICMP */
	CHECK_EQ(axip_udp_sendto(pr.client, AXIP_IP4(10, 0, 0, 255), 999, hello, 5), AXIP_OK);
	sim_run(pr.sim, AXIP_MS(10));
	CHECK_EQ(c1->udp_rx_no_port, 2);
	CHECK_EQ(c1->icmp_tx_unreach, 1);
	sim_capture(pr.sim, 0);
	pair_close(&pr);
	free(f);
}

static void small_table(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->udp_sockets = 4;
}

static void null_cb(void *arg, struct axip_udp *sock, const struct axip_udp_meta *m, struct axip_pkt *p)
{
	(void)sock;
	(void)m;
	axip_pkt_free(arg, p);
}

static void test_table_full_and_binding_rules(void)
{
	struct sim_params p;
	struct sim *sim;
	struct axip_stack *s;
	struct axip_udp *u[5];
	uint32_t i;
	static const uint8_t x = 1;

	memset(&p, 0, sizeof(p));
	p.cfg_hook = small_table;
	sim = sim_new(&p);
	s = sim_stack(sim, 0);
	for (i = 0; i < 4; i++)
		CHECK_EQ(axip_udp_open(s, 0, (uint16_t)(100 + i), null_cb, s, &u[i]), AXIP_OK);
	CHECK_EQ(axip_udp_open(s, 0, 200, null_cb, s, &u[4]), AXIP_E_NOMEM);
	CHECK_EQ(axip_counters(s)->udp_table_full, 1);
	axip_udp_close(u[2]);
	CHECK_EQ(axip_udp_open(s, 0, 200, null_cb, s, &u[2]), AXIP_OK);
	/* binding rules */
	axip_udp_close(u[3]);
	CHECK_EQ(axip_udp_open(s, 0, 100, null_cb, s, &u[3]), AXIP_E_ADDRINUSE);
	CHECK_EQ(axip_udp_open(s, H0, 100, null_cb, s, &u[3]), AXIP_E_ADDRINUSE);
	CHECK_EQ(axip_udp_open(s, H1, 300, null_cb, s, &u[3]), AXIP_E_INVAL); /* not ours */
	CHECK_EQ(axip_udp_open(s, 0, 0, null_cb, s, &u[3]), AXIP_E_INVAL);
	CHECK_EQ(axip_udp_open(s, 0, 300, NULL, s, &u[3]), AXIP_E_INVAL);
	CHECK_EQ(axip_udp_open(s, H0, 300, null_cb, s, &u[3]), AXIP_OK);
	CHECK_EQ(axip_udp_open(s, 0, 300, null_cb, s, &u[4]), AXIP_E_ADDRINUSE);
	/* errors from sendto */
	CHECK_EQ(axip_udp_sendto(u[0], AXIP_IP4(192, 168, 1, 1), 9, &x, 1), AXIP_E_UNREACH);
	CHECK_EQ(axip_udp_sendto(u[0], H1, 0, &x, 1), AXIP_E_INVAL);
	CHECK_EQ(axip_counters(s)->udp_table_full, 1);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_echo_small_zero_large);
	RUN_TEST(test_echo_split_rx);
	RUN_TEST(test_echo_offloads);
	RUN_TEST(test_zero_checksum_sent_as_ones);
	RUN_TEST(test_crafted_lengths_and_checksums);
	RUN_TEST(test_no_port_icmp);
	RUN_TEST(test_table_full_and_binding_rules);
	return test_summary();
}
