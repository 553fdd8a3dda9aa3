/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * udp_rr - UDP request/response benchmark on a kernel socket.
 *
 *   udp_rr server [--port P] [--cpus CPU]
 *   udp_rr client --host A.B.C.D [--port P] [--depth D] [--size B]
 *                 [--duration S] [--warmup S] [--timeout-ms T] [--cpus CPU]
 *
 * The client keeps D datagrams in flight (1 = ping-pong), each carrying its
 * slot number and a sequence number in the first 8 bytes; any UDP echo server
 * (RFC 862: the kernel one here, or axip-udp-echo) sends them back. A reply
 * frees its slot, which is refilled at once. A slot whose reply has not come
 * back within --timeout-ms (default 200) counts as lost and is resent with a
 * new sequence number, so late replies are ignored. Batched with
 * recvmmsg/sendmmsg. Result line: see rpc_stats.h, plus lost=N.
 *
 * The server echoes every datagram to its sender (recvmmsg/sendmmsg) until
 * killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "cli_opt.h"
#include "rpc_stats.h"

#define BATCH 64
#define MAXSZ 2048

static const char *host;
static uint16_t port = 7;
static unsigned depth = 1, size = 64, timeout_ms = 200;
static double duration = 5, warmup = 1;
static int cpu = -1;

static void die(const char *what)
{
	fprintf(stderr, "udp_rr: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: udp_rr server [--port P] [--cpus CPU]\n"
	        "       udp_rr --help | --version\n"
	        "       udp_rr client --host A.B.C.D [--port P] [--depth D] [--size B]\n"
	        "                     [--duration S] [--warmup S] [--timeout-ms T] [--cpus CPU]\n"
	        "UDP request/response benchmark against any UDP echo server.\n"
	        "  --port P        UDP port (default 7)\n"
	        "  --depth D       datagrams in flight: 1 = ping-pong (default)\n"
	        "  --size B        payload bytes, 8..%u (default 64)\n"
	        "  --duration S    measured seconds (default 5), after --warmup S (default 1)\n"
	        "  --timeout-ms T  a reply later than this counts as lost (default 200)\n"
	        "  --cpus CPU      pin to this CPU\n",
	        MAXSZ);
}

static int run_server(void)
{
	static unsigned char bufs[BATCH][MAXSZ];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in from[BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind");
	fprintf(stderr, "udp_rr: echoing UDP port %u\n", port);
	for (;;) {
		int n;
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = MAXSZ;
			memset(&m[i].msg_hdr, 0, sizeof m[i].msg_hdr);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_name = &from[i];
			m[i].msg_hdr.msg_namelen = sizeof from[i];
		}
		n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recvmmsg");
		}
		for (i = 0; i < n; i++)
			iov[i].iov_len = m[i].msg_len;
		if (sendmmsg(fd, m, (unsigned)n, 0) < 0 && errno != EAGAIN && errno != ECONNREFUSED)
			die("sendmmsg");
	}
	return 0;
}

struct slot {
	uint32_t seq;
	uint64_t sent;
};

static int run_client(void)
{
	static unsigned char txb[BATCH][MAXSZ], rxb[BATCH][MAXSZ];
	struct mmsghdr tm[BATCH], rm[BATCH];
	struct iovec tiov[BATCH], riov[BATCH];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct slot *s = calloc(depth, sizeof *s);
	unsigned *resend = calloc(depth, sizeof *resend), nres = 0, i;
	struct rpc_hist h;
	uint64_t done = 0, lost = 0, now, t_measure, t_end, next_scan;
	int fd, measuring = 0;
	if (!s || !resend)
		die("calloc");
	if (!host || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "udp_rr: client needs --host A.B.C.D\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("connect");
	memset(txb, 'u', sizeof txb);
	for (i = 0; i < BATCH; i++) {
		riov[i].iov_base = rxb[i];
		riov[i].iov_len = MAXSZ;
		memset(&rm[i].msg_hdr, 0, sizeof rm[i].msg_hdr);
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
		tiov[i].iov_base = txb[i];
		tiov[i].iov_len = size;
		memset(&tm[i].msg_hdr, 0, sizeof tm[i].msg_hdr);
		tm[i].msg_hdr.msg_iov = &tiov[i];
		tm[i].msg_hdr.msg_iovlen = 1;
	}
	rpc_hist_init(&h);
	for (i = 0; i < depth; i++)
		resend[nres++] = i;
	now = rpc_now_ns();
	t_measure = now + (uint64_t)(warmup * 1e9);
	t_end = t_measure + (uint64_t)(duration * 1e9);
	next_scan = now + 10000000u;
	for (;;) {
		int n, k;
		/* send what is due, in batches */
		while (nres) {
			unsigned b = nres < BATCH ? nres : BATCH, j;
			now = rpc_now_ns();
			for (j = 0; j < b; j++) {
				unsigned id = resend[nres - 1 - j];
				s[id].seq++;
				s[id].sent = now;
				memcpy(txb[j], &id, 4);
				memcpy(txb[j] + 4, &s[id].seq, 4);
			}
			n = sendmmsg(fd, tm, b, 0);
			if (n < 0) {
				if (errno == EAGAIN || errno == ECONNREFUSED || errno == ENOBUFS)
					n = 0; /* counts as lost after the timeout */
				else
					die("sendmmsg");
			}
			nres -= b;
		}
		n = recvmmsg(fd, rm, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != ECONNREFUSED && errno != EINTR)
				die("recvmmsg");
			n = 0;
		}
		now = rpc_now_ns();
		if (now >= t_end)
			break;
		if (!measuring && now >= t_measure) {
			measuring = 1;
			rpc_hist_init(&h);
			done = lost = 0;
		}
		for (k = 0; k < n; k++) {
			uint32_t id, seq;
			if (rm[k].msg_len < 8)
				continue;
			memcpy(&id, rxb[k], 4);
			memcpy(&seq, rxb[k] + 4, 4);
			if (id >= depth || seq != s[id].seq || !s[id].sent)
				continue; /* late reply to a slot already resent */
			if (measuring) {
				rpc_hist_add(&h, now - s[id].sent);
				done++;
			}
			s[id].sent = 0;
			resend[nres++] = id;
		}
		if (now >= next_scan) {
			next_scan = now + 10000000u;
			for (i = 0; i < depth; i++)
				if (s[i].sent && now - s[i].sent > (uint64_t)timeout_ms * 1000000u) {
					s[i].sent = 0;
					lost++;
					resend[nres++] = i;
				}
		}
		if (!n && !nres) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			poll(&p, 1, 10);
		}
	}
	rpc_report(stdout, done, duration, &h);
	printf(" lost=%llu depth=%u size=%u\n", (unsigned long long)lost, depth, size);
	close(fd);
	free(s);
	free(resend);
	return done ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", required_argument, NULL, 'H' },     { "port", required_argument, NULL, 'p' },
		{ "depth", required_argument, NULL, 'd' },    { "size", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 't' }, { "warmup", required_argument, NULL, 'w' },
		{ "timeout-ms", required_argument, NULL, 'o' }, { "cpus", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },           { NULL, 0, NULL, 0 },
	};
	int o, server;
	static const char *const modes[] = { "client", "server", NULL };
	server = cli_mode("udp_rr", argc, argv, modes, usage);
	optind = 2;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (o) {
		case 'H': host = optarg; break;
		case 'p': port = (uint16_t)cli_uint_arg("udp_rr", "port", optarg, 1, 65535); break;
		case 'd': depth = (unsigned)cli_uint_arg("udp_rr", "depth", optarg, 1, 4096); break;
		case 's': size = (unsigned)cli_uint_arg("udp_rr", "size", optarg, 8, MAXSZ); break;
		case 't': duration = cli_seconds_arg("udp_rr", "duration", optarg, 86400); break;
		case 'w': warmup = cli_seconds_arg("udp_rr", "warmup", optarg, 86400); break;
		case 'o': timeout_ms = (unsigned)cli_uint_arg("udp_rr", "timeout", optarg, 1, 60000); break;
		case 'C': cpu = (int)cli_uint_arg("udp_rr", "CPU", optarg, 0, 4095); break;
		case 'h': usage(stdout); return 0;
		case 'V': cli_version("udp_rr"); return 0;
		default: cli_bad_option("udp_rr", o, argv);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "udp_rr: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (cpu >= 0 && rpc_pin_self(cpu) < 0)
		fprintf(stderr, "udp_rr: cannot pin to CPU %d\n", cpu);
	return server ? run_server() : run_client();
}
