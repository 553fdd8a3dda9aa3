/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * icmp6.c - ICMPv6 for a host (RFC 4443): echo replies, errors sent under a
 * token-bucket rate limit, errors received (Packet Too Big lowers the path
 * MTU, RFC 8201; the rest handed to the transport of the quoted datagram),
 * neighbour discovery messages handed to nd6.c.
 */
#include "icmp6.h"
#include "nd6.h"
#include "udp.h"
#include "tcp.h"
#include "wire.h"
#include "checksum.h"

/* Token bucket in nanoseconds of credit, as icmp.c (its own bucket: the
 * two families do not starve each other). */
struct icmp6_state {
	axip_time_ns last;
	axip_u64 credit_ns;
	axip_u64 cap_ns;
	axip_u32 interval_ns;
};

void icmp6_carve(struct axip_stack *s, struct carve *c)
{
	struct icmp6_state *st;
	if (!s->cfg.ip6_enable)
		return;
	st = CARVE_ARRAY(c, struct icmp6_state, 1);
	if (carve_dry(c))
		return;
	st->interval_ns = s->cfg.icmp_rate_per_sec ? 1000000000u / s->cfg.icmp_rate_per_sec : 0;
	st->cap_ns = (axip_u64)s->cfg.icmp_burst * st->interval_ns;
	st->credit_ns = st->cap_ns;
	st->last = 0;
	s->icmp6 = st;
}

static int rate_take(struct axip_stack *s)
{
	struct icmp6_state *st = s->icmp6;
	axip_time_ns elapsed = s->now - st->last;
	if (s->cfg.icmp_rate_per_sec == 0)
		return 0;
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

/* RFC 4443 2.3: the checksum covers the pseudo-header and the message. */
static axip_u16 icmp6_csum(const axip_u8 *src, const axip_u8 *dst, const struct axip_pkt *p,
                           axip_u32 len)
{
	return csum_fold(csum_add_chain(csum_pseudo6(src, dst, IP6_NH_ICMP6, len), p, 0, len));
}

/* The quoted packet's headers: the upper-layer protocol and where it starts,
 * or 0 when the chain is not readable in the first `len` bytes. */
static int quoted_upper(const axip_u8 *q, axip_u32 len, axip_u8 *proto, axip_u32 *l4)
{
	axip_u32 off = IP6_HLEN, n;
	axip_u8 nh = q[IP6_OFF_NH];
	for (n = 0; n < 8u; n++) {
		if (nh == IP6_NH_HOPOPTS || nh == IP6_NH_ROUTING || nh == IP6_NH_DSTOPTS) {
			if (off + 2u > len)
				return 0;
			nh = q[off];
			off += ((axip_u32)q[off + 1] + 1u) * 8u;
		} else if (nh == IP6_NH_FRAGMENT) {
			if (off + IP6_FRAG_HLEN > len)
				return 0;
			if ((load_be16(q + off + 2u) & IP6_FRAG_OFF_MASK) != 0)
				break; /* a later fragment: no upper-layer header here */
			nh = q[off];
			off += IP6_FRAG_HLEN;
		} else {
			break;
		}
	}
	if (off > len)
		return 0;
	*proto = nh;
	*l4 = off;
	return 1;
}

void icmp6_send_error(struct axip_stack *s, const axip_u8 *hdr, axip_u32 hdr_len,
                      const struct axip_pkt *rest, axip_u8 type, axip_u8 code, axip_u32 param)
{
	const axip_u8 *osrc = hdr + IP6_OFF_SRC, *odst = hdr + IP6_OFF_DST;
	axip_u32 rest_len = rest ? axip_pkt_chain_len(rest) : 0;
	axip_u32 quote, room, l4;
	struct axip_pkt *q;
	axip_u8 *m, proto;
	const axip_u8 *src;

	if (!s->icmp6 || hdr_len < IP6_HLEN)
		return;
	/* RFC 4443 2.4 (e.1/e.2): never about an ICMPv6 error or a redirect */
	if (quoted_upper(hdr, hdr_len, &proto, &l4) && proto == IP6_NH_ICMP6) {
		axip_u8 t;
		if (l4 < hdr_len) {
			t = hdr[l4];
		} else if (!rest || axip_pkt_copy_out(rest, l4 - hdr_len, &t, 1) != 1) {
			/* the type is not in the packet, so it is not known to be
			 * an error: a first fragment that ends right before its
			 * ICMPv6 header is refused with code 3 (RFC 8200 4.5, RFC
			 * 7112 5); any other truncated packet stays unanswered */
			if (!(type == ICMP6_PARAM_PROBLEM && code == ICMP6_CODE_INCOMPLETE_CHAIN))
				return;
			t = ICMP6_ECHO_REQUEST;
		}
		if (t < 128u || t == ICMP6_REDIRECT)
			return;
	}
	/* (e.3/e.4): not about a packet to a multicast address or in a
	 * link-layer group frame, except Packet Too Big and Parameter Problem
	 * code 2 (the option type said so, RFC 8200 4.2) */
	if ((ip6_is_multicast(odst) || ipv6_rx_ll_multicast(s)) &&
	    !(type == ICMP6_PACKET_TOO_BIG ||
	      (type == ICMP6_PARAM_PROBLEM && code == ICMP6_CODE_BAD_OPTION)))
		return;
	/* (e.5): not to a source that names no single node */
	if (ip6_is_multicast(osrc) || ip6_is_unspecified(osrc) || ip6_is_loopback(osrc))
		return;
	/* (f): limit the rate */
	if (!rate_take(s)) {
		CTR_INC(s, icmp6_rate_limited);
		return;
	}
	q = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	if (!q)
		return;
	/* (c): as much of the packet as fits in the minimum MTU */
	quote = hdr_len + rest_len;
	if (quote > IP6_MIN_MTU - IP6_HLEN - ICMP6_HLEN)
		quote = IP6_MIN_MTU - IP6_HLEN - ICMP6_HLEN;
	room = q->tailroom;
	if (room < ICMP6_HLEN + IP6_HLEN) {
		CTR_INC(s, ip6_tx_no_headroom);
		axip_pkt_free(s, q);
		return;
	}
	if (quote > room - ICMP6_HLEN)
		quote = room - ICMP6_HLEN;
	m = q->data;
	m[0] = type;
	m[1] = code;
	store_be16(m + 2, 0);
	store_be32(m + 4, param);
	if (quote <= hdr_len) {
		mem_copy(m + ICMP6_HLEN, hdr, quote);
	} else {
		mem_copy(m + ICMP6_HLEN, hdr, hdr_len);
		axip_pkt_copy_out(rest, 0, m + ICMP6_HLEN + hdr_len, quote - hdr_len);
	}
	q->len = ICMP6_HLEN + quote;
	q->tailroom -= q->len;
	/* the source: the address the packet was sent to when that is ours,
	 * else one selected for the destination */
	src = ipv6_is_local(s, odst) ? odst : AXIP_NULL;
	{
		axip_u8 nexthop[16], sel[16];
		if (!src) {
			if (ipv6_route(s, osrc, nexthop, sel) != AXIP_OK || ip6_is_unspecified(sel)) {
				CTR_INC(s, ip6_tx_no_route);
				axip_pkt_free(s, q);
				return;
			}
			src = sel;
		}
		store_be16(m + 2, icmp6_csum(src, osrc, q, q->len));
		if (ipv6_output(s, q, src, osrc, IP6_NH_ICMP6, 0, 0) == AXIP_OK)
			CTR_INC(s, icmp6_tx_error);
	}
}

static axip_u32 chain_segs(const struct axip_pkt *p)
{
	axip_u32 n = 0;
	for (; p; p = p->sg_next)
		n++;
	return n;
}

/*
 * RFC 4443 4.2: the reply carries the request's identifier, sequence number
 * and data, built in place with a new checksum (the pseudo-header changes
 * when the request went to a multicast address). Its source is the
 * destination of the request when that is ours, else a unicast address of
 * ours (4.2: an echo to a multicast group SHOULD be answered).
 */
static void echo_reply(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip,
                       axip_u32 len)
{
	axip_u8 src[16], nexthop[16];
	CTR_INC(s, icmp6_rx_echo);
	if (ip6_is_unspecified(ip->src)) {
		CTR_INC(s, icmp6_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	if (ip->dst_multicast) {
		if (ipv6_route(s, ip->src, nexthop, src) != AXIP_OK || ip6_is_unspecified(src)) {
			CTR_INC(s, ip6_tx_no_route);
			axip_pkt_free(s, p);
			return;
		}
	} else {
		mem_copy(src, ip->dst, 16);
	}
	/* a multi-buffer request (reassembled, or split by the receiver) that
	 * leaves in one frame goes out as one buffer unless the environment
	 * takes chains (fragmentation copies anyway) */
	if (p->sg_next && len + IP6_HLEN <= ipv6_pmtu(s, ip->src) &&
	    !((s->env.caps & AXIP_CAP_SG) && chain_segs(p) <= s->env.sg_max)) {
		struct axip_pkt *q = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
		if (!q) {
			axip_pkt_free(s, p);
			return;
		}
		if (q->tailroom >= len) {
			axip_pkt_copy_out(p, 0, q->data, len);
			q->len = len;
			q->tailroom -= len;
			axip_pkt_free(s, p);
			p = q;
		} else {
			axip_pkt_free(s, q);
		}
	}
	p->data[0] = ICMP6_ECHO_REPLY;
	p->data[1] = 0;
	store_be16(p->data + 2, 0);
	/* receive marks do not describe the reply */
	p->flags = 0;
	store_be16(p->data + 2, icmp6_csum(src, ip->src, p, len));
	if (ipv6_output(s, p, src, ip->src, IP6_NH_ICMP6, 0, 0) == AXIP_OK)
		CTR_INC(s, icmp6_tx_echo_reply);
}

/* RFC 4443 2.4 (d)/3: an error about a packet we sent. */
static void error_input(struct axip_stack *s, struct axip_pkt *p, axip_u32 len)
{
	struct icmp6_err_info e;
	const axip_u8 *q;
	axip_u32 qlen = len - ICMP6_HLEN;

	/* the quote must hold at least the invoking packet's IPv6 header */
	if (len < ICMP6_HLEN + IP6_HLEN) {
		CTR_INC(s, icmp6_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	/* as much of the quote as the first buffer takes, at least the header */
	if (pkt_linearize(s, p, len) != 0 && pkt_linearize(s, p, ICMP6_HLEN + IP6_HLEN) != 0) {
		CTR_INC(s, eth_rx_sg_unsupported);
		axip_pkt_free(s, p);
		return;
	}
	if (qlen > p->len - ICMP6_HLEN)
		qlen = p->len - ICMP6_HLEN;
	q = p->data + ICMP6_HLEN;
	if ((q[IP6_OFF_VTF] >> 4) != 6u) {
		CTR_INC(s, icmp6_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	/* only a packet we sent can concern us */
	if (!ipv6_is_local(s, q + IP6_OFF_SRC)) {
		CTR_INC(s, icmp6_rx_error_ignored);
		axip_pkt_free(s, p);
		return;
	}
	e.type = p->data[0];
	e.code = p->data[1];
	e.param = load_be32(p->data + 4);
	e.quoted = q;
	e.quoted_len = qlen;
	if (e.type == ICMP6_PACKET_TOO_BIG) {
		CTR_INC(s, icmp6_rx_ptb);
		/* RFC 8201 4: a report of a next-hop MTU below the IPv6 minimum
		 * link MTU is discarded: neither the path MTU nor the transport
		 * hears of it */
		if (e.param < IP6_MIN_MTU) {
			CTR_INC(s, icmp6_rx_ptb_bad);
			axip_pkt_free(s, p);
			return;
		}
		/* lower the path MTU of the quoted destination */
		ipv6_pmtu_report(s, q + IP6_OFF_DST, e.param);
	}
	if (!quoted_upper(q, qlen, &e.proto, &e.quoted_l4)) {
		CTR_INC(s, icmp6_rx_error_ignored);
		axip_pkt_free(s, p);
		return;
	}
	/* RFC 4443 2.4 (d): hand the error to the transport it concerns.
	 * Those about our ICMPv6 messages are counted as delivered and go no
	 * further. */
	switch (e.proto) {
	case IP6_NH_UDP:
		CTR_INC(s, icmp6_rx_error);
		udp6_icmp_error(s, &e);
		break;
	case IP6_NH_TCP:
		CTR_INC(s, icmp6_rx_error);
		tcp6_icmp_error(s, &e);
		break;
	case IP6_NH_ICMP6:
		CTR_INC(s, icmp6_rx_error);
		break;
	default:
		CTR_INC(s, icmp6_rx_error_ignored);
		break;
	}
	axip_pkt_free(s, p);
}

void icmp6_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip)
{
	axip_u32 len = axip_pkt_chain_len(p);
	axip_u8 type;

	CTR_INC(s, icmp6_rx);
	if (len < 4u) {
		CTR_INC(s, icmp6_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	if (pkt_linearize(s, p, len < ICMP6_HLEN ? len : ICMP6_HLEN) != 0) {
		CTR_INC(s, eth_rx_sg_unsupported);
		axip_pkt_free(s, p);
		return;
	}
	/* RFC 4443 2.3/2.4: the checksum is mandatory */
	if (!ip->l4_csum_ok && icmp6_csum(ip->src, ip->dst, p, len) != 0) {
		CTR_INC(s, icmp6_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	type = p->data[0];
	if (type == ICMP6_NEIGH_SOLICIT || type == ICMP6_NEIGH_ADVERT) {
		nd6_input(s, p, ip, len);
		return;
	}
	/* the only traffic a tentative address takes is ND (RFC 4862 5.4) */
	if (!ip->dst_multicast && !ipv6_is_local(s, ip->dst)) {
		CTR_INC(s, ip6_rx_not_for_us);
		axip_pkt_free(s, p);
		return;
	}
	switch (type) {
	case ICMP6_ECHO_REQUEST:
		if (len < ICMP6_HLEN) {
			CTR_INC(s, icmp6_rx_bad);
			break;
		}
		echo_reply(s, p, ip, len);
		return;
	case ICMP6_ECHO_REPLY:
		CTR_INC(s, icmp6_rx_echo_reply);
		break;
	case ICMP6_DEST_UNREACH:
	case ICMP6_PACKET_TOO_BIG:
	case ICMP6_TIME_EXCEEDED:
	case ICMP6_PARAM_PROBLEM:
		error_input(s, p, len);
		return;
	default:
		/* RFC 4443 2.4 (a)/(b): unknown errors (types < 128) would go to
		 * the transport, unknown informational ones are discarded; router
		 * solicitations/advertisements, redirects and MLD are not acted on */
		if (type < 128u)
			CTR_INC(s, icmp6_rx_error_ignored);
		else
			CTR_INC(s, icmp6_rx_unknown_type);
		break;
	}
	axip_pkt_free(s, p);
}
