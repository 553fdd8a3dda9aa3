/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_uri.h - request-target to file path (server) and URL parsing (client).
 */
#ifndef AXIP_HTTP_URI_H
#define AXIP_HTTP_URI_H

#include <axip/types.h>

/*
 * Turn a request-target (origin-form "/a/b?q" or absolute-form
 * "http://host/a/b?q", RFC 9112 3.2) into a decoded path, in place: the
 * scheme and authority and the query are dropped, percent-encoding is
 * decoded (RFC 3986 2.1) and "." segments are removed. Returns 0 and stores
 * the path length (the path starts with '/' and is NUL-terminated), or the
 * HTTP status to answer: 400 (malformed target, bad percent-encoding, an
 * encoded NUL) or 403 (a ".." segment: nothing outside the document root
 * is reachable, whatever the encoding).
 */
int http_target_to_path(char *target, axip_u32 len, axip_u32 *path_len);

/* A parsed http:// URL with an IPv4 or IPv6 literal host. */
struct http_url {
	int ip6;               /* 1: the host is "[IPv6]" (RFC 3986 3.2.2), in addr6 */
	axip_u8 addr6[16];     /* network order */
	axip_u32 addr;         /* IPv4: host order */
	axip_u16 port;         /* 80 when absent */
	const char *path;      /* points into the URL ("/" when the URL has no path) */
	axip_u32 path_len;     /* up to a '#' fragment, which is not sent */
	char host[56];         /* host[:port] as written, for the Host header */
};

/* Parse "http://a.b.c.d[:port][/path]" or "http://[v6 address][:port][/path]"
 * (no zone identifier). Returns 0, or -1 with *err set to a static message. */
int http_url_parse(const char *url, struct http_url *out, const char **err);

#endif
