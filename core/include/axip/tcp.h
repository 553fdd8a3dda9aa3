/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/tcp.h - TCP connections and listeners.
 *
 * Event model: the core calls the application back synchronously from inside
 * axip_rx()/axip_poll() (and from API calls where noted); callbacks may call
 * any function here, including send and close on the same connection.
 *
 * Handles: a struct axip_tcp * is valid from the moment connect/accept gives
 * it until its `closed` callback returns. After that the memory is reused.
 */
#ifndef AXIP_TCP_H
#define AXIP_TCP_H

#include "types.h"
#include "pkt.h"

struct axip_stack;
struct axip_tcp;
struct axip_tcp_listener;

/* Congestion control algorithms (struct axip_tcp_opts.cc, AXIP_TCP_OPT_CC,
 * axip_config.tcp_cc). Each value is registered with its implementation in
 * the core's table (core/src/tcp_cc.h); values not there are rejected. */
enum axip_tcp_cc { AXIP_TCP_CC_CUBIC = 0, AXIP_TCP_CC_NEWRENO = 1 };

struct axip_tcp_callbacks {
	/* Active open completed (SYN-SENT -> ESTABLISHED). May be NULL. */
	void (*connected)(void *arg, struct axip_tcp *c);
	/*
	 * In-order data, zero-copy: `data` is an sg chain of views into received
	 * buffers. The callback OWNS `data` and releases it with axip_pkt_free()
	 * whenever it likes. Independently, it reports consumed bytes with
	 * axip_tcp_recved(); the advertised window only reopens by what was
	 * reported, so the application bounds what it holds.
	 */
	void (*recv)(void *arg, struct axip_tcp *c, struct axip_pkt *data);
	/* The peer finished sending (FIN received, all data before it delivered). May be NULL. */
	void (*peer_closed)(void *arg, struct axip_tcp *c);
	/* `acked` bytes left the send buffer (acknowledged); space is available. May be NULL. */
	void (*sent)(void *arg, struct axip_tcp *c, axip_u32 acked);
	/*
	 * The connection is gone: err is AXIP_OK after a graceful close,
	 * AXIP_E_RESET, AXIP_E_REFUSED, AXIP_E_TIMEDOUT, AXIP_E_UNREACH or
	 * AXIP_E_ABORTED otherwise. The handle is invalid once this returns.
	 * Buffers the application still holds from recv stay its own.
	 */
	void (*closed)(void *arg, struct axip_tcp *c, int err);
};

/*
 * Listener callback for a new connection (handshake complete). Return AXIP_OK
 * and set *cb and *arg to take it; any other value resets the connection.
 */
typedef int (*axip_tcp_accept_fn)(void *listener_arg, struct axip_tcp *c,
                                  const struct axip_tcp_callbacks **cb, void **arg);

/* Per-connection options; NULL in connect means the instance defaults. */
struct axip_tcp_opts {
	axip_u8 nodelay;      /* 1 = Nagle off */
	axip_u8 keepalive;    /* 1 = keepalive on */
	axip_u8 cc;           /* enum axip_tcp_cc */
	axip_u32 sndbuf;      /* bytes; 0 = instance default */
	axip_u32 rcvbuf;      /* bytes; 0 = instance default */
	axip_time_ns keepalive_idle_ns;   /* default 2 h */
	axip_time_ns keepalive_intvl_ns;  /* default 75 s */
	axip_u32 keepalive_probes;        /* default 9 */
	axip_u16 mss;                     /* cap on the MSS (TCP_MAXSEG), >= 88; 0 = from the MTU */
};
void axip_tcp_opts_defaults(const struct axip_stack *s, struct axip_tcp_opts *o);

/*
 * Listen on local port (addr 0 = all local addresses). backlog 0 means the
 * instance default; beyond it SYNs are answered with SYN cookies.
 * Errors: AXIP_E_INVAL, AXIP_E_ADDRINUSE, AXIP_E_NOMEM.
 */
int axip_tcp_listen(struct axip_stack *s, axip_u32 addr, axip_u16 port, axip_u32 backlog,
                    axip_tcp_accept_fn accept, void *arg, const struct axip_tcp_opts *opts,
                    struct axip_tcp_listener **out);
/*
 * Listen over IPv6 (RFC 8200 8.1) on local port: addr is 16 bytes in network
 * order (include/axip/ipv6.h), NULL or :: for all of the instance's IPv6
 * addresses. IPv4 and IPv6 are separate name spaces (as IPV6_V6ONLY
 * sockets): an IPv6 listener takes no IPv4 segments, and an IPv4 listener on
 * the same port does not conflict with it. addr is copied; the rest as
 * axip_tcp_listen, including SYN cookies beyond the backlog; the connections
 * it hands to `accept` are IPv6 (axip_tcp_family, axip_tcp_get_addr6).
 * Errors: AXIP_E_INVAL (no such local address, port 0, accept or out NULL),
 * AXIP_E_STATE (IPv6 off: cfg.ip6_enable), AXIP_E_ADDRINUSE, AXIP_E_NOMEM.
 */
int axip_tcp_listen6(struct axip_stack *s, const axip_u8 *addr, axip_u16 port, axip_u32 backlog,
                     axip_tcp_accept_fn accept, void *arg, const struct axip_tcp_opts *opts,
                     struct axip_tcp_listener **out);
/* Stop listening. Connections already accepted are unaffected. */
void axip_tcp_listener_close(struct axip_tcp_listener *l);

/*
 * Active open to dst:port from an ephemeral port (RFC 6056). The handle is
 * returned at once; `connected` or `closed` reports the outcome.
 * Errors: AXIP_E_NOMEM (counter tcp_conn_pool_full), AXIP_E_PORTS,
 * AXIP_E_UNREACH (no route), AXIP_E_INVAL.
 */
int axip_tcp_connect(struct axip_stack *s, axip_u32 dst, axip_u16 dst_port,
                     const struct axip_tcp_callbacks *cb, void *arg,
                     const struct axip_tcp_opts *opts, struct axip_tcp **out);
/* Same, from a chosen local port (0 = ephemeral). */
int axip_tcp_connect_from(struct axip_stack *s, axip_u16 src_port, axip_u32 dst, axip_u16 dst_port,
                          const struct axip_tcp_callbacks *cb, void *arg,
                          const struct axip_tcp_opts *opts, struct axip_tcp **out);

/*
 * Active open over IPv6 to dst (16 bytes, network order):dst_port, from src
 * (one of the instance's IPv6 addresses; NULL or :: = selected for dst by
 * RFC 6724, simplified) and src_port (0 = ephemeral, RFC 6056 over the IPv6
 * tuple). The addresses are copied. The MSS announced is the MTU - 60 (IPv6
 * and TCP headers); the segments sent stay within the path MTU (RFC 8201).
 * Otherwise as axip_tcp_connect.
 * Errors: AXIP_E_INVAL (multicast, unspecified or loopback dst, a src that
 * is not ours, port 0, bad options), AXIP_E_STATE (IPv6 off),
 * AXIP_E_UNREACH (no route or no usable source), AXIP_E_ADDRINUSE (the
 * chosen src_port's tuple exists), AXIP_E_PORTS, AXIP_E_NOMEM.
 */
int axip_tcp_connect6(struct axip_stack *s, const axip_u8 *src, axip_u16 src_port,
                      const axip_u8 *dst, axip_u16 dst_port, const struct axip_tcp_callbacks *cb,
                      void *arg, const struct axip_tcp_opts *opts, struct axip_tcp **out);

/* Flags for write/send. */
#define AXIP_TCP_MORE 1u  /* more data follows at once: hold a partial segment (cork) */

/*
 * Copying send: queue up to `len` bytes. Returns the number of bytes queued
 * (possibly fewer than len when the send buffer fills; 0 bytes is
 * AXIP_E_AGAIN) or an error: AXIP_E_NOTCONN, AXIP_E_CLOSED (shut down),
 * AXIP_E_NOBUFS.
 */
int axip_tcp_write(struct axip_tcp *c, const void *data, axip_u32 len, axip_u32 flags);

/*
 * Zero-copy send: queue the payload held by `data` (an sg chain from
 * axip_pkt_alloc() or received buffers). On AXIP_OK the core owns `data`,
 * keeps its buffers for retransmission and frees them when acknowledged. On
 * error (AXIP_E_AGAIN when it does not fit the send buffer, AXIP_E_NOTCONN,
 * AXIP_E_CLOSED) the caller keeps ownership.
 */
int axip_tcp_send(struct axip_tcp *c, struct axip_pkt *data, axip_u32 flags);

/* Bytes the send buffer can take now. */
axip_u32 axip_tcp_sndbuf_free(const struct axip_tcp *c);

/* The application consumed `len` bytes delivered by recv: reopen the window. */
void axip_tcp_recved(struct axip_tcp *c, axip_u32 len);

/*
 * Replace the connection's callbacks and argument (e.g. after accept, or to
 * detach an application that has closed and freed its state: cb NULL means
 * no further callbacks; data still arriving is then released by the core).
 */
void axip_tcp_set_callbacks(struct axip_tcp *c, const struct axip_tcp_callbacks *cb, void *arg);

/* Half close: send FIN after the queued data; receiving continues. */
int axip_tcp_shutdown(struct axip_tcp *c);
/* Graceful close: shutdown, and no more recv callbacks (data arriving later
 * is answered with RST per RFC 9293 3.10.7.4 when the app has closed). */
int axip_tcp_close(struct axip_tcp *c);
/* Abortive close: send RST, drop queues; `closed` is called with AXIP_E_ABORTED. */
void axip_tcp_abort(struct axip_tcp *c);

/* Options of an open connection. Values: NODELAY, KEEPALIVE, CORK 0/1; CC an
 * enum axip_tcp_cc; SNDBUF, RCVBUF bytes; KEEPIDLE, KEEPINTVL seconds
 * (1..32767); KEEPCNT probes (1..127); MAXSEG bytes (88..65535, only before
 * the handshake: AXIP_E_STATE after). CORK 0 sends what the cork held. */
enum axip_tcp_opt { AXIP_TCP_OPT_NODELAY = 1, AXIP_TCP_OPT_KEEPALIVE = 2, AXIP_TCP_OPT_CC = 3,
                    AXIP_TCP_OPT_SNDBUF = 4, AXIP_TCP_OPT_RCVBUF = 5, AXIP_TCP_OPT_CORK = 6,
                    AXIP_TCP_OPT_KEEPIDLE = 7, AXIP_TCP_OPT_KEEPINTVL = 8,
                    AXIP_TCP_OPT_KEEPCNT = 9, AXIP_TCP_OPT_MAXSEG = 10 };
int axip_tcp_setopt(struct axip_tcp *c, int opt, axip_u32 value);

enum axip_tcp_state_id {
	AXIP_TCP_CLOSED = 0, AXIP_TCP_LISTEN, AXIP_TCP_SYN_SENT, AXIP_TCP_SYN_RECEIVED,
	AXIP_TCP_ESTABLISHED, AXIP_TCP_FIN_WAIT_1, AXIP_TCP_FIN_WAIT_2, AXIP_TCP_CLOSE_WAIT,
	AXIP_TCP_CLOSING, AXIP_TCP_LAST_ACK, AXIP_TCP_TIME_WAIT
};

struct axip_tcp_info {
	axip_u32 state;             /* enum axip_tcp_state_id */
	axip_u32 local_addr, remote_addr;
	axip_u16 local_port, remote_port;
	axip_u32 srtt_us, rttvar_us, rto_us;
	axip_u32 cwnd, ssthresh;    /* bytes */
	axip_u32 snd_mss, rcv_mss;
	axip_u32 snd_wnd, rcv_wnd;
	axip_u64 bytes_sent, bytes_acked, bytes_received;
	axip_u64 segs_out, segs_in;
	axip_u32 retransmits, rto_count, fast_retransmits;
	axip_u32 cc;                /* enum axip_tcp_cc */
};
/* Counters and state. local_addr/remote_addr are the IPv4 addresses (host
 * order); 0 for an IPv6 connection (axip_tcp_get_addr6 has its addresses).
 * The ports are filled for both families. */
void axip_tcp_get_info(const struct axip_tcp *c, struct axip_tcp_info *out);
/* The connection's address family: 4 or 6. */
int axip_tcp_family(const struct axip_tcp *c);
/* An IPv6 connection's local and remote addresses (16 bytes each, network
 * order) into the caller's arrays (either may be NULL). AXIP_E_INVAL for an
 * IPv4 connection. */
int axip_tcp_get_addr6(const struct axip_tcp *c, axip_u8 local[16], axip_u8 remote[16]);

#endif
