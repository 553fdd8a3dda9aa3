/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/ipv6.h - IPv6 addresses, the IPv6 neighbour cache (RFC 4861) and the
 * state of the instance's IPv6 addresses (RFC 4862 duplicate address
 * detection).
 *
 * An IPv6 address in the API is 16 bytes in network order (the order it has
 * on the wire and in text: fe80::1 is {0xfe, 0x80, 0, ..., 0, 1}), passed as
 * an axip_u8 array of AXIP_IP6_LEN bytes.
 */
#ifndef AXIP_IPV6_H
#define AXIP_IPV6_H

#include "types.h"

#define AXIP_IP6_LEN 16u
/* Global (or unique local) addresses besides the link-local one. */
#define AXIP_MAX_ADDRS6 4u

struct axip_stack;

/* A configured IPv6 address with its on-link prefix. */
struct axip_ifaddr6 {
	axip_u8 addr[AXIP_IP6_LEN];
	axip_u8 prefix_len; /* 1..128 */
};

/* ---- the instance's IPv6 addresses ---- */

enum axip_ip6_addr_state {
	AXIP_IP6_TENTATIVE = 1, /* duplicate address detection running (RFC 4862 5.4) */
	AXIP_IP6_PREFERRED = 2, /* in use */
	AXIP_IP6_DUPLICATE = 3  /* another node has it: never used (RFC 4862 5.4.5) */
};

struct axip_ip6_addr {
	axip_u8 addr[AXIP_IP6_LEN];
	axip_u8 prefix_len;
	axip_u8 state; /* enum axip_ip6_addr_state */
};

/* Address `i` of the instance: 0 is the link-local address, 1..n the
 * configured cfg.addrs6[]. AXIP_E_NOTFOUND past the end or with IPv6 off. */
int axip_ip6_addr_get(struct axip_stack *s, axip_u32 i, struct axip_ip6_addr *out);

/* Replace the global addresses (1..n; the link-local one stays) with
 * `addrs`, for an embedder whose addresses are managed elsewhere (the
 * kernel's, in shared mode): they are used at once, with no duplicate
 * address detection (their owner ran it); one that detection found
 * duplicate stays so. Connections on a removed address are not closed, but
 * nothing more reaches them. Addresses `i` of axip_ip6_addr_get are
 * renumbered. AXIP_E_INVAL for n > AXIP_MAX_ADDRS6 or a bad entry
 * (multicast, unspecified, loopback, link-local, prefix 0 or above 128),
 * AXIP_E_STATE with IPv6 off. */
int axip_ip6_addrs_set(struct axip_stack *s, const struct axip_ifaddr6 *addrs, axip_u32 n);

/* ---- IPv6 neighbour cache (RFC 4861 7.3.2) ---- */

/* INCOMPLETE, REACHABLE and STATIC have the values of enum axip_neigh_state. */
enum axip_neigh6_state {
	AXIP_NEIGH6_INCOMPLETE = 1,
	AXIP_NEIGH6_REACHABLE = 2,
	AXIP_NEIGH6_STATIC = 3,
	AXIP_NEIGH6_STALE = 4,
	AXIP_NEIGH6_DELAY = 5,
	AXIP_NEIGH6_PROBE = 6
};

struct axip_neigh6 {
	axip_u8 addr[AXIP_IP6_LEN];
	axip_u8 mac[6];
	axip_u8 state;        /* enum axip_neigh6_state */
	axip_u8 is_router;    /* the IsRouter flag last advertised */
	axip_time_ns expires; /* next timer event; 0 for STATIC and STALE */
};

/* Seed or update an entry (e.g. from the kernel's neighbour table): STATIC
 * when is_static, else REACHABLE. Packets waiting on the entry are sent.
 * AXIP_E_INVAL for a multicast/unspecified/local address or a bad MAC,
 * AXIP_E_NOMEM when the cache is full, AXIP_E_STATE when IPv6 is off. */
int axip_neigh6_set(struct axip_stack *s, const axip_u8 addr[AXIP_IP6_LEN], const axip_u8 mac[6],
                    int is_static);
/* Look up an entry; AXIP_E_NOTFOUND if absent. */
int axip_neigh6_get(struct axip_stack *s, const axip_u8 addr[AXIP_IP6_LEN], struct axip_neigh6 *out);

/* Path MTU towards dst (RFC 8201): the interface MTU unless a Packet Too Big
 * lowered it. */
axip_u32 axip_pmtu6_get(struct axip_stack *s, const axip_u8 dst[AXIP_IP6_LEN]);

#endif
