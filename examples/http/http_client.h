/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_client.h - fetch one URL over HTTP/1.1 on axip's sockets (hosted code).
 *
 * http_get_start() opens a socket and connects; http_get_poll(), called
 * whenever the stack has run (after each receive batch and timer run), sends
 * "GET <path> HTTP/1.1" with "Connection: close" and passes the response
 * body (Content-Length, chunked, or delimited by the close) to the sink as
 * it arrives, straight from the received packet buffers (axip_recv_zc).
 * `done` is called exactly once, from inside http_get_poll() (or
 * http_get_abort()). Everything runs in the thread that drives the stack.
 * Timeouts are the caller's: call http_get_abort() when it is tired of
 * waiting (TCP's own retransmission and SYN timeouts end a dead connection
 * by themselves).
 */
#ifndef AXIP_HTTP_CLIENT_H
#define AXIP_HTTP_CLIENT_H

#include <axip/axip.h>

struct http_get;

struct http_get_result {
	int ok;                   /* complete response received (any status) */
	const char *error;        /* when !ok: why (static string) */
	int status;               /* status code, 0 if no response head arrived */
	axip_u64 body_bytes;      /* bytes handed to the sink */
	axip_u64 content_length;  /* announced length, when has_length */
	int has_length;
	int chunked;
};

struct http_get_req {
	const char *url;          /* http://a.b.c.d[:port][/path] */
	int head;                 /* send HEAD instead of GET */
	/* Body bytes in order; return non-zero to stop (the fetch fails with
	 * "body sink failed"). May be NULL to discard the body. */
	int (*sink)(void *arg, const axip_u8 *data, axip_u32 len);
	/* Called once with the outcome; the result and the handle are invalid
	 * after it returns. */
	void (*done)(void *arg, const struct http_get_result *r);
	void *arg;
	axip_u32 max_header_bytes;            /* response head limit; 0 = 64 KiB */
};

/*
 * Start a fetch. Returns AXIP_OK (the outcome comes through `done`), or an
 * error with `done` not called: AXIP_E_INVAL (bad URL: *err says why, when
 * err is not NULL), AXIP_E_NOMEM (malloc, no socket), AXIP_E_UNREACH (no
 * route), AXIP_E_PORTS (no local port). *out is the handle for
 * http_get_poll() and http_get_abort(), valid until `done` returns.
 */
int http_get_start(struct axip_stack *s, const struct http_get_req *req, struct http_get **out,
                   const char **err);

/* Make progress; returns 1 when the fetch ended (`done` was called and the
 * handle is gone), 0 while it goes on. */
int http_get_poll(struct http_get *g);

/* Give up: reset the connection; `done` reports "aborted". */
void http_get_abort(struct http_get *g);

#endif
