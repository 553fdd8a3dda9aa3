/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * carve.h - lays out an instance's tables inside the embedder's block.
 *
 * axip_mem_size() runs the same layout code as axip_init() with a NULL base:
 * carve() then only counts bytes and returns NULL, and modules must not touch
 * the memory (they check carve_dry()). One code path, so the size can never
 * disagree with what init uses.
 */
#ifndef AXIP_CARVE_H
#define AXIP_CARVE_H

#include "../include/axip/types.h"

struct carve {
	axip_u8 *base; /* NULL during the sizing pass */
	axip_size off;
	axip_size cap;
};

static inline void *carve(struct carve *c, axip_size size, axip_size align)
{
	axip_size off = (c->off + align - 1u) & ~(align - 1u);
	c->off = off + size;
	if (!c->base || c->off > c->cap)
		return AXIP_NULL;
	return c->base + off;
}

static inline int carve_dry(const struct carve *c)
{
	return c->base == AXIP_NULL;
}

#define CARVE_ARRAY(c, type, n) ((type *)carve((c), sizeof(type) * (axip_size)(n), 8u))

#endif
