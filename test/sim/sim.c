/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sim.c - deterministic simulated Ethernet segment joining axip instances.
 *
 * Model:
 *  - Every host has an environment whose buffers are malloc'd, reference
 *    counted and tracked in a list, so leaks are countable (sim_bufs_in_use)
 *    and double frees / foreign frees abort the test loudly.
 *  - tx() only queues the chain on the host's TX ring, like a NIC ring; the
 *    "NIC" reads the buffers at tx_flush() (the doorbell): it performs the
 *    announced offloads (SG, IPv4 and L4 checksums, TSO) while copying the
 *    chain into wire frames, then drops the buffer references. A core that writes into a buffer after
 *    handing it to tx() but before the flush is therefore caught.
 *  - A wire frame goes to capture, pcap and the tap, then to every other host
 *    (a hub) through the impairments: drop, corrupt, duplicate, reorder,
 *    delay + jitter, and the sender's serialisation rate.
 *  - Deliveries sit in a binary heap ordered by (time, sequence number), so
 *    equal times keep FIFO order. The run loop jumps virtual time to the
 *    earliest of the next delivery and every host's next timer deadline; all
 *    frames due at one time for one host go to axip_rx() as one batch.
 *  - All randomness comes from one splitmix64 stream seeded by the params, so
 *    a run is a pure function of its seed and inputs.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_RX_HEADROOM 256u
#define SIM_SG_MAX 64u
#define SIM_BUF_MAGIC 0x53494d42u /* "SIMB" */
#define SIM_MIN_STEP_NS 1000u     /* smallest time step when a deadline is not in the future */

struct sim_buf {
	struct sim_buf *prev, *next; /* host's list of live buffers */
	struct sim_host *owner;
	uint32_t refs;
	uint32_t magic;
	uint8_t mem[];
};

/* One queued TX descriptor segment (the packet objects return to the core
 * when tx() returns, so the ring keeps its own copy of what it needs). */
struct sim_txseg {
	struct sim_buf *buf;
	uint8_t *data;
	uint32_t len;
};

struct sim_txdesc {
	uint32_t first_seg, n_segs;
	uint32_t flags;
	uint16_t csum_start, csum_offset;
	uint16_t tso_mss;
};

struct sim_capframe {
	uint8_t *data;
	uint32_t len;
	axip_time_ns time;
};

struct sim_host {
	struct sim *sim;
	uint32_t idx;
	void *mem_raw;
	struct axip_stack *stack;
	struct axip_env env;
	uint32_t caps;
	struct sim_buf live; /* list head */
	uint32_t bufs_in_use;
	axip_time_ns deadline;   /* next timer deadline reported by axip_poll */
	axip_time_ns link_free;  /* serialisation: when the sender's link is idle */
	/* TX ring */
	struct sim_txdesc *ring;
	uint32_t ring_n, ring_cap;
	struct sim_txseg *segs;
	uint32_t segs_n, segs_cap;
	/* capture (also the TX FIFO of a sim_single) */
	struct sim_capframe *cap;
	uint32_t cap_head, cap_n, cap_cap;
};

struct sim_event {
	axip_time_ns time;
	uint64_t seq;
	uint32_t to;
	uint32_t len;
	uint8_t *data;
};

struct sim {
	struct sim_params p;
	struct sim_impair im;
	uint32_t n;
	axip_time_ns now;
	uint64_t rng;
	uint64_t seq;
	int single;   /* sim_single: frames go to the capture FIFO, not the wire */
	int capture;
	sim_tap_fn tap;
	void *tap_arg;
	sim_rx_tap_fn rx_tap;
	void *rx_tap_arg;
	FILE *pcap;
	struct sim_event *heap;
	uint32_t heap_n, heap_cap;
	struct sim_stats stats;
	struct sim_host host[SIM_MAX_HOSTS];
};

static void die(const char *msg)
{
	fprintf(stderr, "sim: %s\n", msg);
	abort();
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* ---- PRNG: splitmix64 (Steele, Lea, Flood 2014) ---- */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct sim *sim)
{
	return splitmix64(&sim->rng);
}

/* 1 with probability ppm / 10^6. It draws even when ppm is 0, so raising one
 * impairment's rate does not shift which frames another one hits. */
static int chance(struct sim *sim, uint32_t ppm)
{
	return (rnd(sim) % 1000000u) < ppm;
}

/* ---- buffers ---- */

static void *env_buf_alloc(void *ctx, axip_u8 **mem, axip_u32 *size)
{
	struct sim_host *h = ctx;
	struct sim_buf *b;
	if (h->bufs_in_use >= h->sim->p.bufs_per_host)
		return NULL;
	b = xmalloc(sizeof(*b) + h->sim->p.buf_size);
	b->owner = h;
	b->refs = 1;
	b->magic = SIM_BUF_MAGIC;
	b->next = h->live.next;
	b->prev = &h->live;
	h->live.next->prev = b;
	h->live.next = b;
	h->bufs_in_use++;
	/* poison so reads of uninitialised bytes show up as garbage on the wire */
	memset(b->mem, 0xa5, h->sim->p.buf_size);
	*mem = b->mem;
	*size = h->sim->p.buf_size;
	return b;
}

static struct sim_buf *buf_check(struct sim_host *h, void *buf, const char *what)
{
	struct sim_buf *b = buf;
	if (!b || b->magic != SIM_BUF_MAGIC || b->refs == 0) {
		fprintf(stderr, "sim: host %u: %s of a bad or already released buffer %p\n",
		        (unsigned)h->idx, what, buf);
		abort();
	}
	if (b->owner != h) {
		fprintf(stderr, "sim: host %u: %s of a buffer that belongs to host %u\n",
		        (unsigned)h->idx, what, (unsigned)b->owner->idx);
		abort();
	}
	return b;
}

static void buf_release(struct sim_host *h, struct sim_buf *b)
{
	if (--b->refs)
		return;
	b->prev->next = b->next;
	b->next->prev = b->prev;
	b->magic = 0;
	h->bufs_in_use--;
	free(b);
}

static void env_buf_free(void *ctx, void *buf)
{
	struct sim_host *h = ctx;
	buf_release(h, buf_check(h, buf, "buf_free"));
}

static void env_buf_ref(void *ctx, void *buf)
{
	struct sim_host *h = ctx;
	buf_check(h, buf, "buf_ref")->refs++;
}

/* ---- TX: ring, offloads, wire ---- */

static void deliver_wire(struct sim *sim, struct sim_host *from, uint8_t *frame, uint32_t len);

static int env_tx(void *ctx, struct axip_pkt *pkt)
{
	struct sim_host *h = ctx;
	struct sim_txdesc *d;
	struct axip_pkt *q;
	uint32_t nseg = 0;
	uint32_t bad_flags = 0;

	for (q = pkt; q; q = q->sg_next)
		nseg++;
	if ((pkt->flags & AXIP_PKT_TX_IP_CSUM) && !(h->caps & AXIP_CAP_TX_IP_CSUM))
		bad_flags = 1;
	if ((pkt->flags & AXIP_PKT_TX_L4_CSUM) && !(h->caps & AXIP_CAP_TX_L4_CSUM))
		bad_flags = 1;
	if ((pkt->flags & AXIP_PKT_TX_TSO) && (!(h->caps & AXIP_CAP_TSO) || pkt->tso_mss == 0))
		bad_flags = 1;
	if (bad_flags) {
		fprintf(stderr, "sim: host %u: tx flags 0x%x use an offload that caps 0x%x do not announce\n",
		        (unsigned)h->idx, (unsigned)pkt->flags, (unsigned)h->caps);
		abort();
	}
	if (nseg > 1 && (!(h->caps & AXIP_CAP_SG) || nseg > h->env.sg_max)) {
		/* the environment cannot take a chain: refuse it (the core counts
		 * tx_env_drop) and drop the references it handed over */
		for (q = pkt; q; q = q->sg_next)
			env_buf_free(h, q->buf);
		h->sim->stats.tx_rejected++;
		return -1;
	}
	if (h->ring_n == h->ring_cap) {
		h->ring_cap = h->ring_cap ? 2 * h->ring_cap : 64;
		h->ring = xrealloc(h->ring, h->ring_cap * sizeof(*h->ring));
	}
	if (h->segs_n + nseg > h->segs_cap) {
		while (h->segs_n + nseg > h->segs_cap)
			h->segs_cap = h->segs_cap ? 2 * h->segs_cap : 128;
		h->segs = xrealloc(h->segs, h->segs_cap * sizeof(*h->segs));
	}
	d = &h->ring[h->ring_n++];
	d->first_seg = h->segs_n;
	d->n_segs = nseg;
	d->flags = pkt->flags;
	d->csum_start = pkt->csum_start;
	d->csum_offset = pkt->csum_offset;
	d->tso_mss = pkt->tso_mss;
	for (q = pkt; q; q = q->sg_next) {
		struct sim_txseg *sg = &h->segs[h->segs_n++];
		sg->buf = buf_check(h, q->buf, "tx");
		sg->data = q->data;
		sg->len = q->len;
	}
	return 0;
}

static uint32_t sum16(const uint8_t *p, uint32_t len)
{
	uint32_t s = 0, i;
	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

static uint16_t fold_not(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* End of the IPv4 datagram inside the frame (Ethernet padding excluded), or len. */
static uint32_t l3_end(const uint8_t *f, uint32_t len)
{
	if (len >= 34 && f[12] == 0x08 && f[13] == 0x00) {
		uint32_t tot = (uint32_t)(f[16] << 8 | f[17]);
		if (14 + tot <= len)
			return 14 + tot;
	}
	return len;
}

/* What a NIC does with the offload marks while reading the chain. */
static void do_offloads(struct sim_host *h, const struct sim_txdesc *d, uint8_t *f, uint32_t len)
{
	if ((d->flags & AXIP_PKT_TX_IP_CSUM) && len >= 34 && f[12] == 0x08 && f[13] == 0x00) {
		uint32_t ihl = (uint32_t)(f[14] & 0x0f) * 4;
		if (ihl >= 20 && 14 + ihl <= len) {
			uint16_t c;
			f[24] = f[25] = 0;
			c = fold_not(sum16(f + 14, ihl));
			f[24] = (uint8_t)(c >> 8);
			f[25] = (uint8_t)c;
		}
	}
	if (d->flags & AXIP_PKT_TX_L4_CSUM) {
		uint32_t end = l3_end(f, len);
		uint32_t at = (uint32_t)d->csum_start + d->csum_offset;
		uint16_t c;
		if (d->csum_start >= end || at + 2 > end) {
			fprintf(stderr, "sim: host %u: TX_L4_CSUM start %u offset %u outside a %u-byte frame\n",
			        (unsigned)h->idx, (unsigned)d->csum_start, (unsigned)d->csum_offset,
			        (unsigned)len);
			abort();
		}
		/* the field holds the pseudo-header sum; sum from csum_start to the end */
		c = fold_not(sum16(f + d->csum_start, end - d->csum_start));
		/* RFC 768: a computed UDP checksum of zero is sent as all ones */
		if (c == 0 && len >= 34 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 17)
			c = 0xffff;
		f[at] = (uint8_t)(c >> 8);
		f[at + 1] = (uint8_t)c;
	}
}

static void capture_add(struct sim_host *h, const uint8_t *f, uint32_t len, axip_time_ns t)
{
	struct sim_capframe *c;
	if (h->cap_head > 0 && h->cap_head == h->cap_n) {
		h->cap_head = h->cap_n = 0;
	}
	if (h->cap_n == h->cap_cap) {
		if (h->cap_head > 0) {
			memmove(h->cap, h->cap + h->cap_head, (h->cap_n - h->cap_head) * sizeof(*h->cap));
			h->cap_n -= h->cap_head;
			h->cap_head = 0;
		}
		if (h->cap_n == h->cap_cap) {
			h->cap_cap = h->cap_cap ? 2 * h->cap_cap : 64;
			h->cap = xrealloc(h->cap, h->cap_cap * sizeof(*h->cap));
		}
	}
	c = &h->cap[h->cap_n++];
	c->data = xmalloc(len);
	memcpy(c->data, f, len);
	c->len = len;
	c->time = t;
}

/* One frame leaves the NIC: capture, then the wire (or the FIFO of a sim_single). Takes f. */
static void nic_emit(struct sim_host *h, uint8_t *f, uint32_t len)
{
	struct sim *sim = h->sim;
	sim->stats.frames_tx++;
	if (sim->single || sim->capture)
		capture_add(h, f, len, sim->now);
	if (sim->single)
		free(f);
	else
		deliver_wire(sim, h, f, len);
}

/*
 * TSO: cut an Ethernet/IPv4/TCP frame into segments of at most `mss`
 * payload bytes, as a NIC does: headers copied, IPv4 total length, ID (+1
 * per segment) and checksum rewritten, TCP sequence advanced, FIN and PSH
 * only on the last segment, CWR only on the first. Each segment's TCP
 * checksum is computed in full (whatever the field held). Takes f.
 */
static void nic_tso(struct sim_host *h, uint8_t *f, uint32_t len, uint32_t mss)
{
	uint32_t ihl, hl, doff, end, payload, off, seq;
	uint16_t id;
	if (len < 54 || f[12] != 0x08 || f[13] != 0x00 || f[23] != 6)
		goto bad;
	ihl = (uint32_t)(f[14] & 0x0f) * 4;
	if (ihl < 20 || 14 + ihl + 20 > len)
		goto bad;
	doff = (uint32_t)(f[14 + ihl + 12] >> 4) * 4;
	hl = 14 + ihl + doff;
	end = l3_end(f, len);
	if (doff < 20 || hl > end)
		goto bad;
	payload = end - hl;
	id = (uint16_t)(f[18] << 8 | f[19]);
	seq = (uint32_t)f[14 + ihl + 4] << 24 | (uint32_t)f[14 + ihl + 5] << 16 |
	      (uint32_t)f[14 + ihl + 6] << 8 | f[14 + ihl + 7];
	off = 0;
	do {
		uint32_t n = payload - off < mss ? payload - off : mss;
		uint32_t tot = ihl + doff + n, sq = seq + off, ps;
		uint8_t *g = xmalloc(hl + n), *ip = g + 14, *tcp = g + 14 + ihl;
		uint16_t c, this_id = (uint16_t)(id + off / mss);
		memcpy(g, f, hl);
		memcpy(g + hl, f + hl + off, n);
		ip[2] = (uint8_t)(tot >> 8);
		ip[3] = (uint8_t)tot;
		ip[4] = (uint8_t)(this_id >> 8);
		ip[5] = (uint8_t)this_id;
		ip[10] = ip[11] = 0;
		c = fold_not(sum16(ip, ihl));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
		tcp[4] = (uint8_t)(sq >> 24);
		tcp[5] = (uint8_t)(sq >> 16);
		tcp[6] = (uint8_t)(sq >> 8);
		tcp[7] = (uint8_t)sq;
		if (off + n < payload)
			tcp[13] &= (uint8_t)~0x09; /* FIN, PSH: last segment only */
		if (off > 0)
			tcp[13] &= (uint8_t)~0x80; /* CWR: first segment only */
		tcp[16] = tcp[17] = 0;
		ps = sum16(ip + 12, 8) + 6 + doff + n;
		c = fold_not(ps + sum16(tcp, doff + n));
		tcp[16] = (uint8_t)(c >> 8);
		tcp[17] = (uint8_t)c;
		nic_emit(h, g, hl + n);
		off += n;
	} while (off < payload);
	free(f);
	return;
bad:
	fprintf(stderr, "sim: host %u: TX_TSO on a frame that is not Ethernet/IPv4/TCP\n",
	        (unsigned)h->idx);
	abort();
}

static void env_tx_flush(void *ctx)
{
	struct sim_host *h = ctx;
	uint32_t i, k;

	for (i = 0; i < h->ring_n; i++) {
		const struct sim_txdesc *d = &h->ring[i];
		uint32_t len = 0, off = 0;
		uint8_t *f;
		for (k = 0; k < d->n_segs; k++)
			len += h->segs[d->first_seg + k].len;
		f = xmalloc(len);
		for (k = 0; k < d->n_segs; k++) {
			struct sim_txseg *sg = &h->segs[d->first_seg + k];
			memcpy(f + off, sg->data, sg->len);
			off += sg->len;
			buf_release(h, sg->buf);
		}
		if (d->flags & AXIP_PKT_TX_TSO) {
			nic_tso(h, f, len, d->tso_mss);
			continue;
		}
		do_offloads(h, d, f, len);
		nic_emit(h, f, len);
	}
	h->ring_n = 0;
	h->segs_n = 0;
}

static const struct axip_env_ops sim_env_ops = {
	env_buf_alloc, env_buf_free, env_buf_ref, env_tx, env_tx_flush,
};

/* ---- event heap ---- */

static int ev_before(const struct sim_event *a, const struct sim_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void heap_push(struct sim *sim, axip_time_ns t, uint32_t to, uint8_t *data, uint32_t len)
{
	uint32_t i;
	struct sim_event e;
	if (sim->heap_n == sim->heap_cap) {
		sim->heap_cap = sim->heap_cap ? 2 * sim->heap_cap : 256;
		sim->heap = xrealloc(sim->heap, sim->heap_cap * sizeof(*sim->heap));
	}
	e.time = t;
	e.seq = sim->seq++;
	e.to = to;
	e.data = data;
	e.len = len;
	i = sim->heap_n++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!ev_before(&e, &sim->heap[parent]))
			break;
		sim->heap[i] = sim->heap[parent];
		i = parent;
	}
	sim->heap[i] = e;
}

static struct sim_event heap_pop(struct sim *sim)
{
	struct sim_event top = sim->heap[0];
	struct sim_event last = sim->heap[--sim->heap_n];
	uint32_t i = 0;
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = l;
		if (l >= sim->heap_n)
			break;
		if (r < sim->heap_n && ev_before(&sim->heap[r], &sim->heap[l]))
			m = r;
		if (!ev_before(&sim->heap[m], &last))
			break;
		sim->heap[i] = sim->heap[m];
		i = m;
	}
	if (sim->heap_n > 0)
		sim->heap[i] = last;
	return top;
}

/* ---- pcap (nanosecond-resolution format, LINKTYPE_ETHERNET) ---- */

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f); /* native order: readers detect it from the magic */
}

static void pcap_write(struct sim *sim, const uint8_t *f, uint32_t len)
{
	if (!sim->pcap)
		return;
	put32(sim->pcap, (uint32_t)(sim->now / 1000000000u));
	put32(sim->pcap, (uint32_t)(sim->now % 1000000000u));
	put32(sim->pcap, len);
	put32(sim->pcap, len);
	fwrite(f, 1, len, sim->pcap);
	fflush(sim->pcap);
}

int sim_pcap_open(struct sim *sim, const char *path)
{
	uint16_t v;
	if (sim->pcap)
		fclose(sim->pcap);
	sim->pcap = fopen(path, "wb");
	if (!sim->pcap)
		return -1;
	put32(sim->pcap, 0xa1b23c4du);
	v = 2;
	fwrite(&v, 2, 1, sim->pcap);
	v = 4;
	fwrite(&v, 2, 1, sim->pcap);
	put32(sim->pcap, 0);
	put32(sim->pcap, 0);
	put32(sim->pcap, 65535);
	put32(sim->pcap, 1);
	fflush(sim->pcap);
	return 0;
}

/* ---- the wire ---- */

static axip_time_ns impair_delay(const struct sim_impair *im)
{
	return im->delay_ns ? im->delay_ns : 10000u;
}

static axip_time_ns impair_reorder_delay(const struct sim_impair *im)
{
	return im->reorder_delay_ns ? im->reorder_delay_ns : 3 * impair_delay(im);
}

static void deliver_wire(struct sim *sim, struct sim_host *from, uint8_t *frame, uint32_t len)
{
	const struct sim_impair *im = &sim->im;
	axip_time_ns start = sim->now;
	uint32_t to;

	pcap_write(sim, frame, len);
	if (sim->tap) {
		uint32_t nlen = len;
		if (!sim->tap(sim->tap_arg, from->idx, frame, &nlen)) {
			sim->stats.tap_dropped++;
			free(frame);
			return;
		}
		if (nlen < len)
			len = nlen;
	}
	if (im->rate_bps) {
		/* serialisation: frames of one sender leave back to back */
		if (from->link_free > start)
			start = from->link_free;
		start += (axip_time_ns)len * 8u * 1000000000u / im->rate_bps;
		from->link_free = start;
	}
	for (to = 0; to < sim->n; to++) {
		uint32_t copies, c;
		if (to == from->idx)
			continue;
		if (chance(sim, im->drop_ppm)) {
			sim->stats.dropped++;
			continue;
		}
		copies = 1;
		if (chance(sim, im->dup_ppm)) {
			sim->stats.duplicated++;
			copies = 2;
		}
		for (c = 0; c < copies; c++) {
			axip_time_ns t = start + impair_delay(im);
			uint8_t *d = xmalloc(len);
			memcpy(d, frame, len);
			if (im->jitter_ns)
				t += rnd(sim) % (im->jitter_ns + 1);
			if (chance(sim, im->reorder_ppm)) {
				sim->stats.reordered++;
				t += impair_reorder_delay(im);
			}
			if (len && chance(sim, im->corrupt_ppm)) {
				uint64_t bit = rnd(sim) % ((uint64_t)len * 8u);
				d[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				sim->stats.corrupted++;
			}
			heap_push(sim, t, to, d, len);
		}
	}
	free(frame);
}

/* ---- RX: NIC-side checksum verification and buffer split ---- */

static uint32_t rx_offload_flags(const struct sim_host *h, const uint8_t *f, uint32_t len)
{
	uint32_t flags = 0, ihl, end, proto, l4len;
	if (!(h->caps & (AXIP_CAP_RX_IP_CSUM | AXIP_CAP_RX_L4_CSUM)))
		return 0;
	if (len < 34 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
		return 0;
	ihl = (uint32_t)(f[14] & 0x0f) * 4;
	end = l3_end(f, len);
	if (ihl < 20 || 14 + ihl > end)
		return 0;
	if ((h->caps & AXIP_CAP_RX_IP_CSUM) && fold_not(sum16(f + 14, ihl)) == 0)
		flags |= AXIP_PKT_RX_IP_CSUM_OK;
	proto = f[23];
	/* only unfragmented TCP/UDP: MF clear and offset zero */
	if (!(h->caps & AXIP_CAP_RX_L4_CSUM) || (proto != 6 && proto != 17) ||
	    ((f[20] & 0x3f) | f[21]) != 0)
		return flags;
	l4len = end - 14 - ihl;
	if (l4len < (proto == 6 ? 20u : 8u))
		return flags;
	if (proto == 17 && f[14 + ihl + 6] == 0 && f[14 + ihl + 7] == 0)
		return flags; /* no UDP checksum: nothing verified */
	{
		uint32_t s = sum16(f + 14 + ihl, l4len);
		s += sum16(f + 26, 8);
		s += proto + l4len;
		if (fold_not(s) == 0)
			flags |= AXIP_PKT_RX_L4_CSUM_OK;
	}
	return flags;
}

/* FNV-1a over the IPv4 addresses and ports of an unfragmented TCP/UDP
 * frame, as a NIC's RSS hash would cover them; 0 for anything else. */
static uint32_t rx_flow_hash(const uint8_t *f, uint32_t len)
{
	uint32_t ihl, h = 2166136261u, i;
	if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
		return 0;
	ihl = (uint32_t)(f[14] & 15) * 4;
	if (ihl < 20 || len < 14 + ihl + 4 || (f[23] != 6 && f[23] != 17) ||
	    ((f[20] & 0x3f) | f[21]) != 0)
		return 0;
	for (i = 0; i < 8; i++)
		h = (h ^ f[26 + i]) * 16777619u;
	for (i = 0; i < 4; i++)
		h = (h ^ f[14 + ihl + i]) * 16777619u;
	return h ? h : 1;
}

/* Copy one frame into the host's buffers, appending rx descriptors to fr[].
 * Returns descriptors added, 0 if the host ran out of buffers. */
static uint32_t rx_wrap(struct sim_host *h, const uint8_t *f, uint32_t len, uint32_t split,
                        struct axip_rx_frame *fr)
{
	uint32_t room = h->sim->p.buf_size - SIM_RX_HEADROOM;
	uint32_t piece = split && split < room ? split : room;
	uint32_t n = 0, off = 0;
	uint32_t flags = rx_offload_flags(h, f, len);
	uint32_t hash = h->sim->p.rx_hash ? rx_flow_hash(f, len) : 0;
	if (h->sim->p.rx_low_buf &&
	    h->sim->p.bufs_per_host - h->bufs_in_use < h->sim->p.rx_low_buf)
		flags |= AXIP_PKT_RX_LOW_BUF;
	do {
		axip_u8 *mem;
		axip_u32 size;
		uint32_t take = len - off < piece ? len - off : piece;
		void *b = env_buf_alloc(h, &mem, &size);
		if (!b) {
			while (n--)
				env_buf_free(h, fr[n].buf);
			h->sim->stats.rx_nobuf++;
			return 0;
		}
		memcpy(mem + SIM_RX_HEADROOM, f + off, take);
		fr[n].buf = b;
		fr[n].data = mem + SIM_RX_HEADROOM;
		fr[n].len = take;
		fr[n].headroom = SIM_RX_HEADROOM;
		fr[n].tailroom = size - SIM_RX_HEADROOM - take;
		fr[n].flags = n == 0 ? flags : 0;
		fr[n].rx_hash = hash;
		if (n > 0)
			fr[n - 1].flags |= AXIP_RX_MORE;
		n++;
		off += take;
	} while (off < len);
	return n;
}

/* ---- construction ---- */

static void default_config(struct sim *sim, uint32_t i, struct axip_config *cfg)
{
	uint64_t st = sim->p.seed ^ (0x5349d000ull + i);
	uint32_t k;
	axip_config_defaults(cfg);
	cfg->mac[0] = 0x02;
	cfg->mac[5] = (uint8_t)(i + 1);
	cfg->n_addrs = 1;
	cfg->addrs[0].addr = AXIP_IP4(10, 0, 0, i + 1);
	cfg->addrs[0].prefix_len = 24;
	/* byte by byte, so the secret (and all it keys) is the same on every
	 * architecture and a run reproduces across byte orders */
	for (k = 0; k < 16; k += 8) {
		uint64_t r = splitmix64(&st);
		uint32_t b;
		for (b = 0; b < 8; b++)
			cfg->secret[k + b] = (uint8_t)(r >> (8 * b));
	}
}

static void host_init(struct sim *sim, uint32_t i, const struct axip_config *cfg)
{
	struct sim_host *h = &sim->host[i];
	axip_size need;
	uintptr_t a;
	int err;

	h->sim = sim;
	h->idx = i;
	h->caps = sim->p.caps[i];
	h->live.next = h->live.prev = &h->live;
	h->deadline = 0;
	h->env.ops = &sim_env_ops;
	h->env.ctx = h;
	h->env.caps = h->caps;
	h->env.tso_max = (h->caps & AXIP_CAP_TSO) ? 65535u + 14u : 0;
	h->env.sg_max = (h->caps & AXIP_CAP_SG) ? SIM_SG_MAX : 1;
	err = axip_mem_size(cfg, &need);
	if (err) {
		fprintf(stderr, "sim: host %u: axip_mem_size: %s\n", (unsigned)i, axip_strerror(err));
		abort();
	}
	h->mem_raw = xmalloc(need + AXIP_MEM_ALIGN);
	a = ((uintptr_t)h->mem_raw + AXIP_MEM_ALIGN - 1) & ~(uintptr_t)(AXIP_MEM_ALIGN - 1);
	err = axip_init((void *)a, need, cfg, &h->env, sim->now, &h->stack);
	if (err) {
		fprintf(stderr, "sim: host %u: axip_init: %s\n", (unsigned)i, axip_strerror(err));
		abort();
	}
}

static struct sim *sim_create(const struct sim_params *p, const struct axip_config *single_cfg)
{
	struct sim *sim = xmalloc(sizeof(*sim));
	uint32_t i;
	memset(sim, 0, sizeof(*sim));
	sim->p = *p;
	if (!sim->p.n_hosts)
		sim->p.n_hosts = 2;
	if (sim->p.n_hosts > SIM_MAX_HOSTS)
		die("too many hosts");
	if (!sim->p.buf_size)
		sim->p.buf_size = 2048;
	if (sim->p.buf_size <= SIM_RX_HEADROOM)
		die("buf_size must exceed the RX headroom (256)");
	if (!sim->p.bufs_per_host)
		sim->p.bufs_per_host = 16384;
	sim->im = sim->p.impair;
	sim->n = sim->p.n_hosts;
	sim->rng = sim->p.seed;
	sim->single = single_cfg != NULL;
	for (i = 0; i < sim->n; i++) {
		struct axip_config cfg;
		if (single_cfg) {
			cfg = *single_cfg;
		} else {
			default_config(sim, i, &cfg);
			if (sim->p.cfg_hook)
				sim->p.cfg_hook(sim->p.cfg_arg, i, &cfg);
		}
		host_init(sim, i, &cfg);
	}
	return sim;
}

struct sim *sim_new(const struct sim_params *p)
{
	struct sim_params def;
	if (!p) {
		memset(&def, 0, sizeof(def));
		p = &def;
	}
	return sim_create(p, NULL);
}

void sim_free(struct sim *sim)
{
	uint32_t i, k;
	if (!sim)
		return;
	for (i = 0; i < sim->heap_n; i++)
		free(sim->heap[i].data);
	free(sim->heap);
	for (i = 0; i < sim->n; i++) {
		struct sim_host *h = &sim->host[i];
		/* buffers the stack or the application still hold die with the sim */
		while (h->live.next != &h->live) {
			struct sim_buf *b = h->live.next;
			h->live.next = b->next;
			free(b);
		}
		for (k = h->cap_head; k < h->cap_n; k++)
			free(h->cap[k].data);
		free(h->cap);
		free(h->ring);
		free(h->segs);
		free(h->mem_raw);
	}
	if (sim->pcap)
		fclose(sim->pcap);
	free(sim);
}

struct axip_stack *sim_stack(struct sim *sim, uint32_t host)
{
	if (host >= sim->n)
		die("sim_stack: no such host");
	return sim->host[host].stack;
}

axip_time_ns sim_now(const struct sim *sim)
{
	return sim->now;
}

void sim_set_impair(struct sim *sim, const struct sim_impair *im)
{
	sim->im = *im;
}

void sim_set_tap(struct sim *sim, sim_tap_fn fn, void *arg)
{
	sim->tap = fn;
	sim->tap_arg = arg;
}

void sim_set_rx_tap(struct sim *sim, sim_rx_tap_fn fn, void *arg)
{
	sim->rx_tap = fn;
	sim->rx_tap_arg = arg;
}

void sim_inject(struct sim *sim, uint32_t host, const void *frame, uint32_t len)
{
	uint8_t *d;
	if (host >= sim->n)
		die("sim_inject: no such host");
	d = xmalloc(len);
	memcpy(d, frame, len);
	heap_push(sim, sim->now, host, d, len);
}

void sim_capture(struct sim *sim, int on)
{
	sim->capture = on;
}

uint32_t sim_take_sent(struct sim *sim, uint32_t host, struct sim_frame *out, uint32_t max)
{
	struct sim_host *h;
	uint32_t n = 0;
	if (host >= sim->n)
		die("sim_take_sent: no such host");
	h = &sim->host[host];
	while (n < max && h->cap_head < h->cap_n) {
		struct sim_capframe *c = &h->cap[h->cap_head++];
		uint32_t l = c->len < sizeof(out[n].data) ? c->len : (uint32_t)sizeof(out[n].data);
		memcpy(out[n].data, c->data, l);
		out[n].len = l;
		out[n].from = host;
		out[n].time = c->time;
		free(c->data);
		n++;
	}
	return n;
}

uint32_t sim_bufs_in_use(const struct sim *sim, uint32_t host)
{
	if (host >= sim->n)
		die("sim_bufs_in_use: no such host");
	return sim->host[host].bufs_in_use;
}

uint32_t sim_in_flight(const struct sim *sim)
{
	return sim->heap_n;
}

void sim_get_stats(const struct sim *sim, struct sim_stats *out)
{
	*out = sim->stats;
}

uint32_t sim_n_hosts(const struct sim *sim)
{
	return sim->n;
}

/* ---- the run loop ---- */

static void host_poll(struct sim *sim, struct sim_host *h)
{
	axip_time_ns d = axip_poll(h->stack, sim->now);
	/* a deadline that is not in the future still moves time forward */
	if (d <= sim->now)
		d = sim->now + SIM_MIN_STEP_NS;
	h->deadline = d;
}

static void poll_all(struct sim *sim)
{
	uint32_t i;
	for (i = 0; i < sim->n; i++)
		host_poll(sim, &sim->host[i]);
}

/* Hosts not polled at the current time still learn it, so sends the test
 * makes between runs are stamped with sim_now(). No timer of theirs is due
 * (their deadline is later), so this runs nothing. */
static void sync_clocks(struct sim *sim)
{
	uint32_t i;
	for (i = 0; i < sim->n; i++)
		axip_set_time(sim->host[i].stack, sim->now);
}

static axip_time_ns next_time(const struct sim *sim)
{
	axip_time_ns t = ~(axip_time_ns)0;
	uint32_t i;
	if (sim->heap_n)
		t = sim->heap[0].time;
	for (i = 0; i < sim->n; i++)
		if (sim->host[i].deadline < t)
			t = sim->host[i].deadline;
	return t;
}

/* Deliver every frame due at sim->now, one axip_rx batch per host, then poll
 * every host. */
static void step(struct sim *sim)
{
	uint32_t i;
	uint32_t n_due = 0, cap_due = 0;
	struct sim_event *due = NULL;

	while (sim->heap_n && sim->heap[0].time <= sim->now) {
		if (n_due == cap_due) {
			cap_due = cap_due ? 2 * cap_due : 16;
			due = xrealloc(due, cap_due * sizeof(*due));
		}
		due[n_due++] = heap_pop(sim);
	}
	for (i = 0; i < sim->n; i++) {
		struct sim_host *h = &sim->host[i];
		struct axip_rx_frame *fr = NULL;
		uint32_t nfr = 0, capfr = 0, k;
		uint32_t room = sim->p.buf_size - SIM_RX_HEADROOM;
		uint32_t piece = sim->p.rx_split && sim->p.rx_split < room ? sim->p.rx_split : room;
		for (k = 0; k < n_due; k++) {
			uint32_t need;
			if (due[k].to != i)
				continue;
			if (sim->rx_tap)
				sim->rx_tap(sim->rx_tap_arg, i, due[k].data, due[k].len, sim->now);
			need = due[k].len / piece + 1;
			if (nfr + need > capfr) {
				while (nfr + need > capfr)
					capfr = capfr ? 2 * capfr : 16;
				fr = xrealloc(fr, capfr * sizeof(*fr));
			}
			need = rx_wrap(h, due[k].data, due[k].len, sim->p.rx_split, fr + nfr);
			if (need)
				sim->stats.frames_delivered++;
			nfr += need;
		}
		if (nfr)
			axip_rx(h->stack, fr, nfr, sim->now);
		free(fr);
	}
	for (i = 0; i < n_due; i++)
		free(due[i].data);
	free(due);
	/* Every host, not only those that received or whose deadline came: an
	 * application callback on one host may send on another, arming its
	 * timers and leaving frames for its flush. Polling runs only due timers. */
	poll_all(sim);
}

static axip_time_ns sat_add(axip_time_ns a, axip_time_ns b)
{
	return a + b < a ? ~(axip_time_ns)0 : a + b;
}

int sim_run_until(struct sim *sim, int (*cond)(void *arg), void *arg, axip_time_ns max)
{
	axip_time_ns end = sat_add(sim->now, max);
	/* the test may have sent or armed timers since the last run: refresh */
	poll_all(sim);
	for (;;) {
		axip_time_ns t;
		if (cond && cond(arg)) {
			sync_clocks(sim);
			return 1;
		}
		t = next_time(sim);
		if (t > end)
			break;
		if (t > sim->now)
			sim->now = t;
		step(sim);
	}
	sim->now = end;
	poll_all(sim);
	return cond && cond(arg);
}

void sim_run(struct sim *sim, axip_time_ns dt)
{
	sim_run_until(sim, NULL, NULL, dt);
}

/* ---- one instance driven by hand ---- */

struct sim_single {
	struct sim *sim;
};

struct sim_single *sim_single_new(const struct axip_config *cfg, uint32_t caps)
{
	struct sim_single *s = xmalloc(sizeof(*s));
	struct sim_params p;
	memset(&p, 0, sizeof(p));
	p.n_hosts = 1;
	p.caps[0] = caps;
	s->sim = sim_create(&p, cfg);
	return s;
}

struct axip_stack *sim_single_stack(struct sim_single *h)
{
	return h->sim->host[0].stack;
}

void sim_single_rx_split(struct sim_single *h, const void *frame, uint32_t len, axip_time_ns now,
                         uint32_t split)
{
	struct sim_host *host = &h->sim->host[0];
	struct axip_rx_frame *fr;
	uint32_t n;
	uint32_t room = h->sim->p.buf_size - SIM_RX_HEADROOM;
	uint32_t piece = split && split < room ? split : room;
	if (now > h->sim->now)
		h->sim->now = now;
	fr = xmalloc((len / piece + 1) * sizeof(*fr));
	n = rx_wrap(host, frame, len, split, fr);
	if (n)
		axip_rx(host->stack, fr, n, now);
	free(fr);
}

void sim_single_rx(struct sim_single *h, const void *frame, uint32_t len, axip_time_ns now)
{
	sim_single_rx_split(h, frame, len, now, 0);
}

axip_time_ns sim_single_poll(struct sim_single *h, axip_time_ns now)
{
	if (now > h->sim->now)
		h->sim->now = now;
	return axip_poll(h->sim->host[0].stack, now);
}

uint32_t sim_single_tx_pop(struct sim_single *h, void *out, uint32_t max)
{
	struct sim_host *host = &h->sim->host[0];
	struct sim_capframe *c;
	uint32_t len;
	/* frames the core queued but did not flush (direct calls into a module) */
	env_tx_flush(host);
	if (host->cap_head == host->cap_n)
		return 0;
	c = &host->cap[host->cap_head++];
	len = c->len;
	memcpy(out, c->data, len < max ? len : max);
	free(c->data);
	return len;
}

uint32_t sim_single_tx_count(const struct sim_single *h)
{
	struct sim_host *host = &h->sim->host[0];
	env_tx_flush(host);
	return host->cap_n - host->cap_head;
}

uint32_t sim_single_bufs_in_use(const struct sim_single *h)
{
	return h->sim->host[0].bufs_in_use;
}

void sim_single_free(struct sim_single *h)
{
	if (!h)
		return;
	sim_free(h->sim);
	free(h);
}
