/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp.h (internal) - the TCP module's entry points for the rest of the core.
 */
#ifndef AXIP_TCP_INTERNAL_H
#define AXIP_TCP_INTERNAL_H

#include "stack_internal.h"
#include "ipv4.h"
#include "icmp.h"

void tcp_carve(struct axip_stack *s, struct carve *c);
/* p->data at the TCP header, chain trimmed to the IP payload; consumes p. */
void tcp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip);
void tcp_icmp_error(struct axip_stack *s, const struct icmp_err_info *e);

#endif
