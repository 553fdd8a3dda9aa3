/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip_steer.h - maps and records shared by the XDP steering program
 * (axip_steer.bpf.c) and its loader (xdp/src/steer.c).
 *
 * Every field is in host byte order unless its name ends in _be.
 */
#ifndef AXIP_STEER_H
#define AXIP_STEER_H

#include <linux/types.h>

#define AXIP_STEER_PROG_NAME "axip_steer"
#define AXIP_STEER_MAX_QUEUES 256
#define AXIP_STEER_MAX_RULES 64
#define AXIP_STEER_MAX_ADDRS6 8
#define AXIP_STEER_MAX_FRAGS 4096  /* entries of the "frags" LRU map */
/* A verdict older than this is forgotten: the reassembly time of the
 * kernel's IPv4 and IPv6 (RFC 791's upper bound of 15 s is exceeded by
 * both; the kernel uses 30 s for ip and ip6 alike). */
#define AXIP_STEER_FRAG_TTL_NS 30000000000ull

/* cfg.flags */
#define AXIP_STEER_F_DEDICATED 1u /* addr_be is axip's alone: steer all its IPv4 and ARP */
#define AXIP_STEER_F_RX_HASH 2u   /* put the receive hash in the metadata area (device-bound load) */
#define AXIP_STEER_F_DEDICATED6 4u /* addrs6[0] is axip's alone: steer all its IPv6 and NDP */

/* Metadata area in front of a redirected frame when AXIP_STEER_F_RX_HASH is
 * set: the last 8 bytes before the Ethernet header. magic tells a hash the
 * program stored from stale bytes of an earlier use of the UMEM frame. */
#define AXIP_RX_META_MAGIC 0xa71b4a5du
struct axip_rx_meta {
	__u32 hash;       /* bpf_xdp_metadata_rx_hash; host byte order */
	__u32 magic;      /* AXIP_RX_META_MAGIC */
};

/* Single entry of the "cfg" array map. addr_be == 0 and n_addrs6 == 0:
 * steer nothing; addr_be == 0 alone: no IPv4 (nor ARP) is axip's, and
 * n_addrs6 == 0 alone: no IPv6. */
struct axip_steer_cfg {
	__u32 addr_be;    /* axip's IPv4 address; 0 = none */
	__u32 flags;      /* AXIP_STEER_F_* */
	__u16 range_lo;   /* reserved local port range of axip's own connections */
	__u16 range_hi;   /* (both 0 = none); applies to both families */
	__u32 pad;
	__u32 n_addrs6;   /* used entries of addrs6 (more than AXIP_STEER_MAX_ADDRS6: that many) */
	__u32 pad6;
	/* axip's IPv6 addresses, network order. Shared mode: the interface's
	 * addresses, link-local included. AXIP_STEER_F_DEDICATED6: entry 0 is
	 * the dedicated address (the others are not looked at). */
	__u8 addrs6[AXIP_STEER_MAX_ADDRS6][16];
};

/* Key of the "rules" hash map: a listener (family, protocol, local port). */
struct axip_steer_rule {
	__u16 port;
	__u8 proto;       /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;      /* 4 or 6 */
};

/*
 * Key of the "frags" LRU hash map: one fragmented datagram as its
 * reassembly sees it (RFC 791 3.2: source, destination, protocol and
 * identification; RFC 8200 4.5: source, destination and identification).
 * IPv4 addresses fill the first 4 bytes of src/dst, the rest is zero; for
 * IPv6 proto is 0 (the Next Header of the fragments may differ). All
 * padding is zero.
 */
struct axip_frag_key {
	__u8 family;      /* 4 or 6 */
	__u8 proto;       /* IPv4 protocol; 0 for IPv6 */
	__u16 pad;
	__u32 id;         /* IPv4 identification (16 bits) or IPv6 fragment id, host order */
	__u8 src[16];
	__u8 dst[16];
};

/* frag verdicts */
#define AXIP_FRAG_AXIP 1u   /* the first fragment was steered to axip */
#define AXIP_FRAG_KERNEL 2u /* the first fragment went to the kernel */
#define AXIP_FRAG_EARLY 3u  /* a later fragment came first: steered, not yet decided */
#define AXIP_FRAG_KERNEL_VIA 4u /* the kernel's, after early ones: steered, the backend re-injects */

struct axip_frag_val {
	__u64 ns;         /* bpf_ktime_get_ns (CLOCK_MONOTONIC) when written */
	__u32 queue;      /* receive queue of the first fragment (AXIP_FRAG_AXIP) */
	__u32 verdict;    /* AXIP_FRAG_* */
};

/* Slots of the per-CPU "stats" array: what the program did, by reason. */
enum axip_steer_stat {
	AXIP_STEER_ST_RULE_HIT = 0,  /* matched a listener rule (IPv4 or IPv6) */
	AXIP_STEER_ST_RANGE_HIT,     /* matched the reserved port range (IPv4 or IPv6) */
	AXIP_STEER_ST_ADDR_HIT,      /* dedicated address: any IPv4 or IPv6 to it */
	AXIP_STEER_ST_ARP_HIT,       /* dedicated address: ARP for it */
	AXIP_STEER_ST_NO_XSK,        /* matched, but no socket on this queue: passed */
	AXIP_STEER_ST_PASS_L2,       /* VLAN, other EtherTypes, truncated Ethernet/ARP: passed */
	AXIP_STEER_ST_PASS_L3,       /* bad or truncated IPv4/IPv6 header, too many
	                              * IPv6 extension headers: passed */
	AXIP_STEER_ST_PASS_NO_RULE,  /* well-formed but not axip's: passed */
	AXIP_STEER_ST_NO_RX_HASH,    /* RX hash wanted but the kfunc or the metadata area failed */
	AXIP_STEER_ST_ND_HIT,        /* dedicated IPv6 address: multicast NS/NA for it */
	AXIP_STEER_ST_PASS_FRAG,     /* dedicated IPv6: a fragmented NS/NA (RFC 6980 5): passed */
	AXIP_STEER_ST_FRAG_FIRST_AXIP,   /* shared: a first fragment for axip's port: steered */
	AXIP_STEER_ST_FRAG_FIRST_KERNEL, /* shared: a first fragment not for axip: passed */
	AXIP_STEER_ST_FRAG_LATER_AXIP,   /* shared: a later fragment of an axip datagram: steered */
	AXIP_STEER_ST_FRAG_LATER_KERNEL, /* shared: a later fragment of a kernel datagram: passed */
	AXIP_STEER_ST_FRAG_EARLY,        /* shared: a later fragment before its first: steered */
	AXIP_STEER_ST_FRAG_VIA,          /* shared: a kernel datagram's fragment after early ones: steered for re-injection */
	AXIP_STEER_ST_COUNT
};

#endif
