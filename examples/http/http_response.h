/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_response.h - incremental HTTP/1.1 response parser (RFC 9112), for
 * the client: status line, header fields, and the body framed by
 * Content-Length, chunked transfer coding (RFC 9112 7.1) or the end of the
 * connection (RFC 9112 6.3). Body bytes are handed to a callback straight
 * from the caller's buffers; only head lines (and chunk-size lines) are
 * copied, into a bounded line buffer.
 */
#ifndef AXIP_HTTP_RESPONSE_H
#define AXIP_HTTP_RESPONSE_H

#include <axip/types.h>

enum http_resp_event {
	HTTP_RESP_MORE = 0,  /* every byte consumed, the message is not complete */
	HTTP_RESP_DONE = 1,  /* the message is complete; later bytes are not its own */
	HTTP_RESP_ERROR = 2  /* malformed or refused: p->err says why */
};

/* Receives body bytes in order; a non-zero return stops parsing with an error. */
typedef int (*http_body_fn)(void *arg, const axip_u8 *data, axip_u32 len);

/* Longest head line (status line, header line, chunk-size line) accepted. */
#define HTTP_RESP_LINE_MAX 8192u

struct http_resp_parser {
	/* ---- results (status and framing valid once the head is complete) ---- */
	int status;              /* final status code (interim 1xx responses are skipped) */
	axip_u8 minor;           /* HTTP/1.<minor> */
	axip_u8 head_done;       /* the final response's head is complete */
	axip_u8 chunked;         /* body is chunked */
	axip_u8 has_length;      /* Content-Length framing */
	axip_u8 conn_close;      /* "Connection: close" */
	axip_u64 content_length;
	axip_u64 body_bytes;     /* body bytes handed to the callback so far */
	const char *err;         /* after HTTP_RESP_ERROR */

	/* ---- private ---- */
	axip_u8 head_request;
	axip_u8 state;
	axip_u8 te_seen;
	axip_u32 max_header_bytes;
	axip_u32 header_bytes;
	axip_u32 line_len;
	axip_u64 remaining;      /* bytes left in the body or the current chunk */
	http_body_fn body;
	void *arg;
	char line[HTTP_RESP_LINE_MAX];
};

/* Prepare for one response. head_request: the request was HEAD, so the
 * response has no body whatever its headers say (RFC 9110 9.3.2).
 * max_header_bytes 0 means 64 KiB. */
void http_resp_parser_init(struct http_resp_parser *p, int head_request, axip_u32 max_header_bytes,
                           http_body_fn body, void *arg);

/* Feed bytes; returns how many belong to this response and sets *ev. */
axip_u32 http_resp_parse(struct http_resp_parser *p, const axip_u8 *data, axip_u32 len, int *ev);

/* The connection ended (FIN). Returns HTTP_RESP_DONE when that completes a
 * body delimited by the close, HTTP_RESP_ERROR (with p->err) when the
 * message was cut short, and HTTP_RESP_DONE for a message already complete. */
int http_resp_eof(struct http_resp_parser *p);

#endif
