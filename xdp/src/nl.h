/*
 * nl.h - what the backend reads from the kernel over rtnetlink (libmnl):
 * the interface's MAC, MTU and IPv4 address, the default gateway, and the
 * neighbour table; and a request that the kernel resolve a neighbour.
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

#endif
