/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/env.h - what the embedder supplies: packet buffers, NIC transmit and
 * offload capabilities. Time is passed to axip_rx()/axip_poll() directly;
 * memory is handed over once at axip_init().
 *
 * All functions are called synchronously from inside core calls made by the
 * thread that drives the instance; none is called concurrently.
 */
#ifndef AXIP_ENV_H
#define AXIP_ENV_H

#include "types.h"
#include "pkt.h"

/* Offload capabilities (struct axip_env.caps). */
enum axip_env_caps {
	AXIP_CAP_RX_IP_CSUM = 1u << 0,  /* RX frames may carry AXIP_PKT_RX_IP_CSUM_OK */
	AXIP_CAP_RX_L4_CSUM = 1u << 1,  /* RX frames may carry AXIP_PKT_RX_L4_CSUM_OK */
	AXIP_CAP_TX_IP_CSUM = 1u << 2,  /* tx() honours AXIP_PKT_TX_IP_CSUM */
	AXIP_CAP_TX_L4_CSUM = 1u << 3,  /* tx() honours AXIP_PKT_TX_L4_CSUM (TCP and UDP) */
	AXIP_CAP_TSO = 1u << 4,         /* tx() honours AXIP_PKT_TX_TSO */
	AXIP_CAP_SG = 1u << 5,          /* tx() accepts packets with an sg chain */
	AXIP_CAP_LRO = 1u << 6,         /* RX frames may be TCP aggregates (AXIP_PKT_RX_LRO) */
	AXIP_CAP_TRUSTED_CSUM = 1u << 7 /* link is trusted: skip all RX checksum checks */
};

struct axip_env_ops {
	/*
	 * Allocate one buffer. On success returns the embedder's handle and sets
	 * *mem to its first byte and *size to its capacity; the caller owns one
	 * reference. Returns NULL when none is free.
	 */
	void *(*buf_alloc)(void *ctx, axip_u8 **mem, axip_u32 *size);
	/* Drop one reference; the buffer is released when the last one goes. */
	void (*buf_free)(void *ctx, void *buf);
	/* Add one reference (used to keep a transmitted buffer for retransmission). */
	void (*buf_ref)(void *ctx, void *buf);
	/*
	 * Transmit one frame: `pkt` and its sg chain, Ethernet header first.
	 * The environment takes over one reference on each buffer of the chain
	 * (it frees them when the NIC is done); the packet objects themselves
	 * stay with the core and are recycled when tx returns, so the
	 * environment must not keep pointers to them. Returns 0, or a negative
	 * value if the frame was dropped (counted as tx_env_drop).
	 */
	int (*tx)(void *ctx, struct axip_pkt *pkt);
	/* Push frames handed to tx() to the NIC (doorbell). May be NULL. */
	void (*tx_flush)(void *ctx);
};

struct axip_env {
	const struct axip_env_ops *ops;
	void *ctx;           /* passed to every op */
	axip_u32 caps;       /* enum axip_env_caps */
	axip_u32 tso_max;    /* largest TSO frame in bytes when AXIP_CAP_TSO */
	axip_u32 sg_max;     /* most buffers in one tx() chain when AXIP_CAP_SG */
};

#endif
