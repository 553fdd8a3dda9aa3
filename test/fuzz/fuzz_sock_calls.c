/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_sock_calls.c - random sequences of socket calls (axip/sock.h) on one
 * host against a lossy simulated peer, with invariants checked after every
 * call.
 *
 * Host 0 (10.0.0.1) is driven by the fuzzer through the socket layer only.
 * Host 1 (10.0.0.2) is the peer, also on sockets: a TCP echo listener on
 * port 80, a TCP listener on port 82 that never accepts (its queue fills),
 * a UDP echo socket on port 7; nothing on 81 (refused / ICMP unreachable).
 * It can also connect to host 0 (ports 90/91), so host 0's accept runs. How
 * the peer treats its connections is chosen by the input: echo, read and
 * discard, never read, or close at once with SO_LINGER 0 (reset).
 *
 * Input:
 *   byte 0   link: bits 0-1 loss (none, 1%, 5%, 20%), bit 2 reordering,
 *            bit 3 duplication, bit 4 small configuration (sock_max 10,
 *            4 interest entries, 4 KiB buffers), bits 5-6 peer behaviour
 *   then     operations: one byte (bits 0-6 modulo 18: the call; bit 7: read
 *            SO_ERROR afterwards) plus arguments, see do_op()
 *
 * Invariants (a violation aborts): every return value is in the set the
 * call documents; descriptors handed out are free in the model and small;
 * readiness agrees with the data calls (no EV_IN and a read that returns
 * data, EV_IN and EAGAIN, EV_OUT and EAGAIN on a stream, nread > 0 without
 * EV_IN); epoll_ctl's EEXIST/ENOENT agree with membership; epoll_wait
 * reports only members, with their current events, never a disarmed
 * one-shot entry, and every ready level-triggered member (max large
 * enough); SO_ERROR holds 0 or a known error; on a stream through the
 * peer's echo (peer behaviour 0) every byte read, copied or zero-copy, is
 * the next byte sent, and no more is read than was sent. At the end every
 * descriptor of both hosts is closed, the clock runs past TIME_WAIT, and
 * descriptors, connections, buffers and packet objects must all be back.
 */
#include "fuzz_util.h"
#include <axip/sock.h>

#define H0 AXIP_IP4(10, 0, 0, 1)
#define H1 AXIP_IP4(10, 0, 0, 2)
#define MAXFD 32
#define PEER_MAX 48
#define MAX_OPS 3000

enum kind { K_FREE = 0, K_TCP, K_UDP, K_EP };

struct fz {
	struct sim *sim;
	struct axip_stack *s, *p;
	uint32_t sock_max;
	/* model of host 0's descriptors */
	uint8_t kind[MAXFD];
	uint8_t listening[MAXFD];
	uint8_t member[MAXFD][MAXFD];   /* [epfd][fd]: fd in set epfd */
	uint32_t interest[MAXFD][MAXFD];
	uint8_t disarmed[MAXFD][MAXFD]; /* one-shot entry reported */
	/* streams through the peer's echo: what came back must be what went out */
	uint8_t echo[MAXFD];
	uint64_t tx_off[MAXFD], rx_off[MAXFD];
	/* the peer */
	int peer_mode;
	int p_echo, p_full, p_udp;
	int p_conn[PEER_MAX];
	uint8_t buf[70000];
};

static int in_set(int rc, const int *set, unsigned n)
{
	unsigned i;
	for (i = 0; i < n; i++)
		if (rc == -set[i])
			return 1;
	return 0;
}
#define ALLOWED(rc, ...)                                                                   \
	do {                                                                                   \
		static const int set_[] = {__VA_ARGS__};                                          \
		if (!in_set((rc), set_, sizeof(set_) / sizeof(set_[0]))) {                         \
			fprintf(stderr, "%s:%d: unexpected return %d\n", __FILE__, __LINE__, (rc));    \
			abort();                                                                       \
		}                                                                                  \
	} while (0)

/* Errors a connection can end with (SO_ERROR, and what a call reports once). */
#define CONN_ERRS AXIP_ECONNRESET, AXIP_ETIMEDOUT, AXIP_ECONNREFUSED, AXIP_EHOSTUNREACH, \
                  AXIP_ECONNABORTED, AXIP_ENETUNREACH

/* ---- the peer (host 1) ---- */

static void peer_add(struct fz *z, int fd)
{
	unsigned i;
	for (i = 0; i < PEER_MAX; i++) {
		if (z->p_conn[i] < 0) {
			z->p_conn[i] = fd;
			if (z->peer_mode == 3) {
				struct axip_linger lg = {1, 0};
				FUZZ_CHECK(axip_setsockopt(z->p, fd, AXIP_SOL_SOCKET, AXIP_SO_LINGER, &lg,
				                           sizeof(lg)) == 0);
			}
			return;
		}
	}
	FUZZ_CHECK(axip_close(z->p, fd) == 0);
}

static void peer_drop(struct fz *z, unsigned i)
{
	FUZZ_CHECK(axip_close(z->p, z->p_conn[i]) == 0);
	z->p_conn[i] = -1;
}

/* Serve the peer's sockets: accept, echo / discard / ignore, close on EOF. */
static void peer_serve(struct fz *z)
{
	unsigned i;
	int fd, rc;
	struct axip_sockaddr from;

	while ((fd = axip_accept(z->p, z->p_echo, NULL)) >= 0)
		peer_add(z, fd);
	FUZZ_CHECK(fd == -AXIP_EAGAIN || fd == -AXIP_EMFILE);
	for (i = 0; i < PEER_MAX; i++) {
		int ev;
		if ((fd = z->p_conn[i]) < 0)
			continue;
		if (z->peer_mode == 3) {
			peer_drop(z, i);
			continue;
		}
		ev = axip_sock_events(z->p, fd);
		FUZZ_CHECK(ev >= 0);
		if (z->peer_mode == 2 && !(ev & (AXIP_EV_ERR | AXIP_EV_HUP)))
			continue; /* never reads */
		if (z->peer_mode == 0) {
			int room = 0;
			rc = axip_recv(z->p, fd, z->buf, 8192, AXIP_MSG_PEEK);
			if (rc > 0) {
				room = axip_send(z->p, fd, z->buf, (axip_size)rc, 0);
				if (room > 0)
					FUZZ_CHECK(axip_recv(z->p, fd, z->buf, (axip_size)room, 0) == room);
				else if (room != -AXIP_EAGAIN)
					rc = room;
			}
		} else {
			rc = axip_recv(z->p, fd, z->buf, 8192, 0);
		}
		if (rc == 0 || (rc < 0 && rc != -AXIP_EAGAIN) || (ev & AXIP_EV_HUP))
			peer_drop(z, i);
	}
	/* UDP echo */
	while ((rc = axip_recvfrom(z->p, z->p_udp, z->buf, sizeof(z->buf), 0, &from)) >= 0)
		(void)axip_sendto(z->p, z->p_udp, z->buf, (axip_size)rc, 0, &from);
}

static void run_for(struct fz *z, axip_time_ns dt)
{
	axip_time_ns step = AXIP_MS(5), done = 0;
	while (done < dt) {
		axip_time_ns d = dt - done < step ? dt - done : step;
		sim_run(z->sim, d);
		done += d;
		peer_serve(z);
		if (step < AXIP_SEC(1))
			step *= 2;
	}
}

/* ---- host 0: the model and its checks ---- */

/* Byte i of the stream a descriptor sends through the echo. */
static uint8_t pat(uint64_t i)
{
	return (uint8_t)((i * 131u) ^ (i >> 9));
}

/* The stream of an echoed TCP socket starts (connect to port 80, accept). */
static void echo_start(struct fz *z, int fd)
{
	z->echo[fd] = z->peer_mode == 0;
	z->tx_off[fd] = z->rx_off[fd] = 0;
}

/* Received bytes of an echoed stream: the next ones sent, never more. */
static void echo_check(struct fz *z, int fd, const uint8_t *d, uint32_t n, int consume)
{
	uint32_t i;
	if (!z->echo[fd])
		return;
	FUZZ_CHECK(z->rx_off[fd] + n <= z->tx_off[fd]);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(d[i] == pat(z->rx_off[fd] + i));
	if (consume)
		z->rx_off[fd] += n;
}

static int pick_fd(struct fz *z, uint8_t a)
{
	/* mostly open descriptors; sometimes one that is free, -1 or out of range */
	int fd = (int)(a % (z->sock_max + 2u)) - 1;
	if (a & 0x80) {
		unsigned i, k = a & 31u;
		for (i = 0; i < MAXFD; i++) {
			int f = (int)((k + i) % MAXFD);
			if (z->kind[f] != K_FREE)
				return f;
		}
	}
	return fd;
}

static int is_sock(struct fz *z, int fd)
{
	return fd >= 0 && fd < MAXFD && (z->kind[fd] == K_TCP || z->kind[fd] == K_UDP);
}

static void forget(struct fz *z, int fd)
{
	unsigned i;
	for (i = 0; i < MAXFD; i++) {
		z->member[i][fd] = 0;
		z->member[fd][i] = 0;
	}
	z->kind[fd] = K_FREE;
	z->listening[fd] = 0;
}

static void new_fd(struct fz *z, int fd, uint8_t kind)
{
	FUZZ_CHECK(fd >= 0 && fd < (int)z->sock_max && fd < MAXFD);
	FUZZ_CHECK(z->kind[fd] == K_FREE);
	forget(z, fd);
	z->kind[fd] = kind;
	z->echo[fd] = 0;
}

/* Readiness agrees with what the descriptor's calls say right now. */
static void check_events(struct fz *z, int fd)
{
	int ev = axip_sock_events(z->s, fd), n;
	if (fd < 0 || fd >= MAXFD || z->kind[fd] == K_FREE) {
		FUZZ_CHECK(ev == -AXIP_EBADF);
		return;
	}
	FUZZ_CHECK(ev >= 0);
	FUZZ_CHECK(((unsigned)ev & ~(AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_ERR | AXIP_EV_HUP |
	                             AXIP_EV_RDHUP)) == 0);
	if (z->kind[fd] == K_EP)
		return;
	n = axip_sock_nread(z->s, fd);
	if (z->listening[fd]) {
		FUZZ_CHECK(n == -AXIP_EINVAL);
		return;
	}
	FUZZ_CHECK(n >= 0);
	if (n > 0)
		FUZZ_CHECK(ev & AXIP_EV_IN);
	FUZZ_CHECK(axip_sock_nwrite(z->s, fd) >= 0);
}

static void check_so_error(struct fz *z, int fd)
{
	int v = -1;
	axip_u32 len = sizeof(v);
	int rc = axip_getsockopt(z->s, fd, AXIP_SOL_SOCKET, AXIP_SO_ERROR, &v, &len);
	if (!is_sock(z, fd)) {
		ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK);
		return;
	}
	FUZZ_CHECK(rc == 0 && len == sizeof(v));
	if (v)
		ALLOWED(-v, CONN_ERRS);
}

static struct axip_sockaddr dest(uint8_t a)
{
	struct axip_sockaddr d;
	static const uint16_t ports[8] = {80, 81, 82, 7, 80, 7, 0, 9};
	memset(&d, 0, sizeof(d));
	d.family = AXIP_AF_INET;
	d.addr.v4 = H1;
	d.port = ports[a & 7];
	switch (a >> 3 & 7) {
	case 5: d.addr.v4 = AXIP_IP4(10, 0, 0, 99); break;   /* on-link, nobody there */
	case 6: d.addr.v4 = AXIP_IP4(192, 168, 50, 1); break; /* no route */
	case 7: d.family = (a & 0x40) ? AXIP_AF_UNSPEC : AXIP_AF_INET6; break;
	default: break;
	}
	return d;
}

static void op_recv(struct fz *z, int fd, uint8_t a, uint8_t b)
{
	int ev = axip_sock_events(z->s, fd), rc, fl = 0;
	uint32_t len = (uint32_t)a * 64u + (b & 63u);
	int flags = ((b & 0x40) ? AXIP_MSG_PEEK : 0) | ((b & 0x80) ? AXIP_MSG_TRUNC : 0);
	struct axip_iovec v[3];
	struct axip_sockaddr from;
	if (len > sizeof(z->buf))
		len = sizeof(z->buf);
	v[0].base = z->buf;
	v[0].len = len / 3;
	v[1].base = z->buf + len / 3;
	v[1].len = 0;
	v[2].base = z->buf + len / 3;
	v[2].len = len - len / 3;
	rc = axip_recvmsg(z->s, fd, v, 3, flags, &from, &fl);
	if (!is_sock(z, fd)) {
		ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK);
		return;
	}
	if (rc >= 0) {
		if (z->kind[fd] == K_TCP || !(flags & AXIP_MSG_TRUNC))
			FUZZ_CHECK((uint32_t)rc <= len);
		if (z->kind[fd] == K_TCP && rc > 0) {
			/* the pieces were filled in order: buf[0..len/3) then the rest */
			uint32_t first = (uint32_t)rc < len / 3 ? (uint32_t)rc : len / 3;
			echo_check(z, fd, z->buf, first, 0);
			z->rx_off[fd] += first;
			echo_check(z, fd, z->buf + len / 3, (uint32_t)rc - first, 0);
			z->rx_off[fd] -= first;
			if (!(flags & AXIP_MSG_PEEK) && z->echo[fd])
				z->rx_off[fd] += (uint32_t)rc;
		}
		FUZZ_CHECK(ev & AXIP_EV_IN); /* data, end of stream or a datagram */
		if (z->kind[fd] == K_TCP)
			FUZZ_CHECK(fl == 0);
		else if (fl)
			FUZZ_CHECK(fl == AXIP_MSG_TRUNC);
		return;
	}
	ALLOWED(rc, AXIP_EAGAIN, AXIP_ENOTCONN, CONN_ERRS);
	if (rc == -AXIP_EAGAIN)
		FUZZ_CHECK(!(ev & AXIP_EV_IN));
	if (rc == -AXIP_ENOTCONN)
		FUZZ_CHECK(z->kind[fd] == K_TCP);
	if (rc != -AXIP_EAGAIN && rc != -AXIP_ENOTCONN)
		FUZZ_CHECK(ev & AXIP_EV_ERR);
}

static void op_send(struct fz *z, int fd, uint8_t a, uint8_t b, uint8_t c)
{
	int ev = axip_sock_events(z->s, fd), rc;
	uint32_t len = (uint32_t)a * 256u + b, i;
	int flags = (c & 1) ? AXIP_MSG_MORE : 0;
	struct axip_sockaddr to = dest(c >> 1);
	struct axip_iovec v[2];
	if (len > sizeof(z->buf))
		len = sizeof(z->buf);
	for (i = 0; i < len; i++)
		z->buf[i] = is_sock(z, fd) && z->echo[fd] ? pat(z->tx_off[fd] + i) : (uint8_t)(i + c);
	v[0].base = z->buf;
	v[0].len = len / 2;
	v[1].base = z->buf + len / 2;
	v[1].len = len - len / 2;
	rc = axip_sendmsg(z->s, fd, v, 2, flags, (c & 0x80) ? &to : NULL);
	if (!is_sock(z, fd)) {
		ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK);
		return;
	}
	if (rc >= 0) {
		FUZZ_CHECK((uint32_t)rc <= len);
		if (z->kind[fd] == K_TCP)
			z->tx_off[fd] += (uint32_t)rc;
		if (z->kind[fd] == K_UDP)
			FUZZ_CHECK((uint32_t)rc == len);
		if (rc > 0)
			FUZZ_CHECK(ev & AXIP_EV_OUT);
		return;
	}
	if (z->kind[fd] == K_TCP) {
		ALLOWED(rc, AXIP_EAGAIN, AXIP_EPIPE, AXIP_ENOBUFS, AXIP_ENOTCONN, AXIP_EALREADY,
		        CONN_ERRS);
		/* writable yet nothing taken: only while the handshake runs is that EAGAIN */
		if (rc == -AXIP_EAGAIN && len > 0)
			FUZZ_CHECK(!(ev & AXIP_EV_OUT));
	} else {
		ALLOWED(rc, AXIP_EDESTADDRREQ, AXIP_EMSGSIZE, AXIP_ENOBUFS, AXIP_EPIPE, AXIP_EINVAL,
		        AXIP_EAFNOSUPPORT, AXIP_EADDRNOTAVAIL, CONN_ERRS);
	}
}

static void op_zc(struct fz *z, int fd, uint8_t a, uint8_t b)
{
	int rc;
	if (a & 4) {
		/* parsing in place, and the send space */
		const axip_u8 *d = NULL;
		int ev = axip_sock_events(z->s, fd), n = axip_sock_nread(z->s, fd), w;
		rc = axip_recv_peek(z->s, fd, &d);
		if (rc > 0) {
			FUZZ_CHECK(d && z->kind[fd] == K_TCP && rc <= n && (ev & AXIP_EV_IN));
			echo_check(z, fd, d, (uint32_t)rc, 0);
			if (b < (uint32_t)rc) {
				FUZZ_CHECK(axip_recv_consume(z->s, fd, b) == (int)b);
				echo_check(z, fd, d, b, 1);
			}
		} else if (rc < 0) {
			ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK, AXIP_EAGAIN, AXIP_ENOTCONN, AXIP_EINVAL,
			        AXIP_EOPNOTSUPP, CONN_ERRS);
			if (rc == -AXIP_EAGAIN)
				FUZZ_CHECK(!(ev & AXIP_EV_IN));
		}
		w = axip_sock_wspace(z->s, fd);
		if (is_sock(z, fd)) {
			FUZZ_CHECK(w >= 0);
			if (w > 0)
				FUZZ_CHECK(ev & AXIP_EV_OUT);
		} else {
			ALLOWED(w, AXIP_EBADF, AXIP_ENOTSOCK);
		}
		return;
	}
	if (a & 1) {
		struct axip_pkt *ch = NULL;
		struct axip_sockaddr from;
		rc = axip_recv_zc(z->s, fd, &ch, (uint32_t)b * 37u, &from);
		if (rc >= 0) {
			/* a chain of rc bytes; none at end of stream or after SHUT_RD (an
			 * empty datagram comes as a chain of 0 bytes) */
			FUZZ_CHECK(ch ? axip_pkt_chain_len(ch) == (uint32_t)rc : rc == 0);
			if (rc > 0 && z->kind[fd] == K_TCP && z->echo[fd]) {
				static uint8_t tmp[70000];
				uint32_t got = axip_pkt_copy_out(ch, 0, tmp, sizeof(tmp));
				FUZZ_CHECK(got == (uint32_t)rc || got == sizeof(tmp));
				echo_check(z, fd, tmp, got, 1);
				z->rx_off[fd] += (uint32_t)rc - got;
			}
			if (z->kind[fd] == K_TCP && b)
				FUZZ_CHECK((uint32_t)rc <= (uint32_t)b * 37u);
		} else {
			FUZZ_CHECK(ch == NULL);
			ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK, AXIP_EAGAIN, AXIP_ENOTCONN, AXIP_ENOBUFS,
			        CONN_ERRS);
		}
		axip_pkt_free(z->s, ch);
	} else {
		struct axip_pkt *p = axip_pkt_alloc(z->s, AXIP_PKT_HEADROOM);
		struct axip_sockaddr to = dest(b);
		uint32_t n;
		if (!p)
			return;
		n = p->tailroom < (uint32_t)b * 5u ? p->tailroom : (uint32_t)b * 5u;
		if (is_sock(z, fd) && z->echo[fd]) {
			uint32_t i;
			for (i = 0; i < n; i++)
				p->data[i] = pat(z->tx_off[fd] + i);
		} else {
			memset(p->data, 'z', n);
		}
		p->len = n;
		p->tailroom -= n;
		rc = axip_send_zc(z->s, fd, p, 0, (a & 2) ? &to : NULL);
		if (rc >= 0) {
			FUZZ_CHECK((uint32_t)rc == n);
			if (z->kind[fd] == K_TCP)
				z->tx_off[fd] += n;
			return; /* the core owns it */
		}
		ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK, AXIP_EFAULT, AXIP_EAGAIN, AXIP_EPIPE,
		        AXIP_ENOBUFS, AXIP_EDESTADDRREQ, AXIP_EINVAL, AXIP_EAFNOSUPPORT,
		        AXIP_EADDRNOTAVAIL, CONN_ERRS);
		/* UDP takes the chain in every case; otherwise it is still ours */
		if (!(is_sock(z, fd) && z->kind[fd] == K_UDP))
			axip_pkt_free(z->s, p);
	}
}

static void op_opt(struct fz *z, int fd, uint8_t a, uint8_t b)
{
	static const int opts[][2] = {
		{AXIP_SOL_SOCKET, AXIP_SO_REUSEADDR}, {AXIP_SOL_SOCKET, AXIP_SO_KEEPALIVE},
		{AXIP_SOL_SOCKET, AXIP_SO_SNDBUF},    {AXIP_SOL_SOCKET, AXIP_SO_RCVBUF},
		{AXIP_SOL_SOCKET, AXIP_SO_LINGER},    {AXIP_IPPROTO_TCP, AXIP_TCP_NODELAY},
		{AXIP_IPPROTO_TCP, AXIP_TCP_CORK},    {AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG},
		{AXIP_IPPROTO_TCP, AXIP_TCP_KEEPIDLE}, {AXIP_IPPROTO_TCP, AXIP_TCP_KEEPINTVL},
		{AXIP_IPPROTO_TCP, AXIP_TCP_KEEPCNT}, {AXIP_IPPROTO_TCP, AXIP_TCP_INFO},
		{AXIP_SOL_SOCKET, AXIP_SO_TYPE},      {AXIP_SOL_SOCKET, AXIP_SO_ACCEPTCONN},
		{AXIP_SOL_SOCKET, 77},                {AXIP_IPPROTO_TCP, 77},
	};
	const int *o = opts[a & 15];
	static const int vals[8] = {0, 1, 2, 88, 536, 4096, 100000, -1};
	int rc, v = vals[b & 7];
	if (a & 0x10) {
		union {
			struct axip_tcp_info ti;
			struct axip_linger lg;
			int i;
		} out;
		axip_u32 len = (b & 8) ? 2u : (axip_u32)sizeof(out);
		rc = axip_getsockopt(z->s, fd, o[0], o[1], &out, &len);
		if (rc == 0)
			FUZZ_CHECK(len <= sizeof(out));
	} else if (o[1] == AXIP_SO_LINGER && o[0] == AXIP_SOL_SOCKET) {
		struct axip_linger lg;
		lg.onoff = b & 1;
		lg.seconds = (b >> 1) & 3;
		rc = axip_setsockopt(z->s, fd, o[0], o[1], &lg, (b & 8) ? 4u : (axip_u32)sizeof(lg));
	} else {
		rc = axip_setsockopt(z->s, fd, o[0], o[1], &v, (b & 8) ? 2u : (axip_u32)sizeof(v));
	}
	if (!is_sock(z, fd)) {
		ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK);
		return;
	}
	if (rc < 0)
		ALLOWED(rc, AXIP_ENOPROTOOPT, AXIP_EINVAL);
}

static void op_epoll(struct fz *z, uint8_t a, uint8_t b, uint8_t c)
{
	struct axip_epoll_event ev, out[MAXFD + 2];
	int ep = pick_fd(z, b), fd = pick_fd(z, c), rc, i, j;
	static const uint32_t masks[4] = {AXIP_EV_IN, AXIP_EV_OUT, AXIP_EV_IN | AXIP_EV_RDHUP,
	                                  AXIP_EV_IN | AXIP_EV_OUT};
	int is_ep = ep >= 0 && ep < MAXFD && z->kind[ep] == K_EP;
	switch (a % 5) {
	case 0:
		rc = axip_epoll_create(z->s);
		if (rc >= 0)
			new_fd(z, rc, K_EP);
		else
			FUZZ_CHECK(rc == -AXIP_EMFILE);
		return;
	case 1: /* ADD */
	case 2: /* MOD */
	case 3: /* DEL */
		ev.events = masks[(a >> 3) & 3] | ((a & 0x20) ? AXIP_EV_ET : 0) |
		            ((a & 0x40) ? AXIP_EV_ONESHOT : 0);
		ev.data = (axip_u64)fd;
		rc = axip_epoll_ctl(z->s, ep, a % 5 == 1 ? AXIP_EPOLL_CTL_ADD
		                                         : a % 5 == 2 ? AXIP_EPOLL_CTL_MOD
		                                                      : AXIP_EPOLL_CTL_DEL,
		                    fd, &ev);
		if (!is_ep || !(fd >= 0 && fd < MAXFD && z->kind[fd] != K_FREE)) {
			ALLOWED(rc, AXIP_EBADF, AXIP_EINVAL);
			return;
		}
		if (!is_sock(z, fd)) {
			FUZZ_CHECK(rc == -AXIP_EINVAL);
			return;
		}
		if (a % 5 == 1) {
			if (z->member[ep][fd]) {
				FUZZ_CHECK(rc == -AXIP_EEXIST);
				return;
			}
			if (rc == -AXIP_ENOMEM)
				return;
			FUZZ_CHECK(rc == 0);
			z->member[ep][fd] = 1;
		} else if (!z->member[ep][fd]) {
			FUZZ_CHECK(rc == -AXIP_ENOENT);
			return;
		} else {
			FUZZ_CHECK(rc == 0);
			if (a % 5 == 3) {
				z->member[ep][fd] = 0;
				return;
			}
		}
		z->interest[ep][fd] = ev.events;
		z->disarmed[ep][fd] = 0;
		return;
	default: /* wait */
		rc = axip_epoll_wait(z->s, ep, out, MAXFD + 2);
		if (!is_ep) {
			ALLOWED(rc, AXIP_EBADF, AXIP_EINVAL);
			return;
		}
		FUZZ_CHECK(rc >= 0 && rc <= MAXFD);
		for (i = 0; i < rc; i++) {
			int f = (int)out[i].data;
			uint32_t want;
			FUZZ_CHECK(f >= 0 && f < MAXFD && z->member[ep][f]);
			FUZZ_CHECK(!z->disarmed[ep][f]);
			want = (uint32_t)axip_sock_events(z->s, f) &
			       ((z->interest[ep][f] & 0xffffu) | AXIP_EV_ERR | AXIP_EV_HUP);
			FUZZ_CHECK(out[i].events == want && want != 0);
			for (j = 0; j < i; j++)
				FUZZ_CHECK(out[j].data != out[i].data);
			if (z->interest[ep][f] & AXIP_EV_ONESHOT)
				z->disarmed[ep][f] = 1;
		}
		/* every ready level-triggered member was reported */
		for (i = 0; i < MAXFD; i++) {
			uint32_t iv = z->interest[ep][i];
			int seen = 0;
			if (!z->member[ep][i] || (iv & (AXIP_EV_ET | AXIP_EV_ONESHOT)))
				continue;
			if (!((uint32_t)axip_sock_events(z->s, i) &
			      ((iv & 0xffffu) | AXIP_EV_ERR | AXIP_EV_HUP)))
				continue;
			for (j = 0; j < rc; j++)
				seen |= (int)out[j].data == i;
			FUZZ_CHECK(seen);
		}
		return;
	}
}

static void op_poll(struct fz *z)
{
	struct axip_pollfd p[MAXFD + 2];
	unsigned i, n = 0;
	int rc, ready = 0;
	for (i = 0; i < MAXFD + 2 && i < z->sock_max + 2; i++) {
		p[n].fd = (int)i - 1;
		p[n].events = (axip_u16)(AXIP_EV_IN | AXIP_EV_OUT | AXIP_EV_RDHUP);
		n++;
	}
	rc = axip_sock_poll(z->s, p, n);
	for (i = 0; i < n; i++) {
		int fd = p[i].fd;
		if (fd < 0) {
			FUZZ_CHECK(p[i].revents == 0);
			continue;
		}
		if (fd >= MAXFD || z->kind[fd] == K_FREE)
			FUZZ_CHECK(p[i].revents == AXIP_EV_NVAL);
		else if (z->kind[fd] != K_EP)
			FUZZ_CHECK(p[i].revents == (axip_u16)axip_sock_events(z->s, fd));
		ready += p[i].revents != 0;
	}
	FUZZ_CHECK(rc == ready);
}

static void do_op(struct fz *z, struct fuzz_in *in)
{
	uint8_t op = fin_u8(in), a = fin_u8(in), b = fin_u8(in);
	int fd = pick_fd(z, a), rc;
	struct axip_sockaddr sa;

	switch ((op & 0x7f) % 18) {
	case 0: { /* socket */
		static const int types[4] = {AXIP_SOCK_STREAM, AXIP_SOCK_DGRAM, AXIP_SOCK_STREAM, 5};
		int fam = (b & 0x10) ? AXIP_AF_INET6 : AXIP_AF_INET;
		rc = axip_socket(z->s, fam, types[b & 3], (b & 0x20) ? AXIP_IPPROTO_UDP : 0);
		if (rc >= 0) {
			new_fd(z, rc, (b & 3) == 1 ? K_UDP : K_TCP);
			FUZZ_CHECK(fam == AXIP_AF_INET && (b & 3) != 3);
		} else {
			ALLOWED(rc, AXIP_EMFILE, AXIP_EAFNOSUPPORT, AXIP_EPROTOTYPE,
			        AXIP_EPROTONOSUPPORT);
		}
		break;
	}
	case 1: { /* bind */
		static const uint16_t ports[4] = {0, 90, 91, 7000};
		memset(&sa, 0, sizeof(sa));
		sa.family = (b & 0x40) ? AXIP_AF_INET6 : AXIP_AF_INET;
		sa.port = ports[b & 3];
		sa.addr.v4 = (b & 4) ? H0 : (b & 8) ? H1 : 0;
		rc = axip_bind(z->s, fd, (b & 0x80) ? NULL : &sa);
		if (rc)
			ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK, AXIP_EFAULT, AXIP_EAFNOSUPPORT,
			        AXIP_EINVAL, AXIP_EADDRNOTAVAIL, AXIP_EADDRINUSE, AXIP_ENOBUFS);
		break;
	}
	case 2: /* listen */
		rc = axip_listen(z->s, fd, (int)(b % 6) - 1);
		if (rc == 0)
			z->listening[fd] = 1;
		else
			ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK, AXIP_EOPNOTSUPP, AXIP_EINVAL,
			        AXIP_EADDRINUSE, AXIP_ENOMEM, AXIP_ENOBUFS);
		break;
	case 3: /* accept */
		rc = axip_accept(z->s, fd, (b & 1) ? &sa : NULL);
		if (rc >= 0) {
			FUZZ_CHECK(z->listening[fd]);
			new_fd(z, rc, K_TCP);
			echo_start(z, rc);
			if (b & 1)
				FUZZ_CHECK(sa.family == AXIP_AF_INET && sa.addr.v4 == H1);
		} else {
			ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK, AXIP_EOPNOTSUPP, AXIP_EINVAL, AXIP_EAGAIN);
			if (rc == -AXIP_EAGAIN)
				FUZZ_CHECK(!(axip_sock_events(z->s, fd) & AXIP_EV_IN));
		}
		break;
	case 4: /* connect */
		sa = dest(b);
		rc = axip_connect(z->s, fd, &sa);
		if (rc == -AXIP_EINPROGRESS && is_sock(z, fd) && z->kind[fd] == K_TCP)
			echo_start(z, fd);
		if (!(rc == -AXIP_EINPROGRESS && sa.port == 80 && sa.addr.v4 == H1) && is_sock(z, fd) &&
		    rc != -AXIP_EALREADY && rc != -AXIP_EISCONN && rc != 0)
			z->echo[fd] = 0; /* a new attempt elsewhere, or a failed one */
		if (rc)
			ALLOWED(rc, AXIP_EINPROGRESS, AXIP_EALREADY, AXIP_EISCONN, AXIP_EBADF,
			        AXIP_ENOTSOCK, AXIP_EAFNOSUPPORT, AXIP_EINVAL, AXIP_EADDRNOTAVAIL,
			        AXIP_EADDRINUSE, AXIP_ENOBUFS, AXIP_ECONNREFUSED, CONN_ERRS);
		break;
	case 5:
	case 6:
		op_send(z, fd, b, fin_u8(in), fin_u8(in));
		break;
	case 7:
	case 8:
		op_recv(z, fd, b, fin_u8(in));
		break;
	case 9: /* shutdown */
		rc = axip_shutdown(z->s, fd, (int)(b % 4));
		if (rc == 0 && (b % 4) != AXIP_SHUT_WR)
			z->echo[fd] = 0; /* what comes back now is discarded */
		if (rc)
			ALLOWED(rc, AXIP_EBADF, AXIP_ENOTSOCK, AXIP_EINVAL, AXIP_ENOTCONN);
		break;
	case 10: /* close */
		rc = axip_close(z->s, fd);
		if (fd >= 0 && fd < MAXFD && z->kind[fd] != K_FREE) {
			FUZZ_CHECK(rc == 0);
			forget(z, fd);
		} else {
			FUZZ_CHECK(rc == -AXIP_EBADF);
		}
		break;
	case 11:
		op_opt(z, fd, b, fin_u8(in));
		break;
	case 12:
		op_zc(z, fd, b, fin_u8(in));
		break;
	case 13:
	case 14:
		op_epoll(z, b, a, fin_u8(in));
		break;
	case 15:
		op_poll(z);
		break;
	case 16: { /* the peer connects to host 0 */
		int pf = axip_socket(z->p, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
		memset(&sa, 0, sizeof(sa));
		sa.family = AXIP_AF_INET;
		sa.addr.v4 = H0;
		sa.port = (b & 1) ? 91 : 90;
		if (pf < 0)
			break;
		rc = axip_connect(z->p, pf, &sa);
		if (rc == -AXIP_EINPROGRESS)
			peer_add(z, pf);
		else
			FUZZ_CHECK(axip_close(z->p, pf) == 0);
		break;
	}
	default: /* time passes */
		run_for(z, fuzz_time_step(b) + (axip_time_ns)(b >> 3) * AXIP_MS(1));
		break;
	}
	/* every step: readiness and pending errors of two descriptors */
	check_events(z, fd);
	if (op & 0x80)
		check_so_error(z, pick_fd(z, b)); /* reading SO_ERROR clears it: not always */
	peer_serve(z);
}

static void cfg_hook(void *arg, uint32_t host, struct axip_config *cfg)
{
	int small = *(int *)arg;
	(void)host;
	cfg->sock_max = small ? 10 : MAXFD;
	cfg->sock_epoll_items = small ? 4 : 64;
	cfg->sock_accept_max = 4;
	cfg->udp_sockets = 16;
	cfg->tcp_conns = 64;
	cfg->tcp_max_retries = 6;
	cfg->tcp_syn_retries = 3;
	cfg->tcp_rto_max_ns = AXIP_SEC(10);
	if (small) {
		cfg->tcp_sndbuf = 4096;
		cfg->tcp_rcvbuf = 4096;
		cfg->sock_udp_rcvbuf = 8192;
	}
	if (host == 1)
		cfg->sock_max = 64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz zz;
	struct fz *z = &zz;
	struct fuzz_in in = {data, size};
	struct sim_params p;
	uint8_t conf = fin_u8(&in);
	static const uint32_t loss[4] = {0, 10000, 50000, 200000};
	int small = (conf >> 4) & 1, ops = 0, rc;
	uint32_t bufs0, bufs1, pool0, pool1;
	unsigned i;
	struct axip_sockaddr a;
	const struct axip_counters *k0, *k1;

	memset(z, 0, sizeof(*z));
	memset(&p, 0, sizeof(p));
	p.seed = 1u + conf;
	p.bufs_per_host = 4096;
	p.impair.drop_ppm = loss[conf & 3];
	p.impair.reorder_ppm = (conf & 4) ? 20000 : 0;
	p.impair.dup_ppm = (conf & 8) ? 10000 : 0;
	p.cfg_hook = cfg_hook;
	p.cfg_arg = &small;
	z->sim = sim_new(&p);
	z->s = sim_stack(z->sim, 0);
	z->p = sim_stack(z->sim, 1);
	z->sock_max = small ? 10u : MAXFD;
	z->peer_mode = (conf >> 5) & 3;
	for (i = 0; i < PEER_MAX; i++)
		z->p_conn[i] = -1;
	sim_run(z->sim, AXIP_MS(1));
	bufs0 = sim_bufs_in_use(z->sim, 0);
	bufs1 = sim_bufs_in_use(z->sim, 1);
	pool0 = axip_pkt_pool_available(z->s);
	pool1 = axip_pkt_pool_available(z->p);
	/* the peer's services */
	memset(&a, 0, sizeof(a));
	a.family = AXIP_AF_INET;
	z->p_echo = axip_socket(z->p, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	z->p_full = axip_socket(z->p, AXIP_AF_INET, AXIP_SOCK_STREAM, 0);
	z->p_udp = axip_socket(z->p, AXIP_AF_INET, AXIP_SOCK_DGRAM, 0);
	a.port = 80;
	FUZZ_CHECK(axip_bind(z->p, z->p_echo, &a) == 0 && axip_listen(z->p, z->p_echo, 8) == 0);
	a.port = 82;
	FUZZ_CHECK(axip_bind(z->p, z->p_full, &a) == 0 && axip_listen(z->p, z->p_full, 0) == 0);
	a.port = 7;
	FUZZ_CHECK(axip_bind(z->p, z->p_udp, &a) == 0);

	while (fin_left(&in) && ops++ < MAX_OPS)
		do_op(z, &in);

	/* close everything, both hosts, and let TIME_WAIT and retries end */
	for (i = 0; i < MAXFD; i++) {
		if (z->kind[i] == K_FREE)
			continue;
		FUZZ_CHECK(axip_close(z->s, (int)i) == 0);
		forget(z, (int)i);
	}
	for (i = 0; i < PEER_MAX; i++)
		if (z->p_conn[i] >= 0)
			peer_drop(z, i);
	FUZZ_CHECK(axip_close(z->p, z->p_echo) == 0);
	FUZZ_CHECK(axip_close(z->p, z->p_full) == 0);
	FUZZ_CHECK(axip_close(z->p, z->p_udp) == 0);
	for (i = 0; i < 8; i++)
		sim_run(z->sim, AXIP_SEC(100));
	k0 = axip_counters(z->s);
	k1 = axip_counters(z->p);
	rc = 0;
	if (k0->sock_open != k0->sock_close || k1->sock_open != k1->sock_close ||
	    k0->tcp_conn_alloc != k0->tcp_conn_free || k1->tcp_conn_alloc != k1->tcp_conn_free ||
	    sim_bufs_in_use(z->sim, 0) != bufs0 || sim_bufs_in_use(z->sim, 1) != bufs1 ||
	    axip_pkt_pool_available(z->s) != pool0 || axip_pkt_pool_available(z->p) != pool1) {
		fprintf(stderr,
		        "leak: fds %llu/%llu, conns %llu/%llu, bufs %u/%u (was %u/%u), "
		        "pkts %u/%u (was %u/%u)\n",
		        (unsigned long long)(k0->sock_open - k0->sock_close),
		        (unsigned long long)(k1->sock_open - k1->sock_close),
		        (unsigned long long)(k0->tcp_conn_alloc - k0->tcp_conn_free),
		        (unsigned long long)(k1->tcp_conn_alloc - k1->tcp_conn_free),
		        (unsigned)sim_bufs_in_use(z->sim, 0), (unsigned)sim_bufs_in_use(z->sim, 1),
		        (unsigned)bufs0, (unsigned)bufs1, (unsigned)axip_pkt_pool_available(z->s),
		        (unsigned)axip_pkt_pool_available(z->p), (unsigned)pool0, (unsigned)pool1);
		rc = 1;
	}
	fuzz_report(z->s);
	sim_free(z->sim);
	FUZZ_CHECK(rc == 0);
	return 0;
}
