/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_cc.h - pluggable congestion control, counted in bytes (tcp_cc.c: the
 * table of algorithms; tcp_cc_<name>.c: one algorithm each).
 *
 * The TCP engine owns a struct tcp_cc_state per connection and calls the
 * algorithm only through its struct tcp_cc_ops. The generic state holds
 * what every algorithm and the engine share (cwnd, ssthresh, SMSS, the byte
 * counting accumulator); anything else an algorithm keeps lives in `priv`,
 * typed by a struct defined in the algorithm's own file (TCP_CC_PRIV). No
 * floating point, no 64-bit division (the core must build for 32-bit
 * targets without libgcc helpers).
 *
 * Adding an algorithm: a new tcp_cc_<name>.c defining `const struct
 * tcp_cc_ops tcp_cc_<name>`, one line in TCP_CC_ALGORITHMS below, and its
 * value in enum axip_tcp_cc (include/axip/tcp.h). Nothing else names it.
 */
#ifndef AXIP_TCP_CC_H
#define AXIP_TCP_CC_H

#include "../include/axip/types.h"
#include "../include/axip/tcp.h"

/* Bytes of private state an algorithm may keep per connection. */
#define TCP_CC_PRIV_BYTES 32u

struct tcp_cc_state {
	axip_u32 cwnd;          /* bytes */
	axip_u32 ssthresh;      /* bytes; 0x7fffffff = "infinite" initially */
	axip_u32 mss;           /* sender MSS (SMSS), bytes */
	axip_u32 bytes_acked;   /* RFC 3465 appropriate byte counting accumulator */
	/* the algorithm's own state: see TCP_CC_PRIV; zeroed by init */
	axip_u64 priv[TCP_CC_PRIV_BYTES / 8u];
};

/* The private state of `cc` as the algorithm's own struct `type` (at most
 * TCP_CC_PRIV_BYTES; TCP_CC_PRIV_CHECK checks that at compile time). */
#define TCP_CC_PRIV(type, cc) ((type *)(void *)(cc)->priv)
#define TCP_CC_PRIV_CHECK(type, tag) \
	typedef char tcp_cc_priv_fits_##tag[sizeof(type) <= TCP_CC_PRIV_BYTES ? 1 : -1]

/* Upper bound on cwnd: the largest window TCP can advertise (RFC 7323 2.3). */
#define TCP_CC_CWND_MAX 0x40000000u

struct tcp_cc_ops {
	const char *name;
	/* Bytes of `priv` the algorithm uses (0: none). */
	axip_u32 priv_size;
	/* Connection established: zero the whole state (priv included), set the
	 * initial window (RFC 6928: min(10*MSS, max(2*MSS, 14600))) and ssthresh. */
	void (*init)(struct tcp_cc_state *cc, axip_u32 mss);
	/* New data acknowledged outside recovery. `acked` bytes newly acked,
	 * `in_flight` bytes outstanding before this ACK, srtt in microseconds
	 * (0 if unknown), `now` the time. cwnd grows only while in_flight is at
	 * least cwnd/2 (RFC 7661 4.3: an application-limited window is not grown). */
	void (*on_ack)(struct tcp_cc_state *cc, axip_u32 acked, axip_u32 in_flight,
	               axip_u32 srtt_us, axip_time_ns now);
	/* Loss detected by dupacks/SACK (entering fast recovery): set ssthresh
	 * and cwnd for recovery. `in_flight` = FlightSize. Both algorithms set
	 * cwnd = ssthresh; NewReno's 3*SMSS / per-dupack inflation (RFC 6582
	 * 3.2) is the engine's, kept outside cwnd. */
	void (*on_loss)(struct tcp_cc_state *cc, axip_u32 in_flight, axip_time_ns now);
	/* Recovery finished (RFC 6582 full ACK): deflate cwnd. */
	void (*on_recovery_end)(struct tcp_cc_state *cc, axip_u32 in_flight);
	/* Retransmission timeout (RFC 5681 eq. 4): ssthresh = max(FlightSize/2,
	 * 2*SMSS), cwnd = 1 SMSS (loss window). */
	void (*on_rto)(struct tcp_cc_state *cc, axip_u32 in_flight, axip_time_ns now);
	/* Idle restart (RFC 5681 4.1): after an idle period longer than the RTO. */
	void (*on_idle)(struct tcp_cc_state *cc);
	/* The connection switched to this algorithm (AXIP_TCP_OPT_CC) after
	 * init: go on from cwnd and ssthresh as they are. `priv` holds what this
	 * algorithm left there, or zeros (tcp_cc_switch). May be NULL. */
	void (*on_switch)(struct tcp_cc_state *cc);
};

/*
 * The algorithms: X(enum axip_tcp_cc value, ops). The one list: it declares
 * the ops below and makes the table tcp_cc_get() searches (tcp_cc.c).
 */
#define TCP_CC_ALGORITHMS(X)                  \
	X(AXIP_TCP_CC_CUBIC, tcp_cc_cubic)     \
	X(AXIP_TCP_CC_NEWRENO, tcp_cc_newreno)

#define TCP_CC_DECLARE(id, ops) extern const struct tcp_cc_ops ops;
TCP_CC_ALGORITHMS(TCP_CC_DECLARE)
#undef TCP_CC_DECLARE

/* ops for enum axip_tcp_cc; NULL for a value not in the table. */
const struct tcp_cc_ops *tcp_cc_get(axip_u32 id);

/*
 * Switch a connection's state from algorithm `from` to `to` mid-flight.
 * `*priv_owner` is the ops whose private state `priv` holds (NULL: none);
 * private state of another algorithm is zeroed before `to` takes it over.
 */
void tcp_cc_switch(struct tcp_cc_state *cc, const struct tcp_cc_ops **priv_owner,
                   const struct tcp_cc_ops *to);

#endif
