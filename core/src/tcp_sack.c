/*
 * tcp_sack.c - SACK (RFC 2018) and loss recovery: the send-side scoreboard
 * with RFC 6675 IsLost / SetPipe / NextSeg, NewReno (RFC 6582) when the peer
 * has no SACK, and the receive-side block list.
 *
 * The scoreboard is a short sorted array of disjoint SACKed ranges above
 * snd_una. IsLost is evaluated through one boundary: every unSACKed byte
 * below lost_edge() has more than (DupThresh-1)*SMSS SACKed bytes, or
 * DupThresh SACKed ranges, above it.
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

/* RFC 6675 4 IsLost(): unSACKed bytes below the returned sequence are lost. */
static axip_u32 lost_edge(const struct axip_tcp *c)
{
	axip_u32 bytes = 0, i = c->n_sacked;
	while (i-- > 0) {
		bytes += c->sacked[i].end - c->sacked[i].start;
		if (bytes > (TCP_DUPTHRESH - 1u) * c->mss || c->n_sacked - i >= TCP_DUPTHRESH)
			return c->sacked[i].start;
	}
	return c->snd_una;
}

/* RFC 6675 4 SetPipe(), over holes instead of single octets. */
axip_u32 tcp_sack_pipe(const struct axip_tcp *c)
{
	axip_u32 lost = lost_edge(c), pos = c->snd_una, pipe = 0, i;
	for (i = 0; i <= c->n_sacked; i++) {
		axip_u32 hole_end = i < c->n_sacked ? c->sacked[i].start : c->snd_max;
		if (SEQ_LT(pos, hole_end)) {
			axip_u32 a = SEQ_GT(pos, lost) ? pos : lost;
			axip_u32 b = SEQ_LT(hole_end, c->high_rxt) ? hole_end : c->high_rxt;
			if (SEQ_LT(a, hole_end))
				pipe += hole_end - a;  /* not lost: still in the network */
			if (SEQ_LT(pos, b))
				pipe += b - pos;       /* retransmitted */
		}
		if (i < c->n_sacked)
			pos = c->sacked[i].end;
	}
	return pipe;
}

/* First unSACKed byte at or above high_rxt and below `limit`; its hole end in *end. */
static int first_hole(const struct axip_tcp *c, axip_u32 limit, axip_u32 *seq, axip_u32 *end)
{
	axip_u32 pos = c->snd_una, i;
	for (i = 0; i <= c->n_sacked; i++) {
		axip_u32 hole_end = i < c->n_sacked ? c->sacked[i].start : c->snd_max;
		axip_u32 a = SEQ_GT(pos, c->high_rxt) ? pos : c->high_rxt;
		if (SEQ_LT(a, hole_end) && SEQ_LT(a, limit)) {
			*seq = a;
			*end = hole_end;
			return 1;
		}
		if (i < c->n_sacked)
			pos = c->sacked[i].end;
	}
	return 0;
}

static int retransmit_hole(struct axip_tcp *c, axip_u32 seq, axip_u32 end)
{
	axip_u32 adv = tcp_send_seg(c, seq, min32(end - seq, tcp_seg_max(c)));
	if (!adv)
		return 0;
	c->high_rxt = seq + adv;
	return 1;
}

void tcp_sack_output(struct axip_tcp *c)
{
	axip_u32 guard;
	for (guard = 0; guard < 65536u; guard++) {
		axip_u32 seq, end, smax = tcp_seg_max(c);
		axip_u32 qend = c->snd_una + c->sndq_len;
		axip_u32 highack = c->n_sacked ? c->sacked[c->n_sacked - 1u].end : c->snd_una;
		int fin_pending = (c->flags & TF_SHUT_WR) && c->snd_nxt == qend;

		/* RFC 6675 5 step (C): send while cwnd - pipe >= 1 SMSS */
		if (tcp_sack_pipe(c) + smax > c->cc.cwnd)
			break;
		/* NextSeg rule 1: the first lost, not yet retransmitted hole */
		if (first_hole(c, lost_edge(c), &seq, &end)) {
			if (!retransmit_hole(c, seq, end))
				break;
			continue;
		}
		/* rule 2: new data the peer's window allows */
		if (SEQ_LT(c->snd_nxt, qend) || fin_pending) {
			axip_u32 wend = c->snd_una + c->snd_wnd;
			axip_u32 len = SEQ_LT(c->snd_nxt, qend) ? qend - c->snd_nxt : 0;
			axip_u32 room = SEQ_GT(wend, c->snd_nxt) ? wend - c->snd_nxt : 0;
			len = min32(min32(len, smax), room);
			if ((len || fin_pending) && tcp_send_from_nxt(c, len))
				continue;
		}
		/* rule 3: a hole below the highest SACKed byte, not yet resent */
		if (first_hole(c, highack, &seq, &end)) {
			if (!retransmit_hole(c, seq, end))
				break;
			continue;
		}
		break;
	}
	if (c->snd_max != c->snd_una && c->rtx_kind == RTX_NONE)
		tcp_rto_arm(c);
}

static void enter_recovery(struct axip_tcp *c)
{
	struct axip_stack *s = c->s;
	axip_u32 qend = c->snd_una + c->sndq_len, len = qend - c->snd_una, adv;
	c->flags |= TF_RECOVERY;
	c->recover = c->snd_max;
	c->n_fast++;
	CTR_INC(s, tcp_fast_retransmit);
	if (c->cc_ops)
		c->cc_ops->on_loss(&c->cc, c->snd_max - c->snd_una, s->now);
	c->high_rxt = c->snd_una;
	/* RFC 6675 5 step (3) / RFC 6582 3.2 step 2: resend the first segment */
	if (c->n_sacked && SEQ_LT(c->sacked[0].start, qend))
		len = min32(len, c->sacked[0].start - c->snd_una);
	len = min32(len, tcp_seg_max(c));
	adv = tcp_send_seg(c, c->snd_una, len);
	if (c->flags & TF_SACK) {
		c->high_rxt = c->snd_una + adv;
	} else {
		/* RFC 6582 3.2 step 2: cwnd = ssthresh + 3*SMSS */
		c->inflate = TCP_DUPTHRESH * c->mss;
	}
}

void tcp_recovery_on_ack(struct axip_tcp *c, axip_u32 acked, int dup, axip_u32 newly_sacked)
{
	struct axip_stack *s = c->s;
	axip_u32 flight = c->snd_max - c->snd_una;

	if (c->flags & TF_RECOVERY) {
		if (SEQ_GEQ(c->snd_una, c->recover)) {
			/* full acknowledgement: recovery is over (RFC 6582 3.2 step 3,
			 * RFC 6675 5 "RecoveryPoint") */
			c->flags &= ~TF_RECOVERY;
			c->inflate = 0;
			c->dupacks = 0;
			if (c->cc_ops)
				c->cc_ops->on_recovery_end(&c->cc, flight);
			return;
		}
		if (c->flags & TF_SACK) {
			if (SEQ_LT(c->high_rxt, c->snd_una))
				c->high_rxt = c->snd_una;
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
		return;
	}
	if (!dup)
		return;
	if (c->dupacks < 255u)
		c->dupacks++;
	if (c->dupacks < TCP_DUPTHRESH &&
	    !((c->flags & TF_SACK) && newly_sacked && lost_edge(c) != c->snd_una))
		return;
	/* RFC 6582 3.2 step 1: one reduction per window of data */
	if (!(c->flags & TF_SACK) && !SEQ_GT(c->snd_una, c->recover))
		return;
	if ((c->flags & TF_SACK) && SEQ_LT(c->snd_una, c->recover))
		return;
	enter_recovery(c);
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
