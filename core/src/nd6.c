/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nd6.c - neighbour discovery for a host (RFC 4861): Neighbor Solicitation
 * and Advertisement with their link-layer address options, the neighbour
 * cache with unreachability detection, and duplicate address detection of
 * the instance's addresses (RFC 4862 5.4). Router and prefix discovery,
 * redirects and MLD are not implemented: the default router is configured.
 *
 * The cache holds cfg.nd6_entries entries carved at init, found by address
 * through chained hash buckets keyed with 32 bits of cfg.secret (as arp.c).
 * Entry states (RFC 4861 7.3.2) and their timers:
 *  INCOMPLETE  resolving: holds up to cfg.nd6_queue_len packets; a multicast
 *              solicitation every RETRANS_TIMER, at most MAX_MULTICAST_SOLICIT;
 *              then the packets are answered with ICMPv6 address unreachable
 *              (7.2.2) and the entry is removed.
 *  REACHABLE   confirmed by a solicited advertisement; after ReachableTime
 *              (a random 0.5..1.5 of the configured base, 6.3.2) it is STALE.
 *  STALE       no timer; the next packet sent moves it to DELAY.
 *  DELAY       DELAY_FIRST_PROBE_TIME without a confirmation: PROBE.
 *  PROBE       a unicast solicitation every RETRANS_TIMER, at most
 *              MAX_UNICAST_SOLICIT; then the entry is removed (7.3.3).
 *  STATIC      set by axip_neigh6_set(..., 1): no timer, never changed.
 * Entries other than INCOMPLETE and STATIC sit on an age list, least
 * recently updated first; a new entry on a full table takes its head.
 */
#include "nd6.h"
#include "icmp6.h"
#include "wire.h"
#include "checksum.h"

#define ND6_STATE_FREE 0u
#define ND6_NS_LEN 24u            /* type .. target (RFC 4861 4.3) */
#define ND6_OPT_SLLA 1u
#define ND6_OPT_TLLA 2u
#define ND6_NA_R 0x80u
#define ND6_NA_S 0x40u
#define ND6_NA_O 0x20u
#define ND6_HOP_LIMIT 255u

struct nd6_entry {
	struct axip_timer timer;      /* first member: the callback casts back */
	struct nd6_entry *hnext;      /* hash chain, or free list */
	struct nd6_entry **hpprev;    /* NULL while free */
	struct nd6_entry *age_prev;
	struct nd6_entry *age_next;
	struct axip_pkt *q_head;      /* packets waiting (INCOMPLETE only) */
	struct axip_pkt *q_tail;
	axip_u32 q_len;
	axip_u32 probes;              /* solicitations sent in this state */
	axip_u8 addr[16];
	axip_u8 mac[6];
	axip_u8 state;                /* ND6_STATE_FREE or enum axip_neigh6_state */
	axip_u8 is_router;
};

struct nd6_table {
	struct nd6_entry *entries;
	struct nd6_entry **bucket;
	struct nd6_entry *free_list;
	struct nd6_entry *age_head;
	struct nd6_entry *age_tail;
	axip_u32 n_entries;
	axip_u32 mask;
	axip_u32 key;
	axip_time_ns reachable_ns;    /* ReachableTime, randomised at init */
};

static const axip_u8 all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const axip_u8 unspecified[16] = {0};

static void nd6_timer(struct axip_stack *s, struct axip_timer *tm);
static void dad_timer(struct axip_stack *s, struct axip_timer *tm);

void nd6_carve(struct axip_stack *s, struct carve *c)
{
	axip_u32 n = s->cfg.nd6_entries, nb = 1, i;
	struct nd6_table *t;
	struct nd6_entry *e;
	struct nd6_entry **b;
	axip_time_ns base = s->cfg.nd6_reachable_ns;

	if (!s->cfg.ip6_enable)
		return;
	while (nb < n)
		nb <<= 1;
	t = CARVE_ARRAY(c, struct nd6_table, 1);
	e = CARVE_ARRAY(c, struct nd6_entry, n);
	b = CARVE_ARRAY(c, struct nd6_entry *, nb);
	if (carve_dry(c))
		return;
	mem_zero(t, sizeof(*t));
	t->entries = e;
	t->bucket = b;
	t->n_entries = n;
	t->mask = nb - 1u;
	t->key = load_be32(s->cfg.secret + 8);
	/* RFC 4861 6.3.2: ReachableTime is uniformly random between
	 * MIN_RANDOM_FACTOR (0.5) and MAX_RANDOM_FACTOR (1.5) times the base */
	t->reachable_ns = (base >> 1) + (base >> 16) * load_be16(s->cfg.secret + 12);
	for (i = 0; i < nb; i++)
		b[i] = AXIP_NULL;
	for (i = n; i-- > 0;) {
		mem_zero(&e[i], sizeof(e[i]));
		timer_init(&e[i].timer, nd6_timer);
		e[i].hnext = t->free_list;
		t->free_list = &e[i];
	}
	for (i = 0; i < IP6_ADDR_SLOTS; i++) /* every slot: axip_ip6_addrs_set fills more */
		timer_init(&ipv6_ifaddr(s, i)->timer, dad_timer);
	s->nd6 = t;
}

/* ---- cache helpers ---- */

static axip_u32 nd6_hash(const struct nd6_table *t, const axip_u8 *a)
{
	axip_u32 x = t->key, i;
	for (i = 0; i < 16u; i += 4u)
		x = (x ^ load_be32(a + i)) * 0x9e3779b1u;
	return (x ^ (x >> 16)) & t->mask;
}

static struct nd6_entry *nd6_find(const struct nd6_table *t, const axip_u8 *a)
{
	struct nd6_entry *e = t->bucket[nd6_hash(t, a)];
	while (e && !mem_equal(e->addr, a, 16))
		e = e->hnext;
	return e;
}

static int mac_unicast(const axip_u8 *m)
{
	return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) != 0 && (m[0] & 1u) == 0;
}

static int on_age_list(axip_u8 state)
{
	return state != AXIP_NEIGH6_INCOMPLETE && state != AXIP_NEIGH6_STATIC &&
	       state != ND6_STATE_FREE;
}

static void age_unlink(struct nd6_table *t, struct nd6_entry *e)
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

static void age_append(struct nd6_table *t, struct nd6_entry *e)
{
	e->age_next = AXIP_NULL;
	e->age_prev = t->age_tail;
	if (t->age_tail)
		t->age_tail->age_next = e;
	else
		t->age_head = e;
	t->age_tail = e;
}

/* Move e to `state` (it is then the most recently updated entry), arming
 * the state's timer (0 = none). */
static void set_state(struct axip_stack *s, struct nd6_entry *e, axip_u8 state, axip_time_ns in)
{
	if (on_age_list(e->state))
		age_unlink(s->nd6, e);
	e->state = state;
	if (on_age_list(state))
		age_append(s->nd6, e);
	if (in)
		timer_arm(&s->wheel, &e->timer, s->now + in);
	else
		timer_cancel(&s->wheel, &e->timer);
}

static struct axip_pkt *queue_take(struct nd6_entry *e)
{
	struct axip_pkt *p = e->q_head;
	e->q_head = e->q_tail = AXIP_NULL;
	e->q_len = 0;
	return p;
}

/* Free an entry; queued packets are dropped, counted by the caller. */
static void entry_free(struct axip_stack *s, struct nd6_entry *e)
{
	struct nd6_table *t = s->nd6;
	struct axip_pkt *p, *n;
	for (p = queue_take(e); p; p = n) {
		n = p->next;
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
	}
	*e->hpprev = e->hnext;
	if (e->hnext)
		e->hnext->hpprev = e->hpprev;
	if (on_age_list(e->state))
		age_unlink(t, e);
	timer_cancel(&s->wheel, &e->timer);
	e->state = ND6_STATE_FREE;
	e->hpprev = AXIP_NULL;
	e->hnext = t->free_list;
	t->free_list = e;
}

/* A new INCOMPLETE entry (no timer, empty queue), evicting the least
 * recently updated resolved entry when none is free; NULL if impossible. */
static struct nd6_entry *entry_alloc(struct axip_stack *s, const axip_u8 *a)
{
	struct nd6_table *t = s->nd6;
	struct nd6_entry *e;
	struct nd6_entry **b;
	if (!t->free_list) {
		if (!t->age_head)
			return AXIP_NULL;
		entry_free(s, t->age_head);
	}
	e = t->free_list;
	t->free_list = e->hnext;
	b = &t->bucket[nd6_hash(t, a)];
	e->hnext = *b;
	if (e->hnext)
		e->hnext->hpprev = &e->hnext;
	*b = e;
	e->hpprev = b;
	mem_copy(e->addr, a, 16);
	mem_zero(e->mac, 6);
	e->state = AXIP_NEIGH6_INCOMPLETE;
	e->probes = 0;
	e->is_router = 0;
	e->q_head = e->q_tail = AXIP_NULL;
	e->q_len = 0;
	e->age_prev = e->age_next = AXIP_NULL;
	return e;
}

/* RFC 4861 7.2.2: keep the latest packets, dropping the oldest when full. */
static void queue_add(struct axip_stack *s, struct nd6_entry *e, struct axip_pkt *p)
{
	p->next = AXIP_NULL;
	if (e->q_len >= s->cfg.nd6_queue_len) {
		struct axip_pkt *old = e->q_head;
		CTR_INC(s, nd6_queue_full);
		if (!old) {
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

static void send_queued(struct axip_stack *s, struct nd6_entry *e)
{
	struct axip_pkt *p, *n;
	for (p = queue_take(e); p; p = n) {
		n = p->next;
		p->next = AXIP_NULL;
		eth_output(s, p, e->mac, ETH_TYPE_IPV6);
	}
}

/* ---- messages out ---- */

/* A 24-byte NS/NA body plus one link-layer address option (when lla_type
 * is not 0), checksummed and sent with hop limit 255 (RFC 4861 7.1). */
static void nd6_send(struct axip_stack *s, axip_u8 type, axip_u8 flags, const axip_u8 *target,
                     const axip_u8 *src, const axip_u8 *dst, axip_u8 lla_type)
{
	struct axip_pkt *p = axip_pkt_alloc(s, AXIP_PKT_HEADROOM);
	axip_u32 len = ND6_NS_LEN + (lla_type ? 8u : 0u);
	axip_u8 *m;
	if (!p)
		return; /* counted by the allocator; a timer tries again */
	if (p->tailroom < len) {
		CTR_INC(s, ip6_tx_no_headroom);
		axip_pkt_free(s, p);
		return;
	}
	m = p->data;
	mem_zero(m, len);
	m[0] = type;
	m[4] = flags;
	mem_copy(m + 8, target, 16);
	if (lla_type) {
		m[24] = lla_type;
		m[25] = 1; /* 8 octets: the Ethernet address (RFC 2464 6) */
		mem_copy(m + 26, s->cfg.mac, 6);
	}
	p->len = len;
	p->tailroom -= len;
	store_be16(m + 2, csum_fold(csum_add_bytes(csum_pseudo6(src, dst, IP6_NH_ICMP6, len), m, len)));
	if (type == ICMP6_NEIGH_SOLICIT)
		CTR_INC(s, nd6_tx_ns);
	else
		CTR_INC(s, nd6_tx_na);
	ipv6_output(s, p, src, dst, IP6_NH_ICMP6, ND6_HOP_LIMIT, 0);
}

/* A solicitation for e's address: multicast to its solicited-node group
 * while resolving, unicast to the cached address while probing (7.2.2,
 * 7.3.3). From `prefer` (7.2.2: the source of the packet that prompted it,
 * when that is ours), else a usable address of ours selected for the target. */
static void solicit(struct axip_stack *s, struct nd6_entry *e, int unicast, const axip_u8 *prefer)
{
	axip_u8 nexthop[16], src[16], dst[16];
	e->probes++;
	if (prefer && ipv6_is_local(s, prefer))
		mem_copy(src, prefer, 16);
	else if (ipv6_route(s, e->addr, nexthop, src) != AXIP_OK || ip6_is_unspecified(src)) {
		CTR_INC(s, ip6_tx_no_route);
		return;
	}
	if (unicast)
		mem_copy(dst, e->addr, 16);
	else
		ip6_solicited_node(dst, e->addr);
	nd6_send(s, ICMP6_NEIGH_SOLICIT, 0, e->addr, src, dst, ND6_OPT_SLLA);
}

static void nd6_timer(struct axip_stack *s, struct axip_timer *tm)
{
	struct nd6_entry *e = (struct nd6_entry *)tm;
	struct axip_pkt *p, *n;
	axip_u32 dropped = 0;

	switch (e->state) {
	case AXIP_NEIGH6_REACHABLE:
		set_state(s, e, AXIP_NEIGH6_STALE, 0);
		return;
	case AXIP_NEIGH6_DELAY:
		/* RFC 4861 7.3.3: no confirmation came: probe */
		e->probes = 0;
		set_state(s, e, AXIP_NEIGH6_PROBE, s->cfg.nd6_retrans_ns);
		solicit(s, e, 1, AXIP_NULL);
		return;
	case AXIP_NEIGH6_PROBE:
		if (e->probes < s->cfg.nd6_max_ucast_solicit) {
			timer_arm(&s->wheel, &e->timer, s->now + s->cfg.nd6_retrans_ns);
			solicit(s, e, 1, AXIP_NULL);
			return;
		}
		CTR_INC(s, nd6_probe_fail);
		entry_free(s, e);
		return;
	case AXIP_NEIGH6_INCOMPLETE:
		if (e->probes < s->cfg.nd6_max_mcast_solicit) {
			timer_arm(&s->wheel, &e->timer, s->now + s->cfg.nd6_retrans_ns);
			solicit(s, e, 0, AXIP_NULL);
			return;
		}
		/* RFC 4861 7.2.2 answers queued packets with an address
		 * unreachable error to their source; a host only queues its own
		 * packets, so the failure is counted here instead */
		for (p = queue_take(e); p; p = n) {
			n = p->next;
			p->next = AXIP_NULL;
			axip_pkt_free(s, p);
			dropped++;
		}
		CTR_INC(s, nd6_resolve_fail);
		CTR_ADD(s, nd6_resolve_fail_pkts, dropped);
		entry_free(s, e);
		return;
	default:
		return;
	}
}

void nd6_output(struct axip_stack *s, struct axip_pkt *p, const axip_u8 nexthop[16])
{
	struct nd6_entry *e;
	axip_u8 mac[6];

	if (ip6_is_multicast(nexthop)) {
		ip6_multicast_mac(mac, nexthop);
		eth_output(s, p, mac, ETH_TYPE_IPV6);
		return;
	}
	e = nd6_find(s->nd6, nexthop);
	if (!e) {
		axip_u8 psrc[16];
		mem_copy(psrc, p->data + IP6_OFF_SRC, 16);
		e = entry_alloc(s, nexthop);
		if (!e) {
			CTR_INC(s, nd6_table_full);
			axip_pkt_free(s, p);
			return;
		}
		queue_add(s, e, p);
		/* RFC 4861 7.2.2: solicit at once, then every RETRANS_TIMER */
		timer_arm(&s->wheel, &e->timer, s->now + s->cfg.nd6_retrans_ns);
		solicit(s, e, 0, psrc);
		return;
	}
	if (e->state == AXIP_NEIGH6_INCOMPLETE) {
		queue_add(s, e, p);
		return;
	}
	if (e->state == AXIP_NEIGH6_STALE) {
		/* RFC 4861 7.3.3: the first packet to a STALE entry starts the
		 * delay before probing */
		e->probes = 0;
		set_state(s, e, AXIP_NEIGH6_DELAY, s->cfg.nd6_delay_first_probe_ns);
	}
	eth_output(s, p, e->mac, ETH_TYPE_IPV6);
}

void nd6_confirm(struct axip_stack *s, const axip_u8 dst[16])
{
	struct nd6_entry *e;
	const axip_u8 *nh = dst;
	if (!s->nd6)
		return;
	if (!ipv6_on_link(s, dst)) {
		if (ip6_is_unspecified(s->cfg.gateway6))
			return;
		nh = s->cfg.gateway6;
	}
	e = nd6_find(s->nd6, nh);
	if (!e)
		return;
	switch (e->state) {
	case AXIP_NEIGH6_REACHABLE:
		if (e->timer.expires > s->now && e->timer.expires - s->now > s->nd6->reachable_ns / 2u)
			return;
		break;
	case AXIP_NEIGH6_STALE:
	case AXIP_NEIGH6_DELAY:
	case AXIP_NEIGH6_PROBE:
		CTR_INC(s, nd6_confirmed);
		break;
	default: /* INCOMPLETE has no address yet; STATIC needs nothing */
		return;
	}
	e->probes = 0;
	set_state(s, e, AXIP_NEIGH6_REACHABLE, s->nd6->reachable_ns);
}

/* ---- duplicate address detection (RFC 4862 5.4) ---- */

static void dad_send(struct axip_stack *s, struct ip6_ifaddr *a)
{
	axip_u8 dst[16];
	/* 5.4.2: from the unspecified address, to the solicited-node group,
	 * without a source link-layer address option */
	ip6_solicited_node(dst, a->addr);
	a->dad_sent++;
	nd6_send(s, ICMP6_NEIGH_SOLICIT, 0, a->addr, unspecified, dst, 0);
	timer_arm(&s->wheel, &a->timer, s->now + s->cfg.nd6_retrans_ns);
}

static void dad_timer(struct axip_stack *s, struct axip_timer *tm)
{
	struct ip6_ifaddr *a = (struct ip6_ifaddr *)(void *)tm;
	if (a->state != AXIP_IP6_TENTATIVE)
		return;
	if (a->dad_sent < s->cfg.nd6_dad_transmits) {
		dad_send(s, a);
		return;
	}
	/* 5.4: RetransTimer after the last solicitation without a duplicate */
	a->state = AXIP_IP6_PREFERRED;
	CTR_INC(s, nd6_dad_ok);
}

/* 5.4.5: a duplicate makes the address unusable for good. */
static void dad_conflict(struct axip_stack *s, struct ip6_ifaddr *a)
{
	timer_cancel(&s->wheel, &a->timer);
	a->state = AXIP_IP6_DUPLICATE;
	CTR_INC(s, nd6_dad_conflict);
}

void nd6_start(struct axip_stack *s)
{
	axip_u32 i;
	for (i = 0; i < ipv6_n_ifaddrs(s); i++) {
		struct ip6_ifaddr *a = ipv6_ifaddr(s, i);
		if (a->state == AXIP_IP6_TENTATIVE) {
			a->dad_sent = 0;
			dad_send(s, a);
		}
	}
}

/* ---- messages in ---- */

/* RFC 4861 4.6: walk the options from offset 24; every option has a nonzero
 * length inside the message. The link-layer address option wanted (`type`)
 * is returned in *lla (NULL if absent). -1 when malformed. */
static int parse_opts(const axip_u8 *m, axip_u32 len, axip_u8 type, const axip_u8 **lla)
{
	axip_u32 off = ND6_NS_LEN;
	*lla = AXIP_NULL;
	while (off < len) {
		axip_u32 ol;
		if (off + 2u > len || m[off + 1] == 0)
			return -1;
		ol = (axip_u32)m[off + 1] * 8u;
		if (off + ol > len)
			return -1;
		if (m[off] == type) {
			/* an Ethernet address option is 8 octets (RFC 2464 6) */
			if (ol != 8u)
				return -1;
			*lla = m + off + 2;
		}
		off += ol;
	}
	return 0;
}

static int is_solicited_node(const axip_u8 *a)
{
	static const axip_u8 pfx[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
	return mem_equal(a, pfx, 13);
}

/* RFC 4861 7.2.3: what a solicitation from a unicast source teaches. */
static void learn_from_ns(struct axip_stack *s, const axip_u8 *addr, const axip_u8 *mac)
{
	struct nd6_entry *e = nd6_find(s->nd6, addr);
	if (!e) {
		e = entry_alloc(s, addr);
		if (!e) {
			CTR_INC(s, nd6_table_full);
			return;
		}
		mem_copy(e->mac, mac, 6);
		set_state(s, e, AXIP_NEIGH6_STALE, 0);
		return;
	}
	if (e->state == AXIP_NEIGH6_STATIC)
		return;
	if (e->state == AXIP_NEIGH6_INCOMPLETE) {
		mem_copy(e->mac, mac, 6);
		set_state(s, e, AXIP_NEIGH6_STALE, 0);
		send_queued(s, e);
		return;
	}
	if (!mem_equal(e->mac, mac, 6)) {
		mem_copy(e->mac, mac, 6);
		set_state(s, e, AXIP_NEIGH6_STALE, 0);
	}
}

static void ns_input(struct axip_stack *s, const axip_u8 *m, axip_u32 len,
                     const struct ipv6_rx_info *ip)
{
	const axip_u8 *target = m + 8, *slla;
	struct ip6_ifaddr *a;
	int from_dad = ip6_is_unspecified(ip->src);

	CTR_INC(s, nd6_rx_ns);
	/* RFC 4861 7.1.1 */
	if (parse_opts(m, len, ND6_OPT_SLLA, &slla) != 0 || ip6_is_multicast(target) ||
	    (from_dad && (!is_solicited_node(ip->dst) || slla)) || (slla && !mac_unicast(slla))) {
		CTR_INC(s, nd6_rx_bad);
		return;
	}
	a = ipv6_ifaddr_find(s, target);
	if (!a || a->state == AXIP_IP6_DUPLICATE) {
		CTR_INC(s, nd6_rx_not_for_us);
		return;
	}
	if (a->state == AXIP_IP6_TENTATIVE) {
		/* RFC 4862 5.4.3: another node runs DAD for the same address;
		 * solicitations from a unicast source are ignored meanwhile */
		if (from_dad)
			dad_conflict(s, a);
		return;
	}
	if (!from_dad && slla)
		learn_from_ns(s, ip->src, slla);
	/* RFC 4861 7.2.4: solicited, override; to the all-nodes group with S
	 * clear when the solicitation came from the unspecified address */
	if (from_dad)
		nd6_send(s, ICMP6_NEIGH_ADVERT, ND6_NA_O, target, target, all_nodes, ND6_OPT_TLLA);
	else
		nd6_send(s, ICMP6_NEIGH_ADVERT, ND6_NA_S | ND6_NA_O, target, target, ip->src,
		         ND6_OPT_TLLA);
}

static void na_input(struct axip_stack *s, const axip_u8 *m, axip_u32 len,
                     const struct ipv6_rx_info *ip)
{
	const axip_u8 *target = m + 8, *tlla;
	axip_u8 flags = m[4];
	int solicited = (flags & ND6_NA_S) != 0, override = (flags & ND6_NA_O) != 0, lla_diff;
	struct ip6_ifaddr *a;
	struct nd6_entry *e;

	CTR_INC(s, nd6_rx_na);
	/* RFC 4861 7.1.2 */
	if (parse_opts(m, len, ND6_OPT_TLLA, &tlla) != 0 || ip6_is_multicast(target) ||
	    (ip->dst_multicast && solicited) || (tlla && !mac_unicast(tlla))) {
		CTR_INC(s, nd6_rx_bad);
		return;
	}
	a = ipv6_ifaddr_find(s, target);
	if (a) {
		/* RFC 4862 5.4.4: a tentative address is a duplicate; for one in
		 * use the advertisement is ignored (the conflict is not ours to
		 * settle) */
		if (a->state == AXIP_IP6_TENTATIVE)
			dad_conflict(s, a);
		else
			CTR_INC(s, nd6_rx_na_unsolicited);
		return;
	}
	e = nd6_find(s->nd6, target);
	if (!e) {
		/* 7.2.5: no entry, nothing to update; none is created */
		CTR_INC(s, nd6_rx_na_unsolicited);
		return;
	}
	if (e->state == AXIP_NEIGH6_STATIC)
		return;
	if (e->state == AXIP_NEIGH6_INCOMPLETE) {
		if (!tlla)
			return; /* 7.2.5: without the address it is useless */
		mem_copy(e->mac, tlla, 6);
		e->is_router = (axip_u8)((flags & ND6_NA_R) != 0);
		if (solicited)
			set_state(s, e, AXIP_NEIGH6_REACHABLE, s->nd6->reachable_ns);
		else
			set_state(s, e, AXIP_NEIGH6_STALE, 0);
		send_queued(s, e);
		return;
	}
	lla_diff = tlla && !mem_equal(tlla, e->mac, 6);
	if (!override && lla_diff) {
		/* 7.2.5: a different address without override is not taken;
		 * a REACHABLE entry becomes STALE */
		if (e->state == AXIP_NEIGH6_REACHABLE)
			set_state(s, e, AXIP_NEIGH6_STALE, 0);
		return;
	}
	if (tlla)
		mem_copy(e->mac, tlla, 6);
	e->is_router = (axip_u8)((flags & ND6_NA_R) != 0);
	if (solicited)
		set_state(s, e, AXIP_NEIGH6_REACHABLE, s->nd6->reachable_ns);
	else if (lla_diff)
		set_state(s, e, AXIP_NEIGH6_STALE, 0);
}

void nd6_input(struct axip_stack *s, struct axip_pkt *p, const struct ipv6_rx_info *ip,
               axip_u32 len)
{
	const axip_u8 *m;
	/* RFC 4861 7.1.1/7.1.2: hop limit 255 (the message did not cross a
	 * router), code 0, at least 24 octets */
	if (ip->hop_limit != ND6_HOP_LIMIT || len < ND6_NS_LEN) {
		CTR_INC(s, nd6_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	if (pkt_linearize(s, p, len) != 0) {
		CTR_INC(s, eth_rx_sg_unsupported);
		axip_pkt_free(s, p);
		return;
	}
	m = p->data;
	if (m[1] != 0) {
		CTR_INC(s, nd6_rx_bad);
		axip_pkt_free(s, p);
		return;
	}
	if (ipv6_rx_looped(s)) {
		/* RFC 4862 5.4.3/5.4.4: our own solicitation or advertisement
		 * reflected by the link is no duplicate, and teaches nothing */
		CTR_INC(s, nd6_rx_looped);
		axip_pkt_free(s, p);
		return;
	}
	if (m[0] == ICMP6_NEIGH_SOLICIT)
		ns_input(s, m, len, ip);
	else
		na_input(s, m, len, ip);
	axip_pkt_free(s, p);
}

/* ---- public neighbour API ---- */

int axip_neigh6_set(struct axip_stack *s, const axip_u8 addr[AXIP_IP6_LEN], const axip_u8 mac[6],
                    int is_static)
{
	struct nd6_entry *e;
	if (!s || !addr || !mac)
		return AXIP_E_INVAL;
	if (!s->nd6)
		return AXIP_E_STATE;
	if (!mac_unicast(mac) || ip6_is_multicast(addr) || ip6_is_unspecified(addr) ||
	    ip6_is_loopback(addr) || ipv6_ifaddr_find(s, addr))
		return AXIP_E_INVAL;
	e = nd6_find(s->nd6, addr);
	if (!e) {
		e = entry_alloc(s, addr);
		if (!e) {
			CTR_INC(s, nd6_table_full);
			return AXIP_E_NOMEM;
		}
	}
	mem_copy(e->mac, mac, 6);
	if (is_static)
		set_state(s, e, AXIP_NEIGH6_STATIC, 0);
	else
		set_state(s, e, AXIP_NEIGH6_REACHABLE, s->nd6->reachable_ns);
	send_queued(s, e);
	return AXIP_OK;
}

int axip_neigh6_get(struct axip_stack *s, const axip_u8 addr[AXIP_IP6_LEN], struct axip_neigh6 *out)
{
	const struct nd6_entry *e;
	if (!s || !addr || !out)
		return AXIP_E_INVAL;
	if (!s->nd6)
		return AXIP_E_NOTFOUND;
	e = nd6_find(s->nd6, addr);
	if (!e)
		return AXIP_E_NOTFOUND;
	mem_copy(out->addr, e->addr, 16);
	mem_copy(out->mac, e->mac, 6);
	out->state = e->state;
	out->is_router = e->is_router;
	out->expires = timer_armed(&e->timer) ? e->timer.expires : 0;
	return AXIP_OK;
}
