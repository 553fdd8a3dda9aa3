/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spsc.c - the bounded single-producer/single-consumer ring of <axip/spsc.h>.
 *
 * head counts published elements (written by the producer), tail released
 * ones (written by the consumer); both run freely and wrap, and the slot of
 * count n is n & mask. Each side keeps a copy of the other's index and
 * reloads it only when the copy says full (producer) or empty (consumer),
 * so a steady stream costs one shared cache line transfer per batch, not per
 * element.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <axip/spsc.h>

#define LINE 64

struct axip_spsc {
	_Alignas(LINE) _Atomic uint32_t head; /* producer's line */
	uint32_t tail_seen;                   /* the producer's copy of tail */
	_Alignas(LINE) _Atomic uint32_t tail; /* consumer's line */
	uint32_t head_seen;                   /* the consumer's copy of head */
	_Alignas(LINE) uint32_t mask;         /* read-only after new */
	uint32_t stride;
	unsigned char *slots;
	size_t map_len;                       /* axip_spsc_new_shared: the mapping; 0 heap */
};

static int sizes_ok(uint32_t entries, uint32_t elem_size)
{
	return entries && !(entries & (entries - 1)) && entries <= (1u << 30) && elem_size &&
	       elem_size <= (1u << 20);
}

struct axip_spsc *axip_spsc_new(uint32_t entries, uint32_t elem_size)
{
	struct axip_spsc *r;
	uint32_t stride = (elem_size + 15u) & ~15u;
	if (!sizes_ok(entries, elem_size))
		return NULL;
	r = aligned_alloc(LINE, sizeof *r);
	if (!r)
		return NULL;
	memset(r, 0, sizeof *r);
	r->mask = entries - 1;
	r->stride = stride;
	r->slots = aligned_alloc(LINE, ((size_t)entries * stride + LINE - 1) & ~(size_t)(LINE - 1));
	if (!r->slots) {
		free(r);
		return NULL;
	}
	return r;
}

struct axip_spsc *axip_spsc_new_shared(uint32_t entries, uint32_t elem_size)
{
	struct axip_spsc *r;
	uint32_t stride = (elem_size + 15u) & ~15u;
	size_t head = (sizeof *r + LINE - 1) & ~(size_t)(LINE - 1), len;
	void *m;
	if (!sizes_ok(entries, elem_size))
		return NULL;
	len = head + (size_t)entries * stride;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	r = m; /* zeroed by the kernel */
	r->mask = entries - 1;
	r->stride = stride;
	r->slots = (unsigned char *)m + head;
	r->map_len = len;
	return r;
}

void axip_spsc_free(struct axip_spsc *r)
{
	if (!r)
		return;
	if (r->map_len) {
		munmap(r, r->map_len);
		return;
	}
	free(r->slots);
	free(r);
}

uint32_t axip_spsc_capacity(const struct axip_spsc *r)
{
	return r->mask + 1;
}

void *axip_spsc_reserve(struct axip_spsc *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	if (head - r->tail_seen > r->mask) {
		r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (head - r->tail_seen > r->mask)
			return NULL;
	}
	return r->slots + (size_t)(head & r->mask) * r->stride;
}

void axip_spsc_commit(struct axip_spsc *r)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

void *axip_spsc_peek(struct axip_spsc *r)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	if (tail == r->head_seen) {
		r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
		if (tail == r->head_seen)
			return NULL;
	}
	return r->slots + (size_t)(tail & r->mask) * r->stride;
}

void axip_spsc_release(struct axip_spsc *r)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

int axip_spsc_empty(const struct axip_spsc *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) ==
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}

int axip_spsc_push_ptr(struct axip_spsc *r, void *p)
{
	void *slot = axip_spsc_reserve(r);
	if (!slot)
		return -1;
	memcpy(slot, &p, sizeof p);
	axip_spsc_commit(r);
	return 0;
}

void *axip_spsc_pop_ptr(struct axip_spsc *r)
{
	void *slot = axip_spsc_peek(r), *p;
	if (!slot)
		return NULL;
	memcpy(&p, slot, sizeof p);
	axip_spsc_release(r);
	return p;
}
