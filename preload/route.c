/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * route.c - which IPv4 sockets axip serves, and address conversion.
 *
 * bind: the wildcard address or axip's own address (never loopback).
 * connect: a destination reached through the attached interface: on axip's
 * subnet, or (shared mode) one the kernel routes with axip's address as the
 * source, i.e. out of that interface through its gateway. Loopback,
 * multicast, broadcast, axip's own address and everything else go to the
 * kernel.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>
#include "pl.h"

/*
 * axip's address and prefix, known before attaching: AXIP_ADDR, or (shared
 * mode) the interface's first IPv4 address. 0 when it has none.
 */
static uint32_t our_addr(unsigned *prefix)
{
	static int cached;
	static uint32_t addr;
	static unsigned plen;
	struct ifaddrs *ifa, *i;
	if (pl_opts.addr) {
		*prefix = pl_opts.prefix;
		return pl_opts.addr;
	}
	if (!__atomic_load_n(&cached, __ATOMIC_ACQUIRE)) {
		uint32_t a = 0;
		unsigned p = 32;
		pl_inside++;
		if (getifaddrs(&ifa) == 0) {
			for (i = ifa; i && !a; i = i->ifa_next)
				if (i->ifa_addr && i->ifa_netmask && i->ifa_addr->sa_family == AF_INET &&
				    !strcmp(i->ifa_name, pl_opts.ifname)) {
					a = ntohl(((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
					p = (unsigned)__builtin_popcount(
						((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr);
				}
			freeifaddrs(ifa);
		}
		pl_inside--;
		addr = a;
		plen = p;
		__atomic_store_n(&cached, 1, __ATOMIC_RELEASE);
	}
	*prefix = plen;
	return addr;
}

int pl_route_bind(const struct sockaddr_in *a)
{
	uint32_t d = ntohl(a->sin_addr.s_addr), ours;
	unsigned prefix;
	if (!atomic_load(&pl_on) || (d >> 24) == 127 || d >= 0xe0000000u)
		return 0;
	ours = our_addr(&prefix);
	if (!ours || (d != 0 && d != ours) || pl_attach())
		return 0;
	return d == 0 || d == axip_xdp_addr(pl_xdp());
}

/* Shared mode: does the kernel send to d with axip's address as the source? */
static int kernel_source_is_ours(const struct sockaddr_in *a, uint32_t ours)
{
	struct sockaddr_in src;
	socklen_t len = sizeof src;
	int fd = REAL(socket)(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok = 0;
	if (fd < 0)
		return 0;
	if (REAL(connect)(fd, (const struct sockaddr *)a, sizeof *a) == 0 &&
	    REAL(getsockname)(fd, (struct sockaddr *)&src, &len) == 0)
		ok = ntohl(src.sin_addr.s_addr) == ours;
	REAL(close)(fd);
	return ok;
}

int pl_route_connect(const struct sockaddr_in *a)
{
	uint32_t d = ntohl(a->sin_addr.s_addr), ours, m;
	unsigned prefix;
	int serve;
	if (!atomic_load(&pl_on) || d == 0 || (d >> 24) == 127 || d >= 0xe0000000u)
		return 0;
	ours = our_addr(&prefix);
	if (!ours || d == ours)
		return 0;
	m = prefix ? ~0u << (32 - prefix) : 0;
	if ((d & m) == (ours & m))
		serve = (d | m) != 0xffffffffu; /* not the subnet's broadcast */
	else
		serve = !pl_opts.addr && kernel_source_is_ours(a, ours);
	return serve && pl_attach() == 0 && d != axip_xdp_addr(pl_xdp());
}

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int pl_addr_v4(const struct sockaddr *sa, socklen_t len, int any_ok, struct sockaddr_in *out)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	if (!sa || len < (socklen_t)sizeof(sa_family_t))
		return 0;
	if (sa->sa_family == AF_INET) {
		if (len < (socklen_t)sizeof *out)
			return 0;
		memcpy(out, sa, sizeof *out);
		return 1;
	}
	if (sa->sa_family != AF_INET6 || len < (socklen_t)sizeof *in6)
		return 0;
	memset(out, 0, sizeof *out);
	out->sin_family = AF_INET;
	out->sin_port = in6->sin6_port;
	if (!memcmp(in6->sin6_addr.s6_addr, v4_mapped_prefix, 12)) {
		memcpy(&out->sin_addr.s_addr, in6->sin6_addr.s6_addr + 12, 4);
		return 1;
	}
	return any_ok && IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
}

int pl_addr_in(const struct sockaddr *sa, socklen_t len, struct axip_sockaddr *out)
{
	struct sockaddr_in v4;
	memset(out, 0, sizeof *out);
	if (!sa || len < (socklen_t)sizeof(sa_family_t))
		return -AXIP_EINVAL;
	if (sa->sa_family == AF_UNSPEC) {
		out->family = AXIP_AF_UNSPEC;
		return 0;
	}
	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return -AXIP_EAFNOSUPPORT;
	if (len < (socklen_t)(sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
	                                                 : sizeof(struct sockaddr_in6)))
		return -AXIP_EINVAL;
	if (!pl_addr_v4(sa, len, 1, &v4))
		return -AXIP_ENETUNREACH; /* native IPv6: a dual-stack socket on axip reaches IPv4 only */
	out->family = AXIP_AF_INET;
	out->port = ntohs(v4.sin_port);
	out->addr.v4 = ntohl(v4.sin_addr.s_addr);
	return 0;
}

void pl_addr_out(const struct axip_sockaddr *a, struct sockaddr *sa, socklen_t *len, int v6)
{
	struct sockaddr_in in;
	if (!sa || !len)
		return;
	if (v6) {
		struct sockaddr_in6 in6;
		uint32_t n = htonl(a->addr.v4);
		memset(&in6, 0, sizeof in6);
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons(a->port);
		if (a->addr.v4) {
			memcpy(in6.sin6_addr.s6_addr, v4_mapped_prefix, 12);
			memcpy(in6.sin6_addr.s6_addr + 12, &n, 4);
		}
		memcpy(sa, &in6, *len < sizeof in6 ? *len : sizeof in6);
		*len = sizeof in6;
		return;
	}
	memset(&in, 0, sizeof in);
	in.sin_family = AF_INET;
	in.sin_port = htons(a->port);
	in.sin_addr.s_addr = htonl(a->addr.v4);
	memcpy(sa, &in, *len < sizeof in ? *len : sizeof in);
	*len = sizeof in;
}
