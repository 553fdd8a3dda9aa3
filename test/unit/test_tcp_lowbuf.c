/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp_lowbuf.c - an application that keeps every received buffer and
 * never consumes, on a host with few packet buffers (like an AF_XDP worker
 * whose UMEM frames run out): 4 connections each way of 1 MiB.
 *
 * Without AXIP_PKT_RX_LOW_BUF the held receive buffers and the send queues
 * take every buffer, nothing can be received any more, not even the ACKs
 * that would free the send queues: the server's sends never complete. With
 * the mark (the simulated link sets it while fewer than rx_low_buf buffers
 * are free) the core drops the text of marked frames (rx_low_buf_drop) and
 * takes their ACKs: the server's sends complete while it still holds
 * everything it received, and once it lets go all data arrives intact and
 * every buffer comes back. */
#include "tcp_util.h"

#define NCONN 4
#define XFER (1u << 20)
#define BUFS 1024
#define LOW 256
#define PORT 5001

/* Server side: a tapp whose receive callback keeps the chains while holding. */
struct holder {
	struct tapp t;
	struct axip_pkt *head, *tail; /* held chains, linked through ->next */
	uint64_t held;
	int consume; /* after release: free and consume as data arrives */
};

static struct holder srv[NCONN];
static struct tapp cli[NCONN];
static int n_acc;

static void h_connected(void *arg, struct axip_tcp *c) { tapp_connected(arg, c); }
static void h_peer_closed(void *arg, struct axip_tcp *c) { tapp_peer_closed(arg, c); }
static void h_sent(void *arg, struct axip_tcp *c, axip_u32 n) { tapp_sent(arg, c, n); }
static void h_closed(void *arg, struct axip_tcp *c, int err) { tapp_closed(arg, c, err); }

static void h_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct holder *h = arg;
	struct axip_pkt *p;
	uint32_t n = 0;
	for (p = data; p; p = p->sg_next) {
		h->t.rx_hash = fnv1a(h->t.rx_hash, p->data, p->len);
		n += p->len;
	}
	h->t.rx_bytes += n;
	if (h->consume) {
		axip_pkt_free(h->t.s, data);
		axip_tcp_recved(c, n);
		return;
	}
	h->held += n;
	data->next = NULL;
	if (h->tail)
		h->tail->next = data;
	else
		h->head = data;
	h->tail = data;
}

static const struct axip_tcp_callbacks holder_cb = {h_connected, h_recv, h_peer_closed, h_sent,
                                                    h_closed};

/* Free what was held, open the window for it, and consume from now on. */
static void h_release(struct holder *h)
{
	h->consume = 1;
	while (h->head) {
		struct axip_pkt *n = h->head->next;
		h->head->next = NULL;
		axip_pkt_free(h->t.s, h->head);
		h->head = n;
	}
	h->tail = NULL;
	if (h->t.c && h->held)
		axip_tcp_recved(h->t.c, (axip_u32)h->held);
	h->held = 0;
}

static int h_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb,
                    void **cb_arg)
{
	struct holder *h;
	(void)arg;
	if (n_acc >= NCONN)
		return AXIP_E_INVAL;
	h = &srv[n_acc++];
	*cb = &holder_cb;
	*cb_arg = h;
	h->t.c = c;
	h->t.accepted = 1;
	tapp_pump(&h->t);
	return AXIP_OK;
}

static int server_sent_all(void *arg)
{
	int i;
	(void)arg;
	for (i = 0; i < NCONN; i++)
		if (srv[i].t.acked != XFER)
			return 0;
	return 1;
}

static int all_received(void *arg)
{
	int i;
	(void)arg;
	for (i = 0; i < NCONN; i++)
		if (srv[i].t.rx_bytes != XFER || cli[i].rx_bytes != XFER || cli[i].acked != XFER)
			return 0;
	return 1;
}

static int all_closed(void *arg)
{
	int i;
	(void)arg;
	for (i = 0; i < NCONN; i++)
		if (!srv[i].t.closed || !cli[i].closed)
			return 0;
	return 1;
}

/* sent_while_holding: the server's sends completed while it held everything */
static int sent_while_holding;

static void run(uint32_t rx_low_buf, int finish)
{
	struct sim_params p;
	struct sim *sim;
	struct axip_tcp_listener *l = NULL;
	struct axip_stack *s1;
	uint32_t bufs1;
	int i;

	memset(&p, 0, sizeof(p));
	p.seed = 5;
	p.bufs_per_host = BUFS;
	p.rx_low_buf = rx_low_buf;
	p.impair.rate_bps = 1000000000ull;
	sim = sim_new(&p);
	s1 = sim_stack(sim, 1);
	bufs1 = sim_bufs_in_use(sim, 1);
	memset(srv, 0, sizeof(srv));
	n_acc = 0;
	for (i = 0; i < NCONN; i++) {
		tapp_init(&srv[i].t, s1, 200 + (uint32_t)i, XFER);
		tapp_init(&cli[i], sim_stack(sim, 0), 100 + (uint32_t)i, XFER);
	}
	REQUIRE(axip_tcp_listen(s1, 0, PORT, 0, h_accept, NULL, NULL, &l) == AXIP_OK);
	for (i = 0; i < NCONN; i++)
		REQUIRE(axip_tcp_connect(sim_stack(sim, 0), H1, PORT, &tapp_cb, &cli[i], NULL,
		                         &cli[i].c) == AXIP_OK);
	sent_while_holding = sim_run_until(sim, server_sent_all, NULL, AXIP_SEC(30));
	fprintf(stderr, "  rx_low_buf %u: server sends %s while holding %llu bytes; "
	        "rx_low_buf_drop %llu, buffers in use %u of %u\n", rx_low_buf,
	        sent_while_holding ? "completed" : "stalled",
	        (unsigned long long)(srv[0].held + srv[1].held + srv[2].held + srv[3].held),
	        (unsigned long long)axip_counters(s1)->rx_low_buf_drop, sim_bufs_in_use(sim, 1), BUFS);
	if (finish) {
		CHECK(axip_counters(s1)->rx_low_buf_drop > 0);
		for (i = 0; i < NCONN; i++)
			h_release(&srv[i]);
		CHECK(sim_run_until(sim, all_received, NULL, AXIP_SEC(120)));
		for (i = 0; i < NCONN; i++) {
			CHECK_EQ(srv[i].t.rx_hash, pattern_hash(100 + (uint32_t)i, XFER));
			CHECK_EQ(cli[i].rx_hash, pattern_hash(200 + (uint32_t)i, XFER));
			cli[i].close_on_peer_close = 1;
			axip_tcp_close(srv[i].t.c);
		}
		CHECK(sim_run_until(sim, all_closed, NULL, AXIP_SEC(120)));
		sim_run(sim, AXIP_SEC(61)); /* TIME_WAIT */
		CHECK_EQ(conns_in_use(s1), 0);
		CHECK_EQ(sim_bufs_in_use(sim, 1), bufs1);
	} else {
		for (i = 0; i < NCONN; i++) {
			h_release(&srv[i]);
			if (srv[i].t.c)
				axip_tcp_abort(srv[i].t.c);
			if (cli[i].c)
				axip_tcp_abort(cli[i].c);
		}
		sim_run(sim, AXIP_SEC(1));
	}
	axip_tcp_listener_close(l);
	sim_free(sim);
}

int main(void)
{
	/* without the mark: every buffer held, the ACKs cannot arrive */
	run(0, 0);
	CHECK(!sent_while_holding);
	/* with it: the ACKs get through, and everything completes after release */
	run(LOW, 1);
	CHECK(sent_while_holding);
	return test_summary();
}
