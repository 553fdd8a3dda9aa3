/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stack_internal.h - the instance object and the calls modules make on it.
 *
 * struct axip_stack holds the configuration, environment, clock, counters,
 * packet pool and timer wheel, plus one pointer per protocol module to that
 * module's own state (defined in the module's header, carved at init).
 */
#ifndef AXIP_STACK_INTERNAL_H
#define AXIP_STACK_INTERNAL_H

#include "../include/axip/stack.h"
#include "timer.h"
#include "carve.h"

struct arp_table;
struct ipv4_state;
struct icmp_state;
struct udp_table;
struct tcp_state;
struct sock_table;
struct ipv6_state;
struct icmp6_state;
struct nd6_table;

struct pkt_pool {
	struct axip_pkt *objs;
	struct axip_pkt *free_head; /* LIFO: last freed is next allocated */
	axip_u32 total;
	axip_u32 available;
};

struct axip_stack {
	struct axip_config cfg;
	struct axip_env env;
	axip_time_ns now;
	axip_u32 tx_pending;        /* frames given to env tx since the last flush */
	struct axip_counters ctr;
	struct pkt_pool pool;
	struct timer_wheel wheel;
	struct arp_table *arp;
	struct ipv4_state *ip;
	struct icmp_state *icmp;
	struct udp_table *udp;
	struct tcp_state *tcp;
	struct sock_table *sock;
	struct ipv6_state *ip6;     /* NULL with IPv6 off */
	struct icmp6_state *icmp6;
	struct nd6_table *nd6;
};

#define CTR_INC(s, name) ((s)->ctr.name++)
#define CTR_ADD(s, name, v) ((s)->ctr.name += (v))

/* ---- packet objects (pkt.c) ---- */

/* A bare packet object (no buffer); NULL and pkt_pool_empty when exhausted. */
struct axip_pkt *pkt_obj_get(struct axip_stack *s);
/* Return a bare object (its buffer reference, if any, is NOT dropped). */
void pkt_obj_put(struct axip_stack *s, struct axip_pkt *p);
/* A new object viewing the same buffer bytes (takes a buffer reference).
 * Only the one buffer, not its sg chain. */
struct axip_pkt *pkt_clone_one(struct axip_stack *s, const struct axip_pkt *p);
/* Make room for `n` header bytes in front of data; NULL if no headroom. */
axip_u8 *pkt_push(struct axip_pkt *p, axip_u32 n);
/* Drop `n` bytes from the front of the first buffer (n <= len). */
void pkt_pull(struct axip_pkt *p, axip_u32 n);
/* Cut the chain to `len` total bytes, freeing buffers past the end. */
void pkt_trim(struct axip_stack *s, struct axip_pkt *p, axip_u32 len);
/* Make the first `n` bytes contiguous in the first buffer; returns 0 on
 * success, -1 if the chain is shorter or the first buffer has no room.
 * Buffers emptied on the way are released. */
int pkt_linearize(struct axip_stack *s, struct axip_pkt *p, axip_u32 n);

/* ---- transmit (stack.c) ---- */

/* Hand a complete frame (Ethernet header first) to the environment; consumes p. */
void stack_tx(struct axip_stack *s, struct axip_pkt *p);

/* ---- module entry points ----
 * Each *_carve() lays out the module's state; with carve_dry() it only counts.
 * Input functions consume the packet they are given (free or pass on). */

void eth_input(struct axip_stack *s, struct axip_pkt *p);
/* Prepend an Ethernet header and transmit; consumes p. */
void eth_output(struct axip_stack *s, struct axip_pkt *p, const axip_u8 dst[6], axip_u16 type);

#endif
