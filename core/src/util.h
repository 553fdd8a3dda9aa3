/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.h - small arithmetic helpers the core's modules share, so that none
 * keeps a copy of its own. (Byte order and the memory helpers are in wire.h.)
 */
#ifndef AXIP_UTIL_H
#define AXIP_UTIL_H

#include "../include/axip/types.h"

static inline axip_u32 min_u32(axip_u32 a, axip_u32 b)
{
	return a < b ? a : b;
}

static inline axip_u32 max_u32(axip_u32 a, axip_u32 b)
{
	return a > b ? a : b;
}

#endif
