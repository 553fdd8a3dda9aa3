/* SPDX-License-Identifier: BSD-2-Clause */
/* test_http_sim.c - the HTTP server and client on two stacks joined by the simulated
 * link: small pages, a 10 MB generated body compared by hash, keep-alive, pipelining,
 * Connection: close, HTTP/1.0, HEAD, 404, bad requests (400/403/405/413/501/505), static
 * files, connection limits, the idle timeout, and 1% loss. */
#define _GNU_SOURCE
#include "test.h"
#include "sim.h"
#include "httpd.h"
#include "http_client.h"
#include "http_response.h"

#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>

#define SERVER 0u
#define CLIENT 1u
#define PORT 80u

static uint64_t fnv1a(uint64_t h, const uint8_t *d, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		h ^= d[i];
		h *= 1099511628211ULL;
	}
	return h;
}
#define FNV_INIT 14695981039346656037ULL

/* Hash of the first n bytes of the /bytes generator. */
static uint64_t gen_hash(uint64_t n)
{
	static uint8_t chunk[65536];
	uint64_t h = FNV_INIT, off = 0;
	while (off < n) {
		uint32_t k = n - off > sizeof(chunk) ? (uint32_t)sizeof(chunk) : (uint32_t)(n - off);
		httpd_gen_fill(chunk, off, k);
		h = fnv1a(h, chunk, k);
		off += k;
	}
	return h;
}

struct world {
	struct sim *sim;
	struct axip_stack *srv, *cli;
	struct httpd *httpd;
	axip_u32 pool_before;
};

/* The server runs in the rounds of the link: httpd_poll() after every step
 * (the world whose server is polled; its httpd is NULL once stopped). */
static struct world *polled;

struct poll_cond {
	int (*cond)(void *arg);
	void *arg;
	int served;
};

static int serve_then(void *arg)
{
	struct poll_cond *pc = arg;
	if (polled && polled->httpd && httpd_poll(polled->httpd)) {
		pc->served = 1;
		return 1; /* back to run_until: the link flushes and rearms timers */
	}
	return pc->cond ? pc->cond(pc->arg) : 0;
}

/* sim_run_until() with the server served after every step. */
static int run_until(struct sim *sim, int (*cond)(void *arg), void *arg, axip_time_ns max)
{
	axip_time_ns end = sim_now(sim) + max;
	struct poll_cond pc;
	pc.cond = cond;
	pc.arg = arg;
	for (;;) {
		int done;
		pc.served = 0;
		done = sim_run_until(sim, serve_then, &pc, end - sim_now(sim));
		if (!pc.served)
			return done;
	}
}

static void run(struct sim *sim, axip_time_ns dt)
{
	run_until(sim, NULL, NULL, dt);
}

/* rx_split: most bytes per receive buffer (frames arrive as buffer chains), 0 = whole */
static void world_init_split(struct world *w, uint32_t drop_ppm, uint64_t seed,
                             struct httpd_config *cfg, uint32_t rx_split)
{
	struct sim_params sp;
	struct httpd_config def;
	memset(w, 0, sizeof(*w));
	polled = w;
	memset(&sp, 0, sizeof(sp));
	sp.seed = seed;
	sp.impair.drop_ppm = drop_ppm;
	sp.rx_split = rx_split;
	w->sim = sim_new(&sp);
	w->srv = sim_stack(w->sim, SERVER);
	w->cli = sim_stack(w->sim, CLIENT);
	if (!cfg) {
		httpd_config_defaults(&def);
		def.port = PORT;
		cfg = &def;
	}
	/* let gratuitous ARP settle so counts below are about HTTP only */
	run(w->sim, AXIP_MS(10));
	w->pool_before = axip_pkt_pool_available(w->srv);
	CHECK_EQ(httpd_start(w->srv, cfg, &w->httpd), AXIP_OK);
}

static void world_init(struct world *w, uint32_t drop_ppm, uint64_t seed, struct httpd_config *cfg)
{
	world_init_split(w, drop_ppm, seed, cfg, 0);
}

/* Stop the server once every connection is gone; its packet pool is whole again. */
static void world_free(struct world *w)
{
	if (w->httpd) {
		run(w->sim, AXIP_SEC(2));
		CHECK_EQ(httpd_get_stats(w->httpd)->conns_active, 0);
		httpd_stop(w->httpd);
		w->httpd = NULL;
		run(w->sim, AXIP_SEC(1));
		CHECK_EQ(axip_pkt_pool_available(w->srv), w->pool_before);
	}
	sim_free(w->sim);
	polled = NULL;
}

/* ---- fetches with the client library ---- */

struct fetch {
	int done;
	struct http_get_result r;
	struct http_get *g;       /* the fetch under way */
	uint64_t hash;
	char body[8192];
	size_t body_len;
};

static int fetch_sink(void *arg, const axip_u8 *d, axip_u32 n)
{
	struct fetch *f = arg;
	f->hash = fnv1a(f->hash, d, n);
	if (f->body_len + n <= sizeof(f->body)) {
		memcpy(f->body + f->body_len, d, n);
		f->body_len += n;
	}
	return 0;
}

static void fetch_done(void *arg, const struct http_get_result *r)
{
	struct fetch *f = arg;
	f->done++;
	f->r = *r;
}

/* Drive the client after every step of the link; true once it is done. */
static int fetch_is_done(void *arg)
{
	struct fetch *f = arg;
	if (!f->done && f->g && http_get_poll(f->g))
		f->g = NULL;
	return f->done != 0;
}

static int fetch(struct world *w, const char *url, int head, struct fetch *f, axip_time_ns max)
{
	struct http_get_req req;
	const char *err = NULL;
	int rc;
	memset(f, 0, sizeof(*f));
	f->hash = FNV_INIT;
	memset(&req, 0, sizeof(req));
	req.url = url;
	req.head = head;
	req.sink = fetch_sink;
	req.done = fetch_done;
	req.arg = f;
	rc = http_get_start(w->cli, &req, &f->g, &err);
	if (rc != AXIP_OK) {
		fprintf(stderr, "http_get_start %s: %s\n", url, err ? err : "?");
		return rc;
	}
	if (!run_until(w->sim, fetch_is_done, f, max))
		return AXIP_E_TIMEDOUT;
	if (!f->r.ok)
		fprintf(stderr, "fetch %s: %s\n", url, f->r.error);
	CHECK_EQ(f->done, 1);
	return AXIP_OK;
}

/* ---- a raw TCP client, for what the client library never sends ---- */

struct raw {
	struct axip_stack *s;
	struct axip_tcp *c;
	int connected, peer_closed, closed, closed_err;
	uint8_t *buf;
	size_t len, cap;
};

static void raw_connected(void *arg, struct axip_tcp *c)
{
	(void)c;
	((struct raw *)arg)->connected = 1;
}

static void raw_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct raw *r = arg;
	axip_u32 n = axip_pkt_chain_len(data);
	if (r->len + n > r->cap) {
		r->cap = (r->len + n) * 2;
		r->buf = realloc(r->buf, r->cap);
	}
	axip_pkt_copy_out(data, 0, r->buf + r->len, n);
	r->len += n;
	axip_pkt_free(r->s, data);
	axip_tcp_recved(c, n);
}

static void raw_peer_closed(void *arg, struct axip_tcp *c)
{
	(void)c;
	((struct raw *)arg)->peer_closed = 1;
}

static void raw_closed(void *arg, struct axip_tcp *c, int err)
{
	struct raw *r = arg;
	(void)c;
	r->closed = 1;
	r->closed_err = err;
}

static const struct axip_tcp_callbacks raw_cb = {
	raw_connected, raw_recv, raw_peer_closed, NULL, raw_closed
};

static int raw_is_connected(void *arg)
{
	struct raw *r = arg;
	return r->connected || r->closed;
}

static int raw_connect(struct world *w, struct raw *r)
{
	struct axip_tcp_opts o;
	memset(r, 0, sizeof(*r));
	r->s = w->cli;
	axip_tcp_opts_defaults(w->cli, &o);
	o.nodelay = 1;
	if (axip_tcp_connect(w->cli, sim_host_ip(SERVER), PORT, &raw_cb, r, &o, &r->c) != AXIP_OK)
		return -1;
	run_until(w->sim, raw_is_connected, r, AXIP_SEC(5));
	return r->connected ? 0 : -1;
}

static void raw_send(struct world *w, struct raw *r, const void *data, size_t len)
{
	axip_set_time(w->cli, sim_now(w->sim));
	CHECK_EQ(axip_tcp_write(r->c, data, (axip_u32)len, 0), (int)len);
	axip_flush(w->cli);
}

static void raw_send_str(struct world *w, struct raw *r, const char *s)
{
	raw_send(w, r, s, strlen(s));
}

static void raw_free(struct world *w, struct raw *r)
{
	if (!r->closed) {
		axip_tcp_close(r->c);
		axip_flush(w->cli);
	}
	free(r->buf);
	r->buf = NULL;
}

/* Responses parsed from a raw connection's bytes. */
#define MAX_RESP 16
struct parsed {
	int n;
	int status[MAX_RESP];
	int conn_close[MAX_RESP];
	uint64_t content_length[MAX_RESP];
	uint64_t body_len[MAX_RESP];
	uint64_t hash[MAX_RESP];
	char head[MAX_RESP][512]; /* raw head text, for header checks */
	int error;                /* bytes that are not a response */
	size_t partial;           /* bytes of an incomplete last response */
};

struct hash_arg {
	uint64_t h;
};

static int hash_sink(void *arg, const axip_u8 *d, axip_u32 n)
{
	struct hash_arg *a = arg;
	a->h = fnv1a(a->h, d, n);
	return 0;
}

/* Split buf into responses; head_mask bit i: response i answers a HEAD. */
static void parse_responses(const uint8_t *buf, size_t len, unsigned head_mask, struct parsed *out)
{
	static struct http_resp_parser p;
	size_t off = 0;
	memset(out, 0, sizeof(*out));
	while (off < len && out->n < MAX_RESP) {
		struct hash_arg ha = {FNV_INIT};
		int ev;
		axip_u32 used;
		const char *end;
		http_resp_parser_init(&p, (head_mask >> out->n) & 1, 0, hash_sink, &ha);
		used = http_resp_parse(&p, buf + off, (axip_u32)(len - off), &ev);
		if (ev == HTTP_RESP_ERROR) {
			out->error = 1;
			return;
		}
		if (ev == HTTP_RESP_MORE) {
			out->partial = len - off;
			return;
		}
		end = memmem(buf + off, used, "\r\n\r\n", 4);
		snprintf(out->head[out->n], sizeof(out->head[0]), "%.*s",
		         end ? (int)(end - (const char *)(buf + off)) : 0, (const char *)(buf + off));
		out->status[out->n] = p.status;
		out->conn_close[out->n] = p.conn_close;
		out->content_length[out->n] = p.content_length;
		out->body_len[out->n] = p.body_bytes;
		out->hash[out->n] = ha.h;
		out->n++;
		off += used;
	}
}

struct raw_wait {
	struct raw *r;
	int n;              /* complete responses wanted */
	unsigned head_mask;
};

static int raw_has_responses(void *arg)
{
	struct raw_wait *rw = arg;
	struct parsed ps;
	parse_responses(rw->r->buf, rw->r->len, rw->head_mask, &ps);
	return ps.n >= rw->n || ps.error || rw->r->closed;
}

static int raw_peer_is_closed(void *arg)
{
	struct raw *r = arg;
	return r->peer_closed || r->closed;
}

static void wait_responses(struct world *w, struct raw *r, int n, unsigned head_mask, struct parsed *ps)
{
	struct raw_wait rw = {r, n, head_mask};
	run_until(w->sim, raw_has_responses, &rw, AXIP_SEC(10));
	parse_responses(r->buf, r->len, head_mask, ps);
}

static uint64_t str_hash(const char *s)
{
	return fnv1a(FNV_INIT, (const uint8_t *)s, strlen(s));
}

/* ---- tests ---- */

static void test_small_page(void)
{
	struct world w;
	struct fetch f;
	const struct httpd_stats *st;
	world_init(&w, 0, 1, NULL);
	REQUIRE(fetch(&w, "http://10.0.0.1/", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 1);
	CHECK_EQ(f.r.status, 200);
	CHECK_EQ(f.r.has_length, 1);
	CHECK_EQ(f.r.content_length, 6);
	CHECK_EQ(f.body_len, 6);
	CHECK(memcmp(f.body, "hello\n", 6) == 0);
	run(w.sim, AXIP_SEC(1));
	st = httpd_get_stats(w.httpd);
	CHECK_EQ(st->conns_accepted, 1);
	CHECK_EQ(st->requests, 1);
	CHECK_EQ(st->responses[2], 1);
	CHECK_EQ(st->bad_requests, 0);
	CHECK_EQ(st->conns_active, 0);
	CHECK(st->bytes_rx > 60);
	CHECK(st->bytes_tx > 6);
	world_free(&w);
}

static void test_10mb_generated_body(void)
{
	struct world w;
	struct fetch f;
	const uint64_t n = 10u * 1024 * 1024;
	world_init(&w, 0, 2, NULL);
	REQUIRE(fetch(&w, "http://10.0.0.1/bytes/10485760", 0, &f, AXIP_SEC(60)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 1);
	CHECK_EQ(f.r.status, 200);
	CHECK_EQ(f.r.content_length, n);
	CHECK_EQ(f.r.body_bytes, n);
	CHECK_EQ(f.hash, gen_hash(n));
	CHECK_EQ(httpd_get_stats(w.httpd)->send_stalls, 0);
	world_free(&w);
}

static void test_head_404_and_client_errors(void)
{
	struct world w;
	struct fetch f;
	const char *err = NULL;
	struct http_get_req req;
	world_init(&w, 0, 3, NULL);
	/* HEAD: the length of the body that GET would send, and no body */
	REQUIRE(fetch(&w, "http://10.0.0.1/bytes/123456", 1, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 1);
	CHECK_EQ(f.r.status, 200);
	CHECK_EQ(f.r.content_length, 123456);
	CHECK_EQ(f.r.body_bytes, 0);
	REQUIRE(fetch(&w, "http://10.0.0.1/nothing/here", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 1);
	CHECK_EQ(f.r.status, 404);
	CHECK(strncmp(f.body, "404 Not Found\n", f.body_len) == 0);
	REQUIRE(fetch(&w, "http://10.0.0.1/bytes/0", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.status, 200);
	CHECK_EQ(f.r.body_bytes, 0);
	/* /bytes/ with a bad number is just not found */
	REQUIRE(fetch(&w, "http://10.0.0.1/bytes/12x", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.status, 404);
	/* a port nobody listens on: refused */
	REQUIRE(fetch(&w, "http://10.0.0.1:81/", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 0);
	CHECK_EQ(f.r.status, 0);
	CHECK(f.r.error != NULL);
	/* a URL the client does not take */
	memset(&req, 0, sizeof(req));
	req.url = "http://host.example/";
	CHECK_EQ(http_get_start(w.cli, &req, NULL, &err), AXIP_E_INVAL);
	CHECK(err != NULL);
	world_free(&w);
}

static const char *const ka_paths[] = {"/", "/bytes/5000", "/missing", "/bytes/1", "/"};

static void test_keep_alive(void)
{
	struct world w;
	struct raw r;
	struct parsed ps;
	char req[128];
	int i;
	world_init(&w, 0, 4, NULL);
	REQUIRE(raw_connect(&w, &r) == 0);
	for (i = 0; i < 5; i++) {
		int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n", ka_paths[i]);
		raw_send(&w, &r, req, (size_t)n);
		wait_responses(&w, &r, i + 1, 0, &ps);
		REQUIRE(ps.n == i + 1);
	}
	CHECK_EQ(ps.status[0], 200);
	CHECK_EQ(ps.hash[0], str_hash("hello\n"));
	CHECK_EQ(ps.status[1], 200);
	CHECK_EQ(ps.hash[1], gen_hash(5000));
	CHECK_EQ(ps.status[2], 404);
	CHECK_EQ(ps.status[3], 200);
	CHECK_EQ(ps.body_len[3], 1);
	CHECK_EQ(ps.status[4], 200);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(ps.conn_close[i], 0);
		CHECK(strstr(ps.head[i], "\r\nDate: ") != NULL);
		CHECK(strstr(ps.head[i], "\r\nContent-Length: ") != NULL);
	}
	CHECK_EQ(r.peer_closed, 0);
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_accepted, 1);
	CHECK_EQ(httpd_get_stats(w.httpd)->requests, 5);
	CHECK_EQ(httpd_get_stats(w.httpd)->responses[2], 4);
	CHECK_EQ(httpd_get_stats(w.httpd)->responses[4], 1);
	/* the client closes: the server follows */
	raw_free(&w, &r);
	run(w.sim, AXIP_SEC(1));
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_active, 0);
	world_free(&w);
}

static void run_pipelined(uint32_t rx_split)
{
	static const char reqs[] =
	    "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	    "HEAD /bytes/100 HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /bytes/300000 HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"
	    "GET /bytes/10 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"
	    "GET /bytes/7 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	    "GET /never HTTP/1.1\r\nHost: a\r\n\r\n";
	struct world w;
	struct raw r;
	struct parsed ps;
	world_init_split(&w, 0, 5, NULL, rx_split);
	REQUIRE(raw_connect(&w, &r) == 0);
	raw_send(&w, &r, reqs, sizeof(reqs) - 1);
	run_until(w.sim, raw_peer_is_closed, &r, AXIP_SEC(10));
	CHECK_EQ(r.peer_closed, 1);
	parse_responses(r.buf, r.len, 1u << 1, &ps);
	CHECK_EQ(ps.error, 0);
	CHECK_EQ(ps.partial, 0);
	REQUIRE(ps.n == 6); /* nothing after the Connection: close request is answered */
	CHECK_EQ(ps.status[0], 200);
	CHECK_EQ(ps.hash[0], str_hash("hello\n"));
	CHECK_EQ(ps.status[1], 200);
	CHECK_EQ(ps.content_length[1], 100);
	CHECK_EQ(ps.body_len[1], 0);
	CHECK_EQ(ps.status[2], 200);
	CHECK_EQ(ps.body_len[2], 300000);
	CHECK_EQ(ps.hash[2], gen_hash(300000));
	CHECK_EQ(ps.status[3], 404);
	CHECK_EQ(ps.status[4], 200);
	CHECK_EQ(ps.hash[4], gen_hash(10));
	CHECK_EQ(ps.status[5], 200);
	CHECK_EQ(ps.hash[5], gen_hash(7));
	CHECK_EQ(ps.conn_close[5], 1);
	CHECK_EQ(httpd_get_stats(w.httpd)->requests, 6);
	raw_free(&w, &r);
	world_free(&w);
}

static void test_pipelined(void)
{
	run_pipelined(0);
}

/* Small pipelined responses go out at once: without nodelay the second would wait
 * (Nagle) for the ACK of the first, which the client delays by 40 ms. */
static void test_pipelined_small_responses_not_delayed(void)
{
	static const char q[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n"
	                        "GET /bytes/3 HTTP/1.1\r\nHost: a\r\n\r\n";
	struct world w;
	struct raw r;
	struct parsed ps;
	axip_time_ns t0;
	world_init(&w, 0, 15, NULL);
	REQUIRE(raw_connect(&w, &r) == 0);
	t0 = sim_now(w.sim);
	raw_send(&w, &r, q, sizeof(q) - 1);
	wait_responses(&w, &r, 3, 1u << 1, &ps);
	REQUIRE(ps.n == 3);
	CHECK(sim_now(w.sim) - t0 < AXIP_MS(1));
	CHECK_EQ(ps.hash[2], gen_hash(3));
	raw_free(&w, &r);
	world_free(&w);
}

/* Every frame arrives as a chain of receive buffers of at most 115 bytes (the
 * first holds the headers), so requests straddle buffer boundaries everywhere. */
static void test_pipelined_split_buffers(void)
{
	run_pipelined(61 + 54);
}

/* A request dribbled in one byte per segment. */
static void test_request_split_in_bytes(void)
{
	static const char req[] = "GET /bytes/64 HTTP/1.1\r\nHost: a\r\nX-Pad: 0123456789\r\n\r\n";
	struct world w;
	struct raw r;
	struct parsed ps;
	size_t i;
	world_init(&w, 0, 6, NULL);
	REQUIRE(raw_connect(&w, &r) == 0);
	for (i = 0; i < sizeof(req) - 1; i++) {
		raw_send(&w, &r, req + i, 1);
		run(w.sim, AXIP_MS(1));
	}
	wait_responses(&w, &r, 1, 0, &ps);
	REQUIRE(ps.n == 1);
	CHECK_EQ(ps.status[0], 200);
	CHECK_EQ(ps.hash[0], gen_hash(64));
	CHECK(httpd_get_stats(w.httpd)->bytes_rx == sizeof(req) - 1);
	raw_free(&w, &r);
	world_free(&w);
}

static void test_connection_close_and_http10(void)
{
	static const char *const reqs[] = {
		"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
	};
	struct world w;
	struct raw r;
	struct parsed ps;
	unsigned i;
	world_init(&w, 0, 7, NULL);
	for (i = 0; i < 2; i++) {
		REQUIRE(raw_connect(&w, &r) == 0);
		raw_send(&w, &r, reqs[i], strlen(reqs[i]));
		run_until(w.sim, raw_peer_is_closed, &r, AXIP_SEC(5));
		CHECK_EQ(r.peer_closed, 1);
		parse_responses(r.buf, r.len, 0, &ps);
		REQUIRE(ps.n == 1);
		CHECK_EQ(ps.status[0], 200);
		CHECK_EQ(ps.conn_close[0], 1);
		raw_free(&w, &r);
		run(w.sim, AXIP_SEC(1));
		CHECK_EQ(httpd_get_stats(w.httpd)->conns_active, 0);
	}
	/* HTTP/1.0 with keep-alive stays open and says so */
	REQUIRE(raw_connect(&w, &r) == 0);
	raw_send_str(&w, &r, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	wait_responses(&w, &r, 1, 0, &ps);
	REQUIRE(ps.n == 1);
	CHECK(strstr(ps.head[0], "\r\nConnection: keep-alive") != NULL);
	run(w.sim, AXIP_MS(100));
	CHECK_EQ(r.peer_closed, 0);
	raw_free(&w, &r);
	world_free(&w);
}

struct bad_case {
	const char *req;
	int status;
	int closes;
};

static void test_bad_requests(void)
{
	static const struct bad_case cases[] = {
		{"BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501, 1},
		{"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, 1},
		{"GET / HTTP/1.1\r\n\r\n", 400, 1},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, 1},
		{"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, 1},
		{"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, 1},
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 405, 1},
		{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501, 1},
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 999999\r\n\r\n", 413, 1},
		{"GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, 1},
		/* well-formed but forbidden: the connection stays */
		{"GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", 403, 0},
		{"GET /%2e%2e/x HTTP/1.1\r\nHost: a\r\n\r\n", 403, 0},
	};
	struct world w;
	unsigned i;
	world_init(&w, 0, 8, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct raw r;
		struct parsed ps;
		REQUIRE(raw_connect(&w, &r) == 0);
		raw_send(&w, &r, cases[i].req, strlen(cases[i].req));
		if (cases[i].closes)
			run_until(w.sim, raw_peer_is_closed, &r, AXIP_SEC(5));
		else
			wait_responses(&w, &r, 1, 0, &ps);
		parse_responses(r.buf, r.len, 0, &ps);
		if (ps.n != 1 || ps.status[0] != cases[i].status)
			fprintf(stderr, "case %u (%.30s): %d responses, status %d\n", i, cases[i].req, ps.n,
			        ps.status[0]);
		CHECK_EQ(ps.n, 1);
		CHECK_EQ(ps.status[0], cases[i].status);
		CHECK_EQ(ps.conn_close[0], cases[i].closes);
		CHECK_EQ(r.peer_closed, cases[i].closes);
		CHECK_EQ(r.closed_err, AXIP_OK); /* no reset: the response was not lost */
		if (cases[i].status == 405)
			CHECK(strstr(ps.head[0], "\r\nAllow: GET, HEAD") != NULL);
		raw_free(&w, &r);
		run(w.sim, AXIP_MS(300));
	}
	CHECK_EQ(httpd_get_stats(w.httpd)->bad_requests, sizeof(cases) / sizeof(cases[0]));
	CHECK_EQ(httpd_get_stats(w.httpd)->responses[4] + httpd_get_stats(w.httpd)->responses[5],
	         sizeof(cases) / sizeof(cases[0]));
	world_free(&w);
}

/* A bad request in the middle of a pipeline: the ones before it are answered, then
 * the error, then the close. */
static void test_bad_request_in_pipeline(void)
{
	static const char reqs[] = "GET /bytes/20 HTTP/1.1\r\nHost: a\r\n\r\n"
	                           "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	                           "GET / HTTP/9.9\r\nHost: a\r\n\r\n"
	                           "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct world w;
	struct raw r;
	struct parsed ps;
	world_init(&w, 0, 9, NULL);
	REQUIRE(raw_connect(&w, &r) == 0);
	raw_send(&w, &r, reqs, sizeof(reqs) - 1);
	run_until(w.sim, raw_peer_is_closed, &r, AXIP_SEC(5));
	parse_responses(r.buf, r.len, 0, &ps);
	REQUIRE(ps.n == 3);
	CHECK_EQ(ps.status[0], 200);
	CHECK_EQ(ps.status[1], 200);
	CHECK_EQ(ps.status[2], 505);
	CHECK_EQ(r.peer_closed, 1);
	raw_free(&w, &r);
	world_free(&w);
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void test_static_files(void)
{
	static const char index_html[] = "<html><body>axip</body></html>\n";
	char dir[] = "/tmp/axip_httpd_XXXXXX";
	char path[256];
	uint8_t *big;
	const size_t big_len = 700001;
	struct httpd_config cfg;
	struct world w;
	struct fetch f;
	size_t i;
	struct raw r;
	struct parsed ps;

	REQUIRE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	REQUIRE(write_file(path, index_html, sizeof(index_html) - 1) == 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	REQUIRE(mkdir(path, 0755) == 0);
	big = malloc(big_len);
	REQUIRE(big != NULL);
	for (i = 0; i < big_len; i++)
		big[i] = (uint8_t)(i * 31 + (i >> 9));
	snprintf(path, sizeof(path), "%s/sub/big file.bin", dir);
	REQUIRE(write_file(path, big, big_len) == 0);

	httpd_config_defaults(&cfg);
	cfg.port = PORT;
	cfg.docroot = dir;
	cfg.fixed_path = "/fixed";
	world_init(&w, 0, 10, &cfg);
	REQUIRE(fetch(&w, "http://10.0.0.1/", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.status, 200);
	CHECK_EQ(f.body_len, sizeof(index_html) - 1);
	CHECK(memcmp(f.body, index_html, f.body_len) == 0);
	REQUIRE(fetch(&w, "http://10.0.0.1/sub/big%20file.bin", 0, &f, AXIP_SEC(30)) == AXIP_OK);
	CHECK_EQ(f.r.status, 200);
	CHECK_EQ(f.r.body_bytes, big_len);
	CHECK_EQ(f.hash, fnv1a(FNV_INIT, big, big_len));
	REQUIRE(fetch(&w, "http://10.0.0.1/sub/big%20file.bin", 1, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.content_length, big_len);
	CHECK_EQ(f.r.body_bytes, 0);
	REQUIRE(fetch(&w, "http://10.0.0.1/sub/", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.status, 404); /* a directory without index.html */
	REQUIRE(fetch(&w, "http://10.0.0.1/missing.txt", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.status, 404);
	REQUIRE(fetch(&w, "http://10.0.0.1/fixed", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.status, 200);
	CHECK(memcmp(f.body, "hello\n", 6) == 0);
	/* Content-Type from the extension */
	REQUIRE(raw_connect(&w, &r) == 0);
	raw_send_str(&w, &r, "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n");
	wait_responses(&w, &r, 1, 0, &ps);
	REQUIRE(ps.n == 1);
	CHECK(strstr(ps.head[0], "\r\nContent-Type: text/html") != NULL);
	raw_free(&w, &r);
	CHECK_EQ(httpd_get_stats(w.httpd)->files_served, 4);
	world_free(&w);

	snprintf(path, sizeof(path), "%s/sub/big file.bin", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/index.html", dir);
	unlink(path);
	rmdir(dir);
	free(big);
}

static void test_conn_limit_and_idle_timeout(void)
{
	struct httpd_config cfg;
	struct world w;
	struct raw r[3];
	int i;
	httpd_config_defaults(&cfg);
	cfg.port = PORT;
	cfg.max_conns = 2;
	cfg.idle_timeout_ns = AXIP_SEC(5);
	world_init(&w, 0, 11, &cfg);
	CHECK_EQ(raw_connect(&w, &r[0]), 0);
	CHECK_EQ(raw_connect(&w, &r[1]), 0);
	/* the third handshake completes, then the server refuses it with a reset */
	raw_connect(&w, &r[2]);
	run(w.sim, AXIP_MS(100));
	CHECK_EQ(r[2].closed, 1);
	CHECK_EQ(r[2].closed_err, AXIP_E_RESET);
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_rejected, 1);
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_active, 2);
	/* one request on the first connection, half of one on the second; both go idle */
	raw_send_str(&w, &r[0], "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	raw_send_str(&w, &r[1], "GET / HTTP/1.1\r\nHo");
	run(w.sim, AXIP_SEC(3));
	httpd_tick(w.httpd, sim_now(w.sim));
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_idle_closed, 0);
	run(w.sim, AXIP_SEC(3));
	httpd_tick(w.httpd, sim_now(w.sim));
	run(w.sim, AXIP_SEC(3));
	httpd_tick(w.httpd, sim_now(w.sim));
	run(w.sim, AXIP_MS(500));
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_idle_closed, 2);
	CHECK_EQ(r[0].peer_closed, 1);
	CHECK_EQ(r[1].peer_closed, 1);
	{
		/* the complete request got its answer, the incomplete one a 408 */
		struct parsed ps;
		parse_responses(r[0].buf, r[0].len, 0, &ps);
		CHECK_EQ(ps.n, 1);
		CHECK_EQ(ps.status[0], 200);
		parse_responses(r[1].buf, r[1].len, 0, &ps);
		CHECK_EQ(ps.n, 1);
		CHECK_EQ(ps.status[0], 408);
		CHECK_EQ(ps.conn_close[0], 1);
	}
	for (i = 0; i < 3; i++)
		raw_free(&w, &r[i]);
	world_free(&w);
}

/* A client that asked for Connection: close but never closes its side: the
 * lingering connection is reset by the idle timeout; a keep-alive connection with
 * a response the peer does not read is reset too. httpd_stop() aborts the rest. */
static void test_linger_timeout_and_stop(void)
{
	struct httpd_config cfg;
	struct world w;
	struct raw linger, live;
	struct parsed ps;
	httpd_config_defaults(&cfg);
	cfg.port = PORT;
	cfg.idle_timeout_ns = AXIP_SEC(2);
	world_init(&w, 0, 13, &cfg);
	REQUIRE(raw_connect(&w, &linger) == 0);
	raw_send_str(&w, &linger, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
	run_until(w.sim, raw_peer_is_closed, &linger, AXIP_SEC(5));
	CHECK_EQ(linger.peer_closed, 1);
	parse_responses(linger.buf, linger.len, 0, &ps);
	CHECK_EQ(ps.n, 1);
	/* the server waits for our FIN while discarding what we send */
	raw_send_str(&w, &linger, "ignored bytes");
	run(w.sim, AXIP_MS(100));
	CHECK_EQ(linger.closed, 0);
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_active, 1);
	REQUIRE(raw_connect(&w, &live) == 0);
	httpd_tick(w.httpd, sim_now(w.sim));
	run(w.sim, AXIP_SEC(3));
	httpd_tick(w.httpd, sim_now(w.sim));
	run(w.sim, AXIP_MS(100));
	/* the lingering one was reset, the idle keep-alive one closed gracefully */
	CHECK_EQ(linger.closed, 1);
	CHECK_EQ(linger.closed_err, AXIP_E_RESET);
	CHECK_EQ(live.peer_closed, 1);
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_idle_closed, 2);
	raw_free(&w, &linger);
	raw_free(&w, &live);
	run(w.sim, AXIP_SEC(1));
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_active, 0);

	/* stop with a connection in the middle of a large response */
	REQUIRE(raw_connect(&w, &live) == 0);
	raw_send_str(&w, &live, "GET /bytes/50000000 HTTP/1.1\r\nHost: a\r\n\r\n");
	run(w.sim, AXIP_MS(2));
	CHECK(live.len > 0);
	CHECK_EQ(httpd_get_stats(w.httpd)->conns_active, 1);
	httpd_stop(w.httpd);
	w.httpd = NULL;
	run(w.sim, AXIP_MS(100));
	CHECK_EQ(live.closed, 1);
	CHECK_EQ(live.closed_err, AXIP_E_RESET);
	raw_free(&w, &live);
	run(w.sim, AXIP_SEC(1));
	CHECK_EQ(axip_pkt_pool_available(w.srv), w.pool_before);
	world_free(&w);
}

/* ---- the client against a hand-written server: chunked and until-close bodies ---- */

struct origin {
	struct axip_stack *s;
	const char *const *pieces; /* response, written piece by piece, then FIN */
	char req[1024];
	size_t req_len;
};

static void origin_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct origin *o = arg;
	axip_u32 n = axip_pkt_chain_len(data);
	int i;
	if (o->req_len + n < sizeof(o->req)) {
		axip_pkt_copy_out(data, 0, o->req + o->req_len, n);
		o->req_len += n;
		o->req[o->req_len] = '\0';
	}
	axip_pkt_free(o->s, data);
	axip_tcp_recved(c, n);
	if (!strstr(o->req, "\r\n\r\n"))
		return;
	for (i = 0; o->pieces[i]; i++)
		CHECK_EQ(axip_tcp_write(c, o->pieces[i], (axip_u32)strlen(o->pieces[i]), 0),
		         (int)strlen(o->pieces[i]));
	axip_tcp_close(c);
}

static const struct axip_tcp_callbacks origin_cb = {NULL, origin_recv, NULL, NULL, NULL};

static int origin_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb,
                         void **conn_arg)
{
	(void)c;
	*cb = &origin_cb;
	*conn_arg = arg;
	return AXIP_OK;
}

static void test_client_chunked_and_until_close(void)
{
	static const char *const chunked[] = {
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		"Connection: close\r\n\r\n4\r\nWiki\r\n",
		"5;name=val\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n",
		"0\r\nExpires: never\r\n\r\n",
		NULL};
	static const char *const until_close[] = {
		"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst part, ", "second part", NULL};
	static const char *const truncated[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", NULL};
	static const char *const garbage[] = {"SSH-2.0-OpenSSH\r\n", NULL};
	struct world w;
	struct origin o;
	struct axip_tcp_listener *l;
	struct fetch f;
	world_init(&w, 0, 14, NULL);
	memset(&o, 0, sizeof(o));
	o.s = w.srv;
	REQUIRE(axip_tcp_listen(w.srv, 0, 8080, 0, origin_accept, &o, NULL, &l) == AXIP_OK);

	o.pieces = chunked;
	REQUIRE(fetch(&w, "http://10.0.0.1:8080/wiki?x=1#frag", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 1);
	CHECK_EQ(f.r.status, 200);
	CHECK_EQ(f.r.chunked, 1);
	CHECK_EQ(f.body_len, 23);
	CHECK(memcmp(f.body, "Wikipedia in\r\n\r\nchunks.", 23) == 0);
	/* the request the client sent */
	CHECK(strncmp(o.req, "GET /wiki?x=1 HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n", 45) == 0);
	CHECK(strstr(o.req, "\r\nConnection: close\r\n") != NULL);

	o.req_len = 0;
	o.pieces = until_close;
	REQUIRE(fetch(&w, "http://10.0.0.1:8080/", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 1);
	CHECK_EQ(f.r.has_length, 0);
	CHECK_EQ(f.body_len, 23);
	CHECK(memcmp(f.body, "first part, second part", 23) == 0);

	o.req_len = 0;
	o.pieces = truncated;
	REQUIRE(fetch(&w, "http://10.0.0.1:8080/", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 0);
	CHECK_EQ(f.r.status, 200);
	CHECK_EQ(f.r.body_bytes, 9);
	CHECK(f.r.error && strstr(f.r.error, "before the end of the body") != NULL);

	o.req_len = 0;
	o.pieces = garbage;
	REQUIRE(fetch(&w, "http://10.0.0.1:8080/", 0, &f, AXIP_SEC(5)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 0);
	CHECK(f.r.error && strstr(f.r.error, "status line") != NULL);

	axip_tcp_listener_close(l);
	world_free(&w);
}

static void test_one_percent_loss(void)
{
	static const char reqs[] = "GET /bytes/100000 HTTP/1.1\r\nHost: a\r\n\r\n"
	                           "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	                           "GET /bytes/33333 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
	struct world w;
	struct fetch f;
	struct raw r;
	struct parsed ps;
	const uint64_t n = 2u * 1024 * 1024;
	world_init(&w, 10000, 12, NULL);
	REQUIRE(fetch(&w, "http://10.0.0.1/bytes/2097152", 0, &f, AXIP_SEC(120)) == AXIP_OK);
	CHECK_EQ(f.r.ok, 1);
	CHECK_EQ(f.r.body_bytes, n);
	CHECK_EQ(f.hash, gen_hash(n));
	REQUIRE(raw_connect(&w, &r) == 0);
	raw_send(&w, &r, reqs, sizeof(reqs) - 1);
	run_until(w.sim, raw_peer_is_closed, &r, AXIP_SEC(60));
	parse_responses(r.buf, r.len, 0, &ps);
	REQUIRE(ps.n == 3);
	CHECK_EQ(ps.hash[0], gen_hash(100000));
	CHECK_EQ(ps.hash[1], str_hash("hello\n"));
	CHECK_EQ(ps.hash[2], gen_hash(33333));
	raw_free(&w, &r);
	/* losses really happened and were repaired */
	CHECK(axip_counters(w.srv)->tcp_retransmit > 0);
	world_free(&w);
}

int main(void)
{
	RUN_TEST(test_small_page);
	RUN_TEST(test_10mb_generated_body);
	RUN_TEST(test_head_404_and_client_errors);
	RUN_TEST(test_keep_alive);
	RUN_TEST(test_pipelined);
	RUN_TEST(test_pipelined_split_buffers);
	RUN_TEST(test_pipelined_small_responses_not_delayed);
	RUN_TEST(test_request_split_in_bytes);
	RUN_TEST(test_connection_close_and_http10);
	RUN_TEST(test_bad_requests);
	RUN_TEST(test_bad_request_in_pipeline);
	RUN_TEST(test_static_files);
	RUN_TEST(test_conn_limit_and_idle_timeout);
	RUN_TEST(test_linger_timeout_and_stop);
	RUN_TEST(test_client_chunked_and_until_close);
	RUN_TEST(test_one_percent_loss);
	return test_summary();
}
