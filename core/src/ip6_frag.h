/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip6_frag.h - IPv6 fragment reassembly and transmit fragmentation
 * (RFC 8200 4.5, RFC 5722, RFC 7112).
 */
#ifndef AXIP_IP6_FRAG_H
#define AXIP_IP6_FRAG_H

#include "stack_internal.h"

struct ip6_frag_table;

/* Lay out cfg.frag6_slots reassembly slots; NULL in the sizing pass. */
struct ip6_frag_table *ip6_frag_carve(struct axip_stack *s, struct carve *c);

/*
 * Take one received fragment: p->data at its IPv6 header, the headers up to
 * and including the fragment header (at `frag_off`, its next-header value
 * held in the byte at `nh_off`) in the first buffer, chain trimmed to the
 * payload length. ipv6.c has checked the fragment's length rules and, for a
 * first fragment, that it holds the whole header chain (RFC 7112). Consumes
 * p. Returns NULL while the datagram is incomplete or when the fragment was
 * dropped (counted); else the whole datagram: p->data at the first
 * fragment's IPv6 header with the fragment header removed, the next-header
 * byte before it and the payload length rewritten, followed by the payloads
 * of every fragment in offset order.
 */
struct axip_pkt *ip6_frag_input(struct axip_stack *s, struct ip6_frag_table *t, struct axip_pkt *p,
                                axip_u32 frag_off, axip_u32 nh_off);

/*
 * Send p (p->data at a 40-byte IPv6 header without extension headers,
 * followed by the payload) as fragments of at most `mtu` bytes with
 * identification `id` to `nexthop`. Finishes an L4 checksum left to the NIC
 * first. Consumes p. AXIP_OK or AXIP_E_NOBUFS.
 */
int ip6_frag_output(struct axip_stack *s, struct axip_pkt *p, const axip_u8 nexthop[16],
                    axip_u32 mtu, axip_u32 id);

#endif
