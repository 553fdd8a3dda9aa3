/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/counters.h - per-instance counters.
 *
 * Every drop reason and every limit that can be hit has a counter. The list
 * is kept once, as X-macros per module, and expands to the struct fields and
 * to the names reported by axip_counters_foreach(). Counters only grow.
 */
#ifndef AXIP_COUNTERS_H
#define AXIP_COUNTERS_H

#include "types.h"

#define AXIP_COUNTERS_PKT(X)                                                              \
	X(pkt_pool_empty)      /* packet-object pool exhausted (alloc or rx wrap failed) */ \
	X(buf_alloc_fail)      /* environment buf_alloc returned NULL */                    \
	X(tx_env_drop)         /* environment tx() refused a frame */                       \
	X(rx_low_buf_drop)     /* TCP text / UDP datagram dropped: frame marked            \
	                          AXIP_PKT_RX_LOW_BUF (embedder short of buffers) */        \
	X(tx_packets) X(tx_bytes) X(rx_packets) X(rx_bytes)

#define AXIP_COUNTERS_ETH(X)                                                         \
	X(eth_rx_short)        /* frame shorter than an Ethernet header */             \
	X(eth_rx_not_for_us)   /* destination MAC neither ours nor broadcast */        \
	X(eth_rx_vlan)         /* 802.1Q/802.1ad tagged frame (not supported) */       \
	X(eth_rx_unknown_type) /* EtherType other than IPv4/ARP */                     \
	X(eth_rx_sg_unsupported) /* multi-buffer frame the receive path cannot take */

#define AXIP_COUNTERS_ARP(X)                                                            \
	X(arp_rx_request) X(arp_rx_reply) X(arp_tx_request) X(arp_tx_reply)              \
	X(arp_rx_bad)          /* truncated or not Ethernet/IPv4 ARP */                    \
	X(arp_rx_not_for_us)   /* request for an address that is not ours */             \
	X(arp_table_full)      /* no entry could be allocated or evicted */               \
	X(arp_queue_full)      /* packet dropped: pending queue of an entry full */        \
	X(arp_resolve_fail)    /* entry gave up after its retries; queue dropped */        \
	X(arp_resolve_fail_pkts) /* packets dropped with failed entries */                 \
	X(arp_rx_conflict)     /* someone else claims one of our addresses */              \
	X(arp_rx_unsolicited)  /* reply for an address we have no entry for: ignored */    \
	X(arp_rx_looped)       /* sender MAC is ours (reflected frame): ignored */         \
	X(arp_expired)         /* REACHABLE entry timed out and was removed */

#define AXIP_COUNTERS_IP(X)                                                               \
	X(ip_rx) X(ip_tx)                                                                   \
	X(ip_rx_short)        /* shorter than 20 bytes (IHL beyond the data: bad_ihl) */   \
	X(ip_rx_bad_version) X(ip_rx_bad_ihl) X(ip_rx_bad_len) X(ip_rx_bad_csum)           \
	X(ip_rx_ttl_zero)                                                                   \
	X(ip_rx_bad_src)      /* 0/8, broadcast, multicast, loopback or own source */      \
	X(ip_rx_not_for_us)   /* destination is not a local or broadcast address */        \
	X(ip_rx_unknown_proto)                                                              \
	X(ip_tx_no_route)                                                                   \
	X(ip_tx_too_big)      /* DF set and larger than the MTU, or over 65535 */          \
	X(ip_tx_no_headroom)  /* packet or env buffer too small for the headers */        \
	X(ip_frag_rx) X(ip_frag_reassembled) X(ip_frag_tx)                                  \
	X(ip_frag_overlap)    /* overlapping fragment: whole datagram dropped */           \
	X(ip_frag_bad)        /* fragment with inconsistent offset/length */              \
	X(ip_frag_timeout)    /* datagram not completed in time */                         \
	X(ip_frag_no_slot)    /* all reassembly slots busy */                              \
	X(ip_frag_mem_limit)  /* reassembly byte budget exhausted */                       \
	X(ip_frag_too_many)   /* more fragments for one datagram than allowed */          \
	X(ip_frag_dup)        /* exact duplicate fragment dropped, datagram kept */

#define AXIP_COUNTERS_ICMP(X)                                                          \
	X(icmp_rx) X(icmp_rx_echo) X(icmp_tx_echo_reply) X(icmp_tx_unreach)              \
	X(icmp_rx_bad)         /* truncated or bad checksum */                            \
	X(icmp_rx_error)       /* error messages delivered to a transport */             \
	X(icmp_rx_error_ignored) /* error quoting nothing we know */                     \
	X(icmp_rate_limited)   /* error we did not send because of the rate limit */      \
	X(icmp_rx_unknown_type) /* types axip does not act on: echo reply, redirect, ... */\
	X(icmp_rx_echo_bcast)  /* echo request to a broadcast address: not answered */   \
	X(icmp_tx_error_other) /* errors sent other than destination unreachable */

#define AXIP_COUNTERS_UDP(X)                                                        \
	X(udp_rx) X(udp_tx) X(udp_rx_short) X(udp_rx_bad_len) X(udp_rx_bad_csum)     \
	X(udp_rx_no_port)      /* no socket bound: port unreachable sent or limited */ \
	X(udp_table_full)

#define AXIP_COUNTERS_TCP(X)                                                          \
	X(tcp_rx) X(tcp_tx) X(tcp_rx_short) X(tcp_rx_bad_csum) X(tcp_rx_bad_off)        \
	X(tcp_rx_no_conn) X(tcp_tx_rst)                                                 \
	X(tcp_flow_cache_miss) /* connection found by the tuple hash, not its RX hash slot */ \
	X(tcp_conn_pool_full) X(tcp_backlog_full) X(tcp_syncookie_sent)                 \
	X(tcp_syncookie_ok) X(tcp_syncookie_bad)                                        \
	X(tcp_retransmit) X(tcp_rto) X(tcp_fast_retransmit) X(tcp_challenge_ack)        \
	X(tcp_challenge_ack_limited) X(tcp_paws_drop) X(tcp_ooo_queued)                  \
	X(tcp_ooo_drop) X(tcp_rx_out_of_window) X(tcp_conn_timeout)                     \
	X(tcp_active_open) X(tcp_passive_open) X(tcp_ephemeral_exhausted)               \
	X(tcp_sndbuf_full)                                                                \
	X(tcp_conn_alloc) X(tcp_conn_free)  /* pool use: in use = alloc - free */          \
	X(tcp_tw_recycled)     /* oldest TIME_WAIT reclaimed because the pool was full */  \
	X(tcp_tw_reuse)        /* SYN reused a TIME_WAIT tuple (RFC 6191) */               \
	X(tcp_accept_refused)  /* accept callback declined: connection reset */            \
	X(tcp_rx_bad_opt)      /* malformed option length: parsing stopped */              \
	X(tcp_rx_broadcast)    /* segment to a broadcast (IPv4) or multicast (IPv6) address */ \
	X(tcp_rx_bad_addr)     /* IPv6 segment from the unspecified address */             \
	X(tcp_rx_rst) X(tcp_rx_rst_ignored) /* RST accepted / ignored (LISTEN, TIME_WAIT) */ \
	X(tcp_rx_no_ack)       /* synchronized state, ACK bit off */                       \
	X(tcp_rx_ack_unsent)   /* ACK of data never sent */                                \
	X(tcp_rx_bad_flags)    /* no SYN/ACK/RST where one is required */                  \
	X(tcp_rx_after_close)  /* data after the application closed: RST sent */           \
	X(tcp_active_established) X(tcp_zero_window_probe) X(tcp_keepalive_probe)          \
	X(tcp_pmtu_update)     /* MSS lowered by ICMP fragmentation needed */              \
	X(tcp_icmp_ignored)    /* ICMP error quoting no connection or no data in flight */ \
	X(tcp_rack_lost)       /* send-queue buffers RACK marked lost (RFC 8985 6.2) */   \
	X(tcp_rack_reo_timeout) /* RACK reordering timer expiries (RFC 8985 6.3) */       \
	X(tcp_tlp)             /* tail loss probes sent (RFC 8985 7.3) */                 \
	X(tcp_tlp_recovery)    /* probes that repaired a loss: window reduced (7.4) */     \
	X(tcp_rx_dsack)        /* D-SACK blocks received (RFC 2883) */                     \
	X(tcp_tx_dsack)        /* D-SACK blocks sent for duplicate data (RFC 2883) */

#define AXIP_COUNTERS_SOCK(X)                                                         \
	X(sock_open) X(sock_close) /* descriptors in use = open - close */               \
	X(sock_table_full)     /* socket/accept/epoll_create: no free descriptor */       \
	X(sock_epoll_items_full) /* epoll_ctl ADD: entry pool exhausted */                \
	X(sock_accept_queue_full) /* handshaken connection reset: accept queue full */   \
	X(sock_udp_rcvbuf_drop) /* datagram dropped: receive queue over SO_RCVBUF */      \
	X(sock_udp_not_peer)   /* datagram dropped: not from a connected socket's peer */ \
	X(sock_close_reset)    /* close with unread data or linger 0: RST sent */

#define AXIP_COUNTERS_IP6(X)                                                             \
	X(ip6_rx) X(ip6_tx)                                                                 \
	X(ip6_rx_short)        /* shorter than the 40-byte header */                       \
	X(ip6_rx_bad_version)                                                               \
	X(ip6_rx_bad_len)      /* payload length beyond the frame */                       \
	X(ip6_rx_bad_src)      /* multicast, loopback or own (non-tentative) source */     \
	X(ip6_rx_not_for_us)   /* not our unicast, all-nodes or solicited-node address */  \
	X(ip6_rx_bad_ext)      /* extension header truncated or malformed option */       \
	X(ip6_rx_ext_too_many) /* more extension headers than the walk allows */          \
	X(ip6_rx_hbh_not_first) /* hop-by-hop header after another header */              \
	X(ip6_rx_bad_opt)      /* unrecognised option whose type says discard (4.2) */    \
	X(ip6_rx_routing)      /* routing header with segments left (incl. type 0) */     \
	X(ip6_rx_unknown_nh)   /* unrecognised next header: parameter problem code 1 */    \
	X(ip6_rx_no_next)      /* next header 59: nothing to deliver */                    \
	X(ip6_rx_atomic_frag)  /* fragment header with offset 0, M 0 (RFC 6946) */         \
	X(ip6_tx_no_route)                                                                  \
	X(ip6_tx_too_big)      /* larger than the path MTU and not to be fragmented */     \
	X(ip6_tx_no_headroom)  /* packet or env buffer too small for the headers */        \
	X(ip6_frag_rx) X(ip6_frag_reassembled) X(ip6_frag_tx)                               \
	X(ip6_frag_overlap)    /* overlapping fragment: datagram dropped (RFC 5722) */     \
	X(ip6_frag_bad)        /* fragment with inconsistent offset/length */              \
	X(ip6_frag_no_ulh)     /* first fragment without the upper-layer header (RFC 7112) */ \
	X(ip6_frag_timeout)    /* datagram not completed in time */                        \
	X(ip6_frag_no_slot)    /* all reassembly slots busy */                             \
	X(ip6_frag_mem_limit)  /* reassembly byte budget exhausted */                      \
	X(ip6_frag_too_many)   /* more fragments for one datagram than allowed */          \
	X(ip6_frag_dup)        /* exact duplicate fragment dropped, datagram kept */       \
	X(ip6_pmtu_update)     /* path MTU lowered by a Packet Too Big (RFC 8201) */       \
	X(ip6_pmtu_evict)      /* path MTU cache full: the oldest entry replaced */

#define AXIP_COUNTERS_ICMP6(X)                                                          \
	X(icmp6_rx) X(icmp6_rx_echo) X(icmp6_tx_echo_reply) X(icmp6_rx_echo_reply)        \
	X(icmp6_rx_bad)        /* truncated or bad checksum */                            \
	X(icmp6_rx_error)      /* errors handed to the transport they concern */          \
	X(icmp6_rx_error_ignored) /* error quoting nothing we sent or know */             \
	X(icmp6_rx_ptb)        /* Packet Too Big received */                              \
	X(icmp6_rx_ptb_bad)    /* Packet Too Big below 1280 discarded (RFC 8201 4) */      \
	X(icmp6_tx_error)      /* errors sent */                                          \
	X(icmp6_rate_limited)  /* error not sent because of the rate limit */             \
	X(icmp6_rx_unknown_type) /* informational types not acted on (RS, RA, redirect, MLD) */

#define AXIP_COUNTERS_ND6(X)                                                            \
	X(nd6_rx_ns) X(nd6_rx_na) X(nd6_tx_ns) X(nd6_tx_na)                               \
	X(nd6_rx_bad)          /* failed RFC 4861 7.1 validation */                       \
	X(nd6_rx_not_for_us)   /* solicitation for a target that is not ours */          \
	X(nd6_rx_na_unsolicited) /* advertisement for no cache entry: ignored (7.2.5) */  \
	X(nd6_table_full)      /* no entry could be allocated or evicted */               \
	X(nd6_queue_full)      /* packet dropped: pending queue of an entry full */        \
	X(nd6_resolve_fail)    /* INCOMPLETE entry gave up; queue dropped */              \
	X(nd6_resolve_fail_pkts) /* packets dropped with failed entries */                 \
	X(nd6_probe_fail)      /* PROBE entry got no answer: removed (7.3.3) */           \
	X(nd6_confirmed)       /* STALE/DELAY/PROBE entry made REACHABLE by TCP (7.3.1) */ \
	X(nd6_rx_looped)       /* our own NS/NA reflected back (source MAC ours): ignored */ \
	X(nd6_dad_ok)          /* address passed duplicate address detection */          \
	X(nd6_dad_conflict)    /* duplicate found: address unusable (RFC 4862 5.4.5) */

#define AXIP_COUNTERS_ALL(X)                                                           \
	AXIP_COUNTERS_PKT(X) AXIP_COUNTERS_ETH(X) AXIP_COUNTERS_ARP(X) AXIP_COUNTERS_IP(X) \
	AXIP_COUNTERS_ICMP(X) AXIP_COUNTERS_UDP(X) AXIP_COUNTERS_TCP(X) AXIP_COUNTERS_SOCK(X) \
	AXIP_COUNTERS_IP6(X) AXIP_COUNTERS_ICMP6(X) AXIP_COUNTERS_ND6(X)

struct axip_counters {
#define AXIP_COUNTER_FIELD(name) axip_u64 name;
	AXIP_COUNTERS_ALL(AXIP_COUNTER_FIELD)
#undef AXIP_COUNTER_FIELD
};

struct axip_stack;

/* The instance's counters (read-only view, valid as long as the instance). */
const struct axip_counters *axip_counters(const struct axip_stack *s);

/* Call fn(name, value, arg) for every counter, in declaration order. */
void axip_counters_foreach(const struct axip_stack *s,
                           void (*fn)(const char *name, axip_u64 value, void *arg), void *arg);

#endif
