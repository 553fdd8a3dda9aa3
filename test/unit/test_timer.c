/* SPDX-License-Identifier: BSD-2-Clause */
/* test_timer.c - the hashed timing wheel: ordering, re-arm, cancel, long timers, deadlines. */
#include "test.h"
#include "timer.h"

static int fired[64];
static axip_time_ns fired_at[64];
static struct axip_timer timers[64];
static axip_time_ns now_g;

static void on_fire(struct axip_stack *s, struct axip_timer *t)
{
	int i = (int)(t - timers);
	(void)s;
	fired[i]++;
	fired_at[i] = now_g;
}

static struct timer_wheel w;

static axip_time_ns run(axip_time_ns now)
{
	now_g = now;
	return timer_run(AXIP_NULL, &w, now);
}

static void reset(axip_time_ns start)
{
	int i;
	timer_wheel_init(&w, start);
	for (i = 0; i < 64; i++) {
		timer_init(&timers[i], on_fire);
		fired[i] = 0;
		fired_at[i] = 0;
	}
}

static void test_fires_in_order_not_early(void)
{
	axip_time_ns t;
	reset(AXIP_SEC(5));
	timer_arm(&w, &timers[0], AXIP_SEC(5) + AXIP_MS(10));
	timer_arm(&w, &timers[1], AXIP_SEC(5) + AXIP_MS(3));
	CHECK_EQ(w.armed, 2);
	run(AXIP_SEC(5) + AXIP_MS(2));
	CHECK_EQ(fired[0] + fired[1], 0);
	run(AXIP_SEC(5) + AXIP_MS(3));
	CHECK_EQ(fired[1], 1);
	CHECK_EQ(fired[0], 0);
	t = run(AXIP_SEC(5) + AXIP_MS(4));
	/* next deadline is never later than the remaining timer */
	CHECK(t <= AXIP_SEC(5) + AXIP_MS(10));
	CHECK(t > AXIP_SEC(5) + AXIP_MS(4) - AXIP_MS(2));
	run(AXIP_SEC(5) + AXIP_MS(10));
	CHECK_EQ(fired[0], 1);
	CHECK_EQ(w.armed, 0);
	CHECK_EQ(run(AXIP_SEC(6)), ~(axip_time_ns)0);
}

static void test_cancel_and_rearm(void)
{
	reset(0);
	timer_arm(&w, &timers[0], AXIP_MS(5));
	timer_arm(&w, &timers[0], AXIP_MS(50)); /* re-arm moves it */
	timer_arm(&w, &timers[1], AXIP_MS(5));
	timer_cancel(&w, &timers[1]);
	timer_cancel(&w, &timers[1]); /* cancelling twice is harmless */
	CHECK(!timer_armed(&timers[1]));
	run(AXIP_MS(20));
	CHECK_EQ(fired[0], 0);
	CHECK_EQ(fired[1], 0);
	run(AXIP_MS(50));
	CHECK_EQ(fired[0], 1);
}

static void test_longer_than_one_turn(void)
{
	/* 60 s is ~57 turns of the wheel: must fire once, at the right time */
	axip_time_ns t;
	reset(0);
	timer_arm(&w, &timers[2], AXIP_SEC(60));
	for (t = AXIP_MS(100); t < AXIP_SEC(60); t += AXIP_MS(100))
		run(t);
	CHECK_EQ(fired[2], 0);
	run(AXIP_SEC(60));
	CHECK_EQ(fired[2], 1);
}

static void test_sparse_polls_catch_up(void)
{
	/* a poll long after several deadlines fires all of them */
	int i;
	reset(0);
	for (i = 0; i < 10; i++)
		timer_arm(&w, &timers[i], AXIP_MS(100) * (axip_time_ns)(i + 1) * 7u);
	run(AXIP_SEC(100));
	for (i = 0; i < 10; i++)
		CHECK_EQ(fired[i], 1);
}

static struct axip_timer *rearm_target;
static int rearm_count;
static void rearm_self(struct axip_stack *s, struct axip_timer *t)
{
	(void)s;
	rearm_count++;
	if (rearm_count < 5)
		timer_arm(&w, t, now_g + AXIP_MS(1));
	rearm_target = t;
}

static void test_callback_rearms(void)
{
	axip_time_ns t = 0;
	int guard = 0;
	reset(0);
	timer_init(&timers[5], rearm_self);
	rearm_count = 0;
	timer_arm(&w, &timers[5], AXIP_MS(1));
	while (w.armed && guard++ < 100) {
		t = run(t > now_g ? t : now_g + AXIP_MS(1));
	}
	CHECK_EQ(rearm_count, 5);
	CHECK(rearm_target == &timers[5]);
}

static void test_past_deadline_fires_next_run(void)
{
	reset(AXIP_SEC(1));
	run(AXIP_SEC(2));
	timer_arm(&w, &timers[3], AXIP_SEC(1)); /* already in the past */
	CHECK(run(AXIP_SEC(2)) == ~(axip_time_ns)0);
	CHECK_EQ(fired[3], 1);
}

int main(void)
{
	RUN_TEST(test_fires_in_order_not_early);
	RUN_TEST(test_cancel_and_rearm);
	RUN_TEST(test_longer_than_one_turn);
	RUN_TEST(test_sparse_polls_catch_up);
	RUN_TEST(test_callback_rearms);
	RUN_TEST(test_past_deadline_fires_next_run);
	return test_summary();
}
