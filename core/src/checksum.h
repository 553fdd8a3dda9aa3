/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checksum.h - Internet checksum (RFC 1071) and incremental update (RFC 1624).
 *
 * Sums are kept as 32-bit accumulators of big-endian 16-bit words in host
 * number form; csum_fold() turns one into the value to store with store_be16.
 */
#ifndef AXIP_CHECKSUM_H
#define AXIP_CHECKSUM_H

#include "../include/axip/types.h"
#include "../include/axip/pkt.h"

/* Add the one's complement sum of `len` bytes at `data` to `sum`, as if the
 * bytes started at an even offset of the checksummed range. */
axip_u32 csum_add_bytes(axip_u32 sum, const void *data, axip_u32 len);

/* Add `len` bytes starting at byte `off` of an sg chain; handles buffers of
 * odd length. Returns sum unchanged if the chain is shorter. */
axip_u32 csum_add_chain(axip_u32 sum, const struct axip_pkt *p, axip_u32 off, axip_u32 len);

/* IPv4 pseudo-header sum (RFC 9293 3.1, RFC 768). */
axip_u32 csum_pseudo(axip_u32 src, axip_u32 dst, axip_u8 proto, axip_u32 l4_len);

/* IPv6 pseudo-header sum (RFC 8200 8.1): addresses in network order. */
axip_u32 csum_pseudo6(const axip_u8 src[16], const axip_u8 dst[16], axip_u8 next_header,
                      axip_u32 l4_len);

/* Add a 16-bit value / 32-bit value (host order numbers) to a sum. */
axip_u32 csum_add16(axip_u32 sum, axip_u16 v);
axip_u32 csum_add32(axip_u32 sum, axip_u32 v);

/* Fold a sum to 16 bits, without complement. */
axip_u16 csum_fold_raw(axip_u32 sum);
/* Fold and complement: the checksum field value. */
axip_u16 csum_fold(axip_u32 sum);

/* RFC 1624 eqn. 3: new checksum after a 16-bit field changed from old to new. */
axip_u16 csum_update16(axip_u16 check, axip_u16 old_val, axip_u16 new_val);

#endif
