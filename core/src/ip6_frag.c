/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip6_frag.c - IPv6 reassembly (RFC 8200 4.5, RFC 5722) and fragmentation
 * of outgoing packets.
 *
 * Reassembly holds at most cfg.frag6_slots datagrams, cfg.frag6_max_bytes
 * fragmentable-part bytes over all of them and cfg.frag6_max_per_datagram
 * fragments each; every slot has its own timer (cfg.frag6_timeout_ns, 60 s
 * in RFC 8200 4.5). A datagram is identified by source, destination and the
 * 32-bit identification. Fragments are kept as received (no copy), sorted by
 * offset and linked through `next`, p->data at their fragmentable part; the
 * first fragment's unfragmentable part and fragment header stay in its buffer
 * just in front. Per fragment: cb[0] offset, cb[1] length, cb[2] bytes in
 * front (IPv6 header to the end of the fragment header), cb[3] the offset of
 * the byte holding the fragment header's type.
 *
 * RFC 5722 4: an overlapping fragment discards the datagram and every
 * fragment of it that arrives later: the slot stays, marked dead, until its
 * timer expires. An exact duplicate is dropped alone (RFC 8200 4.5 allows
 * it; RFC 5722 erratum 3089).
 */
#include "ip6_frag.h"
#include "ipv6.h"
#include "icmp6.h"
#include "nd6.h"
#include "wire.h"
#include "checksum.h"

#define FRAG_OFF cb[0]
#define FRAG_LEN cb[1]
#define FRAG_HDR cb[2]
#define FRAG_NHOFF cb[3]

struct frag6_slot {
	struct axip_timer timer;  /* first member: the timer callback's argument is the slot */
	struct ip6_frag_table *tab;
	struct axip_pkt *frags;   /* sorted by offset, no overlaps */
	axip_u8 src[16], dst[16];
	axip_u32 id;
	axip_u8 used;
	axip_u8 dead;             /* RFC 5722: overlap seen, fragments dropped until timeout */
	axip_u8 have_last;        /* the fragment with M clear arrived */
	axip_u32 total;           /* fragmentable-part length, once have_last */
	axip_u32 held;            /* bytes held */
	axip_u32 n_frags;
};

struct ip6_frag_table {
	struct frag6_slot *slots;
	axip_u32 n_slots;
	axip_u32 n_used;
	axip_u32 bytes;
};

static void frag_expire(struct axip_stack *s, struct axip_timer *t);

struct ip6_frag_table *ip6_frag_carve(struct axip_stack *s, struct carve *c)
{
	struct ip6_frag_table *t = CARVE_ARRAY(c, struct ip6_frag_table, 1);
	struct frag6_slot *slots = CARVE_ARRAY(c, struct frag6_slot, s->cfg.frag6_slots);
	axip_u32 i;
	if (carve_dry(c))
		return AXIP_NULL;
	t->slots = slots;
	t->n_slots = s->cfg.frag6_slots;
	t->n_used = 0;
	t->bytes = 0;
	for (i = 0; i < t->n_slots; i++) {
		mem_zero(&slots[i], sizeof(slots[i]));
		timer_init(&slots[i].timer, frag_expire);
		slots[i].tab = t;
	}
	return t;
}

static void frags_free(struct axip_stack *s, struct frag6_slot *sl)
{
	struct axip_pkt *p = sl->frags;
	while (p) {
		struct axip_pkt *n = p->next;
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
		p = n;
	}
	sl->frags = AXIP_NULL;
	sl->tab->bytes -= sl->held;
	sl->held = 0;
	sl->n_frags = 0;
}

static void slot_free(struct axip_stack *s, struct frag6_slot *sl)
{
	frags_free(s, sl);
	timer_cancel(&s->wheel, &sl->timer);
	sl->tab->n_used--;
	sl->used = 0;
	sl->dead = 0;
}

/* RFC 5722 4: drop what is held, keep the slot to discard what follows. */
static void slot_kill(struct axip_stack *s, struct frag6_slot *sl)
{
	frags_free(s, sl);
	sl->dead = 1;
}

/*
 * RFC 8200 4.5: when reassembly is not complete within 60 s, discard it and,
 * if the first fragment arrived, send Time Exceeded code 1 to the source
 * (icmp6_send_error applies the multicast rules and the rate limit).
 */
static void frag_expire(struct axip_stack *s, struct axip_timer *t)
{
	struct frag6_slot *sl = (struct frag6_slot *)(void *)t;
	struct axip_pkt *first = sl->frags;
	if (!sl->dead)
		CTR_INC(s, ip6_frag_timeout);
	if (first && first->FRAG_OFF == 0)
		icmp6_send_error(s, first->data - first->FRAG_HDR, first->FRAG_HDR, first,
		                 ICMP6_TIME_EXCEEDED, ICMP6_CODE_REASM_TIMEOUT, 0);
	slot_free(s, sl);
}

static struct frag6_slot *slot_find(struct ip6_frag_table *t, const axip_u8 *src,
                                    const axip_u8 *dst, axip_u32 id,
                                    struct frag6_slot **free_slot)
{
	axip_u32 i, seen = 0;
	*free_slot = AXIP_NULL;
	for (i = 0; i < t->n_slots; i++) {
		struct frag6_slot *sl = &t->slots[i];
		if (!sl->used) {
			if (!*free_slot)
				*free_slot = sl;
			if (seen == t->n_used)
				break;
			continue;
		}
		seen++;
		if (sl->id == id && mem_equal(sl->src, src, 16) && mem_equal(sl->dst, dst, 16))
			return sl;
	}
	return AXIP_NULL;
}

/* Join the held fragments into one chain and rewrite the first's headers. */
static struct axip_pkt *assemble(struct axip_stack *s, struct frag6_slot *sl)
{
	struct axip_pkt *first = sl->frags, *p, *tail;
	axip_u32 hdr = first->FRAG_HDR, unfrag = hdr - IP6_FRAG_HLEN;
	axip_u32 plen = unfrag - IP6_HLEN + sl->total, i;
	axip_u8 *h, nh;

	if (plen > 0xffffu) {
		/* the first fragment's unfragmentable part is longer than the others' */
		CTR_INC(s, ip6_frag_bad);
		slot_free(s, sl);
		return AXIP_NULL;
	}
	for (p = first; p; p = p->next) {
		for (tail = p; tail->sg_next; tail = tail->sg_next)
			;
		tail->sg_next = p->next;
	}
	for (p = first; p;) {
		struct axip_pkt *n = p->next;
		p->next = AXIP_NULL;
		p = n;
	}
	sl->frags = AXIP_NULL;
	sl->tab->bytes -= sl->held;
	sl->held = 0;
	slot_free(s, sl);
	/* the headers were pulled, not moved: they are still in front of the
	 * data; slide the unfragmentable part over the fragment header */
	h = pkt_push(first, hdr);
	nh = h[unfrag];
	for (i = unfrag; i-- > 0;)
		h[i + IP6_FRAG_HLEN] = h[i];
	pkt_pull(first, IP6_FRAG_HLEN);
	h = first->data;
	h[first->FRAG_NHOFF] = nh;
	store_be16(h + IP6_OFF_PLEN, (axip_u16)plen);
	CTR_INC(s, ip6_frag_reassembled);
	return first;
}

struct axip_pkt *ip6_frag_input(struct axip_stack *s, struct ip6_frag_table *t, struct axip_pkt *p,
                                axip_u32 frag_off, axip_u32 nh_off)
{
	const axip_u8 *h = p->data;
	axip_u32 hdr = frag_off + IP6_FRAG_HLEN;
	axip_u32 plen = axip_pkt_chain_len(p) - hdr;
	axip_u16 fo = load_be16(h + frag_off + 2u);
	axip_u32 off = (axip_u32)(fo & IP6_FRAG_OFF_MASK);
	axip_u32 end = off + plen;
	int more = (fo & IP6_FRAG_M) != 0;
	axip_u32 id = load_be32(h + frag_off + 4u);
	struct frag6_slot *sl, *free_slot;
	struct axip_pkt **link, *q;

	CTR_INC(s, ip6_frag_rx);
	if (plen == 0) {
		/* an empty fragment adds nothing */
		CTR_INC(s, ip6_frag_bad);
		axip_pkt_free(s, p);
		return AXIP_NULL;
	}
	sl = slot_find(t, h + IP6_OFF_SRC, h + IP6_OFF_DST, id, &free_slot);
	if (!sl) {
		if (!free_slot) {
			CTR_INC(s, ip6_frag_no_slot);
			axip_pkt_free(s, p);
			return AXIP_NULL;
		}
		sl = free_slot;
		sl->used = 1;
		sl->dead = 0;
		mem_copy(sl->src, h + IP6_OFF_SRC, 16);
		mem_copy(sl->dst, h + IP6_OFF_DST, 16);
		sl->id = id;
		sl->frags = AXIP_NULL;
		sl->have_last = 0;
		sl->total = 0;
		sl->held = 0;
		sl->n_frags = 0;
		t->n_used++;
		/* RFC 8200 4.5: reassembly must finish within 60 s of the first
		 * arriving fragment */
		timer_arm(&s->wheel, &sl->timer, s->now + s->cfg.frag6_timeout_ns);
	}
	if (sl->dead) {
		CTR_INC(s, ip6_frag_overlap);
		axip_pkt_free(s, p);
		return AXIP_NULL;
	}
	/* one last fragment, nothing beyond it */
	if (!more) {
		axip_u32 max_end = 0;
		for (q = sl->frags; q; q = q->next)
			max_end = q->FRAG_OFF + q->FRAG_LEN;
		if ((sl->have_last && sl->total != end) || end < max_end) {
			CTR_INC(s, ip6_frag_bad);
			goto kill;
		}
	} else if (sl->have_last && end > sl->total) {
		CTR_INC(s, ip6_frag_bad);
		goto kill;
	}
	for (link = &sl->frags; *link && (*link)->FRAG_OFF + (*link)->FRAG_LEN <= off;
	     link = &(*link)->next)
		;
	q = *link;
	if (q && q->FRAG_OFF < end) {
		if (q->FRAG_OFF == off && q->FRAG_LEN == plen) {
			CTR_INC(s, ip6_frag_dup);
			axip_pkt_free(s, p);
			return AXIP_NULL;
		}
		/* RFC 5722 4: the whole datagram is silently discarded */
		CTR_INC(s, ip6_frag_overlap);
		axip_pkt_free(s, p);
		slot_kill(s, sl);
		return AXIP_NULL;
	}
	if (sl->n_frags >= s->cfg.frag6_max_per_datagram) {
		CTR_INC(s, ip6_frag_too_many);
		goto kill;
	}
	if (plen > s->cfg.frag6_max_bytes - t->bytes) {
		CTR_INC(s, ip6_frag_mem_limit);
		goto kill;
	}
	if (!more) {
		sl->have_last = 1;
		sl->total = end;
	}
	p->FRAG_OFF = off;
	p->FRAG_LEN = plen;
	p->FRAG_HDR = hdr;
	p->FRAG_NHOFF = nh_off;
	pkt_pull(p, hdr);
	p->next = q;
	*link = p;
	sl->n_frags++;
	sl->held += plen;
	t->bytes += plen;
	if (sl->have_last && sl->held == sl->total)
		return assemble(s, sl);
	return AXIP_NULL;

kill:
	/* a datagram that contradicts itself can never be rebuilt */
	axip_pkt_free(s, p);
	slot_free(s, sl);
	return AXIP_NULL;
}

/* Store a 16-bit value at byte `off` of a chain (it may straddle buffers). */
static void chain_store_be16(struct axip_pkt *p, axip_u32 off, axip_u16 v)
{
	axip_u8 b[2];
	axip_u32 i;
	store_be16(b, v);
	for (i = 0; i < 2u; i++, off++) {
		struct axip_pkt *q = p;
		axip_u32 o = off;
		while (q && o >= q->len) {
			o -= q->len;
			q = q->sg_next;
		}
		if (q)
			q->data[o] = b[i];
	}
}

int ip6_frag_output(struct axip_stack *s, struct axip_pkt *p, const axip_u8 nexthop[16],
                    axip_u32 mtu, axip_u32 id)
{
	axip_u8 hdr[IP6_HLEN];
	axip_u32 payload = axip_pkt_chain_len(p) - IP6_HLEN;
	axip_u32 room_max = (mtu - IP6_HLEN - IP6_FRAG_HLEN) & ~7u;
	axip_u32 off = 0;
	axip_u8 proto;

	mem_copy(hdr, p->data, IP6_HLEN);
	proto = hdr[IP6_OFF_NH];
	if (p->flags & AXIP_PKT_TX_L4_CSUM) {
		/* a NIC cannot checksum a datagram it sees in pieces; the field
		 * holds the pseudo-header sum */
		axip_u16 c = csum_fold(csum_add_chain(0, p, IP6_HLEN, payload));
		if (c == 0 && proto == IP6_NH_UDP)
			c = 0xffffu;
		chain_store_be16(p, IP6_HLEN + p->csum_offset, c);
		p->flags &= ~(axip_u32)AXIP_PKT_TX_L4_CSUM;
	}
	while (off < payload) {
		struct axip_pkt *f = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
		axip_u32 room, chunk, last;
		axip_u8 *fh;
		if (!f) {
			axip_pkt_free(s, p);
			return AXIP_E_NOBUFS;
		}
		room = f->tailroom > IP6_HLEN + IP6_FRAG_HLEN ? f->tailroom - IP6_HLEN - IP6_FRAG_HLEN : 0;
		if (room > room_max)
			room = room_max;
		last = payload - off <= room;
		/* RFC 8200 4.5: all but the last fragment carry a multiple of 8 */
		chunk = last ? payload - off : room & ~7u;
		if (chunk == 0) {
			CTR_INC(s, ip6_tx_no_headroom);
			axip_pkt_free(s, f);
			axip_pkt_free(s, p);
			return AXIP_E_NOBUFS;
		}
		fh = f->data;
		mem_copy(fh, hdr, IP6_HLEN);
		fh[IP6_OFF_NH] = IP6_NH_FRAGMENT;
		store_be16(fh + IP6_OFF_PLEN, (axip_u16)(IP6_FRAG_HLEN + chunk));
		fh[IP6_HLEN] = proto;
		fh[IP6_HLEN + 1u] = 0;
		store_be16(fh + IP6_HLEN + 2u, (axip_u16)(off | (last ? 0u : IP6_FRAG_M)));
		store_be32(fh + IP6_HLEN + 4u, id);
		axip_pkt_copy_out(p, IP6_HLEN + off, fh + IP6_HLEN + IP6_FRAG_HLEN, chunk);
		f->len = IP6_HLEN + IP6_FRAG_HLEN + chunk;
		f->tailroom -= f->len;
		CTR_INC(s, ip6_frag_tx);
		nd6_output(s, f, nexthop);
		off += chunk;
	}
	axip_pkt_free(s, p);
	return AXIP_OK;
}
