/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcp_cc_cubic.c - CUBIC congestion control (RFC 9438), counted in bytes,
 * in integer arithmetic only (no floating point, no 64-bit division).
 *
 * Constants: C = 0.4 segments/s^3, beta_cubic = 7/10, alpha_cubic =
 * 3(1-beta)/(1+beta) = 9/17. Slow start, fast recovery deflation and the
 * idle restart are NewReno's (RFC 9438 sections 4.10 and 4.6 defer to them).
 *
 * Private state (struct tcp_cubic in tcp_cc_cubic.h, kept in the generic
 * state's priv; cwnd, ssthresh, mss and bytes_acked are the generic state's):
 *   w_max        cwnd_prior: cwnd just before the last reduction (4.6)
 *   w_last_max   W_max of the curve, after fast convergence (4.7); 0 after a
 *                timeout, so the next epoch has K = 0 (4.8)
 *   origin_point the plateau of the current epoch's curve, bytes
 *   k_ms         K of the current epoch, milliseconds
 *   epoch_start  start of the current congestion avoidance stage (0: none)
 *   w_est        Reno-friendly estimate W_est (4.3), bytes
 *   bytes_acked / w_est_acked  bytes acknowledged and not yet turned into
 *                growth of cwnd / w_est
 *
 * Time is kept in milliseconds; W_cubic is evaluated as
 *   origin +- mss * 0.4 * |t - K|^3 / 1e9          (t, K in ms)
 * with 0.4e-9 approximated by 1801440 / 2^52 (relative error 1e-7).
 */
#include "tcp_cc_cubic.h"
#include "util.h"

TCP_CC_PRIV_CHECK(struct tcp_cubic, cubic);

#define BETA_NUM 7u   /* beta_cubic = 7/10 */
#define BETA_DEN 10u
#define FC_NUM 17u    /* fast convergence factor (1 + beta_cubic)/2 = 17/20 */
#define FC_DEN 20u
#define INV_ALPHA_NUM 17u /* 1/alpha_cubic = (1 + beta)/(3(1 - beta)) = 17/9 */
#define INV_ALPHA_DEN 9u

/* 0.4e-9 * 2^52: ms^3 -> segments * 2^20 after a shift by 32 */
#define CUBE_FACTOR 1801440u
/* Longest curve offset |t - K| evaluated: 2^21 ms (35 min); beyond it the
 * curve is clamped to [0, TCP_CC_CWND_MAX] anyway. */
#define OFFSET_MAX_MS ((1u << 21) - 1u)
/* Largest K: 2^20 ms; (K ms)^3 below 2^60 keeps the cube root in u64. */
#define K_CUBE_MAX (1ULL << 60)

/* floor(x * num / den), exact in 32 bits while (x / den) * num fits: for the
 * ratios used here (num <= 17, den >= 9) any x <= 2^31. */
static axip_u32 mul_frac(axip_u32 x, axip_u32 num, axip_u32 den)
{
	return (x / den) * num + ((x % den) * num) / den;
}

/* n / d with 32-bit division: both are shifted right until n fits 32 bits,
 * which costs relative precision only when the quotient is huge anyway.
 * Saturates at 0xffffffff when d vanishes. */
static axip_u32 div_u64_u32(axip_u64 n, axip_u32 d)
{
	while (n >> 32) {
		n >>= 1;
		d >>= 1;
	}
	if (!d)
		return 0xffffffffu;
	return (axip_u32)n / d;
}

/* Nearest integer cube root of x < 2^60, by bisection on u64 products. */
static axip_u32 cube_root(axip_u64 x)
{
	axip_u32 lo = 0, hi = 1u << 20; /* invariant: lo^3 <= x < hi^3 */
	while (hi - lo > 1u) {
		axip_u32 mid = lo + ((hi - lo) >> 1);
		if ((axip_u64)mid * mid * mid <= x)
			lo = mid;
		else
			hi = mid;
	}
	/* round: lo + 1/2 <= cbrt(x) <=> (2 lo + 1)^3 <= 8x */
	if ((axip_u64)(2u * lo + 1u) * (2u * lo + 1u) * (2u * lo + 1u) <= x << 3)
		lo++;
	return lo;
}

/*
 * RFC 9438 section 4.2: K = cubic_root((W_max - cwnd_epoch) / C) seconds,
 * in segments. Here diff = W_max - cwnd_epoch in bytes, and K in ms:
 * K^3 = diff/mss * 2.5e9 ms^3. The fraction (diff % mss)/mss is taken to
 * 16 bits; 2.5e9 / 2^16 = 38146.97 is rounded to 38147.
 */
static axip_u32 k_ms(axip_u32 diff, axip_u32 mss)
{
	axip_u32 q = diff / mss, r = diff % mss;
	axip_u64 x = (axip_u64)q * 2500000000u + (axip_u64)((r << 16) / mss) * 38147u;
	return cube_root(x < K_CUBE_MAX ? x : K_CUBE_MAX - 1u);
}

/* mss * 0.4 * off^3 / 1e9 bytes for an offset of off ms, off <= OFFSET_MAX_MS. */
static axip_u64 cubic_delta(axip_u32 off, axip_u32 mss)
{
	axip_u64 cube = (axip_u64)off * off * off; /* < 2^63 */
	axip_u64 segs; /* segments * 2^20, < 2^52 */
	if (cube < (1ULL << 43))
		segs = (cube * CUBE_FACTOR) >> 32;
	else
		segs = ((cube >> 20) * CUBE_FACTOR) >> 12;
	return (segs >> 20) * mss + (((segs & 0xfffffu) * mss) >> 20);
}

/* RFC 9438 equation (1): W_cubic(t) = C*(t - K)^3 + W_max, bytes, t in ms
 * since the epoch start, clamped to [0, TCP_CC_CWND_MAX]. */
static axip_u32 w_cubic(const struct tcp_cubic *cu, axip_u32 mss, axip_u32 t_ms)
{
	axip_u32 off = t_ms >= cu->k_ms ? t_ms - cu->k_ms : cu->k_ms - t_ms;
	axip_u64 delta = cubic_delta(min_u32(off, OFFSET_MAX_MS), mss);
	if (t_ms < cu->k_ms)
		return delta < cu->origin_point ? cu->origin_point - (axip_u32)delta : 0u;
	return delta < TCP_CC_CWND_MAX - cu->origin_point
	           ? cu->origin_point + (axip_u32)delta
	           : TCP_CC_CWND_MAX;
}

/* Milliseconds from `start` to `now`, clamped at 2^41 ns (36 min):
 * ms = (ns >> 10) * 1024 / 1e6, and 2^38 / 1e6 = 274877.9 is rounded up. */
static axip_u32 elapsed_ms(axip_time_ns now, axip_time_ns start)
{
	axip_time_ns d;
	if (now <= start)
		return 0;
	d = now - start;
	if (d >> 41)
		d = (1ULL << 41) - 1u;
	return (axip_u32)(((d >> 10) * 274878u) >> 28);
}

/* Start of a congestion avoidance stage (RFC 9438 sections 4.2, 4.3, 4.8). */
static void epoch_begin(struct tcp_cc_state *cc, struct tcp_cubic *cu, axip_time_ns now)
{
	cu->epoch_start = now ? now : 1u; /* 0 means "no epoch" */
	cc->bytes_acked = 0;
	cu->w_est_acked = 0;
	/* 4.3: W_est starts at cwnd_epoch. */
	cu->w_est = cc->cwnd;
	if (cc->cwnd < cu->w_last_max) {
		/* 4.2: the curve starts at cwnd_epoch and plateaus at W_max. */
		cu->k_ms = k_ms(cu->w_last_max - cc->cwnd, cc->mss);
		cu->origin_point = cu->w_last_max;
	} else {
		/* 4.8 (after a timeout) and cwnd_epoch >= W_max: K = 0 and
		 * W_max = cwnd_epoch, so the stage starts in the convex region. */
		cu->k_ms = 0;
		cu->origin_point = cc->cwnd;
	}
}

/* RFC 9438 section 4.3: W_est += alpha_cubic * segments_acked / cwnd, with
 * alpha_cubic = 9/17 until W_est reaches cwnd_prior, 1 from then on. W_est
 * grows by one SMSS per cwnd/alpha bytes acknowledged. */
static void reno_friendly_update(const struct tcp_cc_state *cc, struct tcp_cubic *cu,
                                 axip_u32 acked)
{
	axip_u32 per_mss = cu->w_est >= cu->w_max ? cc->cwnd
	                                            : mul_frac(cc->cwnd, INV_ALPHA_NUM, INV_ALPHA_DEN);
	axip_u32 n;
	cu->w_est_acked += acked;
	n = cu->w_est_acked / per_mss;
	cu->w_est_acked -= n * per_mss;
	cu->w_est = min_u32(cu->w_est + min_u32(n, TCP_CC_CWND_MAX / cc->mss) * cc->mss,
	                    TCP_CC_CWND_MAX);
}

static void cubic_init(struct tcp_cc_state *cc, axip_u32 mss)
{
	tcp_cc_newreno.init(cc, mss); /* zeroes the private state too */
}

static void cubic_on_ack(struct tcp_cc_state *cc, axip_u32 acked, axip_u32 in_flight,
                         axip_u32 srtt_us, axip_time_ns now)
{
	struct tcp_cubic *cu = tcp_cubic(cc);
	axip_u32 t_ms, target, w_t, n, per_mss;

	if (cc->cwnd < cc->ssthresh) {
		/* RFC 9438 section 4.10: slow start below ssthresh. */
		tcp_cc_newreno.on_ack(cc, acked, in_flight, srtt_us, now);
		return;
	}
	/* RFC 9438 section 4.6: ssthresh is derived from cwnd, so cwnd must
	 * not grow while the flight does not use it (RFC 7661 section 4.3). */
	if (in_flight < cc->cwnd / 2u)
		return;
	if (!cu->epoch_start)
		epoch_begin(cc, cu, now);
	t_ms = elapsed_ms(now, cu->epoch_start);

	/* Section 4.3: in the Reno-friendly region (W_cubic(t) < W_est) cwnd
	 * follows W_est. */
	reno_friendly_update(cc, cu, acked);
	w_t = w_cubic(cu, cc->mss, t_ms);
	if (w_t < cu->w_est) {
		cc->cwnd = max_u32(cc->cwnd, cu->w_est);
		cc->bytes_acked = 0;
		return;
	}

	/* Sections 4.4 (concave) and 4.5 (convex): target = W_cubic(t + RTT),
	 * bounded to [cwnd, 1.5 cwnd] (4.2); cwnd += (target - cwnd)/cwnd per
	 * SMSS acknowledged, i.e. one SMSS per cwnd*SMSS/(target - cwnd) bytes. */
	target = w_cubic(cu, cc->mss, t_ms + srtt_us / 1000u);
	target = min_u32(target, cc->cwnd + cc->cwnd / 2u);
	if (target <= cc->cwnd)
		return;
	per_mss = div_u64_u32((axip_u64)cc->cwnd * cc->mss, target - cc->cwnd);
	cc->bytes_acked += acked;
	n = cc->bytes_acked / per_mss;
	cc->bytes_acked -= n * per_mss;
	cc->cwnd = min_u32(cc->cwnd + min_u32(n, TCP_CC_CWND_MAX / cc->mss) * cc->mss,
	                   TCP_CC_CWND_MAX);
}

/* Section 4.6: ssthresh = cwnd * beta_cubic, at least 2 SMSS. */
static axip_u32 reduced(const struct tcp_cc_state *cc)
{
	return max_u32(mul_frac(cc->cwnd, BETA_NUM, BETA_DEN), 2u * cc->mss);
}

static void cubic_on_loss(struct tcp_cc_state *cc, axip_u32 in_flight, axip_time_ns now)
{
	struct tcp_cubic *cu = tcp_cubic(cc);
	(void)in_flight;
	(void)now;
	cu->w_max = cc->cwnd; /* cwnd_prior */
	/* Section 4.7 fast convergence: a loss below the previous W_max
	 * releases bandwidth by plateauing lower. */
	if (cc->cwnd < cu->w_last_max)
		cu->w_last_max = mul_frac(cc->cwnd, FC_NUM, FC_DEN);
	else
		cu->w_last_max = cc->cwnd;
	/* Section 4.6: ssthresh = cwnd * beta_cubic (cwnd rather than
	 * FlightSize: growth needs a used window, see on_ack), cwnd = ssthresh. */
	cc->ssthresh = reduced(cc);
	cc->cwnd = cc->ssthresh;
	cu->epoch_start = 0;
	cc->bytes_acked = 0;
}

static void cubic_on_recovery_end(struct tcp_cc_state *cc, axip_u32 in_flight)
{
	/* The epoch starts with the first ACK after recovery (4.2). */
	tcp_cc_newreno.on_recovery_end(cc, in_flight);
}

static void cubic_on_rto(struct tcp_cc_state *cc, axip_u32 in_flight, axip_time_ns now)
{
	struct tcp_cubic *cu = tcp_cubic(cc);
	(void)in_flight;
	(void)now;
	/* Section 4.8: ssthresh as in 4.6, cwnd = 1 SMSS (RFC 5681). As in
	 * RFC 5681 section 3.1, a repeated timeout (cwnd still the loss window)
	 * holds ssthresh. */
	if (cc->cwnd > cc->mss) {
		cu->w_max = cc->cwnd;
		cc->ssthresh = reduced(cc);
	}
	/* Section 4.8: the next stage uses K = 0, W_max = cwnd_epoch. */
	cu->w_last_max = 0;
	cc->cwnd = cc->mss;
	cu->epoch_start = 0;
	cc->bytes_acked = 0;
}

static void cubic_on_idle(struct tcp_cc_state *cc)
{
	/* RFC 5681 section 4.1 restart window; RFC 9438 section 5.8: the idle
	 * time must not count as growth time, so a new epoch starts. */
	tcp_cc_newreno.on_idle(cc);
	tcp_cubic(cc)->epoch_start = 0;
}

static void cubic_on_switch(struct tcp_cc_state *cc)
{
	/* taken over mid-connection: a new epoch from the current window */
	tcp_cubic(cc)->epoch_start = 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
	"cubic",
	sizeof(struct tcp_cubic),
	cubic_init,
	cubic_on_ack,
	cubic_on_loss,
	cubic_on_recovery_end,
	cubic_on_rto,
	cubic_on_idle,
	cubic_on_switch,
};
