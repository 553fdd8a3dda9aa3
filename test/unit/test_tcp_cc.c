/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tcp_cc.c - NewReno (RFC 5681/6582/3465/6928) and CUBIC (RFC 9438)
 * driven by synthetic ACK sequences, compared with the RFC formulas. */
#include "test.h"
#include "sim.h"
#include "tcp_cc_cubic.h"

#define MS(x) ((axip_time_ns)(x) * 1000000ULL)

/* One round trip of a sender that keeps cwnd full: the window at the start
 * of the round is acknowledged by ACKs of `per_ack` bytes (the last one takes
 * the rest), evenly spread over `rtt`; each ACK sees in_flight = cwnd.
 * Returns the time after it. */
static axip_time_ns one_rtt(const struct tcp_cc_ops *ops, struct tcp_cc_state *cc,
                            axip_time_ns now, axip_time_ns rtt, uint32_t per_ack)
{
	uint32_t window = cc->cwnd, acks = (window + per_ack - 1) / per_ack, i;
	for (i = 0; i < acks; i++) {
		uint32_t n = i + 1 < acks ? per_ack : window - per_ack * i;
		ops->on_ack(cc, n, cc->cwnd, (uint32_t)(rtt / 1000u), now + rtt * (i + 1) / acks);
	}
	return now + rtt;
}

/* ---- NewReno ---- */

static void test_initial_window(void)
{
	struct tcp_cc_state cc;
	const struct tcp_cc_ops *ops[2] = {&tcp_cc_newreno, &tcp_cc_cubic};
	int i;
	for (i = 0; i < 2; i++) {
		/* RFC 6928: min(10*MSS, max(2*MSS, 14600)) */
		ops[i]->init(&cc, 1460);
		CHECK_EQ(cc.cwnd, 14600);
		CHECK_EQ(cc.ssthresh, 0x7fffffffu);
		CHECK_EQ(cc.mss, 1460);
		ops[i]->init(&cc, 536);
		CHECK_EQ(cc.cwnd, 5360);
		ops[i]->init(&cc, 1000);
		CHECK_EQ(cc.cwnd, 10000);
		ops[i]->init(&cc, 2000);
		CHECK_EQ(cc.cwnd, 14600);
		ops[i]->init(&cc, 8960);
		CHECK_EQ(cc.cwnd, 17920);
		ops[i]->init(&cc, 0); /* not negotiated: RFC 9293 default 536 */
		CHECK_EQ(cc.mss, 536);
		CHECK_EQ(cc.cwnd, 5360);
	}
}

static void test_cc_get(void)
{
	CHECK(tcp_cc_get(AXIP_TCP_CC_CUBIC) == &tcp_cc_cubic);
	CHECK(tcp_cc_get(AXIP_TCP_CC_NEWRENO) == &tcp_cc_newreno);
	CHECK(tcp_cc_get(2) == NULL);
	CHECK(tcp_cc_get(0xffffffffu) == NULL);
	CHECK(strcmp(tcp_cc_newreno.name, "newreno") == 0);
	CHECK(strcmp(tcp_cc_cubic.name, "cubic") == 0);
}

static void slow_start_doubles(const struct tcp_cc_ops *ops)
{
	struct tcp_cc_state cc;
	axip_time_ns now = MS(1);
	int r;
	ops->init(&cc, 1000);
	/* one ACK per segment: 10 -> 20 -> 40 -> 80 segments */
	for (r = 0; r < 3; r++)
		now = one_rtt(ops, &cc, now, MS(50), 1000);
	CHECK_EQ(cc.cwnd, 80000);
	/* delayed ACKs (2 segments each): still doubles, RFC 3465 L = 2*SMSS */
	now = one_rtt(ops, &cc, now, MS(50), 2000);
	CHECK_EQ(cc.cwnd, 160000);
	/* stretch ACKs of 4 segments: capped at 2 SMSS each, x1.5 */
	now = one_rtt(ops, &cc, now, MS(50), 4000);
	CHECK_EQ(cc.cwnd, 240000);
	/* slow start stops exactly at ssthresh */
	cc.ssthresh = 300000;
	one_rtt(ops, &cc, now, MS(50), 1000);
	CHECK_EQ(cc.cwnd, 300000);
}

static void test_newreno_slow_start(void)
{
	slow_start_doubles(&tcp_cc_newreno);
}

static void test_newreno_congestion_avoidance(void)
{
	struct tcp_cc_state cc;
	axip_time_ns now = MS(1);
	int r;
	tcp_cc_newreno.init(&cc, 1000);
	cc.cwnd = 20000;
	cc.ssthresh = 10000;
	/* exactly one SMSS per window of acknowledged bytes */
	for (r = 1; r <= 10; r++) {
		now = one_rtt(&tcp_cc_newreno, &cc, now, MS(50), 1000);
		CHECK_EQ(cc.cwnd, 20000u + 1000u * (uint32_t)r);
	}
	/* the same with delayed ACKs */
	for (r = 1; r <= 10; r++) {
		now = one_rtt(&tcp_cc_newreno, &cc, now, MS(50), 2000);
		CHECK_EQ(cc.cwnd, 30000u + 1000u * (uint32_t)r);
	}
	/* a byte-granular stream of small ACKs: 40000 bytes in 400 ACKs of 100 */
	{
		uint32_t i;
		for (i = 0; i < 400; i++)
			tcp_cc_newreno.on_ack(&cc, 100, cc.cwnd, 50000, now);
		CHECK_EQ(cc.cwnd, 41000);
	}
}

static void test_newreno_app_limited(void)
{
	struct tcp_cc_state cc;
	int i;
	tcp_cc_newreno.init(&cc, 1000);
	/* 4 of 10 segments in flight: below cwnd/2, no growth */
	for (i = 0; i < 100; i++)
		tcp_cc_newreno.on_ack(&cc, 1000, 4000, 1000, MS(i));
	CHECK_EQ(cc.cwnd, 10000);
	/* half the window in use: grows */
	tcp_cc_newreno.on_ack(&cc, 1000, 5000, 1000, MS(200));
	CHECK_EQ(cc.cwnd, 11000);
}

static void test_newreno_loss_and_recovery(void)
{
	struct tcp_cc_state cc;
	tcp_cc_newreno.init(&cc, 1000);
	cc.cwnd = 40000;
	/* RFC 5681 eq. (4) and RFC 6582 3.2 step 2; the 3*SMSS inflation is
	 * the engine's, outside cwnd */
	tcp_cc_newreno.on_loss(&cc, 40000, MS(10));
	CHECK_EQ(cc.ssthresh, 20000);
	CHECK_EQ(cc.cwnd, 20000);
	CHECK_EQ(cc.bytes_acked, 0);
	/* step 3 option 1: min(ssthresh, max(FlightSize, SMSS) + SMSS) */
	tcp_cc_newreno.on_recovery_end(&cc, 30000);
	CHECK_EQ(cc.cwnd, 20000);
	cc.cwnd = 26000;
	tcp_cc_newreno.on_recovery_end(&cc, 5000);
	CHECK_EQ(cc.cwnd, 6000);
	tcp_cc_newreno.on_recovery_end(&cc, 0);
	CHECK_EQ(cc.cwnd, 2000);
	/* halving uses FlightSize, not cwnd, and never goes below 2 SMSS */
	cc.cwnd = 80000;
	tcp_cc_newreno.on_loss(&cc, 30000, MS(20));
	CHECK_EQ(cc.ssthresh, 15000);
	CHECK_EQ(cc.cwnd, 15000);
	tcp_cc_newreno.on_loss(&cc, 1000, MS(30));
	CHECK_EQ(cc.ssthresh, 2000);
	CHECK_EQ(cc.cwnd, 2000);
	/* after recovery: congestion avoidance from ssthresh */
	cc.cwnd = 40000;
	tcp_cc_newreno.on_loss(&cc, 40000, MS(40));
	tcp_cc_newreno.on_recovery_end(&cc, 40000);
	one_rtt(&tcp_cc_newreno, &cc, MS(50), MS(50), 1000);
	CHECK_EQ(cc.cwnd, 21000);
}

static void test_newreno_rto(void)
{
	struct tcp_cc_state cc;
	axip_time_ns now = MS(100);
	tcp_cc_newreno.init(&cc, 1000);
	cc.cwnd = 40000;
	tcp_cc_newreno.on_rto(&cc, 40000, now);
	CHECK_EQ(cc.ssthresh, 20000);
	CHECK_EQ(cc.cwnd, 1000);
	/* backed-off timeout of the same segment: ssthresh held (RFC 5681 3.1) */
	tcp_cc_newreno.on_rto(&cc, 1000, now + MS(200));
	CHECK_EQ(cc.ssthresh, 20000);
	CHECK_EQ(cc.cwnd, 1000);
	/* slow start again from 1 SMSS: 1 -> 2 -> 4 ... up to ssthresh */
	now = one_rtt(&tcp_cc_newreno, &cc, now, MS(50), 1000);
	CHECK_EQ(cc.cwnd, 2000);
	now = one_rtt(&tcp_cc_newreno, &cc, now, MS(50), 1000);
	CHECK_EQ(cc.cwnd, 4000);
	now = one_rtt(&tcp_cc_newreno, &cc, now, MS(50), 1000);
	now = one_rtt(&tcp_cc_newreno, &cc, now, MS(50), 1000);
	now = one_rtt(&tcp_cc_newreno, &cc, now, MS(50), 1000);
	CHECK_EQ(cc.cwnd, 20000);
	one_rtt(&tcp_cc_newreno, &cc, now, MS(50), 1000);
	CHECK_EQ(cc.cwnd, 21000);
}

static void test_newreno_idle(void)
{
	struct tcp_cc_state cc;
	tcp_cc_newreno.init(&cc, 1460);
	cc.cwnd = 100000;
	tcp_cc_newreno.on_idle(&cc);
	CHECK_EQ(cc.cwnd, 14600);
	cc.cwnd = 5000;
	tcp_cc_newreno.on_idle(&cc);
	CHECK_EQ(cc.cwnd, 5000);
}

/* ---- CUBIC ---- */

/* RFC 9438 K and W_cubic in double precision, segments and seconds (Newton
 * iterations for the cube root keep the test free of libm). */
static double cube_root_d(double x)
{
	double y = x > 1.0 ? x / 3.0 : 1.0;
	int i;
	for (i = 0; i < 200; i++)
		y = y - (y * y * y - x) / (3.0 * y * y);
	return y;
}
static double rfc_k(double w_max_segs)
{
	return cube_root_d(w_max_segs * (1.0 - 0.7) / 0.4);
}
static double rfc_w_cubic(double t, double k, double w_max_segs)
{
	return 0.4 * (t - k) * (t - k) * (t - k) + w_max_segs;
}

/* Put a CUBIC connection at cwnd = w bytes, lose, finish recovery with a
 * full flight, and start the epoch with one ACK at `now`. */
static void cubic_after_loss(struct tcp_cc_state *cc, uint32_t mss, uint32_t w, axip_time_ns now)
{
	tcp_cc_cubic.init(cc, mss);
	cc->cwnd = w;
	tcp_cc_cubic.on_loss(cc, w, now);
	tcp_cc_cubic.on_recovery_end(cc, w);
	tcp_cc_cubic.on_ack(cc, mss, cc->cwnd, 100000, now);
}

static void test_cubic_slow_start(void)
{
	slow_start_doubles(&tcp_cc_cubic);
}

static void test_cubic_loss(void)
{
	struct tcp_cc_state cc;
	tcp_cc_cubic.init(&cc, 1000);
	cc.cwnd = 100000;
	tcp_cc_cubic.on_loss(&cc, 100000, MS(1));
	/* beta_cubic = 0.7 */
	CHECK_EQ(cc.ssthresh, 70000);
	CHECK_EQ(cc.cwnd, 70000);
	CHECK_EQ(tcp_cubic(&cc)->w_last_max, 100000);
	CHECK_EQ(tcp_cubic(&cc)->w_max, 100000);
	CHECK_EQ(tcp_cubic(&cc)->epoch_start, 0);
	/* 0.7 exactly, in integers: 123457 * 0.7 = 86419.9 */
	cc.cwnd = 123457;
	tcp_cubic(&cc)->w_last_max = 0;
	tcp_cc_cubic.on_loss(&cc, 123457, MS(2));
	CHECK_EQ(cc.ssthresh, 86419);
	/* fast convergence (4.7): a loss below the last W_max plateaus at
	 * cwnd * (1 + beta) / 2 */
	cc.cwnd = 80000;
	tcp_cc_cubic.on_loss(&cc, 80000, MS(3));
	CHECK_EQ(tcp_cubic(&cc)->w_last_max, 68000);
	CHECK_EQ(tcp_cubic(&cc)->w_max, 80000);
	CHECK_EQ(cc.ssthresh, 56000);
	/* never below 2 SMSS */
	cc.cwnd = 2500;
	tcp_cc_cubic.on_loss(&cc, 2500, MS(4));
	CHECK_EQ(cc.ssthresh, 2000);
	CHECK_EQ(cc.cwnd, 2000);
}

static void test_cubic_k_matches_rfc(void)
{
	static const uint32_t segs[] = {4, 10, 33, 100, 1000, 12345, 100000, 700000};
	static const uint32_t mss[] = {536, 1000, 1448, 1460, 8960};
	size_t i, j;
	for (j = 0; j < sizeof(mss) / sizeof(mss[0]); j++) {
		for (i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
			struct tcp_cc_state cc;
			double want_ms;
			if ((uint64_t)segs[i] * mss[j] > TCP_CC_CWND_MAX)
				continue;
			cubic_after_loss(&cc, mss[j], segs[i] * mss[j], MS(1000));
			want_ms = rfc_k(segs[i]) * 1000.0;
			if (tcp_cubic(&cc)->k_ms - want_ms > 1.0 || want_ms - tcp_cubic(&cc)->k_ms > 1.0) {
				fprintf(stderr, "W_max %u segs mss %u: K %u ms, RFC %.3f ms\n", segs[i],
				        mss[j], tcp_cubic(&cc)->k_ms, want_ms);
				CHECK(0);
			} else {
				CHECK(1);
			}
			CHECK_EQ(tcp_cubic(&cc)->origin_point, segs[i] * mss[j]);
		}
	}
}

static void test_cubic_curve(void)
{
	/* W_max = 1000 segments, RTT 100 ms: K = cbrt(750) = 9.086 s. cwnd
	 * follows W_cubic(t) (4.4/4.5: it aims one RTT ahead, so it keeps up),
	 * is back at W_max around K, concave before and convex after. */
	struct tcp_cc_state cc;
	const uint32_t mss = 1000, w = 1000;
	const axip_time_ns rtt = MS(100), t0 = MS(5000);
	axip_time_ns now = t0;
	double k = rfc_k(w);
	uint32_t at[141];
	int r;
	cubic_after_loss(&cc, mss, w * mss, t0);
	CHECK_EQ(cc.cwnd, 700000);
	CHECK_EQ(tcp_cubic(&cc)->k_ms, 9086);
	for (r = 0; r <= 140; r++) {
		double t = (double)(now - t0) / 1e9, wc = rfc_w_cubic(t, k, w) * mss;
		at[r] = cc.cwnd;
		if (cc.cwnd > wc + 2.0 * mss || cc.cwnd + 2.0 * mss < wc) {
			fprintf(stderr, "t %.1f s: cwnd %u, W_cubic %.0f\n", t, cc.cwnd, wc);
			CHECK(0);
		}
		now = one_rtt(&tcp_cc_cubic, &cc, now, rtt, mss);
	}
	/* at K (RTT 90.86): W_max within 2 SMSS */
	CHECK(at[91] >= 998000 && at[91] <= 1002000);
	/* concave: growth per 2 s shrinks while approaching K */
	CHECK(at[20] - at[0] > at[40] - at[20]);
	CHECK(at[40] - at[20] > at[60] - at[40]);
	CHECK(at[60] - at[40] > at[80] - at[60]);
	/* the plateau: hardly any growth around K */
	CHECK(at[96] - at[86] <= 2 * mss);
	/* convex: growth per second increases after K */
	CHECK(at[110] - at[100] > at[100] - at[90]);
	CHECK(at[120] - at[110] > at[110] - at[100]);
	CHECK(at[130] - at[120] > at[120] - at[110]);
	CHECK(at[140] - at[130] > at[130] - at[120]);
	/* CUBIC's curve, not the Reno-friendly estimate, drove the window */
	CHECK(tcp_cubic(&cc)->w_est + 200000 < cc.cwnd);
}

static void test_cubic_growth_bound(void)
{
	/* far beyond K the target is capped at 1.5 cwnd (RFC 9438 4.4/4.5):
	 * one RTT of ACKs grows the window by at most half */
	struct tcp_cc_state cc;
	uint32_t before;
	cubic_after_loss(&cc, 1000, 100000, MS(1000));
	before = cc.cwnd;
	one_rtt(&tcp_cc_cubic, &cc, MS(61000), MS(100), 1000);
	CHECK(cc.cwnd <= before + before / 2 + 1000);
	CHECK(cc.cwnd >= before + before / 2 - 1000);
}

static void test_cubic_reno_friendly(void)
{
	/* small window, 1 ms RTT: W_cubic hardly moves in 10 ms, W_est grows
	 * alpha_cubic = 9/17 SMSS per RTT and cwnd follows it (RFC 9438 4.3) */
	struct tcp_cc_state cc;
	const uint32_t mss = 1000;
	axip_time_ns now = MS(1000);
	double k = rfc_k(20);
	int r;
	cubic_after_loss(&cc, mss, 20000, now);
	CHECK_EQ(cc.cwnd, 14000);
	for (r = 0; r < 10; r++)
		now = one_rtt(&tcp_cc_cubic, &cc, now, MS(1), mss);
	/* 14 + 10 * 9/17 = 19.3 segments; W_cubic(10 ms) = 14.1 segments */
	CHECK(rfc_w_cubic(0.011, k, 20) * mss < 14500);
	CHECK_EQ(cc.cwnd, tcp_cubic(&cc)->w_est);
	CHECK(cc.cwnd >= 18000 && cc.cwnd <= 20000);
	/* once W_est passes cwnd_prior (20 segments) alpha is 1: +1 SMSS/RTT */
	for (r = 0; r < 10; r++)
		now = one_rtt(&tcp_cc_cubic, &cc, now, MS(1), mss);
	CHECK(cc.cwnd >= 27000 && cc.cwnd <= 30000);
	CHECK_EQ(cc.cwnd, tcp_cubic(&cc)->w_est);
	{
		uint32_t before = cc.cwnd;
		for (r = 0; r < 10; r++)
			now = one_rtt(&tcp_cc_cubic, &cc, now, MS(1), mss);
		CHECK(cc.cwnd >= before + 9000 && cc.cwnd <= before + 11000);
	}
	/* 200 segments: at 1 ms RTT, W_est still dominates after 10 RTTs
	 * (140 + 5.3 segments vs W_cubic(10 ms) = 140.2); at 100 ms RTT the
	 * curve does (W_cubic(1 s) = 168 segments vs W_est 145) */
	cubic_after_loss(&cc, mss, 200000, now);
	for (r = 0; r < 10; r++)
		now = one_rtt(&tcp_cc_cubic, &cc, now, MS(1), mss);
	CHECK_EQ(cc.cwnd, tcp_cubic(&cc)->w_est);
	CHECK(cc.cwnd >= 144000 && cc.cwnd <= 146000);
	cubic_after_loss(&cc, mss, 200000, now);
	for (r = 0; r < 10; r++)
		now = one_rtt(&tcp_cc_cubic, &cc, now, MS(100), mss);
	CHECK(tcp_cubic(&cc)->w_est >= 144000 && tcp_cubic(&cc)->w_est <= 146000);
	CHECK(cc.cwnd >= 166000 && cc.cwnd <= 170000);
	/* 100 segments at 100 ms: past K = 4.2 s, W_est reaches cwnd_prior
	 * (about 5.7 s), grows 1 SMSS/RTT and overtakes the flat curve */
	cubic_after_loss(&cc, mss, 100000, now);
	{
		axip_time_ns t0 = now;
		for (r = 0; r < 70; r++)
			now = one_rtt(&tcp_cc_cubic, &cc, now, MS(100), mss);
		CHECK_EQ(cc.cwnd, tcp_cubic(&cc)->w_est);
		CHECK(cc.cwnd > rfc_w_cubic((double)(now - t0) / 1e9, rfc_k(100), 100) * mss + 2000);
	}
}

static void test_cubic_rto(void)
{
	struct tcp_cc_state cc;
	axip_time_ns now = MS(1000);
	int r;
	tcp_cc_cubic.init(&cc, 1000);
	cc.cwnd = 100000;
	cc.ssthresh = 50000;
	tcp_cc_cubic.on_rto(&cc, 100000, now);
	CHECK_EQ(cc.cwnd, 1000);
	CHECK_EQ(cc.ssthresh, 70000);
	/* backed-off timeout: ssthresh held */
	tcp_cc_cubic.on_rto(&cc, 1000, now + MS(200));
	CHECK_EQ(cc.cwnd, 1000);
	CHECK_EQ(cc.ssthresh, 70000);
	/* slow start back to ssthresh, then (4.8) an epoch with K = 0 and
	 * W_max = cwnd at its start */
	for (r = 0; r < 1000 && cc.cwnd < cc.ssthresh; r++)
		tcp_cc_cubic.on_ack(&cc, 1000, cc.cwnd, 100000, now + MS(r));
	now += MS(r);
	CHECK_EQ(cc.cwnd, 70000);
	CHECK_EQ(tcp_cubic(&cc)->epoch_start, 0);
	tcp_cc_cubic.on_ack(&cc, 1000, cc.cwnd, 100000, now);
	CHECK(tcp_cubic(&cc)->epoch_start != 0);
	CHECK_EQ(tcp_cubic(&cc)->k_ms, 0);
	CHECK_EQ(tcp_cubic(&cc)->origin_point, 70000);
	CHECK_EQ(tcp_cubic(&cc)->w_est, 70000);
	/* and it grows from there */
	for (r = 0; r < 20; r++)
		now = one_rtt(&tcp_cc_cubic, &cc, now, MS(100), 1000);
	CHECK(cc.cwnd > 75000);
}

static void test_cubic_app_limited_and_idle(void)
{
	struct tcp_cc_state cc;
	uint32_t before;
	int i;
	cubic_after_loss(&cc, 1000, 100000, MS(1000));
	before = cc.cwnd;
	for (i = 0; i < 200; i++)
		tcp_cc_cubic.on_ack(&cc, 1000, before / 2 - 1, 100000, MS(1000 + 10 * i));
	CHECK_EQ(cc.cwnd, before);
	tcp_cc_cubic.on_idle(&cc);
	CHECK_EQ(cc.cwnd, 10000);
	CHECK_EQ(tcp_cubic(&cc)->epoch_start, 0);
}

int main(void)
{
	RUN_TEST(test_initial_window);
	RUN_TEST(test_cc_get);
	RUN_TEST(test_newreno_slow_start);
	RUN_TEST(test_newreno_congestion_avoidance);
	RUN_TEST(test_newreno_app_limited);
	RUN_TEST(test_newreno_loss_and_recovery);
	RUN_TEST(test_newreno_rto);
	RUN_TEST(test_newreno_idle);
	RUN_TEST(test_cubic_slow_start);
	RUN_TEST(test_cubic_loss);
	RUN_TEST(test_cubic_k_matches_rfc);
	RUN_TEST(test_cubic_curve);
	RUN_TEST(test_cubic_growth_bound);
	RUN_TEST(test_cubic_reno_friendly);
	RUN_TEST(test_cubic_rto);
	RUN_TEST(test_cubic_app_limited_and_idle);
	return test_summary();
}
