/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/udp.h - UDP sockets.
 */
#ifndef AXIP_UDP_H
#define AXIP_UDP_H

#include "types.h"
#include "pkt.h"

struct axip_stack;
struct axip_udp;

struct axip_udp_meta {
	axip_u32 src_addr;  /* host order (IPv4; 0 for an IPv6 datagram) */
	axip_u32 dst_addr;
	axip_u16 src_port;
	axip_u16 dst_port;
	axip_u8 family;     /* 4 or 6 */
	axip_u8 src_addr6[16]; /* IPv6 datagram: network order (axip/ipv6.h); else zero */
	axip_u8 dst_addr6[16];
};

/*
 * Receive callback. `payload` is the datagram's payload, zero-copy: its
 * data/len point into the received buffer(s) (a reassembled datagram is an
 * sg chain). The callback OWNS `payload` and must release it with
 * axip_pkt_free() (now or later). A zero-length datagram arrives as a packet
 * with len 0. The callback may send.
 */
typedef void (*axip_udp_recv_fn)(void *arg, struct axip_udp *sock,
                                 const struct axip_udp_meta *meta, struct axip_pkt *payload);

/*
 * Bind a socket to local `port` (1..65535) on `addr` (0 = every local
 * address). Errors: AXIP_E_INVAL, AXIP_E_ADDRINUSE, AXIP_E_NOMEM (socket
 * table full, counter udp_table_full).
 */
int axip_udp_open(struct axip_stack *s, axip_u32 addr, axip_u16 port,
                  axip_udp_recv_fn recv, void *arg, struct axip_udp **out);

/* Unbind and free the socket; the handle is invalid afterwards. */
void axip_udp_close(struct axip_udp *sock);

/*
 * Optional error callback (RFC 1122 4.1.3.3: ICMP errors reach the
 * application). Called from inside axip_rx() when an ICMP error quotes a
 * datagram this socket sent; `meta` describes that datagram (src = this
 * side). `err` is AXIP_E_REFUSED (port unreachable), AXIP_E_MSGSIZE
 * (fragmentation needed) or AXIP_E_UNREACH (any other error). Without a
 * callback such errors are only counted by ICMP. fn NULL removes it.
 */
typedef void (*axip_udp_error_fn)(void *arg, struct axip_udp *sock,
                                  const struct axip_udp_meta *meta, int err);
void axip_udp_set_error_cb(struct axip_udp *sock, axip_udp_error_fn fn, void *arg);

/*
 * Send a datagram by copying `len` bytes (0 allowed) to dst:port. Larger
 * than the MTU: sent as IPv4 fragments. Errors: AXIP_E_MSGSIZE (> 65507),
 * AXIP_E_NOBUFS / AXIP_E_NOMEM, AXIP_E_UNREACH (no route; ARP failure is
 * reported later through counters since resolution is asynchronous).
 */
int axip_udp_sendto(struct axip_udp *sock, axip_u32 dst, axip_u16 dst_port,
                    const void *data, axip_u32 len);

/*
 * Send a datagram whose payload the caller already placed in `payload` (from
 * axip_pkt_alloc() with at least AXIP_PKT_HEADROOM headroom; may be an sg
 * chain if the environment has AXIP_CAP_SG). Ownership of `payload` passes
 * to the core in every case, success or error.
 */
int axip_udp_send_pkt(struct axip_udp *sock, axip_u32 dst, axip_u16 dst_port,
                      struct axip_pkt *payload);

/*
 * UDP over IPv6 (cfg.ip6_enable). An IPv6 socket is bound to `port` on
 * addr6 (16 bytes, network order; NULL = every local IPv6 address); IPv4 and
 * IPv6 sockets have separate port spaces (a socket of one family never gets
 * the other's datagrams). Its callbacks get meta->family 6 and the
 * addresses in src_addr6/dst_addr6. The checksum is mandatory: datagrams
 * with a zero checksum are dropped (RFC 8200 8.1). Errors as axip_udp_open,
 * plus AXIP_E_STATE when IPv6 is off.
 */
int axip_udp_open6(struct axip_stack *s, const axip_u8 *addr6, axip_u16 port,
                   axip_udp_recv_fn recv, void *arg, struct axip_udp **out);
/* Send over IPv6 from an IPv6 socket (as axip_udp_sendto / _send_pkt;
 * larger than the path MTU: IPv6 fragments). AXIP_E_INVAL on an IPv4 socket,
 * and the other way round for the IPv4 calls. */
int axip_udp_sendto6(struct axip_udp *sock, const axip_u8 dst6[16], axip_u16 dst_port,
                     const void *data, axip_u32 len);
int axip_udp_send_pkt6(struct axip_udp *sock, const axip_u8 dst6[16], axip_u16 dst_port,
                       struct axip_pkt *payload);

#endif
