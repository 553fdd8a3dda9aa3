/* SPDX-License-Identifier: BSD-2-Clause */
/* test_sim.c - the simulated link itself: delivery, delay, rate, impairments,
 * determinism, offloads, buffer accounting, RX split, pcap and timer jumps.
 *
 * Frames are sent with the core's own eth_output() using an experimental
 * EtherType (IEEE 802 local experimental 0x88b5), which the receiver counts
 * as eth_rx_unknown_type and drops: this exercises the sim without relying
 * on ARP or IPv4. */
#include "test.h"
#include "sim.h"
#include "stack_internal.h"
#include "wire.h"
#include "checksum.h"

#define ETYPE_EXP 0x88b5u

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* No gratuitous ARP at init: the only frames on the wire are the test's. */
static void quiet_cfg(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->arp_gratuitous = 0;
}

static void params_init(struct sim_params *p)
{
	memset(p, 0, sizeof(*p));
	p->cfg_hook = quiet_cfg;
}

/* Send one frame of `len` bytes (>= 14) from host `from`, payload byte i = seed + i. */
static void send_frame(struct sim *sim, uint32_t from, uint32_t len, uint8_t seed)
{
	struct axip_stack *s = sim_stack(sim, from);
	struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	uint32_t i;
	if (!p) {
		fprintf(stderr, "send_frame: no packet\n");
		abort();
	}
	for (i = 0; i < len - ETH_HLEN; i++)
		p->data[i] = (uint8_t)(seed + i);
	p->len = len - ETH_HLEN;
	p->tailroom -= p->len;
	eth_output(s, p, bcast, ETYPE_EXP);
	axip_flush(s);
}

struct trace {
	uint32_t n;
	uint32_t to[4096];
	axip_time_ns t[4096];
	uint32_t len[4096];
	uint8_t first[4096]; /* first payload byte: identifies the frame */
	uint64_t hash;
};

static void rx_trace(void *arg, uint32_t to, const uint8_t *f, uint32_t len, axip_time_ns t)
{
	struct trace *tr = arg;
	uint32_t i;
	if (tr->n < 4096) {
		tr->to[tr->n] = to;
		tr->t[tr->n] = t;
		tr->len[tr->n] = len;
		tr->first[tr->n] = len > 14 ? f[14] : 0;
	}
	tr->n++;
	/* FNV-1a over everything delivered */
	for (i = 0; i < len; i++)
		tr->hash = (tr->hash ^ f[i]) * 0x100000001b3ull;
	tr->hash = (tr->hash ^ (uint64_t)t) * 0x100000001b3ull;
}

static int rx_count_is(void *arg)
{
	struct sim *sim = arg;
	return axip_counters(sim_stack(sim, 1))->rx_packets >= 1;
}

static void test_delivery_and_delay(void)
{
	struct sim_params p;
	struct sim *sim;
	struct sim_frame *f = malloc(sizeof(*f) * 4);
	axip_time_ns t0;
	const struct axip_counters *c1;

	params_init(&p);
	p.seed = 1;
	sim = sim_new(&p);
	c1 = axip_counters(sim_stack(sim, 1));
	sim_run(sim, AXIP_MS(1));
	sim_capture(sim, 1);
	sim_take_sent(sim, 0, f, 4); /* anything from init */
	t0 = sim_now(sim);
	send_frame(sim, 0, 100, 7);
	CHECK_EQ(sim_in_flight(sim), 1);
	CHECK(sim_run_until(sim, rx_count_is, sim, AXIP_MS(1)));
	/* default one-way delay is 10 us */
	CHECK_EQ(sim_now(sim) - t0, 10000);
	CHECK_EQ(c1->rx_bytes, 100);
	CHECK_EQ(c1->eth_rx_unknown_type, 1);
	CHECK_EQ(sim_in_flight(sim), 0);
	/* captured exactly as sent */
	REQUIRE(sim_take_sent(sim, 0, f, 4) == 1);
	CHECK_EQ(f[0].len, 100);
	CHECK_EQ(f[0].time, t0);
	CHECK(memcmp(f[0].data, bcast, 6) == 0);
	CHECK_EQ(f[0].data[6], 0x02);
	CHECK_EQ(f[0].data[11], 0x01);
	CHECK_EQ(load_be16(f[0].data + 12), ETYPE_EXP);
	CHECK_EQ(f[0].data[14], 7);
	CHECK_EQ(f[0].data[99], (uint8_t)(7 + 85));
	CHECK_EQ(sim_take_sent(sim, 0, f, 4), 0);
	/* every buffer is back: the sender's after the flush, the receiver's after the drop */
	CHECK_EQ(sim_bufs_in_use(sim, 0), 0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), 0);
	sim_free(sim);
	free(f);
}

static void test_rate_limit(void)
{
	struct sim_params p;
	struct sim *sim;
	struct trace *tr = calloc(1, sizeof(*tr));
	axip_time_ns t0;
	uint32_t i;

	params_init(&p);
	p.impair.rate_bps = 1000000000ull; /* 1 Gbit/s: 1000 bytes take 8 us */
	p.impair.delay_ns = 5000;
	sim = sim_new(&p);
	sim_run(sim, AXIP_MS(1));
	sim_set_rx_tap(sim, rx_trace, tr);
	t0 = sim_now(sim);
	for (i = 0; i < 10; i++)
		send_frame(sim, 0, 1000, (uint8_t)i);
	sim_run(sim, AXIP_MS(1));
	REQUIRE(tr->n == 10);
	for (i = 0; i < 10; i++) {
		CHECK_EQ(tr->t[i] - t0, (i + 1) * 8000u + 5000u);
		CHECK_EQ(tr->first[i], i);
	}
	sim_free(sim);
	free(tr);
}

static void run_impaired(uint64_t seed, uint32_t n_frames, const struct sim_impair *im,
                         struct trace *tr, struct sim_stats *st, uint64_t *rx_packets)
{
	struct sim_params p;
	struct sim *sim;
	uint32_t i;

	params_init(&p);
	p.seed = seed;
	p.impair = *im;
	sim = sim_new(&p);
	sim_set_rx_tap(sim, rx_trace, tr);
	for (i = 0; i < n_frames; i++) {
		send_frame(sim, 0, 60 + (i % 64), (uint8_t)i);
		sim_run(sim, 2000);
	}
	sim_run(sim, AXIP_MS(10));
	sim_get_stats(sim, st);
	*rx_packets = axip_counters(sim_stack(sim, 1))->rx_packets;
	CHECK_EQ(sim_bufs_in_use(sim, 0), 0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), 0);
	sim_free(sim);
}

static void test_drop_dup_statistics(void)
{
	struct sim_impair im;
	struct sim_stats st;
	struct trace *tr = calloc(1, sizeof(*tr));
	uint64_t rx;
	const uint32_t n = 20000;

	memset(&im, 0, sizeof(im));
	im.drop_ppm = 100000;  /* 10 % */
	im.dup_ppm = 50000;    /* 5 % */
	run_impaired(42, n, &im, tr, &st, &rx);
	CHECK_EQ(st.frames_tx, n);
	/* binomial(20000, 0.1): sd ~ 42; allow 5 sd */
	CHECK(st.dropped > 2000 - 212 && st.dropped < 2000 + 212);
	/* duplication applies to the surviving ~18000: mean 900, sd ~ 29 */
	CHECK(st.duplicated > 900 - 150 && st.duplicated < 900 + 150);
	/* the receiver saw exactly what the wire delivered */
	CHECK_EQ(rx, n - st.dropped + st.duplicated);
	CHECK_EQ(st.frames_delivered, rx);
	CHECK_EQ(tr->n, rx);
	free(tr);
}

static void test_reorder(void)
{
	struct sim_impair im;
	struct sim_stats st;
	struct trace *tr = calloc(1, sizeof(*tr));
	uint64_t rx;
	uint32_t i, inversions = 0;

	memset(&im, 0, sizeof(im));
	im.reorder_ppm = 200000;
	run_impaired(7, 2000, &im, tr, &st, &rx);
	CHECK_EQ(rx, 2000);
	CHECK(st.reordered > 300 && st.reordered < 500);
	/* frames are 2 us apart and a reordered one waits 30 us more, so it
	 * arrives after later ones */
	for (i = 1; i < 2000; i++)
		if ((uint8_t)(tr->first[i - 1] + 1) != tr->first[i])
			inversions++;
	CHECK(inversions > 0);
	free(tr);
}

static void test_corrupt_one_bit(void)
{
	struct sim_impair im;
	struct sim_stats st;
	struct trace *tr = calloc(1, sizeof(*tr));
	uint64_t rx;

	memset(&im, 0, sizeof(im));
	im.corrupt_ppm = 1000000; /* every frame */
	run_impaired(9, 500, &im, tr, &st, &rx);
	CHECK_EQ(st.corrupted, 500);
	CHECK_EQ(rx, 500);
	free(tr);
}

static void test_determinism(void)
{
	struct sim_impair im;
	struct sim_stats st1, st2, st3;
	struct trace *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b)), *c = calloc(1, sizeof(*c));
	uint64_t rx1, rx2, rx3;

	memset(&im, 0, sizeof(im));
	im.drop_ppm = 100000;
	im.dup_ppm = 100000;
	im.reorder_ppm = 100000;
	im.corrupt_ppm = 100000;
	im.jitter_ns = 3000;
	run_impaired(1234, 3000, &im, a, &st1, &rx1);
	run_impaired(1234, 3000, &im, b, &st2, &rx2);
	run_impaired(1235, 3000, &im, c, &st3, &rx3);
	CHECK_EQ(a->n, b->n);
	CHECK_EQ(a->hash, b->hash);
	CHECK_EQ(rx1, rx2);
	CHECK(memcmp(&st1, &st2, sizeof(st1)) == 0);
	CHECK(a->hash != c->hash);
	free(a);
	free(b);
	free(c);
}

static void test_sg_and_offloads(void)
{
	struct sim_params p;
	struct sim *sim;
	struct sim_frame *f = malloc(sizeof(*f) * 2);
	struct sim_stats st;
	uint32_t h;

	params_init(&p);
	p.caps[0] = 0;
	p.caps[1] = AXIP_CAP_SG | AXIP_CAP_TX_IP_CSUM | AXIP_CAP_TX_L4_CSUM;
	sim = sim_new(&p);
	sim_run(sim, AXIP_MS(1));
	sim_capture(sim, 1);
	for (h = 0; h < 2; h++) {
		struct axip_stack *s = sim_stack(sim, h);
		struct axip_pkt *a = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
		struct axip_pkt *b = axip_pkt_alloc(s, 0);
		uint8_t *ip, *udp;
		uint32_t i;
		REQUIRE(a && b);
		/* IPv4 + UDP header in the first buffer, 301 payload bytes in the second */
		ip = a->data;
		memset(ip, 0, 28);
		ip[0] = 0x45;
		store_be16(ip + IP_OFF_TOTLEN, 28 + 301);
		ip[IP_OFF_TTL] = 64;
		ip[IP_OFF_PROTO] = IP_PROTO_UDP;
		store_be32(ip + IP_OFF_SRC, AXIP_IP4(10, 0, 0, 1));
		store_be32(ip + IP_OFF_DST, AXIP_IP4(10, 0, 0, 2));
		udp = ip + 20;
		store_be16(udp + UDP_OFF_SPORT, 1000);
		store_be16(udp + UDP_OFF_DPORT, 2000);
		store_be16(udp + UDP_OFF_LEN, 8 + 301);
		/* the offload contract: the field holds the pseudo-header sum */
		store_be16(udp + UDP_OFF_CSUM,
		           csum_fold_raw(csum_pseudo(AXIP_IP4(10, 0, 0, 1), AXIP_IP4(10, 0, 0, 2),
		                                     IP_PROTO_UDP, 8 + 301)));
		a->len = 28;
		a->tailroom -= 28;
		for (i = 0; i < 301; i++)
			b->data[i] = (uint8_t)(i * 7);
		b->len = 301;
		b->tailroom -= 301;
		a->sg_next = b;
		a->flags = AXIP_PKT_TX_IP_CSUM | AXIP_PKT_TX_L4_CSUM;
		a->csum_start = ETH_HLEN + 20;
		a->csum_offset = UDP_OFF_CSUM;
		if (h == 0) {
			/* no SG and no offloads announced: the chain is refused */
			a->flags = 0;
		}
		eth_output(s, a, bcast, ETH_TYPE_IPV4);
		axip_flush(s);
	}
	sim_get_stats(sim, &st);
	CHECK_EQ(st.tx_rejected, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tx_env_drop, 1);
	CHECK_EQ(sim_take_sent(sim, 0, f, 2), 0);
	REQUIRE(sim_take_sent(sim, 1, f, 2) == 1);
	CHECK_EQ(f[0].len, 14 + 28 + 301);
	/* the sim filled both checksums: they verify */
	CHECK_EQ(sim_ref_csum(f[0].data + 14, 20, 0), 0);
	{
		uint8_t *ip = f[0].data + 14;
		uint32_t ps = (uint32_t)load_be16(ip + 12) + load_be16(ip + 14) + load_be16(ip + 16) +
		              load_be16(ip + 18) + 17 + 309;
		CHECK_EQ(sim_ref_csum(ip + 20, 309, ps), 0);
		CHECK(load_be16(ip + 20 + 6) != 0);
		CHECK_EQ(ip[28 + 300], (uint8_t)(300 * 7));
	}
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(sim_bufs_in_use(sim, 0), 0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), 0);
	sim_free(sim);
	free(f);
}

/* TSO: one 3000-byte TCP payload leaves as three segments of 1000. */
static void test_tso(void)
{
	struct sim_params p;
	struct sim *sim;
	struct sim_frame *f = malloc(sizeof(*f) * 4);
	struct trace *tr = calloc(1, sizeof(*tr));
	struct axip_stack *s;
	struct axip_pkt *a;
	uint8_t *ip, *tcp;
	uint32_t i, k;

	params_init(&p);
	p.caps[0] = AXIP_CAP_TSO | AXIP_CAP_TX_L4_CSUM | AXIP_CAP_TX_IP_CSUM;
	p.buf_size = 4096;
	sim = sim_new(&p);
	s = sim_stack(sim, 0);
	sim_capture(sim, 1);
	a = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	REQUIRE(a != NULL);
	ip = a->data;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	store_be16(ip + IP_OFF_TOTLEN, 40 + 3000);
	store_be16(ip + IP_OFF_ID, 0x100);
	ip[IP_OFF_TTL] = 64;
	ip[IP_OFF_PROTO] = IP_PROTO_TCP;
	store_be32(ip + IP_OFF_SRC, AXIP_IP4(10, 0, 0, 1));
	store_be32(ip + IP_OFF_DST, AXIP_IP4(10, 0, 0, 2));
	tcp = ip + 20;
	store_be16(tcp + TCP_OFF_SPORT, 1234);
	store_be16(tcp + TCP_OFF_DPORT, 80);
	store_be32(tcp + TCP_OFF_SEQ, 0xfffffc00u); /* wraps in the second segment */
	tcp[TCP_OFF_DOFF] = 5 << 4;
	tcp[TCP_OFF_FLAGS] = TCP_FLAG_ACK | TCP_FLAG_PSH | TCP_FLAG_FIN | TCP_FLAG_CWR;
	for (i = 0; i < 3000; i++)
		tcp[20 + i] = (uint8_t)(i / 7);
	a->len = 3040;
	a->tailroom -= 3040;
	a->flags = AXIP_PKT_TX_TSO | AXIP_PKT_TX_L4_CSUM | AXIP_PKT_TX_IP_CSUM;
	a->tso_mss = 1000;
	a->csum_start = ETH_HLEN + 20;
	a->csum_offset = TCP_OFF_CSUM;
	eth_output(s, a, bcast, ETH_TYPE_IPV4);
	axip_flush(s);
	REQUIRE(sim_take_sent(sim, 0, f, 4) == 3);
	for (k = 0; k < 3; k++) {
		uint8_t *q = f[k].data + 14, *t = q + 20;
		uint32_t ps = (uint32_t)load_be16(q + 12) + load_be16(q + 14) + load_be16(q + 16) +
		              load_be16(q + 18) + 6 + 1020;
		CHECK_EQ(f[k].len, 14 + 40 + 1000);
		CHECK_EQ(load_be16(q + IP_OFF_TOTLEN), 1040);
		CHECK_EQ(load_be16(q + IP_OFF_ID), 0x100 + k);
		CHECK_EQ(sim_ref_csum(q, 20, 0), 0);
		CHECK_EQ(sim_ref_csum(t, 1020, ps), 0);
		CHECK_EQ(load_be32(t + TCP_OFF_SEQ), (uint32_t)(0xfffffc00u + 1000 * k));
		CHECK_EQ(t[TCP_OFF_FLAGS], k == 0 ? (TCP_FLAG_ACK | TCP_FLAG_CWR) :
		                           k == 1 ? TCP_FLAG_ACK : (TCP_FLAG_ACK | TCP_FLAG_PSH | TCP_FLAG_FIN));
		CHECK_EQ(t[20], (uint8_t)(1000 * k / 7));
		CHECK_EQ(t[20 + 999], (uint8_t)((1000 * k + 999) / 7));
	}
	sim_set_rx_tap(sim, rx_trace, tr);
	sim_run(sim, AXIP_MS(1));
	/* host 1 gets the three segments (and may answer them: no connection) */
	REQUIRE(tr->n >= 3);
	for (k = 0; k < 3; k++) {
		CHECK_EQ(tr->to[k], 1);
		CHECK_EQ(tr->len[k], 14 + 40 + 1000);
	}
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->ip_rx_bad_csum, 0);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_rx_bad_csum, 0);
	sim_free(sim);
	free(f);
	free(tr);
}

/* RX split: a 1000-byte frame reaches host 1 as buffers of at most 128 bytes. */
static void test_rx_split(void)
{
	struct sim_params p;
	struct sim *sim;
	const struct axip_counters *c1;

	params_init(&p);
	p.rx_split = 128;
	sim = sim_new(&p);
	c1 = axip_counters(sim_stack(sim, 1));
	sim_run(sim, AXIP_MS(1));
	send_frame(sim, 0, 1000, 3);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(c1->rx_packets, 1);
	CHECK_EQ(c1->rx_bytes, 1000);
	CHECK_EQ(c1->eth_rx_unknown_type, 1);
	CHECK_EQ(sim_bufs_in_use(sim, 1), 0);
	CHECK_EQ(axip_pkt_pool_available(sim_stack(sim, 1)), axip_get_config(sim_stack(sim, 1))->pkt_objects);
	sim_free(sim);
}

/* A timer armed by hand fires exactly at its expiry: the run loop jumps to
 * the deadline axip_poll() reports, and does not spin when nothing is due. */
static axip_time_ns fired_at;
static void on_timer(struct axip_stack *s, struct axip_timer *t)
{
	(void)t;
	fired_at = s->now;
}

static void test_timer_deadline_jump(void)
{
	struct sim_params p;
	struct sim *sim;
	struct axip_timer t;
	struct axip_stack *s;
	axip_time_ns due;

	params_init(&p);
	sim = sim_new(&p);
	s = sim_stack(sim, 0);
	sim_run(sim, AXIP_MS(1));
	timer_init(&t, on_timer);
	due = sim_now(sim) + AXIP_MS(2500) + 12345;
	timer_arm(&s->wheel, &t, due);
	sim_run(sim, AXIP_SEC(5));
	CHECK_EQ(fired_at, due);
	/* nothing armed: an hour passes in one jump */
	sim_run(sim, AXIP_SEC(3600));
	CHECK_EQ(sim_now(sim), AXIP_MS(1) + AXIP_SEC(5) + AXIP_SEC(3600));
	sim_free(sim);
}

static void test_inject_and_tap_drop(void)
{
	struct sim_params p;
	struct sim *sim;
	uint8_t frame[64];
	const struct axip_counters *c1;

	params_init(&p);
	sim = sim_new(&p);
	c1 = axip_counters(sim_stack(sim, 1));
	sim_run(sim, AXIP_MS(1));
	memset(frame, 0, sizeof(frame));
	memcpy(frame, bcast, 6);
	frame[6] = 0x02;
	frame[11] = 0x09;
	store_be16(frame + 12, ETYPE_EXP);
	sim_inject(sim, 1, frame, sizeof(frame));
	sim_run(sim, 1);
	CHECK_EQ(c1->eth_rx_unknown_type, 1);
	CHECK_EQ(c1->rx_bytes, 64);
	sim_free(sim);
}

static int drop_all(void *arg, uint32_t from, uint8_t *frame, uint32_t *len)
{
	(void)frame;
	(void)len;
	(void)from;
	++*(uint32_t *)arg;
	return 0;
}

static void test_tap(void)
{
	struct sim_params p;
	struct sim *sim;
	uint32_t seen = 0;
	struct sim_stats st;

	params_init(&p);
	sim = sim_new(&p);
	sim_run(sim, AXIP_MS(1));
	sim_set_tap(sim, drop_all, &seen);
	send_frame(sim, 0, 80, 0);
	send_frame(sim, 1, 80, 0);
	sim_run(sim, AXIP_MS(1));
	sim_get_stats(sim, &st);
	CHECK_EQ(seen, 2);
	CHECK_EQ(st.tap_dropped, 2);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->rx_packets, 0);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->rx_packets, 0);
	sim_free(sim);
}

static void test_pcap(void)
{
	struct sim_params p;
	struct sim *sim;
	const char *path = "test_sim.pcap";
	FILE *f;
	long size;

	params_init(&p);
	sim = sim_new(&p);
	REQUIRE(sim_pcap_open(sim, path) == 0);
	send_frame(sim, 0, 100, 0);
	send_frame(sim, 1, 60, 0);
	sim_run(sim, AXIP_MS(1));
	sim_free(sim);
	f = fopen(path, "rb");
	REQUIRE(f != NULL);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	remove(path);
	CHECK_EQ(size, 24 + (16 + 100) + (16 + 60));
}

static void test_single(void)
{
	struct axip_config cfg;
	struct sim_single *h;
	struct axip_stack *s;
	struct axip_pkt *pk;
	uint8_t out[256];
	uint8_t frame[60];

	axip_config_defaults(&cfg);
	sim_host_mac(0, cfg.mac);
	cfg.n_addrs = 1;
	cfg.addrs[0].addr = sim_host_ip(0);
	cfg.addrs[0].prefix_len = 24;
	cfg.arp_gratuitous = 0;
	h = sim_single_new(&cfg, 0);
	s = sim_single_stack(h);
	CHECK_EQ(sim_single_tx_count(h), 0);
	pk = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	REQUIRE(pk != NULL);
	memset(pk->data, 0x5a, 46);
	pk->len = 46;
	eth_output(s, pk, bcast, ETYPE_EXP);
	axip_flush(s);
	CHECK_EQ(sim_single_tx_count(h), 1);
	CHECK_EQ(sim_single_tx_pop(h, out, sizeof(out)), 60);
	CHECK_EQ(out[59], 0x5a);
	CHECK_EQ(sim_single_tx_pop(h, out, sizeof(out)), 0);
	memset(frame, 0, sizeof(frame));
	memcpy(frame, cfg.mac, 6);
	store_be16(frame + 12, ETYPE_EXP);
	sim_single_rx_split(h, frame, sizeof(frame), AXIP_MS(5), 16);
	CHECK_EQ(axip_counters(s)->rx_packets, 1);
	CHECK_EQ(axip_counters(s)->rx_bytes, 60);
	CHECK_EQ(sim_single_bufs_in_use(h), 0);
	sim_single_free(h);
}

int main(void)
{
	RUN_TEST(test_delivery_and_delay);
	RUN_TEST(test_rate_limit);
	RUN_TEST(test_drop_dup_statistics);
	RUN_TEST(test_reorder);
	RUN_TEST(test_corrupt_one_bit);
	RUN_TEST(test_determinism);
	RUN_TEST(test_sg_and_offloads);
	RUN_TEST(test_tso);
	RUN_TEST(test_rx_split);
	RUN_TEST(test_timer_deadline_jump);
	RUN_TEST(test_inject_and_tap_drop);
	RUN_TEST(test_tap);
	RUN_TEST(test_pcap);
	RUN_TEST(test_single);
	return test_summary();
}
