/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp.h - what the rest of the core calls in the TCP module (defined in
 * tcp.c and tcp_input.c). The TCP files' own shared declarations are in
 * tcp_internal.h; the application's API is include/axip/tcp.h (guarded
 * AXIP_TCP_H, hence this header's AXIP_CORE_TCP_H).
 */
#ifndef AXIP_CORE_TCP_H
#define AXIP_CORE_TCP_H

#include "stack_internal.h"
#include "ipv4.h"
#include "icmp.h"
#include "ipv6.h"
#include "icmp6.h"

void tcp_carve(struct axip_stack *s, struct carve *c);
/* p->data at the TCP header, chain trimmed to the IP payload; consumes p. */
void tcp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip);
void tcp_icmp_error(struct axip_stack *s, const struct icmp_err_info *e);
/* TCP over IPv6 (RFC 8200 8.1): p->data at the TCP header, chain trimmed
 * to the upper-layer payload; consumes p. */
void tcp6_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip);
/* An ICMPv6 error (RFC 4443) quoting a TCP segment we sent. */
void tcp6_icmp_error(struct axip_stack *s, const struct icmp6_err_info *e);

#endif
