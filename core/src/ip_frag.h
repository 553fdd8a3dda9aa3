/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip_frag.h - IPv4 fragment reassembly and transmit fragmentation (RFC 791,
 * RFC 815, RFC 1122 3.3.2).
 */
#ifndef AXIP_IP_FRAG_H
#define AXIP_IP_FRAG_H

#include "stack_internal.h"

struct ip_frag_table;

/* Lay out cfg.frag_slots reassembly slots; NULL in the sizing pass. */
struct ip_frag_table *ip_frag_carve(struct axip_stack *s, struct carve *c);

/*
 * Take one received fragment: p->data at its IPv4 header (validated by
 * ipv4_input, header in the first buffer), chain trimmed to the total length.
 * Consumes p. Returns NULL while the datagram is incomplete or when the
 * fragment was dropped (each drop counted); when the fragment completes its
 * datagram, returns the whole datagram as one sg chain: p->data at the first
 * fragment's IPv4 header, rewritten to describe the reassembled datagram
 * (total length, MF and offset cleared, checksum recomputed), followed by the
 * payloads of every fragment in offset order.
 */
struct axip_pkt *ip_frag_input(struct axip_stack *s, struct ip_frag_table *t, struct axip_pkt *p);

/*
 * Send p (p->data at a complete 20-byte IPv4 header without checksum,
 * followed by the payload, possibly an sg chain) as fragments of at most
 * cfg.mtu bytes to `nexthop`, copying the payload into new buffers. Finishes
 * an L4 checksum left to the NIC first. Consumes p. Returns AXIP_OK, or
 * AXIP_E_NOMEM/AXIP_E_NOBUFS when a buffer could not be had (fragments
 * already built are still sent; the receiver will time the datagram out).
 */
int ip_frag_output(struct axip_stack *s, struct axip_pkt *p, axip_u32 nexthop);

#endif
