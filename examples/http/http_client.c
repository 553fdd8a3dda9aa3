/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http_client.c - one HTTP/1.1 GET over axip's TCP API.
 */
#include "http_client.h"
#include "http_response.h"
#include "http_uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_get {
	struct axip_stack *s;
	struct axip_tcp *tcp;
	struct http_get_req req;
	char *request;          /* the request head, sent from `connected` and `sent` */
	axip_u32 request_len, request_off;
	axip_u8 busy;           /* inside a callback: `closed` defers the free */
	axip_u8 tcp_gone;       /* `closed` was called */
	axip_u8 finished;       /* `done` was called */
	struct http_resp_parser parser;
};

static void get_free(struct http_get *g)
{
	free(g->request);
	free(g);
}

/* Report the outcome once; then end the connection: gracefully after a
 * complete response, with a reset otherwise. */
static void finish(struct http_get *g, int ok, const char *error)
{
	struct http_get_result r;
	if (g->finished)
		return;
	g->finished = 1;
	memset(&r, 0, sizeof(r));
	r.ok = ok;
	r.error = ok ? NULL : error;
	r.status = g->parser.head_done ? g->parser.status : 0;
	r.body_bytes = g->parser.body_bytes;
	r.content_length = g->parser.content_length;
	r.has_length = g->parser.has_length;
	r.chunked = g->parser.chunked;
	g->busy++;
	if (g->req.done)
		g->req.done(g->req.arg, &r);
	if (!g->tcp_gone) {
		if (ok) {
			/* the fetch is over: close, and detach so the fetch can be
			 * freed now rather than when the connection leaves TIME_WAIT */
			axip_tcp_close(g->tcp);
			if (!g->tcp_gone) /* `closed` may have run inside close */
				axip_tcp_set_callbacks(g->tcp, NULL, NULL);
			g->tcp_gone = 1;
		} else {
			axip_tcp_abort(g->tcp);
		}
	}
	g->busy--;
}

/* Leave a callback: free the fetch if the connection went away meanwhile. */
static void leave(struct http_get *g)
{
	if (--g->busy == 0 && g->tcp_gone && g->finished)
		get_free(g);
}

static void send_request(struct http_get *g)
{
	while (!g->finished && g->request_off < g->request_len) {
		int n = axip_tcp_write(g->tcp, g->request + g->request_off,
		                       g->request_len - g->request_off, 0);
		if (n == AXIP_E_AGAIN || n == 0)
			return; /* the rest goes from `sent` */
		if (n < 0) {
			finish(g, 0, axip_strerror(n));
			return;
		}
		g->request_off += (axip_u32)n;
	}
}

static void on_connected(void *arg, struct axip_tcp *tcp)
{
	struct http_get *g = arg;
	(void)tcp;
	g->busy++;
	send_request(g);
	leave(g);
}

static void on_sent(void *arg, struct axip_tcp *tcp, axip_u32 acked)
{
	struct http_get *g = arg;
	(void)tcp;
	(void)acked;
	g->busy++;
	send_request(g);
	leave(g);
}

static void on_recv(void *arg, struct axip_tcp *tcp, struct axip_pkt *data)
{
	struct http_get *g = arg;
	struct axip_pkt *p;
	axip_u32 total = axip_pkt_chain_len(data);

	g->busy++;
	for (p = data; p && !g->finished; p = p->sg_next) {
		int ev;
		http_resp_parse(&g->parser, p->data, p->len, &ev);
		if (ev == HTTP_RESP_DONE)
			finish(g, 1, NULL);
		else if (ev == HTTP_RESP_ERROR)
			finish(g, 0, g->parser.err);
	}
	axip_pkt_free(g->s, data);
	if (!g->tcp_gone)
		axip_tcp_recved(tcp, total);
	leave(g);
}

static void on_peer_closed(void *arg, struct axip_tcp *tcp)
{
	struct http_get *g = arg;
	(void)tcp;
	g->busy++;
	if (!g->finished) {
		if (http_resp_eof(&g->parser) == HTTP_RESP_DONE)
			finish(g, 1, NULL);
		else
			finish(g, 0, g->parser.err);
	}
	leave(g);
}

static void on_closed(void *arg, struct axip_tcp *tcp, int err)
{
	struct http_get *g = arg;
	(void)tcp;
	g->tcp_gone = 1;
	g->busy++;
	if (!g->finished)
		finish(g, 0, err == AXIP_OK ? "connection closed before the response"
		                            : axip_strerror(err));
	leave(g);
}

static const struct axip_tcp_callbacks get_callbacks = {
	on_connected, on_recv, on_peer_closed, on_sent, on_closed
};

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
	g->busy = 1; /* the outcome may be reported from inside the connect call */
	rc = axip_tcp_connect(s, url.addr, url.port, &get_callbacks, g, req->tcp_opts, &g->tcp);
	if (rc != AXIP_OK) {
		*err = axip_strerror(rc);
		get_free(g);
		return rc;
	}
	if (out)
		*out = g->finished ? NULL : g;
	leave(g);
	return AXIP_OK;
}

void http_get_abort(struct http_get *g)
{
	g->busy++;
	finish(g, 0, "aborted");
	leave(g);
}
