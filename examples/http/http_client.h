/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_client.h - fetch one URL over HTTP/1.1 on axip's TCP API (hosted code).
 *
 * http_get_start() connects and sends "GET <path> HTTP/1.1" with
 * "Connection: close"; the response body (Content-Length, chunked, or
 * delimited by the close) goes to the sink as it arrives, straight from the
 * received packet buffers. `done` is called exactly once, from inside the
 * stack's callbacks (or from http_get_abort()). Everything runs in the
 * thread that drives the stack. Timeouts are the caller's: call
 * http_get_abort() when it is tired of waiting (TCP's own retransmission
 * and SYN timeouts end a dead connection by themselves).
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
	const struct axip_tcp_opts *tcp_opts; /* NULL = instance defaults */
	axip_u32 max_header_bytes;            /* response head limit; 0 = 64 KiB */
};

/*
 * Start a fetch. Returns AXIP_OK (the outcome comes through `done`), or an
 * error with `done` not called: AXIP_E_INVAL (bad URL: *err says why, when
 * err is not NULL), AXIP_E_NOMEM (malloc), or what axip_tcp_connect()
 * returned. *out (may be NULL) is a handle for http_get_abort(), valid until
 * `done` returns.
 */
int http_get_start(struct axip_stack *s, const struct http_get_req *req, struct http_get **out,
                   const char **err);

/* Give up: reset the connection; `done` reports "aborted". */
void http_get_abort(struct http_get *g);

#endif
