/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * icmp.h - ICMP (RFC 792): echo, errors out (rate limited), errors in.
 */
#ifndef AXIP_ICMP_H
#define AXIP_ICMP_H

#include "stack_internal.h"
#include "ipv4.h"

void icmp_carve(struct axip_stack *s, struct carve *c);
/* p->data at the ICMP header; consumes p. */
void icmp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip);
/* Time Exceeded code 1: fragment reassembly time exceeded (RFC 792). */
#define ICMP_CODE_REASM_TIMEOUT 1u

/*
 * Send an ICMP error of type/code about the datagram whose IPv4 header is
 * ip->hdr (quoting the header + 8 bytes, RFC 1812 4.3.2.3 allows more). Not
 * sent for broadcasts, ICMP errors, or non-first fragments (RFC 1122
 * 3.2.2); rate limited by a token bucket (counter icmp_rate_limited).
 * `orig` is the datagram's payload: orig->data at the first byte after the
 * IPv4 header (the L4 header, as handed to udp_input/tcp_input); the quote
 * copies from it. `orig` is not consumed. `mtu` fills the next-hop MTU for
 * FRAG_NEEDED.
 */
void icmp_send_error(struct axip_stack *s, const struct axip_pkt *orig,
                     const struct ipv4_rx_info *ip, axip_u8 type, axip_u8 code, axip_u16 mtu);

/* An ICMP error about a datagram we sent, handed to its transport.
 * quoted points to the quoted IPv4 header, quoted_len bytes are valid
 * (at least the header + 8 bytes). */
struct icmp_err_info {
	axip_u8 type, code;
	axip_u16 mtu;            /* next-hop MTU for FRAG_NEEDED, else 0 */
	const axip_u8 *quoted;
	axip_u32 quoted_len;
	axip_u32 quoted_ihl;     /* bytes of the quoted IPv4 header */
};

#endif
