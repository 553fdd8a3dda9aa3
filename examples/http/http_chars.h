/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_chars.h - character classes of the HTTP and URI grammars.
 */
#ifndef AXIP_HTTP_CHARS_H
#define AXIP_HTTP_CHARS_H

#include <axip/types.h>

static inline int http_is_digit(axip_u8 c)
{
	return c >= '0' && c <= '9';
}

static inline int http_is_alnum(axip_u8 c)
{
	return http_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline char http_lower(axip_u8 c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

/* RFC 9110 5.6.2: tchar, the characters of a token (methods, field names). */
static inline int http_is_tchar(axip_u8 c)
{
	if (http_is_alnum(c))
		return 1;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
	case '-': case '.': case '^': case '_': case '`': case '|': case '~':
		return 1;
	default:
		return 0;
	}
}

/* RFC 3986 2.2/2.3: unreserved and sub-delims characters. */
static inline int http_is_unreserved_or_sub_delim(axip_u8 c)
{
	if (http_is_alnum(c))
		return 1;
	switch (c) {
	case '-': case '.': case '_': case '~':
	case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+':
	case ',': case ';': case '=':
		return 1;
	default:
		return 0;
	}
}

/* RFC 9112 3.2 / RFC 3986 3.3, 3.4: characters of an origin-form or
 * absolute-form request-target (pchar, "/", "?", and "%" of pct-encoded). */
static inline int http_is_target_char(axip_u8 c)
{
	return http_is_unreserved_or_sub_delim(c) || c == ':' || c == '@' || c == '/' || c == '?' ||
	       c == '%';
}

/* RFC 3986 3.2.2/3.2.3: characters of host [ ":" port ] in a Host value
 * (reg-name, IP-literal brackets, pct-encoding, the port colon). */
static inline int http_is_authority_char(axip_u8 c)
{
	return http_is_unreserved_or_sub_delim(c) || c == ':' || c == '[' || c == ']' || c == '%';
}

/* RFC 9110 5.5: VCHAR / obs-text. */
static inline int http_is_field_vchar(axip_u8 c)
{
	return (c > 0x20 && c < 0x7f) || c >= 0x80;
}

static inline int http_hex_value(axip_u8 c)
{
	if (http_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
