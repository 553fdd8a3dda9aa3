/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fdtab.c - which kernel descriptors stand for axip objects.
 *
 * An axip socket or interest set is named by a real kernel descriptor (the
 * kernel socket the program created, or, for an accepted connection, a dup
 * of the placeholder socket sock.c keeps), so its number is taken and it
 * mixes with every other descriptor. The table maps that number to the object; descriptors at or
 * beyond PL_FD_MAX are never axip's. Reads are lock-free (one atomic load
 * per intercepted call); changes happen under the instance lock.
 */
#include <stdlib.h>
#include "pl.h"

static _Atomic(struct pl_obj *) tab[PL_FD_MAX];
static atomic_int n_mapped;

struct pl_obj *pl_get(int fd)
{
	if (fd < 0 || fd >= PL_FD_MAX || !atomic_load_explicit(&n_mapped, memory_order_relaxed))
		return NULL;
	return atomic_load_explicit(&tab[fd], memory_order_acquire);
}

int pl_any(void)
{
	return atomic_load_explicit(&n_mapped, memory_order_relaxed) != 0;
}

int pl_set(int fd, struct pl_obj *obj)
{
	if (fd < 0 || fd >= PL_FD_MAX || atomic_load(&tab[fd]))
		return -1;
	obj->refs++;
	atomic_fetch_add(&n_mapped, 1);
	atomic_store_explicit(&tab[fd], obj, memory_order_release);
	return 0;
}

struct pl_obj *pl_unset(int fd)
{
	struct pl_obj *o;
	if (fd < 0 || fd >= PL_FD_MAX)
		return NULL;
	o = atomic_exchange(&tab[fd], NULL);
	if (!o)
		return NULL;
	atomic_fetch_sub(&n_mapped, 1);
	return --o->refs == 0 ? o : NULL;
}

static atomic_uchar cand[PL_FD_MAX];

void pl_cand_set(int fd, int on)
{
	if (fd >= 0 && fd < PL_FD_MAX)
		atomic_store_explicit(&cand[fd], (unsigned char)on, memory_order_relaxed);
}

int pl_cand(int fd)
{
	return fd >= 0 && fd < PL_FD_MAX && atomic_load_explicit(&cand[fd], memory_order_relaxed);
}
