/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp_basic.c - TCP state machine on the simulated link: handshake,
 * data both ways, graceful and abortive close, half-close, simultaneous
 * open and close, TIME_WAIT expiry and reuse (RFC 6191), refused connect. */
#include "tcp_util.h"

static struct sim *new_sim(void)
{
	struct sim_params p;
	memset(&p, 0, sizeof(p));
	p.seed = 1;
	return sim_new(&p);
}

struct pair {
	struct tapp *a, *b;
};

static int both_closed(void *arg)
{
	struct pair *p = arg;
	return p->a->closed && p->b->closed;
}
static int both_up(void *arg)
{
	struct pair *p = arg;
	return p->a->connected && p->b->accepted;
}
static int flag_set(void *arg)
{
	return *(int *)arg != 0;
}

/* Connect host 0 (client) to a listener on host 1 port 80. */
static struct axip_tcp_listener *setup(struct sim *sim, struct tapp *cli, struct tapp *srv,
                                       struct tserver *sv)
{
	struct axip_tcp_listener *l = NULL;
	struct pair pr = {cli, srv};
	sv->app = srv;
	if (axip_tcp_listen(sim_stack(sim, 1), 0, 80, 0, tserver_accept, sv, NULL, &l) != AXIP_OK)
		return NULL;
	if (axip_tcp_connect(sim_stack(sim, 0), H1, 80, &tapp_cb, cli, NULL, &cli->c) != AXIP_OK)
		return NULL;
	if (!sim_run_until(sim, both_up, &pr, AXIP_SEC(5)))
		return NULL;
	return l;
}

static void test_handshake_data_graceful_close(void)
{
	struct sim *sim = new_sim();
	struct tapp cli, srv;
	struct tserver sv = {0};
	struct axip_tcp_info ci, si;
	struct pair pr = {&cli, &srv};
	uint32_t bufs0 = sim_bufs_in_use(sim, 0), bufs1 = sim_bufs_in_use(sim, 1);
	uint32_t pool0 = axip_pkt_pool_available(sim_stack(sim, 0));

	tapp_init(&cli, sim_stack(sim, 0), 11, 100000);
	tapp_init(&srv, sim_stack(sim, 1), 22, 70000);
	REQUIRE(setup(sim, &cli, &srv, &sv) != NULL);
	axip_tcp_get_info(cli.c, &ci);
	axip_tcp_get_info(srv.c, &si);
	CHECK_EQ(ci.state, AXIP_TCP_ESTABLISHED);
	CHECK_EQ(si.state, AXIP_TCP_ESTABLISHED);
	CHECK_EQ(ci.remote_addr, H1);
	CHECK_EQ(si.remote_port, ci.local_port);
	CHECK(ci.local_port >= 32768 && ci.local_port <= 60999);
	CHECK_EQ(ci.snd_mss, 1500 - 40 - 12); /* timestamps on: 12 option bytes */
	sim_run(sim, AXIP_SEC(2));
	CHECK_EQ(srv.rx_bytes, 100000);
	CHECK_EQ(cli.rx_bytes, 70000);
	CHECK_EQ(srv.rx_hash, pattern_hash(11, 100000));
	CHECK_EQ(cli.rx_hash, pattern_hash(22, 70000));
	CHECK_EQ(cli.acked, 100000);
	/* graceful close: client first, server on FIN */
	srv.close_on_peer_close = 1;
	axip_tcp_close(cli.c);
	REQUIRE(sim_run_until(sim, both_closed, &pr, AXIP_SEC(5)));
	CHECK_EQ(cli.closed_err, AXIP_OK);
	CHECK_EQ(srv.closed_err, AXIP_OK);
	CHECK_EQ(srv.peer_closed, 1);
	/* the client holds the tuple in TIME_WAIT for 2*MSL, the server nothing */
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 1);
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 0);
	sim_run(sim, AXIP_SEC(61));
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 0);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_retransmit, 0);
	CHECK_EQ(sim_bufs_in_use(sim, 0), bufs0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), bufs1);
	CHECK_EQ(axip_pkt_pool_available(sim_stack(sim, 0)), pool0);
	sim_free(sim);
}

static void test_abort(void)
{
	struct sim *sim = new_sim();
	struct tapp cli, srv;
	struct tserver sv = {0};
	struct pair pr = {&cli, &srv};
	tapp_init(&cli, sim_stack(sim, 0), 1, 0);
	tapp_init(&srv, sim_stack(sim, 1), 2, 0);
	REQUIRE(setup(sim, &cli, &srv, &sv) != NULL);
	axip_tcp_abort(cli.c);
	CHECK_EQ(cli.closed, 1); /* reported synchronously */
	CHECK_EQ(cli.closed_err, AXIP_E_ABORTED);
	REQUIRE(sim_run_until(sim, both_closed, &pr, AXIP_SEC(2)));
	CHECK_EQ(srv.closed_err, AXIP_E_RESET);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_tx_rst, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_rx_rst, 1);
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 0);
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 0);
	sim_free(sim);
}

static void test_half_close(void)
{
	struct sim *sim = new_sim();
	struct tapp cli, srv;
	struct tserver sv = {0};
	struct pair pr = {&cli, &srv};
	struct axip_tcp_info ci;
	tapp_init(&cli, sim_stack(sim, 0), 5, 3000);
	tapp_init(&srv, sim_stack(sim, 1), 6, 0);
	cli.shutdown_after_send = 1;
	REQUIRE(setup(sim, &cli, &srv, &sv) != NULL);
	REQUIRE(sim_run_until(sim, flag_set, &srv.peer_closed, AXIP_SEC(2)));
	CHECK_EQ(srv.rx_bytes, 3000);
	sim_run(sim, AXIP_MS(1)); /* the ACK of the FIN reaches the client */
	axip_tcp_get_info(cli.c, &ci);
	CHECK_EQ(ci.state, AXIP_TCP_FIN_WAIT_2);
	CHECK_EQ(axip_tcp_write(cli.c, "x", 1, 0), AXIP_E_CLOSED);
	/* the server keeps sending into the half-open connection */
	srv.to_send = 500000;
	tapp_pump(&srv);
	sim_run(sim, AXIP_SEC(2));
	CHECK_EQ(cli.rx_bytes, 500000);
	CHECK_EQ(cli.rx_hash, pattern_hash(6, 500000));
	CHECK_EQ(cli.closed, 0);
	axip_tcp_close(srv.c);
	REQUIRE(sim_run_until(sim, both_closed, &pr, AXIP_SEC(2)));
	CHECK_EQ(cli.peer_closed, 1);
	CHECK_EQ(cli.closed_err, AXIP_OK);
	CHECK_EQ(srv.closed_err, AXIP_OK);
	sim_free(sim);
}

static void test_simultaneous_open_and_close(void)
{
	struct sim *sim = new_sim();
	struct tapp a, b;
	struct pair pr = {&a, &b};
	struct axip_tcp_info ai;
	tapp_init(&a, sim_stack(sim, 0), 7, 20000);
	tapp_init(&b, sim_stack(sim, 1), 8, 30000);
	/* make sure ARP is resolved so the SYNs really cross */
	REQUIRE(axip_tcp_connect_from(sim_stack(sim, 0), 5000, H1, 6000, &tapp_cb, &a, NULL, &a.c) ==
	        AXIP_OK);
	REQUIRE(axip_tcp_connect_from(sim_stack(sim, 1), 6000, H0, 5000, &tapp_cb, &b, NULL, &b.c) ==
	        AXIP_OK);
	sim_run(sim, AXIP_SEC(3));
	CHECK_EQ(a.connected, 1);
	CHECK_EQ(b.connected, 1);
	CHECK_EQ(a.rx_bytes, 30000);
	CHECK_EQ(b.rx_bytes, 20000);
	CHECK_EQ(a.rx_hash, pattern_hash(8, 30000));
	REQUIRE(a.c && b.c);
	axip_tcp_get_info(a.c, &ai);
	CHECK_EQ(ai.state, AXIP_TCP_ESTABLISHED);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_passive_open, 0);
	/* simultaneous close: both FINs cross, both go through CLOSING */
	axip_tcp_close(a.c);
	axip_tcp_close(b.c);
	REQUIRE(sim_run_until(sim, both_closed, &pr, AXIP_SEC(3)));
	CHECK_EQ(a.closed_err, AXIP_OK);
	CHECK_EQ(b.closed_err, AXIP_OK);
	/* both ends are in TIME_WAIT */
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 1);
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 1);
	sim_run(sim, AXIP_SEC(61));
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 0);
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 0);
	sim_free(sim);
}

static void test_time_wait_reuse(void)
{
	struct sim *sim = new_sim();
	struct tapp cli, srv, cli2, srv2;
	struct tserver sv = {0};
	struct pair pr = {&cli, &srv};
	struct axip_tcp_listener *l = NULL;
	struct axip_tcp *dummy;

	tapp_init(&cli, sim_stack(sim, 0), 1, 1000);
	tapp_init(&srv, sim_stack(sim, 1), 2, 1000);
	sv.app = &srv;
	REQUIRE(axip_tcp_listen(sim_stack(sim, 1), 0, 80, 0, tserver_accept, &sv, NULL, &l) == AXIP_OK);
	REQUIRE(axip_tcp_connect_from(sim_stack(sim, 0), 4000, H1, 80, &tapp_cb, &cli, NULL, &cli.c) ==
	        AXIP_OK);
	sim_run(sim, AXIP_MS(100));
	REQUIRE(srv.c && cli.rx_bytes == 1000);
	/* the server closes first and keeps the tuple in TIME_WAIT */
	cli.close_on_peer_close = 1;
	axip_tcp_close(srv.c);
	REQUIRE(sim_run_until(sim, both_closed, &pr, AXIP_SEC(2)));
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 1);
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 0);
	/* the same tuple is busy on the TIME_WAIT side */
	CHECK_EQ(axip_tcp_connect_from(sim_stack(sim, 1), 80, H0, 4000, &tapp_cb, &srv, NULL, &dummy),
	         AXIP_E_ADDRINUSE);
	/* a new SYN with a newer timestamp reuses it (RFC 6191) */
	sim_run(sim, AXIP_MS(10));
	tapp_init(&cli2, sim_stack(sim, 0), 3, 5000);
	tapp_init(&srv2, sim_stack(sim, 1), 4, 0);
	sv.app = &srv2;
	REQUIRE(axip_tcp_connect_from(sim_stack(sim, 0), 4000, H1, 80, &tapp_cb, &cli2, NULL,
	                              &cli2.c) == AXIP_OK);
	sim_run(sim, AXIP_MS(100));
	CHECK_EQ(cli2.connected, 1);
	CHECK_EQ(srv2.rx_bytes, 5000);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_tw_reuse, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_retransmit, 0);
	axip_tcp_listener_close(l);
	sim_free(sim);
}

static void test_refused_and_listener_errors(void)
{
	struct sim *sim = new_sim();
	struct tapp cli;
	struct tserver sv = {0};
	struct axip_tcp_listener *l = NULL, *l2 = NULL;
	tapp_init(&cli, sim_stack(sim, 0), 1, 0);
	REQUIRE(axip_tcp_connect(sim_stack(sim, 0), H1, 81, &tapp_cb, &cli, NULL, &cli.c) == AXIP_OK);
	REQUIRE(sim_run_until(sim, flag_set, &cli.closed, AXIP_SEC(2)));
	CHECK_EQ(cli.closed_err, AXIP_E_REFUSED);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_rx_no_conn, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_tx_rst, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_tx_rst, 0); /* never RST a RST */
	/* RFC 9293 3.10.7.3: the RST in SYN-SENT is counted as accepted */
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_rx_rst, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_rx_rst_ignored, 0);
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 0);
	CHECK_EQ(axip_tcp_listen(sim_stack(sim, 1), 0, 80, 0, tserver_accept, &sv, NULL, &l), AXIP_OK);
	CHECK_EQ(axip_tcp_listen(sim_stack(sim, 1), 0, 80, 0, tserver_accept, &sv, NULL, &l2),
	         AXIP_E_ADDRINUSE);
	CHECK_EQ(axip_tcp_listen(sim_stack(sim, 1), 0, 0, 0, tserver_accept, &sv, NULL, &l2),
	         AXIP_E_INVAL);
	/* an accept callback that declines resets the connection */
	sv.refuse = 1;
	tapp_init(&cli, sim_stack(sim, 0), 1, 0);
	REQUIRE(axip_tcp_connect(sim_stack(sim, 0), H1, 80, &tapp_cb, &cli, NULL, &cli.c) == AXIP_OK);
	REQUIRE(sim_run_until(sim, flag_set, &cli.closed, AXIP_SEC(2)));
	CHECK_EQ(cli.connected, 1);
	CHECK_EQ(cli.closed_err, AXIP_E_RESET);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_accept_refused, 1);
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 0);
	axip_tcp_listener_close(l);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_handshake_data_graceful_close);
	RUN_TEST(test_abort);
	RUN_TEST(test_half_close);
	RUN_TEST(test_simultaneous_open_and_close);
	RUN_TEST(test_time_wait_reuse);
	RUN_TEST(test_refused_and_listener_errors);
	return test_summary();
}
