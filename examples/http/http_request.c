/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_request.c - incremental HTTP/1.1 request-head parser (RFC 9112).
 */
#include "http_request.h"
#include "http_chars.h"

#include <string.h>

enum req_state {
	S_LINE_START,   /* before the request line: empty lines are skipped (RFC 9112 2.2) */
	S_METHOD,
	S_TARGET,
	S_VERSION,
	S_LINE_CR,      /* CR seen at the end of the request line */
	S_FIELD_START,  /* at the start of a header line */
	S_FIELD_NAME,
	S_VALUE_OWS,    /* leading whitespace of a field value */
	S_VALUE,
	S_VALUE_CR,
	S_END_CR,       /* CR of the empty line that ends the head */
	S_DONE,
	S_BODY,         /* discarding a Content-Length body */
	S_ERROR
};

/* Header fields the server acts on. */
enum req_header { H_OTHER, H_HOST, H_CONNECTION, H_CONTENT_LENGTH, H_TRANSFER_ENCODING };

/* Content-Length values beyond this are refused whatever max_body says, so
 * that the decimal accumulation cannot overflow. */
#define CL_MAX_DIGITS 15u

void http_req_parser_init(struct http_req_parser *p, char *target_buf,
                          const struct http_req_limits *lim)
{
	memset(p, 0, sizeof(*p));
	p->lim = *lim;
	p->target = target_buf;
	p->target_cap = lim->max_request_line;
	p->target[0] = '\0';
	p->state = S_LINE_START;
}

int http_req_idle(const struct http_req_parser *p)
{
	return (p->state == S_LINE_START && p->line_bytes == 0) ||
	       (p->state == S_DONE && p->skip == 0);
}

static axip_u8 fail(struct http_req_parser *p, axip_u16 status, const char *reason)
{
	p->status = status;
	p->reason = reason;
	p->keep_alive = 0;
	p->state = S_ERROR;
	return S_ERROR;
}

/* Start over for the next request on the same connection. */
static void next_request(struct http_req_parser *p)
{
	p->method = HTTP_METHOD_NONE;
	p->minor = 0;
	p->keep_alive = 0;
	p->has_host = 0;
	p->target_len = 0;
	p->target[0] = '\0';
	p->content_length = 0;
	p->idx = 0;
	p->hdr = H_OTHER;
	p->val_ws = 0;
	p->conn_close = p->conn_keep_alive = p->has_cl = p->has_te = 0;
	p->cl_digits = p->tok_len = 0;
	p->line_bytes = p->header_bytes = p->n_headers = 0;
	p->cl_field = 0;
	p->state = S_LINE_START;
}

/* RFC 9110 9.1: method names are case-sensitive. GET and HEAD are served;
 * the other methods RFC 9110 section 9.3 and RFC 5789 define get 405 (the
 * resource exists but does not allow them), anything else 501. */
static axip_u8 end_method(struct http_req_parser *p)
{
	static const char *const known[] = {"POST", "PUT", "DELETE", "CONNECT",
	                                    "OPTIONS", "TRACE", "PATCH"};
	unsigned i;
	p->buf[p->idx] = '\0';
	if (strcmp(p->buf, "GET") == 0) {
		p->method = HTTP_METHOD_GET;
		return S_TARGET;
	}
	if (strcmp(p->buf, "HEAD") == 0) {
		p->method = HTTP_METHOD_HEAD;
		return S_TARGET;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(p->buf, known[i]) == 0)
			return fail(p, 405, "method not allowed");
	return fail(p, 501, "method not implemented");
}

/* RFC 9112 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
 * Major version 1 with any minor is served with 1.1 semantics when the
 * minor is 1 or more; another major version gets 505 (RFC 9110 15.6.6). */
static axip_u8 end_version(struct http_req_parser *p)
{
	if (p->idx != 8 || memcmp(p->buf, "HTTP/", 5) != 0 || !http_is_digit((axip_u8)p->buf[5]) ||
	    p->buf[6] != '.' || !http_is_digit((axip_u8)p->buf[7]))
		return fail(p, 400, "malformed HTTP version");
	if (p->buf[5] != '1')
		return fail(p, 505, "HTTP version not supported");
	p->minor = p->buf[7] == '0' ? 0 : 1;
	return S_FIELD_START;
}

/* Which header a lowercase field name (p->buf, p->idx bytes; idx beyond the
 * buffer means a longer name) is. */
static axip_u8 classify_header(const struct http_req_parser *p)
{
	if (p->idx > sizeof(p->buf) - 1)
		return H_OTHER;
	if (p->idx == 4 && memcmp(p->buf, "host", 4) == 0)
		return H_HOST;
	if (p->idx == 10 && memcmp(p->buf, "connection", 10) == 0)
		return H_CONNECTION;
	if (p->idx == 14 && memcmp(p->buf, "content-length", 14) == 0)
		return H_CONTENT_LENGTH;
	if (p->idx == 17 && memcmp(p->buf, "transfer-encoding", 17) == 0)
		return H_TRANSFER_ENCODING;
	return H_OTHER;
}

/* A Connection option ended (RFC 9110 7.6.1: a comma-separated list of
 * case-insensitive tokens). */
static void end_conn_token(struct http_req_parser *p)
{
	if (p->tok_len == 5 && memcmp(p->tok, "close", 5) == 0)
		p->conn_close = 1;
	else if (p->tok_len == 10 && memcmp(p->tok, "keep-alive", 10) == 0)
		p->conn_keep_alive = 1;
	p->tok_len = 0;
}

/* Start of a header field value: the field name is known. */
static axip_u8 begin_field(struct http_req_parser *p)
{
	p->hdr = classify_header(p);
	switch (p->hdr) {
	case H_HOST:
		/* RFC 9112 3.2: more than one Host field line is a 400 */
		if (p->has_host)
			return fail(p, 400, "more than one Host header");
		p->has_host = 1;
		p->val_ws = 0;
		break;
	case H_CONTENT_LENGTH:
		p->cl_field = 0;
		p->cl_digits = 0;
		p->cl_any = 0;
		p->val_ws = 0;
		break;
	case H_TRANSFER_ENCODING:
		p->has_te = 1;
		break;
	case H_CONNECTION:
		p->tok_len = 0;
		break;
	default:
		break;
	}
	return S_VALUE_OWS;
}

/* One byte of a field value (leading whitespace already skipped; trailing
 * whitespace arrives here too and must be tolerated, RFC 9112 5.1). */
static axip_u8 value_byte(struct http_req_parser *p, axip_u8 c)
{
	/* RFC 9110 5.5: field-value = VCHAR / obs-text / SP / HTAB; other
	 * control characters (NUL, bare CR inside the value) are invalid */
	if (!http_is_field_vchar(c) && c != ' ' && c != '\t')
		return fail(p, 400, "invalid character in header value");
	switch (p->hdr) {
	case H_HOST:
		/* RFC 9112 3.2: an invalid Host value is a 400 (RFC 3986 3.2.2/3.2.3
		 * authority characters, no inner whitespace) */
		if (c == ' ' || c == '\t')
			p->val_ws = 1;
		else if (p->val_ws || !http_is_authority_char(c))
			return fail(p, 400, "invalid Host header");
		break;
	case H_CONTENT_LENGTH:
		/* RFC 9110 8.6: Content-Length = 1*DIGIT */
		if (c == ' ' || c == '\t') {
			p->val_ws = 1;
		} else if (!http_is_digit(c) || p->val_ws) {
			return fail(p, 400, "invalid Content-Length");
		} else {
			if (p->cl_digits >= CL_MAX_DIGITS)
				return fail(p, 413, "request body too large");
			if (p->cl_digits > 0 || c != '0')
				p->cl_digits++;
			p->cl_field = p->cl_field * 10u + (axip_u64)(c - '0');
			p->cl_any = 1;
		}
		break;
	case H_CONNECTION:
		if (c == ',' || c == ' ' || c == '\t') {
			end_conn_token(p);
		} else if (p->tok_len < sizeof(p->tok)) {
			p->tok[p->tok_len++] = http_lower(c);
		} else {
			p->tok_len = sizeof(p->tok); /* too long to be an option we know */
		}
		break;
	default:
		break;
	}
	return S_VALUE;
}

/* A header field line is complete. */
static axip_u8 end_field(struct http_req_parser *p)
{
	switch (p->hdr) {
	case H_CONTENT_LENGTH:
		if (!p->cl_any)
			return fail(p, 400, "empty Content-Length");
		/* RFC 9112 6.3 item 5: differing Content-Length values are an
		 * unrecoverable framing error */
		if (p->has_cl && p->content_length != p->cl_field)
			return fail(p, 400, "conflicting Content-Length headers");
		p->has_cl = 1;
		p->content_length = p->cl_field;
		break;
	case H_CONNECTION:
		end_conn_token(p);
		break;
	default:
		break;
	}
	p->hdr = H_OTHER;
	return S_FIELD_START;
}

/* The empty line after the header section arrived. */
static axip_u8 end_head(struct http_req_parser *p)
{
	/* RFC 9112 3.2: an HTTP/1.1 request without Host is a 400 */
	if (p->minor >= 1 && !p->has_host)
		return fail(p, 400, "missing Host header");
	/* RFC 9112 6.3 item 3: Transfer-Encoding with Content-Length may be
	 * request smuggling: reject and close */
	if (p->has_te && p->has_cl)
		return fail(p, 400, "both Transfer-Encoding and Content-Length");
	/* RFC 9112 6.1: a server that does not take a transfer coding answers
	 * 501; GET and HEAD need no body, so no coded body is accepted */
	if (p->has_te)
		return fail(p, 501, "Transfer-Encoding in requests not supported");
	/* RFC 9110 15.5.14 */
	if (p->content_length > p->lim.max_body)
		return fail(p, 413, "request body too large");
	/* RFC 9112 9.3: HTTP/1.1 connections persist unless "close" is given;
	 * HTTP/1.0 ones close unless "keep-alive" is given (RFC 9112 C.2.2) */
	if (p->conn_close)
		p->keep_alive = 0;
	else
		p->keep_alive = p->minor >= 1 ? 1 : p->conn_keep_alive;
	p->skip = p->content_length;
	return S_DONE;
}

axip_u32 http_req_parse(struct http_req_parser *p, const axip_u8 *data, axip_u32 len, int *ev)
{
	axip_u32 i = 0;
	axip_u8 st = p->state;

	if (st == S_ERROR) {
		*ev = HTTP_PARSE_ERROR;
		return 0;
	}
	if (st == S_DONE) {
		next_request(p);
		st = p->skip ? S_BODY : S_LINE_START;
	}
	while (i < len) {
		axip_u8 c = data[i];
		if (st == S_BODY) {
			axip_u64 n = len - i;
			if (n > p->skip)
				n = p->skip;
			p->skip -= n;
			i += (axip_u32)n;
			if (p->skip == 0)
				st = S_LINE_START;
			continue;
		}
		i++;
		if (st <= S_LINE_CR) {
			if (++p->line_bytes > p->lim.max_request_line) {
				/* RFC 9112 3: a target longer than the server parses is a 414 */
				st = st == S_TARGET ? fail(p, 414, "request target too long")
				                    : fail(p, 400, "request line too long");
				break;
			}
		} else if (++p->header_bytes > p->lim.max_header_bytes) {
			/* RFC 6585 section 5 */
			st = fail(p, 431, "request header section too large");
			break;
		}
		switch (st) {
		case S_LINE_START:
			if (c == '\r' || c == '\n')
				break; /* RFC 9112 2.2: empty lines before the request line are ignored */
			if (!http_is_tchar(c)) {
				st = fail(p, 400, "malformed request line");
				break;
			}
			p->idx = 0;
			st = S_METHOD;
			/* fall through */
		case S_METHOD:
			if (c == ' ') {
				st = end_method(p);
			} else if (!http_is_tchar(c)) {
				st = fail(p, 400, "malformed method");
			} else if (p->idx >= HTTP_METHOD_MAX) {
				st = fail(p, 501, "method not implemented");
			} else {
				p->buf[p->idx++] = (char)c;
			}
			break;
		case S_TARGET:
			if (c == ' ') {
				if (p->target_len == 0) {
					st = fail(p, 400, "empty request target");
					break;
				}
				p->target[p->target_len] = '\0';
				p->idx = 0;
				st = S_VERSION;
			} else if (!http_is_target_char(c)) {
				st = fail(p, 400, "invalid character in request target");
			} else {
				/* line_bytes bounds target_len below target_cap */
				p->target[p->target_len++] = (char)c;
			}
			break;
		case S_VERSION:
			if (c == '\r' || c == '\n') {
				st = end_version(p);
				if (st == S_FIELD_START && c == '\r')
					st = S_LINE_CR;
			} else if (p->idx >= 8) {
				st = fail(p, 400, "malformed HTTP version");
			} else {
				p->buf[p->idx++] = (char)c;
			}
			break;
		case S_LINE_CR:
			/* RFC 9112 2.2: a bare CR is invalid */
			st = c == '\n' ? S_FIELD_START : fail(p, 400, "bare CR in request line");
			break;
		case S_FIELD_START:
			if (c == '\r') {
				st = S_END_CR;
			} else if (c == '\n') {
				st = end_head(p);
			} else if (c == ' ' || c == '\t') {
				/* RFC 9112 5.2 (obs-fold) and 2.2 (whitespace after the start line) */
				st = fail(p, 400, "folded or indented header line");
			} else if (!http_is_tchar(c)) {
				st = fail(p, 400, "malformed header name");
			} else if (++p->n_headers > p->lim.max_headers) {
				st = fail(p, 431, "too many header fields");
			} else {
				p->buf[0] = http_lower(c);
				p->idx = 1;
				st = S_FIELD_NAME;
			}
			break;
		case S_FIELD_NAME:
			if (c == ':') {
				st = begin_field(p);
			} else if (!http_is_tchar(c)) {
				/* RFC 9112 5.1: no whitespace between name and colon */
				st = fail(p, 400, "malformed header name");
			} else {
				if (p->idx < sizeof(p->buf) - 1)
					p->buf[p->idx] = http_lower(c);
				if (p->idx < 255)
					p->idx++;
			}
			break;
		case S_VALUE_OWS:
			if (c == ' ' || c == '\t')
				break;
			/* fall through */
		case S_VALUE:
			if (c == '\r')
				st = S_VALUE_CR;
			else if (c == '\n')
				st = end_field(p);
			else
				st = value_byte(p, c);
			break;
		case S_VALUE_CR:
			st = c == '\n' ? end_field(p) : fail(p, 400, "bare CR in header");
			break;
		case S_END_CR:
			st = c == '\n' ? end_head(p) : fail(p, 400, "bare CR after headers");
			break;
		default:
			break;
		}
		if (st == S_DONE || st == S_ERROR)
			break;
	}
	p->state = st;
	*ev = st == S_DONE ? HTTP_PARSE_DONE : st == S_ERROR ? HTTP_PARSE_ERROR : HTTP_PARSE_MORE;
	return i;
}
