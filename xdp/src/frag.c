/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * frag.c - IP fragments to a shared address, between the XDP program and
 * the core.
 *
 * Only the first fragment of a datagram carries its ports (RFC 791 3.2,
 * RFC 8200 4.5), so the XDP program decides a datagram on its first
 * fragment and remembers the verdict in its "frags" map for the later ones
 * (bpf/axip_steer.bpf.c). A later fragment that arrives before its first
 * cannot be decided there: the program steers it here marked "early". This
 * file looks up every fragment the worker receives for a shared address:
 *
 *  - axip's datagram (AXIP_FRAG_AXIP): the core reassembles it; a fragment
 *    whose first went to another worker's queue is copied to that worker
 *    (hand-off ring), since the core reassembles per instance;
 *  - early (AXIP_FRAG_EARLY): copied and held, up to FRAG_HOLD_MAX
 *    fragments and FRAG_HOLD_BYTES per worker, until the verdict arrives
 *    (checked when a fragment of the same datagram arrives, and every
 *    FRAG_CHECK_NS on receive), or dropped after FRAG_HOLD_NS, the kernel's
 *    own reassembly time;
 *  - the kernel's (AXIP_FRAG_KERNEL, or AXIP_FRAG_KERNEL_VIA: the program
 *    steers a whole kernel datagram here once early fragments of it were):
 *    re-injected into the kernel through a raw socket (IPPROTO_RAW) sent to
 *    the datagram's own destination, an address of this host, so that the
 *    kernel's routing delivers it over loopback to its reassembly. The
 *    kernel keys reassembly by addresses, protocol and identification
 *    (IPv4), and for link-local IPv6 destinations by interface too, which
 *    is why a datagram goes all one way once one of its fragments came here.
 *
 * Limits (documented in docs/ipv6.md and docs/xdp.md): the kernel's raw
 * IPv4 output gives a datagram with identification 0 a fresh one, so such a
 * kernel fragment cannot be re-injected (counted frag_drop_id0); a fragment
 * whose first went to a queue no worker of this process serves is dropped
 * (frag_drop_queue); an IPv6 kernel datagram whose first fragment raced its
 * early ones on another CPU may be split between the interface and
 * loopback, which the kernel joins for global destinations only.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "util.h"
#include "xdp_internal.h"

#define FRAG_HOLD_MAX 64u                    /* held fragments per worker */
#define FRAG_HOLD_BYTES (256u << 10)         /* bytes of held fragments per worker */
#define FRAG_HOLD_NS 30000000000ull          /* as AXIP_STEER_FRAG_TTL_NS */
#define FRAG_CHECK_NS 1000000ull             /* held verdicts looked up again */
#define FRAG_LEN_MAX (14u + 9216u + 4u)      /* longest frame copied (jumbo MTU) */

struct frag_held {
	struct axip_frag_key k;
	axip_time_ns since;
	uint32_t len;                        /* bytes of data: the whole frame */
	uint8_t *data;
};

struct frag_hold {
	struct frag_held e[FRAG_HOLD_MAX];   /* oldest first */
	uint32_t n, bytes;
	axip_time_ns next_check;
};

int frag_open(struct axip_xdp *x)
{
	int rc = 0;
	if (x->shared4) {
		x->frag_fd4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		if (x->frag_fd4 < 0)
			rc = -errno;
	}
	if (x->ip6 && x->shared6) {
		x->frag_fd6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		if (x->frag_fd6 < 0)
			rc = -errno;
	}
	if (rc)
		xdp_log(&x->o, AXIP_XDP_LOG_WARN, "no raw socket for the kernel's fragments (%s): "
		        "fragments of kernel datagrams that arrive before their first are dropped "
		        "(xdp_frag_drop_inject)", strerror(-rc));
	return rc;
}

void frag_close(struct axip_xdp *x)
{
	if (x->frag_fd4 >= 0)
		close(x->frag_fd4);
	if (x->frag_fd6 >= 0)
		close(x->frag_fd6);
	x->frag_fd4 = x->frag_fd6 = -1;
}

/*
 * The reassembly key of a fragment to a shared address, from the frame's
 * first buffer (d, len: Ethernet header first); 0 when the frame is not
 * such a fragment. IPv4: MF or an offset (RFC 791 3.2). IPv6: a fragment
 * header after at most four hop-by-hop, routing or destination options
 * headers, as the XDP program walks them (RFC 8200 4.1).
 */
static int frag_key(const struct axip_xdp *x, const uint8_t *d, uint32_t len,
                    struct axip_frag_key *k)
{
	/* every received frame passes here: the key is only built for a fragment */
	if (len < 14 + 20)
		return 0;
	if (d[12] == 0x08 && d[13] == 0x00) {
		const uint8_t *ip = d + 14;
		if (!x->shared4 || ip[0] >> 4 != 4 || !(((uint32_t)ip[6] << 8 | ip[7]) & 0x3fff))
			return 0;
		memset(k, 0, sizeof *k);
		k->family = 4;
		k->proto = ip[9];
		k->id = (uint32_t)ip[4] << 8 | ip[5];
		memcpy(k->src, ip + 12, 4);
		memcpy(k->dst, ip + 16, 4);
		return 1;
	}
	if (d[12] == 0x86 && d[13] == 0xdd && x->ip6 && x->shared6 && len >= 14 + 40) {
		const uint8_t *ip = d + 14;
		uint32_t off = 40, i;
		uint8_t nh = ip[6];
		for (i = 0; i < 4 && (nh == 0 || nh == 43 || nh == 60); i++) {
			if (14 + off + 8 > len)
				return 0;
			nh = ip[off];
			off += ((uint32_t)ip[off + 1] + 1) * 8;
		}
		if (nh != 44 || 14 + off + 8 > len)
			return 0;
		/* an atomic fragment (offset 0, M clear; RFC 6946) is a whole
		 * datagram, decided without the map */
		if (!(((uint32_t)ip[off + 2] << 8 | ip[off + 3]) & 0xfff9))
			return 0;
		memset(k, 0, sizeof *k);
		k->family = 6;
		k->id = (uint32_t)ip[off + 4] << 24 | (uint32_t)ip[off + 5] << 16 |
		        (uint32_t)ip[off + 6] << 8 | ip[off + 7];
		memcpy(k->src, ip + 8, 16);
		memcpy(k->dst, ip + 24, 16);
		return 1;
	}
	return 0;
}

/* The frame of n buffers copied into one new block (the caller frees it);
 * NULL when it is longer than FRAG_LEN_MAX or memory ran out. */
static uint8_t *linearize(const struct axip_rx_frame *f, uint32_t n, uint32_t *len)
{
	uint32_t i, at = 0;
	uint8_t *buf;
	for (*len = 0, i = 0; i < n; i++)
		*len += f[i].len;
	if (*len > FRAG_LEN_MAX || !(buf = malloc(*len)))
		return NULL;
	for (i = 0; i < n; at += f[i].len, i++)
		memcpy(buf + at, f[i].data, f[i].len);
	return buf;
}

/* Give a kernel fragment (the frame d, len) back to the kernel. */
static void to_kernel(struct axip_xdp_worker *w, const uint8_t *d, uint32_t len)
{
	struct axip_xdp *x = w->x;
	const uint8_t *ip = d + 14;
	ssize_t rc = -1;
	uint32_t iplen;
	if (d[12] == 0x08) {
		struct sockaddr_in to = { .sin_family = AF_INET };
		iplen = (uint32_t)ip[2] << 8 | ip[3];
		if (ip[4] == 0 && ip[5] == 0) {
			w->ctr.frag_drop_id0++;
			return;
		}
		memcpy(&to.sin_addr, ip + 16, 4);
		if (x->frag_fd4 >= 0 && iplen >= 20 && 14 + iplen <= len)
			rc = sendto(x->frag_fd4, ip, iplen, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to);
	} else {
		struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
		iplen = 40 + ((uint32_t)ip[4] << 8 | ip[5]);
		memcpy(&to.sin6_addr, ip + 24, 16);
		/* link-local and link-scope multicast destinations need their interface */
		if ((ip[24] == 0xfe && (ip[25] & 0xc0) == 0x80) || (ip[24] == 0xff && (ip[25] & 0x0f) == 2))
			to.sin6_scope_id = (uint32_t)x->ifi.ifindex;
		if (x->frag_fd6 >= 0 && 14 + iplen <= len)
			rc = sendto(x->frag_fd6, ip, iplen, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof to);
	}
	if (rc == (ssize_t)iplen)
		w->ctr.frag_to_kernel++;
	else
		w->ctr.frag_drop_inject++;
}

/* A received frame of n buffers to the kernel. */
static void to_kernel_frame(struct axip_xdp_worker *w, const struct axip_rx_frame *f, uint32_t n)
{
	uint32_t len;
	uint8_t *buf;
	if (n == 1) {
		to_kernel(w, f->data, f->len);
		return;
	}
	if (!(buf = linearize(f, n, &len))) {
		w->ctr.frag_drop_inject++;
		return;
	}
	to_kernel(w, buf, len);
	free(buf);
}

/* Copy a fragment of axip's datagram to the worker serving queue q. */
static void to_queue(struct axip_xdp_worker *w, uint32_t q, const struct axip_rx_frame *f,
                     uint32_t n)
{
	struct axip_xdp *x = w->x;
	unsigned k;
	for (k = 0; k < x->n_workers; k++)
		if (k != w->idx && x->w[k] && x->w[k]->queue == q)
			break;
	if (k == x->n_workers) {
		w->ctr.frag_drop_queue++;
		return;
	}
	if (handoff_push(x->ring[w->idx][k], x->handoff_slot, f, n) != 0) {
		w->ctr.handoff_drop_full++;
		return;
	}
	w->ctr.frag_handoff++;
	axip_xdp_wake(x->w[k]);
}

static void held_remove(struct frag_hold *h, uint32_t i)
{
	h->bytes -= h->e[i].len;
	free(h->e[i].data);
	memmove(&h->e[i], &h->e[i + 1], (h->n - i - 1) * sizeof h->e[0]);
	h->n--;
}

/*
 * Held fragment i's verdict v is known: deliver it. Returns 0 when it is
 * done with (delivered or dropped), -1 when it must stay (no UMEM frame for
 * the core's copy now).
 */
static int held_settle(struct axip_xdp_worker *w, uint32_t i, const struct axip_frag_val *v,
                       axip_time_ns now)
{
	struct frag_held *e = &w->frag_hold->e[i];
	struct axip_rx_frame f = { .data = e->data, .len = e->len };
	if (v->verdict == AXIP_FRAG_KERNEL || v->verdict == AXIP_FRAG_KERNEL_VIA) {
		to_kernel(w, e->data, e->len);
	} else if (v->queue != w->queue) {
		to_queue(w, v->queue, &f, 1);
	} else {
		struct axip_rx_frame fr[AXIP_XDP_RX_FRAGS_MAX];
		uint32_t got = rx_copy_in(w, e->data, e->len, fr, AXIP_XDP_RX_FRAGS_MAX);
		if (!got)
			return -1;
		w->ctr.frag_core++;
		axip_rx(w->stack, fr, got, now);
	}
	w->ctr.frag_released++;
	return 0;
}

/* A fragment of datagram k was decided (v): settle the ones held for it. */
static void held_decided(struct axip_xdp_worker *w, const struct axip_frag_key *k,
                         const struct axip_frag_val *v, axip_time_ns now)
{
	struct frag_hold *h = w->frag_hold;
	uint32_t i = 0;
	while (h && i < h->n) {
		if (memcmp(&h->e[i].k, k, sizeof *k) == 0 && held_settle(w, i, v, now) == 0)
			held_remove(h, i);
		else
			i++;
	}
}

/* Hold a copy of an early fragment; the oldest go when the hold is full. */
static void hold(struct axip_xdp_worker *w, const struct axip_frag_key *k,
                 const struct axip_rx_frame *f, uint32_t n, axip_time_ns now)
{
	struct frag_hold *h = w->frag_hold;
	uint32_t len;
	uint8_t *copy;
	if (!h && !(h = w->frag_hold = calloc(1, sizeof *h))) {
		w->ctr.frag_drop_hold_full++;
		return;
	}
	if (!(copy = linearize(f, n, &len))) {
		w->ctr.frag_drop_hold_full++;
		return;
	}
	while (h->n && (h->n == FRAG_HOLD_MAX || h->bytes + len > FRAG_HOLD_BYTES)) {
		held_remove(h, 0);
		w->ctr.frag_drop_hold_full++;
	}
	h->e[h->n] = (struct frag_held){ .k = *k, .since = now, .len = len, .data = copy };
	h->n++;
	h->bytes += len;
	if (h->n == 1)
		h->next_check = now + FRAG_CHECK_NS;
	w->ctr.frag_held++;
}

uint32_t frag_filter(struct axip_xdp_worker *w, uint32_t from, uint32_t n, axip_time_ns now)
{
	struct axip_xdp *x = w->x;
	uint32_t i, m = from, j;
	if (!x->shared4 && !(x->ip6 && x->shared6))
		return n;
	for (i = from; i < n;) {
		struct axip_rx_frame *f = &w->frames[i];
		struct axip_frag_key k;
		struct axip_frag_val v;
		uint32_t nb = 1;
		int keep = 1;
		while (i + nb < n && (f[nb - 1].flags & AXIP_RX_MORE))
			nb++;
		i += nb;
		if (frag_key(x, f->data, f->len, &k)) {
			if (bpf_map_lookup_elem(x->steer.fd_frags, &k, &v) != 0) {
				w->ctr.frag_no_verdict++; /* evicted or expired: the core's timer ends it */
			} else if (v.verdict == AXIP_FRAG_EARLY) {
				hold(w, &k, f, nb, now);
				keep = 0;
			} else {
				held_decided(w, &k, &v, now);
				if (v.verdict == AXIP_FRAG_AXIP && v.queue == w->queue) {
					w->ctr.frag_core++;
				} else {
					keep = 0;
					if (v.verdict == AXIP_FRAG_AXIP)
						to_queue(w, v.queue, f, nb);
					else
						to_kernel_frame(w, f, nb);
				}
			}
		}
		for (j = 0; j < nb; j++) {
			if (keep)
				w->frames[m++] = f[j];
			else
				axsk_env_ops.buf_free(w, f[j].buf);
		}
	}
	return m;
}

void frag_poll(struct axip_xdp_worker *w, axip_time_ns now)
{
	struct frag_hold *h = w->frag_hold;
	uint32_t i = 0;
	if (!h || !h->n || now < h->next_check)
		return;
	h->next_check = now + FRAG_CHECK_NS;
	while (i < h->n) {
		struct axip_frag_val v;
		int done = 1;
		if (bpf_map_lookup_elem(w->x->steer.fd_frags, &h->e[i].k, &v) != 0)
			w->ctr.frag_drop_lost++;
		else if (v.verdict != AXIP_FRAG_EARLY)
			done = held_settle(w, i, &v, now) == 0;
		else if (now - h->e[i].since >= FRAG_HOLD_NS)
			w->ctr.frag_drop_expired++;
		else
			done = 0;
		if (done)
			held_remove(h, i);
		else
			i++;
	}
}

void frag_worker_close(struct axip_xdp_worker *w)
{
	struct frag_hold *h = w->frag_hold;
	if (!h)
		return;
	while (h->n)
		held_remove(h, h->n - 1);
	free(h);
	w->frag_hold = NULL;
}
