/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * opts.c - the shim's options, from environment variables (docs/preload.md):
 * AXIP_IFNAME (required: without it the shim passes everything to the
 * kernel), AXIP_QUEUES, AXIP_BUSY_POLL, AXIP_ADDR, AXIP_ADDR6, AXIP_IP6,
 * AXIP_DUAL_STACK, AXIP_VERBOSE, AXIP_MAX_SOCKETS. axip-run sets them from
 * its command line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pl.h"

struct pl_opts pl_opts;

void pl_log(int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n, saved = errno;
	if (level > pl_opts.verbose)
		return;
	n = snprintf(buf, sizeof buf, "axip-preload[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	/* straight to the descriptor: no stdio lock, no interception */
	if (REAL(write)(2, buf, (size_t)n) < 0) {
		/* nowhere to report it */
	}
	errno = saved;
}

static int env_uint(const char *name, unsigned long lo, unsigned long hi, unsigned long def,
                    unsigned long *out)
{
	const char *v = getenv(name);
	char *end;
	unsigned long x;
	*out = def;
	if (!v || !*v)
		return 0;
	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno || *end || x < lo || x > hi) {
		pl_log(0, "%s=%s: expected a number in %lu..%lu; axip stays off", name, v, lo, hi);
		return -1;
	}
	*out = x;
	return 0;
}

/*
 * Parse "ADDR[/PREFIX]" of family af into a (struct in_addr or in6_addr)
 * and *prefix (left as it is without /PREFIX; 1..max). 0, or -1 when
 * malformed.
 */
static int parse_addr_prefix(const char *v, int af, void *a, unsigned max, uint8_t *prefix)
{
	char ip[INET6_ADDRSTRLEN];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	if (n >= sizeof ip)
		return -1;
	memcpy(ip, v, n);
	ip[n] = 0;
	if (inet_pton(af, ip, a) != 1)
		return -1;
	if (slash) {
		char *end;
		unsigned long p = strtoul(slash + 1, &end, 10);
		if (*end || p < 1 || p > max || !slash[1])
			return -1;
		*prefix = (uint8_t)p;
	}
	return 0;
}

static int env_addr(void)
{
	const char *v = getenv("AXIP_ADDR");
	struct in_addr a;
	pl_opts.prefix = 24;
	if (!v || !*v)
		return 0;
	if (parse_addr_prefix(v, AF_INET, &a, 32, &pl_opts.prefix) != 0) {
		pl_log(0, "AXIP_ADDR=%s: expected an IPv4 address, optionally /PREFIX; axip stays off", v);
		return -1;
	}
	pl_opts.addr = ntohl(a.s_addr);
	return 0;
}

static int env_addr6(void)
{
	const char *v = getenv("AXIP_ADDR6");
	struct in6_addr a;
	pl_opts.prefix6 = 64;
	if (!v || !*v)
		return 0;
	if (parse_addr_prefix(v, AF_INET6, &a, 128, &pl_opts.prefix6) != 0 ||
	    IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_MULTICAST(&a) ||
	    IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_V4MAPPED(&a)) {
		pl_log(0, "AXIP_ADDR6=%s: expected a global IPv6 address, optionally /PREFIX; axip "
		       "stays off", v);
		return -1;
	}
	memcpy(pl_opts.addr6, a.s6_addr, 16);
	pl_opts.has_addr6 = 1;
	return 0;
}

int pl_opts_read(void)
{
	unsigned long v;
	if (env_uint("AXIP_VERBOSE", 0, 3, 0, &v))
		return -1;
	pl_opts.verbose = (int)v;
	pl_opts.ifname = getenv("AXIP_IFNAME");
	if (pl_opts.ifname && !*pl_opts.ifname)
		pl_opts.ifname = NULL;
	if (!pl_opts.ifname)
		return 0;
	if (env_uint("AXIP_QUEUES", 1, AXIP_XDP_MAX_WORKERS, 1, &v))
		return -1;
	pl_opts.queues = (unsigned)v;
	if (env_uint("AXIP_BUSY_POLL", 0, 1, 0, &v))
		return -1;
	pl_opts.busy_poll = (int)v;
	if (env_uint("AXIP_MAX_SOCKETS", 16, 1u << 20, 4096, &v))
		return -1;
	pl_opts.max_sockets = (unsigned)v;
	if (env_uint("AXIP_DUAL_STACK", 0, 1, 1, &v))
		return -1;
	pl_opts.dual_stack = (int)v;
	if (env_uint("AXIP_IP6", 0, 1, 1, &v))
		return -1;
	pl_opts.ip6 = (int)v;
	if (env_addr() || env_addr6())
		return -1;
	if (pl_opts.has_addr6 && !pl_opts.ip6) {
		pl_log(0, "AXIP_ADDR6 with AXIP_IP6=0; axip stays off");
		return -1;
	}
	return 0;
}
