/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_reass.c - out-of-order queue (RFC 9293 3.10.7.4, "segment text").
 *
 * Segments above rcv_nxt are kept sorted and disjoint, overlaps trimmed on
 * insertion. Bounded per connection by the receive window (the caller only
 * queues in-window bytes) and per instance by cfg.tcp_ooo_max_bytes and a
 * quarter of the packet objects; anything beyond is dropped (tcp_ooo_drop).
 * Queue entries keep their sequence number in cb[0], length in cb[1] and a
 * FIN flag in cb[2].
 */
#include "tcp_internal.h"

#define Q_SEQ(p) ((p)->cb[0])
#define Q_LEN(p) ((p)->cb[1])
#define Q_FIN(p) ((p)->cb[2])

struct axip_pkt *tcp_pkt_pull(struct axip_stack *s, struct axip_pkt *p, axip_u32 n)
{
	while (p && n) {
		if (p->len > n) {
			pkt_pull(p, n);
			return p;
		}
		n -= p->len;
		{
			struct axip_pkt *next = p->sg_next;
			p->sg_next = AXIP_NULL;
			axip_pkt_free(s, p);
			p = next;
		}
	}
	return p;
}

static void account(struct axip_tcp *c, axip_u32 len, int add)
{
	struct tcp_state *t = c->s->tcp;
	if (add) {
		c->ooo_bytes += len;
		c->ooo_segs++;
		t->ooo_bytes += len;
		t->ooo_segs++;
	} else {
		c->ooo_bytes -= len;
		c->ooo_segs--;
		t->ooo_bytes -= len;
		t->ooo_segs--;
	}
}

/* RFC 2018 4: report the block holding the newest segment first. */
static void note_block(struct axip_tcp *c, axip_u32 seq)
{
	struct axip_pkt *q = c->ooo_head;
	axip_u32 start = 0, end = 0;
	int open = 0;
	for (; q; q = q->next) {
		if (open && Q_SEQ(q) == end) {
			end += Q_LEN(q);
		} else {
			if (open && SEQ_GEQ(seq, start) && SEQ_LT(seq, end))
				break;
			start = Q_SEQ(q);
			end = start + Q_LEN(q);
			open = 1;
		}
	}
	if (open)
		tcp_rsack_note(c, start, end);
}

void tcp_reass_insert(struct axip_tcp *c, struct axip_pkt *p, axip_u32 seq, axip_u32 len, int fin)
{
	struct axip_stack *s = c->s;
	struct tcp_state *t = s->tcp;
	struct axip_pkt *prev = AXIP_NULL, *q, *next;

	if (len == 0 || t->ooo_bytes + len > s->cfg.tcp_ooo_max_bytes ||
	    t->ooo_segs >= t->ooo_segs_max) {
		CTR_INC(s, tcp_ooo_drop);
		axip_pkt_free(s, p);
		return;
	}
	for (q = c->ooo_head; q && SEQ_LEQ(Q_SEQ(q), seq); q = q->next)
		prev = q;
	if (prev) {
		axip_u32 pend = Q_SEQ(prev) + Q_LEN(prev);
		if (SEQ_GEQ(pend, seq + len)) {
			/* already held entirely */
			if (fin && pend == seq + len)
				Q_FIN(prev) = 1;
			CTR_INC(s, tcp_ooo_drop);
			axip_pkt_free(s, p);
			/* RFC 2883 4.1.2: the duplicate, then the block holding it */
			tcp_rsack_dsack(c, seq, seq + len);
			note_block(c, seq);
			return;
		}
		if (SEQ_GT(pend, seq)) {
			p = tcp_pkt_pull(s, p, pend - seq);
			len -= pend - seq;
			seq = pend;
		}
	}
	while (q && SEQ_LT(Q_SEQ(q), seq + len)) {
		axip_u32 qend = Q_SEQ(q) + Q_LEN(q);
		if (SEQ_LEQ(qend, seq + len)) {
			/* the new segment covers q entirely */
			next = q->next;
			if (prev)
				prev->next = next;
			else
				c->ooo_head = next;
			if (Q_FIN(q) && qend == seq + len)
				fin = 1;
			account(c, Q_LEN(q), 0);
			q->next = AXIP_NULL;
			axip_pkt_free(s, q);
			q = next;
			continue;
		}
		/* partial overlap with q: keep q's bytes, cut the new tail */
		len = Q_SEQ(q) - seq;
		pkt_trim(s, p, len);
		fin = 0;
		break;
	}
	p->next = q;
	if (prev)
		prev->next = p;
	else
		c->ooo_head = p;
	Q_SEQ(p) = seq;
	Q_LEN(p) = len;
	Q_FIN(p) = fin ? 1u : 0;
	account(c, len, 1);
	CTR_INC(s, tcp_ooo_queued);
	note_block(c, seq);
}

struct axip_pkt *tcp_reass_pop(struct axip_tcp *c, axip_u32 *bytes, int *fin)
{
	struct axip_stack *s = c->s;
	struct axip_pkt *head = AXIP_NULL, *tail = AXIP_NULL, *q;
	axip_u32 nxt = c->rcv_nxt, total = 0;

	*fin = 0;
	while ((q = c->ooo_head) != AXIP_NULL && SEQ_LEQ(Q_SEQ(q), nxt) && !*fin) {
		axip_u32 seq = Q_SEQ(q), len = Q_LEN(q);
		c->ooo_head = q->next;
		q->next = AXIP_NULL;
		account(c, len, 0);
		if (SEQ_LEQ(seq + len, nxt)) {
			if (Q_FIN(q) && seq + len == nxt)
				*fin = 1;
			axip_pkt_free(s, q);
			continue;
		}
		if (Q_FIN(q))
			*fin = 1;
		q = tcp_pkt_pull(s, q, nxt - seq);
		len -= nxt - seq;
		nxt += len;
		total += len;
		if (!q)
			continue;
		q->cb[0] = q->cb[1] = q->cb[2] = 0;
		if (tail) {
			while (tail->sg_next)
				tail = tail->sg_next;
			tail->sg_next = q;
		} else {
			head = q;
		}
		tail = q;
	}
	*bytes = total;
	return head;
}

void tcp_reass_flush(struct axip_tcp *c)
{
	while (c->ooo_head) {
		struct axip_pkt *q = c->ooo_head;
		c->ooo_head = q->next;
		q->next = AXIP_NULL;
		account(c, Q_LEN(q), 0);
		axip_pkt_free(c->s, q);
	}
	c->n_rsack = 0;
}
