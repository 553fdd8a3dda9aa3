/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock_udp.c - datagram sockets over the UDP callback API (axip/udp.h).
 *
 * Each received datagram stays in its buffers, queued on the socket whole
 * (the chain's head carries the sender: cb[0..3] the address, IPv4 in cb[0]
 * or IPv6's 16 bytes, cb[4] the port, cb[5] the charge). Sockets of family
 * AXIP_AF_INET6 use the core's IPv6 UDP calls (axip_udp_open6 ...) and
 * serve IPv6 only (IPV6_V6ONLY reads 1; mapped addresses are refused). The
 * queue is bounded by SO_RCVBUF counted in buffer bytes (what the datagram
 * really holds, headroom and tailroom included), so many tiny datagrams
 * cannot pin the embedder's buffers; beyond it datagrams are dropped and
 * counted (sock_udp_rcvbuf_drop), as RFC 768 allows.
 */
#include "sock.h"
#include "wire.h"
#include "udp.h"
#include "ipv6.h"

#define UDP_MAX_PAYLOAD 65507u

/* Buffer bytes a datagram holds (its charge against SO_RCVBUF). */
static axip_u32 charge(const struct axip_pkt *p)
{
	axip_u32 n = 0;
	for (; p; p = p->sg_next)
		n += p->headroom + p->len + p->tailroom;
	return n;
}

/* The sender of a datagram the core handed over, as a socket address. */
static void meta_source(const struct axip_udp_meta *m, struct axip_sockaddr *a)
{
	mem_zero(a, sizeof(*a));
	a->port = m->src_port;
	if (m->family == 6) {
		a->family = AXIP_AF_INET6;
		mem_copy(a->addr.v6, m->src_addr6, 16);
	} else {
		a->family = AXIP_AF_INET;
		a->addr.v4 = m->src_addr;
	}
}

static int same_addr(const struct axip_sockaddr *a, const struct axip_sockaddr *b)
{
	if (a->family != b->family || a->port != b->port)
		return 0;
	return a->family == AXIP_AF_INET6 ? mem_equal(a->addr.v6, b->addr.v6, 16)
	                                  : a->addr.v4 == b->addr.v4;
}

static void store_sender(struct axip_pkt *p, const struct axip_sockaddr *a, axip_u32 cost)
{
	mem_zero(p->cb, 16);
	if (a->family == AXIP_AF_INET6)
		mem_copy(p->cb, a->addr.v6, 16);
	else
		p->cb[0] = a->addr.v4;
	p->cb[4] = a->port;
	p->cb[5] = cost;
}

static void load_sender(const struct sock *sk, const struct axip_pkt *p, struct axip_sockaddr *a)
{
	mem_zero(a, sizeof(*a));
	a->family = sk->local.family;
	if (a->family == AXIP_AF_INET6)
		mem_copy(a->addr.v6, p->cb, 16);
	else
		a->addr.v4 = p->cb[0];
	a->port = (axip_u16)p->cb[4];
}

static void on_datagram(void *arg, struct axip_udp *u, const struct axip_udp_meta *meta,
                        struct axip_pkt *payload)
{
	struct sock *sk = (struct sock *)arg;
	struct axip_stack *s = sk->stack;
	axip_u32 cost = charge(payload);
	struct axip_sockaddr from;
	(void)u;

	if (sk->flags & SF_SHUT_RD) {
		axip_pkt_free(s, payload);
		return;
	}
	/* a connected socket takes datagrams from its peer only (POSIX connect) */
	meta_source(meta, &from);
	if (sk->state == SS_CONNECTED && !same_addr(&from, &sk->peer)) {
		CTR_INC(s, sock_udp_not_peer);
		axip_pkt_free(s, payload);
		return;
	}
	if (sk->rx_bytes + cost > sk->rcvbuf) {
		CTR_INC(s, sock_udp_rcvbuf_drop);
		axip_pkt_free(s, payload);
		return;
	}
	store_sender(payload, &from, cost);
	payload->next = AXIP_NULL;
	if (sk->rx_tail)
		sk->rx_tail->next = payload;
	else
		sk->rx_head = payload;
	sk->rx_tail = payload;
	sk->rx_bytes += cost;
	sock_wake(s, sk);
}

/* RFC 1122 4.1.3.3: ICMP errors reach the application; as Linux, only a
 * connected socket reports them (an unconnected one cannot tell whose). */
static void on_error(void *arg, struct axip_udp *u, const struct axip_udp_meta *meta, int err)
{
	struct sock *sk = (struct sock *)arg;
	struct axip_sockaddr to;
	(void)u;
	/* the datagram the error quotes went to meta's destination */
	mem_zero(&to, sizeof(to));
	to.port = meta->dst_port;
	to.family = meta->family == 6 ? AXIP_AF_INET6 : AXIP_AF_INET;
	if (meta->family == 6)
		mem_copy(to.addr.v6, meta->dst_addr6, 16);
	else
		to.addr.v4 = meta->dst_addr;
	if (sk->state != SS_CONNECTED || !same_addr(&to, &sk->peer))
		return;
	sk->err = axip_sock_errno(err);
	sock_wake(sk->stack, sk);
}

axip_u32 sock_udp_events(struct axip_stack *s, const struct sock *sk)
{
	axip_u32 ev = 0;
	(void)s;
	if (sk->err)
		ev |= AXIP_EV_ERR;
	if (sk->rx_head || (sk->flags & SF_SHUT_RD))
		ev |= AXIP_EV_IN;
	if (sk->flags & SF_SHUT_RD)
		ev |= AXIP_EV_RDHUP;
	ev |= AXIP_EV_OUT;
	if ((sk->flags & SF_SHUT_RD) && (sk->flags & SF_SHUT_WR))
		ev |= AXIP_EV_HUP;
	return ev;
}

/* Open the core socket of sk's family on (addr, port). */
static int udp_open(struct axip_stack *s, struct sock *sk, axip_u32 addr, const axip_u8 *addr6,
                    axip_u16 port)
{
	if (sk->local.family == AXIP_AF_INET6)
		return axip_udp_open6(s, addr6, port, on_datagram, sk, &sk->udp);
	return axip_udp_open(s, addr, port, on_datagram, sk, &sk->udp);
}

/* Bind to (addr or addr6, port); port 0 picks a free ephemeral one. */
static int udp_bind(struct axip_stack *s, struct sock *sk, axip_u32 addr, const axip_u8 *addr6,
                    axip_u16 port)
{
	struct sock_table *t = s->sock;
	int rc;

	if (sk->udp)
		return -AXIP_EINVAL;
	if (port) {
		rc = udp_open(s, sk, addr, addr6, port);
	} else {
		axip_u32 lo = s->cfg.tcp_ephemeral_lo;
		axip_u32 num = (axip_u32)s->cfg.tcp_ephemeral_hi - lo + 1u, i;
		rc = AXIP_E_ADDRINUSE;
		for (i = 0; i < num && rc == AXIP_E_ADDRINUSE; i++) {
			port = (axip_u16)(lo + (t->udp_next_port++ % num));
			rc = udp_open(s, sk, addr, addr6, port);
		}
	}
	if (rc != AXIP_OK)
		return rc == AXIP_E_NOMEM ? -AXIP_ENOBUFS : -axip_sock_errno(rc);
	axip_udp_set_error_cb(sk->udp, on_error, sk);
	if (addr6)
		mem_copy(sk->local.addr.v6, addr6, 16);
	else if (sk->local.family == AXIP_AF_INET)
		sk->local.addr.v4 = addr;
	sk->local.port = port;
	if (sk->state == SS_NEW)
		sk->state = SS_BOUND;
	return 0;
}

int sock_udp_bind(struct axip_stack *s, struct sock *sk, axip_u32 addr, axip_u16 port)
{
	return udp_bind(s, sk, addr, AXIP_NULL, port);
}

static int all_zero(const axip_u8 *a)
{
	axip_u32 i;
	for (i = 0; i < 16; i++)
		if (a[i])
			return 0;
	return 1;
}

int sock_udp_bind6(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a)
{
	if (all_zero(a->addr.v6))
		return udp_bind(s, sk, 0, AXIP_NULL, a->port);
	/* as Linux: an IPv4-mapped address on an IPV6_V6ONLY socket */
	if (sock_addr6_mapped(a->addr.v6))
		return -AXIP_EINVAL;
	if (!ipv6_is_local(s, a->addr.v6))
		return -AXIP_EADDRNOTAVAIL;
	return udp_bind(s, sk, 0, a->addr.v6, a->port);
}

/* A socket that sends or connects before bind gets an ephemeral port. */
static int autobind(struct axip_stack *s, struct sock *sk)
{
	return udp_bind(s, sk, 0, AXIP_NULL, 0);
}

/* A usable destination: the socket's family, a port, an address. */
static int dest_valid(const struct sock *sk, const struct axip_sockaddr *a)
{
	if (a->family != sk->local.family)
		return -AXIP_EAFNOSUPPORT;
	/* as Linux for an IPV6_V6ONLY socket: an IPv4-mapped address (RFC 4291
	 * 2.5.5.2) is IPv4, which this socket does not reach */
	if (a->family == AXIP_AF_INET6 && sock_addr6_mapped(a->addr.v6))
		return -AXIP_ENETUNREACH;
	if (a->port == 0)
		return -AXIP_EINVAL;
	if (a->family == AXIP_AF_INET6 ? all_zero(a->addr.v6) : a->addr.v4 == 0)
		return -AXIP_EINVAL;
	return 0;
}

int sock_udp_connect(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a)
{
	int rc;
	if (a->family == AXIP_AF_UNSPEC) {
		/* POSIX: connecting to AF_UNSPEC dissolves the association */
		if (sk->state == SS_CONNECTED)
			sk->state = SS_BOUND;
		mem_zero(&sk->peer, sizeof(sk->peer));
		return 0;
	}
	rc = dest_valid(sk, a);
	if (rc)
		return rc;
	if (!sk->udp) {
		rc = autobind(s, sk);
		if (rc)
			return rc;
	}
	sk->peer = *a;
	sk->state = SS_CONNECTED;
	return 0;
}

int sock_udp_recv(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  int flags, struct axip_sockaddr *from, int *out_flags)
{
	struct axip_pkt *p = sk->rx_head;
	axip_u32 len, done = 0, want = sock_iov_len(iov, n);
	int i, e;

	if (!p) {
		if (sk->err) {
			e = sk->err;
			sk->err = 0;
			return -e;
		}
		return (sk->flags & SF_SHUT_RD) ? 0 : -AXIP_EAGAIN;
	}
	len = axip_pkt_chain_len(p);
	for (i = 0; i < n && done < len; i++) {
		axip_u32 k = iov[i].len < len - done ? (axip_u32)iov[i].len : len - done;
		done += axip_pkt_copy_out(p, done, iov[i].base, k);
	}
	if (out_flags && len > want)
		*out_flags |= AXIP_MSG_TRUNC;
	if (from)
		load_sender(sk, p, from);
	if (!(flags & AXIP_MSG_PEEK)) {
		sk->rx_head = p->next;
		if (!sk->rx_head)
			sk->rx_tail = AXIP_NULL;
		sk->rx_bytes -= p->cb[5];
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
	}
	return (int)((flags & AXIP_MSG_TRUNC) ? len : done);
}

int sock_udp_recv_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt **chain,
                     struct axip_sockaddr *from)
{
	struct axip_pkt *p = sk->rx_head;
	(void)s;
	if (!p)
		return sock_udp_recv(s, sk, AXIP_NULL, 0, 0, AXIP_NULL, AXIP_NULL);
	if (from)
		load_sender(sk, p, from);
	sk->rx_head = p->next;
	if (!sk->rx_head)
		sk->rx_tail = AXIP_NULL;
	sk->rx_bytes -= p->cb[5];
	p->next = AXIP_NULL;
	*chain = p;
	return (int)axip_pkt_chain_len(p);
}

/* The destination of a send: `to`, else the connected peer. */
static int destination(const struct sock *sk, const struct axip_sockaddr *to,
                       const struct axip_sockaddr **dst)
{
	if (to) {
		*dst = to;
		return dest_valid(sk, to);
	}
	if (sk->state != SS_CONNECTED)
		return -AXIP_EDESTADDRREQ;
	*dst = &sk->peer;
	return 0;
}

/* Errors of the UDP send path as error numbers. */
static int send_errno(int rc)
{
	if (rc == AXIP_E_UNREACH)
		return -AXIP_ENETUNREACH;
	if (rc == AXIP_E_NOMEM)
		return -AXIP_ENOBUFS;
	return -axip_sock_errno(rc);
}

static int send_ready(struct axip_stack *s, struct sock *sk)
{
	int e;
	if (sk->flags & SF_SHUT_WR)
		return -AXIP_EPIPE;
	if (sk->err) {
		e = sk->err;
		sk->err = 0;
		return -e;
	}
	return sk->udp ? 0 : autobind(s, sk);
}

int sock_udp_send(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  const struct axip_sockaddr *to)
{
	const struct axip_sockaddr *d;
	axip_u32 len = sock_iov_len(iov, n);
	int rc = destination(sk, to, &d);

	if (rc)
		return rc;
	/* IPv6 carries up to 65535 - 8 bytes without jumbograms (RFC 8200 3) */
	if (len > (d->family == AXIP_AF_INET6 ? 65527u : UDP_MAX_PAYLOAD))
		return -AXIP_EMSGSIZE;
	rc = send_ready(s, sk);
	if (rc)
		return rc;
	if (d->family == AXIP_AF_INET6)
		rc = udp_sendv6(sk->udp, d->addr.v6, d->port, iov, n, len);
	else
		rc = udp_sendv(sk->udp, d->addr.v4, d->port, iov, n, len);
	return rc == AXIP_OK ? (int)len : send_errno(rc);
}

int sock_udp_send_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt *chain,
                     const struct axip_sockaddr *to)
{
	const struct axip_sockaddr *d;
	axip_u32 len = axip_pkt_chain_len(chain);
	int rc = destination(sk, to, &d);

	if (rc == 0)
		rc = send_ready(s, sk);
	if (rc) {
		axip_pkt_free(s, chain); /* ownership passes in every case */
		return rc;
	}
	if (d->family == AXIP_AF_INET6)
		rc = axip_udp_send_pkt6(sk->udp, d->addr.v6, d->port, chain);
	else
		rc = axip_udp_send_pkt(sk->udp, d->addr.v4, d->port, chain);
	return rc == AXIP_OK ? (int)len : send_errno(rc);
}

int sock_udp_shutdown(struct axip_stack *s, struct sock *sk, int how)
{
	if (sk->state != SS_CONNECTED)
		return -AXIP_ENOTCONN;
	if (how == AXIP_SHUT_RD || how == AXIP_SHUT_RDWR) {
		sk->flags |= SF_SHUT_RD;
		sock_rx_purge(s, sk);
	}
	if (how == AXIP_SHUT_WR || how == AXIP_SHUT_RDWR)
		sk->flags |= SF_SHUT_WR;
	return 0;
}

void sock_udp_close(struct axip_stack *s, struct sock *sk)
{
	(void)s;
	if (sk->udp)
		axip_udp_close(sk->udp);
	sk->udp = AXIP_NULL;
}
