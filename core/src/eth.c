/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eth.c - Ethernet II framing: accept our MAC and broadcast, dispatch by type.
 */
#include "stack_internal.h"
#include "wire.h"
#include "arp.h"
#include "ipv4.h"
#include "ipv6.h"

static const axip_u8 eth_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void eth_input(struct axip_stack *s, struct axip_pkt *p)
{
	axip_u16 type;
	const axip_u8 *h;

	if (p->len < ETH_HLEN) {
		/* headers must sit in the first buffer of a multi-buffer frame */
		CTR_INC(s, eth_rx_short);
		axip_pkt_free(s, p);
		return;
	}
	h = p->data;
	/* with IPv6, also the 33:33 group MACs (RFC 2464 7); ipv6_input checks
	 * the group itself */
	if (!mem_equal(h + ETH_OFF_DST, s->cfg.mac, 6) && !mem_equal(h + ETH_OFF_DST, eth_broadcast, 6) &&
	    !(s->ip6 && h[ETH_OFF_DST] == 0x33u && h[ETH_OFF_DST + 1] == 0x33u)) {
		CTR_INC(s, eth_rx_not_for_us);
		axip_pkt_free(s, p);
		return;
	}
	type = load_be16(h + ETH_OFF_TYPE);
	pkt_pull(p, ETH_HLEN);
	switch (type) {
	case ETH_TYPE_IPV4:
		ipv4_input(s, p);
		return;
	case ETH_TYPE_ARP:
		arp_input(s, p);
		return;
	case ETH_TYPE_IPV6:
		if (s->ip6) {
			/* RFC 4443 2.4 (e.4) needs to know a group frame, DAD a
			 * reflected one (RFC 4862 5.4.3) */
			p->cb[0] = (h[ETH_OFF_DST] & 1u) |
			           (mem_equal(h + ETH_OFF_SRC, s->cfg.mac, 6) ? 2u : 0u);
			ipv6_input(s, p);
			return;
		}
		CTR_INC(s, eth_rx_unknown_type);
		break;
	case ETH_TYPE_VLAN:
	case ETH_TYPE_QINQ:
		CTR_INC(s, eth_rx_vlan);
		break;
	default:
		CTR_INC(s, eth_rx_unknown_type);
		break;
	}
	axip_pkt_free(s, p);
}

void eth_output(struct axip_stack *s, struct axip_pkt *p, const axip_u8 dst[6], axip_u16 type)
{
	axip_u8 *h = pkt_push(p, ETH_HLEN);
	if (!h) {
		/* every sender reserves AXIP_PKT_HEADROOM; reaching this is a bug
		 * upstream, counted rather than crashing */
		CTR_INC(s, tx_env_drop);
		axip_pkt_free(s, p);
		return;
	}
	mem_copy(h + ETH_OFF_DST, dst, 6);
	mem_copy(h + ETH_OFF_SRC, s->cfg.mac, 6);
	store_be16(h + ETH_OFF_TYPE, type);
	stack_tx(s, p);
}
