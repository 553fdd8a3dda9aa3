/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ipv6.c - IPv6 for a host (RFC 8200): the instance's addresses (RFC 4291),
 * input validation, the extension header walk and dispatch, routing and
 * source selection, output with fragmentation, and the path MTU cache
 * (RFC 8201). Fragments are reassembled by ip6_frag.c, neighbours resolved
 * by nd6.c.
 */
#include "ipv6.h"
#include "ip6_frag.h"
#include "icmp6.h"
#include "nd6.h"
#include "udp.h"
#include "tcp.h"
#include "wire.h"
#include "checksum.h"

/* Extension headers walked per packet before it is dropped: RFC 8200 4.1
 * recommends each at most once (destination options twice); this bounds a
 * malicious chain. */
#define IP6_MAX_EXT 8u

struct pmtu6_ent {
	axip_u8 dst[16];
	axip_u32 mtu;            /* 0 = free */
	axip_time_ns expires;
};

struct ipv6_state {
	struct ip6_ifaddr *addrs;
	axip_u32 n_addrs;
	struct ip6_frag_table *frag;
	struct pmtu6_ent *pmtu;
	axip_u32 n_pmtu;
	/* Fragment identification (RFC 8200 4.5): a 32-bit counter started from
	 * the instance's secret, so instances sharing an address (one per core)
	 * do not walk the same sequence (RFC 7739 3.1: not predictable from
	 * another host's view). */
	axip_u32 next_id;
	axip_u8 rx_ll_mcast;     /* the frame ipv6_input is processing went to a group MAC */
	axip_u8 rx_looped;       /* ... came from our own MAC */
};

static int addr_zero(const axip_u8 *a)
{
	return ip6_is_unspecified(a);
}

static int prefix_match(const axip_u8 *a, const axip_u8 *b, axip_u32 len)
{
	axip_u32 i = 0;
	for (; len >= 8u; len -= 8u, i++)
		if (a[i] != b[i])
			return 0;
	if (len == 0)
		return 1;
	return ((a[i] ^ b[i]) & (axip_u8)(0xffu << (8u - len))) == 0;
}

static axip_u32 common_prefix(const axip_u8 *a, const axip_u8 *b)
{
	axip_u32 i, n = 0;
	for (i = 0; i < 16u; i++) {
		axip_u8 x = (axip_u8)(a[i] ^ b[i]);
		if (x == 0) {
			n += 8u;
			continue;
		}
		while (!(x & 0x80u)) {
			n++;
			x = (axip_u8)(x << 1);
		}
		break;
	}
	return n;
}

static int unicast_ok(const axip_u8 *a)
{
	return !ip6_is_multicast(a) && !ip6_is_unspecified(a) && !ip6_is_loopback(a);
}

int ipv6_config_valid(const struct axip_config *c)
{
	axip_u32 i, gw_ok;
	if (!c->ip6_enable)
		return 1;
	/* RFC 8200 5: every link carries at least 1280 bytes */
	if (c->mtu < IP6_MIN_MTU)
		return 0;
	if (!addr_zero(c->ip6_linklocal) && !ip6_is_linklocal(c->ip6_linklocal))
		return 0;
	if (c->n_addrs6 > AXIP_MAX_ADDRS6)
		return 0;
	for (i = 0; i < c->n_addrs6; i++) {
		const axip_u8 *a = c->addrs6[i].addr;
		if (c->addrs6[i].prefix_len < 1 || c->addrs6[i].prefix_len > 128)
			return 0;
		if (!unicast_ok(a) || ip6_is_linklocal(a))
			return 0;
	}
	if (!addr_zero(c->gateway6)) {
		gw_ok = ip6_is_linklocal(c->gateway6);
		for (i = 0; i < c->n_addrs6; i++)
			if (prefix_match(c->gateway6, c->addrs6[i].addr, c->addrs6[i].prefix_len) &&
			    !mem_equal(c->gateway6, c->addrs6[i].addr, 16))
				gw_ok = 1;
		if (!gw_ok || !unicast_ok(c->gateway6))
			return 0;
	}
	if (c->ip6_hop_limit < 1)
		return 0;
	if (c->nd6_entries < 1 || c->nd6_entries > 65536 || c->nd6_queue_len > 1024 ||
	    c->nd6_max_mcast_solicit < 1 || c->nd6_max_ucast_solicit < 1 ||
	    c->nd6_max_mcast_solicit > 255 || c->nd6_max_ucast_solicit > 255 ||
	    c->nd6_retrans_ns == 0 || c->nd6_reachable_ns < AXIP_MS(2) ||
	    c->nd6_reachable_ns > AXIP_SEC(3600) || c->nd6_delay_first_probe_ns == 0 ||
	    c->nd6_dad_transmits > 16)
		return 0;
	if (c->frag6_slots > 4096 || c->frag6_max_per_datagram < 2 ||
	    c->frag6_max_per_datagram > 8192 || c->frag6_timeout_ns == 0)
		return 0;
	if (c->pmtu6_entries > 4096 || c->pmtu6_timeout_ns == 0)
		return 0;
	return 1;
}

void ipv6_carve(struct axip_stack *s, struct carve *c)
{
	const struct axip_config *cfg = &s->cfg;
	struct ipv6_state *st;
	struct ip6_ifaddr *a;
	struct pmtu6_ent *pm;
	struct ip6_frag_table *frag;
	axip_u32 i, n;

	if (!cfg->ip6_enable)
		return;
	n = 1u + cfg->n_addrs6;
	st = CARVE_ARRAY(c, struct ipv6_state, 1);
	/* room for AXIP_MAX_ADDRS6 global addresses: axip_ip6_addrs_set */
	a = CARVE_ARRAY(c, struct ip6_ifaddr, IP6_ADDR_SLOTS);
	pm = CARVE_ARRAY(c, struct pmtu6_ent, cfg->pmtu6_entries);
	frag = ip6_frag_carve(s, c);
	if (carve_dry(c))
		return;
	mem_zero(st, sizeof(*st));
	mem_zero(a, sizeof(*a) * IP6_ADDR_SLOTS);
	mem_zero(pm, sizeof(*pm) * cfg->pmtu6_entries);
	if (addr_zero(cfg->ip6_linklocal)) {
		/* RFC 4291 2.5.1 / RFC 2464 4: fe80::/64 and the modified EUI-64
		 * interface identifier (universal/local bit inverted) */
		a[0].addr[0] = 0xfe;
		a[0].addr[1] = 0x80;
		a[0].addr[8] = (axip_u8)(cfg->mac[0] ^ 0x02u);
		a[0].addr[9] = cfg->mac[1];
		a[0].addr[10] = cfg->mac[2];
		a[0].addr[11] = 0xff;
		a[0].addr[12] = 0xfe;
		a[0].addr[13] = cfg->mac[3];
		a[0].addr[14] = cfg->mac[4];
		a[0].addr[15] = cfg->mac[5];
	} else {
		mem_copy(a[0].addr, cfg->ip6_linklocal, 16);
	}
	a[0].prefix_len = 64;
	for (i = 1; i < n; i++) {
		mem_copy(a[i].addr, cfg->addrs6[i - 1u].addr, 16);
		a[i].prefix_len = cfg->addrs6[i - 1u].prefix_len;
	}
	for (i = 0; i < n; i++)
		a[i].state = cfg->nd6_dad_transmits ? AXIP_IP6_TENTATIVE : AXIP_IP6_PREFERRED;
	st->addrs = a;
	st->n_addrs = n;
	st->frag = frag;
	st->pmtu = pm;
	st->n_pmtu = cfg->pmtu6_entries;
	st->next_id = load_be32(cfg->secret + 4);
	s->ip6 = st;
}

/* ---- addresses ---- */

axip_u32 ipv6_n_ifaddrs(const struct axip_stack *s)
{
	return s->ip6 ? s->ip6->n_addrs : 0;
}

struct ip6_ifaddr *ipv6_ifaddr(struct axip_stack *s, axip_u32 i)
{
	return &s->ip6->addrs[i];
}

int axip_ip6_addrs_set(struct axip_stack *s, const struct axip_ifaddr6 *addrs, axip_u32 n)
{
	struct ipv6_state *st;
	struct ip6_ifaddr old[IP6_ADDR_SLOTS];
	axip_u32 i, j;
	if (!s || (n && !addrs) || n > AXIP_MAX_ADDRS6)
		return AXIP_E_INVAL;
	if (!s->ip6)
		return AXIP_E_STATE;
	for (i = 0; i < n; i++)
		if (addrs[i].prefix_len < 1 || addrs[i].prefix_len > 128 ||
		    !unicast_ok(addrs[i].addr) || ip6_is_linklocal(addrs[i].addr))
			return AXIP_E_INVAL;
	st = s->ip6;
	/* a slot's DAD timer may be armed: stop them before the slots move */
	for (i = 1; i < st->n_addrs; i++) {
		timer_cancel(&s->wheel, &st->addrs[i].timer);
		old[i] = st->addrs[i];
	}
	for (i = 0; i < n; i++) {
		struct ip6_ifaddr *a = &st->addrs[1u + i];
		axip_u8 state = AXIP_IP6_PREFERRED;
		/* their owner checked them: used at once, except one that DAD
		 * already found duplicate (RFC 4862 5.4.5) */
		for (j = 1; j < st->n_addrs; j++)
			if (mem_equal(old[j].addr, addrs[i].addr, 16) && old[j].state == AXIP_IP6_DUPLICATE)
				state = AXIP_IP6_DUPLICATE;
		mem_copy(a->addr, addrs[i].addr, 16);
		a->prefix_len = addrs[i].prefix_len;
		a->state = state;
		a->dad_sent = 0;
	}
	for (i = 1u + n; i < IP6_ADDR_SLOTS; i++)
		mem_zero(st->addrs[i].addr, 16);
	st->n_addrs = 1u + n;
	return AXIP_OK;
}

struct ip6_ifaddr *ipv6_ifaddr_find(struct axip_stack *s, const axip_u8 a[16])
{
	axip_u32 i;
	for (i = 0; i < ipv6_n_ifaddrs(s); i++)
		if (mem_equal(s->ip6->addrs[i].addr, a, 16))
			return &s->ip6->addrs[i];
	return AXIP_NULL;
}

int ipv6_is_local(struct axip_stack *s, const axip_u8 a[16])
{
	const struct ip6_ifaddr *e = ipv6_ifaddr_find(s, a);
	return e && e->state == AXIP_IP6_PREFERRED;
}

int ipv6_on_link(const struct axip_stack *s, const axip_u8 a[16])
{
	axip_u32 i;
	if (ip6_is_linklocal(a))
		return 1;
	for (i = 1; i < ipv6_n_ifaddrs(s); i++)
		if (prefix_match(a, s->ip6->addrs[i].addr, s->ip6->addrs[i].prefix_len))
			return 1;
	return 0;
}

int axip_ip6_addr_get(struct axip_stack *s, axip_u32 i, struct axip_ip6_addr *out)
{
	const struct ip6_ifaddr *e;
	if (!s || !out)
		return AXIP_E_INVAL;
	if (i >= ipv6_n_ifaddrs(s))
		return AXIP_E_NOTFOUND;
	e = &s->ip6->addrs[i];
	mem_copy(out->addr, e->addr, 16);
	out->prefix_len = e->prefix_len;
	out->state = e->state;
	return AXIP_OK;
}

/* ---- routing and source selection ---- */

/*
 * Source for dst (RFC 6724 section 5, the rules that apply to one interface
 * without temporary addresses): never a tentative or duplicate address
 * (RFC 4862 5.4); the same scope as dst (rule 2: link-local for link-local
 * and link-scope multicast destinations); among global addresses the longest
 * matching prefix (rule 8). Zero when there is none.
 */
static void select_source(struct axip_stack *s, const axip_u8 dst[16], axip_u8 src[16])
{
	struct ipv6_state *st = s->ip6;
	axip_u32 i, best = 0, best_len = 0;
	mem_zero(src, 16);
	if (!ip6_is_linklocal(dst) && !(ip6_is_multicast(dst) && (dst[1] & 0x0fu) <= 2u)) {
		for (i = 1; i < st->n_addrs; i++) {
			axip_u32 l;
			if (st->addrs[i].state != AXIP_IP6_PREFERRED)
				continue;
			l = common_prefix(dst, st->addrs[i].addr);
			if (!best || l > best_len) {
				best = i;
				best_len = l;
			}
		}
		if (best) {
			mem_copy(src, st->addrs[best].addr, 16);
			return;
		}
	}
	if (st->addrs[0].state == AXIP_IP6_PREFERRED)
		mem_copy(src, st->addrs[0].addr, 16);
}

/*
 * RFC 4861 5.2, without prefix lists or router advertisements: multicast,
 * link-local and destinations inside a configured prefix are on-link; the
 * rest goes to the configured default router. There is no loopback: our own
 * addresses, ::, ::1 are not routable from here.
 */
int ipv6_route(struct axip_stack *s, const axip_u8 dst[16], axip_u8 nexthop[16], axip_u8 src[16])
{
	if (ip6_is_unspecified(dst) || ip6_is_loopback(dst) || ipv6_ifaddr_find(s, dst))
		return AXIP_E_UNREACH;
	select_source(s, dst, src);
	if (ip6_is_multicast(dst) || ipv6_on_link(s, dst)) {
		mem_copy(nexthop, dst, 16);
		return AXIP_OK;
	}
	if (!addr_zero(s->cfg.gateway6)) {
		mem_copy(nexthop, s->cfg.gateway6, 16);
		return AXIP_OK;
	}
	return AXIP_E_UNREACH;
}

/* ---- path MTU (RFC 8201) ---- */

static struct pmtu6_ent *pmtu_find(struct axip_stack *s, const axip_u8 dst[16])
{
	struct ipv6_state *st = s->ip6;
	axip_u32 i;
	for (i = 0; i < st->n_pmtu; i++) {
		struct pmtu6_ent *e = &st->pmtu[i];
		if (!e->mtu || !mem_equal(e->dst, dst, 16))
			continue;
		if (s->now >= e->expires) {
			/* RFC 8201 4: after the timeout the estimate goes back to the
			 * first-hop MTU, which probes for an increase */
			e->mtu = 0;
			return AXIP_NULL;
		}
		return e;
	}
	return AXIP_NULL;
}

axip_u32 ipv6_pmtu(struct axip_stack *s, const axip_u8 dst[16])
{
	const struct pmtu6_ent *e = pmtu_find(s, dst);
	return e ? e->mtu : s->cfg.mtu;
}

void ipv6_pmtu_report(struct axip_stack *s, const axip_u8 dst[16], axip_u32 mtu)
{
	struct ipv6_state *st = s->ip6;
	struct pmtu6_ent *e;
	axip_u32 i;

	/* RFC 8201 4: never below the IPv6 minimum link MTU; a report never
	 * raises the estimate */
	if (mtu < IP6_MIN_MTU)
		mtu = IP6_MIN_MTU;
	if (mtu >= ipv6_pmtu(s, dst) || st->n_pmtu == 0)
		return;
	e = pmtu_find(s, dst);
	if (!e) {
		for (i = 0; i < st->n_pmtu; i++) {
			struct pmtu6_ent *x = &st->pmtu[i];
			if (!x->mtu || s->now >= x->expires) {
				e = x;
				break;
			}
			if (!e || x->expires < e->expires)
				e = x;
		}
		if (e->mtu && s->now < e->expires)
			CTR_INC(s, ip6_pmtu_evict);
		mem_copy(e->dst, dst, 16);
	}
	e->mtu = mtu;
	e->expires = s->now + s->cfg.pmtu6_timeout_ns;
	CTR_INC(s, ip6_pmtu_update);
}

axip_u32 axip_pmtu6_get(struct axip_stack *s, const axip_u8 dst[AXIP_IP6_LEN])
{
	if (!s || !dst || !s->ip6)
		return 0;
	return ipv6_pmtu(s, dst);
}

/* ---- output ---- */

int ipv6_output(struct axip_stack *s, struct axip_pkt *p, const axip_u8 *src,
                const axip_u8 dst[16], axip_u8 proto, axip_u8 hop_limit, axip_u32 flags)
{
	axip_u8 nexthop[16], rsrc[16];
	axip_u32 plen, mtu;
	axip_u8 *h;

	if (ipv6_route(s, dst, nexthop, rsrc) != AXIP_OK || (!src && addr_zero(rsrc))) {
		CTR_INC(s, ip6_tx_no_route);
		axip_pkt_free(s, p);
		return AXIP_E_UNREACH;
	}
	if (!src)
		src = rsrc;
	plen = axip_pkt_chain_len(p);
	mtu = ip6_is_multicast(dst) ? s->cfg.mtu : ipv6_pmtu(s, dst);
	/* the payload length is 16 bits: jumbograms (RFC 2675) are not sent */
	if (plen > 0xffffu || ((flags & IPV6_TX_DONTFRAG) && plen + IP6_HLEN > mtu &&
	                       !(p->flags & AXIP_PKT_TX_TSO))) {
		CTR_INC(s, ip6_tx_too_big);
		axip_pkt_free(s, p);
		return AXIP_E_MSGSIZE;
	}
	h = pkt_push(p, IP6_HLEN);
	if (!h) {
		CTR_INC(s, ip6_tx_no_headroom);
		axip_pkt_free(s, p);
		return AXIP_E_INVAL;
	}
	/* version 6, traffic class 0, flow label 0 (RFC 6437 allows zero) */
	store_be32(h + IP6_OFF_VTF, 0x60000000u);
	store_be16(h + IP6_OFF_PLEN, (axip_u16)plen);
	h[IP6_OFF_NH] = proto;
	h[IP6_OFF_HOPS] = hop_limit ? hop_limit : s->cfg.ip6_hop_limit;
	mem_copy(h + IP6_OFF_SRC, src, 16);
	mem_copy(h + IP6_OFF_DST, dst, 16);
	CTR_INC(s, ip6_tx);
	if (plen + IP6_HLEN > mtu && !(p->flags & AXIP_PKT_TX_TSO))
		return ip6_frag_output(s, p, nexthop, mtu, s->ip6->next_id++);
	nd6_output(s, p, nexthop);
	return AXIP_OK;
}

/* ---- input ---- */

static void input(struct axip_stack *s, struct axip_pkt *p);

static void drop(struct axip_stack *s, struct axip_pkt *p)
{
	axip_pkt_free(s, p);
}

/* A Parameter Problem about p (p->data at its IPv6 header), then drop it. */
static void param_problem(struct axip_stack *s, struct axip_pkt *p, axip_u8 code, axip_u32 ptr)
{
	icmp6_send_error(s, p->data, p->len, p->sg_next, ICMP6_PARAM_PROBLEM, code, ptr);
	drop(s, p);
}

/* Make the first n bytes contiguous; 0 when done, else the drop is counted
 * (not freed). */
static int ensure(struct axip_stack *s, struct axip_pkt *p, axip_u32 n, axip_u32 chain)
{
	if (n > chain) {
		CTR_INC(s, ip6_rx_bad_ext);
		return -1;
	}
	if (p->len >= n || pkt_linearize(s, p, n) == 0)
		return 0;
	CTR_INC(s, eth_rx_sg_unsupported);
	return -1;
}

/*
 * RFC 8200 4.2: the TLV options of a hop-by-hop or destination options
 * header at [off, off + len). Pad1 and PadN are skipped; axip acts on no
 * other option, so every other one is unrecognised and handled by the two
 * high-order bits of its type: 00 skip, 01 discard, 10 discard and send a
 * Parameter Problem code 2 even to a multicast destination, 11 the same only
 * for a unicast destination. 0 = carry on; -1 = p was consumed.
 */
static int options(struct axip_stack *s, struct axip_pkt *p, axip_u32 off, axip_u32 len,
                   int dst_mcast)
{
	const axip_u8 *h = p->data;
	axip_u32 i = off + 2u, end = off + len;
	while (i < end) {
		axip_u8 t = h[i];
		axip_u32 ol;
		if (t == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (i + 2u > end || i + 2u + h[i + 1] > end) {
			/* an option running past its header */
			CTR_INC(s, ip6_rx_bad_ext);
			drop(s, p);
			return -1;
		}
		ol = 2u + h[i + 1];
		if (t != 1u) { /* not PadN */
			switch (t >> 6) {
			case 0:
				break;
			case 1:
				CTR_INC(s, ip6_rx_bad_opt);
				drop(s, p);
				return -1;
			case 2:
				CTR_INC(s, ip6_rx_bad_opt);
				param_problem(s, p, ICMP6_CODE_BAD_OPTION, i);
				return -1;
			default:
				CTR_INC(s, ip6_rx_bad_opt);
				if (dst_mcast)
					drop(s, p);
				else
					param_problem(s, p, ICMP6_CODE_BAD_OPTION, i);
				return -1;
			}
		}
		i += ol;
	}
	return 0;
}

/* Least upper-layer header a first fragment must carry (RFC 7112 5). */
static axip_u32 ulh_min(axip_u8 nh)
{
	switch (nh) {
	case IP6_NH_TCP: return 20u;
	case IP6_NH_UDP: return 8u;
	case IP6_NH_ICMP6: return 4u;
	default: return 0;
	}
}

/*
 * RFC 7112 5: does a first fragment hold the rest of the header chain, from
 * `off` (next header nh), and the upper-layer header, within its `chain`
 * bytes? The headers are read with axip_pkt_copy_out (no linearizing).
 */
static int chain_complete(const struct axip_pkt *p, axip_u32 off, axip_u8 nh, axip_u32 chain)
{
	axip_u32 n;
	for (n = 0; n < IP6_MAX_EXT; n++) {
		axip_u8 e[2];
		if (nh != IP6_NH_HOPOPTS && nh != IP6_NH_ROUTING && nh != IP6_NH_DSTOPTS)
			return off + ulh_min(nh) <= chain;
		if (axip_pkt_copy_out(p, off, e, 2) != 2)
			return 0;
		off += ((axip_u32)e[1] + 1u) * 8u;
		if (off > chain)
			return 0;
		nh = e[0];
	}
	return 0;
}

static void deliver(struct axip_stack *s, struct axip_pkt *p, axip_u32 off, axip_u8 nh,
                    int reassembled, int dst_tentative)
{
	struct ipv6_rx_info info;
	const axip_u8 *h = p->data;

	info.hdr = h;
	info.hdr_len = off;
	mem_copy(info.src, h + IP6_OFF_SRC, 16);
	mem_copy(info.dst, h + IP6_OFF_DST, 16);
	info.proto = nh;
	info.hop_limit = h[IP6_OFF_HOPS];
	info.dst_multicast = (axip_u8)ip6_is_multicast(info.dst);
	info.reassembled = (axip_u8)reassembled;
	info.l4_csum_ok = (axip_u8)(!reassembled && (p->flags & AXIP_PKT_RX_L4_CSUM_OK));
	if (dst_tentative && nh != IP6_NH_ICMP6) {
		/* RFC 4862 5.4: only ND may reach a tentative address */
		CTR_INC(s, ip6_rx_not_for_us);
		drop(s, p);
		return;
	}
	pkt_pull(p, off);
	if (nh == IP6_NH_UDP)
		udp6_input(s, p, &info);
	else if (nh == IP6_NH_TCP)
		tcp6_input(s, p, &info);
	else
		icmp6_input(s, p, &info);
}

/*
 * The extension header walk (RFC 8200 4, 4.1 order) from the end of the
 * IPv6 header to the upper-layer header. p->data at the IPv6 header, chain
 * trimmed to the datagram. Consumes p.
 */
static void walk(struct axip_stack *s, struct axip_pkt *p, int reassembled, int dst_tentative)
{
	axip_u32 chain = axip_pkt_chain_len(p);
	axip_u32 off = IP6_HLEN, nh_off = IP6_OFF_NH, n_ext = 0, len;
	int dst_mcast = ip6_is_multicast(p->data + IP6_OFF_DST);
	axip_u8 nh = p->data[IP6_OFF_NH];
	const axip_u8 *h;

	for (;;) {
		if (nh == IP6_NH_HOPOPTS || nh == IP6_NH_DSTOPTS || nh == IP6_NH_ROUTING ||
		    nh == IP6_NH_FRAGMENT) {
			if (++n_ext > IP6_MAX_EXT) {
				CTR_INC(s, ip6_rx_ext_too_many);
				drop(s, p);
				return;
			}
		}
		switch (nh) {
		case IP6_NH_HOPOPTS:
			if (off != IP6_HLEN) {
				/* RFC 8200 4.1: only right after the IPv6 header; anywhere
				 * else it is an unrecognised next header */
				CTR_INC(s, ip6_rx_hbh_not_first);
				param_problem(s, p, ICMP6_CODE_BAD_NH, nh_off);
				return;
			}
			/* fall through */
		case IP6_NH_DSTOPTS:
			if (ensure(s, p, off + 2u, chain) != 0) {
				drop(s, p);
				return;
			}
			len = ((axip_u32)p->data[off + 1] + 1u) * 8u;
			if (ensure(s, p, off + len, chain) != 0) {
				drop(s, p);
				return;
			}
			if (options(s, p, off, len, dst_mcast) != 0)
				return;
			break;
		case IP6_NH_ROUTING:
			if (ensure(s, p, off + 8u, chain) != 0) {
				drop(s, p);
				return;
			}
			len = ((axip_u32)p->data[off + 1] + 1u) * 8u;
			if (ensure(s, p, off + len, chain) != 0) {
				drop(s, p);
				return;
			}
			/* RFC 8200 4.4: a host processes no routing type (RFC 5095 3:
			 * type 0 counts as unrecognised). With segments left 0 the
			 * header is ignored; otherwise Parameter Problem code 0 at the
			 * routing type. */
			if (p->data[off + 3] != 0) {
				CTR_INC(s, ip6_rx_routing);
				param_problem(s, p, ICMP6_CODE_BAD_FIELD, off + 2u);
				return;
			}
			break;
		case IP6_NH_FRAGMENT: {
			axip_u16 fo;
			axip_u32 flen;
			if (ensure(s, p, off + IP6_FRAG_HLEN, chain) != 0) {
				drop(s, p);
				return;
			}
			h = p->data;
			fo = load_be16(h + off + 2u);
			len = IP6_FRAG_HLEN;
			if ((fo & (IP6_FRAG_OFF_MASK | IP6_FRAG_M)) == 0) {
				/* RFC 6946 4: an atomic fragment is processed as a
				 * whole datagram, outside any reassembly */
				CTR_INC(s, ip6_rx_atomic_frag);
				break;
			}
			if (reassembled) {
				/* a fragment header inside a reassembled datagram */
				CTR_INC(s, ip6_frag_bad);
				drop(s, p);
				return;
			}
			flen = chain - off - IP6_FRAG_HLEN;
			/* RFC 8200 4.5: a fragment that is not the last must carry a
			 * multiple of 8 octets (pointer: payload length) ... */
			if ((fo & IP6_FRAG_M) && (flen & 7u) != 0) {
				CTR_INC(s, ip6_frag_bad);
				param_problem(s, p, ICMP6_CODE_BAD_FIELD, IP6_OFF_PLEN);
				return;
			}
			/* ... and none may end past 65535 (pointer: fragment offset) */
			if ((axip_u32)(fo & IP6_FRAG_OFF_MASK) + flen > 0xffffu) {
				CTR_INC(s, ip6_frag_bad);
				param_problem(s, p, ICMP6_CODE_BAD_FIELD, off + 2u);
				return;
			}
			/* RFC 7112 5: the first fragment carries the whole chain */
			if ((fo & IP6_FRAG_OFF_MASK) == 0 &&
			    !chain_complete(p, off + IP6_FRAG_HLEN, h[off], chain)) {
				CTR_INC(s, ip6_frag_no_ulh);
				param_problem(s, p, ICMP6_CODE_INCOMPLETE_CHAIN, 0);
				return;
			}
			p = ip6_frag_input(s, s->ip6->frag, p, off, nh_off);
			if (p)
				walk(s, p, 1, dst_tentative);
			return;
		}
		case IP6_NH_NONE:
			CTR_INC(s, ip6_rx_no_next);
			drop(s, p);
			return;
		case IP6_NH_ICMP6:
		case IP6_NH_UDP:
		case IP6_NH_TCP:
			deliver(s, p, off, nh, reassembled, dst_tentative);
			return;
		default:
			/* RFC 8200 4: unrecognised next header: Parameter Problem
			 * code 1 pointing at it */
			CTR_INC(s, ip6_rx_unknown_nh);
			if (dst_mcast)
				drop(s, p);
			else
				param_problem(s, p, ICMP6_CODE_BAD_NH, nh_off);
			return;
		}
		nh_off = off;
		nh = p->data[off];
		off += len;
	}
}

/* Is dst ours: a unicast address (*tentative set when still under DAD), the
 * all-nodes group, or the solicited-node group of one of our addresses. */
static int dst_accept(struct axip_stack *s, const axip_u8 *dst, int *tentative)
{
	const struct ip6_ifaddr *e;
	axip_u32 i;
	*tentative = 0;
	if (ip6_is_multicast(dst)) {
		axip_u8 g[16];
		static const axip_u8 all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0,
		                                      0, 0, 0, 0, 0, 0, 0, 1};
		if (mem_equal(dst, all_nodes, 16))
			return 1;
		for (i = 0; i < ipv6_n_ifaddrs(s); i++) {
			if (s->ip6->addrs[i].state == AXIP_IP6_DUPLICATE)
				continue;
			ip6_solicited_node(g, s->ip6->addrs[i].addr);
			if (mem_equal(dst, g, 16))
				return 1;
		}
		return 0;
	}
	e = ipv6_ifaddr_find(s, dst);
	if (!e || e->state == AXIP_IP6_DUPLICATE)
		return 0;
	*tentative = e->state == AXIP_IP6_TENTATIVE;
	return 1;
}

int ipv6_rx_ll_multicast(const struct axip_stack *s)
{
	return s->ip6 && s->ip6->rx_ll_mcast;
}

void ipv6_input(struct axip_stack *s, struct axip_pkt *p)
{
	s->ip6->rx_ll_mcast = (axip_u8)(p->cb[0] & 1u);
	s->ip6->rx_looped = (axip_u8)((p->cb[0] >> 1) & 1u);
	input(s, p);
	s->ip6->rx_ll_mcast = 0;
	s->ip6->rx_looped = 0;
}

int ipv6_rx_looped(const struct axip_stack *s)
{
	return s->ip6 && s->ip6->rx_looped;
}

static void input(struct axip_stack *s, struct axip_pkt *p)
{
	axip_u32 chain = axip_pkt_chain_len(p), plen;
	const axip_u8 *h;
	int tentative;

	CTR_INC(s, ip6_rx);
	if (chain < IP6_HLEN) {
		CTR_INC(s, ip6_rx_short);
		drop(s, p);
		return;
	}
	if (p->len < IP6_HLEN && pkt_linearize(s, p, IP6_HLEN) != 0) {
		CTR_INC(s, eth_rx_sg_unsupported);
		drop(s, p);
		return;
	}
	h = p->data;
	if ((h[IP6_OFF_VTF] >> 4) != 6u) {
		CTR_INC(s, ip6_rx_bad_version);
		drop(s, p);
		return;
	}
	plen = load_be16(h + IP6_OFF_PLEN);
	if (plen + IP6_HLEN > chain) {
		CTR_INC(s, ip6_rx_bad_len);
		drop(s, p);
		return;
	}
	/* bytes past the payload length (Ethernet padding) are not data */
	if (chain > plen + IP6_HLEN)
		pkt_trim(s, p, plen + IP6_HLEN);
	/* RFC 4291 2.7: a multicast address is never a source; ::1 never
	 * arrives on a link (2.5.3); our own address as a source is a looped or
	 * forged packet, unless the address is tentative (a DAD defender may
	 * advertise it) */
	if (ip6_is_multicast(h + IP6_OFF_SRC) || ip6_is_loopback(h + IP6_OFF_SRC) ||
	    ipv6_is_local(s, h + IP6_OFF_SRC)) {
		CTR_INC(s, ip6_rx_bad_src);
		drop(s, p);
		return;
	}
	if (!dst_accept(s, h + IP6_OFF_DST, &tentative)) {
		/* a host does not forward (RFC 8200 3, RFC 4861 3.1) */
		CTR_INC(s, ip6_rx_not_for_us);
		drop(s, p);
		return;
	}
	walk(s, p, 0, tentative);
}
