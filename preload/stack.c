/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stack.c - the one attachment of the shim, its lock, and how threads drive
 * and wait on it.
 *
 * One worker, one instance, one mutex per process (AXIP_QUEUES > 1: one
 * worker per prefork child, see fork below): every thread that touches
 * an axip socket takes the lock, calls into the instance and, on unlock,
 * runs due timers and flushes. A thread that must wait releases the lock
 * and sleeps in poll() on the worker's descriptors (the AF_XDP socket, its
 * wake eventfd, the neighbour-event socket), a per-thread eventfd that
 * other threads write when readiness changed under them, and the kernel
 * descriptors of its own call, until the next timer deadline; it then
 * takes the lock and drives the instance (receive, timers, flush).
 *
 * Timers while every thread is busy elsewhere: a timer thread sleeps until
 * the instance's next deadline (woken when an earlier one is set) and drives
 * the instance when no application thread did since that deadline.
 *
 * fork(): the child shares the parent's AF_XDP rings and UMEM, so at most
 * one of the two may drive the instance. Connections are relayed to the
 * child (proxy.c); a fork with no connections (a prefork server's master)
 * leaves the attachment open for a hand-over (below); otherwise, in the
 * child every axip socket fails with EOPNOTSUPP (close works) and new
 * sockets go to the kernel. The child of a process that never attached may
 * attach itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "pl.h"

atomic_int pl_on;
_Thread_local int pl_inside;

static pthread_mutex_t attach_lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lk = PTHREAD_MUTEX_INITIALIZER;
static int state;                 /* 0 not tried, 1 attached, -1 failed */
static struct axip_xdp *x;
static struct axip_xdp_worker *w;
static struct axip_stack *s;
static int wfds[3], n_wfds;       /* the worker's descriptors to sleep on */

/* under lk */
static axip_time_ns next_deadline = ~0ull;
static axip_time_ns last_drive;
static int dirty;                 /* readiness changed since the last wake-up */
struct sleeper {
	int efd;
	struct sleeper *next;
};
static struct sleeper *sleepers;

/* how long the exit waits for closed connections' data to be acknowledged */
#define PL_EXIT_LINGER_NS (5ull * 1000000000ull)

/*
 * Hand-over (prefork servers without AXIP_QUEUES: nginx's master forking
 * its workers). A fork while the process has no connection, nothing
 * lingering and no thread waiting leaves the attachment open: neither
 * process drives the instance until one of them needs it. The first to
 * need it takes it with a compare-and-swap on a word both share (a
 * MAP_SHARED page): the parent at its next call on an axip socket, or its
 * timer thread PL_HANDOVER_NS after the fork; a child at its first call on
 * an inherited axip socket. A child that takes it serves everything the
 * parent had (its copy of the instance is the parent's at the fork, which
 * nobody drove since); the parent then serves nothing (EOPNOTSUPP, as after
 * handing worker 0 to a child with AXIP_QUEUES). A child that finds it
 * taken makes its inherited sockets silent: the descriptor numbers name a
 * pipe that never becomes readable, so its event loop waits on them and
 * never accepts (pl_silent).
 */
#define PL_HANDOVER_NS (2ull * 1000000000ull)
enum { HO_TAKEN = 0, HO_OPEN = 1, HO_CHILD = 2 };
#define HO(gen, st) ((unsigned)(gen) << 2 | (unsigned)(st))
#define HO_MEMBERS 64
struct handover_page {
	_Atomic unsigned state;   /* HO(generation, HO_*): each opening is a new
	                             generation, so a child of an earlier fork
	                             (whose copy of the instance is older) cannot
	                             take a later one */
	_Atomic int member[HO_MEMBERS]; /* pids: the attaching process and the
	                             children that may take it or took it; 0 free */
	_Atomic int detached;     /* 1 once a member detached it: nobody again */
	_Atomic int joining;      /* forks under way whose child has not joined yet */
};
static struct handover_page *handover; /* NULL: no hand-over */
static int handover_mine;         /* the attaching process: its forks may open it */
static int owner = 1;             /* this process closes the attachment at its exit */
static int handover_open;         /* parent: forked since it last drove */
static unsigned handover_gen;     /* parent: the last opening; child: its fork's */
static axip_time_ns handover_until;
static int may_claim;             /* child: the fork left the attachment open to it */
static int child_may_claim;       /* fork under way: the child's may_claim */

/* the timer thread */
static pthread_t timer_thr;
static int timer_efd = -1;
static axip_time_ns timer_wake_at = ~0ull;
static int timer_stop;

/* closed TCP sockets whose data is not acknowledged yet (under lk) */
static int *lingering;
static unsigned n_lingering, cap_lingering;

static _Thread_local int my_efd = -1;
static pthread_key_t efd_key;

struct axip_stack *pl_stack(void) { return s; }
struct axip_xdp *pl_xdp(void) { return x; }

static void xdp_log(void *ctx, enum axip_xdp_log_level level, const char *msg)
{
	(void)ctx;
	pl_log(level == AXIP_XDP_LOG_WARN ? 1 : 2, "%s", msg);
}

static void on_notify(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	dirty = 1;
}

int pl_ms_left(axip_time_ns deadline)
{
	axip_time_ns now = axip_xdp_now();
	if (deadline == ~0ull)
		return -1;
	if (deadline <= now)
		return 0;
	if ((deadline - now) / 1000000u > 1000000000u)
		return 1000000000;
	return (int)((deadline - now + 999999u) / 1000000u);
}

/* A forked child joins the attachment's family (a free member slot). */
static int family_join(void)
{
	int i, pid = (int)getpid();
	for (i = 0; handover && i < HO_MEMBERS; i++) {
		int z = 0;
		if (atomic_compare_exchange_strong(&handover->member[i], &z, pid))
			return 0;
	}
	return -1; /* no slot: this child cannot take the attachment */
}

/* This process leaves the family: 1 when it was a member. */
static int family_leave(void)
{
	int i, pid = (int)getpid();
	for (i = 0; handover && i < HO_MEMBERS; i++) {
		int me = pid;
		if (atomic_compare_exchange_strong(&handover->member[i], &me, 0))
			return 1;
	}
	return 0;
}

/* Is another member still running (not ended, not a zombie)? */
static int family_alive(void)
{
	int i;
	if (handover && atomic_load(&handover->joining) > 0)
		return 1; /* a child forked a moment ago, not yet joined */
	for (i = 0; handover && i < HO_MEMBERS; i++) {
		int pid = atomic_load(&handover->member[i]);
		char path[64], buf[256], *p;
		ssize_t n;
		int fd;
		if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))
			continue;
		snprintf(path, sizeof path, "/proc/%d/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 1; /* no /proc: take it as running */
		n = REAL(read)(fd, buf, sizeof buf - 1);
		REAL(close)(fd);
		buf[n > 0 ? n : 0] = 0;
		p = strrchr(buf, ')');
		if (!p || p[1] != ' ' || (p[2] != 'Z' && p[2] != 'X'))
			return 1;
	}
	return 0;
}

/* Only one member detaches, once (a later attachment is someone else's). */
static int family_detach_once(void)
{
	int z = 0;
	return !handover || atomic_compare_exchange_strong(&handover->detached, &z, 1);
}

/* Parent, under lk: before it drives again after a fork, take the
 * attachment back, or learn that a child took it. */
static void handover_settle(void)
{
	unsigned v = HO(handover_gen, HO_OPEN);
	if (!handover_open)
		return;
	handover_open = 0;
	if (atomic_compare_exchange_strong(&handover->state, &v, HO(handover_gen, HO_TAKEN)) ||
	    v != HO(handover_gen, HO_CHILD))
		return;
	s = NULL;
	pl_log(1, "a forked child took the attachment over: this process no longer serves axip sockets");
	if (timer_efd >= 0)
		(void)!REAL(write)(timer_efd, &(uint64_t){ 1 }, sizeof(uint64_t)); /* it ends */
}

void pl_lock(void)
{
	pthread_mutex_lock(&lk);
	if (handover_open)
		handover_settle();
}

void pl_unlock(void)
{
	axip_time_ns now = axip_xdp_now();
	uint64_t one = 1;
	if (!s || pl_forked) {
		pthread_mutex_unlock(&lk);
		return;
	}
	next_deadline = axip_xdp_poll_timers(w, now);
	axip_xdp_flush(w);
	if (dirty) {
		struct sleeper *z;
		dirty = 0;
		for (z = sleepers; z; z = z->next)
			if (REAL(write)(z->efd, &one, sizeof one) < 0) {
				/* saturated: it wakes anyway */
			}
	}
	if (next_deadline < timer_wake_at && timer_efd >= 0) {
		timer_wake_at = next_deadline;
		if (REAL(write)(timer_efd, &one, sizeof one) < 0) {
			/* saturated: it wakes anyway */
		}
	}
	pthread_mutex_unlock(&lk);
}

int pl_linger(int afd)
{
	if (n_lingering == cap_lingering) {
		unsigned cap = cap_lingering ? cap_lingering * 2 : 64;
		int *p = realloc(lingering, cap * sizeof *p);
		if (!p)
			return -1;
		lingering = p;
		cap_lingering = cap;
	}
	lingering[n_lingering++] = afd;
	return 0;
}

/* A lingering socket is done when its data is acknowledged or its
 * connection failed. Not at HUP: a socket shut for writing whose peer sent
 * its FIN shows HUP while its own data is still in flight (as Linux), and
 * the exit, which waits for the lingering list to empty, would cut it off. */
static void linger_reap(void)
{
	unsigned i = 0;
	while (i < n_lingering) {
		int afd = lingering[i], ev = axip_sock_events(s, afd);
		if (axip_sock_nwrite(s, afd) <= 0 || ev < 0 || (ev & AXIP_EV_ERR)) {
			axip_close(s, afd);
			lingering[i] = lingering[--n_lingering];
		} else {
			i++;
		}
	}
}

axip_time_ns pl_drive(void)
{
	axip_time_ns now = axip_xdp_now();
	unsigned i;
	if (!s)
		return ~0ull; /* given to a forked worker */
	for (i = 0; i < 8 && axip_xdp_rx_batch(w, now); i++)
		;
	next_deadline = axip_xdp_poll_timers(w, now);
	if (pl_proxy_count())
		pl_proxy_pump();
	if (n_lingering)
		linger_reap();
	axip_xdp_flush(w);
	last_drive = now;
	return next_deadline;
}

static void efd_free(void *p)
{
	(void)p;
	if (my_efd >= 0)
		REAL(close)(my_efd);
	my_efd = -1;
}

int pl_sleep(struct pollfd *kfds, nfds_t nk, int timeout_ms, const sigset_t *mask)
{
	struct pollfd stackbuf[68], *p = stackbuf;
	struct sleeper me;
	int t, rc, err = 0, k;
	nfds_t i, n = nk + (nfds_t)n_wfds + pl_proxy_count() + 1;
	if (pl_opts.busy_poll) {
		/* spin: look at the kernel descriptors without sleeping */
		pthread_mutex_unlock(&lk);
		rc = nk ? (mask ? REAL(ppoll)(kfds, nk, &(struct timespec){ 0, 0 }, mask)
		                : REAL(poll)(kfds, nk, 0))
		        : 0;
		err = errno;
		pthread_mutex_lock(&lk);
		if (handover_open)
			handover_settle();
		if (!s)
			return -EBADF;
		axip_xdp_wait(w, 0);
		pl_drive();
		return rc < 0 ? -err : rc;
	}
	if (my_efd < 0) {
		my_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (my_efd < 0)
			return -errno;
		pthread_setspecific(efd_key, &my_efd);
	}
	if (n > sizeof stackbuf / sizeof stackbuf[0]) {
		p = malloc(n * sizeof *p);
		if (!p)
			return -ENOMEM;
	}
	if (nk)
		memcpy(p, kfds, nk * sizeof *p);
	for (k = 0; k < n_wfds; k++)
		p[nk + (nfds_t)k] = (struct pollfd){ .fd = wfds[k], .events = POLLIN };
	/* relays to forked children (proxy.c): pl_drive moves their data */
	n = nk + (nfds_t)n_wfds + pl_proxy_fds(p + nk + n_wfds, pl_proxy_count()) + 1;
	p[n - 1] = (struct pollfd){ .fd = my_efd, .events = POLLIN };
	t = pl_ms_left(next_deadline);
	if (timeout_ms >= 0 && (t < 0 || timeout_ms < t))
		t = timeout_ms;
	me.efd = my_efd;
	me.next = sleepers;
	sleepers = &me;
	pthread_mutex_unlock(&lk);
	if (mask) {
		struct timespec ts = { t / 1000, (long)(t % 1000) * 1000000L };
		rc = REAL(ppoll)(p, n, t < 0 ? NULL : &ts, mask);
	} else {
		rc = REAL(poll)(p, n, t);
	}
	err = errno;
	pthread_mutex_lock(&lk);
	if (handover_open)
		handover_settle();
	{
		struct sleeper **z;
		for (z = &sleepers; *z; z = &(*z)->next)
			if (*z == &me) {
				*z = me.next;
				break;
			}
	}
	if (rc > 0) {
		uint64_t v;
		if (p[n - 1].revents & POLLIN)
			(void)!REAL(read)(my_efd, &v, sizeof v);
		/* the wake eventfd and the neighbour socket need reading; the
		 * AF_XDP socket (wfds[0]) does not: pl_drive below takes its
		 * frames. Reading the other two after every wake-up cost two
		 * system calls (EAGAIN) per sleep. */
		for (k = 1; k < n_wfds; k++)
			if (p[nk + (nfds_t)k].revents) {
				axip_xdp_worker_wait_done(w);
				break;
			}
		rc = 0;
		for (i = 0; i < nk; i++) {
			kfds[i].revents = p[i].revents;
			rc += p[i].revents != 0;
		}
	}
	if (p != stackbuf)
		free(p);
	if (!s)
		return -EBADF; /* given to a forked worker meanwhile */
	pl_drive();
	if (rc < 0)
		return err == EINTR ? -EINTR : -err;
	return rc;
}

/*
 * Did the signal that interrupted a wait have SA_RESTART? Which signal it
 * was is not known here, so: does every signal with a handler installed
 * have it (one sigaction() query per signal, only after an interruption)?
 * The synchronous fault signals are left out: they come from a faulting
 * instruction, not while a thread sleeps, and sanitizers and crash
 * reporters install handlers for them without SA_RESTART.
 */
static int handlers_restart(void)
{
	struct sigaction sa;
	int sig;
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL ||
		    sig == SIGTRAP || sig == SIGSYS || sigaction(sig, NULL, &sa) != 0)
			continue;
		if (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN && !(sa.sa_flags & SA_RESTART))
			return 0;
	}
	return 1;
}

int pl_wait_fd(int afd, unsigned events, int64_t timeout_ms, int restart)
{
	axip_time_ns end = timeout_ms > 0 ? axip_xdp_now() + (axip_time_ns)timeout_ms * 1000000u
	                                  : ~0ull;
	for (;;) {
		int ev = s ? axip_sock_events(s, afd) : -EBADF, rc;
		if (ev < 0)
			return ev;
		if ((unsigned)ev & (events | AXIP_EV_ERR | AXIP_EV_HUP))
			return 0;
		if (end != ~0ull && axip_xdp_now() >= end)
			return -EAGAIN;
		rc = pl_sleep(NULL, 0, pl_ms_left(end), NULL);
		/* SA_RESTART (signal(7)): Linux restarts these calls unless the
		 * socket has a timeout */
		if (rc == -EINTR && !(restart && end == ~0ull && handlers_restart()))
			return rc;
	}
}

static void *timer_main(void *arg)
{
	(void)arg;
	int woke = 0;
	pthread_mutex_lock(&lk);
	while (!timer_stop && s) {
		axip_time_ns now = axip_xdp_now();
		struct pollfd p[1 + 3 + 64];
		unsigned np = 1, nw = 0, k;
		int t, hold = handover_open && now < handover_until;
		uint64_t v;
		if (handover_open && !hold) {
			handover_settle(); /* no child took it in time: the parent's again */
			if (!s)
				break;
		}
		/* an application thread that drove since the deadline ran the timers */
		if (!hold && ((next_deadline <= now && last_drive < next_deadline) || woke ||
		              (pl_proxy_count() && now - last_drive > 20000000u)))
			pl_drive();
		timer_wake_at = hold ? handover_until : next_deadline;
		p[0] = (struct pollfd){ .fd = timer_efd, .events = POLLIN };
		/* While connections are relayed to forked children (proxy.c), also
		 * wake for the interface and the relays: the parent may sleep
		 * elsewhere (waitpid) while its child talks. */
		if (pl_proxy_count()) {
			for (nw = 0; nw < (unsigned)n_wfds && nw < 3; nw++)
				p[np++] = (struct pollfd){ .fd = wfds[nw], .events = POLLIN };
			np += pl_proxy_fds(p + np, 64);
		}
		pthread_mutex_unlock(&lk);
		woke = 0;
		t = pl_ms_left(timer_wake_at);
		/* relays also move at least every 20 ms, whatever woke nobody */
		if (np > 1 && (t < 0 || t > 20))
			t = 20;
		if (REAL(poll)(p, np, t) > 0) {
			if (p[0].revents)
				(void)!REAL(read)(timer_efd, &v, sizeof v);
			for (k = 1; k < np; k++)
				woke |= p[k].revents != 0;
		}
		pthread_mutex_lock(&lk);
		/* as pl_sleep: the wake eventfd and the neighbour socket need reading */
		for (k = 2; k <= nw && s; k++)
			if (p[k].revents) {
				axip_xdp_worker_wait_done(w);
				break;
			}
	}
	pthread_mutex_unlock(&lk);
	return NULL;
}

static int timer_start(void)
{
	sigset_t all, old;
	int rc;
	timer_stop = 0;
	timer_wake_at = ~0ull;
	timer_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (timer_efd < 0)
		return -1;
	/* The timer thread runs with every signal blocked (it inherits the
	 * mask at creation): a process-directed signal must reach one of the
	 * program's threads, whose wait it interrupts, not run the program's
	 * handler here while the program's thread sleeps on (nginx's workers
	 * then missed SIGTERM/SIGQUIT). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&timer_thr, NULL, timer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		REAL(close)(timer_efd);
		timer_efd = -1;
		return -1;
	}
	(void)pthread_setname_np(timer_thr, "axip-timer"); /* for top -H, ps -L */
	return 0;
}

static int attach_locked(void)
{
	struct axip_xdp_opts o;
	char err[256], pid[24];
	int rc;
	axip_xdp_opts_defaults(&o);
	o.ifname = pl_opts.ifname;
	o.n_queues = pl_opts.queues;
	o.busy_poll = pl_opts.busy_poll;
	o.dedicated_addr = pl_opts.addr;
	o.dedicated_prefix = pl_opts.prefix;
	o.no_ip6 = !pl_opts.ip6;
	if (pl_opts.has_addr6) {
		memcpy(o.dedicated_addr6, pl_opts.addr6, 16);
		o.dedicated_prefix6 = pl_opts.prefix6;
	}
	o.log = xdp_log;
	o.verbose = pl_opts.verbose >= 3 ? 2 : pl_opts.verbose >= 2;
	o.cores[0] = -1; /* the application's threads run it: no pinning */
	o.stack_cfg.sock_max = pl_opts.max_sockets;
	o.stack_cfg.tcp_conns = pl_opts.max_sockets;
	o.stack_cfg.sock_epoll_items = pl_opts.max_sockets * 2;
	o.stack_cfg.udp_sockets = pl_opts.max_sockets / 4 < 64 ? 64 : pl_opts.max_sockets / 4;
	o.stack_cfg.tcp_listeners = 64;
	pl_inside++;
	rc = axip_xdp_open(&o, &x, err, sizeof err);
	pl_inside--;
	if (rc) {
		pl_log(0, "cannot attach to %s (%s); sockets stay on the kernel", pl_opts.ifname, err);
		return rc;
	}
	w = axip_xdp_worker(x, 0);
	s = axip_xdp_worker_stack(w);
	n_wfds = axip_xdp_worker_wait_fds(w, wfds);
	axip_sock_set_notify(s, on_notify, NULL);
	pthread_key_create(&efd_key, efd_free);
	handover = mmap(NULL, sizeof *handover, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* (anonymous shared memory starts zeroed: HO_TAKEN, no claimers) */
	if (handover == MAP_FAILED)
		handover = NULL; /* children of a fork then never take the attachment */
	else
		handover->member[0] = (int)getpid();
	handover_mine = handover != NULL;
	if (timer_start()) {
		pl_log(0, "cannot start the timer thread; sockets stay on the kernel");
		pl_inside++;
		axip_xdp_close(x);
		pl_inside--;
		x = NULL;
		return -1;
	}
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	setenv("AXIP_PRELOAD_PID", pid, 1);
	{
		struct in_addr a = { htonl(axip_xdp_addr(x)) };
		char desc[256];
		axip_xdp_describe(x, desc, sizeof desc);
		pl_log(1, "attached to %s, address %s (%s mode), IPv6 %s, %s", pl_opts.ifname,
		       inet_ntoa(a), pl_opts.addr ? "dedicated" : "shared",
		       !axip_xdp_ip6(x) ? "off" : pl_opts.has_addr6 ? "on (dedicated)" : "on (shared)",
		       desc);
	}
	return 0;
}

int pl_attach(void)
{
	int st = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
	if (st)
		return st > 0 ? 0 : -1;
	pthread_mutex_lock(&attach_lk);
	if (!state) {
		int rc = attach_locked();
		__atomic_store_n(&state, rc ? -1 : 1, __ATOMIC_RELEASE);
		if (rc)
			atomic_store(&pl_on, 0);
	}
	st = state;
	pthread_mutex_unlock(&attach_lk);
	return st > 0 ? 0 : -1;
}

int pl_forked;
static unsigned next_claim;       /* the worker the next forked child takes (queues > 1) */
static int claim = -1;            /* the worker of the fork under way, -1 none */

/*
 * Prefork servers (AXIP_QUEUES=N > 1): the first N children forked after
 * the attachment take a worker each, in order; the first takes worker 0 and
 * with it the parent's instance (listeners, everything), after which the
 * parent no longer serves; the others re-create the inherited listeners on
 * their own worker's instance. Further children serve nothing.
 */
static void fork_prepare(void)
{
	pl_kset_fork();
	pthread_mutex_lock(&attach_lk);
	pthread_mutex_lock(&lk);
	claim = -1;
	if (state == 1 && x && pl_opts.queues > 1 && next_claim < axip_xdp_n_workers(x) &&
	    (s || next_claim > 0))
		claim = (int)next_claim;
	child_may_claim = 0;
	if (state == 1 && claim < 0) {
		/* a child that may use the parent's connections */
		unsigned relays = pl_proxy_prepare();
		/* or take the attachment over (a prefork worker): see "Hand-over" */
		if (pl_forked) {
			child_may_claim = may_claim; /* a child that could still take it passes that on */
		} else {
			if (!handover_open && handover_mine && s && !relays && !pl_proxy_count() &&
			    !n_lingering && !sleepers) {
				atomic_store(&handover->state, HO(++handover_gen, HO_OPEN));
				handover_open = 1;
				handover_until = axip_xdp_now() + PL_HANDOVER_NS;
			}
			child_may_claim = handover_open;
		}
		/* counted until the child joins (the parent may end first) */
		if (child_may_claim)
			atomic_fetch_add(&handover->joining, 1);
	}
}

static void fork_parent(void)
{
	int gave = claim == 0;
	if (claim >= 0) {
		next_claim++;
	} else {
		unsigned had = pl_proxy_count();
		pl_proxy_parent();
		/* the timer thread watches the relays from its next turn on */
		if (pl_proxy_count() != had && timer_efd >= 0)
			(void)!REAL(write)(timer_efd, &(uint64_t){ 1 }, sizeof(uint64_t));
	}
	if (gave) {
		/* worker 0 is the child's now: never touch it again */
		s = NULL;
		pl_log(1, "forked the first worker process: this process no longer serves axip sockets");
	}
	pthread_mutex_unlock(&lk);
	pthread_mutex_unlock(&attach_lk);
	if (gave && timer_efd >= 0) {
		if (REAL(write)(timer_efd, &(uint64_t){ 1 }, sizeof(uint64_t)) > 0)
			pthread_join(timer_thr, NULL);
		timer_efd = -1;
	}
}

/* A child with worker k > 0: the inherited listeners move to its instance;
 * other inherited sockets and interest sets are the parent's (dead here). */
static void adopt_worker(struct axip_stack *old)
{
	int fd;
	for (fd = 0; fd < PL_FD_MAX; fd++) {
		struct pl_obj *o = pl_get(fd);
		if (!o || o->moved)
			continue;
		o->moved = 1;
		if (o->kind == PL_EPOLL || pl_move_listener(old, o))
			o->afd = -1;
	}
	for (fd = 0; fd < PL_FD_MAX; fd++) {
		struct pl_obj *o = pl_get(fd);
		if (o && o->kind == PL_EPOLL && (o = pl_unset(fd)))
			free(o); /* the epoll descriptor is a plain kernel set here */
	}
}

static void fork_child(void)
{
	uint64_t v;
	pthread_mutex_unlock(&lk);
	pthread_mutex_unlock(&attach_lk);
	sleepers = NULL;
	if (my_efd >= 0)
		REAL(close)(my_efd); /* shared with the parent's thread */
	my_efd = -1;
	if (state == 1 && claim >= 0) {
		may_claim = 0;
		handover_open = 0;
		handover_mine = 0;
		pl_proxy_child(); /* the parent's relays are the parent's */
		/* the listeners as the parent made them (its copy of instance 0) */
		struct axip_stack *old = axip_xdp_worker_stack(axip_xdp_worker(x, 0));
		owner = 0;
		w = axip_xdp_worker(x, (unsigned)claim);
		s = axip_xdp_worker_stack(w);
		n_wfds = axip_xdp_worker_wait_fds(w, wfds);
		axip_sock_set_notify(s, on_notify, NULL);
		next_claim = axip_xdp_n_workers(x); /* its own children take none */
		if (claim > 0) {
			n_lingering = 0;
			adopt_worker(old);
		}
		if (timer_efd >= 0)
			REAL(close)(timer_efd);
		(void)!REAL(read)(wfds[1], &v, sizeof v);
		next_deadline = 0;
		if (timer_start()) {
			pl_forked = 1;
			atomic_store(&pl_on, 0);
			pl_log(0, "forked child: no timer thread; it serves no axip sockets");
			return;
		}
		pl_log(1, "forked child serves axip on queue %d", claim);
		return;
	}
	handover_open = 0; /* the parent's */
	handover_mine = 0;
	may_claim = child_may_claim && family_join() == 0;
	if (child_may_claim)
		atomic_fetch_sub(&handover->joining, 1);
	if (state == 1) {
		pl_proxy_child();
		pl_forked = 1;
		atomic_store(&pl_on, 0);
		if (may_claim)
			pl_log(1, "forked child: it takes the attachment over if it uses an inherited "
			       "axip socket before the parent does; until then new sockets go to the kernel");
		else
			pl_log(1, "forked child: its connections are relayed by the parent; other axip "
			       "sockets are the parent's (calls on them fail with EOPNOTSUPP); new sockets "
			       "go to the kernel");
	}
	/* a parent that never attached (a daemon forking before it listens)
	 * leaves the child free to attach */
}

/* fork() itself only for its failure: the handlers above did the rest,
 * and a fork that made no child must not count one as joining */
pid_t fork(void)
{
	pid_t pid = REAL(fork)();
	if (pid < 0 && child_may_claim && handover) {
		int e = errno;
		atomic_fetch_sub(&handover->joining, 1);
		child_may_claim = 0;
		errno = e;
	}
	return pid;
}

/* Child, under lk, the attachment taken by another process: make the
 * inherited axip sockets silent (see "Hand-over"). */
static void silence(void)
{
	int p[2], fd; /* both ends stay open: the read end never shows POLLHUP */
	if (pipe2(p, O_CLOEXEC) != 0) {
		pl_log(0, "forked child: no pipe for silent sockets (%s): calls on the inherited "
		       "axip sockets fail with EOPNOTSUPP", strerror(errno));
		return;
	}
	for (fd = 0; fd < PL_FD_MAX; fd++) {
		struct pl_obj *o = pl_get(fd);
		if (o && o->kind == PL_SOCK && !o->silent && REAL(dup2)(p[0], fd) == fd)
			o->silent = 1;
	}
}

int pl_claim(void)
{
	unsigned v = HO(handover_gen, HO_OPEN);
	int rc = -1;
	uint64_t e;
	if (!pl_forked)
		return 0;
	if (!may_claim)
		return -1; /* settled already (under lk, re-checked below) */
	pthread_mutex_lock(&lk);
	if (!pl_forked || !may_claim) {
		rc = pl_forked ? -1 : 0;
		pthread_mutex_unlock(&lk);
		return rc;
	}
	may_claim = 0;
	if (!atomic_compare_exchange_strong(&handover->state, &v, HO(handover_gen, HO_CHILD))) {
		silence();
		pl_log(1, "forked child: another process serves the attachment; the inherited "
		       "axip sockets stay silent here");
		pthread_mutex_unlock(&lk);
		return -1;
	}
	/* the instance as the parent left it at the fork, driven by nobody since;
	 * the family's last process detaches it (pl_fini) */
	owner = 0;
	{
		char pid[24];
		snprintf(pid, sizeof pid, "%d", (int)getpid());
		setenv("AXIP_PRELOAD_PID", pid, 1);
	}
	if (timer_efd >= 0)
		REAL(close)(timer_efd); /* the parent's timer thread's */
	timer_efd = -1;
	(void)!REAL(read)(wfds[1], &e, sizeof e);
	next_deadline = 0;
	last_drive = 0;
	if (timer_start()) {
		pl_log(0, "forked child took the attachment over but has no timer thread: it "
		       "serves no axip sockets");
	} else {
		pl_forked = 0;
		atomic_store(&pl_on, 1);
		rc = 0;
		pl_log(1, "forked child took the attachment over: it serves the inherited axip sockets");
	}
	pthread_mutex_unlock(&lk);
	return rc;
}

__attribute__((constructor)) static void pl_init(void)
{
	const char *owner;
	pl_real_init();
	if (pl_opts_read() || !pl_opts.ifname)
		return;
	/* a program started by a served one (fork + exec) leaves the interface to it */
	owner = getenv("AXIP_PRELOAD_PID");
	if (owner && atoi(owner) > 0 && atoi(owner) != (int)getpid() &&
	    (kill(atoi(owner), 0) == 0 || errno == EPERM)) {
		pl_log(1, "process %s serves %s already; this one uses the kernel", owner,
		       pl_opts.ifname);
		return;
	}
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	atomic_store(&pl_on, 1);
	pl_log(2, "serving IPv4 sockets on %s", pl_opts.ifname);
}

__attribute__((destructor)) static void pl_fini(void)
{
	int serving;
	if (state == 1 && pl_forked && x && handover && family_leave() && !family_alive() &&
	    family_detach_once()) {
		/* a child of the attachment's family that does not serve, the
		 * last of the family to end: the attaching process (a daemon that
		 * forked after it listened) left it to the family */
		pl_inside++;
		axip_xdp_close(x);
		pl_inside--;
	}
	if (state != 1 || pl_forked || !x)
		return;
	pthread_mutex_lock(&lk);
	timer_stop = 1;
	pthread_mutex_unlock(&lk);
	if (s && timer_efd >= 0 && REAL(write)(timer_efd, &(uint64_t){ 1 }, sizeof(uint64_t)) > 0)
		pthread_join(timer_thr, NULL);
	pthread_mutex_lock(&lk);
	if (handover_open && atomic_load(&handover->state) == HO(handover_gen, HO_OPEN) &&
	    family_leave() && family_alive()) {
		/* a daemon that forks after it listened, and exits: the attachment
		 * stays for the child that takes it over; the family's last
		 * process to end detaches it */
		pl_log(1, "exit: the attachment is left to the forked children (the first that "
		       "uses an inherited axip socket serves it)");
		x = NULL;
		s = NULL;
		state = -1;
		atomic_store(&pl_on, 0);
		pthread_mutex_unlock(&lk);
		return;
	}
	if (handover_open)
		handover_settle();
	serving = s != NULL;
	if (s) {
		/* as the kernel does at exit: close what is still open (FIN, or RST
		 * with unread data), deliver what closed sockets still hold */
		axip_time_ns end = axip_xdp_now() + PL_EXIT_LINGER_NS;
		int fd;
		for (fd = 0; fd < PL_FD_MAX; fd++) {
			struct pl_obj *o = pl_get(fd), *last;
			if (o && (last = pl_unset(fd)))
				pl_release(last);
		}
		pl_drive();
		/* relays to forked children (proxy.c) too: a child that still
		 * writes, or whose end the parent has not yet seen close (its exit
		 * closes its descriptors one by one), hands the connection to the
		 * lingering list only when its relay finishes */
		while ((n_lingering || pl_proxy_count()) && axip_xdp_now() < end)
			pl_sleep(NULL, 0, 20, NULL);
		if (n_lingering)
			pl_log(1, "exit: %u connections still had unacknowledged data", n_lingering);
		if (pl_proxy_count())
			pl_log(1, "exit: %u connections still relayed to forked children are cut off",
			       pl_proxy_count());
		axip_xdp_flush(w);
	}
	/* the attaching process that serves at its exit detaches (nobody else
	 * can serve: children of its forks are silent or relayed); a process
	 * that does not serve (the parent after a child took the attachment
	 * over, that child) only when it is the family's last: nginx's workers
	 * end before their master, which, unlike them, keeps the privileges */
	if (handover_mine && serving)
		owner = 1;
	else if (family_leave())
		owner = !family_alive();
	if (owner && family_detach_once()) {
		pl_inside++;
		axip_xdp_close(x);
		pl_inside--;
	}
	x = NULL;
	s = NULL;
	state = -1;
	atomic_store(&pl_on, 0);
	pthread_mutex_unlock(&lk);
}
