/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_client.c - one HTTP/1.1 GET over axip's sockets (axip/sock.h).
 */
#include "http_client.h"
#include "http_response.h"
#include "http_uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_get {
	struct axip_stack *s;
	int fd;                 /* the socket (axip/sock.h) */
	struct http_get_req req;
	char *request;          /* the request head */
	axip_u32 request_len, request_off;
	struct http_resp_parser parser;
};

/* Report the outcome, end the connection (gracefully after a complete
 * response, with a reset otherwise) and free the fetch. */
static void finish(struct http_get *g, int ok, const char *error)
{
	struct http_get_result r;
	memset(&r, 0, sizeof(r));
	r.ok = ok;
	r.error = ok ? NULL : error;
	r.status = g->parser.head_done ? g->parser.status : 0;
	r.body_bytes = g->parser.body_bytes;
	r.content_length = g->parser.content_length;
	r.has_length = g->parser.has_length;
	r.chunked = g->parser.chunked;
	if (g->req.done)
		g->req.done(g->req.arg, &r);
	if (!ok) {
		struct axip_linger l = { 1, 0 };
		(void)axip_setsockopt(g->s, g->fd, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &l, sizeof l);
	}
	axip_close(g->s, g->fd);
	free(g->request);
	free(g);
}

/* Why the connection failed, from its pending error or a call's result. */
static const char *failure(struct http_get *g, int rc)
{
	int e = 0;
	axip_u32 len = sizeof e;
	if (rc == 0)
		(void)axip_getsockopt(g->s, g->fd, AXIP_SOL_SOCKET, AXIP_SO_ERROR, &e, &len);
	else
		e = -rc;
	return e ? strerror(e) : "connection closed before the response";
}

int http_get_poll(struct http_get *g)
{
	if (axip_sock_events(g->s, g->fd) & AXIP_EV_ERR) {
		finish(g, 0, failure(g, 0));
		return 1;
	}
	while (g->request_off < g->request_len) {
		int n = axip_send(g->s, g->fd, g->request + g->request_off,
		                  g->request_len - g->request_off, 0);
		if (n == -AXIP_EAGAIN)
			break; /* connecting, or the send buffer is full */
		if (n < 0) {
			finish(g, 0, failure(g, n));
			return 1;
		}
		g->request_off += (axip_u32)n;
	}
	for (;;) {
		struct axip_pkt *data, *p;
		int n = axip_recv_zc(g->s, g->fd, &data, 0, NULL);
		if (n == -AXIP_EAGAIN)
			return 0;
		if (n == 0) { /* the server closed: the end of a body without length */
			if (http_resp_eof(&g->parser) == HTTP_RESP_DONE)
				finish(g, 1, NULL);
			else
				finish(g, 0, g->parser.err ? g->parser.err
				                           : "connection closed before the response");
			return 1;
		}
		if (n < 0) {
			finish(g, 0, failure(g, n));
			return 1;
		}
		/* the body goes to the sink straight from the received buffers */
		for (p = data; p; p = p->sg_next) {
			int ev;
			http_resp_parse(&g->parser, p->data, p->len, &ev);
			if (ev == HTTP_RESP_DONE || ev == HTTP_RESP_ERROR) {
				axip_pkt_free(g->s, data);
				finish(g, ev == HTTP_RESP_DONE, g->parser.err);
				return 1;
			}
		}
		axip_pkt_free(g->s, data);
	}
}

int http_get_start(struct axip_stack *s, const struct http_get_req *req, struct http_get **out,
                   const char **err)
{
	struct http_url url;
	struct http_get *g;
	const char *e = NULL;
	size_t cap;
	int n, rc;

	if (!err)
		err = &e;
	if (http_url_parse(req->url, &url, err) != 0)
		return AXIP_E_INVAL;
	if (!out) {
		*err = "no place for the handle";
		return AXIP_E_INVAL;
	}
	g = calloc(1, sizeof(*g));
	cap = url.path_len + sizeof(url.host) + 128;
	if (g)
		g->request = malloc(cap);
	if (!g || !g->request) {
		free(g);
		*err = "out of memory";
		return AXIP_E_NOMEM;
	}
	g->s = s;
	g->req = *req;
	/* RFC 9112 3.2: Host carries the URL's authority; the connection ends
	 * after the response (RFC 9112 9.6), which frames bodies without length */
	n = snprintf(g->request, cap,
	             "%s %.*s HTTP/1.1\r\nHost: %s\r\nUser-Agent: axip-http\r\nAccept: */*\r\n"
	             "Connection: close\r\n\r\n",
	             req->head ? "HEAD" : "GET", (int)url.path_len, url.path, url.host);
	g->request_len = (axip_u32)n;
	http_resp_parser_init(&g->parser, req->head, req->max_header_bytes, req->sink, req->arg);
	g->fd = axip_socket(s, url.ip6 ? AXIP_AF_INET6 : AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	if (g->fd < 0) {
		*err = strerror(-g->fd);
		free(g->request);
		free(g);
		return AXIP_E_NOMEM;
	}
	{
		struct axip_sockaddr to = { .family = AXIP_AF_INET, .port = url.port };
		to.addr.v4 = url.addr;
		if (url.ip6) {
			to.family = AXIP_AF_INET6;
			memcpy(to.addr.v6, url.addr6, 16);
		}
		rc = axip_connect(s, g->fd, &to);
	}
	if (rc != -AXIP_EINPROGRESS) {
		*err = strerror(-rc);
		axip_close(s, g->fd);
		free(g->request);
		free(g);
		return rc == -AXIP_ENETUNREACH ? AXIP_E_UNREACH
		       : rc == -AXIP_EADDRNOTAVAIL ? AXIP_E_PORTS : AXIP_E_NOMEM;
	}
	if (out)
		*out = g;
	return AXIP_OK;
}

void http_get_abort(struct http_get *g)
{
	finish(g, 0, "aborted");
}
