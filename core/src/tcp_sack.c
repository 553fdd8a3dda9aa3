/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_sack.c - SACK (RFC 2018) and loss recovery: the send-side scoreboard,
 * RFC 6675 recovery (SetPipe / NextSeg) driven by RACK's loss marks
 * (RFC 8985, tcp_rack.c), NewReno (RFC 6582) when the peer has no SACK, and
 * the receive-side block list.
 *
 * The scoreboard is a short sorted array of disjoint SACKed ranges above
 * snd_una. With SACK, IsLost() is RACK's time-based mark instead of the
 * DupThresh rule (RFC 8985 6.2 step 5); timeouts recover through the same
 * machinery, so a lost retransmission is found again without another
 * timeout.
 */
#include "tcp_internal.h"

static axip_u32 min32(axip_u32 a, axip_u32 b)
{
	return a < b ? a : b;
}

void tcp_sack_clear(struct axip_tcp *c)
{
	c->n_sacked = 0;
}

void tcp_sack_trim(struct axip_tcp *c)
{
	axip_u32 i = 0, k;
	while (i < c->n_sacked && SEQ_LEQ(c->sacked[i].end, c->snd_una))
		i++;
	if (i) {
		for (k = i; k < c->n_sacked; k++)
			c->sacked[k - i] = c->sacked[k];
		c->n_sacked -= i;
	}
	if (c->n_sacked && SEQ_LT(c->sacked[0].start, c->snd_una))
		c->sacked[0].start = c->snd_una;
}

static axip_u32 overlap(const struct tcp_range *r, axip_u32 s, axip_u32 e)
{
	axip_u32 a = SEQ_GT(r->start, s) ? r->start : s;
	axip_u32 b = SEQ_LT(r->end, e) ? r->end : e;
	return SEQ_LT(a, b) ? b - a : 0;
}

/* Merge [s, e) into the scoreboard; returns bytes not SACKed before. */
static axip_u32 add_range(struct axip_tcp *c, axip_u32 s, axip_u32 e)
{
	axip_u32 i = 0, j, k, covered = 0, ms = s, me = e;
	while (i < c->n_sacked && SEQ_LT(c->sacked[i].end, s))
		i++;
	for (j = i; j < c->n_sacked && SEQ_LEQ(c->sacked[j].start, e); j++) {
		covered += overlap(&c->sacked[j], s, e);
		if (SEQ_LT(c->sacked[j].start, ms))
			ms = c->sacked[j].start;
		if (SEQ_GT(c->sacked[j].end, me))
			me = c->sacked[j].end;
	}
	if (j == i) {
		/* a new range at i; when full, the highest range gives way */
		if (c->n_sacked == TCP_SACK_RANGES) {
			if (i == c->n_sacked)
				return 0;
			c->n_sacked--;
		}
		for (k = c->n_sacked; k > i; k--)
			c->sacked[k] = c->sacked[k - 1];
		c->n_sacked++;
	} else if (j > i + 1u) {
		for (k = j; k < c->n_sacked; k++)
			c->sacked[k - (j - i - 1u)] = c->sacked[k];
		c->n_sacked -= j - i - 1u;
	}
	c->sacked[i].start = ms;
	c->sacked[i].end = me;
	return (e - s) - covered;
}

/* Call RACK for the parts of [s, e) the scoreboard does not hold yet. */
static void note_new(struct axip_tcp *c, axip_u32 s, axip_u32 e, const struct tcp_opts *o)
{
	axip_u32 k, pos = s;
	for (k = 0; k < c->n_sacked && SEQ_LT(pos, e); k++) {
		const struct tcp_range *r = &c->sacked[k];
		if (SEQ_LEQ(r->end, pos))
			continue;
		if (SEQ_GEQ(r->start, e))
			break;
		if (SEQ_LT(pos, r->start))
			tcp_rack_delivered(c, pos, r->start, o);
		pos = r->end;
	}
	if (SEQ_LT(pos, e))
		tcp_rack_delivered(c, pos, e, o);
}

void tcp_sack_note_acked(struct axip_tcp *c, axip_u32 s, axip_u32 e, const struct tcp_opts *o)
{
	if (c->flags & TF_SACK)
		note_new(c, s, e, o);
}

axip_u32 tcp_sack_update(struct axip_tcp *c, const struct tcp_opts *o)
{
	axip_u32 i, added = 0;
	if (!(c->flags & TF_SACK))
		return 0;
	for (i = 0; i < o->nsack; i++) {
		axip_u32 s = o->sack[i][0], e = o->sack[i][1];
		/* RFC 2018 / RFC 2883: blocks at or below snd_una (D-SACK) or past
		 * what we sent carry nothing for the scoreboard */
		if (!SEQ_LT(s, e) || SEQ_LEQ(e, c->snd_una) || SEQ_GT(e, c->snd_max))
			continue;
		if (SEQ_LT(s, c->snd_una))
			s = c->snd_una;
		note_new(c, s, e, o);
		added += add_range(c, s, e);
	}
	return added;
}

axip_u32 tcp_sack_skip(const struct axip_tcp *c, axip_u32 seq)
{
	axip_u32 i;
	for (i = 0; i < c->n_sacked; i++) {
		if (SEQ_LT(seq, c->sacked[i].start))
			break;
		if (SEQ_LT(seq, c->sacked[i].end))
			return c->sacked[i].end;
	}
	return seq;
}

axip_u32 tcp_sack_pipe(const struct axip_tcp *c)
{
	return tcp_rack_pipe(c);
}

int tcp_sack_retransmit(struct axip_tcp *c, axip_u32 seq, axip_u32 end)
{
	axip_u32 adv = tcp_send_seg(c, seq, min32(end - seq, tcp_seg_max(c)));
	if (!adv)
		return 0;
	if (SEQ_GT(seq + adv, c->high_rxt))
		c->high_rxt = seq + adv;
	return 1;
}

void tcp_sack_output(struct axip_tcp *c)
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
			if (!tcp_sack_retransmit(c, seq, end))
				break;
			pipe += c->high_rxt - (SEQ_GT(h, seq) ? h : seq);
			continue;
		}
		/* rule 2: new data the peer's window allows */
		if (SEQ_LT(c->snd_nxt, qend) || fin_pending) {
			axip_u32 wend = c->snd_una + c->snd_wnd, nxt = c->snd_nxt;
			axip_u32 len = SEQ_LT(c->snd_nxt, qend) ? qend - c->snd_nxt : 0;
			axip_u32 room = SEQ_GT(wend, c->snd_nxt) ? wend - c->snd_nxt : 0;
			len = min32(min32(len, smax), room);
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
			(void)tcp_sack_retransmit(c, seq, end);
		return;
	}
	/* RFC 6582 3.2 step 2: resend the first segment, cwnd = ssthresh + 3*SMSS */
	(void)tcp_send_seg(c, c->snd_una, min32(len, tcp_seg_max(c)));
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
			(void)tcp_send_seg(c, c->snd_una, min32(qend - c->snd_una, tcp_seg_max(c)));
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

/* ---- receive side (RFC 2018 4) ---- */

void tcp_rsack_note(struct axip_tcp *c, axip_u32 start, axip_u32 end)
{
	axip_u32 i, n = 0;
	struct tcp_range keep[TCP_RSACK_BLOCKS];
	for (i = 0; i < c->n_rsack; i++) {
		/* blocks now inside the new one are reported through it */
		if (SEQ_GEQ(c->rsack[i].start, start) && SEQ_LEQ(c->rsack[i].end, end))
			continue;
		if (SEQ_LT(c->rsack[i].start, end) && SEQ_GT(c->rsack[i].end, start))
			continue;
		if (n < TCP_RSACK_BLOCKS - 1u)
			keep[n++] = c->rsack[i];
	}
	c->rsack[0].start = start;
	c->rsack[0].end = end;
	for (i = 0; i < n; i++)
		c->rsack[i + 1u] = keep[i];
	c->n_rsack = n + 1u;
}

void tcp_rsack_dsack(struct axip_tcp *c, axip_u32 start, axip_u32 end)
{
	if (!(c->flags & TF_SACK))
		return;
	c->dsack.start = start;
	c->dsack.end = end;
	c->flags |= TF_DSACK_TX;
}

void tcp_rsack_trim(struct axip_tcp *c)
{
	axip_u32 i, n = 0;
	for (i = 0; i < c->n_rsack; i++) {
		if (SEQ_LEQ(c->rsack[i].end, c->rcv_nxt))
			continue;
		c->rsack[n] = c->rsack[i];
		if (SEQ_LT(c->rsack[n].start, c->rcv_nxt))
			c->rsack[n].start = c->rcv_nxt;
		n++;
	}
	c->n_rsack = n;
}
