/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nl.h - what the backend reads from the kernel over rtnetlink (libmnl):
 * the interface's MAC, MTU, IPv4 address and IPv6 addresses, the default
 * gateways, and the neighbour tables; and a request that the kernel resolve
 * a neighbour. Over
 * generic netlink: the device's AF_XDP (xsk) features.
 */
#ifndef AXIP_XDP_NL_H
#define AXIP_XDP_NL_H

#include <stddef.h>
#include <stdint.h>

/* IPv6 addresses kept from the interface (the rest are ignored, counted in
 * struct nl_addrs6.dropped). */
#define NL_MAX_ADDRS6 8

struct nl_addr6 {
	uint8_t addr[16];   /* network order */
	uint8_t prefix_len;
};

/* The interface's usable IPv6 addresses: not DAD-failed, not deprecated
 * (IFA_F_DADFAILED, IFA_F_DEPRECATED); a tentative one is kept (the kernel
 * is still checking it and keeps it unless DAD fails). */
struct nl_addrs6 {
	int has_linklocal;
	uint8_t linklocal[16];           /* the first fe80::/10 address */
	unsigned n;                      /* global (and unique local) addresses */
	struct nl_addr6 a[NL_MAX_ADDRS6];
	unsigned dropped;                /* beyond NL_MAX_ADDRS6 */
};

struct nl_ifinfo {
	int ifindex;
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t addr;      /* host order; 0 if the interface has no IPv4 address */
	uint8_t prefix_len;
	uint32_t gateway;   /* host order; 0 if no default route leaves through it */
	struct nl_addrs6 a6;
	uint8_t gateway6[16]; /* IPv6 default router through it; all-zero if none */
};

int nl_get_ifinfo(const char *ifname, struct nl_ifinfo *out, char *err, size_t errlen);

/* Read only the IPv6 addresses of ifindex (after an address event). */
int nl_get_addrs6(int ifindex, struct nl_addrs6 *out);

/* Call fn for every neighbour of ifindex with a link-layer address that the
 * kernel considers usable (REACHABLE, STALE, DELAY, PROBE, PERMANENT). */
int nl_for_each_neigh(int ifindex, void (*fn)(void *arg, uint32_t addr, const uint8_t mac[6]),
                      void *arg);
/* The same for the IPv6 neighbour table (addr in network order). */
int nl_for_each_neigh6(int ifindex,
                       void (*fn)(void *arg, const uint8_t addr[16], const uint8_t mac[6]),
                       void *arg);

/* A neighbour message (dump answer or RTNLGRP_NEIGH event) about ifindex
 * with a usable link-layer address, in the states above: returns AF_INET
 * (addr holds 4 bytes) or AF_INET6 (16 bytes), network order, with mac; 0
 * for anything else. */
struct nlmsghdr;
int nl_parse_neigh(const struct nlmsghdr *nlh, int ifindex, uint8_t addr[16], uint8_t mac[6]);

/* Ask the kernel to resolve addr on ifindex (RTM_NEWNEIGH with NTF_USE): in
 * shared-address mode ARP replies go to the kernel, which owns the address. */
int nl_neigh_resolve(int ifindex, uint32_t addr);
/* The same for an IPv6 neighbour (network order): NS/NA go to the kernel. */
int nl_neigh_resolve6(int ifindex, const uint8_t addr[16]);

/* AF_XDP features of ifindex from the generic-netlink "netdev" family
 * (NETDEV_CMD_DEV_GET, attribute NETDEV_A_DEV_XSK_FEATURES). On success
 * returns 0 and *flags holds the kernel's bits (NL_XSK_TX_TIMESTAMP,
 * NL_XSK_TX_CHECKSUM); a negative errno when the family or the attribute is
 * missing (kernels before 6.8) or the query fails, *flags then 0. */
#define NL_XSK_TX_TIMESTAMP 1ull /* NETDEV_XSK_FLAGS_TX_TIMESTAMP */
#define NL_XSK_TX_CHECKSUM  2ull /* NETDEV_XSK_FLAGS_TX_CHECKSUM */
int nl_get_xsk_features(int ifindex, uint64_t *flags);

#endif
