/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_output.c - segment construction and the send decision: segmentation to
 * the MSS, Nagle (RFC 9293 3.7.4) and AXIP_TCP_MORE corking, sender and
 * receiver silly-window avoidance (RFC 9293 3.8.6.2), window updates,
 * zero-window probes (3.8.6.1), checksum in software or offloaded, payload
 * copied or attached by reference (scatter-gather).
 */
#include "tcp_internal.h"
#include "tcp_isn.h"
#include "checksum.h"
#include "wire.h"

axip_u32 tcp_ts_now(const struct axip_stack *s)
{
	return (axip_u32)(s->now >> TCP_TS_SHIFT);
}

axip_u32 tcp_our_mss(const struct axip_stack *s, axip_u8 family)
{
	/* RFC 9293 3.7.1: MTU - IP and TCP headers; RFC 8200 8.3: the IPv6
	 * header is 40 bytes, so MTU - 60 */
	axip_u32 m = s->cfg.mtu - (family == 6u ? 60u : 40u);
	return m > 65535u ? 65535u : m;
}

/* Copy payload after the (not yet pushed) header: returns bytes copied. */
static axip_u32 payload_copy(struct axip_tcp *c, struct axip_pkt *p, axip_u32 off, axip_u32 len)
{
	axip_u32 boff, done = 0;
	struct axip_pkt *b;
	len = min_u32(len, p->tailroom);
	b = tcp_sndq_seek(c, off, &boff);
	while (b && done < len) {
		axip_u32 n = min_u32(b->len - boff, len - done);
		mem_copy(p->data + p->len + done, b->data + boff, n);
		done += n;
		b = b->next;
		boff = 0;
	}
	p->len += done;
	p->tailroom -= done;
	return done;
}

/* Attach views of queue buffers behind the header buffer (AXIP_CAP_SG). */
static axip_u32 payload_views(struct axip_stack *s, struct axip_tcp *c, struct axip_pkt *p,
                              axip_u32 off, axip_u32 len)
{
	axip_u32 boff, done = 0, pieces = 1;
	struct axip_pkt *b = tcp_sndq_seek(c, off, &boff), *tail = p;
	while (b && done < len && pieces < s->env.sg_max) {
		struct axip_pkt *v = pkt_clone_one(s, b);
		axip_u32 n = min_u32(b->len - boff, len - done);
		if (!v)
			break;
		v->data += boff;
		v->len = n;
		v->flags = 0;
		tail->sg_next = v;
		tail = v;
		done += n;
		pieces++;
		b = b->next;
		boff = 0;
	}
	return done;
}

struct tx_hdr {
	axip_u8 family;                  /* 4 or 6 */
	axip_u32 laddr, raddr;           /* IPv4 */
	const axip_u8 *laddr6, *raddr6;  /* IPv6 (family 6) */
	axip_u16 lport, rport;
	axip_u32 seq, ack;
	axip_u8 flags;
	axip_u16 wnd;
	axip_u32 optlen;
	axip_u8 opt[40];
};

/* Build and send one segment; payload [off, off+len) of c's queue.
 * Returns payload bytes sent or a negative error (nothing sent:
 * AXIP_E_NOMEM, AXIP_E_NOBUFS, or AXIP_E_MSGSIZE above the IPv6 path MTU). */
static int emit(struct axip_stack *s, const struct tx_hdr *t, struct axip_tcp *c, axip_u32 off,
                axip_u32 len)
{
	axip_u8 flags = t->flags;
	struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	axip_u32 hlen = TCP_HLEN + t->optlen, sent = 0, sum;
	axip_u8 *h;
	int rc;

	if (!p)
		return AXIP_E_NOBUFS;
	if (len) {
		if ((s->env.caps & AXIP_CAP_SG) && s->env.sg_max >= 2u)
			sent = payload_views(s, c, p, off, len);
		else
			sent = payload_copy(c, p, off, len);
		if (sent == 0) {
			axip_pkt_free(s, p);
			return AXIP_E_NOBUFS;
		}
		/* cut short by buffer room: the stream does not end here */
		if (sent < len)
			flags &= (axip_u8)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
	}
	h = pkt_push(p, hlen);
	if (!h) {
		axip_pkt_free(s, p);
		return AXIP_E_NOBUFS;
	}
	store_be16(h + TCP_OFF_SPORT, t->lport);
	store_be16(h + TCP_OFF_DPORT, t->rport);
	store_be32(h + TCP_OFF_SEQ, t->seq);
	store_be32(h + TCP_OFF_ACK, t->ack);
	h[TCP_OFF_DOFF] = (axip_u8)((hlen >> 2) << 4);
	h[TCP_OFF_FLAGS] = flags;
	store_be16(h + TCP_OFF_WIN, t->wnd);
	store_be16(h + TCP_OFF_CSUM, 0);
	store_be16(h + TCP_OFF_URG, 0);
	if (t->optlen)
		mem_copy(h + TCP_HLEN, t->opt, t->optlen);
	/* RFC 9293 3.1 / RFC 8200 8.1: the pseudo-header of the family */
	if (t->family == 6u)
		sum = csum_pseudo6(t->laddr6, t->raddr6, IP6_NH_TCP, hlen + sent);
	else
		sum = csum_pseudo(t->laddr, t->raddr, IP_PROTO_TCP, hlen + sent);
	if (s->env.caps & AXIP_CAP_TX_L4_CSUM) {
		/* the NIC completes the sum from csum_start (Ethernet + IP header;
		 * an IPv6 segment is never fragmented: IPV6_TX_DONTFRAG) */
		store_be16(h + TCP_OFF_CSUM, csum_fold_raw(sum));
		p->flags |= AXIP_PKT_TX_L4_CSUM;
		p->csum_start = (axip_u16)(ETH_HLEN + (t->family == 6u ? IP6_HLEN : IP_HLEN));
		p->csum_offset = (axip_u16)TCP_OFF_CSUM;
	} else {
		store_be16(h + TCP_OFF_CSUM, csum_fold(csum_add_chain(sum, p, 0, hlen + sent)));
	}
	CTR_INC(s, tcp_tx);
	if (t->flags & TCP_FLAG_RST)
		CTR_INC(s, tcp_tx_rst);
	if (t->family == 6u)
		/* through ND resolution and the path MTU (RFC 8201: never
		 * fragmented at the source; the MSS follows the path MTU) */
		rc = ipv6_output(s, p, t->laddr6, t->raddr6, IP6_NH_TCP, 0, IPV6_TX_DONTFRAG);
	else
		rc = ipv4_output(s, p, t->laddr, t->raddr, IP_PROTO_TCP, IPV4_TX_DF);
	if (rc != AXIP_OK &&
	    (rc == AXIP_E_NOMEM || rc == AXIP_E_NOBUFS || (rc == AXIP_E_MSGSIZE && t->family == 6u)))
		return rc;
	/* other failures (no route, neighbour unresolved) count as losses */
	return (int)sent;
}

/* ---- receive window (RFC 9293 3.8.6.2.2, RFC 7323 2.3) ---- */

static axip_u32 rcv_space(const struct axip_tcp *c)
{
	return c->rcv_held >= c->rcvbuf ? 0 : c->rcvbuf - c->rcv_held;
}

axip_u32 tcp_rcv_wnd_field(struct axip_tcp *c)
{
	axip_u32 right = c->rcv_nxt + rcv_space(c);
	axip_u32 thresh = min_u32(c->rcvbuf >> 1, c->rcv_mss);
	axip_u32 edge = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv : c->rcv_nxt;
	axip_u32 win, field, mask = (1u << c->rcv_ws) - 1u;

	/* receiver SWS avoidance: move the right edge only by a useful amount;
	 * never move it left (RFC 9293 3.8.6.2.2 / 3.10.7.4 window shrinking) */
	if (SEQ_GT(right, edge) && right - edge >= thresh)
		edge = right;
	win = edge - c->rcv_nxt;
	field = (win + mask) >> c->rcv_ws;
	if (field > 65535u)
		field = 65535u;
	if (SEQ_GT(c->rcv_nxt + (field << c->rcv_ws), c->rcv_adv))
		c->rcv_adv = c->rcv_nxt + (field << c->rcv_ws);
	return field;
}

void tcp_window_update(struct axip_tcp *c)
{
	axip_u32 right, edge, thresh;
	if (c->flags & (TF_DEAD | TF_FIN_RCVD))
		return;
	if (c->state != AXIP_TCP_ESTABLISHED && c->state != AXIP_TCP_FIN_WAIT_1 &&
	    c->state != AXIP_TCP_FIN_WAIT_2)
		return;
	right = c->rcv_nxt + rcv_space(c);
	edge = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv : c->rcv_nxt;
	/* window update when the application released at least 2*MSS or half
	 * the buffer (RFC 9293 3.8.6.2.2) */
	thresh = min_u32(2u * c->rcv_mss, c->rcvbuf >> 1);
	if (SEQ_GT(right, edge) && right - edge >= thresh)
		tcp_send_ack(c);
}

/* ---- segments of a connection ---- */

static void fill_hdr(struct axip_tcp *c, struct tx_hdr *t, axip_u32 seq, axip_u8 flags,
                     axip_u32 nsack)
{
	const struct tcp_range *blocks = c->rsack;
	struct tcp_range with_dsack[4];
	axip_u32 i;
	if (nsack && (c->flags & TF_DSACK_TX)) {
		/* RFC 2883 4: the duplicate goes first, then the usual blocks */
		with_dsack[0] = c->dsack;
		for (i = 1; i < nsack && i < 4u; i++)
			with_dsack[i] = c->rsack[i - 1u];
		blocks = with_dsack;
		if (flags & TCP_FLAG_ACK) {
			c->flags &= ~TF_DSACK_TX; /* reported once */
			CTR_INC(c->s, tcp_tx_dsack);
		}
	}
	t->family = c->family;
	t->laddr = c->laddr;
	t->raddr = c->raddr;
	t->laddr6 = c->laddr6;
	t->raddr6 = c->raddr6;
	t->lport = c->lport;
	t->rport = c->rport;
	t->seq = seq;
	t->ack = (flags & TCP_FLAG_ACK) ? c->rcv_nxt : 0;
	t->flags = flags;
	t->wnd = (axip_u16)tcp_rcv_wnd_field(c);
	t->optlen = tcp_opts_data(t->opt, (c->flags & TF_TS) != 0,
	                          tcp_ts_now(c->s) + c->ts_offset, c->ts_recent, blocks, nsack);
	if (flags & TCP_FLAG_ACK) {
		c->last_ack_sent = c->rcv_nxt;
		/* an ACK is going out: nothing left to delay */
		c->rcv_unacked = 0;
		c->flags &= ~TF_ACK_NOW;
		if (c->t_delack) {
			c->t_delack = 0;
			tcp_timer_update(c);
		}
	}
}

static axip_u32 sack_blocks(const struct axip_tcp *c)
{
	axip_u32 max = (c->flags & TF_TS) ? 3u : 4u;
	axip_u32 n = c->n_rsack + ((c->flags & TF_DSACK_TX) ? 1u : 0);
	if (!(c->flags & TF_SACK))
		return 0;
	return n < max ? n : max;
}

axip_u32 tcp_send_seg(struct axip_tcp *c, axip_u32 seq, axip_u32 len)
{
	struct tx_hdr t;
	axip_u32 end = c->snd_una + c->sndq_len;
	axip_u32 edge = c->snd_una + c->snd_wnd;
	int fin;
	axip_u8 flags = TCP_FLAG_ACK;
	int rc;

	/* RFC 9293 3.8.6.2.1: send only within SND.UNA + SND.WND. New data is
	 * cut to the window by its callers; a retransmission is cut here, as the
	 * window may have shrunk since the first transmission (a peer whose
	 * application stopped reading). The segment at SND.UNA may still go out
	 * whole when no byte fits, like a zero-window probe (RFC 9293 3.8.6.1). */
	if (len && SEQ_LT(seq, c->snd_max)) {
		if (SEQ_GT(seq + len, edge) && SEQ_LT(seq, edge))
			len = edge - seq;
		else if (SEQ_GEQ(seq, edge) && seq != c->snd_una)
			return 0;
	}
	fin = (c->flags & TF_SHUT_WR) && seq + len == end;
	if (len == 0 && !fin)
		return 0;
	if (fin)
		flags |= TCP_FLAG_FIN;
	if (len && seq + len == end)
		flags |= TCP_FLAG_PSH;
	fill_hdr(c, &t, seq, flags, sack_blocks(c));
	rc = emit(c->s, &t, c, seq - c->snd_una, len);
	if (rc < 0) {
		/* RFC 8201 5.2: the IPv6 path MTU cache went below the segment
		 * (a Packet Too Big about another connection to the peer):
		 * follow it and send again at the new size, once per lowering */
		if (rc == AXIP_E_MSGSIZE && tcp_mss_lower(c, ipv6_pmtu(c->s, c->raddr6) - 60u))
			return tcp_send_seg(c, seq, min_u32(len, tcp_seg_max(c)));
		return 0;
	}
	c->segs_out++;
	c->bytes_sent += (axip_u32)rc;
	if (rc > 0 && (c->flags & TF_SACK))
		tcp_rack_sent(c, seq, (axip_u32)rc, SEQ_LT(seq, c->snd_max));
	if (SEQ_LT(seq, c->snd_max)) {
		c->n_retrans++;
		CTR_INC(c->s, tcp_retransmit);
		/* Karn: a retransmission spoils the timed sample */
		if ((c->flags & TF_RTT_TIMING) && SEQ_LEQ(seq, c->rtt_seq))
			c->flags &= ~TF_RTT_TIMING;
	}
	c->last_send = c->s->now;
	return (axip_u32)rc + ((fin && (axip_u32)rc == len) ? 1u : 0);
}

/*
 * Sequence number of a segment without data: SND.NXT (RFC 9293 3.4), but
 * never beyond the right edge of the peer's window. Data sent past an edge
 * that later shrank would otherwise put every ACK outside the peer's window,
 * where it is dropped unread (RFC 9293 3.10.7.4) and the connection stalls;
 * Linux does the same (tcp_acceptable_seq).
 */
static axip_u32 acceptable_seq(const struct axip_tcp *c)
{
	axip_u32 edge = c->snd_una + c->snd_wnd;
	return SEQ_GT(c->snd_max, edge) && c->snd_wnd ? edge : c->snd_max;
}

void tcp_send_ack(struct axip_tcp *c)
{
	struct tx_hdr t;
	if (c->flags & TF_DEAD)
		return;
	fill_hdr(c, &t, acceptable_seq(c), TCP_FLAG_ACK, sack_blocks(c));
	if (emit(c->s, &t, AXIP_NULL, 0, 0) >= 0)
		c->segs_out++;
}

/* Keepalive probe: one byte below snd_una, no data (RFC 9293 3.8.4). */
void tcp_send_keepalive(struct axip_tcp *c)
{
	struct tx_hdr t;
	fill_hdr(c, &t, c->snd_una - 1u, TCP_FLAG_ACK, 0);
	if (emit(c->s, &t, AXIP_NULL, 0, 0) >= 0)
		c->segs_out++;
}

void tcp_send_syn(struct axip_tcp *c)
{
	struct tx_hdr t;
	int active = c->state == AXIP_TCP_SYN_SENT;
	axip_u32 tsval = tcp_ts_now(c->s) + c->ts_offset;
	axip_u32 w = c->rcvbuf > 65535u ? 65535u : c->rcvbuf;

	t.family = c->family;
	t.laddr = c->laddr;
	t.raddr = c->raddr;
	t.laddr6 = c->laddr6;
	t.raddr6 = c->raddr6;
	t.lport = c->lport;
	t.rport = c->rport;
	t.seq = c->iss;
	t.ack = active ? 0 : c->rcv_nxt;
	t.flags = active ? TCP_FLAG_SYN : (TCP_FLAG_SYN | TCP_FLAG_ACK);
	/* RFC 7323 2.2: the window of a SYN is never scaled */
	t.wnd = (axip_u16)w;
	if (active) {
		t.optlen = tcp_opts_syn(t.opt, (axip_u16)c->rcv_mss, 1, c->rcv_ws, 1, 1, tsval, 0);
	} else {
		t.optlen = tcp_opts_syn(t.opt, (axip_u16)c->rcv_mss, (c->flags & TF_WS) != 0, c->rcv_ws,
		                        (c->flags & TF_SACK) != 0, (c->flags & TF_TS) != 0, tsval,
		                        c->ts_recent);
		if (SEQ_GT(c->rcv_nxt + w, c->rcv_adv))
			c->rcv_adv = c->rcv_nxt + w;
		c->last_ack_sent = c->rcv_nxt;
	}
	if (emit(c->s, &t, AXIP_NULL, 0, 0) >= 0)
		c->segs_out++;
	c->last_send = c->s->now;
}

void tcp_send_rst_conn(struct axip_tcp *c)
{
	struct tx_hdr t;
	t.family = c->family;
	t.laddr = c->laddr;
	t.raddr = c->raddr;
	t.laddr6 = c->laddr6;
	t.raddr6 = c->raddr6;
	t.lport = c->lport;
	t.rport = c->rport;
	/* snd_max: the peer's RCV.NXT may already be past a rewound snd_nxt */
	t.seq = c->snd_max;
	t.ack = c->rcv_nxt;
	t.flags = TCP_FLAG_RST | TCP_FLAG_ACK;
	t.wnd = 0;
	t.optlen = 0;
	(void)emit(c->s, &t, AXIP_NULL, 0, 0);
}

/* Header fields of a reply to a received segment: from its destination
 * to its source, either family. */
static void reply_ends(struct tx_hdr *t, const struct tcp_ip *ip)
{
	t->family = ip->family;
	t->laddr = ip->local;
	t->raddr = ip->remote;
	t->laddr6 = ip->local6;
	t->raddr6 = ip->remote6;
}

void tcp_send_rst_reply(struct axip_stack *s, const struct tcp_ip *ip, axip_u16 lport,
                        axip_u16 rport, const struct tcp_seg *g)
{
	struct tx_hdr t;
	/* RFC 9293 3.10.7.1: never answer a RST */
	if (g->flags & TCP_FLAG_RST)
		return;
	reply_ends(&t, ip);
	t.lport = lport;
	t.rport = rport;
	if (g->flags & TCP_FLAG_ACK) {
		t.seq = g->ack;
		t.ack = 0;
		t.flags = TCP_FLAG_RST;
	} else {
		t.seq = 0;
		t.ack = g->seq + g->len + ((g->flags & TCP_FLAG_SYN) ? 1u : 0) +
		        ((g->flags & TCP_FLAG_FIN) ? 1u : 0);
		t.flags = TCP_FLAG_RST | TCP_FLAG_ACK;
	}
	t.wnd = 0;
	t.optlen = 0;
	(void)emit(s, &t, AXIP_NULL, 0, 0);
}

void tcp_send_cookie_synack(struct axip_stack *s, struct axip_tcp_listener *l,
                            const struct tcp_ip *ip, axip_u16 rport, const struct tcp_seg *g)
{
	struct tx_hdr t;
	axip_u32 rcvbuf = l->opts.rcvbuf ? l->opts.rcvbuf : s->cfg.tcp_rcvbuf;
	axip_u16 peer_mss = (g->o.have & TCPO_MSS) ? g->o.mss : (axip_u16)TCP_MSS_DEFAULT;
	int ts = (g->o.have & TCPO_TS) != 0;
	axip_u8 peer_ws = (g->o.have & TCPO_WS) ? (g->o.ws > TCP_MAX_WS ? (axip_u8)TCP_MAX_WS : g->o.ws)
	                                        : (axip_u8)0xf;
	axip_u32 tsval = 0, our_mss = tcp_our_mss(s, ip->family);
	const axip_u8 *key = s->cfg.secret;

	if (peer_mss > our_mss)
		peer_mss = (axip_u16)our_mss;
	reply_ends(&t, ip);
	t.lport = l->port;
	t.rport = rport;
	/* the cookie covers the tuple of the SYN's family (RFC 4987 3.6) */
	if (ip->family == 6u)
		t.seq = tcp_syncookie_make6(key, ip->local6, l->port, ip->remote6, rport, g->seq,
		                            peer_mss, s->now);
	else
		t.seq = tcp_syncookie_make(key, ip->local, l->port, ip->remote, rport, g->seq, peer_mss,
		                           s->now);
	t.ack = g->seq + 1u;
	t.flags = TCP_FLAG_SYN | TCP_FLAG_ACK;
	t.wnd = (axip_u16)(rcvbuf > 65535u ? 65535u : rcvbuf);
	if (ts) {
		/* window scale and SACK-permitted travel in the low TSval bits */
		axip_u32 off = ip->family == 6u
		                   ? (axip_u32)tcp_tuple_hash6(key, ip->remote6, rport, ip->local6, l->port)
		                   : (axip_u32)tcp_tuple_hash(key, ip->remote, rport, ip->local, l->port);
		tsval = ((tcp_ts_now(s) + off) & ~0x3fu) |
		        tcp_syncookie_ts_bits(peer_ws, (g->o.have & TCPO_SACK_OK) ? 1 : 0);
	}
	/* without timestamps a cookie cannot carry WS/SACK: offer neither */
	t.optlen = tcp_opts_syn(t.opt, (axip_u16)our_mss, ts && peer_ws != 0xf,
	                        tcp_choose_ws(rcvbuf), ts && (g->o.have & TCPO_SACK_OK), ts, tsval,
	                        g->o.tsval);
	CTR_INC(s, tcp_syncookie_sent);
	(void)emit(s, &t, AXIP_NULL, 0, 0);
}

/* ---- the send decision ---- */

static int can_output(const struct axip_tcp *c)
{
	switch (c->state) {
	case AXIP_TCP_ESTABLISHED:
	case AXIP_TCP_CLOSE_WAIT:
	case AXIP_TCP_FIN_WAIT_1:
	case AXIP_TCP_CLOSING:
	case AXIP_TCP_LAST_ACK:
		return 1;
	default:
		return 0;
	}
}

/* Payload a segment starting now may carry. */
axip_u32 tcp_seg_max(const struct axip_tcp *c)
{
	axip_u32 opt = tcp_opts_len(c, sack_blocks(c));
	return c->mss_clamp > opt ? c->mss_clamp - opt : 1u;
}

static void sent_new(struct axip_tcp *c, axip_u32 seq, axip_u32 adv)
{
	if (SEQ_GEQ(seq, c->snd_max) && !(c->flags & TF_RTT_TIMING)) {
		/* time this segment (RFC 6298 3, Karn) */
		c->flags |= TF_RTT_TIMING;
		c->rtt_seq = seq;
		c->rtt_at = c->s->now;
	}
	c->snd_nxt = seq + adv;
	if (SEQ_GT(c->snd_nxt, c->snd_max))
		c->snd_max = c->snd_nxt;
}

/* Send one segment from snd_nxt of at most `len` payload bytes (the FIN
 * rides along when it ends the stream). Returns 1 if something was sent. */
int tcp_send_from_nxt(struct axip_tcp *c, axip_u32 len)
{
	axip_u32 seq = c->snd_nxt;
	axip_u32 adv = tcp_send_seg(c, seq, len);
	if (adv == 0)
		return 0;
	sent_new(c, seq, adv);
	return 1;
}

void tcp_output(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	axip_u32 guard;
	int corked = 0;

	if (c->flags & TF_DEAD)
		return;
	if (!can_output(c))
		goto ack;
	if ((c->flags & TF_RECOVERY) && (c->flags & TF_SACK)) {
		tcp_recovery_output(c);
		goto done;
	}
	/* RFC 5681 4.1: restart from the initial window after an idle RTO */
	if (c->snd_max == c->snd_una && c->cc_ops && s->now - c->last_send > tcp_rto_ns(c))
		c->cc_ops->on_idle(&c->cc);
	/* bounded: each pass sends a segment or stops */
	for (guard = 0; guard < 65536u; guard++) {
		axip_u32 end = c->snd_una + c->sndq_len;
		int fin_pending = (c->flags & TF_SHUT_WR) && SEQ_LEQ(c->snd_nxt, end);
		axip_u32 avail, wnd, flight, usable, len, smax;

		/* after a timeout, data the peer SACKed is not resent */
		if (SEQ_LT(c->snd_nxt, c->snd_max) && c->n_sacked) {
			axip_u32 k = tcp_sack_skip(c, c->snd_nxt);
			if (k != c->snd_nxt) {
				c->snd_nxt = SEQ_LT(k, c->snd_max) ? k : c->snd_max;
				continue;
			}
		}
		avail = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
		if (avail == 0 && !fin_pending)
			break;
		wnd = min_u32(c->snd_wnd, c->cc.cwnd + c->inflate);
		flight = c->snd_nxt - c->snd_una;
		usable = wnd > flight ? wnd - flight : 0;
		smax = tcp_seg_max(c);
		len = min_u32(min_u32(avail, smax), usable);
		if (avail && len == 0)
			break; /* window or cwnd closed */
		if (len < smax && avail) {
			if (len < avail) {
				/* sender SWS avoidance (3.8.6.2.1): a window-limited
				 * piece goes only if it is half the largest window */
				if (len < (c->max_snd_wnd >> 1))
					break;
			} else if (SEQ_GEQ(c->snd_nxt, c->snd_max) && !(c->flags & TF_SHUT_WR)) {
				/* the tail of the queue, new data */
				if (c->flags & TF_CORK) {
					corked = 1;
					break;
				}
				/* Nagle (3.7.4): one small segment outstanding at most,
				 * unless the application just uncorked (as Linux's
				 * TCP_NAGLE_PUSH: a cleared cork sends what it held) */
				if (!(c->flags & (TF_NODELAY | TF_PUSH)) && c->snd_max != c->snd_una)
					break;
			}
		}
		if (!tcp_send_from_nxt(c, len))
			break;
	}
done:
	c->flags &= ~TF_PUSH;
	if (c->snd_max != c->snd_una) {
		/* RFC 6298 5.1: data sent into an open window is watched by the
		 * retransmission timer, also where the persist timer ran before
		 * (its "probe answered" step would resend that data at once) */
		if (c->rtx_kind == RTX_NONE || (c->rtx_kind == RTX_PERSIST && c->snd_wnd > 0))
			tcp_rto_arm(c);
		tcp_tlp_schedule(c);
	} else if (c->rtx_kind == RTX_NONE && !corked &&
	           (SEQ_LT(c->snd_nxt, c->snd_una + c->sndq_len) ||
	            ((c->flags & TF_SHUT_WR) && !(c->flags & TF_FIN_ACKED)))) {
		/* data waits for a window with nothing in flight: probe (RFC 9293
		 * 3.8.6.1). Not for data the application corked: that waits for
		 * the application, not for the peer's window. */
		c->rtx_kind = RTX_PERSIST;
		c->t_rtx = s->now + tcp_rto_ns(c);
		tcp_timer_update(c);
	}
ack:
	if (c->flags & TF_ACK_NOW)
		tcp_send_ack(c);
}

void tcp_persist_probe(struct axip_tcp *c)
{
	axip_u32 end = c->snd_una + c->sndq_len, len;
	if (c->snd_wnd == 0) {
		/* one byte beyond the window; the receiver answers with its window */
		if (c->snd_max == c->snd_una && SEQ_LT(c->snd_una, end)) {
			c->snd_nxt = c->snd_una;
			(void)tcp_send_from_nxt(c, 1u);
		} else if (SEQ_LT(c->snd_una, end)) {
			(void)tcp_send_seg(c, c->snd_una, 1u);
		} else {
			tcp_send_ack(c);
		}
		CTR_INC(c->s, tcp_zero_window_probe);
		return;
	}
	/* override timeout (3.8.6.2.1): send what the small window allows */
	len = SEQ_LT(c->snd_nxt, end) ? end - c->snd_nxt : 0;
	len = min_u32(min_u32(len, c->snd_wnd), tcp_seg_max(c));
	(void)tcp_send_from_nxt(c, len);
}
