/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
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
 *   FAULT_CORRUPT  one payload byte inverted so that the checksum does not
 *                  match (see corrupt()): the receiver must discard it
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

struct l4 {
	__u32 off;   /* TCP/UDP payload */
	__u32 len;
	__u32 csum;  /* checksum field */
	__u8 proto;
};

/* Locate the TCP/UDP payload of an IPv4 frame; 0 = not one. */
static __always_inline int l4_payload(struct __sk_buff *skb, struct l4 *l)
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
	l->proto = ip->protocol;
	if (ip->protocol == IPPROTO_UDP) {
		hlen = 8;
		l->csum = sizeof *eth + ihl + 6;
	} else {
		if (bpf_skb_load_bytes(skb, sizeof *eth + ihl + 12, &doff, 1))
			return 0;
		hlen = (doff >> 4) * 4;
		l->csum = sizeof *eth + ihl + 16;
	}
	if (l4len < hlen)
		return 0;
	l->off = sizeof *eth + ihl + hlen;
	l->len = l4len - hlen;
	return 1;
}

/*
 * Invert one payload byte so that the frame's checksum no longer matches.
 * The byte is the first of a 16-bit word at an even offset from the L4
 * header (headers are multiples of 4 bytes). A frame the kernel sends still
 * has a partial checksum at this hook (the stack completes it in software
 * after tc when the device has no TX checksum offload) and would leave with
 * a correct checksum over the corrupted data; so the checksum field is moved
 * by the opposite of the change: a partial seed then yields the checksum of
 * the original data, and a full checksum is off by twice the change. Either
 * way the receiver sees a mismatch (one byte changes the ones'-complement
 * sum by an odd amount of at most 255, so neither difference can vanish).
 */
static __always_inline int corrupt(struct __sk_buff *skb, struct l4 *l)
{
	__u16 old, new;
	__u64 flags = sizeof(__u16) | BPF_F_PSEUDO_HDR;
	__u32 off = l->off + (bpf_get_prandom_u32() % (l->len / 2)) * 2;
	if (bpf_skb_load_bytes(skb, off, &old, 2))
		return 0;
	new = old;
	((__u8 *)&new)[0] ^= 0xff;
	if (l->proto == IPPROTO_UDP)
		flags |= BPF_F_MARK_MANGLED_0; /* checksum 0 = none: leave it */
	if (bpf_skb_store_bytes(skb, off, &new, 2, 0))
		return 0;
	return bpf_l4_csum_replace(skb, l->csum, new, old, flags) == 0;
}

SEC("fault")
int fault_tc(struct __sk_buff *skb)
{
	struct l4 l;
	if (skb->mark == FAULT_CLONE_MARK) {
		skb->mark = 0;
		return TC_ACT_UNSPEC;
	}
	if (!l4_payload(skb, &l))
		return TC_ACT_UNSPEC;
	count(ST_SEEN);
	if (chance(FAULT_LOSS)) {
		/* not TC_ACT_SHOT: at egress the sender's stack would learn of
		 * the drop (NET_XMIT_DROP) and send the segment again at once;
		 * a stolen frame is reported as sent, like one lost on a wire */
		count(ST_DROP);
		return TC_ACT_STOLEN;
	}
	if (l.len >= 2 && chance(FAULT_CORRUPT) && corrupt(skb, &l))
		count(ST_CORRUPT);
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
	struct l4 l;
	if (!l4_payload(skb, &l) || !l.len || !chance(FAULT_REORDER))
		return 0; /* no match: the frame goes on */
	count(ST_REORDER);
	return -1;    /* match: the filter's action (mirred to the ifb) runs */
}

char _license[] SEC("license") = "GPL";
