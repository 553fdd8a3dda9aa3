/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arp.c - ARP for Ethernet/IPv4 (RFC 826) and the bounded neighbour cache
 * (RFC 1122 2.3.2).
 *
 * The cache holds cfg.arp_entries entries carved at init. They are found by
 * IPv4 address through chained hash buckets (the smallest power of two not
 * below the entry count). The hash is a multiplicative mix of the address
 * XORed with 32 bits of cfg.secret: light keying only. A chain can never be
 * longer than the table, and entries are created only for next hops we send
 * to and for on-link senders of requests aimed at us.
 *
 * Entry states:
 *  INCOMPLETE  resolving. Holds up to cfg.arp_queue_len packets, oldest
 *              first, linked through pkt->next. Its timer sends a new request
 *              every cfg.arp_retry_ns; when cfg.arp_retries requests went
 *              unanswered the entry and its packets are dropped.
 *  REACHABLE   resolved. Its timer removes it cfg.arp_reachable_ns after the
 *              neighbour last confirmed it with an ARP packet (RFC 1122
 *              2.3.2.1, option (a): timeout). Use does not refresh it: the
 *              first packet after expiry resolves the address again.
 *  STATIC      set by axip_neigh_set(..., 1): no timer, never evicted, never
 *              changed by received ARP.
 * A new entry on a full table takes the oldest REACHABLE one. REACHABLE
 * entries sit on an age list in order of last confirmation; with one common
 * lifetime its head is also the next to expire. STATIC and INCOMPLETE entries
 * (the latter own the queued packets) are never evicted.
 */
#include "arp.h"
#include "ipv4.h"
#include "wire.h"

#define ARP_HTYPE_ETHER 1u
#define ARP_STATE_FREE 0u

struct arp_entry {
	struct axip_timer timer;       /* first member: the callback casts back */
	struct arp_entry *hnext;       /* hash chain, or free list */
	struct arp_entry **hpprev;     /* NULL while free */
	struct arp_entry *age_prev;    /* age list (REACHABLE only), oldest first */
	struct arp_entry *age_next;
	struct axip_pkt *q_head;       /* packets waiting (INCOMPLETE only) */
	struct axip_pkt *q_tail;
	axip_u32 q_len;
	axip_u32 tries;                /* requests sent while INCOMPLETE */
	axip_u32 addr;
	axip_u8 mac[6];
	axip_u8 state;                 /* ARP_STATE_FREE or enum axip_neigh_state */
};

struct arp_table {
	struct arp_entry *entries;
	struct arp_entry **bucket;
	struct arp_entry *free_list;
	struct arp_entry *age_head;    /* oldest REACHABLE entry */
	struct arp_entry *age_tail;
	axip_u32 n_entries;
	axip_u32 mask;                 /* buckets - 1 */
	axip_u32 key;
};

static const axip_u8 mac_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const axip_u8 mac_zero[6] = {0, 0, 0, 0, 0, 0};

static void arp_timer(struct axip_stack *s, struct axip_timer *tm);

void arp_carve(struct axip_stack *s, struct carve *c)
{
	axip_u32 n = s->cfg.arp_entries, nb = 1, i;
	struct arp_table *t = CARVE_ARRAY(c, struct arp_table, 1);
	struct arp_entry *e;
	struct arp_entry **b;

	while (nb < n)
		nb <<= 1;
	e = CARVE_ARRAY(c, struct arp_entry, n);
	b = CARVE_ARRAY(c, struct arp_entry *, nb);
	if (carve_dry(c))
		return;
	mem_zero(t, sizeof(*t));
	t->entries = e;
	t->bucket = b;
	t->n_entries = n;
	t->mask = nb - 1u;
	t->key = load_be32(s->cfg.secret);
	for (i = 0; i < nb; i++)
		b[i] = AXIP_NULL;
	for (i = n; i-- > 0;) {
		mem_zero(&e[i], sizeof(e[i]));
		timer_init(&e[i].timer, arp_timer);
		e[i].hnext = t->free_list;
		t->free_list = &e[i];
	}
	s->arp = t;
}

/* ---- helpers ---- */

static axip_u32 arp_hash(const struct arp_table *t, axip_u32 addr)
{
	axip_u32 x = (addr ^ t->key) * 0x9e3779b1u;
	return (x ^ (x >> 16)) & t->mask;
}

static struct arp_entry *arp_find(const struct arp_table *t, axip_u32 addr)
{
	struct arp_entry *e = t->bucket[arp_hash(t, addr)];
	while (e && e->addr != addr)
		e = e->hnext;
	return e;
}

/* A MAC a neighbour may have: not all-zero, not a group address. */
static int mac_unicast(const axip_u8 *m)
{
	return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0 && (m[0] & 1u) == 0;
}

static axip_u32 prefix_mask(axip_u8 len)
{
	return len == 0 ? 0 : (axip_u32)(0xffffffffu << (32u - len));
}

/* Index of the interface address whose subnet holds addr, or n_addrs. */
static axip_u32 arp_ifaddr(const struct axip_stack *s, axip_u32 addr)
{
	axip_u32 i;
	for (i = 0; i < s->cfg.n_addrs; i++) {
		axip_u32 m = prefix_mask(s->cfg.addrs[i].prefix_len);
		if ((addr & m) == (s->cfg.addrs[i].addr & m))
			break;
	}
	return i;
}

/* An address a unicast neighbour may hold: not 0 (an RFC 5227 probe sender),
 * not multicast or class E, not a broadcast (RFC 1122 3.2.1.3). */
static int addr_unicast(const struct axip_stack *s, axip_u32 addr)
{
	return addr != 0 && (addr >> 28) < 14u && !ipv4_is_broadcast(s, addr);
}

static void age_unlink(struct arp_table *t, struct arp_entry *e)
{
	if (e->age_prev)
		e->age_prev->age_next = e->age_next;
	else
		t->age_head = e->age_next;
	if (e->age_next)
		e->age_next->age_prev = e->age_prev;
	else
		t->age_tail = e->age_prev;
	e->age_prev = e->age_next = AXIP_NULL;
}

static void age_append(struct arp_table *t, struct arp_entry *e)
{
	e->age_next = AXIP_NULL;
	e->age_prev = t->age_tail;
	if (t->age_tail)
		t->age_tail->age_next = e;
	else
		t->age_head = e;
	t->age_tail = e;
}

/* Return an entry to the free list. Its queue must already be empty. */
static void entry_free(struct axip_stack *s, struct arp_entry *e)
{
	struct arp_table *t = s->arp;
	*e->hpprev = e->hnext;
	if (e->hnext)
		e->hnext->hpprev = e->hpprev;
	if (e->state == AXIP_NEIGH_REACHABLE)
		age_unlink(t, e);
	timer_cancel(&s->wheel, &e->timer);
	e->state = ARP_STATE_FREE;
	e->hpprev = AXIP_NULL;
	e->hnext = t->free_list;
	t->free_list = e;
}

/* A new INCOMPLETE entry for addr (empty queue, no timer), evicting the
 * oldest REACHABLE entry when none is free; NULL if that is impossible. */
static struct arp_entry *entry_alloc(struct axip_stack *s, axip_u32 addr)
{
	struct arp_table *t = s->arp;
	struct arp_entry *e;
	struct arp_entry **b;

	if (!t->free_list) {
		if (!t->age_head)
			return AXIP_NULL;
		entry_free(s, t->age_head);
	}
	e = t->free_list;
	t->free_list = e->hnext;
	b = &t->bucket[arp_hash(t, addr)];
	e->hnext = *b;
	if (e->hnext)
		e->hnext->hpprev = &e->hnext;
	*b = e;
	e->hpprev = b;
	e->addr = addr;
	e->state = AXIP_NEIGH_INCOMPLETE;
	e->tries = 0;
	e->q_head = e->q_tail = AXIP_NULL;
	e->q_len = 0;
	e->age_prev = e->age_next = AXIP_NULL;
	mem_copy(e->mac, mac_zero, 6);
	return e;
}

/* Detach the queue of e; returns its head (packets linked by next). */
static struct axip_pkt *queue_take(struct arp_entry *e)
{
	struct axip_pkt *p = e->q_head;
	e->q_head = e->q_tail = AXIP_NULL;
	e->q_len = 0;
	return p;
}

/* RFC 1122 2.3.2.2: keep the latest packets for an unresolved address; when
 * the queue is full the oldest one is dropped. */
static void queue_add(struct axip_stack *s, struct arp_entry *e, struct axip_pkt *p)
{
	p->next = AXIP_NULL;
	if (e->q_len >= s->cfg.arp_queue_len) {
		struct axip_pkt *old = e->q_head;
		CTR_INC(s, arp_queue_full);
		if (!old) {
			/* arp_queue_len 0: nothing may wait */
			axip_pkt_free(s, p);
			return;
		}
		e->q_head = old->next;
		if (!e->q_head)
			e->q_tail = AXIP_NULL;
		e->q_len--;
		old->next = AXIP_NULL;
		axip_pkt_free(s, old);
	}
	if (e->q_tail)
		e->q_tail->next = p;
	else
		e->q_head = p;
	e->q_tail = p;
	e->q_len++;
}

/* Write an Ethernet/IPv4 ARP packet (RFC 826) with our MAC as sender. */
static void arp_fill(const struct axip_stack *s, axip_u8 *h, axip_u16 op, axip_u32 spa,
                     const axip_u8 tha[6], axip_u32 tpa)
{
	store_be16(h + ARP_OFF_HTYPE, ARP_HTYPE_ETHER);
	store_be16(h + ARP_OFF_PTYPE, ETH_TYPE_IPV4);
	h[ARP_OFF_HLEN] = 6;
	h[ARP_OFF_PLEN] = 4;
	store_be16(h + ARP_OFF_OP, op);
	mem_copy(h + ARP_OFF_SHA, s->cfg.mac, 6);
	store_be32(h + ARP_OFF_SPA, spa);
	mem_copy(h + ARP_OFF_THA, tha, 6);
	store_be32(h + ARP_OFF_TPA, tpa);
}

/* Broadcast a request for tpa from spa. The target hardware address is zero
 * (RFC 826 leaves it unset; RFC 5227 2.3 asks for zero). */
static void arp_send_request(struct axip_stack *s, axip_u32 spa, axip_u32 tpa)
{
	struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	if (!p)
		return; /* counted by axip_pkt_alloc; a retry timer tries again */
	if (p->tailroom < ARP_LEN) {
		/* the environment's buffers cannot hold a frame */
		CTR_INC(s, tx_env_drop);
		axip_pkt_free(s, p);
		return;
	}
	p->len = ARP_LEN;
	p->tailroom -= ARP_LEN;
	arp_fill(s, p->data, ARP_OP_REQUEST, spa, mac_zero, tpa);
	CTR_INC(s, arp_tx_request);
	eth_output(s, p, mac_broadcast, ETH_TYPE_ARP);
}

/* One more request for an INCOMPLETE entry, from the local address on the
 * target's subnet (the first address if none holds it), and re-arm. */
static void entry_request(struct axip_stack *s, struct arp_entry *e)
{
	axip_u32 i = arp_ifaddr(s, e->addr);
	if (i == s->cfg.n_addrs)
		i = 0;
	e->tries++;
	arp_send_request(s, s->cfg.addrs[i].addr, e->addr);
	timer_arm(&s->wheel, &e->timer, s->now + s->cfg.arp_retry_ns);
}

/* Give e its MAC and a new state (REACHABLE or STATIC), then send the packets
 * that waited for it, in order. */
static void entry_resolve(struct axip_stack *s, struct arp_entry *e, const axip_u8 mac[6],
                          axip_u8 state)
{
	struct axip_pkt *p, *n;
	if (e->state == AXIP_NEIGH_REACHABLE)
		age_unlink(s->arp, e);
	mem_copy(e->mac, mac, 6);
	e->state = state;
	if (state == AXIP_NEIGH_REACHABLE) {
		age_append(s->arp, e);
		timer_arm(&s->wheel, &e->timer, s->now + s->cfg.arp_reachable_ns);
	} else {
		timer_cancel(&s->wheel, &e->timer);
	}
	for (p = queue_take(e); p; p = n) {
		n = p->next;
		p->next = AXIP_NULL;
		eth_output(s, p, e->mac, ETH_TYPE_IPV4);
	}
}

static void arp_timer(struct axip_stack *s, struct axip_timer *tm)
{
	struct arp_entry *e = (struct arp_entry *)tm;
	struct axip_pkt *p, *n;
	axip_u32 dropped = 0;

	if (e->state == AXIP_NEIGH_REACHABLE) {
		/* RFC 1122 2.3.2.1: the entry timed out */
		CTR_INC(s, arp_expired);
		entry_free(s, e);
		return;
	}
	/* INCOMPLETE: the retry interval passed without an answer */
	if (e->tries < s->cfg.arp_retries) {
		entry_request(s, e);
		return;
	}
	for (p = queue_take(e); p; p = n) {
		n = p->next;
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
		dropped++;
	}
	CTR_INC(s, arp_resolve_fail);
	CTR_ADD(s, arp_resolve_fail_pkts, dropped);
	entry_free(s, e);
}

/* ---- receive ---- */

/* Answer a request for one of our addresses in the request's own buffer
 * (its Ethernet header was just pulled, so the headroom is there). */
static void arp_reply(struct axip_stack *s, struct axip_pkt *p, const axip_u8 sha[6],
                      axip_u32 spa, axip_u32 tpa)
{
	axip_u8 dst[6];
	mem_copy(dst, sha, 6);
	pkt_trim(s, p, ARP_LEN); /* drop Ethernet padding */
	p->flags = 0;            /* receive marks mean nothing on transmit */
	p->rx_hash = 0;
	/* RFC 826: swap sender and target, our addresses become the sender */
	arp_fill(s, p->data, ARP_OP_REPLY, tpa, dst, spa);
	CTR_INC(s, arp_tx_reply);
	eth_output(s, p, dst, ETH_TYPE_ARP);
}

void arp_input(struct axip_stack *s, struct axip_pkt *p)
{
	const axip_u8 *h;
	axip_u8 sha[6];
	axip_u16 op;
	axip_u32 spa, tpa;
	int for_us, learnable;
	struct arp_entry *e;

	if (axip_pkt_chain_len(p) < ARP_LEN) {
		CTR_INC(s, arp_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	if (p->len < ARP_LEN && pkt_linearize(s, p, ARP_LEN) != 0) {
		CTR_INC(s, eth_rx_sg_unsupported);
		axip_pkt_free(s, p);
		return;
	}
	h = p->data;
	op = load_be16(h + ARP_OFF_OP);
	if (load_be16(h + ARP_OFF_HTYPE) != ARP_HTYPE_ETHER ||
	    load_be16(h + ARP_OFF_PTYPE) != ETH_TYPE_IPV4 || h[ARP_OFF_HLEN] != 6 ||
	    h[ARP_OFF_PLEN] != 4 || (op != ARP_OP_REQUEST && op != ARP_OP_REPLY) ||
	    !mac_unicast(h + ARP_OFF_SHA)) {
		CTR_INC(s, arp_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	mem_copy(sha, h + ARP_OFF_SHA, 6);
	spa = load_be32(h + ARP_OFF_SPA);
	tpa = load_be32(h + ARP_OFF_TPA);
	if (op == ARP_OP_REQUEST)
		CTR_INC(s, arp_rx_request);
	else
		CTR_INC(s, arp_rx_reply);

	if (mem_equal(sha, s->cfg.mac, 6)) {
		/* our own frame reflected back, or someone using our MAC:
		 * learning it would map an address to ourselves */
		CTR_INC(s, arp_rx_looped);
		axip_pkt_free(s, p);
		return;
	}
	if (ipv4_is_local(s, spa)) {
		/* RFC 5227 2.4: another host claims one of our addresses */
		CTR_INC(s, arp_rx_conflict);
		axip_pkt_free(s, p);
		return;
	}
	for_us = ipv4_is_local(s, tpa);
	/* RFC 5227 2.1.1: a probe (sender 0) updates no cache; never learn
	 * group addresses or senders outside our subnets */
	learnable = addr_unicast(s, spa) && arp_ifaddr(s, spa) < s->cfg.n_addrs;
	e = learnable ? arp_find(s->arp, spa) : AXIP_NULL;
	if (e) {
		/* RFC 826 "merge": refresh an entry we already have, whoever the
		 * target; configured (STATIC) entries are left alone */
		if (e->state != AXIP_NEIGH_STATIC)
			entry_resolve(s, e, sha, AXIP_NEIGH_REACHABLE);
	} else if (op == ARP_OP_REQUEST && for_us && learnable) {
		/* RFC 826: the sender is talking to us and will expect an answer
		 * to its traffic; add it. Replies never create entries: one we did
		 * not ask for (no INCOMPLETE entry) could poison the cache. */
		e = entry_alloc(s, spa);
		if (e)
			entry_resolve(s, e, sha, AXIP_NEIGH_REACHABLE);
		else
			CTR_INC(s, arp_table_full);
	} else if (op == ARP_OP_REPLY) {
		CTR_INC(s, arp_rx_unsolicited);
	}

	if (op == ARP_OP_REQUEST) {
		if (for_us) {
			arp_reply(s, p, sha, spa, tpa);
			return;
		}
		CTR_INC(s, arp_rx_not_for_us);
	}
	axip_pkt_free(s, p);
}

/* ---- transmit ---- */

void arp_output(struct axip_stack *s, struct axip_pkt *p, axip_u32 nexthop)
{
	struct arp_entry *e;

	if (nexthop == 0xffffffffu || ipv4_is_broadcast(s, nexthop)) {
		eth_output(s, p, mac_broadcast, ETH_TYPE_IPV4);
		return;
	}
	if ((nexthop >> 28) == 14u) {
		/* RFC 1112 6.4: 01:00:5e followed by the low 23 bits of the group */
		axip_u8 mac[6];
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = (axip_u8)((nexthop >> 16) & 0x7fu);
		mac[4] = (axip_u8)(nexthop >> 8);
		mac[5] = (axip_u8)nexthop;
		eth_output(s, p, mac, ETH_TYPE_IPV4);
		return;
	}
	e = arp_find(s->arp, nexthop);
	if (e && e->state != AXIP_NEIGH_INCOMPLETE) {
		eth_output(s, p, e->mac, ETH_TYPE_IPV4);
		return;
	}
	if (e) {
		/* RFC 1122 2.3.2.1: one request per retry interval, not per packet */
		queue_add(s, e, p);
		return;
	}
	e = entry_alloc(s, nexthop);
	if (!e) {
		CTR_INC(s, arp_table_full);
		axip_pkt_free(s, p);
		return;
	}
	queue_add(s, e, p);
	entry_request(s, e);
}

void arp_announce(struct axip_stack *s)
{
	axip_u32 i;
	/* RFC 5227 3: an announcement is a request with sender = target = the
	 * address; one per address here, not the two RFC 5227 spaces apart */
	for (i = 0; i < s->cfg.n_addrs; i++)
		arp_send_request(s, s->cfg.addrs[i].addr, s->cfg.addrs[i].addr);
}

/* ---- public neighbour API ---- */

int axip_neigh_set(struct axip_stack *s, axip_u32 addr, const axip_u8 mac[6], int is_static)
{
	struct arp_entry *e;
	if (!s || !mac || !mac_unicast(mac) || !addr_unicast(s, addr) || ipv4_is_local(s, addr))
		return AXIP_E_INVAL;
	e = arp_find(s->arp, addr);
	if (!e) {
		e = entry_alloc(s, addr);
		if (!e) {
			CTR_INC(s, arp_table_full);
			return AXIP_E_NOMEM;
		}
	}
	entry_resolve(s, e, mac, is_static ? AXIP_NEIGH_STATIC : AXIP_NEIGH_REACHABLE);
	return AXIP_OK;
}

/* INCOMPLETE entries report a zero MAC and, as expires, the end of the
 * current retry interval. */
static void neigh_fill(const struct arp_entry *e, struct axip_neigh *out)
{
	out->addr = e->addr;
	mem_copy(out->mac, e->mac, 6);
	out->state = e->state;
	out->expires = e->state == AXIP_NEIGH_STATIC ? 0 : e->timer.expires;
}

int axip_neigh_get(struct axip_stack *s, axip_u32 addr, struct axip_neigh *out)
{
	const struct arp_entry *e;
	if (!s || !out)
		return AXIP_E_INVAL;
	e = arp_find(s->arp, addr);
	if (!e)
		return AXIP_E_NOTFOUND;
	neigh_fill(e, out);
	return AXIP_OK;
}

axip_u32 axip_neigh_list(struct axip_stack *s, struct axip_neigh *out, axip_u32 max)
{
	const struct arp_table *t;
	axip_u32 i, n = 0;
	if (!s || !out)
		return 0;
	t = s->arp;
	for (i = 0; i < t->n_entries && n < max; i++)
		if (t->entries[i].state != ARP_STATE_FREE)
			neigh_fill(&t->entries[i], &out[n++]);
	return n;
}
