/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * timer.c - hashed timing wheel (Varghese & Lauck, scheme 4).
 */
#include "timer.h"

#define SLOT_MASK (TIMER_SLOTS - 1u)

static axip_u64 tick_of(axip_time_ns t)
{
	return t >> TIMER_TICK_SHIFT;
}

void timer_wheel_init(struct timer_wheel *w, axip_time_ns now)
{
	axip_u32 i;
	for (i = 0; i < TIMER_SLOTS; i++)
		w->slot[i] = AXIP_NULL;
	for (i = 0; i < TIMER_SLOTS / 32u; i++)
		w->bitmap[i] = 0;
	w->cur_tick = tick_of(now);
	w->armed = 0;
}

void timer_init(struct axip_timer *t, axip_timer_fn fn)
{
	t->next = AXIP_NULL;
	t->pprev = AXIP_NULL;
	t->expires = 0;
	t->fn = fn;
}

static void slot_insert(struct timer_wheel *w, struct axip_timer *t)
{
	axip_u64 tick = tick_of(t->expires);
	axip_u32 idx;
	if (tick < w->cur_tick)
		tick = w->cur_tick; /* already due: fire at the next run */
	idx = (axip_u32)(tick & SLOT_MASK);
	t->next = w->slot[idx];
	if (t->next)
		t->next->pprev = &t->next;
	w->slot[idx] = t;
	t->pprev = &w->slot[idx];
	w->bitmap[idx >> 5] |= 1u << (idx & 31u);
}

static void slot_unlink(struct timer_wheel *w, struct axip_timer *t)
{
	struct axip_timer **head = t->pprev;
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = AXIP_NULL;
	t->pprev = AXIP_NULL;
	/* clear the slot bit if this emptied a slot head */
	if (head >= &w->slot[0] && head < &w->slot[TIMER_SLOTS] && *head == AXIP_NULL) {
		axip_u32 idx = (axip_u32)(head - &w->slot[0]);
		w->bitmap[idx >> 5] &= ~(1u << (idx & 31u));
	}
}

void timer_arm(struct timer_wheel *w, struct axip_timer *t, axip_time_ns expires)
{
	if (t->pprev)
		slot_unlink(w, t);
	else
		w->armed++;
	t->expires = expires;
	slot_insert(w, t);
}

void timer_cancel(struct timer_wheel *w, struct axip_timer *t)
{
	if (!t->pprev)
		return;
	slot_unlink(w, t);
	w->armed--;
}

/* Fire the due timers of one slot. Timers of later turns stay. */
static void run_slot(struct axip_stack *s, struct timer_wheel *w, axip_u32 idx, axip_time_ns now)
{
	struct axip_timer *t = w->slot[idx];
	struct axip_timer *due = AXIP_NULL;

	/* Detach due timers first: callbacks may re-arm into this same slot. */
	while (t) {
		struct axip_timer *n = t->next;
		if (t->expires <= now) {
			slot_unlink(w, t);
			w->armed--;
			t->next = due;
			due = t;
		}
		t = n;
	}
	while (due) {
		struct axip_timer *n = due->next;
		due->next = AXIP_NULL;
		due->fn(s, due);
		due = n;
	}
}

/* First tick >= from whose slot is non-empty, within one turn; or ~0. */
static axip_u64 next_busy_tick(const struct timer_wheel *w, axip_u64 from)
{
	axip_u32 i;
	for (i = 0; i < TIMER_SLOTS; i++) {
		axip_u32 idx = (axip_u32)((from + i) & SLOT_MASK);
		if ((i & 31u) == 0 && (idx & 31u) == 0 && w->bitmap[idx >> 5] == 0) {
			i += 31u;
			continue;
		}
		if (w->bitmap[idx >> 5] & (1u << (idx & 31u)))
			return from + i;
	}
	return ~(axip_u64)0;
}

axip_time_ns timer_run(struct axip_stack *s, struct timer_wheel *w, axip_time_ns now)
{
	axip_u64 now_tick = tick_of(now);
	axip_u64 tick;
	axip_u64 nb;

	if (now_tick >= w->cur_tick) {
		axip_u64 span = now_tick - w->cur_tick + 1u;
		if (span > TIMER_SLOTS)
			span = TIMER_SLOTS;
		for (tick = now_tick + 1u - span; tick <= now_tick; tick++) {
			axip_u32 idx = (axip_u32)(tick & SLOT_MASK);
			if (w->bitmap[idx >> 5] & (1u << (idx & 31u)))
				run_slot(s, w, idx, now);
		}
		w->cur_tick = now_tick;
	}
	if (w->armed == 0)
		return ~(axip_time_ns)0;
	/* The current tick's slot may still hold timers due later in this tick
	 * or in later turns; report the earliest slot that holds anything. The
	 * answer may be early (a slot holding only later turns), never late. */
	nb = next_busy_tick(w, w->cur_tick);
	if (nb == ~(axip_u64)0)
		return ~(axip_time_ns)0;
	if (nb == w->cur_tick) {
		/* exact: earliest expiry in this slot, but not beyond the next tick */
		axip_u32 idx = (axip_u32)(nb & SLOT_MASK);
		const struct axip_timer *t = w->slot[idx];
		axip_time_ns best = (nb + 1u) << TIMER_TICK_SHIFT;
		for (; t; t = t->next)
			if (t->expires < best)
				best = t->expires;
		return best;
	}
	return nb << TIMER_TICK_SHIFT;
}
