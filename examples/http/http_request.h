/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_request.h - incremental, bounded HTTP/1.1 request-head parser (RFC 9112).
 *
 * The parser is a byte-wise state machine: the caller feeds whatever bytes
 * it has (a packet buffer, a single byte, several pipelined requests at
 * once) and the parser stops at the end of each request head, or at the
 * first error. It copies only the request-target (into a buffer the caller
 * provides, so a request split across buffers costs nothing extra); header
 * values it needs (Host, Connection, Content-Length, Transfer-Encoding) are
 * interpreted on the fly, every other header is validated and skipped.
 *
 * A message body announced by Content-Length is skipped by the next call to
 * http_req_parse() before the next request starts. Bodies framed by
 * Transfer-Encoding are refused (501), see below.
 */
#ifndef AXIP_HTTP_REQUEST_H
#define AXIP_HTTP_REQUEST_H

#include <axip/types.h>

enum http_method { HTTP_METHOD_NONE = 0, HTTP_METHOD_GET = 1, HTTP_METHOD_HEAD = 2 };

/* What one call of http_req_parse() ended with. */
enum http_parse_event {
	HTTP_PARSE_MORE = 0,  /* every byte consumed; the head is not complete yet */
	HTTP_PARSE_DONE = 1,  /* a request head is complete: read the request fields */
	HTTP_PARSE_ERROR = 2  /* the request is invalid: answer p->status and close */
};

struct http_req_limits {
	axip_u32 max_request_line; /* bytes of the request line (and target buffer size) */
	axip_u32 max_header_bytes; /* bytes of the header section, CRLFs included */
	axip_u32 max_headers;      /* header field lines */
	axip_u64 max_body;         /* Content-Length accepted (the body is discarded) */
};

/* Limits used by the server unless configured otherwise. */
#define HTTP_DEFAULT_MAX_REQUEST_LINE 4096u
#define HTTP_DEFAULT_MAX_HEADER_BYTES 16384u
#define HTTP_DEFAULT_MAX_HEADERS 64u
#define HTTP_DEFAULT_MAX_BODY 65536u

/* Longest method name classified; longer ones are unknown methods (501). */
#define HTTP_METHOD_MAX 16u

struct http_req_parser {
	/* ---- the request, valid after HTTP_PARSE_DONE until the next call ---- */
	axip_u8 method;        /* enum http_method */
	axip_u8 minor;         /* HTTP/1.<minor>: 0 or 1 (1.x with x > 1 reads as 1) */
	axip_u8 keep_alive;    /* the connection stays open after the response */
	axip_u8 has_host;
	char *target;          /* the request-target as received, NUL-terminated */
	axip_u32 target_len;
	axip_u64 content_length;
	/* ---- after HTTP_PARSE_ERROR: the status code to answer with ---- */
	axip_u16 status;
	const char *reason;    /* short explanation, for logs and the error body */

	/* ---- private ---- */
	struct http_req_limits lim;
	axip_u32 target_cap;
	axip_u8 state;
	axip_u8 idx;           /* position inside the method / version / name buffer */
	axip_u8 hdr;           /* header being read (private enum) */
	axip_u8 val_ws;        /* whitespace seen inside a Host / Content-Length value */
	axip_u8 conn_close, conn_keep_alive, has_cl, has_te;
	axip_u8 cl_digits, cl_any, tok_len;
	char buf[HTTP_METHOD_MAX + 2]; /* method, version or header-name prefix */
	char tok[12];          /* current Connection token, lowercase */
	axip_u32 line_bytes, header_bytes, n_headers;
	axip_u64 cl_field;     /* Content-Length value of the field being read */
	axip_u64 skip;         /* body bytes still to discard */
};

/* Prepare a parser. `target_buf` holds lim->max_request_line + 1 bytes and
 * must stay valid as long as the parser. */
void http_req_parser_init(struct http_req_parser *p, char *target_buf,
                          const struct http_req_limits *lim);

/*
 * Feed `len` bytes. Returns how many were consumed and sets *ev. After
 * HTTP_PARSE_DONE, feed the bytes not consumed (the next pipelined request,
 * or the body of this one) in a later call; after HTTP_PARSE_ERROR the
 * parser stays in error and consumes nothing more.
 */
axip_u32 http_req_parse(struct http_req_parser *p, const axip_u8 *data, axip_u32 len, int *ev);

/* The parser is between requests (nothing of a next request seen yet, no
 * body bytes pending): a peer that closes now loses nothing. */
int http_req_idle(const struct http_req_parser *p);

#endif
