/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * neigh.c - neighbours in shared-address mode. The kernel owns the address
 * and answers (and receives) ARP, so the core's neighbour cache is fed from
 * the kernel's: seeded at start, updated from RTNLGRP_NEIGH events, and when
 * the core sends an ARP request the kernel is asked to resolve the same
 * address (its reply reaches the kernel, whose new entry then reaches us).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "xdp_internal.h"

#define NL_BUF 16384

static void neigh_set(void *arg, uint32_t addr, const uint8_t mac[6])
{
	struct axip_xdp_worker *w = arg;
	if (axip_neigh_set(w->stack, addr, mac, 0) == AXIP_OK)
		w->ctr.neigh_updates++;
}

void neigh_seed(struct axip_xdp_worker *w)
{
	(void)nl_for_each_neigh(w->x->ifi.ifindex, neigh_set, w);
}

int neigh_worker_open(struct axip_xdp_worker *w)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, RTMGRP_NEIGH, MNL_SOCKET_AUTOPID) < 0) {
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
	struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	uint32_t dst = 0;
	const uint8_t *mac = NULL;
	if (nlh->nlmsg_type != RTM_NEWNEIGH || nd->ndm_family != AF_INET ||
	    nd->ndm_ifindex != w->x->ifi.ifindex)
		return MNL_CB_OK;
	if (!(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*nd)) {
		if (mnl_attr_get_type(a) == NDA_DST && mnl_attr_get_payload_len(a) == 4)
			memcpy(&dst, mnl_attr_get_payload(a), 4);
		else if (mnl_attr_get_type(a) == NDA_LLADDR && mnl_attr_get_payload_len(a) == 6)
			mac = mnl_attr_get_payload(a);
	}
	if (dst && mac)
		neigh_set(w, ntohl(dst), mac);
	return MNL_CB_OK;
}

void neigh_events(struct axip_xdp_worker *w)
{
	ssize_t n;
	if (!w->nl_sock)
		return;
	while ((n = mnl_socket_recvfrom(w->nl_sock, w->nl_buf, NL_BUF)) > 0)
		(void)mnl_cb_run(w->nl_buf, (size_t)n, 0, 0, event_cb, w);
	if (n < 0 && errno == ENOBUFS) /* events lost: read the whole table again */
		neigh_seed(w);
}

/* Called for every transmitted frame: remember the target of an ARP request. */
void neigh_note_tx(struct axip_xdp_worker *w, const struct axip_pkt *p)
{
	const uint8_t *d = p->data;
	uint32_t tpa, i;
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
	w->n_neigh_pending = 0;
	neigh_seed(w); /* the kernel may have had it all along */
}
