/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp_churn.c - 100,000 connect / transfer / close cycles, 16 at a
 * time, between two hosts. Afterwards every pool is back where it started:
 * packet objects, sim buffers and TCP connections (tcp_conn_alloc -
 * tcp_conn_free). Frames carry an RX hash, so lookups go through the
 * flow cache while connections come and go. The client closes first, so its TIME_WAIT tuples exceed
 * the 1024-entry pool and the oldest are recycled (tcp_tw_recycled).
 * AXIP_TEST_SCALE=n divides the number of cycles by n. */
#include "tcp_util.h"

#define PAR 16

struct slot {
	struct tapp cli, srv;
	int busy;
};

static struct slot slots[PAR];
static uint64_t done_cycles, started;
static uint64_t total_cycles = 100000;
static struct sim *g_sim;

static int accept_any(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb, void **a)
{
	struct axip_tcp_info si, ci;
	uint32_t i;
	(void)arg;
	axip_tcp_get_info(c, &si);
	for (i = 0; i < PAR; i++) {
		struct slot *s = &slots[i];
		if (!s->busy || s->srv.accepted || !s->cli.c)
			continue;
		axip_tcp_get_info(s->cli.c, &ci);
		if (ci.local_port != si.remote_port)
			continue;
		/* the server answers 700 bytes and closes when the client does */
		tapp_init(&s->srv, sim_stack(g_sim, 1), 77, 700);
		s->srv.close_on_peer_close = 1;
		s->srv.accepted = 1;
		s->srv.c = c;
		*cb = &tapp_cb;
		*a = &s->srv;
		tapp_pump(&s->srv);
		return AXIP_OK;
	}
	CHECK(0);
	return AXIP_E_NOMEM;
}

static void start(struct slot *s)
{
	tapp_init(&s->cli, sim_stack(g_sim, 0), (uint32_t)started, 1000);
	tapp_init(&s->srv, sim_stack(g_sim, 1), 0, 0);
	s->busy = 1;
	started++;
	if (axip_tcp_connect(sim_stack(g_sim, 0), H1, 7, &tapp_cb, &s->cli, NULL, &s->cli.c) != AXIP_OK) {
		CHECK(0);
		s->busy = 0;
	}
}

/* Called after every sim step: finish slots whose both ends closed. */
static int step(void *arg)
{
	uint32_t i;
	(void)arg;
	for (i = 0; i < PAR; i++) {
		struct slot *s = &slots[i];
		if (!s->busy)
			continue;
		/* the client closes once it has the whole answer */
		if (s->cli.c && !s->cli.done_close && s->cli.rx_bytes == 700) {
			s->cli.done_close = 1;
			axip_tcp_close(s->cli.c);
		}
		if (s->cli.closed && s->srv.closed) {
			if (s->cli.closed_err != AXIP_OK || s->srv.closed_err != AXIP_OK ||
			    s->srv.rx_bytes != 1000 || s->srv.rx_hash != s->cli.tx_hash) {
				CHECK(0);
				fprintf(stderr, "cycle failed: cli %d srv %d rx %llu\n", s->cli.closed_err,
				        s->srv.closed_err, (unsigned long long)s->srv.rx_bytes);
			}
			s->busy = 0;
			done_cycles++;
			if (started < total_cycles)
				start(s);
		}
	}
	return done_cycles == total_cycles;
}

static void pc(const char *n, axip_u64 v, void *a)
{
	if (v && !strncmp(n, "tcp", 3))
		fprintf(stderr, "  h%d %s=%llu\n", *(int *)a, n, (unsigned long long)v);
}

static void test_churn(void)
{
	struct sim_params p;
	struct axip_tcp_listener *l = NULL;
	uint32_t bufs0, bufs1, pool0, pool1, i;
	const char *e = getenv("AXIP_TEST_SCALE");
	const struct axip_counters *k0, *k1;

	if (e && atol(e) > 1)
		total_cycles /= (uint64_t)atol(e);
	memset(&p, 0, sizeof(p));
	p.seed = 3;
	p.rx_hash = 1; /* connections found through the flow cache, freed and reused */
	g_sim = sim_new(&p);
	sim_run(g_sim, AXIP_MS(1));
	bufs0 = sim_bufs_in_use(g_sim, 0);
	bufs1 = sim_bufs_in_use(g_sim, 1);
	pool0 = axip_pkt_pool_available(sim_stack(g_sim, 0));
	pool1 = axip_pkt_pool_available(sim_stack(g_sim, 1));
	REQUIRE(axip_tcp_listen(sim_stack(g_sim, 1), 0, 7, 0, accept_any, NULL, NULL, &l) == AXIP_OK);
	for (i = 0; i < PAR; i++)
		start(&slots[i]);
	CHECK(sim_run_until(g_sim, step, NULL, AXIP_SEC(100000)));
	CHECK_EQ(done_cycles, total_cycles);
	k0 = axip_counters(sim_stack(g_sim, 0));
	k1 = axip_counters(sim_stack(g_sim, 1));
	fprintf(stderr, "  %llu cycles in %.3f s virtual; tw_recycled %llu, rtx %llu\n",
	        (unsigned long long)done_cycles, (double)sim_now(g_sim) / 1e9,
	        (unsigned long long)k0->tcp_tw_recycled, (unsigned long long)k0->tcp_retransmit);
	if (getenv("V")) {
		int h0 = 0, h1 = 1;
		axip_counters_foreach(sim_stack(g_sim, 0), pc, &h0);
		axip_counters_foreach(sim_stack(g_sim, 1), pc, &h1);
	}
	CHECK_EQ(k0->tcp_active_open, total_cycles);
	CHECK_EQ(k0->tcp_active_established, total_cycles);
	CHECK_EQ(k1->tcp_passive_open, total_cycles);
	CHECK_EQ(k0->tcp_conn_pool_full, 0);
	CHECK_EQ(k1->tcp_conn_pool_full, 0);
	/* a connection misses the cache once per side (its first segment after
	 * the SYN; rarely more where two live flows share a slot), not on every
	 * segment */
	fprintf(stderr, "  flow cache misses %llu of %llu segments (h0), %llu of %llu (h1)\n",
	        (unsigned long long)k0->tcp_flow_cache_miss, (unsigned long long)k0->tcp_rx,
	        (unsigned long long)k1->tcp_flow_cache_miss, (unsigned long long)k1->tcp_rx);
	CHECK(k0->tcp_flow_cache_miss >= total_cycles);
	CHECK(k0->tcp_flow_cache_miss <= total_cycles + total_cycles / 50);
	CHECK(k1->tcp_flow_cache_miss >= total_cycles);
	CHECK(k1->tcp_flow_cache_miss <= total_cycles + total_cycles / 50);
	if (total_cycles > 2000)
		CHECK(k0->tcp_tw_recycled > 0);
	/* the server closed second: no TIME_WAIT there */
	CHECK_EQ(conns_in_use(sim_stack(g_sim, 1)), 0);
	/* TIME_WAIT drains after 2*MSL */
	sim_run(g_sim, AXIP_SEC(61));
	CHECK_EQ(conns_in_use(sim_stack(g_sim, 0)), 0);
	axip_tcp_listener_close(l);
	CHECK_EQ(axip_pkt_pool_available(sim_stack(g_sim, 0)), pool0);
	CHECK_EQ(axip_pkt_pool_available(sim_stack(g_sim, 1)), pool1);
	CHECK_EQ(sim_bufs_in_use(g_sim, 0), bufs0);
	CHECK_EQ(sim_bufs_in_use(g_sim, 1), bufs1);
	sim_free(g_sim);
}

int main(void)
{
	RUN_TEST(test_churn);
	return test_summary();
}
