/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_util.h - helpers shared by the TCP tests: an application endpoint that
 * streams a deterministic byte pattern, hashes what it receives (FNV-1a),
 * and records callbacks.
 */
#ifndef AXIP_TEST_TCP_UTIL_H
#define AXIP_TEST_TCP_UTIL_H

#include "test.h"
#include "sim.h"
#include <axip/tcp.h>

#define H0 AXIP_IP4(10, 0, 0, 1)
#define H1 AXIP_IP4(10, 0, 0, 2)

/* Byte i of the stream `seed`. */
static inline uint8_t pat_byte(uint32_t seed, uint64_t i)
{
	uint64_t x = (i >> 2) * 0x9e3779b97f4a7c15ull + seed;
	x ^= x >> 29;
	return (uint8_t)(x >> (8 * (i & 3)));
}

static inline uint32_t fnv1a(uint32_t h, const uint8_t *p, uint32_t n)
{
	while (n--) {
		h ^= *p++;
		h *= 16777619u;
	}
	return h;
}
#define FNV_INIT 2166136261u

struct tapp {
	struct axip_stack *s;
	struct axip_tcp *c;
	int connected, peer_closed, closed, closed_err, accepted;
	/* receive side */
	uint64_t rx_bytes;
	uint32_t rx_hash;
	int hold_rx;            /* 1: do not call axip_tcp_recved (stall) */
	uint64_t rx_unreported; /* bytes received while stalled */
	uint8_t *rx_copy;       /* optional: first rx_copy_cap bytes */
	uint32_t rx_copy_cap;
	/* send side */
	uint32_t seed;
	uint64_t to_send, queued;
	uint32_t tx_hash;
	uint64_t acked;
	int close_after_send;   /* close once everything is queued */
	int shutdown_after_send;
	int close_on_peer_close;
	int done_close;
	uint32_t write_flags;
};

static inline void tapp_pump(struct tapp *a);

static void tapp_connected(void *arg, struct axip_tcp *c)
{
	struct tapp *a = arg;
	a->c = c;
	a->connected = 1;
	tapp_pump(a);
}

static void tapp_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct tapp *a = arg;
	struct axip_pkt *p;
	uint32_t n = 0;
	for (p = data; p; p = p->sg_next) {
		if (a->rx_copy && a->rx_bytes + n < a->rx_copy_cap) {
			uint64_t room = a->rx_copy_cap - (a->rx_bytes + n);
			memcpy(a->rx_copy + a->rx_bytes + n, p->data, p->len < room ? p->len : room);
		}
		a->rx_hash = fnv1a(a->rx_hash, p->data, p->len);
		n += p->len;
	}
	a->rx_bytes += n;
	axip_pkt_free(a->s, data);
	if (a->hold_rx)
		a->rx_unreported += n;
	else
		axip_tcp_recved(c, n);
}

static void tapp_peer_closed(void *arg, struct axip_tcp *c)
{
	struct tapp *a = arg;
	a->peer_closed = 1;
	if (a->close_on_peer_close && !a->done_close) {
		a->done_close = 1;
		axip_tcp_close(c);
	}
}

static void tapp_sent(void *arg, struct axip_tcp *c, axip_u32 acked)
{
	struct tapp *a = arg;
	(void)c;
	a->acked += acked;
	tapp_pump(a);
}

static void tapp_closed(void *arg, struct axip_tcp *c, int err)
{
	struct tapp *a = arg;
	(void)c;
	a->closed = 1;
	a->closed_err = err;
	a->c = NULL;
}

static const struct axip_tcp_callbacks tapp_cb = {tapp_connected, tapp_recv, tapp_peer_closed,
                                                  tapp_sent, tapp_closed};

static inline void tapp_init(struct tapp *a, struct axip_stack *s, uint32_t seed, uint64_t to_send)
{
	memset(a, 0, sizeof(*a));
	a->s = s;
	a->seed = seed;
	a->to_send = to_send;
	a->rx_hash = FNV_INIT;
	a->tx_hash = FNV_INIT;
}

/* Queue as much of the pattern as the send buffer takes. */
static inline void tapp_pump(struct tapp *a)
{
	uint8_t buf[16384];
	while (a->c && !a->done_close && a->queued < a->to_send) {
		uint64_t left = a->to_send - a->queued;
		uint32_t n = left < sizeof(buf) ? (uint32_t)left : (uint32_t)sizeof(buf), i;
		int rc;
		for (i = 0; i < n; i++)
			buf[i] = pat_byte(a->seed, a->queued + i);
		rc = axip_tcp_write(a->c, buf, n, a->write_flags);
		if (rc <= 0)
			break;
		a->tx_hash = fnv1a(a->tx_hash, buf, (uint32_t)rc);
		a->queued += (uint32_t)rc;
	}
	if (a->c && !a->done_close && a->queued == a->to_send) {
		if (a->close_after_send) {
			a->done_close = 1;
			axip_tcp_close(a->c);
		} else if (a->shutdown_after_send == 1) {
			a->shutdown_after_send = 2;
			axip_tcp_shutdown(a->c);
		}
	}
}

/* Release bytes held while stalled. */
static inline void tapp_release(struct tapp *a)
{
	a->hold_rx = 0;
	if (a->c && a->rx_unreported)
		axip_tcp_recved(a->c, (axip_u32)a->rx_unreported);
	a->rx_unreported = 0;
}

/* Listener that hands connections to a preset tapp. */
struct tserver {
	struct tapp *app;
	int n_accepts;
	int refuse;
};

static inline int tserver_accept(void *arg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb,
                          void **cb_arg)
{
	struct tserver *sv = arg;
	if (sv->refuse)
		return AXIP_E_INVAL;
	sv->n_accepts++;
	*cb = &tapp_cb;
	*cb_arg = sv->app;
	sv->app->c = c;
	sv->app->accepted = 1;
	tapp_pump(sv->app);
	return AXIP_OK;
}

static inline uint64_t conns_in_use(struct axip_stack *s)
{
	const struct axip_counters *k = axip_counters(s);
	return k->tcp_conn_alloc - k->tcp_conn_free;
}

static inline uint32_t pattern_hash(uint32_t seed, uint64_t n)
{
	uint32_t h = FNV_INIT;
	uint64_t i;
	for (i = 0; i < n; i++) {
		h ^= pat_byte(seed, i);
		h *= 16777619u;
	}
	return h;
}

#endif
