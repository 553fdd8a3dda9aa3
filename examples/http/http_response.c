/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_response.c - incremental HTTP/1.1 response parser (RFC 9112).
 */
#include "http_response.h"
#include "http_chars.h"

#include <stddef.h>
#include <string.h>

enum resp_state {
	R_STATUS_LINE,
	R_HEADER_LINE,
	R_BODY_LENGTH,   /* Content-Length bytes left */
	R_BODY_CLOSE,    /* until the connection closes */
	R_CHUNK_SIZE,    /* chunk-size [ chunk-ext ] line */
	R_CHUNK_DATA,
	R_CHUNK_CR,      /* CRLF after chunk data */
	R_CHUNK_LF,
	R_TRAILER_LINE,
	R_DONE,
	R_ERROR
};

/* Chunk sizes and Content-Length values past 2^60 are refused so that the
 * accumulation cannot overflow. */
#define MAX_NUMBER_DIGITS_HEX 15u
#define MAX_NUMBER_DIGITS_DEC 18u

void http_resp_parser_init(struct http_resp_parser *p, int head_request, axip_u32 max_header_bytes,
                           http_body_fn body, void *arg)
{
	memset(p, 0, offsetof(struct http_resp_parser, line));
	p->head_request = (axip_u8)(head_request != 0);
	p->max_header_bytes = max_header_bytes ? max_header_bytes : 65536u;
	p->body = body;
	p->arg = arg;
	p->state = R_STATUS_LINE;
}

static axip_u8 fail(struct http_resp_parser *p, const char *err)
{
	p->err = err;
	return R_ERROR;
}

/* Case-insensitive comparison of n bytes against a lowercase literal. */
static int eq_ci(const char *s, axip_u32 n, const char *lit)
{
	axip_u32 i;
	if (strlen(lit) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (http_lower((axip_u8)s[i]) != lit[i])
			return 0;
	return 1;
}

/* RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ] */
static axip_u8 status_line(struct http_resp_parser *p)
{
	const char *l = p->line;
	if (p->line_len < 12 || memcmp(l, "HTTP/", 5) != 0 || !http_is_digit((axip_u8)l[5]) ||
	    l[6] != '.' || !http_is_digit((axip_u8)l[7]) || l[8] != ' ' ||
	    !http_is_digit((axip_u8)l[9]) || !http_is_digit((axip_u8)l[10]) ||
	    !http_is_digit((axip_u8)l[11]) || (p->line_len > 12 && l[12] != ' '))
		return fail(p, "malformed status line");
	if (l[5] != '1')
		return fail(p, "server answered with an HTTP version other than 1.x");
	p->minor = (axip_u8)(l[7] - '0');
	p->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (p->status < 100)
		return fail(p, "malformed status code");
	return R_HEADER_LINE;
}

/* The last token of a comma-separated list (RFC 9110 5.6.1). */
static void last_list_token(const char *v, axip_u32 n, const char **tok, axip_u32 *tok_len)
{
	axip_u32 end = n, start;
	while (end > 0 && (v[end - 1] == ' ' || v[end - 1] == '\t' || v[end - 1] == ','))
		end--;
	start = end;
	while (start > 0 && v[start - 1] != ',' && v[start - 1] != ' ' && v[start - 1] != '\t')
		start--;
	*tok = v + start;
	*tok_len = end - start;
}

static axip_u8 header_line(struct http_resp_parser *p)
{
	const char *l = p->line;
	axip_u32 n = p->line_len, name_len = 0, v, vend;

	while (name_len < n && http_is_tchar((axip_u8)l[name_len]))
		name_len++;
	/* RFC 9112 5.1: field-name ":" OWS field-value OWS */
	if (name_len == 0 || name_len >= n || l[name_len] != ':')
		return fail(p, "malformed header line");
	v = name_len + 1;
	while (v < n && (l[v] == ' ' || l[v] == '\t'))
		v++;
	vend = n;
	while (vend > v && (l[vend - 1] == ' ' || l[vend - 1] == '\t'))
		vend--;
	if (eq_ci(l, name_len, "content-length")) {
		axip_u64 cl = 0;
		axip_u32 i;
		if (vend == v || vend - v > MAX_NUMBER_DIGITS_DEC)
			return fail(p, "invalid Content-Length");
		for (i = v; i < vend; i++) {
			if (!http_is_digit((axip_u8)l[i]))
				return fail(p, "invalid Content-Length");
			cl = cl * 10u + (axip_u64)(l[i] - '0');
		}
		/* RFC 9112 6.3 item 5 */
		if (p->has_length && cl != p->content_length)
			return fail(p, "conflicting Content-Length headers");
		p->has_length = 1;
		p->content_length = cl;
	} else if (eq_ci(l, name_len, "transfer-encoding")) {
		/* RFC 9112 6.3 item 4: chunked must be the final coding */
		const char *tok;
		axip_u32 tok_len;
		last_list_token(l + v, vend - v, &tok, &tok_len);
		p->te_seen = 1;
		p->chunked = (axip_u8)eq_ci(tok, tok_len, "chunked");
	} else if (eq_ci(l, name_len, "connection")) {
		axip_u32 i = v;
		while (i < vend) {
			axip_u32 s;
			while (i < vend && (l[i] == ',' || l[i] == ' ' || l[i] == '\t'))
				i++;
			s = i;
			while (i < vend && l[i] != ',' && l[i] != ' ' && l[i] != '\t')
				i++;
			if (eq_ci(l + s, i - s, "close"))
				p->conn_close = 1;
		}
	}
	return R_HEADER_LINE;
}

/* The empty line ending a head: choose the body framing (RFC 9112 6.3). */
static axip_u8 end_of_head(struct http_resp_parser *p)
{
	if (p->status < 200) {
		/* RFC 9110 15.2: interim responses precede the final one; 101
		 * would switch protocols, which this client never asks for */
		if (p->status == 101)
			return fail(p, "unexpected 101 Switching Protocols");
		p->has_length = p->chunked = p->te_seen = p->conn_close = 0;
		p->content_length = 0;
		return R_STATUS_LINE;
	}
	p->head_done = 1;
	/* item 1: HEAD responses, 204 and 304 have no body */
	if (p->head_request || p->status == 204 || p->status == 304)
		return R_DONE;
	/* item 4: chunked final coding; another coding is read until close */
	if (p->te_seen) {
		p->has_length = 0;
		return p->chunked ? R_CHUNK_SIZE : R_BODY_CLOSE;
	}
	/* item 6 */
	if (p->has_length) {
		p->remaining = p->content_length;
		return p->remaining ? R_BODY_LENGTH : R_DONE;
	}
	/* item 8 */
	return R_BODY_CLOSE;
}

/* RFC 9112 7.1: chunk-size [ chunk-ext ] CRLF, chunk-size = 1*HEXDIG */
static axip_u8 chunk_size_line(struct http_resp_parser *p)
{
	axip_u64 size = 0;
	axip_u32 i = 0;
	while (i < p->line_len && http_hex_value((axip_u8)p->line[i]) >= 0) {
		if (i >= MAX_NUMBER_DIGITS_HEX)
			return fail(p, "chunk size too large");
		size = size << 4 | (axip_u64)http_hex_value((axip_u8)p->line[i]);
		i++;
	}
	if (i == 0)
		return fail(p, "malformed chunk size");
	/* chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ): ignored */
	while (i < p->line_len && (p->line[i] == ' ' || p->line[i] == '\t'))
		i++;
	if (i < p->line_len && p->line[i] != ';')
		return fail(p, "malformed chunk size");
	if (size == 0)
		return R_TRAILER_LINE; /* last-chunk: the trailer section follows */
	p->remaining = size;
	return R_CHUNK_DATA;
}

/* A complete line sits in p->line (CRLF or LF removed). */
static axip_u8 end_line(struct http_resp_parser *p, axip_u8 st)
{
	switch (st) {
	case R_STATUS_LINE:
		return status_line(p);
	case R_HEADER_LINE:
		return p->line_len == 0 ? end_of_head(p) : header_line(p);
	case R_CHUNK_SIZE:
		return chunk_size_line(p);
	default: /* R_TRAILER_LINE: trailer fields are read and dropped (RFC 9112 7.1.2) */
		return p->line_len == 0 ? R_DONE : R_TRAILER_LINE;
	}
}

static int deliver(struct http_resp_parser *p, const axip_u8 *d, axip_u32 n)
{
	p->body_bytes += n;
	return p->body ? p->body(p->arg, d, n) : 0;
}

axip_u32 http_resp_parse(struct http_resp_parser *p, const axip_u8 *data, axip_u32 len, int *ev)
{
	axip_u32 i = 0;
	axip_u8 st = p->state;

	while (i < len && st != R_DONE && st != R_ERROR) {
		axip_u8 c;
		if (st == R_BODY_LENGTH || st == R_CHUNK_DATA || st == R_BODY_CLOSE) {
			axip_u64 n = len - i;
			if (st != R_BODY_CLOSE && n > p->remaining)
				n = p->remaining;
			if (deliver(p, data + i, (axip_u32)n) != 0) {
				st = fail(p, "body sink failed");
				break;
			}
			i += (axip_u32)n;
			if (st != R_BODY_CLOSE) {
				p->remaining -= n;
				if (p->remaining == 0)
					st = st == R_BODY_LENGTH ? R_DONE : R_CHUNK_CR;
			}
			continue;
		}
		c = data[i++];
		if (st == R_CHUNK_CR || st == R_CHUNK_LF) {
			/* the CRLF that ends chunk data */
			if (st == R_CHUNK_CR && c == '\r')
				st = R_CHUNK_LF;
			else if (c == '\n')
				st = R_CHUNK_SIZE;
			else
				st = fail(p, "missing CRLF after chunk data");
			continue;
		}
		/* a head line, a chunk-size line or a trailer line */
		if (st != R_CHUNK_SIZE && ++p->header_bytes > p->max_header_bytes) {
			st = fail(p, "response header section too large");
			break;
		}
		if (c == '\n') {
			if (p->line_len > 0 && p->line[p->line_len - 1] == '\r')
				p->line_len--;
			st = end_line(p, st);
			p->line_len = 0;
			continue;
		}
		if (p->line_len >= sizeof(p->line)) {
			st = fail(p, "response line too long");
			break;
		}
		p->line[p->line_len++] = (char)c;
	}
	p->state = st;
	*ev = st == R_DONE ? HTTP_RESP_DONE : st == R_ERROR ? HTTP_RESP_ERROR : HTTP_RESP_MORE;
	return i;
}

int http_resp_eof(struct http_resp_parser *p)
{
	switch (p->state) {
	case R_DONE:
		return HTTP_RESP_DONE;
	case R_BODY_CLOSE:
		p->state = R_DONE;
		return HTTP_RESP_DONE;
	case R_ERROR:
		return HTTP_RESP_ERROR;
	default:
		p->state = fail(p, p->head_done ? "connection closed before the end of the body"
		                                 : "connection closed before a complete response head");
		return HTTP_RESP_ERROR;
	}
}
