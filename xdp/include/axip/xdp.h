/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/xdp.h - run axip instances on a Linux interface through AF_XDP.
 *
 * One attachment (struct axip_xdp) owns the XDP steering program on one
 * interface and one worker per receive queue. Each worker has its own AF_XDP
 * socket, its own UMEM (whose frames are the core's packet buffers, never
 * copied) and its own axip instance; workers share nothing mutable.
 *
 * Typical use (see examples/axip-udp-echo.c):
 *   struct axip_xdp_opts o; axip_xdp_opts_defaults(&o); o.ifname = "eth0";
 *   axip_xdp_open(&o, &x, err, sizeof err);          attach, sockets, stacks
 *   axip_xdp_add_rule(x, IPPROTO_UDP, 7);            steer a listener port
 *   axip_xdp_run(x, setup, arg);                     threads; returns on signal
 *   axip_xdp_close(x);                               detach, free
 *
 * Or drive a worker yourself with the loop's building blocks:
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

struct axip_xdp_opts {
	const char *ifname;        /* required */
	unsigned n_queues;         /* workers, bound to queues 0..n-1; default 1 */
	int cores[AXIP_XDP_MAX_WORKERS]; /* CPU of worker i; -1 = not pinned (default: i % CPUs) */
	int busy_poll;             /* spin on the rings with SO_PREFER_BUSY_POLL; default 0 */
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
	uint16_t port_lo, port_hi; /* local ports of axip's own connections; default 61000-61999,
	                              reserved in the kernel (net.ipv4.ip_local_reserved_ports) */
	const char *pcap_path;     /* write received and sent frames here; NULL = off */
	int verbose;               /* libxdp/libbpf diagnostics to stderr */
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
 * workers' UMEMs, sockets and instances. Threads are not started. On error
 * returns a negative errno value and writes a one-line message to err; the
 * interface is left as found.
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

/* Steer (proto, local port) to axip: IPPROTO_TCP or IPPROTO_UDP. */
int axip_xdp_add_rule(struct axip_xdp *x, uint8_t proto, uint16_t port);
int axip_xdp_del_rule(struct axip_xdp *x, uint8_t proto, uint16_t port);

unsigned axip_xdp_n_workers(const struct axip_xdp *x);
struct axip_xdp_worker *axip_xdp_worker(struct axip_xdp *x, unsigned i);
struct axip_stack *axip_xdp_worker_stack(struct axip_xdp_worker *w);
unsigned axip_xdp_worker_index(const struct axip_xdp_worker *w);
/* The attachment a worker belongs to. */
struct axip_xdp *axip_xdp_worker_parent(struct axip_xdp_worker *w);
/* The instance's address (host order) and the interface name. */
uint32_t axip_xdp_addr(const struct axip_xdp *x);
const char *axip_xdp_ifname(const struct axip_xdp *x);
/* What the backend uses, for a one-line summary ("sg on, csum sw, rx-hash on, ..."). */
void axip_xdp_describe(const struct axip_xdp *x, char *buf, size_t len);
/* Attach mode in effect: "native" or "generic", and whether libxdp's dispatcher is used. */
const char *axip_xdp_mode_name(const struct axip_xdp *x);
int axip_xdp_uses_dispatcher(const struct axip_xdp *x);

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
 * called (busy-poll mode: returns at once). */
void axip_xdp_wait(struct axip_xdp_worker *w, axip_time_ns deadline);
/* Wake a worker from another thread or a signal handler (async-signal-safe). */
void axip_xdp_wake(struct axip_xdp_worker *w);

/* ---- the ready loop ---- */

/*
 * Called once in each worker's thread before its loop starts, to open
 * sockets/listeners on the worker's instance. Non-zero stops everything.
 */
typedef int (*axip_xdp_setup_fn)(struct axip_xdp_worker *w, void *arg);

/*
 * Start one thread per worker (pinned to its core) that runs setup and then
 * receive/timers/wait until axip_xdp_stop(). SIGINT and SIGTERM stop, SIGUSR1
 * prints every worker's counters to stderr; the calling thread handles these
 * signals and returns 0 after a stop (or a negative errno value if a worker
 * failed). Counters are printed on return.
 */
int axip_xdp_run(struct axip_xdp *x, axip_xdp_setup_fn setup, void *arg);
/* Everything an application can hook into the ready loop; NULL = unused. */
struct axip_xdp_hooks {
	axip_xdp_setup_fn setup;   /* worker thread, before its loop (non-zero stops all) */
	/* worker thread, every tick_ns of the stack's clock (tick_ns 0 = never) */
	void (*tick)(struct axip_xdp_worker *w, axip_time_ns now, void *arg);
	axip_time_ns tick_ns;
	/* worker thread, on SIGUSR1 and after the loop: print application counters */
	void (*dump)(struct axip_xdp_worker *w, FILE *f, void *arg);
	/* worker thread, after the loop and its last dump: release what setup made */
	void (*teardown)(struct axip_xdp_worker *w, void *arg);
};

/* axip_xdp_run with every hook. */
int axip_xdp_run_hooks(struct axip_xdp *x, const struct axip_xdp_hooks *h, void *arg);

/* Ask every worker loop to return (thread- and async-signal-safe). */
void axip_xdp_stop(struct axip_xdp *x);

/* ---- observability ---- */

/* Print core counters (non-zero only), backend counters and steering rule hits. */
void axip_xdp_print_counters(struct axip_xdp *x, FILE *f);
/* One worker's counters (from its own thread). */
void axip_xdp_worker_print_counters(struct axip_xdp_worker *w, FILE *f);

#endif
