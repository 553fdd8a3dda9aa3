/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_cc.h - pluggable congestion control, counted in bytes.
 *
 * The TCP engine owns struct tcp_cc_state and calls the algorithm's hooks;
 * algorithms only read/write the state (cwnd, ssthresh and their private
 * fields). One ops table per algorithm: tcp_cc_newreno.c (RFC 5681 +
 * RFC 6582) and tcp_cc_cubic.c (RFC 9438). No floating point, no 64-bit
 * division (the core must build for 32-bit targets without libgcc helpers).
 */
#ifndef AXIP_TCP_CC_H
#define AXIP_TCP_CC_H

#include "../include/axip/types.h"

struct tcp_cc_state {
	axip_u32 cwnd;          /* bytes */
	axip_u32 ssthresh;      /* bytes; 0x7fffffff = "infinite" initially */
	axip_u32 mss;           /* sender MSS (SMSS), bytes */
	axip_u32 bytes_acked;   /* RFC 3465 appropriate byte counting accumulator */
	/* CUBIC (RFC 9438) private state */
	axip_u32 w_max;         /* bytes, cwnd before the last reduction */
	axip_u32 w_last_max;    /* for fast convergence */
	axip_u32 k_ms;          /* K, milliseconds */
	axip_time_ns epoch_start; /* 0 = no epoch */
	axip_u32 w_est;         /* Reno-friendly estimate, bytes */
	axip_u32 origin_point;  /* bytes */
	axip_u32 w_est_acked;   /* CUBIC: bytes acked not yet credited to w_est */
};

/* Upper bound on cwnd: the largest window TCP can advertise (RFC 7323 2.3). */
#define TCP_CC_CWND_MAX 0x40000000u

struct tcp_cc_ops {
	const char *name;
	/* Connection established: set the initial window (RFC 6928: min(10*MSS,
	 * max(2*MSS, 14600))) and ssthresh. */
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
};

extern const struct tcp_cc_ops tcp_cc_newreno;
extern const struct tcp_cc_ops tcp_cc_cubic;

/* ops for enum axip_tcp_cc; NULL for an unknown value */
const struct tcp_cc_ops *tcp_cc_get(axip_u32 id);

#endif
