/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/stack.h - one stack instance: configuration, memory, input, timers.
 *
 * Life cycle:
 *   struct axip_config cfg; axip_config_defaults(&cfg); ...set addresses...
 *   axip_size n; axip_mem_size(&cfg, &n);
 *   mem = <n bytes aligned to AXIP_MEM_ALIGN, from the embedder>;
 *   axip_init(mem, n, &cfg, &env, &stack);
 *   loop { axip_rx(stack, frames, k, now); next = axip_poll(stack, now); axip_flush(stack); }
 *
 * The instance lives entirely inside `mem`; the core allocates nothing else.
 * One instance per thread/core: an instance is not thread-safe and shares no
 * mutable state with other instances.
 */
#ifndef AXIP_STACK_H
#define AXIP_STACK_H

#include "types.h"
#include "pkt.h"
#include "env.h"
#include "counters.h"
#include "ipv6.h"

#define AXIP_MEM_ALIGN 16u
#define AXIP_MAX_ADDRS 8u

struct axip_stack;

struct axip_ifaddr {
	axip_u32 addr;      /* host order */
	axip_u8 prefix_len; /* 1..32 */
};

/*
 * Per-instance configuration. axip_config_defaults() fills every field with
 * the documented default; axip_mem_size()/axip_init() reject invalid values
 * with AXIP_E_INVAL (nothing is silently clamped).
 */
struct axip_config {
	axip_u8 mac[6];                        /* required: not all-zero, not multicast */
	axip_u32 n_addrs;                      /* 1..AXIP_MAX_ADDRS, required */
	struct axip_ifaddr addrs[AXIP_MAX_ADDRS];
	axip_u32 gateway;                      /* 0 = none; must be inside a local subnet */
	axip_u32 mtu;                          /* IP MTU, 576..9216; default 1500 */
	axip_u8 secret[16];                    /* keys ISNs, hashes, SYN cookies; set it from a CSPRNG */

	axip_u32 pkt_objects;                  /* packet objects in the pool; default 4096 */

	axip_u32 arp_entries;                  /* neighbour cache size, default 64 */
	axip_u32 arp_queue_len;                /* packets held per unresolved entry, default 8 */
	axip_u32 arp_retries;                  /* requests before giving up, default 3 */
	axip_time_ns arp_retry_ns;             /* between requests, default 1 s */
	axip_time_ns arp_reachable_ns;         /* lifetime of a resolved entry, default 60 s */
	axip_u8 arp_gratuitous;                /* announce addresses at init, default 1 */

	axip_u32 frag_slots;                   /* datagrams reassembled at once, default 16 */
	axip_u32 frag_max_bytes;               /* bytes held by all reassembly, default 256 KiB */
	axip_u32 frag_max_per_datagram;        /* fragments per datagram, default 64 */
	axip_time_ns frag_timeout_ns;          /* default 30 s */

	axip_u32 icmp_rate_per_sec;            /* ICMP errors sent per second, default 100 */
	axip_u32 icmp_burst;                   /* token bucket depth, default 50 */

	axip_u32 udp_sockets;                  /* default 64 */

	axip_u32 tcp_conns;                    /* connections incl. TIME_WAIT, default 1024 */
	axip_u32 tcp_listeners;                /* default 16 */
	axip_u32 tcp_syn_backlog;              /* default backlog per listener, default 128 */
	axip_u32 tcp_ooo_max_bytes;            /* out-of-order bytes, whole instance, default 4 MiB */
	axip_u16 tcp_ephemeral_lo;             /* default 32768 */
	axip_u16 tcp_ephemeral_hi;             /* default 60999 */
	axip_time_ns tcp_time_wait_ns;         /* 2 x MSL, default 60 s */
	axip_time_ns tcp_rto_min_ns;           /* default 200 ms */
	axip_time_ns tcp_rto_max_ns;           /* default 60 s */
	axip_u32 tcp_max_retries;              /* RTOs before abort, default 15 */
	axip_u32 tcp_syn_retries;              /* SYN retransmissions before abort, default 6 */
	axip_u32 tcp_sndbuf;                   /* default send buffer, bytes, default 256 KiB */
	axip_u32 tcp_rcvbuf;                   /* default receive window, bytes, default 256 KiB */
	axip_u32 tcp_cc;                       /* enum axip_tcp_cc, default CUBIC */
	axip_time_ns tcp_delack_ns;            /* delayed ACK timeout, default 40 ms */
	axip_u32 tcp_challenge_ack_per_sec;    /* RFC 5961 section 7 limit, default 1000 */
	/* socket layer (axip/sock.h) */
	axip_u32 sock_max;                     /* descriptors (sockets + interest sets), 0..2^20,
	                                          default 1024; 0 = no socket layer */
	axip_u32 sock_epoll_items;             /* interest-set entries, all sets, default 1024 */
	axip_u32 sock_accept_max;              /* cap on a listener's backlog, 1..65535, default 4096 */
	axip_u32 sock_udp_rcvbuf;              /* UDP receive queue, buffer bytes, >= 2048,
	                                          default 256 KiB */
	/* IPv6 (axip/ipv6.h). Off by default: an IPv4-only configuration sends
	 * and accepts nothing new. */
	axip_u8 ip6_enable;                    /* 1 = IPv6 on; default 0 */
	axip_u8 ip6_linklocal[16];             /* all-zero (default): fe80::/64 with the
	                                          EUI-64 interface ID of `mac` (RFC 4291
	                                          2.5.1, RFC 2464 4); else fe80::/10 */
	axip_u32 n_addrs6;                     /* global addresses, 0..AXIP_MAX_ADDRS6 */
	struct axip_ifaddr6 addrs6[AXIP_MAX_ADDRS6];
	axip_u8 gateway6[16];                  /* default router (link-local or on a
	                                          prefix of addrs6); all-zero = none */
	axip_u8 ip6_hop_limit;                 /* default 64 (RFC 8200 3) */
	axip_u32 nd6_entries;                  /* IPv6 neighbour cache size, default 64 */
	axip_u32 nd6_queue_len;                /* packets held per unresolved entry, default 8 */
	axip_u32 nd6_max_mcast_solicit;        /* RFC 4861 10 MAX_MULTICAST_SOLICIT, default 3 */
	axip_u32 nd6_max_ucast_solicit;        /* MAX_UNICAST_SOLICIT, default 3 */
	axip_time_ns nd6_retrans_ns;           /* RETRANS_TIMER, default 1 s */
	axip_time_ns nd6_reachable_ns;         /* REACHABLE_TIME (base), default 30 s */
	axip_time_ns nd6_delay_first_probe_ns; /* DELAY_FIRST_PROBE_TIME, default 5 s */
	axip_u32 nd6_dad_transmits;            /* RFC 4862 DupAddrDetectTransmits, default 1;
	                                          0 = addresses are used at once */
	axip_u32 frag6_slots;                  /* IPv6 datagrams reassembled at once, default 16 */
	axip_u32 frag6_max_bytes;              /* bytes held by IPv6 reassembly, default 256 KiB */
	axip_u32 frag6_max_per_datagram;       /* fragments per datagram, default 64 */
	axip_time_ns frag6_timeout_ns;         /* RFC 8200 4.5: default 60 s */
	axip_u32 pmtu6_entries;                /* path MTU cache (RFC 8201), default 16 */
	axip_time_ns pmtu6_timeout_ns;         /* a lowered path MTU is forgotten after
	                                          this, RFC 8201 4: default 10 min */
};

/* Fill every field with its default (addresses, MAC and secret zeroed). */
void axip_config_defaults(struct axip_config *cfg);

/* Check `cfg`; on success store the bytes an instance needs in *size. */
int axip_mem_size(const struct axip_config *cfg, axip_size *size);

/*
 * Create an instance inside `mem` (size bytes, aligned to AXIP_MEM_ALIGN).
 * The configuration and environment are copied. `now` starts the clock (it
 * times the gratuitous ARP). On success *out is the instance; `mem` belongs
 * to it until the embedder stops using it (there is no teardown step: the
 * embedder frees buffers it handed out and reuses the block).
 */
int axip_init(void *mem, axip_size size, const struct axip_config *cfg,
              const struct axip_env *env, axip_time_ns now, struct axip_stack **out);

/* One received frame, as the embedder hands it to axip_rx(). */
struct axip_rx_frame {
	void *buf;          /* embedder's handle */
	axip_u8 *data;      /* first byte of the Ethernet header */
	axip_u32 len;       /* bytes in this buffer */
	axip_u32 headroom;  /* writable bytes before data */
	axip_u32 tailroom;  /* writable bytes after data + len */
	axip_u32 flags;     /* AXIP_PKT_RX_* marks, plus AXIP_RX_MORE */
	axip_u32 rx_hash;   /* NIC RSS hash, 0 if unknown */
};
/* The frame continues in the next array element (multi-buffer frame). */
#define AXIP_RX_MORE (1u << 31)

/*
 * Process a batch of received frames at time `now`. The core takes over one
 * reference on every frame's buffer (it calls buf_free when it is done, or
 * hands the buffer to an application callback that then owns it). Application
 * callbacks run from inside this call and may send. At the end the core calls
 * the environment's tx_flush once if anything was transmitted.
 */
void axip_rx(struct axip_stack *s, const struct axip_rx_frame *frames, axip_u32 n, axip_time_ns now);

/*
 * Run expired timers (ARP retries, reassembly timeouts, TCP timers) at `now`
 * and flush. Returns the time of the next deadline (a value in the past or
 * now means "call again soon"; ~0 means no timer is armed). Costs
 * O(expired timers), not O(connections).
 */
axip_time_ns axip_poll(struct axip_stack *s, axip_time_ns now);

/* Advance the instance's clock without running timers (for sends made
 * outside axip_rx/axip_poll). Time never goes backwards: older values are ignored. */
void axip_set_time(struct axip_stack *s, axip_time_ns now);

/* Flush frames queued by sends made outside axip_rx/axip_poll. */
void axip_flush(struct axip_stack *s);

/* The configuration the instance runs with. */
const struct axip_config *axip_get_config(const struct axip_stack *s);

/* ---- neighbour cache (ARP) ---- */

enum axip_neigh_state { AXIP_NEIGH_INCOMPLETE = 1, AXIP_NEIGH_REACHABLE = 2, AXIP_NEIGH_STATIC = 3 };

struct axip_neigh {
	axip_u32 addr;
	axip_u8 mac[6];
	axip_u8 state;  /* enum axip_neigh_state */
	axip_time_ns expires; /* 0 for static */
};

/* Seed or update an entry (e.g. from the kernel's neighbour table). A static
 * entry never expires. Packets waiting on the entry are sent. */
int axip_neigh_set(struct axip_stack *s, axip_u32 addr, const axip_u8 mac[6], int is_static);
/* Look up an entry; AXIP_E_NOTFOUND if absent. */
int axip_neigh_get(struct axip_stack *s, axip_u32 addr, struct axip_neigh *out);
/* Enumerate entries: fills up to `max`, returns the number filled. */
axip_u32 axip_neigh_list(struct axip_stack *s, struct axip_neigh *out, axip_u32 max);

#endif
