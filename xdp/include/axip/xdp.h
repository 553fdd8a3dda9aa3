/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/xdp.h - run axip instances on a Linux interface through AF_XDP.
 *
 * One attachment (struct axip_xdp) owns the XDP steering program on one
 * interface and one worker per receive queue. Each worker has its own AF_XDP
 * socket, its own UMEM (whose frames are the core's packet buffers, never
 * copied) and its own axip instance; workers share nothing mutable.
 *
 * The library is mechanism only, as libxdp is: it starts no threads, installs
 * no signal handlers and prints nothing. Errors are returned (a negative
 * errno value and a one-line message); warnings and notices go to the
 * logging callback of struct axip_xdp_opts (none: silent). Threads, signals
 * and counter dumps are the embedder's, or the ready-made runner's
 * (<axip/runner.h>, library axip_runner, which the examples use).
 *
 * Typical use (see examples/axip-udp-echo.c):
 *   struct axip_xdp_opts o; axip_xdp_opts_defaults(&o); o.ifname = "eth0";
 *   axip_xdp_open(&o, &x, err, sizeof err);          attach, sockets, stacks
 *   axip_xdp_add_rule(x, IPPROTO_UDP, 7);            steer a listener port
 *   per worker, in a thread of its own:
 *     axip_xdp_worker_pin(w);                        onto its CPU
 *     ... open sockets on axip_xdp_worker_stack(w) ...
 *     axip_xdp_worker_loop(w, &loop);                until axip_xdp_stop(x)
 *   axip_xdp_close(x);                               detach, free
 *
 * axip_xdp_worker_loop is made of building blocks a loop of your own can use:
 *   for (;;) { now = axip_xdp_now();
 *              axip_xdp_rx_batch(w, now);            receive + core + flush
 *              next = axip_xdp_poll_timers(w, now);  timers + flush
 *              axip_xdp_wait(w, next); }             sleep until traffic or deadline
 */
#ifndef AXIP_XDP_H
#define AXIP_XDP_H

#include <stdint.h>
#include <stdio.h>
#include <axip/axip.h>

#define AXIP_XDP_MAX_WORKERS 64
/* axip_xdp_opts.cores[i]: the i-th CPU (wrapping) of those the process may run on. */
#define AXIP_XDP_CORE_AUTO (-2)

/* Levels of the messages the library logs. */
enum axip_xdp_log_level {
	AXIP_XDP_LOG_WARN = 0,     /* something asked for is not in effect (a fallback) */
	AXIP_XDP_LOG_INFO = 1,     /* what was done on the embedder's behalf */
	AXIP_XDP_LOG_DEBUG = 2     /* libxdp/libbpf detail (axip_xdp_opts.verbose 2) */
};

/* One message: a line without its newline, valid during the call. Called
 * from the thread that called into the library (axip_xdp_open, _close). */
typedef void (*axip_xdp_log_fn)(void *ctx, enum axip_xdp_log_level level, const char *msg);

enum axip_xdp_mode {
	AXIP_XDP_MODE_AUTO = 0,    /* native (driver) mode, generic if the driver refuses */
	AXIP_XDP_MODE_NATIVE = 1,
	AXIP_XDP_MODE_GENERIC = 2
};

/* Transmit checksum of TCP/UDP (the IPv4 header sum is always computed). */
enum axip_xdp_csum {
	AXIP_XDP_CSUM_SW = 0,      /* the core computes it */
	AXIP_XDP_CSUM_META = 1,    /* AF_XDP TX metadata asks the device (zero-copy driver with
	                              the tx-checksum xsk feature) or, in copy mode, the kernel's
	                              skb path: CHECKSUM_PARTIAL, finished by the NIC, or left
	                              partial on veth as kernel TCP does */
	AXIP_XDP_CSUM_META_SW = 2  /* TX metadata with XDP_UMEM_TX_SW_CSUM: the kernel computes
	                              the sum in software (copy mode) */
};

/* Default of axip_xdp_opts.tx_copy_max (docs/benchmarks.md: cycles per byte
 * of copying against chaining, measured on veth). */
#define AXIP_XDP_TX_COPY_MAX_DEFAULT 2048u
/* Default of axip_xdp_opts.poll_budget_us (docs/benchmarks.md: 1-connection
 * RPC latency against the budget, and the CPU an idle worker uses). */
#define AXIP_XDP_POLL_BUDGET_US_DEFAULT 50u

struct axip_xdp_opts {
	const char *ifname;        /* required */
	unsigned n_queues;         /* workers, bound to queues 0..n-1; default 1 */
	/* CPU of worker i: default AXIP_XDP_CORE_AUTO, the i-th (wrapping) of the CPUs
	 * the thread calling axip_xdp_open may run on (sched_getaffinity: taskset,
	 * cgroup cpusets); -1 = not pinned; any other value must be one of those
	 * CPUs (axip_xdp_open refuses others) */
	int cores[AXIP_XDP_MAX_WORKERS];
	int busy_poll;             /* spin on the rings with SO_PREFER_BUSY_POLL; default 0 */
	unsigned poll_budget_us;   /* adaptive polling (without busy_poll): after a round that
	                              received frames or did work, axip_xdp_wait keeps returning
	                              at once (the loop spins on the rings) for this many
	                              microseconds before it sleeps in poll(); 0 = sleep at once;
	                              default AXIP_XDP_POLL_BUDGET_US_DEFAULT */
	int trusted_csum;          /* AXIP_CAP_TRUSTED_CSUM: skip RX checksum checks; default 0 */
	enum axip_xdp_mode mode;   /* default AUTO */
	unsigned frame_size;       /* UMEM frame bytes, 2048 or 4096; default 2048. Frames longer
	                              than one UMEM frame (jumbo MTU) need multi-buffer (no_sg 0) */
	int no_sg;                 /* 1 = no XDP_USE_SG: chains copied into one frame, no
	                              multi-buffer receive; default 0 (refused bind: falls back,
	                              counted as sg_bind_refused) */
	int tx_copy;               /* 1 = copy every TX payload into its frame (AXIP_CAP_SG not
	                              announced; multi-buffer receive stays); default 0 */
	unsigned tx_copy_max;      /* TX chains whose payload is at most this many bytes are copied
	                              into the header frame instead of sent as multi-buffer;
	                              default AXIP_XDP_TX_COPY_MAX_DEFAULT */
	enum axip_xdp_csum tx_csum; /* default AXIP_XDP_CSUM_SW (a refused TX metadata
	                              registration falls back to it, counted) */
	int no_rx_hash;            /* 1 = do not load the program bound to the device for the
	                              receive hash kfunc; default 0 */
	unsigned n_frames;         /* UMEM frames per worker (power of two); default 8192 */
	unsigned ring_size;        /* fill/completion/RX/TX ring entries; default 2048 */
	unsigned batch;            /* RX descriptors per batch; default 64 */
	uint32_t dedicated_addr;   /* host order; 0 = shared mode (use the interface's address) */
	uint8_t dedicated_prefix;  /* prefix of dedicated_addr (default 24) */
	/* IPv6 (docs/ipv6.md). Without dedicated_addr6 axip serves the
	 * interface's own IPv6 addresses (its link-local one and up to
	 * AXIP_MAX_ADDRS6 global ones, followed as they change) beside IPv4 when
	 * it has any; with it, that address alone, its neighbour discovery and
	 * ICMPv6 to it. The two families choose shared or dedicated separately. */
	int no_ip6;                  /* 1 = IPv4 only; default 0 */
	uint8_t dedicated_addr6[16]; /* network order; all-zero (default) = shared */
	uint8_t dedicated_prefix6;   /* prefix of dedicated_addr6 (default 64) */
	uint16_t port_lo, port_hi; /* local ports of axip's own connections; default 61000-61999,
	                              reserved in the kernel (net.ipv4.ip_local_reserved_ports) */
	const char *pcap_path;     /* write received and sent frames here; NULL = off */
	axip_xdp_log_fn log;       /* warnings and notices; NULL (default) = none */
	void *log_ctx;             /* log's first argument */
	int verbose;               /* libxdp/libbpf messages while attaching and detaching go to
	                              log: 1 their warnings and notices, 2 also debug; default 0:
	                              none (libxdp's and libbpf's print functions are process-wide:
	                              they are replaced during those calls and restored after) */
	/* Template for each worker's instance: addresses, MAC, MTU, gateway and
	 * secret are filled in by axip_xdp_open; the rest is used as given. */
	struct axip_config stack_cfg;
};

struct axip_xdp;
struct axip_xdp_worker;

void axip_xdp_opts_defaults(struct axip_xdp_opts *o);

/*
 * Check privileges, read the interface over netlink, attach the steering
 * program (replacing a stale one left by a killed process), create the
 * workers' UMEMs, sockets and instances, and place the workers on CPUs
 * (cores). Threads are not started. On error returns a negative errno value
 * and writes a one-line message to err; the interface is left as found.
 */
int axip_xdp_open(const struct axip_xdp_opts *o, struct axip_xdp **out, char *err, size_t errlen);

/* Detach the program and rules, release sockets and memory. */
void axip_xdp_close(struct axip_xdp *x);

/*
 * Remove axip's steering program from `ifname` (a stale one left by a killed
 * process, or a running one). Other XDP programs stay. Returns 0 when one was
 * removed, 1 when there was none, a negative errno value on failure.
 */
int axip_xdp_detach_stale(const char *ifname, char *err, size_t errlen);

/* Steer IPv4 (proto, local port) to axip: IPPROTO_TCP or IPPROTO_UDP. */
int axip_xdp_add_rule(struct axip_xdp *x, uint8_t proto, uint16_t port);
int axip_xdp_del_rule(struct axip_xdp *x, uint8_t proto, uint16_t port);
/* The same for IPv6: (proto, local port) to any of axip's IPv6 addresses.
 * An IPv4 rule and an IPv6 rule for the same port are separate entries:
 * each takes one of the program's 64 rule slots and has its own hit counter. */
int axip_xdp_add_rule6(struct axip_xdp *x, uint8_t proto, uint16_t port);
int axip_xdp_del_rule6(struct axip_xdp *x, uint8_t proto, uint16_t port);

unsigned axip_xdp_n_workers(const struct axip_xdp *x);
struct axip_xdp_worker *axip_xdp_worker(struct axip_xdp *x, unsigned i);
struct axip_stack *axip_xdp_worker_stack(struct axip_xdp_worker *w);
unsigned axip_xdp_worker_index(const struct axip_xdp_worker *w);
/* The attachment a worker belongs to. */
struct axip_xdp *axip_xdp_worker_parent(struct axip_xdp_worker *w);
/* The instance's address (host order) and the interface name. */
uint32_t axip_xdp_addr(const struct axip_xdp *x);
/* Whether the instances have IPv6 on (1) or not (0). */
int axip_xdp_ip6(const struct axip_xdp *x);
const char *axip_xdp_ifname(const struct axip_xdp *x);
/* What the backend uses, for a one-line summary ("sg on, csum sw, rx-hash on, ..."). */
void axip_xdp_describe(const struct axip_xdp *x, char *buf, size_t len);
/* Attach mode in effect: "native" or "generic", and whether libxdp's dispatcher is used. */
const char *axip_xdp_mode_name(const struct axip_xdp *x);
int axip_xdp_uses_dispatcher(const struct axip_xdp *x);

/* The CPU a worker is placed on (cores resolved), -1 = not pinned. */
int axip_xdp_worker_core(const struct axip_xdp_worker *w);
/* Pin the calling thread to the worker's CPU (nothing to do for -1): 0, or a
 * negative errno value. */
int axip_xdp_worker_pin(const struct axip_xdp_worker *w);

/* ---- the loop's building blocks (call from the worker's own thread) ---- */

/* Monotonic clock in nanoseconds. */
axip_time_ns axip_xdp_now(void);
/* Take up to one batch from the RX ring into the core, refill the fill
 * ring, reclaim completions. Returns the frames received. */
unsigned axip_xdp_rx_batch(struct axip_xdp_worker *w, axip_time_ns now);
/* Run the core's timers; returns the next deadline (axip_poll). */
axip_time_ns axip_xdp_poll_timers(struct axip_xdp_worker *w, axip_time_ns now);
/* Push queued TX frames to the kernel and reclaim completions. */
void axip_xdp_flush(struct axip_xdp_worker *w);
/* Sleep until frames arrive, `deadline` passes, or axip_xdp_wake() is
 * called (busy-poll mode, and within poll_budget_us of the last round that
 * received frames or of axip_xdp_worker_busy: returns at once). */
void axip_xdp_wait(struct axip_xdp_worker *w, axip_time_ns deadline);
/* Tell the worker that the caller's round did work of its own (a loop of
 * the embedder's): adaptive polling spins for poll_budget_us from now.
 * axip_xdp_rx_batch does this itself when it receives frames. */
void axip_xdp_worker_busy(struct axip_xdp_worker *w, axip_time_ns now);
/* Wake a worker from another thread or a signal handler (async-signal-safe):
 * its current or next axip_xdp_wait returns. */
void axip_xdp_wake(struct axip_xdp_worker *w);
/* For an embedder that sleeps in poll() together with descriptors of its own
 * instead of in axip_xdp_wait (the LD_PRELOAD shim): the descriptors that
 * become readable when the worker has something to do (its AF_XDP socket,
 * its axip_xdp_wake eventfd, its neighbour-event socket when there is one).
 * Fills fds[0..n) and returns n (at most 3). */
int axip_xdp_worker_wait_fds(const struct axip_xdp_worker *w, int fds[3]);
/* After such a sleep: take pending wake-ups and neighbour events, without
 * blocking (what axip_xdp_wait does when it returns). */
void axip_xdp_worker_wait_done(struct axip_xdp_worker *w);

/* ---- the worker loop ---- */

/* What axip_xdp_worker_loop calls besides the stack; NULL = unused. */
struct axip_xdp_loop {
	/* every round, after the receive batch: take work handed over by other
	 * threads (axip_xdp_chan_recv). Non-zero = it did something: the loop
	 * flushes and does not sleep this round */
	int (*poll)(struct axip_xdp_worker *w, axip_time_ns now, void *arg);
	/* every tick_ns of the stack's clock (tick_ns 0 = never) */
	void (*tick)(struct axip_xdp_worker *w, axip_time_ns now, void *arg);
	axip_time_ns tick_ns;
	void *arg;
};

/*
 * Drive one worker until axip_xdp_stop(): receive batch, poll, timers, tick,
 * tell application threads about messages sent on the worker's channels,
 * sleep in axip_xdp_wait when there was nothing to do. Call from the
 * worker's own thread; flushes before it returns. l may be NULL.
 */
void axip_xdp_worker_loop(struct axip_xdp_worker *w, const struct axip_xdp_loop *l);

/* Ask every worker loop to return (thread- and async-signal-safe; for good:
 * an attachment is stopped once). */
void axip_xdp_stop(struct axip_xdp *x);
/* Whether axip_xdp_stop was called. */
int axip_xdp_stopped(const struct axip_xdp *x);
/* An eventfd that becomes readable at axip_xdp_stop, for a thread that waits
 * in poll() for the end (the runner's). Owned by the attachment. */
int axip_xdp_stop_fd(const struct axip_xdp *x);

/* ---- the application in a thread of its own ---- */

/*
 * The core is not thread safe: only a worker's thread may touch its
 * instance. An application that runs in threads of its own exchanges
 * messages (pointers it owns) with the workers over channels: each channel
 * joins one worker and one application thread with two bounded
 * single-producer/single-consumer rings (<axip/spsc.h>), one each way.
 * Either side sleeps when it has nothing to do and the other wakes it:
 * the worker through axip_xdp_wake (an eventfd: a wake-up given while it is
 * busy is kept), the application thread through an eventfd of its own,
 * which a worker writes only when the thread has announced that it sleeps.
 * Create channels before the threads start and free them after they end.
 * Example: examples/axip-tcp-echo-mt.c.
 */
struct axip_xdp_app;       /* one application thread: its wake-up */
struct axip_xdp_chan;      /* one worker <-> that thread */

struct axip_xdp_app *axip_xdp_app_new(void);
void axip_xdp_app_free(struct axip_xdp_app *a);
/* Application thread: sleep until a channel has a message for it,
 * axip_xdp_app_wake(), or timeout_ms passes (-1 = no limit). */
void axip_xdp_app_wait(struct axip_xdp_app *a, int timeout_ms);
/* Any thread: end the application thread's current or next wait. */
void axip_xdp_app_wake(struct axip_xdp_app *a);

/* A channel of `entries` messages each way (a power of two); NULL when out
 * of memory or entries is not a power of two. */
struct axip_xdp_chan *axip_xdp_chan_new(struct axip_xdp_worker *w, struct axip_xdp_app *a,
                                        uint32_t entries);
void axip_xdp_chan_free(struct axip_xdp_chan *c);
struct axip_xdp_worker *axip_xdp_chan_worker(const struct axip_xdp_chan *c);

/* Worker thread: send a message to the application (0, or -1 when the ring
 * is full), take one it sent back (NULL when none). */
int axip_xdp_chan_send(struct axip_xdp_chan *c, void *msg);
void *axip_xdp_chan_recv(struct axip_xdp_chan *c);
/* Worker thread: wake the application thread if it sleeps and messages were
 * sent since the last call (axip_xdp_worker_loop calls it every round). */
void axip_xdp_chan_flush(struct axip_xdp_chan *c);

/* Application thread: take a message from the worker (NULL when none), send
 * one to it (0, or -1 when full); flush wakes the worker if anything was sent
 * since the last flush (one wake-up per batch). */
void *axip_xdp_app_recv(struct axip_xdp_chan *c);
int axip_xdp_app_send(struct axip_xdp_chan *c, void *msg);
void axip_xdp_app_flush(struct axip_xdp_chan *c);

/* ---- blocking on sockets (<axip/sock.h>) ---- */

/*
 * The socket calls never block. These wait the way their POSIX namesakes do,
 * by driving the worker in the calling thread (receive batches, timers,
 * channel notifications; sleeping in axip_xdp_wait in between) until the
 * condition holds, timeout_ms passes (-1 = no limit; 0 = one round, then
 * answer) or axip_xdp_stop() is called. Call them from the worker's thread,
 * the only one that touches its instance: the instance runs while they wait,
 * so callbacks and other sockets' traffic go on meanwhile. What was queued
 * before the call is flushed first.
 *
 * axip_xdp_sock_wait: until fd is ready for one of `events` (AXIP_EV_*;
 * AXIP_EV_ERR and AXIP_EV_HUP always count). Returns the ready bits (> 0),
 * 0 when the time is up, -AXIP_EBADF for a bad descriptor, -AXIP_EINTR after
 * axip_xdp_stop().
 * axip_xdp_sock_poll: axip_sock_poll over fds[0..n) (revents filled); returns
 * how many entries have revents, 0, or -AXIP_EINTR.
 * axip_xdp_epoll_wait: axip_epoll_wait on the interest set epfd; returns the
 * events stored in ev[0..max), 0, -AXIP_EINTR, or axip_epoll_wait's error.
 */
int axip_xdp_sock_wait(struct axip_xdp_worker *w, int fd, unsigned events, int timeout_ms);
int axip_xdp_sock_poll(struct axip_xdp_worker *w, struct axip_pollfd *fds, unsigned n,
                       int timeout_ms);
int axip_xdp_epoll_wait(struct axip_xdp_worker *w, int epfd, struct axip_epoll_event *ev,
                        int max, int timeout_ms);

/* ---- observability ---- */

/* Counters are printed only where the embedder asks, to the FILE it gives. */
/* Every worker's core counters (non-zero only), backend counters, then the
 * steering counters (after the worker threads ended). */
void axip_xdp_print_counters(struct axip_xdp *x, FILE *f);
/* One worker's counters (from its own thread). */
void axip_xdp_worker_print_counters(struct axip_xdp_worker *w, FILE *f);
/* The steering program's counters and rule hits (from any thread). */
void axip_xdp_print_steering(struct axip_xdp *x, FILE *f);

#endif
