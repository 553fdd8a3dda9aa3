/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.h - small helpers shared by the backend's files.
 */
#ifndef AXIP_XDP_UTIL_H
#define AXIP_XDP_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <axip/xdp.h>

/* Format a one-line error message into err (may be NULL). */
static inline void xerr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void xerr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Log a one-line message through o->log (nothing when o or its log is
 * unset; xdp.c). */
void xdp_log(const struct axip_xdp_opts *o, enum axip_xdp_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
