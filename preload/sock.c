/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock.c - the socket calls: bind, listen, accept, connect, close,
 * shutdown, options, names, fcntl, ioctl, dup.
 *
 * Every socket starts as a kernel socket (socket() only notes AF_INET and
 * AF_INET6 stream/datagram ones as candidates, for epoll registrations).
 * bind() to the wildcard or axip's address, and connect() to a destination
 * behind the attached interface (route.c), convert an unbound stream or
 * datagram socket to axip (decide(): an AF_INET socket to an IPv4 one; an
 * AF_INET6 socket given an IPv6 address, or a dual-stack stream socket
 * given ::, to an AF_INET6 one; a dual-stack AF_INET6 socket given an
 * IPv4-mapped address, or a dual-stack datagram socket given ::, to an IPv4
 * one shown to the program with IPv4-mapped addresses): an axip socket
 * takes over, with the options set so far, and the kernel socket stays only
 * to hold the descriptor number (and its O_NONBLOCK/FD_CLOEXEC flags).
 * Listening TCP ports and bound UDP ports get a steering rule per family
 * they serve. When anything fails before the conversion is complete the
 * socket stays the kernel's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/sockios.h>
#include <unistd.h>
#include "pl.h"

long pl_ret(long rc)
{
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return rc;
}

int pl_silent(struct pl_obj *o)
{
	if (pl_forked && !o->silent)
		(void)pl_claim(); /* a prefork worker's first use of the listeners */
	return o->silent;
}

struct pl_obj *pl_acquire(int fd, struct pl_obj *o)
{
	if (pl_silent(o) || pl_forked || !pl_stack() || o->afd < 0) {
		errno = EOPNOTSUPP;
		return NULL;
	}
	pl_lock();
	if (pl_get(fd) != o || !pl_stack()) {
		pl_unlock();
		errno = pl_stack() ? EBADF : EOPNOTSUPP; /* given to a forked child meanwhile */
		return NULL;
	}
	return o;
}

/* One family's rule for (proto, port), once per process. */
static void steer(int six, uint8_t proto, uint16_t port)
{
	static uint8_t steered[2][2][65536 / 8];
	uint8_t *bits = steered[six][proto == IPPROTO_UDP];
	int rc;
	if (bits[port / 8] & (1u << (port % 8)))
		return;
	rc = six ? axip_xdp_add_rule6(pl_xdp(), proto, port) : axip_xdp_add_rule(pl_xdp(), proto, port);
	if (rc == 0)
		bits[port / 8] |= (uint8_t)(1u << (port % 8));
	else
		pl_log(0, "cannot steer %s%s port %u to axip", proto == IPPROTO_TCP ? "TCP" : "UDP",
		       six ? "/IPv6" : "", port);
}

/*
 * Steer the socket's local port to axip, for each family it serves (an
 * AF_INET6 stream socket bound to :: without IPV6_V6ONLY: both). Ports of
 * the reserved range of axip's own connections are steered as a whole and
 * need none. A rule stays until the process ends: connections accepted
 * from a listener, and connections finishing after close (FIN_WAIT,
 * TIME_WAIT), keep using the port.
 */
static void add_rule(struct pl_obj *o, uint8_t proto)
{
	static uint16_t lo, hi;
	struct axip_sockaddr a;
	int only = 1;
	axip_u32 l = sizeof only;
	if (!hi) {
		struct axip_xdp_opts d;
		axip_xdp_opts_defaults(&d);
		lo = d.port_lo;
		hi = d.port_hi;
	}
	if (axip_getsockname(pl_stack(), o->afd, &a) < 0 || !a.port || (a.port >= lo && a.port <= hi))
		return;
	if (a.family != AXIP_AF_INET6) {
		steer(0, proto, a.port);
		return;
	}
	steer(1, proto, a.port);
	if (o->type == SOCK_STREAM && !memcmp(a.addr.v6, &in6addr_any, 16) &&
	    axip_getsockopt(pl_stack(), o->afd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, &only, &l) == 0 &&
	    !only)
		steer(0, proto, a.port);
}

void pl_release(struct pl_obj *o)
{
	if (!pl_forked && pl_stack() && o->afd >= 0) {
		/* unsent data outlives the descriptor (and, at exit, the program: the
		 * shim waits for it before it detaches) */
		if (o->kind == PL_SOCK && o->type == SOCK_STREAM &&
		    axip_sock_nread(pl_stack(), o->afd) == 0 && axip_sock_nwrite(pl_stack(), o->afd) > 0 &&
		    axip_shutdown(pl_stack(), o->afd, AXIP_SHUT_WR) == 0 && pl_linger(o->afd) == 0) {
			free(o);
			return;
		}
		axip_close(pl_stack(), o->afd);
	}
	free(o);
}

/*
 * Under the lock: name o by nfd, a number the kernel just handed out. A
 * mapping still there is stale (that descriptor was closed past the shim:
 * fclose() of an fdopen()ed socket, close_range()): release it first.
 */
static int set_fresh(int nfd, struct pl_obj *o)
{
	struct pl_obj *old = pl_get(nfd);
	if (old && (old = pl_unset(nfd)))
		pl_release(old);
	return pl_set(nfd, o);
}

/*
 * How an unbound socket is made axip's (decide()):
 *   CV_V4      an AF_INET socket: an IPv4 axip socket;
 *   CV_MAPPED  an AF_INET6 socket with IPV6_V6ONLY off, for IPv4 only (an
 *              IPv4-mapped address, or :: when native IPv6 is off or for a
 *              datagram socket): an IPv4 axip socket shown in IPv6 form;
 *   CV_NATIVE6 an AF_INET6 socket for IPv6 (or a dual-stack :: stream
 *              socket): an AF_INET6 axip socket, IPV6_V6ONLY as set.
 */
enum { CV_KERNEL = 0, CV_V4, CV_MAPPED, CV_NATIVE6 };

static int sock_int(int fd, int level, int name, int *v)
{
	socklen_t l = sizeof *v;
	return REAL(getsockopt)(fd, level, name, v, &l);
}

/* An unbound kernel socket of the domain `how` needs and a type axip has:
 * its type, else 0. */
static int convertible(int fd, int how)
{
	int v, p, only = 1;
	socklen_t l;
	struct sockaddr_in6 a;
	if (sock_int(fd, SOL_SOCKET, SO_DOMAIN, &v))
		return 0;
	switch (how) {
	case CV_V4:
		if (v != AF_INET)
			return 0;
		break;
	case CV_MAPPED:
		if (v != AF_INET6 || !pl_opts.dual_stack || sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only) ||
		    only)
			return 0;
		break;
	case CV_NATIVE6:
		if (v != AF_INET6 || !pl_opts.ip6)
			return 0;
		break;
	default:
		return 0;
	}
	if (sock_int(fd, SOL_SOCKET, SO_TYPE, &v) || (v != SOCK_STREAM && v != SOCK_DGRAM))
		return 0;
	if (sock_int(fd, SOL_SOCKET, SO_PROTOCOL, &p) || (p != 0 && p != IPPROTO_TCP && p != IPPROTO_UDP))
		return 0;
	l = sizeof a;
	if (REAL(getsockname)(fd, (struct sockaddr *)&a, &l) || a.sin6_port)
		return 0;
	return v;
}

/*
 * Whether bind (is_bind) or connect/sendto of fd to sa goes to axip, and
 * how (CV_*). IPv4 addresses, in either form, are decided by the IPv4
 * routes; native IPv6 ones by the IPv6 routes. The wildcard :: of an
 * AF_INET6 socket with IPV6_V6ONLY off serves both families: natively for
 * a stream socket (the core's dual-stack listener), as IPv4 only for a
 * datagram socket (core IPv6 datagram sockets are IPv6 only) or when
 * native IPv6 is off.
 */
static int decide(int fd, const struct sockaddr *sa, socklen_t len, int is_bind)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
	struct sockaddr_in v4;
	int only = 1, type = 0;
	if (!sa || len < (socklen_t)sizeof(sa_family_t))
		return CV_KERNEL;
	if (sa->sa_family == AF_INET) {
		if (!pl_addr_v4(sa, len, 0, &v4))
			return CV_KERNEL;
		return (is_bind ? pl_route_bind(&v4) : pl_route_connect(&v4)) ? CV_V4 : CV_KERNEL;
	}
	if (sa->sa_family != AF_INET6 || len < (socklen_t)sizeof *in6)
		return CV_KERNEL;
	if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		if (!pl_opts.dual_stack || !pl_addr_v4(sa, len, 0, &v4))
			return CV_KERNEL;
		return (is_bind ? pl_route_bind(&v4) : pl_route_connect(&v4)) ? CV_MAPPED : CV_KERNEL;
	}
	if (is_bind && IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr)) {
		if (sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only) || sock_int(fd, SOL_SOCKET, SO_TYPE, &type))
			return CV_KERNEL;
		if (only)
			return pl_route_bind6(in6) ? CV_NATIVE6 : CV_KERNEL;
		if (!pl_opts.dual_stack)
			return CV_KERNEL; /* it would serve IPv4 too */
		if (type == SOCK_STREAM && pl_route_bind6(in6))
			return CV_NATIVE6;
		pl_addr_v4(sa, len, 1, &v4);
		return pl_route_bind(&v4) ? CV_MAPPED : CV_KERNEL;
	}
	return (is_bind ? pl_route_bind6(in6) : pl_route_connect6(in6)) ? CV_NATIVE6 : CV_KERNEL;
}

/* Copy the options that matter from the kernel socket to the axip one. */
static void copy_opts(int fd, int afd, int type, int fam6)
{
	static const int so[][2] = {
		{ SOL_SOCKET, SO_REUSEADDR }, { SOL_SOCKET, SO_REUSEPORT },
		{ SOL_SOCKET, SO_KEEPALIVE }, { IPPROTO_TCP, TCP_NODELAY },
	};
	unsigned i;
	int v;
	for (i = 0; i < sizeof so / sizeof so[0]; i++) {
		v = 0;
		if (so[i][0] == IPPROTO_TCP && type != SOCK_STREAM)
			continue;
		if (sock_int(fd, so[i][0], so[i][1], &v) == 0 && v)
			(void)axip_setsockopt(pl_stack(), afd, so[i][0], so[i][1], &v, sizeof v);
	}
	/* the kernel's default follows net.ipv6.bindv6only: pass what it is */
	if (fam6 && type == SOCK_STREAM && sock_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v) == 0)
		(void)axip_setsockopt(pl_stack(), afd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, &v, sizeof v);
}

/* Make fd an axip socket as `how` (CV_*) says; returns it locked, or NULL
 * (fd stays the kernel's, which also answers an address family that does
 * not match the socket's). */
static struct pl_obj *convert(int fd, int how)
{
	int type = convertible(fd, how), fl, afd, fam6 = how == CV_NATIVE6;
	struct pl_obj *o;
	if (!type || !pl_stack())
		return NULL;
	fl = REAL(fcntl)(fd, F_GETFL);
	o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	pl_lock();
	afd = pl_stack() ? axip_socket(pl_stack(), fam6 ? AXIP_AF_INET6 : AXIP_AF_INET, type, 0)
	                 : -AXIP_EOPNOTSUPP; /* given to a forked child meanwhile */
	if (afd < 0) {
		pl_unlock();
		free(o);
		pl_log(1, "no axip socket for descriptor %d (%d); it stays the kernel's", fd, -afd);
		return NULL;
	}
	copy_opts(fd, afd, type, fam6);
	o->kind = PL_SOCK;
	o->afd = afd;
	o->type = type;
	o->v6 = how != CV_V4;
	o->fam6 = fam6;
	o->nonblock = fl >= 0 && (fl & O_NONBLOCK);
	if (pl_set(fd, o)) {
		axip_close(pl_stack(), afd);
		pl_unlock();
		free(o);
		return NULL;
	}
	pl_cand_set(fd, 0);
	pl_epoll_adopt(fd, o);
	return o;
}

/* Undo convert() (the lock is held and released). */
static void unconvert(int fd, struct pl_obj *o)
{
	if (pl_unset(fd) == o)
		pl_release(o);
	pl_unlock();
}

int socket(int domain, int type, int protocol)
{
	int fd = REAL(socket)(domain, type, protocol), t = type & 0xf;
	if (fd >= 0 &&
	    (domain == AF_INET || (domain == AF_INET6 && (pl_opts.dual_stack || pl_opts.ip6))) &&
	    (t == SOCK_STREAM || t == SOCK_DGRAM) &&
	    atomic_load(&pl_on))
		pl_cand_set(fd, 1);
	return fd;
}

int pl_move_listener(struct axip_stack *old, struct pl_obj *o)
{
	static const int so[][2] = {
		{ SOL_SOCKET, SO_REUSEADDR }, { SOL_SOCKET, SO_KEEPALIVE },
		{ IPPROTO_TCP, TCP_NODELAY }, { SOL_SOCKET, SO_RCVBUF }, { SOL_SOCKET, SO_SNDBUF },
	};
	struct axip_sockaddr a;
	axip_u32 l = sizeof(int);
	int v = 0, afd;
	unsigned i;
	if (o->kind != PL_SOCK || o->type != SOCK_STREAM ||
	    axip_getsockopt(old, o->afd, SOL_SOCKET, SO_ACCEPTCONN, &v, &l) || !v ||
	    axip_getsockname(old, o->afd, &a))
		return -1;
	afd = axip_socket(pl_stack(), o->fam6 ? AXIP_AF_INET6 : AXIP_AF_INET, SOCK_STREAM, 0);
	if (afd < 0)
		return -1;
	if (o->fam6) {
		l = sizeof v;
		if (axip_getsockopt(old, o->afd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, &v, &l) == 0)
			(void)axip_setsockopt(pl_stack(), afd, AXIP_IPPROTO_IPV6, AXIP_IPV6_V6ONLY, &v,
			                      sizeof v);
	}
	for (i = 0; i < sizeof so / sizeof so[0]; i++) {
		l = sizeof v;
		if (axip_getsockopt(old, o->afd, so[i][0], so[i][1], &v, &l) == 0 && v)
			(void)axip_setsockopt(pl_stack(), afd, so[i][0], so[i][1], &v, sizeof v);
	}
	if (axip_bind(pl_stack(), afd, &a) || axip_listen(pl_stack(), afd, o->backlog)) {
		axip_close(pl_stack(), afd);
		return -1;
	}
	o->afd = afd;
	return 0;
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pl_obj *o = pl_get(fd);
	struct axip_sockaddr a;
	int rc;
	if (!o) {
		if (pl_inside || !(o = convert(fd, decide(fd, sa, len, 1))))
			return REAL(bind)(fd, sa, len);
		pl_addr_in(sa, len, o->fam6, &a);
		rc = axip_bind(pl_stack(), o->afd, &a);
		if (rc < 0 && rc != -AXIP_EADDRINUSE) {
			pl_log(1, "axip bind of descriptor %d: error %d; it stays the kernel's", fd, -rc);
			unconvert(fd, o);
			return REAL(bind)(fd, sa, len);
		}
	} else {
		if (!pl_acquire(fd, o))
			return -1;
		rc = pl_addr_in(sa, len, o->fam6, &a);
		if (rc == 0)
			rc = axip_bind(pl_stack(), o->afd, &a);
	}
	if (rc == 0 && o->type == SOCK_DGRAM)
		add_rule(o, IPPROTO_UDP);
	pl_unlock();
	return (int)pl_ret(rc);
}

/*
 * sendto()/sendmsg() with a destination on an unbound candidate datagram
 * socket: Linux binds it to an ephemeral port implicitly, so a UDP client
 * may never call bind() or connect(). When the destination is behind the
 * attached interface the socket becomes axip's here, bound to an ephemeral
 * port whose steering rule is in place before the first datagram leaves.
 * Returns the socket unlocked, or NULL: the kernel's (the candidate mark
 * is dropped then, as the kernel's send binds it for good).
 */
struct pl_obj *pl_adopt_sender(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pl_obj *o;
	struct axip_sockaddr any = { 0 };
	if (!sa || !len || !pl_cand(fd) || pl_inside)
		return NULL;
	if (!(o = convert(fd, decide(fd, sa, len, 0)))) {
		pl_cand_set(fd, 0);
		pl_epoll_forget(fd);
		return NULL;
	}
	if (o->type != SOCK_DGRAM) {
		unconvert(fd, o); /* a stream socket's sendto is connect's business */
		return NULL;
	}
	any.family = o->fam6 ? AXIP_AF_INET6 : AXIP_AF_INET;
	if (axip_bind(pl_stack(), o->afd, &any) < 0) {
		pl_log(1, "no axip port for descriptor %d; it stays the kernel's", fd);
		unconvert(fd, o);
		return NULL;
	}
	add_rule(o, IPPROTO_UDP);
	pl_unlock();
	return o;
}

int listen(int fd, int backlog)
{
	struct pl_obj *o = pl_get(fd);
	int rc;
	if (!o)
		return REAL(listen)(fd, backlog);
	if (!pl_acquire(fd, o))
		return -1;
	rc = axip_listen(pl_stack(), o->afd, backlog);
	if (rc == 0) {
		o->backlog = backlog;
		add_rule(o, IPPROTO_TCP);
	}
	pl_unlock();
	return (int)pl_ret(rc);
}

/*
 * Placeholders of accepted connections. The number an accepted axip
 * connection gets must stay taken in the kernel (no open() may be handed
 * it) and be freed by its close(). A fresh kernel socket per connection
 * does that but costs socket() and, at close, the kernel's inet_release and
 * tcp_close: 14 % of the server core for nginx with Connection: close. A
 * dup of one unconnected kernel socket per family (the template, made at
 * the first accept and kept) takes and frees the number just as well, for
 * the price of a descriptor-table entry. All those descriptors share one
 * open file description, so its file status flags are not the
 * connection's: fcntl F_GETFL/F_SETFL and FIONBIO on them are answered from
 * the object (pl_obj.shared_ph) and never reach the template. Under the
 * lock.
 */
static int tmpl[2] = { -1, -1 }; /* AF_INET, AF_INET6 */

static int placeholder(int v6, int flags)
{
	int *t = &tmpl[v6 != 0];
	if (*t < 0)
		*t = REAL(socket)(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*t < 0)
		return -1;
	return REAL(fcntl)(*t, (flags & SOCK_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
}

/* fd is being closed or replaced (dup2) past the template: forget it, the
 * next accept makes a new one. A program closing numbers it never opened
 * (a daemon's close loop) must not leave the shim duplicating its files. */
static void placeholder_forget(int fd)
{
	if (fd >= 0 && (fd == tmpl[0] || fd == tmpl[1])) {
		pl_lock();
		if (fd == tmpl[0])
			tmpl[0] = -1;
		if (fd == tmpl[1])
			tmpl[1] = -1;
		pl_unlock();
	}
}

static int do_accept(int fd, struct pl_obj *o, struct sockaddr *sa, socklen_t *len, int flags)
{
	struct axip_sockaddr peer;
	struct pl_obj *n;
	int afd, nfd;
	if (pl_silent(o)) {
		/* another process serves this listener: none come here */
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (o->nonblock) {
			errno = EAGAIN;
			return -1;
		}
		while (REAL(poll)(&p, 1, -1) >= 0)
			;
		return -1; /* EINTR */
	}
	if (!pl_acquire(fd, o))
		return -1;
	for (;;) {
		afd = axip_accept(pl_stack(), o->afd, &peer);
		if (afd != -AXIP_EAGAIN)
			break;
		if (o->nonblock) {
			pl_drive();
			afd = axip_accept(pl_stack(), o->afd, &peer);
			break;
		}
		afd = pl_wait_fd(o->afd, AXIP_EV_IN, o->rcvtimeo_ms, 1);
		if (afd < 0)
			break;
		if (pl_get(fd) != o) {
			afd = -AXIP_EBADF;
			break;
		}
	}
	if (afd < 0) {
		pl_unlock();
		return (int)pl_ret(afd);
	}
	n = calloc(1, sizeof *n);
	nfd = n ? placeholder(o->v6, flags) : -1;
	if (nfd < 0 || set_fresh(nfd, n)) {
		int e = n ? errno : ENOMEM;
		axip_close(pl_stack(), afd);
		pl_unlock();
		if (nfd >= 0)
			REAL(close)(nfd);
		free(n);
		errno = e ? e : EMFILE;
		return -1;
	}
	n->kind = PL_SOCK;
	n->afd = afd;
	n->type = SOCK_STREAM;
	n->v6 = o->v6;
	n->fam6 = o->fam6;
	n->nonblock = !!(flags & SOCK_NONBLOCK);
	n->shared_ph = 1;
	pl_unlock();
	pl_addr_out(&peer, sa, len, n->v6);
	return nfd;
}

int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	struct pl_obj *o = pl_get(fd);
	if (!o)
		return REAL(accept4)(fd, sa, len, flags);
	return do_accept(fd, o, sa, len, flags);
}

int accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct pl_obj *o = pl_get(fd);
	if (!o)
		return REAL(accept)(fd, sa, len);
	return do_accept(fd, o, sa, len, 0);
}

static int connect_axip(int fd, struct pl_obj *o, const struct axip_sockaddr *a)
{
	int rc = axip_connect(pl_stack(), o->afd, a);
	if (o->type == SOCK_DGRAM) {
		if (rc == 0)
			add_rule(o, IPPROTO_UDP);
		return rc;
	}
	if (rc == 0)
		add_rule(o, IPPROTO_TCP); /* a port outside the reserved range (bound first) */
	if (rc != -AXIP_EINPROGRESS || o->nonblock)
		return rc;
	rc = pl_wait_fd(o->afd, AXIP_EV_OUT, o->sndtimeo_ms, 0); /* connect: EINTR, as Linux */
	if (rc == -AXIP_EAGAIN)
		return -AXIP_EINPROGRESS;
	if (rc < 0)
		return rc;
	if (pl_get(fd) != o)
		return -AXIP_EBADF;
	rc = axip_connect(pl_stack(), o->afd, a);
	return rc == -AXIP_EISCONN ? 0 : rc;
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct pl_obj *o = pl_get(fd);
	struct axip_sockaddr a;
	int rc;
	if (!o) {
		if (pl_inside || !(o = convert(fd, decide(fd, sa, len, 0))))
			return REAL(connect)(fd, sa, len);
		pl_addr_in(sa, len, o->fam6, &a);
		rc = connect_axip(fd, o, &a);
		if (rc == -AXIP_ENETUNREACH || rc == -AXIP_EADDRNOTAVAIL) {
			pl_log(1, "axip connect of descriptor %d: error %d; it stays the kernel's", fd, -rc);
			unconvert(fd, o);
			return REAL(connect)(fd, sa, len);
		}
	} else {
		if (!pl_acquire(fd, o))
			return -1;
		rc = pl_addr_in(sa, len, o->fam6, &a);
		if (rc == 0)
			rc = connect_axip(fd, o, &a);
	}
	pl_unlock();
	return (int)pl_ret(rc);
}

int close(int fd)
{
	struct pl_obj *o = pl_get(fd), *last;
	pl_kset_forget(fd);
	if (pl_cand(fd)) {
		pl_cand_set(fd, 0);
		pl_epoll_forget(fd);
	}
	if (!o) {
		placeholder_forget(fd);
		return REAL(close)(fd);
	}
	pl_lock();
	last = pl_unset(fd);
	if (last)
		pl_release(last);
	else if (pl_proxy_count() && !pl_forked && pl_stack())
		pl_proxy_pump(); /* a relay may now read the connection for its child */
	pl_unlock();
	return REAL(close)(fd);
}

int shutdown(int fd, int how)
{
	struct pl_obj *o = pl_get(fd);
	int rc;
	if (!o)
		return REAL(shutdown)(fd, how);
	if (!pl_acquire(fd, o))
		return -1;
	rc = axip_shutdown(pl_stack(), o->afd, how);
	pl_unlock();
	return (int)pl_ret(rc);
}

static int64_t tv_ms(const void *v, socklen_t len)
{
	const struct timeval *tv = v;
	if (len < sizeof *tv)
		return -1;
	return (int64_t)tv->tv_sec * 1000 + tv->tv_usec / 1000;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct pl_obj *o = pl_get(fd);
	int rc;
	if (!o)
		return REAL(setsockopt)(fd, level, name, val, len);
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		int64_t ms = tv_ms(val, len);
		if (ms < 0) {
			errno = EINVAL;
			return -1;
		}
		*(name == SO_RCVTIMEO ? &o->rcvtimeo_ms : &o->sndtimeo_ms) = ms;
		return 0;
	}
	if (level != SOL_SOCKET && level != IPPROTO_TCP &&
	    !(o->fam6 && level == IPPROTO_IPV6 && name == IPV6_V6ONLY))
		return REAL(setsockopt)(fd, level, name, val, len); /* IP_TOS, ...: the placeholder */
	if (!pl_acquire(fd, o))
		return -1;
	rc = axip_setsockopt(pl_stack(), o->afd, level, name, val, len);
	pl_unlock();
	if (rc == -AXIP_ENOPROTOOPT)
		return REAL(setsockopt)(fd, level, name, val, len);
	return (int)pl_ret(rc);
}

/* Linux's struct tcp_info (include/uapi/linux/tcp.h) up to tcpi_snd_wnd;
 * glibc's <netinet/tcp.h> stops at tcpi_total_retrans (104 bytes). */
struct linux_tcp_info {
	struct tcp_info base;
	uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
	uint32_t segs_out, segs_in, notsent_bytes, min_rtt, data_segs_in, data_segs_out;
	uint64_t delivery_rate, busy_time, rwnd_limited, sndbuf_limited;
	uint32_t delivered, delivered_ce;
	uint64_t bytes_sent, bytes_retrans;
	uint32_t dsack_dups, reord_seen, rcv_ooopack, snd_wnd;
};

/* TCP_INFO: axip's counters in Linux's layout (as much as the caller's
 * buffer holds, as Linux); what axip does not track reads as zero. */
static int tcp_info(int fd, struct pl_obj *o, void *val, socklen_t *len)
{
	/* enum axip_tcp_state_id -> Linux's TCP_* states (include/net/tcp_states.h) */
	static const uint8_t state[] = { 7 /* CLOSE */, 10 /* LISTEN */, 2 /* SYN_SENT */,
		3 /* SYN_RECV */, 1 /* ESTABLISHED */, 4 /* FIN_WAIT1 */, 5 /* FIN_WAIT2 */,
		8 /* CLOSE_WAIT */, 11 /* CLOSING */, 9 /* LAST_ACK */, 6 /* TIME_WAIT */ };
	struct axip_tcp_info a;
	struct linux_tcp_info t;
	axip_u32 l = sizeof a;
	int rc;
	if (!val || !len) {
		errno = EFAULT;
		return -1;
	}
	if (o->type != SOCK_STREAM) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (!pl_acquire(fd, o))
		return -1;
	rc = axip_getsockopt(pl_stack(), o->afd, AXIP_IPPROTO_TCP, AXIP_TCP_INFO, &a, &l);
	pl_unlock();
	if (rc < 0)
		return (int)pl_ret(rc);
	memset(&t, 0, sizeof t);
	t.base.tcpi_state = a.state < sizeof state ? state[a.state] : 7;
	t.base.tcpi_rto = a.rto_us;
	t.base.tcpi_snd_mss = a.snd_mss;
	t.base.tcpi_rcv_mss = a.rcv_mss;
	t.base.tcpi_advmss = a.rcv_mss;
	t.base.tcpi_rtt = a.srtt_us;
	t.base.tcpi_rttvar = a.rttvar_us;
	if (a.snd_mss) {
		t.base.tcpi_snd_cwnd = a.cwnd / a.snd_mss;
		t.base.tcpi_snd_ssthresh = a.ssthresh / a.snd_mss;
	}
	t.base.tcpi_total_retrans = a.retransmits;
	t.bytes_acked = a.bytes_acked;
	t.bytes_received = a.bytes_received;
	t.bytes_sent = a.bytes_sent;
	t.segs_out = (uint32_t)a.segs_out;
	t.segs_in = (uint32_t)a.segs_in;
	t.snd_wnd = a.snd_wnd;
	if (*len > sizeof t)
		*len = sizeof t;
	memcpy(val, &t, *len);
	return 0;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct pl_obj *o = pl_get(fd);
	axip_u32 l;
	int rc;
	if (!o)
		return REAL(getsockopt)(fd, level, name, val, len);
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		int64_t ms = name == SO_RCVTIMEO ? o->rcvtimeo_ms : o->sndtimeo_ms;
		struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
		if (!val || !len || *len < sizeof tv) {
			errno = EINVAL;
			return -1;
		}
		memcpy(val, &tv, sizeof tv);
		*len = sizeof tv;
		return 0;
	}
	if (level == IPPROTO_TCP && name == TCP_INFO)
		return tcp_info(fd, o, val, len);
	if ((level != SOL_SOCKET && level != IPPROTO_TCP &&
	     !(o->fam6 && level == IPPROTO_IPV6 && name == IPV6_V6ONLY)) ||
	    !len)
		return REAL(getsockopt)(fd, level, name, val, len);
	if (!pl_acquire(fd, o))
		return -1;
	l = *len;
	rc = axip_getsockopt(pl_stack(), o->afd, level, name, val, &l);
	pl_unlock();
	if (rc == -AXIP_ENOPROTOOPT)
		return REAL(getsockopt)(fd, level, name, val, len);
	if (rc == 0)
		*len = l;
	return (int)pl_ret(rc);
}

static int name_of(int fd, struct sockaddr *sa, socklen_t *len, int peer)
{
	struct pl_obj *o = pl_get(fd);
	struct axip_sockaddr a;
	int rc;
	if (!o)
		return peer ? REAL(getpeername)(fd, sa, len) : REAL(getsockname)(fd, sa, len);
	if (!pl_acquire(fd, o))
		return -1;
	rc = peer ? axip_getpeername(pl_stack(), o->afd, &a) : axip_getsockname(pl_stack(), o->afd, &a);
	pl_unlock();
	if (rc == 0)
		pl_addr_out(&a, sa, len, o->v6);
	return (int)pl_ret(rc);
}

int getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	return name_of(fd, sa, len, 0);
}

int getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	return name_of(fd, sa, len, 1);
}

/* A new descriptor nfd (from dup/F_DUPFD) for the object of fd. */
static int dup_track(struct pl_obj *o, int nfd)
{
	if (nfd < 0)
		return nfd;
	pl_lock();
	if (set_fresh(nfd, o)) {
		pl_unlock();
		REAL(close)(nfd);
		errno = EMFILE;
		return -1;
	}
	pl_unlock();
	return nfd;
}

static int do_fcntl(int fd, int cmd, void *arg)
{
	struct pl_obj *o = pl_get(fd);
	int rc;
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		pl_kset_forget(fd); /* the copy names the same epoll set */
	if (o && o->shared_ph && cmd == F_SETFL) {
		/* the placeholder's file status flags are shared (placeholder()):
		 * O_NONBLOCK is the object's; the others mean nothing to axip */
		o->nonblock = !!((long)arg & O_NONBLOCK);
		return 0;
	}
	rc = REAL(fcntl)(fd, cmd, arg);
	if (!o || rc < 0)
		return rc;
	if (cmd == F_GETFL && o->shared_ph)
		return (rc & ~O_NONBLOCK) | (o->nonblock ? O_NONBLOCK : 0);
	if (cmd == F_SETFL)
		o->nonblock = !!((long)arg & O_NONBLOCK);
	else if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return dup_track(o, rc);
	return rc;
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

int ioctl(int fd, unsigned long req, ...)
{
	struct pl_obj *o = pl_get(fd);
	va_list ap;
	void *arg;
	int rc;
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!o)
		return REAL(ioctl)(fd, req, arg);
	if (req == FIONREAD || req == SIOCOUTQ) {
		if (!pl_acquire(fd, o))
			return -1;
		rc = req == FIONREAD ? axip_sock_nread(pl_stack(), o->afd)
		                     : axip_sock_nwrite(pl_stack(), o->afd);
		pl_unlock();
		if (rc < 0)
			return (int)pl_ret(rc);
		*(int *)arg = rc;
		return 0;
	}
	if (req == FIONBIO && o->shared_ph) {
		/* as F_SETFL (do_fcntl): not on the shared placeholder */
		if (!arg) {
			errno = EFAULT;
			return -1;
		}
		o->nonblock = !!*(int *)arg;
		return 0;
	}
	rc = REAL(ioctl)(fd, req, arg);
	if (rc == 0 && req == FIONBIO)
		o->nonblock = !!*(int *)arg;
	return rc;
}

int dup(int fd)
{
	struct pl_obj *o = pl_get(fd);
	pl_kset_forget(fd); /* the copy names the same epoll set */
	if (!o)
		return REAL(dup)(fd);
	return dup_track(o, REAL(dup)(fd));
}

/* dup2/dup3: newfd, if axip's, is closed first; then it names oldfd's object. */
static int dup_onto(int oldfd, int newfd, int flags, int three)
{
	struct pl_obj *o = pl_get(oldfd), *last;
	int rc;
	if (oldfd != newfd) {
		placeholder_forget(newfd);
		pl_kset_forget(oldfd); /* the copy names the same epoll set */
		pl_kset_forget(newfd); /* closed */
	}
	if (!o && !pl_get(newfd))
		return three ? REAL(dup3)(oldfd, newfd, flags) : REAL(dup2)(oldfd, newfd);
	if (oldfd == newfd)
		return three ? REAL(dup3)(oldfd, newfd, flags) : REAL(dup2)(oldfd, newfd);
	pl_lock();
	rc = three ? REAL(dup3)(oldfd, newfd, flags) : REAL(dup2)(oldfd, newfd);
	if (rc >= 0) {
		last = pl_unset(newfd);
		if (last)
			pl_release(last);
		if (o && pl_get(oldfd) == o)
			pl_set(newfd, o);
	}
	pl_unlock();
	return rc;
}

int dup2(int oldfd, int newfd)
{
	return dup_onto(oldfd, newfd, 0, 0);
}

int dup3(int oldfd, int newfd, int flags)
{
	return dup_onto(oldfd, newfd, flags, 1);
}
