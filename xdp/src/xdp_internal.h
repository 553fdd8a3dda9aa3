/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xdp_internal.h - the attachment and worker objects of the AF_XDP backend.
 */
#ifndef AXIP_XDP_INTERNAL_H
#define AXIP_XDP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <xdp/xsk.h>
#include <axip/spsc.h>
#include <axip/xdp.h>
#include "nl.h"
#include "steer.h"

/* Backend counters of one worker (printed beside the core's). */
#define AXIP_XDP_COUNTERS(X)                                                           \
	X(rx_frames) X(rx_batches) X(tx_frames) X(tx_kicks)                              \
	X(fill_ring_empty)      /* fill ring found drained after a refill attempt */     \
	X(fill_short)           /* fill ring not refilled: too few free frames */        \
	X(umem_empty)           /* buf_alloc found no free UMEM frame */                 \
	X(tx_ring_full_retries) /* TX ring full: kicked the kernel and retried */         \
	X(tx_drop_stuck)        /* TX ring stayed full for 1 s: frame dropped */          \
	X(tx_drop_bad_buf)      /* frame outside the worker's UMEM: dropped */           \
	X(tx_sg_copied)         /* chain copied into one fresh frame (no SG, > sg max)  */ \
	X(tx_sg_frames)         /* chains sent zero-copy as multi-buffer packets */      \
	X(tx_sg_descs)          /* TX descriptors of those packets */                   \
	X(tx_copy_small)        /* payload <= tx_copy_max copied into the header frame */ \
	X(tx_drop_too_big)      /* chain to copy larger than a frame (or no frame) */    \
	X(tx_csum_offload)      /* L4 checksum requested through TX metadata */         \
	X(tx_csum_sw_fallback)  /* no room for TX metadata: checksum done here */        \
	X(tx_csum_sw_multibuf)  /* kernel-sw checksum mode, multi-buffer: done here */    \
	X(tx_meta_refused)      /* UMEM registration with TX metadata refused */         \
	X(sg_bind_refused)      /* bind with XDP_USE_SG refused: no multi-buffer */      \
	X(rx_multibuf)          /* multi-buffer frames received (one chain each) */     \
	X(rx_drop_partial)      /* multi-buffer frame cut short: dropped */             \
	X(rx_hash)              /* frames with the device's receive hash */             \
	X(rx_drop_bad_desc)     /* RX descriptor outside the UMEM: frame dropped */       \
	X(neigh_updates)        /* neighbour entries taken from the kernel */           \
	X(neigh_resolve_req)    /* kernel asked to resolve a neighbour for the core */      \
	X(addr6_updates)        /* IPv6 addresses taken again from the kernel */          \
	X(handoff_out)          /* frames copied to the worker owning their port */      \
	X(handoff_in)           /* frames taken from other workers */                    \
	X(poll_spins)           /* axip_xdp_wait returned at once within poll_budget_us */ \
	X(poll_sleeps)          /* axip_xdp_wait slept in poll() */                      \
	X(handoff_drop_full)    /* hand-off ring to the owner full: frame dropped */      \
	X(handoff_drop_big)     /* frame longer than a hand-off slot: dropped */          \
	X(frag_core)            /* fragments of axip's datagrams given to the core */     \
	X(frag_held)            /* fragments before their first: held for the verdict */  \
	X(frag_released)        /* held fragments settled once their verdict came */      \
	X(frag_to_kernel)       /* fragments of the kernel's datagrams re-injected */     \
	X(frag_handoff)         /* fragments copied to the worker of their first */       \
	X(frag_no_verdict)      /* fragment with no verdict in the map: to the core */     \
	X(frag_drop_hold_full)  /* hold full (count or bytes): oldest held dropped */      \
	X(frag_drop_expired)    /* held past the reassembly time: dropped */              \
	X(frag_drop_lost)       /* held, verdict evicted from the map: dropped */        \
	X(frag_drop_queue)      /* first fragment on a queue no worker here serves */     \
	X(frag_drop_inject)     /* re-injection into the kernel failed */                \
	X(frag_drop_id0)        /* IPv4 kernel fragment with id 0: cannot be re-injected */

struct xdp_worker_ctr {
#define AXIP_XDP_CTR_FIELD(n) uint64_t n;
	AXIP_XDP_COUNTERS(AXIP_XDP_CTR_FIELD)
#undef AXIP_XDP_CTR_FIELD
};

struct pcap_out;

#define NEIGH_PENDING_MAX 8
/* Most descriptors of one multi-buffer packet: the kernel's copy mode takes
 * 1 + MAX_SKB_FRAGS (17) on TX; RX uses the same bound. */
#define AXIP_XDP_TX_SG_MAX 16u
#define AXIP_XDP_RX_FRAGS_MAX 18u

struct axip_xdp_worker {
	struct axip_xdp *x;
	unsigned idx;
	uint32_t queue;
	int core;

	/* UMEM: frames of frame_size bytes; handle of frame i is (void *)(i + 1) */
	uint8_t *area;
	size_t area_size;
	uint32_t frame_size, frame_shift, n_frames;
	uint32_t *free_stack;   /* LIFO of free frame indexes */
	uint32_t n_free;
	uint16_t *refcnt;
	uint32_t tx_reserve;    /* free frames the fill ring never takes (for TX) */
	uint32_t ring_size;

	uint32_t buf_off;       /* bytes kept free at the start of each frame (TX metadata) */
	uint32_t tx_meta_len;   /* UMEM's TX metadata length; 0 = none (software checksum) */
	uint32_t tx_copy_max;   /* payload bytes up to which a chain is copied */
	int tx_sw_csum;         /* UMEM has XDP_UMEM_TX_SW_CSUM */
	int sg;                 /* bound with XDP_USE_SG: multi-buffer TX and RX */
	uint32_t sg_max;        /* most descriptors per TX packet */
	int rx_meta;            /* the XDP program stores the receive hash */
	int rx_skip_contd;      /* dropping the rest of a multi-buffer packet */

	void *ring_map[4];      /* fill, completion, RX, TX ring mappings */
	size_t ring_len[4];
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	int xsk_fd;
	int ev_fd;              /* eventfd: wakes the worker from axip_xdp_wait */
	int nl_fd;              /* netlink socket subscribed to neighbour events */
	void *nl_sock;          /* struct mnl_socket */
	char *nl_buf;

	struct axip_env env;
	void *stack_mem;
	struct axip_stack *stack;
	struct axip_rx_frame *frames;
	uint32_t batch;
	axip_time_ns spin_ns;   /* adaptive polling budget (0 = off, busy-poll mode: off) */
	axip_time_ns spin_until; /* axip_xdp_wait returns at once until then */

	uint32_t neigh_pending[NEIGH_PENDING_MAX]; /* ARP targets to resolve via the kernel */
	uint32_t n_neigh_pending;
	uint8_t neigh6_pending[NEIGH_PENDING_MAX][16]; /* NS targets to resolve via the kernel */
	uint32_t n_neigh6_pending;
	int addrs6_changed;     /* an IPv6 address event arrived: addrs6_follow */

	struct xdp_worker_ctr ctr;
	struct axip_xdp_chan *chans; /* channels to application threads (chan.c) */
	struct frag_hold *frag_hold; /* held fragments (frag.c); NULL until one is */
};

struct axip_xdp {
	struct axip_xdp_opts o;
	struct nl_ifinfo ifi;
	int xsk_feat_rc;        /* nl_get_xsk_features: 0, or -errno (features unknown) */
	uint64_t xsk_feat;      /* NL_XSK_* bits the device reports */
	uint32_t addr;          /* host order */
	uint8_t prefix;
	int shared4;            /* IPv4 address and neighbours are the kernel's */
	int ip6;                /* IPv6 on */
	int shared6;            /* IPv6 addresses and neighbours are the kernel's */
	struct axip_steer_cfg steer_cfg; /* as last written to the program */
	pthread_mutex_t steer_lock; /* steer_cfg: workers follow addresses in their threads */
	struct steer steer;
	int attached;
	int reserved_ports_set;
	char saved_reserved_ports[4096];
	struct pcap_out *pcap;
	unsigned n_workers;
	uint32_t port_span;     /* reserved ports per worker */
	uint32_t handoff_slot;  /* longest frame a hand-off ring element holds */
	struct axip_spsc *ring[AXIP_XDP_MAX_WORKERS][AXIP_XDP_MAX_WORKERS]; /* [from][to] */
	struct axip_xdp_worker *w[AXIP_XDP_MAX_WORKERS];
	int core[AXIP_XDP_MAX_WORKERS]; /* cores resolved against the allowed CPUs */
	atomic_int stop;
	int stop_fd;            /* eventfd written by axip_xdp_stop */
	int frag_fd4, frag_fd6; /* raw sockets re-injecting the kernel's fragments (frag.c) */
};

/* xsk.c: UMEM, socket and the environment ops over them (prefix axsk_:
 * axip's own, apart from libxdp's xsk_) */
int axsk_worker_open(struct axip_xdp_worker *w, char *err, size_t errlen);
void axsk_worker_close(struct axip_xdp_worker *w);
void axsk_refill(struct axip_xdp_worker *w);
void axsk_reclaim(struct axip_xdp_worker *w);
void axsk_kick(struct axip_xdp_worker *w);
extern const struct axip_env_ops axsk_env_ops;

/* handoff.c: frames for another worker's port slice (active opens), over
 * SPSC rings [from][to] whose elements hold one frame of up to slot_bytes */
struct axip_spsc *handoff_new(uint32_t entries, uint32_t slot_bytes);
/* Move frames [from, n) of w->frames owned by other workers to them;
 * returns how many frames stay (compacted, [0, from) untouched). */
uint32_t handoff_filter_from(struct axip_xdp_worker *w, uint32_t from, uint32_t n);
/* Fill w->frames[0, max) from other workers' rings; returns the count. */
uint32_t handoff_take(struct axip_xdp_worker *w, uint32_t max);
/* Copy one frame (n buffers) into ring h; 0, -1 when full, -2 when too long. */
int handoff_push(struct axip_spsc *h, uint32_t slot, const struct axip_rx_frame *f, uint32_t n);
/* Copy len bytes of a received frame into fresh UMEM frames f[0, max)
 * (chained with AXIP_RX_MORE); returns how many, 0 when frames ran out
 * (none kept). */
uint32_t rx_copy_in(struct axip_xdp_worker *w, const uint8_t *src, uint32_t len,
                    struct axip_rx_frame *f, uint32_t max);

/* frag.c: fragments to a shared address whose datagram the XDP program
 * has not decided yet (held), or decided for the kernel (re-injected) */
int frag_open(struct axip_xdp *x);
void frag_close(struct axip_xdp *x);
/* Filter received frames [from, n) of w->frames: fragments that are not
 * the core's leave; returns how many stay (compacted). */
uint32_t frag_filter(struct axip_xdp_worker *w, uint32_t from, uint32_t n, axip_time_ns now);
/* Settle held fragments whose verdict arrived, drop expired ones. */
void frag_poll(struct axip_xdp_worker *w, axip_time_ns now);
void frag_worker_close(struct axip_xdp_worker *w);

/* pcap.c */
struct pcap_out *pcap_out_open(const char *path, char *err, size_t errlen);
void pcap_out_write(struct pcap_out *p, const uint8_t *data, uint32_t len);
void pcap_out_write_pkt(struct pcap_out *p, const struct axip_pkt *pkt);
/* n received frames; elements with AXIP_RX_MORE continue one record */
void pcap_out_write_frames(struct pcap_out *p, const struct axip_rx_frame *f, uint32_t n);
void pcap_out_close(struct pcap_out *p);

/* chan.c: tell the application threads about what the worker sent */
void chan_flush_all(struct axip_xdp_worker *w);

/* neigh.c: neighbours from the kernel (shared-address mode) */
int neigh_worker_open(struct axip_xdp_worker *w);
void neigh_worker_close(struct axip_xdp_worker *w);
void neigh_seed(struct axip_xdp_worker *w);
void neigh_events(struct axip_xdp_worker *w);
void neigh_note_tx(struct axip_xdp_worker *w, const struct axip_pkt *p);
void neigh_resolve_pending(struct axip_xdp_worker *w);
/* xdp.c: read the interface's IPv6 addresses again and give them to the
 * worker's instance and the steering program (shared IPv6). */
void addrs6_follow(struct axip_xdp_worker *w);

#endif
