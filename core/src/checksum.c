/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * checksum.c - RFC 1071 Internet checksum, summed a machine word at a time.
 *
 * The one's complement sum is independent of byte order up to a final byte
 * swap (RFC 1071 section 2(B)), so words are read in native order and the
 * result is swapped once on little-endian machines. Words are read with
 * aligned 32-bit loads into a 64-bit accumulator, which is fast on 64-bit
 * machines and still correct on 32-bit ones. Buffers are packet memory the
 * embedder gave us (no declared type), read here and nowhere else as words.
 */
#include "checksum.h"
#include "wire.h"

static int host_is_little_endian(void)
{
	const axip_u16 one = 1;
	return *(const axip_u8 *)&one == 1;
}

static axip_u16 swap16(axip_u16 v)
{
	return (axip_u16)((v >> 8) | (v << 8));
}

/* Sum of `len` bytes in native word order, folded to 16 bits. */
static axip_u16 sum_native(const axip_u8 *p, axip_u32 len)
{
	axip_u64 acc = 0;
	int odd_start = 0;
	axip_u16 r;

	if (len == 0)
		return 0;
	/* Align to 2 bytes: a leading odd byte shifts every later word by one
	 * byte; sum the rest and swap it back (RFC 1071 2(B)). */
	if (((axip_size)p & 1u) != 0) {
		axip_u16 w = 0;
		((axip_u8 *)&w)[0] = p[0];
		acc += w;
		/* the remaining bytes start at an odd offset */
		odd_start = 1;
		p++;
		len--;
	}
	{
		axip_u64 rest = 0;
		if (((axip_size)p & 2u) != 0 && len >= 2) {
			rest += *(const axip_u16 *)(const void *)p;
			p += 2;
			len -= 2;
		}
		while (len >= 32) {
			const axip_u32 *w = (const axip_u32 *)(const void *)p;
			rest += (axip_u64)w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7];
			p += 32;
			len -= 32;
		}
		while (len >= 4) {
			rest += *(const axip_u32 *)(const void *)p;
			p += 4;
			len -= 4;
		}
		if (len >= 2) {
			rest += *(const axip_u16 *)(const void *)p;
			p += 2;
			len -= 2;
		}
		if (len == 1) {
			axip_u16 w = 0;
			((axip_u8 *)&w)[0] = p[0];
			rest += w;
		}
		while (rest >> 16)
			rest = (rest & 0xffffu) + (rest >> 16);
		if (odd_start)
			rest = swap16((axip_u16)rest);
		acc += rest;
	}
	while (acc >> 16)
		acc = (acc & 0xffffu) + (acc >> 16);
	r = (axip_u16)acc;
	return r;
}

axip_u32 csum_add_bytes(axip_u32 sum, const void *data, axip_u32 len)
{
	axip_u16 s = sum_native((const axip_u8 *)data, len);
	if (host_is_little_endian())
		s = swap16(s);
	return csum_add16(sum, s);
}

axip_u32 csum_add_chain(axip_u32 sum, const struct axip_pkt *p, axip_u32 off, axip_u32 len)
{
	axip_u32 pos = 0; /* bytes summed so far, for parity */
	while (p && len) {
		if (off >= p->len) {
			off -= p->len;
		} else {
			axip_u32 n = p->len - off;
			axip_u32 part;
			if (n > len)
				n = len;
			part = csum_add_bytes(0, p->data + off, n);
			part = csum_fold_raw(part);
			if (pos & 1u)
				part = swap16((axip_u16)part);
			sum = csum_add16(sum, (axip_u16)part);
			pos += n;
			len -= n;
			off = 0;
		}
		p = p->sg_next;
	}
	return sum;
}

axip_u32 csum_add16(axip_u32 sum, axip_u16 v)
{
	sum += v;
	return (sum & 0xffffu) + (sum >> 16);
}

axip_u32 csum_add32(axip_u32 sum, axip_u32 v)
{
	return csum_add16(csum_add16(sum, (axip_u16)(v >> 16)), (axip_u16)v);
}

axip_u32 csum_pseudo(axip_u32 src, axip_u32 dst, axip_u8 proto, axip_u32 l4_len)
{
	axip_u32 sum = csum_add32(0, src);
	sum = csum_add32(sum, dst);
	sum = csum_add16(sum, proto);
	return csum_add32(sum, l4_len);
}

axip_u32 csum_pseudo6(const axip_u8 src[16], const axip_u8 dst[16], axip_u8 next_header,
                      axip_u32 l4_len)
{
	axip_u32 sum = 0, i;
	for (i = 0; i < 16u; i += 2u) {
		sum = csum_add16(sum, load_be16(src + i));
		sum = csum_add16(sum, load_be16(dst + i));
	}
	sum = csum_add32(sum, l4_len);
	return csum_add16(sum, next_header);
}

axip_u16 csum_fold_raw(axip_u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (axip_u16)sum;
}

axip_u16 csum_fold(axip_u32 sum)
{
	return (axip_u16)~csum_fold_raw(sum);
}

axip_u16 csum_update16(axip_u16 check, axip_u16 old_val, axip_u16 new_val)
{
	/* HC' = ~(~HC + ~m + m') */
	axip_u32 sum = (axip_u16)~check;
	sum = csum_add16(sum, (axip_u16)~old_val);
	sum = csum_add16(sum, new_val);
	return (axip_u16)~csum_fold_raw(sum);
}

void axip_pkt_tx_csum_finish(struct axip_pkt *p, axip_u32 len)
{
	axip_u32 at;
	if (!(p->flags & AXIP_PKT_TX_L4_CSUM))
		return;
	at = (axip_u32)p->csum_start + p->csum_offset;
	if (at + 2u > p->len || at + 2u > len)
		return;
	store_be16(p->data + at, csum_fold(csum_add_chain(0, p, p->csum_start, len - p->csum_start)));
}
