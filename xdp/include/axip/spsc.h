/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/spsc.h - a bounded single-producer/single-consumer ring of
 * fixed-size elements, for passing work between two threads without locks.
 *
 * One thread produces, one consumes; each side touches only its own index
 * (on its own cache line) and reads the other's with acquire ordering, so an
 * element is fully written before the consumer can see it and fully read
 * before the producer can reuse it. Elements are used in place: the producer
 * writes into the slot axip_spsc_reserve() returns and publishes it with
 * axip_spsc_commit(); the consumer reads the slot axip_spsc_peek() returns
 * and frees it with axip_spsc_release(). Nothing is allocated after
 * axip_spsc_new(), nothing blocks, and nothing wakes the other side: pair the
 * ring with a wake-up of your own (the AF_XDP backend uses an eventfd, see
 * axip_xdp_wake() and the channels in <axip/xdp.h>).
 *
 * Users in this tree: the hand-off of frames between AF_XDP workers
 * (xdp/src/handoff.c) and the channels between a worker and an application
 * thread (xdp/src/chan.c).
 */
#ifndef AXIP_SPSC_H
#define AXIP_SPSC_H

#include <stdint.h>

struct axip_spsc;

/*
 * A ring of `entries` elements (a power of two, 1..2^30) of `elem_size`
 * bytes each (1..2^20), every element aligned to 16 bytes. NULL on bad sizes
 * or when out of memory.
 */
struct axip_spsc *axip_spsc_new(uint32_t entries, uint32_t elem_size);
/* The same in one shared anonymous mapping: after fork() the parent and its
 * children see one ring, so the producer and the consumer may be different
 * processes (prefork workers). axip_spsc_free() unmaps this process's view. */
struct axip_spsc *axip_spsc_new_shared(uint32_t entries, uint32_t elem_size);
void axip_spsc_free(struct axip_spsc *r);
uint32_t axip_spsc_capacity(const struct axip_spsc *r);

/* Producer: the next free element, or NULL when the ring is full. Calling it
 * again before axip_spsc_commit() returns the same element. */
void *axip_spsc_reserve(struct axip_spsc *r);
/* Producer: publish the element axip_spsc_reserve() returned. */
void axip_spsc_commit(struct axip_spsc *r);

/* Consumer: the oldest published element, or NULL when the ring is empty.
 * It stays valid until axip_spsc_release(). */
void *axip_spsc_peek(struct axip_spsc *r);
/* Consumer: done with the element axip_spsc_peek() returned. */
void axip_spsc_release(struct axip_spsc *r);

/* Either side: whether nothing is published (from the producer's side a
 * snapshot: the consumer may be emptying it meanwhile). */
int axip_spsc_empty(const struct axip_spsc *r);

/* Rings of pointers (elem_size sizeof(void *)): push returns 0, or -1 when
 * full; pop returns NULL when empty. */
int axip_spsc_push_ptr(struct axip_spsc *r, void *p);
void *axip_spsc_pop_ptr(struct axip_spsc *r);

#endif
