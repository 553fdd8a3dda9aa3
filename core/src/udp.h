/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp.h (internal) - UDP (RFC 768) socket table and datagram path.
 */
#ifndef AXIP_UDP_INTERNAL_H
#define AXIP_UDP_INTERNAL_H

#include "stack_internal.h"
#include "ipv4.h"
#include "icmp.h"
#include "../include/axip/sock.h"
#include "../include/axip/udp.h"

void udp_carve(struct axip_stack *s, struct carve *c);
/* p->data at the UDP header, chain trimmed to the IP payload; consumes p. */
void udp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip);
void udp_icmp_error(struct axip_stack *s, const struct icmp_err_info *e);
/* IPv6: p->data at the UDP header, chain trimmed to the payload; consumes p. */
struct ipv6_rx_info;
struct icmp6_err_info;
void udp6_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip);
void udp6_icmp_error(struct axip_stack *s, const struct icmp6_err_info *e);
/* axip_udp_sendto with the payload gathered from iov (len = their total). */
int udp_sendv(struct axip_udp *sock, axip_u32 dst, axip_u16 dst_port,
              const struct axip_iovec *iov, int iovcnt, axip_u32 len);
/* The same over IPv6 from an IPv6 socket. */
int udp_sendv6(struct axip_udp *sock, const axip_u8 dst6[16], axip_u16 dst_port,
               const struct axip_iovec *iov, int iovcnt, axip_u32 len);

#endif
