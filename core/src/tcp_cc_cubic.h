/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_cc_cubic.h - CUBIC's private per-connection state (tcp_cc_cubic.c),
 * kept in struct tcp_cc_state's `priv`. Only tcp_cc_cubic.c and its unit
 * test include this; the engine never sees these fields.
 */
#ifndef AXIP_TCP_CC_CUBIC_H
#define AXIP_TCP_CC_CUBIC_H

#include "tcp_cc.h"

struct tcp_cubic {
	axip_time_ns epoch_start; /* start of the congestion avoidance stage, 0 = no epoch */
	axip_u32 w_max;           /* bytes, cwnd before the last reduction (cwnd_prior) */
	axip_u32 w_last_max;      /* W_max of the curve, after fast convergence */
	axip_u32 k_ms;            /* K, milliseconds */
	axip_u32 w_est;           /* Reno-friendly estimate, bytes */
	axip_u32 origin_point;    /* the plateau of the epoch's curve, bytes */
	axip_u32 w_est_acked;     /* bytes acked not yet credited to w_est */
};

static inline struct tcp_cubic *tcp_cubic(struct tcp_cc_state *cc)
{
	return TCP_CC_PRIV(struct tcp_cubic, cc);
}

#endif
