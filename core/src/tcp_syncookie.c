/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_syncookie.c - stateless SYN-ACKs (RFC 4987 section 3.6).
 *
 * Cookie layout (the ISN of our SYN-ACK):
 *   bits 31..3  top 29 bits of SipHash-2-4(key; tag, laddr, raddr, lport,
 *               rport, peer ISN, counter, MSS index), the addresses 4 bytes
 *               each over IPv4 and 16 over IPv6
 *   bits  2..0  MSS index into mss_table
 * counter = now >> 36: one period is 2^36 ns, about 68.7 s. The counter is not
 * carried in the cookie; the check recomputes the hash for the current and
 * the previous period, so a cookie is accepted for 1 to 2 periods after it was
 * made. The MSS index is inside the hash, so it cannot be altered without
 * invalidating the cookie. Only the key is used: no state is kept between SYN
 * and ACK. A forged ACK passes with probability 2 * 2^-29.
 *
 * Options that do not fit the cookie ride in the low 6 bits of our TSval
 * when the peer offered timestamps, and come back in its TSecr:
 *   bits 3..0  peer window scale (0xf = the peer sent no window scale)
 *   bit  4     SACK permitted
 *   bit  5     always 1: marks the bits as ours (an echo without it carries none)
 */
#include "tcp_isn.h"
#include "wire.h"

#define COOKIE_TAG 4u
#define COOKIE_PERIOD_SHIFT 36u /* 2^36 ns = 68.7 s */
#define COOKIE_MSS_BITS 3u
#define COOKIE_MSS_MASK ((1u << COOKIE_MSS_BITS) - 1u)
/* tag, laddr, raddr, lport, rport, peer ISN, counter, MSS index: 22 bytes
 * over IPv4, 46 over IPv6 */
#define COOKIE6_MSG_LEN 46u

#define TS_WSCALE_MASK 0x0fu
#define TS_WSCALE_NONE 0x0fu
#define TS_SACK_BIT 0x10u
#define TS_MARK_BIT 0x20u
#define WSCALE_MAX 14u /* RFC 7323 section 2.3 */

/*
 * Senders' MSS values worth keeping (ascending): the RFC 9293 default, IPv6-
 * and tunnel-sized paths (1200, 1360, 1400), PPPoE (1440 < 1452), Ethernet
 * (1460), 9000-byte and 9216-byte jumbo frames (8960, 9176).
 */
static const axip_u16 mss_table[1u << COOKIE_MSS_BITS] = {536, 1200, 1360, 1400,
                                                          1440, 1460, 8960, 9176};

/* The message for either family: addresses of alen bytes (4 for IPv4, as
 * the big-endian words; 16 for IPv6), then the fields above. */
static axip_u32 cookie_hash(const axip_u8 key[16], const axip_u8 *laddr, const axip_u8 *raddr,
                            axip_u32 alen, axip_u16 lport, axip_u16 rport, axip_u32 peer_isn,
                            axip_u32 counter, axip_u32 idx)
{
	axip_u8 m[COOKIE6_MSG_LEN];
	axip_u32 o = 1u + 2u * alen;
	m[0] = COOKIE_TAG;
	mem_copy(m + 1, laddr, alen);
	mem_copy(m + 1 + alen, raddr, alen);
	store_be16(m + o, lport);
	store_be16(m + o + 2u, rport);
	store_be32(m + o + 4u, peer_isn);
	store_be32(m + o + 8u, counter);
	m[o + 12u] = (axip_u8)idx;
	return (axip_u32)(siphash24(key, m, o + 13u) >> 32) & ~COOKIE_MSS_MASK;
}

/* Largest table entry <= mss; below the smallest entry, index 0 (536, the
 * RFC 9293 section 3.7.1 default every host must accept). */
static axip_u32 mss_index(axip_u16 mss)
{
	axip_u32 i = COOKIE_MSS_MASK;
	while (i > 0 && mss_table[i] > mss)
		i--;
	return i;
}

static axip_u32 cookie_make(const axip_u8 key[16], const axip_u8 *laddr, const axip_u8 *raddr,
                            axip_u32 alen, axip_u16 lport, axip_u16 rport, axip_u32 peer_isn,
                            axip_u16 mss, axip_time_ns now)
{
	axip_u32 idx = mss_index(mss);
	axip_u32 counter = (axip_u32)(now >> COOKIE_PERIOD_SHIFT);
	return cookie_hash(key, laddr, raddr, alen, lport, rport, peer_isn, counter, idx) | idx;
}

static int cookie_check(const axip_u8 key[16], const axip_u8 *laddr, const axip_u8 *raddr,
                        axip_u32 alen, axip_u16 lport, axip_u16 rport, axip_u32 peer_seq,
                        axip_u32 ack, axip_time_ns now, axip_u16 *mss)
{
	/* The ACK of a SYN-ACK acknowledges cookie + 1 and carries peer ISN + 1
	 * (RFC 9293 section 3.4). */
	axip_u32 cookie = ack - 1u, peer_isn = peer_seq - 1u;
	axip_u32 idx = cookie & COOKIE_MSS_MASK;
	axip_u32 counter = (axip_u32)(now >> COOKIE_PERIOD_SHIFT);
	axip_u32 age;

	for (age = 0; age < 2u; age++) {
		if (cookie_hash(key, laddr, raddr, alen, lport, rport, peer_isn, counter - age, idx) ==
		    (cookie & ~COOKIE_MSS_MASK)) {
			*mss = mss_table[idx];
			return 1;
		}
	}
	return 0;
}

axip_u32 tcp_syncookie_make(const axip_u8 key[16], axip_u32 laddr, axip_u16 lport,
                            axip_u32 raddr, axip_u16 rport, axip_u32 peer_isn,
                            axip_u16 mss, axip_time_ns now)
{
	axip_u8 la[4], ra[4];
	store_be32(la, laddr);
	store_be32(ra, raddr);
	return cookie_make(key, la, ra, 4u, lport, rport, peer_isn, mss, now);
}

int tcp_syncookie_check(const axip_u8 key[16], axip_u32 laddr, axip_u16 lport, axip_u32 raddr,
                        axip_u16 rport, axip_u32 peer_seq, axip_u32 ack, axip_time_ns now,
                        axip_u16 *mss)
{
	axip_u8 la[4], ra[4];
	store_be32(la, laddr);
	store_be32(ra, raddr);
	return cookie_check(key, la, ra, 4u, lport, rport, peer_seq, ack, now, mss);
}

axip_u32 tcp_syncookie_make6(const axip_u8 key[16], const axip_u8 laddr[16], axip_u16 lport,
                             const axip_u8 raddr[16], axip_u16 rport, axip_u32 peer_isn,
                             axip_u16 mss, axip_time_ns now)
{
	return cookie_make(key, laddr, raddr, 16u, lport, rport, peer_isn, mss, now);
}

int tcp_syncookie_check6(const axip_u8 key[16], const axip_u8 laddr[16], axip_u16 lport,
                         const axip_u8 raddr[16], axip_u16 rport, axip_u32 peer_seq, axip_u32 ack,
                         axip_time_ns now, axip_u16 *mss)
{
	return cookie_check(key, laddr, raddr, 16u, lport, rport, peer_seq, ack, now, mss);
}

axip_u32 tcp_syncookie_ts_bits(axip_u8 wscale, axip_u8 sack_ok)
{
	axip_u32 ws = wscale;
	/* RFC 7323 section 2.3: a shift count above 14 is used as 14. */
	if (ws != TS_WSCALE_NONE && ws > WSCALE_MAX)
		ws = WSCALE_MAX;
	return TS_MARK_BIT | (sack_ok ? TS_SACK_BIT : 0u) | ws;
}

void tcp_syncookie_ts_decode(axip_u32 tsecr, axip_u8 *wscale, axip_u8 *sack_ok)
{
	if (!(tsecr & TS_MARK_BIT)) {
		*wscale = TS_WSCALE_NONE;
		*sack_ok = 0;
		return;
	}
	*wscale = (axip_u8)(tsecr & TS_WSCALE_MASK);
	*sack_ok = (tsecr & TS_SACK_BIT) ? 1u : 0u;
}
