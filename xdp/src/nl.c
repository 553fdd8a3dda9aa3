/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nl.c - rtnetlink and generic-netlink (netdev family) queries through libmnl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "nl.h"
#include "util.h"

struct nl_req {
	struct mnl_socket *nl;
	unsigned seq, portid;
	char buf[16384];
};

static int nl_open_bus(struct nl_req *r, int bus)
{
	r->nl = mnl_socket_open(bus);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(r->nl);
		return -e;
	}
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned)time(NULL);
	return 0;
}

static int nl_open(struct nl_req *r) { return nl_open_bus(r, NETLINK_ROUTE); }

/* Send the request in r->buf and run cb over the answer. */
static int nl_talk(struct nl_req *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	/* the answer lands in r->buf, over the request: keep what we need of it */
	int single = !(nlh->nlmsg_flags & (NLM_F_DUMP | NLM_F_ACK));
	ssize_t n;
	int rc;
	nlh->nlmsg_seq = ++r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof r->buf);
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(r->buf, (size_t)n, r->seq, r->portid, cb, arg);
		if (rc < 0)
			return -errno;
		if (rc == MNL_CB_STOP || single)
			return 0; /* a plain GET is answered by one message, without DONE */
	}
}

struct link_ctx { struct nl_ifinfo *out; int found; };

static int link_attr(const struct nlattr *a, void *data)
{
	struct link_ctx *c = data;
	switch (mnl_attr_get_type(a)) {
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(a) == 6) {
			memcpy(c->out->mac, mnl_attr_get_payload(a), 6);
			c->found |= 1;
		}
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0) {
			c->out->mtu = mnl_attr_get_u32(a);
			c->found |= 2;
		}
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr, data);
	return MNL_CB_OK;
}

struct addr_ctx { struct nl_ifinfo *out; };

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_ctx *c = data;
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	uint32_t local = 0, address = 0;
	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != c->out->ifindex || c->out->addr)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_payload_len(a) != 4)
			continue;
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			memcpy(&local, mnl_attr_get_payload(a), 4);
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			memcpy(&address, mnl_attr_get_payload(a), 4);
	}
	if (!local)
		local = address;
	if (local) {
		c->out->addr = ntohl(local);
		c->out->prefix_len = ifa->ifa_prefixlen;
	}
	return MNL_CB_OK;
}

static int addr6_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ifinfo *out = data;
	struct nl_addrs6 *a6 = &out->a6;
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	const uint8_t *addr = NULL;
	uint32_t flags = ifa->ifa_flags;
	if (ifa->ifa_family != AF_INET6 || (int)ifa->ifa_index != out->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_ADDRESS && mnl_attr_get_payload_len(a) == 16)
			addr = mnl_attr_get_payload(a);
		else if (mnl_attr_get_type(a) == IFA_FLAGS && mnl_attr_get_payload_len(a) == 4)
			flags = mnl_attr_get_u32(a);
	}
	if (!addr || (flags & (IFA_F_DADFAILED | IFA_F_DEPRECATED)))
		return MNL_CB_OK;
	if (addr[0] == 0xff || (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80)) {
		if (addr[0] == 0xfe && !a6->has_linklocal) {
			memcpy(a6->linklocal, addr, 16);
			a6->has_linklocal = 1;
		}
		return MNL_CB_OK;
	}
	if (ifa->ifa_scope == RT_SCOPE_HOST || ifa->ifa_prefixlen == 0 || ifa->ifa_prefixlen > 128)
		return MNL_CB_OK;
	if (a6->n == NL_MAX_ADDRS6) {
		a6->dropped++;
		return MNL_CB_OK;
	}
	memcpy(a6->a[a6->n].addr, addr, 16);
	a6->a[a6->n].prefix_len = ifa->ifa_prefixlen;
	a6->n++;
	return MNL_CB_OK;
}

static int route6_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_ifinfo *out = data;
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	const uint8_t *gw = NULL;
	uint32_t table = rtm->rtm_table;
	int oif = 0;
	static const uint8_t zero[16];
	if (rtm->rtm_family != AF_INET6 || rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(a) == 16)
				gw = mnl_attr_get_payload(a);
			break;
		case RTA_OIF:
			oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			table = mnl_attr_get_u32(a);
			break;
		}
	}
	if (table == RT_TABLE_MAIN && oif == out->ifindex && gw &&
	    !memcmp(out->gateway6, zero, 16))
		memcpy(out->gateway6, gw, 16);
	return MNL_CB_OK;
}

struct route_ctx { struct nl_ifinfo *out; };

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_ctx *c = data;
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	uint32_t gw = 0, table = rtm->rtm_table;
	int oif = 0;
	if (rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_GATEWAY:
			if (mnl_attr_get_payload_len(a) == 4)
				memcpy(&gw, mnl_attr_get_payload(a), 4);
			break;
		case RTA_OIF:
			oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			table = mnl_attr_get_u32(a);
			break;
		}
	}
	if (table == RT_TABLE_MAIN && oif == c->out->ifindex && gw && !c->out->gateway)
		c->out->gateway = ntohl(gw);
	return MNL_CB_OK;
}

static struct nlmsghdr *dump_req(struct nl_req *r, int type, unsigned char family, size_t hdrlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct rtgenmsg *g;
	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	g = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	g->rtgen_family = family;
	return nlh;
}

int nl_get_ifinfo(const char *ifname, struct nl_ifinfo *out, char *err, size_t errlen)
{
	struct nl_req *r;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	int rc;
	memset(out, 0, sizeof *out);
	out->ifindex = (int)if_nametoindex(ifname);
	if (!out->ifindex) {
		xerr(err, errlen, "no interface named '%s' in this network namespace", ifname);
		return -ENODEV;
	}
	r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	rc = nl_open(r);
	if (rc) {
		xerr(err, errlen, "netlink: %s", strerror(-rc));
		free(r);
		return rc;
	}
	{
		struct link_ctx lc = { out, 0 };
		nlh = mnl_nlmsg_put_header(r->buf);
		nlh->nlmsg_type = RTM_GETLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
		ifm->ifi_family = AF_UNSPEC;
		ifm->ifi_index = out->ifindex;
		rc = nl_talk(r, nlh, link_cb, &lc);
		if (!rc && lc.found != 3) {
			xerr(err, errlen, "interface '%s' has no Ethernet address or MTU", ifname);
			rc = -EINVAL;
		}
	}
	if (!rc) {
		struct addr_ctx ac = { out };
		rc = nl_talk(r, dump_req(r, RTM_GETADDR, AF_INET, sizeof(struct ifaddrmsg)), addr_cb, &ac);
	}
	if (!rc) {
		struct route_ctx rtc = { out };
		rc = nl_talk(r, dump_req(r, RTM_GETROUTE, AF_INET, sizeof(struct rtmsg)), route_cb, &rtc);
	}
	/* IPv6 may be off in the kernel (ipv6.disable=1): its dumps then fail
	 * or come back empty, and the interface has no IPv6 address */
	if (!rc && nl_talk(r, dump_req(r, RTM_GETADDR, AF_INET6, sizeof(struct ifaddrmsg)), addr6_cb,
	                   out) == 0)
		(void)nl_talk(r, dump_req(r, RTM_GETROUTE, AF_INET6, sizeof(struct rtmsg)), route6_cb,
		              out);
	if (rc && err && !err[0])
		xerr(err, errlen, "netlink query for '%s' failed: %s", ifname, strerror(-rc));
	mnl_socket_close(r->nl);
	free(r);
	return rc;
}

int nl_parse_neigh(const struct nlmsghdr *nlh, int ifindex, uint8_t addr[16], uint8_t mac[6])
{
	const struct ndmsg *nd = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;
	size_t alen;
	int have_dst = 0, have_mac = 0;
	if (nlh->nlmsg_type != RTM_NEWNEIGH || nlh->nlmsg_len < NLMSG_LENGTH(sizeof *nd))
		return 0;
	if ((nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) || nd->ndm_ifindex != ifindex)
		return 0;
	if (!(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		return 0;
	alen = nd->ndm_family == AF_INET ? 4 : 16;
	mnl_attr_for_each(a, nlh, sizeof(*nd)) {
		if (mnl_attr_get_type(a) == NDA_DST && mnl_attr_get_payload_len(a) == alen) {
			memcpy(addr, mnl_attr_get_payload(a), alen);
			have_dst = 1;
		} else if (mnl_attr_get_type(a) == NDA_LLADDR && mnl_attr_get_payload_len(a) == 6) {
			memcpy(mac, mnl_attr_get_payload(a), 6);
			have_mac = 1;
		}
	}
	return have_dst && have_mac ? nd->ndm_family : 0;
}

int nl_get_addrs6(int ifindex, struct nl_addrs6 *out)
{
	struct nl_req *r = calloc(1, sizeof *r);
	struct nl_ifinfo *info = calloc(1, sizeof *info);
	int rc = -ENOMEM;
	if (r && info) {
		info->ifindex = ifindex;
		rc = nl_open(r);
		if (!rc) {
			rc = nl_talk(r, dump_req(r, RTM_GETADDR, AF_INET6, sizeof(struct ifaddrmsg)),
			             addr6_cb, info);
			mnl_socket_close(r->nl);
		}
		if (!rc)
			*out = info->a6;
	}
	free(info);
	free(r);
	return rc;
}

struct neigh_ctx {
	int ifindex;
	void (*fn4)(void *arg, uint32_t addr, const uint8_t mac[6]);
	void (*fn6)(void *arg, const uint8_t addr[16], const uint8_t mac[6]);
	void *arg;
};

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_ctx *c = data;
	uint8_t addr[16], mac[6];
	uint32_t a4;
	switch (nl_parse_neigh(nlh, c->ifindex, addr, mac)) {
	case AF_INET:
		memcpy(&a4, addr, 4);
		if (c->fn4 && a4)
			c->fn4(c->arg, ntohl(a4), mac);
		break;
	case AF_INET6:
		if (c->fn6)
			c->fn6(c->arg, addr, mac);
		break;
	}
	return MNL_CB_OK;
}

static int neigh_dump(struct neigh_ctx *c, unsigned char family)
{
	struct nl_req *r = calloc(1, sizeof *r);
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	int rc;
	if (!r)
		return -ENOMEM;
	rc = nl_open(r);
	if (!rc) {
		nlh = mnl_nlmsg_put_header(r->buf);
		nlh->nlmsg_type = RTM_GETNEIGH;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nd = mnl_nlmsg_put_extra_header(nlh, sizeof *nd);
		nd->ndm_family = family;
		rc = nl_talk(r, nlh, neigh_cb, c);
		mnl_socket_close(r->nl);
	}
	free(r);
	return rc;
}

int nl_for_each_neigh(int ifindex, void (*fn)(void *arg, uint32_t addr, const uint8_t mac[6]),
                      void *arg)
{
	struct neigh_ctx c = { ifindex, fn, NULL, arg };
	return neigh_dump(&c, AF_INET);
}

int nl_for_each_neigh6(int ifindex,
                       void (*fn)(void *arg, const uint8_t addr[16], const uint8_t mac[6]),
                       void *arg)
{
	struct neigh_ctx c = { ifindex, NULL, fn, arg };
	return neigh_dump(&c, AF_INET6);
}

static int neigh_resolve(int ifindex, unsigned char family, const void *addr, size_t len)
{
	struct nl_req *r = calloc(1, sizeof *r);
	struct nlmsghdr *nlh;
	struct ndmsg *nd;
	int rc;
	if (!r)
		return -ENOMEM;
	rc = nl_open(r);
	if (!rc) {
		nlh = mnl_nlmsg_put_header(r->buf);
		nlh->nlmsg_type = RTM_NEWNEIGH;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
		nd = mnl_nlmsg_put_extra_header(nlh, sizeof *nd);
		nd->ndm_family = family;
		nd->ndm_ifindex = ifindex;
		nd->ndm_state = NUD_NONE;
		nd->ndm_flags = NTF_USE;
		mnl_attr_put(nlh, NDA_DST, len, addr);
		rc = nl_talk(r, nlh, NULL, NULL);
		mnl_socket_close(r->nl);
	}
	free(r);
	return rc;
}

int nl_neigh_resolve(int ifindex, uint32_t addr)
{
	uint32_t be = htonl(addr);
	return neigh_resolve(ifindex, AF_INET, &be, 4);
}

int nl_neigh_resolve6(int ifindex, const uint8_t addr[16])
{
	return neigh_resolve(ifindex, AF_INET6, addr, 16);
}

/* The generic-netlink "netdev" family (kernel 6.3+; xsk-features 6.8+).
 * Debian's uapi headers predate it: the kernel's values, from
 * include/uapi/linux/netdev.h. */
#define NL_NETDEV_FAMILY_NAME "netdev"
#define NL_NETDEV_FAMILY_VERSION 1
#define NL_NETDEV_CMD_DEV_GET 1
#define NL_NETDEV_A_DEV_IFINDEX 1       /* u32 */
#define NL_NETDEV_A_DEV_XSK_FEATURES 6  /* u64, enum netdev_xsk_flags */

struct genl_family_ctx { int id; };

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct genl_family_ctx *c = data;
	struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			c->id = mnl_attr_get_u16(a);
	}
	return MNL_CB_OK;
}

struct xsk_feat_ctx { uint64_t flags; int found; };

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct xsk_feat_ctx *c = data;
	struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == NL_NETDEV_A_DEV_XSK_FEATURES &&
		    mnl_attr_validate(a, MNL_TYPE_U64) >= 0) {
			c->flags = mnl_attr_get_u64(a);
			c->found = 1;
		}
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *genl_req(struct nl_req *r, int type, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct genlmsghdr *g;
	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof *g);
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

int nl_get_xsk_features(int ifindex, uint64_t *flags)
{
	struct nl_req *r = calloc(1, sizeof *r);
	struct genl_family_ctx fc = { 0 };
	struct xsk_feat_ctx xc = { 0, 0 };
	struct nlmsghdr *nlh;
	int rc;
	*flags = 0;
	if (!r)
		return -ENOMEM;
	rc = nl_open_bus(r, NETLINK_GENERIC);
	if (rc) {
		free(r);
		return rc;
	}
	/* resolve the family id: the kernel answers ENOENT without the family */
	nlh = genl_req(r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, NL_NETDEV_FAMILY_NAME);
	rc = nl_talk(r, nlh, family_cb, &fc);
	if (!rc && !fc.id)
		rc = -ENOENT;
	if (!rc) {
		uint32_t idx = (uint32_t)ifindex;
		nlh = genl_req(r, fc.id, NL_NETDEV_CMD_DEV_GET, NL_NETDEV_FAMILY_VERSION);
		mnl_attr_put_u32(nlh, NL_NETDEV_A_DEV_IFINDEX, idx);
		rc = nl_talk(r, nlh, dev_cb, &xc);
	}
	/* a kernel before 6.8 answers without the attribute */
	if (!rc && !xc.found)
		rc = -EOPNOTSUPP;
	if (!rc)
		*flags = xc.flags;
	mnl_socket_close(r->nl);
	free(r);
	return rc;
}
