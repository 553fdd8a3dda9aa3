/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_util.h - helpers shared by the fuzz targets (hosted code): a reader
 * over the fuzzer's input, a fatal check, checksum fix-ups for crafted
 * frames, the instance configuration the targets use, and the final leak
 * check.
 *
 * Every target defines LLVMFuzzerTestOneInput(); it is built twice: with
 * clang and -fsanitize=fuzzer (test/fuzz/build.sh) and with the project's
 * compiler against replay_main.c, which feeds it every corpus file.
 */
#ifndef AXIP_FUZZ_UTIL_H
#define AXIP_FUZZ_UTIL_H

#include "sim.h"
#include "wire.h"    /* load_be16/32, store_be16/32 */
#include <axip/tcp.h>
#include <axip/udp.h>
#include <axip/ipv6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A violated invariant is a crash: libFuzzer records the input. */
#define FUZZ_CHECK(cond)                                                             \
	do {                                                                             \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__,   \
			        #cond);                                                          \
			abort();                                                                 \
		}                                                                            \
	} while (0)

/* Sequential reader; reads past the end return zeros (the input is over). */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline int fin_left(const struct fuzz_in *in)
{
	return in->n > 0;
}

static inline uint8_t fin_u8(struct fuzz_in *in)
{
	uint8_t v;
	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

static inline uint16_t fin_u16(struct fuzz_in *in)
{
	uint16_t hi = fin_u8(in);
	return (uint16_t)(hi << 8 | fin_u8(in));
}

static inline uint32_t fin_u32(struct fuzz_in *in)
{
	uint32_t hi = fin_u16(in);
	return hi << 16 | fin_u16(in);
}

/* Up to `want` bytes in place; stores how many were available. */
static inline const uint8_t *fin_bytes(struct fuzz_in *in, size_t want, size_t *got)
{
	const uint8_t *p = in->p;
	if (want > in->n)
		want = in->n;
	in->p += want;
	in->n -= want;
	*got = want;
	return p;
}

/* Time steps selected by 3 bits: none, 100 us, 10 ms, 200 ms, 1 s, 3 s, 31 s, 61 s
 * (the last ones pass the ARP retry, reassembly and TIME_WAIT timeouts). */
static inline axip_time_ns fuzz_time_step(unsigned code)
{
	static const axip_time_ns steps[8] = {0,           100000ull,     10000000ull,
	                                      200000000ull, 1000000000ull, 3000000000ull,
	                                      31000000000ull, 61000000000ull};
	return steps[code & 7];
}

/*
 * Make an Ethernet/IPv4 frame's checksums right so that mutated frames get
 * past validation: the IPv4 header checksum when the header fits, and for
 * an unfragmented ICMP, UDP or TCP datagram the L4 checksum over the bytes
 * the total length claims (as far as they are present). Anything else is
 * left as it is.
 */
static inline void fuzz_fix_checksums(uint8_t *f, uint32_t len)
{
	uint32_t ihl, tot, l4len, proto, csum_off, sum;
	uint8_t *ip = f + 14, *l4;
	uint16_t c;
	if (len < 34 || f[12] != 0x08 || f[13] != 0x00)
		return;
	ihl = (uint32_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || 14 + ihl > len)
		return;
	ip[10] = ip[11] = 0;
	c = sim_ref_csum(ip, ihl, 0);
	store_be16(ip + 10, c);
	if ((load_be16(ip + 6) & 0x3fff) != 0)
		return; /* a fragment: its L4 checksum covers the whole datagram */
	tot = load_be16(ip + 2);
	if (tot > len - 14)
		tot = len - 14;
	if (tot < ihl)
		return;
	l4len = tot - ihl;
	l4 = ip + ihl;
	proto = ip[9];
	if (proto == 1)
		csum_off = 2;
	else if (proto == 17)
		csum_off = 6;
	else if (proto == 6)
		csum_off = 16;
	else
		return;
	if (l4len < csum_off + 2)
		return;
	l4[csum_off] = l4[csum_off + 1] = 0;
	if (proto == 1) {
		c = sim_ref_csum(l4, l4len, 0);
	} else {
		sum = (uint32_t)load_be16(ip + 12) + load_be16(ip + 14) + load_be16(ip + 16) +
		      load_be16(ip + 18) + proto + l4len;
		c = sim_ref_csum(l4, l4len, sum);
		if (proto == 17 && c == 0)
			c = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	}
	store_be16(l4 + csum_off, c);
}

/* ICMPv6, UDP or TCP right after the IPv6 header: fill its checksum (RFC 8200 8.1). */
static inline void fuzz_fix_ip6_checksum(uint8_t *f, uint32_t len)
{
	uint32_t plen, sum = 0, i, at;
	uint8_t nh;
	if (len < 14 + 40 || f[12] != 0x86 || f[13] != 0xdd)
		return;
	plen = (uint32_t)f[18] << 8 | f[19];
	nh = f[20];
	if (plen > len - 54)
		plen = len - 54;
	if (nh == 58 && plen >= 4)
		at = 54 + 2;
	else if (nh == 17 && plen >= 8)
		at = 54 + 6;
	else if (nh == 6 && plen >= 20)
		at = 54 + 16;
	else
		return;
	for (i = 0; i < 32; i += 2)
		sum += (uint32_t)(f[22 + i] << 8 | f[23 + i]);
	sum += plen + nh;
	f[at] = f[at + 1] = 0;
	{
		uint16_t c = sim_ref_csum(f + 54, plen, sum);
		f[at] = (uint8_t)(c >> 8);
		f[at + 1] = (uint8_t)c;
	}
}

/* An Ethernet + IPv6 frame (hop limit 64, no extension headers) carrying
 * `len` bytes of next header `nh`; its checksum is left to the caller. */
static inline uint32_t fuzz_build_ipv6(uint8_t *out, const uint8_t dst_mac[6],
                                       const uint8_t src_mac[6], const uint8_t src[16],
                                       const uint8_t dst[16], uint8_t nh, const void *payload,
                                       uint32_t len)
{
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, src_mac, 6);
	out[12] = 0x86;
	out[13] = 0xdd;
	memset(out + 14, 0, 40);
	out[14] = 0x60;
	store_be16(out + 18, (uint16_t)len);
	out[20] = nh;
	out[21] = 64;
	memcpy(out + 22, src, 16);
	memcpy(out + 38, dst, 16);
	if (len)
		memcpy(out + 54, payload, len);
	return 54 + len;
}

/* The instance under test: host 10.0.0.1/24 with MAC 02:00:00:00:00:01, the
 * peer 10.0.0.2 (02:00:00:00:00:02), a gateway 10.0.0.254; pools small so
 * that limits are reached. `small` shrinks them further. */
#define FUZZ_IP_SELF AXIP_IP4(10, 0, 0, 1)
#define FUZZ_IP_PEER AXIP_IP4(10, 0, 0, 2)
#define FUZZ_IP_GW AXIP_IP4(10, 0, 0, 254)
/* With IPv6 on: the instance 2001:db8::1/64, the peer 2001:db8::2. */
static inline const uint8_t *fuzz_ip6(int peer)
{
	static const uint8_t a[2][16] = {
		{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
		{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
	};
	return a[peer ? 1 : 0];
}

static inline void fuzz_config(struct axip_config *cfg, int small, int small_mtu)
{
	axip_config_defaults(cfg);
	sim_host_mac(0, cfg->mac);
	cfg->n_addrs = 2;
	cfg->addrs[0].addr = FUZZ_IP_SELF;
	cfg->addrs[0].prefix_len = 24;
	cfg->addrs[1].addr = AXIP_IP4(192, 168, 7, 1);
	cfg->addrs[1].prefix_len = 30;
	cfg->gateway = FUZZ_IP_GW;
	cfg->mtu = small_mtu ? 576 : 1500;
	memset(cfg->secret, 0x5a, sizeof(cfg->secret));
	cfg->pkt_objects = small ? 48 : 512;
	cfg->arp_entries = small ? 2 : 8;
	cfg->arp_queue_len = small ? 1 : 4;
	cfg->frag_slots = small ? 1 : 4;
	cfg->frag_max_bytes = small ? 4096 : 65536;
	cfg->frag_max_per_datagram = small ? 4 : 64;
	cfg->udp_sockets = 4;
	cfg->tcp_conns = small ? 2 : 8;
	cfg->tcp_listeners = 2;
	cfg->tcp_syn_backlog = small ? 1 : 2;
	cfg->tcp_ooo_max_bytes = small ? 4096 : 65536;
	cfg->tcp_sndbuf = small ? 4096 : 16384;
	cfg->tcp_rcvbuf = small ? 4096 : 16384;
	cfg->icmp_burst = 4;
}

static inline void fuzz_print_counter(const char *name, axip_u64 v, void *arg)
{
	(void)arg;
	if (v)
		fprintf(stderr, "  %s %llu\n", name, (unsigned long long)v);
}

/* With FUZZ_VERBOSE set in the environment, print the non-zero counters
 * (to see which paths an input reaches). */
static inline void fuzz_report(struct axip_stack *s)
{
	if (getenv("FUZZ_VERBOSE"))
		axip_counters_foreach(s, fuzz_print_counter, NULL);
}

/* Drop everything the instance transmitted (the capture FIFO of sim_single). */
static inline void fuzz_drain_tx(struct sim_single *h)
{
	uint8_t scratch[64];
	while (sim_single_tx_pop(h, scratch, sizeof(scratch)))
		;
}

/*
 * Run the instance's timers far into the future (an hour of virtual time:
 * ARP retries, reassembly, retransmissions up to tcp_max_retries, TIME_WAIT
 * all end well before), then require that every buffer and packet object
 * came back and no connection is left. Returns the final time.
 */
static inline axip_time_ns fuzz_settle_and_check(struct sim_single *h, axip_time_ns now,
                                                 uint32_t bufs_baseline)
{
	struct axip_stack *s = sim_single_stack(h);
	const struct axip_counters *k = axip_counters(s);
	axip_time_ns end = now + AXIP_SEC(3600);
	unsigned guard = 0;
	while (now < end && guard++ < 100000) {
		axip_time_ns next = sim_single_poll(h, now);
		fuzz_drain_tx(h);
		if (next == ~(axip_time_ns)0 || next >= end)
			break;
		now = next > now ? next : now + AXIP_MS(1);
	}
	now = end;
	sim_single_poll(h, now);
	fuzz_drain_tx(h);
	fuzz_report(s);
	if (sim_single_bufs_in_use(h) != bufs_baseline ||
	    axip_pkt_pool_available(s) != axip_get_config(s)->pkt_objects ||
	    k->tcp_conn_alloc != k->tcp_conn_free) {
		fprintf(stderr, "leak: bufs %u (baseline %u), pkt pool %u of %u, tcp conns %llu\n",
		        (unsigned)sim_single_bufs_in_use(h), (unsigned)bufs_baseline,
		        (unsigned)axip_pkt_pool_available(s), (unsigned)axip_get_config(s)->pkt_objects,
		        (unsigned long long)(k->tcp_conn_alloc - k->tcp_conn_free));
		abort();
	}
	return now;
}

#endif
