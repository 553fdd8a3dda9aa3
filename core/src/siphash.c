/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * siphash.c - SipHash-2-4 (J.-P. Aumasson, D. J. Bernstein, "SipHash: a fast
 * short-input PRF", 2012): 2 compression rounds per 8-byte word, 4
 * finalization rounds, 64-bit output. Words are read little-endian byte by
 * byte, so the result is the same on every CPU and no unaligned access is made.
 */
#include "tcp_isn.h"

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

struct sip_state {
	axip_u64 v0, v1, v2, v3;
};

/* One SipRound (paper section 2.1). */
static void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL64(s->v2, 32);
}

static axip_u64 load_le64(const axip_u8 *p)
{
	axip_u64 v = 0;
	axip_u32 i;
	for (i = 8; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

/* Compression of one message word m (2 SipRounds for SipHash-2-4). */
static void sip_compress(struct sip_state *s, axip_u64 m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

axip_u64 siphash24(const axip_u8 key[16], const void *data, axip_u32 len)
{
	const axip_u8 *p = (const axip_u8 *)data;
	axip_u64 k0 = load_le64(key), k1 = load_le64(key + 8);
	axip_u64 last;
	axip_u32 left = len, i;
	struct sip_state s;

	/* Initialization (paper section 2.2): the key XORed into the constants
	 * "somepseudorandomlygeneratedbytes". */
	s.v0 = k0 ^ 0x736f6d6570736575ULL;
	s.v1 = k1 ^ 0x646f72616e646f6dULL;
	s.v2 = k0 ^ 0x6c7967656e657261ULL;
	s.v3 = k1 ^ 0x7465646279746573ULL;

	for (; left >= 8; left -= 8, p += 8)
		sip_compress(&s, load_le64(p));

	/* Last word: the remaining 0..7 bytes, zero padded, with len mod 256 in
	 * the most significant byte. */
	last = (axip_u64)(len & 0xffu) << 56;
	for (i = 0; i < left; i++)
		last |= (axip_u64)p[i] << (8 * i);
	sip_compress(&s, last);

	/* Finalization: 4 SipRounds. */
	s.v2 ^= 0xff;
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	sip_round(&s);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
