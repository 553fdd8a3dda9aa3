/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/sock.h - POSIX-shaped sockets over the callback API.
 *
 * A per-instance table of small integer descriptors (0 .. sock_max-1, see
 * struct axip_config) naming TCP stream sockets, UDP datagram sockets and
 * interest sets (epoll-like). The calls mean what their POSIX namesakes mean,
 * with two differences that follow from the core never blocking:
 *  - every call is non-blocking: where POSIX would wait, the call returns
 *    -AXIP_EAGAIN (or -AXIP_EINPROGRESS for connect) and readiness says when
 *    to try again. Blocking is the embedder's: see axip_xdp_sock_wait() in
 *    <axip/xdp.h>, which drives the instance while it waits;
 *  - errors are returned, not stored: a call returns a value >= 0 on success
 *    and a negative error number -AXIP_Exxx on failure. The numbers equal
 *    Linux's errno values, so a Linux shim does `errno = -rc`.
 *
 * Threading: like the rest of the instance, the socket table belongs to the
 * one thread that drives the instance (axip_rx/axip_poll). Readiness changes
 * happen inside those calls and inside socket calls.
 *
 * Memory: nothing is allocated. Descriptors come from a table carved at
 * axip_init (config sock_max, counter sock_table_full when it is full);
 * interest-set entries from a pool (sock_epoll_items, counter
 * sock_epoll_items_full). Received TCP data stays in the received buffers
 * (zero copy) until read, bounded by the connection's receive window
 * (SO_RCVBUF); queued UDP datagrams are bounded by SO_RCVBUF bytes per
 * socket (sock_udp_rcvbuf_default; drops counted as sock_udp_rcvbuf_drop).
 * Sent TCP data is bounded by SO_SNDBUF (the connection's send buffer).
 *
 * Addresses: struct axip_sockaddr carries a family. AXIP_AF_INET6 sockets
 * work when the instance has IPv6 on (cfg.ip6_enable; without it they give
 * -AXIP_EAFNOSUPPORT). Datagram sockets: IPv4 and IPv6 UDP ports are
 * separate spaces (as IPV6_V6ONLY sockets). Stream sockets run over the
 * core's TCP over IPv6 and, as Linux with net.ipv6.bindv6only = 0, are dual
 * stack: one bound to :: without IPV6_V6ONLY also accepts IPv4 connections,
 * whose addresses show as IPv4-mapped ::ffff:a.b.c.d (RFC 4291 2.5.5.2) of
 * family AXIP_AF_INET6; connecting one to a mapped address makes an IPv4
 * connection; binding one to a mapped address makes it an IPv4 socket. Bind
 * conflicts follow: a dual-stack :: socket holds the port for IPv4 too
 * (EADDRINUSE against any IPv4 socket of the port), an IPV6_V6ONLY one or
 * one bound to an IPv6 address does not. The instance has one link, so a
 * link-local address's scope_id is not checked against interfaces: the one
 * given at bind (or connect) is kept and reported with link-local names;
 * other addresses report 0. See docs/sock.md.
 */
#ifndef AXIP_SOCK_H
#define AXIP_SOCK_H

#include "types.h"
#include "pkt.h"
#include "tcp.h"

struct axip_stack;

/* ---- error numbers (the values of Linux's errno) ---- */
#define AXIP_EPERM 1
#define AXIP_ENOENT 2
#define AXIP_EINTR 4
#define AXIP_EBADF 9
#define AXIP_EAGAIN 11
#define AXIP_EWOULDBLOCK AXIP_EAGAIN
#define AXIP_ENOMEM 12
#define AXIP_EFAULT 14
#define AXIP_EEXIST 17
#define AXIP_EINVAL 22
#define AXIP_ENFILE 23
#define AXIP_EMFILE 24
#define AXIP_EPIPE 32
#define AXIP_ENOTSOCK 88
#define AXIP_EDESTADDRREQ 89
#define AXIP_EMSGSIZE 90
#define AXIP_EPROTOTYPE 91
#define AXIP_ENOPROTOOPT 92
#define AXIP_EPROTONOSUPPORT 93
#define AXIP_EOPNOTSUPP 95
#define AXIP_EAFNOSUPPORT 97
#define AXIP_EADDRINUSE 98
#define AXIP_EADDRNOTAVAIL 99
#define AXIP_ENETUNREACH 101
#define AXIP_ECONNABORTED 103
#define AXIP_ECONNRESET 104
#define AXIP_ENOBUFS 105
#define AXIP_EISCONN 106
#define AXIP_ENOTCONN 107
#define AXIP_ETIMEDOUT 110
#define AXIP_ECONNREFUSED 111
#define AXIP_EHOSTUNREACH 113
#define AXIP_EALREADY 114
#define AXIP_EINPROGRESS 115

/* The error number (positive) for a core error code (enum axip_err). */
int axip_sock_errno(int axip_err);

/* ---- addresses ---- */
#define AXIP_AF_UNSPEC 0
#define AXIP_AF_INET 2
#define AXIP_AF_INET6 10

struct axip_sockaddr {
	axip_u16 family;        /* AXIP_AF_INET or AXIP_AF_INET6 */
	axip_u16 port;          /* host order; 0 = any (bind: ephemeral) */
	axip_u32 scope_id;      /* IPv6 link-local scope; 0 otherwise */
	union {
		axip_u32 v4;        /* host order, as AXIP_IP4(); 0 = any */
		axip_u8 v6[16];     /* network order */
	} addr;
};

/* ---- socket types, levels, options, flags (Linux's values) ---- */
#define AXIP_SOCK_STREAM 1
#define AXIP_SOCK_DGRAM 2

#define AXIP_IPPROTO_TCP 6
#define AXIP_IPPROTO_UDP 17
#define AXIP_IPPROTO_IPV6 41
#define AXIP_SOL_SOCKET 1

#define AXIP_SO_REUSEADDR 2
#define AXIP_SO_TYPE 3
#define AXIP_SO_ERROR 4          /* get: the pending error number, cleared by reading */
#define AXIP_SO_SNDBUF 7
#define AXIP_SO_RCVBUF 8
#define AXIP_SO_KEEPALIVE 9
#define AXIP_SO_LINGER 13        /* struct axip_linger */
#define AXIP_SO_REUSEPORT 15     /* accepted as SO_REUSEADDR; one instance per core needs no sharing */
#define AXIP_SO_ACCEPTCONN 30
#define AXIP_SO_PROTOCOL 38
#define AXIP_SO_DOMAIN 39

#define AXIP_TCP_NODELAY 1
#define AXIP_TCP_MAXSEG 2        /* get: the send MSS; set before connect/listen: cap on the MSS */
#define AXIP_TCP_CORK 3
#define AXIP_TCP_KEEPIDLE 4      /* seconds */
#define AXIP_TCP_KEEPINTVL 5     /* seconds */
#define AXIP_TCP_KEEPCNT 6
#define AXIP_TCP_INFO 11         /* get: struct axip_tcp_info (axip's layout, see tcp.h) */

#define AXIP_IPV6_V6ONLY 26      /* AF_INET6 only; set before bind/connect/listen (EINVAL after) */

/* Option values are int unless said otherwise (POSIX), 4 bytes. */
struct axip_linger {
	int onoff;               /* 1 = linger */
	int seconds;             /* 0 with onoff = close resets (abortive) */
};

/* recv/send flags */
#define AXIP_MSG_PEEK 0x2        /* recv: leave the data queued */
#define AXIP_MSG_TRUNC 0x20      /* recv (UDP): return the datagram's full length; out: truncated */
#define AXIP_MSG_DONTWAIT 0x40   /* accepted; every call is non-blocking */
#define AXIP_MSG_WAITALL 0x100   /* accepted; the embedder's blocking helper loops */
#define AXIP_MSG_NOSIGNAL 0x4000 /* accepted; the core raises no signal (EPIPE is returned) */
#define AXIP_MSG_MORE 0x8000     /* send: more follows at once (cork this write) */

#define AXIP_SHUT_RD 0
#define AXIP_SHUT_WR 1
#define AXIP_SHUT_RDWR 2

/* ---- readiness (epoll's bit values; poll's for the first five) ---- */
#define AXIP_EV_IN 0x001u        /* readable: data, end of stream, a connection to accept */
#define AXIP_EV_PRI 0x002u       /* never set (no urgent data) */
#define AXIP_EV_OUT 0x004u       /* writable: connected and send-buffer space */
#define AXIP_EV_ERR 0x008u       /* a pending error (SO_ERROR); always reported */
#define AXIP_EV_HUP 0x010u       /* both directions finished, or the connection is gone; always reported */
#define AXIP_EV_RDHUP 0x2000u    /* the peer shut down its sending side (FIN) */
#define AXIP_EV_ONESHOT (1u << 30) /* interest: disarm after one report until MOD */
#define AXIP_EV_ET (1u << 31)      /* interest: edge-triggered (report changes only) */

/* Readiness of one descriptor now (the AXIP_EV_* bits above, without ET/ONESHOT). */
int axip_sock_events(struct axip_stack *s, int fd);

/* ---- descriptors ---- */

/*
 * A new socket: family AXIP_AF_INET or AXIP_AF_INET6 (with cfg.ip6_enable),
 * type AXIP_SOCK_STREAM (protocol 0 or AXIP_IPPROTO_TCP) or AXIP_SOCK_DGRAM
 * (0 or AXIP_IPPROTO_UDP). Returns the descriptor. Errors: EAFNOSUPPORT,
 * EPROTOTYPE / EPROTONOSUPPORT (type, protocol), EMFILE (table full,
 * counter sock_table_full).
 */
int axip_socket(struct axip_stack *s, int family, int type, int protocol);

/*
 * Bind to a local address and port (port 0: an ephemeral port is chosen
 * now). The address must be 0 / :: or one of the instance's (IPv6: usable
 * now, not tentative); an AF_INET6 stream socket may also take an
 * IPv4-mapped address of the instance (or ::ffff:0.0.0.0). Errors: EINVAL
 * (already bound; a mapped address with IPV6_V6ONLY), EADDRNOTAVAIL (not a
 * local address), EADDRINUSE (another socket holds the port where this one
 * would receive, unless both set SO_REUSEADDR and neither listens; UDP
 * ports are never shared, unlike Linux, where SO_REUSEADDR lets UDP sockets
 * share one), EAFNOSUPPORT (the address's family is not the socket's).
 */
int axip_bind(struct axip_stack *s, int fd, const struct axip_sockaddr *addr);

/*
 * Listen (TCP). backlog bounds connections handshaken but not yet accepted:
 * as Linux, backlog + 1 are queued (0 queues one); values above
 * sock_accept_max, and negative ones, mean sock_accept_max (as Linux caps
 * at somaxconn); beyond it new connections are reset (counter
 * sock_accept_queue_full). An unbound socket gets an ephemeral port.
 * Errors: EOPNOTSUPP (UDP), EINVAL (connected), EADDRINUSE.
 */
int axip_listen(struct axip_stack *s, int fd, int backlog);

/*
 * Take one handshaken connection: returns its new descriptor and fills
 * *peer (may be NULL). Errors: EAGAIN (none yet), EINVAL (not listening),
 * EOPNOTSUPP (UDP). The descriptor is taken when the handshake completes,
 * not here: a connection that finds the table full is reset then (counter
 * sock_table_full), so accept itself never gives EMFILE; until accepted the
 * descriptor names nothing (EBADF).
 */
int axip_accept(struct axip_stack *s, int fd, struct axip_sockaddr *peer);

/*
 * TCP: start the handshake; returns -EINPROGRESS. Completion shows as
 * AXIP_EV_OUT, failure as AXIP_EV_ERR|AXIP_EV_HUP with the reason in SO_ERROR
 * (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH). Calling again: EALREADY while in
 * progress, 0 once after completion then EISCONN, or the pending error.
 * An AF_INET6 stream socket connects over IPv6 from its bound address (or
 * the one selected for the destination), or over IPv4 to an IPv4-mapped
 * address (ENETUNREACH with IPV6_V6ONLY or when bound to an IPv6 address).
 * UDP: set the default destination and the only source datagrams are
 * accepted from (family AXIP_AF_UNSPEC dissolves it). Errors: ENETUNREACH
 * (no route; IPv6 ::, ::1 or a group), EADDRNOTAVAIL (no ephemeral port),
 * EADDRINUSE, ENOBUFS, EISCONN, EAFNOSUPPORT (the address's family is not
 * the socket's), EINVAL (a link-local destination whose scope_id differs
 * from the one the socket is bound to).
 */
int axip_connect(struct axip_stack *s, int fd, const struct axip_sockaddr *addr);

/* A piece of application memory, as struct iovec. */
struct axip_iovec {
	void *base;
	axip_size len;
};

/*
 * Receive into iov[0..iovcnt). TCP: returns the bytes copied, 0 at end of
 * stream (peer's FIN, or SHUT_RD), EAGAIN when nothing is queued, a pending
 * error (ECONNRESET, ETIMEDOUT) once, ENOTCONN before connecting.
 * UDP: one datagram per call; a datagram longer than the buffers is cut
 * (AXIP_MSG_TRUNC set in *out_flags; with MSG_TRUNC in flags the full length
 * is returned). *from (may be NULL) gets the sender; *out_flags may be NULL.
 * MSG_PEEK leaves the data queued.
 */
int axip_recvmsg(struct axip_stack *s, int fd, const struct axip_iovec *iov, int iovcnt,
                 int flags, struct axip_sockaddr *from, int *out_flags);
int axip_recvfrom(struct axip_stack *s, int fd, void *buf, axip_size len, int flags,
                  struct axip_sockaddr *from);
int axip_recv(struct axip_stack *s, int fd, void *buf, axip_size len, int flags);

/*
 * Send from iov[0..iovcnt). TCP: copies what the send buffer takes now and
 * returns that count (a partial write), EAGAIN when it takes nothing (also
 * while the handshake is under way), EPIPE after shutdown(SHUT_WR), when the
 * connection is gone or was never made (as Linux), a pending error once;
 * ENOBUFS when the packet pool or the embedder's buffers are exhausted.
 * UDP: one datagram to `to` (or the connected peer; EDESTADDRREQ without
 * either); EMSGSIZE beyond 65507 bytes; ENOBUFS when buffers are short.
 * MSG_MORE corks this write (TCP).
 */
int axip_sendmsg(struct axip_stack *s, int fd, const struct axip_iovec *iov, int iovcnt,
                 int flags, const struct axip_sockaddr *to);
int axip_sendto(struct axip_stack *s, int fd, const void *buf, axip_size len, int flags,
                const struct axip_sockaddr *to);
int axip_send(struct axip_stack *s, int fd, const void *buf, axip_size len, int flags);

/*
 * Zero-copy receive: hands over up to `max` bytes (TCP; 0 = all queued) or
 * one datagram (UDP) as an sg chain of views into the received buffers.
 * The caller OWNS *chain and releases it with axip_pkt_free(). TCP bytes
 * handed over count as read (the window reopens at once), so buffers the
 * application holds are bounded by the packet pool and the embedder's
 * buffers, not by the window. Returns the bytes, 0 at end of stream, or an
 * error as axip_recvmsg.
 */
int axip_recv_zc(struct axip_stack *s, int fd, struct axip_pkt **chain, axip_u32 max,
                 struct axip_sockaddr *from);

/*
 * Zero-copy parsing in place (TCP): axip_recv_peek points *data at the first
 * contiguous piece of the queued bytes, inside the received buffer, and
 * returns its length (> 0) without consuming it; 0 at end of stream, or an
 * error as axip_recvmsg (EAGAIN when nothing is queued). *data stays valid
 * until the next call on the socket that reads, consumes, shuts down or
 * closes. axip_recv_consume drops the first n queued bytes (n at most
 * axip_sock_nread) and reopens the window by them: data left unconsumed
 * keeps the window closed, which is how a parser that waits holds its
 * peer back. Returns n, or EINVAL (more than queued, or not TCP).
 */
int axip_recv_peek(struct axip_stack *s, int fd, const axip_u8 **data);
int axip_recv_consume(struct axip_stack *s, int fd, axip_u32 n);

/*
 * Zero-copy send: queue the payload held by `chain` (buffers from
 * axip_pkt_alloc(), AXIP_PKT_HEADROOM headroom for UDP). On success (the
 * byte count) the core owns `chain`. TCP: the whole chain or nothing
 * (EAGAIN when it does not fit the send buffer); on any error the caller
 * keeps `chain`. UDP: ownership passes in every case, as axip_udp_send_pkt.
 */
int axip_send_zc(struct axip_stack *s, int fd, struct axip_pkt *chain, int flags,
                 const struct axip_sockaddr *to);

/*
 * Shut down reading (queued and later data is discarded, reads return 0),
 * writing (FIN after the queued data) or both. Errors: ENOTCONN, EINVAL.
 */
int axip_shutdown(struct axip_stack *s, int fd, int how);

/*
 * Release the descriptor. TCP: a graceful close (FIN after queued data; the
 * connection finishes in the core without its descriptor). It resets
 * instead (RFC 9293 3.10.4, RFC 2525 2.17) when unread data is queued or
 * SO_LINGER is on with 0 seconds. A lingering close does not wait (the core
 * never blocks): it is graceful. A listener resets connections not yet
 * accepted. The descriptor leaves every interest set. Errors: EBADF.
 */
int axip_close(struct axip_stack *s, int fd);

int axip_getsockname(struct axip_stack *s, int fd, struct axip_sockaddr *out);
/* Errors: ENOTCONN when not connected (also while connecting, and once the
 * connection has ended: reset, timed out or closed both ways, as Linux). */
int axip_getpeername(struct axip_stack *s, int fd, struct axip_sockaddr *out);

/*
 * Options at levels AXIP_SOL_SOCKET, AXIP_IPPROTO_TCP and, for AF_INET6
 * sockets, AXIP_IPPROTO_IPV6 (names above). IPV6_V6ONLY is 0 by default
 * (dual stack); it can change only before the socket has a port (EINVAL
 * after bind, connect or listen, as Linux); datagram sockets are IPv6 only
 * (get 1; setting 0 gives EOPNOTSUPP). *len is in/out for get. Errors:
 * ENOPROTOOPT (unknown; IPPROTO_IPV6 on an AF_INET socket), EINVAL
 * (length, value), EBADF.
 */
int axip_setsockopt(struct axip_stack *s, int fd, int level, int name, const void *val,
                    axip_u32 len);
int axip_getsockopt(struct axip_stack *s, int fd, int level, int name, void *val,
                    axip_u32 *len);

/* Bytes a read would return now (FIONREAD): TCP queued bytes; UDP the
 * length of the next datagram (0 if none). */
int axip_sock_nread(struct axip_stack *s, int fd);
/* Bytes sent but not yet acknowledged plus bytes not yet sent (SIOCOUTQ). */
int axip_sock_nwrite(struct axip_stack *s, int fd);
/* Bytes a TCP send would take now (send-buffer space; 0 when not connected);
 * UDP: the largest datagram. With it a zero-copy relay reads no more than it
 * can send (axip_recv_zc with this as max, then axip_send_zc). */
int axip_sock_wspace(struct axip_stack *s, int fd);

/* The TCP connection under a stream socket (NULL when there is none), for
 * the zero-copy and tuning calls of tcp.h. Valid until the next call into
 * the instance. */
struct axip_tcp *axip_sock_tcp(struct axip_stack *s, int fd);

/* ---- poll ---- */
struct axip_pollfd {
	int fd;
	axip_u16 events;         /* AXIP_EV_IN / OUT / RDHUP / PRI */
	axip_u16 revents;        /* out: also ERR, HUP; AXIP_EV_NVAL for a bad fd */
};
#define AXIP_EV_NVAL 0x020u
/* Fill revents of each entry; returns how many have a non-zero revents. */
int axip_sock_poll(struct axip_stack *s, struct axip_pollfd *fds, axip_u32 n);

/* ---- interest sets (epoll) ---- */
#define AXIP_EPOLL_CTL_ADD 1
#define AXIP_EPOLL_CTL_DEL 2
#define AXIP_EPOLL_CTL_MOD 3

struct axip_epoll_event {
	axip_u32 events;         /* interest (with ET/ONESHOT) in, readiness out */
	axip_u64 data;           /* the caller's, returned with the event */
};

/* A new interest set: returns its descriptor (from the same table). Errors: EMFILE. */
int axip_epoll_create(struct axip_stack *s);
/*
 * Add, change or remove a socket. Errors: EBADF, EINVAL (epfd is no
 * interest set, fd is one), EEXIST (ADD twice), ENOENT (MOD/DEL of a
 * socket not in the set), ENOMEM (entry pool full, counter
 * sock_epoll_items_full). Closing a socket removes it from every set.
 */
int axip_epoll_ctl(struct axip_stack *s, int epfd, int op, int fd,
                   const struct axip_epoll_event *ev);
/*
 * Ready sockets, at most `max`; never waits (0 = none ready). Costs
 * O(sockets that became ready), not O(sockets in the set). Level-triggered
 * entries stay reported while ready; edge-triggered ones once per change
 * (data arriving, space freed, a state change); one-shot ones once until
 * re-armed with MOD.
 */
int axip_epoll_wait(struct axip_stack *s, int epfd, struct axip_epoll_event *events, int max);
/* Whether axip_epoll_wait would report something now (cheap; for waiting loops). */
int axip_epoll_ready(struct axip_stack *s, int epfd);

/*
 * Optional: fn(arg, fd) is called whenever a socket's readiness may have
 * changed (from inside axip_rx/axip_poll and socket calls), so an embedder
 * that waits in another thread or in the kernel can wake. fn NULL removes it.
 */
void axip_sock_set_notify(struct axip_stack *s, void (*fn)(void *arg, int fd), void *arg);

#endif
