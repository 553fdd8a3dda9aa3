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
 * queue 1 is XDP_PASS (no socket there). The rule maps hold a fixed rule set;
 * the address, mode (shared/dedicated) and reserved port range change every
 * few thousand frames. Only the verdict and the per-rule hit counters are
 * compared (other counters and the metadata area are the program's business).
 *
 * Exit status: 0 no mismatch, 1 mismatch (the frame is printed in hex with
 * the seed and iteration), 2 usage, 3 setup failed (not root, no BPF).
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
#define NRULES 6
#define CFG_EVERY 4096 /* frames between configuration changes */

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

/* ---- the rule set the maps hold ---- */
static const struct { uint8_t proto; uint16_t port; } rule_set[NRULES] = {
	{ 6, 7 }, { 6, 80 }, { 17, 7 }, { 17, 53 }, { 6, 61500 }, { 17, 65535 },
};

struct model_cfg {
	uint32_t addr;     /* host order; 0 = steer nothing */
	int dedicated;
	uint16_t lo, hi;   /* both 0: no range */
};

/* ---- the model: the rules as documented (docs/xdp.md, axip_steer.bpf.c) ---- */
enum { V_PASS, V_STEER };

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Returns V_PASS or V_STEER; *hit_slot is the rule slot counted, or -1. */
static int model(const struct model_cfg *c, const uint8_t *f, unsigned len, int *hit_slot)
{
	unsigned ihl, l4, i;
	uint16_t type, dport;
	uint8_t proto;

	*hit_slot = -1;
	if (c->addr == 0 || len < 14)
		return V_PASS;
	type = be16(f + 12);
	if (type == 0x0806) {
		/* ARP: only in dedicated mode, only for our address (target
		 * protocol address of the Ethernet/IPv4 layout) */
		if (!c->dedicated || len < 14 + 28)
			return V_PASS;
		return be32(f + 14 + 24) == c->addr ? V_STEER : V_PASS;
	}
	if (type != 0x0800 || len < 14 + 20)
		return V_PASS; /* VLAN, IPv6, other, truncated */
	if ((f[14] >> 4) != 4 || (f[14] & 15) < 5)
		return V_PASS;
	if (be32(f + 14 + 16) != c->addr)
		return V_PASS;
	if (c->dedicated)
		return V_STEER;
	if (be16(f + 14 + 6) & 0x3fff)
		return V_PASS; /* a fragment: MF or an offset */
	proto = f[14 + 9];
	if (proto != 6 && proto != 17)
		return V_PASS;
	ihl = (f[14] & 15u) * 4u;
	l4 = 14 + ihl;
	if (len < l4 + 4)
		return V_PASS;
	dport = be16(f + l4 + 2);
	for (i = 0; i < NRULES; i++) {
		if (rule_set[i].proto == proto && rule_set[i].port == dport) {
			*hit_slot = (int)i;
			return V_STEER;
		}
	}
	if (c->hi != 0 && dport >= c->lo && dport <= c->hi)
		return V_STEER;
	return V_PASS;
}

/* ---- frame generator ---- */
static const uint32_t addr_pool[] = { 0x0a000001, 0x0a000002, 0xc0a80101, 0xffffffff, 0xe0000001, 0 };

static uint32_t pick_addr(const struct model_cfg *c)
{
	if (chance(70) && c->addr)
		return c->addr;
	if (chance(50))
		return addr_pool[below(sizeof addr_pool / sizeof addr_pool[0])];
	return (uint32_t)rnd();
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

static void fill_random(uint8_t *p, unsigned n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

/* Build one frame in f; returns its length (14..FRAME_MAX). */
static unsigned gen_frame(const struct model_cfg *c, uint8_t *f)
{
	unsigned len, l3 = 14, ihl, i, kind = below(100);
	uint16_t et;

	fill_random(f, FRAME_MAX);
	f[0] &= 0xfe; /* unicast destination mostly; the program does not look */
	if (kind < 5) /* raw noise */
		return 14 + below(FRAME_MAX - 14 + 1);
	if (kind < 10) { /* VLAN tag, then IPv4 or ARP behind it */
		put16(f + 12, chance(50) ? 0x8100 : 0x88a8);
		put16(f + 16, chance(50) ? 0x0800 : 0x0806);
		l3 = 18;
		et = 0;
	} else if (kind < 25) {
		et = 0x0806;
	} else if (kind < 30) {
		et = chance(50) ? 0x86dd : (uint16_t)rnd();
	} else {
		et = 0x0800;
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
	} else {
		uint8_t *ip = f + l3;
		ihl = chance(80) ? 5 : below(16);
		ip[0] = (uint8_t)((chance(95) ? 4 : below(16)) << 4 | ihl);
		put16(ip + 2, (uint16_t)(chance(80) ? 20 + 40 : rnd()));
		put16(ip + 6, chance(80) ? (chance(50) ? 0x4000 : 0) : (uint16_t)rnd());
		ip[8] = (uint8_t)below(256);
		ip[9] = chance(85) ? (chance(50) ? 6 : 17) : (uint8_t)rnd();
		put32(ip + 12, (uint32_t)rnd());
		put32(ip + 16, pick_addr(c));
		if (ihl >= 5) {
			uint8_t *l4 = ip + ihl * 4;
			put16(l4, (uint16_t)rnd());
			put16(l4 + 2, pick_port(c));
		}
		len = l3 + (ihl >= 5 ? ihl * 4 : 20) + 4 + below(60);
		if (chance(5))
			len = l3 + (ihl >= 5 ? ihl * 4 : 20) + 20 + below(FRAME_MAX - 200);
	}
	/* mutations: truncation anywhere, a few flipped bytes */
	if (chance(20))
		len = 14 + below(len - 14 + 1);
	if (chance(10)) {
		unsigned n = 1 + below(3);
		for (i = 0; i < n; i++)
			f[below(len)] ^= (uint8_t)(1u << below(8));
	}
	if (len > FRAME_MAX)
		len = FRAME_MAX;
	return len;
}

static void new_cfg(struct model_cfg *c)
{
	static const uint32_t addrs[] = { 0x0a000001, 0xc0a80101, 0x0a640003 };
	c->addr = chance(5) ? 0 : addrs[below(3)];
	c->dedicated = chance(30);
	if (chance(70)) {
		c->lo = (uint16_t)(chance(50) ? 61000 : 1024 + below(60000));
		c->hi = (uint16_t)(c->lo + below(2000));
		if (c->hi < c->lo)
			c->hi = 65535;
	} else {
		c->lo = c->hi = 0;
	}
}

/* ---- program and maps ---- */
struct prog {
	struct bpf_object *obj;
	int fd, xsks, cfg, rules, rule_hits;
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
	    (p->rules = map_fd(p, "rules")) < 0 || (p->rule_hits = map_fd(p, "rule_hits")) < 0)
		return -1;
	p->ncpu = libbpf_num_possible_cpus();
	for (i = 0; i < NRULES; i++) {
		struct axip_steer_rule key;
		__u32 slot = i;
		memset(&key, 0, sizeof key);
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
	v.range_lo = c->lo;
	v.range_hi = c->hi;
	return bpf_map_update_elem(p->cfg, &zero, &v, BPF_ANY);
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
	unsigned i, cfgs = 0;

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
			new_cfg(&mc);
			if (set_cfg(&p, &mc) != 0) {
				fprintf(stderr, "xdp_prog_fuzz: cfg map: %s\n", strerror(errno));
				return 3;
			}
			cfgs++;
		}
		len = gen_frame(&mc, f);
		q = below(2);
		want = model(&mc, f, len, &slot);
		if (slot >= 0)
			expect_hits[slot]++;
		want_ret = want == V_STEER && q == 0 ? XDP_REDIRECT : XDP_PASS;

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
		by_queue[q]++;
		if (tr.retval != want_ret) {
			fprintf(stderr,
			        "MISMATCH at iteration %llu (seed %llu): program returned %u, model %u\n"
			        "  cfg: addr %08x %s range %u-%u; queue %u (socket on queue 0 only)\n"
			        "  frame (%u bytes):\n",
			        (unsigned long long)it, (unsigned long long)seed, tr.retval, want_ret, mc.addr,
			        mc.dedicated ? "dedicated" : "shared", mc.lo, mc.hi, q, len);
			hexdump(f, len);
			return 1;
		}
	}
	for (i = 0; i < NRULES; i++) {
		uint64_t got = rule_hits(&p, i) - base[i];
		if (got != expect_hits[i]) {
			fprintf(stderr, "MISMATCH (seed %llu): rule %u/%u hit %llu times, model %llu\n",
			        (unsigned long long)seed, rule_set[i].proto, rule_set[i].port,
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
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	bpf_object__close(p.obj);
	return 0;
}
