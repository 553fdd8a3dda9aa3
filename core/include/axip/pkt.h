/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/pkt.h - the core's packet object.
 *
 * A struct axip_pkt wraps one buffer that belongs to the embedder (a UMEM
 * frame, an rte_mbuf, plain memory): `buf` is the embedder's handle, `data`
 * and `len` the valid bytes in it. Several objects linked through `sg_next`
 * form one packet made of several buffers (scatter-gather). Packet objects
 * come from a per-instance LIFO pool inside the core's memory block.
 *
 * Ownership rules (every public call that takes or returns a packet repeats
 * which of these applies):
 *  - The owner of a packet object owns the object and one reference on the
 *    buffer of every object in its sg chain.
 *  - axip_pkt_free() returns the objects to the pool and drops the buffer
 *    references through the environment's buf_free.
 *  - `next` is a queue link for the current owner; `sg_next` belongs to the
 *    packet itself.
 */
#ifndef AXIP_PKT_H
#define AXIP_PKT_H

#include "types.h"

struct axip_stack;

/* Offload marks (pkt->flags). RX marks are set by the embedder on the first
 * buffer of a received frame; TX marks are set by the core for the
 * environment's tx(), only when the environment announced the capability. */
enum axip_pkt_flags {
	AXIP_PKT_RX_IP_CSUM_OK = 1u << 0,  /* NIC verified the IPv4 header checksum */
	AXIP_PKT_RX_L4_CSUM_OK = 1u << 1,  /* NIC verified the TCP/UDP checksum */
	AXIP_PKT_TX_IP_CSUM = 1u << 2,     /* NIC must fill the IPv4 header checksum */
	AXIP_PKT_TX_L4_CSUM = 1u << 3,     /* NIC must finish the L4 checksum: the field holds the
	                                      pseudo-header sum; csum_start/csum_offset locate it */
	AXIP_PKT_TX_TSO = 1u << 4,         /* NIC must segment the TCP payload in tso_mss pieces */
	AXIP_PKT_RX_LRO = 1u << 5,         /* frame is an aggregate of several TCP segments */
	AXIP_PKT_RX_LOW_BUF = 1u << 6      /* the embedder is short of buffers: the core keeps
	                                      nothing of this frame past axip_rx (TCP text and
	                                      UDP datagrams are dropped, counted as
	                                      rx_low_buf_drop; headers and ACKs are processed) */
};

struct axip_pkt {
	struct axip_pkt *next;    /* queue link for the current owner */
	struct axip_pkt *sg_next; /* next buffer of the same packet, or NULL */
	void *buf;                /* embedder's buffer handle (opaque to the core) */
	axip_u8 *data;            /* first valid byte */
	axip_u32 len;             /* valid bytes in this buffer */
	axip_u32 headroom;        /* writable bytes before data */
	axip_u32 tailroom;        /* writable bytes after data + len */
	axip_u32 flags;           /* enum axip_pkt_flags */
	axip_u32 rx_hash;         /* RSS hash from the NIC, 0 when unknown */
	axip_u16 csum_start;      /* TX_L4_CSUM: offset of the L4 header from the frame start */
	axip_u16 csum_offset;     /* TX_L4_CSUM: offset of the checksum field inside it */
	axip_u16 tso_mss;         /* TX_TSO: payload bytes per segment */
	axip_u16 pad_;
	axip_u32 cb[6];           /* scratch for the layer that currently owns the packet */
};

/*
 * Allocate a packet with one buffer from the environment, with `headroom`
 * bytes reserved in front for headers. Returns NULL when the packet pool
 * (counter pkt_pool_empty) or the environment (counter buf_alloc_fail) has
 * nothing. The caller owns the result.
 */
struct axip_pkt *axip_pkt_alloc(struct axip_stack *s, axip_u32 headroom);

/* Headroom that leaves room for Ethernet + IPv4 + TCP headers with options. */
#define AXIP_PKT_HEADROOM 128u

/* Release a packet: every object of its sg chain and its buffer references.
 * NULL is accepted. The caller gives up ownership. */
void axip_pkt_free(struct axip_stack *s, struct axip_pkt *p);

/* Packet objects currently free in the pool (leak checks, monitoring). */
axip_u32 axip_pkt_pool_available(const struct axip_stack *s);

/* Total payload bytes over the sg chain. */
axip_u32 axip_pkt_chain_len(const struct axip_pkt *p);

/* Copy up to `len` bytes starting at byte `off` of the chain into `dst`.
 * Returns the number of bytes copied. */
axip_u32 axip_pkt_copy_out(const struct axip_pkt *p, axip_u32 off, void *dst, axip_u32 len);

/* Do in software what AXIP_PKT_TX_L4_CSUM asks of a NIC: sum the frame's
 * first `len` bytes (its length: axip_pkt_chain_len, or less when buffers
 * after that are no longer part of it) from csum_start (the field already
 * holds the pseudo-header sum) and store the result at csum_start +
 * csum_offset. For an embedder whose device cannot finish the sum for this
 * frame. Does nothing without the flag or when the field lies outside the
 * first buffer. */
void axip_pkt_tx_csum_finish(struct axip_pkt *p, axip_u32 len);

#endif
