/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_rack.c - RACK-TLP loss detection (RFC 8985) for connections with SACK:
 * time-based loss marking from the send time of the most recently delivered
 * data, the reordering window with its D-SACK adaptation, the reordering
 * timer, and tail loss probes.
 *
 * RFC 8985's per-segment state lives in the send-queue buffers (SQ_* in
 * tcp_internal.h): a "segment" of the RFC is a queue buffer here. A buffer
 * can hold bytes of several transmissions, so it keeps the oldest and the
 * newest send of its bytes not yet delivered, and where the newest began.
 * A delivery counts with the oldest (RACK.xmit_ts never runs ahead of the
 * truth) unless it lies in the newest send, and a loss is judged by the
 * newest (nothing is marked lost early) unless the newest was delivered;
 * an inexact bound can only delay a loss decision. Transmissions are numbered, which orders sends made in
 * the same clock tick (RFC 8985 6.2 RACK_sent_after breaks such ties by
 * sequence number, which misorders a retransmission and new data).
 *
 * Cost: the loss walk and SetPipe visit every buffer in flight; they run
 * only while SACK blocks are held or a recovery is in progress.
 */
#include "tcp_internal.h"

/* RACK clock: time and durations in ticks of 2^TCP_RACK_TS_SHIFT ns. */
static axip_u32 rack_now(const struct axip_tcp *c)
{
	return (axip_u32)(c->s->now >> TCP_RACK_TS_SHIFT);
}

/* a later than b, for wrapping tick counts and transmission numbers */
static int after(axip_u32 a, axip_u32 b)
{
	return (axip_i32)(a - b) > 0;
}

/* End of the buffer starting at pos, clipped to what was ever sent. */
static axip_u32 sent_end(const struct axip_tcp *c, axip_u32 pos, const struct axip_pkt *p)
{
	return SEQ_LT(pos + p->len, c->snd_max) ? pos + p->len : c->snd_max;
}

/* UnSACKed bytes of [a, b); *k is a scoreboard index for ascending calls. */
static axip_u32 unsacked(const struct axip_tcp *c, axip_u32 *k, axip_u32 a, axip_u32 b)
{
	axip_u32 n = b - a, i;
	while (*k < c->n_sacked && SEQ_LEQ(c->sacked[*k].end, a))
		(*k)++;
	for (i = *k; i < c->n_sacked && SEQ_LT(c->sacked[i].start, b); i++)
		n -= tcp_range_overlap(&c->sacked[i], a, b);
	return n;
}

/* Start of the first SACKed range above seq, else snd_max. */
static axip_u32 next_sacked(const struct axip_tcp *c, axip_u32 seq)
{
	axip_u32 i;
	for (i = 0; i < c->n_sacked; i++)
		if (SEQ_GT(c->sacked[i].start, seq))
			return c->sacked[i].start;
	return c->snd_max;
}

static axip_u32 sacked_bytes(const struct axip_tcp *c)
{
	axip_u32 i, n = 0;
	for (i = 0; i < c->n_sacked; i++)
		n += c->sacked[i].end - c->sacked[i].start;
	return n;
}

void tcp_rack_sent(struct axip_tcp *c, axip_u32 seq, axip_u32 len, int rtx)
{
	axip_u32 boff, pos, end = seq + len, now = rack_now(c), ord = ++c->tx_ord;
	struct axip_pkt *p = tcp_sndq_seek(c, seq - c->snd_una, &boff);
	if (ord == 0)
		ord = ++c->tx_ord; /* 0 means "never sent" */
	for (pos = seq - boff; p && SEQ_LT(pos, end); pos += p->len, p = p->next) {
		/* does this send cover every byte of the buffer not yet delivered? */
		int all = (SQ_ORD_MAX(p) == 0 || SEQ_GEQ(tcp_sack_skip(c, pos), seq)) &&
		          SEQ_GEQ(tcp_sack_skip(c, end), sent_end(c, pos, p));
		SQ_TS_MAX(p) = now;
		SQ_ORD_MAX(p) = ord;
		SQ_MAX_START(p) = seq;
		SQ_FLAGS(p) = rtx ? SQ_FLAGS(p) | SQF_MAX_RTX : SQ_FLAGS(p) & ~SQF_MAX_RTX;
		if (all) {
			SQ_TS_MIN(p) = now;
			SQ_ORD_MIN(p) = ord;
			/* lost until every byte of it has been resent; the part
			 * already resent lies below high_rxt */
			SQ_FLAGS(p) &= ~SQF_LOST;
		}
		if (rtx)
			SQ_FLAGS(p) |= SQF_RTX;
	}
}

/* RFC 8985 6.2 steps 1-3 for the buffers holding [s, e). */
void tcp_rack_delivered(struct axip_tcp *c, axip_u32 s, axip_u32 e, const struct tcp_opts *o)
{
	axip_u32 boff, pos, now = rack_now(c);
	struct axip_pkt *p;

	if (!(c->flags & TF_SACK) || !SEQ_LT(s, e))
		return;
	p = tcp_sndq_seek(c, s - c->snd_una, &boff);
	for (pos = s - boff; p && SEQ_LT(pos, e); pos += p->len, p = p->next) {
		axip_u32 ts = SQ_TS_MIN(p), ord = SQ_ORD_MIN(p), rtt;
		axip_u32 pb = SEQ_GT(pos, s) ? pos : s, pe = SEQ_LT(pos + p->len, e) ? pos + p->len : e;
		int rtx = (SQ_FLAGS(p) & SQF_RTX) != 0;
		if (SQ_ORD_MAX(p) == 0)
			continue;
		if (SEQ_GEQ(pb, SQ_MAX_START(p)) && !(SQ_FLAGS(p) & SQF_MAX_RTX)) {
			/* new data goes out in sequence order: every sent byte
			 * from the start of the newest send on went with it */
			ts = SQ_TS_MAX(p);
			ord = SQ_ORD_MAX(p);
			rtx = 0;
		}
		rtt = now - ts;
		if ((axip_i32)rtt < 0)
			continue;
		/* step 3: delivered below the highest delivered sequence without
		 * having been resent: the network reordered */
		if (SEQ_GT(pe, c->rack_fack))
			c->rack_fack = pe;
		else if (SEQ_LT(pe, c->rack_fack) && !rtx)
			c->flags |= TF_RACK_REORD;
		if (rtx) {
			/* step 2: an ACK of the original transmission must not
			 * count as one of the retransmission */
			axip_time_ns sent = c->s->now - ((axip_time_ns)rtt << TCP_RACK_TS_SHIFT);
			if ((o->have & TCPO_TS) && (c->flags & TF_TS) &&
			    SEQ_LT(o->tsecr, (axip_u32)(sent >> TCP_TS_SHIFT) + c->ts_offset))
				continue;
			/* (one tick of slack for the clock's granularity) */
			if (rtt + 1u < c->rack_min_rtt)
				continue;
		} else if (c->rack_min_rtt == 0 || rtt < c->rack_min_rtt) {
			c->rack_min_rtt = rtt ? rtt : 1u; /* step 1 */
		}
		if (!(c->flags & TF_RACK_SET) || after(ord, c->rack_ord)) {
			c->rack_xmit_ts = ts;
			c->rack_ord = ord;
			c->rack_rtt = rtt;
			c->flags |= TF_RACK_SET;
		}
	}
}

void tcp_rack_dsack(struct axip_tcp *c)
{
	/* a resent segment arrived twice: the first copy was late, not lost.
	 * Step 3 watches never-resent data only; this covers the resent. */
	c->flags |= TF_RACK_REORD;
	/* RFC 8985 6.2 step 4: widen the window once per round trip with D-SACKs */
	if ((c->flags & TF_RACK_DSRND) && SEQ_GEQ(c->snd_una, c->rack_dsack_round))
		c->flags &= ~TF_RACK_DSRND;
	if (c->flags & TF_RACK_DSRND)
		return;
	c->flags |= TF_RACK_DSRND;
	c->rack_dsack_round = c->snd_max;
	if (c->rack_reo_mult < 255u)
		c->rack_reo_mult++;
	c->rack_reo_persist = 16;
}

void tcp_rack_recovery_end(struct axip_tcp *c)
{
	/* RFC 8985 6.2 step 4: back to the base window after 16 recoveries */
	if (c->rack_reo_persist && --c->rack_reo_persist == 0)
		c->rack_reo_mult = 1;
}

/* RFC 8985 6.2 step 4 RACK_update_reo_wnd(), in RACK clock ticks. */
static axip_u32 reo_wnd(const struct axip_tcp *c)
{
	axip_u32 w, srtt = (axip_u32)(((axip_u64)c->srtt_us * 125u) >> 7); /* us -> 1.024 us */
	if (!(c->flags & TF_RACK_REORD)) {
		if (c->flags & TF_RECOVERY)
			return 0;
		if (sacked_bytes(c) > (TCP_DUPTHRESH - 1u) * c->mss)
			return 0; /* DupThresh segments SACKed */
	}
	w = (c->rack_min_rtt >> 2) * (c->rack_reo_mult ? c->rack_reo_mult : 1u);
	return w < srtt ? w : srtt;
}

static void mark_lost(struct axip_tcp *c, struct axip_pkt *p, axip_u32 pos)
{
	axip_u32 first = tcp_sack_skip(c, pos);
	SQ_FLAGS(p) |= SQF_LOST;
	CTR_INC(c->s, tcp_rack_lost);
	/* resent bytes below high_rxt are in flight again: NextSeg must go back */
	if (SEQ_LT(first, c->high_rxt))
		c->high_rxt = first;
}

/* RFC 8985 6.2 step 5 RACK_detect_loss() and the reordering timer (6.3). */
axip_u32 tcp_rack_detect(struct axip_tcp *c)
{
	axip_u32 now = rack_now(c), reo, timeout = 0, pos = c->snd_una, k = 0, marked = 0;
	struct axip_pkt *p;

	if (!(c->flags & TF_SACK) || !(c->flags & TF_RACK_SET))
		return 0;
	reo = reo_wnd(c);
	for (p = c->sq_head; p && SEQ_LT(pos, c->snd_max); pos += p->len, p = p->next) {
		axip_u32 due, end = sent_end(c, pos, p), ord = SQ_ORD_MAX(p), ts = SQ_TS_MAX(p);
		axip_u32 ms = SEQ_GT(SQ_MAX_START(p), pos) ? SQ_MAX_START(p) : pos;
		if (ord == 0 || !unsacked(c, &k, pos, end))
			continue;
		if (SQ_FLAGS(p) & SQF_LOST) {
			/* resent in pieces: once no unSACKed byte is left at or
			 * above high_rxt, the resent bytes are watched again */
			if (SEQ_LT(tcp_sack_skip(c, SEQ_GT(c->high_rxt, pos) ? c->high_rxt : pos), end))
				continue;
			SQ_FLAGS(p) &= ~SQF_LOST;
		}
		if (SEQ_GEQ(tcp_sack_skip(c, ms), end)) {
			/* the newest send of it was delivered: what is missing
			 * went out with an older one */
			ord = SQ_ORD_MIN(p);
			ts = SQ_TS_MIN(p);
		}
		/* only what was sent before the most recently delivered data */
		if (!after(c->rack_ord, ord))
			continue;
		due = ts + c->rack_rtt + reo;
		if (!after(due, now)) {
			mark_lost(c, p, pos);
			marked++;
		} else if (due - now > timeout) {
			timeout = due - now;
		}
	}
	if (timeout) {
		c->rack_kind = RACK_T_REO;
		c->t_rack = c->s->now + ((axip_time_ns)timeout << TCP_RACK_TS_SHIFT);
		tcp_timer_update(c);
	} else if (c->rack_kind == RACK_T_REO) {
		c->rack_kind = RACK_T_NONE;
		c->t_rack = 0;
		tcp_timer_update(c);
	}
	return marked;
}

void tcp_rack_rto(struct axip_tcp *c)
{
	axip_u32 pos = c->snd_una;
	struct axip_pkt *p;
	/* RFC 8985 6.3: after a timeout the outstanding data is resent as lost
	 * (every buffer: RFC 5681 3.1 resends from SND.UNA) */
	for (p = c->sq_head; p && SEQ_LT(pos, c->snd_max); pos += p->len, p = p->next)
		SQ_FLAGS(p) |= SQF_LOST;
	c->flags &= ~(TF_TLP | TF_TLP_RTX);
	c->rack_kind = RACK_T_NONE;
	c->t_rack = 0;
}

int tcp_rack_any_lost(const struct axip_tcp *c)
{
	axip_u32 pos = c->snd_una, k = 0;
	const struct axip_pkt *p;
	for (p = c->sq_head; p && SEQ_LT(pos, c->snd_max); pos += p->len, p = p->next)
		if ((SQ_FLAGS(p) & SQF_LOST) && unsacked(c, &k, pos, sent_end(c, pos, p)))
			return 1;
	return 0;
}

int tcp_rack_next_lost(struct axip_tcp *c, axip_u32 limit, axip_u32 *seq, axip_u32 *end)
{
	axip_u32 from = SEQ_GT(c->high_rxt, c->snd_una) ? c->high_rxt : c->snd_una, boff, pos;
	struct axip_pkt *p;
	int found = 0;

	if (!SEQ_LT(from, c->snd_max))
		return 0;
	p = tcp_sndq_seek(c, from - c->snd_una, &boff);
	for (pos = from - boff; p && SEQ_LT(pos, c->snd_max); pos += p->len, p = p->next) {
		axip_u32 be = sent_end(c, pos, p), a;
		if (!(SQ_FLAGS(p) & SQF_LOST)) {
			if (found)
				break;
			continue;
		}
		if (found) {
			/* extend the run into the next lost buffer */
			if (*end != pos || tcp_sack_skip(c, pos) != pos)
				break;
			*end = min_u32(next_sacked(c, pos) - *seq, be - *seq) + *seq;
		} else {
			a = tcp_sack_skip(c, SEQ_GT(pos, from) ? pos : from);
			if (!SEQ_LT(a, be))
				continue;
			*seq = a;
			*end = min_u32(next_sacked(c, a) - a, be - a) + a;
			found = 1;
		}
		if (*end - *seq >= limit) {
			*end = *seq + limit;
			break;
		}
	}
	return found;
}

axip_u32 tcp_rack_pipe(const struct axip_tcp *c)
{
	axip_u32 pos = c->snd_una, k = 0, pipe = 0;
	const struct axip_pkt *p;
	for (p = c->sq_head; p && SEQ_LT(pos, c->snd_max); pos += p->len, p = p->next) {
		axip_u32 end = sent_end(c, pos, p);
		if (!(SQ_FLAGS(p) & SQF_LOST))
			pipe += unsacked(c, &k, pos, end);    /* in flight */
		else if (SEQ_LT(pos, c->high_rxt))
			pipe += unsacked(c, &k, pos, SEQ_LT(c->high_rxt, end) ? c->high_rxt : end);
	}
	return pipe;
}

/* ---- Tail Loss Probe (RFC 8985 7) ---- */

static void tlp_end(struct axip_tcp *c)
{
	c->flags &= ~(TF_TLP | TF_TLP_RTX);
}

void tcp_tlp_on_ack(struct axip_tcp *c, axip_u32 ack, axip_u32 acked, int dsack, axip_u32 newly)
{
	struct axip_stack *s = c->s;
	if (!(c->flags & TF_TLP) || SEQ_LT(ack, c->tlp_end_seq))
		return;
	/* RFC 8985 7.4: a probe of new data needs no bookkeeping; a resent
	 * probe answered by a D-SACK, or a plain duplicate ACK, means both the
	 * original and the probe arrived */
	if (!(c->flags & TF_TLP_RTX) || dsack || (!acked && !newly)) {
		tlp_end(c);
		return;
	}
	if (SEQ_GT(ack, c->tlp_end_seq)) {
		/* data beyond the probe is acknowledged without a D-SACK: the
		 * probe repaired a loss, which calls for a congestion response */
		tlp_end(c);
		CTR_INC(s, tcp_tlp_recovery);
		if (c->cc_ops) {
			axip_u32 flight = c->snd_max - c->snd_una;
			c->cc_ops->on_loss(&c->cc, flight, s->now);
			c->cc_ops->on_recovery_end(&c->cc, flight);
		}
		return;
	}
	if (c->snd_una == c->snd_max)
		tlp_end(c); /* nothing left to tell the cases apart */
}

/* RFC 8985 7.2 TLP_calc_PTO(). */
static axip_time_ns pto_ns(const struct axip_tcp *c)
{
	axip_time_ns pto = (axip_time_ns)c->srtt_us * 2000u;
	/* a lone segment may wait for the peer's delayed ACK (WCDelAckT) */
	if (c->snd_max - c->snd_una <= c->mss)
		pto += TCP_TLP_MAX_ACK_DELAY_NS;
	if (c->rtx_kind == RTX_RTO && c->t_rtx > c->s->now && c->s->now + pto > c->t_rtx)
		pto = c->t_rtx - c->s->now;
	return pto;
}

void tcp_tlp_schedule(struct axip_tcp *c)
{
	if (c->rack_kind == RACK_T_REO)
		return; /* RFC 8985 8: the reordering timer goes first */
	if (!(c->flags & TF_SACK) || (c->flags & (TF_RECOVERY | TF_TLP)) || c->n_sacked ||
	    c->snd_max == c->snd_una || c->srtt_us == 0 || c->rtx_kind != RTX_RTO) {
		if (c->rack_kind == RACK_T_TLP) {
			c->rack_kind = RACK_T_NONE;
			c->t_rack = 0;
			tcp_timer_update(c);
		}
		return;
	}
	/* RFC 8985 7.2: (re)start after new data went out or new data was
	 * acknowledged; otherwise the armed probe keeps its time */
	if (c->rack_kind == RACK_T_TLP && c->tlp_una == c->snd_una && c->tlp_max == c->snd_max)
		return;
	c->tlp_una = c->snd_una;
	c->tlp_max = c->snd_max;
	c->rack_kind = RACK_T_TLP;
	c->t_rack = c->s->now + pto_ns(c);
	tcp_timer_update(c);
}

/* RFC 8985 7.3 TLP_send_probe(). */
static void tlp_send(struct axip_tcp *c)
{
	axip_u32 qend = c->snd_una + c->sndq_len, smax = tcp_seg_max(c), len, top, seq;
	axip_u32 wend = c->snd_una + c->snd_wnd;
	int fin_pending = (c->flags & TF_SHUT_WR) && c->snd_nxt == qend && c->snd_max == qend;

	if (c->snd_max == c->snd_una || (c->flags & TF_RECOVERY))
		return;
	len = SEQ_LT(c->snd_nxt, qend) ? qend - c->snd_nxt : 0;
	len = min_u32(min_u32(len, smax), SEQ_GT(wend, c->snd_nxt) ? wend - c->snd_nxt : 0);
	if ((len || fin_pending) && tcp_send_from_nxt(c, len)) {
		/* new data the receive window allows */
		c->flags &= ~TF_TLP_RTX;
	} else {
		/* otherwise the last segment sent */
		top = SEQ_LT(c->snd_max, qend) ? c->snd_max : qend;
		seq = top - min_u32(top - c->snd_una, smax);
		if (!tcp_send_seg(c, seq, top - seq))
			return;
		c->flags |= TF_TLP_RTX;
	}
	c->flags |= TF_TLP;
	c->tlp_end_seq = c->snd_max;
	CTR_INC(c->s, tcp_tlp);
	tcp_rto_arm(c);
}

void tcp_rack_timer(struct axip_tcp *c)
{
	axip_u8 kind = c->rack_kind;
	c->rack_kind = RACK_T_NONE;
	c->t_rack = 0;
	if (kind == RACK_T_REO) {
		/* RFC 8985 6.3: the reordering window has passed */
		CTR_INC(c->s, tcp_rack_reo_timeout);
		if (tcp_rack_detect(c) && !(c->flags & TF_RECOVERY))
			tcp_enter_recovery(c);
		tcp_output(c);
	} else if (kind == RACK_T_TLP) {
		tlp_send(c);
	}
}
