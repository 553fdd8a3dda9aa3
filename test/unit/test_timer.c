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

static void test_next_deadline_exact(void)
{
	/* an idle instance's only timer a minute away: the deadline is that
	 * timer, not the next turn of the wheel */
	reset(0);
	timer_arm(&w, &timers[0], AXIP_SEC(60));
	CHECK(run(AXIP_MS(1)) == AXIP_SEC(60));
	/* a nearer one in a later slot of this turn wins */
	timer_arm(&w, &timers[1], AXIP_MS(500) + 7u);
	CHECK(run(AXIP_MS(2)) == AXIP_MS(500) + 7u);
	/* a later-turn timer sharing the current slot does not hide it */
	timer_arm(&w, &timers[2], AXIP_MS(2) + ((axip_time_ns)TIMER_SLOTS << TIMER_TICK_SHIFT));
	CHECK(run(AXIP_MS(2)) == AXIP_MS(500) + 7u);
	timer_cancel(&w, &timers[1]);
	CHECK(run(AXIP_MS(3)) == timers[2].expires);
}

static void test_next_deadline_random(void)
{
	/* up to 64 timers (no more than the walk's budget): the deadline is
	 * exactly the earliest expiry; the timer then fires at it */
	axip_u32 seed = 12345u;
	axip_time_ns now = AXIP_SEC(1);
	int round, i;
	reset(now);
	for (round = 0; round < 2000; round++) {
		axip_time_ns want = ~(axip_time_ns)0, got;
		seed = seed * 1103515245u + 12345u;
		i = (int)((seed >> 8) % 64u);
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 28) == 0)
			timer_cancel(&w, &timers[i]);
		else
			timer_arm(&w, &timers[i], now + 1u + (axip_time_ns)((seed >> 4) % 5000000000u));
		got = run(now);
		for (i = 0; i < 64; i++)
			if (timer_armed(&timers[i]) && timers[i].expires < want)
				want = timers[i].expires;
		CHECK(got == want);
		seed = seed * 1103515245u + 12345u;
		now += (axip_time_ns)((seed >> 8) % 300000000u);
		if (got != ~(axip_time_ns)0 && got <= now) {
			int before = 0, after = 0;
			for (i = 0; i < 64; i++)
				before += fired[i];
			run(got);
			for (i = 0; i < 64; i++)
				after += fired[i];
			CHECK(after > before);
			if (now < got)
				now = got;
		}
	}
}

static int many_fired;
static void on_fire_many(struct axip_stack *s, struct axip_timer *t)
{
	(void)s;
	(void)t;
	many_fired++;
}

static void test_next_deadline_crowded(void)
{
	/* more later-turn timers than the walk looks at: the answer may be
	 * early, never late */
	static struct axip_timer many[100];
	int i;
	axip_time_ns d;
	reset(0);
	for (i = 0; i < 100; i++) {
		timer_init(&many[i], on_fire_many);
		timer_arm(&w, &many[i], AXIP_SEC(30) + AXIP_MS(1) * (axip_time_ns)(i % 3));
	}
	d = run(AXIP_MS(1));
	CHECK(d <= AXIP_SEC(30));
	CHECK(d > AXIP_MS(1));
	while (d < AXIP_SEC(30) && many_fired == 0)
		d = run(d);
	CHECK(d <= AXIP_SEC(30) + AXIP_MS(2));
	for (i = 0; i < 100; i++)
		timer_cancel(&w, &many[i]);
}

int main(void)
{
	RUN_TEST(test_fires_in_order_not_early);
	RUN_TEST(test_cancel_and_rearm);
	RUN_TEST(test_longer_than_one_turn);
	RUN_TEST(test_sparse_polls_catch_up);
	RUN_TEST(test_callback_rearms);
	RUN_TEST(test_past_deadline_fires_next_run);
	RUN_TEST(test_next_deadline_exact);
	RUN_TEST(test_next_deadline_random);
	RUN_TEST(test_next_deadline_crowded);
	return test_summary();
}
