/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_recovery.c - loss recovery: RFC 6675 (SetPipe / NextSeg) driven by
 * RACK's loss marks (RFC 8985, tcp_rack.c) when the peer has SACK, NewReno
 * (RFC 6582) when it has not, and the congestion control calls that go with
 * entering and leaving a recovery.
 *
 * With SACK, IsLost() is RACK's time-based mark instead of the DupThresh
 * rule (RFC 8985 6.2 step 5); timeouts recover through the same machinery,
 * so a lost retransmission is found again without another timeout.
 */
#include "tcp_internal.h"

int tcp_recovery_retransmit(struct axip_tcp *c, axip_u32 seq, axip_u32 end)
{
	axip_u32 adv = tcp_send_seg(c, seq, min_u32(end - seq, tcp_seg_max(c)));
	if (!adv)
		return 0;
	if (SEQ_GT(seq + adv, c->high_rxt))
		c->high_rxt = seq + adv;
	return 1;
}

void tcp_recovery_output(struct axip_tcp *c)
{
	axip_u32 guard, pipe = tcp_rack_pipe(c);
	for (guard = 0; guard < 65536u; guard++) {
		axip_u32 seq, end, smax = tcp_seg_max(c), before = c->snd_max;
		axip_u32 qend = c->snd_una + c->sndq_len;
		int fin_pending = (c->flags & TF_SHUT_WR) && c->snd_nxt == qend;

		/* RFC 6675 5 step (C): send while cwnd - pipe >= 1 SMSS */
		if (pipe + smax > c->cc.cwnd)
			break;
		/* NextSeg rule 1: the first lost byte not yet resent */
		if (tcp_rack_next_lost(c, smax, &seq, &end)) {
			axip_u32 h = c->high_rxt;
			if (!tcp_recovery_retransmit(c, seq, end))
				break;
			pipe += c->high_rxt - (SEQ_GT(h, seq) ? h : seq);
			continue;
		}
		/* rule 2: new data the peer's window allows */
		if (SEQ_LT(c->snd_nxt, qend) || fin_pending) {
			axip_u32 wend = c->snd_una + c->snd_wnd, nxt = c->snd_nxt;
			axip_u32 len = SEQ_LT(c->snd_nxt, qend) ? qend - c->snd_nxt : 0;
			axip_u32 room = SEQ_GT(wend, c->snd_nxt) ? wend - c->snd_nxt : 0;
			len = min_u32(min_u32(len, smax), room);
			if ((len || fin_pending) && tcp_send_from_nxt(c, len)) {
				pipe += SEQ_GT(c->snd_max, before) ? c->snd_max - before : c->snd_nxt - nxt;
				continue;
			}
		}
		/* RFC 6675 rules 3 and 4 (resending data not known to be lost)
		 * are left to RACK's reordering timer and the loss probe
		 * (RFC 8985 7), which resend only what time shows lost */
		break;
	}
	if (c->snd_max != c->snd_una && c->rtx_kind == RTX_NONE)
		tcp_rto_arm(c);
}

void tcp_enter_recovery(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	axip_u32 qend = c->snd_una + c->sndq_len, len = qend - c->snd_una, seq, end;
	if (c->flags & TF_RECOVERY)
		return;
	c->flags |= TF_RECOVERY;
	c->recover = c->snd_max;
	c->n_fast++;
	CTR_INC(s, tcp_fast_retransmit);
	if (c->cc_ops)
		c->cc_ops->on_loss(&c->cc, c->snd_max - c->snd_una, s->now);
	c->high_rxt = c->snd_una;
	if (c->flags & TF_SACK) {
		/* RFC 6675 5 step (3): the first lost segment goes at once */
		if (tcp_rack_next_lost(c, tcp_seg_max(c), &seq, &end))
			(void)tcp_recovery_retransmit(c, seq, end);
		return;
	}
	/* RFC 6582 3.2 step 2: resend the first segment, cwnd = ssthresh + 3*SMSS */
	(void)tcp_send_seg(c, c->snd_una, min_u32(len, tcp_seg_max(c)));
	c->inflate = TCP_DUPTHRESH * c->mss;
}

static void end_recovery(struct axip_tcp *c, axip_u32 acked, axip_u32 flight)
{
	struct axip_stack *s = c->s;
	int after_rto = (c->flags & TF_RTO_REC) != 0;
	c->flags &= ~(TF_RECOVERY | TF_RTO_REC);
	c->inflate = 0;
	c->dupacks = 0;
	tcp_rack_recovery_end(c);
	if (!c->cc_ops)
		return;
	if (after_rto) {
		/* the window after a timeout keeps growing (RFC 5681 3.1) */
		if (acked)
			c->cc_ops->on_ack(&c->cc, acked, flight + acked, c->srtt_us, s->now);
	} else {
		c->cc_ops->on_recovery_end(&c->cc, flight);
	}
}

void tcp_recovery_on_ack(struct axip_tcp *c, axip_u32 acked, int dup, axip_u32 lost)
{
	struct axip_stack *s = c->s;
	axip_u32 flight = c->snd_max - c->snd_una;

	if (c->flags & TF_RECOVERY) {
		if (SEQ_GEQ(c->snd_una, c->recover)) {
			/* full acknowledgement: recovery is over (RFC 6582 3.2 step 3,
			 * RFC 6675 5 "RecoveryPoint") */
			end_recovery(c, acked, flight);
			/* losses RACK found in data sent during the recovery start
			 * the next one */
			if ((c->flags & TF_SACK) && tcp_rack_any_lost(c))
				tcp_enter_recovery(c);
			return;
		}
		if (c->flags & TF_SACK) {
			if (SEQ_LT(c->high_rxt, c->snd_una))
				c->high_rxt = c->snd_una;
			/* after a timeout the window grows in slow start while the
			 * outstanding data is resent (RFC 5681 3.1) */
			if ((c->flags & TF_RTO_REC) && acked && c->cc_ops)
				c->cc_ops->on_ack(&c->cc, acked, flight + acked, c->srtt_us, s->now);
			return;
		}
		if (acked) {
			/* RFC 6582 3.2 step 4: partial ACK, resend the next hole,
			 * deflate by the amount acknowledged, add back one SMSS */
			axip_u32 qend = c->snd_una + c->sndq_len;
			(void)tcp_send_seg(c, c->snd_una, min_u32(qend - c->snd_una, tcp_seg_max(c)));
			c->inflate = c->inflate > acked ? c->inflate - acked : 0;
			if (acked >= c->mss)
				c->inflate += c->mss;
			tcp_rto_arm(c);
		} else if (dup) {
			c->inflate += c->mss; /* step 3: each further dupack inflates */
		}
		return;
	}
	if (acked) {
		c->dupacks = 0;
		if (c->cc_ops)
			c->cc_ops->on_ack(&c->cc, acked, flight + acked, c->srtt_us, s->now);
	}
	if (c->flags & TF_SACK) {
		/* RFC 8985 6.2: recovery starts when RACK marks a loss */
		if (lost)
			tcp_enter_recovery(c);
		return;
	}
	if (acked || !dup)
		return;
	if (c->dupacks < 255u)
		c->dupacks++;
	if (c->dupacks < TCP_DUPTHRESH)
		return;
	/* RFC 6582 3.2 step 1: one reduction per window of data */
	if (!SEQ_GT(c->snd_una, c->recover))
		return;
	tcp_enter_recovery(c);
}
