/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp_bulk.c - 64 MiB each way at once between two hosts on the
 * simulated link, under loss, reordering, duplication, corruption, a
 * receiver stalled at zero window and delay spikes; the FNV-1a hash of each
 * byte stream must match what was sent, then both ends close gracefully and
 * every buffer and packet object comes back.
 *
 * Loss recovery is held to bounds (both hosts together): timeouts and the
 * virtual transfer time under loss (RACK-TLP, RFC 8985, recovers lost
 * retransmissions and tails without an RTO: before it, 5% loss took 449 +
 * 573 RTOs and 149 s), and retransmissions on a path that reorders and
 * duplicates but loses nothing (all of them needless: RACK's reordering
 * window must absorb the reordering; with the window forced to 0 there were
 * 3295).
 *
 * AXIP_TEST_SCALE=n divides the transfer size by n (for slow sanitizer builds). */
#include "tcp_util.h"

static uint64_t xfer_bytes(void)
{
	const char *e = getenv("AXIP_TEST_SCALE");
	uint64_t n = 64ull << 20;
	long d = e ? atol(e) : 1;
	return d > 1 ? n / (uint64_t)d : n;
}

struct scenario {
	const char *name;
	struct sim_impair im;
	uint32_t caps;
	int stall;        /* host 1 stops reading for a while mid-transfer */
	int spikes;       /* alternate normal and 20 ms one-way delay */
	/* upper bounds (exclusive, 0 = none), both hosts together */
	uint32_t rto_lim, rtx_lim, secs_lim;
};

struct run {
	struct tapp cli, srv;
	uint64_t n;
};

static int transfer_done(void *arg)
{
	struct run *r = arg;
	return r->cli.rx_bytes == r->n && r->srv.rx_bytes == r->n && r->cli.acked == r->n &&
	       r->srv.acked == r->n;
}
static int both_closed(void *arg)
{
	struct run *r = arg;
	return r->cli.closed && r->srv.closed;
}
static int half_received(void *arg)
{
	struct run *r = arg;
	return r->srv.rx_bytes >= r->n / 2;
}

static void run_scenario(const struct scenario *sc)
{
	struct sim_params p;
	struct sim *sim;
	static struct run r;
	struct tserver sv = {0};
	struct axip_tcp_listener *l = NULL;
	uint32_t bufs0, bufs1, pool0, pool1, i;
	struct axip_tcp_info ci;
	struct sim_impair clean;
	uint64_t rto = 0, rtx = 0;

	memset(&p, 0, sizeof(p));
	p.seed = 42;
	p.caps[0] = p.caps[1] = sc->caps;
	p.impair = sc->im;
	p.impair.rate_bps = 1000000000ull; /* 1 Gbit/s per sender */
	sim = sim_new(&p);
	bufs0 = sim_bufs_in_use(sim, 0);
	bufs1 = sim_bufs_in_use(sim, 1);
	pool0 = axip_pkt_pool_available(sim_stack(sim, 0));
	pool1 = axip_pkt_pool_available(sim_stack(sim, 1));
	r.n = xfer_bytes();
	tapp_init(&r.cli, sim_stack(sim, 0), 1001, r.n);
	tapp_init(&r.srv, sim_stack(sim, 1), 2002, r.n);
	sv.app = &r.srv;
	REQUIRE(axip_tcp_listen(sim_stack(sim, 1), 0, 5001, 0, tserver_accept, &sv, NULL, &l) ==
	        AXIP_OK);
	REQUIRE(axip_tcp_connect(sim_stack(sim, 0), H1, 5001, &tapp_cb, &r.cli, NULL, &r.cli.c) ==
	        AXIP_OK);
	if (sc->stall) {
		REQUIRE(sim_run_until(sim, half_received, &r, AXIP_SEC(600)));
		r.srv.hold_rx = 1;
		sim_run(sim, AXIP_SEC(3));
		axip_tcp_get_info(r.cli.c, &ci);
		CHECK_EQ(ci.snd_wnd, 0);
		CHECK(axip_counters(sim_stack(sim, 0))->tcp_zero_window_probe >= 2);
		tapp_release(&r.srv);
	}
	if (sc->spikes) {
		struct sim_impair spike = p.impair;
		spike.delay_ns = AXIP_MS(20);
		for (i = 0; i < 6 && !transfer_done(&r); i++) {
			sim_set_impair(sim, (i & 1) ? &p.impair : &spike);
			sim_run_until(sim, transfer_done, &r, AXIP_MS(50));
		}
		sim_set_impair(sim, &p.impair);
	}
	sim_run_until(sim, transfer_done, &r, AXIP_SEC(3600));
	CHECK_EQ(r.srv.rx_bytes, r.n);
	CHECK_EQ(r.cli.rx_bytes, r.n);
	CHECK_EQ(r.srv.rx_hash, r.cli.tx_hash);
	CHECK_EQ(r.cli.rx_hash, r.srv.tx_hash);
	CHECK_EQ(r.cli.tx_hash, pattern_hash(1001, r.n));
	if (r.cli.c) {
		axip_tcp_get_info(r.cli.c, &ci);
		fprintf(stderr, "  %-12s t=%.3fs rtx=%u rto=%u fr=%u cwnd=%u srtt=%uus ooo_drop=%llu\n",
		        sc->name, (double)sim_now(sim) / 1e9, ci.retransmits, ci.rto_count,
		        ci.fast_retransmits, ci.cwnd, ci.srtt_us,
		        (unsigned long long)axip_counters(sim_stack(sim, 1))->tcp_ooo_drop);
	}
	for (i = 0; i < 2; i++) {
		const struct axip_counters *k = axip_counters(sim_stack(sim, i));
		rto += k->tcp_rto;
		rtx += k->tcp_retransmit;
		fprintf(stderr,
		        "    host%u rtx=%llu rto=%llu recoveries=%llu rack_lost=%llu reo_timeouts=%llu "
		        "tlp=%llu dsack_rx=%llu\n",
		        i, (unsigned long long)k->tcp_retransmit, (unsigned long long)k->tcp_rto,
		        (unsigned long long)k->tcp_fast_retransmit,
		        (unsigned long long)k->tcp_rack_lost,
		        (unsigned long long)k->tcp_rack_reo_timeout, (unsigned long long)k->tcp_tlp,
		        (unsigned long long)k->tcp_rx_dsack);
	}
	if (sc->rto_lim)
		CHECK(rto < sc->rto_lim);
	if (sc->rtx_lim)
		CHECK(rtx < sc->rtx_lim);
	if (sc->secs_lim)
		CHECK(sim_now(sim) < AXIP_SEC(sc->secs_lim));
	/* graceful close on a clean wire */
	memset(&clean, 0, sizeof(clean));
	sim_set_impair(sim, &clean);
	r.srv.close_on_peer_close = 1;
	if (r.cli.c)
		axip_tcp_close(r.cli.c);
	CHECK(sim_run_until(sim, both_closed, &r, AXIP_SEC(120)));
	CHECK_EQ(r.cli.closed_err, AXIP_OK);
	CHECK_EQ(r.srv.closed_err, AXIP_OK);
	sim_run(sim, AXIP_SEC(61));
	axip_tcp_listener_close(l);
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 0);
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 0);
	CHECK_EQ(sim_bufs_in_use(sim, 0), bufs0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), bufs1);
	CHECK_EQ(axip_pkt_pool_available(sim_stack(sim, 0)), pool0);
	CHECK_EQ(axip_pkt_pool_available(sim_stack(sim, 1)), pool1);
	sim_free(sim);
}

static const struct scenario scenarios[] = {
	{"clean", {0}, 0, 0, 0, 0, 0, 0},
	/* before RACK-TLP: 11 RTOs, 2.5 s */
	{"loss1%", {10000, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 0, 5, 0, 2},
	/* before RACK-TLP: 1022 RTOs, 149 s */
	{"loss5%", {50000, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 0, 50, 0, 20},
	/* nothing lost: every retransmission is needless (57 before RACK-TLP) */
	{"reorder+dup", {0, 10000, 20000, 0, 0, 0, 0, 0}, 0, 0, 0, 1, 150, 0},
	{"corrupt1%", {0, 0, 0, 10000, 0, 0, 0, 0}, 0, 0, 0, 5, 0, 0},
	{"zero-window", {0}, 0, 1, 0, 0, 0, 0},
	{"delay-spikes", {2000, 0, 0, 0, 0, 5000, 0, 0}, 0, 0, 1, 0, 0, 0},
	{"sg+csum-off", {10000, 0, 5000, 0, 0, 0, 0, 0},
	 AXIP_CAP_SG | AXIP_CAP_TX_L4_CSUM | AXIP_CAP_TX_IP_CSUM, 0, 0, 0, 0, 0},
};

int main(void)
{
	uint32_t i;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		int before = test_failures_;
		run_scenario(&scenarios[i]);
		fprintf(stderr, "%s bulk %s\n", test_failures_ == before ? "ok  " : "FAIL",
		        scenarios[i].name);
	}
	return test_summary();
}
