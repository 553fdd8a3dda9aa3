/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_input.c - segment arrival (RFC 9293 3.10.7) with RFC 5961 (RST, SYN
 * and ACK validation with rate-limited challenge ACKs), RFC 7323 PAWS,
 * SYN cookies, TIME-WAIT reuse (RFC 6191) and ICMP errors (RFC 5927).
 *
 * Call order for a segment of a connection:
 *
 *   eth_input -> ipv4_input -> tcp_input (checksum, header, options)
 *     -> tcp_lookup_rx, else tcp_listener_lookup -> passive_open / cookie_open
 *     -> conn_input
 *        -> tcp_segment_arrives           (TIME-WAIT reuse, RFC 6191)
 *           -> syn_sent_input             (3.10.7.3)
 *           -> sync_input                 (3.10.7.4, in the RFC's order:)
 *              tcp_syn_rcvd_repeat        our SYN-ACK was lost
 *              tcp_paws_reject            RFC 7323 5.3
 *              tcp_seq_check              first: sequence number
 *                (tcp_seq_acceptable)
 *              tcp_ts_recent_update       RFC 7323 4.3
 *              tcp_rst_input              second: RST (RFC 5961 3)
 *              tcp_syn_in_window          fourth: SYN (RFC 5961 4)
 *              tcp_syn_rcvd_ack           fifth: ACK in SYN-RECEIVED (-> accept fn)
 *              tcp_ack_input              fifth: ACK (RFC 5961 5, recovery, RACK)
 *              tcp_text_input             seventh: text (-> tcp_rcv_in_order,
 *                                         tcp_reass_insert)
 *              tcp_fin_input              eighth: FIN
 *        -> tcp_frame_end -> tcp_deliver_events (-> application: connected,
 *           sent, recv, peer_closed, closed)
 *        -> tcp_output                    what the segment and the answers allow
 *
 * While the segment is processed no application callback runs (except the
 * listener's accept function, whose answer decides whether the connection
 * exists): the steps queue events on the connection (tcp_event) and the
 * connection cannot vanish half-way. The events are delivered in one place
 * once the segment is through, in the order they arose.
 */
#include "tcp_internal.h"
#include "nd6.h"
#include "tcp_isn.h"
#include "checksum.h"
#include "wire.h"

static void drop(struct axip_stack *s, struct axip_pkt *p)
{
	axip_pkt_free(s, p);
}

void tcp_challenge_ack(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	struct tcp_state *t = s->tcp;
	/* RFC 5961 7: at most tcp_challenge_ack_per_sec per second, instance-wide */
	if (s->now - t->chack_start >= AXIP_SEC(1)) {
		t->chack_start = s->now;
		t->chack_count = 0;
	}
	if (t->chack_count >= s->cfg.tcp_challenge_ack_per_sec) {
		CTR_INC(s, tcp_challenge_ack_limited);
		return;
	}
	t->chack_count++;
	CTR_INC(s, tcp_challenge_ack);
	tcp_send_ack(c);
}

/* RFC 9293 3.10.7.3 / 3.10.7.4: a RST for an unacceptable ACK on
 * connection c (the segment's ends are the connection's). */
static void rst_reply_conn(struct axip_tcp *c, const struct tcp_seg *g)
{
	struct tcp_ip ip;
	tcp_conn_ip(c, &ip);
	tcp_send_rst_reply(c->s, &ip, c->lport, c->rport, g);
}

/* Is there a route back to the segment's source? Counted when not. */
static int route_back(struct axip_stack *s, const struct tcp_ip *ip)
{
	if (ip->family == 6u) {
		axip_u8 nexthop6[16], src6[16];
		if (ipv6_route(s, ip->remote6, nexthop6, src6) != AXIP_OK) {
			CTR_INC(s, ip6_tx_no_route);
			return 0;
		}
	} else {
		axip_u32 nexthop, src;
		if (ipv4_route(s, ip->remote, &nexthop, &src) != AXIP_OK) {
			CTR_INC(s, ip_tx_no_route);
			return 0;
		}
	}
	return 1;
}

/* RFC 9293 3.10.7.2: SYN to a listener creates a SYN-RECEIVED connection,
 * or, with the backlog (or the pool) full, a stateless cookie SYN-ACK. */
static void passive_open(struct axip_stack *s, struct axip_tcp_listener *l,
                         const struct tcp_ip *ip, axip_u16 sport, const struct tcp_seg *g)
{
	struct axip_tcp *c = AXIP_NULL;
	if (l->syn_count >= l->backlog) {
		CTR_INC(s, tcp_backlog_full);
	} else {
		c = tcp_conn_new(s, ip, l->port, sport, &l->opts);
	}
	if (!c) {
		l->cookies = 1;
		/* The SYN-ACK goes back to the SYN's source (RFC 9293 3.10.7.2).
		 * Without a route to it (RFC 1122 3.3.1) it could not leave:
		 * a flood from spoofed off-link sources then costs no cookie
		 * (RFC 4987 3.6) and no segment built only to be dropped. */
		if (!route_back(s, ip))
			return;
		tcp_send_cookie_synack(s, l, ip, sport, g);
		return;
	}
	c->listener = l;
	c->lprev = AXIP_NULL;
	c->lnext = l->embryo;
	if (l->embryo)
		l->embryo->lprev = c;
	l->embryo = c;
	l->syn_count++;
	c->state = AXIP_TCP_SYN_RECEIVED;
	c->irs = g->seq;
	c->rcv_nxt = g->seq + 1u;
	c->rcv_adv = c->rcv_nxt;
	tcp_conn_negotiate(c, &g->o);
	/* RFC 7323 2.2: the window of a SYN is not scaled */
	c->snd_wnd = g->wnd;
	c->max_snd_wnd = g->wnd;
	c->snd_wl1 = g->seq;
	c->snd_wl2 = c->iss;
	c->snd_nxt = c->snd_max = c->iss + 1u;
	c->flags |= TF_RTT_TIMING;
	c->rtt_seq = c->iss;
	c->rtt_at = s->now;
	tcp_send_syn(c);
	tcp_rto_arm(c);
}

/* The ACK completing a cookie handshake: rebuild the connection from it. */
static struct axip_tcp *cookie_open(struct axip_stack *s, struct axip_tcp_listener *l,
                                    const struct tcp_ip *ip, axip_u16 sport,
                                    const struct tcp_seg *g)
{
	struct axip_tcp *c;
	struct tcp_opts o;
	axip_u16 mss;

	int ok = ip->family == 6u
	             ? tcp_syncookie_check6(s->cfg.secret, ip->local6, l->port, ip->remote6, sport,
	                                    g->seq, g->ack, s->now, &mss)
	             : tcp_syncookie_check(s->cfg.secret, ip->local, l->port, ip->remote, sport,
	                                   g->seq, g->ack, s->now, &mss);
	if (!ok) {
		CTR_INC(s, tcp_syncookie_bad);
		return AXIP_NULL;
	}
	CTR_INC(s, tcp_syncookie_ok);
	c = tcp_conn_new(s, ip, l->port, sport, &l->opts);
	if (!c)
		return AXIP_NULL;
	mem_zero(&o, sizeof(o));
	o.have = TCPO_MSS;
	o.mss = mss;
	if (g->o.have & TCPO_TS) {
		axip_u8 ws, sack;
		tcp_syncookie_ts_decode(g->o.tsecr, &ws, &sack);
		o.have |= TCPO_TS;
		o.tsval = g->o.tsval;
		if (ws != 0xfu) {
			o.have |= TCPO_WS;
			o.ws = ws;
		}
		if (sack)
			o.have |= TCPO_SACK_OK;
	}
	c->listener = l;
	c->lprev = AXIP_NULL;
	c->lnext = l->embryo;
	if (l->embryo)
		l->embryo->lprev = c;
	l->embryo = c;
	l->syn_count++;
	c->state = AXIP_TCP_SYN_RECEIVED;
	c->iss = g->ack - 1u;
	c->snd_una = c->iss;
	c->snd_nxt = c->snd_max = g->ack;
	c->irs = g->seq - 1u;
	c->rcv_nxt = g->seq;
	tcp_conn_negotiate(c, &o);
	c->rcv_adv = c->rcv_nxt + (c->rcvbuf > 65535u ? 65535u : c->rcvbuf);
	c->snd_wl1 = g->seq - 1u;
	c->snd_wl2 = c->iss;
	return c;
}

static void establish(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	c->state = AXIP_TCP_ESTABLISHED;
	if ((c->flags & TF_RTT_TIMING) && !(c->flags & TF_SYN_RTX))
		tcp_rtt_sample(c, tcp_ns_to_us(s->now - c->rtt_at));
	else if (c->flags & TF_SYN_RTX)
		c->rto = AXIP_SEC(3); /* RFC 6298 5.7 */
	c->flags &= ~TF_RTT_TIMING;
	c->retries = 0;
	c->backoff = 0;
	tcp_rto_stop(c);
	tcp_conn_start_cc(c);
}

/*
 * RFC 9293 3.10.7.3: SYN-SENT. "If the state is SYN-SENT then: first check
 * the ACK bit ... second check the RST bit ... fourth check the SYN bit".
 * Returns 1 when the send decision should run once the events are out.
 */
static int syn_sent_input(struct axip_tcp *c, struct axip_pkt *p, const struct tcp_seg *g)
{
	struct axip_stack *s = c->s;
	int ack_ok = 0;

	drop(s, p); /* data riding on the SYN-ACK is not kept; the peer resends it */
	if (g->flags & TCP_FLAG_ACK) {
		if (SEQ_LEQ(g->ack, c->iss) || SEQ_GT(g->ack, c->snd_max)) {
			CTR_INC(s, tcp_rx_ack_unsent);
			rst_reply_conn(c, g);
			return 0;
		}
		ack_ok = 1;
	}
	if (g->flags & TCP_FLAG_RST) {
		/* a RST with an acceptable ACK refuses the connection; without
		 * one it is dropped */
		if (ack_ok) {
			CTR_INC(s, tcp_rx_rst);
			tcp_conn_drop(c, AXIP_E_REFUSED);
		} else {
			CTR_INC(s, tcp_rx_rst_ignored);
		}
		return 0;
	}
	if (!(g->flags & TCP_FLAG_SYN)) {
		CTR_INC(s, tcp_rx_bad_flags);
		return 0;
	}
	c->irs = g->seq;
	c->rcv_nxt = g->seq + 1u;
	c->rcv_adv = c->rcv_nxt;
	tcp_conn_negotiate(c, &g->o);
	c->snd_wnd = g->wnd; /* RFC 7323 2.2: not scaled in a SYN */
	c->max_snd_wnd = g->wnd;
	c->snd_wl1 = g->seq;
	c->snd_wl2 = g->ack;
	if (ack_ok) {
		c->snd_una = g->ack;
		establish(c);
		c->flags |= TF_ACK_NOW;
		CTR_INC(s, tcp_active_established);
		tcp_event(c, TEV_CONNECTED);
		return 1;
	}
	/* simultaneous open (RFC 9293 3.5 figure 8) */
	c->state = AXIP_TCP_SYN_RECEIVED;
	tcp_send_syn(c);
	return 0;
}

/*
 * The steps below take a segment through RFC 9293 3.10.7.4 ("Otherwise"):
 * synchronized states and SYN-RECEIVED, in the RFC's order. Each decides one
 * thing and returns SEG_NEXT to pass the segment on or SEG_DONE when it is
 * finished with (then the packet is freed by the caller). None calls the
 * application: what it should learn is queued with tcp_event() and
 * delivered when the segment is through (tcp_input).
 */
enum seg_verdict { SEG_NEXT = 0, SEG_DONE };

/* Our SYN-ACK was lost: the peer repeats its SYN in SYN-RECEIVED. */
static enum seg_verdict tcp_syn_rcvd_repeat(struct axip_tcp *c, const struct tcp_seg *g)
{
	if (c->state != AXIP_TCP_SYN_RECEIVED || (g->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK |
	                                                      TCP_FLAG_RST)) != TCP_FLAG_SYN ||
	    g->seq != c->irs)
		return SEG_NEXT;
	tcp_send_syn(c);
	return SEG_DONE;
}

/*
 * RFC 7323 5.3 R1 (PAWS): "If there is a Timestamps option in the arriving
 * segment, SEG.TSval < TS.Recent, TS.Recent is valid ..., then treat the
 * arriving segment as not acceptable: Send an acknowledgment in reply as
 * specified in RFC 793 page 69 and drop the segment." TS.Recent older than
 * 24 days is not valid (5.5).
 */
static enum seg_verdict tcp_paws_reject(struct axip_tcp *c, const struct tcp_seg *g)
{
	struct axip_stack *s = c->s;
	if (!(c->flags & TF_TS) || !(g->o.have & TCPO_TS) || (g->flags & TCP_FLAG_RST) ||
	    !SEQ_LT(g->o.tsval, c->ts_recent) || s->now - c->ts_recent_at >= TCP_PAWS_IDLE_NS)
		return SEG_NEXT;
	CTR_INC(s, tcp_paws_drop);
	tcp_send_ack(c);
	return SEG_DONE;
}

/* RFC 9293 3.10.7.4 "first, check sequence number": the four cases of the
 * acceptability test (segment length 0 or not, receive window 0 or not). */
static int tcp_seq_acceptable(const struct axip_tcp *c, axip_u32 seq, axip_u32 seglen,
                              axip_u32 rwnd)
{
	if (seglen == 0) {
		if (rwnd == 0)
			return seq == c->rcv_nxt;
		return SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LT(seq, c->rcv_nxt + rwnd);
	}
	if (rwnd == 0)
		return 0;
	return (SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LT(seq, c->rcv_nxt + rwnd)) ||
	       (SEQ_GEQ(seq + seglen - 1u, c->rcv_nxt) && SEQ_LT(seq + seglen - 1u, c->rcv_nxt + rwnd));
}

/*
 * RFC 9293 3.10.7.4 first: "If a segment's contents straddle the boundary
 * between old and new, only the new parts are processed" (trimming is the
 * text step's); "If an incoming segment is not acceptable, an
 * acknowledgment should be sent in reply (unless the RST bit is set ...)".
 * With a zero window the ACK (and a bare FIN) of a segment at RCV.NXT is
 * still taken: "valid ACKs, URGs, and RSTs" are processed; *text_refused
 * then tells the text step to drop the payload.
 */
static enum seg_verdict tcp_seq_check(struct axip_tcp *c, const struct tcp_seg *g,
                                      int *text_refused)
{
	struct axip_stack *s = c->s;
	axip_u32 seq = g->seq, len = g->len, seglen, rwnd;

	rwnd = SEQ_GT(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	seglen = len + ((g->flags & TCP_FLAG_SYN) ? 1u : 0) + ((g->flags & TCP_FLAG_FIN) ? 1u : 0);
	if (tcp_seq_acceptable(c, seq, seglen, rwnd))
		return SEG_NEXT;
	if (rwnd == 0 && seq == c->rcv_nxt && !(g->flags & (TCP_FLAG_RST | TCP_FLAG_SYN))) {
		*text_refused = len != 0;
		return SEG_NEXT;
	}
	CTR_INC(s, tcp_rx_out_of_window);
	if (len && !(g->flags & (TCP_FLAG_SYN | TCP_FLAG_RST)) && SEQ_LEQ(seq + len, c->rcv_nxt))
		tcp_rsack_dsack(c, seq, seq + len); /* a duplicate (RFC 2883 4) */
	if (g->flags & TCP_FLAG_SYN)
		tcp_challenge_ack(c); /* RFC 5961 4.2 */
	else if (!(g->flags & TCP_FLAG_RST))
		tcp_send_ack(c);
	return SEG_DONE;
}

/* RFC 7323 4.3 (1): "If SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent
 * then SEG.TSval is copied to TS.Recent". */
static void tcp_ts_recent_update(struct axip_tcp *c, const struct tcp_seg *g)
{
	if ((c->flags & TF_TS) && (g->o.have & TCPO_TS) && SEQ_GEQ(g->o.tsval, c->ts_recent) &&
	    SEQ_LEQ(g->seq, c->last_ack_sent)) {
		c->ts_recent = g->o.tsval;
		c->ts_recent_at = c->s->now;
	}
}

/*
 * RFC 9293 3.10.7.4 "second, check the RST bit", with RFC 5961 3.2: "If the
 * RST bit is set and the sequence number exactly matches the next expected
 * sequence number (RCV.NXT), then TCP MUST reset the connection ...
 * Otherwise (in the window) ... send an ACK" (a challenge ACK). In
 * SYN-RECEIVED from a passive open the connection goes back to LISTEN,
 * which reports nothing; TIME-WAIT ignores a RST (RFC 1337).
 */
static enum seg_verdict tcp_rst_input(struct axip_tcp *c, const struct tcp_seg *g)
{
	struct axip_stack *s = c->s;
	if (!(g->flags & TCP_FLAG_RST))
		return SEG_NEXT;
	if (g->seq != c->rcv_nxt) {
		tcp_challenge_ack(c);
		return SEG_DONE;
	}
	if (c->state == AXIP_TCP_TIME_WAIT) {
		CTR_INC(s, tcp_rx_rst_ignored);
		return SEG_DONE;
	}
	CTR_INC(s, tcp_rx_rst);
	if (c->state == AXIP_TCP_SYN_RECEIVED && c->listener)
		tcp_conn_drop(c, AXIP_E_RESET); /* back to LISTEN: nothing to report */
	else
		tcp_conn_drop(c, c->state == AXIP_TCP_SYN_RECEIVED ? AXIP_E_REFUSED : AXIP_E_RESET);
	return SEG_DONE;
}

/* RFC 9293 3.10.7.4 "fourth, check the SYN bit": "If the SYN bit is set,
 * irrespective of the sequence number, TCP endpoints MUST send a 'challenge
 * ACK' to the remote peer" (RFC 5961 4.2). ("third", security, has nothing
 * to check here.) */
static enum seg_verdict tcp_syn_in_window(struct axip_tcp *c, const struct tcp_seg *g)
{
	if (!(g->flags & TCP_FLAG_SYN))
		return SEG_NEXT;
	tcp_challenge_ack(c);
	return SEG_DONE;
}

/*
 * RFC 9293 3.10.7.4 fifth, SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT,
 * then enter ESTABLISHED state and continue processing ... If the segment
 * acknowledgment is not acceptable, form a reset segment". A passive open
 * is handed to the listener's accept function here (the one application
 * call made while a segment is processed: its answer decides whether the
 * connection exists); an active one (simultaneous open) reports connected.
 */
static enum seg_verdict tcp_syn_rcvd_ack(struct axip_tcp *c, const struct tcp_seg *g)
{
	struct axip_stack *s = c->s;
	if (c->state != AXIP_TCP_SYN_RECEIVED)
		return SEG_NEXT;
	if (!SEQ_GT(g->ack, c->snd_una) || SEQ_GT(g->ack, c->snd_max)) {
		CTR_INC(s, tcp_rx_ack_unsent);
		rst_reply_conn(c, g);
		return SEG_DONE;
	}
	c->snd_una = c->iss + 1u;
	c->snd_wnd = g->wnd << c->snd_ws;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = g->seq;
	c->snd_wl2 = g->ack;
	establish(c);
	if (c->listener) {
		if (tcp_accept(c) != 0) {
			/* refused, or ended by the accept function itself */
			if (!(c->flags & TF_DEAD)) {
				tcp_send_rst_conn(c);
				tcp_conn_drop(c, AXIP_E_ABORTED);
			}
			return SEG_DONE;
		}
	} else {
		CTR_INC(s, tcp_active_established);
		tcp_event(c, TEV_CONNECTED);
	}
	if ((c->flags & TF_SHUT_WR) && c->state == AXIP_TCP_ESTABLISHED)
		c->state = AXIP_TCP_FIN_WAIT_1;
	return SEG_NEXT;
}

/* RFC 9293 3.10.7.4 fifth, the established states: "If SND.UNA < SEG.ACK
 * =< SND.NXT, then set SND.UNA <- SEG.ACK. ... If the ACK acknowledges
 * something not yet sent (SEG.ACK > SND.NXT), then send an ACK, drop the
 * segment". RFC 5961 5.2 bounds the old end, RFC 5681 / RFC 6675 / RFC 8985
 * turn the ACK into recovery and RTT state, and the FIN-WAIT-1, CLOSING and
 * LAST-ACK transitions follow the acknowledgment of our FIN. */
static enum seg_verdict tcp_ack_input(struct axip_tcp *c, const struct tcp_seg *g)
{
	struct axip_stack *s = c->s;
	axip_u32 acked = 0, dbytes = 0, old_wnd = c->snd_wnd, newly = 0, lost = 0;
	int dup, dsack = 0;

	if (SEQ_GT(g->ack, c->snd_max)) {
		/* acknowledges something not yet sent: ACK and drop */
		CTR_INC(s, tcp_rx_ack_unsent);
		tcp_send_ack(c);
		return SEG_DONE;
	}
	if (SEQ_LT(g->ack, c->snd_una - c->max_snd_wnd)) {
		/* RFC 5961 5.2: too old to be a real duplicate */
		tcp_challenge_ack(c);
		return SEG_DONE;
	}
	if (SEQ_GT(g->ack, c->snd_una))
		acked = g->ack - c->snd_una;
	if (SEQ_GEQ(g->ack, c->snd_una) &&
	    (SEQ_LT(c->snd_wl1, g->seq) || (c->snd_wl1 == g->seq && SEQ_LEQ(c->snd_wl2, g->ack)))) {
		c->snd_wnd = g->wnd << c->snd_ws;
		c->snd_wl1 = g->seq;
		c->snd_wl2 = g->ack;
		if (c->snd_wnd > c->max_snd_wnd)
			c->max_snd_wnd = c->snd_wnd;
	}
	if (acked) {
		/* RFC 8985 6.2: the send times of what this ACK delivers */
		axip_u32 data_end = c->snd_una + c->sndq_len;
		tcp_sack_note_acked(c, c->snd_una, SEQ_LT(g->ack, data_end) ? g->ack : data_end, &g->o);
	}
	if (g->o.nsack && (c->flags & TF_SACK)) {
		/* RFC 2883 4: a first block below the cumulative ACK, or inside
		 * the second block, reports a duplicate (D-SACK) */
		dsack = SEQ_LEQ(g->o.sack[0][1], g->ack) ||
		        (g->o.nsack > 1 && SEQ_GEQ(g->o.sack[0][0], g->o.sack[1][0]) &&
		         SEQ_LEQ(g->o.sack[0][1], g->o.sack[1][1]));
		if (dsack)
			CTR_INC(s, tcp_rx_dsack);
		newly = tcp_sack_update(c, &g->o);
	}
	/* RFC 5681 2 duplicate ACK, extended by RFC 6675 2 with new SACK info */
	dup = acked == 0 && g->ack == c->snd_una && g->len == 0 &&
	      !(g->flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) && c->snd_max != c->snd_una &&
	      (c->snd_wnd == old_wnd || newly);
	if (acked) {
		axip_u32 data_end = c->snd_una + c->sndq_len;
		dbytes = acked < c->sndq_len ? acked : c->sndq_len;
		if ((c->flags & TF_SHUT_WR) && SEQ_GT(g->ack, data_end))
			c->flags |= TF_FIN_ACKED;
		if ((c->flags & TF_RTT_TIMING) && SEQ_GT(g->ack, c->rtt_seq)) {
			c->flags &= ~TF_RTT_TIMING;
			tcp_rtt_sample(c, tcp_ns_to_us(s->now - c->rtt_at));
		}
		c->snd_una = g->ack;
		/* RFC 4861 7.3.1: acknowledged data is forward progress: the
		 * neighbour the connection goes through is reachable */
		if (c->family == 6u)
			nd6_confirm(s, c->raddr6);
		tcp_sndq_drop(c, dbytes);
		c->bytes_acked += dbytes;
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		tcp_sack_trim(c);
		c->retries = 0;
		c->backoff = 0;
		/* RFC 6298 5.2 / 5.3 */
		if (c->snd_una == c->snd_max)
			tcp_rto_stop(c);
		else if (c->rtx_kind != RTX_PERSIST)
			tcp_rto_arm(c);
	}
	if (c->rtx_kind == RTX_PERSIST) {
		/* the peer answered the probe */
		c->retries = 0;
		if (c->snd_wnd > 0) {
			tcp_rto_stop(c);
			c->backoff = 0;
			c->snd_nxt = c->snd_una;
			if (c->snd_max != c->snd_una)
				tcp_rto_arm(c);
		}
	}
	if (c->flags & TF_SACK) {
		/* RFC 8985 6.2 steps 4-5 and 7.4 */
		if (dsack)
			tcp_rack_dsack(c);
		tcp_tlp_on_ack(c, g->ack, acked, dsack, newly);
		if (c->n_sacked || (c->flags & TF_RECOVERY))
			lost = tcp_rack_detect(c);
	}
	tcp_recovery_on_ack(c, acked, dup, lost);
	if (dbytes && (c->flags & TF_ACCEPTED)) {
		c->ev_sent += dbytes;
		tcp_event(c, TEV_SENT);
	}
	if (!(c->flags & TF_FIN_ACKED))
		return SEG_NEXT;
	switch (c->state) {
	case AXIP_TCP_FIN_WAIT_1:
		/* "if the FIN segment is now acknowledged, then enter FIN-WAIT-2" */
		c->state = AXIP_TCP_FIN_WAIT_2;
		tcp_rto_stop(c);
		if ((c->flags & TF_APP_CLOSED) && c->rtx_kind == RTX_NONE) {
			/* orphaned: bounded wait for the peer's FIN */
			c->rtx_kind = RTX_WAIT;
			c->t_rtx = s->now + s->cfg.tcp_time_wait_ns;
			tcp_timer_update(c);
		}
		return SEG_NEXT;
	case AXIP_TCP_CLOSING:
		/* "if the ACK acknowledges our FIN, then enter the TIME-WAIT state" */
		tcp_enter_time_wait(c);
		return SEG_DONE;
	case AXIP_TCP_LAST_ACK:
		/* "If our FIN is now acknowledged, delete the TCB" */
		tcp_conn_drop(c, AXIP_OK);
		return SEG_DONE;
	default:
		return SEG_NEXT;
	}
}

/* In-order payload `p` (len bytes at rcv_nxt) and whatever the
 * out-of-order queue now continues with become the application's (queued
 * for recv). Returns 1 if a FIN became in order. */
static int tcp_rcv_in_order(struct axip_tcp *c, struct axip_pkt *p, axip_u32 len)
{
	axip_u32 more = 0;
	int fin = 0;
	struct axip_pkt *q, *t;

	c->rcv_nxt += len;
	if (c->ooo_head) {
		q = tcp_reass_pop(c, &more, &fin);
		if (q) {
			for (t = p; t->sg_next; t = t->sg_next)
				;
			t->sg_next = q;
		}
		c->rcv_nxt += more;
		len += more;
		/* RFC 5681 4.2: ACK at once when a gap was filled */
		c->flags |= TF_ACK_NOW;
	}
	tcp_rsack_trim(c);
	c->bytes_received += len;
	c->rcv_unacked += len;
	c->rcv_held += len;
	p->next = AXIP_NULL;
	if (c->ev_rcv) {
		for (t = c->ev_rcv; t->sg_next; t = t->sg_next)
			;
		t->sg_next = p;
	} else {
		c->ev_rcv = p;
	}
	c->ev_rcv_len += len;
	tcp_event(c, TEV_RECV);
	return fin;
}

/*
 * RFC 9293 3.10.7.4 "seventh, process the segment text": in ESTABLISHED,
 * FIN-WAIT-1 and FIN-WAIT-2 "it becomes possible to deliver incoming text
 * to user RECEIVE buffers"; in CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT
 * "This should not occur since a FIN has been received from the remote
 * side. Ignore the segment text." Trimmed to RCV.NXT and the window; in
 * order it goes to the application, out of order to the reassembly queue;
 * after the application closed it is answered with RST (RFC 9293 3.10.4,
 * RFC 1122 4.2.2.13). Consumes p; *fin says whether the FIN step may take
 * the segment's FIN (1: yes, 0: no FIN or not yet in order, -1: a FIN that
 * is not in order: ACK at once).
 */
static enum seg_verdict tcp_text_input(struct axip_tcp *c, struct axip_pkt *p,
                                       const struct tcp_seg *g, int *fin_step)
{
	struct axip_stack *s = c->s;
	axip_u32 seq = g->seq, len = g->len;
	int fin = (g->flags & TCP_FLAG_FIN) != 0, fin_ok;

	p = tcp_pkt_pull(s, p, g->hlen);
	if (SEQ_LT(seq, c->rcv_nxt)) {
		axip_u32 d = c->rcv_nxt - seq;
		if (len) {
			/* the part already received is reported (RFC 2883 4) */
			tcp_rsack_dsack(c, seq, seq + (d < len ? d : len));
			c->flags |= TF_ACK_NOW;
		}
		if (d >= len) {
			if (fin && SEQ_LT(seq + len, c->rcv_nxt))
				fin = 0; /* an old FIN */
			axip_pkt_free(s, p);
			p = AXIP_NULL;
			len = 0;
		} else {
			p = tcp_pkt_pull(s, p, d);
			len -= d;
		}
		seq = c->rcv_nxt;
	}
	if (len && SEQ_GT(seq + len, c->rcv_adv)) {
		axip_u32 keep = SEQ_GT(c->rcv_adv, seq) ? c->rcv_adv - seq : 0;
		fin = 0; /* the FIN lies beyond the window */
		if (keep == 0) {
			axip_pkt_free(s, p);
			p = AXIP_NULL;
		} else {
			pkt_trim(s, p, keep);
		}
		len = keep;
	}
	fin_ok = fin && seq + len == c->rcv_nxt;
	if (len && p) {
		if (c->state != AXIP_TCP_ESTABLISHED && c->state != AXIP_TCP_FIN_WAIT_1 &&
		    c->state != AXIP_TCP_FIN_WAIT_2) {
			/* text after the peer's FIN: ignored */
			axip_pkt_free(s, p);
			fin = 0;
		} else if (c->flags & TF_APP_CLOSED) {
			/* data after close is lost: RST */
			CTR_INC(s, tcp_rx_after_close);
			axip_pkt_free(s, p);
			tcp_send_rst_conn(c);
			tcp_conn_drop(c, AXIP_E_RESET);
			return SEG_DONE;
		} else if (seq == c->rcv_nxt) {
			int popped_fin = tcp_rcv_in_order(c, p, len);
			fin_ok = popped_fin || (fin && !c->ooo_head && c->rcv_nxt == seq + len);
			/* RFC 9293 3.8.6.3: ACK at least every second full segment */
			if (len > c->rcv_seg)
				c->rcv_seg = len > c->rcv_mss ? c->rcv_mss : len;
			if (c->rcv_unacked >= 2u * c->rcv_seg)
				c->flags |= TF_ACK_NOW;
			else if (!(c->flags & TF_ACK_NOW))
				tcp_delack_arm(c);
		} else {
			/* out of order: queue, and ACK at once (RFC 5681 4.2) */
			tcp_reass_insert(c, p, seq, len, fin);
			fin = 0;
			c->flags |= TF_ACK_NOW;
		}
	} else if (p) {
		axip_pkt_free(s, p);
	}
	*fin_step = fin_ok ? 1 : fin ? -1 : 0;
	return SEG_NEXT;
}

/*
 * RFC 9293 3.10.7.4 "eighth, check the FIN bit": once everything before it
 * arrived, "advance RCV.NXT over the FIN, and send an acknowledgment for
 * the FIN"; ESTABLISHED -> CLOSE-WAIT, FIN-WAIT-1 -> CLOSING (our FIN not
 * yet acknowledged: that case left FIN-WAIT-1 in the ACK step),
 * FIN-WAIT-2 -> TIME-WAIT. The application learns it as peer_closed.
 */
static enum seg_verdict tcp_fin_input(struct axip_tcp *c, int fin_step)
{
	if (fin_step < 0)
		c->flags |= TF_ACK_NOW; /* a FIN not yet in order */
	if (fin_step <= 0 || (c->flags & TF_FIN_RCVD))
		return SEG_NEXT;
	c->rcv_nxt++;
	c->flags |= TF_FIN_RCVD | TF_ACK_NOW;
	tcp_rsack_trim(c);
	if ((c->flags & (TF_ACCEPTED | TF_APP_CLOSED)) == TF_ACCEPTED &&
	    (c->state == AXIP_TCP_ESTABLISHED || c->state == AXIP_TCP_FIN_WAIT_1 ||
	     c->state == AXIP_TCP_FIN_WAIT_2))
		tcp_event(c, TEV_PEER_CLOSED);
	switch (c->state) {
	case AXIP_TCP_ESTABLISHED:
		c->state = AXIP_TCP_CLOSE_WAIT;
		return SEG_NEXT;
	case AXIP_TCP_FIN_WAIT_1:
		c->state = AXIP_TCP_CLOSING;
		return SEG_NEXT;
	case AXIP_TCP_FIN_WAIT_2:
		tcp_send_ack(c);
		tcp_enter_time_wait(c);
		return SEG_DONE;
	default:
		return SEG_NEXT;
	}
}

/* RFC 9293 3.10.7.4: a segment for a synchronized connection or one in
 * SYN-RECEIVED, step by step. Returns 1 when the send decision should run
 * once the events are out. */
static int sync_input(struct axip_tcp *c, struct axip_pkt *p, const struct tcp_seg *g)
{
	struct axip_stack *s = c->s;
	int text_refused = 0, low_buf, fin_step = 0;

	if (tcp_syn_rcvd_repeat(c, g) || tcp_paws_reject(c, g) || tcp_seq_check(c, g, &text_refused))
		goto done;
	tcp_ts_recent_update(c, g);
	if (tcp_rst_input(c, g) || tcp_syn_in_window(c, g))
		goto done;
	/* fifth: "if the ACK bit is off, drop the segment and return" */
	if (!(g->flags & TCP_FLAG_ACK)) {
		CTR_INC(s, tcp_rx_no_ack);
		goto done;
	}
	c->last_rcv = s->now;
	c->keep_sent = 0;
	if (tcp_syn_rcvd_ack(c, g) || tcp_ack_input(c, g))
		goto done;
	/*
	 * The text is refused: the window is zero (first step), or the embedder
	 * is short of buffers (AXIP_PKT_RX_LOW_BUF). The ACK was taken, the text
	 * is dropped and the peer sends it again. A window is an offer, not a
	 * promise to keep what arrives in it (RFC 9293 3.8.6); processing the
	 * ACK is what frees the buffers held in the send queue.
	 */
	low_buf = g->len != 0 && (p->flags & AXIP_PKT_RX_LOW_BUF) != 0;
	if (text_refused || low_buf) {
		if (low_buf)
			CTR_INC(s, rx_low_buf_drop);
		else
			CTR_INC(s, tcp_rx_out_of_window);
		c->flags |= TF_ACK_NOW;
		drop(s, p);
		return 1;
	}
	/* sixth, check the URG bit: urgent data is not supported (the pointer
	 * is ignored and the bytes are delivered in line) */
	if (tcp_text_input(c, p, g, &fin_step))
		return 0;
	return tcp_fin_input(c, fin_step) == SEG_NEXT;
done:
	drop(s, p);
	return 0;
}

/* The segment arrives at connection c (RFC 9293 3.10.7.3-4). Returns 1 when
 * the send decision (tcp_output) should run once the application has seen
 * the events. */
static int tcp_segment_arrives(struct axip_tcp *c, struct axip_pkt *p, const struct tcp_seg *g)
{
	struct axip_stack *s = c->s;
	c->segs_in++;
	if (c->state == AXIP_TCP_TIME_WAIT && (g->flags & TCP_FLAG_SYN) &&
	    !(g->flags & (TCP_FLAG_ACK | TCP_FLAG_RST))) {
		/* RFC 6191 / RFC 9293 3.10.7.4: a new SYN may reuse a TIME-WAIT
		 * tuple if its timestamp (or, without timestamps, its sequence
		 * number) is above everything of the old incarnation */
		struct tcp_ip ip;
		struct axip_tcp_listener *l;
		axip_u8 l6[16], r6[16];
		int newer = ((c->flags & TF_TS) && (g->o.have & TCPO_TS))
		                ? SEQ_GT(g->o.tsval, c->ts_recent)
		                : SEQ_GT(g->seq, c->rcv_nxt);
		/* the segment's ends are the connection's; copied, as the old
		 * incarnation ends before the new one is made */
		tcp_conn_ip(c, &ip);
		mem_copy(l6, c->laddr6, 16);
		mem_copy(r6, c->raddr6, 16);
		ip.local6 = l6;
		ip.remote6 = r6;
		l = tcp_listener_lookup_ip(s, &ip, c->lport);
		if (l && newer) {
			CTR_INC(s, tcp_tw_reuse);
			tcp_conn_drop(c, AXIP_OK);
			passive_open(s, l, &ip, c->rport, g);
			drop(s, p);
			return 0;
		}
	}
	if (c->state == AXIP_TCP_SYN_SENT)
		return syn_sent_input(c, p, g);
	return sync_input(c, p, g);
}

/* One segment for connection c: processed with the application's events
 * held back, then the events (the application may answer: send, close),
 * then the send decision over the result. */
static void conn_input(struct axip_tcp *c, struct axip_pkt *p, const struct tcp_seg *g)
{
	int output;
	tcp_frame_begin(c);
	output = tcp_segment_arrives(c, p, g);
	tcp_frame_end(c); /* -> tcp_deliver_events (-> application) */
	if (output)
		tcp_output(c); /* returns at once for a connection that ended */
	tcp_unhold(c);
}

/* A segment no connection has: a listener's (RFC 9293 3.10.7.2) or
 * nobody's (3.10.7.1). ip: its ends, either family. Consumes p. */
static void seg_no_conn(struct axip_stack *s, struct axip_pkt *p, const struct tcp_seg *g,
                        const struct tcp_ip *ip)
{
	struct axip_tcp_listener *l = tcp_listener_lookup_ip(s, ip, g->dport);
	struct axip_tcp *c;

	if (!l) {
		/* RFC 9293 3.10.7.1: CLOSED */
		CTR_INC(s, tcp_rx_no_conn);
		tcp_send_rst_reply(s, ip, g->dport, g->sport, g);
		drop(s, p);
		return;
	}
	/* RFC 9293 3.10.7.2: LISTEN */
	if (g->flags & TCP_FLAG_RST) {
		CTR_INC(s, tcp_rx_rst_ignored);
		drop(s, p);
		return;
	}
	if (g->flags & TCP_FLAG_ACK) {
		if (!(g->flags & TCP_FLAG_SYN) && l->cookies) {
			c = cookie_open(s, l, ip, g->sport, g);
			if (c) {
				conn_input(c, p, g);
				return;
			}
		} else {
			CTR_INC(s, tcp_rx_no_conn);
		}
		tcp_send_rst_reply(s, ip, g->dport, g->sport, g);
		drop(s, p);
		return;
	}
	if (!(g->flags & TCP_FLAG_SYN)) {
		CTR_INC(s, tcp_rx_bad_flags);
		drop(s, p);
		return;
	}
	passive_open(s, l, ip, g->sport, g);
	drop(s, p);
}

/*
 * A segment of either family: exactly one of ip4 and ip6 is set. The IPv4
 * path keeps its scalar addresses (a struct tcp_ip is built only when no
 * connection has the segment); the family costs a test at the checksum,
 * the group check and the lookup. p->data at the TCP header, chain trimmed
 * to the IP payload; consumes p.
 */
static void segment_input(struct axip_stack *s, struct axip_pkt *p,
                          const struct ipv4_rx_info *ip4, const struct ipv6_rx_info *ip6)
{
	struct tcp_seg g;
	struct tcp_ip ip;
	axip_u32 total = axip_pkt_chain_len(p), doff;
	const axip_u8 *h;
	struct axip_tcp *c;

	CTR_INC(s, tcp_rx);
	if (total < TCP_HLEN || (p->len < TCP_HLEN && pkt_linearize(s, p, TCP_HLEN) != 0)) {
		CTR_INC(s, tcp_rx_short);
		drop(s, p);
		return;
	}
	doff = (axip_u32)(p->data[TCP_OFF_DOFF] >> 4) * 4u;
	if (doff < TCP_HLEN || doff > total) {
		CTR_INC(s, tcp_rx_bad_off);
		drop(s, p);
		return;
	}
	if (p->len < doff && pkt_linearize(s, p, doff) != 0) {
		CTR_INC(s, tcp_rx_short);
		drop(s, p);
		return;
	}
	/* RFC 9293 3.1: checksum over pseudo-header, header and text; over
	 * IPv6 the pseudo-header of RFC 8200 8.1 */
	if (ip6 ? (!ip6->l4_csum_ok &&
	           csum_fold(csum_add_chain(csum_pseudo6(ip6->src, ip6->dst, IP6_NH_TCP, total), p, 0,
	                                    total)) != 0)
	        : (!ip4->l4_csum_ok &&
	           csum_fold(csum_add_chain(csum_pseudo(ip4->src, ip4->dst, IP_PROTO_TCP, total), p, 0,
	                                    total)) != 0)) {
		CTR_INC(s, tcp_rx_bad_csum);
		drop(s, p);
		return;
	}
	if (ip6 ? ip6->dst_multicast : ip4->dst_is_broadcast) {
		/* RFC 1122 4.2.3.10: TCP is unicast only (IPv6: a multicast
		 * address is no TCP end, RFC 4291 2.7) */
		CTR_INC(s, tcp_rx_broadcast);
		drop(s, p);
		return;
	}
	h = p->data;
	g.sport = load_be16(h + TCP_OFF_SPORT);
	g.dport = load_be16(h + TCP_OFF_DPORT);
	g.seq = load_be32(h + TCP_OFF_SEQ);
	g.ack = load_be32(h + TCP_OFF_ACK);
	g.flags = h[TCP_OFF_FLAGS];
	g.wnd = load_be16(h + TCP_OFF_WIN);
	g.len = total - doff;
	g.hlen = doff;
	tcp_opts_parse(s, h + TCP_HLEN, doff - TCP_HLEN, (g.flags & TCP_FLAG_SYN) != 0, &g.o);

	if (ip6)
		c = tcp_lookup_rx6(s, p->rx_hash, ip6->dst, g.dport, ip6->src, g.sport);
	else
		c = tcp_lookup_rx(s, p->rx_hash, ip4->dst, g.dport, ip4->src, g.sport);
	if (c) {
		conn_input(c, p, &g);
		return;
	}
	if (ip6) {
		ip.family = 6;
		ip.local = ip.remote = 0;
		ip.local6 = ip6->dst;
		ip.remote6 = ip6->src;
	} else {
		ip.family = 4;
		ip.local = ip4->dst;
		ip.remote = ip4->src;
		ip.local6 = ip.remote6 = AXIP_NULL;
	}
	seg_no_conn(s, p, &g, &ip);
}

void tcp_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv4_rx_info *ip)
{
	segment_input(s, p, ip, AXIP_NULL);
}

/*
 * TCP over IPv6 (RFC 8200 8.1: the same TCP with the IPv6 pseudo-header).
 * The IPv6 layer dropped multicast, loopback and own source addresses
 * (RFC 4291 2.5.3, 2.7); the unspecified source it lets through (duplicate
 * address detection) cannot be a TCP end: dropped here, counted.
 */
void tcp6_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip)
{
	if (ip6_is_unspecified(ip->src)) {
		CTR_INC(s, tcp_rx);
		CTR_INC(s, tcp_rx_bad_addr);
		drop(s, p);
		return;
	}
	segment_input(s, p, AXIP_NULL, ip);
}

int tcp_mss_lower(struct axip_tcp *c, axip_u32 mss)
{
	if (mss >= c->mss_clamp)
		return 0;
	CTR_INC(c->s, tcp_pmtu_update);
	c->mss_clamp = mss;
	c->mss = mss - tcp_opts_len(c, 0);
	c->cc.mss = c->mss;
	return 1;
}

void tcp_conn_icmp(struct axip_tcp *c, axip_u32 seq, axip_u32 mss, int hard)
{
	struct axip_stack *s = c->s;
	/* RFC 5927 4.1: only errors quoting a sequence number in flight count */
	if (c->state == AXIP_TCP_TIME_WAIT || SEQ_LT(seq, c->snd_una) || !SEQ_LT(seq, c->snd_max)) {
		CTR_INC(s, tcp_icmp_ignored);
		return;
	}
	if (mss) {
		/* RFC 1191 6.4 / RFC 8201 5.2 / RFC 5927 7.2: lower the MSS to
		 * the path MTU */
		if (!tcp_mss_lower(c, mss)) {
			CTR_INC(s, tcp_icmp_ignored);
			return;
		}
		/* resend what was too big (RFC 1191 6.5) */
		if (c->state != AXIP_TCP_SYN_SENT && c->state != AXIP_TCP_SYN_RECEIVED) {
			c->snd_nxt = c->snd_una;
			c->flags &= ~TF_RTT_TIMING;
			tcp_output(c); /* calls no application code */
		}
		return;
	}
	if (hard && c->state == AXIP_TCP_SYN_SENT) {
		/* RFC 1122 4.2.3.9: hard error while connecting */
		tcp_conn_drop(c, AXIP_E_UNREACH);
		return;
	}
	/* soft error: reported if the connection later times out (RFC 5461) */
	c->soft_err = AXIP_E_UNREACH;
}

void tcp_icmp_error(struct axip_stack *s, const struct icmp_err_info *e)
{
	const axip_u8 *q = e->quoted, *th;
	axip_u32 src, dst, seq, mss = 0;
	struct axip_tcp *c;

	if (e->quoted_len < e->quoted_ihl + 8u || e->quoted_ihl < IP_HLEN) {
		CTR_INC(s, tcp_icmp_ignored);
		return;
	}
	src = load_be32(q + IP_OFF_SRC);
	dst = load_be32(q + IP_OFF_DST);
	th = q + e->quoted_ihl;
	seq = load_be32(th + TCP_OFF_SEQ);
	c = tcp_lookup(s, src, load_be16(th + TCP_OFF_SPORT), dst, load_be16(th + TCP_OFF_DPORT));
	if (!c) {
		CTR_INC(s, tcp_icmp_ignored);
		return;
	}
	if (e->type == ICMP_DEST_UNREACH && e->code == ICMP_CODE_FRAG_NEEDED) {
		mss = e->mtu > 40u ? (axip_u32)e->mtu - 40u : 0;
		if (mss < TCP_MSS_MIN)
			mss = TCP_MSS_MIN;
	}
	tcp_conn_icmp(c, seq, mss,
	              e->type == ICMP_DEST_UNREACH &&
	                  (e->code == ICMP_CODE_PROTO_UNREACH || e->code == ICMP_CODE_PORT_UNREACH));
}

/*
 * RFC 4443 errors about a segment we sent over IPv6, as their IPv4
 * counterparts (RFC 5927, RFC 1122 4.2.3.9): Packet Too Big lowers the MSS
 * of the connection to the path MTU - 60 (RFC 8201 5.2; the MTU was
 * lowered in the path MTU cache by icmp6.c, never below 1280); Destination
 * Unreachable code 4 (port unreachable) and Parameter Problem code 1
 * (unrecognised next header: no TCP there, ICMP's protocol unreachable)
 * end a connection still in SYN-SENT; the others are soft errors.
 */
void tcp6_icmp_error(struct axip_stack *s, const struct icmp6_err_info *e)
{
	const axip_u8 *q = e->quoted, *th;
	axip_u32 seq, mss = 0;
	struct axip_tcp *c;
	int hard;

	if (e->quoted_l4 < IP6_HLEN || e->quoted_len < e->quoted_l4 + 8u) {
		CTR_INC(s, tcp_icmp_ignored);
		return;
	}
	th = q + e->quoted_l4;
	seq = load_be32(th + TCP_OFF_SEQ);
	c = tcp_lookup6(s, q + IP6_OFF_SRC, load_be16(th + TCP_OFF_SPORT), q + IP6_OFF_DST,
	                load_be16(th + TCP_OFF_DPORT));
	if (!c) {
		CTR_INC(s, tcp_icmp_ignored);
		return;
	}
	if (e->type == ICMP6_PACKET_TOO_BIG)
		mss = (e->param < IP6_MIN_MTU ? IP6_MIN_MTU : e->param) - 60u;
	hard = (e->type == ICMP6_DEST_UNREACH && e->code == ICMP6_CODE_PORT_UNREACH) ||
	       (e->type == ICMP6_PARAM_PROBLEM && e->code == ICMP6_CODE_BAD_NH);
	tcp_conn_icmp(c, seq, mss, hard);
}
