/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fixture.h - the single instance most unit tests start from (hosted code,
 * on test/sim's sim_single): host FIX_ADDR (10.0.0.1/24) with MAC FIX_MAC,
 * no gratuitous ARP, and its peer FIX_PEER_ADDR (10.0.0.2, FIX_PEER_MAC)
 * already in the neighbour cache so that replies leave at once.
 *
 *   fixture_cfg(&c)            the configuration, to adjust before use
 *   fixture_host_cfg(&c, caps) an instance of c with environment caps `caps`
 *   fixture_host(caps)         an instance of the plain configuration
 *   fixture_ctr(h)             its counters
 */
#ifndef AXIP_TEST_FIXTURE_H
#define AXIP_TEST_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <axip/axip.h>
#include "sim.h"

#define FIX_ADDR AXIP_IP4(10, 0, 0, 1)
#define FIX_PEER_ADDR AXIP_IP4(10, 0, 0, 2)
#define FIX_MAC { 2, 0, 0, 0, 0, 1 }
#define FIX_PEER_MAC { 2, 0, 0, 0, 0, 2 }

static inline void fixture_cfg(struct axip_config *c)
{
	static const axip_u8 mac[6] = FIX_MAC;
	axip_config_defaults(c);
	memcpy(c->mac, mac, 6);
	c->n_addrs = 1;
	c->addrs[0].addr = FIX_ADDR;
	c->addrs[0].prefix_len = 24;
	c->arp_gratuitous = 0;
}

static inline struct sim_single *fixture_host_cfg(const struct axip_config *c, uint32_t caps)
{
	static const axip_u8 peer_mac[6] = FIX_PEER_MAC;
	struct sim_single *h = sim_single_new(c, caps);
	if (axip_neigh_set(sim_single_stack(h), FIX_PEER_ADDR, peer_mac, 1) != AXIP_OK) {
		fprintf(stderr, "axip_neigh_set failed\n");
		abort();
	}
	return h;
}

static inline struct sim_single *fixture_host(uint32_t caps)
{
	struct axip_config c;
	fixture_cfg(&c);
	return fixture_host_cfg(&c, caps);
}

static inline const struct axip_counters *fixture_ctr(struct sim_single *h)
{
	return axip_counters(sim_single_stack(h));
}

#endif
