/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nodeepbind.c - LD_PRELOAD shim for running packetdrill with an adapter
 * built with AddressSanitizer: packetdrill dlopen()s the adapter with
 * RTLD_DEEPBIND, which the sanitizer runtime refuses. This dlopen() drops
 * that flag and hands the call on (to the sanitizer's dlopen). The adapter
 * needs no deep binding: its own symbols are hidden, bound inside it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

void *dlopen(const char *file, int mode);

__attribute__((visibility("default"))) void *dlopen(const char *file, int mode)
{
	void *(*next)(const char *, int) = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	return next ? next(file, mode & ~RTLD_DEEPBIND) : 0;
}
