/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock_udp.c - datagram sockets over the UDP callback API (axip/udp.h).
 *
 * Each received datagram stays in its buffers, queued on the socket whole
 * (the chain's head carries the sender: cb[0] address, cb[1] port). The
 * queue is bounded by SO_RCVBUF counted in buffer bytes (what the datagram
 * really holds, headroom and tailroom included), so many tiny datagrams
 * cannot pin the embedder's buffers; beyond it datagrams are dropped and
 * counted (sock_udp_rcvbuf_drop), as RFC 768 allows.
 */
#include "sock.h"
#include "wire.h"
#include "udp.h"

#define UDP_MAX_PAYLOAD 65507u

/* Buffer bytes a datagram holds (its charge against SO_RCVBUF). */
static axip_u32 charge(const struct axip_pkt *p)
{
	axip_u32 n = 0;
	for (; p; p = p->sg_next)
		n += p->headroom + p->len + p->tailroom;
	return n;
}

static void on_datagram(void *arg, struct axip_udp *u, const struct axip_udp_meta *meta,
                        struct axip_pkt *payload)
{
	struct sock *sk = (struct sock *)arg;
	struct axip_stack *s = sk->stack;
	axip_u32 cost = charge(payload);
	(void)u;

	if (sk->flags & SF_SHUT_RD) {
		axip_pkt_free(s, payload);
		return;
	}
	/* a connected socket takes datagrams from its peer only (POSIX connect) */
	if (sk->state == SS_CONNECTED &&
	    (meta->src_addr != sk->peer.addr.v4 || meta->src_port != sk->peer.port)) {
		CTR_INC(s, sock_udp_not_peer);
		axip_pkt_free(s, payload);
		return;
	}
	if (sk->rx_bytes + cost > sk->rcvbuf) {
		CTR_INC(s, sock_udp_rcvbuf_drop);
		axip_pkt_free(s, payload);
		return;
	}
	payload->cb[0] = meta->src_addr;
	payload->cb[1] = meta->src_port;
	payload->cb[2] = cost;
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
	(void)u;
	if (sk->state != SS_CONNECTED || meta->dst_addr != sk->peer.addr.v4 ||
	    meta->dst_port != sk->peer.port)
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

int sock_udp_bind(struct axip_stack *s, struct sock *sk, axip_u32 addr, axip_u16 port)
{
	struct sock_table *t = s->sock;
	int rc;

	if (sk->udp)
		return -AXIP_EINVAL;
	if (port) {
		rc = axip_udp_open(s, addr, port, on_datagram, sk, &sk->udp);
	} else {
		axip_u32 lo = s->cfg.tcp_ephemeral_lo;
		axip_u32 num = (axip_u32)s->cfg.tcp_ephemeral_hi - lo + 1u, i;
		rc = AXIP_E_ADDRINUSE;
		for (i = 0; i < num && rc == AXIP_E_ADDRINUSE; i++) {
			port = (axip_u16)(lo + (t->udp_next_port++ % num));
			rc = axip_udp_open(s, addr, port, on_datagram, sk, &sk->udp);
		}
	}
	if (rc != AXIP_OK)
		return rc == AXIP_E_NOMEM ? -AXIP_ENOBUFS : -axip_sock_errno(rc);
	axip_udp_set_error_cb(sk->udp, on_error, sk);
	sk->local.family = AXIP_AF_INET;
	sk->local.addr.v4 = addr;
	sk->local.port = port;
	if (sk->state == SS_NEW)
		sk->state = SS_BOUND;
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
	if (a->family != AXIP_AF_INET)
		return -AXIP_EAFNOSUPPORT;
	if (a->port == 0 || a->addr.v4 == 0)
		return -AXIP_EINVAL;
	if (!sk->udp) {
		rc = sock_udp_bind(s, sk, 0, 0);
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
	if (from) {
		mem_zero(from, sizeof(*from));
		from->family = AXIP_AF_INET;
		from->addr.v4 = p->cb[0];
		from->port = (axip_u16)p->cb[1];
	}
	if (!(flags & AXIP_MSG_PEEK)) {
		sk->rx_head = p->next;
		if (!sk->rx_head)
			sk->rx_tail = AXIP_NULL;
		sk->rx_bytes -= p->cb[2];
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
	if (from) {
		mem_zero(from, sizeof(*from));
		from->family = AXIP_AF_INET;
		from->addr.v4 = p->cb[0];
		from->port = (axip_u16)p->cb[1];
	}
	sk->rx_head = p->next;
	if (!sk->rx_head)
		sk->rx_tail = AXIP_NULL;
	sk->rx_bytes -= p->cb[2];
	p->next = AXIP_NULL;
	*chain = p;
	return (int)axip_pkt_chain_len(p);
}

/* The destination of a send: `to`, else the connected peer. */
static int destination(struct sock *sk, const struct axip_sockaddr *to, axip_u32 *addr,
                       axip_u16 *port)
{
	if (to) {
		if (to->family != AXIP_AF_INET)
			return -AXIP_EAFNOSUPPORT;
		if (to->port == 0 || to->addr.v4 == 0)
			return -AXIP_EINVAL;
		*addr = to->addr.v4;
		*port = to->port;
		return 0;
	}
	if (sk->state != SS_CONNECTED)
		return -AXIP_EDESTADDRREQ;
	*addr = sk->peer.addr.v4;
	*port = sk->peer.port;
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
	return sk->udp ? 0 : sock_udp_bind(s, sk, 0, 0);
}

int sock_udp_send(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  const struct axip_sockaddr *to)
{
	axip_u32 addr, len = sock_iov_len(iov, n);
	axip_u16 port;
	int rc = destination(sk, to, &addr, &port);

	if (rc)
		return rc;
	if (len > UDP_MAX_PAYLOAD)
		return -AXIP_EMSGSIZE;
	rc = send_ready(s, sk);
	if (rc)
		return rc;
	rc = udp_sendv(sk->udp, addr, port, iov, n, len);
	return rc == AXIP_OK ? (int)len : send_errno(rc);
}

int sock_udp_send_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt *chain,
                     const struct axip_sockaddr *to)
{
	axip_u32 addr, len = axip_pkt_chain_len(chain);
	axip_u16 port;
	int rc = destination(sk, to, &addr, &port);

	if (rc == 0)
		rc = send_ready(s, sk);
	if (rc) {
		axip_pkt_free(s, chain); /* ownership passes in every case */
		return rc;
	}
	rc = axip_udp_send_pkt(sk->udp, addr, port, chain);
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
