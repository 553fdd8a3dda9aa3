/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sock.c - the descriptor table and the calls common to every socket kind:
 * socket, bind, listen/accept/connect dispatch, the recv/send family,
 * shutdown, close, names and socket-level options.
 */
#include "sock.h"
#include "wire.h"
#include "ipv4.h"

void sock_carve(struct axip_stack *s, struct carve *c)
{
	struct sock_table *t = (struct sock_table *)carve(c, sizeof(struct sock_table), 8u);
	struct sock *socks = CARVE_ARRAY(c, struct sock, s->cfg.sock_max);
	struct sock_item *items = CARVE_ARRAY(c, struct sock_item, s->cfg.sock_epoll_items);
	axip_u32 i;

	if (carve_dry(c))
		return;
	mem_zero(t, sizeof(*t));
	t->socks = socks;
	t->n = s->cfg.sock_max;
	t->items = items;
	/* descriptor 0 is handed out first, then 1, ... (LIFO afterwards) */
	t->free_head = t->n ? 0 : -1;
	for (i = 0; i < t->n; i++) {
		mem_zero(&socks[i], sizeof(socks[i]));
		socks[i].fd = (axip_i32)i;
		socks[i].next_free = i + 1u < t->n ? (axip_i32)(i + 1u) : -1;
	}
	t->item_free = AXIP_NULL;
	for (i = s->cfg.sock_epoll_items; i-- > 0;) {
		mem_zero(&items[i], sizeof(items[i]));
		items[i].rnext = t->item_free;
		t->item_free = &items[i];
	}
	t->udp_next_port = 0;
	t->tcp_next_port = 0;
	s->sock = t;
}

int axip_sock_errno(int err)
{
	switch (err) {
	case AXIP_OK: return 0;
	case AXIP_E_INVAL: return AXIP_EINVAL;
	case AXIP_E_NOMEM: return AXIP_ENOMEM;
	case AXIP_E_NOBUFS: return AXIP_ENOBUFS;
	case AXIP_E_ADDRINUSE: return AXIP_EADDRINUSE;
	case AXIP_E_NOTCONN: return AXIP_ENOTCONN;
	case AXIP_E_AGAIN: return AXIP_EAGAIN;
	case AXIP_E_MSGSIZE: return AXIP_EMSGSIZE;
	case AXIP_E_UNREACH: return AXIP_EHOSTUNREACH;
	case AXIP_E_CLOSED: return AXIP_EPIPE;
	case AXIP_E_STATE: return AXIP_EINVAL;
	case AXIP_E_TIMEDOUT: return AXIP_ETIMEDOUT;
	case AXIP_E_RESET: return AXIP_ECONNRESET;
	case AXIP_E_REFUSED: return AXIP_ECONNREFUSED;
	case AXIP_E_PORTS: return AXIP_EADDRNOTAVAIL;
	case AXIP_E_NOTFOUND: return AXIP_ENOENT;
	case AXIP_E_ABORTED: return AXIP_ECONNABORTED;
	default: return AXIP_EINVAL;
	}
}

struct sock *sock_get(struct axip_stack *s, int fd)
{
	struct sock_table *t = s->sock;
	struct sock *sk;
	if (fd < 0 || (axip_u32)fd >= t->n)
		return AXIP_NULL;
	sk = &t->socks[fd];
	/* a connection still in its listener's accept queue has no descriptor
	 * yet (as POSIX: it gets one from accept) */
	return sk->kind == SK_FREE || (sk->flags & SF_QUEUED) ? AXIP_NULL : sk;
}

struct sock *sock_alloc(struct axip_stack *s, axip_u8 kind)
{
	struct sock_table *t = s->sock;
	struct sock *sk;
	axip_i32 fd = t->free_head;

	if (fd < 0) {
		CTR_INC(s, sock_table_full);
		return AXIP_NULL;
	}
	sk = &t->socks[fd];
	t->free_head = sk->next_free;
	mem_zero(sk, sizeof(*sk));
	sk->fd = fd;
	sk->stack = s;
	sk->kind = kind;
	sk->next_free = -1;
	sk->acc_head = sk->acc_tail = -1;
	sk->parent = -1;
	sk->local.family = AXIP_AF_INET;
	sk->rcvbuf = s->cfg.sock_udp_rcvbuf;
	axip_tcp_opts_defaults(s, &sk->opts);
	sk->keep_idle_s = 7200u; /* axip_tcp_opts_defaults: 2 h, 75 s */
	sk->keep_intvl_s = 75u;
	CTR_INC(s, sock_open);
	return sk;
}

void sock_release(struct axip_stack *s, struct sock *sk)
{
	struct sock_table *t = s->sock;
	sk->kind = SK_FREE;
	sk->next_free = t->free_head;
	t->free_head = sk->fd;
	CTR_INC(s, sock_close);
}

void sock_rx_purge(struct axip_stack *s, struct sock *sk)
{
	while (sk->rx_head) {
		struct axip_pkt *p = sk->rx_head;
		sk->rx_head = p->next;
		p->next = AXIP_NULL;
		axip_pkt_free(s, p);
	}
	sk->rx_tail = AXIP_NULL;
	sk->rx_bytes = 0;
}

static int zero16(const axip_u8 *a)
{
	axip_u32 i;
	for (i = 0; i < 16u; i++)
		if (a[i])
			return 0;
	return 1;
}

void sock_scope_of(const struct sock *sk, const struct axip_sockaddr *local,
                   struct sock_scope *out)
{
	mem_zero(out, sizeof(*out));
	if (local->family != AXIP_AF_INET6) {
		out->v4 = 1;
		out->addr4 = local->addr.v4;
	} else if (sock_addr6_mapped(local->addr.v6)) {
		/* bound (or connected) in IPv4-mapped form: IPv4 only */
		out->v4 = 1;
		out->addr4 = sock_mapped_v4(local->addr.v6);
	} else {
		out->v6 = 1;
		out->addr6 = local->addr.v6;
		/* as Linux: :: without IPV6_V6ONLY also takes every IPv4 address */
		out->v4 = zero16(local->addr.v6) && !(sk->flags & SF_V6ONLY);
	}
}

/* Whether two scopes share an address of some family. */
static int scopes_overlap(const struct sock_scope *a, const struct sock_scope *b)
{
	if (a->v4 && b->v4 && (a->addr4 == 0 || b->addr4 == 0 || a->addr4 == b->addr4))
		return 1;
	return a->v6 && b->v6 &&
	       (zero16(a->addr6) || zero16(b->addr6) || mem_equal(a->addr6, b->addr6, 16));
}

int sock_port_taken(struct axip_stack *s, const struct sock *self,
                    const struct axip_sockaddr *local, axip_u16 port)
{
	struct sock_table *t = s->sock;
	struct sock_scope mine, theirs;
	axip_u32 i;
	sock_scope_of(self, local, &mine);
	for (i = 0; i < t->n; i++) {
		const struct sock *o = &t->socks[i];
		if (o == self || o->kind != SK_TCP || o->state == SS_NEW || o->state == SS_GONE ||
		    (o->flags & SF_ACCEPTED) || o->local.port != port)
			continue;
		sock_scope_of(o, &o->local, &theirs);
		if (!scopes_overlap(&mine, &theirs))
			continue;
		/* SO_REUSEADDR on both lets a port be bound again unless one listens */
		if ((self->flags & SF_REUSEADDR) && (o->flags & SF_REUSEADDR) && o->state != SS_LISTEN)
			continue;
		return 1;
	}
	return 0;
}

axip_u32 sock_iov_len(const struct axip_iovec *iov, int n)
{
	axip_u32 total = 0;
	int i;
	for (i = 0; i < n; i++) {
		axip_size l = iov[i].len;
		if (l > 0x7fffffffu - total)
			return 0x7fffffffu;
		total += (axip_u32)l;
	}
	return total;
}

void axip_sock_set_notify(struct axip_stack *s, void (*fn)(void *arg, int fd), void *arg)
{
	s->sock->notify = fn;
	s->sock->notify_arg = arg;
}

/* ---- creation and addresses ---- */

int axip_socket(struct axip_stack *s, int family, int type, int protocol)
{
	struct sock *sk;
	axip_u8 kind;

	/* IPv6 sockets when the instance has IPv6 on */
	if (family == AXIP_AF_INET6 && !s->cfg.ip6_enable)
		return -AXIP_EAFNOSUPPORT;
	if (family != AXIP_AF_INET && family != AXIP_AF_INET6)
		return -AXIP_EAFNOSUPPORT;
	if (type == AXIP_SOCK_STREAM) {
		if (protocol != 0 && protocol != AXIP_IPPROTO_TCP)
			return -AXIP_EPROTONOSUPPORT;
		kind = SK_TCP;
	} else if (type == AXIP_SOCK_DGRAM) {
		if (protocol != 0 && protocol != AXIP_IPPROTO_UDP)
			return -AXIP_EPROTONOSUPPORT;
		kind = SK_UDP;
	} else {
		return -AXIP_EPROTOTYPE;
	}
	sk = sock_alloc(s, kind);
	if (!sk)
		return -AXIP_EMFILE;
	sk->local.family = (axip_u16)family;
	sk->bound.family = (axip_u16)family;
	return sk->fd;
}

/* A socket of kind TCP or UDP (not an interest set), or NULL. */
static struct sock *net_sock(struct axip_stack *s, int fd, int *err)
{
	struct sock *sk = sock_get(s, fd);
	if (!sk) {
		*err = -AXIP_EBADF;
		return AXIP_NULL;
	}
	if (sk->kind == SK_EPOLL) {
		*err = -AXIP_ENOTSOCK;
		return AXIP_NULL;
	}
	return sk;
}

int axip_bind(struct axip_stack *s, int fd, const struct axip_sockaddr *a)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (!a)
		return -AXIP_EFAULT;
	if (a->family != sk->local.family)
		return -AXIP_EAFNOSUPPORT;
	if (sk->state != SS_NEW)
		return -AXIP_EINVAL;
	if (sk->kind == SK_TCP)
		return sock_tcp_bind(s, sk, a);
	if (a->family == AXIP_AF_INET6)
		return sock_udp_bind6(s, sk, a);
	if (a->addr.v4 && !ipv4_is_local(s, a->addr.v4))
		return -AXIP_EADDRNOTAVAIL;
	return sock_udp_bind(s, sk, a->addr.v4, a->port);
}

int axip_getsockname(struct axip_stack *s, int fd, struct axip_sockaddr *out)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (!out)
		return -AXIP_EFAULT;
	*out = sk->local;
	return 0;
}

int axip_getpeername(struct axip_stack *s, int fd, struct axip_sockaddr *out)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (!out)
		return -AXIP_EFAULT;
	/* as Linux: once the connection has ended (reset, or closed both ways)
	 * the socket has no peer */
	if (sk->state != SS_CONNECTED)
		return -AXIP_ENOTCONN;
	*out = sk->peer;
	out->family = sk->local.family;
	return 0;
}

/* ---- connections ---- */

int axip_listen(struct axip_stack *s, int fd, int backlog)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (sk->kind != SK_TCP)
		return -AXIP_EOPNOTSUPP;
	return sock_tcp_listen(s, sk, backlog);
}

int axip_accept(struct axip_stack *s, int fd, struct axip_sockaddr *peer)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (sk->kind != SK_TCP)
		return -AXIP_EOPNOTSUPP;
	return sock_tcp_accept(s, sk, peer);
}

int axip_connect(struct axip_stack *s, int fd, const struct axip_sockaddr *a)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (!a)
		return -AXIP_EFAULT;
	if (sk->kind == SK_UDP)
		return sock_udp_connect(s, sk, a);
	if (a->family != sk->local.family)
		return -AXIP_EAFNOSUPPORT;
	return sock_tcp_connect(s, sk, a);
}

/* ---- data ---- */

int axip_recvmsg(struct axip_stack *s, int fd, const struct axip_iovec *iov, int iovcnt,
                 int flags, struct axip_sockaddr *from, int *out_flags)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (out_flags)
		*out_flags = 0;
	if (!sk)
		return err;
	if (iovcnt < 0 || (iovcnt > 0 && !iov))
		return -AXIP_EINVAL;
	if (sk->kind == SK_UDP)
		return sock_udp_recv(s, sk, iov, iovcnt, flags, from, out_flags);
	err = sock_tcp_recv(s, sk, iov, iovcnt, flags);
	if (err >= 0 && from)
		*from = sk->peer;
	return err;
}

int axip_recvfrom(struct axip_stack *s, int fd, void *buf, axip_size len, int flags,
                  struct axip_sockaddr *from)
{
	struct axip_iovec v;
	v.base = buf;
	v.len = len;
	return axip_recvmsg(s, fd, &v, 1, flags, from, AXIP_NULL);
}

int axip_recv(struct axip_stack *s, int fd, void *buf, axip_size len, int flags)
{
	return axip_recvfrom(s, fd, buf, len, flags, AXIP_NULL);
}

int axip_sendmsg(struct axip_stack *s, int fd, const struct axip_iovec *iov, int iovcnt,
                 int flags, const struct axip_sockaddr *to)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (iovcnt < 0 || (iovcnt > 0 && !iov))
		return -AXIP_EINVAL;
	if (sk->kind == SK_UDP)
		return sock_udp_send(s, sk, iov, iovcnt, to);
	if (to && sk->state != SS_CONNECTED && sk->state != SS_GONE)
		return sk->state == SS_CONNECTING ? -AXIP_EALREADY : -AXIP_ENOTCONN;
	return sock_tcp_send(s, sk, iov, iovcnt, flags);
}

int axip_sendto(struct axip_stack *s, int fd, const void *buf, axip_size len, int flags,
                const struct axip_sockaddr *to)
{
	struct axip_iovec v;
	v.base = (void *)(axip_size)buf;
	v.len = len;
	return axip_sendmsg(s, fd, &v, 1, flags, to);
}

int axip_send(struct axip_stack *s, int fd, const void *buf, axip_size len, int flags)
{
	return axip_sendto(s, fd, buf, len, flags, AXIP_NULL);
}

int axip_recv_zc(struct axip_stack *s, int fd, struct axip_pkt **chain, axip_u32 max,
                 struct axip_sockaddr *from)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!chain)
		return -AXIP_EFAULT;
	*chain = AXIP_NULL;
	if (!sk)
		return err;
	if (sk->kind == SK_UDP)
		return sock_udp_recv_zc(s, sk, chain, from);
	err = sock_tcp_recv_zc(s, sk, chain, max);
	if (err >= 0 && from)
		*from = sk->peer;
	return err;
}

int axip_recv_peek(struct axip_stack *s, int fd, const axip_u8 **data)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!data)
		return -AXIP_EFAULT;
	*data = AXIP_NULL;
	if (!sk)
		return err;
	if (sk->kind != SK_TCP)
		return -AXIP_EOPNOTSUPP;
	return sock_tcp_peek(s, sk, data);
}

int axip_recv_consume(struct axip_stack *s, int fd, axip_u32 n)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (sk->kind != SK_TCP)
		return -AXIP_EINVAL;
	return sock_tcp_consume(s, sk, n);
}

int axip_send_zc(struct axip_stack *s, int fd, struct axip_pkt *chain, int flags,
                 const struct axip_sockaddr *to)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (!chain)
		return -AXIP_EFAULT;
	if (sk->kind == SK_UDP)
		return sock_udp_send_zc(s, sk, chain, to);
	return sock_tcp_send_zc(s, sk, chain, flags);
}

int axip_shutdown(struct axip_stack *s, int fd, int how)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (how != AXIP_SHUT_RD && how != AXIP_SHUT_WR && how != AXIP_SHUT_RDWR)
		return -AXIP_EINVAL;
	if (sk->kind == SK_UDP)
		err = sock_udp_shutdown(s, sk, how);
	else
		err = sock_tcp_shutdown(s, sk, how);
	sock_wake(s, sk);
	return err;
}

int axip_close(struct axip_stack *s, int fd)
{
	struct sock *sk = sock_get(s, fd);
	if (!sk)
		return -AXIP_EBADF;
	if (sk->kind == SK_EPOLL) {
		sock_epoll_close(s, sk);
	} else {
		sock_epoll_forget(s, sk);
		if (sk->kind == SK_TCP)
			sock_tcp_close(s, sk);
		else
			sock_udp_close(s, sk);
		sock_rx_purge(s, sk);
	}
	sock_release(s, sk);
	return 0;
}

int axip_sock_nread(struct axip_stack *s, int fd)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (sk->kind == SK_UDP)
		return sk->rx_head ? (int)axip_pkt_chain_len(sk->rx_head) : 0;
	if (sk->state == SS_LISTEN)
		return -AXIP_EINVAL;
	return (int)sk->rx_bytes;
}

int axip_sock_nwrite(struct axip_stack *s, int fd)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (sk->kind != SK_TCP || !sk->tcp)
		return 0;
	{
		axip_u32 size = sk->opts.sndbuf ? sk->opts.sndbuf : s->cfg.tcp_sndbuf;
		axip_u32 room = axip_tcp_sndbuf_free(sk->tcp);
		return room >= size ? 0 : (int)(size - room);
	}
}

int axip_sock_wspace(struct axip_stack *s, int fd)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (sk->kind == SK_UDP)
		return 65507;
	if (sk->state != SS_CONNECTED || !sk->tcp || (sk->flags & SF_SHUT_WR))
		return 0;
	return (int)axip_tcp_sndbuf_free(sk->tcp);
}

struct axip_tcp *axip_sock_tcp(struct axip_stack *s, int fd)
{
	struct sock *sk = sock_get(s, fd);
	return sk && sk->kind == SK_TCP ? sk->tcp : AXIP_NULL;
}

/* ---- options ---- */

static int get_int(const void *val, axip_u32 len, axip_u32 *out)
{
	const axip_u8 *b = (const axip_u8 *)val;
	int v;
	if (!val || len < sizeof(int))
		return -AXIP_EINVAL;
	mem_copy(&v, b, sizeof(int));
	*out = (axip_u32)v;
	return 0;
}

static int put_int(void *val, axip_u32 *len, int v)
{
	axip_u32 n;
	if (!val || !len)
		return -AXIP_EFAULT;
	n = *len < sizeof(int) ? *len : (axip_u32)sizeof(int);
	mem_copy(val, &v, n);
	*len = n;
	return 0;
}

/* Level AXIP_IPPROTO_IPV6: only AF_INET6 sockets have it (Linux gives
 * ENOPROTOOPT for an AF_INET socket). */
static int ipv6_setopt(struct sock *sk, int name, axip_u32 v)
{
	if (sk->local.family != AXIP_AF_INET6 || name != AXIP_IPV6_V6ONLY)
		return -AXIP_ENOPROTOOPT;
	/* as Linux: fixed once the socket has a port (bound, connected, listening) */
	if (sk->state != SS_NEW)
		return -AXIP_EINVAL;
	if (sk->kind == SK_UDP && !v)
		return -AXIP_EOPNOTSUPP; /* datagram sockets serve IPv6 only */
	if (v)
		sk->flags |= SF_V6ONLY;
	else
		sk->flags &= (axip_u16)~SF_V6ONLY;
	return 0;
}

int axip_setsockopt(struct axip_stack *s, int fd, int level, int name, const void *val,
                    axip_u32 len)
{
	int err;
	axip_u32 v = 0;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (level == AXIP_SOL_SOCKET && name == AXIP_SO_LINGER) {
		struct axip_linger l;
		if (!val || len < sizeof(l))
			return -AXIP_EINVAL;
		mem_copy(&l, val, sizeof(l));
		if (l.onoff)
			sk->flags |= SF_LINGER;
		else
			sk->flags &= (axip_u16)~SF_LINGER;
		sk->linger_sec = l.seconds < 0 ? 0u : (axip_u32)l.seconds;
		return 0;
	}
	err = get_int(val, len, &v);
	if (err)
		return err;
	if (level == AXIP_IPPROTO_IPV6)
		return ipv6_setopt(sk, name, v);
	if (level == AXIP_SOL_SOCKET) {
		switch (name) {
		case AXIP_SO_REUSEADDR:
		case AXIP_SO_REUSEPORT:
			if (v)
				sk->flags |= SF_REUSEADDR;
			else
				sk->flags &= (axip_u16)~SF_REUSEADDR;
			return 0;
		case AXIP_SO_RCVBUF:
			if (sk->kind == SK_UDP) {
				/* as Linux: the value is doubled for bookkeeping overhead */
				if ((axip_i32)v < 0 || v > (1u << 29))
					return -AXIP_EINVAL;
				sk->rcvbuf = v < 1024u ? 2048u : v * 2u;
				return 0;
			}
			return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_RCVBUF, v);
		case AXIP_SO_SNDBUF:
			if (sk->kind == SK_UDP)
				return 0; /* datagrams go out at once: nothing is buffered */
			return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_SNDBUF, v);
		case AXIP_SO_KEEPALIVE:
			if (sk->kind != SK_TCP)
				return 0;
			return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_KEEPALIVE, v ? 1u : 0u);
		default:
			return -AXIP_ENOPROTOOPT;
		}
	}
	if (level == AXIP_IPPROTO_TCP && sk->kind == SK_TCP) {
		switch (name) {
		case AXIP_TCP_NODELAY: return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_NODELAY, v ? 1u : 0u);
		case AXIP_TCP_CORK: return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_CORK, v ? 1u : 0u);
		case AXIP_TCP_MAXSEG: return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_MAXSEG, v);
		case AXIP_TCP_KEEPIDLE: return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_KEEPIDLE, v);
		case AXIP_TCP_KEEPINTVL: return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_KEEPINTVL, v);
		case AXIP_TCP_KEEPCNT: return sock_tcp_setopt(s, sk, AXIP_TCP_OPT_KEEPCNT, v);
		default: return -AXIP_ENOPROTOOPT;
		}
	}
	return -AXIP_ENOPROTOOPT;
}

int axip_getsockopt(struct axip_stack *s, int fd, int level, int name, void *val,
                    axip_u32 *len)
{
	int err;
	struct sock *sk = net_sock(s, fd, &err);
	if (!sk)
		return err;
	if (!val || !len)
		return -AXIP_EFAULT;
	if (level == AXIP_IPPROTO_IPV6) {
		if (sk->local.family != AXIP_AF_INET6 || name != AXIP_IPV6_V6ONLY)
			return -AXIP_ENOPROTOOPT;
		return put_int(val, len, sk->kind == SK_UDP || (sk->flags & SF_V6ONLY) != 0);
	}
	if (level == AXIP_SOL_SOCKET) {
		switch (name) {
		case AXIP_SO_ERROR:
			err = sk->err;
			sk->err = 0;
			return put_int(val, len, err);
		case AXIP_SO_TYPE:
			return put_int(val, len, sk->kind == SK_TCP ? AXIP_SOCK_STREAM : AXIP_SOCK_DGRAM);
		case AXIP_SO_PROTOCOL:
			return put_int(val, len, sk->kind == SK_TCP ? AXIP_IPPROTO_TCP : AXIP_IPPROTO_UDP);
		case AXIP_SO_DOMAIN:
			return put_int(val, len, sk->local.family);
		case AXIP_SO_ACCEPTCONN:
			return put_int(val, len, sk->state == SS_LISTEN);
		case AXIP_SO_REUSEADDR:
		case AXIP_SO_REUSEPORT:
			return put_int(val, len, (sk->flags & SF_REUSEADDR) != 0);
		case AXIP_SO_RCVBUF:
			if (sk->kind == SK_UDP)
				return put_int(val, len, (int)sk->rcvbuf);
			return sock_tcp_getopt(s, sk, AXIP_TCP_OPT_RCVBUF, val, len);
		case AXIP_SO_SNDBUF:
			if (sk->kind == SK_UDP)
				return put_int(val, len, (int)s->cfg.sock_udp_rcvbuf);
			return sock_tcp_getopt(s, sk, AXIP_TCP_OPT_SNDBUF, val, len);
		case AXIP_SO_KEEPALIVE:
			return put_int(val, len, sk->kind == SK_TCP && sk->opts.keepalive);
		case AXIP_SO_LINGER: {
			struct axip_linger l;
			if (*len < sizeof(l))
				return -AXIP_EINVAL;
			l.onoff = (sk->flags & SF_LINGER) != 0;
			l.seconds = (int)sk->linger_sec;
			mem_copy(val, &l, sizeof(l));
			*len = sizeof(l);
			return 0;
		}
		default:
			return -AXIP_ENOPROTOOPT;
		}
	}
	if (level == AXIP_IPPROTO_TCP && sk->kind == SK_TCP) {
		switch (name) {
		case AXIP_TCP_NODELAY: return sock_tcp_getopt(s, sk, AXIP_TCP_OPT_NODELAY, val, len);
		case AXIP_TCP_CORK: return sock_tcp_getopt(s, sk, AXIP_TCP_OPT_CORK, val, len);
		case AXIP_TCP_MAXSEG: return sock_tcp_getopt(s, sk, AXIP_TCP_OPT_MAXSEG, val, len);
		case AXIP_TCP_KEEPIDLE: return sock_tcp_getopt(s, sk, AXIP_TCP_OPT_KEEPIDLE, val, len);
		case AXIP_TCP_KEEPINTVL: return sock_tcp_getopt(s, sk, AXIP_TCP_OPT_KEEPINTVL, val, len);
		case AXIP_TCP_KEEPCNT: return sock_tcp_getopt(s, sk, AXIP_TCP_OPT_KEEPCNT, val, len);
		case AXIP_TCP_INFO: return sock_tcp_getopt(s, sk, AXIP_TCP_INFO, val, len);
		default: return -AXIP_ENOPROTOOPT;
		}
	}
	return -AXIP_ENOPROTOOPT;
}
