/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * example_cli.h - the command line shared by the AF_XDP example programs:
 * interface, port, queues/cores, busy polling, checksum trust, attach mode,
 * dedicated address, reserved port range, pcap, and exit codes.
 */
#ifndef AXIP_EXAMPLE_CLI_H
#define AXIP_EXAMPLE_CLI_H

#include <stdint.h>
#include <axip/xdp.h>
#include "cli_opt.h"

/* Exit codes of the examples. */
enum {
	EX_OK = 0,
	EX_FAIL = 1,      /* runtime failure (attach, sockets, stack) */
	EX_USAGE = 2,     /* bad arguments */
	EX_NOPERM = 3,    /* not root / missing capabilities */
	EX_NOIF = 4       /* no such interface */
};

struct ex_cli {
	struct axip_xdp_opts xo;
	uint16_t port;
	const char *prog;
};

/* A program-specific long option; handle() returns non-zero to reject arg. */
struct ex_extra_opt {
	const char *name;
	int has_arg;             /* 0 or 1 */
	const char *help;        /* one line for --help, after the option name */
	int (*handle)(const char *arg, void *ctx);
};

/*
 * Parse argv: the common options plus `extra` (an array ended by a NULL
 * name, or NULL), whose handlers get `ctx`. Exits with EX_OK after --help
 * and --version, and with EX_USAGE and a one-line message on a bad option
 * or argument (cli_opt.h).
 */
void ex_parse(struct ex_cli *c, int argc, char **argv, const char *summary,
              uint16_t default_port, const struct ex_extra_opt *extra, void *ctx);

/* axip_xdp_open with the parsed options; on failure prints the reason and
 * exits with the matching code. Prints a one-line summary on success. */
struct axip_xdp *ex_open(struct ex_cli *c);

/* Format a host-order IPv4 address. */
const char *ex_ip(uint32_t a, char buf[16]);

#endif
