/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pl.h - internals of libaxip-preload, the LD_PRELOAD shim that puts an
 * unmodified program's IPv4 and IPv6 sockets on axip (docs/preload.md).
 *
 * Call path of an intercepted call (e.g. read):
 *   read() [io.c] -> pl_get(fd) [fdtab.c]: not axip -> the libc function (real.c)
 *                 -> axip: pl_lock() [stack.c], axip_recv(), on EAGAIN of a
 *                    blocking socket pl_wait_fd() (drive, sleep in poll() on the
 *                    worker's descriptors), pl_unlock() (flush, wake sleepers)
 * socket() always creates a kernel socket; bind()/connect() [sock.c] decide
 * whether axip serves it (route.c) and convert it: the kernel socket then
 * only reserves the descriptor number (fdtab.c maps it to the axip socket).
 */
#ifndef AXIP_PL_H
#define AXIP_PL_H

#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <axip/sock.h>
#include <axip/xdp.h>

/* ---- real.c: the next definitions (libc) of the intercepted calls ---- */
struct mmsghdr;  /* <sys/socket.h> declares it with _GNU_SOURCE only */
struct pl_real {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*sendfile)(int, int, off_t *, size_t);
	int (*close)(int);
	int (*shutdown)(int, int);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*fcntl)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	int (*poll)(struct pollfd *, nfds_t, int);
	int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
	int (*select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);
	int (*pselect)(int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *);
	int (*epoll_create)(int);
	int (*epoll_create1)(int);
	int (*epoll_ctl)(int, int, int, struct epoll_event *);
	int (*epoll_wait)(int, struct epoll_event *, int, int);
	int (*epoll_pwait)(int, struct epoll_event *, int, int, const sigset_t *);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*recvmmsg)(int, struct mmsghdr *, unsigned int, int, struct timespec *);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	pid_t (*fork)(void);
	/* glibc 2.35 and later; NULL before */
	int (*epoll_pwait2)(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);
};
extern struct pl_real pl_real;
/* Resolve every entry (idempotent, cheap after the first call). */
void pl_real_init(void);
#define REAL(fn) (pl_real.fn ? (void)0 : pl_real_init(), pl_real.fn)

/* ---- opts.c: options from the environment ---- */
struct pl_opts {
	const char *ifname;      /* AXIP_IFNAME; NULL = pass everything to the kernel */
	unsigned queues;         /* AXIP_QUEUES */
	int busy_poll;           /* AXIP_BUSY_POLL */
	uint32_t addr;           /* AXIP_ADDR (host order), 0 = shared mode */
	uint8_t prefix;          /* AXIP_ADDR's /prefix, default 24 */
	int verbose;             /* AXIP_VERBOSE */
	unsigned max_sockets;    /* AXIP_MAX_SOCKETS */
	int dual_stack;          /* AXIP_DUAL_STACK: AF_INET6 sockets may serve IPv4 on axip */
	int ip6;                 /* AXIP_IP6: AF_INET6 sockets may serve IPv6 on axip */
	int has_addr6;           /* AXIP_ADDR6 given (dedicated IPv6 mode) */
	uint8_t addr6[16];       /* AXIP_ADDR6, network order */
	uint8_t prefix6;         /* AXIP_ADDR6's /prefix, default 64 */
};
extern struct pl_opts pl_opts;
/* Read the environment; 0, or -1 (a message was printed, stay pass-through). */
int pl_opts_read(void);
/* A message on stderr, "axip-preload: ...", when AXIP_VERBOSE >= level
 * (level 0: always). */
void pl_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- fdtab.c: kernel descriptor -> axip object ---- */
enum pl_kind { PL_SOCK = 1, PL_EPOLL = 2 };
struct pl_obj {
	enum pl_kind kind;
	int afd;                 /* the axip descriptor (socket or interest set); -1: the
	                            parent's, unusable in this forked process */
	int refs;                /* kernel descriptors naming it (dup) */
	int nonblock;            /* O_NONBLOCK of the open file description */
	int type;                /* SOCK_STREAM / SOCK_DGRAM */
	int v6;                  /* the program's socket is AF_INET6: it sees addresses
	                            in IPv6 form (IPv4 ones as ::ffff:a.b.c.d) */
	int fam6;                /* the axip socket is AXIP_AF_INET6 (native IPv6; a
	                            dual-stack stream one also serves IPv4); without it
	                            a v6 socket is an IPv4 axip socket */
	int backlog;             /* listen()'s, for re-creating the listener in a worker */
	int moved;               /* handled after fork (stack.c) */
	int silent;              /* in a forked child another process serves: the
	                            number names a pipe that never becomes ready
	                            (stack.c, "hand-over"), accept waits for ever */
	int shared_ph;           /* the descriptor is a dup of a shared placeholder
	                            socket (accepted connections, sock.c): its file
	                            status flags are not this socket's */
	int64_t rcvtimeo_ms;     /* SO_RCVTIMEO, 0 = none */
	int64_t sndtimeo_ms;     /* SO_SNDTIMEO, 0 = none */
};
#define PL_FD_MAX 65536
/* The object of fd, NULL when the kernel owns it (lock-free). */
struct pl_obj *pl_get(int fd);
/* Under the lock: name obj by fd (refs++), forget fd (refs--; returns the
 * object when that was its last descriptor, for the caller to release). */
int pl_set(int fd, struct pl_obj *obj);
struct pl_obj *pl_unset(int fd);
/* Whether any descriptor maps to axip (fast check for poll/select). */
int pl_any(void);
/* AF_INET (and AF_INET6) stream/datagram kernel sockets the program created (socket()),
 * which bind/connect may still convert; their epoll registrations made
 * before that are remembered so the conversion can move them. */
void pl_cand_set(int fd, int on);
int pl_cand(int fd);

/* ---- stack.c: the attachment, its lock, driving and waiting ---- */
extern atomic_int pl_on;          /* 1: new sockets may go to axip */
extern _Thread_local int pl_inside; /* >0: inside the library: everything to the kernel */
/* Open the attachment if not open yet; 0 when it is usable. */
int pl_attach(void);
struct axip_stack *pl_stack(void);
struct axip_xdp *pl_xdp(void);
void pl_lock(void);
/* Flush what the calls queued, wake threads sleeping on the instance. */
void pl_unlock(void);
/* Under the lock: receive, timers, flush. Returns the next timer deadline. */
axip_time_ns pl_drive(void);
/*
 * Under the lock: release it, sleep until the worker's descriptors, one of
 * kfds[0..nk) (their revents are filled), a wake-up from another thread, the
 * next timer or timeout_ms (-1 = none) passes; take the lock and drive.
 * Returns the poll() result on kfds (>= 0), or -errno (EINTR).
 */
int pl_sleep(struct pollfd *kfds, nfds_t nk, int timeout_ms, const sigset_t *mask);
/* Under the lock: wait until afd has one of `events` (or ERR/HUP), timeout_ms
 * (0 or -1: none) passes (-EAGAIN) or a signal (-EINTR). With `restart`
 * (the call is one Linux restarts: read, write, recv, send, accept) and no
 * timeout, a signal whose handler has SA_RESTART does not end the wait. */
int pl_wait_fd(int afd, unsigned events, int64_t timeout_ms, int restart);
/* Under the lock: keep closed TCP socket afd until its data is acknowledged,
 * then close it (0, or -1 when out of memory: close it now). */
int pl_linger(int afd);
/* Milliseconds left until an absolute monotonic deadline in ns (-1 for none). */
int pl_ms_left(axip_time_ns deadline);

/* ---- wait.c: epoll registrations of sockets converted later ---- */
/* epoll_ctl on a candidate kernel socket: remember (ADD/MOD) or forget (DEL). */
void pl_epoll_note(int epfd, int op, int fd, const struct epoll_event *ev);
/* Under the lock: fd was just converted to o; move its kernel epoll
 * registration to the axip set of that epoll descriptor. */
void pl_epoll_adopt(int fd, struct pl_obj *o);
/* fd is closed: forget its registration. */
void pl_epoll_forget(int fd);
/* fd is closed or duplicated: stop trusting the count of kernel descriptors
 * in the epoll set it may name (wait.c, kset). */
void pl_kset_forget(int fd);
/* ---- proxy.c: connections relayed to a forked child ---- */
/* fork_prepare (under the lock): a socket pair per connected axip stream
 * socket; after the fork the parent keeps one end and relays, the child's
 * descriptor numbers become the other end. */
unsigned pl_proxy_prepare(void); /* connected sockets found (relayed or not) */
void pl_proxy_parent(void);
void pl_proxy_child(void);
/* Under the lock (pl_drive): relay what can move; finished relays end. */
void pl_proxy_pump(void);
/* The relay sockets a sleep must also wake for; how many were written. */
unsigned pl_proxy_fds(struct pollfd *out, unsigned max);
unsigned pl_proxy_count(void);

/* fork: no epoll set's count can be trusted any more (both processes share them). */
void pl_kset_fork(void);

/* ---- route.c: which sockets axip serves ---- */
/* Whether a bind to this address goes to axip (0.0.0.0 or axip's address). */
int pl_route_bind(const struct sockaddr_in *a);
/* Whether a connect to this destination goes to axip. */
int pl_route_connect(const struct sockaddr_in *a);
/* The same for native IPv6 (not IPv4-mapped) addresses; they attach. */
int pl_route_bind6(const struct sockaddr_in6 *a);
int pl_route_connect6(const struct sockaddr_in6 *a);
/* Native IPv6 is usable: AXIP_IP6 on, attached, the attachment has IPv6. */
int pl_ip6_on(void);
/* An unbound datagram socket sending to a destination axip serves: convert it
 * (sock.c); NULL when it stays the kernel's. */
struct pl_obj *pl_adopt_sender(int fd, const struct sockaddr *sa, socklen_t len);
/* struct sockaddr <-> struct axip_sockaddr. */
/* The IPv4 address a program's address names: an AF_INET one, or, in
 * AF_INET6 form, an IPv4-mapped one (::ffff:a.b.c.d) or, when any_ok, the
 * wildcard ::. Returns 1 and fills out, or 0. */
int pl_addr_v4(const struct sockaddr *sa, socklen_t len, int any_ok, struct sockaddr_in *out);
/* native6 (an AXIP_AF_INET6 socket): an AF_INET6 address as it is; else
 * the IPv4 address of pl_addr_v4 (any_ok) or -AXIP_ENETUNREACH. */
int pl_addr_in(const struct sockaddr *sa, socklen_t len, int native6, struct axip_sockaddr *out);
/* An AXIP_AF_INET6 address as a sockaddr_in6 (link-local: the interface's
 * scope id when it has none); an IPv4 one as sockaddr_in, or with v6 in
 * AF_INET6 form (IPv4-mapped; :: for the wildcard) */
void pl_addr_out(const struct axip_sockaddr *a, struct sockaddr *sa, socklen_t *len, int v6);

/* ---- sock.c / io.c: shared helpers ---- */
extern int pl_forked;               /* 1 in a child of fork(): axip sockets unusable */
/* In a forked child: take the parent's attachment over if the fork left it
 * open for that (stack.c, "hand-over"); 0 when this process serves axip
 * sockets now, -1 when it does not (its listeners are then silent). */
int pl_claim(void);
/* pl_claim for a call on o in a forked child; 1 when o is silent. */
int pl_silent(struct pl_obj *o);
/* The object of axip descriptor fd with the lock taken, or NULL with errno
 * set (EOPNOTSUPP after fork or detach, EBADF when fd was closed meanwhile). */
struct pl_obj *pl_acquire(int fd, struct pl_obj *o);
/* In a forked worker: re-create listener o of instance `old` on this
 * process's instance (0), or -1 when o is no listener or that fails. */
int pl_move_listener(struct axip_stack *old, struct pl_obj *o);
/* Under the lock: the object lost its last descriptor; close it in axip. */
void pl_release(struct pl_obj *o);
/* errno = -rc and -1 when rc < 0, else rc. */
long pl_ret(long rc);
/* A send failed with EPIPE without MSG_NOSIGNAL: raise SIGPIPE as Linux does. */
void pl_sigpipe(int flags);
/* Receive / send on an axip socket, blocking as the object says. */
ssize_t pl_recvmsg(struct pl_obj *o, int fd, struct msghdr *m, int flags);
ssize_t pl_sendmsg(struct pl_obj *o, int fd, const struct msghdr *m, int flags);

#endif
