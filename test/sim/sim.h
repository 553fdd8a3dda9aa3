/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sim.h - deterministic simulated link joining axip instances in one process.
 *
 * A sim holds N hosts (2 by default) on one Ethernet segment with a virtual
 * clock. Each host is an axip instance with its own buffer pool (malloc'd
 * buffers with reference counts, so leaks are countable). Frames sent by a
 * host are delivered to the others after `delay_ns` (+ jitter), subject to
 * seeded impairments. Everything is driven by sim_run*(): no threads, no
 * wall-clock time, so a run is exactly reproducible from its seed.
 *
 * Host i (0-based) gets MAC 02:00:00:00:00:(i+1) and address 10.0.0.(i+1)/24
 * unless the cfg hook changes them.
 */
#ifndef AXIP_SIM_H
#define AXIP_SIM_H

#include <axip/axip.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_HOSTS 8

struct sim;

/* Impairments, in parts per million of frames, applied independently per
 * frame and per receiving host. */
struct sim_impair {
	uint32_t drop_ppm;
	uint32_t dup_ppm;
	uint32_t reorder_ppm;     /* frame gets an extra reorder_delay_ns */
	uint32_t corrupt_ppm;     /* one random bit flipped anywhere in the frame */
	axip_time_ns delay_ns;    /* base one-way delay, default 10 us */
	axip_time_ns jitter_ns;   /* uniform extra 0..jitter_ns */
	axip_time_ns reorder_delay_ns; /* default 3 x delay_ns */
	uint64_t rate_bps;        /* serialisation rate per sender, 0 = infinite */
};

struct sim_params {
	uint32_t n_hosts;                  /* 2 if 0 */
	uint64_t seed;
	struct sim_impair impair;
	uint32_t buf_size;                 /* bytes per buffer, default 2048 */
	uint32_t bufs_per_host;            /* default 16384 */
	uint32_t caps[SIM_MAX_HOSTS];      /* env caps per host; the sim performs the
	                                      offloads it announces (TX csum, SG, TSO;
	                                      RX csum verdicts) */
	/* Optional: adjust host i's configuration before init (defaults applied first). */
	void (*cfg_hook)(void *arg, uint32_t host, struct axip_config *cfg);
	void *cfg_arg;
	/* Most bytes per RX buffer: a longer frame reaches axip_rx() as several
	 * buffers chained with AXIP_RX_MORE. 0 = one buffer per frame (frames
	 * longer than buf_size - 256 are split regardless). */
	uint32_t rx_split;
	/* Like an AF_XDP backend short of UMEM frames: a frame that reaches a
	 * host while fewer than rx_low_buf of its buffers are free is marked
	 * AXIP_PKT_RX_LOW_BUF. 0 = never. */
	uint32_t rx_low_buf;
	/* Like a NIC with RSS: unfragmented IPv4 TCP/UDP frames carry a hash
	 * of their addresses and ports in rx_hash (0 = no hash). */
	int rx_hash;
};

/* What the wire did, for tests of the impairments themselves. */
struct sim_stats {
	uint64_t frames_tx;        /* frames read from the hosts' TX rings */
	uint64_t frames_delivered; /* frames handed to a receiving host */
	uint64_t dropped, duplicated, reordered, corrupted; /* per receiving host */
	uint64_t tap_dropped;      /* the tap returned 0 */
	uint64_t rx_nobuf;         /* receiver had no buffer: frame lost */
	uint64_t tx_rejected;      /* chain refused because SG was not announced */
};
void sim_get_stats(const struct sim *sim, struct sim_stats *out);
uint32_t sim_n_hosts(const struct sim *sim);

/* Create a sim; aborts the test process (with a message) on failure. */
struct sim *sim_new(const struct sim_params *p);
void sim_free(struct sim *sim);

struct axip_stack *sim_stack(struct sim *sim, uint32_t host);
axip_time_ns sim_now(const struct sim *sim);
/* Change impairments in the middle of a run. */
void sim_set_impair(struct sim *sim, const struct sim_impair *im);

/* Advance virtual time by `dt`, delivering frames and running timers. */
void sim_run(struct sim *sim, axip_time_ns dt);
/* Run until cond(arg) is true (checked after every event) or `max` virtual
 * time passed. Returns 1 if cond became true. */
int sim_run_until(struct sim *sim, int (*cond)(void *arg), void *arg, axip_time_ns max);

/* Tap: called for every frame on the wire before impairments, with the
 * sender's index. Return 0 to drop it; may modify bytes and *len (shorter only). */
typedef int (*sim_tap_fn)(void *arg, uint32_t from, uint8_t *frame, uint32_t *len);
void sim_set_tap(struct sim *sim, sim_tap_fn fn, void *arg);

/* Receive-side observer: called for every frame as it is handed to host
 * `to` (after impairments, in delivery order), with the delivery time. */
typedef void (*sim_rx_tap_fn)(void *arg, uint32_t to, const uint8_t *frame, uint32_t len,
                              axip_time_ns time);
void sim_set_rx_tap(struct sim *sim, sim_rx_tap_fn fn, void *arg);

/* Deliver a crafted frame to `host` at the current time (copied). */
void sim_inject(struct sim *sim, uint32_t host, const void *frame, uint32_t len);

/* Frames the sim captured as sent by `host` since the last call to
 * sim_take_sent(): copies up to `max` frames into a caller array of
 * struct sim_frame; returns how many. Capture is on when enabled. */
struct sim_frame {
	uint8_t data[9300];
	uint32_t len;
	uint32_t from;
	axip_time_ns time;
};
void sim_capture(struct sim *sim, int on);
uint32_t sim_take_sent(struct sim *sim, uint32_t host, struct sim_frame *out, uint32_t max);

/* Buffers of `host` currently allocated (held by the stack, the app, or in flight). */
uint32_t sim_bufs_in_use(const struct sim *sim, uint32_t host);
/* Frames on the wire not yet delivered. */
uint32_t sim_in_flight(const struct sim *sim);

/* Optional pcap output of every frame on the wire (for debugging). */
int sim_pcap_open(struct sim *sim, const char *path);

/* A standalone environment with malloc'd, refcounted buffers and a capture of
 * everything transmitted, for unit tests that drive one instance by hand. */
struct sim_single;
struct sim_single *sim_single_new(const struct axip_config *cfg, uint32_t caps);
struct axip_stack *sim_single_stack(struct sim_single *h);
/* Feed one frame (copied into a fresh buffer) to the instance at `now`. */
void sim_single_rx(struct sim_single *h, const void *frame, uint32_t len, axip_time_ns now);
/* The same, split into buffers of at most `split` bytes chained with AXIP_RX_MORE. */
void sim_single_rx_split(struct sim_single *h, const void *frame, uint32_t len, axip_time_ns now,
                         uint32_t split);
/* axip_poll() at `now` (frames sent by timers are then in the TX FIFO). */
axip_time_ns sim_single_poll(struct sim_single *h, axip_time_ns now);
/* Pop the oldest transmitted frame: returns its length (0 if none) and copies
 * up to `max` bytes. */
uint32_t sim_single_tx_pop(struct sim_single *h, void *out, uint32_t max);
uint32_t sim_single_tx_count(const struct sim_single *h);
uint32_t sim_single_bufs_in_use(const struct sim_single *h);
void sim_single_free(struct sim_single *h);

/* Helpers to build frames for crafted-input tests (return total length).
 * eth+ipv4 header around `l4` bytes, computing the IPv4 header checksum. */
uint32_t sim_build_ipv4(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                        uint32_t src, uint32_t dst, uint8_t proto, const void *l4, uint32_t l4_len);
/* eth+ipv4+ICMP echo request (type 8) with `len` payload bytes, ICMP checksum filled. */
uint32_t sim_build_icmp_echo(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                             uint32_t src, uint32_t dst, uint16_t id, uint16_t seq,
                             const void *payload, uint32_t len);
/* eth+ipv4+UDP with `len` payload bytes; the UDP checksum is filled when
 * with_csum, else 0 (none). */
uint32_t sim_build_udp(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                       uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                       const void *payload, uint32_t len, int with_csum);
/* A TCP segment for sim_build_tcp(): `optlen` option bytes, padded with
 * zeros (end of options) to a multiple of 4, then `len` payload bytes. */
struct sim_tcp_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opts;
	uint32_t optlen;
	const void *payload;
	uint32_t len;
};
/* eth+ipv4+TCP from src to dst, the IPv4 and TCP checksums filled. */
uint32_t sim_build_tcp(uint8_t *out, const uint8_t dst_mac[6], const uint8_t src_mac[6],
                       uint32_t src, uint32_t dst, const struct sim_tcp_seg *seg);
/* MAC and address of host i under the default configuration. */
void sim_host_mac(uint32_t host, uint8_t mac[6]);
uint32_t sim_host_ip(uint32_t host);
/* RFC 1071 reference checksum, byte at a time (independent of the core's). */
uint16_t sim_ref_csum(const void *data, size_t len, uint32_t initial);

#endif
