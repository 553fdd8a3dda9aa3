/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nd6.h - IPv6 neighbour discovery (RFC 4861): neighbour solicitation and
 * advertisement, the neighbour cache and its unreachability detection, and
 * duplicate address detection (RFC 4862 5.4).
 */
#ifndef AXIP_ND6_H
#define AXIP_ND6_H

#include "stack_internal.h"
#include "ipv6.h"

void nd6_carve(struct axip_stack *s, struct carve *c);
/* Start duplicate address detection for every tentative address (from
 * axip_init, once the timer wheel runs). */
void nd6_start(struct axip_stack *s);
/* A Neighbor Solicitation or Advertisement: p->data at the ICMPv6 header,
 * checksum verified, len bytes. Consumes p. */
void nd6_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip,
               axip_u32 len);
/*
 * Send an IPv6 packet (p->data at the IPv6 header) to `nexthop`: multicast
 * at once to its 33:33 MAC (RFC 2464 7), unicast through the neighbour cache,
 * queued (bounded) on an INCOMPLETE entry. Consumes p.
 */
void nd6_output(struct axip_stack *s, struct axip_pkt *p, const axip_u8 nexthop[16]);
/*
 * RFC 4861 7.3.1: an upper layer saw forward progress with `dst` (TCP: new
 * data acknowledged), so the neighbour its packets go through (dst itself
 * when on-link, else the default router) is reachable: a STALE, DELAY or
 * PROBE entry becomes REACHABLE, and a REACHABLE one is renewed once less
 * than half of its ReachableTime is left (cheap when called per ACK).
 */
void nd6_confirm(struct axip_stack *s, const axip_u8 dst[16]);

#endif
