/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ip_frag.c - IPv4 reassembly (RFC 791, RFC 815, RFC 1122 3.3.2) and
 * fragmentation of outgoing datagrams (RFC 791 "Fragmentation").
 *
 * Reassembly holds at most cfg.frag_slots datagrams, cfg.frag_max_bytes
 * payload bytes over all of them and cfg.frag_max_per_datagram fragments
 * each; every slot has its own timer. Fragments are kept as received (no
 * copy), sorted by offset, linked through `next`; p->data at the payload
 * (the first fragment's header stays in its buffer just in front). Per
 * fragment, cb[0] is the payload offset, cb[1] the payload length and
 * cb[2] the header length.
 *
 * Overlaps are not merged: any overlap discards the whole datagram, in the
 * spirit of RFC 5722 (written for IPv6; overlapping IPv4 fragments only
 * serve evasion attacks). An exact duplicate is dropped alone, keeping the
 * datagram (RFC 5722 erratum 3089).
 */
#include "ip_frag.h"
#include "ipv4.h"
#include "icmp.h"
#include "arp.h"
#include "wire.h"
#include "checksum.h"

#define FRAG_OFF cb[0]
#define FRAG_LEN cb[1]
#define FRAG_IHL cb[2]

struct frag_slot {
	struct axip_timer timer;  /* first member: the timer callback's argument is the slot */
	struct ip_frag_table *tab;
	struct axip_pkt *frags;   /* sorted by offset, no overlaps */
	axip_u32 src, dst;
	axip_u16 id;
	axip_u8 proto;
	axip_u8 used;
	axip_u8 have_last;        /* the fragment with MF clear arrived */
	axip_u32 total;           /* payload length, once have_last */
	axip_u32 held;            /* payload bytes held */
	axip_u32 n_frags;
};

struct ip_frag_table {
	struct frag_slot *slots;
	axip_u32 n_slots;
	axip_u32 n_used;
	axip_u32 bytes;           /* payload bytes held by all slots */
};

static void frag_expire(struct axip_stack *s, struct axip_timer *t);

struct ip_frag_table *ip_frag_carve(struct axip_stack *s, struct carve *c)
{
	struct ip_frag_table *t = CARVE_ARRAY(c, struct ip_frag_table, 1);
	struct frag_slot *slots = CARVE_ARRAY(c, struct frag_slot, s->cfg.frag_slots);
	axip_u32 i;
	if (carve_dry(c))
		return AXIP_NULL;
	t->slots = slots;
	t->n_slots = s->cfg.frag_slots;
	t->n_used = 0;
	t->bytes = 0;
	for (i = 0; i < t->n_slots; i++) {
		mem_zero(&slots[i], sizeof(slots[i]));
		timer_init(&slots[i].timer, frag_expire);
		slots[i].tab = t;
	}
	return t;
}

/* Release a slot and every fragment it holds. */
static void slot_free(struct axip_stack *s, struct frag_slot *sl)
{
	struct axip_pkt *p = sl->frags;
	while (p) {
		struct axip_pkt *n = p->next;
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
		p = n;
	}
	timer_cancel(&s->wheel, &sl->timer);
	sl->tab->bytes -= sl->held;
	sl->tab->n_used--;
	sl->frags = AXIP_NULL;
	sl->used = 0;
}

/*
 * RFC 1122 3.3.2: when reassembly times out and the first fragment is held,
 * an ICMP Time Exceeded (fragment reassembly time exceeded) SHOULD be sent.
 * icmp_send_error applies the broadcast rules and the rate limit.
 */
static void frag_expire(struct axip_stack *s, struct axip_timer *t)
{
	struct frag_slot *sl = (struct frag_slot *)(void *)t;
	struct axip_pkt *first = sl->frags;
	CTR_INC(s, ip_frag_timeout);
	if (first && first->FRAG_OFF == 0) {
		struct ipv4_rx_info info;
		info.hdr_len = first->FRAG_IHL;
		info.hdr = first->data - first->FRAG_IHL;
		info.src = sl->src;
		info.dst = sl->dst;
		info.proto = sl->proto;
		info.tos = info.hdr[IP_OFF_TOS];
		info.ttl = info.hdr[IP_OFF_TTL];
		info.dst_is_broadcast = (axip_u8)ipv4_is_broadcast(s, sl->dst);
		info.l4_csum_ok = 0;
		info.reassembled = 0;
		icmp_send_error(s, first, &info, ICMP_TIME_EXCEEDED, ICMP_CODE_REASM_TIMEOUT, 0);
	}
	slot_free(s, sl);
}

static struct frag_slot *slot_find(struct ip_frag_table *t, axip_u32 src, axip_u32 dst,
                                   axip_u8 proto, axip_u16 id, struct frag_slot **free_slot)
{
	axip_u32 i, seen = 0;
	*free_slot = AXIP_NULL;
	/* linear: frag_slots is small (default 16, at most 4096) */
	for (i = 0; i < t->n_slots; i++) {
		struct frag_slot *sl = &t->slots[i];
		if (!sl->used) {
			if (!*free_slot)
				*free_slot = sl;
			if (seen == t->n_used && *free_slot)
				break;
			continue;
		}
		seen++;
		if (sl->id == id && sl->src == src && sl->dst == dst && sl->proto == proto)
			return sl;
	}
	return AXIP_NULL;
}

/* Join the held fragments into one chain and rewrite the first header. */
static struct axip_pkt *assemble(struct axip_stack *s, struct frag_slot *sl)
{
	struct axip_pkt *first = sl->frags, *p, *tail;
	axip_u32 ihl = first->FRAG_IHL, total = ihl + sl->total;
	axip_u8 *h;

	if (total > 0xffffu) {
		/* later fragments fit with their own shorter headers, the first's does not */
		CTR_INC(s, ip_frag_bad);
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
	slot_free(s, sl);
	/* the header was pulled, not moved: it is still in front of the data */
	h = pkt_push(first, ihl);
	store_be16(h + IP_OFF_TOTLEN, (axip_u16)total);
	store_be16(h + IP_OFF_FRAG, (axip_u16)(load_be16(h + IP_OFF_FRAG) & IP_FLAG_DF));
	store_be16(h + IP_OFF_CSUM, 0);
	store_be16(h + IP_OFF_CSUM, csum_fold(csum_add_bytes(0, h, ihl)));
	CTR_INC(s, ip_frag_reassembled);
	return first;
}

struct axip_pkt *ip_frag_input(struct axip_stack *s, struct ip_frag_table *t, struct axip_pkt *p)
{
	const axip_u8 *h = p->data;
	axip_u32 ihl = (axip_u32)(h[IP_OFF_VER_IHL] & 0x0fu) * 4u;
	axip_u32 plen = load_be16(h + IP_OFF_TOTLEN) - ihl;
	axip_u16 fw = load_be16(h + IP_OFF_FRAG);
	axip_u32 off = (axip_u32)(fw & IP_FRAG_MASK) << 3;
	axip_u32 end = off + plen;
	int more = (fw & IP_FLAG_MF) != 0;
	axip_u32 src = load_be32(h + IP_OFF_SRC), dst = load_be32(h + IP_OFF_DST);
	axip_u8 proto = h[IP_OFF_PROTO];
	axip_u16 id = load_be16(h + IP_OFF_ID);
	struct frag_slot *sl, *free_slot;
	struct axip_pkt **link, *q;

	CTR_INC(s, ip_frag_rx);
	/* RFC 791: every fragment but the last carries a multiple of 8 octets,
	 * and the datagram is at most 65535 octets. An empty fragment adds
	 * nothing and is refused as well. */
	if (plen == 0 || ihl + end > 0xffffu || (more && (plen & 7u) != 0)) {
		CTR_INC(s, ip_frag_bad);
		axip_pkt_free(s, p);
		return AXIP_NULL;
	}
	sl = slot_find(t, src, dst, proto, id, &free_slot);
	if (!sl) {
		if (!free_slot) {
			/* new datagrams wait for a slot; held ones keep theirs until done or timed out */
			CTR_INC(s, ip_frag_no_slot);
			axip_pkt_free(s, p);
			return AXIP_NULL;
		}
		sl = free_slot;
		sl->used = 1;
		sl->src = src;
		sl->dst = dst;
		sl->proto = proto;
		sl->id = id;
		sl->frags = AXIP_NULL;
		sl->have_last = 0;
		sl->total = 0;
		sl->held = 0;
		sl->n_frags = 0;
		t->n_used++;
		/* RFC 1122 3.3.2: the timer starts with the first fragment to arrive */
		timer_arm(&s->wheel, &sl->timer, s->now + s->cfg.frag_timeout_ns);
	}
	/* Consistency with what is held: one last fragment, nothing beyond it.
	 * A datagram that contradicts itself can never be rebuilt correctly. */
	if (!more) {
		axip_u32 max_end = 0;
		for (q = sl->frags; q; q = q->next)
			max_end = q->FRAG_OFF + q->FRAG_LEN;
		if ((sl->have_last && sl->total != end) || end < max_end) {
			CTR_INC(s, ip_frag_bad);
			goto drop_datagram;
		}
	} else if (sl->have_last && end > sl->total) {
		CTR_INC(s, ip_frag_bad);
		goto drop_datagram;
	}
	/* find the first held fragment that ends after our start */
	for (link = &sl->frags; *link && (*link)->FRAG_OFF + (*link)->FRAG_LEN <= off;
	     link = &(*link)->next)
		;
	q = *link;
	if (q && q->FRAG_OFF < end) {
		if (q->FRAG_OFF == off && q->FRAG_LEN == plen) {
			CTR_INC(s, ip_frag_dup);
			axip_pkt_free(s, p);
			return AXIP_NULL;
		}
		CTR_INC(s, ip_frag_overlap);
		goto drop_datagram;
	}
	if (sl->n_frags >= s->cfg.frag_max_per_datagram) {
		CTR_INC(s, ip_frag_too_many);
		goto drop_datagram;
	}
	if (plen > s->cfg.frag_max_bytes - t->bytes) {
		/* the datagram cannot complete without this fragment: free it all */
		CTR_INC(s, ip_frag_mem_limit);
		goto drop_datagram;
	}
	if (!more) {
		sl->have_last = 1;
		sl->total = end;
	}
	p->FRAG_OFF = off;
	p->FRAG_LEN = plen;
	p->FRAG_IHL = ihl;
	pkt_pull(p, ihl);
	p->next = q;
	*link = p;
	sl->n_frags++;
	sl->held += plen;
	t->bytes += plen;
	/* no overlaps and nothing past the end: full coverage is a byte count */
	if (sl->have_last && sl->held == sl->total)
		return assemble(s, sl);
	return AXIP_NULL;

drop_datagram:
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

/* A NIC cannot checksum a datagram it sees in pieces: finish it here. The
 * field holds the pseudo-header sum (AXIP_PKT_TX_L4_CSUM contract). */
static void finish_l4_csum(struct axip_pkt *p, axip_u32 l4_len, axip_u8 proto)
{
	axip_u32 at = IP_HLEN + p->csum_offset;
	axip_u16 c = csum_fold(csum_add_chain(0, p, IP_HLEN, l4_len));
	/* RFC 768: a computed UDP checksum of zero is sent as all ones */
	if (c == 0 && proto == IP_PROTO_UDP)
		c = 0xffffu;
	chain_store_be16(p, at, c);
	p->flags &= ~(axip_u32)AXIP_PKT_TX_L4_CSUM;
}

int ip_frag_output(struct axip_stack *s, struct axip_pkt *p, axip_u32 nexthop)
{
	axip_u8 hdr[IP_HLEN];
	axip_u32 payload = axip_pkt_chain_len(p) - IP_HLEN;
	axip_u32 mtu_room = s->cfg.mtu - IP_HLEN;
	axip_u32 off = 0;
	axip_u16 df;

	mem_copy(hdr, p->data, IP_HLEN);
	if (p->flags & AXIP_PKT_TX_L4_CSUM)
		finish_l4_csum(p, payload, hdr[IP_OFF_PROTO]);
	df = (axip_u16)(load_be16(hdr + IP_OFF_FRAG) & IP_FLAG_DF);
	while (off < payload) {
		struct axip_pkt *f = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
		axip_u32 room, chunk, last;
		if (!f) {
			axip_pkt_free(s, p);
			return AXIP_E_NOBUFS;
		}
		room = f->tailroom > IP_HLEN ? f->tailroom - IP_HLEN : 0;
		if (room > mtu_room)
			room = mtu_room;
		last = payload - off <= room;
		/* RFC 791: offsets count 8-octet units, so all but the last
		 * fragment carry a multiple of 8 octets */
		chunk = last ? payload - off : room & ~7u;
		if (chunk == 0) {
			/* the environment's buffers cannot hold a header and 8 octets */
			CTR_INC(s, ip_tx_no_headroom);
			axip_pkt_free(s, f);
			axip_pkt_free(s, p);
			return AXIP_E_NOBUFS;
		}
		mem_copy(f->data, hdr, IP_HLEN);
		axip_pkt_copy_out(p, IP_HLEN + off, f->data + IP_HLEN, chunk);
		f->len = IP_HLEN + chunk;
		f->tailroom -= f->len;
		store_be16(f->data + IP_OFF_TOTLEN, (axip_u16)(IP_HLEN + chunk));
		store_be16(f->data + IP_OFF_FRAG,
		           (axip_u16)(df | (last ? 0u : IP_FLAG_MF) | (off >> 3)));
		ipv4_tx_csum(s, f);
		CTR_INC(s, ip_frag_tx);
		arp_output(s, f, nexthop);
		off += chunk;
	}
	axip_pkt_free(s, p);
	return AXIP_OK;
}
