/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipv6.h - IPv6 (RFC 8200): the instance's addresses, input with the
 * extension header walk, output with source selection, fragmentation and the
 * path MTU cache (RFC 8201).
 */
#ifndef AXIP_IPV6_INTERNAL_H
#define AXIP_IPV6_INTERNAL_H

#include "stack_internal.h"
#include "../include/axip/ipv6.h"

/* One of the instance's addresses: [0] the link-local one, then cfg.addrs6. */
/* Address slots carved: the link-local one and AXIP_MAX_ADDRS6 global ones. */
#define IP6_ADDR_SLOTS (1u + AXIP_MAX_ADDRS6)

struct ip6_ifaddr {
	struct axip_timer timer;   /* duplicate address detection (nd6.c) */
	axip_u8 addr[16];
	axip_u8 prefix_len;
	axip_u8 state;             /* enum axip_ip6_addr_state */
	axip_u8 dad_sent;          /* DAD solicitations sent */
};

/* What the IPv6 layer learned about a received datagram, passed upward. */
struct ipv6_rx_info {
	const axip_u8 *hdr;        /* the IPv6 header (in the first buffer) */
	axip_u32 hdr_len;          /* IPv6 header + extension headers before the payload */
	axip_u8 src[16], dst[16];
	axip_u8 proto;             /* upper-layer next header */
	axip_u8 hop_limit;
	axip_u8 dst_multicast;
	axip_u8 l4_csum_ok;        /* NIC verified the L4 checksum (or trusted link) */
	axip_u8 reassembled;       /* came from fragments */
};

/* Validate the IPv6 part of a configuration (1 = valid). */
int ipv6_config_valid(const struct axip_config *c);
void ipv6_carve(struct axip_stack *s, struct carve *c);
/* p->data at the IPv6 header; p->cb[0] bit 0 set when the frame went to a
 * link-layer group address, bit 1 when its source MAC is ours; consumes p. */
void ipv6_input(struct axip_stack *s, struct axip_pkt *p);
/* 1 while the frame being received went to a link-layer group address
 * (RFC 4443 2.4 (e.4)); 0 outside ipv6_input. */
int ipv6_rx_ll_multicast(const struct axip_stack *s);
/* 1 while the frame being received carries our own source MAC. */
int ipv6_rx_looped(const struct axip_stack *s);

/* Transmit flags */
#define IPV6_TX_DONTFRAG 1u    /* fail with AXIP_E_MSGSIZE rather than fragment (TCP) */

/*
 * Prepend an IPv6 header to p (p->data at the upper-layer header, with
 * headroom) and send it to dst. src NULL = select (RFC 6724, simplified);
 * the unspecified address is accepted (DAD). hop_limit 0 = cfg.ip6_hop_limit.
 * Fragments (RFC 8200 4.5) when larger than the path MTU unless
 * IPV6_TX_DONTFRAG. Consumes p. Returns AXIP_OK, AXIP_E_UNREACH,
 * AXIP_E_MSGSIZE, AXIP_E_NOMEM/AXIP_E_NOBUFS.
 */
int ipv6_output(struct axip_stack *s, struct axip_pkt *p, const axip_u8 *src,
                const axip_u8 dst[16], axip_u8 proto, axip_u8 hop_limit, axip_u32 flags);

/* Next hop and source for dst: AXIP_OK or AXIP_E_UNREACH. */
int ipv6_route(struct axip_stack *s, const axip_u8 dst[16], axip_u8 nexthop[16], axip_u8 src[16]);

/* The address entry equal to a (any state), or NULL. */
struct ip6_ifaddr *ipv6_ifaddr_find(struct axip_stack *s, const axip_u8 a[16]);
/* 1 if a is one of our addresses usable now (PREFERRED). */
int ipv6_is_local(struct axip_stack *s, const axip_u8 a[16]);
/* Number of address entries and entry i. */
axip_u32 ipv6_n_ifaddrs(const struct axip_stack *s);
struct ip6_ifaddr *ipv6_ifaddr(struct axip_stack *s, axip_u32 i);
/* 1 if a is on-link: link-local or inside a configured prefix. */
int ipv6_on_link(const struct axip_stack *s, const axip_u8 a[16]);

/* Path MTU towards dst; lowering it with a reported next-hop MTU (never
 * below 1280, never raised by a report). */
axip_u32 ipv6_pmtu(struct axip_stack *s, const axip_u8 dst[16]);
void ipv6_pmtu_report(struct axip_stack *s, const axip_u8 dst[16], axip_u32 mtu);

/* ---- address classes (RFC 4291 2.4) ---- */
static inline int ip6_is_multicast(const axip_u8 *a) { return a[0] == 0xffu; }
static inline int ip6_is_linklocal(const axip_u8 *a)
{
	return a[0] == 0xfeu && (a[1] & 0xc0u) == 0x80u;
}
static inline int ip6_is_unspecified(const axip_u8 *a)
{
	axip_u32 i;
	for (i = 0; i < 16u; i++)
		if (a[i])
			return 0;
	return 1;
}
static inline int ip6_is_loopback(const axip_u8 *a)
{
	axip_u32 i;
	for (i = 0; i < 15u; i++)
		if (a[i])
			return 0;
	return a[15] == 1u;
}
/* RFC 4291 2.7.1: ff02::1:ffXX:XXXX for the low 24 bits of a. */
static inline void ip6_solicited_node(axip_u8 out[16], const axip_u8 a[16])
{
	axip_u32 i;
	for (i = 0; i < 16u; i++)
		out[i] = 0;
	out[0] = 0xff;
	out[1] = 0x02;
	out[11] = 0x01;
	out[12] = 0xff;
	out[13] = a[13];
	out[14] = a[14];
	out[15] = a[15];
}
/* RFC 2464 7: 33:33 followed by the low 32 bits of a multicast address. */
static inline void ip6_multicast_mac(axip_u8 mac[6], const axip_u8 a[16])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	mac[2] = a[12];
	mac[3] = a[13];
	mac[4] = a[14];
	mac[5] = a[15];
}

#endif
