/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp6.c - TCP over IPv6 (RFC 9293 with RFC 8200 8.1) between two hosts
 * on the simulated link (host 0 2001:db8::1, host 1 2001:db8::2, both also
 * with their link-local addresses): active and passive opens in both
 * directions, data both ways compared byte for byte (clean, with offloads,
 * and under loss, duplication, reordering and corruption), graceful close,
 * RST from a closed port, listeners on :: and on one address beside an IPv4
 * listener of the same port, the API's errors, an ICMPv6 Packet Too Big
 * lowering the MSS of a live connection (RFC 8201) and of the others to the
 * same destination through the path MTU cache, ICMPv6 Destination
 * Unreachable while connecting, a segment with a bad checksum dropped and
 * counted, and SYN cookies over an IPv6 tuple. */
#include "tcp_util.h"
#include "ip6_frames.h"

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

static const uint8_t ghost6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99};

static void ip6_hook(void *arg, uint32_t host, struct axip_config *cfg)
{
	(void)arg;
	cfg->arp_gratuitous = 0;
	cfg->ip6_enable = 1;
	cfg->nd6_dad_transmits = 0; /* addresses usable at once */
	cfg->n_addrs6 = 1;
	memcpy(cfg->addrs6[0].addr, host ? ip6_peer_gl : ip6_my_gl, 16);
	cfg->addrs6[0].prefix_len = 64;
}

static const uint8_t *gl(uint32_t host)
{
	return host ? ip6_peer_gl : ip6_my_gl;
}

static struct sim *new_sim6(uint32_t caps, const struct sim_impair *im)
{
	struct sim_params p;
	memset(&p, 0, sizeof(p));
	p.seed = 6;
	p.cfg_hook = ip6_hook;
	p.caps[0] = p.caps[1] = caps;
	if (im)
		p.impair = *im;
	return sim_new(&p);
}

/* ---- frames ---- */

/* The TCP header of an IPv6 frame carrying TCP right after the IPv6
 * header, or NULL; *plen its payload bytes. */
static const uint8_t *tcp_of(const uint8_t *f, uint32_t len, uint32_t *plen)
{
	uint32_t l4;
	if (len < 14 + 40 + 20 || f[12] != 0x86 || f[13] != 0xdd || f[14 + 6] != 6)
		return NULL;
	l4 = ip6t_be16(f + 14 + 4);
	if (l4 < 20 || 14 + 40 + l4 > len || (uint32_t)(f[54 + 12] >> 4) * 4 > l4)
		return NULL;
	*plen = l4 - (uint32_t)(f[54 + 12] >> 4) * 4;
	return f + 54;
}

/* eth + IPv6 + TCP (20-byte header, no options) with n payload bytes, the
 * checksum filled. */
static uint32_t tcp6_frame(uint8_t *out, const uint8_t *dmac, const uint8_t *smac,
                           const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
                           uint32_t seq, uint32_t ack, uint8_t flags, const void *pl, uint32_t n)
{
	uint8_t d[1600];
	uint16_t c;
	memset(d, 0, 20);
	ip6t_put16(d, sport);
	ip6t_put16(d + 2, dport);
	ip6t_put32(d + 4, seq);
	ip6t_put32(d + 8, ack);
	d[12] = 5 << 4;
	d[13] = flags;
	ip6t_put16(d + 14, 8192);
	if (n)
		memcpy(d + 20, pl, n);
	c = sim_ref_csum(d, 20 + n, ip6t_pseudo(src, dst, 6, 20 + n));
	ip6t_put16(d + 16, c);
	return ip6t_build(out, dmac, smac, src, dst, 6, 64, d, 20 + n);
}

/* An ICMPv6 error (type, code, param) from host 1's address to host 0
 * quoting the IPv6 packet of frame q (cut to fit 1280 bytes). */
static uint32_t icmp6_error_frame(uint8_t *out, uint8_t type, uint8_t code, uint32_t param,
                                  const uint8_t *q, uint32_t qlen)
{
	uint8_t m[1300];
	uint32_t n = qlen - 14;
	if (n > 1280 - 40 - 8)
		n = 1280 - 40 - 8;
	memset(m, 0, 8);
	m[0] = type;
	m[1] = code;
	ip6t_put32(m + 4, param);
	memcpy(m + 8, q + 14, n);
	ip6t_icmp6_csum(m, 8 + n, ip6_peer_gl, ip6_my_gl);
	return ip6t_build(out, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, 8 + n);
}

/* ---- a tap on host 0's and host 1's frames ---- */

enum tap_mode { TAP_OFF, TAP_HOLD_DATA, TAP_HOLD_SYN, TAP_CORRUPT_ONCE };

static struct {
	enum tap_mode mode;
	uint8_t held[2000];  /* the first frame the tap dropped */
	uint32_t held_len;
	uint32_t n_held;
	uint32_t max_frame;  /* largest TCP frame host 0 sent since reset */
	uint32_t n_corrupted;
	uint32_t n_rst_from1;
	uint8_t last_rst[2000];
	uint32_t last_rst_len;
} tp;

static int tap(void *arg, uint32_t from, uint8_t *frame, uint32_t *len)
{
	uint32_t plen;
	const uint8_t *t = tcp_of(frame, *len, &plen);
	(void)arg;
	if (!t)
		return 1;
	if (from == 1 && (t[13] & F_RST)) {
		tp.n_rst_from1++;
		memcpy(tp.last_rst, frame, *len);
		tp.last_rst_len = *len;
	}
	if (from != 0)
		return 1;
	if (*len > tp.max_frame)
		tp.max_frame = *len;
	if ((tp.mode == TAP_HOLD_DATA && plen) || (tp.mode == TAP_HOLD_SYN && (t[13] & F_SYN))) {
		if (tp.n_held++ == 0) {
			memcpy(tp.held, frame, *len);
			tp.held_len = *len;
		}
		return 0;
	}
	if (tp.mode == TAP_CORRUPT_ONCE && plen && tp.n_corrupted == 0) {
		frame[*len - 1] ^= 0x20; /* a payload byte: only the TCP checksum sees it */
		tp.n_corrupted++;
	}
	return 1;
}

static void tap_reset(struct sim *sim)
{
	memset(&tp, 0, sizeof(tp));
	sim_set_tap(sim, tap, NULL);
}

/* ---- helpers ---- */

struct pair {
	struct tapp *a, *b;
};

static int both_up(void *arg)
{
	struct pair *p = arg;
	return p->a->connected && p->b->accepted;
}
static int both_closed(void *arg)
{
	struct pair *p = arg;
	return p->a->closed && p->b->closed;
}
static int flag_set(void *arg)
{
	return *(int *)arg != 0;
}
struct xfer {
	struct tapp *a, *b;
	uint64_t na, nb; /* bytes a and b receive */
};
static int xfer_done(void *arg)
{
	struct xfer *x = arg;
	return x->a->rx_bytes == x->na && x->b->rx_bytes == x->nb && x->a->acked == x->nb &&
	       x->b->acked == x->na;
}

/* Every byte of what a received equals the pattern of seed. */
static int same_bytes(const struct tapp *a, uint32_t seed, uint64_t n)
{
	uint64_t i;
	if (a->rx_bytes != n)
		return 0;
	for (i = 0; i < n; i++)
		if (a->rx_copy[i] != pat_byte(seed, i))
			return 0;
	return 1;
}

/* The client on host `ch` connects over IPv6 to a listener on :: port 80 of
 * the other host. */
static struct axip_tcp_listener *setup(struct sim *sim, uint32_t ch, struct tapp *cli,
                                       struct tapp *srv, struct tserver *sv)
{
	struct axip_tcp_listener *l = NULL;
	struct pair pr = {cli, srv};
	sv->app = srv;
	if (axip_tcp_listen6(sim_stack(sim, 1 - ch), NULL, 80, 0, tserver_accept, sv, NULL, &l) !=
	    AXIP_OK)
		return NULL;
	if (axip_tcp_connect6(sim_stack(sim, ch), NULL, 0, gl(1 - ch), 80, &tapp_cb, cli, NULL,
	                      &cli->c) != AXIP_OK)
		return NULL;
	if (!sim_run_until(sim, both_up, &pr, AXIP_SEC(5)))
		return NULL;
	return l;
}

/* ---- tests ---- */

/* Handshake, data both ways, graceful close; the client on host ch. */
static void open_data_close(uint32_t ch, uint32_t caps)
{
	struct sim *sim = new_sim6(caps, NULL);
	static struct tapp cli, srv;
	static uint8_t rc[70000], rs[100000];
	struct tserver sv = {0};
	struct axip_tcp_listener *l;
	struct axip_tcp_info ci, si;
	struct pair pr = {&cli, &srv};
	struct xfer x = {&cli, &srv, 70000, 100000};
	uint8_t la[16], ra[16];
	uint32_t sh = 1 - ch;
	uint32_t b0 = sim_bufs_in_use(sim, 0), b1 = sim_bufs_in_use(sim, 1);

	tapp_init(&cli, sim_stack(sim, ch), 11, 100000);
	tapp_init(&srv, sim_stack(sim, sh), 22, 70000);
	cli.rx_copy = rc;
	cli.rx_copy_cap = sizeof(rc);
	srv.rx_copy = rs;
	srv.rx_copy_cap = sizeof(rs);
	REQUIRE((l = setup(sim, ch, &cli, &srv, &sv)) != NULL);
	CHECK_EQ(axip_tcp_family(cli.c), 6);
	CHECK_EQ(axip_tcp_family(srv.c), 6);
	axip_tcp_get_info(cli.c, &ci);
	axip_tcp_get_info(srv.c, &si);
	CHECK_EQ(ci.state, AXIP_TCP_ESTABLISHED);
	CHECK_EQ(si.state, AXIP_TCP_ESTABLISHED);
	CHECK_EQ(ci.remote_addr, 0); /* IPv4 fields: not an IPv4 connection */
	CHECK_EQ(ci.remote_port, 80);
	CHECK_EQ(si.remote_port, ci.local_port);
	CHECK(ci.local_port >= 32768 && ci.local_port <= 60999); /* ephemeral (RFC 6056) */
	/* MSS from the MTU: 1500 - 40 (IPv6) - 20 (TCP), timestamps 12 */
	CHECK_EQ(ci.rcv_mss, 1440);
	CHECK_EQ(ci.snd_mss, 1440 - 12);
	CHECK_EQ(si.snd_mss, 1440 - 12);
	CHECK_EQ(axip_tcp_get_addr6(cli.c, la, ra), AXIP_OK);
	CHECK(memcmp(la, gl(ch), 16) == 0);
	CHECK(memcmp(ra, gl(sh), 16) == 0);
	CHECK_EQ(axip_tcp_get_addr6(srv.c, la, ra), AXIP_OK);
	CHECK(memcmp(la, gl(sh), 16) == 0);
	CHECK(memcmp(ra, gl(ch), 16) == 0);
	REQUIRE(sim_run_until(sim, xfer_done, &x, AXIP_SEC(10)));
	CHECK(same_bytes(&srv, 11, 100000));
	CHECK(same_bytes(&cli, 22, 70000));
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_rx_bad_csum, 0);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_rx_bad_csum, 0);
	/* graceful close, client first (RFC 9293 3.6) */
	srv.close_on_peer_close = 1;
	axip_tcp_close(cli.c);
	REQUIRE(sim_run_until(sim, both_closed, &pr, AXIP_SEC(5)));
	CHECK_EQ(cli.closed_err, AXIP_OK);
	CHECK_EQ(srv.closed_err, AXIP_OK);
	CHECK_EQ(srv.peer_closed, 1); /* (the client closed: no peer_closed for it) */
	/* TIME_WAIT on the client ends; everything comes back */
	sim_run(sim, AXIP_SEC(130));
	CHECK_EQ(conns_in_use(sim_stack(sim, 0)), 0);
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 0);
	axip_tcp_listener_close(l);
	CHECK_EQ(sim_bufs_in_use(sim, 0), b0);
	CHECK_EQ(sim_bufs_in_use(sim, 1), b1);
	sim_free(sim);
}

static void test_active_passive_both_directions(void)
{
	open_data_close(0, 0); /* host 0 opens actively */
	open_data_close(1, 0); /* host 0 opens passively */
	/* with checksum offload both ways and scatter-gather */
	open_data_close(0, AXIP_CAP_TX_L4_CSUM | AXIP_CAP_RX_L4_CSUM | AXIP_CAP_SG);
}

/* 1 MB each way under 2% loss, duplication, reordering and corruption. */
static void test_data_under_loss(void)
{
	struct sim_impair im;
	struct sim *sim;
	static struct tapp cli, srv;
	static uint8_t rc[1 << 20], rs[1 << 20];
	struct tserver sv = {0};
	struct xfer x = {&cli, &srv, 1 << 20, 1 << 20};
	struct pair pr = {&cli, &srv};
	const struct axip_counters *k0, *k1;

	memset(&im, 0, sizeof(im));
	im.drop_ppm = 20000;
	im.dup_ppm = 5000;
	im.reorder_ppm = 10000;
	im.corrupt_ppm = 3000;
	im.rate_bps = 100000000ull;
	sim = new_sim6(0, &im);
	k0 = axip_counters(sim_stack(sim, 0));
	k1 = axip_counters(sim_stack(sim, 1));
	tapp_init(&cli, sim_stack(sim, 0), 5, 1 << 20);
	tapp_init(&srv, sim_stack(sim, 1), 6, 1 << 20);
	cli.rx_copy = rc;
	cli.rx_copy_cap = sizeof(rc);
	srv.rx_copy = rs;
	srv.rx_copy_cap = sizeof(rs);
	REQUIRE(setup(sim, 0, &cli, &srv, &sv) != NULL);
	REQUIRE(sim_run_until(sim, xfer_done, &x, AXIP_SEC(120)));
	CHECK(same_bytes(&srv, 5, 1 << 20));
	CHECK(same_bytes(&cli, 6, 1 << 20));
	CHECK(k0->tcp_retransmit + k1->tcp_retransmit > 0);
	/* corruption reached TCP: caught by the IPv6 pseudo-header checksum */
	CHECK(k0->tcp_rx_bad_csum + k1->tcp_rx_bad_csum > 0);
	srv.close_on_peer_close = 1;
	axip_tcp_close(cli.c);
	REQUIRE(sim_run_until(sim, both_closed, &pr, AXIP_SEC(60)));
	CHECK_EQ(cli.closed_err, AXIP_OK);
	CHECK_EQ(srv.closed_err, AXIP_OK);
	sim_free(sim);
}

/* RFC 9293 3.10.7.1: a SYN to a closed port is refused with RST; a segment
 * with ACK gets a RST with its acknowledgment number as sequence. */
static void test_rst_closed_port(void)
{
	struct sim *sim = new_sim6(0, NULL);
	struct tapp cli;
	uint8_t f[200];
	uint32_t n, plen;
	const uint8_t *t;

	tap_reset(sim);
	tapp_init(&cli, sim_stack(sim, 0), 1, 0);
	REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 81, &tapp_cb, &cli, NULL,
	                          &cli.c) == AXIP_OK);
	REQUIRE(sim_run_until(sim, flag_set, &cli.closed, AXIP_SEC(2)));
	CHECK_EQ(cli.closed_err, AXIP_E_REFUSED);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_rx_no_conn, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_tx_rst, 1);
	CHECK_EQ(tp.n_rst_from1, 1);
	/* an ACK from a peer host 1 has no connection with */
	n = tcp6_frame(f, ip6_peer_mac, ip6_my_mac, ip6_my_gl, ip6_peer_gl, 4444, 82, 1000, 777777,
	               F_ACK, "hi", 2);
	sim_inject(sim, 1, f, n);
	sim_run(sim, AXIP_MS(5));
	CHECK_EQ(tp.n_rst_from1, 2);
	t = tcp_of(tp.last_rst, tp.last_rst_len, &plen);
	REQUIRE(t != NULL);
	CHECK_EQ(t[13], F_RST);
	CHECK_EQ(ip6t_be32(t + 4), 777777);
	CHECK_EQ(ip6t_be16(t), 82);
	CHECK_EQ(ip6t_be16(t + 2), 4444);
	CHECK(memcmp(tp.last_rst + 14 + 24, ip6_my_gl, 16) == 0);
	/* host 0 has no connection either: it does not answer the RST */
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->tcp_tx_rst, 0);
	sim_free(sim);
}

static int refuse_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb,
                         void **cb_arg)
{
	(void)arg;
	(void)c;
	(void)cb;
	(void)cb_arg;
	return AXIP_E_INVAL;
}

/* Listeners: :: takes every IPv6 address of the host, one address only its
 * own; families are separate name spaces; the API's errors. */
static void test_listeners(void)
{
	struct sim *sim = new_sim6(0, NULL);
	struct axip_stack *s1 = sim_stack(sim, 1);
	struct axip_tcp_listener *l6, *l4, *lx, *lll;
	struct tapp c6, s6, c4, s4, cll, sll;
	struct tserver sv6 = {0}, sv4 = {0}, svll = {0};
	struct pair p6 = {&c6, &s6}, p4 = {&c4, &s4}, pll = {&cll, &sll};
	struct axip_tcp *dummy;
	uint8_t la[16];

	tapp_init(&c6, sim_stack(sim, 0), 1, 5000);
	tapp_init(&s6, s1, 2, 0);
	tapp_init(&c4, sim_stack(sim, 0), 3, 6000);
	tapp_init(&s4, s1, 4, 0);
	tapp_init(&cll, sim_stack(sim, 0), 5, 7000);
	tapp_init(&sll, s1, 6, 0);
	sv6.app = &s6;
	sv4.app = &s4;
	svll.app = &sll;
	CHECK_EQ(axip_tcp_listen6(s1, ip6_my_gl, 80, 0, tserver_accept, &sv6, NULL, &l6),
	         AXIP_E_INVAL); /* not an address of host 1 */
	CHECK_EQ(axip_tcp_listen6(s1, NULL, 0, 0, tserver_accept, &sv6, NULL, &l6), AXIP_E_INVAL);
	CHECK_EQ(axip_tcp_listen6(s1, NULL, 80, 0, NULL, &sv6, NULL, &l6), AXIP_E_INVAL);
	REQUIRE(axip_tcp_listen6(s1, ip6_unspec, 80, 0, tserver_accept, &sv6, NULL, &l6) == AXIP_OK);
	CHECK_EQ(axip_tcp_listen6(s1, NULL, 80, 0, tserver_accept, &sv6, NULL, &lx),
	         AXIP_E_ADDRINUSE);
	CHECK_EQ(axip_tcp_listen6(s1, ip6_peer_gl, 80, 0, tserver_accept, &sv6, NULL, &lx),
	         AXIP_E_ADDRINUSE);
	/* an IPv4 listener on the same port is another name space */
	REQUIRE(axip_tcp_listen(s1, 0, 80, 0, tserver_accept, &sv4, NULL, &l4) == AXIP_OK);
	/* one address only: the link-local one, port 81 */
	REQUIRE(axip_tcp_listen6(s1, ip6_peer_ll, 81, 0, tserver_accept, &svll, NULL, &lll) ==
	        AXIP_OK);
	CHECK_EQ(axip_tcp_listen6(s1, NULL, 81, 0, tserver_accept, &svll, NULL, &lx),
	         AXIP_E_ADDRINUSE);

	REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 80, &tapp_cb, &c6, NULL,
	                          &c6.c) == AXIP_OK);
	REQUIRE(axip_tcp_connect(sim_stack(sim, 0), H1, 80, &tapp_cb, &c4, NULL, &c4.c) == AXIP_OK);
	REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_ll, 81, &tapp_cb, &cll, NULL,
	                          &cll.c) == AXIP_OK);
	REQUIRE(sim_run_until(sim, both_up, &p6, AXIP_SEC(2)));
	REQUIRE(sim_run_until(sim, both_up, &p4, AXIP_SEC(2)));
	REQUIRE(sim_run_until(sim, both_up, &pll, AXIP_SEC(2)));
	CHECK_EQ(sv6.n_accepts, 1);
	CHECK_EQ(sv4.n_accepts, 1);
	CHECK_EQ(svll.n_accepts, 1);
	CHECK_EQ(axip_tcp_family(s6.c), 6);
	CHECK_EQ(axip_tcp_family(s4.c), 4);
	CHECK_EQ(axip_tcp_get_addr6(s4.c, la, NULL), AXIP_E_INVAL);
	/* the link-local connection: from host 0's link-local address */
	CHECK_EQ(axip_tcp_get_addr6(cll.c, la, NULL), AXIP_OK);
	CHECK(memcmp(la, ip6_my_ll, 16) == 0);
	sim_run(sim, AXIP_MS(100));
	CHECK_EQ(s6.rx_bytes, 5000);
	CHECK_EQ(s6.rx_hash, pattern_hash(1, 5000));
	CHECK_EQ(s4.rx_bytes, 6000);
	CHECK_EQ(s4.rx_hash, pattern_hash(3, 6000));
	CHECK_EQ(sll.rx_bytes, 7000);
	CHECK_EQ(sll.rx_hash, pattern_hash(5, 7000));
	/* the global address on port 81 has no listener: refused */
	{
		struct tapp r;
		tapp_init(&r, sim_stack(sim, 0), 7, 0);
		REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 81, &tapp_cb, &r,
		                          NULL, &r.c) == AXIP_OK);
		REQUIRE(sim_run_until(sim, flag_set, &r.closed, AXIP_SEC(2)));
		CHECK_EQ(r.closed_err, AXIP_E_REFUSED);
	}
	/* a chosen source port and address; its tuple taken twice */
	{
		struct tapp r;
		tapp_init(&r, sim_stack(sim, 0), 8, 0);
		REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), ip6_my_gl, 5555, ip6_peer_gl, 80, &tapp_cb,
		                          &r, NULL, &r.c) == AXIP_OK);
		CHECK_EQ(axip_tcp_connect6(sim_stack(sim, 0), ip6_my_gl, 5555, ip6_peer_gl, 80,
		                           &tapp_cb, &r, NULL, &dummy),
		         AXIP_E_ADDRINUSE);
		REQUIRE(sim_run_until(sim, flag_set, &r.connected, AXIP_SEC(2)));
		axip_tcp_abort(r.c);
	}
	/* a refusing accept function resets the connection */
	axip_tcp_listener_close(lll);
	REQUIRE(axip_tcp_listen6(s1, NULL, 81, 0, refuse_accept, NULL, NULL, &lll) == AXIP_OK);
	{
		struct tapp r;
		tapp_init(&r, sim_stack(sim, 0), 9, 0);
		REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 81, &tapp_cb, &r,
		                          NULL, &r.c) == AXIP_OK);
		REQUIRE(sim_run_until(sim, flag_set, &r.closed, AXIP_SEC(2)));
		CHECK_EQ(r.closed_err, AXIP_E_RESET);
	}
	/* connect errors */
	CHECK_EQ(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_all_nodes, 80, &tapp_cb, &c6,
	                           NULL, &dummy),
	         AXIP_E_INVAL);
	CHECK_EQ(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_unspec, 80, &tapp_cb, &c6, NULL,
	                           &dummy),
	         AXIP_E_INVAL);
	CHECK_EQ(axip_tcp_connect6(sim_stack(sim, 0), ip6_peer_gl, 0, ip6_peer_gl, 80, &tapp_cb,
	                           &c6, NULL, &dummy),
	         AXIP_E_INVAL); /* a source that is not ours */
	CHECK_EQ(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 0, &tapp_cb, &c6, NULL,
	                           &dummy),
	         AXIP_E_INVAL);
	{
		/* off-link without a default router: no route */
		static const uint8_t far[16] = {0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0,
		                                0,    0,    0,    0,    0, 0, 0, 1};
		CHECK_EQ(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, far, 80, &tapp_cb, &c6, NULL,
		                           &dummy),
		         AXIP_E_UNREACH);
	}
	axip_tcp_abort(c6.c);
	axip_tcp_abort(c4.c);
	axip_tcp_abort(cll.c);
	axip_tcp_listener_close(l6);
	axip_tcp_listener_close(l4);
	axip_tcp_listener_close(lll);
	sim_free(sim);

	/* IPv6 off: no IPv6 listeners or connections */
	{
		struct sim_params p;
		memset(&p, 0, sizeof(p));
		sim = sim_new(&p);
		CHECK_EQ(axip_tcp_listen6(sim_stack(sim, 1), NULL, 80, 0, tserver_accept, &sv6, NULL,
		                          &l6),
		         AXIP_E_STATE);
		CHECK_EQ(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 80, &tapp_cb, &c6,
		                           NULL, &dummy),
		         AXIP_E_STATE);
		sim_free(sim);
	}
}

/* RFC 8201 5.2 / RFC 5927 7.2: a Packet Too Big quoting data in flight
 * lowers the MSS of the live connection to the MTU - 60, what was too big
 * goes again in smaller segments, and nothing larger leaves afterwards. */
static void test_packet_too_big(void)
{
	struct sim *sim = new_sim6(0, NULL);
	static struct tapp cli, srv;
	static uint8_t rs[200000];
	struct tserver sv = {0};
	struct axip_tcp_info ci;
	struct xfer x = {&cli, &srv, 0, 200000};
	uint8_t f[1400];
	uint32_t n;
	const struct axip_counters *k0 = axip_counters(sim_stack(sim, 0));

	tap_reset(sim);
	tapp_init(&cli, sim_stack(sim, 0), 3, 0);
	tapp_init(&srv, sim_stack(sim, 1), 4, 0);
	srv.rx_copy = rs;
	srv.rx_copy_cap = sizeof(rs);
	REQUIRE(setup(sim, 0, &cli, &srv, &sv) != NULL);
	axip_tcp_get_info(cli.c, &ci);
	CHECK_EQ(ci.snd_mss, 1440 - 12);
	/* data leaves but is held on the wire (not lost to the RTO yet) */
	tp.mode = TAP_HOLD_DATA;
	cli.to_send = 200000;
	tapp_pump(&cli);
	axip_flush(sim_stack(sim, 0));
	sim_run(sim, AXIP_MS(1));
	REQUIRE(tp.n_held > 0);
	CHECK_EQ(tp.held_len, 14 + 40 + 20 + 12 + 1428);
	/* a report below the IPv6 minimum link MTU is discarded (RFC 8201
	 * 4): the segment size stays */
	n = icmp6_error_frame(f, 2, 0, 1200, tp.held, tp.held_len);
	sim_inject(sim, 0, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k0->icmp6_rx_ptb_bad, 1);
	CHECK_EQ(k0->tcp_pmtu_update, 0);
	CHECK_EQ(axip_pmtu6_get(sim_stack(sim, 0), ip6_peer_gl), 1500);
	axip_tcp_get_info(cli.c, &ci);
	CHECK_EQ(ci.snd_mss, 1440 - 12);
	/* a router on the path has an MTU of 1280 */
	tp.mode = TAP_OFF;
	tp.max_frame = 0;
	n = icmp6_error_frame(f, 2, 0, 1280, tp.held, tp.held_len);
	sim_inject(sim, 0, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k0->icmp6_rx_ptb, 2);
	CHECK_EQ(k0->tcp_pmtu_update, 1);
	CHECK_EQ(axip_pmtu6_get(sim_stack(sim, 0), ip6_peer_gl), 1280);
	axip_tcp_get_info(cli.c, &ci);
	CHECK_EQ(ci.snd_mss, 1280 - 60 - 12);
	REQUIRE(sim_run_until(sim, xfer_done, &x, AXIP_SEC(10)));
	CHECK(same_bytes(&srv, 3, 200000));
	CHECK(tp.max_frame > 0 && tp.max_frame <= 14 + 1280);
	/* the same report again, or one that is not lower, changes nothing */
	tp.held[14 + 40 + 4] ^= 0xff; /* quoting a sequence number not in flight */
	n = icmp6_error_frame(f, 2, 0, 1280, tp.held, tp.held_len);
	sim_inject(sim, 0, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k0->tcp_pmtu_update, 1);
	CHECK(k0->tcp_icmp_ignored >= 1);
	axip_tcp_abort(cli.c);
	axip_tcp_abort(srv.c);
	sim_free(sim);
}

/* RFC 8201 5.2: the path MTU cache is per destination. A Packet Too Big
 * about one connection shapes a new connection to the same peer from its
 * handshake, and a live one that was idle meanwhile follows at its next
 * segment (refused locally as too big, resent smaller). */
static void test_pmtu_shared(void)
{
	struct sim *sim = new_sim6(0, NULL);
	static struct tapp a, as, b, bs, c, cs;
	struct tserver sv = {0};
	struct axip_tcp_listener *l;
	struct axip_tcp_info info;
	struct pair pb = {&b, &bs}, pc = {&c, &cs};
	struct xfer xa = {&a, &as, 0, 50000}, xb = {&b, &bs, 0, 60000}, xc = {&c, &cs, 0, 70000};
	uint8_t f[1400];
	uint32_t n;
	const struct axip_counters *k0 = axip_counters(sim_stack(sim, 0));

	tap_reset(sim);
	tapp_init(&a, sim_stack(sim, 0), 1, 0);
	tapp_init(&as, sim_stack(sim, 1), 2, 0);
	tapp_init(&b, sim_stack(sim, 0), 3, 0);
	tapp_init(&bs, sim_stack(sim, 1), 4, 0);
	tapp_init(&c, sim_stack(sim, 0), 5, 70000);
	tapp_init(&cs, sim_stack(sim, 1), 6, 0);
	REQUIRE((l = setup(sim, 0, &a, &as, &sv)) != NULL);
	sv.app = &bs;
	REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 80, &tapp_cb, &b, NULL,
	                          &b.c) == AXIP_OK);
	REQUIRE(sim_run_until(sim, both_up, &pb, AXIP_SEC(2)));
	/* connection a meets the small link */
	tp.mode = TAP_HOLD_DATA;
	a.to_send = 50000;
	tapp_pump(&a);
	sim_run(sim, AXIP_MS(1));
	REQUIRE(tp.n_held > 0);
	tp.mode = TAP_OFF;
	n = icmp6_error_frame(f, 2, 0, 1300, tp.held, tp.held_len);
	sim_inject(sim, 0, f, n);
	REQUIRE(sim_run_until(sim, xfer_done, &xa, AXIP_SEC(10)));
	CHECK_EQ(k0->tcp_pmtu_update, 1);
	CHECK_EQ(axip_pmtu6_get(sim_stack(sim, 0), ip6_peer_gl), 1300);
	/* b, idle meanwhile, still has the old MSS; its first full segment
	 * is refused by the IPv6 layer and goes again at the path's size */
	axip_tcp_get_info(b.c, &info);
	CHECK_EQ(info.snd_mss, 1440 - 12);
	tp.max_frame = 0;
	b.to_send = 60000;
	tapp_pump(&b);
	REQUIRE(sim_run_until(sim, xfer_done, &xb, AXIP_SEC(10)));
	CHECK_EQ(bs.rx_hash, pattern_hash(3, 60000));
	axip_tcp_get_info(b.c, &info);
	CHECK_EQ(info.snd_mss, 1300 - 60 - 12);
	CHECK_EQ(k0->tcp_pmtu_update, 2);
	CHECK(k0->ip6_tx_too_big >= 1);
	CHECK_EQ(info.retransmits, 0); /* nothing was lost on the wire */
	CHECK(tp.max_frame <= 14 + 1300);
	/* a new connection takes the path MTU at its handshake */
	sv.app = &cs;
	REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 80, &tapp_cb, &c, NULL,
	                          &c.c) == AXIP_OK);
	REQUIRE(sim_run_until(sim, both_up, &pc, AXIP_SEC(2)));
	axip_tcp_get_info(c.c, &info);
	CHECK_EQ(info.snd_mss, 1300 - 60 - 12);
	REQUIRE(sim_run_until(sim, xfer_done, &xc, AXIP_SEC(10)));
	CHECK_EQ(cs.rx_hash, pattern_hash(5, 70000));
	CHECK_EQ(k0->tcp_pmtu_update, 2);
	CHECK(tp.max_frame <= 14 + 1300);
	axip_tcp_abort(a.c);
	axip_tcp_abort(b.c);
	axip_tcp_abort(c.c);
	axip_tcp_listener_close(l);
	sim_free(sim);
}

/* RFC 4443 3.1 / RFC 1122 4.2.3.9: port unreachable while connecting is a
 * hard error; address unreachable is a soft one. */
static void test_dest_unreachable(void)
{
	struct sim *sim = new_sim6(0, NULL);
	struct tapp cli;
	uint8_t f[1400];
	uint32_t n;

	tap_reset(sim);
	tp.mode = TAP_HOLD_SYN;
	tapp_init(&cli, sim_stack(sim, 0), 1, 0);
	REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 80, &tapp_cb, &cli, NULL,
	                          &cli.c) == AXIP_OK);
	sim_run(sim, AXIP_MS(1));
	REQUIRE(tp.n_held == 1);
	n = icmp6_error_frame(f, 1, 3, 0, tp.held, tp.held_len); /* address unreachable */
	sim_inject(sim, 0, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(cli.closed, 0);
	n = icmp6_error_frame(f, 1, 4, 0, tp.held, tp.held_len); /* port unreachable */
	sim_inject(sim, 0, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(cli.closed, 1);
	CHECK_EQ(cli.closed_err, AXIP_E_UNREACH);
	CHECK_EQ(axip_counters(sim_stack(sim, 0))->icmp6_rx_error, 2);
	/* a second attempt: parameter problem, unrecognised next header (no
	 * TCP at the peer), is ICMP's protocol unreachable */
	tp.n_held = 0;
	tapp_init(&cli, sim_stack(sim, 0), 1, 0);
	REQUIRE(axip_tcp_connect6(sim_stack(sim, 0), NULL, 0, ip6_peer_gl, 80, &tapp_cb, &cli, NULL,
	                          &cli.c) == AXIP_OK);
	sim_run(sim, AXIP_MS(1));
	REQUIRE(tp.n_held == 1);
	n = icmp6_error_frame(f, 4, 1, 6, tp.held, tp.held_len);
	sim_inject(sim, 0, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(cli.closed, 1);
	CHECK_EQ(cli.closed_err, AXIP_E_UNREACH);
	sim_free(sim);
}

/* RFC 9293 3.1: a segment whose checksum (IPv6 pseudo-header, RFC 8200
 * 8.1) fails is dropped and counted; the data comes again. Also with the
 * NIC's receive checksum verdict. */
static void bad_checksum(uint32_t caps)
{
	struct sim *sim = new_sim6(caps, NULL);
	static struct tapp cli, srv;
	static uint8_t rs[50000];
	struct tserver sv = {0};
	struct xfer x = {&cli, &srv, 0, 50000};

	tap_reset(sim);
	tapp_init(&cli, sim_stack(sim, 0), 8, 0);
	tapp_init(&srv, sim_stack(sim, 1), 9, 0);
	srv.rx_copy = rs;
	srv.rx_copy_cap = sizeof(rs);
	REQUIRE(setup(sim, 0, &cli, &srv, &sv) != NULL);
	tp.mode = TAP_CORRUPT_ONCE;
	cli.to_send = 50000;
	tapp_pump(&cli);
	REQUIRE(sim_run_until(sim, xfer_done, &x, AXIP_SEC(10)));
	CHECK_EQ(tp.n_corrupted, 1);
	CHECK_EQ(axip_counters(sim_stack(sim, 1))->tcp_rx_bad_csum, 1);
	CHECK(same_bytes(&srv, 8, 50000));
	axip_tcp_abort(cli.c);
	sim_free(sim);
}

static void test_bad_checksum(void)
{
	bad_checksum(0);
	bad_checksum(AXIP_CAP_RX_L4_CSUM | AXIP_CAP_TX_L4_CSUM);
}

/* RFC 4987 3.6 over IPv6: with the backlog full, a SYN is answered with a
 * cookie whose ACK rebuilds the connection (options from the timestamp). */
static void test_syn_cookies(void)
{
	struct sim *sim = new_sim6(0, NULL);
	struct axip_stack *s0 = sim_stack(sim, 0);
	static struct tapp cli, srv;
	struct tserver sv = {0};
	struct axip_tcp_listener *l;
	struct axip_tcp_info si;
	struct xfer x = {&cli, &srv, 0, 200000};
	uint8_t f[200];
	uint32_t n;

	tapp_init(&cli, sim_stack(sim, 1), 1, 200000);
	tapp_init(&srv, s0, 2, 0);
	sv.app = &srv;
	REQUIRE(axip_tcp_listen6(s0, NULL, 80, 1, tserver_accept, &sv, NULL, &l) == AXIP_OK);
	/* a half-open handshake from an address nobody answers for fills it */
	n = tcp6_frame(f, ip6_my_mac, ip6_peer_mac, ghost6, ip6_my_gl, 2000, 80, 5000, 0, F_SYN, NULL,
	               0);
	sim_inject(sim, 0, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(conns_in_use(s0), 1);
	REQUIRE(axip_tcp_connect6(sim_stack(sim, 1), NULL, 0, ip6_my_gl, 80, &tapp_cb, &cli, NULL,
	                          &cli.c) == AXIP_OK);
	REQUIRE(sim_run_until(sim, xfer_done, &x, AXIP_SEC(10)));
	CHECK_EQ(axip_counters(s0)->tcp_backlog_full, 1);
	CHECK_EQ(axip_counters(s0)->tcp_syncookie_sent, 1);
	CHECK_EQ(axip_counters(s0)->tcp_syncookie_ok, 1);
	CHECK_EQ(srv.accepted, 1);
	CHECK_EQ(srv.rx_hash, pattern_hash(1, 200000));
	axip_tcp_get_info(srv.c, &si);
	CHECK_EQ(si.snd_mss, 1440 - 12); /* 1440 is in the cookie's MSS table */
	CHECK_EQ(axip_tcp_family(srv.c), 6);
	/* a forged ACK does not pass */
	n = tcp6_frame(f, ip6_my_mac, ip6_peer_mac, ghost6, ip6_my_gl, 3000, 80, 777, 12345, F_ACK,
	               NULL, 0);
	sim_inject(sim, 0, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(axip_counters(s0)->tcp_syncookie_bad, 1);
	/* the half-open one times out after its SYN-ACK retries */
	sim_run(sim, AXIP_SEC(200));
	CHECK_EQ(conns_in_use(s0), 1);
	axip_tcp_abort(srv.c);
	axip_tcp_listener_close(l);
	sim_free(sim);
}

/* Segments no connection may take: to a multicast group, from the
 * unspecified address. */
static void test_bad_addresses(void)
{
	struct sim *sim = new_sim6(0, NULL);
	const struct axip_counters *k1 = axip_counters(sim_stack(sim, 1));
	struct axip_tcp_listener *l;
	struct tserver sv = {0};
	struct tapp srv;
	uint8_t f[200], mac[6];
	uint32_t n;

	tapp_init(&srv, sim_stack(sim, 1), 1, 0);
	sv.app = &srv;
	REQUIRE(axip_tcp_listen6(sim_stack(sim, 1), NULL, 80, 0, tserver_accept, &sv, NULL, &l) ==
	        AXIP_OK);
	ip6t_mcast_mac(mac, ip6_all_nodes);
	n = tcp6_frame(f, mac, ip6_my_mac, ip6_my_gl, ip6_all_nodes, 2000, 80, 1, 0, F_SYN, NULL, 0);
	sim_inject(sim, 1, f, n);
	n = tcp6_frame(f, ip6_peer_mac, ip6_my_mac, ip6_unspec, ip6_peer_gl, 2000, 80, 1, 0, F_SYN,
	               NULL, 0);
	sim_inject(sim, 1, f, n);
	sim_run(sim, AXIP_MS(1));
	CHECK_EQ(k1->tcp_rx_broadcast, 1);
	CHECK_EQ(k1->tcp_rx_bad_addr, 1);
	CHECK_EQ(k1->tcp_tx, 0);
	CHECK_EQ(conns_in_use(sim_stack(sim, 1)), 0);
	CHECK_EQ(k1->ip6_rx_unknown_nh, 0);
	axip_tcp_listener_close(l);
	sim_free(sim);
}

int main(void)
{
	RUN_TEST(test_active_passive_both_directions);
	RUN_TEST(test_data_under_loss);
	RUN_TEST(test_rst_closed_port);
	RUN_TEST(test_listeners);
	RUN_TEST(test_packet_too_big);
	RUN_TEST(test_pmtu_shared);
	RUN_TEST(test_dest_unreachable);
	RUN_TEST(test_bad_checksum);
	RUN_TEST(test_syn_cookies);
	RUN_TEST(test_bad_addresses);
	return test_summary();
}
