/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arp.h - ARP (RFC 826) and the bounded neighbour cache.
 */
#ifndef AXIP_ARP_H
#define AXIP_ARP_H

#include "stack_internal.h"

void arp_carve(struct axip_stack *s, struct carve *c);
/* p->data at the ARP header (Ethernet header pulled); consumes p. */
void arp_input(struct axip_stack *s, struct axip_pkt *p);
/*
 * Send an IPv4 packet (p->data at the IPv4 header) to `nexthop`: at once if
 * the neighbour is known, else queued on its entry (bounded) while ARP
 * resolves it. Broadcast next hops go to ff:ff:ff:ff:ff:ff. Consumes p.
 */
void arp_output(struct axip_stack *s, struct axip_pkt *p, axip_u32 nexthop);
/* Gratuitous ARP for every local address (RFC 5227 announcement). */
void arp_announce(struct axip_stack *s);

#endif
