/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip6_frames.h - IPv6 test helpers (hosted code): one IPv6 host on sim_single
 * and builders for crafted IPv6 frames.
 *
 * The host has MAC IP6_MY_MAC, link-local fe80::ff:fe00:1 (EUI-64 of the
 * MAC), global 2001:db8::1/64, and, unless a test asks otherwise, no DAD
 * (addresses usable at once) and the peer (fe80::ff:fe00:2 and 2001:db8::2,
 * IP6_PEER_MAC) in the neighbour cache as static entries.
 */
#ifndef AXIP_TEST_IP6_FRAMES_H
#define AXIP_TEST_IP6_FRAMES_H

#include <stdint.h>
#include <string.h>
#include <axip/axip.h>
#include "sim.h"

static const uint8_t ip6_my_mac[6] = {2, 0, 0, 0, 0, 1};
static const uint8_t ip6_peer_mac[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t ip6_my_ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 1};
static const uint8_t ip6_peer_ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 2};
static const uint8_t ip6_my_gl[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t ip6_peer_gl[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
static const uint8_t ip6_all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t ip6_unspec[16] = {0};
static const uint8_t ip6_mac_all_nodes[6] = {0x33, 0x33, 0, 0, 0, 1};

static inline uint16_t ip6t_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t ip6t_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void ip6t_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void ip6t_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Solicited-node group of a and its MAC. */
static inline void ip6t_snm(uint8_t out[16], const uint8_t a[16])
{
	memset(out, 0, 16);
	out[0] = 0xff;
	out[1] = 0x02;
	out[11] = 1;
	out[12] = 0xff;
	memcpy(out + 13, a + 13, 3);
}
static inline void ip6t_mcast_mac(uint8_t mac[6], const uint8_t a[16])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, a + 12, 4);
}

/* Pseudo-header (RFC 8200 8.1) sum for sim_ref_csum's `initial`. */
static inline uint32_t ip6t_pseudo(const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
                                   uint32_t len)
{
	uint32_t sum = 0, i;
	for (i = 0; i < 16; i += 2)
		sum += ip6t_be16(src + i) + ip6t_be16(dst + i);
	sum += (len >> 16) + (len & 0xffff) + nh;
	return sum;
}

/* Fill the checksum of an ICMPv6 message (bytes 2..3). */
static inline void ip6t_icmp6_csum(uint8_t *m, uint32_t len, const uint8_t src[16],
                                   const uint8_t dst[16])
{
	uint16_t c;
	m[2] = m[3] = 0;
	c = sim_ref_csum(m, len, ip6t_pseudo(src, dst, 58, len));
	ip6t_put16(m + 2, c);
}

/* eth + IPv6 header (next header nh, hop limit) + `plen` payload bytes. */
static inline uint32_t ip6t_build(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                                  const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
                                  uint8_t hops, const void *payload, uint32_t plen)
{
	uint8_t *h = out + 14;
	memcpy(out, dst_mac, 6);
	memcpy(out + 6, src_mac, 6);
	out[12] = 0x86;
	out[13] = 0xdd;
	ip6t_put32(h, 0x60000000u);
	ip6t_put16(h + 4, plen);
	h[6] = nh;
	h[7] = hops;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	if (plen)
		memcpy(h + 40, payload, plen);
	return 14 + 40 + plen;
}

/* An ICMPv6 echo request message (8 + n bytes) into m, checksum for src/dst. */
static inline uint32_t ip6t_echo_msg(uint8_t *m, uint8_t type, uint16_t id, uint16_t seq,
                                     uint32_t n, const uint8_t src[16], const uint8_t dst[16])
{
	uint32_t i;
	m[0] = type;
	m[1] = 0;
	ip6t_put16(m + 4, id);
	ip6t_put16(m + 6, seq);
	for (i = 0; i < n; i++)
		m[8 + i] = (uint8_t)(i * 7u + 3u);
	ip6t_icmp6_csum(m, 8 + n, src, dst);
	return 8 + n;
}

/* A whole echo request frame from the peer (global) to us (global). */
static inline uint32_t ip6t_echo_frame(uint8_t *out, uint16_t seq, uint32_t n)
{
	uint8_t m[9000];
	uint32_t l = ip6t_echo_msg(m, 128, 0x4242, seq, n, ip6_peer_gl, ip6_my_gl);
	return ip6t_build(out, ip6_my_mac, ip6_peer_mac, ip6_peer_gl, ip6_my_gl, 58, 64, m, l);
}

/* Configuration of the test host (adjust before ip6t_host_cfg). */
static inline void ip6t_cfg(struct axip_config *c)
{
	axip_config_defaults(c);
	memcpy(c->mac, ip6_my_mac, 6);
	c->n_addrs = 1;
	c->addrs[0].addr = AXIP_IP4(10, 0, 0, 1);
	c->addrs[0].prefix_len = 24;
	c->arp_gratuitous = 0;
	c->ip6_enable = 1;
	c->n_addrs6 = 1;
	memcpy(c->addrs6[0].addr, ip6_my_gl, 16);
	c->addrs6[0].prefix_len = 64;
	c->nd6_dad_transmits = 0;
}

static inline struct sim_single *ip6t_host_cfg(const struct axip_config *c, int seed_peer)
{
	struct sim_single *h = sim_single_new(c, 0);
	if (seed_peer) {
		if (axip_neigh6_set(sim_single_stack(h), ip6_peer_ll, ip6_peer_mac, 1) != AXIP_OK ||
		    axip_neigh6_set(sim_single_stack(h), ip6_peer_gl, ip6_peer_mac, 1) != AXIP_OK) {
			fprintf(stderr, "axip_neigh6_set failed\n");
			abort();
		}
	}
	return h;
}

static inline struct sim_single *ip6t_host(void)
{
	struct axip_config c;
	ip6t_cfg(&c);
	return ip6t_host_cfg(&c, 1);
}

static inline const struct axip_counters *ip6t_ctr(struct sim_single *h)
{
	return axip_counters(sim_single_stack(h));
}

#endif
