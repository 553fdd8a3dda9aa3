/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * handoff.c - moving frames that reached the wrong worker.
 *
 * A worker only receives from its own queue, and the XDP program cannot
 * move a frame to another queue's socket. Passive opens need nothing: the
 * peer keeps sending a flow to the queue that got its SYN. Replies to axip's
 * own connections (active opens) land on whatever queue the peer's hashing
 * picks, so each worker owns a slice of the reserved local port range (its
 * instance's ephemeral ports) and a frame whose destination port lies in
 * another worker's slice is copied into a single-producer/single-consumer
 * ring (<axip/spsc.h>) from this worker to that one, which wakes it. In
 * dedicated-address mode ARP is copied to every worker, since each has its
 * own neighbour cache. The copy costs one memcpy of a frame on a path that only carries
 * traffic of connections this host opened across queues. The rings are
 * shared mappings, so workers taken by forked processes (a prefork server
 * under the LD_PRELOAD shim) hand off to each other too; the wake-up is the
 * consumer's eventfd, which fork shares as well.
 */
#include <string.h>
#include "xdp_internal.h"

#define XDP_HEADROOM 256u
/* A ring element: the frame's length, then its bytes. */
#define HANDOFF_DATA 16u

struct axip_spsc *handoff_new(uint32_t entries, uint32_t slot_bytes)
{
	/* shared: prefork workers in different processes hand off to each other */
	return axip_spsc_new_shared(entries, HANDOFF_DATA + slot_bytes);
}

/* Producer: copy one frame in (n buffers of a multi-buffer frame); 0, -1
 * when the ring is full, -2 when the frame is longer than a slot. */
int handoff_push(struct axip_spsc *h, uint32_t slot, const struct axip_rx_frame *f,
                        uint32_t n)
{
	uint32_t i, len = 0;
	uint8_t *e;
	for (i = 0; i < n; i++)
		len += f[i].len;
	if (len > slot)
		return -2;
	e = axip_spsc_reserve(h);
	if (!e)
		return -1;
	memcpy(e, &len, sizeof len);
	for (len = 0, i = 0; i < n; i++) {
		memcpy(e + HANDOFF_DATA + len, f[i].data, f[i].len);
		len += f[i].len;
	}
	axip_spsc_commit(h);
	return 0;
}

/* Which worker a received frame belongs to: its own index, another
 * worker's, or HANDOFF_ALL (ARP in dedicated mode). */
#define HANDOFF_ALL 0xffffffffu
static uint32_t owner_of(const struct axip_xdp *x, uint32_t self, const uint8_t *d, uint32_t len)
{
	uint32_t ihl, port, k;
	if (len < 14 + 20 + 4)
		return self;
	if (d[12] == 0x08 && d[13] == 0x06) /* ARP */
		return x->o.dedicated_addr ? HANDOFF_ALL : self;
	if (d[12] != 0x08 || d[13] != 0x00 || (d[14] >> 4) != 4)
		return self;
	ihl = (uint32_t)(d[14] & 0x0f) * 4u;
	if (ihl < 20 || len < 14 + ihl + 4)
		return self;
	if (d[14 + 9] != 6 && d[14 + 9] != 17) /* TCP, UDP */
		return self;
	if (((uint32_t)d[14 + 6] << 8 | d[14 + 7]) & 0x3fff) /* fragment: no ports here */
		return self;
	port = (uint32_t)d[14 + ihl + 2] << 8 | d[14 + ihl + 3];
	if (port < x->o.port_lo || port > x->o.port_hi)
		return self;
	k = (port - x->o.port_lo) / x->port_span;
	return k < x->n_workers ? k : self;
}

uint32_t handoff_filter_from(struct axip_xdp_worker *w, uint32_t from, uint32_t n)
{
	struct axip_xdp *x = w->x;
	uint32_t i, m = from, k;
	uint64_t wake = 0;
	for (i = from; i < n;) {
		struct axip_rx_frame *f = &w->frames[i];
		uint32_t to = owner_of(x, w->idx, f->data, f->len), nb = 1, j;
		/* a multi-buffer frame moves as a whole */
		while (i + nb < n && (f[nb - 1].flags & AXIP_RX_MORE))
			nb++;
		i += nb;
		if (to == w->idx) {
			for (j = 0; j < nb; j++)
				w->frames[m++] = f[j];
			continue;
		}
		for (k = 0; k < x->n_workers; k++) {
			int rc;
			if (k == w->idx || (to != HANDOFF_ALL && k != to))
				continue;
			rc = handoff_push(x->ring[w->idx][k], x->handoff_slot, f, nb);
			if (rc == 0) {
				w->ctr.handoff_out++;
				wake |= 1ull << k;
			} else if (rc == -2) {
				w->ctr.handoff_drop_big++;
			} else {
				w->ctr.handoff_drop_full++;
			}
		}
		for (j = 0; j < nb; j++) {
			if (to == HANDOFF_ALL)
				w->frames[m++] = f[j];
			else
				axsk_env_ops.buf_free(w, f[j].buf);
		}
	}
	for (k = 0; k < x->n_workers; k++)
		if (wake & (1ull << k))
			axip_xdp_wake(x->w[k]);
	return m;
}

uint32_t rx_copy_in(struct axip_xdp_worker *w, const uint8_t *src, uint32_t len,
                    struct axip_rx_frame *f, uint32_t max)
{
	uint32_t done = 0, m = 0;
	while (done < len && m < max) {
		axip_u8 *mem;
		axip_u32 size, piece;
		void *buf = axsk_env_ops.buf_alloc(w, &mem, &size);
		if (!buf)
			break;
		piece = len - done < size - XDP_HEADROOM ? len - done : size - XDP_HEADROOM;
		memcpy(mem + XDP_HEADROOM, src + done, piece);
		f[m].buf = buf;
		f[m].data = mem + XDP_HEADROOM;
		f[m].len = piece;
		f[m].headroom = XDP_HEADROOM;
		f[m].tailroom = size - XDP_HEADROOM - piece;
		f[m].flags = w->x->o.trusted_csum ? (AXIP_PKT_RX_IP_CSUM_OK | AXIP_PKT_RX_L4_CSUM_OK) : 0;
		f[m].rx_hash = 0;
		done += piece;
		if (done < len)
			f[m].flags |= AXIP_RX_MORE;
		m++;
	}
	if (done < len) {
		/* no frame now: give back what was taken */
		for (; m > 0; m--)
			axsk_env_ops.buf_free(w, f[m - 1].buf);
		return 0;
	}
	return m;
}

uint32_t handoff_take(struct axip_xdp_worker *w, uint32_t max)
{
	struct axip_xdp *x = w->x;
	uint32_t k, m = 0;
	for (k = 0; k < x->n_workers && m < max; k++) {
		struct axip_spsc *h;
		const uint8_t *e;
		if (k == w->idx)
			continue;
		h = x->ring[k][w->idx];
		while (m < max && (e = axip_spsc_peek(h))) {
			uint32_t len, got;
			memcpy(&len, e, sizeof len);
			/* one or more frames (longer than one UMEM frame: chained) */
			got = rx_copy_in(w, e + HANDOFF_DATA, len, &w->frames[m], AXIP_XDP_RX_FRAGS_MAX);
			if (!got)
				break; /* no frame now: it stays in the ring */
			m += got;
			axip_spsc_release(h);
			w->ctr.handoff_in++;
		}
	}
	return m;
}
