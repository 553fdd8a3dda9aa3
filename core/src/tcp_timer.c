/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_timer.c - the connection timer: retransmission (RFC 6298), persist
 * (RFC 9293 3.8.6.1), delayed ACK (3.8.6.3), keepalive (3.8.4), TIME-WAIT
 * and orphaned FIN-WAIT-2 expiry.
 *
 * Each connection embeds one struct axip_timer in the shared wheel and keeps
 * its deadlines in t_rtx / t_delack / t_keep; the wheel timer is re-armed to
 * the earliest one. Nothing ever walks the connection table.
 */
#include "tcp_internal.h"

axip_u32 tcp_ns_to_us(axip_time_ns ns)
{
	if ((ns >> 32) == 0)
		return (axip_u32)ns / 1000u;
	/* beyond 4.29 s: 1024 ns units, 2.4 % low, enough for reporting */
	ns >>= 10;
	return (ns >> 32) ? 0xffffffffu : (axip_u32)ns;
}

void tcp_timer_update(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	axip_time_ns next = 0;
	if (c->t_rtx)
		next = c->t_rtx;
	if (c->t_delack && (!next || c->t_delack < next))
		next = c->t_delack;
	if (c->t_keep && (!next || c->t_keep < next))
		next = c->t_keep;
	if (c->t_rack && (!next || c->t_rack < next))
		next = c->t_rack;
	if (!next) {
		timer_cancel(&s->wheel, &c->timer);
		return;
	}
	if (!timer_armed(&c->timer) || c->timer.expires != next)
		timer_arm(&s->wheel, &c->timer, next);
}

axip_time_ns tcp_rto_ns(const struct axip_tcp *c)
{
	axip_time_ns max = c->s->cfg.tcp_rto_max_ns, r = c->rto;
	axip_u32 i;
	/* RFC 6298 5.5: back off by doubling, bounded by the maximum */
	for (i = 0; i < c->backoff && r < max; i++)
		r <<= 1;
	return r > max ? max : r;
}

void tcp_rto_arm(struct axip_tcp *c)
{
	c->rtx_kind = RTX_RTO;
	c->t_rtx = c->s->now + tcp_rto_ns(c);
	tcp_timer_update(c);
}

void tcp_rto_stop(struct axip_tcp *c)
{
	/* the reordering timer and the loss probe end with the RTO (RFC 8985 8) */
	c->rack_kind = RACK_T_NONE;
	c->t_rack = 0;
	if (c->rtx_kind == RTX_RTO || c->rtx_kind == RTX_PERSIST) {
		c->rtx_kind = RTX_NONE;
		c->t_rtx = 0;
	}
	tcp_timer_update(c);
}

void tcp_delack_arm(struct axip_tcp *c)
{
	if (c->t_delack)
		return;
	c->t_delack = c->s->now + c->s->cfg.tcp_delack_ns;
	tcp_timer_update(c);
}

void tcp_keepalive_reset(struct axip_tcp *c)
{
	c->keep_sent = 0;
	c->last_rcv = c->s->now;
	if ((c->flags & TF_KEEPALIVE) && c->state >= AXIP_TCP_ESTABLISHED &&
	    c->state != AXIP_TCP_TIME_WAIT)
		c->t_keep = c->s->now + c->opts.keepalive_idle_ns;
	else
		c->t_keep = 0;
	tcp_timer_update(c);
}

/* RFC 6298 2.2 / 2.3 with alpha = 1/8, beta = 1/4, K = 4, G = 1 ms. */
void tcp_rtt_sample(struct axip_tcp *c, axip_u32 r)
{
	axip_time_ns rto, min = c->s->cfg.tcp_rto_min_ns, max = c->s->cfg.tcp_rto_max_ns;
	axip_u32 var4;
	if (r == 0)
		r = 1;
	if (c->srtt_us == 0) {
		c->srtt_us = r;
		c->rttvar_us = r >> 1;
	} else {
		axip_u32 delta = c->srtt_us > r ? c->srtt_us - r : r - c->srtt_us;
		c->rttvar_us = (axip_u32)(((axip_u64)c->rttvar_us * 3u + delta) >> 2);
		c->srtt_us = (axip_u32)(((axip_u64)c->srtt_us * 7u + r) >> 3);
	}
	var4 = c->rttvar_us > 0x3fffffffu ? 0xffffffffu : c->rttvar_us * 4u;
	rto = ((axip_time_ns)c->srtt_us + (var4 > 1000u ? var4 : 1000u)) * 1000u;
	/* RFC 6298 2.4 / 2.5: lower and upper bounds */
	if (rto < min)
		rto = min;
	if (rto > max)
		rto = max;
	c->rto = rto;
}

static void syn_timeout(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	if (c->retries >= s->cfg.tcp_syn_retries) {
		CTR_INC(s, tcp_conn_timeout);
		tcp_conn_drop(c, c->soft_err ? c->soft_err : AXIP_E_TIMEDOUT);
		return;
	}
	c->retries++;
	c->backoff++;
	c->n_rto++;
	c->n_retrans++;
	c->flags |= TF_SYN_RTX;
	CTR_INC(s, tcp_rto);
	CTR_INC(s, tcp_retransmit);
	tcp_send_syn(c);
	tcp_rto_arm(c);
}

/* RFC 6298 5.4-5.6 and RFC 5681 3.1 eq. 4. */
static void rto_expired(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	axip_u32 end, len;

	if (c->state == AXIP_TCP_SYN_SENT || c->state == AXIP_TCP_SYN_RECEIVED) {
		syn_timeout(c);
		return;
	}
	if (c->snd_max == c->snd_una)
		return;
	if (c->retries >= s->cfg.tcp_max_retries) {
		CTR_INC(s, tcp_conn_timeout);
		tcp_conn_drop(c, c->soft_err ? c->soft_err : AXIP_E_TIMEDOUT);
		return;
	}
	c->retries++;
	if (c->backoff < 30u)
		c->backoff++;
	c->n_rto++;
	CTR_INC(s, tcp_rto);
	if (c->cc_ops)
		c->cc_ops->on_rto(&c->cc, c->snd_max - c->snd_una, s->now);
	c->flags &= ~(TF_RECOVERY | TF_RTO_REC | TF_RTT_TIMING);
	c->inflate = 0;
	c->dupacks = 0;
	/* RFC 6582 3.2 step 4: no fast retransmit for data sent before the timeout */
	c->recover = c->snd_max;
	c->high_rxt = c->snd_una;
	/* RFC 2018 8: the receiver may have reneged; forget SACK state */
	tcp_sack_clear(c);
	if (c->flags & TF_SACK) {
		axip_u32 seq, end;
		/* RFC 8985 6.3, RFC 6675 5.1: everything outstanding is lost and
		 * resent by the SACK recovery, whose RACK marks find a lost
		 * retransmission again; the window grows in slow start */
		tcp_rack_rto(c);
		c->flags |= TF_RECOVERY | TF_RTO_REC;
		tcp_rto_arm(c);
		/* the first unacknowledged segment goes even into a closed window */
		if (tcp_rack_next_lost(c, tcp_seg_max(c), &seq, &end))
			(void)tcp_recovery_retransmit(c, seq, end);
		else
			(void)tcp_send_seg(c, c->snd_una, 0); /* only a FIN is outstanding */
		tcp_output(c);
		return;
	}
	c->snd_nxt = c->snd_una;
	tcp_rto_arm(c);
	/* the first unacknowledged segment goes even into a closed window */
	end = c->snd_una + c->sndq_len;
	len = end - c->snd_una;
	if (len > tcp_seg_max(c))
		len = tcp_seg_max(c);
	(void)tcp_send_from_nxt(c, len);
	tcp_output(c);
}

static void persist_expired(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	if (c->retries >= s->cfg.tcp_max_retries) {
		/* probes unanswered for as long as retransmissions would be */
		CTR_INC(s, tcp_conn_timeout);
		tcp_conn_drop(c, AXIP_E_TIMEDOUT);
		return;
	}
	c->retries++;
	if (c->backoff < 30u)
		c->backoff++;
	tcp_persist_probe(c);
	/* keep probing with backoff while the window stays shut */
	c->rtx_kind = RTX_PERSIST;
	c->t_rtx = s->now + tcp_rto_ns(c);
}

static void keepalive_expired(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	c->t_keep = 0;
	if (!(c->flags & TF_KEEPALIVE) || c->state < AXIP_TCP_ESTABLISHED ||
	    c->state == AXIP_TCP_TIME_WAIT)
		return;
	if (c->keep_sent == 0 && s->now - c->last_rcv < c->opts.keepalive_idle_ns) {
		/* traffic since arming: wait for the rest of the idle time */
		c->t_keep = c->last_rcv + c->opts.keepalive_idle_ns;
		return;
	}
	if (c->snd_max != c->snd_una) {
		/* data outstanding: the retransmission timer watches the peer */
		c->t_keep = s->now + c->opts.keepalive_idle_ns;
		return;
	}
	if (c->keep_sent >= c->opts.keepalive_probes) {
		CTR_INC(s, tcp_conn_timeout);
		tcp_conn_drop(c, AXIP_E_TIMEDOUT);
		return;
	}
	c->keep_sent++;
	CTR_INC(s, tcp_keepalive_probe);
	tcp_send_keepalive(c);
	c->t_keep = s->now + c->opts.keepalive_intvl_ns;
}

void tcp_timer_fire(struct axip_stack *s, struct axip_timer *t)
{
	/* the timer is the first member of the connection */
	struct axip_tcp *c = (struct axip_tcp *)(void *)t;
	axip_time_ns now = s->now;

	if (c->flags & TF_DEAD)
		return;
	tcp_frame_begin(c);
	if (c->t_delack && c->t_delack <= now) {
		c->t_delack = 0;
		tcp_send_ack(c);
	}
	if (c->t_rack && c->t_rack <= now)
		tcp_rack_timer(c); /* before the RTO: a probe due with it goes first (RFC 8985 7.2) */
	if (c->t_rtx && c->t_rtx <= now) {
		axip_u8 kind = c->rtx_kind;
		c->t_rtx = 0;
		c->rtx_kind = RTX_NONE;
		if (kind == RTX_RTO)
			rto_expired(c);
		else if (kind == RTX_PERSIST)
			persist_expired(c);
		else if (kind == RTX_WAIT)
			tcp_conn_drop(c, c->state == AXIP_TCP_TIME_WAIT ? AXIP_OK : AXIP_E_TIMEDOUT);
	}
	/* the retransmission timer may have ended the connection (timeouts) */
	if (!(c->flags & TF_DEAD) && c->t_keep && c->t_keep <= now)
		keepalive_expired(c);
	if (!(c->flags & TF_DEAD))
		tcp_timer_update(c);
	tcp_frame_end(c); /* -> tcp_deliver_events (-> application: closed) */
	tcp_unhold(c);
}
