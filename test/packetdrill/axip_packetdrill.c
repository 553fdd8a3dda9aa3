/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip_packetdrill.c - packetdrill's shared-object interface over one axip
 * instance, so packetdrill scripts drive axip's TCP as they drive Linux's.
 *
 * packetdrill --so_filename=axip_packetdrill.so --so_flags="local_ip=A remote_ip=B" x.pkt
 *
 * packetdrill loads this object, calls packetdrill_interface_init() and then
 * sends every socket call, every packet it injects and every packet it waits
 * for through struct packetdrill_interface (packetdrill.h in packetdrill's
 * source, an interface header included at build time).
 *
 * The link: one axip instance whose only neighbour is the script's remote
 * end. netdev_send() puts an Ethernet header in front of the IP packet and
 * hands it to axip_rx(); what axip transmits is queued with its time,
 * ARP frames dropped, and netdev_receive() returns it without the Ethernet
 * header. The remote address and the gateway have static neighbour entries,
 * so no ARP is needed.
 *
 * Time is virtual. The clock moves only when packetdrill sleeps (usleep), by
 * one microsecond per gettimeofday() (packetdrill spins on it for the last
 * microseconds before an event), and when packetdrill waits for a packet
 * that is not there yet: netdev_receive() then jumps to the instance's next
 * timer deadline (a retransmission, a delayed ACK, a probe) and runs it. Every
 * timer runs at its deadline, so a script's timing is checked exactly and a
 * run does not depend on the machine's load.
 *
 * Blocking calls: axip's socket calls never block. A descriptor without
 * O_NONBLOCK (tracked here from socket(SOCK_NONBLOCK), fcntl and FIONBIO)
 * blocks in the adapter: the call is retried after every change of the
 * instance (an injected packet, a timer, another socket call). packetdrill
 * makes calls that a script marks blocking ("t1...t2 call") in a thread of
 * its own while its main thread goes on injecting packets; such a call
 * waits on a condition variable. After each change the changing thread
 * waits ("settles") until every waiting call has retried and any that
 * finished has read the clock, so a call returns at the virtual time of the
 * packet that completed it. A call that would block in packetdrill's main
 * thread (a script that does not mark it blocking) has no one to inject
 * packets for it; like the kernel it waits for the instance's timers, which
 * the adapter runs forward in virtual time.
 *
 * Descriptors: packetdrill closes the descriptors it still knows at the end
 * of a script with the real close(2), so every axip socket is named by a real
 * descriptor (an open /dev/null) that this file maps to the axip descriptor.
 * Descriptors that are not axip's (pipes from pipe(), files) go to libc.
 *
 * One mutex guards the instance; every call into axip holds it.
 */
#define _GNU_SOURCE
#include "packetdrill.h"

#include <axip/axip.h>
#include <axip/sock.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#define PD_MAX_FDS 4096
#define PD_HEADROOM 128u
#define PD_NO_TIME (~(axip_time_ns)0)
#define PD_TICK_NS 1000u                      /* one gettimeofday() */
#define PD_START_NS AXIP_SEC(1)
/* A blocked call in the main thread, or a wait for a packet, gives up after
 * this much virtual time without a result. */
#define PD_WAIT_CAP_NS AXIP_SEC(3600)
#define PD_SETTLE_REAL_SEC 5                  /* real-time guard against a lost wake-up */
#define PD_MAX_IOV 1024

#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ
#endif

enum pd_kind { PD_FREE = 0, PD_SOCK, PD_EPOLL };

struct pd_fd {
	uint8_t kind;
	uint8_t nonblock;
	int ax;                 /* axip descriptor */
};

/* A buffer handed to the instance: heap memory with a reference count,
 * listed so that everything is freed at the end. */
struct pd_link {
	struct pd_link *prev, *next;
};

struct pd_buf {
	struct pd_link link;     /* first: a list entry is its buffer */
	uint32_t refs;
	uint8_t mem[];
};

/* A frame axip transmitted, waiting for netdev_receive(). */
struct pd_out {
	struct pd_out *next;
	long long time_us;
	size_t len;
	uint8_t data[];          /* the IP packet */
};

/* A call waiting in a thread other than the main one. */
struct pd_waiter {
	struct pd_waiter *next;
	uint64_t seen;           /* the change it last retried after */
	axip_time_ns deadline;   /* PD_NO_TIME: none */
};

struct pd {
	pthread_mutex_t mu;
	pthread_cond_t wake;     /* the instance changed: waiting calls retry */
	pthread_cond_t settled;  /* a waiting call retried or read the clock */
	pthread_t main_thread;

	struct axip_stack *s;
	void *mem;
	uint32_t buf_size;
	struct pd_link bufs;     /* list head of live buffers */

	axip_time_ns now;
	axip_time_ns next_timer; /* from the last axip_poll() */
	uint64_t gen;            /* count of changes */
	struct pd_waiter *waiters;
	int returns_untimed;     /* finished blocked calls that have not read the clock */

	struct pd_out *out_head, *out_tail;

	uint32_t local_ip, remote_ip, gateway;   /* host order */
	uint8_t prefix_len;
	uint32_t mtu;
	uint8_t local_mac[6], remote_mac[6];

	struct pd_fd fds[PD_MAX_FDS];
};

/* Set in a thread whose blocked call returned; cleared when it reads the clock. */
static __thread int pd_untimed_return;
/* Set while a call of this thread has waited (it may wait several times). */
static __thread int pd_call_waited;

static void pd_die(const char *fmt, ...)
{
	va_list ap;
	fputs("axip packetdrill adapter: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

static void pd_warn(const char *fmt, ...)
{
	va_list ap;
	fputs("axip packetdrill adapter: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- environment: heap buffers, transmit into the queue ---- */

static void *env_buf_alloc(void *ctx, axip_u8 **mem, axip_u32 *size)
{
	struct pd *p = ctx;
	struct pd_buf *b = malloc(sizeof(*b) + p->buf_size);
	if (!b)
		return NULL;
	b->refs = 1;
	b->link.next = p->bufs.next;
	b->link.prev = &p->bufs;
	p->bufs.next->prev = &b->link;
	p->bufs.next = &b->link;
	*mem = b->mem;
	*size = p->buf_size;
	return b;
}

static void env_buf_free(void *ctx, void *buf)
{
	struct pd_buf *b = buf;
	(void)ctx;
	if (b->refs == 0)
		pd_die("buffer freed twice");
	if (--b->refs)
		return;
	b->link.prev->next = b->link.next;
	b->link.next->prev = b->link.prev;
	free(b);
}

static void env_buf_ref(void *ctx, void *buf)
{
	struct pd_buf *b = buf;
	(void)ctx;
	b->refs++;
}

static int env_tx(void *ctx, struct axip_pkt *pkt)
{
	struct pd *p = ctx;
	struct axip_pkt *q;
	size_t len = 0, off = 0;
	struct pd_out *o = NULL;
	uint16_t type = 0;

	for (q = pkt; q; q = q->sg_next)
		len += q->len;
	if (pkt->len >= 14u)
		type = (uint16_t)(pkt->data[12] << 8 | pkt->data[13]);
	if (len > 14u && (type == 0x0800u || type == 0x86ddu)) {
		o = malloc(sizeof(*o) + len);
		if (!o)
			pd_die("out of memory");
		for (q = pkt; q; q = q->sg_next) {
			memcpy(o->data + off, q->data, q->len);
			off += q->len;
		}
		o->len = len - 14u;
		memmove(o->data, o->data + 14, o->len);
		o->time_us = (long long)(p->now / 1000u);
		o->next = NULL;
		if (p->out_tail)
			p->out_tail->next = o;
		else
			p->out_head = o;
		p->out_tail = o;
	}
	for (q = pkt; q; q = q->sg_next)
		env_buf_free(p, q->buf);
	return 0;
}

static const struct axip_env_ops pd_env_ops = {
	.buf_alloc = env_buf_alloc,
	.buf_free = env_buf_free,
	.buf_ref = env_buf_ref,
	.tx = env_tx,
	.tx_flush = NULL,
};

/* ---- virtual time, changes and waiting ---- */

static int pd_is_main(const struct pd *p)
{
	return pthread_equal(pthread_self(), p->main_thread);
}

static void pd_settle_deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += PD_SETTLE_REAL_SEC;
}

static int pd_unsettled(const struct pd *p)
{
	const struct pd_waiter *w;
	/* a thread that finished a blocked call reads the clock after this
	 * call of its own returns: do not wait for it */
	if (p->returns_untimed > (pd_untimed_return ? 1 : 0))
		return 1;
	for (w = p->waiters; w; w = w->next)
		if (w->seen != p->gen)
			return 1;
	return 0;
}

/*
 * The instance changed (mutex held): let every waiting call retry, and wait
 * until each has retried and any that finished has read the clock.
 */
static void pd_changed(struct pd *p)
{
	struct timespec until;
	p->gen++;
	if (!p->waiters && !p->returns_untimed)
		return;
	pthread_cond_broadcast(&p->wake);
	pd_settle_deadline(&until);
	while (pd_unsettled(p)) {
		if (pthread_cond_timedwait(&p->settled, &p->mu, &until) == ETIMEDOUT) {
			pd_warn("a blocked call did not retry within %d s (real time)", PD_SETTLE_REAL_SEC);
			return;
		}
	}
}

/* The earliest future event: a timer or the end of a waiting call's timeout. */
static axip_time_ns pd_next_event(const struct pd *p)
{
	axip_time_ns next = p->next_timer;
	const struct pd_waiter *w;
	for (w = p->waiters; w; w = w->next)
		if (w->deadline != PD_NO_TIME && w->deadline > p->now && w->deadline < next)
			next = w->deadline;
	return next;
}

/* After a call into the instance: note its next deadline, flush. */
static void pd_after_call(struct pd *p)
{
	axip_flush(p->s);
	p->next_timer = axip_poll(p->s, p->now);
}

/* Run virtual time forward to `t`, stopping at every timer deadline and
 * waiting call's timeout on the way. */
static void pd_advance_to(struct pd *p, axip_time_ns t)
{
	for (;;) {
		axip_time_ns next = pd_next_event(p);
		if (next == PD_NO_TIME || next > t)
			break;
		p->now = next > p->now ? next : p->now + PD_TICK_NS;
		p->next_timer = axip_poll(p->s, p->now);
		pd_changed(p);
	}
	if (t > p->now)
		p->now = t;
	axip_set_time(p->s, p->now);
}

/*
 * A call that would block waits here once (mutex held) and returns 0 to be
 * retried, or -1 when its timeout passed or nothing can ever complete it.
 */
static int pd_wait(struct pd *p, struct pd_waiter *w, axip_time_ns started)
{
	if (pd_is_main(p)) {
		axip_time_ns next = pd_next_event(p);
		if (w->deadline != PD_NO_TIME && p->now >= w->deadline)
			return -1;
		if (w->deadline != PD_NO_TIME && (next == PD_NO_TIME || next > w->deadline))
			next = w->deadline;
		if (next == PD_NO_TIME || next - started > PD_WAIT_CAP_NS) {
			pd_warn("a call blocks in packetdrill's main thread and no timer can end it; "
			        "mark it blocking in the script (t1...t2) or use O_NONBLOCK");
			return -1;
		}
		pd_advance_to(p, next > p->now ? next : p->now + PD_TICK_NS);
		return 0;
	}
	if (w->deadline != PD_NO_TIME && p->now >= w->deadline)
		return -1;
	w->seen = p->gen;
	pthread_cond_broadcast(&p->settled);
	while (w->seen == p->gen) {
		if (w->deadline != PD_NO_TIME && p->now >= w->deadline)
			return -1;
		pthread_cond_wait(&p->wake, &p->mu);
	}
	return 0;
}

static void pd_wait_begin(struct pd *p, struct pd_waiter *w, axip_time_ns deadline)
{
	w->seen = p->gen;
	w->deadline = deadline;
	w->next = NULL;
	if (!pd_is_main(p)) {
		w->next = p->waiters;
		p->waiters = w;
	}
}

static void pd_wait_end(struct pd *p, struct pd_waiter *w, int waited)
{
	struct pd_waiter **pp;
	if (pd_is_main(p))
		return;
	for (pp = &p->waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	if (waited)
		pd_call_waited = 1;
	pthread_cond_broadcast(&p->settled);
}

/*
 * Run try(p, arg) until it returns something other than -AXIP_EAGAIN, or
 * once when `blocking` is 0. `timeout_ms` (< 0: none) bounds the wait; on
 * timeout the last result is returned. Mutex held.
 */
typedef int (*pd_try_fn)(struct pd *p, void *arg);

static int pd_block(struct pd *p, pd_try_fn try, void *arg, int blocking, int timeout_ms)
{
	struct pd_waiter *w;
	axip_time_ns started = p->now;
	int rc, waited = 0;

	axip_set_time(p->s, p->now);
	rc = try(p, arg);
	pd_after_call(p);
	if (rc != -AXIP_EAGAIN || !blocking)
		return rc;
	/* on the heap: p->waiters points at it until pd_wait_end() */
	w = malloc(sizeof(*w));
	if (!w)
		pd_die("out of memory");
	pd_wait_begin(p, w, timeout_ms < 0 ? PD_NO_TIME : p->now + AXIP_MS(timeout_ms));
	for (;;) {
		waited = 1;
		if (pd_wait(p, w, started) < 0)
			break;
		axip_set_time(p->s, p->now);
		rc = try(p, arg);
		pd_after_call(p);
		if (rc != -AXIP_EAGAIN)
			break;
	}
	pd_wait_end(p, w, waited);
	free(w);
	return rc;
}

/* ---- descriptors ---- */

static struct pd_fd *pd_fd_get(struct pd *p, int fd, int kind)
{
	if (fd < 0 || fd >= PD_MAX_FDS || p->fds[fd].kind == PD_FREE)
		return NULL;
	if (kind && p->fds[fd].kind != kind)
		return NULL;
	return &p->fds[fd];
}

/* packetdrill closes the descriptors left at the end of a script with
 * close(2), so a number may come back from the kernel while the table still
 * holds it: drop the stale entry. */
static void pd_fd_forget(struct pd *p, int fd)
{
	if (fd >= 0 && fd < PD_MAX_FDS && p->fds[fd].kind != PD_FREE) {
		axip_close(p->s, p->fds[fd].ax);
		memset(&p->fds[fd], 0, sizeof(p->fds[fd]));
	}
}

/* A real descriptor to name axip descriptor `ax`. */
static int pd_fd_new(struct pd *p, int kind, int ax, int nonblock)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fd >= PD_MAX_FDS) {
		close(fd);
		return -EMFILE;
	}
	pd_fd_forget(p, fd);
	p->fds[fd].kind = (uint8_t)kind;
	p->fds[fd].ax = ax;
	p->fds[fd].nonblock = (uint8_t)(nonblock != 0);
	return fd;
}

static void pd_fd_release(struct pd *p, int fd)
{
	memset(&p->fds[fd], 0, sizeof(p->fds[fd]));
	close(fd);
}

/* Return `rc` POSIX-style: a negative error number goes to errno. Every
 * call that took the mutex leaves through here: a call that waited is now
 * timed by packetdrill's next gettimeofday(), and changes wait for that. */
static int pd_ret(struct pd *p, int rc)
{
	if (pd_call_waited) {
		pd_call_waited = 0;
		p->returns_untimed++;
		pd_untimed_return = 1;
		pthread_cond_broadcast(&p->settled);
	}
	pthread_mutex_unlock(&p->mu);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

static void pd_lock(struct pd *p)
{
	pthread_mutex_lock(&p->mu);
}

/* ---- addresses ---- */

static int sa_to_ax(const struct sockaddr *sa, socklen_t len, struct axip_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (!sa || len < sizeof(sa_family_t))
		return -AXIP_EINVAL;
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		if (len < sizeof(*in))
			return -AXIP_EINVAL;
		out->family = AXIP_AF_INET;
		out->port = ntohs(in->sin_port);
		out->addr.v4 = ntohl(in->sin_addr.s_addr);
		return 0;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		if (len < sizeof(*in6))
			return -AXIP_EINVAL;
		out->family = AXIP_AF_INET6;
		out->port = ntohs(in6->sin6_port);
		out->scope_id = in6->sin6_scope_id;
		memcpy(out->addr.v6, &in6->sin6_addr, 16);
		return 0;
	}
	case AF_UNSPEC:
		out->family = AXIP_AF_UNSPEC;
		return 0;
	default:
		return -AXIP_EAFNOSUPPORT;
	}
}

static void ax_to_sa(const struct axip_sockaddr *a, struct sockaddr *sa, socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t n;
	if (!sa || !len)
		return;
	memset(&ss, 0, sizeof(ss));
	if (a->family == AXIP_AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(a->port);
		in6->sin6_scope_id = a->scope_id;
		memcpy(&in6->sin6_addr, a->addr.v6, 16);
		n = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		in->sin_addr.s_addr = htonl(a->addr.v4);
		n = sizeof(*in);
	}
	memcpy(sa, &ss, *len < n ? *len : n);
	*len = n;
}

/* ---- socket calls ---- */

static int pd_socket(void *ud, int domain, int type, int protocol)
{
	struct pd *p = ud;
	int nonblock = (type & SOCK_NONBLOCK) != 0;
	int ax, fd;
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	pd_lock(p);
	ax = axip_socket(p->s, domain, type, protocol);
	if (ax < 0)
		return pd_ret(p, ax);
	fd = pd_fd_new(p, PD_SOCK, ax, nonblock);
	if (fd < 0)
		axip_close(p->s, ax);
	return pd_ret(p, fd);
}

static int pd_bind(void *ud, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct pd *p = ud;
	struct axip_sockaddr a;
	struct pd_fd *f;
	int rc;
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f)
		return pd_ret(p, -AXIP_EBADF);
	rc = sa_to_ax(addr, len, &a);
	if (rc == 0)
		rc = axip_bind(p->s, f->ax, &a);
	pd_after_call(p);
	return pd_ret(p, rc);
}

static int pd_listen(void *ud, int fd, int backlog)
{
	struct pd *p = ud;
	struct pd_fd *f;
	int rc;
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f)
		return pd_ret(p, -AXIP_EBADF);
	rc = axip_listen(p->s, f->ax, backlog);
	pd_after_call(p);
	pd_changed(p);
	return pd_ret(p, rc);
}

struct accept_arg {
	int ax;
	struct axip_sockaddr peer;
};

static int try_accept(struct pd *p, void *arg)
{
	struct accept_arg *a = arg;
	return axip_accept(p->s, a->ax, &a->peer);
}

static int pd_accept(void *ud, int fd, struct sockaddr *addr, socklen_t *len)
{
	struct pd *p = ud;
	struct accept_arg a;
	struct pd_fd *f;
	int rc, nfd;
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f)
		return pd_ret(p, -AXIP_EBADF);
	a.ax = f->ax;
	rc = pd_block(p, try_accept, &a, !f->nonblock, -1);
	if (rc < 0)
		return pd_ret(p, rc);
	nfd = pd_fd_new(p, PD_SOCK, rc, 0);
	if (nfd < 0) {
		axip_close(p->s, rc);
		return pd_ret(p, nfd);
	}
	ax_to_sa(&a.peer, addr, len);
	pd_changed(p);
	return pd_ret(p, nfd);
}

struct connect_arg {
	int ax;
	struct axip_sockaddr to;
};

/* A blocking connect waits while the handshake is in progress. */
static int try_connect(struct pd *p, void *arg)
{
	struct connect_arg *a = arg;
	int rc = axip_connect(p->s, a->ax, &a->to);
	return rc == -AXIP_EALREADY || rc == -AXIP_EINPROGRESS ? -AXIP_EAGAIN : rc;
}

static int pd_connect(void *ud, int fd, const struct sockaddr *addr, socklen_t len)
{
	struct pd *p = ud;
	struct connect_arg a;
	struct pd_fd *f;
	int rc;
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f)
		return pd_ret(p, -AXIP_EBADF);
	rc = sa_to_ax(addr, len, &a.to);
	if (rc < 0)
		return pd_ret(p, rc);
	a.ax = f->ax;
	axip_set_time(p->s, p->now);
	rc = axip_connect(p->s, f->ax, &a.to);
	pd_after_call(p);
	if (rc == -AXIP_EINPROGRESS && !f->nonblock)
		rc = pd_block(p, try_connect, &a, 1, -1);
	pd_changed(p);
	return pd_ret(p, rc);
}

/* recv family */
struct recv_arg {
	int ax;
	struct axip_iovec iov[PD_MAX_IOV];
	int iovcnt;
	int flags;
	struct axip_sockaddr from;
	int out_flags;
};

static int try_recv(struct pd *p, void *arg)
{
	struct recv_arg *a = arg;
	return axip_recvmsg(p->s, a->ax, a->iov, a->iovcnt, a->flags, &a->from, &a->out_flags);
}

static int recv_blocking(const struct pd_fd *f, int flags)
{
	return !f->nonblock && !(flags & MSG_DONTWAIT);
}

/* Drop the first `n` bytes of an iovec array in place. */
static void iov_advance(struct axip_iovec *iov, int *cnt, size_t n)
{
	int i = 0, k;
	while (i < *cnt && n >= iov[i].len) {
		n -= iov[i].len;
		i++;
	}
	if (i < *cnt) {
		iov[i].base = (char *)iov[i].base + n;
		iov[i].len -= n;
	}
	for (k = 0; i + k < *cnt; k++)
		iov[k] = iov[i + k];
	*cnt = k;
}

static ssize_t pd_recv_iov(struct pd *p, int fd, const struct iovec *iov, int iovcnt, int flags,
                           struct sockaddr *from, socklen_t *fromlen, int *out_flags)
{
	struct recv_arg *a;
	struct pd_fd *f;
	int i, rc, type = 0;
	size_t want = 0, got = 0;
	axip_u32 tlen = sizeof(type);

	if (iovcnt < 0 || iovcnt > PD_MAX_IOV) {
		errno = EINVAL;
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		errno = ENOMEM;
		return -1;
	}
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f) {
		free(a);
		return pd_ret(p, -AXIP_EBADF);
	}
	a->ax = f->ax;
	a->iovcnt = iovcnt;
	for (i = 0; i < iovcnt; i++) {
		a->iov[i].base = iov[i].iov_base;
		a->iov[i].len = iov[i].iov_len;
		want += iov[i].iov_len;
	}
	a->flags = flags & ~MSG_DONTWAIT;
	axip_getsockopt(p->s, f->ax, AXIP_SOL_SOCKET, AXIP_SO_TYPE, &type, &tlen);
	for (;;) {
		rc = pd_block(p, try_recv, a, recv_blocking(f, flags), -1);
		if (rc <= 0)
			break;
		got += (size_t)rc;
		/* MSG_WAITALL on a blocking stream socket: until full, EOF or an error */
		if (!(flags & MSG_WAITALL) || (flags & MSG_PEEK) || type != AXIP_SOCK_STREAM ||
		    !recv_blocking(f, flags) || got >= want)
			break;
		iov_advance(a->iov, &a->iovcnt, (size_t)rc);
	}
	if (got > 0)
		rc = (int)got;
	if (rc >= 0) {
		ax_to_sa(&a->from, from, fromlen);
		if (out_flags)
			*out_flags = a->out_flags & MSG_TRUNC;
	}
	pd_changed(p);
	free(a);
	return pd_ret(p, rc);
}

static int pd_is_ours(struct pd *p, int fd)
{
	int ours;
	pd_lock(p);
	ours = pd_fd_get(p, fd, 0) != NULL;
	pthread_mutex_unlock(&p->mu);
	return ours;
}

static ssize_t pd_read(void *ud, int fd, void *buf, size_t count)
{
	struct pd *p = ud;
	struct iovec v = { buf, count };
	if (!pd_is_ours(p, fd))
		return read(fd, buf, count);
	return pd_recv_iov(p, fd, &v, 1, 0, NULL, NULL, NULL);
}

static ssize_t pd_readv(void *ud, int fd, const struct iovec *iov, int iovcnt)
{
	struct pd *p = ud;
	if (!pd_is_ours(p, fd))
		return readv(fd, iov, iovcnt);
	return pd_recv_iov(p, fd, iov, iovcnt, 0, NULL, NULL, NULL);
}

static ssize_t pd_recv(void *ud, int fd, void *buf, size_t len, int flags)
{
	struct iovec v = { buf, len };
	return pd_recv_iov(ud, fd, &v, 1, flags, NULL, NULL, NULL);
}

static ssize_t pd_recvfrom(void *ud, int fd, void *buf, size_t len, int flags,
                           struct sockaddr *from, socklen_t *fromlen)
{
	struct iovec v = { buf, len };
	return pd_recv_iov(ud, fd, &v, 1, flags, from, fromlen, NULL);
}

static ssize_t pd_recvmsg(void *ud, int fd, struct msghdr *msg, int flags)
{
	int out_flags = 0;
	ssize_t rc = pd_recv_iov(ud, fd, msg->msg_iov, (int)msg->msg_iovlen, flags,
	                         msg->msg_name, msg->msg_name ? &msg->msg_namelen : NULL, &out_flags);
	if (rc >= 0) {
		msg->msg_flags = out_flags;
		msg->msg_controllen = 0;
	}
	return rc;
}

/* send family */
struct send_arg {
	int ax;
	struct axip_iovec iov[PD_MAX_IOV];
	int iovcnt;
	int flags;
	const struct axip_sockaddr *to;
};

static int try_send(struct pd *p, void *arg)
{
	struct send_arg *a = arg;
	return axip_sendmsg(p->s, a->ax, a->iov, a->iovcnt, a->flags, a->to);
}

static ssize_t pd_send_iov(struct pd *p, int fd, const struct iovec *iov, int iovcnt, int flags,
                           const struct sockaddr *to, socklen_t tolen)
{
	struct send_arg *a;
	struct axip_sockaddr dst;
	struct pd_fd *f;
	int i, rc, blocking, type = 0;
	size_t want = 0, done = 0;
	axip_u32 tlen = sizeof(type);

	if (iovcnt < 0 || iovcnt > PD_MAX_IOV) {
		errno = EINVAL;
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		errno = ENOMEM;
		return -1;
	}
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f) {
		free(a);
		return pd_ret(p, -AXIP_EBADF);
	}
	a->ax = f->ax;
	a->iovcnt = iovcnt;
	for (i = 0; i < iovcnt; i++) {
		a->iov[i].base = iov[i].iov_base;
		a->iov[i].len = iov[i].iov_len;
		want += iov[i].iov_len;
	}
	a->flags = flags & ~MSG_DONTWAIT;
	a->to = NULL;
	if (to) {
		rc = sa_to_ax(to, tolen, &dst);
		if (rc < 0) {
			free(a);
			return pd_ret(p, rc);
		}
		a->to = &dst;
	}
	blocking = !f->nonblock && !(flags & MSG_DONTWAIT);
	axip_getsockopt(p->s, f->ax, AXIP_SOL_SOCKET, AXIP_SO_TYPE, &type, &tlen);
	for (;;) {
		rc = pd_block(p, try_send, a, blocking, -1);
		if (rc < 0)
			break;
		done += (size_t)rc;
		/* a blocking stream socket sends everything (POSIX) */
		if (!blocking || type != AXIP_SOCK_STREAM || done >= want)
			break;
		iov_advance(a->iov, &a->iovcnt, (size_t)rc);
	}
	if (done > 0)
		rc = (int)done;
	pd_changed(p);
	free(a);
	return pd_ret(p, rc);
}

static ssize_t pd_write(void *ud, int fd, const void *buf, size_t count)
{
	struct pd *p = ud;
	struct iovec v = { (void *)buf, count };
	if (!pd_is_ours(p, fd))
		return write(fd, buf, count);
	return pd_send_iov(p, fd, &v, 1, 0, NULL, 0);
}

static ssize_t pd_writev(void *ud, int fd, const struct iovec *iov, int iovcnt)
{
	struct pd *p = ud;
	if (!pd_is_ours(p, fd))
		return writev(fd, iov, iovcnt);
	return pd_send_iov(p, fd, iov, iovcnt, 0, NULL, 0);
}

static ssize_t pd_send(void *ud, int fd, const void *buf, size_t len, int flags)
{
	struct iovec v = { (void *)buf, len };
	return pd_send_iov(ud, fd, &v, 1, flags, NULL, 0);
}

static ssize_t pd_sendto(void *ud, int fd, const void *buf, size_t len, int flags,
                         const struct sockaddr *to, socklen_t tolen)
{
	struct iovec v = { (void *)buf, len };
	return pd_send_iov(ud, fd, &v, 1, flags, to, tolen);
}

static ssize_t pd_sendmsg(void *ud, int fd, const struct msghdr *msg, int flags)
{
	return pd_send_iov(ud, fd, msg->msg_iov, (int)msg->msg_iovlen, flags, msg->msg_name,
	                   msg->msg_namelen);
}

static int pd_fcntl(void *ud, int fd, int cmd, ...)
{
	struct pd *p = ud;
	struct pd_fd *f;
	va_list ap;
	long arg;
	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	pd_lock(p);
	f = pd_fd_get(p, fd, 0);
	if (!f) {
		pthread_mutex_unlock(&p->mu);
		return fcntl(fd, cmd, arg);
	}
	switch (cmd) {
	case F_GETFL:
		return pd_ret(p, O_RDWR | (f->nonblock ? O_NONBLOCK : 0));
	case F_SETFL:
		f->nonblock = (arg & O_NONBLOCK) != 0;
		return pd_ret(p, 0);
	case F_GETFD:
		return pd_ret(p, FD_CLOEXEC);
	case F_SETFD:
		return pd_ret(p, 0);
	default:
		return pd_ret(p, -AXIP_EINVAL);
	}
}

static int pd_ioctl(void *ud, int fd, unsigned long request, ...)
{
	struct pd *p = ud;
	struct pd_fd *f;
	va_list ap;
	int *val, rc;
	va_start(ap, request);
	val = va_arg(ap, int *);
	va_end(ap);
	pd_lock(p);
	f = pd_fd_get(p, fd, 0);
	if (!f) {
		pthread_mutex_unlock(&p->mu);
		return ioctl(fd, request, val);
	}
	switch (request) {
	case FIONREAD:
		rc = axip_sock_nread(p->s, f->ax);
		break;
	case SIOCOUTQ:
		rc = axip_sock_nwrite(p->s, f->ax);
		break;
	case FIONBIO:
		f->nonblock = *val != 0;
		return pd_ret(p, 0);
	default:
		return pd_ret(p, -ENOTTY);
	}
	if (rc < 0)
		return pd_ret(p, rc);
	*val = rc;
	return pd_ret(p, 0);
}

static int pd_close(void *ud, int fd)
{
	struct pd *p = ud;
	struct pd_fd *f;
	int rc;
	pd_lock(p);
	f = pd_fd_get(p, fd, 0);
	if (!f) {
		pthread_mutex_unlock(&p->mu);
		return close(fd);
	}
	axip_set_time(p->s, p->now);
	rc = axip_close(p->s, f->ax);
	pd_fd_release(p, fd);
	pd_after_call(p);
	pd_changed(p);
	return pd_ret(p, rc);
}

static int pd_shutdown(void *ud, int fd, int how)
{
	struct pd *p = ud;
	struct pd_fd *f;
	int rc;
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f)
		return pd_ret(p, -AXIP_EBADF);
	axip_set_time(p->s, p->now);
	rc = axip_shutdown(p->s, f->ax, how);
	pd_after_call(p);
	pd_changed(p);
	return pd_ret(p, rc);
}

static int pd_getsockopt(void *ud, int fd, int level, int name, void *val, socklen_t *len)
{
	struct pd *p = ud;
	struct pd_fd *f;
	axip_u32 n;
	int rc;
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f)
		return pd_ret(p, -AXIP_EBADF);
	if (!len)
		return pd_ret(p, -AXIP_EFAULT);
	n = *len;
	rc = axip_getsockopt(p->s, f->ax, level, name, val, &n);
	if (rc >= 0)
		*len = n;
	pd_after_call(p);
	return pd_ret(p, rc);
}

static int pd_setsockopt(void *ud, int fd, int level, int name, const void *val, socklen_t len)
{
	struct pd *p = ud;
	struct pd_fd *f;
	int rc;
	pd_lock(p);
	f = pd_fd_get(p, fd, PD_SOCK);
	if (!f)
		return pd_ret(p, -AXIP_EBADF);
	axip_set_time(p->s, p->now);
	rc = axip_setsockopt(p->s, f->ax, level, name, val, len);
	pd_after_call(p);
	pd_changed(p);
	return pd_ret(p, rc);
}

/* poll: axip descriptors through axip_sock_poll, others (pipes) through poll(2). */
struct poll_arg {
	struct pollfd *fds;
	nfds_t n;
	struct axip_pollfd *ax;
};

static int try_poll(struct pd *p, void *arg)
{
	struct poll_arg *a = arg;
	nfds_t i;
	int ready = 0;
	for (i = 0; i < a->n; i++) {
		struct pd_fd *f = pd_fd_get(p, a->fds[i].fd, PD_SOCK);
		a->fds[i].revents = 0;
		if (a->fds[i].fd < 0)
			continue;
		if (f) {
			a->ax[i].fd = f->ax;
			a->ax[i].events = (axip_u16)a->fds[i].events;
			a->ax[i].revents = 0;
			axip_sock_poll(p->s, &a->ax[i], 1);
			a->fds[i].revents = (short)a->ax[i].revents;
		} else if (pd_fd_get(p, a->fds[i].fd, 0)) {
			a->fds[i].revents = POLLNVAL;
		} else {
			struct pollfd one = a->fds[i];
			if (poll(&one, 1, 0) > 0)
				a->fds[i].revents = one.revents;
		}
		if (a->fds[i].revents)
			ready++;
	}
	return ready ? ready : -AXIP_EAGAIN;
}

static int pd_poll(void *ud, struct pollfd *fds, nfds_t n, int timeout)
{
	struct pd *p = ud;
	struct poll_arg a;
	int rc;
	a.fds = fds;
	a.n = n;
	a.ax = calloc(n ? n : 1, sizeof(*a.ax));
	if (!a.ax) {
		errno = ENOMEM;
		return -1;
	}
	pd_lock(p);
	rc = pd_block(p, try_poll, &a, timeout != 0, timeout);
	free(a.ax);
	return pd_ret(p, rc == -AXIP_EAGAIN ? 0 : rc);
}

static int pd_epoll_create(void *ud, int size)
{
	struct pd *p = ud;
	int ax, fd;
	pd_lock(p);
	if (size <= 0)
		return pd_ret(p, -AXIP_EINVAL);
	ax = axip_epoll_create(p->s);
	if (ax < 0)
		return pd_ret(p, ax);
	fd = pd_fd_new(p, PD_EPOLL, ax, 0);
	if (fd < 0)
		axip_close(p->s, ax);
	return pd_ret(p, fd);
}

static int pd_epoll_ctl(void *ud, int epfd, int op, int fd, struct epoll_event *event)
{
	struct pd *p = ud;
	struct pd_fd *e, *f;
	struct axip_epoll_event ev;
	int rc;
	pd_lock(p);
	e = pd_fd_get(p, epfd, 0);
	f = pd_fd_get(p, fd, 0);
	if (!e || !f)
		return pd_ret(p, -AXIP_EBADF);
	memset(&ev, 0, sizeof(ev));
	if (event) {
		ev.events = event->events;
		ev.data = event->data.u64;
	}
	rc = axip_epoll_ctl(p->s, e->ax, op, f->ax, event ? &ev : NULL);
	pd_after_call(p);
	pd_changed(p);
	return pd_ret(p, rc);
}

struct epoll_arg {
	int ax;
	struct axip_epoll_event *ev;
	int max;
};

static int try_epoll_wait(struct pd *p, void *arg)
{
	struct epoll_arg *a = arg;
	int rc = axip_epoll_wait(p->s, a->ax, a->ev, a->max);
	return rc == 0 ? -AXIP_EAGAIN : rc;
}

static int pd_epoll_wait(void *ud, int epfd, struct epoll_event *events, int max, int timeout)
{
	struct pd *p = ud;
	struct epoll_arg a;
	struct pd_fd *e;
	int rc, i;
	if (max <= 0) {
		errno = EINVAL;
		return -1;
	}
	a.ev = calloc((size_t)max, sizeof(*a.ev));
	if (!a.ev) {
		errno = ENOMEM;
		return -1;
	}
	a.max = max;
	pd_lock(p);
	e = pd_fd_get(p, epfd, PD_EPOLL);
	if (!e) {
		free(a.ev);
		return pd_ret(p, -AXIP_EBADF);
	}
	a.ax = e->ax;
	rc = pd_block(p, try_epoll_wait, &a, timeout != 0, timeout);
	if (rc == -AXIP_EAGAIN)
		rc = 0;
	for (i = 0; i < rc; i++) {
		events[i].events = a.ev[i].events;
		events[i].data.u64 = a.ev[i].data;
	}
	free(a.ev);
	return pd_ret(p, rc);
}

static int pd_pipe(void *ud, int pipefd[2])
{
	struct pd *p = ud;
	int rc = pipe(pipefd);
	if (rc == 0) {
		pd_lock(p);
		pd_fd_forget(p, pipefd[0]);
		pd_fd_forget(p, pipefd[1]);
		pthread_mutex_unlock(&p->mu);
	}
	return rc;
}

static int pd_splice(void *ud, int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len,
                     unsigned int flags)
{
	(void)ud, (void)fd_in, (void)off_in, (void)fd_out, (void)off_out, (void)len, (void)flags;
	errno = ENOSYS;
	return -1;
}

/* ---- the link ---- */

static int pd_netdev_send(void *ud, const void *buf, size_t count)
{
	struct pd *p = ud;
	struct axip_rx_frame fr;
	struct pd_buf *b;
	axip_u8 *mem;
	axip_u32 size;
	const uint8_t *ip = buf;

	if (count == 0 || count + 14u + PD_HEADROOM > p->buf_size) {
		errno = EMSGSIZE;
		return -1;
	}
	pd_lock(p);
	b = env_buf_alloc(p, &mem, &size);
	if (!b)
		pd_die("out of memory");
	memcpy(mem + PD_HEADROOM, p->local_mac, 6);
	memcpy(mem + PD_HEADROOM + 6, p->remote_mac, 6);
	mem[PD_HEADROOM + 12] = (ip[0] >> 4) == 6 ? 0x86 : 0x08;
	mem[PD_HEADROOM + 13] = (ip[0] >> 4) == 6 ? 0xdd : 0x00;
	memcpy(mem + PD_HEADROOM + 14, buf, count);
	memset(&fr, 0, sizeof(fr));
	fr.buf = b;
	fr.data = mem + PD_HEADROOM;
	fr.len = (axip_u32)(count + 14u);
	fr.headroom = PD_HEADROOM;
	fr.tailroom = size - PD_HEADROOM - fr.len;
	axip_rx(p->s, &fr, 1, p->now);
	p->next_timer = axip_poll(p->s, p->now);
	pd_changed(p);
	return pd_ret(p, 0);
}

static int pd_netdev_receive(void *ud, void *buf, size_t *count, long long *time_usecs)
{
	struct pd *p = ud;
	struct pd_out *o;
	axip_time_ns started;
	pd_lock(p);
	started = p->now;
	while (!p->out_head) {
		axip_time_ns next = pd_next_event(p);
		if (next == PD_NO_TIME || next - started > PD_WAIT_CAP_NS) {
			pd_warn("packetdrill waits for a packet, but axip sent nothing and %s",
			        next == PD_NO_TIME ? "has no timer armed" : "its timers sent nothing for an hour");
			*count = 0;
			*time_usecs = (long long)(p->now / 1000u);
			return pd_ret(p, 0);
		}
		pd_advance_to(p, next > p->now ? next : p->now + PD_TICK_NS);
	}
	o = p->out_head;
	p->out_head = o->next;
	if (!p->out_head)
		p->out_tail = NULL;
	if (o->len < *count)
		*count = o->len;
	memcpy(buf, o->data, *count);
	*time_usecs = o->time_us;
	free(o);
	return pd_ret(p, 0);
}

static int pd_usleep(void *ud, useconds_t usec)
{
	struct pd *p = ud;
	pd_lock(p);
	pd_advance_to(p, p->now + (axip_time_ns)usec * 1000u);
	return pd_ret(p, 0);
}

static int pd_gettimeofday(void *ud, struct timeval *tv, struct timezone *tz)
{
	struct pd *p = ud;
	(void)tz;
	pd_lock(p);
	if (pd_untimed_return) {
		pd_untimed_return = 0;
		p->returns_untimed--;
		pthread_cond_broadcast(&p->settled);
	}
	pd_advance_to(p, p->now + PD_TICK_NS);
	tv->tv_sec = (time_t)(p->now / 1000000000u);
	tv->tv_usec = (suseconds_t)(p->now % 1000000000u / 1000u);
	return pd_ret(p, 0);
}

/* ---- set-up ---- */

static void pd_free(void *ud)
{
	struct pd *p = ud;
	struct pd_out *o;
	/* the descriptors are not closed here: packetdrill has closed them */
	pd_lock(p);
	while ((o = p->out_head)) {
		p->out_head = o->next;
		free(o);
	}
	/* the instance has no teardown: its block and every buffer it holds go */
	while (p->bufs.next != &p->bufs) {
		struct pd_link *l = p->bufs.next;
		l->prev->next = l->next;
		l->next->prev = l->prev;
		free((struct pd_buf *)l);
	}
	free(p->mem);
	pthread_mutex_unlock(&p->mu);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->settled);
	free(p);
}

static uint32_t parse_ip4(const char *s, const char *what)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		pd_die("%s: not an IPv4 address: %s", what, s);
	return ntohl(a.s_addr);
}

/* so_flags: words "key=value" separated by spaces or commas. */
static void pd_parse_flags(struct pd *p, const char *flags)
{
	char *copy, *tok, *save = NULL;
	if (!flags)
		return;
	copy = strdup(flags);
	if (!copy)
		pd_die("out of memory");
	for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		char *val = strchr(tok, '=');
		char *slash;
		if (!val)
			pd_die("so_flags: expected key=value, got '%s'", tok);
		*val++ = '\0';
		if (!strcmp(tok, "local_ip")) {
			if ((slash = strchr(val, '/'))) {
				*slash = '\0';
				p->prefix_len = (uint8_t)atoi(slash + 1);
			}
			p->local_ip = parse_ip4(val, tok);
		} else if (!strcmp(tok, "remote_ip")) {
			if ((slash = strchr(val, '/')))
				*slash = '\0';
			p->remote_ip = parse_ip4(val, tok);
		} else if (!strcmp(tok, "gateway_ip")) {
			p->gateway = parse_ip4(val, tok);
		} else if (!strcmp(tok, "prefix_len")) {
			p->prefix_len = (uint8_t)atoi(val);
		} else if (!strcmp(tok, "mtu")) {
			p->mtu = (uint32_t)atoi(val);
		} else {
			pd_die("so_flags: unknown key '%s' (local_ip, remote_ip, gateway_ip, prefix_len, mtu)",
			       tok);
		}
	}
	free(copy);
}

static uint32_t prefix_mask(uint8_t len)
{
	return len == 0 ? 0 : 0xffffffffu << (32u - len);
}

static void pd_start(struct pd *p)
{
	struct axip_config cfg;
	struct axip_env env;
	axip_size n;
	uint32_t mask;
	int rc, i;

	axip_config_defaults(&cfg);
	memcpy(cfg.mac, p->local_mac, 6);
	cfg.n_addrs = 1;
	cfg.addrs[0].addr = p->local_ip;
	cfg.addrs[0].prefix_len = p->prefix_len;
	cfg.mtu = p->mtu;
	cfg.arp_gratuitous = 0;
	for (i = 0; i < 16; i++)
		cfg.secret[i] = (axip_u8)(0x5a ^ (i * 37));
	mask = prefix_mask(p->prefix_len);
	/* an off-link remote end is reached through a gateway inside the subnet */
	if ((p->remote_ip & mask) != (p->local_ip & mask)) {
		if ((p->gateway & mask) != (p->local_ip & mask) || p->gateway == p->local_ip) {
			p->gateway = (p->local_ip & mask) | 1u;
			if (p->gateway == p->local_ip)
				p->gateway++;
		}
		cfg.gateway = p->gateway;
	}
	rc = axip_mem_size(&cfg, &n);
	if (rc != AXIP_OK)
		pd_die("axip_mem_size: %s (local_ip/prefix_len/mtu?)", axip_strerror(rc));
	p->mem = aligned_alloc(AXIP_MEM_ALIGN, (n + AXIP_MEM_ALIGN - 1) / AXIP_MEM_ALIGN * AXIP_MEM_ALIGN);
	if (!p->mem)
		pd_die("out of memory");
	memset(&env, 0, sizeof(env));
	env.ops = &pd_env_ops;
	env.ctx = p;
	rc = axip_init(p->mem, n, &cfg, &env, p->now, &p->s);
	if (rc != AXIP_OK)
		pd_die("axip_init: %s", axip_strerror(rc));
	axip_neigh_set(p->s, p->remote_ip, p->remote_mac, 1);
	if (cfg.gateway)
		axip_neigh_set(p->s, cfg.gateway, p->remote_mac, 1);
	p->next_timer = axip_poll(p->s, p->now);
	/* nothing the instance sent before the script starts (there should be none) */
	while (p->out_head) {
		struct pd_out *o = p->out_head;
		p->out_head = o->next;
		free(o);
	}
	p->out_tail = NULL;
}

/* The one symbol packetdrill looks up (everything else is hidden). */
__attribute__((visibility("default"))) void
packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc);

void packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc)
{
	static const uint8_t lmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t rmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	struct pd *p = calloc(1, sizeof(*p));
	if (!p)
		pd_die("out of memory");
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->settled, NULL);
	p->main_thread = pthread_self();
	p->bufs.next = p->bufs.prev = &p->bufs;
	p->now = PD_START_NS;
	/* packetdrill's defaults: remote 192.0.2.1, local in 192.168.0.0/16 with
	 * gateway 192.168.0.1 (the runner passes the local address it chose) */
	p->local_ip = parse_ip4("192.168.0.2", "default");
	p->remote_ip = parse_ip4("192.0.2.1", "default");
	p->gateway = parse_ip4("192.168.0.1", "default");
	p->prefix_len = 16;
	p->mtu = 1500;
	memcpy(p->local_mac, lmac, 6);
	memcpy(p->remote_mac, rmac, 6);
	pd_parse_flags(p, flags);
	p->buf_size = p->mtu + 14u + PD_HEADROOM + 256u;
	if (p->buf_size < 2048u)
		p->buf_size = 2048u;
	pd_start(p);

	memset(ifc, 0, sizeof(*ifc));
	ifc->userdata = p;
	ifc->free = pd_free;
	ifc->socket = pd_socket;
	ifc->bind = pd_bind;
	ifc->listen = pd_listen;
	ifc->accept = pd_accept;
	ifc->connect = pd_connect;
	ifc->read = pd_read;
	ifc->readv = pd_readv;
	ifc->recv = pd_recv;
	ifc->recvfrom = pd_recvfrom;
	ifc->recvmsg = pd_recvmsg;
	ifc->write = pd_write;
	ifc->writev = pd_writev;
	ifc->send = pd_send;
	ifc->sendto = pd_sendto;
	ifc->sendmsg = pd_sendmsg;
	ifc->fcntl = pd_fcntl;
	ifc->ioctl = pd_ioctl;
	ifc->close = pd_close;
	ifc->shutdown = pd_shutdown;
	ifc->getsockopt = pd_getsockopt;
	ifc->setsockopt = pd_setsockopt;
	ifc->poll = pd_poll;
	ifc->netdev_send = pd_netdev_send;
	ifc->netdev_receive = pd_netdev_receive;
	ifc->usleep = pd_usleep;
	ifc->gettimeofday = pd_gettimeofday;
	ifc->epoll_create = pd_epoll_create;
	ifc->epoll_ctl = pd_epoll_ctl;
	ifc->epoll_wait = pd_epoll_wait;
	ifc->pipe = pd_pipe;
	ifc->splice = pd_splice;
}
