/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * neigh.c - neighbours and addresses in shared-address mode. The kernel owns
 * the addresses and answers (and receives) ARP and neighbour discovery, so
 * the core's neighbour caches (IPv4 and IPv6) are fed from the kernel's:
 * seeded at start, updated from RTNLGRP_NEIGH events, and when the core
 * sends an ARP request or a neighbour solicitation the kernel is asked to
 * resolve the same address (the answer reaches the kernel, whose new entry
 * then reaches us). With IPv6 shared, RTNLGRP_IPV6_IFADDR events make the
 * core and the steering program follow the interface's IPv6 addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <axip/ipv6.h>
#include "xdp_internal.h"

#define NL_BUF 16384

static void neigh_set(void *arg, uint32_t addr, const uint8_t mac[6])
{
	struct axip_xdp_worker *w = arg;
	if (axip_neigh_set(w->stack, addr, mac, 0) == AXIP_OK)
		w->ctr.neigh_updates++;
}

static void neigh6_set(void *arg, const uint8_t addr[16], const uint8_t mac[6])
{
	struct axip_xdp_worker *w = arg;
	if (axip_neigh6_set(w->stack, addr, mac, 0) == AXIP_OK)
		w->ctr.neigh_updates++;
}

void neigh_seed(struct axip_xdp_worker *w)
{
	if (w->x->shared4)
		(void)nl_for_each_neigh(w->x->ifi.ifindex, neigh_set, w);
	if (w->x->shared6)
		(void)nl_for_each_neigh6(w->x->ifi.ifindex, neigh6_set, w);
}

int neigh_worker_open(struct axip_xdp_worker *w)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, RTMGRP_NEIGH | (w->x->shared6 ? RTMGRP_IPV6_IFADDR : 0),
	                    MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		return -e;
	}
	w->nl_buf = malloc(NL_BUF);
	if (!w->nl_buf) {
		mnl_socket_close(nl);
		return -ENOMEM;
	}
	w->nl_sock = nl;
	w->nl_fd = mnl_socket_get_fd(nl);
	return 0;
}

void neigh_worker_close(struct axip_xdp_worker *w)
{
	if (w->nl_sock)
		mnl_socket_close(w->nl_sock);
	free(w->nl_buf);
	w->nl_sock = NULL;
	w->nl_buf = NULL;
	w->nl_fd = -1;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct axip_xdp_worker *w = data;
	uint8_t addr[16], mac[6];
	uint32_t a4;
	if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
		if (ifa->ifa_family == AF_INET6 && (int)ifa->ifa_index == w->x->ifi.ifindex)
			w->addrs6_changed = 1;
		return MNL_CB_OK;
	}
	switch (nl_parse_neigh(nlh, w->x->ifi.ifindex, addr, mac)) {
	case AF_INET:
		memcpy(&a4, addr, 4);
		if (w->x->shared4 && a4)
			neigh_set(w, ntohl(a4), mac);
		break;
	case AF_INET6:
		if (w->x->shared6)
			neigh6_set(w, addr, mac);
		break;
	}
	return MNL_CB_OK;
}

void neigh_events(struct axip_xdp_worker *w)
{
	ssize_t n;
	if (!w->nl_sock)
		return;
	while ((n = mnl_socket_recvfrom(w->nl_sock, w->nl_buf, NL_BUF)) > 0)
		(void)mnl_cb_run(w->nl_buf, (size_t)n, 0, 0, event_cb, w);
	if (n < 0 && errno == ENOBUFS) { /* events lost: read everything again */
		neigh_seed(w);
		w->addrs6_changed = w->x->shared6;
	}
	if (w->addrs6_changed) {
		w->addrs6_changed = 0;
		addrs6_follow(w);
	}
}

/* A neighbour solicitation (RFC 4861 4.3): EtherType 0x86DD, next header
 * 58 (no extension headers: the core sends none), ICMPv6 type 135; the
 * target at 14 + 40 + 8. */
static void note_ns(struct axip_xdp_worker *w, const uint8_t *d, uint32_t len)
{
	uint32_t i;
	if (len < 14 + 40 + 24 || d[20] != 58 || d[54] != 135)
		return;
	for (i = 0; i < w->n_neigh6_pending; i++)
		if (!memcmp(w->neigh6_pending[i], d + 62, 16))
			return;
	if (w->n_neigh6_pending < NEIGH_PENDING_MAX)
		memcpy(w->neigh6_pending[w->n_neigh6_pending++], d + 62, 16);
}

/* Called for every transmitted frame: remember the target of an ARP request
 * or of a neighbour solicitation. */
void neigh_note_tx(struct axip_xdp_worker *w, const struct axip_pkt *p)
{
	const uint8_t *d = p->data;
	uint32_t tpa, i;
	if (p->len >= 14 && d[12] == 0x86 && d[13] == 0xdd) {
		if (w->x->shared6)
			note_ns(w, d, p->len);
		return;
	}
	if (!w->x->shared4)
		return;
	/* Ethernet/IPv4 ARP request (RFC 826): EtherType 0x0806, op 1, TPA at 14+24 */
	if (p->len < 14 + 28 || d[12] != 0x08 || d[13] != 0x06 || d[20] != 0 || d[21] != 1)
		return;
	tpa = (uint32_t)d[38] << 24 | (uint32_t)d[39] << 16 | (uint32_t)d[40] << 8 | d[41];
	for (i = 0; i < w->n_neigh_pending; i++)
		if (w->neigh_pending[i] == tpa)
			return;
	if (w->n_neigh_pending < NEIGH_PENDING_MAX)
		w->neigh_pending[w->n_neigh_pending++] = tpa;
}

void neigh_resolve_pending(struct axip_xdp_worker *w)
{
	uint32_t i;
	for (i = 0; i < w->n_neigh_pending; i++) {
		w->ctr.neigh_resolve_req++;
		(void)nl_neigh_resolve(w->x->ifi.ifindex, w->neigh_pending[i]);
	}
	for (i = 0; i < w->n_neigh6_pending; i++) {
		w->ctr.neigh_resolve_req++;
		(void)nl_neigh_resolve6(w->x->ifi.ifindex, w->neigh6_pending[i]);
	}
	w->n_neigh_pending = 0;
	w->n_neigh6_pending = 0;
	neigh_seed(w); /* the kernel may have had it all along */
}
