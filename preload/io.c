/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * io.c - reading and writing: read, write, readv, writev, recv, recvfrom,
 * recvmsg, send, sendto, sendmsg, sendfile (and the _FORTIFY_SOURCE
 * variants __read_chk, __recv_chk, __recvfrom_chk).
 *
 * A socket without O_NONBLOCK (and without MSG_DONTWAIT) blocks as on
 * Linux: a receive waits for data, a TCP send until all of it is queued
 * (SO_RCVTIMEO/SO_SNDTIMEO bound the wait, EAGAIN after). A non-blocking
 * call that finds nothing drives the instance once and tries again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>
#include "pl.h"

_Static_assert(sizeof(struct iovec) == sizeof(struct axip_iovec), "iovec layout");

void pl_sigpipe(int flags)
{
	if (!(flags & MSG_NOSIGNAL))
		pthread_kill(pthread_self(), SIGPIPE);
}

#define PL_RECV_FLAGS (MSG_PEEK | MSG_TRUNC) /* MSG_WAITALL: pl_recvmsg */
#define PL_SEND_FLAGS (MSG_MORE | MSG_NOSIGNAL)

static size_t iov_total(const struct iovec *v, size_t n);
static void iov_advance(struct iovec *iov, size_t *cnt, size_t n);

/*
 * recvmsg on an axip socket. MSG_WAITALL on a blocking stream socket
 * (without MSG_PEEK) waits until the buffers are full, as Linux does, and
 * returns less only at end of stream, an error, a signal or the receive
 * timeout, once something was read (tcp_recvmsg's target).
 */
ssize_t pl_recvmsg(struct pl_obj *o, int fd, struct msghdr *m, int flags)
{
	struct axip_sockaddr from;
	struct iovec small[8], *iov = m->msg_iov;
	size_t n = m->msg_iovlen, done = 0, total = 0;
	int out = 0, rc, tried = 0;
	int waitall = (flags & MSG_WAITALL) && !(flags & (MSG_PEEK | MSG_DONTWAIT)) &&
	              o->type == SOCK_STREAM && !o->nonblock;
	if (waitall) {
		total = iov_total(m->msg_iov, n);
		iov = small;
		if (n > sizeof small / sizeof small[0] && !(iov = malloc(n * sizeof *iov))) {
			errno = ENOBUFS;
			return -1;
		}
		if (n)
			memcpy(iov, m->msg_iov, n * sizeof *iov);
	}
	if (!pl_acquire(fd, o)) {
		if (iov != small && iov != m->msg_iov)
			free(iov);
		return -1;
	}
	for (;;) {
		rc = axip_recvmsg(pl_stack(), o->afd, (const struct axip_iovec *)iov, (int)n,
		                  flags & PL_RECV_FLAGS, &from, &out);
		if (waitall && rc > 0) {
			done += (size_t)rc;
			if (done >= total)
				break;
			iov_advance(iov, &n, (size_t)rc);
			continue;
		}
		if (rc != -AXIP_EAGAIN)
			break;
		if (o->nonblock || (flags & MSG_DONTWAIT)) {
			if (tried++)
				break;
			pl_drive();
			continue;
		}
		rc = pl_wait_fd(o->afd, AXIP_EV_IN | AXIP_EV_RDHUP, o->rcvtimeo_ms, 1);
		if (rc < 0)
			break;
		if (pl_get(fd) != o) {
			rc = -AXIP_EBADF;
			break;
		}
	}
	pl_unlock();
	if (waitall) {
		if (iov != small)
			free(iov);
		if (done)
			rc = (int)done; /* what was read before the end, an error or a signal */
	}
	if (rc >= 0) {
		if (m->msg_name && (from.family == AXIP_AF_INET || from.family == AXIP_AF_INET6))
			pl_addr_out(&from, m->msg_name, &m->msg_namelen, o->v6);
		else
			m->msg_namelen = 0;
		m->msg_controllen = 0;
		m->msg_flags = (out & AXIP_MSG_TRUNC) ? MSG_TRUNC : 0;
	}
	return pl_ret(rc);
}

static size_t iov_total(const struct iovec *v, size_t n)
{
	size_t t = 0, i;
	for (i = 0; i < n; i++)
		t += v[i].iov_len;
	return t;
}

/* Drop the first n bytes of iov[0..*cnt). */
static void iov_advance(struct iovec *iov, size_t *cnt, size_t n)
{
	size_t i = 0;
	while (i < *cnt && n >= iov[i].iov_len)
		n -= iov[i++].iov_len;
	if (i < *cnt && n) {
		iov[i].iov_base = (char *)iov[i].iov_base + n;
		iov[i].iov_len -= n;
	}
	memmove(iov, iov + i, (*cnt - i) * sizeof *iov);
	*cnt -= i;
}

ssize_t pl_sendmsg(struct pl_obj *o, int fd, const struct msghdr *m, int flags)
{
	struct axip_sockaddr to, *top = NULL;
	struct iovec small[8], *iov = small;
	size_t n = m->msg_iovlen, done = 0, total = iov_total(m->msg_iov, n);
	int rc = 0, tried = 0, block = !o->nonblock && !(flags & MSG_DONTWAIT);
	if (m->msg_name && m->msg_namelen) {
		rc = pl_addr_in(m->msg_name, m->msg_namelen, o->fam6, &to);
		if (rc < 0)
			return pl_ret(rc);
		top = &to;
	}
	if (n > sizeof small / sizeof small[0] && !(iov = malloc(n * sizeof *iov))) {
		errno = ENOBUFS;
		return -1;
	}
	if (n)
		memcpy(iov, m->msg_iov, n * sizeof *iov);
	if (!pl_acquire(fd, o)) {
		if (iov != small)
			free(iov);
		return -1;
	}
	for (;;) {
		rc = axip_sendmsg(pl_stack(), o->afd, (const struct axip_iovec *)iov, (int)n,
		                  flags & PL_SEND_FLAGS, top);
		if (o->type == SOCK_STREAM && rc == -AXIP_ENOBUFS)
			rc = -AXIP_EAGAIN; /* buffers come back as the peer acknowledges */
		if (rc >= 0) {
			done += (size_t)rc;
			if (o->type != SOCK_STREAM || done >= total || !block)
				break;
			iov_advance(iov, &n, (size_t)rc);
			continue;
		}
		if (rc != -AXIP_EAGAIN)
			break;
		if (!block) {
			if (tried++)
				break;
			pl_drive();
			continue;
		}
		rc = pl_wait_fd(o->afd, AXIP_EV_OUT, o->sndtimeo_ms, 1);
		if (rc < 0)
			break;
		if (pl_get(fd) != o) {
			rc = -AXIP_EBADF;
			break;
		}
	}
	pl_unlock();
	if (iov != small)
		free(iov);
	if (done && o->type == SOCK_STREAM)
		return (ssize_t)done; /* partial: the error shows next time */
	if (rc == -AXIP_EPIPE)
		pl_sigpipe(flags);
	return pl_ret(rc < 0 ? rc : (long)done);
}

static ssize_t recv_one(struct pl_obj *o, int fd, void *buf, size_t len, int flags,
                        struct sockaddr *sa, socklen_t *salen)
{
	struct iovec v = { buf, len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	ssize_t rc;
	m.msg_name = sa;
	m.msg_namelen = salen ? *salen : 0;
	rc = pl_recvmsg(o, fd, &m, flags);
	if (rc >= 0 && salen)
		*salen = m.msg_namelen;
	return rc;
}

static ssize_t send_one(struct pl_obj *o, int fd, const void *buf, size_t len, int flags,
                        const struct sockaddr *sa, socklen_t salen)
{
	struct iovec v = { (void *)buf, len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	m.msg_name = (void *)sa;
	m.msg_namelen = salen;
	return pl_sendmsg(o, fd, &m, flags);
}

ssize_t read(int fd, void *buf, size_t len)
{
	struct pl_obj *o = pl_get(fd);
	if (!o)
		return REAL(read)(fd, buf, len);
	return recv_one(o, fd, buf, len, 0, NULL, NULL);
}

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (len > buflen)
		abort();
	return read(fd, buf, len);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	struct pl_obj *o = pl_get(fd);
	if (!o)
		return REAL(write)(fd, buf, len);
	return send_one(o, fd, buf, len, 0, NULL, 0);
}

ssize_t readv(int fd, const struct iovec *v, int n)
{
	struct pl_obj *o = pl_get(fd);
	struct msghdr m = { .msg_iov = (struct iovec *)v, .msg_iovlen = (size_t)n };
	if (!o)
		return REAL(readv)(fd, v, n);
	return pl_recvmsg(o, fd, &m, 0);
}

ssize_t writev(int fd, const struct iovec *v, int n)
{
	struct pl_obj *o = pl_get(fd);
	struct msghdr m = { .msg_iov = (struct iovec *)v, .msg_iovlen = (size_t)n };
	if (!o)
		return REAL(writev)(fd, v, n);
	return pl_sendmsg(o, fd, &m, 0);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct pl_obj *o = pl_get(fd);
	if (!o)
		return REAL(recv)(fd, buf, len, flags);
	return recv_one(o, fd, buf, len, flags, NULL, NULL);
}

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	if (len > buflen)
		abort();
	return recv(fd, buf, len, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *sa, socklen_t *salen)
{
	struct pl_obj *o = pl_get(fd);
	if (!o)
		return REAL(recvfrom)(fd, buf, len, flags, sa, salen);
	return recv_one(o, fd, buf, len, flags, sa, salen);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
                       struct sockaddr *sa, socklen_t *salen)
{
	if (len > buflen)
		abort();
	return recvfrom(fd, buf, len, flags, sa, salen);
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	struct pl_obj *o = pl_get(fd);
	if (!o)
		return REAL(recvmsg)(fd, m, flags);
	return pl_recvmsg(o, fd, m, flags);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct pl_obj *o = pl_get(fd);
	if (!o)
		return REAL(send)(fd, buf, len, flags);
	return send_one(o, fd, buf, len, flags, NULL, 0);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa,
               socklen_t salen)
{
	struct pl_obj *o = pl_get(fd);
	if (!o && !(o = pl_adopt_sender(fd, sa, salen)))
		return REAL(sendto)(fd, buf, len, flags, sa, salen);
	return send_one(o, fd, buf, len, flags, sa, salen);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	struct pl_obj *o = pl_get(fd);
	if (!o && !(o = pl_adopt_sender(fd, m->msg_name, m->msg_namelen)))
		return REAL(sendmsg)(fd, m, flags);
	return pl_sendmsg(o, fd, m, flags);
}

/*
 * recvmmsg(2): one recvmsg per message. Without MSG_WAITFORONE a blocking
 * socket waits for all vlen, as Linux; with it, only the first waits. The
 * timeout is looked at after each message, as Linux does (recvmmsg's BUGS).
 * An error after some messages returns their count.
 */
int recvmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags, struct timespec *timeout)
{
	struct pl_obj *o = pl_get(fd);
	axip_time_ns end = ~0ull;
	unsigned int i;
	if (!o)
		return REAL(recvmmsg)(fd, v, vlen, flags, timeout);
	if (timeout)
		end = axip_xdp_now() + (axip_time_ns)timeout->tv_sec * 1000000000u +
		      (axip_time_ns)timeout->tv_nsec;
	for (i = 0; i < vlen; i++) {
		int f = flags & ~MSG_WAITFORONE;
		ssize_t r;
		if (i && (flags & MSG_WAITFORONE))
			f |= MSG_DONTWAIT;
		r = pl_recvmsg(o, fd, &v[i].msg_hdr, f);
		if (r < 0)
			return i ? (int)i : -1;
		v[i].msg_len = (unsigned int)r;
		if (timeout && axip_xdp_now() >= end) {
			i++;
			break;
		}
	}
	return (int)i;
}

/* sendmmsg(2): one sendmsg per message; an error after some returns their count. */
int sendmmsg(int fd, struct mmsghdr *v, unsigned int vlen, int flags)
{
	struct pl_obj *o = pl_get(fd);
	unsigned int i;
	if (!o && (!vlen || !(o = pl_adopt_sender(fd, v[0].msg_hdr.msg_name, v[0].msg_hdr.msg_namelen))))
		return REAL(sendmmsg)(fd, v, vlen, flags);
	for (i = 0; i < vlen; i++) {
		ssize_t r = pl_sendmsg(o, fd, &v[i].msg_hdr, flags);
		if (r < 0)
			return i ? (int)i : -1;
		v[i].msg_len = (unsigned int)r;
	}
	return (int)i;
}

/* A file to an axip UDP socket: read a piece, send it, move the offset by
 * what was sent (the file's position when offset is NULL). */
static ssize_t sendfile_copy(struct pl_obj *o, int out, int in, off_t *offset, size_t count)
{
	static _Thread_local char buf[65536];
	off_t pos = offset ? *offset : lseek(in, 0, SEEK_CUR);
	size_t total = 0;
	if (pos < 0)
		return -1;
	while (total < count) {
		size_t want = count - total < sizeof buf ? count - total : sizeof buf;
		ssize_t got = pread(in, buf, want, pos), sent;
		if (got <= 0) {
			if (got < 0 && !total)
				return -1;
			break;
		}
		sent = send_one(o, out, buf, (size_t)got, 0, NULL, 0);
		if (sent <= 0) {
			if (!total)
				return sent;
			break;
		}
		pos += sent;
		total += (size_t)sent;
		if (sent < got)
			break;
	}
	if (offset)
		*offset = pos;
	else if (lseek(in, pos, SEEK_SET) < 0)
		return -1;
	return (ssize_t)total;
}

#define PL_SENDFILE_BATCH 16 /* packet buffers filled by one preadv() */

/* Pieces of a file read straight into packet buffers of the instance and
 * queued by reference (under the lock): up to `want` bytes, `mss` per
 * buffer, PL_SENDFILE_BATCH buffers per preadv(). Returns the bytes queued,
 * 0 at end of file, or -errno (EAGAIN when the send buffer is full or no
 * packet buffer is free). */
static long sendfile_batch(struct pl_obj *o, int in, off_t pos, size_t want, size_t mss, int more)
{
	struct axip_stack *s = pl_stack();
	struct axip_pkt *p[PL_SENDFILE_BATCH];
	struct iovec v[PL_SENDFILE_BATCH];
	size_t asked = 0, left;
	long done = 0;
	ssize_t got;
	int n = 0, i, rc = 0;
	while (n < PL_SENDFILE_BATCH && asked < want && (p[n] = axip_pkt_alloc(s, AXIP_PKT_HEADROOM))) {
		size_t len = want - asked < mss ? want - asked : mss;
		if (len > p[n]->tailroom)
			len = p[n]->tailroom;
		v[n].iov_base = p[n]->data;
		v[n].iov_len = len;
		asked += len;
		n++;
	}
	if (!n)
		return -AXIP_EAGAIN; /* buffers come back as the peer acknowledges */
	got = preadv(in, v, n, pos);
	if (got <= 0)
		rc = got < 0 ? -errno : 0;
	left = got > 0 ? (size_t)got : 0;
	/* the last buffer holds a partial segment back only when more follows
	 * at once: not at the end of the file */
	more = (more || asked < want) && left == asked;
	for (i = 0; i < n; i++) {
		size_t len = left < v[i].iov_len ? left : v[i].iov_len;
		if (!len || rc < 0) {
			axip_pkt_free(s, p[i]);
			continue;
		}
		left -= len;
		p[i]->len = (axip_u32)len;
		p[i]->tailroom -= (axip_u32)len;
		rc = axip_send_zc(s, o->afd, p[i], more || left ? AXIP_MSG_MORE : 0, NULL);
		if (rc < 0)
			axip_pkt_free(s, p[i]);
		else
			done += rc;
	}
	return done ? done : rc;
}

/*
 * A file to an axip TCP socket with no copy beyond the file read: the
 * file is read with preadv() into packet buffers (UMEM frames), one MSS
 * each, and they are queued by reference: the frame the file was read into
 * is the one queued for transmission. Blocks as write() does (SO_SNDTIMEO bounds the wait); a
 * non-blocking socket takes what fits. The offset (the file's position when
 * offset is NULL) moves by what was queued.
 */
static ssize_t sendfile_zc(struct pl_obj *o, int out, int in, off_t *offset, size_t count)
{
	off_t pos = offset ? *offset : lseek(in, 0, SEEK_CUR);
	size_t total = 0, want;
	long rc = 0;
	int tried = 0, mss = 0, room;
	axip_u32 ml = sizeof mss;
	if (pos < 0)
		return -1;
	if (!pl_acquire(out, o))
		return -1;
	if (axip_getsockopt(pl_stack(), o->afd, AXIP_IPPROTO_TCP, AXIP_TCP_MAXSEG, &mss, &ml) < 0 ||
	    mss <= 0)
		mss = 536;
	while (total < count) {
		want = count - total;
		room = axip_sock_wspace(pl_stack(), o->afd);
		if (room > 0 && (size_t)room < want)
			want = (size_t)room;
		else if (room <= 0 && want > (size_t)mss)
			want = (size_t)mss; /* finds out why there is no room */
		rc = sendfile_batch(o, in, pos, want, (size_t)mss, total + want < count);
		if (rc > 0) {
			pos += rc;
			total += (size_t)rc;
			continue;
		}
		if (rc != -AXIP_EAGAIN)
			break;
		if (o->nonblock) {
			if (total || tried++)
				break;
			pl_drive();
			continue;
		}
		rc = pl_wait_fd(o->afd, AXIP_EV_OUT, o->sndtimeo_ms, 1);
		if (rc < 0)
			break;
		if (pl_get(out) != o) {
			rc = -AXIP_EBADF;
			break;
		}
	}
	pl_unlock();
	if (total || rc >= 0) {
		if (offset)
			*offset = pos;
		else if (lseek(in, pos, SEEK_SET) < 0)
			return -1;
		return (ssize_t)total; /* partial: an error shows next time */
	}
	if (rc == -AXIP_EPIPE)
		pl_sigpipe(0);
	return pl_ret(rc);
}

ssize_t sendfile(int out, int in, off_t *offset, size_t count)
{
	struct pl_obj *o = pl_get(out);
	if (!o)
		return REAL(sendfile)(out, in, offset, count);
	if (o->type == SOCK_STREAM)
		return sendfile_zc(o, out, in, offset, count);
	return sendfile_copy(o, out, in, offset, count);
}

ssize_t sendfile64(int out, int in, off_t *offset, size_t count)
{
	return sendfile(out, in, offset, count);
}
