/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipv4.h - IPv4 input/output (RFC 791), routing, fragmentation and reassembly.
 */
#ifndef AXIP_IPV4_H
#define AXIP_IPV4_H

#include "stack_internal.h"

/* What the IPv4 layer learned about a received datagram, passed upward. */
struct ipv4_rx_info {
	axip_u32 src, dst;        /* host order */
	axip_u8 proto;
	axip_u8 tos;
	axip_u8 ttl;
	axip_u8 dst_is_broadcast; /* limited or subnet-directed broadcast */
	axip_u8 l4_csum_ok;       /* NIC verified the L4 checksum (or trusted link) */
	axip_u8 reassembled;      /* came from fragments */
	const axip_u8 *hdr;       /* the IPv4 header (still in the first buffer) */
	axip_u32 hdr_len;
};

void ipv4_carve(struct axip_stack *s, struct carve *c);
/* p->data at the IPv4 header; consumes p. */
void ipv4_input(struct axip_stack *s, struct axip_pkt *p);

/* Transmit flags */
#define IPV4_TX_DF 1u          /* set Don't Fragment (TCP) */

/*
 * Prepend an IPv4 header to p (p->data at the L4 header, with headroom) and
 * send it. src 0 = choose by route. Fragments when larger than the MTU and
 * DF is clear. Consumes p in every case. Returns AXIP_OK, AXIP_E_UNREACH (no
 * route), AXIP_E_MSGSIZE, AXIP_E_NOMEM/AXIP_E_NOBUFS.
 */
int ipv4_output(struct axip_stack *s, struct axip_pkt *p, axip_u32 src, axip_u32 dst,
                axip_u8 proto, axip_u32 flags);

/* Route lookup: next hop and preferred source for dst. AXIP_OK or AXIP_E_UNREACH. */
int ipv4_route(const struct axip_stack *s, axip_u32 dst, axip_u32 *nexthop, axip_u32 *src);
/* 1 if addr is one of the instance's addresses. */
int ipv4_is_local(const struct axip_stack *s, axip_u32 addr);
/* 1 if addr is the limited broadcast or a local subnet's broadcast. */
int ipv4_is_broadcast(const struct axip_stack *s, axip_u32 addr);

/* Header checksum of the outgoing IPv4 header at p->data (IHL from the
 * header): computed here, or left to the NIC (AXIP_PKT_TX_IP_CSUM) when the
 * environment announced AXIP_CAP_TX_IP_CSUM. */
void ipv4_tx_csum(struct axip_stack *s, struct axip_pkt *p);

#endif
