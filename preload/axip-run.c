/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip-run - run an unmodified program with its IPv4 sockets on axip.
 *
 *   axip-run --ifname IF [--queues N] [--busy-poll] [--addr A[/P]]
 *            [--addr6 A[/P]] [--verbose] [--max-sockets N] [--no-dual-stack]
 *            [--no-ip6] -- PROGRAM [ARGS...]
 *
 * Checks privileges and the interface, sets the shim's environment
 * (AXIP_IFNAME, ...; docs/preload.md) and LD_PRELOAD (libaxip-preload.so,
 * found next to this program in the build tree or in the library directory
 * of its installation; AXIP_PRELOAD_LIB overrides), and execs PROGRAM.
 * Exit codes before the exec: 2 bad usage, 3 no privileges, 4 no such
 * interface, 5 library not found, 126/127 PROGRAM not executable/found.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <link.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <axip/axip.h>

#ifndef AXIP_RUN_LIBDIR_REL
#define AXIP_RUN_LIBDIR_REL "../lib"
#endif
#define LIBNAME "libaxip-preload.so"
#define PROG "axip-run"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: " PROG " --ifname IF [options] -- PROGRAM [ARGS...]\n"
	        "Run PROGRAM with its IPv4 and IPv6 TCP/UDP sockets on axip over AF_XDP on IF;\n"
	        "every other socket (Unix, loopback, other interfaces) stays the kernel's.\n"
	        "A stream socket bound to :: with IPV6_V6ONLY off (the Linux default) serves\n"
	        "both families; a datagram one serves IPv4 only (docs/preload.md).\n"
	        "Environment (set from the options): AXIP_IFNAME, AXIP_QUEUES, AXIP_BUSY_POLL,\n"
	        "AXIP_ADDR, AXIP_ADDR6, AXIP_MAX_SOCKETS, AXIP_DUAL_STACK, AXIP_IP6, AXIP_VERBOSE.\n"
	        "  --ifname IF        interface to attach to (required)\n"
	        "  --queues N         receive queues: one per worker process a prefork server\n"
	        "                     forks after listening (default 1)\n"
	        "  --busy-poll        spin instead of sleeping in the kernel while waiting\n"
	        "  --addr A[/P]       dedicated IPv4 address for axip (default: share IF's)\n"
	        "  --addr6 A[/P]      dedicated IPv6 address for axip, prefix default 64\n"
	        "                     (default: share IF's IPv6 addresses)\n"
	        "  --max-sockets N    axip sockets at once (default 4096)\n"
	        "  --no-dual-stack    IPv4 through AF_INET6 sockets (IPv4-mapped addresses, ::\n"
	        "                     with IPV6_V6ONLY off) stays the kernel's (AXIP_DUAL_STACK=0)\n"
	        "  --no-ip6           native IPv6 stays the kernel's: AF_INET6 sockets serve only\n"
	        "                     IPv4 peers on axip, dual-stack ones (AXIP_IP6=0)\n"
	        "  --verbose          say what the shim does on stderr (repeat for more)\n"
	        "  --help, --version\n"
	        "Exit codes: 2 bad usage, 3 not root / no CAP_NET_ADMIN, 4 no such interface,\n"
	        "5 library not found, 126/127 PROGRAM not executable / not found; otherwise\n"
	        "PROGRAM's. Details: docs/preload.md.\n");
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, PROG ": %s '%s' (see --help)\n", what, arg ? arg : "");
	return 2;
}

/* CAP_NET_ADMIN (12) in the effective set, read from /proc/self/status. */
static int has_net_admin(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long eff = 0;
	int found = 0;
	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = 1;
			break;
		}
	fclose(f);
	return found ? (int)((eff >> 12) & 1) : geteuid() == 0;
}

/* The shim: AXIP_PRELOAD_LIB, next to this program, or in its libdir. */
static int find_lib(char *out, size_t len)
{
	const char *env = getenv("AXIP_PRELOAD_LIB");
	const char *rel[] = { "", AXIP_RUN_LIBDIR_REL "/", "../lib/", "../preload/" };
	char exe[PATH_MAX], *slash;
	ssize_t n;
	unsigned i;
	if (env && *env) {
		snprintf(out, len, "%s", env);
		return access(out, R_OK);
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return -1;
	*slash = 0;
	for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		char path[PATH_MAX + 64];
		snprintf(path, sizeof path, "%s/%s" LIBNAME, exe, rel[i]);
		if (access(path, R_OK) == 0 && realpath(path, out))
			return 0;
	}
	(void)len;
	return -1;
}

#ifdef __SANITIZE_ADDRESS__
/* A sanitizer build's shim needs the ASan runtime loaded first: the one this
 * program was linked with. */
static int find_asan(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (info->dlpi_name && strstr(info->dlpi_name, "/libasan.so")) {
		snprintf(data, PATH_MAX, "%s", info->dlpi_name);
		return 1;
	}
	return 0;
}
#endif

/* LD_PRELOAD: the shim (after the ASan runtime in a sanitizer build), then
 * what was preloaded already. */
static int set_preload(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char first[PATH_MAX] = "", *v;
	size_t l;
#ifdef __SANITIZE_ADDRESS__
	dl_iterate_phdr(find_asan, first);
	if (first[0])
		setenv("ASAN_OPTIONS", "detect_leaks=0", 0); /* the program itself is not checked */
#endif
	l = strlen(first) + strlen(lib) + (old ? strlen(old) : 0) + 3;
	v = malloc(l);
	if (!v)
		return -1;
	snprintf(v, l, "%s%s%s%s%s", first, first[0] ? ":" : "", lib, old && *old ? ":" : "",
	         old && *old ? old : "");
	l = (size_t)setenv("LD_PRELOAD", v, 1); /* setenv copies */
	free(v);
	return (int)l;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "queues", required_argument, NULL, 'q' },
		{ "busy-poll", no_argument, NULL, 'b' },
		{ "addr", required_argument, NULL, 'a' },
		{ "addr6", required_argument, NULL, 'A' },
		{ "no-ip6", no_argument, NULL, '6' },
		{ "max-sockets", required_argument, NULL, 'm' },
		{ "no-dual-stack", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL, *addr = NULL, *addr6 = NULL;
	unsigned long queues = 1, max_sockets = 0;
	int busy = 0, verbose = 0, dual = 1, ip6 = 1, c;
	char lib[PATH_MAX], num[32], *end;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'q':
			errno = 0;
			queues = strtoul(optarg, &end, 10);
			if (errno || *end || queues < 1 || queues > 64)
				return bad("invalid --queues", optarg);
			break;
		case 'b':
			busy = 1;
			break;
		case 'a': {
			char ip[64];
			struct in_addr a;
			size_t l = strcspn(optarg, "/");
			if (l >= sizeof ip)
				return bad("invalid --addr", optarg);
			memcpy(ip, optarg, l);
			ip[l] = 0;
			if (inet_pton(AF_INET, ip, &a) != 1)
				return bad("invalid --addr", optarg);
			addr = optarg;
			break;
		}
		case 'A': {
			char ip[64], *e;
			struct in6_addr a;
			const char *sl = strchr(optarg, '/');
			size_t l = strcspn(optarg, "/");
			if (l >= sizeof ip)
				return bad("invalid --addr6", optarg);
			memcpy(ip, optarg, l);
			ip[l] = 0;
			if (inet_pton(AF_INET6, ip, &a) != 1 || IN6_IS_ADDR_UNSPECIFIED(&a) ||
			    IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_MULTICAST(&a) ||
			    IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_V4MAPPED(&a))
				return bad("invalid --addr6", optarg);
			if (sl) {
				unsigned long p = strtoul(sl + 1, &e, 10);
				if (!sl[1] || *e || p < 1 || p > 128)
					return bad("invalid --addr6", optarg);
			}
			addr6 = optarg;
			break;
		}
		case '6':
			ip6 = 0;
			break;
		case 'm':
			errno = 0;
			max_sockets = strtoul(optarg, &end, 10);
			if (errno || *end || max_sockets < 16 || max_sockets > (1ul << 20))
				return bad("invalid --max-sockets", optarg);
			break;
		case 'v':
			verbose++;
			break;
		case 'd':
			dual = 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf(PROG " axip %s\n", axip_version());
			return 0;
		default:
			return bad("unrecognized option or missing argument", argv[optind - 1]);
		}
	}
	if (addr6 && !ip6)
		return bad("--addr6 with --no-ip6", addr6);
	if (!ifname || optind >= argc) {
		fprintf(stderr, PROG ": missing %s (see --help)\n", !ifname ? "--ifname" : "PROGRAM");
		return 2;
	}
	if (!has_net_admin()) {
		fprintf(stderr, PROG ": attaching to %s needs root or CAP_NET_ADMIN\n", ifname);
		return 3;
	}
	if (!if_nametoindex(ifname)) {
		fprintf(stderr, PROG ": no interface '%s' here\n", ifname);
		return 4;
	}
	if (find_lib(lib, sizeof lib)) {
		fprintf(stderr, PROG ": cannot find " LIBNAME " (set AXIP_PRELOAD_LIB)\n");
		return 5;
	}
	setenv("AXIP_IFNAME", ifname, 1);
	snprintf(num, sizeof num, "%lu", queues);
	setenv("AXIP_QUEUES", num, 1);
	setenv("AXIP_BUSY_POLL", busy ? "1" : "0", 1);
	setenv("AXIP_DUAL_STACK", dual ? "1" : "0", 1);
	setenv("AXIP_IP6", ip6 ? "1" : "0", 1);
	if (addr)
		setenv("AXIP_ADDR", addr, 1);
	else
		unsetenv("AXIP_ADDR");
	if (addr6)
		setenv("AXIP_ADDR6", addr6, 1);
	else
		unsetenv("AXIP_ADDR6");
	if (max_sockets) {
		snprintf(num, sizeof num, "%lu", max_sockets);
		setenv("AXIP_MAX_SOCKETS", num, 1);
	}
	snprintf(num, sizeof num, "%d", verbose > 3 ? 3 : verbose);
	setenv("AXIP_VERBOSE", num, 1);
	unsetenv("AXIP_PRELOAD_PID");
	if (set_preload(lib))
		return 1;
	execvp(argv[optind], argv + optind);
	c = errno;
	fprintf(stderr, PROG ": cannot run '%s': %s\n", argv[optind], strerror(c));
	return c == ENOENT ? 127 : 126;
}
