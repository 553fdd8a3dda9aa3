/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp_rules.c - protocol rules checked on the wire with crafted and
 * recorded segments: RFC 5961 challenge ACKs and their rate limit, PAWS,
 * SACK recovery resending only what was lost, NewReno in the first window,
 * RACK-TLP (tail loss probe, lost retransmission), D-SACK, RTO backoff, Nagle and
 * delayed ACK, window scaling, MSS 536 without the option, zero-window
 * probes, SYN cookies, keepalive, ICMP fragmentation-needed, no FIN resent
 * on an ACK of the data before it. */
#include "tcp_util.h"
#include "wire.h"

/* ---- wire recording through the tap ---- */

struct seg {
	uint32_t from;
	axip_time_ns t;
	uint16_t sport, dport;
	uint32_t seq, ack, plen;
	uint8_t flags;
	uint16_t win;
	int has_ts, has_ws, has_mss, sack_ok, nsack;
	uint32_t tsval, tsecr;
	uint32_t sack0[2]; /* first SACK block */
	uint8_t ws;
	uint16_t mss;
};

#define MAXSEG 200000
static struct seg *segs;
static uint32_t nsegs;
static struct sim *g_sim;
/* drop rule: data segments from host 0 whose seq is in drop_seq (once each) */
static uint32_t drop_seq[8], n_drop;
static int drop_all_from; /* 1 + host index: drop every TCP frame from it */

static int parse(const uint8_t *f, uint32_t len, struct seg *s)
{
	const uint8_t *ip = f + 14, *t;
	uint32_t ihl, tot, doff, i;
	if (len < 54 || load_be16(f + 12) != ETH_TYPE_IPV4 || ip[IP_OFF_PROTO] != IP_PROTO_TCP)
		return 0;
	ihl = (ip[0] & 15u) * 4u;
	tot = load_be16(ip + IP_OFF_TOTLEN);
	t = ip + ihl;
	doff = (t[12] >> 4) * 4u;
	memset(s, 0, sizeof(*s));
	s->sport = load_be16(t);
	s->dport = load_be16(t + 2);
	s->seq = load_be32(t + 4);
	s->ack = load_be32(t + 8);
	s->flags = t[13];
	s->win = load_be16(t + 14);
	s->plen = tot - ihl - doff;
	for (i = 20; i < doff;) {
		uint8_t k = t[i];
		if (k == 0)
			break;
		if (k == 1) {
			i++;
			continue;
		}
		if (k == 2) { s->has_mss = 1; s->mss = load_be16(t + i + 2); }
		if (k == 3) { s->has_ws = 1; s->ws = t[i + 2]; }
		if (k == 4) s->sack_ok = 1;
		if (k == 5) {
			s->nsack = (t[i + 1] - 2) / 8;
			if (s->nsack) {
				s->sack0[0] = load_be32(t + i + 2);
				s->sack0[1] = load_be32(t + i + 6);
			}
		}
		if (k == 8) { s->has_ts = 1; s->tsval = load_be32(t + i + 2); s->tsecr = load_be32(t + i + 6); }
		i += t[i + 1];
	}
	return 1;
}

static int tap(void *arg, uint32_t from, uint8_t *frame, uint32_t *len)
{
	struct seg s;
	uint32_t i;
	(void)arg;
	if (!parse(frame, *len, &s))
		return 1;
	s.from = from;
	s.t = sim_now(g_sim);
	if (nsegs < MAXSEG)
		segs[nsegs++] = s;
	if (drop_all_from == (int)from + 1)
		return 0;
	if (from == 0 && s.plen) {
		for (i = 0; i < n_drop; i++) {
			if (drop_seq[i] == s.seq) {
				drop_seq[i] = drop_seq[--n_drop];
				return 0;
			}
		}
	}
	return 1;
}

static struct seg *last_from(uint32_t host)
{
	uint32_t i = nsegs;
	while (i-- > 0)
		if (segs[i].from == host)
			return &segs[i];
	return NULL;
}

static struct sim *new_sim_hook(void (*hook)(void *, uint32_t, struct axip_config *))
{
	struct sim_params p;
	memset(&p, 0, sizeof(p));
	p.seed = 7;
	p.cfg_hook = hook;
	g_sim = sim_new(&p);
	sim_set_tap(g_sim, tap, NULL);
	nsegs = 0;
	n_drop = 0;
	drop_all_from = 0;
	return g_sim;
}
static struct sim *new_sim(void)
{
	return new_sim_hook(NULL);
}

/* Crafted segment from host 1 (10.0.0.2) to host 0. */
static void inject_from(struct sim *sim, uint32_t src, uint16_t sport, uint16_t dport,
                        uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
                        const uint8_t *opt, uint32_t optlen, const void *payload, uint32_t plen)
{
	const struct sim_tcp_seg seg = { sport, dport, seq, ack, flags, win, opt, optlen, payload, plen };
	uint8_t frame[1700], m0[6], m1[6];
	sim_host_mac(0, m0);
	sim_host_mac(1, m1);
	sim_inject(sim, 0, frame, sim_build_tcp(frame, m0, m1, src, H0, &seg));
}

static void inject(struct sim *sim, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                   uint8_t flags, uint16_t win, const uint8_t *opt, uint32_t optlen,
                   const void *payload, uint32_t plen)
{
	inject_from(sim, H1, sport, dport, seq, ack, flags, win, opt, optlen, payload, plen);
}

#define H_GHOST AXIP_IP4(10, 0, 0, 3) /* no such host: replies to it go nowhere */

static uint32_t ts_opt(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	store_be32(o + 4, tsval);
	store_be32(o + 8, tsecr);
	return 12;
}

static int flag_set(void *arg)
{
	return *(int *)arg != 0;
}

/* An established connection host 0 (client, port 40000) -> host 1:80. */
struct conn {
	struct tapp cli, srv;
	struct tserver sv;
	struct axip_tcp_listener *l;
};

static int establish(struct sim *sim, struct conn *k, const struct axip_tcp_opts *copts)
{
	tapp_init(&k->cli, sim_stack(sim, 0), 1, 0);
	tapp_init(&k->srv, sim_stack(sim, 1), 2, 0);
	memset(&k->sv, 0, sizeof(k->sv));
	k->sv.app = &k->srv;
	if (axip_tcp_listen(sim_stack(sim, 1), 0, 80, 0, tserver_accept, &k->sv, NULL, &k->l))
		return 0;
	if (axip_tcp_connect_from(sim_stack(sim, 0), 40000, H1, 80, &tapp_cb, &k->cli, copts,
	                          &k->cli.c))
		return 0;
	sim_run(sim, AXIP_MS(10));
	return k->cli.connected && k->srv.accepted;
}

/* ---- RFC 5961 ---- */

static uint32_t chack_limit = 1000;
static void chack_hook(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	(void)host;
	cfg->tcp_challenge_ack_per_sec = chack_limit;
}

static void test_challenge_acks(void)
{
	struct sim *sim;
	struct conn k;
	struct seg *s;
	uint32_t rcv_nxt, snd_nxt, tsv, i, n;
	uint8_t o[12];
	chack_limit = 2;
	sim = new_sim_hook(chack_hook);
	REQUIRE(establish(sim, &k, NULL));
	s = last_from(0);
	REQUIRE(s != NULL);
	rcv_nxt = s->ack;
	snd_nxt = s->seq;
	tsv = last_from(1)->tsval + 10;
	/* in-window but inexact RST: challenge ACK, connection stays */
	n = nsegs;
	inject(sim, 80, 40000, rcv_nxt + 100, 0, TCP_FLAG_RST, 0, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_challenge_ack, 1);
	CHECK_EQ(k.cli.closed, 0);
	REQUIRE(nsegs == n + 1);
	CHECK_EQ(segs[n].flags, TCP_FLAG_ACK);
	CHECK_EQ(segs[n].ack, rcv_nxt);
	/* SYN on an established connection: challenge ACK (RFC 5961 4.2) */
	ts_opt(o, tsv, 0);
	inject(sim, 80, 40000, rcv_nxt + 5000, 0, TCP_FLAG_SYN, 1000, o, 12, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_challenge_ack, 2);
	/* rate limit: two per second */
	for (i = 0; i < 3; i++)
		inject(sim, 80, 40000, rcv_nxt + 1 + i, 0, TCP_FLAG_RST, 0, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_challenge_ack, 2);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_challenge_ack_limited, 3);
	/* out-of-window RST: silently dropped */
	inject(sim, 80, 40000, rcv_nxt + 0x40000000u, 0, TCP_FLAG_RST, 0, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k.cli.closed, 0);
	/* ACK far below snd_una (RFC 5961 5.2): challenge ACK after the window resets */
	sim_run(sim, AXIP_SEC(1));
	ts_opt(o, tsv + 2000, 0);
	inject(sim, 80, 40000, rcv_nxt, snd_nxt - 0x20000000u, TCP_FLAG_ACK, 1000, o, 12, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_challenge_ack, 3);
	/* exact RST: reset */
	inject(sim, 80, 40000, rcv_nxt, 0, TCP_FLAG_RST, 0, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k.cli.closed, 1);
	CHECK_EQ(k.cli.closed_err, AXIP_E_RESET);
	sim_free(sim);
	chack_limit = 1000;
}

/* ---- RFC 7323 PAWS ---- */

static void test_paws(void)
{
	struct sim *sim = new_sim();
	struct conn k;
	struct seg *s;
	uint32_t rcv_nxt, snd_nxt, tsv, n;
	uint8_t o[12];
	REQUIRE(establish(sim, &k, NULL));
	s = last_from(0);
	rcv_nxt = s->ack;
	snd_nxt = s->seq;
	tsv = last_from(1)->tsval;
	n = nsegs;
	ts_opt(o, tsv - 100, s->tsval);
	inject(sim, 80, 40000, rcv_nxt, snd_nxt, TCP_FLAG_ACK | TCP_FLAG_PSH, 1000, o, 12, "old!", 4);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_paws_drop, 1);
	CHECK_EQ(k.cli.rx_bytes, 0);
	REQUIRE(nsegs == n + 1);
	CHECK_EQ(segs[n].ack, rcv_nxt); /* the drop is answered with an ACK */
	/* the same bytes with a current timestamp are taken */
	ts_opt(o, tsv + 1, s->tsval);
	inject(sim, 80, 40000, rcv_nxt, snd_nxt, TCP_FLAG_ACK | TCP_FLAG_PSH, 1000, o, 12, "new!", 4);
	sim_run(sim, AXIP_MS(100));
	CHECK_EQ(k.cli.rx_bytes, 4);
	sim_free(sim);
}

/* ---- RFC 6675: SACK recovery resends only the lost segments ---- */

static void sack_recovery(int sack)
{
	struct sim *sim = new_sim();
	struct conn k;
	struct axip_tcp_opts o;
	uint32_t first_data = 0, i, j, rtx = 0, isn_set = 0, iss = 0;
	axip_tcp_opts_defaults(sim_stack(sim, 0), &o);
	(void)sack;
	REQUIRE(establish(sim, &k, &o));
	/* drop the 5th and 12th full segments of the stream, once */
	for (i = nsegs; i-- > 0;)
		if (segs[i].from == 0 && (segs[i].flags & TCP_FLAG_SYN)) {
			iss = segs[i].seq;
			isn_set = 1;
		}
	REQUIRE(isn_set);
	first_data = iss + 1;
	drop_seq[0] = first_data + 4 * 1448;
	drop_seq[1] = first_data + 11 * 1448;
	n_drop = 2;
	k.cli.to_send = 300000;
	tapp_pump(&k.cli);
	sim_run(sim, AXIP_SEC(2));
	CHECK_EQ(k.srv.rx_bytes, 300000);
	CHECK_EQ(n_drop, 0);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_rto, 0);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_retransmit, 2);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_fast_retransmit, 1);
	/* the only repeated sequence numbers are the two dropped segments */
	for (i = 0; i < nsegs; i++) {
		if (segs[i].from != 0 || !segs[i].plen)
			continue;
		for (j = 0; j < i; j++)
			if (segs[j].from == 0 && segs[j].plen && segs[j].seq == segs[i].seq) {
				CHECK(segs[i].seq == first_data + 4 * 1448 || segs[i].seq == first_data + 11 * 1448);
				rtx++;
			}
	}
	CHECK_EQ(rtx, 2);
	/* the receiver reported SACK blocks */
	for (i = 0, j = 0; i < nsegs; i++)
		if (segs[i].from == 1 && segs[i].nsack)
			j++;
	CHECK(j >= 2);
	sim_free(sim);
}
static void test_sack_recovery(void)
{
	sack_recovery(1);
}

/* ---- RFC 8985: RACK-TLP ---- */

/* First data byte of host 0's connection (its SYN's sequence number + 1). */
static uint32_t first_data_seq(void)
{
	uint32_t i;
	for (i = 0; i < nsegs; i++)
		if (segs[i].from == 0 && (segs[i].flags & TCP_FLAG_SYN))
			return segs[i].seq + 1;
	return 0;
}

static uint32_t times_sent(uint32_t from_idx, uint32_t seq)
{
	uint32_t i, n = 0;
	for (i = from_idx; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen && segs[i].seq == seq)
			n++;
	return n;
}

/* The last two segments of a flight are lost: no ACK will ever report them.
 * The loss probe (RFC 8985 7) resends the last one after 2 * SRTT, its SACK
 * lets RACK mark the other lost, and no RTO is needed. */
static void test_tail_loss_probe(void)
{
	struct sim *sim = new_sim();
	struct conn k;
	uint32_t d, n;
	axip_time_ns t0;
	REQUIRE(establish(sim, &k, NULL));
	d = first_data_seq();
	REQUIRE(d != 0);
	n = nsegs;
	drop_seq[0] = d + 8 * 1448;
	drop_seq[1] = d + 9 * 1448;
	n_drop = 2;
	k.cli.to_send = 10 * 1448;
	t0 = sim_now(sim);
	tapp_pump(&k.cli);
	sim_run(sim, AXIP_MS(5));
	CHECK_EQ(n_drop, 0);
	CHECK_EQ(k.srv.rx_bytes, 10 * 1448);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_tlp, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_rto, 0);
	CHECK_EQ(times_sent(n, d + 9 * 1448), 2); /* the probe */
	CHECK_EQ(times_sent(n, d + 8 * 1448), 2); /* RACK, after the probe's SACK */
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_retransmit, 2);
	CHECK(sim_now(sim) - t0 <= AXIP_MS(5)); /* an RTO would take 200 ms */
	sim_free(sim);
}

/* A retransmission is lost too. RACK sees data sent after it delivered and
 * resends it again (RFC 8985 6.2 step 5); before RACK only the RTO could. */
static void test_lost_retransmission(void)
{
	struct sim *sim = new_sim();
	struct conn k;
	uint32_t d, n;
	REQUIRE(establish(sim, &k, NULL));
	d = first_data_seq();
	REQUIRE(d != 0);
	n = nsegs;
	drop_seq[0] = d + 4 * 1448; /* the original ... */
	drop_seq[1] = d + 4 * 1448; /* ... and its first retransmission */
	n_drop = 2;
	k.cli.to_send = 300000;
	tapp_pump(&k.cli);
	sim_run(sim, AXIP_MS(100));
	CHECK_EQ(n_drop, 0);
	CHECK_EQ(k.srv.rx_bytes, 300000);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_rto, 0);
	CHECK_EQ(times_sent(n, d + 4 * 1448), 3);
	CHECK(axip_counters(sim_stack(sim, 0))->tcp_rack_lost >= 2);
	sim_free(sim);
}

/* RFC 2883 4: a duplicate segment is reported in the first SACK block of
 * the ACK it draws, once: below the cumulative ACK, or inside the second
 * block when it duplicates data held out of order. */
static void test_dsack(void)
{
	struct sim *sim = new_sim();
	struct conn k;
	struct seg *s;
	uint32_t rcv_nxt, snd_nxt, tsv, n, i, replies = 0;
	uint8_t o[12];
	REQUIRE(establish(sim, &k, NULL));
	s = last_from(0);
	rcv_nxt = s->ack;
	snd_nxt = s->seq;
	tsv = last_from(1)->tsval + 1;
	ts_opt(o, tsv, s->tsval);
	drop_all_from = 2; /* host 1's stack would answer ACKs for bytes it never sent */
	inject(sim, 80, 40000, rcv_nxt, snd_nxt, TCP_FLAG_ACK | TCP_FLAG_PSH, 1000, o, 12, "data", 4);
	sim_run(sim, AXIP_MS(100));
	REQUIRE(k.cli.rx_bytes == 4);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_tx_dsack, 0);
	n = nsegs;
	inject(sim, 80, 40000, rcv_nxt, snd_nxt, TCP_FLAG_ACK | TCP_FLAG_PSH, 1000, o, 12, "data", 4);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k.cli.rx_bytes, 4);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_tx_dsack, 1);
	for (i = n; i < nsegs; i++) {
		if (segs[i].from != 0)
			continue;
		replies++;
		CHECK_EQ(segs[i].ack, rcv_nxt + 4);
		CHECK_EQ(segs[i].nsack, 1);
		CHECK_EQ(segs[i].sack0[0], rcv_nxt);
		CHECK_EQ(segs[i].sack0[1], rcv_nxt + 4);
	}
	CHECK_EQ(replies, 1);
	/* the next ACK carries no D-SACK */
	n = nsegs;
	inject(sim, 80, 40000, rcv_nxt + 4, snd_nxt, TCP_FLAG_ACK | TCP_FLAG_PSH, 1000, o, 12, "more", 4);
	sim_run(sim, AXIP_MS(100));
	CHECK_EQ(k.cli.rx_bytes, 8);
	for (i = n; i < nsegs; i++)
		if (segs[i].from == 0)
			CHECK_EQ(segs[i].nsack, 0);
	/* a duplicate of data held out of order (RFC 2883 4.1.2): the
	 * D-SACK block, then the SACK block holding it */
	inject(sim, 80, 40000, rcv_nxt + 108, snd_nxt, TCP_FLAG_ACK, 1000, o, 12, "ooo!", 4);
	sim_run(sim, AXIP_MS(1));
	n = nsegs;
	inject(sim, 80, 40000, rcv_nxt + 108, snd_nxt, TCP_FLAG_ACK, 1000, o, 12, "ooo!", 4);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_tx_dsack, 2);
	for (i = n, replies = 0; i < nsegs; i++) {
		if (segs[i].from != 0)
			continue;
		replies++;
		CHECK_EQ(segs[i].ack, rcv_nxt + 8);
		CHECK_EQ(segs[i].nsack, 2);
		CHECK_EQ(segs[i].sack0[0], rcv_nxt + 108);
		CHECK_EQ(segs[i].sack0[1], rcv_nxt + 112);
	}
	CHECK_EQ(replies, 1);
	sim_free(sim);
}

/* Host 0 connects from lport to H1:rport and writes `bytes`; the test itself
 * is the peer (host 1's stack is silenced): it answers the SYN with IRS
 * `irs`, window 65535 and MSS 1460 only (no SACK, no timestamps). Sets
 * *iss to axip's ISS; 0 when the connection did not come up. */
static int crafted_connect(struct sim *sim, struct tapp *cli, uint16_t lport, uint16_t rport,
                           uint32_t irs, uint32_t bytes, uint32_t *iss)
{
	struct seg *syn;
	uint8_t mss[4] = {2, 4, 0x05, 0xb4};
	tapp_init(cli, sim_stack(sim, 0), lport, bytes);
	drop_all_from = 2;
	if (axip_tcp_connect_from(sim_stack(sim, 0), lport, H1, rport, &tapp_cb, cli, NULL,
	                          &cli->c) != AXIP_OK)
		return 0;
	sim_run(sim, AXIP_MS(1));
	syn = last_from(0);
	if (!syn || syn->flags != TCP_FLAG_SYN)
		return 0;
	*iss = syn->seq;
	sim_run(sim, AXIP_MS(5));
	inject(sim, rport, lport, irs, *iss + 1, TCP_FLAG_SYN | TCP_FLAG_ACK, 65535, mss, 4, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	return cli->connected;
}

/* ---- RFC 6582 3.2: NewReno fast retransmit in the first window ----
 * A crafted peer without SACK answers the SYN, then the first data segment
 * "goes missing": three duplicate ACKs must trigger a fast retransmit at
 * once. With `recover` initialised to ISS + 1 (the first unacknowledged
 * byte) instead of the ISN, step 1 would see snd_una == recover and wait
 * for the RTO instead. */
static void test_newreno_first_window(void)
{
	struct sim *sim = new_sim();
	struct tapp cli;
	uint32_t iss, irs = 5000, n, i, rtx = 0;
	REQUIRE(crafted_connect(sim, &cli, 40001, 81, irs, 8u * 1460u, &iss));
	/* the whole initial window went out: 8 full segments */
	for (i = 0, n = 0; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen == 1460)
			n++;
	CHECK_EQ(n, 8);
	n = nsegs;
	/* the first segment was lost: every later one draws a duplicate ACK */
	for (i = 0; i < 3; i++)
		inject(sim, 81, 40001, irs + 1, iss + 1, TCP_FLAG_ACK, 65535, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_fast_retransmit, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_rto, 0);
	for (i = n; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen && segs[i].seq == iss + 1)
			rtx++;
	CHECK_EQ(rtx, 1); /* resent within a millisecond, long before any RTO */
	axip_tcp_abort(cli.c);
	sim_free(sim);
}

/* ---- RFC 6298: RTO 1 s, doubled per retry, abort after syn_retries ---- */

static void test_rto_backoff(void)
{
	struct sim *sim = new_sim();
	struct tapp cli;
	axip_time_ns t[16], start;
	uint32_t n = 0, i;
	tapp_init(&cli, sim_stack(sim, 0), 1, 0);
	sim_run(sim, AXIP_MS(10));
	drop_all_from = 1; /* host 0's TCP frames never arrive */
	start = sim_now(sim);
	REQUIRE(axip_tcp_connect(sim_stack(sim, 0), H1, 80, &tapp_cb, &cli, NULL, &cli.c) == AXIP_OK);
	REQUIRE(sim_run_until(sim, flag_set, &cli.closed, AXIP_SEC(300)));
	CHECK_EQ(cli.closed_err, AXIP_E_TIMEDOUT);
	for (i = 0; i < nsegs && n < 16; i++)
		if (segs[i].from == 0 && (segs[i].flags & TCP_FLAG_SYN))
			t[n++] = segs[i].t - start;
	CHECK_EQ(n, 7); /* SYN + tcp_syn_retries (6) */
	for (i = 1; i < n; i++) {
		axip_time_ns gap = t[i] - t[i - 1], want = AXIP_SEC(1) << (i - 1);
		/* +-1 ms: ARP resolution delays some SYNs by a few microseconds */
		CHECK(gap + AXIP_MS(1) >= want && gap <= want + AXIP_MS(3));
	}
	/* closed one more RTO after the last SYN, 64 s capped by tcp_rto_max_ns
	 * (60 s): 1+2+...+32 + 60 s */
	CHECK(sim_now(sim) - start + AXIP_MS(1) >= AXIP_SEC(123) &&
	      sim_now(sim) - start <= AXIP_SEC(123) + AXIP_MS(10));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_conn_timeout, 1);
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 0);
	sim_free(sim);
}

/* ---- RFC 9293 3.7.4 Nagle, 3.8.6.3 delayed ACK ---- */

static void test_nagle_delack(void)
{
	struct sim *sim = new_sim();
	struct conn k;
	uint32_t i, n, d[4], nd = 0;
	axip_time_ns t0;
	REQUIRE(establish(sim, &k, NULL));
	/* warm up: the first bytes open the receiver's window beyond the
	 * 64 KiB of its SYN, which it announces at once */
	axip_tcp_write(k.cli.c, "w", 1, 0);
	sim_run(sim, AXIP_MS(100));
	n = nsegs;
	t0 = sim_now(sim);
	/* three small writes: the first leaves at once, the others wait for its
	 * ACK, which the receiver delays by tcp_delack_ns (40 ms) */
	for (i = 0; i < 3; i++)
		CHECK_EQ(axip_tcp_write(k.cli.c, "0123456789", 10, 0), 10);
	sim_run(sim, AXIP_MS(200));
	for (i = n; i < nsegs && nd < 4; i++)
		if (segs[i].from == 0 && segs[i].plen)
			d[nd++] = i;
	REQUIRE(nd == 2);
	CHECK_EQ(segs[d[0]].plen, 10);
	CHECK_EQ(segs[d[1]].plen, 20); /* coalesced while held */
	CHECK(segs[d[0]].t - t0 < AXIP_MS(1));
	CHECK(segs[d[1]].t - segs[d[0]].t >= AXIP_MS(40) && segs[d[1]].t - segs[d[0]].t < AXIP_MS(42));
	CHECK_EQ(k.srv.rx_bytes, 31);
	/* nodelay: every write goes at once */
	axip_tcp_setopt(k.cli.c, AXIP_TCP_OPT_NODELAY, 1);
	n = nsegs;
	for (i = 0; i < 3; i++)
		axip_tcp_write(k.cli.c, "abcdefghij", 10, 0);
	sim_run(sim, AXIP_MS(1));
	for (i = n, nd = 0; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen)
			nd++;
	CHECK_EQ(nd, 3);
	/* cork: AXIP_TCP_MORE holds a partial segment until a write without it */
	n = nsegs;
	axip_tcp_write(k.cli.c, "abcdefghij", 10, AXIP_TCP_MORE);
	sim_run(sim, AXIP_MS(100));
	for (i = n, nd = 0; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen)
			nd++;
	CHECK_EQ(nd, 0);
	axip_tcp_write(k.cli.c, "klmnopqrst", 10, 0);
	sim_run(sim, AXIP_MS(1));
	for (i = n, nd = 0; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen) {
			nd++;
			CHECK_EQ(segs[i].plen, 20);
		}
	CHECK_EQ(nd, 1);
	/* the receiver ACKs at least every second full-sized segment */
	k.cli.to_send = 100 * 1448;
	k.cli.queued = 0;
	n = nsegs;
	tapp_pump(&k.cli);
	sim_run(sim, AXIP_MS(100));
	{
		uint32_t data = 0, acks = 0;
		for (i = n; i < nsegs; i++) {
			if (segs[i].from == 0 && segs[i].plen)
				data++;
			if (segs[i].from == 1 && !segs[i].plen)
				acks++;
		}
		CHECK(data >= 100);
		CHECK(acks >= data / 2);
	}
	sim_free(sim);
}

/* ---- RFC 7323 window scaling beyond 64 KiB ---- */

static void test_window_scaling(void)
{
	struct sim *sim = new_sim();
	struct tapp cli, srv;
	struct tserver sv = {0};
	struct axip_tcp_listener *l;
	struct axip_tcp_opts o;
	struct axip_tcp_info ci;
	uint32_t i, syn_ws = 99, max_win = 0;
	tapp_init(&cli, sim_stack(sim, 0), 1, 0);
	tapp_init(&srv, sim_stack(sim, 1), 2, 0);
	sv.app = &srv;
	axip_tcp_opts_defaults(sim_stack(sim, 1), &o);
	o.rcvbuf = 1u << 20;
	REQUIRE(axip_tcp_listen(sim_stack(sim, 1), 0, 80, 0, tserver_accept, &sv, &o, &l) == AXIP_OK);
	REQUIRE(axip_tcp_connect(sim_stack(sim, 0), H1, 80, &tapp_cb, &cli, NULL, &cli.c) == AXIP_OK);
	sim_run(sim, AXIP_MS(10));
	REQUIRE(cli.connected);
	cli.to_send = 4u << 20;
	tapp_pump(&cli);
	sim_run(sim, AXIP_SEC(1));
	CHECK_EQ(srv.rx_bytes, 4u << 20);
	for (i = 0; i < nsegs; i++) {
		if (segs[i].from != 1)
			continue;
		if (segs[i].flags & TCP_FLAG_SYN) {
			syn_ws = segs[i].ws;
			CHECK_EQ(segs[i].win, 65535); /* SYN windows are unscaled */
		} else if (segs[i].win > max_win) {
			max_win = segs[i].win;
		}
	}
	CHECK_EQ(syn_ws, 5); /* 1 MiB >> 5 fits 16 bits */
	CHECK_EQ(max_win, (1u << 20) >> 5);
	/* the whole buffer is open again, up to receiver SWS avoidance (< 1 MSS) */
	axip_tcp_get_info(cli.c, &ci);
	CHECK(ci.snd_wnd > (1u << 20) - 1460 && ci.snd_wnd <= (1u << 20));
	sim_free(sim);
}

/* ---- peer without options: MSS 536, no scaling, no timestamps ---- */

static int accept_cli(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb, void **a)
{
	struct tapp *t = arg;
	*cb = &tapp_cb;
	*a = t;
	t->c = c;
	t->accepted = 1;
	return AXIP_OK;
}

static void test_mss_default_536(void)
{
	struct sim *sim = new_sim();
	struct tapp app;
	struct axip_tcp_listener *l;
	struct seg *sa;
	uint32_t i, n, nd = 0;
	uint8_t buf[3000];
	tapp_init(&app, sim_stack(sim, 0), 1, 0);
	REQUIRE(axip_tcp_listen(sim_stack(sim, 0), 0, 90, 0, accept_cli, &app, NULL, &l) == AXIP_OK);
	sim_run(sim, AXIP_MS(1));
	drop_all_from = 2; /* host 1 would reset the crafted handshake it knows nothing of */
	n = nsegs;
	inject(sim, 1234, 90, 1000, 0, TCP_FLAG_SYN, 8192, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	REQUIRE(nsegs > n);
	sa = last_from(0);
	CHECK_EQ(sa->flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	CHECK_EQ(sa->ack, 1001);
	CHECK_EQ(sa->mss, 1460);
	CHECK_EQ(sa->has_ws + sa->has_ts + sa->sack_ok, 0); /* not offered by the peer */
	inject(sim, 1234, 90, 1001, sa->seq + 1, TCP_FLAG_ACK, 8192, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	REQUIRE(app.accepted);
	memset(buf, 'x', sizeof(buf));
	n = nsegs;
	CHECK_EQ(axip_tcp_write(app.c, buf, 3000, 0), 3000);
	sim_run(sim, AXIP_MS(1));
	for (i = n; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen) {
			nd++;
			CHECK(segs[i].plen == 536);
		}
	CHECK_EQ(nd, 5); /* 8192-byte window, initial cwnd 10*536: five full segments */
	axip_tcp_abort(app.c);
	sim_free(sim);
}

/* ---- RFC 9293 3.8.6.1 zero-window probes with backoff ---- */

static void test_zero_window_probe(void)
{
	struct sim *sim = new_sim();
	struct tapp cli, srv;
	struct tserver sv = {0};
	struct axip_tcp_listener *l;
	struct axip_tcp_opts o;
	axip_time_ns pt[8];
	uint32_t i, np = 0;
	tapp_init(&cli, sim_stack(sim, 0), 1, 100000);
	tapp_init(&srv, sim_stack(sim, 1), 2, 0);
	srv.hold_rx = 1;
	sv.app = &srv;
	axip_tcp_opts_defaults(sim_stack(sim, 1), &o);
	o.rcvbuf = 8192;
	REQUIRE(axip_tcp_listen(sim_stack(sim, 1), 0, 80, 0, tserver_accept, &sv, &o, &l) == AXIP_OK);
	REQUIRE(axip_tcp_connect(sim_stack(sim, 0), H1, 80, &tapp_cb, &cli, NULL, &cli.c) == AXIP_OK);
	sim_run(sim, AXIP_SEC(4));
	CHECK_EQ(srv.rx_bytes, 8192);
	/* one-byte probes at snd_una, spaced by a doubling RTO (200 ms min) */
	for (i = 0; i < nsegs && np < 8; i++)
		if (segs[i].from == 0 && segs[i].plen == 1)
			pt[np++] = segs[i].t;
	CHECK(np >= 4);
	for (i = 2; i < np; i++) {
		axip_time_ns a = pt[i] - pt[i - 1], b = pt[i - 1] - pt[i - 2];
		CHECK(a >= 2 * b - AXIP_MS(2) && a <= 2 * b + AXIP_MS(2));
	}
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_zero_window_probe, np);
	CHECK_EQ(cli.closed, 0);
	tapp_release(&srv);
	sim_run(sim, AXIP_SEC(20));
	CHECK_EQ(srv.rx_bytes, 100000);
	CHECK_EQ(srv.rx_hash, pattern_hash(1, 100000));
	sim_free(sim);
}

/* ---- SYN cookies when the backlog is full ---- */

static void test_syn_cookies(void)
{
	struct sim *sim = new_sim();
	struct tapp cli, srv;
	struct tserver sv = {0};
	struct axip_tcp_listener *l;
	uint8_t m0[6];
	uint32_t i;
	(void)m0;
	tapp_init(&cli, sim_stack(sim, 1), 1, 200000);
	tapp_init(&srv, sim_stack(sim, 0), 2, 0);
	sv.app = &srv;
	/* listener on host 0 with backlog 2 */
	REQUIRE(axip_tcp_listen(sim_stack(sim, 0), 0, 80, 2, tserver_accept, &sv, NULL, &l) == AXIP_OK);
	sim_run(sim, AXIP_MS(1));
	/* two half-open handshakes fill it */
	for (i = 0; i < 2; i++)
		inject_from(sim, H_GHOST, 2000 + i, 80, 5000, 0, TCP_FLAG_SYN, 8192, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 2);
	/* a real client now gets a cookie and still connects, with options */
	REQUIRE(axip_tcp_connect(sim_stack(sim, 1), H0, 80, &tapp_cb, &cli, NULL, &cli.c) == AXIP_OK);
	sim_run(sim, AXIP_SEC(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_syncookie_sent, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_syncookie_ok, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_backlog_full, 1);
	CHECK_EQ(srv.accepted, 1);
	CHECK_EQ(srv.rx_bytes, 200000);
	CHECK_EQ(srv.rx_hash, pattern_hash(1, 200000));
	{
		struct axip_tcp_info si;
		axip_tcp_get_info(srv.c, &si);
		CHECK_EQ(si.snd_mss, 1460 - 12); /* timestamps restored from the cookie */
	}
	/* a forged ACK does not pass */
	inject_from(sim, H_GHOST, 3000, 80, 777, 12345, TCP_FLAG_ACK, 8192, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_syncookie_bad, 1);
	/* the half-open ones time out after the SYN-ACK retries */
	sim_run(sim, AXIP_SEC(200));
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 1);
	axip_tcp_listener_close(l);
	sim_free(sim);
}

/* ---- keepalive ---- */

static void test_keepalive(void)
{
	struct sim *sim = new_sim();
	struct conn k;
	struct axip_tcp_opts o;
	axip_tcp_opts_defaults(sim_stack(sim, 0), &o);
	o.keepalive = 1;
	o.keepalive_idle_ns = AXIP_SEC(10);
	o.keepalive_intvl_ns = AXIP_SEC(1);
	o.keepalive_probes = 3;
	REQUIRE(establish(sim, &k, &o));
	/* an idle but healthy peer answers the probes */
	sim_run(sim, AXIP_SEC(25));
	CHECK_EQ(k.cli.closed, 0);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_keepalive_probe, 2);
	/* the peer vanishes: three unanswered probes, then the abort */
	drop_all_from = 2;
	REQUIRE(sim_run_until(sim, flag_set, &k.cli.closed, AXIP_SEC(30)));
	CHECK_EQ(k.cli.closed_err, AXIP_E_TIMEDOUT);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_keepalive_probe, 2 + 3);
	sim_free(sim);
}

/* ---- ICMP fragmentation needed (RFC 1191, RFC 5927) ---- */

static void icmp_frag_needed(struct sim *sim, uint32_t seq, uint16_t mtu)
{
	uint8_t icmp[8 + 28], frame[100], m0[6], m1[6];
	uint16_t c;
	uint32_t n;
	memset(icmp, 0, sizeof(icmp));
	icmp[0] = ICMP_DEST_UNREACH;
	icmp[1] = ICMP_CODE_FRAG_NEEDED;
	store_be16(icmp + 6, mtu);
	/* quoted: IPv4 header H0 -> H1 TCP, then 8 bytes of TCP header */
	icmp[8] = 0x45;
	store_be16(icmp + 8 + 2, 1500);
	icmp[8 + 8] = 64;
	icmp[8 + 9] = IP_PROTO_TCP;
	store_be32(icmp + 8 + 12, H0);
	store_be32(icmp + 8 + 16, H1);
	c = sim_ref_csum(icmp + 8, 20, 0);
	store_be16(icmp + 8 + 10, c);
	store_be16(icmp + 28, 40000);
	store_be16(icmp + 30, 80);
	store_be32(icmp + 32, seq);
	c = sim_ref_csum(icmp, sizeof(icmp), 0);
	store_be16(icmp + 2, c);
	sim_host_mac(0, m0);
	sim_host_mac(1, m1);
	n = sim_build_ipv4(frame, m0, m1, H1, H0, IP_PROTO_ICMP, icmp, sizeof(icmp));
	sim_inject(sim, 0, frame, n);
}

static void test_icmp_frag_needed(void)
{
	struct sim *sim = new_sim();
	struct conn k;
	struct axip_tcp_info ci;
	struct seg *s;
	uint32_t i, n, big = 0;
	REQUIRE(establish(sim, &k, NULL));
	s = last_from(0);
	/* quoting a sequence number not in flight: ignored (RFC 5927 4.1) */
	icmp_frag_needed(sim, s->seq + 100000, 1000);
	sim_run(sim, AXIP_MS(1));
	axip_tcp_get_info(k.cli.c, &ci);
	CHECK_EQ(ci.snd_mss, 1448);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_icmp_ignored, 1);
	/* data in flight, then a valid quote lowers the MSS */
	drop_all_from = 1;
	k.cli.to_send = 20000;
	tapp_pump(&k.cli);
	icmp_frag_needed(sim, s->seq, 1000);
	sim_run(sim, AXIP_MS(1));
	drop_all_from = 0;
	axip_tcp_get_info(k.cli.c, &ci);
	CHECK_EQ(ci.snd_mss, 1000 - 40 - 12);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_pmtu_update, 1);
	n = nsegs;
	sim_run(sim, AXIP_SEC(2));
	CHECK_EQ(k.srv.rx_bytes, 20000);
	for (i = n; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen > 948)
			big++;
	CHECK_EQ(big, 0);
	sim_free(sim);
}

/* ---- RFC 9293 3.8.1 / RFC 6298: an ACK of the data before the FIN ---- */

/* The client writes a response as axip-httpd does (the header with
 * AXIP_TCP_MORE, then the body) and shuts down: data, then a bare FIN. The peer acknowledges
 * the data but not the FIN. That ACK is no loss signal: the FIN waits for
 * the tail loss probe (RFC 8985 7.2: 2 SRTT + WCDelAckT for a lone segment,
 * bounded by the RTO) or the retransmission timer (RFC 6298 5). Corked data
 * with nothing in flight once armed the persist timer (meant for a closed
 * window, RFC 9293 3.8.6.1), whose "probe answered" branch then resent the
 * FIN at once. */
static void test_fin_not_resent_on_data_ack(void)
{
	struct sim *sim = new_sim();
	struct conn k;
	struct seg *data = NULL, *fin = NULL;
	uint32_t i, n, nfin = 0, rtx0;
	axip_time_ns t_fin = 0, t_again = 0;
	uint8_t o[12], body[60];
	REQUIRE(establish(sim, &k, NULL));
	drop_all_from = 2; /* the peer's own ACKs vanish: the crafted one below stands in */
	n = nsegs;
	rtx0 = (uint32_t)axip_counters(sim_stack(sim, 0))->tcp_retransmit;
	memset(body, 'x', sizeof(body));
	CHECK_EQ(axip_tcp_write(k.cli.c, body, 40, AXIP_TCP_MORE), 40);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(nsegs, n); /* corked: nothing goes out */
	CHECK_EQ(axip_tcp_write(k.cli.c, body, 60, 0), 60);
	CHECK_EQ(axip_tcp_shutdown(k.cli.c), AXIP_OK);
	sim_run(sim, AXIP_MS(1));
	for (i = n; i < nsegs; i++) {
		if (segs[i].from != 0)
			continue;
		if (segs[i].plen && !data)
			data = &segs[i];
		if ((segs[i].flags & TCP_FLAG_FIN) && !fin)
			fin = &segs[i];
	}
	REQUIRE(data != NULL && fin != NULL);
	CHECK_EQ(data->plen, 100);
	CHECK_EQ(fin->plen, 0); /* a bare FIN behind the data */
	t_fin = fin->t;
	/* the peer's ACK of the data only */
	ts_opt(o, last_from(1)->tsval + 1, fin->tsval);
	n = nsegs;
	inject(sim, 80, 40000, data->ack, data->seq + 100, TCP_FLAG_ACK, 1000, o, 12, NULL, 0);
	sim_run(sim, AXIP_MS(150));
	for (i = n; i < nsegs; i++) {
		if (segs[i].from == 0 && (segs[i].flags & TCP_FLAG_FIN)) {
			if (!nfin)
				t_again = segs[i].t;
			nfin++;
		}
	}
	CHECK_EQ(nfin, 0);
	if (nfin)
		fprintf(stderr, "  FIN resent %llu us after the first\n",
		        (unsigned long long)((t_again - t_fin) / 1000u));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_retransmit, rtx0);
	/* the probe or the timer resends it later, and the peer's ACK ends it */
	sim_run(sim, AXIP_MS(400));
	for (i = n, nfin = 0; i < nsegs; i++)
		if (segs[i].from == 0 && (segs[i].flags & TCP_FLAG_FIN))
			nfin++;
	CHECK(nfin >= 1);
	drop_all_from = 0;
	sim_run(sim, AXIP_SEC(1));
	CHECK_EQ(k.srv.rx_bytes, 100);
	CHECK_EQ(k.srv.peer_closed, 1);
	sim_free(sim);
}

/* ---- SYN cookie for a source without a route ---- */

#define H_OFFLINK AXIP_IP4(192, 0, 2, 7) /* TEST-NET-1: off-link, and no gateway */

/* The backlog is full and a SYN arrives from a source no route reaches:
 * the cookie SYN-ACK is not built (RFC 1122 3.3.1, RFC 4987 3.6), the drop
 * is counted as ip_tx_no_route, no buffer is left behind. A routable source
 * still gets its cookie. */
static void test_syn_cookie_no_route(void)
{
	struct sim *sim = new_sim();
	struct tapp srv;
	struct tserver sv = {0};
	struct axip_tcp_listener *l;
	const struct axip_counters *k = axip_counters(sim_stack(sim, 0));
	uint64_t tx0, nr0, cs0, bf0;
	uint32_t bufs0, n, i;
	tapp_init(&srv, sim_stack(sim, 0), 2, 0);
	sv.app = &srv;
	REQUIRE(axip_tcp_listen(sim_stack(sim, 0), 0, 80, 1, tserver_accept, &sv, NULL, &l) == AXIP_OK);
	sim_run(sim, AXIP_MS(1));
	/* one half-open handshake fills the backlog */
	inject_from(sim, H_GHOST, 2000, 80, 5000, 0, TCP_FLAG_SYN, 8192, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	REQUIRE(conns_in_use(sim_stack(sim, 0)) == 1);
	tx0 = k->tcp_tx;
	nr0 = k->ip_tx_no_route;
	cs0 = k->tcp_syncookie_sent;
	bf0 = k->tcp_backlog_full;
	bufs0 = sim_bufs_in_use(g_sim, 0);
	n = nsegs;
	for (i = 0; i < 3; i++)
		inject_from(sim, H_OFFLINK, 3000 + i, 80, 7000, 0, TCP_FLAG_SYN, 8192, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k->tcp_backlog_full, bf0 + 3);
	CHECK_EQ(k->ip_tx_no_route, nr0 + 3);
	CHECK_EQ(k->tcp_syncookie_sent, cs0); /* no cookie computed */
	CHECK_EQ(k->tcp_tx, tx0);             /* no SYN-ACK built */
	CHECK_EQ(sim_bufs_in_use(g_sim, 0), bufs0);
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 1);
	for (i = n; i < nsegs; i++)
		CHECK(segs[i].from != 0 || !(segs[i].flags & TCP_FLAG_SYN));
	/* an on-link source still gets a cookie SYN-ACK, as before */
	inject_from(sim, H_GHOST, 2001, 80, 6000, 0, TCP_FLAG_SYN, 8192, NULL, 0, NULL, 0);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k->tcp_syncookie_sent, cs0 + 1);
	CHECK_EQ(k->tcp_tx, tx0 + 1);
	CHECK_EQ(k->ip_tx_no_route, nr0 + 3);
	axip_tcp_listener_close(l);
	sim_free(sim);
}

/* ---- RFC 9293 3.8.6.2.1: nothing beyond the peer's (shrunken) window ---- */

/* The peer's window shrinks to 1000 bytes (its application stopped reading)
 * while 8 segments are in flight and unacknowledged: the retransmission
 * after the RTO carries only the 1000 bytes the window allows, and an ACK
 * axip sends carries a sequence number inside the window (at its right
 * edge, as Linux does), not SND.NXT far beyond it, which the peer would
 * drop unread. */
static void test_retransmit_within_shrunken_window(void)
{
	struct sim *sim = new_sim();
	struct tapp cli;
	uint32_t iss, irs = 9000, n, i, rtx_len = 0, ack_seq = 0;
	int rtx_seen = 0, ack_seen = 0;
	REQUIRE(crafted_connect(sim, &cli, 40002, 82, irs, 8u * 1460u, &iss));
	/* the window shrinks to 1000 bytes, nothing acknowledged */
	inject(sim, 82, 40002, irs + 1, iss + 1, TCP_FLAG_ACK, 1000, NULL, 0, NULL, 0);
	n = nsegs;
	sim_run(sim, AXIP_SEC(2)); /* past the first RTO */
	for (i = n; i < nsegs; i++)
		if (segs[i].from == 0 && segs[i].plen && segs[i].seq == iss + 1 && !rtx_seen) {
			rtx_seen = 1;
			rtx_len = segs[i].plen;
		}
	CHECK(rtx_seen);
	CHECK_EQ(rtx_len, 1000);
	CHECK(axip_counters(sim_stack(sim, 0))->tcp_rto >= 1);
	/* one byte of data from the peer draws an ACK */
	n = nsegs;
	inject(sim, 82, 40002, irs + 1, iss + 1, TCP_FLAG_ACK | TCP_FLAG_PSH, 1000, NULL, 0, "x", 1);
	sim_run(sim, AXIP_MS(300));
	for (i = n; i < nsegs; i++)
		if (segs[i].from == 0 && !segs[i].plen && segs[i].ack == irs + 2 && !ack_seen) {
			ack_seen = 1;
			ack_seq = segs[i].seq;
		}
	CHECK(ack_seen);
	CHECK_EQ(ack_seq, iss + 1 + 1000);
	axip_tcp_abort(cli.c);
	sim_free(sim);
}

int main(void)
{
	segs = calloc(MAXSEG, sizeof(*segs));
	RUN_TEST(test_challenge_acks);
	RUN_TEST(test_paws);
	RUN_TEST(test_sack_recovery);
	RUN_TEST(test_newreno_first_window);
	RUN_TEST(test_tail_loss_probe);
	RUN_TEST(test_lost_retransmission);
	RUN_TEST(test_dsack);
	RUN_TEST(test_rto_backoff);
	RUN_TEST(test_nagle_delack);
	RUN_TEST(test_window_scaling);
	RUN_TEST(test_mss_default_536);
	RUN_TEST(test_zero_window_probe);
	RUN_TEST(test_syn_cookies);
	RUN_TEST(test_syn_cookie_no_route);
	RUN_TEST(test_keepalive);
	RUN_TEST(test_icmp_frag_needed);
	RUN_TEST(test_fin_not_resent_on_data_ack);
	RUN_TEST(test_retransmit_within_shrunken_window);
	free(segs);
	return test_summary();
}
