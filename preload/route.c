/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * route.c - which sockets axip serves, and address conversion.
 *
 * bind: the wildcard address or axip's own address (never loopback).
 * connect: a destination reached through the attached interface: on axip's
 * subnet, or (shared mode) one the kernel routes with axip's address as the
 * source, i.e. out of that interface through its gateway. Loopback,
 * multicast, broadcast, axip's own address and everything else go to the
 * kernel.
 *
 * IPv6 is decided the same way against the interface's IPv6 addresses
 * (shared mode: the kernel's addresses of the interface, which the backend
 * serves; dedicated: AXIP_ADDR6): bind to :: or to one of them (a
 * link-local one with the interface's scope id), connect to a destination
 * on one of their prefixes, to a link-local one with the interface's scope
 * id, or (shared mode) to one the kernel sends from one of them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <pthread.h>
#include <time.h>
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


/* ---- IPv6 ---- */

#define PL_ADDRS6_MAX 16
struct addr6 {
	uint8_t a[16];
	uint8_t plen;
};

/* The interface's index (cached). */
static unsigned our_ifindex(void)
{
	static unsigned idx;
	unsigned i = __atomic_load_n(&idx, __ATOMIC_RELAXED);
	if (!i) {
		pl_inside++;
		i = if_nametoindex(pl_opts.ifname);
		pl_inside--;
		__atomic_store_n(&idx, i, __ATOMIC_RELAXED);
	}
	return i;
}

/*
 * axip's IPv6 addresses with their prefixes, into out[0..PL_ADDRS6_MAX):
 * AXIP_ADDR6, or (shared mode) the interface's (read again when the copy is
 * older than a second: the kernel's addresses change, and the backend
 * follows them). Returns how many.
 */
static unsigned our_addrs6(struct addr6 *out)
{
	static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
	static struct addr6 tab[PL_ADDRS6_MAX];
	static unsigned n;
	static time_t read_at;
	struct ifaddrs *ifa, *i;
	struct timespec now;
	unsigned k;
	if (pl_opts.has_addr6) {
		memcpy(out[0].a, pl_opts.addr6, 16);
		out[0].plen = pl_opts.prefix6;
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lk);
	if (!read_at || now.tv_sec != read_at) {
		n = 0;
		pl_inside++;
		if (getifaddrs(&ifa) == 0) {
			for (i = ifa; i && n < PL_ADDRS6_MAX; i = i->ifa_next) {
				const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)i->ifa_addr;
				const struct sockaddr_in6 *m = (const struct sockaddr_in6 *)i->ifa_netmask;
				unsigned b, p = 0;
				if (!a || !m || a->sin6_family != AF_INET6 || strcmp(i->ifa_name, pl_opts.ifname))
					continue;
				for (b = 0; b < 16; b++)
					p += (unsigned)__builtin_popcount(m->sin6_addr.s6_addr[b]);
				memcpy(tab[n].a, a->sin6_addr.s6_addr, 16);
				tab[n++].plen = (uint8_t)p;
			}
			freeifaddrs(ifa);
		}
		pl_inside--;
		read_at = now.tv_sec;
	}
	memcpy(out, tab, n * sizeof *out);
	k = n;
	pthread_mutex_unlock(&lk);
	return k;
}

static int prefix_match(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;
	if (memcmp(a, b, full))
		return 0;
	return !rest || !((a[full] ^ b[full]) & (uint8_t)(0xff00u >> rest));
}

static int is_ours6(const uint8_t *d, const struct addr6 *tab, unsigned n)
{
	unsigned i;
	for (i = 0; i < n; i++)
		if (!memcmp(d, tab[i].a, 16))
			return 1;
	return 0;
}

/* Native IPv6 may be used: not turned off, attached, the attachment has IPv6. */
int pl_ip6_on(void)
{
	return pl_opts.ip6 && atomic_load(&pl_on) && pl_attach() == 0 && axip_xdp_ip6(pl_xdp());
}

/* Addresses axip never serves natively: loopback, multicast, IPv4-mapped
 * and -compatible forms. */
static int never6(const struct in6_addr *d)
{
	return IN6_IS_ADDR_LOOPBACK(d) || IN6_IS_ADDR_MULTICAST(d) || IN6_IS_ADDR_V4MAPPED(d) ||
	       IN6_IS_ADDR_V4COMPAT(d);
}

int pl_route_bind6(const struct sockaddr_in6 *a)
{
	struct addr6 tab[PL_ADDRS6_MAX];
	const struct in6_addr *d = &a->sin6_addr;
	unsigned n;
	if (!pl_opts.ip6 || !atomic_load(&pl_on) || never6(d))
		return 0;
	if (IN6_IS_ADDR_UNSPECIFIED(d))
		return pl_ip6_on();
	if (IN6_IS_ADDR_LINKLOCAL(d) && (pl_opts.has_addr6 || a->sin6_scope_id != our_ifindex()))
		return 0;
	n = our_addrs6(tab);
	return is_ours6(d->s6_addr, tab, n) && pl_ip6_on();
}

/* Shared mode: does the kernel send to a from one of axip's addresses? */
static int kernel_source_is_ours6(const struct sockaddr_in6 *a, const struct addr6 *tab,
                                  unsigned n)
{
	struct sockaddr_in6 src;
	socklen_t len = sizeof src;
	int fd = REAL(socket)(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok = 0;
	if (fd < 0)
		return 0;
	if (REAL(connect)(fd, (const struct sockaddr *)a, sizeof *a) == 0 &&
	    REAL(getsockname)(fd, (struct sockaddr *)&src, &len) == 0)
		ok = is_ours6(src.sin6_addr.s6_addr, tab, n);
	REAL(close)(fd);
	return ok;
}

int pl_route_connect6(const struct sockaddr_in6 *a)
{
	struct addr6 tab[PL_ADDRS6_MAX];
	const struct in6_addr *d = &a->sin6_addr;
	unsigned n, i;
	int serve = 0;
	if (!pl_opts.ip6 || !atomic_load(&pl_on) || IN6_IS_ADDR_UNSPECIFIED(d) || never6(d))
		return 0;
	if (IN6_IS_ADDR_LINKLOCAL(d)) {
		/* dedicated mode: the link-local address is the kernel's */
		if (pl_opts.has_addr6 || a->sin6_scope_id != our_ifindex())
			return 0;
		serve = 1;
	}
	n = our_addrs6(tab);
	if (is_ours6(d->s6_addr, tab, n))
		return 0;
	for (i = 0; i < n && !serve; i++)
		if (!(tab[i].a[0] == 0xfe && (tab[i].a[1] & 0xc0) == 0x80) && /* not link-local */
		    prefix_match(d->s6_addr, tab[i].a, tab[i].plen))
			serve = 1;
	if (!serve && !pl_opts.has_addr6)
		serve = kernel_source_is_ours6(a, tab, n);
	return serve && pl_ip6_on();
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

int pl_addr_in(const struct sockaddr *sa, socklen_t len, int native6, struct axip_sockaddr *out)
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
	if (native6) {
		/* an AF_INET6 axip socket: IPv6 form only (IPv4-mapped included) */
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		if (sa->sa_family != AF_INET6)
			return -AXIP_EAFNOSUPPORT;
		out->family = AXIP_AF_INET6;
		out->port = ntohs(in6->sin6_port);
		out->scope_id = in6->sin6_scope_id;
		memcpy(out->addr.v6, in6->sin6_addr.s6_addr, 16);
		return 0;
	}
	if (!pl_addr_v4(sa, len, 1, &v4))
		return -AXIP_ENETUNREACH; /* an IPv4 socket shown in IPv6 form reaches IPv4 only */
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
	if (a->family == AXIP_AF_INET6) {
		struct sockaddr_in6 in6;
		memset(&in6, 0, sizeof in6);
		in6.sin6_family = AF_INET6;
		in6.sin6_port = htons(a->port);
		memcpy(in6.sin6_addr.s6_addr, a->addr.v6, 16);
		in6.sin6_scope_id = a->scope_id;
		/* one link: a link-local name without a scope is the interface's */
		if (IN6_IS_ADDR_LINKLOCAL(&in6.sin6_addr) && !in6.sin6_scope_id)
			in6.sin6_scope_id = our_ifindex();
		memcpy(sa, &in6, *len < sizeof in6 ? *len : sizeof in6);
		*len = sizeof in6;
		return;
	}
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
