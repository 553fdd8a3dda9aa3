/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * example_cli.c - command-line parsing and attach for the example programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <axip/runner.h>
#include "example_cli.h"

static void usage(FILE *f, const struct ex_cli *c, const char *summary, uint16_t port,
                  const struct ex_extra_opt *extra)
{
	fprintf(f,
	        "usage: %s --ifname IFNAME [options]\n"
	        "%s\n\n"
	        "  -i, --ifname IFNAME   interface to attach to (required)\n"
	        "  -p, --port PORT       port to serve (default %u)\n"
	        "  -q, --queues N        receive queues 0..N-1, one worker each (default 1)\n"
	        "  -c, --cores LIST      comma-separated CPU of each worker, each one the\n"
	        "                        process may run on (default: worker i on the i-th\n"
	        "                        CPU it may run on, see taskset; -1 = not pinned)\n"
	        "      --busy-poll       spin on the rings with SO_PREFER_BUSY_POLL instead of\n"
	        "                        sleeping in poll() until traffic or the next timer\n"
	        "      --poll-us N       adaptive polling: after traffic, spin on the rings\n"
	        "                        for N microseconds before sleeping (default %u;\n"
	        "                        0 = sleep at once)\n"
	        "      --trusted-csum    trust the link: skip receive checksum checks (needed\n"
	        "                        when the peer sends partial checksums, e.g. a veth\n"
	        "                        peer with TX checksum offload on)\n"
	        "      --native | --generic  force the XDP attach mode (default: native,\n"
	        "                        generic if the driver refuses)\n"
	        "      --addr A.B.C.D/N  use a dedicated address that the kernel does not own\n"
	        "                        (ARP for it is steered to axip); default: share the\n"
	        "                        interface's own address with the kernel\n"
	        "      --addr6 ADDR[/N]  use a dedicated IPv6 address that the kernel does not\n"
	        "                        own (its neighbour discovery is axip's; N default\n"
	        "                        64); default: share the interface's IPv6 addresses\n"
	        "      --no-ip6          IPv4 only (default: IPv6 too when the interface has\n"
	        "                        an IPv6 address, or with --addr6)\n"
	        "      --local-ports LO-HI  ports of axip's own connections, reserved in the\n"
	        "                        kernel while running (default 61000-61999)\n"
	        "      --pcap FILE       write every frame the stack receives and sends\n"
	        "      --frame-size N    UMEM frame size, 2048 or 4096 (default 2048)\n"
	        "      --no-sg           no multi-buffer frames: chains are copied on transmit,\n"
	        "                        frames must fit one UMEM frame\n"
	        "      --tx-copy         copy every TX payload into its frame (no zero-copy\n"
	        "                        transmit; multi-buffer receive stays)\n"
	        "      --tx-copy-max N   copy TX payloads up to N bytes into the header frame\n"
	        "                        instead of chaining them (default %u)\n"
	        "      --tx-csum MODE    TCP/UDP transmit checksum: sw (default), meta (AF_XDP\n"
	        "                        TX metadata: device or kernel), meta-sw (TX metadata,\n"
	        "                        kernel computes it in software)\n"
	        "      --no-rx-hash      do not load the XDP program bound to the device for\n"
	        "                        the receive hash\n"
	        "  -v, --verbose         libxdp/libbpf diagnostics\n"
	        "  -h, --help            this text\n"
	        "      --version         print the version\n",
	        c->prog, summary, port, AXIP_XDP_POLL_BUDGET_US_DEFAULT, AXIP_XDP_TX_COPY_MAX_DEFAULT);
	for (; extra && extra->name; extra++)
		fprintf(f, "      --%s%s  %s\n", extra->name, extra->has_arg ? " ARG" : "", extra->help);
	fprintf(f, "\n"
	        "Counters are printed on exit and on SIGUSR1; SIGINT/SIGTERM detach cleanly.\n"
	        "A program left behind by a killed process is replaced at the next start, or\n"
	        "removed with: axip-xdp-detach --ifname IFNAME\n"
	        "Exit codes: 0 ok, 1 runtime failure, 2 bad arguments, 3 missing privileges,\n"
	        "4 no such interface.\n");
}

static void parse_cores(struct ex_cli *c, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	unsigned i = 0;
	unsigned long v;
	if (!copy)
		exit(EX_FAIL);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (i >= AXIP_XDP_MAX_WORKERS)
			cli_bad_arg(c->prog, "core list", arg);
		if (strcmp(tok, "-1") == 0)
			c->xo.cores[i++] = -1;
		else if (cli_uint(tok, 0, 4095, &v) == 0)
			c->xo.cores[i++] = (int)v;
		else
			cli_bad_arg(c->prog, "core list", arg);
	}
	if (!i)
		cli_bad_arg(c->prog, "core list", arg);
	free(copy);
}

#define EX_MAX_OPTS 32

void ex_parse(struct ex_cli *c, int argc, char **argv, const char *summary, uint16_t default_port,
              const struct ex_extra_opt *extra, void *ctx)
{
	enum { O_BUSY = 256, O_TRUST, O_NATIVE, O_GENERIC, O_ADDR, O_PORTS, O_PCAP, O_FRAME,
	       O_NO_SG, O_TX_COPY, O_COPY_MAX, O_CSUM, O_NO_RX_HASH, O_VERSION, O_POLL_US,
	       O_ADDR6, O_NO_IP6 };
	static const struct option common[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "queues", required_argument, NULL, 'q' },
		{ "cores", required_argument, NULL, 'c' },
		{ "busy-poll", no_argument, NULL, O_BUSY },
		{ "poll-us", required_argument, NULL, O_POLL_US },
		{ "trusted-csum", no_argument, NULL, O_TRUST },
		{ "native", no_argument, NULL, O_NATIVE },
		{ "generic", no_argument, NULL, O_GENERIC },
		{ "addr", required_argument, NULL, O_ADDR },
		{ "addr6", required_argument, NULL, O_ADDR6 },
		{ "no-ip6", no_argument, NULL, O_NO_IP6 },
		{ "local-ports", required_argument, NULL, O_PORTS },
		{ "pcap", required_argument, NULL, O_PCAP },
		{ "frame-size", required_argument, NULL, O_FRAME },
		{ "no-sg", no_argument, NULL, O_NO_SG },
		{ "tx-copy", no_argument, NULL, O_TX_COPY },
		{ "tx-copy-max", required_argument, NULL, O_COPY_MAX },
		{ "tx-csum", required_argument, NULL, O_CSUM },
		{ "no-rx-hash", no_argument, NULL, O_NO_RX_HASH },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	struct option lo[EX_MAX_OPTS];
	unsigned long v, v2;
	int o, n = 0, k;
	while (common[n].name)
		n++;
	memcpy(lo, common, sizeof(struct option) * (size_t)n);
	for (k = 0; extra && extra[k].name && n < EX_MAX_OPTS - 1; k++, n++) {
		lo[n].name = extra[k].name;
		lo[n].has_arg = extra[k].has_arg ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = 1000 + k;
	}
	memset(&lo[n], 0, sizeof lo[n]);
	memset(c, 0, sizeof *c);
	c->prog = cli_prog(argv[0]);
	c->port = default_port;
	axip_xdp_opts_defaults(&c->xo);
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":i:p:q:c:vh", lo, NULL)) != -1) {
		switch (o) {
		case 'i': c->xo.ifname = optarg; break;
		case 'p':
			if (cli_uint(optarg, 1, 65535, &v))
				cli_bad_arg(c->prog, "port", optarg);
			c->port = (uint16_t)v;
			break;
		case 'q':
			if (cli_uint(optarg, 1, AXIP_XDP_MAX_WORKERS, &v))
				cli_bad_arg(c->prog, "queue count", optarg);
			c->xo.n_queues = (unsigned)v;
			break;
		case 'c': parse_cores(c, optarg); break;
		case O_BUSY: c->xo.busy_poll = 1; break;
		case O_POLL_US:
			if (cli_uint(optarg, 0, 1000000, &v))
				cli_bad_arg(c->prog, "poll budget", optarg);
			c->xo.poll_budget_us = (unsigned)v;
			break;
		case O_TRUST: c->xo.trusted_csum = 1; break;
		case O_NATIVE: c->xo.mode = AXIP_XDP_MODE_NATIVE; break;
		case O_GENERIC: c->xo.mode = AXIP_XDP_MODE_GENERIC; break;
		case O_ADDR: {
			char ip[32], *slash;
			uint32_t a;
			snprintf(ip, sizeof ip, "%s", optarg);
			slash = strchr(ip, '/');
			v = 24;
			if (slash) {
				*slash = 0;
				if (cli_uint(slash + 1, 1, 32, &v))
					cli_bad_arg(c->prog, "address", optarg);
			}
			if (cli_ipv4(ip, &a) || !a)
				cli_bad_arg(c->prog, "address", optarg);
			c->xo.dedicated_addr = a;
			c->xo.dedicated_prefix = (uint8_t)v;
			break;
		}
		case O_ADDR6:
			if (cli_ipv6_prefix(optarg, c->xo.dedicated_addr6, &c->xo.dedicated_prefix6, 64))
				cli_bad_arg(c->prog, "IPv6 address", optarg);
			break;
		case O_NO_IP6: c->xo.no_ip6 = 1; break;
		case O_PORTS: {
			char lo_s[16], *dash;
			snprintf(lo_s, sizeof lo_s, "%s", optarg);
			dash = strchr(lo_s, '-');
			if (!dash)
				cli_bad_arg(c->prog, "port range", optarg);
			*dash = 0;
			if (cli_uint(lo_s, 1024, 65535, &v) || cli_uint(dash + 1, v, 65535, &v2))
				cli_bad_arg(c->prog, "port range", optarg);
			c->xo.port_lo = (uint16_t)v;
			c->xo.port_hi = (uint16_t)v2;
			break;
		}
		case O_PCAP: c->xo.pcap_path = optarg; break;
		case O_FRAME:
			if (cli_uint(optarg, 2048, 4096, &v) || (v != 2048 && v != 4096))
				cli_bad_arg(c->prog, "frame size", optarg);
			c->xo.frame_size = (unsigned)v;
			break;
		case O_NO_SG: c->xo.no_sg = 1; break;
		case O_TX_COPY: c->xo.tx_copy = 1; break;
		case O_COPY_MAX:
			if (cli_uint(optarg, 0, 4096, &v))
				cli_bad_arg(c->prog, "copy threshold", optarg);
			c->xo.tx_copy_max = (unsigned)v;
			break;
		case O_CSUM:
			if (!strcmp(optarg, "sw"))
				c->xo.tx_csum = AXIP_XDP_CSUM_SW;
			else if (!strcmp(optarg, "meta"))
				c->xo.tx_csum = AXIP_XDP_CSUM_META;
			else if (!strcmp(optarg, "meta-sw"))
				c->xo.tx_csum = AXIP_XDP_CSUM_META_SW;
			else
				cli_bad_arg(c->prog, "checksum mode", optarg);
			break;
		case O_NO_RX_HASH: c->xo.no_rx_hash = 1; break;
		case 'v': c->xo.verbose = 1; break;
		case 'h': usage(stdout, c, summary, default_port, extra); exit(EX_OK);
		case O_VERSION: cli_version(c->prog); exit(EX_OK);
		default:
			if (o >= 1000 && o < 1000 + k) {
				if (extra[o - 1000].handle(optarg, ctx))
					cli_bad_arg(c->prog, extra[o - 1000].name, optarg);
				break;
			}
			cli_bad_option(c->prog, o, argv);
		}
	}
	if (optind != argc)
		cli_bad_arg(c->prog, "argument", argv[optind]);
	if (!c->xo.ifname) {
		fprintf(stderr, "%s: --ifname is required (see --help)\n", c->prog);
		exit(EX_USAGE);
	}
}

const char *ex_ip(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}

struct axip_xdp *ex_open(struct ex_cli *c)
{
	struct axip_xdp *x;
	char err[256], ip[16];
	int rc;
	c->xo.log = axip_runner_log_stderr; /* warnings and notices: "axip: ..." */
	rc = axip_xdp_open(&c->xo, &x, err, sizeof err);
	if (rc) {
		fprintf(stderr, "%s: %s\n", c->prog, err);
		exit(rc == -EPERM ? EX_NOPERM : rc == -ENODEV ? EX_NOIF : EX_FAIL);
	}
	fprintf(stderr, "%s: attached to %s (%s mode%s), address %s, IPv6 %s, %u worker%s\n",
	        c->prog, c->xo.ifname, axip_xdp_mode_name(x),
	        axip_xdp_uses_dispatcher(x) ? ", libxdp dispatcher" : "", ex_ip(axip_xdp_addr(x), ip),
	        axip_xdp_ip6(x) ? "on" : "off", axip_xdp_n_workers(x),
	        axip_xdp_n_workers(x) == 1 ? "" : "s");
	axip_xdp_describe(x, err, sizeof err);
	fprintf(stderr, "%s: %s\n", c->prog, err);
	return x;
}
