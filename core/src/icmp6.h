/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * icmp6.h - ICMPv6 (RFC 4443): echo, errors out (rate limited), errors in
 * (path MTU, hand-off to the transport), neighbour discovery to nd6.c.
 */
#ifndef AXIP_ICMP6_H
#define AXIP_ICMP6_H

#include "stack_internal.h"
#include "ipv6.h"

void icmp6_carve(struct axip_stack *s, struct carve *c);
/* p->data at the ICMPv6 header; consumes p. */
void icmp6_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip);

/*
 * Send an ICMPv6 error of type/code with `param` (the pointer of a Parameter
 * Problem, the MTU of a Packet Too Big) about the packet whose first
 * `hdr_len` bytes (from its IPv6 header) are at `hdr` and whose remaining
 * bytes are the chain `rest` (may be NULL). The quote is cut to keep the
 * error within the minimum MTU (RFC 4443 2.4 (c)). Not sent about an error
 * or redirect, to or from a multicast or unspecified address (save the
 * exceptions of 2.4 (e.3)), and rate limited (2.4 (f)). Nothing is consumed.
 */
void icmp6_send_error(struct axip_stack *s, const axip_u8 *hdr, axip_u32 hdr_len,
                      const struct axip_pkt *rest, axip_u8 type, axip_u8 code, axip_u32 param);

/* An ICMPv6 error about a datagram we sent, as handed to a transport:
 * quoted points to the quoted IPv6 header, quoted_len bytes are valid, the
 * quoted upper-layer header (proto) starts at quoted_l4. */
struct icmp6_err_info {
	axip_u8 type, code;
	axip_u32 param;
	axip_u8 proto;
	const axip_u8 *quoted;
	axip_u32 quoted_len;
	axip_u32 quoted_l4;
};

#endif
