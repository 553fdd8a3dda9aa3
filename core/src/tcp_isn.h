/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_isn.h - keyed hashing for TCP: initial sequence numbers (RFC 6528),
 * ephemeral port selection offsets (RFC 6056 algorithm 3) and the
 * connection-table hash (tcp_isn.c), SYN cookies (tcp_syncookie.c), and
 * SipHash-2-4 itself (siphash.c). All keyed with the instance secret
 * (struct axip_config.secret).
 */
#ifndef AXIP_TCP_ISN_H
#define AXIP_TCP_ISN_H

#include "../include/axip/types.h"

/* SipHash-2-4 of `len` bytes with a 16-byte key (reference: Aumasson & Bernstein). */
axip_u64 siphash24(const axip_u8 key[16], const void *data, axip_u32 len);

/* Hash of a 4-tuple (addresses/ports host order) with a key. */
axip_u64 tcp_tuple_hash(const axip_u8 key[16], axip_u32 laddr, axip_u16 lport,
                        axip_u32 raddr, axip_u16 rport);

/* RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secretkey),
 * M = a timer ticking every 4 microseconds (derived from now). */
axip_u32 tcp_isn(const axip_u8 key[16], axip_u32 laddr, axip_u16 lport, axip_u32 raddr,
                 axip_u16 rport, axip_time_ns now);

/* RFC 6056 algorithm 3 offset: F(localip, remoteip, remoteport, secret). */
axip_u32 tcp_port_offset(const axip_u8 key[16], axip_u32 laddr, axip_u32 raddr, axip_u16 rport);

/* The same three over IPv6 tuples (addresses 16 bytes, network order). The
 * hashed message is longer than the IPv4 one, so the families never share
 * a value by construction. */
axip_u64 tcp_tuple_hash6(const axip_u8 key[16], const axip_u8 laddr[16], axip_u16 lport,
                         const axip_u8 raddr[16], axip_u16 rport);
axip_u32 tcp_isn6(const axip_u8 key[16], const axip_u8 laddr[16], axip_u16 lport,
                  const axip_u8 raddr[16], axip_u16 rport, axip_time_ns now);
axip_u32 tcp_port_offset6(const axip_u8 key[16], const axip_u8 laddr[16], const axip_u8 raddr[16],
                          axip_u16 rport);

/*
 * SYN cookies (in the style of Linux's tcp_syncookies / RFC 4987 3.6).
 * The cookie is the ISN of our SYN-ACK: a keyed hash of the 4-tuple, the
 * peer's ISN and a 64-second time counter, with a 3-bit MSS table index
 * and, when the peer sent timestamps, the window scale / SACK-permitted
 * bits encoded in the low bits of our TSval (tcp_syncookie_ts_bits).
 */
axip_u32 tcp_syncookie_make(const axip_u8 key[16], axip_u32 laddr, axip_u16 lport,
                            axip_u32 raddr, axip_u16 rport, axip_u32 peer_isn,
                            axip_u16 mss, axip_time_ns now);
/* Validate the ACK of a cookie SYN-ACK: `ack` is the ACK number received
 * (cookie + 1), `peer_seq` the sequence number (peer_isn + 1). Accepts
 * cookies up to 2 counter periods old. Returns 1 and fills *mss if valid. */
int tcp_syncookie_check(const axip_u8 key[16], axip_u32 laddr, axip_u16 lport, axip_u32 raddr,
                        axip_u16 rport, axip_u32 peer_seq, axip_u32 ack, axip_time_ns now,
                        axip_u16 *mss);
/* The same over an IPv6 tuple (addresses 16 bytes, network order). */
axip_u32 tcp_syncookie_make6(const axip_u8 key[16], const axip_u8 laddr[16], axip_u16 lport,
                             const axip_u8 raddr[16], axip_u16 rport, axip_u32 peer_isn,
                             axip_u16 mss, axip_time_ns now);
int tcp_syncookie_check6(const axip_u8 key[16], const axip_u8 laddr[16], axip_u16 lport,
                         const axip_u8 raddr[16], axip_u16 rport, axip_u32 peer_seq, axip_u32 ack,
                         axip_time_ns now, axip_u16 *mss);
/* Timestamp-carried options for cookies: low 6 bits of TSval. */
axip_u32 tcp_syncookie_ts_bits(axip_u8 wscale, axip_u8 sack_ok);
void tcp_syncookie_ts_decode(axip_u32 tsecr, axip_u8 *wscale, axip_u8 *sack_ok);

#endif
