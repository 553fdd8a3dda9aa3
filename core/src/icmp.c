/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * icmp.c - ICMP for a host (RFC 792, RFC 1122 3.2.2): echo replies, errors
 * sent under a token-bucket rate limit, errors received handed to the
 * transport of the datagram they quote.
 */
#include "icmp.h"
#include "wire.h"
#include "checksum.h"
#include "udp.h"
#include "tcp.h"

/*
 * Token bucket kept in nanoseconds of credit: one error costs interval_ns
 * (1 s / icmp_rate_per_sec), the bucket holds at most icmp_burst errors'
 * worth and refills with elapsed time. No 64-bit division is needed.
 */
struct icmp_state {
	axip_time_ns last;   /* s->now at the last refill */
	axip_u64 credit_ns;
	axip_u64 cap_ns;
	axip_u32 interval_ns;
};

/* RFC 1812 4.3.2.3: an ICMP error carries as much of the offending datagram
 * as fits in 576 bytes. RFC 1122 3.2.2 only requires the header + 8 octets;
 * more lets the receiver match the quote with any transport. */
#define ICMP_ERR_MAX_DATAGRAM 576u

void icmp_carve(struct axip_stack *s, struct carve *c)
{
	struct icmp_state *st = CARVE_ARRAY(c, struct icmp_state, 1);
	if (carve_dry(c))
		return;
	st->interval_ns = s->cfg.icmp_rate_per_sec ? 1000000000u / s->cfg.icmp_rate_per_sec : 0;
	st->cap_ns = (axip_u64)s->cfg.icmp_burst * st->interval_ns;
	st->credit_ns = st->cap_ns; /* start with a full bucket */
	st->last = 0;
	s->icmp = st;
}

/* 1 if an error may be sent now (and takes its token). */
static int rate_take(struct axip_stack *s)
{
	struct icmp_state *st = s->icmp;
	axip_time_ns elapsed = s->now - st->last;
	if (s->cfg.icmp_rate_per_sec == 0)
		return 0; /* documented: 0 disables ICMP errors */
	st->last = s->now;
	if (elapsed >= st->cap_ns - st->credit_ns)
		st->credit_ns = st->cap_ns;
	else
		st->credit_ns += elapsed;
	if (st->credit_ns < st->interval_ns)
		return 0;
	st->credit_ns -= st->interval_ns;
	return 1;
}

/* RFC 792: the query types. Every other type is (or may be) an error. */
static int icmp_type_is_query(axip_u8 type)
{
	return type == ICMP_ECHO_REPLY || type == ICMP_ECHO_REQUEST || (type >= 13u && type <= 18u);
}

/* RFC 1122 3.2.2: addresses that do not name one host. */
static int addr_not_unicast(const struct axip_stack *s, axip_u32 a)
{
	return (a >> 24) == 0 || (a >> 24) == 127u || (a >> 28) >= 14u || ipv4_is_broadcast(s, a);
}

void icmp_send_error(struct axip_stack *s, const struct axip_pkt *orig,
                     const struct ipv4_rx_info *ip, axip_u8 type, axip_u8 code, axip_u16 mtu)
{
	axip_u32 l4_len = axip_pkt_chain_len(orig);
	axip_u32 quote, room;
	struct axip_pkt *q;
	axip_u8 *m;

	/* RFC 1122 3.2.2: never about a datagram to a broadcast or multicast
	 * address, from an address that is not one host, or that is a
	 * non-initial fragment. (A unicast datagram in a link-layer broadcast
	 * frame cannot be recognised here: the Ethernet header is gone.) */
	if (ip->dst_is_broadcast || addr_not_unicast(s, ip->dst) || addr_not_unicast(s, ip->src))
		return;
	if ((load_be16(ip->hdr + IP_OFF_FRAG) & IP_FRAG_MASK) != 0)
		return;
	/* ... nor about an ICMP error message */
	if (ip->proto == IP_PROTO_ICMP) {
		axip_u8 t;
		if (axip_pkt_copy_out(orig, 0, &t, 1) != 1 || !icmp_type_is_query(t))
			return;
	}
	/* RFC 1812 4.3.2.8 / RFC 1122 3.2.2: limit the rate of errors */
	if (!rate_take(s)) {
		CTR_INC(s, icmp_rate_limited);
		return;
	}
	quote = ICMP_ERR_MAX_DATAGRAM - IP_HLEN - ICMP_HLEN - ip->hdr_len;
	if (quote > l4_len)
		quote = l4_len;
	q = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	if (!q)
		return; /* counted by the allocator */
	room = q->tailroom;
	if (room < ICMP_HLEN + ip->hdr_len + (l4_len < 8u ? l4_len : 8u)) {
		/* buffers cannot even hold the mandatory quote (header + 8 octets) */
		CTR_INC(s, ip_tx_no_headroom);
		axip_pkt_free(s, q);
		return;
	}
	if (quote > room - ICMP_HLEN - ip->hdr_len)
		quote = room - ICMP_HLEN - ip->hdr_len;
	m = q->data;
	m[0] = type;
	m[1] = code;
	store_be16(m + 2, 0);
	store_be16(m + 4, 0);
	/* RFC 1191: Fragmentation Needed carries the next-hop MTU */
	store_be16(m + 6, type == ICMP_DEST_UNREACH && code == ICMP_CODE_FRAG_NEEDED ? mtu : 0);
	mem_copy(m + ICMP_HLEN, ip->hdr, ip->hdr_len);
	axip_pkt_copy_out(orig, 0, m + ICMP_HLEN + ip->hdr_len, quote);
	q->len = ICMP_HLEN + ip->hdr_len + quote;
	q->tailroom -= q->len;
	store_be16(m + 2, csum_fold(csum_add_bytes(0, m, q->len)));
	/* the source is the address the offending datagram was sent to */
	if (ipv4_output(s, q, ipv4_is_local(s, ip->dst) ? ip->dst : 0, ip->src, IP_PROTO_ICMP, 0) !=
	    AXIP_OK)
		return;
	if (type == ICMP_DEST_UNREACH)
		CTR_INC(s, icmp_tx_unreach);
	else
		CTR_INC(s, icmp_tx_error_other);
}

/* Buffers in a chain. */
static axip_u32 chain_segs(const struct axip_pkt *p)
{
	axip_u32 n = 0;
	for (; p; p = p->sg_next)
		n++;
	return n;
}

/*
 * RFC 792 / RFC 1122 3.2.2.6: answer with the same identifier, sequence
 * number and data, from the address the request was sent to. The reply is
 * built in place (type and checksum changed, RFC 1624 update). A multi-buffer
 * request is copied into one buffer when the environment cannot send a chain
 * and the reply leaves in one frame (fragmentation copies anyway). IP options
 * of the request (Record Route, Timestamp) are not echoed: the output path
 * sends no options.
 */
static void echo_reply(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip,
                       axip_u32 len)
{
	axip_u16 old_word, check;

	CTR_INC(s, icmp_rx_echo);
	if (ip->dst_is_broadcast) {
		/* RFC 1122 3.2.2.6 allows silent discard; answering would make
		 * this host a broadcast amplifier */
		CTR_INC(s, icmp_rx_echo_bcast);
		axip_pkt_free(s, p);
		return;
	}
	old_word = load_be16(p->data);
	check = load_be16(p->data + 2);
	p->data[0] = ICMP_ECHO_REPLY;
	p->data[1] = 0;
	store_be16(p->data + 2, csum_update16(check, old_word, load_be16(p->data)));
	if (p->sg_next && len + IP_HLEN <= s->cfg.mtu &&
	    !((s->env.caps & AXIP_CAP_SG) && chain_segs(p) <= s->env.sg_max)) {
		struct axip_pkt *q = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
		if (!q) {
			axip_pkt_free(s, p); /* counted by the allocator */
			return;
		}
		if (q->tailroom >= len) {
			axip_pkt_copy_out(p, 0, q->data, len);
			q->len = len;
			q->tailroom -= len;
			axip_pkt_free(s, p);
			p = q;
		} else {
			/* no buffer holds it: the chain goes out and the
			 * environment accepts or refuses it (tx_env_drop) */
			axip_pkt_free(s, q);
		}
	}
	/* receive marks do not describe the reply */
	p->flags = 0;
	if (ipv4_output(s, p, ip->dst, ip->src, IP_PROTO_ICMP, 0) == AXIP_OK)
		CTR_INC(s, icmp_tx_echo_reply);
}

/* RFC 1122 3.2.2: pass an error to the transport of the quoted datagram. */
static void error_input(struct axip_stack *s, struct axip_pkt *p, axip_u32 len)
{
	struct icmp_err_info e;
	const axip_u8 *qh;
	axip_u32 qihl;

	/* the quote must hold an IPv4 header and 8 octets of its payload (RFC 792) */
	if (len < ICMP_HLEN + IP_HLEN + 8u) {
		CTR_INC(s, icmp_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	if (pkt_linearize(s, p, ICMP_HLEN + IP_HLEN) != 0) {
		CTR_INC(s, eth_rx_sg_unsupported);
		axip_pkt_free(s, p);
		return;
	}
	qh = p->data + ICMP_HLEN;
	qihl = (axip_u32)(qh[IP_OFF_VER_IHL] & 0x0fu) * 4u;
	if ((qh[IP_OFF_VER_IHL] >> 4) != 4u || qihl < IP_HLEN || len < ICMP_HLEN + qihl + 8u) {
		CTR_INC(s, icmp_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	if (pkt_linearize(s, p, ICMP_HLEN + qihl + 8u) != 0) {
		CTR_INC(s, eth_rx_sg_unsupported);
		axip_pkt_free(s, p);
		return;
	}
	qh = p->data + ICMP_HLEN;
	e.type = p->data[0];
	e.code = p->data[1];
	e.mtu = (axip_u16)(e.type == ICMP_DEST_UNREACH && e.code == ICMP_CODE_FRAG_NEEDED
	                       ? load_be16(p->data + 6) : 0);
	e.quoted = qh;
	e.quoted_len = p->len - ICMP_HLEN;
	e.quoted_ihl = qihl;
	/* only a datagram we sent can concern a local transport */
	if (!ipv4_is_local(s, load_be32(qh + IP_OFF_SRC))) {
		CTR_INC(s, icmp_rx_error_ignored);
		axip_pkt_free(s, p);
		return;
	}
	switch (qh[IP_OFF_PROTO]) {
	case IP_PROTO_TCP:
		CTR_INC(s, icmp_rx_error);
		tcp_icmp_error(s, &e);
		break;
	case IP_PROTO_UDP:
		CTR_INC(s, icmp_rx_error);
		udp_icmp_error(s, &e);
		break;
	default:
		CTR_INC(s, icmp_rx_error_ignored);
		break;
	}
	axip_pkt_free(s, p);
}

void icmp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip)
{
	axip_u32 len = axip_pkt_chain_len(p);

	CTR_INC(s, icmp_rx);
	if (len < ICMP_HLEN) {
		CTR_INC(s, icmp_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	if (pkt_linearize(s, p, ICMP_HLEN) != 0) {
		CTR_INC(s, eth_rx_sg_unsupported);
		axip_pkt_free(s, p);
		return;
	}
	/* RFC 792: the checksum covers the whole ICMP message; l4_csum_ok is
	 * only ever set for ICMP on a link declared trusted */
	if (!ip->l4_csum_ok && csum_fold(csum_add_chain(0, p, 0, len)) != 0) {
		CTR_INC(s, icmp_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	switch (p->data[0]) {
	case ICMP_ECHO_REQUEST:
		echo_reply(s, p, ip, len);
		return;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAM_PROBLEM:
		error_input(s, p, len);
		return;
	case ICMP_SOURCE_QUENCH:
		/* RFC 6633: hosts MUST silently ignore Source Quench */
		CTR_INC(s, icmp_rx_error_ignored);
		break;
	default:
		/* echo replies (we send no requests), redirects (the route is
		 * static configuration), timestamps and the rest */
		CTR_INC(s, icmp_rx_unknown_type);
		break;
	}
	axip_pkt_free(s, p);
}
