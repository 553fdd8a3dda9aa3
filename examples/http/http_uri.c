/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_uri.c - request-target decoding for the server, URL parsing for the client.
 */
#include "http_uri.h"
#include "http_chars.h"

#include <string.h>
#include <arpa/inet.h>

/* Case-insensitive prefix test. */
static int has_prefix_ci(const char *s, axip_u32 len, const char *prefix)
{
	axip_u32 i;
	for (i = 0; prefix[i]; i++)
		if (i >= len || http_lower((axip_u8)s[i]) != prefix[i])
			return 0;
	return 1;
}

/* Where the path of a request-target starts (RFC 9112 3.2.1 origin-form,
 * 3.2.2 absolute-form); len when the absolute form has no path; -1 when the
 * target has neither form (authority-form and asterisk-form only go with
 * CONNECT and OPTIONS, which are not served). */
static long path_start(const char *t, axip_u32 len)
{
	axip_u32 i;
	if (len > 0 && t[0] == '/')
		return 0;
	if (has_prefix_ci(t, len, "http://"))
		i = 7;
	else if (has_prefix_ci(t, len, "https://"))
		i = 8;
	else
		return -1;
	while (i < len && t[i] != '/' && t[i] != '?')
		i++;
	return (long)i;
}

/* A path segment just ended at out[o]: RFC 3986 5.2.4 removes "." segments;
 * ".." would climb above the document root and is refused outright. Returns
 * the new output length, or -1 for "..". */
static long end_segment(char *out, axip_u32 seg, axip_u32 o)
{
	if (o - seg == 1 && out[seg] == '.')
		return (long)seg;
	if (o - seg == 2 && out[seg] == '.' && out[seg + 1] == '.')
		return -1;
	return (long)o;
}

int http_target_to_path(char *target, axip_u32 len, axip_u32 *path_len)
{
	long start = path_start(target, len);
	axip_u32 r, o = 1, seg = 1, end;
	long n;

	if (start < 0)
		return 400;
	/* the query is not part of the path (RFC 3986 3.4) */
	for (end = (axip_u32)start; end < len && target[end] != '?'; end++)
		;
	r = (axip_u32)start + 1; /* skip the leading '/', or the '?' ending an empty path */
	if ((axip_u32)start >= len || target[start] != '/')
		r = end; /* absolute-form without a path: "/" */
	target[0] = '/';
	while (r < end) {
		axip_u8 c = (axip_u8)target[r++];
		if (c == '%') {
			/* RFC 3986 2.1: pct-encoded = "%" HEXDIG HEXDIG */
			int hi = r < end ? http_hex_value((axip_u8)target[r]) : -1;
			int lo = r + 1 < end ? http_hex_value((axip_u8)target[r + 1]) : -1;
			if (hi < 0 || lo < 0)
				return 400;
			c = (axip_u8)(hi << 4 | lo);
			r += 2;
			if (c == 0)
				return 400; /* a NUL would cut the file name short */
		}
		if (c == '/') {
			/* an encoded "/" separates segments too: the file system sees one */
			n = end_segment(target, seg, o);
			if (n < 0)
				return 403;
			o = (axip_u32)n;
			if (o == seg)
				continue; /* "." removed, or an empty segment: one "/" is enough */
			target[o++] = '/';
			seg = o;
			continue;
		}
		target[o++] = (char)c;
	}
	n = end_segment(target, seg, o);
	if (n < 0)
		return 403;
	o = (axip_u32)n;
	target[o] = '\0';
	*path_len = o;
	return 0;
}

int http_url_parse(const char *url, struct http_url *out, const char **err)
{
	const char *p = url;
	axip_u32 octet[4] = {0, 0, 0, 0}, i, port = 80;
	const char *host;
	axip_u32 host_len;

	memset(out, 0, sizeof(*out));
	if (has_prefix_ci(url, (axip_u32)strlen(url), "https://")) {
		*err = "https is not supported";
		return -1;
	}
	if (!has_prefix_ci(url, (axip_u32)strlen(url), "http://")) {
		*err = "URL must start with http://";
		return -1;
	}
	p += 7;
	host = p;
	if (*p == '[') {
		/* RFC 3986 3.2.2: IP-literal = "[" IPv6address "]" */
		char lit[INET6_ADDRSTRLEN];
		const char *close = strchr(p, ']');
		if (!close || (size_t)(close - p - 1) >= sizeof lit) {
			*err = "invalid IPv6 address in brackets";
			return -1;
		}
		memcpy(lit, p + 1, (size_t)(close - p - 1));
		lit[close - p - 1] = '\0';
		if (inet_pton(AF_INET6, lit, out->addr6) != 1) {
			*err = "invalid IPv6 address in brackets";
			return -1;
		}
		out->ip6 = 1;
		p = close + 1;
	}
	for (i = 0; !out->ip6 && i < 4; i++) {
		axip_u32 v = 0, digits = 0;
		while (http_is_digit((axip_u8)*p) && digits < 4) {
			v = v * 10 + (axip_u32)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255 || (i < 3 && *p++ != '.')) {
			*err = "host must be an IPv4 address (a.b.c.d)";
			return -1;
		}
		octet[i] = v;
	}
	if (*p == ':') {
		axip_u32 digits = 0;
		p++;
		port = 0;
		while (http_is_digit((axip_u8)*p) && digits < 6) {
			port = port * 10 + (axip_u32)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || port == 0 || port > 65535) {
			*err = "invalid port";
			return -1;
		}
	}
	if (*p != '\0' && *p != '/' && *p != '?' && *p != '#') {
		*err = out->ip6 ? "invalid text after the IPv6 address" : "host must be an IPv4 address (a.b.c.d)";
		return -1;
	}
	host_len = (axip_u32)(p - host);
	if (host_len >= sizeof(out->host)) {
		*err = "invalid host";
		return -1;
	}
	memcpy(out->host, host, host_len);
	out->host[host_len] = '\0';
	if (!out->ip6)
		out->addr = AXIP_IP4(octet[0], octet[1], octet[2], octet[3]);
	out->port = (axip_u16)port;
	if (*p != '/') {
		/* RFC 9112 3.2.1: an empty path is sent as "/" (a query needs a
		 * path in front; such URLs are not accepted to keep this simple) */
		if (*p == '?') {
			*err = "URL with a query but no path";
			return -1;
		}
		out->path = "/";
		out->path_len = 1;
		return 0;
	}
	out->path = p;
	while (*p && *p != '#') {
		if (!http_is_target_char((axip_u8)*p)) {
			*err = "invalid character in URL path (percent-encode it)";
			return -1;
		}
		p++;
	}
	out->path_len = (axip_u32)(p - out->path);
	return 0;
}
