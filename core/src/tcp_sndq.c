/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_sndq.c - the send queue: the buffers holding the data from snd_una
 * on, written by axip_tcp_write / axip_tcp_send (tcp.c), read by segment
 * construction and RACK through a cursor (tcp_sndq_seek), and freed as ACKs
 * arrive. Queued buffers carry RACK's per-segment state in cb (SQ_* in
 * tcp_internal.h).
 */
#include "tcp_internal.h"

/* The cursor remembers the buffer found last: output and RACK walk forward. */
struct axip_pkt *tcp_sndq_seek(struct axip_tcp *c, axip_u32 off, axip_u32 *boff)
{
	struct axip_pkt *p;
	axip_u32 base;
	if (c->sq_cur && c->sq_cur_off <= off) {
		p = c->sq_cur;
		base = c->sq_cur_off;
	} else {
		p = c->sq_head;
		base = 0;
	}
	while (p && base + p->len <= off) {
		base += p->len;
		p = p->next;
	}
	if (!p)
		return AXIP_NULL;
	c->sq_cur = p;
	c->sq_cur_off = base;
	*boff = off - base;
	return p;
}

void tcp_sndq_drop(struct axip_tcp *c, axip_u32 n)
{
	struct axip_stack *s = c->s;
	if (n > c->sndq_len)
		n = c->sndq_len;
	c->sndq_len -= n;
	while (n && c->sq_head) {
		struct axip_pkt *p = c->sq_head;
		if (p->len > n) {
			pkt_pull(p, n);
			break;
		}
		n -= p->len;
		c->sq_head = p->next;
		if (!c->sq_head)
			c->sq_tail = AXIP_NULL;
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
	}
	/* release empty buffers at the head too */
	while (c->sq_head && c->sq_head->len == 0) {
		struct axip_pkt *p = c->sq_head;
		c->sq_head = p->next;
		if (!c->sq_head)
			c->sq_tail = AXIP_NULL;
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
	}
	c->sq_cur = AXIP_NULL;
	c->sq_cur_off = 0;
}

void tcp_sndq_append(struct axip_tcp *c, struct axip_pkt *p, axip_u32 flags)
{
	p->next = AXIP_NULL;
	/* not sent yet: no RACK send times (tcp_internal.h SQ_*) */
	SQ_TS_MIN(p) = SQ_TS_MAX(p) = SQ_ORD_MIN(p) = SQ_ORD_MAX(p) = SQ_MAX_START(p) = 0;
	SQ_FLAGS(p) = flags;
	if (c->sq_tail)
		c->sq_tail->next = p;
	else
		c->sq_head = p;
	c->sq_tail = p;
	c->sndq_len += p->len;
}
