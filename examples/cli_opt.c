/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_opt.c - argument checks, --version and bad-option messages shared by
 * the programs (see cli_opt.h).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <axip/axip.h>
#include "cli_opt.h"

int cli_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;
	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_int(const char *s, long lo, long hi, long *out)
{
	unsigned long v;
	long x;
	int neg = s && s[0] == '-';
	if (!s || cli_uint(s + neg, 0, LONG_MAX, &v))
		return -1;
	x = neg ? -(long)v : (long)v;
	if (x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

int cli_seconds(const char *s, double max, double *out)
{
	char *end;
	double v;
	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -1;
	v = strtod(s, &end);
	if (*end || !(v >= 0 && v < max))
		return -1;
	*out = v;
	return 0;
}

int cli_ipv4(const char *s, uint32_t *host_order)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*host_order = ntohl(a.s_addr);
	return 0;
}

int cli_ipv6_prefix(const char *s, uint8_t addr[16], uint8_t *prefix, unsigned default_prefix)
{
	char buf[64], *slash;
	unsigned long v = default_prefix;
	if (!s || strlen(s) >= sizeof buf)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		if (cli_uint(slash + 1, 1, 128, &v))
			return -1;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -1;
	*prefix = (uint8_t)v;
	return 0;
}

const char *cli_prog(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	return slash ? slash + 1 : argv0 ? argv0 : "axip";
}

void cli_version(const char *prog)
{
	printf("%s axip %s\n", prog, axip_version());
}

void cli_bad_option(const char *prog, int c, char *const argv[])
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	if (c == ':')
		fprintf(stderr, "%s: option '%s' needs an argument (see --help)\n", prog, arg);
	else if (optopt && optopt < 128 && isprint(optopt) && strncmp(arg, "--", 2) != 0)
		fprintf(stderr, "%s: unrecognized option '-%c' (see --help)\n", prog, optopt);
	else
		fprintf(stderr, "%s: unrecognized option '%s' (see --help)\n", prog, arg);
	exit(CLI_EXIT_USAGE);
}

void cli_bad_arg(const char *prog, const char *what, const char *arg)
{
	fprintf(stderr, "%s: invalid %s '%s' (see --help)\n", prog, what, arg ? arg : "");
	exit(CLI_EXIT_USAGE);
}

unsigned long cli_uint_arg(const char *prog, const char *what, const char *s, unsigned long lo,
                           unsigned long hi)
{
	unsigned long v;
	if (cli_uint(s, lo, hi, &v))
		cli_bad_arg(prog, what, s);
	return v;
}

double cli_seconds_arg(const char *prog, const char *what, const char *s, double max)
{
	double v;
	if (cli_seconds(s, max, &v))
		cli_bad_arg(prog, what, s);
	return v;
}

int cli_mode(const char *prog, int argc, char *const argv[], const char *const modes[],
             void (*usage)(FILE *f))
{
	int i;
	if (argc < 2) {
		usage(stderr);
		exit(CLI_EXIT_USAGE);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		exit(0);
	}
	if (!strcmp(argv[1], "--version")) {
		cli_version(prog);
		exit(0);
	}
	for (i = 0; modes[i]; i++)
		if (!strcmp(argv[1], modes[i]))
			return i;
	fprintf(stderr, "%s: %s '%s' (see --help)\n", prog,
	        argv[1][0] == '-' ? "unrecognized option" : "unknown mode", argv[1]);
	exit(CLI_EXIT_USAGE);
}
