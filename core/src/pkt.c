/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkt.c - packet objects: LIFO pool and buffer-view helpers.
 */
#include "stack_internal.h"
#include "wire.h"

axip_u32 axip_pkt_pool_available(const struct axip_stack *s)
{
	return s->pool.available;
}

struct axip_pkt *pkt_obj_get(struct axip_stack *s)
{
	struct axip_pkt *p = s->pool.free_head;
	if (!p) {
		CTR_INC(s, pkt_pool_empty);
		return AXIP_NULL;
	}
	s->pool.free_head = p->next;
	s->pool.available--;
	mem_zero(p, sizeof(*p));
	return p;
}

void pkt_obj_put(struct axip_stack *s, struct axip_pkt *p)
{
	p->next = s->pool.free_head;
	s->pool.free_head = p;
	s->pool.available++;
}

struct axip_pkt *axip_pkt_alloc(struct axip_stack *s, axip_u32 headroom)
{
	struct axip_pkt *p = pkt_obj_get(s);
	axip_u8 *mem;
	axip_u32 size;
	if (!p)
		return AXIP_NULL;
	p->buf = s->env.ops->buf_alloc(s->env.ctx, &mem, &size);
	if (!p->buf) {
		CTR_INC(s, buf_alloc_fail);
		pkt_obj_put(s, p);
		return AXIP_NULL;
	}
	if (headroom > size)
		headroom = size;
	p->data = mem + headroom;
	p->len = 0;
	p->headroom = headroom;
	p->tailroom = size - headroom;
	return p;
}

void axip_pkt_free(struct axip_stack *s, struct axip_pkt *p)
{
	while (p) {
		struct axip_pkt *n = p->sg_next;
		if (p->buf)
			s->env.ops->buf_free(s->env.ctx, p->buf);
		pkt_obj_put(s, p);
		p = n;
	}
}

struct axip_pkt *pkt_clone_one(struct axip_stack *s, const struct axip_pkt *p)
{
	struct axip_pkt *c = pkt_obj_get(s);
	if (!c)
		return AXIP_NULL;
	c->buf = p->buf;
	c->data = p->data;
	c->len = p->len;
	/* a clone must not write into the shared buffer */
	c->headroom = 0;
	c->tailroom = 0;
	c->flags = p->flags;
	c->rx_hash = p->rx_hash;
	if (c->buf)
		s->env.ops->buf_ref(s->env.ctx, c->buf);
	return c;
}

axip_u32 axip_pkt_chain_len(const struct axip_pkt *p)
{
	axip_u32 n = 0;
	for (; p; p = p->sg_next)
		n += p->len;
	return n;
}

axip_u32 axip_pkt_copy_out(const struct axip_pkt *p, axip_u32 off, void *dst, axip_u32 len)
{
	axip_u8 *d = (axip_u8 *)dst;
	axip_u32 done = 0;
	for (; p && done < len; p = p->sg_next) {
		axip_u32 n;
		if (off >= p->len) {
			off -= p->len;
			continue;
		}
		n = p->len - off;
		if (n > len - done)
			n = len - done;
		mem_copy(d + done, p->data + off, n);
		done += n;
		off = 0;
	}
	return done;
}

axip_u8 *pkt_push(struct axip_pkt *p, axip_u32 n)
{
	if (p->headroom < n)
		return AXIP_NULL;
	p->data -= n;
	p->len += n;
	p->headroom -= n;
	return p->data;
}

void pkt_pull(struct axip_pkt *p, axip_u32 n)
{
	if (n > p->len)
		n = p->len;
	p->data += n;
	p->len -= n;
	p->headroom += n;
}

void pkt_trim(struct axip_stack *s, struct axip_pkt *p, axip_u32 len)
{
	for (; p; p = p->sg_next) {
		if (p->len >= len) {
			p->tailroom += p->len - len;
			p->len = len;
			axip_pkt_free(s, p->sg_next);
			p->sg_next = AXIP_NULL;
			return;
		}
		len -= p->len;
	}
}

int pkt_linearize(struct axip_stack *s, struct axip_pkt *p, axip_u32 n)
{
	while (p->len < n) {
		struct axip_pkt *q = p->sg_next;
		axip_u32 take;
		if (!q)
			return -1;
		take = n - p->len;
		if (take > q->len)
			take = q->len;
		if (p->tailroom < take)
			return -1;
		mem_copy(p->data + p->len, q->data, take);
		p->len += take;
		p->tailroom -= take;
		q->data += take;
		q->len -= take;
		if (q->len == 0) {
			/* unlink and release the emptied buffer */
			p->sg_next = q->sg_next;
			q->sg_next = AXIP_NULL;
			axip_pkt_free(s, q);
		}
	}
	return 0;
}
