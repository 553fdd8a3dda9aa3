/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipv4.c - IPv4 input validation and dispatch, routing, output (RFC 791,
 * RFC 1122 3.2.1, 3.3). Fragments are handed to ip_frag.c.
 */
#include "ipv4.h"
#include "ip_frag.h"
#include "wire.h"
#include "checksum.h"
#include "arp.h"
#include "icmp.h"
#include "udp.h"
#include "tcp.h"

struct ipv4_state {
	struct ip_frag_table *frag;
	/* Identification of the next datagram. RFC 6864 4.1 only requires
	 * uniqueness per (src, dst, proto) within the reassembly lifetime for
	 * fragmentable datagrams; one per-instance counter provides that. It
	 * starts at a value taken from the instance's secret, so instances that
	 * share an address (one per core) do not all walk the same sequence. */
	axip_u16 next_id;
};

void ipv4_carve(struct axip_stack *s, struct carve *c)
{
	struct ipv4_state *st = CARVE_ARRAY(c, struct ipv4_state, 1);
	struct ip_frag_table *frag = ip_frag_carve(s, c);
	if (carve_dry(c))
		return;
	st->frag = frag;
	st->next_id = (axip_u16)(s->cfg.secret[0] << 8 | s->cfg.secret[1]);
	s->ip = st;
}

static axip_u32 prefix_mask(axip_u8 len)
{
	return len == 0 ? 0 : (axip_u32)(0xffffffffu << (32u - len));
}

/* RFC 3021: /31 and /32 subnets have no broadcast address. */
static int has_subnet_broadcast(axip_u8 len)
{
	return len <= 30u;
}

int ipv4_is_local(const struct axip_stack *s, axip_u32 addr)
{
	axip_u32 i;
	for (i = 0; i < s->cfg.n_addrs; i++)
		if (s->cfg.addrs[i].addr == addr)
			return 1;
	return 0;
}

/*
 * RFC 1122 3.2.1.3: the limited broadcast {-1, -1} and the directed
 * broadcast {<Network>, -1} of a directly connected subnet. The obsolete
 * all-zeros forms (RFC 1122 3.3.6, a SHOULD) are not recognised, as in
 * current hosts, so they are never mistaken for unicast either: they are
 * simply not for us.
 */
int ipv4_is_broadcast(const struct axip_stack *s, axip_u32 addr)
{
	axip_u32 i;
	if (addr == 0xffffffffu)
		return 1;
	for (i = 0; i < s->cfg.n_addrs; i++) {
		axip_u8 pl = s->cfg.addrs[i].prefix_len;
		axip_u32 m = prefix_mask(pl);
		if (has_subnet_broadcast(pl) && addr == ((s->cfg.addrs[i].addr & m) | ~m))
			return 1;
	}
	return 0;
}

/* Class D (multicast) and class E (reserved, includes 255.255.255.255). */
static int addr_is_multicast_or_reserved(axip_u32 a)
{
	return (a >> 28) >= 14u;
}

/* The local address whose subnet holds `a`, longest prefix first; 0 if none. */
static axip_u32 onlink_source(const struct axip_stack *s, axip_u32 a)
{
	axip_u32 i, best = 0;
	int best_len = -1;
	for (i = 0; i < s->cfg.n_addrs; i++) {
		axip_u8 pl = s->cfg.addrs[i].prefix_len;
		axip_u32 m = prefix_mask(pl);
		if ((a & m) == (s->cfg.addrs[i].addr & m) && (int)pl > best_len) {
			best = s->cfg.addrs[i].addr;
			best_len = pl;
		}
	}
	return best;
}

/*
 * RFC 1122 3.3.1: a destination on a connected subnet is reached directly,
 * anything else through the (single, static) default gateway. There is no
 * loopback interface: our own addresses, 0/8, 127/8 and multicast are not
 * routable from here.
 */
int ipv4_route(const struct axip_stack *s, axip_u32 dst, axip_u32 *nexthop, axip_u32 *src)
{
	axip_u32 a;
	if (dst == 0xffffffffu) {
		/* limited broadcast: on the link, from the first address */
		*nexthop = dst;
		*src = s->cfg.addrs[0].addr;
		return AXIP_OK;
	}
	if ((dst >> 24) == 0 || (dst >> 24) == 127u || addr_is_multicast_or_reserved(dst) ||
	    ipv4_is_local(s, dst))
		return AXIP_E_UNREACH;
	a = onlink_source(s, dst);
	if (a) {
		*nexthop = dst;
		*src = a;
		return AXIP_OK;
	}
	if (s->cfg.gateway) {
		/* config validation guarantees the gateway is on a local subnet */
		*nexthop = s->cfg.gateway;
		*src = onlink_source(s, s->cfg.gateway);
		return AXIP_OK;
	}
	return AXIP_E_UNREACH;
}

void ipv4_tx_csum(struct axip_stack *s, struct axip_pkt *p)
{
	axip_u8 *h = p->data;
	axip_u32 ihl = (axip_u32)(h[IP_OFF_VER_IHL] & 0x0fu) * 4u;
	store_be16(h + IP_OFF_CSUM, 0);
	if (s->env.caps & AXIP_CAP_TX_IP_CSUM)
		p->flags |= AXIP_PKT_TX_IP_CSUM;
	else
		store_be16(h + IP_OFF_CSUM, csum_fold(csum_add_bytes(0, h, ihl)));
}

int ipv4_output(struct axip_stack *s, struct axip_pkt *p, axip_u32 src, axip_u32 dst,
                axip_u8 proto, axip_u32 flags)
{
	axip_u32 nexthop, rsrc, total;
	axip_u8 *h;

	if (ipv4_route(s, dst, &nexthop, &rsrc) != AXIP_OK) {
		CTR_INC(s, ip_tx_no_route);
		axip_pkt_free(s, p);
		return AXIP_E_UNREACH;
	}
	if (src == 0)
		src = rsrc;
	total = axip_pkt_chain_len(p) + IP_HLEN;
	/* RFC 791: the total length field is 16 bits. A TSO frame is cut into
	 * MTU-sized segments by the NIC, so only the 16-bit bound applies. */
	if (total > 0xffffu ||
	    ((flags & IPV4_TX_DF) && total > s->cfg.mtu && !(p->flags & AXIP_PKT_TX_TSO))) {
		CTR_INC(s, ip_tx_too_big);
		axip_pkt_free(s, p);
		return AXIP_E_MSGSIZE;
	}
	h = pkt_push(p, IP_HLEN);
	if (!h) {
		/* every sender reserves AXIP_PKT_HEADROOM: reaching this is a bug upstream */
		CTR_INC(s, ip_tx_no_headroom);
		axip_pkt_free(s, p);
		return AXIP_E_INVAL;
	}
	h[IP_OFF_VER_IHL] = 0x45;
	h[IP_OFF_TOS] = 0;
	store_be16(h + IP_OFF_TOTLEN, (axip_u16)total);
	store_be16(h + IP_OFF_ID, s->ip->next_id++);
	store_be16(h + IP_OFF_FRAG, (flags & IPV4_TX_DF) ? (axip_u16)IP_FLAG_DF : 0);
	h[IP_OFF_TTL] = IP_DEFAULT_TTL; /* RFC 1700 / RFC 1122 3.2.1.7 */
	h[IP_OFF_PROTO] = proto;
	store_be32(h + IP_OFF_SRC, src);
	store_be32(h + IP_OFF_DST, dst);
	/* ip_tx counts datagrams; ip_frag_tx counts the fragments they became */
	CTR_INC(s, ip_tx);
	if (total > s->cfg.mtu && !(p->flags & AXIP_PKT_TX_TSO))
		return ip_frag_output(s, p, nexthop);
	ipv4_tx_csum(s, p);
	arp_output(s, p, nexthop);
	return AXIP_OK;
}

static void drop(struct axip_stack *s, struct axip_pkt *p)
{
	axip_pkt_free(s, p);
}

/* RFC 1122 3.2.1.3: a source that is not a unicast host address is
 * silently discarded: 0/8 ("this network", only valid while a host boots,
 * which does not concern us), 127/8 arriving on a network interface (g),
 * multicast, class E and broadcast forms. One of our own addresses as
 * source means a forged or looped datagram ("martian"), also dropped. */
static int source_valid(const struct axip_stack *s, axip_u32 src)
{
	if ((src >> 24) == 0 || (src >> 24) == 127u || addr_is_multicast_or_reserved(src))
		return 0;
	if (ipv4_is_broadcast(s, src) || ipv4_is_local(s, src))
		return 0;
	return 1;
}

/* Hand a complete datagram (p->data at its IPv4 header) to its transport. */
static void deliver(struct axip_stack *s, struct axip_pkt *p, int reassembled)
{
	struct ipv4_rx_info info;
	const axip_u8 *h = p->data;

	info.hdr_len = (axip_u32)(h[IP_OFF_VER_IHL] & 0x0fu) * 4u;
	info.hdr = h;
	info.src = load_be32(h + IP_OFF_SRC);
	info.dst = load_be32(h + IP_OFF_DST);
	info.proto = h[IP_OFF_PROTO];
	info.tos = h[IP_OFF_TOS];
	info.ttl = h[IP_OFF_TTL];
	info.dst_is_broadcast = (axip_u8)ipv4_is_broadcast(s, info.dst);
	info.reassembled = (axip_u8)reassembled;
	/* the NIC's verdict covers one frame, never a reassembled datagram */
	info.l4_csum_ok = (axip_u8)(!reassembled && (p->flags & AXIP_PKT_RX_L4_CSUM_OK));
	pkt_pull(p, info.hdr_len);
	switch (info.proto) {
	case IP_PROTO_ICMP:
		icmp_input(s, p, &info);
		return;
	case IP_PROTO_UDP:
		udp_input(s, p, &info);
		return;
	case IP_PROTO_TCP:
		tcp_input(s, p, &info);
		return;
	default:
		/* RFC 1122 3.2.2.1: protocol unreachable (icmp_send_error applies
		 * the broadcast rules of 3.2.2 and the rate limit) */
		CTR_INC(s, ip_rx_unknown_proto);
		icmp_send_error(s, p, &info, ICMP_DEST_UNREACH, ICMP_CODE_PROTO_UNREACH, 0);
		drop(s, p);
		return;
	}
}

/* Make the first n bytes contiguous; 0 when done, else the drop is counted. */
static int header_in_first(struct axip_stack *s, struct axip_pkt *p, axip_u32 n)
{
	if (p->len >= n)
		return 0;
	if (pkt_linearize(s, p, n) == 0)
		return 0;
	CTR_INC(s, eth_rx_sg_unsupported);
	return -1;
}

void ipv4_input(struct axip_stack *s, struct axip_pkt *p)
{
	axip_u32 chain = axip_pkt_chain_len(p);
	axip_u32 ihl, total, src, dst;
	axip_u16 frag;
	const axip_u8 *h;

	CTR_INC(s, ip_rx);
	if (chain < IP_HLEN) {
		CTR_INC(s, ip_rx_short);
		drop(s, p);
		return;
	}
	if (header_in_first(s, p, IP_HLEN) != 0) {
		drop(s, p);
		return;
	}
	h = p->data;
	if ((h[IP_OFF_VER_IHL] >> 4) != 4u) {
		CTR_INC(s, ip_rx_bad_version);
		drop(s, p);
		return;
	}
	ihl = (axip_u32)(h[IP_OFF_VER_IHL] & 0x0fu) * 4u;
	if (ihl < IP_HLEN || ihl > chain) {
		CTR_INC(s, ip_rx_bad_ihl);
		drop(s, p);
		return;
	}
	if (header_in_first(s, p, ihl) != 0) {
		drop(s, p);
		return;
	}
	h = p->data;
	total = load_be16(h + IP_OFF_TOTLEN);
	if (total < ihl || total > chain) {
		CTR_INC(s, ip_rx_bad_len);
		drop(s, p);
		return;
	}
	/* RFC 1122 3.2.1.1: bytes past the total length (Ethernet padding) are not data */
	if (chain > total)
		pkt_trim(s, p, total);
	/* RFC 791 / RFC 1122 3.2.1.2: verify the header checksum, discard if bad */
	if (!(p->flags & AXIP_PKT_RX_IP_CSUM_OK) && csum_fold(csum_add_bytes(0, h, ihl)) != 0) {
		CTR_INC(s, ip_rx_bad_csum);
		drop(s, p);
		return;
	}
	/* RFC 791: "If the time to live field contains the value zero, then the
	 * datagram must be destroyed." RFC 1122 3.2.1.7 only forbids a host to
	 * *send* TTL 0 and Linux delivers such datagrams locally; a TTL-0
	 * datagram can only come from a broken or hostile sender, so it is
	 * dropped and counted rather than accepted. */
	if (h[IP_OFF_TTL] == 0) {
		CTR_INC(s, ip_rx_ttl_zero);
		drop(s, p);
		return;
	}
	src = load_be32(h + IP_OFF_SRC);
	dst = load_be32(h + IP_OFF_DST);
	if (!source_valid(s, src)) {
		CTR_INC(s, ip_rx_bad_src);
		drop(s, p);
		return;
	}
	/* RFC 1122 3.3.4.2 / 3.3.6: accept our addresses and broadcasts; a host
	 * does not forward (3.3.1.1: silently discard), and joins no multicast group */
	if (!ipv4_is_local(s, dst) && !ipv4_is_broadcast(s, dst)) {
		CTR_INC(s, ip_rx_not_for_us);
		drop(s, p);
		return;
	}
	/* RFC 1122 3.2.1.8: options are not interpreted; IHL > 5 only moves
	 * the start of the payload. */
	frag = load_be16(h + IP_OFF_FRAG);
	if ((frag & (IP_FLAG_MF | IP_FRAG_MASK)) != 0) {
		/* RFC 791 / RFC 1122 3.3.2: reassemble before delivery */
		p = ip_frag_input(s, s->ip->frag, p);
		if (p)
			deliver(s, p, 1);
		return;
	}
	deliver(s, p, 0);
}
