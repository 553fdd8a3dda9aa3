/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xsk.c - one worker's UMEM and AF_XDP socket, and the core's environment
 * ops over them: UMEM frames are the core's packet buffers (no copy on
 * receive or transmit), handed out by a LIFO allocator with per-frame
 * reference counts.
 *
 * A chained packet (header frame + payload frames) leaves as one AF_XDP
 * multi-buffer packet: one descriptor per buffer, all but the last with
 * XDP_PKT_CONTD. Each descriptor holds one reference on its frame, dropped
 * when the completion ring returns its address; the core's own references
 * (retransmission queue) are separate, so a frame returns to the free stack
 * only when both are gone. Small payloads are copied into the header frame
 * instead (tx_copy_max). Multi-buffer receive is the same in reverse: the
 * descriptors of one packet become one AXIP_RX_MORE chain for the core.
 *
 * The socket and UMEM are set up here, not with libxdp's helpers, because
 * TX metadata needs the kernel's extended struct xdp_umem_reg.
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

/* Kernel ABI newer than Debian 12's linux/if_xdp.h (values from 6.18). */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif
#ifndef XDP_TX_METADATA
#define XDP_TX_METADATA (1 << 1)
#endif
#ifndef XDP_UMEM_TX_SW_CSUM
#define XDP_UMEM_TX_SW_CSUM (1 << 1)
#endif
#ifndef XDP_UMEM_TX_METADATA_LEN
#define XDP_UMEM_TX_METADATA_LEN (1 << 2)
#endif
#ifndef XDP_TXMD_FLAGS_CHECKSUM
#define XDP_TXMD_FLAGS_CHECKSUM (1 << 1)
#endif

/* struct xdp_umem_reg with tx_metadata_len (kernel 6.8+) */
struct umem_reg_v3 {
	uint64_t addr;
	uint64_t len;
	uint32_t chunk_size;
	uint32_t headroom;
	uint32_t flags;
	uint32_t tx_metadata_len;
};

/* struct xsk_tx_metadata (kernel 6.8+): the request half of the union */
struct tx_meta {
	uint64_t flags;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint32_t pad_;
	uint64_t launch_time;
};

#define HANDLE(i) ((void *)(uintptr_t)((i) + 1u))
#define INDEX(h) ((uint32_t)((uintptr_t)(h) - 1u))
#define TX_STUCK_NS 1000000000ull
#define TX_META_LEN 24u /* sizeof(struct xsk_tx_metadata), a multiple of 8 */

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

void axsk_reclaim(struct axip_xdp_worker *w)
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

void axsk_refill(struct axip_xdp_worker *w)
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

void axsk_kick(struct axip_xdp_worker *w)
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

/* n TX descriptors; waits (kick, reclaim, poll) while the ring is full.
 * Returns 0, or -1 after TX_STUCK_NS without room (counted). */
static int tx_reserve(struct axip_xdp_worker *w, uint32_t n, uint32_t *idx)
{
	uint64_t start = 0;
	while (xsk_ring_prod__reserve(&w->tx, n, idx) != n) {
		struct pollfd pfd = { .fd = w->xsk_fd, .events = POLLOUT };
		w->ctr.tx_ring_full_retries++;
		w->ctr.tx_kicks++;
		(void)sendto(w->xsk_fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
		axsk_reclaim(w);
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
		axsk_reclaim(w);
		if (!w->n_free) {
			w->ctr.umem_empty++;
			return NULL;
		}
	}
	i = frame_pop(w);
	w->refcnt[i] = 1;
	/* buf_off keeps room for TX metadata in front of every byte the core writes */
	*mem = w->area + ((size_t)i << w->frame_shift) + w->buf_off;
	*size = w->frame_size - w->buf_off;
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

/* Offset of a packet buffer's data inside its frame, or -1 when it is not
 * inside the worker's UMEM frame named by its handle. */
static long buf_offset(const struct axip_xdp_worker *w, const struct axip_pkt *p)
{
	uint32_t f = INDEX(p->buf);
	const uint8_t *base;
	if (f >= w->n_frames)
		return -1;
	base = w->area + ((size_t)f << w->frame_shift);
	if (p->data < base || p->data + p->len > base + w->frame_size)
		return -1;
	return (long)(p->data - base);
}

/* Return the frames of the non-empty buffers of a chain (from p on). */
static void chain_put(struct axip_xdp_worker *w, const struct axip_pkt *p)
{
	for (; p; p = p->sg_next)
		if (p->len)
			frame_put(w, INDEX(p->buf));
}

/* Copy a chained frame into one fresh UMEM frame (no SG, or too many
 * pieces). Returns the new frame's packet view in *out. */
static int tx_linearize(struct axip_xdp_worker *w, const struct axip_pkt *pkt, struct axip_pkt *out)
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
	memset(out, 0, sizeof *out);
	out->buf = h;
	out->data = mem;
	out->len = total;
	out->flags = pkt->flags;
	out->csum_start = pkt->csum_start;
	out->csum_offset = pkt->csum_offset;
	return 0;
}

/* Ask the kernel (or NIC) to complete the L4 checksum through TX metadata in
 * front of the head buffer. Returns XDP_TX_METADATA, or 0 after finishing
 * the sum in software (no room for the metadata: counted). */
static uint32_t tx_meta(struct axip_xdp_worker *w, struct axip_pkt *head, uint32_t n, long off)
{
	struct tx_meta m;
	if (!(head->flags & AXIP_PKT_TX_L4_CSUM))
		return 0;
	if (!w->tx_meta_len || off < (long)w->tx_meta_len) {
		w->ctr.tx_csum_sw_fallback++;
	} else if (n > 1 && w->tx_sw_csum) {
		/* XDP_UMEM_TX_SW_CSUM sums only the first buffer of a
		 * multi-buffer packet (seen on 6.18: wrong sums on the wire),
		 * so finish those here */
		w->ctr.tx_csum_sw_multibuf++;
	} else {
		memset(&m, 0, sizeof m);
		m.flags = XDP_TXMD_FLAGS_CHECKSUM;
		m.csum_start = head->csum_start;
		m.csum_offset = head->csum_offset;
		memcpy(head->data - w->tx_meta_len, &m, sizeof m);
		w->ctr.tx_csum_offload++;
		return XDP_TX_METADATA;
	}
	/* a copied payload's buffers still hang off the head: not part of it */
	axip_pkt_tx_csum_finish(head, n == 1 ? head->len : axip_pkt_chain_len(head));
	return 0;
}

/* Put the first n buffers of the chain from `head` on the TX ring as one
 * packet (empty buffers are skipped: n counts the others). */
static int tx_descs(struct axip_xdp_worker *w, struct axip_pkt *head, uint32_t n, long head_off)
{
	const struct axip_pkt *p;
	uint32_t idx, k = 0, meta;
	if (tx_reserve(w, n, &idx) != 0) {
		w->ctr.tx_drop_stuck++;
		for (p = head; p && k < n; p = p->sg_next)
			if (p->len) {
				frame_put(w, INDEX(p->buf));
				k++;
			}
		return -1;
	}
	meta = tx_meta(w, head, n, head_off);
	for (p = head; p && k < n; p = p->sg_next) {
		struct xdp_desc *d;
		if (!p->len)
			continue;
		d = xsk_ring_prod__tx_desc(&w->tx, idx + k);
		d->addr = (uint64_t)(p->data - w->area);
		d->len = p->len;
		d->options = (k + 1 < n ? XDP_PKT_CONTD : 0) | (k == 0 ? meta : 0);
		k++;
	}
	xsk_ring_prod__submit(&w->tx, n);
	w->ctr.tx_frames++;
	if (n > 1) {
		w->ctr.tx_sg_frames++;
		w->ctr.tx_sg_descs += n;
	}
	return 0;
}

static int env_tx(void *ctx, struct axip_pkt *pkt)
{
	struct axip_xdp_worker *w = ctx;
	struct axip_pkt *p, lin;
	uint32_t n = 0, payload = 0;
	long off = 0;
	int ok = 1, rc;

	if (w->x->pcap)
		pcap_out_write_pkt(w->x->pcap, pkt);
	if (w->x->shared4 || w->x->shared6)
		neigh_note_tx(w, pkt);

	/* every buffer must lie inside its UMEM frame, with room for TX
	 * metadata in front (the kernel checks that for every descriptor, and
	 * never completes one it refused); empty buffers are released */
	for (p = pkt; p; p = p->sg_next) {
		long o = buf_offset(w, p);
		if (o < 0) {
			ok = 0;
		} else if (p != pkt && p->len == 0) {
			frame_put(w, INDEX(p->buf));
			p->buf = NULL; /* released: skipped below */
			continue;
		} else if (o < (long)w->tx_meta_len && ok) {
			ok = 2; /* must be copied */
		}
		if (p == pkt)
			off = o;
		else
			payload += p->len;
		n++;
	}
	if (!ok || pkt->len == 0) {
		w->ctr.tx_drop_bad_buf++;
		for (p = pkt; p; p = p->sg_next)
			if (p->buf && INDEX(p->buf) < w->n_frames)
				frame_put(w, INDEX(p->buf));
		return -1;
	}
	if (n == 1 && ok == 1)
		return tx_descs(w, pkt, 1, off);

	if (n > 1 && ok == 1 && payload <= w->tx_copy_max && pkt->tailroom >= payload) {
		/* a small payload costs less to copy than to chain */
		axip_pkt_copy_out(pkt->sg_next, 0, pkt->data + pkt->len, payload);
		pkt->len += payload;
		pkt->tailroom -= payload;
		chain_put(w, pkt->sg_next);
		w->ctr.tx_copy_small++;
		return tx_descs(w, pkt, 1, off);
	}
	if (ok == 1 && w->sg && n <= w->sg_max)
		return tx_descs(w, pkt, n, off); /* zero copy: one descriptor per buffer */

	/* no multi-buffer TX, too many pieces, or a buffer without room for
	 * metadata: copy into one fresh frame */
	rc = tx_linearize(w, pkt, &lin);
	chain_put(w, pkt);
	if (rc != 0) {
		w->ctr.tx_drop_too_big++;
		return -1;
	}
	w->ctr.tx_sg_copied++;
	return tx_descs(w, &lin, 1, buf_offset(w, &lin));
}

static void env_tx_flush(void *ctx)
{
	struct axip_xdp_worker *w = ctx;
	axsk_kick(w);
	axsk_reclaim(w);
}

const struct axip_env_ops axsk_env_ops = {
	.buf_alloc = env_buf_alloc,
	.buf_free = env_buf_free,
	.buf_ref = env_buf_ref,
	.tx = env_tx,
	.tx_flush = env_tx_flush,
};

/* ---- receive ---- */

/* Fill w->frames[m] from one RX descriptor; 0, or -1 if it lies outside the UMEM. */
static int rx_desc(struct axip_xdp_worker *w, const struct xdp_desc *d, uint32_t m)
{
	uint64_t addr = xsk_umem__extract_addr(d->addr) + xsk_umem__extract_offset(d->addr);
	uint32_t f = (uint32_t)(addr >> w->frame_shift);
	uint32_t off = (uint32_t)(addr & (w->frame_size - 1));
	struct axip_rx_frame *fr = &w->frames[m];
	if (f >= w->n_frames || off + d->len > w->frame_size)
		return -1;
	fr->buf = HANDLE(f);
	fr->data = w->area + addr;
	/* The kernel wrote the frame, on veth from the sender's CPU: its first
	 * lines (Ethernet, IPv4 and TCP headers, with TCP options past byte 64)
	 * are cache misses. Asking for those of the whole batch here lets the
	 * misses overlap. */
	__builtin_prefetch(fr->data);
	if (d->len > 64)
		__builtin_prefetch(fr->data + 64);
	fr->len = d->len;
	fr->headroom = off;
	fr->tailroom = w->frame_size - off - d->len;
	fr->flags = w->x->o.trusted_csum ? (AXIP_PKT_RX_IP_CSUM_OK | AXIP_PKT_RX_L4_CSUM_OK) : 0;
	fr->rx_hash = 0;
	if (d->options & XDP_PKT_CONTD)
		fr->flags |= AXIP_RX_MORE;
	return 0;
}

/* The receive hash the XDP program put in front of the first buffer. */
static void rx_meta(struct axip_xdp_worker *w, struct axip_rx_frame *fr)
{
	struct axip_rx_meta m;
	if (fr->headroom < sizeof m)
		return;
	memcpy(&m, fr->data - sizeof m, sizeof m);
	if (m.magic != AXIP_RX_META_MAGIC)
		return;
	fr->rx_hash = m.hash;
	m.magic = 0; /* a later use of the frame must not see it again */
	memcpy(fr->data - sizeof m, &m, sizeof m);
	w->ctr.rx_hash++;
}

unsigned axip_xdp_rx_batch(struct axip_xdp_worker *w, axip_time_ns now)
{
	uint32_t idx, n = 0, k, m = 0, got, first, pkt_start = 0, extra = 0;
	int in_pkt = 0, bad = 0;
	frag_poll(w, now);
	if (w->x->n_workers > 1)
		m = handoff_take(w, w->batch / 2);
	got = m;
	n = m < w->batch ? xsk_ring_cons__peek(&w->rx, w->batch - m, &idx) : 0;
	first = idx;
	for (k = 0; k < n + extra; k++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&w->rx, first + k);
		if (w->rx_skip_contd) {
			/* the rest of a packet dropped in an earlier batch */
			if (rx_desc(w, d, m) == 0)
				frame_put(w, INDEX(w->frames[m].buf));
			w->rx_skip_contd = (d->options & XDP_PKT_CONTD) != 0;
			continue;
		}
		if (!in_pkt) {
			pkt_start = m;
			bad = 0;
		}
		if (rx_desc(w, d, m) != 0) {
			w->ctr.rx_drop_bad_desc++;
			bad = 1;
		} else {
			m++;
		}
		in_pkt = (d->options & XDP_PKT_CONTD) != 0;
		/* the kernel puts a multi-buffer packet on the ring whole: take
		 * the rest of one cut by the batch limit (bounded by the frames
		 * array's spare room) */
		if (in_pkt && k + 1 == n + extra && extra < AXIP_XDP_RX_FRAGS_MAX &&
		    xsk_ring_cons__peek(&w->rx, 1, &idx) == 1)
			extra++;
		if (in_pkt && k + 1 < n + extra)
			continue;
		if (in_pkt || bad) {
			/* cut short or partly invalid: drop the whole packet */
			uint32_t j;
			if (in_pkt) {
				w->ctr.rx_drop_partial++;
				w->rx_skip_contd = 1;
			}
			for (j = pkt_start; j < m; j++)
				frame_put(w, INDEX(w->frames[j].buf));
			m = pkt_start;
			in_pkt = 0;
			continue;
		}
		if (m - pkt_start > 1)
			w->ctr.rx_multibuf++;
		if (w->rx_meta && m > pkt_start)
			rx_meta(w, &w->frames[pkt_start]);
	}
	n += extra;
	if (n) {
		xsk_ring_cons__release(&w->rx, n);
		w->ctr.rx_frames += m - got;
		w->ctr.rx_batches++;
	}
	/* fragments to a shared address the XDP program could not decide */
	m = frag_filter(w, got, m, now);
	/* give the kernel fresh frames before the core runs, so RX continues meanwhile */
	axsk_refill(w);
	if (!m)
		return n + got;
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
		pcap_out_write_frames(w->x->pcap, w->frames, m);
	w->spin_until = now + w->spin_ns;
	axip_rx(w->stack, w->frames, m, now);
	return n + got;
}

/* ---- setup ---- */

static void *ring_map(struct axip_xdp_worker *w, int i, size_t len, off_t pgoff)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, w->xsk_fd, pgoff);
	if (m == MAP_FAILED)
		return NULL;
	w->ring_map[i] = m;
	w->ring_len[i] = len;
	return m;
}

static void ring_prod(struct xsk_ring_prod *r, void *m, const struct xdp_ring_offset *o, uint32_t size)
{
	r->producer = (void *)((char *)m + o->producer);
	r->consumer = (void *)((char *)m + o->consumer);
	r->ring = (char *)m + o->desc;
	r->flags = (void *)((char *)m + o->flags);
	r->mask = size - 1;
	r->size = size;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer + size; /* free entries, as libxdp keeps them */
}

static void ring_cons(struct xsk_ring_cons *r, void *m, const struct xdp_ring_offset *o, uint32_t size)
{
	r->producer = (void *)((char *)m + o->producer);
	r->consumer = (void *)((char *)m + o->consumer);
	r->ring = (char *)m + o->desc;
	r->flags = (void *)((char *)m + o->flags);
	r->mask = size - 1;
	r->size = size;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
}

static void sock_close(struct axip_xdp_worker *w)
{
	int i;
	for (i = 0; i < 4; i++)
		if (w->ring_map[i])
			munmap(w->ring_map[i], w->ring_len[i]);
	memset(w->ring_map, 0, sizeof w->ring_map);
	if (w->xsk_fd >= 0)
		close(w->xsk_fd);
	w->xsk_fd = -1;
}

/* UMEM registration with `flags`/`meta_len`; -errno on refusal. */
static int umem_reg(struct axip_xdp_worker *w, uint32_t flags, uint32_t meta_len)
{
	struct umem_reg_v3 mr;
	memset(&mr, 0, sizeof mr);
	mr.addr = (uint64_t)(uintptr_t)w->area;
	mr.len = w->area_size;
	mr.chunk_size = w->frame_size;
	mr.headroom = 0;
	mr.flags = flags;
	mr.tx_metadata_len = meta_len;
	return setsockopt(w->xsk_fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof mr) ? -errno : 0;
}

/*
 * One AF_XDP socket with its own UMEM: register the UMEM (with TX metadata
 * when `meta`; with XDP_UMEM_TX_SW_CSUM when `sw_csum`), size and map the
 * four rings, bind to the queue (XDP_USE_SG when `sg`). *stage tells which
 * step failed: 1 UMEM registration, 2 bind, 0 anything else.
 */
static int sock_open(struct axip_xdp_worker *w, int ifindex, int sg, int meta, int sw_csum,
                     int *stage)
{
	struct xdp_mmap_offsets off;
	struct sockaddr_xdp sa;
	socklen_t optlen = sizeof off;
	uint32_t rs = w->ring_size;
	void *m;
	int rc;

	*stage = 0;
	w->xsk_fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (w->xsk_fd < 0)
		return -errno;
	if (meta) {
		uint32_t f = XDP_UMEM_TX_METADATA_LEN | (sw_csum ? XDP_UMEM_TX_SW_CSUM : 0);
		rc = umem_reg(w, f, TX_META_LEN);
		if (rc == -EINVAL) /* 6.8-6.10: tx_metadata_len without the flag */
			rc = umem_reg(w, f & ~(uint32_t)XDP_UMEM_TX_METADATA_LEN, TX_META_LEN);
	} else {
		rc = umem_reg(w, 0, 0);
	}
	if (rc) {
		*stage = 1;
		return rc;
	}
	if (setsockopt(w->xsk_fd, SOL_XDP, XDP_UMEM_FILL_RING, &rs, sizeof rs) ||
	    setsockopt(w->xsk_fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &rs, sizeof rs) ||
	    setsockopt(w->xsk_fd, SOL_XDP, XDP_RX_RING, &rs, sizeof rs) ||
	    setsockopt(w->xsk_fd, SOL_XDP, XDP_TX_RING, &rs, sizeof rs) ||
	    getsockopt(w->xsk_fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen))
		return -errno;
	if (!(m = ring_map(w, 0, off.fr.desc + rs * sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING)))
		return -errno;
	ring_prod(&w->fq, m, &off.fr, rs);
	if (!(m = ring_map(w, 1, off.cr.desc + rs * sizeof(uint64_t), XDP_UMEM_PGOFF_COMPLETION_RING)))
		return -errno;
	ring_cons(&w->cq, m, &off.cr, rs);
	if (!(m = ring_map(w, 2, off.rx.desc + rs * sizeof(struct xdp_desc), XDP_PGOFF_RX_RING)))
		return -errno;
	ring_cons(&w->rx, m, &off.rx, rs);
	if (!(m = ring_map(w, 3, off.tx.desc + rs * sizeof(struct xdp_desc), XDP_PGOFF_TX_RING)))
		return -errno;
	ring_prod(&w->tx, m, &off.tx, rs);
	memset(&sa, 0, sizeof sa);
	sa.sxdp_family = AF_XDP;
	sa.sxdp_ifindex = (uint32_t)ifindex;
	sa.sxdp_queue_id = w->queue;
	sa.sxdp_flags = XDP_USE_NEED_WAKEUP | (sg ? XDP_USE_SG : 0);
	if (bind(w->xsk_fd, (struct sockaddr *)&sa, sizeof sa)) {
		*stage = 2;
		return -errno;
	}
	return 0;
}

int axsk_worker_open(struct axip_xdp_worker *w, char *err, size_t errlen)
{
	const struct axip_xdp_opts *o = &w->x->o;
	int ifindex = w->x->ifi.ifindex, sg = !o->no_sg, meta = o->tx_csum != AXIP_XDP_CSUM_SW;
	int sw_csum = o->tx_csum == AXIP_XDP_CSUM_META_SW, stage;
	uint32_t i;
	int rc;

	w->xsk_fd = -1;
	w->frame_size = o->frame_size;
	w->frame_shift = (uint32_t)__builtin_ctz(o->frame_size);
	w->n_frames = o->n_frames;
	w->ring_size = o->ring_size;
	w->batch = o->batch;
	w->spin_ns = o->busy_poll ? 0 : (axip_time_ns)o->poll_budget_us * 1000u;
	w->tx_reserve = o->n_frames / 8;
	w->tx_copy_max = o->tx_copy_max;
	w->area_size = (size_t)o->n_frames * o->frame_size;
	/* shared, not private: a process forked after the open (a prefork server
	 * under the LD_PRELOAD shim, one worker per child) must see the frames the
	 * kernel writes; the pages of a private mapping are copied at fork and
	 * the kernel keeps the parent's */
	w->area = mmap(NULL, w->area_size, PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (w->area == MAP_FAILED) {
		w->area = NULL;
		xerr(err, errlen, "cannot map %zu bytes of UMEM: %s", w->area_size, strerror(errno));
		return -ENOMEM;
	}
	w->free_stack = calloc(o->n_frames, sizeof *w->free_stack);
	w->refcnt = calloc(o->n_frames, sizeof *w->refcnt);
	/* a multi-buffer packet cut by the batch limit is completed in place */
	w->frames = calloc(o->batch + AXIP_XDP_RX_FRAGS_MAX, sizeof *w->frames);
	if (!w->free_stack || !w->refcnt || !w->frames)
		return -ENOMEM;
	/* LIFO: frame 0 on top, so the first allocations reuse warm cache lines */
	for (i = 0; i < o->n_frames; i++)
		w->free_stack[i] = o->n_frames - 1 - i;
	w->n_free = o->n_frames;

	/* fall back step by step: TX metadata (kernel 6.8+), then
	 * multi-buffer (6.6+); each refusal is reported and counted */
	for (;;) {
		rc = sock_open(w, ifindex, sg, meta, sw_csum, &stage);
		if (!rc)
			break;
		sock_close(w);
		if (meta && stage == 1 && rc == -EINVAL) {
			xdp_log(o, AXIP_XDP_LOG_WARN, "worker %u: the kernel refused TX metadata in the "
			        "UMEM: checksums computed in software", w->idx);
			w->ctr.tx_meta_refused++;
			meta = 0;
			continue;
		}
		if (sg && stage == 2 && (rc == -EINVAL || rc == -EOPNOTSUPP)) {
			xdp_log(o, AXIP_XDP_LOG_WARN, "worker %u: bind with XDP_USE_SG refused (%s): no "
			        "multi-buffer frames, chains are copied", w->idx, strerror(-rc));
			w->ctr.sg_bind_refused++;
			sg = 0;
			continue;
		}
		xerr(err, errlen, "AF_XDP socket on %s queue %u failed: %s%s", o->ifname, w->queue,
		     strerror(-rc), rc == -EINVAL ? " (does the interface have that many queues?)" : "");
		return rc;
	}
	w->sg = sg;
	w->sg_max = sg ? AXIP_XDP_TX_SG_MAX : 1;
	w->tx_meta_len = meta ? TX_META_LEN : 0;
	w->buf_off = meta ? TX_META_LEN : 0;
	w->tx_sw_csum = meta && sw_csum;
	if (o->busy_poll) {
		int one = 1, usec = 20, budget = (int)o->batch;
		if (setsockopt(w->xsk_fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof one) ||
		    setsockopt(w->xsk_fd, SOL_SOCKET, SO_BUSY_POLL, &usec, sizeof usec) ||
		    setsockopt(w->xsk_fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof budget)) {
			xerr(err, errlen, "busy polling options refused: %s", strerror(errno));
			return -errno;
		}
	}
	axsk_refill(w);
	return 0;
}

void axsk_worker_close(struct axip_xdp_worker *w)
{
	sock_close(w);
	if (w->area)
		munmap(w->area, w->area_size);
	free(w->free_stack);
	free(w->refcnt);
	free(w->frames);
	w->area = NULL;
}
