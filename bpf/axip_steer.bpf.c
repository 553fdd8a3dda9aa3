/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * axip_steer.bpf.c - XDP program that steers axip's traffic to its AF_XDP
 * sockets and leaves everything else to the kernel.
 *
 * A frame is redirected to the XSKMAP entry of the queue it arrived on when
 *  - it is IPv4 TCP/UDP to cfg.addr_be, or IPv6 TCP/UDP to one of
 *    cfg.addrs6[0..n_addrs6), whose destination port has a listener rule of
 *    that family (rules map, per-rule hit counters in rule_hits) or falls in
 *    the reserved range of axip's own connections, or
 *  - cfg has AXIP_STEER_F_DEDICATED and it is any IPv4 packet to cfg.addr_be
 *    or an ARP packet whose target protocol address is cfg.addr_be, or
 *  - cfg has AXIP_STEER_F_DEDICATED6 and it is any IPv6 packet to
 *    cfg.addrs6[0], or a Neighbor Solicitation/Advertisement whose target is
 *    cfg.addrs6[0] sent to its solicited-node group or to all-nodes.
 * Everything else (VLAN tags, other EtherTypes, ICMP and ICMPv6 to a
 * shared address, unknown protocols, malformed headers) returns XDP_PASS;
 * IPv4 options and IPv6 extension headers are fine. A frame can only reach
 * a socket bound to its own receive queue, so when that queue has none the
 * frame is passed too (counted).
 *
 * Fragments to a shared address: only the first fragment carries the
 * ports (RFC 791 3.2; RFC 8200 4.5, RFC 7112 5), so the program remembers
 * per datagram (the "frags" LRU map, keyed as reassembly keys it) what the
 * first fragment's ports decided: the first fragment is steered or passed
 * by the rules above and its verdict stored; a later one (an offset) goes
 * where its first went. A later fragment that arrives before its first
 * (reordering) is steered and its datagram marked AXIP_FRAG_EARLY: the
 * backend (xdp/src/frag.c) holds it until the verdict is known. When the
 * first fragment then turns out to be the kernel's, it and every later
 * fragment are steered too (AXIP_FRAG_KERNEL_VIA) and the backend hands the
 * whole datagram to the kernel, so that the kernel's reassembly sees all of
 * its fragments arrive the same way.
 *
 * The program runs in multi-buffer mode (SEC "xdp.frags"), so jumbo frames
 * larger than one page reach it; it only reads the headers, which lie in the
 * first buffer. When cfg has AXIP_STEER_F_RX_HASH (the loader bound the
 * program to the device, so the metadata kfunc reaches the driver), a
 * redirected frame carries a struct axip_rx_meta in its metadata area: the
 * device's receive hash, read with bpf_xdp_metadata_rx_hash.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>
#include "axip_steer.h"

#define ARP_HDR_LEN 28        /* Ethernet/IPv4 ARP (RFC 826) */
#define ARP_TPA_OFF 24
#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define ETH_P_IPV6_ 0x86DD
#define IP6_HDR_LEN 40        /* RFC 8200 3 */
#define IP6_DADDR_OFF 24
#define IP6_NEXTHDR_OFF 6
#define NH_HOPOPTS 0          /* RFC 8200 4.3 */
#define NH_ROUTING 43         /* RFC 8200 4.4 */
#define NH_FRAGMENT 44        /* RFC 8200 4.5 */
#define NH_DSTOPTS 60         /* RFC 8200 4.6 */
#define NH_ICMPV6 58
#define ND_NS 135             /* RFC 4861 4.3 */
#define ND_NA 136             /* RFC 4861 4.4 */
#define ND_TARGET_OFF 8       /* type, code, checksum, reserved/flags, target */
#define IP6_EXT_MAX 4         /* extension headers walked before the upper layer */

/* XDP RX metadata kfunc (kernel 6.3+); weak, so the object also loads where
 * the kernel lacks it. Its prototype must match the kernel's BTF, enum type
 * included (include/net/xdp.h, not in the uapi headers). */
#ifdef AXIP_STEER_RX_HASH
enum xdp_rss_hash_type { XDP_RSS_TYPE_NONE = 0 };
extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
                                    enum xdp_rss_hash_type *rss_type) __ksym __weak;
#endif

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, AXIP_STEER_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct axip_steer_cfg);
} cfg SEC(".maps");

/* listener rules: value is the rule's slot in rule_hits */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, AXIP_STEER_MAX_RULES);
	__type(key, struct axip_steer_rule);
	__type(value, __u32);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AXIP_STEER_MAX_RULES);
	__type(key, __u32);
	__type(value, __u64);
} rule_hits SEC(".maps");

/* verdicts of fragmented datagrams to a shared address */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, AXIP_STEER_MAX_FRAGS);
	__type(key, struct axip_frag_key);
	__type(value, struct axip_frag_val);
} frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AXIP_STEER_ST_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* libxdp dispatcher: run early, continue to the next program on XDP_PASS */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(axip_steer);

static __always_inline void count(void *map, __u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(map, &idx);
	if (v)
		(*v)++;
}

static __always_inline int pass(__u32 reason)
{
	count(&stats, reason);
	return XDP_PASS;
}

#ifdef AXIP_STEER_RX_HASH
/* Put the device's receive hash in front of the frame (struct axip_rx_meta). */
static __always_inline void store_rx_hash(struct xdp_md *ctx)
{
	struct axip_rx_meta *m;
	enum xdp_rss_hash_type type = XDP_RSS_TYPE_NONE;
	__u32 hash = 0;
	void *data;

	if (!bpf_xdp_metadata_rx_hash || bpf_xdp_metadata_rx_hash(ctx, &hash, &type) != 0) {
		count(&stats, AXIP_STEER_ST_NO_RX_HASH);
		return;
	}
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)) != 0) {
		count(&stats, AXIP_STEER_ST_NO_RX_HASH);
		return;
	}
	m = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(m + 1) > data)
		return;
	m->hash = hash;
	m->magic = AXIP_RX_META_MAGIC;
}
#else
/* Built without the kfunc: the verifier refuses metadata kfuncs in a
 * program that is not bound to a device, so this object serves that case. */
static __always_inline void store_rx_hash(struct xdp_md *ctx)
{
	(void)ctx;
	count(&stats, AXIP_STEER_ST_NO_RX_HASH);
}
#endif

/* ctx->rx_queue_index, loaded from ctx itself: the verifier refuses a load
 * through a pointer into ctx, which the compiler makes when several paths
 * read the field and it hoists the address. */
static __always_inline __u32 rxq(const struct xdp_md *ctx)
{
	__u32 q;
	asm volatile("%0 = *(u32 *)(%1 + %2)"
	             : "=r"(q)
	             : "r"(ctx), "i"(__builtin_offsetof(struct xdp_md, rx_queue_index)));
	return q;
}

static __always_inline int steer(struct xdp_md *ctx, const struct axip_steer_cfg *c, __u32 reason)
{
	__u32 q = rxq(ctx);
	/* redirecting to another queue's socket drops the frame: pass instead */
	if (!bpf_map_lookup_elem(&xsks, &q))
		return pass(AXIP_STEER_ST_NO_XSK);
	count(&stats, reason);
	if (c->flags & AXIP_STEER_F_RX_HASH)
		store_rx_hash(ctx);
	return bpf_redirect_map(&xsks, q, XDP_PASS);
}

static __always_inline int in_range(const struct axip_steer_cfg *c, __u16 port)
{
	return c->range_hi != 0 && port >= c->range_lo && port <= c->range_hi;
}

/* Is TCP/UDP to this local port axip's: a listener rule of the family
 * (its hit counted) or the reserved range? Returns 1 + the stat reason,
 * 0 when the port is the kernel's. */
static __always_inline __u32 port_match(const struct axip_steer_cfg *c, __u8 family, __u8 proto,
                                        __u16 port)
{
	struct axip_steer_rule key = {};
	__u32 *slot;

	key.family = family;
	key.proto = proto;
	key.port = port;
	slot = bpf_map_lookup_elem(&rules, &key);
	if (slot) {
		__u32 s = *slot;
		count(&rule_hits, s);
		return 1 + AXIP_STEER_ST_RULE_HIT;
	}
	if (in_range(c, port))
		return 1 + AXIP_STEER_ST_RANGE_HIT;
	return 0;
}

/* TCP/UDP to one of axip's addresses: a listener rule of the family, or
 * the reserved range, or the kernel's. */
static __always_inline int steer_port(struct xdp_md *ctx, const struct axip_steer_cfg *c,
                                      __u8 family, __u8 proto, __u16 port)
{
	__u32 r = port_match(c, family, proto, port);
	if (r)
		return steer(ctx, c, r - 1);
	return pass(AXIP_STEER_ST_PASS_NO_RULE);
}

/*
 * The first fragment of a datagram to a shared address (offset 0): the
 * same rules as an unfragmented packet decide, on the upper-layer header
 * it carries (ports: its TCP/UDP ports, NULL when it is another protocol
 * or the fragment stops before them: the kernel's). With `store`, the
 * verdict is kept for the later fragments; a match on a queue without a
 * socket is the kernel's, so that its later fragments follow it there.
 */
static __always_inline int frag_first(struct xdp_md *ctx, const struct axip_steer_cfg *c,
                                      const struct axip_frag_key *k, int store, __u8 family,
                                      __u8 proto, const __u16 *ports)
{
	struct axip_frag_val v = {}, *old;
	__u32 q = rxq(ctx);
	__u64 now = bpf_ktime_get_ns();
	int match = ports && port_match(c, family, proto, bpf_ntohs(ports[1]));
	int have_xsk = bpf_map_lookup_elem(&xsks, &q) != NULL;
	int axip = match && have_xsk;
	int early = 0;

	if (store) {
		/* later fragments came first and wait in the backend: a kernel
		 * datagram then goes there whole, so that the kernel reassembles
		 * all of it from one place (xdp/src/frag.c re-injects it) */
		old = bpf_map_lookup_elem(&frags, k);
		early = old && old->verdict == AXIP_FRAG_EARLY && old->ns + AXIP_STEER_FRAG_TTL_NS > now;
		v.ns = now;
		v.queue = q;
		v.verdict = axip ? AXIP_FRAG_AXIP
		            : early && have_xsk ? AXIP_FRAG_KERNEL_VIA : AXIP_FRAG_KERNEL;
		bpf_map_update_elem(&frags, k, &v, BPF_ANY);
	}
	if (v.verdict == AXIP_FRAG_KERNEL_VIA)
		return steer(ctx, c, AXIP_STEER_ST_FRAG_VIA);
	if (!axip)
		return pass(match ? AXIP_STEER_ST_NO_XSK : AXIP_STEER_ST_FRAG_FIRST_KERNEL);
	return steer(ctx, c, AXIP_STEER_ST_FRAG_FIRST_AXIP);
}

/*
 * A later fragment (an offset): where the first fragment's verdict says.
 * None known (the first is still on its way, or its verdict is older than
 * AXIP_STEER_FRAG_TTL_NS, a datagram long gone): steered, and the datagram
 * marked early, for the backend to settle once the first arrives.
 */
static __always_inline int frag_later(struct xdp_md *ctx, const struct axip_steer_cfg *c,
                                      const struct axip_frag_key *k)
{
	struct axip_frag_val *v = bpf_map_lookup_elem(&frags, k), nv = {};
	__u64 now = bpf_ktime_get_ns();
	__u32 q = rxq(ctx);

	if (v && v->ns + AXIP_STEER_FRAG_TTL_NS > now) {
		if (v->verdict == AXIP_FRAG_KERNEL)
			return pass(AXIP_STEER_ST_FRAG_LATER_KERNEL);
		if (v->verdict == AXIP_FRAG_AXIP)
			return steer(ctx, c, AXIP_STEER_ST_FRAG_LATER_AXIP);
		if (v->verdict == AXIP_FRAG_KERNEL_VIA)
			return steer(ctx, c, AXIP_STEER_ST_FRAG_VIA);
		return steer(ctx, c, AXIP_STEER_ST_FRAG_EARLY);
	}
	if (!bpf_map_lookup_elem(&xsks, &q))
		return pass(AXIP_STEER_ST_NO_XSK);
	nv.ns = now;
	nv.queue = q;
	nv.verdict = AXIP_FRAG_EARLY;
	/* without an entry, one another CPU's first fragment wrote
	 * meanwhile stays: the backend reads it */
	bpf_map_update_elem(&frags, k, &nv, v ? BPF_ANY : BPF_NOEXIST);
	return steer(ctx, c, AXIP_STEER_ST_FRAG_EARLY);
}

/* An IPv4 fragment (MF or an offset) to the shared address; RFC 791 3.2
 * keys reassembly by source, destination, protocol and identification. */
static __always_inline int frag4(struct xdp_md *ctx, const struct axip_steer_cfg *c,
                                 const struct iphdr *ip, const void *end)
{
	struct axip_frag_key k = {};
	const __u16 *ports = NULL;

	k.family = 4;
	k.proto = ip->protocol;
	k.id = bpf_ntohs(ip->id);
	__builtin_memcpy(k.src, &ip->saddr, 4);
	__builtin_memcpy(k.dst, &ip->daddr, 4);
	if (ip->frag_off & bpf_htons(IP_OFFMASK))
		return frag_later(ctx, c, &k);
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		ports = (const __u16 *)((const __u8 *)ip + ip->ihl * 4);
		if ((const void *)(ports + 2) > end)
			ports = NULL; /* a tiny first fragment (RFC 1858): the kernel's */
	}
	return frag_first(ctx, c, &k, 1, 4, ip->protocol, ports);
}

/* An IPv6 address as two 64-bit words in host order, so that prefixes
 * and the low bits compare with plain integer operations. */
struct a6 {
	__u64 hi, lo;
};

/* Two 8-byte loads, whatever the address's alignment in the packet: BPF
 * loads need none where the verifier allows unaligned packet access, which
 * the program's IPv4 loads rely on already (a byte-wise copy would cost 16
 * loads and the shifts to join them). */
typedef __u64 __attribute__((may_alias)) u64_any;

static __always_inline struct a6 a6_load(const __u8 *p)
{
	struct a6 a;
	a.hi = bpf_be64_to_cpu(((const u64_any *)p)[0]);
	a.lo = bpf_be64_to_cpu(((const u64_any *)p)[1]);
	return a;
}

static __always_inline int a6_eq(struct a6 a, struct a6 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

/* Is d one of addrs6[0..n_addrs6)? */
static __always_inline int is_ours6(const struct axip_steer_cfg *c, struct a6 d)
{
	__u32 n = c->n_addrs6, i;
#pragma unroll
	for (i = 0; i < AXIP_STEER_MAX_ADDRS6; i++) {
		if (i >= n)
			break;
		if (a6_eq(d, a6_load(c->addrs6[i])))
			return 1;
	}
	return 0;
}

/*
 * Skip the extension headers that may precede the upper-layer header:
 * hop-by-hop options, routing and destination options (RFC 8200 4.1, 4.3,
 * 4.4, 4.6: a next header byte, a length in 8-octet units not counting the
 * first 8). At most IP6_EXT_MAX are walked. Returns the offset of the first
 * header that is none of these from the IPv6 header and its type in *nh;
 * -1 when a header is truncated or there are more of them.
 */
static __always_inline int skip_ext6(const __u8 *ip6, const void *end, __u8 *nh)
{
	__u8 t = ip6[IP6_NEXTHDR_OFF];
	__u32 off = IP6_HDR_LEN, i;
#pragma unroll
	for (i = 0; i < IP6_EXT_MAX; i++) {
		const __u8 *h;
		if (t != NH_HOPOPTS && t != NH_ROUTING && t != NH_DSTOPTS)
			break;
		h = ip6 + off;
		if ((const void *)(h + 2) > end)
			return -1;
		t = h[0];
		off += ((__u32)h[1] + 1) * 8;
	}
	if (t == NH_HOPOPTS || t == NH_ROUTING || t == NH_DSTOPTS)
		return -1;
	*nh = t;
	return (int)off;
}

/*
 * Dedicated IPv6 address, multicast destination: Neighbor Solicitation
 * (RFC 4861 4.3, 7.2.2: to the target's solicited-node group, RFC 4291
 * 2.7.1; from :: in Duplicate Address Detection, RFC 4862 5.4.2) and
 * Neighbor Advertisement (RFC 4861 4.4, 7.2.6: unsolicited ones to
 * all-nodes, a defence of the address in DAD, RFC 4862 5.4.4) whose target
 * is the address are axip's, which answers for it; other multicast is the
 * kernel's.
 */
static __always_inline int steer_nd6(struct xdp_md *ctx, const struct axip_steer_cfg *c,
                                     const __u8 *ip6, const void *end, struct a6 d)
{
	struct a6 mine = a6_load(c->addrs6[0]);
	const __u8 *icmp;
	__u8 nh = 0;
	int off;

	/* ff02::1 or ff02::1:ffXX:XXXX with the address's low 24 bits */
	if (d.hi != 0xff02000000000000ull ||
	    (d.lo != 1 && d.lo != (0x00000001ff000000ull | (mine.lo & 0xffffffull))))
		return pass(AXIP_STEER_ST_PASS_NO_RULE);
	off = skip_ext6(ip6, end, &nh);
	if (off < 0)
		return pass(AXIP_STEER_ST_PASS_L3);
	if (nh == NH_FRAGMENT)
		return pass(AXIP_STEER_ST_PASS_FRAG); /* RFC 6980 5: no fragmented ND */
	if (nh != NH_ICMPV6)
		return pass(AXIP_STEER_ST_PASS_NO_RULE);
	icmp = ip6 + (__u32)off;
	if ((const void *)(icmp + ND_TARGET_OFF + 16) > end)
		return pass(AXIP_STEER_ST_PASS_L3);
	if (icmp[0] != ND_NS && icmp[0] != ND_NA)
		return pass(AXIP_STEER_ST_PASS_NO_RULE);
	if (!a6_eq(a6_load(icmp + ND_TARGET_OFF), mine))
		return pass(AXIP_STEER_ST_PASS_NO_RULE);
	return steer(ctx, c, AXIP_STEER_ST_ND_HIT);
}

/*
 * A fragment header (RFC 8200 4.5) at off, IPv6 to a shared address.
 * Reassembly is keyed by source, destination and identification. The first
 * fragment (offset 0) must carry the upper-layer header (RFC 7112 5): TCP
 * or UDP right after the fragment header is decided by its ports, anything
 * else (another extension header there included) is the kernel's. An
 * atomic fragment (offset 0, M clear; RFC 6946) is a whole datagram:
 * decided alike, nothing stored.
 */
static __always_inline int frag6(struct xdp_md *ctx, const struct axip_steer_cfg *c,
                                 const __u8 *ip6, const void *end, __u32 off)
{
	const __u8 *fh = ip6 + off;
	const __u16 *ports = NULL;
	struct axip_frag_key k = {};
	__u32 id;
	__u16 om;

	if ((const void *)(fh + 8) > end)
		return pass(AXIP_STEER_ST_PASS_L3);
	k.family = 6;
	__builtin_memcpy(&id, fh + 4, 4);
	k.id = bpf_ntohl(id);
	__builtin_memcpy(k.src, ip6 + 8, 16);
	__builtin_memcpy(k.dst, ip6 + IP6_DADDR_OFF, 16);
	om = (__u16)((__u16)fh[2] << 8 | fh[3]);
	if (om & 0xfff8)
		return frag_later(ctx, c, &k);
	if (fh[0] == IPPROTO_TCP || fh[0] == IPPROTO_UDP) {
		ports = (const __u16 *)(fh + 8);
		if ((const void *)(ports + 2) > end)
			ports = NULL;
	}
	return frag_first(ctx, c, &k, om & 1, 6, fh[0], ports);
}

/* EtherType 0x86DD (RFC 8200); ip6 is the byte after the Ethernet header. */
static __always_inline int steer_ip6(struct xdp_md *ctx, const struct axip_steer_cfg *c,
                                     const __u8 *ip6, const void *end)
{
	const __u16 *ports;
	struct a6 d;
	__u8 nh = 0;
	int off;

	if (!c->n_addrs6)
		return pass(AXIP_STEER_ST_PASS_NO_RULE); /* no IPv6 address is axip's */
	if ((const void *)(ip6 + IP6_HDR_LEN) > end)
		return pass(AXIP_STEER_ST_PASS_L3);
	if ((ip6[0] >> 4) != 6)
		return pass(AXIP_STEER_ST_PASS_L3);
	d = a6_load(ip6 + IP6_DADDR_OFF);
	if (c->flags & AXIP_STEER_F_DEDICATED6) {
		/* everything to the dedicated address, fragments and
		 * extension headers included: axip owns it */
		if (a6_eq(d, a6_load(c->addrs6[0])))
			return steer(ctx, c, AXIP_STEER_ST_ADDR_HIT);
		if ((d.hi >> 56) == 0xff) /* RFC 4291 2.7 */
			return steer_nd6(ctx, c, ip6, end, d);
		return pass(AXIP_STEER_ST_PASS_NO_RULE);
	}
	if (!is_ours6(c, d))
		return pass(AXIP_STEER_ST_PASS_NO_RULE);
	off = skip_ext6(ip6, end, &nh);
	if (off < 0)
		return pass(AXIP_STEER_ST_PASS_L3);
	/* shared address: only the first fragment carries the ports */
	if (nh == NH_FRAGMENT)
		return frag6(ctx, c, ip6, end, (__u32)off);
	if (nh != IPPROTO_TCP && nh != IPPROTO_UDP)
		return pass(AXIP_STEER_ST_PASS_NO_RULE); /* ICMPv6 and NDP included */
	ports = (const __u16 *)(ip6 + (__u32)off);
	if ((const void *)(ports + 2) > end)
		return pass(AXIP_STEER_ST_PASS_L3);
	return steer_port(ctx, c, 6, nh, bpf_ntohs(ports[1]));
}

SEC("xdp.frags")
int axip_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct axip_steer_cfg *c;
	struct iphdr *ip;
	__u32 zero = 0, ihl;
	__u16 *ports;

	c = bpf_map_lookup_elem(&cfg, &zero);
	if (!c || (!c->addr_be && !c->n_addrs6))
		return XDP_PASS;
	if ((void *)(eth + 1) > end)
		return pass(AXIP_STEER_ST_PASS_L2);

	if (eth->h_proto == bpf_htons(ETH_P_IPV6_))
		return steer_ip6(ctx, c, (__u8 *)(eth + 1), end);
	if ((eth->h_proto == bpf_htons(ETH_P_ARP) || eth->h_proto == bpf_htons(ETH_P_IP)) &&
	    !c->addr_be)
		return pass(AXIP_STEER_ST_PASS_NO_RULE); /* no IPv4 address is axip's */

	if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
		__u8 *arp = (__u8 *)(eth + 1);
		__u32 tpa;
		/* ARP for our own address only in dedicated mode: otherwise the
		 * kernel owns the address and must keep answering (RFC 826) */
		if (!(c->flags & AXIP_STEER_F_DEDICATED))
			return pass(AXIP_STEER_ST_PASS_NO_RULE);
		if ((void *)(arp + ARP_HDR_LEN) > end)
			return pass(AXIP_STEER_ST_PASS_L2);
		__builtin_memcpy(&tpa, arp + ARP_TPA_OFF, 4);
		if (tpa != c->addr_be)
			return pass(AXIP_STEER_ST_PASS_NO_RULE);
		return steer(ctx, c, AXIP_STEER_ST_ARP_HIT);
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return pass(AXIP_STEER_ST_PASS_L2); /* VLAN, anything else */

	ip = (struct iphdr *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return pass(AXIP_STEER_ST_PASS_L3);
	if (ip->version != 4 || ip->ihl < 5)
		return pass(AXIP_STEER_ST_PASS_L3);
	if (ip->daddr != c->addr_be)
		return pass(AXIP_STEER_ST_PASS_NO_RULE);
	if (c->flags & AXIP_STEER_F_DEDICATED)
		return steer(ctx, c, AXIP_STEER_ST_ADDR_HIT);
	/* shared address: only the first fragment carries the ports */
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return frag4(ctx, c, ip, end);
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return pass(AXIP_STEER_ST_PASS_NO_RULE);

	ihl = ip->ihl * 4;
	ports = (__u16 *)((__u8 *)ip + ihl);
	if ((void *)(ports + 2) > end)
		return pass(AXIP_STEER_ST_PASS_L3);

	return steer_port(ctx, c, 4, ip->protocol, bpf_ntohs(ports[1]));
}

char _license[] SEC("license") = "GPL";
