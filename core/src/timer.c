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
	w->next_due = ~(axip_time_ns)0;
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
	if (t->pprev) {
		slot_unlink(w, t);
		if (t->expires <= w->next_due && expires > t->expires)
			w->next_due = 0; /* the earliest moved later: found again at the next run */
	} else {
		w->armed++;
	}
	t->expires = expires;
	slot_insert(w, t);
	if (expires < w->next_due)
		w->next_due = expires;
}

void timer_cancel(struct timer_wheel *w, struct axip_timer *t)
{
	if (!t->pprev)
		return;
	slot_unlink(w, t);
	w->armed--;
	if (t->expires <= w->next_due)
		w->next_due = 0; /* the earliest may be gone: found again at the next run */
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

/* Timers looked at, at most, when timer_run looks for the next deadline. */
#define TIMER_SCAN_MAX 64u

/* First tick in [from, from + limit) whose slot is non-empty, or ~0; skips
 * empty bitmap words whole. */
static axip_u64 next_busy_tick(const struct timer_wheel *w, axip_u64 from, axip_u32 limit)
{
	axip_u32 i = 0;
	while (i < limit) {
		axip_u32 idx = (axip_u32)((from + i) & SLOT_MASK);
		axip_u32 bits = w->bitmap[idx >> 5] >> (idx & 31u);
		if (bits) {
			while (!(bits & 1u)) {
				bits >>= 1;
				i++;
			}
			return i < limit ? from + i : ~(axip_u64)0;
		}
		i += 32u - (idx & 31u);
	}
	return ~(axip_u64)0;
}

/*
 * The next deadline after a run. A slot's timers of this turn expire within
 * its tick and those of later turns at least a turn on, so walking the
 * non-empty slots from the current tick can stop at the first slot that
 * starts after the earliest expiry seen: exact, and an idle instance whose
 * only timer is minutes away sleeps until then rather than once a turn.
 * After TIMER_SCAN_MAX timers it answers the start of the slot it reached
 * (early, never late), so a crowded wheel costs a bounded walk.
 */
static axip_time_ns next_deadline(const struct timer_wheel *w)
{
	axip_time_ns best = ~(axip_time_ns)0;
	axip_u64 end = w->cur_tick + TIMER_SLOTS, tick = w->cur_tick;
	axip_u32 seen = 0;
	while (tick < end) {
		const struct axip_timer *t;
		axip_time_ns start;
		tick = next_busy_tick(w, tick, (axip_u32)(end - tick));
		if (tick == ~(axip_u64)0)
			break;
		start = tick << TIMER_TICK_SHIFT;
		if (start >= best)
			break;
		for (t = w->slot[tick & SLOT_MASK]; t; t = t->next) {
			if (++seen > TIMER_SCAN_MAX)
				return start < best ? start : best;
			if (t->expires < best)
				best = t->expires;
		}
		tick++;
	}
	return best;
}

/*
 * Nothing is due before next_due, so a run before it fires nothing and
 * answers it again: O(1) for the many calls between two expiries (every
 * socket call of a program under the preload shim ends in one). next_due
 * is kept exact: arming an earlier timer lowers it, and cancelling or
 * delaying the earliest makes it unknown (0) until the next full run.
 * cur_tick then stays behind; the next full run walks the slots passed
 * meanwhile.
 */
axip_time_ns timer_run(struct axip_stack *s, struct timer_wheel *w, axip_time_ns now)
{
	axip_u64 now_tick = tick_of(now);
	axip_u64 tick;

	if (now < w->next_due)
		return w->next_due;
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
	w->next_due = w->armed ? next_deadline(w) : ~(axip_time_ns)0;
	return w->next_due;
}
