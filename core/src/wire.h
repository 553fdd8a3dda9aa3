/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wire.h - byte-order conversion and header layouts.
 *
 * Every multi-byte field on the wire is read and written here, a byte at a
 * time, so the code is correct on big- and little-endian CPUs and never makes
 * an unaligned access. Header structs are not overlaid on packet memory;
 * parsers read fields at the offsets below after checking the length once.
 */
#ifndef AXIP_WIRE_H
#define AXIP_WIRE_H

#include "../include/axip/types.h"

static inline axip_u16 load_be16(const axip_u8 *p)
{
	return (axip_u16)(((axip_u16)p[0] << 8) | p[1]);
}
static inline axip_u32 load_be32(const axip_u8 *p)
{
	return ((axip_u32)p[0] << 24) | ((axip_u32)p[1] << 16) | ((axip_u32)p[2] << 8) | p[3];
}
static inline void store_be16(axip_u8 *p, axip_u16 v)
{
	p[0] = (axip_u8)(v >> 8);
	p[1] = (axip_u8)v;
}
static inline void store_be32(axip_u8 *p, axip_u32 v)
{
	p[0] = (axip_u8)(v >> 24);
	p[1] = (axip_u8)(v >> 16);
	p[2] = (axip_u8)(v >> 8);
	p[3] = (axip_u8)v;
}

/* The core's own memory helpers: the core calls no libc. */
static inline void mem_copy(void *dst, const void *src, axip_u32 n)
{
	axip_u8 *d = (axip_u8 *)dst;
	const axip_u8 *s = (const axip_u8 *)src;
	while (n--)
		*d++ = *s++;
}
static inline void mem_zero(void *dst, axip_u32 n)
{
	axip_u8 *d = (axip_u8 *)dst;
	while (n--)
		*d++ = 0;
}
static inline int mem_equal(const void *a, const void *b, axip_u32 n)
{
	const axip_u8 *x = (const axip_u8 *)a, *y = (const axip_u8 *)b;
	while (n--)
		if (*x++ != *y++)
			return 0;
	return 1;
}

/* Ethernet II */
#define ETH_HLEN 14u
#define ETH_OFF_DST 0u
#define ETH_OFF_SRC 6u
#define ETH_OFF_TYPE 12u
#define ETH_TYPE_IPV4 0x0800u
#define ETH_TYPE_ARP 0x0806u
#define ETH_TYPE_IPV6 0x86ddu
#define ETH_TYPE_VLAN 0x8100u
#define ETH_TYPE_QINQ 0x88a8u

/* ARP for Ethernet/IPv4 (RFC 826) */
#define ARP_LEN 28u
#define ARP_OFF_HTYPE 0u
#define ARP_OFF_PTYPE 2u
#define ARP_OFF_HLEN 4u
#define ARP_OFF_PLEN 5u
#define ARP_OFF_OP 6u
#define ARP_OFF_SHA 8u
#define ARP_OFF_SPA 14u
#define ARP_OFF_THA 18u
#define ARP_OFF_TPA 24u
#define ARP_OP_REQUEST 1u
#define ARP_OP_REPLY 2u

/* IPv4 (RFC 791) */
#define IP_HLEN 20u
#define IP_OFF_VER_IHL 0u
#define IP_OFF_TOS 1u
#define IP_OFF_TOTLEN 2u
#define IP_OFF_ID 4u
#define IP_OFF_FRAG 6u
#define IP_OFF_TTL 8u
#define IP_OFF_PROTO 9u
#define IP_OFF_CSUM 10u
#define IP_OFF_SRC 12u
#define IP_OFF_DST 16u
#define IP_FLAG_DF 0x4000u
#define IP_FLAG_MF 0x2000u
#define IP_FRAG_MASK 0x1fffu
#define IP_PROTO_ICMP 1u
#define IP_PROTO_TCP 6u
#define IP_PROTO_UDP 17u
#define IP_DEFAULT_TTL 64u

/* ICMP (RFC 792) */
#define ICMP_HLEN 8u
#define ICMP_ECHO_REPLY 0u
#define ICMP_DEST_UNREACH 3u
#define ICMP_SOURCE_QUENCH 4u
#define ICMP_ECHO_REQUEST 8u
#define ICMP_TIME_EXCEEDED 11u
#define ICMP_PARAM_PROBLEM 12u
#define ICMP_CODE_NET_UNREACH 0u
#define ICMP_CODE_HOST_UNREACH 1u
#define ICMP_CODE_PROTO_UNREACH 2u
#define ICMP_CODE_PORT_UNREACH 3u
#define ICMP_CODE_FRAG_NEEDED 4u

/* IPv6 (RFC 8200) */
#define IP6_HLEN 40u
#define IP6_OFF_VTF 0u        /* version 4 bits, traffic class 8, flow label 20 */
#define IP6_OFF_PLEN 4u
#define IP6_OFF_NH 6u
#define IP6_OFF_HOPS 7u
#define IP6_OFF_SRC 8u
#define IP6_OFF_DST 24u
#define IP6_MIN_MTU 1280u     /* RFC 8200 5 */
#define IP6_NH_HOPOPTS 0u
#define IP6_NH_TCP 6u
#define IP6_NH_UDP 17u
#define IP6_NH_ROUTING 43u
#define IP6_NH_FRAGMENT 44u
#define IP6_NH_ICMP6 58u
#define IP6_NH_NONE 59u
#define IP6_NH_DSTOPTS 60u
#define IP6_FRAG_HLEN 8u      /* RFC 8200 4.5 */
#define IP6_FRAG_M 1u
#define IP6_FRAG_OFF_MASK 0xfff8u

/* ICMPv6 (RFC 4443) and neighbour discovery (RFC 4861) */
#define ICMP6_HLEN 8u
#define ICMP6_DEST_UNREACH 1u
#define ICMP6_PACKET_TOO_BIG 2u
#define ICMP6_TIME_EXCEEDED 3u
#define ICMP6_PARAM_PROBLEM 4u
#define ICMP6_ECHO_REQUEST 128u
#define ICMP6_ECHO_REPLY 129u
#define ICMP6_ROUTER_SOLICIT 133u
#define ICMP6_ROUTER_ADVERT 134u
#define ICMP6_NEIGH_SOLICIT 135u
#define ICMP6_NEIGH_ADVERT 136u
#define ICMP6_REDIRECT 137u
#define ICMP6_CODE_NO_ROUTE 0u        /* destination unreachable */
#define ICMP6_CODE_ADDR_UNREACH 3u
#define ICMP6_CODE_PORT_UNREACH 4u
#define ICMP6_CODE_HOP_LIMIT 0u       /* time exceeded */
#define ICMP6_CODE_REASM_TIMEOUT 1u
#define ICMP6_CODE_BAD_FIELD 0u       /* parameter problem */
#define ICMP6_CODE_BAD_NH 1u
#define ICMP6_CODE_BAD_OPTION 2u
#define ICMP6_CODE_INCOMPLETE_CHAIN 3u /* RFC 7112 */

/* UDP (RFC 768) */
#define UDP_HLEN 8u
#define UDP_OFF_SPORT 0u
#define UDP_OFF_DPORT 2u
#define UDP_OFF_LEN 4u
#define UDP_OFF_CSUM 6u

/* TCP (RFC 9293) */
#define TCP_HLEN 20u
#define TCP_OFF_SPORT 0u
#define TCP_OFF_DPORT 2u
#define TCP_OFF_SEQ 4u
#define TCP_OFF_ACK 8u
#define TCP_OFF_DOFF 12u
#define TCP_OFF_FLAGS 13u
#define TCP_OFF_WIN 14u
#define TCP_OFF_CSUM 16u
#define TCP_OFF_URG 18u
#define TCP_FLAG_FIN 0x01u
#define TCP_FLAG_SYN 0x02u
#define TCP_FLAG_RST 0x04u
#define TCP_FLAG_PSH 0x08u
#define TCP_FLAG_ACK 0x10u
#define TCP_FLAG_URG 0x20u
#define TCP_FLAG_ECE 0x40u
#define TCP_FLAG_CWR 0x80u

#endif
