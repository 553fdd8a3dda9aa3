/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock_tcp.c - stream sockets over the TCP callback API (axip/tcp.h).
 *
 * Received data stays in the received buffers: the recv callback splits its
 * chain into single-buffer views queued on the socket (sk->rx_head), reads
 * copy out of them and pull them (data/len/headroom move together), and
 * axip_tcp_recved() reopens the window by what was read. Sends go through
 * axip_tcp_write(), which copies into the connection's send buffer. Every
 * callback ends in sock_wake(), which is how readiness changes are produced.
 *
 * Families: an AF_INET6 socket runs over the core's IPv6 calls
 * (axip_tcp_listen6, axip_tcp_connect6). Bound to :: without IPV6_V6ONLY it
 * also listens on IPv4 (a second core listener feeding the same accept
 * queue), and its IPv4 connections, like those it opens to an IPv4-mapped
 * address, show their addresses in mapped form (RFC 4291 2.5.5.2), as Linux.
 */
#include "sock.h"
#include "wire.h"
#include "ipv4.h"
#include "ipv6.h"

static void on_connected(void *arg, struct axip_tcp *c);
static void on_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data);
static void on_peer_closed(void *arg, struct axip_tcp *c);
static void on_sent(void *arg, struct axip_tcp *c, axip_u32 acked);
static void on_closed(void *arg, struct axip_tcp *c, int err);

static const struct axip_tcp_callbacks sock_tcp_cb = {
	on_connected, on_recv, on_peer_closed, on_sent, on_closed
};

static struct axip_stack *stack_of(const struct sock *sk)
{
	return sk->stack;
}

/* One end of the connection as the socket's family shows it: IPv4 in an
 * AF_INET6 socket becomes ::ffff:a.b.c.d; a link-local IPv6 address carries
 * the socket's scope. */
static void set_name(const struct sock *sk, struct axip_sockaddr *n, axip_u32 v4,
                     const axip_u8 *v6, axip_u16 port)
{
	axip_u16 family = sk->local.family; /* n may be sk->local */
	mem_zero(n, sizeof(*n));
	n->family = family;
	n->port = port;
	if (v6) {
		mem_copy(n->addr.v6, v6, 16);
		if (ip6_is_linklocal(v6))
			n->scope_id = sk->scope;
	} else if (family == AXIP_AF_INET6) {
		sock_map_v4(n->addr.v6, v4);
	} else {
		n->addr.v4 = v4;
	}
}

static void fill_names(struct sock *sk)
{
	struct axip_tcp_info info;
	axip_u8 l6[16], r6[16];
	axip_tcp_get_info(sk->tcp, &info);
	if (axip_tcp_family(sk->tcp) == 6 && axip_tcp_get_addr6(sk->tcp, l6, r6) == AXIP_OK) {
		set_name(sk, &sk->local, 0, l6, info.local_port);
		set_name(sk, &sk->peer, 0, r6, info.remote_port);
	} else {
		set_name(sk, &sk->local, info.local_addr, AXIP_NULL, info.local_port);
		set_name(sk, &sk->peer, info.remote_addr, AXIP_NULL, info.remote_port);
	}
}

/* ---- callbacks from the TCP core ---- */

static void on_connected(void *arg, struct axip_tcp *c)
{
	struct sock *sk = (struct sock *)arg;
	(void)c;
	sk->state = SS_CONNECTED;
	sk->flags |= SF_WAS_CONNECTED;
	fill_names(sk);
	sock_wake(stack_of(sk), sk);
}

static void on_recv(void *arg, struct axip_tcp *c, struct axip_pkt *data)
{
	struct sock *sk = (struct sock *)arg;
	struct axip_stack *s = stack_of(sk);
	axip_u32 len = 0;

	while (data) {
		struct axip_pkt *p = data;
		data = p->sg_next;
		p->sg_next = AXIP_NULL;
		if (p->len == 0 || (sk->flags & SF_SHUT_RD)) {
			len += p->len;
			axip_pkt_free(s, p);
			continue;
		}
		p->next = AXIP_NULL;
		if (sk->rx_tail)
			sk->rx_tail->next = p;
		else
			sk->rx_head = p;
		sk->rx_tail = p;
		sk->rx_bytes += p->len;
	}
	/* data after shutdown(SHUT_RD) is discarded as it arrives */
	if (len)
		axip_tcp_recved(c, len);
	sock_wake(s, sk);
}

static void on_peer_closed(void *arg, struct axip_tcp *c)
{
	struct sock *sk = (struct sock *)arg;
	(void)c;
	sk->flags |= SF_EOF;
	sock_wake(stack_of(sk), sk);
}

static void on_sent(void *arg, struct axip_tcp *c, axip_u32 acked)
{
	struct sock *sk = (struct sock *)arg;
	(void)c;
	(void)acked;
	sock_wake(stack_of(sk), sk);
}

static void on_closed(void *arg, struct axip_tcp *c, int err)
{
	struct sock *sk = (struct sock *)arg;
	(void)c;
	sk->tcp = AXIP_NULL;
	sk->state = SS_GONE;
	if (err != AXIP_OK)
		sk->err = axip_sock_errno(err);
	sock_wake(stack_of(sk), sk);
}

static int on_accept(void *larg, struct axip_tcp *c, const struct axip_tcp_callbacks **cb,
                     void **arg)
{
	struct sock *l = (struct sock *)larg;
	struct axip_stack *s = stack_of(l);
	struct sock *child;

	/* Linux admits backlog + 1 before the queue counts as full */
	if (l->acc_len > l->backlog) {
		CTR_INC(s, sock_accept_queue_full);
		return AXIP_E_NOMEM;
	}
	child = sock_alloc(s, SK_TCP);
	if (!child)
		return AXIP_E_NOMEM;
	child->stack = s;
	child->local.family = l->local.family;
	child->bound = l->bound;
	child->scope = l->scope;
	child->state = SS_CONNECTED;
	child->flags = SF_ACCEPTED | SF_QUEUED | SF_WAS_CONNECTED;
	child->tcp = c;
	child->parent = l->fd;
	child->opts = l->opts;
	child->mss_cap = l->mss_cap;
	child->keep_idle_s = l->keep_idle_s;
	child->keep_intvl_s = l->keep_intvl_s;
	fill_names(child);
	if (l->acc_tail >= 0)
		s->sock->socks[l->acc_tail].next_free = child->fd;
	else
		l->acc_head = child->fd;
	l->acc_tail = child->fd;
	l->acc_len++;
	*cb = &sock_tcp_cb;
	*arg = child;
	sock_wake(s, l);
	return AXIP_OK;
}

/* ---- readiness ---- */

axip_u32 sock_tcp_events(struct axip_stack *s, const struct sock *sk)
{
	axip_u32 ev = 0;
	(void)s;
	if (sk->err)
		ev |= AXIP_EV_ERR;
	switch (sk->state) {
	case SS_LISTEN:
		if (sk->acc_len)
			ev |= AXIP_EV_IN;
		return ev;
	case SS_NEW:
	case SS_BOUND:
		/* as Linux's tcp_poll for a socket in CLOSE */
		return ev | AXIP_EV_OUT | AXIP_EV_HUP;
	case SS_CONNECTING:
		/* as Linux's tcp_poll: a read shutdown shows before the handshake ends */
		if (sk->flags & SF_SHUT_RD)
			ev |= AXIP_EV_IN | AXIP_EV_RDHUP;
		if ((sk->flags & SF_SHUT_RD) && (sk->flags & SF_SHUT_WR))
			ev |= AXIP_EV_HUP;
		return ev;
	case SS_GONE:
		return ev | AXIP_EV_IN | AXIP_EV_RDHUP | AXIP_EV_OUT | AXIP_EV_HUP;
	default:
		break;
	}
	if (sk->rx_bytes || (sk->flags & (SF_EOF | SF_SHUT_RD)))
		ev |= AXIP_EV_IN;
	if (sk->flags & (SF_EOF | SF_SHUT_RD))
		ev |= AXIP_EV_RDHUP;
	if ((sk->flags & SF_SHUT_WR) || (sk->tcp && axip_tcp_sndbuf_free(sk->tcp) > 0))
		ev |= AXIP_EV_OUT;
	if ((sk->flags & SF_SHUT_WR) && (sk->flags & (SF_EOF | SF_SHUT_RD)))
		ev |= AXIP_EV_HUP;
	return ev;
}

/* ---- listen, accept, connect ---- */

int sock_tcp_bind(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a)
{
	struct axip_sockaddr n;
	int err;

	mem_zero(&n, sizeof(n));
	n.family = sk->local.family;
	if (a->family == AXIP_AF_INET) {
		if (a->addr.v4 && !ipv4_is_local(s, a->addr.v4))
			return -AXIP_EADDRNOTAVAIL;
		n.addr.v4 = a->addr.v4;
	} else if (sock_addr6_mapped(a->addr.v6)) {
		/* RFC 4291 2.5.5.2, as Linux: an IPv4 address in IPv6 form makes the
		 * socket an IPv4 one; ::ffff:0.0.0.0 is any IPv4 address. Not with
		 * IPV6_V6ONLY (EINVAL, as Linux) */
		axip_u32 v4 = sock_mapped_v4(a->addr.v6);
		if (sk->flags & SF_V6ONLY)
			return -AXIP_EINVAL;
		if (v4 && !ipv4_is_local(s, v4))
			return -AXIP_EADDRNOTAVAIL;
		mem_copy(n.addr.v6, a->addr.v6, 16);
	} else if (!ip6_is_unspecified(a->addr.v6)) {
		/* one of our unicast addresses, usable now (not tentative: RFC 4862 5.4) */
		if (ip6_is_multicast(a->addr.v6) || !ipv6_is_local(s, a->addr.v6))
			return -AXIP_EADDRNOTAVAIL;
		mem_copy(n.addr.v6, a->addr.v6, 16);
		/* RFC 4007 6: a link-local address is qualified by its zone; the
		 * instance has one link, so any scope id names it and is kept */
		if (ip6_is_linklocal(a->addr.v6))
			n.scope_id = a->scope_id;
	}
	if (a->port && sock_port_taken(s, sk, &n, a->port))
		return -AXIP_EADDRINUSE;
	sk->bound = n;
	sk->scope = n.scope_id;
	sk->local = n;
	sk->local.port = a->port;
	if (a->port == 0) {
		err = sock_tcp_bind_port(s, sk);
		if (err)
			return err;
	}
	sk->state = SS_BOUND;
	return 0;
}

int sock_tcp_bind_port(struct axip_stack *s, struct sock *sk)
{
	struct sock_table *t = s->sock;
	axip_u32 lo = s->cfg.tcp_ephemeral_lo;
	axip_u32 num = (axip_u32)s->cfg.tcp_ephemeral_hi - lo + 1u;
	axip_u32 i;
	for (i = 0; i < num; i++) {
		axip_u16 port = (axip_u16)(lo + (t->tcp_next_port++ % num));
		if (!sock_port_taken(s, sk, &sk->local, port)) {
			sk->local.port = port;
			return 0;
		}
	}
	return -AXIP_EADDRINUSE;
}

/* The core listeners for the socket's scope: IPv6, IPv4, or both (dual
 * stack: the IPv4 one in sk->listener4). */
static int listen_core(struct axip_stack *s, struct sock *sk)
{
	struct sock_scope sc;
	int rc = AXIP_OK;

	sock_scope_of(sk, &sk->local, &sc);
	if (sc.v6)
		rc = axip_tcp_listen6(s, sc.addr6, sk->local.port, 0, on_accept, sk, &sk->opts,
		                      &sk->listener);
	if (rc == AXIP_OK && sc.v4) {
		rc = axip_tcp_listen(s, sc.addr4, sk->local.port, 0, on_accept, sk, &sk->opts,
		                     sc.v6 ? &sk->listener4 : &sk->listener);
		if (rc != AXIP_OK && sc.v6) {
			axip_tcp_listener_close(sk->listener);
			sk->listener = AXIP_NULL;
		}
	}
	return rc;
}

int sock_tcp_listen(struct axip_stack *s, struct sock *sk, int backlog)
{
	axip_u32 b;
	int rc;

	/* as Linux's listen(): a negative backlog is the largest (somaxconn) */
	b = backlog < 0 ? s->cfg.sock_accept_max : (axip_u32)backlog;
	if (b > s->cfg.sock_accept_max)
		b = s->cfg.sock_accept_max;
	if (sk->state == SS_LISTEN) {
		sk->backlog = b;
		return 0;
	}
	if (sk->state != SS_NEW && sk->state != SS_BOUND)
		return -AXIP_EINVAL;
	sk->stack = s;
	if (sk->state == SS_NEW) {
		rc = sock_tcp_bind_port(s, sk);
		if (rc)
			return rc;
	} else if (sock_port_taken(s, sk, &sk->local, sk->local.port)) {
		return -AXIP_EADDRINUSE;
	}
	sk->opts.mss = (axip_u16)sk->mss_cap;
	rc = listen_core(s, sk);
	if (rc != AXIP_OK)
		return -axip_sock_errno(rc);
	sk->backlog = b;
	sk->state = SS_LISTEN;
	return 0;
}

int sock_tcp_accept(struct axip_stack *s, struct sock *sk, struct axip_sockaddr *peer)
{
	struct sock *child;
	if (sk->state != SS_LISTEN)
		return -AXIP_EINVAL;
	if (sk->acc_head < 0)
		return -AXIP_EAGAIN;
	child = &s->sock->socks[sk->acc_head];
	sk->acc_head = child->next_free;
	if (sk->acc_head < 0)
		sk->acc_tail = -1;
	sk->acc_len--;
	child->next_free = -1;
	child->parent = -1;
	child->flags &= (axip_u16)~SF_QUEUED;
	if (peer)
		*peer = child->peer;
	return child->fd;
}

/* After the core's active open: the socket's state and the error number. */
static int connect_started(struct sock *sk, int rc, struct axip_tcp *c)
{
	if (rc != AXIP_OK) {
		sk->state = sk->local.port ? SS_BOUND : SS_NEW;
		if (rc == AXIP_E_UNREACH)
			return -AXIP_ENETUNREACH;
		if (rc == AXIP_E_NOMEM)
			return -AXIP_ENOBUFS;
		return -axip_sock_errno(rc);
	}
	if (sk->state == SS_CONNECTING) {
		sk->tcp = c;
		fill_names(sk);
	}
	if (sk->flags & SF_CORK)
		axip_tcp_setopt(c, AXIP_TCP_OPT_CORK, 1);
	return -AXIP_EINPROGRESS;
}

/* Active open over IPv6 (axip_tcp_connect6) from the bound address, if any. */
static int connect6(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a)
{
	struct axip_tcp *c = AXIP_NULL;
	const axip_u8 *dst = a->addr.v6, *src = AXIP_NULL;
	axip_u32 scope = sk->scope;
	int rc;

	/* TCP is unicast (RFC 1122 4.2.3.10); no loopback in the core; a
	 * socket bound to an IPv4-mapped address has no IPv6 source */
	if (ip6_is_unspecified(dst) || ip6_is_multicast(dst) || ip6_is_loopback(dst) ||
	    sock_addr6_mapped(sk->bound.addr.v6))
		return -AXIP_ENETUNREACH;
	if (ip6_is_linklocal(dst) && a->scope_id) {
		/* RFC 4007 6: a zone other than the one the socket is bound to (Linux: EINVAL) */
		if (scope && scope != a->scope_id)
			return -AXIP_EINVAL;
		scope = a->scope_id;
	}
	if (!ip6_is_unspecified(sk->bound.addr.v6))
		src = sk->bound.addr.v6;
	sk->stack = s;
	sk->peer = *a;
	sk->opts.mss = (axip_u16)sk->mss_cap;
	sk->state = SS_CONNECTING;
	sk->scope = scope;
	rc = axip_tcp_connect6(s, src, sk->local.port, dst, a->port, &sock_tcp_cb, sk, &sk->opts,
	                       &c);
	if (rc != AXIP_OK)
		sk->scope = sk->bound.scope_id;
	if (rc == AXIP_E_INVAL)
		rc = AXIP_E_UNREACH;
	return connect_started(sk, rc, c);
}

int sock_tcp_connect(struct axip_stack *s, struct sock *sk, const struct axip_sockaddr *a)
{
	struct axip_tcp *c = AXIP_NULL;
	axip_u32 dst;
	int rc;

	switch (sk->state) {
	case SS_CONNECTING:
		return -AXIP_EALREADY;
	case SS_CONNECTED:
		/* the first call after a non-blocking connect completed reports success */
		if (!(sk->flags & SF_CONN_REPORTED) && !(sk->flags & SF_ACCEPTED)) {
			sk->flags |= SF_CONN_REPORTED;
			return 0;
		}
		return -AXIP_EISCONN;
	case SS_LISTEN:
		return -AXIP_EISCONN;
	case SS_GONE:
		if (sk->err) {
			rc = sk->err;
			sk->err = 0;
			return -rc;
		}
		if (sk->flags & SF_WAS_CONNECTED)
			return -AXIP_EISCONN;
		break; /* a failed attempt whose error was read: try again */
	default:
		break;
	}
	if (a->port == 0)
		return -AXIP_ECONNREFUSED;
	if (sk->local.family == AXIP_AF_INET6 && !sock_addr6_mapped(a->addr.v6))
		return connect6(s, sk, a);
	if (sk->local.family == AXIP_AF_INET6) {
		/* an IPv4-mapped destination: an IPv4 connection (as Linux), not for
		 * an IPv6-only socket or one bound to an IPv6 address */
		if ((sk->flags & SF_V6ONLY) ||
		    (!ip6_is_unspecified(sk->bound.addr.v6) && !sock_addr6_mapped(sk->bound.addr.v6)))
			return -AXIP_ENETUNREACH;
		dst = sock_mapped_v4(a->addr.v6);
	} else {
		dst = a->addr.v4;
	}
	if (dst == 0)
		return -AXIP_ENETUNREACH;
	sk->stack = s;
	sk->peer = *a;
	sk->peer.scope_id = 0;
	sk->opts.mss = (axip_u16)sk->mss_cap;
	sk->state = SS_CONNECTING;
	rc = axip_tcp_connect_from(s, sk->local.port, dst, a->port, &sock_tcp_cb, sk, &sk->opts, &c);
	return connect_started(sk, rc, c);
}

/* ---- data ---- */

/* What a read returns when no data is queued (Linux's tcp_recvmsg order). */
static int recv_empty(struct sock *sk)
{
	int e;
	if (sk->state == SS_NEW || sk->state == SS_BOUND || sk->state == SS_LISTEN)
		return -AXIP_ENOTCONN;
	if (sk->flags & SF_EOF)
		return 0;
	if (sk->err) {
		e = sk->err;
		sk->err = 0;
		return -e;
	}
	if ((sk->flags & SF_SHUT_RD) || sk->state == SS_GONE)
		return 0;
	return -AXIP_EAGAIN;
}

/* The first `n` queued bytes have been read: pull them and reopen the window. */
static void consume(struct axip_stack *s, struct sock *sk, axip_u32 n)
{
	axip_u32 left = n;
	while (left && sk->rx_head) {
		struct axip_pkt *p = sk->rx_head;
		if (p->len > left) {
			pkt_pull(p, left);
			break;
		}
		left -= p->len;
		sk->rx_head = p->next;
		if (!sk->rx_head)
			sk->rx_tail = AXIP_NULL;
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
	}
	sk->rx_bytes -= n;
	if (sk->tcp)
		axip_tcp_recved(sk->tcp, n);
}

int sock_tcp_recv(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  int flags)
{
	axip_u32 want = sock_iov_len(iov, n), done = 0, off = 0;
	const struct axip_pkt *p = sk->rx_head;
	int i = 0;
	axip_size ioff = 0;

	if (sk->rx_bytes == 0)
		return recv_empty(sk);
	if (want == 0)
		return 0;
	while (p && done < want && i < n) {
		axip_u32 k = p->len - off;
		axip_size room = iov[i].len - ioff;
		if (k > room)
			k = (axip_u32)room;
		if (k > want - done)
			k = want - done;
		mem_copy((axip_u8 *)iov[i].base + ioff, p->data + off, k);
		done += k;
		off += k;
		ioff += k;
		if (off == p->len) {
			p = p->next;
			off = 0;
		}
		if (ioff == iov[i].len) {
			i++;
			ioff = 0;
		}
	}
	if (!(flags & AXIP_MSG_PEEK))
		consume(s, sk, done);
	return (int)done;
}

int sock_tcp_peek(struct axip_stack *s, struct sock *sk, const axip_u8 **data)
{
	(void)s;
	if (sk->rx_bytes == 0)
		return recv_empty(sk);
	/* views are never empty: on_recv drops zero-length buffers */
	*data = sk->rx_head->data;
	return (int)sk->rx_head->len;
}

int sock_tcp_consume(struct axip_stack *s, struct sock *sk, axip_u32 n)
{
	if (n > sk->rx_bytes || n > 0x7fffffffu)
		return -AXIP_EINVAL;
	consume(s, sk, n);
	return (int)n;
}

int sock_tcp_recv_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt **chain,
                     axip_u32 max)
{
	struct axip_pkt *head = AXIP_NULL, **link = &head;
	axip_u32 got = 0;

	if (sk->rx_bytes == 0)
		return recv_empty(sk);
	if (max == 0 || max > 0x7fffffffu)
		max = 0x7fffffffu;
	while (sk->rx_head && got < max) {
		struct axip_pkt *p = sk->rx_head;
		if (p->len <= max - got) {
			sk->rx_head = p->next;
			if (!sk->rx_head)
				sk->rx_tail = AXIP_NULL;
			p->next = AXIP_NULL;
			got += p->len;
			*link = p;
			link = &p->sg_next;
		} else {
			/* hand over a view of the part wanted; the rest stays queued */
			struct axip_pkt *q = pkt_clone_one(s, p);
			axip_u32 k = max - got;
			if (!q)
				break;
			q->len = k;
			q->tailroom = 0;
			pkt_pull(p, k);
			got += k;
			*link = q;
			break;
		}
	}
	if (got == 0)
		return -AXIP_ENOBUFS;
	sk->rx_bytes -= got;
	if (sk->tcp)
		axip_tcp_recved(sk->tcp, got);
	*chain = head;
	return (int)got;
}

/* Why a send cannot go ahead now (0 when it can). */
static int send_blocked(struct sock *sk)
{
	int e;
	if (sk->err) {
		e = sk->err;
		sk->err = 0;
		return -e;
	}
	if (sk->flags & SF_SHUT_WR)
		return -AXIP_EPIPE;
	switch (sk->state) {
	case SS_CONNECTING:
		return -AXIP_EAGAIN;
	case SS_CONNECTED:
		return sk->tcp ? 0 : -AXIP_EPIPE;
	default:
		/* as Linux: a stream socket that is not connected gives EPIPE */
		return -AXIP_EPIPE;
	}
}

int sock_tcp_send(struct axip_stack *s, struct sock *sk, const struct axip_iovec *iov, int n,
                  int flags)
{
	axip_u32 done = 0, corked = (flags & AXIP_MSG_MORE) || (sk->flags & SF_CORK);
	axip_u32 held = 0; /* the last write was corked only because more pieces followed */
	int i, rc = send_blocked(sk);

	(void)s;
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		axip_u32 len = iov[i].len > 0x7fffffffu - done ? 0x7fffffffu - done : (axip_u32)iov[i].len;
		axip_u32 more = corked || i + 1 < n;
		if (len == 0)
			continue;
		rc = axip_tcp_write(sk->tcp, iov[i].base, len, more ? AXIP_TCP_MORE : 0u);
		if (rc < 0)
			break;
		held = more && !corked;
		done += (axip_u32)rc;
		if ((axip_u32)rc < len)
			break;
	}
	if (held && sk->tcp)
		axip_tcp_setopt(sk->tcp, AXIP_TCP_OPT_CORK, 0); /* let the last piece go */
	if (done > 0 || rc >= 0)
		return (int)done;
	if (rc == AXIP_E_AGAIN)
		return -AXIP_EAGAIN;
	if (rc == AXIP_E_NOBUFS)
		return -AXIP_ENOBUFS;
	return -AXIP_EPIPE;
}

int sock_tcp_send_zc(struct axip_stack *s, struct sock *sk, struct axip_pkt *chain, int flags)
{
	axip_u32 len = axip_pkt_chain_len(chain);
	int rc = send_blocked(sk);
	(void)s;
	if (rc)
		return rc;
	rc = axip_tcp_send(sk->tcp, chain,
	                   ((flags & AXIP_MSG_MORE) || (sk->flags & SF_CORK)) ? AXIP_TCP_MORE : 0u);
	if (rc == AXIP_OK)
		return (int)len;
	if (rc == AXIP_E_AGAIN)
		return -AXIP_EAGAIN;
	return -AXIP_EPIPE;
}

int sock_tcp_shutdown(struct axip_stack *s, struct sock *sk, int how)
{
	if (sk->state != SS_CONNECTED && sk->state != SS_CONNECTING)
		return -AXIP_ENOTCONN;
	if (how == AXIP_SHUT_RD || how == AXIP_SHUT_RDWR) {
		axip_u32 queued = sk->rx_bytes;
		sk->flags |= SF_SHUT_RD;
		sock_rx_purge(s, sk);
		if (queued && sk->tcp)
			axip_tcp_recved(sk->tcp, queued);
	}
	if (how == AXIP_SHUT_WR || how == AXIP_SHUT_RDWR) {
		sk->flags |= SF_SHUT_WR;
		if (sk->tcp)
			axip_tcp_shutdown(sk->tcp);
	}
	return 0;
}

/* Drop a connection that no descriptor will ever name again. */
static void abort_conn(struct axip_stack *s, struct sock *sk)
{
	struct axip_tcp *c = sk->tcp;
	if (!c)
		return;
	sk->tcp = AXIP_NULL;
	axip_tcp_set_callbacks(c, AXIP_NULL, AXIP_NULL);
	axip_tcp_abort(c);
	(void)s;
}

void sock_tcp_close(struct axip_stack *s, struct sock *sk)
{
	struct axip_tcp *c = sk->tcp;

	if (sk->state == SS_LISTEN) {
		/* connections not yet accepted are reset (RFC 9293 3.10.4 CLOSE in LISTEN) */
		while (sk->acc_head >= 0) {
			struct sock *child = &s->sock->socks[sk->acc_head];
			sk->acc_head = child->next_free;
			abort_conn(s, child);
			sock_epoll_forget(s, child);
			sock_rx_purge(s, child);
			sock_release(s, child);
		}
		sk->acc_tail = -1;
		sk->acc_len = 0;
		axip_tcp_listener_close(sk->listener);
		axip_tcp_listener_close(sk->listener4);
		sk->listener = AXIP_NULL;
		sk->listener4 = AXIP_NULL;
		return;
	}
	if (!c)
		return;
	/* RFC 9293 3.10.4 / RFC 2525 2.17: closing with unread data resets;
	 * SO_LINGER with 0 s is the application asking for a reset */
	if (sk->rx_bytes || ((sk->flags & SF_LINGER) && sk->linger_sec == 0)) {
		CTR_INC(s, sock_close_reset);
		abort_conn(s, sk);
		return;
	}
	sk->tcp = AXIP_NULL;
	axip_tcp_set_callbacks(c, AXIP_NULL, AXIP_NULL);
	axip_tcp_close(c);
}

/* ---- options ---- */

int sock_tcp_setopt(struct axip_stack *s, struct sock *sk, int name, axip_u32 v)
{
	struct axip_tcp_opts *o = &sk->opts;
	int rc;

	if (sk->kind != SK_TCP)
		return -AXIP_ENOPROTOOPT;
	switch (name) {
	case AXIP_TCP_OPT_SNDBUF:
	case AXIP_TCP_OPT_RCVBUF:
		/* as Linux: small values are raised to the minimum, large ones capped */
		if ((axip_i32)v < 0 || v > (1u << 30))
			v = 1u << 30;
		if (v < 4096u)
			v = 4096u;
		if (name == AXIP_TCP_OPT_SNDBUF)
			o->sndbuf = v;
		else
			o->rcvbuf = v;
		break;
	case AXIP_TCP_OPT_NODELAY:
		o->nodelay = (axip_u8)v;
		break;
	case AXIP_TCP_OPT_KEEPALIVE:
		o->keepalive = (axip_u8)v;
		break;
	case AXIP_TCP_OPT_CORK:
		if (v)
			sk->flags |= SF_CORK;
		else
			sk->flags &= (axip_u16)~SF_CORK;
		break;
	case AXIP_TCP_OPT_KEEPIDLE:
	case AXIP_TCP_OPT_KEEPINTVL:
		if (v == 0 || v > 32767u)
			return -AXIP_EINVAL;
		/* seconds kept beside the nanoseconds: no 64-bit division on 32-bit targets */
		if (name == AXIP_TCP_OPT_KEEPIDLE) {
			o->keepalive_idle_ns = AXIP_SEC(v);
			sk->keep_idle_s = v;
		} else {
			o->keepalive_intvl_ns = AXIP_SEC(v);
			sk->keep_intvl_s = v;
		}
		break;
	case AXIP_TCP_OPT_KEEPCNT:
		if (v == 0 || v > 127u)
			return -AXIP_EINVAL;
		o->keepalive_probes = v;
		break;
	case AXIP_TCP_OPT_MAXSEG:
		if (v < 88u || v > 65535u)
			return -AXIP_EINVAL;
		if (sk->state != SS_NEW && sk->state != SS_BOUND)
			return 0; /* as Linux: no effect once the MSS is negotiated */
		sk->mss_cap = v;
		return 0;
	default:
		return -AXIP_ENOPROTOOPT;
	}
	if (!sk->tcp)
		return 0;
	rc = axip_tcp_setopt(sk->tcp, name, v);
	if (rc != AXIP_OK)
		return -axip_sock_errno(rc);
	/* a larger send buffer may make the socket writable (Linux: sk_write_space) */
	if (name == AXIP_TCP_OPT_SNDBUF)
		sock_wake(s, sk);
	return 0;
}

static int put_u32(void *val, axip_u32 *len, axip_u32 v)
{
	axip_u32 n = *len < 4u ? *len : 4u;
	mem_copy(val, &v, n);
	*len = n;
	return 0;
}

int sock_tcp_getopt(struct axip_stack *s, struct sock *sk, int name, void *val, axip_u32 *len)
{
	const struct axip_tcp_opts *o = &sk->opts;
	struct axip_tcp_info info;

	switch (name) {
	case AXIP_TCP_OPT_SNDBUF:
		return put_u32(val, len, o->sndbuf ? o->sndbuf : s->cfg.tcp_sndbuf);
	case AXIP_TCP_OPT_RCVBUF:
		return put_u32(val, len, o->rcvbuf ? o->rcvbuf : s->cfg.tcp_rcvbuf);
	case AXIP_TCP_OPT_NODELAY:
		return put_u32(val, len, o->nodelay ? 1u : 0u);
	case AXIP_TCP_OPT_CORK:
		return put_u32(val, len, (sk->flags & SF_CORK) ? 1u : 0u);
	case AXIP_TCP_OPT_KEEPIDLE:
		return put_u32(val, len, sk->keep_idle_s);
	case AXIP_TCP_OPT_KEEPINTVL:
		return put_u32(val, len, sk->keep_intvl_s);
	case AXIP_TCP_OPT_KEEPCNT:
		return put_u32(val, len, o->keepalive_probes);
	case AXIP_TCP_OPT_MAXSEG:
		if (sk->tcp) {
			axip_tcp_get_info(sk->tcp, &info);
			return put_u32(val, len, info.snd_mss);
		}
		/* before a connection: the cap if one was set, else RFC 9293 3.7.1's default */
		return put_u32(val, len, sk->mss_cap ? sk->mss_cap : 536u);
	case AXIP_TCP_INFO:
		mem_zero(&info, sizeof(info));
		if (sk->tcp)
			axip_tcp_get_info(sk->tcp, &info);
		else
			info.state = sk->state == SS_LISTEN ? AXIP_TCP_LISTEN : AXIP_TCP_CLOSED;
		if (*len > sizeof(info))
			*len = sizeof(info);
		mem_copy(val, &info, *len);
		return 0;
	default:
		return -AXIP_ENOPROTOOPT;
	}
}
