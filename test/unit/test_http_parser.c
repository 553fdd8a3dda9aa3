/* SPDX-License-Identifier: BSD-2-Clause */
/* test_http_parser.c - the HTTP request and response parsers, target decoding and URL
 * parsing; every input is fed whole, byte by byte and in seeded random splits, and
 * every way must give the same result. */
#include "test.h"
#include "sim.h"
#include "http_request.h"
#include "http_response.h"
#include "http_uri.h"
#include "httpd_files.h"

#include <stddef.h>

/* ---- request parser ---- */

#define MAX_RESULTS 8

struct req_result {
	int ev;
	unsigned status;
	int method, minor, keep_alive;
	unsigned long long content_length;
	char target[256];
};

struct req_run {
	int n;
	struct req_result r[MAX_RESULTS];
	int idle_at_end;
};

static uint32_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static const struct http_req_limits small_limits = {256, 1024, 16, 1000};

/* Feed `in` in pieces: split 0 = whole, 1 = byte by byte, 2+ = random pieces (seeded). */
static void run_req(const char *in, size_t len, int split, const struct http_req_limits *lim,
                    struct req_run *out)
{
	static char target_buf[4097];
	struct http_req_parser p;
	size_t pos = 0;
	memset(out, 0, sizeof(*out));
	http_req_parser_init(&p, target_buf, lim ? lim : &small_limits);
	rng_state = (uint32_t)split * 7919u;
	while (pos < len) {
		size_t piece = split == 0 ? len - pos : split == 1 ? 1 : 1 + rnd() % 23;
		size_t off = 0;
		if (piece > len - pos)
			piece = len - pos;
		while (off < piece) {
			int ev;
			axip_u32 n = http_req_parse(&p, (const axip_u8 *)in + pos + off,
			                            (axip_u32)(piece - off), &ev);
			off += n;
			if (ev == HTTP_PARSE_MORE)
				break;
			if (out->n < MAX_RESULTS) {
				struct req_result *r = &out->r[out->n++];
				r->ev = ev;
				r->status = ev == HTTP_PARSE_ERROR ? p.status : 0;
				r->method = p.method;
				r->minor = p.minor;
				r->keep_alive = p.keep_alive;
				r->content_length = p.content_length;
				if (ev == HTTP_PARSE_DONE)
					snprintf(r->target, sizeof(r->target), "%s", p.target);
			}
			if (ev == HTTP_PARSE_ERROR) {
				/* an errored parser takes nothing more */
				CHECK_EQ(http_req_parse(&p, (const axip_u8 *)"x", 1, &ev), 0);
				CHECK_EQ(ev, HTTP_PARSE_ERROR);
				out->idle_at_end = http_req_idle(&p);
				return;
			}
		}
		pos += piece;
	}
	out->idle_at_end = http_req_idle(&p);
}

/* Run with every feeding strategy; all must agree with the whole-buffer run. */
static void parse_all_ways(const char *in, const struct http_req_limits *lim, struct req_run *out)
{
	size_t len = strlen(in);
	int split;
	run_req(in, len, 0, lim, out);
	for (split = 1; split < 12; split++) {
		struct req_run other;
		int i;
		run_req(in, len, split, lim, &other);
		CHECK_EQ(other.n, out->n);
		for (i = 0; i < out->n && i < other.n; i++) {
			CHECK_EQ(other.r[i].ev, out->r[i].ev);
			CHECK_EQ(other.r[i].status, out->r[i].status);
			CHECK_EQ(other.r[i].method, out->r[i].method);
			CHECK_EQ(other.r[i].keep_alive, out->r[i].keep_alive);
			CHECK_EQ(other.r[i].content_length, out->r[i].content_length);
			CHECK(strcmp(other.r[i].target, out->r[i].target) == 0);
		}
		CHECK_EQ(other.idle_at_end, out->idle_at_end);
	}
}

/* One request expected to fail with `status`. */
static void expect_error(const char *in, unsigned status)
{
	struct req_run run;
	parse_all_ways(in, NULL, &run);
	CHECK_EQ(run.n, 1);
	CHECK_EQ(run.r[0].ev, HTTP_PARSE_ERROR);
	if (run.r[0].status != status)
		fprintf(stderr, "input %s: status %u, expected %u\n", in, run.r[0].status, status);
	CHECK_EQ(run.r[0].status, status);
}

/* One complete request expected. */
static struct req_result expect_ok(const char *in)
{
	struct req_run run;
	parse_all_ways(in, NULL, &run);
	CHECK_EQ(run.n, 1);
	CHECK_EQ(run.r[0].ev, HTTP_PARSE_DONE);
	if (run.r[0].ev != HTTP_PARSE_DONE)
		fprintf(stderr, "input %s: status %u\n", in, run.r[0].status);
	return run.r[0];
}

static void test_simple_get(void)
{
	struct req_result r = expect_ok("GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\n"
	                                "User-Agent: t\r\nAccept: */*\r\n\r\n");
	CHECK_EQ(r.method, HTTP_METHOD_GET);
	CHECK_EQ(r.minor, 1);
	CHECK_EQ(r.keep_alive, 1);
	CHECK(strcmp(r.target, "/index.html?x=1") == 0);
	r = expect_ok("HEAD / HTTP/1.1\r\nhOsT:   10.0.0.1:8080  \r\n\r\n");
	CHECK_EQ(r.method, HTTP_METHOD_HEAD);
	/* absolute-form target (RFC 9112 3.2.2) */
	r = expect_ok("GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n");
	CHECK(strcmp(r.target, "http://h/x") == 0);
	/* empty Host is allowed (RFC 9112 3.2), and field values may be empty */
	r = expect_ok("GET / HTTP/1.1\r\nHost:\r\nX-Empty:\r\n\r\n");
	CHECK_EQ(r.keep_alive, 1);
}

static void test_line_endings_and_leading_empty_lines(void)
{
	struct req_result r = expect_ok("\r\n\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n");
	CHECK(strcmp(r.target, "/a") == 0);
	/* bare LF terminates lines (RFC 9112 2.2) */
	r = expect_ok("GET /b HTTP/1.1\nHost: h\nX: y\n\n");
	CHECK(strcmp(r.target, "/b") == 0);
	/* trailing whitespace in values is not part of them */
	r = expect_ok("GET / HTTP/1.1\r\nHost: h \t\r\nConnection: close \r\n\r\n");
	CHECK_EQ(r.keep_alive, 0);
}

static void test_keep_alive_rules(void)
{
	CHECK_EQ(expect_ok("GET / HTTP/1.1\r\nHost: h\r\n\r\n").keep_alive, 1);
	CHECK_EQ(expect_ok("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").keep_alive, 0);
	CHECK_EQ(expect_ok("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n").keep_alive, 0);
	CHECK_EQ(expect_ok("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n"
	                   "Connection: close\r\n\r\n").keep_alive, 0);
	CHECK_EQ(expect_ok("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n").keep_alive, 1);
	CHECK_EQ(expect_ok("GET / HTTP/1.0\r\n\r\n").keep_alive, 0);
	CHECK_EQ(expect_ok("GET / HTTP/1.0\r\n\r\n").minor, 0);
	CHECK_EQ(expect_ok("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive, 1);
	CHECK_EQ(expect_ok("GET / HTTP/1.0\r\nConnection: keep-alive,close\r\n\r\n").keep_alive, 0);
	/* HTTP/1.x with x > 1 reads as 1.1 (RFC 9112 2.3) */
	CHECK_EQ(expect_ok("GET / HTTP/1.7\r\nHost: h\r\n\r\n").minor, 1);
	CHECK_EQ(expect_ok("GET / HTTP/1.7\r\nHost: h\r\n\r\n").keep_alive, 1);
}

static void test_pipelined(void)
{
	static const char in[] =
	    "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	    "HEAD /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
	    "GET /c HTTP/1.0\r\n\r\n"
	    "GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
	struct req_run run;
	parse_all_ways(in, NULL, &run);
	REQUIRE(run.n == 4);
	CHECK(strcmp(run.r[0].target, "/a") == 0);
	CHECK(strcmp(run.r[1].target, "/b") == 0);
	CHECK_EQ(run.r[1].method, HTTP_METHOD_HEAD);
	CHECK_EQ(run.r[1].content_length, 5);
	CHECK(strcmp(run.r[2].target, "/c") == 0);
	CHECK_EQ(run.r[2].keep_alive, 0);
	CHECK(strcmp(run.r[3].target, "/d") == 0);
	CHECK_EQ(run.r[3].keep_alive, 0);
	CHECK_EQ(run.idle_at_end, 1);
}

static void test_idle(void)
{
	struct req_run run;
	/* a partial second request, or an unread body, is not idle */
	parse_all_ways("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGE", NULL, &run);
	CHECK_EQ(run.n, 1);
	CHECK_EQ(run.idle_at_end, 0);
	parse_all_ways("GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nab", NULL, &run);
	CHECK_EQ(run.n, 1);
	CHECK_EQ(run.idle_at_end, 0);
	parse_all_ways("GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", NULL, &run);
	CHECK_EQ(run.idle_at_end, 1);
}

static void test_method_errors(void)
{
	expect_error("POST / HTTP/1.1\r\nHost: h\r\n\r\n", 405);
	expect_error("DELETE / HTTP/1.1\r\n", 405);
	expect_error("OPTIONS * HTTP/1.1\r\n", 405);
	expect_error("BREW / HTTP/1.1\r\n", 501);
	expect_error("get / HTTP/1.1\r\n", 501); /* methods are case-sensitive */
	expect_error("ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n", 501);
	expect_error("G(T / HTTP/1.1\r\n", 400);
	expect_error(" GET / HTTP/1.1\r\n", 400);
	expect_error("\x01GET / HTTP/1.1\r\n", 400);
}

static void test_request_line_errors(void)
{
	expect_error("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET /<x> HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET /\x80 HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400);
	expect_error("GET / http/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400);
	expect_error("GET / HTTP/1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\rHost: h\r\n\r\n", 400);
	expect_error("GET /\r\n\r\n", 400); /* HTTP/0.9 request line */
	/* RFC 9112 2.3 / RFC 9110 15.6.6 */
	expect_error("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505);
	expect_error("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505);
	expect_error("GET / HTTP/3.0\r\n\r\n", 505);
}

static void test_header_errors(void)
{
	expect_error("GET / HTTP/1.1\r\n\r\n", 400);                         /* no Host */
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);  /* two Hosts */
	expect_error("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);            /* space before colon */
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  folded\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\n: empty-name\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400);  /* bare CR */
	expect_error("GET / HTTP/1.1\r\nHost: a\r\n\rX", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n", 400);
	{
		/* NUL inside a value (strlen cannot carry it: fed by hand) */
		static const char in[] = "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
		struct req_run run;
		run_req(in, sizeof(in) - 1, 0, NULL, &run);
		CHECK_EQ(run.n, 1);
		CHECK_EQ(run.r[0].status, 400);
		run_req(in, sizeof(in) - 1, 1, NULL, &run);
		CHECK_EQ(run.r[0].status, 400);
	}
}

static void test_body_framing_errors(void)
{
	struct req_result r;
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1,1\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", 413);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501);
	expect_error("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	             "Content-Length: 5\r\n\r\n", 400);
	/* repeated identical Content-Length, leading zeros */
	r = expect_ok("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 003\r\n\r\nabc");
	CHECK_EQ(r.content_length, 3);
	r = expect_ok("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0000000000000000000000001000\r\n\r\n");
	CHECK_EQ(r.content_length, 1000);
}

static void test_limits(void)
{
	char buf[4096];
	struct req_run run;
	struct http_req_limits lim = small_limits;
	int i, n;

	/* target of 250 bytes fits a 256-byte line with "GET " and " HTTP/1.1" cut short... */
	n = snprintf(buf, sizeof(buf), "GET /");
	for (i = 0; i < 240; i++)
		buf[n++] = 'a';
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, " HTTP/1.1\r\nHost: h\r\n\r\n");
	parse_all_ways(buf, NULL, &run);
	CHECK_EQ(run.r[0].ev, HTTP_PARSE_DONE);
	CHECK_EQ(strlen(run.r[0].target), 241);
	/* ...a longer target is a 414 */
	n = snprintf(buf, sizeof(buf), "GET /");
	for (i = 0; i < 300; i++)
		buf[n++] = 'a';
	snprintf(buf + n, sizeof(buf) - (size_t)n, " HTTP/1.1\r\nHost: h\r\n\r\n");
	expect_error(buf, 414);
	/* endless empty lines before a request line */
	n = 0;
	for (i = 0; i < 200; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n");
	expect_error(buf, 400);
	/* header section over 1024 bytes */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\nX-Big: ");
	for (i = 0; i < 1100; i++)
		buf[n++] = 'v';
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n\r\n");
	expect_error(buf, 431);
	/* exactly at the byte limit is fine: "Host: h\r\n" (9) + X line + final CRLF (2) */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\nX: ");
	for (i = 0; i < 1024 - 9 - 2 - 5; i++)
		buf[n++] = 'v';
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n\r\n");
	parse_all_ways(buf, NULL, &run);
	CHECK_EQ(run.r[0].ev, HTTP_PARSE_DONE);
	/* more than 16 header lines */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n");
	for (i = 0; i < 16; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "X-%d: y\r\n", i);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "\r\n");
	expect_error(buf, 431);
	/* 16 lines are fine */
	lim.max_headers = 17;
	parse_all_ways(buf, &lim, &run);
	CHECK_EQ(run.r[0].ev, HTTP_PARSE_DONE);
}

/* Random bytes never crash the parser nor make it read past its input. */
static void test_fuzz_no_crash(void)
{
	static const char alphabet[] = "GET /HTP1.0\r\n: Hostcnig-lk,a%\t\x00\x80";
	char in[200];
	int trial, i;
	for (trial = 0; trial < 3000; trial++) {
		struct req_run run;
		int len = (int)(rnd() % sizeof(in));
		rng_state += (uint32_t)trial;
		memcpy(in, "GET / HTTP/1.1\r\n", 16);
		for (i = 16; i < len; i++)
			in[i] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		run_req(in, len < 16 ? 16 : (size_t)len, trial % 3, NULL, &run);
		for (i = 0; i < run.n; i++)
			CHECK(run.r[i].ev == HTTP_PARSE_DONE ||
			      (run.r[i].status >= 400 && run.r[i].status < 600));
	}
}

/* ---- request-target to path ---- */

static void expect_path(const char *target, int status, const char *path)
{
	char buf[256];
	axip_u32 len = 0;
	int rc;
	snprintf(buf, sizeof(buf), "%s", target);
	rc = http_target_to_path(buf, (axip_u32)strlen(target), &len);
	if (rc != status || (status == 0 && strcmp(buf, path) != 0))
		fprintf(stderr, "target %s: %d '%s'\n", target, rc, rc ? "" : buf);
	CHECK_EQ(rc, status);
	if (status == 0) {
		CHECK(strcmp(buf, path) == 0);
		CHECK_EQ(len, strlen(path));
	}
}

static void test_target_to_path(void)
{
	expect_path("/", 0, "/");
	expect_path("/a/b.html", 0, "/a/b.html");
	expect_path("/a%20b", 0, "/a b");
	expect_path("/%41%62", 0, "/Ab");
	expect_path("/a?x=../../etc", 0, "/a");
	expect_path("/a/./b/.", 0, "/a/b/");
	expect_path("/./", 0, "/");
	expect_path("//a//b", 0, "/a/b");
	expect_path("/.../x", 0, "/.../x");
	expect_path("/..a/x", 0, "/..a/x");
	expect_path("http://h/x?y", 0, "/x");
	expect_path("HTTP://h:80", 0, "/");
	expect_path("http://h?q", 0, "/");
	/* traversal, however spelt (RFC 3986 2.1 decoding first) */
	expect_path("/../etc/passwd", 403, "");
	expect_path("/a/..", 403, "");
	expect_path("/a/../b", 403, "");
	expect_path("/%2e%2e/etc", 403, "");
	expect_path("/%2E./etc", 403, "");
	expect_path("/a%2f..%2fb", 403, "");
	expect_path("http://h/../x", 403, "");
	/* malformed */
	expect_path("*", 400, "");
	expect_path("a/b", 400, "");
	expect_path("ftp://h/x", 400, "");
	expect_path("/%zz", 400, "");
	expect_path("/%4", 400, "");
	expect_path("/%", 400, "");
	expect_path("/a%00b", 400, "");
}

static void test_url_parse(void)
{
	struct http_url u;
	const char *err = NULL;
	CHECK_EQ(http_url_parse("http://10.0.0.1/x/y?z#frag", &u, &err), 0);
	CHECK_EQ(u.addr, AXIP_IP4(10, 0, 0, 1));
	CHECK_EQ(u.port, 80);
	CHECK_EQ(u.path_len, 6);
	CHECK(strncmp(u.path, "/x/y?z", u.path_len) == 0);
	CHECK(strcmp(u.host, "10.0.0.1") == 0);
	CHECK_EQ(http_url_parse("HTTP://192.168.1.254:8080", &u, &err), 0);
	CHECK_EQ(u.addr, AXIP_IP4(192, 168, 1, 254));
	CHECK_EQ(u.port, 8080);
	CHECK(strcmp(u.path, "/") == 0);
	CHECK(strcmp(u.host, "192.168.1.254:8080") == 0);
	CHECK_EQ(http_url_parse("https://10.0.0.1/", &u, &err), -1);
	CHECK(strstr(err, "https") != NULL);
	CHECK_EQ(http_url_parse("10.0.0.1/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://example.com/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://10.0.0/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://10.0.0.256/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://10.0.0.1.5/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://10.0.0.1:0/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://10.0.0.1:65536/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://10.0.0.1:/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://10.0.0.1/a b", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://10.0.0.1?q", &u, &err), -1);
	/* IPv6 literals (RFC 3986 3.2.2) */
	CHECK_EQ(http_url_parse("http://[fd00:1::2]:8080/big.bin", &u, &err), 0);
	CHECK_EQ(u.ip6, 1);
	CHECK_EQ(u.addr6[0], 0xfd);
	CHECK_EQ(u.addr6[3], 1);
	CHECK_EQ(u.addr6[15], 2);
	CHECK_EQ(u.port, 8080);
	CHECK(strcmp(u.host, "[fd00:1::2]:8080") == 0);
	CHECK(strncmp(u.path, "/big.bin", u.path_len) == 0);
	CHECK_EQ(http_url_parse("http://[::1]", &u, &err), 0);
	CHECK_EQ(u.port, 80);
	CHECK_EQ(u.addr6[15], 1);
	CHECK(strcmp(u.path, "/") == 0);
	CHECK_EQ(http_url_parse("http://10.0.0.1/", &u, &err), 0);
	CHECK_EQ(u.ip6, 0);
	CHECK_EQ(http_url_parse("http://[fd00::1/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://[fd00::g]/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://[10.0.0.1]/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://[fe80::1%eth0]/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://[fd00::1]x/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://[fd00::1]:0/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://[]/", &u, &err), -1);
	CHECK_EQ(http_url_parse("http://[1:2:3:4:5:6:7:8:9:10:11:12:13:14:15:16:17]/", &u, &err), -1);
}

static void test_content_type(void)
{
	CHECK(strcmp(httpd_content_type("/a/index.html"), "text/html; charset=utf-8") == 0);
	CHECK(strcmp(httpd_content_type("x.PNG"), "image/png") == 0);
	CHECK(strcmp(httpd_content_type("/a.b/noext"), "application/octet-stream") == 0);
	CHECK(strcmp(httpd_content_type("archive.tar.gz"), "application/gzip") == 0);
}

/* ---- response parser ---- */

struct resp_run {
	int ev;
	int status;
	axip_u32 consumed;
	char body[4096];
	size_t body_len;
	const char *err;
	struct http_resp_parser p;
};

static int collect_body(void *arg, const axip_u8 *d, axip_u32 n)
{
	struct resp_run *r = arg;
	if (r->body_len + n > sizeof(r->body))
		return -1;
	memcpy(r->body + r->body_len, d, n);
	r->body_len += n;
	return 0;
}

/* Parse one response fed with `split` (as in run_req); eof: the connection
 * closes after the input. */
static void run_resp(const char *in, size_t len, int split, int head, int eof, struct resp_run *r)
{
	size_t pos = 0;
	memset(r, 0, offsetof(struct resp_run, p));
	http_resp_parser_init(&r->p, head, 512, collect_body, r);
	rng_state = (uint32_t)split * 104729u;
	r->ev = HTTP_RESP_MORE;
	while (pos < len && r->ev == HTTP_RESP_MORE) {
		size_t piece = split == 0 ? len - pos : split == 1 ? 1 : 1 + rnd() % 17;
		axip_u32 n;
		if (piece > len - pos)
			piece = len - pos;
		n = http_resp_parse(&r->p, (const axip_u8 *)in + pos, (axip_u32)piece, &r->ev);
		r->consumed += n;
		pos += piece;
	}
	if (eof && r->ev == HTTP_RESP_MORE)
		r->ev = http_resp_eof(&r->p);
	r->status = r->p.status;
	r->err = r->p.err;
}

static void expect_resp(const char *in, int head, int eof, int ev, int status, const char *body,
                        size_t consumed)
{
	int split;
	for (split = 0; split < 10; split++) {
		struct resp_run r;
		run_resp(in, strlen(in), split, head, eof, &r);
		if (r.ev != ev)
			fprintf(stderr, "response %.40s... split %d: ev %d err %s\n", in, split, r.ev,
			        r.err ? r.err : "-");
		CHECK_EQ(r.ev, ev);
		if (ev == HTTP_RESP_DONE) {
			CHECK_EQ(r.status, status);
			CHECK_EQ(r.body_len, strlen(body));
			CHECK(memcmp(r.body, body, r.body_len) == 0);
			CHECK_EQ(r.p.body_bytes, strlen(body));
			if (consumed)
				CHECK_EQ(r.consumed, consumed);
		} else if (ev == HTTP_RESP_ERROR) {
			CHECK(r.err != NULL);
		}
	}
}

static void test_response_parser(void)
{
	static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhelloEXTRA";
	static const char chunked[] =
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
	    "5\r\nhello\r\n1;ext=\"v\"\r\n \r\nA \r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	expect_resp(cl, 0, 0, HTTP_RESP_DONE, 200, "hello", sizeof(cl) - 1 - 5);
	expect_resp(chunked, 0, 0, HTTP_RESP_DONE, 200, "hello 0123456789", sizeof(chunked) - 1 - 4);
	/* read until close */
	expect_resp("HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it", 0, 1, HTTP_RESP_DONE, 200,
	            "all of it", 0);
	expect_resp("HTTP/1.1 404 Not Found\nContent-Length: 0\n\n", 0, 0, HTTP_RESP_DONE, 404, "", 0);
	/* no reason phrase at all */
	expect_resp("HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx", 0, 0, HTTP_RESP_DONE, 200, "x", 0);
	/* HEAD, 204 and 304 have no body whatever the headers say */
	expect_resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 1, 0, HTTP_RESP_DONE, 200, "", 0);
	expect_resp("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 0, 0, HTTP_RESP_DONE, 204,
	            "", 0);
	/* interim responses are skipped */
	expect_resp("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
	            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	            0, 0, HTTP_RESP_DONE, 200, "ok", 0);
	/* errors */
	expect_resp("HTTP/2 200 OK\r\n\r\n", 0, 0, HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/2.0 200 OK\r\n\r\n", 0, 0, HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("ICY 200 OK\r\n\r\n", 0, 0, HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 2000 OK\r\n\r\n", 0, 0, HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 101 Switching Protocols\r\n\r\n", 0, 0, HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 200 OK\r\nBad Header\r\n\r\n", 0, 0, HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0, 0,
	            HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 0, 0, HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX", 0, 0,
	            HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 0,
	            HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abcdef0\r\n", 0, 0,
	            HTTP_RESP_ERROR, 0, "", 0);
	/* cut short by the close */
	expect_resp("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 1, HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 0, 1,
	            HTTP_RESP_ERROR, 0, "", 0);
	expect_resp("HTTP/1.1 200 OK\r\nContent-", 0, 1, HTTP_RESP_ERROR, 0, "", 0);
	{
		/* head over the 512-byte limit */
		char big[1024];
		int n = snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nX: ");
		memset(big + n, 'a', 600);
		snprintf(big + n + 600, sizeof(big) - (size_t)n - 600, "\r\n\r\n");
		expect_resp(big, 0, 0, HTTP_RESP_ERROR, 0, "", 0);
	}
}

int main(void)
{
	RUN_TEST(test_simple_get);
	RUN_TEST(test_line_endings_and_leading_empty_lines);
	RUN_TEST(test_keep_alive_rules);
	RUN_TEST(test_pipelined);
	RUN_TEST(test_idle);
	RUN_TEST(test_method_errors);
	RUN_TEST(test_request_line_errors);
	RUN_TEST(test_header_errors);
	RUN_TEST(test_body_framing_errors);
	RUN_TEST(test_limits);
	RUN_TEST(test_fuzz_no_crash);
	RUN_TEST(test_target_to_path);
	RUN_TEST(test_url_parse);
	RUN_TEST(test_content_type);
	RUN_TEST(test_response_parser);
	return test_summary();
}
