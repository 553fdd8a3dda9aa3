/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nl.h - what the backend reads from the kernel over rtnetlink (libmnl):
 * the interface's MAC, MTU and IPv4 address, the default gateway, and the
 * neighbour table; and a request that the kernel resolve a neighbour. Over
 * generic netlink: the device's AF_XDP (xsk) features.
 */
#ifndef AXIP_XDP_NL_H
#define AXIP_XDP_NL_H

#include <stddef.h>
#include <stdint.h>

struct nl_ifinfo {
	int ifindex;
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t addr;      /* host order; 0 if the interface has no IPv4 address */
	uint8_t prefix_len;
	uint32_t gateway;   /* host order; 0 if no default route leaves through it */
};

int nl_get_ifinfo(const char *ifname, struct nl_ifinfo *out, char *err, size_t errlen);

/* Call fn for every neighbour of ifindex with a link-layer address that the
 * kernel considers usable (REACHABLE, STALE, DELAY, PROBE, PERMANENT). */
int nl_for_each_neigh(int ifindex, void (*fn)(void *arg, uint32_t addr, const uint8_t mac[6]),
                      void *arg);

/* Ask the kernel to resolve addr on ifindex (RTM_NEWNEIGH with NTF_USE): in
 * shared-address mode ARP replies go to the kernel, which owns the address. */
int nl_neigh_resolve(int ifindex, uint32_t addr);

/* AF_XDP features of ifindex from the generic-netlink "netdev" family
 * (NETDEV_CMD_DEV_GET, attribute NETDEV_A_DEV_XSK_FEATURES). On success
 * returns 0 and *flags holds the kernel's bits (NL_XSK_TX_TIMESTAMP,
 * NL_XSK_TX_CHECKSUM); a negative errno when the family or the attribute is
 * missing (kernels before 6.8) or the query fails, *flags then 0. */
#define NL_XSK_TX_TIMESTAMP 1ull /* NETDEV_XSK_FLAGS_TX_TIMESTAMP */
#define NL_XSK_TX_CHECKSUM  2ull /* NETDEV_XSK_FLAGS_TX_CHECKSUM */
int nl_get_xsk_features(int ifindex, uint64_t *flags);

#endif
