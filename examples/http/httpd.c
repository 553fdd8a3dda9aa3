/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * httpd.c - HTTP/1.1 server connections on axip's TCP API.
 *
 * Each connection keeps the received packets it has not parsed yet (a chain
 * of zero-copy views, read in place by the request parser) and at most one
 * response in progress. A response is a header staged in a small buffer and
 * a body from memory, the /bytes generator or a file; bodies go out in
 * packet buffers filled in place (axip_tcp_send) as the send buffer frees up
 * (the `sent` callback). While a response is in progress no further request
 * is parsed, so pipelined requests wait in their packets and the receive
 * window closes behind them: memory per connection stays bounded.
 */
#define _GNU_SOURCE
#include "httpd.h"
#include "http_request.h"
#include "http_uri.h"
#include "httpd_files.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Response header (plus a small fixed body sent in the same write). */
#define STAGE_SIZE 1024u

enum body_kind { BODY_NONE, BODY_MEM, BODY_GEN, BODY_FILE };

enum conn_phase {
	PHASE_FREE,
	PHASE_OPEN,    /* reading requests, answering them */
	PHASE_LINGER,  /* last response queued, FIN sent after it; input discarded (RFC 9112 9.6) */
	PHASE_CLOSING  /* axip_tcp_close() called; waiting for `closed` */
};

struct hconn {
	struct httpd *h;
	struct axip_tcp *tcp;
	struct hconn *next_free;
	axip_u8 phase;
	axip_u8 busy;        /* inside conn_run(): `closed` defers the release */
	axip_u8 rerun;       /* an event arrived during conn_run(): look again */
	axip_u8 gone;        /* `closed` was called: the handle is invalid */
	axip_u8 peer_fin;
	axip_u8 resp_active;
	axip_u8 close_after; /* close once the current response is queued */
	axip_u8 body_kind;
	axip_time_ns last_active;
	/* received bytes not parsed yet: the chain from rx_head, rx_off bytes into it */
	struct axip_pkt *rx_head, *rx_tail;
	axip_u32 rx_off;
	axip_u32 unacked_rx; /* consumed bytes not yet reported with axip_tcp_recved() */
	axip_u32 chunk;      /* body bytes per packet buffer */
	axip_u64 inflight;   /* bytes queued and not yet reported by `sent` */
	struct http_req_parser parser;
	/* the response in progress */
	axip_u32 stage_len, stage_off;
	const axip_u8 *mem;
	axip_u64 body_len, body_off;
	struct httpd_file file;
	char stage[STAGE_SIZE];
};

struct httpd {
	struct axip_stack *s;
	struct httpd_config cfg;
	struct axip_tcp_listener *listener;
	struct hconn *conns;
	char *targets;
	struct hconn *free_list;
	int root_fd;
	axip_time_ns now;
	int clock_known;        /* httpd_tick has run at least once */
	struct httpd_stats st;
	time_t date_sec;
	char date[32];
};

static void conn_run(struct hconn *c);

void httpd_config_defaults(struct httpd_config *cfg)
{
	static const char hello[] = "hello\n";
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 80;
	cfg->nodelay = 1;
	cfg->max_conns = 1024;
	cfg->max_request_line = HTTP_DEFAULT_MAX_REQUEST_LINE;
	cfg->max_header_bytes = HTTP_DEFAULT_MAX_HEADER_BYTES;
	cfg->max_headers = HTTP_DEFAULT_MAX_HEADERS;
	cfg->max_body = HTTP_DEFAULT_MAX_BODY;
	cfg->idle_timeout_ns = AXIP_SEC(60);
	cfg->fixed_path = "/";
	cfg->fixed_body = hello;
	cfg->fixed_len = sizeof(hello) - 1;
	cfg->fixed_type = "text/plain";
	cfg->bytes_route = 1;
	cfg->bytes_max = 1ULL << 40;
}

const struct httpd_stats *httpd_get_stats(const struct httpd *h)
{
	return &h->st;
}

void httpd_gen_fill(axip_u8 *dst, axip_u64 off, axip_u32 n)
{
	axip_u32 i, o = (axip_u32)off;
	/* Knuth's multiplicative hash of the offset: period 2^32, and a shifted
	 * or repeated segment changes the bytes */
	for (i = 0; i < n; i++, o++)
		dst[i] = (axip_u8)((o * 2654435761u) >> 24);
}

static const char *reason_phrase(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

/* RFC 9110 5.6.7 IMF-fixdate, recomputed once a second. */
static const char *http_date(struct httpd *h)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = time(NULL);
	struct tm tm;
	if (t != h->date_sec && gmtime_r(&t, &tm)) {
		h->date_sec = t;
		snprintf(h->date, sizeof(h->date), "%s, %02d %s %04d %02d:%02d:%02d GMT",
		         days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
		         tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	return h->date;
}

/* ---- connection slots ---- */

static void conn_release(struct hconn *c)
{
	struct httpd *h = c->h;
	axip_pkt_free(h->s, c->rx_head);
	c->rx_head = c->rx_tail = NULL;
	if (c->body_kind == BODY_FILE)
		close(c->file.fd);
	c->body_kind = BODY_NONE;
	c->phase = PHASE_FREE;
	c->tcp = NULL;
	c->next_free = h->free_list;
	h->free_list = c;
	h->st.conns_active--;
}

/* Drop the received bytes not parsed yet (the connection is ending). */
static void rx_discard(struct hconn *c)
{
	c->unacked_rx += axip_pkt_chain_len(c->rx_head) - c->rx_off;
	axip_pkt_free(c->h->s, c->rx_head);
	c->rx_head = c->rx_tail = NULL;
	c->rx_off = 0;
}

/* Graceful close: FIN after what is queued, no more input. */
static void conn_close(struct hconn *c)
{
	rx_discard(c);
	c->phase = PHASE_CLOSING;
	axip_tcp_close(c->tcp);
}

static void conn_abort(struct hconn *c)
{
	rx_discard(c);
	c->phase = PHASE_CLOSING;
	axip_tcp_abort(c->tcp);
}

/* ---- responses ---- */

/* Bounded appends into a response head (the hot path: no printf). */
struct head_buf {
	char *p;
	axip_u32 len, cap;
};

static void head_str(struct head_buf *b, const char *s)
{
	while (*s && b->len < b->cap)
		b->p[b->len++] = *s++;
}

static void head_u64(struct head_buf *b, axip_u64 v)
{
	char digits[20];
	unsigned n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && b->len < b->cap)
		b->p[b->len++] = digits[--n];
}

/* Stage the status line and header fields; body_len is the Content-Length. */
static void stage_head(struct hconn *c, unsigned status, const char *type, axip_u64 body_len,
                       const char *extra)
{
	struct httpd *h = c->h;
	struct head_buf b = {c->stage, 0, sizeof(c->stage) - 1};
	const char *conn_hdr = "";
	if (c->close_after)
		conn_hdr = "Connection: close\r\n";
	else if (c->parser.minor == 0)
		conn_hdr = "Connection: keep-alive\r\n"; /* RFC 9112 C.2.2 */
	head_str(&b, "HTTP/1.1 ");
	head_u64(&b, status);
	head_str(&b, " ");
	head_str(&b, reason_phrase(status));
	/* RFC 9110 6.6.1: an origin server with a clock sends Date */
	head_str(&b, "\r\nServer: axip\r\nDate: ");
	head_str(&b, http_date(h));
	head_str(&b, "\r\nContent-Type: ");
	head_str(&b, type);
	head_str(&b, "\r\nContent-Length: ");
	head_u64(&b, body_len);
	head_str(&b, "\r\n");
	head_str(&b, conn_hdr);
	head_str(&b, extra);
	head_str(&b, "\r\n");
	/* every field is bounded; a long configured Content-Type is cut short */
	c->stage_len = b.len;
	c->stage_off = 0;
	c->resp_active = 1;
	h->st.responses[status / 100 < 6 ? status / 100 : 5]++;
}

/* A body from memory; small ones go out in the same write as the header. */
static void respond_mem(struct hconn *c, unsigned status, const char *type, const void *body,
                        axip_u32 len, const char *extra)
{
	stage_head(c, status, type, len, extra);
	c->body_kind = BODY_NONE;
	c->body_len = c->body_off = 0;
	if (c->parser.method == HTTP_METHOD_HEAD || len == 0)
		return; /* RFC 9110 9.3.2: HEAD gets the header fields only */
	if (c->stage_len + len <= sizeof(c->stage)) {
		memcpy(c->stage + c->stage_len, body, len);
		c->stage_len += len;
		return;
	}
	c->body_kind = BODY_MEM;
	c->mem = body;
	c->body_len = len;
}

static void respond_error(struct hconn *c, unsigned status, int close_after)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "%u %s\n", status, reason_phrase(status));
	if (close_after)
		c->close_after = 1;
	/* RFC 9110 15.5.6: a 405 lists the allowed methods */
	respond_mem(c, status, "text/plain", body, (axip_u32)n,
	            status == 405 ? "Allow: GET, HEAD\r\n" : "");
}

/* "/bytes/<decimal>" within bytes_max: the length; -1 otherwise. */
static int parse_bytes_path(const struct httpd *h, const char *path, axip_u64 *n)
{
	const char *d = path + 7;
	axip_u64 v = 0;
	unsigned digits = 0;
	if (!h->cfg.bytes_route || strncmp(path, "/bytes/", 7) != 0)
		return -1;
	for (; *d >= '0' && *d <= '9' && digits < 19; d++, digits++)
		v = v * 10 + (axip_u64)(*d - '0');
	if (digits == 0 || *d != '\0' || v > h->cfg.bytes_max)
		return -1;
	*n = v;
	return 0;
}

/* A complete, valid request head: route it. */
static void start_response(struct hconn *c)
{
	struct httpd *h = c->h;
	struct http_req_parser *p = &c->parser;
	axip_u32 path_len;
	axip_u64 n;
	int status;
	const char *path = p->target;

	c->close_after = !p->keep_alive;
	status = http_target_to_path(p->target, p->target_len, &path_len);
	if (status) {
		h->st.bad_requests++;
		respond_error(c, (unsigned)status, status == 400);
		return;
	}
	if (h->cfg.fixed_path && strcmp(path, h->cfg.fixed_path) == 0) {
		respond_mem(c, 200, h->cfg.fixed_type, h->cfg.fixed_body, h->cfg.fixed_len, "");
		return;
	}
	if (parse_bytes_path(h, path, &n) == 0) {
		stage_head(c, 200, "application/octet-stream", n, "");
		c->body_kind = p->method == HTTP_METHOD_HEAD || n == 0 ? BODY_NONE : BODY_GEN;
		c->body_len = c->body_kind == BODY_NONE ? 0 : n;
		c->body_off = 0;
		return;
	}
	if (h->root_fd >= 0) {
		status = httpd_file_open(h->root_fd, path, &c->file);
		if (status == 0) {
			h->st.files_served++;
			stage_head(c, 200, c->file.type, c->file.size, "");
			c->body_off = 0;
			if (p->method == HTTP_METHOD_HEAD || c->file.size == 0) {
				close(c->file.fd);
				c->body_kind = BODY_NONE;
				c->body_len = 0;
			} else {
				c->body_kind = BODY_FILE;
				c->body_len = c->file.size;
			}
			return;
		}
		if (status == 500)
			h->st.file_errors++;
		respond_error(c, (unsigned)status, 0);
		return;
	}
	respond_error(c, 404, 0);
}

/* Body bytes per packet buffer: one segment's worth, so that buffers map to
 * segments when the NIC does not segment. */
static axip_u32 body_chunk(struct hconn *c, const struct axip_pkt *pkt)
{
	if (!c->chunk) {
		struct axip_tcp_info info;
		axip_tcp_get_info(c->tcp, &info);
		c->chunk = info.snd_mss ? info.snd_mss : 1460u;
	}
	return c->chunk < pkt->tailroom ? c->chunk : pkt->tailroom;
}

/* No packet buffer was free: wait for `sent`. Returns 0 to wait; -1 when
 * nothing of ours is queued, so no `sent` would ever come (the pool is held
 * by others): the connection is then aborted. */
static int wait_for_sent(struct hconn *c)
{
	if (c->inflight > 0)
		return 0;
	c->h->st.send_stalls++;
	return -1;
}

static void count_queued(struct hconn *c, axip_u32 n)
{
	c->inflight += n;
	c->h->st.bytes_tx += n;
}

/* Queue as much of the response as the send buffer takes. Returns 0 when
 * the whole response is queued, 1 when it waits for `sent`, -1 when the
 * connection was aborted. */
static int pump(struct hconn *c)
{
	struct httpd *h = c->h;
	int n;

	while (c->stage_off < c->stage_len) {
		axip_u32 flags = c->body_off < c->body_len ? AXIP_TCP_MORE : 0;
		n = axip_tcp_write(c->tcp, c->stage + c->stage_off, c->stage_len - c->stage_off, flags);
		if (n == AXIP_E_AGAIN || n == 0)
			return 1;
		if (n < 0)
			goto abort;
		c->stage_off += (axip_u32)n;
		count_queued(c, (axip_u32)n);
	}
	while (c->body_off < c->body_len) {
		axip_u64 left = c->body_len - c->body_off;
		struct axip_pkt *pkt;
		axip_u32 room, len;
		int rc;

		if (c->body_kind == BODY_MEM) {
			n = axip_tcp_write(c->tcp, c->mem + c->body_off, (axip_u32)left, 0);
			if (n == AXIP_E_AGAIN || n == 0)
				return 1;
			if (n < 0)
				goto abort;
			c->body_off += (axip_u32)n;
			count_queued(c, (axip_u32)n);
			continue;
		}
		room = axip_tcp_sndbuf_free(c->tcp);
		if (room == 0)
			return 1;
		pkt = axip_pkt_alloc(h->s, AXIP_PKT_HEADROOM);
		if (!pkt) {
			if (wait_for_sent(c) == 0)
				return 1;
			goto abort;
		}
		len = body_chunk(c, pkt);
		if (len > room)
			len = room;
		if (len > left)
			len = (axip_u32)left;
		if (c->body_kind == BODY_GEN) {
			httpd_gen_fill(pkt->data, c->body_off, len);
		} else if (httpd_file_read(&c->file, pkt->data, len, c->body_off) != 0) {
			/* the file shrank or failed: the promised length cannot be kept */
			h->st.file_errors++;
			axip_pkt_free(h->s, pkt);
			goto abort;
		}
		pkt->len = len;
		pkt->tailroom -= len;
		rc = axip_tcp_send(c->tcp, pkt, len < left ? AXIP_TCP_MORE : 0);
		if (rc != AXIP_OK) {
			axip_pkt_free(h->s, pkt);
			if (rc == AXIP_E_AGAIN)
				return 1;
			goto abort;
		}
		c->body_off += len;
		count_queued(c, len);
	}
	if (c->body_kind == BODY_FILE)
		close(c->file.fd);
	c->body_kind = BODY_NONE;
	c->resp_active = 0;
	return 0;
abort:
	conn_abort(c);
	return -1;
}

/* Consume n parsed bytes from the head of the receive chain. */
static void rx_advance(struct hconn *c, axip_u32 n)
{
	c->rx_off += n;
	c->unacked_rx += n;
	while (c->rx_head && c->rx_off >= c->rx_head->len) {
		struct axip_pkt *next = c->rx_head->sg_next;
		c->rx_off -= c->rx_head->len;
		c->rx_head->sg_next = NULL;
		axip_pkt_free(c->h->s, c->rx_head);
		c->rx_head = next;
	}
	if (!c->rx_head)
		c->rx_tail = NULL;
}

/* The last response is queued: FIN after it, then wait for the peer's FIN
 * while discarding its input, so that a reset does not destroy the response
 * before the peer read it (RFC 9112 9.6). */
static void start_linger(struct hconn *c)
{
	rx_discard(c);
	if (c->peer_fin) {
		conn_close(c);
		return;
	}
	c->phase = PHASE_LINGER;
	if (axip_tcp_shutdown(c->tcp) != AXIP_OK)
		conn_abort(c);
}

/* Do whatever can be done now: finish the response in progress, parse and
 * answer the requests waiting in the receive chain, close when due. */
static void conn_run(struct hconn *c)
{
	struct httpd *h = c->h;

	if (c->busy) {
		c->rerun = 1;
		return;
	}
	c->busy = 1;
	do {
		c->rerun = 0;
		while (!c->gone && c->phase == PHASE_OPEN) {
			int ev;
			axip_u32 used;
			if (c->resp_active) {
				int r = pump(c);
				if (r != 0)
					break;
				if (c->close_after) {
					start_linger(c);
					break;
				}
			}
			if (!c->rx_head) {
				if (c->peer_fin)
					conn_close(c);
				break;
			}
			used = http_req_parse(&c->parser, c->rx_head->data + c->rx_off,
			                      c->rx_head->len - c->rx_off, &ev);
			rx_advance(c, used);
			if (ev == HTTP_PARSE_DONE) {
				h->st.requests++;
				start_response(c);
			} else if (ev == HTTP_PARSE_ERROR) {
				h->st.requests++;
				h->st.bad_requests++;
				respond_error(c, c->parser.status, 1);
			}
		}
	} while (c->rerun && !c->gone);
	if (!c->gone && c->unacked_rx && c->phase != PHASE_CLOSING) {
		axip_tcp_recved(c->tcp, c->unacked_rx);
		c->unacked_rx = 0;
	}
	c->busy = 0;
	if (c->gone)
		conn_release(c);
}

/* ---- TCP callbacks ---- */

static void on_recv(void *arg, struct axip_tcp *tcp, struct axip_pkt *data)
{
	struct hconn *c = arg;
	struct axip_pkt *tail;
	axip_u32 len = axip_pkt_chain_len(data);
	(void)tcp;
	c->h->st.bytes_rx += len;
	c->last_active = c->h->now;
	if (c->phase != PHASE_OPEN) {
		/* lingering: input after the last response is read and dropped */
		axip_pkt_free(c->h->s, data);
		if (c->phase == PHASE_LINGER && !c->busy)
			axip_tcp_recved(c->tcp, len);
		else
			c->unacked_rx += len;
		return;
	}
	for (tail = data; tail->sg_next; tail = tail->sg_next)
		;
	if (c->rx_tail)
		c->rx_tail->sg_next = data;
	else
		c->rx_head = data;
	c->rx_tail = tail;
	conn_run(c);
}

static void on_peer_closed(void *arg, struct axip_tcp *tcp)
{
	struct hconn *c = arg;
	(void)tcp;
	c->peer_fin = 1;
	if (c->phase == PHASE_LINGER && !c->busy)
		conn_close(c);
	else
		conn_run(c);
}

static void on_sent(void *arg, struct axip_tcp *tcp, axip_u32 acked)
{
	struct hconn *c = arg;
	(void)tcp;
	c->inflight = acked < c->inflight ? c->inflight - acked : 0;
	c->last_active = c->h->now;
	conn_run(c);
}

static void on_closed(void *arg, struct axip_tcp *tcp, int err)
{
	struct hconn *c = arg;
	(void)tcp;
	if (err != AXIP_OK)
		c->h->st.conns_reset++;
	c->gone = 1;
	if (!c->busy)
		conn_release(c);
}

static const struct axip_tcp_callbacks conn_callbacks = {
	NULL, on_recv, on_peer_closed, on_sent, on_closed
};

static int on_accept(void *arg, struct axip_tcp *tcp, const struct axip_tcp_callbacks **cb,
                     void **conn_arg)
{
	struct httpd *h = arg;
	struct hconn *c = h->free_list;
	struct http_req_limits lim;
	char *target;

	if (!c) {
		h->st.conns_rejected++;
		return AXIP_E_NOMEM;
	}
	h->free_list = c->next_free;
	target = c->parser.target;
	memset(c, 0, offsetof(struct hconn, stage));
	c->h = h;
	c->tcp = tcp;
	c->phase = PHASE_OPEN;
	c->last_active = h->now;
	lim.max_request_line = h->cfg.max_request_line;
	lim.max_header_bytes = h->cfg.max_header_bytes;
	lim.max_headers = h->cfg.max_headers;
	lim.max_body = h->cfg.max_body;
	http_req_parser_init(&c->parser, target, &lim);
	if (h->cfg.nodelay)
		axip_tcp_setopt(tcp, AXIP_TCP_OPT_NODELAY, 1);
	h->st.conns_accepted++;
	h->st.conns_active++;
	*cb = &conn_callbacks;
	*conn_arg = c;
	return AXIP_OK;
}

/* ---- server ---- */

int httpd_start(struct axip_stack *s, const struct httpd_config *cfg, struct httpd **out)
{
	struct httpd *h;
	axip_u32 i;
	size_t tsize;
	int rc;

	if (!cfg->max_conns || !cfg->max_request_line || !cfg->max_header_bytes ||
	    !cfg->max_headers || !cfg->port || (cfg->fixed_path && !cfg->fixed_body && cfg->fixed_len) ||
	    (cfg->fixed_path && !cfg->fixed_type))
		return AXIP_E_INVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return AXIP_E_NOMEM;
	h->s = s;
	h->cfg = *cfg;
	h->root_fd = -1;
	tsize = (size_t)cfg->max_request_line + 1;
	h->conns = calloc(cfg->max_conns, sizeof(*h->conns));
	h->targets = malloc(tsize * cfg->max_conns);
	if (!h->conns || !h->targets) {
		rc = AXIP_E_NOMEM;
		goto fail;
	}
	for (i = cfg->max_conns; i-- > 0;) {
		h->conns[i].h = h;
		h->conns[i].parser.target = h->targets + tsize * i;
		h->conns[i].next_free = h->free_list;
		h->free_list = &h->conns[i];
	}
	if (cfg->docroot) {
		h->root_fd = httpd_docroot_open(cfg->docroot);
		if (h->root_fd < 0) {
			rc = AXIP_E_INVAL;
			goto fail;
		}
	}
	rc = axip_tcp_listen(s, cfg->addr, cfg->port, cfg->backlog, on_accept, h, cfg->tcp_opts,
	                     &h->listener);
	if (rc != AXIP_OK)
		goto fail;
	*out = h;
	return AXIP_OK;
fail:
	if (h->root_fd >= 0)
		close(h->root_fd);
	free(h->targets);
	free(h->conns);
	free(h);
	return rc;
}

void httpd_tick(struct httpd *h, axip_time_ns now)
{
	axip_u32 i;
	int first_tick = !h->clock_known;
	h->now = now;
	h->clock_known = 1;
	if (!h->cfg.idle_timeout_ns)
		return;
	for (i = 0; i < h->cfg.max_conns; i++) {
		struct hconn *c = &h->conns[i];
		/* connections accepted before the first tick were stamped with an
		 * unknown clock: their idle time starts now */
		if (first_tick && c->phase != PHASE_FREE)
			c->last_active = now;
		if (c->phase == PHASE_FREE || c->busy || now - c->last_active < h->cfg.idle_timeout_ns)
			continue;
		c->last_active = now;
		h->st.conns_idle_closed++;
		if (c->phase != PHASE_OPEN || c->resp_active) {
			/* it stopped reading our response, or never closes its side */
			conn_abort(c);
		} else if (http_req_idle(&c->parser)) {
			conn_close(c); /* an idle keep-alive connection */
		} else {
			/* RFC 9110 15.5.9: a request that did not complete in time */
			respond_error(c, 408, 1);
			conn_run(c);
		}
	}
}

void httpd_stop(struct httpd *h)
{
	axip_u32 i;
	axip_tcp_listener_close(h->listener);
	for (i = 0; i < h->cfg.max_conns; i++)
		if (h->conns[i].phase != PHASE_FREE && !h->conns[i].gone)
			axip_tcp_abort(h->conns[i].tcp); /* `closed` releases the slot */
	if (h->root_fd >= 0)
		close(h->root_fd);
	free(h->targets);
	free(h->conns);
	free(h);
}

void httpd_stats_print(const struct httpd_stats *st, FILE *f, const char *prefix)
{
#define PRINT_STAT(name) fprintf(f, "%s" #name " %llu\n", prefix, (unsigned long long)st->name)
	PRINT_STAT(conns_accepted);
	PRINT_STAT(conns_rejected);
	PRINT_STAT(conns_active);
	PRINT_STAT(conns_idle_closed);
	PRINT_STAT(conns_reset);
	PRINT_STAT(requests);
	PRINT_STAT(bad_requests);
	fprintf(f, "%sresponses_1xx %llu\n%sresponses_2xx %llu\n%sresponses_3xx %llu\n"
	        "%sresponses_4xx %llu\n%sresponses_5xx %llu\n",
	        prefix, (unsigned long long)st->responses[1], prefix, (unsigned long long)st->responses[2],
	        prefix, (unsigned long long)st->responses[3], prefix, (unsigned long long)st->responses[4],
	        prefix, (unsigned long long)st->responses[5]);
	PRINT_STAT(files_served);
	PRINT_STAT(file_errors);
	PRINT_STAT(bytes_rx);
	PRINT_STAT(bytes_tx);
	PRINT_STAT(send_stalls);
#undef PRINT_STAT
}
