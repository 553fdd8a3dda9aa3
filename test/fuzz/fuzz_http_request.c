/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_http_request.c - the HTTP/1.1 request-head parser of axip-httpd
 * (examples/http/http_request.h) and the request-target decoding
 * (http_uri.h), on arbitrary bytes.
 *
 * Input: byte 0 chooses the limits (bits 0-1 request line 16/64/256/4096,
 * bits 2-3 header bytes 32/256/2048/16384, bits 4-5 header lines 1/4/16/64,
 * bits 6-7 body 0/10/1000/65536), byte 1 seeds the chunk sizes, the rest is
 * the byte stream a client sent (pipelined requests, bodies).
 *
 * The stream is parsed twice: in one piece and in chunks of 1 to 16 bytes.
 * The parser is documented as a byte-wise state machine, so both runs must
 * report the same sequence of requests (method, version, keep-alive, Host,
 * Content-Length, target) and errors (status). Each result is checked
 * against the parser's contract (bounds, NUL-terminated target, status
 * range), and every complete target goes through http_target_to_path(),
 * whose result must be a NUL-terminated path starting with '/' with no ".."
 * segment.
 */
#include "fuzz_util.h"
#include "http_request.h"
#include "http_uri.h"

#define MAX_EVENTS 64

struct event {
	int ev;
	uint8_t method, minor, keep_alive, has_host;
	uint64_t content_length;
	uint16_t status;
	uint32_t target_len;
	uint32_t target_hash;
};

struct trace {
	struct event e[MAX_EVENTS];
	unsigned n;
};

static uint32_t fnv(const char *p, uint32_t n)
{
	uint32_t h = 2166136261u;
	while (n--) {
		h ^= (uint8_t)*p++;
		h *= 16777619u;
	}
	return h;
}

static void check_path(const struct http_req_parser *p)
{
	char buf[4096 + 1];
	uint32_t path_len = 0, i;
	int rc;
	memcpy(buf, p->target, p->target_len + 1);
	rc = http_target_to_path(buf, p->target_len, &path_len);
	if (rc != 0) {
		FUZZ_CHECK(rc == 400 || rc == 403);
		return;
	}
	FUZZ_CHECK(path_len >= 1 && path_len <= p->target_len);
	FUZZ_CHECK(buf[0] == '/' && buf[path_len] == '\0');
	FUZZ_CHECK(strlen(buf) == path_len); /* no NUL decoded into the path */
	/* nothing outside the document root: no ".." segment survives */
	for (i = 0; i + 2 <= path_len; i++) {
		if (buf[i] == '.' && buf[i + 1] == '.' && (i == 0 || buf[i - 1] == '/') &&
		    (i + 2 == path_len || buf[i + 2] == '/'))
			FUZZ_CHECK(0);
	}
}

/* Record one parse result and check it against the contract. */
static int record(struct trace *t, const struct http_req_parser *p, int ev,
                  const struct http_req_limits *lim)
{
	struct event *e;
	if (ev == HTTP_PARSE_MORE || t->n == MAX_EVENTS)
		return ev == HTTP_PARSE_ERROR;
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->ev = ev;
	if (ev == HTTP_PARSE_DONE) {
		FUZZ_CHECK(p->method == HTTP_METHOD_GET || p->method == HTTP_METHOD_HEAD);
		FUZZ_CHECK(p->minor <= 1);
		FUZZ_CHECK(p->target_len <= lim->max_request_line);
		FUZZ_CHECK(p->target[p->target_len] == '\0');
		FUZZ_CHECK(p->content_length <= lim->max_body);
		e->method = p->method;
		e->minor = p->minor;
		e->keep_alive = p->keep_alive;
		e->has_host = p->has_host;
		e->content_length = p->content_length;
		e->target_len = p->target_len;
		e->target_hash = fnv(p->target, p->target_len);
		check_path(p);
	} else {
		FUZZ_CHECK(ev == HTTP_PARSE_ERROR);
		FUZZ_CHECK(p->status >= 400 && p->status <= 599 && p->reason != NULL);
		FUZZ_CHECK(!p->keep_alive);
		e->status = p->status;
	}
	return ev == HTTP_PARSE_ERROR;
}

/* Parse `data` fed in chunks (0 = all at once; else sizes from `seed`). */
static void run(const uint8_t *data, uint32_t len, const struct http_req_limits *lim, uint32_t seed,
                struct trace *t)
{
	struct http_req_parser p;
	char *target = malloc(lim->max_request_line + 1);
	uint32_t off = 0;
	FUZZ_CHECK(target != NULL);
	http_req_parser_init(&p, target, lim);
	t->n = 0;
	while (off < len) {
		uint32_t piece = len - off, used = 0;
		if (seed) {
			seed = seed * 1103515245u + 12345u;
			if (piece > 1 + ((seed >> 16) & 15))
				piece = 1 + ((seed >> 16) & 15);
		}
		/* a chunk is fed until it is used up, as a server does with a buffer */
		while (used < piece) {
			int ev = -1;
			uint32_t n = http_req_parse(&p, data + off + used, piece - used, &ev);
			FUZZ_CHECK(n <= piece - used);
			FUZZ_CHECK(ev == HTTP_PARSE_MORE || ev == HTTP_PARSE_DONE || ev == HTTP_PARSE_ERROR);
			if (ev == HTTP_PARSE_MORE)
				FUZZ_CHECK(n == piece - used);
			used += n;
			if (record(t, &p, ev, lim)) {
				/* an error is final: nothing more is consumed */
				FUZZ_CHECK(http_req_parse(&p, data + off + used, piece - used, &ev) == 0 &&
				           ev == HTTP_PARSE_ERROR);
				free(target);
				return;
			}
		}
		off += piece;
	}
	free(target);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t line[4] = {16, 64, 256, 4096}, hdr[4] = {32, 256, 2048, 16384},
	                      nhdr[4] = {1, 4, 16, 64};
	static const uint64_t body[4] = {0, 10, 1000, 65536};
	struct fuzz_in in = {data, size};
	struct http_req_limits lim;
	static struct trace whole, chunked;
	uint8_t conf = fin_u8(&in), seed = fin_u8(&in);
	unsigned i;

	lim.max_request_line = line[conf & 3];
	lim.max_header_bytes = hdr[(conf >> 2) & 3];
	lim.max_headers = nhdr[(conf >> 4) & 3];
	lim.max_body = body[conf >> 6];
	run(in.p, (uint32_t)in.n, &lim, 0, &whole);
	run(in.p, (uint32_t)in.n, &lim, 1u + seed, &chunked);
	FUZZ_CHECK(whole.n == chunked.n);
	for (i = 0; i < whole.n; i++) {
		const struct event *a = &whole.e[i], *b = &chunked.e[i];
		if (a->ev != b->ev || a->method != b->method || a->minor != b->minor ||
		    a->keep_alive != b->keep_alive || a->has_host != b->has_host ||
		    a->content_length != b->content_length || a->status != b->status ||
		    a->target_len != b->target_len || a->target_hash != b->target_hash) {
			fprintf(stderr, "event %u differs: whole ev %d status %u, chunked ev %d status %u\n",
			        i, a->ev, a->status, b->ev, b->status);
			abort();
		}
	}
	return 0;
}
