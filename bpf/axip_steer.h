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

/* cfg.flags */
#define AXIP_STEER_F_DEDICATED 1u /* addr_be is axip's alone: steer all its IPv4 and ARP */
#define AXIP_STEER_F_RX_HASH 2u   /* put the receive hash in the metadata area (device-bound load) */

#define AXIP_STEER_F_DEDICATED6 4u /* addrs6[0] is axip's alone */

/* Metadata area in front of a redirected frame when AXIP_STEER_F_RX_HASH is
 * set: the last 8 bytes before the Ethernet header. magic tells a hash the
 * program stored from stale bytes of an earlier use of the UMEM frame. */
#define AXIP_RX_META_MAGIC 0xa71b4a5du
struct axip_rx_meta {
	__u32 hash;       /* bpf_xdp_metadata_rx_hash; host byte order */
	__u32 magic;      /* AXIP_RX_META_MAGIC */
};

/* Single entry of the "cfg" array map. */
struct axip_steer_cfg {
	__u32 addr_be;    /* axip's IPv4 address; 0 = steer nothing */
	__u32 flags;      /* AXIP_STEER_F_* */
	__u16 range_lo;   /* reserved local port range of axip's own connections */
	__u16 range_hi;   /* (both 0 = none) */
	__u32 pad;
	__u32 n_addrs6;   /* used entries of addrs6 */
	__u32 pad6;
	__u8 addrs6[AXIP_STEER_MAX_ADDRS6][16]; /* axip's IPv6 addresses, network order */
};

/* Key of the "rules" hash map: a listener (protocol, local port). */
struct axip_steer_rule {
	__u16 port;
	__u8 proto;       /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
};

/* Slots of the per-CPU "stats" array: what the program did, by reason. */
enum axip_steer_stat {
	AXIP_STEER_ST_RULE_HIT = 0,  /* matched a listener rule */
	AXIP_STEER_ST_RANGE_HIT,     /* matched the reserved port range */
	AXIP_STEER_ST_ADDR_HIT,      /* dedicated address: any IPv4 to it */
	AXIP_STEER_ST_ARP_HIT,       /* dedicated address: ARP for it */
	AXIP_STEER_ST_NO_XSK,        /* matched, but no socket on this queue: passed */
	AXIP_STEER_ST_PASS_L2,       /* VLAN, non-IPv4/ARP, truncated: passed */
	AXIP_STEER_ST_PASS_L3,       /* bad IPv4 header, fragment, other protocol: passed */
	AXIP_STEER_ST_PASS_NO_RULE,  /* well-formed but not axip's: passed */
	AXIP_STEER_ST_NO_RX_HASH,    /* RX hash wanted but the kfunc or the metadata area failed */
	AXIP_STEER_ST_COUNT
};

#endif
