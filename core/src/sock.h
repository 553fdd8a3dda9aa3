/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock.h (internal) - the socket layer's descriptor table, shared by
 * sock.c (table, common calls, options), sock_tcp.c (stream sockets),
 * sock_udp.c (datagram sockets) and sock_epoll.c (readiness, poll, epoll).
 *
 * Call order: TCP/UDP callbacks (from axip_rx/axip_poll or API calls) ->
 * sock_tcp.c / sock_udp.c queue data or change state -> sock_wake() ->
 * interest-set entries of the socket go on their set's ready list ->
 * axip_epoll_wait() reports them. Nothing here calls the application.
 */
#ifndef AXIP_SOCK_INTERNAL_H
#define AXIP_SOCK_INTERNAL_H

#include "stack_internal.h"
#include "../include/axip/sock.h"
#include "../include/axip/tcp.h"
#include "../include/axip/udp.h"

enum sock_kind { SK_FREE = 0, SK_TCP = 1, SK_UDP = 2, SK_EPOLL = 3 };

/* Socket state (what POSIX can observe; the TCP state is the core's). */
enum sock_state {
	SS_NEW = 0,       /* created, not bound */
	SS_BOUND,         /* bound, not connected or listening */
	SS_LISTEN,        /* TCP listener */
	SS_CONNECTING,    /* TCP handshake under way */
	SS_CONNECTED,     /* TCP established (or later); UDP with a default peer */
	SS_GONE           /* TCP connection ended (the core's handle is released) */
};

enum sock_flag {
	SF_REUSEADDR = 1u << 0,
	SF_SHUT_RD = 1u << 1,       /* shutdown(SHUT_RD): reads return 0 */
	SF_SHUT_WR = 1u << 2,       /* shutdown(SHUT_WR) */
	SF_EOF = 1u << 3,           /* the peer's FIN arrived */
	SF_CORK = 1u << 4,          /* TCP_CORK */
	SF_LINGER = 1u << 5,        /* SO_LINGER on */
	SF_CONN_REPORTED = 1u << 6, /* connect() already returned 0 after completion */
	SF_QUEUED = 1u << 7,        /* in a listener's accept queue */
	SF_WAS_CONNECTED = 1u << 8, /* reached ESTABLISHED at some point */
	SF_ACCEPTED = 1u << 9,      /* came from accept: shares its listener's port */
	SF_V6ONLY = 1u << 10        /* IPV6_V6ONLY: an AF_INET6 socket serves IPv6 only */
};

/* One socket in one interest set. */
struct sock_item {
	struct sock_item *snext;    /* next entry of the same socket */
	struct sock_item *rnext;    /* ready list of the set (or free list) */
	struct sock_item *rprev;
	axip_i32 fd;
	axip_i32 epfd;
	axip_u32 events;            /* interest, with AXIP_EV_ET / AXIP_EV_ONESHOT */
	axip_u64 data;
	axip_u8 on_ready;
	axip_u8 disarmed;           /* one-shot entry already reported */
};

struct sock {
	axip_u8 kind;               /* enum sock_kind */
	axip_u8 state;              /* enum sock_state */
	axip_u16 flags;             /* enum sock_flag */
	axip_i32 err;               /* pending error number (positive), 0 = none */
	axip_i32 fd;
	struct axip_stack *stack;   /* the instance (callbacks carry only the socket) */
	axip_i32 next_free;         /* free list / accept queue link (descriptor), -1 = end */
	struct axip_sockaddr local;
	struct axip_sockaddr peer;
	struct axip_sockaddr bound; /* the address bind() gave (port aside); zero = any */
	axip_u32 scope;             /* IPv6: the link-local scope named at bind/connect */
	struct sock_item *items;    /* interest-set entries of this socket */
	/* received data: TCP single-buffer views in order; UDP datagrams (head of
	 * each chain carries the sender in cb[0..1]); linked through `next` */
	struct axip_pkt *rx_head, *rx_tail;
	axip_u32 rx_bytes;          /* TCP payload bytes / UDP buffer bytes charged */
	axip_u32 rcvbuf;            /* UDP: queue limit in buffer bytes */
	axip_u32 linger_sec;
	axip_u32 mss_cap;           /* TCP_MAXSEG set before connect/listen; 0 = none */
	axip_u32 keep_idle_s;       /* TCP_KEEPIDLE / TCP_KEEPINTVL in seconds (opts has ns) */
	axip_u32 keep_intvl_s;
	struct axip_tcp_opts opts;  /* TCP options for the connection to come */
	struct axip_tcp *tcp;
	struct axip_tcp_listener *listener;
	struct axip_tcp_listener *listener4; /* a dual-stack socket's IPv4 listener */
	struct axip_udp *udp;
	/* listener: accept queue of descriptors */
	axip_i32 acc_head, acc_tail;
	axip_u32 acc_len, backlog;
	axip_i32 parent;            /* queued connection: its listener's descriptor */
	/* interest set */
	struct sock_item *ready_head, *ready_tail;
	axip_u32 ready_len;
};

struct sock_table {
	struct sock *socks;
	axip_u32 n;
	axip_i32 free_head;         /* LIFO of descriptors */
	struct sock_item *items;
	struct sock_item *item_free;
	axip_u32 udp_next_port;     /* cursor for ephemeral UDP ports */
	axip_u32 tcp_next_port;     /* cursor for ports of bind(port 0) */
	void (*notify)(void *arg, int fd);
	void *notify_arg;
};

void sock_carve(struct axip_stack *s, struct carve *c);

/* The socket behind fd, or NULL (fd out of range or free). */
struct sock *sock_get(struct axip_stack *s, int fd);
/* A new descriptor of `kind`; NULL (counter sock_table_full) when full. */
struct sock *sock_alloc(struct axip_stack *s, axip_u8 kind);
/* Return the descriptor to the table (its queues must be empty). */
void sock_release(struct axip_stack *s, struct sock *sk);
/* Free every queued buffer of sk. */
void sock_rx_purge(struct axip_stack *s, struct sock *sk);
/*
 * What a stream socket with local address `local` receives: IPv4 to addr4
 * (0 = any) and/or IPv6 to addr6 (all zero = any). An AF_INET6 socket bound
 * to :: without IPV6_V6ONLY covers both families (dual stack, as Linux);
 * one bound to an IPv4-mapped address (RFC 4291 2.5.5.2) covers IPv4 only.
 */
struct sock_scope {
	axip_u8 v4, v6;
	axip_u32 addr4;
	const axip_u8 *addr6;
};
void sock_scope_of(const struct sock *sk, const struct axip_sockaddr *local,
                   struct sock_scope *out);
/* Whether another stream socket holds `port` where a socket `self` with the
 * local address `local` would receive (bind rules: the families' address
 * spaces overlap, unless SO_REUSEADDR on both and the other one does not
 * listen). */
int sock_port_taken(struct axip_stack *s, const struct sock *self,
                    const struct axip_sockaddr *local, axip_u16 port);

/* IPv4-mapped IPv6 addresses (RFC 4291 2.5.5.2): ::ffff:a.b.c.d. */
static inline int sock_addr6_mapped(const axip_u8 *a)
{
	axip_u32 i;
	for (i = 0; i < 10u; i++)
		if (a[i])
			return 0;
	return a[10] == 0xffu && a[11] == 0xffu;
}
/* The IPv4 address (host order) inside a mapped address. */
static inline axip_u32 sock_mapped_v4(const axip_u8 *a)
{
	return (axip_u32)a[12] << 24 | (axip_u32)a[13] << 16 | (axip_u32)a[14] << 8 | a[15];
}
static inline void sock_map_v4(axip_u8 *out, axip_u32 v4)
{
	axip_u32 i;
	for (i = 0; i < 10u; i++)
		out[i] = 0;
	out[10] = out[11] = 0xffu;
	out[12] = (axip_u8)(v4 >> 24);
	out[13] = (axip_u8)(v4 >> 16);
	out[14] = (axip_u8)(v4 >> 8);
	out[15] = (axip_u8)v4;
}

/* Readiness changed: queue the socket's interest entries, tell the embedder. */
void sock_wake(struct axip_stack *s, struct sock *sk);
/* Remove the socket from every interest set (close). */
void sock_epoll_forget(struct axip_stack *s, struct sock *sk);
/* Close an interest set: drop its entries. */
void sock_epoll_close(struct axip_stack *s, struct sock *ep);

/* Per-kind parts (sock_tcp.c, sock_udp.c). */
axip_u32 sock_tcp_events(struct axip_stack *s, const struct sock *sk);
int sock_tcp_bind(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a);
int sock_tcp_bind_port(struct axip_stack *s, struct sock *sk);
int sock_tcp_listen(struct axip_stack *s, struct sock *sk, int backlog);
int sock_tcp_accept(struct axip_stack *s, struct sock *sk, struct axip_sockaddr *peer);
int sock_tcp_connect(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a);
int sock_tcp_recv(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  int flags);
int sock_tcp_recv_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt **chain,
                     axip_u32 max);
int sock_tcp_peek(struct axip_stack *s, struct sock *sk, const axip_u8 **data);
int sock_tcp_consume(struct axip_stack *s, struct sock *sk, axip_u32 n);
int sock_tcp_send(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  int flags);
int sock_tcp_send_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt *chain, int flags);
int sock_tcp_shutdown(struct axip_stack *s, struct sock *sk, int how);
void sock_tcp_close(struct axip_stack *s, struct sock *sk);
int sock_tcp_setopt(struct axip_stack *s, struct sock *sk, int name, axip_u32 v);
int sock_tcp_getopt(struct axip_stack *s, struct sock *sk, int name, void *val, axip_u32 *len);

axip_u32 sock_udp_events(struct axip_stack *s, const struct sock *sk);
int sock_udp_bind(struct axip_stack *s, struct sock *sk, axip_u32 addr, axip_u16 port);
int sock_udp_bind6(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a);
int sock_udp_connect(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a);
int sock_udp_recv(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  int flags, struct axip_sockaddr *from, int *out_flags);
int sock_udp_recv_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt **chain,
                     struct axip_sockaddr *from);
int sock_udp_send(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  const struct axip_sockaddr *to);
int sock_udp_send_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt *chain,
                     const struct axip_sockaddr *to);
int sock_udp_shutdown(struct axip_stack *s, struct sock *sk, int how);
void sock_udp_close(struct axip_stack *s, struct sock *sk);

/* Sum of the iovec lengths, capped at 2^31 - 1 (the most one call returns). */
axip_u32 sock_iov_len(const struct axip_iovec *iov, int n);

#endif
