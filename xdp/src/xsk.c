/*
 * xsk.c - one worker's UMEM and AF_XDP socket, and the core's environment
 * ops over them: UMEM frames are the core's packet buffers (no copy on
 * receive or transmit), handed out by a LIFO allocator with per-frame
 * reference counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_xdp.h>
#include "xdp_internal.h"
#include "util.h"

#define HANDLE(i) ((void *)(uintptr_t)((i) + 1u))
#define INDEX(h) ((uint32_t)((uintptr_t)(h) - 1u))
#define TX_STUCK_NS 1000000000ull

static inline uint32_t frame_pop(struct axip_xdp_worker *w)
{
	return w->free_stack[--w->n_free];
}

static inline void frame_push(struct axip_xdp_worker *w, uint32_t i)
{
	w->free_stack[w->n_free++] = i;
}

static inline void frame_put(struct axip_xdp_worker *w, uint32_t i)
{
	if (--w->refcnt[i] == 0)
		frame_push(w, i);
}

/* ---- rings ---- */

void xsk_reclaim(struct axip_xdp_worker *w)
{
	uint32_t idx, n, k;
	n = xsk_ring_cons__peek(&w->cq, w->ring_size, &idx);
	for (k = 0; k < n; k++) {
		uint64_t addr = *xsk_ring_cons__comp_addr(&w->cq, idx + k);
		frame_put(w, (uint32_t)(addr >> w->frame_shift));
	}
	if (n)
		xsk_ring_cons__release(&w->cq, n);
}

void xsk_refill(struct axip_xdp_worker *w)
{
	uint32_t want = xsk_prod_nb_free(&w->fq, w->ring_size), n, idx, k;
	uint32_t avail = w->n_free > w->tx_reserve ? w->n_free - w->tx_reserve : 0;
	n = want < avail ? want : avail;
	if (n < want)
		w->ctr.fill_short++;
	/* reserve is all-or-nothing: never ask for more than is free */
	if (n && xsk_ring_prod__reserve(&w->fq, n, &idx) == n) {
		for (k = 0; k < n; k++) {
			uint32_t f = frame_pop(w);
			w->refcnt[f] = 1; /* held by the kernel until it comes back on RX */
			*xsk_ring_prod__fill_addr(&w->fq, idx + k) = (uint64_t)f << w->frame_shift;
		}
		xsk_ring_prod__submit(&w->fq, n);
	} else if (want == w->ring_size) {
		w->ctr.fill_ring_empty++;
	}
}

void xsk_kick(struct axip_xdp_worker *w)
{
	/* in copy mode one sendto sends at most a small batch (EAGAIN: more
	 * left), so kick until the kernel has taken every queued descriptor */
	uint32_t i, max = w->ring_size / 16u + 2u;
	for (i = 0; i < max; i++) {
		if (xsk_prod_nb_free(&w->tx, w->ring_size) == w->ring_size ||
		    !xsk_ring_prod__needs_wakeup(&w->tx))
			return;
		w->ctr.tx_kicks++;
		if (sendto(w->xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
		    errno != EBUSY && errno != ENOBUFS)
			return;
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One TX descriptor; waits (kick, reclaim, poll) while the ring is full.
 * Returns 0, or -1 after TX_STUCK_NS without room (counted). */
static int tx_reserve(struct axip_xdp_worker *w, uint32_t *idx)
{
	uint64_t start = 0;
	while (xsk_ring_prod__reserve(&w->tx, 1, idx) != 1) {
		struct pollfd pfd = { .fd = w->xsk_fd, .events = POLLOUT };
		w->ctr.tx_ring_full_retries++;
		w->ctr.tx_kicks++;
		(void)sendto(w->xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
		xsk_reclaim(w);
		if (!start)
			start = mono_ns();
		else if (mono_ns() - start > TX_STUCK_NS)
			return -1;
		(void)poll(&pfd, 1, 1);
	}
	return 0;
}

/* ---- environment ops ---- */

static void *env_buf_alloc(void *ctx, axip_u8 **mem, axip_u32 *size)
{
	struct axip_xdp_worker *w = ctx;
	uint32_t i;
	if (!w->n_free) {
		xsk_reclaim(w);
		if (!w->n_free) {
			w->ctr.umem_empty++;
			return NULL;
		}
	}
	i = frame_pop(w);
	w->refcnt[i] = 1;
	*mem = w->area + ((size_t)i << w->frame_shift);
	*size = w->frame_size;
	return HANDLE(i);
}

static void env_buf_free(void *ctx, void *buf)
{
	frame_put(ctx, INDEX(buf));
}

static void env_buf_ref(void *ctx, void *buf)
{
	struct axip_xdp_worker *w = ctx;
	w->refcnt[INDEX(buf)]++;
}

/* Copy a chained frame into one fresh UMEM frame (no SG on this path). */
static int tx_linearize(struct axip_xdp_worker *w, const struct axip_pkt *pkt, uint32_t *fidx,
                        uint32_t *len)
{
	axip_u8 *mem;
	axip_u32 size, total = axip_pkt_chain_len(pkt);
	void *h = env_buf_alloc(w, &mem, &size);
	if (!h)
		return -1;
	if (total > size) {
		env_buf_free(w, h);
		return -1;
	}
	axip_pkt_copy_out(pkt, 0, mem, total);
	*fidx = INDEX(h);
	*len = total;
	w->ctr.tx_sg_copied++;
	return 0;
}

static int env_tx(void *ctx, struct axip_pkt *pkt)
{
	struct axip_xdp_worker *w = ctx;
	const struct axip_pkt *p;
	struct xdp_desc *d;
	uint32_t fidx, len, idx;
	uint64_t addr;

	if (w->x->pcap)
		pcap_out_write_pkt(w->x->pcap, pkt);
	if (w->x->addr && !w->x->o.dedicated_addr)
		neigh_note_tx(w, pkt);

	if (pkt->sg_next) {
		int rc = tx_linearize(w, pkt, &fidx, &len);
		for (p = pkt; p; p = p->sg_next) /* the chain's references are ours now */
			env_buf_free(w, p->buf);
		if (rc) {
			w->ctr.tx_drop_bad_buf++;
			return -1;
		}
		addr = (uint64_t)fidx << w->frame_shift;
	} else {
		fidx = INDEX(pkt->buf);
		if (fidx >= w->n_frames || pkt->data < w->area + ((size_t)fidx << w->frame_shift) ||
		    pkt->data + pkt->len > w->area + ((size_t)(fidx + 1) << w->frame_shift)) {
			w->ctr.tx_drop_bad_buf++;
			if (fidx < w->n_frames)
				env_buf_free(w, pkt->buf);
			return -1;
		}
		addr = (uint64_t)(pkt->data - w->area);
		len = pkt->len;
	}
	if (tx_reserve(w, &idx) != 0) {
		w->ctr.tx_drop_stuck++;
		frame_put(w, fidx);
		return -1;
	}
	d = xsk_ring_prod__tx_desc(&w->tx, idx);
	d->addr = addr;
	d->len = len;
	d->options = 0;
	xsk_ring_prod__submit(&w->tx, 1);
	w->ctr.tx_frames++;
	return 0;
}

static void env_tx_flush(void *ctx)
{
	struct axip_xdp_worker *w = ctx;
	xsk_kick(w);
	xsk_reclaim(w);
}

const struct axip_env_ops xsk_env_ops = {
	.buf_alloc = env_buf_alloc,
	.buf_free = env_buf_free,
	.buf_ref = env_buf_ref,
	.tx = env_tx,
	.tx_flush = env_tx_flush,
};

/* ---- receive ---- */

unsigned axip_xdp_rx_batch(struct axip_xdp_worker *w, axip_time_ns now)
{
	uint32_t idx, n = 0, k, m = 0, got;
	if (w->x->n_workers > 1)
		m = handoff_take(w, w->batch / 2);
	got = m;
	n = xsk_ring_cons__peek(&w->rx, w->batch - m, &idx);
	for (k = 0; k < n; k++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&w->rx, idx + k);
		uint64_t addr = xsk_umem__extract_addr(d->addr) + xsk_umem__extract_offset(d->addr);
		uint32_t f = (uint32_t)(addr >> w->frame_shift);
		uint32_t off = (uint32_t)(addr & (w->frame_size - 1));
		struct axip_rx_frame *fr = &w->frames[m];
		if (f >= w->n_frames || off + d->len > w->frame_size) {
			w->ctr.rx_drop_bad_desc++;
			continue;
		}
		fr->buf = HANDLE(f);
		fr->data = w->area + addr;
		fr->len = d->len;
		fr->headroom = off;
		fr->tailroom = w->frame_size - off - d->len;
		fr->flags = w->x->o.trusted_csum ? (AXIP_PKT_RX_IP_CSUM_OK | AXIP_PKT_RX_L4_CSUM_OK) : 0;
		fr->rx_hash = 0;
		m++;
	}
	if (n) {
		xsk_ring_cons__release(&w->rx, n);
		w->ctr.rx_frames += m - got;
		w->ctr.rx_batches++;
	}
	/* give the kernel fresh frames before the core runs, so RX continues meanwhile */
	xsk_refill(w);
	if (!m)
		return 0;
	/* The stack and the application hold so many frames that the fill
	 * ring can no longer be kept supplied: if they kept these too, nothing
	 * could arrive any more, not even the ACKs that free frames held in
	 * send queues. The core takes their headers and ACKs and drops their
	 * payload (rx_low_buf_drop); the frames return at once. */
	if (w->n_free < w->tx_reserve + w->ring_size / 2)
		for (k = 0; k < m; k++)
			w->frames[k].flags |= AXIP_PKT_RX_LOW_BUF;
	if (w->x->n_workers > 1 && n) {
		/* frames taken from other workers are already ours: filter only new ones */
		uint32_t kept = handoff_filter_from(w, got, m);
		m = kept;
	}
	if (w->x->pcap)
		for (k = 0; k < m; k++)
			pcap_out_write(w->x->pcap, w->frames[k].data, w->frames[k].len);
	axip_rx(w->stack, w->frames, m, now);
	return n + got;
}

/* ---- setup ---- */

int xsk_worker_open(struct axip_xdp_worker *w, char *err, size_t errlen)
{
	const struct axip_xdp_opts *o = &w->x->o;
	struct xsk_umem_config uc = {
		.fill_size = o->ring_size,
		.comp_size = o->ring_size,
		.frame_size = o->frame_size,
		.frame_headroom = 0,
		.flags = 0,
	};
	struct xsk_socket_config sc = {
		.rx_size = o->ring_size,
		.tx_size = o->ring_size,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = 0,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	uint32_t i;
	int rc;

	w->frame_size = o->frame_size;
	w->frame_shift = (uint32_t)__builtin_ctz(o->frame_size);
	w->n_frames = o->n_frames;
	w->ring_size = o->ring_size;
	w->batch = o->batch;
	w->tx_reserve = o->n_frames / 8;
	w->area_size = (size_t)o->n_frames * o->frame_size;
	w->area = mmap(NULL, w->area_size, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (w->area == MAP_FAILED) {
		w->area = NULL;
		xerr(err, errlen, "cannot map %zu bytes of UMEM: %s", w->area_size, strerror(errno));
		return -ENOMEM;
	}
	w->free_stack = calloc(o->n_frames, sizeof *w->free_stack);
	w->refcnt = calloc(o->n_frames, sizeof *w->refcnt);
	w->frames = calloc(o->batch, sizeof *w->frames);
	if (!w->free_stack || !w->refcnt || !w->frames)
		return -ENOMEM;
	/* LIFO: frame 0 on top, so the first allocations reuse warm cache lines */
	for (i = 0; i < o->n_frames; i++)
		w->free_stack[i] = o->n_frames - 1 - i;
	w->n_free = o->n_frames;

	rc = xsk_umem__create(&w->umem, w->area, w->area_size, &w->fq, &w->cq, &uc);
	if (rc) {
		xerr(err, errlen, "UMEM registration failed: %s", strerror(-rc));
		return rc;
	}
	rc = xsk_socket__create(&w->xsk, o->ifname, w->queue, w->umem, &w->rx, &w->tx, &sc);
	if (rc) {
		xerr(err, errlen, "AF_XDP socket on %s queue %u failed: %s%s", o->ifname, w->queue,
		     strerror(-rc), rc == -EINVAL ? " (does the interface have that many queues?)" : "");
		return rc;
	}
	w->xsk_fd = xsk_socket__fd(w->xsk);
	if (o->busy_poll) {
		int one = 1, usec = 20, budget = (int)o->batch;
		if (setsockopt(w->xsk_fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof one) ||
		    setsockopt(w->xsk_fd, SOL_SOCKET, SO_BUSY_POLL, &usec, sizeof usec) ||
		    setsockopt(w->xsk_fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof budget)) {
			xerr(err, errlen, "busy polling options refused: %s", strerror(errno));
			return -errno;
		}
	}
	xsk_refill(w);
	return 0;
}

void xsk_worker_close(struct axip_xdp_worker *w)
{
	if (w->xsk)
		xsk_socket__delete(w->xsk);
	if (w->umem)
		xsk_umem__delete(w->umem);
	if (w->area)
		munmap(w->area, w->area_size);
	free(w->free_stack);
	free(w->refcnt);
	free(w->frames);
	w->xsk = NULL;
	w->umem = NULL;
	w->area = NULL;
}
