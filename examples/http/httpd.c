/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * httpd.c - HTTP/1.1 server connections on axip's sockets (axip/sock.h).
 *
 * One listening socket and one interest set per server; every connection is
 * in the set edge-triggered. httpd_poll(), called each round after the stack
 * ran, takes the ready sockets and runs each: it parses the queued request
 * bytes in place (axip_recv_peek, http_req_parse, axip_recv_consume) and
 * answers them, one response at a time. A response is a header staged in a
 * small buffer and a body from memory, the /bytes generator or a file;
 * generated and file bodies are written into packet buffers (pread() for
 * files) and queued by reference with axip_send_zc() while the send buffer
 * has room (axip_sock_wspace); AXIP_EV_OUT resumes them. While a response is
 * in progress no further request is consumed, so pipelined requests stay in
 * the socket's receive buffers and the receive window closes behind them:
 * memory per connection stays bounded.
 */
#define _GNU_SOURCE
#include "httpd.h"
#include "http_request.h"
#include "http_uri.h"
#include "httpd_files.h"

#include <axip/sock.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Response header (plus a small fixed body sent in the same write). */
#define STAGE_SIZE 1024u
/* Ready sockets taken per axip_epoll_wait() call. */
#define EVENT_BATCH 64

enum body_kind { BODY_NONE, BODY_MEM, BODY_GEN, BODY_FILE };

enum conn_phase {
	PHASE_FREE,
	PHASE_OPEN,    /* reading requests, answering them */
	PHASE_LINGER   /* last response queued, FIN sent after it; input discarded (RFC 9112 9.6) */
};

struct hconn {
	struct httpd *h;
	struct hconn *next_free;
	int fd;              /* the connection's socket */
	axip_u8 phase;
	axip_u8 resp_active;
	axip_u8 close_after; /* close once the current response is queued */
	axip_u8 body_kind;
	axip_time_ns last_active;
	axip_u32 chunk;      /* body bytes per packet buffer */
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
	int listen_fd;
	int ep;                 /* the interest set: the listener and every connection */
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
	if (c->body_kind == BODY_FILE)
		close(c->file.fd);
	c->body_kind = BODY_NONE;
	c->phase = PHASE_FREE;
	c->fd = -1;
	c->next_free = h->free_list;
	h->free_list = c;
	h->st.conns_active--;
}

/* Drop the received bytes not parsed yet (the connection is ending, or
 * lingering): they count as received. */
static void rx_discard(struct hconn *c)
{
	int n = axip_sock_nread(c->h->s, c->fd);
	if (n > 0 && axip_recv_consume(c->h->s, c->fd, (axip_u32)n) == n)
		c->h->st.bytes_rx += (axip_u32)n;
}

/* Graceful close: FIN after what is queued, no more input. */
static void conn_close(struct hconn *c)
{
	rx_discard(c);
	axip_close(c->h->s, c->fd);
	conn_release(c);
}

/* Abortive close: a reset, queues dropped. */
static void conn_abort(struct hconn *c)
{
	static const struct axip_linger now = { 1, 0 };
	struct httpd *h = c->h;
	int n = axip_sock_nread(h->s, c->fd);
	if (n > 0)
		h->st.bytes_rx += (axip_u32)n;
	(void)axip_setsockopt(h->s, c->fd, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &now, sizeof now);
	axip_close(h->s, c->fd);
	h->st.conns_reset++;
	conn_release(c);
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
		int mss = 0;
		axip_u32 len = sizeof mss;
		if (axip_getsockopt(c->h->s, c->fd, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG, &mss, &len) < 0 ||
		    mss <= 0)
			mss = 1460;
		c->chunk = (axip_u32)mss;
	}
	return c->chunk < pkt->tailroom ? c->chunk : pkt->tailroom;
}

/* No packet buffer was free: wait for AXIP_EV_OUT. Returns 0 to wait; -1
 * when nothing of ours is queued, so no acknowledgement would ever free
 * anything (the pool is held by others): the connection is then aborted. */
static int wait_for_acks(struct hconn *c)
{
	if (axip_sock_nwrite(c->h->s, c->fd) > 0)
		return 0;
	c->h->st.send_stalls++;
	return -1;
}

/* Copy from memory into the send buffer. Returns the bytes taken (> 0), 0
 * when it is full (AXIP_EV_OUT follows), -1 on a failed connection. */
static int send_copy(struct hconn *c, const void *p, axip_u64 len, int flags)
{
	int n = axip_send(c->h->s, c->fd, p, len > 0x7fffffffu ? 0x7fffffffu : (axip_size)len, flags);
	if (n > 0) {
		c->h->st.bytes_tx += (axip_u32)n;
		return n;
	}
	return n == 0 || n == -AXIP_EAGAIN ? 0 : -1;
}

/* Queue as much of the response as the send buffer takes. Returns 0 when
 * the whole response is queued, 1 when it waits for AXIP_EV_OUT, -1 when
 * the connection was aborted. */
static int pump(struct hconn *c)
{
	struct httpd *h = c->h;
	int n;

	while (c->stage_off < c->stage_len) {
		n = send_copy(c, c->stage + c->stage_off, c->stage_len - c->stage_off,
		              c->body_off < c->body_len ? AXIP_MSG_MORE : 0);
		if (n <= 0)
			goto full;
		c->stage_off += (axip_u32)n;
	}
	while (c->body_off < c->body_len) {
		axip_u64 left = c->body_len - c->body_off;
		struct axip_pkt *pkt;
		axip_u32 len;
		int room;

		if (c->body_kind == BODY_MEM) {
			n = send_copy(c, c->mem + c->body_off, left, 0);
			if (n <= 0)
				goto full;
			c->body_off += (axip_u32)n;
			continue;
		}
		room = axip_sock_wspace(h->s, c->fd);
		if (room <= 0)
			return 1;
		pkt = axip_pkt_alloc(h->s, AXIP_PKT_HEADROOM);
		if (!pkt) {
			if (wait_for_acks(c) == 0)
				return 1;
			goto abort;
		}
		len = body_chunk(c, pkt);
		if (len > (axip_u32)room)
			len = (axip_u32)room;
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
		n = axip_send_zc(h->s, c->fd, pkt, len < left ? AXIP_MSG_MORE : 0, NULL);
		if (n < 0) {
			axip_pkt_free(h->s, pkt);
			if (n == -AXIP_EAGAIN)
				return 1;
			goto abort;
		}
		c->body_off += len;
		h->st.bytes_tx += len;
	}
	if (c->body_kind == BODY_FILE)
		close(c->file.fd);
	c->body_kind = BODY_NONE;
	c->resp_active = 0;
	return 0;
full:
	if (n == 0)
		return 1; /* AXIP_EV_OUT resumes it */
abort:
	conn_abort(c);
	return -1;
}

/* Lingering: read and drop the peer's input until its FIN, then close. */
static void linger_drain(struct hconn *c)
{
	struct httpd *h = c->h;
	for (;;) {
		const axip_u8 *data;
		int n = axip_recv_peek(h->s, c->fd, &data);
		if (n == -AXIP_EAGAIN)
			return;
		if (n == 0) {
			conn_close(c);
			return;
		}
		if (n < 0) {
			conn_abort(c); /* reset or timed out */
			return;
		}
		axip_recv_consume(h->s, c->fd, (axip_u32)n);
		h->st.bytes_rx += (axip_u32)n;
	}
}

/* The last response is queued: FIN after it, then wait for the peer's FIN
 * while discarding its input, so that a reset does not destroy the response
 * before the peer read it (RFC 9112 9.6). */
static void start_linger(struct hconn *c)
{
	if (axip_shutdown(c->h->s, c->fd, AXIP_SHUT_WR) < 0) {
		conn_abort(c);
		return;
	}
	c->phase = PHASE_LINGER;
	linger_drain(c);
}

/* Do whatever can be done now: finish the response in progress, parse and
 * answer the requests waiting in the receive buffers, close when due. */
static void conn_run(struct hconn *c)
{
	struct httpd *h = c->h;

	while (c->phase == PHASE_OPEN) {
		const axip_u8 *data;
		axip_u32 used;
		int n, ev;
		if (c->resp_active) {
			if (pump(c) != 0)
				return;
			if (c->close_after) {
				start_linger(c);
				return;
			}
		}
		n = axip_recv_peek(h->s, c->fd, &data);
		if (n == -AXIP_EAGAIN)
			return;
		if (n == 0) { /* the peer's FIN, every request before it answered */
			conn_close(c);
			return;
		}
		if (n < 0) {
			conn_abort(c); /* reset or timed out */
			return;
		}
		used = http_req_parse(&c->parser, data, (axip_u32)n, &ev);
		if (used) {
			axip_recv_consume(h->s, c->fd, used);
			h->st.bytes_rx += used;
		}
		if (ev == HTTP_PARSE_DONE) {
			h->st.requests++;
			start_response(c);
		} else if (ev == HTTP_PARSE_ERROR) {
			h->st.requests++;
			h->st.bad_requests++;
			respond_error(c, c->parser.status, 1);
		}
	}
	if (c->phase == PHASE_LINGER)
		linger_drain(c);
}

/* ---- accepting ---- */

static void accept_all(struct httpd *h)
{
	static const struct axip_linger now = { 1, 0 };
	int fd;
	while ((fd = axip_accept(h->s, h->listen_fd, NULL)) >= 0) {
		struct hconn *c = h->free_list;
		struct http_req_limits lim;
		struct axip_epoll_event ev;
		char *target;

		ev.events = AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP | AXIP_EV_ET;
		ev.data = (axip_u64)(uintptr_t)c;
		if (!c || axip_epoll_ctl(h->s, h->ep, AXIP_EPOLL_CTL_ADD, fd, &ev) < 0) {
			/* max_conns reached (or no interest-set entry): reset it */
			h->st.conns_rejected++;
			(void)axip_setsockopt(h->s, fd, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &now, sizeof now);
			axip_close(h->s, fd);
			continue;
		}
		h->free_list = c->next_free;
		target = c->parser.target;
		memset(c, 0, offsetof(struct hconn, stage));
		c->h = h;
		c->fd = fd;
		c->phase = PHASE_OPEN;
		c->last_active = h->now;
		lim.max_request_line = h->cfg.max_request_line;
		lim.max_header_bytes = h->cfg.max_header_bytes;
		lim.max_headers = h->cfg.max_headers;
		lim.max_body = h->cfg.max_body;
		http_req_parser_init(&c->parser, target, &lim);
		h->st.conns_accepted++;
		h->st.conns_active++;
		conn_run(c);
	}
}

int httpd_poll(struct httpd *h)
{
	struct axip_epoll_event ev[EVENT_BATCH];
	int n, i, did = 0;
	do {
		n = axip_epoll_wait(h->s, h->ep, ev, EVENT_BATCH);
		for (i = 0; i < n; i++) {
			struct hconn *c = (struct hconn *)(uintptr_t)ev[i].data;
			if (!c) {
				accept_all(h);
				continue;
			}
			/* each socket is reported once per wait, and a closed one has
			 * left the set: c is the connection the event is about */
			c->last_active = h->now;
			if (ev[i].events & AXIP_EV_ERR)
				conn_abort(c); /* reset or timed out: nothing more to answer */
			else
				conn_run(c);
		}
		did += n > 0;
	} while (n == EVENT_BATCH);
	return did;
}

/* ---- server ---- */

static int start_error(int rc)
{
	switch (-rc) {
	case AXIP_EADDRINUSE: return AXIP_E_ADDRINUSE;
	case AXIP_EMFILE: case AXIP_ENOMEM: case AXIP_ENOBUFS: return AXIP_E_NOMEM;
	default: return AXIP_E_INVAL;
	}
}

int httpd_start(struct axip_stack *s, const struct httpd_config *cfg, struct httpd **out)
{
	static const int one = 1;
	struct axip_sockaddr a;
	struct axip_epoll_event ev;
	struct httpd *h;
	axip_u32 i;
	size_t tsize;
	int rc;

	if (!cfg->max_conns || !cfg->max_request_line || !cfg->max_header_bytes ||
	    !cfg->max_headers || !cfg->port || (cfg->fixed_path && !cfg->fixed_body && cfg->fixed_len) ||
	    (cfg->fixed_path && !cfg->fixed_type) || cfg->backlog > 0x7fffffffu)
		return AXIP_E_INVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return AXIP_E_NOMEM;
	h->s = s;
	h->cfg = *cfg;
	h->root_fd = -1;
	h->listen_fd = h->ep = -1;
	tsize = (size_t)cfg->max_request_line + 1;
	h->conns = calloc(cfg->max_conns, sizeof(*h->conns));
	h->targets = malloc(tsize * cfg->max_conns);
	if (!h->conns || !h->targets) {
		rc = AXIP_E_NOMEM;
		goto fail;
	}
	for (i = cfg->max_conns; i-- > 0;) {
		h->conns[i].h = h;
		h->conns[i].fd = -1;
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
	memset(&a, 0, sizeof a);
	a.family = cfg->ip6 ? AXIP_AF_INET6 : AXIP_AF_INET;
	a.port = cfg->port;
	a.addr.v4 = cfg->ip6 ? 0 : cfg->addr;
	if (cfg->ip6 && cfg->addr) {
		rc = AXIP_E_INVAL;
		goto fail;
	}
	rc = h->listen_fd = axip_socket(s, a.family, AXIP_SOCK_STREAM, 0);
	/* accepted connections inherit the listener's options */
	if (rc >= 0 && cfg->nodelay)
		rc = axip_setsockopt(s, h->listen_fd, AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY, &one, sizeof one);
	if (rc >= 0)
		rc = axip_bind(s, h->listen_fd, &a);
	if (rc >= 0)
		rc = axip_listen(s, h->listen_fd, cfg->backlog ? (int)cfg->backlog : -1);
	if (rc >= 0)
		rc = h->ep = axip_epoll_create(s);
	ev.events = AXIP_EV_IN;
	ev.data = 0;
	if (rc >= 0)
		rc = axip_epoll_ctl(s, h->ep, AXIP_EPOLL_CTL_ADD, h->listen_fd, &ev);
	if (rc < 0) {
		rc = start_error(rc);
		goto fail;
	}
	*out = h;
	return AXIP_OK;
fail:
	if (h->ep >= 0)
		axip_close(s, h->ep);
	if (h->listen_fd >= 0)
		axip_close(s, h->listen_fd);
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
		if (c->phase == PHASE_FREE || now - c->last_active < h->cfg.idle_timeout_ns)
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
	axip_close(h->s, h->listen_fd);
	for (i = 0; i < h->cfg.max_conns; i++)
		if (h->conns[i].phase != PHASE_FREE)
			conn_abort(&h->conns[i]);
	axip_close(h->s, h->ep);
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
