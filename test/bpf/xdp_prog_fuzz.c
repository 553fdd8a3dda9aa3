/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xdp_prog_fuzz - run the embedded XDP steering program (bpf/axip_steer.bpf.c,
 * the same object libaxip_xdp attaches) on random and mutated frames with
 * BPF_PROG_TEST_RUN and compare each verdict with a C model of its rules.
 *
 * usage: xdp_prog_fuzz --ifname IF [--seed N] [--seconds T] [--iterations N] [--verbose]
 *
 * IF must have at least two receive queues. An AF_XDP socket is bound to its
 * queue 0 (copy mode, no program attached) and put in the program's xsks
 * map, so a frame "received" on queue 0 that matches is XDP_REDIRECT and on
 * queue 1 is XDP_PASS (no socket there). The rule maps hold a fixed rule set
 * of both families; the IPv4 address and mode (shared/dedicated/none), the
 * IPv6 addresses and mode (cycling shared, dedicated, none) and the reserved
 * port range change every few thousand frames. Only the verdict and the
 * per-rule hit counters are compared (other counters and the metadata area
 * are the program's business). At the end the verdicts are printed by family
 * and reason.
 *
 * Fragments to a shared address depend on what the program remembered of
 * earlier frames (its "frags" map: first fragment's verdict, or "early").
 * The model keeps the same table; both are emptied every FRAG_CLEAR_EVERY
 * frames, so the map never holds enough entries for its LRU to evict one
 * and the model stays exact. Fragments often reuse the datagram key
 * (addresses, identification) of an earlier fragment, so later fragments
 * meet the verdicts of their first ones.
 *
 * Exit status: 0 no mismatch, 1 mismatch (the frame is printed in hex with
 * the seed, iteration and configuration) or IPv6 not exercised (no IPv6
 * frame redirected or none passed; in a run of 100000 frames or more, no
 * IPv6 frame redirected for a rule, the range, the dedicated address or
 * NDP), 2 usage, 3 setup failed (not root, no BPF).
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/xsk.h>
#include "../../bpf/axip_steer.h"

/* generated at build time from bpf/axip_steer.bpf.c (bpf/embed.cmake) */
extern const unsigned char axip_steer_obj[];
extern const unsigned int axip_steer_obj_len;

#define FRAME_MAX 1600
#define NRULES 11
#define CFG_EVERY 4096 /* frames between configuration changes */
#define FRAG_CLEAR_EVERY 64 /* frames between emptying the frags map and its model */

/* ---- seeded PRNG (xorshift64*) ---- */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}
static uint32_t below(uint32_t n) { return n ? (uint32_t)(rnd() >> 32) % n : 0; }
static int chance(unsigned pct) { return below(100) < pct; }

/* ---- the rule set the maps hold: both families, some ports in both ---- */
static const struct { uint8_t family, proto; uint16_t port; } rule_set[NRULES] = {
	{ 4, 6, 7 }, { 4, 6, 80 }, { 4, 17, 7 }, { 4, 17, 53 }, { 4, 6, 61500 }, { 4, 17, 65535 },
	{ 6, 6, 80 }, { 6, 6, 443 }, { 6, 17, 53 }, { 6, 17, 547 }, { 6, 6, 61500 },
};

struct model_cfg {
	uint32_t addr;     /* host order; 0 = no IPv4 address */
	int dedicated;
	uint16_t lo, hi;   /* both 0: no range */
	unsigned n6;       /* n_addrs6 as written (may exceed the array: clamped) */
	int dedicated6;
	uint8_t a6[AXIP_STEER_MAX_ADDRS6][16]; /* all filled; n6 says how many count */
};

/* ---- the model: the rules as documented (docs/xdp.md, axip_steer.bpf.c) ---- */
/* why a frame is steered (R_PASS: it is not) */
enum { R_PASS, R_RULE, R_RANGE, R_ADDR, R_ARP, R_ND, R_FRAG_FIRST, R_FRAG_LATER, R_FRAG_EARLY,
       R_FRAG_VIA, R_COUNT };
static const char *const reason_name[R_COUNT] = { "pass", "rule", "range", "addr", "arp", "nd",
                                                  "frag_first", "frag_later", "frag_early",
                                                  "frag_via" };

/* The model of the frags map: datagram key -> AXIP_FRAG_* verdict. */
#define MFRAG_MAX (FRAG_CLEAR_EVERY + 1)
static struct { struct axip_frag_key k; uint32_t verdict; } mfrag[MFRAG_MAX];
static unsigned n_mfrag;
/* queue of the frame being modelled: only queue 0 has a socket */
static unsigned model_q;

static uint32_t *mfrag_find(const struct axip_frag_key *k)
{
	unsigned i;
	for (i = 0; i < n_mfrag; i++)
		if (memcmp(&mfrag[i].k, k, sizeof *k) == 0)
			return &mfrag[i].verdict;
	return NULL;
}

static void mfrag_set(const struct axip_frag_key *k, uint32_t verdict)
{
	uint32_t *v = mfrag_find(k);
	if (!v && n_mfrag < MFRAG_MAX) {
		mfrag[n_mfrag].k = *k;
		v = &mfrag[n_mfrag++].verdict;
	}
	if (v)
		*v = verdict;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int port_rule(const struct model_cfg *c, uint8_t family, uint8_t proto, uint16_t dport,
                     int *hit_slot)
{
	unsigned i;
	for (i = 0; i < NRULES; i++) {
		if (rule_set[i].family == family && rule_set[i].proto == proto &&
		    rule_set[i].port == dport) {
			*hit_slot = (int)i;
			return R_RULE;
		}
	}
	if (c->hi != 0 && dport >= c->lo && dport <= c->hi)
		return R_RANGE;
	return R_PASS;
}

/* A first fragment: r is what its ports decided (R_PASS: the kernel's);
 * with store, the verdict is remembered (a match on a queue without a
 * socket as the kernel's). */
static int mfrag_first(const struct axip_frag_key *k, int store, int r)
{
	int axip = r != R_PASS && model_q == 0;
	if (store) {
		/* a kernel datagram whose later fragments came first goes to
		 * the backend whole (when this queue has a socket) */
		uint32_t *old = mfrag_find(k);
		int via = !axip && model_q == 0 && old && *old == AXIP_FRAG_EARLY;
		mfrag_set(k, axip ? AXIP_FRAG_AXIP : via ? AXIP_FRAG_KERNEL_VIA : AXIP_FRAG_KERNEL);
		if (via)
			return R_FRAG_VIA;
	}
	return r != R_PASS ? R_FRAG_FIRST : R_PASS;
}

/* A later fragment: its first's verdict, or early (stored only when the
 * queue has a socket and the frame is steered). */
static int mfrag_later(const struct axip_frag_key *k)
{
	uint32_t *v = mfrag_find(k);
	if (v)
		return *v == AXIP_FRAG_KERNEL       ? R_PASS
		       : *v == AXIP_FRAG_AXIP       ? R_FRAG_LATER
		       : *v == AXIP_FRAG_KERNEL_VIA ? R_FRAG_VIA
		                                    : R_FRAG_EARLY;
	if (model_q == 0)
		mfrag_set(k, AXIP_FRAG_EARLY);
	return R_FRAG_EARLY;
}

static int model_frag4(const struct model_cfg *c, const uint8_t *f, unsigned len, int *hit_slot)
{
	struct axip_frag_key k;
	unsigned l4 = 14 + (f[14] & 15u) * 4u;
	uint8_t proto = f[14 + 9];
	int r = R_PASS;
	memset(&k, 0, sizeof k);
	k.family = 4;
	k.proto = proto;
	k.id = be16(f + 14 + 4);
	memcpy(k.src, f + 14 + 12, 4);
	memcpy(k.dst, f + 14 + 16, 4);
	if (be16(f + 14 + 6) & 0x1fff)
		return mfrag_later(&k);
	if ((proto == 6 || proto == 17) && len >= l4 + 4)
		r = port_rule(c, 4, proto, be16(f + l4 + 2), hit_slot);
	return mfrag_first(&k, 1, r);
}

static int model4(const struct model_cfg *c, const uint8_t *f, unsigned len, int *hit_slot)
{
	unsigned ihl, l4;
	uint16_t type;
	uint8_t proto;

	if (c->addr == 0)
		return R_PASS;
	type = be16(f + 12);
	if (type == 0x0806) {
		/* ARP: only in dedicated mode, only for our address (target
		 * protocol address of the Ethernet/IPv4 layout) */
		if (!c->dedicated || len < 14 + 28)
			return R_PASS;
		return be32(f + 14 + 24) == c->addr ? R_ARP : R_PASS;
	}
	if (len < 14 + 20)
		return R_PASS;
	if ((f[14] >> 4) != 4 || (f[14] & 15) < 5)
		return R_PASS;
	if (be32(f + 14 + 16) != c->addr)
		return R_PASS;
	if (c->dedicated)
		return R_ADDR;
	if (be16(f + 14 + 6) & 0x3fff)
		return model_frag4(c, f, len, hit_slot); /* a fragment: MF or an offset */
	proto = f[14 + 9];
	if (proto != 6 && proto != 17)
		return R_PASS;
	ihl = (f[14] & 15u) * 4u;
	l4 = 14 + ihl;
	if (len < l4 + 4)
		return R_PASS;
	return port_rule(c, 4, proto, be16(f + l4 + 2), hit_slot);
}

#define EXT_MAX 4 /* extension headers the program walks */

static int is_ext(uint8_t t) { return t == 0 || t == 43 || t == 60; }

/* Offset of the upper-layer header (or a fragment header) from the IPv6
 * header and its type; -1: truncated or more than EXT_MAX to walk. */
static int walk6(const uint8_t *ip, unsigned l, uint8_t *nh)
{
	unsigned off = 40, i;
	uint8_t t = ip[6];
	for (i = 0; i < EXT_MAX && is_ext(t); i++) {
		if (l < off + 2)
			return -1;
		t = ip[off];
		off += ((unsigned)ip[off + 1] + 1) * 8;
	}
	if (is_ext(t))
		return -1;
	*nh = t;
	return (int)off;
}

static int model6(const struct model_cfg *c, const uint8_t *f, unsigned len, int *hit_slot)
{
	const uint8_t *ip = f + 14, *d;
	unsigned l = len - 14, n = c->n6 < AXIP_STEER_MAX_ADDRS6 ? c->n6 : AXIP_STEER_MAX_ADDRS6, i;
	uint8_t nh = 0;
	int off;

	if (n == 0 || l < 40 || (ip[0] >> 4) != 6)
		return R_PASS;
	d = ip + 24;
	if (c->dedicated6) {
		static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
		uint8_t sn[16] = { 0xff, 2, [11] = 1, [12] = 0xff };
		if (memcmp(d, c->a6[0], 16) == 0)
			return R_ADDR;
		memcpy(sn + 13, c->a6[0] + 13, 3);
		if (memcmp(d, all_nodes, 16) != 0 && memcmp(d, sn, 16) != 0)
			return R_PASS;
		off = walk6(ip, l, &nh);
		if (off < 0 || nh != 58 || l < (unsigned)off + 24)
			return R_PASS;
		if (ip[off] != 135 && ip[off] != 136)
			return R_PASS;
		return memcmp(ip + off + 8, c->a6[0], 16) == 0 ? R_ND : R_PASS;
	}
	for (i = 0; i < n && memcmp(d, c->a6[i], 16) != 0; i++)
		;
	if (i == n)
		return R_PASS;
	off = walk6(ip, l, &nh);
	if (off >= 0 && nh == 44) {
		const uint8_t *fh = ip + off;
		struct axip_frag_key k;
		int r = R_PASS;
		if (l < (unsigned)off + 8)
			return R_PASS;
		memset(&k, 0, sizeof k);
		k.family = 6;
		k.id = be32(fh + 4);
		memcpy(k.src, ip + 8, 16);
		memcpy(k.dst, ip + 24, 16);
		if (be16(fh + 2) & 0xfff8)
			return mfrag_later(&k);
		if ((fh[0] == 6 || fh[0] == 17) && l >= (unsigned)off + 8 + 4)
			r = port_rule(c, 6, fh[0], be16(fh + 8 + 2), hit_slot);
		return mfrag_first(&k, be16(fh + 2) & 1, r); /* atomic (RFC 6946): not stored */
	}
	if (off < 0 || (nh != 6 && nh != 17) || l < (unsigned)off + 4)
		return R_PASS;
	return port_rule(c, 6, nh, be16(ip + off + 2), hit_slot);
}

/* Returns why the model steers the frame (R_PASS: it does not); *hit_slot
 * is the rule slot counted, or -1. */
static int model(const struct model_cfg *c, const uint8_t *f, unsigned len, int *hit_slot,
                 unsigned q)
{
	model_q = q;
	uint16_t type;

	*hit_slot = -1;
	if ((c->addr == 0 && c->n6 == 0) || len < 14)
		return R_PASS;
	type = be16(f + 12);
	if (type == 0x0806 || type == 0x0800)
		return model4(c, f, len, hit_slot);
	if (type == 0x86dd)
		return model6(c, f, len, hit_slot);
	return R_PASS; /* VLAN, other */
}

/* ---- frame generator ---- */
static const uint32_t addr_pool[] = { 0x0a000001, 0x0a000002, 0xc0a80101, 0xffffffff, 0xe0000001, 0 };

/* IPv6 addresses the configurations draw from: link-local, global, ULA;
 * 2001:db8::1:ff00:1 shares the solicited-node group of fe80::ff00:1 */
static const uint8_t a6_pool[][16] = {
	{ 0xfe, 0x80, [8] = 0xa8, 0xc1, 0xab, 0xff, 0xfe, 0x00, 0x00, 0x01 },
	{ 0xfe, 0x80, [13] = 0x00, 0x00, 0x01 },
	{ 0xfe, 0x80, [12] = 0xff, 0x00, 0x00, 0x01 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 },
	{ 0x20, 0x01, 0x0d, 0xb8, [11] = 0x01, 0xff, 0x00, 0x00, 0x01 },
	{ 0xfd, 0x00, [7] = 0x07, [14] = 0x12, 0x34 },
	{ 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 0xff },
	{ 0xfe, 0x80, [8] = 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x53, 0x00, 0xfd },
	{ 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, [8] = 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x53, 0x00, 0xfd },
};
#define A6_POOL (sizeof a6_pool / sizeof a6_pool[0])

static uint32_t pick_addr(const struct model_cfg *c)
{
	if (chance(70) && c->addr)
		return c->addr;
	if (chance(50))
		return addr_pool[below(sizeof addr_pool / sizeof addr_pool[0])];
	return (uint32_t)rnd();
}

static void fill_random(uint8_t *p, unsigned n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

/* An IPv6 address for a frame: mostly one the configuration has (used or
 * not), a near miss, a multicast group, or anything. */
static void pick_addr6(const struct model_cfg *c, uint8_t *a)
{
	unsigned k = below(100), n = c->n6 < AXIP_STEER_MAX_ADDRS6 ? c->n6 : AXIP_STEER_MAX_ADDRS6;
	if (k < 45 && n) {
		memcpy(a, c->a6[below(n)], 16);
	} else if (k < 52) {
		memcpy(a, c->a6[below(AXIP_STEER_MAX_ADDRS6)], 16); /* maybe past n_addrs6 */
	} else if (k < 60) {
		memcpy(a, c->a6[below(n ? n : 1)], 16);
		a[below(16)] ^= (uint8_t)(1u << below(8));
	} else if (k < 70) {
		memcpy(a, a6_pool[below(A6_POOL)], 16);
	} else if (k < 80) { /* solicited-node group of a configured address */
		const uint8_t *t = c->a6[below(n ? n : 1)];
		memset(a, 0, 16);
		a[0] = 0xff; a[1] = 2; a[11] = 1; a[12] = 0xff;
		memcpy(a + 13, t + 13, 3);
		if (chance(10))
			a[below(16)] ^= (uint8_t)(1u << below(8));
	} else if (k < 88) { /* all-nodes, all-routers, or other groups */
		memset(a, 0, 16);
		a[0] = 0xff; a[1] = chance(80) ? 2 : (uint8_t)rnd();
		a[15] = (uint8_t)(chance(70) ? 1 : below(256));
	} else if (k < 92) {
		memset(a, 0, 16); /* :: */
	} else {
		fill_random(a, 16);
	}
}

static uint16_t pick_port(const struct model_cfg *c)
{
	switch (below(5)) {
	case 0: case 1: return rule_set[below(NRULES)].port;
	case 2: return c->hi ? (uint16_t)(c->lo + below((uint32_t)(c->hi - c->lo) + 3) - 1) : 61000;
	case 3: return (uint16_t)(below(3) == 0 ? 0 : 65535 - below(2));
	default: return (uint16_t)rnd();
	}
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* The datagram key of an earlier fragment (IPv4: protocol, id, source,
 * destination; IPv6: source, destination, id), which a new fragment takes
 * over half of the time: later fragments then meet their first ones. */
static uint8_t saved4[11], saved6[36];
static int have4, have6;

static void reuse_key(uint8_t *saved, int *have, uint8_t *const *at, const unsigned *n, unsigned parts)
{
	unsigned i, o;
	int take = *have && chance(50);
	for (i = 0, o = 0; i < parts; o += n[i], i++) {
		if (take)
			memcpy(at[i], saved + o, n[i]);
		else
			memcpy(saved + o, at[i], n[i]);
	}
	*have = 1;
}

/* Header boundaries of the frame being built: the truncation mutation
 * cuts at one of them (or a byte either side) as often as anywhere. */
static unsigned cuts[16], ncuts;
static void cut_at(unsigned off)
{
	if (ncuts < sizeof cuts / sizeof cuts[0])
		cuts[ncuts++] = off;
}

/* An IPv6 packet at f + 14; returns the frame length. 0-5 extension
 * headers (hop-by-hop, routing, destination options; sometimes a fragment
 * header, AH or no next header in the chain), then TCP, UDP, ICMPv6 (NS
 * and NA for configured and other targets, other types) or anything. */
static unsigned gen_ip6(const struct model_cfg *c, uint8_t *f)
{
	static const uint8_t ext_types[] = { 0, 43, 60, 51, 59 };
	uint8_t *ip = f + 14, *nhp = ip + 6, *fh = NULL;
	unsigned off = 40, next, i, n_ext = chance(50) ? 0 : 1 + below(5), up;
	uint8_t upper;

	ip[0] = (uint8_t)((chance(95) ? 6 : below(16)) << 4 | (ip[0] & 15));
	ip[7] = chance(70) ? 255 : (uint8_t)rnd();
	if (chance(20))
		memset(ip + 8, 0, 16); /* :: source, as in DAD */
	else if (chance(30))
		pick_addr6(c, ip + 8);
	pick_addr6(c, ip + 24);
	cut_at(14 + 24);
	cut_at(14 + 40);
	for (i = 0; i < n_ext; i++) {
		unsigned k = below(100);
		uint8_t t = k < 70 ? ext_types[below(3)] : k < 90 ? 44 : ext_types[3 + below(2)];
		unsigned hl;
		if (14 + off + 8 > FRAME_MAX)
			break;
		*nhp = t;
		nhp = ip + off;
		if (t == 44) {
			unsigned a = below(100);
			hl = 8; /* RFC 8200 4.5: fixed size; random offset/M/id */
			if (a < 25)
				put16(ip + off + 2, 0); /* an atomic fragment */
			else if (a < 50)
				put16(ip + off + 2, 1); /* a first fragment */
			if (!fh) {
				uint8_t *at[3] = { ip + 8, ip + 24, ip + off + 4 };
				static const unsigned n[3] = { 16, 16, 4 };
				fh = ip + off;
				reuse_key(saved6, &have6, at, n, 3);
			}
		} else {
			unsigned u = chance(80) ? below(4) : chance(75) ? below(32) : below(256);
			ip[off + 1] = (uint8_t)u;
			hl = (u + 1) * 8;
		}
		off += hl;
		cut_at(14 + off - hl + 2);
		cut_at(14 + off);
	}
	if (14 + off + 24 > FRAME_MAX) /* no room left for an upper layer */
		return FRAME_MAX;
	up = below(100);
	upper = up < 35 ? 6 : up < 70 ? 17 : up < 95 ? 58 : (uint8_t)rnd();
	*nhp = upper;
	next = 14 + off;
	if (upper == 58) {
		uint8_t *m = f + next;
		unsigned k = below(100);
		m[0] = k < 45 ? 135 : k < 85 ? 136 : k < 90 ? 128 : k < 95 ? 133 : (uint8_t)rnd();
		m[1] = 0;
		if (chance(70))
			memcpy(m + 8, c->a6[chance(85) ? 0 : below(AXIP_STEER_MAX_ADDRS6)], 16);
		else
			pick_addr6(c, m + 8);
		cut_at(next + 4);
		cut_at(next + 24);
		return next + 24 + (chance(50) ? 8 * below(4) : 0);
	}
	put16(f + next, (uint16_t)rnd());
	put16(f + next + 2, pick_port(c));
	cut_at(next + 4);
	cut_at(next + 20);
	return next + 20 + below(60);
}

/* Build one frame in f; returns its length (14..FRAME_MAX). */
static unsigned gen_frame(const struct model_cfg *c, uint8_t *f)
{
	unsigned len, l3 = 14, ihl, i, kind = below(100);
	uint16_t et;

	fill_random(f, FRAME_MAX);
	ncuts = 0;
	f[0] &= 0xfe; /* unicast destination mostly; the program does not look */
	if (kind < 4) /* raw noise */
		return 14 + below(FRAME_MAX - 14 + 1);
	if (kind < 8) { /* VLAN tag, then IPv4, ARP or IPv6 behind it */
		static const uint16_t inner[] = { 0x0800, 0x0806, 0x86dd };
		put16(f + 12, chance(50) ? 0x8100 : 0x88a8);
		put16(f + 16, inner[below(3)]);
		l3 = 18;
		et = 0;
	} else if (kind < 18) {
		et = 0x0806;
	} else if (kind < 21) {
		et = (uint16_t)rnd();
	} else if (kind < 55) {
		et = 0x0800;
	} else {
		et = 0x86dd;
	}
	if (et)
		put16(f + 12, et);
	if (et == 0x0806) {
		uint8_t *a = f + 14;
		put16(a, 1); put16(a + 2, 0x0800); a[4] = 6; a[5] = 4;
		put16(a + 6, (uint16_t)(1 + below(2)));
		put32(a + 14, pick_addr(c));
		put32(a + 24, pick_addr(c));
		len = 14 + 28 + (chance(50) ? 18 : 0);
	} else if (et == 0x86dd) {
		len = gen_ip6(c, f);
	} else {
		uint8_t *ip = f + l3;
		ihl = chance(80) ? 5 : below(16);
		ip[0] = (uint8_t)((chance(95) ? 4 : below(16)) << 4 | ihl);
		put16(ip + 2, (uint16_t)(chance(80) ? 20 + 40 : rnd()));
		put16(ip + 6, chance(80) ? (chance(50) ? 0x4000 : 0) :
		              chance(40) ? 0x2000 : (uint16_t)rnd()); /* first fragments too */
		ip[8] = (uint8_t)below(256);
		ip[9] = chance(85) ? (chance(50) ? 6 : 17) : (uint8_t)rnd();
		put32(ip + 12, (uint32_t)rnd());
		put32(ip + 16, pick_addr(c));
		if (l3 == 14 && (be16(ip + 6) & 0x3fff)) {
			uint8_t *at[4] = { ip + 9, ip + 4, ip + 12, ip + 16 };
			static const unsigned n[4] = { 1, 2, 4, 4 };
			reuse_key(saved4, &have4, at, n, 4);
		}
		if (ihl >= 5) {
			uint8_t *l4 = ip + ihl * 4;
			put16(l4, (uint16_t)rnd());
			put16(l4 + 2, pick_port(c));
		}
		len = l3 + (ihl >= 5 ? ihl * 4 : 20) + 4 + below(60);
		if (chance(5))
			len = l3 + (ihl >= 5 ? ihl * 4 : 20) + 20 + below(FRAME_MAX - 200);
	}
	if (len > FRAME_MAX)
		len = FRAME_MAX;
	/* mutations: truncation anywhere or at a header boundary, a few
	 * flipped bytes */
	if (chance(10))
		len = 14 + below(len - 14 + 1);
	else if (ncuts && chance(12)) {
		unsigned at = cuts[below(ncuts)] + below(3) - 1;
		if (at >= 14 && at < len)
			len = at;
	}
	if (chance(10)) {
		unsigned n = 1 + below(3);
		for (i = 0; i < n; i++)
			f[below(len)] ^= (uint8_t)(1u << below(8));
	}
	return len;
}

enum { MODE6_SHARED, MODE6_DEDICATED, MODE6_NONE };

/* Configurations cycle through IPv6 shared, dedicated and none; the IPv4
 * side (shared or dedicated or none) is drawn independently. */
static void new_cfg(struct model_cfg *c, unsigned nth)
{
	static const uint32_t addrs[] = { 0x0a000001, 0xc0a80101, 0x0a640003 };
	unsigned i, mode6 = nth % 3;
	c->addr = chance(8) ? 0 : addrs[below(3)];
	c->dedicated = c->addr && chance(30);
	if (chance(70)) {
		c->lo = (uint16_t)(chance(50) ? 61000 : 1024 + below(60000));
		c->hi = (uint16_t)(c->lo + below(2000));
		if (c->hi < c->lo)
			c->hi = 65535;
	} else {
		c->lo = c->hi = 0;
	}
	/* every entry is filled, so stale ones past n6 must be ignored */
	for (i = 0; i < AXIP_STEER_MAX_ADDRS6; i++) {
		if (chance(75))
			memcpy(c->a6[i], a6_pool[below(A6_POOL)], 16);
		else
			fill_random(c->a6[i], 16);
	}
	c->dedicated6 = mode6 == MODE6_DEDICATED;
	switch (mode6) {
	case MODE6_SHARED:
		c->n6 = chance(5) ? AXIP_STEER_MAX_ADDRS6 + 1 + below(3) : 1 + below(AXIP_STEER_MAX_ADDRS6);
		break;
	case MODE6_DEDICATED:
		c->n6 = chance(5) ? 0 : chance(70) ? 1 : 1 + below(3);
		break;
	default:
		c->n6 = 0;
	}
}

/* ---- program and maps ---- */
struct prog {
	struct bpf_object *obj;
	int fd, xsks, cfg, rules, rule_hits, frags;
	int ncpu;
};

static int map_fd(struct prog *p, const char *name)
{
	int fd = bpf_object__find_map_fd_by_name(p->obj, name);
	if (fd < 0)
		fprintf(stderr, "xdp_prog_fuzz: the program has no map %s\n", name);
	return fd;
}

static int prog_load(struct prog *p)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = AXIP_STEER_PROG_NAME);
	struct bpf_program *bp;
	unsigned i;
	int err;

	p->obj = bpf_object__open_mem(axip_steer_obj, axip_steer_obj_len, &oo);
	if (!p->obj || libbpf_get_error(p->obj)) {
		fprintf(stderr, "xdp_prog_fuzz: cannot open the embedded object\n");
		return -1;
	}
	/* the object may carry more than one program: load only axip_steer */
	bpf_object__for_each_program(bp, p->obj)
		bpf_program__set_autoload(bp, strcmp(bpf_program__name(bp), AXIP_STEER_PROG_NAME) == 0);
	err = bpf_object__load(p->obj);
	if (err) {
		fprintf(stderr, "xdp_prog_fuzz: loading the program failed: %s\n", strerror(-err));
		return -1;
	}
	bp = bpf_object__find_program_by_name(p->obj, AXIP_STEER_PROG_NAME);
	if (!bp)
		return -1;
	p->fd = bpf_program__fd(bp);
	if ((p->xsks = map_fd(p, "xsks")) < 0 || (p->cfg = map_fd(p, "cfg")) < 0 ||
	    (p->frags = map_fd(p, "frags")) < 0 ||
	    (p->rules = map_fd(p, "rules")) < 0 || (p->rule_hits = map_fd(p, "rule_hits")) < 0)
		return -1;
	p->ncpu = libbpf_num_possible_cpus();
	for (i = 0; i < NRULES; i++) {
		struct axip_steer_rule key;
		__u32 slot = i;
		memset(&key, 0, sizeof key);
		key.family = rule_set[i].family;
		key.proto = rule_set[i].proto;
		key.port = rule_set[i].port;
		if (bpf_map_update_elem(p->rules, &key, &slot, BPF_NOEXIST) != 0) {
			fprintf(stderr, "xdp_prog_fuzz: rules map: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int set_cfg(struct prog *p, const struct model_cfg *c)
{
	struct axip_steer_cfg v;
	__u32 zero = 0;
	memset(&v, 0, sizeof v);
	v.addr_be = htobe32(c->addr);
	v.flags = c->dedicated ? AXIP_STEER_F_DEDICATED : 0;
	v.flags |= c->dedicated6 ? AXIP_STEER_F_DEDICATED6 : 0;
	v.range_lo = c->lo;
	v.range_hi = c->hi;
	v.n_addrs6 = c->n6;
	memcpy(v.addrs6, c->a6, sizeof v.addrs6);
	return bpf_map_update_elem(p->cfg, &zero, &v, BPF_ANY);
}

/* Empty the frags map and its model. */
static int frags_clear(struct prog *p)
{
	struct axip_frag_key k;
	unsigned n = 0;
	while (bpf_map_get_next_key(p->frags, NULL, &k) == 0) {
		if (bpf_map_delete_elem(p->frags, &k) != 0 || ++n > 4 * MFRAG_MAX)
			return -1;
	}
	n_mfrag = 0;
	return 0;
}

static uint64_t rule_hits_fd(struct prog *p, int fd, __u32 slot)
{
	uint64_t v[512], sum = 0;
	int i;
	if (p->ncpu <= 0 || p->ncpu > 512 || bpf_map_lookup_elem(fd, &slot, v) != 0)
		return UINT64_MAX;
	for (i = 0; i < p->ncpu; i++)
		sum += v[i];
	return sum;
}

static uint64_t rule_hits(struct prog *p, __u32 slot)
{
	uint64_t v[512], sum = 0;
	int i;
	if (p->ncpu <= 0 || p->ncpu > 512 || bpf_map_lookup_elem(p->rule_hits, &slot, v) != 0)
		return UINT64_MAX;
	for (i = 0; i < p->ncpu; i++)
		sum += v[i];
	return sum;
}

/* ---- an AF_XDP socket on queue 0, for the xsks map ---- */
static int xsk_open(const char *ifname, struct xsk_socket **xsk, struct xsk_umem **umem, void **mem)
{
	static struct xsk_ring_prod fill, tx;
	static struct xsk_ring_cons comp, rx;
	struct xsk_socket_config cfg;
	size_t size = 4096 * 64;
	int rc;

	*mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*mem == MAP_FAILED)
		return -errno;
	rc = xsk_umem__create(umem, *mem, size, &fill, &comp, NULL);
	if (rc)
		return rc;
	memset(&cfg, 0, sizeof cfg);
	cfg.rx_size = 64;
	cfg.tx_size = 64;
	cfg.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
	cfg.bind_flags = XDP_COPY;
	return xsk_socket__create(xsk, ifname, 0, *umem, &rx, &tx, &cfg);
}

static void hexdump(const uint8_t *f, unsigned len)
{
	unsigned i;
	for (i = 0; i < len; i++)
		fprintf(stderr, "%02x%s", f[i], (i % 32 == 31 || i + 1 == len) ? "\n" : " ");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xdp_prog_fuzz --ifname IF [--seed N] [--seconds T] [--iterations N] [--verbose]\n"
	           "IF needs 2+ receive queues; defaults: seed from the clock, 30 seconds.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ifname", required_argument, NULL, 'i' }, { "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' }, { "iterations", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 },
	};
	const char *ifname = NULL;
	uint64_t seed = 0, iters = 0, it, expect_hits[NRULES] = { 0 }, base[NRULES];
	uint64_t verdicts[2] = { 0, 0 }, by_queue[2] = { 0, 0 };
	/* by family (IPv4 and ARP, IPv6, other): verdicts, and the reasons of
	 * the frames steered on queue 0 */
	uint64_t fam_verdicts[3][2] = { { 0 } }, fam_reasons[3][R_COUNT] = { { 0 } };
	static const char *const fam_name[3] = { "ipv4/arp", "ipv6", "other" };
	double seconds = 30;
	int o, verbose = 0, have_seed = 0, ifindex;
	struct model_cfg mc;
	struct prog p;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	void *mem;
	__u32 zero = 0, xfd;
	struct timespec t0, now;
	uint8_t f[FRAME_MAX];
	unsigned i, cfgs = 0, fam;
	int bad = 0;

	while ((o = getopt_long(argc, argv, "i:s:t:n:vh", lo, NULL)) != -1) {
		switch (o) {
		case 'i': ifname = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = 1; break;
		case 't': seconds = atof(optarg); break;
		case 'n': iters = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!ifname) {
		usage(stderr);
		return 2;
	}
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "xdp_prog_fuzz: no interface %s\n", ifname);
		return 3;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!have_seed)
		seed = (uint64_t)t0.tv_nsec ^ ((uint64_t)t0.tv_sec << 32) ^ (uint64_t)getpid();
	if (!seed)
		seed = 1;
	rng_state = seed;
	printf("xdp_prog_fuzz: seed %llu (rerun: --seed %llu)\n", (unsigned long long)seed,
	       (unsigned long long)seed);
	fflush(stdout);
	if (!verbose)
		libbpf_set_print(NULL);

	memset(&p, 0, sizeof p);
	if (prog_load(&p) != 0)
		return 3;
	if (xsk_open(ifname, &xsk, &umem, &mem) != 0) {
		fprintf(stderr, "xdp_prog_fuzz: cannot bind an AF_XDP socket to %s queue 0\n", ifname);
		return 3;
	}
	xfd = (__u32)xsk_socket__fd(xsk);
	if (bpf_map_update_elem(p.xsks, &zero, &xfd, BPF_ANY) != 0) {
		fprintf(stderr, "xdp_prog_fuzz: xsks map: %s\n", strerror(errno));
		return 3;
	}
	for (i = 0; i < NRULES; i++)
		base[i] = rule_hits(&p, i);

	for (it = 0;; it++) {
		struct xdp_md ctx;
		unsigned len, q;
		int want, slot, rc;
		__u32 want_ret;
		DECLARE_LIBBPF_OPTS(bpf_test_run_opts, tr);

		if (it % CFG_EVERY == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((iters && it >= iters) ||
			    (!iters && (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 >= seconds))
				break;
			new_cfg(&mc, cfgs);
			if (set_cfg(&p, &mc) != 0) {
				fprintf(stderr, "xdp_prog_fuzz: cfg map: %s\n", strerror(errno));
				return 3;
			}
			cfgs++;
		}
		len = gen_frame(&mc, f);
		q = below(2);
		if (it % FRAG_CLEAR_EVERY == 0 && frags_clear(&p) != 0) {
			fprintf(stderr, "xdp_prog_fuzz: frags map: %s\n", strerror(errno));
			return 3;
		}
		want = model(&mc, f, len, &slot, q);
		if (slot >= 0)
			expect_hits[slot]++;
		want_ret = want != R_PASS && q == 0 ? XDP_REDIRECT : XDP_PASS;
		fam = be16(f + 12) == 0x0800 || be16(f + 12) == 0x0806 ? 0 : be16(f + 12) == 0x86dd ? 1 : 2;

		memset(&ctx, 0, sizeof ctx);
		ctx.data_end = len;
		ctx.ingress_ifindex = (__u32)ifindex;
		ctx.rx_queue_index = q;
		tr.data_in = f;
		tr.data_size_in = len;
		tr.ctx_in = &ctx;
		tr.ctx_size_in = sizeof ctx;
		tr.repeat = 1;
		rc = bpf_prog_test_run_opts(p.fd, &tr);
		if (rc != 0) {
			fprintf(stderr, "xdp_prog_fuzz: BPF_PROG_TEST_RUN failed: %s (frame of %u bytes)\n",
			        strerror(errno), len);
			return 3;
		}
		verdicts[tr.retval == XDP_REDIRECT]++;
		fam_verdicts[fam][tr.retval == XDP_REDIRECT]++;
		if (tr.retval == XDP_REDIRECT)
			fam_reasons[fam][want]++;
		by_queue[q]++;
		if (tr.retval != want_ret) {
			fprintf(stderr,
			        "MISMATCH at iteration %llu (seed %llu): program returned %u, model %u\n"
			        "  cfg: addr %08x %s range %u-%u; queue %u (socket on queue 0 only)\n"
			        "  cfg: IPv6 %s, n_addrs6 %u:\n",
			        (unsigned long long)it, (unsigned long long)seed, tr.retval, want_ret, mc.addr,
			        mc.dedicated ? "dedicated" : "shared", mc.lo, mc.hi, q,
			        mc.dedicated6 ? "dedicated" : "shared", mc.n6);
			for (i = 0; i < AXIP_STEER_MAX_ADDRS6; i++) {
				fprintf(stderr, "    addrs6[%u] ", i);
				hexdump(mc.a6[i], 16);
			}
			{
				int sfd = bpf_object__find_map_fd_by_name(p.obj, "stats");
				for (i = 0; i < AXIP_STEER_ST_COUNT; i++)
					fprintf(stderr, "  stat %u: %llu\n", i, (unsigned long long)rule_hits_fd(&p, sfd, i));
			}
			fprintf(stderr, "  frame (%u bytes):\n", len);
			hexdump(f, len);
			return 1;
		}
	}
	for (i = 0; i < NRULES; i++) {
		uint64_t got = rule_hits(&p, i) - base[i];
		if (got != expect_hits[i]) {
			fprintf(stderr, "MISMATCH (seed %llu): rule %u/%u/%u hit %llu times, model %llu\n",
			        (unsigned long long)seed, rule_set[i].family, rule_set[i].proto, rule_set[i].port,
			        (unsigned long long)got, (unsigned long long)expect_hits[i]);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("xdp_prog_fuzz: %llu frames, %u configurations, %.1f s: %llu redirected, %llu passed "
	       "(queue 0: %llu, queue 1: %llu); rule hits",
	       (unsigned long long)it, cfgs,
	       (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9,
	       (unsigned long long)verdicts[1], (unsigned long long)verdicts[0],
	       (unsigned long long)by_queue[0], (unsigned long long)by_queue[1]);
	for (i = 0; i < NRULES; i++)
		printf(" %llu", (unsigned long long)expect_hits[i]);
	printf("; no mismatch\n");
	for (fam = 0; fam < 3; fam++) {
		printf("xdp_prog_fuzz: %-8s %llu redirected, %llu passed; redirected by reason:",
		       fam_name[fam], (unsigned long long)fam_verdicts[fam][1],
		       (unsigned long long)fam_verdicts[fam][0]);
		for (i = R_RULE; i < R_COUNT; i++)
			printf(" %s %llu", reason_name[i], (unsigned long long)fam_reasons[fam][i]);
		printf("\n");
	}
	/* the IPv6 verdicts must really have been exercised: both ways, and
	 * (in a run long enough) every reason for steering IPv6 */
	if (!fam_verdicts[1][0] || !fam_verdicts[1][1]) {
		fprintf(stderr, "xdp_prog_fuzz: no IPv6 frame was %s\n",
		        fam_verdicts[1][1] ? "passed" : "redirected");
		bad = 1;
	}
	if (it >= 100000)
		for (i = R_RULE; i < R_COUNT; i++)
			if (i != R_ARP && !fam_reasons[1][i]) {
				fprintf(stderr, "xdp_prog_fuzz: no IPv6 frame was redirected by reason %s\n",
				        reason_name[i]);
				bad = 1;
			}
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	bpf_object__close(p.obj);
	return bad;
}
