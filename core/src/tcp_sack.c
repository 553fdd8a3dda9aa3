/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_sack.c - the send-side SACK scoreboard (RFC 2018, RFC 6675 2): a short
 * sorted array of disjoint ranges above snd_una that the peer reported
 * received. ACK processing feeds it (tcp_sack_update) and tells RACK which
 * bytes a cumulative ACK or a SACK block delivered for the first time;
 * output skips SACKed data after a timeout; recovery (tcp_recovery.c) and
 * RACK (tcp_rack.c) read it. The receive side is tcp_sack_rcv.c.
 */
#include "tcp_internal.h"

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

/* Merge [s, e) into the scoreboard; returns bytes not SACKed before. */
static axip_u32 add_range(struct axip_tcp *c, axip_u32 s, axip_u32 e)
{
	axip_u32 i = 0, j, k, covered = 0, ms = s, me = e;
	while (i < c->n_sacked && SEQ_LT(c->sacked[i].end, s))
		i++;
	for (j = i; j < c->n_sacked && SEQ_LEQ(c->sacked[j].start, e); j++) {
		covered += tcp_range_overlap(&c->sacked[j], s, e);
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
