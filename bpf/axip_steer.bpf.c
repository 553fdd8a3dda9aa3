/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * axip_steer.bpf.c - XDP program that steers axip's traffic to its AF_XDP
 * sockets and leaves everything else to the kernel.
 *
 * A frame is redirected to the XSKMAP entry of the queue it arrived on when
 *  - it is IPv4 TCP/UDP to cfg.addr_be whose destination port has a listener
 *    rule (rules map, per-rule hit counters in rule_hits) or falls in the
 *    reserved range of axip's own connections, or
 *  - cfg has AXIP_STEER_F_DEDICATED and it is any IPv4 packet to cfg.addr_be
 *    or an ARP packet whose target protocol address is cfg.addr_be.
 * Everything else (VLAN tags, other EtherTypes, IPv4 options are fine but
 * fragments in shared mode are not, unknown protocols, malformed headers)
 * returns XDP_PASS. A frame can only reach a socket bound to its own receive
 * queue, so when that queue has none the frame is passed too (counted).
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

static __always_inline int steer(struct xdp_md *ctx, const struct axip_steer_cfg *c, __u32 reason)
{
	__u32 q = ctx->rx_queue_index;
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

SEC("xdp.frags")
int axip_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct axip_steer_cfg *c;
	struct axip_steer_rule key = {};
	struct iphdr *ip;
	__u32 zero = 0, ihl, *slot;
	__u16 *ports;

	c = bpf_map_lookup_elem(&cfg, &zero);
	if (!c || !c->addr_be)
		return XDP_PASS;
	if ((void *)(eth + 1) > end)
		return pass(AXIP_STEER_ST_PASS_L2);

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
		return pass(AXIP_STEER_ST_PASS_L2); /* VLAN, IPv6, anything else */

	ip = (struct iphdr *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return pass(AXIP_STEER_ST_PASS_L3);
	if (ip->version != 4 || ip->ihl < 5)
		return pass(AXIP_STEER_ST_PASS_L3);
	if (ip->daddr != c->addr_be)
		return pass(AXIP_STEER_ST_PASS_NO_RULE);
	if (c->flags & AXIP_STEER_F_DEDICATED)
		return steer(ctx, c, AXIP_STEER_ST_ADDR_HIT);
	/* shared address: a fragment carries no ports (or only the first
	 * does), so the whole datagram is left to the kernel */
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return pass(AXIP_STEER_ST_PASS_L3);
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return pass(AXIP_STEER_ST_PASS_NO_RULE);

	ihl = ip->ihl * 4;
	ports = (__u16 *)((__u8 *)ip + ihl);
	if ((void *)(ports + 2) > end)
		return pass(AXIP_STEER_ST_PASS_L3);

	key.proto = ip->protocol;
	key.port = bpf_ntohs(ports[1]);
	slot = bpf_map_lookup_elem(&rules, &key);
	if (slot) {
		__u32 s = *slot;
		count(&rule_hits, s);
		return steer(ctx, c, AXIP_STEER_ST_RULE_HIT);
	}
	if (in_range(c, key.port))
		return steer(ctx, c, AXIP_STEER_ST_RANGE_HIT);
	return pass(AXIP_STEER_ST_PASS_NO_RULE);
}

char _license[] SEC("license") = "GPL";
