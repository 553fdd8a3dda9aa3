/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli_opt.h - what every axip program's command line has in common (the
 * examples, axip-xdp-detach, the benchmark clients and servers): number and
 * address arguments checked one way, `--version`, and the one-line message
 * and exit code 2 for an option getopt_long() refused.
 *
 * Conventions: --help prints the usage on stdout and exits 0; --version
 * prints "PROGRAM axip VERSION" on stdout and exits 0; a bad option or
 * argument prints one line on stderr and exits 2 (CLI_EXIT_USAGE).
 */
#ifndef AXIP_CLI_OPT_H
#define AXIP_CLI_OPT_H

#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_USAGE 2

/* Parse a decimal number in [lo, hi]: digits only, no sign, no spaces.
 * Returns 0 and sets *out, or -1. */
int cli_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);

/* The same for a signed number in [lo, hi] (a leading '-' allowed). */
int cli_int(const char *s, long lo, long hi, long *out);

/* Parse seconds (a decimal fraction allowed) in [0, max). 0 or -1. */
int cli_seconds(const char *s, double max, double *out);

/* Parse a dotted-quad IPv4 address into host order. 0 or -1. */
int cli_ipv4(const char *s, uint32_t *host_order);

/* Parse an IPv6 address with an optional "/N" (1..128; default_prefix
 * without one) into network order. 0 or -1. */
int cli_ipv6_prefix(const char *s, uint8_t addr[16], uint8_t *prefix, unsigned default_prefix);

/* The program's name for messages: argv[0] without its directory. */
const char *cli_prog(const char *argv0);

/* --version: print "PROG axip VERSION" (the library's version) on stdout. */
void cli_version(const char *prog);

/*
 * Call with what getopt_long() returned for an option it refused ('?', or ':'
 * with an optstring that starts with ':'), and set opterr = 0 before parsing,
 * so getopt prints nothing itself: prints one line naming the option and
 * exits with CLI_EXIT_USAGE.
 */
void cli_bad_option(const char *prog, int c, char *const argv[]);

/* Print "PROG: invalid WHAT 'ARG' (see --help)" and exit with CLI_EXIT_USAGE. */
void cli_bad_arg(const char *prog, const char *what, const char *arg);

/* cli_uint() and cli_seconds() that call cli_bad_arg() on a bad value. */
unsigned long cli_uint_arg(const char *prog, const char *what, const char *s, unsigned long lo,
                           unsigned long hi);
double cli_seconds_arg(const char *prog, const char *what, const char *s, double max);

/*
 * For a program whose first argument is a mode ("rpc server|client ..."):
 * argv[1] is --help/-h (usage on stdout, exit 0), --version (exit 0), or one
 * of `modes` (NULL-terminated), whose index is returned. Anything else, or
 * nothing, exits with CLI_EXIT_USAGE (nothing: the usage on stderr; else a
 * one-line message).
 */
int cli_mode(const char *prog, int argc, char *const argv[], const char *const modes[],
             void (*usage)(FILE *f));

#endif
