/*
 * faults.bpf.c - link faults for the network tests: a tc (clsact) program on
 * the kernel-side veth end that drops, duplicates, corrupts or picks for
 * reordering a share of the IPv4 TCP/UDP frames passing one direction.
 * This kernel has no netem; test/net/faults.sh compiles this file with the
 * rates below and attaches it (see there).
 *
 * Rates are in units of 1/10000 of the frames, set at compile time:
 *   FAULT_LOSS     dropped (TC_ACT_STOLEN, see there)
 *   FAULT_DUP      sent twice (a clone goes the same way first)
 *   FAULT_CORRUPT  one payload byte inverted, checksums left as they were,
 *                  so the receiver must discard the frame
 * Section "fault" runs in direct-action mode; a frame it keeps continues to
 * the next filter (TC_ACT_UNSPEC).
 * Section "reorder" is a classic classifier: it matches FAULT_REORDER of the
 * frames, and its mirred action sends them through an ifb device whose
 * rate-limited qdisc holds them back while later frames overtake them.
 *
 * Counters (array map fault_stats, one per loaded object): frames seen,
 * dropped, duplicated, corrupted, picked for reordering.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef FAULT_LOSS
#define FAULT_LOSS 0
#endif
#ifndef FAULT_DUP
#define FAULT_DUP 0
#endif
#ifndef FAULT_CORRUPT
#define FAULT_CORRUPT 0
#endif
#ifndef FAULT_REORDER
#define FAULT_REORDER 0
#endif
#ifndef FAULT_INGRESS
#define FAULT_INGRESS 0 /* 1: attached at ingress (duplicates go back in there) */
#endif

/* a clone made by bpf_clone_redirect carries this mark past the program */
#define FAULT_CLONE_MARK 0x0fa17d0b

enum { ST_SEEN, ST_DROP, ST_DUP, ST_CORRUPT, ST_REORDER, ST_COUNT };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ST_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} fault_stats SEC(".maps");

static __always_inline void count(__u32 i)
{
	__u64 *v = bpf_map_lookup_elem(&fault_stats, &i);
	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline int chance(__u32 rate)
{
	return rate && bpf_get_prandom_u32() % 10000 < rate;
}

/* Offset and length of the TCP/UDP payload of an IPv4 frame; 0 = not one. */
static __always_inline int l4_payload(struct __sk_buff *skb, __u32 *off, __u32 *len)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof *eth;
	__u32 ihl, l4len, hlen;
	__u8 doff;
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return 0;
	ihl = ip->ihl * 4;
	l4len = bpf_ntohs(ip->tot_len);
	if (ihl < 20 || l4len < ihl)
		return 0;
	l4len -= ihl;
	if (ip->protocol == IPPROTO_UDP) {
		hlen = 8;
	} else {
		if (bpf_skb_load_bytes(skb, sizeof *eth + ihl + 12, &doff, 1))
			return 0;
		hlen = (doff >> 4) * 4;
	}
	if (l4len < hlen)
		return 0;
	*off = sizeof *eth + ihl + hlen;
	*len = l4len - hlen;
	return 1;
}

SEC("fault")
int fault_tc(struct __sk_buff *skb)
{
	__u32 off, len;
	if (skb->mark == FAULT_CLONE_MARK) {
		skb->mark = 0;
		return TC_ACT_UNSPEC;
	}
	if (!l4_payload(skb, &off, &len))
		return TC_ACT_UNSPEC;
	count(ST_SEEN);
	if (chance(FAULT_LOSS)) {
		/* not TC_ACT_SHOT: at egress the sender's stack would learn of
		 * the drop (NET_XMIT_DROP) and send the segment again at once;
		 * a stolen frame is reported as sent, like one lost on a wire */
		count(ST_DROP);
		return TC_ACT_STOLEN;
	}
	if (len && chance(FAULT_CORRUPT)) {
		__u8 b;
		off += bpf_get_prandom_u32() % len;
		if (bpf_skb_load_bytes(skb, off, &b, 1) == 0) {
			b = ~b; /* one inverted byte always changes the ones'-complement sum */
			if (bpf_skb_store_bytes(skb, off, &b, 1, 0) == 0)
				count(ST_CORRUPT);
		}
	}
	if (chance(FAULT_DUP)) {
		skb->mark = FAULT_CLONE_MARK;
		if (bpf_clone_redirect(skb, skb->ifindex, FAULT_INGRESS ? BPF_F_INGRESS : 0) == 0)
			count(ST_DUP);
		skb->mark = 0;
	}
	return TC_ACT_UNSPEC;
}

SEC("reorder")
int reorder_tc(struct __sk_buff *skb)
{
	__u32 off, len;
	if (!l4_payload(skb, &off, &len) || !len || !chance(FAULT_REORDER))
		return 0; /* no match: the frame goes on */
	count(ST_REORDER);
	return -1;    /* match: the filter's action (mirred to the ifb) runs */
}

char _license[] SEC("license") = "GPL";
