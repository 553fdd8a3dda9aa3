/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_cc_newreno.c - NewReno congestion control, counted in bytes.
 *
 * Slow start and congestion avoidance: RFC 5681 section 3.1, with
 * appropriate byte counting (RFC 3465, L = 2*SMSS in slow start). Windows on
 * entering and leaving fast recovery: RFC 6582 section 3.2 (the engine
 * inflates cwnd by SMSS per duplicate ACK during recovery). Initial window:
 * RFC 6928. Restart after idle: RFC 5681 section 4.1.
 */
#include "tcp_cc.h"
#include "util.h"
#include "wire.h"

#define SSTHRESH_INFINITE 0x7fffffffu
#define DEFAULT_SMSS 536u /* RFC 9293 section 3.7.1 */

/* RFC 6928 section 2: IW = min(10*MSS, max(2*MSS, 14600)). */
static axip_u32 initial_window(axip_u32 mss)
{
	return min_u32(10u * mss, max_u32(2u * mss, 14600u));
}

/* RFC 5681 equation (4): ssthresh = max(FlightSize / 2, 2*SMSS). */
static axip_u32 half_flight(const struct tcp_cc_state *cc, axip_u32 in_flight)
{
	return max_u32(in_flight / 2u, 2u * cc->mss);
}

static void newreno_init(struct tcp_cc_state *cc, axip_u32 mss)
{
	mem_zero(cc, sizeof(*cc));
	/* An SMSS of 0 would stall every formula; it means "not negotiated". */
	cc->mss = mss ? mss : DEFAULT_SMSS;
	cc->cwnd = initial_window(cc->mss);
	/* RFC 5681 section 3.1: the initial ssthresh is arbitrarily high. */
	cc->ssthresh = SSTHRESH_INFINITE;
}

static void newreno_on_ack(struct tcp_cc_state *cc, axip_u32 acked, axip_u32 in_flight,
                           axip_u32 srtt_us, axip_time_ns now)
{
	(void)srtt_us;
	(void)now;
	/* RFC 7661 section 4.3: with less than half the window in use the window
	 * is not validated and is not increased. */
	if (in_flight < cc->cwnd / 2u)
		return;
	if (cc->cwnd < cc->ssthresh) {
		/* RFC 5681 section 3.1 slow start with RFC 3465 section 2.2 byte
		 * counting: cwnd += min(N, L*SMSS), L = 2; stops at ssthresh. */
		axip_u32 limit = min_u32(cc->ssthresh, TCP_CC_CWND_MAX);
		if (cc->cwnd < limit)
			cc->cwnd = min_u32(cc->cwnd + min_u32(acked, 2u * cc->mss), limit);
		return;
	}
	/* RFC 5681 section 3.1 congestion avoidance, byte counting as
	 * recommended there and in RFC 3465 section 2.1: one SMSS per cwnd
	 * bytes acknowledged, i.e. SMSS*SMSS/cwnd per SMSS acknowledged. */
	cc->bytes_acked += acked;
	if (cc->bytes_acked >= cc->cwnd) {
		cc->bytes_acked -= cc->cwnd;
		cc->cwnd = min_u32(cc->cwnd + cc->mss, TCP_CC_CWND_MAX);
	}
	/* At most one SMSS per ACK; a stretch ACK's excess carries over by at
	 * most one window. */
	cc->bytes_acked = min_u32(cc->bytes_acked, cc->cwnd);
}

static void newreno_on_loss(struct tcp_cc_state *cc, axip_u32 in_flight, axip_time_ns now)
{
	(void)now;
	/* RFC 6582 section 3.2 step 2 (RFC 5681 section 3.2 step 2): ssthresh
	 * per equation (4). cwnd = ssthresh; the "+ 3*SMSS" of step 2 and the
	 * per-dupack inflation of step 3 are the engine's separate inflation
	 * term, which SACK recovery (RFC 6675 section 5 step 4: cwnd =
	 * ssthresh) does not use and full-ACK deflation simply drops. */
	cc->ssthresh = half_flight(cc, in_flight);
	cc->cwnd = cc->ssthresh;
	cc->bytes_acked = 0;
}

static void newreno_on_recovery_end(struct tcp_cc_state *cc, axip_u32 in_flight)
{
	/* RFC 6582 section 3.2 step 3, option (1): cwnd = min(ssthresh,
	 * max(FlightSize, SMSS) + SMSS). Unlike option (2), cwnd = ssthresh, it
	 * cannot release a burst when little data is outstanding. */
	cc->cwnd = min_u32(cc->ssthresh, max_u32(in_flight, cc->mss) + cc->mss);
	cc->bytes_acked = 0;
}

static void newreno_on_rto(struct tcp_cc_state *cc, axip_u32 in_flight, axip_time_ns now)
{
	(void)now;
	/* RFC 5681 section 3.1: when the segment was already retransmitted by
	 * the timer, ssthresh is held constant. cwnd is still the loss window
	 * exactly when no new data was acknowledged since the last timeout. */
	if (cc->cwnd > cc->mss)
		cc->ssthresh = half_flight(cc, in_flight);
	/* RFC 5681 section 3.1: cwnd = loss window = 1 SMSS. */
	cc->cwnd = cc->mss;
	cc->bytes_acked = 0;
}

static void newreno_on_idle(struct tcp_cc_state *cc)
{
	/* RFC 5681 section 4.1: restart window RW = min(IW, cwnd). */
	cc->cwnd = min_u32(cc->cwnd, initial_window(cc->mss));
	cc->bytes_acked = 0;
}

const struct tcp_cc_ops tcp_cc_newreno = {
	"newreno",
	0, /* priv_size */
	newreno_init,
	newreno_on_ack,
	newreno_on_loss,
	newreno_on_recovery_end,
	newreno_on_rto,
	newreno_on_idle,
	AXIP_NULL, /* on_switch: no private state, nothing to restart */
};
