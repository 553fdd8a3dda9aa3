/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * timer.h - hashed timing wheel shared by every module of an instance.
 *
 * Each object that needs a timer embeds one struct axip_timer and re-arms it;
 * nothing is ever scanned. A slot covers TIMER_TICK_SHIFT nanoseconds
 * (2^20 ns, about 1.05 ms); timers further out than one turn of the wheel
 * stay in their slot and are skipped until their turn. axip_poll() costs
 * O(slots passed + timers in them), and O(1) when no timer is due yet.
 */
#ifndef AXIP_TIMER_H
#define AXIP_TIMER_H

#include "../include/axip/types.h"

struct axip_stack;
struct axip_timer;

typedef void (*axip_timer_fn)(struct axip_stack *s, struct axip_timer *t);

struct axip_timer {
	struct axip_timer *next;
	struct axip_timer **pprev; /* NULL when not armed */
	axip_time_ns expires;
	axip_timer_fn fn;
};

#define TIMER_TICK_SHIFT 20u
#define TIMER_SLOTS 1024u /* power of two */

struct timer_wheel {
	struct axip_timer *slot[TIMER_SLOTS];
	axip_u32 bitmap[TIMER_SLOTS / 32u]; /* non-empty slots */
	axip_u64 cur_tick;                  /* next tick to process */
	axip_u32 armed;                     /* timers currently armed */
	axip_time_ns next_due;              /* no armed timer expires before this: the
	                                       last run's answer, lowered by arms; 0 =
	                                       unknown (the earliest was cancelled) */
};

void timer_wheel_init(struct timer_wheel *w, axip_time_ns now);
void timer_init(struct axip_timer *t, axip_timer_fn fn);
/* Arm (or re-arm) to fire at `expires` (absolute ns). */
void timer_arm(struct timer_wheel *w, struct axip_timer *t, axip_time_ns expires);
void timer_cancel(struct timer_wheel *w, struct axip_timer *t);
static inline int timer_armed(const struct axip_timer *t) { return t->pprev != AXIP_NULL; }
/* Fire every timer due at `now`; returns the next deadline (~0 if none):
 * exact, or early (never late) when the wheel is crowded. */
axip_time_ns timer_run(struct axip_stack *s, struct timer_wheel *w, axip_time_ns now);

#endif
