/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_isn.c - keyed hashes of connection identifiers: the connection-table
 * hash, initial sequence numbers (RFC 6528) and the ephemeral port offset
 * (RFC 6056 section 3.3.3, algorithm 3).
 *
 * Each use hashes a distinct first byte (domain tag) before its fields, so
 * the value one use reveals to a peer (an ISN, a port choice) says nothing
 * about another (the table hash, which an attacker could otherwise use to
 * aim collisions at one bucket).
 */
#include "tcp_isn.h"
#include "wire.h"

enum { TAG_TUPLE = 1, TAG_ISN = 2, TAG_PORT = 3 };

/* tag, laddr, raddr, lport, rport: 13 bytes */
#define TUPLE_MSG_LEN 13u

static axip_u64 hash_tuple(const axip_u8 key[16], axip_u8 tag, axip_u32 laddr, axip_u16 lport,
                           axip_u32 raddr, axip_u16 rport)
{
	axip_u8 m[TUPLE_MSG_LEN];
	m[0] = tag;
	store_be32(m + 1, laddr);
	store_be32(m + 5, raddr);
	store_be16(m + 9, lport);
	store_be16(m + 11, rport);
	return siphash24(key, m, TUPLE_MSG_LEN);
}

/* tag, laddr, raddr, lport, rport over IPv6: 37 bytes */
#define TUPLE6_MSG_LEN 37u

static axip_u64 hash_tuple6(const axip_u8 key[16], axip_u8 tag, const axip_u8 laddr[16],
                            axip_u16 lport, const axip_u8 raddr[16], axip_u16 rport)
{
	axip_u8 m[TUPLE6_MSG_LEN];
	m[0] = tag;
	mem_copy(m + 1, laddr, 16);
	mem_copy(m + 17, raddr, 16);
	store_be16(m + 33, lport);
	store_be16(m + 35, rport);
	return siphash24(key, m, TUPLE6_MSG_LEN);
}

axip_u64 tcp_tuple_hash(const axip_u8 key[16], axip_u32 laddr, axip_u16 lport, axip_u32 raddr,
                        axip_u16 rport)
{
	return hash_tuple(key, TAG_TUPLE, laddr, lport, raddr, rport);
}

/*
 * RFC 6528 section 3: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey). M should tick every 4 microseconds; now >> 12 ticks every
 * 4096 ns (4.096 us, 2.4% slower), which needs no division. The 32-bit M
 * wraps every 2^32 * 4.096 us, about 4.9 hours (RFC 9293's 4 us clock: 4.55 h).
 */
axip_u32 tcp_isn(const axip_u8 key[16], axip_u32 laddr, axip_u16 lport, axip_u32 raddr,
                 axip_u16 rport, axip_time_ns now)
{
	axip_u32 m = (axip_u32)(now >> 12);
	return m + (axip_u32)hash_tuple(key, TAG_ISN, laddr, lport, raddr, rport);
}

/*
 * RFC 6056 section 3.3.3 (algorithm 3): offset = F(local_IP, remote_IP,
 * remote_port, secret_key); the local port is what is being chosen, so it is
 * not an input. The caller adds its per-destination or global counter.
 */
axip_u32 tcp_port_offset(const axip_u8 key[16], axip_u32 laddr, axip_u32 raddr, axip_u16 rport)
{
	return (axip_u32)hash_tuple(key, TAG_PORT, laddr, 0, raddr, rport);
}

/* IPv6: the same three uses, hashed over the 16-byte addresses (RFC 6528
 * section 3 and RFC 6056 section 3.3.3 name the addresses, whatever their
 * family). */
axip_u64 tcp_tuple_hash6(const axip_u8 key[16], const axip_u8 laddr[16], axip_u16 lport,
                         const axip_u8 raddr[16], axip_u16 rport)
{
	return hash_tuple6(key, TAG_TUPLE, laddr, lport, raddr, rport);
}

axip_u32 tcp_isn6(const axip_u8 key[16], const axip_u8 laddr[16], axip_u16 lport,
                  const axip_u8 raddr[16], axip_u16 rport, axip_time_ns now)
{
	axip_u32 m = (axip_u32)(now >> 12);
	return m + (axip_u32)hash_tuple6(key, TAG_ISN, laddr, lport, raddr, rport);
}

axip_u32 tcp_port_offset6(const axip_u8 key[16], const axip_u8 laddr[16], const axip_u8 raddr[16],
                          axip_u16 rport)
{
	return (axip_u32)hash_tuple6(key, TAG_PORT, laddr, 0, raddr, rport);
}
