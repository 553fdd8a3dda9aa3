/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wait.c - waiting on many descriptors: poll, ppoll, select, pselect, and
 * the epoll family (plus __poll_chk/__ppoll_chk of _FORTIFY_SOURCE).
 *
 * A call naming no axip descriptor goes to the kernel unchanged. A mixed
 * call reports axip readiness from the instance (axip_sock_events, an axip
 * interest set) and kernel readiness from the kernel, and sleeps in one
 * poll() on the kernel descriptors together with the worker's (stack.c,
 * pl_sleep) until either side has something or the timeout passes.
 *
 * epoll: the program's epoll descriptor stays a kernel epoll set for its
 * kernel descriptors; the first axip socket added to it gives it an axip
 * interest set beside (fdtab.c maps the epoll descriptor to it). Waiting
 * reports the axip set's events first, then the kernel set's. A socket
 * registered before bind/connect made it axip's is moved from the kernel set
 * to the axip set at the conversion (pl_epoll_adopt).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "pl.h"

static unsigned ev_to_axip(unsigned e)
{
	unsigned a = e & (POLLIN | POLLPRI | POLLOUT | POLLERR | POLLHUP | POLLRDHUP);
	if (e & POLLRDNORM)
		a |= AXIP_EV_IN;
	if (e & POLLWRNORM)
		a |= AXIP_EV_OUT;
	return a;
}

/* axip readiness in poll's terms, limited to what was asked (plus ERR/HUP). */
static short ev_from_axip(int ev, short asked)
{
	unsigned r;
	if (ev < 0)
		return POLLNVAL;
	r = (unsigned)ev & (ev_to_axip((unsigned short)asked) | AXIP_EV_ERR | AXIP_EV_HUP);
	if ((r & AXIP_EV_IN) && (asked & POLLRDNORM))
		r |= POLLRDNORM;
	if ((r & AXIP_EV_OUT) && (asked & POLLWRNORM))
		r |= POLLWRNORM;
	return (short)r;
}

/* Readiness of the axip side of fds[i], or -1 when fds[i] is the kernel's. */
static int axip_revents(struct pollfd *f, struct pl_obj *o)
{
	if (!o)
		return -1;
	if (o->kind == PL_EPOLL)
		return axip_epoll_ready(pl_stack(), o->afd) ? (f->events & (POLLIN | POLLRDNORM)) : 0;
	return ev_from_axip(axip_sock_events(pl_stack(), o->afd), f->events);
}

static int poll_mixed(struct pollfd *fds, nfds_t n, int timeout_ms, const sigset_t *mask)
{
	struct pollfd stackbuf[64], *k = stackbuf;
	struct pl_obj *objs_buf[64], **objs = objs_buf;
	axip_time_ns end = timeout_ms < 0 ? ~0ull : axip_xdp_now() + (axip_time_ns)timeout_ms * 1000000u;
	nfds_t i;
	int ready, kready = 0, rc = 0, slept;
	if (n > 64) {
		k = malloc(n * sizeof *k);
		objs = malloc(n * sizeof *objs);
		if (!k || !objs) {
			free(k);
			free(objs);
			errno = ENOMEM;
			return -1;
		}
	}
	for (i = 0; i < n; i++) {
		objs[i] = pl_get(fds[i].fd);
		k[i] = fds[i];
		k[i].revents = 0;
		if (objs[i] && objs[i]->kind == PL_SOCK)
			k[i].fd = -1; /* the placeholder says nothing */
	}
	pl_lock();
	if (!pl_stack()) {
		/* given to a forked child meanwhile: the kernel's side only */
		pl_unlock();
		if (k != stackbuf) {
			free(k);
			free(objs);
		}
		if (mask) {
			struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
			return REAL(ppoll)(fds, n, timeout_ms < 0 ? NULL : &ts, mask);
		}
		return REAL(poll)(fds, n, timeout_ms);
	}
	pl_drive();
	for (slept = 0;; slept = 1) {
		ready = 0;
		for (i = 0; i < n; i++) {
			int r = axip_revents(&fds[i], objs[i]);
			if (r > 0)
				ready++;
		}
		if (ready || kready || (slept && pl_ms_left(end) == 0) || timeout_ms == 0)
			break;
		rc = pl_sleep(k, n, pl_ms_left(end), mask);
		if (rc < 0)
			break;
		kready = rc > 0;
	}
	for (i = 0; i < n && rc >= 0; i++) {
		int r = axip_revents(&fds[i], objs[i]);
		fds[i].revents = r >= 0 ? (short)r : 0;
	}
	pl_unlock();
	if (rc >= 0) {
		/* the kernel's side now, unless the sleep just reported it */
		if (!kready && REAL(poll)(k, n, 0) < 0)
			rc = -errno;
		for (i = 0; i < n && rc >= 0; i++)
			fds[i].revents |= k[i].revents;
	}
	if (k != stackbuf) {
		free(k);
		free(objs);
	}
	if (rc < 0)
		return (int)pl_ret(rc);
	for (rc = 0, i = 0; i < n; i++)
		rc += fds[i].revents != 0;
	return rc;
}

/* After a fork, a call that names an inherited axip descriptor may take the
 * attachment over (stack.c, "Hand-over"): does this process serve it now? */
static int served_here(void)
{
	if (pl_forked)
		(void)pl_claim();
	return !pl_forked && pl_stack();
}

static int has_axip(const struct pollfd *fds, nfds_t n)
{
	nfds_t i;
	if (!pl_any())
		return 0;
	for (i = 0; i < n && !pl_get(fds[i].fd); i++)
		;
	return i < n && served_here();
}

/* glibc declares poll's array write-only (__attr_access), which is not true of
 * its events fields; reading them here is what poll itself does */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	if (!has_axip(fds, n))
		return REAL(poll)(fds, n, timeout_ms);
	return poll_mixed(fds, n, timeout_ms, NULL);
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout_ms, size_t fdslen)
{
	if (fdslen / sizeof *fds < n)
		abort();
	return poll(fds, n, timeout_ms);
}

static int ts_ms(const struct timespec *ts)
{
	if (!ts)
		return -1;
	if (ts->tv_sec > 1000000)
		return 1000000000;
	return (int)(ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	if (!has_axip(fds, n))
		return REAL(ppoll)(fds, n, ts, mask);
	return poll_mixed(fds, n, ts_ms(ts), mask);
}
#pragma GCC diagnostic pop

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask,
                size_t fdslen)
{
	if (fdslen / sizeof *fds < n)
		abort();
	return ppoll(fds, n, ts, mask);
}

/* select/pselect with an axip descriptor: through poll_mixed. */
static int select_axip(int nfds, fd_set *r, fd_set *wr, fd_set *e)
{
	int fd;
	if (!pl_any() || nfds > FD_SETSIZE)
		return 0;
	for (fd = 0; fd < nfds; fd++)
		if (((r && FD_ISSET(fd, r)) || (wr && FD_ISSET(fd, wr)) || (e && FD_ISSET(fd, e))) &&
		    pl_get(fd))
			break;
	return fd < nfds && served_here();
}

static int select_mixed(int nfds, fd_set *r, fd_set *wr, fd_set *e, int timeout_ms,
                        const sigset_t *mask)
{
	struct pollfd p[FD_SETSIZE];
	nfds_t n = 0, i;
	int fd, rc;
	for (fd = 0; fd < nfds; fd++) {
		short ev = (short)((r && FD_ISSET(fd, r) ? POLLIN : 0) |
		                   (wr && FD_ISSET(fd, wr) ? POLLOUT : 0) |
		                   (e && FD_ISSET(fd, e) ? POLLPRI : 0));
		if (ev)
			p[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	rc = poll_mixed(p, n, timeout_ms, mask);
	if (rc < 0)
		return rc;
	if (r)
		FD_ZERO(r);
	if (wr)
		FD_ZERO(wr);
	if (e)
		FD_ZERO(e);
	for (rc = 0, i = 0; i < n; i++) {
		short re = p[i].revents;
		if (re & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		if (r && (p[i].events & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR))) {
			FD_SET(p[i].fd, r);
			rc++;
		}
		if (wr && (p[i].events & POLLOUT) && (re & (POLLOUT | POLLERR))) {
			FD_SET(p[i].fd, wr);
			rc++;
		}
		if (e && (p[i].events & POLLPRI) && (re & POLLPRI)) {
			FD_SET(p[i].fd, e);
			rc++;
		}
	}
	return rc;
}

int select(int nfds, fd_set *r, fd_set *wr, fd_set *e, struct timeval *tv)
{
	if (!select_axip(nfds, r, wr, e))
		return REAL(select)(nfds, r, wr, e, tv);
	return select_mixed(nfds, r, wr, e,
	                    tv ? (int)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000) : -1, NULL);
}

int pselect(int nfds, fd_set *r, fd_set *wr, fd_set *e, const struct timespec *ts,
            const sigset_t *mask)
{
	if (!select_axip(nfds, r, wr, e))
		return REAL(pselect)(nfds, r, wr, e, ts, mask);
	return select_mixed(nfds, r, wr, e, ts_ms(ts), mask);
}

/* ---- epoll ---- */

/*
 * Whether the kernel side of an epoll set can have anything to report.
 * epoll_wait on a mixed set asks the kernel set (epoll_wait with timeout 0)
 * after the axip set: one system call per wait, for nothing when the kernel
 * set holds no descriptor (nginx: every socket is axip's). So the shim
 * counts the kernel registrations of the epoll sets made by epoll_create
 * in this process: ADDs minus DELs made through it. A count is only a
 * promise while nothing else can add to the set unseen, so it is dropped
 * (the set is then always asked) when the number is closed or duplicated
 * (the copy names the same set) and, for every set, at fork (parent and
 * child share them: kset_gen). A registered descriptor that is closed
 * leaves its set without a DEL: the count stays high, which only costs
 * the system call. Sets passed to another process (SCM_RIGHTS, pidfd_getfd)
 * are not seen; docs/preload.md lists it.
 */
static struct {
	atomic_uint gen;         /* kset_gen when counted; other values: unknown */
	atomic_int n;            /* kernel descriptors registered (below 0: unknown) */
} kset[PL_FD_MAX];
/* lock-free: fork() may happen at any time, and a lock held by another
 * thread at that moment would stay held in the child */
static atomic_uint kset_gen = 1;

static void kset_new(int epfd)
{
	if (epfd < 0 || epfd >= PL_FD_MAX)
		return;
	atomic_store(&kset[epfd].gen, 0);
	atomic_store(&kset[epfd].n, 0);
	atomic_store(&kset[epfd].gen, atomic_load(&kset_gen));
}

void pl_kset_forget(int fd)
{
	if (fd >= 0 && fd < PL_FD_MAX && atomic_load_explicit(&kset[fd].gen, memory_order_relaxed))
		atomic_store(&kset[fd].gen, 0);
}

void pl_kset_fork(void)
{
	atomic_fetch_add(&kset_gen, 1);
}

/* The kernel set of epfd certainly has no descriptor. */
static int kset_empty(int epfd)
{
	return epfd >= 0 && epfd < PL_FD_MAX && atomic_load(&kset[epfd].gen) == atomic_load(&kset_gen) &&
	       atomic_load(&kset[epfd].n) == 0;
}

static void kset_count(int epfd, int d)
{
	if (epfd >= 0 && epfd < PL_FD_MAX)
		atomic_fetch_add(&kset[epfd].n, d);
}

/* epoll_ctl on the kernel set, counted: an ADD before it is made (a
 * concurrent wait must not skip a descriptor already in the set), a DEL
 * after it succeeded. */
static int kset_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int rc, err;
	if (op == EPOLL_CTL_ADD)
		kset_count(epfd, 1);
	rc = REAL(epoll_ctl)(epfd, op, fd, ev);
	err = errno;
	if ((op == EPOLL_CTL_ADD && rc < 0) || (op == EPOLL_CTL_DEL && rc == 0))
		kset_count(epfd, -1);
	errno = err;
	return rc;
}

int epoll_create(int size)
{
	int fd = REAL(epoll_create)(size);
	kset_new(fd);
	return fd;
}

int epoll_create1(int flags)
{
	int fd = REAL(epoll_create1)(flags);
	kset_new(fd);
	return fd;
}

/*
 * Registrations of candidate sockets (pl_cand) in kernel epoll sets, so a
 * later conversion can move them to the axip set: one epoll set per socket
 * (the common case; a second one is not moved).
 */
struct pend {
	int epfd;
	struct epoll_event ev;
};
static struct pend *pending[PL_FD_MAX];
static pthread_mutex_t pend_lk = PTHREAD_MUTEX_INITIALIZER;

void pl_epoll_note(int epfd, int op, int fd, const struct epoll_event *ev)
{
	struct pend *p;
	if (fd < 0 || fd >= PL_FD_MAX)
		return;
	pthread_mutex_lock(&pend_lk);
	p = pending[fd];
	if (op == EPOLL_CTL_DEL) {
		if (p && p->epfd == epfd) {
			pending[fd] = NULL;
			free(p);
		}
	} else if (ev && (p || (p = pending[fd] = calloc(1, sizeof *p)))) {
		p->epfd = epfd;
		p->ev = *ev;
	}
	pthread_mutex_unlock(&pend_lk);
}

void pl_epoll_forget(int fd)
{
	struct pend *p;
	if (fd < 0 || fd >= PL_FD_MAX)
		return;
	pthread_mutex_lock(&pend_lk);
	p = pending[fd];
	pending[fd] = NULL;
	pthread_mutex_unlock(&pend_lk);
	free(p);
}

/* Under the lock: the axip set beside kernel epoll set epfd, made on first use. */
static struct pl_obj *epoll_obj(int epfd, int fd)
{
	struct pl_obj *e = pl_get(epfd);
	if (!e) {
		int aset;
		struct epoll_event probe = { 0, { 0 } };
		/* only a kernel epoll set gets an axip set beside (ENOENT: fd is not in it) */
		if (kset_ctl(epfd, EPOLL_CTL_DEL, fd, &probe) < 0 && errno != ENOENT)
			return NULL;
		e = calloc(1, sizeof *e);
		aset = e ? axip_epoll_create(pl_stack()) : -AXIP_ENOMEM;
		if (aset < 0 || pl_set(epfd, e)) {
			if (aset >= 0)
				axip_close(pl_stack(), aset);
			free(e);
			errno = aset < 0 ? -aset : EBADF;
			return NULL;
		}
		e->kind = PL_EPOLL;
		e->afd = aset;
	}
	if (e->kind != PL_EPOLL) {
		errno = EINVAL;
		return NULL;
	}
	return e;
}

static struct axip_epoll_event aev_of(const struct epoll_event *ev)
{
	struct axip_epoll_event a = { 0, 0 };
	if (ev) {
		a.events = ev->events & ~(unsigned)(EPOLLEXCLUSIVE | EPOLLWAKEUP);
		a.data = ev->data.u64;
	}
	return a;
}

void pl_epoll_adopt(int fd, struct pl_obj *o)
{
	struct pend *p;
	struct pl_obj *e;
	struct axip_epoll_event a;
	pthread_mutex_lock(&pend_lk);
	p = fd >= 0 && fd < PL_FD_MAX ? pending[fd] : NULL;
	if (p)
		pending[fd] = NULL;
	pthread_mutex_unlock(&pend_lk);
	if (!p)
		return;
	if (kset_ctl(p->epfd, EPOLL_CTL_DEL, fd, &p->ev) == 0 && (e = epoll_obj(p->epfd, fd))) {
		a = aev_of(&p->ev);
		if (axip_epoll_ctl(pl_stack(), e->afd, EPOLL_CTL_ADD, o->afd, &a) < 0)
			pl_log(0, "descriptor %d: cannot move its epoll registration to axip", fd);
	}
	free(p);
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct pl_obj *o = pl_get(fd), *e;
	struct axip_epoll_event aev;
	int rc;
	if (!o || o->kind != PL_SOCK) {
		rc = kset_ctl(epfd, op, fd, ev);
		if (rc == 0 && !o && pl_cand(fd))
			pl_epoll_note(epfd, op, fd, ev);
		return rc;
	}
	if (pl_silent(o))
		return kset_ctl(epfd, op, fd, ev); /* the silent pipe: never ready */
	if (!pl_acquire(fd, o))
		return -1;
	e = epoll_obj(epfd, fd);
	if (!e) {
		pl_unlock();
		return -1;
	}
	aev = aev_of(ev);
	rc = axip_epoll_ctl(pl_stack(), e->afd, op, o->afd, ev ? &aev : NULL);
	pl_unlock();
	return (int)pl_ret(rc);
}

static int epoll_mixed(int epfd, struct pl_obj *e, struct epoll_event *evs, int max,
                       int timeout_ms, const sigset_t *mask)
{
	struct axip_epoll_event a[64];
	axip_time_ns end = timeout_ms < 0 ? ~0ull : axip_xdp_now() + (axip_time_ns)timeout_ms * 1000000u;
	int n, i, k, rc, kready = 0;
	if (max <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (!pl_acquire(epfd, e))
		return -1;
	pl_drive();
	for (;;) {
		struct pollfd kp = { .fd = epfd, .events = POLLIN };
		n = axip_epoll_wait(pl_stack(), e->afd, a, max < 64 ? max : 64);
		if (n > 0 || pl_ms_left(end) == 0)
			break;
		rc = pl_sleep(&kp, 1, pl_ms_left(end), mask);
		if (rc < 0) {
			pl_unlock();
			return (int)pl_ret(rc);
		}
		if (rc > 0) {
			kready = 1;
			n = axip_epoll_wait(pl_stack(), e->afd, a, max < 64 ? max : 64);
			break;
		}
	}
	pl_unlock();
	if (n < 0)
		return (int)pl_ret(n);
	for (i = 0; i < n; i++) {
		evs[i].events = a[i].events;
		evs[i].data.u64 = a[i].data;
	}
	/* the kernel set, unless it has no descriptor (kset); always when the
	 * sleep saw it readable */
	k = n < max && (kready || !kset_empty(epfd)) ? REAL(epoll_wait)(epfd, evs + n, max - n, 0) : 0;
	if (k < 0 && n == 0)
		return -1;
	return n + (k > 0 ? k : 0);
}

/* The axip side of epoll set epfd, NULL when the kernel's set is all */
static struct pl_obj *served_epoll(int epfd)
{
	struct pl_obj *e = pl_get(epfd);
	if (!e || e->kind != PL_EPOLL)
		return NULL;
	if (pl_forked)
		(void)pl_claim(); /* an interest set made before the fork */
	return pl_forked ? NULL : e;
}

int epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms)
{
	struct pl_obj *e = served_epoll(epfd);
	if (!e)
		return REAL(epoll_wait)(epfd, evs, max, timeout_ms);
	for (;;) {
		int rc = epoll_mixed(epfd, e, evs, max, timeout_ms, NULL);
		if (rc != 0 || timeout_ms >= 0)
			return rc;
	}
}

/* epoll_pwait2: the timeout in nanoseconds; on a mixed set rounded up to
 * the millisecond, the shim's granularity. */
int epoll_pwait2(int epfd, struct epoll_event *evs, int max, const struct timespec *timeout,
                 const sigset_t *mask)
{
	struct pl_obj *e = served_epoll(epfd);
	long long ms;
	if (!e) {
		if (!REAL(epoll_pwait2)) {
			errno = ENOSYS;
			return -1;
		}
		return pl_real.epoll_pwait2(epfd, evs, max, timeout, mask);
	}
	if (!timeout)
		return epoll_pwait(epfd, evs, max, -1, mask);
	if (timeout->tv_sec < 0 || timeout->tv_nsec < 0 || timeout->tv_nsec >= 1000000000L) {
		errno = EINVAL;
		return -1;
	}
	ms = (long long)timeout->tv_sec * 1000 + (timeout->tv_nsec + 999999) / 1000000;
	return epoll_pwait(epfd, evs, max, ms > 0x7fffffff ? 0x7fffffff : (int)ms, mask);
}

int epoll_pwait(int epfd, struct epoll_event *evs, int max, int timeout_ms, const sigset_t *mask)
{
	struct pl_obj *e = served_epoll(epfd);
	if (!e)
		return REAL(epoll_pwait)(epfd, evs, max, timeout_ms, mask);
	for (;;) {
		int rc = epoll_mixed(epfd, e, evs, max, timeout_ms, mask);
		if (rc != 0 || timeout_ms >= 0)
			return rc;
	}
}
